"""The KPIs of SPEC §6, each defined once: key, labels, formula in words, unit, and formula.

`METRICS` is the single registry. The CLI, the dashboard tiles, the review site and its
methodology page all iterate it, so a KPI cannot mean one thing on a tile and another on a page.

Computing them has two stages. *Facts* are exact sums per period (and group): AR snapshots,
sales, write-offs, settled invoices, promises. The *metrics* are Polars expressions over those
facts, so a series of 24 months is one frame and every formula is written once. Facts are built
from work shared by all periods (see `kpi_facts`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from reportgen import money
from reportgen.aging import aging_summary
from reportgen.credit import DEFAULT_HOLD_AFTER_DAYS, customer_exposure, portfolio_utilization
from reportgen.ledger import check_rates, open_items, rates_on
from reportgen.load import Dataset
from reportgen.periods import Period, month_end
from reportgen.settlement import settled_dates

# share: a ratio shown as a percent (utilization, SPEC §8: 1.05 means 105 %); times: a turnover
Unit = Literal["money", "days", "percent", "share", "times", "count"]
Dimension = Literal["segment", "owner", "currency"]
DIMENSIONS: tuple[str, ...] = ("segment", "owner", "currency")
NO_GROUP = "(none)"
COUNTBACK_MONTHS = 24  # SPEC §8: countback stops after 24 months at most
# Snapshots of ledgers up to this many invoices are allocated two dates at a time (the
# allocation does not keep both cores busy); larger ones one at a time, to bound memory.
PARALLEL_INVOICES = 3_000_000


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    label_zh: str
    formula: str
    formula_zh: str
    unit: Unit
    expr: pl.Expr  # over the facts frame; blank where a denominator is 0
    better: Literal["higher", "lower"] | None = None  # which way is good, for change arrows


def _col(name: str) -> pl.Expr:
    return pl.col(name)


def _ratio(numerator: pl.Expr, denominator: pl.Expr, scale: float = 1.0) -> pl.Expr:
    """numerator / denominator × scale; blank, never infinite, when the denominator is 0."""
    return pl.when(denominator != 0).then(numerator.cast(pl.Float64) / denominator * scale)


_days = _col("days")
_sales = _col("credit_sales")
_ar_end = _col("ar_end")
_dso = _ratio(_ar_end, _sales) * _days
_bpdso = _ratio(_col("ar_end_current"), _sales) * _days

METRICS: tuple[Metric, ...] = (
    Metric("ar_begin", "AR at start", "期初应收", "Σ open amounts at the day before the period",
           "期初前一日全部未清金额之和", "money", _col("ar_begin")),
    Metric("ar_end", "AR at end", "期末应收", "Σ open amounts at the last day of the period",
           "期末日全部未清金额之和", "money", _ar_end),
    Metric("ar_end_current", "AR not yet due", "期末未到期应收",
           "the part of AR at end that is not yet due", "期末应收中尚未到期的部分",
           "money", _col("ar_end_current")),
    Metric("credit_sales", "Credit sales", "赊销额", "Σ invoice amounts dated in the period",
           "期间内开票金额之和", "money", _sales, "higher"),
    Metric("dso", "DSO", "应收账款周转天数 (DSO)", "AR at end / credit sales × days in the period",
           "期末应收 ÷ 期间赊销额 × 期间天数", "days", _dso, "lower"),
    Metric("dso_countback", "Countback DSO", "倒推法 DSO",
           "walk back calendar months from the last: while the AR left covers a month's sales, "
           "take them and add the month's days; then add the remainder / that month's sales × "
           "its days",
           "从期末所在月份向前逐月倒推：剩余应收不少于当月销售额时，扣除该月销售额并累加当月天数；"
           "最后加上 剩余应收 ÷ 当月销售额 × 当月天数",
           "days", _col("dso_countback"), "lower"),
    Metric("bpdso", "Best possible DSO", "最佳可能 DSO (BPDSO)",
           "AR not yet due / credit sales × days in the period",
           "期末未到期应收 ÷ 期间赊销额 × 期间天数", "days", _bpdso, "lower"),
    Metric("add", "Average days delinquent", "平均逾期天数 (ADD)", "DSO − best possible DSO",
           "DSO − BPDSO", "days", _dso - _bpdso, "lower"),
    Metric("cei", "Collection effectiveness index", "回款有效性指数 (CEI)",
           "(AR at start + credit sales − AR at end) / (AR at start + credit sales − AR not yet "
           "due at end) × 100",
           "(期初应收 + 赊销额 − 期末应收) ÷ (期初应收 + 赊销额 − 期末未到期应收) × 100",
           "percent",
           _ratio(_col("ar_begin") + _sales - _ar_end,
                  _col("ar_begin") + _sales - _col("ar_end_current"), 100),
           "higher"),
    Metric("ar_turnover", "AR turnover", "应收账款周转率",
           "credit sales / average of AR at start and at end",
           "赊销额 ÷ 期初与期末应收的平均值", "times",
           _ratio(_sales, (_col("ar_begin") + _ar_end) / 2), "higher"),
    Metric("pct_current", "Share not yet due", "未到期占比",
           "AR not yet due / AR at end × 100", "期末未到期应收 ÷ 期末应收 × 100", "percent",
           _ratio(_col("ar_end_current"), _ar_end, 100), "higher"),
    Metric("pct_over_90", "Share over 90 days overdue", "逾期 90 天以上占比",
           "AR more than 90 days overdue / AR at end × 100",
           "逾期超过 90 天的应收 ÷ 期末应收 × 100", "percent",
           _ratio(_col("ar_end_over_90"), _ar_end, 100), "lower"),
    Metric("wadp", "Average days to pay", "加权平均付款天数",
           "over invoices settled in the period: Σ amount × (settled date − invoice date) / "
           "Σ amount",
           "期间内结清的发票：Σ 金额 × (结清日 − 开票日) ÷ Σ 金额", "days",
           _ratio(_col("settled_pay_days"), _col("settled_amount")), "lower"),
    Metric("wadl", "Average days late", "加权平均逾期天数",
           "over invoices settled in the period: Σ amount × (settled date − due date) / Σ amount",
           "期间内结清的发票：Σ 金额 × (结清日 − 到期日) ÷ Σ 金额", "days",
           _ratio(_col("settled_late_days"), _col("settled_amount")), "lower"),
    Metric("bad_debt_ratio", "Bad-debt ratio", "坏账率",
           "write-offs dated in the period / credit sales × 100",
           "期间内核销金额 ÷ 期间赊销额 × 100", "percent",
           _ratio(_col("write_offs"), _sales, 100), "lower"),
    Metric("unapplied_cash", "Unapplied cash", "未核销款项",
           "Σ credit on account not applied to any invoice at the last day",
           "期末未核销到发票的预收/余款之和", "money", _col("unapplied_cash"), "lower"),
    Metric("over_limit_customers", "Customers over limit", "超信用额度客户数",
           "customers whose exposure (net balance + open orders) exceeds their credit limit",
           "风险敞口（净余额 + 未开票订单）超过信用额度的客户数", "count",
           _col("over_limit_customers"), "lower"),
    Metric("over_limit_amount", "Amount over limits", "超额度金额",
           "Σ (exposure − credit limit) over the customers above their limit",
           "超额度客户的（风险敞口 − 信用额度）之和", "money", _col("over_limit_amount"), "lower"),
    Metric("portfolio_utilization", "Portfolio utilization", "整体额度使用率",
           "Σ exposure of customers with a limit / Σ their limits",
           "有额度客户的风险敞口之和 ÷ 其信用额度之和", "share",
           _col("portfolio_utilization"), "lower"),
    Metric("promise_kept_rate", "Promises kept", "付款承诺兑现率",
           "promises due in the period that the customer kept (paid at least the promised "
           "amount between the promise and its date) / all promises due in the period × 100",
           "承诺付款日在期间内、且客户在承诺日前已付足承诺金额的承诺数 ÷ 期间内"
           "到期的承诺总数 × 100",
           "percent", _ratio(_col("promises_kept"), _col("promises_due"), 100), "higher"),
)  # fmt: skip

BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}


# --- groups ------------------------------------------------------------------------------


def customer_groups(ds: Dataset, by: Dimension | None) -> pl.LazyFrame:
    """customer_id -> `group` for every customer with a document or in the customer list.

    A customer's currency is the one in the customer list, else the one it is invoiced in;
    all its amounts count in that group, in the base currency, so the groups add up to the
    portfolio."""
    ids = [ds.table(t).select("customer_id") for t in ("customers", "invoices") if ds.has(t)]
    everyone = pl.concat(ids).unique()
    if by is None:
        return everyone.with_columns(group=pl.lit("all"))
    if by not in DIMENSIONS:
        raise ValueError(f"--by must be one of {', '.join(DIMENSIONS)}, not {by!r}")
    master = ds.table("customers") if ds.has("customers") else None
    has = master is not None and by in master.collect_schema().names()
    value = master.select("customer_id", group=pl.col(by).cast(pl.String)) if has else None
    if by == "currency":
        invoiced = (
            ds.table("invoices")
            .group_by("customer_id")
            .agg(__invoiced=pl.col("currency").mode().sort().first())
        )
        frame = everyone.join(invoiced, on="customer_id", how="left")
        if value is not None:
            frame = frame.join(value, on="customer_id", how="left")
        else:
            frame = frame.with_columns(group=pl.lit(None, pl.String))
        return frame.select(
            "customer_id",
            group=pl.coalesce("group", "__invoiced", pl.lit(ds.base_currency)),
        )
    if value is None:
        return everyone.with_columns(group=pl.lit(NO_GROUP))
    return everyone.join(value, on="customer_id", how="left").select(
        "customer_id", group=pl.col("group").fill_null(NO_GROUP)
    )


# --- facts: snapshots --------------------------------------------------------------------

OVER_90 = ("91-120", "121+")  # the default buckets above 90 days overdue


BUCKETS = ("not_due", "1-30", "31-60", "61-90", *OVER_90)


def _customer_snapshot(
    ds: Dataset, as_of: date, hold_after_days: int = DEFAULT_HOLD_AFTER_DAYS
) -> pl.DataFrame:
    """Every customer at D as `credit.customer_exposure` gives it (default buckets): what a
    group's snapshot adds up, and the rows of `reportgen aging --credit` at D
    (`outputs.customer_report`)."""
    items = open_items(ds, as_of=as_of)
    summary = aging_summary(items, as_of=as_of)
    exposure = customer_exposure(summary, ds, hold_after_days=hold_after_days)
    return exposure.with_columns(date=pl.lit(as_of)).collect()


def _customer_snapshots(
    ds: Dataset,
    dates: Sequence[date],
    progress: Callable[[date], None] | None = None,
    hold_after_days: int = DEFAULT_HOLD_AFTER_DAYS,
) -> pl.DataFrame:
    frames = []
    invoices = ds.tables["invoices"].height if ds.has("invoices") else 0
    workers = 2 if invoices <= PARALLEL_INVOICES else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        days = sorted(set(dates))
        done = pool.map(lambda d: _customer_snapshot(ds, d, hold_after_days), days)
        for day, frame in zip(days, done, strict=True):
            frames.append(frame)
            if progress:
                progress(day)
    return pl.concat(frames)


def _group_snapshots(
    customers: pl.DataFrame, groups: pl.LazyFrame, *, how: Literal["left", "inner"] = "left"
) -> pl.DataFrame:
    """Per date and group: `ar` (positive open items), the default due-date buckets,
    `ar_over_90`, `unapplied_cash`, and the credit figures of SPEC §4."""
    return (
        customers.lazy()
        .join(groups, on="customer_id", how=how)
        .group_by("date", "group")
        .agg(
            ar=pl.col("open_amount").sum(),
            **{b: pl.col(b).sum() for b in BUCKETS},
            ar_over_90=pl.sum_horizontal(OVER_90).sum(),
            unapplied_cash=pl.col("unapplied_credit").sum(),
            net_balance=pl.col("net_balance").sum(),
            over_limit_customers=pl.col("over_limit").sum().cast(pl.Int64),
            over_limit_amount=pl.col("over_limit_amount").sum(),
            portfolio_utilization=portfolio_utilization(),
        )
        .select(pl.exclude("date"), "date")
        .sort("date", "group")
        .collect()
    )


def snapshot(ds: Dataset, as_of: date, groups: pl.LazyFrame) -> pl.DataFrame:
    """Per group at D: `ar` (positive open items), the default due-date buckets, `ar_over_90`,
    `unapplied_cash`, and the credit figures of SPEC §4."""
    return _group_snapshots(_customer_snapshot(ds, as_of), groups)


def snapshots_of(facts: CustomerFacts, ds: Dataset, dates: Sequence[date]) -> pl.DataFrame:
    """`snapshots(ds, dates)` from customer facts whose periods start or end at these dates
    (no allocation)."""
    held = {d for p in facts.periods for d in (p.start, p.end)}
    if not set(dates) <= held:
        raise ValueError("the customer facts have no snapshot at some of these dates")
    kept = facts.snapshots.filter(pl.col("date").is_in(sorted(set(dates))))
    return _group_snapshots(kept, customer_groups(ds, None).collect().lazy())


def snapshots(
    ds: Dataset,
    dates: Sequence[date],
    *,
    by: Dimension | None = None,
    progress: Callable[[date], None] | None = None,
) -> pl.DataFrame:
    """`snapshot` at each date, one frame (date, group, …): the aging mix over time."""
    groups = customer_groups(ds, by).collect().lazy()
    return _group_snapshots(_customer_snapshots(ds, dates, progress), groups)


# --- facts: flows ------------------------------------------------------------------------


def _daily(frame: pl.LazyFrame, dated: str) -> pl.DataFrame:
    """Document amounts summed per customer, currency and day: every group's flow in a period
    is a sum over it."""
    return (
        frame.group_by("customer_id", "currency", day=dated)
        .agg(amount=pl.col("amount").sum())
        .collect()
    )


def _grouped(daily: pl.DataFrame, groups: pl.LazyFrame) -> pl.LazyFrame:
    """Per-customer daily sums added up per group (customers outside `groups` left out)."""
    keys = ("customer_id", "currency", "day")
    return (
        daily.lazy()
        .join(groups, on="customer_id")
        .group_by("group", "currency", "day")
        .agg(pl.exclude(*keys, "group").sum())
        .collect()
        .lazy()
    )


def _flow(ds: Dataset, daily: pl.LazyFrame, periods: Sequence[Period], name: str) -> pl.DataFrame:
    """Per period and group: Σ amounts dated in the period, each currency's sum converted at
    the rate of the period's end (SPEC §8), then added."""
    frames = []
    for p in periods:
        rates = rates_on(ds, p.end)
        frames.append(
            daily.filter((pl.col("day") > p.start) & (pl.col("day") <= p.end))
            .group_by("group", "currency")
            .agg(pl.col("amount").sum())
            .join(rates, on="currency", how="left")
            .group_by("group")
            .agg(money.convert("amount", "rate").sum().alias(name))
            .with_columns(period=pl.lit(p.label))
        )
    return pl.concat(pl.collect_all(frames)) if frames else pl.DataFrame()


