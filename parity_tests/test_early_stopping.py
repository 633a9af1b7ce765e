"""B6: early stopping, the NumPy rule vs `keras.callbacks.EarlyStopping`, on scripted histories and a real run.

Each scripted case feeds the same monitored values to `numpy_impl.early_stopping.early_stopping` and to the
Keras callback (`keras_impl.early_stopping.keras_early_stopping`) and compares, exactly, the stopping epoch,
the best epoch, the number of epochs run and the epoch whose weights training ends with. The real run trains
the digits network ("is it an 8?") on 100 examples, where the dev cost turns up after ~25 epochs, with the
NumPy loop and with `model.fit` + the callback, and compares both cost curves, the epochs and the restored W, b.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import numpy_impl.deep_network as nd
from keras_impl import early_stopping as kes
from keras_impl._precision import keras_precision
from numpy_impl import early_stopping as nes
from numpy_impl.datasets import load_digits_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Parity, Tol, concept

# The textbook⇄Keras mappings of B6, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B6", "stop when the dev cost has not improved for `patience` epochs (min_delta, "
                    "baseline, restore the best)",
            "keras.callbacks.EarlyStopping with the same arguments: the same stopped, best and "
            "restored epochs",
            "test_scripted_histories"),
    Mapping("B6", "an improvement of 1e-10 in a float64 run",
            "EarlyStopping compares in float32: a tie, even in a float64 model",
            "test_keras_compares_in_float32"),
]

# name: (monitored values, rule arguments)
SCRIPTED = {
    "never stops (always improving)": ([1.0, 0.9, 0.8, 0.7, 0.6], dict(patience=1, restore_best_weights=True)),
    "ties are no improvement": ([1.0, 0.9, 0.9, 0.9, 0.8], dict(patience=2)),
    "gains smaller than min_delta": ([1.0, 0.99, 0.98, 0.97, 0.96], dict(patience=2, min_delta=0.05)),
    "a gain of exactly min_delta (0.5 - 0.25 = 0.25)": ([1.0, 0.75, 0.5, 0.25], dict(patience=1, min_delta=0.25)),
    "stops at the first possible epoch (patience 0)": ([1.0, 1.1, 0.5], dict(patience=0)),
    "restores the best epoch": ([1.0, 0.5, 0.7, 0.8, 0.9, 0.4], dict(patience=3, restore_best_weights=True)),
    "restores the best even when it never stops": ([1.0, 0.5, 0.7, 0.8], dict(patience=5, restore_best_weights=True)),
    "baseline not beaten": ([1.0, 0.9, 0.8, 0.9, 1.0], dict(patience=1, baseline=0.5)),
    "baseline beaten late": ([1.0, 0.9, 0.8, 0.7, 0.72, 0.71, 0.75], dict(patience=2, baseline=0.75)),
    "mode max (accuracy)": ([0.5, 0.7, 0.7, 0.69, 0.9], dict(patience=2, mode="max", restore_best_weights=True)),
    "start_from_epoch": ([5.0, 6.0, 1.0, 1.5, 1.6, 1.7], dict(patience=1, start_from_epoch=2,
                                                           restore_best_weights=True)),
}
N_RANDOM = 20


def _summary(result: dict) -> np.ndarray:
    stopped = -1 if result["stopped_epoch"] is None else result["stopped_epoch"]
    return np.array([stopped, result["best_epoch"], result["epochs_run"], result["restored_epoch"]])


def _both(values, **rule):
    np_result = nes.early_stopping(values, compare_dtype="float32", **rule)
    return np_result, kes.keras_early_stopping(values, **rule)


@concept("B6")
def test_scripted_histories(parity):
    for name, (values, rule) in SCRIPTED.items():
        np_result, keras_result = _both(np.array(values, dtype=parity.dtype), **rule)
        parity.check(f"[stopped, best, run, restored] epoch: {name}", "layout", _summary(np_result),
                     _summary(keras_result))
        parity.check(f"best value: {name}", "layout", np_result["best"], keras_result["best"])


def test_python_lists_keep_their_values():
    """A Python list reaches the callback as float64 values (a float32 tensor would report best = 0.8999999761...)."""
    result = kes.keras_early_stopping([1.0, 0.9, 0.9, 0.9, 0.8], patience=2)
    assert result == nes.early_stopping([1.0, 0.9, 0.9, 0.9, 0.8], patience=2) and result["best"] == 0.9


@concept("B6")
def test_random_histories(parity):
    """20 seeded random histories (noisy U-shaped dev curves, random patience, min_delta, baseline)."""
    rng = np.random.RandomState(6)
    np_all, keras_all = [], []
    for _ in range(N_RANDOM):
        n = rng.randint(2, 30)
        t = np.arange(n)
        values = (1 + 0.002 * (t - rng.randint(0, n)) ** 2 + 0.02 * rng.randn(n)).astype(parity.dtype)
        rule = dict(patience=int(rng.randint(0, 5)), min_delta=float(rng.choice([0.0, 0.001, 0.01])),
                    baseline=None if rng.rand() < 0.7 else float(values.min() + 0.02 * rng.randn()),
                    restore_best_weights=bool(rng.rand() < 0.5))
        np_result, keras_result = _both(values, **rule)
        np_all.append(_summary(np_result))
        keras_all.append(_summary(keras_result))
    parity.check(f"[stopped, best, run, restored] epoch of {N_RANDOM} random histories", "layout",
                 np.array(np_all), np.array(keras_all))


@concept("B6")
def test_keras_compares_in_float32(parity):
    """Improvements of 1e-10: real in float64, ties in float32. Keras sees ties even in a float64 model."""
    values = np.array([1.0, 1.0 - 1e-10, 1.0 - 2e-10, 1.0 - 3e-10, 1.0 - 4e-10], dtype=np.float64)
    keras_result = kes.keras_early_stopping(values, patience=1)
    exact = nes.early_stopping(values, patience=1, compare_dtype="float64")
    parity.check("stopping epochs: NumPy compare_dtype=float32 vs Keras", "layout",
                 _summary(nes.early_stopping(values, patience=1, compare_dtype="float32")), _summary(keras_result))
    assert exact["stopped_epoch"] is None and keras_result["stopped_epoch"] == 1
    parity.note(f"EarlyStopping compares in float32 whatever floatx: on 1.0, 1.0-1e-10, 1.0-2e-10, "
                f"... (patience 1) Keras stops at epoch {keras_result['stopped_epoch']}, the exact float64 rule "
                "never stops")


@functools.lru_cache(maxsize=1)
def _digits():
    return load_digits_data(digit=8, standardize=True)


LAYER_DIMS = (64, 64, 1)
M_TRAIN, LEARNING_RATE, NUM_EPOCHS, PATIENCE = 100, 1.0, 60, 5


def _real_run(dtype, keras_loop=kes.keras_train_with_early_stopping):
    X, Y, X_dev, Y_dev = (a.astype(dtype) for a in _digits())
    X, Y = X[:, :M_TRAIN], Y[:, :M_TRAIN]
    parameters = {k: v.astype(dtype) for k, v in nd.initialize_parameters_deep_application(LAYER_DIMS).items()}
    args = (X, Y, X_dev, Y_dev, parameters, LEARNING_RATE, NUM_EPOCHS)
    np_run = nes.model_with_early_stopping(*args, patience=PATIENCE, compare_dtype="float32")
    return np_run, keras_loop(*args, patience=PATIENCE)


@concept("B6")
def test_real_overfitting_run(parity):
    """The tape loop calling the callback's hooks; `model.fit` itself is test_real_overfitting_run_with_fit."""
    _compare_real_runs(parity, kes.keras_train_with_early_stopping)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_real_overfitting_run_with_fit(dtype):
    """The same run through `model.fit(callbacks=[EarlyStopping])`: ~30 fit epochs take seconds: not in the report."""
    with keras_precision(dtype):
        parity = Parity("B6", dtype, case="test_real_overfitting_run_with_fit")
        _compare_real_runs(parity, kes.keras_fit_with_early_stopping)
    assert len(parity.rows) == 7 and all(row.passed for row in parity.rows)


