"""A shallow network (tanh hidden layer, sigmoid output) on the TF side (concept A7).

Part 1, tape: `tf.Variable`s W1, b1, W2, b2 in course layout (`X (n_x, m)`, `W1 (n_h, n_x)` ...,
`convert.to_variables(parameters)`), the forward pass and the notes' cost (13) in TF ops, gradients by
`tf.GradientTape` (no hand-written backward equation), the gradient-descent update, and a compiled training
loop (`tf.function` over `tf.range(num_iterations)`) that runs the whole course-length training in one call.
The part-1 functions also run on S parameter sets stacked on a leading axis (`W1 (S, n_h, n_x)` ...): the
parity suite's teacher forcing (`parity_tests/teacher_forcing.py`) takes one step from every state of a run.
Part 2, Keras: `Sequential([Dense(n_h, "tanh"), Dense(1)])` whose linear output is Z2 (A2 = σ(Z2) in
`keras_forward`), `losses.keras_binary_crossentropy()` (from the logits: docs/traps.md, trap 3),
`optimization.keras_sgd`, trained full batch by a custom train step looped inside one `tf.function`,
optionally XLA-compiled (`model.fit` costs ~27 ms per epoch: too slow for 10000 epochs); layouts go through
`keras_impl.convert`.

Which NumPy function (`numpy_impl.shallow_network`) each function mirrors: `forward_propagation`,
`compute_cost`, `update_parameters`, `train` -> the same names and arguments; `compute_grads(X, Y, parameters)`
-> `backward_propagation` (the tape needs no cache, hence another name) with the cost. With Keras blocks:
`keras_forward` -> `forward_propagation`; `keras_gradients` and its Keras-layout core `loss_and_gradients` ->
`backward_propagation`; `train_step` -> one `update_parameters` step (gradient included); `make_train_loop`,
`train_keras` -> `train` (the same arguments, from given parameters); `build_model` (the Keras model) has no twin.
Every public function checks its inputs with `numpy_impl.validation` as its NumPy twin does (same
exception, same message), before anything is traced; inside a `tf.function` the checks are skipped.

No random numbers are drawn here: the start point is the course's `np.random.seed(3)` draw, passed in as
data, so both sides start from the same parameters.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl.losses import keras_binary_crossentropy
from keras_impl.optimization import keras_sgd
from numpy_impl.validation import (
    check_count,
    check_course_prediction,
    check_grads,
    check_learning_rate,
    check_training_finite,
    check_two_layer_parameters,
    check_X,
    check_X_Y,
    check_Y,
)

# Which NumPy function (numpy_impl.shallow_network, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "A7": {
        "forward_propagation": "forward_propagation",
        "compute_cost": "compute_cost",
        "compute_grads": "backward_propagation",
        "update_parameters": "update_parameters",
        "train": "train",
        "build_model": None,
        "keras_forward": "forward_propagation",
        "keras_gradients": "backward_propagation",
        "loss_and_gradients": "backward_propagation",
        "train_step": "update_parameters",
        "make_train_loop": "train",
        "train_keras": "train",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_forward": (
        "Sequential([Dense(n_h, 'tanh'), Dense(1)]) with kernel = Wᵀ, bias = b[:, 0]: Z1, A1 = tanh(Z1), Z2 as the "
        "notes; the model outputs the logits Z2 and A2 = σ(Z2) is taken outside it."
    ),
    "keras_gradients": (
        "BinaryCrossentropy(from_logits=True) on Z2 is the notes' cost (13) computed from the logits; its kernel "
        "and bias gradients, transposed by convert, are dW1, db1, dW2, db2."
    ),
    "train_step": (
        "optimizer.apply_gradients of keras_sgd(α) (SGD, no momentum) with the tape gradient of the full-batch "
        "loss: one update θ := θ - α dθ of the notes."
    ),
    "train_keras": (
        "keras_sgd(α) on the full batch: one train step per iteration of the course's gradient descent, started "
        "from the course's parameters."
    ),
}

PARAMETER_KEYS = ("W1", "b1", "W2", "b2")
GRAD_KEYS = ("dW1", "db1", "dW2", "db2")

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def _eager(*values) -> bool:
    """True unless one of `values` is a symbolic tensor (inside a tf.function: the caller checked the inputs)."""
    return tf.executing_eagerly() and not any(tf.is_tensor(v) and not hasattr(v, "numpy") for v in values)


def _arrays(parameters: Mapping) -> Mapping:
    if not isinstance(parameters, Mapping):
        return parameters
    return {k: v.numpy() if hasattr(v, "numpy") else v for k, v in parameters.items()}


def forward_propagation(X, parameters: Mapping) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Z1 = W1·X + b1, A1 = tanh(Z1), Z2 = W2·A1 + b2, A2 = σ(Z2), in TF ops and course layout.

    X (n_x, m) -> A2 (n_y, m), cache {"Z1", "A1", "Z2", "A2"}.
    """
    if _eager(X):
        n_x, _, _ = check_two_layer_parameters(_arrays(parameters))
        X = check_X(np.asarray(X), n_x=n_x)
    W1, b1, W2, b2 = (parameters[k] for k in PARAMETER_KEYS)
    X = tf.cast(X, W1.dtype)
    Z1 = tf.matmul(W1, X) + b1
    A1 = tf.math.tanh(Z1)
    Z2 = tf.matmul(W2, A1) + b2
    A2 = tf.math.sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y) -> tf.Tensor:
    """J = -1/m Σ (Y log A2 + (1 - Y) log(1 - A2)), the notes' eq. (13), as a scalar tensor.

    A2, Y (1, m). The formula as written (log(0) at an A2 rounded to 0 or 1, as in the course). Its tape
    gradient with respect to Z2 is (A2 - Y)/m up to rounding: the dZ2 = A2 - Y of the notes.
    The sum runs over the last two axes, so A2 (S, 1, m) of S stacked parameter sets gives J (S,).
    """
    if _eager(A2, Y):  # stacked sets (S, 1, m) come in graph mode only, from the parity suite's teacher forcing
        checked, Y, _ = check_course_prediction(np.asarray(A2), np.asarray(Y), "A2")
        A2 = tf.reshape(A2, checked.shape)  # a 1-D A2 (m,) beside Y (1, m) is read as (1, m); the tape follows
    A2 = tf.convert_to_tensor(A2)
    Y = tf.cast(Y, A2.dtype)  # labels 0/1 are exact in every float dtype
    m = tf.cast(tf.shape(Y)[-1], A2.dtype)
    logprobs = Y * tf.math.log(A2) + (1 - Y) * tf.math.log(1 - A2)
    return -tf.reduce_sum(logprobs, axis=[-2, -1]) / m


