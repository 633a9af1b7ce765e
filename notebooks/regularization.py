# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # L2 regularization and dropout, twice: NumPy and TensorFlow/Keras (concepts B3, B4)
#
# The notes' two remedies for high variance (a network that fits the training set much better than the dev set):
#
#     L2        J_reg = J + λ/(2m) Σ_l ‖W[l]‖_F²      dW[l] += λ/m · W[l]     ("weight decay": W shrinks every step)
#     dropout   D[l] = rand(n_l, m) < keep_prob,  A[l] = A[l] * D[l] / keep_prob   (training only; inverted)
#
# The course's assignment trains `[n_x, 20, 3, 1]` (LINEAR→RELU→LINEAR→RELU→LINEAR→SIGMOID) with α = 0.3 for
# 30000 full-batch steps, three times: no regularization, L2 with λ = 0.7, dropout with keep_prob = 0.86. Its
# 2-D "football" data set is not available here; `load_regularization_dataset` generates a noisy two-moons set
# of the same size (211 training, 200 test points) on which the unregularized network visibly over-fits.
#
# Three implementations from the same start:
# - **NumPy** (`numpy_impl.regularization`): the course's functions, backward passes by hand;
# - **tape** (`keras_impl.regularization`, part 1): `tf.Variable`s, `GradientTape`, the course's dropout masks
#   passed in (the course re-seeds NumPy on every forward call, so its masks are the same at every step);
# - **Keras** (part 2): `Dense(kernel_regularizer=FloatL2(λ/(2m)))` and `Dropout(rate=1-keep_prob)` layers,
#   which draw a *fresh* mask at every step (a different algorithm from the course's fixed mask).
#
# The parity suite proves the agreement: `python -m parity_tests --concept B3,B4`. `DL_FAST=1` runs 3000 steps.

# %%
import os

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl import regularization as kr
from numpy_impl import regularization as nr
from numpy_impl.datasets import load_regularization_dataset
from numpy_impl.plotting import plot_cost_curves, plot_data, plot_decision_boundary
from parity_tests.harness import max_abs_diff

FAST = os.environ.get("DL_FAST") == "1"
NUM_ITERATIONS = 3000 if FAST else 30000  # 30000 is the course's length
LEARNING_RATE, LAMBD, KEEP_PROB = 0.3, 0.7, 0.86

# float64 Keras needs both settings before any layer exists (docs/traps.md, trap 2).
keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")

train_X, train_Y, test_X, test_Y = load_regularization_dataset()
m = train_X.shape[1]
plot_data(train_X, train_Y, title=f"training set (m = {m}); the test set has {test_X.shape[1]} points")
plt.show()

# %% [markdown]
# ## The three runs, three ways
#
# The same initial parameters (`initialize_parameters`: seed 3, `randn / sqrt(n_{l-1})`) on every side.

# %%
METHODS = {"none": (0, 1), "L2 (λ = 0.7)": (LAMBD, 1), "dropout (keep_prob = 0.86)": (0, KEEP_PROB)}
start = nr.initialize_parameters([2, 20, 3, 1])
_, dropout_cache = nr.forward_propagation_with_dropout(train_X, start, KEEP_PROB)
course_masks = [dropout_cache[1], dropout_cache[6]]  # the same D1, D2 at every step of the course's loop

results = {}
for name, (lambd, keep_prob) in METHODS.items():
    numpy_params, numpy_costs = nr.train(train_X, train_Y, start, LEARNING_RATE, NUM_ITERATIONS, lambd, keep_prob)
    tape_params, tape_costs = kr.gradient_descent(train_X, train_Y, start, LEARNING_RATE, NUM_ITERATIONS, lambd,
                                                  keep_prob, course_masks if keep_prob < 1 else None)
    model = kr.build_model([2, 20, 3, 1], lambd=lambd, m=m, keep_prob=keep_prob, seed=1)
    convert.set_dense_weights(model, start)
    keras_costs = kr.make_train_function(model, kr.keras_optimizer(LEARNING_RATE))(train_X, train_Y, NUM_ITERATIONS)
    results[name] = numpy_params, tape_params, model, numpy_costs, tape_costs, keras_costs


def accuracy(predictions, Y):
    return float(np.mean(np.asarray(predictions) == Y))


def tape_predict(parameters, X):
    return (tf.math.sigmoid(kr.forward_logits(X, parameters)).numpy() > 0.5).astype(int)


def keras_predict(model, X):  # training=False: no dropout at inference
    return (convert.inputs_from_keras(model(convert.inputs_to_keras(X), training=False)).numpy() > 0).astype(int)


