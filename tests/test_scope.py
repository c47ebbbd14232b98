"""A part of the portfolio (reportgen.scope), the dashboard's selections (reportgen.views) and
trailing periods: a part's figures are the whole ledger's figures for its customers."""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from reportgen import metrics, periods, scope, views
from reportgen.aging import bucket_labels
from reportgen.load import load
from reportgen.outputs import customer_aging

SAMPLE = "sample_data"
D = date(2025, 12, 31)


def test_a_part_has_the_kpis_of_its_group():
    ds = load(SAMPLE)
    attributes = scope.customer_attributes(ds)
    months = [periods.parse_period("2025-12")]
    for by, value in (("segment", "Export"), ("currency", "USD")):
        ids = scope.select_customers(
            attributes, **{f"{by}s" if by == "segment" else "currencies": [value]}
        )
        part = scope.restrict(ds, ids)
        alone = metrics.kpis(metrics.kpi_facts(part, months), digits=ds.digits)
        grouped = metrics.kpis(metrics.kpi_facts(ds, months, by=by), digits=ds.digits, by=by)
        assert_frame_equal(alone, grouped.filter(pl.col(by) == value).drop(by))
        whole = customer_aging(ds, as_of=D).collect().filter(pl.col("customer_id").is_in(ids))
        assert_frame_equal(customer_aging(part, as_of=D).collect(), whole)
    assert "gl_balances" not in part.tables


def test_a_selection_summed_from_customer_facts_has_the_kpis_of_its_own_ledger():
    """The dashboard's filters: one allocation per date for the whole ledger, then any set of
    customers is a sum (metrics.group_facts) equal to the KPIs of that set's ledger alone."""
    ds = load(SAMPLE)
    attributes = scope.customer_attributes(ds)
    months = periods.trailing(D, "month", 3)
    facts = metrics.customer_facts(ds, months)
    selections = {
        "everyone": attributes["customer_id"].to_list(),
        "two owners": scope.select_customers(attributes, owners=["王丽", "Michael Chen"]),
        "USD, Export": scope.select_customers(attributes, segments=["Export"], currencies=["USD"]),
    }
    for name, ids in selections.items():
        assert len(ids) > 0, name
        summed = metrics.group_facts(ds, facts, scope.as_group(ds, ids))
        alone = metrics.kpi_facts(scope.restrict(ds, ids), months)
        assert summed["period"].to_list() == [p.label for p in months], name
        assert_frame_equal(
            metrics.kpis(summed, digits=ds.digits), metrics.kpis(alone, digits=ds.digits)
        )
    # the whole ledger: the same facts as kpi_facts computes them
    everyone = metrics.group_facts(ds, facts, scope.as_group(ds, selections["everyone"]))
    assert_frame_equal(everyone, metrics.kpi_facts(ds, months))


def test_views_add_up():
    ds = load(SAMPLE)
    customers = (
        customer_aging(ds, as_of=D, credit=True)
        .collect()
        .join(scope.customer_attributes(ds).select("customer_id", "owner"), on="customer_id")
    )
    labels = bucket_labels()
    assert views.bucket_totals(customers, labels)["amount"].sum() == customers["open_amount"].sum()
    by_owner = views.aging_by(customers, "owner", labels)
    assert by_owner["customers"].sum() == customers.height
    bands = views.utilization_distribution(customers)
    assert bands["customers"].sum() == customers.height
    risks = views.top_risks(customers, limit=5)
    assert risks["credit_hold"].to_list()[0] and risks.height == 5
    found = views.search_customers(scope.customer_attributes(ds), "(SUZHOU")  # literal, any case
    assert found.height > 0 and all("(Suzhou" in n for n in found["name"])


def test_trailing_periods():
    labels = [p.label for p in periods.trailing(date(2025, 12, 31), "month", 3)]
    assert labels == ["2025-10", "2025-11", "2025-12"]
    cut = periods.trailing(date(2025, 12, 15), "quarter", 2)
    assert [p.label for p in cut] == ["2025-Q3", "2025-10-01..2025-12-15"]
    first = periods.trailing(date(2024, 2, 29), "month", 12, not_before=date(2024, 1, 1))
    assert [p.label for p in first] == ["2024-01", "2024-02"]
