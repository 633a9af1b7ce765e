"""B19: the notes' TensorFlow introduction. Minimize J(w) = (w - 5)² with GradientTape + a Keras optimizer,
and by hand in NumPy (dJ/dw = 2(w - 5)); every step of the trajectory compared.

Both sides run the same operations in the same order (SGD: w - α·g; Adam in Keras's order), so w agrees
to the last bit. J is the expanded w² - 10w + 25: TF's `w ** 2` is `tf.pow`, which is not always the
correctly rounded w·w, so J differs by an ulp of the intermediate 25 or 50 (~1e-14 / ~4e-6 absolute). Near
the minimum J ≈ 0 is such a cancellation, so only the absolute part of the trajectory tolerance
(1e-12 / 1e-5) can hold it: the rows show it does.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.tf_basics as npb
from keras_impl import tf_basics as tfb
from keras_impl._precision import keras_precision
from parity_tests.harness import concept

SCALED = (0.5, -3.0, 4.5)  # J = 0.5·(w - 3)²: other coefficients, to prove x is used as data


@concept("B19")
def test_cost_and_dJdw(parity):
    parity.check("J at w=0", "cost", npb.cost(parity.dtype.type(0)), tfb.cost(tf.Variable(0, dtype=parity.dtype)))
    parity.check("dJ/dw at w=0", "grad", npb.cost_derivative(parity.dtype.type(0)),
                 tfb.cost_derivative(tf.Variable(0, dtype=parity.dtype)))
    w = np.linspace(-5, 15, 11).astype(parity.dtype)
    parity.check("dJ/dw = 2(w - 5) at 11 points", "grad", npb.cost_derivative(w), tfb.cost_derivative(w))
    parity.check("J = x0·w² + x1·w + x2, x = [0.5, -3, 4.5]", "cost", npb.cost(w, SCALED),
                 tfb.cost_with_coefficients(tf.constant(w), SCALED))
    parity.check("dJ/dw = 2·x0·w + x1, x = [0.5, -3, 4.5]", "grad", npb.cost_derivative(w, SCALED),
                 tfb.cost_derivative(w, lambda w: tfb.cost_with_coefficients(w, SCALED)))


@concept("B19")
def test_gradient_descent_1000_steps(parity):
    # the notes' w = tf.Variable(0), J = w ** 2 - 10 * w + 25, here with SGD(0.01): w_t = 5 - 5·0.98^t
    w_np, w_history, costs = npb.minimize(0.0, learning_rate=0.01, num_iterations=1000, optimizer="gd",
                                          dtype=parity.dtype)
    w = tf.Variable(0, dtype=parity.dtype)
    _, w_history_tf, costs_tf = tfb.minimize(w, tfb.make_optimizer("gd", 0.01), tfb.cost, num_iterations=1000)
    parity.check("w after 1 step (SGD, α=0.01)", "step", w_history[0], w_history_tf[0])
    parity.check("w trajectory (1000 steps)", "trajectory", w_history, w_history_tf)
    parity.check("J trajectory (1000 steps)", "trajectory", costs, costs_tf)
    parity.check("w after 1000 steps", "trajectory", w_np, w)
    note = f"SGD α=0.01 from w=0: w after 1000 steps = {w.numpy()!s} (NumPy {w_np!s})"
    if parity.dtype == np.float32:
        note += ": float32 stops where α·dJ/dw = 0.02(5 - w) falls below half an ulp of w"
    parity.note(note)
    assert abs(float(w_np) - 5) < 2e-5


@concept("B19")
def test_adam_with_coefficients_as_data(parity):
    # the course's second script: x = [1, -10, 25] as data, Adam(0.1), 1000 steps (it prints w = 5.000001)
    x = np.array(npb.COEFFICIENTS, dtype=parity.dtype)
    w_np, w_history, costs = npb.minimize(0.0, learning_rate=0.1, num_iterations=1000, x=x, optimizer="adam",
                                          dtype=parity.dtype)
    w = tf.Variable(0, dtype=parity.dtype)
    x_tf = tf.constant(x)
    _, w_history_tf, costs_tf = tfb.minimize(w, tfb.make_optimizer("adam", 0.1),
                                             lambda w: tfb.cost_with_coefficients(w, x_tf), num_iterations=1000)
    parity.check("w after 1 step (Adam, α=0.1)", "step", w_history[0], w_history_tf[0])
    parity.check("w trajectory (1000 Adam steps)", "trajectory", w_history, w_history_tf)
    parity.check("J trajectory (1000 Adam steps)", "trajectory", costs, costs_tf)
    parity.check("w after 1000 Adam steps", "trajectory", w_np, w)
    parity.note(f"Adam α=0.1, x = [1, -10, 25]: w after 1000 steps = {w.numpy()!s} (NumPy {w_np!s})")


# ---------------------------------------------------------------- plain tests: course numbers, bad input

def test_numpy_reproduces_the_course_output():
    # the course's TF 2 script prints <tf.Variable ... dtype=float32, numpy=5.000001> after 1000 Adam steps
    w, _, _ = npb.minimize(0.0, learning_rate=0.1, num_iterations=1000, optimizer="adam", dtype=np.float32)
    assert f"{w:.6f}" == "5.000001"
    w, _, costs = npb.minimize(0.0, learning_rate=0.01, num_iterations=1000, optimizer="gd", dtype=np.float64)
    assert w == pytest.approx(5 - 5 * 0.98**1000, abs=1e-12)
    assert costs[0] == 25.0 and costs[-1] < 1e-15


def test_other_coefficients_move_the_minimum():
    w, _, _ = npb.minimize(0.0, learning_rate=0.1, num_iterations=500, x=SCALED, dtype=np.float64)
    assert w == pytest.approx(3.0, abs=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_hyper_parameters_must_be_in_floatx_form(dtype):
    # make_optimizer passes np.float64 in float64 and Python floats in float32; the other choice drifts
    # (float64: Python-float betas are cast through float32; float32: np.float64 betas promote the moment
    # update to float64). This is why the Adam rows above are exact.
    wrong = float if dtype == "float64" else np.float64
    _, w_history, _ = npb.minimize(0.0, learning_rate=0.1, num_iterations=50, optimizer="adam", dtype=dtype)
    with keras_precision(dtype):
        optimizer = keras.optimizers.Adam(learning_rate=wrong(0.1), beta_1=wrong(0.9), beta_2=wrong(0.999),
                                          epsilon=wrong(1e-7))
        _, w_history_tf, _ = tfb.minimize(tf.Variable(0, dtype=dtype), optimizer, num_iterations=50)
    assert np.max(np.abs(w_history - w_history_tf.numpy())) > 0


def test_numpy_bad_input_names_what_was_expected():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        npb.minimize(optimizer="sgd")
    with pytest.raises(ValueError, match="x0 must be > 0"):
        npb.cost(1.0, x=(-1.0, 0.0, 0.0))
    with pytest.raises(ValueError, match=r"3 coefficients"):
        npb.cost_derivative(1.0, x=(1.0, -10.0))
    with pytest.raises(ValueError, match="num_iterations must be an integer >= 1"):
        npb.minimize(num_iterations=0)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        npb.minimize(learning_rate=-0.1)
    with pytest.raises(ValueError, match="w must be a scalar"):
        npb.minimize(w=np.zeros(2))
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        npb.minimize(dtype=np.int32)
    with pytest.raises(TypeError, match="numeric array"):
        npb.cost("five")
    with pytest.raises(ValueError, match="w must be finite"):
        npb.cost_derivative(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match=r"beta1 must be in \[0, 1\)"):
        npb.minimize(optimizer="adam", beta1=1.0)  # 1 - β1^t = 0: the bias correction would divide by 0
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\)"):
        npb.minimize(optimizer="adam", beta2=-0.1)
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        npb.minimize(optimizer="adam", epsilon=0.0)
    with pytest.raises(ValueError, match="num_iterations must be an integer >= 1"):
        npb.minimize(num_iterations=True)


def test_tf_bad_input_names_what_was_expected():
    with pytest.raises(ValueError, match="scalar floating tf.Variable"):
        tfb.minimize(tf.constant(0.0), tfb.make_optimizer("gd"))
    with pytest.raises(ValueError, match="scalar floating tf.Variable"):
        tfb.minimize(tf.Variable([0.0, 1.0]), tfb.make_optimizer("gd"))
    with pytest.raises(ValueError, match="num_iterations must be a positive int"):
        tfb.minimize(tf.Variable(0.0), tfb.make_optimizer("gd"), num_iterations=0)
    with pytest.raises(ValueError, match="'gd' or 'adam'"):
        tfb.make_optimizer("rmsprop")
    with pytest.raises(ValueError, match="3 coefficients"):
        tfb.cost_with_coefficients(tf.constant(1.0), (1.0, 2.0))
