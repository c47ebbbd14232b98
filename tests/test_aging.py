"""Aging (SPEC §3) and the report rows of SPEC §7-§8: buckets, bounds, bases, levels."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import (
    D,
    bucket_frame,
    customer_report,
    decimal_series,
    invoice_report,
    make_data,
    report_buckets,
)
from polars.testing import assert_frame_equal

from reportgen.aging import bucket_labels, parse_bounds

AS_OF = D("2024-06-30")

# One customer, one invoice per boundary; amounts are powers of two so every bucket total
# names exactly the invoices in it. `due` is AS_OF minus the days overdue in the id.
BOUNDARIES = """
    invoice_id,customer_id,invoice_date,amount,due_date
    d-5,C1,2024-06-01,0.50,2024-07-05
    d0,C1,2024-06-01,1.00,2024-06-30
    d1,C1,2024-05-01,2.00,2024-06-29
    d30,C1,2024-05-01,4.00,2024-05-31
    d31,C1,2024-04-01,8.00,2024-05-30
    d60,C1,2024-04-01,16.00,2024-05-01
    d61,C1,2024-03-01,32.00,2024-04-30
    d90,C1,2024-03-01,64.00,2024-04-01
    d91,C1,2024-01-01,128.00,2024-03-31
    d120,C1,2024-01-01,256.00,2024-03-02
    d121,C1,2024-01-01,512.00,2024-03-01
"""


def test_default_bucket_labels():
    assert bucket_labels() == ["not_due", "1-30", "31-60", "61-90", "91-120", "121+"]
    assert bucket_labels(basis="invoice") == ["0-30", "31-60", "61-90", "91-120", "121+"]


def test_custom_bound_labels_follow_the_pattern():
    assert bucket_labels((60, 120)) == ["not_due", "1-60", "61-120", "121+"]
    assert bucket_labels((60, 120), basis="invoice") == ["0-60", "61-120", "121+"]
    assert bucket_labels((3, 7)) == ["not_due", "1-3", "4-7", "8+"]
    assert bucket_labels((30,)) == ["not_due", "1-30", "31+"]


@pytest.mark.parametrize("text", ["", "30,30", "60,30", "0,30", "-5,30", "a,b", "30;60"])
def test_bad_bounds_are_refused(text):
    with pytest.raises(ValueError, match="buckets"):
        parse_bounds(text)


def test_bounds_parse():
    assert parse_bounds("30,60,90,120") == (30, 60, 90, 120)
    assert parse_bounds(" 3, 7 ") == (3, 7)


def test_each_boundary_falls_in_its_bucket_upper_bounds_inclusive(tmp_path):
    ds = make_data(tmp_path, invoices=BOUNDARIES)
    rows = invoice_report(ds, AS_OF).sort("days_overdue")
    expected = pl.DataFrame({
        "invoice_id": ["d-5", "d0", "d1", "d30", "d31", "d60", "d61", "d90", "d91", "d120",
                       "d121"],
        "days_overdue": [-5, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121],
        "bucket": ["not_due", "not_due", "1-30", "1-30", "31-60", "31-60", "61-90", "61-90",
                   "91-120", "91-120", "121+"],
    })
    assert_frame_equal(rows.select("invoice_id", "days_overdue", pl.col("bucket").cast(str)),
                       expected)


def test_customer_buckets_hold_exactly_their_items(tmp_path):
    ds = make_data(tmp_path, invoices=BOUNDARIES)
    assert_frame_equal(report_buckets(ds, AS_OF), bucket_frame({
        "C1": ["1023.50", "1.50", "6.00", "24.00", "96.00", "384.00", "512.00"]}))


def test_due_on_d_is_not_overdue_and_the_day_after_is(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date
        I1,C1,2024-05-01,10.00,2024-05-31
    """)
    assert_frame_equal(report_buckets(ds, D("2024-05-31")),
                       bucket_frame({"C1": ["10.00", "10.00", "0", "0", "0", "0", "0"]}))
    assert_frame_equal(report_buckets(ds, D("2024-06-01")),
                       bucket_frame({"C1": ["10.00", "0", "10.00", "0", "0", "0", "0"]}))


