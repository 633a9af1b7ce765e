"""Weight initialization and vanishing/exploding gradients (concept B8), NumPy from scratch.

The course's initialization assignment: the network `layers_dims = [n_x, 10, 5, 1]`,
LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID, trained by full-batch gradient descent (α = 0.01,
15000 iterations) on the circles data from three starting points:

    zeros    W[l] = 0                                  every unit of a layer stays identical: no learning
    random   W[l] = randn(n_l, n_{l-1}) * 10           large weights: AL saturates at 0/1, slow start
    he       W[l] = randn(n_l, n_{l-1}) * sqrt(2/n_{l-1})   Var(Z[l]) ≈ Var(Z[l-1]) through ReLU layers

and the notes' Xavier `randn * sqrt(1/n_{l-1})` (for tanh). Biases start at zero. Every random initialiser
calls `np.random.seed(3)` first and draws W1, W2, ... in order, as the course does.

Vanishing/exploding: in a deep ReLU network each layer multiplies the scale of the signal (forward) and of the
gradient (backward) by about `c·sqrt(n_{l-1}/2)` when `W = randn·c`; `gradient_norms` measures ‖dW[l]‖_F for
every layer so that the per-layer picture of each initialisation can be plotted and compared with TF.

Forward and the per-layer backward steps are `numpy_impl.deep_network`'s (`L_model_forward` or, inside the
training loop, its `linear_activation_forward` steps; `linear_backward`, `linear_activation_backward`,
`update_parameters`); only the output layer's start differs (see `backward_propagation`).
Shapes: `X (n_x, m)`, `Y (1, m)`, `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from numpy_impl import deep_network as dn
from numpy_impl.validation import (
    as_float_array,
    check_count,
    check_course_prediction,
    check_learning_rate,
    check_parameter_dtype,
    check_training_finite,
    check_X,
    check_X_Y,
    check_Y,
    check_Y_course,
    number_of_layers,
    warn_if_not_binary,
)

COURSE_HIDDEN = (10, 5)  # the course's layers_dims = [X.shape[0], 10, 5, 1]
TRUNCATION = 2.0  # Keras/TF truncated normals redraw values beyond 2 standard deviations


def _draw(layers_dims, scale) -> dict[str, np.ndarray]:
    """`np.random.seed(3)`; for l = 1..L: `W[l] = randn(n_l, n_{l-1}) * scale(n_{l-1})`, `b[l] = zeros((n_l, 1))`."""
    return dn.initialize_seeded(layers_dims, 3, scale, "layers_dims")


# ---------------------------------------------------------------- the initialisers

def initialize_parameters_zeros(layers_dims) -> dict[str, np.ndarray]:
    """W[l] = zeros((n_l, n_{l-1})), b[l] = zeros((n_l, 1)).  layers_dims [n_x, n_1, ..., n_L] -> parameters.

    Fails to break symmetry: every unit of a layer computes the same Z, gets the same gradient and stays equal
    to its neighbours forever. With ReLU hidden layers it is worse: A[l] = relu(0) = 0, so every dW[l] = 0 and
    only b[L] moves; the cost stays at ln 2 = 0.6931 (the network predicts 0.5 for everyone).
    """
    dims = dn.check_layer_dims(layers_dims, "layers_dims")
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = np.zeros((dims[l], dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_random(layers_dims) -> dict[str, np.ndarray]:
    """`np.random.seed(3)`; W[l] = randn(n_l, n_{l-1}) * 10, b[l] = 0 (the course's "large random" start).

    Breaks symmetry, but the weights are far too large: |Z[L]| reaches tens or hundreds, AL rounds to exactly
    0 or 1 for many examples and the course's cost is inf at iteration 0 (see `compute_loss`).
    """
    return _draw(layers_dims, lambda n_prev: 10)


def initialize_parameters_he(layers_dims) -> dict[str, np.ndarray]:
    """`np.random.seed(3)`; W[l] = randn(n_l, n_{l-1}) * sqrt(2/n_{l-1}), b[l] = 0 (He et al. 2015, for ReLU).

    Var(W) = 2/n_{l-1} keeps Var(Z[l]) ≈ Var(Z[l-1]) through a ReLU (which zeroes half of its input).
    Keras: `VarianceScaling(2.0, "fan_in", "untruncated_normal")`; `HeNormal` has the same std but is truncated.
    """
    return _draw(layers_dims, dn.SCALES["he"])


def initialize_parameters_xavier(layers_dims) -> dict[str, np.ndarray]:
    """`np.random.seed(3)`; W[l] = randn(n_l, n_{l-1}) * sqrt(1/n_{l-1}), b[l] = 0: the notes' "Xavier" (for tanh).

    Var(W) = 1/n_{l-1} (fan_in only). Keras's `GlorotNormal` (Glorot & Bengio's Xavier) uses
    2/(n_{l-1} + n_l) instead (fan_avg); the notes' version is `VarianceScaling(1.0, "fan_in", ...)`
    (`LecunNormal` when truncated). The two agree only when n_{l-1} = n_l.
    """
    return _draw(layers_dims, dn.SCALES["xavier"])


def initialize_parameters_small(layers_dims) -> dict[str, np.ndarray]:
    """`np.random.seed(3)`; W[l] = randn(n_l, n_{l-1}) * 0.01, b[l] = 0 (deep_network's `initialize_parameters_deep`).

    Fine for one hidden layer; in a deep ReLU net each layer shrinks the signal by ~0.01·sqrt(n_{l-1}/2), so
    the gradients vanish geometrically with depth.
    """
    return _draw(layers_dims, dn.SCALES["small"])


INITIALIZERS = {
    "zeros": initialize_parameters_zeros,
    "random": initialize_parameters_random,
    "small": initialize_parameters_small,
    "he": initialize_parameters_he,
    "xavier": initialize_parameters_xavier,
}


def initialize_parameters(layers_dims, initialization: str = "he") -> dict[str, np.ndarray]:
    """The parameters of `INITIALIZERS[initialization]` ("zeros", "random", "small", "he", "xavier")."""
    try:
        initializer = INITIALIZERS[initialization]
    except (KeyError, TypeError):
        raise ValueError(f"initialization must be one of {sorted(INITIALIZERS)}, got {initialization!r}") from None
    return initializer(layers_dims)


# ---------------------------------------------------------------- the same std rules as Keras's VarianceScaling

def variance_scaling_std(n_prev: int, n_l: int, scale: float = 1.0, mode: str = "fan_in") -> float:
    """σ = sqrt(scale / n) with n = n_{l-1} ("fan_in"), n_l ("fan_out") or (n_{l-1} + n_l)/2 ("fan_avg").

    He = (2, "fan_in"); the notes' Xavier = LeCun = (1, "fan_in"); Glorot's Xavier = (1, "fan_avg"),
    i.e. sqrt(2/(n_{l-1} + n_l)). `W (n_l, n_{l-1})` has fan_in = n_{l-1} and fan_out = n_l.
    """
    for name, n in (("n_prev", n_prev), ("n_l", n_l)):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"{name} must be an integer >= 1 (a number of units), got {n!r}")
    fans = {"fan_in": n_prev, "fan_out": n_l, "fan_avg": (n_prev + n_l) / 2}
    if mode not in fans:
        raise ValueError(f"mode must be one of {sorted(fans)}, got {mode!r}")
    if not scale > 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")
    return math.sqrt(scale / max(1.0, fans[mode]))


def truncated_normal_std(limit: float = TRUNCATION) -> float:
    """Std of N(0, 1) restricted to [-limit, limit]: sqrt(1 - 2·limit·φ(limit) / (2Φ(limit) - 1)).

    At limit = 2 this is 0.87962566103423978, the constant Keras divides by so that a normal truncated at ±2σ
    ends up with the std σ asked for.
    """
    phi = math.exp(-limit * limit / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(limit / math.sqrt(2))  # 2Φ(limit) - 1
    return math.sqrt(1 - 2 * limit * phi / mass)


def truncated_normal(shape, stddev: float) -> np.ndarray:
    """Samples of N(0, stddev²) with every draw beyond ±2·stddev redrawn (what `tf.random.truncated_normal` does).

    Uses the global RNG (seed it first). The result's std is stddev·0.8796, and max |w| <= 2·stddev.
    """
    if not (isinstance(stddev, numbers.Real) and math.isfinite(stddev) and stddev > 0):
        raise ValueError(f"stddev must be a finite number > 0, got {stddev!r}")
    dims = tuple(shape) if isinstance(shape, tuple | list) else None
    if not dims or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 0 for n in dims):
        raise ValueError(f"shape must be a tuple of integers >= 0, e.g. (n_l, n_prev), got {shape!r}")
    w = np.random.randn(*dims)
    out = np.abs(w) > TRUNCATION
    while np.any(out):
        w[out] = np.random.randn(int(np.count_nonzero(out)))
        out = np.abs(w) > TRUNCATION
    return w * stddev


# ---------------------------------------------------------------- cost, backward, training

def compute_loss(AL, Y):
    """The course's cost J = 1/m nansum(-Y log AL - (1-Y) log(1-AL)) (init_utils's `compute_loss`).  AL, Y (1, m).

    Naive on purpose, so that the course's numbers come out, including its `inf`: with the "random" (×10)
    start AL rounds to exactly 1.0 (z >= 37 in float64, z >= 17 in float32) for some examples with Y = 0,
    log(1 - 1) = -inf and J = inf at iteration 0, which is what the course prints. `nansum` drops the
    0·inf = nan terms of saturated *correct* examples (AL = 1, Y = 1), so J is inf rather than nan. No
    RuntimeWarning is emitted for these expected infinities. Near saturation 1 - AL also cancels (at z = 30,
    1 - AL has ~1e-3 relative error in float64), so J is ill-conditioned there. The finite, well-conditioned
    value of the same cost is `dn.compute_cost_from_logits(ZL, Y)`.
    """
    AL, Y, _ = check_course_prediction(AL, Y, "AL")
    return _compute_loss(AL, Y)


def _compute_loss(AL: np.ndarray, Y: np.ndarray):
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
        return (1.0 / m) * np.nansum(logprobs)


def backward_propagation(AL, Y, caches) -> dict[str, np.ndarray]:
    """grads of J for [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID, starting from dZ[L] = AL - Y.

    AL, Y (1, m), caches from `dn.L_model_forward` -> grads {"dA{l-1}", "dW{l}", "db{l}"}. Then, as in
    `dn.L_model_backward`: dW[L] = 1/m dZ[L] A[L-1]ᵀ, and for l = L-1..1 dZ[l] = dA[l] * relu'(Z[l]).
    dZ[L] = AL - Y is dAL·σ'(Z[L]) simplified (the course's init_utils writes it this way): it stays finite
    where AL is exactly 0 or 1, where dAL = -(Y/AL - (1-Y)/(1-AL)) is inf or nan (the random ×10 start).
    """
    AL = as_float_array(AL, "AL")
    if not isinstance(caches, Sequence) or len(caches) == 0:
        raise ValueError("caches must be the non-empty list returned by L_model_forward")
    if AL.ndim != 2:
        raise ValueError(f"AL must be 2-D (1, m), got shape {AL.shape}")
    return _backward(AL, check_Y_course(Y, m=AL.shape[1], n_y=AL.shape[0]).astype(AL.dtype, copy=False), caches)


def _backward(AL: np.ndarray, Y: np.ndarray, caches) -> dict[str, np.ndarray]:
    L = len(caches)
    grads = {}
    linear_cache, _ = caches[L - 1]
    dA, grads[f"dW{L}"], grads[f"db{L}"] = dn.linear_backward(AL - Y, linear_cache)
    grads[f"dA{L - 1}"] = dA
    for l in reversed(range(1, L)):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = dn.linear_activation_backward(dA, caches[l - 1], "relu")
        grads[f"dA{l - 1}"] = dA
    return grads


def _forward(X: np.ndarray, parameters: Mapping, L: int):
    """`dn.L_model_forward` without its per-call validation (train checks X and the parameters once)."""
    A, caches = X, []
    for l in range(1, L + 1):
        A, cache = dn.linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                                "relu" if l < L else "sigmoid")
        caches.append(cache)
    return A, caches


def train(X, Y, parameters: Mapping, learning_rate=0.01, num_iterations: int = 15000, print_cost: bool = False,
          cost_every: int = 1000, from_logits: bool = False):
    """Full-batch gradient descent from `parameters`: forward, cost, `backward_propagation`, update.

    X (n_x, m), Y (1, m) -> (parameters, costs): the course's cost (`compute_loss`, or with `from_logits=True`
    the stable `dn.compute_cost_from_logits`) recorded (and printed) when `i % cost_every == 0`, before the
    update of iteration i. The arrays stay in the dtype of X and parameters.
    """
    L = number_of_layers(parameters)
    X = check_X(X, n_x=np.shape(parameters["W1"])[1])
    check_Y(Y, m=X.shape[1], n_y=np.shape(parameters[f"W{L}"])[0], binary=True)
    return _train(X, Y, parameters, learning_rate, num_iterations, print_cost, cost_every, from_logits)


def _train(X, Y, parameters: Mapping, learning_rate, num_iterations, print_cost, cost_every, from_logits):
    """The loop of `train` (and of the course's `model`), label values already checked by the caller."""
    L = number_of_layers(parameters)
    dtype = check_parameter_dtype(parameters)
    X = check_X(X, n_x=np.shape(parameters["W1"])[1]).astype(dtype, copy=False)
    Y = check_Y(Y, m=X.shape[1], n_y=np.shape(parameters[f"W{L}"])[0]).astype(dtype)
    cost_every = check_count(cost_every, "cost_every")
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    costs = []
    for i in range(num_iterations):
        AL, caches = _forward(X, parameters, L)
        grads = _backward(AL, Y, caches)
        if i % cost_every == 0:
            cost = dn.compute_cost_from_logits(caches[-1][1], Y) if from_logits else _compute_loss(AL, Y)
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost}")
        parameters = dn.update_parameters(parameters, grads, learning_rate)
    if num_iterations:
        check_training_finite(num_iterations - 1, learning_rate, **parameters)
    return parameters, costs


