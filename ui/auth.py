"""Who is at the keyboard: the login gate and the helpers pages use.

``streamlit_app.py`` calls :func:`gate` before the navigation; it returns the logged-in account
or draws the login (or first-start setup) form and stops the run, so no page and no data are
sent before a login. Pages then call :func:`current_user`, :func:`current_scope` (the
:class:`geo.auth.Scope` every read goes through) and :func:`client_address` (for audit rows).

A login lives in a server-side session (``geo.auth.sessions``); its random token is kept in the
session state and in a ``SameSite=Strict`` cookie, so reloading, a deep link (the QR code of a
printed sheet) or a phone's screen lock keep the login for as long as the idle timeout allows.
The idle timeout is checked on every rerun.
"""

from __future__ import annotations

import contextlib
import json
from urllib.parse import urlencode, urlsplit

import streamlit as st

import ui.cache as cache
from geo._errors import BeatMapError
from geo.auth import Scope, audit
from geo.auth import sessions as auth_sessions
from geo.auth import users as auth_users
from geo.auth.users import User
from geo.i18n import Catalogue
from ui import login
from ui.i18n import texts

__all__ = [
    "COOKIE",
    "TOKEN_KEY",
    "client_address",
    "current_scope",
    "current_user",
    "gate",
    "logout",
    "redirecting",
    "require_login",
]

COOKIE = "beatmap_session"
TOKEN_KEY = "beatmap_auth_token"
USER_KEY = "beatmap_auth_user"
REVEAL_KEY = "beatmap_auth_reveal"
_COOKIE_PENDING = "beatmap_auth_cookie_pending"
_CLEAR_COOKIE = "beatmap_auth_clear_cookie"
_NOTICE = "beatmap_auth_notice"
_NEXT_KEY = "beatmap_auth_next_page"
_REDIRECT_KEY = "beatmap_auth_redirecting"

T = Catalogue(
    {
        "idle": (
            "长时间未操作，已自动退出，请重新登录。",
            "You were idle too long; please log in again.",
        ),
        "ended": ("登录已结束，请重新登录。", "Your session has ended; please log in again."),
        "header_untrusted": (
            "单点登录信息来自不受信任的地址，已拒绝。请通过单位门户访问。",
            "The single sign-on header came from an untrusted address and was refused. "
            "Open BeatMap through the bureau's portal.",
        ),
        "header_missing": (
            "未收到单点登录用户名。请通过单位门户访问。",
            "No single sign-on user name arrived. Open BeatMap through the bureau's portal.",
        ),
        "no_account": (
            "没有与此登录对应的 BeatMap 账户，或账户已停用。请联系管理员。",
            "No BeatMap account matches this login, or it is disabled. Ask the administrator.",
        ),
        "logout": ("退出登录", "Log out"),
        "signed_in": ("当前用户：{name}（{role}）", "Signed in: {name} ({role})"),
        "reveal": ("显示个人信息", "Show personal data"),
        "reveal_reason": ("事由（将记入审计日志）", "Reason (recorded in the audit log)"),
        "reveal_go": ("显示", "Show"),
        "reveal_on": ("正在显示个人信息", "Personal data shown"),
        "reveal_off": ("恢复遮盖", "Mask again"),
        "reveal_need_reason": ("请填写事由。", "Give a reason."),
        "oidc_login": ("使用单位账号登录", "Log in with the bureau account"),
    }
)


# -- reading who is logged in --------------------------------------------------------------------


def client_address() -> str:
    """The client's address as the server sees it (``127.0.0.1`` for a local browser)."""
    try:
        ip = st.context.ip_address
    except Exception:  # outside a browser session (AppTest)
        ip = None
    # under AppTest the context is a stand-in object, not an address
    return ip if isinstance(ip, str) and ip else "127.0.0.1"


def current_user() -> User | None:
    """The logged-in account of this session (None before login)."""
    value = st.session_state.get(USER_KEY)
    return value if isinstance(value, User) else None


def require_login() -> User:
    """The logged-in account; stops the run (after the gate's form) when there is none."""
    user = current_user()
    if user is None:
        st.stop()
    return user


def current_scope() -> Scope:
    """The :class:`geo.auth.Scope` of this session: what its pages may read and write.

    Before a login it is an empty scope (no beat, masked), so nothing leaks by mistake.
    """
    user = current_user()
    if user is None:
        return Scope(username="-", role="team", beat_ids=(), station_ids=())
    reveal = bool(st.session_state.get(REVEAL_KEY))
    store = cache.get_store()
    key = ("scope", user.id, reveal)
    held = st.session_state.get("beatmap_auth_scope")
    if held is not None and held[0] == key:
        return held[1]
    scope = Scope.for_user(user, store, reveal=reveal)
    st.session_state["beatmap_auth_scope"] = (key, scope)
    return scope


cache.use_scope(current_scope)  # every cached read of the store goes through this scope


# -- the gate ------------------------------------------------------------------------------------


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser connection (AppTest)
        return None
    return value if isinstance(value, str) and value else None


#: the server's login-cookie routes (``server.py`` mounts them with ``st.App``)
SESSION_ROUTE = "/auth/session"
LOGOUT_ROUTE = "/auth/logout"
_ROUTES = {"mounted": False}


