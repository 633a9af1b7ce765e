"""Batch normalization with TensorFlow and Keras (concept B17).

Which NumPy function (numpy_impl/batch_normalization.py) each function here mirrors:

- `batchnorm_forward_tape(Z, gamma, beta, epsilon)` mirrors `batchnorm_forward`: returns (Z_tilde, mu, var)
  instead of a cache (the tape keeps what backward needs).
- `batchnorm_grads_tape(Z, gamma, beta, dZ_tilde, epsilon)` mirrors `batchnorm_backward`: dZ, dgamma, dbeta
  in the course's scale, by tape instead of the hand-written formula.
- `update_moving_averages`, `batchnorm_inference`: the same names, arguments and results.
- `bn_forward_logits(X, variables, epsilon, moving)` mirrors `bn_model_forward`: (AL, ZL, batch_stats), no caches.
- `bn_grads_tape(X, Y, variables, epsilon)` mirrors `bn_model_backward`: (cost, grads, batch_stats) by tape.
- `bn_train_tape(mini_batches, variables, lr, num_epochs, momentum, epsilon)` mirrors `bn_model_train`:
  trains the variables in place, returns (moving, costs).
- Part 2: `batch_norm_layer`, `build_bn_model`, `set_bn_weights`, `bn_weights_to_parameters`,
  `moving_statistics`, `course_grads`, `keras_bn_gradients`, `make_bn_train_function`, `keras_bn_predict`: the
  same network as Keras blocks. `batch_norm_layer` (in training mode) mirrors `batchnorm_forward`,
  `keras_bn_gradients` `bn_model_backward`, `make_bn_train_function` `bn_model_train`, `keras_bn_predict`
  `bn_predict`; the model builder and the weight/gradient movers have no NumPy twin.

The mapping to `keras.layers.BatchNormalization` (measured by parity_tests/test_batch_normalization.py):

| notes                                   | Keras                                                           |
|-----------------------------------------|-----------------------------------------------------------------|
| ε in √(σ² + ε)                          | `epsilon` (default 1e-3: always set it explicitly, both sides)  |
| EWA β of the test-time μ, σ²            | `momentum` (0.99): `moving = moving·momentum + batch·(1 - momentum)` |
| biased σ² (1/m), also in the EWA        | `tf.nn.moments` (biased), the same value in `moving_variance`   |
| EWA start v = 0                         | `moving_mean` starts at 0, `moving_variance` at 1               |
| γ, β `(n_l, 1)`                         | `gamma`, `beta` `(n_l,)` (moved as b is: `convert.b_to_bias`)   |
| `Z = W A_prev` (β replaces b)           | `Dense(n_l, use_bias=False)` before the layer                   |
| units along axis 0 of `Z (n_l, m)`      | `axis=0` on course layout; `axis=-1` (default) on Keras layout `(m, n_l)` |
| training: batch μ, σ²; test: moving     | `layer(x, training=True)` / `training=False`                    |

Keras's training call updates the moving statistics as a side effect of the forward pass (one EWA step per
call with `training=True`, also when no gradient step follows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl.losses import keras_binary_crossentropy
from numpy_impl.validation import (
    check_beta,
    check_column,
    check_count,
    check_keys,
    check_learning_rate,
    check_positive,
    check_training_finite,
    check_Z,
)

# Which NumPy function (numpy_impl.batch_normalization) each function here mirrors, as the docstring says; the
# docs site pairs the code columns from it and parity_tests/test_twins.py checks it.
MIRRORS = {
    "B17": {
        "batchnorm_forward_tape": "batchnorm_forward",
        "batchnorm_grads_tape": "batchnorm_backward",
        "update_moving_averages": "update_moving_averages",
        "batchnorm_inference": "batchnorm_inference",
        "bn_forward_logits": "bn_model_forward",
        "bn_grads_tape": "bn_model_backward",
        "bn_train_tape": "bn_model_train",
        "batch_norm_layer": "batchnorm_forward",
        "keras_bn_gradients": "bn_model_backward",
        "make_bn_train_function": "bn_model_train",
        "keras_bn_predict": "bn_predict",
        "build_bn_model": None,
        "set_bn_weights": None,
        "bn_weights_to_parameters": None,
        "moving_statistics": None,
        "course_grads": None,
    },
}
# The Keras-block versions and how they map onto the notes' batch norm (the table above in one place each).
KERAS_BLOCKS = {
    "batch_norm_layer": "BatchNormalization(axis, momentum=β_ewa, epsilon=ε): training=True is Z̃ = γẐ + β with the "
    "batch's μ and biased σ², ε inside √(σ² + ε); momentum is the EWA's β (moving = moving·momentum + batch·(1 - "
    "momentum)); axis names the units (0 on course layout (n_l, m), -1 on Keras layout); Keras's defaults ε = 1e-3, "
    "momentum = 0.99 are always overridden.",
    "build_bn_model": "per hidden layer Dense(n_l, use_bias=False) (β replaces b) -> BatchNormalization -> relu, then "
    "Dense(1) giving the logits: the notes' [LINEAR -> BATCH NORM -> RELU] x (L-1) -> LINEAR network.",
    "set_bn_weights": "course W, γ, β (n_l, 1), bL and the moving μ, σ² into the layers: kernel = W.T, gamma/beta/"
    "moving_mean/moving_variance (n_l,) as b moves to bias.",
    "bn_weights_to_parameters": "the layers' kernel, gamma, beta, bias back as the course's W = kernel.T and (n_l, 1) "
    "columns.",
    "moving_statistics": "the layers' moving_mean and moving_variance as the course's EWA μ, σ² (n_l, 1); they start "
    "at 0 and 1.",
    "course_grads": "gradients with respect to the model's trainable variables as the course's dW, dγ, dβ, dbL.",
    "keras_bn_gradients": "BinaryCrossentropy(from_logits) on the model called with training=True (batch statistics) "
    "and its gradients by tape: the course's cost and bn_model_backward; the call also takes one EWA step of the "
    "moving statistics.",
    "make_bn_train_function": "one compiled step per mini-batch, in order: training=True forward (batch statistics and "
    "one EWA step), BinaryCrossentropy(from_logits), tape, optimizer.apply_gradients (SGD(α): the course's update).",
    "keras_bn_predict": "the model with training=False (the moving μ, σ² replace the batch's), σ(ZL) > 0.5: the "
    "course's bn_predict, independent of the other examples.",
}

EPSILON = 1e-3
MOMENTUM = 0.99

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def batchnorm_forward_tape(Z, gamma, beta, epsilon=EPSILON):
    """Z̃ = γ ⊙ (Z - μ)/√(σ² + ε) + β, μ and biased σ² by `tf.nn.moments` over the examples (axis 1).

    Z (n_l, m), gamma, beta (n_l, 1) -> (Z_tilde (n_l, m), mu (n_l, 1), var (n_l, 1)).
    """
    Z = tf.convert_to_tensor(Z)
    mu, var = tf.nn.moments(Z, axes=[1], keepdims=True)
    Z_norm = (Z - mu) / tf.sqrt(var + tf.constant(epsilon, Z.dtype))
    return tf.cast(gamma, Z.dtype) * Z_norm + tf.cast(beta, Z.dtype), mu, var


def batchnorm_grads_tape(Z, gamma, beta, dZ_tilde, epsilon=EPSILON):
    """dZ, dγ, dβ by tape for the upstream dZ̃ (course scale), through J = 1/m Σ dZ̃ ⊙ Z̃.

    Z, dZ_tilde (n_l, m), gamma, beta (n_l, 1) -> dZ (n_l, m) = m·∂J/∂Z, dgamma = ∂J/∂γ, dbeta = ∂J/∂β (n_l, 1):
    with ∂J/∂Z̃ = dZ̃/m these are the course's `batchnorm_backward` results.
    """
    Z = tf.convert_to_tensor(Z)
    gamma, beta = tf.convert_to_tensor(gamma, Z.dtype), tf.convert_to_tensor(beta, Z.dtype)
    G = tf.convert_to_tensor(dZ_tilde, Z.dtype)
    m = tf.constant(Z.shape[1], Z.dtype)
    with tf.GradientTape() as tape:
        tape.watch([Z, gamma, beta])
        Z_tilde, _, _ = batchnorm_forward_tape(Z, gamma, beta, epsilon)
        J = tf.reduce_sum(G * Z_tilde) / m
    dZ, dgamma, dbeta = tape.gradient(J, [Z, gamma, beta])
    return m * dZ, dgamma, dbeta


def update_moving_averages(moving: Mapping, batch_stats: Mapping, momentum=MOMENTUM) -> dict[str, tf.Tensor]:
    """v := v·β + θ·(1 - β) for every `mu{l}`, `var{l}` (Keras's operation order), β = `momentum`.

    moving, batch_stats `{"mu1", "var1", ...}` (n_l, 1) -> the new moving statistics (a new dict of tensors).
    """
    check_beta(momentum, "momentum")
    check_keys(batch_stats, list(moving), "batch_stats")
    out = {}
    for key, v in moving.items():
        v = tf.convert_to_tensor(v)
        check_column(np.asarray(batch_stats[key]), v.shape[0], f"batch {key}")
        out[key] = v * momentum + tf.cast(batch_stats[key], v.dtype) * (1.0 - momentum)
    return out


def batchnorm_inference(Z, gamma, beta, mu, var, epsilon=EPSILON):
    """Z̃ = γ ⊙ (Z - μ)/√(σ² + ε) + β with given (moving) μ, σ², `tf.nn.batch_normalization`.  -> (n_l, m)."""
    Z = tf.convert_to_tensor(Z)
    check_Z(Z.numpy())
    n = Z.shape[0]
    for name, t in (("gamma", gamma), ("beta", beta), ("mu", mu), ("var", var)):
        check_column(np.asarray(t), n, name)
    check_positive(epsilon, "epsilon")
    c = [tf.cast(t, Z.dtype) for t in (mu, var, beta, gamma)]
    return tf.nn.batch_normalization(Z, c[0], c[1], offset=c[2], scale=c[3], variance_epsilon=epsilon)


def _L(variables: Mapping) -> int:
    return sum(1 for k in variables if k.startswith("W") and k[1:].isdigit())


def bn_forward_logits(X, variables: Mapping, epsilon=EPSILON, moving: Mapping | None = None):
    """[LINEAR -> BATCH NORM -> RELU] x (L-1) -> LINEAR -> SIGMOID in course layout.

    X (n_x, m), variables {"W1", "gamma1", "beta1", ..., "WL", "bL"} -> (AL (1, m), ZL (1, m), batch_stats
    {"mu1", "var1", ...}); with `moving` the moving statistics replace the batch's (batch_stats is empty).
    """
    L = _L(variables)
    A = tf.convert_to_tensor(X, variables["W1"].dtype)
    batch_stats = {}
    for l in range(1, L):
        Z = tf.matmul(variables[f"W{l}"], A)
        gamma, beta = variables[f"gamma{l}"], variables[f"beta{l}"]
        if moving is None:
            Z_tilde, batch_stats[f"mu{l}"], batch_stats[f"var{l}"] = batchnorm_forward_tape(Z, gamma, beta, epsilon)
        else:
            Z_tilde = batchnorm_inference(Z, gamma, beta, moving[f"mu{l}"], moving[f"var{l}"], epsilon)
        A = tf.nn.relu(Z_tilde)
    ZL = tf.matmul(variables[f"W{L}"], A) + variables[f"b{L}"]
    return tf.math.sigmoid(ZL), ZL, batch_stats


def _bce_from_logits(ZL, Y):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(Y, ZL.dtype), logits=ZL))


def bn_grads_tape(X, Y, variables: Mapping, epsilon=EPSILON):
    """(J, grads {"dW1", "dgamma1", "dbeta1", ..., "dWL", "dbL"}, batch_stats) by GradientTape, training mode."""
    with tf.GradientTape() as tape:
        _, ZL, batch_stats = bn_forward_logits(X, variables, epsilon)
        cost = _bce_from_logits(ZL, Y)
    keys = list(variables)
    grads = tape.gradient(cost, [variables[k] for k in keys])
    return cost, {f"d{k}": g for k, g in zip(keys, grads, strict=True)}, batch_stats


def bn_train_tape(mini_batches: Sequence, variables: Mapping, learning_rate, num_epochs: int, momentum=MOMENTUM,
                  epsilon=EPSILON, moving: Mapping | None = None):
    """Mini-batch gradient descent by tape: per (X_t, Y_t) in order, J, grads, `p -= α dp`, EWA of μ, σ².

    Trains `variables` in place; returns (moving, costs), one cost per step. `moving=None` starts at μ = 0,
    σ² = 1.
    """
    check_learning_rate(learning_rate)
    num_epochs = check_count(num_epochs, "num_epochs")
    check_beta(momentum, "momentum")
    check_positive(epsilon, "epsilon")
    L = _L(variables)
    if moving is None:
        moving = {}
        for l in range(1, L):
            moving[f"mu{l}"] = tf.zeros_like(variables[f"gamma{l}"])
            moving[f"var{l}"] = tf.ones_like(variables[f"gamma{l}"])
    costs = []
    for _ in range(num_epochs):
        for X_t, Y_t in mini_batches:
            cost, grads, batch_stats = bn_grads_tape(X_t, Y_t, variables, epsilon)
            check_training_finite(len(costs), learning_rate, cost=cost.numpy())
            costs.append(cost)
            for k, v in variables.items():
                v.assign_sub(tf.constant(learning_rate, v.dtype) * grads[f"d{k}"])
            moving = update_moving_averages(moving, batch_stats, momentum)
    return moving, tf.stack(costs)


# ---------------------------------------------------------------- part 2: Keras blocks


def batch_norm_layer(momentum=MOMENTUM, epsilon=EPSILON, axis: int = -1, synchronized: bool = False, name=None):
    """`keras.layers.BatchNormalization(axis, momentum=β, epsilon=ε)`: ε and β always explicit.

    `axis` is the axis of the units: -1 on Keras layout `(m, n_l)`, 0 on course layout `(n_l, m)`.
    `synchronized=True` makes the batch statistics those of the global batch under tf.distribute.
    """
    return keras.layers.BatchNormalization(axis=axis, momentum=float(momentum), epsilon=float(epsilon),
                                           synchronized=synchronized, name=name)


def build_bn_model(layer_dims: Sequence[int], momentum=MOMENTUM, epsilon=EPSILON,
                   synchronized: bool = False) -> keras.Sequential:
    """`Input((n_x,))`, then per hidden layer `Dense(n_l, use_bias=False)`, `BatchNormalization`, `relu`,
    then `Dense(1)` (logits). layer_dims (n_x, n_1, ..., n_{L-1}, 1); weights in Keras's floatx."""
    dims = list(layer_dims)
    if len(dims) < 3 or not all(isinstance(n, int) and n >= 1 for n in dims) or dims[-1] != 1:
        raise ValueError(f"layer_dims must be positive ints [n_x, n_1, ..., 1] with at least one hidden layer, "
                         f"got {layer_dims!r}")
    L = len(dims) - 1
    layers = [keras.Input((dims[0],), dtype=keras.config.floatx())]
    for l in range(1, L):
        layers += [keras.layers.Dense(dims[l], use_bias=False, name=f"dense{l}"),
                   batch_norm_layer(momentum, epsilon, synchronized=synchronized, name=f"bn{l}"),
                   keras.layers.Activation("relu", name=f"relu{l}")]
    layers.append(keras.layers.Dense(1, name=f"dense{L}"))
    return keras.Sequential(layers)


def _layers(model) -> tuple[list, list]:
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    bn = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    return dense, bn


def set_bn_weights(model, parameters: Mapping, moving: Mapping | None = None) -> None:
    """Copy `{"W1", "gamma1", "beta1", ..., "WL", "bL"}` (and optionally moving `{"mu1", "var1", ...}`) in."""
    dense, bn = _layers(model)
    L = len(dense)
    for l, layer in enumerate(dense, start=1):
        layer.kernel.assign(tf.cast(convert.W_to_kernel(parameters[f"W{l}"]), layer.kernel.dtype))
    dense[-1].bias.assign(tf.cast(convert.b_to_bias(parameters[f"b{L}"]), dense[-1].bias.dtype))
    for l, layer in enumerate(bn, start=1):  # γ, β (n_l, 1) -> (n_l,): the same move as b -> bias
        layer.gamma.assign(tf.cast(convert.b_to_bias(parameters[f"gamma{l}"]), layer.gamma.dtype))
        layer.beta.assign(tf.cast(convert.b_to_bias(parameters[f"beta{l}"]), layer.beta.dtype))
        if moving is not None:
            layer.moving_mean.assign(tf.cast(convert.b_to_bias(moving[f"mu{l}"]), layer.moving_mean.dtype))
            layer.moving_variance.assign(tf.cast(convert.b_to_bias(moving[f"var{l}"]), layer.moving_variance.dtype))


def bn_weights_to_parameters(model) -> dict[str, np.ndarray]:
    """The model's weights as course parameters `{"W1": kernel.T, "gamma1": gamma[:, None], ..., "bL"}`."""
    dense, bn = _layers(model)
    L = len(dense)
    out = {}
    for l, layer in enumerate(dense, start=1):
        out[f"W{l}"] = convert.kernel_to_W(layer.kernel).numpy()
        if l < L:
            out[f"gamma{l}"] = convert.bias_to_b(bn[l - 1].gamma).numpy()
            out[f"beta{l}"] = convert.bias_to_b(bn[l - 1].beta).numpy()
    out[f"b{L}"] = convert.bias_to_b(dense[-1].bias).numpy()
    return out


def moving_statistics(model) -> dict[str, np.ndarray]:
    """The BatchNormalization layers' moving statistics as `{"mu1": moving_mean[:, None], "var1": ..., ...}`."""
    _, bn = _layers(model)
    out = {}
    for l, layer in enumerate(bn, start=1):
        out[f"mu{l}"] = convert.bias_to_b(layer.moving_mean).numpy()
        out[f"var{l}"] = convert.bias_to_b(layer.moving_variance).numpy()
    return out


def course_grads(model, grads: Sequence) -> dict[str, np.ndarray]:
    """Gradients w.r.t. `model.trainable_variables` as course grads `{"dW1", "dgamma1", "dbeta1", ..., "dbL"}`."""
    position = {id(v): i for i, v in enumerate(model.trainable_variables)}
    dense, bn = _layers(model)
    L = len(dense)
    out = {}
    for l, layer in enumerate(dense, start=1):
        out[f"dW{l}"] = convert.kernel_to_W(grads[position[id(layer.kernel)]]).numpy()
    out[f"db{L}"] = convert.bias_to_b(grads[position[id(dense[-1].bias)]]).numpy()
    for l, layer in enumerate(bn, start=1):
        out[f"dgamma{l}"] = convert.bias_to_b(grads[position[id(layer.gamma)]]).numpy()
        out[f"dbeta{l}"] = convert.bias_to_b(grads[position[id(layer.beta)]]).numpy()
    return out


def keras_bn_gradients(model, X, Y):
    """J (BinaryCrossentropy from logits) and course grads by tape, in training mode (batch statistics).

    The call also takes one EWA step of the moving statistics (Keras updates them in every training call).
    """
    with tf.GradientTape() as tape:
        cost = keras_binary_crossentropy()(convert.labels_to_keras(Y), model(convert.inputs_to_keras(X), training=True))
    return cost, course_grads(model, tape.gradient(cost, model.trainable_variables))


def make_bn_train_function(model, optimizer):
    """`train(mini_batches, num_epochs) -> costs`: per (X_t, Y_t), in order, one compiled Keras training step.

    The step: BinaryCrossentropy(from_logits) on the mini-batch with `training=True` (batch statistics, and
    the moving statistics' EWA step), gradients by tape, `optimizer.apply_gradients`.
    """
    loss = keras_binary_crossentropy()
    optimizer.build(model.trainable_variables)

    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            cost = loss(y, model(x, training=True))
        grads = tape.gradient(cost, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return cost

    def train(mini_batches: Sequence, num_epochs: int) -> tf.Tensor:
        dtype = model.trainable_variables[0].dtype
        batches = [(tf.cast(convert.inputs_to_keras(X_t), dtype), tf.cast(convert.labels_to_keras(Y_t), dtype))
                   for X_t, Y_t in mini_batches]
        return tf.stack([step(x, y) for _ in range(check_count(num_epochs, "num_epochs"))
                         for x, y in batches])

    return train


def keras_bn_predict(model, X) -> tf.Tensor:
    """ŷ = 1 where σ(ZL) > 0.5 at test time (`training=False`: moving statistics), course layout (1, m)."""
    ZL = convert.inputs_from_keras(model(convert.inputs_to_keras(X), training=False))
    return tf.cast(tf.math.sigmoid(ZL) > 0.5, ZL.dtype)
