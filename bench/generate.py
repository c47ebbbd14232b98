"""Generate a canonical reportgen data folder with N invoices, fast and vectorised.

Usage: python bench/generate.py N OUT_DIR [--seed S] [--format csv|parquet]

Writes customers, invoices, payments and credit_notes (SPEC §1) for invoices dated
2024-01-01..2025-12-31. Money is generated as integer cents and written as exact 2-decimal
text (CSV) or Decimal(18, 2) (Parquet); dates are ISO. Invoices are produced in chunks of
CHUNK rows, each chunk appended to the output files, so memory stays flat whatever N is.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

CHUNK = 1_000_000
START = date(2024, 1, 1)
DAYS = (date(2025, 12, 31) - START).days + 1  # 731: invoice dates span two full years
EPOCH_START = (START - date(1970, 1, 1)).days

INVOICES_PER_CUSTOMER = 200
PAID_SHARE = 0.85  # invoices with at least one payment
PARTIAL_SHARE = 0.15  # of the paid invoices, paid only in part
SPLIT_SHARE = 0.15  # of the paid invoices, paid in two payments
UNREFERENCED_SHARE = 0.05  # payments written without invoice_id
CREDIT_NOTE_SHARE = 0.03  # invoices with a credit note
WRITE_OFF_SHARE = 0.10  # of the credit notes, type write_off

TERMS = np.array([0, 14, 30, 30, 30, 45, 60, 90])
SEGMENTS = np.array(["SME", "Corporate", "Enterprise", "Public"])
OWNERS = np.array([f"collector{i:02d}" for i in range(1, 21)])

MONEY = pl.Decimal(18, 2)


def money(cents: pl.Expr) -> pl.Expr:
    """Exact 2-decimal text from integer cents (non-negative): 12345 -> "123.45"."""
    return pl.concat_str(
        (cents // 100).cast(pl.String),
        pl.lit("."),
        (cents % 100).cast(pl.String).str.zfill(2),
    )


def ident(prefix: str, number: pl.Expr, width: int) -> pl.Expr:
    """Zero-padded identifier, e.g. ident("INV", 42, 9) -> "INV000000042"."""
    return pl.concat_str(pl.lit(prefix), number.cast(pl.String).str.zfill(width))


def as_date(day_offsets: np.ndarray) -> pl.Series:
    """Days after 2024-01-01 as a Date series."""
    return pl.Series((day_offsets + EPOCH_START).astype(np.int32)).cast(pl.Date)


def customers(n_customers: int, rng: np.random.Generator) -> pl.DataFrame:
    """The customer master, including ~10% without a credit limit (blank = no limit)."""
    limits = [0, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000]
    limit_cents = rng.choice(limits, n_customers).astype(np.int64) * 100
    no_limit = rng.random(n_customers) < 0.10
    number = np.arange(1, n_customers + 1)
    return pl.DataFrame(
        {
            "customer_id": pl.Series(number),
            "name": pl.Series(number),
            "credit_limit": pl.Series(np.where(no_limit, -1, limit_cents)),
            "payment_terms_days": rng.choice(TERMS, n_customers),
            "segment": rng.choice(SEGMENTS, n_customers, p=[0.55, 0.25, 0.1, 0.1]),
            "owner": rng.choice(OWNERS, n_customers),
        }
    ).with_columns(
        customer_id=ident("C", pl.col("customer_id"), 7),
        name=pl.format("Customer {} Ltd", pl.col("name")),
        credit_limit=pl.when(pl.col("credit_limit") >= 0).then(money(pl.col("credit_limit"))),
    )


def invoices(
    first: int, n: int, weights: np.ndarray, terms: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """Invoices numbered first..first+n-1, with integer columns kept for the other tables."""
    customer = rng.choice(len(weights), n, p=weights)
    invoice_day = rng.integers(0, DAYS, n)
    due_day = invoice_day + terms[customer]
    cents = np.maximum(100, np.round(rng.lognormal(np.log(150_000), 1.0, n))).astype(np.int64)
    return pl.DataFrame(
        {
            "number": np.arange(first, first + n),
            "customer": customer,
            "invoice_day": invoice_day,
            "due_day": due_day,
            "cents": cents,
        }
    )


def payments(inv: pl.DataFrame, first: int, rng: np.random.Generator) -> pl.DataFrame:
    """One or two payments for ~85% of the invoices, some partial, ~5% unreferenced."""
    paid = inv.filter(pl.Series(rng.random(inv.height) < PAID_SHARE))
    n = paid.height
    total = paid["cents"].to_numpy()
    partial = rng.random(n) < PARTIAL_SHARE
    total = np.where(
        partial, np.maximum(1, (total * rng.uniform(0.1, 0.9, n)).astype(np.int64)), total
    )
    split = (rng.random(n) < SPLIT_SHARE) & (total >= 2)
    first_cents = np.where(split, np.maximum(1, (total * rng.uniform(0.2, 0.8, n))), total)
    first_cents = np.minimum(first_cents.astype(np.int64), total - split)
    lateness = np.round(rng.normal(5, 20, n)).astype(np.int64)
    late_tail = np.where(rng.random(n) < 0.1, rng.exponential(60, n).astype(np.int64), 0)
    pay_day = np.maximum(
        paid["invoice_day"].to_numpy(), paid["due_day"].to_numpy() + lateness + late_tail
    )
    second_day = pay_day + rng.integers(7, 60, n)
    rows = pl.concat(
        [
            paid.select("number", "customer").with_columns(
                day=pl.Series(pay_day), cents=pl.Series(first_cents)
            ),
            paid.select("number", "customer")
            .with_columns(day=pl.Series(second_day), cents=pl.Series(total - first_cents))
            .filter(pl.Series(split)),
        ]
    )
    referenced = pl.Series(rng.random(rows.height) >= UNREFERENCED_SHARE)
    return rows.with_columns(
        payment=pl.int_range(first, first + rows.height),
        number=pl.when(referenced).then(pl.col("number")),
    )


def credit_notes(inv: pl.DataFrame, first: int, rng: np.random.Generator) -> pl.DataFrame:
    """A credit note (10% of them write-offs) for ~3% of the invoices."""
    noted = inv.filter(pl.Series(rng.random(inv.height) < CREDIT_NOTE_SHARE))
    n = noted.height
    cents = np.maximum(1, noted["cents"].to_numpy() * rng.uniform(0.05, 1.0, n)).astype(np.int64)
    day = noted["invoice_day"].to_numpy() + rng.integers(0, 60, n)
    write_off = rng.random(n) < WRITE_OFF_SHARE
    return noted.select("number", "customer").with_columns(
        credit_note=pl.int_range(first, first + n),
        day=pl.Series(day),
        cents=pl.Series(cents),
        type=pl.Series(np.where(write_off, "write_off", "credit_note")),
    )


def customer_id(index: pl.Expr) -> pl.Expr:
    return ident("C", index + 1, 7)


def invoice_id(number: pl.Expr) -> pl.Expr:
    return ident("INV", number, 9)


def invoice_table(inv: pl.DataFrame) -> pl.DataFrame:
    return inv.select(
        invoice_id=invoice_id(pl.col("number")),
        customer_id=customer_id(pl.col("customer")),
        invoice_date=as_date(inv["invoice_day"].to_numpy()),
        due_date=as_date(inv["due_day"].to_numpy()),
        amount=money(pl.col("cents")),
    )


def payment_table(pay: pl.DataFrame) -> pl.DataFrame:
    return pay.select(
        payment_id=ident("PAY", pl.col("payment"), 9),
        customer_id=customer_id(pl.col("customer")),
        payment_date=as_date(pay["day"].to_numpy()),
        amount=money(pl.col("cents")),
        invoice_id=invoice_id(pl.col("number")),
    )


def credit_note_table(notes: pl.DataFrame) -> pl.DataFrame:
    return notes.select(
        credit_note_id=ident("CN", pl.col("credit_note"), 8),
        customer_id=customer_id(pl.col("customer")),
        date=as_date(notes["day"].to_numpy()),
        amount=money(pl.col("cents")),
        invoice_id=invoice_id(pl.col("number")),
        type=pl.col("type"),
    )


class Writer:
    """Appends DataFrames to one CSV or Parquet file, header / schema from the first chunk."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path.with_suffix(f".{fmt}")
        self.fmt = fmt
        self.parquet: pq.ParquetWriter | None = None
        self.started = False

    def write(self, df: pl.DataFrame) -> None:
        if self.fmt == "csv":
            with self.path.open("ab" if self.started else "wb") as f:
                df.write_csv(f, include_header=not self.started)
        else:
            table = df.with_columns(pl.col("^(amount|credit_limit)$").cast(MONEY)).to_arrow()
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(self.path, table.schema)
            self.parquet.write_table(table)
        self.started = True

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()


