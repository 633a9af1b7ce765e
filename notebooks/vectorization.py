# %% [markdown]
# # Vectorization: the loop, `np.dot`, and their TensorFlow twins
#
# The notes: "computing with a for loop works, but it is slow, so compute vectorized: instead of
# `for i in range(n): z += w[i] * x[i]`, use `np.dot`". This tutorial times that claim, shows the same
# replacement for all m examples at once (Z = wᵀX + b, logistic regression's forward step), for elementwise
# functions and outer products, and does the same in TensorFlow (`tf.tensordot`, `tf.matmul`, and the loop itself
# inside a `tf.function`). Then it looks at the last digits: the loop and `np.dot` add in different orders.
#
# Code: `numpy_impl/vectorization.py` and `keras_impl/vectorization.py`, compared in
# `parity_tests/test_vectorization.py` (concept A6). Run as a script (`DL_FAST=1` for the short version) or
# open with `jupytext --to notebook`.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import numpy_impl.vectorization as npv
from keras_impl import vectorization as tfv

FAST = os.environ.get("DL_FAST") == "1"
N = 100_000 if FAST else 1_000_000  # the lecture times n = 10^6
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. z = wᵀx + b: the loop against `np.dot`
#
# `measure_speedup` runs each version a few times and keeps the fastest run (other programs only ever add
# time). The two give the same z (to the last few digits: see section 5).

# %%
w, x, b = rng.random(N), rng.random(N), 0.5
timing = npv.measure_speedup(npv.linear_loop, npv.linear_vectorized, w, b, x)
print(f"n = {N}: loop z = {npv.linear_loop(w, b, x):.10f}, np.dot z = {npv.linear_vectorized(w, b, x):.10f}")
print(f"loop {timing.loop_seconds * 1e3:.1f} ms, np.dot {timing.vectorized_seconds * 1e6:.1f} µs: "
      f"np.dot is {timing.speedup:.0f}x faster")

# %% [markdown]
# ## 2. All m examples at once: Z = wᵀX + b
#
# With one example per column of X (n_x, m), the loop over examples (and over features inside it) becomes one
# matrix product, `np.dot(w.T, X) + b`, with b broadcast over the m columns. Here n_x = 64, the notes' example
# of an input with 64 values.

# %%
n_x, m = 64, (200 if FAST else 2000)
w_col, X = rng.random((n_x, 1)), rng.random((n_x, m))
Z_loop, Z_vec = npv.linear_examples_loop(w_col, b, X), npv.linear_examples_vectorized(w_col, b, X)
timing_Z = npv.measure_speedup(npv.linear_examples_loop, npv.linear_examples_vectorized, w_col, b, X, repeats=2)
print(f"Z {Z_vec.shape}: max |loop - np.dot| = {np.max(np.abs(Z_loop - Z_vec)):.1e}; "
      f"loops {timing_Z.loop_seconds * 1e3:.1f} ms, np.dot {timing_Z.vectorized_seconds * 1e6:.1f} µs "
      f"({timing_Z.speedup:.0f}x)")

# %% [markdown]
# ## 3. Elementwise functions and outer products
#
# The same idea applies to anything done element by element: `u[i] = math.exp(v[i])` in a loop is `np.exp(v)`;
# the outer product `u[i, j] = a[i]·c[j]` is `np.outer(a, c)`.

