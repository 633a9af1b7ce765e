"""Vectorization (concept A6): the notes' "replace `for i: z += w[i]*x[i]` with `np.dot`".

Each computation comes twice, with equal results: `*_loop` is the explicit Python loop of the lecture,
`*_vectorized` the one NumPy call that replaces it. `measure_speedup` times the two.

- z = wᵀx + b for one example: `linear_loop` / `linear_vectorized` (`np.dot(w, x) + b`)
- Z = wᵀX + b over m examples (logistic regression's forward step): `linear_examples_loop` /
  `linear_examples_vectorized` (`np.dot(w.T, X) + b`)
- u = e^v elementwise: `exp_loop` (`math.exp` per element) / `exp_vectorized` (`np.exp`)
- the outer product u vᵀ: `outer_loop` / `outer_vectorized` (`np.outer`)

The course's "Python basics with NumPy" exercise lives here too, with the course's names and return types:
`basic_sigmoid(x)` (one number, `math.exp`, a Python float), `sigmoid(x)` and `sigmoid_derivative(x)` on arrays
(numpy_impl.activations), `image2vector(image)` (length, height, depth) -> (length·height·depth, 1),
`normalizeRows(x)` (each row divided by its L2 norm), `softmax(x)` over each **row** of x (m, n) (that
exercise's layout; `activations.softmax(z, axis=0)` is the course-layout softmax over each column), and the
losses `L1(yhat, y)` = Σ|y - ŷ|, `L2(yhat, y)` = Σ(y - ŷ)² (numpy_impl.losses), each returning a float.

Equal, not identical: a loop adds the products left to right, `np.dot` (BLAS) in blocks, so the last bits
differ. For n terms either order is within γ_n = n·u/(1 - n·u) of the exact sum, relative to Σ|w_i·x_i|
(u = 2^-53 in float64, 2^-24 in float32): ~1e-14 for n = 64 in float64, ~1e-5 in float32, and for
positive terms that is a bound on the relative error itself. float32 inputs stay float32 (the loop
accumulates in the inputs' dtype).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np

from numpy_impl.activations import sigmoid, sigmoid_derivative
from numpy_impl.activations import softmax as _softmax
from numpy_impl.losses import L1, L2
from numpy_impl.validation import (
    check_image,
    check_nonzero_rows,
    check_number,
    check_rows,
    check_vector,
    check_w_b_X,
    check_w_x_b,
)

__all__ = ["L1", "L2", "Timing", "basic_sigmoid", "best_time", "exp_loop", "exp_vectorized", "image2vector",
           "linear_examples_loop", "linear_examples_vectorized", "linear_loop", "linear_vectorized",
           "measure_speedup", "normalizeRows", "outer_loop", "outer_vectorized", "sigmoid", "sigmoid_derivative",
           "softmax"]


def linear_loop(w, b, x):
    """z = wᵀx + b by the notes' loop: z = 0; for i in range(n_x): z += w[i]·x[i]; then z += b.

    w, x (n_x,), b scalar -> z, a scalar of w's dtype (products added left to right).
    """
    w, b, x = check_w_x_b(w, b, x)
    z = w.dtype.type(0)
    for i in range(w.shape[0]):
        z += w[i] * x[i]
    z += b
    return z


def linear_vectorized(w, b, x):
    """z = wᵀx + b = np.dot(w, x) + b.  w, x (n_x,), b scalar -> z, a scalar of w's dtype."""
    w, b, x = check_w_x_b(w, b, x)
    return np.dot(w, x) + b


def linear_examples_loop(w, b, X):
    """Z = wᵀX + b by two loops: for each example j, z_j = Σ_i w_i·X[i, j] + b (the lecture's "for i = 1..m").

    w (n_x, 1), b scalar, X (n_x, m) -> Z (1, m).
    """
    w, b, X = check_w_b_X(w, b, X)
    n_x, m = X.shape
    Z = np.zeros((1, m), dtype=w.dtype)
    for j in range(m):
        z = w.dtype.type(0)
        for i in range(n_x):
            z += w[i, 0] * X[i, j]
        Z[0, j] = z + b
    return Z


def linear_examples_vectorized(w, b, X):
    """Z = wᵀX + b = np.dot(w.T, X) + b (b broadcast over the m columns).  w (n_x, 1), X (n_x, m) -> Z (1, m)."""
    w, b, X = check_w_b_X(w, b, X)
    return np.dot(w.T, X) + b


