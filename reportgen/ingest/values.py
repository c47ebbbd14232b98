"""Money and dates as accounting exports really write them, turned into exact canonical values.

Amounts: `money_text` turns `$1,234.56`, `(2,000.00)`, `100.20-`, `100.20 CR`, `1.234,56 €`,
`１２３，４５６．７８` or `--` into canonical decimal text (`-1234.56`, `0`) that a Decimal cast
accepts; money never passes through a float. Text that still is not a number after cleaning
comes out unchanged, so that the reader can quote it verbatim as a bad cell.

Dates: `detect_date_format` picks one format per column from the values themselves and refuses
to guess between day-first and month-first readings; `date_expr` applies it. `parse_date_text`
finds an "as of" date in a title row.

All column work is vectorised Polars expressions (they run on millions of rows); Python runs
only on small samples, for detection.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date

import polars as pl

# ----------------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class NumberStyle:
    """How a column writes numbers; only the decimal mark varies, thousands marks are implied."""

    decimal: str = "."  # "." or ","

    def __post_init__(self) -> None:
        if self.decimal not in (".", ","):
            raise ValueError(f"decimal mark must be '.' or ',', not {self.decimal!r}")


# Symbols, "US$"-style prefixed dollars, and any three capital letters (ISO 4217 codes, RMB).
_CURRENCY = r"(?:[A-Z]{1,2}\$|\$|€|£|¥|元|₹|Rs|₩|₽|₺|₫|₱|฿|[A-Z]{3})"
# What may surround the number in a valid amount: spaces, signs, currency symbols and letters.
_DECORATION = " \t\r\n()+-$€£¥元₹₩₽₺₫₱฿" + string.ascii_letters
_WS = r"[ \t\r\n]"  # other spaces are made " " first; any other control char: no amount
_PRE = rf"(?:{_CURRENCY}{_WS}*)?"
_POST = rf"(?:{_WS}*{_CURRENCY})?"
# Non-ASCII characters that exports use in amounts -> ASCII.
_TO_ASCII = {
    # full-width forms (what NFKC does for them, at a fraction of its cost)
    **{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},
    "\uffe1": "£",
    "\uffe5": "¥",  # full-width yen/yuan sign
    "\uffe6": "₩",
    "\u3000": " ",  # ideographic space
    **dict.fromkeys(("\u00a0", "\u202f", *map(chr, range(0x2000, 0x200B))), " "),
    # minus and thousands marks that NFKC leaves alone
    "\u2212": "-",
    "\u2013": "-",
    "\u2019": "'",
}
# "-", "--", "—", "——" (zero in Chinese exports), "$ -" (Excel's accounting format)
_DASHES = rf"^\s*{_PRE}[-\u2010-\u2015]+{_POST}\s*$"
CANONICAL = r"^-?\d+(?:\.\d+)?$"  # what money_text makes of every amount


def _number(style: NumberStyle) -> str:
    """Regex of an unsigned number: consistent thousands groups, optional fraction (`1.` and
    `.5` too)."""
    apostrophe_or_space = r"\d{1,3}(?:'\d{3})+|\d{1,3}(?: \d{3})+"
    if style.decimal == ".":
        indian = r"\d{1,2}(?:,\d{2})+,\d{3}"  # 12,34,567.00 (lakh grouping)
        whole = rf"\d{{1,3}}(?:,\d{{3}})+|{apostrophe_or_space}|{indian}|\d+"
        return rf"(?:(?:{whole})(?:\.\d*)?|\.\d+)"
    whole = rf"\d{{1,3}}(?:\.\d{{3}})+|{apostrophe_or_space}|\d+"
    return rf"(?:(?:{whole})(?:,\d*)?|,\d+)"


def _grammar(style: NumberStyle) -> str:
    """Regex of a whole amount cell: one sign form at most, currency before or after."""
    n = _number(style)
    forms = (
        rf"{_PRE}(?:[-+]{_WS}*{_PRE})?{n}{_POST}",  # -$1,234.56  $-1,234.56  1,234.56 USD
        rf"{_PRE}\({_WS}*{_PRE}{n}{_POST}{_WS}*\){_POST}",  # (1,234.56)  $(1,234.56)  (USD 5)
        rf"{_PRE}{n}{_POST}{_WS}*-{_POST}",  # 100.20-  (SAP trailing minus)
        rf"{_PRE}{n}{_POST}{_WS}*(?:CR|Cr|cr|DR|Dr|dr)",  # 100.20 CR  1,000.00 Dr  (SAP, Tally)
    )
    return rf"^{_WS}*(?:{'|'.join(forms)}){_WS}*$"


def _steps(
    value: pl.Expr, *steps: dict[str, pl.Expr], inputs: dict[str, pl.Expr] | None = None
) -> pl.Expr:
    """`value` (the field "raw", plus any `inputs`) run through named steps; the result is the
    field "out", named like `value`.

    Polars evaluates a sub-expression again at each place it occurs inside one expression (its
    common-subexpression pass does not reach into these when/then chains), which would double
    the cost of parsing. Fields of a struct are computed once and read back with pl.field."""
    fields = pl.struct(value.alias("raw"), *(e.alias(k) for k, e in (inputs or {}).items()))
    for step in steps:
        fields = fields.struct.with_fields(**step)
    out = fields.struct.field("out")
    name = value.meta.output_name(raise_if_undetermined=False)
    return out if name is None else out.alias(name)


def _ascii(text: pl.Expr) -> pl.Expr:
    """Full-width digits, letters and marks, NBSP, U+202F, unicode minus -> ASCII; only in
    non-ASCII cells (the others are null in that branch and cost nothing)."""
    non_ascii = pl.when(text.str.len_bytes() != text.str.len_chars()).then(text)
    return pl.coalesce(non_ascii.str.replace_many(_TO_ASCII), text)


def _plain(style: NumberStyle) -> str:
    """Regex of the common case, `-1,234.56`: only a thousands mark to drop."""
    if style.decimal == ".":
        return r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"
    return r"^-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"


def money_text(expr: pl.Expr, style: NumberStyle = NumberStyle()) -> pl.Expr:  # noqa: B008
    """Amount text -> canonical decimal text (`-1234.56`, `0`); null for a blank cell; any
    cell that is not an amount comes out unchanged (the original text)."""
    f = pl.field
    text, rest = f("text"), f("rest")
    if style.decimal == ".":
        plain = text.str.replace_all(",", "", literal=True)
        number = rest.str.strip_chars(_DECORATION).str.replace_all("[, ']", "")
    else:
        plain = text.str.replace_many({".": "", ",": "."})
        number = (
            rest.str.strip_chars(_DECORATION)
            .str.replace_all("[. ']", "")
            .str.replace(",", ".", literal=True)
        )
    # The grammar allows decorations (signs, currency, spaces) only at either end, so what the
    # strip leaves is the number; "1." and ".5" are made canonical.
    number = number.str.strip_chars_end(".").str.replace(r"^\.", "0.")
    # A "-" or "(" passes the grammar only as a sign, and "CR" only as the last word, after
    # the number or a currency (but "100 SCR" is Seychelles rupees). Zero keeps no sign.
    negative = rest.str.contains(rf"[-(]|(?:\d|{_CURRENCY}){_WS}*[Cc][Rr]{_WS}*$")
    signed = (
        pl.when(f("negative") & f("number").str.contains("[1-9]"))
        .then(pl.lit("-") + f("number"))
        .otherwise(f("number"))
    )
    other = (
        pl.when(f("valid"))
        .then(signed)
        .when(rest.str.contains(r"^\s*$"))
        .then(pl.lit(None, dtype=pl.String))
        .when(rest.str.contains(_DASHES))
        .then(pl.lit("0"))
        .when(rest.is_not_null())
        .then(f("raw"))
    )
    without_rs_dot = (  # "Rs.5": the dot of "Rs." is no decimal point
        pl.when(rest.str.contains("Rs.", literal=True))
        .then(rest.str.replace("Rs.", "Rs", literal=True))
        .otherwise(rest)
    )
    return _steps(
        expr,
        {"text": _ascii(f("raw"))},
        {"is_plain": text.str.contains(_plain(style))},
        # All but the common case goes on in "rest", where the common case is null: the
        # costlier steps below skip those rows.
        {"plain": plain, "rest": pl.when(~f("is_plain")).then(text)},
        {"rest": without_rs_dot},
        {"valid": rest.str.contains(_grammar(style)), "negative": negative, "number": number},
        {"out": pl.when(f("is_plain")).then(f("plain")).otherwise(other)},
    )


def apply_sign(amount_text: pl.Expr, negative: pl.Expr) -> pl.Expr:
    """Flips the sign of canonical decimal text where `negative` is true (debit/credit
    indicator columns). Zero stays unsigned, and text that is not canonical (a bad cell kept
    for the report) is left as it is."""
    text = pl.field("raw")
    flip = (
        pl.field("negative").fill_null(False)
        & text.str.contains(CANONICAL)
        & text.str.contains("[1-9]")
    )
    flipped = (
        pl.when(text.str.starts_with("-")).then(text.str.slice(1)).otherwise(pl.lit("-") + text)
    )
    return _steps(
        amount_text,
        {"out": pl.when(flip).then(flipped).otherwise(text)},
        inputs={"negative": negative},
    )


# Debit/credit indicator, normalised (trimmed, NFKC, lower case) -> is a credit (negative).
DEBIT_CREDIT: dict[str, bool] = {
    **dict.fromkeys(("s", "d", "debit", "dr", "soll", "借", "借方"), False),
    **dict.fromkeys(("h", "c", "credit", "cr", "haben", "贷", "贷方", "貸", "貸方"), True),
}


def credit_flag(indicator: pl.Expr) -> pl.Expr:
    """Indicator text -> True for credit, False for debit, null for anything else."""
    key = pl.field("text").str.strip_chars().str.to_lowercase()
    credit = key.replace_strict(DEBIT_CREDIT, default=None, return_dtype=pl.Boolean)
    return _steps(indicator, {"text": _ascii(pl.field("raw"))}, {"out": credit})


def _decimal_vote(value: str) -> str | None:
    """Which decimal mark one value implies: ",", "." or None (no evidence either way)."""
    digits = re.sub(r"[^\d.,]", "", value)
    last = max(digits.rfind("."), digits.rfind(","))
    if last < 0:
        return None
    mark, tail = digits[last], digits[last + 1 :]
    other = "," if mark == "." else "."
    if other in digits[:last]:  # both marks: the last one is the decimal
        return mark
    if digits.count(mark) > 1:  # repeated: thousands
        return other
    if mark == "," and len(tail) != 3:
        return ","  # "300,00", "1 234,5": a comma that cannot be a thousands mark
    if mark == "." and len(tail) != 3:
        return "."
    return None if mark == "." else "."  # "1.234" proves nothing; "1,234" is thousands


def detect_number_style(sample: pl.Series) -> NumberStyle:
    """The decimal mark of one column, from its non-null text values ("." unless the values
    show a decimal comma)."""
    values = sample.drop_nulls().cast(pl.String).str.normalize("NFKC").unique().to_list()
    votes = [v for v in map(_decimal_vote, values) if v is not None]
    if votes.count(",") > votes.count("."):
        return NumberStyle(decimal=",")
    return NumberStyle()


# ------------------------------------------------------------------------------------- dates

EXCEL = "excel"
_EXCEL_MAX = 2958465  # 9999-12-31
_EXCEL_PLAUSIBLE = (20000, 80000)  # 1954..2119: a column of such numbers is taken for dates
_UNIX_EPOCH_SERIAL = 25569  # Excel serial of 1970-01-01 (1900 system)
_SERIAL = r"^(\d+)(?:\.\d*)?$"  # whole days, and a fraction that is the time of day
# "2024-01-05 00:00:00", "2024-01-05T00:00:00", "05/01/2024 1:45 PM", "...Z", "...+08:00"
_TIME_PART = r"[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?$"


def by_distinct(col: pl.Expr, distinct: pl.Series, expr: pl.Expr, rows: int) -> pl.Expr:
    """`expr` of a column of `rows` cells, worked out once per distinct value where values
    repeat (dates: a few hundred days over millions of rows), else cell by cell."""
    if distinct.len() * 4 > rows:
        return expr
    parsed = distinct.to_frame().select(expr).to_series()
    return col.replace_strict(distinct, parsed, default=None, return_dtype=parsed.dtype)


def date_expr(expr: pl.Expr, fmt: str) -> pl.Expr:
    """Date text -> pl.Date, null where it does not parse. `fmt` is a chrono format or
    "excel" (serial days of the 1900 system); a trailing time of day is ignored."""
    f = pl.field
    text = f("text")
    steps: list[dict[str, pl.Expr]] = [{"text": f("raw").str.strip_chars()}]
    if "%H" not in fmt and "%I" not in fmt:
        # Only cells with a ":" can hold a time; the others skip the regex (null there).
        timed = pl.when(text.str.contains(":", literal=True)).then(text)
        steps.append({"text": pl.coalesce(timed.str.replace(_TIME_PART, ""), text)})
    if fmt == EXCEL:
        return _steps(expr, *steps, {"serial": _serial(text)}, {"out": _excel()})
    if "%b" in fmt or "%B" in fmt:
        steps.append({"text": text.str.replace(r"(?i)\bsept\b", "Sep")})
    ok = f("date").is_not_null()
    if "%Y" in fmt:  # chrono reads "24" as the year 24: that is a two-digit year, not a date
        ok = f("date") >= date(1000, 1, 1)
    if fmt == "%Y%m%d":  # chrono also accepts "2024015"
        ok = ok & (text.str.len_bytes() == 8)
    return _steps(
        expr,
        *steps,
        {"date": text.str.to_date(fmt, strict=False)},
        {"out": pl.when(ok).then(f("date"))},
    )


def _serial(text: pl.Expr) -> pl.Expr:
    """Whole days of an Excel serial ("45296", "45296.75"); null for anything else."""
    return text.str.extract(_SERIAL).cast(pl.Int64, strict=False)


def _excel() -> pl.Expr:
    """Field "serial" -> date. Excel counts a 29 February 1900 that never was (serial 60), so
    serials below it are one day later than 1899-12-30 + n."""
    serial = pl.field("serial")
    epoch_days = (
        pl.when(serial.is_between(61, _EXCEL_MAX))
        .then(serial - _UNIX_EPOCH_SERIAL)
        .when(serial.is_between(1, 59))
        .then(serial - _UNIX_EPOCH_SERIAL + 1)
    )
    return epoch_days.cast(pl.Int32).cast(pl.Date)


class AmbiguousDates(ValueError):
    """Every value of a date column reads both day first and month first."""

    def __init__(self, column: str, readings: tuple[str, str], example: str) -> None:
        self.column, self.readings, self.example = column, readings, example
        first, second = (_describe(example, fmt) for fmt in readings)
        super().__init__(
            f"column {column!r}: {example} could be {first} or {second}; say which with "
            "--date-format dmy|mdy (or date_format in the mapping file)"
        )

    def __reduce__(self) -> tuple:  # pickles (multiprocessing) despite the custom __init__
        return type(self), (self.column, self.readings, self.example)


class UnknownDateFormat(ValueError):
    """No known format reads (nearly) all values of a date column."""


_ORDER_WORDS = {"dmy": "day first", "mdy": "month first", "ymd": "year first"}


def _describe(example: str, fmt: str) -> str:
    """'3 April 2026 (day first, %d/%m/%Y)'."""
    parsed = pl.select(date_expr(pl.lit(example), fmt)).item()
    when = f"{parsed.day} {parsed:%B %Y}" if parsed else "no date"
    order = _ORDER_WORDS.get(_order(fmt) or "", "")
    return f"{when} ({order + ', ' if order else ''}{fmt})"


# Candidate formats, most specific first; a tie between formats that read every value the same
# way goes to the earlier one.
_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d-%m-%y",
    "%m-%d-%y",
    "%y/%m/%d",
    "%y-%m-%d",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    EXCEL,
)
_ENOUGH = 0.99  # a format must read this share of the values; the rest are reported bad cells


def _order(fmt: str) -> str | None:
    """'dmy' / 'mdy' / 'ymd' for all-numeric formats whose order a reader could mistake;
    None for formats that say themselves which part is which (4-digit year first, month
    names, 年月日, excel) and for SAP's d.m.Y, which has no month-first twin."""
    if not re.fullmatch(r"%[dmyY][/\-]%[dmyY][/\-]%[dmyY]", fmt):
        return None
    order = "".join(c for c in fmt if c in "dmyY").lower()
    return None if fmt.startswith("%Y") else order


