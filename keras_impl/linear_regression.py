"""Linear regression as a one-neuron network on the TF side (concept A1): Ŷ = W X + b, J = 1/(2m) Σ (Ŷ - Y)².

Mirrors `numpy_impl.linear_regression` (same name = same arguments and results; tf.Variables and tensors where
NumPy has arrays):

| here                                  | NumPy twin                                               |
|---------------------------------------|----------------------------------------------------------|
| `forward(W, b, X)`                    | `forward`                                                |
| `compute_cost(Y_hat, Y)`              | `compute_cost`                                           |
| `propagate(W, b, X, Y)`               | `propagate` (dW, db by GradientTape)                     |
| `optimize(W, b, X, Y, ...)`           | `optimize` (W, b updated in place, one tf.function loop) |
| `cost(W, b, X, Y)`, `gd_step`         | `compute_cost(forward(W, b, X), Y)`, one step of `optimize` |
| `KerasLinearRegression`               | `propagate`/`optimize` with Keras blocks                 |

Inputs are checked with `numpy_impl.validation` (the NumPy twin's checks, before anything is traced): a bad
input raises the same exception with the same message; X and Y are then cast to W's dtype. Course parameters
become variables through `keras_impl.convert.to_variables({"W": W, "b": b})`.

Part 1, `tf.Variable` + `GradientTape`, in course layout (W (1, n_x), b (1, 1), X (n_x, m), Y (1, m)), the
backward pass by autodiff.

Part 2, Keras blocks: `Dense(1)` (no activation) + `MeanSquaredError` + `keras_sgd`. The one convention that
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
from keras_impl.optimization import keras_sgd
from numpy_impl.validation import (
    check_count,
    check_learning_rate,
    check_training_finite,
    check_W_b_row,
    check_X,
    check_Y,
)

# Which NumPy function (numpy_impl.linear_regression, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "A1": {
        "forward": "forward",
        "compute_cost": "compute_cost",
        "cost": "compute_cost",
        "propagate": "propagate",
        "gd_step": "optimize",
        "optimize": "optimize",
        "keras_learning_rate": None,
        "course_cost": "compute_cost",
        "KerasLinearRegression": "optimize",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "KerasLinearRegression": (
        "Dense(1) is Ŷ = W X + b with kernel = Wᵀ and bias = b; MeanSquaredError is 1/m Σ (ŷ - y)² = 2J, so its "
        "gradients are 2·dW, 2·db and SGD(α/2) (keras_learning_rate) takes the course step W := W - α dW."
    ),
}

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def _data(W, b, X, Y=None):
    """The NumPy twin's checks on W, b, X [and Y], then X [and Y] as tensors in W's dtype."""
    W_value, _ = check_W_b_row(W, b)
    X = check_X(X, n_x=W_value.shape[1])
    dtype = W.dtype if tf.is_tensor(W) or isinstance(W, tf.Variable) else W_value.dtype
    if Y is None:
        return tf.constant(X, dtype=dtype)
    Y = check_Y(Y, m=X.shape[1], n_y=1)
    return tf.constant(X, dtype=dtype), tf.constant(Y, dtype=dtype)


def forward(W, b, X) -> tf.Tensor:
    """Ŷ = W X + b = tf.matmul(W, X) + b.  W (1, n_x), b (1, 1), X (n_x, m) -> Ŷ (1, m)."""
    X = _data(W, b, X)
    return tf.matmul(W, X) + b


def compute_cost(Y_hat, Y) -> tf.Tensor:
    """J = 1/(2m) Σ (Ŷ - Y)².  Ŷ, Y (1, m) -> scalar (checked as the NumPy twin checks them)."""
    m = np.shape(Y_hat)[-1] if np.ndim(Y_hat) else 0
    Y_hat = check_Y(Y_hat, m=m, n_y=1, name="Y_hat")
    Y = check_Y(Y, m=m, n_y=1)
    Y_hat = tf.constant(Y_hat)
    return tf.reduce_sum(tf.square(Y_hat - tf.constant(Y, Y_hat.dtype))) / (2 * tf.cast(m, Y_hat.dtype))


def cost(W, b, X, Y) -> tf.Tensor:
    """J = 1/(2m) Σ (W X + b - Y)².  W (1, n_x), b (1, 1), X (n_x, m), Y (1, m) -> scalar.

    Called eagerly, it checks its inputs as `propagate` does; inside a tf.function its callers have.
    """
    if tf.executing_eagerly():
        X, Y = _data(W, b, X, Y)
    m = tf.cast(tf.shape(X)[1], X.dtype)
    return tf.reduce_sum(tf.square(tf.matmul(W, X) + b - Y)) / (2 * m)


def _propagate(W, b, X, Y):
    with tf.GradientTape() as tape:
        J = cost(W, b, X, Y)
    dW, db = tape.gradient(J, [W, b])
    return {"dW": dW, "db": db}, J


def propagate(W: tf.Variable, b: tf.Variable, X, Y) -> tuple[dict, tf.Tensor]:
    """The cost J and, by GradientTape, dW = ∂J/∂W (1, n_x), db = ∂J/∂b (1, 1) -> (grads, cost)."""
    return _propagate(W, b, *_data(W, b, X, Y))


def gd_step(W: tf.Variable, b: tf.Variable, X, Y, learning_rate) -> tuple[dict, tf.Tensor]:
    """One gradient-descent step in place, W -= α dW, b -= α db; returns the grads and cost before it."""
    X, Y = _data(W, b, X, Y)
    check_learning_rate(learning_rate)
    grads, J = _propagate(W, b, X, Y)
    alpha = tf.constant(learning_rate, dtype=W.dtype)  # not tf.cast: that rounds a float64 α through float32
    W.assign_sub(alpha * grads["dW"])
    b.assign_sub(alpha * grads["db"])
    return grads, J


@tf.function
def _gd_loop(W, b, X, Y, num_iterations, alpha, record_every):
    costs = tf.TensorArray(X.dtype, size=0, dynamic_size=True)
    dW, db = tf.zeros_like(W), tf.zeros_like(b)
    stopped, J = tf.constant(-1), tf.zeros([], X.dtype)
    for i in tf.range(num_iterations):
        grads, J = _propagate(W, b, X, Y)
        dW, db = grads["dW"], grads["db"]
        W.assign_sub(alpha * dW)
        b.assign_sub(alpha * db)
        if i % record_every == 0:
            costs = costs.write(costs.size(), J)
        finite = tf.logical_and(tf.math.is_finite(J), tf.reduce_all(tf.math.is_finite(W)))
        if tf.logical_not(tf.logical_and(finite, tf.reduce_all(tf.math.is_finite(b)))):
            stopped = i
            break
    return dW, db, costs.stack(), stopped, J


def optimize(W: tf.Variable, b: tf.Variable, X, Y, num_iterations: int = 100, learning_rate: float = 0.1,
             record_every: int = 1) -> tuple[dict, dict, list]:
    """`num_iterations` gradient-descent steps in one `tf.function` loop (W and b updated in place).

    -> params {"W", "b"} (NumPy copies), grads {"dW", "db"} of the last iteration (before its update), and the
    costs at iterations 0, record_every, ... (each before that iteration's update), as the NumPy twin returns
    them. A diverging run stops with the twin's FloatingPointError at the first non-finite cost, W or b.
    """
    X, Y = _data(W, b, X, Y)
    num_iterations = check_count(num_iterations, "num_iterations")
    record_every = check_count(record_every, "record_every")
    check_learning_rate(learning_rate)
    dW, db, costs, stopped, J = _gd_loop(W, b, X, Y, tf.constant(num_iterations),
                                         tf.constant(learning_rate, dtype=W.dtype), tf.constant(record_every))
    if int(stopped) >= 0:
        check_training_finite(int(stopped), learning_rate, cost=J.numpy(), W=W.numpy(), b=b.numpy())
    return {"W": W.numpy(), "b": b.numpy()}, {"dW": dW.numpy(), "db": db.numpy()}, list(costs.numpy())


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
        W, b = check_W_b_row(W, b)
        check_learning_rate(learning_rate)
        self.dtype = keras.config.floatx()
        self.n_x = W.shape[1]
        self.model = keras.Sequential([keras.Input((self.n_x,), dtype=self.dtype), keras.layers.Dense(1)])
        convert.set_dense_weights(self.model, {"W1": W, "b1": b})
        self.loss = keras.losses.MeanSquaredError(dtype=self.dtype)
        self.optimizer = keras_sgd(keras_learning_rate(learning_rate) if map_learning_rate else learning_rate)
        self.optimizer.build(self.model.trainable_variables)  # its variables exist before any tf.function
        self._train = tf.function(self._train_loop)

    def _inputs(self, X, Y):
        """Course X (n_x, m), Y (1, m) -> Keras inputs (m, n_x), targets (m, 1), in floatx (checked as NumPy does)."""
        X = check_X(X, n_x=self.n_x)
        Y = check_Y(Y, m=X.shape[1], n_y=1)
        return (convert.inputs_to_keras(tf.constant(X, self.dtype)),
                convert.labels_to_keras(tf.constant(Y, self.dtype)))

    def _mse_and_grads(self, x, y):
        with tf.GradientTape() as tape:
            mse = self.loss(y, self.model(x, training=True))
        return mse, tape.gradient(mse, self.model.trainable_variables)

    def parameters(self) -> dict:
        """{"W": kernelᵀ (1, n_x), "b": bias (1, 1)} as NumPy values: the course parameters."""
        p = convert.dense_weights_to_parameters(self.model)
        return {"W": p["W1"], "b": p["b1"]}

    def propagate(self, X, Y) -> tuple[dict, tf.Tensor]:
        """Keras's MSE and gradients, mapped to the course as `propagate` returns them:
        -> grads {"dW": ∇_W MSE / 2, "db": ∇_b MSE / 2}, J = MSE / 2."""
        mse, grads = self._mse_and_grads(*self._inputs(X, Y))
        g = convert.dense_grads_to_course(grads, self.model)
        return {"dW": g["dW1"] / 2, "db": g["db1"] / 2}, course_cost(mse)

    def mse(self, X, Y) -> tf.Tensor:
        """Keras's own loss value, MSE = 1/m Σ (ŷ - y)² = 2J, unmapped."""
        return self._mse_and_grads(*self._inputs(X, Y))[0]

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
        x, y = self._inputs(X, Y)
        return self._train(x, y, tf.constant(check_count(num_iterations, "num_iterations"))).numpy()
