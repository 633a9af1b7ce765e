"""Gradient checking with TensorFlow (concept B9): the tape gradient as a third, independent reference.

Which NumPy function (`numpy_impl.gradient_checking`) each function here mirrors (same arguments, same returns,
TF tensors instead of arrays):

| here                                             | NumPy                                          |
|--------------------------------------------------|------------------------------------------------|
| `forward_propagation`, `gradient_check`          | the same names (1-D example J = θ·x)           |
| `backward_propagation`                           | `backward_propagation`, by tape (dJ/dθ = x)    |
| `forward_propagation_n`                          | `forward_propagation_n` (cost and cache)       |
| `tape_gradients_n`                               | `backward_propagation_n`, by tape (dW, db only) |
| `dictionary_to_vector`, `vector_to_dictionary`, `gradients_to_vector`, `relative_difference` | the same |
| `gradapprox_of`, `gradient_check_cost`, `gradient_check_n` | the same (the cost a function of TF tensors) |

There is no Keras block for gradient checking: Keras trusts autodiff. What the tape adds is a reference that is
neither the hand-written backward pass nor a finite difference: the three must agree (the tape and the correct
backward pass to rounding, the finite difference to O(ε²) plus the rounding of J divided by ε).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping

import numpy as np
import tensorflow as tf

from numpy_impl.validation import check_finite, check_X, check_Y_course, number_of_layers

# Which NumPy function (numpy_impl.gradient_checking, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B9": {
        "relative_difference": "relative_difference",
        "forward_propagation": "forward_propagation",
        "backward_propagation": "backward_propagation",
        "gradient_check": "gradient_check",
        "dictionary_to_vector": "dictionary_to_vector",
        "vector_to_dictionary": "vector_to_dictionary",
        "gradients_to_vector": "gradients_to_vector",
        "forward_propagation_n": "forward_propagation_n",
        "tape_gradients_n": "backward_propagation_n",
        "gradapprox_of": "gradapprox_of",
        "gradient_check_cost": "gradient_check_cost",
        "gradient_check_n": "gradient_check_n",
    },
}

THRESHOLD = 2e-7
COURSE_SHAPES = {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}


def _epsilon(epsilon):
    # the same check and message as the NumPy side (numpy_impl.gradient_checking.check_epsilon)
    if not (isinstance(epsilon, numbers.Real) and not isinstance(epsilon, bool)
            and np.isfinite(epsilon) and epsilon > 0):
        raise ValueError(f"epsilon must be a finite number > 0 (the step of the two-sided difference), got {epsilon!r}")
    return epsilon


def _scalar(value, name: str) -> tf.Tensor:
    if isinstance(value, tf.Variable | tf.Tensor):  # already TF: keep it (a tape may be watching it)
        return value
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    check_finite(arr, name)
    return tf.convert_to_tensor(arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(np.float64))


def relative_difference(grad, gradapprox) -> float:
    """‖grad - gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂) with `tf.norm`, a float (0 when both are 0)."""
    grad, gradapprox = tf.convert_to_tensor(grad), tf.convert_to_tensor(gradapprox)
    denominator = tf.norm(grad) + tf.norm(gradapprox)
    return float(tf.norm(grad - gradapprox) / denominator) if float(denominator) > 0 else 0.0


def _report(difference: float, print_msg: bool) -> float:
    if print_msg:
        if difference > THRESHOLD:
            print(f"\033[93mThere is a mistake in the backward propagation! difference = {difference}\033[0m")
        else:
            print(f"\033[92mYour backward propagation works perfectly fine! difference = {difference}\033[0m")
    return difference


# ---------------------------------------------------------------- 1-D: J(θ) = θ·x

def forward_propagation(x, theta) -> tf.Tensor:
    """J = θ·x."""
    theta = _scalar(theta, "theta")
    return theta * tf.cast(_scalar(x, "x"), theta.dtype)


def backward_propagation(x, theta) -> tf.Tensor:
    """dJ/dθ by GradientTape (= x)."""
    theta = tf.Variable(_scalar(theta, "theta"))
    with tf.GradientTape() as tape:
        J = forward_propagation(x, theta)
    return tape.gradient(J, theta)


def gradient_check(x, theta, epsilon=1e-7, print_msg=False) -> float:
    """(J(θ+ε) - J(θ-ε)) / (2ε) in TF ops against the tape's dJ/dθ; returns the relative difference."""
    _epsilon(epsilon)
    theta = _scalar(theta, "theta")
    eps = tf.constant(epsilon, theta.dtype)
    gradapprox = (forward_propagation(x, theta + eps) - forward_propagation(x, theta - eps)) / (2 * eps)
    return _report(relative_difference(backward_propagation(x, theta), gradapprox), print_msg)


