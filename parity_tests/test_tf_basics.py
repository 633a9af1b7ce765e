"""B19: the notes' TensorFlow introduction. Minimize J(w) = (w - 5)² with GradientTape + a Keras optimizer,
and by hand in NumPy (dJ/dw = 2(w - 5)); every step of the trajectory compared.

SGD: both sides run w - α·g, so w agrees to the last bit. Adam: NumPy runs the course's Adam
(w -= α v̂/(√ŝ + ε), ε = 1e-8 outside the root); the TF side runs `keras_impl.optimization.keras_adam`, Keras's
Adam with the per-step ε̂ = ε·√(1 - β2^t) that makes it that formula (a different order of operations, so
agreement to rounding, not bits). J is the expanded w² - 10w + 25: near the minimum it is a cancellation of
numbers near 25 and 50, accurate only to a few ulp of 50 absolutely. So J is compared relatively while it
is large (J >= atol/rtol) and the tail, whose digits are rounding noise on both sides, is a separate row
judged by atol with that reason stated; w itself is compared relatively all the way.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.tf_basics as npb
from keras_impl import tf_basics as tfb
from keras_impl._precision import keras_precision
from keras_impl.optimization import keras_sgd
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Tol, concept

# The textbook⇄Keras mappings of B19, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B19", "the notes' script: w = tf.Variable(0), J = w² - 10w + 25, minimized by gradient "
                    "descent",
            "GradientTape for dJ/dw and keras.optimizers.SGD(0.01) applying it, 1000 steps in one "
            "tf.function",
            "test_notes_script_with_stock_keras_optimizer"),
    Mapping("B19", "Adam(0.1) with the course's ε = 1e-8 outside √ŝ",
            "keras_adam: Keras's Adam with the per-step ε̂ = ε·√(1 - β2^t) beside √v",
            "test_course_adam_with_coefficients_as_data"),
]

SCALED = (0.5, -3.0, 4.5)  # J = 0.5·(w - 3)²: other coefficients, to prove x is used as data
TAIL = ("J near the minimum: w² - 10w + 25 cancels to a few ulp of 50 absolutely (~1e-14 / ~4e-6) on both sides; "
        "its digits are rounding noise that only atol can judge (w, compared relatively, carries the result)")


def _relative(parity, kind):
    return Tol(parity.tolerance(kind).rtol, 0.0)


def _check_J(parity, label, costs, costs_tf):
    """J relatively where it is above the table's atol/rtol scale; the cancelled tail by atol, with the reason."""
    tol = parity.tolerance("trajectory")
    large = np.abs(np.asarray(costs, np.float64)) >= tol.atol / tol.rtol
    parity.check(f"J trajectory while J >= {tol.atol / tol.rtol:g} ({large.sum()} steps, {label})", "trajectory",
                 costs[large], np.asarray(costs_tf)[large], tol=_relative(parity, "trajectory"),
                 why="atol 0: J is held relatively while it is large")
    parity.check(f"J trajectory tail ({(~large).sum()} steps, {label})", "trajectory", costs[~large],
                 np.asarray(costs_tf)[~large], why=TAIL)


@concept("B19")
def test_cost_and_dJdw(parity):
    parity.check("J at w=0", "cost", npb.cost(parity.dtype.type(0)), tfb.cost(tf.Variable(0, dtype=parity.dtype)))
    parity.check("dJ/dw at w=0", "grad", npb.cost_derivative(parity.dtype.type(0)),
                 tfb.cost_derivative(tf.Variable(0, dtype=parity.dtype)))
    w = np.linspace(-5, 15, 11).astype(parity.dtype) + parity.dtype.type(0.25)  # no w = 5, where dJ/dw = 0
    parity.check("dJ/dw = 2(w - 5) at 11 points", "grad", npb.cost_derivative(w), tfb.cost_derivative(w))
    parity.check("J = x0·w² + x1·w + x2, x = [0.5, -3, 4.5]", "cost", npb.cost(w, SCALED),
                 tfb.cost(tf.constant(w), SCALED))
    parity.check("dJ/dw = 2·x0·w + x1, x = [0.5, -3, 4.5]", "grad", npb.cost_derivative(w, SCALED),
                 tfb.cost_derivative(w, SCALED))


