# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Setting up the data and reading the errors, twice: NumPy and TensorFlow/Keras (concepts B1, B2, B5, B6, B7)
#
# The first practical steps of improving a deep network, each in NumPy (`numpy_impl`) and in TF/Keras
# (`keras_impl`), on data that ship with scikit-learn:
#
# 1. **B1 train/dev/test split**: one seeded permutation cut 60/20/20 (small data) or 98/1/1 (big data);
#    `tf.data` cuts the same permutation the same way; `keras.utils.split_dataset` shuffles its own way.
# 2. **B2 bias/variance**: an under-fitting and an over-fitting network on the digits, learning curves on both
#    sides, and the diagnosis each side's History gives.
# 3. **B5 augmentation**: flips and crops on real photographs and on the 8×8 digits, NumPy vs Keras layers.
# 4. **B6 early stopping**: the NumPy rule and `keras.callbacks.EarlyStopping` stop at the same epoch.
# 5. **B7 input normalization**: training μ, σ for every set; how much faster gradient descent gets.
#
# The parity suite asserts what is printed here: `python -m parity_tests --concept B1,B2,B5,B6,B7`.
# `DL_FAST=1` runs shorter trainings.

# %%
import os

import keras
import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

import numpy_impl.deep_network as nd
from keras_impl import augmentation as ka
from keras_impl import bias_variance as kbv
from keras_impl import data_split as kds
from keras_impl import early_stopping as kes
from keras_impl import input_normalization as kn
from numpy_impl import augmentation as na
from numpy_impl import bias_variance as nbv
from numpy_impl import data_split as nds
from numpy_impl import early_stopping as nes
from numpy_impl import input_normalization as nn
from numpy_impl.datasets import load_breast_cancer_data, load_digit_images, load_digits_data, load_sample_images_data
from numpy_impl.plotting import plot_cost_curves, show_image
from parity_tests.harness import max_abs_diff  # the report's own measure

FAST = os.environ.get("DL_FAST") == "1"
# Keras needs floatx AND the dtype policy in float64 before any layer exists (docs/traps.md, trap 2).
keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")
_ = threadpool_limits(limits=1, user_api="blas")  # NumPy's BLAS threads and TF's pools fight over small machines

# %% [markdown]
# ## 1. Train/dev/test split (B1)
#
# `split_sizes` keeps `round(p·m)` examples for dev and for test and the rest for training. The notes' rule of
# thumb: 60/20/20 while data are scarce, and once there are ~10^6 examples, 10^4 each for dev and test is
# plenty (98/1/1).

# %%
for m in (569, 10_000, 1_000_000):
    p = nds.notes_proportions(m)
    print(f"m = {m:>9,}: {'/'.join(f'{100 * q:g}' for q in p):>8} -> (train, dev, test) = "
          f"NumPy {nds.split_sizes(m, p)}, TF {kds.split_sizes(m, kds.notes_proportions(m))}")

X_train, Y_train, X_test, Y_test = load_breast_cancer_data(standardize=False)
X_all, Y_all = np.hstack([X_train, X_test]), np.hstack([Y_train, Y_test])
permutation = nds.split_permutation(X_all.shape[1], seed=1)
numpy_parts = nds.train_dev_test_split(X_all, Y_all, nds.SMALL_DATA, seed=1)
tf_parts = [a for ds in kds.split_with_tf_data(X_all, Y_all, permutation) for a in kds.dataset_to_course(ds)]
print("NumPy vs tf.data on the same permutation, max |difference| over the six arrays:",
      max(max_abs_diff(a, b) for a, b in zip(numpy_parts, tf_parts, strict=True)))
keras_train = kds.dataset_to_course(kds.keras_split_dataset(X_all, Y_all, kds.SMALL_DATA, seed=1)[0])[0]
print("keras.utils.split_dataset(shuffle=True, seed=1) gives the same training set?",
      np.array_equal(numpy_parts[0], keras_train.numpy()), "(it shuffles with Python's random module)")

# %% [markdown]
# ## 2. Bias and variance (B2)
#
# Human-level error on clean digits is ~0%, taken as the Bayes error. Logistic regression ([64, 1], briefly
# trained) cannot fit "is it an 8?" well: high *bias*. A [64, 64, 1] network trained on only 100 examples fits
# them perfectly but not the dev set: high *variance*. Both sides record Keras's History quantities (`accuracy`
# from the forward pass of each update, `val_accuracy` after it).

# %% tags=["plot-B2"]
X, Y, X_dev, Y_dev = load_digits_data(digit=8, standardize=True)
runs = {"under-fitting [64, 1], 1437 examples": ((64, 1), 0.1, 30 if FAST else 100, None),
        "over-fitting [64, 64, 1], 100 examples": ((64, 64, 1), 1.0, 100 if FAST else 300, 100)}
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, (name, (dims, alpha, epochs, m)) in zip(axes, runs.items(), strict=True):
    start = nd.initialize_parameters_deep_application(dims)
    _, history = nbv.learning_curves(X[:, :m], Y[:, :m], X_dev, Y_dev, start, alpha, epochs)
    _, keras_history = kbv.keras_learning_curves(X[:, :m], Y[:, :m], X_dev, Y_dev, start, alpha, epochs)
    logs = keras_history.history
    plot_cost_curves({"train error (NumPy)": 1 - np.array(history["accuracy"]),
                      "train error (Keras)": 1 - np.array(logs["accuracy"]),
                      "dev error (NumPy)": 1 - np.array(history["val_accuracy"]),
                      "dev error (Keras)": 1 - np.array(logs["val_accuracy"])}, ax=ax, title=name, ylabel="error")
    diagnoses = {"NumPy": nbv.diagnose_from_history(history), "Keras": kbv.diagnose_from_keras_history(keras_history)}
    for side, d in diagnoses.items():
        print(f"{name} [{side}]: avoidable bias {100 * d['avoidable_bias']:.1f}%, variance {100 * d['variance']:.1f}% "
              f"-> {d['diagnosis']}: {d['remedy']}")
