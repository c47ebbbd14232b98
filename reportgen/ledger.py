"""Open items as of a date D (SPEC §2): who owes what, instalment by instalment.

A pure function of the loaded tables and D; the core never reads today's date. The result is
one frame of *items*: open instalments (`kind = invoice`), credits left on account (`credit`,
negative, in open-item mode), refunds the pool could not cover (`refund`), and one `unapplied`
row per customer holding the credit the FIFO pool could not place (negative).
Σ open_amount over all rows of a customer is its net balance.

Every allocation below is the same step: a quantity is spread over an ordered list of
amounts, oldest first, each taking at most its own amount (`_consume`, a running total per
group). Documents that quote invoices are sorted by the id they quote and matched to the
invoices by one as-of join on the sorted ids, then summed by linear scans over runs of equal
invoices: the costliest stage on millions of rows (see `_matched`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

import polars as pl

from reportgen import money
from reportgen.load import DataError, Dataset

Unapplied = Literal["fifo", "open-item"]
T = TypeVar("T")
ITEM_COLUMNS = [
    "item_id",
    "customer_id",
    "instalment",
    "invoice_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "kind",
]
# Payments are taken before credit notes on the same day (SPEC §8).
PAYMENT, CREDIT_NOTE = 0, 1
CROSSING = -1  # marks a document whose invoice is over-applied, before its order is resolved


def _consume(
    quantity: pl.Expr, amount: pl.Expr, *, over: str | list[str], order_by: list[str]
) -> pl.Expr:
    """How much of `quantity` each row takes when it is spread over `amount`s in order."""
    before = amount.cum_sum().over(over, order_by=order_by) - amount
    return (quantity - before).clip(0, amount)


def _consume_in_runs(quantity: pl.Expr, amount: pl.Expr, group: pl.Expr) -> pl.Expr:
    """`_consume` over rows already in order, each group one run of consecutive rows with
    the same `group`: running totals over the whole column, no window to sort or hash."""
    run_start = (group != group.shift(1)).fill_null(True)
    before = amount.cum_sum() - amount  # Σ of the earlier rows, then less the earlier runs'
    before = before - pl.when(run_start).then(before).forward_fill()
    return (quantity - before).clip(0, amount)


# --- stage 1: what existed on D ------------------------------------------------------------


def _invoices_on(ds: Dataset, as_of: date) -> pl.LazyFrame:
    cols = ["invoice_id", "customer_id", "invoice_date", "due_date", "amount", "currency"]
    if ds.is_snapshot:
        cols.append("open_amount")
    return _dated_on(ds, "invoices", "invoice_date", as_of).select(cols)


def _dated_on(ds: Dataset, table: str, column: str, as_of: date) -> pl.LazyFrame:
    """The rows of a table dated on or before D; the table itself when all of it is (no copy
    of millions of rows for a D at the end of the data)."""
    latest = ds.tables[table][column].max() if ds.has(table) else None
    if latest is None or latest <= as_of:
        return ds.table(table)
    return ds.table(table).filter(pl.col(column) <= as_of)


def _credits_on(ds: Dataset, as_of: date) -> pl.LazyFrame:
    """Payments and credit notes dated on or before D, as one list of credits."""

    def credits(table: str, doc_id: str, dated: str, rank: int) -> pl.LazyFrame:
        return _dated_on(ds, table, dated, as_of).select(
            doc_id=doc_id,
            customer_id="customer_id",
            date=dated,
            amount="amount",
            invoice_id=_optional(ds, table, "invoice_id"),
            currency="currency",
            rank=pl.lit(rank, pl.Int8),
        )

    return pl.concat(
        [
            credits("payments", "payment_id", "payment_date", PAYMENT),
            credits("credit_notes", "credit_note_id", "date", CREDIT_NOTE),
        ]
    )


def _optional(ds: Dataset, table: str, column: str) -> pl.Expr:
    if ds.has(table) and column in ds.tables[table].columns:
        return pl.col(column)
    return pl.lit(None, pl.String)


# --- stage 2: one currency per customer --------------------------------------------------


def rates_on(ds: Dataset, as_of: date) -> pl.LazyFrame:
    """The latest rate dated on or before D for each currency (revaluation at D, SPEC §5);
    the base currency is 1."""
    base = pl.LazyFrame(
        {"currency": [ds.base_currency], "rate": [10**money.RATE_DIGITS]},
        schema={"currency": pl.String, "rate": pl.Int128},
    )
    rates = (
        ds.table("fx_rates")
        .filter(pl.col("date") <= as_of)
        .sort("date")
        .group_by("currency")
        .agg(pl.col("rate").last())
        .filter(pl.col("currency") != ds.base_currency)
    )
    return pl.concat([base, rates])


def check_rates(ds: Dataset, as_of: date) -> None:
    """Several currencies and no usable rate at D is an error naming both (SPEC §5)."""
    have = set(rates_on(ds, as_of).collect()["currency"].to_list())
    missing = sorted(set(ds.currencies) - have)
    if missing:
        raise DataError(
            f"no exchange rate for {', '.join(missing)} dated on or before {as_of} in "
            f"fx_rates.csv (base currency {ds.base_currency or 'not set'})"
        )


def _single_currency(ds: Dataset) -> bool:
    return set(ds.currencies) <= {ds.base_currency}


def _in_allocation_currency(
    ds: Dataset, invoices: pl.LazyFrame, credits: pl.LazyFrame, rates: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """A customer with documents in several currencies is allocated in the base currency at
    D; one with a single currency keeps it (SPEC §8). Converted invoices keep their exact
    instalment split because schedules are converted as running totals (see _instalments)."""
    if _single_currency(ds):
        return invoices, credits
    mixed = (
        pl.concat(
            [invoices.select("customer_id", "currency"), credits.select("customer_id", "currency")]
        )
        .group_by("customer_id")
        .agg(pl.col("currency").n_unique().alias("__n"))
        .filter(pl.col("__n") > 1)
        .select("customer_id", __mixed=pl.lit(True))
    )

    def to_base(frame: pl.LazyFrame, money_cols: list[str]) -> pl.LazyFrame:
        frame = frame.join(mixed, on="customer_id", how="left").join(
            rates.rename({"rate": "__rate"}), on="currency", how="left"
        )
        mixed_row = pl.col("__mixed").fill_null(False)
        return frame.with_columns(
            *[
                pl.when(mixed_row).then(money.convert(c, "__rate")).otherwise(pl.col(c)).alias(c)
                for c in money_cols
            ],
            __doc_ccy=pl.col("currency"),
            __doc_rate=pl.col("__rate"),
            currency=pl.when(mixed_row)
            .then(pl.lit(ds.base_currency))
            .otherwise(pl.col("currency")),
        ).drop("__mixed", "__rate")

    inv_money = ["amount", "open_amount"] if ds.is_snapshot else ["amount"]
    return to_base(invoices, inv_money), to_base(credits, ["amount"]).drop(
        "__doc_ccy", "__doc_rate"
    )


# --- stage 3: referenced documents reduce their invoice ----------------------------------


def _invoice_keys(invoices: pl.DataFrame) -> pl.DataFrame:
    """The invoices' ids sorted (as most exports list them already), with each one's row
    (`__row`), customer code and amount."""
    keys = invoices.select(
        __key="invoice_id",
        # customers as exact integer codes: cheaper to carry and compare than text
        __inv_customer=pl.col("customer_id").to_physical(),
        __inv_amount="amount",
    ).with_row_index("__row")
    if keys["__key"].is_sorted():
        return keys.with_columns(pl.col("__key").set_sorted())
    return keys.lazy().sort("__key").collect()  # (lazily: 3 s against 7.5 s for 10M shuffled ids)


def _matched(keys: pl.DataFrame, credits: pl.DataFrame) -> pl.DataFrame:
    """Every credit that quotes an invoice id, sorted by that id, with the invoice it names.

    One as-of join on the sorted ids gives each credit the last invoice whose id is not after
    its own: `__row` is that invoice's row (null: none), and `__found` says whether its id is
    the one quoted. Credits of one invoice are consecutive, so per-invoice totals are running
    totals over runs of equal `__row`: no hash join, no group-by (both several times slower
    on millions of ids).
    """
    quoting = (
        credits.lazy()
        .select("invoice_id", __customer=pl.col("customer_id").to_physical(), amount="amount")
        .with_row_index("__doc")
        .drop_nulls("invoice_id")
        .sort("invoice_id", maintain_order=True)  # (stable: measured faster here)
        .collect()  # (sorted apart from the join: one plan of both measured ~40 % slower)
    )
    return (
        quoting.lazy()
        .set_sorted("invoice_id")
        .join_asof(keys.lazy(), left_on="invoice_id", right_on="__key", strategy="backward")
        .with_columns(__found=(pl.col("__key") == pl.col("invoice_id")).fill_null(False))
        .collect()
    )


def _referenced(
    ds: Dataset, invoices: pl.LazyFrame, credits: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(invoices with the `reduction` their referenced documents make, every credit with the
    part it `applied` to its invoice and the `excess` that joins the pool).

    A reference counts only to an invoice of the same customer that exists on D; documents on
    one invoice are taken by date, payments first, then id, and the one that crosses the
    invoice amount carries the excess (SPEC §2.2, §8). Refunds (negative payments) are never
    applied to an invoice. In a snapshot the open amount already reflects the documents that
    quote the invoice: they are not applied again (SPEC §8).
    """
    invoices = invoices.collect()
    credits = credits.collect()
    amount, row = pl.col("amount"), pl.col("__row")
    valid = pl.col("__found") & (amount > 0) & (pl.col("__inv_customer") == pl.col("__customer"))
    on_invoice = pl.when(valid).then(amount).otherwise(0)
    # Σ over a run = running total at its last row − running total before its first row.
    start, end = (row != row.shift(1)).fill_null(True), (row != row.shift(-1)).fill_null(True)
    cum = pl.col("__cum")
    keys = _invoice_keys(invoices)
    runs = (
        _matched(keys, credits)
        .lazy()
        .with_columns(__on=on_invoice)
        .with_columns(__cum=pl.col("__on").cum_sum(), __start=start, __end=end)
        .with_columns(
            __total=pl.when("__end").then(cum).backward_fill()
            - pl.when("__start").then(cum - pl.col("__on")).forward_fill()
        )
    )
    total = pl.col("__total")
    if ds.is_snapshot:
        # the open amount already holds them: applied, so that they are not pooled either
        value = pl.col("__on")
    else:
        # Most invoices receive no more than their amount: every document applies in full;
        # CROSSING marks the documents of over-applied invoices, resolved below.
        value = (
            pl.when(pl.col("__on") == 0)
            .then(0)
            .when(total <= pl.col("__inv_amount"))
            .then(amount)
            .otherwise(CROSSING)
        )
    runs = runs.select(
        "__doc",
        "__row",
        "__inv_amount",
        "__end",
        __value=value,
        __reduction=pl.min_horizontal(total, pl.col("__inv_amount")),
    ).collect()
    # The credits' and the invoices' results are written back to their rows side by side:
    # each is mostly a scatter, which runs on one core.
    with ThreadPoolExecutor(max_workers=1) as pool:
        applied = pool.submit(_applied, runs, credits)
        reduced = _reduced(ds, runs, invoices, keys)
        referenced = credits.with_columns(applied=applied.result())
    return reduced.lazy(), referenced.lazy().with_columns(
        excess=pl.col("amount") - pl.col("applied")
    )


