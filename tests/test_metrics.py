"""KPIs (SPEC §6, §8): worked examples with known answers, one rule per test, and properties."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from conftest import D, make_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reportgen import metrics
from reportgen.cli import app
from reportgen.ledger import open_items
from reportgen.outputs import customer_aging
from reportgen.periods import Period, between, parse_period, series
from reportgen.settlement import settled_dates

SPEC_KEYS = [
    "ar_begin", "ar_end", "ar_end_current", "credit_sales", "dso", "dso_countback", "bpdso",
    "add", "cei", "ar_turnover", "pct_current", "pct_over_90", "wadp", "wadl",
    "bad_debt_ratio", "unapplied_cash", "over_limit_customers", "over_limit_amount",
    "portfolio_utilization", "promise_kept_rate",
]  # fmt: skip


def kpi(ds, period: str | Period, **kw) -> dict:
    """The KPI row of one period, as the CLI writes it."""
    p = parse_period(period) if isinstance(period, str) else period
    facts = metrics.kpi_facts(ds, [p], **kw)
    rows = metrics.kpis(facts, digits=ds.digits, by=kw.get("by")).to_dicts()
    assert len(rows) == 1
    return rows[0]


# --- periods ------------------------------------------------------------------------------


def test_periods_are_half_open_from_the_day_before():
    assert parse_period("2025-12") == Period(D("2025-11-30"), D("2025-12-31"), "2025-12")
    assert parse_period("2025-Q1") == Period(D("2024-12-31"), D("2025-03-31"), "2025-Q1")
    assert parse_period("2024") == Period(D("2023-12-31"), D("2024-12-31"), "2024")
    assert parse_period("2024-02").days == 29  # leap year
    assert between(D("2025-01-15"), D("2025-02-14")).start == D("2025-01-14")


def test_series_keeps_cut_periods_named_by_their_dates():
    months = series(D("2025-01-15"), D("2025-03-31"), "month")
    assert [p.label for p in months] == ["2025-01-15..2025-01-31", "2025-02", "2025-03"]
    assert months[0].days == 17
    assert len(series(D("2024-01-01"), D("2025-12-31"), "month")) == 24
    assert [p.label for p in series(D("2025-01-01"), D("2025-12-31"), "quarter")] == [
        "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]  # fmt: skip


@pytest.mark.parametrize("text", ["2025-13", "25-12", "2025-Q5", "Dec 2025", ""])
def test_bad_period_is_refused(text):
    with pytest.raises(ValueError, match="a period is a month"):
        parse_period(text)


# --- worked examples ----------------------------------------------------------------------

DSO_45 = """
    invoice_id,customer_id,invoice_date,due_date,amount
    MAY,C1,2025-05-10,2025-06-09,100000.00
    JUNE,C1,2025-06-10,2025-07-10,100000.00
"""


def test_dso_of_45_days(tmp_path):
    # June: 30 days, credit sales 100,000; at June 30 AR is 50,000 of May + 100,000 of June
    ds = make_data(
        tmp_path,
        invoices=DSO_45,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-06-05,50000.00,MAY
    """,
    )
    row = kpi(ds, "2025-06")
    assert row["credit_sales"] == Decimal("100000.00")
    assert row["ar_begin"] == Decimal("100000.00")
    assert row["ar_end"] == Decimal("150000.00")
    assert row["dso"] == 45.0
    # not yet due at June 30: the June invoice; BPDSO = 100,000 / 100,000 × 30
    assert row["ar_end_current"] == Decimal("100000.00")
    assert row["bpdso"] == 30.0
    assert row["add"] == 15.0
    # CEI = (100,000 + 100,000 − 150,000) / (100,000 + 100,000 − 100,000) = 50 %
    assert row["cei"] == 50.0
    assert row["ar_turnover"] == pytest.approx(100000 / 125000)
    assert row["pct_current"] == pytest.approx(66.67)
    assert row["pct_over_90"] == 0.0


def test_countback_over_uneven_months():
    # AR 250 at March 31: March (31 days) and February (28) are covered in full, then half
    # of January's sales: 31 + 28 + 15.5
    assert metrics.countback_days(250, [100, 100, 100], [31, 28, 31]) == 74.5
    assert metrics.countback_days(0, [100], [31]) == 0.0
    # a month without sales while AR remains adds its days
    assert metrics.countback_days(150, [100, 0, 100], [31, 28, 31]) == 31 + 28 + 15.5
    # AR beyond every month walked: their days, no more
    assert metrics.countback_days(1000, [100, 100], [31, 30]) == 61