def generate(
    n: int,
    out_dir: Path,
    seed: int = 0,
    fmt: str = "csv",
    progress: Callable[[str], None] = lambda _: None,
) -> None:
    """Write the four canonical tables with n invoices into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_customers = max(1, n // INVOICES_PER_CUSTOMER)
    cust = customers(n_customers, rng)
    Writer(out_dir / "customers", fmt).write(cust)
    weights = rng.lognormal(0.0, 1.0, n_customers)
    weights /= weights.sum()
    terms = cust["payment_terms_days"].to_numpy()

    writers = {
        name: Writer(out_dir / name, fmt) for name in ("invoices", "payments", "credit_notes")
    }
    next_payment = next_note = 1
    for k, first in enumerate(range(0, n, CHUNK)):
        chunk_rng = np.random.default_rng([seed, k])
        inv = invoices(first + 1, min(CHUNK, n - first), weights, terms, chunk_rng)
        pay = payments(inv, next_payment, chunk_rng)
        notes = credit_notes(inv, next_note, chunk_rng)
        next_payment += pay.height
        next_note += notes.height
        writers["invoices"].write(invoice_table(inv))
        writers["payments"].write(payment_table(pay))
        writers["credit_notes"].write(credit_note_table(notes))
        progress(f"{first + inv.height:,}/{n:,} invoices")
    for writer in writers.values():
        writer.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of invoices")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def progress(message: str) -> None:
        elapsed = time.perf_counter() - started
        print(f"[generate {args.out_dir}] {message} ({elapsed:.1f}s)", file=sys.stderr)

    generate(args.n, args.out_dir, args.seed, args.format, progress)
    size = sum(p.stat().st_size for p in args.out_dir.glob(f"*.{args.format}"))
    progress(f"done: {size / 1e9:.3f} GB")


if __name__ == "__main__":
    main()
