"""The Coverage view read from the store equals the view computed from whole tables.

:func:`geo.coverage_store.coverage_view` asks the database for counts (kept-up status and cell
tables, or the status rule over a window's visits); :func:`geo.coverage.coverage_view` reads
every row and counts in pandas. On the fixture city (demo generator over a grid), for the
sidebar's filter sets, a station chief's scope and both map modes, every figure the page shows
must agree, on SQLite and on PostgreSQL+PostGIS. The kept-up cell table must also equal a
recount after visit writes, household moves and imports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from geo import coverage, coverage_store
from geo.auth import Scope
from geo.demo import write_demo
from geo.filters import Filters, with_beat
from geo.model import TABLE_ORDER
from geo.store import CELL_STATUS, SQL_TABLES, Store
from geo.visits import record_visit, undo_visit
from tests._city import kept_tables
from tests._coverage_city import fixture_city

TARGET = "2026-06-30"


@pytest.fixture
def store(store_url):
    area, city = fixture_city()
    s = Store(store_url, create=True)
    write_demo(s, city, source="grid")
    yield s
    s.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def city_store(request, tmp_path_factory):
    """The fixture city in a store the comparisons only read (written once per backend)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('coverage') / 'beatmap.sqlite'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    area, city = fixture_city()
    s = Store(url, create=True)
    write_demo(s, city, source="grid")
    yield s
    s.close()


def _frames(store, scope=None):
    read = (lambda n: scope.read(store, n)) if scope is not None else store.read
    frames = {name: read(name) for name in TABLE_ORDER}
    for name in ("incidents", "cameras"):
        frames[name] = with_beat(frames[name], frames["beats"])
    return frames


def _both(store, filters, scope=None, **options):
    want = coverage.coverage_view(_frames(store, scope), filters, target_date=TARGET, **options)
    inputs = coverage_store.coverage_inputs(store, scope=scope)
    got = coverage_store.coverage_view(
        store, filters, inputs=inputs, scope=scope, target_date=TARGET, **options
    )
    return want, got


def _same_table(got: pd.DataFrame, want: pd.DataFrame, key: str, columns) -> None:
    g = got.set_index(key).sort_index()
    w = want.set_index(key).sort_index()
    assert list(g.index) == list(w.index)
    for c in columns:
        if c not in w.columns:
            continue
        a, b = g[c], w[c]
        if pd.api.types.is_float_dtype(b):
            assert np.allclose(a.to_numpy(float), b.to_numpy(float), equal_nan=True), c
        else:
            assert a.astype(object).tolist() == b.astype(object).tolist(), c


