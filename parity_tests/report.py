"""The parity report: run every comparison of the suite in both dtypes and print one table.

    python -m parity_tests [--concept A4 [--concept B19 ...]] [--json FILE]
    dl-parity ...                                   (the same, as a console script)

The report imports the `test_<concept>` modules and runs the very functions pytest runs, in report mode
(a failing row is recorded and the run goes on). Exit status 1 if any row fails.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import re
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


def _concept_key(concept_id: str) -> tuple:
    m = re.fullmatch(r"([A-Z]+)(\d+)", concept_id)
    return (m.group(1), int(m.group(2))) if m else (concept_id, 0)


def discover() -> list[Callable]:
    """Every `@concept` function of every `parity_tests/test_*.py` module, in module order."""
    cases = []
    for info in sorted(pkgutil.iter_modules(parity_tests.__path__), key=lambda i: i.name):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"parity_tests.{info.name}")
        for obj in vars(module).values():
            if callable(obj) and hasattr(obj, "concept") and getattr(obj, "__module__", "") == module.__name__:
                cases.append(obj)
    return cases


def run(concepts: Iterable[str] | None = None) -> tuple[list[Row], dict[str, list[str]]]:
    """Run the comparisons (optionally only those of `concepts`) in both dtypes; return rows and notes."""
    from keras_impl._precision import keras_precision  # imports TensorFlow: keep `--help` fast

    wanted = {c.upper() for c in concepts} if concepts else None
    rows: list[Row] = []
    notes: dict[str, list[str]] = {}
    for case in discover():
        if wanted is not None and case.concept.upper() not in wanted:
            continue
        for dtype in DTYPES:
            parity = Parity(case.concept, dtype, strict=False, case=case.__name__)
            with keras_precision(dtype):
                try:
                    case(parity)
                except Exception as exc:  # a crashed comparison is a failed row, not a crashed report
                    parity.error(exc)
            rows.extend(parity.rows)
            for text in parity.notes:
                notes.setdefault(case.concept, []).append(f"[{dtype}] {text}")
    rows.sort(key=lambda r: _concept_key(r.concept))  # stable: keeps case order inside a concept
    return rows, notes


def _fmt(x: float) -> str:
    return "nan" if x != x else ("0" if x == 0 else f"{x:.1e}")


def _cells(row: Row) -> list[str]:
    tol = f"{_fmt(row.tol)}/{_fmt(row.atol)}" + (" *" if row.why else "")
    return [row.quantity, row.kind, row.dtype, _fmt(row.max_abs), _fmt(row.max_rel), tol,
            "ok" if row.passed else "FAIL"]


HEADER = ["quantity", "kind", "dtype", "max abs", "max rel", "rtol/atol", ""]


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
            table.add_column(h, justify="right" if h.startswith(("max", "rtol")) else "left")
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


def write_json(rows: list[Row], path: str) -> None:
    """Write `{"rows": [...]}` atomically (a temporary file in the same folder, then a rename)."""
    payload = {"rows": [{k: r.as_json()[k] for k in
                         ("concept", "quantity", "kind", "dtype", "max_abs", "max_rel", "tol", "atol", "passed",
                          "why", "problem")} for r in rows]}
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".parity-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(payload, f, indent=1, allow_nan=True)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dl-parity", description=__doc__.splitlines()[0])
    parser.add_argument("--concept", action="append", metavar="ID",
                        help="only this concept (e.g. A4); repeat or comma-separate for several")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE")
    parser.add_argument("--plain", action="store_true", help="plain text even on a terminal")
    args = parser.parse_args(argv)
    concepts = [c.strip() for arg in (args.concept or []) for c in arg.split(",") if c.strip()] or None

    start = time.perf_counter()
    rows, notes = run(concepts)
    seconds = time.perf_counter() - start
    if not rows:
        print(f"no comparisons matched {concepts}", file=sys.stderr)
        return 2
    if args.json:
        write_json(rows, args.json)
    failed = [r for r in rows if not r.passed]
    n_concepts = len({r.concept for r in rows})
    try:
        if sys.stdout.isatty() and not args.plain:
            print_rich(rows, notes)
        else:
            print_plain(rows, notes)
        print(f"\n{len(rows)} rows over {n_concepts} concepts: {len(rows) - len(failed)} passed, "
              f"{len(failed)} failed ({seconds:.1f} s)")
        sys.stdout.flush()
    except BrokenPipeError:  # `dl-parity | head`: the reader left early; the verdict is the exit status
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
