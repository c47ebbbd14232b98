"""Invariants of the sample company (reportgen.sample): a small run, read back from its CSVs."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from reportgen.sample import AS_OF, build, generate
from reportgen.schema import ACTIVITY_TYPES, CREDIT_NOTE_TYPES, OVERDUE_REASONS, TABLES

N_INVOICES = 2_000
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def cents(text: str) -> int:
    """Exact decimal text -> integer cents (no floats)."""
    assert MONEY.match(text), text
    sign = -1 if text.startswith("-") else 1
    units, minor = text.lstrip("-").split(".")
    return sign * (int(units) * 100 + int(minor))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    counts = generate(folder, invoices=N_INVOICES, seed=7)
    for name, n in counts.items():
        assert len(read(folder, name)) == n, name
    return folder


@pytest.fixture(scope="module")
def planted() -> dict[str, list[str]]:
    return build(invoices=N_INVOICES, seed=7).planted


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def day(text: str) -> date:
    return date.fromisoformat(text)


def test_files_are_canonical(out: Path) -> None:
    for path in sorted(out.glob("*.csv")):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path.name
        assert b"\r" not in raw, path.name
        raw.decode("utf-8")
        table = TABLES[path.stem]
        header = raw.split(b"\n", 1)[0].decode().split(",")
        assert set(table.required) <= set(header), path.name
        assert all(table.column(h) is not None for h in header), path.name
    assert (out / "README.md").exists()


def test_sizes(out: Path, planted: dict[str, list[str]]) -> None:
    customers = read(out, "customers.csv")
    assert len(customers) == 300
    # the planted invoice keyed twice is one more row
    assert len(read(out, "invoices.csv")) == N_INVOICES + len(planted["duplicate_invoice"])
    assert len({c["customer_id"] for c in customers}) == 300
    export = sum(c["currency"] == "USD" for c in customers)
    assert 30 <= export <= 45


def test_money_and_dates(out: Path) -> None:
    invoices = read(out, "invoices.csv")
    assert all(cents(i["amount"]) > 0 for i in invoices)
    assert all(day("2024-01-01") <= day(i["invoice_date"]) <= AS_OF for i in invoices)
    blank_due = sum(not i["due_date"] for i in invoices)
    assert 0.01 * N_INVOICES <= blank_due <= 0.05 * N_INVOICES
    for name, field in (("payments.csv", "payment_date"), ("credit_notes.csv", "date")):
        assert all(day(r[field]) <= AS_OF for r in read(out, name)), name
    for n in read(out, "credit_notes.csv"):
        assert cents(n["amount"]) > 0 and n["type"] in CREDIT_NOTE_TYPES
    assert all(cents(o["amount"]) > 0 for o in read(out, "open_orders.csv"))


def test_only_refunds_are_negative(out: Path, planted: dict[str, list[str]]) -> None:
    payments = read(out, "payments.csv")
    negative = [p for p in payments if cents(p["amount"]) <= 0]
    assert 1 <= len(negative) <= 2
    assert sorted(p["payment_id"] for p in negative) == sorted(planted["refund"])
    assert all(not p["invoice_id"] for p in negative)


def test_due_dates_follow_terms(out: Path) -> None:
    terms = {c["customer_id"]: int(c["payment_terms_days"]) for c in read(out, "customers.csv")}
    for i in read(out, "invoices.csv"):
        if i["due_date"]:
            expected = day(i["invoice_date"]) + timedelta(days=terms[i["customer_id"]])
            assert day(i["due_date"]) == expected, i["invoice_id"]


def test_schedules_sum_exactly(out: Path) -> None:
    invoices = {i["invoice_id"]: i for i in read(out, "invoices.csv")}
    parts: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read(out, "payment_schedule.csv"):
        parts[row["invoice_id"]].append(row)
    assert 0.01 * N_INVOICES <= len(parts) <= 0.03 * N_INVOICES
    for inv_id, rows in parts.items():
        assert 2 <= len(rows) <= 4
        assert sum(cents(r["amount"]) for r in rows) == cents(invoices[inv_id]["amount"])
        assert [int(r["instalment"]) for r in rows] == list(range(1, len(rows) + 1))
        dues = [day(r["due_date"]) for r in rows]
        assert dues == sorted(dues) and dues[0] >= day(invoices[inv_id]["invoice_date"])


def test_references(out: Path, planted: dict[str, list[str]]) -> None:
    customers = {c["customer_id"] for c in read(out, "customers.csv")}
    invoices = {i["invoice_id"]: i for i in read(out, "invoices.csv")}
    wrong = set(planted["wrong_reference"])
    cross = set(planted["cross_reference"])
    for p in read(out, "payments.csv"):
        assert p["customer_id"] in customers
        ref = p["invoice_id"]
        if p["payment_id"] in wrong:
            assert ref and ref not in invoices
        elif p["payment_id"] in cross:
            assert invoices[ref]["customer_id"] != p["customer_id"]
        elif ref:
            assert invoices[ref]["customer_id"] == p["customer_id"], p["payment_id"]
            assert day(p["payment_date"]) >= day(invoices[ref]["invoice_date"])
    for n in read(out, "credit_notes.csv"):
        assert n["customer_id"] in customers
        if n["invoice_id"]:
            inv = invoices[n["invoice_id"]]
            assert inv["customer_id"] == n["customer_id"]
            assert day(n["date"]) >= day(inv["invoice_date"])
    for a in read(out, "activities.csv"):
        assert a["customer_id"] in customers
        if a["invoice_id"]:
            assert invoices[a["invoice_id"]]["customer_id"] == a["customer_id"]
    assert len(wrong) >= 3 and len(cross) == 2


def test_no_overpayment_beyond_the_planted(out: Path, planted: dict[str, list[str]]) -> None:
    """Referenced documents never exceed their invoice, except the planted over/duplicate
    payments, and an over-payment is a small rounding-up."""
    rows = read(out, "invoices.csv")
    invoices = {i["invoice_id"]: cents(i["amount"]) for i in rows}
    owner = {i["invoice_id"]: i["customer_id"] for i in rows}
    payments = read(out, "payments.csv")
    applied: dict[str, int] = defaultdict(int)
    for doc in [*payments, *read(out, "credit_notes.csv")]:
        if owner.get(doc["invoice_id"]) == doc["customer_id"]:  # a valid reference (SPEC §2.2)
            applied[doc["invoice_id"]] += cents(doc["amount"])
    special = set(planted["overpayment"]) | set(planted["duplicate"])
    special |= set(planted.get("duplicate_booking", []))
    allowed = {p["invoice_id"] for p in payments if p["payment_id"] in special}
    excess = {i: applied[i] - invoices[i] for i in applied if applied[i] > invoices[i]}
    assert set(excess) == allowed
    for p in payments:
        if p["payment_id"] in planted["overpayment"]:
            assert 0 < excess[p["invoice_id"]] < 10_000  # less than 100.00 rounding-up


def test_unreferenced_payments(out: Path, planted: dict[str, list[str]]) -> None:
    payments = read(out, "payments.csv")
    on_account = [p for p in payments if not p["invoice_id"] and cents(p["amount"]) > 0]
    assert 0.04 <= len(on_account) / len(payments) <= 0.09
    first_invoice: dict[str, date] = {}
    for i in read(out, "invoices.csv"):
        first_invoice.setdefault(i["customer_id"], day(i["invoice_date"]))
    for p in on_account:  # paying what was billed, except the planted advances
        if p["payment_id"] not in planted["advance"]:
            assert day(p["payment_date"]) >= first_invoice[p["customer_id"]]


def balances(out: Path, at: date) -> dict[str, int]:
    """Invoices − payments − credit notes dated ≤ at, per customer, in its own currency."""
    result: dict[str, int] = defaultdict(int)
    for i in read(out, "invoices.csv"):
        if day(i["invoice_date"]) <= at:
            result[i["customer_id"]] += cents(i["amount"])
    for name, field in (("payments.csv", "payment_date"), ("credit_notes.csv", "date")):
        for r in read(out, name):
            if day(r[field]) <= at:
                result[r["customer_id"]] -= cents(r["amount"])
    return result


def test_refunds_and_advances_leave_credit(out: Path, planted: dict[str, list[str]]) -> None:
    payments = {p["payment_id"]: p for p in read(out, "payments.csv")}
    for pid in planted["refund"]:
        p = payments[pid]
        after = balances(out, day(p["payment_date"]))[p["customer_id"]]
        assert after <= 0  # the customer was in credit by at least the refund
    ending = balances(out, AS_OF)
    assert len(planted["advance"]) == 2
    for pid in planted["advance"]:
        assert ending[payments[pid]["customer_id"]] < 0


def test_credit_limits(out: Path, planted: dict[str, list[str]]) -> None:
    customers = read(out, "customers.csv")
    rates = {r["date"]: r["rate"] for r in read(out, "fx_rates.csv")}
    usd = float(rates[AS_OF.isoformat()])
    orders = {o["customer_id"]: cents(o["amount"]) for o in read(out, "open_orders.csv")}
    ending = balances(out, AS_OF)
    over = []
    for c in customers:
        if not c["credit_limit"]:
            continue
        owed = ending[c["customer_id"]] * (usd if c["currency"] == "USD" else 1)
        if owed + orders.get(c["customer_id"], 0) > cents(c["credit_limit"]):
            over.append(c["customer_id"])
    assert sorted(over) == sorted(planted["over_limit"] + planted["cash_only"])
    assert 0.05 <= len(over) / len(customers) <= 0.08
    assert sum(c["credit_limit"] == "0.00" for c in customers) == 2
    assert 0.03 <= sum(not c["credit_limit"] for c in customers) / len(customers) <= 0.07


def test_short_payments_stay_within_the_reconciliation_tolerance(
    out: Path, planted: dict[str, list[str]]
) -> None:
    invoices = {i["invoice_id"]: cents(i["amount"]) for i in read(out, "invoices.csv")}
    payments = {p["payment_id"]: p for p in read(out, "payments.csv")}
    assert len(planted["short_payment"]) == 4
    for pid in planted["short_payment"]:
        p = payments[pid]
        residue = invoices[p["invoice_id"]] - cents(p["amount"])
        assert 0 < residue <= max(100, invoices[p["invoice_id"]] * 5 // 1000), pid


def test_gl_balances_are_month_ends(out: Path, planted: dict[str, list[str]]) -> None:
    rows = read(out, "gl_balances.csv")
    assert [r["date"][:7] for r in rows] == [f"{y}-{m:02d}" for y in (2024, 2025)
                                            for m in range(1, 13)]  # fmt: skip
    assert len(planted["gl_difference"]) == 2
    assert set(planted["gl_difference"]) <= {r["date"] for r in rows}


def test_fx_rates(out: Path) -> None:
    rows = read(out, "fx_rates.csv")
    assert {r["currency"] for r in rows} == {"USD"}
    dates = {day(r["date"]) for r in rows}
    d = date(2023, 12, 31)
    while d <= AS_OF:
        assert d in dates
        d += timedelta(days=1)
    assert all(7.0 <= float(r["rate"]) <= 7.35 for r in rows)


def test_statements(out: Path, planted: dict[str, list[str]]) -> None:
    rows = read(out, "statements.csv")
    assert len(rows) == 40
    ours = {d: balances(out, day(d)) for d in ("2025-06-30", "2025-12-31")}
    differ = {
        r["customer_id"]
        for r in rows
        if cents(r["confirmed_balance"]) != ours[r["statement_date"]][r["customer_id"]]
    }
    assert differ == set(planted["statement_difference"])
    assert 2 <= len(differ) <= 5


def test_activities(out: Path) -> None:
    rows = read(out, "activities.csv")
    assert {a["type"] for a in rows} <= set(ACTIVITY_TYPES)
    reasons = [a["reason"] for a in rows if a["reason"]]
    assert set(reasons) <= set(OVERDUE_REASONS)
    assert all(reasons.count(r) >= 2 for r in OVERDUE_REASONS)
    assert all(day(a["date"]) >= date(2025, 1, 1) for a in rows)
    assert len({a["activity_id"] for a in rows}) == len(rows)
    lang = {c["customer_id"]: c["language"] for c in read(out, "customers.csv")}
    han = re.compile(r"[\u4e00-\u9fff]")
    for a in rows:  # notes in the customer's language
        assert bool(han.search(a["note"])) == (lang[a["customer_id"]] == "zh")
        assert "<" not in a["note"] and "](" not in a["note"]


def test_promise_outcomes_follow_the_payments(out: Path) -> None:
    """SPEC §8: kept when the customer paid at least the amount from the activity date up to
    promised_date inclusive."""
    paid: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for p in read(out, "payments.csv"):
        paid[p["customer_id"]].append((day(p["payment_date"]), cents(p["amount"])))
    promises = [a for a in read(out, "activities.csv") if a["type"] == "promise"]
    assert promises
    outcomes = set()
    for a in promises:
        start, end = day(a["date"]), day(a["promised_date"])
        total = sum(v for d, v in paid[a["customer_id"]] if start <= d <= end)
        if end > AS_OF:
            assert a["outcome"] == ""
            continue
        assert a["outcome"] == ("kept" if total >= cents(a["amount"]) else "broken")
        outcomes.add(a["outcome"])
    assert outcomes == {"kept", "broken"}


def test_deterministic(tmp_path: Path, out: Path) -> None:
    again = tmp_path / "again"
    generate(again, invoices=N_INVOICES, seed=7)
    for path in sorted(out.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
    other = tmp_path / "other"
    generate(other, invoices=N_INVOICES, seed=8)
    assert (other / "invoices.csv").read_bytes() != (out / "invoices.csv").read_bytes()
