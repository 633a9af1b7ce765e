"""The parity report: run every comparison of the suite in both dtypes and print one table.

    python -m parity_tests [--concept A4[,B19] ...] [--json FILE] [-j N] [--plain] [--verbose] [--timings]
    python -m parity_tests --list                   (the concept ids and titles --concept takes)
    python -m parity_tests site [--fast] ...        (build the docs site: parity_tests/site.py)
    dl-parity ...                                   (the same, as a console script)

The report imports the `test_<concept>` modules and runs the very functions pytest runs, in report mode
(a failing row is recorded and the run goes on). `-j N` runs them in N worker processes (default: the number
of cores); the rows and their order are the same for every N.

Exit status: 0 every row passed, 1 a row failed, 2 usage error (unknown concept id, a --json path that cannot
be written: the table is printed anyway), 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib
import json
import math
import os
import pkgutil
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable

import parity_tests
from parity_tests.harness import DTYPES, Parity, Row

TITLES = {
    "A1": "Linear regression as a one-neuron network",
    "A2": "Notation, shapes and the Keras layout",
    "A3": "Cost functions",
    "A4": "Logistic regression",
    "A5": "Sigmoid derivative",
    "A6": "Vectorization",
    "A7": "Shallow network (planar data)",
    "A8": "Activation functions and derivatives",
    "A9": "Deep L-layer network",
    "A10": "Parameters vs hyperparameters",
    "B1": "Train/dev/test split",
    "B2": "Bias/variance, Bayes error",
    "B3": "L2 regularization",
    "B4": "Dropout",
    "B5": "Data augmentation",
    "B6": "Early stopping",
    "B7": "Normalizing inputs",
    "B8": "Vanishing/exploding gradients; initialization",
    "B9": "Gradient checking",
    "B10": "Mini-batch gradient descent",
    "B11": "Exponentially weighted averages",
    "B12": "Momentum",
    "B13": "RMSprop",
    "B14": "Adam",
    "B15": "Learning-rate decay",
    "B16": "Hyperparameter tuning (random search)",
    "B17": "Batch normalization",
    "B18": "Softmax (multi-class)",
    "B19": "Introduction to TensorFlow",
    "X1": "Multi-replica training (tf.distribute)",
}

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# Seconds per concept (both dtypes), measured with `--timings -j 2` while ~8 other jobs shared the 2 cores (so
# several times slower than an idle machine). Only the proportions matter: `-j N` plans its units with them (see
# `plan_units`) and starts the most expensive first; every worker then takes the next unit when it is free, so a
# stale figure costs a little balance, never a wrong row. A concept missing here counts as the median.
MEASURED_SECONDS: dict[str, float] = {
    "A1": 12.0, "A2": 0.7, "A3": 3.8, "A4": 16.4, "A5": 0.0, "A6": 2.4, "A7": 49.2, "A8": 0.6, "A9": 20.0,
    "A10": 6.5, "B1": 4.8, "B2": 5.4, "B3": 42.6, "B4": 10.3, "B5": 3.0, "B6": 6.9, "B7": 8.9, "B8": 100.4,
    "B9": 14.5, "B10": 52.6, "B11": 12.4, "B12": 60.0, "B13": 75.9, "B14": 125.2, "B15": 108.3, "B16": 12.2,
    "B17": 14.0, "B18": 22.4, "B19": 56.1, "X1": 175.0,
}


def _concept_key(concept_id: str) -> tuple:
    m = re.fullmatch(r"([A-Z]+)(\d+)", concept_id)
    return (m.group(1), int(m.group(2))) if m else (concept_id, 0)


@dataclasses.dataclass(frozen=True)
class CaseInfo:
    """A comparison as the source declares it: `@concept("A4") def test_...(parity)` in `parity_tests/<module>.py`."""

    module: str
    name: str
    concept: str


def _test_modules() -> list[str]:
    return sorted(i.name for i in pkgutil.iter_modules(parity_tests.__path__) if i.name.startswith("test_"))


def catalog() -> list[CaseInfo]:
    """Every comparison of the suite, read from the source without importing it (so without TensorFlow).

    A comparison is a top-level function of a `parity_tests/test_*.py` module decorated with `@concept("<id>")`
    (a string literal); the order is module name, then source order, the order `discover()` imports them in.
    """
    cases = []
    folder = os.path.dirname(parity_tests.__file__)
    for name in _test_modules():
        with open(os.path.join(folder, f"{name}.py"), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for deco in node.decorator_list:
                if (isinstance(deco, ast.Call) and getattr(deco.func, "id", None) == "concept" and len(deco.args) == 1
                        and isinstance(deco.args[0], ast.Constant) and isinstance(deco.args[0].value, str)):
                    cases.append(CaseInfo(name, node.name, deco.args[0].value))
    return cases


def known_concepts() -> list[str]:
    """The concept ids that have comparisons, in report order."""
    return sorted({c.concept for c in catalog()}, key=_concept_key)


def _stand_in(info: CaseInfo, message: str) -> Callable:
    """A stand-in for a comparison that cannot run (its module does not import): its row reports why."""

    def failed(parity):
        raise ImportError(message)

    failed.concept, failed.__name__, failed.__module__ = info.concept, info.name, f"parity_tests.{info.module}"
    return failed


def _module_cases(module_name: str, infos: list[CaseInfo] | None = None) -> list[Callable]:
    """The `@concept` functions of one test module in definition order (import errors become failing stand-ins)."""
    try:
        module = importlib.import_module(f"parity_tests.{module_name}")
    except Exception as exc:
        wanted = infos if infos is not None else [c for c in catalog() if c.module == module_name]
        message = f"parity_tests.{module_name} does not import: {type(exc).__name__}: {exc}"
        return [_stand_in(info, message) for info in wanted]
    return [obj for obj in vars(module).values()
            if callable(obj) and hasattr(obj, "concept") and getattr(obj, "__module__", "") == module.__name__]


def discover() -> list[Callable]:
    """Every `@concept` function of every `parity_tests/test_*.py` module, in module order (imports them)."""
    return [case for name in _test_modules() for case in _module_cases(name)]


@dataclasses.dataclass
class CaseResult:
    """What one comparison produced in one dtype."""

    index: int  # position of the case in the run's case list (the report's order)
    concept: str
    case: str
    dtype: str
    rows: list[Row]
    notes: list[str]
    seconds: float


def _run_cases(cases: list[tuple[int, Callable]], dtype: str) -> list[CaseResult]:
    """Run `(index, case)` pairs in one dtype, each inside that dtype's Keras precision, in report mode."""
    from keras_impl._precision import keras_precision

    results = []
    for index, case in cases:
        parity = Parity(case.concept, dtype, strict=False, case=case.__name__)
        start = time.perf_counter()
        with keras_precision(dtype):
            try:
                case(parity)
            except Exception as exc:  # a crashed comparison is a failed row, not a crashed report
                parity.error(exc)
        results.append(CaseResult(index, case.concept, case.__name__, dtype, parity.rows, parity.notes,
                                  time.perf_counter() - start))
    return results