def _exp(x: float) -> float:
    """math.exp(x), with the IEEE result inf where math.exp raises OverflowError (x > 709.78)."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def exp_loop(v):
    """u_i = e^(v_i), one `math.exp` per element (computed in float64, stored in v's dtype).  v (n,) -> u (n,).

    Where e^(v_i) exceeds the largest float of v's dtype, u_i = inf, as `np.exp` (and `tf.exp`) give it:
    math.exp would raise OverflowError for v_i > 709.78 where the vectorized twin returns inf.
    """
    v = check_vector(v, "v")
    u = np.zeros_like(v)
    with np.errstate(over="ignore"):  # a float64 e^v beyond float32's range becomes inf when stored
        for i in range(v.shape[0]):
            u[i] = _exp(float(v[i]))
    return u


def exp_vectorized(v):
    """u = np.exp(v), elementwise.  v (n,) -> u (n,); inf where e^(v_i) overflows v's dtype, as in exp_loop."""
    v = check_vector(v, "v")
    with np.errstate(over="ignore"):  # the overflow's value is inf, the same as exp_loop's: no warning
        return np.exp(v)


def outer_loop(u, v):
    """(u vᵀ)[i, j] = u_i·v_j by two loops.  u (n,), v (k,) -> (n, k)."""
    u, v = check_vector(u, "u"), check_vector(v, "v")
    out = np.zeros((u.shape[0], v.shape[0]), dtype=np.result_type(u, v))
    for i in range(u.shape[0]):
        for j in range(v.shape[0]):
            out[i, j] = u[i] * v[j]
    return out


def outer_vectorized(u, v):
    """u vᵀ = np.outer(u, v).  u (n,), v (k,) -> (n, k)."""
    return np.outer(check_vector(u, "u"), check_vector(v, "v"))


@dataclasses.dataclass(frozen=True)
class Timing:
    """Best-of-`repeats` wall times (seconds) of a loop and its vectorized replacement."""

    loop_seconds: float
    vectorized_seconds: float

    @property
    def speedup(self) -> float:
        """How many times faster the vectorized version is: loop_seconds / vectorized_seconds."""
        return self.loop_seconds / self.vectorized_seconds


def best_time(fn: Callable, *args, repeats: int = 3) -> float:
    """The shortest of `repeats` runs of `fn(*args)`, in seconds (`time.perf_counter`).

    The minimum, not the mean: other processes only ever add time, so the fastest run is the best
    estimate of the code's own cost.
    """
    if not (isinstance(repeats, int) and repeats >= 1):
        raise ValueError(f"repeats must be a positive int, got {repeats!r}")
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def measure_speedup(loop_fn: Callable, vectorized_fn: Callable, *args, repeats: int = 3) -> Timing:
    """Time `loop_fn(*args)` and `vectorized_fn(*args)` (best of `repeats` each); `.speedup` is their ratio.

    The vectorized call is repeated 100 times per run and divided by 100, so its time is well above the
    timer's resolution.
    """
    loop_seconds = best_time(loop_fn, *args, repeats=repeats)
    vectorized_seconds = best_time(lambda: [vectorized_fn(*args) for _ in range(100)], repeats=repeats) / 100
    return Timing(loop_seconds, vectorized_seconds)


# ---------------------------------------------------------------- the course's "Python basics with NumPy"


def basic_sigmoid(x) -> float:
    """s = 1 / (1 + e^(-x)) for one real number x, with `math.exp` (the exercise before NumPy) -> a Python float.

    The course's formula as written wherever e^(-x) is representable (x >= -709); below that math.exp(-x)
    would raise OverflowError, and the equal form e^x / (1 + e^x) gives the true value (0.0 at x = -inf).
    math.exp takes one number only: a list or an array is an error here; `sigmoid(x)` is the array version.
    """
    x = check_number(x, "x", array_version="sigmoid(x)")
    if x < -709.0:  # math.exp(-x) would overflow
        e = math.exp(x)
        return e / (1 + e)
    return 1 / (1 + math.exp(-x))


def image2vector(image):
    """v = image reshaped to a column: (length, height, depth) -> (length·height·depth, 1), the course's order.

    `image.reshape(length * height * depth, 1)`: the last axis (depth) varies fastest. A pure data movement:
    every value is kept as it is (NaN included).
    """
    image = check_image(image)
    length, height, depth = image.shape
    return image.reshape(length * height * depth, 1)


def normalizeRows(x):
    """Each row divided by its L2 norm: x_i / ‖x_i‖ with ‖x_i‖ = √(Σ_j x_ij²).  x (m, n) -> (m, n).

    Computed as y_i / ‖y_i‖ with y_i = x_i / max_j |x_ij|: equal in real arithmetic, and Σ y² never
    overflows (the course's np.linalg.norm(x, axis=1) is inf for entries ~1e155). A row of zeros has no
    direction: that is an error, not a row of NaN.
    """
    x = check_rows(x)
    check_nonzero_rows(x)
    scale = np.max(np.abs(x), axis=1, keepdims=True)
    y = x / scale
    return y / np.sqrt(np.sum(y * y, axis=1, keepdims=True))


def softmax(x):
    """softmax over each **row** of x (m, n): s_ij = e^(x_ij) / Σ_k e^(x_ik) (the exercise's layout).

    The row maximum is subtracted first (the result is unchanged and e^(...) never overflows; the course's
    np.exp(x) / sum is inf/inf = NaN for entries above 709). Course layout, one example per column, is
    `numpy_impl.activations.softmax(z, axis=0)`. x (m, n) -> (m, n), each row summing to 1.
    """
    return _softmax(check_rows(x), axis=1)
