"""Accounts page (administrators): add, reset, disable and enable accounts.

Every change goes through :mod:`geo.auth.users` and is audited there under the administrator's
name. A temporary password is shown once; its owner must change it at first login.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui.cache as cache
from geo._errors import BeatMapError
from geo.auth import ROLES
from geo.auth import users as auth_users
from geo.i18n import Catalogue
from ui.auth import client_address, current_scope, require_login
from ui.i18n import current_language, texts

T = Catalogue(
    {
        "title": ("账户", "Accounts"),
        "denied": ("只有管理员可以管理账户。", "Only administrators manage accounts."),
        "username": ("用户名", "User name"),
        "display_name": ("姓名", "Display name"),
        "role": ("角色", "Role"),
        "officer": ("关联民警编号", "Linked officer id"),
        "station": ("派出所编号（空：全市）", "Station id (empty: the city)"),
        "beats": ("警务区编号（逗号分隔）", "Beat ids (comma-separated)"),
        "disabled": ("已停用", "Disabled"),
        "locked": ("锁定至", "Locked until"),
        "last_login": ("最近登录", "Last login"),
        "must_change": ("须改密码", "Must change password"),
        "add": ("新建账户", "New account"),
        "create": ("创建", "Create"),
        "temp": (
            "账户 {name} 的临时密码（仅显示一次，首次登录须修改）：",
            "Temporary password of {name} (shown once; to be changed at first login):",
        ),
        "manage": ("管理已有账户", "Manage an account"),
        "pick": ("账户", "Account"),
        "reset": ("重置密码", "Reset password"),
        "disable": ("停用", "Disable"),
        "enable": ("启用", "Enable"),
        "done": ("已完成。", "Done."),
        "bad_number": ("{field} 须为整数。", "{field} must be a whole number."),
    }
)


def _int_or_none(text: str, label: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise BeatMapError(texts(T, "bad_number", field=label)) from None


def main() -> None:
    user = require_login()
    scope = current_scope()
    st.title(texts(T, "title"))
    if not scope.may("accounts", "manage_accounts"):
        st.error(texts(T, "denied"))
        return
    store = cache.get_workspace().store
    lang = current_language()
    accounts = auth_users.list_users(store)
    table = pd.DataFrame(
        {
            texts(T, "username"): [a.username for a in accounts],
            texts(T, "display_name"): [a.display_name for a in accounts],
            texts(T, "role"): [a.role_label(lang) for a in accounts],
            texts(T, "officer"): [a.officer_id for a in accounts],
            texts(T, "station"): [a.station_id for a in accounts],
            texts(T, "beats"): [",".join(map(str, a.beat_ids)) for a in accounts],
            texts(T, "disabled"): [a.disabled for a in accounts],
            texts(T, "must_change"): [a.must_change for a in accounts],
            texts(T, "locked"): [a.locked_until for a in accounts],
            texts(T, "last_login"): [a.last_login_at for a in accounts],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")

    st.subheader(texts(T, "add"))
    with st.form("account_add", clear_on_submit=True):
        username = st.text_input(texts(T, "username"))
        display = st.text_input(texts(T, "display_name"))
        role = st.selectbox(
            texts(T, "role"),
            options=list(ROLES),
            format_func=lambda r: ROLES[r][1 if lang == "en" else 0],
        )
        officer = st.text_input(texts(T, "officer"))
        station = st.text_input(texts(T, "station"))
        beats = st.text_input(texts(T, "beats"))
        submitted = st.form_submit_button(texts(T, "create"), type="primary")
    if submitted:
        try:
            from geo.auth.passwords import temporary_password

            pw = temporary_password()
            beat_ids = [_int_or_none(b, texts(T, "beats")) for b in beats.split(",") if b.strip()]
            auth_users.create_user(
                store,
                username=username.strip(),
                role=role,
                password=pw,
                actor=user,
                display_name=display.strip() or None,
                officer_id=_int_or_none(officer, texts(T, "officer")),
                station_id=_int_or_none(station, texts(T, "station")),
                beat_ids=beat_ids,
                must_change=True,
                client=client_address(),
            )
        except BeatMapError as exc:
            st.error(str(exc))
        else:
            st.success(texts(T, "temp", name=username.strip()))
            st.code(pw, language=None)

    st.subheader(texts(T, "manage"))
    names = [a.username for a in accounts if a.username != user.username]
    if not names:
        return
    picked = st.selectbox(texts(T, "pick"), options=names, key="account_pick")
    c1, c2, c3 = st.columns(3)
    try:
        if c1.button(texts(T, "reset"), key="account_reset"):
            pw = auth_users.reset_password(store, picked, actor=user, client=client_address())
            st.success(texts(T, "temp", name=picked))
            st.code(pw, language=None)
        if c2.button(texts(T, "disable"), key="account_disable"):
            auth_users.disable_user(store, picked, actor=user, client=client_address())
            st.success(texts(T, "done"))
        if c3.button(texts(T, "enable"), key="account_enable"):
            auth_users.enable_user(store, picked, actor=user, client=client_address())
            st.success(texts(T, "done"))
    except BeatMapError as exc:
        st.error(str(exc))


main()
