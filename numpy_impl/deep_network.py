"""The deep (L-layer) network, forward and backward by hand, in the course's API (concept A9).

Model: [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID for binary labels. With `A[0] = X (n_x, m)`:

    forward    Z[l] = W[l] A[l-1] + b[l],   A[l] = g[l](Z[l])                 cache[l] = ((A[l-1], W[l], b[l]), Z[l])
    cost       J = -1/m Σ (Y log AL + (1 - Y) log(1 - AL))
    backward   dAL = -(Y/AL - (1-Y)/(1-AL)),   dZ[l] = dA[l] * g'[l](Z[l]),
               dW[l] = 1/m dZ[l] A[l-1]ᵀ,   db[l] = 1/m Σ_columns dZ[l],   dA[l-1] = W[l]ᵀ dZ[l]
    update     W[l] := W[l] - α dW[l],   b[l] := b[l] - α db[l]

Shapes: `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`, `Z[l], A[l], dZ[l], dA[l] (n_l, m)`, `dW[l]` like `W[l]`,
`db[l]` like `b[l]`. The course functions keep the course's names, signatures, dictionary keys and seeds
(docs/course_api.md). They also accept an `activations` list (one name per layer) so that a hyper-parameter
record (`numpy_impl.hyperparameters`) can choose them; the default is the course's relu...relu, sigmoid.
float32 inputs and parameters stay float32 throughout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from numpy_impl import activations as act
from numpy_impl.hyperparameters import HyperParameters
from numpy_impl.validation import (
    as_float_array,
    check_activations,
    check_count,
    check_course_prediction,
    check_finite,
    check_grads,
    check_layer_dims,
    check_learning_rate,
    check_parameter_dtype,
    check_prediction_and_labels,
    check_training_finite,
    check_X,
    check_Y,
    check_Y_course,
    number_of_layers,
    warn_if_not_binary,
)

FORWARD = {"sigmoid": act.sigmoid, "relu": act.relu, "tanh": act.tanh}
BACKWARD = {"sigmoid": act.sigmoid_backward, "relu": act.relu_backward, "tanh": act.tanh_backward}


# ---------------------------------------------------------------- initialisation

def initialize_parameters(n_x: int, n_h: int, n_y: int) -> dict[str, np.ndarray]:
    """The 2-layer model's parameters: `np.random.seed(1)`, `W1 = randn(n_h, n_x)*0.01`, `W2 = randn(n_y, n_h)*0.01`.

    Returns `{"W1" (n_h, n_x), "b1" (n_h, 1) zeros, "W2" (n_y, n_h), "b2" (n_y, 1) zeros}`.
    """
    check_layer_dims([n_x, n_h, n_y], "(n_x, n_h, n_y)")
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


# The one definition of the initial scales (n_prev = n_{l-1}): the keys of hyperparameters.INITIALIZATIONS;
# numpy_impl.initialization draws its "small", "xavier" and "he" starts with these too.
SCALES = {"small": lambda n_prev: 0.01, "xavier": lambda n_prev: 1 / np.sqrt(n_prev),
          "he": lambda n_prev: np.sqrt(2 / n_prev)}


def initialize_seeded(layer_dims, seed: int, scale, name: str = "layer_dims") -> dict[str, np.ndarray]:
    """`np.random.seed(seed)`; for l = 1..L: `W[l] = randn(n_l, n_{l-1}) * scale(n_{l-1})`, `b[l] = zeros((n_l, 1))`.

    The draw every seeded initialiser of the course shares (W1 first, then W2, ...); `scale` maps n_{l-1}
    to the factor (0.01, 1/sqrt(n_{l-1}), sqrt(2/n_{l-1}), ...). `name` is the argument named in errors.
    """
    dims = check_layer_dims(layer_dims, name)
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = np.random.randn(dims[l], dims[l - 1]) * scale(dims[l - 1])
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_deep(layer_dims) -> dict[str, np.ndarray]:
    """The course's deep initialiser: `np.random.seed(3)`, `W[l] = randn(n_l, n_{l-1})*0.01`, `b[l] = 0`.

    `layer_dims (n_x, n_1, ..., n_L)` -> `{"W1" (n_1, n_x), "b1" (n_1, 1), ..., "WL", "bL"}`.
    """
    return initialize_seeded(layer_dims, 3, SCALES["small"])


def initialize_parameters_deep_application(layer_dims) -> dict[str, np.ndarray]:
    """The course application's deep initialiser (used by `L_layer_model`): `np.random.seed(1)`,
    `W[l] = randn(n_l, n_{l-1}) / sqrt(n_{l-1})`, `b[l] = 0`.

    Plain `*0.01` makes the signal shrink by ~0.01·sqrt(n) per layer, so a 4-layer net barely learns; dividing
    by `sqrt(n_{l-1})` keeps `Var(Z[l])` near `Var(A[l-1])` (the notes' vanishing-gradient remedy).
    """
    return initialize_seeded(layer_dims, 1, SCALES["xavier"])


def initialize_parameters_from_record(hp: HyperParameters) -> dict[str, np.ndarray]:
    """The parameters the record's hyper-parameters call for: `np.random.seed(hp.seed)`, then
    `W[l] = randn(n_l, n_{l-1}) * scale` with the scale of `hp.initialization` (see `INITIALIZATIONS`).

    `("small", seed 3)` is `initialize_parameters_deep`; `("xavier", seed 1)` is the application's.
    """
    return initialize_seeded(hp.layer_dims, hp.seed, SCALES[hp.initialization])


# ---------------------------------------------------------------- forward

def linear_forward(A, W, b):
    """Z = W·A + b.  A (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1) -> Z (n_l, m), cache (A, W, b).

    A NaN or inf in A, W or b is an error (a diverged run shows up here, named, instead of as a nan cost).
    """
    A, W, b = as_float_array(A, "A"), as_float_array(W, "W"), as_float_array(b, "b")
    if A.ndim != 2 or W.ndim != 2 or W.shape[1] != A.shape[0] or np.shape(b) != (W.shape[0], 1):
        raise ValueError(f"linear_forward needs A (n_prev, m), W (n_l, n_prev), b (n_l, 1); got A {A.shape}, "
                         f"W {W.shape}, b {np.shape(b)}")
    for name, value in (("A", A), ("W", W), ("b", b)):
        check_finite(value, name)
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation: str):
    """A = g(W·A_prev + b) with g = "sigmoid", "relu" (or "tanh").

    A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1) -> A (n_l, m), cache ((A_prev, W, b), Z).
    """
    g = FORWARD[check_activations([activation], 1, FORWARD)[0]]
    Z, linear_cache = linear_forward(A_prev, W, b)
    return g(Z), (linear_cache, Z)


def _check_forward(X, parameters: Mapping, activations) -> tuple[np.ndarray, int, list[str]]:
    """X (n_x, m) in the parameters' one dtype, L, and one activation name per layer, after checking them."""
    L = number_of_layers(parameters)
    dtype = check_parameter_dtype(parameters)
    X = check_X(X, n_x=np.shape(parameters["W1"])[1]).astype(dtype, copy=False)
    return X, L, check_activations(activations, L, FORWARD)


