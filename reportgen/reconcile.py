"""Reconciliation gaps (对账差异, issue 4): can the receivable's numbers be trusted?

`reconcile(ds, as_of=D)` lists *exceptions*, one row per finding: its `category`, the
`customer_id`, the `documents` concerned (comma-separated ids), an `amount` (base-currency
minor units), a `date` and a plain sentence in English and Chinese (`explanation`,
`explanation_zh`). It also gives a per-customer *reconciliation sheet*, every statement and
GL date compared, and the monthly roll-forward. Categories (stable keys, see `CATEGORIES`):

* `unapplied_cash` — payments without an invoice reference whose money is still unapplied
  credit at D (the pool is spent oldest document first, so what is left is the latest money).
* `unknown_invoice` — a payment or credit note quoting an invoice id that does not exist on D
  (no such invoice, or one dated after D); the amount is the document's.
* `other_customer_invoice` — one quoting another customer's invoice.
* `overpayment` — an invoice whose referenced documents exceed its amount; the amount is the
  excess, the documents the invoice and those carrying the excess (SPEC §8).
* `credit_balance` — a customer whose net balance at D is negative.
* `short_payment` — an invoice that received a referenced payment yet is left open at D by a
  residue no larger than the tolerance (see `reconcile`).
* `duplicate_document` — invoices of one customer with the same date and amount under
  different ids, or payments with the same customer, date, amount and reference (no reference
  counts as the same reference); the amount is what the extra copies add.
* `duplicate_id` — the same id twice with different contents. Loading rejects every such copy
  (nothing says which is right); they are reported from the load problems, with no customer or
  amount because no copy was loaded.
* `statement_difference` — a customer-confirmed balance (statements.csv) that differs from ours
  at its date; the difference is split into documents in transit and what is unexplained.
* `gl_difference` — a general-ledger control balance (gl_balances.csv) that differs from the
  sum of our open items at its date.
* `rollforward_break` — a (month, customer) whose roll-forward does not close
  (`reportgen.rollforward`); it never breaks on a ledger that creates or loses nothing.

The categories overlap where one event has several consequences: an advance payment larger than
what is owed is unapplied cash *and* leaves the customer in credit. Amounts of different
categories are therefore not added up. Everything is a pure function of the tables and D
(SPEC §2), with the pool applied FIFO (the SPEC's default). An open-item snapshot is compared
only at its own date: statements and GL balances of other dates, and the roll-forward, need
balances it does not have.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from reportgen import money
from reportgen.ledger import Allocation, allocate, rates_on
from reportgen.load import Dataset
from reportgen.rollforward import (
    Balances,
    documents,
    in_base,
    monthly_periods,
    rollforward,
)

__all__ = [
    "CATEGORIES",
    "EXCEPTION_COLUMNS",
    "Reconciliation",
    "for_output",
    "gl_reconciliation",
    "reconcile",
    "reconciliation_sheet",
    "rollforward",
    "statement_reconciliation",
]

# key -> (label, 中文标签), in the order reports list them
CATEGORIES: dict[str, tuple[str, str]] = {
    "unapplied_cash": ("Unapplied cash", "未核销收款"),
    "unknown_invoice": ("Reference to an unknown invoice", "引用不存在的发票"),
    "other_customer_invoice": ("Reference to another customer's invoice", "引用其他客户的发票"),
    "overpayment": ("Over-payment", "超额付款"),
    "credit_balance": ("Credit balance", "贷方余额"),
    "short_payment": ("Short payment", "短付"),
    "duplicate_document": ("Possible duplicate document", "疑似重复单据"),
    "duplicate_id": ("Same id with different contents", "单据编号重复"),
    "statement_difference": ("Differs from the customer's statement", "与客户对账单不符"),
    "gl_difference": ("Subledger differs from the general ledger", "明细账与总账不符"),
    "rollforward_break": ("Roll-forward does not close", "余额滚动不平"),
}
# categories that belong to one customer (the sheet counts them per customer)
CUSTOMER_CATEGORIES = tuple(c for c in CATEGORIES if c not in ("duplicate_id", "gl_difference"))
EXCEPTION_SCHEMA = {
    "category": pl.String,
    "customer_id": pl.String,
    "documents": pl.String,
    "amount": pl.Int64,
    "date": pl.Date,
    "explanation": pl.String,
    "explanation_zh": pl.String,
}
EXCEPTION_COLUMNS = list(EXCEPTION_SCHEMA)
DEFAULT_TOLERANCE = Decimal("1.00")
DEFAULT_TOLERANCE_PCT = Decimal("0.5")
TRANSIT_DAYS = 10
MAX_TRANSIT_CANDIDATES = 12  # documents tried per statement (2^12 combinations at most)
# load.py's reason for copies of one id that disagree (tests pin the wording)
CONFLICTING_COPIES = "appears more than once with different contents"


@dataclass(frozen=True)
class Reconciliation:
    """Everything `reconcile` found at D, money in base minor units unless a column says."""

    as_of: date
    exceptions: pl.DataFrame  # EXCEPTION_COLUMNS, one row per finding
    sheet: pl.DataFrame  # one row per customer, see reconciliation_sheet
    statements: pl.DataFrame  # every statement dated on or before D, agreeing or not
    gl: pl.DataFrame  # every GL balance dated on or before D
    rollforward: pl.DataFrame  # monthly, per customer and in total


# --- text -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    """Money and document words for the explanations, in the dataset's minor digits."""

    digits: int
    base: str

    def money(self, units: str | pl.Expr, currency: str | pl.Expr | None = None) -> pl.Expr:
        """`1234.50 CNY`: exact decimal text and the currency code (the base by default)."""
        number = money.to_decimal(units, self.digits).cast(pl.String)
        code = pl.lit(self.base) if currency is None else _expr(currency)
        return pl.when(code.fill_null("") == "").then(number).otherwise(number + " " + code)


