"""Part of the portfolio: the customers of a segment, an owner or a currency, and their ledger.

Allocation never crosses customers (SPEC §2), so the ledger of some customers only gives
exactly the figures those customers have in the whole ledger: their open items, aging and
credit, and KPIs equal to `kpis --by segment|owner|currency` for one group. The dashboard's
filters and a collector's restricted view are such a part.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

import polars as pl

from reportgen.load import Dataset
from reportgen.metrics import NO_GROUP, customer_groups

# tables that belong to the whole company, not to any customer: left out of a part (the GL
# control account holds every customer's balance, so a part cannot be compared with it)
COMPANY_TABLES = ("gl_balances",)


def customer_attributes(ds: Dataset) -> pl.DataFrame:
    """customer_id (text), name, segment, owner and currency of every customer with a document
    or in the customer list. Segment and owner are `(none)` where not given; the currency is
    the one `kpis --by currency` groups by (the customer list's, else the one mostly invoiced)."""
    groups = {
        by: customer_groups(ds, by).rename({"group": by}) for by in ("segment", "owner", "currency")
    }
    master = ds.table("customers")
    has_name = "name" in master.collect_schema().names()
    names = master.select("customer_id", name=pl.col("name") if has_name else pl.lit(None, str))
    frame = (
        groups["segment"]
        .join(groups["owner"], on="customer_id")
        .join(groups["currency"], on="customer_id")
    )
    return (
        frame.join(names, on="customer_id", how="left")
        .select(
            pl.col("customer_id").cast(pl.String),
            pl.col("name").fill_null(pl.col("customer_id").cast(pl.String)),
            "segment",
            "owner",
            "currency",
        )
        .sort("customer_id")
        .collect()
    )


def select_customers(
    attributes: pl.DataFrame,
    *,
    segments: Collection[str] = (),
    owners: Collection[str] = (),
    currencies: Collection[str] = (),
) -> list[str]:
    """The ids of the customers in any of the given segments, owners and currencies (an empty
    choice does not restrict); `(none)` selects those without a value."""
    keep = pl.lit(True)
    for column, chosen in (("segment", segments), ("owner", owners), ("currency", currencies)):
        if chosen:
            keep &= pl.col(column).is_in(list(chosen))
    return attributes.filter(keep)["customer_id"].to_list()


def restrict(ds: Dataset, customer_ids: Collection[str]) -> Dataset:
    """The dataset of these customers only: every table with a customer_id keeps their rows, a
    payment schedule the instalments of their invoices; company-wide tables are left out.
    Problems, files, currencies and the base currency stay those of the whole load."""
    ids = pl.Series(list(customer_ids), dtype=pl.String)
    mine = pl.col("customer_id").cast(pl.String).is_in(ids.implode())
    tables: dict[str, pl.DataFrame] = {}
    for name, frame in ds.tables.items():
        if name in COMPANY_TABLES:
            continue
        tables[name] = frame.filter(mine) if "customer_id" in frame.columns else frame
    if "payment_schedule" in tables and "invoices" in tables:
        invoices = tables["invoices"]["invoice_id"].implode()
        schedule = tables["payment_schedule"]
        tables["payment_schedule"] = schedule.filter(pl.col("invoice_id").is_in(invoices))
    return replace(ds, tables=tables)


def as_group(ds: Dataset, customer_ids: Collection[str]) -> pl.DataFrame:
    """customer_id -> group `all` for these customers: a selection as the one group of
    `metrics.group_facts`, whose KPIs are those of `restrict` without allocating again."""
    ids = pl.Series(list(customer_ids), dtype=pl.String)
    mine = pl.col("customer_id").cast(pl.String).is_in(ids.implode())
    return customer_groups(ds, None).filter(mine).collect()


__all__ = [
    "COMPANY_TABLES",
    "NO_GROUP",
    "as_group",
    "customer_attributes",
    "restrict",
    "select_customers",
]
