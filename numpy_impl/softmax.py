"""Softmax regression and an L-layer network with a softmax output, forward and backward by hand (concept B18).

C classes, course layout: `X (n_x, m)`, one-hot `Y (C, m)` (one 1 per column), `ZL, AL (C, m)`.
Model: [LINEAR -> RELU] x (L-1) -> LINEAR -> SOFTMAX; with L = 1 it is softmax regression, the multi-class
logistic regression. The notes' output layer:

    t = e^{Z[L]},   AL = t / Σ_classes t          (each column of AL sums to 1: the class probabilities)
    J = -1/m Σ_examples Σ_classes Y log AL        (categorical cross-entropy)
    dZ[L] = AL - Y                                (softmax and cross-entropy together; the 1/m comes in dW, db)

and the hidden layers' backward pass is the deep network's (`numpy_impl.deep_network`): `dW[l] = 1/m dZ[l]
A[l-1]ᵀ`, `db[l] = 1/m Σ dZ[l]`, `dA[l-1] = W[l]ᵀ dZ[l]`, `dZ[l] = dA[l] * g'(Z[l])`. The softmax is
`numpy_impl.activations.softmax` (max subtracted first: e^(...) never overflows) and the costs are
`numpy_impl.losses`' categorical cross-entropy. The prediction is the most probable class,
`argmax_c AL[c, i]`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from numpy_impl import deep_network as nd
from numpy_impl import losses
from numpy_impl.activations import softmax
from numpy_impl.validation import (
    check_count,
    check_learning_rate,
    check_prediction_and_labels,
    check_training_finite,
    check_X,
    number_of_layers,
)

HIDDEN = ("relu", "tanh", "sigmoid")


def _hidden(hidden: str) -> str:
    if hidden not in HIDDEN:
        raise ValueError(f"hidden must be one of {HIDDEN}, got {hidden!r}")
    return hidden


def softmax_forward(X, parameters: Mapping, hidden: str = "relu"):
    """[LINEAR -> g] x (L-1) -> LINEAR -> SOFTMAX, g = `hidden` ("relu" by default).

    X (n_x, m), parameters {"W1", "b1", ..., "WL", "bL"} with `WL (C, n_{L-1})` -> AL (C, m) (columns sum to
    1), caches: L caches `((A[l-1], W[l], b[l]), Z[l])` as in `deep_network.L_model_forward`; `caches[-1][1]`
    is the logits ZL.
    """
    L = number_of_layers(parameters)
    g = _hidden(hidden)
    A = check_X(X, n_x=np.shape(parameters["W1"])[1])
    caches = []
    for l in range(1, L):
        A, cache = nd.linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], g)
        caches.append(cache)
    ZL, linear_cache = nd.linear_forward(A, parameters[f"W{L}"], parameters[f"b{L}"])
    caches.append((linear_cache, ZL))
    return softmax(ZL, axis=0), caches


def softmax_cost(AL, Y):
    """J = -1/m Σ Y log AL, the notes' formula (naive: inf where the true class has AL = 0).  AL, Y (C, m) -> J.

    Returns a 0-d value of AL's dtype. `softmax_cost_from_logits` is the stable form.
    """
    return np.squeeze(losses.categorical_cross_entropy(AL, Y))[()]


def softmax_cost_from_logits(ZL, Y):
    """J = -1/m Σ Y·log softmax(ZL), with log softmax = (Z - max Z) - log Σ e^(Z - max Z).  ZL, Y (C, m) -> J.

    Equal to `softmax_cost(softmax(ZL), Y)` in exact arithmetic and finite for every finite ZL: what
    `tf.nn.softmax_cross_entropy_with_logits` and `CategoricalCrossentropy(from_logits=True)` compute.
    """
    return np.squeeze(losses.categorical_cross_entropy_from_logits(ZL, Y))[()]


def softmax_backward(AL, Y, caches, hidden: str = "relu") -> dict[str, np.ndarray]:
    """Every gradient of J from the caches of `softmax_forward`, starting from dZ[L] = AL - Y.

    AL, Y (C, m), caches (L of them) -> grads {"dZ{L}", "dW{l}", "db{l}", "dA{l-1}"} for l = L..1. As in the
    course's deep network, dZ and dA carry no 1/m (it is applied in dW and db): `dZ[L] = m · ∂J/∂Z[L]`.
    """
    AL, Y, _ = check_prediction_and_labels(AL, Y, "AL", probabilities=True, one_hot=True)
    if not isinstance(caches, list | tuple) or len(caches) == 0 or np.shape(caches[-1][1]) != AL.shape:
        raise ValueError(f"caches must be the non-empty list returned by softmax_forward for AL {AL.shape}")
    g = _hidden(hidden)
    L = len(caches)
    grads = {f"dZ{L}": AL - Y}
    dA, grads[f"dW{L}"], grads[f"db{L}"] = nd.linear_backward(grads[f"dZ{L}"], caches[-1][0])
    grads[f"dA{L - 1}"] = dA
    for l in reversed(range(1, L)):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = nd.linear_activation_backward(dA, caches[l - 1], g)
        grads[f"dA{l - 1}"] = dA
    return grads


def softmax_gradient_descent(X, Y, parameters: Mapping, learning_rate, num_iterations: int, record_every: int = 1,
                             hidden: str = "relu"):
    """`num_iterations` full-batch steps: `softmax_forward`, cost, `softmax_backward`, W := W - α dW, b := b - α db.

    X (n_x, m), Y (C, m) one-hot -> (parameters, costs), the cost J (computed from the logits ZL, stable)
    recorded when `i % record_every == 0`, before the update of iteration i. A non-finite cost or parameter
    stops the run with an error naming the iteration.
    """
    L = number_of_layers(parameters)
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    record_every = check_count(record_every, "record_every")
    X = check_X(X, n_x=np.shape(parameters["W1"])[1])
    check_prediction_and_labels(np.zeros((np.shape(parameters[f"b{L}"])[0], X.shape[1])), Y, "ZL", one_hot=True)
    costs = []
    for i in range(num_iterations):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run is reported below, by iteration
            if all(np.all(np.isfinite(p)) for p in parameters.values()):
                AL, caches = softmax_forward(X, parameters, hidden)
                cost = softmax_cost_from_logits(caches[-1][1], Y)
            else:  # the last update overflowed: this iteration's cost would be NaN
                cost = np.nan
        check_training_finite(i, learning_rate, cost=cost)
        grads = softmax_backward(AL, Y, caches, hidden)
        parameters = {k: v - np.asarray(v).dtype.type(learning_rate) * grads[f"d{k}"] for k, v in parameters.items()}
        if i % record_every == 0:
            costs.append(cost)
    return parameters, costs


def softmax_predict(X, parameters: Mapping, hidden: str = "relu") -> np.ndarray:
    """The most probable class of every example, ŷ = argmax_c AL[c, i].  X (n_x, m) -> (1, m) int class indices."""
    AL, _ = softmax_forward(X, parameters, hidden)
    return np.argmax(AL, axis=0)[None, :]


def labels_from_one_hot(Y) -> np.ndarray:
    """One-hot `Y (C, m)` -> the class indices `y (1, m)` (the sparse labels SparseCategoricalCrossentropy takes).

    Y must be 2-D and one-hot (exactly one 1 per column).
    """
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(f"Y must be one-hot with shape (C, m), got shape {Y.shape}")
    _, Y, _ = check_prediction_and_labels(np.zeros(Y.shape), Y, "Y", one_hot=True)
    return np.argmax(Y, axis=0)[None, :]
