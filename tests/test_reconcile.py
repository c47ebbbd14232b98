"""Reconciliation (reportgen.reconcile, reportgen.rollforward): each category from a tiny
literal ledger with its exact amounts, the statement and GL comparisons, the roll-forward
(worked examples and a property: it closes to the cent on random ledgers), and the command."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from conftest import D, make_data, write_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reportgen import rollforward as rollforward_module
from reportgen.cli import app
from reportgen.load import load
from reportgen.periods import series
from reportgen.reconcile import (
    CATEGORIES,
    EXCEPTION_COLUMNS,
    reconcile,
    statement_reconciliation,
)
from reportgen.rollforward import MONEY_COLUMNS, monthly_periods, rollforward

CUSTOMERS = """
    customer_id,name
    C1,Acme
    C2,Beta
"""


def found(ds, as_of: str, category: str, **options) -> list[tuple]:
    """(customer, documents, amount in cents) of one category's exceptions, sorted."""
    frame = reconcile(ds, as_of=D(as_of), **options).exceptions
    rows = frame.filter(pl.col("category") == category)
    return sorted(rows.select("customer_id", "documents", "amount").iter_rows())


def categories(ds, as_of: str) -> set[str]:
    return set(reconcile(ds, as_of=D(as_of)).exceptions["category"])


# --- the pool: unapplied cash and credit balances ---------------------------------------------


def test_unapplied_cash_is_the_latest_unreferenced_money(tmp_path):
    # 60 + 80 on account against an invoice of 100: FIFO spends P1 first, so P2's 40 is left.
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-01,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-10,60.00,
            P2,C1,2024-02-10,80.00,
        """,
    )
    assert found(ds, "2024-03-01", "unapplied_cash") == [("C1", "P2", 4000)]
    assert found(ds, "2024-03-01", "credit_balance") == [("C1", "P2", 4000)]
    # before P2 arrived nothing was unapplied and the customer owed 40
    assert categories(ds, "2024-02-01") == set()
    result = reconcile(ds, as_of=D("2024-03-01"))
    row = result.exceptions.filter(pl.col("category") == "unapplied_cash").row(0, named=True)
    assert row["date"] == D("2024-02-10")
    assert "40.00 of P2" in row["explanation"] and "40.00" in row["explanation_zh"]


def test_a_credit_note_on_account_is_a_credit_balance_not_cash(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-01,100.00
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            N1,C1,2024-01-05,130.00,
        """,
    )
    assert found(ds, "2024-02-01", "credit_balance") == [("C1", "N1", 3000)]
    assert found(ds, "2024-02-01", "unapplied_cash") == []


