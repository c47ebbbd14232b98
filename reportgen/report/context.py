"""Page contexts: plain records for the templates, built from `SiteData` without Jinja.

Values stay raw (exact decimals for money, floats for days and percents, dates), so tests can
compare them with the core, and templates only format and lay them out. Words come from
`Lang`; text from the data (names, notes, documents) is passed on as it is and escaped by the
renderer, never here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from reportgen import metrics
from reportgen.aging import DEFAULT_BOUNDS, bucket_labels
from reportgen.metrics import COUNTBACK_MONTHS, METRICS
from reportgen.periods import Period
from reportgen.report import charts
from reportgen.report.charts import BUCKET_COLOURS, Series
from reportgen.report.data import (
    BUCKETS,
    KEY_ACCOUNTS_MAX,
    KEY_ACCOUNTS_TOP,
    OVER_90,
    OVERDUE_BUCKETS,
    TOP_OVERDUE,
    SiteData,
)
from reportgen.report.lang import WORDS, Lang

MAX_ROWS = 25  # rows of a long list on a review page; the rest is counted
MAX_OPEN_ITEMS = 50
MAX_ACTIVITIES = 8
# the KPIs of the portfolio headline, in the order a credit manager reads them
HEADLINE = ("ar_end", "dso", "bpdso", "add", "cei", "pct_over_90", "portfolio_utilization")
ROLLFORWARD_LINES = (
    "opening",
    "invoiced",
    "collected",
    "credited",
    "written_off",
    "refunds",
    "fx_revaluation",
    "difference",
    "closing",
)


# --- paths -------------------------------------------------------------------------------


def review_path(label: str) -> str:
    return f"reviews/{label}.md"


def customer_path(slug: str) -> str:
    return f"customers/{slug}.md"


# --- small helpers -----------------------------------------------------------------------


def _units(value: int | None, digits: int) -> Decimal | None:
    """Minor units -> an exact decimal of the base currency."""
    return None if value is None else Decimal(value).scaleb(-digits)


def _share(part: Decimal | int | None, whole: Decimal | int | None) -> float | None:
    """part / whole in %; blank when the whole is zero."""
    if part is None or not whole:
        return None
    return float(Decimal(part) / Decimal(whole) * 100)


def _difference(value: Any, other: Any) -> Any:
    if value is None or other is None:
        return None
    if isinstance(value, Decimal) or isinstance(other, Decimal):
        return Decimal(value) - Decimal(other)
    return round(float(value) - float(other), 4)


def _verdict(key: str, change: Any) -> str | None:
    """`better` or `worse` for a change of a KPI that has a good direction."""
    better = metrics.BY_KEY[key].better
    if change is None or better is None or change == 0:
        return None
    up = change > 0
    return "better" if up == (better == "higher") else "worse"


def _overdue_share(row: dict | None) -> float | None:
    """The part of AR past its due date, in %: 100 − the share not yet due."""
    if row is None or row.get("pct_current") is None:
        return None
    return round(100 - row["pct_current"], 2)


def _key_links(data: SiteData) -> dict[str, str]:
    return dict(zip(data.key_accounts["customer_id"], data.key_accounts["slug"], strict=True))


def _customer(row: dict, links: dict[str, str]) -> dict:
    """A customer as tables show it: id, name and, for a key account, its credit file."""
    slug = links.get(row["customer_id"])
    return {
        "id": row["customer_id"],
        "name": row.get("name") or row["customer_id"],
        "href": customer_path(slug) if slug else None,
    }


def _oldest_bucket(row: dict) -> str | None:
    """The oldest overdue bucket holding money, or blank when nothing is overdue."""
    for bucket in reversed(OVERDUE_BUCKETS):
        if row[bucket] and row[bucket] > 0:
            return bucket
    return None


def _overdue(row: dict) -> Decimal:
    return sum((row[b] for b in OVERDUE_BUCKETS), Decimal(0))


# --- home --------------------------------------------------------------------------------


def review_rows(data: SiteData) -> list[dict]:
    """One row per review, newest first: the figures of the 'every review' table."""
    rows = []
    for p in reversed(data.reviews):
        kpi = data.kpi_row(p.label)
        rows.append(
            {
                "label": p.label,
                "href": review_path(p.label),
                "end": p.end,
                "ar_end": kpi["ar_end"],
                "overdue_share": _overdue_share(kpi),
                "dso": kpi["dso"],
                "cei": kpi["cei"],
                "over_limit_customers": kpi["over_limit_customers"],
            }
        )
    return rows


def home_context(data: SiteData, lang: Lang) -> dict:
    """The portfolio across all reviews: the latest figures with their change since the
    review before, the trends, and links to every review."""
    latest = data.reviews[-1]
    now = data.kpi_row(latest.label)
    before = data.kpi_row(data.previous[latest.label])
    headline = []
    for key in HEADLINE:
        change = _difference(now[key], before[key]) if before else None
        headline.append(
            {
                "key": key,
                "label": lang.metric_label(key),
                "value": now[key],
                "change": change,
                "verdict": _verdict(key, change),
            }
        )
    overdue_change = _difference(_overdue_share(now), _overdue_share(before))
    x = [lang.short_period(p.label) for p in data.reviews]
    rows = [data.kpi_row(p.label) for p in data.reviews]
    ends = [data.snapshot_at(p.end) for p in data.reviews]
    unit = lang.money_unit()
    amount_axis = lang.t("axis_amount", unit=unit)
    overdue = [r["ar_end"] - r["ar_end_current"] for r in rows]
    chart_ar = charts.bar_chart(
        lang.t("chart_ar"),
        x,
        [
            Series(lang.t("not_due"), [r["ar_end_current"] for r in rows], "#2e7d32"),
            Series(lang.t("overdue"), overdue, "#e53935"),
        ],
        y_title=amount_axis,
        unit=unit,
        stacked=True,
    )
    chart_days = charts.line_chart(
        lang.t("chart_days"),
        x,
        [Series(lang.metric_label(k), [r[k] for r in rows]) for k in ("dso", "bpdso", "add")],
        y_title=lang.t("axis_days"),
        unit="天" if lang.zh else "days",
    )
    chart_cei = charts.line_chart(
        lang.t("chart_cei"),
        x,
        [Series(lang.metric_label("cei"), [r["cei"] for r in rows])],
        y_title=lang.t("axis_percent"),
        unit="%",
        percent=True,
    )
    chart_mix = charts.bar_chart(
        lang.t("chart_mix"),
        x,
        [
            Series(
                lang.bucket(b),
                [_units(s[b], data.ds.digits) for s in ends],
                BUCKET_COLOURS[b],
            )
            for b in BUCKETS
        ],
        y_title=amount_axis,
        unit=unit,
        stacked=True,
    )
    chart_util = charts.line_chart(
        lang.t("chart_util"),
        x,
        [
            Series(
                lang.metric_label("portfolio_utilization"),
                [
                    None if r["portfolio_utilization"] is None else r["portfolio_utilization"] * 100
                    for r in rows
                ],
            )
        ],
        y_title=lang.t("axis_percent"),
        unit="%",
        percent=True,
    )
    return {
        "latest": latest,
        "first": data.reviews[0],
        "count": len(data.reviews),
        "overdue_share": _overdue_share(now),
        "overdue_share_change": overdue_change,
        # less overdue is better, as for the share over 90 days
        "overdue_share_verdict": _verdict("pct_over_90", overdue_change),
        "headline": headline,
        "charts": [chart_ar, chart_mix, chart_days, chart_cei, chart_util],
        "reviews": review_rows(data),
    }


# --- one review --------------------------------------------------------------------------


def kpi_table(data: SiteData, period: Period) -> list[dict]:
    """Every KPI of the registry for the period, with its change against the previous
    period and against the same period a year before."""
    now = data.kpi_row(period.label)
    previous = data.kpi_row(data.previous[period.label])
    year_ago = data.kpi_row(data.year_ago[period.label])
    table = []
    for m in METRICS:
        change_previous = _difference(now[m.key], previous[m.key]) if previous else None
        change_year = _difference(now[m.key], year_ago[m.key]) if year_ago else None
        table.append(
            {
                "key": m.key,
                "value": now[m.key],
                "previous": previous[m.key] if previous else None,
                "change_previous": change_previous,
                "verdict_previous": _verdict(m.key, change_previous),
                "year_ago": year_ago[m.key] if year_ago else None,
                "change_year": change_year,
                "verdict_year": _verdict(m.key, change_year),
            }
        )
    return table


def aging_table(data: SiteData, period: Period) -> list[dict]:
    """The due-date buckets at the last review and now, amounts and shares of AR."""
    start, end = data.snapshot_at(period.start), data.snapshot_at(period.end)
    digits = data.ds.digits
    rows = []
    for bucket in (*BUCKETS, "ar"):
        then = _units(start[bucket], digits) if start else None
        now = _units(end[bucket], digits)
        rows.append(
            {
                "bucket": bucket,
                "start": then,
                "start_share": _share(then, _units(start["ar"], digits)) if start else None,
                "end": now,
                "end_share": _share(now, _units(end["ar"], digits)),
            }
        )
    return rows


def top_overdue(data: SiteData, day: date, *, limit: int = TOP_OVERDUE) -> list[dict]:
    """The customers with the most money past due at D."""
    links = _key_links(data)
    frame = data.customers_at(day)
    rows = [r for r in frame.iter_rows(named=True) if _overdue(r) > 0]
    total = sum((_overdue(r) for r in rows), Decimal(0))
    rows.sort(key=lambda r: (-_overdue(r), r["customer_id"]))
    return [
        {
            "customer": _customer(r, links),
            "overdue": _overdue(r),
            "over_90": sum((r[b] for b in OVER_90), Decimal(0)),
            "max_days_overdue": r["max_days_overdue"],
            "share": _share(_overdue(r), total),
        }
        for r in rows[:limit]
    ]


def credit_holds(data: SiteData, day: date) -> list[dict]:
    """Every customer for whom a credit hold is recommended at D (SPEC §4), the furthest
    over its limit first."""
    links = _key_links(data)
    frame = data.customers_at(day).filter(pl.col("credit_hold"))
    rows = sorted(
        frame.iter_rows(named=True),
        key=lambda r: (-r["over_limit_amount"], -r["exposure"], r["customer_id"]),
    )
    return [
        {
            "customer": _customer(r, links),
            "credit_limit": r["credit_limit"],
            "exposure": r["exposure"],
            "utilization": r["utilization"],
            "over_limit_amount": r["over_limit_amount"],
            "max_days_overdue": r["max_days_overdue"],
            "over_limit": r["over_limit"],
            "overdue_too_long": (r["max_days_overdue"] or 0) > data.hold_after_days,
        }
        for r in rows
    ]


def overdue_changes(data: SiteData, period: Period) -> list[dict]:
    """Accounts overdue now that were not at the last review (`new`), or that are more
    overdue or overdue longer than then (`worsened`); the most overdue first."""
    links = _key_links(data)
    then = {r["customer_id"]: r for r in data.customers_at(period.start).iter_rows(named=True)}
    order = {b: k for k, b in enumerate(OVERDUE_BUCKETS)}
    changes = []
    for now in data.customers_at(period.end).iter_rows(named=True):
        overdue_now = _overdue(now)
        if overdue_now <= 0:
            continue
        before = then.get(now["customer_id"])
        overdue_then = _overdue(before) if before else Decimal(0)
        oldest_now = _oldest_bucket(now)
        oldest_then = _oldest_bucket(before) if before else None
        if overdue_then <= 0:
            status = "new"
        elif overdue_now > overdue_then or order[oldest_now] > order.get(oldest_then, -1):
            status = "worsened"
        else:
            continue
        changes.append(
            {
                "customer": _customer(now, links),
                "status": status,
                "overdue_then": overdue_then,
                "overdue_now": overdue_now,
                "oldest_then": oldest_then,
                "oldest_now": oldest_now,
            }
        )
    changes.sort(key=lambda c: (-c["overdue_now"], c["customer"]["id"]))
    return changes


def reconciliation_context(data: SiteData, period: Period, lang: Lang) -> dict | None:
    """The exceptions found at the review's end, by category and the first of them, and the
    period's roll-forward; blank when reconciliation is not part of the build."""
    if data.reconciliation is None:
        return None
    from reportgen.reconcile import CATEGORIES, EXCEPTION_SCHEMA

    digits = data.ds.digits
    found = data.reconciliation.get(period.end)  # only the last review's, if so asked
    exceptions = found.exceptions if found else pl.DataFrame(schema=EXCEPTION_SCHEMA)
    names = dict(zip(data.customers["customer_id"], data.customers["name"], strict=True))
    links = _key_links(data)
    counts = (
        exceptions.group_by("category").agg(n=pl.len(), amount=pl.col("amount").sum()).to_dicts()
    )
    by_category = {c["category"]: c for c in counts}
    summary = [
        {
            "category": key,
            "label": labels[1] if lang.zh else labels[0],
            "count": by_category[key]["n"],
            "amount": _units(by_category[key]["amount"], digits),
        }
        for key, labels in CATEGORIES.items()
        if key in by_category
    ]
    rows = []
    for r in exceptions.head(MAX_ROWS).iter_rows(named=True):
        customer = None
        if r["customer_id"] is not None:
            customer = _customer(
                {"customer_id": r["customer_id"], "name": names.get(r["customer_id"])}, links
            )
        labels = CATEGORIES.get(r["category"], (r["category"], r["category"]))
        rows.append(
            {
                "category": labels[1] if lang.zh else labels[0],
                "customer": customer,
                "documents": r["documents"],
                "amount": _units(r["amount"], digits),
                "date": r["date"],
                "explanation": r["explanation_zh"] if lang.zh else r["explanation"],
            }
        )
    rolled = None
    if data.rollforward is not None:
        match = data.rollforward.filter(pl.col("closing_date") == period.end)
        if match.height:
            row = match.row(0, named=True)
            rolled = [{"line": k, "amount": _units(row[k], digits)} for k in ROLLFORWARD_LINES]
    return {
        "listed": found is not None,
        "summary": summary,
        "exceptions": rows,
        "more": max(0, exceptions.height - MAX_ROWS),
        "rollforward": rolled,
    }


