"""Promises to pay and instalment plans (issue 7, SPEC §8): kept by several partial payments,
broken twice in a row, kept rates that agree with the KPI, and plan adherence."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import D, make_data

from reportgen import metrics
from reportgen.periods import parse_period
from reportgen.policy import default_policy, load_policy
from reportgen.promises import (
    instalment_settled_dates,
    kept_rates,
    plan_adherence,
    plan_instalments,
    promise_outcomes,
)

AS_OF = D("2025-06-30")
CUSTOMERS = """
customer_id,owner
C1,Wang Li
C2,Wang Li
C3,Zhang Wei
"""
INVOICES = """
invoice_id,customer_id,invoice_date,due_date,amount
I1,C1,2025-04-01,2025-05-01,1000.00
I2,C2,2025-04-01,2025-05-01,1000.00
I3,C3,2025-04-01,2025-05-01,1000.00
"""


def outcomes(ds, as_of=AS_OF) -> pl.DataFrame:
    frame = promise_outcomes(ds, as_of=as_of, policy=default_policy()).collect()
    return frame.with_columns(pl.col("customer_id").cast(pl.String))


def test_a_promise_kept_by_the_sum_of_several_partial_payments(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices=INVOICES,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-06-05,100.00,I1
        P2,C1,2025-06-10,120.00,
        P3,C1,2025-06-20,80.00,I1
        P4,C2,2025-06-05,100.00,I2
        P5,C2,2025-06-20,199.99,I2
        P6,C2,2025-06-21,500.00,I2
        """,
        activities="""
        activity_id,customer_id,date,type,amount,promised_date
        A1,C1,2025-06-01,promise,300.00,2025-06-20
        A2,C2,2025-06-01,promise,300.00,2025-06-20
        """,
    )
    frame = outcomes(ds)
    assert frame.select("activity_id", "promised", "paid", "status").rows() == [
        ("A1", 30_000, 30_000, "kept"),  # 100 + 120 + 80, the last on the promised day
        ("A2", 30_000, 29_999, "broken"),  # one cent short by the date; later money is late
    ]


def test_open_promises_are_neither_kept_nor_broken_until_their_date(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=INVOICES,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-06-25,500.00,I1
        P2,C2,2025-07-02,500.00,I2
        """,
        activities="""
        activity_id,customer_id,date,type,amount,promised_date
        A1,C1,2025-06-20,promise,500.00,2025-07-10
        A2,C2,2025-06-20,promise,500.00,2025-07-10
        A3,C3,2025-07-01,promise,500.00,2025-07-10
        """,
    )
    frame = outcomes(ds)
    # A1 already paid: kept; A2's payment is after D: still open; A3 not made yet at D
    assert dict(frame.select("activity_id", "status").iter_rows()) == {"A1": "kept", "A2": "open"}
    later = outcomes(ds, as_of=D("2025-07-10"))
    assert dict(later.select("activity_id", "status").iter_rows()) == {
        "A1": "kept", "A2": "kept", "A3": "broken"}  # fmt: skip
    rates = kept_rates(frame.lazy()).collect()
    assert rates.select("promises_due", "promises_kept").rows() == [(1, 1)]  # open: not counted


def test_broken_twice_in_a_row_is_escalated_and_a_kept_promise_ends_the_run(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=INVOICES,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-05-25,100.00,I1
        P2,C2,2025-05-12,100.00,I2
        """,
        activities="""
        activity_id,customer_id,date,type,amount,promised_date
        A1,C1,2025-05-01,promise,100.00,2025-05-10
        A2,C1,2025-05-11,promise,100.00,2025-05-20
        A3,C1,2025-05-21,promise,100.00,2025-05-30
        A4,C1,2025-06-01,promise,100.00,2025-06-10
        B1,C2,2025-05-01,promise,100.00,2025-05-10
        B2,C2,2025-05-11,promise,100.00,2025-05-20
        B3,C2,2025-05-21,promise,100.00,2025-05-30
        B4,C2,2025-06-01,promise,100.00,2025-06-10
        """,
    )
    frame = outcomes(ds)
    got = frame.select("activity_id", "status", "broken_in_a_row", "escalate").rows()
    assert got == [
        ("A1", "broken", 1, False),
        ("A2", "broken", 2, True),  # broken twice in a row
        ("A3", "kept", 0, False),  # P1 on the 25th
        ("A4", "broken", 1, False),  # the run starts again
        ("B1", "broken", 1, False),
        ("B2", "kept", 0, False),
        ("B3", "broken", 1, False),
        ("B4", "broken", 2, True),
    ]
    rates = kept_rates(frame.lazy()).collect()
    assert rates.select("customer_id", "kept_rate", "broken_in_a_row").rows() == [
        ("C1", 25.0, 1), ("C2", 25.0, 2)]  # fmt: skip


def test_a_policy_can_escalate_later(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=INVOICES,
        activities="""
        activity_id,customer_id,date,type,amount,promised_date
        A1,C1,2025-05-01,promise,100.00,2025-05-10
        A2,C1,2025-05-11,promise,100.00,2025-05-20
        """,
    )
    path = tmp_path / "p.toml"
    path.write_text("[promises]\nescalate_after_broken_in_a_row = 3\n", encoding="utf-8")
    frame = promise_outcomes(ds, as_of=AS_OF, policy=load_policy(path)).collect()
    assert not frame["escalate"].any()


