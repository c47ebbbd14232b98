"""The credit policy (issue 7): dunning ladder, late interest, fees, credit hold, scorecard.

One frozen `Policy`, read once from TOML and passed explicitly. The default ships with the
package (`policy_default.toml`, every key documented there); a user's file overrides it key by
key (a `[[ladder]]` given replaces the whole ladder). An unknown key is an error naming the
key and the file: a misspelt rule must never be silently ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_FILE = "policy_default.toml"
DEFAULT_SOURCE = f"reportgen/{DEFAULT_FILE}"
GRADES = ("A", "B", "C", "D", "E")
FACTORS = (
    "days_late",
    "days_late_trend",
    "utilization",
    "max_days_overdue",
    "broken_promises",
    "disputes",
    "exposure_share",
)
RUNG_KEYS = {
    "key", "from_days", "to_days", "within_business_days", "channel", "owner", "owner_zh", "fee",
    "pay_within_days",
}  # fmt: skip
COLLECTOR = "collector"  # a rung's owner that means the customer's own collector
# The roles the shipped ladder names, in Chinese: a rung without its own `owner_zh` that
# names one of these reads so in Chinese; any other owner is a name, kept as written.
ROLE_ZH: dict[str, str] = {COLLECTOR: "客户负责人", "Credit manager": "信用经理", "Legal": "法务部"}


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Rung:
    """One step of the dunning ladder: items `from_days`..`to_days` overdue (inclusive;
    negative = before the due date; `to_days` None = no upper end)."""

    key: str
    from_days: int
    to_days: int | None
    within_business_days: int
    channel: str
    owner: str
    fee: Decimal
    owner_zh: str = ""  # the owner in Chinese; "" = ROLE_ZH's, else as written
    # the letter asks for payment this many calendar days after its date (D); None = by the
    # last day before the oldest item reaches the next rung (the due date before it is due)
    pay_within_days: int | None = None

    def holds(self, days: int) -> bool:
        return days >= self.from_days and (self.to_days is None or days <= self.to_days)

    def owner_words(self, lang: str = "en") -> str:
        """Who acts on this rung, in `lang` (en | zh): in Chinese the policy's `owner_zh`,
        else the shipped role's words, else the owner as the policy writes it (a name)."""
        if lang == "zh":
            return self.owner_zh or ROLE_ZH.get(self.owner, self.owner)
        return "the customer's collector" if self.owner == COLLECTOR else self.owner


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days: not a weekend or public holiday of the country (the `holidays`
    package, which also knows the weekend days some countries work in exchange), nor one of
    the company's own closing days."""

    country: str
    subdivision: str = ""
    extra_holidays: tuple[date, ...] = ()

    @cached_property
    def _holidays(self):
        import holidays  # a data package: loaded only when a deadline is computed

        return holidays.country_holidays(self.country, subdiv=self.subdivision or None)

    def is_business_day(self, day: date) -> bool:
        return day not in self.extra_holidays and self._holidays.is_working_day(day)

    def deadline(self, start: date, within: int) -> date:
        """The `within`-th business day after `start`; for 0, `start` itself when it is a
        business day, else the next one."""
        day = start
        if within == 0:
            while not self.is_business_day(day):
                day += timedelta(days=1)
            return day
        left = within
        while left:
            day += timedelta(days=1)
            left -= self.is_business_day(day)
        return day


@dataclass(frozen=True)
class Rating:
    lookback_months: int
    grades: tuple[tuple[str, float], ...]  # (grade, upper bound of its score), A..D
    weights: tuple[tuple[str, float], ...]  # (factor, weight) in FACTORS order
    full_at: tuple[tuple[str, float], ...]  # (factor, value that scores 100 points)

    def grade(self, score: float) -> str:
        for grade, bound in self.grades:
            if score < bound:
                return grade
        return GRADES[-1]