def _expr(value: str | pl.Expr) -> pl.Expr:
    return pl.col(value) if isinstance(value, str) else value


def _document_word(rank: pl.Expr, amount: pl.Expr, zh: bool = False) -> pl.Expr:
    """What a credit is called: a payment, a refund (negative payment) or a credit note."""
    words = ("付款", "退款", "贷项通知单") if zh else ("Payment", "Refund", "Credit note")
    return (
        pl.when(rank == 1)
        .then(pl.lit(words[2]))
        .when(amount < 0)
        .then(pl.lit(words[1]))
        .otherwise(pl.lit(words[0]))
    )


def _ids(column: str, order: list[str] | None = None) -> pl.Expr:
    """A group's ids, comma-separated (in `order`, else alphabetically), for aggregation."""
    ids = pl.col(column).sort_by(order) if order else pl.col(column).sort()
    return ids.str.join(", ")


def _exceptions(frame: pl.DataFrame | pl.LazyFrame, category: str) -> pl.LazyFrame:
    """A finding frame (customer_id, documents, amount, date, explanation, explanation_zh)
    in the exceptions' layout."""
    return frame.lazy().select(
        category=pl.lit(category),
        customer_id=pl.col("customer_id").cast(pl.String),
        documents=pl.col("documents").cast(pl.String),
        amount=pl.col("amount").cast(pl.Int64),
        date=pl.col("date").cast(pl.Date),
        explanation="explanation",
        explanation_zh="explanation_zh",
    )


# --- the state at D ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _AtD:
    """What several checks read at D: the allocation stages, the open items, the rates."""

    ds: Dataset
    as_of: date
    stages: Allocation
    items: pl.DataFrame
    rates: pl.LazyFrame
    text: _Text

    def to_base(self, frame: pl.LazyFrame, columns: list[str]) -> pl.LazyFrame:
        """`columns` from each row's `currency` into the base currency at D, half-up per row."""
        return in_base(frame, columns, self.rates)


def _state(ds: Dataset, as_of: date, book: Balances) -> _AtD:
    return _AtD(
        ds=ds,
        as_of=as_of,
        stages=allocate(ds, as_of=as_of),
        items=book.items(as_of),
        rates=rates_on(ds, as_of),
        text=_Text(ds.digits, ds.base_currency),
    )


# --- references: unknown invoices, other customers' invoices, over-payments -----------------


def _references(at: _AtD) -> pl.LazyFrame:
    """Every credit on D that quotes an invoice id, with what the quote points at
    (`reference`): valid, unknown (no such invoice, or one dated after D) or other_customer.
    Amounts in the customer's allocation currency, as the ledger applied them."""
    invoices = at.ds.table("invoices").select(
        "invoice_id",
        __owner=pl.col("customer_id").cast(pl.String),
        __invoice_date="invoice_date",
    )
    quoted = at.stages.referenced.filter(pl.col("invoice_id").is_not_null())
    reference = (
        pl.when(pl.col("__owner").is_null() | (pl.col("__invoice_date") > at.as_of))
        .then(pl.lit("unknown"))
        .when(pl.col("__owner") != pl.col("customer_id").cast(pl.String))
        .then(pl.lit("other_customer"))
        .otherwise(pl.lit("valid"))
    )
    return quoted.join(invoices, on="invoice_id", how="left").with_columns(reference=reference)


def _wrong_references(at: _AtD, refs: pl.LazyFrame) -> list[pl.LazyFrame]:
    """A document whose reference the ledger could not honour: its money went to the pool."""
    text = at.text
    wrong = at.to_base(
        refs.filter(pl.col("reference") != "valid").with_columns(__base=pl.col("amount")),
        ["__base"],
    )
    word, word_zh = (
        _document_word(pl.col("rank"), pl.col("amount")),
        _document_word(pl.col("rank"), pl.col("amount"), zh=True),
    )
    amount = text.money("amount", "currency")
    # a reference to an invoice dated after D names a document that exists, so it is listed
    future = pl.col("__invoice_date").is_not_null()
    unknown = wrong.filter(pl.col("reference") == "unknown").select(
        "customer_id",
        documents=pl.when(future)
        .then(pl.col("doc_id") + ", " + pl.col("invoice_id"))
        .otherwise(pl.col("doc_id")),
        amount=pl.col("__base").abs(),
        date="date",
        explanation=pl.format(
            "{} {} of {} ({}) quotes invoice {}, {}; its money sits in {}'s unapplied pool.",
            word,
            "doc_id",
            "date",
            amount,
            "invoice_id",
            pl.when(future)
            .then(pl.format("which is dated {}, after {}", "__invoice_date", pl.lit(at.as_of)))
            .otherwise(pl.lit("which does not exist")),
            "customer_id",
        ),
        explanation_zh=pl.format(
            "{} {}（{}，{}）引用的发票 {} {}，款项计入客户 {} 的未核销款项。",
            word_zh,
            "doc_id",
            "date",
            amount,
            "invoice_id",
            pl.when(future)
            .then(pl.format("日期为 {}，晚于 {}", "__invoice_date", pl.lit(at.as_of)))
            .otherwise(pl.lit("不存在")),
            "customer_id",
        ),
    )
    other = wrong.filter(pl.col("reference") == "other_customer").select(
        "customer_id",
        documents=pl.col("doc_id") + ", " + pl.col("invoice_id"),
        amount=pl.col("__base").abs(),
        date="date",
        explanation=pl.format(
            "{} {} of {} ({}) from {} quotes invoice {}, which belongs to customer {}; it was "
            "not applied to it and sits in {}'s unapplied pool.",
            word,
            "doc_id",
            "date",
            amount,
            "customer_id",
            "invoice_id",
            "__owner",
            "customer_id",
        ),
        explanation_zh=pl.format(
            "客户 {} 的{} {}（{}，{}）引用的发票 {} 属于客户 {}，未予核销，"
            "款项计入 {} 的未核销款项。",
            "customer_id",
            word_zh,
            "doc_id",
            "date",
            amount,
            "invoice_id",
            "__owner",
            "customer_id",
        ),
    )
    return [_exceptions(unknown, "unknown_invoice"), _exceptions(other, "other_customer_invoice")]


