"""The deep (L-layer) network with TensorFlow: autodiff instead of the hand-written backward pass (concept A9).

Part 1, `tf.Variable` + `GradientTape`, in course layout (no transposes): the parameters are a list of
variables `[W1, b1, ..., WL, bL]` with `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`; the forward pass is the notes'
`Z[l] = W[l] A[l-1] + b[l]`, `A[l] = g[l](Z[l])`; the cost is computed from the logits `ZL` (stable); the tape
gives every `dW[l], db[l]`; the update is `W[l] -= α dW[l]`; the training loop is one `tf.function` over
`tf.range`.

Part 2, Keras blocks: a `keras.Sequential` of `Dense` layers built from the same `layer_dims` (inputs `(m, n_x)`,
`kernel = W.T`, all layout moves through `keras_impl.convert`), `BinaryCrossentropy(from_logits=True)` on the
last layer's logits, gradients by tape on that loss, `keras.optimizers.SGD`, and a compiled full-batch loop.

The output layer is linear (it returns `ZL`) and the sigmoid `AL = σ(ZL)` is applied by the loss and by
`predict`: the cost is then computed from logits on purpose (docs/traps.md, trap 3), finite for every
`ZL`, instead of Keras silently choosing between a clipped-probability path and a logits path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl.activations import activation as tf_activation

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape

HIDDEN = ("relu", "tanh", "sigmoid")  # the same op and the same name in tf.nn / tf.math and as a Dense activation


def _activations(L: int, activations: Sequence[str] | None) -> list[str]:
    if activations is None:
        return ["relu"] * (L - 1) + ["sigmoid"]
    activations = list(activations)
    if len(activations) != L:
        raise ValueError(f"activations must name one activation per layer (L = {L}), got {activations}")
    unknown = [g for g in activations[:-1] if g not in HIDDEN]
    if unknown:
        raise ValueError(f"hidden activations must be among {HIDDEN}, got {unknown}")
    if activations[-1] != "sigmoid":
        raise ValueError(f"the output layer must be 'sigmoid' (the cost is binary cross-entropy), got "
                         f"{activations[-1]!r}")
    return activations


def variables_from_parameters(parameters: Mapping, dtype=None) -> list[tf.Variable]:
    """`[W1, b1, ..., WL, bL]` as `tf.Variable`s in course layout, copied from a parameters dict.

    `dtype` defaults to the dtype of `W1` (float32 parameters give float32 variables).
    """
    L = convert.number_of_layers(parameters)
    dtype = tf.as_dtype(dtype or np.asarray(parameters["W1"]).dtype)
    return [tf.Variable(tf.constant(parameters[f"{p}{l}"], dtype=dtype), name=f"{p}{l}")
            for l in range(1, L + 1) for p in "Wb"]


def parameters_from_variables(variables: Sequence[tf.Variable]) -> dict[str, np.ndarray]:
    """The variables `[W1, b1, ..., WL, bL]` as a course parameters dict of arrays."""
    parameters = {}
    for l, (W, b) in enumerate(_pairs(variables), start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = W.numpy(), b.numpy()
    return parameters


def _pairs(variables: Sequence) -> list[tuple]:
    if len(variables) == 0 or len(variables) % 2:
        raise ValueError(f"variables must be [W1, b1, ..., WL, bL] (an even, non-zero count), got {len(variables)}")
    return list(zip(variables[0::2], variables[1::2], strict=True))


def _forward(A, variables: Sequence, activations: Sequence[str] | None):
    """A[0] = A, then every layer; returns ([A[0], ..., A[L-1]], AL, ZL)."""
    pairs = _pairs(variables)
    names = _activations(len(pairs), activations)
    if A.shape.rank != 2 or A.shape[0] != variables[0].shape[1]:
        raise ValueError(f"X must be (n_x, m) with n_x = {variables[0].shape[1]}, got shape {tuple(A.shape)}")
    inputs, Z = [], A
    for (W, b), g in zip(pairs, names, strict=True):
        inputs.append(A)
        Z = tf.matmul(W, A) + b
        A = tf_activation(g)(Z)
    return inputs, A, Z


def L_model_forward(X, variables: Sequence, activations: Sequence[str] | None = None):
    """Z[l] = W[l]·A[l-1] + b[l], A[l] = g[l](Z[l]), [RELU] x (L-1) then SIGMOID, in course layout.

    X (n_x, m), variables [W1, b1, ..., WL, bL] -> (AL (1, m), ZL (1, m)).
    """
    _, AL, ZL = _forward(tf.convert_to_tensor(X, dtype=variables[0].dtype), variables, activations)
    return AL, ZL


def compute_cost_from_logits(ZL, Y) -> tf.Tensor:
    """J = 1/m Σ (max(Z, 0) - Z·Y + log(1 + e^(-|Z|))) = -1/m Σ (Y log AL + (1-Y) log(1-AL)), AL = σ(ZL).

    `tf.nn.sigmoid_cross_entropy_with_logits` averaged over the m examples. ZL, Y (1, m) -> scalar.
    """
    ZL = tf.convert_to_tensor(ZL)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(Y, ZL.dtype), logits=ZL))


def compute_grads(X, Y, variables: Sequence, activations: Sequence[str] | None = None):
    """The cost J and `[dW1, db1, ..., dWL, dbL]` = ∂J/∂[W1, b1, ...] by GradientTape (no hand-written backward)."""
    with tf.GradientTape() as tape:
        _, ZL = L_model_forward(X, variables, activations)
        cost = compute_cost_from_logits(ZL, Y)
    return cost, tape.gradient(cost, list(variables))


def activation_grads(X, Y, variables: Sequence, activations: Sequence[str] | None = None) -> dict[str, tf.Tensor]:
    """∂J/∂A[l] for l = 0..L-1 by tape (A[0] = X), keyed like the course: `{"dA0": ..., "dA{L-1}": ...}`.

    The course's backward pass starts from dAL = -(Y/AL - (1-Y)/(1-AL)), the derivative of the per-example
    loss, and divides by m only in dW and db; so its `dA[l]` is `m · ∂J/∂A[l]` (the parity test multiplies by m).
    """
    X = tf.convert_to_tensor(X, dtype=variables[0].dtype)
    with tf.GradientTape() as tape:
        tape.watch(X)  # X is a constant, not a Variable: the tape must be told to follow it
        inputs, _, ZL = _forward(X, variables, activations)
        cost = compute_cost_from_logits(ZL, Y)
    return {f"dA{l}": g for l, g in enumerate(tape.gradient(cost, inputs))}


def update_parameters(variables: Sequence, grads: Sequence, learning_rate) -> None:
    """W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l], in place on the variables.

    α becomes a constant of the variables' dtype (`tf.constant(α, float64)` is exact; `tf.cast` of a Python
    float would round it through float32 first).
    """
    for v, g in zip(variables, grads, strict=True):
        v.assign_sub(tf.constant(learning_rate, dtype=v.dtype) * g)


def L_layer_model(X, Y, variables: Sequence, learning_rate, num_iterations: int,
                  activations: Sequence[str] | None = None) -> tf.Tensor:
    """`num_iterations` full-batch steps of forward, cost, tape gradient, update, compiled as one `tf.function`.

    Trains `variables` in place; returns the cost of every iteration (before its update), shape
    `(num_iterations,)`: the course's `costs` are every 100th of them.
    """
    dtype = variables[0].dtype
    X = tf.constant(X, dtype=dtype)
    Y = tf.constant(Y, dtype=dtype)

    @tf.function
    def loop(n):
        costs = tf.TensorArray(dtype, size=n)
        for i in tf.range(n):
            cost, grads = compute_grads(X, Y, variables, activations)
            update_parameters(variables, grads, learning_rate)
            costs = costs.write(i, cost)
        return costs.stack()

    return loop(tf.constant(num_iterations))


def predict(X, variables: Sequence, activations: Sequence[str] | None = None) -> tf.Tensor:
    """ŷ = 1 where AL > 0.5, else 0, as a `(1, m)` tensor of the variables' dtype."""
    AL, _ = L_model_forward(X, variables, activations)
    return tf.cast(AL > 0.5, AL.dtype)


