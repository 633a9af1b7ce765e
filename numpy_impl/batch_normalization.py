"""Batch normalization, forward and backward by hand, in course layout (concept B17).

For one layer l, on the linear output `Z (n_l, m)` of a mini-batch of m examples, before the activation:

    μ = 1/m Σ_i Z[:, i]                     (n_l, 1)   the batch mean of every unit
    σ² = 1/m Σ_i (Z[:, i] - μ)²             (n_l, 1)   the batch variance (biased: 1/m, not 1/(m-1))
    Ẑ = (Z - μ) / √(σ² + ε)                 (n_l, m)   every unit at mean 0, variance 1 over the batch
    Z̃ = γ ⊙ Ẑ + β                           (n_l, m)   γ, β (n_l, 1) learned: the network picks each unit's
                                                       scale and mean (γ = √(σ² + ε), β = μ undo the step)
    A = g(Z̃)

so `Z = W·A_prev` needs no bias b (β takes its place). Backward, with the course's scale (dZ̃ = m·∂J/∂Z̃, the
1/m applied in the parameter gradients, as `db = 1/m Σ dZ` is in the deep network):

    dβ = 1/m Σ_i dZ̃,   dγ = 1/m Σ_i dZ̃ ⊙ Ẑ,   dẐ = γ ⊙ dZ̃
    dZ = 1/m · 1/√(σ² + ε) · (m·dẐ - Σ_i dẐ - Ẑ ⊙ Σ_i (dẐ ⊙ Ẑ))

(μ and σ² depend on every column of Z: the last two terms are that dependence). At test time there is no
batch: μ and σ² are replaced by exponentially weighted averages over the training mini-batches,
`v := β_ewa·v + (1 - β_ewa)·θ` (β_ewa is Keras's `momentum`), so a prediction does not depend on the other
examples it is computed with.

The network here: [LINEAR (no b) -> BATCH NORM -> RELU] x (L-1) -> LINEAR (with bL) -> SIGMOID, binary labels.
Parameters `{"W1" (n_1, n_x), "gamma1" (n_1, 1), "beta1" (n_1, 1), ..., "WL" (1, n_{L-1}), "bL" (1, 1)}`;
moving statistics `{"mu1", "var1", ...}` (n_l, 1), separate from the parameters (they are not learned by
gradient descent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from numpy_impl import activations as act
from numpy_impl import deep_network as nd
from numpy_impl.validation import (
    as_float_array,
    check_beta,
    check_column,
    check_count,
    check_finite,
    check_keys,
    check_learning_rate,
    check_positive,
    check_prediction_and_labels,
    check_same_shape,
    check_training_finite,
    check_X,
    check_Z,
)

EPSILON = 1e-3  # Keras's default epsilon; both sides always pass it explicitly
MOMENTUM = 0.99  # Keras's default momentum = the EWA's β for the moving statistics


# ---------------------------------------------------------------- one layer


def batchnorm_forward(Z, gamma, beta, epsilon=EPSILON):
    """Z̃ = γ ⊙ (Z - μ)/√(σ² + ε) + β with the batch's μ and biased σ².

    Z (n_l, m), gamma, beta (n_l, 1) -> Z_tilde (n_l, m), cache (Z_norm, gamma, mu, var, epsilon) with mu, var
    (n_l, 1) the batch statistics (`update_moving_averages` takes them).
    """
    Z = check_Z(Z)
    n = Z.shape[0]
    gamma, beta = check_column(gamma, n, "gamma").astype(Z.dtype), check_column(beta, n, "beta").astype(Z.dtype)
    return _batchnorm_forward(Z, gamma, beta, check_positive(epsilon, "epsilon"))


def _batchnorm_forward(Z, gamma, beta, epsilon):
    """`batchnorm_forward` without the checks (the network calls it on its own Z)."""
    mu = np.mean(Z, axis=1, keepdims=True)
    var = np.mean((Z - mu) ** 2, axis=1, keepdims=True)
    Z_norm = (Z - mu) / np.sqrt(var + Z.dtype.type(epsilon))
    return gamma * Z_norm + beta, (Z_norm, gamma, mu, var, epsilon)


def batchnorm_backward(dZ_tilde, cache):
    """dZ, dγ, dβ from dZ̃ (the course's scale: dZ̃ and dZ carry no 1/m, dγ and dβ do).

    dZ_tilde (n_l, m), cache from `batchnorm_forward` -> dZ (n_l, m), dgamma (n_l, 1), dbeta (n_l, 1):
    dβ = 1/m Σ dZ̃, dγ = 1/m Σ dZ̃ ⊙ Ẑ, dZ = 1/m · 1/√(σ² + ε) · (m·dẐ - Σ dẐ - Ẑ ⊙ Σ dẐ ⊙ Ẑ), dẐ = γ ⊙ dZ̃.
    """
    Z_norm, gamma, _, var, epsilon = cache
    dZ_tilde = as_float_array(dZ_tilde, "dZ_tilde")
    check_same_shape(dZ_tilde, Z_norm, "dZ_tilde", "Z")
    m = Z_norm.shape[1]
    dbeta = np.sum(dZ_tilde, axis=1, keepdims=True) / m
    dgamma = np.sum(dZ_tilde * Z_norm, axis=1, keepdims=True) / m
    dZ_norm = gamma * dZ_tilde
    dZ = (m * dZ_norm - np.sum(dZ_norm, axis=1, keepdims=True)
          - Z_norm * np.sum(dZ_norm * Z_norm, axis=1, keepdims=True)) / (m * np.sqrt(var + var.dtype.type(epsilon)))
    return dZ, dgamma, dbeta


def initialize_moving_averages(parameters: Mapping) -> dict[str, np.ndarray]:
    """The moving statistics before any training: `mu{l}` = 0 and `var{l}` = 1, (n_l, 1) per batch-norm layer.

    The notes' EWA starts at v = 0; the variance starts at 1 (Keras's start too) so that a network used at
    test time before any training step divides by √(1 + ε), not by √ε.
    """
    stats = {}
    for key, gamma in parameters.items():
        if key.startswith("gamma"):
            l = key[len("gamma"):]
            stats[f"mu{l}"] = np.zeros_like(np.asarray(gamma))
            stats[f"var{l}"] = np.ones_like(np.asarray(gamma))
    return stats


def update_moving_averages(moving: Mapping, batch_stats: Mapping, momentum=MOMENTUM) -> dict[str, np.ndarray]:
    """v := β·v + (1 - β)·θ for every `mu{l}`, `var{l}`: the EWA of the batch statistics, β = `momentum`.

    moving, batch_stats: `{"mu1", "var1", ...}` (n_l, 1) -> the new moving statistics (a new dict).
    1 - β is formed in double precision before being rounded to the statistics' dtype (as Keras does).
    """
    momentum = check_beta(momentum, "momentum")
    check_keys(batch_stats, list(moving), "batch_stats")
    out = {}
    for key, v in moving.items():
        v = np.asarray(v)
        theta = check_column(batch_stats[key], v.shape[0], f"batch {key}")
        out[key] = v * v.dtype.type(momentum) + theta * v.dtype.type(1.0 - momentum)
    return out


def batchnorm_inference(Z, gamma, beta, mu, var, epsilon=EPSILON):
    """Z̃ = γ ⊙ (Z - μ)/√(σ² + ε) + β with the moving μ, σ²: each example on its own (no batch statistics).

    Z (n_l, m), gamma, beta, mu, var (n_l, 1) -> Z_tilde (n_l, m).
    """
    Z = check_Z(Z)
    n = Z.shape[0]
    gamma, beta = check_column(gamma, n, "gamma").astype(Z.dtype), check_column(beta, n, "beta").astype(Z.dtype)
    mu, var = check_column(mu, n, "mu").astype(Z.dtype), check_column(var, n, "var").astype(Z.dtype)
    return gamma * (Z - mu) / np.sqrt(var + Z.dtype.type(check_positive(epsilon, "epsilon"))) + beta


# ---------------------------------------------------------------- the network


def number_of_bn_layers(parameters: Mapping) -> int:
    """L for `{"W1", "gamma1", "beta1", ..., "WL", "bL"}`, after checking keys and shapes."""
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    L = sum(1 for k in parameters if k.startswith("W") and k[1:].isdigit())
    if L == 0:
        raise KeyError(f"parameters must hold W1, gamma1, beta1, ..., WL, bL; it has {sorted(parameters)}")
    expected = [f"{p}{l}" for l in range(1, L) for p in ("W", "gamma", "beta")] + [f"W{L}", f"b{L}"]
    check_keys(parameters, expected, "parameters")
    for l in range(1, L + 1):
        W = np.shape(parameters[f"W{l}"])
        columns = [f"b{L}"] if l == L else [f"gamma{l}", f"beta{l}"]
        if len(W) != 2 or any(np.shape(parameters[c]) != (W[0], 1) for c in columns):
            raise ValueError(f"W{l} must be (n_{l}, n_{l-1}) and {', '.join(columns)} (n_{l}, 1); got W{l} {W}, "
                             + ", ".join(f"{c} {np.shape(parameters[c])}" for c in columns))
        if l > 1 and W[1] != np.shape(parameters[f"W{l-1}"])[0]:
            raise ValueError(f"W{l} has shape {W} but W{l-1} has {np.shape(parameters[f'W{l-1}'])}")
    return L


def initialize_parameters_bn(layer_dims, seed: int = 1) -> dict[str, np.ndarray]:
    """`np.random.seed(seed)`, `W[l] = randn(n_l, n_{l-1}) / √n_{l-1}`; γ = 1, β = 0; the output's bL = 0.

    layer_dims (n_x, n_1, ..., n_{L-1}, 1) -> {"W1", "gamma1", "beta1", ..., "WL", "bL"} (no b in the
    batch-normalized layers: β replaces it).
    """
    base = nd.initialize_seeded(layer_dims, seed, nd.SCALES["xavier"])
    L = len(layer_dims) - 1
    parameters = {}
    for l in range(1, L + 1):
        parameters[f"W{l}"] = base[f"W{l}"]
        if l < L:
            parameters[f"gamma{l}"] = np.ones((layer_dims[l], 1))
            parameters[f"beta{l}"] = np.zeros((layer_dims[l], 1))
    parameters[f"b{L}"] = base[f"b{L}"]
    return parameters


def bn_model_forward(X, parameters: Mapping, epsilon=EPSILON, moving: Mapping | None = None):
    """[LINEAR -> BATCH NORM -> RELU] x (L-1) -> LINEAR -> SIGMOID.

    X (n_x, m) -> AL (1, m), caches, batch_stats. With `moving=None` (training) every layer normalizes with
    its batch's μ, σ² and `batch_stats` holds them `{"mu1", "var1", ...}`; with `moving` (test time) the moving
    statistics are used, each example alone, and `batch_stats` is empty. caches[l-1] = (A_prev, W, bn_cache,
    Z_tilde) for l < L and ((A_prev, WL, bL), ZL) for the output layer (ZL: the logits).
    """
    L = number_of_bn_layers(parameters)
    epsilon = check_positive(epsilon, "epsilon")
    A = check_X(X, n_x=np.shape(parameters["W1"])[1])
    if moving is not None:
        check_keys(moving, [f"{s}{l}" for l in range(1, L) for s in ("mu", "var")], "moving")
    caches, batch_stats = [], {}
    for l in range(1, L):
        W = as_float_array(parameters[f"W{l}"], f"W{l}")
        check_finite(W, f"W{l}")
        Z = np.dot(W, A)
        gamma = check_column(parameters[f"gamma{l}"], Z.shape[0], f"gamma{l}").astype(Z.dtype)
        beta = check_column(parameters[f"beta{l}"], Z.shape[0], f"beta{l}").astype(Z.dtype)
        if moving is None:
            Z_tilde, bn_cache = _batchnorm_forward(Z, gamma, beta, epsilon)
            batch_stats[f"mu{l}"], batch_stats[f"var{l}"] = bn_cache[2], bn_cache[3]
        else:
            Z_tilde = batchnorm_inference(Z, gamma, beta, moving[f"mu{l}"], moving[f"var{l}"], epsilon)
            bn_cache = None
        caches.append((A, W, bn_cache, Z_tilde))
        A = act.relu(Z_tilde)
    WL = check_column(parameters[f"W{L}"].T, np.shape(parameters[f"W{L}"])[1], f"W{L}.T").T.astype(A.dtype)
    bL = check_column(parameters[f"b{L}"], 1, f"b{L}").astype(A.dtype)
    ZL = np.dot(WL, A) + bL
    caches.append(((A, WL, bL), ZL))
    return act.sigmoid(ZL), caches, batch_stats


def bn_model_backward(AL, Y, caches: Sequence) -> dict[str, np.ndarray]:
    """Every gradient from the training-mode caches of `bn_model_forward`, starting from dZL = AL - Y.

    AL, Y (1, m) -> grads {"dWL", "dbL", "dW{l}", "dgamma{l}", "dbeta{l}", "dZ{l}"} (course scale: dZ without
    1/m). Per hidden layer: dA -> dZ̃ = dA ⊙ relu'(Z̃) -> `batchnorm_backward` -> dZ -> dW = 1/m dZ A_prevᵀ,
    dA_prev = Wᵀ dZ.
    """
    AL, Y, _ = check_prediction_and_labels(AL, Y, "AL", probabilities=True)
    if not isinstance(caches, list | tuple) or len(caches) == 0 or np.shape(caches[-1][1]) != AL.shape:
        raise ValueError("caches must be the non-empty list returned by bn_model_forward for this AL")
    if any(c[2] is None for c in caches[:-1]):
        raise ValueError("caches come from a test-time forward pass (moving statistics): there is nothing to "
                         "backpropagate through; call bn_model_forward with moving=None")
    L = len(caches)
    grads = {f"dZ{L}": AL - Y}
    dA, grads[f"dW{L}"], grads[f"db{L}"] = nd.linear_backward(grads[f"dZ{L}"], caches[-1][0])
    for l in reversed(range(1, L)):
        A_prev, W, bn_cache, Z_tilde = caches[l - 1]
        dZ_tilde = act.relu_backward(dA, Z_tilde)
        dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = batchnorm_backward(dZ_tilde, bn_cache)
        grads[f"dZ{l}"] = dZ
        grads[f"dW{l}"] = np.dot(dZ, A_prev.T) / A_prev.shape[1]
        dA = np.dot(W.T, dZ)
    return grads


def bn_cost(AL, Y, caches):
    """J = -1/m Σ (Y log AL + (1-Y) log(1-AL)), computed from the logits ZL (stable).  -> 0-d value."""
    return nd.compute_cost_from_logits(caches[-1][1], Y)


def update_parameters_bn(parameters: Mapping, grads: Mapping, learning_rate) -> dict[str, np.ndarray]:
    """p := p - α dp for every parameter (W, γ, β, bL); a new dict, α in the parameters' dtype."""
    learning_rate = check_learning_rate(learning_rate)
    check_keys(grads, [f"d{k}" for k in parameters], "grads")
    out = {}
    for k, v in parameters.items():
        v = np.asarray(v)
        check_same_shape(v, grads[f"d{k}"], k, f"d{k}")
        out[k] = v - v.dtype.type(learning_rate) * grads[f"d{k}"]
    return out


