"""The coverage layers rendered to HTML: feature counts, colours by class, nothing personal."""

from __future__ import annotations

import json
import re

import folium
import numpy as np
import pandas as pd
import pytest

from geo.coverage import (
    beat_map_frame,
    coverage_table,
    coverage_view,
    heat_points,
    hex_summary,
    household_points,
    household_status,
    offices_frame,
    station_map_frame,
)
from geo.filters import Filters, with_beat
from layers import localize, to_standalone_html
from layers.beats import (
    COVERAGE_COLORS,
    NO_DATA_COLOR,
    beats_layer,
    coverage_class,
    coverage_legend_items,
    offices_layer,
    stations_layer,
)
from layers.cameras import CAMERA_COLORS, cameras_layer
from layers.coverage_map import FIT_PADDING, coverage_map, layer_names
from layers.heat import heat_layer
from layers.hexes import hexes_layer
from layers.households import STATUS_COLORS, households_layer
from tests._coverage_city import fixture_city
from tests._coverage_city import frames as city_frames

CDN = re.compile(r"https?://(cdn\.jsdelivr|cdnjs|code\.jquery|unpkg|netdna|d3js)")


def render(*groups: folium.Element) -> str:
    m = folium.Map(location=[39.99, 116.39], zoom_start=15, tiles=None)
    for g in groups:
        g.add_to(m)
    return m.get_root().render()


def points_rows(html: str) -> list[list]:
    found = re.findall(r"var rows = (\[.*?\]);\n", html)
    assert found, "no ClassedPoints data in the page"
    return [row for block in found for row in json.loads(block)]


def polygon_features(html: str) -> list[dict]:
    found = re.findall(r"L\.geoJson\((\{\"type\":\"FeatureCollection\".*?\}), \{\n", html)
    assert found, "no ClassedPolygons data in the page"
    return [f for block in found for f in json.loads(block)["features"]]


def styles_of(html: str) -> list[list[dict]]:
    return [json.loads(s) for s in re.findall(r"var styles = (\[.*?\]);\n", html)]


@pytest.fixture(scope="module")
def city():
    area, demo = fixture_city()
    f = city_frames()
    st_ = household_status(f["households"], f["visits"])
    return area, f, st_


def test_households_layer_counts_colours_and_no_personal_data(city):
    _, f, st_ = city
    hh = f["households"]
    pts = household_points(hh, st_)
    # even when handed the personal columns, the layer must not write them
    pts = pts.assign(
        contact_name=hh["contact_name"].to_numpy(), contact_phone=hh["contact_phone"].to_numpy()
    )
    beat = pts[pts["beat_id"] == 1]
    html = render(households_layer(beat, name="住户", cluster=False))
    rows = points_rows(html)
    assert len(rows) == len(beat)
    (styles,) = styles_of(html)
    from geo.coverage import STATUSES

    for row, status in zip(rows, beat["status"], strict=True):
        assert styles[row[2]]["fillColor"] == STATUS_COLORS[status]
        assert row[4]["beat_id"] == 1
    assert STATUS_COLORS["visited"] == "#1a9641" and STATUS_COLORS["unvisited"] == "#d7191c"
    assert {STATUSES[r[2]] for r in rows} <= set(STATUSES)
    for name, phone in zip(hh["contact_name"][:200], hh["contact_phone"][:200], strict=True):
        assert name not in html and phone not in html
    assert "markerClusterGroup" not in html
    # an address in a tooltip, escaped
    assert beat["address"].iloc[0] in html


def test_households_cluster_when_many(city):
    _, f, st_ = city
    pts = household_points(f["households"], st_)
    html = render(households_layer(pts, name="住户"))
    assert "L.markerClusterGroup" in html
    assert len(points_rows(html)) == len(pts)
    with pytest.raises(ValueError, match="allowed"):
        households_layer(pts.assign(status="lost"), name="x")


