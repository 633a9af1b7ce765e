"""The parity report: the CLI, its JSON, its exit status, and that it runs the same comparisons as pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from parity_tests import report
from parity_tests.harness import concept

CONCEPTS_IN_THE_SUITE = {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "B8", "B19"}


def test_discover_finds_a_comparison_for_every_concept():
    cases = report.discover()
    assert {c.concept for c in cases} >= CONCEPTS_IN_THE_SUITE
    assert all(c.__name__.startswith("test_") for c in cases), "pytest must collect every report comparison"


def test_concept_filter_json_and_exit_status(tmp_path, capsys):
    out = tmp_path / "rows.json"
    assert report.main(["--concept", "a2", "--json", str(out), "--plain"]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert {r["concept"] for r in rows} == {"A2"}
    assert {r["dtype"] for r in rows} == {"float64", "float32"}
    assert set(rows[0]) >= {"concept", "quantity", "kind", "dtype", "max_abs", "max_rel", "tol", "passed"}
    assert all(r["passed"] for r in rows)
    text = capsys.readouterr().out
    assert "A2  Notation" in text and f"{len(rows)} rows over 1 concepts: {len(rows)} passed, 0 failed" in text


def test_a_failing_or_crashing_comparison_makes_the_report_fail(monkeypatch, capsys, tmp_path):
    @concept("Z1")
    def test_fails(parity):
        parity.check("w", "step", 1.0, 2.0)
        parity.check("b", "step", 1.0, 1.0)  # report mode goes on after a failure

    @concept("Z1")
    def test_crashes(parity):
        raise RuntimeError("boom")

    monkeypatch.setattr(report, "discover", lambda: [test_fails, test_crashes])
    out = tmp_path / "rows.json"
    assert report.main(["--json", str(out)]) == 1
    rows = json.loads(out.read_text())["rows"]
    assert [(r["quantity"], r["passed"]) for r in rows if r["dtype"] == "float64"] == [
        ("w", False), ("b", True), ("test_crashes", False)]
    assert "RuntimeError: boom" in capsys.readouterr().out


def test_unknown_concept_is_an_error(capsys):
    assert report.main(["--concept", "Q42"]) == 2
    assert "no comparisons matched" in capsys.readouterr().err


@pytest.mark.slow
def test_the_whole_report_passes_in_under_a_minute(tmp_path):
    """The project's main job, end to end, as a user runs it (a fresh process: `python -m parity_tests`)."""
    out = tmp_path / "report.json"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "parity_tests", "--json", str(out)], capture_output=True, text=True,
                          env=env, timeout=300)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    for concept_id in CONCEPTS_IN_THE_SUITE:
        dtypes = {r["dtype"] for r in rows if r["concept"] == concept_id}
        assert dtypes == {"float64", "float32"}, f"{concept_id} has rows in {dtypes}"
    # Under a minute on 2 idle cores; the test suite runs beside another worker, so allow it twice that here.
    assert seconds < 120, f"the report took {seconds:.0f} s"


def test_rich_output_keeps_brackets_as_text():
    """Quantities like ‖dW[l]‖ and notes like "[float64] ..." must not be eaten as rich markup."""
    import io

    from rich.console import Console

    from parity_tests.harness import Parity

    p = Parity("B8", "float64", strict=False)
    p.check("‖dW[l]‖ per layer", "grad", 1.0, 1.0)
    p.check("b3 [bad]", "grad", 1.0, 2.0)
    buffer = io.StringIO()
    report.print_rich(p.rows, {"B8": ["[float64] accuracy 99%"]}, console=Console(file=buffer, width=200))
    text = buffer.getvalue()
    assert "‖dW[l]‖ per layer" in text and "[float64] accuracy 99%" in text
    assert "b3 [bad] [float64]: out of tolerance" in text and "(1/2 passed)" in text


def test_the_same_comparisons_give_the_same_numbers_twice():
    """Deterministic: seeded data and initial parameters, so a rerun reproduces every difference exactly."""
    first, _ = report.run(["A4", "B19"])
    second, _ = report.run(["A4", "B19"])
    assert [(r.quantity, r.dtype, r.max_abs, r.max_rel, r.passed) for r in first] == [
        (r.quantity, r.dtype, r.max_abs, r.max_rel, r.passed) for r in second]
