"""L2 regularization and dropout with TensorFlow (concepts B3 and B4): autodiff instead of the hand-written backward.

Which NumPy function (`numpy_impl.regularization`) each function here mirrors:

| here                                  | NumPy                                                                       |
|---------------------------------------|-----------------------------------------------------------------------------|
| `l2_regularization_cost`              | `l2_regularization_cost` (same arguments, same value)                       |
| `compute_cost_with_regularization`    | `compute_cost_with_regularization` (the course's naive cost, same value)    |
| `forward_logits`                      | `forward_propagation`, `forward_propagation_with_masks` (returns Z[L] only) |
| `compute_grads`                       | `backward_propagation[_with_regularization/_with_dropout]`,                  |
|                                       | `L_model_backward_with_regularization` (by tape, no cache needed)           |
| `gradient_descent`                    | `train` (dropout masks passed in: NumPy's draws are not reproducible here)  |
| `build_model`, `keras_*`              | the same network as Keras blocks                                            |

Part 1, `tf.Variable` + `GradientTape`, course layout: `X (n_x, m)`, `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`,
[LINEAR -> RELU] x (L-1) -> LINEAR, the cost from the logits Z[L] plus λ/(2m) Σ ‖W[l]‖_F², inverted dropout with
given masks `A[l] = A[l] * D[l] / keep_prob`, gradients by tape.

Part 2, Keras blocks. The mappings (each proved in `parity_tests/test_regularization.py`):
- L2: Keras's `L2(l2)` adds `l2 · Σ w²` of each kernel to the loss, so the notes' λ/(2m) Σ ‖W[l]‖² is
  `kernel_regularizer=L2(λ/(2m))` with m the number of training examples (not the batch size). Keras's own `L2`
  stores l2 as a Python float and casts it with `ops.cast`, which takes it through float32 in a float64 model
  (docs/traps.md, trap 1); `FloatL2` keeps the constant in the variable's dtype. Keras adds the penalties to the
  loss inside `fit`/`train_step`; a hand-written tape loop must add `sum(model.losses)` itself.
- Weight decay: `SGD(weight_decay=λ/m)` first does `W -= α·(λ/m)·W`, then `W -= α·dW`: for plain SGD that is the
  L2 step `W -= α(dW + λ/m W)`, if the biases are excluded (`exclude_from_weight_decay(var_names=["bias"])`).
  Under momentum or Adam it is a different algorithm (the decay bypasses the velocity / the 1/√s scaling).
- Dropout: `Dropout(rate=1 - keep_prob)` keeps a unit where a uniform u >= rate and multiplies kept units by
  `1/(1 - rate)`; its uniforms come from a stateless Philox stream, not NumPy's, so parity shares the *mask*
  (`next_dropout_mask` reads the mask the layer's next call will draw). At inference (`training=False`) it is
  the identity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl.losses import keras_binary_crossentropy
from keras_impl.optimization import hyper
from numpy_impl.validation import (
    check_count,
    check_keep_prob,
    check_lambd,
    check_learning_rate,
    check_X,
    number_of_layers,
)

# Which NumPy function (numpy_impl.regularization, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B3": {
        "l2_regularization_cost": "l2_regularization_cost",
        "compute_cost_with_regularization": "compute_cost_with_regularization",
        "cost_from_logits_with_regularization": "L_model_cost_with_regularization",
        "compute_grads": "L_model_backward_with_regularization",
        "gradient_descent": "train",
        "FloatL2": "l2_regularization_cost",
        "kernel_regularizer": "l2_regularization_cost",
        "build_model": None,
        "keras_cost": "compute_cost_with_regularization",
        "keras_cost_and_grads": "backward_propagation_with_regularization",
        "make_train_function": "model",
        "keras_weight_decay_optimizer": "update_parameters",
        "keras_optimizer": None,
    },
    "B4": {
        "forward_logits": "forward_propagation_with_masks",
        "next_dropout_mask": None,
        "next_dropout_masks": "forward_propagation_with_dropout",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "FloatL2": (
        "l2·Σ w² with l2 made in the weight's dtype: keras.regularizers.L2 casts a Python float through float32 in "
        "a float64 model; in float32 the two are the same."
    ),
    "kernel_regularizer": (
        "kernel_regularizer=FloatL2(λ/(2m)) on every Dense (not on the biases): the loss plus sum(model.losses) is "
        "the notes' J + λ/(2m) Σ ‖W[l]‖_F², and its gradient adds λ/m · W[l]."
    ),
    "keras_cost": (
        "keras_binary_crossentropy() on the logits plus sum(model.losses), the L2 penalties: the notes' J_reg from "
        "the logits."
    ),
    "keras_cost_and_grads": (
        "J_reg by keras_cost and its tape gradients, transposed by convert: the notes' dW[l] + λ/m · W[l]."
    ),
    "make_train_function": (
        "keras_sgd(α) full batch on keras_cost: one step per iteration of the course's L2 model."
    ),
    "keras_weight_decay_optimizer": (
        "weight_decay=λ/m subtracts α·(λ/m)·W before the step: the L2 step under plain SGD, decoupled weight decay "
        "(not L2) under momentum and Adam."
    ),
    "next_dropout_masks": (
        "keras.layers.Dropout(1 - keep_prob, seed) draws a fresh mask at every training call and scales the kept "
        "units by 1/keep_prob: inverted dropout; read before the call, the masks are fed to NumPy."
    ),
}

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def _weights(parameters: Mapping) -> list:
    L = number_of_layers(parameters)
    return [tf.convert_to_tensor(parameters[f"W{l}"]) for l in range(1, L + 1)]


def l2_regularization_cost(parameters: Mapping, lambd, m) -> tf.Tensor:
    """λ/(2m) Σ_l ‖W[l]‖_F² over every layer (biases not penalised).  parameters {"W1", "b1", ...} -> scalar.

    The constants are made in the parameters' dtype with `tf.constant` (exact in float64).
    """
    check_lambd(lambd)
    m = check_count(m, "m")
    Ws = _weights(parameters)
    total = tf.add_n([tf.reduce_sum(tf.square(W)) for W in Ws])
    dtype = Ws[0].dtype
    return tf.constant(1.0 / m, dtype) * tf.constant(lambd / 2, dtype) * total


def compute_cost_with_regularization(A3, Y, parameters: Mapping, lambd) -> tf.Tensor:
    """J_reg = 1/m nansum(-Y log A3 - (1-Y) log(1-A3)) + λ/(2m) Σ ‖W[l]‖², the course's naive cost in TF ops.

    A3, Y (1, m) -> scalar. For display and parity with the course; the gradients come from the logits
    (`compute_grads`).
    """
    A3 = tf.convert_to_tensor(A3)
    Y = tf.cast(tf.reshape(Y, (1, -1)) if np.ndim(Y) == 1 else Y, A3.dtype)
    logprobs = -tf.math.log(A3) * Y + -tf.math.log(1 - A3) * (1 - Y)
    logprobs = tf.where(tf.math.is_nan(logprobs), tf.zeros_like(logprobs), logprobs)
    m = int(A3.shape[1])
    return tf.reduce_sum(logprobs) / tf.constant(m, A3.dtype) + l2_regularization_cost(parameters, lambd, m)


def forward_logits(X, parameters: Mapping, keep_prob=1, masks: Sequence | None = None) -> tf.Tensor:
    """Z[l] = W[l] A[l-1] + b[l], A[l] = relu(Z[l]) (times D[l] / keep_prob when masks are given), l < L; returns Z[L].

    X (n_x, m), parameters (arrays, tensors or variables, course layout), masks: one 0/1 array `D[l] (n_l, m)` per
    hidden layer (or None: no dropout) -> Z[L] (n_L, m). A[L] = σ(Z[L]) is left to the cost (from logits).
    """
    check_keep_prob(keep_prob)
    L = number_of_layers(parameters)
    check_X(X, n_x=int(parameters["W1"].shape[1]))
    if masks is not None and len(masks) != L - 1:
        raise ValueError(f"masks must hold one mask per hidden layer (L - 1 = {L - 1}), got {len(masks)}")
    return _logits(tf.convert_to_tensor(X, dtype=parameters["W1"].dtype), parameters, L, keep_prob, masks)


def _logits(A, parameters: Mapping, L: int, keep_prob, masks):
    for l in range(1, L):
        A = tf.nn.relu(tf.matmul(parameters[f"W{l}"], A) + parameters[f"b{l}"])
        if masks is not None:
            A = A * tf.cast(masks[l - 1], A.dtype) / tf.constant(keep_prob, A.dtype)
    return tf.matmul(parameters[f"W{L}"], A) + parameters[f"b{L}"]


def cost_from_logits_with_regularization(ZL, Y, parameters: Mapping, lambd) -> tf.Tensor:
    """J_reg = 1/m Σ (max(Z, 0) - Z·Y + log(1 + e^(-|Z|))) + λ/(2m) Σ ‖W[l]‖²: the stable cost.  ZL, Y (1, m)."""
    ZL = tf.convert_to_tensor(ZL)
    Y = tf.cast(tf.reshape(Y, (1, -1)) if np.ndim(Y) == 1 else Y, ZL.dtype)
    cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=ZL))
    return cost + l2_regularization_cost(parameters, lambd, int(ZL.shape[1]))


def compute_grads(X, Y, parameters: Mapping, lambd=0, keep_prob=1, masks: Sequence | None = None):
    """J_reg and its gradients {"dW1", "db1", ..., "dWL", "dbL"} by GradientTape (course layout, no caches).

    The same J_reg (and, with masks, the same thinned network) as NumPy's backward passes differentiate by hand.
    """
    variables = {k: v if isinstance(v, tf.Variable) else tf.Variable(v, name=k) for k, v in parameters.items()}
    with tf.GradientTape() as tape:
        ZL = forward_logits(X, variables, keep_prob, masks)
        cost = cost_from_logits_with_regularization(ZL, Y, variables, lambd)
    keys = sorted(variables)
    grads = tape.gradient(cost, [variables[k] for k in keys])
    return cost, {f"d{k}": g for k, g in zip(keys, grads, strict=True)}


def gradient_descent(X, Y, parameters: Mapping, learning_rate, num_iterations: int, lambd=0, keep_prob=1,
                     masks: Sequence | None = None):
    """`num_iterations` full-batch steps W[l] := W[l] - α dW[l] (tape gradients of J_reg), one compiled loop.

    With keep_prob < 1 the masks are required and used at every step: the course's forward re-seeds NumPy on
    every call, so its masks are the same at every iteration; pass those. Returns (parameters as arrays, costs
    (num_iterations,), the stable J_reg of every iteration before its update).
    """
    check_lambd(lambd)
    check_keep_prob(keep_prob)
    if lambd != 0 and keep_prob != 1:
        raise ValueError(f"use L2 (lambd > 0) or dropout (keep_prob < 1), not both, as the course's model does; "
                         f"got lambd={lambd!r}, keep_prob={keep_prob!r}")
    L = number_of_layers(parameters)
    check_X(X, n_x=np.shape(parameters["W1"])[1])
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    if keep_prob != 1 and masks is None:
        raise ValueError("keep_prob < 1 needs the dropout masks (one per hidden layer): NumPy's draws cannot be "
                         "reproduced on the TF side")
    variables = convert.to_variables(parameters)
    dtype = variables["W1"].dtype
    X = tf.constant(X, dtype=dtype)
    Y = tf.constant(np.reshape(Y, (1, -1)) if np.ndim(Y) == 1 else Y, dtype=dtype)
    masks = None if masks is None else [tf.constant(D, dtype=dtype) for D in masks]
    m = int(X.shape[1])
    alpha = tf.constant(learning_rate, dtype)
    keys = sorted(variables)

    @tf.function
    def loop(n):
        costs = tf.TensorArray(dtype, size=n)
        for i in tf.range(n):
            with tf.GradientTape() as tape:
                ZL = _logits(X, variables, L, keep_prob, masks)
                cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=ZL))
                if lambd != 0:
                    cost = cost + l2_regularization_cost(variables, lambd, m)
            grads = tape.gradient(cost, [variables[k] for k in keys])
            for k, g in zip(keys, grads, strict=True):
                variables[k].assign_sub(alpha * g)
            costs = costs.write(i, cost)
        return costs.stack()

    costs = loop(tf.constant(num_iterations))
    return convert.to_parameters(variables), costs.numpy()


# ---------------------------------------------------------------- part 2: Keras blocks


class FloatL2(keras.regularizers.Regularizer):
    """`l2 · Σ w²` with the constant made in the weight's dtype by `tf.constant` (Keras's `L2` casts a Python float
    with `ops.cast`, through float32 in a float64 model: λ/(2m) = 7e-4/422 loses ~1e-8 relative).

    In float32 it computes exactly what `keras.regularizers.L2(l2)` computes.
    """

    def __init__(self, l2: float):
        self.l2 = float(check_lambd(l2))

    def __call__(self, x):
        return tf.constant(self.l2, dtype=x.dtype) * tf.reduce_sum(tf.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


def kernel_regularizer(lambd, m) -> FloatL2:
    """The Keras regularizer of the notes' λ/(2m) ‖W‖_F² for one layer: `FloatL2(λ/(2m))`, m the training-set size."""
    check_lambd(lambd)
    return FloatL2(lambd / (2 * check_count(m, "m")))


