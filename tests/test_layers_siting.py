"""The planner's map layers: they render, hold one feature per row, and show no personal data."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.planning import DemandWeights, beat_shares_frame, plan_cameras
from layers import MissingAssetError, to_standalone_html
from layers._features import ClassedPolygons
from layers.siting import (
    GAP_COLOR,
    NEW_COLOR,
    beat_shares_layer,
    covered_streets_layer,
    gaps_layer,
    layer_names,
    sites_layer,
    siting_legend_items,
    siting_map,
)
from tests.test_planning import tiny  # noqa: F401  (fixture)

PHONE = re.compile(r"(?<![0-9A-Za-z_.])1[3-9]\d{9}(?![0-9A-Za-z_])")


@pytest.fixture(scope="module")
def plan(tiny):  # noqa: F811
    area, frames = tiny
    return plan_cameras(area, frames, k=3, method="greedy", weights=DemandWeights(incident=0))


def _render(group: folium.FeatureGroup) -> str:
    m = folium.Map(location=[39.9, 116.3], tiles=None)
    group.add_to(m)
    return m.get_root().render()


def _features(group: folium.FeatureGroup) -> list[dict]:
    layers = [c for c in group._children.values() if isinstance(c, ClassedPolygons)]
    assert len(layers) == 1
    return layers[0].data["features"]


def _personal(frames) -> list[str]:
    hh, off = frames["households"], frames["officers"]
    return [*hh["contact_name"], *hh["contact_phone"], *off["phone"]]


def test_covered_streets_layer(plan) -> None:
    g = covered_streets_layer(plan.streets_new, name="新增", color=NEW_COLOR)
    feats = _features(g)
    assert len(feats) == len(plan.streets_new) > 0
    assert all(f["geometry"]["type"] == "LineString" for f in feats)
    lon, lat = feats[0]["geometry"]["coordinates"][0]
    assert 116 < lon < 117 and 39 < lat < 41  # drawn in WGS-84
    assert any("一号胡同" in f["properties"]["t"] for f in feats)
    html = _render(g)
    assert NEW_COLOR in html
    en = _features(covered_streets_layer(plan.streets_before, name="x", lang="en"))
    assert all(" m" in f["properties"]["t"] for f in en)
    with pytest.raises(ValueError, match="lang"):
        covered_streets_layer(plan.streets_new, name="x", lang="fr")


def test_sites_layer_numbered(plan, tiny) -> None:  # noqa: F811
    _, frames = tiny
    g = sites_layer(plan.sites, name="点位")
    markers = [c for c in g._children.values() if isinstance(c, folium.Marker)]
    assert len(markers) == len(plan.sites) == 3
    html = _render(g)
    for rank in plan.sites["rank"]:
        assert f"\\u003e{rank}\\u003c/div" in html  # the rank written in the circle
    assert html.count("L.divIcon(") == 3 and "AwesomeMarkers.icon(" not in html  # no icon font
    assert "第 1 位" in html and "一号胡同" in html
    for value in _personal(frames) + ["周水雷"]:
        assert value not in html
    assert not PHONE.search(html)


def test_gaps_and_beats_layers(plan, tiny) -> None:  # noqa: F811
    _, frames = tiny
    g = gaps_layer(plan.gaps, name="缺口")
    feats = _features(g)
    assert len(feats) == len(plan.gaps)
    assert {f["properties"]["c"] for f in feats} <= {0, 1, 2}
    assert GAP_COLOR in _render(g)
    empty = gaps_layer(plan.gaps.iloc[:0], name="缺口")
    assert _features(empty) == []
    shapes = beat_shares_frame(plan, frames["beats"])
    b = beat_shares_layer(shapes, name="警务区")
    feats = _features(b)
    assert len(feats) == 1 and feats[0]["properties"]["beat_id"] == 1
    assert "第1警务区" in feats[0]["properties"]["t"]
    assert "%" in feats[0]["properties"]["t"]


def test_siting_map_renders_without_personal_data(plan, tiny) -> None:  # noqa: F811
    area, frames = tiny
    shapes = beat_shares_frame(plan, frames["beats"])

    class _Area:  # the base map reads bounds and the vector features of an area
        name = "tiny"
        crs = area.crs
        buildings = area.buildings
        water = gpd.GeoDataFrame({"kind": []}, geometry=gpd.GeoSeries([], crs=area.crs))
        landuse = gpd.GeoDataFrame({"landuse": []}, geometry=gpd.GeoSeries([], crs=area.crs))
        bounds = tuple(float(v) for v in shapes.total_bounds)

        @staticmethod
        def edges():
            return area.edges().assign(highway="footway", access="")

        @staticmethod
        def to_wgs84(gdf):
            return gdf.to_crs(4326)

    m = siting_map(plan, _Area(), beats=shapes)
    html = m.get_root().render()
    names = layer_names("zh")
    for key in ("existing", "new", "sites", "gaps", "beats", "units"):
        assert json.dumps(names[key])[1:-1] in html or names[key] in html
    assert "L.control.layers" in html
    for value in _personal(frames) + ["周水雷"]:
        assert value not in html
    assert not PHONE.search(html)
    try:
        page = to_standalone_html(m)
    except MissingAssetError as exc:
        pytest.skip(f"Leaflet assets not installed: {exc}")
    assert '<script src="http' not in page
    items = siting_legend_items(lang="en")
    assert items[0].label.startswith("Street covered")


def test_layer_names_both_languages() -> None:
    zh, en = layer_names("zh"), layer_names("en")
    assert zh.keys() == en.keys() and zh["sites"] != en["sites"]
    assert np.all([isinstance(v, str) and v for v in en.values()])
    assert shapely is not None
