# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Softmax and batch normalization, twice: NumPy and TensorFlow/Keras (concepts B18, B17)
#
# **Softmax** turns the last layer's `Z[L] (C, m)` into class probabilities, one column per example:
#
#     t = e^{Z[L]},   A[L] = t / Σ_classes t,   J = -1/m Σ Y log A[L],   dZ[L] = A[L] - Y
#
# **Batch normalization** normalizes every unit's `Z` over the mini-batch before the activation:
#
#     μ = 1/m Σ Z,  σ² = 1/m Σ (Z - μ)²,  Ẑ = (Z - μ)/√(σ² + ε),  Z̃ = γ Ẑ + β,  A = g(Z̃)
#
# and keeps exponentially weighted averages of μ and σ² for test time, when there is no batch.
#
# Three versions each, same data, same starting weights: NumPy by hand (`numpy_impl.softmax`,
# `numpy_impl.batch_normalization`), `tf.Variable` + `GradientTape` and Keras blocks (`keras_impl.softmax`,
# `keras_impl.batch_normalization`). The parity suite asserts what is printed here:
# `python -m parity_tests --concept B17,B18`. `DL_FAST=1` runs fewer steps.

# %%
import os

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from threadpoolctl import threadpool_limits

import numpy_impl.batch_normalization as nb
import numpy_impl.deep_network as nd
import numpy_impl.softmax as ns
from keras_impl import batch_normalization as kb
from keras_impl import convert
from keras_impl import softmax as ks
from keras_impl.optimization import keras_sgd
from numpy_impl.datasets import load_digits_data
from numpy_impl.plotting import plot_cost_curves
from parity_tests.harness import max_abs_diff, max_rel_diff

FAST = os.environ.get("DL_FAST") == "1"
NUM_ITERATIONS = 100 if FAST else 1000
NUM_EPOCHS = 5 if FAST else 20
LEARNING_RATE = 0.2

# float64 Keras needs floatx AND the dtype policy before any layer exists (docs/traps.md, trap 2).
keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")
_ = threadpool_limits(limits=1, user_api="blas")  # NumPy's BLAS threads fight TF's pools on a small machine

# %% [markdown]
# ## Softmax regression and a softmax network on the 10 digits
#
# `Y` is one-hot `(10, m)`; Keras takes it transposed `(m, 10)` for `CategoricalCrossentropy`, or the class
# indices for `SparseCategoricalCrossentropy`. Both Keras losses are used **from logits**: the last `Dense`
# has no activation, and the loss applies the softmax stably.

# %%
train_X, train_Y, test_X, test_Y = load_digits_data()
y, test_y = ns.labels_from_one_hot(train_Y), ns.labels_from_one_hot(test_Y)
print(f"train_X {train_X.shape}, one-hot train_Y {train_Y.shape}, class indices y {y.shape}")

dims = [64, 32, 16, 10]
parameters = nd.initialize_parameters_deep_application(dims)
AL, caches = ns.softmax_forward(train_X, parameters)
print(f"AL {AL.shape}: every column sums to 1 (max |Σ - 1| = {np.abs(AL.sum(axis=0) - 1).max():.1e})")

variables = convert.to_variables(parameters)
model = ks.build_softmax_model(dims)
convert.set_dense_weights(model, parameters)
cost = ns.softmax_cost(AL, train_Y)
_, ZL_keras = ks.keras_softmax_forward(model, train_X)
cce = ks.keras_categorical_crossentropy()(convert.labels_to_keras(train_Y), convert.inputs_to_keras(ZL_keras))
sparse = ks.keras_sparse_categorical_crossentropy()(convert.labels_to_keras(y), convert.inputs_to_keras(ZL_keras))
print(f"J: NumPy {cost:.15f}, Keras CCE {float(cce):.15f}, Keras sparse CCE {float(sparse):.15f}")

grads = ns.softmax_backward(AL, train_Y, caches)
_, tape_grads = ks.softmax_grads(train_X, train_Y, variables)
m = train_X.shape[1]
print(f"dZ3 = AL - Y vs m·∂J/∂Z3 (tape): max rel {max_rel_diff(grads['dZ3'], m * tape_grads['dZ3']):.1e}")
for key in ("dW1", "db1", "dW3"):
    print(f"{key}: NumPy vs tape max rel {max_rel_diff(grads[key], tape_grads[key]):.1e}")

# %% [markdown]
# ### Training three ways, cost curves on one axes

# %% tags=["plot-B18"]
trained, costs = ns.softmax_gradient_descent(train_X, train_Y, parameters, LEARNING_RATE, NUM_ITERATIONS)
tape_costs = ks.softmax_train_tape(train_X, train_Y, variables, LEARNING_RATE, NUM_ITERATIONS)
keras_costs = ks.make_train_function(model, ks.keras_categorical_crossentropy(), keras_sgd(LEARNING_RATE))(
    train_X, train_Y, NUM_ITERATIONS)
print(f"cost curves: NumPy vs tape max abs {max_abs_diff(costs, tape_costs):.1e}, "
      f"vs Keras {max_abs_diff(costs, keras_costs):.1e}")


def accuracy(predictions, labels):
    return 100 * np.mean(np.asarray(predictions) == labels)