def L_model_forward(X, parameters: Mapping, activations: Sequence[str] | None = None):
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID (or the given `activations`, one per layer).

    X (n_x, m), parameters {"W1", "b1", ..., "WL", "bL"} (one float dtype; X is computed in it) -> AL (1, m) = ŷ,
    caches: a list of L caches `((A[l-1], W[l], b[l]), Z[l])`, `caches[l-1]` for layer l.
    """
    X, L, names = _check_forward(X, parameters, activations)
    return _forward(X, parameters, names)


def _forward(X: np.ndarray, parameters: Mapping, names: list[str]):
    A, caches = X, []
    for l, g in enumerate(names, start=1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], g)
        caches.append(cache)
    return A, caches


# ---------------------------------------------------------------- cost

def compute_cost(AL, Y):
    """J = -1/m Σ (Y log AL + (1-Y) log(1-AL)), the course's formula.  AL, Y (1, m) -> `np.squeeze(cost)`, a 0-d
    ndarray of AL's dtype, as the course returns it.

    Naive on purpose (it gives the course's numbers): at AL = 0 with Y = 1, or AL = 1 with Y = 0, log(0) makes
    J = +inf; at AL = 1 with Y = 1 the term 0·log(0) makes J = nan, although the prediction is perfect (NumPy
    warns in both cases). A sigmoid output rounds to exactly 1.0 from z ≈ 37 in float64 (z ≈ 17 in float32).
    Labels outside {0, 1} are computed with a `UserWarning`, as the course computes them. The stable, strict
    form from the logits ZL is `compute_cost_from_logits`.
    """
    AL, Y, _ = check_course_prediction(AL, Y, "AL")
    return _cost(AL, Y)


def _cost(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    m = Y.shape[1]
    cost = (-1 / m) * np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL)))
    return np.squeeze(np.asarray(cost, dtype=AL.dtype))


def compute_cost_from_logits(ZL, Y):
    """J = 1/m Σ (max(Z, 0) - Z·Y + log(1 + e^(-|Z|))), equal to `compute_cost(sigmoid(ZL), Y)` in exact math.

    ZL, Y (1, m) -> scalar. Finite for every finite ZL (log(1 + e^(-|Z|)) never overflows): at Z = 40, Y = 0
    it gives 40.0 where the naive formula gives inf. This is what `tf.nn.sigmoid_cross_entropy_with_logits`
    and `keras.losses.BinaryCrossentropy(from_logits=True)` compute. The project's stable loss: strict, labels
    must be 0 or 1.
    """
    ZL, Y, _ = check_prediction_and_labels(ZL, Y, "ZL")
    losses = np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))
    return np.squeeze(np.mean(losses))[()]


# ---------------------------------------------------------------- backward

def linear_backward(dZ, cache):
    """dW = 1/m dZ·A_prevᵀ, db = 1/m Σ_columns dZ, dA_prev = Wᵀ·dZ.

    dZ (n_l, m), cache (A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1)) -> dA_prev (n_{l-1}, m),
    dW (n_l, n_{l-1}), db (n_l, 1).
    """
    if not isinstance(cache, tuple | list) or len(cache) != 3:
        raise ValueError("cache must be the linear cache (A_prev, W, b) of linear_forward, got "
                         + (f"a {len(cache)}-tuple" if isinstance(cache, tuple | list) else type(cache).__name__)
                         + " (linear_activation_backward takes the pair ((A_prev, W, b), Z))")
    A_prev, W, b = (as_float_array(a, name) for a, name in zip(cache, ("A_prev", "W", "b"), strict=True))
    dZ = as_float_array(dZ, "dZ")
    if A_prev.ndim != 2 or W.ndim != 2 or dZ.shape != (W.shape[0], A_prev.shape[1]):
        raise ValueError(f"dZ must be (n_l, m) for W (n_l, n_prev) and A_prev (n_prev, m); got dZ {dZ.shape}, "
                         f"W {W.shape}, A_prev {A_prev.shape}")
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation: str):
    """dZ = dA * g'(Z), then `linear_backward`.  dA (n_l, m), cache ((A_prev, W, b), Z) -> dA_prev, dW, db."""
    if not isinstance(cache, tuple | list) or len(cache) != 2:
        raise ValueError("cache must be the pair ((A_prev, W, b), Z) of linear_activation_forward")
    linear_cache, Z = cache
    dZ = BACKWARD[check_activations([activation], 1, BACKWARD)[0]](dA, Z)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches, activations: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """The gradients of J for every layer, from the caches of `L_model_forward`.

    AL, Y (1, m); caches (L of them) -> grads {"dA{l-1}", "dW{l}", "db{l}"} for l = L..1, starting from
    dAL = -(Y/AL - (1-Y)/(1-AL)) (the derivative of the course's cost; infinite where AL is 0 or 1). Labels
    outside {0, 1} are computed with a `UserWarning`, as the course computes them.
    """
    AL = as_float_array(AL, "AL")
    if AL.ndim != 2:
        raise ValueError(f"AL must be 2-D (1, m), got shape {AL.shape}")
    Y = check_Y_course(Y, m=AL.shape[1], n_y=AL.shape[0]).astype(AL.dtype, copy=False)
    if not isinstance(caches, Sequence) or len(caches) == 0:
        raise ValueError("caches must be the non-empty list returned by L_model_forward")
    if np.shape(caches[-1][1]) != AL.shape:
        raise ValueError(f"caches must come from the L_model_forward that gave AL {AL.shape}: the last cache's "
                         f"ZL has shape {np.shape(caches[-1][1])}")
    return _backward(AL, Y, caches, check_activations(activations, len(caches), BACKWARD))


