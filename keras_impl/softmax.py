"""Softmax regression and an L-layer softmax network with TensorFlow and Keras (concept B18).

Which NumPy function (numpy_impl/softmax.py) each function here mirrors:

- `softmax_forward_logits(X, variables)` mirrors `softmax_forward`: returns (AL, ZL), no caches (the tape
  keeps what backward needs).
- `softmax_cost`, `softmax_cost_from_logits`, `softmax_predict`, `labels_from_one_hot`: the same names, the
  same arguments, the same results ((1, m) class indices for the last two).
- `softmax_grads(X, Y, variables)` mirrors `softmax_backward`: every gradient by tape; its ∂J/∂Z[L] and
  ∂J/∂A[l] lack the course's factor m (the course applies 1/m only in dW, db).
- `update_variables(variables, grads, α)` mirrors the update `W := W - α dW` (in place on the variables), i.e.
  `numpy_impl.deep_network.update_parameters`.
- `softmax_train_tape(X, Y, variables, α, n)` mirrors `softmax_gradient_descent`: one `tf.function` (traced
  once per network shape and dtype, reused by later calls), returns the n costs (the variables are trained in
  place).
- Part 2, `build_softmax_model`, `keras_softmax_forward`, `keras_softmax_gradients`, `keras_softmax_predict`,
  `make_train_function`: the same network as Keras blocks, in Keras layout through `keras_impl.convert`
  (mirroring `softmax_forward`, `softmax_backward`, `softmax_predict`, `softmax_gradient_descent`; the model
  builder has no NumPy twin); `keras_categorical_crossentropy` and `keras_sparse_categorical_crossentropy`
  mirror `softmax_cost_from_logits`.

Part 1, `tf.Variable` + `GradientTape`, course layout: the parameters are `convert.to_variables(parameters)`
(`{"W1": Variable (n_1, n_x), "b1": (n_1, 1), ...}`), `Z[l] = W[l] A[l-1] + b[l]`, the softmax over the
classes (axis 0) and the categorical cross-entropy of `keras_impl.losses` (log-softmax over axis 0);
autodiff gives every gradient.

Part 2, Keras blocks: `Dense(n_l, relu)` per hidden layer and a linear `Dense(C)` that returns the logits
`(m, C)`; `CategoricalCrossentropy(from_logits=True)` on one-hot targets `(m, C)` or
`SparseCategoricalCrossentropy(from_logits=True)` on the class indices: both are the notes' J, the mean over
m of `-log softmax(z)[true class]`, and both give dZ[L] = (AL - Y)/m. From logits on purpose: with
probabilities, CategoricalCrossentropy renormalises and clips them (docs/traps.md, trap 3).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert, losses
from keras_impl.activations import activation as tf_activation
from numpy_impl.validation import (
    check_count,
    check_learning_rate,
    check_prediction_and_labels,
    check_training_finite,
    check_X,
    number_of_layers,
)

# Which NumPy function (numpy_impl.softmax; "deep_network.update_parameters" in numpy_impl.deep_network) each
# function here mirrors, as the docstring says; the docs site pairs the code columns from it (test_twins.py checks).
MIRRORS = {
    "B18": {
        "softmax_forward_logits": "softmax_forward",
        "softmax_cost": "softmax_cost",
        "softmax_cost_from_logits": "softmax_cost_from_logits",
        "softmax_grads": "softmax_backward",
        "update_variables": "deep_network.update_parameters",
        "softmax_train_tape": "softmax_gradient_descent",
        "softmax_predict": "softmax_predict",
        "labels_from_one_hot": "labels_from_one_hot",
        "keras_softmax_forward": "softmax_forward",
        "keras_categorical_crossentropy": "softmax_cost_from_logits",
        "keras_sparse_categorical_crossentropy": "softmax_cost_from_logits",
        "keras_softmax_gradients": "softmax_backward",
        "make_train_function": "softmax_gradient_descent",
        "keras_softmax_predict": "softmax_predict",
        "build_softmax_model": None,
    },
}
# The Keras-block versions and how they map onto the notes' softmax layer and cross-entropy.
KERAS_BLOCKS = {
    "build_softmax_model": "Dense(n_l, g) per hidden layer and a linear Dense(C) that returns the logits ZL.T (m, C): "
    "the softmax is left to the loss (from logits) and to keras_softmax_forward; kernel = W.T, bias = b.",
    "keras_softmax_forward": "the model's logits moved back to course layout (C, m), then softmax over the classes "
    "(axis 0): the notes' t = e^Z, A = t/Σ t.",
    "keras_categorical_crossentropy": "CategoricalCrossentropy(from_logits=True) on one-hot targets Y.T (m, C): the "
    "notes' J = -1/m Σ Y log softmax(Z), computed stably from the logits (on probabilities Keras would renormalise "
    "and clip them).",
    "keras_sparse_categorical_crossentropy": "SparseCategoricalCrossentropy(from_logits=True) on the class indices: "
    "the same J, the mean over m of -log softmax(z)[true class].",
    "keras_softmax_gradients": "the Keras loss and its gradients by tape, moved back as dW = dkernel.T, db = dbias: "
    "the course's dW, db (its dZ[L] = AL - Y carries the 1/m only in dW, db).",
    "make_train_function": "full-batch gradient descent: the loss on all m examples, tape, optimizer.apply_gradients "
    "(SGD(α): W := W - α dW) in one tf.function, the course's softmax_gradient_descent.",
    "keras_softmax_predict": "argmax over the classes of the model's logits (the same class as argmax of softmax): "
    "the course's softmax_predict.",
}

HIDDEN = ("relu", "tanh", "sigmoid")

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def _hidden(hidden: str) -> str:
    if hidden not in HIDDEN:
        raise ValueError(f"hidden must be one of {HIDDEN}, got {hidden!r}")
    return hidden


def _checked(X, variables: Mapping, hidden: str) -> tf.Tensor:
    """X as a tensor of the variables' dtype, after the checks the NumPy twin makes (same errors)."""
    number_of_layers(variables)
    _hidden(hidden)
    return tf.convert_to_tensor(check_X(np.asarray(X), n_x=variables["W1"].shape[1]), dtype=variables["W1"].dtype)