def _write_offs(ds: Dataset) -> pl.LazyFrame | None:
    """Credit notes of type write_off: the bad debt of SPEC §6."""
    if not ds.has("credit_notes") or "type" not in ds.tables["credit_notes"].columns:
        return None
    return ds.table("credit_notes").filter(pl.col("type") == "write_off")


def _settled_daily(ds: Dataset, periods: Sequence[Period]) -> pl.DataFrame:
    """Per customer, currency and settled day: the amount of the invoices settled that day,
    and that amount times days to pay and days late, for the weighted averages.

    Settled dates come from one allocation at the last day of the data or of the periods,
    whichever is later: an invoice has one settled date, whatever period is asked about."""
    last = max(p.end for p in periods)
    latest = [ds.tables[t][c].max() for t, c in _DATED if ds.has(t)]
    as_of = max([last, *[d for d in latest if d is not None]])
    invoices = ds.table("invoices").select("invoice_id", "amount", "currency")
    return (
        settled_dates(ds, as_of=as_of)
        .filter(pl.col("settled_date").is_not_null())
        .join(invoices, on="invoice_id")
        .with_columns(
            pay=(pl.col("settled_date") - pl.col("invoice_date")).dt.total_days(),
            late=(pl.col("settled_date") - pl.col("due_date")).dt.total_days(),
        )
        .group_by("customer_id", "currency", day="settled_date")
        .agg(
            amount=pl.col("amount").sum(),
            pay=(pl.col("amount").cast(pl.Float64) * pl.col("pay")).sum(),
            late=(pl.col("amount").cast(pl.Float64) * pl.col("late")).sum(),
        )
        .collect()
    )


