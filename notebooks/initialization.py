# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Weight initialization and vanishing/exploding gradients, twice: NumPy and TensorFlow/Keras (concept B8)
#
# The notes: in a deep network the signal, and the gradient, is multiplied by roughly the same factor at every
# layer, so it shrinks or grows geometrically with depth; a careful initialization keeps that factor near 1.
# For `W[l] = randn(n_l, n_{l-1})·c` and ReLU, the factor is about `c·sqrt(n_{l-1}/2)`, hence
#
#     zeros    c = 0                      no symmetry breaking: every unit of a layer stays the same
#     random   c = 10                     (the course's "large" start) exploding, saturated sigmoid
#     small    c = 0.01                   vanishing
#     He       c = sqrt(2/n_{l-1})        factor 1 for ReLU
#     Xavier   c = sqrt(1/n_{l-1})        the notes' version, meant for tanh
#
# First the course's experiment: the network `[2, 10, 5, 1]` (LINEAR→RELU→LINEAR→RELU→LINEAR→SIGMOID) trained by
# gradient descent (α = 0.01, 15000 steps) on the circles data from zeros, random ×10 and He, three ways from
# the same start:
#
# - **NumPy** (`numpy_impl.initialization`): the course's `initialize_parameters_*`, `model`, `predict`, with
#   `numpy_impl.deep_network`'s forward and backward by hand;
# - **tape** (`keras_impl.initialization`, part 1): `tf.Variable`s in course layout, gradients by `GradientTape`,
#   the whole run in one compiled `tf.function` loop;
# - **Keras** (part 2): `Sequential([Dense(10, "relu"), Dense(5, "relu"), Dense(1)])`,
#   `BinaryCrossentropy(from_logits=True)`, `SGD(0.01)`.
#
# Then per-layer gradient norms of a 20-layer network, and `keras.initializers` against the notes' formulas.
# The parity suite asserts what is printed here: `python -m parity_tests --concept B8`.
# Set `DL_FAST=1` for a quick run with fewer iterations.

# %%
import os

import keras
import matplotlib.pyplot as plt
import numpy as np

import numpy_impl.deep_network as dn
import numpy_impl.initialization as npi
from keras_impl import convert
from keras_impl import initialization as kin
from numpy_impl.datasets import load_circles_dataset
from numpy_impl.plotting import plot_cost_curves, plot_decision_boundary
from parity_tests.harness import max_rel_diff  # the report's own measure

FAST = os.environ.get("DL_FAST") == "1"
NUM_ITERATIONS = 3000 if FAST else 15000  # 15000 is the course's length
COST_EVERY = 100
STARTS = ["zeros", "random", "he"]

# float64 Keras needs both settings before any layer exists (docs/traps.md, trap 2).
keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")



def plot_per_layer(values, ax=None, title="", ylabel=""):
    """Per-layer values {label: (L,) array} on a log scale, layer 1 (next to X) on the left; zeros are not drawn."""
    ax = ax or plt.gca()
    for label, v in values.items():
        v = np.asarray(v, dtype=np.float64)
        ax.semilogy(np.arange(1, len(v) + 1), np.where(v > 0, v, np.nan), "o-", markersize=3, label=label)
    ax.set_xlabel("layer l")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


# %% [markdown]
# ## 1. The data and the three starts
#
# 300 training and 100 test points on two noisy circles (`np.random.seed(1)` / `seed(2)`, as the course).
# Each initialiser calls `np.random.seed(3)` and draws W1, W2, W3 in turn; biases start at zero.

# %%
train_X, train_Y, test_X, test_Y = load_circles_dataset()
layers_dims = [train_X.shape[0], 10, 5, 1]
starts = {name: npi.initialize_parameters(layers_dims, name) for name in STARTS}
for name, parameters in starts.items():
    print(f"{name:7s} W1[:2] = {np.array2string(parameters['W1'][:2], precision=3)}".replace("\n", " "))

