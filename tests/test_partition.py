"""Balanced beats: balance, contiguity, whole estates, every household in exactly one beat."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo._errors import InputError
from geo.beats import assign_beats
from geo.demo import build_demo
from geo.network import load_area
from geo.partition import Weights, partition, propose_beats, workload, write_proposal

EXTRACTS = [
    "beijing-haidian-xueyuanlu.osm",
    "beijing-haidian-wudaokou.osm",
    "beijing-chaoyang-wangjing.osm",
    "shanghai-huangpu-lanes.osm",
    "jiangsu-estate-small.osm",
]


def grid_city(n_side: int = 6, step: float = 100.0, seed: int = 5):
    """A street grid of ``n_side`` x ``n_side`` blocks with courtyards and one estate."""
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n_side + 1):
        lines.append(shapely.LineString([(0, i * step), (n_side * step, i * step)]))
        lines.append(shapely.LineString([(i * step, 0), (i * step, n_side * step)]))
    edges = gpd.GeoDataFrame(geometry=lines, crs="EPSG:32650")
    xy, building, estate = [], [], []
    for bx in range(n_side):
        for by in range(n_side):
            for c in range(4):
                gate = np.array([bx * step + 20 + 60 * (c % 2), by * step + 20 + 60 * (c // 2)])
                k = int(rng.integers(3, 9))
                for _ in range(k):
                    xy.append(gate + rng.normal(0, 3, 2))
                    building.append(f"b{bx}-{by}-{c}")
                    estate.append("和平里小区" if (bx, by) == (2, 2) else "")
    frame = shapely.box(0, 0, n_side * step, n_side * step)
    return (
        np.array(xy),
        np.array(building, dtype=object),
        np.array(estate, dtype=object),
        edges,
        frame,
    )


def _check(xy, part, count):
    beats = gpd.GeoDataFrame({"id": np.arange(count)}, geometry=part.polygons, crs="EPSG:32650")
    hh = gpd.GeoDataFrame(geometry=shapely.points(xy), crs="EPSG:32650")
    got = assign_beats(hh, beats)
    assert len(got.outside) == 0
    assert got.overlaps == 0
    assert (got.beat_id.to_numpy(dtype=int) == part.label).all()


def test_grid_city_is_balanced_contiguous_and_covers_every_household() -> None:
    xy, building, estate, edges, frame = grid_city()
    part = partition(
        xy, np.ones(len(xy)), count=5, edges=edges, frame=frame, building=building, estate=estate
    )
    sizes = np.bincount(part.label, minlength=5)
    assert sizes.max() / sizes.min() <= 1.15
    assert part.contiguous
    assert all(p.geom_type == "Polygon" for p in part.polygons)
    _check(xy, part, 5)
    # the polygons tile the frame (grown a little around the outermost doors), no overlap
    union = shapely.unary_union(part.polygons)
    assert union.covers(frame.buffer(-0.01))
    assert sum(p.area for p in part.polygons) == pytest.approx(union.area, rel=1e-6)


def test_estates_and_courtyards_stay_whole() -> None:
    xy, building, estate, edges, frame = grid_city()
    part = partition(
        xy, np.ones(len(xy)), count=6, edges=edges, frame=frame, building=building, estate=estate
    )
    frame_ = pd.DataFrame({"b": building, "e": estate, "beat": part.label})
    assert (frame_.groupby("b")["beat"].nunique() == 1).all()
    assert frame_[frame_["e"] != ""]["beat"].nunique() == 1
    assert part.estates_split == []
    # an estate bigger than the whole-share is split by building, and reported
    small = partition(
        xy,
        np.ones(len(xy)),
        count=6,
        edges=edges,
        frame=frame,
        building=building,
        estate=np.where(np.arange(len(xy)) < len(xy) // 2, "大院", ""),
    )
    assert small.estates_split == ["大院"]


def test_workload_weights_move_the_borders() -> None:
    xy, building, estate, edges, frame = grid_city()
    hh = gpd.GeoDataFrame(
        {
            "rental": xy[:, 0] < 200,  # the west side is all rentals
            "lodgers": np.where(xy[:, 0] < 200, 2, 0),
        },
        geometry=shapely.points(xy),
        crs="EPSG:32650",
    )
    w = workload(hh, weights=Weights(rental=1.0, lodger=0.5))
    assert set(np.unique(w)) == {1.0, 3.0}
    plain = partition(xy, np.ones(len(xy)), count=4, edges=edges, frame=frame, building=building)
    heavy = partition(xy, w, count=4, edges=edges, frame=frame, building=building)
    load = np.bincount(heavy.label, weights=w, minlength=4)
    assert load.max() / load.min() <= 1.2
    # balancing workload puts fewer households in the beats of the rental side
    assert np.bincount(heavy.label).max() > np.bincount(plain.label).max()


def test_incidents_weigh_their_nearest_household() -> None:
    hh = gpd.GeoDataFrame(geometry=shapely.points([[0, 0], [100, 0], [300, 0]]), crs="EPSG:32650")
    inc = gpd.GeoDataFrame(
        geometry=shapely.points([[5, 0], [95, 0], [96, 1], [200, 0]]), crs="EPSG:32650"
    )
    w = workload(hh, inc, weights=Weights(rental=0, lodger=0, incident=0.5))
    # the incident at x=200 is 100 m from every household: beyond the 50 m radius
    assert w.tolist() == [1.5, 2.0, 1.0]


@pytest.mark.parametrize("bad", [{"rental": -1.0}, {"household": 0.0}, {"incident": float("nan")}])
def test_bad_weights_are_refused(bad) -> None:
    with pytest.raises(InputError, match="weight"):
        Weights(**bad)


def test_no_more_beats_than_units_and_errors() -> None:
    xy, building, _, edges, frame = grid_city(n_side=1)
    part = partition(xy, np.ones(len(xy)), count=50, edges=edges, frame=frame, building=building)
    assert len(part.polygons) == 4  # four courtyards
    _check(xy, part, 4)
    with pytest.raises(InputError, match="at least 1"):
        partition(xy, np.ones(len(xy)), count=0, edges=edges, frame=frame)
    with pytest.raises(InputError, match="no households"):
        partition(np.zeros((0, 2)), np.zeros(0), count=2, edges=edges, frame=frame)


def test_small_osm_area_proposal_and_gpkg(alleys_osm: Path, tmp_path: Path) -> None:
    area = load_area(alleys_osm)
    city = build_demo(area, seed=2, households_per_beat=60)
    f = city.frames
    station = int(f["stations"]["id"].iloc[0])
    prop = propose_beats(
        area, f["households"], f["beats"], station_id=station, count=3, incidents=f["incidents"]
    )
    assert len(prop.beats) == 3
    assert prop.summary.loc["outside", "proposed"] == 0
    assert prop.beats["households"].sum() == len(prop.household_beat)
    assert (prop.beats["walk_across_min"] > 0).all()
    assert set(prop.summary_table("en").index) >= {"largest/smallest households"}
    out = tmp_path / "proposal.gpkg"
    write_proposal(prop, out)
    back = gpd.read_file(out, layer="proposed_beats")
    assert {"name", "station_id", "households", "workload"} <= set(back.columns)
    assert len(gpd.read_file(out, layer="current_beats")) == len(prop.today)
    with pytest.raises(InputError, match="station 999 has no beats"):
        propose_beats(area, f["households"], f["beats"], station_id=999, count=2)
    with pytest.raises(InputError, match="GeoPackage"):
        write_proposal(prop, tmp_path / "x.shp")


@pytest.mark.slow
@pytest.mark.parametrize("name", EXTRACTS)
def test_every_shared_extract(shared_osm: Path, name: str) -> None:
    """Demo beats and each station's proposal: within 1.15, contiguous, every household in one."""
    area = load_area(shared_osm / name)
    city = build_demo(area, seed=7)
    f = city.frames
    hh, beats = f["households"], f["beats"]
    got = assign_beats(hh, beats)
    assert len(got.outside) == 0 and got.overlaps == 0
    assert (got.beat_id == hh["beat_id"]).all()
    sizes = hh.groupby("beat_id").size()
    demo_ratio = sizes.max() / sizes.min()
    assert demo_ratio <= 1.15
    for station in f["stations"]["id"]:
        count = int((beats["station_id"] == station).sum())
        prop = propose_beats(
            area, hh, beats, station_id=int(station), count=count, incidents=f["incidents"]
        )
        assert prop.contiguous
        assert prop.summary.loc["outside", "proposed"] == 0
        assert prop.summary.loc["ratio", "proposed"] <= 1.15
        assert (
            prop.beats["households"].sum()
            == (hh["beat_id"].isin(beats.loc[beats["station_id"] == station, "id"])).sum()
        )
        print(
            f"{name} station {station}: demo {demo_ratio:.3f}, proposed "
            f"{prop.summary.loc['ratio', 'proposed']:.3f} over {count} beats"
        )


@pytest.mark.slow
def test_cli_writes_the_proposal(alleys_osm: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "BEATMAP_ONLINE": "no", "BEATMAP_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "geo.cli", *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)

    db = tmp_path / "c.sqlite"
    made = run("demo", "--osm", str(alleys_osm), "--db", str(db), "--households-per-beat", "60")
    assert made.returncode == 0, made.stderr
    out = tmp_path / "p.gpkg"
    res = run(
        "beats", "propose", "--db", str(db), "--station", "1", "--count", "2", "--out", str(out)
    )
    assert res.returncode == 0, res.stderr
    assert "最大/最小住户比" in res.stdout
    layer = gpd.read_file(out, layer="proposed_beats")
    assert len(layer) == 2 and layer["households"].sum() > 0
    bad = run(
        "beats", "propose", "--db", str(db), "--station", "42", "--count", "2", "--out", str(out)
    )
    assert bad.returncode == 2 and "station 42" in bad.stderr
