"""A customer's timeline (reportgen/timeline.py) and the worklist and ratings selections the
dashboard shows (reportgen/views.py), on tiny literal tables."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from conftest import D, make_data

from reportgen import views
from reportgen.collections import worklist, worklist_table
from reportgen.periods import parse_period
from reportgen.policy import GRADES, default_policy
from reportgen.ratings import rating_history
from reportgen.timeline import TIMELINE_COLUMNS, customer_timeline

AS_OF = D("2025-07-31")
CUSTOMERS = """
customer_id,name,credit_limit,owner
C1,One Ltd,1000.00,Ann
C2,Two Ltd,1000.00,Bob
"""
INVOICES = """
invoice_id,customer_id,invoice_date,due_date,amount
I1,C1,2025-05-01,2025-05-31,300.00
I2,C1,2025-07-01,2025-07-31,100.00
I3,C2,2025-05-01,2025-05-31,500.00
"""
PAYMENTS = """
payment_id,customer_id,payment_date,amount,invoice_id
P1,C1,2025-06-20,50.00,I1
"""
ACTIVITIES = """
activity_id,customer_id,date,type,invoice_id,amount,promised_date,reason,outcome,note
A1,C1,2025-06-10,call,I1,,,forgot,reached,asked for payment
A2,C1,2025-06-10,promise,I1,100.00,2025-06-25,forgot,,promised 100
A3,C1,2025-07-05,letter,I1,,,,sent,reminder letter
A4,C1,2025-08-05,call,I1,,,,reached,after the as-of date
A5,C2,2025-06-10,call,I3,,,dispute,reached,another customer
"""


def sample(tmp_path):
    return make_data(
        tmp_path,
        customers=CUSTOMERS,
        invoices=INVOICES,
        payments=PAYMENTS,
        activities=ACTIVITIES,
    )


def test_activities_newest_first_with_the_promise_read_by_the_core(tmp_path):
    ds = sample(tmp_path)
    frame = customer_timeline(ds, "C1", as_of=AS_OF, policy=default_policy())
    assert frame.columns == TIMELINE_COLUMNS
    # after D and other customers' activities are left out; on one day the later row first
    assert frame.select("date", "type", "status").rows() == [
        (D("2025-07-05"), "letter", "sent"),
        (D("2025-06-10"), "promise", "broken"),  # 50 paid of the 100 promised by 06-25
        (D("2025-06-10"), "call", "reached"),
    ]
    assert frame["amount"].to_list() == [None, 10_000, None]
    assert frame["reason"].to_list() == [None, "forgot", "forgot"]


def test_dunning_rungs_and_grade_changes_join_the_activities(tmp_path):
    ds = sample(tmp_path)
    policy = default_policy()
    actions = worklist(ds, as_of=AS_OF, policy=policy).collect()
    months = [parse_period("2025-06"), parse_period("2025-07")]
    history = rating_history(ds, months, policy=policy)
    frame = customer_timeline(
        ds, "C1", as_of=AS_OF, policy=policy, worklist=actions, ratings=history, periods=months
    )
    dunning = frame.filter(pl.col("event") == "dunning")
    mine = actions.filter(pl.col("customer_id").cast(pl.String) == "C1")
    assert sorted(dunning["type"]) == sorted(mine["rung"].cast(pl.String))
    assert sorted(dunning["date"]) == sorted(mine["level_since"])
    changes = history.filter(
        (pl.col("customer_id").cast(pl.String) == "C1") & pl.col("change").is_in(["up", "down"])
    )
    assert frame.filter(pl.col("event") == "rating").height == changes.height
    assert frame["date"].to_list() == sorted(frame["date"].to_list(), reverse=True)


def test_no_activities_table_gives_an_empty_timeline(tmp_path):
    ds = make_data(tmp_path, customers=CUSTOMERS, invoices=INVOICES)
    frame = customer_timeline(ds, "C1", as_of=AS_OF, policy=default_policy())
    assert frame.height == 0 and frame.columns == TIMELINE_COLUMNS


def test_worklist_selection_and_totals(tmp_path):
    ds = sample(tmp_path)
    table = worklist_table(
        worklist(ds, as_of=AS_OF, policy=default_policy()).collect(), digits=ds.digits
    )
    assert views.worklist_actions(table).equals(table)
    big = views.worklist_actions(table, min_amount=Decimal("300"))
    assert big["customer_id"].to_list() == ["C2"]  # 500 overdue; C1 owes 250 and 100
    # 61 days overdue: the credit manager's letter of demand; Ann's is a courtesy reminder
    late = views.worklist_actions(table, min_days=1)
    assert late["customer_id"].to_list() == ["C2", "C1"]
    assert set(late["owner"]) == {"Credit manager"}
    ann = views.worklist_actions(table, owners=["Ann"], rungs=["pre_due"], statuses=["late"])
    assert ann["customer_id"].to_list() == ["C1"]
    assert views.worklist_actions(table, owners=["Ann"], statuses=["done"]).height == 0
    totals = views.worklist_totals(table)
    assert totals["actions"] == table.height
    assert totals["amount"] == Decimal("850.00")  # every open invoice is on a rung at D
    assert views.worklist_totals(table.head(0))["amount"] == 0


def test_grade_counts_and_moves():
    history = pl.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "grade": ["A", "C", "C", "B"],
            "previous_grade": ["A", "B", None, "C"],
            "change": ["same", "down", "new", "up"],
        }
    )
    counts = views.grade_counts(history, GRADES)
    assert counts.rows() == [
        ("A", 1, 1, 0),
        ("B", 1, 1, 0),
        ("C", 2, 1, 1),
        ("D", 0, 0, 0),
        ("E", 0, 0, 0),
    ]
    assert views.rating_moves(history) == {"down": 1, "up": 1, "same": 1, "new": 1}
    assert views.rating_changes(history, changes=["down", "up"])["customer_id"].to_list() == [
        "C2",
        "C4",
    ]
    assert views.rating_changes(history, grades=["C"])["customer_id"].to_list() == ["C2", "C3"]