# %%
v = rng.uniform(-5, 5, N // 10)
timing_exp = npv.measure_speedup(npv.exp_loop, npv.exp_vectorized, v)
print(f"exp over {v.size} values: max relative diff {np.max(np.abs(npv.exp_loop(v) / npv.exp_vectorized(v) - 1)):.1e}"
      f", {timing_exp.speedup:.0f}x faster")
a, c = rng.standard_normal(300), rng.standard_normal(300)
timing_outer = npv.measure_speedup(npv.outer_loop, npv.outer_vectorized, a, c, repeats=2)
print(f"outer product 300 x 300: identical: {np.array_equal(npv.outer_loop(a, c), npv.outer_vectorized(a, c))}"
      f", {timing_outer.speedup:.0f}x faster")

# %% [markdown]
# ## 4. TensorFlow: one op, or the loop inside a graph
#
# `tf.tensordot(w, x, axes=1)` is `np.dot` for vectors, `tf.matmul(w, X, transpose_a=True)` is `np.dot(w.T, X)`.
# The loop can also be kept and moved out of Python: inside a `tf.function`, `for i in tf.range(n)` becomes one
# `tf.while_loop` in the graph. The timings below say what that buys: nothing. Every iteration of a graph loop
# runs a handful of tiny ops, each with microseconds of scheduling, so it is even slower than the Python loop
# over NumPy numbers. Vectorizing is the lesson in TensorFlow too. (One small `tf.tensordot` call also costs
# more than `np.dot`: TF's fixed cost per eager call is large next to 10^4 multiplications; it pays off on big
# arrays and inside graphs, where many ops run without Python in between.)

# %%
n_tf = 10_000  # the graph loop takes ~0.1 s at this size
w_tf, x_tf = tf.constant(w[:n_tf]), tf.constant(x[:n_tf])
tfv.linear_loop(w_tf, b, x_tf)  # trace once before timing
times = {
    "Python loop": npv.best_time(npv.linear_loop, w[:n_tf], b, x[:n_tf]),
    "tf.function loop": npv.best_time(tfv.linear_loop, w_tf, b, x_tf),
    "np.dot": npv.best_time(lambda: [npv.linear_vectorized(w[:n_tf], b, x[:n_tf]) for _ in range(100)]) / 100,
    "tf.tensordot": npv.best_time(lambda: [tfv.linear_vectorized(w_tf, b, x_tf) for _ in range(100)]) / 100,
}
for name, seconds in times.items():
    print(f"n = {n_tf}: {name:17} {seconds * 1e6:10.1f} µs")
print(f"z: Python loop {npv.linear_loop(w[:n_tf], b, x[:n_tf]):.12f}, "
      f"tf.function loop {tfv.linear_loop(w_tf, b, x_tf).numpy():.12f}, "
      f"tf.tensordot {tfv.linear_vectorized(w_tf, b, x_tf).numpy():.12f}")
print(f"Z = wᵀX + b: max |np.dot - tf.matmul| = "
      f"{np.max(np.abs(Z_vec - tfv.linear_examples_vectorized(w_col, b, X).numpy())):.1e}")


# %% tags=["plot-A6"]
def plot_times(times: dict, ax=None, title=""):
    """Bar plot of {method: seconds} on a log scale (fastest last), with the time written on each bar."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    names, values = zip(*sorted(times.items(), key=lambda kv: -kv[1]), strict=True)
    bars = ax.bar(names, values, color=["tab:red", "tab:orange", "tab:blue", "tab:green"][: len(names)])
    for bar, seconds in zip(bars, values, strict=True):
        ax.annotate(f"{seconds * 1e6:.0f} µs", (bar.get_x() + bar.get_width() / 2, seconds), ha="center",
                    va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("seconds (best of 3)")
    ax.set_title(title)
    return ax


plot_times(times, title=f"z = wᵀx + b, n = {n_tf}")
plt.show()

# %% [markdown]
# ## 5. Same numbers, not the same bits
#
# The loop adds the products left to right; `np.dot` (BLAS) adds them in blocks, in another order. Floating-point
# addition is not associative, so the last bits differ. How much? For n terms, any order is within
# γ_n = n·u/(1 - n·u) of the exact sum, relative to Σ|w_i·x_i| (u = 2^-53 in float64, 2^-24 in float32). With
# signs mixed the sum cancels and the relative difference can be large in float32. The bound is a worst case
# (rounding errors mostly cancel, and grow like √n·u in practice). The same order gives the same bits: the
# `tf.function` loop matches the Python loop exactly.

# %%
for dtype in (np.float64, np.float32):
    w_s, x_s = rng.standard_normal(N).astype(dtype), rng.standard_normal(N).astype(dtype)
    z_loop, z_dot = npv.linear_loop(w_s, 0.0, x_s), npv.linear_vectorized(w_s, 0.0, x_s)
    u = np.finfo(dtype).eps / 2
    bound = N * u / (1 - N * u) * float(np.sum(np.abs(w_s.astype(np.float64) * x_s)))
    z_tf_loop = tfv.linear_loop(w_s[:n_tf], 0.0, x_s[:n_tf]).numpy()
    same_order = z_tf_loop == npv.linear_loop(w_s[:n_tf], 0.0, x_s[:n_tf])
    gap = abs(float(z_loop) - float(z_dot))
    print(f"{np.dtype(dtype).name}: loop {z_loop:.9g}, np.dot {z_dot:.9g}, |diff| {gap:.2e} <= bound γ_n·Σ|w·x| = "
          f"{bound:.2e}; tf.function loop == Python loop (n = {n_tf}): {same_order}")

# %% [markdown]
# ## 6. The course's "Python basics with NumPy" exercise, NumPy beside TensorFlow
#
# `basic_sigmoid(x)` uses `math.exp`, so it takes one number and returns a Python float; on a list it is an
# error (math works on scalars), which is why the exercise then writes `sigmoid(x)` with `np.exp`. The other
# helpers: `image2vector` (a (length, height, depth) image as a column), `normalizeRows` (each row divided by
# its L2 norm), a **row-wise** `softmax` (that exercise puts one example per row, Keras's layout, so
# `keras.activations.softmax` computes it as it is), and the losses `L1`, `L2`.

# %%
print("basic_sigmoid(1) =", npv.basic_sigmoid(1), type(npv.basic_sigmoid(1)).__name__, " TF:", tfv.basic_sigmoid(1))
try:
    npv.basic_sigmoid([1, 2, 3])
except TypeError as error:
    print("basic_sigmoid([1, 2, 3]) ->", error)
t_x = np.array([1, 2, 3])
print("sigmoid:", npv.sigmoid(t_x), " TF:", tfv.sigmoid(t_x).numpy())
print("sigmoid_derivative:", npv.sigmoid_derivative(t_x), " tape:", tfv.sigmoid_derivative(t_x).numpy())
image = rng.random((3, 3, 2))
print("image2vector:", image.shape, "->", npv.image2vector(image).shape, " same as tf.reshape:",
      np.array_equal(npv.image2vector(image), tfv.image2vector(image).numpy()))
rows = np.array([[0, 3, 4], [1, 6, 4]])
print("normalizeRows:\n", npv.normalizeRows(rows), "\n TF:\n", tfv.normalizeRows(rows).numpy())
scores = np.array([[9, 2, 5, 0, 0], [7, 5, 0, 0, 0]])
print("softmax over rows, max |NumPy - keras.activations.softmax| =",
      f"{np.max(np.abs(npv.softmax(scores) - tfv.keras_softmax(scores).numpy())):.1e}")
yhat, y = np.array([0.9, 0.2, 0.1, 0.4, 0.9]), np.array([1, 0, 0, 1, 1])
print(f"L1 = {npv.L1(yhat, y):.4g} (TF {float(tfv.L1(yhat, y)):.4g}), L2 = {npv.L2(yhat, y):.4g} "
      f"(TF {float(tfv.L2(yhat, y)):.4g})")

# %% [markdown]
# ## Summary
#
# | the notes' loop | NumPy | TensorFlow |
# |---|---|---|
# | `for i: z += w[i]*x[i]` | `np.dot(w, x) + b` | `tf.tensordot(w, x, axes=1) + b` |
# | `for j: Z[j] = wᵀx⁽ʲ⁾ + b` | `np.dot(w.T, X) + b` | `tf.matmul(w, X, transpose_a=True) + b`, or `Dense(1)` |
# | `u[i] = math.exp(v[i])` | `np.exp(v)` | `tf.exp(v)` |
# | `u[i, j] = a[i]*c[j]` | `np.outer(a, c)` | `tf.tensordot(a, c, axes=0)` |
# | `math.exp` on one number | `basic_sigmoid(x)` (a float) | `tf.math.sigmoid` on a float64 scalar |
# | each row / its norm | `normalizeRows(x)` | `y / tf.norm(y, axis=1)` |
# | softmax over each row | `softmax(x)` | `tf.nn.softmax(x, axis=1)`, `keras.activations.softmax(x)` |
#
# Same results to rounding, proved for both dtypes by `python -m parity_tests --concept A6`.
