"""Credit: how much of their limits customers use, who is over, who should be held, and the
headroom left."""

from __future__ import annotations

import data
import streamlit as st
import ui

from reportgen import views
from reportgen.report import charts

v = ui.view()
st.title(v.t("page_credit"))
ui.caption_scope()

customers = data.customers(v.src, v.scope, v.as_of)
bands = views.utilization_distribution(customers)
band_words = {views.NO_LIMIT: v.t("no_limit_band"), views.ZERO_LIMIT: v.t("zero_limit_band")}
shown = [band_words.get(b, b) for b in bands["band"]]
left, right = st.columns([3, 2])
with left:
    ui.chart(
        charts.bar_chart(
            v.t("util_distribution", date=v.fmt.date(v.as_of)),
            shown,
            [
                charts.Series(
                    v.t("customers_count"), bands["customers"].to_list(), charts.SERIES_COLOURS[0]
                )
            ],
            y_title=v.t("customers_count"),
            unit="",
        ),
        key="util-chart",
    )
with right:
    ui.table(bands.select("band", "customers", "exposure"), "utilization-bands", height="content")

holds_cols = [
    "customer_id",
    "name",
    "owner",
    "credit_limit",
    "exposure",
    "utilization",
    "over_limit_amount",
    "max_days_overdue",
    "credit_hold",
]
st.subheader(v.t("over_limit_list"))
ui.table(views.over_limit(customers), "over-limit", columns=holds_cols)
st.subheader(v.t("holds_list"))
st.caption(v.t("limits_intro", days=data.policy().hold_after_days))
ui.table(views.credit_holds(customers), "credit-holds", columns=holds_cols)
st.subheader(v.t("headroom_list"))
ui.table(
    views.least_headroom(customers),
    "headroom",
    columns=[
        "customer_id",
        "name",
        "owner",
        "credit_limit",
        "open_orders",
        "exposure",
        "headroom",
        "utilization",
    ],
)
