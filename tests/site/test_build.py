"""The built site: escaping in the HTML, byte-identical rebuilds, atomic replacement, and the
`reportgen site` command."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_helpers import (
    HOSTILE,
    HOSTILE_NOTES,
    files_of,
    hostile_data,
    hostile_folder,
    hostile_site,
    sample_data,
    sample_site,
)
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.report import site as writer
from reportgen.report.site import MARKER, SiteError, build_site


class Page(HTMLParser):
    """A built page as a browser would see it: its elements' attributes, the code of its
    inline scripts, and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.attributes: list[tuple[str, str, str | None]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, name, value) for name, value in attrs]
        self._in.append(tag)

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            self.scripts.append(data)
        else:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def pages_of(root: Path) -> dict[str, Page]:
    return {
        path: Page(content.decode("utf-8"))
        for path, content in files_of(root).items()
        if path.endswith(".html")
    }


# --- escaping ----------------------------------------------------------------------------------


def test_names_notes_and_references_from_the_data_stay_text():
    pages = pages_of(hostile_site())
    for path, page in pages.items():
        for tag, name, value in page.attributes:
            assert not name.startswith("on"), (path, tag, name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (path, tag, value)
            assert not (tag == "img" and value == "x"), path
        for code in page.scripts:
            assert "alert(" not in code, (path, code[:200])
    for lang in ("en", "zh"):
        shown = " ".join(page.visible for p, page in pages.items() if p.startswith(f"{lang}/"))
        for name in HOSTILE.values():
            assert " ".join(name.split()) in shown, name  # shown as the characters it is
        c1 = pages[f"{lang}/customers/C1.html"]
        assert HOSTILE_NOTES[0] in c1.visible
        assert HOSTILE_NOTES[1] in pages[f"{lang}/customers/C2.html"].visible
        review = pages[f"{lang}/reviews/2025-02.html"].visible
        assert "[doc](javascript:alert(7))" in review  # a payment's reference, reconciled


def test_titles_cannot_close_the_title_element():
    html = (hostile_site() / "en" / "customers" / "C3.html").read_text(encoding="utf-8")
    title = html[html.index("<title>") : html.index("</title>") + len("</title>")]
    assert title == (
        "<title>&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt; - Credit review</title>"
    )


def test_odd_customer_ids_get_safe_page_names():
    names = sorted(p.name for p in (hostile_site() / "en" / "customers").iterdir())
    assert "C1.html" in names
    odd = [n for n in names if n.startswith("C_")]
    assert len(odd) == 1 and "/" not in odd[0] and ".." not in odd[0].replace("_.._", "")


# --- deterministic -----------------------------------------------------------------------------


def test_the_same_inputs_give_byte_identical_sites(tmp_path):
    first = files_of(sample_site())
    again = files_of(build_site(sample_data(), tmp_path / "elsewhere" / "again"))
    assert sorted(first) == sorted(again)
    different = [path for path in first if first[path] != again[path]]
    assert different == []
    assert "en/sitemap.xml.gz" in first and "zh/search/search_index.js" in first
    for path, content in first.items():
        if path.endswith(".html"):
            assert b"build_date" not in content


def test_the_site_ships_everything_it_loads():
    root = sample_site()
    for lang in ("en", "zh"):
        assert (root / lang / "assets" / "javascripts" / "plotly.min.js").stat().st_size > 1e6
        page = (root / lang / "reviews" / "2025-12.html").read_text(encoding="utf-8")
        for external in ("https://", "http://"):
            for attribute in ("src=", "href="):
                assert f'{attribute}"{external}' not in page
    assert (root / "zh" / "reviews" / "2025-12.html").read_text("utf-8").count("2025年12月") > 3


# --- atomic ------------------------------------------------------------------------------------


def _snapshot_tree(out: Path) -> dict[str, bytes]:
    return files_of(out)


def test_a_failed_build_leaves_the_previous_site_intact(tmp_path, monkeypatch):
    data = hostile_data(tmp_path / "data")
    out = tmp_path / "out"
    build_site(data, out, langs=["en"])
    before = _snapshot_tree(out)

    def failing(config, site_dir, epoch):
        return subprocess.Popen([sys.executable, "-c", "import sys; sys.exit('broken theme')"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip

    monkeypatch.setattr(writer, "_mkdocs", failing)
    with pytest.raises(SiteError, match="broken theme"):
        build_site(data, out)
    assert _snapshot_tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]  # no leftovers


def test_an_interrupted_build_leaves_the_previous_site_intact(tmp_path, monkeypatch):
    data = hostile_data(tmp_path / "data")
    out = tmp_path / "out"
    build_site(data, out, langs=["en"])
    before = _snapshot_tree(out)
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    original = writer.write_project
    monkeypatch.setattr(writer, "write_project", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site(data, out)
    assert _snapshot_tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_a_new_build_replaces_the_previous_site_whole(tmp_path):
    data = hostile_data(tmp_path / "data")
    out = tmp_path / "out"
    build_site(data, out)
    assert (out / "zh").is_dir() and (out / MARKER).is_file()
    build_site(data, out, langs=["zh"])
    assert not (out / "en").exists()  # nothing of the old site lingers
    assert (out / "zh" / "index.html").is_file()


def test_a_folder_of_other_files_is_never_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(SiteError, match="not built by `reportgen site`"):
        build_site(hostile_data(tmp_path / "data"), out)
    assert (out / "notes.txt").read_text() == "keep me"


# --- the command -------------------------------------------------------------------------------


def test_reportgen_site_command(tmp_path):
    data = hostile_folder(tmp_path / "data")
    out = tmp_path / "site"
    args = ["site", str(data), "--out", str(out), "--from", "2025-01-01", "--to", "2025-02-28"]
    result = CliRunner().invoke(app, [*args, "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "2 reviews (2025-01 to 2025-02)" in result.output
    assert (out / "zh" / "reviews" / "2025-02.html").is_file()
    assert not (out / "en").exists()
    root = (out / "index.html").read_text(encoding="utf-8")
    assert "url=zh/index.html" in root


def test_reportgen_site_command_rejects_a_backwards_range(tmp_path):
    data = hostile_folder(tmp_path / "data")
    args = ["site", str(data), "--out", str(tmp_path / "s"), "--from", "2025-03-01"]
    result = CliRunner().invoke(app, [*args, "--to", "2025-01-31"])
    assert result.exit_code == 2
    assert "before they start" in result.output


def test_the_core_imports_no_site_machinery():
    """reportgen's core and command line load Jinja, MkDocs, YAML and Plotly only when a site
    is built (STYLE: dependencies point one way)."""
    code = (
        "import sys, reportgen.cli, reportgen.metrics, reportgen.outputs, reportgen.reconcile\n"
        "loaded = [m for m in ('jinja2', 'mkdocs', 'material', 'plotly', 'yaml')"
        " if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
