"""A6: vectorization. The notes' loops and their one-call replacements, NumPy vs TF, and the speed-up.

Summation order. The loops add n_x products left to right; np.dot, tf.tensordot, tf.matmul and Dense add
them in blocks. Any order of n terms is within γ_n = n·u/(1 - n·u) of the exact sum, relative to
Σ|w_i·x_i| (u = 2^-53 / 2^-24). The inputs here are positive (like pixel intensities), so Σ|w_i·x_i| is the
sum itself and two orders differ by at most 2γ_n relative: with n_x = 64 (the notes' "64 x per input"),
2·65·u = 1.4e-14 in float64 and 7.7e-6 in float32, inside the table's forward tolerance (1e-12 / 1e-5)
for every possible order. Mixed signs would break that guarantee (cancellation), which is why the data is
positive rather than the tolerance loosened. The same-order pairs (NumPy loop vs tf.function loop) should
agree to the last bit; the rows show it.
"""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl.vectorization as npv
from keras_impl import vectorization as tfv
from parity_tests.harness import concept

N_X, M = 64, 50  # the notes' image example: 64 features per input
N_TIMED = 100_000  # the Python loop over 10^5 products takes ~0.01 s: the report stays fast


def _data(dtype, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.random(N_X).astype(dtype)
    x = rng.random(N_X).astype(dtype)
    X = rng.random((N_X, M)).astype(dtype)
    return w, dtype.type(0.5), x, X


@concept("A6")
def test_z_equals_w_dot_x_plus_b(parity):
    w, b, x, _ = _data(parity.dtype)
    z_loop = npv.linear_loop(w, b, x)
    parity.check("z = wᵀx + b: NumPy loop vs tf.function loop", "forward", z_loop, tfv.linear_loop(w, b, x))
    parity.check("z = wᵀx + b: np.dot vs tf.tensordot", "forward", npv.linear_vectorized(w, b, x),
                 tfv.linear_vectorized(w, b, x))
    parity.check("z = wᵀx + b: NumPy loop vs tf.tensordot", "forward", z_loop, tfv.linear_vectorized(w, b, x))


@concept("A6")
def test_Z_over_m_examples(parity):
    w, b, _, X = _data(parity.dtype)
    w = w.reshape(N_X, 1)  # logistic regression's column w (n_x, 1)
    Z_loop = npv.linear_examples_loop(w, b, X)
    Z_vec = npv.linear_examples_vectorized(w, b, X)
    parity.check(f"Z = wᵀX + b (m={M}): NumPy loops vs tf.matmul", "forward", Z_loop,
                 tfv.linear_examples_vectorized(w, b, X))
    parity.check(f"Z = wᵀX + b (m={M}): np.dot vs tf.matmul", "forward", Z_vec,
                 tfv.linear_examples_vectorized(w, b, X))
    parity.check(f"Z = wᵀX + b (m={M}): np.dot vs Dense(1)", "forward", Z_vec, tfv.keras_linear_examples(w, b, X))


@concept("A6")
def test_exp_and_outer_product(parity):
    rng = np.random.default_rng(1)
    v = rng.uniform(-5, 5, 200).astype(parity.dtype)
    parity.check("u = exp(v): math.exp loop vs tf.exp", "forward", npv.exp_loop(v), tfv.exp_vectorized(v))
    parity.check("u = exp(v): np.exp vs tf.exp", "forward", npv.exp_vectorized(v), tfv.exp_vectorized(v))
    a, c = rng.standard_normal(7).astype(parity.dtype), rng.standard_normal(5).astype(parity.dtype)
    # one product per entry, no sum: every version must give the same bits
    parity.check("u vᵀ: loops vs tf.tensordot(axes=0)", "forward", npv.outer_loop(a, c), tfv.outer_vectorized(a, c))
    parity.check("u vᵀ: np.outer vs tf.tensordot(axes=0)", "forward", npv.outer_vectorized(a, c),
                 tfv.outer_vectorized(a, c))


@concept("A6")
def test_speedup_of_np_dot(parity):
    # a measurement, not a comparison: it adds a note to the report (timings are noisy on a shared machine)
    rng = np.random.default_rng(2)
    w, x = rng.random(N_TIMED).astype(parity.dtype), rng.random(N_TIMED).astype(parity.dtype)
    timing = npv.measure_speedup(npv.linear_loop, npv.linear_vectorized, w, parity.dtype.type(0.5), x)
    parity.note(f"speed-up of np.dot over the Python loop: {timing.speedup:.0f}x (n={N_TIMED}: loop "
                f"{timing.loop_seconds * 1e3:.1f} ms, np.dot {timing.vectorized_seconds * 1e6:.1f} µs, best of 3)")
    assert timing.speedup > 1, f"np.dot slower than a Python loop? {timing}"


# ---------------------------------------------------------------- plain tests: loops vs NumPy, bad input

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_loop_and_np_dot_agree_within_the_summation_bound(dtype):
    # mixed signs and n = 10^4: the two orders differ, but never by more than 2γ_n Σ|w_i x_i|
    rng = np.random.default_rng(3)
    n = 10_000
    w, x = rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)
    u = np.finfo(dtype).eps / 2
    gamma = n * u / (1 - n * u)
    bound = 2 * gamma * np.sum(np.abs(w.astype(np.float64) * x))
    gap = abs(float(npv.linear_loop(w, 0.0, x)) - float(npv.linear_vectorized(w, 0.0, x)))
    assert gap <= bound
    assert npv.linear_loop(w, 0.0, x).dtype == dtype


def test_loops_equal_vectorized_on_every_helper():
    rng = np.random.default_rng(4)
    w, X = rng.random((6, 1)), rng.random((6, 9))
    np.testing.assert_allclose(npv.linear_examples_loop(w, 0.25, X), npv.linear_examples_vectorized(w, 0.25, X),
                               rtol=1e-14)
    v = rng.uniform(-3, 3, 11)
    np.testing.assert_allclose(npv.exp_loop(v), npv.exp_vectorized(v), rtol=1e-15)
    np.testing.assert_array_equal(npv.outer_loop(v[:3], v[3:]), npv.outer_vectorized(v[:3], v[3:]))


def test_bad_input_names_what_was_expected():
    with pytest.raises(ValueError, match=r"w and x must have the same shape"):
        npv.linear_loop(np.ones(3), 0.0, np.ones(4))
    with pytest.raises(ValueError, match=r"x must be a 1-D vector"):
        npv.linear_vectorized(np.ones(3), 0.0, np.ones((3, 1)))
    with pytest.raises(ValueError, match=r"b must be a scalar"):
        npv.linear_vectorized(np.ones(3), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"w must be a column \(n_x, 1\)"):
        npv.linear_examples_vectorized(np.ones(3), 0.0, np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"looks like \(m, n_x\).*pass X.T"):
        npv.linear_examples_loop(np.ones((3, 1)), 0.0, np.ones((5, 3)))
    with pytest.raises(TypeError, match="numeric array"):
        npv.exp_loop(np.array(["a"]))
    with pytest.raises(ValueError, match="repeats must be a positive int"):
        npv.best_time(print, repeats=0)
    with pytest.raises(ValueError, match=r"w and x must be vectors of the same shape"):
        tfv.linear_loop(np.ones(3), 0.0, np.ones(4))
    with pytest.raises(ValueError, match=r"expected w \(n_x, 1\) and X \(n_x, m\)"):
        tfv.linear_examples_vectorized(np.ones((3, 1)), 0.0, np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"w must be a column \(n_x, 1\)"):
        tfv.keras_linear_examples(np.ones(3), 0.0, np.ones((3, 5)))
