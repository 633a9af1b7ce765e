"""A shallow network (tanh hidden layer, sigmoid output) on the TF side (concept A7).

Part 1, tape: `tf.Variable`s W1, b1, W2, b2 in course layout (`X (n_x, m)`, `W1 (n_h, n_x)` ...), the
forward pass and the notes' cost (13) in TF ops, gradients by `tf.GradientTape` (no hand-written backward
equation), the gradient-descent update, and a compiled training loop (`tf.function` over
`tf.range(num_iterations)`) that runs the whole course-length training in one call. The same functions
also run on S parameter sets stacked on a leading axis (`W1 (S, n_h, n_x)` ...): `one_step_from_each_state`
takes one step from each of them at once ("teacher forcing": one step from every iterate of a given run).
Part 2, Keras: `Sequential([Dense(n_h, "tanh"), Dense(1, "sigmoid")])`, `BinaryCrossentropy`, `SGD`,
trained full batch by a custom train step looped inside one `tf.function`, optionally XLA-compiled
(`model.fit` costs ~27 ms per epoch: too slow for 10000 epochs), and the same teacher forcing one state
after the other (`one_step_from_each_state_keras`); layouts go through `keras_impl.convert`.

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
GRAD_KEYS = ("dW1", "db1", "dW2", "db2")

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
    The sum runs over the last two axes, so A2 (S, 1, m) of S stacked parameter sets gives J (S,).
    """
    A2 = tf.convert_to_tensor(A2)
    Y = tf.cast(Y, A2.dtype)  # labels 0/1 are exact in every float dtype
    m = tf.cast(tf.shape(Y)[-1], A2.dtype)
    logprobs = Y * tf.math.log(A2) + (1 - Y) * tf.math.log(1 - A2)
    return -tf.reduce_sum(logprobs, axis=[-2, -1]) / m


def backward_propagation(parameters: Mapping, X, Y) -> tuple[dict[str, tf.Tensor], tf.Tensor]:
    """dJ/dW1, dJ/db1, dJ/dW2, dJ/db2 by GradientTape: the tape records forward + cost (13) and differentiates.

    The tape plays the role of the course's `cache`. X (n_x, m), Y (n_y, m) ->
    (grads {"dW1" (n_h, n_x), "db1" (n_h, 1), "dW2" (n_y, n_h), "db2" (n_y, 1)}, cost J).
    With S parameter sets stacked on a leading axis the cost is J (S,) and the tape differentiates its
    sum Σ_s J_s; J_s depends on set s only, so each set gets its own gradient dJ_s/dθ_s (S, ...).
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


# Traced once per dtype and shape; the variables are arguments, so new ones of a known shape reuse the
# trace. No reduce_retracing: its shape-relaxed trace of a loop over variables fails at run time for a
# third shape (TF 2.21: "Input to reshape is a tensor with 20 values, but the requested shape has 5").
_compiled_loop = tf.function(_gradient_descent_loop)


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


def _step_from_each_state(X, Y, W1, b1, W2, b2, learning_rate):
    """One step on stacked variables (S, ...), in graph mode: -> (J (S,), grads (S, ...)); updates in place."""
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads, costs = backward_propagation(parameters, X, Y)
    update_parameters(parameters, grads, learning_rate)
    return costs, grads


# One trace per shape, as _compiled_loop; no tensor-dependent control flow, so no AutoGraph (faster tracing).
_compiled_step_from_each_state = tf.function(_step_from_each_state, autograph=False)


def _stacked_states(states: Mapping) -> int:
    """The number S of parameter sets stacked in `states` {"W1" (S, n_h, n_x), ...}, after checking shapes."""
    shapes = {k: np.shape(states[k]) for k in PARAMETER_KEYS if k in states}
    if len(shapes) < len(PARAMETER_KEYS):
        raise KeyError(f"states is missing key(s) {[k for k in PARAMETER_KEYS if k not in states]}; "
                       f"it has {sorted(states)}")
    if any(len(shape) != 3 for shape in shapes.values()) or len({shape[0] for shape in shapes.values()}) != 1:
        raise ValueError("states must stack S parameter sets on a leading axis: W1 (S, n_h, n_x), b1 (S, n_h, 1), "
                         f"W2 (S, n_y, n_h), b2 (S, n_y, 1); got {shapes}")
    return shapes["W1"][0]


def one_step_from_each_state(X, Y, states: Mapping, learning_rate: float = 1.2,
                             chunk_size: int = 2000) -> tuple[np.ndarray, dict, dict]:
    """Teacher forcing on the tape: one gradient-descent step from each of S given parameter sets.

    states {"W1" (S, n_h, n_x), "b1" (S, n_h, 1), "W2" (S, n_y, n_h), "b2" (S, n_y, 1)} (e.g. every iterate
    of a recorded run), X (n_x, m), Y (n_y, m), in the states' dtype. All S sets go through the part-1
    functions at once: `forward_propagation` (tf.matmul broadcasts W1 (S, n_h, n_x) against X, so
    Z1 (S, n_h, m)), `compute_cost` (J (S,)), `backward_propagation` (the tape, one gradient per set) and
    `update_parameters`, in one `tf.function` call per chunk of `chunk_size` sets (a hidden activation
    of 2000 sets, 4 units, m = 400 is 26 MB in float64). ->
    (costs J (S,), grads {"dW1" (S, n_h, n_x), ...}, next {"W1" (S, n_h, n_x), ...}), next = θ - α·dθ.
    """
    S = _stacked_states(states)
    dtype = tf.convert_to_tensor(states["W1"]).dtype
    X, Y = tf.convert_to_tensor(X, dtype=dtype), tf.cast(Y, dtype)
    alpha = tf.constant(learning_rate, dtype=dtype)
    costs, grads, after = [], {f"d{k}": [] for k in PARAMETER_KEYS}, {k: [] for k in PARAMETER_KEYS}
    for start in range(0, S, chunk_size):
        variables = initialize_variables({k: states[k][start:start + chunk_size] for k in PARAMETER_KEYS})
        chunk_costs, chunk_grads = _compiled_step_from_each_state(
            X, Y, *(variables[k] for k in PARAMETER_KEYS), alpha)
        costs.append(chunk_costs.numpy())
        for key in PARAMETER_KEYS:
            grads[f"d{key}"].append(chunk_grads[f"d{key}"].numpy())
            after[key].append(variables[key].numpy())
    return (np.concatenate(costs), {k: np.concatenate(v) for k, v in grads.items()},
            {k: np.concatenate(v) for k, v in after.items()})


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
    """BinaryCrossentropy in floatx (its dtype is fixed at construction: docs/traps.md, trap 2).

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
    x, y = convert.inputs_to_keras(X), convert.labels_to_keras(Y)
    loss, grads = _loss_and_gradients(model, binary_crossentropy(), x, tf.cast(y, x.dtype))
    return convert.dense_grads_to_course(grads, model), loss


