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
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Tol, concept

# The textbook⇄Keras mappings of A6, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("A6", "Z = wᵀX + b over m examples",
            "Dense(1) computes x @ kernel + bias on X.T (m, n_x): kernel = w, bias = [b]",
            "test_Z_over_m_examples"),
    Mapping("A6", "the exercise's softmax over each row of x (m, n)",
            "keras.activations.softmax over the last axis: rows are Keras's examples",
            "test_image2vector_normalizeRows_softmax"),
]

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
    # e^1000 overflows every float: inf on all three (math.exp alone would raise OverflowError)
    big = np.array([1000.0, 88.0, 2.5, -3.0], parity.dtype)  # e^88 overflows float32 only
    parity.check("u = exp(v), v up to 1000: loop vs tf.exp (inf where e^v overflows)", "forward", npv.exp_loop(big),
                 tfv.exp_vectorized(big))
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


# ---------------------------------------------------------------- the course's Python-basics exercise (A6)

COURSE_IMAGE = np.array([[[0.67826139, 0.29380381], [0.90714982, 0.52835647], [0.4215251, 0.45017551]],
                         [[0.92814219, 0.96677647], [0.85304703, 0.52351845], [0.19981397, 0.27417313]],
                         [[0.60659855, 0.00533165], [0.10820313, 0.49978937], [0.34144279, 0.94630077]]])
ATOL_0 = "atol 0: every value is judged relatively (small sigmoids included)"


@concept("A6")
def test_basic_sigmoid_math_exp_vs_tf(parity):
    # basic_sigmoid returns a Python float on both sides (math.exp / tf.float64), whatever the row's dtype
    rtol = parity.tolerance("forward").rtol
    for x in (1.0, -3.7, -40.0):
        parity.check(f"basic_sigmoid({x:g}): math.exp vs tf.math.sigmoid", "forward", npv.basic_sigmoid(x),
                     tfv.basic_sigmoid(x), tol=Tol(rtol, 0.0), why=ATOL_0)


@concept("A6")
def test_sigmoid_and_its_derivative_on_arrays(parity):
    x = np.random.default_rng(5).uniform(-5, 5, (3, 8)).astype(parity.dtype)
    rtol = parity.tolerance("forward").rtol
    parity.check("sigmoid(x) on an array", "forward", npv.sigmoid(x), tfv.sigmoid(x), tol=Tol(rtol, 0.0), why=ATOL_0)
    parity.check("sigmoid_derivative(x) = s(1-s) vs tape", "grad", npv.sigmoid_derivative(x),
                 tfv.sigmoid_derivative(x), tol=Tol(parity.tolerance("grad").rtol, 0.0), why=ATOL_0)


@concept("A6")
def test_image2vector_normalizeRows_softmax(parity):
    rng = np.random.default_rng(6)
    image = rng.random((4, 3, 2)).astype(parity.dtype)
    parity.check("image2vector: (4, 3, 2) -> (24, 1)", "layout", npv.image2vector(image), tfv.image2vector(image))
    x = (rng.standard_normal((5, 7)) * 3).astype(parity.dtype)
    parity.check("normalizeRows(x) (5, 7)", "forward", npv.normalizeRows(x), tfv.normalizeRows(x))
    huge = np.array([[3e30, -4e30], [1e-3, 2e-3]], parity.dtype)  # Σ x² would overflow float32 in the first row
    parity.check("normalizeRows at 1e30 (no overflow)", "forward", npv.normalizeRows(huge), tfv.normalizeRows(huge))
    s = npv.softmax(x)
    rel = Tol(parity.tolerance("forward").rtol, 0.0)
    parity.check("row-wise softmax(x) (5, 7) vs tf.nn.softmax(axis=1)", "forward", s, tfv.softmax(x), tol=rel,
                 why=ATOL_0)
    parity.check("row-wise softmax(x) vs keras.activations.softmax (Keras layout)", "forward", s,
                 tfv.keras_softmax(x), tol=rel, why=ATOL_0)


@concept("A6")
def test_L1_L2_of_the_exercise(parity):
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 9).astype(parity.dtype)
    yhat = rng.uniform(0, 1, 9).astype(parity.dtype)
    parity.check("L1(yhat, y) = Σ|y - ŷ|", "cost", npv.L1(yhat, y), tfv.L1(yhat, y))
    parity.check("L2(yhat, y) = Σ(y - ŷ)²", "cost", npv.L2(yhat, y), tfv.L2(yhat, y))


