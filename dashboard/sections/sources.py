"""Data: read another folder, or upload export files (a preset, or recognised from the
headers), and see what was read, how, and what was rejected — before any figure changes."""

from __future__ import annotations

import os
from pathlib import Path

import data
import polars as pl
import streamlit as st
from words import t

from reportgen.ingest.mapping import presets
from reportgen.load import DataError

CANDIDATE_KEY = "rg_candidate"
MAX_MB = int(os.environ.get("REPORTGEN_MAX_UPLOAD_MB", "50"))
lang = st.session_state.get("lang", "en")
current: data.Source = st.session_state["rg_source"]

st.title(t("page_data", lang))
st.caption(t("current_source", lang, name=current.label))

preset_names = [None, *sorted(n for n in presets() if "-" not in n or n.startswith("sap"))]
left, middle, right = st.columns(3)
preset = left.selectbox(
    t("preset", lang), preset_names, format_func=lambda p: p or t("auto", lang), key="data_preset"
)
encoding = middle.selectbox(
    t("encoding", lang),
    [None, "utf-8", "gb18030", "utf-16", "cp1252"],
    format_func=lambda e: e or t("detected", lang),
    key="data_encoding",
)
date_format = right.selectbox(
    t("date_format", lang),
    [None, "dmy", "mdy", "ymd"],
    format_func=lambda d: d or t("detected", lang),
    key="data_date_format",
)
options = {"preset": preset, "encoding": encoding, "date_format": date_format}

folder_tab, upload_tab = st.tabs([t("folder", lang), t("upload", lang)])
with folder_tab:
    path = st.text_input(t("folder", lang), help=t("folder_help", lang), key="data_folder")
    if st.button(t("check", lang), key="check_folder") and path.strip():
        where = Path(path.strip()).expanduser()
        if where.exists():
            st.session_state[CANDIDATE_KEY] = data.source(where, **options)
        else:
            st.error(t("no_folder", lang, path=str(where)))
with upload_tab:
    uploads = st.file_uploader(
        t("upload", lang),
        accept_multiple_files=True,
        help=t("upload_help", lang, mb=MAX_MB),
        type=[s.lstrip(".") for s in data.UPLOAD_SUFFIXES],
        key="data_upload",
    )
    if st.button(t("check", lang), key="check_upload") and uploads:
        refused = [
            t("too_large", lang, file=f.name, mb=MAX_MB)
            for f in uploads
            if f.size > MAX_MB * 1024 * 1024
        ] + [
            t("bad_type", lang, file=f.name)
            for f in uploads
            if Path(f.name).suffix.lower() not in data.UPLOAD_SUFFIXES
        ]
        if refused:
            for message in refused:
                st.error(message)
        else:
            folder = data.stage_upload([(f.name, f.getvalue()) for f in uploads])
            label = ", ".join(sorted(f.name for f in uploads))
            st.session_state[CANDIDATE_KEY] = data.source(folder, label=label, **options)

candidate: data.Source | None = st.session_state.get(CANDIDATE_KEY)
if candidate is not None:
    st.divider()
    st.subheader(candidate.label)
    try:
        ds = data.dataset(candidate)
    except DataError as exc:
        st.error(t("read_failed", lang, error=str(exc)))
        ds = None
    except Exception as exc:  # a file we cannot parse at all: said plainly, no traceback
        st.error(t("read_failed", lang, error=f"{type(exc).__name__}: {exc}"))
        ds = None
    if ds is not None:
        st.info(t("checked_intro", lang))
        files = (
            pl.DataFrame(
                [vars(f) for f in ds.files],
                schema=[
                    "file",
                    "table",
                    "rows_read",
                    "rows_loaded",
                    "rows_skipped",
                    "rows_rejected",
                ],
                orient="row",
            )
            if ds.files
            else pl.DataFrame()
        )
        st.markdown(f"**{t('files', lang)}**")
        st.dataframe(files, hide_index=True, key="data_files")
        if ds.exports:
            st.markdown(f"**{t('mapping', lang)}**")
            for report in ds.exports:
                with st.expander(f"{report.file} — {report.system or t('unknown', lang)}"):
                    st.dataframe(
                        pl.DataFrame(
                            {
                                "field": list(report.columns),
                                "header": list(report.columns.values()),
                            },
                            schema={"field": pl.String, "header": pl.String},
                        ),
                        hide_index=True,
                        column_config={"field": t("field", lang), "header": t("header", lang)},
                    )
                    facts = {
                        t("encoding", lang): report.encoding or "-",
                        t("header_row", lang): report.header_row,
                        t("as_of_found", lang): report.as_of or "-",
                        t("not_used", lang): ", ".join(report.ignored) or "-",
                        t("skipped_rows", lang): ", ".join(
                            f"{n:,} {why}" for why, n in report.skipped.items()
                        )
                        or "-",
                    }
                    st.table(pl.DataFrame({"": list(facts), " ": [str(x) for x in facts.values()]}))
                    if report.mapping_toml:
                        st.code(report.mapping_toml, language="toml")
        severity = ds.problems["severity"].value_counts() if ds.problems.height else None
        counts = dict(severity.iter_rows()) if severity is not None else {}
        st.markdown(f"**{t('problems', lang)}**")
        if ds.problems.height:
            st.warning(
                t(
                    "problems_count",
                    lang,
                    errors=counts.get("error", 0),
                    warnings=counts.get("warning", 0),
                    skipped=counts.get("skipped", 0),
                )
            )
            st.dataframe(ds.problems.head(2000), hide_index=True, key="data_problems")
        else:
            st.success(t("no_problem", lang))
        if st.button(t("use_this", lang), type="primary", key="use_candidate"):
            st.session_state["rg_source"] = candidate
            del st.session_state[CANDIDATE_KEY]
            st.rerun()

if current.path != str(data.SAMPLE) and st.button(t("use_sample", lang), key="use_sample"):
    st.session_state["rg_source"] = data.source(data.SAMPLE)
    st.rerun()
