"""Vectorization (concept A6) on the TF side: one op instead of a loop, and the loop itself in a graph.

Part 1, TF ops: `tf.tensordot` / `tf.matmul` / `tf.exp` replace the loops, and `linear_loop` is the notes'
loop written with `tf.range` inside a `tf.function` (AutoGraph turns it into one `tf.while_loop`: the
loop runs in the graph, one element per iteration, adding in the same order as the Python loop). Nothing
is differentiated here, so no tape is needed.
Part 2, Keras blocks: `Dense(1)` is the vectorized z = wᵀX + b over all examples, in Keras layout.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from keras_impl import convert

# ---------------------------------------------------------------- part 1: TF ops and a tf.function loop


def _w_x_b(w, b, x):
    w = tf.convert_to_tensor(w)
    x = tf.convert_to_tensor(x, dtype=w.dtype)
    if w.shape.rank != 1 or w.shape != x.shape:
        raise ValueError(f"w and x must be vectors of the same shape (n_x,), got {w.shape} and {x.shape}")
    return w, tf.constant(b, dtype=w.dtype), x


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
    w = tf.convert_to_tensor(w)
    X = tf.convert_to_tensor(X, dtype=w.dtype)
    if w.shape.rank != 2 or w.shape[1] != 1 or X.shape.rank != 2 or X.shape[0] != w.shape[0]:
        raise ValueError(f"expected w (n_x, 1) and X (n_x, m), got w {w.shape} and X {X.shape}")
    return tf.matmul(w, X, transpose_a=True) + tf.constant(b, dtype=w.dtype)


def exp_vectorized(v) -> tf.Tensor:
    """u = tf.exp(v), elementwise.  v (n,) -> u (n,)."""
    return tf.exp(tf.convert_to_tensor(v))


def outer_vectorized(u, v) -> tf.Tensor:
    """u vᵀ = tf.tensordot(u, v, axes=0) (a tensor product, no summed axis).  u (n,), v (k,) -> (n, k)."""
    u = tf.convert_to_tensor(u)
    return tf.tensordot(u, tf.convert_to_tensor(v, dtype=u.dtype), axes=0)


# ---------------------------------------------------------------- part 2: Keras blocks


def keras_linear_examples(w, b, X) -> tf.Tensor:
    """Z = wᵀX + b by a `keras.layers.Dense(1)`: Keras computes x @ kernel + bias on inputs (m, n_x).

    The logistic-regression w (n_x, 1) is W = wᵀ of a one-unit layer, so `kernel = W.T = w` as it is;
    `bias = [b]`. Inputs and outputs cross layouts through `keras_impl.convert`. The layer takes the
    current Keras dtype policy: create it (call this) inside the precision you compare in.
    w (n_x, 1), X (n_x, m), b scalar -> Z (1, m) in course layout.
    """
    w = tf.convert_to_tensor(w)
    if w.shape.rank != 2 or w.shape[1] != 1:
        raise ValueError(f"w must be a column (n_x, 1), got shape {w.shape}")
    layer = keras.layers.Dense(1)
    layer.build((None, w.shape[0]))
    layer.kernel.assign(tf.cast(w, layer.kernel.dtype))
    layer.bias.assign(tf.fill([1], tf.constant(b, dtype=layer.bias.dtype)))
    return convert.inputs_from_keras(layer(convert.inputs_to_keras(X)))
