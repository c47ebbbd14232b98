"""What every page shares: the current view (filters from the sidebar), words, number formats,
tables with their CSV and Excel downloads, and Plotly charts from the site's chart specs.

Nothing here computes a figure: pages hand over frames from `data.py` and this lays them out.
Text from the data (names, references, notes) is only ever passed to Streamlit as data
(tables, plain text), never as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go
import polars as pl
import streamlit as st
from data import Scope, Source
from downloads import csv_bytes, xlsx_bytes
from words import known
from words import t as word

from reportgen import metrics
from reportgen.report import charts
from reportgen.report.lang import DASH, Lang

VIEW_KEY = "rg_view"
LIST_SEP = ", "  # how `outputs.for_output` joins a list of codes into one cell
MAX_ROWS = 2_000  # rows drawn in a table; the downloads hold them all


@dataclass(frozen=True)
class View:
    """The sidebar's choices, as every page reads them."""

    src: Source
    as_of: date
    every: str  # month | quarter | year
    scope: Scope
    lang: str  # en | zh
    currency: str
    digits: int

    def t(self, key: str, **values: object) -> str:
        return word(key, self.lang, **values)

    @property
    def fmt(self) -> Lang:
        return Lang(self.lang, self.currency, self.digits)


def view() -> View:
    return st.session_state[VIEW_KEY]


# --- column headings ------------------------------------------------------------------------

# column -> word key (the site's or the dashboard's); money columns get the currency unit
MONEY_WORDS = {
    "open_amount": "open_amount",
    "unapplied_credit": "unapplied",
    "net_balance": "net_balance",
    "credit_limit": "limit",
    "open_orders": "open_orders",
    "exposure": "exposure",
    "headroom": "headroom",
    "over_limit_amount": "over_by",
    "overdue": "overdue_amount",
    # worklist
    "interest": "interest_amount",
    "fee": "fee_col",
    "amount_requested": "requested_amount",
    "disputed_amount": "disputed_amount",
    "open_promise_amount": "promise_amount",
}
PLAIN_WORDS = {
    "customer_id": "customer_id",
    "name": "customer",
    "segment": "segment",
    "owner": "owner",
    "currency": "currency",
    "utilization": "utilization",
    "over_limit": "why_over_limit",
    "credit_hold": "hold",
    "max_days_overdue": "max_days",
    "invoice_id": "invoice",
    "instalment": "instalment",
    "invoice_date": "invoice_date",
    "due_date": "due_date",
    "amount": "amount",
    "days_overdue": "days_overdue",
    "bucket": "bucket",
    "customers": "customers_count",
    "category": "category",
    "documents": "documents",
    "date": "date",
    "explanation": "explanation",
    "explanation_zh": "explanation",
    "count": "count",
    "period": "period",
    "settled_count": "settled_count",
    "settled_amount": "settled_amount",
    "wadp": "days_to_pay",
    "wadl": "days_late",
    "band": "util_band",
    "label": "category",
    "opening_date": "opening_date",
    "closing_date": "closing_date",
    "payment_id": "payments",
    "payment_date": "date",
    "credit_note_id": "credit_notes",
    "type": "type",
    "method": "type",
    # worklist
    "rung": "rung",
    "action": "action",
    "channel": "channel",
    "status": "status",
    "level_since": "level_since",
    "deadline": "deadline",
    "done_on": "done_on",
    "items": "items_count",
    "invoices": "invoices",
    "pay_by": "pay_by",
    "next_rung": "next_rung",
    "grade": "grade",
    "priority": "priority",
    "disputed_items": "disputed_items",
    "last_contact": "last_contact",
    "last_contact_type": "last_contact_type",
    "open_promises": "open_promises",
    "next_promised_date": "next_promised_date",
    "language": "letter_language",
    # ratings
    "previous_grade": "previous_grade",
    "change": "change",
    "score": "score",
    "warnings": "warnings_col",
    "warning": "warning_col",
    "description": "description",
    "previous": "previous_count",
    "days_late": "days_late",
    "days_late_trend": "factor_days_late_trend",
    "broken_promises": "factor_broken_promises",
    "disputes": "factor_disputes",
    "exposure_share": "factor_exposure_share",
    # a customer's timeline
    "event": "event",
    "promised_date": "promised_date",
    "reason": "reason",
    "note": "note",
}


def heading(v: View, column: str, buckets: tuple[str, ...] = ()) -> str:
    unit = v.fmt.money_unit()
    if column in buckets or column in ("not_due",):
        return v.fmt.bucket(column)
    if column in MONEY_WORDS:
        return v.t(MONEY_WORDS[column], unit=unit)
    if column in PLAIN_WORDS:
        return v.t(PLAIN_WORDS[column]).replace(" ({unit})", "")
    if column.startswith("rf_") or f"rf_{column}" in _RF:
        return v.t(f"rf_{column}")
    if column.endswith("_points") and known(f"factor_{column.removesuffix('_points')}"):
        return f"{v.t('factor_' + column.removesuffix('_points'))} · {v.t('points')}"
    return column


