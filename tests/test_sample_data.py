"""The committed sample company: up to date, clean, and showing the cases it plants."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.load import load
from reportgen.outputs import customer_aging
from reportgen.sample import build, generate

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
AS_OF = dt.date(2025, 12, 31)


def test_committed_sample_is_what_the_generator_makes(tmp_path: Path) -> None:
    generate(tmp_path, invoices=25_000, seed=7)
    for path in sorted(SAMPLE.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_check_loads_every_row_of_the_sample() -> None:
    result = CliRunner().invoke(app, ["check", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "No problems: every row was loaded." in result.output
    ds = load(SAMPLE)
    assert ds.problems.height == 0
    assert {f.table for f in ds.files} >= {"invoices", "payments", "credit_notes", "customers"}
    assert all(f.rows_loaded == f.rows_read > 0 for f in ds.files)


def test_sample_aging_shows_the_planted_over_limit_customers() -> None:
    report = customer_aging(load(SAMPLE), as_of=AS_OF).collect()
    planted = build(invoices=25_000, seed=7).planted
    over = set(report.filter("over_limit")["customer_id"].to_list())
    expected = set(planted["over_limit"]) | set(planted["cash_only"])
    assert over == expected
    assert report.filter(pl.col("credit_limit").is_null()).height == len(planted["no_limit"])
    buckets = report.select(
        pl.sum_horizontal("not_due", "1-30", "31-60", "61-90", "91-120", "121+")
    )
    assert buckets.to_series().equals(report["open_amount"], check_names=False)
    assert report.height == 300