print(f"{NUM_ITERATIONS} steps, α = {LEARNING_RATE}: train / test accuracy")
for name, (numpy_params, tape_params, model, *_) in results.items():
    row = [f"{label} {accuracy(f(train_X), train_Y):.3f} / {accuracy(f(test_X), test_Y):.3f}"
           for label, f in (("NumPy", lambda X, p=numpy_params: nr.predict(X, np.zeros((1, X.shape[1])), p, False)),
                            ("tape", lambda X, p=tape_params: tape_predict(p, X)),
                            ("Keras", lambda X, mo=model: keras_predict(mo, X)))]
    print(f"  {name:28s}", ",  ".join(row))

# %% [markdown]
# The unregularized network scores much higher on the training set than on the test set (variance); L2 trades
# training accuracy for test accuracy. The course's dropout uses one fixed mask for the whole run (it re-seeds on
# every call), which thins the network once rather than regularizing it; Keras's `Dropout` draws a new mask at
# every step. NumPy and the tape agree to rounding for L2 (its run is well-conditioned: the parity suite holds the
# 30000-step end point to 1e-10). The unregularized and dropout runs are chaotic: NumPy against itself started
# 1 ulp away ends ~1 away, so their free-running end points (and a few accuracy points) may differ while every
# single step agrees to 1e-15 (`test_course_driver_run`).

# %% tags=["plot-B3", "plot-B4"]
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, (name, (_, _, _, numpy_costs, tape_costs, keras_costs)) in zip(axes, results.items(), strict=True):
    plot_cost_curves({"NumPy": numpy_costs, "tape": tape_costs, "Keras": keras_costs}, ax=ax, title=name, logy=True)
plt.show()

# %% [markdown]
# The curves lie on top of each other where the algorithms are the same (none and L2: the Keras loss is the BCE
# from logits plus `sum(model.losses)`); Keras's dropout curve is the noisy one (a fresh mask per step).

# %%
fig, axes = plt.subplots(3, 3, figsize=(15, 13))
for row, (name, (numpy_params, tape_params, model, *_)) in zip(axes, results.items(), strict=True):
    plot_decision_boundary(lambda X, p=numpy_params: nr.predict(X, np.zeros((1, X.shape[1])), p, False),
                           train_X, train_Y, ax=row[0], title=f"NumPy, {name}")
    plot_decision_boundary(lambda X, p=tape_params: tape_predict(p, X), train_X, train_Y, ax=row[1],
                           title=f"tape, {name}")
    plot_decision_boundary(lambda X, mo=model: keras_predict(mo, X), train_X, train_Y, ax=row[2],
                           title=f"Keras, {name}")
plt.show()

# %% [markdown]
# ## The mappings, checked here on one step
#
# - `kernel_regularizer = L2(λ/(2m))` with m the training-set size (`FloatL2` keeps the constant float64; Keras's
#   own `L2` casts it through float32);
# - `SGD(weight_decay=λ/m)` with the biases excluded is the same step as L2 for plain SGD, but not for momentum or
#   Adam;
# - dropout agrees on the same mask.

# %%
A3, cache = nr.forward_propagation(train_X, start)
grads = nr.backward_propagation_with_regularization(train_X, train_Y, cache, LAMBD)
numpy_step = nr.update_parameters(start, grads, LEARNING_RATE)
for label, optimizer, kwargs in (("SGD + kernel_regularizer", kr.keras_optimizer(LEARNING_RATE), {"lambd": LAMBD}),
                                 ("SGD(weight_decay=λ/m)", kr.keras_weight_decay_optimizer(LEARNING_RATE, LAMBD, m),
                                  {})):
    model = kr.build_model([2, 20, 3, 1], m=m, **kwargs)
    convert.set_dense_weights(model, start)
    with tf.GradientTape() as tape:
        cost = kr.keras_cost(model, train_X, train_Y, training=True)
    optimizer.apply_gradients(zip(tape.gradient(cost, model.trainable_variables), model.trainable_variables,
                                  strict=True))
    keras_step = convert.dense_weights_to_parameters(model)
    print(f"one L2 step, NumPy vs Keras {label}: max |ΔW1| = {max_abs_diff(numpy_step['W1'], keras_step['W1']):.1e}")

builtin = keras.regularizers.L2(LAMBD / (2 * m))
exact = nr.l2_regularization_cost({"W1": start["W1"], "b1": start["b1"]}, LAMBD, m)
print(f"λ/(2m)‖W1‖²: NumPy {exact!r}, FloatL2 {float(kr.kernel_regularizer(LAMBD, m)(tf.constant(start['W1'])))!r}, "
      f"keras.regularizers.L2 {float(builtin(tf.constant(start['W1'])))!r} (float32 constant)")

# %%
keras.config.set_floatx("float32")
keras.config.set_dtype_policy("float32")
