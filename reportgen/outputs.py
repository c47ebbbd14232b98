"""The aging report as SPEC §7 lays it out, and writing any table by file extension.

Money leaves the core here: minor units become exact decimals (`123.45`) in the base currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Literal

import polars as pl

from reportgen import money
from reportgen.aging import DEFAULT_BOUNDS, Basis, aged_items, aging_summary, bucket_labels
from reportgen.credit import DEFAULT_HOLD_AFTER_DAYS, customer_exposure
from reportgen.ledger import Unapplied, open_items
from reportgen.load import Dataset

Level = Literal["customer", "invoice"]
INVOICE_COLUMNS = [
    "invoice_id",
    "customer_id",
    "instalment",
    "invoice_date",
    "due_date",
    "amount",
    "open_amount",
    "days_overdue",
    "bucket",
]
INVOICE_ORDER = ["customer_id", "due_date", "invoice_id", "instalment"]
CREDIT_COLUMNS = [
    "open_orders",
    "exposure",
    "headroom",
    "over_limit_amount",
    "credit_hold",
    "max_days_overdue",
]
FORMATS = (".csv", ".parquet", ".json")


def customer_aging(
    ds: Dataset,
    *,
    as_of: date,
    basis: Basis = "due",
    bounds: Sequence[int] = DEFAULT_BOUNDS,
    unapplied: Unapplied = "fifo",
    hold_after_days: int = DEFAULT_HOLD_AFTER_DAYS,
    credit: bool = False,
) -> pl.LazyFrame:
    """One row per customer: the SPEC §7 columns, then (with `credit`) the exposure columns."""
    items = open_items(ds, as_of=as_of, unapplied=unapplied)
    summary = aging_summary(items, as_of=as_of, bounds=bounds, basis=basis)
    exposure = customer_exposure(summary, ds, hold_after_days=hold_after_days)
    return customer_report(exposure, ds, labels=bucket_labels(bounds, basis=basis), credit=credit)


def customer_report(
    exposure: pl.LazyFrame | pl.DataFrame,
    ds: Dataset,
    *,
    labels: Sequence[str] | None = None,
    credit: bool = False,
) -> pl.LazyFrame:
    """`customer_aging`'s rows from `credit.customer_exposure` (as `metrics.customer_facts`
    keeps it at every snapshot date): money as exact decimals, sorted by customer."""
    labels = bucket_labels() if labels is None else labels
    money_cols = [
        "open_amount",
        *labels,
        "unapplied_credit",
        "net_balance",
        "credit_limit",
        "open_orders",
        "exposure",
        "headroom",
        "over_limit_amount",
    ]
    columns = [
        "customer_id",
        "name",
        "open_amount",
        *labels,
        "unapplied_credit",
        "net_balance",
        "credit_limit",
        "utilization",
        "over_limit",
    ]
    if credit:
        columns += CREDIT_COLUMNS
    return (
        exposure.lazy()
        .with_columns(
            *[money.to_decimal(c, ds.digits).alias(c) for c in money_cols],
            pl.col("customer_id").cast(pl.String),
        )
        .select(columns)
        .sort("customer_id")
    )


def for_output(frame: pl.DataFrame, columns: Sequence[str], digits: int) -> pl.DataFrame:
    """Minor units to exact decimals (`columns`), ids to text, lists to text ("a, b"): a core
    table ready for any format, as the command line writes it and the dashboard shows it."""
    present = [c for c in columns if c in frame.columns]
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(
        *[money.to_decimal(c, digits).alias(c) for c in present],
        *[pl.col(c).list.join(", ").alias(c) for c in lists],
        *[pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t in (pl.Categorical,)],
    )


def invoice_aging(
    ds: Dataset,
    *,
    as_of: date,
    basis: Basis = "due",
    bounds: Sequence[int] = DEFAULT_BOUNDS,
    unapplied: Unapplied = "fifo",
) -> pl.LazyFrame:
    """One row per open item with a non-zero open amount (SPEC §8 invoice-level rows)."""
    items = open_items(ds, as_of=as_of, unapplied=unapplied)
    aged = aged_items(
        items.filter(pl.col("open_amount") != 0), as_of=as_of, bounds=bounds, basis=basis
    )
    return (
        aged.rename({"item_id": "invoice_id"})
        .with_columns(
            money.to_decimal("amount", ds.digits),
            money.to_decimal("open_amount", ds.digits),
            pl.col("customer_id").cast(pl.String),
        )
        .select(INVOICE_COLUMNS)
        .sort(INVOICE_ORDER, nulls_last=True)
    )


# A cell that starts like a formula would run as one when the CSV is opened in a spreadsheet.
FORMULA_START = r"^[=+\-@\t\r]"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would read as a formula get a leading apostrophe."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START))
        .then("'" + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def write_table(frame: pl.DataFrame, path: Path) -> None:
    """Write by extension: .csv (UTF-8), .parquet or .json (an array of records; money as
    exact decimal strings). Written to a temporary file first, so a failure leaves no half
    file behind."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: --out must end in {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if suffix == ".csv":
        neutralise_formulas(frame).write_csv(partial)
    elif suffix == ".parquet":
        frame.write_parquet(partial)
    else:
        frame.write_json(partial)
    partial.replace(path)
