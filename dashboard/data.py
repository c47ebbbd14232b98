"""Everything the dashboard asks of the core, cached: the only module with Streamlit caches.

Each function is keyed by hashable arguments (a `Source`, dates, a `Scope`, bounds) and calls
the core as the command line does, so a tile shows the number `reportgen kpis` prints and a
table the rows `reportgen aging` writes. Loaded tables, snapshots and KPI series are kept
between reruns (`st.cache_resource`: frames are shared, never modified), so changing a filter
only selects from what was computed, or computes the part that is new.

A scope (segments, owners, currencies, and the owners a signed-in collector may see) is a set
of customers; allocation never crosses customers, so the figures of a scope are those of the
whole ledger restricted to it (`reportgen.scope`), equal to `kpis --by segment` for a group.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from reportgen import metrics, periods, scope
from reportgen.aging import DEFAULT_BOUNDS
from reportgen.ingest.export import Options
from reportgen.load import Dataset, load
from reportgen.outputs import customer_aging, for_output, invoice_aging
from reportgen.read import EXPORT_SUFFIXES

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
TREND_PERIODS = 12
UPLOAD_SUFFIXES = tuple(sorted({*EXPORT_SUFFIXES, ".parquet"}))
ATTRIBUTES = ("name", "segment", "owner", "currency")


@dataclass(frozen=True)
class Source:
    """Where the figures come from: a folder or file, how to read it, and a stamp of its files
    (names, sizes, modification times) so that changed files are read again."""

    path: str
    label: str
    preset: str | None = None
    encoding: str | None = None
    date_format: str | None = None
    stamp: tuple = ()

    @property
    def options(self) -> Options:
        return Options(preset=self.preset, encoding=self.encoding, date_format=self.date_format)


@dataclass(frozen=True)
class Scope:
    """The customers shown: any of these segments, owners and currencies (empty: all), and
    never outside `allowed_owners` when a signed-in user is limited to some owners."""

    segments: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    allowed_owners: tuple[str, ...] | None = None

    @property
    def everyone(self) -> bool:
        return not (self.segments or self.owners or self.currencies) and (
            self.allowed_owners is None
        )


def source(path: Path | str, *, label: str | None = None, **options: str | None) -> Source:
    """A `Source` for a folder or file, stamped with its files as they are now."""
    path = Path(path)
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    stamp = tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.is_file())
    return Source(str(path), label or path.name, stamp=stamp, **options)


def stage_upload(files: list[tuple[str, bytes]]) -> Path:
    """Uploaded files written, under their own base names only, into a folder named by their
    content: the same upload is the same folder (and the same cache entries)."""
    digest = hashlib.sha256()
    for name, content in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    folder = Path(tempfile.gettempdir()) / "reportgen-dashboard" / digest.hexdigest()[:20]
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files:
        (folder / Path(name).name).write_bytes(content)
    return folder


# --- loading --------------------------------------------------------------------------------


@st.cache_resource(max_entries=4, show_spinner=False)
def dataset(src: Source) -> Dataset:
    """The canonical tables and every problem found reading them (may raise DataError)."""
    return load(Path(src.path), options=src.options)


@st.cache_resource(max_entries=4, show_spinner=False)
def attributes(src: Source) -> pl.DataFrame:
    """customer_id, name, segment, owner, currency of every customer (reportgen.scope)."""
    return scope.customer_attributes(dataset(src))


@st.cache_resource(max_entries=4, show_spinner=False)
def document_dates(src: Source) -> tuple[date | None, date | None]:
    """The first and the last document date: the range an as-of date is chosen in."""
    ds = dataset(src)
    dated = (("invoices", "invoice_date"), ("payments", "payment_date"), ("credit_notes", "date"))
    found = [ds.tables[t][c] for t, c in dated if ds.has(t) and ds.tables[t].height]
    firsts = [s.min() for s in found if s.min() is not None]
    lasts = [s.max() for s in found if s.max() is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def filter_values(src: Source, column: str, allowed_owners: tuple[str, ...] | None) -> list[str]:
    """The values a sidebar filter offers: those of the customers the user may see."""
    frame = attributes(src)
    if allowed_owners is not None:
        frame = frame.filter(pl.col("owner").is_in(list(allowed_owners)))
    return sorted(frame[column].drop_nulls().unique().to_list())


@st.cache_resource(max_entries=32, show_spinner=False)
def customer_ids(src: Source, sc: Scope) -> frozenset[str]:
    """The ids of the customers in the scope."""
    owners = sc.owners
    if sc.allowed_owners is not None:
        owners = tuple(o for o in (owners or sc.allowed_owners) if o in sc.allowed_owners)
        if not owners:
            return frozenset()
    chosen = scope.select_customers(
        attributes(src), segments=sc.segments, owners=owners, currencies=sc.currencies
    )
    return frozenset(chosen)


@st.cache_resource(max_entries=16, show_spinner=False)
def scoped(src: Source, sc: Scope) -> Dataset:
    """The dataset of the scope's customers (the whole one when the scope is everyone)."""
    ds = dataset(src)
    return ds if sc.everyone else scope.restrict(ds, customer_ids(src, sc))


