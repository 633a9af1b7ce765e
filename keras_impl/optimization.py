"""B10-B15 optimization on the TF side, and the one home of every Keras optimizer factory of the project.

Mirrors `numpy_impl.optimization` function by function (same names, same arguments, same returns, tensors
for arrays): `update_parameters_with_gd`, `random_mini_batches`, `initialize_velocity`,
`update_parameters_with_momentum`, `initialize_rmsprop`, `update_parameters_with_rmsprop`, `initialize_adam`,
`update_parameters_with_adam`, `update_lr`, `schedule_lr_decay`, `exponential_lr_decay`, `sqrt_lr_decay`,
`learning_rate_of_epoch`, `initialize_parameters`, `train` (the course's loop, compiled), `model` and `accuracy`
(NumPy's `forward_propagation`/`backward_propagation` are the tape's forward pass and gradient inside `train`).
The Keras side mirrors the same functions (`MIRRORS` below): `keras_sgd`, `keras_momentum`/`CourseMomentum`,
`keras_rmsprop`/`CourseRMSprop`, `keras_adam`/`AdamCourseEpsilon` compute the four update rules,
`mini_batch_dataset` the mini-batches, `keras_loss` the cost (the batch mean: `compute_cost` is the sum),
`make_keras_loop`/`keras_train` `train`, `keras_accuracy` `accuracy`, `InverseSqrtDecay` `sqrt_lr_decay`, and
`keras_schedule`/`EpochLagged`/`keras_lr_scheduler` the α of each epoch (`learning_rate_of_epoch`).

Part 1, `tf.Variable` + `GradientTape`: the course's update rules written in TF ops on dicts of tensors
(course layout), and `train`, the course's mini-batch loop as one `tf.function` over epochs and mini-batches
with the gradients from the tape.

Part 2, Keras: the factories that turn a course optimizer into the Keras optimizer that computes the same
numbers (each docstring says why it is exact), the schedules, `translate` (course optimizer + schedule ->
Keras optimizer, or the reason why no stock one exists), the mini-batches as a `tf.data` pipeline, and
`make_keras_loop`, a compiled loop of `optimizer.apply_gradients` over the same mini-batches. Every module of
the project that needs a Keras optimizer takes it from here: `keras_sgd(α)` is plain gradient descent;
`hyper(x)` puts a hyper-parameter in the form Keras keeps exact in the current floatx (docs/traps.md, trap 1).

The mappings, in short (docs/optimization.md has the derivations and the measurements):

    course momentum  v = βv + (1-β)dW, W -= αv       = SGD(learning_rate=α(1-β), momentum=β), Keras's velocity
                                                       m = -α·v; exact for a constant α only (Keras folds α in m)
    course RMSprop   W -= α dW/(√s + ε)              = RMSprop(rho=β, epsilon=0) at ε = 0 only (Keras puts ε
                                                       inside the root: it is the notes' form √(s + ε))
    course Adam      W -= α v̂/(√ŝ + ε)               = Adam(epsilon=ε̂) with ε̂ = ε√(1-β2^t): a per-step ε,
                                                       so ε = 0 (stock Adam) or `AdamCourseEpsilon`
    course decay     epoch e trains with f(e - 1)     = a stock schedule of the optimizer step, one epoch late
                                                       (`EpochLagged`), or `LearningRateScheduler` in `fit`
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_impl import convert
from keras_impl import deep_network as kd
from keras_impl.losses import keras_binary_crossentropy
from numpy_impl.validation import (
    as_float_array,
    check_beta,
    check_count,
    check_finite,
    check_layer_dims,
    check_learning_rate,
    check_mini_batch_arguments,
    check_nonnegative,
    check_optimizer_arguments,
    check_state_like,
    count_layers_by_keys,
    diverged_error,
)

# Which NumPy function (numpy_impl.optimization) each function here mirrors, by concept (the module docstring says
# the same); the docs site pairs the code columns from it and parity_tests/test_twins.py checks it.
MIRRORS = {
    "B10": {
        "update_parameters_with_gd": "update_parameters_with_gd",
        "keras_sgd": "update_parameters_with_gd",
        "course_permutation": "random_mini_batches",
        "random_mini_batches": "random_mini_batches",
        "mini_batch_dataset": "random_mini_batches",
        "initialize_parameters": "initialize_parameters",
        "keras_loss": "compute_cost",
        "train": "train",
        "make_keras_loop": "train",
        "keras_train": "train",
        "model": "model",
        "accuracy": "accuracy",
        "keras_accuracy": "accuracy",
        "build_model": None,
        "hyper": None,
        "keras_slots": None,
    },
    "B12": {
        "initialize_velocity": "initialize_velocity",
        "update_parameters_with_momentum": "update_parameters_with_momentum",
        "keras_momentum": "update_parameters_with_momentum",
        "CourseMomentum": "update_parameters_with_momentum",
        "course_velocity": None,
    },
    "B13": {
        "initialize_rmsprop": "initialize_rmsprop",
        "update_parameters_with_rmsprop": "update_parameters_with_rmsprop",
        "keras_rmsprop": "update_parameters_with_rmsprop",
        "CourseRMSprop": "update_parameters_with_rmsprop",
    },
    "B14": {
        "initialize_adam": "initialize_adam",
        "update_parameters_with_adam": "update_parameters_with_adam",
        "keras_adam": "update_parameters_with_adam",
        "AdamCourseEpsilon": "update_parameters_with_adam",
    },
    "B15": {
        "update_lr": "update_lr",
        "schedule_lr_decay": "schedule_lr_decay",
        "exponential_lr_decay": "exponential_lr_decay",
        "sqrt_lr_decay": "sqrt_lr_decay",
        "InverseSqrtDecay": "sqrt_lr_decay",
        "learning_rate_of_epoch": "learning_rate_of_epoch",
        "EpochLagged": "learning_rate_of_epoch",
        "keras_schedule": "learning_rate_of_epoch",
        "keras_lr_scheduler": "learning_rate_of_epoch",
        "translate": None,
        "NoExactMappingError": None,
    },
}
# The Keras-block versions and how they map onto the course's formulas (docs/optimization.md has the derivations).
KERAS_BLOCKS = {
    "keras_sgd": "SGD(learning_rate=α), no momentum: variable -= α·gradient is the course's W := W - α dW; α goes in "
    "through hyper, so a float64 run keeps it exact.",
    "mini_batch_dataset": "the course's random_mini_batches as tf.data: the examples (rows, Keras layout x = X.T) in "
    "the course's permutation order, .batch(mini_batch_size) gives the full batches then the remainder; fit it "
    "with shuffle=False.",
    "build_model": "the course's [LINEAR -> RELU] x (L-1) -> LINEAR network as Sequential Dense layers (relu, then a "
    "linear Dense giving the logits ZL, the sigmoid left to the loss), kernel = W.T and bias = b copied in.",
    "keras_loss": "BinaryCrossentropy(from_logits=True): the batch's mean cross-entropy, whose gradient is the "
    "course's dZL = (AL - Y)/m_batch; times the batch size it is the course's compute_cost (a sum of losses).",
    "make_keras_loop": "the course's epoch loop (epoch e permuted with seed + e + 1, full batches then the "
    "remainder) as one tf.function of Keras forward pass, BinaryCrossentropy(from_logits), tape and "
    "optimizer.apply_gradients: one apply_gradients per course mini-batch update.",
    "keras_train": "build_model + make_keras_loop with any Keras optimizer: the course's train loop, returning its "
    "parameters, epoch costs Σ losses/m and the optimizer state under the course's names.",
    "keras_accuracy": "the Keras model's logit > 0 (σ(z) > 0.5) compared with the 0/1 labels: the course's "
    "accuracy.",
    "keras_slots": "Keras's optimizer state under the course's names: Adam's m is the course's v and its v the "
    "course's s, RMSprop's velocity is s, CourseMomentum's velocity is v, stock SGD's momentum m is -α·v.",
    "keras_momentum": "SGD(learning_rate=α(1-β), momentum=β): Keras keeps m := βm - lr·dW, W += m, which is the "
    "course's v := βv + (1-β)dW, W -= αv with m = -α·v; exact for a constant α only.",
    "course_velocity": "the course's velocity from stock SGD's momentum variable: v = -m/α (under keras_momentum).",
    "CourseMomentum": "a Keras optimizer whose velocity is the course's v itself (v := βv + (1-β)dW, W -= lr·v): "
    "exact under any learning-rate schedule, where stock SGD(momentum=) folds α into its velocity.",
    "keras_rmsprop": "RMSprop(learning_rate=α, rho=β, epsilon=ε, momentum=0, centered=False): rho is the course's β, "
    "the velocity is s, and ε sits inside the root (the notes' √(s + ε)); the course's √s + ε only at ε = 0.",
    "CourseRMSprop": "Keras's RMSprop with the course's ε placement, W -= lr·dW/(√s + ε) (ε outside the root); "
    "rho, the velocity s and schedules are Keras's own.",
    "keras_adam": "the course's Adam: stock Adam(learning_rate=α, beta_1=β1, beta_2=β2, epsilon=0) at ε = 0, else "
    "AdamCourseEpsilon; Keras's m, v are the course's v, s (the bias correction is folded into Keras's step size).",
    "AdamCourseEpsilon": "Keras's Adam (α_t = lr·√(1-β2^t)/(1-β1^t), W -= m·α_t/(√v + ε̂)) with the per-step "
    "ε̂ = ε·√(1-β2^t) that makes it the course's W -= α v̂/(√ŝ + ε) for any ε (eps_inside_sqrt: the notes' √(ŝ + ε)).",
    "InverseSqrtDecay": "the notes' k/√epoch·α0 as a schedule of the optimizer step, α0·k/√(⌊step/steps_per_epoch⌋ "
    "+ 1): Keras has no stock one.",
    "EpochLagged": "a schedule of the optimizer step evaluated one epoch (steps_per_epoch steps) late: the course "
    "sets α after each epoch, so epoch e trains with f(e - 1), where a stock staircase schedule gives f(e).",
    "keras_schedule": "update_lr -> InverseTimeDecay(α0, decay_steps=S, decay_rate, staircase=True), "
    "schedule_lr_decay -> the same with decay_steps=S·time_interval, exponential_lr_decay -> ExponentialDecay(α0, S, "
    "decay_rate, staircase=True), sqrt_lr_decay -> InverseSqrtDecay; S = mini-batches per epoch, lagged by "
    "EpochLagged.",
    "keras_lr_scheduler": "LearningRateScheduler(lambda epoch, lr: f(max(epoch - 1, 0))) for fit: Keras calls it at "
    "the start of epoch e (from 0), the course trains epoch e with f(e - 1) and α0 in epoch 0.",
    "translate": "course optimizer + decay -> the Keras optimizer that reproduces it exactly: SGD for gd, "
    "keras_momentum at a constant α, RMSprop with ε inside the root or ε = 0, Adam at ε = 0, each with the lagged "
    "schedule; otherwise NoExactMappingError with the reason, or with custom=True CourseMomentum, CourseRMSprop, "
    "AdamCourseEpsilon.",
}


def hyper(value: float):
    """A hyper-parameter in the form Keras keeps exact in the current floatx.

    float64: `np.float64`. Keras casts Python-float hyper-parameters (Adam's β1, β2, SGD's momentum) with
    `ops.cast`, which takes them through float32 (`ops.cast(0.9, "float64")` = 0.8999999761581421), and a
    float64 run drifts from the exact one (the notes' Adam(0.1) on (w - 5)²: by 1.9e-5 within 100 steps).
    float32: a plain Python float, as one writes `Adam(0.1)`. An `np.float64` there is not harmless:
    `(g - m) * (1 - β1)` then runs in float64 and is rounded to float32 only when assigned, one rounding fewer
    than float32 arithmetic (w differs by an ulp after one step).
    """
    return np.float64(value) if keras.config.floatx() == "float64" else float(value)


def keras_sgd(learning_rate) -> keras.optimizers.SGD:
    """`SGD(learning_rate=α)`: `variable -= α·gradient`, the notes' update `W := W - α·dW`.

    α goes in through `hyper`. Create the optimizer inside the Keras precision it will run in: its
    learning-rate variable takes floatx when it is built.
    """
    return keras.optimizers.SGD(learning_rate=hyper(learning_rate))


# ================================================================ part 1: tf.Variable + GradientTape


def _names(L: int) -> list[tuple[str, str]]:
    return [(f"{p}{l}", f"d{p}{l}") for l in range(1, L + 1) for p in ("W", "b")]


def _c(x, dtype) -> tf.Tensor:
    """A Python/NumPy hyper-parameter as an exact constant of `dtype` (`tf.constant`, never `tf.cast` of a float:
    that goes through float32, docs/traps.md, trap 1). A tensor (the per-epoch α inside the compiled loop, already
    in `dtype`) is passed through."""
    return tf.cast(x, dtype) if tf.is_tensor(x) else tf.constant(x, dtype=dtype)


def _tensors(mapping: Mapping, keys) -> dict[str, tf.Tensor]:
    return {k: tf.convert_to_tensor(mapping[k]) for k in keys}


def update_parameters_with_gd(parameters: Mapping, grads: Mapping, learning_rate) -> dict[str, tf.Tensor]:
    """W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l], in TF ops; a new dict of tensors."""
    L = check_state_like(parameters, grads, "grads")
    learning_rate = check_learning_rate(learning_rate)
    names = _names(L)
    return _gd_step(_tensors(parameters, [n for n, _ in names]), _tensors(grads, [k for _, k in names]), L,
                    learning_rate)


def _gd_step(parameters, grads, L, learning_rate):
    out = dict(parameters)
    for name, k in _names(L):
        value = parameters[name]
        out[name] = value - _c(learning_rate, value.dtype) * grads[k]
    return out


def course_permutation(m: int, seed: int) -> np.ndarray:
    """The column order of the course's `random_mini_batches(X, Y, size, seed)`: NumPy's legacy generator seeded
    with `seed`, `permutation(m)` (an independent `RandomState`, so the global generator is left alone). TF's
    own generators cannot draw this order; sharing the draw is what makes the batches the same."""
    return np.random.RandomState(seed).permutation(m)


def _batch_bounds(m: int, mini_batch_size: int) -> list[tuple[int, int]]:
    """(start, stop) of the full mini-batches, then of the remainder if m is not a multiple of the size."""
    bounds = [(k * mini_batch_size, (k + 1) * mini_batch_size) for k in range(m // mini_batch_size)]
    if m % mini_batch_size:
        bounds.append((m - m % mini_batch_size, m))
    return bounds


def random_mini_batches(X, Y, mini_batch_size=64, seed=0) -> list[tuple[tf.Tensor, tf.Tensor]]:
    """The course's mini-batches as TF tensors: columns in `course_permutation(m, seed)` order (`tf.gather`),
    cut into full batches, then the remainder.  X (n_x, m), Y (n_y, m) -> [(X_batch (n_x, size), Y_batch)]."""
    X, Y, mini_batch_size = check_mini_batch_arguments(X, Y, mini_batch_size, seed)
    m = X.shape[1]
    permutation = tf.constant(course_permutation(m, seed))
    shuffled_X = tf.gather(tf.constant(X), permutation, axis=1)
    shuffled_Y = tf.gather(tf.constant(Y), permutation, axis=1)
    return [(shuffled_X[:, a:b], shuffled_Y[:, a:b]) for a, b in _batch_bounds(m, mini_batch_size)]


def _zeros(parameters: Mapping) -> dict[str, tf.Tensor]:
    L = count_layers_by_keys(parameters)
    return {k: tf.zeros_like(tf.convert_to_tensor(as_float_array(parameters[name], name))) for name, k in _names(L)}


def initialize_velocity(parameters: Mapping) -> dict[str, tf.Tensor]:
    """v = {"dW1": zeros like W1, "db1": zeros like b1, ...} as tensors."""
    return _zeros(parameters)


def update_parameters_with_momentum(parameters: Mapping, grads: Mapping, v: Mapping, beta, learning_rate):
    """v := β v + (1 - β) dW;  W := W - α v, in TF ops -> (parameters, v), new dicts of tensors."""
    L = check_state_like(parameters, grads, "grads")
    check_state_like(parameters, v, "v")
    beta, learning_rate = check_beta(beta), check_learning_rate(learning_rate)
    names = _names(L)
    keys = [k for _, k in names]
    return _momentum_step(_tensors(parameters, [n for n, _ in names]), _tensors(grads, keys), _tensors(v, keys), L,
                          beta, learning_rate)


def _momentum_step(parameters, grads, v, L, beta, learning_rate):
    parameters, v = dict(parameters), dict(v)
    for name, k in _names(L):
        dtype = parameters[name].dtype
        v[k] = _c(beta, dtype) * v[k] + _c(1 - beta, dtype) * grads[k]
        parameters[name] = parameters[name] - _c(learning_rate, dtype) * v[k]
    return parameters, v


def initialize_rmsprop(parameters: Mapping) -> dict[str, tf.Tensor]:
    """s = {"dW1": zeros like W1, "db1": zeros like b1, ...} as tensors."""
    return _zeros(parameters)


def update_parameters_with_rmsprop(parameters: Mapping, grads: Mapping, s: Mapping, beta, learning_rate,
                                   epsilon=1e-8, eps_inside_sqrt: bool = False):
    """s := β s + (1 - β) dW²;  W := W - α dW / (√s + ε) (or √(s + ε) with `eps_inside_sqrt`) -> (parameters, s)."""
    L = check_state_like(parameters, grads, "grads")
    check_state_like(parameters, s, "s")
    beta, learning_rate = check_beta(beta), check_learning_rate(learning_rate)
    epsilon = check_nonnegative(epsilon, "epsilon")
    names = _names(L)
    keys = [k for _, k in names]
    return _rmsprop_step(_tensors(parameters, [n for n, _ in names]), _tensors(grads, keys), _tensors(s, keys), L,
                         beta, learning_rate, epsilon, eps_inside_sqrt)


def _rmsprop_step(parameters, grads, s, L, beta, learning_rate, epsilon, eps_inside_sqrt):
    parameters, s = dict(parameters), dict(s)
    for name, k in _names(L):
        dtype, g = parameters[name].dtype, grads[k]
        s[k] = _c(beta, dtype) * s[k] + _c(1 - beta, dtype) * tf.square(g)
        eps = _c(epsilon, dtype)
        denominator = tf.sqrt(s[k] + eps) if eps_inside_sqrt else tf.sqrt(s[k]) + eps
        parameters[name] = parameters[name] - _c(learning_rate, dtype) * g / denominator
    return parameters, s


def initialize_adam(parameters: Mapping) -> tuple[dict[str, tf.Tensor], dict[str, tf.Tensor]]:
    """(v, s), both {"dW1": zeros like W1, ...} as tensors."""
    return _zeros(parameters), _zeros(parameters)


def update_parameters_with_adam(parameters: Mapping, grads: Mapping, v: Mapping, s: Mapping, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8, eps_inside_sqrt: bool = False):
    """The course's Adam step t in TF ops -> (parameters, v, s, v_corrected, s_corrected), dicts of tensors.

    v := β1 v + (1-β1) dW, v̂ = v/(1-β1^t); s := β2 s + (1-β2) dW², ŝ = s/(1-β2^t); W := W - α v̂/(√ŝ + ε).
    """
    L = check_state_like(parameters, grads, "grads")
    check_state_like(parameters, v, "v")
    check_state_like(parameters, s, "s")
    t = check_count(t, "t")
    learning_rate, epsilon = check_learning_rate(learning_rate), check_nonnegative(epsilon, "epsilon")
    beta1, beta2 = check_beta(beta1, "beta1"), check_beta(beta2, "beta2")
    names = _names(L)
    keys = [k for _, k in names]
    return _adam_step(_tensors(parameters, [n for n, _ in names]), _tensors(grads, keys), _tensors(v, keys),
                      _tensors(s, keys), L, tf.constant(t), learning_rate, beta1, beta2, epsilon, eps_inside_sqrt)


def _adam_step(parameters, grads, v, s, L, t, learning_rate, beta1, beta2, epsilon, eps_inside_sqrt):
    parameters, v, s = dict(parameters), dict(v), dict(s)
    v_corrected, s_corrected = {}, {}
    for name, k in _names(L):
        dtype, g = parameters[name].dtype, grads[k]
        b1, b2, tt = _c(beta1, dtype), _c(beta2, dtype), tf.cast(t, dtype)
        v[k] = b1 * v[k] + _c(1 - beta1, dtype) * g
        v_corrected[k] = v[k] / (1 - tf.pow(b1, tt))
        s[k] = b2 * s[k] + _c(1 - beta2, dtype) * tf.square(g)
        s_corrected[k] = s[k] / (1 - tf.pow(b2, tt))
        eps = _c(epsilon, dtype)
        denominator = tf.sqrt(s_corrected[k] + eps) if eps_inside_sqrt else tf.sqrt(s_corrected[k]) + eps
        parameters[name] = parameters[name] - _c(learning_rate, dtype) * v_corrected[k] / denominator
    return parameters, v, s, v_corrected, s_corrected


# ---------------------------------------------------------------- learning-rate decay (B15), epoch-wise


def _epoch(epoch_num) -> int:
    return check_count(epoch_num, "epoch_num", minimum=0)


def _f64(x) -> tf.Tensor:
    return tf.constant(x, tf.float64)


def update_lr(learning_rate0, epoch_num, decay_rate) -> float:
    """α = α0 / (1 + decay_rate·epoch_num) in TF ops, a Python float."""
    learning_rate0, epoch_num = check_learning_rate(learning_rate0, "learning_rate0"), _epoch(epoch_num)
    decay_rate = check_nonnegative(decay_rate, "decay_rate")
    return float(1 / (1 + _f64(decay_rate) * _f64(epoch_num)) * _f64(learning_rate0))


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000) -> float:
    """α = α0 / (1 + decay_rate·⌊epoch_num / time_interval⌋) in TF ops, a Python float."""
    learning_rate0, epoch_num = check_learning_rate(learning_rate0, "learning_rate0"), _epoch(epoch_num)
    time_interval = check_count(time_interval, "time_interval")
    decay_rate = check_nonnegative(decay_rate, "decay_rate")
    return float(1 / (1 + _f64(decay_rate) * tf.floor(_f64(epoch_num) / _f64(time_interval))) * _f64(learning_rate0))


def exponential_lr_decay(learning_rate0, epoch_num, decay_rate=0.95) -> float:
    """α = decay_rate^epoch_num·α0 in TF ops, a Python float."""
    learning_rate0, epoch_num = check_learning_rate(learning_rate0, "learning_rate0"), _epoch(epoch_num)
    decay_rate = check_nonnegative(decay_rate, "decay_rate")
    return float(tf.pow(_f64(decay_rate), _f64(epoch_num)) * _f64(learning_rate0))


def sqrt_lr_decay(learning_rate0, epoch_num, decay_rate=1.0) -> float:
    """α = k/√(epoch_num + 1)·α0 (k = decay_rate, the notes' k/√epoch with epochs from 1), a Python float."""
    learning_rate0, epoch_num = check_learning_rate(learning_rate0, "learning_rate0"), _epoch(epoch_num)
    decay_rate = check_nonnegative(decay_rate, "decay_rate")
    return float(_f64(decay_rate) / tf.sqrt(_f64(epoch_num + 1)) * _f64(learning_rate0))


DECAYS: dict[str, Callable] = {"update_lr": update_lr, "schedule_lr_decay": schedule_lr_decay,
                               "exponential_lr_decay": exponential_lr_decay, "sqrt_lr_decay": sqrt_lr_decay}


def learning_rate_of_epoch(learning_rate0, epoch, decay=None, decay_rate=1) -> float:
    """The α the course's loop trains epoch `epoch` (from 0) with: α0 for epoch 0 or without decay, else
    `decay(α0, epoch - 1, decay_rate)` (the course updates α at the end of each epoch)."""
    if decay is None or epoch == 0:
        return float(learning_rate0)
    return decay(learning_rate0, epoch - 1, decay_rate)


# ---------------------------------------------------------------- the course's loop, compiled


def initialize_parameters(layers_dims) -> dict[str, tf.Tensor]:
    """The optimization assignment's start: NumPy's legacy generator seeded with 3, `W[l] = randn(n_l, n_{l-1})
    ·√(2/n_{l-1})`, `b[l] = 0`, as tensors (the draw is NumPy's, not TF's: the same start on both sides)."""
    dims = check_layer_dims(layers_dims, "layers_dims")
    rng = np.random.RandomState(3)
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = tf.constant(rng.randn(dims[l], dims[l - 1]) * np.sqrt(2 / dims[l - 1]))
        parameters[f"b{l}"] = tf.zeros((dims[l], 1), tf.float64)
    return parameters


def _logits(X, parameters, L):
    """ZL of [LINEAR -> RELU] x (L-1) -> LINEAR, course layout."""
    A = X
    for l in range(1, L + 1):
        Z = tf.matmul(parameters[f"W{l}"], A) + parameters[f"b{l}"]
        A = tf.nn.relu(Z) if l < L else Z
    return A


def _epoch_plan(m: int, num_epochs: int, mini_batch_size: int, seed: int):
    """Every epoch's permutation (seeds seed+1, seed+2, ...) as one int32 tensor (num_epochs, m), and the bounds."""
    perms = np.stack([course_permutation(m, seed + e + 1) for e in range(num_epochs)]) if num_epochs else \
        np.zeros((0, m), np.int64)
    return tf.constant(perms, tf.int32), _batch_bounds(m, mini_batch_size)


def _check_costs(batch_costs: np.ndarray, n_batches: int) -> None:
    bad = np.flatnonzero(~np.isfinite(batch_costs))
    if bad.size:
        step = int(bad[0])
        raise diverged_error(step // n_batches, step % n_batches, step + 1)


def train(X, Y, parameters: Mapping, optimizer: str, learning_rate=0.0007, mini_batch_size=64, beta=0.9, beta1=0.9,
          beta2=0.999, epsilon=1e-8, num_epochs=5000, print_cost=False, decay=None, decay_rate=1, seed=10,
          record_every_epoch: bool = False, eps_inside_sqrt: bool = False) -> dict:
    """The course's loop with the tape: one `tf.function` over the epochs (`tf.range`) and their mini-batches.

    The same mini-batches as NumPy (`course_permutation(m, seed + e + 1)` for epoch e), the gradient of the
    batch's mean cross-entropy from the logits by `GradientTape`, the course's update rule in TF ops on
    `tf.Variable`s (Adam's t = the number of the mini-batch from 1 across epochs), α of each epoch from
    `learning_rate_of_epoch`. Returns what `numpy_impl.optimization.train` returns (NumPy arrays and floats):
    "parameters", "costs" (Σ batch losses / m per epoch), "batch_costs", "learning_rates", "t", and with
    `record_every_epoch` "history" (per epoch {"parameters", "state"}). A non-finite cost raises the same
    error as NumPy (checked after the compiled loop, naming the first bad mini-batch).
    """
    L = count_layers_by_keys(parameters)
    layers_dims = [np.shape(parameters["W1"])[1]] + [np.shape(parameters[f"W{l}"])[0] for l in range(1, L + 1)]
    X, Y = check_optimizer_arguments(X, Y, layers_dims, optimizer, learning_rate, mini_batch_size, beta, beta1, beta2,
                                     epsilon, num_epochs, decay, decay_rate)
    convert.number_of_layers(parameters)
    for name, _ in _names(L):
        check_finite(as_float_array(parameters[name], name), name)
    dtype = tf.as_dtype(np.asarray(parameters["W1"]).dtype)
    m = X.shape[1]
    x, y = tf.constant(X, dtype), tf.constant(Y, dtype)
    perms, bounds = _epoch_plan(m, num_epochs, mini_batch_size, seed)
    rates = [learning_rate_of_epoch(learning_rate, e, decay, decay_rate) for e in range(num_epochs)]
    lrs = tf.constant(rates, dtype) if num_epochs else tf.zeros((0,), dtype)
    names = _names(L)
    variables = {n: tf.Variable(tf.constant(np.asarray(parameters[n]), dtype), name=n) for n, _ in names}
    state_names = {"gd": (), "momentum": ("v",), "rmsprop": ("s",), "adam": ("v", "s")}[optimizer]
    state = {sn: {k: tf.Variable(tf.zeros_like(variables[n]), name=f"{sn}_{k}") for n, k in names}
             for sn in state_names}
    n_batches = len(bounds)
    starts, stops = tf.constant([a for a, _ in bounds]), tf.constant([b for _, b in bounds])

    def step(xb, yb, lr, t):
        with tf.GradientTape() as tape:
            ZL = _logits(xb, variables, L)
            losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=yb, logits=ZL)
            cost = tf.reduce_mean(losses)
        grads = dict(zip([k for _, k in names], tape.gradient(cost, [variables[n] for n, _ in names]), strict=True))
        current = {n: variables[n].read_value() for n, _ in names}
        if optimizer == "gd":
            new = _gd_step(current, grads, L, lr)
        elif optimizer == "momentum":
            new, v = _momentum_step(current, grads, {k: state["v"][k].read_value() for _, k in names}, L, beta, lr)
            new_state = {"v": v}
        elif optimizer == "rmsprop":
            new, s = _rmsprop_step(current, grads, {k: state["s"][k].read_value() for _, k in names}, L, beta, lr,
                                   epsilon, eps_inside_sqrt)
            new_state = {"s": s}
        else:
            new, v, s, _, _ = _adam_step(current, grads, {k: state["v"][k].read_value() for _, k in names},
                                         {k: state["s"][k].read_value() for _, k in names}, L, t, lr, beta1, beta2,
                                         epsilon, eps_inside_sqrt)
            new_state = {"v": v, "s": s}
        for n, _ in names:
            variables[n].assign(new[n])
        for sn in state_names:
            for _, k in names:
                state[sn][k].assign(new_state[sn][k])
        return tf.reduce_sum(losses)

    snap_keys = [n for n, _ in names] + [f"{sn}_{k}" for sn in state_names for _, k in names]

    def snapshot_values():
        return [variables[n] for n, _ in names] + [state[sn][k] for sn in state_names for _, k in names]

    @tf.function
    def loop(x, y, perms, lrs):
        E = tf.shape(perms)[0]
        batch_costs = tf.TensorArray(dtype, size=E * n_batches)
        snaps = [tf.TensorArray(dtype, size=E if record_every_epoch else 0) for _ in snap_keys]
        for e in tf.range(E):
            xe, ye = tf.gather(x, perms[e], axis=1), tf.gather(y, perms[e], axis=1)
            lr = lrs[e]
            for b in tf.range(n_batches):  # one traced body for every mini-batch (the last one is smaller)
                start, stop = starts[b], stops[b]
                t = e * n_batches + b + 1
                batch_costs = batch_costs.write(e * n_batches + b, step(xe[:, start:stop], ye[:, start:stop],
                                                                        lr, t))
            if record_every_epoch:
                snaps = [ta.write(e, value) for ta, value in zip(snaps, snapshot_values(), strict=True)]
        return batch_costs.stack(), [ta.stack() for ta in snaps] if record_every_epoch else []

    batch_costs, snaps = loop(x, y, perms, lrs)
    batch_costs = batch_costs.numpy()
    _check_costs(batch_costs, n_batches)
    if any(not np.all(np.isfinite(variables[n].numpy())) for n, _ in names):
        raise diverged_error(num_epochs - 1, n_batches - 1, num_epochs * n_batches)
    costs = [float(c) for c in batch_costs.reshape(num_epochs, n_batches).sum(axis=1) / m] if num_epochs else []
    if print_cost:
        for i in range(0, num_epochs, 1000):
            print(f"Cost after epoch {i}: {costs[i]:f}")
    out = {"parameters": {n: variables[n].numpy() for n, _ in names}, "costs": costs,
           "batch_costs": [float(c) for c in batch_costs], "learning_rates": rates, "t": num_epochs * n_batches}
    if record_every_epoch:
        snaps = {key: value.numpy() for key, value in zip(snap_keys, snaps, strict=True)}
        out["history"] = [{"parameters": {n: snaps[n][e] for n, _ in names},
                           "state": {sn: {k: snaps[f"{sn}_{k}"][e] for _, k in names} for sn in state_names}}
                          for e in range(num_epochs)]
    return out


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9, beta1=0.9, beta2=0.999,
          epsilon=1e-8, num_epochs=5000, print_cost=True, decay=None, decay_rate=1) -> dict[str, np.ndarray]:
    """The course's driver with the tape: `initialize_parameters(layers_dims)` then `train` -> parameters."""
    check_optimizer_arguments(X, Y, layers_dims, optimizer, learning_rate, mini_batch_size, beta, beta1, beta2,
                              epsilon, num_epochs, decay, decay_rate)
    dtype = as_float_array(X, "X").dtype
    parameters = {k: v.numpy().astype(dtype) for k, v in initialize_parameters(layers_dims).items()}
    return train(X, Y, parameters, optimizer, learning_rate, mini_batch_size, beta, beta1, beta2, epsilon, num_epochs,
                 print_cost, decay, decay_rate)["parameters"]


