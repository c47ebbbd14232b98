"""Reporting periods (SPEC §6): P = (start, end], named like `2025-12`, `2025-Q4` or `2025`.

`start` is the day before the first day, because AR(start) is the balance P opens with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Every = Literal["month", "quarter", "year"]
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    start: date  # the day before the first day
    end: date  # the last day, D
    label: str

    @property
    def first_day(self) -> date:
        return self.start + ONE_DAY

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - ONE_DAY


def _calendar(year: int, first_month: int, months: int, label: str) -> Period:
    last_month = first_month + months - 1
    return Period(date(year, first_month, 1) - ONE_DAY, month_end(year, last_month), label)


def parse_period(text: str) -> Period:
    """`2025-12` (a month), `2025-Q4` (a quarter) or `2025` (a year)."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return _calendar(year, month, 1, f"{year}-{month:02d}")
    elif m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text):
        year, quarter = int(m[1]), int(m[2])
        return _calendar(year, 3 * quarter - 2, 3, f"{year}-Q{quarter}")
    elif re.fullmatch(r"\d{4}", text):
        return _calendar(int(text), 1, 12, text)
    raise ValueError(
        f"a period is a month (2025-12), a quarter (2025-Q4) or a year (2025), not {text!r}"
    )


def between(first_day: date, last_day: date) -> Period:
    """The period from `first_day` to `last_day`, both included (`--from D1 --to D2`, SPEC §8)."""
    if last_day < first_day:
        raise ValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    return Period(first_day - ONE_DAY, last_day, f"{first_day}..{last_day}")


def series(first_day: date, last_day: date, every: Every) -> list[Period]:
    """The calendar months, quarters or years from `first_day` to `last_day`; a period cut by
    either end is kept, shortened, and named by its dates."""
    months = {"month": 1, "quarter": 3, "year": 12}[every]
    periods: list[Period] = []
    year, month = first_day.year, (first_day.month - 1) // months * months + 1
    while date(year, month, 1) <= last_day:
        whole = _calendar(year, month, months, _name(year, month, every))
        start, end = max(whole.start, first_day - ONE_DAY), min(whole.end, last_day)
        label = whole.label if (start, end) == (whole.start, whole.end) else ""
        periods.append(Period(start, end, label or f"{start + ONE_DAY}..{end}"))
        month += months
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return periods


def _name(year: int, month: int, every: Every) -> str:
    if every == "month":
        return f"{year}-{month:02d}"
    if every == "quarter":
        return f"{year}-Q{(month + 2) // 3}"
    return str(year)


def trailing(
    last_day: date, every: Every, count: int, *, not_before: date | None = None
) -> list[Period]:
    """The `count` calendar months, quarters or years up to the one holding `last_day`, which
    ends there (whole, and named `2025-12`, when `last_day` closes it); periods that end before
    `not_before` (the first document: no data there) are left out, but never the last one."""
    if count < 1:
        raise ValueError("count must be 1 or more")
    months = {"month": 1, "quarter": 3, "year": 12}[every]
    index = last_day.year * 12 + (last_day.month - 1) // months * months - (count - 1) * months
    first = date(index // 12, index % 12 + 1, 1)
    found = series(first, last_day, every)
    if not_before is not None:
        found = [p for p in found[:-1] if p.end >= not_before] + found[-1:]
    return found
