"""Upgrading a database of the first release keeps every row.

``tests/data/store_0001.sqlite`` was made with the first release's schema (revision ``0001``)
and holds rows in every table, with missing values, a multipolygon beat and gaps in the ids.
On PostgreSQL the same database is built by :func:`build_0001`: the ``0001`` schema, then the
fixture's rows copied in. Each test upgrades to the newest schema and compares every row.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from geo.store import Store, schema_revision, upgrade
from tests._city import kept_tables

FIXTURE = Path(__file__).parent / "data" / "store_0001.sqlite"
TABLES_0001 = [
    "stations",
    "beats",
    "officers",
    "households",
    "cameras",
    "incidents",
    "surveys",
    "visits",
]


def fixture_rows() -> dict[str, tuple[list[str], list[tuple]]]:
    """Column names and rows of every table of the fixture, read with plain sqlite3."""
    con = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        out = {}
        for name in [*TABLES_0001, "meta"]:
            cur = con.execute(f"SELECT * FROM {name}")
            out[name] = ([d[0] for d in cur.description], cur.fetchall())
        return out
    finally:
        con.close()


def build_0001(url: str) -> None:
    """Make the fixture's database at ``url``: the ``0001`` schema and the same rows."""
    engine = sa.create_engine(url)
    try:
        upgrade(engine, "0001")
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.begin() as conn:
            for name, (cols, rows) in fixture_rows().items():
                tbl = meta.tables[name]
                params = []
                for row in rows:
                    rec = {}
                    for c, v in zip(cols, row, strict=True):
                        kind = tbl.c[c].type
                        if v is not None and isinstance(kind, sa.DateTime):
                            v = dt.datetime.fromisoformat(v)
                        elif v is not None and isinstance(kind, sa.Date):
                            v = dt.date.fromisoformat(v)
                        elif v is not None and isinstance(kind, sa.Boolean):
                            v = bool(v)
                        rec[c] = v
                    params.append(rec)
                conn.execute(tbl.insert(), params)
    finally:
        engine.dispose()


def _same(a, b) -> bool:
    if a is None or (not isinstance(a, (bytes, str)) and pd.isna(a)):
        return b is None or (not isinstance(b, (bytes, str)) and pd.isna(b))
    if isinstance(a, bytes):
        return shapely.equals_exact(shapely.from_wkb(a), b, tolerance=1e-12)
    if isinstance(b, pd.Timestamp):
        return pd.Timestamp(a) == b
    if isinstance(b, (bool,)) or type(b).__name__ == "bool_":
        return bool(a) == bool(b)
    return a == b


def check_every_row(store: Store) -> None:
    for name, (cols, rows) in fixture_rows().items():
        if name == "meta":
            for key, value in rows:
                assert store.get_meta(key) == value
            continue
        df = store.read(name).set_index("id", drop=False)
        assert sorted(df.index) == sorted(r[0] for r in rows), name
        for row in rows:
            got = df.loc[row[0]]
            for c, v in zip(cols, row, strict=True):
                assert _same(v, got[c]), f"{name} row {row[0]} column {c}: {v!r} != {got[c]!r}"


def test_fixture_is_the_first_release():
    con = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    rows = fixture_rows()
    assert all(rows[name][1] for name in rows), "every table has rows"


def test_sqlite_upgrade_keeps_every_row(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    store = Store(f"sqlite:///{path}")
    assert schema_revision(store.engine) not in (None, "0001")
    check_every_row(store)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    # the count tables the upgrade filled equal a recount, and every household has its cell
    now, recount = kept_tables(store)
    assert now == recount and now["cell_status"]
    assert con.execute("SELECT count(*) FROM households WHERE h3 IS NULL").fetchone()[0] == 0


def test_sqlite_downgrade_to_0004_and_back(tmp_path):
    from alembic import command
    from alembic.config import Config

    from geo.store import MIGRATIONS

    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    store = Store(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004_store")
    assert schema_revision(store.engine) == "0004_store"
    upgrade(store.engine)
    check_every_row(store)
    now, recount = kept_tables(store)
    assert now == recount


def test_upgraded_sqlite_takes_new_rows_after_the_old_ids(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    store = Store(f"sqlite:///{path}")
    from geo.visits import record_visit

    vid = record_visit(
        store, household_id=5, officer_id=2, outcome="visited", visited_at="2026-04-05 17:00"
    )
    assert vid == 8  # the fixture's visits end at id 7


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_upgrade_keeps_every_row(pg_cluster):
    url = pg_cluster.create_database()
    build_0001(url)
    store = Store(url)
    try:
        check_every_row(store)
        from geo.visits import record_visit

        vid = record_visit(
            store, household_id=5, officer_id=2, outcome="visited", visited_at="2026-04-05 17:00"
        )
        assert vid == 8
        with store.engine.connect() as conn:
            kind = conn.exec_driver_sql(
                "SELECT type FROM geometry_columns WHERE f_table_name = 'households'"
            ).scalar()
        assert kind == "POINT"
        now, recount = kept_tables(store)
        assert now == recount and now["cell_status"]
    finally:
        store.close()
