"""The docs site: for every concept, the formula, the NumPy code next to its TF twin, the parity rows, a plot.

    python -m parity_tests site [--out site] [--json REPORT.json] [--concept A4 ...] [--fast] [-j N]
    dl-parity site ...                       (the same, as a console script; `make site` runs it)

Nothing on a page is written by hand. A build
1. runs the parity report (or reads the JSON of one, `--json`) and keeps that JSON beside the pages;
2. executes the notebooks (`notebooks/*.py`, jupytext percent format) with `DL_FAST=1` in an empty folder and
   renders them with their outputs (`--fast` renders them without running them, and so draws no plots);
3. writes the markdown pages into a temporary folder: a page per concept from the statements of the code
   (`MIRRORS` and `KERAS_BLOCKS` of every `keras_impl` module say which NumPy function each TF function mirrors,
   the `MAPPINGS` of the test modules state the textbook⇄Keras mappings, `inspect` gives the source), the rows
   of the report JSON, and the images of the notebook cells tagged `plot-<concept>`; an index, a mappings page,
   one page per notebook, the guides of `docs/`, and one page per source file;
4. builds them with MkDocs and the Material theme (no web fonts, no search: see `mkdocs_config`) into a temporary folder
   beside `--out`, which then replaces `--out`: a failed build leaves the previous site as it was.

The pages load nothing from the network: open `site/index.html` in a browser, no server needed.
Exit status: 0 the site was built (whatever the rows say: a failing row is shown on its page), 2 usage error.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import html
import importlib
import inspect
import json
import os
import pathlib
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

import keras_impl
from parity_tests import report

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE_PACKAGES = ("numpy_impl", "keras_impl", "parity_tests")
FENCE = "`````"  # longer than any fence inside a docstring
TAG = re.compile(r"plot-([A-Z]+\d+)")
CONCEPT_ID = re.compile(r"\b([ABX])(\d{1,2})(?:\s*[-–]\s*\1(\d{1,2}))?\b")


# ---------------------------------------------------------------- what the code says


@dataclasses.dataclass(frozen=True)
class Twin:
    """One function of `keras_impl.<module>` and the NumPy function it mirrors (None: a TF-side helper)."""

    concept: str
    module: str  # the keras_impl module
    tf_name: str
    numpy_qualname: str | None  # "numpy_impl.mod.name"
    keras_block: str  # the mapping sentence of a Keras-block version, "" for a tape twin or a helper

    @property
    def tf_qualname(self) -> str:
        return f"keras_impl.{self.module}.{self.tf_name}"


def keras_modules() -> list[str]:
    return sorted(i.name for i in pkgutil.iter_modules(keras_impl.__path__) if not i.name.startswith("_"))


def twins() -> list[Twin]:
    """Every `MIRRORS` entry of every keras_impl module, in module order, then the order the module states."""
    found = []
    for name in keras_modules():
        module = importlib.import_module(f"keras_impl.{name}")
        blocks = getattr(module, "KERAS_BLOCKS", {})
        for concept_id, pairs in module.MIRRORS.items():
            for tf_name, numpy_name in pairs.items():
                qualname = None
                if numpy_name is not None:
                    where, _, fn = numpy_name.rpartition(".")
                    qualname = f"numpy_impl.{where or name}.{fn}"
                found.append(Twin(concept_id, name, tf_name, qualname, blocks.get(tf_name, "")))
    return found


def mappings() -> list[tuple[str, object]]:
    """(test module, `harness.Mapping`) for every `MAPPINGS` entry of the test modules."""
    found = []
    for name in sorted(i.name for i in pkgutil.iter_modules(sys.modules["parity_tests"].__path__)
                       if i.name.startswith("test_")):
        found += [(name, m) for m in getattr(importlib.import_module(f"parity_tests.{name}"), "MAPPINGS", [])]
    return found


def resolve(qualname: str):
    module_name, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def source_of(qualname: str) -> tuple[str, str, int]:
    """(source text, repository path of its file, first line) of the function or class `qualname`."""
    obj = inspect.unwrap(resolve(qualname))
    lines, first = inspect.getsourcelines(obj)
    path = pathlib.Path(inspect.getsourcefile(obj)).resolve().relative_to(ROOT).as_posix()
    return "".join(lines), path, first


def notebook_concepts(path: pathlib.Path) -> set[str]:
    """The concept ids the notebook's first markdown cell names ("B10-B15" counts as B10 ... B15)."""
    import jupytext

    nb = jupytext.read(path, fmt="py:percent")
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    found = set()
    for letter, start, end in CONCEPT_ID.findall(first):
        found.update(f"{letter}{i}" for i in range(int(start), int(end or start) + 1))
    return found & set(report.TITLES)