def review_context(data: SiteData, period: Period, lang: Lang) -> dict:
    """Everything one periodic review shows."""
    k = data.reviews.index(period)
    before = data.reviews[k - 1] if k else None
    has_previous = data.has_data_on(period.start)
    aging = aging_table(data, period)
    unit = lang.money_unit()
    chart = charts.bar_chart(
        lang.t("chart_aging", date=lang.date(period.end)),
        [lang.bucket(b) for b in BUCKETS],
        [
            *(
                [Series(lang.t("at_start", date=lang.date(period.start)),
                        [r["start"] for r in aging[:-1]], "#90a4ae")]
                if has_previous
                else []
            ),
            Series(lang.t("at_end", date=lang.date(period.end)),
                   [r["end"] for r in aging[:-1]], "#1565c0"),
        ],
        y_title=lang.t("axis_amount", unit=unit),
        unit=unit,
    )  # fmt: skip
    holds = credit_holds(data, period.end)
    changes = overdue_changes(data, period) if has_previous else None
    return {
        "period": period,
        "previous_review": (
            {"label": before.label, "href": review_path(before.label)} if before else None
        ),
        "next_review": (
            {"label": data.reviews[k + 1].label, "href": review_path(data.reviews[k + 1].label)}
            if k + 1 < len(data.reviews)
            else None
        ),
        "has_previous": has_previous,
        "compared_previous": data.previous[period.label],
        "compared_year": data.year_ago[period.label],
        "kpis": kpi_table(data, period),
        "aging": aging,
        "aging_chart": chart,
        "top_overdue": top_overdue(data, period.end),
        "holds": holds[:MAX_ROWS],
        "holds_more": max(0, len(holds) - MAX_ROWS),
        "holds_total": len(holds),
        "changes": changes[:MAX_ROWS] if changes is not None else None,
        "changes_more": max(0, len(changes) - MAX_ROWS) if changes else 0,
        "new_count": sum(c["status"] == "new" for c in changes or []),
        "worsened_count": sum(c["status"] == "worsened" for c in changes or []),
        "reconciliation": reconciliation_context(data, period, lang),
        "hold_after_days": data.hold_after_days,
        "collections": collections_context(data, period, lang),
        "ratings": ratings_context(data, period, lang),
    }


