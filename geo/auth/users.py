"""Accounts: creation, passwords, lockout, disabling, the one-time setup code, and login.

Every change is one transaction and is audited under the name of whoever made it (an account, or
``os:<name>`` for the command line). Login answers the same for an unknown user name, a wrong
password, a locked and a disabled account, so the message never tells whether a name exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from geo._errors import InputError, NotFoundError, ProblemCollector
from geo.auth import audit
from geo.auth.passwords import (
    check_password,
    hash_password,
    needs_rehash,
    temporary_password,
    verify_password,
)
from geo.auth.scope import ROLES
from geo.auth.tables import SESSIONS, USERS, utcnow

__all__ = [
    "LoginResult",
    "User",
    "authenticate",
    "change_password",
    "check_setup_code",
    "create_user",
    "disable_user",
    "enable_user",
    "get_user",
    "has_users",
    "issue_setup_code",
    "list_users",
    "reset_password",
]

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
_SETUP_KEY = "setup_code_hash"


class SetupCodeError(InputError):
    """The first-start setup code is wrong or already spent."""


@dataclass(frozen=True)
class User:
    """An account as pages and ``geo`` see it (no password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    officer_id: int | None = None
    station_id: int | None = None
    beat_ids: tuple[int, ...] = ()
    must_change: bool = False
    disabled: bool = False
    locked_until: dt.datetime | None = None
    failed_attempts: int = 0
    created_at: dt.datetime | None = None
    last_login_at: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> User:
        beats = tuple(int(b) for b in (row["beat_ids"] or "").split(",") if b.strip())
        return cls(
            id=int(row["id"]),
            username=row["username"],
            display_name=row["display_name"],
            role=row["role"],
            officer_id=row["officer_id"],
            station_id=row["station_id"],
            beat_ids=beats,
            must_change=bool(row["must_change"]),
            disabled=bool(row["disabled"]),
            locked_until=row["locked_until"],
            failed_attempts=int(row["failed_attempts"] or 0),
            created_at=row["created_at"],
            last_login_at=row["last_login_at"],
        )

    def role_label(self, lang: str = "zh") -> str:
        zh, en = ROLES.get(self.role, (self.role, self.role))
        return en if lang == "en" else zh


def _select(conn: sa.Connection, username: str) -> Any:
    return conn.execute(sa.select(USERS).where(USERS.c.username == username)).mappings().first()


def get_user(store: Any, username: str) -> User:
    """The account ``username``; :class:`NotFoundError` when there is none."""
    with store.engine.connect() as conn:
        row = _select(conn, username)
    if row is None:
        raise NotFoundError(f"no account {username!r}")
    return User.from_row(row)


def user_by_id(store: Any, user_id: int) -> User | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(USERS).where(USERS.c.id == int(user_id))).mappings().first()
    return None if row is None else User.from_row(row)


def list_users(store: Any) -> list[User]:
    """Every account, by user name."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(USERS).order_by(USERS.c.username)).mappings().all()
    return [User.from_row(r) for r in rows]


def has_users(store: Any) -> bool:
    """Whether any account exists."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(USERS)).scalar_one() > 0