@concept("B19")
def test_gradient_descent_1000_steps(parity):
    # the notes' w = tf.Variable(0), J = w ** 2 - 10 * w + 25, here with SGD(0.01): w_t = 5 - 5·0.98^t
    w_np, w_history, costs = npb.minimize(0.0, learning_rate=0.01, num_iterations=1000, optimizer="gd",
                                          dtype=parity.dtype)
    w, w_history_tf, costs_tf = tfb.minimize(0.0, learning_rate=0.01, num_iterations=1000, optimizer="gd",
                                             dtype=parity.dtype)
    parity.check("w after 1 step (SGD, α=0.01)", "step", w_history[0], w_history_tf[0], tol=_relative(parity, "step"),
                 why="atol 0: w = 0.1 after one step, held relatively")
    parity.check("w trajectory (1000 steps)", "trajectory", w_history, w_history_tf)
    _check_J(parity, "SGD", costs, costs_tf)
    parity.check("w after 1000 steps", "trajectory", w_np, w)
    note = f"SGD α=0.01 from w=0: w after 1000 steps = {w.numpy()!s} (NumPy {w_np!s})"
    if parity.dtype == np.float32:
        note += ": float32 stops where α·dJ/dw = 0.02(5 - w) falls below half an ulp of w"
    parity.note(note)
    assert abs(float(w_np) - 5) < 2e-5


@concept("B19")
def test_course_adam_with_coefficients_as_data(parity):
    # the course's second script: x = [1, -10, 25] as data, Adam(0.1), 1000 steps; NumPy runs the course's Adam
    # (ε = 1e-8 outside √ŝ), TF the Keras Adam that keras_adam maps to it (per-step ε̂ = ε·√(1 - β2^t))
    x = np.array(npb.COEFFICIENTS, dtype=parity.dtype)
    w_np, w_history, costs = npb.minimize(0.0, learning_rate=0.1, num_iterations=1000, x=x, optimizer="adam",
                                          dtype=parity.dtype)
    w, w_history_tf, costs_tf = tfb.minimize(0.0, learning_rate=0.1, num_iterations=1000, x=x, optimizer="adam",
                                             dtype=parity.dtype)
    parity.check("w after 1 step (course Adam, α=0.1)", "step", w_history[0], w_history_tf[0],
                 tol=_relative(parity, "step"), why="atol 0: w = 0.1 after one step, held relatively")
    parity.check("w trajectory (1000 course-Adam steps vs keras_adam)", "trajectory", w_history, w_history_tf)
    _check_J(parity, "Adam", costs, costs_tf)
    parity.check("w after 1000 Adam steps", "trajectory", w_np, w)
    parity.note(f"course Adam α=0.1, x = [1, -10, 25]: w after 1000 steps = {w.numpy()!s} (NumPy {w_np!s})")


@concept("B19")
def test_notes_script_with_stock_keras_optimizer(parity):
    # the notes' script itself: tf.Variable(0), J = w ** 2 - 10 * w + 25, SGD(0.01) by train_steps
    w = tf.Variable(0, dtype=parity.dtype)
    _, w_history_tf, _, stopped = tfb.train_steps(w, keras_sgd(0.01), lambda w: w**2 - 10 * w + 25, 100)
    _, w_history, _ = npb.minimize(0.0, learning_rate=0.01, num_iterations=100, dtype=parity.dtype)
    assert stopped == -1
    parity.check("w trajectory, the notes' literal J (100 steps)", "trajectory", w_history, w_history_tf)


# ---------------------------------------------------------------- plain tests: course numbers, bad input

def test_numpy_reproduces_the_course_output():
    # the course's TF 2 script prints <tf.Variable ... dtype=float32, numpy=5.000001> after 1000 Adam steps (stock
    # Adam, ε̂ = 1e-7); the course's Adam formula with ε = 1e-8 prints the same
    w, _, _ = npb.minimize(0.0, learning_rate=0.1, num_iterations=1000, optimizer="adam", dtype=np.float32)
    assert f"{w:.6f}" == "5.000001"
    w_tf = tfb.train_steps(tf.Variable(0, dtype=tf.float32), keras.optimizers.Adam(0.1), num_iterations=1000)[0]
    assert f"{w_tf.numpy():.6f}" == "5.000001"
    w, _, costs = npb.minimize(0.0, learning_rate=0.01, num_iterations=1000, optimizer="gd", dtype=np.float64)
    assert w == pytest.approx(5 - 5 * 0.98**1000, abs=1e-12)
    assert costs[0] == 25.0 and costs[-1] < 1e-15