plt.show()

# %% [markdown]
# ## 3. Data augmentation (B5)
#
# A flipped or cropped photograph is still a photograph of the same thing: cheap extra training data.
# Keras's `RandomFlip` / `RandomCrop` draw their choices from their own seeded generator; rebuilt, those
# choices make NumPy produce the very same images.

# %% tags=["plot-B5"]
photos = load_sample_images_data()
keras_crop, (top, left) = ka.keras_random_crop(photos, 300, 400, seed=3)
numpy_crop = na.crop(photos, top, left, 300, 400)
digits = load_digit_images()[0][:8]
keras_flipped, flips = ka.keras_random_flip(digits, "horizontal", seed=3)
numpy_flipped, _ = na.random_flip(digits, "horizontal", flips=flips.numpy())
fig, axes = plt.subplots(2, 4, figsize=(12, 5))
show_image(photos[1], axes[0, 0], "original")
show_image(na.horizontal_flip(photos)[1], axes[0, 1], "horizontal flip (NumPy)")
show_image(numpy_crop[1], axes[0, 2], f"crop at ({top}, {left}) (NumPy)")
show_image(keras_crop[1].numpy(), axes[0, 3], "RandomCrop (Keras)")
for i in range(4):
    show_image(numpy_flipped[i], axes[1, i], f"digit {i}: {'flipped' if flips[i] else 'kept'}")
plt.show()
print("RandomCrop vs NumPy at its offset:", max_abs_diff(numpy_crop, keras_crop),
      "| RandomFlip vs NumPy with its flags:", max_abs_diff(numpy_flipped, keras_flipped))
print("RandomCrop(training=False) output shape:", tuple(ka.keras_random_crop_inference(photos, 300, 400).shape),
      "(Keras 3.15.1 returns the input uncropped; CenterCrop gives",
      tuple(ka.keras_center_crop(photos, 300, 400).shape), ")")

# %% [markdown]
# ## 4. Early stopping (B6)
#
# Watch the dev cost after every epoch; stop once it has not improved for `patience` epochs, and go back to the
# best epoch's parameters. The over-fitting network of section 2 turns up its dev cost after ~25 epochs.

# %% tags=["plot-B6"]
start = nd.initialize_parameters_deep_application((64, 64, 1))
args = (X[:, :100], Y[:, :100], X_dev, Y_dev, start, 1.0, 60)
_, np_hist, stopper = nes.model_with_early_stopping(*args, patience=5, compare_dtype="float32")
_, keras_hist, callback = kes.keras_train_with_early_stopping(*args, patience=5)
ax = plot_cost_curves({"dev cost (NumPy)": np_hist["val_loss"], "dev cost (Keras callback)": keras_hist["val_loss"],
                       "training cost (NumPy)": np_hist["loss"]}, title="early stopping, patience 5")
ax.axvline(stopper.best_epoch, color="g", linestyle=":", label="best epoch")
ax.axvline(stopper.stopped_epoch, color="r", linestyle=":", label="stopped")
ax.legend()
plt.show()
print(f"NumPy: best epoch {stopper.best_epoch}, stopped at {stopper.stopped_epoch}; Keras: best epoch "
      f"{callback.best_epoch}, stopped at {callback.stopped_epoch}")
print("Scripted history with ties [1.0, 0.9, 0.9, 0.9, 0.8], patience 2:",
      nes.early_stopping([1.0, 0.9, 0.9, 0.9, 0.8], patience=2), "==",
      kes.keras_early_stopping([1.0, 0.9, 0.9, 0.9, 0.8], patience=2))

# %% [markdown]
# ## 5. Normalizing inputs (B7)
#
# The breast-cancer features range from ~1e-3 to ~4e3. Gradient descent on the raw features must take tiny
# steps (α = 1e-5; larger diverges) and crawls; after `x_norm = (x - μ)/σ` with the *training* μ and σ, α = 0.1
# is safe and the cost drops in a few iterations. Keras's `Normalization.adapt` stores the same μ and biased σ².

# %% tags=["plot-B7"]
iterations = 200 if FAST else 1000
(X_norm, X_test_norm), (mu, sigma2) = nn.normalize_train_dev_test(X_train, X_test)
layer = kn.keras_normalization(X_train)
print("μ: NumPy vs Normalization.adapt, max |difference|", max_abs_diff(mu.T, layer.mean),
      "| σ²:", max_abs_diff(sigma2.T, layer.variance))
curves = {}
for name, data, alpha in (("normalized", X_norm, 0.1), ("raw", X_train, 1e-5)):
    _, _, costs = nn.logistic_regression_gd(data, Y_train, alpha, iterations)
    curves[f"{name}, α = {alpha:g} (NumPy)"] = costs
    print(f"{name:>10}: J <= 0.2 after {nn.iterations_to_cost(costs, 0.2)} iterations (NumPy)")
_, keras_costs = kn.keras_logistic_regression_gd(X_train, Y_train, 0.1, iterations, normalization=layer)
curves["normalized inside the model (Keras)"] = keras_costs.numpy()
print(f"Keras [Normalization, Dense]: J <= 0.2 after {kn.iterations_to_cost(keras_costs, 0.2)} iterations")
plot_cost_curves(curves, title="logistic regression on breast cancer", logy=True)
plt.show()