# --- customers ---------------------------------------------------------------------------


def customers_index_context(data: SiteData) -> dict:
    """The key accounts at the last review, largest exposure first, with why each is one."""
    at_end = {r["customer_id"]: r for r in data.customers_at(data.as_of).iter_rows(named=True)}
    rows = []
    for k in data.key_accounts.iter_rows(named=True):
        now = at_end[k["customer_id"]]
        rows.append(
            {
                "customer": {"id": k["customer_id"], "name": k["name"] or k["customer_id"],
                             "href": customer_path(k["slug"])},
                "exposure": now["exposure"],
                "credit_limit": now["credit_limit"],
                "utilization": now["utilization"],
                "overdue": _overdue(now),
                "max_days_overdue": now["max_days_overdue"],
                "top": k["top"],
                "over_limit": k["over_limit"],
                "over_90": k["over_90"],
            }
        )  # fmt: skip
    return {
        "as_of": data.as_of,
        "top": KEY_ACCOUNTS_TOP,
        "rows": rows,
        "qualifying": data.key_accounts_qualifying,
    }


def customer_context(data: SiteData, customer_id: str, lang: Lang) -> dict:
    """One key account's credit file: who it is, its credit now, its aging at every review,
    how it pays, what it owes, and the latest notes on it."""
    key = data.key_accounts.filter(pl.col("customer_id") == customer_id).row(0, named=True)
    master = data.ds.tables["customers"].filter(
        pl.col("customer_id").cast(pl.String) == customer_id
    )
    profile = master.row(0, named=True) if master.height else {}
    history = {
        r["date"]: r
        for r in data.customers.filter(pl.col("customer_id") == customer_id).iter_rows(named=True)
    }
    now = history[data.as_of]
    # a customer not yet known at a review (no document, not in the customer list) owed nothing
    nothing = {**dict.fromkeys((*BUCKETS, "open_amount"), Decimal(0)), "utilization": None}
    aging = [
        {
            "label": p.label,
            "date": p.end,
            **{b: history.get(p.end, nothing)[b] for b in BUCKETS},
            "open_amount": history.get(p.end, nothing)["open_amount"],
            "utilization": history.get(p.end, nothing)["utilization"],
        }
        for p in data.reviews
    ]
    unit = lang.money_unit()
    x = [lang.short_period(p.label) for p in data.reviews]
    aging_chart = charts.bar_chart(
        lang.t("chart_customer_aging"),
        x,
        [Series(lang.bucket(b), [r[b] for r in aging], BUCKET_COLOURS[b]) for b in BUCKETS],
        y_title=lang.t("axis_amount", unit=unit),
        unit=unit,
        stacked=True,
    )
    paid = {
        r["period"]: r
        for r in data.behaviour.filter(pl.col("customer_id") == customer_id).iter_rows(named=True)
    }
    behaviour = [
        {
            "label": p.label,
            "settled_count": paid.get(p.label, {}).get("settled_count", 0),
            "settled_amount": paid.get(p.label, {}).get("settled_amount"),
            "wadp": paid.get(p.label, {}).get("wadp"),
            "wadl": paid.get(p.label, {}).get("wadl"),
        }
        for p in data.reviews
    ]
    behaviour_chart = charts.line_chart(
        lang.t("chart_behaviour"),
        x,
        [
            Series(lang.t("days_to_pay"), [r["wadp"] for r in behaviour]),
            Series(lang.t("days_late"), [r["wadl"] for r in behaviour]),
        ],
        y_title=lang.t("axis_days"),
        unit="天" if lang.zh else "days",
    )
    items = data.open_items.filter(pl.col("customer_id") == customer_id)
    return {
        "id": customer_id,
        "name": key["name"] or customer_id,
        "profile": {
            field: profile.get(field)
            for field in ("segment", "owner", "payment_terms_days", "currency", "risk_class")
        },
        "reasons": {"top": key["top"], "over_limit": key["over_limit"], "over_90": key["over_90"]},
        "credit": {
            field: now[field]
            for field in (
                "credit_limit",
                "open_amount",
                "unapplied_credit",
                "net_balance",
                "open_orders",
                "exposure",
                "utilization",
                "headroom",
                "over_limit_amount",
                "credit_hold",
                "max_days_overdue",
            )
        },
        "aging": aging,
        "aging_chart": aging_chart,
        "behaviour": behaviour,
        "behaviour_chart": behaviour_chart,
        "open_items": items.head(MAX_OPEN_ITEMS).to_dicts(),
        "open_items_more": max(0, items.height - MAX_OPEN_ITEMS),
        "open_items_total": items.height,
        "activities": _activities(data, customer_id),
        "as_of": data.as_of,
    }