# ---------------------------------------------------------------- notebooks


def execute_notebook(path: str) -> str:
    """Run the notebook at `path` in a fresh kernel, from an empty folder, with `DL_FAST=1`; -> its JSON text."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    nb = jupytext.read(path, fmt="py:percent")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel's inline backend draws
    env.update(DL_FAST="1", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    with tempfile.TemporaryDirectory(prefix="dl-notebook-") as folder:
        # TensorFlow's C++ start-up lines go to the kernel's stderr, which is not the notebook's: they are neither
        # captured as outputs nor printed (an error in a cell still fails the build, with its traceback).
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=False,
                       extra_arguments=["--IPKernelApp.capture_fd_output=False"],
                       resources={"metadata": {"path": folder}}).execute(env=env, stderr=subprocess.DEVNULL)
    return nbformat.writes(nb)


def run_notebooks(paths: list[pathlib.Path], execute: bool, log=print, jobs: int = 1) -> dict[str, object]:
    """Each notebook as an nbformat notebook, executed (`execute_notebook`, `jobs` at a time) when `execute`."""
    import jupytext
    import nbformat

    if not execute:
        return {path.stem: jupytext.read(path, fmt="py:percent") for path in paths}
    start = time.perf_counter()
    if jobs <= 1 or len(paths) == 1:
        texts = [execute_notebook(str(path)) for path in paths]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            texts = list(pool.map(execute_notebook, [str(path) for path in paths]))
    log(f"  executed {len(paths)} notebooks in {time.perf_counter() - start:.1f} s ({jobs} at a time)")
    return {path.stem: nbformat.reads(text, as_version=4) for path, text in zip(paths, texts, strict=True)}


def tagged_plots(notebooks: dict[str, object]) -> dict[str, list[tuple[str, int, bytes]]]:
    """{concept: [(notebook, cell number, PNG bytes)]} from the outputs of cells tagged `plot-<concept>`."""
    plots: dict[str, list[tuple[str, int, bytes]]] = {}
    for name, nb in notebooks.items():
        for number, cell in enumerate(nb.cells, 1):
            concepts = [m.group(1) for tag in cell.metadata.get("tags", []) if (m := TAG.fullmatch(tag))]
            images = [base64.b64decode(out["data"]["image/png"]) for out in cell.get("outputs", [])
                      if "image/png" in out.get("data", {})]
            for concept_id in concepts:
                plots.setdefault(concept_id, []).extend((name, number, png) for png in images)
    return plots


def notebook_markdown(name: str, nb, folder: pathlib.Path) -> str:
    """The notebook as a markdown page (nbconvert), its images written into `folder/<name>_files/`."""
    from nbconvert import MarkdownExporter

    body, resources = MarkdownExporter().from_notebook_node(nb, resources={"output_files_dir": f"{name}_files"})
    for filename, data in resources.get("outputs", {}).items():
        target = folder / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return body


# ---------------------------------------------------------------- pages


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def fmt(value) -> str:
    """A number of the report JSON as a table cell (null: not compared)."""
    if value is None:
        return "—"
    return "0" if value == 0 else f"{value:.2e}"


def code_block(text: str, lexer: str = "python", options: str = "") -> str:
    return f"{FENCE}{lexer}{(' ' + options) if options else ''}\n{text.rstrip()}\n{FENCE}\n"


def source_page_name(path: str) -> str:
    """`numpy_impl/optimization.py` -> `source/numpy_impl/optimization.md`."""
    return f"source/{path[:-3]}.md"


def line_anchor(line: int) -> str:
    return f"__codelineno-0-{line}"  # the id pymdownx.highlight gives line `line` of a page's first block


def column(side: str, qualname: str, page_depth: int) -> str:
    text, path, first = source_of(qualname)
    up = "../" * page_depth
    label = "NumPy" if side == "numpy" else ("Keras" if side == "keras" else "TensorFlow")
    return (f'<div class="twin-col" data-side="{side}" data-function="{esc(qualname)}" markdown>\n\n'
            f'**{label}** · [`{qualname}`]({up}{source_page_name(path)}#{line_anchor(first)})\n\n'
            f"{code_block(text)}\n</div>\n")


def pair(twin: Twin, page_depth: int) -> str:
    side = "keras" if twin.keras_block else "tf"
    out = f'<div class="twin" data-twin="{esc(twin.tf_qualname)}" markdown>\n\n'
    if twin.numpy_qualname:
        out += column("numpy", twin.numpy_qualname, page_depth)
    out += column(side, twin.tf_qualname, page_depth)
    return out + "</div>\n"


ROW_FIELDS = (("quantity", "quantity"), ("kind", "kind"), ("dtype", "dtype"), ("max_abs", "max abs"),
              ("max_rel", "max rel"), ("tol", "rtol"), ("atol", "atol"), ("atol_only", "atol-only"),
              ("passed", ""))


def rows_table(rows: list[tuple[int, dict]]) -> str:
    """The rows as an HTML table; every numeric cell carries the JSON value in `data-value`."""
    head = "".join(f"<th>{esc(label)}</th>" for _, label in ROW_FIELDS)
    body = []
    for index, row in rows:
        cells = []
        for field, _ in ROW_FIELDS:
            value = row[field]
            if field in ("max_abs", "max_rel", "tol", "atol"):
                cells.append(f'<td class="num" data-field="{field}" data-value="{json.dumps(value)}">{fmt(value)}</td>')
            elif field == "atol_only":
                text = f"{row['atol_only']}/{row['entries']}" if row["kind"] != "error" else ""
                cells.append(f'<td class="num" data-field="atol_only">{text}</td>')
            elif field == "passed":
                cells.append(f'<td data-field="passed" class="{"ok" if value else "fail"}">'
                             f'{"ok" if value else "FAIL"}</td>')
            else:
                mark = " *" if field == "quantity" and row["why"] else ""
                cells.append(f'<td data-field="{field}">{esc(value)}{mark}</td>')
        body.append(f'<tr data-row="{index}">{"".join(cells)}</tr>')
        if row["problem"]:
            body.append(f'<tr class="problem"><td colspan="{len(ROW_FIELDS)}">{esc(row["problem"])}</td></tr>')
    return (f'<div class="parity"><table><thead><tr>{head}</tr></thead><tbody>\n' + "\n".join(body)
            + "\n</tbody></table></div>\n")


@dataclasses.dataclass
class Build:
    """What one build knows: the report JSON, the code's statements, the notebooks and their plots."""

    payload: dict
    twins: list[Twin]
    mappings: list[tuple[str, object]]
    notebooks: dict[str, object]
    notebook_concepts: dict[str, set[str]]
    plots: dict[str, list[tuple[str, int, bytes]]]
    executed: bool

    def rows_of(self, concept_id: str) -> list[tuple[int, dict]]:
        return [(i, r) for i, r in enumerate(self.payload["rows"]) if r["concept"] == concept_id]