def _in_scope(frame: pl.DataFrame, src: Source, sc: Scope) -> pl.DataFrame:
    if sc.everyone:
        return frame
    ids = pl.Series(sorted(customer_ids(src, sc)), dtype=pl.String)
    return frame.filter(pl.col("customer_id").is_in(ids.implode()))


# --- aging and credit -----------------------------------------------------------------------


@st.cache_resource(max_entries=24, show_spinner=False)
def _customers(src: Source, as_of: date, basis: str, bounds: tuple[int, ...]) -> pl.DataFrame:
    ds = dataset(src)
    table = customer_aging(
        ds,
        as_of=as_of,
        basis=basis,
        bounds=bounds,
        credit=True,
        hold_after_days=policy().hold_after_days,
    ).collect()
    extra = attributes(src).select("customer_id", "segment", "owner", "currency")
    return table.join(extra, on="customer_id", how="left")


def customers(
    src: Source,
    sc: Scope,
    as_of: date,
    *,
    basis: str = "due",
    bounds: tuple[int, ...] = DEFAULT_BOUNDS,
) -> pl.DataFrame:
    """`reportgen aging --credit --hold-after-days N` at D (customer level; N from the credit
    policy) for the scope's customers, with their segment, owner and currency."""
    return _in_scope(_customers(src, as_of, basis, tuple(bounds)), src, sc)


@st.cache_resource(max_entries=12, show_spinner=False)
def _open_items(src: Source, as_of: date, basis: str, bounds: tuple[int, ...]) -> pl.DataFrame:
    ds = dataset(src)
    table = invoice_aging(ds, as_of=as_of, basis=basis, bounds=bounds).collect()
    extra = attributes(src).select("customer_id", *ATTRIBUTES)
    return table.join(extra, on="customer_id", how="left")


def open_items(
    src: Source,
    sc: Scope,
    as_of: date,
    *,
    basis: str = "due",
    bounds: tuple[int, ...] = DEFAULT_BOUNDS,
) -> pl.DataFrame:
    """`reportgen aging --level invoice` at D for the scope, with name, segment, owner and
    currency of each customer."""
    return _in_scope(_open_items(src, as_of, basis, tuple(bounds)), src, sc)


# --- KPIs -----------------------------------------------------------------------------------


def kpi_periods(src: Source, as_of: date, every: str, count: int) -> list[periods.Period]:
    """The last `count` periods ending at D, none ending before the first document."""
    first, _ = document_dates(src)
    return periods.trailing(as_of, every, count, not_before=first)


@st.cache_resource(max_entries=8, show_spinner=False)
def customer_facts(src: Source, as_of: date, every: str, count: int) -> metrics.CustomerFacts:
    """The KPI facts of the last `count` periods ending at D, per customer: the allocations
    at every period end are made once for the whole ledger, whatever the filters."""
    return metrics.customer_facts(dataset(src), kpi_periods(src, as_of, every, count))


@st.cache_resource(max_entries=32, show_spinner=False)
def kpis(src: Source, sc: Scope, as_of: date, every: str, count: int) -> pl.DataFrame:
    """`reportgen kpis` for the last `count` periods ending at D (one row each, oldest first),
    of the scope's customers: their customer facts summed, equal to the KPIs of their own
    ledger (tests/test_scope.py), so a new filter costs no allocation."""
    ds = dataset(src)
    facts = customer_facts(src, as_of, every, count)
    if sc.everyone:
        groups = metrics.customer_groups(ds, None)
    else:
        groups = scope.as_group(ds, customer_ids(src, sc))
    return metrics.kpis(metrics.group_facts(ds, facts, groups), digits=ds.digits)


# --- one customer ---------------------------------------------------------------------------


@st.cache_resource(max_entries=64, show_spinner=False)
def behaviour(src: Source, customer_id: str, as_of: date, every: str) -> pl.DataFrame:
    """Invoices the customer settled in each of the last periods, with the weighted days to
    pay and days late (the review site's payment behaviour)."""
    from reportgen.report.data import payment_behaviour

    ds = dataset(src)
    wanted = kpi_periods(src, as_of, every, TREND_PERIODS)
    _, last = document_dates(src)
    settled_as_of = max(as_of, last) if last else as_of
    return payment_behaviour(ds, wanted, [customer_id], settled_as_of=settled_as_of)


def documents(src: Source, table: str, customer_id: str, as_of: date) -> pl.DataFrame:
    """The customer's payments or credit notes dated on or before D, newest first, money as
    exact decimals."""
    from reportgen import money

    ds = dataset(src)
    if not ds.has(table):
        return pl.DataFrame()
    dated = "payment_date" if table == "payments" else "date"
    frame = ds.tables[table].filter(
        (pl.col("customer_id").cast(pl.String) == customer_id) & (pl.col(dated) <= as_of)
    )
    return (
        frame.drop([c for c in frame.columns if c.startswith("__")])
        .with_columns(money.to_decimal("amount", ds.digits), pl.col("customer_id").cast(pl.String))
        .sort(dated, descending=True)
    )


