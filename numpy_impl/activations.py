"""Activation functions g(z) and their derivatives g'(z), forward and backward (concepts A5, A8).

Elementwise on arrays of any shape; softmax normalises over `axis` (0 = over the rows of a course-layout
`Z (n_y, m)`, i.e. per example). float32 inputs stay float32. Backward helpers take the upstream
gradient `dA` and the cached `Z` and return `dZ = dA * g'(Z)` (softmax: the vector-Jacobian product).
"""

from __future__ import annotations

import numpy as np

from numpy_impl.validation import as_float_array, check_dA_Z, check_finite


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)), computed without overflow for any finite z.

    For z >= 0 it evaluates 1/(1+e^(-z)); for z < 0 the equal form e^z/(1+e^z). Both only ever
    exponentiate -|z| <= 0, so z = ±1e3 gives 1.0 / 0.0 with no overflow warning (the naive formula
    warns at z = -1e3 because e^(1000) overflows).
    """
    z = as_float_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(x):
    """σ'(x) = σ(x)(1 - σ(x)), the notes' chain-rule result (course name and argument)."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(z):
    """tanh(z) = (e^z - e^(-z)) / (e^z + e^(-z))."""
    return np.tanh(as_float_array(z, "z"))


def tanh_derivative(z):
    """tanh'(z) = 1 - tanh(z)²  (the notes' g'(z) = 1 - g(z)²)."""
    a = tanh(z)
    return 1 - a**2


def relu(z):
    """ReLU(z) = max(0, z)."""
    z = as_float_array(z, "z")
    return np.maximum(z, 0)


def relu_derivative(z):
    """ReLU'(z) = 1 if z > 0 else 0 (the notes' "0/1"; 0 is taken at z = 0, as TensorFlow does)."""
    z = as_float_array(z, "z")
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha: float = 0.01):
    """Leaky ReLU(z) = z if z > 0 else alpha·z."""
    z = as_float_array(z, "z")
    return np.where(z > 0, z, z * z.dtype.type(alpha))


def leaky_relu_derivative(z, alpha: float = 0.01):
    """Leaky ReLU'(z) = 1 if z > 0 else alpha (alpha at z = 0, as `tf.nn.leaky_relu`)."""
    z = as_float_array(z, "z")
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(alpha))


def softmax(z, axis: int = 0):
    """softmax(z) = e^z / Σ e^z along `axis` (0: per example, for course-layout `Z (n_y, m)`).

    The maximum along `axis` is subtracted first (t = e^(z - max z)): the result is unchanged and
    e^(...) never overflows. z must be finite: with an inf in a column, z - max z is inf - inf = NaN, and
    the whole column would silently become NaN.
    """
    z = as_float_array(z, "z")
    check_finite(z, "z")
    t = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return t / np.sum(t, axis=axis, keepdims=True)


def _backward_args(dA, Z):
    return check_dA_Z(dA, Z)


def sigmoid_backward(dA, Z):
    """dZ = dA · σ(Z)(1 - σ(Z)).  dA, Z (n_l, m) -> dZ (n_l, m)."""
    dA, Z = _backward_args(dA, Z)
    return dA * sigmoid_derivative(Z)


def tanh_backward(dA, Z):
    """dZ = dA · (1 - tanh(Z)²).  dA, Z (n_l, m) -> dZ (n_l, m)."""
    dA, Z = _backward_args(dA, Z)
    return dA * tanh_derivative(Z)


def relu_backward(dA, Z):
    """dZ = dA where Z > 0, else 0.  dA, Z (n_l, m) -> dZ (n_l, m)."""
    dA, Z = _backward_args(dA, Z)
    return np.where(Z > 0, dA, Z.dtype.type(0))


def leaky_relu_backward(dA, Z, alpha: float = 0.01):
    """dZ = dA where Z > 0, else alpha·dA.  dA, Z (n_l, m) -> dZ (n_l, m)."""
    dA, Z = _backward_args(dA, Z)
    return dA * leaky_relu_derivative(Z, alpha)


def softmax_backward(dA, Z, axis: int = 0):
    """dZ = A ⊙ (dA - Σ_axis dA ⊙ A) with A = softmax(Z): the softmax Jacobian applied to dA."""
    dA, Z = _backward_args(dA, Z)
    A = softmax(Z, axis=axis)
    return A * (dA - np.sum(dA * A, axis=axis, keepdims=True))