@dataclass(frozen=True)
class Policy:
    source: str  # the file(s) it was read from, for messages and the methodology page
    calendar: BusinessCalendar
    annual_rate_percent: Decimal
    interest_on_disputed: bool
    hold_after_days: int
    escalate_after_broken: int
    plan_grace_days: int
    ladder: tuple[Rung, ...]
    days_scale: int
    risk_weights: tuple[tuple[str, float], ...]
    rating: Rating
    utilization_jump: float
    warning_overdue_days: int
    slowing_periods: int

    @property
    def is_default(self) -> bool:
        return self.source == DEFAULT_SOURCE

    @property
    def file_name(self) -> str:
        """The file's name without its folders, for pages other people read (a path on the
        machine that built them says nothing to them)."""
        return self.source if self.is_default else Path(self.source).name

    def rung_for(self, days_overdue: int) -> Rung | None:
        return next((r for r in self.ladder if r.holds(days_overdue)), None)

    def rung(self, key: str) -> Rung:
        return next(r for r in self.ladder if r.key == key)

    @property
    def rate_ppm(self) -> int:
        """The annual rate in parts per million of the amount (10 % = 100000): exact."""
        return int(self.annual_rate_percent * 10_000)


# --- reading ---------------------------------------------------------------------------


def _default_text() -> str:
    return resources.files("reportgen").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")


def _merge(base: dict, override: dict, where: str, file: str) -> dict:
    """`override` on top of `base`, key by key; a key the default does not have is an error."""
    merged = dict(base)
    for key, value in override.items():
        name = f"{where}.{key}" if where else key
        if key not in base:
            raise PolicyError(f"{file}: unknown key {name!r} in the credit policy")
        if isinstance(base[key], dict) and key not in ("risk_weights", "grades"):
            if not isinstance(value, dict):
                raise PolicyError(f"{file}: {name!r} must be a table")
            merged[key] = _merge(base[key], value, name, file)
        elif isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise PolicyError(f"{file}: {name!r} must be a table")
            unknown = sorted(set(value) - set(base[key]))
            if unknown:
                raise PolicyError(f"{file}: unknown key '{name}.{unknown[0]}' in the credit policy")
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged


def load_policy(path: Path | None = None) -> Policy:
    """The default policy, with the file at `path` (if any) on top of it."""
    raw = tomllib.loads(_default_text())
    source = DEFAULT_SOURCE
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(
                f"{path}: cannot read the policy file ({exc.strerror or exc})"
            ) from None
        try:
            user = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{path}: not valid TOML ({exc})") from None
        raw = _merge(raw, user, "", str(path))
        source = str(path)
    return _build(raw, source)


