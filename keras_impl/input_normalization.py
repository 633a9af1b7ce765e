"""Normalizing inputs with TensorFlow and Keras (concept B7).

Mirrors `numpy_impl.input_normalization`:
- part 1 (TF ops, `tf.Variable` + `GradientTape`, course layout): `fit_normalization(X) -> (mu, sigma2)`,
  `normalize(X, mu, sigma2, epsilon=1e-7)`, `logistic_regression_gd(X, Y, learning_rate, num_iterations)`
  (w, b as variables, gradients by tape), `iterations_to_cost(costs, target_cost)`: same names, arguments and
  returns as the NumPy functions;
- part 2 (Keras blocks): `keras_normalization(X_train)` is `keras.layers.Normalization(axis=-1)` adapted on the
  training set; `keras_normalize(layer, X)` applies it to course-layout X; `keras_logistic_regression_gd(X, Y,
  learning_rate, num_iterations, normalization=None)` trains `Sequential([Normalization?, Dense(1)])` with
  `SGD` on `BinaryCrossentropy(from_logits=True)` and returns its costs.

What `Normalization` computes (Keras 3, `keras/src/layers/preprocessing/normalization.py`): `adapt` stores the
mean and the *biased* variance (1/m, as the notes) of each feature, and `call` returns
`(x - mean) / maximum(sqrt(variance), epsilon)` with epsilon = 1e-7: not `sqrt(variance + ε)`, so every
feature with σ >= 1e-7 is divided by exactly σ, and a constant feature gives 0 instead of NaN. Adapting on a
batched `tf.data.Dataset` merges per-batch means and variances (the same numbers up to rounding).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from keras_impl import convert
from keras_impl.losses import keras_binary_crossentropy
from keras_impl.optimization import keras_sgd
from numpy_impl.validation import check_count, check_learning_rate, check_X, check_X_Y

# Which NumPy function (numpy_impl.input_normalization, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B7": {
        "fit_normalization": "fit_normalization",
        "normalize": "normalize",
        "logistic_regression_gd": "logistic_regression_gd",
        "iterations_to_cost": "iterations_to_cost",
        "keras_normalization": "fit_normalization",
        "keras_normalize": "normalize",
        "keras_logistic_regression_gd": "logistic_regression_gd",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_normalization": (
        "keras.layers.Normalization(axis=-1).adapt(X_train.T): its mean and variance (1, n_x) are the notes' μ and "
        "biased σ² over the training examples."
    ),
    "keras_normalize": (
        "The adapted layer computes (x - μ) / max(√σ², ε): the notes' x_norm with the training-set μ, σ² applied to "
        "any set."
    ),
    "keras_logistic_regression_gd": (
        "Sequential([Input, Normalization, Dense(1)]) from zero weights with full-batch SGD(α): the notes' logistic "
        "regression on normalized inputs."
    ),
}

EPSILON = 1e-7  # keras.config.epsilon(), the floor Normalization puts under σ

# ---------------------------------------------------------------- part 1: TF ops, tf.Variable + GradientTape


def fit_normalization(X):
    """μ = mean over examples, σ² = biased variance.  X (n_x, m) -> mu (n_x, 1), sigma2 (n_x, 1) tensors."""
    X = tf.constant(check_X(X, name="X"))
    mu = tf.reduce_mean(X, axis=1, keepdims=True)
    return mu, tf.reduce_mean(tf.square(X - mu), axis=1, keepdims=True)


def normalize(X, mu, sigma2, epsilon: float = EPSILON):
    """x_norm = (x - μ) / max(√σ², ε).  X (n_x, m), mu, sigma2 (n_x, 1) -> X_norm (n_x, m), in X's dtype."""
    X = check_X(X, name="X")
    n_x = X.shape[0]
    for name, a in (("mu", mu), ("sigma2", sigma2)):
        shape = tuple(int(d) for d in tf.shape(a).numpy())
        if shape != (n_x, 1):
            raise ValueError(f"{name} must have shape (n_x, 1) = ({n_x}, 1) (from fit_normalization), got {shape}")
    mu, sigma2 = tf.cast(mu, X.dtype), tf.cast(sigma2, X.dtype)
    if not (bool(tf.reduce_all(tf.math.is_finite(mu))) and bool(tf.reduce_all(tf.math.is_finite(sigma2)))
            and bool(tf.reduce_all(sigma2 >= 0))):
        raise ValueError("mu must be finite and sigma2 finite and >= 0 (from fit_normalization)")
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or not 0 < epsilon < float("inf"):
        raise ValueError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    return (tf.constant(X) - mu) / tf.maximum(tf.sqrt(sigma2), tf.constant(epsilon, X.dtype))