def test_a_refund_of_the_credit_clears_the_credit_balance(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-01,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-10,100.00,I1
            P2,C1,2024-01-12,100.00,I1
            R1,C1,2024-02-01,-100.00,
        """,
    )
    assert found(ds, "2024-01-20", "credit_balance") == [("C1", "P2", 10000)]
    assert found(ds, "2024-02-20", "credit_balance") == []
    # the second payment over-paid the invoice whatever happened to the money later
    assert found(ds, "2024-02-20", "overpayment") == [("C1", "I1, P2", 10000)]


# --- references --------------------------------------------------------------------------------


REFERENCES = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P1,C1,2024-01-10,25.00,NOPE
    P2,C1,2024-01-11,30.00,I2
    P3,C1,2024-01-12,40.00,I9
"""
REFERENCED_INVOICES = """
    invoice_id,customer_id,invoice_date,amount
    I1,C1,2024-01-01,500.00
    I2,C2,2024-01-02,30.00
    I9,C1,2024-03-01,40.00
"""


def test_references_to_unknown_and_future_invoices(tmp_path):
    ds = make_data(tmp_path, invoices=REFERENCED_INVOICES, payments=REFERENCES)
    assert found(ds, "2024-02-01", "unknown_invoice") == [
        ("C1", "P1", 2500),
        ("C1", "P3, I9", 4000),  # I9 exists, but only from 2024-03-01
    ]
    text = reconcile(ds, as_of=D("2024-02-01")).exceptions.filter(
        pl.col("category") == "unknown_invoice"
    )["explanation"]
    assert "NOPE, which does not exist" in text[0]
    assert "I9, which is dated 2024-03-01, after 2024-02-01" in text[1]
    # once I9 exists, P3 pays it
    assert found(ds, "2024-03-31", "unknown_invoice") == [("C1", "P1", 2500)]


def test_reference_to_another_customers_invoice(tmp_path):
    ds = make_data(tmp_path, invoices=REFERENCED_INVOICES, payments=REFERENCES)
    assert found(ds, "2024-02-01", "other_customer_invoice") == [("C1", "P2, I2", 3000)]
    row = reconcile(ds, as_of=D("2024-02-01")).exceptions.filter(
        pl.col("category") == "other_customer_invoice"
    )
    assert "belongs to customer C2" in row["explanation"][0]
    assert "属于客户 C2" in row["explanation_zh"][0]


def test_a_credit_note_quoting_an_unknown_invoice(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=REFERENCED_INVOICES,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            N1,C1,2024-01-20,12.34,I404
        """,
    )
    assert found(ds, "2024-02-01", "unknown_invoice") == [("C1", "N1", 1234)]
    text = reconcile(ds, as_of=D("2024-02-01")).exceptions["explanation"][0]
    assert text.startswith("Credit note N1 of 2024-01-20 (12.34)")


# --- over-payments ----------------------------------------------------------------------------


def test_overpayment_names_the_documents_that_carry_the_excess(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-01,100.00
            I2,C1,2024-01-01,100.00
            I3,C1,2024-01-01,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-10,60.00,I1
            P2,C1,2024-01-11,70.00,I1
            P3,C1,2024-01-10,80.00,I2
            P4,C1,2024-01-10,100.00,I3
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            N1,C1,2024-01-10,50.00,I2
        """,
    )
    # I1: P2 crosses 100 by 30. I2: on one day payments go before credit notes (SPEC §8),
    # so N1 crosses by 30. I3 is paid exactly.
    assert found(ds, "2024-02-01", "overpayment") == [
        ("C1", "I1, P2", 3000),
        ("C1", "I2, N1", 3000),
    ]
    text = reconcile(ds, as_of=D("2024-02-01")).exceptions["explanation"].to_list()
    assert any("Invoice I1 (100.00) received 130.00" in t and "excess of 30.00" in t for t in text)


# --- short payments ---------------------------------------------------------------------------


SHORT_INVOICES = """
    invoice_id,customer_id,invoice_date,amount
    S1,C1,2024-01-01,1000.00
    S2,C1,2024-01-01,10000.00
    S3,C1,2024-01-01,10000.00
    S4,C2,2024-01-01,100.00
    S5,C2,2024-01-01,100.00
    S6,C2,2024-01-01,100.00
    S7,C2,2024-01-01,100.00
"""
SHORT_PAYMENTS = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P1,C1,2024-01-20,999.20,S1
    P2,C1,2024-01-20,5000.00,S2
    P3,C1,2024-02-20,4950.00,S2
    P4,C1,2024-01-20,9949.99,S3
    P5,C2,2024-01-20,99.00,S4
    P6,C2,2024-01-20,98.99,S5
"""


def test_short_payments_within_the_larger_of_one_unit_and_half_a_percent(tmp_path):
    ds = make_data(tmp_path, invoices=SHORT_INVOICES, payments=SHORT_PAYMENTS)
    assert found(ds, "2024-03-31", "short_payment") == [
        ("C1", "S1, P1", 80),  # 0.80 ≤ max(1.00, 5.00)
        ("C1", "S2, P2, P3", 5000),  # 50.00 ≤ max(1.00, 50.00): the bound is included
        ("C2", "S4, P5", 100),  # 1.00 ≤ max(1.00, 0.50)
    ]  # not S3 (50.01 > 50.00), S5 (1.01 > 1.00), S6 and S7 (never paid)
    row = reconcile(ds, as_of=D("2024-03-31")).exceptions.filter(pl.col("customer_id") == "C2")
    assert "within the tolerance of 1.00" in row["explanation"][0]
    assert row["date"][0] == D("2024-01-20")


def test_short_payment_tolerances_are_options(tmp_path):
    ds = make_data(tmp_path, invoices=SHORT_INVOICES, payments=SHORT_PAYMENTS)
    strict = found(ds, "2024-03-31", "short_payment", tolerance="0", tolerance_pct="0")
    assert strict == []
    wide = found(ds, "2024-03-31", "short_payment", tolerance="2.00", tolerance_pct="0")
    assert [r[1] for r in wide] == ["S1, P1", "S4, P5", "S5, P6"]


def test_a_residue_left_by_a_payment_on_account_is_not_a_short_payment(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-01,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-20,99.50,
        """,
    )
    assert found(ds, "2024-02-01", "short_payment") == []