def _get(table: dict, key: str, kind: type, file: str, where: str) -> Any:
    value = table.get(key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        article = "an" if kind is int else "a"
        raise PolicyError(f"{file}: {where}.{key} must be {article} {kind.__name__}, not {value!r}")
    return value


def _decimal(value: Any, file: str, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PolicyError(f"{file}: {where} must be a number, not {value!r}") from None
    if not number.is_finite() or number < 0:
        raise PolicyError(f"{file}: {where} must be a number of at least 0, not {value!r}")
    return number


def _ladder(rows: Any, file: str) -> tuple[Rung, ...]:
    if not isinstance(rows, list) or not rows:
        raise PolicyError(f"{file}: the ladder needs at least one [[ladder]] rung")
    rungs = []
    for i, row in enumerate(rows, start=1):
        where = f"ladder[{i}]"
        unknown = sorted(set(row) - RUNG_KEYS)
        if unknown:
            raise PolicyError(f"{file}: unknown key '{where}.{unknown[0]}' in the credit policy")
        to_days = row.get("to_days")
        if to_days is not None and (not isinstance(to_days, int) or isinstance(to_days, bool)):
            raise PolicyError(f"{file}: {where}.to_days must be an int, not {to_days!r}")
        rung = Rung(
            key=_get(row, "key", str, file, where),
            from_days=_get(row, "from_days", int, file, where),
            to_days=to_days,
            within_business_days=_get(row, "within_business_days", int, file, where),
            channel=_get(row, "channel", str, file, where),
            owner=_get(row, "owner", str, file, where),
            fee=_decimal(row.get("fee", "0"), file, f"{where}.fee"),
            owner_zh=_get(row, "owner_zh", str, file, where) if "owner_zh" in row else "",
            pay_within_days=_get(row, "pay_within_days", int, file, where)
            if "pay_within_days" in row
            else None,
        )
        if rung.to_days is not None and rung.to_days < rung.from_days:
            raise PolicyError(f"{file}: {where} ends ({rung.to_days}) before it starts")
        if rung.within_business_days < 0:
            raise PolicyError(f"{file}: {where}.within_business_days must be 0 or more")
        if rung.pay_within_days is not None and rung.pay_within_days < 0:
            raise PolicyError(
                f"{file}: {where}.pay_within_days must be 0 or more, not {rung.pay_within_days}"
            )
        rungs.append(rung)
    for before, after in zip(rungs, rungs[1:], strict=False):
        if before.to_days is None or after.from_days <= before.to_days:
            raise PolicyError(
                f"{file}: ladder rungs {before.key!r} and {after.key!r} overlap or are out of order"
            )
    if len({r.key for r in rungs}) != len(rungs):
        raise PolicyError(f"{file}: two ladder rungs have the same key")
    return tuple(rungs)


def _build(raw: dict, file: str) -> Policy:
    cal, interest = raw["calendar"], raw["interest"]
    promises, priority = raw["promises"], raw["priority"]
    rating, warnings = raw["rating"], raw["warnings"]
    try:
        extra = tuple(date.fromisoformat(str(d)) for d in cal.get("extra_holidays", []))
    except ValueError as exc:
        raise PolicyError(f"{file}: calendar.extra_holidays: {exc}") from None
    country = _get(cal, "country", str, file, "calendar")
    try:
        import holidays

        holidays.country_holidays(country, subdiv=cal.get("subdivision") or None)
    except (NotImplementedError, KeyError):
        raise PolicyError(
            f"{file}: calendar.country {country!r} is not a known holiday calendar"
        ) from None
    grades = rating["grades"]
    if sorted(grades) != list(GRADES[:-1]):
        raise PolicyError(f"{file}: rating.grades must give the bounds of A, B, C and D")
    bounds = [float(_get(grades, g, float, file, "rating.grades")) for g in GRADES[:-1]]
    if bounds != sorted(bounds):
        raise PolicyError(f"{file}: rating.grades must increase from A to D")
    weights = tuple((f, _get(rating["weights"], f, float, file, "rating.weights")) for f in FACTORS)
    if any(w < 0 for _, w in weights) or sum(w for _, w in weights) <= 0:
        raise PolicyError(f"{file}: rating.weights must be 0 or more and not all 0")
    full_at = tuple((f, _get(rating["full_at"], f, float, file, "rating.full_at")) for f in FACTORS)
    if any(v <= 0 for _, v in full_at):
        raise PolicyError(f"{file}: every rating.full_at value must be more than 0")
    rate = _decimal(interest["annual_rate_percent"], file, "interest.annual_rate_percent")
    if (rate * 10_000) % 1:  # the rate is held exactly in millionths (Policy.rate_ppm)
        raise PolicyError(
            f"{file}: interest.annual_rate_percent has at most 4 decimals, not {rate}"
        )
    risk = priority["risk_weights"]
    if sorted(risk) != list(GRADES):
        raise PolicyError(f"{file}: priority.risk_weights must give A, B, C, D and E")
    return Policy(
        source=file,
        calendar=BusinessCalendar(country, cal.get("subdivision", ""), extra),
        annual_rate_percent=rate,
        interest_on_disputed=_get(interest, "on_disputed", bool, file, "interest"),
        hold_after_days=_get(raw["credit_hold"], "hold_after_days", int, file, "credit_hold"),
        escalate_after_broken=_get(
            promises, "escalate_after_broken_in_a_row", int, file, "promises"
        ),
        plan_grace_days=_get(promises, "plan_grace_days", int, file, "promises"),
        ladder=_ladder(raw["ladder"], file),
        days_scale=_get(priority, "days_scale", int, file, "priority"),
        risk_weights=tuple(
            (g, _get(risk, g, float, file, "priority.risk_weights")) for g in GRADES
        ),
        rating=Rating(
            lookback_months=_get(rating, "lookback_months", int, file, "rating"),
            grades=tuple(zip(GRADES[:-1], bounds, strict=True)),
            weights=weights,
            full_at=full_at,
        ),
        utilization_jump=_get(warnings, "utilization_jump", float, file, "warnings"),
        warning_overdue_days=_get(warnings, "overdue_days", int, file, "warnings"),
        slowing_periods=_get(warnings, "slowing_periods", int, file, "warnings"),
    )


def default_policy() -> Policy:
    return load_policy(None)
