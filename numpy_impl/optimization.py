"""Optimization algorithms from scratch, in the course's API (concepts B10, B12, B13, B14, B15).

Notation: parameters `{"W1", "b1", ..., "WL", "bL"}` with `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`; grads, the
velocity `v` and the second moment `s` have the keys `dW1, db1, ...` and the shapes of the parameter they
follow. `t` counts the updates from 1 (mini-batches, across epochs). For every parameter `W` with gradient `dW`:

    gradient descent   W := W - α dW
    momentum (B12)     v := β v + (1 - β) dW;                                   W := W - α v
    RMSprop (B13)      s := β s + (1 - β) dW²;                                  W := W - α dW / (√s + ε)
    Adam (B14)         v := β1 v + (1 - β1) dW,  v_corrected = v / (1 - β1^t)
                       s := β2 s + (1 - β2) dW², s_corrected = s / (1 - β2^t)
                       W := W - α v_corrected / (√s_corrected + ε)

The course adds ε outside the square root; the lecture notes write it inside, `√(s + ε)`: both are here
(`eps_inside_sqrt=True` gives the notes' form). Mini-batches (B10): `random_mini_batches` shuffles the m columns
with `np.random.seed(seed); np.random.permutation(m)` and cuts full batches, then the remainder. Learning-rate
decay (B15): `update_lr` α = α0 / (1 + decay_rate·epoch_num), `schedule_lr_decay` α = α0 / (1 + decay_rate·
⌊epoch_num / time_interval⌋), `exponential_lr_decay` α = decay_rate^epoch_num·α0 (the notes' 0.95^epoch·α0),
`sqrt_lr_decay` α = decay_rate/√(epoch_num + 1)·α0 (the notes' k/√epoch·α0 with the notes' epoch counted
from 1). `model` is the course's training driver on the 3-layer network LINEAR→RELU→LINEAR→RELU→LINEAR→SIGMOID
(any `layers_dims`): it updates α after each epoch, so epoch e (from 0) trains with `decay(α0, e - 1)` (α0 for
e = 0). The update functions return new dicts and never modify their arguments; float32 stays float32.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from numpy_impl import deep_network as nd
from numpy_impl.validation import (
    as_float_array,
    check_beta,
    check_count,
    check_finite,
    check_learning_rate,
    check_mini_batch_arguments,
    check_nonnegative,
    check_optimizer_arguments,
    check_state_like,
    check_Y,
    count_layers_by_keys,
    diverged_error,
)


def _as(value: np.ndarray, x):
    """The hyper-parameter x in the array's dtype (an np.float64 α does not turn float32 parameters into float64)."""
    return value.dtype.type(x)


# ---------------------------------------------------------------- gradient descent and mini-batches (B10)

def update_parameters_with_gd(parameters: Mapping, grads: Mapping, learning_rate) -> dict[str, np.ndarray]:
    """W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l]; returns a new dict (parameters is not modified)."""
    check_state_like(parameters, grads, "grads")
    return _gd_step(parameters, grads, check_learning_rate(learning_rate))


def _names(parameters: Mapping):
    """(parameter key, gradient key) for W1, b1, ..., WL, bL (inputs already checked)."""
    return [(f"{p}{l}", f"d{p}{l}") for l in range(1, count_layers_by_keys(parameters) + 1) for p in ("W", "b")]


def _gd_step(parameters, grads, learning_rate):
    out = dict(parameters)
    for name, k in _names(parameters):
        value = np.asarray(parameters[name])
        out[name] = value - _as(value, learning_rate) * np.asarray(grads[k])
    return out