def test_custom_bounds_change_the_columns_and_the_cuts(tmp_path):
    ds = make_data(tmp_path, invoices=BOUNDARIES)
    assert_frame_equal(
        report_buckets(ds, AS_OF, bounds=(60, 120)),
        bucket_frame({"C1": ["1023.50", "1.50", "30.00", "480.00", "512.00"]}, bounds=(60, 120)))
    assert_frame_equal(
        report_buckets(ds, AS_OF, bounds=(3, 7)),
        bucket_frame({"C1": ["1023.50", "1.50", "2.00", "0", "1020.00"]}, bounds=(3, 7)))


def test_invoice_basis_ages_from_the_invoice_date(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date
        today,C1,2024-06-30,1.00,2024-07-30
        a30,C1,2024-05-31,2.00,2024-09-30
        a31,C1,2024-05-30,4.00,2024-05-30
        a120,C1,2024-03-02,8.00,2024-12-31
        a121,C1,2024-03-01,16.00,2024-03-01
    """)
    # The due dates would put these elsewhere: only the invoice date matters on this basis.
    assert_frame_equal(
        report_buckets(ds, AS_OF, basis="invoice"),
        bucket_frame({"C1": ["31.00", "3.00", "4.00", "0", "8.00", "16.00"]}, basis="invoice"))
    assert_frame_equal(
        report_buckets(ds, AS_OF, basis="invoice", bounds=(60, 120)),
        bucket_frame({"C1": ["31.00", "7.00", "8.00", "16.00"]}, basis="invoice",
                     bounds=(60, 120)))


def test_invoice_basis_rows_still_report_days_overdue_against_the_due_date(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date
        I1,C1,2024-05-01,10.00,2024-07-10
    """)
    rows = invoice_report(ds, AS_OF, basis="invoice")
    assert rows.select("days_overdue", pl.col("bucket").cast(str)).rows() == [(-10, "31-60")]


def test_leap_day_counts(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date
        I1,C1,2024-01-29,10.00,2024-02-28
        I2,C1,2024-01-30,10.00,2024-02-29
    """)
    rows = invoice_report(ds, D("2024-03-01")).sort("invoice_id")
    assert rows.select("invoice_id", "days_overdue").rows() == [("I1", 2), ("I2", 1)]


def test_invoice_level_lists_only_non_zero_items_with_negative_days_when_not_due(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-05-01,100.00,2024-05-31
            I2,C1,2024-06-20,40.00,2024-07-20
            I3,C2,2024-06-01,25.00,2024-07-01
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C1,2024-06-10,100.00,I1
        """)
    expected = pl.DataFrame({
        "invoice_id": ["I2", "I3"],
        "customer_id": ["C1", "C2"],
        "instalment": [1, 1],
        "invoice_date": [D("2024-06-20"), D("2024-06-01")],
        "due_date": [D("2024-07-20"), D("2024-07-01")],
        "amount": decimal_series("amount", ["40.00", "25.00"]),
        "open_amount": decimal_series("open_amount", ["40.00", "25.00"]),
        "days_overdue": [-20, -1],
        "bucket": ["not_due", "not_due"],
    })
    rows = invoice_report(ds, AS_OF)
    assert_frame_equal(rows.with_columns(pl.col("bucket").cast(str)), expected)