def _forward(A, variables: Mapping, hidden: str):
    """A[0] = A; returns ([A[0], ..., A[L-1]], AL, ZL). No checks (it also runs inside tf.function)."""
    L = sum(1 for k in variables if k.startswith("W"))
    g = tf_activation(hidden)
    inputs = []
    for l in range(1, L):
        inputs.append(A)
        A = g(tf.matmul(variables[f"W{l}"], A) + variables[f"b{l}"])
    inputs.append(A)
    ZL = tf.matmul(variables[f"W{L}"], A) + variables[f"b{L}"]
    return inputs, tf.nn.softmax(ZL, axis=0), ZL


def softmax_forward_logits(X, variables: Mapping, hidden: str = "relu"):
    """[LINEAR -> g] x (L-1) -> LINEAR -> SOFTMAX in course layout.  X (n_x, m) -> (AL (C, m), ZL (C, m))."""
    _, AL, ZL = _forward(_checked(X, variables, hidden), variables, hidden)
    return AL, ZL


def _cost_from_logits(ZL, Y):
    return losses.categorical_cross_entropy_from_logits(ZL, Y)


def softmax_cost_from_logits(ZL, Y) -> tf.Tensor:
    """J = -1/m Σ Y·log softmax(ZL), `tf.nn.log_softmax` over the classes (keras_impl.losses).

    ZL, Y (C, m), Y one-hot -> scalar of ZL's dtype (checked as the NumPy twin checks it).
    """
    ZL = tf.convert_to_tensor(ZL)
    check_prediction_and_labels(ZL.numpy(), np.asarray(Y), "Z", one_hot=True)
    return _cost_from_logits(ZL, tf.cast(Y, ZL.dtype))


def softmax_cost(AL, Y) -> tf.Tensor:
    """J = -1/m Σ Y log AL, the notes' formula on probabilities (inf where the true class has AL = 0).

    AL, Y (C, m) -> scalar. The textbook formula written with TF ops, not a Keras loss (which would clip).
    """
    AL = tf.convert_to_tensor(AL)
    check_prediction_and_labels(AL.numpy(), np.asarray(Y), "AL", probabilities=True, one_hot=True)
    return losses.categorical_cross_entropy(AL, tf.cast(Y, AL.dtype))


