"""B2: bias/variance diagnosis, from NumPy's learning curves and from a Keras `History`.

Data: the digits, binary task "is it an 8?" (standardized pixels), 1437 training and 360 dev examples.
Human-level error on clean digits is ~0%: the Bayes error is taken as 0. An under-fitting model (logistic
regression [64, 1], 30 epochs at α = 0.1, all 1437 examples) and an over-fitting one ([64, 64, 1], 30 epochs at
α = 1, only the first 100 examples) are trained on both sides from the same start, against the same dev set;
each side's History gives the diagnosis.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import numpy_impl.deep_network as nd
from keras_impl import bias_variance as kbv
from keras_impl._precision import keras_precision
from numpy_impl import bias_variance as nbv
from numpy_impl.datasets import load_digits_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Parity, Tol, concept

# The textbook⇄Keras mappings of B2, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B2", "avoidable bias = train error - Bayes error, variance = dev error - train error",
            "train error = 1 - accuracy and dev error = 1 - val_accuracy of a Keras History at one "
            "epoch",
            "test_diagnosis_from_history"),
]

M_TRAIN = 100
MODELS = {  # name: (layer_dims, learning_rate, num_epochs, training examples)
    "under-fitting [64, 1]": ((64, 1), 0.1, 30, None),
    "over-fitting [64, 64, 1]": ((64, 64, 1), 1.0, 30, M_TRAIN),
}
EXPECTED = {"under-fitting [64, 1]": "high bias", "over-fitting [64, 64, 1]": "high variance"}


@functools.lru_cache(maxsize=1)
def _digits():
    return load_digits_data(digit=8, standardize=True)


def _args(dtype, name):
    layer_dims, alpha, epochs, m = MODELS[name]
    X, Y, X_dev, Y_dev = (a.astype(dtype) for a in _digits())
    parameters = {k: v.astype(dtype) for k, v in nd.initialize_parameters_deep_application(layer_dims).items()}
    return X[:, :m], Y[:, :m], X_dev, Y_dev, parameters, alpha, epochs


def _relative(parity) -> dict:
    if parity.dtype == np.float32:
        return dict(tol=Tol(1e-4, 1e-9), why="float32 costs fall to ~1e-3 while over-fitting: atol 1e-9 so that "
                                             "rtol 1e-4 judges them")
    return dict(tol=Tol(1e-10, 1e-15), why="costs fall to ~1e-3 while over-fitting: atol 1e-15 so that rtol judges")


@concept("B2")
def test_diagnosis_from_history(parity):
    for name in MODELS:
        _compare(parity, name, kbv.keras_learning_curves)


def _compare(parity, name, keras_loop):
    args = _args(parity.dtype, name)
    _, history = nbv.learning_curves(*args)
    _, keras_history = keras_loop(*args)
    logs = keras_history.history
    for key in ("loss", "val_loss"):
        parity.check(f"{name}: History {key} per epoch", "trajectory", np.array(history[key], parity.dtype),
                     np.array(logs[key], parity.dtype), **_relative(parity))
    for key in ("accuracy", "val_accuracy"):
        # k/m fractions: the counts k must be equal; Keras's metric averages in float32 even in a float64 model
        m = (args[1] if key == "accuracy" else args[3]).shape[1]
        parity.check(f"{name}: correct predictions per epoch ({key} × m)", "layout",
                     np.rint(np.array(history[key]) * m).astype(int), np.rint(np.array(logs[key]) * m).astype(int))
    diagnosis, keras_diagnosis = nbv.diagnose_from_history(history), kbv.diagnose_from_keras_history(keras_history)
    parity.check(f"{name}: [avoidable bias, variance] from the last epoch", "cost",
                 np.array([diagnosis["avoidable_bias"], diagnosis["variance"]], parity.dtype),
                 np.array([keras_diagnosis["avoidable_bias"], keras_diagnosis["variance"]], parity.dtype),
                 tol=Tol(0.0, 2e-7), why="Keras's metric returns k/m rounded to float32 (within 6e-8), also in a "
                                         "float64 model; variance = dev - train cancels: compared absolutely")
    assert diagnosis["diagnosis"] == keras_diagnosis["diagnosis"] == EXPECTED[name]
    assert diagnosis["remedy"] == keras_diagnosis["remedy"]
    parity.note(f"{name}: train error {100 * (1 - history['accuracy'][-1]):.1f}%, dev error "
                f"{100 * (1 - history['val_accuracy'][-1]):.1f}% (Bayes ~0%): both sides say {diagnosis['diagnosis']} "
                f"-> {diagnosis['remedy']}")


@concept("B2")
def test_diagnose_rule(parity):
    """The rule itself on the notes' four textbook cases (train/dev errors in %, Bayes 0% and one at 15%)."""
    cases = [(0.01, 0.11, 0.0), (0.15, 0.16, 0.0), (0.15, 0.30, 0.0), (0.005, 0.01, 0.0), (0.15, 0.30, 0.15)]
    np_rows, tf_rows = [], []  # Python floats on both sides (no dtype): compared in the row's dtype
    for train, dev, bayes in cases:
        a, b = nbv.diagnose(train, dev, bayes), kbv.diagnose(train, dev, bayes)
        np_rows.append([a["avoidable_bias"], a["variance"]])
        tf_rows.append([b["avoidable_bias"], b["variance"]])
        assert a == b
    parity.check("[avoidable bias, variance] of 5 textbook cases", "cost", np.array(np_rows, parity.dtype),
                 np.array(tf_rows, parity.dtype),
                 tol=Tol(0.0, 0.0), why="the same two subtractions of the same floats: exact")
    assert [nbv.diagnose(*c)["diagnosis"] for c in cases] == [
        "high variance", "high bias", "high bias and high variance", "low bias and low variance", "high variance"]
    Y = (np.arange(40) % 3 == 0).astype(parity.dtype).reshape(1, -1)
    P = np.roll(Y, 1, axis=1)
    parity.check("error_rate of a shifted prediction", "cost", nbv.error_rate(P, Y), kbv.error_rate(P, Y))


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fit_history_equals_the_loop(dtype):
    """`model.fit`'s History (per-epoch overhead: seconds) against NumPy, as the report's loop is."""
    with keras_precision(dtype):
        parity = Parity("B2", dtype, case="test_fit_history_equals_the_loop")
        _compare(parity, "under-fitting [64, 1]", kbv.keras_fit_learning_curves)
    assert len(parity.rows) == 5 and all(row.passed for row in parity.rows)


