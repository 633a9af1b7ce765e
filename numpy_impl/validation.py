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
    if np.issubdtype(arr.dtype, np.complexfloating):  # astype(float) would silently drop the imaginary part
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
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
    if arr.shape[1] == 0:
        raise ValueError(f"{name} holds no examples: shape {arr.shape} has m = 0 columns (one example per column)")
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
    if arr.shape[1] == 0:
        raise ValueError(f"{name} holds no examples: shape {arr.shape} has m = 0 columns (one label per column)")
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


def check_real_scalar(value, name: str, finite: bool = True):
    """A real number (Python or NumPy scalar, or a 0-d array; not a bool, str or complex), finite by default."""
    if isinstance(value, bool | np.bool_) or np.ndim(value) != 0:
        kind = "a bool" if isinstance(value, bool | np.bool_) else f"shape {np.shape(value)}"
        raise ValueError(f"{name} must be a real number (a scalar), got {kind}: {value!r:.80}")
    arr = as_float_array(value, name)
    if finite:
        check_finite(arr, name)
    return value


def check_w_b(w, b) -> np.ndarray:
    """Logistic regression's parameters: `w (n_x, 1)` a finite column and `b` a finite scalar; returns w."""
    w = as_float_array(w, "w")
    if w.ndim != 2 or w.shape[1] != 1:
        raise ValueError(f"w must be a column of shape (n_x, 1), got shape {w.shape}")
    if np.ndim(b) != 0:
        raise ValueError(f"b must be a scalar (a float), got an array of shape {np.shape(b)}")
    check_finite(w, "w")
    b_value = as_float_array(b, "b")
    check_finite(b_value, "b")
    if not isinstance(b, numbers.Real) or isinstance(b, np.floating):  # a Python number takes w's dtype
        _check_same_dtype(w, b_value, "w", "b")
    return w


def _check_same_dtype(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Parameters of one model in one float dtype: float32 W beside float64 b would silently compute in float64."""
    if a.dtype != b.dtype:
        raise ValueError(f"{name_a} and {name_b} must have the same dtype, got {a.dtype} and {b.dtype}: "
                         f"cast one of them (e.g. {name_b}.astype({name_a}.dtype))")


def check_W_b_row(W, b) -> tuple[np.ndarray, np.ndarray]:
    """Linear regression's parameters (one neuron): `W (1, n_x)` and `b (1, 1)`, finite."""
    W, b = as_float_array(W, "W"), as_float_array(b, "b")
    if W.ndim != 2 or W.shape[0] != 1:
        raise ValueError(f"W must be a row of shape (1, n_x) (one neuron), got shape {W.shape}")
    if b.shape != (1, 1):
        raise ValueError(f"b must have shape (1, 1), got {b.shape}")
    check_finite(W, "W")
    check_finite(b, "b")
    _check_same_dtype(W, b, "W", "b")
    return W, b


def check_dim(dim, name: str = "dim (the number of features n_x)") -> int:
    """A number of units or features: an integer >= 1 (np.int64 accepted, bool rejected)."""
    if isinstance(dim, bool | np.bool_) or not isinstance(dim, numbers.Integral) or dim < 1:
        raise ValueError(f"{name} must be a positive integer, got {dim!r}")
    return int(dim)


def check_training_finite(iteration: int, learning_rate, **values) -> None:
    """Stop a training loop at the first non-finite cost or parameter, naming the iteration.

    `values` in the order they are checked, e.g. `cost=J, w=w, b=b` (the cost of iteration i, and the
    parameters after its update). A diverging run (α too large) overflows to inf and then NaN; going on
    would only fill the history with NaN, so the loop stops and the message suggests a smaller α.
    """
    for name, value in values.items():
        if not np.all(np.isfinite(np.asarray(value))):
            raise FloatingPointError(
                f"training diverged at iteration {iteration}: {name} is not finite (NaN or inf) with "
                f"learning_rate = {float(learning_rate):g}; try a smaller learning_rate")


def check_one_hot_labels(Y, m: int, C: int | None = None, name: str = "Y") -> np.ndarray:
    """One-hot labels in course layout `(C, m)`: binary, exactly one 1 per column (and C rows if given)."""
    arr = check_Y(Y, m=m, n_y=C, binary=True, name=name)
    if not np.all(np.sum(arr, axis=0) == 1):
        bad = np.flatnonzero(np.sum(arr, axis=0) != 1)[:5]
        raise ValueError(f"{name} must be one-hot (C, m): exactly one 1 per column; columns {bad.tolist()} are not")
    return arr



def check_train_test_one_hot(X_train, Y_train, X_test, Y_test):
    """X_train (n_x, m), one-hot Y_train (C, m), X_test (n_x, m_test), one-hot Y_test (C, m_test), as float arrays.

    An X in the layout (m, n_x) is named as such (pass X.T); train and test must agree on n_x and on C.
    """
    X_train, Y_train = check_X_Y(X_train, Y_train, binary=True)
    Y_train = check_one_hot_labels(Y_train, m=X_train.shape[1], name="Y_train")
    X_test = check_X(X_test, n_x=X_train.shape[0], name="X_test")
    Y_test = check_one_hot_labels(Y_test, m=X_test.shape[1], C=Y_train.shape[0], name="Y_test")
    return X_train, Y_train, X_test, Y_test


def check_number(x, name: str = "x", array_version: str = "sigmoid(x)") -> float:
    """One real number (not a list, array, bool or NaN) as a Python float; ±inf are kept.

    For the scalar exercises written with `math` (math.exp takes one number): a list or array is a TypeError
    that names the array version to use instead.
    """
    if isinstance(x, list | tuple) or np.ndim(x) != 0:
        raise TypeError(f"{name} must be one real number (math functions work on scalars); for a vector or "
                        f"matrix use {array_version}, got {type(x).__name__} of shape {np.shape(x)}")
    check_real_scalar(x, name, finite=False)
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"{name} must be a number, got nan")
    return x