def test_countback_in_the_data(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        J,C1,2025-01-15,2025-06-30,100.00
        F,C1,2025-02-15,2025-06-30,100.00
        M,C1,2025-03-15,2025-06-30,100.00
    """,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-03-20,50.00,J
    """,
    )
    assert kpi(ds, "2025-03")["dso_countback"] == 74.5
    # D inside a month: that month counts from its first day to D, days and sales
    row = kpi(ds, between(D("2025-03-01"), D("2025-03-10")))
    # at March 10 AR = 200 (J, F); March 1-10 has no sales (10 days), February's 100 is
    # covered (28 days), then all of January's 100: 10 + 28 + 31
    assert row["dso_countback"] == 69.0


def test_cei_worked_example(tmp_path):
    # AR at start 1,000 (A, due in the period); sales 500 (B, due after); A is paid 400
    # in the period. End: A 600 overdue, B 500 not yet due.
    ds = make_data(
        tmp_path,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        A,C1,2025-05-20,2025-06-15,1000.00
        B,C1,2025-06-20,2025-07-20,500.00
    """,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P,C1,2025-06-25,400.00,A
    """,
    )
    row = kpi(ds, "2025-06")
    # (1000 + 500 − 1100) / (1000 + 500 − 500) × 100
    assert (row["ar_begin"], row["credit_sales"], row["ar_end"], row["ar_end_current"]) == (
        Decimal("1000.00"), Decimal("500.00"), Decimal("1100.00"), Decimal("500.00"))  # fmt: skip
    assert row["cei"] == 40.0


def test_zero_sales_period_gives_blanks_not_errors(tmp_path):
    ds = make_data(tmp_path, invoices=DSO_45)
    row = kpi(ds, "2025-09")  # nothing invoiced in September; AR 200,000 overdue
    assert row["credit_sales"] == Decimal("0.00")
    for key in ("dso", "bpdso", "add", "bad_debt_ratio", "wadp", "wadl", "promise_kept_rate"):
        assert row[key] is None, key
    assert row["cei"] == 0.0  # (200,000 + 0 − 200,000) / (200,000 − 0): nothing collected
    assert row["dso_countback"] > 0


def test_empty_portfolio_gives_blanks(tmp_path):
    ds = make_data(tmp_path, invoices=DSO_45)
    row = kpi(ds, "2024-06")  # before any invoice
    assert row["ar_end"] == Decimal("0.00")
    assert row["dso_countback"] == 0.0
    for key in ("dso", "cei", "ar_turnover", "pct_current", "pct_over_90"):
        assert row[key] is None, key


# --- settled dates, days to pay and days late -----------------------------------------------


SETTLED = """
    invoice_id,customer_id,invoice_date,due_date,amount
    REF,C1,2025-01-01,2025-01-31,1000.00
    POOL,C1,2025-01-05,2025-02-04,3000.00
    ADV,C2,2025-01-10,2025-02-09,500.00
    OPEN,C3,2025-01-10,2025-02-09,500.00
"""
SETTLING = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P1,C1,2025-02-10,1000.00,REF
    P2,C1,2025-02-15,2000.00,
    P3,C1,2025-02-20,1000.00,
    P4,C2,2025-01-02,500.00,ADV
    P5,C3,2025-02-01,499.00,OPEN
