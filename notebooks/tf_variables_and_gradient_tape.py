# %% [markdown]
# # TensorFlow basics: `tf.Variable` and `GradientTape`, next to NumPy
#
# The notes' introduction to TensorFlow fits in four lines: make `w = tf.Variable(0, dtype=tf.float32)`, write
# the cost `J = w ** 2 - 10 * w + 25` (that is `(w - 5)²`), let `tf.GradientTape` find `dJ/dw`, and let an
# optimizer update `w`. This tutorial takes those pieces one at a time, and next to every number TensorFlow
# computes it prints the number you get by hand (the derivative `2(w - 5)`, the notes' `σ(z)(1 - σ(z))`, ...)
# in NumPy.
#
# Code: `numpy_impl/tf_basics.py` (by hand), `keras_impl/tf_basics.py` (the tape scripts), compared step by step
# in `parity_tests/test_tf_basics.py` (concept B19 of the parity report). Run it as a script
# (`python notebooks/tf_variables_and_gradient_tape.py`; `DL_FAST=1` for the short version) or open it as a
# notebook with `jupytext --to notebook`.

# %%
import os
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import numpy_impl.tf_basics as npb
from keras_impl import tf_basics as tfb
from keras_impl._precision import keras_precision
from numpy_impl.activations import relu_derivative, sigmoid, sigmoid_derivative, tanh_derivative
from numpy_impl.plotting import plot_cost_curves, plot_decision_boundary
from parity_tests.harness import max_abs_diff  # the report's own measure

FAST = os.environ.get("DL_FAST") == "1"
NUM_ITERATIONS = 200 if FAST else 1000  # the notes run 1000 steps



# %% [markdown]
# ## 1. Constants and variables
#
# A `tf.constant` is an immutable tensor. A `tf.Variable` holds a tensor that can change in place: this is what
# parameters are. It changes only through its methods `assign`, `assign_add` and `assign_sub` (`w -= 1` would
# make a new tensor, not change `w`). NumPy has one kind of array, and it is always mutable.

# %%
c = tf.constant([1.0, 2.0, 3.0])
w = tf.Variable(0, dtype=tf.float32)  # the notes' line
print("constant:", c)
print("variable:", w)
w.assign(3.0)
w.assign_sub(0.5)  # the update of gradient descent: w := w - α·dw
w.assign_add(0.25)
print("after assign(3), assign_sub(0.5), assign_add(0.25):", w.numpy())
print("NumPy, the same arithmetic on a float32:", np.float32(3.0) - np.float32(0.5) + np.float32(0.25))
print("does a constant have an assign method?", hasattr(c, "assign"))

# %% [markdown]
# ## 2. dtypes: why `dtype=tf.float32`, and why float64 needs care
#
# `tf.Variable(0)` would hold an **int32**: TensorFlow infers the dtype from the Python value, and a tape
# cannot differentiate with respect to an integer (it returns `None`). That is why the notes write
# `dtype=tf.float32`. TensorFlow also never mixes dtypes silently: float32 + float64 is an error, where NumPy
# would quietly promote to float64.

# %%
w_int = tf.Variable(0)
with tf.GradientTape() as tape:
    J = w_int**2 - 10 * w_int + 25
print("tf.Variable(0) has dtype", w_int.dtype.name, "-> dJ/dw =", tape.gradient(J, w_int))
try:
    tf.constant(1.0, dtype=tf.float64) + tf.constant(1.0, dtype=tf.float32)
except tf.errors.InvalidArgumentError as e:
    print("float64 + float32 in TF:", type(e).__name__)
print("float64 + float32 in NumPy:", (np.float64(1.0) + np.float32(1.0)).dtype)

# %% [markdown]
# float32 keeps about 7 significant digits (machine epsilon 1.2e-7), float64 about 16 (2.2e-16). Comparing two
# implementations tightly needs float64, and there is a trap (trap 1 of `docs/traps.md`): a Python float
# that goes through `tf.cast` or `keras.ops.cast` first becomes a **float32** tensor, and only then float64. The
# digits lost on the way never come back.

# %%
print("tf.cast(0.01, tf.float64)              =", repr(tf.cast(0.01, tf.float64).numpy()))
print("tf.constant(0.01, dtype=tf.float64)    =", repr(tf.constant(0.01, dtype=tf.float64).numpy()))
print("keras.ops.cast(0.9, 'float64')         =", repr(keras.ops.cast(0.9, "float64").numpy()))
print("keras.ops.cast(np.float64(0.9), ...)   =", repr(keras.ops.cast(np.float64(0.9), "float64").numpy()))