def _activities(data: SiteData, customer_id: str) -> list[dict]:
    """The latest activities on or before the site's date: date, type, outcome and note."""
    if not data.ds.has("activities"):
        return []
    table = data.ds.tables["activities"]
    columns = ("date", "type", "invoice_id", "outcome", "note")
    absent = [pl.lit(None, pl.String).alias(c) for c in columns if c not in table.columns]
    return (
        table.with_columns(absent)
        .filter(
            (pl.col("customer_id").cast(pl.String) == customer_id) & (pl.col("date") <= data.as_of)
        )
        .with_row_index("__order")
        .sort(["date", "__order"], descending=True)
        .head(MAX_ACTIVITIES)
        .select(columns)
        .to_dicts()
    )


# --- methodology and data quality --------------------------------------------------------


def methodology_context(data: SiteData) -> dict:
    """The registry's KPIs and the rules and constants the figures follow, read from the code
    that applies them (never copied by hand)."""
    from reportgen.report.data import KEY_ACCOUNTS_TOP as top

    categories = None
    if data.reconciliation is not None:
        from reportgen.reconcile import CATEGORIES

        categories = list(CATEGORIES.values())
    return {
        "metrics": [{"key": m.key, "unit": m.unit, "better": m.better} for m in METRICS],
        "buckets": bucket_labels(DEFAULT_BOUNDS),
        "bounds": list(DEFAULT_BOUNDS),
        "hold_after_days": data.hold_after_days,
        "countback_months": COUNTBACK_MONTHS,
        "key_accounts_top": top,
        "key_accounts_max": KEY_ACCOUNTS_MAX,
        "top_overdue": TOP_OVERDUE,
        "max_rows": MAX_ROWS,
        "base_currency": data.ds.base_currency,
        "digits": data.ds.digits,
        "categories": categories,
        "every": data.every,
        "policy": policy_context(data),
    }