def case_anchor(case: str) -> str:
    return f"case-{case}"


def concept_page(build: Build, concept_id: str, cases: list[report.CaseInfo]) -> str:
    title = report.TITLES[concept_id]
    twins = [t for t in build.twins if t.concept == concept_id]
    rows = build.rows_of(concept_id)
    passed = sum(r["passed"] for _, r in rows)
    out = ["---\nhide:\n  - toc\n---\n", f"# {concept_id} · {title}\n"]  # the code columns need the width
    verdict = (f"<strong>{passed}/{len(rows)}</strong> parity rows pass in this build" if rows
               else "This build's report did not run this concept's comparisons")
    numpy_modules = sorted({t.numpy_qualname.rsplit(".", 1)[0] for t in twins if t.numpy_qualname})
    files = sorted({f"numpy_impl/{m.split('.')[1]}.py" for m in numpy_modules}
                   | {f"keras_impl/{t.module}.py" for t in twins} | {f"parity_tests/{c.module}.py" for c in cases})
    notebooks = [n for n, ids in build.notebook_concepts.items() if concept_id in ids]
    out.append(f'<p class="verdict" data-concept="{concept_id}" data-passed="{passed}" data-rows="{len(rows)}">'
               f"{verdict}.</p>\n")
    if notebooks:
        out.append("Notebook: " + ", ".join(f"[{n}](../notebooks/{n}.md)" for n in notebooks) + "  \n")
    out.append("Source: " + " · ".join(f"[`{f}`](../{source_page_name(f)})" for f in files) + "\n")

    out.append("\n## The formula\n")
    for module_name in numpy_modules:
        doc = inspect.getdoc(importlib.import_module(module_name)) or ""
        out.append(f"From the docstring of `{module_name}`:\n\n{code_block(doc, 'text')}\n")

    tape = [t for t in twins if t.numpy_qualname and not t.keras_block]
    blocks = [t for t in twins if t.keras_block]
    helpers = [t for t in twins if not t.numpy_qualname and not t.keras_block]
    out.append("\n## NumPy and TensorFlow, side by side\n")
    out.append("Each TensorFlow function (right) next to the NumPy function it mirrors (left), as "
               f"`keras_impl.{twins[0].module}.MIRRORS` states.\n" if twins else "")
    for t in tape:
        numpy_name = t.numpy_qualname.rsplit(".", 1)[1]
        out.append(f"\n### `{numpy_name}` ⇄ `{t.tf_name}`\n\n{pair(t, 1)}")
    if blocks:
        out.append("\n## Keras blocks\n")
        for t in blocks:
            mirrors = f" (mirrors `{t.numpy_qualname.rsplit('.', 1)[1]}`)" if t.numpy_qualname else ""
            out.append(f"\n### `{t.tf_name}`{mirrors}\n\n"
                       f'<p class="keras-mapping">{esc(t.keras_block)}</p>\n\n{pair(t, 1)}')
    if helpers:
        out.append("\n## TensorFlow-side helpers (no NumPy twin)\n")
        for t in helpers:
            out.append(f"\n### `{t.tf_name}`\n\n{pair(t, 1)}")

    stated = [(module, m) for module, m in build.mappings if m.concept == concept_id]
    if stated:
        out.append("\n## Textbook ⇄ Keras\n\n")
        out.append(mappings_table(stated, concept_page=True))

    out.append("\n## Plot\n\n")
    plots = build.plots.get(concept_id, [])
    for k, (notebook, cell, _) in enumerate(plots, 1):
        out.append(f"![{concept_id} plot {k}](../assets/plots/{concept_id}-{k}.png)\n\n"
                   f"*From [{notebook}](../notebooks/{notebook}.md), cell {cell}.*\n\n")
    if not plots:
        out.append("This build drew no plot for this concept"
                   + (" (the notebooks were not executed: `--fast`)." if not build.executed else ".") + "\n")

    out.append("\n## Parity rows\n")
    for case in cases:
        case_rows = [(i, r) for i, r in rows if r["case"] == case.name]
        text, path, first = source_of(f"parity_tests.{case.module}.{case.name}")
        out.append(f'\n<h3 id="{case_anchor(case.name)}"><code>{case.name}</code></h3>\n\n'
                   f"[`{path}`, line {first}](../{source_page_name(path)}#{line_anchor(first)})\n\n")
        out.append(rows_table(case_rows) if case_rows else "Not run in this build's report.\n")
    footnotes = build.payload.get("footnotes", {}).get(concept_id, [])
    notes = build.payload.get("notes", {}).get(concept_id, [])
    if footnotes:
        out.append("\n**Tolerances other than the table's (`*`)**\n\n" + "".join(f"- {esc(t)}\n" for t in footnotes))
    if notes:
        out.append("\n**Measured in this run**\n\n" + "".join(f"- {esc(t)}\n" for t in notes))
    return "\n".join(out)