# ---------------------------------------------------------------- vectors of parameters

def _keys(mapping: Mapping, prefix: str = "") -> list[str]:
    L = sum(1 for k in mapping if k.startswith(prefix + "W") and k[len(prefix) + 1:].isdigit())
    return [f"{prefix}{p}{l}" for l in range(1, L + 1) for p in "Wb"]


def dictionary_to_vector(parameters: Mapping):
    """θ = [W1; b1; ...] (n_params, 1) with `tf.reshape` (row by row, as NumPy) and the key of every entry."""
    number_of_layers(parameters)
    keys, pieces = [], []
    for key in _keys(parameters):
        v = tf.reshape(tf.convert_to_tensor(parameters[key]), (-1, 1))
        keys += [key] * int(v.shape[0])
        pieces.append(v)
    return tf.concat(pieces, axis=0), keys


def vector_to_dictionary(theta, shapes: Mapping | None = None) -> dict[str, tf.Tensor]:
    """θ (n_params, 1) -> {"W1": ..., ...} for `shapes` (default the course's 47-parameter test network)."""
    shapes = dict(COURSE_SHAPES if shapes is None else shapes)
    theta = tf.reshape(tf.convert_to_tensor(theta), (-1,))
    n = sum(int(np.prod(s)) for s in shapes.values())
    if int(theta.shape[0]) != n:
        raise ValueError(f"theta must hold {n} values for the shapes {shapes}, got {int(theta.shape[0])}")
    sizes = [int(np.prod(s)) for s in shapes.values()]
    return {k: tf.reshape(piece, s) for (k, s), piece in zip(shapes.items(), tf.split(theta, sizes), strict=True)}


def gradients_to_vector(gradients: Mapping) -> tf.Tensor:
    """[dW1; db1; ...] (n_params, 1), the order of `dictionary_to_vector`; other keys ignored."""
    keys = _keys(gradients, "d")
    if not keys:
        raise KeyError(f"gradients must hold dW1, db1, ...; it has {sorted(gradients)}")
    missing = [k for k in keys if k not in gradients]
    if missing:
        raise KeyError(f"gradients is missing key(s) {missing}; it has {sorted(gradients)}")
    return tf.concat([tf.reshape(tf.convert_to_tensor(gradients[k]), (-1, 1)) for k in keys], axis=0)


# ---------------------------------------------------------------- the 3-layer network

def _inputs(X, Y, parameters: Mapping):
    if number_of_layers(parameters) != 3:
        raise ValueError(f"forward_propagation_n is the 3-layer network W1..b3; got {sorted(parameters)} "
                         "(use gradient_check_cost for other networks)")
    W1 = parameters["W1"]
    X = check_X(X, n_x=int(W1.shape[1]))
    m = X.shape[1]
    if np.ndim(Y) == 1:
        if np.shape(Y)[0] != m:
            raise ValueError(f"Y must hold m = {m} labels (one per column of X), got a 1-D array of shape "
                             f"{np.shape(Y)}")
        Y = np.reshape(Y, (1, -1))
    Y = check_Y_course(Y, m=m, n_y=1)
    dtype = tf.convert_to_tensor(W1).dtype
    return tf.constant(X, dtype), tf.constant(Y, dtype)


