"""The committed sample company reconciles to exactly its planted cases (sample.Case), at the
mid-year statement date and at the closing date: nothing planted is missed, nothing natural
is reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from reportgen.load import load
from reportgen.reconcile import CATEGORIES, reconcile
from reportgen.sample import AS_OF, RECONCILED_DATES, Company, build

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
NOT_PLANTED = {"duplicate_id", "rollforward_break"}  # see the sample README for why


@pytest.fixture(scope="module")
def company() -> Company:
    return build(invoices=25_000, seed=7)


@pytest.fixture(scope="module")
def ds():
    return load(SAMPLE)


def key(category: str, customer: str | None, documents: tuple[str, ...] | str, day: date) -> tuple:
    """What identifies a finding: its category, customer and documents (in any order); a GL
    difference, which has neither, by its date."""
    if isinstance(documents, str):
        documents = tuple(documents.split(", ")) if documents else ()
    return category, customer, tuple(sorted(documents)), day if customer is None else None


@pytest.mark.parametrize("as_of", RECONCILED_DATES)
def test_reconcile_finds_exactly_the_planted_cases(company: Company, ds, as_of: date) -> None:
    result = reconcile(ds, as_of=as_of)
    found = {
        key(row["category"], row["customer_id"], row["documents"], row["date"]): row["amount"]
        for row in result.exceptions.iter_rows(named=True)
    }
    planted = {
        key(c.category, c.customer_id, c.documents, c.since): c.amount
        for c in company.cases
        if c.found_at(as_of)
    }
    assert sorted(found) == sorted(planted)
    assert result.exceptions.height == len(found)  # no finding twice
    for case, amount in planted.items():
        if amount is not None:  # amounts that do not depend on D's exchange rate
            assert found[case] == amount, case
    assert (result.rollforward["difference"] == 0).all()


def test_every_category_but_two_is_planted_at_the_closing_date(company: Company) -> None:
    planted = {c.category for c in company.cases if c.found_at(AS_OF)}
    assert planted == set(CATEGORIES) - NOT_PLANTED
    counts = {c: sum(case.category == c for case in company.cases) for c in planted}
    assert all(n >= 2 for n in counts.values()), counts


def test_the_sheet_and_the_ledger_agree_at_the_closing_date(ds) -> None:
    result = reconcile(ds, as_of=AS_OF)
    rolled = result.rollforward.filter(pl.col("customer_id").is_null())
    assert (
        rolled["period"].to_list()[0] == "2024-01" and rolled["period"].to_list()[-1] == "2025-12"
    )
    # the roll-forward closes on the subledger, and the GL agrees except where planted
    assert rolled["closing"][-1] == result.sheet["net_balance"].sum()
    assert result.gl.filter(pl.col("date") == AS_OF)["difference"].to_list() == [0]
    assert result.gl.height == 24 and result.gl.filter(pl.col("difference") != 0).height == 2
    assert result.statements.height == 40
