"""Credit exposure against limits (SPEC §4): who may still buy on credit, and who should not.

Limits and open orders are in the base currency, like the aging they are compared with.
"""

from __future__ import annotations

import polars as pl

from reportgen.load import Dataset

DEFAULT_HOLD_AFTER_DAYS = 90


def customer_exposure(
    summary: pl.LazyFrame, ds: Dataset, *, hold_after_days: int = DEFAULT_HOLD_AFTER_DAYS
) -> pl.LazyFrame:
    """The aging summary of every customer (those in customers.csv too, with zeros) with
    name, credit_limit, open_orders, exposure, utilization, over_limit, headroom,
    over_limit_amount and credit_hold."""
    customers = ds.table("customers")
    names = customers.collect_schema().names()
    master = customers.select(
        "customer_id",
        name=pl.col("name") if "name" in names else pl.lit(None, pl.String),
        credit_limit=pl.col("credit_limit") if "credit_limit" in names else pl.lit(None, pl.Int64),
    )
    orders = ds.table("open_orders").group_by("customer_id").agg(open_orders=pl.col("amount").sum())
    money_cols = [
        c for c, t in summary.collect_schema().items() if t == pl.Int64 and c != "max_days_overdue"
    ]
    everyone = pl.concat([master.select("customer_id"), summary.select("customer_id")]).unique()
    frame = (
        everyone.join(master, on="customer_id", how="left")
        .join(summary, on="customer_id", how="left")
        .join(orders, on="customer_id", how="left")
        .with_columns(pl.col(*money_cols, "open_orders").fill_null(0))
    )
    limit = pl.col("credit_limit")
    exposure = pl.col("net_balance") + pl.col("open_orders")
    over = (exposure > limit).fill_null(False)
    return (
        frame.with_columns(exposure=exposure)
        .with_columns(
            # A ratio (1.05 = 105 %); blank without a limit, and for a zero limit, where any
            # exposure at all is over it.
            utilization=pl.when(limit > 0).then((pl.col("exposure") / limit).round(4)),
            over_limit=over,
            headroom=limit - pl.col("exposure"),
            over_limit_amount=pl.when(over).then(pl.col("exposure") - limit).otherwise(0),
            credit_hold=over | (pl.col("max_days_overdue") > hold_after_days).fill_null(False),
        )
        .sort("customer_id")
    )


def portfolio_utilization(exposure: str = "exposure", limit: str = "credit_limit") -> pl.Expr:
    """Σ exposure of the customers with a limit / Σ their limits; blank when no limit is set."""
    limited = pl.col(limit).is_not_null()
    total_limit = pl.col(limit).filter(limited).sum()
    return pl.when(total_limit > 0).then(pl.col(exposure).filter(limited).sum() / total_limit)