def _twin(fmt: str) -> str | None:
    """The same format with day and month swapped (d/m/Y <-> m/d/Y)."""
    order = _order(fmt)
    if order not in ("dmy", "mdy"):
        return None
    return fmt.replace("%d", "%_").replace("%m", "%d").replace("%_", "%m")


def detect_date_format(sample: pl.Series, *, column: str, hint: str | None = None) -> str:
    """The format (for `date_expr`) that reads a column's non-null text values.

    A format must read all values, or at least 99% (the rest are bad cells the reader
    reports). Raises AmbiguousDates when day first and month first both read every value and
    no hint says which, UnknownDateFormat when no format reads them or they mix both orders.
    `hint` is "dmy", "mdy", "ymd" or an explicit %-format (used as it is, once checked)."""
    if hint is not None and "%" not in hint and hint not in _ORDER_WORDS:
        raise ValueError(f"date format hint must be dmy, mdy, ymd or a %-format, not {hint!r}")
    seen = _Sample.of(sample)
    if seen.total == 0:
        raise UnknownDateFormat(f"column {column!r}: no values to tell the date format from")
    if hint is not None and "%" in hint:
        share = seen.read_count(seen.parse(hint)) / seen.total
        if share < _ENOUGH:
            raise seen.unknown(
                column, hint, f"the format {hint} reads only {share:.1%} of the values"
            )
        return hint

    parsed = {fmt: seen.parse(fmt) for fmt in _FORMATS if _order(fmt) != "ymd" or hint}
    _check_mixed_orders(column, seen, parsed)
    counts = {fmt: seen.read_count(dates) for fmt, dates in parsed.items() if _allowed(fmt, hint)}
    best = max(counts.values())
    if best < _ENOUGH * seen.total:
        _explain_failure(column, seen, parsed, hint, max(counts, key=counts.__getitem__))
    top = [fmt for fmt, count in counts.items() if count == best]
    for other in top[1:]:  # formats that read the same values: they must agree on every date
        differ = (parsed[top[0]] != parsed[other]).fill_null(False)
        if differ.any():
            raise AmbiguousDates(column, (top[0], other), seen.values.filter(differ)[0])
    return top[0]