def model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True, initialization="he"):
    """The course's comparison driver: layers_dims = [n_x, 10, 5, 1], `initialization` in "zeros", "random", "he".

    X (n_x, m), Y (1, m) -> parameters after `num_iterations` steps of gradient descent (cost printed every
    1000 iterations when `print_cost`). On the circles data the course gets train/test accuracy 0.5/0.5
    (zeros), 0.83/0.86 (random) and 0.9933/0.96 (he). Use `train` for the cost curve.
    """
    if initialization not in ("zeros", "random", "he"):
        raise ValueError(f"initialization must be one of ['he', 'random', 'zeros'], got {initialization!r}")
    X, Y = check_X_Y(X, Y, n_y=1, binary=False)
    warn_if_not_binary(Y)
    parameters = initialize_parameters([X.shape[0], *COURSE_HIDDEN, 1], initialization)
    parameters, _ = _train(X, Y, parameters, learning_rate, num_iterations, print_cost, 1000, False)
    return parameters


def predict(X, y, parameters: Mapping, print_accuracy: bool = True) -> np.ndarray:
    """p = 1 where AL > 0.5, else 0.  X (n_x, m), y (1, m) labels -> p (1, m) int.

    Prints "Accuracy: ..." as the course does (unless `print_accuracy=False`).
    """
    AL, _ = dn.L_model_forward(X, parameters)
    y = check_Y(y, m=AL.shape[1], n_y=1, binary=True)
    p = (AL > 0.5).astype(int)
    if print_accuracy:
        print(f"Accuracy: {np.mean(p[0, :] == y[0, :])}")
    return p


