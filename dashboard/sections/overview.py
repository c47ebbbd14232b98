"""Overview: the KPI tiles with their change, the aging at D, AR and DSO over time, top risks."""

from __future__ import annotations

import data
import streamlit as st
import ui

from reportgen import views
from reportgen.aging import bucket_labels
from reportgen.report import charts

v = ui.view()
st.title(v.t("page_overview"))
ui.caption_scope()

# one KPI series for the trend and the tiles: a period's row does not depend on the others
trend = data.kpis(v.src, v.scope, v.as_of, v.every, data.TREND_PERIODS)
tiles = trend.tail(2)
now = tiles.row(tiles.height - 1, named=True)
before = tiles.row(tiles.height - 2, named=True) if tiles.height > 1 else None
if before:
    st.subheader(
        v.t(
            "kpi_period",
            period=v.fmt.period(now["period"]),
            previous=v.fmt.period(before["period"]),
        )
    )
else:
    st.subheader(v.t("no_previous_period", period=v.fmt.period(now["period"])))
ui.kpi_tiles(now, before)

customers = data.customers(v.src, v.scope, v.as_of)
labels = bucket_labels()
unit = v.fmt.money_unit()
left, right = st.columns(2)
with left:
    totals = views.bucket_totals(customers, labels)
    ui.aging_chart(
        v.t("aging_at", date=v.fmt.date(v.as_of)),
        totals["bucket"].to_list(),
        totals["amount"].to_list(),
        key="aging-chart",
    )
with right:
    x = [v.fmt.short_period(p) for p in trend["period"]]
    ui.chart(
        charts.line_chart(
            v.t("chart_days"),
            x,
            [
                charts.Series(v.fmt.metric_label(k), trend[k].to_list())
                for k in ("dso", "bpdso", "add")
            ],
            y_title=v.t("axis_days"),
            unit="天" if v.lang == "zh" else "days",
        ),
        key="dso-chart",
    )
ui.chart(
    charts.bar_chart(
        v.t("trend"),
        x,
        [
            charts.Series(v.t("trend_ar"), trend["ar_end"].to_list(), charts.SERIES_COLOURS[0]),
            charts.Series(
                v.fmt.metric_label("ar_end_current"),
                trend["ar_end_current"].to_list(),
                charts.BUCKET_COLOURS["not_due"],
            ),
        ],
        y_title=v.t("axis_amount", unit=unit),
        unit=unit,
    ),
    key="ar-chart",
)

st.subheader(v.t("top_risks", date=v.fmt.date(v.as_of)))
st.caption(v.t("top_risks_intro", days=data.policy().hold_after_days))
risks = views.top_risks(customers)
if risks.height:
    ui.table(
        risks,
        "top-risks",
        columns=[
            "customer_id",
            "name",
            "owner",
            "overdue",
            "max_days_overdue",
            "credit_limit",
            "exposure",
            "utilization",
            "over_limit",
            "credit_hold",
        ],
    )
else:
    st.info(v.t("no_customers"))