@dataclass(frozen=True)
class _Sample:
    """The distinct values of a column and how often each occurs (a column of millions of
    dates holds a few thousand distinct ones)."""

    values: pl.Series
    weights: pl.Series

    @classmethod
    def of(cls, sample: pl.Series) -> _Sample:
        text = sample.drop_nulls().cast(pl.String).str.strip_chars().rename("v")
        text = text.filter(text != "").to_frame()
        counts = text.group_by("v", maintain_order=True).len(name="n")  # examples in file order
        return cls(counts["v"], counts["n"])

    @property
    def total(self) -> int:
        return int(self.weights.sum())

    def parse(self, fmt: str) -> pl.Series:
        frame = pl.DataFrame({"v": self.values})
        dates = date_expr(pl.col("v"), fmt)
        if fmt == EXCEL:  # only a column of recent serials is taken for dates
            serial = _serial(pl.col("v"))
            dates = pl.when(serial.is_between(*_EXCEL_PLAUSIBLE)).then(dates)
        return frame.select(dates).to_series()

    def read_count(self, read: pl.Series) -> int:
        """How many values (with repeats) a parse or a mask reads."""
        mask = read if read.dtype == pl.Boolean else read.is_not_null()
        return int(self.weights.filter(mask).sum())

    def unknown(self, column: str, fmt: str | None, why: str) -> UnknownDateFormat:
        bad = self.values if fmt is None else self.values.filter(self.parse(fmt).is_null())
        examples = ", ".join(repr(v) for v in (bad if bad.len() else self.values).head(3))
        return UnknownDateFormat(
            f"column {column!r}: {why} (e.g. {examples}); give the format with --date-format "
            "(dmy, mdy, ymd or a strftime format such as %d/%m/%Y)"
        )


