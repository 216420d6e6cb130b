"""Faults: killed writers, backups under load, broken paths, a full disk, a server that goes away.

Every fault leaves the tables as they were and gives a clear message (no traceback); the store
works again once the cause is gone, without a restart.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import model
from geo.store import Store, StoreError
from geo.visits import record_visit
from tests._city import small_city

ROOT = Path(__file__).resolve().parent.parent
BEATMAP = [sys.executable, "-m", "geo.cli"]
WHEN = "2026-04-01 18:00"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BEATMAP, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def _city(tmp_path: Path, households: int = 200) -> tuple[str, Path]:
    path = tmp_path / "b.sqlite"
    store = Store(f"sqlite:///{path}")
    small_city(store, households=households)
    store.close()
    return f"sqlite:///{path}", path


def _integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


# -- broken paths ------------------------------------------------------------------------------


def test_cli_refuses_a_missing_database_and_creates_nothing(tmp_path):
    for args in (["info"], ["backup", str(tmp_path / "copy.sqlite")]):
        out = _cli(*args, "--db", str(tmp_path / "typo.sqlite"), cwd=tmp_path)
        assert out.returncode == 2, out.stderr
        assert "typo.sqlite does not exist" in out.stderr and "Traceback" not in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_cli_folder_and_corrupt_file(tmp_path):
    (tmp_path / "folder").mkdir()
    out = _cli("info", "--db", str(tmp_path / "folder"), cwd=tmp_path)
    assert out.returncode == 2 and "is a folder" in out.stderr and "Traceback" not in out.stderr
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database " * 200)
    before = bad.read_bytes()
    out = _cli("info", "--db", str(bad), cwd=tmp_path)
    assert out.returncode == 2 and "corrupt" in out.stderr and "Traceback" not in out.stderr
    assert bad.read_bytes() == before


def test_read_only_database_says_so_and_keeps_rows(tmp_path):
    url, path = _city(tmp_path)
    ro = Store(f"sqlite:///file:{path}?mode=ro&uri=true", create=False)
    assert ro.count("households") == 200
    with pytest.raises(StoreError, match="read-only"):
        record_visit(ro, household_id=1, officer_id=1, outcome="visited", visited_at=WHEN)
    assert Store(url).count("visits") == 0


def test_full_disk_writes_nothing_and_recovers(tmp_path):
    url, path = _city(tmp_path)
    store = Store(url)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    n = 30_000
    rng = np.random.default_rng(5)
    big = model.validate(
        "visits",
        pd.DataFrame(
            {
                "household_id": rng.integers(1, 201, n),
                "officer_id": 1,
                "visited_at": pd.Timestamp(WHEN),
                "outcome": "visited",
                "notes": ["x" * 200] * n,
            }
        ),
    )
    # the database may grow by a few pages only: the same error as a full disk (SQLITE_FULL)
    small = [lambda c: c.exec_driver_sql(f"PRAGMA max_page_count={pages + 20}")]
    import sqlalchemy as sa

    sa.event.listen(store.engine, "begin", small[0])
    with pytest.raises(StoreError, match="disk is full"):
        store.write("visits", big)
    sa.event.remove(store.engine, "begin", small[0])
    store.engine.dispose()
    assert store.count("visits") == 0
    assert _integrity(path) == "ok"
    # space is back: the same store writes again
    vid = record_visit(store, household_id=1, officer_id=1, outcome="visited", visited_at=WHEN)
    assert store.count("visits") == 1 and vid == 1


# -- killed writers ----------------------------------------------------------------------------

_KILLED_IN_TRANSACTION = """
import sys, time
import numpy as np, pandas as pd
from geo import model
from geo.store import Store
store = Store(sys.argv[1], create=False)
n = 100_000
rng = np.random.default_rng(1)
visits = model.validate("visits", pd.DataFrame({
    "household_id": rng.integers(1, 201, n), "officer_id": 1,
    "visited_at": pd.Timestamp("2026-04-02 17:00"), "outcome": "not_home"}))
with store.transaction() as conn:
    store.write("visits", visits, conn=conn)
    print("written", flush=True)
    time.sleep(120)
