"""Value parsing for accounting exports (reportgen.ingest.values): amounts to exact canonical
decimal text, dates by detected format, and "as of" dates in title rows.

Amounts are compared as text and as `Decimal`, never as floats.
"""

from __future__ import annotations

import pickle
import re
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.ingest.values import (
    CANONICAL,
    DEBIT_CREDIT,
    AmbiguousDates,
    NumberStyle,
    UnknownDateFormat,
    apply_sign,
    credit_flag,
    date_expr,
    detect_date_format,
    detect_number_style,
    money_text,
    parse_date_text,
)

COMMA = NumberStyle(decimal=",")


def money(values: list[str | None], style: NumberStyle = NumberStyle()) -> list[str | None]:  # noqa: B008
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(money_text(pl.col("v"), style)).to_series().to_list()


def dates(values: list[str | None], fmt: str) -> list[date | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(date_expr(pl.col("v"), fmt)).to_series().to_list()


def detect(values: list[str], hint: str | None = None) -> str:
    return detect_date_format(pl.Series("Date", values, dtype=pl.String), column="Date", hint=hint)


# --------------------------------------------------------------------------- money_text (".")

DOT_CASES = [
    # plain and thousands
    ("1234.56", "1234.56"),
    ("-1234.56", "-1234.56"),
    ("1,234.56", "1234.56"),
    ("-129,729.53", "-129729.53"),
    ("1,234,567", "1234567"),
    ("1,234", "1234"),
    ("0", "0"),
    ("0.5", "0.5"),
    ("12.3456", "12.3456"),
    ("+7", "7"),
    ("007", "007"),
    ("1.", "1"),
    ("1,000.", "1000"),
    (".5", "0.5"),
    ("-.5", "-0.5"),
    ("(.50)", "-0.50"),
    ("$.99", "0.99"),
    # spaces: around, NBSP, narrow NBSP, thin space, ideographic space
    ("  1,234.56  ", "1234.56"),
    ("\u00a01,234.56\u00a0", "1234.56"),
    ("1\u00a0234.50", "1234.50"),
    ("1\u202f234.50", "1234.50"),
    ("1\u2009234.50", "1234.50"),
    ("1 234 567.8", "1234567.8"),
    ("\u30001234\u3000", "1234"),
    # other thousands marks
    ("1'234.56", "1234.56"),
    ("1\u2019234.56", "1234.56"),
    ("12,34,567.89", "1234567.89"),  # Indian lakh grouping
    # full width (Chinese exports)
    ("１２３４", "1234"),
    ("１，２３４．５０", "1234.50"),
    ("1，234.50", "1234.50"),
    ("－５", "-5"),
    ("（1,234.56）", "-1234.56"),
    ("￥1，234．50", "1234.50"),
    # currency symbols and codes, before and after
    ("$2,000.00", "2000.00"),
    ("€1,234.56", "1234.56"),
    ("£ 12.00", "12.00"),
    ("¥1,234", "1234"),
    ("￥1,234", "1234"),
    ("100元", "100"),
    ("1,234.56 元", "1234.56"),
    ("R$ 10.00", "10.00"),
    ("HK$1,000", "1000"),
    ("US$ 3.00", "3.00"),
    ("USD 1,234.56", "1234.56"),
    ("1,234.56 EUR", "1234.56"),
    ("CNY1234", "1234"),
    ("RMB 100", "100"),
    ("Rs. 1,00,000.00", "100000.00"),
    ("Rs.5", "5"),  # the dot of "Rs." is no decimal point
    ("₹500", "500"),
    ("100 SCR", "100"),  # a currency code ending in "CR" is not a credit
    # negatives
    ("−12.5", "-12.5"),
    ("\u201312.5", "-12.5"),
    ("-$2,000.00", "-2000.00"),
    ("$-2,000.00", "-2000.00"),
    ("USD -3.00", "-3.00"),
    ("(2,000.00)", "-2000.00"),
    ("( 2,000.00 )", "-2000.00"),
    ("$(2,000.00)", "-2000.00"),
    ("($2,000.00)", "-2000.00"),
    ("(2,000.00) USD", "-2000.00"),
    ("€(5.00)", "-5.00"),
    ("100.20-", "-100.20"),
    ("100.20 -", "-100.20"),
    ("1,000.20- EUR", "-1000.20"),
    ("100.20 CR", "-100.20"),
    ("100.20CR", "-100.20"),
    ("1,000.00 Cr", "-1000.00"),
    ("$100.00 cr", "-100.00"),
    ("100.20 DR", "100.20"),
    ("1,000.00 Dr", "1000.00"),
    ("(0.00)", "0.00"),  # zero keeps no sign
    ("0.00-", "0.00"),
    # dashes are zero (Chinese exports, Excel's accounting format)
    ("-", "0"),
    ("--", "0"),
    (" - ", "0"),
    ("—", "0"),
    ("——", "0"),
    ("－", "0"),
    ("−", "0"),
    ("$ -", "0"),
    ("¥--", "0"),
    # blank is missing
    ("", None),
    ("   ", None),
    ("\u00a0", None),
    (None, None),
]


@pytest.mark.parametrize(("text", "expected"), DOT_CASES)
def test_money_text_decimal_point(text: str | None, expected: str | None) -> None:
    assert money([text]) == [expected]


NOT_NUMBERS = [
    "abc",
    "N/A",
    " n/a ",
    "TBD",
    "12abc",
    "1,23",  # not a thousands group
    "1,2345.00",
    "1.2.3",
    "1,234,56",
    "(100",
    "100)",
    "-100-",
    "(-100)",
    "-100 CR",
    "(100) CR",
    "1e5",
    "1.5E+06",
    "$",
    "USD",
    "100 usd",
    "12%",
    "--5",
    "1 2",
    "—100",
    "#VALUE!",
    ".",
    "-.",
    "\u00a0x\u00a0",
]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_money_text_keeps_text_that_is_not_a_number(text: str) -> None:
    """Never null, never zero: the original text, for the reader to report verbatim."""
    assert money([text]) == [text]
    if text != "1,23":  # 1.23 with a decimal comma
        assert money([text], COMMA) == [text]


COMMA_CASES = [
    ("1.234,56", "1234.56"),
    ("300,00", "300.00"),
    ("1 234,5", "1234.5"),
    ("1\u00a0234,50", "1234.50"),
    ("1\u202f234,50", "1234.50"),
    ("1'234,50", "1234.50"),
    ("-1.234.567,8", "-1234567.8"),
    ("1.234", "1234"),
    ("1234", "1234"),
    ("0,5", "0.5"),
    (",5", "0.5"),
    ("1,", "1"),
    ("(1.234,56)", "-1234.56"),
    ("1.234,56-", "-1234.56"),
    ("1.234,56 €", "1234.56"),
    ("€ -1.234,56", "-1234.56"),
    ("R$ 1.234,56", "1234.56"),
    ("1.234,56 EUR CR", "-1234.56"),
    ("１．２３４，５６", "1234.56"),
    ("--", "0"),
    ("", None),
    ("1,234.56", "1,234.56"),  # a decimal point in a comma column: not a number, unchanged
    ("1.23", "1.23"),
    ("1.2345,6", "1.2345,6"),
]


@pytest.mark.parametrize(("text", "expected"), COMMA_CASES)
def test_money_text_decimal_comma(text: str, expected: str | None) -> None:
    assert money([text], COMMA) == [expected]


def test_money_text_casts_to_exact_decimals() -> None:
    frame = pl.DataFrame({"v": ["1,234.56", "(0.01)", "100.20 CR", "--", "99,999,999,999.999999"]})
    out = frame.select(money_text(pl.col("v")).cast(pl.Decimal(38, 6))).to_series().to_list()
    assert out == [
        Decimal("1234.56"),
        Decimal("-0.01"),
        Decimal("-100.20"),
        Decimal("0"),
        Decimal("99999999999.999999"),
    ]


def test_money_text_keeps_the_column_name_and_runs_lazily() -> None:
    lazy = pl.LazyFrame({"amount": ["$1.00", "x"], "other": ["a", "b"]})
    out = lazy.with_columns(money_text(pl.col("amount"))).collect()
    assert out.columns == ["amount", "other"]
    assert out["amount"].to_list() == ["1.00", "x"]


def test_money_text_mixed_column() -> None:
    values = ["1,234.56", None, "(5)", "abc", "", "—", "１２"]
    assert money(values) == ["1234.56", None, "-5", "abc", None, "0", "12"]


def test_number_style_rejects_other_marks() -> None:
    with pytest.raises(ValueError, match="decimal mark"):
        NumberStyle(decimal="'")


# --------------------------------------------------------------------- round trip (hypothesis)

CURRENCIES = ["", "$", "€", "£", "¥", "￥", "元", "R$", "HK$", "US$", "USD", "CNY", "RMB", "EUR"]
FULL_WIDTH = str.maketrans("0123456789,.-()", "０１２３４５６７８９，．－（）")


def group(digits: str, mark: str, indian: bool = False) -> str:
    """Thousands groups of a digit string."""
    if not mark or len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    size = 2 if indian else 3
    groups = []
    while head:
        groups.insert(0, head[-size:])
        head = head[:-size]
    return mark.join([*groups, tail])


@st.composite
def written_amount(draw: st.DrawFn) -> tuple[str, Decimal, NumberStyle]:
    """A random amount written as some export would write it, with its value and style."""
    places = draw(st.sampled_from([0, 1, 2, 2, 2, 4]))
    units = draw(st.integers(-(10**15), 10**15))
    value = Decimal(units).scaleb(-places)
    decimal = draw(st.sampled_from([".", ","]))
    marks = ["", "'", " ", "\u00a0", "\u202f", "," if decimal == "." else "."]
    mark = draw(st.sampled_from(marks))
    indian = mark == "," and draw(st.booleans())
    whole, _, fraction = f"{abs(value):f}".partition(".")
    body = group(whole, mark, indian) + (decimal + fraction if fraction else "")
    currency = draw(st.sampled_from(CURRENCIES))
    space = draw(st.sampled_from(["", " "]))
    if currency and draw(st.booleans()):
        body = f"{body}{space}{currency}"
    else:
        body = f"{currency}{space}{body}" if currency else body
    if value < 0 or (value == 0 and draw(st.booleans())):  # zero may wear a negative form
        negative = draw(st.sampled_from(["-{}", "−{}", "({})", "{}-", "{} CR", "{}CR"]))
        body = negative.format(body)
    elif draw(st.booleans()):
        body = draw(st.sampled_from(["{} DR", "+{}", "{}"])).format(body)
    if draw(st.booleans()):
        body = body.translate(FULL_WIDTH)
    pad = draw(st.sampled_from(["", " ", "  ", "\u00a0", "\u3000"]))
    return pad + body + pad, value, NumberStyle(decimal)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(written_amount(), min_size=1, max_size=40))