for name, train_pred, test_pred in (
        ("NumPy", ns.softmax_predict(train_X, trained), ns.softmax_predict(test_X, trained)),
        ("tape", ks.softmax_predict(train_X, variables), ks.softmax_predict(test_X, variables)),
        ("Keras", ks.keras_softmax_predict(model, train_X), ks.keras_softmax_predict(model, test_X))):
    print(f"{name:>5}: train accuracy {accuracy(train_pred, y):.1f}%, test accuracy {accuracy(test_pred, test_y):.1f}%")

fig, ax = plt.subplots(figsize=(6, 3.5))
plot_cost_curves({"NumPy": costs, "tape": tape_costs, "Keras": keras_costs}, ax=ax,
                 title=f"softmax network {dims} on digits")
plt.show()

# %% [markdown]
# ## Batch normalization, one layer
#
# γ and β are random here (γ = 1, β = 0 would hide a missing γ in the backward pass). Keras's
# `BatchNormalization(axis=0)` works directly on the course layout `(n_l, m)`: `axis` names the axis of the
# units, and the statistics are taken over the others. ε and the moving average's β (`momentum`) are passed
# explicitly: Keras's defaults are ε = 1e-3 and momentum = 0.99.

# %%
rng = np.random.default_rng(0)
Z = rng.normal(3.0, 2.0, (5, 64))
gamma, beta = rng.uniform(0.5, 2.0, (5, 1)), rng.normal(0.0, 1.0, (5, 1))
EPSILON, MOMENTUM = 1e-4, 0.9
Z_tilde, cache = nb.batchnorm_forward(Z, gamma, beta, EPSILON)
layer = kb.batch_norm_layer(MOMENTUM, EPSILON, axis=0)
layer.build(Z.shape)
layer.gamma.assign(convert.b_to_bias(gamma))
layer.beta.assign(convert.b_to_bias(beta))
print(f"Z̃: NumPy vs Keras (axis=0) max rel {max_rel_diff(Z_tilde, layer(tf.constant(Z), training=True)):.1e}")
print(f"moving μ after that one training call: Keras {layer.moving_mean.numpy().round(3)}, "
      f"EWA by hand {(0.9 * 0 + 0.1 * cache[2][:, 0]).round(3)}")
G = rng.normal(size=Z.shape)
dZ, dgamma, dbeta = nb.batchnorm_backward(G, cache)
tape_dZ, tape_dgamma, tape_dbeta = kb.batchnorm_grads_tape(Z, gamma, beta, G, EPSILON)
print(f"dZ max rel {max_rel_diff(dZ, tape_dZ):.1e}, dγ {max_rel_diff(dgamma, tape_dgamma):.1e}, "
      f"dβ {max_rel_diff(dbeta, tape_dbeta):.1e} (NumPy by hand vs tape)")

# %% [markdown]
# ## A batch-norm network trained on mini-batches, NumPy next to Keras
#
# `Dense(use_bias=False)` → `BatchNormalization` → ReLU per hidden layer (β takes the place of b), on the
# binary task "is it an 8?". The same mini-batches, in the same order, on both sides. At test time the moving
# statistics replace the batch's, so a prediction does not depend on the other examples.

# %% tags=["plot-B17"]
train_X8, train_Y8, test_X8, test_Y8 = load_digits_data(digit=8)
order = np.random.default_rng(0).permutation(train_X8.shape[1])
batches = [(train_X8[:, order[k:k + 256]], train_Y8[:, order[k:k + 256]]) for k in range(0, len(order), 256)]
bn_dims = (64, 16, 8, 1)
bn_parameters = nb.initialize_parameters_bn(bn_dims)
bn_trained, moving, bn_costs = nb.bn_model_train(batches, bn_parameters, 0.5, NUM_EPOCHS, MOMENTUM, EPSILON)
bn_model = kb.build_bn_model(bn_dims, MOMENTUM, EPSILON)
kb.set_bn_weights(bn_model, bn_parameters)
keras_bn_costs = kb.make_bn_train_function(bn_model, keras_sgd(0.5))(batches, NUM_EPOCHS)
keras_moving = kb.moving_statistics(bn_model)
print(f"{len(bn_costs)} steps: cost NumPy vs Keras max abs {max_abs_diff(bn_costs, keras_bn_costs):.1e}; "
      f"moving σ² of layer 1 max abs {max_abs_diff(moving['var1'], keras_moving['var1']):.1e}")
for name, p in (("NumPy", nb.bn_predict(test_X8, bn_trained, moving, EPSILON)),
                ("Keras", kb.keras_bn_predict(bn_model, test_X8))):
    print(f"{name}: test accuracy {accuracy(p, test_Y8):.1f}% ({100 * np.mean(test_Y8 == 0):.0f}% are not 8s)")
one = nb.bn_predict(test_X8[:, :1], bn_trained, moving, EPSILON)
print(f"test time, the first example alone predicts {int(one[0, 0])}, inside the test set "
      f"{int(nb.bn_predict(test_X8, bn_trained, moving, EPSILON)[0, 0])}")

fig, ax = plt.subplots(figsize=(6, 3.5))
plot_cost_curves({"NumPy": bn_costs, "Keras": keras_bn_costs}, ax=ax, title="batch-norm network, per mini-batch")
ax.set_xlabel("mini-batch step")
plt.show()
