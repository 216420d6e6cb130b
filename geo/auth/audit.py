"""The audit trail: an append-only log whose rows are chained by hashes.

Every row holds the SHA-256 of its own fields and of the row before it, so an edited, inserted or
deleted row breaks the chain and :func:`verify` names the first row that does not fit. No code
path updates or deletes audit rows except :func:`prune`, which removes rows older than the
retention setting (at least :data:`MIN_RETENTION_DAYS`) and records where the chain now starts.

>>> record(store, user=user, action="visit_recorded", object="visits:123")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from geo._errors import InputError
from geo.auth.tables import AUDIT, utcnow

__all__ = [
    "AUDIT_ACTIONS",
    "MIN_RETENTION_DAYS",
    "OUTCOMES",
    "ChainBreak",
    "export_csv",
    "prune",
    "read",
    "record",
    "verify",
]

#: what the log records: code -> (Chinese, English)
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("登录", "login"),
    "login_failed": ("登录失败", "failed login"),
    "lockout": ("账户锁定", "lockout"),
    "logout": ("退出登录", "logout"),
    "idle_logout": ("空闲超时退出", "idle logout"),
    "visit_recorded": ("登记走访", "visit recorded"),
    "visit_undone": ("撤销走访", "visit undone"),
    "import": ("导入", "import"),
    "export": ("导出", "export"),
    "print": ("打印", "print"),
    "reveal": ("显示个人信息", "reveal of personal data"),
    "account_change": ("账户变更", "account change"),
    "settings_change": ("设置变更", "settings change"),
    "setup": ("初始设置", "first setup"),
    "prune": ("清理过期审计记录", "prune of expired audit rows"),
}
OUTCOMES = ("ok", "denied", "failed")
MIN_RETENTION_DAYS = 180
GENESIS = "0" * 64
_ANCHOR_KEY = "audit_chain_anchor"
_FIELDS = ("at", "username", "role", "client", "action", "object", "outcome", "detail")


def _who(user: Any) -> tuple[str, str]:
    if isinstance(user, str):
        return user[:64], "admin" if user.startswith("os:") else "-"
    if user is None:
        return "-", "-"
    return str(user.username)[:64], str(getattr(user, "role", "-"))


def _stamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def row_hash(prev_hash: str, row: dict) -> str:
    """The chained hash of one audit row."""
    values = [prev_hash, _stamp(row["at"])] + [
        None if row[f] is None else str(row[f]) for f in _FIELDS[1:]
    ]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(
    store: Any,
    *,
    user: Any,
    action: str,
    object: str | None = None,
    outcome: str = "ok",
    client: str | None = None,
    detail: str | None = None,
) -> int:
    """Append one row to the audit log and return its id.

    Parameters
    ----------
    store : geo.store.Store
    user : User, Scope, str or None
        Who acted: an account (``.username``, ``.role``), or ``"os:<name>"`` for the command
        line, or the typed name of a failed login.
    action : str
        One of :data:`AUDIT_ACTIONS`.
    object : str, optional
        What it concerned: ``"table:id,id"`` or a file name.
    outcome : {"ok", "denied", "failed"}
    client : str, optional
        The client's address.
    detail : str, optional
        Free text (e.g. the reason given for showing personal data).
    """
    problems = []
    if action not in AUDIT_ACTIONS:
        problems.append(f"action must be one of {', '.join(AUDIT_ACTIONS)}; got {action!r}")
    if outcome not in OUTCOMES:
        problems.append(f"outcome must be one of {', '.join(OUTCOMES)}; got {outcome!r}")
    if problems:
        raise InputError("audit record: " + "; ".join(problems))
    username, role = _who(user)
    row = {
        "at": utcnow(),
        "username": username,
        "role": role,
        "client": client,
        "action": action,
        "object": object,
        "outcome": outcome,
        "detail": detail,
    }
    for attempt in range(50):
        try:
            with store.transaction() as conn:
                _lock(conn)
                last = conn.execute(
                    sa.select(AUDIT.c.hash).order_by(AUDIT.c.id.desc()).limit(1)
                ).scalar()
                prev = last or _anchor(conn)
                row["at"] = utcnow()
                h = row_hash(prev, row)
                result = conn.execute(AUDIT.insert().values(**row, prev_hash=prev, hash=h))
                return int(result.inserted_primary_key[0])
        except sa.exc.OperationalError:
            # SQLite: another writer took the chain's end first; read it again
            if attempt == 49:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _lock(conn: sa.Connection) -> None:
    """Serialise appends so two writers never chain to the same row."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
    elif conn.dialect.name == "sqlite":
        # take SQLite's write lock before reading the chain's end
        conn.exec_driver_sql("DELETE FROM audit_log WHERE 0")


