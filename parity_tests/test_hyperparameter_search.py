"""B16: random search on the notes' scales, one seeded sampler of A10 records driving NumPy and Keras models.

Data: scikit-learn's breast-cancer set (30 standardized features; 455 training examples, 114 for the dev set on
which records are scored). Each record's NumPy initial parameters (its law and seed) are copied into its Keras
model, so the per-record results can be compared value by value.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import numpy_impl.hyperparameter_search as nh
from keras_impl import hyperparameter_search as kh
from numpy_impl.datasets import load_breast_cancer_data
from numpy_impl.deep_network import initialize_parameters_from_record
from parity_tests.harness import Mapping, concept

# The textbook⇄Keras mappings of B16, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B16", "random search: sample records, train each, keep the best dev accuracy",
            "one Keras model per record through train_from_record: the same dev accuracies and the "
            "same best record",
            "test_same_records_same_results"),
]

N_TRIALS = 2  # the report's budget (every record compiles its own Keras loop); the notebook runs a full search
NUM_ITERATIONS = 60
SPACE = nh.SearchSpace(n_x=30, num_iterations=NUM_ITERATIONS, learning_rate_range=(1e-3, 1.0),
                       hidden_units_range=(2, 16), hidden_layers_range=(1, 2))


@functools.lru_cache(maxsize=1)
def _data():
    return load_breast_cancer_data()


def _records():
    return nh.sample_records(SPACE, N_TRIALS, seed=0)


@concept("B16")
def test_same_records_same_results(parity):
    X, Y, X_dev, Y_dev = (a.astype(parity.dtype) for a in _data())
    records = _records()
    assert records == nh.sample_records(SPACE, N_TRIALS, seed=0)  # seeded: the same records every time
    results = nh.evaluate_records(records, X, Y, X_dev, Y_dev, dtype=parity.dtype)
    starts = [{k: v.astype(parity.dtype) for k, v in initialize_parameters_from_record(hp).items()} for hp in records]
    keras_results = kh.keras_evaluate_records(records, X, Y, X_dev, Y_dev, initial_parameters=starts)
    for i, (r, k) in enumerate(zip(results, keras_results, strict=True)):
        hp = r.record
        name = f"record {i} (α = {hp.learning_rate:.3g}, {hp.layer_dims}, {hp.activations[0]}, {hp.initialization})"
        parity.check(f"{name}: cost of each of {NUM_ITERATIONS} iterations", "trajectory", r.costs, k["costs"])
        for key in ("W1", "b1", f"W{hp.L}", f"b{hp.L}"):
            parity.check(f"{name}: {key} after {NUM_ITERATIONS} iterations", "trajectory", r.parameters[key],
                         k["parameters"][key])
    m_dev = Y_dev.shape[1]  # accuracies compared as counts of correct dev predictions: exact
    parity.check("correct dev predictions of every record", "layout",
                 np.array([round(r.dev_accuracy * m_dev) for r in results]),
                 np.array([round(k["dev_accuracy"] * m_dev) for k in keras_results]))
    chosen, chosen_keras = nh.best(results), kh.keras_best(keras_results)
    assert chosen.record == chosen_keras["record"]
    parity.note(f"chosen of {N_TRIALS} records after {NUM_ITERATIONS} iterations: {chosen.record.to_dict()}, dev "
                f"accuracy NumPy {chosen.dev_accuracy:.2%}, Keras {chosen_keras['dev_accuracy']:.2%}")


def test_learning_rate_is_sampled_on_a_log_scale():
    """Each decade of [1e-4, 1] gets a quarter of the draws (uniform α would give the top decade 90%)."""
    alphas = nh.sample_learning_rate(np.random.RandomState(0), 1e-4, 1.0, size=100_000)
    counts = np.histogram(np.log10(alphas), bins=[-4, -3, -2, -1, 0])[0] / alphas.size
    assert np.allclose(counts, 0.25, atol=0.01), counts
    assert alphas.min() >= 1e-4 and alphas.max() <= 1.0


def test_beta_is_sampled_on_a_log_scale_of_one_minus_beta():
    """β in [0.9, 0.999]: half the draws in [0.9, 0.99], half in [0.99, 0.999] (uniform β would put 91% below 0.99)."""
    betas = nh.sample_beta(np.random.RandomState(0), 0.9, 0.999, size=100_000)
    assert abs(np.mean(betas < 0.99) - 0.5) < 0.01
    assert betas.min() >= 0.9 and betas.max() <= 0.999
    windows = 1 / (1 - betas)  # the EWA window: 10 to 1000, evenly by decade
    assert abs(np.median(np.log10(windows)) - 2) < 0.02


def test_records_cover_the_space_at_random_not_on_a_grid():
    records = nh.sample_records(SPACE, 50, seed=1)
    alphas = [hp.learning_rate for hp in records]
    assert len(set(alphas)) == 50  # every trial tries a new α (a 5x10 grid would try 5)
    assert all(1e-3 <= a <= 1.0 for a in alphas)
    assert {hp.L - 1 for hp in records} == {1, 2}
    assert all(2 <= n <= 16 for hp in records for n in hp.layer_dims[1:-1])
    assert {hp.activations[0] for hp in records} == {"relu", "tanh"}
    assert len({hp.seed for hp in records}) == 50


def test_coarse_to_fine_narrows_around_the_best():
    X, Y, X_dev, Y_dev = _data()
    space = nh.SearchSpace(n_x=30, num_iterations=40, learning_rate_range=(1e-4, 1.0))
    coarse = nh.evaluate_records(nh.sample_records(space, 6, seed=0), X, Y, X_dev, Y_dev)
    fine = nh.refine(space, coarse, top_k=2)
    top = sorted(coarse, key=lambda r: (-r.dev_accuracy, float(r.costs[-1])))[:2]
    assert fine.learning_rate_range[0] <= min(r.record.learning_rate for r in top)
    assert fine.learning_rate_range[1] >= max(r.record.learning_rate for r in top)
    width = math.log10(fine.learning_rate_range[1] / fine.learning_rate_range[0])
    assert width < math.log10(space.learning_rate_range[1] / space.learning_rate_range[0])
    assert all(space.learning_rate_range[0] <= a <= space.learning_rate_range[1] for a in fine.learning_rate_range)
    assert set(fine.activations) <= set(space.activations)
    chosen, coarse_again, fine_space, fine_results = nh.random_search(X, Y, X_dev, Y_dev, space, n_coarse=4,
                                                                      n_fine=2, seed=0)
    assert chosen in [*coarse_again, *fine_results]
    assert all(fine_space.learning_rate_range[0] <= r.record.learning_rate <= fine_space.learning_rate_range[1]
               for r in fine_results)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: nh.sample_learning_rate(np.random.RandomState(0), 0.0, 1.0), "low must be"),
    (lambda: nh.sample_learning_rate(np.random.RandomState(0), 1.0, 0.1), "low <= high"),
    (lambda: nh.sample_beta(np.random.RandomState(0), 0.99, 0.9), "0 <= low < high < 1"),
    (lambda: nh.sample_beta(np.random.RandomState(0), 0.9, 1.0), "0 <= low < high < 1"),
    (lambda: nh.SearchSpace(n_x=0), "n_x must be"),
    (lambda: nh.SearchSpace(n_x=3, hidden_units_range=(8, 2)), "low <= high"),
    (lambda: nh.SearchSpace(n_x=3, activations=("softmax",)), "activations must be"),
    (lambda: nh.SearchSpace(n_x=3, initializations=()), "initializations must be"),
    (lambda: nh.SearchSpace(n_x=3, beta_range=(0.9, 1.5)), "beta range"),
    (lambda: nh.sample_records(SPACE, 0), "n_trials must be"),
    (lambda: nh.sample_betas(SPACE, 3), "beta_range"),
    (lambda: nh.best([]), "no trial results"),
    (lambda: kh.keras_best([]), "no trial results"),
    (lambda: nh.refine(SPACE, [], top_k=2), "no trial results"),
])
def test_bad_input_is_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_betas_come_with_the_records_when_asked():
    space = nh.SearchSpace(n_x=30, beta_range=(0.9, 0.999))
    betas = nh.sample_betas(space, 20, seed=0)
    assert betas.shape == (20,) and np.all((betas >= 0.9) & (betas <= 0.999))
    assert np.array_equal(betas, nh.sample_betas(space, 20, seed=0))
