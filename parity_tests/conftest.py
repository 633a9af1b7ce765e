"""pytest glue: every `@concept` comparison runs once per dtype, inside that dtype's Keras precision."""

from __future__ import annotations

import parity_tests

parity_tests.pin_blas()  # before TensorFlow starts its thread pools (see parity_tests.pin_blas)

import keras  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from keras_impl._precision import keras_precision  # noqa: E402
from parity_tests.harness import DTYPES, Parity  # noqa: E402

# Property tests are seeded by hypothesis's own derandomization and keep no example database: the suite
# writes nothing into the repository and gives the same verdict on every run.
settings.register_profile("parity", database=None, derandomize=True)
settings.load_profile("parity")


@pytest.fixture(params=DTYPES)
def parity(request) -> Parity:
    concept_id = getattr(request.function, "concept", None)
    if concept_id is None:
        raise pytest.UsageError(f"{request.function.__name__} takes `parity` but is not marked with @concept(...)")
    with keras_precision(request.param):
        yield Parity(concept_id, request.param, strict=True, case=request.function.__name__)


@pytest.fixture(autouse=True)
def _no_leaked_keras_precision():
    """Fail a test that leaves Keras in another precision than it found (global state must not leak)."""
    before = (keras.config.floatx(), keras.config.dtype_policy().name)
    yield
    after = (keras.config.floatx(), keras.config.dtype_policy().name)
    assert after == before, f"Keras precision leaked: {before} -> {after}"
