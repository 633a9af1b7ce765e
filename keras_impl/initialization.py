"""Weight initialization and vanishing/exploding gradients on the TF side (concept B8).

Part 1, tape: the course's network [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID as `tf.Variable`s in course
layout (`X (n_x, m)`, `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`). The forward pass, the cost from the logits, the
tape gradients and the update are `keras_impl.deep_network`'s (`L_model_forward_logits`,
`compute_cost_from_logits`, `compute_grads`, `update_parameters`): this module adds the course's naive
`compute_loss`, per-layer gradient norms ‖dW[l]‖_F of a deep network, and the course's 15000-iteration gradient
descent as one compiled loop (`tf.function` over `tf.range`).
Part 2, Keras blocks: `keras.initializers` (HeNormal, GlorotNormal, LecunNormal, VarianceScaling) and their
statistics, and the course's model as `Sequential([Dense(10, "relu"), Dense(5, "relu"), Dense(1)])`
(`deep_network.build_model`) trained with `BinaryCrossentropy(from_logits=True)` + `SGD`.

No NumPy random numbers are drawn here: the start points are the course's `np.random.seed(3)` draws, passed
in as data, so both sides start from the same parameters. Keras initializers draw with their own generator
(Philox); their samples never equal NumPy's, so they are compared by distribution statistics.

Which NumPy function (`numpy_impl.initialization`) each function mirrors: `compute_loss` -> `compute_loss`;
`cost_and_gradients` -> `backward_propagation` with the cost; `frobenius_norm`, `gradient_norms`, `train`,
`predict` -> the functions of the same names and arguments; `DENSE_INITIALIZERS` -> `INITIALIZERS` (the same
law, another generator); `keras_initializers`, `sample_W` -> `initialize_parameters` (the notes' laws as Keras
initializers, compared by statistics with `variance_scaling_std` and `truncated_normal`); `truncation_stddev` ->
`truncated_normal_std` (the σ' Keras truncates at); `std` (np.std's job) and `build_model` (the Keras model) have
no twin; `train_keras`, `fit_keras`, `keras_gradient_norms` -> `train` and `gradient_norms` with Keras blocks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl import deep_network as kd
from keras_impl.losses import keras_binary_crossentropy
from keras_impl.optimization import keras_sgd
from numpy_impl.validation import (
    as_float_array,
    check_count,
    check_course_prediction,
    check_learning_rate,
    check_parameter_dtype,
    check_training_finite,
    check_X,
    check_Y,
    number_of_layers,
)

# Which NumPy function (numpy_impl.initialization, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B8": {
        "compute_loss": "compute_loss",
        "cost_and_gradients": "backward_propagation",
        "frobenius_norm": "frobenius_norm",
        "gradient_norms": "gradient_norms",
        "train": "train",
        "predict": "predict",
        "keras_initializers": "initialize_parameters",
        "sample_W": "initialize_parameters",
        "truncation_stddev": "truncated_normal_std",
        "std": None,
        "build_model": None,
        "train_keras": "train",
        "fit_keras": "train",
        "keras_gradient_norms": "gradient_norms",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_initializers": (
        "The notes' rules as Keras initializers: He is VarianceScaling(2, 'fan_in', 'untruncated_normal') and "
        "Xavier VarianceScaling(1, 'fan_in', 'untruncated_normal'); Keras's HeNormal, LecunNormal and GlorotNormal "
        "have the std of their rule but truncate at ±2σ'. The same laws (std, tails), not the same draws."
    ),
    "build_model": (
        "deep_network.build_model with each course initialization as a Keras kernel initializer "
        "(DENSE_INITIALIZERS): 'zeros' Zeros, 'random' RandomNormal(stddev=10), 'small' RandomNormal(stddev=0.01), "
        "'he' and 'xavier' VarianceScaling(2 or 1, 'fan_in', 'untruncated_normal'); biases start at zero."
    ),
    "train_keras": (
        "deep_network.make_train_function with keras_sgd(α) and BinaryCrossentropy(from_logits=True): full-batch "
        "gradient descent, compiled, its costs taken from the logits (not the course's naive compute_loss)."
    ),
    "fit_keras": (
        "model.compile(keras_sgd(α), keras_binary_crossentropy()) + model.fit(batch_size=m, shuffle=False): one "
        "epoch is one course gradient-descent step."
    ),
    "keras_gradient_norms": (
        "‖dW[l]‖_F of the Dense kernels' gradients, transposed by convert: the notes' per-layer gradient norms, for "
        "vanishing and exploding gradients."
    ),
}

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def _variables(parameters: Mapping) -> dict[str, tf.Variable]:
    """The parameters as `tf.Variable`s (variables are used as they are; arrays are copied by convert)."""
    if isinstance(parameters, Mapping) and all(isinstance(v, tf.Variable) for v in parameters.values()):
        return dict(parameters)
    return convert.to_variables(parameters)


def compute_loss(AL, Y) -> tf.Tensor:
    """The course's cost 1/m nansum(-Y log AL - (1-Y) log(1-AL)) in TF ops (init_utils's `compute_loss`).

    AL, Y (1, m) -> scalar. Naive like the course: inf when a wrong prediction saturates (AL = 1, Y = 0);
    the nan of a right saturated one (0·log 0) is dropped, as `np.nansum` does. For display only: the
    gradients come from `kd.compute_cost_from_logits`. Checked like NumPy's (labels outside {0, 1} warned).
    """
    if kd._eager(AL, Y):
        check_course_prediction(np.asarray(AL), np.asarray(Y), "AL")
    AL = tf.convert_to_tensor(AL)
    Y = tf.cast(Y, AL.dtype)
    logprobs = -tf.math.log(AL) * Y + -tf.math.log(1 - AL) * (1 - Y)
    logprobs = tf.where(tf.math.is_nan(logprobs), tf.zeros_like(logprobs), logprobs)
    return tf.reduce_sum(logprobs) / tf.cast(tf.shape(Y)[1], AL.dtype)


_course_loss = tf.autograph.experimental.do_not_convert(compute_loss)


def cost_and_gradients(X, Y, parameters: Mapping) -> tuple[tf.Tensor, tf.Tensor, dict[str, tf.Tensor]]:
    """By GradientTape: (J from the logits, the course's J, grads {"dW1", "db1", ...} in course layout).

    X (n_x, m), Y (1, m), parameters (arrays or variables) of [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID.
    """
    variables = _variables(parameters)
    cost, grads = kd.compute_grads(X, Y, variables)
    AL, _ = kd.L_model_forward_logits(X, variables)
    return cost, compute_loss(AL, Y), grads


def frobenius_norm(W) -> tf.Tensor:
    """‖W‖_F = s·sqrt(Σ (W/s)²) with s = max |W| (no overflow or underflow of Σ W² in float32); 0 for W = 0.

    As NumPy's: inf when W holds ±inf; an empty W, or one holding NaN, is an error (same message).
    """
    if kd._eager(W):
        A = as_float_array(np.asarray(W), "W")
        if A.size == 0:
            raise ValueError(f"W must hold at least one entry to have a norm, got shape {A.shape}")
        if np.any(np.isnan(A)):
            raise ValueError("W holds NaN: its norm is undefined")
    W = tf.convert_to_tensor(W)
    s = tf.reduce_max(tf.abs(W))
    norm = s * tf.sqrt(tf.reduce_sum(tf.square(tf.math.divide_no_nan(W, s))))
    return tf.where(tf.math.is_inf(s), s, norm)


def gradient_norms(X, Y, parameters: Mapping) -> tuple[tf.Tensor, tf.Tensor, dict[str, tf.Tensor]]:
    """‖dW[l]‖_F for l = 1..L with the gradients from the tape -> (norms (L,), cost from logits, grads)."""
    cost, _, grads = cost_and_gradients(X, Y, parameters)
    L = len(grads) // 2
    return tf.stack([frobenius_norm(grads[f"dW{l}"]) for l in range(1, L + 1)]), cost, grads


# AutoGraph converts only the loop below (its `tf.range` and `if` on a tensor); the functions it calls have no
# tensor-dependent control flow, and converting them recursively made tracing ~3x slower.
_compute_grads = tf.autograph.experimental.do_not_convert(kd.compute_grads)
_forward_logits = tf.autograph.experimental.do_not_convert(kd.L_model_forward_logits)
_update_parameters = tf.autograph.experimental.do_not_convert(kd.update_parameters)


def _gradient_descent_loop(X, Y, variables, learning_rate, num_iterations, cost_every, from_logits):
    """One iteration per `tf.range` step; the cost J(i) written when i % cost_every == 0."""
    parameters = dict(zip(kd._keys(len(variables) // 2), variables, strict=True))
    costs = tf.TensorArray(X.dtype, size=(num_iterations + cost_every - 1) // cost_every)
    for i in tf.range(num_iterations):
        cost, grads = _compute_grads(X, Y, parameters)
        if i % cost_every == 0:
            if not from_logits:
                cost = _course_loss(_forward_logits(X, parameters)[0], Y)
            costs = costs.write(i // cost_every, cost)
        _update_parameters(parameters, grads, learning_rate)
    return costs.stack()


_LOOP = tf.function(_gradient_descent_loop, reduce_retracing=True)


def train(X, Y, parameters: Mapping, learning_rate: float = 0.01, num_iterations: int = 15000,
          print_cost: bool = False, cost_every: int = 1000,
          from_logits: bool = False) -> tuple[dict[str, np.ndarray], tf.Tensor]:
    """Gradient descent from `parameters` (arrays, course layout), all iterations in one compiled call.

    NumPy's `train` with its arguments: X (n_x, m), Y (1, m) -> (final parameters as arrays, the costs at i = 0,
    cost_every, 2·cost_every, ..., recorded before update i as the NumPy side does): the course's
    `compute_loss`, or with `from_logits=True` the stable cost the gradients are taken of. Final parameters
    that are not finite raise a `FloatingPointError` (as NumPy's, naming the last iteration).
    """
    arrays = kd._arrays(parameters)
    L = number_of_layers(arrays)
    X = check_X(np.asarray(X), n_x=np.shape(arrays["W1"])[1])
    check_Y(np.asarray(Y), m=X.shape[1], n_y=np.shape(arrays[f"W{L}"])[0], binary=True)
    dtype = check_parameter_dtype(arrays)
    cost_every = check_count(cost_every, "cost_every")
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    kd._check_forward(X, arrays, None)
    variables = convert.to_variables({k: arrays[k] for k in kd._keys(L)})
    X, Y = tf.constant(X, dtype=dtype), tf.constant(np.asarray(Y), dtype=dtype)
    costs = _LOOP(X, Y, list(variables.values()), tf.constant(learning_rate, dtype=dtype),
                  tf.constant(num_iterations, tf.int32), tf.constant(cost_every, tf.int32), bool(from_logits))
    final = convert.to_parameters(variables)
    if num_iterations:
        check_training_finite(num_iterations - 1, learning_rate, **final)
    if print_cost:
        for j, cost in enumerate(costs.numpy()):
            print(f"Cost after iteration {j * cost_every}: {cost}")
    return final, costs


def predict(X, y, parameters: Mapping, print_accuracy: bool = True) -> tf.Tensor:
    """p = 1 where σ(ZL) > 0.5 (i.e. ZL > 0), else 0.  X (n_x, m), y (1, m) labels -> p (1, m) int64.

    Prints "Accuracy: ..." as the course does (unless `print_accuracy=False`).
    """
    AL, _ = kd.L_model_forward_logits(X, parameters)
    y = check_Y(np.asarray(y), m=AL.shape[1], n_y=1, binary=True)
    p = tf.cast(AL > 0.5, tf.int64)
    if print_accuracy:
        print(f"Accuracy: {np.mean(p.numpy()[0, :] == y[0, :])}")
    return p


# ---------------------------------------------------------------- part 2: Keras blocks

TRUNCATED_STD_FACTOR = 0.87962566103423978  # keras/src/initializers/random_initializers.py, VarianceScaling

# Course names -> Keras initializers for a Dense kernel (biases: zeros), seeded: the one Keras definition of each
# law. "he" and "xavier" are untruncated like the notes' randn (Keras's HeNormal/LecunNormal are truncated).
DENSE_INITIALIZERS = {
    "zeros": lambda seed: keras.initializers.Zeros(),
    "random": lambda seed: keras.initializers.RandomNormal(stddev=10.0, seed=seed),
    "small": lambda seed: keras.initializers.RandomNormal(stddev=0.01, seed=seed),
    "he": lambda seed: keras.initializers.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=seed),
    "xavier": lambda seed: keras.initializers.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=seed),
}


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
        "he": DENSE_INITIALIZERS["he"](seed),
        "HeNormal": keras.initializers.HeNormal(seed=seed),
        "xavier": DENSE_INITIALIZERS["xavier"](seed),
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


def build_model(layers_dims, parameters: Mapping | None = None, initialization: str = "he",
                seed: int = 3) -> keras.Sequential:
    """Sequential([Dense(n_1, "relu"), ..., Dense(n_L)]) on inputs (m, n_x); the last layer outputs the logits.

    `deep_network.build_model` with the kernels drawn by `DENSE_INITIALIZERS[initialization]` (one seed per
    layer: seed + 1, seed + 2, ...); with `parameters` (course layout) the weights are then copied in by
    `convert.set_dense_weights` (kernel = Wᵀ, bias = b[:, 0]). Built in Keras's current floatx.
    """
    if initialization not in DENSE_INITIALIZERS:
        raise ValueError(f"initialization must be one of {sorted(DENSE_INITIALIZERS)}, got {initialization!r}")
    L = len(list(layers_dims)) - 1
    model = kd.build_model(layers_dims, None, [DENSE_INITIALIZERS[initialization](seed + l) for l in range(1, L + 1)])
    if parameters is not None:
        convert.set_dense_weights(model, parameters)
    return model


def train_keras(model: keras.Model, X, Y, learning_rate: float = 0.01, num_iterations: int = 15000,
                cost_every: int = 1000) -> tf.Tensor:
    """Full-batch training with `keras_sgd(α)` and `BinaryCrossentropy(from_logits=True)`, compiled (one call).

    `deep_network.make_train_function`; X (n_x, m), Y (1, m) in course layout. Trains `model` in place and
    returns the costs (from the logits) at i = 0, cost_every, ... before update i. `model.fit` would do the
    same steps with `batch_size=m, shuffle=False`, but at ~25 ms per epoch 15000 epochs would take minutes.
    """
    cost_every = check_count(cost_every, "cost_every")
    check_learning_rate(learning_rate)
    return kd.make_train_function(model, keras_sgd(learning_rate))(X, Y, num_iterations)[::cost_every]


def fit_keras(model: keras.Model, X, Y, learning_rate: float = 0.01, epochs: int = 1) -> keras.callbacks.History:
    """`model.compile(keras_sgd(α), keras_binary_crossentropy())` + `model.fit(batch_size=m, shuffle=False)`.

    One epoch = one full-batch gradient step, as in the course. Returns the History (loss per epoch).
    """
    check_learning_rate(learning_rate)
    epochs = check_count(epochs, "epochs")
    model.compile(optimizer=keras_sgd(learning_rate), loss=keras_binary_crossentropy())
    x, y = convert.inputs_to_keras(X), convert.labels_to_keras(Y)
    return model.fit(x, y, batch_size=int(x.shape[0]), epochs=epochs, shuffle=False, verbose=0)


def keras_gradient_norms(model: keras.Model, X, Y) -> tf.Tensor:
    """‖dW[l]‖_F per Dense layer of `model` (the kernel gradients, transposed to course layout by convert)."""
    _, grads = kd.keras_gradients(model, X, Y)
    return tf.stack([frobenius_norm(grads[f"dW{l}"]) for l in range(1, len(grads) // 2 + 1)])