def _overpayments(at: _AtD, refs: pl.LazyFrame) -> pl.LazyFrame:
    """Invoices that received more than their amount from the documents quoting them; the
    documents that carry the excess are named (SPEC §8: the one that crosses, and any after)."""
    valid = refs.filter((pl.col("reference") == "valid") & (pl.col("amount") > 0))
    carriers = (
        valid.filter(pl.col("excess") > 0)
        .sort("date", "rank", "doc_id")
        .group_by("invoice_id", maintain_order=True)
        .agg(carriers=pl.col("doc_id").str.join(", "), date=pl.col("date").first())
    )
    over = (
        valid.group_by("invoice_id")
        .agg(
            pl.col("customer_id", "currency").first(),
            received=pl.col("amount").sum(),
            excess=pl.col("excess").sum(),
        )
        .join(carriers, on="invoice_id")
        .with_columns(__base=pl.col("excess"))
    )
    over = at.to_base(over, ["__base"])
    text = at.text
    invoice_amount = text.money(pl.col("received") - pl.col("excess"), "currency")
    frame = over.select(
        "customer_id",
        documents=pl.col("invoice_id") + ", " + pl.col("carriers"),
        amount="__base",
        date="date",
        explanation=pl.format(
            "Invoice {} ({}) received {} from the documents quoting it; {} carries the excess "
            "of {}, which joins {}'s unapplied pool.",
            "invoice_id",
            invoice_amount,
            text.money("received", "currency"),
            "carriers",
            text.money("excess", "currency"),
            "customer_id",
        ),
        explanation_zh=pl.format(
            "发票 {}（{}）收到引用它的单据共 {}，超出 {}（{}），超出部分计入客户 {} 的未核销款项。",
            "invoice_id",
            invoice_amount,
            text.money("received", "currency"),
            text.money("excess", "currency"),
            "carriers",
            "customer_id",
        ),
    )
    return _exceptions(frame, "overpayment")


# --- the pool at D: unapplied cash and credit balances -----------------------------------


def _unapplied_parts(at: _AtD) -> pl.LazyFrame:
    """Each pool document's part of its customer's unapplied credit at D (allocation
    currency). FIFO spends the pool oldest document first, so the credit left on account is the
    latest money: it is taken from the latest documents back."""
    unapplied = (
        at.items.lazy()
        .filter(pl.col("kind") == "unapplied")
        .group_by("customer_id")
        .agg(__unapplied=-pl.col("open_amount_ccy").sum())
    )
    kinds = at.stages.referenced.select("doc_id", "rank", "invoice_id", __amount="amount")
    latest_first = at.stages.pool.join(unapplied, on="customer_id").sort(
        "customer_id", "date", "rank", "doc_id", descending=True
    )
    before = pl.col("left").cum_sum().over("customer_id") - pl.col("left")
    return (
        latest_first.with_columns(part=(pl.col("__unapplied") - before).clip(0, pl.col("left")))
        .filter(pl.col("part") > 0)
        .join(kinds, on=["doc_id", "rank"], how="left")
    )


def _unapplied_cash(at: _AtD, parts: pl.LazyFrame) -> pl.LazyFrame:
    """Payments without an invoice reference whose money is still unapplied at D."""
    cash = parts.filter(
        (pl.col("rank") == 0) & pl.col("invoice_id").is_null() & (pl.col("__amount") > 0)
    )
    per_customer = cash.group_by("customer_id").agg(
        pl.col("currency").first(),
        documents=_ids("doc_id", ["date", "doc_id"]),
        unapplied=pl.col("part").sum(),
        date=pl.col("date").min(),
    )
    text = at.text
    frame = at.to_base(per_customer.with_columns(amount=pl.col("unapplied")), ["amount"]).select(
        "customer_id",
        "documents",
        "amount",
        "date",
        explanation=pl.format(
            "{} of {} received without an invoice reference ({}) is still unapplied at {}: "
            "{} has no open invoice left to apply it to.",
            text.money("unapplied", "currency"),
            "documents",
            pl.lit("since ") + pl.col("date").cast(pl.String),
            pl.lit(at.as_of),
            "customer_id",
        ),
        explanation_zh=pl.format(
            "未注明发票的收款 {}（自 {} 起）中仍有 {} 于 {} 未核销：客户 {} 已无可核销的未结发票。",
            "documents",
            "date",
            text.money("unapplied", "currency"),
            pl.lit(at.as_of),
            "customer_id",
        ),
    )
    return _exceptions(frame, "unapplied_cash")