def _relative(parity) -> dict:
    """The trajectory tolerance with its absolute floor lowered, so that rtol judges the small entries too."""
    if parity.dtype == np.float32:
        return dict(tol=Tol(1e-4, 1e-9), why="float32 costs fall to 0.012 and weights cross 0: atol 1e-9 so that "
                                             "rtol 1e-4 judges them (measured max rel 4.5e-5)")
    return dict(tol=Tol(1e-10, 1e-15), why="costs fall to 0.012 and weights cross 0: atol 1e-15 so that rtol 1e-10 "
                                           "judges them")


def _compare_real_runs(parity, keras_loop):
    (np_params, np_hist, stopper), (keras_params, keras_hist, callback) = _real_run(parity.dtype, keras_loop)
    parity.check("training cost per epoch (History loss)", "trajectory", np.array(np_hist["loss"], parity.dtype),
                 np.array(keras_hist["loss"], parity.dtype), **_relative(parity))
    parity.check("dev cost per epoch (History val_loss)", "trajectory", np.array(np_hist["val_loss"], parity.dtype),
                 np.array(keras_hist["val_loss"], parity.dtype), **_relative(parity))
    parity.check("[stopped epoch, best epoch]", "layout", np.array([stopper.stopped_epoch, stopper.best_epoch]),
                 np.array([callback.stopped_epoch, callback.best_epoch]))
    for key in np_params:
        parity.check(f"{key} restored from the best epoch", "trajectory", np_params[key], keras_params[key],
                     **_relative(parity))
    assert stopper.stopped_epoch is not None and stopper.best_epoch < stopper.stopped_epoch
    parity.note(f"digits, 100 training examples, [64, 64, 1], α = 1: dev cost lowest at epoch "
                f"{stopper.best_epoch} ({stopper.best:.4f}), both sides stop at epoch {stopper.stopped_epoch} "
                f"(patience {PATIENCE}) and restore epoch {stopper.best_epoch}")