def test_money_text_round_trip(cases: list[tuple[str, Decimal, NumberStyle]]) -> None:
    for style in (NumberStyle(), COMMA):
        mine = [(text, value) for text, value, s in cases if s == style]
        if not mine:
            continue
        out = money([text for text, _ in mine], style)
        for (text, value), canonical in zip(mine, out, strict=True):
            assert canonical is not None and re.fullmatch(CANONICAL, canonical), (text, canonical)
            assert Decimal(canonical) == value, (text, canonical)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(alphabet="0123456789.,-()$ €CRDUSRsab\u00a0\u2028\t１，", max_size=12), max_size=30
    )
)
def test_money_text_is_canonical_or_unchanged(texts: list[str]) -> None:
    """Whatever comes in, what comes out is canonical, blank (null) or the text as it was."""
    for style in (NumberStyle(), COMMA):
        for text, out in zip(texts, money(texts, style), strict=True):
            assert out is None or out == text or re.fullmatch(CANONICAL, out), (text, out)
            if out is None:
                assert not text.strip()


# ------------------------------------------------------------------------------- apply_sign


def test_apply_sign_flips_where_negative() -> None:
    frame = pl.DataFrame(
        {
            "amount": ["100.00", "-5", "0", "0.00", "abc", None, "12.5", "7"],
            "credit": [True, True, True, True, True, True, False, None],
        }
    )
    out = frame.select(apply_sign(pl.col("amount"), pl.col("credit"))).to_series()
    assert out.name == "amount"
    assert out.to_list() == ["-100.00", "5", "0", "0.00", "abc", None, "12.5", "7"]