# --- duplicates -------------------------------------------------------------------------------


def test_duplicate_invoices_and_payments(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-05,100.00
            I2,C1,2024-01-05,100.00
            I3,C1,2024-01-05,100.00
            I4,C2,2024-01-05,100.00
            I5,C1,2024-01-06,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-20,40.00,I1
            P2,C1,2024-01-20,40.00,I1
            P3,C1,2024-01-20,40.00,I5
            P4,C2,2024-01-21,15.00,
            P5,C2,2024-01-21,15.00,
        """,
    )
    assert found(ds, "2024-02-01", "duplicate_document") == [
        ("C1", "I1, I2, I3", 20000),  # two extra copies of 100.00
        ("C1", "P1, P2", 4000),  # same day, amount and reference; P3 quotes I5
        ("C2", "P4, P5", 1500),  # neither quotes an invoice: the same (no) reference
    ]
    text = reconcile(ds, as_of=D("2024-02-01")).exceptions["explanation"].to_list()
    assert "Invoices I1, I2, I3 of C1 have the same date 2024-01-05" in text[0]
    assert "without an invoice reference" in text[2]
    # documents dated after D do not exist yet
    assert found(ds, "2024-01-10", "duplicate_document") == [("C1", "I1, I2, I3", 20000)]


def test_the_same_id_with_different_contents_is_reported_from_the_load(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-05,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-20,40.00,I1
            P1,C2,2024-01-21,55.00,
            P2,C1,2024-01-22,10.00,I1
        """,
    )
    result = reconcile(ds, as_of=D("2024-02-01"))
    dup = result.exceptions.filter(pl.col("category") == "duplicate_id")
    assert dup.select("customer_id", "documents", "amount").rows() == [(None, "P1", None)]
    assert dup["explanation"][0].startswith(
        "payments.csv rows 2, 3 carry the same payment_id P1 with different contents"
    )
    # neither copy was loaded: I1 is open by 90.00, and no other category invents anything
    assert result.sheet.filter(pl.col("customer_id") == "C1")["open_amount"][0] == 9000
    assert set(result.exceptions["category"]) == {"duplicate_id"}


# --- statements (对账单) -----------------------------------------------------------------------


