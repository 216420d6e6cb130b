"""What the field page writes and draws, without a browser: one visit per request id, undo
within five minutes by its recorder only, and the position / next-stop map layers."""

from __future__ import annotations

import folium
import pandas as pd
import pytest

from geo._errors import InputError, NotFoundError
from geo.visits import record_visit, undo_visit
from layers.field import next_stop_layer, position_layer
from tests.conftest import DATA

AT = pd.Timestamp("2026-04-15 16:20:00")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from geo.demo import build_demo, write_demo
    from geo.network import load_area
    from geo.store import Store

    area = load_area(DATA / "alleys_estate.osm")
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('field') / 'b.sqlite'}")
    write_demo(s, build_demo(area, seed=3, households_per_beat=200), source="fixture")
    yield s
    s.close()


def _pick(store):
    off = store.read("officers")
    hh = store.read("households")
    a, b = off["id"].astype(int).head(2).tolist()
    return a, b, hh["id"].astype(int).tolist()


@pytest.mark.slow
def test_a_repeated_request_id_writes_once(store):
    officer, _, households = _pick(store)
    before = store.count("visits")
    kw = dict(household_id=households[0], officer_id=officer, outcome="visited", visited_at=AT)
    first = record_visit(store, request_id="tap-0001", **kw)
    again = record_visit(store, request_id="tap-0001", **kw)
    assert first == again and store.count("visits") == before + 1
    other = record_visit(store, request_id="tap-0002", **kw)
    assert other != first and store.count("visits") == before + 2


@pytest.mark.slow
def test_undo_by_the_recorder_within_five_minutes(store):
    officer, someone_else, households = _pick(store)
    vid = record_visit(
        store, household_id=households[1], officer_id=officer, outcome="not_home", visited_at=AT
    )
    with pytest.raises(InputError, match="only its recorder"):
        undo_visit(store, vid, officer_id=someone_else, now=AT + pd.Timedelta(minutes=1))
    with pytest.raises(InputError, match="within 5 min"):
        undo_visit(store, vid, officer_id=officer, now=AT + pd.Timedelta(minutes=6))
    n = store.count("visits")
    undo_visit(store, vid, officer_id=officer, now=AT + pd.Timedelta(minutes=4))
    assert store.count("visits") == n - 1
    ids = set(store.read("visits")["id"].astype(int))
    assert vid not in ids
    with pytest.raises(NotFoundError):
        undo_visit(store, vid, officer_id=officer, now=AT)


def test_position_and_next_stop_layers_draw_offline():
    m = folium.Map(location=(39.9, 116.3), tiles=None)
    position_layer(39.9001, 116.3002, name="me", accuracy_m=25, lang="en").add_to(m)
    next_stop_layer(39.9005, 116.3, name="next", address="府学小区<3>", lang="zh").add_to(m)
    html = m.get_root().render()
    assert "my position (about 25 m)" in html
    assert "下一站：府学小区&lt;3&gt;" in html  # escaped
    assert "L.circle(" in html and html.count("L.circleMarker(") == 2
    bare = folium.Map(location=(39.9, 116.3), tiles=None)
    position_layer(39.9, 116.3, name="me").add_to(bare)
    assert "L.circle(" not in bare.get_root().render()  # no accuracy circle when unknown
