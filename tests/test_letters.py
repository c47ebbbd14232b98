"""Letters (issue 7): one per customer and rung, in the customer's language, with the items,
interest, fees, the payment requested and by when, what follows — and every value from the
data escaped in Markdown and HTML."""

from __future__ import annotations

import pytest
from conftest import D, write_data
from typer.testing import CliRunner

from reportgen.browser import chromium
from reportgen.cli import app
from reportgen.letters import letter_contexts, render_letter, safe_name, write_letters
from reportgen.load import load
from reportgen.policy import default_policy

AS_OF = D("2025-06-30")
CUSTOMERS = """
customer_id,name,owner,language,currency
C1,<script>alert(1)</script>,Wang Li,en,CNY
C2,[x](javascript:alert(1)),张伟,zh,CNY
C3,Plain & Simple | Co,Li Na,,CNY
"""
INVOICES = """
invoice_id,customer_id,invoice_date,due_date,amount
I1,C1,2025-05-01,2025-06-15,100.00
I2,C2,2025-04-01,2025-05-01,250.00
I3,C3,2025-06-01,2025-07-03,80.00
"""


@pytest.fixture
def folder(tmp_path):
    return write_data(tmp_path / "data", customers=CUSTOMERS, invoices=INVOICES)


def drafted(folder, **kw):
    ds = load(folder)
    return {(x.customer_id, x.rung): x for x in letter_contexts(
        ds, as_of=AS_OF, policy=default_policy(), **kw)}  # fmt: skip


def test_one_letter_per_customer_and_rung_in_the_customers_language(folder):
    letters = drafted(folder, lang="zh")
    assert {k: v.lang for k, v in letters.items()} == {
        ("C1", "level_3"): "en",
        ("C2", "demand"): "zh",
        ("C3", "pre_due"): "zh",  # no language given: --lang
    }
    assert drafted(folder)[("C3", "pre_due")].lang == "en"


def test_english_letter_states_items_interest_fee_and_deadline(folder):
    letter = drafted(folder)[("C1", "level_3")]
    text = render_letter(letter, "md")
    assert "# Final reminder letter" in text
    # 100.00 overdue 15 days at 10 %: 0.41; the level-3 fee 50.00
    assert "| I1 | 1 | 2025-05-01 | 2025-06-15 | 15 | CNY 100.00 | CNY 0.41 |" in text
    assert "**Payment requested: CNY 150.41**" in text
    assert "Fee: CNY 50.00" in text
    assert "**Please pay by: 2025-07-07**" in text  # the level-3 rung's 7 days after D
    assert "we will send a formal letter of demand." in text
    assert "10 % a year" in text
    assert "Wang Li" in text


def test_chinese_letter(folder):
    letter = drafted(folder)[("C2", "demand")]
    text = render_letter(letter, "md")
    assert text.startswith("# 正式催款函")
    assert "**致：**" in text
    # 250.00 × 10 % × 60 / 365 = 4.109… -> 4.11; the demand fee 100.00
    assert "CNY 4.11" in text and "请支付金额： CNY 354.11" in text
    assert "我方将委托律师处理" in text
    html = render_letter(letter, "html")
    assert '<html lang="zh">' in html and "正式催款函" in html


