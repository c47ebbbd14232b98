"""The committed sample company has something for every collections report at its closing
date (issue 7): a customer on every rung of the ladder, kept and broken promises, a plan
broken twice, each overdue reason, disputes, and customers whose rating falls."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from reportgen.collections import worklist
from reportgen.load import load
from reportgen.periods import parse_period
from reportgen.policy import default_policy
from reportgen.promises import plan_adherence, plan_instalments, promise_outcomes
from reportgen.ratings import early_warnings, rating_history
from reportgen.reasons import overdue_items_with_reasons, reasons_by_bucket
from reportgen.sample import AS_OF

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
REASONS = {"financial_difficulty", "forgot", "dispute", "service_issue", "communication", "other"}


@pytest.fixture(scope="module")
def ds():
    return load(SAMPLE)


def test_every_rung_of_the_ladder_has_customers(ds):
    policy = default_policy()
    actions = worklist(ds, as_of=AS_OF, policy=policy).collect()
    reached = set(actions["rung"].cast(pl.String))
    assert reached == {r.key for r in policy.ladder}
    assert set(actions["status"]) >= {"due", "late", "done"}


def test_kept_and_broken_promises_and_escalations(ds):
    policy = default_policy()
    promises = promise_outcomes(ds, as_of=AS_OF, policy=policy).collect()
    assert set(promises["status"]) >= {"kept", "broken"}
    assert promises["escalate"].any()  # a customer who broke two promises in a row
    plans = plan_adherence(plan_instalments(ds, as_of=AS_OF, policy=policy), policy=policy)
    broken_twice = plans.filter(pl.col("escalate")).collect()
    assert broken_twice.height > 0
    assert (broken_twice["broken_in_a_row"] >= 2).all()


def test_each_overdue_reason_and_disputes(ds):
    activities = ds.tables["activities"]
    assert set(activities["reason"].drop_nulls()) == REASONS
    assert (activities["type"] == "dispute").any()
    table = reasons_by_bucket(overdue_items_with_reasons(ds, as_of=AS_OF)).collect()
    assert set(table["reason"]) >= REASONS


def test_a_customer_whose_rating_falls(ds):
    history = rating_history(ds, [parse_period("2025-12")], policy=default_policy())
    assert (history["change"] == "down").any()
    warnings = set(early_warnings(history)["warning"])
    assert warnings >= {"downgrade", "utilization_jump", "first_over_days", "slowing"}


def test_ratings_from_the_kpi_snapshots_equal_ratings_allocated_anew(ds):
    """The dashboard and the site rate from `metrics.customer_facts`' snapshots; those are
    the exposures the ratings would compute themselves."""
    from reportgen import metrics, periods

    policy = default_policy()
    wanted = periods.trailing(AS_OF, "month", 3)
    facts = metrics.customer_facts(load(SAMPLE), wanted)
    # a fresh dataset each time, so that no open items are shared between the two
    shared = rating_history(load(SAMPLE), wanted, policy=policy, exposures=facts.snapshots)
    anew = rating_history(load(SAMPLE), wanted, policy=policy)
    assert shared.height == 300 * len(wanted)
    assert shared.equals(anew)