# %% [markdown]
# ## 2. Train from each start: NumPy, tape and Keras
#
# `npi.model(X, Y, initialization=...)` is the course's driver; here `npi.train` runs the same loop from a given
# start and also returns the cost curve. The costs plotted are the stable ones from the logits. The course's
# own formula is printed at step 0: for the random start it is `inf`, because AL rounds to exactly 1.0 for
# some examples with Y = 0 (z ≥ 37 in float64) and log(1 - 1) = -inf. The backward pass never sees that
# infinity: it starts from dZ[L] = AL - Y, which is finite.

# %%
runs = {}
for name, start in starts.items():
    AL, caches = dn.L_model_forward(train_X, start)
    course_cost = npi.compute_loss(AL, train_Y)
    stable_cost = dn.compute_cost_from_logits(caches[-1][1], train_Y)
    numpy_parameters, numpy_costs = npi.train(train_X, train_Y, start, 0.01, NUM_ITERATIONS, cost_every=COST_EVERY,
                                              from_logits=True)
    tape_parameters, tape_costs = kin.train(train_X, train_Y, start, 0.01, NUM_ITERATIONS, cost_every=COST_EVERY,
                                            from_logits=True)
    model = kin.build_model(layers_dims, start)
    keras_costs = kin.train_keras(model, train_X, train_Y, 0.01, NUM_ITERATIONS, cost_every=COST_EVERY)
    runs[name] = {"numpy": numpy_parameters, "tape": tape_parameters, "keras": model,
                  "costs": {"NumPy": numpy_costs, "tape": tape_costs.numpy(), "Keras": keras_costs.numpy()}}
    keras_parameters = convert.dense_weights_to_parameters(model)
    train_acc = np.mean(npi.predict(train_X, train_Y, numpy_parameters, print_accuracy=False) == train_Y)
    test_acc = np.mean(npi.predict(test_X, test_Y, numpy_parameters, print_accuracy=False) == test_Y)
    print(f"{name:7s} cost at step 0: course formula {course_cost:.6g}, from logits {stable_cost:.6f}; "
          f"after {NUM_ITERATIONS} steps: train accuracy {train_acc:.4f}, test {test_acc:.2f}")
    print(f"        max rel diff of the final parameters: NumPy vs tape "
          f"{max(max_rel_diff(numpy_parameters[k], tape_parameters[k]) for k in start):.1e}, NumPy vs Keras "
          f"{max(max_rel_diff(numpy_parameters[k], keras_parameters[k]) for k in start):.1e}")

# %% [markdown]
# With He the three versions agree to ~1e-14 after all 15000 steps, and reach the course's accuracies
# (train 0.9933, test 0.96). Zeros stays at ln 2 = 0.6931 forever: with ReLU hidden layers and W = 0 every
# hidden activation is 0, so every dW is 0 and only b3 moves (accuracy 0.5, as the course). The random start
# learns slowly (the course: train 0.83, test 0.86), and is *chaotic*: a rounding-level difference grows to
# ~1e-3 within a few hundred steps, so at full length NumPy and TF end near, but not at, the same parameters
# (the parity suite compares that run over its first 50 steps, where they agree to ~1e-14).

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, (name, run) in zip(axes, runs.items(), strict=True):
    plot_cost_curves(run["costs"], ax=ax, title=f"{name}: NumPy, tape and Keras", every=COST_EVERY, logy=True,
                     ylabel="cost J (from the logits)")
plt.tight_layout()
plt.show()