def _credit_balances(at: _AtD, parts: pl.LazyFrame) -> pl.LazyFrame:
    """Customers who owe less than nothing at D: we hold their money."""
    net = at.items.lazy().group_by("customer_id").agg(net=pl.col("open_amount").sum())
    docs = parts.group_by("customer_id").agg(documents=_ids("doc_id", ["date", "doc_id"]))
    text = at.text
    frame = (
        net.filter(pl.col("net") < 0)
        .join(docs, on="customer_id", how="left")
        .select(
            "customer_id",
            documents=pl.col("documents").fill_null(""),
            amount=-pl.col("net"),
            date=pl.lit(at.as_of),
            explanation=pl.format(
                "{} is in credit by {} at {} (net balance {}); the credit comes from {}.",
                "customer_id",
                text.money(-pl.col("net")),
                pl.lit(at.as_of),
                text.money("net"),
                pl.col("documents").fill_null("refunds"),
            ),
            explanation_zh=pl.format(
                "客户 {} 于 {} 为贷方余额 {}（净余额 {}），来自 {}。",
                "customer_id",
                pl.lit(at.as_of),
                text.money(-pl.col("net")),
                text.money("net"),
                pl.col("documents").fill_null("退款"),
            ),
        )
    )
    return _exceptions(frame, "credit_balance")


# --- short payments -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tolerance:
    """A residue is tolerated up to the larger of an amount and a share of the invoice."""

    units: int  # base minor units
    percent: Decimal

    def covers(self, residue: pl.Expr, invoice_amount: pl.Expr) -> pl.Expr:
        """residue ≤ max(units, percent % of the invoice), in exact integers."""
        num, den = self.percent.as_integer_ratio()
        share = residue.cast(pl.Int128) * (100 * den) <= invoice_amount.cast(pl.Int128) * num
        return (residue <= self.units) | share


def _short_payments(at: _AtD, refs: pl.LazyFrame, tolerance: _Tolerance) -> pl.LazyFrame:
    """Invoices the customer paid, by a payment quoting them, but short by a residue within the
    tolerance: a bank charge deducted, cents dropped, a small unagreed discount."""
    invoices = (
        at.items.lazy()
        .filter(pl.col("kind") == "invoice")
        .group_by("item_id")
        .agg(
            pl.col("customer_id").first(),
            residue=pl.col("open_amount").sum(),
            invoice_amount=pl.col("amount").sum(),
        )
        .filter(pl.col("residue") > 0)
    )
    paid = (
        refs.filter(
            (pl.col("reference") == "valid") & (pl.col("rank") == 0) & (pl.col("applied") > 0)
        )
        .group_by("invoice_id")
        .agg(payments=_ids("doc_id", ["date", "doc_id"]), date=pl.col("date").max())
    )
    short = invoices.join(paid, left_on="item_id", right_on="invoice_id").filter(
        tolerance.covers(pl.col("residue"), pl.col("invoice_amount"))
    )
    text = at.text
    limit = pl.max_horizontal(
        pl.lit(tolerance.units, pl.Int64),
        (pl.col("invoice_amount").cast(pl.Int128) * tolerance.percent.as_integer_ratio()[0])
        // (100 * tolerance.percent.as_integer_ratio()[1]),
    ).cast(pl.Int64)
    frame = short.select(
        "customer_id",
        documents=pl.col("item_id") + ", " + pl.col("payments"),
        amount="residue",
        date="date",
        explanation=pl.format(
            "Invoice {} ({}) was paid by {} but is still open by {} at {}, within the tolerance "
            "of {}: paid, but short.",
            "item_id",
            text.money("invoice_amount"),
            "payments",
            text.money("residue"),
            pl.lit(at.as_of),
            text.money(limit),
        ),
        explanation_zh=pl.format(
            "发票 {}（{}）已由 {} 支付，但截至 {} 仍有 {} 未付，在容差 {} 以内：短付。",
            "item_id",
            text.money("invoice_amount"),
            "payments",
            pl.lit(at.as_of),
            text.money("residue"),
            text.money(limit),
        ),
    )
    return _exceptions(frame, "short_payment")


# --- duplicates -----------------------------------------------------------------------------


