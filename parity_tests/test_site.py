"""The docs site (parity_tests/site.py), built as a reader gets it and checked page by page.

One build for the module: `python -m parity_tests site --fast` with the report of A4 and A5 (a concept with
Keras blocks and mappings, and a small one), into a temporary folder. Checked on the built HTML: a page per
concept; on each, both code columns of every twin pair equal to the current source of the functions the
code's `MIRRORS` names; every number of the parity tables equal to the report JSON of the build; no link to a
missing page or anchor; no URL to an outside host. The notebook machinery (execution, tagged plots) is checked
on a two-cell notebook, and a headless Chromium renders the index and a concept page.
"""

from __future__ import annotations

import html.parser
import inspect
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import urllib.parse

import pytest

from parity_tests import report, site

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONCEPTS = ("A4", "A5")
# One pytest-xdist worker runs the whole module (`--dist loadgroup` in the Makefile): the module-scoped build
# (a report, then MkDocs, about 50 s) would otherwise run once in every worker that gets one of its tests.
pytestmark = pytest.mark.xdist_group("site")


class Page(html.parser.HTMLParser):
    """What the tests read from one HTML page: ids, links, twin columns (with their code) and table rows."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.columns: list[dict] = []  # {"side", "function", "twin", "code"}
        self.rows: list[dict] = []  # {"index", "cells": {field: (text, data-value)}}
        self._stack: list[tuple[str, dict]] = []
        self._twin = None
        self._column = None
        self._in_code = 0
        self._row = None
        self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._stack.append((tag, a))
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.links.append(a[key])
        if a.get("srcset"):
            self.links += [part.split()[0] for part in a["srcset"].split(",")]
        classes = (a.get("class") or "").split()
        if tag == "div" and "twin" in classes:
            self._twin = a.get("data-twin")
        if tag == "div" and "twin-col" in classes:
            self._column = {"side": a["data-side"], "function": a["data-function"], "twin": self._twin, "code": ""}
            self.columns.append(self._column)
        if tag == "code" and self._column is not None and any(t == "pre" for t, _ in self._stack):
            self._in_code += 1
        if tag == "tr" and "data-row" in a:
            self._row = {"index": int(a["data-row"]), "cells": {}}
            self.rows.append(self._row)
        if tag == "td" and self._row is not None and "data-field" in a:
            self._cell = [a["data-field"], "", a.get("data-value")]

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, a = self._stack.pop()
            if open_tag == "code" and self._in_code:
                self._in_code -= 1
            if open_tag == "div" and "twin-col" in (a.get("class") or "").split():
                self._column = None
            if open_tag == "td" and self._cell is not None:
                field, text, value = self._cell
                self._row["cells"][field] = (text, value)
                self._cell = None
            if open_tag == "tr":
                self._row = None
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._in_code and self._column is not None:
            self._column["code"] += data
        if self._cell is not None:
            self._cell[1] += data


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "parity_tests", "site", "--fast", "--concept", ",".join(CONCEPTS),
                           "-j", "1", "--out", str(out)], cwd=tmp_path_factory.mktemp("cwd"), env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"the site build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    payload = json.loads((out / "report.json").read_text(encoding="utf-8"))
    pages = {p.relative_to(out).as_posix(): Page(p.read_text(encoding="utf-8")) for p in out.rglob("*.html")}
    return out, payload, pages


def test_the_build_ran_the_asked_concepts_and_keeps_its_report(built):
    _, payload, _ = built
    assert {r["concept"] for r in payload["rows"]} == set(CONCEPTS)
    assert payload["rows"] and all(r["case"] for r in payload["rows"])
    assert set(payload["run"]["versions"]) == {"python", "tensorflow", "keras", "numpy"}


def test_a_page_per_concept(built):
    _, payload, pages = built
    concept_pages = {p[len("concepts/"):-len(".html")] for p in pages if p.startswith("concepts/")}
    assert {r["concept"] for r in payload["rows"]} <= concept_pages
    assert {f"concepts/{c}.html" for c in report.TITLES} <= set(pages)


def test_code_columns_are_the_current_source_of_the_named_functions(built):
    _, _, pages = built
    twins = site.twins()
    for concept_id in report.TITLES:
        page = pages[f"concepts/{concept_id}.html"]
        expected = [t for t in twins if t.concept == concept_id]
        assert expected, f"{concept_id}: no twin pair stated"
        by_twin: dict[str, dict[str, str]] = {}
        for col in page.columns:
            assert col["code"].strip(), f"{concept_id}: empty code column for {col['function']}"
            source = inspect.getsource(inspect.unwrap(site.resolve(col["function"])))
            assert col["code"].rstrip() == source.rstrip(), f"{concept_id}: {col['function']} is not its source"
            by_twin.setdefault(col["twin"], {})[col["side"]] = col["function"]
        for t in expected:
            sides = by_twin.get(t.tf_qualname, {})
            tf_side = sides.get("keras" if t.keras_block else "tf")
            assert tf_side == t.tf_qualname, f"{concept_id}: no TF column for {t.tf_qualname}"
            assert sides.get("numpy") == t.numpy_qualname, f"{concept_id}: {t.tf_qualname} is not beside its twin"


def test_parity_numbers_are_the_report_json(built):
    _, payload, pages = built
    seen = []
    for concept_id in CONCEPTS:
        for row in pages[f"concepts/{concept_id}.html"].rows:
            expected = payload["rows"][row["index"]]
            assert expected["concept"] == concept_id
            cells = row["cells"]
            for field in ("max_abs", "max_rel", "tol", "atol"):
                text, value = cells[field]
                assert json.loads(value) == expected[field], (expected["quantity"], field)
                assert text == site.fmt(expected[field]), (expected["quantity"], field, text)
            assert cells["quantity"][0] == expected["quantity"] + (" *" if expected["why"] else "")
            assert cells["kind"][0] == expected["kind"] and cells["dtype"][0] == expected["dtype"]
            assert cells["passed"][0] == ("ok" if expected["passed"] else "FAIL")
            assert cells["atol_only"][0] == f"{expected['atol_only']}/{expected['entries']}"
            seen.append(row["index"])
    assert sorted(seen) == list(range(len(payload["rows"]))), "every row of the report, once"


def test_every_mapping_is_on_the_mappings_page_and_its_concept_page(built):
    out, _, pages = built
    stated = site.mappings()
    text = (out / "mappings.html").read_text(encoding="utf-8")
    assert text.count("<tr data-case=") == len(stated) and stated
    for _, m in stated:
        assert f'href="concepts/{m.concept}.html#case-{m.case}"' in text


def test_no_link_to_a_missing_page_or_anchor(built):
    out, _, pages = built
    problems = []
    for name, page in pages.items():
        for link in page.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme in ("data", "mailto") or link.startswith("#") and parts.fragment in page.ids:
                continue
            if parts.scheme or parts.netloc:
                problems.append(f"{name}: outside URL {link}")
                continue
            target = (out / name).parent / urllib.parse.unquote(parts.path) if parts.path else out / name
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{name}: missing {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target.relative_to(out).as_posix()].ids
                if parts.fragment not in ids:
                    problems.append(f"{name}: no anchor {link}")
    assert not problems, "\n".join(problems[:30])


def test_no_stylesheet_loads_from_an_outside_host(built):
    out, _, _ = built
    outside = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*(?:https?:)?//""", re.IGNORECASE)
    bad = [p.name for p in out.rglob("*.css") if outside.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert not bad, bad


def test_the_index_shows_the_summary_versions_and_counts(built):
    out, payload, _ = built
    text = (out / "index.html").read_text(encoding="utf-8")
    assert payload["run"]["summary"] in text
    for package, version in payload["run"]["versions"].items():
        assert f"{package} {version}" in text
    for concept_id in CONCEPTS:
        rows = [r for r in payload["rows"] if r["concept"] == concept_id]
        assert f"<td>{sum(r['passed'] for r in rows)}/{len(rows)}</td>" in text


def test_a_failed_build_keeps_the_previous_site(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous")
    with pytest.raises(Exception):  # noqa: B017 -- any failure: a report JSON whose rows are not rows
        site.build_site(out, {"rows": [{"concept": "A4"}]}, execute=False, log=lambda *_: None)
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "the staging folder is gone"


def test_a_report_json_that_cannot_be_read_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert site.main(["--json", str(bad), "--fast", "--out", str(tmp_path / "s")]) == report.EXIT_USAGE
    assert "cannot read the report JSON" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_tagged_notebook_cells_become_the_plots_of_their_concept(tmp_path):
    notebook = tmp_path / "tiny.py"
    notebook.write_text('# %% [markdown]\n# # A tiny notebook (concept A5)\n\n'
                        '# %% tags=["plot-A5"]\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()\n'
                        '\n# %%\nprint("no plot")\n', encoding="utf-8")
    notebooks = site.run_notebooks([notebook], execute=True, log=lambda *_: None)
    plots = site.tagged_plots(notebooks)
    assert list(plots) == ["A5"] and len(plots["A5"]) == 1
    name, cell, png = plots["A5"][0]
    assert (name, cell) == ("tiny", 2) and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert site.notebook_concepts(notebook) == {"A5"}
    text = site.notebook_markdown("tiny", notebooks["tiny"], tmp_path / "md")
    assert "no plot" in text and list((tmp_path / "md" / "tiny_files").glob("*.png"))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (.ci/run installs Debian's chromium): "
                    "the browser test did not run")
def test_chromium_renders_the_index_and_a_concept_page(built, tmp_path):
    import matplotlib.image

    out, payload, _ = built

    def chromium(*args):
        profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
        proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1600,1200", *args],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    index = chromium("--dump-dom", (out / "index.html").as_uri())
    assert 'data-concept="A4"' in index and "md-nav" in index, "the index did not render"
    dom = chromium("--dump-dom", (out / "concepts" / "A4.html").as_uri())
    assert dom.count('data-side="numpy"') >= 3 and dom.count('data-side="tf"') >= 3, "no code columns"
    rows = re.findall(r'<tr data-row="(\d+)">', dom)  # Material's script wraps each table in scroll divs
    a4 = [i for i, r in enumerate(payload["rows"]) if r["concept"] == "A4"]
    assert sorted(map(int, rows)) == a4 and dom.count('<td data-field="passed" class="ok">ok</td>') == len(a4)
    shot = tmp_path / "A4.png"
    chromium(f"--screenshot={shot}", (out / "concepts" / "A4.html").as_uri())
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1200, 1600)
    assert pixels.std() > 0.05 and (pixels.mean(axis=2) < 0.5).mean() > 0.01, "the screenshot is blank"
