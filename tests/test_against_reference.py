"""The engine's open items against the hand-written reference ledger (tests/reference_ledger.py).

Random small single-currency ledgers (hypothesis) are written as canonical CSV files, loaded
like a user's folder, and every item `open_items` returns (both modes) must equal the
reference's, to the cent. A few literal cases pin down the fine print by hand as well: both the
engine and the reference must give the numbers worked out in their comments.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from conftest import write_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_ledger import CreditNote, Instalment, Invoice, Payment, sort_key
from reference_ledger import open_items as reference_items

from reportgen.ledger import open_items
from reportgen.load import load

START = date(2024, 1, 1)
MODES = ("fifo", "open-item")
DEFAULT_TERMS = 30  # a blank due date is the invoice date + 30 days (no customer terms)


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def cents_of(text: str) -> int:
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int((frac + "00")[:2])
    return -value if negative else value


# --- a ledger, as reference objects and as canonical CSV ------------------------------------


@dataclass
class Case:
    invoices: list[Invoice] = field(default_factory=list)
    blank_due: set[str] = field(default_factory=set)  # invoices written without a due date
    schedule: list[Instalment] = field(default_factory=list)
    stated_instalments: bool = True
    payments: list[Payment] = field(default_factory=list)
    notes: list[CreditNote] = field(default_factory=list)

    def tables(self) -> dict[str, str]:
        """The canonical CSV text of each file."""
        customers = sorted(
            {i.customer_id for i in self.invoices}
            | {p.customer_id for p in self.payments}
            | {n.customer_id for n in self.notes}
        )
        lines = {"customers": ["customer_id"] + customers}
        lines["invoices"] = ["invoice_id,customer_id,invoice_date,amount,due_date"] + [
            f"{i.invoice_id},{i.customer_id},{i.invoice_date},{money(i.amount)},"
            + ("" if i.invoice_id in self.blank_due else str(i.due_date))
            for i in self.invoices
        ]
        if self.schedule:
            head = "invoice_id,due_date,amount" + (",instalment" if self.stated_instalments else "")
            lines["payment_schedule"] = [head] + [
                f"{s.invoice_id},{s.due_date},{money(s.amount)}"
                + (f",{s.instalment}" if self.stated_instalments else "")
                for s in self.schedule
            ]
        lines["payments"] = ["payment_id,customer_id,payment_date,amount,invoice_id"] + [
            f"{p.payment_id},{p.customer_id},{p.date},{money(p.amount)},{p.invoice_id or ''}"
            for p in self.payments
        ]
        lines["credit_notes"] = ["credit_note_id,customer_id,date,amount,invoice_id"] + [
            f"{n.credit_note_id},{n.customer_id},{n.date},{money(n.amount)},{n.invoice_id or ''}"
            for n in self.notes
        ]
        return {name: "\n".join(rows) + "\n" for name, rows in lines.items()}


def case_from_csv(**tables: str) -> Case:
    """The reference's reading of canonical CSV text (the literal tests state their data so)."""

    def rows(name: str) -> list[dict[str, str]]:
        text = "\n".join(line.strip() for line in tables.get(name, "").strip().splitlines())
        return list(csv.DictReader(io.StringIO(text))) if text else []

    def day(text: str) -> date:
        return date.fromisoformat(text)

    case = Case()
    for r in rows("invoices"):
        invoice_day = day(r["invoice_date"])
        due = r.get("due_date") or ""
        case.invoices.append(
            Invoice(
                r["invoice_id"],
                r["customer_id"],
                invoice_day,
                day(due) if due else invoice_day + timedelta(days=DEFAULT_TERMS),
                cents_of(r["amount"]),
            )
        )
    for r in rows("payment_schedule"):
        number = r.get("instalment") or None
        case.schedule.append(
            Instalment(
                r["invoice_id"],
                None if number is None else int(number),
                day(r["due_date"]),
                cents_of(r["amount"]),
            )
        )
    for r in rows("payments"):
        case.payments.append(
            Payment(
                r["payment_id"],
                r["customer_id"],
                day(r["payment_date"]),
                cents_of(r["amount"]),
                r.get("invoice_id") or None,
            )
        )
    for r in rows("credit_notes"):
        case.notes.append(
            CreditNote(
                r["credit_note_id"],
                r["customer_id"],
                day(r["date"]),
                cents_of(r["amount"]),
                r.get("invoice_id") or None,
            )
        )
    return case


