"""Open items as of D (SPEC §2 and the fine print of §8): one accounting edge case per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import D, assert_items, customer_report, decimal_series, invoice_report, make_data
from polars.testing import assert_frame_equal

from reportgen.ledger import open_items
from reportgen.load import DataError

INVOICES = """
    invoice_id,customer_id,invoice_date,amount,due_date
    I1,C1,2024-01-10,100.00,2024-02-09
    I2,C1,2024-02-01,50.00,2024-03-02
"""
AFTER_D = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P1,C1,2024-02-01,30.00,I1
"""
NOTES_AFTER_D = """
    credit_note_id,customer_id,date,amount,invoice_id
    N1,C1,2024-02-01,20.00,I1
"""


# --- §2.1 only what existed on D ---------------------------------------------------------


def test_documents_dated_after_d_are_ignored(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments=AFTER_D, credit_notes=NOTES_AFTER_D)
    # I2, P1 and N1 are all dated 2024-02-01, the day after D.
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 100_00))


def test_documents_dated_on_d_count(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments=AFTER_D, credit_notes=NOTES_AFTER_D)
    assert_items(ds, D("2024-02-01"),
                 ("I1", "C1", 1, "invoice", 50_00),  # 100 - 30 - 20
                 ("I2", "C1", 1, "invoice", 50_00))


def test_invoice_with_nothing_against_it_is_open_in_full(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES)
    assert_items(ds, D("2024-06-30"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("I2", "C1", 1, "invoice", 50_00))


# --- §2.2 referenced documents first ------------------------------------------------------


def test_referenced_payment_reduces_its_own_invoice_not_the_oldest(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-02-10,40.00,I2
    """)
    assert_items(ds, D("2024-02-28"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("I2", "C1", 1, "invoice", 10_00))


def test_partial_payment_leaves_the_rest_open(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-01-20,33.33,I1
    """)
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 66_67))


def test_several_documents_on_one_invoice_add_up(tmp_path):
    ds = make_data(
        tmp_path, invoices=INVOICES,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-15,30.00,I1
            P2,C1,2024-01-20,25.00,I1
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,invoice_id
            N1,C1,2024-01-25,15.00,I1
        """)
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 30_00))


def test_exactly_paid_invoice_is_closed_and_leaves_no_credit(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-01-20,60.00,I1
        P2,C1,2024-01-25,40.00,I1
    """)
    for mode in ("fifo", "open-item"):
        assert_items(ds, D("2024-01-31"), unapplied=mode)  # nothing open, no credit
    report = customer_report(ds, D("2024-01-31"))
    assert report["open_amount"].to_list() == report["unapplied_credit"].to_list() == [0]