def accuracy(X, Y, parameters: Mapping) -> float:
    """The fraction of examples where σ(ZL) > 0.5 (ZL > 0) agrees with the 0/1 label Y (1, m)."""
    L = count_layers_by_keys(parameters)
    ZL = _logits(tf.constant(X), {k: tf.constant(v) for k, v in parameters.items()}, L)
    return float(tf.reduce_mean(tf.cast(tf.equal(tf.cast(ZL > 0, ZL.dtype), tf.constant(Y, ZL.dtype)), tf.float64)))


# ================================================================ part 2: Keras optimizers, schedules, loops


def keras_momentum(learning_rate, beta) -> keras.optimizers.SGD:
    """`SGD(learning_rate=α(1-β), momentum=β)`: the course's momentum `v = βv + (1-β)dW; W -= αv` for a constant α.

    Keras keeps `m := β m - lr·dW; W += m`. With lr = α(1-β) and m = -α v the two recurrences are the same:
    -α v_new = β(-α v) - α(1-β) dW, and W + m = W - α v. So Keras's velocity is `-α·v` (see
    `course_velocity`). Only for a constant α: Keras multiplies α into its velocity when the step is taken, the
    course when W is updated; with a schedule the old velocity keeps the old α (use `CourseMomentum`).
    """
    learning_rate, beta = check_learning_rate(learning_rate), check_beta(beta)
    return keras.optimizers.SGD(learning_rate=hyper(learning_rate * (1 - beta)), momentum=hyper(beta))


