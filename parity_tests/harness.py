"""One comparison helper, one tolerance table, and the rows the report prints.

`Parity.check(quantity, kind, numpy_value, tf_value)` compares shape first, then values, with the
tolerance of `TOLERANCES[(kind, dtype)]`, records a `Row`, and (in strict mode, under pytest) raises an
`AssertionError` that shows both values, the difference, the tolerance and the previous quantity checked.

Entries judged only by atol. An entry passes iff `|numpy - tf| <= atol + rtol·|tf|`. When `|tf| < atol` (strictly;
an exact zero counts whenever atol > 0) the allowance exceeds the entry itself: 0, or anything between 0 and
twice the value, would pass, so the comparison says nothing about that entry beyond "smaller than atol"; the
entry is judged by `atol` alone. `Row.atol_only` counts those entries among the finite ones and `Row.entries` is
the number of entries compared (the report prints "atol_only/entries"). A row where more than half of the
entries are judged only by atol fails unless the test states why (`why=`); the usual fix is inputs at a scale
where rtol judges. Non-finite entries never count (they must be identical on both sides). Not counted: entries
whose allowance is mostly atol but still smaller than the entry (`atol <= |tf| < atol/rtol`, e.g. a float32
entry of 0.05 under the table's 1e-5/1e-6 is held to 3e-5 relative): rtol still constrains them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

DTYPES = ("float64", "float32")


@dataclasses.dataclass(frozen=True)
class Tol:
    """Pass iff `|numpy - tf| <= atol + rtol * |tf|` elementwise (the `np.allclose` rule)."""

    rtol: float
    atol: float

    def __str__(self) -> str:
        return f"rtol={self.rtol:.0e} atol={self.atol:.0e}"


# Why these numbers. float64: eps = 2.2e-16, a pass through a few ops and a sum over m <= 10^4 terms
# stays within ~1e-13 relative, so 1e-12 is tight yet portable (BLAS summation order differs between
# NumPy and TF); gradients are products of several such quantities, 1e-10 (the bound) leaves
# room for cancellation in dW = dZ A_prev^T / m. Long trajectories amplify per-step rounding.
# float32: eps = 1.19e-7; 1e-5 relative is ~100 ulp, the bound measured for one
# forward/backward pass through Dense + cross-entropy; after up to a few hundred steps the rounding of
# every step accumulates, hence 1e-4. `layout` is a pure data movement (transpose, reshape): exact.
# `statistic` compares sample statistics of two different random generators (NumPy's legacy RNG vs
# Keras's initializers): they never match draw by draw; with >= 10^5 draws the relative standard error
# of a std is 1/sqrt(2N) <= 0.22%, so 1% is ~4.5 standard errors (and the seeds are fixed: no flakiness).
# A check that needs another tolerance passes `tol=` together with `why=`; the report prints both.
TOLERANCES: dict[tuple[str, str], Tol] = {
    ("layout", "float64"): Tol(0.0, 0.0),
    ("forward", "float64"): Tol(1e-12, 1e-14),
    ("cost", "float64"): Tol(1e-12, 1e-14),
    ("grad", "float64"): Tol(1e-10, 1e-14),
    ("step", "float64"): Tol(1e-12, 1e-14),
    ("trajectory", "float64"): Tol(1e-10, 1e-12),
    ("layout", "float32"): Tol(0.0, 0.0),
    ("forward", "float32"): Tol(1e-5, 1e-6),
    ("cost", "float32"): Tol(1e-5, 1e-6),
    ("grad", "float32"): Tol(1e-5, 1e-6),
    ("step", "float32"): Tol(1e-5, 1e-6),
    ("trajectory", "float32"): Tol(1e-4, 1e-5),
    ("statistic", "float64"): Tol(1e-2, 0.0),
    ("statistic", "float32"): Tol(1e-2, 0.0),
}
KINDS = sorted({kind for kind, _ in TOLERANCES})


@dataclasses.dataclass
class Row:
    """One line of the report: one quantity of one concept in one dtype."""

    concept: str
    quantity: str
    kind: str
    dtype: str
    max_abs: float
    max_rel: float
    tol: float  # rtol
    atol: float
    passed: bool
    why: str = ""  # set when the tolerance is not the table's, or when the row records an error
    case: str = ""  # the comparison function that produced the row
    problem: str = ""  # why the row failed ("" when it passed)
    atol_only: int = 0  # entries judged only by atol: rtol·|tf| < atol (see the module docstring)
    entries: int = 0  # entries compared

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


def _to_numpy(value) -> np.ndarray:
    if hasattr(value, "numpy") and callable(value.numpy):  # tf.Tensor, tf.Variable, Keras variable
        value = value.numpy()
    return np.asarray(value)


def _brief(a: np.ndarray) -> str:
    with np.printoptions(precision=17, threshold=12, edgeitems=3, linewidth=100):
        return repr(a)


def max_abs_diff(a, b) -> float:
    """max |a - b| over all entries, the report's "max abs" (tensors are converted; notebooks print it too)."""
    return _differences(_to_numpy(a).astype(np.float64), _to_numpy(b).astype(np.float64))[0]


