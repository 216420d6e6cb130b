"""The offline base map: local assets only, vector layers matching the area, tiles on request.

Most tests use a tiny stand-in area built with geopandas (same attributes as
``geo.network.Area``); the real small OSM file and the shared extracts go through
``geo.network.load_area``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import branca.colormap
import folium
import folium.plugins
import geopandas as gpd
import pytest
import streamlit_folium
from shapely.geometry import LineString, Polygon

import layers.assets as assets
from layers import (
    MissingAssetError,
    OfflineMap,
    base_features,
    base_map,
    collect_links,
    localize,
    static_url,
    to_standalone_html,
)
from layers.basemap import VectorLayer, street_class
from layers.legend import OPEN_MIN_WIDTH, Legend, LegendItem, legend_html
from tests.conftest import DATA, EXTRACTS

# the maps need Leaflet and its plugins under static/ (a fresh checkout has none: skip, saying how)
pytestmark = pytest.mark.usefixtures("map_assets")

CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "cdnjs.cloudflare.com",
    "code.jquery.com",
    "netdna.bootstrapcdn.com",
    "unpkg.com",
    "d3js.org",
    "teastman.github.io",
)
UTM50 = "EPSG:32650"  # Beijing
X0, Y0 = 449_000.0, 4_420_000.0


# --------------------------------------------------------------------------------------------
# a stand-in area


@dataclass
class _Report:
    nodes: int
    edges: int
    walk_km: float
    buildings: int

    def lines(self, lang: str = "zh") -> list[str]:
        return [f"edges {self.edges}", f"buildings {self.buildings}"]


@dataclass
class StandInArea:
    """The attributes of geo.network.Area that the base map uses."""

    name: str
    crs: str
    street_edges: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame = field(default_factory=lambda: gpd.GeoDataFrame(geometry=[]))
    cameras: gpd.GeoDataFrame = field(default_factory=lambda: gpd.GeoDataFrame(geometry=[]))
    graph: Any = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        w, s, e, n = self.street_edges.to_crs(4326).total_bounds
        return (float(w), float(s), float(e), float(n))

    def edges(self) -> gpd.GeoDataFrame:
        return self.street_edges.copy()

    def to_wgs84(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return gdf.to_crs(4326)

    def report(self) -> _Report:
        return _Report(0, len(self.street_edges), 0.0, len(self.buildings))


def _line(*pts: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in pts])


def _box(x: float, y: float, w: float, h: float) -> Polygon:
    return Polygon(
        [(X0 + x, Y0 + y), (X0 + x + w, Y0 + y), (X0 + x + w, Y0 + y + h), (X0 + x, Y0 + y + h)]
    )


@pytest.fixture(scope="module")
def area() -> StandInArea:
    """Two-way streets (each stored in both directions, as in a walking network)."""
    streets = [
        # u, v, highway, name, access, geometry
        (1, 2, "secondary", "交道口南大街", None, _line((0, 0), (0, 400))),
        (3, 4, "residential", "北锣鼓巷", None, _line((100, 0), (100, 400))),
        (5, 6, "footway", "", None, _line((0, 200), (100, 200))),
        (7, 8, ["footway", "living_street"], "前鼓楼苑胡同", None, _line((100, 100), (200, 100))),
        (9, 10, "service", "", "private", _line((200, 0), (200, 300), (260, 300))),
        (11, 12, "path", None, None, _line((260, 300), (300, 380))),
    ]
    rows = []
    for u, v, hw, name, access, geom in streets:
        rows.append((u, v, hw, name, access, geom.length, geom))
        rows.append((v, u, hw, name, access, geom.length, geom.reverse()))
    edges = gpd.GeoDataFrame(
        rows, columns=["u", "v", "highway", "name", "access", "length", "geometry"], crs=UTM50
    )
    buildings = gpd.GeoDataFrame(
        {
            "building": ["house", "apartments", "yes", "yes"],
            "levels": [1, 6, None, 2],
            "geometry": [
                _box(10, 10, 20, 15),
                _box(120, 120, 40, 20),
                _box(210, 20, 30, 30),
                Polygon(),  # an empty footprint is dropped
            ],
        },
        crs=UTM50,
    )
    water = gpd.GeoDataFrame(
        {
            "kind": ["pond", "canal"],
            "geometry": [_box(30, 250, 50, 40), _line((0, 420), (300, 420))],
        },
        crs=UTM50,
    )
    landuse = gpd.GeoDataFrame(
        {
            "landuse": ["residential", "grass", "commercial"],
            "name": ["小区", None, None],
            "geometry": [_box(190, -10, 120, 330), _box(20, 300, 60, 60), _box(0, 0, 5, 5)],
        },
        crs=UTM50,
    )
    return StandInArea("测试区", UTM50, edges, buildings, water, landuse)


def _vector_layers(m: folium.Map, group_name: str) -> list[VectorLayer]:
    groups = [
        c
        for c in m._children.values()
        if isinstance(c, folium.FeatureGroup) and c.layer_name == group_name
    ]
    assert len(groups) == 1, f"one feature group {group_name!r} expected"
    return [c for c in groups[0]._children.values() if isinstance(c, VectorLayer)]


def _n_features(m: folium.Map, group_name: str) -> int:
    return sum(len(layer.data["features"]) for layer in _vector_layers(m, group_name))


def _loaded_urls(html: str) -> list[str]:
    """Every URL the page would fetch: script src, link href, CSS url() and @import."""
    urls = re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']([^\"']+)", html, flags=re.I)
    urls += re.findall(r"<link[^>]*\bhref\s*=\s*[\"']([^\"']+)", html, flags=re.I)
    urls += re.findall(r"url\(\s*[\"']?([^\"')]+)", html)
    urls += re.findall(r"@import\s+[\"']([^\"']+)", html)
    return [u for u in urls if not u.startswith(("data:", "#"))]


def _assert_offline(html: str, *, local_prefix: str = "/app/static/") -> None:
    for host in CDN_HOSTS:
        assert host not in html, f"{host} still in the page"
    for url in _loaded_urls(html):
        assert url.startswith(local_prefix), f"page loads {url}"
        path = assets.STATIC_DIR / url[len(local_prefix) :]
        assert path.is_file(), f"{url} is not installed at {path}"


def _st_folium_args(m: folium.Map, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What streamlit_folium.st_folium would send to its component for this map."""
    captured: dict[str, Any] = {}

    def fake_component(**kwargs: Any) -> None:
        captured.update(kwargs)

    monkeypatch.setattr(streamlit_folium, "_component_func", fake_component)
    streamlit_folium.st_folium(m, key="test_map", returned_objects=[], height=500)
    return captured


