"""The Worklist and Ratings pages and the Customer page's timeline (issue 7) under AppTest with
the sample company: they open in English and Chinese, their tables are the rows
`reportgen worklist` and `reportgen ratings` write, and their filters select from them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from dashboard_helpers import (
    AS_OF,
    SAMPLE,
    csv_text,
    frame,
    no_exception,
    open_app,
    record_downloads,
)
from polars.testing import assert_frame_equal
from typer.testing import CliRunner
from words import known, t

from reportgen import periods, scope
from reportgen.cli import app as cli
from reportgen.collections import STATUS_ORDER, worklist
from reportgen.load import load
from reportgen.policy import COLLECTOR, default_policy, load_policy
from reportgen.promises import promise_outcomes
from reportgen.ratings import WARNINGS, latest_grades, rating_history
from reportgen.timeline import customer_timeline


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE)


def run_cli(tmp_path, *args: str) -> pl.DataFrame:
    """`reportgen ARGS --out FILE.parquet`, read back (types as the command line writes them)."""
    out = tmp_path / f"out-{abs(hash(args))}.parquet"
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return pl.read_parquet(out)


@pytest.fixture(scope="module")
def cli_worklist(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worklist")
    return run_cli(folder, "worklist", str(SAMPLE), "--as-of", str(AS_OF))


@pytest.fixture(scope="module")
def cli_worklist_zh(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worklist-zh")
    return run_cli(folder, "worklist", str(SAMPLE), "--as-of", str(AS_OF), "--lang", "zh")


@pytest.fixture(scope="module")
def cli_ratings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ratings")
    return run_cli(folder, "ratings", str(SAMPLE), "--period", "2025-12")


@pytest.fixture(scope="module")
def cli_warnings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warnings")
    return run_cli(folder, "ratings", str(SAMPLE), "--period", "2025-12", "--view", "warnings")


def like(shown: pl.DataFrame, expected: pl.DataFrame) -> pl.DataFrame:
    """A drawn table in the command line's types (the browser's table has datetimes)."""
    return shown.select(expected.columns).cast(dict(expected.schema))


def cli_csv(tmp_path, *args: str) -> str:
    """`reportgen ARGS --out FILE.csv`, as text."""
    out = tmp_path / f"out-{abs(hash(args))}.csv"
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return csv_text(out)


def _words(prefix: str, lang: str):
    return lambda code: t(prefix + code, lang) if known(prefix + code) else code


def worklist_drawn(expected: pl.DataFrame, lang: str = "en", policy=None) -> pl.DataFrame:
    """The command line's worklist as the page is to draw it: every code in the words of the
    language (from the word tables and the policy, not from the page's code)."""
    policy = policy or default_policy()
    owners = {r.owner: r.owner_words(lang) for r in policy.ladder if r.owner != COLLECTOR}
    owners["unassigned"] = t("owner_unassigned", lang)
    return expected.with_columns(
        pl.col("status").replace_strict({s: t(f"status_{s}", lang) for s in STATUS_ORDER}),
        pl.col("owner").replace(owners),
        pl.col("channel", "last_contact_type").map_elements(
            _words("act_", lang), return_dtype=pl.String
        ),
        pl.col("next_rung").map_elements(_words("rung_", lang), return_dtype=pl.String),
        pl.col("language").replace({"en": "English", "zh": "中文"}),
    )


def ratings_drawn(expected: pl.DataFrame, lang: str = "en", policy=None) -> pl.DataFrame:
    """The command line's ratings as the page is to draw them: the change and the warnings
    in words, the policy's thresholds in them."""
    policy = policy or default_policy()
    values = {"days": policy.warning_overdue_days, "periods": policy.slowing_periods}
    warning = {w: t(f"warning_{w}", lang, **values) for w in WARNINGS}
    return expected.with_columns(
        pl.col("change").map_elements(_words("change_", lang), return_dtype=pl.String),
        pl.col("warnings").str.split(", ").list.eval(pl.element().replace(warning)).list.join(", "),
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ["worklist", "ratings"])
def test_page_opens_in_both_languages(page, lang):
    at = no_exception(open_app(page, lang=lang))
    assert at.title[0].value == t(f"page_{page}", lang)
    assert at.dataframe, page


def test_worklist_is_the_worklist_command(cli_worklist, monkeypatch, tmp_path):
    downloads = record_downloads(monkeypatch)
    at = open_app("worklist")
    shown = frame(at, 0)
    assert shown.columns == cli_worklist.columns
    assert_frame_equal(like(shown, cli_worklist), worklist_drawn(cli_worklist))
    # the download is the command line's file itself, codes and all
    wanted = cli_csv(tmp_path, "worklist", str(SAMPLE), "--as-of", str(AS_OF))
    assert csv_text(downloads["csv-worklist"]) == wanted
    # what a collector acts on first; the rung's code is left out (the action names it)
    drawn = list(at.dataframe[0].proto.column_order)
    assert drawn[:8] == [
        "owner", "customer_id", "name", "action", "status", "deadline", "max_days_overdue",
        "amount",
    ]  # fmt: skip
    assert "rung" not in drawn and set(drawn) == set(cli_worklist.columns) - {"rung"}
    assert at.dataframe[0].proto.placeholder == "—"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Actions"] == f"{cli_worklist.height:,}"
    assert tiles["Past deadline"] == f"{(cli_worklist['status'] == 'late').sum():,}"
    assert tiles["Overdue on these rungs (CNY)"] == f"{cli_worklist['amount'].sum():,.2f}"


def test_worklist_in_chinese_is_the_chinese_worklist(cli_worklist_zh, monkeypatch, tmp_path):
    downloads = record_downloads(monkeypatch)
    at = open_app("worklist", lang="zh")
    shown = frame(at, 0)
    assert_frame_equal(like(shown, cli_worklist_zh), worklist_drawn(cli_worklist_zh, "zh"))
    assert "第一次催款提醒" in shown["action"].to_list()
    # the status codes, the rung owners' roles and the channels in Chinese, no code left
    assert set(shown["status"]) <= {"已超期", "待办", "已承诺付款", "已完成"}
    assert {"已超期", "待办"} <= set(shown["status"])
    assert {"信用经理", "法务部"} <= set(shown["owner"])
    assert not {"Credit manager", "Legal", "unassigned"} & set(shown["owner"])
    assert {"函件", "电话", "提醒"} <= set(shown["channel"])
    assert not set(STATUS_ORDER) & set(shown["status"])
    # the download: `reportgen worklist --lang zh --out FILE.csv`, codes as the file has them
    wanted = cli_csv(tmp_path, "worklist", str(SAMPLE), "--as-of", str(AS_OF), "--lang", "zh")
    assert csv_text(downloads["csv-worklist"]) == wanted
    assert ",late," in wanted and "\nLegal," in wanted
    # the action owner filter offers the roles in Chinese and selects by them
    owners = at.multiselect(key="worklist_owners")
    assert "法务部" in owners.options and "Legal" not in owners.options
    no_exception(owners.set_value(["Legal"]).run())
    assert set(frame(at, 0)["owner"]) == {"法务部"}


def test_worklist_filters_select_rows(cli_worklist):
    at = open_app("worklist")
    no_exception(at.multiselect(key="worklist_rungs").set_value(["level_1", "level_2"]).run())
    wanted = cli_worklist.filter(pl.col("rung").is_in(["level_1", "level_2"]))
    assert 0 < wanted.height < cli_worklist.height
    assert_frame_equal(like(frame(at, 0), wanted), worklist_drawn(wanted))

    no_exception(at.number_input(key="worklist_min_amount").set_value(50_000.0).run())
    wanted = wanted.filter(pl.col("amount") >= Decimal("50000"))
    shown = frame(at, 0)
    assert 0 < shown.height == wanted.height
    assert_frame_equal(like(shown, wanted), worklist_drawn(wanted))

    no_exception(at.multiselect(key="worklist_status").set_value(["done"]).run())
    wanted = wanted.filter(pl.col("status") == "done")
    if wanted.height:
        assert_frame_equal(like(frame(at, 0), wanted), worklist_drawn(wanted))
    else:
        assert at.info and not at.dataframe


def test_worklist_days_and_action_owner(cli_worklist):
    at = open_app("worklist")
    no_exception(at.number_input(key="worklist_min_days").set_value(90).run())
    wanted = cli_worklist.filter(pl.col("max_days_overdue") >= 90)
    assert frame(at, 0)["customer_id"].to_list() == wanted["customer_id"].to_list()
    no_exception(at.multiselect(key="worklist_owners").set_value(["Legal"]).run())
    shown = frame(at, 0)
    assert set(shown["owner"]) == {"Legal"}
    assert shown.height == wanted.filter(pl.col("owner") == "Legal").height


def test_sidebar_owner_selects_the_worklist_and_ratings(sample, cli_worklist, cli_ratings):
    at = open_app()
    no_exception(at.multiselect(key="filter_owner").set_value(["王丽"]).run())
    attributes = scope.customer_attributes(sample)
    mine = attributes.filter(pl.col("owner") == "王丽")["customer_id"].implode()
    no_exception(at.switch_page("sections/worklist.py").run())
    wanted = cli_worklist.filter(pl.col("customer_id").is_in(mine))
    assert 0 < wanted.height < cli_worklist.height
    assert_frame_equal(like(frame(at, 0), wanted), worklist_drawn(wanted))
    no_exception(at.switch_page("sections/ratings.py").run())
    wanted = cli_ratings.filter(pl.col("customer_id").is_in(mine))
    assert frame(at, 0)["customer_id"].to_list() == wanted["customer_id"].to_list()


def test_ratings_are_the_ratings_command(cli_ratings, cli_warnings, monkeypatch, tmp_path):
    downloads = record_downloads(monkeypatch)
    at = open_app("ratings")
    shown = frame(at, 0)
    assert shown.columns == cli_ratings.columns
    assert_frame_equal(like(shown, cli_ratings), ratings_drawn(cli_ratings))
    assert {"upgraded", "downgraded", "unchanged"} <= set(shown["change"])
    assert csv_text(downloads["csv-ratings"]) == cli_csv(
        tmp_path, "ratings", str(SAMPLE), "--period", "2025-12"
    )
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    for grade in "ABCDE":
        now = (cli_ratings["grade"] == grade).sum()
        before = (cli_ratings["previous_grade"] == grade).sum()
        assert tiles[grade][0] == f"{now:,}"
        assert tiles[grade][1] == (f"{now - before:+,}" if now != before else "")
    warned = frame(at, 1)
    assert_frame_equal(like(warned, cli_warnings), cli_warnings)
    assert "downgrade" in set(warned["description"])  # English words for the codes
    assert "first item over 60 days" in set(warned["description"])  # the policy's 60
    assert "warning" not in at.dataframe[1].proto.column_order  # its words are drawn


def test_ratings_change_filter(cli_ratings):
    at = open_app("ratings", lang="zh")
    assert "评级下调" in set(frame(at, 1)["description"])
    assert {"上调", "下调", "不变"} <= set(frame(at, 0)["change"])
    assert "额度使用率骤升" in set(frame(at, 0)["warnings"].str.split(", ").explode())
    no_exception(at.multiselect(key="ratings_change").set_value(["down"]).run())
    wanted = cli_ratings.filter(pl.col("change") == "down")
    assert 0 < wanted.height < cli_ratings.height
    assert_frame_equal(like(frame(at, 0), wanted), ratings_drawn(wanted, "zh"))
    no_exception(at.multiselect(key="ratings_grades").set_value(["E"]).run())
    wanted = wanted.filter(pl.col("grade") == "E")
    assert frame(at, 0)["customer_id"].to_list() == wanted["customer_id"].to_list()


def test_customer_timeline_newest_first(sample):
    at = open_app("customer")
    no_exception(at.selectbox(key="customer_pick").set_value("C0014").run())
    shown = frame(at, len(at.dataframe) - 1)
    assert t("timeline", "en") in [s.value for s in at.subheader]
    policy = default_policy()
    month = periods.between(AS_OF.replace(day=1), AS_OF)
    grades = latest_grades(rating_history(sample, [month], policy=policy))
    actions = worklist(sample, as_of=AS_OF, policy=policy, grades=grades).collect()
    trailing = periods.trailing(AS_OF, "month", 12)
    history = rating_history(sample, trailing, policy=policy)
    core = customer_timeline(
        sample, "C0014", as_of=AS_OF, policy=policy,
        worklist=actions, ratings=history, periods=trailing,
    )  # fmt: skip
    dates = shown["date"].cast(pl.Date)
    assert dates.to_list() == core["date"].to_list()
    assert dates.to_list() == sorted(dates.to_list(), reverse=True)
    # every activity of the customer by D, each dunning rung it stands on, each grade change
    activities = sample.tables["activities"].filter(
        (pl.col("customer_id").cast(pl.String) == "C0014") & (pl.col("date") <= AS_OF)
    )
    counts = dict(shown.group_by("event").len().iter_rows())
    assert counts["activity"] == activities.height
    assert counts["dunning"] == actions.filter(pl.col("customer_id") == "C0014").height
    changed = history.filter(
        (pl.col("customer_id") == "C0014") & pl.col("change").is_in(["up", "down"])
    )
    assert counts.get("rating", 0) == changed.height
    # a promise's status is the core's reading of it
    kept = (
        promise_outcomes(sample, as_of=AS_OF, policy=policy)
        .filter(pl.col("customer_id") == "C0014")
        .collect()
    )
    promised = shown.filter(pl.col("type") == "promise")
    assert sorted(promised["status"]) == sorted(kept["status"])
    assert promised["amount"].drop_nulls().to_list() == [
        Decimal(a) / 100 for a in core.filter(pl.col("type") == "promise")["amount"]
    ]


def test_customer_timeline_in_chinese():
    at = open_app("customer", lang="zh")
    no_exception(at.selectbox(key="customer_pick").set_value("C0014").run())
    shown = frame(at, len(at.dataframe) - 1)
    assert {"沟通", "催收"} <= set(shown["event"])
    assert "付款承诺" in set(shown["type"])


# --- a credit policy of one's own (`reportgen dashboard --policy FILE`) ------------------------

OWN_POLICY = (
    Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "our-policy.toml"
).read_text(encoding="utf-8")


@pytest.fixture
def own_policy(tmp_path, monkeypatch):
    """The dashboard started with `--policy our-policy.toml` (the variable the command sets);
    the figures cached under the default are dropped before and after, as a new dashboard
    process would start without them."""
    import streamlit as st

    path = tmp_path / "our-policy.toml"
    path.write_text(OWN_POLICY, encoding="utf-8")
    monkeypatch.setenv("REPORTGEN_POLICY", str(path))
    st.cache_resource.clear()
    yield path
    st.cache_resource.clear()


def test_worklist_under_a_policy_file(own_policy, cli_worklist, tmp_path):
    expected = run_cli(
        tmp_path, "worklist", str(SAMPLE), "--as-of", str(AS_OF), "--policy", str(own_policy)
    )
    at = open_app("worklist")
    assert "under the credit policy our-policy.toml:" in at.caption[1].value
    shown = frame(at, 0)
    policy = load_policy(own_policy)
    assert_frame_equal(like(shown, expected), worklist_drawn(expected, policy=policy))
    # the policy's own ladder and rate, not the default's
    assert set(shown["rung"]) == {"level_1", "demand"}
    assert set(cli_worklist["rung"]) > {"level_1", "demand"}
    assert shown["interest"].sum() != cli_worklist["interest"].sum()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Actions"] == f"{expected.height:,}" != f"{cli_worklist.height:,}"
    assert tiles["Amount to request (CNY)"] == f"{expected['amount_requested'].sum():,.2f}"
    zh = open_app("worklist", lang="zh")
    assert "按信用政策 our-policy.toml 应做的催收动作" in zh.caption[1].value


def test_ratings_under_a_policy_file(own_policy, cli_ratings, tmp_path):
    expected = run_cli(
        tmp_path, "ratings", str(SAMPLE), "--period", "2025-12", "--policy", str(own_policy)
    )
    at = open_app("ratings")
    assert "from the scorecard of the credit policy our-policy.toml" in at.caption[1].value
    shown = frame(at, 0)
    policy = load_policy(own_policy)
    assert_frame_equal(like(shown, expected), ratings_drawn(expected, policy=policy))
    assert shown["grade"].to_list() != cli_ratings["grade"].to_list()  # lower grade bounds
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["E"] == f"{(expected['grade'] == 'E').sum():,}"


def test_the_default_policy_is_named(cli_worklist):
    at = open_app("worklist")
    assert "under the default credit policy:" in at.caption[1].value
    assert (
        open_app("ratings", lang="zh")
        .caption[1]
        .value.startswith("2025年12月的信用评级（依据默认信用政策的评分卡）")
    )


def test_dashboard_command_passes_the_policy_file(monkeypatch, tmp_path):
    import subprocess

    calls = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, env: calls.append((cmd, env)) or 0)
    path = tmp_path / "our-policy.toml"
    path.write_text(OWN_POLICY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["dashboard", "--policy", str(path)])
    assert result.exit_code == 0, result.output
    assert calls[0][1]["REPORTGEN_POLICY"] == str(path.resolve())
    monkeypatch.setenv("REPORTGEN_POLICY", "left/over.toml")  # from an earlier shell
    assert CliRunner().invoke(cli, ["dashboard"]).exit_code == 0
    assert "REPORTGEN_POLICY" not in calls[1][1]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[[ladder]]\nkey = 'x'\nfrom_days = 1\n", "within_business_days must be an int"),
        ("[rating]\ngrades = { A = 50, B = 40, C = 60, D = 80 }\n", "must increase from A to D"),
        ("[interest\n", "not valid TOML"),
    ],
)
def test_dashboard_command_refuses_a_bad_policy_file(monkeypatch, tmp_path, text, said):
    import re
    import subprocess

    calls = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, env: calls.append(cmd) or 0)
    path = tmp_path / "bad-policy.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["dashboard", "--policy", str(path)])
    assert result.exit_code == 2
    printed = re.sub(r"[\s│╭╮╰╯─]+", "", result.output)  # rich's frame and wrapped lines
    assert "bad-policy.toml" in printed and said.replace(" ", "") in printed
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not calls  # Streamlit never started
    missing = CliRunner().invoke(cli, ["dashboard", "--policy", str(tmp_path / "no.toml")])
    assert missing.exit_code == 2 and "no.toml" in re.sub(r"[\s│]+", "", missing.output)
    assert not calls


def test_credit_holds_follow_the_policy_file(tmp_path, monkeypatch):
    """The policy's credit-hold rule (30 days here, 90 by default) decides the holds on the
    Credit page, as `reportgen aging --credit --hold-after-days 30` does."""
    import streamlit as st

    from reportgen.outputs import customer_aging

    path = tmp_path / "hold-30.toml"
    path.write_text("[credit_hold]\nhold_after_days = 30\n", encoding="utf-8")
    monkeypatch.setenv("REPORTGEN_POLICY", str(path))
    st.cache_resource.clear()
    try:
        at = open_app("credit")
        sample = load(SAMPLE)
        strict = customer_aging(sample, as_of=AS_OF, credit=True, hold_after_days=30).collect()
        usual = customer_aging(sample, as_of=AS_OF, credit=True).collect()
        holds = sorted(frame(at, 2)["customer_id"].to_list())
        assert holds == sorted(strict.filter(pl.col("credit_hold"))["customer_id"])
        assert len(holds) > usual["credit_hold"].sum()  # more than under the 90-day rule
        assert any("30" in c.value for c in at.caption)
    finally:
        st.cache_resource.clear()
