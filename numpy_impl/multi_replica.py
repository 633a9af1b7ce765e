"""Data-parallel training by hand: the global batch split over R replicas, the full-batch step recovered (X1).

A global batch of G examples `X (n_x, G)` is cut into R shards `X_r (n_x, m_r)`, Σ m_r = G (contiguous
columns, as `split_batch` does). Each replica computes the gradient of its share of the global cost,

    J_r = 1/G Σ_{i in shard r} L(ŷ_i, y_i)  +  1/R · λ/(2m) Σ_l ‖W[l]‖²_F

(the data term divided by the *global* G, not by m_r; the L2 penalty, which every replica sees whole, divided
by R), and the replicas' gradients are summed (an all-reduce). Then Σ_r J_r = J and Σ_r dW_r = dW of the
full batch: the step is the single-device full-batch step. Dividing by m_r instead (each replica's own mean)
would weight the examples of a smaller shard more; adding the whole penalty on every replica would count it
R times. `tf.nn.compute_average_loss(per_example, global_batch_size=G)` and `tf.nn.scale_regularization_loss`
are these two divisions on the TF side (keras_impl/multi_replica.py).

The network is the deep network of `numpy_impl.deep_network` ([LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID).
With batch norm the shards cannot be treated alone: μ and σ² must be those of the global batch (synchronized
batch norm), which is the full-batch computation of `numpy_impl.batch_normalization`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from numpy_impl import deep_network as nd
from numpy_impl.validation import check_count, check_lambd, check_X_Y, number_of_layers


def split_batch(X, Y, num_replicas: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The global batch as R contiguous shards of columns: sizes differ by at most 1, the first ones larger.

    X (n_x, G), Y (n_y, G) -> [(X_r (n_x, m_r), Y_r (n_y, m_r)), ...], R = `num_replicas` <= G.
    """
    X, Y = check_X_Y(X, Y)
    R = check_count(num_replicas, "num_replicas")
    G = X.shape[1]
    if R > G:
        raise ValueError(f"num_replicas = {R} exceeds the global batch size G = {G}: a replica would get no example")
    bounds = np.cumsum([0] + [G // R + (r < G % R) for r in range(R)])
    return [(X[:, a:b], Y[:, a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def replica_cost_and_grads(X_r, Y_r, parameters: Mapping, G: int, num_replicas: int, lambd=0.0, m=None):
    """J_r and its gradients on one shard: the shard's mean cost and gradients times m_r/G, plus 1/R of the L2
    term (λ/(2m) Σ ‖W‖², gradient λ/m W; m defaults to G).

    X_r (n_x, m_r), Y_r (1, m_r) -> (J_r, grads {"dW1", "db1", ...}).
    """
    L = number_of_layers(parameters)
    lambd = check_lambd(lambd)
    m = G if m is None else check_count(m, "m")
    AL, caches = nd.L_model_forward(X_r, parameters)
    grads = nd.L_model_backward(AL, Y_r, caches)
    share = AL.dtype.type(X_r.shape[1] / G)
    cost = share * nd.compute_cost_from_logits(caches[-1][1], Y_r)
    out = {}
    for l in range(1, L + 1):
        W = np.asarray(parameters[f"W{l}"])
        out[f"dW{l}"] = share * grads[f"dW{l}"] + W.dtype.type(lambd / m / num_replicas) * W
        out[f"db{l}"] = share * grads[f"db{l}"]
        cost = cost + W.dtype.type(lambd / (2 * m) / num_replicas) * np.sum(np.square(W))
    return cost, out


def all_reduce_sum(values: list[Mapping]) -> dict[str, np.ndarray]:
    """Σ_r values_r key by key: what the all-reduce of the replicas' gradients computes."""
    return {k: sum(v[k] for v in values) for k in values[0]}


def sharded_cost_and_grads(X, Y, parameters: Mapping, num_replicas: int, lambd=0.0, m=None):
    """Σ_r J_r and the all-reduced gradient Σ_r dW_r over `split_batch(X, Y, R)`: equal to the full batch's."""
    shards = split_batch(X, Y, num_replicas)
    G = sum(X_r.shape[1] for X_r, _ in shards)
    results = [replica_cost_and_grads(X_r, Y_r, parameters, G, num_replicas, lambd, m) for X_r, Y_r in shards]
    return sum(c for c, _ in results), all_reduce_sum([g for _, g in results])