def mappings_table(stated: list[tuple[str, object]], concept_page: bool) -> str:
    lines = ['<div class="mappings"><table><thead><tr>' + ("" if concept_page else "<th>concept</th>")
             + "<th>textbook</th><th>Keras / TensorFlow</th><th>proved by</th></tr></thead><tbody>"]
    for _, m in stated:
        # raw HTML: MkDocs rewrites only markdown links, so this one names the built page (test_site checks it)
        target = f"#{case_anchor(m.case)}" if concept_page else f"concepts/{m.concept}.html#{case_anchor(m.case)}"
        lines.append(f'<tr data-case="{esc(m.case)}">' + ("" if concept_page else f"<td>{m.concept}</td>")
                     + f"<td>{esc(m.textbook)}</td><td>{esc(m.keras)}</td>"
                     + f'<td><a href="{target}"><code>{esc(m.case)}</code></a></td></tr>')
    return "\n".join(lines) + "\n</tbody></table></div>\n"


def index_page(build: Build, concept_ids: list[str]) -> str:
    run = build.payload.get("run", {})
    versions = run.get("versions", {})
    out = ["# Deep-learning fundamentals, twice\n",
           "Every concept implemented from scratch in NumPy and again in TensorFlow/Keras; each page shows the "
           "formula, the NumPy code next to its TensorFlow twin, and the parity rows that prove they agree.\n",
           f'<p class="summary">{esc(run.get("summary", "(no summary line in this report JSON)"))}</p>\n',
           "Versions of this run: " + ", ".join(f"{k} {esc(v)}" for k, v in versions.items())
           + f" · {esc(run.get('date', ''))} · [the report JSON](report.json)\n",
           '\n<div class="concepts"><table><thead><tr><th>concept</th><th>title</th><th>rows passed</th>'
           "<th>notebook</th></tr></thead><tbody>"]
    for concept_id in concept_ids:
        rows = build.rows_of(concept_id)
        passed = sum(r["passed"] for _, r in rows)
        count = f"{passed}/{len(rows)}" if rows else "not run"
        notebooks = ", ".join(f'<a href="notebooks/{n}.html">{n}</a>' for n, ids in build.notebook_concepts.items()
                              if concept_id in ids)
        out.append(f'<tr data-concept="{concept_id}"><td><a href="concepts/{concept_id}.html">{concept_id}</a></td>'
                   f"<td>{esc(report.TITLES[concept_id])}</td><td>{count}</td><td>{notebooks}</td></tr>")
    out.append("</tbody></table></div>\n\nSee also [every textbook ⇄ Keras mapping](mappings.md).\n")
    return "\n".join(out)


