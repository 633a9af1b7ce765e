"""Vectorization (concept A6) on the TF side: one op instead of a loop, and the loop itself in a graph.

Mirrors `numpy_impl.vectorization` (same name = same arguments and results; TF returns tensors where NumPy
returns arrays, and a Python float where NumPy does):

| here                          | NumPy twin                                    |
|-------------------------------|-----------------------------------------------|
| `linear_loop`                 | `linear_loop` (the notes' loop, same order)   |
| `linear_vectorized`           | `linear_vectorized`                           |
| `linear_examples_vectorized`  | `linear_examples_vectorized` (and the loop)   |
| `exp_vectorized`              | `exp_vectorized` (and `exp_loop`)             |
| `outer_vectorized`            | `outer_vectorized` (and `outer_loop`)         |
| `basic_sigmoid`, `sigmoid`    | the same names (the course's Python-basics exercise, as all below) |
| `sigmoid_derivative`          | `sigmoid_derivative` (σ' by GradientTape here, s(1-s) there) |
| `image2vector`, `normalizeRows` | `image2vector`, `normalizeRows`             |
| `softmax` (row-wise), `L1`, `L2` | `softmax`, `L1`, `L2` (`L1`, `L2` are keras_impl.losses') |
| `keras_linear_examples`       | `linear_examples_vectorized` (by a Dense(1))  |
| `keras_softmax`               | `softmax` (row-wise: Keras's own layout)      |

Every function checks its inputs with `numpy_impl.validation` before any TF op runs, so a bad input gives
the NumPy twin's exception and message.

Part 1, TF ops: `tf.tensordot` / `tf.matmul` / `tf.exp` replace the loops, and `linear_loop` is the notes'
loop written with `tf.range` inside a `tf.function` (AutoGraph turns it into one `tf.while_loop`: the
loop runs in the graph, one element per iteration, adding in the same order as the Python loop). Nothing
is differentiated here except σ' (by GradientTape).
Part 2, Keras blocks: `Dense(1)` is the vectorized z = wᵀX + b over all examples, in Keras layout;
`keras.activations.softmax` normalises over the last axis, i.e. over each row, the exercise's softmax.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from keras_impl import convert
from keras_impl.losses import L1, L2
from numpy_impl.validation import (
    as_float_array,
    check_image,
    check_nonzero_rows,
    check_number,
    check_rows,
    check_vector,
    check_w_b_X,
    check_w_x_b,
)

# Which NumPy function (numpy_impl.vectorization, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "A6": {
        "linear_loop": "linear_loop",
        "linear_vectorized": "linear_vectorized",
        "linear_examples_vectorized": "linear_examples_vectorized",
        "exp_vectorized": "exp_vectorized",
        "outer_vectorized": "outer_vectorized",
        "basic_sigmoid": "basic_sigmoid",
        "sigmoid": "activations.sigmoid",
        "sigmoid_derivative": "activations.sigmoid_derivative",
        "image2vector": "image2vector",
        "normalizeRows": "normalizeRows",
        "softmax": "softmax",
        "keras_linear_examples": "linear_examples_vectorized",
        "keras_softmax": "softmax",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_linear_examples": (
        "Dense(1) computes x @ kernel + bias on inputs (m, n_x): with kernel = w and bias = [b] that is (wᵀX + b)ᵀ, "
        "the vectorized Z over m examples."
    ),
    "keras_softmax": (
        "keras.activations.softmax normalises over the last axis, which for the exercise's x (m, n) is each row: "
        "the exercise's row-wise softmax."
    ),
}

__all__ = ["L1", "L2", "basic_sigmoid", "exp_vectorized", "image2vector", "keras_linear_examples",
           "keras_softmax", "linear_examples_vectorized", "linear_loop", "linear_vectorized", "normalizeRows",
           "outer_vectorized", "sigmoid", "sigmoid_derivative", "softmax"]

# ---------------------------------------------------------------- part 1: TF ops and a tf.function loop


def _w_x_b(w, b, x):
    w, b, x = check_w_x_b(w, b, x)
    return tf.constant(w), tf.constant(b, dtype=w.dtype), tf.constant(x, dtype=w.dtype)


@tf.function
def _dot_loop(w, x):
    z = tf.zeros([], dtype=w.dtype)
    for i in tf.range(tf.shape(w)[0]):  # AutoGraph: a tf.while_loop, not n Python iterations
        z += w[i] * x[i]
    return z


def linear_loop(w, b, x) -> tf.Tensor:
    """z = wᵀx + b as the notes' loop (z = 0; z += w[i]·x[i] for i < n_x; z += b), run inside a tf.function.

    w, x (n_x,), b scalar -> z scalar, in w's dtype.
    """
    w, b, x = _w_x_b(w, b, x)
    return _dot_loop(w, x) + b


def linear_vectorized(w, b, x) -> tf.Tensor:
    """z = wᵀx + b = tf.tensordot(w, x, axes=1) + b.  w, x (n_x,), b scalar -> z scalar."""
    w, b, x = _w_x_b(w, b, x)
    return tf.tensordot(w, x, axes=1) + b


def linear_examples_vectorized(w, b, X) -> tf.Tensor:
    """Z = wᵀX + b = tf.matmul(w, X, transpose_a=True) + b.  w (n_x, 1), X (n_x, m), b scalar -> Z (1, m).

    `transpose_a` is the ᵀ of the formula itself (course layout throughout), not a layout change.
    """
    w, b, X = check_w_b_X(w, b, X)
    return tf.matmul(tf.constant(w), tf.constant(X, dtype=w.dtype), transpose_a=True) + tf.constant(b, w.dtype)


def exp_vectorized(v) -> tf.Tensor:
    """u = tf.exp(v), elementwise.  v (n,) -> u (n,) (inf where e^(v_i) overflows, as NumPy's)."""
    return tf.exp(tf.constant(check_vector(v, "v")))


def outer_vectorized(u, v) -> tf.Tensor:
    """u vᵀ = tf.tensordot(u, v, axes=0) (a tensor product, no summed axis).  u (n,), v (k,) -> (n, k)."""
    u, v = check_vector(u, "u"), check_vector(v, "v")
    return tf.tensordot(tf.constant(u), tf.constant(v, dtype=u.dtype), axes=0)


# ---------------------------------------------------------------- part 1: the course's Python-basics exercise


def basic_sigmoid(x) -> float:
    """s = σ(x) for one real number x with `tf.math.sigmoid` in float64 -> a Python float (as math.exp's).

    The NumPy twin uses the course's `1 / (1 + math.exp(-x))`; TF's sigmoid is the stable form of the same
    number (σ(-1000) = 0.0, no overflow). A list or an array is a TypeError: `sigmoid(x)` is the array version.
    """
    x = check_number(x, "x", array_version="sigmoid(x)")
    return float(tf.math.sigmoid(tf.constant(x, tf.float64)))


def sigmoid(x) -> tf.Tensor:
    """σ(x) = 1 / (1 + e^(-x)) elementwise, `tf.math.sigmoid`, on an array of any shape (ints become float64)."""
    return tf.math.sigmoid(tf.constant(as_float_array(x, "z")))


def sigmoid_derivative(x) -> tf.Tensor:
    """σ'(x) elementwise by GradientTape (autodiff of tf.math.sigmoid, no formula); the NumPy twin uses s(1-s)."""
    x = tf.constant(as_float_array(x, "z"))
    with tf.GradientTape() as tape:
        tape.watch(x)  # a constant tensor: the tape must be told to record it
        s = tf.math.sigmoid(x)
    return tape.gradient(s, x)


def image2vector(image) -> tf.Tensor:
    """`tf.reshape(image, (length·height·depth, 1))`: (length, height, depth) -> a column, depth fastest.

    tf.reshape reads the elements in the same row-major order as NumPy's reshape: a pure data movement.
    """
    image = check_image(image)
    length, height, depth = image.shape
    return tf.reshape(tf.constant(image), (length * height * depth, 1))


def normalizeRows(x) -> tf.Tensor:
    """Each row of x (m, n) divided by its L2 norm, in the NumPy twin's order: y = x / max|x_i|, y / ‖y‖.

    `tf.norm(y, axis=1)` is √(Σ y²); dividing by the row's largest |x| first keeps Σ y² from overflowing.
    """
    x = check_rows(x)
    check_nonzero_rows(x)
    x = tf.constant(x)
    y = x / tf.reduce_max(tf.abs(x), axis=1, keepdims=True)
    return y / tf.norm(y, axis=1, keepdims=True)


def softmax(x) -> tf.Tensor:
    """softmax over each row of x (m, n): `tf.nn.softmax(x, axis=1)`.  x (m, n) -> (m, n)."""
    return tf.nn.softmax(tf.constant(check_rows(x)), axis=1)


# ---------------------------------------------------------------- part 2: Keras blocks


def keras_linear_examples(w, b, X) -> tf.Tensor:
    """Z = wᵀX + b by a `keras.layers.Dense(1)`: Keras computes x @ kernel + bias on inputs (m, n_x).

    The logistic-regression w (n_x, 1) is W = wᵀ of a one-unit layer, so `kernel = W.T = w` as it is;
    `bias = [b]`. Inputs and outputs cross layouts through `keras_impl.convert`. The layer takes the
    current Keras dtype policy: create it (call this) inside the precision you compare in.
    w (n_x, 1), X (n_x, m), b scalar -> Z (1, m) in course layout.
    """
    w, b, X = check_w_b_X(w, b, X)
    layer = keras.layers.Dense(1)
    layer.build((None, w.shape[0]))
    layer.kernel.assign(tf.cast(w, layer.kernel.dtype))
    layer.bias.assign(tf.fill([1], tf.constant(b, dtype=layer.bias.dtype)))
    return convert.inputs_from_keras(layer(convert.inputs_to_keras(tf.constant(X, dtype=layer.kernel.dtype))))


def keras_softmax(x) -> tf.Tensor:
    """The exercise's row-wise softmax by `keras.activations.softmax` (axis=-1): rows are Keras's examples.

    No layout change: x (m, n) is already Keras layout (one example per row), so no convert is needed here,
    unlike the course-layout softmax of concept A8.
    """
    return keras.activations.softmax(tf.constant(check_rows(x)))