# %% [markdown]
# Keras's Adam does exactly that with `beta_1` and `beta_2`. So a float64 Adam given Python floats runs with
# β1 = 0.8999999761581421, and drifts away from the exact computation; given `np.float64(0.9)` it computes with
# the exact β1. (`keras_impl.optimization.hyper` does this for you. In float32 it is the other way
# round: Python floats are right, an `np.float64` would make Keras compute the moment updates in float64.)

# %%
runs = {}
with keras_precision("float64"):
    for label, f in [("Python floats", float), ("np.float64", np.float64)]:
        optimizer = keras.optimizers.Adam(learning_rate=f(0.1), beta_1=f(0.9), beta_2=f(0.999), epsilon=f(1e-7))
        runs[label] = tfb.train_steps(tf.Variable(0, dtype=tf.float64), optimizer, num_iterations=100)[1]
print(f"float64 Adam, Python-float vs np.float64 hyper-parameters: max |Δw| over 100 steps = "
      f"{max_abs_diff(runs['Python floats'], runs['np.float64']):.1e}")

# %% [markdown]
# ## 3. GradientTape: dJ/dw of J = (w - 5)²
#
# Inside `with tf.GradientTape() as tape:` TensorFlow records every operation on trainable variables;
# `tape.gradient(J, w)` then walks the record backwards (reverse-mode autodiff, the notes' computation graph
# read right to left). By hand: dJ/dw = 2w - 10 = 2(w - 5).

# %%
w = tf.Variable(0, dtype=tf.float32)
with tf.GradientTape() as tape:
    J = w**2 - 10 * w + 25
print("J(0) =", J.numpy(), "  NumPy:", npb.cost(np.float32(0)))
print("dJ/dw at w = 0 by tape:", tape.gradient(J, w).numpy(), "  by hand 2(w - 5):", npb.cost_derivative(np.float32(0)))

points = np.linspace(-5.0, 15.0, 9)
print("w          :", points)
print("tape       :", tfb.cost_derivative(points).numpy())
print("2(w - 5)   :", npb.cost_derivative(points))

# %% [markdown]
# ## 4. Watching tensors
#
# A tape records operations on **variables** by itself. A constant tensor is not recorded (its gradient is
# `None`) unless you ask: `tape.watch(x)`. This is how you differentiate with respect to an input.

# %%
x = tf.constant(3.0)
with tf.GradientTape() as tape:
    y = x**2
print("d(x²)/dx, x not watched:", tape.gradient(y, x))
with tf.GradientTape() as tape:
    tape.watch(x)
    y = x**2
print("d(x²)/dx, x watched:", tape.gradient(y, x).numpy(), "  by hand 2x:", 2 * 3.0)

# %% [markdown]
# ## 5. Persistent tapes: several gradients from one recording
#
# A tape is released after one `gradient` call. To ask for two gradients, make it `persistent=True` (and delete
# it when done: it holds on to every intermediate tensor).

# %%
w = tf.Variable(2.0)
with tf.GradientTape(persistent=True) as tape:
    y = w**2
    z = y**2  # z = w⁴
print("dy/dw =", tape.gradient(y, w).numpy(), "  by hand 2w =", 2 * 2.0)
print("dz/dw =", tape.gradient(z, w).numpy(), "  by hand 4w³ =", 4 * 2.0**3)
del tape
with tf.GradientTape() as tape:
    y = w**2
tape.gradient(y, w)
try:
    tape.gradient(y, w)
except RuntimeError as e:
    print("second gradient from a non-persistent tape:", type(e).__name__)

# %% [markdown]
# ## 6. The notes' derivatives, by tape and by formula
#
# The notes derive σ'(z) = σ(z)(1 - σ(z)) by the chain rule, tanh'(z) = 1 - tanh²(z) and ReLU'(z) = 0 or 1.
# The tape knows none of these formulas; it differentiates the ops. In float64 the two agree to rounding.
# At z = 0 ReLU has a kink; TensorFlow takes the derivative 0 there, and so does `numpy_impl.activations`.

# %%
z = tf.constant(np.linspace(-6.0, 6.0, 13))  # float64, z = 0 included
with tf.GradientTape(persistent=True) as tape:
    tape.watch(z)
    activations = {"sigmoid": tf.math.sigmoid(z), "tanh": tf.math.tanh(z), "relu": tf.nn.relu(z)}
