"""A shallow network (one tanh hidden layer, one sigmoid output) on the planar "flower" data (concept A7).

The course's graded functions with their exact names, arguments, dictionary keys and seeding, in the
notes' layout: `X (n_x, m)`, `Y (n_y, m)`, `W1 (n_h, n_x)`, `b1 (n_h, 1)`, `W2 (n_y, n_h)`, `b2 (n_y, 1)`.

    Z1 = W1·X + b1        A1 = tanh(Z1)          (1), (2)
    Z2 = W2·A1 + b2       A2 = σ(Z2) = Ŷ          (3), (4)
    J  = -1/m Σ (y log a2 + (1 - y) log(1 - a2))  (13)

and the six backward equations (g1 = tanh, so g1'(Z1) = 1 - A1²):

    dZ2 = A2 - Y          dW2 = 1/m dZ2·A1ᵀ       db2 = 1/m Σ_rows dZ2
    dZ1 = W2ᵀ·dZ2 * (1 - A1²)   dW1 = 1/m dZ1·Xᵀ   db1 = 1/m Σ_rows dZ1

Every function computes in the dtype of its inputs (float32 stays float32), so the same code gives the
course's float64 numbers and a float32 run for the parity suite.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from numpy_impl.activations import sigmoid
from numpy_impl.validation import (
    as_float_array,
    check_count,
    check_course_prediction,
    check_finite,
    check_grads,
    check_keys,
    check_learning_rate,
    check_training_finite,
    check_two_layer_parameters,
    check_X,
    check_X_Y,
    check_Y,
    check_Y_course,
    warn_if_not_binary,
)

PARAMETER_KEYS = ("W1", "b1", "W2", "b2")
GRAD_KEYS = ("dW1", "db1", "dW2", "db2")


def _as_row_matrix(a, name: str) -> np.ndarray:
    a = as_float_array(a, name)
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (n_y, m), got shape {a.shape}")
    return a


def layer_sizes(X, Y) -> tuple[int, int, int]:
    """(n_x, n_h, n_y) = (X.shape[0], 4, Y.shape[0]): the hidden size is hard-coded to 4, as in the course.

    X (n_x, m), Y (n_y, m) -> (n_x, 4, n_y). Reads shapes only (strictly: same m, course layout), so any real
    Y is accepted, as the course's own test passes one (`randn(2, 3)`).
    """
    X, Y = check_X_Y(X, Y, binary=False)
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x: int, n_h: int, n_y: int) -> dict[str, np.ndarray]:
    """W1 = randn(n_h, n_x)·0.01, b1 = 0, W2 = randn(n_y, n_h)·0.01, b2 = 0 (float64).

    No seed inside: the caller seeds NumPy's legacy global RNG (`nn_model` calls `np.random.seed(3)`).
    W1 is drawn before W2, so the same seed gives the course's numbers.
    -> {"W1" (n_h, n_x), "b1" (n_h, 1), "W2" (n_y, n_h), "b2" (n_y, 1)}.
    """
    for name, n in (("n_x", n_x), ("n_h", n_h), ("n_y", n_y)):
        if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
            raise ValueError(f"{name} must be a positive integer (a layer size), got {n!r}")
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters: Mapping) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Z1 = W1·X + b1, A1 = tanh(Z1), Z2 = W2·A1 + b2, A2 = σ(Z2).

    X (n_x, m) -> A2 (n_y, m), cache {"Z1" (n_h, m), "A1" (n_h, m), "Z2" (n_y, m), "A2" (n_y, m)}.
    σ is the overflow-free sigmoid of numpy_impl.activations (equal to 1/(1 + e^(-z)) to rounding).
    """
    n_x, _, _ = check_two_layer_parameters(parameters)
    return _forward(check_X(X, n_x=n_x), parameters)


