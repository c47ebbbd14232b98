"""Aging (SPEC §3): how long each open item has been overdue, and the bucket it falls in.

The buckets are a partition of the open items, so they always add up to the open amount
(ERPNext's users complain that its not-yet-due money sits in no bucket).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import polars as pl

Basis = Literal["due", "invoice"]
DEFAULT_BOUNDS = (30, 60, 90, 120)
NOT_DUE = "not_due"


def parse_bounds(text: str) -> tuple[int, ...]:
    """`30,60,90` -> (30, 60, 90); any strictly increasing list of positive whole days."""
    try:
        bounds = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"buckets must be whole days separated by commas, not {text!r}") from None
    if not bounds or any(b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ValueError(
            f"buckets must be increasing positive days, e.g. 30,60,90,120; got {text!r}"
        )
    return bounds


def bucket_labels(bounds: Sequence[int] = DEFAULT_BOUNDS, *, basis: Basis = "due") -> list[str]:
    """`not_due, 1-30, 31-60, …, 121+` (basis due) or `0-30, 31-60, …, 121+` (basis invoice)."""
    lows = [1 if basis == "due" else 0, *(b + 1 for b in bounds[:-1])]
    labels = [f"{lo}-{hi}" for lo, hi in zip(lows, bounds, strict=True)]
    labels.append(f"{bounds[-1] + 1}+")
    return [NOT_DUE, *labels] if basis == "due" else labels


def days_between(later: date | pl.Expr, earlier: str | pl.Expr) -> pl.Expr:
    later = pl.lit(later) if isinstance(later, date) else later
    earlier = pl.col(earlier) if isinstance(earlier, str) else earlier
    return (later - earlier).dt.total_days()


def days_overdue(due_date: str | pl.Expr = "due_date", *, as_of: date) -> pl.Expr:
    """Whole days past the due date at D; zero or negative means not yet overdue."""
    return days_between(as_of, due_date)


def age_days(*, as_of: date, basis: Basis = "due") -> pl.Expr:
    """The age that places an item in a bucket: days overdue, or days since the invoice."""
    return days_between(as_of, "due_date" if basis == "due" else "invoice_date")


def _cuts(bounds: Sequence[int], basis: Basis) -> list[int]:
    """The inclusive upper bound of every bucket but the last (due on D is not overdue)."""
    return ([0] if basis == "due" else []) + list(bounds)


def bucket_label(
    days: str | pl.Expr, *, bounds: Sequence[int] = DEFAULT_BOUNDS, basis: Basis = "due"
) -> pl.Expr:
    """The bucket of an age in days; upper bounds are inclusive and due on D is not overdue."""
    days = pl.col(days) if isinstance(days, str) else days
    labels = bucket_labels(bounds, basis=basis)
    cuts = _cuts(bounds, basis)
    expr = pl.when(days <= cuts[0]).then(pl.lit(labels[0]))
    for cut, label in zip(cuts[1:], labels[1:], strict=False):
        expr = expr.when(days <= cut).then(pl.lit(label))
    expr = expr.otherwise(pl.lit(labels[-1]))
    return expr.cast(pl.Enum(labels))


def in_buckets(
    days: pl.Expr, *, bounds: Sequence[int] = DEFAULT_BOUNDS, basis: Basis = "due"
) -> dict[str, pl.Expr]:
    """Per bucket label, whether an age in days falls in it (the buckets of `bucket_label`,
    as conditions: summing by them needs no label per item)."""
    cuts = _cuts(bounds, basis)
    lows = [None, *cuts]
    highs = [*cuts, None]
    tests = {}
    for label, low, high in zip(bucket_labels(bounds, basis=basis), lows, highs, strict=True):
        above = days > low if low is not None else pl.lit(True)
        tests[label] = above & (days <= high) if high is not None else above
    return tests


def aged_items(
    items: pl.LazyFrame,
    *,
    as_of: date,
    bounds: Sequence[int] = DEFAULT_BOUNDS,
    basis: Basis = "due",
) -> pl.LazyFrame:
    """Open items (not the unapplied rows) with `days_overdue` and their `bucket`."""
    return items.filter(pl.col("kind") != "unapplied").with_columns(
        days_overdue=days_overdue(as_of=as_of),
        bucket=bucket_label(age_days(as_of=as_of, basis=basis), bounds=bounds, basis=basis),
    )


def aging_summary(
    items: pl.LazyFrame,
    *,
    as_of: date,
    bounds: Sequence[int] = DEFAULT_BOUNDS,
    basis: Basis = "due",
) -> pl.LazyFrame:
    """Per customer: open_amount, one column per bucket, unapplied_credit, net_balance, and
    max_days_overdue, the days of the most overdue item owed (blank when none is overdue; for
    credit holds). Money in minor units."""
    # settled items add nothing to any bucket: leave them out before grouping
    amount = pl.col("open_amount")
    owed = items.filter((amount != 0) & (pl.col("kind") != "unapplied"))
    overdue = days_overdue(as_of=as_of)
    buckets = in_buckets(age_days(as_of=as_of, basis=basis), bounds=bounds, basis=basis)
    labels = list(buckets)
    by_bucket = owed.group_by("customer_id").agg(
        amount.sum(),
        *[pl.when(test).then(amount).otherwise(0).sum().alias(b) for b, test in buckets.items()],
        # the oldest item still owed past its due date; blank when nothing is overdue
        max_days_overdue=pl.when((amount > 0) & (overdue > 0)).then(overdue).max(),
    )
    unapplied = (
        items.filter(pl.col("kind") == "unapplied")
        .group_by("customer_id")
        .agg(unapplied_credit=-pl.col("open_amount").sum())
    )
    customers = items.select("customer_id").unique()
    return (
        customers.join(by_bucket, on="customer_id", how="left")
        .join(unapplied, on="customer_id", how="left")
        .with_columns(pl.col("open_amount", *labels, "unapplied_credit").fill_null(0))
        .with_columns(net_balance=pl.col("open_amount") - pl.col("unapplied_credit"))
    )