def test_letters_are_signed_by_the_rung_owner_in_the_letters_language(tmp_path):
    folder = write_data(
        tmp_path / "data",
        customers="""
        customer_id,name,owner,language,currency
        Z1,甲公司,王丽,zh,CNY
        Z2,乙公司,,zh,CNY
        Z3,丙公司,王丽,zh,CNY
        Z4,丁公司,王丽,zh,CNY
        E3,Echo Ltd,Wang Li,en,CNY
        E4,Fox Ltd,,en,CNY
        """,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,Z1,2025-05-01,2025-06-20,100.00
        I2,Z2,2025-05-01,2025-06-25,100.00
        I3,Z3,2025-04-01,2025-05-01,100.00
        I4,Z4,2025-02-01,2025-03-15,100.00
        I5,E3,2025-04-01,2025-05-01,100.00
        I6,E4,2025-05-01,2025-06-25,100.00
        """,
    )
    letters = drafted(folder)
    signed = {k: v.context["signed"] for k, v in letters.items()}
    assert signed == {
        ("Z1", "level_3"): "王丽",  # the collector's rung: their name
        ("Z2", "level_2"): "应收账款部",  # no collector named
        ("Z3", "demand"): "信用经理",
        ("Z4", "lawyer_letter"): "法务部",
        ("E3", "demand"): "Credit manager",
        ("E4", "level_2"): "Accounts receivable",
    }
    md = render_letter(letters[("Z3", "demand")], "md")
    assert md.endswith("此致  \n敬礼！  \n信用经理\n") and "Credit manager" not in md
    html = render_letter(letters[("Z4", "lawyer_letter")], "html")
    assert "<p>此致<br>敬礼！<br>法务部</p>" in html and "Legal" not in html


def test_letters_sign_with_the_policys_own_chinese_words(folder, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(
        """
        [[ladder]]
        key = "level_3"
        from_days = 1
        to_days = 30
        within_business_days = 1
        channel = "letter"
        owner = "Receivables <team>"
        fee = "0.00"

        [[ladder]]
        key = "demand"
        from_days = 31
        within_business_days = 1
        channel = "letter"
        owner = "Finance director"
        owner_zh = "财务总监"
        fee = "0.00"
        """.replace("\n        ", "\n"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["letters", str(folder), "--as-of", "2025-06-30", "--out", str(out), "--lang", "zh"]
    result = CliRunner().invoke(app, [*args, "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    zh = (out / "C2_demand.md").read_text(encoding="utf-8")  # C2 writes in Chinese
    assert zh.endswith("\n财务总监\n") and "Finance director" not in zh
    en = (out / "C1_level_3.html").read_text(encoding="utf-8")  # a name the policy gives
    assert "<br>Receivables &lt;team&gt;</p>" in en


def test_letters_speak_to_the_customer_not_to_the_collector(tmp_path):
    """The worklist tells the collector what to do ("call the customer"); the letter of that
    rung is a second reminder. Litigation is announced, not named like a task. A Chinese
    letter closes 此致 / 敬礼！ on two lines and sets its figures apart with full-width marks."""
    folder = write_data(
        tmp_path / "data",
        customers="""
        customer_id,name,owner,language,currency
        E2,Echo Ltd,Wang Li,en,CNY
        E9,Fox Ltd,Wang Li,en,CNY
        Z2,甲公司,王丽,zh,CNY
        Z9,乙公司,王丽,zh,CNY
        """,
        invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,E2,2025-05-01,2025-06-25,100.00
        I2,E9,2024-12-01,2025-01-01,100.00
        I3,Z2,2025-05-01,2025-06-25,100.00
        I4,Z9,2024-12-01,2025-01-01,100.00
        """,
    )
    letters = drafted(folder)
    assert {k: v.context["title"] for k, v in letters.items()} == {
        ("E2", "level_2"): "Second reminder",
        ("E9", "litigation"): "Notice of legal proceedings",
        ("Z2", "level_2"): "第二次催款提醒",
        ("Z9", "litigation"): "诉讼通知",
    }
    for letter in letters.values():
        for fmt in ("md", "html"):
            text = render_letter(letter, fmt)
            assert "call the customer" not in text and "电话联系客户" not in text
            assert "提起诉讼</h1>" not in text and "# Litigation" not in text
    zh = render_letter(letters[("Z2", "level_2")], "md")
    assert zh.endswith("此致  \n敬礼！  \n王丽\n")
    assert "CNY 100.00；逾期利息： CNY 0.14；催收费用： CNY 0.00" in zh
    assert ";" not in zh.split("款项合计")[1]  # no half-width semicolon in the Chinese total
    en = render_letter(letters[("E2", "level_2")], "md")
    assert en.endswith("Yours faithfully,  \nWang Li\n")  # one closing line in English
    assert "CNY 100.00; Late interest: CNY 0.14; Fee: CNY 0.00" in en
    html = render_letter(letters[("Z9", "litigation")], "html")
    assert "<h1>诉讼通知</h1>" in html and "<p>此致<br>敬礼！<br>法务部</p>" in html
    english = render_letter(letters[("E9", "litigation")], "html")
    assert "<p>Yours faithfully,<br>Legal</p>" in english


