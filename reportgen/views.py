"""Selections from the core's results that the dashboard (and the notebook) show: aging totals
and groupings, the riskiest customers, utilization bands, exception counts, customer search,
the worklist's filters and totals, and how ratings moved between grades.

Pure functions of the frames `outputs.customer_aging(credit=True)`, `reconcile.for_output`,
`collections.worklist_table` and `ratings.rating_history` return (money as exact decimals), so
every face that shows them shows the same selection.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from reportgen.aging import NOT_DUE
from reportgen.reconcile import CATEGORIES

# columns of the customer aging that add up over customers
SUMMED = ("open_amount", "unapplied_credit", "net_balance")
# utilization bands (upper bounds, inclusive), as a credit manager reads a limit's use
UTILIZATION_BANDS = (
    ("0-50%", Decimal("0.5")),
    ("50-80%", Decimal("0.8")),
    ("80-100%", Decimal("1")),
    ("100-120%", Decimal("1.2")),
)
OVER_BAND = "over 120%"
NO_LIMIT, ZERO_LIMIT = "no limit", "limit 0"


def bucket_totals(customers: pl.DataFrame, labels: Sequence[str]) -> pl.DataFrame:
    """bucket, amount: the open amount of the customers in each aging bucket (they add up to
    the total open amount, SPEC §3)."""
    sums = customers.select(pl.col(list(labels)).sum()).row(0) if customers.height else None
    amounts = [s if s is not None else Decimal(0) for s in (sums or [None] * len(labels))]
    dtype = customers.schema.get("open_amount", pl.Decimal(38, 2))
    return pl.DataFrame(
        {"bucket": list(labels), "amount": amounts}, schema_overrides={"amount": dtype}
    )


def aging_by(customers: pl.DataFrame, by: str, labels: Sequence[str]) -> pl.DataFrame:
    """The customer aging summed per segment, owner or currency: `by`, customers, open_amount,
    the buckets, unapplied_credit and net_balance; largest open amount first."""
    money = ["open_amount", *labels, "unapplied_credit", "net_balance"]
    return (
        customers.group_by(by)
        .agg(pl.len().cast(pl.Int64).alias("customers"), *[pl.col(c).sum() for c in money])
        .sort(["open_amount", by], descending=[True, False])
        .select(by, "customers", *money)
    )


def overdue_amount() -> pl.Expr:
    """What is past its due date: the open amount less the part not yet due (basis due)."""
    return pl.col("open_amount") - pl.col(NOT_DUE)


def top_risks(customers: pl.DataFrame, limit: int = 10) -> pl.DataFrame:
    """The customers a credit manager looks at first: credit holds (over the limit, or an item
    overdue beyond the policy's days), then by amount overdue, then by exposure."""
    ranked = customers.with_columns(overdue=overdue_amount()).filter(
        pl.col("credit_hold") | (pl.col("overdue") > 0)
    )
    return ranked.sort(
        ["credit_hold", "overdue", "exposure", "customer_id"],
        descending=[True, True, True, False],
    ).head(limit)


def utilization_band() -> pl.Expr:
    """The band of a customer's utilization: `no limit`, `limit 0`, `0-50%` … `over 120%`."""
    limit, use = pl.col("credit_limit"), pl.col("utilization")
    expr = pl.when(limit.is_null()).then(pl.lit(NO_LIMIT)).when(limit == 0).then(pl.lit(ZERO_LIMIT))
    for label, upper in UTILIZATION_BANDS:
        expr = expr.when(use <= float(upper)).then(pl.lit(label))
    return expr.otherwise(pl.lit(OVER_BAND))


def band_labels() -> list[str]:
    return [label for label, _ in UTILIZATION_BANDS] + [OVER_BAND, ZERO_LIMIT, NO_LIMIT]


def utilization_distribution(customers: pl.DataFrame) -> pl.DataFrame:
    """band, customers, exposure, credit_limit: how many customers use how much of their
    limit, every band listed (zeros included), from the lowest use to the highest."""
    labels = band_labels()
    counted = (
        customers.with_columns(band=utilization_band())
        .group_by("band")
        .agg(
            pl.len().cast(pl.Int64).alias("customers"),
            pl.col("exposure").sum(),
            pl.col("credit_limit").sum(),
        )
    )
    frame = pl.DataFrame({"band": labels}).join(counted, on="band", how="left")
    return frame.with_columns(pl.col("customers").fill_null(0))


def over_limit(customers: pl.DataFrame) -> pl.DataFrame:
    """Customers above their limit, most over first."""
    return customers.filter(pl.col("over_limit")).sort(
        ["over_limit_amount", "customer_id"], descending=[True, False]
    )


def credit_holds(customers: pl.DataFrame) -> pl.DataFrame:
    """Customers whose credit hold is recommended, largest exposure first."""
    return customers.filter(pl.col("credit_hold")).sort(
        ["exposure", "customer_id"], descending=[True, False]
    )


def least_headroom(customers: pl.DataFrame) -> pl.DataFrame:
    """Customers with a credit limit, the least headroom (most over) first."""
    return customers.filter(pl.col("credit_limit").is_not_null()).sort(
        ["headroom", "customer_id"], nulls_last=True
    )


def exception_summary(exceptions: pl.DataFrame) -> pl.DataFrame:
    """category, count, amount (Σ |amount|, blank where no exception has an amount), every
    category in the order reports list them (as `reportgen reconcile` prints its summary)."""
    counted = exceptions.group_by("category").agg(
        pl.len().cast(pl.Int64).alias("count"),
        pl.when(pl.col("amount").is_not_null().any()).then(pl.col("amount").abs().sum()),
    )
    frame = pl.DataFrame({"category": list(CATEGORIES)}).join(counted, on="category", how="left")
    return frame.with_columns(pl.col("count").fill_null(0))


def search_customers(attributes: pl.DataFrame, text: str) -> pl.DataFrame:
    """Customers whose id or name contains `text` (letters in any case; Chinese as written),
    taken literally, never as a pattern."""
    needle = text.strip().lower()
    if not needle:
        return attributes
    found = pl.col("customer_id").str.to_lowercase().str.contains(needle, literal=True) | pl.col(
        "name"
    ).fill_null("").str.to_lowercase().str.contains(needle, literal=True)
    return attributes.filter(found)


# --- collections and ratings (issue 7) ------------------------------------------------------


def worklist_actions(
    table: pl.DataFrame,
    *,
    rungs: Sequence[str] = (),
    statuses: Sequence[str] = (),
    owners: Sequence[str] = (),
    min_amount: Decimal | None = None,
    min_days: int | None = None,
) -> pl.DataFrame:
    """The worklist rows (`collections.worklist_table`, exact decimals) on any of these rungs,
    with any of these statuses and action owners (empty: all), owing at least `min_amount`
    overdue on the rung and at least `min_days` overdue; the worklist's order is kept."""
    keep = pl.lit(True)
    if rungs:
        keep &= pl.col("rung").is_in(list(rungs))
    if statuses:
        keep &= pl.col("status").is_in(list(statuses))
    if owners:
        keep &= pl.col("owner").is_in(list(owners))
    if min_amount is not None:
        keep &= pl.col("amount") >= min_amount
    if min_days is not None:
        keep &= pl.col("max_days_overdue") >= min_days
    return table.filter(keep)


def grade_counts(history: pl.DataFrame, grades: Sequence[str]) -> pl.DataFrame:
    """grade, customers (rated this period), previous (with that grade the period before),
    change: how the portfolio moved between grades; every grade listed, in order."""
    now = history.group_by("grade").agg(customers=pl.len().cast(pl.Int64))
    before = (
        history.drop_nulls("previous_grade")
        .group_by("previous_grade")
        .agg(previous=pl.len().cast(pl.Int64))
        .rename({"previous_grade": "grade"})
    )
    return (
        pl.DataFrame({"grade": list(grades)})
        .join(now, on="grade", how="left")
        .join(before, on="grade", how="left")
        .with_columns(pl.col("customers", "previous").fill_null(0))
        .with_columns(change=pl.col("customers") - pl.col("previous"))
    )


def worklist_totals(table: pl.DataFrame) -> dict[str, object]:
    """actions, late (past their deadline), amount (overdue on the rungs) and
    amount_requested (with interest and fees) of worklist rows."""
    return {
        "actions": table.height,
        "late": table.filter(pl.col("status") == "late").height,
        "amount": table["amount"].sum() if table.height else Decimal(0),
        "amount_requested": table["amount_requested"].sum() if table.height else Decimal(0),
    }


def rating_moves(history: pl.DataFrame) -> dict[str, int]:
    """How many ratings went down, up, stayed the same or are new against the period before."""
    counted = dict(history.group_by("change").len().iter_rows())
    return {change: int(counted.get(change, 0)) for change in ("down", "up", "same", "new")}


def rating_changes(
    history: pl.DataFrame, *, changes: Sequence[str] = (), grades: Sequence[str] = ()
) -> pl.DataFrame:
    """The ratings whose change against the period before (up, down, same, new) is one of
    `changes` and whose grade one of `grades` (empty: all), in the order rated."""
    keep = pl.lit(True)
    if changes:
        keep &= pl.col("change").is_in(list(changes))
    if grades:
        keep &= pl.col("grade").is_in(list(grades))
    return history.filter(keep)