def test_apply_sign_on_money_text_with_an_indicator_column() -> None:
    """SAP: unsigned amounts and S (debit) / H (credit)."""
    frame = pl.DataFrame({"WRBTR": ["1.234,56", "100,00", "50,00"], "SHKZG": ["S", "H", " h "]})
    signed = apply_sign(money_text(pl.col("WRBTR"), COMMA), credit_flag(pl.col("SHKZG")))
    out = frame.select(signed.cast(pl.Decimal(38, 2))).to_series().to_list()
    assert out == [Decimal("1234.56"), Decimal("-100.00"), Decimal("-50.00")]


@pytest.mark.parametrize(
    ("indicator", "credit"),
    [
        ("S", False),
        ("D", False),
        ("Debit", False),
        ("DR", False),
        ("Dr", False),
        ("借", False),
        ("借方", False),
        ("H", True),
        ("C", True),
        ("Credit", True),
        ("CR", True),
        ("贷", True),
        ("贷方", True),
        (" 贷方 ", True),
        ("Ｈ", True),
        ("X", None),
        ("", None),
        (None, None),
    ],
)
def test_credit_flag(indicator: str | None, credit: bool | None) -> None:
    frame = pl.DataFrame({"dc": [indicator]}, schema={"dc": pl.String})
    assert frame.select(credit_flag(pl.col("dc"))).item() is credit