def test_beats_layer_choropleth(city):
    _, f, st_ = city
    by_beat = coverage_table(st_, by="beat", beats=f["beats"])
    frame = beat_map_frame(f["beats"], by_beat)
    frame.loc[frame.index[0], ["households", "visited"]] = 0
    frame.loc[frame.index[0], "coverage"] = np.nan
    html = render(beats_layer(frame, name="警务区", selected=2))
    feats = polygon_features(html)
    assert len(feats) == len(f["beats"])
    styles = styles_of(html)[0]
    by_id = frame.set_index("beat_id")
    for feat in feats:
        p = feat["properties"]
        assert p["kind"] == "beat"
        cov = by_id.loc[p["beat_id"], "coverage"]
        expected = NO_DATA_COLOR if np.isnan(cov) else COVERAGE_COLORS[coverage_class([cov])[0]]
        assert styles[p["c"]]["fillColor"] == expected
        if p["beat_id"] == 2:
            assert styles[p["c"]]["weight"] == 4  # the selected beat
        assert set(p) == {"kind", "beat_id", "c", "t"}
    assert f"{by_id.loc[3, 'coverage']:.1%}" in html
    assert "contact" not in html
    assert len(coverage_legend_items()) == 6


def test_coverage_classes():
    assert coverage_class([0.0, 0.49, 0.5, 0.7, 0.85, 0.95, 1.0]).tolist() == [0, 0, 1, 2, 3, 4, 4]


def test_stations_and_offices(city):
    _, f, _ = city
    stations = station_map_frame(f["beats"], f["stations"])
    assert len(stations) == f["beats"]["station_id"].nunique()
    offices = offices_frame(f["beats"], f["stations"])
    html = render(stations_layer(stations, name="派出所"), offices_layer(offices, name="警务室"))
    assert len(polygon_features(html)) == len(stations)
    rows = points_rows(html)
    assert len(rows) == len(f["beats"]) + len(f["stations"])
    assert sum(r[2] == 1 for r in rows) == len(f["stations"])
    with pytest.raises(ValueError, match="allowed"):
        offices_layer(offices.assign(kind="hq"), name="x")