def source_page(path: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8")
    return f"# `{path}`\n\n" + code_block(text, "python", 'linenums="1"')


CSS = """\
.md-grid { max-width: 110rem; }
.twin { display: grid; grid-template-columns: 1fr; gap: 0.8rem; align-items: start; }
@media screen and (min-width: 76.25em) { .twin { grid-template-columns: 1fr 1fr; } }
.twin-col { min-width: 0; }
.twin-col pre > code { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 40rem; }
/* Material styles only tables without a class: the class sits on a wrapping div */
.parity td.ok { color: #2e7d32; font-weight: bold; }
.parity td.fail, .parity tr.problem td { color: #c62828; font-weight: bold; }
.parity td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
p.keras-mapping { border-left: 0.2rem solid #3f51b5; padding-left: 0.6rem; }
"""


def mkdocs_config(docs_dir: pathlib.Path, site_dir: pathlib.Path, nav: list) -> dict:
    return {
        "site_name": "Deep-learning fundamentals, twice",
        "docs_dir": str(docs_dir), "site_dir": str(site_dir), "use_directory_urls": False,
        "theme": {"name": "material", "font": False, "features": ["navigation.indexes"]},
        "extra": {"generator": False}, "extra_css": ["assets/site.css"],
        # No search: Material's search needs a web worker, which a page opened from the file system may only
        # start through the `offline` plugin's iframe-worker shim, and that plugin loads the shim from unpkg.com.
        "plugins": [],
        "markdown_extensions": ["tables", "attr_list", "md_in_html", "admonition", "toc",
                                {"pymdownx.highlight": {"anchor_linenums": True}}, "pymdownx.superfences"],
        # MkDocs cannot see the line anchors of highlighted code: test_site checks every fragment in the built HTML
        "validation": {"links": {"not_found": "warn", "anchors": "info", "unrecognized_links": "warn"}},
        "strict": True, "nav": nav,
    }


def write_pages(build: Build, docs: pathlib.Path, concept_ids: list[str]) -> list:
    """Every markdown page and asset of the site into `docs`; returns the navigation."""
    catalog = report.catalog()
    (docs / "assets" / "plots").mkdir(parents=True)
    (docs / "assets" / "site.css").write_text(CSS, encoding="utf-8")
    (docs / "report.json").write_text(json.dumps(build.payload, indent=1), encoding="utf-8")
    (docs / "index.md").write_text(index_page(build, concept_ids), encoding="utf-8")
    (docs / "mappings.md").write_text(
        "# Every textbook ⇄ Keras mapping\n\nEach mapping is stated next to the comparison that proves it "
        "(`MAPPINGS` in `parity_tests/test_<module>.py`); the last column links to that comparison's rows.\n\n"
        + mappings_table(build.mappings, concept_page=False), encoding="utf-8")
    (docs / "concepts").mkdir()
    for concept_id in concept_ids:
        cases = [c for c in catalog if c.concept == concept_id]
        (docs / "concepts" / f"{concept_id}.md").write_text(concept_page(build, concept_id, cases), encoding="utf-8")
        for k, (_, _, png) in enumerate(build.plots.get(concept_id, []), 1):
            (docs / "assets" / "plots" / f"{concept_id}-{k}.png").write_bytes(png)
    (docs / "notebooks").mkdir()
    for name, nb in build.notebooks.items():
        (docs / "notebooks" / f"{name}.md").write_text(notebook_markdown(name, nb, docs / "notebooks"),
                                                     encoding="utf-8")
    (docs / "guides").mkdir()
    guides = sorted((ROOT / "docs").glob("*.md"))
    for guide in guides:
        shutil.copyfile(guide, docs / "guides" / guide.name)
    sources = sorted(p.relative_to(ROOT).as_posix() for package in SOURCE_PACKAGES
                     for p in (ROOT / package).glob("*.py"))
    for path in sources:
        target = docs / source_page_name(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source_page(path), encoding="utf-8")
    return [{"Home": "index.md"}, {"Mappings": "mappings.md"},
            {"Concepts": [{f"{c} {report.TITLES[c]}": f"concepts/{c}.md"} for c in concept_ids]},
            {"Notebooks": [f"notebooks/{n}.md" for n in build.notebooks]},
            {"Guides": [f"guides/{g.name}" for g in guides]},
            {"Source": [source_page_name(p) for p in sources]}]


def build_site(out: str | os.PathLike, payload: dict, execute: bool = True, log=print, jobs: int = 1) -> pathlib.Path:
    """Build the site of the report JSON `payload` into `out` (replaced only once the build succeeded)."""
    import logging

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    out = pathlib.Path(out).resolve()
    notebooks = run_notebooks(sorted((ROOT / "notebooks").glob("*.py")), execute, log, jobs)
    build = Build(payload, twins(), mappings(), notebooks,
                  {n: notebook_concepts(ROOT / "notebooks" / f"{n}.py") for n in notebooks},
                  tagged_plots(notebooks) if execute else {}, execute)
    concept_ids = list(report.TITLES)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dl-site-src-") as src:
        docs = pathlib.Path(src) / "docs"
        nav = write_pages(build, docs, concept_ids)
        staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
        try:
            config_file = pathlib.Path(src) / "mkdocs.yml"
            config_file.write_text(json.dumps(mkdocs_config(docs, staging, nav)), encoding="utf-8")  # JSON is YAML
            logger = logging.getLogger("mkdocs")
            logger.setLevel(logging.WARNING)
            if not logger.handlers:  # strict mode: say which warnings aborted the build
                logger.addHandler(logging.StreamHandler(sys.stderr))
            start = time.perf_counter()
            mkdocs_build(load_config(str(config_file)))
            pages = sum(1 for _ in staging.rglob("*.html"))
            log(f"  mkdocs built {pages} pages in {time.perf_counter() - start:.1f} s")
            for server_only in ("404.html", "sitemap.xml", "sitemap.xml.gz"):  # root-relative links, for a server
                (staging / server_only).unlink(missing_ok=True)
            old = out.with_name(f".{out.name}-old")
            if out.exists():
                out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return out


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dl-parity site", description=textwrap.dedent(__doc__.split("\n\n")[0]))
    parser.add_argument("--out", default="site", help="the folder to build into (replaced; default: site)")
    parser.add_argument("--json", metavar="FILE", help="build from this report JSON instead of running the report")
    parser.add_argument("--concept", action="append", help="run only these concepts' comparisons (ids, commas)")
    parser.add_argument("--fast", action="store_true", help="render the notebooks without running them (no plots)")
    parser.add_argument("-j", "--jobs", type=report._positive_int, default=0,
                        help="processes for the report and for the notebooks (default: the cores)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    start = time.perf_counter()
    if args.json:
        try:
            with open(args.json, encoding="utf-8") as f:
                payload = json.load(f)
            payload["rows"]  # noqa: B018 -- a report JSON has rows
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"dl-parity site: cannot read the report JSON {args.json}: {exc}", file=sys.stderr)
            return report.EXIT_USAGE
    else:
        concepts, problem = report._concept_list(args.concept)
        if problem:
            print(f"dl-parity site: {problem}", file=sys.stderr)
            return report.EXIT_USAGE
        sys.modules["parity_tests"].pin_blas()
        report.quiet_tensorflow(False)
        began = time.perf_counter()
        run = report.run_report(concepts, jobs=args.jobs or report.default_jobs())
        summary = report.summary_line(run.rows, time.perf_counter() - began, run.jobs)
        print(f"report: {summary}")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "report.json")
            report.write_json(run.rows, path, run.notes, report.run_record(summary))
            with open(path, encoding="utf-8") as f:
                payload = json.load(f)
    out = build_site(args.out, payload, execute=not args.fast, jobs=args.jobs or report.default_jobs())
    print(f"site: {out} ({time.perf_counter() - start:.1f} s); open {out / 'index.html'} in a browser")
    return report.EXIT_PASSED
