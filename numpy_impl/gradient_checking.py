"""Gradient checking, NumPy from scratch, in the course's API (concept B9).

The two-sided difference approximates each partial derivative of the cost J(θ):

    gradapprox[i] = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε)                      (error O(ε²), vs O(ε) one-sided)
    difference    = ‖grad - gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)

and the notes' rule of thumb with ε = 1e-7: difference ≈ 1e-7 is fine, ≈ 1e-5 worth a look, ≈ 1e-3 a bug (the
course prints "mistake" above 2e-7). Only in float64: in float32, θ + 1e-7 rounds back to θ for |θ| >= 1 and
J(θ + ε) - J(θ - ε) is mostly rounding noise (measured in the parity suite).

Course API: the 1-D example J(θ) = θ·x (`forward_propagation`, `backward_propagation`, `gradient_check`) and the
3-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID (`forward_propagation_n`,
`backward_propagation_n`, `gradient_check_n`) with the vector helpers `dictionary_to_vector`,
`vector_to_dictionary`, `gradients_to_vector` (order W1, b1, W2, b2, W3, b3; each array flattened row by row).
`backward_propagation_n_with_mistakes` is the course's deliberately faulty backward pass (dW2 doubled, db1
multiplied by 4) that `gradient_check_n` must flag. `gradient_check_cost` checks any cost function of a
parameters dict (the L-layer network, the regularized and the dropout versions).
Shapes: `X (n_x, m)`, `Y (1, m)` (a 1-D `(m,)` Y is read as one row, as the course's test passes it).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping

import numpy as np

from numpy_impl.activations import relu, sigmoid
from numpy_impl.validation import as_float_array, check_finite, check_X, check_Y_course, number_of_layers

THRESHOLD = 2e-7  # the course's threshold for "There is a mistake in the backward propagation!"
COURSE_SHAPES = {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}


def check_epsilon(epsilon):
    """ε as given, after checking it is a real number (not a bool), finite and > 0."""
    if not (isinstance(epsilon, numbers.Real) and not isinstance(epsilon, bool) and np.isfinite(epsilon)
            and epsilon > 0):
        raise ValueError(f"epsilon must be a finite number > 0 (the step of the two-sided difference), got {epsilon!r}")
    return epsilon


def _scalar(value, name: str):
    arr = as_float_array(value, name)
    check_finite(arr, name)
    return arr


def relative_difference(grad, gradapprox):
    """‖grad - gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂), a float (0 when both are 0)."""
    grad, gradapprox = np.asarray(grad), np.asarray(gradapprox)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return float(numerator / denominator) if denominator > 0 else 0.0


def _report(difference: float, print_msg: bool) -> float:
    if print_msg:
        if difference > THRESHOLD:
            print(f"\033[93mThere is a mistake in the backward propagation! difference = {difference}\033[0m")
        else:
            print(f"\033[92mYour backward propagation works perfectly fine! difference = {difference}\033[0m")
    return difference


# ---------------------------------------------------------------- 1-D: J(θ) = θ·x

def forward_propagation(x, theta):
    """J = θ·x (the course's 1-D example).  x, θ: real numbers (or arrays of one shape) -> J."""
    return _scalar(theta, "theta") * _scalar(x, "x")


def backward_propagation(x, theta):
    """dJ/dθ = x.  x, θ -> dθ (x as an array of x's dtype)."""
    _scalar(theta, "theta")
    return _scalar(x, "x")


def gradient_check(x, theta, epsilon=1e-7, print_msg=False) -> float:
    """The 1-D check: gradapprox = (J(θ+ε) - J(θ-ε)) / (2ε) against `backward_propagation`; returns the difference."""
    check_epsilon(epsilon)
    theta = _scalar(theta, "theta")
    theta_plus, theta_minus = theta + epsilon, theta - epsilon
    J_plus, J_minus = forward_propagation(x, theta_plus), forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    return _report(relative_difference(grad, gradapprox), print_msg)


# ---------------------------------------------------------------- vectors of parameters

def _keys(mapping: Mapping, prefix: str = "") -> list[str]:
    L = sum(1 for k in mapping if k.startswith(prefix + "W") and k[len(prefix) + 1:].isdigit())
    return [f"{prefix}{p}{l}" for l in range(1, L + 1) for p in "Wb"]


def dictionary_to_vector(parameters: Mapping):
    """θ = [W1; b1; W2; b2; ...] as one column (each array flattened row by row), and the key of every entry.

    parameters {"W1", "b1", ..., "WL", "bL"} -> (theta (n_params, 1), keys: a list of n_params names).
    """
    number_of_layers(parameters)
    keys, pieces = [], []
    for key in _keys(parameters):
        v = np.reshape(np.asarray(parameters[key]), (-1, 1))
        keys += [key] * v.shape[0]
        pieces.append(v)
    return np.concatenate(pieces, axis=0), keys


def vector_to_dictionary(theta, shapes: Mapping | None = None) -> dict[str, np.ndarray]:
    """The inverse of `dictionary_to_vector`: θ (n_params, 1) -> {"W1": ..., "b1": ..., ...}.

    `shapes` {"W1": (n_1, n_x), ...} in order W1, b1, W2, ...; default the course's test network
    W1 (5, 4), b1 (5, 1), W2 (3, 5), b2 (3, 1), W3 (1, 3), b3 (1, 1) (47 parameters).
    """
    shapes = dict(COURSE_SHAPES if shapes is None else shapes)
    theta = np.asarray(theta)
    n = sum(int(np.prod(s)) for s in shapes.values())
    if theta.size != n:
        raise ValueError(f"theta must hold {n} values for the shapes {shapes}, got {theta.size}")
    flat, parameters, start = theta.reshape(-1), {}, 0
    for key, shape in shapes.items():
        size = int(np.prod(shape))
        parameters[key] = flat[start:start + size].reshape(shape)
        start += size
    return parameters


def gradients_to_vector(gradients: Mapping):
    """[dW1; db1; dW2; db2; ...] as one column (the order of `dictionary_to_vector`); other keys (dZ, dA) ignored."""
    keys = _keys(gradients, "d")
    if not keys:
        raise KeyError(f"gradients must hold dW1, db1, ...; it has {sorted(gradients)}")
    missing = [k for k in keys if k not in gradients]
    if missing:
        raise KeyError(f"gradients is missing key(s) {missing}; it has {sorted(gradients)}")
    return np.concatenate([np.reshape(np.asarray(gradients[k]), (-1, 1)) for k in keys], axis=0)


# ---------------------------------------------------------------- the 3-layer network

def _labels(Y, m: int) -> np.ndarray:
    if np.ndim(Y) == 1:
        if np.shape(Y)[0] != m:
            raise ValueError(f"Y must hold m = {m} labels (one per column of X), got a 1-D array of shape "
                             f"{np.shape(Y)}")
        Y = np.reshape(Y, (1, -1))
    return check_Y_course(Y, m=m, n_y=1)


def forward_propagation_n(X, Y, parameters: Mapping):
    """Z1 = W1 X + b1, A1 = relu(Z1), Z2 = W2 A1 + b2, A2 = relu(Z2), Z3 = W3 A2 + b3, A3 = σ(Z3), and
    J = 1/m Σ (-Y log A3 - (1-Y) log(1-A3)) (the course's naive formula).

    X (n_x, m), Y (1, m) or (m,), parameters {"W1", ..., "b3"} -> (cost, cache (Z1, A1, W1, b1, Z2, A2, W2, b2,
    Z3, A3, W3, b3)).
    """
    if number_of_layers(parameters) != 3:
        raise ValueError(f"forward_propagation_n is the 3-layer network W1..b3; got {sorted(parameters)} "
                         "(use gradient_check_cost for other networks)")
    X = check_X(X, n_x=np.shape(parameters["W1"])[1])
    m = X.shape[1]
    Y = _labels(Y, m)
    W1, b1, W2, b2, W3, b3 = (np.asarray(parameters[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    Y = Y.astype(A3.dtype, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_probs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = A3.dtype.type(1.0 / m) * np.sum(log_probs)
    return cost, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def _backward_n(X, Y, cache, dW2_factor: int, db1_factor: int) -> dict[str, np.ndarray]:
    if not isinstance(cache, tuple) or len(cache) != 12:
        raise ValueError("cache must be the 12-tuple (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) of "
                         "forward_propagation_n")
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    X = check_X(X, n_x=np.shape(W1)[1])
    m = X.shape[1]
    Y = _labels(Y, m).astype(A3.dtype, copy=False)
    inv_m = A3.dtype.type(1.0 / m)
    dZ3 = A3 - Y
    dW3 = inv_m * np.dot(dZ3, A2.T)
    db3 = inv_m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, (A2 > 0).astype(dA2.dtype))
    dW2 = inv_m * np.dot(dZ2, A1.T) * dW2_factor
    db2 = inv_m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, (A1 > 0).astype(dA1.dtype))
    dW1 = inv_m * np.dot(dZ1, X.T)
    db1 = db1_factor * inv_m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def backward_propagation_n(X, Y, cache) -> dict[str, np.ndarray]:
    """The correct backward pass of `forward_propagation_n`: dZ3 = A3 - Y, dW3 = 1/m dZ3 A2ᵀ, ..., db1.

    X (n_x, m), Y (1, m) or (m,), cache -> gradients {"dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1",
    "dZ1", "dW1", "db1"}.
    """
    return _backward_n(X, Y, cache, 1, 1)


def backward_propagation_n_with_mistakes(X, Y, cache) -> dict[str, np.ndarray]:
    """The course's deliberately faulty backward pass: dW2 = 1/m dZ2 A1ᵀ · 2 and db1 = 4/m Σ dZ1 (two bugs).

    The rest is `backward_propagation_n`; `gradient_check_n` flags it (difference ≈ 0.29 on the course's test).
    """
    return _backward_n(X, Y, cache, 2, 4)


def gradient_check_cost(cost: Callable[[dict], float], parameters: Mapping, gradients: Mapping, epsilon=1e-7,
                        print_msg=False) -> float:
    """The two-sided check of `gradients` against any cost J(parameters): returns the relative difference.

    `cost` maps a parameters dict (the shapes of `parameters`) to J; every entry of θ = dictionary_to_vector(
    parameters) is moved by ±ε in turn (2·n_params evaluations of J).
    """
    gradapprox = gradapprox_of(cost, parameters, epsilon)
    grad = gradients_to_vector(gradients)
    if grad.shape != gradapprox.shape:
        raise ValueError(f"gradients hold {grad.shape[0]} values but parameters {gradapprox.shape[0]}")
    return _report(relative_difference(grad, gradapprox), print_msg)


def gradapprox_of(cost: Callable[[dict], float], parameters: Mapping, epsilon=1e-7) -> np.ndarray:
    """gradapprox (n_params, 1): (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε) for every entry i of θ, in θ's dtype."""
    check_epsilon(epsilon)
    theta, _ = dictionary_to_vector(parameters)
    shapes = {k: np.shape(parameters[k]) for k in _keys(parameters)}
    eps = theta.dtype.type(epsilon)
    gradapprox = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        theta_plus = np.copy(theta)
        theta_plus[i] = theta_plus[i] + eps
        J_plus = cost(vector_to_dictionary(theta_plus, shapes))
        theta_minus = np.copy(theta)
        theta_minus[i] = theta_minus[i] - eps
        J_minus = cost(vector_to_dictionary(theta_minus, shapes))
        gradapprox[i] = (J_plus - J_minus) / (2 * eps)
    return gradapprox


def gradient_check_n(parameters: Mapping, gradients: Mapping, X, Y, epsilon=1e-7, print_msg=False) -> float:
    """The course's check of `gradients` for the 3-layer network: J = `forward_propagation_n(X, Y, θ)[0]`.

    parameters {"W1", ..., "b3"}, gradients {"dW1", ..., "db3"} (from a backward pass), X (n_x, m), Y (1, m) or
    (m,) -> the relative difference (a float); with `print_msg` the course's message (threshold 2e-7).
    """
    X = check_X(X, n_x=np.shape(parameters["W1"])[1]) if "W1" in parameters else X
    return gradient_check_cost(lambda p: forward_propagation_n(X, Y, p)[0], parameters, gradients, epsilon,
                               print_msg)

