"""B11: exponentially weighted averages. The notes' recursion v_t = β·v_{t-1} + (1 - β)·x_t (from v_0 = 0, with and
without the bias correction v_t/(1 - β^t)) in NumPy and in TF ops; `tf.train.ExponentialMovingAverage` and the
Keras optimizers' `use_ema`, each mapped onto the same recursion with the start it really uses (v_0 = x_1, or
v_0 = 0 for an EMA whose variable holds 0 when its shadow is created).

The series is the notes' kind: a noisy year of temperatures (200 values around 15 ± 10, noise σ = 4).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.exponentially_weighted_averages as ne
from keras_impl import exponentially_weighted_averages as ke
from keras_impl._precision import keras_precision
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, concept

BETAS = (0.9, 0.98)  # the notes' ~10-day and ~50-day averages

# The textbook⇄TF/Keras mappings of B11, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B11", "v_t = β·v_{t-1} + (1 - β)·x_t from v_0 = 0, and the bias-corrected v_t/(1 - β^t)",
            "the same recursion by tf.scan in TF ops (β = 0.9 and 0.98, and from v_0 = 20)",
            "test_recursion_in_tf_ops"),
    Mapping("B11", "the notes' recursion from v_0 = 0",
            "tf.train.ExponentialMovingAverage(decay=β) fed x_1, x_2, ... is the recursion from v_0 = x_1 (its shadow "
            "starts equal to the variable), and exactly v_0 = 0 when the variable holds 0 as the shadow is created; "
            "no bias correction (the note gives the gaps to the notes' curves at t = 1, 10, 50)",
            "test_tf_train_exponential_moving_average"),
    Mapping("B11", "the EWA's β (1 - β = 0.1 for β = 0.9)",
            "ExponentialMovingAverage converts decay to float32 whatever the variable's dtype: it applies "
            "1 - β_TF = float32(1 - float32(β)) = 0.10000002384185791 (tf_ema_beta); the rows match the recursion "
            "with β_TF, the float64 note measures the gap to the exact β",
            "test_tf_train_exponential_moving_average"),
    Mapping("B11", "the recursion over the weights W_t, β = μ",
            "an optimizer's use_ema=True, ema_momentum=μ: momentum 0 at the first step, so its average is the "
            "recursion from v_0 = W_1, with no bias correction",
            "test_keras_optimizer_use_ema"),
    Mapping("B11", "the bias correction matters early only: v_t/(1 - β^t) - v_t = v_t·β^t/(1 - β^t)",
            "the TF-op twin gives the same difference at every t; the note gives v_1 vs the corrected v_1 and the "
            "relative gap left at t = 200",
            "test_bias_correction_matters_early_only"),
]


def _series(dtype):
    return ne.noisy_series(200).astype(dtype)


@concept("B11")
def test_recursion_in_tf_ops(parity):
    x = _series(parity.dtype)
    for beta in BETAS:
        parity.check(f"v_t, β = {beta}, v_0 = 0 (tf.scan)", "trajectory", ne.exponentially_weighted_average(x, beta),
                     ke.exponentially_weighted_average(x, beta))
        parity.check(f"v_t/(1 - β^t), β = {beta} (bias-corrected)", "trajectory",
                     ne.exponentially_weighted_average(x, beta, bias_correction=True),
                     ke.exponentially_weighted_average(x, beta, bias_correction=True))
    parity.check("v_t from v_0 = 20, β = 0.9", "trajectory", ne.exponentially_weighted_average(x, 0.9, v0=20.0),
                 ke.exponentially_weighted_average(x, 0.9, v0=20.0))


@concept("B11")
def test_tf_train_exponential_moving_average(parity):
    x = _series(parity.dtype)
    for beta in BETAS:
        beta_tf = ke.tf_ema_beta(beta)  # the EMA's decay is float32 whatever the dtype: 1 - β_TF = f32(1 - f32(β))
        own_start = ke.tf_train_ema(x, beta)
        parity.check(f"tf.train.ExponentialMovingAverage(β = {beta}) = the recursion from v_0 = x_1, β_TF",
                     "trajectory", ne.exponentially_weighted_average(x, beta_tf, v0=float(x[0])), own_start)
        parity.check(f"tf.train.ExponentialMovingAverage(β = {beta}), shadow created at 0 = the notes' v_0 = 0, β_TF",
                     "trajectory", ne.exponentially_weighted_average(x, beta_tf), ke.tf_train_ema(x, beta, True))
        if parity.dtype == np.float64:
            gap = float(np.max(np.abs(ke.tf_train_ema(x, beta, True) - ne.exponentially_weighted_average(x, beta))))
            parity.note(f"β = {beta}: TF's EMA applies 1 - β = {1 - beta_tf!r} (float32), so in float64 it differs "
                        f"from the exact-β recursion by up to {gap:.1e}")
        notes = ne.exponentially_weighted_average(x, beta)
        corrected = ne.exponentially_weighted_average(x, beta, bias_correction=True)
        gaps = [abs(float(own_start[t - 1]) - float(notes[t - 1])) for t in (1, 10, 50)]
        gaps_corrected = [abs(float(own_start[t - 1]) - float(corrected[t - 1])) for t in (1, 10, 50)]
        parity.note(f"β = {beta}: TF's EMA (v_1 = x_1) minus the notes' v_t (v_0 = 0) at t = 1, 10, 50: "
                    + ", ".join(f"{g:.3g}" for g in gaps) + "; minus the bias-corrected v_t: "
                    + ", ".join(f"{g:.3g}" for g in gaps_corrected))


@concept("B11")
def test_keras_optimizer_use_ema(parity):
    x = _series(parity.dtype)
    for mu in BETAS:
        W, averages = ke.keras_use_ema(x, mu)
        parity.check(f"SGD(1) weights W_t follow x_t (the series being averaged), μ = {mu}", "trajectory", x, W)
        parity.check(f"use_ema average, ema_momentum = {mu}: the recursion over W_t from v_0 = W_1", "trajectory",
                     ne.exponentially_weighted_average(W.numpy(), mu, v0=float(W[0])), averages)


@concept("B11")
def test_bias_correction_matters_early_only(parity):
    # v_t/(1 - β^t) - v_t = v_t·β^t/(1 - β^t): large while β^t is not small, gone after a few windows 1/(1-β)
    x = _series(parity.dtype)
    for beta in BETAS:
        v = ne.exponentially_weighted_average(x, beta)
        corrected = ne.exponentially_weighted_average(x, beta, bias_correction=True)
        t = np.arange(1, x.size + 1)
        parity.check(f"corrected - plain = v_t·β^t/(1 - β^t), β = {beta} (TF ops)", "trajectory", corrected - v,
                     ke.exponentially_weighted_average(x, beta, True) - ke.exponentially_weighted_average(x, beta))
        parity.note(f"β = {beta} (window 1/(1-β) = {ne.effective_window(beta):.0f}): v_1 = {float(v[0]):.3f} vs "
                    f"corrected {float(corrected[0]):.3f} (x_1 = {float(x[0]):.3f}); relative gap at t = 200: "
                    f"{float(abs(corrected[-1] - v[-1]) / abs(corrected[-1])):.1e}")
        assert np.allclose(corrected - v, v * beta**t / (1 - beta**t), rtol=1e-4, atol=1e-5 * float(np.max(np.abs(v))))


@pytest.mark.parametrize(("args", "match"), [
    ((np.zeros(0), 0.9), "non-empty 1-D"),
    ((np.zeros((3, 2)), 0.9), "non-empty 1-D"),
    ((np.array([1.0, np.nan]), 0.9), "finite"),
    ((np.ones(3), 1.0), "0 <= beta < 1"),
    ((np.ones(3), -0.1), "0 <= beta < 1"),
    ((np.ones(3), True), "0 <= beta < 1"),
    ((np.ones(3), "0.9"), "0 <= beta < 1"),
    ((np.ones(3), 0.9, True, 5.0), "assumes v0 = 0"),
    ((np.ones(3), 0.9, False, float("inf")), "v0 must be finite"),
    ((np.array(["a", "b"]), 0.9), "numeric array"),
])
def test_bad_input_same_error(args, match):
    same_error(lambda: ne.exponentially_weighted_average(*args), lambda: ke.exponentially_weighted_average(*args),
               match=match)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: ke.tf_train_ema(np.ones(3), 1.5), "0 <= beta < 1"),
    (lambda: ke.keras_use_ema(np.ones((2, 2)), 0.9), "non-empty 1-D"),
    (lambda: ne.noisy_series(0), "T must be"),
    (lambda: ne.effective_window(1.0), "0 <= beta < 1"),
])
def test_other_bad_input(call, match):
    with keras_precision("float64"), pytest.raises(ValueError, match=match):
        call()


def test_tf_ema_decay_is_float32_even_for_float64_variables():
    """A float64 variable 1 -> 2 averaged with decay 0.9 (even given as a float64 tensor's value) moves by
    1 - β_TF = float32(1 - float32(0.9)) = 0.10000002384185791, not 0.1."""
    x = tf.Variable(tf.constant(1.0, tf.float64))
    ema = tf.train.ExponentialMovingAverage(decay=0.9)
    ema.apply([x])
    x.assign(tf.constant(2.0, tf.float64))
    ema.apply([x])
    step = float(np.float32(1) - np.float32(0.9))
    assert step == 1 - ke.tf_ema_beta(0.9) == 0.10000002384185791
    assert float(ema.average(x)) == 1.0 + step != 1.1
    with pytest.raises(ValueError, match="requested dtype float32"):  # a float64 decay is refused outright
        tf.train.ExponentialMovingAverage(decay=tf.constant(0.9, tf.float64)).apply([x])