"""


def test_settled_dates(tmp_path):
    ds = make_data(tmp_path, invoices=SETTLED, payments=SETTLING)
    dates = dict(
        settled_dates(ds, as_of=D("2025-12-31"))
        .select("invoice_id", "settled_date")
        .collect()
        .rows()
    )
    assert dates == {
        "REF": D("2025-02-10"),  # its own payment
        "POOL": D("2025-02-20"),  # the pool document that completes it (P2 then P3)
        "ADV": D("2025-01-10"),  # an advance settles an invoice on its issue
        "OPEN": None,  # 1.00 still open
    }


def test_a_document_that_only_produced_excess_settles_nothing(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,C1,2025-01-01,2025-01-31,100.00
    """,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-02-01,100.00,I1
        P2,C1,2025-03-01,100.00,I1
    """,
    )
    row = settled_dates(ds, as_of=D("2025-12-31")).collect().row(0, named=True)
    assert row["settled_date"] == D("2025-02-01")


def test_weighted_days_to_pay_and_late(tmp_path):
    ds = make_data(tmp_path, invoices=SETTLED, payments=SETTLING)
    row = kpi(ds, "2025-02")
    # settled in February: REF (1000, 40 days to pay, 10 late), POOL (3000, 46 and 16)
    assert row["wadp"] == (1000 * 40 + 3000 * 46) / 4000
    assert row["wadl"] == (1000 * 10 + 3000 * 16) / 4000
    # ADV was settled in January, on its issue: 0 days to pay, 30 days early
    january = kpi(ds, "2025-01")
    assert (january["wadp"], january["wadl"]) == (0.0, -30.0)


def test_write_offs_settle_and_count_as_bad_debt(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=DSO_45,
        credit_notes="""
        credit_note_id,customer_id,date,amount,invoice_id,type
        WO1,C1,2025-06-20,100000.00,MAY,write_off
        CN1,C1,2025-06-21,10000.00,JUNE,credit_note
    """,
    )
    row = kpi(ds, "2025-06")
    assert row["bad_debt_ratio"] == 100.0  # 100,000 written off / 100,000 sales
    assert row["wadp"] == 41.0  # MAY: 2025-05-10 to 2025-06-20


# --- credit and promises at D ----------------------------------------------------------------


def test_over_limit_unapplied_and_utilization(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=DSO_45 + "    X,C2,2025-06-01,2025-07-01,10.00\n",
        customers="""
        customer_id,credit_limit
        C1,120000.00
        C2,
        C3,1000.00
    """,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C3,2025-06-01,300.00,
    """,
    )
    row = kpi(ds, "2025-06")
    assert row["over_limit_customers"] == 1
    assert row["over_limit_amount"] == Decimal("80000.00")
    assert row["unapplied_cash"] == Decimal("300.00")
    # (200,000 − 300) / (120,000 + 1,000); C2 has no limit
    assert row["portfolio_utilization"] == round(199700 / 121000, 4)


def test_promise_kept_rate(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=DSO_45,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-06-10,300.00,MAY
        P2,C1,2025-06-20,200.00,MAY
        P3,C1,2025-07-05,900.00,MAY
    """,
        activities="""
        customer_id,date,type,amount,promised_date
        C1,2025-06-01,promise,500.00,2025-06-20
        C1,2025-06-11,promise,500.00,2025-06-30
        C1,2025-06-11,promise,,2025-06-25
        C1,2025-06-25,promise,,2025-06-30
        C1,2025-06-26,promise,900.00,2025-07-05
        C1,2025-06-01,call,,
    """,
    )
    # June: kept (300 + 200 by the 20th), broken (only 200 after the 11th), kept (a payment
    # in the window, no amount), broken (nothing paid 25-30 June)
    assert kpi(ds, "2025-06")["promise_kept_rate"] == 50.0
    assert kpi(ds, "2025-07")["promise_kept_rate"] == 100.0
    assert kpi(ds, "2025-05")["promise_kept_rate"] is None


# --- groups ---------------------------------------------------------------------------------


def test_groups_add_up_to_the_portfolio(sample_ds):
    p = parse_period("2025-Q4")
    whole = metrics.kpi_facts(sample_ds, [p])
    for by in metrics.DIMENSIONS:
        parts = metrics.kpi_facts(sample_ds, [p], by=by)
        assert parts.height > 1
        for fact in ("ar_begin", "ar_end", "ar_end_current", "credit_sales", "write_offs",
                     "unapplied_cash", "over_limit_customers", "over_limit_amount",
                     "settled_amount", "promises_due", "promises_kept"):  # fmt: skip
            assert parts[fact].sum() == whole[fact].sum(), (by, fact)


def test_ar_end_is_the_aging_total(sample_ds):
    row = kpi(sample_ds, "2025-12")
    aging = customer_aging(sample_ds, as_of=D("2025-12-31")).collect()
    assert row["ar_end"] == aging["open_amount"].sum()
    assert row["ar_end_current"] == aging["not_due"].sum()
    assert row["unapplied_cash"] == aging["unapplied_credit"].sum()
    assert row["over_limit_customers"] == aging["over_limit"].sum()


def test_a_period_in_a_series_equals_the_period_alone(sample_ds):
    months = series(D("2025-01-01"), D("2025-12-31"), "month")
    together = metrics.kpis(metrics.kpi_facts(sample_ds, months), digits=sample_ds.digits)
    assert together["period"].to_list() == [p.label for p in months]
    for p in (months[0], months[5], months[-1]):
        alone = metrics.kpis(metrics.kpi_facts(sample_ds, [p]), digits=sample_ds.digits)
        assert together.filter(pl.col("period") == p.label).to_dicts() == alone.to_dicts()


@pytest.fixture(scope="module")
def sample_ds():
    from pathlib import Path

    from reportgen.load import load

    return load(Path(__file__).parent.parent / "sample_data")


# --- properties -------------------------------------------------------------------------------


@st.composite
def ledgers(draw):
    """A few customers' invoices and payments over three months, some referenced, some not."""
    start = date(2025, 1, 1)
    invoices, payments = (
        ["invoice_id,customer_id,invoice_date,due_date,amount"],
        ["payment_id,customer_id,payment_date,amount,invoice_id"],
    )
    for i in range(draw(st.integers(1, 12))):
        day = start + timedelta(draw(st.integers(0, 89)))
        due = day + timedelta(draw(st.integers(0, 60)))
        cents = draw(st.integers(1, 10**7))
        customer = f"C{draw(st.integers(1, 3))}"
        invoices.append(f"I{i},{customer},{day},{due},{cents / 100:.2f}")
        if draw(st.booleans()):
            paid = draw(st.integers(1, cents * 2))
            ref = f"I{i}" if draw(st.booleans()) else ""
            pay_day = day + timedelta(draw(st.integers(-5, 80)))
            payments.append(f"P{i},{customer},{pay_day},{paid / 100:.2f},{ref}")
    return "\n".join(invoices), "\n".join(payments)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ledger=ledgers())