"""


@pytest.mark.slow
def test_sigkill_inside_an_import_leaves_the_tables_as_before(tmp_path):
    url, path = _city(tmp_path)
    record_visit(Store(url), household_id=1, officer_id=1, outcome="visited", visited_at=WHEN)
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_KILLED_IN_TRANSACTION), url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == "written"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    store = Store(url, create=False)
    assert store.count("visits") == 1
    assert _integrity(path) == "ok"
    # the file takes writes again at once (the dead writer's lock is gone)
    record_visit(store, household_id=2, officer_id=1, outcome="visited", visited_at=WHEN)
    assert store.count("visits") == 2


@pytest.mark.slow
@pytest.mark.parametrize("after_s", [1.5, 3.0, 4.5])
def test_sigkill_of_a_cli_import_after_a_few_seconds(tmp_path, after_s):
    """Killed at any moment (reading, validating, staging, copying), an import leaves all or none."""
    url, path = _city(tmp_path)
    n = 150_000
    rng = np.random.default_rng(2)
    csv = tmp_path / "visits.csv"
    pd.DataFrame(
        {
            "household_id": rng.integers(1, 201, n),
            "officer_id": 1,
            # distinct times: no row is a duplicate, so a finished import holds all n rows
            "visited_at": pd.date_range("2026-01-01 08:00", periods=n, freq="min"),
            "outcome": "visited",
        }
    ).to_csv(csv, index=False)
    proc = subprocess.Popen(
        [*BEATMAP, "import", "visits", str(csv), "--db", str(path)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    count = Store(url, create=False).count("visits")
    assert count in (0, n)
    assert _integrity(path) == "ok"


_KILLED_VISITS = """
import sys
from geo.store import Store
from geo.visits import record_visit
store = Store(sys.argv[1], create=False)
i = 0
while True:
    i += 1
    vid = record_visit(store, household_id=1 + i % 200, officer_id=1, outcome="visited",
                       visited_at="2026-04-03 17:00", request_id=f"k{i}")
    print(vid, flush=True)
"""


@pytest.mark.slow
def test_sigkill_during_visit_writes_loses_nothing_reported(tmp_path):
    url, path = _city(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_KILLED_VISITS), url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    reported = [int(proc.stdout.readline()) for _ in range(40)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    store = Store(url, create=False)
    ids = set(store.read("visits")["id"])
    assert set(reported) <= ids and len(ids) <= len(reported) + 1
    assert _integrity(path) == "ok"


# -- backup under load ---------------------------------------------------------------------------


@pytest.mark.slow
def test_backup_while_writers_run(tmp_path):
    import multiprocessing as mp

    from tests._city import visit_writer

    url, _ = _city(tmp_path)
    ctx = mp.get_context("fork")
    go, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=visit_writer, args=(url, w, 60, 200, go, results)) for w in range(3)
    ]
    for p in procs:
        p.start()
    go.set()
    copies = []
    for k in range(3):
        time.sleep(0.5)
        out = _cli("backup", str(tmp_path / f"copy{k}.sqlite"), "--db", url, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        copies.append(Path(out.stdout.strip()))
    done = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert all(not r[3] for r in done)
    for copy in copies:
        assert _integrity(copy) == "ok"
        con = sqlite3.connect(copy)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert con.execute("SELECT count(*) FROM households").fetchone()[0] == 200
        con.close()


# -- PostgreSQL server down and back -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_down_and_back_without_restart(pg_cluster):
    url = pg_cluster.create_database()
    store = Store(url)
    small_city(store, households=50)
    record_visit(store, household_id=1, officer_id=1, outcome="visited", visited_at=WHEN)
    pg_cluster.stop("immediate")
    try:
        with pytest.raises(StoreError, match="cannot be reached"):
            record_visit(store, household_id=2, officer_id=1, outcome="visited", visited_at=WHEN)
        with pytest.raises(StoreError, match="cannot be reached"):
            store.read("visits")
    finally:
        pg_cluster.start()
    # the same Store object (the app's, cached) works again once the server is back
    record_visit(store, household_id=3, officer_id=1, outcome="visited", visited_at=WHEN)
    assert store.count("visits") == 2
    store.close()


# -- the page ------------------------------------------------------------------------------------


def test_page_says_the_database_is_broken_without_a_traceback(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    data = tmp_path / "data"
    data.mkdir()
    bad = data / "beatmap.sqlite"
    bad.write_bytes(b"not a database " * 200)
    monkeypatch.setenv("BEATMAP_DATA_DIR", str(data))
    monkeypatch.setenv("BEATMAP_DATABASE_URL", f"sqlite:///{bad}")
    monkeypatch.setenv("BEATMAP_TILES", "none")
    monkeypatch.setenv("BEATMAP_ONLINE", "no")
    monkeypatch.chdir(ROOT)
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("数据库暂时无法使用" in e and "corrupt" in e for e in errors), errors
    assert bad.read_bytes() == b"not a database " * 200
    # the file is replaced by a good database: the next run works, no restart
    bad.unlink()
    _city(tmp_path / "data")
    (tmp_path / "data" / "b.sqlite").rename(bad)
    at.run()
    assert not at.exception
    assert not any("数据库暂时无法使用" in e.value for e in at.error)