def build_model(layer_dims: Sequence[int], lambd=0, m: int | None = None, keep_prob=1,
                seed: int | None = None) -> keras.Sequential:
    """`Sequential([Input, Dense(n_1, relu, L2), Dropout, ..., Dense(n_L)])` in Keras's floatx.

    Every Dense gets `kernel_regularizer(λ, m)` when λ > 0 (biases are not regularized); every hidden layer is
    followed by `Dropout(1 - keep_prob, seed)` when keep_prob < 1. The last Dense outputs the logits Z[L] (m, n_L).
    Copy course parameters in with `convert.set_dense_weights(model, parameters)`.
    """
    check_lambd(lambd)
    check_keep_prob(keep_prob)
    dims = list(layer_dims)
    if len(dims) < 2:
        raise ValueError(f"layer_dims must be [n_x, n_1, ..., n_L] with L >= 1, got {layer_dims!r}")
    if lambd != 0 and m is None:
        raise ValueError("lambd > 0 needs m, the number of training examples (the penalty is λ/(2m) Σ ‖W‖²)")
    regularizer = kernel_regularizer(lambd, m) if lambd != 0 else None
    layers = [keras.Input((dims[0],), dtype=keras.config.floatx())]
    L = len(dims) - 1
    for l in range(1, L + 1):
        layers.append(keras.layers.Dense(dims[l], activation="relu" if l < L else None,
                                         kernel_regularizer=regularizer, name=f"layer{l}"))
        if l < L and keep_prob != 1:
            layers.append(keras.layers.Dropout(1 - keep_prob, seed=seed, name=f"dropout{l}"))
    return keras.Sequential(layers)


