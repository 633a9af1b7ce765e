"""Introduction to TensorFlow (concept B19): the notes' GradientTape scripts.

The notes: `w = tf.Variable(0, dtype=tf.float32)`, the cost `J = w ** 2 - 10 * w + 25` (= (w - 5)²), a
`GradientTape` to get dJ/dw, and an optimizer to update w, repeated 1000 times; then the same with the
coefficients as data, J = x[0]·w² + x[1]·w + x[2] with x = [1, -10, 25]. numpy_impl/tf_basics.py does the
same by hand (dJ/dw = 2(w - 5)).

Part 1, tf.Variable + GradientTape: the costs, dJ/dw by tape, the course's `train_step`, and `minimize`,
which runs the steps in one `tf.function` (a loop over `tf.range`: one graph, no Python per step).
Part 2, Keras blocks: the optimizer that applies the update (`keras.optimizers.SGD`, `keras.optimizers.Adam`),
built so that float64 hyper-parameters stay float64. (Keras 3 optimizers have no `minimize(cost_fn, [w])`
any more, which the course's TF 2 script called: a tape plus `apply_gradients` is the same step.)
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

COEFFICIENTS = (1.0, -10.0, 25.0)  # the notes' x: J = x[0]·w² + x[1]·w + x[2] = w² - 10w + 25

# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def cost(w) -> tf.Tensor:
    """J = w² - 10w + 25 = (w - 5)², written as in the notes: `w ** 2 - 10 * w + 25`.  w scalar or tensor."""
    return w**2 - 10 * w + 25


def cost_with_coefficients(w, x=COEFFICIENTS) -> tf.Tensor:
    """J = x[0]·w² + x[1]·w + x[2], the coefficients x as data (a tensor in w's dtype)."""
    x = tf.constant(x, dtype=w.dtype) if not tf.is_tensor(x) else tf.cast(x, w.dtype)
    if x.shape != (3,):
        raise ValueError(f"x must hold the 3 coefficients [x0, x1, x2], got shape {x.shape}")
    return x[0] * w**2 + x[1] * w + x[2]


def cost_derivative(w, cost_fn: Callable = cost) -> tf.Tensor:
    """dJ/dw at w by GradientTape: no formula, autodiff of `cost_fn`.  w scalar or tensor (elementwise J).

    A `tf.Variable` is watched automatically; a constant tensor (or a NumPy value) must be watched
    explicitly, which `tape.watch` does here for both.
    """
    if not isinstance(w, tf.Variable):
        w = tf.convert_to_tensor(w)
    with tf.GradientTape() as tape:
        tape.watch(w)
        J = cost_fn(w)
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


def minimize(w: tf.Variable, optimizer, cost_fn: Callable = cost, num_iterations: int = 1000):
    """`num_iterations` train steps on the scalar variable w, all inside one tf.function.

    Returns (w, w_history, costs): the variable w (updated in place), `w_history (num_iterations,)` w after
    each step, `costs (num_iterations,)` the J each step differentiated. The optimizer is built on [w]
    first: a tf.function may not create its variables (momenta, iteration counter) inside the loop.
    """
    if not isinstance(w, tf.Variable) or w.shape.rank != 0 or not w.dtype.is_floating:
        raise ValueError(f"w must be a scalar floating tf.Variable, e.g. tf.Variable(0, dtype=tf.float32); got {w!r}")
    if not (isinstance(num_iterations, int) and num_iterations >= 1):
        raise ValueError(f"num_iterations must be a positive int, got {num_iterations!r}")
    if not optimizer.built:
        optimizer.build([w])

    @tf.function
    def loop(n):
        w_history = tf.TensorArray(w.dtype, size=n)
        costs = tf.TensorArray(w.dtype, size=n)
        for i in tf.range(n):  # AutoGraph: one tf.while_loop in the graph
            costs = costs.write(i, train_step(w, optimizer, cost_fn))
            w_history = w_history.write(i, w.read_value())
        return w_history.stack(), costs.stack()

    w_history, costs = loop(tf.constant(num_iterations))
    return w, w_history, costs


# ---------------------------------------------------------------- part 2: Keras blocks (the optimizers)


def _hyper(value: float):
    """A hyper-parameter in the form Keras keeps exact in the current floatx.

    float64: `np.float64`. Adam casts β1, β2 with `ops.cast`, which takes a Python float through float32
    (`ops.cast(0.9, "float64")` = 0.8999999761581421, docs/traps.md, trap 1), and the run drifts from
    the exact one (the notes' Adam(0.1) on (w - 5)²: by 1.9e-5 within 100 steps). float32: a plain Python
    float, as one writes `Adam(0.1)`. An `np.float64` there is not harmless: `(g - m) * (1 - β1)` then runs
    in float64 and is rounded to float32 only when assigned, one rounding fewer than float32 arithmetic
    (w differs by an ulp after one step).
    """
    return np.float64(value) if keras.config.floatx() == "float64" else float(value)


def make_optimizer(name: str = "gd", learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999,
                   epsilon: float = 1e-7):
    """`keras.optimizers.SGD(learning_rate)` for "gd" (w -= α·dJ/dw) or `keras.optimizers.Adam(...)` for "adam".

    Hyper-parameters go in through `_hyper`, so that they are exact in the current floatx. Adam's
    `epsilon` is Keras's ε̂ (outside the square root of the uncorrected v), default 1e-7. Create the
    optimizer inside the Keras precision it will run in: its learning-rate variable takes floatx when
    it is built.
    """
    if name == "gd":
        return keras.optimizers.SGD(learning_rate=_hyper(learning_rate))
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=_hyper(learning_rate), beta_1=_hyper(beta1),
                                     beta_2=_hyper(beta2), epsilon=_hyper(epsilon))
    raise ValueError(f"optimizer name must be 'gd' or 'adam', got {name!r}")
