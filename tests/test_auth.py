"""Accounts: password rules, hashes, lockout, sessions and idle logout, setup code, the CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from geo._errors import InputError, ValidationError
from geo.auth import audit, sessions, users
from geo.auth.passwords import (
    check_password,
    hash_password,
    password_problems,
    temporary_password,
    verify_password,
)
from geo.auth.tables import SESSIONS, USERS
from geo.store import Store
from tests.conftest import TEST_PASSWORD, make_account

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path}/auth.sqlite")


# -- passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "broken"),
    [
        ("Sh0rt!", ["10"]),
        ("alllowercaseletters", ["three"]),
        ("lowercase123456", ["three"]),
        ("Xiaoming-2026!", ["user name"]),
        ("abc", ["10", "three"]),
    ],
)
def test_weak_passwords_name_every_rule_they_break(password, broken):
    problems = password_problems(password, username="xiaoming")
    assert len(problems) == len(broken)
    for text, word in zip(problems, broken, strict=True):
        assert word in text
    with pytest.raises(InputError, match="weak password"):
        check_password(password, username="xiaoming")


def test_good_and_temporary_passwords_pass():
    assert password_problems("Beat-Map-2026", username="xiaoming") == []
    for _ in range(20):
        assert password_problems(temporary_password()) == []
    assert "密码至少" in password_problems("a", lang="zh")[0]


def test_hash_verifies_and_old_parameters_are_rehashed_at_login(store):
    h = hash_password(TEST_PASSWORD)
    assert h.startswith("$argon2id$") and verify_password(h, TEST_PASSWORD)
    assert not verify_password(h, TEST_PASSWORD + "x") and not verify_password(None, "x")
    user = make_account(store, "old", "admin")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(TEST_PASSWORD)
    with store.transaction() as conn:
        conn.execute(USERS.update().where(USERS.c.id == user.id).values(password_hash=weak))
    assert users.authenticate(store, "old", TEST_PASSWORD).ok
    with store.engine.connect() as conn:
        now = conn.execute(sa.select(USERS.c.password_hash).where(USERS.c.id == user.id)).scalar()
    assert now != weak and verify_password(now, TEST_PASSWORD)


# -- accounts --------------------------------------------------------------------------------


def test_create_collects_every_problem(store):
    with pytest.raises(ValidationError) as err:
        users.create_user(
            store, username="x", role="sheriff", password=TEST_PASSWORD, actor="os:t",
            station_id=99, beat_ids=[77],
        )  # fmt: skip
    text = str(err.value)
    for word in ("user name", "role must be one of officer, team", "station", "beat"):
        assert word in text
    with pytest.raises(ValidationError, match="officer record"):
        users.create_user(store, username="cop", role="officer", password=TEST_PASSWORD,
                          actor="os:t")  # fmt: skip
    with pytest.raises(InputError, match="weak password"):
        users.create_user(store, username="boss", role="admin", password="boss", actor="os:t")


# -- lockout ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_and_the_answer_never_tells(store):
    make_account(store, "li", "admin")
    for _ in range(4):
        assert users.authenticate(store, "li", "Wrong-Pass-99").reason == "wrong password"
    assert users.authenticate(store, "li", "Wrong-Pass-99").reason == "locked"
    # locked: even the right password is refused, for the configured minutes
    assert not users.authenticate(store, "li", TEST_PASSWORD).ok
    unknown = users.authenticate(store, "nobody", TEST_PASSWORD)
    assert not unknown.ok and unknown.user is None
    actions = audit.read(store)["action"].tolist()
    assert actions.count("lockout") == 1 and actions.count("login_failed") == 7
    # when the lock has passed, the right password works and the count starts again
    with store.transaction() as conn:
        past = dt.datetime(2000, 1, 1)
        conn.execute(USERS.update().where(USERS.c.username == "li").values(locked_until=past))
    assert users.authenticate(store, "li", TEST_PASSWORD).ok
    assert users.get_user(store, "li").failed_attempts == 0


def test_lockout_follows_the_settings(store):
    make_account(store, "wu", "admin")
    for _ in range(2):
        users.authenticate(store, "wu", "Wrong-Pass-99", lockout_attempts=2, lockout_minutes=1)
    locked = users.get_user(store, "wu").locked_until
    assert locked is not None
    left = locked - dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert dt.timedelta(seconds=30) < left <= dt.timedelta(minutes=1)


# -- sessions --------------------------------------------------------------------------------


def _age(store, token, minutes):
    with store.transaction() as conn:
        conn.execute(
            SESSIONS.update()
            .where(SESSIONS.c.token_hash == sessions._digest(token))
            .values(last_seen_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)
                    - dt.timedelta(minutes=minutes))
        )  # fmt: skip


def test_idle_sessions_end_and_are_audited(store):
    user = make_account(store, "zhao", "chief")
    token = sessions.start_session(store, user)
    assert sessions.check_session(store, token, idle_minutes=1).user.username == "zhao"
    _age(store, token, 0.5)
    assert sessions.check_session(store, token, idle_minutes=1).user is not None
    _age(store, token, 2)
    assert sessions.check_session(store, token, idle_minutes=1).reason == "idle"
    assert sessions.check_session(store, token, idle_minutes=60).reason == "ended"
    assert "idle_logout" in audit.read(store)["action"].tolist()
    assert sessions.check_session(store, "forged", idle_minutes=60).reason == "unknown"


@pytest.mark.parametrize("how", ["logout", "disable", "password", "reset"])
def test_logout_disable_and_password_change_end_every_session(store, how):
    user = make_account(store, "qian", "chief")
    tokens = [sessions.start_session(store, user) for _ in range(3)]
    if how == "logout":
        sessions.logout(store, user)
    elif how == "disable":
        users.disable_user(store, "qian", actor="os:t")
    elif how == "password":
        users.change_password(store, "qian", "Another-Pass-7", actor=user)
    else:
        temp = users.reset_password(store, "qian", actor="os:t")
        assert users.get_user(store, "qian").must_change
        assert users.authenticate(store, "qian", temp).ok
    for token in tokens:
        assert sessions.check_session(store, token, idle_minutes=30).user is None
    if how == "disable":
        assert not users.authenticate(store, "qian", TEST_PASSWORD).ok


# -- first start -----------------------------------------------------------------------------


def test_setup_code_creates_the_first_admin_once(store):
    code = users.issue_setup_code(store)
    assert code and len(code) == 14
    with pytest.raises(users.SetupCodeError):
        users.create_first_admin(
            store, code="AAAA-BBBB-CCCC", username="root", password=TEST_PASSWORD
        )
    admin = users.create_first_admin(store, code=code.lower(), username="root",
                                     password=TEST_PASSWORD)  # fmt: skip
    assert admin.role == "admin" and not admin.must_change
    assert users.issue_setup_code(store) is None
    with pytest.raises(users.SetupCodeError):
        users.create_first_admin(store, code=code, username="root2", password=TEST_PASSWORD)
    assert [u.username for u in users.list_users(store)] == ["root"]


# -- the command line ------------------------------------------------------------------------


def _cli(*args, stdin: str = "", db: Path):
    return subprocess.run(
        [sys.executable, "-m", "geo.cli", *args, "--db", str(db)],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_cli_user_commands(tmp_path):
    db = tmp_path / "cli.sqlite"
    weak = _cli(
        "user", "add", "zhang", "--role", "admin", "--password-stdin", stdin="zhang\n", db=db
    )
    assert weak.returncode == 2
    assert "at least 10 characters" in weak.stderr and "three of" in weak.stderr
    ok = _cli("user", "add", "zhang", "--role", "admin", "--password-stdin",
              stdin=TEST_PASSWORD + "\n", db=db)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    temp = _cli("user", "add", "auditor1", "--role", "auditor", "--temporary", db=db)
    assert temp.returncode == 0 and "temporary password:" in temp.stdout
    bad = _cli("user", "add", "x1", "--role", "officer", "--temporary", db=db)
    assert bad.returncode == 2 and "officer record" in bad.stderr
    listed = _cli("user", "list", db=db).stdout
    assert "zhang\tadmin\tcity\tactive" in listed and "auditor1\tauditor" in listed
    assert _cli("user", "reset", "auditor1", db=db).returncode == 0
    assert _cli("user", "disable", "auditor1", db=db).returncode == 0
    assert "auditor1\tauditor\tcity\tdisabled" in _cli("user", "list", db=db).stdout
    store = Store(f"sqlite:///{db}")
    assert not users.get_user(store, "zhang").must_change
    assert users.get_user(store, "auditor1").must_change
    log = audit.read(store)
    assert set(log["username"]) == {f"os:{_login()}"}
    assert (log["action"] == "account_change").sum() == 4


def _login() -> str:
    import getpass

    return getpass.getuser()
