"""The audit trail: hash chain, tamper detection (plain SQL), pruning, concurrent appends."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from geo._errors import InputError
from geo.auth import audit
from geo.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "audit.sqlite"
    store = Store(f"sqlite:///{path}")
    for i in range(6):
        audit.record(store, user="os:clerk", action="import", object=f"households <- f{i}.csv")
    return path, store


def _sql(path, statement, *args):
    with sqlite3.connect(path) as conn:
        conn.execute(statement, args)


def test_intact_chain_verifies(db):
    _, store = db
    assert audit.verify(store) == (6, None)
    rows = audit.read(store)
    assert rows["id"].tolist() == [6, 5, 4, 3, 2, 1]
    assert audit.read(store, action="export").empty
    assert len(audit.read(store, username="os:clerk", start=dt.date.today())) == 6


@pytest.mark.parametrize(
    ("statement", "row", "reason"),
    [
        ("UPDATE audit_log SET object = 'nothing' WHERE id = 3", 3, "content was changed"),
        ("UPDATE audit_log SET outcome = 'denied' WHERE id = 6", 6, "content was changed"),
        ("DELETE FROM audit_log WHERE id = 4", 5, "does not follow"),
        ("DELETE FROM audit_log WHERE id = 1", 2, "does not follow"),
    ],
)
def test_edited_or_deleted_rows_break_the_chain(db, statement, row, reason):
    path, store = db
    _sql(path, statement)
    _, broken = audit.verify(store)
    assert broken is not None and broken.row_id == row and reason in broken.reason


@pytest.mark.slow
def test_cli_verify_names_the_edited_row(db):
    path, _ = db

    def verify():
        return subprocess.run(
            [sys.executable, "-m", "geo.cli", "audit", "verify", "--db", str(path)],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip

    ok = verify()
    assert ok.returncode == 0 and "6 rows" in ok.stdout
    _sql(path, "UPDATE audit_log SET username = 'someone' WHERE id = 2")
    bad = verify()
    assert bad.returncode == 1
    assert "audit_log row 2" in bad.stderr


def test_unknown_action_or_outcome_is_refused(db):
    _, store = db
    with pytest.raises(InputError, match="action must be one of login"):
        audit.record(store, user="x", action="teleport")
    with pytest.raises(InputError, match="outcome must be one of ok"):
        audit.record(store, user="x", action="login", outcome="maybe")


def test_prune_keeps_the_retention_and_the_chain(db):
    path, store = db
    with pytest.raises(InputError, match="at least 180"):
        audit.prune(store, retention_days=30)
    assert audit.prune(store, retention_days=180) == 0
    # rows 1-3 become a year old: pruning them keeps the rest verifiable
    # (the stored hash covers the time, so age them only together with a prune)
    old = (dt.datetime.now() - dt.timedelta(days=365)).strftime("%Y-%m-%d %H:%M:%S.%f")
    _sql(path, "UPDATE audit_log SET at = ? WHERE id <= 3", old)
    assert audit.verify(store)[1].row_id == 1
    assert audit.prune(store, retention_days=180) == 3
    n, broken = audit.verify(store)
    assert broken is None and n == 4  # rows 4-6 and the prune's own row
    assert audit.read(store)["action"].iloc[0] == "prune"


def test_concurrent_appends_keep_one_chain(db):
    _, store = db
    errors = []

    def work(k):
        try:
            for i in range(15):
                audit.record(store, user=f"user{k}", action="visit_recorded", object=f"visits:{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert audit.verify(store) == (66, None)


def test_chain_and_accounts_on_both_backends(store_url):
    """SQLite and PostgreSQL: appends from several threads chain, an edit is found."""
    from geo.auth import users

    store = Store(store_url)
    users.create_user(store, username="pg-admin", role="admin", password="Both-Ends-2026",
                      actor="os:test", must_change=False)  # fmt: skip
    assert users.authenticate(store, "pg-admin", "Both-Ends-2026").ok
    threads = [
        threading.Thread(
            target=lambda k=k: [
                audit.record(store, user=f"u{k}", action="export", object=f"f{i}") for i in range(8)
            ]
        )
        for k in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    n, broken = audit.verify(store)
    assert broken is None and n == 2 + 24
    with store.transaction() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET detail = 'edited' WHERE id = 5")
    assert audit.verify(store)[1].row_id == 5
    store.close()
