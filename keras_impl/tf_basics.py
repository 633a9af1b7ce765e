"""Introduction to TensorFlow (concept B19): the notes' GradientTape scripts.

The notes: `w = tf.Variable(0, dtype=tf.float32)`, the cost `J = w ** 2 - 10 * w + 25` (= (w - 5)²), a
`GradientTape` to get dJ/dw, and an optimizer to update w, repeated 1000 times; then the same with the
coefficients as data, J = x[0]·w² + x[1]·w + x[2] with x = [1, -10, 25]. numpy_impl/tf_basics.py does the
same by hand (dJ/dw = 2(w - 5)).

Mirrors `numpy_impl.tf_basics` (same name = same arguments and results, tensors for arrays):

| here                                  | NumPy twin                                            |
|---------------------------------------|-------------------------------------------------------|
| `cost(w, x)`                          | `cost(w, x)`                                          |
| `cost_derivative(w, x)` (by tape)     | `cost_derivative(w, x)` (2·x0·w + x1 by hand)         |
| `minimize(w, learning_rate, ...)`     | `minimize(w, learning_rate, ...)` (Keras SGD, `keras_adam`) |
| `train_step`, `train_steps`           | (the notes' tape loop itself; `minimize` is built on them) |

Inputs are checked with `numpy_impl.validation` before anything is traced: a bad argument raises the NumPy
twin's exception with its message.

Part 1, tf.Variable + GradientTape: the cost, dJ/dw by tape, the course's `train_step`, and `train_steps`,
which runs the steps in one `tf.function` (a loop over `tf.range`: one graph, no Python per step).
Part 2, Keras blocks: `minimize` takes the optimizer that applies the update from keras_impl.optimization
(`keras_sgd`, and `keras_adam`, the Keras Adam that computes the course's Adam). Keras 3 optimizers have no
`minimize(cost_fn, [w])` any more, which the course's TF 2 script called: a tape plus `apply_gradients` is the
same step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from keras_impl.optimization import keras_adam, keras_sgd
from numpy_impl.validation import (
    as_float_array,
    check_coefficients,
    check_count,
    check_finite,
    check_minimize_arguments,
    check_training_finite,
)

# Which NumPy function (numpy_impl.tf_basics, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B19": {
        "cost": "cost",
        "cost_derivative": "cost_derivative",
        "train_step": "minimize",
        "train_steps": "minimize",
        "minimize": "minimize",
    },
}

COEFFICIENTS = (1.0, -10.0, 25.0)  # the notes' x: J = x[0]·w² + x[1]·w + x[2] = w² - 10w + 25

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def _checked_w(w):
    """w as a tensor (a Variable stays a Variable), checked as NumPy checks it when its value is concrete."""
    if tf.executing_eagerly():
        check_finite(as_float_array(w, "w"), "w")
    if isinstance(w, tf.Variable) or tf.is_tensor(w):
        return w
    return tf.constant(as_float_array(w, "w"))


def cost(w, x=COEFFICIENTS) -> tf.Tensor:
    """J = x[0]·w² + x[1]·w + x[2], written as in the notes (`w ** 2`); x = [1, -10, 25] gives w² - 10w + 25.

    w a scalar or a tensor (elementwise J); the coefficients x become a tensor in w's dtype.
    """
    w = _checked_w(w)
    if tf.executing_eagerly() or not tf.is_tensor(x):
        x = check_coefficients(x)
    x = tf.cast(x, w.dtype) if tf.is_tensor(x) else tf.constant(x, dtype=w.dtype)
    return x[0] * w**2 + x[1] * w + x[2]


def cost_derivative(w, x=COEFFICIENTS) -> tf.Tensor:
    """dJ/dw at w by GradientTape: no formula, autodiff of `cost(w, x)`.  w scalar or tensor (elementwise J).

    A `tf.Variable` is watched automatically; a constant tensor (or a NumPy value) must be watched
    explicitly, which `tape.watch` does here for both.
    """
    w = _checked_w(w)
    with tf.GradientTape() as tape:
        tape.watch(w)
        J = cost(w, x)
    return tape.gradient(J, w)


def train_step(w: tf.Variable, optimizer, cost_fn: Callable = cost) -> tf.Tensor:
    """One step of the course's loop: J = cost_fn(w) under a tape, dJ/dw, `optimizer.apply_gradients`.

    Returns J before the step (the J that was differentiated); w is updated in place.
    """
    with tf.GradientTape() as tape:
        J = cost_fn(w)
    grads = tape.gradient(J, [w])
    optimizer.apply_gradients(zip(grads, [w], strict=True))
    return J


def train_steps(w: tf.Variable, optimizer, cost_fn: Callable = cost, num_iterations: int = 1000):
    """`num_iterations` train steps on the scalar variable w, all inside one tf.function (the notes' loop).

    Returns (w, w_history, costs, stopped): the variable w (updated in place), `w_history` w after each step,
    `costs` the J each step differentiated, and `stopped`, the iteration at which J or w stopped being finite
    (the loop ends there: the histories then have `stopped + 1` entries), -1 if none did. The optimizer is
    built on [w] first: a tf.function may not create its variables (momenta, iteration counter) in the loop.
    """
    if not isinstance(w, tf.Variable) or w.shape.rank != 0 or not w.dtype.is_floating:
        raise ValueError(f"w must be a scalar floating tf.Variable, e.g. tf.Variable(0, dtype=tf.float32); got {w!r}")
    num_iterations = check_count(num_iterations, "num_iterations")
    if not optimizer.built:
        optimizer.build([w])

    @tf.function
    def loop(n):
        w_history = tf.TensorArray(w.dtype, size=0, dynamic_size=True)
        costs = tf.TensorArray(w.dtype, size=0, dynamic_size=True)
        stopped = tf.constant(-1)
        for i in tf.range(n):  # AutoGraph: one tf.while_loop in the graph
            J = train_step(w, optimizer, cost_fn)
            costs = costs.write(i, J)
            w_history = w_history.write(i, w.read_value())
            if tf.logical_not(tf.logical_and(tf.math.is_finite(J), tf.math.is_finite(w.read_value()))):
                stopped = i
                break
        return w_history.stack(), costs.stack(), stopped

    w_history, costs, stopped = loop(tf.constant(num_iterations))
    return w, w_history, costs, int(stopped)


# ---------------------------------------------------------------- part 2: Keras optimizers


def minimize(w=0.0, learning_rate=0.01, num_iterations=1000, x=COEFFICIENTS, optimizer="gd", beta1=0.9,
             beta2=0.999, epsilon=1e-8, dtype=np.float32):
    """The NumPy twin's `minimize` on the TF side: w = tf.Variable(w, dtype), J = cost(w, x), `train_steps`.

    "gd": `keras_sgd(α)`, w -= α·dJ/dw. "adam": `keras_adam(α, β1, β2, ε)`, Keras's Adam computing the
    course's Adam (ε outside √ŝ; docs in keras_impl.optimization). Returns (w, w_history, costs) as tensors
    (w the variable). Stops with the NumPy twin's FloatingPointError at the first iteration whose J or new w is
    not finite. Create it inside the Keras precision of `dtype` (the optimizer's variables take floatx).
    """
    w0, num_iterations, x, dtype = check_minimize_arguments(w, learning_rate, num_iterations, x, optimizer, beta1,
                                                            beta2, epsilon, dtype)
    w = tf.Variable(w0, dtype=dtype.name, name="w")
    keras_optimizer = (keras_sgd(learning_rate) if optimizer == "gd"
                       else keras_adam(learning_rate, beta1, beta2, epsilon))
    x = tf.constant(x, dtype=dtype.name)
    w, w_history, costs, stopped = train_steps(w, keras_optimizer, lambda w: cost(w, x), num_iterations)
    if stopped >= 0:
        check_training_finite(stopped, learning_rate, cost=costs[stopped].numpy(), w=w.numpy())
    return w, w_history, costs