def compute_grads(X, Y, parameters: Mapping) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """dJ/dW1, dJ/db1, dJ/dW2, dJ/db2 by GradientTape: the tape records forward + cost (13) and differentiates.

    The tape plays the role of the course's `cache` (NumPy: `backward_propagation(parameters, cache, X, Y)`).
    X (n_x, m), Y (n_y, m), parameters {"W1": tf.Variable, ...} ->
    (cost J, grads {"dW1" (n_h, n_x), "db1" (n_h, 1), "dW2" (n_y, n_h), "db2" (n_y, 1)}).
    With S parameter sets stacked on a leading axis the cost is J (S,) and the tape differentiates its
    sum Σ_s J_s; J_s depends on set s only, so each set gets its own gradient dJ_s/dθ_s (S, ...).
    """
    if _eager(X, Y):
        n_x, _, n_y = check_two_layer_parameters(_arrays(parameters))
        X = check_X(np.asarray(X), n_x=n_x)
        Y = check_Y(np.asarray(Y), m=X.shape[1], n_y=n_y)
    with tf.GradientTape() as tape:
        A2, _ = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
    grads = tape.gradient(cost, [parameters[k] for k in PARAMETER_KEYS])
    return cost, {f"d{k}": g for k, g in zip(PARAMETER_KEYS, grads, strict=True)}


def update_parameters(parameters: Mapping, grads: Mapping, learning_rate: float = 1.2) -> Mapping:
    """θ := θ - α·dθ for θ in W1, b1, W2, b2, in place on the `tf.Variable`s (returns `parameters`).

    A Python α is made with `tf.constant(learning_rate, dtype)` (not `tf.cast`, which would round 1.2
    to float32 first), so a float64 run uses the float64 α = 1.2; a tensor α is used as it is.
    """
    if _eager(*grads.values()):
        check_two_layer_parameters(_arrays(parameters))
        check_grads(_arrays(parameters), _arrays(grads), PARAMETER_KEYS)
        check_learning_rate(learning_rate)
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
        cost, grads = _compute_grads_as_is(X, Y, parameters)
        costs = costs.write(i, cost)
        _update_parameters_as_is(parameters, grads, learning_rate)
    return costs.stack()