def check_vector(a, name: str) -> np.ndarray:
    """A 1-D numeric vector `(n,)` as a float array (shape and dtype only: NaN and inf propagate)."""
    arr = as_float_array(a, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector of shape (n,), got shape {arr.shape}")
    return arr


def check_w_x_b(w, b, x):
    """`w, x (n_x,)` vectors of one shape and `b` a scalar (z = wᵀx + b for one example); b in w's dtype."""
    w, x = check_vector(w, "w"), check_vector(x, "x")
    check_same_shape(w, x, "w", "x")
    b = as_float_array(b, "b")
    if b.ndim != 0:
        raise ValueError(f"b must be a scalar (the bias of one unit), got shape {b.shape}")
    return w, w.dtype.type(b), x


def check_w_b_X(w, b, X):
    """`w (n_x, 1)`, a scalar `b` and `X (n_x, m)` (Z = wᵀX + b over m examples); b in w's dtype."""
    w = as_float_array(w, "w")
    if w.ndim != 2 or w.shape[1] != 1:
        raise ValueError(f"w must be a column (n_x, 1), got shape {w.shape}")
    X = check_X(X, n_x=w.shape[0])
    b = as_float_array(b, "b")
    if b.size != 1:
        raise ValueError(f"b must be a scalar (the bias of one unit), got shape {b.shape}")
    return w, w.dtype.type(b.item()), X


def check_rows(x, name: str = "x") -> np.ndarray:
    """A finite, non-empty 2-D matrix `(m, n)` of row vectors (the Python-basics exercise's layout)."""
    x = as_float_array(x, name)
    if x.ndim != 2:
        raise ValueError(f"{name} must be 2-D (m, n), one row per vector, got shape {x.shape}: "
                         f"for one vector use {name}.reshape(1, -1)")
    if x.size == 0:
        raise ValueError(f"{name} must hold at least one row and one column, got shape {x.shape}")
    check_finite(x, name)
    return x


def check_nonzero_rows(x, name: str = "x") -> None:
    """Raise if a row of `x (m, n)` is all zeros (a zero vector has no norm to divide by)."""
    zero = np.flatnonzero(np.all(np.asarray(x) == 0, axis=1))
    if zero.size:
        raise ValueError(f"rows {zero[:5].tolist()} of {name} are all zeros: a zero vector has no norm to divide by")


def check_image(image, name: str = "image") -> np.ndarray:
    """A non-empty 3-D numeric array (length, height, depth) (values kept as they are)."""
    image = as_float_array(image, name)
    if image.ndim != 3:
        raise ValueError(f"{name} must be 3-D (length, height, depth), got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"{name} must hold at least one value, got shape {image.shape}")
    return image


def check_yhat_y(yhat, y) -> tuple[np.ndarray, np.ndarray]:
    """A prediction `yhat` and targets `y` of exactly the same shape, finite; y in yhat's dtype."""
    yhat, y = as_float_array(yhat, "yhat"), as_float_array(y, "y")
    check_same_shape(yhat, y, "yhat", "y")
    check_finite(yhat, "yhat")
    check_finite(y, "y")
    return yhat, y.astype(yhat.dtype, copy=False)


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


# ---------------------------------------------------------------- optimization (B10-B15), shared by both twins

OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")


def check_beta(beta, name: str = "beta"):
    """β (momentum, RMSprop, Adam's β1, β2) as given, after checking it is a real number (not a bool), 0 <= β < 1."""
    if not (isinstance(beta, numbers.Real) and not isinstance(beta, bool | np.bool_) and math.isfinite(beta)
            and 0 <= beta < 1):
        raise ValueError(f"{name} must be a number with 0 <= {name} < 1, got {beta!r}")
    return beta


def check_nonnegative(value, name: str):
    """ε or a decay rate as given, after checking it is a finite real number >= 0 (not a bool)."""
    if not (isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_) and math.isfinite(value)
            and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def count_layers_by_keys(parameters: Mapping) -> int:
    """L for `{"W1", "b1", ..., "WL", "bL"}` from the keys only (the course's optimizer tests use layers whose
    shapes do not chain, so the shapes are not required to)."""
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    L = sum(1 for k in parameters if k.startswith("W") and k[1:].isdigit())
    if L == 0:
        raise KeyError(f"parameters must hold W1, b1, ...; it has {sorted(parameters)}")
    check_keys(parameters, [f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")], "parameters")
    return L


def check_state_like(parameters: Mapping, other: Mapping, name: str) -> int:
    """`other` (grads, v or s) holds `dW{l}`, `db{l}` of the shape of `W{l}`, `b{l}`, all finite; returns L."""
    L = count_layers_by_keys(parameters)
    check_keys(other, [f"d{p}{l}" for l in range(1, L + 1) for p in ("W", "b")], name)
    for l in range(1, L + 1):
        for p in ("W", "b"):
            value = as_float_array(other[f"d{p}{l}"], f"{name}['d{p}{l}']")
            if value.shape != np.shape(parameters[f"{p}{l}"]):
                raise ValueError(f"{name}['d{p}{l}'] must have the shape of {p}{l} {np.shape(parameters[f'{p}{l}'])}, "
                                 f"got {value.shape}")
            check_finite(value, f"{name}['d{p}{l}']")
    return L


def check_mini_batch_arguments(X, Y, mini_batch_size, seed) -> tuple[np.ndarray, np.ndarray, int]:
    """`random_mini_batches`' inputs: X (n_x, m) finite, Y 2-D (n_y, m) of any values (the course's test passes
    booleans), mini_batch_size an int >= 1, seed an int in [0, 2**32). Returns X, Y (as given), mini_batch_size."""
    X = check_X(X)
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[1] != X.shape[1]:
        hint = " (it looks transposed: pass Y.T)" if Y.ndim == 2 and Y.shape[0] == X.shape[1] else ""
        raise ValueError(f"Y must be 2-D (n_y, m) with m = {X.shape[1]} columns like X, got shape {Y.shape}{hint}")
    mini_batch_size = check_count(mini_batch_size, "mini_batch_size")
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    return X, Y, mini_batch_size


def check_optimizer_arguments(X, Y, layers_dims, optimizer, learning_rate, mini_batch_size, beta, beta1, beta2,
                              epsilon, num_epochs, decay, decay_rate) -> tuple[np.ndarray, np.ndarray]:
    """The arguments of the optimization course driver `model(X, Y, layers_dims, optimizer, ...)`; returns X, Y."""
    dims = check_layer_dims(layers_dims, "layers_dims")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    X = check_X(X, n_x=dims[0])
    Y = check_Y(Y, m=X.shape[1], n_y=dims[-1], binary=True)
    check_learning_rate(learning_rate)
    check_count(mini_batch_size, "mini_batch_size")
    check_beta(beta)
    check_beta(beta1, "beta1")
    check_beta(beta2, "beta2")
    check_nonnegative(epsilon, "epsilon")
    check_count(num_epochs, "num_epochs", minimum=0)
    if decay is not None and not callable(decay):
        raise TypeError(f"decay must be None or a function decay(learning_rate0, epoch_num, decay_rate), got {decay!r}")
    check_nonnegative(decay_rate, "decay_rate")
    return X, Y


def diverged_error(epoch: int, batch: int, step: int) -> FloatingPointError:
    """The error both twins raise when the cost of a mini-batch is not finite (a too large learning rate)."""
    return FloatingPointError(f"training diverged: the cost of epoch {epoch}, mini-batch {batch} (update t = {step}) "
                              f"is not finite (NaN or inf); try a smaller learning_rate")


def check_train_test_binary(X_train, Y_train, X_test, Y_test):
    """A binary classifier's data: X_train (n_x, m_train), Y_train (1, m_train), X_test (n_x, m_test),
    Y_test (1, m_test), labels in {0, 1}. Examples given as rows (X_train (m, n_x)) are named: pass X_train.T.

    A 1-D label vector of exactly m entries is taken as the row (1, m): the course's own test of `model` passes
    `y_test = np.array([0, 1, 0])`, and the course's model accepts it (it only enters the accuracy)."""
    X_train = check_X(X_train, name="X_train")
    if np.ndim(Y_train) == 1 and np.shape(Y_train)[0] == X_train.shape[1]:
        Y_train = np.reshape(Y_train, (1, -1))
    if np.ndim(Y_test) == 1 and np.ndim(X_test) == 2 and np.shape(Y_test)[0] == np.shape(X_test)[1]:
        Y_test = np.reshape(Y_test, (1, -1))
    n_x = X_train.shape[0]
    if np.ndim(Y_train) == 2 and np.shape(Y_train)[1] == n_x != X_train.shape[1]:
        raise ValueError(f"X_train has shape {X_train.shape}, which looks like (m, n_x): Y_train holds {n_x} labels; "
                         f"the course layout is (n_x, m): pass X_train.T (and X_test.T)")
    Y_train = check_Y(Y_train, m=X_train.shape[1], n_y=1, binary=True, name="Y_train")
    X_test = check_X(X_test, n_x=n_x, name="X_test")
    Y_test = check_Y(Y_test, m=X_test.shape[1], n_y=1, binary=True, name="Y_test")
    return X_train, Y_train, X_test, Y_test


def check_lambd(lambd):
    """The L2 strength λ as given, after checking it is a real number (not a bool), finite and >= 0."""
    if not (isinstance(lambd, numbers.Real) and not isinstance(lambd, bool) and math.isfinite(lambd) and lambd >= 0):
        raise ValueError(f"lambd must be a finite number >= 0 (the L2 strength λ), got {lambd!r}")
    return lambd


def check_keep_prob(keep_prob):
    """The dropout keep_prob as given, after checking it is a real number (not a bool) in (0, 1]."""
    if not (isinstance(keep_prob, numbers.Real) and not isinstance(keep_prob, bool)
            and math.isfinite(keep_prob) and 0 < keep_prob <= 1):
        raise ValueError(f"keep_prob must be a number in (0, 1] (the probability of keeping a unit), got {keep_prob!r}")
    return keep_prob


# ---------------------------------------------------------------- batch normalization (B17), shared by both twins


def check_positive(value, name: str):
    """ε (batch norm) as given, after checking it is a finite real number > 0 (not a bool)."""
    if not (isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_) and math.isfinite(value)
            and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_column(a, n: int, name: str) -> np.ndarray:
    """A finite column `(n_l, 1)` = `(n, 1)` (γ, β, μ, σ² of a batch-norm layer) as a float array."""
    arr = as_float_array(a, name)
    if arr.shape != (n, 1):
        raise ValueError(f"{name} must be a column (n_l, 1) = ({n}, 1), got shape {arr.shape}")
    check_finite(arr, name)
    return arr


def check_Z(Z, name: str = "Z") -> np.ndarray:
    """A finite 2-D `Z (n_l, m)` with m >= 1 as a float array."""
    arr = as_float_array(Z, name)
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise ValueError(f"{name} must be 2-D (n_l, m) with m >= 1, got shape {arr.shape}")
    check_finite(arr, name)
    return arr


def check_minimize_arguments(w, learning_rate, num_iterations, x, optimizer, beta1, beta2, epsilon, dtype):
    """The checks of concept B19's `minimize` (both twins): -> (w as float, num_iterations, x (3,), dtype).

    w a finite real scalar; α a finite number > 0 (not a bool); num_iterations an integer >= 1; x the three
    coefficients [x0, x1, x2] of J = x0·w² + x1·w + x2 with x0 > 0 (J has a minimum); `optimizer` "gd" or
    "adam"; β1, β2 in [0, 1); ε >= 0; dtype float32 or float64.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if optimizer not in ("gd", "adam"):
        raise ValueError(f"optimizer must be one of ('gd', 'adam'), got {optimizer!r}")
    num_iterations = check_count(num_iterations, "num_iterations")
    check_learning_rate(learning_rate)
    check_beta(beta1, "beta1")
    check_beta(beta2, "beta2")
    check_nonnegative(epsilon, "epsilon")
    w = as_float_array(w, "w")
    if w.ndim != 0:
        raise ValueError(f"w must be a scalar (the notes' single weight), got shape {w.shape}")
    check_finite(w, "w")
    return float(w), num_iterations, check_coefficients(x), dtype


def check_coefficients(x) -> np.ndarray:
    """x = [x0, x1, x2] of J = x0·w² + x1·w + x2: shape (3,), finite, x0 > 0 (so that J has a minimum)."""
    x = as_float_array(x, "x")
    if x.shape != (3,):
        raise ValueError(f"x must hold the 3 coefficients [x0, x1, x2] of J = x0·w² + x1·w + x2, got shape {x.shape}")
    check_finite(x, "x")
    if x[0] <= 0:
        raise ValueError(f"x0 must be > 0 for J = x0·w² + x1·w + x2 to have a minimum, got x0 = {x[0]}")
    return x


def check_dA_Z(dA, Z) -> tuple[np.ndarray, np.ndarray]:
    """An upstream gradient dA and the cached Z of one layer: numeric arrays of exactly the same shape."""
    dA, Z = as_float_array(dA, "dA"), as_float_array(Z, "Z")
    check_same_shape(dA, Z, "dA", "Z")
    return dA, Z


def check_proportions(proportions) -> tuple[float, float, float]:
    """Three finite shares > 0 that sum to 1 (within 1e-9), as floats."""
    if not isinstance(proportions, (tuple, list)) or len(proportions) != 3 or not all(
            isinstance(p, numbers.Real) and not isinstance(p, bool) and math.isfinite(p) and p > 0
            for p in proportions):
        raise ValueError(f"proportions must be three numbers > 0 (train, dev, test), got {proportions!r}")
    if abs(sum(proportions) - 1) > 1e-9:
        raise ValueError(f"proportions must sum to 1, got {proportions!r} (sum {sum(proportions)!r})")
    return tuple(float(p) for p in proportions)
