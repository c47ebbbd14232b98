"""One customer's collection history at D, newest first (issue 7): what was done and said
(the activities: calls, letters, promises, disputes and the reasons given), the dunning rungs
its open items stand on, and the changes of its credit rating.

Nothing here is decided anew: a promise is kept or broken as `promises.promise_outcomes`
reads it, a rung is the worklist's (`collections.worklist`), a grade change the
scorecard's (`ratings.rating_history`). Money stays in Int64 minor units.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from reportgen.load import Dataset
from reportgen.periods import Period
from reportgen.policy import Policy
from reportgen.promises import promise_outcomes
from reportgen.scope import restrict

TIMELINE_COLUMNS = [
    "date",
    "event",  # activity | dunning | rating
    "type",  # the activity's type, the rung's key, or the rating's change (up, down)
    "invoice_id",
    "amount",
    "promised_date",
    "deadline",
    "reason",
    "status",
    "note",
]
_SCHEMA = {
    "date": pl.Date,
    "event": pl.String,
    "type": pl.String,
    "invoice_id": pl.String,
    "amount": pl.Int64,
    "promised_date": pl.Date,
    "deadline": pl.Date,
    "reason": pl.String,
    "status": pl.String,
    "note": pl.String,
}
# on one day: the rating (at the period's end) above the dunning step above the activities
_EVENT_RANK = {"rating": 0, "dunning": 1, "activity": 2}


def _activities(ds: Dataset, customer_id: str, as_of: date, policy: Policy) -> pl.DataFrame:
    """The customer's activities by D; a promise's status is the core's reading of it (kept,
    broken, open), any other activity keeps the outcome recorded with it."""
    if not ds.has("activities"):
        return pl.DataFrame(schema=_SCHEMA | {"__row": pl.Int64})
    mine = restrict(ds, [customer_id])
    table = mine.tables["activities"]
    optional = ("activity_id", "invoice_id", "amount", "promised_date", "reason", "outcome", "note")
    absent = [
        pl.lit(None, _SCHEMA.get(c, pl.String)).alias(c) for c in optional if c not in table.columns
    ]
    table = table.with_columns(absent).with_row_index("__order")
    outcomes = (
        promise_outcomes(mine, as_of=as_of, policy=policy)
        .select("activity_id", "status")
        .filter(pl.col("activity_id").is_not_null())
        .unique("activity_id")
        .collect()
    )
    return (
        table.filter(pl.col("date") <= as_of)
        .join(outcomes, on="activity_id", how="left")
        .select(
            "date",
            event=pl.lit("activity"),
            type=pl.col("type").cast(pl.String),
            invoice_id=pl.col("invoice_id").cast(pl.String),
            amount=pl.col("amount").cast(pl.Int64),
            promised_date="promised_date",
            deadline=pl.lit(None, pl.Date),
            reason=pl.col("reason").cast(pl.String),
            status=pl.coalesce(pl.col("status"), pl.col("outcome").cast(pl.String)),
            note=pl.col("note").cast(pl.String),
            __row=pl.col("__order").cast(pl.Int64),
        )
    )


def _dunning(worklist: pl.DataFrame, customer_id: str) -> pl.DataFrame:
    """One row per rung the customer's items stand on at D, dated the day they reached it."""
    rows = worklist.filter(pl.col("customer_id").cast(pl.String) == customer_id)
    return rows.select(
        date="level_since",
        event=pl.lit("dunning"),
        type=pl.col("rung").cast(pl.String),
        invoice_id="invoices",
        amount=pl.col("amount").cast(pl.Int64),
        promised_date=pl.lit(None, pl.Date),
        deadline="deadline",
        reason=pl.lit(None, pl.String),
        status="status",
        note=pl.lit(None, pl.String),
        __row=pl.lit(0, pl.Int64),
    )


def _rating_changes(
    history: pl.DataFrame, customer_id: str, periods: Sequence[Period]
) -> pl.DataFrame:
    """A grade that went up or down, dated at the end of the period it was rated for."""
    ends = pl.DataFrame(
        {"period": [p.label for p in periods], "date": [p.end for p in periods]},
        schema={"period": pl.String, "date": pl.Date},
    )
    rows = history.filter(
        (pl.col("customer_id").cast(pl.String) == customer_id)
        & pl.col("change").is_in(["up", "down"])
    ).join(ends, on="period")
    return rows.select(
        "date",
        event=pl.lit("rating"),
        type="change",
        invoice_id=pl.lit(None, pl.String),
        amount=pl.lit(None, pl.Int64),
        promised_date=pl.lit(None, pl.Date),
        deadline=pl.lit(None, pl.Date),
        reason=pl.lit(None, pl.String),
        status="grade",
        note=pl.format("{} → {} ({})", "previous_grade", "grade", "period"),
        __row=pl.lit(0, pl.Int64),
    )


def customer_timeline(
    ds: Dataset,
    customer_id: str,
    *,
    as_of: date,
    policy: Policy,
    worklist: pl.DataFrame | None = None,
    ratings: pl.DataFrame | None = None,
    periods: Sequence[Period] = (),
) -> pl.DataFrame:
    """The customer's events by D, newest first (`TIMELINE_COLUMNS`).

    * `activity`: every activity recorded by D; `status` is kept, broken or open for a
      promise (`promises.promise_outcomes`), else the outcome recorded (sent, reached, …).
    * `dunning`: with `worklist` (the `collections.worklist` frame at D), one row per rung
      reached, on the day it was reached, with the action's deadline and status.
    * `rating`: with `ratings` (a `ratings.rating_history` frame) and the `periods` it rated,
      every up- or downgrade at the period's end; `status` is the new grade.
    """
    parts = [_activities(ds, customer_id, as_of, policy)]
    if worklist is not None:
        parts.append(_dunning(worklist, customer_id))
    if ratings is not None:
        parts.append(_rating_changes(ratings, customer_id, [p for p in periods if p.end <= as_of]))
    frame = pl.concat([p.select(*TIMELINE_COLUMNS, "__row") for p in parts], how="vertical")
    rank = pl.col("event").replace_strict(_EVENT_RANK, return_dtype=pl.Int8)
    # newest first; on one day the later-recorded activity first, as a diary reads backwards
    return (
        frame.with_columns(__rank=rank)
        .sort(["date", "__rank", "__row"], descending=[True, False, True])
        .select(TIMELINE_COLUMNS)
    )