# %%
fig, axes = plt.subplots(2, 3, figsize=(13, 8.5))
for col, (name, run) in enumerate(runs.items()):
    plot_decision_boundary(lambda P, p=run["numpy"]: dn.L_model_forward(P, p)[0] > 0.5,
                           train_X, train_Y, ax=axes[0, col], title=f"{name}: NumPy")
    plot_decision_boundary(lambda P, m=run["keras"]: convert.inputs_from_keras(m(convert.inputs_to_keras(P))) > 0,
                           train_X, train_Y, ax=axes[1, col], title=f"{name}: Keras (logit > 0)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Vanishing and exploding gradients, layer by layer
#
# A 20-layer network (19 ReLU layers of 10 units, one sigmoid unit) on the same data, one forward/backward pass
# from each start. `npi.gradient_norms` runs the hand-written backward; `kin.gradient_norms` asks the tape.
# ‖dW[l]‖_F is computed as s·sqrt(Σ (W/s)²) with s = max |W|: the plain Σ W² would overflow float32 for the
# random ×10 start (entries ~1e23) and underflow for randn·0.01 (entries ~1e-36).

# %%
deep_dims = npi.deep_layers_dims(train_X.shape[0], depth=20, width=10)
numpy_norms, tape_norms, backward_signal = {}, {}, {}
for name in ["random", "he", "xavier", "small", "zeros"]:
    parameters = npi.initialize_parameters(deep_dims, name)
    numpy_norms[name], cost, grads = npi.gradient_norms(train_X, train_Y, parameters)
    tape_norms[name] = kin.gradient_norms(train_X, train_Y, parameters)[0].numpy()
    backward_signal[name] = [npi.frobenius_norm(grads[f"dA{l}"]) for l in range(1, len(deep_dims) - 1)]
    print(f"{name:7s} ‖dW[l]‖ from {numpy_norms[name].min():.1e} to {numpy_norms[name].max():.1e}, "
          f"max rel diff NumPy vs tape {max_rel_diff(numpy_norms[name], tape_norms[name]):.1e}")

# %% [markdown]
# The backward signal ‖dA[l]‖ (right) shows the textbook picture: going from the output (right) down to the
# input (left) it is multiplied at each layer by ~c·sqrt(n/2): ×22 for random ×10, ×0.02 for randn·0.01,
# ×0.7 for the notes' Xavier (which is meant for tanh, and loses a factor sqrt(2) per ReLU layer), ×1 for He.
# ‖dW[l]‖ (left) = ‖dZ[l]·A[l-1]ᵀ‖/m combines that backward signal with the forward activation A[l-1], which
# grows or shrinks by the same factor going up: in a ReLU network the product is about the same for every
# layer, and its level is the factor to the power L - 1. Either way, 20 layers turn a factor of 22 into
# gradients of 1e23 and a factor of 0.02 into 1e-35 (too small for any learning rate to matter). Zeros is
# not on the log plot: all its dW are exactly 0. Dashed: the tape's norms, on top of NumPy's.

# %% tags=["plot-B8"]
fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
ax = plot_per_layer({f"{k} (NumPy)" if k != "zeros" else "zeros (all 0: not drawn)": v
                     for k, v in numpy_norms.items()}, ax=axes[0],
                    title="‖dW[l]‖_F, 20-layer ReLU network", ylabel="‖dW[l]‖_F")
for norms in tape_norms.values():
    ax.semilogy(np.arange(1, 21), np.where(norms > 0, norms, np.nan), "k--", linewidth=0.8)
plot_per_layer(backward_signal, ax=axes[1], title="backward signal ‖dA[l]‖_F (NumPy)", ylabel="‖dA[l]‖_F")
plt.tight_layout()
plt.show()

# %% [markdown]
# The same picture with Keras's own initializers: a `Sequential` of 20 `Dense` layers whose kernels Keras draws
# (its own random generator, so not the same numbers as NumPy's), gradients by the tape. He and the notes'
# Xavier are `VarianceScaling(2 or 1, "fan_in", "untruncated_normal")`; the levels match NumPy's statistically.

# %%
keras_norms = {}
for name in ["random", "he", "xavier", "small"]:
    deep_model = kin.build_model(deep_dims, initialization=name, seed=10)
    keras_norms[f"{name} (Keras init)"] = kin.keras_gradient_norms(deep_model, train_X, train_Y).numpy()
plot_per_layer(keras_norms, title="‖dW[l]‖_F with keras.initializers", ylabel="‖dW[l]‖_F")
plt.show()

# %% [markdown]
# ## 4. keras.initializers against the notes' formulas
#
# `keras/src/initializers/random_initializers.py`: `VarianceScaling(scale, mode, distribution)` draws with std
# sqrt(scale / n), n = fan_in (n_{l-1}), fan_out (n_l) or their average. `HeNormal`, `LecunNormal` and
# `GlorotNormal` use `"truncated_normal"`: they draw N(0, σ'²) with σ' = σ/0.87962566103423978 and redraw beyond
# ±2σ'. 0.8796… is the std of a standard normal cut at ±2, so the final std is σ again.
# `GlorotNormal` (Glorot & Bengio's "Xavier") uses fan_avg, sqrt(2/(n_{l-1} + n_l)): it is **not** the notes'
# Xavier sqrt(1/n_{l-1}) unless n_{l-1} = n_l. The notes' Xavier is `VarianceScaling(1, "fan_in", ...)`.

# %%
n_prev, n_l = 200, 1000
inits = kin.keras_initializers(seed=1)
samples = {name: kin.sample_W(init, n_prev, n_l).numpy() for name, init in inits.items()}
he = npi.initialize_parameters_he([n_prev, n_l])["W1"]
xavier = npi.initialize_parameters_xavier([n_prev, n_l])["W1"]
print(f"std of N(0,1) cut at ±2: formula {npi.truncated_normal_std():.17f}, Keras constant 0.87962566103423978")
print(f"W ({n_l}, {n_prev}), {n_l * n_prev} draws each:")
for label, W, formula in [("course He randn·√(2/n_prev)", he, np.sqrt(2 / n_prev)),
                          ("VarianceScaling(2, fan_in, untruncated)", samples["he"], np.sqrt(2 / n_prev)),
                          ("HeNormal (truncated)", samples["HeNormal"], np.sqrt(2 / n_prev)),
                          ("notes' Xavier randn·√(1/n_prev)", xavier, np.sqrt(1 / n_prev)),
                          ("LecunNormal (truncated)", samples["LecunNormal"], np.sqrt(1 / n_prev)),
                          ("GlorotNormal (truncated)", samples["GlorotNormal"], np.sqrt(2 / (n_prev + n_l)))]:
    print(f"  {label:42s} std {W.std():.5f} (formula {formula:.5f}), max |W| {np.abs(W).max():.4f}")
sigma_t = kin.truncation_stddev(inits["HeNormal"], n_prev, n_l)
print(f"HeNormal: 2σ' = {2 * sigma_t:.5f} and max |W| = {np.abs(samples['HeNormal']).max():.5f} (never beyond)")

# %%
fig, ax = plt.subplots(figsize=(8, 4))
bins = np.linspace(-0.5, 0.5, 121)
ax.hist(he.ravel(), bins=bins, histtype="step", density=True, linewidth=1.5, label="course He (NumPy)")
ax.hist(samples["HeNormal"].ravel(), bins=bins, histtype="step", density=True, linewidth=1.5,
        label="keras HeNormal (truncated)")
for x in (-2 * sigma_t, 2 * sigma_t):
    ax.axvline(x, color="k", linestyle=":", linewidth=1)
ax.set_title("same std, different shape: HeNormal is cut at ±2σ' (dotted)")
ax.set_xlabel("w")
ax.legend()
plt.show()

# %% [markdown]
# ## Summary
#
# - zeros: no symmetry breaking, no learning (0.5 accuracy); random ×10: saturated start (course cost `inf`),
#   slow and chaotic training; He: train 0.9933 / test 0.96, NumPy = tape = Keras to ~1e-14 over 15000 steps.
# - Depth multiplies the per-layer factor c·sqrt(n/2): 20 layers give gradients from 1e-35 (randn·0.01) to 1e23
#   (×10); He keeps them near 1e-2.
# - Keras: `VarianceScaling(2, "fan_in", "untruncated_normal")` is the course's He; `HeNormal` has the same std
#   but is truncated at ±2σ'; the notes' Xavier is `VarianceScaling(1, "fan_in")`, not `GlorotNormal`.