def _duplicate_documents(at: _AtD) -> pl.LazyFrame:
    """Invoices, and payments, that look like one document booked twice."""
    ds, text = at.ds, at.text
    invoices = (
        ds.table("invoices")
        .filter(pl.col("invoice_date") <= at.as_of)
        .group_by("customer_id", "invoice_date", "amount", "currency")
        .agg(documents=_ids("invoice_id"), copies=pl.len())
        .filter(pl.col("copies") > 1)
        .with_columns(extra=pl.col("amount") * (pl.col("copies") - 1))
    )
    invoices = at.to_base(invoices.with_columns(__base="extra"), ["__base"]).select(
        "customer_id",
        "documents",
        amount="__base",
        date="invoice_date",
        explanation=pl.format(
            "Invoices {} of {} have the same date {} and amount {}: possibly one sale booked "
            "{} times ({} extra).",
            "documents",
            "customer_id",
            "invoice_date",
            text.money("amount", "currency"),
            "copies",
            text.money("extra", "currency"),
        ),
        explanation_zh=pl.format(
            "客户 {} 的发票 {} 日期（{}）和金额（{}）相同，可能同一笔销售入账 {} 次（多出 {}）。",
            "customer_id",
            "documents",
            "invoice_date",
            text.money("amount", "currency"),
            "copies",
            text.money("extra", "currency"),
        ),
    )
    reference = pl.col("invoice_id")
    payments = (
        ds.table("payments")
        .filter(pl.col("payment_date") <= at.as_of)
        .with_columns(invoice_id=_optional_column(ds, "payments", "invoice_id"))
        .group_by("customer_id", "payment_date", "amount", "invoice_id", "currency")
        .agg(documents=_ids("payment_id"), copies=pl.len())
        .filter(pl.col("copies") > 1)
        .with_columns(extra=pl.col("amount").abs() * (pl.col("copies") - 1))
    )
    quoting = pl.when(reference.is_null()).then(pl.lit("without an invoice reference"))
    quoting_zh = pl.when(reference.is_null()).then(pl.lit("均未注明发票"))
    payments = at.to_base(payments.with_columns(__base="extra"), ["__base"]).select(
        "customer_id",
        "documents",
        amount="__base",
        date="payment_date",
        explanation=pl.format(
            "Payments {} of {} on {} of {} each, {}: possibly one receipt booked {} times "
            "({} extra).",
            "documents",
            "customer_id",
            "payment_date",
            text.money("amount", "currency"),
            quoting.otherwise(pl.lit("quoting ") + reference),
            "copies",
            text.money("extra", "currency"),
        ),
        explanation_zh=pl.format(
            "客户 {} 的收款 {} 日期（{}）、金额（{}）相同，{}，"
            "可能同一笔收款入账 {} 次（多出 {}）。",
            "customer_id",
            "documents",
            "payment_date",
            text.money("amount", "currency"),
            quoting_zh.otherwise(pl.lit("均引用发票 ") + reference),
            "copies",
            text.money("extra", "currency"),
        ),
    )
    return pl.concat(
        [_exceptions(invoices, "duplicate_document"), _exceptions(payments, "duplicate_document")]
    )


def _optional_column(ds: Dataset, table: str, column: str) -> pl.Expr:
    if ds.has(table) and column in ds.tables[table].columns:
        return pl.col(column)
    return pl.lit(None, pl.String)


def _duplicate_ids(ds: Dataset) -> pl.LazyFrame:
    """Ids that came with different contents: loading rejected every copy (it cannot know
    which is right), so none counts anywhere until the source is corrected."""
    copies = (
        ds.problems.lazy()
        .filter(
            (pl.col("severity") == "error")
            & pl.col("reason").str.contains(CONFLICTING_COPIES, literal=True)
        )
        .group_by("file", "column", "value")
        .agg(rows=pl.col("row").sort().cast(pl.String).str.join(", "))
    )
    frame = copies.select(
        customer_id=pl.lit(None, pl.String),
        documents="value",
        amount=pl.lit(None, pl.Int64),
        date=pl.lit(None, pl.Date),
        explanation=pl.format(
            "{} rows {} carry the same {} {} with different contents; no copy was loaded, so "
            "none of them counts in any balance until the source is corrected.",
            "file",
            "rows",
            "column",
            "value",
        ),
        explanation_zh=pl.format(
            "{} 第 {} 行的 {} 均为 {} 但内容不同；均未载入，更正前不计入任何余额。",
            "file",
            "rows",
            "column",
            "value",
        ),
    )
    return _exceptions(frame, "duplicate_id")


# --- customer-confirmed balances (对账单) --------------------------------------------------


STATEMENT_SCHEMA = {
    "customer_id": pl.String,
    "statement_date": pl.Date,
    "currency": pl.String,
    "our_balance": pl.Int64,
    "confirmed_balance": pl.Int64,
    "difference": pl.Int64,
    "in_transit": pl.Int64,
    "unexplained": pl.Int64,
    "in_transit_documents": pl.String,
    "difference_base": pl.Int64,
}


