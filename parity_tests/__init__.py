"""The parity suite: the same inputs through NumPy and TensorFlow/Keras, compared quantity by quantity.

`test_<concept>.py` modules hold the comparisons. A comparison is a function decorated with
`@concept("A4")` that takes one `parity` argument (a `harness.Parity`). pytest runs it once per dtype
(conftest.py); the report (`python -m parity_tests`, `dl-parity`) imports the same modules and runs the
same functions, so the two can never disagree.

Importing this package (or `parity_tests.harness`, which the notebooks use) changes nothing in the process:
the suite (conftest.py) and the report (`report.main` and its workers) call `pin_blas()` where they start.
"""

import os


def pin_blas() -> None:
    """One BLAS thread for NumPy in a process that also runs TensorFlow.

    On 2 cores OpenBLAS's threads and TF's thread pools compete: measured, 500 NumPy steps of the A9 network
    took 2.8-3.7 s once TF had run, 0.4 s with one BLAS thread. Results are unchanged (each matmul here is
    small). The variable covers a NumPy imported later and the subprocesses (notebooks, report workers);
    threadpoolctl covers a NumPy already imported.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