def quiet_tensorflow(verbose: bool = False) -> None:
    """Import TensorFlow with its C++ start-up lines (oneDNN notice, CUDA probing) off the terminal.

    Unless the user set `TF_CPP_MIN_LOG_LEVEL` (then it is theirs) or asked for `--verbose` (then level 0, all
    lines shown): level 3 silences TF's later C++ logging, and the lines TF writes while it loads, before that
    level takes effect, go to a temporary file instead of the terminal (printed if the import fails).
    """
    user_level = "TF_CPP_MIN_LOG_LEVEL" in os.environ
    if not user_level:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0" if verbose else "3"
    if verbose or user_level or "tensorflow" in sys.modules:
        import keras  # noqa: F401  (imports TensorFlow)
    else:
        _import_keras_with_stderr_aside()
    if not verbose:  # TF's Python-side warnings (e.g. "triggered tf.function retracing") are for --verbose too
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")


def _import_keras_with_stderr_aside() -> None:
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            import keras  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _worker_init(verbose: bool | None) -> None:
    """A worker process: Ctrl-C is the parent's to handle (no traceback per worker); one BLAS thread; quiet TF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # already ignored since start-up (see run_report); made sure
    parity_tests.pin_blas()
    start = time.perf_counter()
    quiet_tensorflow(bool(verbose))
    _WORKER["import_seconds"] = time.perf_counter() - start


_WORKER: dict[str, float] = {}


def _run_unit(module_name: str, dtypes: tuple[str, ...], infos: list[tuple[int, CaseInfo]]
              ) -> tuple[list[CaseResult], float]:
    """Worker side of one unit: the wanted cases of one module, all in the first dtype, then all in the next.
    Also returns the worker's start-up time (TensorFlow import) the first time it runs a unit, 0 afterwards."""
    by_name = {case.__name__: case for case in _module_cases(module_name, [info for _, info in infos])}
    cases = [(index, by_name.get(info.name) or _stand_in(info, f"{info.name} is not a comparison once imported"))
             for index, info in infos]
    import_seconds = _WORKER.pop("import_seconds", 0.0)
    return [result for dtype in dtypes for result in _run_cases(cases, dtype)], import_seconds