def statement_reconciliation(
    ds: Dataset,
    *,
    as_of: date,
    transit_days: int = TRANSIT_DAYS,
    balances: Balances | None = None,
) -> pl.LazyFrame:
    """Every statement dated on or before D against our balance at its date.

    Columns: customer_id, statement_date, currency, our_balance, confirmed_balance,
    difference (ours − confirmed), in_transit, unexplained, in_transit_documents — money in
    minor units of the customer's allocation currency (its one currency; the base for a
    customer with several), the currency a customer confirms in — and difference_base (the
    difference in the base currency at the statement date's rates).

    *In transit* are documents we booked after the customer's cut-off: ours, dated within
    `transit_days` after the statement date (and on or before D), that the customer already
    counts — a payment the customer made on the 30th that reached us on the 1st. Of those, the
    combination that explains most of the difference without passing it is taken (ties: fewer
    documents, then the earliest); what remains is unexplained.
    """
    if not ds.has("statements"):
        return pl.DataFrame(schema=STATEMENT_SCHEMA).lazy()
    book = balances or Balances(ds)
    statements = ds.tables["statements"].filter(pl.col("statement_date") <= as_of)
    if ds.snapshot_as_of is not None:
        statements = statements.filter(pl.col("statement_date") == ds.snapshot_as_of)
    docs = documents(ds).filter(pl.col("date") <= as_of).collect()
    parts = []
    for (day,), rows in statements.group_by("statement_date", maintain_order=True):
        ours = book.at(day).select("customer_id", "currency", our_balance="net_balance_ccy")
        compared = (
            rows.join(ours, on="customer_id", how="left")
            .with_columns(
                pl.col("our_balance").fill_null(0),
                currency=pl.col("currency").fill_null(ds.base_currency),
            )
            .with_columns(difference=pl.col("our_balance") - pl.col("confirmed_balance"))
        )
        window = docs.filter(
            (pl.col("date") > day) & (pl.col("date") <= day + timedelta(days=transit_days))
        )
        parts.append(_explain_differences(ds, compared, window, day))
    if not parts:
        return pl.DataFrame(schema=STATEMENT_SCHEMA).lazy()
    return (
        pl.concat(parts)
        .with_columns(pl.col("customer_id").cast(pl.String))
        .select(list(STATEMENT_SCHEMA))
        .sort("statement_date", "customer_id")
        .lazy()
    )


def _explain_differences(
    ds: Dataset, compared: pl.DataFrame, window: pl.DataFrame, day: date
) -> pl.DataFrame:
    """Adds in_transit, unexplained, in_transit_documents and difference_base to one date's
    statements (`compared`), from the documents booked in the days after it (`window`)."""
    rates = rates_on(ds, day).collect()
    rate = dict(zip(rates["currency"], rates["rate"], strict=True))
    candidates: dict[str, list[tuple[date, str, int]]] = {}
    differing = compared.filter(pl.col("difference") != 0)
    currency_of = dict(
        zip(differing["customer_id"].cast(pl.String), differing["currency"], strict=True)
    )
    for doc_id, customer, day_of, currency, effect in window.select(
        "doc_id", pl.col("customer_id").cast(pl.String), "date", "currency", "effect"
    ).iter_rows():
        wanted = currency_of.get(customer)
        if wanted is None:
            continue
        value = _in_currency(effect, currency, wanted, ds.base_currency, rate)
        if value is not None:
            # the customer counted it before the cut-off: ours is higher by −effect
            candidates.setdefault(customer, []).append((day_of, doc_id, -value))
    transit, explained = [], []
    for customer, difference in compared.select(
        pl.col("customer_id").cast(pl.String), "difference"
    ).iter_rows():
        amount, ids = _in_transit(difference, sorted(candidates.get(customer, [])))
        transit.append(amount)
        explained.append(", ".join(ids) if ids else None)
    out = compared.with_columns(
        in_transit=pl.Series(transit, dtype=pl.Int64),
        in_transit_documents=pl.Series(explained, dtype=pl.String),
    ).with_columns(unexplained=pl.col("difference") - pl.col("in_transit"))
    base_rates = rates.rename({"rate": "__rate"})
    return out.join(base_rates, on="currency", how="left").with_columns(
        difference_base=money.convert(
            "difference", pl.col("__rate").fill_null(10**money.RATE_DIGITS)
        )
    )


def _in_currency(
    units: int, currency: str, wanted: str, base: str, rate: dict[str, int]
) -> int | None:
    """A document amount in the statement's currency; None where it cannot be expressed in it
    (a foreign document on another foreign currency's statement)."""
    if currency == wanted:
        return units
    if wanted != base or currency not in rate:
        return None
    product = abs(units) * rate[currency]
    half = 10**money.RATE_DIGITS // 2
    converted = (product + half) // 10**money.RATE_DIGITS
    return converted if units >= 0 else -converted


def _in_transit(difference: int, candidates: list[tuple[date, str, int]]) -> tuple[int, list[str]]:
    """The documents whose amounts explain most of `difference` without passing it (same
    sign, not more); ties go to fewer documents, then the earliest. (amount, ids)."""
    if difference == 0:
        return 0, []
    sign = 1 if difference > 0 else -1
    usable = [
        (day, doc_id, value)
        for day, doc_id, value in candidates
        if value * sign > 0 and abs(value) <= abs(difference)
    ][:MAX_TRANSIT_CANDIDATES]
    best: tuple[int, list[str]] = (0, [])
    for size in range(1, len(usable) + 1):
        for combo in itertools.combinations(usable, size):
            total = sum(value for _, _, value in combo)
            if abs(total) <= abs(difference) and abs(total) > abs(best[0]):
                best = (total, [doc_id for _, doc_id, _ in combo])
        if best[0] == difference:
            break  # nothing larger is possible, and fewer documents are preferred
    return best