def _anchor(conn: sa.Connection) -> str:
    from geo.store import META

    value = conn.execute(sa.select(META.c.value).where(META.c.key == _ANCHOR_KEY)).scalar()
    return value or GENESIS


@dataclass(frozen=True)
class ChainBreak:
    """Where the audit chain breaks: the row id and what is wrong with it."""

    row_id: int
    reason: str

    def __str__(self) -> str:
        return f"audit_log row {self.row_id}: {self.reason}"


def _rows(conn: sa.Connection, batch: int = 5000) -> Iterator[dict]:
    last = 0
    while True:
        rows = (
            conn.execute(
                sa.select(AUDIT).where(AUDIT.c.id > last).order_by(AUDIT.c.id).limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        for r in rows:
            yield dict(r)
        last = rows[-1]["id"]


def verify(store: Any) -> tuple[int, ChainBreak | None]:
    """Check the whole chain.

    Returns
    -------
    (int, ChainBreak or None)
        Rows checked, and the first row that breaks the chain (None when intact).
    """
    n = 0
    with store.engine.connect() as conn:
        prev = _anchor(conn)
        for r in _rows(conn):
            n += 1
            if r["prev_hash"] != prev:
                return n, ChainBreak(
                    r["id"], "does not follow the row before it (a row was deleted or inserted)"
                )
            if row_hash(prev, r) != r["hash"]:
                return n, ChainBreak(r["id"], "its content was changed after it was written")
            prev = r["hash"]
    return n, None


def prune(store: Any, *, retention_days: int, user: Any = "system") -> int:
    """Delete audit rows older than ``retention_days`` (never fewer than 180) and return how many.

    The hash of the last deleted row becomes the chain's anchor, so :func:`verify` still checks
    every remaining row; the prune itself is recorded.
    """
    if retention_days < MIN_RETENTION_DAYS:
        raise InputError(
            f"audit retention must be at least {MIN_RETENTION_DAYS} days; got {retention_days}"
        )
    from geo.store import META

    cutoff = utcnow() - dt.timedelta(days=retention_days)
    with store.transaction() as conn:
        _lock(conn)
        last = conn.execute(
            sa.select(AUDIT.c.id, AUDIT.c.hash)
            .where(AUDIT.c.at < cutoff)
            .order_by(AUDIT.c.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return 0
        n = conn.execute(AUDIT.delete().where(AUDIT.c.id <= last.id)).rowcount
        conn.execute(META.delete().where(META.c.key == _ANCHOR_KEY))
        conn.execute(META.insert().values(key=_ANCHOR_KEY, value=last.hash))
    record(store, user=user, action="prune", object=f"audit_log:..{last.id}", detail=f"{n} rows")
    return int(n)


def read(
    store: Any,
    *,
    username: str | None = None,
    action: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit rows, newest first, filtered by user, action and date range (inclusive)."""
    stmt = sa.select(*[AUDIT.c[c] for c in ("id", *_FIELDS)]).order_by(AUDIT.c.id.desc())
    if username:
        stmt = stmt.where(AUDIT.c.username == username)
    if action:
        stmt = stmt.where(AUDIT.c.action == action)
    if start is not None:
        stmt = stmt.where(AUDIT.c.at >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        stmt = stmt.where(AUDIT.c.at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    if limit:
        stmt = stmt.limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=["id", *_FIELDS])


def export_csv(df: pd.DataFrame) -> bytes:
    """Audit rows as UTF-8 CSV (with BOM, so Excel opens Chinese text); a recorded text that
    a spreadsheet would run as a formula (an uploaded file named ``=...``) is neutralised."""
    from geo.textguard import spreadsheet_safe

    return spreadsheet_safe(df).to_csv(index=False).encode("utf-8-sig")
