"""The roll-forward (issue 4): the opening balance plus the period's documents is the closing.

Per period P = (start, end] and customer, in the base currency's minor units:

    opening + invoiced − collected − credited − written_off + refunds + fx_revaluation
        + difference = closing

`opening` and `closing` are the customer's net balance (Σ of all its open items, unapplied
credit included) as the ledger states it at `start` and at `end`, each at its own date's rates
(SPEC §5). The movements are the documents dated in P, each converted at the rate of `end` and
rounded half-up per document (SPEC §8: flows at the rate of the end); refunds are money paid
back, so they raise the balance.

`difference` is the break: the part of the change in balance that the documents do not account
for. It is measured where no exchange rate enters, in the customer's allocation currency (its
one currency, or the base currency with each document converted at the date's rate for a
customer with several, SPEC §8), as (ledger − documents) at `end` minus the same at `start`.
So it is exact, and zero whenever the ledger has neither created nor lost money.
`fx_revaluation` is what remains of the change: the foreign-currency balance revalued from the
rates of `start` to those of `end`, with the per-item rounding of SPEC §8. It is 0 for a
customer whose documents are all in the base currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

import polars as pl

from reportgen import money
from reportgen.ledger import open_items, rates_on
from reportgen.load import DataError, Dataset
from reportgen.periods import Period, series

ONE_DAY = timedelta(days=1)
FLOWS = ("invoiced", "collected", "credited", "written_off", "refunds")
MONEY_COLUMNS = ("opening", *FLOWS, "fx_revaluation", "closing", "difference")
ROLLFORWARD_COLUMNS = (
    "period",
    "opening_date",
    "closing_date",
    "customer_id",
    "currency",
    *MONEY_COLUMNS,
)
BALANCE_SCHEMA = {
    "customer_id": pl.Categorical,
    "currency": pl.String,
    "open_amount": pl.Int64,
    "unapplied_credit": pl.Int64,
    "net_balance": pl.Int64,
    "net_balance_ccy": pl.Int64,
    "unaccounted_ccy": pl.Int64,
}


class Span(Protocol):
    """A period (start, end]: `start` is the day the opening balance is taken (the day before
    the first day), as in `reportgen.periods.Period`."""

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...


# --- the documents, as movements of the balance -------------------------------------------


def documents(ds: Dataset) -> pl.LazyFrame:
    """Every invoice, payment and credit note as a movement of its customer's balance.

    Columns: doc_id, customer_id, date, currency (the document's), flow (invoiced, collected,
    credited, written_off or refunds), amount (positive, as the flow column shows it) and
    effect (+ raises what the customer owes, − lowers it), in minor units of the currency.
    """
    invoices = ds.table("invoices").select(
        doc_id="invoice_id",
        customer_id="customer_id",
        date="invoice_date",
        currency="currency",
        flow=pl.lit("invoiced"),
        amount="amount",
        effect="amount",
    )
    # A negative payment is money paid back to the customer (SPEC §8): it raises the balance.
    payments = ds.table("payments").select(
        doc_id="payment_id",
        customer_id="customer_id",
        date="payment_date",
        currency="currency",
        flow=pl.when(pl.col("amount") < 0).then(pl.lit("refunds")).otherwise(pl.lit("collected")),
        amount=pl.col("amount").abs(),
        effect=-pl.col("amount"),
    )
    notes = ds.table("credit_notes")
    kind = (
        pl.col("type").str.to_lowercase()
        if "type" in notes.collect_schema().names()
        else pl.lit(None, pl.String)
    )
    credit_notes = notes.select(
        doc_id="credit_note_id",
        customer_id="customer_id",
        date="date",
        currency="currency",
        # a write-off is a credit note that gives up the debt rather than correcting the sale
        flow=pl.when(kind == "write_off").then(pl.lit("written_off")).otherwise(pl.lit("credited")),
        amount="amount",
        effect=-pl.col("amount"),
    )
    return pl.concat([invoices, payments, credit_notes])


def _single_currency(ds: Dataset) -> bool:
    return set(ds.currencies) <= {ds.base_currency}


def in_base(frame: pl.LazyFrame, columns: Sequence[str], rates: pl.LazyFrame) -> pl.LazyFrame:
    """`columns` converted from each row's `currency` at `rates`, half-up per row (SPEC §8)."""
    return (
        frame.join(rates.rename({"rate": "__rate"}), on="currency", how="left")
        .with_columns(money.convert(c, "__rate").alias(c) for c in columns)
        .drop("__rate")
    )