def _allowed(fmt: str, hint: str | None) -> bool:
    """Whether a day-order hint (if any) admits the format: it rules out the other orders."""
    order = _order(fmt)
    if order is None:
        return True
    return order == hint if hint else order != "ymd"


def _check_mixed_orders(column: str, sample: _Sample, parsed: dict[str, pl.Series]) -> None:
    """Some values read only day first and others only month first: no order is right."""
    for fmt, by_day in parsed.items():
        twin = _twin(fmt)
        if _order(fmt) != "dmy" or twin not in parsed:
            continue
        by_month = parsed[twin]
        either = by_day.is_not_null() | by_month.is_not_null()
        only_day = by_day.is_not_null() & by_month.is_null()
        only_month = by_month.is_not_null() & by_day.is_null()
        if (
            only_day.any()
            and only_month.any()
            and sample.read_count(either) >= _ENOUGH * sample.total
        ):
            day, month = sample.values.filter(only_day)[0], sample.values.filter(only_month)[0]
            raise UnknownDateFormat(
                f"column {column!r} mixes day-first and month-first dates: {day} can only be "
                f"day first ({fmt}) but {month} only month first ({twin}); fix the column at "
                "its source"
            )


def _explain_failure(
    column: str, sample: _Sample, parsed: dict[str, pl.Series], hint: str | None, best: str
) -> None:
    """Raises UnknownDateFormat, saying so when the values contradict a day-order hint, and
    showing values that even the best format does not read."""
    for fmt, dates in parsed.items():
        if not _allowed(fmt, hint) and sample.read_count(dates) >= _ENOUGH * sample.total:
            twin = parsed.get(_twin(fmt) or "")
            proof = dates.is_not_null() & (twin.is_null() if twin is not None else True)
            example = sample.values.filter(proof)[0]
            raise UnknownDateFormat(
                f"column {column!r}: the values read {_ORDER_WORDS[_order(fmt) or '']} ({fmt}, "
                f"e.g. {example!r}), not {_ORDER_WORDS[hint or '']} as date format {hint!r} says"
            )
    share = sample.read_count(parsed[best]) / sample.total
    if share == 0:
        raise sample.unknown(column, None, "no known date format reads its values")
    why = f"no known date format reads its values; the closest, {best}, reads {share:.1%}"
    raise sample.unknown(column, best, why)


