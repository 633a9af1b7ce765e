# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Gradient checking, twice: NumPy and TensorFlow (concept B9)
#
# The notes: to test a backward pass, compare it with the two-sided difference
#
#     gradapprox[i] = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε)
#     difference    = ‖grad - gradapprox‖ / (‖grad‖ + ‖gradapprox‖)
#
# with ε = 1e-7: a difference around 1e-7 is fine, 1e-3 is a bug. Here three references meet: the hand-written
# backward pass (NumPy), the finite difference (NumPy and TF ops) and the GradientTape gradient (TF autodiff),
# first on the course's 1-D example J = θx, then on its 3-layer network with the correct and the deliberately
# faulty backward pass, then on the regularized and dropout networks. Last: why the check must run in float64.

# %%
import matplotlib.pyplot as plt
import numpy as np

from keras_impl import gradient_checking as kg
from keras_impl import regularization as kr
from numpy_impl import gradient_checking as ng
from numpy_impl import regularization as nr
from numpy_impl.datasets import load_regularization_dataset
from parity_tests.harness import max_abs_diff

print("1-D, x = 3, θ = 4:  NumPy", ng.gradient_check(3.0, 4.0), " TF", kg.gradient_check(3.0, 4.0))
print("  dJ/dθ by hand", ng.backward_propagation(3.0, 4.0), " by tape", float(kg.backward_propagation(3.0, 4.0)))

# %% [markdown]
# ## The course's 3-layer test case (y passed 1-D, as the course's test does)

# %%
np.random.seed(1)
x = np.random.randn(4, 3)
y = np.array([1, 1, 0])
parameters = {"W1": np.random.randn(5, 4), "b1": np.random.randn(5, 1), "W2": np.random.randn(3, 5),
              "b2": np.random.randn(3, 1), "W3": np.random.randn(1, 3), "b3": np.random.randn(1, 1)}
cost, cache = ng.forward_propagation_n(x, y, parameters)
correct = ng.backward_propagation_n(x, y, cache)
faulty = ng.backward_propagation_n_with_mistakes(x, y, cache)
tape = kg.tape_gradients_n(x, y, parameters)
for name, grads in (("correct", correct), ("faulty", faulty)):
    print(f"{name} backward:")
    ng.gradient_check_n(parameters, grads, x, y, print_msg=True)
    kg.gradient_check_n(parameters, grads, x, y, print_msg=True)
    print(f"  max |by hand - tape| = {max_abs_diff(ng.gradients_to_vector(grads), kg.gradients_to_vector(tape)):.1e}")

# %% [markdown]
# Where the faulty pass goes wrong, entry by entry: the finite difference (circles) sits on the tape gradient
# (line); the faulty dW2 is twice it, the faulty db1 four times.

# %% tags=["plot-B9"]
fd = ng.gradapprox_of(lambda p: ng.forward_propagation_n(x, y, p)[0], parameters)
_, keys = ng.dictionary_to_vector(parameters)
fig, ax = plt.subplots(figsize=(12, 4))
ax.plot(kg.gradients_to_vector(tape).numpy()[:, 0], "-", label="tape (autodiff)")
ax.plot(fd[:, 0], "o", label="finite difference (NumPy)")
ax.plot(ng.gradients_to_vector(faulty)[:, 0], "x", label="faulty backward")
ax.set_xticks(range(len(keys)))
ax.set_xticklabels(keys, rotation=90, fontsize=7)
ax.set_ylabel("∂J/∂θ_i")
ax.legend()
plt.show()

# %% [markdown]
# ## The regularized and the dropout networks
#
# The check works on any cost function of the parameters. Dropout needs a fixed mask: the course's
# `forward_propagation_with_dropout` re-seeds NumPy on every call, so every evaluation of J thins the same units.

# %%
train_X, train_Y, _, _ = load_regularization_dataset()
rng = np.random.RandomState(7)
start = {k: v + 0.1 * rng.randn(*v.shape) for k, v in nr.initialize_parameters([2, 20, 3, 1]).items()}
_, cache = nr.forward_propagation(train_X, start)
l2_grads = nr.backward_propagation_with_regularization(train_X, train_Y, cache, 0.7)
_, dropout_cache = nr.forward_propagation_with_dropout(train_X, start, 0.86)
dropout_grads = nr.backward_propagation_with_dropout(train_X, train_Y, dropout_cache, 0.86)


def l2_cost(p):
    return nr.compute_cost_with_regularization(nr.forward_propagation(train_X, p)[0], train_Y, p, 0.7)


def dropout_cost(p):
    return nr.compute_cost(nr.forward_propagation_with_dropout(train_X, p, 0.86)[0], train_Y)


print("L2 (λ = 0.7):      ", ng.gradient_check_cost(l2_cost, start, l2_grads))
print("dropout (fixed mask):", ng.gradient_check_cost(dropout_cost, start, dropout_grads))
_, tape_l2 = kr.compute_grads(train_X, train_Y, start, 0.7)
gap = max_abs_diff(ng.gradients_to_vector(l2_grads), kg.gradients_to_vector(tape_l2))
print(f"  L2: max |by hand - tape| = {gap:.1e}")

# %% [markdown]
# ## float32: the check is meaningless
#
# θ + 1e-7 rounds back to θ for |θ| ≥ 1 in float32, and the rounding of J divided by 2ε is as large as the
# gradient. Both backward passes "fail", and the correct one cannot be told from the faulty one at ε = 1e-7.

# %%
p32 = {k: v.astype(np.float32) for k, v in parameters.items()}
x32 = x.astype(np.float32)
_, cache32 = ng.forward_propagation_n(x32, y, p32)
reference = (ng.gradient_check_n(parameters, correct, x, y), ng.gradient_check_n(parameters, faulty, x, y))
for eps in (1e-7, 1e-5, 1e-3):
    c = ng.gradient_check_n(p32, ng.backward_propagation_n(x32, y, cache32), x32, y, epsilon=eps)
    f = ng.gradient_check_n(p32, ng.backward_propagation_n_with_mistakes(x32, y, cache32), x32, y, epsilon=eps)
    print(f"float32, ε = {eps:g}: correct {c:.3g}, faulty {f:.3g}   (float64, ε = 1e-7: {reference[0]:.2g} vs "
          f"{reference[1]:.2g})")
