"""Logistic regression as a one-neuron network, the course's graded NumPy functions (concept A4).

    ŷ = a = σ(z),  z = wᵀx + b            vectorized: A = σ(wᵀX + b), X (n_x, m), w (n_x, 1), b a scalar
    L(a, y) = -(y log a + (1 - y) log(1 - a)),   J = 1/m Σ L
    dz = a - y,   dw = 1/m X dZᵀ,   db = 1/m Σ dz,   gradient descent: w := w - α dw,  b := b - α db

Names, arguments, return values and the cost bookkeeping (one cost every 100 iterations) are the course's
(docs/course_api.md), so the same call gives the course's numbers. The arrays keep the dtype they come in:
float32 inputs and parameters give a float32 computation.
"""

from __future__ import annotations

import warnings

import numpy as np

from numpy_impl import activations, losses
from numpy_impl.validation import (
    check_count,
    check_dim,
    check_learning_rate,
    check_train_test_binary,
    check_training_finite,
    check_w_b,
    check_X,
    check_Y,
)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)), for a scalar or an array of any shape.

    The stable form of `numpy_impl.activations.sigmoid`: no overflow warning for any finite z
    (σ(±1e3) = 1.0 / 0.0), the same numbers as the course's naive formula elsewhere.
    """
    return activations.sigmoid(z)


def initialize_with_zeros(dim):
    """w = 0 (dim, 1) and b = 0.0 (a Python float, as the course returns it).

    Zeros are fine for logistic regression: a single neuron has no symmetry to break.
    """
    dim = check_dim(dim)
    return np.zeros((dim, 1)), 0.0


def _check_inputs(w, b, X, Y=None):
    """Validate `w (n_x, 1)`, scalar `b`, `X (n_x, m)` and binary `Y (1, m)`; return them as arrays."""
    w = check_w_b(w, b)
    X = check_X(X, n_x=w.shape[0])
    if Y is None:
        return w, X
    Y = check_Y(Y, m=X.shape[1], n_y=1, binary=True)
    return w, X, Y.astype(np.result_type(w, X), copy=False)  # 0/1 are exact in any float: no silent upcast


def logistic_cost(Z, Y):
    """J = 1/m Σ L computed from the logits Z = wᵀX + b, stable for any Z.  Z, Y (1, m) -> scalar.

    L = max(z, 0) - z·y + log(1 + e^(-|z|)), which equals -(y log σ(z) + (1-y) log(1-σ(z))) exactly in
    real arithmetic but never takes log(0): at z = 40, y = 0 it gives 40.0 where the course formula gives
    inf. This is what TensorFlow's `sigmoid_cross_entropy_with_logits` (and Keras on the logits path) computes.
    It is `numpy_impl.losses.binary_cross_entropy_from_logits` (concept A3) under the course's name.
    """
    return losses.binary_cross_entropy_from_logits(Z, Y)


def propagate(w, b, X, Y):
    """Forward and backward pass: A = σ(wᵀX + b), the cost J, and its gradients.

    w (n_x, 1), b scalar, X (n_x, m), Y (1, m) in {0, 1}
    -> grads {"dw": 1/m X (A - Y)ᵀ  (n_x, 1), "db": 1/m Σ(A - Y)  scalar}, cost J  scalar.

    The cost is the course's naive formula J = -1/m Σ (Y log A + (1 - Y) log(1 - A)), kept so that the
    course's check values come out. It breaks when a prediction saturates: once A rounds to exactly 1
    (z ≳ 37 in float64, z ≳ 17 in float32) or to 0, a wrong label gives log(0) = -inf (cost inf) and a right
    one gives 0·log(0) = nan, each with a RuntimeWarning. `logistic_cost(Z, Y)` is the stable form. The
    gradients dw, db use dZ = A - Y directly and stay finite in every case.
    """
    w, X, Y = _check_inputs(w, b, X, Y)
    return _propagate(w, b, X, Y)


def _propagate(w, b, X, Y):
    """`propagate` on validated inputs (optimize checks once, not at every iteration)."""
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)  # (1, m)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dZ = A - Y
    dw = 1 / m * (X @ dZ.T)
    db = 1 / m * np.sum(dZ)
    return {"dw": dw, "db": db}, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False, record_every=100):
    """Gradient descent: repeat `num_iterations` times  w := w - α dw,  b := b - α db  (α = learning_rate).

    -> params {"w", "b"}, grads {"dw", "db"} (those of the last iteration, computed before its update),
    costs: the cost at iterations 0, 100, 200, ... (before that iteration's update), as in the course.
    `record_every` (not in the course; default the course's 100) sets that interval, e.g. 1 for the whole
    curve. The caller's `w` is not modified (every update builds a new array).

    A w or b that is no longer finite after an update (α so large that w overflows) stops the run with a
    FloatingPointError naming the iteration. The course's naive cost may be inf/nan while w and b are fine
    (σ(z) rounded to exactly 0 or 1, see `propagate`): this course function keeps running then, records that
    cost as the course does, and warns once (UserWarning) naming the first such iteration.
    """
    w, X, Y = _check_inputs(w, b, X, Y)
    num_iterations = check_count(num_iterations, "num_iterations")
    record_every = check_count(record_every, "record_every")
    check_learning_rate(learning_rate)
    w = np.array(w, copy=True)
    alpha = np.result_type(w, X).type(learning_rate)  # an np.float64 α must not upcast float32 runs
    costs = []
    saturated = None
    for i in range(num_iterations):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # checked just below instead
            grads, cost = _propagate(w, b, X, Y)
            w = w - alpha * grads["dw"]
            b = b - alpha * grads["db"]
        check_training_finite(i, learning_rate, w=w, b=b)
        if saturated is None and not np.isfinite(cost):
            saturated = i
        if i % record_every == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    if saturated is not None:
        warnings.warn(f"the course's cost is not finite from iteration {saturated} on: some σ(z) rounded to exactly "
                      f"0 or 1 and the formula takes log 0; w and b stayed finite, so training went on "
                      f"(logistic_cost(Z, Y) computes the cost stably)", UserWarning, stacklevel=2)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    """Ŷ = 1 where A = σ(wᵀX + b) > 0.5, else 0.  w (n_x, 1), b scalar, X (n_x, m) -> float 0/1 array (1, m)."""
    w, X = _check_inputs(w, b, X)
    A = sigmoid(w.T @ X + b)
    return (A > 0.5).astype(A.dtype)


def accuracy(Y_prediction, Y):
    """The course's accuracy in percent: 100 - mean(|Ŷ - Y|)·100.  Y_prediction, Y (1, m) of 0/1 -> float."""
    m = np.shape(Y_prediction)[-1] if np.ndim(Y_prediction) else 0
    Y_prediction = check_Y(Y_prediction, m=m, n_y=1, binary=True, name="Y_prediction")
    Y = check_Y(Y, m=m, n_y=1, binary=True)
    return float(100 - np.mean(np.abs(Y_prediction - Y)) * 100)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    """Logistic regression from zeros: optimize on the training set, then predict both sets.

    X_train (n_x, m_train), Y_train (1, m_train), X_test (n_x, m_test), Y_test (1, m_test) -> dict with keys
    costs, Y_prediction_test, Y_prediction_train, w, b, learning_rate, num_iterations.
    """
    X_train, Y_train, X_test, Y_test = check_train_test_binary(X_train, Y_train, X_test, Y_test)
    n_x = X_train.shape[0]
    w, b = initialize_with_zeros(n_x)
    w = w.astype(X_train.dtype)
    params, _, costs = optimize(w, X_train.dtype.type(b), X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print(f"train accuracy: {accuracy(Y_prediction_train, Y_train)} %")
        print(f"test accuracy: {accuracy(Y_prediction_test, Y_test)} %")
    return {"costs": costs, "Y_prediction_test": Y_prediction_test, "Y_prediction_train": Y_prediction_train,
            "w": w, "b": b, "learning_rate": learning_rate, "num_iterations": num_iterations}
