"""Rows whose entries reach down to zero: judged relative to the row's largest entry (normwise), and saying so.

Zero-initialised biases after a few steps, weights of the randn·0.01 start, ReLU zeros and 0/1 predictions put
most entries of some rows below `atol / rtol` of the tolerance table, where the table's absolute floor alone
would judge them. `check` keeps the table's tolerance when at most half of the
entries are like that; otherwise it compares at the row's own scale, `|numpy - tf| <= rtol·max|tf|` (the
table's rtol, normwise: an error of one part in 1/rtol of the largest entry fails), and states why, with the
counts, so that the report prints the reason next to the row.
"""

from __future__ import annotations

import numpy as np

from parity_tests.harness import Parity, Row, Tol


def check(parity: Parity, quantity: str, kind: str, numpy_value, tf_value, **stated) -> Row:
    """`parity.check(...)`, with the normwise tolerance (and its reason) when most entries lie below atol/rtol."""
    if stated.get("tol") is not None or stated.get("why"):
        return parity.check(quantity, kind, numpy_value, tf_value, **stated)
    table = parity.tolerance(kind)
    b = np.asarray(tf_value.numpy() if hasattr(tf_value, "numpy") else tf_value, dtype=np.float64)
    finite = b[np.isfinite(b)]
    small = int(np.count_nonzero(table.rtol * np.abs(finite) < table.atol))  # judged by atol alone
    if 2 * small <= finite.size or table.rtol == 0:
        return parity.check(quantity, kind, numpy_value, tf_value)
    scale = float(np.max(np.abs(finite), initial=0.0))
    if scale == 0.0:  # every entry is exactly 0 on the TF side: NumPy's must be exactly 0 too
        return parity.check(quantity, kind, numpy_value, tf_value, tol=Tol(table.rtol, 0.0),
                            why="every entry is exactly 0: compared exactly")
    tol = Tol(table.rtol, table.rtol * scale)
    why = (f"{small} of {finite.size} entries lie below atol/rtol = {table.atol / table.rtol:.0e} (zero starts, "
           f"small weights, ReLU zeros or 0/1 values): judged normwise, |diff| <= rtol·max|tf| = {tol.atol:.1e}")
    return parity.check(quantity, kind, numpy_value, tf_value, tol=tol, why=why)
