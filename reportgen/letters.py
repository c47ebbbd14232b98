"""Reminder and demand letters (issue 7): one per customer and dunning rung reached at D, in
the customer's language, as Markdown and HTML from Jinja templates.

`letter_contexts` is pure (plain records from the worklist and the ladder's items, every
figure already formatted); `render_letter` lays one out. Every value that comes from the
data is escaped on its way into a letter — for Markdown the same way the review site does
(`report.render.md_text`), for HTML by Jinja's autoescape — so a customer named
`<script>alert(1)</script>` or `[x](javascript:alert(1))` reads as those characters. Jinja is
imported only when a letter is rendered: the core never needs it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from reportgen.collections import UNASSIGNED, action_words, ladder_items, worklist
from reportgen.load import Dataset
from reportgen.policy import COLLECTOR, Policy, Rung

LANGS = ("en", "zh")
FORMATS = ("md", "html")

# Our own words, per language. `{…}` fields are filled with escaped values.
WORDS: dict[str, tuple[str, str]] = {
    "colon": (":", "："),
    "to": ("To", "致"),
    "date": ("Date", "日期"),
    "customer_no": ("Customer number", "客户编号"),
    "subject": ("Subject", "事由"),
    "dear": ("Dear Sir or Madam,", "尊敬的客户："),
    "invoice": ("Invoice", "发票号"),
    "instalment": ("Instalment", "分期"),
    "invoice_date": ("Invoice date", "开票日期"),
    "due_date": ("Due date", "到期日"),
    "days_overdue": ("Days overdue", "逾期天数"),
    # the same column in a letter of items none of which is overdue yet (the courtesy
    # reminder before the due date): when each falls due, not a row of zeros
    "falls_due": ("Falls due", "到期情况"),
    "open_amount": ("Amount open", "未付金额"),
    "interest": ("Late interest", "逾期利息"),
    "overdue_total": ("Total of the items", "款项合计"),
    "fee": ("Fee", "催收费用"),
    "requested": ("Payment requested", "请支付金额"),
    "pay_by": ("Please pay by", "请于以下日期前付款"),
    "interest_note": (
        "Late interest is charged at {rate} % a year, simple daily interest on the overdue "
        "amount, 365-day year.",
        "逾期利息按年利率 {rate}% 计算，按逾期金额每日单利计息，一年按 365 天计。",
    ),
    "already_paid": (
        "If you have paid in the meantime, please disregard this letter and accept our thanks.",
        "如您已付款，请忽略本函，并谢谢您的配合。",
    ),
    # the closing: a Chinese letter ends 此致 / 敬礼！ on two lines, an English one on one
    "regards": ("Yours faithfully,", "此致"),
    "salute": ("", "敬礼！"),
    "sep": ("; ", "；"),  # between the figures of a total
    # signs a letter of the customer's collector when customers.csv names none
    "accounts_receivable": ("Accounts receivable", "应收账款部"),
    "consequence": ("If we do not receive payment", "如未能按时付款"),
}
INTRO: dict[str, tuple[str, str]] = {
    "pre_due": (
        "This is a friendly reminder that the following items fall due shortly.",
        "谨此友情提醒：以下款项即将到期。",
    ),
    "level_1": (
        "According to our records the following items are now overdue. Perhaps this has "
        "escaped your attention.",
        "根据我方记录，以下款项已逾期，或许贵方尚未留意。",
    ),
    "level_2": (
        "Despite our reminder, the following items remain unpaid.",
        "尽管我方已发出提醒，以下款项仍未支付。",
    ),
    "level_3": (
        "The following items are still unpaid. This is our final reminder.",
        "以下款项仍未支付，特此发出最后催款通知。",
    ),
    "demand": (
        "We hereby formally demand payment of the following overdue items.",
        "我方特此正式要求贵方支付以下逾期款项。",
    ),
    "lawyer_letter": (
        "Acting on our instructions, our lawyers demand payment of the following items.",
        "受我方委托，律师现要求贵方支付以下款项。",
    ),
    "litigation": (
        "As the following items remain unpaid, we are starting legal proceedings.",
        "鉴于以下款项仍未支付，我方将提起诉讼。",
    ),
}
# A letter's heading where the rung's action (the worklist's words, which tell *us* what to
# do) would not read right to the customer; other rungs are headed by their action.
LETTER_TITLE: dict[str, tuple[str, str]] = {
    "level_2": ("Second reminder", "第二次催款提醒"),  # the action: "call the customer"
    "litigation": ("Notice of legal proceedings", "诉讼通知"),
}
# what happens when this rung goes unanswered: the next rung's action
CONSEQUENCE: dict[str, tuple[str, str]] = {
    # interest runs from the day after the due date: an item due on D is not overdue on D
    "pre_due": (
        "late interest will accrue on each item from the day after its due date.",
        "各款项自到期日次日起将计收逾期利息。",
    ),
    "level_1": ("we will contact you again.", "我方将再次与您联系。"),
    "level_2": (
        "we will send a final reminder and charge a fee.",
        "我方将发出最后催款函并收取费用。",
    ),
    "level_3": ("we will send a formal letter of demand.", "我方将发出正式催款函。"),
    "demand": (
        "we will instruct our lawyers and stop further deliveries on credit.",
        "我方将委托律师处理，并停止赊销供货。",
    ),
    "lawyer_letter": ("we will start legal proceedings.", "我方将提起诉讼。"),
    "litigation": (
        "the court will be asked to order payment with interest and costs.",
        "我方将请求法院判令支付欠款、利息及相关费用。",
    ),
}


def words(lang: str) -> dict[str, str]:
    i = LANGS.index(lang)
    return {key: pair[i] for key, pair in WORDS.items()}


def amount_text(units: int, digits: int) -> str:
    """Minor units as `1,234.56` (exact)."""
    value = Decimal(units).scaleb(-digits)
    return f"{value:,.{digits}f}"


def days_text(days: int, lang: str, *, overdue_letter: bool) -> str:
    """An item's entry in a letter's days column, `days` being D − due date: the days overdue;
    for an item not yet overdue (due on D or later) when it falls due — or, in a letter of
    overdue items (a policy's rung may span the due date), that it is not yet due."""
    i = LANGS.index(lang)
    if days > 0:
        return str(days)
    if overdue_letter:
        return ("not yet due", "未到期")[i]
    if days == 0:
        return ("today", "今天到期")[i]
    return (f"in {-days} day{'' if days == -1 else 's'}", f"{-days} 天后到期")[i]


def signature(rung: Rung, owner: str, lang: str) -> str:
    """Who signs: the customer's collector (their name, from customers.csv) on the rungs
    the collector owns, else the rung's owner in the letter's language (the policy's
    `owner_zh` in Chinese, or the shipped role's words)."""
    if rung.owner != COLLECTOR:
        return rung.owner_words(lang)
    return words(lang)["accounts_receivable"] if owner == UNASSIGNED else owner


def letter_language(value: str | None, fallback: str) -> str:
    """The customer's language when we write it (en, zh; `zh-CN` counts as zh), else the
    fallback."""
    code = (value or "").strip().lower().split("-")[0].split("_")[0]
    return code if code in LANGS else fallback


def safe_name(text: str) -> str:
    """A file name from an id: letters, digits, `-`, `_` and `.` kept, the rest `_`."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", text).lstrip(".")
    return name or "_"


@dataclass(frozen=True)
class Letter:
    customer_id: str
    rung: str
    lang: str
    context: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{safe_name(self.customer_id)}_{safe_name(self.rung)}"


def letter_contexts(
    ds: Dataset,
    *,
    as_of: date,
    policy: Policy,
    lang: str = "en",
    grades: pl.LazyFrame | None = None,
    include_done: bool = False,
) -> list[Letter]:
    """One letter per customer and rung reached at D (not those already done, unless asked),
    in the customer's language, else `lang`. Amounts are in each item's own currency; the
    fee in the base currency."""
    actions = worklist(ds, as_of=as_of, policy=policy, grades=grades).collect()
    if not include_done:
        actions = actions.filter(pl.col("status") != "done")
    items = (
        ladder_items(ds, as_of=as_of, policy=policy)
        .filter(pl.col("rung").is_not_null())
        .collect()
        .with_columns(pl.col("customer_id").cast(pl.String), pl.col("rung").cast(pl.String))
        .sort("customer_id", "rung", "due_date", "item_id", "instalment")
    )
    by_key = {key: frame for key, frame in items.group_by(["customer_id", "rung"])}
    rate = f"{policy.annual_rate_percent.normalize():f}"
    letters = []
    for row in actions.with_columns(
        pl.col("customer_id").cast(pl.String), pl.col("rung").cast(pl.String)
    ).iter_rows(named=True):
        code = letter_language(row["language"], lang)
        i = LANGS.index(code)
        own = by_key[(row["customer_id"], row["rung"])]
        overdue_letter = bool((own["days_overdue"] > 0).any())
        lines = [
            {
                "invoice_id": r["item_id"],
                "instalment": r["instalment"],
                "invoice_date": r["invoice_date"].isoformat(),
                "due_date": r["due_date"].isoformat(),
                "days": days_text(r["days_overdue"], code, overdue_letter=overdue_letter),
                "currency": r["currency"] or ds.base_currency or "",
                "open_amount": amount_text(r["open_amount_ccy"], ds.digits),
                "interest": amount_text(r["interest_ccy"], ds.digits),
            }
            for r in own.iter_rows(named=True)
        ]
        totals = []
        fee = row["fee"]
        base = ds.base_currency or ""
        own = own.with_columns(pl.col("currency").fill_null(base))
        currencies = sorted(set(own["currency"].to_list()) | ({base} if fee else set()))
        for currency in currencies:
            mine = own.filter(pl.col("currency") == currency)
            overdue = int(mine["open_amount_ccy"].sum())
            charged = int(mine["interest_ccy"].sum())
            levied = fee if currency == base else 0
            totals.append(
                {
                    "currency": currency,
                    "overdue": amount_text(overdue, ds.digits),
                    "interest": amount_text(charged, ds.digits),
                    "fee": amount_text(levied, ds.digits),
                    "requested": amount_text(overdue + charged + levied, ds.digits),
                }
            )
        rung = row["rung"]
        title = LETTER_TITLE[rung][i] if rung in LETTER_TITLE else action_words(rung, code)
        context = {
            "lang": code,
            "date": as_of.isoformat(),
            "customer_id": row["customer_id"],
            "name": row["name"] or row["customer_id"],
            "title": title,
            "intro": INTRO.get(rung, INTRO["level_3"])[i],
            "days_heading": words(code)["days_overdue" if overdue_letter else "falls_due"],
            "lines": lines,
            "totals": totals,
            "pay_by": row["pay_by"].isoformat(),
            "consequence": CONSEQUENCE.get(rung, CONSEQUENCE["level_3"])[i],
            "interest_note": words(code)["interest_note"].format(rate=rate),
            "charges_interest": bool(row["interest"]),
            "signed": signature(policy.rung(rung), row["owner"], code),
        }
        letters.append(Letter(row["customer_id"], rung, code, context))
    return letters


# --- rendering (Jinja, imported here only) ----------------------------------------------


def _environments():
    import jinja2
    from markupsafe import Markup

    from reportgen.report.render import md_text

    loader = jinja2.PackageLoader("reportgen", "templates/letters")

    def markdown_value(value: Any) -> Any:
        return value if isinstance(value, Markup) else Markup(md_text(value))

    common = {
        "loader": loader,
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    markdown = jinja2.Environment(autoescape=False, finalize=markdown_value, **common)
    page = jinja2.Environment(autoescape=True, **common)
    return {"md": markdown, "html": page}, Markup


_ENVIRONMENTS: tuple | None = None
# our words, not the data's
OUR_TEXT = ("title", "intro", "days_heading", "consequence", "interest_note")


def render_letter(letter: Letter, fmt: str) -> str:
    """One letter as Markdown (`md`) or HTML (`html`)."""
    global _ENVIRONMENTS
    if fmt not in FORMATS:
        raise ValueError(f"a letter is written as md or html, not {fmt!r}")
    if _ENVIRONMENTS is None:
        _ENVIRONMENTS = _environments()
    environments, markup = _ENVIRONMENTS
    ours = {key: markup(text) for key, text in words(letter.lang).items()}
    context = {
        key: markup(value) if key in OUR_TEXT else value for key, value in letter.context.items()
    }
    template = environments[fmt].get_template(f"letter.{fmt}.j2")
    return template.render(w=ours, **context)


def _write(path: Path, content: str | bytes) -> None:
    """Whole or not at all: a letter half written is never left under its name."""
    partial = path.with_name(path.name + ".partial")
    if isinstance(content, bytes):
        partial.write_bytes(content)
    else:
        partial.write_text(content, encoding="utf-8")
    partial.replace(path)


def write_letters(
    letters: list[Letter],
    folder: Path,
    pdf: bool = False,
    progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Write every letter as `<customer>_<rung>.md` and `.html` into `folder` — and `.pdf`,
    printed from the HTML by headless Chromium, when `pdf` — with an index (`letters.csv`);
    returns the index. `progress(n)` is told each letter written."""
    from reportgen.outputs import write_table

    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if pdf:
            from reportgen.browser import Browser

            browser = stack.enter_context(Browser())
        for done, letter in enumerate(letters, 1):
            for fmt in FORMATS:
                _write(folder / f"{letter.name}.{fmt}", render_letter(letter, fmt))
            if pdf:
                _write(folder / f"{letter.name}.pdf", browser.pdf(folder / f"{letter.name}.html"))
            if progress:
                progress(done)
    rows = [
        {
            "customer_id": letter.customer_id,
            "name": letter.context["name"],
            "rung": letter.rung,
            "language": letter.lang,
            "pay_by": letter.context["pay_by"],
            "file": f"{letter.name}.md",
        }
        for letter in letters
    ]
    index = pl.DataFrame(
        rows,
        schema={
            c: pl.String for c in ("customer_id", "name", "rung", "language", "pay_by", "file")
        },
    )
    write_table(index, folder / "letters.csv")
    return index
