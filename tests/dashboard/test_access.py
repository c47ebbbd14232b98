"""Sign-in (hashed passwords, owners mapped to users), downloads that cannot run formulas,
and the command that starts the dashboard on localhost."""

from __future__ import annotations

import io

import auth
import openpyxl
import polars as pl
import pytest
from dashboard_helpers import APP, TIMEOUT, frame, no_exception
from downloads import csv_bytes, xlsx_bytes
from streamlit.testing.v1 import AppTest

from reportgen import scope
from reportgen.load import load

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tTAB", "plain 名称"]


@pytest.fixture()
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    path.write_text(
        f'[users.boss]\nname = "Boss"\npassword = "{auth.hash_password("s3cret")}"\n'
        f'[users.wang]\nname = "王丽"\npassword = "{auth.hash_password("密码")}"\n'
        'owners = ["王丽"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("REPORTGEN_DASHBOARD_USERS", str(path))
    return path


def sign_in(login: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.metric  # nothing shown before signing in
    at.text_input(key="login_user").set_value(login)
    at.text_input(key="login_password").set_value(password)
    return no_exception(at.button[0].click().run())


def test_passwords_are_hashed_and_checked():
    stored = auth.hash_password("s3cret")
    assert "s3cret" not in stored and stored.startswith("scrypt$")
    assert auth.verify_password("s3cret", stored)
    assert not auth.verify_password("S3cret", stored)
    assert auth.hash_password("s3cret") != stored  # salted


def test_a_plain_password_in_the_file_is_refused(tmp_path):
    path = tmp_path / "u.toml"
    path.write_text('[users.a]\npassword = "hunter2"\n')
    with pytest.raises(auth.AuthError, match="scrypt hash"):
        auth.read_users(path)
    path.write_text(f'[users.a]\npassword = "{auth.hash_password("x")}"\nrole = "admin"\n')
    with pytest.raises(auth.AuthError, match="unknown keys role"):
        auth.read_users(path)


def test_wrong_password_shows_nothing(users_file):
    at = sign_in("boss", "wrong")
    assert at.error and "wrong password" in at.error[0].value
    assert not at.metric and not at.dataframe


def test_signed_in_manager_sees_everyone(users_file):
    at = sign_in("boss", "s3cret")
    assert len(at.metric) > 0
    assert len(at.multiselect(key="filter_owner").options) == 6


def test_collector_sees_only_their_customers(users_file):
    at = sign_in("wang", "密码")
    assert at.multiselect(key="filter_owner").options == ["王丽"]
    ds = load(at.session_state["rg_source"].path)
    mine = set(scope.customer_attributes(ds).filter(pl.col("owner") == "王丽")["customer_id"])
    for page, table in (("aging", 0), ("credit", 3), ("reconciliation", 1)):
        no_exception(at.switch_page(f"sections/{page}.py").run())
        shown = set(frame(at, table)["customer_id"].drop_nulls())
        assert shown and shown <= mine, page
    at.switch_page("sections/customer.py").run()
    assert {o.split(" · ")[0] for o in at.selectbox(key="customer_pick").options} == mine
    # the tiles are the KPIs of 王丽's customers, not of the company
    at.switch_page("sections/overview.py").run()
    import json

    from typer.testing import CliRunner

    from reportgen.cli import app as cli

    out = users_file.parent / "k.json"
    CliRunner().invoke(
        cli,
        [
            "kpis",
            at.session_state["rg_source"].path,
            "--period",
            "2025-12",
            "--by",
            "owner",
            "--out",
            str(out),
        ],
    )
    row = next(r for r in json.loads(out.read_text()) if r["owner"] == "王丽")
    shown = {m.label: m.value for m in at.metric}
    assert shown["AR at end"] == f"{float(row['ar_end']):,.2f}"


def test_csv_download_neutralises_formulas():
    table = pl.DataFrame({"name": HOSTILE, "amount": [1, 2, 3, 4, 5, 6]})
    text = csv_bytes(table).decode("utf-8-sig")
    rows = pl.read_csv(io.StringIO(text))["name"].to_list()
    assert rows[:5] == ["'" + h for h in HOSTILE[:5]]
    assert rows[5] == "plain 名称"


def test_excel_download_has_no_formula_cells():
    table = pl.DataFrame({"name": HOSTILE}).with_columns(
        category=pl.col("name").cast(pl.Categorical)
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table, "a:b/c")))
    sheet = book.active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type == "s" for c in cells)  # strings, never formulas ("f")
    assert [c.value for c in cells[::2]][:5] == ["'" + h for h in HOSTILE[:5]]
    assert sheet.title == "a_b_c"


def test_dashboard_command_listens_on_localhost(monkeypatch):
    import subprocess

    from typer.testing import CliRunner

    from reportgen.cli import app as cli

    calls = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, env: calls.append((cmd, env)) or 0)
    result = CliRunner().invoke(cli, ["dashboard"])
    assert result.exit_code == 0, result.output
    command, env = calls[0]
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert "REPORTGEN_DATA" not in env  # the sample company
    result = CliRunner().invoke(cli, ["dashboard", "no/such/folder"])
    assert result.exit_code == 1
