"""L2 regularization and (inverted) dropout, NumPy from scratch, in the course's API (concepts B3 and B4).

The course's regularization assignment trains the 3-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR ->
SIGMOID, `layers_dims = [n_x, 20, 3, 1]`, by full-batch gradient descent (α = 0.3, 30000 iterations):

    L2        J_reg = J + λ/(2m) Σ_l ‖W[l]‖_F²             dW[l] += λ/m · W[l]        (biases are not penalised)
    dropout   D[l] = rand(n_l, m) < keep_prob,  A[l] = A[l] * D[l] / keep_prob          (hidden layers only)
              backward: dA[l] = dA[l] * D[l] / keep_prob, then dZ[l] = dA[l] * relu'(Z[l])

"Inverted" dropout divides by keep_prob during training so that E[A[l]] is unchanged and inference needs no
rescaling: at test time the network runs without dropout (`forward_propagation`).

The course's `forward_propagation_with_dropout` calls `np.random.seed(1)` on *every* call, so the masks D1, D2
are the same at every iteration of the course's training loop (a fixed thinned network, not a fresh one per
step). That is reproduced here because it gives the course's numbers; a fresh mask per step is what
`keras.layers.Dropout` draws.

Shapes: `X (n_x, m)`, `Y (1, m)`, `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`, `Z[l], A[l], D[l] (n_l, m)`.
Caches are the course's tuples: `(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)` without dropout and
`(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)` with it (A[l] after the mask). The general L-layer
forms are `l2_regularization_cost` and `L_model_backward_with_regularization` (on `numpy_impl.deep_network`'s
caches). float32 inputs and parameters stay float32.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from numpy_impl import deep_network as dn
from numpy_impl.activations import relu, sigmoid
from numpy_impl.validation import (
    as_float_array,
    check_count,
    check_finite,
    check_keep_prob,
    check_lambd,
    check_learning_rate,
    check_X,
    check_Y_course,
    number_of_layers,
)

COURSE_HIDDEN = (20, 3)  # the course's layers_dims = [X.shape[0], 20, 3, 1]
CACHE = ("Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
DROPOUT_CACHE = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")


def _course_parameters(parameters: Mapping) -> None:
    if number_of_layers(parameters) != 3:
        raise ValueError(f"the course's 3-layer network needs W1, b1, W2, b2, W3, b3; got {sorted(parameters)}")


def _course_cache(cache, names: tuple[str, ...]) -> tuple:
    if not isinstance(cache, tuple) or len(cache) != len(names):
        size = len(cache) if hasattr(cache, "__len__") else "?"
        raise ValueError(f"cache must be the {len(names)}-tuple ({', '.join(names)}) of the matching forward "
                         f"propagation, got {type(cache).__name__} of length {size}")
    return cache


def _labels(Y, A3: np.ndarray) -> np.ndarray:
    """Y (1, m) (a 1-D (m,) is read as one row, as the course's broadcasting does), in A3's dtype."""
    if np.ndim(Y) == 1 and np.shape(Y)[0] == A3.shape[1]:
        Y = np.reshape(Y, (1, -1))
    return check_Y_course(Y, m=A3.shape[1], n_y=A3.shape[0]).astype(A3.dtype, copy=False)


# ---------------------------------------------------------------- the course's network without regularization

def initialize_parameters(layer_dims) -> dict[str, np.ndarray]:
    """The assignment's initialiser: `np.random.seed(3)`, `W[l] = randn(n_l, n_{l-1}) / sqrt(n_{l-1})`, `b[l] = 0`.

    layer_dims [n_x, n_1, ..., n_L] -> parameters {"W1" (n_1, n_x), "b1" (n_1, 1), ...}.
    """
    return dn.initialize_seeded(layer_dims, 3, lambda n_prev: 1 / np.sqrt(n_prev))


def forward_propagation(X, parameters: Mapping):
    """Z1 = W1 X + b1, A1 = relu(Z1), Z2 = W2 A1 + b2, A2 = relu(Z2), Z3 = W3 A2 + b3, A3 = σ(Z3).

    X (n_x, m), parameters {"W1", ..., "b3"} -> A3 (1, m), cache (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3).
    """
    _course_parameters(parameters)
    return _forward(check_X(X, n_x=np.shape(parameters["W1"])[1]), parameters)


def _forward(X: np.ndarray, parameters: Mapping, keep_prob=None, masks=None):
    """The 3-layer forward pass on checked inputs; with a keep_prob, dropout on A1, A2 with the given masks or
    (masks=None) the course's draw after `np.random.seed(1)`."""
    W1, b1, W2, b2, W3, b3 = (np.asarray(parameters[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    dropout = keep_prob is not None
    if dropout:
        if masks is None:
            np.random.seed(1)
            D1 = (np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob).astype(int)
        else:
            D1 = masks[0]
        A1 = A1 * D1.astype(A1.dtype) / A1.dtype.type(keep_prob)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    if dropout:
        D2 = (np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob).astype(int) if masks is None else masks[1]
        A2 = A2 * D2.astype(A2.dtype) / A2.dtype.type(keep_prob)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    if dropout:
        return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def compute_cost(A3, Y):
    """J = 1/m nansum(-Y log A3 - (1-Y) log(1-A3)), the assignment's cost (naive, as the course writes it).

    A3, Y (1, m) -> scalar of A3's dtype. Where A3 rounds to exactly 0 or 1 a wrong prediction gives +inf; the
    nan of a right saturated one (0·log 0) is dropped by `nansum`. The stable form from Z3 is
    `numpy_impl.deep_network.compute_cost_from_logits`.
    """
    A3 = as_float_array(A3, "A3")
    if A3.ndim != 2:
        raise ValueError(f"A3 must be 2-D (1, m), got shape {A3.shape}")
    check_finite(A3, "A3")
    Y = _labels(Y, A3)
    if np.any((A3 < 0) | (A3 > 1)):
        raise ValueError(f"A3 must hold probabilities in [0, 1], got values in [{A3.min()}, {A3.max()}]")
    return _cost(A3, Y)


def _cost(A3: np.ndarray, Y: np.ndarray):
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
        return np.squeeze(A3.dtype.type(1.0 / m) * np.nansum(logprobs))[()]


def _backward(X, Y, cache: tuple, lambd=0, keep_prob=1, masks=None) -> dict[str, np.ndarray]:
    """The 3-layer backward pass: dZ3 = A3 - Y, then the hidden layers (with dropout masks and/or L2)."""
    X = check_X(X, n_x=np.shape(cache[2])[1])
    A3 = as_float_array(cache[9], "A3")
    return _backward_checked(X, _labels(Y, A3), cache, lambd, keep_prob, masks)


def _backward_checked(X: np.ndarray, Y: np.ndarray, cache: tuple, lambd=0, keep_prob=1, masks=None):
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    m = X.shape[1]
    dtype = A3.dtype.type
    inv_m, reg = dtype(1.0 / m), dtype(lambd / m)
    dZ3 = A3 - Y
    dW3 = inv_m * np.dot(dZ3, A2.T) + reg * W3
    db3 = inv_m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    if masks is not None:
        dA2 = dA2 * masks[1].astype(dA2.dtype) / dtype(keep_prob)
    dZ2 = np.multiply(dA2, (A2 > 0).astype(dA2.dtype))
    dW2 = inv_m * np.dot(dZ2, A1.T) + reg * W2
    db2 = inv_m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    if masks is not None:
        dA1 = dA1 * masks[0].astype(dA1.dtype) / dtype(keep_prob)
    dZ1 = np.multiply(dA1, (A1 > 0).astype(dA1.dtype))
    dW1 = inv_m * np.dot(dZ1, X.T) + reg * W1
    db1 = inv_m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def backward_propagation(X, Y, cache) -> dict[str, np.ndarray]:
    """dZ3 = A3 - Y, dW3 = 1/m dZ3 A2ᵀ, db3 = 1/m Σ dZ3, dA2 = W3ᵀ dZ3, dZ2 = dA2 * 1[A2 > 0], ... down to dW1, db1.

    X (n_x, m), Y (1, m), cache of `forward_propagation` -> gradients {"dZ3", "dW3", "db3", "dA2", "dZ2", "dW2",
    "db2", "dA1", "dZ1", "dW1", "db1"} (each like the quantity it differentiates). relu'(Z) is read as A > 0.
    """
    return _backward(X, Y, _course_cache(cache, CACHE))


# ---------------------------------------------------------------- L2 regularization (B3)

def l2_regularization_cost(parameters: Mapping, lambd, m):
    """λ/(2m) Σ_l ‖W[l]‖_F² over every layer l = 1..L (biases are not penalised).

    parameters {"W1", "b1", ..., "WL", "bL"}, λ >= 0, m >= 1 (the number of training examples) -> scalar in the
    parameters' dtype. The general L-layer penalty; `compute_cost_with_regularization` adds it to J.
    """
    L = number_of_layers(parameters)
    check_lambd(lambd)
    m = check_count(m, "m")
    Ws = [as_float_array(parameters[f"W{l}"], f"W{l}") for l in range(1, L + 1)]
    dtype = Ws[0].dtype.type
    total = sum(np.sum(np.square(W)) for W in Ws)
    return np.squeeze(dtype(1.0 / m) * dtype(lambd / 2) * total)[()]


def compute_cost_with_regularization(A3, Y, parameters: Mapping, lambd):
    """J_reg = J + λ/(2m) (‖W1‖² + ‖W2‖² + ‖W3‖²): `compute_cost` plus `l2_regularization_cost`.

    A3, Y (1, m), parameters {"W1", ..., "b3"} (any number of layers works: every W[l] is penalised), λ >= 0
    -> scalar. m is Y's number of columns.
    """
    cross_entropy_cost = compute_cost(A3, Y)
    m = np.shape(A3)[1]
    return cross_entropy_cost + l2_regularization_cost(parameters, lambd, m)


def backward_propagation_with_regularization(X, Y, cache, lambd) -> dict[str, np.ndarray]:
    """`backward_propagation` with dW[l] = 1/m dZ[l] A[l-1]ᵀ + λ/m W[l] (the gradient of λ/(2m) ‖W[l]‖²).

    X (n_x, m), Y (1, m), cache of `forward_propagation`, λ >= 0 -> gradients (same keys as
    `backward_propagation`); db[l] and every dZ, dA are unchanged by L2.
    """
    check_lambd(lambd)
    return _backward(X, Y, _course_cache(cache, CACHE), lambd=lambd)


def L_model_backward_with_regularization(AL, Y, caches, lambd) -> dict[str, np.ndarray]:
    """`deep_network.L_model_backward` for J_reg: every dW[l] gets + λ/m W[l] (the general L-layer form).

    AL, Y (1, m), caches of `deep_network.L_model_forward` (each `((A_prev, W, b), Z)`), λ >= 0 -> grads
    {"dA{l-1}", "dW{l}", "db{l}"}. m is AL's number of columns.
    """
    check_lambd(lambd)
    grads = dn.L_model_backward(AL, Y, caches)
    m = np.shape(AL)[1]
    for l, ((_, W, _), _) in enumerate(caches, start=1):
        grads[f"dW{l}"] = grads[f"dW{l}"] + W.dtype.type(lambd / m) * W
    return grads


def L_model_cost_with_regularization(AL, Y, parameters: Mapping, lambd):
    """`deep_network.compute_cost(AL, Y)` + `l2_regularization_cost(parameters, λ, m)`.  AL, Y (1, m) -> scalar."""
    return dn.compute_cost(AL, Y) + l2_regularization_cost(parameters, lambd, np.shape(AL)[1])


# ---------------------------------------------------------------- dropout (B4)

def forward_propagation_with_dropout(X, parameters: Mapping, keep_prob=0.5):
    """`forward_propagation` with inverted dropout on A1 and A2: D = rand(n_l, m) < keep_prob, A = A * D / keep_prob.

    Calls `np.random.seed(1)` first on every call and draws D1 before D2 (the course's order), so every call with
    the same shapes uses the same masks. X (n_x, m), parameters {"W1", ..., "b3"}, keep_prob in (0, 1] -> A3 (1, m),
    cache (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3); D1, D2 are int 0/1 arrays like A1, A2.
    """
    check_keep_prob(keep_prob)
    _course_parameters(parameters)
    X = check_X(X, n_x=np.shape(parameters["W1"])[1])
    return _forward(X, parameters, keep_prob)


def forward_propagation_with_masks(X, parameters: Mapping, D1, D2, keep_prob):
    """`forward_propagation_with_dropout` with given masks instead of the course's seeded draw.

    D1 (n_1, m), D2 (n_2, m) hold 0/1 (or booleans): for instance the masks a `keras.layers.Dropout` draws, so that
    NumPy and Keras thin the same units. Returns A3 (1, m) and the dropout cache (Z1, D1, A1, ..., W3, b3).
    """
    check_keep_prob(keep_prob)
    _course_parameters(parameters)
    X = check_X(X, n_x=np.shape(parameters["W1"])[1])
    m = X.shape[1]
    masks = []
    for name, D, W in (("D1", D1, "W1"), ("D2", D2, "W2")):
        D = np.asarray(D)
        if D.shape != (np.shape(parameters[W])[0], m) or not np.all((D == 0) | (D == 1)):
            raise ValueError(f"{name} must be a 0/1 mask of shape (n_l, m) = {(np.shape(parameters[W])[0], m)}, "
                             f"got shape {D.shape}")
        masks.append(D.astype(int))
    return _forward(X, parameters, keep_prob, masks)


def backward_propagation_with_dropout(X, Y, cache, keep_prob) -> dict[str, np.ndarray]:
    """`backward_propagation` through the same masks: dA[l] = dA[l] * D[l] / keep_prob before dZ[l] = dA[l] * relu'.

    X (n_x, m), Y (1, m), cache of `forward_propagation_with_dropout`, keep_prob -> gradients (the keys of
    `backward_propagation`; dA1, dA2 are the masked and rescaled ones).
    """
    check_keep_prob(keep_prob)
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = _course_cache(cache, DROPOUT_CACHE)
    return _backward(X, Y, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), keep_prob=keep_prob, masks=(D1, D2))


# ---------------------------------------------------------------- training and prediction

def update_parameters(parameters: Mapping, grads: Mapping, learning_rate) -> dict[str, np.ndarray]:
    """W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l] (a new dict; `parameters` is not modified)."""
    return dn.update_parameters(parameters, grads, learning_rate)


def _check_one_method(lambd, keep_prob) -> None:
    check_lambd(lambd)
    check_keep_prob(keep_prob)
    if lambd != 0 and keep_prob != 1:
        raise ValueError(f"use L2 (lambd > 0) or dropout (keep_prob < 1), not both, as the course's model does; "
                         f"got lambd={lambd!r}, keep_prob={keep_prob!r}")


def train(X, Y, parameters: Mapping, learning_rate=0.3, num_iterations: int = 30000, lambd=0, keep_prob=1,
          print_cost: bool = False):
    """The course's loop from given `parameters`: forward (with dropout if keep_prob < 1), cost (with L2 if λ > 0),
    the matching backward, update. X (n_x, m), Y (1, m) -> (parameters, costs) with the cost of every iteration
    (before its update); the course prints every 10000th and plots every 1000th.

    A non-finite cost or parameter stops the run with an error naming the iteration.
    """
    _check_one_method(lambd, keep_prob)
    _course_parameters(parameters)
    X = check_X(X, n_x=np.shape(parameters["W1"])[1])
    Y = check_Y_course(np.reshape(Y, (1, -1)) if np.ndim(Y) == 1 else Y, m=X.shape[1], n_y=1)
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    Y = Y.astype(X.dtype, copy=False)
    dtype = np.asarray(parameters["W1"]).dtype
    keys = [f"{p}{l}" for l in range(1, 4) for p in "Wb"]
    parameters = {k: np.asarray(parameters[k]) for k in keys}
    alpha = dtype.type(learning_rate)
    m = X.shape[1]
    costs = []
    for i in range(num_iterations):
        A3, cache = _forward(X, parameters, keep_prob if keep_prob != 1 else None)
        cost = _cost(A3, Y)
        if lambd != 0:
            cost = cost + l2_regularization_cost(parameters, lambd, m)
        if not np.isfinite(cost):
            raise FloatingPointError(f"the cost became {cost} at iteration {i}: the run diverged (or saturated); "
                                     f"try a smaller learning_rate than {learning_rate}")
        if keep_prob == 1:
            grads = _backward_checked(X, Y, cache, lambd=lambd)
        else:
            Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
            grads = _backward_checked(X, Y, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), keep_prob=keep_prob,
                                      masks=(D1, D2))
        parameters = {k: parameters[k] - alpha * grads[f"d{k}"] for k in keys}
        costs.append(cost)
        if print_cost and i % 10000 == 0:
            print(f"Cost after iteration {i}: {cost}")
    return parameters, costs


def model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1):
    """The course's driver: layers_dims = [n_x, 20, 3, 1], `initialize_parameters` (seed 3), then `train`.

    X (n_x, m), Y (1, m) -> parameters. λ = 0 and keep_prob = 1 is the unregularized network; the course uses
    λ = 0.7 or keep_prob = 0.86 (one at a time). Prints the cost every 10000 iterations when `print_cost`.
    """
    _check_one_method(lambd, keep_prob)
    X = check_X(X)
    parameters = initialize_parameters([X.shape[0], *COURSE_HIDDEN, 1])
    parameters, _ = train(X, Y, parameters, learning_rate, num_iterations, lambd, keep_prob, print_cost)
    return parameters


def predict(X, y, parameters: Mapping, print_accuracy: bool = True) -> np.ndarray:
    """p = 1 where A3 > 0.5, else 0, with the network run *without* dropout (inference).

    X (n_x, m), y (1, m) -> p (1, m) int. Prints "Accuracy: ..." as the course does (unless `print_accuracy=False`).
    """
    A3, _ = forward_propagation(X, parameters)
    y = _labels(y, A3)
    p = (A3 > 0.5).astype(int)
    if print_accuracy:
        print(f"Accuracy: {np.mean(p[0, :] == y[0, :])}")
    return p
