"""The managers' dashboard: page frame, sign-in, the shared sidebar filters, and navigation.

Run it with `reportgen dashboard [DATA]` (or `streamlit run dashboard/app.py`). Environment:
`REPORTGEN_DATA` (folder or file; the sample company by default), `REPORTGEN_DASHBOARD_USERS`
(a users file, see auth.py: sign-in required when set), `REPORTGEN_MAX_UPLOAD_MB`.
Pages are listed once, in `PAGES`: a later page is one more line there. They live in
`sections/`, not `pages/`: Streamlit's test harness reads a `pages/` folder as the old
multipage layout and reruns a page without this script (and its sidebar).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import auth
import data
import streamlit as st
from ui import VIEW_KEY, View
from words import t

from reportgen.load import DataError
from reportgen.report.lang import LANG_NAMES


@dataclass(frozen=True)
class PageSpec:
    key: str  # url path and the `page_<key>` word
    script: str
    icon: str


PAGES = (
    PageSpec("overview", "sections/overview.py", ":material/dashboard:"),
    PageSpec("aging", "sections/aging.py", ":material/calendar_month:"),
    PageSpec("customer", "sections/customer.py", ":material/person_search:"),
    PageSpec("credit", "sections/credit.py", ":material/credit_score:"),
    PageSpec("worklist", "sections/worklist.py", ":material/checklist:"),
    PageSpec("ratings", "sections/ratings.py", ":material/grade:"),
    PageSpec("reconciliation", "sections/reconciliation.py", ":material/rule:"),
    PageSpec("data", "sections/sources.py", ":material/folder_open:"),
)
HERE = Path(__file__).resolve().parent
SOURCE_KEY = "rg_source"
USER_KEY = "rg_user"
EVERY = ("month", "quarter", "year")
EVERY_KEY = "every_chosen"  # the period kind, whichever language chose it

st.set_page_config(page_title="reportgen", page_icon="📊", layout="wide")
# our own style only (no data in it): KPI values small enough that 12-digit amounts fit a tile
st.markdown(
    "<style>[data-testid='stMetricValue'] { font-size: 1.6rem; }</style>",
    unsafe_allow_html=True,
)

lang = st.sidebar.radio(
    "Language / 语言",
    list(LANG_NAMES),
    format_func=LANG_NAMES.get,
    horizontal=True,
    key="lang",
)


# --- sign-in ----------------------------------------------------------------------------------


def signed_in_user() -> auth.User | None:
    """The signed-in user, asking for a sign-in when a users file is configured; stops the
    page until then. None when the dashboard is open (no users file)."""
    config = os.environ.get("REPORTGEN_DASHBOARD_USERS")
    if not config:
        return None
    try:
        users = auth.read_users(Path(config))
    except auth.AuthError as exc:
        st.error(str(exc))
        st.stop()
    if USER_KEY in st.session_state and st.session_state[USER_KEY] in users:
        return users[st.session_state[USER_KEY]]
    st.title(t("login", lang))
    st.info(t("login_needed", lang))
    with st.form("login"):
        login = st.text_input(t("user", lang), key="login_user")
        password = st.text_input(t("password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(t("login", lang))
    if submitted:
        user = auth.check(users, login, password)
        if user:
            st.session_state[USER_KEY] = user.login
            st.rerun()
        st.error(t("login_failed", lang))
    st.stop()


user = signed_in_user()
if user:
    st.sidebar.caption(t("signed_in", lang, user=user.name))
    if user.owners:
        st.sidebar.caption(t("only_owners", lang, owners=", ".join(user.owners)))
    if st.sidebar.button(t("sign_out", lang)):
        del st.session_state[USER_KEY]
        st.rerun()

# --- the data ---------------------------------------------------------------------------------

if SOURCE_KEY not in st.session_state:
    start = os.environ.get("REPORTGEN_DATA") or str(data.SAMPLE)
    st.session_state[SOURCE_KEY] = data.source(start)
src: data.Source = st.session_state[SOURCE_KEY]
allowed = user.owners if user else None

pages = {
    spec.key: st.Page(
        str(HERE / spec.script),
        title=t(f"page_{spec.key}", lang),
        icon=spec.icon,
        url_path=spec.key,
        default=k == 0,
    )
    for k, spec in enumerate(PAGES)
}

try:
    with st.spinner("…"):
        ds = data.dataset(src)
        first, last = data.document_dates(src)
except DataError as exc:
    # the folder cannot be read: only the Data page, to choose another one
    st.error(t("read_failed", lang, error=str(exc)))
    st.navigation([pages["data"]]).run()
    st.stop()

st.sidebar.caption(t("data_source", lang, name=src.label))
st.sidebar.subheader(t("filters", lang))
last = last or ds.snapshot_as_of
as_of = st.sidebar.date_input(
    t("as_of", lang),
    value=ds.snapshot_as_of or last,
    min_value=first,
    format="YYYY-MM-DD",
    key="as_of",
    disabled=ds.snapshot_as_of is not None,
)
# One widget per language, the choice kept across them: a keyed widget whose option labels
# change keeps showing (or loses) the choice made in the other language in the browser.
every = st.sidebar.selectbox(
    t("period_kind", lang),
    EVERY,
    index=EVERY.index(st.session_state.get(EVERY_KEY, EVERY[0])),
    format_func=lambda e: t(f"every_{e}", lang),
    key=f"every_{lang}",
)
st.session_state[EVERY_KEY] = every
chosen = {}
for column in ("segment", "owner", "currency"):
    chosen[column] = st.sidebar.multiselect(
        t(column, lang),
        data.filter_values(src, column, allowed),
        placeholder=t("all", lang),
        key=f"filter_{column}",
    )

st.session_state[VIEW_KEY] = View(
    src=src,
    as_of=ds.snapshot_as_of or as_of,
    every=every,
    scope=data.Scope(
        segments=tuple(chosen["segment"]),
        owners=tuple(chosen["owner"]),
        currencies=tuple(chosen["currency"]),
        allowed_owners=allowed,
    ),
    lang=lang,
    currency=ds.base_currency,
    digits=ds.digits,
)
st.navigation(list(pages.values())).run()