def test_demand_letter_asks_for_payment_within_10_days_in_both_languages(tmp_path):
    """A demand letter gives 10 days from its date (D), whether the item is 31 days overdue or
    90: not until the item's 90th day (2025-08-29 for E1, D itself for Z1)."""
    folder = write_data(
        tmp_path / "demand",
        customers="customer_id,name,owner,language,currency\nE1,Acme,Wang Li,en,CNY\n"
        "Z1,甲公司,张伟,zh,CNY\n",
        invoices="invoice_id,customer_id,invoice_date,due_date,amount\n"
        "D31,E1,2025-04-30,2025-05-30,100.00\nD90,Z1,2025-03-01,2025-04-01,100.00\n",
    )
    letters = drafted(folder)
    assert set(letters) == {("E1", "demand"), ("Z1", "demand")}
    english = letters[("E1", "demand")]
    assert english.context["pay_by"] == "2025-07-10"
    assert "**Please pay by: 2025-07-10**" in render_letter(english, "md")
    assert "<p><strong>Please pay by: 2025-07-10</strong></p>" in render_letter(english, "html")
    chinese = letters[("Z1", "demand")]
    assert "**请于以下日期前付款： 2025-07-10**" in render_letter(chinese, "md")
    assert "<p><strong>请于以下日期前付款： 2025-07-10</strong></p>" in render_letter(
        chinese, "html"
    )


def test_pre_due_reminder_has_no_interest_or_fee(folder):
    text = render_letter(drafted(folder)[("C3", "pre_due")], "md")
    assert "Fee: CNY 0.00" in text and "Late interest: CNY 0.00" in text
    assert "**Please pay by: 2025-07-03**" in text  # its due date
    assert "a year, simple daily interest" not in text


PRE_DUE_CUSTOMERS = """
customer_id,name,owner,language,currency
E1,Echo Ltd,Wang Li,en,CNY
Z1,甲公司,王丽,zh,CNY
"""
PRE_DUE_INVOICES = """
invoice_id,customer_id,invoice_date,due_date,amount
I1,E1,2025-05-31,2025-06-30,10.00
I2,E1,2025-06-01,2025-07-01,20.00
I3,E1,2025-06-05,2025-07-05,30.00
I4,Z1,2025-05-31,2025-06-30,10.00
I5,Z1,2025-06-01,2025-07-01,20.00
I6,Z1,2025-06-05,2025-07-05,30.00
"""


def test_pre_due_reminder_says_when_each_item_falls_due(tmp_path):
    """Items not yet overdue show when they fall due (due on D: today), not "Days overdue 0"."""
    folder = write_data(tmp_path / "data", customers=PRE_DUE_CUSTOMERS, invoices=PRE_DUE_INVOICES)
    letters = drafted(folder)
    assert set(letters) == {("E1", "pre_due"), ("Z1", "pre_due")}
    en = render_letter(letters[("E1", "pre_due")], "md")
    assert "| Due date | Falls due | Amount open |" in en
    assert "| I1 | 1 | 2025-05-31 | 2025-06-30 | today | CNY 10.00 |" in en
    assert "| I2 | 1 | 2025-06-01 | 2025-07-01 | in 1 day | CNY 20.00 |" in en
    assert "| I3 | 1 | 2025-06-05 | 2025-07-05 | in 5 days | CNY 30.00 |" in en
    zh = render_letter(letters[("Z1", "pre_due")], "md")
    assert "| 到期日 | 到期情况 | 未付金额 |" in zh
    assert "| I4 | 1 | 2025-05-31 | 2025-06-30 | 今天到期 | CNY 10.00 |" in zh
    assert "| I5 | 1 | 2025-06-01 | 2025-07-01 | 1 天后到期 | CNY 20.00 |" in zh
    assert "| I6 | 1 | 2025-06-05 | 2025-07-05 | 5 天后到期 | CNY 30.00 |" in zh
    en_html = render_letter(letters[("E1", "pre_due")], "html")
    assert '<th class="num">Falls due</th>' in en_html
    assert '<td>2025-07-05</td><td class="num">in 5 days</td>' in en_html
    zh_html = render_letter(letters[("Z1", "pre_due")], "html")
    assert '<th class="num">到期情况</th>' in zh_html
    assert '<td>2025-07-05</td><td class="num">5 天后到期</td>' in zh_html
    for text in (en, en_html):
        assert "Days overdue" not in text and "| 0 |" not in text and ">0</td>" not in text
    for text in (zh, zh_html):
        assert "逾期天数" not in text and "| 0 |" not in text and ">0</td>" not in text


