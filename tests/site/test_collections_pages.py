"""Review-site collections and ratings sections (issue 7): page contexts built without Jinja
agree with the core computed alone, and the methodology prints the policy's own numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
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
    assert warned == {row["customer_id"] for row in alone.iter_rows(named=True) if row["warnings"]}
    assert all(isinstance(w, str) for row in r["warnings"] for w in row["warnings"])


def test_methodology_prints_the_policy(tmp_path):
    _, _, data = _data(tmp_path)
    policy = default_policy()
    c = ctx.methodology_context(data)["policy"]
    assert [r["key"] for r in c["ladder"]] == [r.key for r in policy.ladder]
    assert c["ladder"][0]["window"] == "-7–0" and c["ladder"][-1]["window"] == "121+"
    assert [(w["factor"], w["weight"]) for w in c["weights"]] == list(policy.rating.weights)
    assert c["jump_points"] == 25


# --- a policy of one's own (`reportgen site --policy FILE`) ----------------------------------

OWN_POLICY = (
    Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "our-policy.toml"
).read_text(encoding="utf-8")


def _site(tmp_path, *args: str):
    from typer.testing import CliRunner

    from reportgen.cli import app

    ds, _, _ = _data(tmp_path)
    out = tmp_path / "site"
    command = ["site", str(tmp_path / "data"), "--out", str(out), "--reconcile", "none"]
    result = CliRunner().invoke(
        app, [*command, "--from", "2025-01-01", "--to", "2025-02-28", *args]
    )
    return result, out


def _said(result) -> str:
    """What the command printed, without the frame rich draws round an error and the line
    breaks it puts into a long path."""
    import re

    return re.sub(r"[\s│╭╮╰╯─]+", "", result.output)


def _text(path) -> str:
    """A built page's text without its tags (the table cells as words)."""
    import html
    import re

    text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", html.unescape(text))


def test_site_follows_the_policy_file(tmp_path):
    policy = tmp_path / "our-policy.toml"
    policy.write_text(OWN_POLICY, encoding="utf-8")
    result, out = _site(tmp_path, "--policy", str(policy))
    assert result.exit_code == 0, result.output
    method = _text(out / "en" / "methodology.html")
    assert "From the credit policy (our-policy.toml)" in method
    assert str(tmp_path) not in method  # the file's name, not where it was on this machine
    assert "20.0 % a year" in method and "but still accrues it" in method
    assert "Finance director" in method and "Credit manager" not in method
    assert "46+" in method and "1–45" in method
    # at 2025-02-28: I1 39 days and I2 27 days overdue are both on level 1 of this ladder
    # (the default puts I1 on the demand rung and I2 on level 3); I3 is not due and this
    # ladder has no reminder before the due date
    review = _text(out / "en" / "reviews" / "2025-02.html")
    # interest at 20 %: 100.00 × 39 days + 900.00 × 27 days, / 365 × 0.20 = 2.14 + 13.32
    assert "First reminder 2 2 1,000.00 15.46" in review
    assert "Final reminder letter" not in review and "Courtesy reminder" not in review
    zh = _text(out / "zh" / "methodology.html")
    assert "年利率 20.0%" in zh


def test_site_default_policy_for_comparison(tmp_path):
    result, out = _site(tmp_path, "--lang", "en")
    assert result.exit_code == 0, result.output
    method = _text(out / "en" / "methodology.html")
    assert "From the credit policy (reportgen/policy_default.toml)" in method
    assert "10.0 % a year" in method and "accrues none" in method
    review = _text(out / "en" / "reviews" / "2025-02.html")
    assert "Final reminder letter 1" in review and "Formal letter of demand 1" in review


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[interest]\nanual_rate_percent = 5\n", "unknown key 'interest.anual_rate_percent'"),
        ("[interest\n", "not valid TOML"),
    ],
)
def test_site_refuses_a_bad_policy_file(tmp_path, text, said):
    policy = tmp_path / "bad-policy.toml"
    policy.write_text(text, encoding="utf-8")
    result, out = _site(tmp_path, "--policy", str(policy))
    assert result.exit_code == 2
    assert "bad-policy.toml" in _said(result) and said.replace(" ", "") in _said(result)
    assert "Traceback" not in result.output
    assert not out.exists()


def test_site_names_a_missing_policy_file(tmp_path):
    result, out = _site(tmp_path, "--policy", str(tmp_path / "nowhere.toml"))
    assert result.exit_code == 2
    assert "nowhere.toml" in _said(result) and "cannotreadthepolicyfile" in _said(result)
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_site_credit_holds_follow_the_policy_file(tmp_path):
    """At 2025-02-28 invoice I1 is 39 days overdue: a hold under a 30-day rule, none under
    the default 90 days."""
    policy = tmp_path / "hold-30.toml"
    policy.write_text("[credit_hold]\nhold_after_days = 30\n", encoding="utf-8")
    result, out = _site(tmp_path, "--policy", str(policy), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "more than 30 days overdue" in _text(out / "en" / "methodology.html")
    # the holds table: Alpha, 39 days overdue, and the reason
    assert "Alpha C1 1,000.00 140.00 14.0 % 0.00 39 days over 30 days overdue" in _text(
        out / "en" / "reviews" / "2025-02.html"
    )
    result, out = _site(tmp_path, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "39 days over" not in _text(out / "en" / "reviews" / "2025-02.html")