def _forward(X: np.ndarray, parameters: Mapping) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    W1, b1, W2, b2 = (parameters[k] for k in PARAMETER_KEYS)
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y) -> float:
    """J = -1/m Σ (Y log A2 + (1 - Y) log(1 - A2)), the notes' eq. (13), as a Python float.

    A2 (1, m), or (m,) as the course's own test passes it beside Y (1, m); Y (1, m). Labels outside {0, 1}
    are computed with a `UserWarning`, as the course computes them. The course's formula, kept as written so
    that it gives the course's numbers. It is not protected at the ends: one A2 that has rounded to exactly 0
    or 1 gives log(0) = -inf, so J = inf if its label disagrees, and J = nan if it agrees (the other term is
    0·log(0) = 0·(-inf)); NumPy warns (RuntimeWarning) in both cases. In float64 σ(Z2) rounds to 1 from
    Z2 ≈ 37, in float32 from ≈ 17. The stable form from Z2, as Keras computes it, is `compute_cost_from_logits`.
    """
    A2, Y, _ = check_course_prediction(A2, Y, "A2")
    return _cost(A2, Y)


def _cost(A2: np.ndarray, Y: np.ndarray) -> float:
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), (1 - Y))
    cost = -np.sum(logprobs) / m
    return float(np.squeeze(cost))


def compute_cost_from_logits(Z2, Y) -> float:
    """J of eq. (13) computed from Z2 without forming A2: 1/m Σ (max(Z2, 0) - Z2·Y + log(1 + e^(-|Z2|))).

    Z2, Y (1, m). Algebraically equal to `compute_cost(σ(Z2), Y)`, finite for every finite Z2 (at
    Z2 = 40, Y = 0 it is 40.0, where the course formula gives inf once σ(40) rounds to 1). This is the
    formula `tf.nn.sigmoid_cross_entropy_with_logits` uses, hence Keras's BinaryCrossentropy on a
    sigmoid output (docs/traps.md, trap 3).
    """
    Z2 = _as_row_matrix(Z2, "Z2")
    Y = check_Y(Y, m=Z2.shape[1], n_y=Z2.shape[0], binary=True).astype(Z2.dtype, copy=False)
    check_finite(Z2, "Z2")
    losses = np.maximum(Z2, 0) - Z2 * Y + np.log1p(np.exp(-np.abs(Z2)))
    return float(np.sum(losses) / Y.shape[1])


def backward_propagation(parameters: Mapping, cache: Mapping, X, Y) -> dict[str, np.ndarray]:
    """The six equations: dZ2 = A2 - Y, dW2 = dZ2·A1ᵀ/m, db2 = Σ dZ2/m, dZ1 = W2ᵀ·dZ2 * (1 - A1²),
    dW1 = dZ1·Xᵀ/m, db1 = Σ dZ1/m (sums along each row).

    X (n_x, m), Y (n_y, m), cache from `forward_propagation` ->
    grads {"dW1" (n_h, n_x), "db1" (n_h, 1), "dW2" (n_y, n_h), "db2" (n_y, 1)}.
    """
    n_x, n_h, n_y = check_two_layer_parameters(parameters)
    check_keys(cache, ("A1", "A2"), "cache")
    X = check_X(X, n_x=n_x)
    A1, A2 = cache["A1"], cache["A2"]
    if np.shape(A1) != (n_h, X.shape[1]) or np.shape(A2) != (n_y, X.shape[1]):
        raise ValueError(f"cache must hold A1 (n_h, m) = ({n_h}, {X.shape[1]}) and A2 (n_y, m) = "
                         f"({n_y}, {X.shape[1]}); got A1 {np.shape(A1)}, A2 {np.shape(A2)}")
    Y = check_Y_course(Y, m=X.shape[1], n_y=n_y).astype(A2.dtype, copy=False)
    return _backward(parameters, cache, X, Y)


def _backward(parameters: Mapping, cache: Mapping, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    m = X.shape[1]
    W2, A1, A2 = parameters["W2"], cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters: Mapping, grads: Mapping, learning_rate: float = 1.2) -> dict[str, np.ndarray]:
    """θ := θ - α·dθ for θ in W1, b1, W2, b2 (α = learning_rate > 0).  Returns a new dict; the caller's
    `parameters` and its arrays are left untouched. Every dθ must have θ's shape and be finite.
    """
    check_two_layer_parameters(parameters)
    check_grads(parameters, grads, PARAMETER_KEYS)
    return _update(parameters, grads, check_learning_rate(learning_rate))