# AutoGraph converts only the loops (their `tf.range`); the step functions have no tensor-dependent control flow
# and are traced as they are (converting them, and Keras inside train_step, recursively made tracing slower).
_compute_grads_as_is = tf.autograph.experimental.do_not_convert(compute_grads)
_update_parameters_as_is = tf.autograph.experimental.do_not_convert(update_parameters)


# Traced once per dtype and shape; the variables are arguments, so new ones of a known shape reuse the
# trace. No reduce_retracing: its shape-relaxed trace of a loop over variables fails at run time for a
# third shape (TF 2.21: "Input to reshape is a tensor with 20 values, but the requested shape has 5").
_compiled_loop = tf.function(_gradient_descent_loop)


def train(X, Y, parameters: Mapping, num_iterations: int = 10000, learning_rate: float = 1.2,
          print_cost: bool = False) -> tuple[dict[str, np.ndarray], tf.Tensor]:
    """Gradient descent from `parameters` (arrays), compiled: all `num_iterations` steps in one tf.function call.

    NumPy's `train` with its arguments and checks: X (n_x, m), Y (n_y, m) with labels in {0, 1}, in the
    parameters' dtype. Returns the final parameters (arrays, course layout) and `costs (num_iterations,)`,
    costs[i] = J before update i. The first cost that is not finite (found after the compiled run), or final
    parameters that are not finite, raise NumPy's `FloatingPointError` naming the iteration.
    """
    X, Y = check_X_Y(np.asarray(X), np.asarray(Y))
    n_x, _, n_y = check_two_layer_parameters(_arrays(parameters))
    X = check_X(X, n_x=n_x)
    Y = check_Y(Y, m=X.shape[1], n_y=n_y)
    arrays = _arrays(parameters)
    dtypes = {np.asarray(arrays[k]).dtype for k in PARAMETER_KEYS}
    if dtypes != {X.dtype}:
        raise ValueError(f"parameters must have X's dtype {X.dtype} (cast them with .astype), "
                         f"got {sorted(map(str, dtypes))}")
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    check_learning_rate(learning_rate)
    variables = convert.to_variables({k: arrays[k] for k in PARAMETER_KEYS})
    dtype = variables["W1"].dtype
    costs = _compiled_loop(tf.constant(X, dtype), tf.constant(Y, dtype), *(variables[k] for k in PARAMETER_KEYS),
                           tf.constant(num_iterations, tf.int32), tf.constant(learning_rate, dtype=dtype))
    values = costs.numpy()
    for i in np.flatnonzero(~np.isfinite(values))[:1]:
        check_training_finite(int(i), learning_rate, cost=values[i])
    final = convert.to_parameters(variables)
    if num_iterations:
        check_training_finite(num_iterations - 1, learning_rate, **final)
    if print_cost:
        for i in range(0, num_iterations, 1000):
            print(f"Cost after iteration {i}: {values[i]:f}")
    return final, costs


# ---------------------------------------------------------------- part 2: Keras blocks


def build_model(n_x: int, n_h: int, parameters: Mapping | None = None) -> keras.Sequential:
    """Sequential([Dense(n_h, "tanh"), Dense(1)]) on inputs (m, n_x), in Keras's current floatx.

    The output layer is linear: the model returns Z2 (m, 1), and A2 = σ(Z2) is applied by `keras_forward` and,
    inside the loss, by `keras_binary_crossentropy()` (from the logits: finite for every Z2, where the course
    formula gives inf once σ(Z2) rounds to 1). With `parameters` (course layout), the weights are copied in by
    `convert.set_dense_weights` (kernel = Wᵀ, bias = b[:, 0]).
    """
    model = keras.Sequential([keras.Input((n_x,), dtype=keras.config.floatx()),
                              keras.layers.Dense(n_h, activation="tanh"), keras.layers.Dense(1)])
    if parameters is not None:
        convert.set_dense_weights(model, parameters)
    return model


def keras_forward(model: keras.Model, X) -> tuple[tf.Tensor, tf.Tensor]:
    """The model on course-layout X (n_x, m) -> (A2 (1, m), Z2 (1, m)), moved back through convert."""
    X = check_X(np.asarray(X), n_x=model.inputs[0].shape[-1])
    Z2 = convert.inputs_from_keras(model(tf.cast(convert.inputs_to_keras(X), model.trainable_variables[0].dtype)))
    return tf.math.sigmoid(Z2), Z2