def test_statement_differences_explained_by_documents_in_transit(tmp_path):
    ds = make_data(
        tmp_path,
        customers="""
            customer_id,name
            C1,Acme
            C2,Beta
            C3,Gamma
            C4,Delta
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2025-06-01,1000.00
            I2,C2,2025-06-01,1000.00
            I3,C3,2025-06-01,1000.00
            I4,C4,2025-06-01,1000.00
            I5,C3,2025-07-02,250.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2025-07-01,400.00,I1
            P2,C2,2025-07-03,300.00,I2
            P3,C2,2025-07-15,200.00,I2
            P4,C4,2025-07-02,100.00,I4
            P5,C4,2025-07-03,150.00,I4
            P6,C4,2025-07-04,120.00,I4
        """,
        statements="""
            customer_id,statement_date,confirmed_balance
            C1,2025-06-30,600.00
            C2,2025-06-30,500.00
            C3,2025-06-30,1250.00
            C4,2025-06-30,730.00
            C1,2025-07-31,600.00
        """,
    )
    frame = (
        statement_reconciliation(ds, as_of=D("2025-07-31"))
        .collect()
        .select("customer_id", "statement_date", "difference", "in_transit", "unexplained",
                "in_transit_documents")
    )  # fmt: skip
    assert frame.rows() == [
        # the customer paid 400.00 before its cut-off; it reached us on 1 July
        ("C1", D("2025-06-30"), 40000, 40000, 0, "P1"),
        # P2 is within 10 days and explains 300.00 of 500.00; P3 (day 15) is too late
        ("C2", D("2025-06-30"), 50000, 30000, 20000, "P2"),
        # the customer booked our July invoice already: it counts 250.00 more than we do
        ("C3", D("2025-06-30"), -25000, -25000, 0, "I5"),
        # 270.00: P1 + P3 (100 + 150) leaves 20.00; P4 + P6 (150 + 120) is exact
        ("C4", D("2025-06-30"), 27000, 27000, 0, "P5, P6"),
        # at the end of July both sides agree
        ("C1", D("2025-07-31"), 0, 0, 0, None),
    ]
    exceptions = reconcile(ds, as_of=D("2025-07-31")).exceptions
    assert sorted(exceptions.select("customer_id", "documents", "amount").rows()) == [
        ("C1", "P1", 40000),
        ("C2", "P2", 50000),
        ("C3", "I5", -25000),
        ("C4", "P5, P6", 27000),
    ]
    assert set(exceptions["category"]) == {"statement_difference"}
    text = exceptions.filter(pl.col("customer_id") == "C2")["explanation"][0]
    assert "difference 500.00; in transit 300.00 (P2" in text and "unexplained 200.00" in text


def test_at_the_statement_date_nothing_is_in_transit_yet(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2025-06-01,1000.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2025-07-01,400.00,I1
        """,
        statements="""
            customer_id,statement_date,confirmed_balance
            C1,2025-06-30,600.00
        """,
    )
    assert found(ds, "2025-06-30", "statement_difference") == [("C1", "", 40000)]
    sheet = reconcile(ds, as_of=D("2025-06-30")).sheet.row(0, named=True)
    assert (sheet["statement_difference"], sheet["in_transit"], sheet["unexplained"]) == (
        40000,
        0,
        40000,
    )
    assert sheet["statement_difference_count"] == 1


# --- the general ledger -----------------------------------------------------------------------


def test_gl_balances_against_the_subledger(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-05,100.00
            I2,C2,2024-02-05,50.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-02-10,130.00,I1
        """,
        gl_balances="""
            date,balance
            2024-01-31,100.00
            2024-02-29,30.00
            2024-03-31,20.00
        """,
    )
    result = reconcile(ds, as_of=D("2024-02-29"))
    # at the end of February: I2 50.00 open, C1 in credit by 30.00 → 20.00 net
    assert result.gl.rows() == [
        (D("2024-01-31"), 10000, 10000, 0),
        (D("2024-02-29"), 2000, 3000, -1000),
    ]  # the March balance is after D
    gl = result.exceptions.filter(pl.col("category") == "gl_difference")
    assert gl.select("customer_id", "documents", "amount", "date").rows() == [
        (None, "", -1000, D("2024-02-29"))
    ]
    assert "difference -10.00" in gl["explanation"][0]


# --- the roll-forward -------------------------------------------------------------------------


