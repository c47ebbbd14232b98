"""Aging: by customer, segment, owner or currency; due or invoice basis; any bucket bounds;
and the open items behind the figures."""

from __future__ import annotations

import data
import polars as pl
import streamlit as st
import ui

from reportgen import aging, views
from reportgen.outputs import INVOICE_COLUMNS

v = ui.view()
st.title(v.t("page_aging"))
ui.caption_scope()

by_col, basis_col, bounds_col = st.columns([2, 2, 3])
group = by_col.selectbox(
    v.t("group_by"),
    ("customer", "segment", "owner", "currency"),
    format_func=lambda g: v.t(f"by_{g}"),
    key="aging_by",
)
basis = basis_col.radio(
    v.t("basis"),
    ("due", "invoice"),
    format_func=lambda b: v.t(f"basis_{b}"),
    horizontal=True,
    key="aging_basis",
)
text = bounds_col.text_input(
    v.t("buckets"), "30,60,90,120", help=v.t("buckets_help"), key="aging_buckets"
)
try:
    bounds = aging.parse_bounds(text)
except ValueError as exc:
    st.error(str(exc))
    st.stop()
labels = tuple(aging.bucket_labels(bounds, basis=basis))

customers = data.customers(v.src, v.scope, v.as_of, basis=basis, bounds=bounds)
if group == "customer":
    columns = [
        "customer_id",
        "name",
        "segment",
        "owner",
        "open_amount",
        *labels,
        "unapplied_credit",
        "net_balance",
        "credit_limit",
        "utilization",
        "over_limit",
    ]
    ui.table(
        customers.sort("open_amount", descending=True),
        "aging-customers",
        buckets=labels,
        columns=columns,
    )
else:
    ui.table(views.aging_by(customers, group, labels), f"aging-by-{group}", buckets=labels)

st.subheader(v.t("level_items", date=v.fmt.date(v.as_of)))
owing = customers.filter(pl.col("open_amount") != 0).sort("open_amount", descending=True)
options = [None, *owing["customer_id"].to_list()]
names = dict(zip(owing["customer_id"], owing["name"], strict=True))
picked = st.selectbox(
    v.t("drill"),
    options,
    format_func=lambda c: v.t("drill_all") if c is None else f"{c} · {names.get(c) or ''}",
    key="aging_drill",
)
items = data.open_items(v.src, v.scope, v.as_of, basis=basis, bounds=bounds)
if picked is not None:
    items = items.filter(pl.col("customer_id") == picked)
ui.table(
    items,
    "open-items",
    buckets=labels,
    columns=[*INVOICE_COLUMNS[:2], "name", *INVOICE_COLUMNS[2:]],
)
