"""Promises to pay and instalment plans at D (issue 7, SPEC §8): kept or broken, kept rates per
customer and owner, plan adherence, and what has been broken twice in a row.

Whether a promise is kept is decided once, by `metrics.promises` (the same reading the
`promise_kept_rate` KPI counts): the customer's payments from the promise's date to its
promised date add up to the promised amount, several partial payments together included. A
promise whose date has come (promised date on or before D) without that is broken; one whose
date is still ahead is open, unless it is already kept.

A plan is an invoice paid in instalments (`payment_schedule`). An instalment is kept when it
was settled by its due date (plus the policy's grace days), late when settled after, missed
when still open after it; late and missed instalments both break the plan.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from reportgen.ledger import FIFO_ORDER, allocate, fifo_allocated
from reportgen.load import Dataset
from reportgen.metrics import promises
from reportgen.policy import Policy
from reportgen.settlement import POOL_ORDER

REFERENCE_ORDER = ["date", "rank", "doc_id"]  # documents on one invoice (SPEC §8)


def _owners(ds: Dataset) -> pl.LazyFrame:
    names = ds.tables["customers"].columns if ds.has("customers") else []
    owner = pl.col("owner") if "owner" in names else pl.lit(None, pl.String)
    return ds.table("customers").select("customer_id", owner=owner.fill_null("unassigned"))


def _trailing(flag: str) -> pl.Expr:
    """How many of the last rows in a row have `flag` set (the rows being in order)."""
    return pl.col(flag).reverse().cast(pl.Int64).cum_prod().sum()


def promise_outcomes(ds: Dataset, *, as_of: date, policy: Policy) -> pl.LazyFrame:
    """Every promise made by D: customer_id, owner, activity_id, invoice_id, date,
    promised_date, promised, paid, status (kept, broken, open), `broken_in_a_row` (the
    customer's promises broken one after another up to this one) and `escalate` (that
    streak has reached the policy's limit)."""
    made = promises(ds, as_of=as_of).join(_owners(ds), on="customer_id", how="left")
    status = (
        pl.when(pl.col("kept"))
        .then(pl.lit("kept"))
        .when(pl.col("promised_date") <= as_of)
        .then(pl.lit("broken"))
        .otherwise(pl.lit("open"))
    )
    order = ["promised_date", "date", "activity_id"]
    broken = pl.col("status") == "broken"
    # a kept promise ends a streak; an open one neither ends nor extends it
    streak_id = (
        (pl.col("status") == "kept").cast(pl.Int64).cum_sum().over("customer_id", order_by=order)
    )
    return (
        made.with_columns(status=status, owner=pl.col("owner").fill_null("unassigned"))
        .with_columns(__streak=streak_id)
        .with_columns(
            broken_in_a_row=pl.when(broken)
            .then(broken.cast(pl.Int64).cum_sum().over(["customer_id", "__streak"], order_by=order))
            .otherwise(0)
        )
        .with_columns(escalate=pl.col("broken_in_a_row") >= policy.escalate_after_broken)
        .drop("__streak", "kept")
        .sort("customer_id", *order, nulls_last=True)
    )


def kept_rates(
    outcomes: pl.LazyFrame,
    *,
    by: str = "customer_id",
    first_day: date | None = None,
    last_day: date | None = None,
) -> pl.LazyFrame:
    """Promises due (promised date in the window; kept or broken) and kept, and the kept
    rate in %, per `by` (customer_id or owner), with the run of broken promises the latest
    one stands at (`broken_in_a_row`, for customers). Over a period's days this is the
    `promise_kept_rate` KPI of that period (blank when no promise fell due)."""
    due = outcomes.filter(pl.col("status") != "open")
    streak = (
        [pl.col("broken_in_a_row").sort_by("promised_date", "date").last()]
        if by == "customer_id"
        else []
    )
    if first_day is not None:
        due = due.filter(pl.col("promised_date") >= first_day)
    if last_day is not None:
        due = due.filter(pl.col("promised_date") <= last_day)
    return (
        due.group_by(by)
        .agg(
            pl.len().cast(pl.Int64).alias("promises_due"),
            (pl.col("status") == "kept").sum().cast(pl.Int64).alias("promises_kept"),
            (pl.col("status") == "broken").sum().cast(pl.Int64).alias("promises_broken"),
            *streak,
        )
        .with_columns(
            kept_rate=(pl.col("promises_kept") / pl.col("promises_due") * 100).round(1),
        )
        .sort(by)
    )


# --- instalment plans -------------------------------------------------------------------


def instalment_settled_dates(ds: Dataset, *, as_of: date) -> pl.LazyFrame:
    """One row per instalment existing on D: invoice_id, customer_id, instalment, due_date,
    amount, open_amount and settled_date (blank while open).

    The instalment grain of `settlement.settled_dates`: references consume an invoice's
    instalments in due-date order, the pool the customer's in FIFO order, so an instalment is
    settled by the reference whose running total reaches what the references paid of it and
    the earlier ones, and by the pool document whose running total reaches what the pool
    paid of the customer's instalments up to it."""
    stages = allocate(ds, as_of=as_of)
    instalments = fifo_allocated(stages.instalments, stages.pool).lazy()
    by_reference = (
        stages.referenced.filter((pl.col("applied") > 0) & pl.col("invoice_id").is_not_null())
        .select(
            "invoice_id",
            by_reference="date",
            __reached=pl.col("applied").cum_sum().over("invoice_id", order_by=REFERENCE_ORDER),
        )
        .sort("__reached")
    )
    by_pool = (
        stages.pool.filter(pl.col("left") > 0)
        .select(
            by_pool="date",
            __customer=pl.col("customer_id").to_physical(),
            __reached=pl.col("left").cum_sum().over("customer_id", order_by=POOL_ORDER),
        )
        .sort("__reached")
    )
    referenced = pl.col("amount") - pl.col("remaining")
    ordered = instalments.with_columns(
        __customer=pl.col("customer_id").to_physical(),
        __ref_need=referenced.cum_sum().over("invoice_id", order_by=["due_date", "instalment"]),
        __pool_need=pl.col("allocated").cum_sum().over("customer_id", order_by=FIFO_ORDER),
        open_amount=pl.col("remaining") - pl.col("allocated"),
    )
    with_ref = (
        ordered.filter(referenced > 0)
        .sort("__ref_need")
        .join_asof(
            by_reference,
            left_on="__ref_need",
            right_on="__reached",
            by="invoice_id",
            strategy="forward",
            check_sortedness=False,
        )
        .select("invoice_id", "instalment", "by_reference")
    )
    with_pool = (
        ordered.filter(pl.col("allocated") > 0)
        .sort("__pool_need")
        .join_asof(
            by_pool,
            left_on="__pool_need",
            right_on="__reached",
            by="__customer",
            strategy="forward",
            check_sortedness=False,
        )
        .select("invoice_id", "instalment", "by_pool")
    )
    keys = ["invoice_id", "instalment"]
    return (
        ordered.join(with_ref, on=keys, how="left")
        .join(with_pool, on=keys, how="left")
        .select(
            "invoice_id",
            "customer_id",
            "instalment",
            "invoice_date",
            "due_date",
            "amount",
            "open_amount",
            # never before the invoice: an advance settles an instalment on its issue
            settled_date=pl.when(pl.col("open_amount") == 0).then(
                pl.max_horizontal("by_reference", "by_pool", "invoice_date")
            ),
        )
    )


def plan_instalments(ds: Dataset, *, as_of: date, policy: Policy) -> pl.LazyFrame:
    """The instalments of every plan (an invoice with two or more in payment_schedule) on
    D, with status (kept, late, missed, not_due), `broken_in_a_row` and `escalate`."""
    plans = (
        ds.table("payment_schedule")
        .group_by("invoice_id")
        .agg(instalments=pl.len())
        .filter(pl.col("instalments") > 1)
        .select("invoice_id")
    )
    grace = pl.duration(days=policy.plan_grace_days)
    cutoff = pl.col("due_date") + grace
    status = (
        pl.when(pl.col("settled_date").is_not_null() & (pl.col("settled_date") <= cutoff))
        .then(pl.lit("kept"))
        .when(pl.col("settled_date").is_not_null())
        .then(pl.lit("late"))
        .when(cutoff < as_of)
        .then(pl.lit("missed"))
        .otherwise(pl.lit("not_due"))
    )
    order = ["due_date", "instalment"]
    broken = pl.col("status").is_in(["late", "missed"])
    streak = (
        (pl.col("status") == "kept").cast(pl.Int64).cum_sum().over("invoice_id", order_by=order)
    )
    return (
        instalment_settled_dates(ds, as_of=as_of)
        .join(plans, on="invoice_id", how="semi")
        .join(_owners(ds), on="customer_id", how="left")
        .with_columns(status=status, owner=pl.col("owner").fill_null("unassigned"))
        .with_columns(__streak=streak)
        .with_columns(
            broken_in_a_row=pl.when(broken)
            .then(broken.cast(pl.Int64).cum_sum().over(["invoice_id", "__streak"], order_by=order))
            .otherwise(0)
        )
        .with_columns(escalate=pl.col("broken_in_a_row") >= policy.escalate_after_broken)
        .drop("__streak")
        .sort("customer_id", "invoice_id", *order)
    )


def plan_adherence(instalments: pl.LazyFrame, *, policy: Policy) -> pl.LazyFrame:
    """Per plan: instalments due by D, kept on time, late, missed, adherence (kept / due,
    in %), open amount, the current run of broken instalments, and `escalate`."""
    due = pl.col("status") != "not_due"
    return (
        instalments.group_by("invoice_id")
        .agg(
            pl.col("customer_id", "owner").first(),
            instalments=pl.len().cast(pl.Int64),
            instalments_due=due.sum().cast(pl.Int64),
            kept=(pl.col("status") == "kept").sum().cast(pl.Int64),
            late=(pl.col("status") == "late").sum().cast(pl.Int64),
            missed=(pl.col("status") == "missed").sum().cast(pl.Int64),
            open_amount=pl.col("open_amount").sum(),
            # the run of broken instalments the plan stands at: the latest due ones
            broken_in_a_row=pl.col("broken_in_a_row")
            .filter(due)
            .sort_by(pl.col("due_date").filter(due))
            .last()
            .fill_null(0),
        )
        .with_columns(
            adherence=pl.when(pl.col("instalments_due") > 0).then(
                (pl.col("kept") / pl.col("instalments_due") * 100).round(1)
            ),
            # a plan paid off needs no escalation, however it was paid
            escalate=(pl.col("broken_in_a_row") >= policy.escalate_after_broken)
            & (pl.col("open_amount") > 0),
        )
        .sort("customer_id", "invoice_id")
    )