def create_user(
    store: Any,
    *,
    username: str,
    role: str,
    password: str,
    actor: Any,
    display_name: str | None = None,
    officer_id: int | None = None,
    station_id: int | None = None,
    beat_ids: tuple[int, ...] | list[int] = (),
    must_change: bool = True,
    client: str | None = None,
) -> User:
    """Create an account (one transaction, audited).

    Parameters
    ----------
    username : str
        2-64 letters, digits, ``_ . @ -``; unique.
    role : str
        One of :data:`geo.auth.scope.ROLES`.
    password : str
        Must meet the policy (:func:`geo.auth.passwords.check_password`).
    actor : User or str
        Who creates it (``"os:<name>"`` from the command line).
    officer_id : int, optional
        The linked officer record; required for officers and team members unless ``beat_ids``.
    station_id : int, optional
        A chief's or planner's station (none: the whole city).
    must_change : bool
        True for a password someone else chose (the user changes it at first login).

    Raises
    ------
    ValidationError
        Every problem found (user name, role, officer, station, beats).
    InputError
        A weak password, naming the rules it breaks.
    """
    problems = ProblemCollector(file="account")
    if not USERNAME.match(username or ""):
        problems.add(
            "user name must be 2-64 letters, digits or _ . @ - (starting with a letter or digit)",
            field="username",
            value=username,
        )
    if role not in ROLES:
        problems.add(f"role must be one of {', '.join(ROLES)}", field="role", value=role)
    beats = tuple(int(b) for b in beat_ids)
    from geo.store import SQL_TABLES

    with store.engine.connect() as conn:
        if officer_id is not None:
            off = SQL_TABLES["officers"]
            found = conn.execute(sa.select(off.c.id).where(off.c.id == int(officer_id))).first()
            if found is None:
                problems.add("no officer with this id", field="officer", value=officer_id)
        if station_id is not None:
            st = SQL_TABLES["stations"]
            found = conn.execute(sa.select(st.c.id).where(st.c.id == int(station_id))).first()
            if found is None:
                problems.add("no station with this id", field="station", value=station_id)
        if beats:
            bt = SQL_TABLES["beats"]
            known = set(conn.execute(sa.select(bt.c.id).where(bt.c.id.in_(beats))).scalars())
            for b in beats:
                if b not in known:
                    problems.add("no beat with this id", field="beat", value=b)
        if username and _select(conn, username) is not None:
            problems.add("an account with this user name exists", field="username", value=username)
    if role in ("officer", "team") and officer_id is None and not beats:
        problems.add(
            f"a {role} account needs its officer record (--officer ID) or a beat (--beat ID)",
            field="officer",
        )
    problems.raise_if_any()
    check_password(password, username=username)
    now = utcnow()
    with store.transaction() as conn:
        conn.execute(
            USERS.insert().values(
                username=username,
                display_name=display_name or username,
                role=role,
                officer_id=officer_id,
                station_id=station_id,
                beat_ids=",".join(map(str, beats)) or None,
                password_hash=hash_password(password),
                must_change=must_change,
                failed_attempts=0,
                disabled=False,
                created_at=now,
            )
        )
    audit.record(
        store,
        user=actor,
        action="account_change",
        object=f"users:{username}",
        client=client,
        detail=f"created, role {role}",
    )
    return get_user(store, username)