# ------------------------------------------------------------------------ dates in free text

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TEXT_DATES = re.compile(
    r"(?<!\d)(?P<cy>\d{4})\s*年\s*(?P<cm>\d{1,2})\s*月\s*(?P<cd>\d{1,2})"  # 2024年1月5日
    r"|(?<!\d)(?P<iy>\d{4})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?!\d)"  # 2024-01-05
    r"|(?<!\d)(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<ny>\d{4})(?!\d)"  # 31/03/2026
    r"|(?<!\d)(?P<dd>\d{1,2})(?:st|nd|rd|th)?[\s-]+(?P<dm>[A-Za-z]{3,9})\.?,?[\s-]+"
    r"(?P<dy>\d{4}|\d{2})(?!\d)"  # 31 March 2026, 1-Apr-26
    r"|\b(?P<mm>[A-Za-z]{3,9})\.?\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<my>\d{4})(?!\d)"
)


def parse_date_text(text: str) -> date | None:
    """The date in a title row ("As of September 25, 2026", "截至2024年12月31日"); the end of
    a range ("2024-01-01 至 2024-01-31"). None when there is none, or when a numeric date
    could be day first or month first and nothing in the text says which."""
    found = list(_TEXT_DATES.finditer(text))
    # Another slash date of the same text (a range's start) may tell the order.
    slashed = [(int(m["a"]), int(m["b"])) for m in found if m["a"] and m["sep"] != "."]
    day_first = any(a > 12 for a, _ in slashed)
    month_first = any(b > 12 for _, b in slashed)
    for match in reversed(found):
        parts = _date_parts(match, day_first, month_first)
        if parts is not None:
            try:
                return date(*parts)
            except ValueError:
                continue
    return None


def _date_parts(match: re.Match[str], day_first: bool, month_first: bool) -> tuple | None:
    """(year, month, day) of one match, None when the match is not (surely) a date."""
    g = match.groupdict()
    if g["cy"]:
        return int(g["cy"]), int(g["cm"]), int(g["cd"])
    if g["iy"]:
        return int(g["iy"]), int(g["im"]), int(g["id"])
    if g["ny"]:
        a, b, year = int(g["a"]), int(g["b"]), int(g["ny"])
        if g["sep"] == "." or a > 12 or (day_first and not month_first):  # dots: SAP d.m.Y
            return year, b, a
        if b > 12 or a == b or (month_first and not day_first):
            return year, a, b
        return None  # 03/04/2026: 3 April or 4 March, and nothing says which
    name, day, year = (g["dm"], g["dd"], g["dy"]) if g["dm"] else (g["mm"], g["md"], g["my"])
    month = _MONTHS.get(name.lower())
    if month is None:
        return None
    year = int(year)
    if len(g["dy"] or "") == 2:  # chrono's rule, as date_expr reads %y
        year += 2000 if year < 70 else 1900
    return year, month, int(day)