@dataclasses.dataclass
class Report:
    rows: list[Row]
    notes: dict[str, list[str]]
    results: list[CaseResult]  # per case and dtype, with its seconds
    import_seconds: list[float]  # TensorFlow + test-module import time of each process that ran comparisons
    jobs: int


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _estimate(concepts: Iterable[str]) -> float:
    """Measured seconds of these concepts (both dtypes); the median of the table for one it does not know."""
    known = sorted(MEASURED_SECONDS.values())
    median = known[len(known) // 2] if known else 1.0
    return sum(MEASURED_SECONDS.get(c, median) for c in concepts)


Unit = tuple[str, tuple[str, ...]]  # (test module, dtypes it runs in)


def plan_units(infos: list[CaseInfo], jobs: int) -> list[tuple[Unit, list[tuple[int, CaseInfo]]]]:
    """Split the wanted cases into units for `jobs` workers, most expensive first.

    A unit is one test module in both dtypes (float64 pass, then float32), so what a module caches for both dtypes
    (a training run, a subprocess) is computed once. A module that alone would take more than a worker's fair
    share (total / jobs) is split into one unit per dtype, so that no single unit makes the others wait.
    """
    by_module: dict[str, list[tuple[int, CaseInfo]]] = {}
    for index, info in enumerate(infos):
        by_module.setdefault(info.module, []).append((index, info))
    cost = {m: _estimate({info.concept for _, info in cases}) for m, cases in by_module.items()}
    share = sum(cost.values()) / max(jobs, 1)
    units = []
    for module, cases in by_module.items():
        if jobs > 1 and cost[module] > share:
            units += [((module, (dtype,)), cases, cost[module] / len(DTYPES)) for dtype in DTYPES]
        else:
            units.append(((module, DTYPES), cases, cost[module]))
    units.sort(key=lambda u: -u[2])  # stable: equal costs keep module order
    return [(unit, cases) for unit, cases, _ in units]


Progress = Callable[[int, int, int, list[str]], None]  # (units done, units, rows so far, labels running)


def run_report(concepts: Iterable[str] | None = None, jobs: int = 1, progress: Progress | None = None,
               verbose: bool | None = None) -> Report:
    """Run the comparisons (optionally only those of `concepts`) in both dtypes.

    `jobs == 1` runs every module here, in order (its cases in float64, then in float32); `jobs > 1` runs the units
    of `plan_units` in that many worker processes. Either way the rows come back in the same order: concept, then
    the case order of the modules, then float64 before float32. `verbose` is the command line's choice about
    TensorFlow's logging (`quiet_tensorflow`); None (a library call, e.g. from a test) leaves this process's
    logging as it is.
    """
    wanted = {c.upper() for c in concepts} if concepts is not None else None
    if jobs <= 1:
        return _run_here(wanted, progress, verbose)
    infos = [info for info in catalog() if wanted is None or info.concept.upper() in wanted]
    planned = plan_units(infos, jobs)
    units = dict(planned)
    results: list[CaseResult] = []
    import_seconds: list[float] = []
    jobs = min(jobs, len(units)) or 1
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_init, initargs=(verbose,))
    try:
        # The workers start while submitting. Started with SIGINT ignored, they inherit that from their first
        # instruction (Python keeps an ignored SIGINT ignored), so a Ctrl-C reaches only this process.
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            futures = {executor.submit(_run_unit, module, dtypes, cases): (module, dtypes)
                       for (module, dtypes), cases in planned}
        finally:
            signal.signal(signal.SIGINT, handler)
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                unit_results, seconds = future.result()
                results.extend(unit_results)
                if seconds:
                    import_seconds.append(seconds)
            if progress:
                running = [_unit_label(futures[f], units) for f in pending if f.running()]
                progress(len(futures) - len(pending), len(futures), sum(len(r.rows) for r in results), running)
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown()
    return _assemble(results, import_seconds, jobs)