def _end_sessions(conn: sa.Connection, user_id: int, reason: str) -> None:
    conn.execute(
        SESSIONS.update()
        .where(SESSIONS.c.user_id == user_id, SESSIONS.c.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def _set(store: Any, username: str, values: dict, *, end_sessions: str | None = None) -> User:
    with store.transaction() as conn:
        row = _select(conn, username)
        if row is None:
            raise NotFoundError(f"no account {username!r}")
        conn.execute(USERS.update().where(USERS.c.id == row["id"]).values(**values))
        if end_sessions:
            _end_sessions(conn, row["id"], end_sessions)
    return get_user(store, username)


def change_password(
    store: Any,
    username: str,
    new_password: str,
    *,
    actor: Any,
    must_change: bool = False,
    client: str | None = None,
) -> User:
    """Set a new password (policy checked); every session of the account ends."""
    check_password(new_password, username=username)
    user = _set(
        store,
        username,
        {
            "password_hash": hash_password(new_password),
            "must_change": must_change,
            "failed_attempts": 0,
            "locked_until": None,
        },
        end_sessions="password",
    )
    audit.record(
        store,
        user=actor,
        action="account_change",
        object=f"users:{username}",
        client=client,
        detail="password set" + (" (temporary)" if must_change else ""),
    )
    return user


def reset_password(store: Any, username: str, *, actor: Any, client: str | None = None) -> str:
    """Give the account a one-time password (returned) that must be changed at first login."""
    pw = temporary_password()
    change_password(store, username, pw, actor=actor, must_change=True, client=client)
    return pw


def disable_user(store: Any, username: str, *, actor: Any, client: str | None = None) -> User:
    """Disable an account; every session of it ends."""
    user = _set(store, username, {"disabled": True}, end_sessions="disabled")
    audit.record(
        store, user=actor, action="account_change", object=f"users:{username}",
        client=client, detail="disabled",
    )  # fmt: skip
    return user


def enable_user(store: Any, username: str, *, actor: Any, client: str | None = None) -> User:
    """Enable a disabled account and clear its lockout."""
    user = _set(store, username, {"disabled": False, "failed_attempts": 0, "locked_until": None})
    audit.record(
        store, user=actor, action="account_change", object=f"users:{username}",
        client=client, detail="enabled",
    )  # fmt: skip
    return user


@dataclass(frozen=True)
class LoginResult:
    """The answer to a login: the account when it succeeded, else None and why (internal)."""

    user: User | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


def authenticate(
    store: Any,
    username: str,
    password: str,
    *,
    lockout_attempts: int = 5,
    lockout_minutes: int = 10,
    client: str | None = None,
) -> LoginResult:
    """Check a user name and password, count failures and lock after ``lockout_attempts``.

    Every outcome is audited (login, failed login, lockout). The ``reason`` of a refusal is for
    the audit log only: pages show one message for all of them.
    """
    now = utcnow()
    with store.engine.connect() as conn:
        row = _select(conn, username)
    if row is None:
        verify_password(None, password)
        audit.record(
            store, user=username, action="login_failed", outcome="denied", client=client,
            detail="unknown user",
        )  # fmt: skip
        return LoginResult(None, "unknown user")
    if row["disabled"]:
        verify_password(None, password)
        audit.record(
            store, user=User.from_row(row), action="login_failed", outcome="denied",
            client=client, detail="disabled",
        )  # fmt: skip
        return LoginResult(None, "disabled")
    if row["locked_until"] is not None and row["locked_until"] > now:
        verify_password(None, password)
        audit.record(
            store, user=User.from_row(row), action="login_failed", outcome="denied",
            client=client, detail="locked",
        )  # fmt: skip
        return LoginResult(None, "locked")
    if not verify_password(row["password_hash"], password):
        failed = int(row["failed_attempts"] or 0) + 1
        values: dict[str, Any] = {"failed_attempts": failed}
        locked = failed >= lockout_attempts
        if locked:
            values = {
                "failed_attempts": 0,
                "locked_until": now + dt.timedelta(minutes=lockout_minutes),
            }
        with store.transaction() as conn:
            conn.execute(USERS.update().where(USERS.c.id == row["id"]).values(**values))
        user = User.from_row(row)
        audit.record(
            store, user=user, action="login_failed", outcome="denied", client=client,
            detail=f"wrong password ({failed} in a row)",
        )  # fmt: skip
        if locked:
            audit.record(
                store, user=user, action="lockout", client=client,
                detail=f"{lockout_minutes} minutes after {failed} wrong passwords",
            )  # fmt: skip
        return LoginResult(None, "locked" if locked else "wrong password")
    values = {"failed_attempts": 0, "locked_until": None, "last_login_at": now}
    if needs_rehash(row["password_hash"]):
        values["password_hash"] = hash_password(password)
    with store.transaction() as conn:
        conn.execute(USERS.update().where(USERS.c.id == row["id"]).values(**values))
    user = get_user(store, username)
    audit.record(store, user=user, action="login", client=client)
    return LoginResult(user)


def login_by_name(store: Any, username: str, *, via: str, client: str | None = None) -> LoginResult:
    """Log in an account whose identity a trusted front end vouched for (header or OIDC)."""
    with store.engine.connect() as conn:
        row = _select(conn, username)
    if row is None or row["disabled"]:
        audit.record(
            store, user=username, action="login_failed", outcome="denied", client=client,
            detail=f"{via}: {'unknown user' if row is None else 'disabled'}",
        )  # fmt: skip
        return LoginResult(None, "unknown user" if row is None else "disabled")
    with store.transaction() as conn:
        conn.execute(USERS.update().where(USERS.c.id == row["id"]).values(last_login_at=utcnow()))
    user = get_user(store, username)
    audit.record(store, user=user, action="login", client=client, detail=via)
    return LoginResult(user)


# -- first start -------------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode("utf-8")).hexdigest()


def issue_setup_code(store: Any) -> str | None:
    """A new one-time setup code when no account exists (None otherwise).

    Only its hash is kept (in the store's metadata); the server prints the code to its console
    and log, and the web page asks for it to create the first administrator.
    """
    if has_users(store):
        return None
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
    store.set_meta({_SETUP_KEY: _code_hash(code)})
    return code


def check_setup_code(store: Any, code: str) -> bool:
    """Whether ``code`` is the current setup code (and no account exists yet)."""
    stored = store.get_meta(_SETUP_KEY)
    if not stored or has_users(store):
        return False
    return hmac.compare_digest(stored, _code_hash(code or ""))


def create_first_admin(
    store: Any,
    *,
    code: str,
    username: str,
    password: str,
    display_name: str | None = None,
    client: str | None = None,
) -> User:
    """Create the first administrator with the setup code; the code is then spent."""
    if not check_setup_code(store, code):
        audit.record(
            store, user=username, action="setup", outcome="denied", client=client,
            detail="wrong setup code",
        )  # fmt: skip
        raise SetupCodeError("the setup code is wrong or has been used; see the server's console")
    user = create_user(
        store,
        username=username,
        role="admin",
        password=password,
        actor=f"setup:{username}",
        display_name=display_name,
        must_change=False,
        client=client,
    )
    from geo.store import META

    with store.transaction() as conn:
        conn.execute(META.delete().where(META.c.key == _SETUP_KEY))
    audit.record(store, user=user, action="setup", client=client, detail="first administrator")
    return user