# --- comparing ----------------------------------------------------------------------------


def engine_items(folder: Path, as_of: date, mode: str) -> list[tuple]:
    ds = load(folder)
    assert ds.errors.height == 0, ds.errors  # the cases are valid data
    frame = open_items(ds, as_of=as_of, unapplied=mode).collect()
    frame = frame.select(
        pl.col("item_id").cast(pl.String),
        pl.col("customer_id").cast(pl.String),
        pl.col("instalment").cast(pl.Int64),
        pl.col("kind").cast(pl.String),
        pl.col("open_amount").cast(pl.Int64),
    )
    return sorted(frame.rows(), key=sort_key)


def expected_items(case: Case, as_of: date, mode: str) -> list[tuple]:
    items = reference_items(case.invoices, case.schedule, case.payments, case.notes, as_of, mode)
    return sorted(items, key=sort_key)


def explain(
    engine: list[tuple], reference: list[tuple], tables: dict[str, str], as_of: date, mode: str
) -> str:
    """A readable diff: the items that differ, side by side, then the data."""
    only_engine = Counter(engine) - Counter(reference)
    only_reference = Counter(reference) - Counter(engine)
    by_key_engine = {row[:4]: row[4] for row in only_engine}
    by_key_reference = {row[:4]: row[4] for row in only_reference}
    lines = [
        f"open_items(as_of={as_of}, unapplied={mode!r}) differs from the reference:",
        "  (item_id, customer, instalment, kind): engine vs reference (cents)",
    ]
    for key in sorted(set(by_key_engine) | set(by_key_reference), key=lambda k: sort_key((*k, 0))):
        lines.append(f"  {key}: {by_key_engine.get(key, '-')} vs {by_key_reference.get(key, '-')}")
    for name, text in tables.items():
        lines.append(f"--- {name}.csv\n{text.rstrip()}")
    return "\n".join(lines)


def assert_same(folder: Path, case: Case, tables: dict[str, str], as_of: date, mode: str) -> None:
    engine = engine_items(folder, as_of, mode)
    reference = expected_items(case, as_of, mode)
    assert engine == reference, explain(engine, reference, tables, as_of, mode)


# --- random ledgers -----------------------------------------------------------------------

# Few distinct days, so that documents on the same day and ties in FIFO order are common.
days = st.one_of(st.sampled_from([0, 10, 20]), st.integers(0, 60)).map(
    lambda k: START + timedelta(days=k)
)
amounts = st.one_of(st.integers(1, 50_000), st.sampled_from([1, 100, 1_000, 5_000]))
# Ids whose text order is not their numeric order (I10 < I9) nor their file order.
INVOICE_IDS = ["I1", "I2", "I9", "I10", "I11", "A7", "INV-3", "i3", "Z", "I100"]
PAYMENT_IDS = ["P1", "P2", "P3", "P9", "P10", "P11", "P20", "X1", "X2", "A1", "Q"]
NOTE_IDS = ["N1", "N2", "N9", "N10", "X1", "X2", "A2", "M"]  # X1, X2 also name payments