def course_velocity(keras_velocity, learning_rate):
    """The course's v from Keras SGD's momentum variable m (from `keras_momentum(α, β)`): v = -m / α."""
    m = tf.convert_to_tensor(keras_velocity)
    return -m / _c(learning_rate, m.dtype)


def keras_rmsprop(learning_rate, beta=0.9, epsilon=1e-8) -> keras.optimizers.RMSprop:
    """`RMSprop(learning_rate=α, rho=β, epsilon=ε, momentum=0, centered=False)`: the notes' RMSprop
    `s = βs + (1-β)dW²; W -= α dW / √(s + ε)`, ε inside the root, as Keras computes it.

    Keras's velocity is the notes' s. The course writes ε outside the root, `α dW/(√s + ε)`: the two agree only at
    ε = 0 (no constant ε' makes √(s + ε') = √s + ε for every s), so `keras_rmsprop(α, β, 0)` is the course's
    RMSprop too; at ε > 0 the course form is `CourseRMSprop`. At ε = 0 a gradient that stays exactly 0 gives
    0/0 = NaN on both sides.
    """
    learning_rate, beta = check_learning_rate(learning_rate), check_beta(beta)
    epsilon = check_nonnegative(epsilon, "epsilon")
    return keras.optimizers.RMSprop(learning_rate=hyper(learning_rate), rho=hyper(beta), epsilon=hyper(epsilon),
                                    momentum=0.0, centered=False)