# ---------------------------------------------------------------- part 2: Keras blocks


def build_model(layer_dims: Sequence[int], activations: Sequence[str] | None = None,
                kernel_initializers: Sequence | None = None) -> keras.Sequential:
    """`Sequential([Input((n_x,)), Dense(n_1, g1), ..., Dense(n_L)])`: one Dense per layer of `layer_dims`.

    Hidden layers carry their activation; the last Dense is linear (it outputs the logits ZL, `(m, n_L)`), its
    sigmoid being applied by `keras_loss()` (from_logits=True) and by `keras_forward`. `kernel_initializers`:
    one Keras initializer per layer (default: Keras's GlorotUniform); biases start at zero. The weights take
    Keras's floatx; copy course parameters in with `convert.set_dense_weights(model, parameters)`.
    """
    dims = list(layer_dims)
    if len(dims) < 2:
        raise ValueError(f"layer_dims must be (n_x, n_1, ..., n_L) with L >= 1, got {layer_dims!r}")
    L = len(dims) - 1
    names = _activations(L, activations)
    initializers = list(kernel_initializers) if kernel_initializers is not None else ["glorot_uniform"] * L
    if len(initializers) != L:
        raise ValueError(f"kernel_initializers must hold one initializer per layer (L = {L}), got {len(initializers)}")
    layers = [keras.Input((dims[0],))]
    for l in range(1, L + 1):
        g = names[l - 1] if l < L else None  # the output layer returns the logits ZL
        layers.append(keras.layers.Dense(dims[l], activation=g, kernel_initializer=initializers[l - 1],
                                         name=f"layer{l}"))
    return keras.Sequential(layers)