def test_kept_rates_per_owner_agree_with_the_kpi(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices=INVOICES,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        P1,C1,2025-06-10,300.00,I1
        P2,C3,2025-06-12,50.00,I3
        """,
        activities="""
        activity_id,customer_id,date,type,amount,promised_date
        A1,C1,2025-06-01,promise,300.00,2025-06-15
        A2,C2,2025-06-01,promise,300.00,2025-06-15
        A3,C3,2025-06-01,promise,,2025-06-15
        A4,C3,2025-05-01,promise,100.00,2025-05-15
        """,
    )
    frame = outcomes(ds)
    june = parse_period("2025-06")
    by_owner = kept_rates(frame.lazy(), by="owner", first_day=june.first_day, last_day=june.end)
    got = by_owner.collect().select("owner", "promises_due", "promises_kept", "kept_rate")
    assert got.rows() == [("Wang Li", 2, 1, 50.0), ("Zhang Wei", 1, 1, 100.0)]
    everyone = kept_rates(
        frame.with_columns(all=pl.lit("all")).lazy(),
        by="all",
        first_day=june.first_day,
        last_day=june.end,
    ).collect()
    facts = metrics.kpi_facts(ds, [june])
    kpi = metrics.kpis(facts, digits=ds.digits)["promise_kept_rate"][0]
    assert float(kpi) == pytest.approx(everyone["kept_rate"][0], abs=0.05)  # 2 of 3


# --- instalment plans -------------------------------------------------------------------

PLAN_INVOICES = """
invoice_id,customer_id,invoice_date,amount
P1,C1,2025-01-01,300.00
P2,C2,2025-01-01,300.00
P3,C3,2025-01-01,300.00
"""
SCHEDULE = """
invoice_id,instalment,due_date,amount
P1,1,2025-02-01,100.00
P1,2,2025-03-01,100.00
P1,3,2025-04-01,100.00
P2,1,2025-02-01,100.00
P2,2,2025-03-01,100.00
P2,3,2025-04-01,100.00
P3,1,2025-02-01,100.00
P3,2,2025-03-01,100.00
P3,3,2025-07-01,100.00
"""


def test_a_plan_broken_twice(tmp_path):
    ds = make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices=PLAN_INVOICES,
        payment_schedule=SCHEDULE,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        X1,C1,2025-02-01,100.00,P1
        X2,C1,2025-03-10,100.00,P1
        Y1,C2,2025-02-05,100.00,P2
        Y2,C2,2025-03-01,100.00,P2
        Z1,C3,2025-01-30,100.00,
        Z2,C3,2025-02-20,100.00,
        """,
    )
    policy = default_policy()
    instalments = plan_instalments(ds, as_of=AS_OF, policy=policy).collect()
    got = instalments.select("invoice_id", "instalment", "status", "broken_in_a_row").rows()
    assert got == [
        ("P1", 1, "kept", 0),
        ("P1", 2, "late", 1),  # paid on 10 March
        ("P1", 3, "missed", 2),  # still open: broken twice in a row
        ("P2", 1, "late", 1),
        ("P2", 2, "kept", 0),  # the run ends
        ("P2", 3, "missed", 1),
        ("P3", 1, "kept", 0),  # paid from the pool (no reference), before the due date
        ("P3", 2, "kept", 0),
        ("P3", 3, "not_due", 0),
    ]
    plans = plan_adherence(instalments.lazy(), policy=policy).collect()
    rows = plans.select(
        "invoice_id", "instalments_due", "kept", "late", "missed", "adherence", "escalate"
    ).rows()
    assert rows == [
        ("P1", 3, 1, 1, 1, 33.3, True),
        ("P2", 3, 1, 1, 1, 33.3, False),
        ("P3", 2, 2, 0, 0, 100.0, False),
    ]
    assert plans["open_amount"].to_list() == [10_000, 10_000, 10_000]


def test_plan_grace_days(tmp_path):
    ds = make_data(
        tmp_path,
        invoices=PLAN_INVOICES,
        payment_schedule=SCHEDULE,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        Y1,C2,2025-02-05,100.00,P2
        """,
    )
    path = tmp_path / "p.toml"
    path.write_text("[promises]\nplan_grace_days = 5\n", encoding="utf-8")
    frame = plan_instalments(ds, as_of=AS_OF, policy=load_policy(path)).collect()
    first = frame.filter((pl.col("invoice_id") == "P2") & (pl.col("instalment") == 1))
    assert first["status"].to_list() == ["kept"]  # 4 days late, within the 5 days' grace


def test_instalment_settled_dates_add_up_to_the_invoice_settlement(tmp_path):
    """An invoice is settled when its last instalment is (settlement.settled_dates)."""
    from reportgen.settlement import settled_dates

    ds = make_data(
        tmp_path,
        invoices=PLAN_INVOICES,
        payment_schedule=SCHEDULE,
        payments="""
        payment_id,customer_id,payment_date,amount,invoice_id
        X1,C1,2025-01-15,150.00,P1
        X2,C1,2025-03-10,90.00,
        X3,C1,2025-04-10,60.00,P1
        """,
    )
    frame = (
        instalment_settled_dates(ds, as_of=AS_OF)
        .filter(pl.col("invoice_id") == "P1")
        .sort("instalment")
        .collect()
    )
    # references first (150 covers instalment 1 and half of 2, then X3 60 the rest of 2 and
    # 10 of 3); the pool (X2, 90) covers the rest of 3
    assert frame.select("instalment", "settled_date").rows() == [
        (1, D("2025-01-15")), (2, D("2025-04-10")), (3, D("2025-04-10"))]  # fmt: skip
    invoice = settled_dates(ds, as_of=AS_OF).collect().filter(pl.col("invoice_id") == "P1")
    assert invoice["settled_date"].to_list() == [frame["settled_date"].max()]
