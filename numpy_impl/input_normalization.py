"""Normalizing inputs (concept B7): fit μ, σ² on the training set, apply them to every set.

The notes: subtract the mean, then divide by the standard deviation, feature by feature,

    μ = 1/m Σ_i x(i),    σ² = 1/m Σ_i (x(i) - μ)²    (the biased variance: 1/m, not 1/(m-1)),
    x_norm = (x - μ) / σ,

with μ and σ computed on the *training* set and the same μ, σ used for the dev and test sets. Features on
scales 0..1 and 0..1000 then share one scale and gradient descent takes far fewer iterations
(`logistic_regression_gd` + `iterations_to_cost` measure it).

A constant feature has σ = 0. `normalize` divides by `max(σ, ε)` with ε = 1e-7, the guard
`keras.layers.Normalization` uses: a training feature that is constant becomes 0 (not NaN), and nothing
changes for any feature with σ >= 1e-7. A dev/test value that differs from the training constant c is
divided by 1e-7: (x - c)·1e7, a warning sign that the feature should be dropped.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from numpy_impl.losses import binary_cross_entropy_from_logits, binary_cross_entropy_from_logits_backward
from numpy_impl.validation import check_count, check_learning_rate, check_X, check_X_Y

EPSILON = 1e-7  # Keras's backend.epsilon(), the floor on σ


def fit_normalization(X):
    """μ = 1/m Σ x, σ² = 1/m Σ (x - μ)², per feature.  X (n_x, m) -> mu (n_x, 1), sigma2 (n_x, 1)."""
    X = check_X(X, name="X")
    mu = np.mean(X, axis=1, keepdims=True)
    sigma2 = np.mean((X - mu) ** 2, axis=1, keepdims=True)
    return mu, sigma2


def _check_statistics(X, mu, sigma2, epsilon):
    X = check_X(X, name="X")
    n_x = X.shape[0]
    for name, a in (("mu", mu), ("sigma2", sigma2)):
        if np.shape(a) != (n_x, 1):
            raise ValueError(f"{name} must have shape (n_x, 1) = ({n_x}, 1) (from fit_normalization), "
                             f"got {np.shape(a)}")
    if not np.all(np.isfinite(mu)) or not np.all(np.isfinite(sigma2)) or np.any(np.asarray(sigma2) < 0):
        raise ValueError("mu must be finite and sigma2 finite and >= 0 (from fit_normalization)")
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or not math.isfinite(epsilon) \
            or epsilon <= 0:
        raise ValueError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    return X


def normalize(X, mu, sigma2, epsilon: float = EPSILON):
    """x_norm = (x - μ) / max(√σ², ε).  X (n_x, m), mu, sigma2 (n_x, 1) -> X_norm (n_x, m), in X's dtype."""
    X = _check_statistics(X, mu, sigma2, epsilon)
    sigma = np.maximum(np.sqrt(np.asarray(sigma2, dtype=X.dtype)), X.dtype.type(epsilon))
    return (X - np.asarray(mu, dtype=X.dtype)) / sigma


def normalize_train_dev_test(X_train, *X_others, epsilon: float = EPSILON):
    """Fit on X_train only, apply to X_train and to each of X_others (dev, test).

    X_train (n_x, m_train), each other (n_x, m_k) -> ([X_train_norm, X_dev_norm, ...], (mu, sigma2)).
    """
    mu, sigma2 = fit_normalization(X_train)
    X_train = check_X(X_train)
    others = [check_X(X, n_x=X_train.shape[0], name="X_dev/X_test") for X in X_others]
    return [normalize(X, mu, sigma2, epsilon) for X in [X_train, *others]], (mu, sigma2)


def logistic_regression_gd(X, Y, learning_rate, num_iterations: int):
    """Gradient descent on logistic regression from w = 0, b = 0, to measure how fast the cost falls.

    Z = wᵀX + b, J = cost from the logits (stable: raw features make |Z| large), dZ = (σ(Z) - Y)/m,
    dw = X dZᵀ, db = Σ dZ, w -= α dw, b -= α db. X (n_x, m), Y (1, m) ->
    (w (n_x, 1), b (1, 1), costs (num_iterations,)): costs[i] is J before update i.
    """
    X, Y = check_X_Y(X, Y, n_y=1)
    learning_rate = check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations")
    Y = Y.astype(X.dtype, copy=False)
    w, b = np.zeros((X.shape[0], 1), X.dtype), np.zeros((1, 1), X.dtype)
    costs = np.empty(num_iterations, X.dtype)
    for i in range(num_iterations):
        try:
            with np.errstate(over="raise", invalid="raise"):
                Z = w.T @ X + b
                costs[i] = binary_cross_entropy_from_logits(Z, Y)
                dZ = binary_cross_entropy_from_logits_backward(Z, Y)
                w = w - learning_rate * (X @ dZ.T)
                b = b - learning_rate * np.sum(dZ, axis=1, keepdims=True)
        except (FloatingPointError, ValueError):  # an overflow, or a non-finite Z rejected by the cost's checks
            costs[i] = np.nan
        if not np.isfinite(costs[i]):
            raise FloatingPointError(f"the cost became non-finite at iteration {i}: try a smaller learning_rate")
    return w, b, costs


def iterations_to_cost(costs, target_cost: float):
    """The first iteration i with costs[i] <= target_cost, or None if the cost never gets there."""
    costs = np.asarray(costs)
    if costs.ndim != 1 or costs.size == 0:
        raise ValueError(f"costs must be a non-empty 1-D array, got shape {costs.shape}")
    reached = np.flatnonzero(costs <= target_cost)
    return int(reached[0]) if reached.size else None