# --- reconciliation -------------------------------------------------------------------------


@st.cache_resource(max_entries=8, show_spinner=False)
def reconciliation(src: Source, sc: Scope, as_of: date) -> dict[str, pl.DataFrame]:
    """`reportgen reconcile --as-of D` of the scope: exceptions, sheet and roll-forward, money
    as exact decimals."""
    from reportgen import reconcile

    ds = scoped(src, sc)
    return reconcile.for_output(reconcile.reconcile(ds, as_of=as_of), ds.digits)


# --- collections ----------------------------------------------------------------------------
# The worklist, the ratings and a customer's timeline are computed for the whole company and
# then selected: a customer's priority and its share of exposure depend on the portfolio, so
# a filtered page shows the rows `reportgen worklist` / `reportgen ratings` print for them.


POLICY_ENV = "REPORTGEN_POLICY"  # `reportgen dashboard --policy FILE` sets it


@st.cache_resource(max_entries=4, show_spinner=False)
def _policy(path: str | None):
    from reportgen.policy import load_policy

    return load_policy(Path(path) if path else None)


def policy():
    """The credit policy of the worklist, the ratings and the timeline: the file in
    $REPORTGEN_POLICY on top of the default, as `reportgen worklist --policy FILE` reads it;
    without it the default (reportgen/policy_default.toml). One per dashboard process: the
    command line checks the file before Streamlit starts, and the figures cached under it are
    not keyed by it. A file that became unreadable since is said on the page, which stops."""
    import os

    from reportgen.policy import PolicyError

    try:
        return _policy(os.environ.get(POLICY_ENV) or None)
    except PolicyError as exc:
        st.error(str(exc))
        st.stop()


@st.cache_resource(max_entries=8, show_spinner=False)
def _worklist(src: Source, as_of: date) -> pl.DataFrame:
    """`collections.worklist` at D, money in minor units; the risk in the priority is the
    customer's rating over D's month so far, as `reportgen worklist` reads it."""
    from reportgen.collections import worklist as collection_worklist
    from reportgen.ratings import latest_grades, rating_history

    ds = dataset(src)
    month = periods.between(as_of.replace(day=1), as_of)
    history = rating_history(ds, [month], policy=policy())
    return collection_worklist(
        ds, as_of=as_of, policy=policy(), grades=latest_grades(history)
    ).collect()


@st.cache_resource(max_entries=8, show_spinner=False)
def _worklist_table(src: Source, as_of: date, lang: str) -> pl.DataFrame:
    from reportgen.collections import worklist_table

    return worklist_table(_worklist(src, as_of), digits=dataset(src).digits, lang=lang)


def worklist(src: Source, sc: Scope, as_of: date, lang: str) -> pl.DataFrame:
    """The rows `reportgen worklist --as-of D --lang LANG --out FILE` writes (exact decimals,
    the action in words), of the scope's customers."""
    return _in_scope(_worklist_table(src, as_of, lang), src, sc)


@st.cache_resource(max_entries=16, show_spinner=False)
def _ratings(src: Source, as_of: date, every: str, count: int) -> pl.DataFrame:
    """`ratings.rating_history` for the last `count` periods ending at D (minor units), from
    the exposures the KPIs computed at those periods' ends (no allocation of its own)."""
    from reportgen.ratings import rating_history

    wanted = kpi_periods(src, as_of, every, count)
    snapshots = customer_facts(src, as_of, every, max(count, TREND_PERIODS)).snapshots
    return rating_history(dataset(src), wanted, policy=policy(), exposures=snapshots)


def ratings(src: Source, sc: Scope, as_of: date, every: str) -> pl.DataFrame:
    """`reportgen ratings` for the period ending at D (`--period 2025-12` when D closes the
    month), of the scope's customers: grade, previous grade, change, score, warnings, factors
    and their points."""
    history = _ratings(src, as_of, every, 1)
    return _in_scope(
        for_output(history, ["exposure", "credit_limit"], dataset(src).digits), src, sc
    )


def rating_warnings(src: Source, sc: Scope, as_of: date, every: str) -> pl.DataFrame:
    """`reportgen ratings --view warnings` for the period ending at D, of the scope."""
    from reportgen.ratings import early_warnings

    warned = early_warnings(_ratings(src, as_of, every, 1))
    return _in_scope(for_output(warned, [], dataset(src).digits), src, sc)


@st.cache_resource(max_entries=64, show_spinner=False)
def timeline(src: Source, customer_id: str, as_of: date, every: str) -> pl.DataFrame:
    """The customer's activities, dunning rungs at D and grade changes over the last periods,
    newest first (`reportgen.timeline`), money as exact decimals."""
    from reportgen import money
    from reportgen.timeline import customer_timeline

    ds = dataset(src)
    frame = customer_timeline(
        ds,
        customer_id,
        as_of=as_of,
        policy=policy(),
        worklist=_worklist(src, as_of),
        ratings=_ratings(src, as_of, every, TREND_PERIODS),
        periods=kpi_periods(src, as_of, every, TREND_PERIODS),
    )
    return frame.with_columns(money.to_decimal("amount", ds.digits))
