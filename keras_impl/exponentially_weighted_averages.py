"""Exponentially weighted averages (concept B11) with TensorFlow: the recursion in ops, and TF's two averages.

Mirrors numpy_impl/exponentially_weighted_averages.py: `exponentially_weighted_average(x, beta,
bias_correction=False, v0=0.0)` is the same function (same arguments, same returns) written with `tf.scan`.
`tf_train_ema` and `keras_use_ema` mirror that same NumPy function with another start, v_0 = x_1 (numpy_impl's
module docstring), and the parity suite proves each mapping; `tf_ema_beta` is a TF-side helper (no NumPy twin).

Part 1, TF ops: v_t = β·v_{t-1} + (1 - β)·x_t by `tf.scan` from v_0, and v_t/(1 - β^t).
Part 2, TF/Keras blocks:
- `tf_ema_beta(beta)`: the β that EMA applies (its decay is always converted to float32).
- `tf_train_ema(x, beta, start_at_zero)`: a variable fed x_1, ..., x_T and `tf.train.ExponentialMovingAverage
  (decay=β).apply([variable])` after each assignment. Its shadow variable is created equal to the variable (TF
  computes `shadow -= (shadow - x)·(1 - β)`): created while the variable holds x_1, v_1 = x_1 (v_0 = x_1);
  created while it holds 0 (`start_at_zero=True`), the notes' v_0 = 0 exactly.
- `keras_use_ema(x, ema_momentum)`: `keras.optimizers.SGD(learning_rate=1, use_ema=True, ema_momentum=μ)` on one
  weight whose gradient w - x_t sets it to x_t at step t; the optimizer's average follows
  (keras/src/optimizers/base_optimizer.py, `_update_model_variables_moving_average`): momentum 0 at the first
  step (`iterations == 0`), so v_1 = W_1, then v_t = μ·v_{t-1} + (1 - μ)·W_t. Returns the weights and averages.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_impl.optimization import hyper
from numpy_impl.validation import as_float_array, check_beta, check_finite, check_real_scalar

# Which NumPy function (numpy_impl.exponentially_weighted_averages) each function here mirrors, as the docstring
# says; the docs site pairs the code columns from it and parity_tests/test_twins.py checks it.
MIRRORS = {
    "B11": {
        "exponentially_weighted_average": "exponentially_weighted_average",
        "tf_train_ema": "exponentially_weighted_average",
        "keras_use_ema": "exponentially_weighted_average",
        "tf_ema_beta": None,
    },
}
# The TF/Keras blocks and how they map onto the notes' recursion v_t = β·v_{t-1} + (1 - β)·x_t.
KERAS_BLOCKS = {
    "tf_train_ema": "tf.train.ExponentialMovingAverage(decay=β) fed x_1, x_2, ...: shadow -= (shadow - x_t)·(1 - β), "
    "the notes' recursion from v_0 = x_1 (its shadow is created equal to the variable; from v_0 = 0 if the variable "
    "holds 0 then), with no bias correction and β taken through float32.",
    "keras_use_ema": "an optimizer's use_ema=True, ema_momentum=μ: after each step the average of the weights is "
    "v_t = μ·v_{t-1} + (1 - μ)·W_t with momentum 0 at the first step, i.e. the recursion from v_0 = W_1, no bias "
    "correction.",
    "tf_ema_beta": "the β ExponentialMovingAverage really applies: 1 - β_TF = float32(1 - float32(β)) "
    "(0.10000002384185791 for β = 0.9), whatever the variable's dtype.",
}

# ---------------------------------------------------------------- part 1: TF ops


def _series(x) -> tf.Tensor:
    arr = as_float_array(x.numpy() if hasattr(x, "numpy") else x, "x")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"x must be a non-empty 1-D series x_1, ..., x_T, got shape {arr.shape}")
    check_finite(arr, "x")
    return tf.constant(arr)


def exponentially_weighted_average(x, beta, bias_correction=False, v0=0.0):
    """v_t = β·v_{t-1} + (1 - β)·x_t from v_0 = `v0` by `tf.scan`; with `bias_correction`, v_t/(1 - β^t).

    x (T,) -> v (T,) in x's dtype. β and v_0 become constants of that dtype (`tf.constant(β, float64)` is exact).
    """
    x = _series(x)
    check_beta(beta, "beta")
    check_real_scalar(v0, "v0")
    if bias_correction and v0 != 0:
        raise ValueError(f"the bias correction v_t/(1 - beta^t) assumes v0 = 0, got v0 = {v0!r}")
    b = tf.constant(beta, x.dtype)
    one_minus_b = tf.constant(1, x.dtype) - b
    v = tf.scan(lambda v_prev, x_t: b * v_prev + one_minus_b * x_t, x, initializer=tf.constant(v0, x.dtype))
    if bias_correction:
        t = tf.range(1, tf.size(x) + 1, dtype=x.dtype)
        v = v / (tf.constant(1, x.dtype) - tf.pow(b, t))
    return v


# ---------------------------------------------------------------- part 2: tf.train.ExponentialMovingAverage, use_ema


def tf_ema_beta(beta) -> float:
    """The β that `tf.train.ExponentialMovingAverage(decay=β)` really applies, as a float64 number.

    Its `apply` converts `decay` to a float32 tensor whatever the variables' dtype, and computes 1 - decay in
    float32 before casting it to the variable's dtype: 1 - β_TF = float32(1 - float32(β)). For β = 0.9 that is
    0.10000002384185791, not 0.1: a float64 variable's average is a float64 recursion with a float32 β (a form
    of docs/traps.md, trap 1 that no argument can avoid). In float32 it is the β a float32 computation uses anyway.
    """
    check_beta(beta, "beta")
    return 1.0 - float(tf.constant(1.0, tf.float32) - tf.constant(beta, tf.float32))


def tf_train_ema(x, beta, start_at_zero=False) -> tf.Tensor:
    """The averages of `tf.train.ExponentialMovingAverage(decay=β)` over the series x (T,) -> (T,).

    `start_at_zero=False`: the shadow is created at the first `apply()` while the variable holds x_1, so
    v_1 = x_1 (the notes' recursion from v_0 = x_1). `start_at_zero=True`: it is created while the variable
    holds 0, then x_1, ... are fed: the notes' v_0 = 0 (no bias correction). The update is
    `shadow -= (shadow - x_t)·(1 - β_TF)` with β_TF = `tf_ema_beta(β)`.
    """
    x = _series(x)
    check_beta(beta, "beta")
    variable = tf.Variable(tf.zeros((), x.dtype) if start_at_zero else x[0])
    ema = tf.train.ExponentialMovingAverage(decay=beta)  # TF converts it to float32 (see `tf_ema_beta`)
    ema.apply([variable])  # creates the shadow equal to the variable (and averages it with itself)
    shadow = ema.average(variable)
    rest = x if start_at_zero else x[1:]

    @tf.function
    def feed(series):  # one graph for the T - 1 or T updates
        averages = tf.TensorArray(x.dtype, size=tf.size(series))
        for k in tf.range(tf.size(series)):
            variable.assign(series[k])
            ema.apply([variable])
            averages = averages.write(k, shadow.read_value())
        return averages.stack()

    first = tf.identity(shadow.read_value())[None]  # v_1 = x_1 when the shadow was created from x_1
    fed = feed(rest)
    return fed if start_at_zero else tf.concat([first, fed], axis=0)


def keras_use_ema(x, ema_momentum):
    """One weight driven through the series by SGD(1) with `use_ema=True`: -> (W (T,), averages (T,)).

    Step t's gradient is W - x_t, so SGD(learning_rate=1) sets W_t = W - (W - x_t) (= x_t up to one rounding);
    the optimizer then updates its average of W (momentum 0 at the first step). The weights are returned as
    Keras holds them, so a comparison can use the very series Keras averaged. dtype: Keras's floatx.
    """
    x = _series(x)
    check_beta(ema_momentum, "ema_momentum")
    floatx = keras.config.floatx()
    x = tf.cast(x, floatx)
    w = keras.Variable(np.zeros((), floatx), name="w")
    optimizer = keras.optimizers.SGD(learning_rate=hyper(1.0), use_ema=True, ema_momentum=hyper(ema_momentum))
    optimizer.build([w])
    average = optimizer._model_variables_moving_average[0]  # Keras's slot for w's average (no public accessor)

    @tf.function
    def drive(series):  # one graph for the T steps
        weights = tf.TensorArray(floatx, size=tf.size(series))
        averages = tf.TensorArray(floatx, size=tf.size(series))
        for k in tf.range(tf.size(series)):
            optimizer.apply_gradients([(w.value - series[k], w)])
            weights = weights.write(k, w.value)
            averages = averages.write(k, average.value)
        return weights.stack(), averages.stack()

    return drive(x)
