"""Worklist (催收工作清单): the collection actions due at D under the credit policy, one row per
customer and dunning rung reached, by owner — the rows `reportgen worklist` writes — with the
filters a collector works with, and downloads."""

from __future__ import annotations

from decimal import Decimal

import data
import streamlit as st
import ui
from words import known

from reportgen import views
from reportgen.collections import STATUS_ORDER
from reportgen.report.lang import LANG_NAMES

# the worklist's columns in the order a collector reads them: who, what, by when, how much
DRAWN = [
    "owner", "customer_id", "name", "action", "status", "deadline", "max_days_overdue",
    "amount", "interest", "fee", "amount_requested", "pay_by", "credit_hold", "grade",
    "priority", "open_promises", "open_promise_amount", "next_promised_date", "last_contact",
    "last_contact_type", "disputed_items", "disputed_amount", "level_since", "done_on",
    "channel", "next_rung", "items", "invoices", "language",
]  # fmt: skip

v = ui.view()
st.title(v.t("page_worklist"))
ui.caption_scope()
st.caption(v.t("worklist_intro", date=v.fmt.date(v.as_of), policy=ui.policy_words()))

actions = data.worklist(v.src, v.scope, v.as_of, v.lang)
unit = v.fmt.money_unit()


def rung_words(key: str) -> str:
    return v.t(f"rung_{key}") if known(f"rung_{key}") else key


filters = st.columns(5)
rungs = filters[0].multiselect(
    v.t("rung"),
    [r.key for r in data.policy().ladder],
    format_func=rung_words,
    placeholder=v.t("all"),
    key="worklist_rungs",
)
statuses = filters[1].multiselect(
    v.t("status"),
    list(STATUS_ORDER),
    format_func=lambda s: v.t(f"status_{s}"),
    placeholder=v.t("all"),
    key="worklist_status",
)
owner_words = ui.owner_words()
owners = filters[2].multiselect(
    v.t("action_owner"),
    sorted(actions["owner"].unique().to_list()),
    format_func=lambda o: owner_words.get(o, o),
    placeholder=v.t("all"),
    key="worklist_owners",
)
min_amount = filters[3].number_input(
    v.t("min_amount", unit=unit), min_value=0.0, value=None, step=1000.0, key="worklist_min_amount"
)
min_days = filters[4].number_input(
    v.t("min_days"), value=None, step=1, format="%d", key="worklist_min_days"
)

shown = views.worklist_actions(
    actions,
    rungs=rungs,
    statuses=statuses,
    owners=owners,
    min_amount=None if min_amount is None else Decimal(str(min_amount)),
    min_days=None if min_days is None else int(min_days),
)
if shown.height == 0:
    st.info(v.t("no_actions"))
    st.stop()

totals = views.worklist_totals(shown)
tiles = st.columns(4)
tiles[0].metric(v.t("actions"), v.fmt.count(totals["actions"]), border=True)
tiles[1].metric(v.t("late_actions"), v.fmt.count(totals["late"]), border=True)
tiles[2].metric(v.t("overdue_total", unit=unit), v.fmt.money(totals["amount"]), border=True)
tiles[3].metric(
    v.t("requested_total", unit=unit), v.fmt.money(totals["amount_requested"]), border=True
)
st.caption(v.t("actions_shown", shown=f"{shown.height:,}", total=f"{actions.height:,}"))
# Drawn: the codes in words and what a collector acts on first (the rung's code is left out:
# the action names it); downloaded: the file `reportgen worklist --out` writes, codes and all.
ui.table(
    shown,
    "worklist",
    words={
        "status": ("status_",),
        "owner": owner_words,
        "channel": ("act_",),
        "next_rung": ("rung_",),
        "last_contact_type": ("act_",),
        "language": LANG_NAMES,
    },
    order=DRAWN,
    headings={"amount": "overdue_amount"},
    wide=("action",),
    pinned=("customer_id", "name"),
)
