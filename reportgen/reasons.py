"""Overdue reasons (逾期原因, issue 7): why the money is late, by amount, count and aging
bucket, and the reasons that keep coming back for a customer.

The reason of an overdue item is the latest reason recorded by D against that invoice
(activities with `invoice_id` and `reason`); without one, the customer's latest reason (a
credit manager asks the customer, not each invoice); without any, `unknown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from reportgen.aging import DEFAULT_BOUNDS, aged_items, bucket_labels
from reportgen.ledger import open_items
from reportgen.load import Dataset
from reportgen.periods import month_end

UNKNOWN = "unknown"


def _reasons_by(ds: Dataset, as_of: date) -> pl.LazyFrame:
    """Every activity by D that records a reason: customer_id, invoice_id, date, reason."""
    names = ds.tables["activities"].columns if ds.has("activities") else []
    if "reason" not in names:
        return pl.LazyFrame(
            schema={
                "customer_id": ds.tables["invoices"]["customer_id"].dtype,
                "invoice_id": pl.String,
                "date": pl.Date,
                "reason": pl.String,
            }
        ).with_row_index("__row")
    invoice = pl.col("invoice_id") if "invoice_id" in names else pl.lit(None, pl.String)
    return (
        ds.table("activities")
        .filter((pl.col("date") <= as_of) & pl.col("reason").is_not_null())
        .select("customer_id", invoice_id=invoice, date="date", reason="reason")
        .with_row_index("__row")
    )


def overdue_items_with_reasons(
    ds: Dataset, *, as_of: date, bounds: Sequence[int] = DEFAULT_BOUNDS
) -> pl.LazyFrame:
    """The overdue open items at D (base currency) with their `bucket`, `reason` and where
    the reason came from (`reason_source`: invoice, customer or none)."""
    reasons = _reasons_by(ds, as_of)
    latest = ["date", "__row"]
    by_invoice = (
        reasons.filter(pl.col("invoice_id").is_not_null())
        .sort(latest)
        .group_by("invoice_id")
        .agg(invoice_reason=pl.col("reason").last())
    )
    by_customer = (
        reasons.sort(latest).group_by("customer_id").agg(customer_reason=pl.col("reason").last())
    )
    items = open_items(ds, as_of=as_of).filter(
        (pl.col("kind") == "invoice") & (pl.col("open_amount") > 0)
    )
    return (
        aged_items(items, as_of=as_of, bounds=bounds)
        .filter(pl.col("days_overdue") > 0)
        .join(by_invoice, left_on="item_id", right_on="invoice_id", how="left")
        .join(by_customer, on="customer_id", how="left")
        .with_columns(
            reason=pl.coalesce("invoice_reason", "customer_reason", pl.lit(UNKNOWN)),
            reason_source=pl.when(pl.col("invoice_reason").is_not_null())
            .then(pl.lit("invoice"))
            .when(pl.col("customer_reason").is_not_null())
            .then(pl.lit("customer"))
            .otherwise(pl.lit("none")),
        )
        .drop("invoice_reason", "customer_reason")
    )


def reasons_by_bucket(
    items: pl.LazyFrame, *, bounds: Sequence[int] = DEFAULT_BOUNDS
) -> pl.LazyFrame:
    """One row per reason: overdue amount and item count in total and per overdue bucket
    (`<bucket>` amount, `<bucket>_count`), largest amount first. The amounts add up to the
    overdue part of the aging."""
    overdue = bucket_labels(bounds)[1:]
    bucket = pl.col("bucket").cast(pl.String)
    return (
        items.group_by("reason")
        .agg(
            pl.col("open_amount").sum().alias("amount"),
            pl.len().cast(pl.Int64).alias("count"),
            pl.col("customer_id").n_unique().cast(pl.Int64).alias("customers"),
            *[pl.col("open_amount").filter(bucket == b).sum().alias(b) for b in overdue],
            *[(bucket == b).sum().cast(pl.Int64).alias(f"{b}_count") for b in overdue],
        )
        .with_columns(share=(pl.col("amount") / pl.col("amount").sum() * 100).round(1))
        .sort(["amount", "reason"], descending=[True, False])
    )


def recurring_reasons(
    ds: Dataset, *, as_of: date, lookback_months: int = 12, at_least: int = 2
) -> pl.LazyFrame:
    """Per customer and reason, the reasons recorded on `at_least` different days within
    the lookback (months before D): times, invoices concerned, first and last date."""
    since = months_before(as_of, lookback_months)
    return (
        _reasons_by(ds, as_of)
        .filter(pl.col("date") > since)
        .group_by("customer_id", "reason")
        .agg(
            times=pl.col("date").n_unique().cast(pl.Int64),
            invoices=pl.col("invoice_id").drop_nulls().n_unique().cast(pl.Int64),
            first=pl.col("date").min(),
            last=pl.col("date").max(),
        )
        .filter(pl.col("times") >= at_least)
        .sort(["customer_id", "times", "reason"], descending=[False, True, False])
    )


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, month_end(year, month + 1).day))