# --------------------------------------------------------------------------------------------
# assets


def test_default_map_loads_nothing_from_outside(area: StandInArea) -> None:
    m = base_map(area)
    html = m.get_root().render()
    _assert_offline(html)
    js, css = collect_links(m)
    assert js[0] == "/app/static/node_modules/leaflet/dist/leaflet.js"
    assert "/app/static/node_modules/leaflet/dist/leaflet.css" in css
    for url in js + css:
        assert url.startswith("/app/static/"), url


def test_st_folium_gets_only_local_links(
    area: StandInArea, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = base_map(area)
    folium.plugins.MarkerCluster().add_to(m)
    folium.plugins.HeatMap([[39.93, 116.41, 2.0]]).add_to(m)
    folium.plugins.Fullscreen().add_to(m)
    folium.LayerControl().add_to(m)
    args = _st_folium_args(m, monkeypatch)
    links = args["js_links"] + args["css_links"]
    assert any(u.endswith("leaflet.markercluster.js") for u in links)
    assert any(u.endswith("leaflet_heat.min.js") for u in links)
    assert any(u.endswith("Control.FullScreen.js") for u in links)
    for url in links:
        assert url.startswith("/app/static/"), url
        assert (assets.STATIC_DIR / url.removeprefix("/app/static/")).is_file(), url
    for part in ("header", "html", "script"):
        for host in CDN_HOSTS:
            assert host not in (args[part] or ""), f"{host} in st_folium {part}"


def test_localize_plain_folium_map_and_keeps_folium_defaults() -> None:
    cdn_before = list(folium.Map.default_js)
    m = folium.Map(location=[39.94, 116.41], tiles=None)
    folium.Marker([39.94, 116.41], popup="x").add_to(m)
    m.get_root().render()  # an earlier render left CDN links in the header
    localize(m, static_url="/beatmap/app/static/")
    _assert_offline(m.get_root().render(), local_prefix="/beatmap/app/static/")
    assert folium.Map.default_js == cdn_before, "the class-level CDN lists must stay untouched"
    assert static_url("beatmap") == "/beatmap/app/static/"


def test_icon_fonts_only_with_icons(area: StandInArea) -> None:
    m = base_map(area)
    js, css = collect_links(m.get_root().render() and m)
    assert not any("fontawesome" in u or "awesome-markers" in u for u in js + css)
    m2 = base_map(area)
    folium.Marker([39.93, 116.41], icon=folium.Icon(icon="home", prefix="fa")).add_to(m2)
    m2.get_root().render()
    js, css = collect_links(m2)
    assert any("fontawesome-free/css/all.min.css" in u for u in css)
    assert any("leaflet.awesome-markers" in u for u in js)
    fonts = assets.STATIC_DIR / "node_modules/@fortawesome/fontawesome-free/webfonts"
    assert (fonts / "fa-solid-900.woff2").is_file(), "Font Awesome's webfonts must be served too"


def test_unknown_plugin_names_the_fix() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.Draw().add_to(m)
    with pytest.raises(MissingAssetError, match=r"static/package\.json"):
        localize(m)


def test_missing_install_names_the_command(
    area: StandInArea, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(assets, "STATIC_DIR", tmp_path)
    with pytest.raises(MissingAssetError, match=re.escape(assets.INSTALL_COMMAND)):
        base_map(area).get_root().render()


def test_branca_colormap_is_refused() -> None:
    m = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["red", "blue"]).add_to(m)
    with pytest.raises(MissingAssetError, match="layers.legend"):
        localize(m)


def test_inline_mode_embeds_leaflet(area: StandInArea) -> None:
    m = base_map(area)
    folium.Marker([39.93, 116.41]).add_to(m)
    m.get_root().render()  # first served, as in the app
    html = to_standalone_html(m)
    leaflet = (assets.STATIC_DIR / "node_modules/leaflet/dist/leaflet.js").read_text()
    assert leaflet[:200] in html, "Leaflet's code is not in the page"
    assert re.search(r"<script[^>]*\bsrc=", html) is None
    assert re.search(r"<link[^>]*stylesheet", html) is None
    assert "/app/static/" not in html
    assert _loaded_urls(html) == []
    assert "L.Icon.Default.imagePath = ''" in html
    assert m.asset_mode == "served", "the map still works in st_folium afterwards"


# --------------------------------------------------------------------------------------------
# vector layers and tiles


def test_feature_counts_match_the_area(area: StandInArea) -> None:
    feats = base_features(area)
    undirected = len(area.street_edges) // 2
    assert feats.counts == {"streets": undirected, "buildings": 3, "water": 2, "landuse": 2}
    m = base_map(area, lang="zh")
    assert _n_features(m, "街巷") == undirected
    assert _n_features(m, "建筑") == 3
    assert _n_features(m, "水系") == 2
    assert _n_features(m, "用地") == 2
    en = base_map(area, lang="en")
    assert _n_features(en, "Streets") == undirected


def test_street_classes_and_styles(area: StandInArea) -> None:
    props = [f["properties"] for f in base_features(area).streets["features"]]
    by_name = {p["name"]: p for p in props if p["name"]}
    assert by_name["交道口南大街"]["cls"] == "main"
    assert by_name["前鼓楼苑胡同"]["cls"] == "street"
    assert [p["private"] for p in props].count(True) == 1
    styles = [layer.options["style"] for layer in _vector_layers(base_map(area), "街巷")]
    weights = {s["weight"] for s in styles}
    assert max(weights) >= 4 and min(weights) <= 1.5, "main streets thick, paths thin"
    assert any("dashArray" in s for s in styles), "private estate roads are dashed"
    assert street_class(["service", "primary"]) == "main"
    assert street_class(float("nan")) == "path"


def test_coordinates_rounded_and_simplified(area: StandInArea) -> None:
    html = base_map(area).get_root().render()
    decimals = [len(d) for d in re.findall(r"\d+\.(\d+)", html.split("L.geoJson(", 1)[1][:5000])]
    assert decimals and max(decimals) <= 6


def test_no_tiles_by_default(area: StandInArea) -> None:
    html = base_map(area).get_root().render()
    assert "L.tileLayer" not in html
    assert "tile.openstreetmap.org" not in html
    assert "background: #f2efe9" in html


def test_tiles_from_a_template(area: StandInArea) -> None:
    template = "http://10.1.2.3/tiles/{z}/{x}/{y}.png"
    m = base_map(area, tiles=template, attribution="公安内网瓦片")
    html = m.get_root().render()
    assert "L.tileLayer" in html and template in html
    assert not any(isinstance(c, folium.FeatureGroup) for c in m._children.values())
    both = base_map(area, tiles=template, attribution="x", vectors=True)
    assert _n_features(both, "建筑") == 3
    assert "L.tileLayer" in both.get_root().render()
    assert "L.tileLayer" not in base_map(area, tiles="none").get_root().render()


def test_base_map_is_offline_map_and_fits_bounds(area: StandInArea) -> None:
    m = base_map(area)
    assert isinstance(m, OfflineMap)
    html = m.get_root().render()
    assert "fitBounds" in html
    w, s, e, n = area.bounds
    m2 = base_map(area, location=((s + n) / 2, (w + e) / 2), zoom_start=17)
    assert "fitBounds" not in m2.get_root().render()


def test_legend_is_plain_html() -> None:
    html = legend_html(
        [LegendItem("<b>建筑</b>", "#999"), LegendItem("小区道路", "#888", "line", dash="5 4")],
        title="图例",
    )
    assert "&lt;b&gt;建筑&lt;/b&gt;" in html
    assert 'stroke-dasharray="5 4"' in html
    assert "http" not in html
    # a titled legend folds to its title; the map decides whether it starts open
    assert html.startswith('<details class="beatmap-legend" open') and "<summary" in html
    assert " open" not in legend_html([LegendItem("水系", "#39f")], title="图例", open_=False)[:40]
    assert legend_html([LegendItem("水系", "#39f")]).startswith('<div class="beatmap-legend"')
    m = folium.Map(tiles=None)
    Legend([LegendItem("水系", "#39f")], title="图例").add_to(m)
    Legend([LegendItem("建筑", "#999")], title="底图", collapsed=True).add_to(m)
    page = m.get_root().render()
    assert page.count("map.getSize().x >= " + str(OPEN_MIN_WIDTH)) == 2
    assert page.count("if (box && true)") == 1 and page.count("if (box && false)") == 1


# --------------------------------------------------------------------------------------------
# real OSM files


def _load_real(path: Path):
    from geo.network import load_area

    if not path.is_file():
        pytest.skip(f"{path} not found")
    return load_area(path)


def _check_real(area, monkeypatch: pytest.MonkeyPatch) -> int:
    feats = base_features(area)
    edges = area.edges()
    assert 0 < feats.counts["streets"] <= len(edges)
    assert feats.counts["buildings"] == int((~area.buildings.geometry.is_empty).sum())
    assert feats.counts["water"] == int((~area.water.geometry.is_empty).sum())
    m = base_map(area, features=feats)
    folium.LayerControl().add_to(m)
    html = m.get_root().render()
    _assert_offline(html)
    args = _st_folium_args(base_map(area, features=feats), monkeypatch)
    for url in args["js_links"] + args["css_links"]:
        assert url.startswith("/app/static/"), url
    return len(html.encode("utf-8"))


def test_small_osm_file(monkeypatch: pytest.MonkeyPatch) -> None:
    area = _load_real(DATA / "alleys_estate.osm")
    _check_real(area, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("path", EXTRACTS, ids=[p.stem for p in EXTRACTS])
def test_shared_extract(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    area = _load_real(path)
    size = _check_real(area, monkeypatch)
    print(f"\nbase map HTML of {path.name}: {size / 1024:.0f} KiB")
    assert size < 3 * 1024 * 1024, "base map page too large"


def test_shared_extracts_present(shared_osm: Path) -> None:
    """Skips with a reason when ../shared/osm is absent (the extract tests then do not run)."""
    assert EXTRACTS, f"no .osm files in {shared_osm}"
