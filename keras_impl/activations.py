"""Activation functions and their derivatives on the TF side (concepts A5, A8).

Mirrors `numpy_impl.activations` (tensors where NumPy returns arrays):

| here                                   | NumPy twin                                                  |
|----------------------------------------|-------------------------------------------------------------|
| `activation(name)(Z)`                  | `sigmoid`, `tanh`, `relu`, `leaky_relu`, `softmax(z, axis=0)` |
| `leaky_relu(z, alpha)`                 | `leaky_relu(z, alpha)`                                      |
| `backward_by_tape(name, dA, Z)`        | `<name>_backward(dA, Z)` (dZ = dA·g'(Z), softmax: the VJP)   |
| `derivative_by_tape(name, Z)`          | `<name>_derivative(Z)` (sigmoid_derivative, tanh_derivative, ...) |
| `keras_activation(name, Z)`            | the same forward, through `keras.activations` in Keras layout |

On concrete values (eagerly) every function checks its inputs with `numpy_impl.validation` before any op
runs, so a bad input raises the NumPy twin's exception with its message (softmax: z must be finite; a
column holding inf would otherwise be all NaN). Inside a tf.function (deep_network's graphs) the ops run as
they are: their callers have checked.

Part 1, tape: the TF ops in course layout, and derivatives taken by `tf.GradientTape` (autodiff, no
hand-written formula). Part 2, Keras: `keras.activations.*`, which work on Keras layout `(m, n)`
(elementwise activations do not care; softmax normalises over the last axis, so course-layout input goes
through `keras_impl.convert`).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from keras_impl import convert
from numpy_impl.validation import as_float_array, check_dA_Z, check_finite

# Which NumPy function (numpy_impl.activations, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "A5": {
        "derivative_by_tape": "sigmoid_derivative",
    },
    "A8": {
        "activation": "relu",
        "leaky_relu": "leaky_relu",
        "backward_by_tape": "relu_backward",
        "keras_activation": "tanh",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_activation": (
        "keras.activations.<name> on Keras layout (m, n): the notes' g(Z) for sigmoid, tanh, relu, leaky_relu (its "
        "slope a float32 op attribute, so float32(0.01) in float64 too) and softmax over the last axis, which is "
        "axis 0 of course layout."
    ),
}

# ---------------------------------------------------------------- part 1: TF ops and GradientTape

LEAKY_ALPHA = 0.01  # the notes' "usual" leaky ReLU; Keras's own default negative_slope is 0.2


def leaky_relu(z: tf.Tensor, alpha: float = LEAKY_ALPHA) -> tf.Tensor:
    """z if z > 0 else alpha·z, with alpha in z's dtype.

    Not `tf.nn.leaky_relu`: its `alpha` is a float32 op attribute, so in float64 the slope becomes
    0.009999999776482582 (a relative error of 2.2e-8 on the negative side; the parity test shows it).
    Likewise `tf.cast(0.01, tf.float64)` first makes a float32 tensor; `tf.constant(alpha, dtype)` does not.
    """
    z = _z(z)
    return tf.where(z > 0, z, tf.constant(alpha, dtype=z.dtype) * z)


def _z(z, finite: bool = False) -> tf.Tensor:
    """z as a tensor; on a concrete value first the NumPy twin's checks (numeric, real; finite for softmax)."""
    if tf.executing_eagerly():
        value = as_float_array(z, "z")
        if finite:
            check_finite(value, "z")
        return z if tf.is_tensor(z) and z.dtype.is_floating else tf.constant(value)
    return tf.convert_to_tensor(z)


def _softmax(z) -> tf.Tensor:
    return tf.nn.softmax(_z(z, finite=True), axis=0)  # course layout: classes along axis 0


TF_ACTIVATIONS: dict[str, Callable[[tf.Tensor], tf.Tensor]] = {
    "sigmoid": lambda z: tf.math.sigmoid(_z(z)),
    "tanh": lambda z: tf.math.tanh(_z(z)),
    "relu": lambda z: tf.nn.relu(_z(z)),
    "leaky_relu": leaky_relu,
    "softmax": _softmax,
}


def activation(name: str) -> Callable[[tf.Tensor], tf.Tensor]:
    """The TF op for `name` (sigmoid, tanh, relu, leaky_relu, softmax) in course layout, input-checked eagerly."""
    try:
        return TF_ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(TF_ACTIVATIONS)}") from None


def backward_by_tape(name: str, dA, Z) -> tf.Tensor:
    """dZ = (∂A/∂Z)ᵀ dA for A = g(Z), by GradientTape (the vector-Jacobian product autodiff computes)."""
    op = activation(name)
    dA, Z_value = check_dA_Z(dA, Z)
    Z = Z if tf.is_tensor(Z) and Z.dtype.is_floating else tf.constant(Z_value)
    dA = tf.constant(dA, dtype=Z.dtype)
    with tf.GradientTape() as tape:
        tape.watch(Z)  # Z is a constant tensor, not a Variable: the tape must be told to record it
        A = op(Z)
    return tape.gradient(A, Z, output_gradients=dA)


def derivative_by_tape(name: str, Z) -> tf.Tensor:
    """g'(Z) of an elementwise activation by GradientTape: the gradient of Σ g(Z) with respect to Z."""
    activation(name)
    if name == "softmax":
        raise ValueError("softmax is not elementwise: use backward_by_tape with an upstream gradient dA")
    Z = _z(Z)
    return backward_by_tape(name, tf.ones_like(Z), Z)


# ---------------------------------------------------------------- part 2: keras.activations

def keras_activation(name: str, Z) -> tf.Tensor:
    """`keras.activations.<name>` applied to course-layout `Z (n, m)`, returned in course layout."""
    activation(name)
    x = convert.inputs_to_keras(_z(Z, finite=name == "softmax"))  # (m, n): examples along axis 0, as Keras expects
    if name == "leaky_relu":
        # runs tf.nn.leaky_relu: the slope is rounded to float32 even in float64 (see leaky_relu above)
        a = keras.activations.leaky_relu(x, negative_slope=LEAKY_ALPHA)
    else:
        a = keras.activations.get(name)(x)  # softmax: axis=-1, i.e. over the classes of each example
    return convert.inputs_from_keras(a)