def test_hexes_layer(city):
    _, f, st_ = city
    pts = household_points(f["households"], st_)
    hexes = hex_summary(pts, resolution=9)
    assert hexes["households"].sum() == len(pts)
    assert hexes["visited"].sum() == (pts["status"] == "visited").sum()
    html = render(hexes_layer(hexes, name="六边形"))
    feats = polygon_features(html)
    assert len(feats) == len(hexes)
    ring = feats[0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    styles = styles_of(html)[0]
    for feat, cov in zip(feats, hexes["coverage"], strict=True):
        assert (
            styles[feat["properties"]["c"]]["fillColor"]
            == COVERAGE_COLORS[coverage_class([cov])[0]]
        )


def test_cameras_layer_by_kind(city):
    _, f, _ = city
    cams = f["cameras"]
    html = render(cameras_layer(cams, name="摄录设备", cluster=False))
    rows = points_rows(html)
    assert len(rows) == len(cams)
    styles = styles_of(html)[0]
    for row, kind in zip(rows, cams["kind"], strict=True):
        assert styles[row[2]]["fillColor"] == CAMERA_COLORS[kind]
    only = render(cameras_layer(cams, name="x", kinds=("doorbell",), cluster=False))
    assert len(points_rows(only)) == int((cams["kind"] == "doorbell").sum())
    with pytest.raises(ValueError, match="allowed"):
        cameras_layer(cams, name="x", kinds=("drone",))


@pytest.mark.usefixtures("map_assets")
def test_heat_layer_aggregated_and_local(city):
    _, f, st_ = city
    pts = household_points(f["households"], st_)
    todo = pts[pts["status"] != "visited"]
    raw = heat_points(todo["lon"], todo["lat"])
    agg = heat_points(todo["lon"], todo["lat"], resolution=8)
    assert len(raw) == len(todo) and len(agg) < len(raw)
    assert agg["weight"].max() == 1.0
    m = folium.Map(tiles=None)
    heat_layer(agg, name="热力", gradient="unvisited").add_to(m)
    localize(m)
    html = m.get_root().render()
    assert "L.heatLayer" in html and "leaflet_heat.min.js" in html
    assert not CDN.search(html)
    with pytest.raises(ValueError, match="gradient"):
        heat_layer(agg, name="x", gradient="rainbow")
    empty = render(heat_layer(agg[:0], name="空"))
    assert "L.heatLayer" not in empty


@pytest.mark.usefixtures("map_assets")
def test_coverage_map_offline_and_small(city):
    area, f, _ = city
    f = dict(f)
    for name in ("incidents", "cameras"):
        f[name] = with_beat(f[name], f["beats"])
    view = coverage_view(f, Filters(start="2026-03-01", end="2026-06-30"), target_date="2026-06-30")
    m = coverage_map(view, area, selected=2, heat="incidents")
    html = m.get_root().render()
    assert not CDN.search(html), CDN.search(html)
    names = layer_names("zh")
    for key in ("beats", "households", "heat_unvisited", "heat_incidents", "offices"):
        assert names[key] in html or json.dumps(names[key])[1:-1] in html, key
    assert len(html) < 2_000_000
    standalone = to_standalone_html(coverage_map(view, area, lang="en"))
    assert "<script src=" not in standalone.replace('<script src="data:', "")
    assert "Beat coverage" in standalone and "Households" in standalone
    # hexes when the view holds more households than the point limit
    hexview = coverage_view(
        f,
        Filters(start="2026-03-01", end="2026-06-30"),
        target_date="2026-06-30",
        max_points=100,
        selected_beat=4,
    )
    assert hexview.mode == "hexes" and hexview.hexes is not None
    hex_html = coverage_map(hexview, area, selected=4).get_root().render()
    assert len(points_rows(hex_html)) >= (hexview.map_points["beat_id"] == 4).sum()
    assert json.dumps(names["hexes"])[1:-1] in hex_html or names["hexes"] in hex_html
    with pytest.raises(ValueError, match="heat"):
        coverage_map(view, area, heat="fire")


def _fit_bounds(html: str) -> list[float]:
    """The corners of the map's one ``fitBounds`` call, and that it leaves a margin."""
    (call,) = re.findall(r"fitBounds\(\s*(\[\[.*?\]\])\s*,\s*(\{.*?\})", html, re.S)
    assert json.loads(call[1]) == {"padding": list(FIT_PADDING)}, call[1]
    return [v for corner in json.loads(call[0]) for v in corner]


@pytest.mark.usefixtures("map_assets")
def test_coverage_map_fits_the_selected_beat_or_the_beats_in_view(city):
    area, f, _ = city
    f = dict(f)
    for name in ("incidents", "cameras"):
        f[name] = with_beat(f[name], f["beats"])
    window = Filters(start="2026-03-01", end="2026-06-30")
    view = coverage_view(f, window, target_date="2026-06-30")
    beat = view.beats_map[view.beats_map["beat_id"] == 2]
    west, south, east, north = beat.total_bounds
    fitted = _fit_bounds(coverage_map(view, area, selected=2).get_root().render())
    assert fitted == pytest.approx([south, west, north, east])
    # a station in the sidebar: the map frames that station's beats, not the whole area
    station = int(f["beats"]["station_id"].iloc[0])
    narrow = coverage_view(
        f,
        Filters(start="2026-03-01", end="2026-06-30", stations=(station,)),
        target_date="2026-06-30",
    )
    w, s_, e, n = f["beats"][f["beats"]["station_id"] == station].total_bounds
    fitted = _fit_bounds(coverage_map(narrow, area).get_root().render())
    assert fitted == pytest.approx([s_, w, n, e])


def test_household_points_hide_personal_columns(city):
    _, f, st_ = city
    pts = household_points(f["households"], st_)
    assert not {"contact_name", "contact_phone"} & set(pts.columns)
    assert pd.api.types.is_float_dtype(pts["lon"])
