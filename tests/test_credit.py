"""Credit exposure against limits (SPEC §4): exposure, utilization, over limit, holds."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import D, customer_report, decimal_series, make_data
from polars.testing import assert_frame_equal

from reportgen.aging import aging_summary
from reportgen.credit import customer_exposure, portfolio_utilization
from reportgen.ledger import open_items

AS_OF = D("2024-06-30")

CUSTOMERS = """
    customer_id,name,credit_limit
    EQ,Exactly at limit,100.00
    OVER,Over limit,1000.00
    ZERO,Cash only,0
    ZNONE,Cash only idle,0
    NOLIM,No limit,
    NEG,Credit balance,50.00
"""
INVOICES = """
    invoice_id,customer_id,invoice_date,amount,due_date
    I1,EQ,2024-06-01,70.00,2024-07-01
    I2,OVER,2024-06-01,1000.00,2024-07-01
    I3,ZERO,2024-06-01,0.01,2024-07-01
    I4,NOLIM,2024-06-01,5000.00,2024-07-01
"""
ORDERS = """
    customer_id,amount
    EQ,20.00
    EQ,10.00
    OVER,50.00
"""
PAYMENTS = """
    payment_id,customer_id,payment_date,amount
    P1,NEG,2024-06-01,80.00
"""


@pytest.fixture
def credit(tmp_path) -> pl.DataFrame:
    ds = make_data(tmp_path, customers=CUSTOMERS, invoices=INVOICES, open_orders=ORDERS,
                   payments=PAYMENTS)
    return customer_report(ds, AS_OF, credit=True)


def test_exposure_is_net_balance_plus_open_orders(credit):
    expected = pl.DataFrame([
        pl.Series("customer_id", ["EQ", "NEG", "NOLIM", "OVER", "ZERO", "ZNONE"]),
        decimal_series("net_balance", ["70.00", "-80.00", "5000.00", "1000.00", "0.01", "0"]),
        decimal_series("open_orders", ["30.00", "0", "0", "50.00", "0", "0"]),
        decimal_series("exposure", ["100.00", "-80.00", "5000.00", "1050.00", "0.01", "0"]),
    ])
    assert_frame_equal(credit.select(expected.columns), expected)


def test_exposure_equal_to_the_limit_is_not_over(credit):
    row = credit.filter(pl.col("customer_id") == "EQ")
    assert row["over_limit"].to_list() == [False]
    assert row["utilization"].to_list() == [pytest.approx(1.0)]
    assert row["headroom"].to_list() == decimal_series("x", ["0"]).to_list()
    assert row["over_limit_amount"].to_list() == decimal_series("x", ["0"]).to_list()
    assert row["credit_hold"].to_list() == [False]


def test_over_limit_utilization_is_a_ratio(credit):
    row = credit.filter(pl.col("customer_id") == "OVER")
    assert row["over_limit"].to_list() == [True]
    assert row["utilization"].to_list() == [pytest.approx(1.05)]
    assert row["headroom"].to_list() == decimal_series("x", ["-50.00"]).to_list()
    assert row["over_limit_amount"].to_list() == decimal_series("x", ["50.00"]).to_list()
    assert row["credit_hold"].to_list() == [True]  # over limit, though nothing is overdue


def test_zero_limit_with_positive_exposure_is_over_and_utilization_blank(credit):
    row = credit.filter(pl.col("customer_id") == "ZERO")
    assert row["over_limit"].to_list() == [True]
    assert row["utilization"].to_list() == [None]
    assert row["over_limit_amount"].to_list() == decimal_series("x", ["0.01"]).to_list()
    assert row["headroom"].to_list() == decimal_series("x", ["-0.01"]).to_list()
    assert row["credit_hold"].to_list() == [True]


def test_zero_limit_without_exposure_is_not_over(credit):
    row = credit.filter(pl.col("customer_id") == "ZNONE")
    assert row["over_limit"].to_list() == [False]
    assert row["utilization"].to_list() == [None]
    assert row["credit_hold"].to_list() == [False]


def test_no_limit_means_blank_utilization_and_never_over(credit):
    row = credit.filter(pl.col("customer_id") == "NOLIM")
    assert row["credit_limit"].to_list() == [None]
    assert row["utilization"].to_list() == [None]
    assert row["over_limit"].to_list() == [False]
    assert row["over_limit_amount"].to_list() == decimal_series("x", ["0"]).to_list()
    assert row["headroom"].to_list() == [None]
    assert row["credit_hold"].to_list() == [False]


def test_unapplied_credit_lowers_exposure(credit):
    row = credit.filter(pl.col("customer_id") == "NEG")
    assert row["over_limit"].to_list() == [False]
    assert row["utilization"].to_list() == [pytest.approx(-1.6)]
    assert row["headroom"].to_list() == decimal_series("x", ["130.00"]).to_list()


def test_open_orders_alone_can_put_a_customer_over_limit(tmp_path):
    ds = make_data(
        tmp_path,
        customers="""
            customer_id,credit_limit
            ORD,10.00
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,OTHER,2024-06-01,1.00,2024-07-01
        """,
        open_orders="""
            customer_id,amount
            ORD,20.00
        """)
    row = customer_report(ds, AS_OF, credit=True).filter(pl.col("customer_id") == "ORD")
    assert row.select("over_limit", "credit_hold").rows() == [(True, True)]
    assert row["exposure"].to_list() == decimal_series("x", ["20.00"]).to_list()
    assert row["over_limit_amount"].to_list() == decimal_series("x", ["10.00"]).to_list()
    assert row["utilization"].to_list() == [pytest.approx(2.0)]


def test_report_without_credit_flag_has_limit_utilization_and_over_limit(credit, tmp_path):
    ds = make_data(tmp_path / "again", customers=CUSTOMERS, invoices=INVOICES,
                   open_orders=ORDERS, payments=PAYMENTS)
    plain = customer_report(ds, AS_OF)
    assert_frame_equal(plain.select("customer_id", "credit_limit", "utilization", "over_limit"),
                       credit.select("customer_id", "credit_limit", "utilization", "over_limit"))
    assert "exposure" not in plain.columns


HOLD_INVOICES = """
    invoice_id,customer_id,invoice_date,amount,due_date
    I90,C90,2024-03-01,10.00,2024-04-01
    I91,C91,2024-03-01,10.00,2024-03-31
    P91,PAID,2024-03-01,10.00,2024-03-31
