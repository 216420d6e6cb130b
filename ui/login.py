"""The login, first-start setup and password-change forms (drawn by :func:`ui.auth.gate`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from geo._errors import BeatMapError
from geo.auth import users as auth_users
from geo.auth.passwords import password_problems
from geo.i18n import Catalogue
from ui.i18n import current_language, texts

#: opens the session of a user who passed: ``start(store, user)``
Start = Callable[[Any, Any], None]

T = Catalogue(
    {
        "title": ("BeatMap 登录", "Log in to BeatMap"),
        "username": ("用户名", "User name"),
        "password": ("密码", "Password"),
        "submit": ("登录", "Log in"),
        "refused": (
            "用户名或密码错误，或账户已停用或暂时锁定。",
            "Wrong user name or password, or the account is disabled or locked for a while.",
        ),
        "setup_title": ("首次启动：创建管理员", "First start: create the administrator"),
        "setup_help": (
            "服务器控制台和日志中打印了一次性设置码。输入设置码，为第一位管理员设置用户名和密码。",
            "The server printed a one-time setup code to its console and log. Enter it and "
            "choose the first administrator's user name and password.",
        ),
        "setup_code": ("设置码", "Setup code"),
        "bad_code": (
            "设置码有误或已使用，请查看服务器控制台。",
            "The setup code is wrong or spent; see the server's console.",
        ),
        "display_name": ("姓名", "Display name"),
        "password2": ("再次输入密码", "Password again"),
        "mismatch": ("两次输入的密码不一致。", "The two passwords differ."),
        "create": ("创建管理员", "Create administrator"),
        "change_title": ("请设置新密码", "Choose a new password"),
        "change_help": (
            "此密码由他人设置，首次登录须改为只有您知道的密码。",
            "Someone else set this password; choose one only you know.",
        ),
        "new_password": ("新密码", "New password"),
        "save": ("保存", "Save"),
        "rules": (
            "至少 10 个字符，包含小写、大写、数字、符号中的至少三类，且不含用户名。",
            "At least 10 characters, mixing three of lower case, upper case, digits and symbols, "
            "not containing the user name.",
        ),
    }
)


def login_form(store, settings, *, start: Start, client: str) -> None:
    """User name and password; one message for every refusal.

    ``start(store, user)`` opens the session of a user who passed; ``client`` is the address
    the audit rows name.
    """

    st.title(texts(T, "title"))
    with st.form("beatmap_login", clear_on_submit=False):
        username = st.text_input(texts(T, "username"), key="login_username")
        password = st.text_input(texts(T, "password"), type="password", key="login_password")
        submitted = st.form_submit_button(texts(T, "submit"), type="primary")
    if not submitted:
        return
    result = auth_users.authenticate(
        store,
        username.strip(),
        password,
        lockout_attempts=settings.lockout_attempts,
        lockout_minutes=settings.lockout_minutes,
        client=client,
    )
    if not result.ok:
        st.error(texts(T, "refused"))
        return
    start(store, result.user)
    st.rerun()


def setup_form(store, *, start: Start, client: str) -> None:
    """The first administrator, created with the one-time setup code."""

    st.title(texts(T, "setup_title"))
    st.info(texts(T, "setup_help"))
    with st.form("beatmap_setup"):
        code = st.text_input(texts(T, "setup_code"), key="setup_code")
        username = st.text_input(texts(T, "username"), key="setup_username")
        display = st.text_input(texts(T, "display_name"), key="setup_display")
        pw1 = st.text_input(texts(T, "password"), type="password", key="setup_pw1")
        pw2 = st.text_input(texts(T, "password2"), type="password", key="setup_pw2")
        st.caption(texts(T, "rules"))
        submitted = st.form_submit_button(texts(T, "create"), type="primary")
    if not submitted:
        return
    if pw1 != pw2:
        st.error(texts(T, "mismatch"))
        return
    problems = password_problems(pw1, username=username.strip(), lang=current_language())
    if problems:
        for p in problems:
            st.error(p)
        return
    try:
        user = auth_users.create_first_admin(
            store,
            code=code,
            username=username.strip(),
            password=pw1,
            display_name=display.strip() or None,
            client=client,
        )
    except auth_users.SetupCodeError:
        st.error(texts(T, "bad_code"))
        return
    except BeatMapError as exc:
        st.error(str(exc))
        return
    start(store, user)
    st.rerun()


def change_password_form(
    store, user, *, start: Start, forget: Callable[[], None], client: str, forced: bool = False
) -> None:
    """A new password (policy checked); every other session of the account ends."""

    st.title(texts(T, "change_title"))
    if forced:
        st.info(texts(T, "change_help"))
    with st.form("beatmap_change_password"):
        pw1 = st.text_input(texts(T, "new_password"), type="password", key="chg_pw1")
        pw2 = st.text_input(texts(T, "password2"), type="password", key="chg_pw2")
        st.caption(texts(T, "rules"))
        submitted = st.form_submit_button(texts(T, "save"), type="primary")
    if not submitted:
        return
    if pw1 != pw2:
        st.error(texts(T, "mismatch"))
        return
    problems = password_problems(pw1, username=user.username, lang=current_language())
    if problems:
        for p in problems:
            st.error(p)
        return
    updated = auth_users.change_password(store, user.username, pw1, actor=user, client=client)
    forget()
    start(store, updated)
    st.rerun()