def _documented_balance(ds: Dataset, docs: pl.LazyFrame, day: date) -> pl.LazyFrame:
    """What the documents dated on or before `day` say each customer owes, in its allocation
    currency: its one currency, or the base currency at `day`'s rates when it has several (as
    the ledger allocates it, SPEC §8)."""
    on = docs.filter(pl.col("date") <= day)
    if _single_currency(ds):
        return on.group_by("customer_id").agg(
            documented_currency=pl.col("currency").first(), documented_ccy=pl.col("effect").sum()
        )
    mixed = pl.col("currency").n_unique().over("customer_id") > 1
    converted = in_base(
        on.with_columns(__base=pl.col("effect")), ["__base"], rates_on(ds, day)
    ).with_columns(
        __value=pl.when(mixed).then(pl.col("__base")).otherwise(pl.col("effect")),
        __currency=pl.when(mixed).then(pl.lit(ds.base_currency)).otherwise(pl.col("currency")),
    )
    return converted.group_by("customer_id").agg(
        documented_currency=pl.col("__currency").first(), documented_ccy=pl.col("__value").sum()
    )


# --- balances at a date -------------------------------------------------------------------


def customer_balances(
    ds: Dataset, *, as_of: date, items: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per customer with a document on D: its allocation `currency`, `open_amount` (what it
    owes), `unapplied_credit`, `net_balance` (= open_amount − unapplied_credit) in base minor
    units, `net_balance_ccy` in the allocation currency, and `unaccounted_ccy`: the ledger's
    balance minus what the documents say, in the allocation currency (0 unless the ledger lost
    or created money; blank for an open-item snapshot, which has no documents to compare).
    `items` are the open items at D (FIFO) when the caller has them already."""
    if items is None:
        items = open_items(ds, as_of=as_of).collect()
    kind = pl.col("kind")
    ledger = items.group_by("customer_id").agg(
        currency=pl.col("currency").first(),
        open_amount=pl.col("open_amount").filter(kind != "unapplied").sum(),
        unapplied_credit=-pl.col("open_amount").filter(kind == "unapplied").sum(),
        net_balance=pl.col("open_amount").sum(),
        net_balance_ccy=pl.col("open_amount_ccy").sum(),
    )
    if ds.is_snapshot:
        return ledger.with_columns(unaccounted_ccy=pl.lit(None, pl.Int64)).select(
            list(BALANCE_SCHEMA)
        )
    documented = _documented_balance(ds, documents(ds), as_of).collect()
    money_cols = ["open_amount", "unapplied_credit", "net_balance", "net_balance_ccy"]
    return (
        ledger.join(documented, on="customer_id", how="full", coalesce=True)
        .with_columns(
            pl.col(*money_cols, "documented_ccy").fill_null(0),
            currency=pl.coalesce("currency", "documented_currency"),
        )
        .with_columns(unaccounted_ccy=pl.col("net_balance_ccy") - pl.col("documented_ccy"))
        .select(list(BALANCE_SCHEMA))
    )


@dataclass
class Balances:
    """Open items and each customer's balance at a date (`customer_balances`), worked out once
    per date: a reconciliation asks for the same month-ends for the roll-forward, the GL and
    the statements."""

    ds: Dataset
    _items: dict[date, pl.DataFrame] = field(default_factory=dict)
    _at: dict[date, pl.DataFrame] = field(default_factory=dict)

    def items(self, day: date) -> pl.DataFrame:
        """The open items at `day` (FIFO), collected."""
        if day not in self._items:
            self._items[day] = open_items(self.ds, as_of=day).collect()
        return self._items[day]

    def at(self, day: date) -> pl.DataFrame:
        if day not in self._at:
            self._at[day] = customer_balances(self.ds, as_of=day, items=self.items(day))
        return self._at[day]


# --- periods --------------------------------------------------------------------------------


def monthly_periods(ds: Dataset, *, as_of: date) -> list[Period]:
    """The calendar months from the first document's month to D (the last one ends on D).

    With foreign currencies the first opening is no earlier than the first day on which every
    currency has a rate: a balance can only be valued where a rate exists (SPEC §5).
    """
    firsts = [
        ds.tables[name][column].min()
        for name, column in (
            ("invoices", "invoice_date"),
            ("payments", "payment_date"),
            ("credit_notes", "date"),
        )
        if ds.has(name) and ds.tables[name].height
    ]
    firsts = [d for d in firsts if d is not None and d <= as_of]
    if not firsts:
        return []
    opening = min(firsts).replace(day=1) - ONE_DAY
    if not _single_currency(ds):
        rated = (
            ds.table("fx_rates")
            .group_by("currency")
            .agg(pl.col("date").min())
            .collect()["date"]
            .max()
        )
        if rated is not None:
            opening = max(opening, rated)
    if opening >= as_of:
        return []
    return series(opening + ONE_DAY, as_of, "month")


def _label(period: Span) -> str:
    return getattr(period, "label", "") or f"{period.start + ONE_DAY}..{period.end}"


# --- the roll-forward -----------------------------------------------------------------------


def rollforward(
    ds: Dataset, periods: Sequence[Span], *, balances: Balances | None = None
) -> pl.LazyFrame:
    """One row per (period, customer) with any balance or movement, then a total row per
    period (customer_id and currency blank). Columns: period, opening_date, closing_date,
    customer_id, currency (of allocation at the closing date), opening, invoiced, collected,
    credited, written_off, refunds, fx_revaluation, closing, difference — money in base minor
    units; any non-zero `difference` is a break (see the module docstring)."""
    if not periods:
        return empty_rollforward().lazy()
    if ds.is_snapshot:
        raise DataError(
            "the invoices are an open-item snapshot of one date: there is no opening balance "
            "to roll forward from"
        )
    book = balances or Balances(ds)
    docs = documents(ds).collect().lazy()
    customers = pl.concat([_period_rows(ds, period, book, docs) for period in periods])
    keys = ["period", "opening_date", "closing_date"]
    totals = customers.group_by(keys, maintain_order=True).agg(
        pl.lit(None, pl.Categorical).alias("customer_id"),
        pl.lit(None, pl.String).alias("currency"),
        *[pl.col(c).sum() for c in MONEY_COLUMNS],
    )
    return (
        pl.concat([customers, totals.select(ROLLFORWARD_COLUMNS)])
        .sort(
            "closing_date",
            pl.col("customer_id").is_null(),
            pl.col("customer_id").cast(pl.String),
        )
        .lazy()
    )


def empty_rollforward() -> pl.DataFrame:
    """A roll-forward with no periods: its columns, no rows."""
    schema = {
        "period": pl.String,
        "opening_date": pl.Date,
        "closing_date": pl.Date,
        "customer_id": pl.Categorical,
        "currency": pl.String,
        **dict.fromkeys(MONEY_COLUMNS, pl.Int64),
    }
    return pl.DataFrame(schema=schema)


def _movements(ds: Dataset, docs: pl.LazyFrame, period: Span) -> pl.LazyFrame:
    """The period's documents per customer and flow, each at the rate of the period's end."""
    moved = docs.filter((pl.col("date") > period.start) & (pl.col("date") <= period.end))
    if not _single_currency(ds):
        moved = in_base(moved, ["amount"], rates_on(ds, period.end))
    return moved.group_by("customer_id").agg(
        pl.col("amount").filter(pl.col("flow") == flow).sum().alias(flow) for flow in FLOWS
    )


def _period_rows(ds: Dataset, period: Span, book: Balances, docs: pl.LazyFrame) -> pl.DataFrame:
    opening = book.at(period.start).select(
        "customer_id",
        opening="net_balance",
        __opening_ccy="currency",
        __opening_off="unaccounted_ccy",
    )
    closing = book.at(period.end).select(
        "customer_id", "currency", closing="net_balance", __closing_off="unaccounted_ccy"
    )
    frame = (
        opening.lazy()
        .join(closing.lazy(), on="customer_id", how="full", coalesce=True)
        .join(_movements(ds, docs, period), on="customer_id", how="full", coalesce=True)
        .with_columns(
            pl.col("opening", "closing", *FLOWS, "__opening_off", "__closing_off").fill_null(0),
            currency=pl.coalesce("currency", "__opening_ccy"),
        )
    )
    # The ledger's unaccounted money at each end, both valued at the end's rates, so that the
    # break itself carries no exchange difference.
    off_end, off_start = pl.col("__closing_off"), pl.col("__opening_off")
    if not _single_currency(ds):
        rates = rates_on(ds, period.end).rename({"rate": "__rate"})
        frame = frame.join(rates, on="currency", how="left").join(
            rates.rename({"currency": "__opening_ccy", "__rate": "__opening_rate"}),
            on="__opening_ccy",
            how="left",
        )
        off_end = money.convert(off_end, pl.col("__rate").fill_null(10**money.RATE_DIGITS))
        off_start = money.convert(
            off_start, pl.col("__opening_rate").fill_null(10**money.RATE_DIGITS)
        )
    moved = (
        pl.col("invoiced")
        - pl.col("collected")
        - pl.col("credited")
        - pl.col("written_off")
        + pl.col("refunds")
    )
    frame = frame.with_columns(difference=off_end - off_start).with_columns(
        fx_revaluation=pl.col("closing") - pl.col("opening") - moved - pl.col("difference")
    )
    return (
        frame.filter(pl.any_horizontal(pl.col(c) != 0 for c in MONEY_COLUMNS))
        .select(
            period=pl.lit(_label(period)),
            opening_date=pl.lit(period.start, pl.Date),
            closing_date=pl.lit(period.end, pl.Date),
            customer_id="customer_id",
            currency="currency",
            **{c: pl.col(c) for c in MONEY_COLUMNS},
        )
        .collect()
    )
