"""The dashboard under `streamlit.testing.v1.AppTest` with the sample company: every page
opens, every filter changes what is shown, and the tiles and tables equal what the core and
the command line give for the same question."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from dashboard_helpers import AS_OF, SAMPLE, cli_kpis, frame, no_exception, open_app
from polars.testing import assert_frame_equal

from reportgen import metrics, reconcile, scope, views
from reportgen.aging import bucket_labels
from reportgen.load import load
from reportgen.outputs import customer_aging, invoice_aging


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE)


PAGES = ("aging", "customer", "credit", "worklist", "ratings", "reconciliation", "sources")


def tiles(at) -> dict[str, tuple[str, str | None]]:
    """KPI tiles by label: (value, change)."""
    return {m.label: (m.value, m.delta) for m in at.metric}


def expected_tiles(row: dict, lang: str = "en") -> dict[str, str]:
    return {
        (m.label_zh if lang == "zh" else m.label): metrics.format_value(
            m, _typed(m, row[m.key]), lang=lang
        )
        for m in metrics.METRICS
    }


def _typed(metric, value):
    """A KPI from the CLI's JSON as the core holds it (money as an exact decimal)."""
    from decimal import Decimal

    if value is None:
        return None
    return Decimal(value) if metric.unit == "money" else value


def assert_tiles(at, rows: list[dict], lang: str = "en") -> None:
    shown = tiles(at)
    expected = expected_tiles(rows[-1], lang)
    assert {k: shown[k][0] for k in expected} == expected
    # the change is against the period before (rows[-2]): sign and size as the site writes it
    from reportgen.report.lang import Lang

    fmt = Lang(lang, "CNY", 2)
    for m in metrics.METRICS:
        label = m.label_zh if lang == "zh" else m.label
        now, before = _typed(m, rows[-1][m.key]), _typed(m, rows[-2][m.key])
        if now is None or before is None:
            continue
        change = now - before if m.unit == "money" else round(float(now) - float(before), 4)
        assert shown[label][1] == fmt.change(m.key, change), label


def problem_table(at) -> pl.DataFrame:
    """The Data page's list of problems (the table with a reason column)."""
    found = [frame(at, k) for k in range(len(at.dataframe))]
    return next(f for f in found if "reason" in f.columns)


def test_every_page_opens():
    at = open_app()
    for page in PAGES:
        no_exception(at.switch_page(f"sections/{page}.py").run())
        assert at.title, page


def test_overview_tiles_equal_the_command_line(tmp_path):
    at = open_app()
    rows = cli_kpis(tmp_path, "--from", "2025-11-01", "--to", "2025-12-31", "--every", "month")
    assert rows == cli_kpis(tmp_path, "--period", "2025-11") + cli_kpis(
        tmp_path, "--period", "2025-12"
    )
    assert len(at.metric) == len(metrics.METRICS)
    assert_tiles(at, rows)


def test_overview_top_risks_and_aging_chart(sample):
    at = open_app()
    customers = customer_aging(sample, as_of=AS_OF, credit=True).collect()
    risks = views.top_risks(customers)
    shown = frame(at, 0)
    assert shown["customer_id"].to_list() == risks["customer_id"].to_list()
    assert shown["overdue"].to_list() == risks["overdue"].to_list()
    import json

    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    totals = views.bucket_totals(customers, bucket_labels())
    assert chart["data"][0]["y"] == [round(float(a), 4) for a in totals["amount"]]
    # the buckets add up to the AR at the end (SPEC §3)
    assert sum(totals["amount"]) == customers["open_amount"].sum()


@pytest.mark.parametrize(
    ("key", "value", "by"),
    [("filter_segment", "Retail", "segment"), ("filter_owner", "李娜", "owner"),
     ("filter_currency", "USD", "currency")],
)  # fmt: skip
def test_a_filter_gives_the_kpis_of_that_group(tmp_path, key, value, by):
    at = open_app()
    no_exception(at.multiselect(key=key).set_value([value]).run())
    rows = cli_kpis(
        tmp_path, "--from", "2025-11-01", "--to", "2025-12-31", "--every", "month", "--by", by
    )
    assert_tiles(at, [r for r in rows if r[by] == value])


def test_as_of_and_period_change_the_figures(tmp_path):
    at = open_app()
    no_exception(at.date_input(key="as_of").set_value(date(2025, 6, 30)).run())
    rows = cli_kpis(tmp_path, "--from", "2025-05-01", "--to", "2025-06-30", "--every", "month")
    assert_tiles(at, rows)
    no_exception(at.selectbox(key="every_en").set_value("quarter").run())
    rows = cli_kpis(tmp_path, "--from", "2025-01-01", "--to", "2025-06-30", "--every", "quarter")
    assert [r["period"] for r in rows] == ["2025-Q1", "2025-Q2"]
    assert_tiles(at, rows)
    # the choice stays when the language changes
    no_exception(at.radio(key="lang").set_value("zh").run())
    assert at.selectbox(key="every_zh").value == "quarter"
    assert at.selectbox(key="every_zh").format_func("quarter") == "季度"