def _applied(runs: pl.DataFrame, credits: pl.DataFrame) -> pl.Series:
    """What each credit applies to the invoice it quotes, in the credits' own order (a credit
    quoting no invoice applies 0)."""
    applied = pl.zeros(credits.height, pl.Int64, eager=True).scatter(runs["__doc"], runs["__value"])
    # Over-applied invoices (rare) need their documents' order to know who carries the excess.
    crossing = (
        runs.lazy()
        .filter(pl.col("__value") == CROSSING)
        .select("__doc", "__row", "__inv_amount")
        .collect()
    )
    if crossing.height:
        docs = credits.select("date", "rank", "doc_id", "amount")[crossing["__doc"]]
        # Each invoice's amount spread over its documents in their order.
        resolved = (
            pl.concat([crossing, docs], how="horizontal")
            .sort("__row", "date", "rank", "doc_id")
            .select(
                "__doc",
                __value=_consume_in_runs(
                    pl.col("__inv_amount"), pl.col("amount"), group=pl.col("__row")
                ),
            )
        )
        applied = applied.scatter(resolved["__doc"], resolved["__value"])
    return applied


def _reduced(
    ds: Dataset, runs: pl.DataFrame, invoices: pl.DataFrame, keys: pl.DataFrame
) -> pl.DataFrame:
    """The invoices with the `reduction` their documents make and `__id_order`."""
    n = invoices.height
    # An invoice's place in id order serves later as the cheap integer stand-in for its id
    # (FIFO order): its row number where the file lists invoices by id, as most exports do.
    place = pl.arange(0, n, dtype=pl.UInt32, eager=True)
    in_file_order = keys["__row"].is_sorted()
    id_order = (
        place if in_file_order else pl.zeros(n, pl.UInt32, eager=True).scatter(keys["__row"], place)
    )
    reduced = invoices.with_columns(__id_order=id_order)
    if ds.is_snapshot:
        return reduced.with_columns(reduction=pl.col("amount") - pl.col("open_amount"))
    received = runs.lazy().filter(pl.col("__end") & pl.col("__row").is_not_null()).collect()
    reduction = pl.zeros(n, pl.Int64, eager=True).scatter(
        received["__row"], received["__reduction"]
    )
    return reduced.with_columns(reduction=reduction)