_RF = {
    "rf_opening", "rf_invoiced", "rf_collected", "rf_credited", "rf_written_off", "rf_refunds",
    "rf_fx_revaluation", "rf_difference", "rf_closing",
}  # fmt: skip


def _config(
    v: View,
    frame: pl.DataFrame,
    buckets: tuple[str, ...],
    headings: dict[str, str] | None = None,
    wide: tuple[str, ...] = (),
    pinned: tuple[str, ...] = (),
) -> dict:
    config = {}
    unit = v.fmt.money_unit()
    for column, kind in frame.schema.items():
        if headings and column in headings:
            label = v.t(headings[column], unit=unit)
        else:
            label = heading(v, column, buckets)
        if isinstance(kind, pl.Decimal):
            config[column] = st.column_config.NumberColumn(label, format="%,.2f")
        elif column in ("utilization", "exposure_share"):
            config[column] = st.column_config.NumberColumn(label, format="percent")
        elif kind == pl.Date:
            config[column] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif kind == pl.Float64:
            config[column] = st.column_config.NumberColumn(label, format="%.1f")
        else:
            config[column] = st.column_config.Column(label)
        if column in wide:  # words that would be cut off at the width of their heading
            config[column]["width"] = "medium"
        if column in pinned:  # stays in view while a wide table scrolls sideways
            config[column]["pinned"] = True
    return config


def table(
    frame: pl.DataFrame,
    name: str,
    *,
    buckets: tuple[str, ...] = (),
    height: int | str = "auto",  # "content": every row, for short tables
    max_rows: int = MAX_ROWS,
    columns: list[str] | None = None,
    words: dict[str, tuple[str, ...] | dict] | None = None,
    joined: tuple[str, ...] = (),
    order: list[str] | None = None,
    headings: dict[str, str] | None = None,
    wide: tuple[str, ...] = (),
    pinned: tuple[str, ...] = (),
) -> None:
    """The frame as a table (headings in the chosen language, money with its digits, a dash
    where a value is missing), with CSV and Excel downloads of every row under the command
    line's column names.

    Only the table drawn is changed by `words` (column -> the word prefixes of its codes, see
    `in_words`, or a code -> words dict; `joined` columns hold several codes as "a, b", as
    `outputs.for_output` writes lists) and `order` (the columns drawn, in this order): the
    downloads stay the frame itself, the file the command line writes, codes and all.
    `headings` names a column by another word key where this table's column means more than
    its name says (the worklist's `amount` is what is overdue on the rung); `wide` columns
    get room for their words; `pinned` ones stay in view when the table scrolls sideways."""
    v = view()
    shown = frame.select(columns) if columns else frame
    drawn = shown.head(max_rows)
    for column, prefixes in (words or {}).items():
        drawn = in_words(drawn, column, prefixes, sep=LIST_SEP if column in joined else None)
    st.dataframe(
        drawn,
        hide_index=True,
        column_config=_config(v, drawn, buckets, headings, wide, pinned),
        column_order=[c for c in order if c in drawn.columns] if order else None,
        height=height,
        placeholder=DASH,
        key=f"table-{name}",
    )
    if shown.height > max_rows:
        st.caption(v.t("items_shown", shown=f"{max_rows:,}", total=f"{shown.height:,}"))
    buttons = st.container(horizontal=True)
    stem = f"{name}-{v.as_of}"
    buttons.download_button(
        f"⬇ {v.t('download_csv')}",
        data=lambda: csv_bytes(shown),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        on_click="ignore",
    )
    buttons.download_button(
        f"⬇ {v.t('download_xlsx')}",
        data=lambda: xlsx_bytes(shown, name),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{name}",
        on_click="ignore",
    )


def in_words(
    frame: pl.DataFrame,
    column: str,
    prefixes: tuple[str, ...] | dict,
    *,
    sep: str | None = None,
    **values: object,
) -> pl.DataFrame:
    """The codes in `column` (a status, a type, a rung; or each code of a list column, or of
    a text of codes joined by `sep`) as words of the chosen language: the first
    `<prefix><code>` that has words (its `{fields}` filled from `values`), else the code as
    it is. `prefixes` may be the code -> words mapping itself (words that come from the
    policy, not from the word tables)."""
    v = view()
    if column not in frame.columns:
        return frame
    if sep is not None:  # "a, b": each code in words, joined again
        split = frame.with_columns(pl.col(column).str.split(sep))
        worded = in_words(split, column, prefixes, **values)
        return worded.with_columns(pl.col(column).list.join(sep))
    listed = isinstance(frame.schema[column], pl.List)
    codes = frame[column].explode() if listed else frame[column]
    mapping = {}
    for code in codes.drop_nulls().unique().to_list():
        if isinstance(prefixes, dict):
            if code in prefixes:
                mapping[code] = prefixes[code]
            continue
        key = next((p + str(code) for p in prefixes if known(p + str(code))), None)
        if key:
            mapping[code] = v.t(key, **values)
    if not mapping:
        return frame
    if listed:
        return frame.with_columns(pl.col(column).list.eval(pl.element().replace(mapping)))
    return frame.with_columns(pl.col(column).cast(pl.String).replace(mapping))