def keras_cost(model: keras.Model, X, Y, training: bool = False) -> tf.Tensor:
    """The BCE loss on the logits plus `sum(model.losses)` (the L2 penalties): the notes' J_reg.  X (n_x, m)."""
    cost = keras_binary_crossentropy()(convert.labels_to_keras(Y), model(convert.inputs_to_keras(X), training=training))
    return cost + tf.add_n(model.losses) if model.losses else cost


def keras_cost_and_grads(model: keras.Model, X, Y, training: bool = True):
    """J_reg (`keras_cost`) and its tape gradients as course grads {"dW1": dkernel1.T, "db1": ..., ...}."""
    with tf.GradientTape() as tape:
        cost = keras_cost(model, X, Y, training)
    return cost, convert.dense_grads_to_course(tape.gradient(cost, model.trainable_variables), model)


def make_train_function(model: keras.Model, optimizer: keras.optimizers.Optimizer):
    """A compiled full-batch trainer `train(X, Y, num_iterations) -> costs`: loss + sum(model.losses), tape, step.

    The penalties of `kernel_regularizer` are in `model.losses`; a tape loop adds them itself (`fit` would).
    Dropout layers draw a fresh mask at every step (training=True).
    """
    optimizer.build(model.trainable_variables)
    loss = keras_binary_crossentropy()

    @tf.function
    def loop(x, y, n):
        costs = tf.TensorArray(x.dtype, size=n)
        for i in tf.range(n):
            with tf.GradientTape() as tape:
                cost = loss(y, model(x, training=True))
                if model.losses:
                    cost = cost + tf.add_n(model.losses)
            grads = tape.gradient(cost, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            costs = costs.write(i, cost)
        return costs.stack()

    def train(X, Y, num_iterations: int) -> tf.Tensor:
        dtype = model.trainable_variables[0].dtype
        return loop(tf.cast(convert.inputs_to_keras(X), dtype), tf.cast(convert.labels_to_keras(Y), dtype),
                    tf.constant(check_count(num_iterations, "num_iterations", minimum=0)))

    return train


def keras_weight_decay_optimizer(learning_rate, lambd, m, kind: str = "sgd", beta=0.9):
    """A Keras optimizer with `weight_decay = λ/m`, biases excluded: "sgd" (= L2 for plain SGD), "momentum", "adam".

    `W -= α·(λ/m)·W` before each step. With "sgd" this is the notes' L2 step; with "momentum" (`SGD(momentum=β)`)
    and "adam" (`Adam(beta_1=β)`) it is decoupled weight decay, not L2 (measured in the parity suite).
    """
    check_learning_rate(learning_rate)
    check_lambd(lambd)
    decay = hyper(lambd / check_count(m, "m"))
    if kind == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate=hyper(learning_rate), weight_decay=decay)
    elif kind == "momentum":
        optimizer = keras.optimizers.SGD(learning_rate=hyper(learning_rate), momentum=hyper(beta), weight_decay=decay)
    elif kind == "adam":
        optimizer = keras.optimizers.Adam(learning_rate=hyper(learning_rate), beta_1=hyper(beta),
                                          beta_2=hyper(0.999), weight_decay=decay)
    else:
        raise ValueError(f"kind must be 'sgd', 'momentum' or 'adam', got {kind!r}")
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    return optimizer