def test_an_item_not_yet_due_in_an_overdue_letter_is_said_to_be_not_yet_due(tmp_path):
    """A policy's rung may span the due date: its letter keeps the days-overdue column and
    says "not yet due" of an item not overdue, rather than 0 or a negative number."""
    folder = write_data(tmp_path / "data", customers=PRE_DUE_CUSTOMERS, invoices="""
        invoice_id,customer_id,invoice_date,due_date,amount
        I1,E1,2025-05-20,2025-06-20,10.00
        I2,E1,2025-06-01,2025-07-01,20.00
        I4,Z1,2025-05-20,2025-06-20,10.00
        I5,Z1,2025-06-01,2025-07-01,20.00
        """)  # fmt: skip
    policy = tmp_path / "policy.toml"
    policy.write_text(
        """
        [[ladder]]
        key = "level_1"
        from_days = -7
        within_business_days = 1
        channel = "letter"
        owner = "collector"
        fee = "0.00"
        """.replace("\n        ", "\n"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["letters", str(folder), "--as-of", "2025-06-30", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    en = (out / "E1_level_1.md").read_text(encoding="utf-8")
    assert "| Due date | Days overdue |" in en
    assert "| 2025-06-20 | 10 |" in en and "| 2025-07-01 | not yet due |" in en
    zh = (out / "Z1_level_1.html").read_text(encoding="utf-8")
    assert '<th class="num">逾期天数</th>' in zh
    assert '<td>2025-06-20</td><td class="num">10</td>' in zh
    assert '<td>2025-07-01</td><td class="num">未到期</td>' in zh


def test_pre_due_reminder_says_interest_runs_from_the_day_after_the_due_date(folder):
    """Simple daily interest is charged from the day after the due date (an item due on D
    is not overdue on D): the courtesy reminder says so, not "from the due date"."""
    en = drafted(folder)[("C3", "pre_due")]
    zh = drafted(folder, lang="zh")[("C3", "pre_due")]
    for fmt in ("md", "html"):
        text = render_letter(en, fmt)
        assert (
            "If we do not receive payment: late interest will accrue on each item from the "
            "day after its due date." in text
        )
        assert "from the due date" not in text
        text = render_letter(zh, fmt)
        assert "如未能按时付款： 各款项自到期日次日起将计收逾期利息。" in text
        assert "自到期日起" not in text


def test_hostile_names_stay_text(folder):
    letters = drafted(folder)
    for key in [("C1", "level_3"), ("C2", "demand"), ("C3", "pre_due")]:
        md = render_letter(letters[key], "md")
        html = render_letter(letters[key], "html")
        for text in (md, html):
            assert "<script>" not in text
        assert "| Co" not in md  # a pipe would split a Markdown table cell
        assert "](javascript:" not in md  # no Markdown link
        assert 'href="javascript' not in html
    md = render_letter(letters[("C1", "level_3")], "md")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    html = render_letter(letters[("C1", "level_3")], "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#91;x&#93;(javascript:alert(1))" in render_letter(letters[("C2", "demand")], "md")
    assert "Plain &amp; Simple" in render_letter(letters[("C3", "pre_due")], "html")


def test_actions_already_done_get_no_letter_unless_asked(tmp_path):
    folder = write_data(
        tmp_path / "data",
        customers=CUSTOMERS,
        invoices=INVOICES,
        activities="""
        customer_id,date,type
        C1,2025-06-25,letter
        """,
    )
    assert ("C1", "level_3") not in drafted(folder)
    assert ("C1", "level_3") in drafted(folder, include_done=True)


def test_write_letters_and_index(folder, tmp_path):
    out = tmp_path / "letters"
    index = write_letters(list(drafted(folder).values()), out)
    assert sorted(p.name for p in out.iterdir()) == [
        "C1_level_3.html", "C1_level_3.md", "C2_demand.html", "C2_demand.md",
        "C3_pre_due.html", "C3_pre_due.md", "letters.csv"]  # fmt: skip
    assert sorted(index["file"].to_list()) == ["C1_level_3.md", "C2_demand.md", "C3_pre_due.md"]
    assert not list(out.glob("*.partial"))


@pytest.mark.parametrize(
    ("text", "name"), [("C1", "C1"), ("../etc/x", "_etc_x"), ("a b/c", "a_b_c"), ("", "_")]
)
def test_safe_file_names(text, name):
    assert safe_name(text) == name


def test_letters_command(folder, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["letters", str(folder), "--as-of", "2025-06-30",
                                 "--out", str(out), "--lang", "zh"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "C3_pre_due.md").read_text(encoding="utf-8").startswith("# 到期前提醒")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    bad = runner.invoke(app, ["letters", str(folder), "--as-of", "2025-06-30",
                              "--out", str(a_file)])  # fmt: skip
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["letters", str(folder), "--as-of", "2025-06-30"])
    assert missing.exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    unusable = runner.invoke(app, ["letters", str(empty), "--as-of", "2025-06-30",
                                   "--out", str(out)])  # fmt: skip
    assert unusable.exit_code == 1


def test_the_collections_core_imports_no_jinja():
    """Jinja is loaded when a letter is rendered, not when the core is imported."""
    import subprocess
    import sys

    code = (
        "import sys, reportgen.letters, reportgen.collections, reportgen.promises, "
        "reportgen.reasons, reportgen.ratings, reportgen.policy\n"
        "loaded = [m for m in ('jinja2', 'mkdocs', 'plotly', 'streamlit') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


needs_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="chromium is not installed (`.ci/run` installs Debian's chromium package)",
)


def pdf_text(path) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())  # the lines as printed: wrapped where the page ended them


@needs_chromium
def test_pdf_letters_print_the_html_in_both_languages(folder, tmp_path):
    out = tmp_path / "letters"
    seen = []
    write_letters(list(drafted(folder).values()), out, pdf=True, progress=seen.append)
    assert seen == [1, 2, 3]
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "C1_level_3.pdf", "C2_demand.pdf", "C3_pre_due.pdf"]  # fmt: skip
    assert not list(out.glob("*.partial"))
    english = pdf_text(out / "C1_level_3.pdf")
    assert "Final reminder letter" in english
    assert "<script>alert(1)</script>" in english  # the name printed as text, not run
    assert "Payment requested: CNY 150.41" in english
    assert "Please pay by: 2025-07-07" in english
    chinese = pdf_text(out / "C2_demand.pdf")
    assert "正式催款函" in chinese  # CJK glyphs embedded, not boxes: the text reads back
    assert "[x](javascript:alert(1))" in chinese
    assert "CNY 354.11" in chinese


@needs_chromium
def test_letters_command_with_pdf(folder, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["letters", str(folder), "--as-of", "2025-06-30",
                                      "--out", str(out), "--pdf"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 letters written" in result.output and "PDF" in result.output
    assert (out / "C3_pre_due.pdf").read_bytes().startswith(b"%PDF-")


def test_pdf_without_chromium_fails_before_writing(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTGEN_CHROMIUM", str(tmp_path / "no-such-chromium"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["letters", str(folder), "--as-of", "2025-06-30",
                                      "--out", str(out), "--pdf"])  # fmt: skip
    assert result.exit_code == 1
    assert "--pdf needs Chromium" in result.output and "REPORTGEN_CHROMIUM" in result.output
    assert not out.exists()
