"""Cost functions and their gradients (concept A3).

The notes' loss L(ŷ, y) is per example; the cost J sums it (L1, L2) or averages it over the m examples
(cross-entropy):

- `L1(yhat, y)` = J_1 = Σ|y - ŷ| and `L2(yhat, y)` = Σ(y - ŷ)²: the course's functions, any shape, Python floats.
- binary cross-entropy J = -1/m Σ (Y log AL + (1-Y) log(1-AL)) with AL, Y `(n_y, m)`, labels 0/1;
- categorical cross-entropy J = -1/m Σ Y log AL with classes along axis 0: AL, Y `(C, m)`, Y one-hot.

Stable by default, naive by name. `binary_cross_entropy` and `categorical_cross_entropy` take probabilities
AL and are the textbook formulas (the course's numbers; inf/nan at AL = 0 or 1, see their docstrings);
`*_from_logits` take the last layer's Z and never overflow (z = 40 gives 40, not inf).

Gradients (`*_backward`) are those of J as defined here, so the 1/m is included: dAL = ∂J/∂AL, dZ = ∂J/∂Z.
The course's `L_model_backward` starts from dAL = -(Y/AL - (1-Y)/(1-AL)) *without* the 1/m and divides by m
in dW = 1/m dZ A_prevᵀ instead: its dAL is m times `binary_cross_entropy_backward(AL, Y)`.
Results keep the dtype of the prediction (float32 stays float32); labels are cast to it.
"""

from __future__ import annotations

import numpy as np

from numpy_impl.activations import sigmoid, softmax
from numpy_impl.validation import check_prediction_and_labels, check_yhat_y

# ---------------------------------------------------------------- L1 and L2 (the course's sums)


def L1(yhat, y) -> float:
    """J_1 = Σ|y - ŷ| over every element (a sum, not a mean).  yhat, y: the same shape -> float."""
    yhat, y = check_yhat_y(yhat, y)
    return float(np.sum(np.abs(y - yhat)))


def L1_backward(yhat, y) -> np.ndarray:
    """dyhat = ∂J_1/∂ŷ = sign(ŷ - y), elementwise.  yhat, y: the same shape -> dyhat (that shape).

    |ŷ - y| has no derivative where ŷ = y; this takes 0 there (a subgradient), as np.sign and TensorFlow's
    gradient of tf.abs both do.
    """
    yhat, y = check_yhat_y(yhat, y)
    return np.sign(yhat - y)


def L2(yhat, y) -> float:
    """J_2 = Σ(y - ŷ)² over every element (a sum, not a mean).  yhat, y: the same shape -> float."""
    yhat, y = check_yhat_y(yhat, y)
    return float(np.sum((y - yhat) ** 2))


def L2_backward(yhat, y) -> np.ndarray:
    """dyhat = ∂J_2/∂ŷ = 2(ŷ - y), elementwise.  yhat, y: the same shape -> dyhat (that shape)."""
    yhat, y = check_yhat_y(yhat, y)
    return 2 * (yhat - y)


# ---------------------------------------------------------------- binary cross-entropy


def binary_cross_entropy(AL, Y):
    """J = -1/m Σ (Y log AL + (1-Y) log(1-AL)), the course's textbook formula.  AL, Y (n_y, m) -> J (scalar).

    Naive on purpose (it gives the course's numbers). At AL = 0 or 1 it is not finite: a wrong saturated
    prediction (AL = 1 with Y = 0, or AL = 0 with Y = 1) takes log 0 = -inf, so J = inf; even a right one
    gives 0·log 0 = 0·(-inf) = nan, so J = nan. NumPy warns (RuntimeWarning) in both cases. A sigmoid
    output saturates at 1.0 already for z >= 37 in float64 (z >= 17 in float32): compute from logits with
    `binary_cross_entropy_from_logits`. Keras's BinaryCrossentropy clips AL to [1e-7, 1-1e-7] instead.
    """
    AL, Y, m = check_prediction_and_labels(AL, Y, "AL", probabilities=True)
    return -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m