def _settled(ds: Dataset, periods: Sequence[Period], settled: pl.LazyFrame) -> pl.DataFrame:
    """Per period and group: invoices settled in the period, their amount (at the rate of the
    period's end) and that amount times days to pay and days late (`_settled_daily` summed
    per group)."""
    frames = []
    for p in periods:
        rate = pl.col("rate").cast(pl.Float64) / 10**money.RATE_DIGITS
        frames.append(
            settled.filter((pl.col("day") > p.start) & (pl.col("day") <= p.end))
            .group_by("group", "currency")
            .agg(pl.col("amount", "pay", "late").sum())
            .join(rates_on(ds, p.end), on="currency", how="left")
            .group_by("group")
            .agg(
                settled_amount=money.convert("amount", "rate").sum(),
                settled_pay_days=(pl.col("pay") * rate).sum(),
                settled_late_days=(pl.col("late") * rate).sum(),
            )
            .with_columns(period=pl.lit(p.label))
        )
    return pl.concat(pl.collect_all(frames))


_DATED = (("invoices", "invoice_date"), ("payments", "payment_date"), ("credit_notes", "date"))


def promises(ds: Dataset, *, as_of: date | None = None) -> pl.LazyFrame:
    """Every promise to pay (activities of type promise) with `kept` (SPEC §8): the customer's
    payments dated from the promise up to its promised date add up to the promised amount;
    a promise without an amount is kept by any payment in that window.

    Also `activity_id`, `invoice_id`, the `promised` amount and what was `paid` in the window
    (the collections module reads them). With `as_of`, only promises made by D count and only
    payments dated by D: a promise still running at D is not kept yet."""
    schema = {
        "customer_id": ds.tables["invoices"]["customer_id"].dtype,
        "date": pl.Date,
        "promised_date": pl.Date,
        "kept": pl.Boolean,
        "activity_id": pl.String,
        "invoice_id": pl.String,
        "promised": pl.Int64,
        "paid": pl.Int64,
    }
    if not ds.has("activities"):
        return pl.LazyFrame(schema=schema)
    names = ds.tables["activities"].columns
    if "promised_date" not in names:
        return pl.LazyFrame(schema=schema)
    activities = ds.table("activities")
    payments = ds.table("payments").select("customer_id", "payment_date", "amount")
    if as_of is not None:
        activities = activities.filter(pl.col("date") <= as_of)
        payments = payments.filter(pl.col("payment_date") <= as_of)
    promised = (
        activities.filter((pl.col("type") == "promise") & pl.col("promised_date").is_not_null())
        .select(
            "customer_id",
            "date",
            "promised_date",
            activity_id=pl.col("activity_id")
            if "activity_id" in names
            else pl.lit(None, pl.String),
            invoice_id=pl.col("invoice_id") if "invoice_id" in names else pl.lit(None, pl.String),
            promised=pl.col("amount") if "amount" in names else pl.lit(None, pl.Int64),
        )
        .with_row_index("__promise")
    )
    paid = (
        promised.join(payments, on="customer_id")
        .filter(pl.col("payment_date").is_between(pl.col("date"), pl.col("promised_date")))
        .group_by("__promise")
        .agg(paid=pl.col("amount").sum())
    )
    promised_amount = pl.col("promised")
    return (
        promised.join(paid, on="__promise", how="left")
        .with_columns(pl.col("paid").fill_null(0))
        .select(
            "customer_id",
            "date",
            "promised_date",
            kept=pl.when(promised_amount.is_null())
            .then(pl.col("paid") > 0)
            .otherwise(pl.col("paid") >= promised_amount),
            activity_id="activity_id",
            invoice_id="invoice_id",
            promised="promised",
            paid="paid",
        )
    )