def test_debit_credit_table() -> None:
    for key in ("s", "d", "debit", "借", "借方", "dr"):
        assert DEBIT_CREDIT[key] is False
    for key in ("h", "c", "credit", "贷", "贷方", "cr"):
        assert DEBIT_CREDIT[key] is True


# ---------------------------------------------------------------------- detect_number_style


@pytest.mark.parametrize(
    ("values", "decimal"),
    [
        (["1.234,56", "12,00"], ","),
        (["300,00"], ","),
        (["1 234,5"], ","),
        (["12,3456"], ","),
        (["1.234.567"], ","),
        (["R$ 1.234,56", None], ","),
        (["１．２３４，５６"], ","),
        (["1,234.56"], "."),
        (["1,234"], "."),  # a comma before exactly three digits is a thousands mark
        (["1,234,567"], "."),
        (["1.5", "1234.56"], "."),
        (["$2,000.00", "(1,234.56)"], "."),
        (["1.234"], "."),  # no evidence either way: the default
        (["100", "-", ""], "."),
        ([], "."),
        (["1.234,56", "2.000,00", "1,234.56"], ","),  # the majority
    ],
)
def test_detect_number_style(values: list[str | None], decimal: str) -> None:
    style = detect_number_style(pl.Series(values, dtype=pl.String))
    assert style == NumberStyle(decimal=decimal)


# -------------------------------------------------------------------------------- date_expr

