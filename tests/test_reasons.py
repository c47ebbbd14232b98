"""Overdue reasons (逾期原因, issue 7): each overdue item's reason, totals by reason and aging
bucket that add up to the overdue amount, and reasons that recur for a customer."""

from __future__ import annotations

import polars as pl
from conftest import D, make_data

from reportgen.reasons import (
    months_before,
    overdue_items_with_reasons,
    reasons_by_bucket,
    recurring_reasons,
)

AS_OF = D("2025-06-30")
INVOICES = """
invoice_id,customer_id,invoice_date,due_date,amount
I1,C1,2025-04-01,2025-05-01,100.00
I2,C1,2025-04-01,2025-06-10,50.00
I3,C2,2025-01-01,2025-02-01,300.00
I4,C3,2025-06-01,2025-06-20,20.00
I5,C3,2025-06-01,2025-07-20,999.00
"""
ACTIVITIES = """
customer_id,date,type,invoice_id,reason
C1,2025-05-05,call,I1,forgot
C1,2025-05-20,call,I1,financial_difficulty
C1,2025-06-15,email,,service_issue
C2,2025-03-01,call,I3,dispute
C2,2025-07-05,call,I3,forgot
"""


def test_each_overdue_item_has_its_latest_reason(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, activities=ACTIVITIES)
    items = overdue_items_with_reasons(ds, as_of=AS_OF).collect().sort("item_id")
    assert items.select("item_id", "reason", "reason_source").rows() == [
        ("I1", "financial_difficulty", "invoice"),  # the later of its two reasons
        ("I2", "service_issue", "customer"),  # none of its own: the customer's latest
        ("I3", "dispute", "invoice"),  # the reason after D is not known yet
        ("I4", "unknown", "none"),
    ]  # I5 is not overdue


def test_reasons_by_bucket_add_up_to_the_overdue_amount(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES, activities=ACTIVITIES)
    items = overdue_items_with_reasons(ds, as_of=AS_OF)
    table = reasons_by_bucket(items).collect()
    assert table.select("reason", "amount", "count", "1-30", "31-60", "121+").rows() == [
        ("dispute", 30_000, 1, 0, 0, 30_000),  # 149 days
        ("financial_difficulty", 10_000, 1, 0, 10_000, 0),  # 60 days
        ("service_issue", 5_000, 1, 5_000, 0, 0),
        ("unknown", 2_000, 1, 2_000, 0, 0),
    ]
    buckets = ["1-30", "31-60", "61-90", "91-120", "121+"]
    totals = table.select(pl.sum_horizontal(buckets)).to_series().to_list()
    assert totals == table["amount"].to_list()
    assert table["share"].sum() == 100.0
    assert table["1-30_count"].to_list() == [0, 0, 1, 1]


def test_recurring_reasons_need_two_days_within_the_lookback(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=INVOICES,
        activities="""
        customer_id,date,type,invoice_id,reason
        C1,2025-03-01,call,I1,forgot
        C1,2025-05-01,call,I2,forgot
        C2,2025-06-01,call,I3,dispute
        C2,2025-06-01,email,I3,dispute
        C3,2024-05-01,call,,service_issue
        C3,2025-06-01,call,I4,service_issue
        """,
    )
    table = recurring_reasons(ds, as_of=AS_OF).collect()
    got = table.with_columns(pl.col("customer_id").cast(pl.String)).select(
        "customer_id", "reason", "times", "invoices", "first", "last"
    )
    # C2 twice on one day is one occasion; C3's first time is more than 12 months ago
    assert got.rows() == [("C1", "forgot", 2, 2, D("2025-03-01"), D("2025-05-01"))]
    longer = recurring_reasons(ds, as_of=AS_OF, lookback_months=24).collect()
    assert longer.height == 2


def test_months_before_keeps_the_day_or_the_month_end():
    assert months_before(D("2025-03-31"), 1) == D("2025-02-28")
    assert months_before(D("2025-01-15"), 12) == D("2024-01-15")
    assert months_before(D("2024-02-29"), 12) == D("2023-02-28")


def test_without_reasons_every_overdue_item_is_unknown(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=INVOICES,
        activities="""
        customer_id,date,type
        C1,2025-06-01,call
        """,
    )
    table = reasons_by_bucket(overdue_items_with_reasons(ds, as_of=AS_OF)).collect()
    assert table.select("reason", "amount", "count").rows() == [("unknown", 47_000, 4)]