def keras_optimizer(learning_rate, kind: str = "sgd", beta=0.9):
    """The same optimizers without weight decay (for L2 through `kernel_regularizer`): "sgd", "momentum", "adam"."""
    check_learning_rate(learning_rate)
    if kind == "sgd":
        return keras.optimizers.SGD(learning_rate=hyper(learning_rate))
    if kind == "momentum":
        return keras.optimizers.SGD(learning_rate=hyper(learning_rate), momentum=hyper(beta))
    if kind == "adam":
        return keras.optimizers.Adam(learning_rate=hyper(learning_rate), beta_1=hyper(beta), beta_2=hyper(0.999))
    raise ValueError(f"kind must be 'sgd', 'momentum' or 'adam', got {kind!r}")


def next_dropout_mask(layer: keras.layers.Dropout, shape, dtype=None) -> tf.Tensor:
    """The 0/1 mask (Keras layout (m, n_l)) that `layer`'s next `training=True` call will draw, without drawing it.

    `Dropout` calls `tf.nn.experimental.stateless_dropout(x, rate, seed=s)` with s the current state of its seed
    generator (then advances it): the mask is `stateless_uniform(shape, seed=s, dtype) >= rate`. Reading s here
    leaves the generator where it is, so the layer's next call uses this very mask.
    """
    if not isinstance(layer, keras.layers.Dropout):
        raise TypeError(f"layer must be a keras.layers.Dropout, got {type(layer).__name__}")
    dtype = dtype or keras.config.floatx()
    seed = tf.cast(layer.seed_generator.state.value, "int32")
    u = tf.random.stateless_uniform(shape, seed=seed, dtype=dtype)
    return tf.cast(u >= tf.constant(layer.rate, dtype), dtype)


def next_dropout_masks(model: keras.Model, m: int) -> list[tf.Tensor]:
    """`next_dropout_mask` of every Dropout layer of `model`, in course layout D[l] (n_l, m), for m examples."""
    masks, n_l = [], None
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            n_l = layer.units
        elif isinstance(layer, keras.layers.Dropout):
            masks.append(convert.inputs_from_keras(next_dropout_mask(layer, (m, n_l))))
    return masks