def random_mini_batches(X, Y, mini_batch_size=64, seed=0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The course's mini-batches: `np.random.seed(seed)`, `permutation = np.random.permutation(m)`, the shuffled
    columns cut into ⌊m / mini_batch_size⌋ full batches, then the remainder (m mod mini_batch_size columns) if any.

    X (n_x, m), Y (n_y, m) (the course passes (1, m); any label values, booleans too) -> a list of
    `(mini_batch_X (n_x, size), mini_batch_Y (n_y, size))`. Seeds NumPy's global generator, as the course does.
    """
    X, Y, mini_batch_size = check_mini_batch_arguments(X, Y, mini_batch_size, seed)
    m = X.shape[1]
    np.random.seed(seed)
    permutation = list(np.random.permutation(m))
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    mini_batches = []
    num_complete_minibatches = m // mini_batch_size
    for k in range(num_complete_minibatches):
        cols = slice(k * mini_batch_size, (k + 1) * mini_batch_size)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    if m % mini_batch_size != 0:
        cols = slice(num_complete_minibatches * mini_batch_size, m)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    return mini_batches


# ---------------------------------------------------------------- momentum (B12)

def _zeros_like_parameters(parameters: Mapping) -> dict[str, np.ndarray]:
    L = count_layers_by_keys(parameters)
    return {f"d{p}{l}": np.zeros_like(as_float_array(parameters[f"{p}{l}"], f"{p}{l}"))
            for l in range(1, L + 1) for p in ("W", "b")}


def initialize_velocity(parameters: Mapping) -> dict[str, np.ndarray]:
    """v = {"dW1": zeros like W1, "db1": zeros like b1, ...}."""
    return _zeros_like_parameters(parameters)


def update_parameters_with_momentum(parameters: Mapping, grads: Mapping, v: Mapping, beta, learning_rate):
    """v := β v + (1 - β) dW;  W := W - α v (and the same for every b).

    parameters, grads, v (dicts of arrays of matching shapes) -> (parameters, v), both new dicts.
    """
    check_state_like(parameters, grads, "grads")
    check_state_like(parameters, v, "v")
    return _momentum_step(parameters, grads, v, check_beta(beta), check_learning_rate(learning_rate))


def _momentum_step(parameters, grads, v, beta, learning_rate):
    parameters, v = dict(parameters), dict(v)
    for name, k in _names(parameters):
        value = np.asarray(parameters[name])
        v[k] = _as(value, beta) * np.asarray(v[k]) + _as(value, 1 - beta) * np.asarray(grads[k])
        parameters[name] = value - _as(value, learning_rate) * v[k]
    return parameters, v


# ---------------------------------------------------------------- RMSprop (B13)

def initialize_rmsprop(parameters: Mapping) -> dict[str, np.ndarray]:
    """s = {"dW1": zeros like W1, "db1": zeros like b1, ...}."""
    return _zeros_like_parameters(parameters)


def update_parameters_with_rmsprop(parameters: Mapping, grads: Mapping, s: Mapping, beta, learning_rate,
                                   epsilon=1e-8, eps_inside_sqrt: bool = False):
    """s := β s + (1 - β) dW²;  W := W - α dW / (√s + ε)  (course form), or `W - α dW / √(s + ε)` (notes' form,
    `eps_inside_sqrt=True`, which is what Keras's RMSprop computes).

    parameters, grads, s -> (parameters, s), both new dicts.
    """
    check_state_like(parameters, grads, "grads")
    check_state_like(parameters, s, "s")
    return _rmsprop_step(parameters, grads, s, check_beta(beta), check_learning_rate(learning_rate),
                         check_nonnegative(epsilon, "epsilon"), eps_inside_sqrt)


def _rmsprop_step(parameters, grads, s, beta, learning_rate, epsilon, eps_inside_sqrt):
    parameters, s = dict(parameters), dict(s)
    for name, k in _names(parameters):
        value, g = np.asarray(parameters[name]), np.asarray(grads[k])
        s[k] = _as(value, beta) * np.asarray(s[k]) + _as(value, 1 - beta) * np.square(g)
        eps = _as(value, epsilon)
        denominator = np.sqrt(s[k] + eps) if eps_inside_sqrt else np.sqrt(s[k]) + eps
        parameters[name] = value - _as(value, learning_rate) * g / denominator
    return parameters, s


# ---------------------------------------------------------------- Adam (B14)

def initialize_adam(parameters: Mapping) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(v, s), both {"dW1": zeros like W1, "db1": zeros like b1, ...}."""
    return _zeros_like_parameters(parameters), _zeros_like_parameters(parameters)


def update_parameters_with_adam(parameters: Mapping, grads: Mapping, v: Mapping, s: Mapping, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8, eps_inside_sqrt: bool = False):
    """The course's Adam step number t (from 1):

        v := β1 v + (1 - β1) dW,    v_corrected = v / (1 - β1^t)
        s := β2 s + (1 - β2) dW²,   s_corrected = s / (1 - β2^t)
        W := W - α v_corrected / (√s_corrected + ε)      (notes' form, eps_inside_sqrt=True: √(s_corrected + ε))

    parameters, grads, v, s (dicts of matching shapes), t (int >= 1) -> (parameters, v, s, v_corrected,
    s_corrected), all new dicts.
    """
    check_state_like(parameters, grads, "grads")
    check_state_like(parameters, v, "v")
    check_state_like(parameters, s, "s")
    return _adam_step(parameters, grads, v, s, check_count(t, "t"), check_learning_rate(learning_rate),
                      check_beta(beta1, "beta1"), check_beta(beta2, "beta2"), check_nonnegative(epsilon, "epsilon"),
                      eps_inside_sqrt)


def _adam_step(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, eps_inside_sqrt):
    parameters, v, s = dict(parameters), dict(v), dict(s)
    v_corrected, s_corrected = {}, {}
    for name, k in _names(parameters):
        value, g = np.asarray(parameters[name]), np.asarray(grads[k])
        b1, b2 = _as(value, beta1), _as(value, beta2)
        v[k] = b1 * np.asarray(v[k]) + _as(value, 1 - beta1) * g
        v_corrected[k] = v[k] / (1 - np.power(b1, t))
        s[k] = b2 * np.asarray(s[k]) + _as(value, 1 - beta2) * np.square(g)
        s_corrected[k] = s[k] / (1 - np.power(b2, t))
        eps = _as(value, epsilon)
        denominator = np.sqrt(s_corrected[k] + eps) if eps_inside_sqrt else np.sqrt(s_corrected[k]) + eps
        parameters[name] = value - _as(value, learning_rate) * v_corrected[k] / denominator
    return parameters, v, s, v_corrected, s_corrected


# ---------------------------------------------------------------- learning-rate decay (B15)

def _check_epoch(epoch_num) -> int:
    return check_count(epoch_num, "epoch_num", minimum=0)


def update_lr(learning_rate0, epoch_num, decay_rate) -> float:
    """α = α0 / (1 + decay_rate·epoch_num), a Python float."""
    learning_rate0, epoch_num = check_learning_rate(learning_rate0, "learning_rate0"), _check_epoch(epoch_num)
    return float(1 / (1 + check_nonnegative(decay_rate, "decay_rate") * epoch_num) * learning_rate0)


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000) -> float:
    """α = α0 / (1 + decay_rate·⌊epoch_num / time_interval⌋) (a staircase: α changes every time_interval epochs)."""
    learning_rate0, epoch_num = check_learning_rate(learning_rate0, "learning_rate0"), _check_epoch(epoch_num)
    time_interval = check_count(time_interval, "time_interval")
    decay_rate = check_nonnegative(decay_rate, "decay_rate")
    return float(1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0)


def exponential_lr_decay(learning_rate0, epoch_num, decay_rate=0.95) -> float:
    """α = decay_rate^epoch_num·α0 (the notes' 0.95^epoch·α0), a Python float."""
    learning_rate0, epoch_num = check_learning_rate(learning_rate0, "learning_rate0"), _check_epoch(epoch_num)
    return float(check_nonnegative(decay_rate, "decay_rate") ** epoch_num * learning_rate0)


def sqrt_lr_decay(learning_rate0, epoch_num, decay_rate=1.0) -> float:
    """α = k/√(epoch_num + 1)·α0 with k = decay_rate: the notes' k/√epoch·α0, epochs counted from 1 there and
    from 0 here (the course's loop counter), so that epoch_num = 0 gives k·α0 instead of a division by zero."""
    learning_rate0, epoch_num = check_learning_rate(learning_rate0, "learning_rate0"), _check_epoch(epoch_num)
    return float(check_nonnegative(decay_rate, "decay_rate") / math.sqrt(epoch_num + 1) * learning_rate0)


DECAYS: dict[str, Callable] = {"update_lr": update_lr, "schedule_lr_decay": schedule_lr_decay,
                               "exponential_lr_decay": exponential_lr_decay, "sqrt_lr_decay": sqrt_lr_decay}


def learning_rate_of_epoch(learning_rate0, epoch, decay=None, decay_rate=1) -> float:
    """The α the course's `model` trains epoch `epoch` (from 0) with: α0 for epoch 0 and without decay, else
    `decay(α0, epoch - 1, decay_rate)` (the course updates α at the *end* of each epoch)."""
    if decay is None or epoch == 0:
        return float(learning_rate0)
    return decay(learning_rate0, epoch - 1, decay_rate)


# ---------------------------------------------------------------- the course's training driver

def initialize_parameters(layers_dims) -> dict[str, np.ndarray]:
    """The optimization assignment's initialiser: `np.random.seed(3)`, `W[l] = randn(n_l, n_{l-1})·√(2/n_{l-1})`,
    `b[l] = zeros((n_l, 1))`."""
    return nd.initialize_seeded(layers_dims, 3, lambda n_prev: np.sqrt(2 / n_prev), name="layers_dims")


def forward_propagation(X, parameters: Mapping):
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID.  X (n_x, m) -> (AL (1, m), caches), caches[l-1] =
    ((A[l-1], W[l], b[l]), Z[l]) as in the deep network; the checks of `deep_network.L_model_forward` first."""
    nd.L_model_forward(X, parameters)
    return _forward(np.asarray(X), parameters, count_layers_by_keys(parameters))


def _forward(X, parameters, L):
    """The forward pass without input checks (the training loop checks once, not 25,000 times)."""
    A, caches = X, []
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = np.dot(W, A) + b
        caches.append(((A, W, b), Z))
        if l < L:
            A = np.maximum(Z, 0)
        else:  # σ(Z) without overflow (the form of numpy_impl.activations.sigmoid, without its checks)
            e = np.exp(-np.abs(Z))
            A = np.where(Z >= 0, 1 / (1 + e), e / (1 + e))
    return A, caches


def compute_cost(AL, Y):
    """The course's mini-batch cost: the **sum** Σ -(Y log AL + (1 - Y) log(1 - AL)) over the batch's columns
    (the epoch cost is the sum over the batches divided by m). Naive on purpose (course numbers): infinite where
    AL rounds to 0 or 1 against its label. AL, Y (1, m_batch) -> float."""
    AL = as_float_array(AL, "AL")
    Y = np.asarray(Y, dtype=AL.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)))


def backward_propagation(AL, Y, caches) -> dict[str, np.ndarray]:
    """The course's backward pass: dZL = AL - Y (the derivative of the mean cross-entropy through the sigmoid,
    divided by m_batch in `linear_backward`), then `dW[l] = 1/m dZ[l] A[l-1]ᵀ`, `db[l] = 1/m Σ dZ[l]`, relu' below.

    AL, Y (1, m), caches from `forward_propagation` -> grads {"dW{l}", "db{l}", "dA{l-1}"}.
    """
    AL = as_float_array(AL, "AL")
    if not isinstance(caches, list | tuple) or len(caches) == 0 or np.shape(caches[-1][1]) != AL.shape:
        raise ValueError(f"caches must be the non-empty list forward_propagation returned with AL {AL.shape}")
    return _backward(AL, check_Y(Y, m=AL.shape[1], n_y=AL.shape[0]).astype(AL.dtype), caches)


def _backward(AL, Y, caches):
    """The backward pass without input checks."""
    grads = {}
    L = len(caches)
    dZ = AL - Y
    m = AL.shape[1]
    for l in reversed(range(1, L + 1)):
        (A_prev, W, _), Z = caches[l - 1]
        if l < L:
            dZ = np.where(Z > 0, grads[f"dA{l}"], 0).astype(Z.dtype, copy=False)
        grads[f"dW{l}"] = 1 / m * np.dot(dZ, A_prev.T)
        grads[f"db{l}"] = 1 / m * np.sum(dZ, axis=1, keepdims=True)
        grads[f"dA{l - 1}"] = np.dot(W.T, dZ)
    return grads


def train(X, Y, parameters: Mapping, optimizer: str, learning_rate=0.0007, mini_batch_size=64, beta=0.9, beta1=0.9,
          beta2=0.999, epsilon=1e-8, num_epochs=5000, print_cost=False, decay=None, decay_rate=1, seed=10,
          record_every_epoch: bool = False, eps_inside_sqrt: bool = False) -> dict:
    """The course's loop from given `parameters`; returns everything a comparison needs.

    Each epoch: `seed = seed + 1`, `random_mini_batches(X, Y, mini_batch_size, seed)`; for each mini-batch:
    forward, cost (sum), backward, one update (Adam's t += 1 first, t counting mini-batches from 1 across
    epochs); then the epoch cost Σ costs / m, and with `decay` α := decay(α0, epoch, decay_rate).
    Returns {"parameters", "costs" (every epoch's cost, a list), "batch_costs" (every mini-batch's sum),
    "learning_rates" (the α each epoch trained with), "t"} and, with `record_every_epoch`, "history": after each
    epoch a dict {"parameters", "state"} (state: {"v"} / {"s"} / {"v", "s"} / {}).
    """
    L = count_layers_by_keys(parameters)
    layers_dims = [np.shape(parameters["W1"])[1]] + [np.shape(parameters[f"W{l}"])[0] for l in range(1, L + 1)]
    X, Y = check_optimizer_arguments(X, Y, layers_dims, optimizer, learning_rate, mini_batch_size, beta, beta1, beta2,
                                     epsilon, num_epochs, decay, decay_rate)
    nd.number_of_layers(parameters)  # every shape chains
    for name, _ in _names(parameters):
        check_finite(as_float_array(parameters[name], name), name)
    X = X.astype(np.asarray(parameters["W1"]).dtype, copy=False)
    Y = Y.astype(X.dtype, copy=False)
    m = X.shape[1]
    learning_rate0 = learning_rate
    v = s = None
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "rmsprop":
        s = initialize_rmsprop(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)
    t = 0
    costs, batch_costs, learning_rates, history = [], [], [], []
    # a 0/0 or overflow inside an update is caught below as a non-finite cost (or parameter), named by the error
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(num_epochs):
            seed = seed + 1
            minibatches = random_mini_batches(X, Y, mini_batch_size, seed)
            cost_total = 0
            learning_rates.append(float(learning_rate))
            for k, (minibatch_X, minibatch_Y) in enumerate(minibatches):
                AL, caches = _forward(minibatch_X, parameters, L)
                cost = compute_cost(AL, minibatch_Y)
                if not math.isfinite(cost):
                    raise diverged_error(i, k, t + 1)
                cost_total += cost
                batch_costs.append(cost)
                grads = _backward(AL, minibatch_Y, caches)
                t = t + 1
                if optimizer == "gd":
                    parameters = _gd_step(parameters, grads, learning_rate)
                elif optimizer == "momentum":
                    parameters, v = _momentum_step(parameters, grads, v, beta, learning_rate)
                elif optimizer == "rmsprop":
                    parameters, s = _rmsprop_step(parameters, grads, s, beta, learning_rate, epsilon, eps_inside_sqrt)
                else:
                    parameters, v, s, _, _ = _adam_step(parameters, grads, v, s, t, learning_rate, beta1, beta2,
                                                        epsilon, eps_inside_sqrt)
            cost_avg = cost_total / m
            costs.append(cost_avg)
            if decay:
                learning_rate = decay(learning_rate0, i, decay_rate)
            if print_cost and i % 1000 == 0:
                print(f"Cost after epoch {i}: {cost_avg:f}")
                if decay:
                    print(f"learning rate after epoch {i}: {learning_rate:f}")
            if record_every_epoch:
                state = {name: dict(value) for name, value in (("v", v), ("s", s)) if value is not None}
                history.append({"parameters": dict(parameters), "state": state})
    if any(not np.all(np.isfinite(parameters[name])) for name, _ in _names(parameters)):
        raise diverged_error(num_epochs - 1, len(minibatches) - 1, t)
    out = {"parameters": parameters, "costs": costs, "batch_costs": batch_costs, "learning_rates": learning_rates,
           "t": t}
    if record_every_epoch:
        out["history"] = history
    return out


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9, beta1=0.9, beta2=0.999,
          epsilon=1e-8, num_epochs=5000, print_cost=True, decay=None, decay_rate=1) -> dict[str, np.ndarray]:
    """The course's driver: `initialize_parameters(layers_dims)` (seed 3, He scale), then `num_epochs` epochs of
    mini-batch `optimizer` ("gd", "momentum", "adam"; "rmsprop" too) with mini-batch seeds 11, 12, ...

    X (n_x, m), Y (1, m) -> parameters. `decay(learning_rate0, epoch_num, decay_rate)` (e.g. `update_lr`, or
    `schedule_lr_decay` with its default time_interval = 1000) updates α after each epoch.
    """
    check_optimizer_arguments(X, Y, layers_dims, optimizer, learning_rate, mini_batch_size, beta, beta1, beta2,
                              epsilon, num_epochs, decay, decay_rate)
    dtype = as_float_array(X, "X").dtype  # float32 data train float32 parameters
    parameters = {k: v.astype(dtype) for k, v in initialize_parameters(layers_dims).items()}
    return train(X, Y, parameters, optimizer, learning_rate, mini_batch_size, beta, beta1, beta2, epsilon, num_epochs,
                 print_cost, decay, decay_rate)["parameters"]


def predict(X, y, parameters: Mapping):
    """ŷ = 1 where AL > 0.5, else 0 -> p (1, m); prints "Accuracy: ..." as the course's helper does."""
    return nd.predict(X, y, parameters, print_accuracy=True)


def accuracy(X, Y, parameters: Mapping) -> float:
    """The fraction of examples where `AL > 0.5` agrees with the 0/1 label Y (1, m)."""
    AL, _ = forward_propagation(X, parameters)
    return float(np.mean((AL > 0.5) == (np.asarray(Y) == 1)))