def test_chinese_labels_same_numbers(tmp_path):
    at = open_app(lang="zh")
    assert at.title[0].value == "总览"
    assert at.selectbox(key="every_zh").options == ["月", "季度", "年"]
    rows = cli_kpis(tmp_path, "--from", "2025-11-01", "--to", "2025-12-31", "--every", "month")
    assert_tiles(at, rows, lang="zh")
    at.switch_page("sections/aging.py").run()
    assert at.title[0].value == "账龄分析"


def test_aging_by_customer_equals_the_aging_command(sample):
    at = open_app("aging")
    expected = customer_aging(sample, as_of=AS_OF, credit=True).collect()
    shown = frame(at, 0)
    columns = [c for c in shown.columns if c not in ("segment", "owner")]
    assert_frame_equal(
        shown.select(columns).sort("customer_id"),
        expected.select(columns).sort("customer_id"),
        check_dtypes=False,
    )


def test_aging_groups_basis_buckets_and_drill_down(sample):
    at = open_app("aging")
    attributes = scope.customer_attributes(sample)
    for group in ("segment", "owner", "currency"):
        no_exception(at.selectbox(key="aging_by").set_value(group).run())
        customers = (
            customer_aging(sample, as_of=AS_OF, credit=True)
            .collect()
            .join(attributes.select("customer_id", group), on="customer_id")
        )
        expected = views.aging_by(customers, group, bucket_labels())
        assert_frame_equal(frame(at, 0), expected, check_dtypes=False)
        # the groups add up to the portfolio
        assert frame(at, 0)["open_amount"].sum() == customers["open_amount"].sum()
    at.selectbox(key="aging_by").set_value("customer").run()
    at.radio(key="aging_basis").set_value("invoice").run()
    no_exception(at.text_input(key="aging_buckets").set_value("30,90").run())
    expected = customer_aging(sample, as_of=AS_OF, basis="invoice", bounds=(30, 90)).collect()
    shown = frame(at, 0)
    assert [c for c in shown.columns if c in ("0-30", "31-90", "91+")] == ["0-30", "31-90", "91+"]
    assert_frame_equal(
        shown.select(expected.columns).sort("customer_id"),
        expected.sort("customer_id"),
        check_dtypes=False,
    )
    no_exception(at.selectbox(key="aging_drill").set_value("C0280").run())
    items = invoice_aging(sample, as_of=AS_OF, basis="invoice", bounds=(30, 90)).collect()
    mine = items.filter(pl.col("customer_id") == "C0280")
    shown = frame(at, 1)
    assert shown["invoice_id"].to_list() == mine["invoice_id"].to_list()
    assert shown["open_amount"].to_list() == mine["open_amount"].to_list()
    assert shown["bucket"].to_list() == mine["bucket"].cast(pl.String).to_list()


def test_bad_bucket_bounds_are_said_plainly():
    at = open_app("aging")
    no_exception(at.text_input(key="aging_buckets").set_value("90,30").run())
    assert "increasing" in at.error[0].value


def test_customer_search_in_chinese_and_credit_file(sample):
    at = open_app("customer")
    no_exception(at.text_input(key="customer_search").set_value("汇通").run())
    options = at.selectbox(key="customer_pick").options
    assert len(options) == 7 and all("汇通" in o for o in options)
    no_exception(at.selectbox(key="customer_pick").set_value("C0014").run())
    assert at.header[0].value == "东莞汇通贸易有限公司"
    row = (
        customer_aging(sample, as_of=AS_OF, credit=True)
        .collect()
        .filter(pl.col("customer_id") == "C0014")
        .row(0, named=True)
    )
    shown = {m.label: m.value for m in at.metric}
    assert shown["Exposure"] == f"{row['exposure']:,.2f}"
    assert shown["Credit limit"] == f"{row['credit_limit']:,.2f}"
    items = invoice_aging(sample, as_of=AS_OF).collect().filter(pl.col("customer_id") == "C0014")
    opened = frame(at, 1)
    assert opened["invoice_id"].to_list() == items["invoice_id"].to_list()
    assert opened["open_amount"].sum() == row["open_amount"]
    payments = sample.tables["payments"].filter(pl.col("customer_id").cast(pl.String) == "C0014")
    assert frame(at, 2).height == payments.height
    notes = sample.tables["credit_notes"].filter(pl.col("customer_id").cast(pl.String) == "C0014")
    assert frame(at, 3).height == notes.height


def test_customer_search_without_match():
    at = open_app("customer")
    no_exception(at.text_input(key="customer_search").set_value("no such company").run())
    assert at.warning


