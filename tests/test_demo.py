"""The demo city: deterministic, believable proportions, beats that partition the area."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.beats import assign_beats
from geo.demo import build_demo, write_demo
from geo.network import load_area
from geo.store import Store


@pytest.fixture(scope="module")
def small_area(alleys_osm):
    return load_area(alleys_osm)


@pytest.fixture(scope="module")
def xueyuanlu(xueyuanlu_osm):
    area = load_area(xueyuanlu_osm)
    return area, build_demo(area, seed=7)


def test_same_seed_same_city(small_area):
    a = build_demo(small_area, seed=3, households_per_beat=60)
    b = build_demo(small_area, seed=3, households_per_beat=60)
    for name in a.frames:
        pd.testing.assert_frame_equal(a.frames[name], b.frames[name])
    c = build_demo(small_area, seed=4, households_per_beat=60)
    assert not a.frames["visits"].equals(c.frames["visits"])


def test_small_area_builds_households_from_buildings(small_area):
    city = build_demo(small_area, seed=1, households_per_beat=60)
    hh = city.frames["households"]
    assert len(hh) > 0
    assert (hh["building_id"].fillna("") != "").all()
    assert not city.report.notes


@pytest.mark.slow
def test_proportions(xueyuanlu):
    _, city = xueyuanlu
    f = city.frames
    hh, visits = f["households"], f["visits"]
    assert 0.70 <= city.report.visited_share <= 0.78
    assert 0.20 <= hh["rental"].mean() <= 0.30
    lodger_share = (hh.loc[hh["rental"], "lodgers"] > 0).mean()
    assert lodger_share > 0.5
    # campaign: March to June, 16:00-20:00, some "not home" repeats
    when = pd.to_datetime(visits["visited_at"])
    assert when.min() >= pd.Timestamp("2026-03-01") and when.max() < pd.Timestamp("2026-07-01")
    assert when.dt.hour.between(14, 19).all()
    assert (visits["outcome"] == "not_home").mean() > 0.05
    repeat = visits.groupby("household_id")["outcome"].agg(
        lambda s: "not_home" in set(s) and "visited" in set(s)
    )
    assert repeat.mean() > 0.05
    # officers differ
    per_officer = visits[visits["outcome"] == "visited"].groupby("officer_id").size()
    assert per_officer.std() > 0
    # cameras ~5 % of households, more among rentals
    cams = f["cameras"]
    owned = cams.dropna(subset=["household_id"])
    assert 0.03 <= len(owned) / len(hh) <= 0.08
    rent = hh.set_index("id")["rental"]
    with_cam = rent.index.isin(owned["household_id"].astype(int))
    assert with_cam[rent.to_numpy(bool)].mean() > 2 * with_cam[~rent.to_numpy(bool)].mean()
    # night noise
    inc = f["incidents"]
    noise_hours = pd.to_datetime(inc.loc[inc["category"] == "noise", "occurred_at"]).dt.hour
    assert ((noise_hours >= 20) | (noise_hours < 2)).all()
    # surveys in the seed report's proportions
    sv = f["surveys"]
    assert len(sv) == pytest.approx(
        0.015 * visits.loc[visits["outcome"] == "visited", "household_id"].nunique(), abs=2
    )
    assert (sv["method"] == "phone").mean() > 0.5
    assert (sv["familiarity"] == "knows_officer").mean() > 0.45
    assert sv["satisfied"].mean() > 0.95


@pytest.mark.slow
def test_beats_partition_the_area(xueyuanlu):
    area, city = xueyuanlu
    beats, hh = city.frames["beats"], city.frames["households"]
    assert hh["beat_id"].notna().all()
    again = assign_beats(hh, beats).beat_id
    assert (again == hh["beat_id"]).mean() > 0.99
    utm = beats.to_crs(area.crs)
    assert utm.geometry.union_all().area == pytest.approx(utm.area.sum(), rel=0.01)
    sizes = hh.groupby("beat_id").size()
    assert sizes.max() / sizes.min() < 4
    # every beat has its community officer and a team
    off = city.frames["officers"]
    cops = off[off["role"] == "community_officer"]
    assert set(cops["beat_id"]) == set(beats["id"])
    assert {"auxiliary_police", "grid_worker"} <= set(off["role"])
    # about one station per 2 km2 (the extract is ~1.7 km2)
    assert len(city.frames["stations"]) == 1


@pytest.mark.slow
def test_area_without_buildings_gets_households_along_streets(shared_osm):
    area = load_area(shared_osm / "shanghai-huangpu-lanes.osm")
    city = build_demo(area, seed=1)
    assert len(city.frames["households"]) > 100
    assert any("no buildings" in note for note in city.report.notes)


def test_written_to_store(tmp_path, small_area):
    city = build_demo(small_area, seed=1, households_per_beat=60)
    store = Store(f"sqlite:///{tmp_path / 'd.sqlite'}")
    write_demo(store, city, source="x.osm")
    assert store.counts() == city.report.counts
    assert store.get_meta("area_source") == "x.osm"
    back = store.read("households")
    assert np.allclose(back.geometry.x, city.frames["households"].geometry.x)
