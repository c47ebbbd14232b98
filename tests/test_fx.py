"""Multi-currency (SPEC §5 and §8 Currencies): revaluation at D, half-up per item, base
allocation for mixed customers, and the errors that name the currency and the date."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import (
    D,
    assert_items,
    bucket_frame,
    customer_report,
    make_data,
    open_cents,
    problems_of,
    report_buckets,
)
from polars.testing import assert_frame_equal

from reportgen.ledger import open_items
from reportgen.load import DataError

RATES = """
    date,currency,rate
    2024-01-01,USD,1.10
    2024-02-01,USD,1.20
    2024-04-01,USD,1.50
"""
USD_INVOICE = """
    invoice_id,customer_id,invoice_date,amount,due_date,currency
    I1,C1,2024-01-01,100.00,2024-01-31,USD
    I2,C2,2024-01-01,100.00,2024-01-31,EUR
"""


def test_base_currency_is_the_one_without_a_rate(tmp_path):
    ds = make_data(tmp_path, invoices=USD_INVOICE, fx_rates=RATES)
    assert ds.base_currency == "EUR"
    assert ds.currencies == ("EUR", "USD")


@pytest.mark.parametrize(("as_of", "eur_cents"), [
    ("2024-01-31", 110_00),  # the January rate
    ("2024-02-01", 120_00),  # a rate dated on D counts
    ("2024-03-31", 120_00),  # the latest rate on or before D, not a later one
    ("2024-04-01", 150_00),
])
def test_items_are_revalued_at_the_latest_rate_on_or_before_d(tmp_path, as_of, eur_cents):
    ds = make_data(tmp_path, invoices=USD_INVOICE, fx_rates=RATES)
    assert open_cents(ds, D(as_of)) == {"C1": eur_cents, "C2": 100_00}


def test_per_currency_amount_stays_available(tmp_path):
    ds = make_data(tmp_path, invoices=USD_INVOICE, fx_rates=RATES)
    frame = open_items(ds, as_of=D("2024-03-31")).collect().sort("customer_id")
    assert frame.select("customer_id", "currency", "open_amount", "open_amount_ccy").rows() == [
        ("C1", "USD", 120_00, 100_00),
        ("C2", "EUR", 100_00, 100_00),
    ]


def test_conversion_rounds_half_up_per_item_then_sums(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency
            I1,C1,2024-01-01,0.01,2024-01-31,USD
            I2,C1,2024-01-01,0.01,2024-03-31,USD
            I3,C2,2024-01-01,1.00,2024-01-31,EUR
        """,
        fx_rates="""
            date,currency,rate
            2024-01-01,USD,2.5
        """)
    # Each 0.01 USD is 0.025 EUR -> 0.03 (half-up; half-even would give 0.02). The sum
    # rounded once would be 0.05: per item it is 0.06, and the buckets still add up.
    assert open_cents(ds, D("2024-03-01")) == {"C1": 6, "C2": 100}
    assert_frame_equal(report_buckets(ds, D("2024-03-01")), bucket_frame({
        "C1": ["0.06", "0.03", "0.03", "0", "0", "0", "0"],  # I1 is 30 days overdue
        "C2": ["1.00", "0", "1.00", "0", "0", "0", "0"],
    }))


def test_negative_amounts_round_half_away_from_zero(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency
            I1,C2,2024-01-01,1.00,2024-01-31,EUR
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,currency
            P1,C1,2024-01-10,0.01,USD
        """,
        fx_rates="""
            date,currency,rate
            2024-01-01,USD,2.5
        """)
    assert_items(ds, D("2024-01-31"),
                 (None, "C1", None, "unapplied", -3),
                 ("I1", "C2", 1, "invoice", 100))


def test_single_foreign_currency_customer_is_allocated_in_its_currency(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency
            I1,C1,2024-01-01,100.00,2024-01-31,USD
            I2,C2,2024-01-01,10.00,2024-01-31,EUR
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id,currency
            P1,C1,2024-01-20,40.00,I1,USD
        """,
        fx_rates=RATES)
    frame = open_items(ds, as_of=D("2024-03-31")).collect().filter(pl.col("customer_id") == "C1")
    # 60 USD open, revalued at D (1.20), not the payment's or the invoice's date rate.
    assert frame.select("currency", "open_amount_ccy", "open_amount").rows() == [
        ("USD", 60_00, 72_00)]


def test_customer_with_two_currencies_is_allocated_in_base(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency
            I1,C1,2024-01-01,100.00,2024-01-31,EUR
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,currency
            P1,C1,2024-01-20,110.00,USD
        """,
        fx_rates="""
            date,currency,rate
            2024-01-01,USD,0.90
        """)
    # 110 USD = 99 EUR at D pays 99 of the EUR invoice: 1 EUR stays open and nothing is left
    # as a credit (separate allocation per currency would leave 100 EUR open and 99 unapplied).
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 1_00))
    report = customer_report(ds, D("2024-01-31"))
    assert report.select("open_amount", "unapplied_credit").rows() == [
        tuple(pl.Series([1, 0]).cast(pl.Decimal(38, 2)).to_list())]


def test_mixed_customer_instalments_still_add_up_in_base(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency
            I1,C1,2024-01-01,0.03,2024-01-31,USD
            I2,C1,2024-01-01,5.00,2024-01-31,EUR
        """,
        payment_schedule="""
            invoice_id,due_date,amount
            I1,2024-01-31,0.01
            I1,2024-02-29,0.01
            I1,2024-03-31,0.01
        """,
        fx_rates="""
            date,currency,rate
            2024-01-01,USD,2.5
        """)
    # 0.03 USD = 0.075 -> 0.08 EUR; its instalments in base must add up to the invoice.
    frame = open_items(ds, as_of=D("2024-01-31")).collect().filter(pl.col("item_id") == "I1")
    assert frame["amount"].sum() == 8
    assert frame["open_amount"].sum() == 8


