"""A shallow network (tanh hidden layer, sigmoid output) on the TF side (concept A7).

Part 1, tape: `tf.Variable`s W1, b1, W2, b2 in course layout (`X (n_x, m)`, `W1 (n_h, n_x)` ...), the
forward pass and the notes' cost (13) in TF ops, gradients by `tf.GradientTape` (no hand-written backward
equation), the gradient-descent update, and a compiled training loop (`tf.function` over
`tf.range(num_iterations)`) that runs the whole course-length training in one call.
Part 2, Keras: `Sequential([Dense(n_h, "tanh"), Dense(1, "sigmoid")])`, `BinaryCrossentropy`, `SGD`,
trained full batch by a custom train step looped inside one `tf.function`, optionally XLA-compiled
(`model.fit` costs ~27 ms per epoch: too slow for 10000 epochs); layouts go through `keras_impl.convert`.

No random numbers are drawn here: the start point is the course's `np.random.seed(3)` draw, passed in as
data, so both sides start from the same parameters.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert

PARAMETER_KEYS = ("W1", "b1", "W2", "b2")

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def initialize_variables(parameters: Mapping) -> dict[str, tf.Variable]:
    """{"W1", "b1", "W2", "b2"} (arrays, course layout) -> the same values as `tf.Variable`s, dtype kept."""
    missing = [k for k in PARAMETER_KEYS if k not in parameters]
    if missing:
        raise KeyError(f"parameters is missing key(s) {missing}; it has {sorted(parameters)}")
    return {k: tf.Variable(tf.convert_to_tensor(parameters[k]), name=k) for k in PARAMETER_KEYS}


def forward_propagation(X, parameters: Mapping) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Z1 = W1·X + b1, A1 = tanh(Z1), Z2 = W2·A1 + b2, A2 = σ(Z2), in TF ops and course layout.

    X (n_x, m) -> A2 (n_y, m), cache {"Z1", "A1", "Z2", "A2"}.
    """
    W1, b1, W2, b2 = (parameters[k] for k in PARAMETER_KEYS)
    X = tf.convert_to_tensor(X, dtype=W1.dtype)
    Z1 = tf.matmul(W1, X) + b1
    A1 = tf.math.tanh(Z1)
    Z2 = tf.matmul(W2, A1) + b2
    A2 = tf.math.sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y) -> tf.Tensor:
    """J = -1/m Σ (Y log A2 + (1 - Y) log(1 - A2)), the notes' eq. (13), as a scalar tensor.

    A2, Y (1, m). The formula as written (log(0) at an A2 rounded to 0 or 1, as in the course). Its tape
    gradient with respect to Z2 is (A2 - Y)/m up to rounding: the dZ2 = A2 - Y of the notes.
    """
    A2 = tf.convert_to_tensor(A2)
    Y = tf.cast(Y, A2.dtype)  # labels 0/1 are exact in every float dtype
    m = tf.cast(tf.shape(Y)[1], A2.dtype)
    logprobs = Y * tf.math.log(A2) + (1 - Y) * tf.math.log(1 - A2)
    return -tf.reduce_sum(logprobs) / m


def backward_propagation(parameters: Mapping, X, Y) -> tuple[dict[str, tf.Tensor], tf.Tensor]:
    """dJ/dW1, dJ/db1, dJ/dW2, dJ/db2 by GradientTape: the tape records forward + cost (13) and differentiates.

    The tape plays the role of the course's `cache`. X (n_x, m), Y (n_y, m) ->
    (grads {"dW1" (n_h, n_x), "db1" (n_h, 1), "dW2" (n_y, n_h), "db2" (n_y, 1)}, cost J).
    """
    with tf.GradientTape() as tape:
        A2, _ = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
    grads = tape.gradient(cost, [parameters[k] for k in PARAMETER_KEYS])
    return {f"d{k}": g for k, g in zip(PARAMETER_KEYS, grads, strict=True)}, cost


def update_parameters(parameters: Mapping, grads: Mapping, learning_rate: float = 1.2) -> Mapping:
    """θ := θ - α·dθ for θ in W1, b1, W2, b2, in place on the `tf.Variable`s (returns `parameters`).

    A Python α is made with `tf.constant(learning_rate, dtype)` (not `tf.cast`, which would round 1.2
    to float32 first), so a float64 run uses the float64 α = 1.2; a tensor α is used as it is.
    """
    for key in PARAMETER_KEYS:
        variable = parameters[key]
        alpha = learning_rate if tf.is_tensor(learning_rate) else tf.constant(learning_rate, dtype=variable.dtype)
        variable.assign_sub(grads[f"d{key}"] * alpha)
    return parameters


def _gradient_descent_loop(X, Y, W1, b1, W2, b2, num_iterations, learning_rate):
    """The training loop, in graph mode: one iteration per `tf.range` step, costs in a TensorArray."""
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    costs = tf.TensorArray(X.dtype, size=num_iterations)
    for i in tf.range(num_iterations):
        grads, cost = backward_propagation(parameters, X, Y)
        costs = costs.write(i, cost)
        update_parameters(parameters, grads, learning_rate)
    return costs.stack()


# Traced once per dtype and shape; the variables are arguments, so new ones reuse the trace.
_compiled_loop = tf.function(_gradient_descent_loop, reduce_retracing=True)


