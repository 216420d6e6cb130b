"""Server-side login sessions.

A session is a random token; the browser keeps it in a cookie and the store keeps only its
SHA-256, the account, and when it was last used. A session ends at logout, after the idle
timeout, and when the account is disabled or its password changes (every session of the account).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from geo.auth import audit
from geo.auth.tables import SESSIONS, USERS, utcnow
from geo.auth.users import User

__all__ = ["SessionCheck", "check_session", "end_session", "end_user_sessions", "start_session"]

#: last-seen times are written at most this often (seconds) to spare the store
TOUCH_EVERY = 20


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start_session(store: Any, user: User, *, client: str | None = None) -> str:
    """Open a session for ``user`` and return its token (the only copy)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.transaction() as conn:
        conn.execute(
            SESSIONS.insert().values(
                token_hash=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                client=client,
            )
        )  # fmt: skip
    return token


@dataclass(frozen=True)
class SessionCheck:
    """The state of a session token: the account when it is live, else why not."""

    user: User | None
    reason: str = ""  # "", "unknown", "ended", "idle", "disabled"


def check_session(
    store: Any, token: str | None, *, idle_minutes: int, client: str | None = None
) -> SessionCheck:
    """Look a token up; an idle session is ended (and audited) here.

    Called on every rerun of the app, so the idle timeout is enforced whatever page is open.
    """
    if not token or not isinstance(token, str):
        return SessionCheck(None, "unknown")
    now = utcnow()
    digest = _digest(token)
    with store.engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(SESSIONS, USERS)
                .join(USERS, USERS.c.id == SESSIONS.c.user_id)
                .where(SESSIONS.c.token_hash == digest)
            )
            .mappings()
            .first()
        )
    if row is None:
        return SessionCheck(None, "unknown")
    if row["ended_at"] is not None:
        return SessionCheck(None, "ended")
    user = User.from_row({**row, "id": row["user_id"]})
    if user.disabled:
        end_session(store, token, reason="disabled")
        return SessionCheck(None, "disabled")
    if now - row["last_seen_at"] > dt.timedelta(minutes=idle_minutes):
        with store.transaction() as conn:
            conn.execute(
                SESSIONS.update()
                .where(SESSIONS.c.token_hash == digest, SESSIONS.c.ended_at.is_(None))
                .values(ended_at=now, end_reason="idle")
            )
        audit.record(store, user=user, action="idle_logout", client=client)
        return SessionCheck(None, "idle")
    if (now - row["last_seen_at"]).total_seconds() >= TOUCH_EVERY:
        with store.transaction() as conn:
            conn.execute(
                SESSIONS.update().where(SESSIONS.c.token_hash == digest).values(last_seen_at=now)
            )
    return SessionCheck(user)


def end_session(store: Any, token: str, *, reason: str = "logout") -> None:
    """End one session."""
    with store.transaction() as conn:
        conn.execute(
            SESSIONS.update()
            .where(SESSIONS.c.token_hash == _digest(token), SESSIONS.c.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )


def end_user_sessions(store: Any, user: User, *, reason: str = "logout") -> int:
    """End every session of ``user`` (logout ends them all); returns how many."""
    with store.transaction() as conn:
        result = conn.execute(
            SESSIONS.update()
            .where(SESSIONS.c.user_id == user.id, SESSIONS.c.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )
    return int(result.rowcount or 0)


def logout(store: Any, user: User, *, client: str | None = None) -> None:
    """Log out: every session of the account ends; audited."""
    end_user_sessions(store, user, reason="logout")
    audit.record(store, user=user, action="logout", client=client)
