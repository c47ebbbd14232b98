"""Properties of the ledger over random small ledgers (hypothesis): the buckets add up, nothing
is created or lost, row order does not matter, and a paid invoice is closed.

A generated ledger has 1-4 customers, 0-8 invoices of 1-3 instalments, payments that reference
their own invoice, another customer's, an unknown one or none, refunds, and credit notes; money
in whole cents. Each example is written as CSV and loaded like a user's folder.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from reportgen.aging import aging_summary, bucket_labels
from reportgen.credit import customer_exposure
from reportgen.ledger import open_items
from reportgen.load import Dataset, load
from reportgen.outputs import customer_aging

START = date(2024, 1, 1)
MODES = ("fifo", "open-item")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@dataclass
class Ledger:
    """A ledger as rows of text, one list per canonical file (header first)."""

    files: dict[str, list[list[str]]] = field(default_factory=dict)
    invoices: list[tuple[str, str, date, int]] = field(default_factory=list)  # id, cust, day, ¢
    payments: list[tuple[str, str, date, int]] = field(default_factory=list)
    notes: list[tuple[str, str, date, int]] = field(default_factory=list)
    multi_currency: bool = False

    def write(self, folder: Path, order: dict[str, list[int]] | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, (header, *rows) in self.files.items():
            if order is not None:
                rows = [rows[i] for i in order[name]]
            text = "\n".join(",".join(cells) for cells in [header, *rows]) + "\n"
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
        return folder


days = st.integers(0, 120).map(lambda k: START + timedelta(days=k))
cents = st.integers(1, 50_000)


@st.composite
def ledgers(draw, *, multi_currency: bool = False) -> Ledger:
    ledger = Ledger(multi_currency=multi_currency)
    customers = [f"C{i}" for i in range(draw(st.integers(1, 4)))]
    currencies = ["EUR", "USD"] if multi_currency else []

    def currency() -> list[str]:
        return [draw(st.sampled_from(currencies))] if currencies else []

    ccy_header = ["currency"] if currencies else []
    ledger.files["customers"] = [["customer_id", "name", "credit_limit"]] + [
        [c, f"Customer {c}", draw(st.sampled_from(["", "0", "100.00", "2500.00"]))]
        for c in customers]

    stated_instalments = draw(st.booleans())
    invoice_rows = [["invoice_id", "customer_id", "invoice_date", "amount", "due_date",
                     *ccy_header]]
    schedule_rows = [["invoice_id", "due_date", "amount",
                      *(["instalment"] if stated_instalments else [])]]
    for i in range(draw(st.integers(0, 8))):
        invoice_id, customer = f"I{i}", draw(st.sampled_from(customers))
        day = draw(days)
        due = day + timedelta(days=draw(st.integers(0, 60)))
        parts = draw(st.lists(cents, min_size=1, max_size=3))
        amount = sum(parts)
        invoice_rows.append([invoice_id, customer, day.isoformat(), money(amount),
                             due.isoformat(), *currency()])
        ledger.invoices.append((invoice_id, customer, day, amount))
        if len(parts) > 1:
            # Few distinct offsets, so that same-day instalments are common: their numbering
            # must not depend on the order of the file either.
            offsets = draw(st.lists(st.sampled_from([0, 15, 30, 60]), min_size=len(parts),
                                    max_size=len(parts)))
            for n, (part, offset) in enumerate(zip(parts, offsets, strict=True), start=1):
                row = [invoice_id, (day + timedelta(days=offset)).isoformat(), money(part)]
                schedule_rows.append(row + ([str(n)] if stated_instalments else []))
    ledger.files["invoices"] = invoice_rows
    if len(schedule_rows) > 1:
        ledger.files["payment_schedule"] = schedule_rows

    invoice_ids = [i for i, *_ in ledger.invoices]

    def reference() -> str:
        kind = draw(st.sampled_from(["none", "own", "any", "unknown"]))
        if kind == "unknown":
            return "NOPE"
        if kind == "none" or not invoice_ids:
            return ""
        return draw(st.sampled_from(invoice_ids))  # "own" or "any": may be another customer's

    payment_rows = [["payment_id", "customer_id", "payment_date", "amount", "invoice_id",
                     *ccy_header]]
    for i in range(draw(st.integers(0, 8))):
        customer, day = draw(st.sampled_from(customers)), draw(days)
        amount = draw(cents) * (-1 if draw(st.integers(0, 9)) == 0 else 1)  # some refunds
        ref = reference()
        if ref and draw(st.booleans()):  # prefer a reference to the payer's own invoice
            own = [i for i, c, *_ in ledger.invoices if c == customer]
            ref = draw(st.sampled_from(own)) if own else ref
        payment_rows.append([f"P{i}", customer, day.isoformat(), money(amount), ref,
                             *currency()])
        ledger.payments.append((f"P{i}", customer, day, amount))
    ledger.files["payments"] = payment_rows

    note_rows = [["credit_note_id", "customer_id", "date", "amount", "invoice_id", *ccy_header]]
    for i in range(draw(st.integers(0, 4))):
        customer, day, amount = draw(st.sampled_from(customers)), draw(days), draw(cents)
        note_rows.append([f"N{i}", customer, day.isoformat(), money(amount), reference(),
                          *currency()])
        ledger.notes.append((f"N{i}", customer, day, amount))
    ledger.files["credit_notes"] = note_rows

    if multi_currency:
        rate = draw(st.sampled_from(["1.2345", "0.5", "7.0123", "1.005"]))
        ledger.files["fx_rates"] = [["date", "currency", "rate"],
                                    [(START - timedelta(days=1)).isoformat(), "USD", rate]]
    return ledger


def loaded(ledger: Ledger, folder: Path, order=None) -> Dataset:
    ds = load(ledger.write(folder, order), base_currency="EUR" if ledger.multi_currency else None)
    assert ds.errors.height == 0, ds.errors  # the generator writes valid data only
    return ds


as_of_dates = st.integers(0, 200).map(lambda k: START + timedelta(days=k))
bound_lists = st.sampled_from([(30, 60, 90, 120), (3, 7), (60, 120), (30,), (1, 2, 3)])


# --- (1) the buckets add up ------------------------------------------------------------------


@SETTINGS
@given(ledger=st.booleans().flatmap(lambda fx: ledgers(multi_currency=fx)), as_of=as_of_dates,
       bounds=bound_lists, mode=st.sampled_from(MODES))
def test_buckets_add_up_to_the_open_amount(ledger, as_of, bounds, mode):
    with tempfile.TemporaryDirectory() as tmp:
        ds = loaded(ledger, Path(tmp))
        items = open_items(ds, as_of=as_of, unapplied=mode).collect()
        for basis in ("due", "invoice"):
            labels = bucket_labels(bounds, basis=basis)
            summary = aging_summary(items.lazy(), as_of=as_of, bounds=bounds,
                                    basis=basis).collect()
            bucket_sum = summary.select(pl.sum_horizontal(labels)).to_series()
            assert (bucket_sum == summary["open_amount"]).all(), (basis, summary)
            assert (summary["net_balance"]
                    == summary["open_amount"] - summary["unapplied_credit"]).all()
            if mode == "open-item":
                assert (summary["unapplied_credit"] == 0).all()
        # Σ items of a customer is its net balance.
        per_customer = dict(items.group_by("customer_id").agg(pl.col("open_amount").sum())
                            .iter_rows())
        assert per_customer == dict(summary.select("customer_id", "net_balance").iter_rows())
        # The decimal report (every customer, zeros included) adds up too.
        report = customer_aging(ds, as_of=as_of, bounds=bounds, unapplied=mode).collect()
        labels = bucket_labels(bounds)
        for row in report.iter_rows(named=True):
            assert sum(row[label] for label in labels) == row["open_amount"]


# --- (2) nothing is created or lost ------------------------------------------------------------


@SETTINGS
@given(ledger=ledgers(), as_of=as_of_dates)
def test_open_items_conserve_money_to_the_cent(ledger, as_of):
    def on_d(rows):
        totals: dict[str, int] = {}
        for _, customer, day, amount in rows:
            if day <= as_of:
                totals[customer] = totals.get(customer, 0) + amount
        return totals

    invoiced, paid, credited = on_d(ledger.invoices), on_d(ledger.payments), on_d(ledger.notes)
    customers = set(invoiced) | set(paid) | set(credited)
    expected = {c: invoiced.get(c, 0) - paid.get(c, 0) - credited.get(c, 0) for c in customers}
    with tempfile.TemporaryDirectory() as tmp:
        ds = loaded(ledger, Path(tmp))
        for mode in MODES:
            items = open_items(ds, as_of=as_of, unapplied=mode).collect()
            totals = dict(items.group_by("customer_id").agg(pl.col("open_amount").sum())
                          .iter_rows())
            assert {c: v for c, v in totals.items() if v} == {
                c: v for c, v in expected.items() if v}, mode
            # Every item is within its bounds: an instalment is open between 0 and its amount,
            # credits are negative, refunds owed are positive.
            invoice_items = items.filter(pl.col("kind") == "invoice")
            assert (invoice_items["open_amount"] >= 0).all()
            assert (invoice_items["open_amount"] <= invoice_items["amount"]).all()
            assert (items.filter(pl.col("kind").is_in(["credit", "unapplied"]))
                    ["open_amount"] < 0).all()
            assert (items.filter(pl.col("kind") == "refund")["open_amount"] > 0).all()
            assert set(items["kind"]) <= {"invoice", "credit", "unapplied", "refund"}
            # Instalments of an invoice on D add up to the invoice amount.
            sums = dict(invoice_items.group_by("item_id").agg(pl.col("amount").sum())
                        .iter_rows())
            assert sums == {i: a for i, _, day, a in ledger.invoices if day <= as_of}


# --- (3) row order does not matter -------------------------------------------------------------


@SETTINGS
@given(ledger=st.booleans().flatmap(lambda fx: ledgers(multi_currency=fx)), as_of=as_of_dates,
       seed=st.integers(0, 2**32 - 1), mode=st.sampled_from(MODES))
def test_shuffling_every_file_gives_the_identical_result(ledger, as_of, seed, mode):
    shuffle = random.Random(seed)
    order = {}
    for name, (_, *rows) in ledger.files.items():
        positions = list(range(len(rows)))
        shuffle.shuffle(positions)
        order[name] = positions
    with tempfile.TemporaryDirectory() as tmp:
        original = loaded(ledger, Path(tmp) / "original")
        shuffled = loaded(ledger, Path(tmp) / "shuffled", order)
        a, b = (open_items(ds, as_of=as_of, unapplied=mode).collect()
                for ds in (original, shuffled))
        keys = ["customer_id", "kind", "item_id", "instalment"]
        assert_frame_equal(a.sort(keys, nulls_last=True), b.sort(keys, nulls_last=True))
        # The customer rows (names, limits, exposure) too.
        a, b = (customer_exposure(aging_summary(items.lazy(), as_of=as_of), ds).collect()
                for items, ds in ((a, original), (b, shuffled)))
        assert_frame_equal(a, b)


# --- (4) a paid invoice is closed --------------------------------------------------------------


@SETTINGS
@given(ledger=ledgers(), invoice_day=days, paid_after=st.integers(0, 60),
       later=st.integers(0, 60), parts=st.lists(cents, min_size=1, max_size=3),
       mode=st.sampled_from(MODES))
def test_invoice_is_closed_once_its_full_payment_is_dated_on_or_before_d(
        ledger, invoice_day, paid_after, later, parts, mode):
    customer = ledger.files["customers"][1][0]
    amount = sum(parts)
    pay_day = invoice_day + timedelta(days=paid_after)
    ledger.files["invoices"].append(["X", customer, invoice_day.isoformat(), money(amount),
                                     (invoice_day + timedelta(days=30)).isoformat()])
    if len(parts) > 1:
        schedule = ledger.files.setdefault("payment_schedule",
                                           [["invoice_id", "due_date", "amount"]])
        stated = len(schedule[0]) == 4
        for n, part in enumerate(parts, start=1):
            due = (invoice_day + timedelta(days=10 * n)).isoformat()
            schedule.append(["X", due, money(part), *([str(n)] if stated else [])])
    ledger.files["payments"].append(["PX", customer, pay_day.isoformat(), money(amount), "X"])
    with tempfile.TemporaryDirectory() as tmp:
        ds = loaded(ledger, Path(tmp))
        for as_of in (pay_day, pay_day + timedelta(days=later)):
            items = open_items(ds, as_of=as_of, unapplied=mode).collect()
            x = items.filter((pl.col("item_id") == "X") & (pl.col("kind") == "invoice"))
            assert x["open_amount"].to_list() == [0] * len(x)
            # PX paid exactly its invoice: it leaves no credit of its own.
            assert items.filter(pl.col("item_id") == "PX").height == 0


# --- a tie the SPEC leaves open -----------------------------------------------------------------

SAME_DAY = ["I1,2024-02-01,30.00", "I1,2024-02-01,70.00"]


def test_same_day_instalments_do_not_depend_on_file_order(tmp_path):
    results = []
    for n, rows in enumerate((SAME_DAY, SAME_DAY[::-1])):
        folder = tmp_path / str(n)
        folder.mkdir()
        (folder / "invoices.csv").write_text(
            "invoice_id,customer_id,invoice_date,amount,due_date\n"
            "I1,C1,2024-01-01,100.00,2024-02-01\n")
        (folder / "payment_schedule.csv").write_text(
            "invoice_id,due_date,amount\n" + "\n".join(rows) + "\n")
        (folder / "payments.csv").write_text(
            "payment_id,customer_id,payment_date,amount,invoice_id\nP1,C1,2024-01-10,40.00,I1\n")
        items = open_items(load(folder), as_of=date(2024, 3, 1)).collect()
        results.append(items.select("instalment", "amount", "open_amount").sort("instalment"))
    assert_frame_equal(results[0], results[1])