def _unit_label(unit: Unit, units) -> str:
    concepts = sorted({info.concept for _, info in units[unit]}, key=_concept_key)
    return f"{'/'.join(concepts)}" + (f" {unit[1][0]}" if len(unit[1]) == 1 else "")


def _stop(executor) -> None:
    """Cancel what has not started and end the workers this report started (Ctrl-C, or a worker that died)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)


def _run_here(wanted: set[str] | None, progress: Progress | None, verbose: bool | None) -> Report:
    start = time.perf_counter()
    if verbose is not None:
        quiet_tensorflow(verbose)
    cases = [case for case in discover() if wanted is None or case.concept.upper() in wanted]
    import_seconds = [time.perf_counter() - start]
    units: dict[str, list[tuple[int, Callable]]] = {}
    for index, case in enumerate(cases):
        units.setdefault(case.__module__, []).append((index, case))
    results: list[CaseResult] = []
    steps = [(unit, dtype) for unit in units.values() for dtype in DTYPES]  # as a worker runs a unit
    for done, (unit, dtype) in enumerate(steps):
        if progress:
            concepts = sorted({case.concept for _, case in unit}, key=_concept_key)
            progress(done, len(steps), sum(len(r.rows) for r in results), [f"{'/'.join(concepts)} {dtype}"])
        results.extend(_run_cases(unit, dtype))
    return _assemble(results, import_seconds, 1)


def _assemble(results: list[CaseResult], import_seconds: list[float], jobs: int) -> Report:
    results = sorted(results, key=lambda r: (r.index, DTYPES.index(r.dtype)))
    rows = [row for r in results for row in r.rows]
    rows.sort(key=lambda r: _concept_key(r.concept))  # stable: keeps case order inside a concept
    notes: dict[str, list[str]] = {}
    for r in results:
        for text in r.notes:
            notes.setdefault(r.concept, []).append(f"[{r.dtype}] {text}")
    return Report(rows, notes, results, import_seconds, jobs)


def run(concepts: Iterable[str] | None = None, jobs: int = 1) -> tuple[list[Row], dict[str, list[str]]]:
    """Run the comparisons (optionally only those of `concepts`) in both dtypes; return rows and notes."""
    report = run_report(concepts, jobs=jobs)
    return report.rows, report.notes


def _fmt(x: float) -> str:
    return "nan" if x != x else ("0" if x == 0 else f"{x:.1e}")


def _cells(row: Row) -> list[str]:
    tol = f"{_fmt(row.tol)}/{_fmt(row.atol)}" + (" *" if row.why else "")
    atol_only = f"{row.atol_only}/{row.entries}" if row.kind != "error" else ""
    return [row.quantity, row.kind, row.dtype, _fmt(row.max_abs), _fmt(row.max_rel), tol, atol_only,
            "ok" if row.passed else "FAIL"]


HEADER = ["quantity", "kind", "dtype", "max abs", "max rel", "rtol/atol", "atol-only", ""]


def _groups(rows: list[Row]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.concept, []).append(row)
    return groups


def _footnotes(group: list[Row]) -> list[str]:
    """One footnote per distinct reason, naming the rows (the `*` ones) it covers."""
    by_why: dict[str, list[str]] = {}
    for r in group:
        if r.why and r.quantity not in by_why.setdefault(r.why, []):
            by_why[r.why].append(r.quantity)
    return [f"{names[0] if len(names) == 1 else f'{names[0]} and {len(names) - 1} more'}: {why}"
            for why, names in by_why.items()]


def _title(concept_id: str, group: list[Row]) -> str:
    passed = sum(r.passed for r in group)
    return f"{concept_id}  {TITLES.get(concept_id, '')}  ({passed}/{len(group)} passed)"


def _failures(group: list[Row]) -> list[str]:
    return [f"{r.quantity} [{r.dtype}]: {r.problem}" for r in group if not r.passed]


def print_plain(rows: list[Row], notes: dict[str, list[str]], out=None) -> None:
    out = out or sys.stdout
    widths = [max(len(HEADER[i]), *(len(_cells(r)[i]) for r in rows)) for i in range(len(HEADER))] if rows else []
    for concept_id, group in _groups(rows).items():
        print(f"\n{_title(concept_id, group)}", file=out)
        print("  " + "  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True)), file=out)
        for r in group:
            print("  " + "  ".join(c.ljust(w) for c, w in zip(_cells(r), widths, strict=True)), file=out)
        for text in _footnotes(group):
            print(f"  * {text}", file=out)
        for text in _failures(group):
            print(f"  ! {text}", file=out)
        for text in notes.get(concept_id, []):
            print(f"  - {text}", file=out)


def print_rich(rows: list[Row], notes: dict[str, list[str]], console=None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    for concept_id, group in _groups(rows).items():
        table = Table(title=escape(_title(concept_id, group)), title_justify="left", title_style="bold")
        for h in HEADER:
            table.add_column(h, justify="right" if h.startswith(("max", "rtol", "atol")) else "left")
        for r in group:
            cells = [escape(c) for c in _cells(r)]  # quantities such as ‖dW[l]‖ are text, not markup
            cells[-1] = "[green]ok[/]" if r.passed else "[bold red]FAIL[/]"
            table.add_row(*cells)
        console.print(table)
        for text in _footnotes(group):
            console.print(f"  * {escape(text)}", highlight=False)
        for text in _failures(group):
            console.print(f"  [bold red]![/] {escape(text)}", highlight=False)
        for text in notes.get(concept_id, []):
            console.print(f"  - {escape(text)}", highlight=False)


_JSON_FIELDS = ("concept", "quantity", "kind", "dtype", "max_abs", "max_rel", "tol", "atol", "passed", "why",
                "problem", "atol_only", "entries", "case")


def _json_row(row: Row) -> dict:
    """A row as standard JSON: a number that is not finite (a row that could not be compared) becomes null, and
    `problem` says which fields are null and why."""
    out = {k: row.as_json()[k] for k in _JSON_FIELDS}
    nulls = [k for k in ("max_abs", "max_rel", "tol", "atol") if not math.isfinite(out[k])]
    for k in nulls:
        out[k] = None
    if nulls:
        reason = ("the comparison raised before comparing" if row.kind == "error"
                  else "the values could not be compared (shape, dtype or non-finite entries)")
        out["problem"] = f"{out['problem']} [{', '.join(nulls)} null: {reason}]".strip()
    return out


def json_path_problem(path: str) -> str:
    """Why `path` cannot receive the JSON ("" if it can): checked before any comparison runs."""
    if not path:
        return "the path is empty"
    if os.path.isdir(path):
        return f"{path} is a directory"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"folder {folder} does not exist"
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".parity-", suffix=".probe")
    except OSError as exc:
        return f"cannot create a file in {folder}: {exc.strerror or exc}"
    os.close(fd)
    os.unlink(probe)
    return ""


def versions() -> dict[str, str]:
    """The versions a run's numbers depend on (read from the installed packages: nothing is imported)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": ".".join(map(str, sys.version_info[:3]))}
    for package in ("tensorflow", "keras", "numpy"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def summary_line(rows: list[Row], seconds: float, jobs: int) -> str:
    """The report's last line: rows, concepts, passed, failed, time and processes."""
    failed = sum(not r.passed for r in rows)
    return (f"{len(rows)} rows over {len({r.concept for r in rows})} concepts: {len(rows) - failed} passed, "
            f"{failed} failed ({seconds:.1f} s, {jobs} process{'es' * (jobs != 1)})")


def run_record(summary: str) -> dict:
    """What the JSON says of the run: the summary line, the versions and the UTC time it ended."""
    import datetime

    return {"summary": summary, "versions": versions(),
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def write_json(rows: list[Row], path: str, notes: dict[str, list[str]] | None = None, run: dict | None = None) -> None:
    """Write `{"rows": [...], "footnotes": {...}, "notes": {...}, "run": {...}}` as standard JSON (no NaN tokens).

    `footnotes[concept]` are the report's `*` lines (one per distinct `why`), `notes[concept]` its measured facts
    (the `-` lines), `run` what the caller says of the run (the summary line, versions, date). The file is written
    atomically: a temporary file in the same folder, flushed to disk, given the mode any new file of the user gets
    (0644 under the usual umask 022), then renamed.
    """
    payload = {"rows": [_json_row(r) for r in rows],
               "footnotes": {c: _footnotes(group) for c, group in _groups(rows).items()},
               "notes": notes or {}, "run": run or {}}
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".parity-", suffix=".json")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f, indent=1, allow_nan=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class _RichProgress:
    """Progress on a terminal: which concepts and dtypes are running, units done, rows so far (gone afterwards)."""

    STARTING = "starting: importing TensorFlow and the comparisons"

    def __init__(self, console=None):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[rows]} rows"), TimeElapsedColumn(), transient=True,
                                  console=console)

    def __enter__(self):
        self._progress.start()
        self._task = self._progress.add_task(self.STARTING, total=None, rows=0)
        return self

    def __exit__(self, *exc):
        self._progress.stop()

    def __call__(self, done: int, total: int, rows: int, running: list[str]) -> None:
        from rich.markup import escape

        text = escape("running " + ", ".join(running)) if running else self.STARTING
        self._progress.update(self._task, completed=done, total=total, rows=rows, description=text)