# --- stage 4: instalments, reduced in due-date order -------------------------------------


def _instalments(ds: Dataset, invoices: pl.LazyFrame) -> pl.LazyFrame:
    """Every instalment of every invoice on D with what is still open after its invoice's
    referenced `reduction`, consumed in due-date order (SPEC §2.2, §8)."""
    rows = _schedule(ds, invoices)
    remaining = pl.col("amount") - pl.col("consumed")
    # One instalment takes the whole reduction; several take it in due-date order.
    if not ds.has("payment_schedule"):
        return rows.with_columns(consumed=pl.col("reduction").clip(0, pl.col("amount"))).select(
            pl.exclude("reduction", "consumed", "__scheduled"), remaining=remaining
        )
    single = rows.filter(~pl.col("__scheduled")).with_columns(
        consumed=pl.col("reduction").clip(0, pl.col("amount"))
    )
    split = rows.filter(pl.col("__scheduled")).with_columns(
        consumed=_consume(
            pl.col("reduction"),
            pl.col("amount"),
            over="invoice_id",
            order_by=["due_date", "instalment"],
        )
    )
    return pl.concat([single, split]).select(
        pl.exclude("reduction", "consumed", "__scheduled"), remaining=remaining
    )


def _schedule(ds: Dataset, invoices: pl.LazyFrame) -> pl.LazyFrame:
    """Instalments from payment_schedule; an invoice without one is instalment 1."""
    head = ["invoice_id", "customer_id", "invoice_date", "currency", "reduction", "__id_order"]
    single = invoices.select(
        *head,
        instalment=pl.lit(1, pl.Int64),
        due_date="due_date",
        amount="amount",
        __scheduled=pl.lit(False),
    )
    if not ds.has("payment_schedule"):
        return single
    sched = ds.table("payment_schedule")
    if "instalment" not in ds.tables["payment_schedule"].columns:
        sched = sched.with_columns(
            # numbered in due-date order; same-day instalments by amount, so that the file's
            # row order never matters (equal ones are interchangeable)
            instalment=pl.struct("due_date", "amount")
            .rank("ordinal")
            .over("invoice_id")
            .cast(pl.Int64)
        )
    converted_cols = ["__doc_ccy", "__doc_rate"] if _has_rate(invoices) else []
    scheduled = invoices.select(*head, *converted_cols).join(
        sched.select("invoice_id", "instalment", "due_date", "amount"), on="invoice_id"
    )
    if _has_rate(invoices):
        # Instalments of an invoice converted to the base currency: convert running totals so
        # that the converted instalments still add up to the converted invoice.
        order = ["due_date", "instalment"]
        running = pl.col("amount").cum_sum().over("invoice_id", order_by=order)
        converted = money.convert(running, "__doc_rate")
        previous = converted.shift(1, fill_value=0).over("invoice_id", order_by=order)
        scheduled = scheduled.with_columns(
            amount=pl.when(pl.col("currency") != pl.col("__doc_ccy"))
            .then(converted - previous)
            .otherwise(pl.col("amount"))
        )
    scheduled = scheduled.with_columns(__scheduled=pl.lit(True)).select(
        single.collect_schema().names()
    )
    has_schedule = sched.select("invoice_id").unique()
    return pl.concat([single.join(has_schedule, on="invoice_id", how="anti"), scheduled])