MAX_PROBLEMS = 50


def quality_context(data: SiteData) -> dict:
    """What was read, loaded, skipped and rejected and why, and every input's checksum."""
    problems = data.ds.problems
    summary = (
        problems.group_by("file", "severity", "reason")
        .agg(rows=pl.len())
        .sort("file", "severity", "reason")
        .to_dicts()
        if problems.height
        else []
    )
    return {
        "data_name": data.data_name,
        "files": [f.__dict__ for f in data.ds.files],
        "inputs": [f.__dict__ for f in data.inputs],
        "fingerprint": data.fingerprint,
        "base_currency": data.ds.base_currency,
        "problems_total": problems.height,
        "summary": summary[:MAX_PROBLEMS],
        "problems": problems.head(MAX_PROBLEMS).to_dicts(),
        "problems_more": max(0, problems.height - MAX_PROBLEMS),
        "as_of": data.as_of,
    }


# --- collections and ratings (issue 7) -----------------------------------------------------


def collections_context(data: SiteData, period: Period, lang: Lang) -> dict | None:
    """The collections of a review: actions per rung at its end, the largest of them, the
    promises that fell due in the period and the overdue reasons at its end."""
    if data.worklists is None:
        return None
    digits = data.ds.digits
    actions = data.worklists.filter(pl.col("period") == period.label)
    rungs = []
    for key in data.rungs:
        mine = actions.filter(pl.col("rung") == key)
        rungs.append(
            {
                "rung": key,
                "actions": mine.height,
                "late": mine.filter(pl.col("status") == "late").height,
                "amount": _units(int(mine["amount"].sum()), digits),
                "interest": _units(int(mine["interest"].sum()), digits),
            }
        )
    top = actions.sort(["priority", "customer_id"], descending=[True, False]).head(TOP_OVERDUE)
    links = _key_links(data)
    ladder = {r.key: r for r in data.policy.ladder}
    largest = [
        {
            "customer": _customer(r, links),
            "rung": r["rung"],
            "status": r["status"],
            "owner": _action_owner(ladder.get(r["rung"]), r["owner"], lang),
            "deadline": r["deadline"],
            "amount": _units(r["amount"], digits),
            "max_days_overdue": r["max_days_overdue"],
        }
        for r in top.iter_rows(named=True)
    ]
    due = data.promises.filter(
        (pl.col("promised_date") > period.start) & (pl.col("promised_date") <= period.end)
    )
    kept = due.filter(pl.col("status") == "kept").height
    reasons = data.reasons.filter(pl.col("period") == period.label)
    return {
        "rungs": rungs,
        "largest": largest,
        "promises_due": due.height,
        "promises_kept": kept,
        "kept_rate": _share(kept, due.height),
        "escalations": due.filter(pl.col("escalate")).height,
        "reasons": [
            {
                "reason": _reason_words(r["reason"], lang),
                "amount": _units(r["amount"], digits),
                "count": r["count"],
                "share": r["share"],
            }
            for r in reasons.iter_rows(named=True)
        ],
    }


