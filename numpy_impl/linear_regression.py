"""Linear regression as a one-neuron network (concept A1): the notes' house-price example.

"An input x goes through a neuron and gives y: linear regression is a neural network of one neuron."
The neuron has no activation (g(z) = z):

    ŷ = W x + b            vectorized: Ŷ = W X + b,  W (1, n_x), X (n_x, m), b (1, 1) -> Ŷ (1, m)
    J = 1/(2m) Σ (ŷ - y)²  the squared error with the 1/2 convention: the 2 of the derivative cancels it
    dZ = Ŷ - Y,  dW = 1/m dZ Xᵀ (1, n_x),  db = 1/m Σ dZ (1, 1)
    gradient descent: W := W - α dW,  b := b - α db

Keras's `MeanSquaredError` is 1/m Σ (ŷ - y)², without the 1/2: MSE = 2J and its gradients are 2·dW, 2·db
(keras_impl/linear_regression.py maps this and the parity test proves it). The arrays keep their dtype:
float32 data and parameters give a float32 computation.
"""

from __future__ import annotations

import numpy as np

from numpy_impl.validation import (
    check_count,
    check_dim,
    check_learning_rate,
    check_training_finite,
    check_W_b_row,
    check_X,
    check_Y,
)


def load_house_prices(m: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small synthetic house data set (private seeded RNG; the global RNG is not touched).

    Features X (2, m): size in 1000 sq ft (0.6 to 3.0) and number of bedrooms (1 to 5, growing with size).
    Target Y (1, m): price in $100k = 0.5 + 1.5·size + 0.2·bedrooms + noise (std 0.2).
    """
    if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 2:
        raise ValueError(f"m (the number of houses) must be an integer >= 2, got {m!r}")
    rng = np.random.RandomState(seed)
    size = rng.uniform(0.6, 3.0, m)
    bedrooms = np.clip(np.round(1.5 * size + rng.normal(0.0, 0.6, m)), 1, 5)
    price = 0.5 + 1.5 * size + 0.2 * bedrooms + rng.normal(0.0, 0.2, m)
    return np.stack([size, bedrooms]), price.reshape(1, m)


def initialize_with_zeros(n_x: int) -> tuple[np.ndarray, np.ndarray]:
    """W = 0 (1, n_x), b = 0 (1, 1): one neuron, nothing to break symmetry between."""
    n_x = check_dim(n_x, "n_x (the number of features)")
    return np.zeros((1, n_x)), np.zeros((1, 1))


def _check_inputs(W, b, X, Y=None):
    W, b = check_W_b_row(W, b)
    X = check_X(X, n_x=W.shape[1])
    if Y is None:
        return W, b, X
    Y = check_Y(Y, m=X.shape[1], n_y=1)
    return W, b, X, Y.astype(np.result_type(W, X), copy=False)


def forward(W, b, X):
    """Ŷ = W X + b.  W (1, n_x), b (1, 1), X (n_x, m) -> Ŷ (1, m)."""
    W, b, X = _check_inputs(W, b, X)
    return W @ X + b


def compute_cost(Y_hat, Y):
    """J = 1/(2m) Σ (Ŷ - Y)².  Ŷ, Y (1, m) -> scalar (in their dtype)."""
    m = np.shape(Y_hat)[-1] if np.ndim(Y_hat) else 0
    Y_hat = check_Y(Y_hat, m=m, n_y=1, name="Y_hat")  # a prediction (1, m): the same layout checks as labels
    Y = check_Y(Y, m=m, n_y=1).astype(Y_hat.dtype, copy=False)
    return _cost(Y_hat, Y)


def _cost(Y_hat, Y):
    return np.sum((Y_hat - Y) ** 2) / (2 * Y.shape[1])


def propagate(W, b, X, Y):
    """Forward and backward pass.  W (1, n_x), b (1, 1), X (n_x, m), Y (1, m)
    -> grads {"dW": 1/m (Ŷ - Y) Xᵀ  (1, n_x), "db": 1/m Σ(Ŷ - Y)  (1, 1)}, cost J = 1/(2m) Σ (Ŷ - Y)²."""
    return _propagate(*_check_inputs(W, b, X, Y))


def _propagate(W, b, X, Y):
    """`propagate` on validated inputs (optimize checks once, not at every iteration)."""
    m = X.shape[1]
    Y_hat = W @ X + b
    cost = _cost(Y_hat, Y)
    dZ = Y_hat - Y
    grads = {"dW": dZ @ X.T / m, "db": np.sum(dZ, axis=1, keepdims=True) / m}
    return grads, cost


def optimize(W, b, X, Y, num_iterations: int = 100, learning_rate: float = 0.1, record_every: int = 1):
    """Gradient descent: `num_iterations` times W := W - α dW, b := b - α db (new arrays; W, b untouched).

    -> params {"W", "b"}, grads {"dW", "db"} of the last iteration (before its update), and the costs at
    iterations 0, record_every, ... (each before that iteration's update; default: every iteration).
    GD converges iff α < 2/λ_max, λ_max the largest eigenvalue of the Hessian 1/m X̃X̃ᵀ (X̃ = X with a row of
    ones for b); on `load_house_prices()` λ_max ≈ 14.7, so the default α = 0.1 is stable (0.15 diverges).
    A diverging run stops with a FloatingPointError at the first iteration whose cost, W or b is not finite.
    """
    W, b, X, Y = _check_inputs(W, b, X, Y)
    num_iterations = check_count(num_iterations, "num_iterations")
    record_every = check_count(record_every, "record_every")
    check_learning_rate(learning_rate)
    alpha = np.result_type(W, X).type(learning_rate)  # an np.float64 α must not upcast float32 runs
    costs = []
    for i in range(num_iterations):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is stopped just below, with a message
            grads, cost = _propagate(W, b, X, Y)
            W = W - alpha * grads["dW"]
            b = b - alpha * grads["db"]
        check_training_finite(i, learning_rate, cost=cost, W=W, b=b)
        if i % record_every == 0:
            costs.append(cost)
    return {"W": W, "b": b}, grads, costs