@st.composite
def cases(draw) -> Case:
    case = Case(stated_instalments=draw(st.booleans()))
    customers = [f"C{i}" for i in range(draw(st.integers(1, 4)))]

    invoice_ids = draw(st.lists(st.sampled_from(INVOICE_IDS), max_size=10, unique=True))
    for invoice_id in invoice_ids:
        customer, day = draw(st.sampled_from(customers)), draw(days)
        offset = draw(st.sampled_from([None, -3, 0, 10, 30, 30]))  # None: a blank due date
        if offset is None:
            case.blank_due.add(invoice_id)
        due = day + timedelta(days=DEFAULT_TERMS if offset is None else offset)
        n_parts = draw(st.sampled_from([1, 1, 2, 3]))
        parts = draw(st.lists(amounts, min_size=n_parts, max_size=n_parts))
        case.invoices.append(Invoice(invoice_id, customer, day, due, sum(parts)))
        if n_parts > 1:
            numbers = draw(st.permutations(range(1, n_parts + 1)))  # not always in due order
            for number, part in zip(numbers, parts, strict=True):
                part_due = day + timedelta(days=draw(st.sampled_from([0, 15, 15, 30, 45])))
                case.schedule.append(
                    Instalment(
                        invoice_id, number if case.stated_instalments else None, part_due, part
                    )
                )

    def reference_and_amount(customer: str, *, refund: bool) -> tuple[str | None, int]:
        own = [i for i in case.invoices if i.customer_id == customer]
        other = [i for i in case.invoices if i.customer_id != customer]
        kind = draw(st.sampled_from(["none", "own", "own", "own", "other", "unknown"]))
        target = None
        if kind == "own" and own:
            target = draw(st.sampled_from(own))
        elif kind == "other" and other:
            target = draw(st.sampled_from(other))
        ref = "NOPE" if kind == "unknown" else (target.invoice_id if target else None)
        how = draw(st.sampled_from(["any", "exact", "over", "part"]))
        if target is None or how == "any" or refund:
            amount = draw(amounts)
        elif how == "exact":
            amount = target.amount
        elif how == "over":
            amount = target.amount + draw(amounts)
        else:
            amount = max(1, target.amount // draw(st.integers(2, 4)))
        return ref, -amount if refund else amount

    for payment_id in draw(st.lists(st.sampled_from(PAYMENT_IDS), max_size=10, unique=True)):
        customer, day = draw(st.sampled_from(customers)), draw(days)
        refund = draw(st.integers(0, 6)) == 0
        ref, amount = reference_and_amount(customer, refund=refund)
        case.payments.append(Payment(payment_id, customer, day, amount, ref))
    for note_id in draw(st.lists(st.sampled_from(NOTE_IDS), max_size=6, unique=True)):
        customer, day = draw(st.sampled_from(customers)), draw(days)
        ref, amount = reference_and_amount(customer, refund=False)
        case.notes.append(CreditNote(note_id, customer, day, amount, ref))
    return case


# D before, inside and after the data's dates.
as_of_dates = st.integers(-5, 80).map(lambda k: START + timedelta(days=k))
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(case=cases(), as_of=as_of_dates)
def test_open_items_equal_the_reference_in_both_modes(case, as_of):
    tables = case.tables()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_data(Path(tmp), **tables)
        for mode in MODES:
            assert_same(folder, case, tables, as_of, mode)


@SETTINGS
@given(case=cases(), as_of=as_of_dates)
def test_the_csv_reading_of_a_case_is_the_case(case, as_of):
    """The reference reads literal CSV the way the generator writes it (guards the literal
    tests below, which state their data as text)."""
    read = case_from_csv(**case.tables())
    for mode in MODES:
        assert expected_items(read, as_of, mode) == expected_items(case, as_of, mode)


# --- literal cases, worked out by hand ------------------------------------------------------


def check_literal(
    tmp_path: Path, as_of: date, expected: dict[str, list[tuple]], **tables: str
) -> None:
    """Engine and reference both give the hand-computed items (settled ones included)."""
    folder = write_data(tmp_path / "data", **tables)
    case = case_from_csv(**tables)
    for mode, rows in expected.items():
        rows = sorted(rows, key=sort_key)
        assert expected_items(case, as_of, mode) == rows, f"reference, {mode}"
        engine = engine_items(folder, as_of, mode)
        assert engine == rows, explain(engine, rows, tables, as_of, mode)


def test_over_applied_invoice_with_a_payment_and_a_credit_note_on_the_same_day(tmp_path):
    # Z1 (payment, 60) and A1 (credit note, 70) both quote I1 (100) on 15 Jan. Payments come
    # before credit notes on the same day, whatever their ids: Z1 applies 60, A1 applies 40
    # and carries the excess of 30. In fifo the excess pays I2 (50 -> 20); in open-item it is
    # A1's own negative item.
    check_literal(
        tmp_path,
        date(2024, 1, 31),
        {
            "fifo": [("I1", "C1", 1, "invoice", 0), ("I2", "C1", 1, "invoice", 20_00)],
            "open-item": [
                ("I1", "C1", 1, "invoice", 0),
                ("I2", "C1", 1, "invoice", 50_00),
                ("A1", "C1", None, "credit", -30_00),
            ],
        },
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-02-01
            I2,C1,2024-01-02,50.00,2024-03-01
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            Z1,C1,2024-01-15,60.00,I1
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            A1,C1,2024-01-15,70.00,I1
        """,
    )


def test_several_over_applied_invoices_each_carry_their_own_excess(tmp_path):
    # I1 (100): P1 70 then P2 50 crosses (applies 30, excess 20). I2 (80, another customer):
    # N1 60 then P3 60 crosses (applies 20, excess 40). Each invoice's documents are counted
    # from zero: P2's excess does not depend on what I1's neighbours received.
    check_literal(
        tmp_path,
        date(2024, 1, 31),
        {
            "fifo": [
                ("I1", "C1", 1, "invoice", 0),
                ("I2", "C2", 1, "invoice", 0),
                ("I3", "C1", 1, "invoice", 10_00),
                ("I4", "C2", 1, "invoice", 0),
                (None, "C2", None, "unapplied", -15_00),
            ],
            "open-item": [
                ("I1", "C1", 1, "invoice", 0),
                ("I2", "C2", 1, "invoice", 0),
                ("I3", "C1", 1, "invoice", 30_00),
                ("I4", "C2", 1, "invoice", 25_00),
                ("P2", "C1", None, "credit", -20_00),
                ("P3", "C2", None, "credit", -40_00),
            ],
        },
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-02-01
            I2,C2,2024-01-01,80.00,2024-02-01
            I3,C1,2024-01-02,30.00,2024-03-01
            I4,C2,2024-01-02,25.00,2024-03-01
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-10,70.00,I1
            P2,C1,2024-01-12,50.00,I1
            P3,C2,2024-01-12,60.00,I2
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            N1,C2,2024-01-11,60.00,I2
        """,
    )


def test_the_earlier_document_on_an_invoice_applies_first_and_the_later_carries_the_excess(
    tmp_path,
):
    # N1 (credit note, 10 Jan, 80) comes before P1 (payment, 12 Jan, 80) by date: N1 applies
    # 80, P1 applies 20 and carries 60, dated 12 Jan.
    check_literal(
        tmp_path,
        date(2024, 1, 31),
        {
            "fifo": [
                ("I1", "C1", 1, "invoice", 0),
                ("I2", "C1", 1, "invoice", 0),
                (None, "C1", None, "unapplied", -20_00),
            ],
            "open-item": [
                ("I1", "C1", 1, "invoice", 0),
                ("I2", "C1", 1, "invoice", 40_00),
                ("P1", "C1", None, "credit", -60_00),
            ],
        },
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-02-01
            I2,C1,2024-01-01,40.00,2024-02-01
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-12,80.00,I1
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            N1,C1,2024-01-10,80.00,I1
        """,
    )


INVOICES_FOR_THE_TIE = {
    "I9": "I9,C1,2024-01-05,100.00,2024-02-04",
    "I10": "I10,C1,2024-01-05,100.00,2024-02-04",
    "I3": "I3,C1,2024-01-01,20.00,2024-02-04",
    "I2": "I2,C1,2024-01-20,40.00,2024-02-01",
}


# The file lists the invoices in no order, or by id (as most exports do; the core then takes
# an invoice's row number as its place in id order instead of ranking the ids).
@pytest.mark.parametrize("file_order", [["I9", "I10", "I3", "I2"], ["I10", "I2", "I3", "I9"]])
def test_fifo_tie_on_due_date_and_invoice_date_is_broken_by_invoice_id(tmp_path, file_order):
    # 150 on account. Oldest first by (due date, invoice date, invoice id): I2 (due 1 Feb)
    # takes 40; then, due 4 Feb, I3 (invoiced 1 Jan) takes 20; I10 and I9 (both invoiced
    # 5 Jan) tie and are taken by id as text, "I10" < "I9": I10 takes the last 90.
    invoices = "\n".join(
        ["invoice_id,customer_id,invoice_date,amount,due_date"]
        + [INVOICES_FOR_THE_TIE[i] for i in file_order]
    )
    check_literal(
        tmp_path,
        date(2024, 1, 31),
        {
            "fifo": [
                ("I2", "C1", 1, "invoice", 0),
                ("I3", "C1", 1, "invoice", 0),
                ("I10", "C1", 1, "invoice", 10_00),
                ("I9", "C1", 1, "invoice", 100_00),
            ],
            "open-item": [
                ("I2", "C1", 1, "invoice", 40_00),
                ("I3", "C1", 1, "invoice", 20_00),
                ("I10", "C1", 1, "invoice", 100_00),
                ("I9", "C1", 1, "invoice", 100_00),
                ("P1", "C1", None, "credit", -150_00),
            ],
        },
        invoices=invoices,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-25,150.00,
        """,
    )


def test_refund_larger_than_the_pool(tmp_path):
    # The pool: N1 (5 Jan, 10 on account) and P1's excess (10 Jan, 130 on a 100 invoice: 30),
    # 40 in all. The refunds R1 (20 Jan, 25) and R2 (25 Jan, 30) pay back 55: the pool covers
    # 40 of it, the earliest refunds first, so R2's last 15 is owed again. C2's refund has no
    # pool at all and is owed in full.
    owed = [
        ("I1", "C1", 1, "invoice", 0),
        ("R2", "C1", None, "refund", 15_00),
        ("R3", "C2", None, "refund", 5_00),
    ]
    check_literal(
        tmp_path,
        date(2024, 1, 31),
        {"fifo": owed, "open-item": owed},
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-02-01
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-10,130.00,I1
            R1,C1,2024-01-20,-25.00,
            R2,C1,2024-01-25,-30.00,I1
            R3,C2,2024-01-26,-5.00,
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            N1,C1,2024-01-05,10.00,
        """,
    )


def test_refund_within_the_pool_consumes_the_oldest_pool_document_first(tmp_path):
    # Pool: N1 (5 Jan, 10) and P1's excess (10 Jan, 30). The refund of 20 takes N1's 10 and
    # 10 of P1's excess: in open-item P1 keeps -20; in fifo 20 is left on account.
    check_literal(
        tmp_path,
        date(2024, 1, 31),
        {
            "fifo": [("I1", "C1", 1, "invoice", 0), (None, "C1", None, "unapplied", -20_00)],
            "open-item": [("I1", "C1", 1, "invoice", 0), ("P1", "C1", None, "credit", -20_00)],
        },
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-02-01
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-10,130.00,I1
            R1,C1,2024-01-03,-20.00,
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            N1,C1,2024-01-05,10.00,
        """,
    )


def test_stated_instalments_are_consumed_in_due_date_order_not_by_number(tmp_path):
    # Instalment 2 falls due first: the payment of 50 on I1 settles it (30) and takes 20 of
    # instalment 1. A reference to another customer's invoice (C2's P2 on I1) is pooled.
    check_literal(
        tmp_path,
        date(2024, 1, 31),
        {
            "fifo": [
                ("I1", "C1", 1, "invoice", 50_00),
                ("I1", "C1", 2, "invoice", 0),
                ("I5", "C2", 1, "invoice", 15_00),
            ],
            "open-item": [
                ("I1", "C1", 1, "invoice", 50_00),
                ("I1", "C1", 2, "invoice", 0),
                ("I5", "C2", 1, "invoice", 20_00),
                ("P2", "C2", None, "credit", -5_00),
            ],
        },
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-03-01
            I5,C2,2024-01-01,20.00,2024-02-01
        """,
        payment_schedule="""
            invoice_id,due_date,amount,instalment
            I1,2024-03-01,70.00,1
            I1,2024-02-01,30.00,2
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-10,50.00,I1
            P2,C2,2024-01-11,5.00,I1
        """,
    )


@pytest.mark.parametrize("as_of", [date(2023, 12, 31), date(2024, 1, 9), date(2024, 1, 10)])
def test_a_reference_to_an_invoice_dated_after_d_goes_to_the_pool(tmp_path, as_of):
    # P1 (9 Jan) quotes I2, which only exists from 10 Jan: before that it is on account.
    tables = dict(
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-02-01
            I2,C1,2024-01-10,50.00,2024-02-10
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-09,50.00,I2
        """,
    )
    expected = {
        date(2023, 12, 31): {"fifo": [], "open-item": []},
        date(2024, 1, 9): {
            "fifo": [("I1", "C1", 1, "invoice", 50_00)],
            "open-item": [("I1", "C1", 1, "invoice", 100_00), ("P1", "C1", None, "credit", -50_00)],
        },
        date(2024, 1, 10): {
            "fifo": [("I1", "C1", 1, "invoice", 100_00), ("I2", "C1", 1, "invoice", 0)],
            "open-item": [("I1", "C1", 1, "invoice", 100_00), ("I2", "C1", 1, "invoice", 0)],
        },
    }[as_of]
    check_literal(tmp_path, as_of, expected, **tables)
