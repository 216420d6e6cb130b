"""The one beat rule (geo.beats.assign_beats): polygon, else the nearest beat within 30 m."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import Point

from geo._errors import InputError
from geo.beats import BEAT_SNAP_M, assign_beats

CRS = "EPSG:32650"
X0, Y0 = 447_000.0, 4_426_000.0


def _beats() -> gpd.GeoDataFrame:
    """Beat 3 west, beat 1 east of a 20 m street; beat 2 overlaps beat 1's north edge."""
    return gpd.GeoDataFrame(
        {"id": [3, 1, 2]},
        geometry=[
            shapely.box(X0, Y0, X0 + 100, Y0 + 100),
            shapely.box(X0 + 120, Y0, X0 + 220, Y0 + 100),
            shapely.box(X0 + 120, Y0 + 90, X0 + 220, Y0 + 190),
        ],
        crs=CRS,
    )


def _points(xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"n": range(len(xy))},
        geometry=[Point(X0 + x, Y0 + y) for x, y in xy],
        crs=CRS,
        index=[f"p{i}" for i in range(len(xy))],
    )


def test_inside_overlap_street_and_far() -> None:
    pts = _points([(50, 50), (170, 95), (104, 50), (117, 50), (220 + BEAT_SNAP_M + 10, 50)])
    got = assign_beats(pts, _beats())
    assert got.beat_id.index.tolist() == pts.index.tolist()
    assert got.beat_id.dtype == "Int64"
    # inside; in the overlap (smallest id); 4 m from the west beat; 3 m from the east beat; far
    assert got.beat_id.tolist()[:4] == [3, 1, 3, 1] and pd.isna(got.beat_id.iloc[4])
    assert got.overlaps == 1
    assert got.snapped.tolist() == ["p2", "p3"] and got.outside.tolist() == ["p4"]


def test_equally_near_beats_give_the_smallest_id_and_snap_can_be_off() -> None:
    pts = _points([(110, 50)])  # the middle of the street: 10 m from beats 3 and 1
    assert assign_beats(pts, _beats()).beat_id.tolist() == [1]
    off = assign_beats(pts, _beats(), snap_m=0)
    assert off.beat_id.isna().all() and off.outside.tolist() == ["p0"]
    near = assign_beats(pts, _beats(), snap_m=5)
    assert near.beat_id.isna().all()


def test_geographic_crs_measures_metres() -> None:
    pts = _points([(104, 50), (140, -25), (140, -45)])
    beats = _beats()
    metric = assign_beats(pts, beats).beat_id
    wgs = assign_beats(pts.to_crs(4326), beats.to_crs(4326)).beat_id
    assert wgs.tolist()[:2] == metric.tolist()[:2] == [3, 1]
    assert wgs.isna().tolist() == metric.isna().tolist() == [False, False, True]


def test_empty_and_bad_input() -> None:
    empty = assign_beats(_points([]), _beats())
    assert len(empty.beat_id) == 0 and empty.overlaps == 0
    none = assign_beats(_points([(50, 50)]), _beats().iloc[:0])
    assert none.beat_id.isna().all() and none.outside.tolist() == ["p0"]
    with pytest.raises(InputError, match="'id' column"):
        assign_beats(_points([(0, 0)]), _beats().rename(columns={"id": "beat"}))
    with pytest.raises(InputError, match="differs"):
        assign_beats(_points([(0, 0)]).to_crs(4326), _beats())
    with pytest.raises(InputError, match="snap_m"):
        assign_beats(_points([(0, 0)]), _beats(), snap_m=-1)