DATE_CASES = [
    ("%Y-%m-%d", "2024-01-05", date(2024, 1, 5)),
    ("%Y-%m-%d", " 2024-01-05 ", date(2024, 1, 5)),
    ("%Y-%m-%d", "2024-1-5", date(2024, 1, 5)),
    ("%Y-%m-%d", "2024-01-05 00:00:00", date(2024, 1, 5)),
    ("%Y-%m-%d", "2024-01-05T00:00:00", date(2024, 1, 5)),
    ("%Y-%m-%d", "2024-01-05T13:45:10.123Z", date(2024, 1, 5)),
    ("%Y-%m-%d", "2024-01-05 13:45:10+08:00", date(2024, 1, 5)),
    ("%Y-%m-%d", "2024-02-30", None),
    ("%Y-%m-%d", "24-01-05", None),  # %Y takes a four-digit year, not "24"
    ("%Y/%m/%d", "2024/1/5", date(2024, 1, 5)),
    ("%Y/%m/%d", "2024/1/5 0:00", date(2024, 1, 5)),
    ("%Y.%m.%d", "2024.01.05", date(2024, 1, 5)),
    ("%Y%m%d", "20240105", date(2024, 1, 5)),
    ("%Y%m%d", "2024015", None),
    ("%Y年%m月%d日", "2024年1月5日", date(2024, 1, 5)),
    ("%Y年%m月%d日", "2024年12月31日", date(2024, 12, 31)),
    ("%d.%m.%Y", "05.01.2024", date(2024, 1, 5)),
    ("%d/%m/%Y", "5/1/2024", date(2024, 1, 5)),
    ("%d/%m/%Y", "05/01/2024 13:45", date(2024, 1, 5)),
    ("%d/%m/%Y", "05/01/24", None),
    ("%m/%d/%Y", "1/5/2024", date(2024, 1, 5)),
    ("%m/%d/%Y", "01/05/2024 1:45 PM", date(2024, 1, 5)),
    ("%m/%d/%Y", "13/05/2024", None),
    ("%d-%m-%Y", "05-01-2024", date(2024, 1, 5)),
    ("%d/%m/%y", "05/01/24", date(2024, 1, 5)),
    ("%m/%d/%y", "1/5/24", date(2024, 1, 5)),
    ("%y/%m/%d", "24/01/05", date(2024, 1, 5)),
    ("%d %b %Y", "31 Mar 2026", date(2026, 3, 31)),
    ("%d %b %Y", "31 MAR 2026", date(2026, 3, 31)),
    ("%d %B %Y", "31 March 2026", date(2026, 3, 31)),
    ("%d %B %Y", "30 Sept 2026", date(2026, 9, 30)),
    ("%b %d, %Y", "Mar 31, 2026", date(2026, 3, 31)),
    ("%B %d, %Y", "September 25, 2026", date(2026, 9, 25)),
    ("%d-%b-%y", "1-Apr-26", date(2026, 4, 1)),
    ("%d-%b-%y", "16-Apr-26", date(2026, 4, 16)),
    ("%d-%b-%Y", "01-Apr-2026", date(2026, 4, 1)),
    ("%Y-%m-%d", "not a date", None),
    ("%Y-%m-%d", "", None),
    ("%Y-%m-%d", None, None),
]


@pytest.mark.parametrize(("fmt", "text", "expected"), DATE_CASES)
def test_date_expr(fmt: str, text: str | None, expected: date | None) -> None:
    assert dates([text], fmt) == [expected]


EXCEL_CASES = [
    ("45296", date(2024, 1, 5)),
    ("45296.0", date(2024, 1, 5)),
    ("45296.75", date(2024, 1, 5)),  # the fraction is the time of day
    (" 45296 ", date(2024, 1, 5)),
    ("25569", date(1970, 1, 1)),
    ("61", date(1900, 3, 1)),
    ("60", None),  # Excel's 29 February 1900, a day that never was
    ("59", date(1900, 2, 28)),
    ("1", date(1900, 1, 1)),
    ("2958465", date(9999, 12, 31)),
    ("2958466", None),
    ("0", None),
    ("-1", None),
    ("4.5e4", None),
    ("2024-01-05", None),
]


@pytest.mark.parametrize(("text", "expected"), EXCEL_CASES)
def test_date_expr_excel_serials(text: str, expected: date | None) -> None:
    assert dates([text], "excel") == [expected]


def test_date_expr_keeps_the_column_name() -> None:
    frame = pl.DataFrame({"due": ["2024/1/5"]})
    assert frame.select(date_expr(pl.col("due"), "%Y/%m/%d")).columns == ["due"]


