"""Shared input checks for the NumPy side (a helper, not a concept).

Every public function validates its inputs here so that a wrong layout or a bad label gives one clear
sentence naming what was expected, instead of a broadcasting surprise or a traceback from deep inside
NumPy. The checks are cheap (shape and dtype inspections, one `isfinite` pass).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Mapping

import numpy as np


def as_float_array(a, name: str) -> np.ndarray:
    """`a` as a floating ndarray (float32 and float64 are kept, everything else becomes float64)."""
    arr = np.asarray(a)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


def check_finite(a: np.ndarray, name: str) -> None:
    """Raise if `a` holds NaN or ±inf (they would silently poison every later quantity)."""
    if not np.all(np.isfinite(a)):
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
        raise ValueError(f"{name} must be finite: it holds {bad} NaN/inf value(s)")


def check_X(X, n_x: int | None = None, name: str = "X") -> np.ndarray:
    """Validate an input matrix in course layout `(n_x, m)`: 2-D, numeric, finite.

    With `n_x` given, a matrix whose *columns* number `n_x` is recognised as the Keras/scikit-learn layout
    `(m, n_x)` and rejected with a hint to pass `X.T`.
    """
    arr = as_float_array(X, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (n_x, m) (one example per column), got shape {arr.shape}")
    if n_x is not None and arr.shape[0] != n_x:
        if arr.shape[1] == n_x:
            raise ValueError(
                f"{name} has shape {arr.shape}, which looks like (m, n_x) = ({arr.shape[0]}, {n_x}); "
                f"the course layout is (n_x, m) = ({n_x}, m): pass {name}.T"
            )
        raise ValueError(f"{name} must have shape (n_x, m) with n_x = {n_x}, got {arr.shape}")
    check_finite(arr, name)
    return arr


def check_Y(Y, m: int, n_y: int | None = None, binary: bool = False, name: str = "Y") -> np.ndarray:
    """Validate labels in course layout `(n_y, m)`; with `binary=True` every label must be 0 or 1."""
    arr = as_float_array(Y, name)
    if arr.ndim == 1:
        raise ValueError(f"{name} must be 2-D with shape (n_y, m); got a 1-D array of shape {arr.shape}: "
                         f"use {name}.reshape(1, -1)")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (n_y, m), got shape {arr.shape}")
    if arr.shape[1] != m:
        hint = f" (it looks transposed: pass {name}.T)" if arr.shape[0] == m else ""
        raise ValueError(f"{name} must have m = {m} columns (one label per example), got shape {arr.shape}{hint}")
    if n_y is not None and arr.shape[0] != n_y:
        raise ValueError(f"{name} must have n_y = {n_y} rows, got shape {arr.shape}")
    check_finite(arr, name)
    if binary and not np.all((arr == 0) | (arr == 1)):
        bad = np.unique(arr[(arr != 0) & (arr != 1)])[:5]
        raise ValueError(f"{name} must hold binary labels in {{0, 1}}; found {bad.tolist()}")
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise unless `a` and `b` have exactly the same shape (no broadcasting between them)."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {np.shape(a)} and {np.shape(b)}")


def check_keys(mapping: Mapping, expected: Iterable[str], name: str) -> None:
    """Raise if `mapping` lacks any of the `expected` keys (listing the missing and the present ones)."""
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(mapping).__name__}")
    missing = [k for k in expected if k not in mapping]
    if missing:
        raise KeyError(f"{name} is missing key(s) {missing}; it has {sorted(mapping)}")


def number_of_layers(parameters: Mapping) -> int:
    """L for a parameters dict `{"W1", "b1", ..., "WL", "bL"}`, after checking the keys and every shape.

    `W{l}` must be `(n_l, n_{l-1})`, `b{l}` `(n_l, 1)`, and consecutive layers must chain.
    """
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    L = sum(1 for k in parameters if k.startswith("W") and k[1:].isdigit())
    if L == 0:
        raise KeyError(f"parameters must hold W1, b1, ...; it has {sorted(parameters)}")
    check_keys(parameters, [f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")], "parameters")
    for l in range(1, L + 1):
        W, b = np.shape(parameters[f"W{l}"]), np.shape(parameters[f"b{l}"])
        if len(W) != 2 or b != (W[0], 1):
            raise ValueError(f"W{l} must be (n_{l}, n_{l-1}) and b{l} (n_{l}, 1); got W{l} {W}, b{l} {b}")
        if l > 1 and W[1] != np.shape(parameters[f"W{l-1}"])[0]:
            raise ValueError(f"W{l} has shape {W} but W{l-1} has {np.shape(parameters[f'W{l-1}'])}: "
                             f"W{l} must be (n_{l}, n_{l-1})")
    return L


def check_learning_rate(learning_rate, name: str = "learning_rate"):
    """α as given, after checking it is a real number (not a bool), finite and > 0."""
    if not (isinstance(learning_rate, numbers.Real) and not isinstance(learning_rate, bool)
            and math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {learning_rate!r}")
    return learning_rate


def check_count(value, name: str, minimum: int = 1) -> int:
    """An iteration count or interval as an int, after checking it is an integer (not a bool) >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_X_Y(X, Y, n_y: int | None = None, binary: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """`X (n_x, m)` and `Y (n_y, m)` with the same m, when nothing else says what n_x is.

    An `X` whose *rows* match Y's m is recognised as the layout `(m, n_x)` and rejected with a hint to pass
    `X.T` (instead of a message blaming Y's number of columns).
    """
    X = check_X(X)
    Y_shape = np.shape(Y)
    if len(Y_shape) == 2 and X.shape[1] != Y_shape[1] and X.shape[0] == Y_shape[1]:
        raise ValueError(f"X has shape {X.shape}, which looks like (m, n_x) = ({X.shape[0]}, {X.shape[1]}) "
                         f"for Y of shape {Y_shape}; the course layout is X (n_x, m): pass X.T")
    return X, check_Y(Y, m=X.shape[1], n_y=n_y, binary=binary)


def check_prediction_and_labels(P, Y, name: str, probabilities: bool = False, one_hot: bool = False):
    """Validate a prediction P (AL or Z) and binary labels Y, both `(n_y, m)`; return P, Y in P's dtype, and m.

    2-D and finite P; a Y that is P transposed is named as such; with `probabilities` P must lie in [0, 1]
    (and, with `one_hot`, each column must sum to 1: a softmax output); with `one_hot` Y has one 1 per column.
    """
    P = as_float_array(P, name)
    if P.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (n_y, m) (one example per column), got shape {P.shape}")
    check_finite(P, name)
    if np.ndim(Y) == 2 and np.shape(Y) != P.shape and np.shape(Y) == P.shape[::-1]:
        raise ValueError(f"{name} has shape {P.shape} and Y {np.shape(Y)}: one of them is transposed; both must be "
                         f"(n_y, m), one example per column (transpose the one in Keras layout (m, n_y))")
    m = P.shape[1]
    Y = check_Y(Y, m=m, n_y=P.shape[0], binary=True)
    if one_hot and not np.all(np.sum(Y, axis=0) == 1):
        bad = np.flatnonzero(np.sum(Y, axis=0) != 1)[:5]
        raise ValueError(f"Y must be one-hot (C, m): exactly one 1 per column; columns {bad.tolist()} are not")
    if probabilities:
        if np.any((P < 0) | (P > 1)):
            raise ValueError(f"{name} must hold probabilities in [0, 1], got values in [{P.min()}, {P.max()}] "
                             f"(for logits Z use the *_from_logits version)")
        if one_hot:
            tol = np.sqrt(np.finfo(P.dtype).eps)
            if np.any(np.abs(np.sum(P, axis=0) - 1) > tol):
                raise ValueError(f"every column of {name} must sum to 1 (a softmax output, within {tol:.1e}); "
                                 f"for logits Z use categorical_cross_entropy_from_logits")
    return P, Y.astype(P.dtype, copy=False), m


def warn_if_not_binary(Y: np.ndarray, name: str = "Y") -> None:
    """A `UserWarning` naming the values of `Y` outside {0, 1}; the caller computes on (the course's functions do).

    The course's public tests call its cost and training functions with real-valued labels; they compute a
    number there. The course-API functions do the same and say so, instead of raising; the project's own
    stable losses stay strict (`check_Y(..., binary=True)`).
    """
    Y = np.asarray(Y)
    if not np.all((Y == 0) | (Y == 1)):
        bad = np.unique(Y[(Y != 0) & (Y != 1)])[:5]
        warnings.warn(f"{name} should hold binary labels in {{0, 1}}; found {bad.tolist()}: computed anyway, as the "
                      f"course does (cross-entropy of such labels is not a likelihood)", UserWarning, stacklevel=3)


def check_Y_course(Y, m: int, n_y: int | None = None, name: str = "Y") -> np.ndarray:
    """`check_Y` for the course's own API: layout and finiteness strict, label values outside {0, 1} warned about."""
    Y = check_Y(Y, m=m, n_y=n_y, binary=False, name=name)
    warn_if_not_binary(Y, name)
    return Y


def check_course_prediction(P, Y, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """A probability prediction P (AL, A2) `(n_y, m)` beside labels Y `(n_y, m)`, for the course's cost functions.

    As `check_prediction_and_labels(..., probabilities=True)`, except that a 1-D P `(m,)` beside Y `(1, m)`
    is read as `(1, m)` (the course's own test passes one) and label values outside {0, 1} are computed with
    a `UserWarning` (`check_Y_course`). Returns P, Y in P's dtype, and m.
    """
    P = as_float_array(P, name)
    if P.ndim == 1 and np.ndim(Y) == 2 and np.shape(Y) == (1, P.shape[0]):
        P = P.reshape(1, -1)
    if P.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (n_y, m) (one example per column), got shape {P.shape}")
    check_finite(P, name)
    if np.ndim(Y) == 2 and np.shape(Y) != P.shape and np.shape(Y) == P.shape[::-1]:
        raise ValueError(f"{name} has shape {P.shape} and Y {np.shape(Y)}: one of them is transposed; both must be "
                         f"(n_y, m), one example per column (transpose the one in Keras layout (m, n_y))")
    Y = check_Y_course(Y, m=P.shape[1], n_y=P.shape[0])
    if np.any((P < 0) | (P > 1)):
        raise ValueError(f"{name} must hold probabilities in [0, 1], got values in [{P.min()}, {P.max()}] "
                         f"(for logits Z use the *_from_logits version)")
    return P, Y.astype(P.dtype, copy=False), P.shape[1]


def check_two_layer_parameters(parameters: Mapping) -> tuple[int, int, int]:
    """(n_x, n_h, n_y) of a shallow network's {"W1", "b1", "W2", "b2"}, after checking keys, shapes, finiteness."""
    keys = ("W1", "b1", "W2", "b2")
    check_keys(parameters, keys, "parameters")
    W1, b1, W2, b2 = (np.shape(parameters[k]) for k in keys)
    if len(W1) != 2 or len(W2) != 2 or b1 != (W1[0], 1) or W2[1:] != W1[:1] or b2 != (W2[0], 1):
        raise ValueError("parameters must be W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1); "
                         f"got W1 {W1}, b1 {b1}, W2 {W2}, b2 {b2}")
    for key in keys:
        check_finite(as_float_array(parameters[key], key), key)
    return W1[1], W1[0], W2[0]


def check_parameter_dtype(parameters: Mapping) -> np.dtype:
    """The one float dtype every array of `parameters` has (mixed float32/float64 parameters are an error)."""
    dtypes = {k: as_float_array(v, k).dtype for k, v in parameters.items()}
    if len(set(dtypes.values())) > 1:
        raise ValueError("parameters must all have one dtype (cast them with .astype), got "
                         + ", ".join(f"{k} {d}" for k, d in dtypes.items()))
    return next(iter(dtypes.values()))


def check_grads(parameters: Mapping, grads: Mapping, keys: Iterable[str]) -> None:
    """Every `d{key}` of `grads` is present, has the shape of `parameters[key]` and is finite."""
    keys = list(keys)
    check_keys(grads, [f"d{k}" for k in keys], "grads")
    for key in keys:
        grad = as_float_array(grads[f"d{key}"], f"d{key}")
        check_same_shape(np.asarray(parameters[key]), grad, key, f"d{key}")
        check_finite(grad, f"d{key}")


def check_activations(activations, L: int, known: Iterable[str]) -> list[str]:
    """One activation name per layer, each among `known`; None gives the course's relu x (L-1), sigmoid."""
    if activations is None:
        return ["relu"] * (L - 1) + ["sigmoid"]
    if isinstance(activations, str):
        raise ValueError(f"activations must be a list of names, one per layer (L = {L}), got {activations!r}")
    activations = list(activations)
    if len(activations) != L:
        raise ValueError(f"activations must name one activation per layer (L = {L}), got {activations}")
    for name in activations:
        if name not in known:
            raise ValueError(f"activation must be one of {sorted(known)}, got {name!r}")
    return activations


def check_layer_dims(layer_dims, name: str = "layer_dims") -> list[int]:
    """`layer_dims (n_x, n_1, ..., n_L)` as a list of ints, after checking: at least 2 entries, each an int >= 1."""
    try:
        dims = list(layer_dims)
    except TypeError:
        dims = []
    if len(dims) < 2 or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool | np.bool_) and n >= 1
                                for n in dims):
        raise ValueError(f"{name} must be a list of positive ints [n_x, n_1, ..., n_L] with L >= 1, got {layer_dims!r}")
    return [int(n) for n in dims]
