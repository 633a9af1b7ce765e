"""The parity suite: the same inputs through NumPy and TensorFlow/Keras, compared quantity by quantity.

`test_<concept>.py` modules hold the comparisons. A comparison is a function decorated with
`@concept("A4")` that takes one `parity` argument (a `harness.Parity`). pytest runs it once per dtype
(conftest.py); the report (`python -m parity_tests`, `dl-parity`) imports the same modules and runs the
same functions, so the two can never disagree.
"""

import os

# The report and the tests import TensorFlow: keep its start-up log (CUDA probing) off the terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