# ---------------------------------------------------------------- vanishing / exploding gradients

def deep_layers_dims(n_x: int, depth: int = 20, width: int = 10) -> list[int]:
    """[n_x, width, ..., width, 1]: `depth` layers (depth - 1 ReLU hidden layers of `width` units, 1 sigmoid)."""
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in (n_x, depth, width)):
        raise ValueError(f"n_x, depth and width must be integers >= 1, got {n_x!r}, {depth!r}, {width!r}")
    return [n_x, *([width] * (depth - 1)), 1]


def frobenius_norm(W) -> np.floating:
    """‖W‖_F = sqrt(Σ W²), computed as s·sqrt(Σ (W/s)²) with s = max |W| so that it neither overflows nor underflows.

    Plain Σ W² overflows float32 for entries above ~1e19 and underflows below ~1e-19; the gradients of a
    20-layer net span 1e-32 (vanishing) to 1e26 (exploding). Returns a scalar in W's dtype (0 for W = 0, inf
    when W holds ±inf); an empty W or one holding NaN is an error.
    """
    W = as_float_array(W, "W")
    if W.size == 0:
        raise ValueError(f"W must hold at least one entry to have a norm, got shape {W.shape}")
    if np.any(np.isnan(W)):
        raise ValueError("W holds NaN: its norm is undefined")
    s = np.max(np.abs(W))
    if np.isinf(s):
        return W.dtype.type(np.inf)  # the norm of a matrix holding ±inf is +inf (W/s would give nan)
    if s == 0:
        return W.dtype.type(0)
    return s * np.sqrt(np.sum(np.square(W / s)))


def gradient_norms(X, Y, parameters: Mapping):
    """‖dW[l]‖_F for l = 1..L after one forward/backward pass.  X (n_x, m), Y (1, m) -> (norms (L,), cost, grads).

    The cost is the stable one (`dn.compute_cost_from_logits`), finite however saturated AL is.
    """
    L = number_of_layers(parameters)
    AL, caches = dn.L_model_forward(X, parameters)
    cost = dn.compute_cost_from_logits(caches[-1][1], Y)
    grads = backward_propagation(AL, Y, caches)
    norms = np.array([frobenius_norm(grads[f"dW{l}"]) for l in range(1, L + 1)], dtype=AL.dtype)
    return norms, cost, grads
