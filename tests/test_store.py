"""Store round trips, ids, filters and PostGIS columns on SQLite and PostgreSQL+PostGIS."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from geo import model
from geo._errors import InputError
from geo.store import SQL_TABLES, STAGE_ROWS, Store, StoreError, schema_revision


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


def test_round_trip(store_url):
    store = Store(store_url)
    _round_trip(store)
    assert schema_revision(store.engine) == "0005_cells"
    store.close()


def test_sqlite_is_wal(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    _round_trip(store)
    con = sqlite3.connect(tmp_path / "b.sqlite")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_ids_come_from_the_database(store_url):
    store = Store(store_url)
    store.write_many(_frames())
    more = model.validate(
        "stations",
        pd.DataFrame({"name": ["交道口派出所"], "geometry": [shapely.Point(116.40, 39.94)]}),
    )
    assert store.write("stations", more).tolist() == [2]
    # explicit ids move the numbering past them
    given = more.copy()
    given["id"] = pd.array([10], dtype="Int64")
    assert store.write("stations", given).tolist() == [10]
    assert store.write("stations", more).tolist() == [11]
    store.close()


def test_large_write_is_staged_and_numbered(store_url):
    store = Store(store_url)
    store.write_many(_frames())
    n = STAGE_ROWS + 5
    rng = np.random.default_rng(7)
    visits = model.validate(
        "visits",
        pd.DataFrame(
            {
                "household_id": rng.integers(1, 3, n),
                "officer_id": np.ones(n, dtype=int),
                "visited_at": pd.Timestamp("2026-04-03 17:00")
                + pd.to_timedelta(rng.integers(0, 3600, n), unit="s"),
                "outcome": rng.choice(["visited", "not_home"], n),
                "notes": [f"n{i}" for i in range(n)],
            }
        ),
    )
    ids = store.write("visits", visits)
    assert ids.tolist() == list(range(3, 3 + n))
    back = store.read("visits", columns=["notes"])
    assert back.set_index("id").loc[3 + 17, "notes"] == "n17"
    assert store.count("visits") == n + 2
    store.close()


def test_failed_write_changes_nothing(store_url):
    store = Store(store_url)
    store.write_many(_frames())
    before = store.counts()
    bad = _frames()
    bad["visits"]["officer_id"] = pd.array([99, 99], dtype="Int64")  # no such officer
    bad["visits"]["id"] = pd.array([10, 11], dtype="Int64")
    with pytest.raises(sa.exc.IntegrityError, match="(?i)foreign key"):
        store.write_many({"visits": bad["visits"]})
    assert store.counts() == before
    store.close()


def test_reads_filter_in_sql(store_url):
    store = Store(store_url)
    frames = _frames()
    frames["stations"] = pd.concat(
        [
            frames["stations"],
            model.validate(
                "stations",
                pd.DataFrame(
                    {"id": [2], "name": ["交道口"], "geometry": [shapely.Point(116.40, 39.94)]}
                ),
            ),
        ]
    )
    frames["beats"] = pd.concat(
        [
            frames["beats"],
            model.validate(
                "beats",
                pd.DataFrame(
                    {
                        "id": [2],
                        "name": ["交道口社区"],
                        "station_id": [2],
                        "geometry": [shapely.box(116.39, 39.93, 116.40, 39.94)],
                    }
                ),
            ),
        ]
    )
    frames["stations"]["id"] = pd.array([1, 2], dtype="Int64")
    store.write_many(frames)
    extra = model.validate(
        "households",
        pd.DataFrame(
            {
                "address": ["交道口 1号"],
                "beat_id": [2],
                "geometry": [shapely.Point(116.395, 39.935)],
            }
        ),
    )
    (hid,) = store.write("households", extra)
    assert store.read("households", beat_ids=[2])["id"].tolist() == [hid]
    assert store.read("households", station_ids=[1])["id"].tolist() == [1, 2]
    assert store.read("visits", station_ids=[2]).empty
    assert store.read("beats", station_ids=[2])["id"].tolist() == [2]
    assert store.read("visits", start="2026-04-02").shape[0] == 1
    assert store.read("visits", start="2026-04-01", end="2026-04-02").shape[0] == 1
    near = shapely.box(116.4155, 39.9355, 116.4165, 39.9365)
    assert store.read("households", within=near)["id"].tolist() == [2]
    from geo.auth.scope import Scope

    officer = Scope(username="w", role="officer", beat_ids=(2,))
    assert store.read("households", scope=officer)["id"].tolist() == [hid]
    with pytest.raises(InputError, match="no date"):
        store.read("households", start="2026-01-01")
    store.close()


def test_one_visit_write_path():
    from geo import evening
    from geo.visits import record_visit

    assert evening.record_visit is record_visit


def test_reopen_keeps_data_and_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    Store(url).write_many(_frames())
    again = Store(url, create=False)
    assert again.count("households") == 2


def test_backup_is_a_working_copy(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    store.write_many(_frames())
    copy = store.backup(tmp_path / "backup" / "copy.sqlite")
    assert Store(f"sqlite:///{copy}", create=False).count("households") == 2
    assert not list((tmp_path / "backup").glob("*.part"))


def test_read_unknown_column_lists_allowed(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    with pytest.raises(InputError, match="allowed"):
        store.read("households", columns=["nope"])


def test_bad_url():
    with pytest.raises(InputError, match="not a valid SQLAlchemy URL"):
        Store("not a url")


def test_missing_file_is_not_created_unless_asked(tmp_path):
    path = tmp_path / "typo.sqlite"
    with pytest.raises(StoreError, match="does not exist"):
        Store(f"sqlite:///{path}", create=False)
    assert not path.exists()


@pytest.mark.postgres
def test_postgis_tables_open_in_gis_tools(pg_cluster):
    url = pg_cluster.create_database()
    store = Store(url)
    store.write_many(_frames())
    with store.engine.connect() as conn:
        kinds = dict(
            conn.exec_driver_sql(
                "SELECT f_table_name, type || ',' || srid FROM geometry_columns"
            ).fetchall()
        )
        gist = conn.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_households_geometry'"
        ).scalar()
        super_ = conn.exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).scalar()
        hh = gpd.read_postgis("SELECT id, geometry FROM households ORDER BY id", conn, "geometry")
    assert kinds["households"] == "POINT,4326" and kinds["beats"] == "GEOMETRY,4326"
    assert "gist" in gist.lower()
    assert super_ is False
    assert hh.crs.to_epsg() == 4326
    assert hh.geometry.iloc[0].equals(shapely.Point(116.415, 39.935))
    store.close()