def test_rollforward_worked_example(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-05,100.00
            I2,C1,2024-02-05,200.00
            I3,C2,2024-02-10,80.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-20,150.00,I1
            P2,C1,2024-02-15,30.00,
            R1,C1,2024-02-20,-20.00,
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id,type
            N1,C1,2024-02-25,10.00,I2,credit_note
            W1,C2,2024-02-28,80.00,I3,write_off
        """,
    )
    periods = monthly_periods(ds, as_of=D("2024-02-29"))
    assert [p.label for p in periods] == ["2024-01", "2024-02"]
    frame = rollforward(ds, periods).collect()
    rows = frame.select("period", pl.col("customer_id").cast(pl.String), *MONEY_COLUMNS).rows()
    assert rows == [
        # period,  customer, opening, invoiced, collected, credited, w/o, refunds, fx, closing, diff
        ("2024-01", "C1", 0, 10000, 15000, 0, 0, 0, 0, -5000, 0),
        ("2024-01", None, 0, 10000, 15000, 0, 0, 0, 0, -5000, 0),
        ("2024-02", "C1", -5000, 20000, 3000, 1000, 0, 2000, 0, 13000, 0),
        ("2024-02", "C2", 0, 8000, 0, 0, 8000, 0, 0, 0, 0),
        ("2024-02", None, -5000, 28000, 3000, 1000, 8000, 2000, 0, 13000, 0),
    ]


def test_rollforward_revalues_foreign_balances(tmp_path):
    ds = make_data(
        tmp_path,
        base_currency="EUR",
        invoices="""
            invoice_id,customer_id,invoice_date,amount,currency
            I1,C1,2024-01-05,100.00,USD
            I2,C1,2024-02-05,50.00,USD
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id,currency
            P1,C1,2024-02-10,40.00,I1,USD
        """,
        fx_rates="""
            date,currency,rate
            2023-12-31,USD,0.9
            2024-02-01,USD,0.8
        """,
    )
    frame = rollforward(ds, series(D("2024-01-01"), D("2024-02-29"), "month")).collect()
    february = frame.filter(pl.col("period") == "2024-02", pl.col("customer_id").is_not_null())
    # opens at 100 USD × 0.9 = 90.00 EUR; the month's documents at 0.8; closes 110 USD × 0.8
    assert february.select(*MONEY_COLUMNS).row(0) == (9000, 4000, 3200, 0, 0, 0, -1000, 8800, 0)
    assert february["currency"][0] == "USD"


def test_a_ledger_that_loses_money_breaks_the_rollforward(tmp_path, monkeypatch):
    """A break can only come from a ledger that creates or loses money: simulate one by
    dropping an open item at one date, and the roll-forward says so in both periods."""
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-01-05,100.00
            I2,C1,2024-01-06,7.50
        """,
    )
    honest = rollforward_module.open_items

    def losing(ds, *, as_of, **options):
        items = honest(ds, as_of=as_of, **options)
        return items.filter(pl.col("item_id") != "I2") if as_of == D("2024-01-31") else items

    monkeypatch.setattr(rollforward_module, "open_items", losing)
    breaks = reconcile(ds, as_of=D("2024-02-29")).exceptions
    assert breaks.select("category", "customer_id", "amount", "date").rows() == [
        ("rollforward_break", "C1", -750, D("2024-01-31")),
        ("rollforward_break", "C1", 750, D("2024-02-29")),
    ]
    assert "closing balance is 100.00 (difference -7.50)" in breaks["explanation"][0]


# --- the roll-forward closes on our own numbers (property) -------------------------------------