def print_list(out=None) -> None:
    """`--list`: every concept id that has comparisons, with its title and number of comparisons."""
    out = out or sys.stdout
    cases = catalog()
    for concept_id in known_concepts():
        n = sum(c.concept == concept_id for c in cases)
        print(f"{concept_id:<4} {TITLES.get(concept_id, '(no title)')}  ({n} comparison{'s' * (n != 1)})", file=out)


def print_timings(report: Report, out=None) -> None:
    """`--timings`: where the time went (per concept, summed over dtypes and processes) and the import cost."""
    out = out or sys.stdout
    per_concept: dict[str, float] = {}
    for r in report.results:
        per_concept[r.concept] = per_concept.get(r.concept, 0.0) + r.seconds
    print(f"\ntimings ({report.jobs} process{'es' * (report.jobs != 1)}): imports (TensorFlow, test modules) "
          + ", ".join(f"{s:.1f} s" for s in report.import_seconds), file=out)
    for concept_id, seconds in sorted(per_concept.items(), key=lambda kv: -kv[1]):
        print(f"  {concept_id:<4} {seconds:6.2f} s", file=out)
    slowest = sorted(report.results, key=lambda r: -r.seconds)[:10]
    print("  slowest comparisons: " + "; ".join(f"{r.case} [{r.dtype}] {r.seconds:.2f} s" for r in slowest), file=out)


