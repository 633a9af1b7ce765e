"""The parity suite: the same inputs through NumPy and TensorFlow/Keras, compared quantity by quantity.

`test_<concept>.py` modules hold the comparisons. A comparison is a function decorated with
`@concept("A4")` that takes one `parity` argument (a `harness.Parity`). pytest runs it once per dtype
(conftest.py); the report (`python -m parity_tests`, `dl-parity`) imports the same modules and runs the
same functions, so the two can never disagree.
"""

import os

# The report and the tests import TensorFlow: keep its start-up log (CUDA probing) off the terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# One BLAS thread for NumPy in the processes that also run TensorFlow. On 2 cores OpenBLAS's threads and
# TF's thread pools compete: measured, 500 NumPy steps of the A9 network took 2.8-3.7 s once TF had run,
# 0.4 s with one BLAS thread. Results are unchanged (each matmul here is small). The variable covers a
# NumPy imported after this line; threadpoolctl covers one already imported (pytest plugins may).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(limits=1, user_api="blas")