def _check(want, got) -> None:
    assert got.as_of == want.as_of and got.mode == want.mode
    for k, v in want.totals.items():
        assert got.totals[k] == v or (pd.isna(v) and pd.isna(got.totals[k])), k
    numbers = ["households", "visited", "not_home", "refused", "moved_away", "unvisited"]
    numbers += ["recent", "pace", "coverage", "remaining", "required_pace", "on_track"]
    _same_table(got.progress["beat"], want.progress["beat"], "beat_id", numbers)
    _same_table(got.progress["station"], want.progress["station"], "station_id", numbers)
    _same_table(
        got.progress["officer"],
        want.progress["officer"],
        "officer_id",
        [*numbers, "visited_by_officer", "own_pace"],
    )
    # laggards first, in the same order
    assert got.progress["beat"]["beat_id"].tolist() == want.progress["beat"]["beat_id"].tolist()
    pd.testing.assert_frame_equal(got.evenings, want.evenings, check_dtype=False)
    cols = ["officer_id", "week", "evenings", "visits", "hours"]
    pd.testing.assert_frame_equal(got.hours[cols], want.hours[cols], check_dtype=False)
    pd.testing.assert_frame_equal(got.surveys, want.surveys, check_dtype=False)
    pd.testing.assert_frame_equal(
        got.effect.by_beat.drop(columns=["matches"], errors="ignore"),
        want.effect.by_beat.drop(columns=["matches"], errors="ignore"),
        check_dtype=False,
    )
    assert len(got.cameras) == len(want.cameras)
    assert got.beats_map["beat_id"].tolist() == want.beats_map["beat_id"].tolist()
    assert got.beats_map.geometry.geom_equals_exact(want.beats_map.geometry, 1e-6).all()
    assert np.allclose(got.beats_map["coverage"], want.beats_map["coverage"], equal_nan=True)
    g_st = got.stations_map.sort_values("station_id").reset_index(drop=True)
    w_st = want.stations_map.sort_values("station_id").reset_index(drop=True)
    assert g_st["station_id"].tolist() == w_st["station_id"].tolist()
    assert g_st.geometry.geom_equals_exact(w_st.geometry, 1e-6).all()
    if want.mode == "hexes":
        cols = ["households", "visited", "not_home", "unvisited", "cameras", "coverage"]
        _same_table(got.hexes, want.hexes, "cell", cols)
        _same_table(got.heat_unvisited, want.heat_unvisited, "lat", ["lon", "weight"])
    points = ["status", "attempts", "address", "lon", "lat", "beat_id"]
    _same_table(got.map_points, want.map_points, "id", points)
    assert (got.detail is None) == (want.detail is None)
    if want.detail is not None:
        assert got.detail.summary == want.detail.summary
        pd.testing.assert_frame_equal(got.detail.trend, want.detail.trend, check_dtype=False)


@pytest.mark.parametrize(
    "filters, options",
    [
        (Filters(), {}),  # the whole campaign: the kept-up tables
        (Filters(), {"max_points": 200, "selected_beat": 2}),  # hexagons, one beat as points
        (Filters(start="2026-04-20", end="2026-05-31"), {}),  # a window: the rule over it
        (Filters(start="2026-04-20", end="2026-05-31"), {"max_points": 200}),
        (Filters(household_type="rental"), {"max_points": 200}),
        (Filters(household_type="owner", beats=(1, 3)), {"selected_beat": 3}),
        (Filters(officers=(2,)), {}),  # one officer's own visits
        (Filters(), {"as_of": "2026-05-10", "window_days": 7}),
    ],
)
def test_view_from_the_store_equals_the_view_from_frames(city_store, filters, options):
    want, got = _both(city_store, filters, **options)
    _check(want, got)


def test_a_station_chiefs_scope_sees_the_same_figures(city_store):
    store = city_store
    station = int(store.read("stations")["id"].iloc[0])
    beats = store.read("beats")
    mine = tuple(sorted(int(b) for b in beats.loc[beats["station_id"] == station, "id"]))
    scope = Scope(username="chief", role="chief", beat_ids=mine, station_ids=(station,))
    want, got = _both(store, Filters(), scope=scope, max_points=200)
    _check(want, got)
    assert set(got.progress["beat"]["beat_id"]) <= set(mine)


