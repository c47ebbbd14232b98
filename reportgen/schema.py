"""The canonical tables of SPEC §1: their columns, types and keys, declared once.

Everything downstream of ingest sees only these tables. Money columns are read as exact
decimals and held as Int64 *minor units* (cents), never as floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """How a canonical column is parsed from its text."""

    TEXT = "text"
    DATE = "date"
    MONEY = "money"  # exact decimal -> Int64 minor units
    INT = "int"
    RATE = "rate"  # exact decimal, kept as Decimal (fx rates, credit-limit ratios)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # Money columns where a negative value is not a valid row of this table (a negative
    # payment is a refund and a negative invoice a credit note: those are handled, not listed).
    not_negative: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


T, D, M, N, R = Kind.TEXT, Kind.DATE, Kind.MONEY, Kind.INT, Kind.RATE

CUSTOMERS = Table(
    "customers",
    (
        Column("customer_id", T, True),
        Column("name", T),
        Column("credit_limit", M),
        Column("payment_terms_days", N),
        Column("currency", T),
        Column("segment", T),
        Column("owner", T),
        Column("country", T),
        Column("email", T),
        Column("risk_class", T),
        Column("language", T),
    ),
    key=("customer_id",),
    not_negative=("credit_limit",),
)
INVOICES = Table(
    "invoices",
    (
        Column("invoice_id", T, True),
        Column("customer_id", T, True),
        Column("invoice_date", D, True),
        Column("amount", M, True),
        Column("due_date", D),
        Column("currency", T),
        Column("open_amount", M),
        Column("as_of", D),
        Column("status", T),
    ),
    key=("invoice_id",),
)
PAYMENT_SCHEDULE = Table(
    "payment_schedule",
    (
        Column("invoice_id", T, True),
        Column("due_date", D, True),
        Column("amount", M, True),
        Column("instalment", N),
    ),
    not_negative=("amount",),
)
PAYMENTS = Table(
    "payments",
    (
        Column("payment_id", T, True),
        Column("customer_id", T, True),
        Column("payment_date", D, True),
        Column("amount", M, True),
        Column("invoice_id", T),
        Column("currency", T),
        Column("method", T),
        Column("status", T),
    ),
    key=("payment_id",),
)
CREDIT_NOTES = Table(
    "credit_notes",
    (
        Column("credit_note_id", T, True),
        Column("customer_id", T, True),
        Column("date", D, True),
        Column("amount", M, True),
        Column("invoice_id", T),
        Column("currency", T),
        Column("type", T),
        Column("status", T),
    ),
    key=("credit_note_id",),
    not_negative=("amount",),
)
STATEMENTS = Table(
    "statements",
    (
        Column("customer_id", T, True),
        Column("statement_date", D, True),
        Column("confirmed_balance", M, True),
    ),
)
GL_BALANCES = Table("gl_balances", (Column("date", D, True), Column("balance", M, True)))
ACTIVITIES = Table(
    "activities",
    (
        Column("customer_id", T, True),
        Column("date", D, True),
        Column("type", T, True),
        Column("activity_id", T),
        Column("invoice_id", T),
        Column("amount", M),
        Column("promised_date", D),
        Column("reason", T),
        Column("outcome", T),
        Column("note", T),
    ),
)
FX_RATES = Table(
    "fx_rates",
    (Column("date", D, True), Column("currency", T, True), Column("rate", R, True)),
    key=("date", "currency"),
)
OPEN_ORDERS = Table(
    "open_orders",
    (Column("customer_id", T, True), Column("amount", M, True)),
    not_negative=("amount",),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        CUSTOMERS,
        INVOICES,
        PAYMENT_SCHEDULE,
        PAYMENTS,
        CREDIT_NOTES,
        STATEMENTS,
        GL_BALANCES,
        ACTIVITIES,
        FX_RATES,
        OPEN_ORDERS,
    )
}

ACTIVITY_TYPES = (
    "reminder",
    "call",
    "email",
    "letter",
    "visit",
    "promise",
    "dispute",
    "legal",
    "note",
)
OVERDUE_REASONS = (
    "financial_difficulty",
    "forgot",
    "dispute",
    "service_issue",
    "communication",
    "other",
)
NOT_RECEIVABLE_STATUSES = ("draft", "void", "cancelled", "quote", "order")
CREDIT_NOTE_TYPES = ("credit_note", "write_off")
