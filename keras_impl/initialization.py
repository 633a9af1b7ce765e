"""Weight initialization and vanishing/exploding gradients on the TF side (concept B8).

Part 1, tape: the course's network [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID as `tf.Variable`s in course
layout (`X (n_x, m)`, `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`), the cost from the logits, gradients by
`tf.GradientTape` (no hand-written backward), per-layer gradient norms ‖dW[l]‖_F of a deep network, and the
course's 15000-iteration gradient descent as one compiled loop (`tf.function` over `tf.range`).
Part 2, Keras blocks: `keras.initializers` (HeNormal, GlorotNormal, LecunNormal, VarianceScaling) and their
statistics, and the course's model as `Sequential([Dense(10, "relu"), Dense(5, "relu"), Dense(1)])` trained
with `BinaryCrossentropy(from_logits=True)` + `SGD`.

No NumPy random numbers are drawn here: the start points are the course's `np.random.seed(3)` draws, passed
in as data, so both sides start from the same parameters. Keras initializers draw with their own generator
(Philox); their samples never equal NumPy's, so they are compared by distribution statistics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def _keys(L: int) -> list[str]:
    return [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]


def initialize_variables(parameters: Mapping) -> dict[str, tf.Variable]:
    """{"W1", "b1", ...} (arrays, course layout) -> the same values as `tf.Variable`s, dtype kept."""
    keys = _keys(convert.number_of_layers(parameters))
    return {k: tf.Variable(tf.convert_to_tensor(parameters[k]), name=k) for k in keys}


def forward_logits(X, parameters: Mapping) -> tf.Tensor:
    """Z[l] = W[l]·A[l-1] + b[l], A[l] = relu(Z[l]) for l < L; returns the logits Z[L] (AL = σ(Z[L])).

    X (n_x, m), parameters (tensors or variables, course layout) -> ZL (1, m).
    """
    L = convert.number_of_layers(parameters)
    A = tf.convert_to_tensor(X, dtype=parameters["W1"].dtype)
    for l in range(1, L):
        A = tf.nn.relu(tf.matmul(parameters[f"W{l}"], A) + parameters[f"b{l}"])
    return tf.matmul(parameters[f"W{L}"], A) + parameters[f"b{L}"]


def compute_cost_from_logits(ZL, Y) -> tf.Tensor:
    """J = 1/m Σ (max(Z, 0) - Z·Y + log(1 + e^(-|Z|))) = the course's J at AL = σ(ZL), finite for any ZL.

    ZL, Y (1, m) -> scalar. Its tape gradient with respect to ZL is (σ(ZL) - Y)/m: the course's dZ[L] = AL - Y.
    """
    ZL = tf.convert_to_tensor(ZL)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(Y, ZL.dtype), logits=ZL))


def compute_loss(AL, Y) -> tf.Tensor:
    """The course's cost 1/m nansum(-Y log AL - (1-Y) log(1-AL)) in TF ops (init_utils's `compute_loss`).

    AL, Y (1, m) -> scalar. Naive like the course: inf when a wrong prediction saturates (AL = 1, Y = 0);
    the nan of a right saturated one (0·log 0) is dropped, as `np.nansum` does. For display only: the
    gradients come from `compute_cost_from_logits`.
    """
    AL = tf.convert_to_tensor(AL)
    Y = tf.cast(Y, AL.dtype)
    logprobs = -tf.math.log(AL) * Y + -tf.math.log(1 - AL) * (1 - Y)
    logprobs = tf.where(tf.math.is_nan(logprobs), tf.zeros_like(logprobs), logprobs)
    return tf.reduce_sum(logprobs) / tf.cast(tf.shape(Y)[1], AL.dtype)


def cost_and_gradients(X, Y, parameters: Mapping) -> tuple[tf.Tensor, tf.Tensor, dict[str, tf.Tensor]]:
    """By GradientTape: (J from the logits, the course's J, grads {"dW1", "db1", ...} in course layout)."""
    variables = parameters if all(isinstance(v, tf.Variable) for v in parameters.values()) \
        else initialize_variables(parameters)
    keys = _keys(convert.number_of_layers(variables))
    with tf.GradientTape() as tape:
        ZL = forward_logits(X, variables)
        cost = compute_cost_from_logits(ZL, Y)
    grads = tape.gradient(cost, [variables[k] for k in keys])
    return cost, compute_loss(tf.math.sigmoid(ZL), Y), {f"d{k}": g for k, g in zip(keys, grads, strict=True)}


def frobenius_norm(W) -> tf.Tensor:
    """‖W‖_F = s·sqrt(Σ (W/s)²) with s = max |W| (no overflow or underflow of Σ W² in float32); 0 for W = 0."""
    W = tf.convert_to_tensor(W)
    s = tf.reduce_max(tf.abs(W))
    return s * tf.sqrt(tf.reduce_sum(tf.square(tf.math.divide_no_nan(W, s))))


def gradient_norms(X, Y, parameters: Mapping) -> tuple[tf.Tensor, tf.Tensor, dict[str, tf.Tensor]]:
    """‖dW[l]‖_F for l = 1..L with the gradients from the tape -> (norms (L,), cost from logits, grads)."""
    cost, _, grads = cost_and_gradients(X, Y, parameters)
    L = len(grads) // 2
    return tf.stack([frobenius_norm(grads[f"dW{l}"]) for l in range(1, L + 1)]), cost, grads


def update_parameters(variables: Mapping, grads: Mapping, learning_rate) -> Mapping:
    """W[l] := W[l] - α·dW[l], b[l] := b[l] - α·db[l], in place on the variables (returns them).

    A Python α becomes `tf.constant(α, dtype)` (not `tf.cast`, which would round 0.01 to float32 first).
    """
    for key, variable in variables.items():
        alpha = learning_rate if tf.is_tensor(learning_rate) else tf.constant(learning_rate, dtype=variable.dtype)
        variable.assign_sub(alpha * grads[f"d{key}"])
    return variables


def _gradient_descent_loop(X, Y, variables, learning_rate, num_iterations, cost_every, from_logits):
    """One iteration per `tf.range` step; the cost J(i) written when i % cost_every == 0."""
    keys = _keys(len(variables) // 2)
    parameters = dict(zip(keys, variables, strict=True))
    costs = tf.TensorArray(X.dtype, size=(num_iterations + cost_every - 1) // cost_every)
    for i in tf.range(num_iterations):
        with tf.GradientTape() as tape:
            ZL = forward_logits(X, parameters)
            cost = compute_cost_from_logits(ZL, Y)
        grads = tape.gradient(cost, variables)
        if i % cost_every == 0:
            costs = costs.write(i // cost_every, cost if from_logits else compute_loss(tf.math.sigmoid(ZL), Y))
        update_parameters(parameters, {f"d{k}": g for k, g in zip(keys, grads, strict=True)}, learning_rate)
    return costs.stack()


_LOOP = tf.function(_gradient_descent_loop, reduce_retracing=True)


def train(X, Y, parameters: Mapping, learning_rate: float = 0.01, num_iterations: int = 15000,
          cost_every: int = 1000, from_logits: bool = False) -> tuple[dict[str, np.ndarray], tf.Tensor]:
    """Gradient descent from `parameters` (arrays, course layout), all iterations in one compiled call.

    X (n_x, m), Y (1, m) in the parameters' dtype -> (final parameters as arrays, the costs at i = 0,
    cost_every, 2·cost_every, ..., recorded before update i as the NumPy side does): the course's
    `compute_loss`, or with `from_logits=True` the stable cost the gradients are taken of.
    """
    variables = initialize_variables(parameters)
    dtype = variables["W1"].dtype
    X, Y = tf.convert_to_tensor(X, dtype=dtype), tf.cast(Y, dtype)
    costs = _LOOP(X, Y, list(variables.values()), tf.constant(learning_rate, dtype=dtype),
                  tf.constant(num_iterations, tf.int32), tf.constant(cost_every, tf.int32), bool(from_logits))
    return {k: v.numpy() for k, v in variables.items()}, costs


def predict(X, parameters: Mapping) -> tf.Tensor:
    """p = 1 where σ(ZL) > 0.5 (i.e. ZL > 0), else 0.  X (n_x, m) -> p (1, m) int64."""
    return tf.cast(tf.math.sigmoid(forward_logits(X, parameters)) > 0.5, tf.int64)


# ---------------------------------------------------------------- part 2: Keras blocks

TRUNCATED_STD_FACTOR = 0.87962566103423978  # keras/src/initializers/random_initializers.py, VarianceScaling


def keras_initializers(seed: int = 1) -> dict[str, keras.initializers.Initializer]:
    """The Keras initializers that the notes' rules map to (kernel shape (fan_in, fan_out) = (n_{l-1}, n_l)).

    | name                  | Keras                                                | std of W             | truncated |
    |-----------------------|------------------------------------------------------|----------------------|-----------|
    | he (course)           | VarianceScaling(2, "fan_in", "untruncated_normal")   | sqrt(2/n_{l-1})      | no        |
    | HeNormal              | HeNormal() = VarianceScaling(2, "fan_in")            | sqrt(2/n_{l-1})      | at ±2σ'   |
    | xavier (notes)        | VarianceScaling(1, "fan_in", "untruncated_normal")   | sqrt(1/n_{l-1})      | no        |
    | LecunNormal           | LecunNormal() = VarianceScaling(1, "fan_in")         | sqrt(1/n_{l-1})      | at ±2σ'   |
    | GlorotNormal          | GlorotNormal() = VarianceScaling(1, "fan_avg")       | sqrt(2/(n_{l-1}+n_l))| at ±2σ'   |

    The truncated ones draw N(0, σ'²) with σ' = std/0.87962566103423978 and redraw beyond ±2σ': the
    truncation shrinks the std by exactly that factor, so the final std is the one in the table.
    """
    return {
        "he": keras.initializers.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=seed),
        "HeNormal": keras.initializers.HeNormal(seed=seed),
        "xavier": keras.initializers.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=seed),
        "LecunNormal": keras.initializers.LecunNormal(seed=seed),
        "GlorotNormal": keras.initializers.GlorotNormal(seed=seed),
        "TruncatedNormal(1)": keras.initializers.TruncatedNormal(stddev=1.0, seed=seed),
    }


def sample_W(initializer: keras.initializers.Initializer, n_prev: int, n_l: int, dtype=None) -> tf.Tensor:
    """A Dense kernel (n_{l-1}, n_l) drawn by `initializer`, returned as W (n_l, n_{l-1}) (via convert)."""
    return convert.kernel_to_W(initializer((n_prev, n_l), dtype=dtype or keras.config.floatx()))


def truncation_stddev(initializer: keras.initializers.VarianceScaling, n_prev: int, n_l: int) -> float:
    """σ' = sqrt(scale/fan)/0.8796 for a truncated VarianceScaling initializer: draws lie within ±2σ'."""
    fans = {"fan_in": n_prev, "fan_out": n_l, "fan_avg": (n_prev + n_l) / 2}
    return math.sqrt(initializer.scale / max(1.0, fans[initializer.mode])) / TRUNCATED_STD_FACTOR


def std(W) -> tf.Tensor:
    """The (population) standard deviation of all entries of W."""
    return tf.math.reduce_std(tf.convert_to_tensor(W))


DENSE_INITIALIZERS = {  # course names -> Keras initializers for a Dense kernel (biases: zeros)
    "zeros": lambda seed: keras.initializers.Zeros(),
    "random": lambda seed: keras.initializers.RandomNormal(stddev=10.0, seed=seed),
    "small": lambda seed: keras.initializers.RandomNormal(stddev=0.01, seed=seed),
    "he": lambda seed: keras.initializers.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=seed),
    "xavier": lambda seed: keras.initializers.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=seed),
}


