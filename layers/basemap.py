"""The base map every BeatMap page draws on.

With no tile server (the default on an air-gapped police network) the base map is drawn from the
loaded OSM area itself: streets by class (main streets thick, alleys and footways thin, private
estate roads dashed), buildings, water and land use, each a :class:`folium.FeatureGroup` that a
page can switch in a :class:`folium.LayerControl`. With a tile URL template (online OSM tiles or
an intranet tile server) the tiles are drawn instead, or under the vectors.

Geometries are simplified in the area's metric CRS and rounded to 6 decimals (about 0.1 m) to
keep the page small. The vector layers sit in their own map panes below Leaflet's overlay pane,
so whatever a page adds (households, routes, beats) is always drawn above them.

The returned map is an :class:`layers.assets.OfflineMap`: it loads Leaflet from BeatMap's own
static files, never from a CDN.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import CustomPane, Layer
from folium.template import Template

from geo.i18n import Catalogue
from geo.network import is_private_access, tag_text
from layers.assets import DEFAULT_STATIC_URL, OfflineMap
from layers.legend import Legend, LegendItem

__all__ = [
    "BACKGROUND",
    "BaseFeatures",
    "base_features",
    "base_map",
    "basemap_legend_items",
    "street_class",
]

#: map background where no tiles are drawn (OSM's land colour)
BACKGROUND = "#f2efe9"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"

MAIN_HIGHWAYS = frozenset(
    {"motorway", "trunk", "primary", "secondary", "tertiary"}
    | {f"{h}_link" for h in ("motorway", "trunk", "primary", "secondary", "tertiary")}
)
STREET_HIGHWAYS = frozenset({"residential", "unclassified", "living_street", "road", "busway"})
SERVICE_HIGHWAYS = frozenset({"service"})
#: everything else walkable is a path: footway, path, pedestrian, steps, cycleway, track, ...
GREEN_LANDUSE = frozenset(
    {
        "grass",
        "park",
        "forest",
        "meadow",
        "recreation_ground",
        "village_green",
        "garden",
        "cemetery",
        "orchard",
        "allotments",
        "greenfield",
        "wood",
        "scrub",
        "pitch",
        "playground",
    }
)

#: street class -> (colour, weight in px); private roads are the same, dashed
STREET_STYLE: dict[str, tuple[str, float]] = {
    "main": ("#d08c4c", 5.0),
    "street": ("#8e8e8e", 3.0),
    "service": ("#a9a9a9", 2.0),
    "path": ("#a48a73", 1.4),
}
PRIVATE_DASH = "5 4"
BUILDING_STYLE = {"color": "#b9aea3", "weight": 0.6, "fillColor": "#d9d0c9", "fillOpacity": 1.0}
WATER_STYLE = {"color": "#86b6cc", "weight": 1.0, "fillColor": "#aad3df", "fillOpacity": 1.0}
GREEN_STYLE = {"color": "#b5d29f", "weight": 0.5, "fillColor": "#cde6b8", "fillOpacity": 0.9}
ESTATE_STYLE = {
    "color": "#c4b8a8",
    "weight": 1.0,
    "dashArray": "2 3",
    "fillColor": "#ebe5dc",
    "fillOpacity": 0.8,
}

#: pane name -> z-index; all below Leaflet's overlayPane (400), above tilePane (200)
PANES = {"bm-land": 310, "bm-water": 320, "bm-buildings": 330, "bm-streets": 340}

#: texts of this module: key -> (Chinese, English)
T = Catalogue(
    {
        "streets": ("街巷", "Streets"),
        "buildings": ("建筑", "Buildings"),
        "water": ("水系", "Water"),
        "landuse": ("用地", "Land use"),
        "tiles": ("瓦片底图", "Tiles"),
        "legend": ("图例", "Legend"),
        "main": ("主要道路", "Main street"),
        "street": ("街道、胡同", "Street, hutong"),
        "service": ("辅路、内部道路", "Service road"),
        "path": ("小路、步道", "Footway, path"),
        "private": ("小区内部道路（不对外）", "Private estate road"),
        "green": ("绿地", "Green space"),
        "estate": ("居住区", "Residential area"),
    }
)


class AreaLike(Protocol):
    """What the base map needs from a :class:`geo.network.Area`."""

    name: str
    bounds: tuple[float, float, float, float]
    buildings: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame

    def edges(self) -> gpd.GeoDataFrame: ...

    def to_wgs84(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame: ...


@dataclass
class BaseFeatures:
    """The vector base layers of an area as GeoJSON FeatureCollections in WGS-84.

    Attributes
    ----------
    streets : dict
        One feature per undirected street edge, properties ``cls`` (main, street, service,
        path), ``private`` (bool) and ``name`` (str, may be empty).
    buildings : dict
        One feature per building footprint, no properties.
    water : dict
        One feature per water polygon or line, property ``kind``.
    landuse : dict
        Green spaces and residential areas, property ``kind`` ("green" or "estate").
    """

    streets: dict[str, Any]
    buildings: dict[str, Any]
    water: dict[str, Any]
    landuse: dict[str, Any] = field(default_factory=lambda: _collection([]))

    @property
    def counts(self) -> dict[str, int]:
        """Number of features per layer."""
        return {
            name: len(getattr(self, name)["features"])
            for name in ("streets", "buildings", "water", "landuse")
        }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def street_class(highway: object) -> str:
    """The drawing class of an OSM ``highway`` value.

    Parameters
    ----------
    highway : str or list of str
        The tag value; a simplified OSMnx edge may carry a list (the most important wins).

    Returns
    -------
    str
        ``"main"``, ``"street"``, ``"service"`` or ``"path"``.

    Examples
    --------
    >>> street_class("secondary_link"), street_class(["footway", "residential"])
    ('main', 'street')
    """
    values = highway if isinstance(highway, list | tuple | set | np.ndarray) else [highway]
    values = {
        str(v) for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))
    }
    if values & MAIN_HIGHWAYS:
        return "main"
    if values & STREET_HIGHWAYS:
        return "street"
    if values & SERVICE_HIGHWAYS:
        return "service"
    return "path"


def _is_private(access: object) -> bool:
    """Drawn dashed: estate roads (:func:`geo.network.is_private_access`) and ``access=no``
    ways that a foot permission keeps in the walking network."""
    return is_private_access(access) or "no" in tag_text(access).lower().split(";")


def _prepare(area: AreaLike, gdf: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify in the metric CRS, reproject to WGS-84, round to 6 decimals, drop empties."""
    if gdf is None or gdf.empty:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    geoms = gdf.geometry.to_numpy()
    gdf = gdf[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if tolerance > 0:
        gdf = gdf.set_geometry(gdf.geometry.simplify(tolerance, preserve_topology=True))
    gdf = area.to_wgs84(gdf)
    geoms = shapely.transform(gdf.geometry.to_numpy(), lambda xy: np.round(xy, 6))
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    return gdf[~gdf.geometry.is_empty]


def _features(
    gdf: gpd.GeoDataFrame, properties: Iterable[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    geoms = gdf.geometry.to_numpy()
    props: Iterable[dict[str, Any]] = properties if properties is not None else ({} for _ in geoms)
    return [
        {"type": "Feature", "properties": p, "geometry": shapely.geometry.mapping(g)}
        for g, p in zip(geoms, props, strict=True)
        if g is not None and not g.is_empty
    ]


def _unique_edges(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per undirected edge: a walking network holds each street in both directions."""
    if edges.empty:
        return edges
    lo = np.minimum(edges["u"].to_numpy(), edges["v"].to_numpy())
    hi = np.maximum(edges["u"].to_numpy(), edges["v"].to_numpy())
    shape = shapely.to_wkb(shapely.normalize(edges.geometry.to_numpy()))
    key = pd.DataFrame({"lo": lo, "hi": hi, "shape": shape}, index=edges.index)
    return edges[~key.duplicated().to_numpy()]


def base_features(area: AreaLike, *, tolerance: float = 1.0) -> BaseFeatures:
    """The vector base layers of an area, simplified, in WGS-84.

    Parameters
    ----------
    area : geo.network.Area
        The loaded OSM area (layers in a metric CRS).
    tolerance : float
        Simplification tolerance in metres (0 keeps every vertex).

    Returns
    -------
    BaseFeatures
    """
    edges = _unique_edges(area.edges())
    edges = _prepare(area, edges, tolerance)
    cols = edges.columns
    street_props = [
        {
            "cls": street_class(row.get("highway")),
            "private": _is_private(row.get("access")) if "access" in cols else False,
            "name": tag_text(row.get("name"), sep="；") if "name" in cols else "",
        }
        for row in edges.drop(columns="geometry").to_dict("records")
    ]
    streets = _collection(_features(edges, street_props))

    buildings = _collection(_features(_prepare(area, area.buildings, tolerance)))

    water = _prepare(area, area.water, tolerance)
    kinds = (
        water["kind"].map(tag_text) if "kind" in water.columns else pd.Series("", index=water.index)
    )
    water_fc = _collection(_features(water, ({"kind": k} for k in kinds)))

    land = area.landuse
    land_fc = _collection([])
    if land is not None and not land.empty and "landuse" in land.columns:
        value = land["landuse"].map(tag_text)
        leisure = (
            land["leisure"].map(tag_text) if "leisure" in land.columns else value.map(lambda _: "")
        )
        kind = np.where(
            value.isin(GREEN_LANDUSE) | leisure.isin(GREEN_LANDUSE),
            "green",
            np.where(value == "residential", "estate", ""),
        )
        keep = land[kind != ""].copy()
        keep["kind"] = kind[kind != ""]
        keep = keep[keep.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        keep = _prepare(area, keep, tolerance)
        land_fc = _collection(_features(keep, ({"kind": k} for k in keep["kind"])))

    return BaseFeatures(streets=streets, buildings=buildings, water=water_fc, landuse=land_fc)


class VectorLayer(Layer):
    """A GeoJSON layer with one fixed style, drawn in a given map pane.

    Lighter than :class:`folium.GeoJson` for base layers: the data is written once in compact
    JSON, with no per-feature ids or style switch.

    Parameters
    ----------
    data : dict
        GeoJSON FeatureCollection in WGS-84.
    style : dict
        Leaflet path options (``color``, ``weight``, ``fillColor``, ``dashArray``, ...).
    pane : str
        Map pane the features are drawn in.
    tooltip_property : str, optional
        Show this property as a sticky tooltip (features without it get none).
    attribution : str, optional
        Attribution shown while the layer is on the map.
    name : str, optional
        Layer name.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJson({{ this.data_js }}, {{ this.options|tojavascript }});
            {%- if this.tooltip_property %}
            {{ this.get_name() }}.eachLayer(function (layer) {
                var text = layer.feature.properties[{{ this.tooltip_property|tojson }}];
                if (text) { layer.bindTooltip(String(text), {sticky: true}); }
            });
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        style: dict[str, Any],
        pane: str,
        tooltip_property: str | None = None,
        attribution: str | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=False, show=True)
        self._name = "VectorLayer"
        self.data = data
        self.data_js = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace(
            "</", "<\\/"
        )
        interactive = tooltip_property is not None
        self.options = {
            "style": style,
            "pane": pane,
            "interactive": interactive,
            "bubblingMouseEvents": not interactive,
            **({"attribution": attribution} if attribution else {}),
        }
        self.tooltip_property = tooltip_property


class _MetricScale(MacroElement):
    """A metric-only scale bar."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, maxWidth: 120}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


def _subset(fc: dict[str, Any], keep: Any) -> dict[str, Any]:
    return _collection([f for f in fc["features"] if keep(f["properties"])])


def basemap_legend_items(
    *, lang: str = "zh", features: BaseFeatures | None = None
) -> list[LegendItem]:
    """Legend rows of the vector base map.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the labels.
    features : BaseFeatures, optional
        When given, only rows for layers that have features.

    Returns
    -------
    list of LegendItem
    """
    counts = features.counts if features is not None else None
    classes = set()
    private = True
    if features is not None:
        props = [f["properties"] for f in features.streets["features"]]
        classes = {p["cls"] for p in props}
        private = any(p["private"] for p in props)
    items = [
        LegendItem(T(cls, lang), STREET_STYLE[cls][0], "line", weight=STREET_STYLE[cls][1])
        for cls in ("main", "street", "service", "path")
        if features is None or cls in classes
    ]
    if private:
        items.append(
            LegendItem(
                T("private", lang), STREET_STYLE["service"][0], "line", weight=2, dash=PRIVATE_DASH
            )
        )
    if counts is None or counts["buildings"]:
        items.append(
            LegendItem(
                T("buildings", lang), BUILDING_STYLE["color"], fill=BUILDING_STYLE["fillColor"]
            )
        )
    if counts is None or counts["water"]:
        items.append(
            LegendItem(T("water", lang), WATER_STYLE["color"], fill=WATER_STYLE["fillColor"])
        )
    if features is None or any(
        f["properties"]["kind"] == "green" for f in features.landuse["features"]
    ):
        items.append(
            LegendItem(T("green", lang), GREEN_STYLE["color"], fill=GREEN_STYLE["fillColor"])
        )
    return items


def base_map(
    area: AreaLike,
    *,
    tiles: str | None = None,
    attribution: str = OSM_ATTRIBUTION,
    vectors: bool | None = None,
    location: tuple[float, float] | None = None,
    zoom_start: int | None = None,
    height: str | int = "100%",
    lang: str = "zh",
    legend: bool = True,
    legend_collapsed: bool | None = None,
    tolerance: float = 1.0,
    features: BaseFeatures | None = None,
    static_url: str = DEFAULT_STATIC_URL,
) -> OfflineMap:
    """A Folium map of an OSM area that works with no internet.

    Parameters
    ----------
    area : geo.network.Area
        The loaded OSM area.
    tiles : str, optional
        Tile URL template (``.../{z}/{x}/{y}.png``: online OSM or an intranet tile server).
        None, ``""`` or ``"none"``: no tiles, the area is drawn from its vectors.
    attribution : str
        Attribution of the tiles.
    vectors : bool, optional
        Draw the vector streets, buildings, water and land use. Default: only without tiles.
    location : tuple of float, optional
        ``(lat, lon)`` of the first view; by default the map fits the area's bounds.
    zoom_start : int, optional
        First zoom level with ``location``.
    height : str or int
        Height of the map (``"100%"`` or pixels).
    lang : {"zh", "en"}
        Language of layer names and legend.
    legend : bool
        Add the base map's legend (bottom left) when vectors are drawn.
    legend_collapsed : bool, optional
        Start the legend closed (True) or open (False); by default it opens on wide maps only
        (see :class:`layers.legend.Legend`). Thematic maps close it, their own legend matters more.
    tolerance : float
        Simplification tolerance in metres.
    features : BaseFeatures, optional
        Precomputed :func:`base_features` of ``area`` (pages may cache them).
    static_url : str
        URL prefix of the app's static files, see :func:`layers.assets.static_url`.

    Returns
    -------
    layers.assets.OfflineMap
        The map, with feature groups named in ``lang`` (add a :class:`folium.LayerControl` to
        let the user switch them).
    """
    tiles = None if tiles in (None, "", "none") else tiles
    draw_vectors = tiles is None if vectors is None else vectors
    west, south, east, north = area.bounds
    fit = location is None
    if location is None:
        location = ((south + north) / 2, (west + east) / 2)
    m = OfflineMap(
        location=list(location),
        zoom_start=zoom_start or 16,
        tiles=None,
        height=height,
        control_scale=False,
        min_zoom=3,
        max_zoom=20,
        zoomSnap=0.25,
        static_url=static_url,
    )
    m.get_root().header.add_child(
        Element(f"<style>div.leaflet-container {{ background: {BACKGROUND}; }}</style>"),
        name="beatmap_background",
    )
    m.add_child(_MetricScale(), name="beatmap_scale")
    if tiles is not None:
        folium.TileLayer(
            tiles=tiles,
            attr=attribution,
            name=T("tiles", lang),
            max_zoom=20,
            max_native_zoom=19,
            control=True,
        ).add_to(m)

    if draw_vectors:
        feats = features if features is not None else base_features(area, tolerance=tolerance)
        for pane, z in PANES.items():
            CustomPane(pane, z_index=z, pointer_events=pane == "bm-streets").add_to(m)
        _add_vector_groups(m, feats, lang=lang)
        if legend:
            m.add_child(
                Legend(
                    basemap_legend_items(lang=lang, features=feats),
                    title=T("legend", lang),
                    position="bottomleft",
                    collapsed=legend_collapsed,
                )
            )
    if fit:
        m.fit_bounds([[south, west], [north, east]])
    return m


def _add_vector_groups(m: folium.Map, feats: BaseFeatures, *, lang: str) -> None:
    attribution = OSM_ATTRIBUTION
    if feats.landuse["features"]:
        group = folium.FeatureGroup(name=T("landuse", lang), control=True)
        for kind, style in (("estate", ESTATE_STYLE), ("green", GREEN_STYLE)):
            data = _subset(feats.landuse, lambda p, k=kind: p["kind"] == k)
            if data["features"]:
                VectorLayer(data, style=style, pane="bm-land").add_to(group)
        group.add_to(m)
    if feats.water["features"]:
        group = folium.FeatureGroup(name=T("water", lang), control=True)
        VectorLayer(feats.water, style=WATER_STYLE, pane="bm-water").add_to(group)
        group.add_to(m)
    if feats.buildings["features"]:
        group = folium.FeatureGroup(name=T("buildings", lang), control=True)
        VectorLayer(feats.buildings, style=BUILDING_STYLE, pane="bm-buildings").add_to(group)
        group.add_to(m)
    group = folium.FeatureGroup(name=T("streets", lang), control=True)
    # thin first, main streets last (on top)
    for cls in ("path", "service", "street", "main"):
        color, weight = STREET_STYLE[cls]
        for private in (False, True):
            style: dict[str, Any] = {"color": color, "weight": weight, "opacity": 0.95}
            if private:
                style["dashArray"] = PRIVATE_DASH
                style["lineCap"] = "butt"
            for named in (False, True):
                data = _subset(
                    feats.streets,
                    lambda p, c=cls, pr=private, n=named: (
                        p["cls"] == c and p["private"] == pr and bool(p["name"]) == n
                    ),
                )
                if not data["features"]:
                    continue
                if not named:  # no property needed in the page
                    data = _collection([{**f, "properties": {}} for f in data["features"]])
                VectorLayer(
                    data,
                    style=style,
                    pane="bm-streets",
                    tooltip_property="name" if named else None,
                    attribution=attribution,
                ).add_to(group)
                attribution = None  # once is enough
    group.add_to(m)
