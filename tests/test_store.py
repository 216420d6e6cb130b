"""Store round trips on a real SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import model
from geo._errors import InputError
from geo.store import SQL_TABLES, Store, schema_revision
from tests.pgserver import pg_bindir, postgres_server


def _frames():
    stations = model.validate(
        "stations",
        pd.DataFrame({"name": ["东四派出所"], "geometry": [shapely.Point(116.417, 39.933)]}),
    )
    beat_poly = shapely.box(116.41, 39.93, 116.42, 39.94)
    beats = model.validate(
        "beats",
        pd.DataFrame(
            {
                "id": [1],
                "name": ["府学社区"],
                "station_id": [1],
                "office_lon": [116.415],
                "office_lat": [39.935],
                "geometry": [beat_poly],
            }
        ),
    )
    officers = model.validate(
        "officers",
        pd.DataFrame(
            {
                "id": [1],
                "name": ["王伟"],
                "station_id": [1],
                "beat_id": [1],
                "role": ["社区民警"],
                "phone": ["13800000001"],
            }
        ),
    )
    households = model.validate(
        "households",
        pd.DataFrame(
            {
                "id": [1, 2],
                "address": ["府学胡同1号院 1户", "府学胡同1号院 2户"],
                "beat_id": [1, 1],
                "residents": [3, 2],
                "rental": [True, False],
                "contact_name": ["张三", None],
                "geometry": [shapely.Point(116.415, 39.935), shapely.Point(116.416, 39.936)],
            }
        ),
    )
    visits = model.validate(
        "visits",
        pd.DataFrame(
            {
                "household_id": [1, 2],
                "officer_id": [1, 1],
                "visited_at": ["2026-04-01 18:30", "2026-04-02 16:05:07"],
                "outcome": ["visited", "not_home"],
                "card_given": [True, False],
            }
        ),
    )
    return {
        "stations": stations,
        "beats": beats,
        "officers": officers,
        "households": households,
        "visits": visits,
    }


def _round_trip(store: Store):
    frames = _frames()
    store.write_many(frames, mode="replace", meta={"area_source": "x.osm"})
    for name, df in frames.items():
        back = store.read(name)
        expect = df.copy()
        if expect["id"].isna().any():
            expect["id"] = np.arange(1, len(expect) + 1)
        expect["id"] = expect["id"].astype("int64")
        pd.testing.assert_frame_equal(
            back.reset_index(drop=True), expect.reset_index(drop=True), check_dtype=False
        )
    assert store.read("visits")["visited_at"].iloc[1] == pd.Timestamp("2026-04-02 16:05:07")
    assert store.get_meta("area_source") == "x.osm"
    hh = store.read(
        "households", columns=["rental"], where=SQL_TABLES["households"].c.rental.is_(True)
    )
    assert list(hh.columns) == ["id", "rental", "geometry"] and hh["id"].tolist() == [1]
    assert store.counts()["visits"] == 2


def test_sqlite_round_trip(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    _round_trip(store)
    con = sqlite3.connect(tmp_path / "b.sqlite")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_revision(store.engine) == "0001"


def test_ids_continue_after_existing(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    store.write_many(_frames())
    more = model.validate(
        "stations",
        pd.DataFrame({"name": ["交道口派出所"], "geometry": [shapely.Point(116.40, 39.94)]}),
    )
    assert store.write("stations", more).tolist() == [2]


def test_failed_write_changes_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    store.write_many(_frames())
    before = store.counts()
    bad = _frames()
    bad["visits"]["officer_id"] = pd.array([99, 99], dtype="Int64")  # no such officer
    bad["visits"]["id"] = pd.array([10, 11], dtype="Int64")
    with pytest.raises(Exception, match="FOREIGN KEY"):
        store.write_many({"visits": bad["visits"]})
    assert store.counts() == before


def test_reopen_keeps_data_and_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    Store(url).write_many(_frames())
    again = Store(url)
    assert again.count("households") == 2


def test_backup_is_a_working_copy(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    store.write_many(_frames())
    copy = store.backup(tmp_path / "backup" / "copy.sqlite")
    assert Store(f"sqlite:///{copy}").count("households") == 2


def test_read_unknown_column_lists_allowed(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    with pytest.raises(InputError, match="allowed"):
        store.read("households", columns=["nope"])


def test_bad_url():
    with pytest.raises(InputError, match="not a valid SQLAlchemy URL"):
        Store("not a url")


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_round_trip():
    if pg_bindir() is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    with postgres_server() as url:
        store = Store(url)
        _round_trip(store)
        assert schema_revision(store.engine) == "0001"
        store.close()