def test_document_without_currency_takes_the_referenced_invoices(tmp_path):
    ds = make_data(
        tmp_path,
        customers="""
            customer_id,currency
            C1,EUR
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency
            I1,C1,2024-01-01,100.00,2024-01-31,USD
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id,currency
            P1,C1,2024-01-20,40.00,I1,
            P2,C1,2024-01-20,10.00,,
        """,
        fx_rates="""
            date,currency,rate
            2024-01-01,USD,2.00
        """)
    payments = ds.tables["payments"].sort("payment_id")
    # P1 references a USD invoice; P2 falls back on the customer's currency.
    assert payments["currency"].to_list() == ["USD", "EUR"]
    # C1 is mixed (USD and EUR): in base, I1 is 200 - 80 (P1) - 10 (P2) = 110 EUR.
    assert open_cents(ds, D("2024-01-31")) == {"C1": 110_00}


def test_document_without_any_currency_takes_the_base(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency
            I1,C1,2024-01-01,100.00,2024-01-31,
            I2,C2,2024-01-01,100.00,2024-01-31,USD
            I3,C3,2024-01-01,100.00,2024-01-31,EUR
        """,
        fx_rates=RATES)
    assert ds.tables["invoices"].sort("invoice_id")["currency"].to_list() == ["EUR", "USD", "EUR"]
    assert open_cents(ds, D("2024-01-31")) == {"C1": 100_00, "C2": 110_00, "C3": 100_00}


def test_stated_base_currency_converts_everything_else(tmp_path):
    ds = make_data(tmp_path, base_currency="USD", invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date,currency
        I1,C1,2024-01-01,100.00,2024-01-31,USD
    """, fx_rates=RATES)
    assert ds.base_currency == "USD"
    assert open_cents(ds, D("2024-01-31")) == {"C1": 100_00}


def test_currency_without_any_rate_is_rejected_naming_it(tmp_path):
    ds = make_data(tmp_path, base_currency="EUR", invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date,currency
        I1,C1,2024-01-01,100.00,2024-01-31,EUR
        I2,C1,2024-01-01,7.00,2024-01-31,XYZ
        I3,C1,2024-01-01,20.00,2024-01-31,USD
    """, fx_rates=RATES)
    errors = ds.errors
    assert errors.select("file", "row", "column", "value").rows() == [
        ("invoices.csv", 3, "currency", "XYZ")]
    assert "XYZ" in errors["reason"].item()
    # The valid rows are still there.
    assert sorted(ds.tables["invoices"]["invoice_id"]) == ["I1", "I3"]
    assert open_cents(ds, D("2024-01-31")) == {"C1": 122_00}  # 100 EUR + 20 USD at 1.10


def test_two_currencies_without_rate_is_an_error_naming_both(tmp_path):
    with pytest.raises(DataError, match=r"EUR, XYZ have no rate"):
        make_data(tmp_path, invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency
            I1,C1,2024-01-01,100.00,2024-01-31,EUR
            I2,C1,2024-01-01,7.00,2024-01-31,XYZ
        """)


def test_no_rate_on_or_before_d_is_an_error_naming_currency_and_date(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date,currency
        I1,C1,2023-12-01,100.00,2023-12-31,USD
        I2,C1,2023-12-01,100.00,2023-12-31,EUR
    """, fx_rates=RATES)
    with pytest.raises(DataError, match=r"USD.*2023-12-31|2023-12-31.*USD"):
        open_items(ds, as_of=D("2023-12-31"))


def test_credit_limit_is_compared_in_base(tmp_path):
    ds = make_data(
        tmp_path,
        customers="""
            customer_id,credit_limit,currency
            C1,115.00,USD
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date
            I1,C1,2024-01-01,100.00,2024-01-31
            I2,C2,2024-01-01,1.00,2024-01-31
        """,
        fx_rates=RATES,
        base_currency="EUR")
    # 100 USD is 120 EUR at D: over a 115 limit that would not be exceeded in USD.
    report = customer_report(ds, D("2024-03-31")).filter(pl.col("customer_id") == "C1")
    assert report["over_limit"].to_list() == [True]
    assert report["utilization"].to_list() == [pytest.approx(120 / 115, abs=5e-5)]


def test_rate_rows_that_are_not_positive_are_rejected(tmp_path):
    ds = make_data(tmp_path, invoices=USD_INVOICE, fx_rates="""
        date,currency,rate
        2024-01-01,USD,1.10
        2024-02-01,USD,0
    """)
    assert problems_of(ds, "error").rows() == [("fx_rates.csv", 3, "rate", "error")]
    assert open_cents(ds, D("2024-03-31")) == {"C1": 110_00, "C2": 100_00}