def _has_rate(frame: pl.LazyFrame) -> bool:
    return "__doc_rate" in frame.collect_schema().names()


# --- stage 5: the pool -------------------------------------------------------------------


def _pool(referenced: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Pool documents after refunds, and the refunds the pool could not cover.

    The pool is unreferenced credits plus excesses; a refund pays money back out of it,
    oldest credit first, and what it pays beyond the pool is owed again, aged from the
    refund's date, latest refund first (SPEC §8).
    """
    credits = referenced.filter(pl.col("excess") > 0).select(
        "doc_id", "customer_id", "date", "rank", "currency", excess="excess"
    )
    refunds = referenced.filter(pl.col("amount") < 0).select(
        "doc_id", "customer_id", "date", "currency", refund=-pl.col("amount")
    )
    totals = refunds.group_by("customer_id").agg(refunded=pl.col("refund").sum())
    credits = credits.join(totals, on="customer_id", how="left")
    # Only the credits of customers who were refunded are ordered for the refunds to take
    # them oldest first; the others are left whole (most ledgers refund few customers or
    # none: both outputs 0.19-0.21 s -> 0.07-0.09 s for 0.67M pool documents, no refund).
    refunded = pl.col("refunded").is_not_null()
    order = ["date", "rank", "doc_id"]
    credits = pl.concat(
        [
            credits.filter(~refunded).with_columns(
                refunded=pl.lit(0, pl.Int64), left=pl.col("excess")
            ),
            credits.filter(refunded).with_columns(
                left=pl.col("excess")
                - _consume(pl.col("refunded"), pl.col("excess"), over="customer_id", order_by=order)
            ),
        ]
    )
    pool_totals = credits.group_by("customer_id").agg(pool=pl.col("excess").sum())
    refunds = (
        refunds.join(pool_totals, on="customer_id", how="left")
        .with_columns(
            shortfall=(
                pl.col("refund").sum().over("customer_id") - pl.col("pool").fill_null(0)
            ).clip(0)
        )
        .with_columns(
            owed=_consume(
                pl.col("shortfall"), pl.col("refund"), over="customer_id", order_by=_latest_first
            )
        )
    )
    return credits, refunds


# Refunds beyond the pool are owed latest first: the pool covered the earliest ones.
_latest_first = [-pl.col("date").cast(pl.Int32), -pl.col("doc_id").rank("dense").cast(pl.Int64)]


def _document_items(docs: pl.LazyFrame, open_amount: pl.Expr, kind: str) -> pl.LazyFrame:
    """Items that are documents rather than instalments (a credit left on account, a refund
    owed): the document's id and its date as both dates, no instalment (SPEC §8)."""
    return docs.select(
        item_id="doc_id",
        customer_id="customer_id",
        instalment=pl.lit(None, pl.Int64),
        invoice_date="date",
        due_date="date",
        amount=open_amount,
        open_amount=open_amount,
        currency="currency",
        kind=pl.lit(kind),
    )


def _instalment_items(instalments: pl.LazyFrame, open_amount: pl.Expr) -> pl.LazyFrame:
    return instalments.select(
        item_id="invoice_id",
        customer_id="customer_id",
        instalment="instalment",
        invoice_date="invoice_date",
        due_date="due_date",
        amount="amount",
        open_amount=open_amount,
        currency="currency",
        kind=pl.lit("invoice"),
    )


def _refund_items(refunds: pl.LazyFrame) -> pl.LazyFrame:
    return _document_items(refunds.filter(pl.col("owed") > 0), pl.col("owed"), "refund")


def fifo_allocated(instalments: pl.DataFrame, credits: pl.LazyFrame) -> pl.DataFrame:
    """Each instalment with the part of its customer's pool it receives (`allocated`): the
    pool pays the customer's oldest open instalments first (SPEC §2.3, mode fifo)."""
    pool = credits.group_by("customer_id").agg(pool=pl.col("left").sum())
    # Only open instalments of customers with a pool can receive any of it; their allocation
    # is written back by row number, so the other rows are never copied.
    instalments = instalments.with_row_index("__i")
    receiving = (
        instalments.lazy()
        .filter(pl.col("remaining") > 0)
        .join(pool, on="customer_id", maintain_order="left")
        .select("__i", "customer_id", *FIFO_ORDER, "pool", "remaining")
        .collect()
    )
    key = _packed_fifo_key(receiving)
    if key is None:
        allocated = _consume(
            pl.col("pool"), pl.col("remaining"), over="customer_id", order_by=FIFO_ORDER
        )
    else:
        # Sorted by customer and FIFO order: a customer's instalments are one run.
        receiving = receiving.lazy().sort(key, maintain_order=True)
        allocated = _consume_in_runs(
            pl.col("pool"), pl.col("remaining"), group=pl.col("customer_id")
        )
    receiving = receiving.lazy().select("__i", allocated=allocated).collect()
    allocated = pl.zeros(instalments.height, pl.Int64, eager=True).scatter(
        receiving["__i"], receiving["allocated"]
    )
    return instalments.drop("__i").with_columns(allocated=allocated)


def _packed_fifo_key(rows: pl.DataFrame) -> pl.Expr | None:
    """One integer that sorts `rows` by customer and FIFO order, or None where it cannot.

    Customer code, due date and invoice date are packed into 64 bits; the last two FIFO keys
    (invoice id, then instalment) are the rows' own order when they come in that order, as
    they do from a file that lists invoices by id, so a stable sort keeps them. One integer
    key sorts ~3x faster than the four columns (0.17 s against 0.56 s for 3.7M instalments).
    """
    if rows.is_empty():
        return None
    customer = pl.col("customer_id").to_physical().cast(pl.Int64)
    due, issued = (pl.col(c).cast(pl.Int32) for c in ("due_date", "invoice_date"))
    ids, number = pl.col("__id_order"), pl.col("instalment")
    in_id_order = (ids.diff() > 0) | ((ids.diff() == 0) & (number.diff() > 0))
    first, last, top, ordered = (
        rows.lazy()
        .select(
            first=pl.min_horizontal(due.min(), issued.min()),
            last=pl.max_horizontal(due.max(), issued.max()),
            top=customer.max(),
            ordered=in_id_order.all(),  # the first row's null is ignored
        )
        .collect()
        .row(0)
    )
    day_bits, customer_bits = (last - first).bit_length(), top.bit_length()
    if not ordered or customer_bits + 2 * day_bits > 63:
        return None
    return (
        customer * 2 ** (2 * day_bits)
        + (due - first).cast(pl.Int64) * 2**day_bits
        + (issued - first).cast(pl.Int64)
    )


# The order in which the pool pays instalments; __id_order stands in for invoice_id.
FIFO_ORDER = ["due_date", "invoice_date", "__id_order", "instalment"]


def _apply_fifo(instalments: pl.DataFrame, credits: pl.LazyFrame) -> pl.LazyFrame:
    """Open instalments after the pool, and one `unapplied` row per customer for the credit
    the pool could not place."""
    items = fifo_allocated(instalments, credits).lazy()
    pool = credits.group_by("customer_id").agg(
        pool=pl.col("left").sum(), currency=pl.col("currency").first()
    )
    placed = items.group_by("customer_id").agg(placed=pl.col("allocated").sum())
    unapplied = (
        pool.join(placed, on="customer_id", how="left")
        .select(
            item_id=pl.lit(None, pl.String),
            customer_id="customer_id",
            instalment=pl.lit(None, pl.Int64),
            invoice_date=pl.lit(None, pl.Date),
            due_date=pl.lit(None, pl.Date),
            amount=pl.lit(0, pl.Int64),
            open_amount=-(pl.col("pool") - pl.col("placed").fill_null(0)),
            currency="currency",
            kind=pl.lit("unapplied"),
        )
        .filter(pl.col("open_amount") != 0)
    )
    open_instalments = _instalment_items(items, pl.col("remaining") - pl.col("allocated"))
    return pl.concat([open_instalments, unapplied])


def _pool_as_items(instalments: pl.LazyFrame, credits: pl.LazyFrame) -> pl.LazyFrame:
    """Each pool document is its own negative item, aged by its own date (mode open-item)."""
    negative = _document_items(credits.filter(pl.col("left") > 0), -pl.col("left"), "credit")
    open_instalments = _instalment_items(instalments, pl.col("remaining"))
    return pl.concat([open_instalments, negative])


# --- stage 6: revaluation at D -----------------------------------------------------------


def _in_base(ds: Dataset, items: pl.LazyFrame, rates: pl.LazyFrame) -> pl.LazyFrame:
    """Every item in the base currency at D's rate, rounded half-up per item (SPEC §5, §8);
    the document-currency open amount stays in `open_amount_ccy` for per-currency views."""
    items = items.with_columns(open_amount_ccy="open_amount")
    if _single_currency(ds):
        return items
    items = items.join(rates.rename({"rate": "__rate"}), on="currency", how="left")
    return items.with_columns(
        amount=money.convert("amount", "__rate"),
        open_amount=money.convert("open_amount", "__rate"),
    ).drop("__rate")


@dataclass(frozen=True)
class Allocation:
    """The stages of the allocation at D, in each customer's allocation currency: the
    instalments with what references left `remaining`, every credit with the part it
    `applied` to its invoice and its `excess`, the pool documents with what refunds `left`
    of them, and the refunds with the part the pool could not cover (`owed`)."""

    instalments: pl.DataFrame
    referenced: pl.LazyFrame
    pool: pl.LazyFrame
    refunds: pl.LazyFrame


def allocate(ds: Dataset, *, as_of: date) -> Allocation:
    """Stages 1-5 at D (see the module docstring); `open_items` turns them into items. An
    allocation already made at D is reused (`remembered`)."""
    if ds.snapshot_as_of is not None and ds.snapshot_as_of != as_of:
        raise DataError(
            f"the invoices are an open-item snapshot as of {ds.snapshot_as_of}; it cannot be "
            f"aged as of {as_of} (give --as-of {ds.snapshot_as_of})"
        )
    return remembered(ds, ("allocation", as_of), lambda: _allocate(ds, as_of))


def _allocate(ds: Dataset, as_of: date) -> tuple[Allocation, int]:
    rates = rates_on(ds, as_of)
    if not _single_currency(ds):
        check_rates(ds, as_of)
    # Stages read by several later stages are collected once: a lazy plan would recompute
    # them for every branch that reads them.
    invoices, credits = (
        frame.collect().lazy()
        for frame in _in_allocation_currency(
            ds, _invoices_on(ds, as_of), _credits_on(ds, as_of), rates
        )
    )
    reduced, referenced = _referenced(ds, invoices, credits)
    referenced = referenced.collect()
    instalments = _instalments(ds, reduced).collect()
    pool_credits, refunds = (frame.collect().lazy() for frame in _pool(referenced.lazy()))
    allocation = Allocation(instalments, referenced.lazy(), pool_credits, refunds)
    return allocation, instalments.estimated_size() + referenced.estimated_size()


def open_items(ds: Dataset, *, as_of: date, unapplied: Unapplied = "fifo") -> pl.LazyFrame:
    """All items of every customer as of D, in the base currency (see module docstring).

    Columns: item_id, customer_id, instalment, invoice_date, due_date, amount, open_amount,
    currency (of allocation), kind, open_amount_ccy. Items fully settled keep open_amount 0.
    `customer_id` is Categorical, as in the loaded tables. Open items already computed at D
    are reused (`remembered`).
    """
    if unapplied not in ("fifo", "open-item"):
        raise ValueError(f"unapplied mode must be fifo or open-item, not {unapplied!r}")

    def compute() -> tuple[pl.DataFrame, int]:
        stages = allocate(ds, as_of=as_of)
        if unapplied == "fifo":
            items = _apply_fifo(stages.instalments, stages.pool)
        else:
            items = _pool_as_items(stages.instalments.lazy(), stages.pool)
        items = pl.concat([items, _refund_items(stages.refunds)])
        rates = rates_on(ds, as_of)
        frame = _in_base(ds, items, rates).select(*ITEM_COLUMNS, "open_amount_ccy").collect()
        return frame, frame.estimated_size()

    return remembered(ds, ("open items", as_of, unapplied), compute).lazy()


# --- results kept for the dates asked last -----------------------------------------------

# Allocations and open items are kept per dataset for the dates asked last, up to about this
# many bytes in all (always the latest): the KPIs, the worklist, the ratings and the aging at
# one D ask for the same allocation several times. A ledger of 10M invoices keeps only its
# latest result. The dataset's tables never change after loading, so a kept result is valid.
MEMO_BYTES = 1 << 30
_MEMO_LOCK = threading.Lock()


def remembered(ds: Dataset, key: tuple, compute: Callable[[], tuple[T, int]]) -> T:
    """`compute()`'s result (it returns the result and its size in bytes), kept in `ds.memo`
    under `key`, the least recently used dropped beyond `MEMO_BYTES`."""
    with _MEMO_LOCK:
        if key in ds.memo:
            ds.memo.move_to_end(key)
            return ds.memo[key][0]
    result, size = compute()  # outside the lock: another thread may allocate another date
    with _MEMO_LOCK:
        ds.memo[key] = (result, size)
        while len(ds.memo) > 1 and sum(size for _, size in ds.memo.values()) > MEMO_BYTES:
            ds.memo.popitem(last=False)
    return result
