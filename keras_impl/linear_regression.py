"""Linear regression as a one-neuron network on the TF side (concept A1): Ŷ = W X + b, J = 1/(2m) Σ (Ŷ - Y)².

Part 1, `tf.Variable` + `GradientTape`, in course layout (W (1, n_x), b (1, 1), X (n_x, m), Y (1, m)): the
same functions as `numpy_impl.linear_regression` (`cost`, `propagate`, `gd_step`, `optimize`), the
backward pass by autodiff.

Part 2, Keras blocks: `Dense(1)` (no activation) + `MeanSquaredError` + `SGD`. The one convention that
differs is the 1/2: Keras's MSE = 1/m Σ (ŷ - y)² = 2J, so its gradients are 2·dW and 2·db. The mapping,
in code below: the course cost is `mse / 2`, the course gradients are the Keras gradients / 2, and
`SGD(learning_rate=α/2)` on MSE takes exactly the course step `W -= α dW` (halving is exact in floating
point, so the mapping adds no rounding).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def to_variables(W, b, dtype=None) -> tuple[tf.Variable, tf.Variable]:
    """Course parameters W (1, n_x), b (1, 1) as `tf.Variable`s in `dtype` (default: Keras's floatx)."""
    dtype = dtype or keras.config.floatx()
    W, b = tf.convert_to_tensor(np.asarray(W), dtype=dtype), tf.convert_to_tensor(np.asarray(b), dtype=dtype)
    if W.shape.rank != 2 or W.shape[0] != 1:
        raise ValueError(f"W must be a row of shape (1, n_x) (one neuron), got shape {tuple(W.shape)}")
    if tuple(b.shape) != (1, 1):
        raise ValueError(f"b must have shape (1, 1), got {tuple(b.shape)}")
    return tf.Variable(W, name="W"), tf.Variable(b, name="b")


def _data(W: tf.Variable, X, Y):
    X, Y = tf.convert_to_tensor(X, dtype=W.dtype), tf.convert_to_tensor(Y, dtype=W.dtype)
    if X.shape.rank != 2 or X.shape[0] != W.shape[1]:
        hint = " (it looks like (m, n_x): pass X.T)" if X.shape.rank == 2 and X.shape[1] == W.shape[1] else ""
        raise ValueError(f"X must have shape (n_x, m) with n_x = {W.shape[1]}, got {tuple(X.shape)}{hint}")
    if tuple(Y.shape) != (1, X.shape[1]):
        raise ValueError(f"Y must have shape (1, m) = (1, {X.shape[1]}), got {tuple(Y.shape)}")
    return X, Y


def cost(W, b, X, Y) -> tf.Tensor:
    """J = 1/(2m) Σ (W X + b - Y)².  W (1, n_x), b (1, 1), X (n_x, m), Y (1, m) -> scalar."""
    m = tf.cast(tf.shape(X)[1], X.dtype)
    return tf.reduce_sum(tf.square(tf.matmul(W, X) + b - Y)) / (2 * m)


def _propagate(W, b, X, Y):
    with tf.GradientTape() as tape:
        J = cost(W, b, X, Y)
    dW, db = tape.gradient(J, [W, b])
    return {"dW": dW, "db": db}, J


def propagate(W: tf.Variable, b: tf.Variable, X, Y) -> tuple[dict, tf.Tensor]:
    """The cost J and, by GradientTape, dW = ∂J/∂W (1, n_x), db = ∂J/∂b (1, 1) -> (grads, cost)."""
    return _propagate(W, b, *_data(W, X, Y))


def gd_step(W: tf.Variable, b: tf.Variable, X, Y, learning_rate) -> tuple[dict, tf.Tensor]:
    """One gradient-descent step in place, W -= α dW, b -= α db; returns the grads and cost before it."""
    X, Y = _data(W, X, Y)
    grads, J = _propagate(W, b, X, Y)
    alpha = tf.constant(learning_rate, dtype=W.dtype)  # not tf.cast: that rounds a float64 α through float32
    W.assign_sub(alpha * grads["dW"])
    b.assign_sub(alpha * grads["db"])
    return grads, J


@tf.function
def _gd_loop(W, b, X, Y, num_iterations, alpha):
    costs = tf.TensorArray(X.dtype, size=num_iterations)
    for i in tf.range(num_iterations):
        grads, J = _propagate(W, b, X, Y)
        W.assign_sub(alpha * grads["dW"])
        b.assign_sub(alpha * grads["db"])
        costs = costs.write(i, J)
    return costs.stack()


def optimize(W: tf.Variable, b: tf.Variable, X, Y, num_iterations: int = 100,
             learning_rate: float = 0.1) -> tuple[dict, np.ndarray]:
    """`num_iterations` gradient-descent steps in one `tf.function` loop (W and b updated in place).

    -> params {"W", "b"} (NumPy copies) and the cost before every step.
    """
    if isinstance(num_iterations, bool) or not isinstance(num_iterations, int | np.integer) or num_iterations < 1:
        raise ValueError(f"num_iterations must be a positive integer, got {num_iterations!r}")
    X, Y = _data(W, X, Y)
    costs = _gd_loop(W, b, X, Y, tf.constant(num_iterations), tf.constant(learning_rate, dtype=W.dtype))
    return {"W": W.numpy(), "b": b.numpy()}, costs.numpy()


# ---------------------------------------------------------------- part 2: Keras blocks


def keras_learning_rate(learning_rate: float) -> np.float64:
    """The SGD learning rate on Keras's MSE that takes the course step with α: α/2.

    MSE = 2J, so ∇MSE = 2∇J and (α/2)·∇MSE = α∇J; halving is exact, so no rounding is added. Returned as
    `np.float64` (docs/traps.md, trap 1; plain SGD keeps a float64 learning rate exactly in floatx float64).
    """
    return np.float64(learning_rate) / 2


def course_cost(mse):
    """J = MSE / 2: the course's 1/(2m) Σ (ŷ - y)² from Keras's 1/m Σ (ŷ - y)²."""
    return mse / 2


class KerasLinearRegression:
    """`Dense(1)` + `MeanSquaredError` + `SGD`, started from course W (1, n_x), b (1, 1).

    Layout through `keras_impl.convert`: kernel = Wᵀ (n_x, 1), bias = b[:, 0], inputs Xᵀ, targets Yᵀ.
    With `map_learning_rate=True` (default) the optimizer is `SGD(keras_learning_rate(α)) = SGD(α/2)`, so
    one full-batch step is one course step. `map_learning_rate=False` is `SGD(α)` as one would write it
    without thinking of the 1/2: that is course gradient descent with 2α.
    """

    def __init__(self, W, b, learning_rate: float, map_learning_rate: bool = True):
        self.dtype = keras.config.floatx()
        n_x = np.shape(W)[1] if np.ndim(W) == 2 else None
        if n_x is None or np.shape(W)[0] != 1:
            raise ValueError(f"W must be a row of shape (1, n_x) (one neuron), got shape {np.shape(W)}")
        self.n_x = n_x
        self.model = keras.Sequential([keras.Input((n_x,)), keras.layers.Dense(1)])
        convert.set_dense_weights(self.model, {"W1": W, "b1": b})
        self.loss = keras.losses.MeanSquaredError(dtype=self.dtype)
        lr = keras_learning_rate(learning_rate) if map_learning_rate else np.float64(learning_rate)
        self.optimizer = keras.optimizers.SGD(learning_rate=lr)
        self.optimizer.build(self.model.trainable_variables)  # its variables exist before any tf.function
        self._train = tf.function(self._train_loop)

    def _inputs(self, X, Y):
        """Course X (n_x, m), Y (1, m) -> Keras inputs (m, n_x), targets (m, 1), in floatx."""
        X, Y = tf.convert_to_tensor(X, dtype=self.dtype), tf.convert_to_tensor(Y, dtype=self.dtype)
        if X.shape.rank != 2 or X.shape[0] != self.n_x:
            raise ValueError(f"X must have shape (n_x, m) with n_x = {self.n_x} (course layout), got {tuple(X.shape)}")
        if tuple(Y.shape) != (1, X.shape[1]):
            raise ValueError(f"Y must have shape (1, m) = (1, {X.shape[1]}), got {tuple(Y.shape)}")
        return convert.inputs_to_keras(X), convert.labels_to_keras(Y)

    def _mse_and_grads(self, x, y):
        with tf.GradientTape() as tape:
            mse = self.loss(y, self.model(x, training=True))
        return mse, tape.gradient(mse, self.model.trainable_variables)

    def parameters(self) -> dict:
        """{"W": kernelᵀ (1, n_x), "b": bias (1, 1)} as NumPy values: the course parameters."""
        p = convert.dense_weights_to_parameters(self.model)
        return {"W": p["W1"], "b": p["b1"]}

    def propagate(self, X, Y) -> tuple[dict, tf.Tensor, tf.Tensor]:
        """Keras's MSE and gradients, mapped to the course: -> grads {"dW": ∇_W MSE / 2, "db": ∇_b MSE / 2},
        J = MSE / 2, and the raw MSE."""
        mse, grads = self._mse_and_grads(*self._inputs(X, Y))
        g = convert.dense_grads_to_course(grads, self.model)
        return {"dW": g["dW1"] / 2, "db": g["db1"] / 2}, course_cost(mse), mse

    def step(self, X, Y) -> tf.Tensor:
        """One full-batch SGD step, eagerly (no tracing). Returns the course cost J = MSE/2 before it."""
        mse, grads = self._mse_and_grads(*self._inputs(X, Y))
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
        return course_cost(mse)

    def _train_loop(self, x, y, num_iterations):
        costs = tf.TensorArray(x.dtype, size=num_iterations)
        for i in tf.range(num_iterations):
            mse, grads = self._mse_and_grads(x, y)
            self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
            costs = costs.write(i, course_cost(mse))
        return costs.stack()

    def fit(self, X, Y, num_iterations: int) -> np.ndarray:
        """`num_iterations` full-batch SGD steps (a `tf.function` loop) -> the course cost J before each step."""
        if isinstance(num_iterations, bool) or not isinstance(num_iterations, int | np.integer) or num_iterations < 1:
            raise ValueError(f"num_iterations must be a positive integer, got {num_iterations!r}")
        return self._train(*self._inputs(X, Y), tf.constant(num_iterations)).numpy()
