"""The two sides stay independent: a parity test whose sides share code proves nothing.

Checked on the source (imports, by AST), so it also holds for code paths no test happens to run.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
# data, the neutral record and the input checks (checks are not math: both twins raise the same errors)
SHARED = {"numpy_impl.datasets", "numpy_impl.hyperparameters", "numpy_impl.validation"}


def _imports(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:  # `from a.b import c` counts as a.b.c
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "numpy_impl").glob("*.py")), ids=lambda p: p.name)
def test_numpy_impl_never_imports_tensorflow(path):
    bad = {n for n in _imports(path) if n.split(".")[0] in {"tensorflow", "keras", "keras_impl"}}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", sorted((ROOT / "keras_impl").glob("*.py")), ids=lambda p: p.name)
def test_keras_impl_uses_no_numpy_side_math(path):
    used = {n for n in _imports(path) if n.split(".")[0] == "numpy_impl"}
    bad = {n for n in used if not any(n == s or n.startswith(s + ".") for s in SHARED)}
    assert not bad, f"{path.name} imports NumPy-side code {sorted(bad)}"


def test_the_shared_record_is_neutral():
    used = _imports(ROOT / "numpy_impl" / "hyperparameters.py")
    assert not {n for n in used if n.split(".")[0] in {"numpy_impl", "tensorflow", "keras"}}, sorted(used)