def softmax_grads(X, Y, variables: Mapping, hidden: str = "relu"):
    """J and its gradients by GradientTape: (cost, grads) with grads {"dW{l}", "db{l}", "dZ{L}", "dA{l}"}.

    Every entry is ∂J/∂(quantity) of the mean cost: `dW`, `db` equal the course's; `dZ{L}` is (AL - Y)/m and
    `dA{l}` is ∂J/∂A[l], the course's `dZ[L] = AL - Y` and `dA[l]` divided by m (the course applies the 1/m in
    dW and db only).
    """
    X = _checked(X, variables, hidden)
    L = number_of_layers(variables)
    Y = tf.cast(Y, X.dtype)
    with tf.GradientTape() as tape:
        inputs, _, ZL = _forward(X, variables, hidden)
        cost = _cost_from_logits(ZL, Y)
    keys = list(variables)
    sources = [variables[k] for k in keys] + [ZL] + inputs[1:]
    out = tape.gradient(cost, sources)
    grads = {f"d{k}": g for k, g in zip(keys, out[:len(keys)], strict=True)}
    grads[f"dZ{L}"] = out[len(keys)]
    grads.update({f"dA{l}": g for l, g in enumerate(out[len(keys) + 1:], start=1)})
    return cost, grads


def update_variables(variables: Mapping, grads: Mapping, learning_rate) -> None:
    """W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l] in place, α a constant of the variables' dtype.

    `tf.constant(α, float64)` is exact (`tf.cast` of a Python float would go through float32).
    """
    for k, v in variables.items():
        v.assign_sub(tf.constant(learning_rate, dtype=v.dtype) * grads[f"d{k}"])


@functools.cache
def _tape_loop(names: tuple[str, ...], hidden: str):
    """The compiled training loop of `softmax_train_tape` for the parameter keys `names`, traced once per
    dtype and shapes: X, Y, the variables, α and n are arguments (variables are traced by shape and dtype), so
    later runs with new variables of the same shapes reuse the trace."""

    @tf.function(reduce_retracing=True)
    def loop(X, Y, variable_list, alpha, n):
        variables = dict(zip(names, variable_list, strict=True))
        costs = tf.TensorArray(X.dtype, size=n)
        for i in tf.range(n):
            with tf.GradientTape() as tape:
                _, _, ZL = _forward(X, variables, hidden)
                cost = _cost_from_logits(ZL, Y)
            grads = tape.gradient(cost, variable_list)
            for v, g in zip(variable_list, grads, strict=True):
                v.assign_sub(alpha * g)
            costs = costs.write(i, cost)
        return costs.stack()

    return loop


def softmax_train_tape(X, Y, variables: Mapping, learning_rate, num_iterations: int,
                       hidden: str = "relu") -> tf.Tensor:
    """`num_iterations` full-batch steps (forward, cost from logits, tape gradient, update) in one `tf.function`.

    X (n_x, m), Y (C, m) one-hot; trains `variables` in place and returns the cost of every iteration (before
    its update), shape `(num_iterations,)`.
    """
    number_of_layers(variables)
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    dtype = variables["W1"].dtype
    X = _checked(X, variables, hidden)
    check_prediction_and_labels(np.zeros((variables[f"b{number_of_layers(variables)}"].shape[0], X.shape[1])), Y,
                                "ZL", one_hot=True)
    Y = tf.constant(Y, dtype=dtype)
    alpha = tf.constant(learning_rate, dtype=dtype)
    names = tuple(variables)
    costs = _tape_loop(names, hidden)(X, Y, [variables[k] for k in names], alpha, tf.constant(num_iterations))
    finite = np.isfinite(costs.numpy())
    if not finite.all():  # the compiled loop ran on; report the first non-finite cost as the NumPy twin does
        i = int(np.argmin(finite))
        check_training_finite(i, learning_rate, cost=costs[i].numpy())
    return costs


def softmax_predict(X, variables: Mapping, hidden: str = "relu") -> tf.Tensor:
    """ŷ = argmax_c AL[c, i].  X (n_x, m) -> (1, m) int64 class indices."""
    AL, _ = softmax_forward_logits(X, variables, hidden)
    return tf.argmax(AL, axis=0)[None, :]


