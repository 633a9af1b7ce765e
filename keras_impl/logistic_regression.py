"""Logistic regression on the TF side (concept A4): ŷ = σ(wᵀx + b), J = 1/m Σ L(a, y), gradient descent.

Mirrors `numpy_impl.logistic_regression` (same name = same arguments and results; TF variables and tensors
where NumPy has arrays):

| here                                   | NumPy twin                                                   |
|----------------------------------------|--------------------------------------------------------------|
| `initialize_with_zeros(dim)`           | `initialize_with_zeros(dim)` (w, b as tf.Variables)          |
| `propagate(w, b, X, Y)`                | `propagate` (dw, db by GradientTape; J from the logits)      |
| `optimize(w, b, X, Y, ...)`            | `optimize` (w, b updated in place, one tf.function loop)     |
| `predict(w, b, X)`                     | `predict`                                                    |
| `accuracy(Y_prediction, Y)`            | `accuracy` (the course's percentage)                         |
| `cost(w, b, X, Y)`                     | `logistic_cost(wᵀX + b, Y)` (the stable J)                   |
| `gd_step(w, b, X, Y, learning_rate)`   | one iteration of `optimize`                                  |
| `KerasLogisticRegression`, `keras_model` | `propagate`/`optimize`/`predict`, and `model`, with Keras blocks |

Every function checks its inputs with `numpy_impl.validation` (the NumPy twin's checks, before anything is
traced), so a bad input raises the same exception with the same message; X and Y are then cast to w's dtype.
Course parameters become variables through `keras_impl.convert.to_variables({"w": w, "b": b})`.

Part 1, `tf.Variable` + `GradientTape`, in course layout (w (n_x, 1), b a scalar, X (n_x, m), Y (1, m)), with
the backward pass done by autodiff instead of dw = 1/m X(A - Y)ᵀ.

Part 2, Keras blocks: `Dense(1, activation="sigmoid")` + `BinaryCrossentropy` + `keras_sgd(learning_rate)`,
with the course parameters copied in through `keras_impl.convert`. One full-batch training step is one course
gradient-descent step.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl.optimization import keras_sgd
from numpy_impl.validation import (
    check_count,
    check_dim,
    check_learning_rate,
    check_train_test_binary,
    check_training_finite,
    check_w_b,
    check_X,
    check_Y,
)

# Which NumPy function (numpy_impl.logistic_regression) each function here mirrors, as the table above says; the
# docs site pairs the code columns from it and parity_tests/test_twins.py checks it against both modules.
MIRRORS = {
    "A4": {
        "initialize_with_zeros": "initialize_with_zeros",
        "cost": "logistic_cost",
        "propagate": "propagate",
        "gd_step": "optimize",
        "optimize": "optimize",
        "predict": "predict",
        "accuracy": "accuracy",
        "KerasLogisticRegression": "optimize",
        "keras_model": "model",
    },
}
# The Keras-block versions and how they map onto the course's formulas.
KERAS_BLOCKS = {
    "KerasLogisticRegression": "Dense(1, activation='sigmoid') is ŷ = σ(wᵀx + b) with kernel = w and bias = b; "
    "BinaryCrossentropy is J = 1/m Σ L(a, y); SGD(α) on one full batch is one step w := w - α dw, b := b - α db.",
    "keras_model": "the course's model(): zeros, num_iterations full-batch SGD steps of KerasLogisticRegression, "
    "then predict with the 0.5 threshold; returns the course's dict.",
}

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def initialize_with_zeros(dim: int, dtype=None) -> tuple[tf.Variable, tf.Variable]:
    """w = 0 (dim, 1) and b = 0 as `tf.Variable`s, in `dtype` (default: Keras's floatx)."""
    dim = check_dim(dim)
    dtype = dtype or keras.config.floatx()
    return tf.Variable(tf.zeros((dim, 1), dtype=dtype), name="w"), tf.Variable(tf.zeros((), dtype), name="b")


def _data(w, b, X, Y=None):
    """The NumPy twin's checks on w, b, X [and binary Y], then X [and Y] as tensors in w's dtype."""
    w_value = check_w_b(w, b)
    X = check_X(X, n_x=w_value.shape[0])
    dtype = w.dtype if tf.is_tensor(w) or isinstance(w, tf.Variable) else w_value.dtype
    if Y is None:
        return tf.constant(X, dtype=dtype)
    Y = check_Y(Y, m=X.shape[1], n_y=1, binary=True)
    return tf.constant(X, dtype=dtype), tf.constant(Y, dtype=dtype)


def cost(w, b, X, Y) -> tf.Tensor:
    """J = 1/m Σ L with Z = wᵀX + b, from the logits (stable for any Z).  w (n_x, 1), b, X (n_x, m), Y (1, m) -> J.

    `tf.nn.sigmoid_cross_entropy_with_logits` = max(z, 0) - z·y + log(1 + e^(-|z|)): the notes' L(σ(z), y)
    in real arithmetic, without log(0) when σ(z) rounds to 0 or 1. Its derivative is dz = σ(z) - y.
    Called eagerly, it checks its inputs as `propagate` does; inside a tf.function its callers have.
    """
    if tf.executing_eagerly():
        X, Y = _data(w, b, X, Y)
    Z = tf.matmul(w, X, transpose_a=True) + b  # wᵀX: (1, n_x)(n_x, m) -> (1, m)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z))


def _propagate(w, b, X, Y):
    with tf.GradientTape() as tape:
        J = cost(w, b, X, Y)
    dw, db = tape.gradient(J, [w, b])
    return {"dw": dw, "db": db}, J


def propagate(w: tf.Variable, b: tf.Variable, X, Y) -> tuple[dict, tf.Tensor]:
    """The cost J and, by GradientTape, dw = ∂J/∂w (n_x, 1) and db = ∂J/∂b (scalar) -> (grads, cost)."""
    X, Y = _data(w, b, X, Y)
    return _propagate(w, b, X, Y)


def gd_step(w: tf.Variable, b: tf.Variable, X, Y, learning_rate) -> tuple[dict, tf.Tensor]:
    """One gradient-descent step in place, w -= α dw, b -= α db; returns the grads and cost before it."""
    X, Y = _data(w, b, X, Y)
    check_learning_rate(learning_rate)
    grads, J = _propagate(w, b, X, Y)
    alpha = tf.constant(learning_rate, dtype=w.dtype)  # not tf.cast: that rounds a float64 α through float32
    w.assign_sub(alpha * grads["dw"])
    b.assign_sub(alpha * grads["db"])
    return grads, J


# AutoGraph converts only the loops (their `tf.range`, `if` and `break` on tensors); the step they call has no
# tensor-dependent control flow and is traced as it is (converting it, or Keras, recursively slowed tracing).
_propagate_as_is = tf.autograph.experimental.do_not_convert(_propagate)


@tf.function
def _gd_loop(w, b, X, Y, num_iterations, alpha, record_every):
    costs = tf.TensorArray(X.dtype, size=0, dynamic_size=True)
    dw, db = tf.zeros_like(w), tf.zeros_like(b)
    stopped, saturated = tf.constant(-1), tf.constant(-1)
    for i in tf.range(num_iterations):
        grads, J = _propagate_as_is(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        w.assign_sub(alpha * dw)
        b.assign_sub(alpha * db)
        if i % record_every == 0:
            costs = costs.write(costs.size(), J)
        if tf.logical_and(saturated < 0, tf.logical_not(tf.math.is_finite(J))):
            saturated = i
        if tf.logical_not(tf.logical_and(tf.reduce_all(tf.math.is_finite(w)), tf.math.is_finite(b))):
            stopped = i
            break
    return dw, db, costs.stack(), stopped, saturated


def optimize(w: tf.Variable, b: tf.Variable, X, Y, num_iterations: int = 100, learning_rate: float = 0.009,
             print_cost: bool = False, record_every: int = 100) -> tuple[dict, dict, list]:
    """Gradient descent as the course's `optimize`, in one `tf.function` loop (w and b are updated in place).

    -> params {"w", "b"} (NumPy copies), grads {"dw", "db"} of the last iteration (before its update), and
    the costs at iterations 0, record_every, 2·record_every, ... (before that iteration's update), a list as
    the NumPy twin returns. The same stops as the twin: a w or b that is no longer finite raises its
    FloatingPointError naming the iteration; a non-finite cost with finite w, b (wᵀX + b overflowed) warns.
    """
    X, Y = _data(w, b, X, Y)
    num_iterations = check_count(num_iterations, "num_iterations")
    record_every = check_count(record_every, "record_every")
    check_learning_rate(learning_rate)
    dw, db, costs, stopped, saturated = _gd_loop(w, b, X, Y, tf.constant(num_iterations),
                                                 tf.constant(learning_rate, dtype=w.dtype), tf.constant(record_every))
    if int(stopped) >= 0:
        check_training_finite(int(stopped), learning_rate, w=w.numpy(), b=b.numpy())
    if int(saturated) >= 0:
        warnings.warn(f"the cost is not finite from iteration {int(saturated)} on (wᵀX + b overflowed); w and b "
                      f"stayed finite, so training went on", UserWarning, stacklevel=2)
    costs = list(costs.numpy())
    if print_cost:
        for k, c in enumerate(costs):
            print(f"Cost after iteration {k * record_every}: {c:f}")
    return ({"w": w.numpy(), "b": b.numpy()}, {"dw": dw.numpy(), "db": db.numpy()}, costs)


def predict(w: tf.Variable, b: tf.Variable, X) -> tf.Tensor:
    """Ŷ = 1 where σ(wᵀX + b) > 0.5, else 0  -> (1, m) in w's dtype."""
    X = _data(w, b, X)
    A = tf.math.sigmoid(tf.matmul(w, X, transpose_a=True) + b)
    return tf.cast(A > 0.5, w.dtype)


def accuracy(Y_prediction, Y) -> float:
    """The course's accuracy in percent, 100 - mean(|Ŷ - Y|)·100, with TF ops.  Ŷ, Y (1, m) of 0/1 -> float."""
    m = np.shape(Y_prediction)[-1] if np.ndim(Y_prediction) else 0
    Y_prediction = check_Y(Y_prediction, m=m, n_y=1, binary=True, name="Y_prediction")
    Y = tf.constant(check_Y(Y, m=m, n_y=1, binary=True), tf.float64)
    return float(100 - tf.reduce_mean(tf.abs(tf.constant(Y_prediction, tf.float64) - Y)) * 100)


# ---------------------------------------------------------------- part 2: Keras blocks


class KerasLogisticRegression:
    """`Dense(1, activation="sigmoid")` + `BinaryCrossentropy` + `SGD(learning_rate)`, started from course w, b.

    Layout: z = wᵀx + b is, for the rows x of Keras's inputs `(m, n_x)`, x·kernel + bias with kernel = w and
    bias = [b] (w is already kernel-shaped: the course's W = wᵀ (1, n_x), and kernel = Wᵀ). All of it goes
    through `keras_impl.convert`.

    Cost: `BinaryCrossentropy()` (from_logits=False) on the Dense output. The sigmoid output carries its
    logits (`_keras_logits`), so Keras computes `sigmoid_cross_entropy_with_logits` on z, with no 1e-7
    clipping (docs/traps.md, trap 3): the stable J, exact also when σ(z) saturates. Reduction
    "sum_over_batch_size" = the notes' 1/m Σ over a full batch.

    Step: SGD's update is `w -= lr·g`; with the whole training set as one batch, one step of `fit` is one
    course gradient-descent step. The optimizer is `keras_impl.optimization.keras_sgd(α)` (α in the exact floatx
    form, docs/traps.md, trap 1).
    """

    def __init__(self, w, b, learning_rate: float):
        w = check_w_b(w, b)
        check_learning_rate(learning_rate)
        self.n_x = w.shape[0]
        self.dtype = keras.config.floatx()
        self.model = keras.Sequential([keras.Input((self.n_x,), dtype=self.dtype),
                                       keras.layers.Dense(1, activation="sigmoid")])
        convert.set_dense_weights(self.model, {"W1": convert.kernel_to_W(w), "b1": np.reshape(b, (1, 1))})
        # the probability path on purpose (the notes' Keras idiom, trap 3 above): not the project's
        # from-logits factory keras_impl.losses.keras_binary_crossentropy, which takes a linear Dense(1)
        self.loss = keras.losses.BinaryCrossentropy(dtype=self.dtype)
        self.optimizer = keras_sgd(learning_rate)
        self.optimizer.build(self.model.trainable_variables)  # its variables exist before any tf.function
        self._train = tf.function(self._train_loop)

    def _inputs(self, X, Y=None):
        """Course X (n_x, m), Y (1, m) -> Keras inputs (m, n_x), targets (m, 1), in floatx (checked as NumPy does)."""
        X = check_X(X, n_x=self.n_x)
        x = convert.inputs_to_keras(tf.constant(X, dtype=self.dtype))
        if Y is None:
            return x
        Y = check_Y(Y, m=X.shape[1], n_y=1, binary=True)
        return x, convert.labels_to_keras(tf.constant(Y, dtype=self.dtype))

    def _loss_and_grads(self, x, y):
        with tf.GradientTape() as tape:
            J = self.loss(y, self.model(x, training=True))
        return J, tape.gradient(J, self.model.trainable_variables)

    def parameters(self) -> dict:
        """{"w": kernel (n_x, 1), "b": bias[0]} as NumPy values: the course parameters."""
        p = convert.dense_weights_to_parameters(self.model)
        return {"w": convert.W_to_kernel(p["W1"]).numpy(), "b": p["b1"][0, 0]}

    def propagate(self, X, Y) -> tuple[dict, tf.Tensor]:
        """The Keras loss J and its gradients, mapped back to the course's {"dw" (n_x, 1), "db" scalar}."""
        J, grads = self._loss_and_grads(*self._inputs(X, Y))
        g = convert.dense_grads_to_course(grads, self.model)
        return {"dw": convert.W_to_kernel(g["dW1"]).numpy(), "db": g["db1"][0, 0]}, J

    def step(self, X, Y) -> tf.Tensor:
        """One full-batch SGD step, eagerly (no tracing): w -= α dw, b -= α db. Returns the cost before it."""
        J, grads = self._loss_and_grads(*self._inputs(X, Y))
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
        return J

    def _train_loop(self, x, y, num_iterations):
        costs = tf.TensorArray(x.dtype, size=num_iterations)
        for i in tf.range(num_iterations):
            costs = costs.write(i, self._step_as_is(x, y))
        return costs.stack()

    @tf.autograph.experimental.do_not_convert
    def _step_as_is(self, x, y):
        J, grads = self._loss_and_grads(x, y)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
        return J

    def fit(self, X, Y, num_iterations: int) -> np.ndarray:
        """`num_iterations` full-batch SGD steps (a `tf.function` loop); returns the cost before each step."""
        x, y = self._inputs(X, Y)
        num_iterations = check_count(num_iterations, "num_iterations")
        return self._train(x, y, tf.constant(num_iterations)).numpy()

    def predict(self, X) -> np.ndarray:
        """Ŷ = 1 where the Dense output σ(z) > 0.5, else 0, back in course layout (1, m)."""
        A = convert.inputs_from_keras(self.model(self._inputs(X), training=False))
        return tf.cast(A > 0.5, self.dtype).numpy()


def keras_model(X_train, Y_train, X_test, Y_test, num_iterations: int = 2000, learning_rate: float = 0.5) -> dict:
    """The course's `model` with Keras blocks: from zeros, `num_iterations` full-batch SGD steps, then predict.

    -> the course's dict: costs (every 100 iterations, before the update), Y_prediction_test,
    Y_prediction_train, w, b, learning_rate, num_iterations. Inputs checked as the NumPy `model` checks them.
    """
    X_train, Y_train, X_test, Y_test = check_train_test_binary(X_train, Y_train, X_test, Y_test)
    num_iterations = check_count(num_iterations, "num_iterations")
    check_learning_rate(learning_rate)
    lr = KerasLogisticRegression(np.zeros((X_train.shape[0], 1)), 0.0, learning_rate)
    costs = lr.fit(X_train, Y_train, num_iterations)
    params = lr.parameters()
    return {"costs": list(costs[::100]), "Y_prediction_test": lr.predict(X_test),
            "Y_prediction_train": lr.predict(X_train), "w": params["w"], "b": params["b"],
            "learning_rate": learning_rate, "num_iterations": num_iterations}