def train(X, Y, parameters: Mapping, num_iterations: int = 10000,
          learning_rate: float = 1.2) -> tuple[dict[str, np.ndarray], tf.Tensor]:
    """Gradient descent from `parameters` (arrays), compiled: all `num_iterations` steps in one tf.function call.

    X (n_x, m), Y (n_y, m), in the parameters' dtype. Returns the final parameters (arrays, course layout)
    and `costs (num_iterations,)`, costs[i] = J before update i (as the NumPy side records them).
    """
    variables = initialize_variables(parameters)
    dtype = variables["W1"].dtype
    X, Y = tf.convert_to_tensor(X, dtype=dtype), tf.cast(Y, dtype)
    costs = _compiled_loop(X, Y, *(variables[k] for k in PARAMETER_KEYS),
                           tf.constant(num_iterations, tf.int32), tf.constant(learning_rate, dtype=dtype))
    return {k: v.numpy() for k, v in variables.items()}, costs


# ---------------------------------------------------------------- part 2: Keras blocks


def build_model(n_x: int, n_h: int, parameters: Mapping | None = None) -> keras.Sequential:
    """Sequential([Dense(n_h, "tanh"), Dense(1, "sigmoid")]) on inputs (m, n_x), in Keras's current floatx.

    With `parameters` (course layout), the weights are copied in by `convert.set_dense_weights`
    (kernel = Wᵀ, bias = b[:, 0]).
    """
    model = keras.Sequential([keras.Input((n_x,)), keras.layers.Dense(n_h, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    if parameters is not None:
        convert.set_dense_weights(model, parameters)
    return model


def binary_crossentropy() -> keras.losses.BinaryCrossentropy:
    """BinaryCrossentropy in floatx (its dtype is fixed at construction: PARITY_CONVENTIONS trap 2).

    `from_logits=False`, yet the loss runs on the logits: the sigmoid of the last Dense layer tags its
    output with `_keras_logits` (and in a graph the loss finds the Sigmoid op's input), so Keras computes
    `sigmoid_cross_entropy_with_logits(Z2)` = max(Z2, 0) - Z2·Y + log(1 + e^(-|Z2|)) and skips its 1e-7
    clipping (trap 3). That is eq. (13) without the log(0) at A2 = 0 or 1: equal to the course formula to
    rounding while A2 stays inside (0, 1), which it does on the planar data (|Z2| <= 14).
    """
    return keras.losses.BinaryCrossentropy(dtype=keras.config.floatx())


def gradients(model: keras.Model, X, Y) -> tuple[dict[str, np.ndarray], tf.Tensor]:
    """The BinaryCrossentropy gradients of `model` on course-layout X (n_x, m), Y (1, m), as dW1, db1, ...

    -> (grads in course layout via `convert.dense_grads_to_course`, the loss).
    """
    loss_fn = binary_crossentropy()
    x, y = convert.inputs_to_keras(X), convert.labels_to_keras(Y)
    with tf.GradientTape() as tape:
        loss = loss_fn(tf.cast(y, x.dtype), model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    return convert.dense_grads_to_course(grads, model), loss


def sgd(learning_rate: float = 1.2) -> keras.optimizers.SGD:
    """SGD(learning_rate=np.float64(α)): plain θ -= α·g; np.float64 keeps α = 1.2 exact in float64 (trap 1)."""
    return keras.optimizers.SGD(learning_rate=np.float64(learning_rate))


def train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer, loss_fn, x, y) -> tf.Tensor:
    """One full-batch step on Keras-layout x (m, n_x), y (m, 1): loss, tape gradient, `apply_gradients`.

    Returns the loss before the update. Runs eagerly or inside a tf.function.
    """
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss


def make_train_loop(model: keras.Model, optimizer: keras.optimizers.Optimizer, jit_compile: bool = False):
    """A compiled full-batch training function `loop(x, y, num_iterations) -> losses (num_iterations,)`.

    `num_iterations` calls of `train_step` in a loop over `tf.range` inside one `tf.function` (x, y in
    Keras layout). Tracing (and, with `jit_compile`, XLA compilation) happens on the first call.
    """
    loss_fn = binary_crossentropy()
    optimizer.build(model.trainable_variables)  # create the optimizer's variables outside the graph

    @tf.function(jit_compile=jit_compile)
    def loop(x, y, num_iterations):
        losses = tf.TensorArray(x.dtype, size=num_iterations)
        for i in tf.range(num_iterations):
            losses = losses.write(i, train_step(model, optimizer, loss_fn, x, y))
        return losses.stack()

    return loop


def train_keras(X, Y, parameters: Mapping, num_iterations: int = 10000, learning_rate: float = 1.2,
                jit_compile: bool = False) -> tuple[keras.Sequential, tf.Tensor]:
    """The Keras model started from `parameters` (course layout), trained full batch with SGD(α).

    X (n_x, m), Y (1, m). Returns the trained model (its weights in course layout:
    `convert.dense_weights_to_parameters(model)`) and the loss before each update `(num_iterations,)`.
    `jit_compile=True` compiles the loop with XLA: the fastest path on CPU (benchmarks/planar.py); XLA's
    kernels round differently from TF's, and the parity rows "(Keras, XLA)" hold it to the same bounds.
    """
    n_h, n_x = np.shape(parameters["W1"])
    model = build_model(n_x, n_h, parameters)
    loop = make_train_loop(model, sgd(learning_rate), jit_compile=jit_compile)
    x = convert.inputs_to_keras(tf.convert_to_tensor(X, dtype=keras.config.floatx()))
    y = tf.cast(convert.labels_to_keras(Y), x.dtype)
    losses = loop(x, y, tf.constant(num_iterations, tf.int32))
    return model, losses