by_tape = {name: tape.gradient(a, z).numpy() for name, a in activations.items()}
del tape
by_formula = {"sigmoid": sigmoid_derivative(z.numpy()), "tanh": tanh_derivative(z.numpy()),
              "relu": relu_derivative(z.numpy())}
for name in activations:
    print(f"{name:7}' tape vs formula: max |diff| = {max_abs_diff(by_tape[name], by_formula[name]):.1e}")
print("ReLU'(0): tape", by_tape["relu"][6], " NumPy", by_formula["relu"][6])

# %% [markdown]
# ## 7. Higher-order gradients: a tape inside a tape
#
# The inner tape's gradient is itself a computation the outer tape records. d²J/dw² of (w - 5)² is 2; the
# second derivative of the sigmoid is σ''(z) = σ'(z)(1 - 2σ(z)).

# %%
w = tf.Variable(1.0)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        J = w**2 - 10 * w + 25
    dJ = inner.gradient(J, w)
print("dJ/dw =", dJ.numpy(), "(2(w - 5) =", 2 * (1.0 - 5), ")  d²J/dw² =", outer.gradient(dJ, w).numpy(), "(by hand 2)")

with tf.GradientTape() as outer:
    outer.watch(z)
    with tf.GradientTape() as inner:
        inner.watch(z)
        s = tf.math.sigmoid(z)
    ds = inner.gradient(s, z)
d2s = outer.gradient(ds, z)
sz = sigmoid(z.numpy())
print(f"σ'' tape vs σ'(1 - 2σ): max |diff| = {max_abs_diff(d2s, sz * (1 - sz) * (1 - 2 * sz)):.1e}")

# %% [markdown]
# ## 8. When the gradient is `None`: unconnected sources and `stop_gradient`
#
# `tape.gradient` returns `None` for a variable the result does not depend on (ask for zeros with
# `unconnected_gradients=tf.UnconnectedGradients.ZERO`). `tf.stop_gradient(v)` makes the tape treat `v` as a
# constant: J = w·stop_gradient(w) has dJ/dw = w, not 2w. And a classic bug: `w = w - α·dw` replaces the
# Variable by a plain tensor, so the next step's gradient is `None`; update with `w.assign_sub(α·dw)`.

# %%
w, u = tf.Variable(3.0), tf.Variable(1.0)
with tf.GradientTape(persistent=True) as tape:
    J = w * tf.stop_gradient(w)
    K = w**2
print("d(w·stop_gradient(w))/dw =", tape.gradient(J, w).numpy(), "(by hand w = 3)   d(w²)/dw =",
      tape.gradient(K, w).numpy(), "(by hand 2w = 6)")
