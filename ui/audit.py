"""Audit log page (auditors): filter by user, action and date, export CSV, check the chain."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import ui.cache as cache
from geo.auth import audit
from geo.i18n import Catalogue
from ui.auth import client_address, current_scope, require_login
from ui.i18n import current_language, texts

T = Catalogue(
    {
        "title": ("审计日志", "Audit log"),
        "denied": ("只有审计员可以查看审计日志。", "Only auditors read the audit log."),
        "user": ("用户", "User"),
        "action": ("操作", "Action"),
        "dates": ("日期", "Dates"),
        "all": ("全部", "All"),
        "export": ("导出 CSV", "Export CSV"),
        "verify": ("校验哈希链", "Check the hash chain"),
        "intact": ("哈希链完整：已校验 {n} 条记录。", "The chain is intact: {n} rows checked."),
        "broken": ("哈希链断裂：{where}", "The chain is broken: {where}"),
        "rows": ("{n} 条记录", "{n} rows"),
    }
)


def main() -> None:
    user = require_login()
    scope = current_scope()
    st.title(texts(T, "title"))
    if not scope.may("audit", "read_audit"):
        st.error(texts(T, "denied"))
        return
    store = cache.get_workspace().store
    lang = current_language()
    c1, c2, c3 = st.columns(3)
    username = c1.text_input(texts(T, "user"), key="audit_user")
    actions = [""] + list(audit.AUDIT_ACTIONS)
    action = c2.selectbox(
        texts(T, "action"),
        options=actions,
        format_func=lambda a: (
            texts(T, "all") if not a else audit.AUDIT_ACTIONS[a][1 if lang == "en" else 0]
        ),
        key="audit_action",
    )
    today = dt.date.today()
    dates = c3.date_input(
        texts(T, "dates"), value=(today - dt.timedelta(days=30), today), key="audit_dates"
    )
    start, end = (dates[0], dates[-1]) if isinstance(dates, tuple) and dates else (None, None)
    rows = audit.read(
        store, username=username.strip() or None, action=action or None, start=start, end=end
    )
    st.caption(texts(T, "rows", n=len(rows)))
    st.dataframe(rows, hide_index=True, width="stretch")
    data = audit.export_csv(rows)
    if st.download_button(
        texts(T, "export"), data=data, file_name="audit_log.csv", mime="text/csv"
    ):
        audit.record(
            store, user=user, action="export", object="audit_log", client=client_address(),
            detail=f"{len(rows)} rows",
        )  # fmt: skip
    if st.button(texts(T, "verify"), key="audit_verify"):
        n, broken = audit.verify(store)
        if broken is None:
            st.success(texts(T, "intact", n=n))
        else:
            st.error(texts(T, "broken", where=str(broken)))


main()