def keras_gradients(model: keras.Model, X, Y) -> tuple[tf.Tensor, dict[str, np.ndarray]]:
    """The `keras_binary_crossentropy()` loss of `model` on course-layout X (n_x, m), Y (1, m) and its gradients
    as dW1, db1, ... in course layout (`convert.dense_grads_to_course`) -> (loss, grads)."""
    X = check_X(np.asarray(X), n_x=model.inputs[0].shape[-1])
    Y = check_Y(np.asarray(Y), m=X.shape[1], n_y=1, binary=True)
    dtype = model.trainable_variables[0].dtype
    x, y = tf.cast(convert.inputs_to_keras(X), dtype), tf.cast(convert.labels_to_keras(Y), dtype)
    loss, grads = loss_and_gradients(model, keras_binary_crossentropy(), x, y)
    return loss, convert.dense_grads_to_course(grads, model)


def loss_and_gradients(model: keras.Model, loss_fn, x, y) -> tuple[tf.Tensor, list]:
    """The loss of `model` on Keras-layout x (m, n_x), y (m, 1) and its tape gradients (trainable_variables order)."""
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return loss, tape.gradient(loss, model.trainable_variables)


def train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer, loss_fn, x, y) -> tf.Tensor:
    """One full-batch step on Keras-layout x (m, n_x), y (m, 1): loss, tape gradient, `apply_gradients`.

    Returns the loss before the update. Runs eagerly or inside a tf.function.
    """
    loss, grads = loss_and_gradients(model, loss_fn, x, y)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss


_train_step_as_is = tf.autograph.experimental.do_not_convert(train_step)


def make_train_loop(model: keras.Model, optimizer: keras.optimizers.Optimizer, jit_compile: bool = False):
    """A compiled full-batch training function `loop(x, y, num_iterations) -> losses (num_iterations,)`.

    `num_iterations` calls of `train_step` with `keras_binary_crossentropy()` in a loop over `tf.range` inside
    one `tf.function` (x, y in Keras layout). Tracing (and, with `jit_compile`, XLA compilation) happens on the
    first call.
    """
    loss_fn = keras_binary_crossentropy()
    optimizer.build(model.trainable_variables)  # create the optimizer's variables outside the graph

    @tf.function(jit_compile=jit_compile)
    def loop(x, y, num_iterations):
        losses = tf.TensorArray(x.dtype, size=num_iterations)
        for i in tf.range(num_iterations):
            losses = losses.write(i, _train_step_as_is(model, optimizer, loss_fn, x, y))
        return losses.stack()

    return loop


def train_keras(X, Y, parameters: Mapping, num_iterations: int = 10000, learning_rate: float = 1.2,
                jit_compile: bool = False) -> tuple[keras.Sequential, tf.Tensor]:
    """The Keras model started from `parameters` (course layout), trained full batch with `keras_sgd(α)`.

    X (n_x, m), Y (1, m), checked as NumPy's `train` checks them. Returns the trained model (its weights in
    course layout: `convert.dense_weights_to_parameters(model)`) and the loss before each update
    `(num_iterations,)`. `jit_compile=True` compiles the loop with XLA: the fastest path on CPU
    (benchmarks/planar.py); XLA's kernels round differently from TF's, and the parity rows "(Keras, XLA)" hold it
    to the same bounds.
    """
    X, Y = check_X_Y(np.asarray(X), np.asarray(Y))
    n_x, n_h, n_y = check_two_layer_parameters(_arrays(parameters))
    X = check_X(X, n_x=n_x)
    Y = check_Y(Y, m=X.shape[1], n_y=n_y)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    check_learning_rate(learning_rate)
    model = build_model(n_x, n_h, parameters)
    loop = make_train_loop(model, keras_sgd(learning_rate), jit_compile=jit_compile)
    dtype = model.trainable_variables[0].dtype
    x, y = tf.cast(convert.inputs_to_keras(X), dtype), tf.cast(convert.labels_to_keras(Y), dtype)
    losses = loop(x, y, tf.constant(num_iterations, tf.int32))
    values = losses.numpy()
    for i in np.flatnonzero(~np.isfinite(values))[:1]:
        check_training_finite(int(i), learning_rate, cost=values[i])
    return model, losses