def _promises(made: pl.DataFrame, periods: Sequence[Period], groups: pl.LazyFrame) -> pl.DataFrame:
    made = made.lazy().join(groups, on="customer_id").collect()
    frames = [
        made.filter(pl.col("promised_date").is_between(p.first_day, p.end))
        .group_by("group")
        .agg(
            promises_due=pl.len().cast(pl.Int64),
            promises_kept=pl.col("kept").sum().cast(pl.Int64),
        )
        .with_columns(period=pl.lit(p.label))
        for p in periods
    ]
    return pl.concat(frames)


# --- facts: countback DSO ----------------------------------------------------------------


def _countback(
    ds: Dataset, daily_sales: pl.LazyFrame, ar_end: dict[str, int], p: Period
) -> pl.DataFrame:
    """Countback DSO at the period's end for each group's AR (SPEC §6, §8): calendar months
    walked back from the month of D, the month of D counted from its first day to D."""
    month = pl.col("day").dt.year() * 12 + pl.col("day").dt.month()
    monthly = (
        daily_sales.filter(pl.col("day") <= p.end)
        .with_columns(back=p.end.year * 12 + p.end.month - month)
        .filter(pl.col("back") < COUNTBACK_MONTHS)
        .group_by("group", "back", "currency")
        .agg(pl.col("amount").sum())
        .join(rates_on(ds, p.end), on="currency", how="left")
        .group_by("group", "back")
        .agg(sales=money.convert("amount", "rate").sum())
        .collect()
    )
    sales = {(group, back): amount for group, back, amount in monthly.iter_rows()}
    days = [p.end.day] + [_days_in_month(p.end, back) for back in range(1, COUNTBACK_MONTHS)]
    walked = {
        group: countback_days(ar, [sales.get((group, k), 0) for k in range(len(days))], days)
        for group, ar in ar_end.items()
    }
    return pl.DataFrame(
        {"group": list(walked), "dso_countback": list(walked.values())},
        schema={"group": pl.String, "dso_countback": pl.Float64},
    ).with_columns(period=pl.lit(p.label))


