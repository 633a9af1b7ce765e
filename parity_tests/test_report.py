"""The parity report: the CLI, its JSON, its exit status, and that it runs the same comparisons as pytest."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from parity_tests import report
from parity_tests.harness import concept

CONCEPTS_IN_THE_SUITE = {f"A{i}" for i in range(1, 11)} | {f"B{i}" for i in range(1, 20)} | {"X1"}  # every concept


def test_discover_finds_a_comparison_for_every_concept():
    cases = report.discover()
    assert {c.concept for c in cases} >= CONCEPTS_IN_THE_SUITE
    assert all(c.__name__.startswith("test_") for c in cases), "pytest must collect every report comparison"


def test_concept_filter_json_and_exit_status(tmp_path, capsys):
    out = tmp_path / "rows.json"
    assert report.main(["--concept", "a2", "--json", str(out), "--plain", "-j", "1"]) == 0
    payload = json.loads(out.read_text())
    rows = payload["rows"]
    assert {r["concept"] for r in rows} == {"A2"}
    assert {r["dtype"] for r in rows} == {"float64", "float32"}
    assert set(rows[0]) >= {"concept", "quantity", "kind", "dtype", "max_abs", "max_rel", "tol", "passed", "atol_only",
                            "entries", "case"}
    assert {r["case"] for r in rows} == {c.name for c in report.catalog() if c.concept == "A2"}
    run = payload["run"]
    assert set(run["versions"]) == {"python", "tensorflow", "keras", "numpy"} and run["date"].endswith("UTC")
    assert run["summary"].startswith(f"{len(rows)} rows over 1 concepts: {len(rows)} passed, 0 failed (")
    starred = {r["why"] for r in rows if r["why"]}
    assert len(payload["footnotes"].get("A2", [])) == len(starred)  # one footnote per distinct reason
    assert all(0 <= r["atol_only"] <= r["entries"] for r in rows) and any(r["entries"] > 1 for r in rows)
    assert all(r["passed"] for r in rows)
    text = capsys.readouterr().out
    assert "A2  Notation" in text and f"{len(rows)} rows over 1 concepts: {len(rows)} passed, 0 failed" in text
    assert "atol-only" in text and f"{rows[0]['atol_only']}/{rows[0]['entries']}" in text
    assert "running" not in text  # no progress display when the output is not a terminal


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
    assert report.main(["--json", str(out), "-j", "1"]) == 1
    rows = json.loads(out.read_text())["rows"]
    assert [(r["quantity"], r["passed"]) for r in rows if r["dtype"] == "float64"] == [
        ("w", False), ("b", True), ("test_crashes", False)]
    assert "RuntimeError: boom" in capsys.readouterr().out


@pytest.mark.parametrize("ids", [["Q42"], ["A2,ZZ9"], [""], ["A2,"], ["A2", "zz9"]])
def test_unknown_or_empty_concept_ids_are_a_usage_error_naming_the_known_ids(ids, monkeypatch, capsys):
    monkeypatch.setattr(report, "run_report", _must_not_run)
    argv = [arg for i in ids for arg in ("--concept", i)]
    assert report.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown concept id" in err and "known ids: A1, A2," in err
    assert ("''" in err) if "" in ",".join(ids).split(",") else ("Q42" in err or "ZZ9" in err.upper())


def _must_not_run(*args, **kwargs):
    raise AssertionError("the comparisons ran although the command line was wrong")


def test_list_prints_every_concept_id_with_its_title(capsys, monkeypatch):
    monkeypatch.setattr(report, "run_report", _must_not_run)
    assert report.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ids = [line.split()[0] for line in lines]
    assert ids == report.known_concepts() and set(ids) >= CONCEPTS_IN_THE_SUITE
    assert any(line.startswith("A7   Shallow network (planar data)") for line in lines)


def test_catalog_read_from_the_source_matches_the_imported_comparisons():
    """-j N workers are planned from the source (no TensorFlow in the parent): it must name what pytest runs."""
    assert [(c.module, c.name, c.concept) for c in report.catalog()] == [
        (f.__module__.removeprefix("parity_tests."), f.__name__, f.concept) for f in report.discover()]


def _fake_comparisons(monkeypatch):
    @concept("Z1")
    def test_ok(parity):
        parity.check("w", "step", 1.0, 1.0)

    monkeypatch.setattr(report, "discover", lambda: [test_ok])


@pytest.mark.parametrize("where", ["missing folder", "a directory", "read-only folder", "empty path"])
def test_a_json_path_that_cannot_be_written_is_found_first_the_table_is_printed_and_the_exit_is_2(
        where, tmp_path, monkeypatch, capsys):
    _fake_comparisons(monkeypatch)
    if where == "missing folder":
        path = tmp_path / "no" / "such" / "rows.json"
    elif where == "a directory":
        path = tmp_path
    elif where == "empty path":
        path = ""
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        path = folder / "rows.json"
        if os.access(folder, os.W_OK):  # root writes anywhere: use a folder no one can create files in
            path = "/proc/self/rows.json"
    order = []
    checked, ran = report.json_path_problem, report.run_report
    monkeypatch.setattr(report, "json_path_problem", lambda p: order.append("check") or checked(p))
    monkeypatch.setattr(report, "run_report", lambda *a, **k: order.append("run") or ran(*a, **k))
    assert report.main(["--json", str(path), "-j", "1", "--plain"]) == 2
    captured = capsys.readouterr()
    assert order == ["check", "run"]
    assert "Z1" in captured.out and "2 rows over 1 concepts: 2 passed, 0 failed" in captured.out  # the table
    assert captured.err.count("\n") == 1 and captured.err.startswith(f"dl-parity: cannot write --json {path}: ")
    assert "Traceback" not in captured.err
    assert not any(name.startswith(".parity-") for name in os.listdir(tmp_path))


def test_json_is_standard_with_null_for_numbers_that_do_not_exist(tmp_path, monkeypatch):
    @concept("Z1")
    def test_crashes(parity):
        parity.check("w", "step", np.array([np.nan]), np.array([1.0]))
        raise RuntimeError("boom")

    monkeypatch.setattr(report, "discover", lambda: [test_crashes])
    out = tmp_path / "rows.json"
    assert report.main(["--json", str(out), "-j", "1"]) == 1

    def no_nan(token):
        raise AssertionError(f"non-standard JSON token {token}")

    rows = json.loads(out.read_text(), parse_constant=no_nan)["rows"]
    crashed = [r for r in rows if r["kind"] == "error"][0]
    assert crashed["max_abs"] is None and crashed["tol"] is None
    assert "RuntimeError: boom" in crashed["problem"] and "null: the comparison raised" in crashed["problem"]
    differs = [r for r in rows if r["quantity"] == "w"][0]
    assert differs["max_abs"] is None and "non-finite values differ" in differs["problem"]


def test_json_gets_the_mode_of_a_new_file_and_reaches_the_disk_before_the_rename(tmp_path, monkeypatch):
    from parity_tests.harness import Parity

    p = Parity("A1", "float64", strict=False)
    p.check("w", "step", 1.0, 1.0)
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: calls.append("replace") or real_replace(a, b))
    old = os.umask(0o022)
    try:
        report.write_json(p.rows, str(tmp_path / "rows.json"))
    finally:
        os.umask(old)
    assert calls[:2] == ["fsync", "replace"]
    assert stat.S_IMODE(os.stat(tmp_path / "rows.json").st_mode) == 0o644
    assert os.listdir(tmp_path) == ["rows.json"]


def test_ctrl_c_prints_one_line_and_exits_130_without_a_file(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "run_report", interrupted)
    out = tmp_path / "rows.json"
    assert report.main(["--json", str(out), "-j", "1"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err and "Traceback" not in err
    assert os.listdir(tmp_path) == []


def _clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "OPENBLAS_NUM_THREADS")}
    env["PYTHONPATH"] = os.getcwd()
    env.update(extra)
    return env


@pytest.mark.slow
def test_ctrl_c_in_a_real_terminal_run_with_workers(tmp_path):
    """The terminal sends SIGINT to the whole process group: the parent and its -j workers."""
    out = tmp_path / "rows.json"
    proc = subprocess.Popen([sys.executable, "-m", "parity_tests", "-j", "2", "--json", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_clean_env(),
                            start_new_session=True)
    time.sleep(5)  # the whole report takes far longer: the workers are starting or running comparisons now
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["dl-parity: interrupted; no JSON written"], err
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_tensorflow_start_up_lines_are_hidden_unless_verbose_or_the_user_set_the_level():
    argv = [sys.executable, "-m", "parity_tests", "--concept", "A2", "-j", "1", "--plain"]
    quiet = subprocess.run(argv, capture_output=True, text=True, env=_clean_env(), timeout=300)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    verbose = subprocess.run(argv + ["--verbose"], capture_output=True, text=True, env=_clean_env(), timeout=300)
    assert verbose.returncode == 0 and ("oneDNN" in verbose.stderr or "cuda" in verbose.stderr.lower())
    assert verbose.stdout.splitlines()[:-1] == quiet.stdout.splitlines()[:-1]  # the same table (times differ)


def test_importing_the_harness_leaves_blas_threads_alone():
    """The notebooks import parity_tests.harness: that must not pin BLAS (only the suite and the report do)."""
    code = ("import os, threadpoolctl, parity_tests.harness; "
            "print(os.environ.get('OPENBLAS_NUM_THREADS'), "
            "max(i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'))")
    before = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(),
                            check=True).stdout.split()
    pinned = subprocess.run([sys.executable, "-c", code.replace("parity_tests.harness; ", "parity_tests.harness; "
                                                                "parity_tests.pin_blas(); ")],
                            capture_output=True, text=True, env=_clean_env(), check=True).stdout.split()
    assert before[0] == "None" and pinned == ["1", "1"]
    if len(os.sched_getaffinity(0)) > 1:
        assert int(before[1]) > 1


@pytest.mark.slow
def test_parallel_workers_give_the_same_rows_in_the_same_order():
    one = report.run_report(["A2", "A6", "A3"], jobs=1)
    two = report.run_report(["A2", "A6", "A3"], jobs=2)
    key = [(r.concept, r.case, r.quantity, r.dtype, r.max_abs, r.max_rel, r.passed, r.atol_only) for r in one.rows]
    assert key == [(r.concept, r.case, r.quantity, r.dtype, r.max_abs, r.max_rel, r.passed, r.atol_only)
                   for r in two.rows]
    # notes hold measured speeds (different on every run): the same notes, in the same order
    assert [(c, len(n)) for c, n in one.notes.items()] == [(c, len(n)) for c, n in two.notes.items()]
    assert two.jobs == 2


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


def test_progress_on_a_terminal_names_what_runs_and_counts_rows():
    import io

    from rich.console import Console

    buffer = io.StringIO()
    with report._RichProgress(console=Console(file=buffer, force_terminal=True, width=120)) as progress:
        progress(1, 4, 10, ["A7 float64", "B14 float32"])
        progress._progress.refresh()
    text = buffer.getvalue()
    assert "running A7 float64, B14 float32" in text and "10 rows" in text and "1/4" in text


def test_plan_units_runs_every_case_once_per_dtype_and_splits_only_a_module_bigger_than_a_share(monkeypatch):
    infos = [report.CaseInfo("test_big", "test_a", "Z1"), report.CaseInfo("test_big", "test_b", "Z1"),
             report.CaseInfo("test_small", "test_c", "Z2"), report.CaseInfo("test_other", "test_d", "Z3")]
    monkeypatch.setattr(report, "MEASURED_SECONDS", {"Z1": 80.0, "Z2": 10.0, "Z3": 10.0})
    for jobs, split in ((1, False), (2, True), (8, True)):
        planned = report.plan_units(infos, jobs)
        runs = sorted((info.name, dtype) for (_, dtypes), cases in planned for _, info in cases for dtype in dtypes)
        assert runs == sorted((i.name, d) for i in infos for d in ("float64", "float32"))
        assert (planned[0][0] == ("test_big", ("float64",))) is split
        assert [unit for unit, _ in planned if unit[0] != "test_big"] == [("test_small", ("float64", "float32")),
                                                                         ("test_other", ("float64", "float32"))]