# the course's public tests call the exercise like this (one test per call pattern)

def test_course_basic_sigmoid_call():
    s = npv.basic_sigmoid(1)
    assert type(s) is float and s == 0.7310585786300049
    assert npv.basic_sigmoid(3) == pytest.approx(0.9525741268224334, rel=1e-15)
    with pytest.raises(TypeError, match=r"for a vector or matrix use sigmoid\(x\)"):
        npv.basic_sigmoid([1, 2, 3])  # the course notebook shows math.exp failing on a list
    assert npv.basic_sigmoid(-1000) == 0.0  # math.exp(1000) would raise OverflowError


def test_course_sigmoid_call():
    s = npv.sigmoid(np.array([1, 2, 3]))
    assert isinstance(s, np.ndarray) and s.shape == (3,)
    np.testing.assert_allclose(s, [0.73105858, 0.88079708, 0.95257413], rtol=1e-8)


def test_course_sigmoid_derivative_call():
    ds = npv.sigmoid_derivative(np.array([1, 2, 3]))
    assert isinstance(ds, np.ndarray) and ds.shape == (3,)
    np.testing.assert_allclose(ds, [0.19661193, 0.10499359, 0.04517666], rtol=1e-7)


def test_course_image2vector_call():
    v = npv.image2vector(COURSE_IMAGE)
    assert isinstance(v, np.ndarray) and v.shape == (18, 1)
    np.testing.assert_array_equal(v[:4, 0], [0.67826139, 0.29380381, 0.90714982, 0.52835647])


def test_course_normalizeRows_call():
    n = npv.normalizeRows(np.array([[0, 3, 4], [1, 6, 4]]))
    assert isinstance(n, np.ndarray) and n.shape == (2, 3)
    np.testing.assert_allclose(n, [[0.0, 0.6, 0.8], [0.13736056, 0.82416338, 0.54944226]], rtol=0, atol=5e-9)


def test_course_softmax_call():
    s = npv.softmax(np.array([[9, 2, 5, 0, 0], [7, 5, 0, 0, 0]]))
    assert isinstance(s, np.ndarray) and s.shape == (2, 5)
    np.testing.assert_allclose(s, [[9.80897665e-01, 8.94462891e-04, 1.79657674e-02, 1.21052389e-04, 1.21052389e-04],
                                   [8.78679856e-01, 1.18916387e-01, 8.01252314e-04, 8.01252314e-04, 8.01252314e-04]],
                               rtol=1e-8)


def test_course_L1_L2_calls():
    yhat, y = np.array([0.9, 0.2, 0.1, 0.4, 0.9]), np.array([1, 0, 0, 1, 1])
    assert type(npv.L1(yhat, y)) is float and npv.L1(yhat, y) == pytest.approx(1.1, rel=1e-15)
    assert type(npv.L2(yhat, y)) is float and npv.L2(yhat, y) == pytest.approx(0.43, rel=1e-15)


def test_exp_loop_overflows_to_inf_like_np_exp():
    np.testing.assert_array_equal(npv.exp_loop([1000.0]), [np.inf])
    np.testing.assert_array_equal(npv.exp_loop(np.array([100.0], np.float32)), npv.exp_vectorized(
        np.array([100.0], np.float32)))


# ---------------------------------------------------------------- error parity: both twins reject alike