def _days_in_month(end: date, back: int) -> int:
    """Calendar days of the month `back` months before the month of `end`."""
    year, month = divmod(end.year * 12 + end.month - 1 - back, 12)
    return month_end(year, month + 1).day


def countback_days(ar: int, sales: Sequence[int], days: Sequence[int]) -> float:
    """Countback DSO from the AR at D and the sales and days of the months walked back from
    the month of D: while the AR left covers a month's sales, take them and add its days;
    then add the part of the month the remainder covers. A month without sales while AR
    remains adds its days; AR of 0 gives 0 days."""
    remaining, total = ar, 0.0
    for month_sales, month_days in zip(sales, days, strict=True):
        if remaining <= 0:
            break
        if remaining >= month_sales:
            remaining -= month_sales
            total += month_days
        else:
            return total + remaining / month_sales * month_days
    return total


# --- the KPIs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFacts:
    """The first stage of `kpi_facts`: everything the KPIs of some periods are summed from,
    kept per customer, so that the facts of any set of customers (a group, a filter) are a sum
    over these tables and need no allocation of their own (`group_facts`).

    Flows stay in their own currency per customer and day; they are converted after summing,
    as `kpi_facts` of the whole ledger converts them."""

    periods: tuple[Period, ...]
    snapshots: pl.DataFrame  # date, customer_id, open amount, buckets, credit (at every date)
    sales: pl.DataFrame  # customer_id, currency, day, amount
    settled: pl.DataFrame  # customer_id, currency, day, amount, pay, late
    promises: pl.DataFrame  # customer_id, promised_date, kept
    write_offs: pl.DataFrame | None  # customer_id, currency, day, amount


