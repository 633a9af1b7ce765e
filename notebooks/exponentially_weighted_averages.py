# %% [markdown]
# # Exponentially weighted averages: the notes' recursion, its bias correction, and TensorFlow's two averages
#
# v_0 = 0, v_t = β·v_{t-1} + (1 - β)·x_t averages about the last 1/(1 - β) values of a noisy series. It starts
# too low (v_1 = (1 - β)·x_1); v_t / (1 - β^t) corrects that. TensorFlow has two ready-made averages, and both
# start differently: `tf.train.ExponentialMovingAverage` starts at the variable's value (v_1 = x_1), and so does
# the average a Keras optimizer keeps with `use_ema=True`. Code: `numpy_impl/exponentially_weighted_averages.py`
# and `keras_impl/exponentially_weighted_averages.py`; the mappings are proved in
# `parity_tests/test_exponentially_weighted_averages.py` (concept B11). Run as a script or open with jupytext.

# %%
import matplotlib.pyplot as plt
import numpy as np

import numpy_impl.exponentially_weighted_averages as ne
from keras_impl import exponentially_weighted_averages as ke
from keras_impl._precision import keras_precision
from parity_tests.harness import max_abs_diff

x = ne.noisy_series(200)  # a noisy "year" of temperatures

# %% [markdown]
# ## 1. β = 0.9 and β = 0.98, with and without the bias correction
#
# A larger β averages over more days (1/(1 - β): 10 and 50): smoother, and later to follow a change. Without the
# correction the curve starts near 0; with it, it starts at x_1.

# %%
fig, ax = plt.subplots(figsize=(9, 4))
ax.plot(x, ".", color="grey", markersize=3, label="x_t")
for beta in (0.9, 0.98):
    ax.plot(ne.exponentially_weighted_average(x, beta), label=f"v_t, β = {beta}")
    ax.plot(ne.exponentially_weighted_average(x, beta, bias_correction=True), "--",
            label=f"v_t/(1 - β^t), β = {beta}")
ax.set_xlabel("t")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 2. The same recursion in TF ops, and TensorFlow's own averages
#
# `tf.scan` runs the recursion; in float64 it agrees with NumPy to rounding. `tf.train.ExponentialMovingAverage`
# fed x_1, x_2, ... is the recursion started from v_0 = x_1, not from 0 (its shadow variable is created equal to
# the variable), and its decay is always converted to float32 (1 - β = 0.10000002384185791 for β = 0.9, even for
# a float64 variable). A Keras optimizer with `use_ema=True` averages the weights the same way: momentum 0 at the
# first step, so v_1 = W_1.

# %% tags=["plot-B11"]
with keras_precision("float64"):
    scan = ke.exponentially_weighted_average(x, 0.9)
    ema = ke.tf_train_ema(x, 0.9)
    weights, use_ema = ke.keras_use_ema(x, 0.9)
beta_tf = ke.tf_ema_beta(0.9)
print("tf.scan vs NumPy:", f"{max_abs_diff(scan, ne.exponentially_weighted_average(x, 0.9)):.1e}")
print("tf.train.ExponentialMovingAverage vs NumPy from v_0 = x_1 with TF's float32 β:",
      f"{max_abs_diff(ema, ne.exponentially_weighted_average(x, beta_tf, v0=x[0])):.1e}")
print("use_ema vs NumPy from v_0 = W_1:",
      f"{max_abs_diff(use_ema, ne.exponentially_weighted_average(weights.numpy(), 0.9, v0=float(weights[0]))):.1e}")
corrected = ne.exponentially_weighted_average(x, 0.9, bias_correction=True)
for t in (1, 5, 20):
    print(f"t = {t:2}: notes' v_t {ne.exponentially_weighted_average(x, 0.9)[t - 1]:6.2f}, corrected "
          f"{corrected[t - 1]:6.2f}, TF's EMA {float(ema[t - 1]):6.2f}")

fig, ax = plt.subplots(figsize=(9, 3.5))
ax.plot(x[:40], ".", color="grey", label="x_t")
ax.plot(ne.exponentially_weighted_average(x, 0.9)[:40], label="notes: v_0 = 0")
ax.plot(corrected[:40], "--", label="notes, bias-corrected")
ax.plot(np.asarray(ema)[:40], ":", linewidth=2, label="tf.train.ExponentialMovingAverage (v_1 = x_1)")
ax.set_xlabel("t")
ax.set_title("β = 0.9: the first 40 steps")
ax.legend(fontsize=8)
plt.show()