def _backward(AL: np.ndarray, Y: np.ndarray, caches, names: list[str]) -> dict[str, np.ndarray]:
    grads = {}
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in reversed(range(1, len(caches) + 1)):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], names[l - 1])
        grads[f"dA{l - 1}"] = dA
    return grads


# ---------------------------------------------------------------- update and training

def update_parameters(params: Mapping, grads: Mapping, learning_rate) -> dict[str, np.ndarray]:
    """W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l] for every layer, returned as a new dict.

    params {"W1", "b1", ...}, grads {"dW1", "db1", ...} (same shapes, finite) -> parameters. `params` is not
    modified in place. α is used in the parameters' dtype (an np.float64 α does not turn float32 parameters
    into float64). A non-finite gradient (the course's dAL where AL rounded to 0 or 1) is an error.
    """
    L = number_of_layers(params)
    check_grads(params, grads, [f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")])
    return _update(params, grads, L, check_learning_rate(learning_rate))


def _update(params: Mapping, grads: Mapping, L: int, learning_rate) -> dict[str, np.ndarray]:
    parameters = dict(params)
    for l in range(1, L + 1):
        for p in ("W", "b"):
            value = np.asarray(params[f"{p}{l}"])
            parameters[f"{p}{l}"] = value - value.dtype.type(learning_rate) * np.asarray(grads[f"d{p}{l}"])
    return parameters


def _record_and_print(i: int, num_iterations: int, cost, costs: list, print_cost: bool, record_every: int):
    if print_cost and (i % 100 == 0 or i == num_iterations - 1):
        print(f"Cost after iteration {i}: {cost}")
    if i % record_every == 0:
        costs.append(cost)


def gradient_descent(X, Y, parameters: Mapping, learning_rate, num_iterations: int, print_cost: bool = False,
                     record_every: int = 100, activations: Sequence[str] | None = None):
    """`num_iterations` full-batch steps of forward, cost, backward, update from the given `parameters`.

    X (n_x, m), Y (1, m) with labels in {0, 1} -> (parameters, costs), the cost J (a 0-d ndarray, as
    `compute_cost` returns it) recorded when `i % record_every == 0` (before the update of iteration i, as the
    course does). The loop of `L_layer_model`, without its initialisation. A cost that is not finite (the run
    diverged, or AL rounded to 0 or 1) stops the run with a `FloatingPointError` naming the iteration.
    """
    X, L, _ = _check_forward(X, parameters, activations)
    check_Y(Y, m=X.shape[1], n_y=np.shape(parameters[f"W{L}"])[0], binary=True)
    return _gradient_descent(X, Y, parameters, learning_rate, num_iterations, print_cost, record_every, activations)


def _gradient_descent(X, Y, parameters: Mapping, learning_rate, num_iterations, print_cost: bool, record_every,
                      activations):
    """The loop of `gradient_descent` and the course's models, label values already checked by the caller."""
    X, L, names = _check_forward(X, parameters, activations)
    Y = check_Y(Y, m=X.shape[1], n_y=np.shape(parameters[f"W{L}"])[0]).astype(X.dtype, copy=False)
    record_every = check_count(record_every, "record_every")
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    costs = []
    for i in range(num_iterations):
        AL, caches = _forward(X, parameters, names)
        with np.errstate(divide="ignore", invalid="ignore"):  # a log(0) is reported below, by iteration
            cost = _cost(AL, Y)
        check_training_finite(i, learning_rate, cost=cost)
        grads = _backward(AL, Y, caches, names)
        check_grads(parameters, grads, [f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")])
        parameters = _update(parameters, grads, L, learning_rate)
        _record_and_print(i, num_iterations, cost, costs, print_cost, record_every)
    return parameters, costs


def _course_training_data(X, Y, dims: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """X (n_x, m) and Y (n_y, m) for the course's models: layout strict, label values warned about."""
    X = check_X(X, n_x=dims[0])
    Y = check_Y(Y, m=X.shape[1], n_y=dims[-1])
    warn_if_not_binary(Y)
    return X, Y


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """LINEAR -> RELU -> LINEAR -> SIGMOID trained by gradient descent, written out layer by layer (the course's).

    `np.random.seed(1)`, `initialize_parameters(n_x, n_h, n_y)`; X (n_x, m), Y (1, m), layers_dims (n_x, n_h, n_y)
    -> (parameters, costs) with the cost (`np.squeeze(cost)`, a 0-d ndarray) recorded when `i % 100 == 0`.
    Labels outside {0, 1} are computed with a `UserWarning`, as the course computes them (its own test passes a
    real-valued Y).
    """
    np.random.seed(1)
    dims = check_layer_dims(layers_dims, "layers_dims")
    if len(dims) != 3:
        raise ValueError(f"layers_dims must be (n_x, n_h, n_y) for the two-layer model, got {layers_dims!r}")
    n_x, n_h, n_y = dims
    X, Y = _course_training_data(X, Y, dims)
    Y = Y.astype(X.dtype, copy=False)
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        with np.errstate(divide="ignore", invalid="ignore"):  # a log(0) is reported below, by iteration
            cost = _cost(A2, Y)
        check_training_finite(i, learning_rate, cost=cost)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        _record_and_print(i, num_iterations, cost, costs, print_cost, 100)
    return parameters, costs


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID trained by gradient descent (the course's).

    `np.random.seed(1)`, `initialize_parameters_deep_application(layers_dims)` (randn / sqrt(n_{l-1})), then
    `gradient_descent`. X (n_x, m), Y (1, m) -> (parameters, costs), the cost (`np.squeeze(cost)`, a 0-d
    ndarray) recorded when `i % 100 == 0`. Labels outside {0, 1} are computed with a `UserWarning`.
    """
    np.random.seed(1)
    dims = check_layer_dims(layers_dims, "layers_dims")
    X, Y = _course_training_data(X, Y, dims)
    parameters = initialize_parameters_deep_application(dims)
    return _gradient_descent(X, Y, parameters, learning_rate, num_iterations, print_cost, 100, None)


def L_layer_model_from_record(X, Y, hp: HyperParameters, parameters: Mapping | None = None,
                              record_every: int = 100, print_cost: bool = False):
    """Train the network a hyper-parameter record describes: its layers, activations, α, iterations, init.

    The record holds the choices (hyper-parameters); this returns what was learned (parameters) and the costs.
    `parameters=None` initialises them per `hp.initialization` and `hp.seed`; given ones are checked against
    `hp.layer_dims` and used as the starting point (that is how the parity suite starts NumPy and Keras from the
    same W, b). X (n_x, m), Y (1, m) -> (parameters, costs), cost recorded when `i % record_every == 0`.
    """
    if not isinstance(hp, HyperParameters):
        raise TypeError(f"hp must be a HyperParameters record, got {type(hp).__name__}")
    if parameters is None:
        parameters = initialize_parameters_from_record(hp)
    else:
        number_of_layers(parameters)
        shapes = {k: np.shape(v) for k, v in parameters.items()}
        if shapes != hp.parameter_shapes():
            raise ValueError(f"parameters do not fit the record's layer_dims {hp.layer_dims}: expected shapes "
                             f"{hp.parameter_shapes()}, got {shapes}")
    return gradient_descent(X, Y, parameters, hp.learning_rate, hp.num_iterations, print_cost, record_every,
                            hp.activations)


def predict(X, y, parameters: Mapping, activations: Sequence[str] | None = None, print_accuracy: bool = False):
    """ŷ = 1 where AL > 0.5, else 0.  X (n_x, m), y (1, m) labels, parameters -> p (1, m) float 0/1.

    The course's `predict(X, y, parameters)`; `print_accuracy=True` prints "Accuracy: ..." as the course does.
    """
    AL, _ = L_model_forward(X, parameters, activations)
    y = check_Y(y, m=AL.shape[1], n_y=AL.shape[0], binary=True).astype(AL.dtype, copy=False)
    p = (AL > 0.5).astype(AL.dtype)
    if print_accuracy:
        print(f"Accuracy: {np.mean(p == y)}")
    return p
