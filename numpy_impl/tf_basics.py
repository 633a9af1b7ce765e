"""Introduction to TensorFlow (concept B19), done by hand: minimize J(w) = (w - 5)² = w² - 10w + 25.

The notes' TF script makes `w = tf.Variable(0, dtype=tf.float32)`, lets `GradientTape` find dJ/dw and a
Keras optimizer update w (keras_impl/tf_basics.py). Here the same minimization is written out: the
derivative by hand, dJ/dw = 2w - 10 = 2(w - 5), and the update rule of the optimizer:

- gradient descent (Keras `SGD`): w := w - α·dJ/dw;
- Adam (the course's TF script uses `Adam(0.1)`), the course's form: with t from 1,
  v = β1 v + (1 - β1) g,  s = β2 s + (1 - β2) g²,  v̂ = v / (1 - β1^t),  ŝ = s / (1 - β2^t),
  w := w - α v̂ / (√ŝ + ε)  (ε = 1e-8, outside the root). Keras's Adam puts its ε̂ beside √s of the
  uncorrected s; the two agree when ε̂ = ε·√(1 - β2^t), a per-step value (keras_impl.optimization.keras_adam
  builds that Adam; the B19 rows run through it).

A run whose w or J stops being finite (α too large for gradient descent: α > 1/x0 here) stops with a
FloatingPointError naming the iteration.

The notes' variant with the coefficients as data: J = x0·w² + x1·w + x2 with x = [1, -10, 25] (the same
cost). Everything is computed in `dtype` (the notes use float32); w, x and the hyper-parameters are
cast to it first, as TF does.
"""

from __future__ import annotations

import numpy as np

from numpy_impl.validation import (
    as_float_array,
    check_coefficients,
    check_finite,
    check_minimize_arguments,
    check_training_finite,
)

COEFFICIENTS = (1.0, -10.0, 25.0)  # the notes' x: J = x0·w² + x1·w + x2 = w² - 10w + 25 = (w - 5)²
OPTIMIZERS = ("gd", "adam")


def _J(w, x):
    return x[0] * w**2 + x[1] * w + x[2]


def _dJdw(w, x):
    return 2 * x[0] * w + x[1]


def _weight(w) -> np.ndarray:
    w = as_float_array(w, "w")
    check_finite(w, "w")
    return w


def cost(w, x=COEFFICIENTS):
    """J(w) = x0·w² + x1·w + x2; with the notes' x = [1, -10, 25], J = w² - 10w + 25 = (w - 5)².

    w a scalar or an array (elementwise) -> J of the same shape, in w's float dtype. Near the minimum the
    expanded form is a difference of numbers near 25 and 50, so J is only accurate to a few ulp of 50
    in absolute terms (in float32 ~1e-5): J(5.0001) is not 1e-8 to many digits. Both sides share it.
    """
    w = _weight(w)
    return _J(w, check_coefficients(x).astype(w.dtype))


def cost_derivative(w, x=COEFFICIENTS):
    """dJ/dw = 2·x0·w + x1, by hand; with x = [1, -10, 25], dJ/dw = 2w - 10 = 2(w - 5).  w scalar or array."""
    w = _weight(w)
    return _dJdw(w, check_coefficients(x).astype(w.dtype))


def minimize(w=0.0, learning_rate=0.01, num_iterations=1000, x=COEFFICIENTS, optimizer="gd", beta1=0.9,
             beta2=0.999, epsilon=1e-8, dtype=np.float32):
    """Minimize J(w) = x0·w² + x1·w + x2 from w, `num_iterations` steps of `optimizer` ("gd" or "adam").

    Returns (w, w_history, costs): the final w (a scalar of `dtype`), `w_history (num_iterations,)` with
    w after each step, and `costs (num_iterations,)` with the J each step differentiated (J before the step,
    as the tape records it). Defaults: the notes' w = 0, float32, α = 0.01 (gd: w -> 5 - 5·0.98^t);
    the course's TF script uses `optimizer="adam", learning_rate=0.1`. Adam is the course's (module docstring),
    ε outside √ŝ. Stops with a FloatingPointError at the first iteration whose J or new w is not finite.
    """
    w, num_iterations, x, dtype = check_minimize_arguments(w, learning_rate, num_iterations, x, optimizer, beta1,
                                                           beta2, epsilon, dtype)
    t = dtype.type
    w, x, alpha = t(w), x.astype(dtype), t(learning_rate)
    b1, b2, eps = t(beta1), t(beta2), t(epsilon)
    v = s = t(0)  # Adam's moments (unused by gd)
    w_history = np.empty(num_iterations, dtype)
    costs = np.empty(num_iterations, dtype)
    for i in range(num_iterations):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is stopped just below, with a message
            J = _J(w, x)
            g = _dJdw(w, x)
            if optimizer == "gd":
                w = w - g * alpha
            else:
                step = t(i + 1)
                v = b1 * v + (t(1) - b1) * g
                s = b2 * s + (t(1) - b2) * g * g
                v_hat = v / (t(1) - b1**step)
                s_hat = s / (t(1) - b2**step)
                w = w - alpha * v_hat / (np.sqrt(s_hat) + eps)
        check_training_finite(i, learning_rate, cost=J, w=w)
        costs[i] = J
        w_history[i] = w
    return w, w_history, costs