class CourseRMSprop(keras.optimizers.RMSprop):
    """Keras's RMSprop with the course's ε placement: `W -= lr·dW / (√s + ε)` (ε outside the root).

    Everything else (the velocity s, its `rho`, learning-rate schedules) is Keras's own.
    """

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        velocity = self._velocities[self._get_variable_index(variable)]
        rho = self.rho
        self.assign(velocity, ops.add(ops.multiply(rho, velocity), ops.multiply(1 - rho, ops.square(gradient))))
        self.assign_sub(variable, ops.divide(ops.multiply(lr, gradient), ops.add(ops.sqrt(velocity), self.epsilon)))


class AdamCourseEpsilon(keras.optimizers.Adam):
    """Keras's Adam with a per-step ε that makes it the course's Adam for any ε (and any α schedule).

    Keras computes `α_t = lr·√(1-β2^t)/(1-β1^t)`, `W -= m·α_t / (√v + ε̂)`; the course
    `W -= lr·v̂/(√ŝ + ε)` with v̂ = m/(1-β1^t), ŝ = v/(1-β2^t). Multiplying the course's numerator and denominator
    by √(1-β2^t) gives Keras's form with ε̂ = ε·√(1-β2^t), which changes with t: no constant `epsilon=` of
    stock Adam can do it (at t = 1, β2 = 0.999 the course's ε = 1e-8 is ε̂ = 3.2e-10; it tends to 1e-8).
    This subclass uses that ε̂_t (with `eps_inside_sqrt=True` the notes' `√(ŝ + ε)`, i.e. `√(v + ε(1-β2^t))`)
    and is otherwise Keras's Adam: its m is the course's v, its v the course's s.
    """

    def __init__(self, *args, eps_inside_sqrt: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.eps_inside_sqrt = eps_inside_sqrt

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        local_step = ops.cast(self.iterations + 1, variable.dtype)
        # convert_to_tensor, not Keras's ops.cast: exact Python-float β1, β2 in float64 even without `hyper`
        beta_1_power = ops.power(ops.convert_to_tensor(self.beta_1, variable.dtype), local_step)
        beta_2_power = ops.power(ops.convert_to_tensor(self.beta_2, variable.dtype), local_step)
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - self.beta_2))
        epsilon = ops.convert_to_tensor(self.epsilon, variable.dtype)
        if self.eps_inside_sqrt:
            denominator = ops.sqrt(ops.add(v, ops.multiply(epsilon, 1 - beta_2_power)))
        else:
            denominator = ops.add(ops.sqrt(v), ops.multiply(epsilon, ops.sqrt(1 - beta_2_power)))
        self.assign_sub(variable, ops.divide(ops.multiply(m, alpha), denominator))

    def get_config(self):
        return {**super().get_config(), "eps_inside_sqrt": self.eps_inside_sqrt}