BAD_RULES = [
    ([1.0, 2.0], dict(patience=-1), "patience must be an integer >= 0"),
    ([1.0, 2.0], dict(patience=1.5), "patience must be an integer"),
    ([1.0, 2.0], dict(patience=True), "patience must be an integer"),
    ([1.0, 2.0], dict(min_delta=-0.1), "min_delta must be a finite number >= 0"),
    ([1.0, 2.0], dict(min_delta=float("nan")), "min_delta must be a finite number"),
    ([1.0, 2.0], dict(mode="auto"), "mode must be one of"),
    ([1.0, 2.0], dict(baseline=float("inf")), "baseline must be None or a finite number"),
    ([], {}, "monitored must be a non-empty 1-D sequence"),
    ([[1.0, 2.0]], {}, "monitored must be a non-empty 1-D sequence"),
    (["a", "b"], {}, "monitored must be a non-empty 1-D sequence"),
    ([1.0, float("nan")], {}, "monitored must be finite: epoch 1"),
]


@pytest.mark.parametrize("values, rule, match", BAD_RULES)
def test_bad_rule_same_error(values, rule, match):
    same_error(lambda: nes.early_stopping(values, **rule), lambda: kes.keras_early_stopping(values, **rule),
               match=match)


def test_bad_training_inputs_same_error():
    X, Y, X_dev, Y_dev = _digits()
    parameters = nd.initialize_parameters_deep_application(LAYER_DIMS)
    for args, match in [((X.T, Y, X_dev, Y_dev, parameters, 0.1, 3), "pass X.T"),
                        ((X, Y, X_dev, Y_dev, parameters, 0.0, 3), "learning_rate must be a finite number > 0"),
                        ((X, Y, X_dev, Y_dev, parameters, 0.1, 0), "num_epochs must be an integer >= 1"),
                        ((X, Y * 2, X_dev, Y_dev, parameters, 0.1, 3), "binary labels"),
                        ((X[:10], Y, X_dev[:10], Y_dev, parameters, 0.1, 3), "must both have n_x = 64 rows")]:
        for keras_loop in (kes.keras_train_with_early_stopping, kes.keras_fit_with_early_stopping):
            same_error(lambda a=args: nes.model_with_early_stopping(*a), lambda a=args, k=keras_loop: k(*a),
                       match=match)


def test_divergent_run_names_the_epoch():
    X, Y, X_dev, Y_dev = _digits()
    parameters = {k: v * 50 for k, v in nd.initialize_parameters_deep_application(LAYER_DIMS).items()}
    with pytest.raises(FloatingPointError, match="at epoch .*smaller learning_rate"):
        nes.model_with_early_stopping(X[:, :100], Y[:, :100], X_dev, Y_dev, parameters, 1e6, 20)
