"""geo.network: the walking filter, loading OSM XML / PBF / GraphML, and downloads (local server)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest

from geo._errors import InputError, NotFoundError, OfflineError
from geo.network import (
    DROPPED_HIGHWAYS,
    PRIVATE_ACCESS,
    WALK_HIGHWAYS,
    Area,
    download_area,
    estate_of_points,
    is_online,
    is_private_access,
    load_area,
    residential_estates,
    save_area,
    tag_text,
    walkable_edge,
    walking_filter_keep,
)
from tests.conftest import BEIJING_EXTRACTS, EXTRACTS
from tests.osm_server import OverpassServer

ox = pytest.importorskip("osmnx")

#: (west, south, east, north) of tests/data/alleys_estate.osm
ALLEYS_BBOX = (116.406, 39.939, 116.415, 39.945)
LAYER_COLUMNS = {
    "buildings": ["osm_id", "building", "levels", "name", "amenity", "shop"],
    "pois": ["osm_id", "kind", "value", "name"],
    "cameras": ["osm_id", "surveillance_type", "direction"],
    "landuse": ["landuse"],
    "water": ["kind"],
}


@pytest.fixture(scope="module")
def alleys(alleys_osm: Path) -> Area:
    return load_area(alleys_osm)


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to 127.0.0.1 never go through a proxy of the environment."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _edge_between(area: Area, a: int, b: int) -> dict:
    data = area.graph.get_edge_data(a, b)
    assert data, f"no edge {a}-{b}"
    return next(iter(data.values()))


def _check_area_contract(area: Area) -> None:
    """The attribute contract other modules code against."""
    assert area.crs.is_projected and "UTM" in area.crs.name
    assert area.graph.graph["crs"] == area.crs
    for _, d in area.graph.nodes(data=True):
        assert {"x", "y", "lon", "lat"} <= d.keys()
    for _, _, d in area.graph.edges(data=True):
        for key in ("highway", "name", "access"):
            assert isinstance(d[key], str), (key, d[key])
        assert d["geometry"].geom_type == "LineString"
        assert d["length"] == pytest.approx(d["geometry"].length)
        assert d["highway"] in WALK_HIGHWAYS and d["highway"] not in DROPPED_HIGHWAYS
    for layer, cols in LAYER_COLUMNS.items():
        gdf = getattr(area, layer)
        assert isinstance(gdf, gpd.GeoDataFrame)
        assert set(cols) <= set(gdf.columns), layer
        assert gdf.crs == area.crs, layer
    assert set(area.pois.geom_type) <= {"Point"}
    assert set(area.cameras.geom_type) <= {"Point"}
    assert set(area.buildings.geom_type) <= {"Polygon", "MultiPolygon"}
    w, s, e, n = area.bounds
    assert -180 <= w < e <= 180 and -90 <= s < n <= 90
    edges = area.edges()
    assert list(edges.columns[:6]) == ["u", "v", "highway", "name", "access", "length"]
    assert edges.crs == area.crs


# --------------------------------------------------------------------------------------------
# the walking filter


@pytest.mark.parametrize(
    ("highway", "access", "foot", "kw", "keep"),
    [
        ("footway", "", "", {}, True),
        ("path", "", "", {}, True),
        ("steps", "", "", {}, True),
        ("pedestrian", "", "", {}, True),
        ("living_street", "", "", {}, True),
        ("residential", "", "", {}, True),
        ("service", "private", "", {}, True),  # gated estate road
        ("service", "destination", "", {}, True),
        ("service", "customers", "", {}, True),
        ("footway", "private;delivery", "", {}, True),
        ("tertiary", "", "", {}, True),
        ("primary", "", "", {}, True),
        ("cycleway", "", "", {}, True),
        ("motorway", "", "", {}, False),
        ("motorway_link", "", "", {}, False),
        ("motorway", "", "yes", {}, False),
        ("trunk", "", "", {}, False),  # elevated expressways in Chinese cities
        ("trunk_link", "", "", {}, False),
        ("trunk", "", "", {"sidewalk": "both"}, True),
        ("trunk", "", "designated", {}, True),
        ("footway", "", "no", {}, False),
        ("primary", "", "use_sidepath", {}, False),
        ("service", "no", "", {}, False),
        ("service", "no", "yes", {}, True),
        ("construction", "", "", {}, False),
        ("proposed", "", "", {}, False),
        ("raceway", "", "", {}, False),
        ("bus_guideway", "", "", {}, False),
        ("platform", "", "", {}, False),
        ("pedestrian", "", "", {"area": "yes"}, True),  # a square: its outline is walkable
        ("service", "", "", {"area": "yes"}, False),
        ("", "", "", {}, False),
        (None, None, None, {}, False),
        ("made_up_value", "", "", {}, False),
        ("Footway", "PRIVATE", "", {}, True),
    ],
)
def test_walking_filter_keep(highway, access, foot, kw, keep) -> None:
    assert walking_filter_keep(highway, access, foot, **kw) is keep


def test_walking_filter_treats_nan_as_untagged() -> None:
    assert walking_filter_keep("footway", float("nan"), float("nan"))


# --------------------------------------------------------------------------------------------
# the small hand-written file


def test_small_file_network(alleys: Area) -> None:
    _check_area_contract(alleys)
    assert alleys.name == "alleys_estate"
    assert alleys.crs.to_epsg() == 32650
    assert alleys.bounds == pytest.approx(ALLEYS_BBOX)
    G = alleys.graph
    highways = {d["highway"] for _, _, d in G.edges(data=True)}
    assert "motorway" not in highways and "motorway_link" not in highways
    assert not {1060, 1061, 1062, 1063, 1064} & set(G.nodes)  # motorway, construction, foot=no
    # the estate's private and destination roads are kept
    assert _edge_between(alleys, 1003, 1050)["access"] == "private"
    assert _edge_between(alleys, 1052, 1055)["access"] == "destination"
    assert _edge_between(alleys, 1054, 1056)["highway"] == "footway"
    # the unnamed alleys are kept, with name ""
    alley = _edge_between(alleys, 1002, 1032)
    assert (alley["highway"], alley["name"]) == ("footway", "")
    assert _edge_between(alleys, 1004, 1033)["name"] == ""
    assert _edge_between(alleys, 1001, 1002)["name"] == "府学胡同"
    # walking ignores oneway=yes of 府学胡同
    assert G.has_edge(1002, 1001)
    # gates stay nodes of the network
    gates = {n for n, d in G.nodes(data=True) if d.get("barrier") == "gate"}
    assert gates == {1050, 1055}
    node = G.nodes[1001]
    assert (node["lon"], node["lat"]) == pytest.approx((116.408, 39.942))
    assert 4e5 < node["x"] < 5e5 and 4.4e6 < node["y"] < 4.5e6


def test_small_file_edges_are_undirected_segments(alleys: Area) -> None:
    edges = alleys.edges()
    assert alleys.graph.number_of_edges() == 2 * len(edges)
    pairs = {frozenset(p) for p in zip(edges["u"], edges["v"], strict=True)}
    assert len(pairs) == len(edges)
    assert (edges["length"] > 0).all()
    assert edges["length"].to_numpy() == pytest.approx(edges.geometry.length.to_numpy())
    assert alleys.edges() is edges  # cached


def test_small_file_layers(alleys: Area) -> None:
    b = alleys.buildings.set_index("osm_id")
    assert len(b) == 9
    assert b.loc["way/3004", "building"] == "apartments"
    assert b.loc["way/3004", "levels"] == 18.0
    assert b.loc["way/3002", "name"] == "1号楼"
    assert np.isnan(b.loc["way/3005", "levels"])
    assert b.loc["way/3009", "amenity"] == "restaurant"
    assert b.loc["way/3008", "shop"] == "mall"
    assert set(b["building"]) == {"apartments", "yes", "house", "retail"}
    pois = alleys.pois.set_index("osm_id")
    assert pois.loc["node/1090", ["kind", "value", "name"]].tolist() == [
        "shop",
        "convenience",
        "好邻居便利店",
    ]
    assert pois.loc["way/3009", ["kind", "value"]].tolist() == ["amenity", "restaurant"]
    restaurant = alleys.buildings.set_index("osm_id").geometry["way/3009"]
    assert restaurant.contains(pois.geometry["way/3009"])
    cam = alleys.cameras.iloc[0]
    assert len(alleys.cameras) == 1
    assert (cam["osm_id"], cam["surveillance_type"], cam["direction"]) == (
        "node/1091",
        "camera",
        90.0,
    )
    assert alleys.water["kind"].tolist() == ["pond"]
    assert sorted(alleys.landuse["landuse"]) == ["residential", "retail"]
    assert alleys.landuse.set_index("landuse").loc["residential", "name"] == "府学小区"


def test_small_file_report(alleys: Area) -> None:
    r = alleys.report()
    assert (r.nodes, r.edges) == (alleys.graph.number_of_nodes(), len(alleys.edges()))
    assert 2.0 < r.walk_km < 4.0
    assert (r.buildings, r.residential_buildings, r.pois, r.cameras) == (9, 5, 3, 1)
    assert r.private_edges == int(alleys.edges()["access"].isin(PRIVATE_ACCESS).sum()) == 8
    assert r.notes == ()
    zh = r.lines()
    assert zh == r.lines("zh")
    assert any("步行路网" in line and "公里" in line for line in zh)
    assert any("住宅 5 栋" in line for line in zh)
    en = r.lines("en")
    assert any(line.startswith("Walking network:") and "km" in line for line in en)
    assert any("Buildings: 9 (5 residential)" in line for line in en)
    with pytest.raises(InputError, match="zh"):
        r.lines("fr")


def test_estate_homes_reachable_from_the_street_only_through_private_roads(
    alleys: Area,
) -> None:
    U = alleys.graph.to_undirected()
    assert nx.is_connected(U)  # every node reachable from every other
    path = nx.shortest_path(alleys.graph, 1001, 1053, weight="length")
    assert 1050 in path or 1055 in path  # through a gate
    public = nx.Graph((u, v) for u, v, d in U.edges(data=True) if d["access"] not in PRIVATE_ACCESS)
    estate = {1051, 1052, 1053, 1054, 1056}
    assert not estate & set(public.nodes)  # no public way leads in
    assert nx.has_path(U, 1001, 1056)


def test_to_wgs84(alleys: Area) -> None:
    b = alleys.to_wgs84(alleys.buildings)
    assert b.crs.to_epsg() == 4326
    w, s, e, n = b.total_bounds
    assert ALLEYS_BBOX[0] < w < e < ALLEYS_BBOX[2] and ALLEYS_BBOX[1] < s < n < ALLEYS_BBOX[3]
    bare = gpd.GeoDataFrame(geometry=alleys.buildings.geometry.to_numpy())
    assert alleys.to_wgs84(bare).total_bounds == pytest.approx(b.total_bounds)


def test_loading_restores_osmnx_settings(alleys_osm: Path) -> None:
    before = (list(ox.settings.useful_tags_way), list(ox.settings.useful_tags_node))
    load_area(alleys_osm)
    assert (list(ox.settings.useful_tags_way), list(ox.settings.useful_tags_node)) == before


# --------------------------------------------------------------------------------------------
# errors


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="nowhere.osm"):
        load_area(tmp_path / "nowhere.osm")


def test_unknown_extension_lists_the_allowed_ones(tmp_path: Path) -> None:
    path = tmp_path / "city.shp"
    path.write_text("x")
    with pytest.raises(InputError, match=r"city\.shp.*expected one of.*\.graphml.*\.osm\.pbf"):
        load_area(path)


def test_file_without_walkable_ways(tmp_path: Path) -> None:
    path = tmp_path / "buildings_only.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">'
        '<node id="1" lat="39.94" lon="116.41"/><node id="2" lat="39.94" lon="116.411"/>'
        '<node id="3" lat="39.941" lon="116.411"/>'
        '<way id="9"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/>'
        '<tag k="building" v="yes"/></way>'
        '<way id="10"><nd ref="1"/><nd ref="3"/><tag k="highway" v="motorway"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"buildings_only\.osm.*no walkable ways"):
        load_area(path)


def test_broken_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text('<osm version="0.6"><node id="1" lat="39.9"', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.osm"):
        load_area(path)


@pytest.mark.parametrize(
    "bbox", [(1, 2, 3), (116.42, 39.93, 116.41, 39.95), (116.4, 95, 116.5, 96), "abcd"]
)
def test_bad_bbox(bbox, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="bbox"):
        download_area(bbox, cache_dir=tmp_path)


# --------------------------------------------------------------------------------------------
# GraphML and PBF


def test_graphml_round_trip(alleys: Area, tmp_path: Path) -> None:
    path = save_area(alleys, tmp_path)
    assert path == tmp_path / "alleys_estate.graphml"
    assert (tmp_path / "alleys_estate.gpkg").is_file()
    back = load_area(path)
    _check_area_contract(back)
    assert (back.name, back.source, back.crs) == (alleys.name, alleys.source, alleys.crs)
    assert back.bounds == pytest.approx(alleys.bounds)
    assert back.report() == alleys.report()
    assert sorted(back.graph.edges) == sorted(alleys.graph.edges)
    a, b = alleys.edges(), back.edges()
    assert b["length"].sum() == pytest.approx(a["length"].sum())
    assert _edge_between(back, 1003, 1050)["access"] == "private"
    assert _edge_between(back, 1002, 1032)["name"] == ""
    assert {n for n, d in back.graph.nodes(data=True) if d.get("barrier")} == {1050, 1055}
    for layer in LAYER_COLUMNS:
        x, y = getattr(alleys, layer), getattr(back, layer)
        assert list(y.columns) == list(x.columns), layer
        assert len(y) == len(x), layer
    assert back.buildings.set_index("osm_id")["levels"].to_dict() == pytest.approx(
        alleys.buildings.set_index("osm_id")["levels"].to_dict(), nan_ok=True
    )
    assert back.cameras["direction"].tolist() == [90.0]
    assert back.pois.geom_type.unique().tolist() == ["Point"]
    assert load_area(path, name="其他").name == "其他"


def test_graphml_without_sidecar_notes_it(alleys: Area, tmp_path: Path) -> None:
    path = save_area(alleys, tmp_path, stem="net")
    (tmp_path / "net.gpkg").unlink()
    back = load_area(path)
    _check_area_contract(back)
    assert back.buildings.empty and back.cameras.empty
    assert back.report().edges == alleys.report().edges
    assert any("net.gpkg" in n for n in back.report().notes)
    assert any("net.gpkg" in n for n in back.report().lines("zh"))


def test_plain_osmnx_graphml_is_filtered_and_normalised(alleys_osm: Path, tmp_path: Path) -> None:
    # a graph saved by osmnx itself: WGS-84, every way, merged attributes may be lists
    G = ox.graph_from_xml(alleys_osm, simplify=True, retain_all=True)
    path = tmp_path / "plain.graphml"
    ox.save_graphml(G, path)
    area = load_area(path)
    _check_area_contract(area)
    assert "motorway" not in set(area.edges()["highway"])
    assert any("plain.gpkg" in n for n in area.report().notes)


def test_pbf_bundled_with_pyrosm() -> None:
    pyrosm = pytest.importorskip("pyrosm")
    path = Path(pyrosm.get_data("test_pbf"))
    # the bundled test file, not a download
    assert path.is_file() and Path(pyrosm.__file__).parent in path.parents
    area = load_area(path)
    _check_area_contract(area)
    assert area.name == "test"
    assert area.crs.to_epsg() == 32635  # Finland
    r = area.report()
    assert r.nodes > 100 and r.edges > 100 and r.walk_km > 10
    assert r.buildings > 100 and r.pois > 0
    assert "motorway" not in set(area.edges()["highway"])
    assert area.buildings["osm_id"].str.match(r"^(way|relation)/\d+$").all()


def test_pbf_helsinki_cameras_and_private_roads() -> None:
    pyrosm = pytest.importorskip("pyrosm")
    area = load_area(pyrosm.get_data("helsinki_pbf"), name="Helsinki (pyrosm)")
    _check_area_contract(area)
    r = area.report()
    assert r.cameras > 10 and r.private_edges > 0
    assert (area.cameras["surveillance_type"] == "camera").any()


# --------------------------------------------------------------------------------------------
# every shared extract


def _extract_id(path: Path) -> str:
    return path.stem


_LOADED: dict[Path, tuple[Area, float]] = {}


def _load_extract(path: Path) -> tuple[Area, float]:
    """Load a shared extract once per test session; also return the seconds it took."""
    if path not in _LOADED:
        t0 = time.perf_counter()
        area = load_area(path)
        _LOADED[path] = (area, time.perf_counter() - t0)
    return _LOADED[path]


@pytest.mark.parametrize("path", EXTRACTS, ids=_extract_id)
def test_shared_extract_loads(path: Path) -> None:
    area, seconds = _load_extract(path)
    _check_area_contract(area)
    r = area.report()
    assert r.nodes > 0 and r.edges > 0 and r.walk_km > 1
    highways = set(area.edges()["highway"])
    assert not highways & {"motorway", "motorway_link", "construction", "platform"}
    assert area.name == path.stem
    if path in BEIJING_EXTRACTS:
        assert "service" in highways
        assert r.buildings > 100 and r.residential_buildings > 0 and r.pois > 0
    if path.name.startswith("beijing-chaoyang"):
        assert r.private_edges > 0  # the estate road tagged access=private
    if path.name.startswith("shanghai"):
        assert r.buildings == 0 and "no buildings in this extract" in r.notes
        assert "该数据不含建筑物" in " ".join(r.lines("zh"))
        assert (
            area.buildings.crs == area.crs
            and list(area.buildings.columns)[:6] == (LAYER_COLUMNS["buildings"])
        )
    if path.name.startswith("jiangsu"):
        assert r.buildings > 50
        assert any("no street names" in n for n in r.notes)
    assert seconds < 10, f"{path.name} took {seconds:.1f} s"


def test_shared_extract_bounds_come_from_the_file(xueyuanlu_osm: Path) -> None:
    area, _ = _load_extract(xueyuanlu_osm)
    assert area.bounds == pytest.approx((116.34403, 39.99767, 116.35974, 40.00888))


# --------------------------------------------------------------------------------------------
# downloads against a local Overpass stand-in


def test_download_from_local_server_then_from_the_cache(
    alleys: Area, alleys_osm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_proxy
) -> None:
    cache = tmp_path / "cache"
    with OverpassServer(alleys_osm) as server:
        monkeypatch.setattr(ox.settings, "overpass_url", server.url)
        assert is_online()
        assert is_online(server.url)
        area = download_area(ALLEYS_BBOX, cache_dir=cache, name="府学胡同一带")
        posts = [r for r in server.requests if r[0] == "POST"]
        assert len(posts) == 2  # the network, then the features
    _check_area_contract(area)
    assert area.name == "府学胡同一带"
    assert area.source == "download:116.406000,39.939000,116.415000,39.945000"
    assert area.bounds == pytest.approx(ALLEYS_BBOX)
    assert area.report() == alleys.report()
    assert sorted(area.graph.edges) == sorted(alleys.graph.edges)
    assert sorted(p.name for p in cache.glob("*.graphml")) == [
        "osm_116.406000_39.939000_116.415000_39.945000.graphml"
    ]
    # osmnx's HTTP cache went to the cache folder, not the working directory
    assert list((cache / "overpass-http").glob("*.json"))
    assert ox.settings.cache_folder == "./cache"

    # the server is gone: the second call is served from the cache
    assert not is_online(timeout=0.5)
    again = download_area(ALLEYS_BBOX, cache_dir=cache)
    assert again.report() == area.report()
    assert again.source == area.source and again.name == "府学胡同一带"


def test_download_offline_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_proxy) -> None:
    url = f"http://127.0.0.1:{_free_port()}/api"
    monkeypatch.setattr(ox.settings, "overpass_url", url)
    assert not is_online(timeout=0.5)
    with pytest.raises(OfflineError, match="unreachable"):
        download_area(ALLEYS_BBOX, cache_dir=tmp_path)
    assert not list(tmp_path.glob("*.graphml"))


def test_download_empty_box_says_so(
    alleys_osm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_proxy
) -> None:
    with OverpassServer(alleys_osm) as server:
        monkeypatch.setattr(ox.settings, "overpass_url", server.url)
        with pytest.raises(InputError, match="no walkable ways"):
            download_area((116.5, 39.9, 116.51, 39.91), cache_dir=tmp_path)


@pytest.mark.slow
def test_download_part_of_a_shared_extract(
    xueyuanlu_osm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_proxy
) -> None:
    bbox = (116.348, 40.000, 116.356, 40.006)
    with OverpassServer(xueyuanlu_osm) as server:
        monkeypatch.setattr(ox.settings, "overpass_url", server.url)
        area = download_area(bbox, cache_dir=tmp_path)
    _check_area_contract(area)
    r = area.report()
    assert r.edges > 50 and r.buildings > 20 and r.pois > 0
    assert "service" in set(area.edges()["highway"])
    full = _load_extract(xueyuanlu_osm)[0].report()
    assert r.walk_km < full.walk_km and r.buildings < full.buildings


# --------------------------------------------------------------------------------------------
# one walkability rule: the loader and everything that walks a graph agree

#: spokes of a star around node 1: (way id, tags, walkable under the one rule)
SPOKES = [
    (101, {"highway": "footway"}, True),
    (102, {"highway": "trunk"}, False),  # elevated expressway: no sidewalk tagged
    (103, {"highway": "trunk", "sidewalk": "both"}, True),
    (104, {"highway": "motorway"}, False),
    (105, {"highway": "service", "access": "private"}, True),  # estate road
    (106, {"highway": "residential", "access": "permissive"}, True),  # public
    (107, {"highway": "path", "access": "no"}, False),
    (108, {"highway": "path", "access": "no", "foot": "yes"}, True),
    (109, {"highway": "tertiary", "foot": "no"}, False),
    (110, {"highway": "construction"}, False),
    (111, {"highway": "primary", "sidewalk": "no"}, True),  # Chinese streets have sidewalks
]


def _star_osm(path: Path) -> Path:
    """An OSM file of the spokes, each a way from the hub (node 1) about 110 m out."""
    lon0, lat0 = 116.4000, 39.9000
    nodes = [f'<node id="1" lat="{lat0}" lon="{lon0}"/>']
    ways = []
    for k, (wid, tags, _) in enumerate(SPOKES):
        angle = 2 * np.pi * k / len(SPOKES)
        lon, lat = lon0 + 0.0013 * np.cos(angle), lat0 + 0.001 * np.sin(angle)
        nid = 1000 + k
        nodes.append(f'<node id="{nid}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
        tag_xml = "".join(f'<tag k="{a}" v="{b}"/>' for a, b in tags.items())
        ways.append(f'<way id="{wid}"><nd ref="1"/><nd ref="{nid}"/>{tag_xml}</way>')
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        f'<bounds minlat="{lat0 - 0.002}" minlon="{lon0 - 0.002}" maxlat="{lat0 + 0.002}" '
        f'maxlon="{lon0 + 0.002}"/>\n' + "\n".join(nodes + ways) + "\n</osm>\n",
        encoding="utf-8",
    )
    return path


def test_walkable_edge_is_the_loader_rule_on_edge_attributes() -> None:
    for _, tags, walkable in SPOKES:
        assert walkable_edge(0, 1, tags) is walkable, tags
        keep = walking_filter_keep(
            tags.get("highway"), tags.get("access"), tags.get("foot"), sidewalk=tags.get("sidewalk")
        )
        assert keep is walkable, tags
    # a merged edge's list of highway values is judged by its most walk-relevant one
    assert walkable_edge(0, 1, {"highway": ["residential", "service"]})
    assert not walkable_edge(0, 1, {"highway": ["footway", "motorway"]})


def test_private_access_values() -> None:
    assert is_private_access("private") and is_private_access("destination;delivery")
    assert not is_private_access("permissive") and not is_private_access("")
    assert not is_private_access(None) and not is_private_access("yes")
    assert {"private", "destination", "customers", "delivery", "residents", "permit"} == set(
        PRIVATE_ACCESS
    )


def test_loader_and_evening_planner_walk_the_same_ways(tmp_path: Path) -> None:
    from geo.evening import beat_network

    area = load_area(_star_osm(tmp_path / "star.osm"))
    expected = {wid for wid, _, walkable in SPOKES if walkable}
    loaded = {int(d["osmid"]) for _, _, d in area.graph.edges(data=True)}
    assert loaded == expected
    # the trunk road with a sidewalk keeps what makes it walkable on the loaded graph
    assert all(walkable_edge(u, v, d) for u, v, d in area.graph.edges(data=True))
    net = beat_network(area)
    assert net.index.n_edges == len(area.edges()) == len(expected)
    private = dict(zip(net.edge_highway + "/" + net.edge_access, net.edge_private, strict=True))
    assert private["service/private"] and not private["residential/permissive"]
    # and the report counts the same private roads
    assert area.report().private_edges == 1


def test_tag_text() -> None:
    assert tag_text(None) == "" and tag_text(float("nan")) == ""
    assert (
        tag_text([" 府学胡同", None, "府学胡同", "分司厅胡同"], sep="；") == "府学胡同；分司厅胡同"
    )
    assert tag_text(np.array(["a", "b"])) == "a;b" and tag_text("  Foot ") == "Foot"


def test_residential_estates_and_points(alleys: Area) -> None:
    estates = residential_estates(alleys)
    assert "府学小区" in set(estates["name"])
    centre = estates.geometry.iloc[0].representative_point()
    far = (centre.x + 10_000.0, centre.y)
    rows = estate_of_points(estates, np.array([[centre.x, centre.y], far]))
    assert rows.tolist() == [0, -1]