def _update(parameters: Mapping, grads: Mapping, learning_rate: float) -> dict[str, np.ndarray]:
    return {key: parameters[key] - grads[f"d{key}"] * learning_rate for key in PARAMETER_KEYS}


def train(X, Y, parameters: Mapping, num_iterations: int = 10000, learning_rate: float = 1.2,
          print_cost: bool = False) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Gradient descent from given `parameters`: forward, cost (13), backward, update, `num_iterations` times.

    The loop of `nn_model`, with the start point and α as arguments. X (n_x, m), Y (n_y, m) with labels in
    {0, 1}, the parameters in X's dtype. The inputs are validated once, then every iteration runs the same
    computations as `forward_propagation`, `compute_cost`, `backward_propagation` and `update_parameters`
    (without re-checking them). Returns the final parameters and the cost of every iteration,
    `costs (num_iterations,)` in X's dtype (costs[i] is J before update i). A cost that is not finite (α too
    large: the run diverged) stops the run with a `FloatingPointError` naming the iteration; so do final
    parameters that are not finite.
    """
    X, Y = check_X_Y(X, Y)
    return _train(X, Y, parameters, num_iterations, learning_rate, print_cost)


def _train(X: np.ndarray, Y: np.ndarray, parameters: Mapping, num_iterations, learning_rate, print_cost: bool):
    """`train` after X and Y have been checked (the label values by the caller): the rest of the checks, the loop."""
    n_x, _, n_y = check_two_layer_parameters(parameters)
    X = check_X(X, n_x=n_x)
    Y = check_Y(Y, m=X.shape[1], n_y=n_y).astype(X.dtype, copy=False)
    dtypes = {np.asarray(parameters[k]).dtype for k in PARAMETER_KEYS}
    if dtypes != {X.dtype}:
        raise ValueError(f"parameters must have X's dtype {X.dtype} (cast them with .astype), "
                         f"got {sorted(map(str, dtypes))}")
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    check_learning_rate(learning_rate)
    parameters = {k: parameters[k] for k in PARAMETER_KEYS}
    costs = np.empty(num_iterations, dtype=X.dtype)
    for i in range(num_iterations):
        A2, cache = _forward(X, parameters)
        with np.errstate(divide="ignore", invalid="ignore"):  # a log(0) is reported below, by iteration
            costs[i] = _cost(A2, Y)
        check_training_finite(i, learning_rate, cost=costs[i])
        grads = _backward(parameters, cache, X, Y)
        parameters = _update(parameters, grads, learning_rate)
        if print_cost and i % 1000 == 0:
            print(f"Cost after iteration {i}: {costs[i]:f}")
    if num_iterations:
        check_training_finite(num_iterations - 1, learning_rate, **parameters)
    return parameters, costs


def nn_model(X, Y, n_h: int, num_iterations: int = 10000, print_cost: bool = False) -> dict[str, np.ndarray]:
    """The course's model: `np.random.seed(3)`, `initialize_parameters(n_x, n_h, n_y)`, then
    `num_iterations` steps of gradient descent with α = 1.2 (`update_parameters`' default).

    X (n_x, m), Y (n_y, m) -> parameters {"W1", "b1", "W2", "b2"}. The initial parameters are cast to X's
    dtype (a no-op for the course's float64 data). `print_cost` prints J every 1000 iterations. Labels
    outside {0, 1} are computed with a `UserWarning`, as the course computes them.
    """
    np.random.seed(3)
    X, Y = check_X_Y(X, Y, binary=False)
    warn_if_not_binary(Y)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = {k: v.astype(X.dtype) for k, v in initialize_parameters(n_x, n_h, n_y).items()}
    parameters, _ = _train(X, Y, parameters, num_iterations, 1.2, print_cost)
    return parameters


def predict(parameters: Mapping, X) -> np.ndarray:
    """predictions = A2 > 0.5 (boolean, (n_y, m)): class 1 (blue) where the network's probability exceeds 0.5."""
    A2, _ = forward_propagation(X, parameters)
    return A2 > 0.5


def accuracy(parameters: Mapping, X, Y) -> float:
    """Percentage of examples whose prediction equals the label: 100·mean(predict(parameters, X) == Y)."""
    X, Y = check_X_Y(X, Y)
    return float(np.mean(predict(parameters, X) == Y) * 100)
