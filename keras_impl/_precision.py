"""Keras's global float precision as a context manager (a helper, not a concept).

Float64 Keras needs both `set_floatx("float64")` (optimizer learning-rate variables, `ops.cast` of
Python floats) and `set_dtype_policy("float64")` (layers' variables and compute dtype) *before* the
layers, losses and optimizers exist (docs/traps.md, trap 2). Both are process-global, so every
comparison sets them for its own duration only and restores what was there.
"""

from __future__ import annotations

import contextlib

import keras


@contextlib.contextmanager
def keras_precision(dtype: str):
    """Run the block with Keras's floatx and dtype policy set to `dtype` ("float32" or "float64")."""
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    old_floatx, old_policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(old_floatx)
        keras.config.set_dtype_policy(old_policy)