def test_add_is_dso_minus_bpdso_and_facts_are_consistent(tmp_path_factory, ledger):
    invoices, payments = ledger
    ds = make_data(tmp_path_factory.mktemp("kpi"), invoices=invoices, payments=payments)
    months = series(D("2025-01-01"), D("2025-04-30"), "month")
    facts = metrics.kpi_facts(ds, months)
    values = facts.select(
        **{m.key: m.expr for m in metrics.METRICS if m.key in ("dso", "bpdso", "add", "cei")}
    )
    for row in values.iter_rows(named=True):
        if row["dso"] is None:
            assert row["add"] is None
        else:
            assert row["add"] == pytest.approx(row["dso"] - row["bpdso"])
    # each month opens with the AR the month before closed with, the positive open items
    assert facts["ar_begin"].to_list()[1:] == facts["ar_end"].to_list()[:-1]
    for p, ar_end in zip(months, facts["ar_end"], strict=True):
        items = open_items(ds, as_of=p.end).collect()
        assert ar_end == items.filter(pl.col("open_amount") > 0)["open_amount"].sum()
    assert (facts["ar_end_current"] <= facts["ar_end"]).all()
    assert (facts["ar_end_over_90"] <= facts["ar_end"] - facts["ar_end_current"]).all()


# --- the command line ---------------------------------------------------------------------------


def test_cli_kpis_json_has_the_spec_keys(tmp_path):
    out = tmp_path / "k.json"
    result = CliRunner().invoke(
        app, ["kpis", "sample_data", "--from", "2025-10-01", "--to", "2025-12-31",
              "--every", "month", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert [r["period"] for r in rows] == ["2025-10", "2025-11", "2025-12"]
    assert list(rows[0])[2:] == SPEC_KEYS
    assert rows[-1]["ar_end"] == "86881617.91"  # money as exact decimal text


def test_cli_kpis_prints_a_table_by_group(tmp_path):
    result = CliRunner().invoke(app, ["kpis", "sample_data", "--period", "2025-12",
                                      "--by", "owner", "--lang", "zh"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "应收账款周转天数" in result.output and "李娜" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-13"], "a period is a month"),
        ([], "give --period"),
        (["--period", "2025-12", "--from", "2025-01-01"], "not both"),
        (["--from", "2025-02-01", "--to", "2025-01-01"], "before it starts"),
    ],
)
def test_cli_kpis_refuses_bad_periods(args, message):
    result = CliRunner().invoke(app, ["kpis", "sample_data", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
