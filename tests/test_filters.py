"""The sidebar's filters (geo.filters) on a small hand-made campaign, and the beat of points."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo._errors import InputError
from geo.filters import Filters, apply_filters, end_of_day, with_beat
from tests._frames import small_campaign


@pytest.fixture()
def city():
    return small_campaign()


def test_filters_narrow_every_table(city):
    households, visits, beats, stations, officers = city
    households = households.assign(rental=[True, False, None, True, False, True])
    surveys = pd.DataFrame(
        {"household_id": [1, 4], "surveyed_on": pd.to_datetime(["2026-03-20", "2026-04-10"])}
    )
    frames = {
        "households": households,
        "visits": visits,
        "beats": beats,
        "stations": stations,
        "officers": officers,
        "surveys": surveys,
    }
    out = apply_filters(frames, Filters(beats=(2,)))
    assert out["households"]["id"].tolist() == [4, 5, 6]
    assert out["visits"]["household_id"].tolist() == [4, 4]
    assert out["officers"]["id"].tolist() == [20, 21]
    out = apply_filters(frames, Filters(officers=(20,)))
    assert out["beats"]["id"].tolist() == [2]
    assert out["visits"]["officer_id"].tolist() == [20]  # his own visits only
    out = apply_filters(frames, Filters(household_type="rental"))
    assert out["households"]["id"].tolist() == [1, 4, 6]
    assert out["surveys"]["household_id"].tolist() == [1, 4]
    out = apply_filters(frames, Filters(household_type="owner", end="2026-03-05"))
    assert out["households"]["id"].tolist() == [2, 3, 5]  # unknown counts as owner-occupied
    assert out["visits"]["household_id"].tolist() == [2, 3]
    assert out["surveys"].empty
    with pytest.raises(InputError, match="rental"):
        Filters(household_type="hotel")
    with pytest.raises(InputError, match="after"):
        Filters(start="2026-05-01", end="2026-04-01")


def test_end_of_day():
    assert end_of_day("2026-03-05") == pd.Timestamp("2026-03-05 23:59:59.999999")
    assert end_of_day("2026-03-05 18:00") == pd.Timestamp("2026-03-05 18:00")


def test_with_beat_marks_points_outside_every_beat():
    crs = "EPSG:32650"
    beats = gpd.GeoDataFrame(
        {"id": [1, 2]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
        crs=crs,
    )
    points = gpd.GeoDataFrame(
        {"kind": ["a", "b", "c"]},
        geometry=shapely.points([(50, 50), (150, 50), (5000, 5000)]),
        crs=crs,
    )
    out = with_beat(points, beats)
    assert out["beat_id"].tolist()[:2] == [1, 2]
    assert pd.isna(out["beat_id"].iloc[2])
    assert "beat_id" not in points.columns  # a copy
    assert with_beat(points.iloc[:0], beats)["beat_id"].dtype == "Int64"
