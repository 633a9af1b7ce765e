"""B7: input normalization, NumPy vs TF ops vs `keras.layers.Normalization.adapt`, and its effect on training.

Data: scikit-learn's breast-cancer set *unstandardized* (30 features from ~1e-3 to ~4e3, 455 training and 114
test examples), plus one constant feature (4.0 for every training example) to show the σ = 0 case.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from keras_impl import input_normalization as kn
from numpy_impl import input_normalization as nn
from numpy_impl.datasets import load_breast_cancer_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Tol, concept

# The textbook⇄Keras mappings of B7, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B7", "μ = 1/m Σ x, σ² = 1/m Σ (x - μ)², x_norm = (x - μ)/σ with the training set's μ, "
                    "σ² for every set",
            "keras.layers.Normalization(axis=-1).adapt(X_train.T): mean and (biased) variance (1, "
            "n_x), then (x - μ)/max(σ, ε)",
            "test_statistics_and_normalized_sets"),
    Mapping("B7", "gradient descent reaches a cost in fewer iterations on normalized inputs",
            "Sequential([Input, Normalization, Dense(1)]) with full-batch SGD(α)",
            "test_effect_on_training"),
]

CONSTANT = 4.0  # the constant feature's value on the training set (its mean is exact)
ALPHA_NORMALIZED, ALPHA_RAW = 0.1, 1e-5  # the raw features diverge above ~1e-5
NUM_ITERATIONS, TARGET_COST = 200, 0.2


@functools.lru_cache(maxsize=1)
def _raw():
    X, Y, X_test, Y_test = load_breast_cancer_data(standardize=False)
    X = np.vstack([X, np.full((1, X.shape[1]), CONSTANT)])
    X_test = np.vstack([X_test, np.full((1, X_test.shape[1]), CONSTANT)])
    X_test[-1, 0] = CONSTANT + 0.5  # one test example where the "constant" feature differs
    return X, Y, X_test, Y_test


def _data(dtype):
    return tuple(a.astype(dtype) for a in _raw())


def _relative(parity) -> dict:
    """μ and σ² span 1e-4 .. 6e5 across the features: judge every one relatively (atol 0)."""
    return dict(tol=Tol(parity.tolerance("forward").rtol, 0.0),
                why="μ, σ² range over 1e-4..6e5 across features: judged relatively (atol 0)")


def _end_to_end(parity) -> dict:
    """float32: the two sides' μ differ by a few ulp (summation order); (x - μ)/σ turns that into an absolute
    error of up to |μ|/σ (9.2 here) times a few ulp of 1."""
    if parity.dtype == np.float32:
        return dict(tol=Tol(1e-5, 1e-5), why="float32 μ from two summation orders differ by a few ulp, times "
                                             "|μ|/σ <= 9.2 after (x - μ)/σ (measured 4.8e-6 absolute)")
    return {}


@concept("B7")
def test_statistics_and_normalized_sets(parity):
    X, _, X_test, _ = _data(parity.dtype)
    (X_norm, X_test_norm), (mu, sigma2) = nn.normalize_train_dev_test(X, X_test)
    tf_mu, tf_sigma2 = kn.fit_normalization(X)
    layer = kn.keras_normalization(X)
    batched = kn.keras_normalization(X, batch_size=64)
    parity.check("μ (TF ops)", "forward", mu, tf_mu, **_relative(parity))
    parity.check("σ² biased (TF ops)", "forward", sigma2, tf_sigma2, **_relative(parity))
    parity.check("μ = Normalization.adapt mean", "forward", mu.T, layer.mean, **_relative(parity))
    parity.check("σ² = Normalization.adapt variance (biased)", "forward", sigma2.T, layer.variance, **_relative(parity))
    parity.check("μ = adapt mean over batches of 64 (merged)", "forward", mu.T, batched.mean, **_relative(parity))
    parity.check("σ² = adapt variance over batches of 64 (merged)", "forward", sigma2.T, batched.variance,
                 **_relative(parity))
    parity.check("X_train normalized with the same μ, σ² (TF ops)", "forward", X_norm, kn.normalize(X, mu, sigma2))
    parity.check("X_test normalized with the same μ, σ² (TF ops)", "forward", X_test_norm,
                 kn.normalize(X_test, mu, sigma2))
    end_to_end = _end_to_end(parity)
    parity.check("X_train normalized, each side its own μ, σ² (TF ops)", "forward", X_norm,
                 kn.normalize(X, tf_mu, tf_sigma2), **end_to_end)
    parity.check("X_train normalized, each side its own μ, σ² (Keras layer)", "forward", X_norm,
                 kn.keras_normalize(layer, X), **end_to_end)
    parity.check("X_test with the training μ, σ (Keras layer)", "forward", X_test_norm,
                 kn.keras_normalize(layer, X_test), **end_to_end)
    # the constant feature: σ = 0, divided by max(σ, 1e-7): 0 on the training set, on both sides, exactly
    parity.check("constant feature on the training set -> 0", "layout", X_norm[-1], kn.keras_normalize(layer, X)[-1])
    assert not np.any(X_norm[-1]) and sigma2[-1, 0] == 0
    # ... and (x - 4)/1e-7 on a test example whose value differs from the training constant
    big = kn.keras_normalize(layer, X_test)[-1, :1]
    parity.check("constant feature, test value 4.5 -> 0.5/1e-7", "forward", X_test_norm[-1, :1], big)
    parity.note(f"a training-constant feature that is 4.5 on a test example normalizes to {float(big[0]):.4g} on "
                "both sides ((x - μ) / max(σ, 1e-7)): drop constant features")


@concept("B7")
def test_effect_on_training(parity):
    X, Y, _, _ = _data(parity.dtype)
    X, Y = X[:-1], Y  # the logistic regression runs without the constant feature
    (X_norm,), _ = nn.normalize_train_dev_test(X)
    counts = {}
    for name, data, alpha in (("normalized", X_norm, ALPHA_NORMALIZED), ("raw", X, ALPHA_RAW)):
        _, _, costs = nn.logistic_regression_gd(data, Y, alpha, NUM_ITERATIONS)
        _, _, tape_costs = kn.logistic_regression_gd(data, Y, alpha, NUM_ITERATIONS)
        parity.check(f"J per iteration, {name} inputs, α = {alpha:g} (tape)", "trajectory", costs, tape_costs)
        counts[name] = nn.iterations_to_cost(costs, TARGET_COST)
        parity.check(f"iterations to J <= {TARGET_COST}, {name} (tape)", "layout",
                     np.array(counts[name] if counts[name] is not None else -1),
                     np.array(kn.iterations_to_cost(tape_costs, TARGET_COST) or -1))
    # the Keras model normalizes inside: Sequential([Normalization adapted on X, Dense(1)]) on the raw X
    _, keras_costs = kn.keras_logistic_regression_gd(X, Y, ALPHA_NORMALIZED, NUM_ITERATIONS,
                                                     normalization=kn.keras_normalization(X))
    _, _, costs = nn.logistic_regression_gd(X_norm, Y, ALPHA_NORMALIZED, NUM_ITERATIONS)
    parity.check("J per iteration: NumPy on normalized X vs Keras [Normalization, Dense] on raw X", "trajectory",
                 costs, keras_costs)
    raw_costs = nn.logistic_regression_gd(X, Y, ALPHA_RAW, NUM_ITERATIONS)[2]
    assert counts["normalized"] is not None and counts["raw"] is None
    parity.note(f"logistic regression on breast cancer, J <= {TARGET_COST}: normalized inputs (α = {ALPHA_NORMALIZED})"
                f" after {counts['normalized']} iterations; raw inputs (α = {ALPHA_RAW}, about the largest that does"
                f" not diverge) not within {NUM_ITERATIONS} (J = {float(raw_costs[-1]):.3f}), the same on both sides")


def _bad_cases():
    X, Y, _, _ = _raw()
    mu, sigma2 = nn.fit_normalization(X)
    return [
        (lambda m: m.fit_normalization(np.zeros((3, 0))), "X holds no examples"),
        (lambda m: m.fit_normalization(np.array([[1.0, np.nan]])), "X must be finite"),
        (lambda m: m.fit_normalization(np.arange(4.0)), "X must be 2-D"),
        (lambda m: m.normalize(X, mu.T, sigma2), r"mu must have shape \(n_x, 1\)"),
        (lambda m: m.normalize(X, mu, -sigma2), "sigma2 finite and >= 0"),
        (lambda m: m.normalize(X, mu, sigma2, epsilon=0.0), "epsilon must be a finite number > 0"),
        (lambda m: m.logistic_regression_gd(X.T, Y, 0.1, 3), "pass X.T"),
        (lambda m: m.logistic_regression_gd(X, Y, -0.1, 3), "learning_rate must be a finite number > 0"),
        (lambda m: m.logistic_regression_gd(X, Y, 0.1, 0), "num_iterations must be an integer >= 1"),
        (lambda m: m.iterations_to_cost([], 0.1), "costs must be a non-empty 1-D array"),
    ]


@pytest.mark.parametrize("case", range(10))
def test_bad_input_same_error(case):
    call, match = _bad_cases()[case]
    same_error(lambda: call(nn), lambda: call(kn), match=match)


def test_divergence_names_the_iteration():
    X, Y, _, _ = _raw()
    for side in (nn, kn):
        with pytest.raises(FloatingPointError, match="iteration .*smaller learning_rate"):
            side.logistic_regression_gd(X[:-1] * 1e150, Y, 1e150, 5)
