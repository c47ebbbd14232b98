"""Credit ratings and early warnings (issue 7) on constructed histories: the scorecard's
arithmetic, a customer whose rating falls, a utilization jump, a first item over 60 days and
payments slowing three periods in a row."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import D, make_data

from reportgen.periods import parse_period, series
from reportgen.policy import default_policy, load_policy
from reportgen.ratings import earlier_periods, early_warnings, rating_history, scorecard


def _factors(**values) -> pl.LazyFrame:
    row = {
        "days_late": None, "days_late_trend": None, "utilization": None,
        "max_days_overdue": None, "broken_promises": 0, "disputes": 0,
        "exposure_share": None, "over_limit": False,
    } | values  # fmt: skip
    return pl.LazyFrame([row], schema_overrides={"utilization": pl.Float64,
                                                   "days_late": pl.Float64,
                                                   "days_late_trend": pl.Float64,
                                                   "max_days_overdue": pl.Int64,
                                                   "exposure_share": pl.Float64})  # fmt: skip


@pytest.mark.parametrize(
    ("values", "score", "grade"),
    [
        ({}, 0.0, "A"),
        ({"days_late": 30.0}, 12.5, "A"),  # 50 points × weight 25 / 100
        ({"days_late": -10.0}, 0.0, "A"),  # paying early scores nothing
        ({"days_late": 60.0, "max_days_overdue": 120, "utilization": 1.2}, 65.0, "D"),
        ({"max_days_overdue": 500, "days_late": 90.0, "utilization": 2.0, "broken_promises": 5,
          "disputes": 4, "exposure_share": 0.5, "days_late_trend": 40.0}, 100.0, "E"),
        ({"over_limit": True, "utilization": None}, 15.0, "A"),  # over a zero limit: full
        ({"exposure_share": 0.05, "broken_promises": 3}, 15.0, "A"),
        ({"max_days_overdue": 96, "days_late": 48.0}, 40.0, "C"),  # a bound belongs above
    ],
)
def test_scorecard_arithmetic(values, score, grade):
    row = scorecard(_factors(**values), default_policy()).collect().row(0, named=True)
    assert (row["score"], row["grade"]) == (score, grade)


def test_scorecard_weights_come_from_the_policy(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        "[rating.weights]\ndays_late = 1\ndays_late_trend = 0\nutilization = 0\n"
        "max_days_overdue = 0\nbroken_promises = 0\ndisputes = 0\nexposure_share = 0\n",
        encoding="utf-8",
    )
    row = scorecard(_factors(days_late=30.0), load_policy(path)).collect().row(0, named=True)
    assert (row["score"], row["grade"]) == (50.0, "C")


def test_earlier_periods_step_back_by_calendar_periods():
    labels = [p.label for p in earlier_periods(parse_period("2025-03"), 3)]
    assert labels == ["2024-12", "2025-01", "2025-02"]
    assert [p.label for p in earlier_periods(parse_period("2025-Q1"), 2)] == ["2024-Q3", "2024-Q4"]
    assert earlier_periods(parse_period("2024-03"), 1)[0].days == 29


CUSTOMER = """
customer_id,name,credit_limit
C2,Falling Ltd,3000.00
"""


def test_a_customer_whose_rating_falls(tmp_path):
    """900.00 owed from 1 February and never paid: 27, 58, 88 days overdue at the month-ends;
    a second invoice in April lifts utilization from 30 % to 63 %."""
    ds = make_data(
        tmp_path,
        customers=CUSTOMER,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,C2,2025-01-02,2025-02-01,900.00
        I2,C2,2025-04-10,2025-05-10,1000.00
        """,
    )
    history = rating_history(ds, series(D("2025-01-01"), D("2025-04-30"), "month"),
                             policy=default_policy())  # fmt: skip
    got = history.select("period", "grade", "previous_grade", "change", "score").rows()
    assert got == [
        ("2025-01", "A", "A", "same", 13.8),  # 30 % used (25 points × 15), all the exposure
        ("2025-02", "A", "A", "same", 19.4),  # + 27 days overdue (22.5 points × 25)
        ("2025-03", "B", "A", "down", 25.8),  # + 58 days (48.3 points)
        ("2025-04", "B", "B", "same", 36.2),  # 88 days and 63 % used
    ]
    # nothing was owed at the end of December: 0 % to 30 % in January is a jump too
    assert history["warnings"].to_list() == [
        ["utilization_jump"], [], ["downgrade"],
        ["utilization_jump", "first_over_days"]]  # fmt: skip
    warnings = early_warnings(history)
    assert warnings.select("period", "warning").rows() == [
        ("2025-01", "utilization_jump"), ("2025-03", "downgrade"), ("2025-04", "utilization_jump"),
        ("2025-04", "first_over_days")]  # fmt: skip


def test_broken_promises_and_disputes_count_within_the_lookback(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMER,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,C2,2024-01-02,2024-02-01,900.00
        """,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C2,2024-02-01,900.00,I1
        """,
        activities="""
        customer_id,date,type,amount,promised_date
        C2,2024-01-05,promise,100.00,2024-01-15
        C2,2025-01-10,promise,100.00,2025-01-20
        C2,2025-02-10,dispute,,
        """,
    )
    history = rating_history(ds, [parse_period("2025-02")], policy=default_policy())
    row = history.row(0, named=True)
    # the promise of January 2024 is more than 12 months before the end of February 2025
    assert (row["broken_promises"], row["disputes"]) == (1, 1)
    assert row["broken_promises_points"] == pytest.approx(33.3)


def test_payments_slowing_three_periods_in_a_row(tmp_path):
    """Days late 1, 5, 10, 20 in January to April: rising three times by April."""
    ds = make_data(
        tmp_path,
        customers="customer_id\nC1\n",
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        S1,C1,2024-12-06,2025-01-05,100.00
        S2,C1,2025-01-06,2025-02-05,100.00
        S3,C1,2025-02-03,2025-03-05,100.00
        S4,C1,2025-03-06,2025-04-05,100.00
        """,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-01-06,100.00,S1
        P2,C1,2025-02-10,100.00,S2
        P3,C1,2025-03-15,100.00,S3
        P4,C1,2025-04-25,100.00,S4
        """,
    )
    history = rating_history(ds, series(D("2025-02-01"), D("2025-05-31"), "month"),
                             policy=default_policy())  # fmt: skip
    got = history.select("period", "days_late", "days_late_trend").rows()
    assert got == [("2025-02", 5.0, 4.0), ("2025-03", 10.0, 5.0), ("2025-04", 20.0, 10.0),
                   ("2025-05", None, None)]  # fmt: skip
    slowing = [("slowing" in w) for w in history["warnings"].to_list()]
    assert slowing == [False, False, True, False]


def test_ratings_do_not_depend_on_the_periods_asked_for(tmp_path):
    """A period rated alone equals the same period rated in a series."""
    ds = make_data(
        tmp_path,
        customers=CUSTOMER,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,C2,2025-01-02,2025-02-01,900.00
        """,
    )
    policy = default_policy()
    alone = rating_history(ds, [parse_period("2025-03")], policy=policy)
    within = rating_history(ds, series(D("2025-01-01"), D("2025-04-30"), "month"), policy=policy)
    assert alone.to_dicts() == within.filter(pl.col("period") == "2025-03").to_dicts()