def customer_facts(
    ds: Dataset,
    periods: Sequence[Period],
    *,
    progress: Callable[[date], None] | None = None,
    hold_after_days: int = DEFAULT_HOLD_AFTER_DAYS,
) -> CustomerFacts:
    """The per-customer facts of `periods` (see `CustomerFacts`); the snapshots' credit holds
    follow `hold_after_days` (the credit policy's rule).

    The work is shared by the periods: each snapshot date is allocated once, the end of one
    month being the start of the next (25 allocations for 24 months, not 48); settled dates
    come from a single allocation; sales, write-offs and promises are summed per day once."""
    if not periods:
        raise ValueError("no period to compute")
    for day in {p.end for p in periods}:
        if set(ds.currencies) - {ds.base_currency}:
            check_rates(ds, day)
    dates = sorted({d for p in periods for d in (p.start, p.end)})
    write_offs = _write_offs(ds)
    return CustomerFacts(
        periods=tuple(periods),
        snapshots=_customer_snapshots(ds, dates, progress, hold_after_days),
        sales=_daily(ds.table("invoices"), "invoice_date"),
        settled=_settled_daily(ds, periods),
        promises=promises(ds).select("customer_id", "promised_date", "kept").collect(),
        write_offs=None if write_offs is None else _daily(write_offs, "date"),
    )


def kpi_facts(
    ds: Dataset,
    periods: Sequence[Period],
    *,
    by: Dimension | None = None,
    progress: Callable[[date], None] | None = None,
) -> pl.DataFrame:
    """The facts every KPI is computed from, one row per period (and group): the
    per-customer facts (`customer_facts`) summed per group of `by` (`group_facts`)."""
    facts = customer_facts(ds, periods, progress=progress)
    return group_facts(ds, facts, customer_groups(ds, by))


def group_facts(
    ds: Dataset, facts: CustomerFacts, groups: pl.LazyFrame | pl.DataFrame
) -> pl.DataFrame:
    """One row per period and group: the customer facts summed over each group's customers.

    `groups` maps customer_id to `group`; customers it leaves out count nowhere (a filter is
    a single group of the customers it keeps). Money is converted at each period's end after
    the sums, ratios (utilization, countback DSO) are taken of the sums."""
    periods = facts.periods
    groups = groups.lazy().collect().lazy()
    snaps = _group_snapshots(facts.snapshots, groups, how="inner")
    sales = _grouped(facts.sales, groups)
    # one row per period and group, in the order the periods were asked for
    frame = pl.LazyFrame(
        {
            "__order": range(len(periods)),
            "period": [p.label for p in periods],
            "days": [p.days for p in periods],
        }
    ).join(groups.select("group").unique(), how="cross")

    def at(day_of: str, columns: dict[str, str]) -> pl.LazyFrame:
        dated = pl.DataFrame(
            {"period": [p.label for p in periods], "date": [getattr(p, day_of) for p in periods]}
        )
        return (
            dated.join(snaps, on="date")
            .select("period", "group", *[pl.col(c).alias(a) for c, a in columns.items()])
            .lazy()
        )

    parts = [
        at("start", {"ar": "ar_begin"}),
        at(
            "end",
            {
                "ar": "ar_end",
                "not_due": "ar_end_current",
                "ar_over_90": "ar_end_over_90",
                "unapplied_cash": "unapplied_cash",
                "over_limit_customers": "over_limit_customers",
                "over_limit_amount": "over_limit_amount",
                "portfolio_utilization": "portfolio_utilization",
            },
        ),
        _flow(ds, sales, periods, "credit_sales").lazy(),
        _settled(ds, periods, _grouped(facts.settled, groups)).lazy(),
        _promises(facts.promises, periods, groups).lazy(),
    ]
    if facts.write_offs is not None:
        parts.append(_flow(ds, _grouped(facts.write_offs, groups), periods, "write_offs").lazy())
    names = groups.select("group").unique().collect()["group"].to_list()
    countback = []
    for p in periods:
        at_end = dict(snaps.filter(pl.col("date") == p.end).select("group", "ar").iter_rows())
        countback.append(_countback(ds, sales, {g: at_end.get(g, 0) for g in names}, p))
    parts.append(pl.concat(countback).lazy())
    for part in parts:
        frame = frame.join(part, on=["period", "group"], how="left")
    # a group with nothing at a date, or in a period, has zeros there (a ratio stays blank)
    filled = [
        *("ar_begin", "ar_end", "ar_end_current", "ar_end_over_90", "unapplied_cash"),
        *("over_limit_customers", "over_limit_amount", "credit_sales", "write_offs"),
        *("settled_amount", "promises_due", "promises_kept"),
    ]
    columns = frame.collect_schema().names()
    return (
        frame.with_columns(pl.col(c).fill_null(0) for c in filled if c in columns)
        .sort("__order", "group")
        .drop("__order")
        .collect()
    )


def kpis(facts: pl.DataFrame, *, digits: int, by: Dimension | None = None) -> pl.DataFrame:
    """One row per period (and group): period, days, [the dimension], then every KPI of the
    registry under its key. Money in exact decimals of the base currency, days and percents
    to two decimals, shares and turnovers to four."""
    frame = facts
    if "write_offs" not in frame.columns:
        frame = frame.with_columns(write_offs=pl.lit(0, pl.Int64))

    def shown(metric: Metric) -> pl.Expr:
        if metric.unit == "money":
            return money.to_decimal(metric.expr, digits)
        if metric.unit == "count":
            return metric.expr.cast(pl.Int64)
        return metric.expr.round(4 if metric.unit in ("share", "times") else 2)

    head = ["period", "days"] + ([by] if by else [])
    return (
        frame.rename({"group": by} if by else {})
        .select(*head, *[shown(m).alias(m.key) for m in METRICS])
        .drop([] if by else [])
    )


def format_value(metric: Metric, value: object, *, lang: str = "en") -> str:
    """A KPI value as a credit manager reads it: `1,234,567.89`, `61.7 days` / `61.7 天`,
    `84.9 %`, `1.53×`; a dash when blank."""
    if value is None:
        return "—"
    if metric.unit == "money":
        return f"{value:,.2f}"
    if metric.unit == "count":
        return f"{value:,}"
    number = float(value)  # type: ignore[arg-type]
    if metric.unit == "days":
        return f"{number:,.1f} 天" if lang == "zh" else f"{number:,.1f} days"
    if metric.unit == "percent":
        return f"{number:.1f} %"
    if metric.unit == "share":
        return f"{number * 100:.1f} %"
    return f"{number:.2f}×"