def test_credit_page_equals_the_core(sample):
    at = open_app("credit")
    customers = customer_aging(sample, as_of=AS_OF, credit=True).collect()
    bands = frame(at, 0)
    assert bands["customers"].sum() == customers.height
    over = frame(at, 1)["customer_id"].to_list()
    assert sorted(over) == sorted(customers.filter(pl.col("over_limit"))["customer_id"])
    holds = frame(at, 2)["customer_id"].to_list()
    assert sorted(holds) == sorted(customers.filter(pl.col("credit_hold"))["customer_id"])
    headroom = frame(at, 3)
    assert headroom["headroom"].to_list() == sorted(headroom["headroom"].to_list())


def test_reconciliation_equals_the_reconcile_command(sample):
    at = open_app("reconciliation")
    result = reconcile.for_output(reconcile.reconcile(sample, as_of=AS_OF), sample.digits)
    summary = frame(at, 0)
    expected = views.exception_summary(result["exceptions"])
    assert summary["count"].to_list() == expected["count"].to_list()
    assert summary["amount"].to_list() == expected["amount"].to_list()
    listed = frame(at, 1)
    assert listed["documents"].to_list() == result["exceptions"]["documents"].to_list()
    no_exception(at.multiselect(key="recon_categories").set_value(["short_payment"]).run())
    assert frame(at, 1).height == 4  # the four planted short payments
    rolled = frame(at, 2)
    total = result["rollforward"].filter(pl.col("customer_id").is_null())
    assert rolled["closing"].to_list() == total["closing"].to_list()


def test_owner_filter_restricts_every_page(sample):
    at = open_app()
    at.multiselect(key="filter_owner").set_value(["王丽"]).run()
    attributes = scope.customer_attributes(sample)
    mine = set(attributes.filter(pl.col("owner") == "王丽")["customer_id"])
    at.switch_page("sections/aging.py").run()
    assert set(frame(at, 0)["customer_id"]) <= mine
    at.switch_page("sections/credit.py").run()
    assert set(frame(at, 3)["customer_id"]) <= mine
    at.switch_page("sections/customer.py").run()
    assert {o.split(" · ")[0] for o in at.selectbox(key="customer_pick").options} == mine


def test_data_page_broken_upload_shows_the_error_not_a_traceback():
    at = open_app("sources")
    at.file_uploader(key="data_upload").set_value(
        (
            "invoices.csv",
            b"invoice_id,customer_id,invoice_date,amount\nI1,C1,not a date,abc\n",
            "text/csv",
        )
    )
    no_exception(at.button(key="check_upload").click().run())
    assert at.error or at.warning
    texts = " ".join(e.value for e in [*at.error, *at.warning])
    assert "invoices.csv" in texts or "reject" in texts.lower() or "date" in texts.lower()
    # figures did not change: the source is still the sample company
    assert at.session_state["rg_source"].path == str(SAMPLE)


def test_data_page_garbage_upload_is_an_error():
    at = open_app("sources")
    at.file_uploader(key="data_upload").set_value(("ledger.xlsx", b"\x00\x01not excel", "x"))
    no_exception(at.button(key="check_upload").click().run())
    assert at.warning  # n rows rejected …, and the problem listed with its file
    problems = problem_table(at)
    assert problems["file"].to_list() == ["ledger.xlsx"]
    assert problems["severity"].to_list() == ["error"]
    assert at.session_state["rg_source"].path == str(SAMPLE)


def test_data_page_shows_problems_before_using_the_data(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "invoices.csv").write_text(
        "invoice_id,customer_id,invoice_date,amount\nI1,C1,2025-01-05,100.00\nI2,C1,2025-01-06,-\n"
    )
    at = open_app("sources")
    at.text_input(key="data_folder").set_value(str(folder))
    no_exception(at.button(key="check_folder").click().run())
    problems = problem_table(at)
    assert problems.height >= 1 and "amount" in problems["column"].to_list()
    assert at.session_state["rg_source"].path == str(SAMPLE)  # not yet used
    no_exception(at.button(key="use_candidate").click().run())
    assert at.session_state["rg_source"].path == str(folder)
    at.switch_page("sections/aging.py").run()
    no_exception(at)
    shown = frame(at, 0)
    assert shown["customer_id"].to_list() == ["C1"]
    assert str(shown["open_amount"][0]) == "100.00"


def test_upload_size_limit(monkeypatch):
    monkeypatch.setenv("REPORTGEN_MAX_UPLOAD_MB", "1")
    at = open_app("sources")
    at.file_uploader(key="data_upload").set_value(
        ("invoices.csv", b"x" * (1024 * 1024 + 1), "text/csv")
    )
    no_exception(at.button(key="check_upload").click().run())
    assert "1 MB" in at.error[0].value
    assert "rg_candidate" not in at.session_state