def keras_adam(learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8) -> keras.optimizers.Adam:
    """The Keras Adam that computes the course's `update_parameters_with_adam` (t from 1, ε outside √ŝ).

    ε = 0: stock `Adam(learning_rate=α, beta_1=β1, beta_2=β2, epsilon=0)` (the two forms are the same formula
    then). ε > 0: `AdamCourseEpsilon`, Keras's Adam with ε̂_t = ε·√(1-β2^t) (stock Adam's constant ε is not the
    course's ε; see that class). Either way Keras's m, v are the course's v, s.
    """
    learning_rate, epsilon = check_learning_rate(learning_rate), check_nonnegative(epsilon, "epsilon")
    beta1, beta2 = check_beta(beta1, "beta1"), check_beta(beta2, "beta2")
    args = {"learning_rate": hyper(learning_rate), "beta_1": hyper(beta1), "beta_2": hyper(beta2),
            "epsilon": hyper(epsilon)}
    return keras.optimizers.Adam(**args) if epsilon == 0 else AdamCourseEpsilon(**args)


class CourseMomentum(keras.optimizers.Optimizer):
    """The course's momentum as a Keras optimizer: `v = βv + (1-β)dW; W -= lr·v`, exact under any schedule.

    Stock `SGD(momentum=)` keeps lr inside its velocity (`m = βm - lr·dW`), which is the course's rule only
    while lr is constant (`keras_momentum`); under a schedule the course's v is lr-free. The velocity variable
    here is the course's v itself.
    """

    def __init__(self, learning_rate=0.01, beta=0.9, name="course_momentum", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta = beta

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.velocities = self.add_optimizer_variables(variables, "velocity")

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        v = self.velocities[self._get_variable_index(variable)]
        # convert_to_tensor, not ops.cast: a Python-float β cast goes through float32 (see `hyper`); this keeps
        # CourseMomentum(beta=0.9) exact in float64 even when it is built without `hyper`.
        beta = ops.convert_to_tensor(self.beta, variable.dtype)
        one_minus_beta = ops.convert_to_tensor(1 - self.beta, variable.dtype)
        self.assign(v, ops.add(ops.multiply(v, beta), ops.multiply(gradient, one_minus_beta)))
        self.assign_sub(variable, ops.multiply(v, lr))

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}


