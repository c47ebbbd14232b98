"""Ratings (信用评级): every customer's credit rating A–E for the period ending at D from the
credit policy's scorecard — the rows `reportgen ratings` writes — how the grades moved against
the period before, and the early warnings."""

from __future__ import annotations

import data
import polars as pl
import streamlit as st
import ui

from reportgen import views
from reportgen.policy import GRADES

v = ui.view()
st.title(v.t("page_ratings"))
ui.caption_scope()
period = data.kpi_periods(v.src, v.as_of, v.every, 1)[-1]
st.caption(v.t("ratings_intro", period=v.fmt.period(period.label), policy=ui.policy_words()))

history = data.ratings(v.src, v.scope, v.as_of, v.every)
if history.height == 0:
    st.info(v.t("no_customers"))
    st.stop()

st.subheader(v.t("grade_distribution"))
counts = views.grade_counts(history, GRADES)
for tile, row in zip(st.columns(len(GRADES)), counts.iter_rows(named=True), strict=True):
    tile.metric(
        row["grade"],
        v.fmt.count(row["customers"]),
        delta=f"{row['change']:+,}" if row["change"] else None,
        delta_color="off",
        help=f"{v.t('previous_count')}: {row['previous']:,}",
        border=True,
    )
moves = views.rating_moves(history)
st.caption(v.t("rating_changes", down=f"{moves['down']:,}", up=f"{moves['up']:,}"))

st.subheader(v.t("every_rating"))
left, right = st.columns(2)
changes = left.multiselect(
    v.t("change_filter"),
    list(moves),
    format_func=lambda c: v.t(f"change_{c}"),
    placeholder=v.t("all"),
    key="ratings_change",
)
grades = right.multiselect(
    v.t("grade_filter"), list(GRADES), placeholder=v.t("all"), key="ratings_grades"
)
warning_words = ui.warning_words()
ui.table(
    views.rating_changes(history, changes=changes, grades=grades),
    "ratings",
    words={"change": ("change_",), "warnings": warning_words},
    joined=("warnings",),
    wide=("warnings",),
    pinned=("customer_id", "name"),
)

st.subheader(v.t("early_warnings"))
warned = data.rating_warnings(v.src, v.scope, v.as_of, v.every)
if warned.height == 0:
    st.info(v.t("no_warnings"))
else:
    described = ui.in_words(
        warned.with_columns(description=pl.col("warning")), "description", warning_words
    )
    # the code stays in the download (`reportgen ratings --view warnings`), its words drawn
    ui.table(described, "rating-warnings", order=[c for c in described.columns if c != "warning"])
