"""Shared helpers for the dashboard's tests: the app under AppTest, and the core's (and the
command line's) figures for the sample company to compare its tiles and tables with.

Not a conftest.py: a second module named `conftest` would shadow tests/conftest.py for the
`from conftest import ...` of the core's tests."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from reportgen.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard"
APP = str(DASHBOARD / "app.py")
SAMPLE = ROOT / "sample_data"
AS_OF = date(2025, 12, 31)
TIMEOUT = 120

# the dashboard's modules (data, ui, downloads, auth) are imported as Streamlit imports them
if str(DASHBOARD) not in sys.path:
    sys.path.insert(0, str(DASHBOARD))


def open_app(page: str | None = None, *, lang: str | None = None) -> AppTest:
    """The app run once (on the Overview), then on `page`, in `lang`."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if lang:
        at.radio(key="lang").set_value(lang).run()
    if page:
        at.switch_page(f"sections/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [(e.message, e.stack_trace[-4:]) for e in at.exception]
    return at


def frame(at: AppTest, index: int) -> pl.DataFrame:
    """A table as the page drew it (exact decimals stay decimals)."""
    return pl.from_pandas(at.dataframe[index].value)


def cli_kpis(tmp_path: Path, *args: str) -> list[dict]:
    """`reportgen kpis sample_data ARGS --out FILE.json`, read back."""
    out = tmp_path / f"kpis-{abs(hash(args))}.json"
    result = CliRunner().invoke(cli, ["kpis", str(SAMPLE), *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def record_downloads(monkeypatch) -> dict:
    """Every download button's data as the app hands it to Streamlit, by the button's key
    (`csv-<table>`, `xlsx-<table>`): a callable, called only when a test asks for the file."""
    from streamlit.delta_generator import DeltaGenerator

    original = DeltaGenerator.download_button
    seen: dict = {}

    def recording(self, label, data=None, *args, **kwargs):
        seen[kwargs.get("key")] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return seen


def csv_text(data) -> str:
    """A CSV download or file as text (without Excel's byte-order mark)."""
    raw = data() if callable(data) else data
    raw = raw.read_bytes() if isinstance(raw, Path) else raw
    return raw.decode("utf-8-sig")


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))