def keras_slots(optimizer: keras.optimizers.Optimizer, variables) -> dict[str, list]:
    """The optimizer's state variables, one per entry of `variables` (in that order), under the course's names.

    "v": the first moment / the course's velocity (Adam's `m`, `CourseMomentum`'s velocity), "s": the second
    moment (Adam's and RMSprop's `v`, "velocity" in Keras), "m": stock SGD's momentum, which is `-α·v` under
    `keras_momentum(α, β)` (`course_velocity` turns it into v). Plain SGD has none. Build the optimizer first.
    """
    index = optimizer._get_variable_index
    if isinstance(optimizer, CourseMomentum):
        return {"v": [optimizer.velocities[index(v)] for v in variables]}
    if isinstance(optimizer, keras.optimizers.SGD):
        return {"m": [optimizer.momentums[index(v)] for v in variables]} if optimizer.momentum else {}
    if isinstance(optimizer, keras.optimizers.Adam):
        return {"v": [optimizer._momentums[index(v)] for v in variables],
                "s": [optimizer._velocities[index(v)] for v in variables]}
    if isinstance(optimizer, keras.optimizers.RMSprop):
        return {"s": [optimizer._velocities[index(v)] for v in variables]}
    raise TypeError(f"no course names for the state of {type(optimizer).__name__}")


# ---------------------------------------------------------------- schedules (B15)


class EpochLagged(keras.optimizers.schedules.LearningRateSchedule):
    """`schedule(max(step - steps_per_epoch, 0))`: a schedule of the optimizer step, one epoch late.

    Keras calls a schedule with the optimizer step (0 for the first update). The course changes α after each
    epoch, so epoch e (from 0) trains with f(e - 1) (α0 in epochs 0 and 1). A stock staircase schedule with
    `decay_steps = steps_per_epoch` gives f(e) in epoch e: one epoch early. Evaluating it one epoch's worth of
    steps earlier is exactly the course.
    """

    def __init__(self, schedule, steps_per_epoch: int):
        self.schedule = schedule
        self.steps_per_epoch = check_count(steps_per_epoch, "steps_per_epoch")

    def __call__(self, step):
        return self.schedule(ops.maximum(ops.subtract(step, self.steps_per_epoch), 0))

    def get_config(self):
        return {"schedule": keras.optimizers.schedules.serialize(self.schedule),
                "steps_per_epoch": self.steps_per_epoch}


class InverseSqrtDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`α0·k/√(⌊step / steps_per_epoch⌋ + 1)`, the notes' k/√epoch·α0 per epoch (epochs from 1); Keras has none."""

    def __init__(self, initial_learning_rate, steps_per_epoch: int, k=1.0):
        self.initial_learning_rate, self.k = initial_learning_rate, k
        self.steps_per_epoch = check_count(steps_per_epoch, "steps_per_epoch")

    def __call__(self, step):
        alpha0 = ops.convert_to_tensor(self.initial_learning_rate)
        epoch = ops.floor(ops.divide(ops.cast(step, alpha0.dtype), ops.cast(self.steps_per_epoch, alpha0.dtype)))
        return ops.divide(ops.multiply(ops.convert_to_tensor(self.k, alpha0.dtype), alpha0), ops.sqrt(epoch + 1))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "steps_per_epoch": self.steps_per_epoch,
                "k": self.k}


SCHEDULES = ("update_lr", "schedule_lr_decay", "exponential_lr_decay", "sqrt_lr_decay")


def _schedule_name(decay) -> str:
    name = decay if isinstance(decay, str) else getattr(decay, "__name__", repr(decay))
    if name not in SCHEDULES:
        raise ValueError(f"decay must be None or one of {SCHEDULES} (a name or the function), got {decay!r}")
    return name


