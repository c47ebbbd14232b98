"""Reconciliation: the exceptions at D by category, every exception, and the roll-forward."""

from __future__ import annotations

import data
import polars as pl
import streamlit as st
import ui

from reportgen import views
from reportgen.reconcile import CATEGORIES

v = ui.view()
st.title(v.t("page_reconciliation"))
ui.caption_scope()
ds = data.dataset(v.src)
if ds.is_snapshot:
    st.info(v.t("snapshot_no_recon", date=v.fmt.date(ds.snapshot_as_of)))
if not v.scope.everyone:
    st.caption(v.t("gl_scope_note"))

with st.spinner("…"):
    found = data.reconciliation(v.src, v.scope, v.as_of)
exceptions = found["exceptions"]
names = {k: (zh if v.lang == "zh" else en) for k, (en, zh) in CATEGORIES.items()}

st.subheader(v.t("by_category"))
summary = views.exception_summary(exceptions).with_columns(
    pl.col("category").replace_strict(names, return_dtype=pl.String).alias("label")
)
ui.table(summary.select("label", "count", "amount"), "exception-summary", height="content")
st.caption(v.t("exceptions_note"))

st.subheader(v.t("exception_list"))
chosen = st.multiselect(
    v.t("category_filter"),
    list(CATEGORIES),
    format_func=names.get,
    placeholder=v.t("all"),
    key="recon_categories",
)
listed = exceptions.filter(pl.col("category").is_in(chosen)) if chosen else exceptions
listed = listed.with_columns(
    pl.col("category").replace_strict(names, return_dtype=pl.String).alias("label")
)
explanation = "explanation_zh" if v.lang == "zh" else "explanation"
ui.table(
    listed,
    "exceptions",
    columns=["label", "customer_id", "documents", "amount", "date", explanation],
)

st.subheader(v.t("rollforward_monthly"))
rolled = (
    found["rollforward"].filter(pl.col("customer_id").is_null()).drop("customer_id", "currency")
)
ui.table(rolled, "rollforward")
st.caption(v.t("rf_note"))