START = date(2024, 1, 1)
SPAN_DAYS = 100


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@st.composite
def random_ledgers(draw) -> tuple[dict[str, str], bool]:
    """1-3 customers over ~3 months: invoices (some in instalments), full, partial and over
    payments quoting their own, another's, an unknown or no invoice, refunds, credit notes and
    write-offs; optionally in EUR and USD (per customer, or mixed per document) with monthly
    USD rates."""
    fx = draw(st.booleans())
    customers = [f"C{i}" for i in range(draw(st.integers(1, 3)))]
    day = st.integers(0, SPAN_DAYS).map(lambda k: START + timedelta(days=k))
    cents = st.integers(1, 90_000)
    own_ccy = {c: draw(st.sampled_from(["EUR", "USD", "mixed"])) for c in customers}

    def currency(customer: str) -> str:
        chosen = own_ccy[customer]
        return draw(st.sampled_from(["EUR", "USD"])) if chosen == "mixed" else chosen

    ccy = ",currency" if fx else ""
    invoices, schedule = [f"invoice_id,customer_id,invoice_date,amount{ccy}"], []
    owners: dict[str, str] = {}
    for i in range(draw(st.integers(1, 6))):
        customer, amount = draw(st.sampled_from(customers)), draw(cents)
        on = draw(day)
        invoices.append(f"I{i},{customer},{on},{_money(amount)}" + (f",{currency(customer)}" * fx))
        owners[f"I{i}"] = customer
        if amount > 1 and draw(st.integers(0, 3)) == 0:
            first = draw(st.integers(1, amount - 1))
            schedule += [f"I{i},{on + timedelta(days=30)},{_money(first)}",
                         f"I{i},{on + timedelta(days=60)},{_money(amount - first)}"]  # fmt: skip
    payments = [f"payment_id,customer_id,payment_date,amount,invoice_id{ccy}"]
    for i in range(draw(st.integers(0, 7))):
        customer = draw(st.sampled_from(customers))
        ref = draw(st.sampled_from(["", "NOPE", *owners]))
        amount = draw(cents) * (-1 if draw(st.integers(0, 6)) == 0 else 1)
        payments.append(f"P{i},{customer},{draw(day)},{_money(amount)},{ref}"
                        + (f",{currency(customer)}" * fx))  # fmt: skip
    notes = [f"credit_note_id,customer_id,date,amount,invoice_id,type{ccy}"]
    for i in range(draw(st.integers(0, 3))):
        customer = draw(st.sampled_from(customers))
        ref = draw(st.sampled_from(["", *owners]))
        kind = draw(st.sampled_from(["credit_note", "write_off"]))
        notes.append(f"N{i},{customer},{draw(day)},{_money(draw(cents))},{ref},{kind}"
                     + (f",{currency(customer)}" * fx))  # fmt: skip
    files = {"invoices": "\n".join(invoices), "payments": "\n".join(payments),
             "credit_notes": "\n".join(notes)}  # fmt: skip
    if schedule:
        files["payment_schedule"] = "\n".join(["invoice_id,due_date,amount", *schedule])
    if fx:
        rates = draw(st.lists(st.sampled_from(["0.8123", "0.9", "1.0777", "1.3"]),
                              min_size=5, max_size=5))  # fmt: skip
        months = [START - timedelta(days=1), *(date(2024, m, 1) for m in range(2, 6))]
        files["fx_rates"] = "\n".join(
            ["date,currency,rate"] + [f"{d},USD,{r}" for d, r in zip(months, rates, strict=True)]
        )
    return files, fx


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(ledger=random_ledgers())
def test_rollforward_closes_to_the_cent_on_our_own_numbers(ledger):
    files, fx = ledger
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_data(Path(tmp), **files)
        ds = load(folder, base_currency="EUR" if fx else None)
        assert ds.errors.height == 0, ds.errors
        as_of = START + timedelta(days=SPAN_DAYS + 10)
        frame = rollforward(ds, monthly_periods(ds, as_of=as_of)).collect()
        docs = rollforward_module.documents(ds).collect()
    moved = (
        pl.col("invoiced") - pl.col("collected") - pl.col("credited")
        - pl.col("written_off") + pl.col("refunds")
    )  # fmt: skip
    # no break, and every row adds up: opening + movements + FX = closing
    assert (frame["difference"] == 0).all(), frame.filter(pl.col("difference") != 0)
    assert (frame["opening"] + frame.select(moved).to_series() + frame["fx_revaluation"]
            == frame["closing"]).all()  # fmt: skip
    # the total is the sum of the customers, and each month opens where the last one closed
    customers, totals = (
        frame.filter(pl.col("customer_id").is_not_null()),
        frame.filter(pl.col("customer_id").is_null()),
    )
    summed = customers.group_by("period", maintain_order=True).agg(pl.col(MONEY_COLUMNS).sum())
    assert summed.rows() == totals.select("period", *MONEY_COLUMNS).rows()
    assert totals["opening"].to_list()[1:] == totals["closing"].to_list()[:-1]
    # only foreign money is revalued
    foreign = set(docs.filter(pl.col("currency") != ds.base_currency)["customer_id"].cast(str))
    domestic = customers.filter(~pl.col("customer_id").cast(pl.String).is_in(list(foreign)))
    assert (domestic["fx_revaluation"] == 0).all()
    # the closing total is the sum of the open items at D
    if totals.height:
        last = totals["closing_date"][-1]
        assert (
            totals["closing"][-1]
            == rollforward_module.customer_balances(ds, as_of=last)["net_balance"].sum()
        )