"""
HOLD_PAYMENTS = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P1,PAID,2024-04-05,10.00,P91
"""


def test_credit_hold_after_more_than_hold_after_days_overdue(tmp_path):
    ds = make_data(tmp_path, invoices=HOLD_INVOICES, payments=HOLD_PAYMENTS)
    report = customer_report(ds, AS_OF, credit=True)
    assert report.select("customer_id", "max_days_overdue", "credit_hold").rows() == [
        ("C90", 90, False),  # exactly 90 days: not more than 90
        ("C91", 91, True),
        ("PAID", None, False),  # a paid item is not held, however old
    ]
    stricter = customer_report(ds, AS_OF, credit=True, hold_after_days=30)
    assert stricter["credit_hold"].to_list() == [True, True, False]


def test_an_old_credit_item_is_not_a_reason_for_a_hold(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-06-01,10.00,2024-07-01
        """,
        payments="""
            payment_id,customer_id,payment_date,amount
            P1,C1,2024-01-01,5.00
        """)
    report = customer_report(ds, AS_OF, credit=True, unapplied="open-item")
    assert report.select("credit_hold").rows() == [(False,)]


def test_portfolio_utilization_counts_only_limited_customers(tmp_path):
    ds = make_data(tmp_path, customers=CUSTOMERS, invoices=INVOICES, open_orders=ORDERS,
                   payments=PAYMENTS)
    items = open_items(ds, as_of=AS_OF)
    exposure = customer_exposure(aging_summary(items, as_of=AS_OF), ds).collect()
    # Limited: EQ 100 + OVER 1050 + ZERO 0.01 + ZNONE 0 + NEG -80 = 1070.01, over limits
    # 100 + 1000 + 0 + 0 + 50 = 1150; NOLIM's 5000 counts in neither.
    value = exposure.select(portfolio_utilization()).item()
    assert value == pytest.approx(107_001 / 115_000)


def test_portfolio_utilization_blank_without_any_limit(tmp_path):
    ds = make_data(tmp_path, invoices=INVOICES)
    items = open_items(ds, as_of=AS_OF)
    exposure = customer_exposure(aging_summary(items, as_of=AS_OF), ds).collect()
    assert exposure.select(portfolio_utilization()).item() is None


def test_max_days_overdue_is_blank_when_nothing_is_overdue(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date
        I1,C1,2024-05-01,10.00,2024-06-30
        I2,C2,2024-05-01,10.00,2024-05-30
        I3,C2,2024-05-01,10.00,2024-07-30
    """)
    report = customer_report(ds, D("2024-06-30"), credit=True)
    assert report.select("customer_id", "max_days_overdue").rows() == [("C1", None), ("C2", 31)]