def _concept_list(args_concept: list[str] | None) -> tuple[list[str] | None, str]:
    """The --concept ids, and a usage problem ("" if none): empty and unknown ids are errors."""
    if args_concept is None:
        return None, ""
    pieces = [c.strip() for arg in args_concept for c in arg.split(",")]
    known = known_concepts()
    unknown = [c for c in pieces if c.upper() not in known]
    if unknown:
        shown = ", ".join(repr(c) if not c else c for c in unknown)
        return None, f"unknown concept id{'s' * (len(unknown) > 1)} {shown}; known ids: {', '.join(known)}"
    return pieces, ""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dl-parity", description=__doc__.splitlines()[0],
                                     epilog="exit status: 0 all rows passed, 1 a row failed, 2 usage error, "
                                            "130 interrupted")
    parser.add_argument("--concept", action="append", metavar="ID",
                        help="only this concept (e.g. A4); repeat or comma-separate for several (see --list)")
    parser.add_argument("--list", action="store_true", help="print the concept ids and titles, and exit")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE")
    parser.add_argument("-j", "--jobs", type=_positive_int, default=None, metavar="N",
                        help=f"worker processes (default: the number of cores, here {default_jobs()})")
    parser.add_argument("--plain", action="store_true", help="plain text even on a terminal (and no progress)")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's C++ start-up and log lines")
    parser.add_argument("--timings", action="store_true", help="print where the time went after the table")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["check"]:  # `dl-parity check PATH ...`: check a learner's own code (parity_tests/check.py)
        from parity_tests import check

        return check.main(argv[1:])
    if argv[:1] == ["site"]:  # `dl-parity site ...`: build the docs site (parity_tests/site.py)
        from parity_tests import site

        return site.main(argv[1:])
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("dl-parity: interrupted; no JSON written", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.list:
        print_list()
        return EXIT_PASSED
    concepts, problem = _concept_list(args.concept)
    if problem:
        print(f"dl-parity: {problem}", file=sys.stderr)
        return EXIT_USAGE
    json_problem = json_path_problem(args.json) if args.json is not None else ""
    parity_tests.pin_blas()
    tty = sys.stdout.isatty() and not args.plain

    start = time.perf_counter()
    jobs = args.jobs or default_jobs()
    if tty:
        with _RichProgress() as progress:
            report = run_report(concepts, jobs=jobs, progress=progress, verbose=args.verbose)
    else:
        report = run_report(concepts, jobs=jobs, verbose=args.verbose)
    seconds = time.perf_counter() - start
    rows = report.rows
    if not rows:
        print(f"dl-parity: no comparisons matched {concepts}", file=sys.stderr)
        return EXIT_USAGE
    summary = summary_line(rows, seconds, report.jobs)
    if args.json is not None and not json_problem:
        try:
            write_json(rows, args.json, report.notes, run_record(summary))
        except OSError as exc:
            json_problem = f"{exc.strerror or exc}"
    failed = [r for r in rows if not r.passed]
    try:
        if tty:
            print_rich(rows, report.notes)
        else:
            print_plain(rows, report.notes)
        print(f"\n{summary}")
        if args.timings:
            print_timings(report)
        sys.stdout.flush()
    except BrokenPipeError:  # `dl-parity | head`: the reader left early; the verdict is the exit status
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if json_problem:
        print(f"dl-parity: cannot write --json {args.json}: {json_problem} (the table above is complete)",
              file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FAILED if failed else EXIT_PASSED


if __name__ == "__main__":
    sys.exit(main())
