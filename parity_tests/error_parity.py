"""Error parity: a bad input must raise the same exception type with the same message on both sides.

`same_error(numpy_call, tf_call)` runs both zero-argument callables, requires that each raises, and that the
two exceptions have the same type and the same message; it returns the exception so that a test can also
check what the message says (`match`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest


def _raised(call: Callable[[], object], side: str) -> BaseException:
    try:
        value = call()
    except Exception as exc:  # any exception: its type is what is compared
        return exc
    pytest.fail(f"{side} side accepted the bad input and returned {value!r:.200}")


def same_error(numpy_call: Callable[[], object], tf_call: Callable[[], object], match: str | None = None):
    """Both sides raise; same type, same message (and the message matches `match` if given)."""
    a, b = _raised(numpy_call, "numpy"), _raised(tf_call, "tf")
    assert type(a) is type(b), f"numpy raised {type(a).__name__}: {a}\n   tf raised {type(b).__name__}: {b}"
    assert str(a) == str(b), f"messages differ:\n  numpy: {a}\n  tf:    {b}"
    if match is not None:
        assert re.search(match, str(a)), f"message {str(a)!r} does not match {match!r}"
    return a
