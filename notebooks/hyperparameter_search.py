# %% [markdown]
# # Hyper-parameter search: at random, on the right scale, coarse to fine
#
# The notes' advice for tuning: don't lay the hyper-parameters on a grid, draw them at random (every trial then
# tries a new value of the one that matters most, the learning rate α); draw each on its natural **scale**
# (α = 10^r with r uniform, β = 1 - 10^r for momentum-like parameters); then zoom in on the region where the
# best trials are and draw again there.
#
# Each trial is a hyper-parameter record (`numpy_impl.hyperparameters.HyperParameters`); one seeded sampler
# draws them (`numpy_impl/hyperparameter_search.py`), and the same records drive NumPy models and Keras models
# (`keras_impl/hyperparameter_search.py`); `parity_tests/test_hyperparameter_search.py` (concept B16) compares
# their per-record results. The data: scikit-learn's breast-cancer set, trials scored on a held-out dev set.
# Run as `python notebooks/hyperparameter_search.py` (`DL_FAST=1`: a smaller search).

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import numpy_impl.hyperparameter_search as nh
from keras_impl import hyperparameter_search as kh
from numpy_impl.datasets import load_breast_cancer_data
from numpy_impl.deep_network import initialize_parameters_from_record
from parity_tests.harness import max_abs_diff

FAST = os.environ.get("DL_FAST") == "1"
N_COARSE, N_FINE, ITERATIONS = (6, 4, 100) if FAST else (16, 10, 400)

# %% [markdown]
# ## 1. The scales
#
# α in [1e-4, 1]: drawn uniformly, 90% of the trials land above 0.1 and the decades below get almost nothing.
# On the log scale each decade gets a quarter. β in [0.9, 0.999]: uniformly, 91% land below 0.99; on the scale
# of 1 - β, half of them fall in [0.99, 0.999], where β changes the average's window 1/(1 - β) the most.

# %% tags=["plot-B16"]
rng = np.random.RandomState(0)
alphas = nh.sample_learning_rate(rng, 1e-4, 1.0, size=5000)
betas = nh.sample_beta(rng, 0.9, 0.999, size=5000)
uniform_alphas, uniform_betas = rng.uniform(1e-4, 1.0, 5000), rng.uniform(0.9, 0.999, 5000)
print(f"α > 0.1: uniform {np.mean(uniform_alphas > 0.1):.0%}, log scale {np.mean(alphas > 0.1):.0%}")
print(f"β > 0.99: uniform {np.mean(uniform_betas > 0.99):.0%}, log scale of 1 - β {np.mean(betas > 0.99):.0%}")
fig, axes = plt.subplots(1, 2, figsize=(10, 3))
axes[0].hist([np.log10(uniform_alphas), np.log10(alphas)], bins=20, label=["uniform α", "α = 10^r"])
axes[0].set_xlabel("log10 α")
axes[0].legend()
axes[1].hist([np.log10(1 - uniform_betas), np.log10(1 - betas)], bins=20, label=["uniform β", "β = 1 - 10^r"])
axes[1].set_xlabel("log10 (1 - β)")
axes[1].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. A coarse random search
#
# The space: α in [1e-4, 1], one to three hidden layers of 2 to 32 units, ReLU or tanh, He or Xavier
# initialisation; every record trains by full-batch gradient descent and is scored on the dev set.

# %%
X, Y, X_dev, Y_dev = load_breast_cancer_data()
space = nh.SearchSpace(n_x=X.shape[0], num_iterations=ITERATIONS)
coarse = nh.evaluate_records(nh.sample_records(space, N_COARSE, seed=0), X, Y, X_dev, Y_dev)
for r in sorted(coarse, key=lambda r: -r.dev_accuracy)[:5]:
    print(f"α = {r.record.learning_rate:.2e}  layers {r.record.layer_dims}  {r.record.activations[0]:4}  "
          f"{r.record.initialization:6}  train {r.train_accuracy:.1%}  dev {r.dev_accuracy:.1%}")

# %% [markdown]
# ## 3. Coarse to fine
#
# `refine` keeps the ranges the best trials span (α's widened by 2× each way), and the search draws again there.

# %%
fine_space = nh.refine(space, coarse, top_k=3)
print("fine α range:", tuple(f"{a:.2e}" for a in fine_space.learning_rate_range),
      " units", fine_space.hidden_units_range, " hidden layers", fine_space.hidden_layers_range,
      " activations", fine_space.activations)
fine = nh.evaluate_records(nh.sample_records(fine_space, N_FINE, seed=1), X, Y, X_dev, Y_dev)
chosen = nh.best([*coarse, *fine])
print("chosen record:", chosen.record.to_dict())
print(f"train {chosen.train_accuracy:.1%}, dev {chosen.dev_accuracy:.1%}")

fig, ax = plt.subplots(figsize=(6, 3.5))
for results, label, marker in ((coarse, "coarse", "o"), (fine, "fine", "x")):
    ax.scatter([r.record.learning_rate for r in results], [r.dev_accuracy for r in results], marker=marker,
               label=label)
ax.axvspan(*fine_space.learning_rate_range, alpha=0.15, label="fine α range")
ax.set_xscale("log")
ax.set_xlabel("learning rate α")
ax.set_ylabel("dev accuracy")
ax.legend()
plt.show()

# %% [markdown]
# ## 4. The same records drive Keras
#
# The record is data: `keras_impl.hyperparameters` builds the Keras `Sequential` and `SGD` it describes. Keras's
# random generator cannot draw NumPy's numbers, so each record's NumPy initial weights are copied in; from there
# the runs agree to rounding (float64), and the search chooses the same record.

# %%
records = [chosen.record] if FAST else [r.record for r in coarse]
numpy_results = [chosen] if FAST else coarse
starts = [initialize_parameters_from_record(hp) for hp in records]
from keras_impl._precision import keras_precision  # noqa: E402

with keras_precision("float64"):
    keras_results = kh.keras_evaluate_records(records, X, Y, X_dev, Y_dev, initial_parameters=starts)
for r, k in zip(numpy_results, keras_results, strict=True):
    print(f"α = {r.record.learning_rate:.2e}: dev NumPy {r.dev_accuracy:.1%}, Keras {k['dev_accuracy']:.1%}; "
          f"cost curves max |diff| {max_abs_diff(r.costs, k['costs']):.1e}")
print("same choice on both sides:", nh.best(numpy_results).record == kh.keras_best(keras_results)["record"])
