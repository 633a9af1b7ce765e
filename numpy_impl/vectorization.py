"""Vectorization (concept A6): the notes' "replace `for i: z += w[i]*x[i]` with `np.dot`".

Each computation comes twice, with equal results: `*_loop` is the explicit Python loop of the lecture,
`*_vectorized` the one NumPy call that replaces it. `measure_speedup` times the two.

- z = wᵀx + b for one example: `linear_loop` / `linear_vectorized` (`np.dot(w, x) + b`)
- Z = wᵀX + b over m examples (logistic regression's forward step): `linear_examples_loop` /
  `linear_examples_vectorized` (`np.dot(w.T, X) + b`)
- u = e^v elementwise: `exp_loop` (`math.exp` per element) / `exp_vectorized` (`np.exp`)
- the outer product u vᵀ: `outer_loop` / `outer_vectorized` (`np.outer`)

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

from numpy_impl.validation import as_float_array, check_same_shape, check_X


def _vector(a, name: str) -> np.ndarray:
    # Shape and dtype only (O(1)): a finiteness pass would cost as much as np.dot itself and blur the
    # timing; NaN or inf simply propagate to the result in both versions.
    arr = as_float_array(a, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector of shape (n,), got shape {arr.shape}")
    return arr


def _w_x_b(w, b, x):
    w, x = _vector(w, "w"), _vector(x, "x")
    check_same_shape(w, x, "w", "x")
    b = as_float_array(b, "b")
    if b.ndim != 0:
        raise ValueError(f"b must be a scalar (the bias of one unit), got shape {b.shape}")
    return w, w.dtype.type(b), x


def _w_b_X(w, b, X):
    w = as_float_array(w, "w")
    if w.ndim != 2 or w.shape[1] != 1:
        raise ValueError(f"w must be a column (n_x, 1), got shape {w.shape}")
    X = check_X(X, n_x=w.shape[0])
    b = as_float_array(b, "b")
    if b.size != 1:
        raise ValueError(f"b must be a scalar (the bias of one unit), got shape {b.shape}")
    return w, w.dtype.type(b.item()), X


def linear_loop(w, b, x):
    """z = wᵀx + b by the notes' loop: z = 0; for i in range(n_x): z += w[i]·x[i]; then z += b.

    w, x (n_x,), b scalar -> z, a scalar of w's dtype (products added left to right).
    """
    w, b, x = _w_x_b(w, b, x)
    z = w.dtype.type(0)
    for i in range(w.shape[0]):
        z += w[i] * x[i]
    z += b
    return z


def linear_vectorized(w, b, x):
    """z = wᵀx + b = np.dot(w, x) + b.  w, x (n_x,), b scalar -> z, a scalar of w's dtype."""
    w, b, x = _w_x_b(w, b, x)
    return np.dot(w, x) + b


def linear_examples_loop(w, b, X):
    """Z = wᵀX + b by two loops: for each example j, z_j = Σ_i w_i·X[i, j] + b (the lecture's "for i = 1..m").

    w (n_x, 1), b scalar, X (n_x, m) -> Z (1, m).
    """
    w, b, X = _w_b_X(w, b, X)
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
    w, b, X = _w_b_X(w, b, X)
    return np.dot(w.T, X) + b


def exp_loop(v):
    """u_i = e^(v_i), one `math.exp` per element (computed in float64, stored in v's dtype).  v (n,) -> u (n,)."""
    v = _vector(v, "v")
    u = np.zeros_like(v)
    for i in range(v.shape[0]):
        u[i] = math.exp(v[i])
    return u


def exp_vectorized(v):
    """u = np.exp(v), elementwise.  v (n,) -> u (n,)."""
    return np.exp(_vector(v, "v"))


def outer_loop(u, v):
    """(u vᵀ)[i, j] = u_i·v_j by two loops.  u (n,), v (k,) -> (n, k)."""
    u, v = _vector(u, "u"), _vector(v, "v")
    out = np.zeros((u.shape[0], v.shape[0]), dtype=np.result_type(u, v))
    for i in range(u.shape[0]):
        for j in range(v.shape[0]):
            out[i, j] = u[i] * v[j]
    return out


def outer_vectorized(u, v):
    """u vᵀ = np.outer(u, v).  u (n,), v (k,) -> (n, k)."""
    return np.outer(_vector(u, "u"), _vector(v, "v"))


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