def _statement_exceptions(statements: pl.LazyFrame, text: _Text) -> pl.LazyFrame:
    """One exception per statement that does not agree with our books."""
    differing = statements.filter(pl.col("difference") != 0)
    transit = pl.col("in_transit_documents")
    frame = differing.select(
        "customer_id",
        documents=transit.fill_null(""),
        amount="difference_base",
        date="statement_date",
        explanation=pl.format(
            "At {} our balance for {} is {} and the customer confirms {}: difference {}; in "
            "transit {}{}; unexplained {}.",
            "statement_date",
            "customer_id",
            text.money("our_balance", "currency"),
            text.money("confirmed_balance", "currency"),
            text.money("difference", "currency"),
            text.money("in_transit", "currency"),
            pl.when(transit.is_null())
            .then(pl.lit(""))
            .otherwise(pl.lit(" (") + transit + pl.lit(", booked by us after the cut-off)")),
            text.money("unexplained", "currency"),
        ),
        explanation_zh=pl.format(
            "{} 我方客户 {} 余额为 {}，客户确认 {}，差异 {}；在途 {}{}；未解释 {}。",
            "statement_date",
            "customer_id",
            text.money("our_balance", "currency"),
            text.money("confirmed_balance", "currency"),
            text.money("difference", "currency"),
            text.money("in_transit", "currency"),
            pl.when(transit.is_null())
            .then(pl.lit(""))
            .otherwise(pl.lit("（") + transit + pl.lit("，我方于截止日后入账）")),
            text.money("unexplained", "currency"),
        ),
    )
    return _exceptions(frame, "statement_difference")


# --- the general ledger ---------------------------------------------------------------------


GL_SCHEMA = {
    "date": pl.Date,
    "subledger_balance": pl.Int64,
    "gl_balance": pl.Int64,
    "difference": pl.Int64,
}


def gl_reconciliation(
    ds: Dataset, *, as_of: date, balances: Balances | None = None
) -> pl.LazyFrame:
    """Every AR control-account balance dated on or before D against Σ of our open items at its
    date (unapplied credit included: the control account holds the net). Columns: date,
    subledger_balance, gl_balance, difference (subledger − GL), base minor units."""
    if not ds.has("gl_balances"):
        return pl.DataFrame(schema=GL_SCHEMA).lazy()
    book = balances or Balances(ds)
    gl = ds.tables["gl_balances"].filter(pl.col("date") <= as_of)
    if ds.snapshot_as_of is not None:
        gl = gl.filter(pl.col("date") == ds.snapshot_as_of)
    subledger = pl.DataFrame(
        {
            "date": gl["date"].unique().sort(),
            "subledger_balance": [
                int(book.at(day)["net_balance"].sum()) for day in gl["date"].unique().sort()
            ],
        },
        schema={"date": pl.Date, "subledger_balance": pl.Int64},
    )
    return (
        gl.join(subledger, on="date", how="left")
        .select(
            "date",
            "subledger_balance",
            gl_balance="balance",
            difference=pl.col("subledger_balance") - pl.col("balance"),
        )
        .sort("date")
        .lazy()
    )


def _gl_exceptions(gl: pl.LazyFrame, text: _Text) -> pl.LazyFrame:
    frame = gl.filter(pl.col("difference") != 0).select(
        customer_id=pl.lit(None, pl.String),
        documents=pl.lit(""),
        amount="difference",
        date="date",
        explanation=pl.format(
            "At {} the subledger (Σ open items) is {} and the general ledger's control account "
            "{}: difference {}.",
            "date",
            text.money("subledger_balance"),
            text.money("gl_balance"),
            text.money("difference"),
        ),
        explanation_zh=pl.format(
            "{} 明细账（未结项目合计）为 {}，总账应收账款控制账户为 {}，差异 {}。",
            "date",
            text.money("subledger_balance"),
            text.money("gl_balance"),
            text.money("difference"),
        ),
    )
    return _exceptions(frame, "gl_difference")


# --- the roll-forward -----------------------------------------------------------------------


def _rollforward_breaks(rolled: pl.LazyFrame, text: _Text) -> pl.LazyFrame:
    """Each (period, customer) whose documents do not account for its change in balance."""
    t = text.money
    movements = pl.format(
        "opening {} + invoiced {} − collected {} − credited {} − written off {} + refunds {} "
        "+ FX {}",
        t("opening"),
        t("invoiced"),
        t("collected"),
        t("credited"),
        t("written_off"),
        t("refunds"),
        t("fx_revaluation"),
    )
    expected = pl.col("closing") - pl.col("difference")
    frame = rolled.filter(pl.col("customer_id").is_not_null() & (pl.col("difference") != 0)).select(
        "customer_id",
        documents=pl.lit(""),
        amount="difference",
        date="closing_date",
        explanation=pl.format(
            "The roll-forward of {} for {} does not close: {} = {}, but the closing balance is "
            "{} (difference {}).",
            "customer_id",
            "period",
            movements,
            t(expected),
            t("closing"),
            t("difference"),
        ),
        explanation_zh=pl.format(
            "客户 {} {} 的余额滚动不平：{} = {}，但期末余额为 {}（差异 {}）。",
            "customer_id",
            "period",
            movements,
            t(expected),
            t("closing"),
            t("difference"),
        ),
    )
    return _exceptions(frame, "rollforward_break")


# --- the reconciliation sheet -----------------------------------------------------------------