def keras_schedule(decay, learning_rate0, decay_rate=1.0, steps_per_epoch=1, time_interval=1000, lagged=True):
    """The Keras schedule of the optimizer step for a course decay, `steps_per_epoch` updates per epoch.

    update_lr          -> InverseTimeDecay(α0, decay_steps=S, decay_rate, staircase=True)
    schedule_lr_decay  -> InverseTimeDecay(α0, decay_steps=S·time_interval, decay_rate, staircase=True)
    exponential_lr_decay -> ExponentialDecay(α0, decay_steps=S, decay_rate, staircase=True)
    sqrt_lr_decay      -> InverseSqrtDecay(α0, S, k=decay_rate) (small custom schedule: Keras has none)

    Each gives f(e) at every step of epoch e; with `lagged=True` (the default) it is wrapped in `EpochLagged`,
    which gives the course's f(e - 1). Numbers go in through `hyper` (a Python-float α0 would make the schedule
    float32 in a float64 model).
    """
    name = _schedule_name(decay)
    check_learning_rate(learning_rate0, "learning_rate0")
    check_nonnegative(decay_rate, "decay_rate")
    S = check_count(steps_per_epoch, "steps_per_epoch")
    T = check_count(time_interval, "time_interval")
    a0, r = hyper(learning_rate0), hyper(decay_rate)
    schedules = keras.optimizers.schedules
    if name == "update_lr":
        schedule = schedules.InverseTimeDecay(a0, decay_steps=S, decay_rate=r, staircase=True)
    elif name == "schedule_lr_decay":
        schedule = schedules.InverseTimeDecay(a0, decay_steps=S * T, decay_rate=r, staircase=True)
    elif name == "exponential_lr_decay":
        schedule = schedules.ExponentialDecay(a0, decay_steps=S, decay_rate=r, staircase=True)
    else:
        schedule = InverseSqrtDecay(a0, S, k=r)
    return EpochLagged(schedule, S) if lagged else schedule


def keras_lr_scheduler(decay, learning_rate0, decay_rate=1.0, time_interval=1000) -> keras.callbacks.Callback:
    """`LearningRateScheduler(lambda epoch, lr: f(max(epoch - 1, 0)))` for `fit`: Keras calls it at the start
    of each epoch (from 0) and the course trains epoch e with f(e - 1), α0 for e = 0. f is this module's TF
    twin of the course decay (with `time_interval` for schedule_lr_decay)."""
    name = _schedule_name(decay)
    check_learning_rate(learning_rate0, "learning_rate0")
    check_nonnegative(decay_rate, "decay_rate")
    T = check_count(time_interval, "time_interval")
    f = DECAYS[name]

    def schedule(epoch, lr):
        e = max(epoch - 1, 0)
        return schedule_lr_decay(learning_rate0, e, decay_rate, T) if name == "schedule_lr_decay" else \
            f(learning_rate0, e, decay_rate)

    return keras.callbacks.LearningRateScheduler(schedule)


# ---------------------------------------------------------------- the translator


class NoExactMappingError(ValueError):
    """No stock Keras optimizer reproduces this course optimizer (the message says why and what is exact)."""


def translate(optimizer: str, learning_rate, *, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8, decay=None,
              decay_rate=1.0, steps_per_epoch=None, time_interval=1000, eps_inside_sqrt=False, custom=False):
    """The Keras optimizer (with its schedule) that reproduces a course run exactly, or `NoExactMappingError` (why).

    `optimizer`: "gd", "momentum" (β), "rmsprop" (β, ε), "adam" (β1, β2, ε), with the course's ε placement
    (outside the root) unless `eps_inside_sqrt=True` (the notes'). `decay`: None or a course decay (name or
    function; `decay_rate`, `time_interval`), applied as the course does (α updated after each epoch) through
    `keras_schedule(..., lagged=True)`; it needs `steps_per_epoch` (the number of mini-batches of an epoch).
    Stock Keras is exact for: gd (any schedule); momentum with a constant α (`keras_momentum`); RMSprop with
    ε inside the root, or ε = 0; Adam with ε = 0 (any schedule). Otherwise there is no stock optimizer and this
    raises, unless `custom=True`: then it returns the small Keras subclass that is exact (`CourseMomentum`,
    `CourseRMSprop`, `AdamCourseEpsilon`).
    """
    if optimizer not in ("gd", "momentum", "rmsprop", "adam"):
        raise ValueError(f"optimizer must be one of ('gd', 'momentum', 'rmsprop', 'adam'), got {optimizer!r}")
    check_learning_rate(learning_rate)
    check_beta(beta)
    check_beta(beta1, "beta1")
    check_beta(beta2, "beta2")
    check_nonnegative(epsilon, "epsilon")
    if decay is not None:
        if steps_per_epoch is None:
            raise ValueError("a decay schedule needs steps_per_epoch (mini-batches per epoch: ceil(m / "
                             "mini_batch_size)): Keras schedules count optimizer steps, the course counts epochs")
        lr = keras_schedule(decay, learning_rate, decay_rate, steps_per_epoch, time_interval)
    else:
        lr = hyper(learning_rate)
    if optimizer == "gd":
        return keras.optimizers.SGD(learning_rate=lr)
    if optimizer == "momentum":
        if decay is None:
            return keras_momentum(learning_rate, beta)
        if custom:
            return CourseMomentum(learning_rate=lr, beta=hyper(beta))
        raise NoExactMappingError(
            "momentum with a decaying learning rate has no exact stock Keras optimizer: SGD(momentum=) multiplies α "
            "into its velocity at every step (m = βm - α_t dW) while the course multiplies the lr-free v by the "
            "current α (W -= α_t v), so the mapping m = -α v needs a constant α; CourseMomentum (custom=True) is exact")
    if optimizer == "rmsprop":
        if eps_inside_sqrt or epsilon == 0:
            return keras.optimizers.RMSprop(learning_rate=lr, rho=hyper(beta), epsilon=hyper(epsilon), momentum=0.0,
                                            centered=False)
        if custom:
            return CourseRMSprop(learning_rate=lr, rho=hyper(beta), epsilon=hyper(epsilon))
        raise NoExactMappingError(
            f"the course's RMSprop divides by √s + ε, Keras's by √(s + ε): no constant epsilon makes them equal for "
            f"every s (ε = {epsilon:g}); exact: epsilon=0 on both sides, the notes' form (eps_inside_sqrt=True), or "
            f"CourseRMSprop (custom=True)")
    args = {"learning_rate": lr, "beta_1": hyper(beta1), "beta_2": hyper(beta2), "epsilon": hyper(epsilon)}
    if epsilon == 0:
        return keras.optimizers.Adam(**args)
    if custom:
        return AdamCourseEpsilon(**args, eps_inside_sqrt=eps_inside_sqrt)
    where = "√(ŝ + ε)" if eps_inside_sqrt else "√ŝ + ε"
    raise NoExactMappingError(
        f"the course's Adam divides by {where} after bias correction, Keras's Adam by √v + ε̂ before it: the "
        f"equivalent ε̂ = ε·√(1-β2^t) changes with the step t, and Adam's epsilon is a constant (ε = {epsilon:g}); "
        f"exact: epsilon=0 on both sides, or AdamCourseEpsilon (custom=True), Keras's Adam with that per-step ε̂")


# ---------------------------------------------------------------- mini-batches as tf.data, the compiled Keras loop


