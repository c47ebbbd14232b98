"""Credit ratings A–E per customer and period from a transparent scorecard, and early
warnings (issue 7).

Each factor is a plain figure at the period's end (or over the period); it scores 0 to 100
points linearly up to the value the policy calls full (`rating.full_at`); the score is the
weighted mean of the points (`rating.weights`), and the grade the first whose upper bound
(`rating.grades`) the score stays below. The methodology page prints the same weights.

* days_late — amount-weighted days late (settled − due) of the customer's invoices settled
  in the period, the `wadl` KPI per customer; early payment scores 0, no settlement 0.
* days_late_trend — days late minus the period before's (blank unless both exist).
* utilization — exposure / credit limit; a customer over a zero limit scores full points.
* max_days_overdue — the oldest item still owed at the end.
* broken_promises, disputes — how many within `lookback_months` before the end.
* exposure_share — the customer's exposure / the portfolio's positive exposure.

Warnings compare a period with the one before: a downgrade, utilization up by at least
`warnings.utilization_jump`, the first item over `warnings.overdue_days` days, and days late
rising `warnings.slowing_periods` periods in a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from reportgen import money
from reportgen.aging import aging_summary
from reportgen.credit import customer_exposure
from reportgen.ledger import open_items, rates_on
from reportgen.load import Dataset
from reportgen.periods import ONE_DAY, Period, month_end
from reportgen.policy import FACTORS, GRADES, Policy
from reportgen.promises import promise_outcomes
from reportgen.reasons import months_before
from reportgen.settlement import settled_dates

WARNINGS = ("downgrade", "utilization_jump", "first_over_days", "slowing")
_DATED = (("invoices", "invoice_date"), ("payments", "payment_date"), ("credit_notes", "date"))


def earlier_periods(first: Period, count: int) -> list[Period]:
    """The `count` periods of the same length just before `first`, oldest first: calendar
    months, quarters or years when `first` is one, else runs of the same number of days."""
    out: list[Period] = []
    current = first
    whole_months = current.first_day.day == 1 and current.end == month_end(
        current.end.year, current.end.month
    )
    months = (current.end.year - current.first_day.year) * 12 + (
        current.end.month - current.first_day.month + 1
    )
    for _ in range(count):
        end = current.start
        if whole_months:
            year, month = divmod(end.year * 12 + end.month - 1 - months + 1, 12)
            first_day = date(year, month + 1, 1)
        else:
            first_day = end - (current.end - current.first_day)
        label = _label(first_day, end, months if whole_months else None)
        current = Period(first_day - ONE_DAY, end, label)
        out.append(current)
    return out[::-1]


def _label(first_day: date, end: date, months: int | None) -> str:
    if months == 1:
        return f"{end.year}-{end.month:02d}"
    if months == 3 and first_day.month % 3 == 1:
        return f"{end.year}-Q{(end.month + 2) // 3}"
    if months == 12 and first_day.month == 1:
        return str(end.year)
    return f"{first_day}..{end}"


# --- factors ---------------------------------------------------------------------------


def _days_late(ds: Dataset, periods: Sequence[Period]) -> pl.DataFrame:
    """period, customer_id, days_late: the wadl of each customer's invoices settled in the
    period, from one allocation (an invoice has one settled date, as in the KPIs)."""
    latest = [ds.tables[t][c].max() for t, c in _DATED if ds.has(t)]
    as_of = max([max(p.end for p in periods), *[d for d in latest if d is not None]])
    invoices = ds.table("invoices").select("invoice_id", "amount", "currency")
    settled = (
        settled_dates(ds, as_of=as_of)
        .filter(pl.col("settled_date").is_not_null())
        .join(invoices, on="invoice_id")
        .with_columns(late=(pl.col("settled_date") - pl.col("due_date")).dt.total_days())
        .collect()
    )
    frames = []
    for p in periods:
        frames.append(
            settled.lazy()
            .filter((pl.col("settled_date") > p.start) & (pl.col("settled_date") <= p.end))
            .join(rates_on(ds, p.end), on="currency", how="left")
            .with_columns(base=money.convert("amount", "rate").cast(pl.Float64))
            .group_by("customer_id")
            .agg(days_late=((pl.col("base") * pl.col("late")).sum() / pl.col("base").sum()))
            .with_columns(period=pl.lit(p.label), days_late=pl.col("days_late").round(1))
        )
    return pl.concat(pl.collect_all(frames))


def _counted(frame: pl.LazyFrame, column: str, end: date, lookback: int) -> pl.LazyFrame:
    since = months_before(end, lookback)
    return frame.filter((pl.col(column) > since) & (pl.col(column) <= end))


def _at_end(ds: Dataset, p: Period, policy: Policy, exposures: pl.DataFrame | None) -> pl.DataFrame:
    """Per customer at the period's end: utilization, max days overdue, exposure share,
    broken promises and disputes within the lookback."""
    kept = exposures.filter(pl.col("date") == p.end) if exposures is not None else None
    if kept is not None and kept.height:  # every customer has a row at each date held
        exposure = kept.lazy()
    else:
        summary = aging_summary(open_items(ds, as_of=p.end), as_of=p.end)
        exposure = customer_exposure(summary, ds, hold_after_days=policy.hold_after_days)
    lookback = policy.rating.lookback_months
    broken = (
        _counted(promise_outcomes(ds, as_of=p.end, policy=policy), "promised_date", p.end, lookback)
        .filter(pl.col("status") == "broken")
        .group_by("customer_id")
        .agg(broken_promises=pl.len().cast(pl.Int64))
    )
    disputes = (
        _counted(ds.table("activities"), "date", p.end, lookback)
        .filter(pl.col("type") == "dispute")
        .group_by("customer_id")
        .agg(disputes=pl.len().cast(pl.Int64))
        if ds.has("activities")
        else broken.select("customer_id", disputes=pl.lit(0, pl.Int64)).head(0)
    )
    positive = pl.col("exposure").clip(lower_bound=0)
    return (
        exposure.join(broken, on="customer_id", how="left")
        .join(disputes, on="customer_id", how="left")
        .select(
            "customer_id",
            "name",
            "exposure",
            "credit_limit",
            "utilization",
            "over_limit",
            "max_days_overdue",
            broken_promises=pl.col("broken_promises").fill_null(0),
            disputes=pl.col("disputes").fill_null(0),
            exposure_share=pl.when(positive.sum() > 0).then((positive / positive.sum()).round(4)),
            period=pl.lit(p.label),
        )
        .collect()
    )


def _points(value: pl.Expr, full_at: float) -> pl.Expr:
    return (100 * (value.cast(pl.Float64) / full_at).clip(0, 1)).fill_null(0).round(1)


def scorecard(factors: pl.LazyFrame, policy: Policy) -> pl.LazyFrame:
    """Points per factor (`<factor>_points`), the weighted `score` (0–100) and the `grade`."""
    full = dict(policy.rating.full_at)
    weights = dict(policy.rating.weights)
    # over a zero limit (or any limit) with exposure: utilization scores full points
    utilization = (
        pl.when(pl.col("over_limit") & pl.col("utilization").is_null())
        .then(pl.lit(full["utilization"]))
        .otherwise(pl.col("utilization"))
    )
    values = {f: pl.col(f) for f in FACTORS} | {"utilization": utilization}
    points = [_points(values[f], full[f]).alias(f"{f}_points") for f in FACTORS]
    total = sum(weights.values())
    score = sum(pl.col(f"{f}_points") * weights[f] for f in FACTORS) / total
    grade = pl.lit(GRADES[-1])
    for g, bound in reversed(policy.rating.grades):
        grade = pl.when(pl.col("score") < bound).then(pl.lit(g)).otherwise(grade)
    return factors.with_columns(points).with_columns(score=score.round(1)).with_columns(grade=grade)


def rating_history(
    ds: Dataset,
    periods: Sequence[Period],
    *,
    policy: Policy,
    exposures: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every customer rated at the end of each period (and of the one before the first, to
    compare with): the factors, their points, score, grade, previous grade, `change`
    (up, down, same, new) and the early `warnings` (a list).

    `exposures` may hold `credit.customer_exposure` of every customer already computed at
    some of these dates (with a `date` column: `metrics.CustomerFacts.snapshots`); the
    other dates are allocated here. The factors read from it do not depend on the hold rule."""
    periods = sorted(periods, key=lambda p: p.end)
    before = earlier_periods(periods[0], max(1, policy.slowing_periods))
    every = [*before, *periods]
    late = _days_late(ds, every)
    ends = pl.concat([_at_end(ds, p, policy, exposures) for p in [before[-1], *periods]])
    order = pl.DataFrame({"period": [p.label for p in every], "__order": range(len(every))})
    late = late.join(order, on="period").sort("customer_id", "__order")
    # a customer's days late period by period, blank where nothing was settled
    grid = (
        order.join(ends.select("customer_id").unique(), how="cross")
        .join(late.drop("__order"), on=["period", "customer_id"], how="left")
        .sort("customer_id", "__order")
    )
    rises = [
        (pl.col("days_late").shift(k) > pl.col("days_late").shift(k + 1)).over(
            "customer_id", order_by="__order"
        )
        for k in range(policy.slowing_periods)
    ]
    grid = grid.with_columns(
        days_late_trend=(pl.col("days_late") - pl.col("days_late").shift(1))
        .over("customer_id", order_by="__order")
        .round(1),
        slowing=pl.all_horizontal(rises).fill_null(False),
    )
    rated = (
        scorecard(
            ends.lazy().join(grid.lazy(), on=["period", "customer_id"], how="left"),
            policy,
        )
        .sort("customer_id", "__order")
        .with_columns(
            previous_grade=pl.col("grade").shift(1).over("customer_id", order_by="__order"),
            previous_utilization=pl.col("utilization")
            .shift(1)
            .over("customer_id", order_by="__order"),
            previous_max_days=pl.col("max_days_overdue")
            .shift(1)
            .over("customer_id", order_by="__order"),
        )
        .collect()
    )
    rank = {g: i for i, g in enumerate(GRADES)}
    now = pl.col("grade").replace_strict(rank, return_dtype=pl.Int8)
    was = pl.col("previous_grade").replace_strict(rank, return_dtype=pl.Int8, default=None)
    over = policy.warning_overdue_days
    flags = {
        "downgrade": (now > was).fill_null(False),
        "utilization_jump": (
            (pl.col("utilization") - pl.col("previous_utilization")) >= policy.utilization_jump
        ).fill_null(False),
        "first_over_days": (pl.col("max_days_overdue") > over).fill_null(False)
        & (pl.col("previous_max_days").fill_null(0) <= over),
        "slowing": pl.col("slowing"),
    }
    wanted = {p.label for p in periods}
    return (
        rated.with_columns(
            change=pl.when(was.is_null())
            .then(pl.lit("new"))
            .when(now > was)
            .then(pl.lit("down"))
            .when(now < was)
            .then(pl.lit("up"))
            .otherwise(pl.lit("same")),
            warnings=pl.concat_list(
                [pl.when(flag).then(pl.lit(name)).otherwise(None) for name, flag in flags.items()]
            ).list.drop_nulls(),
        )
        .filter(pl.col("period").is_in(wanted))
        .sort("__order", "customer_id")
        .select(RATING_COLUMNS)
    )


RATING_COLUMNS = [
    "period",
    "customer_id",
    "name",
    "grade",
    "previous_grade",
    "change",
    "score",
    "warnings",
    *FACTORS,
    *[f"{f}_points" for f in FACTORS],
    "exposure",
    "credit_limit",
    "over_limit",
]


def early_warnings(history: pl.DataFrame) -> pl.DataFrame:
    """One row per warning: period, customer_id, name, warning, grade, previous_grade."""
    return (
        history.select("period", "customer_id", "name", "grade", "previous_grade", "warnings")
        .explode("warnings")
        .drop_nulls("warnings")
        .rename({"warnings": "warning"})
        .select("period", "customer_id", "name", "warning", "grade", "previous_grade")
    )


def latest_grades(history: pl.DataFrame) -> pl.LazyFrame:
    """customer_id, grade of the last period rated: for the worklist's priority."""
    last = history["period"][-1]
    return history.filter(pl.col("period") == last).select("customer_id", "grade").lazy()