def _forward_n(X, Y, parameters: Mapping):
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = tf.matmul(W1, X) + b1
    A1 = tf.nn.relu(Z1)
    Z2 = tf.matmul(W2, A1) + b2
    A2 = tf.nn.relu(Z2)
    Z3 = tf.matmul(W3, A2) + b3
    A3 = tf.math.sigmoid(Z3)
    m = tf.constant(int(X.shape[1]), A3.dtype)
    cost = tf.reduce_sum(-tf.math.log(A3) * Y + -tf.math.log(1 - A3) * (1 - Y)) / m
    return cost, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def forward_propagation_n(X, Y, parameters: Mapping):
    """The 3-layer forward pass and the course's naive J in TF ops -> (cost, cache (Z1, A1, W1, ..., W3, b3))."""
    X, Y = _inputs(X, Y, parameters)
    return _forward_n(X, Y, {k: tf.convert_to_tensor(v) for k, v in parameters.items()})


def tape_gradients_n(X, Y, parameters: Mapping) -> dict[str, tf.Tensor]:
    """dJ/d{W1, b1, ..., b3} of `forward_propagation_n`'s cost by GradientTape: {"dW1", "db1", ..., "db3"}."""
    X, Y = _inputs(X, Y, parameters)
    variables = {k: tf.Variable(v, name=k) for k, v in parameters.items()}
    with tf.GradientTape() as tape:
        cost, _ = _forward_n(X, Y, variables)
    keys = _keys(variables)
    return {f"d{k}": g for k, g in zip(keys, tape.gradient(cost, [variables[k] for k in keys]), strict=True)}


def gradapprox_of(cost: Callable[[dict], tf.Tensor], parameters: Mapping, epsilon=1e-7) -> tf.Tensor:
    """(J(θ + ε e_i) - J(θ - ε e_i)) / (2ε) for every entry i, all 2·n_params costs in one `tf.vectorized_map`.

    `cost` maps a dict of TF tensors (the shapes of `parameters`) to J (TF ops only). Returns (n_params, 1).
    """
    _epsilon(epsilon)
    theta, _ = dictionary_to_vector(parameters)
    shapes = {k: tuple(np.shape(parameters[k])) for k in _keys(parameters)}
    n = int(theta.shape[0])
    steps = tf.eye(n, dtype=theta.dtype) * tf.constant(epsilon, theta.dtype)
    thetas = tf.concat([tf.transpose(theta) + steps, tf.transpose(theta) - steps], axis=0)  # (2n, n)
    J = tf.vectorized_map(lambda t: cost(vector_to_dictionary(t, shapes)), thetas)
    return tf.reshape((J[:n] - J[n:]) / (2 * tf.constant(epsilon, theta.dtype)), (-1, 1))


def gradient_check_cost(cost: Callable[[dict], tf.Tensor], parameters: Mapping, gradients: Mapping, epsilon=1e-7,
                        print_msg=False) -> float:
    """The two-sided check of `gradients` against the TF cost J(parameters): the relative difference."""
    gradapprox = gradapprox_of(cost, parameters, epsilon)
    grad = gradients_to_vector(gradients)
    if grad.shape != gradapprox.shape:
        raise ValueError(f"gradients hold {grad.shape[0]} values but parameters {gradapprox.shape[0]}")
    return _report(relative_difference(tf.cast(grad, gradapprox.dtype), gradapprox), print_msg)


def gradient_check_n(parameters: Mapping, gradients: Mapping, X, Y, epsilon=1e-7, print_msg=False) -> float:
    """The course's check for the 3-layer network, with J = `forward_propagation_n(X, Y, θ)[0]` in TF ops."""
    X, Y = _inputs(X, Y, parameters)
    return gradient_check_cost(lambda p: _forward_n(X, Y, p)[0], parameters, gradients, epsilon, print_msg)