class _Tickets:
    """One-time tickets (60 s) that the cookie route trades for a session token."""

    ttl = 60.0

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._tickets: dict[str, tuple[str, float]] = {}

    def issue(self, token: str) -> str:
        import secrets
        import time

        ticket = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._tickets = {k: v for k, v in self._tickets.items() if v[1] > now}
            self._tickets[ticket] = (token, now + self.ttl)
        return ticket

    def claim(self, ticket: str) -> str | None:
        import time

        with self._lock:
            token, until = self._tickets.pop(ticket, (None, 0.0))
        return token if token and until > time.monotonic() else None


_TICKETS = _Tickets()


def _safe_next(path: str) -> str:
    return path if path.startswith("/") and not path.startswith("//") else "/"


async def _claim_route(request):
    """GET /auth/session?ticket=..&next=..: set the HttpOnly session cookie, go to ``next``."""
    from starlette.responses import RedirectResponse

    token = _TICKETS.claim(request.query_params.get("ticket", ""))
    response = RedirectResponse(_safe_next(request.query_params.get("next", "/")), 303)
    if token:
        response.set_cookie(
            COOKIE, token, max_age=86400, path="/", httponly=True, samesite="strict"
        )
    return response


async def _logout_route(request):
    """GET /auth/logout?next=..: remove the session cookie, go to ``next``."""
    from starlette.responses import RedirectResponse

    response = RedirectResponse(_safe_next(request.query_params.get("next", "/")), 303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


def cookie_routes() -> list:
    """Starlette routes that set and clear the login cookie HttpOnly (for ``st.App``)."""
    from starlette.routing import Route

    _ROUTES["mounted"] = True
    return [Route(SESSION_ROUTE, _claim_route), Route(LOGOUT_ROUTE, _logout_route)]


def _page_path() -> str:
    try:
        return urlsplit(st.context.url or "").path or "/"
    except Exception:  # no browser connection (AppTest)
        return "/"


def _write_cookie(token: str | None) -> None:
    """Set (or clear) the session cookie in the browser.

    Under ``server.py`` the browser takes a one-time ticket to the server's cookie route, which
    sets the cookie HttpOnly and SameSite=Strict and sends it back to this page; otherwise a
    script sets it (SameSite=Strict, readable by scripts).
    """
    if _ROUTES["mounted"]:
        st.session_state[_REDIRECT_KEY] = True
        here = _page_path()
        if token:
            target = f"{SESSION_ROUTE}?" + urlencode(
                {"ticket": _TICKETS.issue(token), "next": here}
            )
        else:
            notice = st.session_state.get(_NOTICE)
            back = here + (f"?notice={notice}" if notice else "")
            target = f"{LOGOUT_ROUTE}?" + urlencode({"next": back})
        st.html(
            f"<script>window.location.replace({json.dumps(target)});</script>",
            unsafe_allow_javascript=True,
        )
        return
    if token:
        value = f"{COOKIE}={token}; path=/; SameSite=Strict; max-age=86400"
    else:
        value = f"{COOKIE}=; path=/; SameSite=Strict; max-age=0"
    st.html(
        f"<script>document.cookie = {json.dumps(value)};</script>",
        unsafe_allow_javascript=True,
    )


def _forget() -> None:
    for key in (TOKEN_KEY, USER_KEY, REVEAL_KEY, "beatmap_auth_scope"):
        st.session_state.pop(key, None)


def _start(store, user: User) -> None:
    token = auth_sessions.start_session(store, user, client=client_address())
    st.session_state[TOKEN_KEY] = token
    st.session_state[USER_KEY] = user
    st.session_state[_COOKIE_PENDING] = True


def _session_user(store, settings) -> User | None:
    """The account of this session's token (state, else cookie); ends idle sessions."""
    token = st.session_state.get(TOKEN_KEY)
    from_cookie = False
    if not token:
        token = _cookie_token()
        from_cookie = True
    if not token:
        return None
    check = auth_sessions.check_session(
        store, token, idle_minutes=settings.idle_minutes, client=client_address()
    )
    if check.user is None:
        _forget()
        if not from_cookie or check.reason == "idle":
            st.session_state[_NOTICE] = "idle" if check.reason == "idle" else "ended"
        st.session_state[_CLEAR_COOKIE] = True
        return None
    st.session_state[TOKEN_KEY] = token
    st.session_state[USER_KEY] = check.user
    return check.user


def _header_user(store, settings) -> User | None:
    """Header mode: the user name a trusted proxy put in the configured header."""
    ip = client_address()
    name = st.context.headers.get(settings.auth_header)
    if ip not in settings.proxy_addresses:
        if name:
            audit.record(
                store, user=name, action="login_failed", outcome="denied", client=ip,
                detail=f"header {settings.auth_header} from an untrusted address",
            )  # fmt: skip
        st.session_state[_NOTICE] = "header_untrusted"
        return None
    if not name:
        st.session_state[_NOTICE] = "header_missing"
        return None
    held = current_user()
    if held is not None and held.username == name and _session_user(store, settings):
        return held
    result = auth_users.login_by_name(store, name, via="header", client=ip)
    if not result.ok:
        st.session_state[_NOTICE] = "no_account"
        return None
    _start(store, result.user)
    return result.user


def _oidc_user(store, settings) -> User | None:
    """OIDC mode: Streamlit's ``st.login`` identity mapped to an account of the same name."""
    if not st.user.is_logged_in:
        return None
    name = st.user.get("preferred_username") or st.user.get("email")
    held = current_user()
    if held is not None and held.username == name and _session_user(store, settings):
        return held
    result = auth_users.login_by_name(store, str(name), via="oidc", client=client_address())
    if not result.ok:
        st.session_state[_NOTICE] = "no_account"
        return None
    _start(store, result.user)
    return result.user


def gate() -> User:
    """Return the logged-in account, or draw the login / setup form and stop the run."""
    st.session_state.pop(_REDIRECT_KEY, None)
    settings = cache.get_settings()
    store = cache.get_store()
    cache.announce_setup_code()
    if not auth_users.has_users(store):
        login.setup_form(store, start=_start, client=client_address())
        st.stop()
    if settings.auth == "header":
        user = _header_user(store, settings)
    else:
        user = _session_user(store, settings)
        if user is None and settings.auth == "oidc":
            user = _oidc_user(store, settings)
    if st.session_state.pop(_CLEAR_COOKIE, False) and settings.auth == "local":
        _write_cookie(None)
    if user is None:
        _remember_deep_link()
        notice = st.session_state.pop(_NOTICE, None)
        if notice is None and st.query_params.get("notice") in ("idle", "ended"):
            notice = st.query_params.get("notice")  # carried over a cookie-clearing reload
        if notice:
            st.warning(texts(T, notice))
        if settings.auth == "local":
            login.login_form(store, settings, start=_start, client=client_address())
        elif settings.auth == "oidc":
            st.button(texts(T, "oidc_login"), on_click=st.login)
        st.stop()
    if st.session_state.pop(_COOKIE_PENDING, False) and settings.auth == "local":
        _write_cookie(st.session_state.get(TOKEN_KEY))
    if user.must_change and settings.auth == "local":
        login.change_password_form(
            store, user, start=_start, forget=_forget, client=client_address(), forced=True
        )
        st.stop()
    _sidebar(store, user)
    return user


def redirecting() -> bool:
    """Whether this run sent the browser to the cookie route (it is about to leave the page:
    switching pages now would drop that script before it runs)."""
    return bool(st.session_state.get(_REDIRECT_KEY))


def _remember_deep_link() -> None:
    """Keep the page a link pointed at (e.g. the QR code's ``/field``) for after the login."""
    if _NEXT_KEY in st.session_state:
        return
    try:
        path = urlsplit(st.context.url or "").path
    except Exception:  # no browser connection (AppTest)
        path = ""
    st.session_state[_NEXT_KEY] = path.rstrip("/").rsplit("/", 1)[-1]


def resume_deep_link(pages: list) -> None:
    """After a login, go to the page the first request pointed at (once).

    ``streamlit_app.py`` calls it between ``st.navigation(pages)`` and ``.run()``.
    """
    if redirecting():  # the cookie route brings the browser back to the page it is on
        return
    wanted = st.session_state.pop(_NEXT_KEY, None)
    if not wanted:
        return
    for page in pages:
        if page.url_path == wanted:
            st.switch_page(page)


def logout() -> None:
    """End every session of the account, forget it here and clear the cookie."""
    user = current_user()
    if user is not None:
        with contextlib.suppress(BeatMapError):
            auth_sessions.logout(cache.get_store(), user, client=client_address())
    _forget()
    st.session_state[_CLEAR_COOKIE] = True
    if cache.get_settings().auth == "oidc":
        st.logout()


def _sidebar(store, user: User) -> None:
    from ui.i18n import current_language

    lang = current_language()
    with st.sidebar:
        st.caption(texts(T, "signed_in", name=user.display_name, role=user.role_label(lang)))
        st.button(texts(T, "logout"), on_click=logout, key="auth_logout")
        if user.role == "admin":
            _reveal_control(store, user)


def _reveal_control(store, user: User) -> None:
    """The administrator's explicit, audited "show personal data"."""
    if st.session_state.get(REVEAL_KEY):
        st.warning(texts(T, "reveal_on"))
        if st.button(texts(T, "reveal_off"), key="auth_reveal_off"):
            st.session_state[REVEAL_KEY] = False
            st.session_state.pop("beatmap_auth_scope", None)
            cache.clear_data()
            st.rerun()
        return
    with st.expander(texts(T, "reveal")):
        reason = st.text_input(texts(T, "reveal_reason"), key="auth_reveal_reason")
        if st.button(texts(T, "reveal_go"), key="auth_reveal_go"):
            if not reason.strip():
                st.error(texts(T, "reveal_need_reason"))
                return
            audit.record(
                store, user=user, action="reveal", client=client_address(), detail=reason.strip()
            )
            st.session_state[REVEAL_KEY] = True
            st.session_state.pop("beatmap_auth_scope", None)
            st.rerun()