# ----------------------------------------------------------------------- detect_date_format


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["2024-01-05", "2024-12-31"], "%Y-%m-%d"),
        (["2024-01-05 00:00:00", "2024-12-31T00:00:00"], "%Y-%m-%d"),
        (["2024/1/5", "2024/12/31"], "%Y/%m/%d"),
        (["2024.01.05"], "%Y.%m.%d"),
        (["20240105", "20241231"], "%Y%m%d"),
        (["2024年1月5日", "2024年12月31日"], "%Y年%m月%d日"),
        (["05.01.2024", "31.12.2024"], "%d.%m.%Y"),
        (["03/04/2026", "25/04/2026"], "%d/%m/%Y"),  # one day > 12 settles the column
        (["03/04/2026", "04/25/2026"], "%m/%d/%Y"),
        (["3-4-2026", "25-4-2026"], "%d-%m-%Y"),
        (["3-4-2026", "4-25-2026"], "%m-%d-%Y"),
        (["03/04/26", "25/04/26"], "%d/%m/%y"),
        (["03/04/26", "04/25/26"], "%m/%d/%y"),
        (["01/01/2026", "02/02/2026"], "%d/%m/%Y"),  # both orders give the same dates
        (["31 Mar 2026", "1 Apr 2026"], "%d %b %Y"),
        (["31 March 2026", "1 Apr 2026"], "%d %B %Y"),
        (["1-Apr-26", "16-Apr-26"], "%d-%b-%y"),
        (["01-Apr-2026"], "%d-%b-%Y"),
        (["Mar 31, 2026"], "%b %d, %Y"),
        (["September 25, 2026", "Oct 1, 2026"], "%B %d, %Y"),
        (["45296", "45300.5", "45301"], "excel"),
    ],
)
def test_detect_date_format(values: list[str], fmt: str) -> None:
    assert detect(values) == fmt


def test_detected_format_reads_the_column() -> None:
    values = ["2024/1/5", "2024/12/31", " 2024/2/29 "]
    fmt = detect(values)
    assert dates(values, fmt) == [date(2024, 1, 5), date(2024, 12, 31), date(2024, 2, 29)]
    assert dates(["45296"], detect(["45296"])) == [date(2024, 1, 5)]


def test_ambiguous_day_and_month_raise() -> None:
    with pytest.raises(AmbiguousDates) as caught:
        detect(["03/04/2026", "05/06/2026", "12/11/2026"])
    error = caught.value
    assert error.column == "Date"
    assert error.readings == ("%d/%m/%Y", "%m/%d/%Y")
    assert error.example == "03/04/2026"
    assert str(error) == (
        "column 'Date': 03/04/2026 could be 3 April 2026 (day first, %d/%m/%Y) or "
        "4 March 2026 (month first, %m/%d/%Y); say which with --date-format dmy|mdy "
        "(or date_format in the mapping file)"
    )
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.column, copy.readings, str(copy)) == (error.column, error.readings, str(error))


def test_ambiguous_two_digit_years_raise() -> None:
    with pytest.raises(AmbiguousDates) as caught:
        detect(["03/04/26"])
    assert caught.value.readings == ("%d/%m/%y", "%m/%d/%y")


@pytest.mark.parametrize(("hint", "fmt"), [("dmy", "%d/%m/%Y"), ("mdy", "%m/%d/%Y")])
def test_hint_resolves_ambiguity(hint: str, fmt: str) -> None:
    assert detect(["03/04/2026", "05/06/2026"], hint=hint) == fmt


def test_hint_does_not_hide_other_formats() -> None:
    assert detect(["2024-01-05"], hint="dmy") == "%Y-%m-%d"
    assert detect(["03/04/2026", "25/04/2026"], hint="dmy") == "%d/%m/%Y"


def test_ymd_hint_reads_year_first_two_digit_years() -> None:
    assert detect(["24/01/05", "24/12/31"], hint="ymd") == "%y/%m/%d"


def test_hint_contradicted_by_the_values() -> None:
    with pytest.raises(UnknownDateFormat, match=r"'Date'.*day first.*25/04/2026.*'mdy'"):
        detect(["03/04/2026", "25/04/2026"], hint="mdy")


def test_explicit_format_hint() -> None:
    assert detect(["05/01/2024"], hint="%d/%m/%Y") == "%d/%m/%Y"
    assert detect(["2024-01-05 | x"], hint="%Y-%m-%d | x") == "%Y-%m-%d | x"
    with pytest.raises(UnknownDateFormat, match=r"'Date'.*%Y-%m-%d.*'05/01/2024'"):
        detect(["05/01/2024"], hint="%Y-%m-%d")


