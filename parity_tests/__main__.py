"""`python -m parity_tests`: print the parity report (see parity_tests.report)."""

import sys

from parity_tests.report import main

sys.exit(main())