def logistic_regression_gd(X, Y, learning_rate, num_iterations: int):
    """The NumPy loop with tf.Variable w (n_x, 1), b (1, 1) and the tape's gradients of J (from the logits).

    Returns (w, b, costs (num_iterations,)): costs[i] is J before update i.
    """
    X, Y = check_X_Y(X, Y, n_y=1)
    learning_rate = check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations")
    X, Y = tf.constant(X), tf.constant(Y.astype(X.dtype, copy=False))
    w, b, costs = _gd_loop(X, Y, tf.constant(learning_rate, X.dtype), tf.constant(num_iterations))
    _check_costs(costs)
    return tf.Variable(w), tf.Variable(b), costs


@tf.function(reduce_retracing=True)
def _gd_loop(X, Y, alpha, n):
    """`logistic_regression_gd`'s loop, compiled once per dtype and shape (module level: calls share the trace)."""
    w, b = tf.zeros((tf.shape(X)[0], 1), X.dtype), tf.zeros((1, 1), X.dtype)
    costs = tf.TensorArray(X.dtype, size=n)
    for i in tf.range(n):
        with tf.GradientTape() as tape:
            tape.watch([w, b])
            Z = tf.matmul(w, X, transpose_a=True) + b
            cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z))
        dw, db = tape.gradient(cost, [w, b])
        w, b = w - alpha * dw, b - alpha * db
        costs = costs.write(i, cost)
    return w, b, costs.stack()


def _check_costs(costs):
    finite = tf.math.is_finite(costs).numpy()
    if not finite.all():
        raise FloatingPointError(f"the cost became non-finite at iteration {int((~finite).argmax())}: "
                                 "try a smaller learning_rate")


def iterations_to_cost(costs, target_cost: float):
    """The first iteration i with costs[i] <= target_cost, or None if the cost never gets there."""
    costs = tf.convert_to_tensor(costs)
    if costs.shape.rank != 1 or costs.shape[0] == 0:
        raise ValueError(f"costs must be a non-empty 1-D array, got shape {tuple(costs.shape)}")
    reached = tf.where(costs <= tf.cast(target_cost, costs.dtype))
    return int(reached[0, 0]) if reached.shape[0] else None


# ---------------------------------------------------------------- part 2: Keras blocks


def keras_normalization(X_train, batch_size: int | None = None) -> keras.layers.Normalization:
    """`Normalization(axis=-1)` adapted on X_train (n_x, m), moved to Keras layout (m, n_x) through convert.

    With `batch_size`, adapt reads a batched `tf.data.Dataset` (Keras then merges per-batch statistics).
    The layer's `mean` and `variance` are (1, n_x); it computes in floatx.
    """
    X_train = check_X(X_train, name="X_train")
    x = tf.cast(convert.inputs_to_keras(X_train), keras.config.floatx())
    layer = keras.layers.Normalization(axis=-1)
    if batch_size is None:
        layer.adapt(x)
    else:
        layer.adapt(tf.data.Dataset.from_tensor_slices(x).batch(check_count(batch_size, "batch_size")))
    return layer


def keras_normalize(layer: keras.layers.Normalization, X):
    """The adapted layer on course-layout X (n_x, m) -> X_norm (n_x, m)."""
    return convert.inputs_from_keras(layer(convert.inputs_to_keras(check_X(X, name="X"))))


def keras_logistic_regression_gd(X, Y, learning_rate, num_iterations: int, normalization=None):
    """`Sequential([Input, normalization (if given), Dense(1)])` from zero weights, full-batch `SGD(α)`.

    The loop is compiled (a `tf.function` over `tf.range`, one `apply_gradients` per iteration). Returns
    (model, costs (num_iterations,)), costs[i] being J before update i, as `logistic_regression_gd`.
    """
    X, Y = check_X_Y(X, Y, n_y=1)
    learning_rate = check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations")
    floatx = keras.config.floatx()
    layers = [keras.Input((X.shape[0],), dtype=floatx)] + ([normalization] if normalization is not None else [])
    model = keras.Sequential(layers + [keras.layers.Dense(1, kernel_initializer="zeros")])
    loss, optimizer = keras_binary_crossentropy(), keras_sgd(learning_rate)
    optimizer.build(model.trainable_variables)
    x, y = tf.cast(convert.inputs_to_keras(X), floatx), tf.cast(convert.labels_to_keras(Y), floatx)

    @tf.function
    def loop(n):
        costs = tf.TensorArray(floatx, size=n)
        for i in tf.range(n):
            with tf.GradientTape() as tape:
                cost = loss(y, model(x, training=True))
            optimizer.apply_gradients(zip(tape.gradient(cost, model.trainable_variables), model.trainable_variables,
                                          strict=True))
            costs = costs.write(i, cost)
        return costs.stack()

    costs = loop(tf.constant(num_iterations))
    _check_costs(costs)
    return model, costs