def labels_from_one_hot(Y) -> tf.Tensor:
    """One-hot `Y (C, m)` -> the class indices `y (1, m)` (int64), by `tf.argmax` over the classes."""
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(f"Y must be one-hot with shape (C, m), got shape {Y.shape}")
    check_prediction_and_labels(np.zeros(Y.shape), Y, "Y", one_hot=True)
    return tf.argmax(Y, axis=0)[None, :]


# ---------------------------------------------------------------- part 2: Keras blocks


def build_softmax_model(layer_dims, hidden: str = "relu") -> keras.Sequential:
    """`Sequential([Input((n_x,)), Dense(n_1, g), ..., Dense(C)])` for `layer_dims (n_x, n_1, ..., C)`.

    The last Dense is linear: it returns the logits `(m, C)`; the softmax is applied by the loss (from logits)
    and by `keras_softmax_forward`. Weights in Keras's floatx; copy course parameters in with
    `convert.set_dense_weights(model, parameters)`.
    """
    dims = list(layer_dims)
    if len(dims) < 2 or not all(isinstance(n, int) and n >= 1 for n in dims):
        raise ValueError(f"layer_dims must be a list of positive ints [n_x, ..., C], got {layer_dims!r}")
    g = _hidden(hidden)
    L = len(dims) - 1
    layers = [keras.Input((dims[0],), dtype=keras.config.floatx())]
    for l in range(1, L + 1):
        layers.append(keras.layers.Dense(dims[l], activation=g if l < L else None, name=f"layer{l}"))
    return keras.Sequential(layers)


def keras_categorical_crossentropy() -> keras.losses.CategoricalCrossentropy:
    """`CategoricalCrossentropy(from_logits=True)` in floatx (keras_impl.losses): mean over m of
    -Σ_c y log softmax(z), one-hot y."""
    return losses.keras_loss("categorical_cross_entropy_from_logits", keras.config.floatx())


def keras_sparse_categorical_crossentropy() -> keras.losses.SparseCategoricalCrossentropy:
    """`SparseCategoricalCrossentropy(from_logits=True)` in floatx: the same J from the class indices."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=keras.config.floatx())


def keras_softmax_forward(model: keras.Model, X):
    """The model on course-layout X (n_x, m) -> (AL (C, m), ZL (C, m)), moved back through convert."""
    ZL = convert.inputs_from_keras(model(convert.inputs_to_keras(X)))
    return tf.nn.softmax(ZL, axis=0), ZL


def keras_softmax_gradients(model: keras.Model, X, Y, loss):
    """The Keras loss J and its gradients by tape, as course grads `{"dW1": dkernel1.T, "db1": ..., ...}`.

    Y is course layout: one-hot `(C, m)` for CategoricalCrossentropy, class indices `(1, m)` for the sparse
    loss; both reach Keras as `Y.T` through convert (`(m, 1)` indices are squeezed by the sparse loss).
    """
    with tf.GradientTape() as tape:
        cost = loss(convert.labels_to_keras(Y), model(convert.inputs_to_keras(X), training=True))
    return cost, convert.dense_grads_to_course(tape.gradient(cost, model.trainable_variables), model)


def make_train_function(model: keras.Model, loss, optimizer: keras.optimizers.Optimizer):
    """A compiled full-batch trainer `train(X, Y, num_iterations) -> costs (num_iterations,)`.

    Every iteration: `loss` on all m examples, gradients by tape, `optimizer.apply_gradients`, in one
    `tf.function` over `tf.range`. X (n_x, m) and Y (one-hot (C, m), or class indices (1, m) for the sparse
    loss) are in course layout and moved once through convert.
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
        n = check_count(num_iterations, "num_iterations", minimum=0)
        x = tf.cast(convert.inputs_to_keras(X), dtype)
        return loop(x, tf.cast(convert.labels_to_keras(Y), dtype), tf.constant(n))

    return train


def keras_softmax_predict(model: keras.Model, X) -> tf.Tensor:
    """ŷ = argmax over the classes of the model's logits.  X (n_x, m) -> (1, m) int64 class indices."""
    _, ZL = keras_softmax_forward(model, X)
    return tf.argmax(ZL, axis=0)[None, :]