def ratings_context(data: SiteData, period: Period, lang: Lang) -> dict | None:
    """Ratings at a review's end: customers and exposure per grade, and the early warnings."""
    if data.ratings is None:
        return None
    digits = data.ds.digits
    rated = data.ratings.filter(pl.col("period") == period.label)
    grades = [
        {
            "grade": g,
            "customers": rated.filter(pl.col("grade") == g).height,
            "exposure": _units(
                int(rated.filter(pl.col("grade") == g)["exposure"].clip(lower_bound=0).sum()),
                digits,
            ),
        }
        for g in ("A", "B", "C", "D", "E")
    ]
    links = _key_links(data)
    warned = rated.filter(pl.col("warnings").list.len() > 0).sort(
        ["score", "customer_id"], descending=[True, False]
    )
    warnings = [
        {
            "customer": _customer(r, links),
            "grade": r["grade"],
            "previous_grade": r["previous_grade"],
            "score": r["score"],
            "warnings": [warning_words(w, lang, data.policy) for w in r["warnings"]],
        }
        for r in warned.head(MAX_ROWS).iter_rows(named=True)
    ]
    return {
        "grades": grades,
        "downgrades": rated.filter(pl.col("change") == "down").height,
        "upgrades": rated.filter(pl.col("change") == "up").height,
        "warnings": warnings,
        "warnings_more": max(0, warned.height - MAX_ROWS),
    }


