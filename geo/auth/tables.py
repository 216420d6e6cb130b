"""SQL tables of accounts, login sessions and the audit log (schema: migration 0002_accounts)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from geo.store import metadata

USERS = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("officer_id", sa.Integer),
    sa.Column("station_id", sa.Integer),
    sa.Column("beat_ids", sa.Text),
    sa.Column("password_hash", sa.Text),
    sa.Column("must_change", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_login_at", sa.DateTime),
)

SESSIONS = sa.Table(
    "auth_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("client", sa.Text),
    sa.Column("ended_at", sa.DateTime),
    sa.Column("end_reason", sa.String(16)),
)

AUDIT = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("client", sa.Text),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("object", sa.Text),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)


def utcnow() -> dt.datetime:
    """The current UTC time as a naive datetime (how the store keeps times), to microseconds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
