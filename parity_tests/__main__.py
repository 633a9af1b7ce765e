"""`python -m parity_tests`: print the parity report (see parity_tests.report)."""

import sys

from parity_tests.report import main

if __name__ == "__main__":  # the report's worker processes import this module too (spawn): they must not rerun it
    sys.exit(main())
