"""WeChat reach per building and courtyard, per beat; the demo's groups are per building."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import wechat


def households() -> gpd.GeoDataFrame:
    rows = [
        # beat 1: building A (3 households, 2 members), courtyard 5号院 (nobody), unknown flag
        (1, "A", "民安小区", "1号楼", True),
        (1, "A", "民安小区", "1号楼", True),
        (1, "A", "民安小区", "1号楼", False),
        (1, "", "", "5号院", False),
        (1, "", "", "5号院", None),
        (1, "", "", "5号院", False),
        (1, "", "", "5号院", False),
        # beat 2: the same courtyard text is another place in another beat; one member
        (2, "", "", "5号院", True),
        (2, "B", "", "2号楼", False),
    ]
    return gpd.GeoDataFrame(
        {
            "id": range(1, len(rows) + 1),
            "address": [f"北新桥三条{i}号" for i in range(len(rows))],
            "beat_id": [r[0] for r in rows],
            "building_id": [r[1] or None for r in rows],
            "estate": [r[2] or None for r in rows],
            "building": [r[3] for r in rows],
            "wechat_member": pd.array([r[4] for r in rows], dtype="boolean"),
        },
        geometry=shapely.points(np.column_stack([116.41 + np.arange(len(rows)) * 1e-4] * 2)),
        crs=4326,
    )


def test_reach_by_building_lists_nobody_first() -> None:
    got = wechat.reach_by_building(households(), beat_id=1)
    assert got["place"].tolist() == ["5号院", "民安小区 1号楼"]
    assert got["households"].tolist() == [4, 3]
    assert got["members"].tolist() == [0, 2]
    assert got["nobody"].tolist() == [True, False]
    assert got["share"].iloc[1] == pytest.approx(2 / 3)
    assert {"lon", "lat"} <= set(got.columns)


def test_same_courtyard_text_in_two_beats_is_two_places() -> None:
    got = wechat.reach_by_building(households())
    assert len(got) == 4
    yard2 = got[(got["beat_id"] == 2) & (got["place"] == "5号院")].iloc[0]
    assert yard2["members"] == 1 and not yard2["nobody"]
    # nobody-in-a-group places first, the largest of them first
    assert got["nobody"].tolist() == [True, True, False, False]
    assert got["households"].iloc[0] == 4


def test_reach_by_beat_and_labels() -> None:
    beats = pd.DataFrame({"id": [1, 2, 3], "name": ["民安社区", "北新桥社区", "空社区"]})
    got = wechat.reach_by_beat(households(), beats)
    assert got.loc[1, "share"] == pytest.approx(2 / 7)
    assert got.loc[2, "share"] == pytest.approx(1 / 2)
    assert np.isnan(got.loc[3, "share"]) and got.loc[3, "households"] == 0
    assert got.loc[1, "places_nobody"] == 1 and got.loc[2, "places_nobody"] == 1
    zh = wechat.reach_table(got)
    assert zh["入群率（%）"].tolist()[:2] == [28.6, 50.0]
    en = wechat.reach_table(wechat.reach_by_building(households()), "en")
    assert en["nobody in a group"].tolist()[:2] == ["yes", "yes"]


def test_demo_groups_are_per_building(xueyuanlu_osm: Path) -> None:
    from geo.demo import build_demo
    from geo.network import load_area

    city = build_demo(load_area(xueyuanlu_osm), seed=7)
    hh = city.frames["households"]
    share = hh["wechat_member"].mean()
    assert 0.3 < share < 0.5
    places = wechat.reach_by_building(hh)
    # about a quarter of buildings have no group; the rest about half joined
    assert 0.1 < places["nobody"].mean() < 0.45
    joined = places[~places["nobody"] & (places["households"] >= 20)]["share"]
    assert 0.4 < joined.median() < 0.7