def _loss_and_gradients(model: keras.Model, loss_fn, x, y) -> tuple[tf.Tensor, list]:
    """The loss of `model` on Keras-layout x (m, n_x), y (m, 1) and its tape gradients (trainable_variables order)."""
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return loss, tape.gradient(loss, model.trainable_variables)


def sgd(learning_rate: float = 1.2) -> keras.optimizers.SGD:
    """SGD(learning_rate=np.float64(α)): plain θ -= α·g; np.float64 keeps α = 1.2 exact in float64 (trap 1)."""
    return keras.optimizers.SGD(learning_rate=np.float64(learning_rate))


def train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer, loss_fn, x, y) -> tf.Tensor:
    """One full-batch step on Keras-layout x (m, n_x), y (m, 1): loss, tape gradient, `apply_gradients`.

    Returns the loss before the update. Runs eagerly or inside a tf.function.
    """
    loss, grads = _loss_and_gradients(model, loss_fn, x, y)
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


def one_step_from_each_state_keras(X, Y, states: Mapping,
                                   learning_rate: float = 1.2) -> tuple[np.ndarray, dict, dict]:
    """Teacher forcing through Keras: one `SGD` step of the Sequential model from each of S parameter sets.

    states {"W1" (S, n_h, n_x), ...} as in `one_step_from_each_state`; X (n_x, m), Y (1, m). A Keras layer
    holds one set of weights, so the sets go one after the other, in a loop over `tf.range(S)` inside one
    `tf.function`: copy set s into the model (`convert.set_dense_weights`), BinaryCrossentropy and its
    tape gradients, `SGD.apply_gradients`, then read the gradients and the new weights back in course
    layout (through `convert`). Computes in Keras's floatx. ->
    (losses (S,), grads {"dW1" (S, n_h, n_x), ...}, next {"W1" (S, n_h, n_x), ...}).
    """
    S = _stacked_states(states)
    _, n_h, n_x = np.shape(states["W1"])
    model = build_model(n_x, n_h)
    dense1, dense2 = model.layers
    optimizer, loss_fn = sgd(learning_rate), binary_crossentropy()
    optimizer.build(model.trainable_variables)
    position = {id(v): i for i, v in enumerate(model.trainable_variables)}
    dtype = keras.config.floatx()
    x = convert.inputs_to_keras(tf.convert_to_tensor(X, dtype=dtype))
    y = tf.cast(convert.labels_to_keras(Y), dtype)

    # The body has no tensor-dependent control flow: kept out of AutoGraph, it traces ~3x faster.
    @tf.autograph.experimental.do_not_convert
    def one_step(state: dict) -> dict:
        convert.set_dense_weights(model, state)
        loss, grads = _loss_and_gradients(model, loss_fn, x, y)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        values = {"loss": loss}
        for l, layer in ((1, dense1), (2, dense2)):
            values[f"dW{l}"] = convert.kernel_to_W(grads[position[id(layer.kernel)]])
            values[f"db{l}"] = convert.bias_to_b(grads[position[id(layer.bias)]])
            values[f"W{l}"], values[f"b{l}"] = convert.kernel_to_W(layer.kernel), convert.bias_to_b(layer.bias)
        return values

    @tf.function
    def loop(W1, b1, W2, b2):
        outputs = {key: tf.TensorArray(dtype, size=S) for key in ("loss", *GRAD_KEYS, *PARAMETER_KEYS)}
        for s in tf.range(S):
            values = one_step({"W1": W1[s], "b1": b1[s], "W2": W2[s], "b2": b2[s]})
            outputs = {key: array.write(s, values[key]) for key, array in outputs.items()}
        return {key: array.stack() for key, array in outputs.items()}

    out = {k: v.numpy() for k, v in loop(*(tf.convert_to_tensor(states[k]) for k in PARAMETER_KEYS)).items()}
    return out["loss"], {k: out[k] for k in GRAD_KEYS}, {k: out[k] for k in PARAMETER_KEYS}
