"""The collections commands (issue 7): worklist, promises, reasons, ratings and letters —
exit codes (0 done, 1 unusable data, 2 bad usage), help, output files."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import write_data
from typer.testing import CliRunner

from reportgen.cli import app

runner = CliRunner()

CUSTOMERS = """
    customer_id,name,owner,language
    C1,Acme,Wang Li,en
    C2,"=HYPERLINK(""x"")",Zhang Wei,zh
"""
INVOICES = """
    invoice_id,customer_id,invoice_date,due_date,amount
    I1,C1,2025-04-01,2025-06-15,100.00
    I2,C2,2025-03-01,2025-04-30,250.00
    I3,C1,2025-06-01,2025-07-03,80.00
"""
ACTIVITIES = """
    customer_id,date,type,invoice_id,amount,promised_date,reason,outcome
    C2,2025-05-01,promise,I2,250.00,2025-05-15,financial_difficulty,broken
    C2,2025-05-20,call,I2,,,financial_difficulty,reached
    C1,2025-06-20,call,I1,,,forgot,reached
"""


@pytest.fixture
def data(tmp_path):
    return write_data(
        tmp_path / "data", customers=CUSTOMERS, invoices=INVOICES, activities=ACTIVITIES
    )


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_worklist_writes_csv_with_formulas_neutralised(data, tmp_path):
    out = tmp_path / "wl.csv"
    result = run("worklist", data, "--as-of", "2025-06-30", "--out", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    by = {(r["customer_id"], r["rung"]): r for r in rows}
    assert set(by) == {("C1", "level_3"), ("C1", "pre_due"), ("C2", "demand")}
    assert by[("C1", "level_3")]["interest"] == "0.41"
    assert by[("C2", "demand")]["name"] == "'=HYPERLINK(\"x\")"


def test_worklist_json_in_chinese(data, tmp_path):
    out = tmp_path / "wl.json"
    result = run("worklist", data, "--as-of", "2025-06-30", "--out", out, "--lang", "zh")
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert {r["action"] for r in rows} == {"最后催款函", "到期前提醒", "正式催款函"}


def test_worklist_prints_per_owner(data):
    result = run("worklist", data, "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    assert "Wang Li" in result.output and "Final reminder letter" in result.output


def test_worklist_prints_roles_and_statuses_in_chinese(data):
    """In Chinese the demand letter's owner reads 信用经理 and its status 已超期, as on the
    review site and the dashboard; a collector's name stays as written."""
    result = run("worklist", data, "--as-of", "2025-06-30", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "信用经理 — 1" in result.output and "Credit manager" not in result.output
    assert "已超期" in result.output and "late" not in result.output
    assert "Wang Li — " in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", "30/06/2025"),
        ("--as-of", "2025-06-30", "--out", "x.txt"),
        ("--as-of", "2025-06-30", "--lang", "fr"),
        (),
    ],
)
def test_worklist_bad_usage_exits_2(data, args):
    assert run("worklist", data, *args).exit_code == 2


def test_worklist_bad_policy_exits_2_naming_the_key(data, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text("[interest]\nrate = 3\n", encoding="utf-8")
    result = run("worklist", data, "--as-of", "2025-06-30", "--policy", policy)
    assert result.exit_code == 2
    assert "interest.rate" in result.output


def test_letters_bad_pay_within_days_exits_2_naming_key_and_file(data, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text(
        '[[ladder]]\nkey = "demand"\nfrom_days = 31\nwithin_business_days = 1\n'
        'channel = "letter"\nowner = "Legal"\npay_within_days = -10\n',
        encoding="utf-8",
    )
    out = tmp_path / "letters"
    result = run("letters", data, "--as-of", "2025-06-30", "--policy", policy, "--out", out)
    assert result.exit_code == 2
    # the message as printed, wrapped in a box at the terminal's width (a long path breaks)
    printed = "".join(ch for ch in result.output if not ch.isspace() and ch != "│")
    assert "p.toml:ladder[1].pay_within_daysmustbe0ormore" in printed


def test_worklist_unusable_data_exits_1(tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    assert run("worklist", empty, "--as-of", "2025-06-30").exit_code == 1


@pytest.mark.parametrize("command", ["worklist", "promises", "reasons", "ratings", "letters"])
def test_help_of_every_collections_command(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--as-of" in result.output or "--period" in result.output


PAYMENTS = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P1,C2,2025-05-10,100.00,I2
    P2,C2,2025-05-15,150.00,I2
"""


@pytest.mark.parametrize(
    ("view", "column", "values"),
    [
        ("promises", "status", ["kept"]),
        ("customers", "kept_rate", ["100.0"]),
        ("owners", "owner", ["Zhang Wei"]),
    ],
)
def test_promises_views(tmp_path, view, column, values):
    data = write_data(tmp_path / "data", customers=CUSTOMERS, invoices=INVOICES,
                      activities=ACTIVITIES, payments=PAYMENTS)  # fmt: skip
    out = tmp_path / "p.csv"
    result = run("promises", data, "--as-of", "2025-06-30", "--view", view, "--out", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r[column] for r in rows] == values


def test_promises_plans_without_a_schedule_is_empty(data, tmp_path):
    out = tmp_path / "plans.json"
    result = run("promises", data, "--as-of", "2025-06-30", "--view", "plans", "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == []


def test_reasons_command(data, tmp_path):
    out = tmp_path / "r.csv"
    result = run("reasons", data, "--as-of", "2025-06-30", "--out", out)
    assert result.exit_code == 0, result.output
    rows = {r["reason"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert {k: rows[k]["amount"] for k in rows} == {"financial_difficulty": "250.00",
                                                    "forgot": "100.00"}  # fmt: skip
    assert rows["financial_difficulty"]["61-90"] == "250.00"
    result = run("reasons", data, "--as-of", "2025-06-30", "--view", "items")
    assert result.exit_code == 0 and "I2" in result.output


def test_ratings_command(data, tmp_path):
    out = tmp_path / "ratings.json"
    result = run("ratings", data, "--from", "2025-04-01", "--to", "2025-06-30", "--out", out)
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["period"], r["customer_id"]) for r in rows][:2] == [("2025-04", "C1"),
                                                                   ("2025-04", "C2")]  # fmt: skip
    assert {r["grade"] for r in rows} <= set("ABCDE")
    result = run("ratings", data, "--period", "2025-06", "--view", "warnings")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [
        ("promises", "--as-of", "2025-06-30", "--view", "nope"),
        ("reasons", "--as-of", "yesterday"),
        ("ratings",),
        ("ratings", "--period", "2025-13"),
        ("ratings", "--period", "2025-06", "--from", "2025-01-01"),
    ],
)
def test_bad_usage_exits_2(data, args):
    command, *rest = args
    assert run(command, data, *rest).exit_code == 2
