"""Customer: find a customer by id or name, and read its credit file — limit, utilization,
aging, payment behaviour over time, open items, payments and credit notes — and its timeline
of activities, dunning steps and rating changes, newest first."""

from __future__ import annotations

import data
import polars as pl
import streamlit as st
import ui

from reportgen import views
from reportgen.aging import bucket_labels
from reportgen.report import charts

v = ui.view()
st.title(v.t("page_customer"))
ui.caption_scope()

known = data.attributes(v.src)
if not v.scope.everyone:
    known = known.filter(pl.col("customer_id").is_in(sorted(data.customer_ids(v.src, v.scope))))
text = st.text_input(v.t("search"), help=v.t("search_help"), key="customer_search")
found = views.search_customers(known, text)
if found.height == 0:
    st.warning(v.t("no_match", text=text))
    st.stop()
if text:
    st.caption(v.t("matches", n=f"{found.height:,}"))
names = dict(zip(found["customer_id"], found["name"], strict=True))
customer_id = st.selectbox(
    v.t("pick_customer"),
    found["customer_id"].to_list(),
    format_func=lambda c: f"{c} · {names.get(c) or ''}",
    key="customer_pick",
)

row = data.customers(v.src, v.scope, v.as_of).filter(pl.col("customer_id") == customer_id)
if row.height == 0:
    st.info(v.t("no_customers"))
    st.stop()
now = row.row(0, named=True)
st.header(f"{now['name'] or customer_id}")
st.caption(" · ".join(str(x) for x in (customer_id, now["segment"], now["owner"], now["currency"])))

unit = v.fmt.money_unit()
tiles = st.columns(5)
tiles[0].metric(
    v.t("limit_word"),
    v.fmt.money(now["credit_limit"]) if now["credit_limit"] is not None else v.t("no_limit"),
    border=True,
)
tiles[1].metric(v.t("exposure_word"), v.fmt.money(now["exposure"]), border=True)
tiles[2].metric(v.t("utilization"), v.fmt.share(now["utilization"]), border=True)
tiles[3].metric(v.t("open_word"), v.fmt.money(now["open_amount"]), border=True)
tiles[4].metric(v.t("hold"), v.t("yes") if now["credit_hold"] else v.t("no"), border=True)

labels = bucket_labels()
left, right = st.columns(2)
with left:
    ui.aging_chart(
        v.t("aging_at", date=v.fmt.date(v.as_of)),
        labels,
        [now[b] for b in labels],
        key="customer-aging",
    )
paid = data.behaviour(v.src, customer_id, v.as_of, v.every)
with right:
    periods = [p.label for p in data.kpi_periods(v.src, v.as_of, v.every, data.TREND_PERIODS)]
    by_period = {r["period"]: r for r in paid.iter_rows(named=True)}
    ui.chart(
        charts.line_chart(
            v.t("chart_behaviour"),
            [v.fmt.short_period(p) for p in periods],
            [
                charts.Series(
                    v.t("days_to_pay"), [by_period.get(p, {}).get("wadp") for p in periods]
                ),
                charts.Series(
                    v.t("days_late"), [by_period.get(p, {}).get("wadl") for p in periods]
                ),
            ],
            y_title=v.t("axis_days"),
            unit="天" if v.lang == "zh" else "days",
        ),
        key="customer-behaviour",
    )

st.subheader(v.t("payment_behaviour"))
st.caption(v.t("behaviour_intro"))
ui.table(paid.drop("customer_id"), "payment-behaviour")

st.subheader(v.t("open_items", date=v.fmt.date(v.as_of)))
items = data.open_items(v.src, v.scope, v.as_of).filter(pl.col("customer_id") == customer_id)
ui.table(
    items.drop("name", "segment", "owner", "currency"), "customer-open-items", buckets=tuple(labels)
)

st.subheader(v.t("payments"))
ui.table(data.documents(v.src, "payments", customer_id, v.as_of), "customer-payments")
st.subheader(v.t("credit_notes"))
ui.table(data.documents(v.src, "credit_notes", customer_id, v.as_of), "customer-credit-notes")

st.subheader(v.t("timeline"))
st.caption(v.t("timeline_intro", date=v.fmt.date(v.as_of), n=data.TREND_PERIODS))
events = data.timeline(v.src, customer_id, v.as_of, v.every)
if events.height == 0:
    st.info(v.t("no_timeline", date=v.fmt.date(v.as_of)))
else:
    # drawn in words, what happened and how it ended first (a rung's invoices can be many);
    # downloaded with the codes, as the other tables
    ui.table(
        events,
        "customer-timeline",
        words={
            "event": ("event_",),
            "type": ("act_", "rung_", "change_"),
            "status": ("status_", "out_"),
            "reason": ("reason_",),
        },
        order=[
            "date",
            "event",
            "type",
            "status",
            "amount",
            "promised_date",
            "deadline",
            "reason",
            "note",
            "invoice_id",
        ],  # fmt: skip
        wide=("type", "reason"),
    )
