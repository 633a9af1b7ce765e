"""Exponentially weighted averages (concept B11), the notes' recursion and its bias correction.

The notes: v_0 = 0, v_t = β·v_{t-1} + (1 - β)·x_t averages roughly the last 1/(1 - β) values of a noisy series
(β = 0.9: ~10 days of temperatures; β = 0.98: ~50, smoother and later). Starting from v_0 = 0 makes the first
values too small (v_1 = (1 - β)·x_1); the bias correction v_t / (1 - β^t) removes that, and matters only while
β^t is not small. Unrolled, v_t = (1 - β)·Σ_{k=1..t} β^(t-k)·x_k + β^t·v_0: a weighted sum whose weights decay
by β per step.

TensorFlow's two averages start elsewhere (keras_impl/exponentially_weighted_averages.py), and both are this
recursion with another v_0:
- `tf.train.ExponentialMovingAverage` creates its shadow variable *equal to the variable* at the first
  `apply()`: fed x_1, x_2, ..., it gives v_1 = x_1, i.e. v_0 = x_1 here (or v_0 = 0 if the variable holds 0
  when the shadow is created, which maps it exactly onto the notes' v_0 = 0);
- a Keras optimizer with `use_ema=True` averages the weights after each step with momentum 0 at the first step:
  v_1 = W_1, then v_t = μ·v_{t-1} + (1 - μ)·W_t (μ = `ema_momentum`), again v_0 = x_1.
Neither applies the bias correction; v_0 = x_1 has no bias to correct, but it weighs x_1 by β^(t-1) instead of
the corrected (1 - β)·β^(t-1)/(1 - β^t): the curves differ early on (the parity notes give the numbers).
"""

from __future__ import annotations

import numpy as np

from numpy_impl.validation import as_float_array, check_beta, check_count, check_finite, check_real_scalar


def _series(x) -> np.ndarray:
    x = as_float_array(x, "x")
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty 1-D series x_1, ..., x_T, got shape {x.shape}")
    check_finite(x, "x")
    return x


def exponentially_weighted_average(x, beta, bias_correction=False, v0=0.0):
    """v_t = β·v_{t-1} + (1 - β)·x_t for t = 1..T from v_0 = `v0` (the notes: 0); with `bias_correction`,
    v_t / (1 - β^t) instead.  x (T,) -> v (T,), in x's float dtype (float32 stays float32).

    β in [0, 1) (β = 0 gives v = x). The bias correction assumes v_0 = 0 (it rescales the weights
    (1 - β)·β^(t-k), which sum to 1 - β^t, to sum to 1); with another v_0 it is refused.
    """
    x = _series(x)
    check_beta(beta, "beta")
    check_real_scalar(v0, "v0")
    if bias_correction and v0 != 0:
        raise ValueError(f"the bias correction v_t/(1 - beta^t) assumes v0 = 0, got v0 = {v0!r}")
    t = x.dtype.type
    b, one_minus_b = t(beta), t(1) - t(beta)
    v = np.empty_like(x)
    previous = t(v0)
    for i, x_t in enumerate(x):
        previous = b * previous + one_minus_b * x_t
        v[i] = previous
    if bias_correction:
        v = v / (t(1) - b ** np.arange(1, x.size + 1, dtype=x.dtype))
    return v


def effective_window(beta) -> float:
    """1/(1 - β): the notes' "averages over about 1/(1 - β) values" (β^(1/(1-β)) ≈ 1/e)."""
    check_beta(beta, "beta")
    return 1.0 / (1.0 - beta)


def noisy_series(T=200, seed=0):
    """A year-like noisy series (the notes' temperatures): x_t = 15 + 10·sin(2πt/T) + 4·noise, t = 1..T, float64.

    The noise is `np.random.RandomState(seed).randn(T)`.
    """
    t = np.arange(1, check_count(T, "T") + 1)
    return 15 + 10 * np.sin(2 * np.pi * t / T) + 4 * np.random.RandomState(seed).randn(T)
