# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Optimization algorithms, twice: NumPy and Keras (concepts B10-B15)
#
# "Why does my Adam differ from Keras's?" This notebook trains the course's network `[2, 5, 2, 1]` on the
# moons with mini-batch gradient descent, momentum and Adam, once with the course's NumPy functions
# (`numpy_impl.optimization`) and once with Keras optimizers in a compiled loop over the *same* mini-batches
# (`keras_impl.optimization`), and shows which Keras settings reproduce the course exactly:
#
#     momentum   v = βv + (1-β)dW; W -= αv            Keras: SGD(learning_rate=α(1-β), momentum=β), velocity = -αv
#     RMSprop    s = βs + (1-β)dW²; W -= α dW/(√s+ε)   Keras: RMSprop puts ε inside √: equal at ε = 0 only
#     Adam       W -= α v̂/(√ŝ + ε)                     Keras: ε̂ = ε√(1-β2^t) (a per-step ε): AdamCourseEpsilon
#     decay      epoch e trains with f(e - 1)          Keras schedules count optimizer steps: lag them one epoch
#
# `translate(...)` returns the exact Keras optimizer, or says why there is none. The parity suite asserts
# what is printed here: `python -m parity_tests --concept B10,B12,B13,B14,B15`. `DL_FAST=1` trains fewer epochs.

# %%
import os

import keras
import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

import keras_impl.optimization as ko
import numpy_impl.optimization as no
from keras_impl import convert
from numpy_impl.datasets import load_moons_dataset
from numpy_impl.exponentially_weighted_averages import exponentially_weighted_average, noisy_series
from numpy_impl.plotting import plot_cost_curves, plot_data, plot_decision_boundary
from parity_tests.harness import max_abs_diff  # the report's own measure

FAST = os.environ.get("DL_FAST") == "1"
NUM_EPOCHS = 300 if FAST else 5000  # 5000 epochs (25,000 mini-batch steps) is the course's run
DRIFT_EPOCHS = 40 if FAST else 200

# Keras needs floatx AND the dtype policy in float64 before any layer exists (docs/traps.md, trap 2).
keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")
# one BLAS thread: NumPy's OpenBLAS threads and TF's pools compete on a small machine
_ = threadpool_limits(limits=1, user_api="blas")

# %% [markdown]
# ## Mini-batches (B10): the same batches on both sides
#
# `random_mini_batches(X, Y, 64, seed)` shuffles the columns with `np.random.seed(seed); permutation(m)` and
# cuts 4 full batches of 64 and a last one of 44. TF's generators cannot draw that order, so the Keras side
# takes the same permutation (`course_permutation`) and builds a `tf.data` pipeline from it; `fit` must then
# run with `shuffle=False`.

# %%
train_X, train_Y = load_moons_dataset()
m = train_X.shape[1]
batches = no.random_mini_batches(train_X, train_Y, 64, seed=11)
dataset = list(ko.mini_batch_dataset(train_X, train_Y, 64, seed=11))
print("NumPy batch sizes:  ", [b[0].shape[1] for b in batches])
print("tf.data batch sizes:", [int(x.shape[0]) for x, _ in dataset])
print("largest difference of any batch:",
      max(max_abs_diff(bx, convert.inputs_from_keras(dx)) for (bx, _), (dx, _) in zip(batches, dataset, strict=True)))
plot_data(train_X, train_Y, title="the moons (300 points)")
plt.show()

# %% [markdown]
# ## Exponentially weighted averages (B11), the building block of momentum, RMSprop and Adam
#
# `v_t = βv_{t-1} + (1-β)x_t` from `v_0 = 0` starts too low; dividing by `1 - β^t` corrects the start.

# %%
series = noisy_series(200, seed=0)
for beta in (0.9, 0.98):
    plt.plot(exponentially_weighted_average(series, beta), label=f"β = {beta}, no correction")
    plt.plot(exponentially_weighted_average(series, beta, bias_correction=True), "--",
             label=f"β = {beta}, bias-corrected")
plt.plot(series, ".", color="grey", markersize=3, label="series")
plt.legend()
plt.title("exponentially weighted averages")
plt.show()

# %% [markdown]
# ## The course's three runs, NumPy and Keras overlaid
#
# Same start (`initialize_parameters`: seed 3, He scale), same mini-batches (seeds 11, 12, ...), α = 0.0007.
# The Keras side is `translate(optimizer, α, ...)` inside `make_keras_loop`, one `tf.function` over all
# epochs and batches.

# %% tags=["plot-B10"]
start = no.initialize_parameters([2, 5, 2, 1])
runs = {}
for optimizer in ("gd", "momentum", "adam"):
    ref = no.train(train_X, train_Y, start, optimizer, learning_rate=0.0007, num_epochs=NUM_EPOCHS)
    keras_opt = ko.translate(optimizer, 0.0007, beta=0.9, custom=True)
    run = ko.keras_train(train_X, train_Y, start, keras_opt, num_epochs=NUM_EPOCHS)
    runs[optimizer] = (ref, run)
    print(f"{optimizer:>8}: Keras {type(keras_opt).__name__:18s} accuracy NumPy "
          f"{no.accuracy(train_X, train_Y, ref['parameters']):.2%}, Keras "
          f"{ko.keras_accuracy(run['model'], train_X, train_Y):.2%}; max parameter difference "
          f"{max(max_abs_diff(ref['parameters'][k], run['parameters'][k]) for k in start):.1e}")

fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, (optimizer, (ref, run)) in zip(axes, runs.items(), strict=True):
    plot_cost_curves({"NumPy": ref["costs"], "Keras": run["costs"]}, ax=ax, title=optimizer)
    ax.set_xlabel("epoch")
plt.show()

fig, axes = plt.subplots(2, 3, figsize=(15, 8))
for col, (optimizer, (ref, run)) in enumerate(runs.items()):
    plot_decision_boundary(lambda P, p=ref["parameters"]: no.forward_propagation(P, p)[0] > 0.5, train_X, train_Y,
                           ax=axes[0, col], title=f"{optimizer}, NumPy")
    plot_decision_boundary(lambda P, net=run["model"]: convert.inputs_from_keras(
        net(convert.inputs_to_keras(P))).numpy() > 0, train_X, train_Y, ax=axes[1, col], title=f"{optimizer}, Keras")
plt.show()

# %% [markdown]
# ## The naive mapping: the course's numbers passed straight to Keras
#
# `SGD(α, momentum=β)` takes 1/(1-β) = 10 times the course's steps; `Adam(epsilon=1e-8)` puts ε in another
# place (and in float64 rounds Python-float betas through float32, docs/traps.md, trap 1). The exact mappings
# stay at rounding level; the naive ones drift.

# %% tags=["plot-B12", "plot-B14"]
naive = {"momentum": lambda: keras.optimizers.SGD(learning_rate=0.0007, momentum=0.9),
         "adam": lambda: keras.optimizers.Adam(learning_rate=0.0007, beta_1=0.9, beta_2=0.999, epsilon=1e-8)}
for optimizer, make in naive.items():
    ref = no.train(train_X, train_Y, start, optimizer, learning_rate=0.0007, num_epochs=DRIFT_EPOCHS,
                   record_every_epoch=True)
    for label, opt in (("naive", make()), ("exact", ko.translate(optimizer, 0.0007, custom=True))):
        run = ko.keras_train(train_X, train_Y, start, opt, num_epochs=DRIFT_EPOCHS, record_every_epoch=True)
        gaps = [max(max_abs_diff(a["parameters"][k], b["parameters"][k]) for k in start)
                for a, b in zip(ref["history"], run["history"], strict=True)]
        plt.semilogy(5 * np.arange(1, DRIFT_EPOCHS + 1), np.maximum(gaps, 1e-18), label=f"{optimizer}, {label}")
plt.xlabel("mini-batch step")
plt.ylabel("max |Δ parameter| vs the course")
plt.legend()
plt.title("naive vs exact mapping")
plt.show()

# %% [markdown]
# ## Learning-rate decay (B15): epochs vs optimizer steps
#
# The course sets α after each epoch, so epoch e trains with `f(e - 1)`. Keras schedules see the optimizer
# step from 0; a stock `InverseTimeDecay(α0, decay_steps=5, 1, staircase=True)` gives `f(e)` in epoch e, one
# epoch early. `keras_schedule` wraps it in `EpochLagged` (and `keras_lr_scheduler` does the same for `fit`).

# %% tags=["plot-B15"]
steps = np.arange(12 * 5)
course = [no.learning_rate_of_epoch(0.1, s // 5, no.update_lr, 1) for s in steps]
stock = ko.keras_schedule("update_lr", 0.1, 1.0, steps_per_epoch=5, lagged=False)(steps)
lagged = ko.keras_schedule("update_lr", 0.1, 1.0, steps_per_epoch=5)(steps)
plt.step(steps, course, where="post", linewidth=3, label="course (α updated after each epoch)")
plt.step(steps, stock, "--", where="post", label="stock InverseTimeDecay (one epoch early)")
plt.step(steps, lagged, ":", where="post", label="EpochLagged(InverseTimeDecay)")
plt.xlabel("optimizer step")
plt.ylabel("α")
plt.legend()
plt.show()
print("max |course - lagged| =", max_abs_diff(np.array(course), lagged))

# %% [markdown]
# ## The translator
#
# Stock Keras where it is exact; otherwise the reason, and with `custom=True` the small Keras subclass that is.

# %%
for args in (("gd", {"decay": "update_lr", "steps_per_epoch": 5}), ("momentum", {}),
             ("momentum", {"decay": "schedule_lr_decay", "steps_per_epoch": 5}), ("rmsprop", {"epsilon": 0.0}),
             ("rmsprop", {}), ("adam", {"epsilon": 0.0}), ("adam", {})):
    optimizer, kwargs = args
    try:
        print(f"{optimizer} {kwargs}: {type(ko.translate(optimizer, 0.01, **kwargs)).__name__}")
    except ko.NoExactMappingError as error:
        print(f"{optimizer} {kwargs}: no stock optimizer: {str(error)[:110]}...")
        print(f"    custom=True -> {type(ko.translate(optimizer, 0.01, custom=True, **kwargs)).__name__}")
