"""The app's data caches (ui/cache.py): keyed by store and by table version.

Streamlit's caches run here without a server (in-memory storage), for a city-wide chief. Two SQLite
stores hold the same fixture city; one of them gets one more visit. The caches must never hand one store's rows to the
other, and a recorded visit must forget the visit reads and the coverage figures but keep what
does not read visits (households, the camera planner's tables).
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

import ui.cache
from geo.auth import Scope
from geo.demo import write_demo
from geo.filters import Filters
from geo.settings import load_settings
from geo.store import Store
from geo.visits import record_visit
from geo.workspace import Workspace
from tests._coverage_city import fixture_city

FILTERS = Filters(start="2026-03-01", end="2026-06-30")


@pytest.fixture()
def two_stores(tmp_path, monkeypatch):
    """Two workspaces over two SQLite files with the same city; ``use(ws)`` switches to one."""
    area, city = fixture_city()
    spaces = []
    for name in ("a", "b"):
        settings = load_settings({"BEATMAP_DATA_DIR": str(tmp_path / name), "BEATMAP_ONLINE": "no"})
        store = Store(settings.database_url)
        write_demo(store, city, source="grid")
        spaces.append(Workspace(settings, store, area, []))
    current = {"ws": spaces[0]}
    monkeypatch.setattr(ui.cache, "get_workspace", lambda: current["ws"])
    monkeypatch.setattr(ui.cache, "get_store", lambda: current["ws"].store)
    monkeypatch.setattr(ui.cache, "_scope", lambda: Scope.city("chief", role="chief"))
    ui.cache.st.cache_data.clear()
    ui.cache.st.cache_resource.clear()

    def use(ws):
        current["ws"] = ws

    yield spaces, use
    ui.cache.st.cache_data.clear()
    ui.cache.st.cache_resource.clear()
    for ws in spaces:
        ws.store.close()


def _add_visit(store: Store) -> None:
    """One successful visit to a household that nobody has visited yet."""
    households = store.read("households")
    visits = store.read("visits")
    done = set(visits.loc[visits["outcome"] == "visited", "household_id"])
    hh = households[~households["id"].isin(done)].iloc[0]
    officers = store.read("officers")
    officer = officers[officers["beat_id"] == hh["beat_id"]].iloc[0]
    record_visit(
        store,
        household_id=int(hh["id"]),
        officer_id=int(officer["id"]),
        outcome="visited",
        visited_at=pd.Timestamp("2026-04-20 18:00"),
    )


def test_two_stores_do_not_share_entries(two_stores):
    (a, b), use = two_stores
    _add_visit(b.store)
    use(a)
    n_a = len(ui.cache.read_table("visits"))
    visited_a = ui.cache.coverage_view(FILTERS, target_date="2026-06-30").totals["visited"]
    use(b)
    assert len(ui.cache.read_table("visits")) == n_a + 1
    visited_b = ui.cache.coverage_view(FILTERS, target_date="2026-06-30").totals["visited"]
    assert visited_b == visited_a + 1
    use(a)
    assert len(ui.cache.read_table("visits")) == n_a


def test_a_recorded_visit_forgets_only_what_reads_visits(two_stores):
    (a, _), _use = two_stores
    n_visits = len(ui.cache.read_table("visits"))
    before = ui.cache.coverage_view(FILTERS, target_date="2026-06-30").totals["visited"]
    planning_key = ui.cache._data_key(ui.cache.PLANNING_TABLES)
    hid = int(ui.cache.read_table("households")["id"].iloc[0])

    _add_visit(a.store)
    # a change behind the caches' back: only a clear_data naming households shows it
    with sqlite3.connect(a.store.url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE households SET residents = 99 WHERE id = ?", (hid,))
    # cached until the page says what it wrote
    assert len(ui.cache.read_table("visits")) == n_visits
    ui.cache.clear_data("visits")

    assert len(ui.cache.read_table("visits")) == n_visits + 1
    after = ui.cache.coverage_view(FILTERS, target_date="2026-06-30").totals["visited"]
    assert after == before + 1
    assert _residents(hid) != 99
    assert ui.cache._data_key(ui.cache.PLANNING_TABLES) == planning_key

    ui.cache.clear_data()  # an unnamed write forgets every table
    assert _residents(hid) == 99
    assert ui.cache._data_key(ui.cache.PLANNING_TABLES) != planning_key


def _residents(hid: int) -> int:
    hh = ui.cache.read_table("households")
    return int(hh.loc[hh["id"] == hid, "residents"].iloc[0])


def test_clear_data_names_known_tables(two_stores):
    with pytest.raises(ValueError, match="visit.*known"):
        ui.cache.clear_data("visit")