def keras_loss() -> keras.losses.BinaryCrossentropy:
    """`BinaryCrossentropy(from_logits=True)` in Keras's floatx: the mean over m of the stable per-example loss."""
    return keras.losses.BinaryCrossentropy(from_logits=True, dtype=keras.config.floatx())


def keras_sgd(learning_rate) -> keras.optimizers.SGD:
    """`SGD(learning_rate=α)`: `variable -= α·gradient`, the notes' update.

    α goes in as `np.float64`, the safe form for float64 runs (trap 1); Keras 3.15 stores SGD's learning rate
    exactly even from a Python float (measured), unlike momentum or Adam's betas.
    """
    return keras.optimizers.SGD(learning_rate=np.float64(learning_rate))


def keras_forward(model: keras.Model, X):
    """The model on course-layout X (n_x, m) -> (AL (n_L, m), ZL (n_L, m)), moved back through convert."""
    ZL = convert.inputs_from_keras(model(convert.inputs_to_keras(X)))
    return tf.math.sigmoid(ZL), ZL


def keras_gradients(model: keras.Model, X, Y, loss=None):
    """The Keras loss J and its gradients by tape, as course grads `{"dW1": dkernel1.T, "db1": ..., ...}`."""
    loss = loss or keras_loss()
    with tf.GradientTape() as tape:
        cost = loss(convert.labels_to_keras(Y), model(convert.inputs_to_keras(X), training=True))
    grads = tape.gradient(cost, model.trainable_variables)
    return cost, convert.dense_grads_to_course(grads, model)


def make_train_function(model: keras.Model, loss, optimizer: keras.optimizers.Optimizer):
    """A compiled full-batch trainer `train(X, Y, num_iterations) -> costs (num_iterations,)`.

    Every iteration: loss on all m examples, gradients by tape, `optimizer.apply_gradients`; the loop is a
    `tf.function` over `tf.range` (what `model.fit(batch_size=m, shuffle=False)` does, without its per-epoch
    Python overhead). X (n_x, m) and Y (n_y, m) are in course layout and moved once through convert.
    """
    optimizer.build(model.trainable_variables)

    @tf.function
    def loop(x, y, n):
        costs = tf.TensorArray(x.dtype, size=n)
        for i in tf.range(n):
            with tf.GradientTape() as tape:
                cost = loss(y, model(x, training=True))
            grads = tape.gradient(cost, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            costs = costs.write(i, cost)
        return costs.stack()

    def train(X, Y, num_iterations: int) -> tf.Tensor:
        dtype = model.trainable_variables[0].dtype
        x = tf.cast(convert.inputs_to_keras(X), dtype)
        y = tf.cast(convert.labels_to_keras(Y), dtype)
        return loop(x, y, tf.constant(num_iterations))

    return train


def keras_predict(model: keras.Model, X) -> tf.Tensor:
    """ŷ = 1 where σ(ZL) > 0.5, else 0, course layout `(n_L, m)`."""
    AL, _ = keras_forward(model, X)
    return tf.cast(AL > 0.5, AL.dtype)