def build_model(layers_dims, parameters: Mapping | None = None, initialization: str = "he",
                seed: int = 3) -> keras.Sequential:
    """Sequential([Dense(n_1, "relu"), ..., Dense(n_L)]) on inputs (m, n_x); the last layer outputs the logits.

    With `parameters` (course layout) the weights are copied in by `convert.set_dense_weights`
    (kernel = Wᵀ, bias = b[:, 0]); otherwise the kernels are drawn by `DENSE_INITIALIZERS[initialization]`
    (one seed per layer: seed, seed + 1, ...). Built in Keras's current floatx.
    """
    if initialization not in DENSE_INITIALIZERS:
        raise ValueError(f"initialization must be one of {sorted(DENSE_INITIALIZERS)}, got {initialization!r}")
    dims = list(layers_dims)
    layers = [keras.layers.Dense(n, activation="relu" if l < len(dims) - 1 else None,
                                 kernel_initializer=DENSE_INITIALIZERS[initialization](seed + l))
              for l, n in enumerate(dims[1:], start=1)]
    model = keras.Sequential([keras.Input((dims[0],)), *layers])
    if parameters is not None:
        convert.set_dense_weights(model, parameters)
    return model


def binary_crossentropy() -> keras.losses.BinaryCrossentropy:
    """BinaryCrossentropy(from_logits=True) in floatx: sigmoid_cross_entropy_with_logits, averaged over m."""
    return keras.losses.BinaryCrossentropy(from_logits=True, dtype=keras.config.floatx())