def mini_batch_dataset(X, Y, mini_batch_size=64, seed=0) -> tf.data.Dataset:
    """The course's mini-batches of one epoch as a `tf.data` pipeline in Keras layout: examples (rows) in
    `course_permutation(m, seed)` order, `.batch(mini_batch_size)` (full batches, then the remainder).
    Yields `(x_batch (size, n_x), y_batch (size, n_y))`; feed it to `fit(..., shuffle=False)`."""
    X, Y, mini_batch_size = check_mini_batch_arguments(X, Y, mini_batch_size, seed)
    permutation = course_permutation(X.shape[1], seed)
    dtype = keras.config.floatx()
    x = tf.gather(tf.cast(convert.inputs_to_keras(X), dtype), permutation)
    y = tf.gather(tf.cast(convert.labels_to_keras(Y), dtype), permutation)
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(mini_batch_size)


def build_model(parameters: Mapping) -> keras.Sequential:
    """`Sequential` of Dense layers (relu ..., linear logits) holding the course `parameters` (via convert)."""
    L = convert.number_of_layers(parameters)
    dims = [np.shape(parameters["W1"])[1]] + [np.shape(parameters[f"W{l}"])[0] for l in range(1, L + 1)]
    net = kd.build_model(dims)
    convert.set_dense_weights(net, parameters)
    return net


def keras_loss() -> keras.losses.Loss:
    """The batch's mean cross-entropy from the logits (the course's gradient: dZL = (AL - Y) / m_batch)."""
    return keras_binary_crossentropy()


def make_keras_loop(net: keras.Model, optimizer: keras.optimizers.Optimizer, mini_batch_size: int, m: int,
                    record_every_epoch: bool = False):
    """A compiled Keras trainer `run(X, Y, num_epochs, seed=10) -> (batch_costs, history)`.

    One `tf.function` over the epochs (`tf.range`) and their mini-batches (the course's: permutation of epoch e
    from seed + e + 1, full batches then the remainder): Keras forward pass, `BinaryCrossentropy(from_logits)`,
    tape, `optimizer.apply_gradients`. `fit` does the same per batch but pays its Python and callback overhead
    per epoch; here it is traced once. batch_costs (num_epochs·n_batches,) are the sums of the per-example
    losses (before each update); with `record_every_epoch`, history holds the trainable variables and the
    optimizer's state after each epoch: per epoch {"parameters": {"W1", ...}, "state": {"v"/"s"/"m": {"dW1", ...}}}
    in course layout (through convert; "m" is stock SGD's momentum, see `keras_slots`).
    """
    loss = keras_loss()
    variables = net.trainable_variables
    optimizer.build(variables)
    bounds = _batch_bounds(m, check_count(mini_batch_size, "mini_batch_size"))
    n_batches = len(bounds)
    starts, stops = tf.constant([a for a, _ in bounds]), tf.constant([b for _, b in bounds])
    slots = keras_slots(optimizer, variables)
    state = [v for name in sorted(slots) for v in slots[name]]

    dtype = variables[0].dtype
    n_x, n_y = net.inputs[0].shape[-1], net.outputs[0].shape[-1]

    # one signature for every number of epochs: a warm-up call traces the loop that a long run then reuses
    @tf.function(input_signature=[tf.TensorSpec([m, n_x], dtype), tf.TensorSpec([m, n_y], dtype),
                                  tf.TensorSpec([None, m], tf.int32)])
    def loop(x, y, perms):
        E = tf.shape(perms)[0]
        batch_costs = tf.TensorArray(dtype, size=E * n_batches)
        snap_vars = [tf.TensorArray(v.dtype, size=E if record_every_epoch else 0) for v in variables]
        snap_state = [tf.TensorArray(v.dtype, size=E if record_every_epoch else 0) for v in state]
        for e in tf.range(E):
            xe, ye = tf.gather(x, perms[e]), tf.gather(y, perms[e])
            for b in tf.range(n_batches):  # one traced body for every mini-batch (the last one is smaller)
                start, stop = starts[b], stops[b]
                with tf.GradientTape() as tape:
                    cost = loss(ye[start:stop], net(xe[start:stop], training=True))
                grads = tape.gradient(cost, variables)
                optimizer.apply_gradients(zip(grads, variables, strict=True))
                batch_costs = batch_costs.write(e * n_batches + b, cost * tf.cast(stop - start, dtype))
            if record_every_epoch:
                snap_vars = [ta.write(e, v) for ta, v in zip(snap_vars, variables, strict=True)]
                snap_state = [ta.write(e, v) for ta, v in zip(snap_state, state, strict=True)]
        stacked = ([ta.stack() for ta in snap_vars], [ta.stack() for ta in snap_state]) if record_every_epoch else \
            ([], [])
        return batch_costs.stack(), stacked

    def run(X, Y, num_epochs, seed=10):
        num_epochs = check_count(num_epochs, "num_epochs", minimum=0)
        dtype = variables[0].dtype
        x = tf.cast(convert.inputs_to_keras(X), dtype)
        y = tf.cast(convert.labels_to_keras(Y), dtype)
        perms, _ = _epoch_plan(m, num_epochs, mini_batch_size, seed)
        batch_costs, (snap_vars, snap_state) = loop(x, y, perms)
        batch_costs = batch_costs.numpy()
        _check_costs(batch_costs, n_batches)
        history = []
        if record_every_epoch:
            snap_vars, snap_state = [a.numpy() for a in snap_vars], [a.numpy() for a in snap_state]
            n = len(variables)
            for e in range(num_epochs):
                epoch_state = {name: convert.dense_grads_to_course([a[e] for a in snap_state[i * n:(i + 1) * n]], net)
                               for i, name in enumerate(sorted(slots))}
                weights = convert.dense_grads_to_course([a[e] for a in snap_vars], net)
                history.append({"parameters": {k[1:]: w for k, w in weights.items()},
                                "state": epoch_state})
        return batch_costs, history

    return run


def keras_train(X, Y, parameters: Mapping, optimizer: keras.optimizers.Optimizer, mini_batch_size=64,
                num_epochs=5000, seed=10, record_every_epoch: bool = False) -> dict:
    """The course's loop on Keras blocks: `build_model(parameters)`, `make_keras_loop`, the given optimizer.

    Returns {"parameters" (course layout, via convert), "costs" (Σ per-example losses / m per epoch),
    "batch_costs", "model", "optimizer"} and with `record_every_epoch` "history" (per epoch {"parameters"}).
    """
    X = as_float_array(X, "X")
    net = build_model(parameters)
    m = X.shape[1]
    run = make_keras_loop(net, optimizer, mini_batch_size, m, record_every_epoch)
    batch_costs, history = run(X, Y, num_epochs, seed)
    n_batches = len(_batch_bounds(m, mini_batch_size))
    costs = [float(c) for c in batch_costs.reshape(num_epochs, n_batches).sum(axis=1) / m] if num_epochs else []
    out = {"parameters": convert.dense_weights_to_parameters(net), "costs": costs,
           "batch_costs": [float(c) for c in batch_costs], "model": net, "optimizer": optimizer}
    if record_every_epoch:
        out["history"] = history
    return out


def keras_accuracy(net: keras.Model, X, Y) -> float:
    """The fraction of examples where the model's logit > 0 (σ > 0.5) agrees with the 0/1 label Y (1, m)."""
    ZL = convert.inputs_from_keras(net(convert.inputs_to_keras(X)))
    return float(tf.reduce_mean(tf.cast(tf.equal(tf.cast(ZL > 0, ZL.dtype), tf.constant(Y, ZL.dtype)), tf.float64)))
