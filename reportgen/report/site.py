"""The site writer: Markdown pages -> a MkDocs project per language -> static HTML in DIR.

Each language is a sub-site (`DIR/en/`, `DIR/zh/`) with the same pages, linked by the language
switch; `DIR/index.html` leads to the first language. The build is

* **atomic**: everything is built in a temporary folder beside DIR and swapped in only when
  every language built; a failure or an interruption leaves the previous site as it was;
* **deterministic**: MkDocs's only clock (the sitemap's dates and the gzip header of
  sitemap.xml.gz) is set to the as-of date through SOURCE_DATE_EPOCH, and pages hold no
  build time; the same inputs and options give the same bytes;
* **offline**: plotly.min.js (from the plotly package), the search index and the worker shim
  ship with the site; no web fonts, no CDN.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time
from pathlib import Path

import yaml

from reportgen.report.data import SiteData
from reportgen.report.lang import LANG_NAMES, LANGS, Lang
from reportgen.report.render import Page, Renderer, html_text, navigation

MARKER = ".reportgen-site"  # marks a folder as a site this writer made and may replace


class SiteError(Exception):
    """The site could not be built; the previous one in DIR is untouched."""


def site_source() -> Path:
    """The MkDocs project folder (`site/`): inside the installed package when it was built
    as a wheel, else the repository's own."""
    packaged = Path(__file__).parent / "_site"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "site"


def plotly_js() -> Path:
    """plotly.min.js as the plotly package ships it (found without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise SiteError("the plotly package is not installed: it provides plotly.min.js")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise SiteError(f"{path} is missing from the plotly package")
    return path


# --- one language's project ------------------------------------------------------------------


def write_project(pages: Sequence[Page], lang: Lang, folder: Path, langs: Sequence[str]) -> Path:
    """Write the MkDocs project of one language into `folder`: docs/ (pages and assets) and
    mkdocs.yml. Returns the config file."""
    source = site_source()
    docs = folder / "docs"
    for page in pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")
    shutil.copytree(source / "assets", docs / "assets", dirs_exist_ok=True)
    shutil.copyfile(plotly_js(), docs / "assets" / "javascripts" / "plotly.min.js")

    config = yaml.safe_load((source / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_name"] = lang.t("site_name")
    config["docs_dir"] = "docs"
    config["theme"]["language"] = lang.code
    config["theme"]["custom_dir"] = str((source / "overrides").resolve())
    config["nav"] = navigation(list(pages), lang)
    if len(langs) > 1:
        config.setdefault("extra", {})["alternate"] = [
            {"name": LANG_NAMES[code], "lang": code} for code in langs
        ]
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _epoch(data: SiteData) -> int:
    """The as-of date, midnight UTC: the one date MkDocs may stamp on anything."""
    return int(datetime.combine(data.as_of, time(0), tzinfo=UTC).timestamp())


def _mkdocs(config: Path, site_dir: Path, epoch: int) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    command += ["--config-file", str(config), "--site-dir", str(site_dir)]
    return subprocess.Popen(
        command, env=env, cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _root_page(langs: Sequence[str]) -> str:
    """DIR/index.html: straight on to the first language, with a link to each."""
    first = langs[0]
    links = " · ".join(
        f'<a href="{code}/index.html" hreflang="{code}">{html_text(LANG_NAMES[code])}</a>'
        for code in langs
    )
    return (
        "<!doctype html>\n"
        f'<html lang="{first}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={first}/index.html">\n'
        "<title>reportgen</title>\n</head>\n"
        f"<body><p>{links}</p></body>\n</html>\n"
    )


# --- the whole site --------------------------------------------------------------------------


def build_site(
    data: SiteData,
    out: Path,
    *,
    langs: Sequence[str] = LANGS,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Render every page in each language, build them with MkDocs, and put the site in `out`,
    replacing a site built there before. Returns `out`."""
    step = progress or (lambda _: None)
    langs = [code for code in LANGS if code in langs]
    if not langs:
        raise SiteError("no language to build")
    out = Path(out).absolute()
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        built = work / "site"
        built.mkdir()
        builds = []
        for code in langs:
            lang = Lang(code, data.ds.base_currency, data.ds.digits)
            step(f"Writing the pages ({LANG_NAMES[code]})")
            pages = Renderer(data, lang).all()
            config = write_project(pages, lang, work / "project" / code, langs)
            builds.append((code, _mkdocs(config, built / code, _epoch(data))))
        step("Building the HTML (MkDocs)")
        failures = []
        for code, process in builds:
            _, stderr = process.communicate()
            if process.returncode:
                failures.append(f"[{code}] {stderr.decode(errors='replace').strip()}")
        if failures:
            raise SiteError("MkDocs could not build the site:\n" + "\n".join(failures))
        (built / "index.html").write_text(_root_page(langs), encoding="utf-8")
        (built / MARKER).write_text("built by reportgen site; replaced by the next build\n")
        _swap(built, out, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _check_replaceable(out: Path) -> None:
    """Only an empty folder or a site this writer made is replaced: `--out` naming a folder
    of other files is refused, never emptied."""
    if not out.exists():
        return
    if not out.is_dir():
        raise SiteError(f"{out} exists and is not a folder")
    if any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(
            f"{out} is not empty and was not built by `reportgen site`: choose another --out"
        )


def _swap(built: Path, out: Path, work: Path) -> None:
    """Move the new site into place. The old one is first moved aside into the work folder
    (deleted afterwards); if the new one cannot be moved in, the old one is put back."""
    old = work / "previous"
    if out.exists():
        out.rename(old)
    try:
        built.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise
