"""Everything the review site shows, computed once for all its periods.

A site of 24 monthly reviews asks the core for the same month-ends again and again; here each
question is asked once: one `metrics.kpi_facts` call for every period a review shows or
compares with, one `metrics.snapshots` call for the aging mix, one customer aging per review
date, one settlement, one roll-forward. The page builders (`context.py`) only select from
`SiteData`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from reportgen import metrics, money
from reportgen.credit import DEFAULT_HOLD_AFTER_DAYS
from reportgen.ledger import rates_on
from reportgen.load import Dataset
from reportgen.outputs import customer_report, invoice_aging
from reportgen.periods import Every, Period, parse_period, series
from reportgen.read import find_sources
from reportgen.settlement import settled_dates

KEY_ACCOUNTS_TOP = 10  # the largest exposures are key accounts, whatever else they are
KEY_ACCOUNTS_MAX = 100  # credit files at most: the largest exposures of those that qualify
TOP_OVERDUE = 10  # customers listed as the top overdue of a review
OVERDUE_BUCKETS = ("1-30", "31-60", "61-90", "91-120", "121+")
BUCKETS = ("not_due", *OVERDUE_BUCKETS)
OVER_90 = ("91-120", "121+")


@dataclass(frozen=True)
class InputFile:
    """One input file as read: its name, size and SHA-256 (the site shows them instead of a
    build time, so two sites from the same files can be told identical)."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class SiteData:
    """The figures of every page, in exact decimals of the base currency."""

    ds: Dataset
    data_name: str  # the DATA folder's (or file's) name, without the path to it
    reviews: tuple[Period, ...]
    every: Every
    kpis: pl.DataFrame  # metrics.kpis: one row per review and comparison period
    previous: dict[str, str | None]  # review label -> the label compared as "previous"
    year_ago: dict[str, str | None]  # review label -> the same period a year before
    snapshots: pl.DataFrame  # metrics.snapshots at every review's start and end
    customers: pl.DataFrame  # customer_aging(credit=True) at every review's start and end
    open_items: pl.DataFrame  # invoice_aging at the last review's end
    behaviour: pl.DataFrame  # per review period and key account: invoices settled, days
    key_accounts: pl.DataFrame  # customer_id, name, slug, top, over_limit, over_90
    reconciliation: dict[date, Any] | None  # review end -> reconcile.Reconciliation
    rollforward: pl.DataFrame | None  # the total roll-forward row of each review period
    inputs: tuple[InputFile, ...]
    first_document: date | None  # the earliest document date: no data before it
    key_accounts_qualifying: int = 0  # customers that qualify, with a credit file or not
    hold_after_days: int = DEFAULT_HOLD_AFTER_DAYS
    # collections and ratings (issue 7); None where not gathered (an open-item snapshot)
    policy: Any = None  # policy.Policy the figures follow
    rungs: tuple[str, ...] = ()  # the ladder's rung keys, in order
    worklists: pl.DataFrame | None = None  # collections.worklist at every review's end
    promises: pl.DataFrame | None = None  # promises.promise_outcomes at the last review
    reasons: pl.DataFrame | None = None  # reasons_by_bucket at every review's end
    ratings: pl.DataFrame | None = None  # ratings.rating_history of the reviews

    @property
    def as_of(self) -> date:
        return self.reviews[-1].end

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.inputs)

    def kpi_row(self, label: str | None) -> dict[str, Any] | None:
        if label is None:
            return None
        rows = self.kpis.filter(pl.col("period") == label)
        return rows.row(0, named=True) if rows.height else None

    def customers_at(self, day: date) -> pl.DataFrame:
        return self.customers.filter(pl.col("date") == day)

    def snapshot_at(self, day: date) -> dict[str, Any] | None:
        rows = self.snapshots.filter(pl.col("date") == day)
        return rows.row(0, named=True) if rows.height else None

    def has_data_on(self, day: date) -> bool:
        return self.first_document is not None and day >= self.first_document


# --- inputs ------------------------------------------------------------------------------


def input_files(data: Path) -> tuple[InputFile, ...]:
    """Every file `load` reads from `data`, with its SHA-256, in name order."""
    sources = find_sources(data)
    paths = sorted({*sources.canonical.values(), *sources.exports}, key=lambda p: p.name)
    return tuple(InputFile(p.name, p.stat().st_size, _sha256(p)) for p in paths)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(inputs: Sequence[InputFile]) -> str:
    """One short digest of all input checksums: the same files give the same fingerprint."""
    text = "".join(f"{f.name}\0{f.sha256}\n" for f in inputs)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- comparisons -------------------------------------------------------------------------


def comparison_labels(reviews: Sequence[Period]) -> tuple[dict, dict]:
    """For each review, the period it is compared with: the one before, and the same one a
    year before. Whole months and quarters name both by the calendar; a period cut by the
    report's range is compared with the review before it only."""
    previous: dict[str, str | None] = {}
    year_ago: dict[str, str | None] = {}
    for k, p in enumerate(reviews):
        before = reviews[k - 1].label if k else None
        previous[p.label], year_ago[p.label] = before, None
        shifted = _calendar_shift(p.label)
        if shifted:
            previous[p.label], year_ago[p.label] = shifted
    return previous, year_ago


def _calendar_shift(label: str) -> tuple[str, str] | None:
    """`2025-12` -> (`2025-11`, `2024-12`); `2025-Q1` -> (`2024-Q4`, `2024-Q1`)."""
    try:
        period = parse_period(label)
    except ValueError:
        return None
    year = period.end.year
    if "-Q" in label:
        quarter = int(label[-1])
        before = f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
        return before, f"{year - 1}-Q{quarter}"
    if len(label) == 7:
        month = period.end.month
        before = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
        return before, f"{year - 1}-{month:02d}"
    return f"{year - 1}", f"{year - 1}"


def _first_document(ds: Dataset) -> date | None:
    dated = (("invoices", "invoice_date"), ("payments", "payment_date"), ("credit_notes", "date"))
    firsts = [ds.tables[t][c].min() for t, c in dated if ds.has(t) and ds.tables[t].height]
    firsts = [d for d in firsts if d is not None]
    return min(firsts) if firsts else None


def _last_document(ds: Dataset) -> date | None:
    dated = (("invoices", "invoice_date"), ("payments", "payment_date"), ("credit_notes", "date"))
    lasts = [ds.tables[t][c].max() for t, c in dated if ds.has(t) and ds.tables[t].height]
    lasts = [d for d in lasts if d is not None]
    return max(lasts) if lasts else None


def review_periods(
    ds: Dataset, every: Every, *, first: date | None = None, last: date | None = None
) -> list[Period]:
    """The reviews of a site: calendar months or quarters from `first` to `last` (both
    included). By default from the start of the first document's month (or quarter) to the
    last document's date; a period cut by either end is kept and named by its dates."""
    if first is None:
        day = _first_document(ds)
        if day is None:
            raise ValueError("the data holds no dated document: give --from and --to")
        months = 3 if every == "quarter" else 1
        first = date(day.year, (day.month - 1) // months * months + 1, 1)
    if last is None:
        last = _last_document(ds) or first
    if last < first:
        raise ValueError(f"the reviews would end ({last}) before they start ({first})")
    return series(first, last, every)


# --- key accounts --------------------------------------------------------------------------


def key_accounts(
    customers: pl.DataFrame,
    *,
    top: int = KEY_ACCOUNTS_TOP,
    over_days: int = 90,
) -> pl.DataFrame:
    """The customers that get a credit file: the `top` largest exposures, every customer over
    its limit, and every customer with an item more than `over_days` days overdue (from one
    customer aging with credit columns). Ordered by exposure, largest first."""
    largest = customers.filter(pl.col("exposure") > 0).sort(
        ["exposure", "customer_id"], descending=[True, False]
    )
    top_ids = set(largest["customer_id"].head(top).to_list())
    marked = customers.with_columns(
        top=pl.col("customer_id").is_in(list(top_ids)),
        over_90=(pl.col("max_days_overdue") > over_days).fill_null(False),
    )
    chosen = marked.filter(pl.col("top") | pl.col("over_limit") | pl.col("over_90")).sort(
        ["exposure", "customer_id"], descending=[True, False]
    )
    return chosen.select(
        "customer_id",
        "name",
        slug=pl.col("customer_id").map_elements(slug, return_dtype=pl.String),
        top="top",
        over_limit="over_limit",
        over_90="over_90",
    )


def slug(customer_id: str) -> str:
    """A file name for a customer's page: the id where it is plain letters, digits, `-` and
    `_`; otherwise those characters and a short digest of the id, so no two ids collide and
    no id can name a path outside the folder."""
    plain = "".join(c if (c.isascii() and (c.isalnum() or c in "-_")) else "_" for c in customer_id)
    if plain == customer_id and plain:
        return plain
    digest = hashlib.sha256(customer_id.encode()).hexdigest()[:8]
    return f"{plain[:40]}-{digest}"


# --- payment behaviour ---------------------------------------------------------------------


def payment_behaviour(
    ds: Dataset, reviews: Sequence[Period], customer_ids: Sequence[str], *, settled_as_of: date
) -> pl.DataFrame:
    """Per review period and customer: invoices settled in the period (count and amount in
    the base currency at the period end's rate, as the KPIs convert flows), and the
    amount-weighted average days to pay and days late (SPEC §6 wadp, wadl)."""
    invoices = ds.table("invoices").select("invoice_id", "amount", "currency")
    settled = (
        settled_dates(ds, as_of=settled_as_of)
        .filter(
            pl.col("settled_date").is_not_null()
            & pl.col("customer_id").cast(pl.String).is_in(list(customer_ids))
        )
        .join(invoices, on="invoice_id")
        .with_columns(
            pay=(pl.col("settled_date") - pl.col("invoice_date")).dt.total_days(),
            late=(pl.col("settled_date") - pl.col("due_date")).dt.total_days(),
        )
        .collect()
    )
    frames = []
    for p in reviews:
        in_p = settled.lazy().filter(
            (pl.col("settled_date") > p.start) & (pl.col("settled_date") <= p.end)
        )
        base = money.convert("amount", "rate")
        frames.append(
            in_p.join(rates_on(ds, p.end), on="currency", how="left")
            .with_columns(base=base)
            .group_by("customer_id")
            .agg(
                settled_count=pl.len().cast(pl.Int64),
                settled_amount=pl.col("base").sum(),
                pay_weighted=(pl.col("base").cast(pl.Float64) * pl.col("pay")).sum(),
                late_weighted=(pl.col("base").cast(pl.Float64) * pl.col("late")).sum(),
            )
            .with_columns(period=pl.lit(p.label))
        )
    schema = {"customer_id": pl.String, "period": pl.String}
    if not frames:
        return pl.DataFrame(schema=schema)
    amount = pl.col("settled_amount")
    return (
        pl.concat(pl.collect_all(frames))
        .with_columns(
            pl.col("customer_id").cast(pl.String),
            wadp=pl.when(amount != 0).then(pl.col("pay_weighted") / amount).round(1),
            wadl=pl.when(amount != 0).then(pl.col("late_weighted") / amount).round(1),
            settled_amount=money.to_decimal(amount, ds.digits),
        )
        .select("period", "customer_id", "settled_count", "settled_amount", "wadp", "wadl")
        .sort("period", "customer_id")
    )


# --- reconciliation ------------------------------------------------------------------------


Reconcile = Literal["every", "last", "none"]


def reconciliations(ds: Dataset, ends: Sequence[date]) -> dict[date, Any]:
    """reconcile.reconcile at each of the given review ends: the exceptions a review lists.

    Each call works out the balances of every month-end before it again (reconcile takes no
    shared `rollforward.Balances`), which is most of a site's time: about 20 s for the 24
    month-ends of the sample company. `--reconcile last` keeps it to the last review."""
    from reportgen import reconcile

    return {day: reconcile.reconcile(ds, as_of=day) for day in ends}


def period_rollforward(ds: Dataset, reviews: Sequence[Period]) -> pl.DataFrame:
    """The total roll-forward row of each review period (one call for all of them)."""
    from reportgen.rollforward import Balances, rollforward

    rolled = rollforward(ds, reviews, balances=Balances(ds)).collect()
    return rolled.filter(pl.col("customer_id").is_null()).drop("customer_id", "currency")


# --- everything ----------------------------------------------------------------------------


def gather(
    ds: Dataset,
    reviews: Sequence[Period],
    *,
    every: Every,
    inputs: Sequence[InputFile] = (),
    data_name: str = "",
    reconcile: Reconcile = "every",
    policy: Any = None,
    progress: Callable[[str], None] | None = None,
) -> SiteData:
    """Compute every figure of the site: each question asked of the core once. The
    collections and ratings follow `policy` (a `policy.Policy`; the default when None)."""
    if not reviews:
        raise ValueError("no review period")
    reviews = tuple(reviews)
    step = progress or (lambda _: None)
    first = _first_document(ds)
    previous, year_ago = comparison_labels(reviews)

    # every period a review shows or compares with, once; a comparison period that ends
    # before the first document has no data, and stays blank rather than a row of zeros
    wanted = {p.label: p for p in reviews}
    for label in [*previous.values(), *year_ago.values()]:
        if label and label not in wanted:
            period = parse_period(label)
            if first is not None and period.end >= first:
                wanted[label] = period
    previous = {k: (v if v in wanted else None) for k, v in previous.items()}
    year_ago = {k: (v if v in wanted else None) for k, v in year_ago.items()}
    step("KPIs of every period")
    # one allocation per period end serves the KPIs, the aging mix and the customers
    hold_after_days = policy.hold_after_days if policy is not None else DEFAULT_HOLD_AFTER_DAYS
    by_customer = metrics.customer_facts(ds, list(wanted.values()), hold_after_days=hold_after_days)
    facts = metrics.group_facts(ds, by_customer, metrics.customer_groups(ds, None))
    kpis = metrics.kpis(facts, digits=ds.digits)

    dates = sorted({d for p in reviews for d in (p.start, p.end)})
    step("Aging mix at every review")
    snaps = metrics.snapshots_of(by_customer, ds, dates)
    step("Customers at every review")
    at = by_customer.snapshots
    customers = pl.concat(
        [
            customer_report(at.filter(pl.col("date") == day), ds, credit=True).with_columns(
                date=pl.lit(day)
            )
            for day in dates
        ]
    ).collect()
    as_of = reviews[-1].end
    qualifying = key_accounts(customers.filter(pl.col("date") == as_of))
    keys = qualifying.head(KEY_ACCOUNTS_MAX)  # thousands may qualify in a large ledger
    ids = keys["customer_id"].to_list()
    step("Open items and payment behaviour of key accounts")
    items = invoice_aging(ds, as_of=as_of).filter(pl.col("customer_id").is_in(ids)).collect()
    last = _last_document(ds)
    behaviour = payment_behaviour(
        ds, reviews, ids, settled_as_of=max(as_of, last) if last else as_of
    )
    recon = rolled = None
    if reconcile != "none" and not ds.is_snapshot:
        ends = [p.end for p in reviews] if reconcile == "every" else [as_of]
        step("Reconciliation at " + ("every review" if reconcile == "every" else f"{as_of}"))
        recon = reconciliations(ds, ends)
        step("Roll-forward of every review")
        rolled = period_rollforward(ds, reviews)
    collections = {}
    if not ds.is_snapshot:
        step("Collections and ratings at every review")
        collections = collection_figures(ds, reviews, policy, exposures=by_customer.snapshots)
    return SiteData(
        ds=ds,
        data_name=data_name,
        reviews=reviews,
        every=every,
        kpis=kpis,
        previous=previous,
        year_ago=year_ago,
        snapshots=snaps,
        customers=customers,
        open_items=items,
        behaviour=behaviour,
        key_accounts=keys,
        reconciliation=recon,
        rollforward=rolled,
        inputs=tuple(inputs),
        first_document=first,
        key_accounts_qualifying=qualifying.height,
        hold_after_days=hold_after_days,
        **collections,
    )


def collection_figures(
    ds: Dataset,
    reviews: Sequence[Period],
    policy: Any = None,
    *,
    exposures: pl.DataFrame | None = None,
) -> dict:
    """The worklist, overdue reasons and ratings at every review's end and the promises at
    the last, under the credit policy (the default unless given); the ratings read the
    customers' `exposures` where the KPI facts already hold them."""
    from reportgen.collections import worklist
    from reportgen.policy import default_policy
    from reportgen.promises import promise_outcomes
    from reportgen.ratings import rating_history
    from reportgen.reasons import overdue_items_with_reasons, reasons_by_bucket

    policy = policy or default_policy()
    ratings = rating_history(ds, reviews, policy=policy, exposures=exposures)
    actions, reasons = [], []
    for p in reviews:
        grades = ratings.filter(pl.col("period") == p.label).select("customer_id", "grade")
        actions.append(
            worklist(ds, as_of=p.end, policy=policy, grades=grades.lazy())
            .with_columns(period=pl.lit(p.label))
            .collect()
        )
        reasons.append(
            reasons_by_bucket(overdue_items_with_reasons(ds, as_of=p.end))
            .with_columns(period=pl.lit(p.label))
            .collect()
        )
    as_of = reviews[-1].end
    return {
        "policy": policy,
        "rungs": tuple(r.key for r in policy.ladder),
        "worklists": pl.concat(actions).with_columns(pl.col("customer_id", "rung").cast(pl.String)),
        "promises": promise_outcomes(ds, as_of=as_of, policy=policy).collect(),
        "reasons": pl.concat(reasons),
        "ratings": ratings.with_columns(pl.col("customer_id").cast(pl.String)),
    }