def test_invoice_level_amount_is_the_instalment_amount(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-05-01,100.00,2024-05-31
        """,
        payment_schedule="""
            invoice_id,due_date,amount
            I1,2024-05-31,60.00
            I1,2024-06-30,40.00
        """)
    rows = invoice_report(ds, AS_OF)
    assert_frame_equal(rows.select("instalment", "amount", "days_overdue",
                                   pl.col("bucket").cast(str)),
                       pl.DataFrame({"instalment": [1, 2],
                                     "amount": decimal_series("amount", ["60.00", "40.00"]),
                                     "days_overdue": [30, 0],
                                     "bucket": ["1-30", "not_due"]}))


def test_every_customer_appears_zeros_included(tmp_path):
    ds = make_data(
        tmp_path,
        customers="""
            customer_id,name,credit_limit
            C1,Acme,1000
            C2,Idle Ltd,500
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-06-01,10.00,2024-07-01
            I9,C9,2024-06-01,5.00,2024-06-05
        """,
        payments="""
            payment_id,customer_id,payment_date,amount
            P1,C8,2024-06-01,7.00
        """)
    report = customer_report(ds, AS_OF)
    # C2 has no documents; C8 and C9 are not in customers.csv but have documents.
    assert report["customer_id"].to_list() == ["C1", "C2", "C8", "C9"]
    assert report["name"].to_list() == ["Acme", "Idle Ltd", None, None]
    assert_frame_equal(report_buckets(ds, AS_OF), bucket_frame({
        "C1": ["10.00", "10.00", "0", "0", "0", "0", "0"],
        "C2": ["0", "0", "0", "0", "0", "0", "0"],
        "C8": ["0", "0", "0", "0", "0", "0", "0"],
        "C9": ["5.00", "0", "5.00", "0", "0", "0", "0"],
    }))
    assert_frame_equal(report.select("unapplied_credit", "net_balance"), pl.DataFrame([
        decimal_series("unapplied_credit", ["0", "0", "7.00", "0"]),
        decimal_series("net_balance", ["10.00", "0", "-7.00", "5.00"]),
    ]))


def test_customer_columns_in_spec_order(tmp_path):
    ds = make_data(tmp_path, invoices=BOUNDARIES)
    assert customer_report(ds, AS_OF, bounds=(3, 7)).columns == [
        "customer_id", "name", "open_amount", "not_due", "1-3", "4-7", "8+",
        "unapplied_credit", "net_balance", "credit_limit", "utilization", "over_limit"]
    assert invoice_report(ds, AS_OF).columns == [
        "invoice_id", "customer_id", "instalment", "invoice_date", "due_date", "amount",
        "open_amount", "days_overdue", "bucket"]


def test_unapplied_credit_sits_outside_the_buckets(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-05-01,10.00,2024-05-31
        """,
        payments="""
            payment_id,customer_id,payment_date,amount
            P1,C1,2024-06-01,25.00
        """)
    report = customer_report(ds, AS_OF)
    assert_frame_equal(report_buckets(ds, AS_OF),
                       bucket_frame({"C1": ["0", "0", "0", "0", "0", "0", "0"]}))
    assert report.select("unapplied_credit", "net_balance").rows() == [
        tuple(decimal_series("x", ["15.00", "-15.00"]).to_list())]
    # In open-item mode the same credit sits in a bucket (aged from its date), not beside them.
    assert_frame_equal(report_buckets(ds, AS_OF, unapplied="open-item"),
                       bucket_frame({"C1": ["-15.00", "0", "-15.00", "0", "0", "0", "0"]}))
    item_report = customer_report(ds, AS_OF, unapplied="open-item")
    assert item_report.select("unapplied_credit", "net_balance").rows() == [
        tuple(decimal_series("x", ["0", "-15.00"]).to_list())]


def test_money_keeps_the_digits_the_data_uses(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date
        I1,C1,2024-05-01,10.125,2024-05-31
        I2,C1,2024-05-01,0.001,2024-07-31
    """)
    assert ds.digits == 3
    assert_frame_equal(report_buckets(ds, AS_OF), bucket_frame(
        {"C1": ["10.126", "0.001", "10.125", "0", "0", "0", "0"]}, digits=3))


@pytest.mark.parametrize("basis", ["due", "invoice"])
@pytest.mark.parametrize("bounds", [(30, 60, 90, 120), (15,), (7, 14, 45)])
def test_the_bucket_conditions_of_the_summary_agree_with_the_item_labels(bounds, basis):
    """The customer summary sums by `in_buckets`, the invoice level labels by `bucket_label`:
    every age falls in exactly one bucket, the same in both."""
    from reportgen.aging import bucket_label, in_buckets

    ages = pl.DataFrame({"days": list(range(-10, 200))})
    tests = in_buckets(pl.col("days"), bounds=bounds, basis=basis)
    frame = ages.with_columns(
        label=bucket_label("days", bounds=bounds, basis=basis).cast(pl.String),
        **{f"in {b}": test for b, test in tests.items()},
    )
    hits = frame.select(pl.sum_horizontal(f"in {b}" for b in tests)).to_series()
    assert (hits == 1).all()
    for b in tests:
        assert frame.filter(pl.col(f"in {b}"))["label"].unique().to_list() in ([b], [])
    assert frame.filter(pl.col("days") == 0)["label"].item() == list(tests)[0]