def _reason_words(reason: str, lang: Lang) -> str:
    key = f"reason_{reason}"
    return lang.t(key) if key in WORDS else reason


def warning_words(code: str, lang: Lang, policy) -> str:
    """An early warning in words, with the policy's thresholds ("first item over 60 days")."""
    return lang.t(
        f"warning_{code}", days=policy.warning_overdue_days, periods=policy.slowing_periods
    )


def _action_owner(rung, owner: str, lang: Lang) -> str:
    """Who acts: the customer's collector by name, or the rung's owner in the page's language
    (a role the policy names, e.g. 信用经理 for the credit manager)."""
    from reportgen.policy import COLLECTOR

    return owner if rung is None or rung.owner == COLLECTOR else rung.owner_words(lang.code)


def policy_context(data: SiteData) -> dict | None:
    """The credit policy the collections and ratings follow: the ladder, interest, the
    scorecard's weights and bounds, the warnings' thresholds (read from the policy itself)."""
    policy = data.policy
    if policy is None:
        return None
    return {
        "source": policy.file_name,
        "ladder": [
            {
                "key": r.key,
                "window": f"{r.from_days}–{r.to_days}"
                if r.to_days is not None
                else f"{r.from_days}+",
                "from_days": r.from_days,
                "to_days": r.to_days,
                "within": r.within_business_days,
                "pay_within": r.pay_within_days,
                "channel": r.channel,
                "owner": r.owner_words("en"),
                "owner_zh": r.owner_words("zh"),
                "fee": r.fee,
            }
            for r in policy.ladder
        ],
        "rate": policy.annual_rate_percent,
        "interest_on_disputed": policy.interest_on_disputed,
        "country": policy.calendar.country,
        "weights": [
            {"factor": f, "weight": w, "full_at": dict(policy.rating.full_at)[f]}
            for f, w in policy.rating.weights
        ],  # fmt: skip
        "grades": [{"grade": g, "below": b} for g, b in policy.rating.grades],
        "utilization_jump": policy.utilization_jump,
        "jump_points": round(policy.utilization_jump * 100),
        "overdue_days": policy.warning_overdue_days,
        "slowing_periods": policy.slowing_periods,
        "lookback_months": policy.rating.lookback_months,
    }
