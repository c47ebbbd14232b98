"""When each invoice was settled (SPEC §6, §8): the date behind days-to-pay and days-late.

An invoice is settled on the later of the last document that quoted it and applied something,
and the pool document that completed its FIFO allocation, the pool being spent in date order.
Never before the invoice date: an advance settles an invoice on its issue.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from reportgen.ledger import FIFO_ORDER, allocate, fifo_allocated, remembered
from reportgen.load import DataError, Dataset

# Pool documents are spent oldest first; on one day payments before credit notes (SPEC §8).
POOL_ORDER = ["date", "rank", "doc_id"]


def settled_dates(ds: Dataset, *, as_of: date) -> pl.LazyFrame:
    """One row per invoice existing on D: invoice_id, customer_id, invoice_date, due_date,
    settled_date (blank while anything of it is still open at D). Kept per dataset for the
    dates asked last, as allocations are (`ledger.remembered`)."""
    if ds.is_snapshot:
        raise DataError(
            "the invoices are an open-item snapshot: it does not say when invoices were paid, "
            "so days to pay and days late cannot be computed"
        )

    def compute() -> tuple[pl.DataFrame, int]:
        frame = _settled_dates(ds, as_of).collect()
        return frame, frame.estimated_size()

    return remembered(ds, ("settled dates", as_of), compute).lazy()


def _settled_dates(ds: Dataset, as_of: date) -> pl.LazyFrame:
    stages = allocate(ds, as_of=as_of)
    instalments = fifo_allocated(stages.instalments, stages.pool)

    # the last document that quoted the invoice and reduced it (one that only produced
    # excess settled nothing)
    last_quoted = (
        stages.referenced.filter((pl.col("applied") > 0) & pl.col("invoice_id").is_not_null())
        .group_by("invoice_id")
        .agg(last_quoted=pl.col("date").max())
    )
    pool_completion = _pool_completion(instalments, stages.pool)
    invoices = (
        instalments.lazy()
        .group_by("invoice_id")
        .agg(
            pl.col("customer_id", "invoice_date").first(),
            due_date=pl.col("due_date").max(),
            open_amount=(pl.col("remaining") - pl.col("allocated")).sum(),
        )
    )
    due = ds.table("invoices").select("invoice_id", invoice_due=pl.col("due_date"))
    return (
        invoices.join(last_quoted, on="invoice_id", how="left")
        .join(pool_completion, on="invoice_id", how="left")
        .join(due, on="invoice_id", how="left")
        .select(
            "invoice_id",
            "customer_id",
            "invoice_date",
            due_date="invoice_due",
            settled_date=pl.when(pl.col("open_amount") == 0).then(
                pl.max_horizontal("last_quoted", "completed_by", "invoice_date")
            ),
        )
    )


def _pool_completion(instalments: pl.DataFrame, pool: pl.LazyFrame) -> pl.LazyFrame:
    """Per invoice, the date of the latest pool document that completed one of its
    instalments: the first document whose running total of pool reaches the running total of
    what the customer's instalments received, both in their own order."""
    received = (
        instalments.lazy()
        .filter(pl.col("allocated") > 0)
        .select(
            "invoice_id",
            __customer=pl.col("customer_id").to_physical(),
            __reached=pl.col("allocated").cum_sum().over("customer_id", order_by=FIFO_ORDER),
        )
        .sort("__reached")
    )
    spent = (
        pool.filter(pl.col("left") > 0)
        .select(
            completed_by="date",
            __customer=pl.col("customer_id").to_physical(),
            __reached=pl.col("left").cum_sum().over("customer_id", order_by=POOL_ORDER),
        )
        .sort("__reached")
    )
    return (
        # both sides are sorted by the running total, hence within each customer too
        received.join_asof(
            spent, on="__reached", by="__customer", strategy="forward", check_sortedness=False
        )
        .group_by("invoice_id")
        .agg(pl.col("completed_by").max())
    )
