"""Review-site collections and ratings sections (issue 7): page contexts built without Jinja
agree with the core computed alone, and the methodology prints the policy's own numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
from site_helpers import write_tables

from reportgen.collections import worklist
from reportgen.load import load
from reportgen.periods import series
from reportgen.policy import default_policy
from reportgen.ratings import rating_history
from reportgen.report import context as ctx
from reportgen.report import data as figures
from reportgen.report.lang import Lang


def _data(tmp_path):
    folder = write_tables(
        tmp_path / "data",
        customers="""
            customer_id,name,credit_limit,owner
            C1,Alpha,1000.00,Wang Li
            C2,Beta,3000.00,Zhang Wei
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,due_date,amount
            I1,C1,2025-01-02,2025-01-20,100.00
            I2,C2,2025-01-05,2025-02-01,900.00
            I3,C1,2025-02-10,2025-03-05,40.00
        """,
        activities="""
            customer_id,date,type,amount,promised_date,reason
            C1,2025-02-01,promise,100.00,2025-02-10,forgot
            C2,2025-02-15,call,,,financial_difficulty
        """,
    )
    ds = load(folder)
    reviews = series(date(2025, 1, 1), date(2025, 2, 28), "month")
    return ds, reviews, figures.gather(ds, reviews, every="month", reconcile="none")


def test_collections_context_equals_the_worklist_alone(tmp_path):
    ds, reviews, data = _data(tmp_path)
    lang = Lang("en", ds.base_currency, ds.digits)
    c = ctx.collections_context(data, reviews[1], lang)
    alone = worklist(ds, as_of=reviews[1].end, policy=default_policy()).collect()
    counts = {r["rung"]: r["actions"] for r in c["rungs"] if r["actions"]}
    assert counts == dict(
        alone.group_by(pl.col("rung").cast(pl.String)).len().sort("rung").iter_rows()
    )
    # I1 39 days overdue (demand), I2 27 days (level 3), I3 due in 5 days (pre-due)
    assert counts == {"level_3": 1, "demand": 1, "pre_due": 1}
    assert sum(r["amount"] for r in c["rungs"]) == Decimal("1040.00")
    assert (c["promises_due"], c["promises_kept"], c["kept_rate"]) == (1, 0, 0.0)
    reasons = {r["reason"]: r["amount"] for r in c["reasons"]}
    assert reasons == {"forgot": Decimal("100.00"), "financial difficulty": Decimal("900.00")}


def test_ratings_context_equals_the_ratings_alone(tmp_path):
    ds, reviews, data = _data(tmp_path)
    lang = Lang("zh", ds.base_currency, ds.digits)
    r = ctx.ratings_context(data, reviews[1], lang)
    alone = rating_history(ds, [reviews[1]], policy=default_policy())
    assert {g["grade"]: g["customers"] for g in r["grades"] if g["customers"]} == dict(
        alone.group_by("grade").len().iter_rows()
    )
    warned = {w["customer"]["id"] for w in r["warnings"]}
    assert warned == {
        row["customer_id"] for row in alone.iter_rows(named=True) if row["warnings"]
    }
    assert all(isinstance(w, str) for row in r["warnings"] for w in row["warnings"])


def test_methodology_prints_the_policy(tmp_path):
    _, _, data = _data(tmp_path)
    policy = default_policy()
    c = ctx.methodology_context(data)["policy"]
    assert [r["key"] for r in c["ladder"]] == [r.key for r in policy.ladder]
    assert c["ladder"][0]["window"] == "-7–0" and c["ladder"][-1]["window"] == "121+"
    assert [(w["factor"], w["weight"]) for w in c["weights"]] == list(policy.rating.weights)
    assert c["jump_points"] == 25