def sgd(learning_rate: float) -> keras.optimizers.SGD:
    """SGD(α): W := W - α·dW. α as np.float64 so that a float64 run keeps α = 0.01 exactly (trap 1)."""
    return keras.optimizers.SGD(learning_rate=np.float64(learning_rate))


def keras_gradients(model: keras.Model, X, Y) -> tuple[tf.Tensor, dict[str, np.ndarray]]:
    """The loss and its gradients for every Dense layer, mapped to course layout by `convert`: {"dW1", "db1", ...}."""
    with tf.GradientTape() as tape:
        cost = binary_crossentropy()(convert.labels_to_keras(Y), model(convert.inputs_to_keras(X)))
    grads = tape.gradient(cost, model.trainable_variables)
    return cost, convert.dense_grads_to_course(grads, model)


def _keras_loop(model, optimizer, loss, x, y, num_iterations, cost_every):
    costs = tf.TensorArray(x.dtype, size=(num_iterations + cost_every - 1) // cost_every)
    for i in tf.range(num_iterations):
        with tf.GradientTape() as tape:
            cost = loss(y, model(x))
        grads = tape.gradient(cost, model.trainable_variables)
        if i % cost_every == 0:
            costs = costs.write(i // cost_every, cost)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return costs.stack()


def train_keras(model: keras.Model, X, Y, learning_rate: float = 0.01, num_iterations: int = 15000,
                cost_every: int = 1000) -> tf.Tensor:
    """Full-batch training with `SGD(α)` and `BinaryCrossentropy(from_logits=True)`, compiled (one call).

    X (n_x, m), Y (1, m) in course layout (moved to Keras layout by `convert`). Trains `model` in place and
    returns the costs (from the logits) at i = 0, cost_every, ... before update i. `model.fit` would do the
    same steps with `batch_size=m, shuffle=False`, but at ~25 ms per epoch 15000 epochs would take minutes.
    """
    dtype = model.trainable_variables[0].dtype
    x, y = tf.cast(convert.inputs_to_keras(X), dtype), tf.cast(convert.labels_to_keras(Y), dtype)
    optimizer = sgd(learning_rate)
    optimizer.build(model.trainable_variables)  # variables must exist before the loop is traced
    loop = tf.function(_keras_loop)
    return loop(model, optimizer, binary_crossentropy(), x, y, tf.constant(num_iterations, tf.int32),
                tf.constant(cost_every, tf.int32))


def fit_keras(model: keras.Model, X, Y, learning_rate: float = 0.01, epochs: int = 1) -> keras.callbacks.History:
    """`model.compile(SGD(α), BinaryCrossentropy(from_logits=True))` + `model.fit(batch_size=m, shuffle=False)`.

    One epoch = one full-batch gradient step, as in the course. Returns the History (loss per epoch).
    """
    model.compile(optimizer=sgd(learning_rate), loss=binary_crossentropy())
    x, y = convert.inputs_to_keras(X), convert.labels_to_keras(Y)
    return model.fit(x, y, batch_size=int(x.shape[0]), epochs=epochs, shuffle=False, verbose=0)


def keras_gradient_norms(model: keras.Model, X, Y) -> tf.Tensor:
    """‖dW[l]‖_F per Dense layer of `model` (the kernel gradients, transposed to course layout by convert)."""
    _, grads = keras_gradients(model, X, Y)
    return tf.stack([frobenius_norm(grads[f"dW{l}"]) for l in range(1, len(grads) // 2 + 1)])