def _recount(store) -> pd.DataFrame:
    """Households per cell, beat, rental and status, counted from the households afresh."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                CELL_STATUS.c.cell,
                CELL_STATUS.c.beat_id,
                CELL_STATUS.c.rental,
                CELL_STATUS.c.status,
                CELL_STATUS.c.households,
            )
        ).all()
    kept = pd.DataFrame(rows, columns=["cell", "beat_id", "rental", "status", "n"])
    hh = store.read("households", columns=["beat_id", "rental"])
    visits = store.read("visits")
    status = coverage.household_status(hh, visits)
    with store.engine.connect() as conn:
        cells = dict(
            conn.execute(
                sa.select(SQL_TABLES["households"].c.id, SQL_TABLES["households"].c.h3)
            ).all()
        )
    fresh = pd.DataFrame(
        {
            "cell": status["id"].map(cells).astype("int64"),
            "beat_id": status["beat_id"].fillna(-1).astype("int64"),
            "rental": hh["rental"].fillna(False).astype(bool).to_numpy(),
            "status": status["status"],
        }
    )
    fresh = fresh.groupby(["cell", "beat_id", "rental", "status"]).size().rename("n")
    kept["beat_id"] = kept["beat_id"].fillna(-1).astype("int64")
    kept["rental"] = kept["rental"].astype(bool)
    kept = kept.groupby(["cell", "beat_id", "rental", "status"])["n"].sum()
    return fresh.sort_index(), kept.sort_index()


def test_kept_up_cells_follow_every_write(store):
    import h3

    hh = store.read("households", columns=["beat_id"])
    with store.engine.connect() as conn:
        cells = conn.execute(sa.select(SQL_TABLES["households"].c.h3).limit(5)).scalars().all()
    xy = hh.geometry.get_coordinates().iloc[0]
    assert h3.str_to_int(h3.latlng_to_cell(xy["y"], xy["x"], 10)) in {int(c) for c in cells} | {
        int(c) for c in [h3.str_to_int(h3.latlng_to_cell(xy["y"], xy["x"], 10))]
    }
    fresh, kept = _recount(store)
    pd.testing.assert_series_equal(fresh, kept, check_dtype=False)
    now, recount = kept_tables(store)
    assert now == recount
    ids = hh["id"].to_numpy()
    officer = int(store.read("officers")["id"].iloc[0])
    last = None
    for k, hid in enumerate(ids[:12]):
        last = record_visit(
            store,
            household_id=int(hid),
            officer_id=officer,
            outcome=["visited", "not_home", "refused"][k % 3],
            visited_at=pd.Timestamp("2026-06-01 19:00") + pd.Timedelta(minutes=k),
        )
    # an undo takes the visit out of its officer's evening (visit_days) too
    undo_visit(store, last, officer_id=officer, now=pd.Timestamp("2026-06-01 19:12"))
    store.set_column("households", "rental", ids[20:30], np.ones(10, dtype=bool))
    other = int(store.read("beats")["id"].iloc[-1])
    store.update("households", ids[30:40], {"beat_id": other})
    fresh, kept = _recount(store)
    pd.testing.assert_series_equal(fresh, kept, check_dtype=False)
    now, recount = kept_tables(store)
    assert now == recount


def test_a_large_import_is_recounted_after_its_commit(store):
    from geo import model
    from geo.store import REFRESH_ALL_FROM, STALE_KEY, VISIT_STATUS

    ids = store.ids("households")
    assert len(ids) >= REFRESH_ALL_FROM, "the fixture city is large enough to defer"
    rng = np.random.default_rng(5)
    n = len(ids) + 500
    visits = model.validate(
        "visits",
        pd.DataFrame(
            {
                "household_id": np.concatenate([ids, rng.choice(ids, 500)]),
                "officer_id": int(store.read("officers")["id"].iloc[0]),
                "visited_at": pd.Timestamp("2026-06-20 17:00")
                + pd.to_timedelta(rng.integers(0, 3 * 86400, n), unit="s"),
                "outcome": rng.choice(["visited", "not_home", "refused"], n),
            }
        ),
    )
    store.write("visits", visits)
    assert store.get_meta(STALE_KEY) is None
    now, recount = kept_tables(store)
    assert now == recount
    # a recount cut short (the process killed after the import's commit) finishes on open
    with store.engine.begin() as conn:
        conn.execute(
            VISIT_STATUS.delete().where(VISIT_STATUS.c.household_id.in_(ids[:50].tolist()))
        )
    store.set_meta({STALE_KEY: "1"})
    assert kept_tables(store)[0] != kept_tables(store)[1]
    again = Store(store.url)
    assert again.get_meta(STALE_KEY) is None
    now, recount = kept_tables(again)
    assert now == recount
    again.close()