def bn_model_train(mini_batches: Sequence, parameters: Mapping, learning_rate, num_epochs: int,
                   momentum=MOMENTUM, epsilon=EPSILON, moving: Mapping | None = None):
    """Mini-batch gradient descent with batch norm: for every epoch, for every (X_t, Y_t) in order, forward
    with the batch's statistics, cost, backward, update, and the moving statistics' EWA step.

    mini_batches: [(X_t (n_x, m_t), Y_t (1, m_t)), ...] -> (parameters, moving, costs) with one cost per
    mini-batch step (before its update). `moving=None` starts from `initialize_moving_averages`.
    A non-finite cost stops the run, naming the step.
    """
    check_learning_rate(learning_rate)
    num_epochs = check_count(num_epochs, "num_epochs")
    check_beta(momentum, "momentum")
    check_positive(epsilon, "epsilon")
    if not isinstance(mini_batches, list | tuple) or len(mini_batches) == 0:
        raise ValueError("mini_batches must be a non-empty list of (X_t, Y_t) pairs")
    number_of_bn_layers(parameters)
    moving = dict(moving) if moving is not None else initialize_moving_averages(parameters)
    costs = []
    for _ in range(num_epochs):
        for X_t, Y_t in mini_batches:
            with np.errstate(over="ignore", invalid="ignore"):  # a diverged run is reported below, by step
                if all(np.all(np.isfinite(p)) for p in parameters.values()):
                    AL, caches, batch_stats = bn_model_forward(X_t, parameters, epsilon)
                    cost = bn_cost(AL, Y_t, caches) if np.all(np.isfinite(caches[-1][1])) else np.nan
                else:  # the last update overflowed: this step's cost would be NaN
                    cost = np.nan
            check_training_finite(len(costs), learning_rate, cost=cost)
            costs.append(cost)
            with np.errstate(over="ignore", invalid="ignore"):
                grads = bn_model_backward(AL, Y_t, caches)
            parameters = update_parameters_bn(parameters, grads, learning_rate)
            moving = update_moving_averages(moving, batch_stats, momentum)
    return parameters, moving, costs


def bn_predict(X, parameters: Mapping, moving: Mapping, epsilon=EPSILON) -> np.ndarray:
    """ŷ = 1 where AL > 0.5 at test time (moving statistics), else 0.  X (n_x, m) -> (1, m) of X's dtype."""
    AL, _, _ = bn_model_forward(X, parameters, epsilon, moving)
    return (AL > 0.5).astype(AL.dtype)