print("dK/du (K does not use u):", tape.gradient(K, u),
      "  with ZERO:", tape.gradient(K, u, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy())
del tape
w = tf.Variable(0.0)
w = w - 0.1 * tfb.cost_derivative(w)  # now a tf.Tensor, no longer a Variable
with tf.GradientTape() as tape:
    J = tfb.cost(w)
print("after `w = w - α·dw`, w is a", type(w).__name__, "and dJ/dw =", tape.gradient(J, w))

# %% [markdown]
# ## 9. A custom training loop: minimize (w - 5)²
#
# The course's loop, with `keras.optimizers.SGD(learning_rate=0.01)`: one `train_step` records J, takes dJ/dw and
# lets the optimizer apply `w := w - α·dJ/dw`. NumPy does the same by hand (`numpy_impl.tf_basics.minimize`).
# Both run in float32 and produce the same w at every step, bit for bit (the parity suite checks all 1000).
# (The course's TF 2 script called `optimizer.minimize(cost_fn, [w])`; Keras 3 optimizers no longer have it,
# and the tape + `apply_gradients` below is exactly that step.)

# %%
w = tf.Variable(0, dtype=tf.float32)
optimizer = keras.optimizers.SGD(learning_rate=0.01)


def train_step():
    with tf.GradientTape() as tape:
        J = w**2 - 10 * w + 25
    grads = tape.gradient(J, [w])
    optimizer.apply_gradients(zip(grads, [w], strict=True))
    return J


costs_tape, w_tape = [], []
for _ in range(NUM_ITERATIONS):
    costs_tape.append(train_step().numpy())
    w_tape.append(w.numpy())
w_np, w_history_np, costs_np = npb.minimize(0.0, learning_rate=0.01, num_iterations=NUM_ITERATIONS, optimizer="gd")
print(f"after {NUM_ITERATIONS} steps: w (tape) = {w.numpy()!r}, w (NumPy) = {w_np!r}")
print(f"max |w_numpy - w_tape| over all steps = {max_abs_diff(w_history_np, w_tape):.1e}, "
      f"max |J_numpy - J_tape| = {max_abs_diff(costs_np, costs_tape):.1e}")


# %% tags=["plot-B19"]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
plot_cost_curves({"NumPy (by hand)": costs_np, "GradientTape + SGD": costs_tape}, ax=axes[0],
                 title="J = (w - 5)², α = 0.01", logy=True)
plot_cost_curves({"NumPy (by hand)": w_history_np, "GradientTape + SGD": w_tape}, ax=axes[1], title="w → 5",
                 ylabel="w")
plt.show()

# %% [markdown]
# The course then uses `Adam(0.1)` and the coefficients as data, J = x[0]·w² + x[1]·w + x[2] with
# x = [1, -10, 25]; after 1000 steps it prints `w = 5.000001`. `numpy_impl.tf_basics.minimize` writes out the
# course's Adam (w -= α v̂/(√ŝ + ε), ε = 1e-8 outside the root); its TF twin runs `keras_impl.optimization.keras_adam`,
# Keras's Adam with the per-step ε̂ = ε·√(1 - β2^t) that is the same formula, so the two agree at every step to
# rounding. The course's own script, stock `Adam(0.1)` (ε̂ = 1e-7), is the last line.

# %%
x = np.array([1.0, -10.0, 25.0], dtype=np.float32)
w, w_history_tf, _ = tfb.minimize(0.0, learning_rate=0.1, num_iterations=1000, x=x, optimizer="adam")
w_np, w_history_np, _ = npb.minimize(0.0, learning_rate=0.1, num_iterations=1000, x=x, optimizer="adam")
print(f"course Adam, α = 0.1, 1000 steps: w (tape, keras_adam) = {w.numpy():.6f}, w (NumPy) = {w_np:.6f}; "
      f"max |diff| over all steps = {max_abs_diff(w_history_np, w_history_tf):.1e}")
w = tf.Variable(0, dtype=tf.float32)
tfb.train_steps(w, keras.optimizers.Adam(0.1), lambda w: tfb.cost(w, x), 1000)
print(f"the course's script, stock Adam(0.1): w = {w.numpy():.6f}")

# %% [markdown]
# ## 10. A tiny logistic regression with `tf.Variable`
#
# The same loop trains a real model: ŷ = σ(wᵀx + b) on two generated clouds of points, cost
# J = -1/m Σ (y log a + (1 - y) log(1 - a)). NumPy uses the notes' hand-derived gradients dZ = A - Y,
# dw = X dZᵀ / m, db = mean(dZ); the tape finds them itself. In float64 the two cost curves coincide.

# %%
rng = np.random.default_rng(0)
m = 200
X = np.concatenate([rng.normal([[-1.0], [-1.0]], 0.8, (2, m // 2)), rng.normal([[1.0], [1.5]], 0.8, (2, m // 2))],
                   axis=1)  # (n_x, m) = (2, 200): one example per column
Y = np.concatenate([np.zeros(m // 2), np.ones(m // 2)]).reshape(1, m)
LEARNING_RATE = 0.5


def logistic_regression_numpy(X, Y, num_iterations, learning_rate):
    """Gradient descent with the hand-derived gradients.  X (n_x, m), Y (1, m) -> w (n_x, 1), b, costs."""
    w, b, costs = np.zeros((X.shape[0], 1)), 0.0, []
    for _ in range(num_iterations):
        A = sigmoid(w.T @ X + b)
        costs.append(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
        dZ = A - Y
        w, b = w - learning_rate * (X @ dZ.T / X.shape[1]), b - learning_rate * np.mean(dZ)
    return w, b, np.array(costs)


def logistic_regression_tape(X, Y, num_iterations, learning_rate):
    """The same with tf.Variable and GradientTape (float64): no gradient formula anywhere."""
    X, Y = tf.constant(X), tf.constant(Y)
    w = tf.Variable(tf.zeros((X.shape[0], 1), dtype=tf.float64))
    b = tf.Variable(0.0, dtype=tf.float64)
    costs = []
    for _ in range(num_iterations):
        with tf.GradientTape() as tape:
            A = tf.math.sigmoid(tf.matmul(w, X, transpose_a=True) + b)
            cost = -tf.reduce_mean(Y * tf.math.log(A) + (1 - Y) * tf.math.log(1 - A))
        dw, db = tape.gradient(cost, [w, b])
        w.assign_sub(learning_rate * dw)
        b.assign_sub(learning_rate * db)
        costs.append(cost.numpy())
    return w, b, np.array(costs)


w_np, b_np, costs_np = logistic_regression_numpy(X, Y, NUM_ITERATIONS, LEARNING_RATE)
w_tf, b_tf, costs_tf = logistic_regression_tape(X, Y, NUM_ITERATIONS, LEARNING_RATE)
accuracy = np.mean((sigmoid(w_np.T @ X + b_np) > 0.5) == Y)
print(f"w NumPy {w_np.ravel()}, tape {w_tf.numpy().ravel()}; b NumPy {b_np:.6f}, tape {b_tf.numpy():.6f}")
print(f"max |cost_numpy - cost_tape| over {NUM_ITERATIONS} steps = {max_abs_diff(costs_np, costs_tf):.1e}; "
      f"max |w diff| = {max_abs_diff(w_np, w_tf):.1e}; training accuracy {accuracy:.1%}")


# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
plot_cost_curves({"NumPy (hand-derived dw, db)": costs_np, "tf.Variable + GradientTape": costs_tf}, ax=axes[0],
                 title="logistic regression cost", logy=True)
plot_decision_boundary(lambda P: sigmoid(w_np.T @ P + b_np) > 0.5, X, Y, ax=axes[1],
                       title=f"decision boundary (accuracy {accuracy:.0%})")
plt.show()

# %% [markdown]
# ## 11. `tf.function`: tracing, and what it buys
#
# Eager TensorFlow runs each op as Python reaches it. `@tf.function` **traces** the Python function once per
# new input signature (dtype and shape of tensors, value of Python arguments) into a graph, then runs the graph
# with no Python in between. A `print` inside runs only while tracing; `tf.print` runs every call.

# %%
@tf.function
def squared(v):
    print("  tracing squared for", v.dtype.name, v.shape)  # Python: only during tracing
    return v**2


for v in [tf.constant(1.0), tf.constant(2.0), tf.constant([1.0, 2.0]), tf.constant(1.0, dtype=tf.float64)]:
    squared(v)
print("traces:", squared.experimental_get_tracing_count(), "(float32 scalar, float32 vector, float64 scalar)")

# %% [markdown]
# The speed-up on the logistic-regression step above: the same step eager, as one traced `tf.function` per step,
# and with the whole loop inside one `tf.function` (a loop over `tf.range`: what `keras_impl.tf_basics.train_steps`
# does). Small models gain the most: eager time is mostly Python overhead per op.

# %%
Xt, Yt = tf.constant(X), tf.constant(Y)
w = tf.Variable(tf.zeros((2, 1), dtype=tf.float64))
b = tf.Variable(0.0, dtype=tf.float64)


def step():
    with tf.GradientTape() as tape:
        A = tf.math.sigmoid(tf.matmul(w, Xt, transpose_a=True) + b)
        cost = -tf.reduce_mean(Yt * tf.math.log(A) + (1 - Yt) * tf.math.log(1 - A))
    dw, db = tape.gradient(cost, [w, b])
    w.assign_sub(LEARNING_RATE * dw)
    b.assign_sub(LEARNING_RATE * db)
    return cost


traced_step = tf.function(step)


@tf.function
def traced_loop(n):
    for _ in tf.range(n):
        step()


def seconds(run, repeats=3):
    """Best of `repeats` wall times of run() (the first call, which traces, is excluded)."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


n_steps = 100 if FAST else 500
eager = seconds(lambda: [step() for _ in range(n_steps)])
per_step = seconds(lambda: [traced_step() for _ in range(n_steps)])
whole = seconds(lambda: traced_loop(tf.constant(n_steps)))
print(f"{n_steps} steps: eager {eager * 1e3:.0f} ms, tf.function per step {per_step * 1e3:.0f} ms "
      f"({eager / per_step:.1f}x), whole loop in one tf.function {whole * 1e3:.0f} ms ({eager / whole:.1f}x)")

# %% [markdown]
# ## 12. The course's full model: three layers, `tf.data` mini-batches, Adam
#
# The course ends its TensorFlow week with a real classifier written with nothing but variables and a tape:
# `initialize_parameters()` draws W1, b1, W2, b2, W3, b3 from `GlorotNormal(seed=1)` (the biases too), the
# forward pass is LINEAR → RELU → LINEAR → RELU → LINEAR in course layout, `compute_total_loss` is the softmax
# cross-entropy **summed** over the mini-batch, and `model` takes one Adam step per `tf.data` mini-batch and
# reports Σ batch losses / m per epoch. The course trains on hand-sign photos; here it is scikit-learn's digits
# (64 pixels, 10 classes) with the same 25-12-C pattern. `numpy_impl/tf_model.py` does the same by hand: the
# backward pass written out, and Adam in the form Keras computes it (α_t = α·√(1-β2^t)/(1-β1^t), ε̂ = 1e-7,
# which is the notes' Adam with ε = ε̂/√(1-β2^t)). Both start from the same weights; the Keras `Sequential` of
# Dense layers trained by `fit(shuffle=False)` over the same batches is the third curve.

# %%
import numpy_impl.tf_model as ntm  # noqa: E402 (this section's own imports)
from keras_impl import convert  # noqa: E402
from keras_impl import tf_model as ktm  # noqa: E402
from numpy_impl.datasets import load_digits_data  # noqa: E402

X_train, Y_train, X_test, Y_test = load_digits_data()
EPOCHS = 11 if FAST else 101  # costs and accuracies are recorded every 10th epoch, as in the course
start = ktm.initialize_parameters(n_x=64, n_y=6 + 4)  # GlorotNormal(seed=1), float32 tf.Variables
start_arrays = convert.to_parameters(start)
print({k: tuple(v.shape) for k, v in start.items()})

t0 = time.perf_counter()
np_parameters, np_costs, np_train, np_test = ntm.model(X_train, Y_train, X_test, Y_test, learning_rate=0.001,
                                                       num_epochs=EPOCHS, print_cost=False, parameters=start_arrays)
t1 = time.perf_counter()
tf_parameters, tf_costs, tf_train, tf_test = ktm.model(X_train, Y_train, X_test, Y_test, learning_rate=0.001,
                                                       num_epochs=EPOCHS, print_cost=True, parameters=start)
t2 = time.perf_counter()
dense = ktm.build_keras_model(64, 10)
convert.set_dense_weights(dense, start_arrays)
history = ktm.keras_fit(dense, X_train, Y_train, 0.001, EPOCHS, 32)
print(f"NumPy {t1 - t0:.1f} s, tape model {t2 - t1:.1f} s (tracing included), fit {time.perf_counter() - t2:.1f} s")
fitted_W1 = convert.dense_weights_to_parameters(dense)["W1"]
tape_gap = max_abs_diff(np_parameters["W1"], tf_parameters["W1"])
print(f"W1 after {EPOCHS} epochs, max |diff|: NumPy vs tape {tape_gap:.1e}, NumPy vs fit "
      f"{max_abs_diff(np_parameters['W1'], fitted_W1):.1e}")
print(f"test accuracy: NumPy {ntm.accuracy(X_test, Y_test, np_parameters):.2%}, "
      f"tape {ktm.accuracy(X_test, Y_test, tf_parameters):.2%}")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
plot_cost_curves({"NumPy": np_costs, "tf.Variable + tape": [float(c) for c in tf_costs]}, ax=axes[0], every=10,
                 title="epoch cost Σ J_total / m", ylabel="cost")
axes[0].set_xlabel("epoch")
plot_cost_curves({"train (NumPy)": np_train, "train (tape)": [float(a) for a in tf_train],
                  "test (NumPy)": np_test, "test (tape)": [float(a) for a in tf_test]}, ax=axes[1], every=10,
                 title="accuracy", ylabel="accuracy")
axes[1].set_xlabel("epoch")
plt.tight_layout()
plt.show()

# %% [markdown]
# `fit`'s own epoch loss is another number: its tracker averages the batch losses weighted by the batch sizes
# (Σ s_k·J_k / m with J_k a sum over the batch), while the course divides the plain sum Σ J_k by m.

# %%
print(f"epoch 0: course cost {float(np_costs[0]):.4f}, fit's reported loss {history.history['loss'][0]:.4f}")

# %% [markdown]
# ## Summary
#
# | notes | TensorFlow | NumPy (by hand) |
# |---|---|---|
# | `w = tf.Variable(0, dtype=tf.float32)` | a mutable tensor; `assign_sub` updates it | a float32 number |
# | dJ/dw of `w**2 - 10*w + 25` | `tape.gradient(J, w)` | `2(w - 5)` |
# | one optimizer step | `optimizer.apply_gradients(zip(grads, [w]))` | `w := w - α·dJ/dw` (or Adam written out) |
# | 1000 steps | a Python loop, or one `tf.function` | a Python loop |
#
# Same numbers on both sides: see `python -m parity_tests --concept B19`.
