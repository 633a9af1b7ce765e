"""Activation functions and their derivatives on the TF side (concepts A5, A8).

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

# ---------------------------------------------------------------- part 1: TF ops and GradientTape

LEAKY_ALPHA = 0.01  # the notes' "usual" leaky ReLU; Keras's own default negative_slope is 0.2


def leaky_relu(z: tf.Tensor, alpha: float = LEAKY_ALPHA) -> tf.Tensor:
    """z if z > 0 else alpha·z, with alpha in z's dtype.

    Not `tf.nn.leaky_relu`: its `alpha` is a float32 op attribute, so in float64 the slope becomes
    0.009999999776482582 (a relative error of 2.2e-8 on the negative side; the parity test shows it).
    Likewise `tf.cast(0.01, tf.float64)` first makes a float32 tensor; `tf.constant(alpha, dtype)` does not.
    """
    z = tf.convert_to_tensor(z)
    return tf.where(z > 0, z, tf.constant(alpha, dtype=z.dtype) * z)


TF_ACTIVATIONS: dict[str, Callable[[tf.Tensor], tf.Tensor]] = {
    "sigmoid": tf.math.sigmoid,
    "tanh": tf.math.tanh,
    "relu": tf.nn.relu,
    "leaky_relu": leaky_relu,
    "softmax": lambda z: tf.nn.softmax(z, axis=0),  # course layout: classes along axis 0
}


def activation(name: str) -> Callable[[tf.Tensor], tf.Tensor]:
    """The TF op for `name` (sigmoid, tanh, relu, leaky_relu, softmax) in course layout."""
    try:
        return TF_ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(TF_ACTIVATIONS)}") from None


def backward_by_tape(name: str, dA, Z) -> tf.Tensor:
    """dZ = (∂A/∂Z)ᵀ dA for A = g(Z), by GradientTape (the vector-Jacobian product autodiff computes)."""
    Z = tf.convert_to_tensor(Z)
    dA = tf.convert_to_tensor(dA, dtype=Z.dtype)
    if dA.shape != Z.shape:
        raise ValueError(f"dA and Z must have the same shape, got {dA.shape} and {Z.shape}")
    with tf.GradientTape() as tape:
        tape.watch(Z)  # Z is a constant tensor, not a Variable: the tape must be told to record it
        A = activation(name)(Z)
    return tape.gradient(A, Z, output_gradients=dA)


def derivative_by_tape(name: str, Z) -> tf.Tensor:
    """g'(Z) of an elementwise activation by GradientTape: the gradient of Σ g(Z) with respect to Z."""
    if name == "softmax":
        raise ValueError("softmax is not elementwise: use backward_by_tape with an upstream gradient dA")
    return backward_by_tape(name, tf.ones_like(tf.convert_to_tensor(Z)), Z)


# ---------------------------------------------------------------- part 2: keras.activations

def keras_activation(name: str, Z) -> tf.Tensor:
    """`keras.activations.<name>` applied to course-layout `Z (n, m)`, returned in course layout."""
    x = convert.inputs_to_keras(Z)  # (m, n): examples along axis 0, as Keras expects
    if name == "leaky_relu":
        # runs tf.nn.leaky_relu: the slope is rounded to float32 even in float64 (see leaky_relu above)
        a = keras.activations.leaky_relu(x, negative_slope=LEAKY_ALPHA)
    elif name in TF_ACTIVATIONS:
        a = keras.activations.get(name)(x)  # softmax: axis=-1, i.e. over the classes of each example
    else:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(TF_ACTIVATIONS)}")
    return convert.inputs_from_keras(a)