def test_bad_hint_word() -> None:
    with pytest.raises(ValueError, match="dmy, mdy, ymd"):
        detect(["2024-01-05"], hint="european")


def test_mixed_orders_raise() -> None:
    with pytest.raises(UnknownDateFormat) as caught:
        detect(["25/04/2026", "04/25/2026", "01/02/2026"])
    message = str(caught.value)
    assert "'Date'" in message and "mixes day-first and month-first" in message
    assert "25/04/2026" in message and "04/25/2026" in message


def test_a_few_bad_values_are_tolerated() -> None:
    values = [f"2024-01-{d:02d}" for d in range(1, 29)] * 4 + ["n/a"]  # 112 good, 1 bad
    assert detect(values) == "%Y-%m-%d"
    counted = ["2024-01-05"] * 99 + ["n/a"]  # repeats count: 99% read
    assert detect(counted) == "%Y-%m-%d"


def test_too_many_bad_values_raise_with_examples() -> None:
    values = ["2024-01-05"] * 10 + ["n/a", "soon", "tbd", "later"]
    with pytest.raises(UnknownDateFormat) as caught:
        detect(values)
    message = str(caught.value)
    assert "'Date'" in message and "%Y-%m-%d, reads 71.4%" in message
    assert "(e.g. 'n/a', 'soon', 'tbd')" in message  # three of the values it does not read


def test_unknown_format() -> None:
    with pytest.raises(UnknownDateFormat, match=r"'Date'.*'foo', 'bar', 'baz'\)"):
        detect(["foo", "bar", "baz", "qux"])
    with pytest.raises(UnknownDateFormat, match="no values"):
        detect(["", "  "])


def test_excel_needs_a_plausible_range() -> None:
    with pytest.raises(UnknownDateFormat):
        detect(["12", "13"])  # small numbers are not dates
    assert detect(["20000", "79999"]) == "excel"


def test_detect_uses_distinct_values() -> None:
    """A whole column of 200,000 cells is read through its distinct values."""
    column = pl.Series("Date", ["05/01/2024", "31/12/2024"] * 100_000)
    assert detect_date_format(column, column="Date") == "%d/%m/%Y"


# ------------------------------------------------------------------------- parse_date_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("As of September 25, 2026", date(2026, 9, 25)),
        ("As of Sep 25th, 2026", date(2026, 9, 25)),
        ("As at 31 March 2026", date(2026, 3, 31)),
        ("Ageing as at 31st Mar. 2026", date(2026, 3, 31)),
        ("截止日期：2024-12-31", date(2024, 12, 31)),
        ("截至2024年12月31日", date(2024, 12, 31)),
        ("截至 2024 年 1 月 5 日", date(2024, 1, 5)),
        ("日期: 2024-01-01 至 2024-01-31", date(2024, 1, 31)),
        ("Balance as of 2025-12-31", date(2025, 12, 31)),
        ("As of 2025/1/5", date(2025, 1, 5)),
        ("1-Apr-26 to 16-Apr-26", date(2026, 4, 16)),
        ("Stichtag 31.03.2026", date(2026, 3, 31)),
        ("As of 13/04/2026", date(2026, 4, 13)),
        ("As of 04/13/2026", date(2026, 4, 13)),
        ("As of 04/04/2026", date(2026, 4, 4)),
        ("From 01/03/2026 to 31/03/2026", date(2026, 3, 31)),
        ("From 13/03/2026 to 01/04/2026", date(2026, 4, 1)),  # the start says day first
        ("As of 03/04/2026", None),  # 3 April or 4 March
        ("From 01/03/2026 to 02/03/2026", None),
        ("As of Feb 30, 2026", None),
        ("Page 1 of 3", None),
        ("Aged Receivables", None),
        ("", None),
    ],
)
def test_parse_date_text(text: str, expected: date | None) -> None:
    assert parse_date_text(text) == expected