def test_excess_over_the_invoice_joins_the_pool_and_pays_the_oldest(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-02-10,90.00,I2
    """)
    # I2 takes 50; the 40 excess pays the older I1 (FIFO).
    assert_items(ds, D("2024-02-28"), ("I1", "C1", 1, "invoice", 60_00))
    # In open-item mode the excess is a negative item of the document that carried it.
    assert_items(ds, D("2024-02-28"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("P1", "C1", None, "credit", -40_00), unapplied="open-item")


CROSSING_NOTES = """
    credit_note_id,customer_id,date,amount,invoice_id
    N1,C1,2024-01-10,50.00,I1
    N0,C1,2024-01-20,30.00,I1
"""
CROSSING_PAYMENTS = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P9,C1,2024-01-20,40.00,I1
    P5,C1,2024-01-20,20.00,I1
"""


def test_document_that_crosses_the_invoice_amount_carries_the_excess(tmp_path):
    # Order on I1 (100): N1 (earliest date) 50, then on 2024-01-20 payments before credit
    # notes, by id: P5 20 (70), P9 40 crosses (applies 30, excess 10), N0 30 all excess.
    ds = make_data(tmp_path, invoices=INVOICES, payments=CROSSING_PAYMENTS,
                   credit_notes=CROSSING_NOTES)
    assert_items(ds, D("2024-01-31"),
                 ("N0", "C1", None, "credit", -30_00),
                 ("P9", "C1", None, "credit", -10_00), unapplied="open-item")
    # The negative item carries the crossing document's id and date (SPEC §8).
    rows = invoice_report(ds, D("2024-01-31"), unapplied="open-item")
    assert rows.select("invoice_id", "instalment", "invoice_date", "due_date").rows() == [
        ("N0", None, D("2024-01-20"), D("2024-01-20")),
        ("P9", None, D("2024-01-20"), D("2024-01-20")),
    ]
    assert_frame_equal(rows.select("amount", "open_amount"), rows.select(
        decimal_series("amount", ["-30.00", "-10.00"]),
        decimal_series("open_amount", ["-30.00", "-10.00"])))


def test_excess_from_crossing_document_is_unapplied_in_fifo(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments=CROSSING_PAYMENTS,
                   credit_notes=CROSSING_NOTES)
    assert_items(ds, D("2024-01-31"), (None, "C1", None, "unapplied", -40_00))


def test_reference_to_an_unknown_invoice_goes_to_the_pool(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-01-20,40.00,NOPE
    """)
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 60_00))
    assert_items(ds, D("2024-01-31"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("P1", "C1", None, "credit", -40_00), unapplied="open-item")


def test_reference_to_another_customers_invoice_goes_to_the_payers_pool(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-10,100.00,2024-02-09
            I2,C2,2024-01-10,100.00,2024-02-09
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C2,2024-01-20,40.00,I1
        """)
    assert_items(ds, D("2024-01-31"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("I2", "C2", 1, "invoice", 60_00))


def test_reference_to_an_invoice_dated_after_d_goes_to_the_pool(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-01-31
            I2,C1,2024-02-10,50.00,2024-03-11
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-20,30.00,I2
        """)
    # Before I2 exists the advance is on account and FIFO puts it on I1 ...
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 70_00))
    assert_items(ds, D("2024-01-31"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("P1", "C1", None, "credit", -30_00), unapplied="open-item")
    # ... and once I2 exists, the reference holds.
    assert_items(ds, D("2024-02-10"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("I2", "C1", 1, "invoice", 20_00))


def test_refund_is_never_applied_to_the_invoice_it_references(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        R1,C1,2024-01-20,-10.00,I1
    """)
    # Money paid back to the customer does not increase the invoice: it is its own item.
    assert_items(ds, D("2024-01-31"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("R1", "C1", None, "refund", 10_00))


# --- §2.3 the pool -----------------------------------------------------------------------

FIFO_INVOICES = """
    invoice_id,customer_id,invoice_date,amount,due_date
    A,C1,2024-01-05,10.00,2024-02-01
    B,C1,2024-01-01,10.00,2024-02-01
    Z,C1,2024-01-01,10.00,2024-02-01
    C,C1,2024-01-20,10.00,2024-01-25
    S,C2,2024-01-01,50.00,2024-03-01
"""
FIFO_SCHEDULE = """
    invoice_id,due_date,amount,instalment
    S,2024-03-01,30.00,2
    S,2024-03-01,20.00,1
"""
FIFO_PAYMENTS = """
    payment_id,customer_id,payment_date,amount
    P1,C1,2024-01-30,25.00
    P2,C2,2024-01-30,25.00
"""


def test_pool_pays_by_due_date_then_invoice_date_then_id_then_instalment(tmp_path):
    ds = make_data(tmp_path, invoices=FIFO_INVOICES, payment_schedule=FIFO_SCHEDULE,
                   payments=FIFO_PAYMENTS)
    # C1: C (due 01-25) then B, Z (due 02-01, invoiced 01-01, by id) then A (invoiced 01-05).
    # C2: instalment 1 of S before instalment 2 (same due date).
    assert_items(ds, D("2024-03-31"),
                 ("A", "C1", 1, "invoice", 10_00),
                 ("Z", "C1", 1, "invoice", 5_00),
                 ("S", "C2", 2, "invoice", 25_00))


def test_pool_left_over_is_unapplied_credit(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount
        P1,C1,2024-02-10,180.00
    """)
    assert_items(ds, D("2024-02-28"), (None, "C1", None, "unapplied", -30_00))
    report = customer_report(ds, D("2024-02-28"))
    assert_frame_equal(report.select("open_amount", "unapplied_credit", "net_balance"),
                       report.select(decimal_series("open_amount", ["0.00"]),
                                     decimal_series("unapplied_credit", ["30.00"]),
                                     decimal_series("net_balance", ["-30.00"])))


def test_unreferenced_credit_note_joins_the_pool_like_a_payment(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, credit_notes="""
        credit_note_id,customer_id,date,amount
        N1,C1,2024-02-10,120.00
    """)
    assert_items(ds, D("2024-02-28"), ("I2", "C1", 1, "invoice", 30_00))


def test_pool_of_one_customer_never_pays_another(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-10,100.00,2024-02-09
        """,
        payments="""
            payment_id,customer_id,payment_date,amount
            P1,C2,2024-01-20,40.00
        """)
    assert_items(ds, D("2024-01-31"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 (None, "C2", None, "unapplied", -40_00))


def test_open_item_mode_keeps_each_pool_document_as_a_negative_item(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-01-31
        """,
        payments="""
            payment_id,customer_id,payment_date,amount
            P1,C1,2024-01-15,30.00
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount
            N1,C1,2024-03-10,20.00
        """)
    as_of = D("2024-03-31")
    assert_items(ds, as_of,
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("N1", "C1", None, "credit", -20_00),
                 ("P1", "C1", None, "credit", -30_00), unapplied="open-item")
    report = customer_report(ds, as_of, unapplied="open-item")
    # I1 is 60 days overdue, P1 aged from 2024-01-15 (76 days), N1 from 2024-03-10 (21 days).
    expected = {"open_amount": "50.00", "not_due": "0.00", "1-30": "-20.00", "31-60": "100.00",
                "61-90": "-30.00", "91-120": "0.00", "121+": "0.00",
                "unapplied_credit": "0.00", "net_balance": "50.00"}
    assert_frame_equal(report.select(list(expected)),
                       report.select(decimal_series(k, [v]) for k, v in expected.items()))


# --- instalments (§2.2, §8) ------------------------------------------------------------------

THREE_INSTALMENTS = """
    invoice_id,customer_id,invoice_date,amount,due_date
    I1,C1,2024-01-01,300.00,2024-02-01
"""


def test_instalments_are_numbered_by_due_date_and_consumed_in_that_order(tmp_path):
    ds = make_data(
        tmp_path, invoices=THREE_INSTALMENTS,
        payment_schedule="""
            invoice_id,due_date,amount
            I1,2024-04-01,120.00
            I1,2024-02-01,80.00
            I1,2024-03-01,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-20,150.00,I1
        """)
    rows = invoice_report(ds, D("2024-03-15"))
    assert rows.select("invoice_id", "instalment", "due_date", "days_overdue").rows() == [
        ("I1", 2, D("2024-03-01"), 14),
        ("I1", 3, D("2024-04-01"), -17),
    ]
    assert_frame_equal(rows.select("amount", "open_amount"), rows.select(
        decimal_series("amount", ["100.00", "120.00"]),
        decimal_series("open_amount", ["30.00", "120.00"])))


def test_stated_instalment_numbers_are_kept_but_consumed_in_due_date_order(tmp_path):
    ds = make_data(
        tmp_path, invoices=THREE_INSTALMENTS,
        payment_schedule="""
            invoice_id,due_date,amount,instalment
            I1,2024-04-01,120.00,1
            I1,2024-02-01,80.00,2
            I1,2024-03-01,100.00,3
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-01-20,150.00,I1
        """)
    assert_items(ds, D("2024-03-15"),
                 ("I1", "C1", 1, "invoice", 120_00),
                 ("I1", "C1", 3, "invoice", 30_00))


def test_invoice_without_schedule_is_instalment_one_next_to_scheduled_ones(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,300.00,2024-02-01
            I2,C1,2024-01-01,70.00,2024-01-15
        """,
        payment_schedule="""
            invoice_id,due_date,amount
            I1,2024-02-01,100.00
            I1,2024-03-01,200.00
        """)
    assert_items(ds, D("2024-03-15"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("I1", "C1", 2, "invoice", 200_00),
                 ("I2", "C1", 1, "invoice", 70_00))


def test_pool_pays_instalments_across_invoices_by_due_date(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,300.00,2024-02-01
            I2,C1,2024-01-01,70.00,2024-02-15
        """,
        payment_schedule="""
            invoice_id,due_date,amount
            I1,2024-02-01,100.00
            I1,2024-03-01,200.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount
            P1,C1,2024-02-20,190.00
        """)
    # I1/1 (due 02-01) 100, then I2 (due 02-15) 70, then I1/2 (due 03-01) takes 20.
    assert_items(ds, D("2024-03-15"), ("I1", "C1", 2, "invoice", 180_00))


# --- refunds (§8) ------------------------------------------------------------------------


def test_refund_within_the_pool_reduces_the_unapplied_credit(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-01-20,100.00,I1
        P2,C1,2024-01-21,30.00,
        R1,C1,2024-01-25,-20.00,
    """)
    assert_items(ds, D("2024-01-31"), (None, "C1", None, "unapplied", -10_00))
    assert_items(ds, D("2024-01-31"), ("P2", "C1", None, "credit", -10_00),
                 unapplied="open-item")


def test_refund_reduces_the_pool_before_fifo(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount
        P1,C1,2024-01-20,60.00
        R1,C1,2024-01-25,-20.00
    """)
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 60_00))


def test_refund_beyond_the_pool_is_an_open_item_aged_from_its_date(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-01-20,100.00,I1
        P2,C1,2024-01-21,30.00,
        R1,C1,2024-01-25,-50.00,
    """)
    as_of = D("2024-01-31")
    for mode in ("fifo", "open-item"):
        assert_items(ds, as_of, ("R1", "C1", None, "refund", 20_00), unapplied=mode)
    rows = invoice_report(ds, as_of)
    assert rows.select("invoice_id", "customer_id", "instalment", "invoice_date", "due_date",
                       "days_overdue").rows() == [
        ("R1", "C1", None, D("2024-01-25"), D("2024-01-25"), 6)]
    assert rows["bucket"].cast(str).to_list() == ["1-30"]
    assert rows["open_amount"].to_list() == decimal_series("x", ["20.00"]).to_list()


def test_refunds_beyond_the_pool_leave_the_latest_refund_owed(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-01-05,130.00,I1
        R1,C1,2024-01-10,-20.00,
        R2,C1,2024-01-20,-25.00,
    """)
    # The pool (30 excess) covers R1 and 10 of R2: the 15 still owed is aged from R2's date.
    assert_items(ds, D("2024-01-31"), ("R2", "C1", None, "refund", 15_00))
    rows = invoice_report(ds, D("2024-01-31"))
    assert rows.select("invoice_id", "due_date", "days_overdue").rows() == [
        ("R2", D("2024-01-20"), 11)]


def test_refund_without_any_pool_is_owed_in_full(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, payments="""
        payment_id,customer_id,payment_date,amount
        R1,C2,2024-01-25,-15.00
    """)
    assert_items(ds, D("2024-01-31"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("R1", "C2", None, "refund", 15_00))


# --- snapshots (§2.6, §8) -----------------------------------------------------------------

SNAPSHOT = """
    invoice_id,customer_id,invoice_date,amount,due_date,open_amount,as_of
    I1,C1,2024-01-01,100.00,2024-01-31,40.00,2024-03-31
    I2,C1,2024-02-01,50.00,2024-03-02,50.00,2024-03-31
"""
SNAPSHOT_PAYMENTS = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P1,C1,2024-02-15,60.00,I1
    P2,C1,2024-03-10,15.00,
"""


def test_snapshot_open_amounts_are_taken_as_they_are(tmp_path):
    ds = make_data(tmp_path, invoices=SNAPSHOT)
    assert ds.snapshot_as_of == D("2024-03-31")
    assert_items(ds, D("2024-03-31"),
                 ("I1", "C1", 1, "invoice", 40_00),
                 ("I2", "C1", 1, "invoice", 50_00))


def test_payment_referencing_a_snapshot_invoice_is_not_applied_again(tmp_path):
    ds = make_data(tmp_path, invoices=SNAPSHOT, payments=SNAPSHOT_PAYMENTS)
    # P1 is already in I1's open amount; the unreferenced P2 is pool and pays the oldest.
    assert_items(ds, D("2024-03-31"),
                 ("I1", "C1", 1, "invoice", 25_00),
                 ("I2", "C1", 1, "invoice", 50_00))
    assert_items(ds, D("2024-03-31"),
                 ("I1", "C1", 1, "invoice", 40_00),
                 ("I2", "C1", 1, "invoice", 50_00),
                 ("P2", "C1", None, "credit", -15_00), unapplied="open-item")


def test_snapshot_cannot_be_aged_at_another_date(tmp_path):
    ds = make_data(tmp_path, invoices=SNAPSHOT)
    with pytest.raises(DataError, match="2024-03-31"):
        open_items(ds, as_of=D("2024-04-30"))


def test_snapshot_without_as_of_column_takes_the_date_given(tmp_path):
    ds = make_data(tmp_path, as_of=D("2024-03-31"), invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date,open_amount
        I1,C1,2024-01-01,100.00,2024-01-31,40.00
    """)
    assert ds.snapshot_as_of == D("2024-03-31")
    assert_items(ds, D("2024-03-31"), ("I1", "C1", 1, "invoice", 40_00))


def test_snapshot_without_any_date_is_an_error(tmp_path):
    with pytest.raises(DataError, match="as_of|--as-of"):
        make_data(tmp_path, invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,open_amount
            I1,C1,2024-01-01,100.00,2024-01-31,40.00
        """)


# --- due dates (§1) -------------------------------------------------------------------------


def test_missing_due_date_comes_from_customer_terms_else_thirty_days(tmp_path):
    ds = make_data(
        tmp_path,
        customers="""
            customer_id,name,payment_terms_days
            C1,Terms 45,45
            C2,No terms,
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,10.00,
            I2,C2,2024-01-01,10.00,
            I3,C3,2024-01-01,10.00,
            I4,C1,2024-01-01,10.00,2024-01-10
        """)
    rows = invoice_report(ds, D("2024-01-01")).sort("invoice_id")
    assert rows.select("invoice_id", "due_date").rows() == [
        ("I1", D("2024-02-15")),  # customer terms
        ("I2", D("2024-01-31")),  # customer without terms: + 30
        ("I3", D("2024-01-31")),  # unknown customer: + 30
        ("I4", D("2024-01-10")),  # stated due date wins
    ]


def test_no_due_date_column_at_all_uses_terms(tmp_path):
    ds = make_data(
        tmp_path,
        customers="""
            customer_id,payment_terms_days
            C1,10
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,amount
            I1,C1,2024-02-25,10.00
            I2,C2,2024-02-25,10.00
        """)
    rows = invoice_report(ds, D("2024-02-25")).sort("invoice_id")
    assert rows.select("invoice_id", "due_date").rows() == [
        ("I1", D("2024-03-06")),  # 2024 is a leap year
        ("I2", D("2024-03-26")),
    ]


SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def test_open_items_are_reused_at_the_same_date_and_mode():
    from datetime import date as day

    from reportgen import ledger
    from reportgen.load import load

    ds = load(SAMPLE)
    first = ledger.open_items(ds, as_of=day(2025, 6, 30)).collect()
    again = ledger.open_items(ds, as_of=day(2025, 6, 30)).collect()
    other_mode = ledger.open_items(ds, as_of=day(2025, 6, 30), unapplied="open-item").collect()
    assert again.equals(first)
    assert not other_mode.equals(first)  # keyed by the mode too
    assert set(ds.memo) == {
        ("allocation", day(2025, 6, 30)),
        ("open items", day(2025, 6, 30), "fifo"),
        ("open items", day(2025, 6, 30), "open-item"),
    }
    fresh = ledger.open_items(load(SAMPLE), as_of=day(2025, 6, 30)).collect()

    def in_order(frame):  # the rows of an allocation come in no particular order
        return frame.with_columns(customer_id=frame["customer_id"].cast(str)).sort(
            frame.columns, nulls_last=True
        )

    assert_frame_equal(in_order(first), in_order(fresh))


def test_the_open_item_memo_keeps_the_latest_dates_within_its_budget(monkeypatch):
    from datetime import date as day

    from reportgen import ledger
    from reportgen.load import load

    ds = load(SAMPLE)
    ledger.open_items(ds, as_of=day(2025, 1, 31))
    per_date = sum(size for _, size in ds.memo.values())  # an allocation and its open items
    monkeypatch.setattr(ledger, "MEMO_BYTES", int(per_date * 2.5))
    for month in (2, 3, 4):
        ledger.open_items(ds, as_of=day(2025, month, 28))
    assert sum(size for _, size in ds.memo.values()) <= ledger.MEMO_BYTES
    assert {key[1] for key in ds.memo} >= {day(2025, 3, 28), day(2025, 4, 28)}
    assert {key[1] for key in ds.memo}.isdisjoint({day(2025, 1, 31), day(2025, 2, 28)})
    monkeypatch.setattr(ledger, "MEMO_BYTES", 1)
    ledger.open_items(ds, as_of=day(2025, 5, 31))
    assert list(ds.memo) == [("open items", day(2025, 5, 31), "fifo")]  # always the latest


def _invoices_in(order: list[str], rows: dict[str, str]) -> str:
    """invoices.csv listing the `rows` (by invoice id) in the given order."""
    return "\n".join(["invoice_id,customer_id,invoice_date,amount,due_date"]
                     + [rows[i] for i in order])


def test_fifo_sorts_on_one_packed_key_only_when_rows_come_in_id_order(tmp_path):
    # The same three open invoices and 250 on account, listed by id (one packed sort key
    # serves) and in no order (the four-column FIFO order is used): the same allocation, the
    # oldest due first. I1 and I3 share due and invoice dates, so the id breaks the tie.
    from reportgen import ledger

    rows = {
        "I1": "I1,C1,2024-01-05,100.00,2024-02-04",
        "I2": "I2,C1,2024-01-01,100.00,2024-01-31",
        "I3": "I3,C1,2024-01-05,100.00,2024-02-04",
    }
    results, packed = [], []
    for order in (["I1", "I2", "I3"], ["I3", "I1", "I2"]):
        ds = make_data(
            tmp_path / "".join(order),
            invoices=_invoices_in(order, rows),
            payments="""
                payment_id,customer_id,payment_date,amount,invoice_id
                P1,C1,2024-02-10,250.00,
            """)
        stages = ledger.allocate(ds, as_of=D("2024-03-01"))
        packed.append(ledger._packed_fifo_key(stages.instalments) is not None)
        allocated = ledger.fifo_allocated(stages.instalments, stages.pool)
        results.append(dict(allocated.select("invoice_id", "allocated").iter_rows()))
    assert packed == [True, False]
    assert results == [{"I2": 100_00, "I1": 100_00, "I3": 50_00}] * 2


@pytest.mark.parametrize("invoice_order", [["I1", "I2", "I3"], ["I3", "I1", "I2"]])
def test_quoted_ids_are_matched_exactly_whatever_sorts_next_to_them(tmp_path, invoice_order):
    # Documents are matched to invoices by an as-of join on the sorted ids, which finds the
    # last invoice id not after the quoted one: only an exact id counts. "I0" sorts before
    # every invoice, "I1x" and "I10" between I1 and I2, "I9" after I3; P6 quotes I3 of
    # another customer. Whether or not the file lists the invoices by id, each of those
    # goes to the pool whole, and I1, I2, I3 keep exactly their own documents' reductions.
    from reportgen import ledger

    rows = {
        "I1": "I1,C1,2024-01-05,100.00,2024-02-04",
        "I2": "I2,C1,2024-01-06,100.00,2024-02-05",
        "I3": "I3,C2,2024-01-07,100.00,2024-02-06",
    }
    ds = make_data(tmp_path, invoices=_invoices_in(invoice_order, rows), payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2024-01-10,10.00,I0
        P2,C1,2024-01-10,20.00,I1x
        P3,C1,2024-01-10,30.00,I10
        P4,C1,2024-01-10,40.00,I9
        P5,C1,2024-01-10,25.00,I1
        P6,C1,2024-01-10,50.00,I3
        P7,C2,2024-01-10,60.00,I3
        P8,C1,2024-01-10,70.00,I2
    """)
    stages = ledger.allocate(ds, as_of=D("2024-01-31"))
    applied = dict(stages.referenced.collect().select("doc_id", "applied").iter_rows())
    assert applied == {"P1": 0, "P2": 0, "P3": 0, "P4": 0, "P5": 25_00, "P6": 0,
                       "P7": 60_00, "P8": 70_00}
    remaining = dict(stages.instalments.select("invoice_id", "remaining").iter_rows())
    assert remaining == {"I1": 75_00, "I2": 30_00, "I3": 40_00}
    # an invoice's place in id order, whatever the file's order
    id_order = dict(stages.instalments.select("invoice_id", "__id_order").iter_rows())
    assert id_order == {"I1": 0, "I2": 1, "I3": 2}
