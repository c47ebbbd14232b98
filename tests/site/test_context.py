"""Page contexts without Jinja: plain records whose values equal the core's own answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from site_helpers import SAMPLE, sample_data, sample_dataset, write_tables

from reportgen import metrics
from reportgen.load import load
from reportgen.outputs import customer_aging, invoice_aging
from reportgen.periods import parse_period, series
from reportgen.report import context as ctx
from reportgen.report import data as figures
from reportgen.report.lang import Lang
from reportgen.report.render import md_text

EN = Lang("en", "CNY", 2)
ZH = Lang("zh", "CNY", 2)


def kpis_alone(label: str) -> dict:
    """The KPIs of one period computed on their own, as `reportgen kpis --period` does."""
    ds = sample_dataset()
    facts = metrics.kpi_facts(ds, [parse_period(label)])
    return metrics.kpis(facts, digits=ds.digits).row(0, named=True)


# --- the KPI table ---------------------------------------------------------------------------


def test_kpi_row_equals_the_period_computed_alone():
    data = sample_data()
    table = ctx.kpi_table(data, parse_period("2025-12"))
    alone, before, year_ago = kpis_alone("2025-12"), kpis_alone("2025-11"), kpis_alone("2024-12")
    assert [r["key"] for r in table] == [m.key for m in metrics.METRICS]
    for row in table:
        key = row["key"]
        assert row["value"] == alone[key], key
        assert row["previous"] == before[key], key
        assert row["year_ago"] == year_ago[key], key
        if alone[key] is not None and before[key] is not None:
            assert row["change_previous"] == pytest.approx(alone[key] - before[key]), key


def test_changes_are_judged_by_the_metric_s_good_direction():
    data = sample_data()
    table = {r["key"]: r for r in ctx.kpi_table(data, parse_period("2025-12"))}
    dso = table["dso"]
    assert dso["verdict_previous"] == ("better" if dso["change_previous"] < 0 else "worse")
    cei = table["cei"]
    assert cei["verdict_previous"] == ("better" if cei["change_previous"] > 0 else "worse")
    assert table["ar_begin"]["verdict_previous"] is None  # no good direction


def test_money_changes_are_exact_decimals():
    table = {r["key"]: r for r in ctx.kpi_table(sample_data(), parse_period("2025-12"))}
    row = table["ar_end"]
    assert isinstance(row["change_previous"], Decimal)
    assert row["change_previous"] == row["value"] - row["previous"]


# --- aging, customers, holds -----------------------------------------------------------------


def test_aging_table_is_the_snapshot_and_adds_up():
    data = sample_data()
    period = parse_period("2025-12")
    rows = {r["bucket"]: r for r in ctx.aging_table(data, period)}
    snap = metrics.snapshots(sample_dataset(), [period.start, period.end])
    for day, side in ((period.start, "start"), (period.end, "end")):
        at = snap.filter(pl.col("date") == day).row(0, named=True)
        for bucket in (*figures.BUCKETS, "ar"):
            assert rows[bucket][side] == Decimal(at[bucket]).scaleb(-2)
        parts = sum(rows[b][side] for b in figures.BUCKETS)
        assert parts == rows["ar"][side]
    assert rows["ar"]["end_share"] == pytest.approx(100.0)


def test_top_overdue_are_the_largest_overdue_amounts_at_the_end():
    data = sample_data()
    end = parse_period("2025-12").end
    aged = customer_aging(sample_dataset(), as_of=end).collect()
    overdue = aged.select("customer_id", overdue=pl.col("open_amount") - pl.col("not_due")).sort(
        ["overdue", "customer_id"], descending=[True, False]
    )
    top = ctx.top_overdue(data, end)
    assert [r["customer"]["id"] for r in top] == overdue["customer_id"].head(10).to_list()
    assert [r["overdue"] for r in top] == overdue["overdue"].head(10).to_list()


def test_credit_holds_are_the_core_s_holds():
    data = sample_data()
    end = parse_period("2025-12").end
    aged = customer_aging(sample_dataset(), as_of=end, credit=True).collect()
    expected = set(aged.filter(pl.col("credit_hold"))["customer_id"])
    holds = ctx.credit_holds(data, end)
    assert {r["customer"]["id"] for r in holds} == expected
    amounts = [r["over_limit_amount"] for r in holds]
    assert amounts == sorted(amounts, reverse=True)
    for r in holds:
        assert r["over_limit"] or r["overdue_too_long"]


def test_home_headline_is_the_latest_review():
    data = sample_data()
    home = ctx.home_context(data, EN)
    alone = kpis_alone("2025-12")
    assert {h["key"]: h["value"] for h in home["headline"]} == {k: alone[k] for k in ctx.HEADLINE}
    assert home["overdue_share"] == pytest.approx(100 - alone["pct_current"])
    assert [r["label"] for r in home["reviews"]] == ["2025-12", "2025-11"]
    assert len(home["charts"]) == 5


def test_customer_file_matches_the_customer_aging():
    data = sample_data()
    key = data.key_accounts.row(0, named=True)
    file = ctx.customer_context(data, key["customer_id"], EN)
    aged = customer_aging(sample_dataset(), as_of=data.as_of, credit=True).collect()
    row = aged.filter(pl.col("customer_id") == key["customer_id"]).row(0, named=True)
    for field, value in file["credit"].items():
        assert value == row[field], field
    items = invoice_aging(sample_dataset(), as_of=data.as_of).collect()
    mine = items.filter(pl.col("customer_id") == key["customer_id"])
    assert file["open_items_total"] == mine.height
    assert sum(mine["open_amount"]) == row["open_amount"]
    assert [r["label"] for r in file["aging"]] == ["2025-11", "2025-12"]


def test_key_accounts_are_largest_over_limit_or_long_overdue():
    frame = pl.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "name": ["a", "b", "c", "d", None],
            "exposure": [Decimal(v) for v in ("900", "800", "10", "5", "0")],
            "over_limit": [False, False, True, False, False],
            "max_days_overdue": [None, 30, None, 91, 90],
        }
    )
    keys = figures.key_accounts(frame, top=2)
    assert keys["customer_id"].to_list() == ["A", "B", "C", "D"]
    assert keys.filter(pl.col("customer_id") == "D")["over_90"].item()
    assert not keys.filter(pl.col("customer_id") == "A")["over_90"].item()


def test_reconciliation_summary_counts_the_exceptions():
    from reportgen.reconcile import reconcile

    data = sample_data()
    period = parse_period("2025-12")
    recon = ctx.reconciliation_context(data, period, EN)
    found = reconcile(sample_dataset(), as_of=period.end).exceptions
    assert sum(r["count"] for r in recon["summary"]) == found.height
    assert [r["line"] for r in recon["rollforward"]] == list(ctx.ROLLFORWARD_LINES)
    lines = {r["line"]: r["amount"] for r in recon["rollforward"]}
    assert lines["closing"] == (
        lines["opening"] + lines["invoiced"] - lines["collected"] - lines["credited"]
        - lines["written_off"] + lines["refunds"] + lines["fx_revaluation"]
        + lines["difference"]
    )  # fmt: skip


def test_quality_lists_every_file_with_its_checksum():
    import hashlib

    quality = ctx.quality_context(sample_data())
    names = sorted(p.name for p in SAMPLE.glob("*.csv"))
    assert [f["name"] for f in quality["inputs"]] == names
    for f in quality["inputs"]:
        assert f["sha256"] == hashlib.sha256((SAMPLE / f["name"]).read_bytes()).hexdigest()


# --- new and worsened overdue accounts, on a tiny company --------------------------------------


def test_new_and_worsened_overdue_accounts(tmp_path):
    folder = write_tables(
        tmp_path / "data",
        invoices="""
            invoice_id,customer_id,invoice_date,due_date,amount
            N1,NEW,2025-01-20,2025-02-10,100.00
            W1,OLDER,2024-12-01,2025-01-20,100.00
            G1,GREW,2025-01-01,2025-01-20,100.00
            G2,GREW,2025-02-01,2025-02-10,50.00
            B1,BETTER,2024-12-20,2025-01-05,200.00
            B2,BETTER,2025-01-25,2025-02-10,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,BETTER,2025-02-05,200.00,B1
        """,
    )
    ds = load(folder)
    reviews = series(date(2025, 1, 1), date(2025, 2, 28), "month")
    data = figures.gather(ds, reviews, every="month", reconcile="none")
    changes = {c["customer"]["id"]: c for c in ctx.overdue_changes(data, reviews[1])}
    # BETTER: 200 overdue 1-30 days then, 100 overdue 1-30 days now
    assert set(changes) == {"NEW", "OLDER", "GREW"}
    assert changes["NEW"]["status"] == "new"
    assert changes["NEW"]["overdue_then"] == 0
    assert changes["OLDER"]["status"] == "worsened"
    assert (changes["OLDER"]["oldest_then"], changes["OLDER"]["oldest_now"]) == ("1-30", "31-60")
    assert changes["GREW"]["status"] == "worsened"
    assert changes["GREW"]["overdue_now"] == Decimal("150.00")


# --- periods, comparisons, slugs ---------------------------------------------------------------


def test_comparisons_follow_the_calendar():
    months = series(date(2025, 1, 1), date(2025, 2, 28), "month")
    previous, year_ago = figures.comparison_labels(months)
    assert previous == {"2025-01": "2024-12", "2025-02": "2025-01"}
    assert year_ago == {"2025-01": "2024-01", "2025-02": "2024-02"}
    quarters = series(date(2025, 1, 1), date(2025, 6, 30), "quarter")
    previous, year_ago = figures.comparison_labels(quarters)
    assert previous == {"2025-Q1": "2024-Q4", "2025-Q2": "2025-Q1"}
    assert year_ago["2025-Q2"] == "2024-Q2"
    cut = series(date(2025, 1, 15), date(2025, 2, 28), "month")
    previous, year_ago = figures.comparison_labels(cut)
    # a whole month after a cut one is compared with the whole calendar month before it
    assert previous == {"2025-01-15..2025-01-31": None, "2025-02": "2025-01"}
    assert year_ago["2025-01-15..2025-01-31"] is None


def test_comparison_before_the_first_document_is_blank():
    data = sample_data()
    assert data.first_document == date(2024, 1, 1)
    assert data.year_ago["2025-12"] == "2024-12"
    table = {r["key"]: r for r in ctx.kpi_table(data, parse_period("2025-12"))}
    assert table["dso"]["year_ago"] is not None


def test_default_reviews_run_from_the_first_document_to_the_last():
    ds = sample_dataset()
    months = figures.review_periods(ds, "month")
    assert (months[0].label, months[-1].label, len(months)) == ("2024-01", "2025-12", 24)
    quarters = figures.review_periods(ds, "quarter", first=date(2025, 1, 1))
    assert [q.label for q in quarters] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    with pytest.raises(ValueError, match="before they start"):
        figures.review_periods(ds, "month", first=date(2026, 1, 1))


def test_slugs_are_safe_file_names_and_distinct():
    assert figures.slug("C0001") == "C0001"
    names = {figures.slug(x) for x in ("C/../6", "C_.._6", "<i>", "客户", "a b")}
    assert len(names) == 5
    for name in names:
        assert all(c.isascii() and (c.isalnum() or c in "-_") for c in name)


# --- languages and escaping --------------------------------------------------------------------


def test_numbers_dates_and_periods_per_language():
    assert EN.money(Decimal("1234567.8")) == "1,234,567.80"
    assert (EN.amount(Decimal(5)), ZH.amount(Decimal(5))) == ("CNY 5.00", "5.00 元")
    assert (EN.date(date(2025, 12, 31)), ZH.date(date(2025, 12, 31))) == (
        "31 Dec 2025",
        "2025年12月31日",
    )
    assert (EN.period("2025-12"), ZH.period("2025-12")) == ("December 2025", "2025年12月")
    assert (EN.period("2025-Q4"), ZH.period("2025-Q4")) == ("Q4 2025", "2025年第四季度")
    assert ZH.period("2025-01-15..2025-01-31") == "2025年1月15日至2025年1月31日"
    assert EN.change("dso", -3.25) == "-3.2 days"  # Python rounds half to even
    assert ZH.change("cei", 4.5) == "+4.5 个百分点"
    assert EN.change("portfolio_utilization", 0.039) == "+3.9 pp"
    assert EN.change("ar_end", Decimal("-12.5")) == "-12.50"
    assert EN.metric("dso", None) == "—"
    assert ZH.metric("dso", 61.7) == "61.7 天"
    assert ZH.bucket("not_due") == "未到期"


def test_text_from_the_data_is_inert_in_markdown_and_html():
    assert md_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md_text("[x](javascript:alert(1))") == "&#91;x&#93;(javascript:alert(1))"
    assert md_text('{: onclick="x"}') == "&#123;: onclick=&quot;x&quot;&#125;"
    assert md_text("a | b\nc") == "a &#124; b c"
    assert md_text("- item") == "&#45; item"
    assert md_text("1. item") == "&#49;. item"
    assert md_text("Apex (Suzhou) Co., Ltd.") == "Apex (Suzhou) Co., Ltd."
    assert md_text(None) == ""
    # one pass: the `#` of an HTML reference is not escaped again for Markdown
    assert md_text("O'Brien & Sons #1") == "O&#x27;Brien &amp; Sons &#35;1"


def test_exceptions_at_the_last_review_only(tmp_path):
    folder = write_tables(
        tmp_path / "data",
        invoices="""
            invoice_id,customer_id,invoice_date,due_date,amount
            I1,A,2025-01-10,2025-02-10,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,A,2025-02-05,40.00,NOPE
        """,
    )
    reviews = series(date(2025, 1, 1), date(2025, 2, 28), "month")
    data = figures.gather(load(folder), reviews, every="month", reconcile="last")
    first, last = (ctx.reconciliation_context(data, p, EN) for p in reviews)
    assert not first["listed"] and first["exceptions"] == []
    assert first["rollforward"] is not None  # every review keeps its roll-forward
    assert last["listed"]
    assert "unknown_invoice" in {r["category"] for r in last["summary"]}


def test_credit_files_are_capped_at_the_largest_exposures(tmp_path):
    ids = [f"K{k:03d}" for k in range(figures.KEY_ACCOUNTS_MAX + 20)]
    folder = write_tables(
        tmp_path / "data",
        customers="customer_id,credit_limit\n" + "\n".join(f"{i},0.00" for i in ids),
        invoices="invoice_id,customer_id,invoice_date,due_date,amount\n"
        + "\n".join(f"I{i},{i},2025-01-10,2025-02-10,{k + 1}.00" for k, i in enumerate(ids)),
    )
    reviews = series(date(2025, 1, 1), date(2025, 1, 31), "month")
    data = figures.gather(load(folder), reviews, every="month", reconcile="none")
    assert data.key_accounts_qualifying == len(ids)  # all over a limit of 0
    assert data.key_accounts.height == figures.KEY_ACCOUNTS_MAX
    assert data.key_accounts["customer_id"][0] == ids[-1]  # the largest exposure first
    index = ctx.customers_index_context(data)
    assert (index["qualifying"], len(index["rows"])) == (len(ids), figures.KEY_ACCOUNTS_MAX)


def test_headings_of_data_without_a_currency_have_no_empty_brackets():
    for code in ("en", "zh"):
        lang = Lang(code, "", 2)
        assert lang.in_unit() == ""
        heading = lang.t("amount_unit", unit=lang.money_unit())
        assert heading in ("Amount", "金额"), heading
    assert Lang("zh", "CNY", 2).t("amount_unit", unit="元") == "金额（元）"
    assert EN.in_unit() == " (CNY)"