def test_an_open_item_snapshot_is_reconciled_at_its_own_date_only(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,open_amount,as_of
            I1,C1,2024-01-01,100.00,40.00,2024-03-31
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C2,2024-03-01,25.00,
        """,
        statements="""
            customer_id,statement_date,confirmed_balance
            C1,2024-02-29,10.00
            C1,2024-03-31,40.00
        """,
    )
    result = reconcile(ds, as_of=D("2024-03-31"))
    assert sorted(result.exceptions.select("category", "customer_id", "amount").rows()) == [
        ("credit_balance", "C2", 2500),
        ("unapplied_cash", "C2", 2500),
    ]
    # no balance at 2024-02-29 to compare with, and nothing to roll forward from
    assert result.statements.select("statement_date", "difference").rows() == [(D("2024-03-31"), 0)]
    assert result.rollforward.height == 0


# --- the sheet and the command ------------------------------------------------------------------


CLI_TABLES = {
    "customers": CUSTOMERS,
    "invoices": """
        invoice_id,customer_id,invoice_date,amount
        I1,C1,2025-06-01,1000.00
        I2,C2,2025-06-02,200.00
    """,
    "payments": """
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-06-20,999.40,I1
        P2,C2,2025-06-21,10.00,
        P3,C2,2025-06-22,250.00,=A1
        P4,+C3,2025-06-23,5.00,
    """,
    "statements": """
        customer_id,statement_date,confirmed_balance
        C1,2025-06-30,0.00
    """,
}


def test_the_sheet_has_every_customer_with_balances_and_tallies(tmp_path):
    ds = make_data(tmp_path, **CLI_TABLES)
    sheet = reconcile(ds, as_of=D("2025-06-30")).sheet
    _, c1, c2 = sheet.rows(named=True)
    assert (c1["customer_id"], c1["name"], c1["net_balance"], c1["open_amount"]) == (
        "C1", "Acme", 60, 60,
    )  # fmt: skip
    assert (c1["statement_difference"], c1["short_payment_count"], c1["short_payment_amount"]) == (
        60, 1, 60,
    )  # fmt: skip
    # C2: 200.00 owed, 10.00 on account and 250.00 quoting an unknown invoice → in credit by 60
    assert (c2["net_balance"], c2["open_amount"], c2["unapplied_credit"]) == (-6000, 0, 6000)
    assert (c2["unknown_invoice_count"], c2["credit_balance_amount"]) == (1, 6000)
    assert c2["statement_date"] is None
    assert {f"{c}_count" for c in CATEGORIES} - set(sheet.columns) == {
        "duplicate_id_count", "gl_difference_count",
    }  # fmt: skip


@pytest.fixture
def cli_data(tmp_path) -> Path:
    return write_data(tmp_path / "data", **CLI_TABLES)


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_prints_a_summary_by_category(cli_data):
    result = run("reconcile", cli_data, "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Reconciliation at 2025-06-30" in said
    assert "│ Short payment │ short_payment │ 1 │ 0.60 │" in said
    assert "│ Credit balance │ credit_balance │ 2 │ 65.00 │" in said
    assert "Statements compared: 1 (0 agree)" in said
    zh = run("reconcile", cli_data, "--as-of", "2025-06-30", "--lang", "zh")
    assert "短付" in zh.output and "已由 P1 支付" in " ".join(zh.output.split())


def test_cli_writes_exceptions_sheet_and_rollforward_as_csv(cli_data, tmp_path):
    out = tmp_path / "out" / "rec.csv"
    result = run("reconcile", cli_data, "--as-of", "2025-06-30", "--out", out)
    assert result.exit_code == 0, result.output
    exceptions = pl.read_csv(out, infer_schema=False)
    assert exceptions.columns == EXCEPTION_COLUMNS
    assert exceptions.select("category", "customer_id", "documents", "amount", "date").rows() == [
        # a customer id that a spreadsheet would run as a formula is neutralised
        ("unapplied_cash", "'+C3", "P4", "5.00", "2025-06-23"),
        ("unknown_invoice", "C2", "P3", "250.00", "2025-06-22"),
        # C2 owes 200.00 and paid 10.00 + 250.00: the latest money (P3) is left over
        ("credit_balance", "'+C3", "P4", "5.00", "2025-06-30"),
        ("credit_balance", "C2", "P3", "60.00", "2025-06-30"),
        ("short_payment", "C1", "I1, P1", "0.60", "2025-06-20"),
        ("statement_difference", "C1", "", "0.60", "2025-06-30"),
    ]
    assert "quotes invoice =A1, which does not exist" in exceptions["explanation"][1]
    sheet = pl.read_csv(tmp_path / "out" / "rec.sheet.csv", infer_schema=False)
    assert sheet.select("customer_id", "net_balance", "unapplied_credit").rows() == [
        ("'+C3", "-5.00", "5.00"),
        ("C1", "0.60", "0.00"),
        ("C2", "-60.00", "60.00"),
    ]
    rolled = pl.read_csv(tmp_path / "out" / "rec.rollforward.csv", infer_schema=False)
    total = rolled.filter(pl.col("customer_id").is_null())
    assert total.select("invoiced", "collected", "closing", "difference").rows() == [
        ("1200.00", "1264.40", "-64.40", "0.00")
    ]


def test_cli_writes_json_and_refuses_bad_options(cli_data, tmp_path):
    out = tmp_path / "rec.json"
    result = run("reconcile", cli_data, "--as-of", "2025-06-30", "--out", out,
                 "--tolerance", "0", "--tolerance-pct", "0")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["category"], r["customer_id"]) for r in rows] == [
        ("unapplied_cash", "+C3"),
        ("unknown_invoice", "C2"),
        ("credit_balance", "+C3"),
        ("credit_balance", "C2"),
        ("statement_difference", "C1"),
    ]  # fmt: skip: no short payment without a tolerance
    assert rows[-1]["amount"] == "0.60" and "差异 0.60" in rows[-1]["explanation_zh"]
    sheet = json.loads((tmp_path / "rec.sheet.json").read_text(encoding="utf-8"))
    assert [r["customer_id"] for r in sheet] == ["+C3", "C1", "C2"]
    for args, hint in ((["--tolerance", "abc"], "--tolerance"),
                       (["--tolerance-pct", "-1"], "--tolerance-pct"),
                       (["--out", tmp_path / "x.txt"], "--out")):  # fmt: skip
        bad = run("reconcile", cli_data, "--as-of", "2025-06-30", *args)
        assert bad.exit_code == 2 and hint in bad.output, bad.output