def max_rel_diff(a, b) -> float:
    """max |a - b| / max(|a|, |b|) over all entries (0 where a = b), the report's "max rel"."""
    return _differences(_to_numpy(a).astype(np.float64), _to_numpy(b).astype(np.float64))[1]


def _differences(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.divide(diff, scale, out=np.zeros_like(diff), where=diff > 0)
    return float(diff.max(initial=0.0)), float(rel.max(initial=0.0))


def atol_only_count(tf_value, tol: Tol) -> int:
    """How many finite entries of `tf_value` only `atol` judges: `|tf| < atol` (zeros included when atol > 0)."""
    b = np.asarray(tf_value, dtype=np.float64)
    b = b[np.isfinite(b)]
    return int(np.count_nonzero(np.abs(b) < tol.atol))


def _compare(a: np.ndarray, b: np.ndarray, tol: Tol, stated: bool) -> tuple[float, float, str, int]:
    """Max abs and max rel difference of two float64 arrays of one shape, what is wrong ("" if nothing), and how
    many entries only atol judged.

    Non-finite entries must be the same on both sides (inf where inf, nan where nan); the finite ones must
    satisfy |a - b| <= atol + rtol·|b|. A comparison where more than half of the entries are judged by atol
    alone (|b| < atol) cannot tell the values from zero, so it fails unless the caller stated why.
    """
    atol_only = atol_only_count(b, tol)
    finite = np.isfinite(a)
    if not (np.array_equal(finite, np.isfinite(b)) and np.array_equal(a[~finite], b[~finite], equal_nan=True)):
        return float("inf"), float("inf"), "non-finite values differ", atol_only
    a, b = a[finite], b[finite]
    max_abs, max_rel = _differences(a, b)
    if not np.all(np.abs(a - b) <= tol.atol + tol.rtol * np.abs(b)):
        return max_abs, max_rel, "out of tolerance", atol_only
    if not stated and 2 * atol_only > finite.size:
        return max_abs, max_rel, (
            f"{atol_only} of {finite.size} entries are judged only by atol = {tol.atol:g} (|tf| < atol): this "
            "comparison cannot tell them from zero; choose inputs at a scale where rtol judges, or state why "
            "(why=...)"), atol_only
    return max_abs, max_rel, "", atol_only


class Parity:
    """Records comparison rows for one concept in one dtype.

    Attributes: `dtype` (the numpy dtype both sides must compute in), `rows`, `notes` (free text the
    report prints under the concept: measured speed-ups, accuracies). With `strict=True` a failing check
    raises at once (pytest); with `strict=False` it is recorded and the run goes on (the report).
    """

    def __init__(self, concept: str, dtype: str, strict: bool = True, case: str = ""):
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
        self.concept, self.dtype_name, self.strict, self.case = concept, dtype, strict, case
        self.dtype = np.dtype(dtype)
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self._previous: str | None = None

    def tolerance(self, kind: str) -> Tol:
        try:
            return TOLERANCES[(kind, self.dtype_name)]
        except KeyError:
            raise ValueError(f"unknown kind {kind!r}; the tolerance table knows {KINDS}") from None

    def note(self, text: str) -> None:
        """Attach a measured fact (speed-up, accuracy) to this concept in the report."""
        self.notes.append(text)

    def check(self, quantity: str, kind: str, numpy_value, tf_value, *, tol: Tol | None = None,
              why: str = "") -> Row:
        """Compare `numpy_value` (NumPy side) with `tf_value` (TF/Keras side); record and return the row."""
        table_tol = self.tolerance(kind)
        if tol is not None and not why:
            raise ValueError(f"{quantity}: a tolerance other than the table's needs a reason (why=...)")
        tol = tol or table_tol
        a, b = _to_numpy(numpy_value), _to_numpy(tf_value)
        problem = self._shape_and_dtype_problem(a, b, numpy_value, tf_value)
        max_abs = max_rel = float("inf")
        atol_only = 0
        if not problem:
            max_abs, max_rel, problem, atol_only = _compare(a.astype(np.float64), b.astype(np.float64), tol,
                                                            stated=bool(why))
        row = Row(self.concept, quantity, kind, self.dtype_name, max_abs, max_rel, tol.rtol, tol.atol,
                  passed=not problem, why=why, case=self.case, problem=problem, atol_only=atol_only,
                  entries=int(b.size))
        self.rows.append(row)
        previous, self._previous = self._previous, f"{quantity} (max abs diff {max_abs:.3g})"
        if problem and self.strict:
            raise AssertionError(
                f"[{self.concept}] {quantity} ({kind}, {self.dtype_name}) differs: {problem}\n"
                f"  numpy: {_brief(a)}\n  tf:    {_brief(b)}\n"
                f"  max abs diff {max_abs:.3g}, max rel diff {max_rel:.3g}; tolerance {tol}"
                f"{' (' + why + ')' if why else ''}\n"
                f"  previous quantity in the chain: {previous or '(none: this is the first)'}"
            )
        return row

    def _shape_and_dtype_problem(self, a: np.ndarray, b: np.ndarray, numpy_value, tf_value) -> str:
        """Shape first; then each array side must be in the row's dtype (a float64 row whose TF side silently
        ran in float32 must not pass). A plain Python float (course costs are `float(...)`) is accepted."""
        if a.shape != b.shape:
            return f"shape mismatch: numpy {a.shape} vs tf {b.shape}"
        for side, v, raw in (("numpy", a, numpy_value), ("tf", b, tf_value)):
            if type(raw) is not float and np.issubdtype(v.dtype, np.floating) and v.dtype != self.dtype:
                return f"{side} side computed in {v.dtype}, expected {self.dtype}"
        return ""

    def error(self, exc: BaseException) -> Row:
        """Record a comparison that raised before finishing (shown as a failed row in the report)."""
        row = Row(self.concept, self.case or "?", "error", self.dtype_name, float("nan"), float("nan"),
                  float("nan"), float("nan"), passed=False, case=self.case, problem=f"{type(exc).__name__}: {exc}")
        self.rows.append(row)
        return row


def concept(concept_id: str) -> Callable:
    """Mark a function `f(parity)` as a parity comparison for `concept_id` (an id of the concept table in README)."""

    def mark(fn: Callable) -> Callable:
        fn.concept = concept_id
        return fn

    return mark


@dataclasses.dataclass(frozen=True)
class Mapping:
    """One textbook⇄Keras correspondence, stated next to the comparison that proves it.

    `textbook` is the notes' formula or the course's call, `keras` what Keras does instead (or how the Keras
    block is configured to do the same), in the project's words; `case` names the `@concept(concept)` function
    of the same `test_<module>.py` whose rows prove the statement. A test module lists its mappings in a
    module-level `MAPPINGS` list; the docs site prints each one with the rows of its case, and
    `test_twins.py` checks that the case exists and belongs to that concept.
    """

    concept: str
    textbook: str
    keras: str
    case: str
