"""Shared helpers for the core's tests: literal CSV tables written to a folder and loaded.

Every test states its data as tiny CSV text, exactly as a user would drop it in a folder:

    ds = make_data(tmp_path, invoices='''
        invoice_id,customer_id,invoice_date,amount
        I1,C1,2024-01-01,100.00
    ''')

Money in the ledger is compared in integer cents (the core's representation); money in the
reports is compared as exact decimals built from strings, never from floats.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from reportgen.aging import DEFAULT_BOUNDS, bucket_labels
from reportgen.ledger import open_items
from reportgen.load import Dataset, load
from reportgen.outputs import customer_aging, invoice_aging


def D(text: str) -> date:
    """A date from ISO text: `D("2024-03-01")`."""
    return date.fromisoformat(text)


def write_data(folder: Path, **tables: str | None) -> Path:
    """Write each table (name -> CSV text, indentation removed) as `<name>.csv` in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        if text is None:
            continue
        body = textwrap.dedent(text).strip("\n")
        (folder / f"{name}.csv").write_text(body + "\n", encoding="utf-8")
    return folder


def make_data(tmp_path: Path, *, base_currency: str | None = None, as_of: date | None = None,
              **tables: str | None) -> Dataset:
    """Write the tables into `tmp_path/data` and load them."""
    folder = write_data(tmp_path / "data", **tables)
    return load(folder, base_currency=base_currency, as_of=as_of)


# --- open items (ledger, integer cents) ---------------------------------------------------

ITEM_SCHEMA = {
    "item_id": pl.String,
    "customer_id": pl.String,
    "instalment": pl.Int64,
    "kind": pl.String,
    "open_amount": pl.Int64,
}
ITEM_ORDER = ["customer_id", "kind", "item_id", "instalment"]


def open_frame(ds: Dataset, as_of: date, unapplied: str = "fifo", *,
               nonzero: bool = True) -> pl.DataFrame:
    """The open items at D as (item_id, customer_id, instalment, kind, open_amount in cents),
    sorted; settled items (open 0) are left out unless `nonzero=False`."""
    frame = (
        open_items(ds, as_of=as_of, unapplied=unapplied)
        .collect()
        .select(list(ITEM_SCHEMA))
        .with_columns(pl.col("customer_id").cast(pl.String))  # the core holds it Categorical
    )
    if nonzero:
        frame = frame.filter(pl.col("open_amount") != 0)
    return frame.sort(ITEM_ORDER, nulls_last=True)


def items(*rows: tuple) -> pl.DataFrame:
    """Expected open items: rows of (item_id, customer_id, instalment, kind, open cents)."""
    frame = pl.DataFrame(list(rows), schema=ITEM_SCHEMA, orient="row")
    return frame.sort(ITEM_ORDER, nulls_last=True)


def assert_items(ds: Dataset, as_of: date, *rows: tuple, unapplied: str = "fifo") -> None:
    assert_frame_equal(open_frame(ds, as_of, unapplied), items(*rows))


def open_cents(ds: Dataset, as_of: date, unapplied: str = "fifo") -> dict[str, int]:
    """Σ open amount (all kinds, cents) per customer: its net balance."""
    frame = open_items(ds, as_of=as_of, unapplied=unapplied).collect()
    totals = frame.group_by("customer_id").agg(pl.col("open_amount").sum())
    return dict(totals.iter_rows())


# --- reports (exact decimals) ---------------------------------------------------------------


def decimal_series(name: str, values: Sequence[str | None], digits: int = 2) -> pl.Series:
    """Exact decimals from text, as the reports hold money: `decimal_series("x", ["1.50"])`."""
    exact = [None if v is None else Decimal(v) for v in values]
    return pl.Series(name, exact, dtype=pl.Decimal(38, digits))


def customer_report(ds: Dataset, as_of: date, **options) -> pl.DataFrame:
    return customer_aging(ds, as_of=as_of, **options).collect().sort("customer_id")


def invoice_report(ds: Dataset, as_of: date, **options) -> pl.DataFrame:
    return invoice_aging(ds, as_of=as_of, **options).collect()


def bucket_frame(rows: dict[str, Sequence[str]], *, bounds: Sequence[int] = DEFAULT_BOUNDS,
                 basis: str = "due", digits: int = 2) -> pl.DataFrame:
    """Expected `customer_id, open_amount, <buckets>` from {customer: [open, bucket, …]}."""
    columns = ["open_amount", *bucket_labels(bounds, basis=basis)]
    ids = sorted(rows)
    data = [pl.Series("customer_id", ids, dtype=pl.String)]
    for i, name in enumerate(columns):
        data.append(decimal_series(name, [rows[c][i] for c in ids], digits))
    return pl.DataFrame(data)


def report_buckets(ds: Dataset, as_of: date, *, bounds: Sequence[int] = DEFAULT_BOUNDS,
                   basis: str = "due", unapplied: str = "fifo") -> pl.DataFrame:
    """The customer report cut down to `customer_id, open_amount, <buckets>`."""
    report = customer_report(ds, as_of, bounds=bounds, basis=basis, unapplied=unapplied)
    return report.select("customer_id", "open_amount", *bucket_labels(bounds, basis=basis))


def problems_of(ds: Dataset, severity: str | None = None) -> pl.DataFrame:
    """The problems as (file, row, column, severity), optionally of one severity."""
    frame = ds.problems
    if severity is not None:
        frame = frame.filter(pl.col("severity") == severity)
    return frame.select("file", "row", "column", "severity").sort(
        "file", "row", "column", nulls_last=False)


def problem_rows(*rows: tuple) -> pl.DataFrame:
    """Expected problems: rows of (file, row, column, severity)."""
    schema = {"file": pl.String, "row": pl.Int64, "column": pl.String, "severity": pl.String}
    return pl.DataFrame(list(rows), schema=schema, orient="row").sort(
        "file", "row", "column", nulls_last=False)


def report_of(ds: Dataset, name: str):
    """The FileReport of one file."""
    return next(f for f in ds.files if f.file == name)
