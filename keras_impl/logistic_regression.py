"""Logistic regression on the TF side (concept A4): ŷ = σ(wᵀx + b), J = 1/m Σ L(a, y), gradient descent.

Part 1, `tf.Variable` + `GradientTape`, in course layout (w (n_x, 1), b a scalar, X (n_x, m), Y (1, m)): the
same functions as `numpy_impl.logistic_regression` (`initialize_with_zeros`, `propagate`, `optimize`,
`predict`), with the backward pass done by autodiff instead of dw = 1/m X(A - Y)ᵀ.

Part 2, Keras blocks: `Dense(1, activation="sigmoid")` + `BinaryCrossentropy` + `SGD(learning_rate)`, with
the course parameters copied in through `keras_impl.convert`. One full-batch training step is one course
gradient-descent step.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def initialize_with_zeros(dim: int, dtype=None) -> tuple[tf.Variable, tf.Variable]:
    """w = 0 (dim, 1) and b = 0 as `tf.Variable`s, in `dtype` (default: Keras's floatx)."""
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 1:
        raise ValueError(f"dim (the number of features n_x) must be a positive integer, got {dim!r}")
    dtype = dtype or keras.config.floatx()
    return tf.Variable(tf.zeros((int(dim), 1), dtype=dtype), name="w"), tf.Variable(tf.zeros((), dtype), name="b")


def to_variables(w, b, dtype=None) -> tuple[tf.Variable, tf.Variable]:
    """Course parameters w (n_x, 1) and scalar b (e.g. NumPy's) as `tf.Variable`s in `dtype` (default floatx)."""
    dtype = dtype or keras.config.floatx()
    w = tf.convert_to_tensor(np.asarray(w), dtype=dtype)
    if w.shape.rank != 2 or w.shape[1] != 1:
        raise ValueError(f"w must be a column of shape (n_x, 1), got shape {tuple(w.shape)}")
    if np.ndim(b) != 0:
        raise ValueError(f"b must be a scalar, got an array of shape {np.shape(b)}")
    return tf.Variable(w, name="w"), tf.Variable(tf.constant(b, dtype=dtype), name="b")


def _data(w: tf.Variable, X, Y=None):
    """X (n_x, m) [and Y (1, m)] as tensors in w's dtype, with the shapes checked against w (n_x, 1)."""
    X = tf.convert_to_tensor(X, dtype=w.dtype)
    if X.shape.rank != 2 or X.shape[0] != w.shape[0]:
        hint = " (it looks like (m, n_x): pass X.T)" if X.shape.rank == 2 and X.shape[1] == w.shape[0] else ""
        raise ValueError(f"X must have shape (n_x, m) with n_x = {w.shape[0]}, got {tuple(X.shape)}{hint}")
    if Y is None:
        return X
    Y = tf.convert_to_tensor(Y, dtype=w.dtype)
    if tuple(Y.shape) != (1, X.shape[1]):
        raise ValueError(f"Y must have shape (1, m) = (1, {X.shape[1]}), got {tuple(Y.shape)}")
    return X, Y


def cost(w, b, X, Y) -> tf.Tensor:
    """J = 1/m Σ L with Z = wᵀX + b, from the logits (stable for any Z).  w (n_x, 1), b, X (n_x, m), Y (1, m) -> J.

    `tf.nn.sigmoid_cross_entropy_with_logits` = max(z, 0) - z·y + log(1 + e^(-|z|)): the notes' L(σ(z), y)
    in real arithmetic, without log(0) when σ(z) rounds to 0 or 1. Its derivative is dz = σ(z) - y.
    """
    Z = tf.matmul(w, X, transpose_a=True) + b  # wᵀX: (1, n_x)(n_x, m) -> (1, m)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z))


def _propagate(w, b, X, Y):
    with tf.GradientTape() as tape:
        J = cost(w, b, X, Y)
    dw, db = tape.gradient(J, [w, b])
    return {"dw": dw, "db": db}, J


def propagate(w: tf.Variable, b: tf.Variable, X, Y) -> tuple[dict, tf.Tensor]:
    """The cost J and, by GradientTape, dw = ∂J/∂w (n_x, 1) and db = ∂J/∂b (scalar) -> (grads, cost)."""
    X, Y = _data(w, X, Y)
    return _propagate(w, b, X, Y)


def gd_step(w: tf.Variable, b: tf.Variable, X, Y, learning_rate) -> tuple[dict, tf.Tensor]:
    """One gradient-descent step in place, w -= α dw, b -= α db; returns the grads and cost before it."""
    X, Y = _data(w, X, Y)
    grads, J = _propagate(w, b, X, Y)
    alpha = tf.constant(learning_rate, dtype=w.dtype)  # not tf.cast: that rounds a float64 α through float32
    w.assign_sub(alpha * grads["dw"])
    b.assign_sub(alpha * grads["db"])
    return grads, J


@tf.function
def _gd_loop(w, b, X, Y, num_iterations, alpha, record_every):
    costs = tf.TensorArray(X.dtype, size=0, dynamic_size=True)
    dw, db = tf.zeros_like(w), tf.zeros_like(b)
    for i in tf.range(num_iterations):
        grads, J = _propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        w.assign_sub(alpha * dw)
        b.assign_sub(alpha * db)
        if i % record_every == 0:
            costs = costs.write(costs.size(), J)
    return dw, db, costs.stack()


def optimize(w: tf.Variable, b: tf.Variable, X, Y, num_iterations: int = 100, learning_rate: float = 0.009,
             record_every: int = 100) -> tuple[dict, dict, np.ndarray]:
    """Gradient descent as the course's `optimize`, in one `tf.function` loop (w and b are updated in place).

    -> params {"w", "b"} (NumPy copies), grads {"dw", "db"} of the last iteration (before its update), and
    the costs at iterations 0, record_every, 2·record_every, ... (before that iteration's update).
    """
    for name, value in (("num_iterations", num_iterations), ("record_every", record_every)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    X, Y = _data(w, X, Y)
    dw, db, costs = _gd_loop(w, b, X, Y, tf.constant(num_iterations), tf.constant(learning_rate, dtype=w.dtype),
                             tf.constant(record_every))
    return ({"w": w.numpy(), "b": b.numpy()}, {"dw": dw.numpy(), "db": db.numpy()}, costs.numpy())


def predict(w: tf.Variable, b: tf.Variable, X) -> tf.Tensor:
    """Ŷ = 1 where σ(wᵀX + b) > 0.5, else 0  -> (1, m) in w's dtype."""
    X = _data(w, X)
    A = tf.math.sigmoid(tf.matmul(w, X, transpose_a=True) + b)
    return tf.cast(A > 0.5, w.dtype)


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
    course gradient-descent step. The learning rate is passed as `np.float64` (trap 1). For plain SGD a Python
    float is also exact (the learning-rate variable is created in floatx and assigned the float64 value; the
    parity rows on α = 0.05 would catch a float32 rounding), but a schedule or momentum would not be.
    """

    def __init__(self, w, b, learning_rate: float):
        w = np.asarray(w)
        if w.ndim != 2 or w.shape[1] != 1:
            raise ValueError(f"w must be a column of shape (n_x, 1), got shape {w.shape}")
        if np.ndim(b) != 0:
            raise ValueError(f"b must be a scalar, got an array of shape {np.shape(b)}")
        self.n_x = w.shape[0]
        self.dtype = keras.config.floatx()
        self.model = keras.Sequential([keras.Input((self.n_x,)), keras.layers.Dense(1, activation="sigmoid")])
        convert.set_dense_weights(self.model, {"W1": convert.kernel_to_W(w), "b1": np.reshape(b, (1, 1))})
        self.loss = keras.losses.BinaryCrossentropy(dtype=self.dtype)
        self.optimizer = keras.optimizers.SGD(learning_rate=np.float64(learning_rate))
        self.optimizer.build(self.model.trainable_variables)  # its variables exist before any tf.function
        self._train = tf.function(self._train_loop)

    def _inputs(self, X, Y=None):
        """Course X (n_x, m), Y (1, m) -> Keras inputs (m, n_x), targets (m, 1), in floatx."""
        X = tf.convert_to_tensor(X, dtype=self.dtype)
        if X.shape.rank != 2 or X.shape[0] != self.n_x:
            raise ValueError(f"X must have shape (n_x, m) with n_x = {self.n_x} (course layout), got {tuple(X.shape)}")
        x = convert.inputs_to_keras(X)
        if Y is None:
            return x
        Y = tf.convert_to_tensor(Y, dtype=self.dtype)
        if tuple(Y.shape) != (1, X.shape[1]):
            raise ValueError(f"Y must have shape (1, m) = (1, {X.shape[1]}), got {tuple(Y.shape)}")
        return x, convert.labels_to_keras(Y)

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
            J, grads = self._loss_and_grads(x, y)
            self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
            costs = costs.write(i, J)
        return costs.stack()

    def fit(self, X, Y, num_iterations: int) -> np.ndarray:
        """`num_iterations` full-batch SGD steps (a `tf.function` loop); returns the cost before each step."""
        if isinstance(num_iterations, bool) or not isinstance(num_iterations, int | np.integer) or num_iterations < 1:
            raise ValueError(f"num_iterations must be a positive integer, got {num_iterations!r}")
        x, y = self._inputs(X, Y)
        return self._train(x, y, tf.constant(num_iterations)).numpy()

    def predict(self, X) -> np.ndarray:
        """Ŷ = 1 where the Dense output σ(z) > 0.5, else 0, back in course layout (1, m)."""
        A = convert.inputs_from_keras(self.model(self._inputs(X), training=False))
        return tf.cast(A > 0.5, self.dtype).numpy()


def keras_model(X_train, Y_train, X_test, Y_test, num_iterations: int = 2000, learning_rate: float = 0.5) -> dict:
    """The course's `model` with Keras blocks: from zeros, `num_iterations` full-batch SGD steps, then predict.

    -> the course's dict: costs (every 100 iterations, before the update), Y_prediction_test,
    Y_prediction_train, w, b, learning_rate, num_iterations.
    """
    n_x = np.shape(X_train)[0]
    if np.ndim(Y_train) == 2 and np.shape(Y_train)[1] == n_x != np.shape(X_train)[1]:
        raise ValueError(f"X_train has shape {np.shape(X_train)}, which looks like (m, n_x): Y_train holds {n_x} "
                         f"labels; the course layout is (n_x, m): pass X_train.T (and X_test.T)")
    lr = KerasLogisticRegression(np.zeros((n_x, 1)), 0.0, learning_rate)
    costs = lr.fit(X_train, Y_train, num_iterations)
    params = lr.parameters()
    return {"costs": list(costs[::100]), "Y_prediction_test": lr.predict(X_test),
            "Y_prediction_train": lr.predict(X_train), "w": params["w"], "b": params["b"],
            "learning_rate": learning_rate, "num_iterations": num_iterations}
