"""A reference ledger: SPEC §2 and §8 done by hand, for single-currency data.

This is the slow, obvious version of `reportgen.ledger.open_items`, written the way an
accountant works through a ledger on paper: plain lists and dicts, integer cents, one loop per
rule, no Polars. The property tests compare the engine with it item by item, to the cent.

The result mirrors the engine's items (see the docstring of reportgen/ledger.py), as tuples
`(item_id, customer_id, instalment, kind, open_cents)`:

* `invoice`   every instalment of every invoice dated on or before D, settled ones included
              (open 0); item_id = invoice id.
* `unapplied` (mode fifo) one row per customer, item_id and instalment None, minus the pool
              left over after FIFO; only when it is not zero.
* `credit`    (mode open-item) each pool document's part left after refunds, negated;
              item_id = the document's id; only when not zero.
* `refund`    a refund's part the pool could not cover (positive); item_id = the refund's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PAYMENT, CREDIT_NOTE = 0, 1  # on the same day, payments are taken before credit notes (§8)


@dataclass(frozen=True)
class Invoice:
    invoice_id: str
    customer_id: str
    invoice_date: date
    due_date: date
    amount: int  # cents


@dataclass(frozen=True)
class Instalment:
    invoice_id: str
    instalment: int | None  # None: numbered 1… by due date (same day: by amount), §8
    due_date: date
    amount: int


@dataclass(frozen=True)
class Payment:
    payment_id: str
    customer_id: str
    date: date
    amount: int  # negative: a refund (§8)
    invoice_id: str | None = None


@dataclass(frozen=True)
class CreditNote:
    credit_note_id: str
    customer_id: str
    date: date
    amount: int
    invoice_id: str | None = None


@dataclass
class _Document:
    """A payment or credit note on the desk, with what is still to place of it."""

    doc_id: str
    customer_id: str
    date: date
    amount: int
    invoice_id: str | None
    rank: int  # PAYMENT or CREDIT_NOTE
    excess: int = 0  # the part that joins the customer's pool

    def order(self) -> tuple:
        """Oldest first: date, payments before credit notes, then id (§8)."""
        return (self.date, self.rank, self.doc_id)


@dataclass
class _Line:
    """One instalment of an invoice, with what is still open on it."""

    invoice: Invoice
    instalment: int
    due_date: date
    amount: int
    open: int


Item = tuple[str | None, str, int | None, str, int]


def open_items(
    invoices: list[Invoice],
    schedule: list[Instalment],
    payments: list[Payment],
    credit_notes: list[CreditNote],
    as_of: date,
    mode: str = "fifo",
) -> list[Item]:
    """Every item of every customer as of D (SPEC §2, §8), in no particular order."""
    assert mode in ("fifo", "open-item"), mode

    # --- §2.1 only what existed on D ------------------------------------------------------
    invoices = [inv for inv in invoices if inv.invoice_date <= as_of]
    documents: list[_Document] = []
    for p in payments:
        if p.date <= as_of:
            documents.append(
                _Document(p.payment_id, p.customer_id, p.date, p.amount, p.invoice_id, PAYMENT)
            )
    for n in credit_notes:
        if n.date <= as_of:
            documents.append(
                _Document(
                    n.credit_note_id, n.customer_id, n.date, n.amount, n.invoice_id, CREDIT_NOTE
                )
            )
    refunds = [d for d in documents if d.amount < 0]
    credits = [d for d in documents if d.amount >= 0]

    # --- the instalments of each invoice (§1, §8) -----------------------------------------
    lines_of: dict[str, list[_Line]] = {}
    for inv in invoices:
        parts = [s for s in schedule if s.invoice_id == inv.invoice_id]
        if not parts:
            # No schedule: the invoice is one instalment, due on its due date.
            lines_of[inv.invoice_id] = [_Line(inv, 1, inv.due_date, inv.amount, inv.amount)]
            continue
        assert sum(s.amount for s in parts) == inv.amount, "a schedule sums to its invoice"
        if any(s.instalment is None for s in parts):
            # Numbered 1… in due-date order; same-day ones by amount (they are then equal or
            # interchangeable, so the file's order cannot matter).
            parts = sorted(parts, key=lambda s: (s.due_date, s.amount))
            numbers = list(range(1, len(parts) + 1))
        else:
            numbers = [s.instalment for s in parts]
        lines_of[inv.invoice_id] = [
            _Line(inv, number, s.due_date, s.amount, s.amount)
            for number, s in zip(numbers, parts, strict=True)
        ]

    # --- §2.2 referenced documents first ---------------------------------------------------
    invoice_by_id = {inv.invoice_id: inv for inv in invoices}
    on_invoice: dict[str, list[_Document]] = {}
    for doc in credits:
        target = invoice_by_id.get(doc.invoice_id) if doc.invoice_id is not None else None
        if target is not None and target.customer_id == doc.customer_id and doc.amount > 0:
            on_invoice.setdefault(target.invoice_id, []).append(doc)
        else:
            # no reference, an unknown invoice, another customer's, or one dated after D
            doc.excess = doc.amount
    for invoice_id, docs in on_invoice.items():
        inv = invoice_by_id[invoice_id]
        room = inv.amount  # what the invoice can still take
        for doc in sorted(docs, key=_Document.order):
            applied = min(doc.amount, room)
            room -= applied
            doc.excess = doc.amount - applied  # the one that crosses carries the excess
        reduction = inv.amount - room
        # Inside the invoice, the reduction consumes its instalments in due-date order.
        for line in sorted(lines_of[invoice_id], key=lambda ln: (ln.due_date, ln.instalment)):
            take = min(reduction, line.open)
            line.open -= take
            reduction -= take
        assert reduction == 0

    # --- §2.3 the pool of each customer, and refunds paid out of it (§8) --------------------
    customers = sorted({d.customer_id for d in documents} | {i.customer_id for i in invoices})
    items: list[Item] = []
    for customer in customers:
        pool_docs = sorted(
            (d for d in credits if d.customer_id == customer and d.excess > 0),
            key=_Document.order,
        )
        # What is left of each pool document; keyed by table too (a payment and a credit
        # note may share an id).
        left = {(d.rank, d.doc_id): d.excess for d in pool_docs}

        # A refund pays money back out of the pool, oldest pool document first.
        my_refunds = [d for d in refunds if d.customer_id == customer]
        to_pay_back = sum(-d.amount for d in my_refunds)
        for d in pool_docs:
            take = min(to_pay_back, left[(d.rank, d.doc_id)])
            left[(d.rank, d.doc_id)] -= take
            to_pay_back -= take
        # What the pool could not cover is owed by the customer again: the pool covered the
        # earliest refunds, so the latest refunds are the ones still owed.
        shortfall = to_pay_back
        for d in sorted(my_refunds, key=lambda d: (d.date, d.doc_id), reverse=True):
            owed = min(shortfall, -d.amount)
            shortfall -= owed
            if owed > 0:
                items.append((d.doc_id, customer, None, "refund", owed))

        my_lines = [
            line
            for inv in invoices
            if inv.customer_id == customer
            for line in lines_of[inv.invoice_id]
        ]
        if mode == "fifo":
            # The pool pays the oldest open instalments first (§2.3).
            remaining = sum(left.values())
            oldest_first = sorted(
                my_lines,
                key=lambda ln: (
                    ln.due_date,
                    ln.invoice.invoice_date,
                    ln.invoice.invoice_id,
                    ln.instalment,
                ),
            )
            for line in oldest_first:
                take = min(remaining, line.open)
                line.open -= take
                remaining -= take
            if remaining > 0:
                items.append((None, customer, None, "unapplied", -remaining))
        else:
            # open-item: every pool document's remaining part is its own negative item.
            for d in pool_docs:
                if left[(d.rank, d.doc_id)] > 0:
                    items.append((d.doc_id, customer, None, "credit", -left[(d.rank, d.doc_id)]))

        for line in my_lines:
            items.append((line.invoice.invoice_id, customer, line.instalment, "invoice", line.open))
    return items


def sort_key(item: Item) -> tuple:
    """A total order on items (None sorts last), for comparing lists of them."""
    item_id, customer, instalment, kind, cents = item
    return (
        customer,
        kind,
        item_id is None,
        item_id or "",
        instalment is None,
        instalment or 0,
        cents,
    )
