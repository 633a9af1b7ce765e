"""Introduction to TensorFlow (concept B19), done by hand: minimize J(w) = (w - 5)² = w² - 10w + 25.

The notes' TF script makes `w = tf.Variable(0, dtype=tf.float32)`, lets `GradientTape` find dJ/dw and a
Keras optimizer update w (keras_impl/tf_basics.py). Here the same minimization is written out: the
derivative by hand, dJ/dw = 2w - 10 = 2(w - 5), and the update rule of the optimizer:

- gradient descent (Keras `SGD`): w := w - α·dJ/dw;
- Adam (the course's TF script uses `Adam(0.1)`), in Keras's operation order so that every step matches:
  m += (g - m)(1 - β1), v += (g² - v)(1 - β2), α_t = α·√(1 - β2^t)/(1 - β1^t), w -= m·α_t/(√v + ε̂) with
  t from 1 and ε̂ = 1e-7. This is the course's bias-corrected Adam with ε = ε̂/√(1 - β2^t)
  (docs/traps.md); the course form itself belongs to the optimization module (B14).

The notes' variant with the coefficients as data: J = x0·w² + x1·w + x2 with x = [1, -10, 25] (the same
cost). Everything is computed in `dtype` (the notes use float32); w, x and the hyper-parameters are
cast to it first, as TF does.
"""

from __future__ import annotations

import numpy as np

from numpy_impl.validation import as_float_array, check_count, check_finite

COEFFICIENTS = (1.0, -10.0, 25.0)  # the notes' x: J = x0·w² + x1·w + x2 = w² - 10w + 25 = (w - 5)²
OPTIMIZERS = ("gd", "adam")


def _coefficients(x, dtype) -> np.ndarray:
    x = as_float_array(x, "x")
    if x.shape != (3,):
        raise ValueError(f"x must hold the 3 coefficients [x0, x1, x2] of J = x0·w² + x1·w + x2, got shape {x.shape}")
    check_finite(x, "x")
    if x[0] <= 0:
        raise ValueError(f"x0 must be > 0 for J = x0·w² + x1·w + x2 to have a minimum, got x0 = {x[0]}")
    return x.astype(dtype)


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
    return _J(w, _coefficients(x, w.dtype))


def cost_derivative(w, x=COEFFICIENTS):
    """dJ/dw = 2·x0·w + x1, by hand; with x = [1, -10, 25], dJ/dw = 2w - 10 = 2(w - 5).  w scalar or array."""
    w = _weight(w)
    return _dJdw(w, _coefficients(x, w.dtype))


def minimize(w=0.0, learning_rate=0.01, num_iterations=1000, x=COEFFICIENTS, optimizer="gd", beta1=0.9,
             beta2=0.999, epsilon=1e-7, dtype=np.float32):
    """Minimize J(w) = x0·w² + x1·w + x2 from w, `num_iterations` steps of `optimizer` ("gd" or "adam").

    Returns (w, w_history, costs): the final w (a scalar of `dtype`), `w_history (num_iterations,)` with
    w after each step, and `costs (num_iterations,)` with the J each step differentiated (J before the step,
    as the tape records it). Defaults: the notes' w = 0, float32, α = 0.01 (gd: w -> 5 - 5·0.98^t);
    the course's TF script uses `optimizer="adam", learning_rate=0.1`. Adam's epsilon is Keras's ε̂.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    num_iterations = check_count(num_iterations, "num_iterations")
    for name, value, valid, expected in (("learning_rate", learning_rate, lambda v: 0 < v < np.inf, "> 0"),
                                         ("epsilon", epsilon, lambda v: 0 < v < np.inf, "> 0"),
                                         ("beta1", beta1, lambda v: 0 <= v < 1, "in [0, 1)"),
                                         ("beta2", beta2, lambda v: 0 <= v < 1, "in [0, 1)")):
        if not (isinstance(value, int | float | np.integer | np.floating) and valid(value)):
            raise ValueError(f"{name} must be {expected}, got {value!r}")
    t = dtype.type
    w = _weight(w)
    if w.ndim != 0:
        raise ValueError(f"w must be a scalar (the notes' single weight), got shape {w.shape}")
    w, x, alpha = t(w), _coefficients(x, dtype), t(learning_rate)
    m = v = t(0)  # Adam's moments (unused by gd)
    w_history = np.empty(num_iterations, dtype)
    costs = np.empty(num_iterations, dtype)
    for i in range(num_iterations):
        costs[i] = _J(w, x)
        g = _dJdw(w, x)
        if optimizer == "gd":
            w = w - g * alpha
        else:
            step = t(i + 1)
            alpha_t = alpha * np.sqrt(t(1) - t(beta2) ** step) / (t(1) - t(beta1) ** step)
            m = m + (g - m) * t(1 - beta1)
            v = v + (g * g - v) * t(1 - beta2)
            w = w - (m * alpha_t) / (np.sqrt(v) + t(epsilon))
        w_history[i] = w
    return w, w_history, costs
