"""Every tutorial notebook runs top to bottom as a plain script (fast mode) and is valid jupytext."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import jupytext
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no tutorials"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_percent_format_with_prose(path):
    nb = jupytext.read(path, fmt="py:percent")
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds.count("code") >= 2 and "markdown" in kinds, f"{path.name}: expected code and markdown cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_as_a_script(path, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", DL_FAST="1", PYTHONPATH=str(ROOT))
    # Run from an empty folder: a notebook must not need (or write) files in the repository.
    proc = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert list(tmp_path.iterdir()) == [], f"{path.name} wrote files: {list(tmp_path.iterdir())}"