def reconciliation_sheet(
    ds: Dataset,
    balances: pl.DataFrame,
    statements: pl.DataFrame,
    exceptions: pl.DataFrame,
) -> pl.LazyFrame:
    """One row per customer (customers.csv, and any with a document or a statement):
    customer_id, name, currency, net_balance, open_amount, unapplied_credit (base minor units,
    at D); the latest statement (statement_date, confirmed_balance, statement_difference,
    in_transit, unexplained, in the customer's currency); then `<category>_count` and
    `<category>_amount` for each category that belongs to a customer."""
    names = ds.table("customers").select(
        pl.col("customer_id").cast(pl.String),
        name=_optional_column(ds, "customers", "name"),
    )
    ours = balances.lazy().select(
        pl.col("customer_id").cast(pl.String),
        "currency",
        "net_balance",
        "open_amount",
        "unapplied_credit",
    )
    latest = (
        statements.lazy()
        .sort("statement_date")
        .group_by("customer_id")
        .agg(pl.all().last())
        .select(
            "customer_id",
            "statement_date",
            "confirmed_balance",
            "in_transit",
            "unexplained",
            statement_difference="difference",
        )
    )
    counted = exceptions.lazy().filter(pl.col("customer_id").is_not_null())
    per_category = counted.group_by("customer_id").agg(
        item
        for category in CUSTOMER_CATEGORIES
        for item in (
            (pl.col("category") == category).sum().cast(pl.Int64).alias(f"{category}_count"),
            pl.col("amount")
            .filter(pl.col("category") == category)
            .sum()
            .alias(f"{category}_amount"),
        )
    )
    everyone = pl.concat(
        [names.select("customer_id"), ours.select("customer_id"), latest.select("customer_id")]
    ).unique()
    tallies = [f"{c}_{n}" for c in CUSTOMER_CATEGORIES for n in ("count", "amount")]
    return (
        everyone.join(names, on="customer_id", how="left")
        .join(ours, on="customer_id", how="left")
        .join(latest, on="customer_id", how="left")
        .join(per_category, on="customer_id", how="left")
        .with_columns(
            pl.col("net_balance", "open_amount", "unapplied_credit", *tallies).fill_null(0),
            currency=pl.col("currency").fill_null(ds.base_currency),
        )
        .select(
            "customer_id",
            "name",
            "currency",
            "net_balance",
            "open_amount",
            "unapplied_credit",
            "statement_date",
            "confirmed_balance",
            "statement_difference",
            "in_transit",
            "unexplained",
            *tallies,
        )
        .sort("customer_id")
    )


# --- everything at D ------------------------------------------------------------------------


def _tolerance(amount: Decimal | str | float, percent: Decimal | str | float, digits: int):
    amount, percent = Decimal(str(amount)), Decimal(str(percent))
    if amount < 0 or percent < 0:
        raise ValueError("a tolerance cannot be negative")
    units = int((amount * 10**digits).to_integral_value(rounding=ROUND_HALF_UP))
    return _Tolerance(units, percent)


def reconcile(
    ds: Dataset,
    *,
    as_of: date,
    tolerance: Decimal | str = DEFAULT_TOLERANCE,
    tolerance_pct: Decimal | str = DEFAULT_TOLERANCE_PCT,
    transit_days: int = TRANSIT_DAYS,
) -> Reconciliation:
    """Every reconciliation check at D (see the module docstring for the categories).

    Short payments: a residue is tolerated up to the *larger* of `tolerance` (an amount in the
    base currency, default 1.00) and `tolerance_pct` percent of the invoice amount (default
    0.5): the issue's "1.00 or 0.5 %" read as whichever is more lenient, so that neither a
    large invoice is held to one unit nor a small one to half a percent of itself. A residue
    above it is an invoice still owed, not a short payment.
    """
    limit = _tolerance(tolerance, tolerance_pct, ds.digits)
    book = Balances(ds)
    at = _state(ds, as_of, book)
    refs = _references(at).collect().lazy()
    parts = _unapplied_parts(at).collect().lazy()
    statements = statement_reconciliation(
        ds, as_of=as_of, transit_days=transit_days, balances=book
    ).collect()
    gl = gl_reconciliation(ds, as_of=as_of, balances=book).collect()
    # a snapshot has one date: nothing to roll forward from
    periods = [] if ds.is_snapshot else monthly_periods(ds, as_of=as_of)
    rolled = rollforward(ds, periods, balances=book).collect()
    found = [
        _unapplied_cash(at, parts),
        *_wrong_references(at, refs),
        _overpayments(at, refs),
        _credit_balances(at, parts),
        _short_payments(at, refs, limit),
        _duplicate_documents(at),
        _duplicate_ids(ds),
        _statement_exceptions(statements.lazy(), at.text),
        _gl_exceptions(gl.lazy(), at.text),
        _rollforward_breaks(rolled.lazy(), at.text),
    ]
    order = pl.col("category").replace_strict(
        list(CATEGORIES), list(range(len(CATEGORIES))), return_dtype=pl.Int32
    )
    exceptions = (
        pl.concat(found).sort(order, "customer_id", "date", "documents", nulls_last=True).collect()
    )
    sheet = reconciliation_sheet(ds, book.at(as_of), statements, exceptions).collect()
    return Reconciliation(as_of, exceptions, sheet, statements, gl, rolled)


def for_output(result: Reconciliation, digits: int) -> dict[str, pl.DataFrame]:
    """The exceptions, the sheet and the roll-forward as files and screens show them: money as
    exact decimals (counts stay whole numbers), customer ids as text."""

    def shown(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            *[
                money.to_decimal(c, digits).alias(c)
                for c, kind in frame.schema.items()
                if kind == pl.Int64 and not c.endswith("_count")
            ],
            *[
                pl.col(c).cast(pl.String)
                for c, kind in frame.schema.items()
                if kind == pl.Categorical
            ],
        )

    return {
        "exceptions": shown(result.exceptions),
        "sheet": shown(result.sheet),
        "rollforward": shown(result.rollforward),
    }