def test_other_coefficients_move_the_minimum():
    w, _, _ = npb.minimize(0.0, learning_rate=0.1, num_iterations=500, x=SCALED, dtype=np.float64)
    assert w == pytest.approx(3.0, abs=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_hyper_parameters_must_be_in_floatx_form(dtype):
    # keras_impl.optimization.hyper passes np.float64 in float64 and Python floats in float32; the other choice
    # drifts (float64: Python-float betas are cast through float32; float32: np.float64 betas promote the moment
    # update to float64). Shown on stock Adam against itself with the right form.
    wrong = float if dtype == "float64" else np.float64
    right = np.float64 if dtype == "float64" else float
    with keras_precision(dtype):
        runs = []
        for form in (right, wrong):
            optimizer = keras.optimizers.Adam(learning_rate=form(0.1), beta_1=form(0.9), beta_2=form(0.999),
                                              epsilon=form(1e-7))
            runs.append(tfb.train_steps(tf.Variable(0, dtype=dtype), optimizer, num_iterations=50)[1].numpy())
    assert np.max(np.abs(runs[0] - runs[1])) > 0


def test_divergence_stops_with_the_iteration_on_both_sides():
    # α = 1.5 > 1/x0: w_{t+1} = -2 w_t + 15 doubles each step until float32 overflows
    err = same_error(lambda: npb.minimize(learning_rate=1.5), lambda: tfb.minimize(learning_rate=1.5),
                     match=r"training diverged at iteration \d+: .* not finite .*learning_rate = 1.5; try a smaller")
    assert "iteration 62: cost" in str(err)  # |w| ~ 5·2^t: J = w² passes float32's 3.4e38 at t = 62


BAD_MINIMIZE = {  # case -> (keyword arguments, expected message)
    "learning_rate True": ({"learning_rate": True}, "learning_rate must be a finite number > 0, got True"),
    "learning_rate negative": ({"learning_rate": -0.1}, "learning_rate must be a finite number > 0"),
    "learning_rate zero": ({"learning_rate": 0}, "learning_rate must be a finite number > 0"),
    "learning_rate NaN": ({"learning_rate": float("nan")}, "learning_rate must be a finite number > 0"),
    "learning_rate str": ({"learning_rate": "0.1"}, "learning_rate must be a finite number > 0"),
    "num_iterations 0": ({"num_iterations": 0}, "num_iterations must be an integer >= 1"),
    "num_iterations negative": ({"num_iterations": -3}, "num_iterations must be an integer >= 1"),
    "num_iterations float": ({"num_iterations": 10.0}, "num_iterations must be an integer >= 1"),
    "num_iterations bool": ({"num_iterations": True}, "num_iterations must be an integer >= 1"),
    "num_iterations str": ({"num_iterations": "10"}, "num_iterations must be an integer >= 1"),
    "optimizer unknown": ({"optimizer": "sgd"}, "optimizer must be one of"),
    "beta1 = 1": ({"optimizer": "adam", "beta1": 1.0}, r"0 <= beta1 < 1"),
    "beta2 negative": ({"optimizer": "adam", "beta2": -0.1}, r"0 <= beta2 < 1"),
    "epsilon negative": ({"optimizer": "adam", "epsilon": -1e-8}, "epsilon must be a finite number >= 0"),
    "w a vector": ({"w": np.zeros(2)}, "w must be a scalar"),
    "w NaN": ({"w": float("nan")}, "w must be finite"),
    "w str": ({"w": "five"}, "numeric array"),
    "w complex": ({"w": 1j}, "must be real"),
    "x two coefficients": ({"x": (1.0, -10.0)}, "3 coefficients"),
    "x0 <= 0": ({"x": (-1.0, 0.0, 0.0)}, "x0 must be > 0"),
    "x inf": ({"x": (1.0, np.inf, 0.0)}, "x must be finite"),
    "dtype int32": ({"dtype": np.int32}, "dtype must be float32 or float64"),
}


@pytest.mark.parametrize("case", sorted(BAD_MINIMIZE))
def test_minimize_bad_input_same_error(case):
    kwargs, match = BAD_MINIMIZE[case]
    kwargs = {"num_iterations": 5, **kwargs}
    same_error(lambda: npb.minimize(**kwargs), lambda: tfb.minimize(**kwargs), match=match)


BAD_COST = {
    "w NaN": ((np.array([1.0, np.nan]),), "w must be finite"),
    "w strings": ((np.array(["a"]),), "numeric array"),
    "x two coefficients": ((1.0, (1.0, -10.0)), "3 coefficients"),
    "x0 <= 0": ((1.0, (0.0, 1.0, 1.0)), "x0 must be > 0"),
}


@pytest.mark.parametrize("fn", ["cost", "cost_derivative"])
@pytest.mark.parametrize("case", sorted(BAD_COST))
def test_cost_bad_input_same_error(fn, case):
    args, match = BAD_COST[case]
    same_error(lambda: getattr(npb, fn)(*args), lambda: getattr(tfb, fn)(*args), match=match)


def test_np_int64_iterations_are_accepted_on_both_sides():
    assert npb.minimize(num_iterations=np.int64(3))[1].shape == (3,)
    assert tfb.minimize(num_iterations=np.int64(3))[1].shape == (3,)


def test_train_steps_rejects_what_is_not_a_scalar_variable():
    with pytest.raises(ValueError, match="scalar floating tf.Variable"):
        tfb.train_steps(tf.constant(0.0), keras_sgd(0.01))
    with pytest.raises(ValueError, match="scalar floating tf.Variable"):
        tfb.train_steps(tf.Variable([0.0, 1.0]), keras_sgd(0.01))
    with pytest.raises(ValueError, match="num_iterations must be an integer >= 1"):
        tfb.train_steps(tf.Variable(0.0), keras_sgd(0.01), num_iterations=0)