# --- KPI tiles --------------------------------------------------------------------------------


def _difference(now: object, before: object) -> object:
    if now is None or before is None:
        return None
    if isinstance(now, Decimal) or isinstance(before, Decimal):
        return Decimal(now) - Decimal(before)  # type: ignore[arg-type]
    return round(float(now) - float(before), 4)  # type: ignore[arg-type]


def kpi_tiles(now: dict, before: dict | None, per_row: int = 4) -> None:
    """One tile per KPI of the registry: its value as `reportgen kpis` prints it, and the
    change against the previous period, green when it is for the better."""
    v = view()
    rows = [metrics.METRICS[k : k + per_row] for k in range(0, len(metrics.METRICS), per_row)]
    for chunk in rows:
        for column, m in zip(st.columns(per_row), chunk, strict=False):
            change = _difference(now[m.key], before[m.key]) if before else None
            column.metric(
                v.fmt.metric_label(m.key),
                metrics.format_value(m, now[m.key], lang=v.lang),
                delta=v.fmt.change(m.key, change) if change is not None else None,
                delta_color={"higher": "normal", "lower": "inverse"}.get(m.better or "", "off"),
                help=v.fmt.metric_formula(m.key),
                border=True,
            )


# --- charts -----------------------------------------------------------------------------------


def chart(spec: dict, key: str) -> None:
    """A chart from a `reportgen.report.charts` spec (the site's charts), drawn by Plotly."""
    figure = go.Figure(data=spec["data"], layout=spec["layout"])
    st.plotly_chart(figure, key=key, config=spec.get("config", {}))


def aging_chart(title: str, labels: list[str], amounts: list, key: str) -> None:
    """Bars of the open amount per bucket, coloured from healthy to bad (the site's colours)."""
    v = view()
    unit = v.fmt.money_unit()
    spec = charts.bar_chart(
        title,
        [v.fmt.bucket(b) for b in labels],
        [charts.Series(v.t("open"), amounts)],
        y_title=v.t("axis_amount", unit=unit),
        unit=unit,
    )
    palette = list(charts.BUCKET_COLOURS.values())
    colours = [charts.BUCKET_COLOURS.get(b) for b in labels]
    if None in colours:  # other bounds: the same ladder, spread over as many buckets
        step = (len(palette) - 1) / max(len(labels) - 1, 1)
        colours = [palette[round(k * step)] for k in range(len(labels))]
    spec["data"][0]["marker"] = {"color": colours}
    spec["layout"]["showlegend"] = False
    chart(spec, key)


def policy_words() -> str:
    """Which credit policy the collections and ratings follow, in the chosen language: the
    default, or the name of the file `reportgen dashboard --policy FILE` was given."""
    import data

    v = view()
    chosen = data.policy()
    return v.t("policy_default") if chosen.is_default else v.t("policy_file", file=chosen.file_name)


def owner_words() -> dict[str, str]:
    """The worklist's owners in the chosen language: a rung's role as the policy names it
    (信用经理 for the credit manager), and the customers without a collector; a collector's
    name stays as customers.csv writes it."""
    import data

    from reportgen.collections import UNASSIGNED
    from reportgen.policy import COLLECTOR

    v = view()
    roles = {r.owner: r.owner_words(v.lang) for r in data.policy().ladder if r.owner != COLLECTOR}
    return {**roles, UNASSIGNED: v.t("owner_unassigned")}


def warning_words() -> dict[str, str]:
    """Each early warning in the chosen language, with the policy's thresholds in it."""
    import data

    from reportgen.ratings import WARNINGS

    v = view()
    chosen = data.policy()
    days, periods = chosen.warning_overdue_days, chosen.slowing_periods
    return {w: v.t(f"warning_{w}", days=days, periods=periods) for w in WARNINGS}


def caption_scope() -> None:
    """The as-of date, currency and filters the figures below are for."""
    v = view()
    parts = [f"{v.t('as_of')} {v.fmt.date(v.as_of)}", v.t("base_line", currency=v.fmt.money_unit())]
    chosen = [
        *(v.scope.segments or ()),
        *(v.scope.owners or ()),
        *(v.scope.currencies or ()),
    ]
    if chosen:
        parts.append(v.t("filters") + ": " + ", ".join(chosen))
    st.caption(" · ".join(parts))