_w3, _X35 = np.ones((3, 1)), np.ones((3, 5))
BAD_INPUTS = {  # case -> (function name, args, expected message)
    "linear_loop: w, x of different shapes": ("linear_loop", (np.ones(3), 0.0, np.ones(4)), "same shape"),
    "linear_vectorized: x 2-D": ("linear_vectorized", (np.ones(3), 0.0, np.ones((3, 1))), "x must be a 1-D"),
    "linear_vectorized: b a vector": ("linear_vectorized", (np.ones(3), np.ones(3), np.ones(3)), "b must be a scalar"),
    "linear_vectorized: w strings": ("linear_vectorized", (np.array(["a"] * 3), 0.0, np.ones(3)), "numeric array"),
    "linear_vectorized: w complex": ("linear_vectorized", (np.ones(3) * 1j, 0.0, np.ones(3)), "must be real"),
    "linear_examples: w 1-D": ("linear_examples_vectorized", (np.ones(3), 0.0, _X35), r"w must be a column"),
    "linear_examples: X (m, n_x)": ("linear_examples_vectorized", (_w3, 0.0, _X35.T), r"pass X\.T"),
    "linear_examples: m = 0": ("linear_examples_vectorized", (_w3, 0.0, np.ones((3, 0))), "m = 0"),
    "linear_examples: X NaN": ("linear_examples_vectorized", (_w3, 0.0, _X35 * np.nan), "X must be finite"),
    "linear_examples: b a matrix": ("linear_examples_vectorized", (_w3, np.ones((2, 2)), _X35), "b must be a scalar"),
    "keras_linear_examples: X (m, n_x)": ("keras_linear_examples", (_w3, 0.0, _X35.T), r"pass X\.T"),
    "exp_vectorized: v 2-D": ("exp_vectorized", (np.ones((2, 2)),), "v must be a 1-D"),
    "outer_vectorized: u strings": ("outer_vectorized", (np.array(["a"]), np.ones(2)), "numeric array"),
    "basic_sigmoid: a list": ("basic_sigmoid", ([1, 2, 3],), r"use sigmoid\(x\)"),
    "basic_sigmoid: an array": ("basic_sigmoid", (np.ones(2),), r"use sigmoid\(x\)"),
    "basic_sigmoid: NaN": ("basic_sigmoid", (float("nan"),), "got nan"),
    "basic_sigmoid: bool": ("basic_sigmoid", (True,), "bool"),
    "basic_sigmoid: str": ("basic_sigmoid", ("1",), "numeric"),
    "basic_sigmoid: complex": ("basic_sigmoid", (1j,), "must be real"),
    "sigmoid: strings": ("sigmoid", (np.array(["a", "b"]),), "numeric array"),
    "sigmoid: complex": ("sigmoid", (np.array([1j]),), "must be real"),
    "sigmoid_derivative: object array": ("sigmoid_derivative", (np.array([None]),), "numeric array"),
    "image2vector: 2-D": ("image2vector", (np.ones((3, 3)),), "must be 3-D"),
    "image2vector: empty": ("image2vector", (np.ones((0, 3, 2)),), "at least one value"),
    "normalizeRows: a zero row": ("normalizeRows", (np.array([[0.0, 0.0], [3.0, 4.0]]),), r"rows \[0\].*all zeros"),
    "normalizeRows: 1-D": ("normalizeRows", (np.ones(3),), r"reshape\(1, -1\)"),
    "normalizeRows: NaN": ("normalizeRows", (np.array([[1.0, np.nan]]),), "x must be finite"),
    "softmax: inf": ("softmax", (np.array([[1.0, np.inf]]),), "x must be finite"),
    "softmax: 1-D": ("softmax", (np.ones(3),), "must be 2-D"),
    "softmax: no rows": ("softmax", (np.ones((0, 3)),), "at least one row"),
    "keras_softmax: -inf": ("keras_softmax", (np.array([[-np.inf, 1.0]]),), "x must be finite"),
    "L1: shapes differ": ("L1", (np.ones(3), np.ones(4)), "same shape"),
    "L1: y (n, 1) beside yhat (n,)": ("L1", (np.ones(3), np.ones((3, 1))), "same shape"),
    "L2: NaN": ("L2", (np.array([np.nan]), np.ones(1)), "yhat must be finite"),
    "L2: inf in y": ("L2", (np.ones(1), np.array([np.inf])), "y must be finite"),
}
NUMPY_TWIN = {"keras_linear_examples": "linear_examples_vectorized", "keras_softmax": "softmax"}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_same_error_on_both_sides(case):
    name, args, match = BAD_INPUTS[case]
    np_fn, tf_fn = getattr(npv, NUMPY_TWIN.get(name, name)), getattr(tfv, name)
    same_error(lambda: np_fn(*args), lambda: tf_fn(*args), match=match)


def test_numpy_only_loops_reject_alike():
    with pytest.raises(ValueError, match=r"looks like \(m, n_x\).*pass X.T"):
        npv.linear_examples_loop(np.ones((3, 1)), 0.0, np.ones((5, 3)))
    with pytest.raises(TypeError, match="numeric array"):
        npv.exp_loop(np.array(["a"]))
    with pytest.raises(ValueError, match="u must be a 1-D"):
        npv.outer_loop(np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="repeats must be a positive int"):
        npv.best_time(print, repeats=0)