def binary_cross_entropy_backward(AL, Y) -> np.ndarray:
    """dAL = ∂J/∂AL = -(Y/AL - (1-Y)/(1-AL)) / m.  AL, Y (n_y, m) -> dAL (n_y, m).

    The course's L_model_backward uses m·dAL (no 1/m). Like the cost, inf/nan at AL = 0 or 1 (division by 0).
    """
    AL, Y, m = check_prediction_and_labels(AL, Y, "AL", probabilities=True)
    return -(Y / AL - (1 - Y) / (1 - AL)) / m


def binary_cross_entropy_from_logits(Z, Y):
    """J = 1/m Σ [max(Z, 0) - Z·Y + log(1 + e^(-|Z|))], the textbook J at AL = σ(Z).  Z, Y (n_y, m) -> J.

    -(y log σ(z) + (1-y) log(1-σ(z))) rewritten so that it only exponentiates -|z| <= 0 (log1p keeps
    the tiny terms): finite for every finite Z, e.g. z = 40, y = 0 gives 40 where the naive formula on
    σ(40) (which rounds to 1.0) gives inf. The same formula, in the same order, as
    tf.nn.sigmoid_cross_entropy_with_logits, which BinaryCrossentropy(from_logits=True) runs.
    """
    Z, Y, m = check_prediction_and_labels(Z, Y, "Z")
    return np.sum(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))) / m


def binary_cross_entropy_from_logits_backward(Z, Y) -> np.ndarray:
    """dZ = ∂J/∂Z = (A - Y)/m with A = σ(Z).  Z, Y (n_y, m) -> dZ (n_y, m).

    Evaluated as σ(Z)/m where Y = 0 and -σ(-Z)/m where Y = 1 (σ(z) - 1 = -σ(-z)): the same numbers
    without the cancellation 1.0 - 1 = 0 that would lose the small gradient -e^(-40) at z = 40, y = 1.
    """
    Z, Y, m = check_prediction_and_labels(Z, Y, "Z")
    return np.where(Y == 1, -sigmoid(-Z), sigmoid(Z)) / m


# ---------------------------------------------------------------- categorical cross-entropy (classes on axis 0)


def categorical_cross_entropy(AL, Y):
    """J = -1/m Σ_examples Σ_classes Y log AL (the notes' J_CE = -Σ y log ŷ, averaged).  AL, Y (C, m) -> J.

    AL: a softmax output (each column sums to 1); Y: one-hot. Naive on purpose: AL = 0 for the true class
    gives inf, and AL = 0 for any other class gives 0·log 0 = nan (NumPy warns). Keras's
    CategoricalCrossentropy renormalises the columns and clips to [1e-7, 1-1e-7]; compute from logits with
    `categorical_cross_entropy_from_logits`.
    """
    AL, Y, m = check_prediction_and_labels(AL, Y, "AL", probabilities=True, one_hot=True)
    return -np.sum(Y * np.log(AL)) / m


def categorical_cross_entropy_backward(AL, Y) -> np.ndarray:
    """dAL = ∂J/∂AL = -Y / (m·AL).  AL, Y (C, m) -> dAL (C, m); nan where AL = 0 (0/0), like the cost."""
    AL, Y, m = check_prediction_and_labels(AL, Y, "AL", probabilities=True, one_hot=True)
    return -Y / (m * AL)


def categorical_cross_entropy_from_logits(Z, Y):
    """J = -1/m Σ Y·log softmax(Z) over classes (axis 0) and examples.  Z, Y (C, m) -> J.

    log softmax(Z) = (Z - max Z) - log Σ_c e^(Z - max Z) per column: every exponent is <= 0, so Z = ±1e3
    stays finite, and no probability is rounded to 0 before its log is taken.
    """
    Z, Y, m = check_prediction_and_labels(Z, Y, "Z", one_hot=True)
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    log_A = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return -np.sum(Y * log_A) / m


def categorical_cross_entropy_from_logits_backward(Z, Y) -> np.ndarray:
    """dZ = ∂J/∂Z = (softmax(Z) - Y)/m, softmax over the classes (axis 0).  Z, Y (C, m) -> dZ (C, m)."""
    Z, Y, m = check_prediction_and_labels(Z, Y, "Z", one_hot=True)
    return (softmax(Z, axis=0) - Y) / m