BAD = [
    (lambda s: s.diagnose(11.0, 20.0), r"train_error must be an error rate in \[0, 1\]"),
    (lambda s: s.diagnose(0.1, float("nan")), "dev_error must be an error rate"),
    (lambda s: s.diagnose(0.1, 0.2, True), "bayes_error must be an error rate"),
    (lambda s: s.diagnose(0.01, 0.2, 0.05), "is below bayes_error"),
    (lambda s: s.error_rate(np.array([[0.0, 2.0]]), np.array([[0.0, 1.0]])), "binary labels"),
    (lambda s: s.error_rate(np.array([0.0, 1.0]), np.array([[0.0, 1.0]])), "must be 2-D"),
    (lambda s: s.error_rate(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0, 1.0]])), "must have m = 2 columns"),
]


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_input_same_error(case):
    call, match = BAD[case]
    same_error(lambda: call(nbv), lambda: call(kbv), match=match)


def test_bad_history_same_error():
    same_error(lambda: nbv.diagnose_from_history({"loss": [1.0]}),
               lambda: kbv.diagnose_from_keras_history({"loss": [1.0]}), match="must hold 'accuracy'")
    h = {"accuracy": [0.9], "val_accuracy": [0.8]}
    same_error(lambda: nbv.diagnose_from_history(h, epoch=1), lambda: kbv.diagnose_from_keras_history(h, epoch=1),
               match=r"epoch must be an integer in \[-1, 0\]")
    args = _args(np.float64, "under-fitting [64, 1]")
    same_error(lambda: nbv.learning_curves(args[0].T, *args[1:]),
               lambda: kbv.keras_learning_curves(args[0].T, *args[1:]), match="pass X.T")
