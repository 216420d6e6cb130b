"""BeatMap web app: ``streamlit run streamlit_app.py``.

The entry point only sets the page up, offers the language switch and the navigation; each page
is its own file under ``ui/`` and calls into ``geo/`` and ``layers/``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.auth import may
from geo.store import store_error
from ui.auth import gate, redirecting, resume_deep_link
from ui.cache import get_settings
from ui.i18n import LANG_KEY, t
from ui.sidebar import render_filters

# a local image: a :material/...: favicon is fetched from fonts.gstatic.com (offline: nothing)
FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"
st.set_page_config(page_title="BeatMap", page_icon=str(FAVICON), layout="wide")

if LANG_KEY not in st.session_state:
    st.session_state[LANG_KEY] = get_settings().language

with st.sidebar:
    st.radio(
        "语言 / Language",
        options=["zh", "en"],
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        key=LANG_KEY,
        horizontal=True,
    )


def _database_fault(exc: Exception) -> None:
    """A database that is down, full, read-only or corrupt: one clear sentence, no traceback.

    Nothing is cached on failure, so the next run (the button, or any click) tries again: the
    app recovers without a restart once the database is back.
    """
    friendly = store_error(exc)
    if friendly is None:
        raise exc
    st.error(t("数据库暂时无法使用：", "The database cannot be used right now: ") + str(friendly))
    st.button(t("重试", "Try again"), key="beatmap-db-retry")
    st.stop()


# no page and no data before a login: the gate draws the login form and stops the run
try:
    user = gate()
except Exception as exc:  # a database fault; anything else is raised again
    _database_fault(exc)

# the one shared sidebar of filters; pages read it with ui.sidebar.current_filters()
if may(user.role, action="read"):
    render_filters()

pages = [
    st.Page("ui/area.py", title=t("区域", "Area"), icon=":material/map:", url_path="area"),
    st.Page(
        "ui/coverage.py",
        title=t("覆盖率", "Coverage"),
        icon=":material/donut_large:",
        url_path="coverage",
    ),
    st.Page(
        "ui/routes.py",
        title=t("路线", "Routes"),
        icon=":material/directions_walk:",
        url_path="routes",
    ),
    st.Page(
        "ui/field.py", title=t("外勤", "Field"), icon=":material/smartphone:", url_path="field"
    ),
    st.Page(
        "ui/cameras.py",
        title=t("摄像头", "Cameras"),
        icon=":material/videocam:",
        url_path="cameras",
    ),
    st.Page(
        "ui/community.py",
        title=t("社区工作", "Community"),
        icon=":material/groups:",
        url_path="community",
    ),
    st.Page("ui/data.py", title=t("数据", "Data"), icon=":material/upload_file:", url_path="data"),
]
pages += [
    st.Page(
        "ui/accounts.py",
        title=t("账户", "Accounts"),
        icon=":material/manage_accounts:",
        url_path="accounts",
    ),
    st.Page(
        "ui/audit.py",
        title=t("审计日志", "Audit log"),
        icon=":material/receipt_long:",
        url_path="audit",
    ),
]
# each role sees only its pages (geo.auth.scope.PAGE_ACCESS); the first one it may open is its
# home page. "/" is a hidden page that opens it under its own address: Streamlit serves the
# default page at "/" only, so a home page marked default would answer /area with "not found"
pages = [p for p in pages if may(user.role, p.url_path)]


def _home() -> None:
    if not redirecting():  # after a login the cookie route brings the browser back here
        st.switch_page(pages[0])


root = st.Page(
    _home,
    title=pages[0].title,
    icon=":material/home:",
    url_path="home",
    default=True,
    visibility="hidden",
)
navigation = st.navigation([root, *pages])
resume_deep_link(pages)  # a link opened before the login lands where it pointed
try:
    navigation.run()
except Exception as exc:  # a database fault; anything else is raised again
    _database_fault(exc)
