"""The Coverage page's map: beats, households (points or hexagons), cameras, heat maps.

One function composes the layers of :mod:`layers.beats`, :mod:`layers.households`,
:mod:`layers.hexes`, :mod:`layers.cameras` and :mod:`layers.heat` on the offline base map, with
one legend and a layer control. The same map is shown in Streamlit (assets served) and saved
as a standalone HTML file (assets inlined, :func:`layers.assets.to_standalone_html`).
"""

from __future__ import annotations

from typing import Any

import folium
import numpy as np

from geo.i18n import Catalogue
from layers.assets import DEFAULT_STATIC_URL, OfflineMap
from layers.basemap import OSM_ATTRIBUTION, BaseFeatures, base_map
from layers.beats import (
    beats_layer,
    coverage_legend_items,
    offices_layer,
    offices_legend_items,
    stations_layer,
)
from layers.cameras import cameras_layer
from layers.heat import heat_layer
from layers.hexes import hexes_layer
from layers.households import CLUSTER_ABOVE, households_layer, households_legend_items
from layers.legend import Legend, LegendItem

__all__ = ["coverage_map", "layer_names"]

#: texts of this module: key -> (Chinese, English); the layer names come first
T = Catalogue(
    {
        "beats": ("警务区覆盖率", "Beat coverage"),
        "hexes": ("住户（六边形汇总）", "Households (hexagons)"),
        "households": ("住户", "Households"),
        "cameras": ("摄录设备", "Cameras"),
        "heat_unvisited": ("热力：未走访住户", "Heat: households not yet visited"),
        "heat_incidents": ("热力：警情", "Heat: incidents"),
        "stations": ("派出所辖区", "Station areas"),
        "offices": ("派出所、警务室", "Stations and police offices"),
        "legend": ("覆盖率", "Coverage"),
        "cluster_note": (
            "圈内数字：户数；底色：已走访比例",
            "Circles: households; colour: share visited",
        ),
    }
)
LAYERS = (
    "beats",
    "hexes",
    "households",
    "cameras",
    "heat_unvisited",
    "heat_incidents",
    "stations",
    "offices",
    "legend",
)


#: margin (px) left around the selected beat, or the beats in view, when the map is framed
FIT_PADDING = (24, 24)


def layer_names(lang: str = "zh") -> dict[str, str]:
    """Names of the coverage map's layers in ``lang`` (as shown in the layer control)."""
    return {k: T(k, lang) for k in LAYERS}


def coverage_map(
    view: Any,
    area: Any,
    *,
    lang: str = "zh",
    tiles: str | None = None,
    attribution: str = OSM_ATTRIBUTION,
    features: BaseFeatures | None = None,
    selected: int | None = None,
    heat: str | None = None,
    incident_label: str | None = None,
    height: str | int = "100%",
    static_url: str = DEFAULT_STATIC_URL,
) -> OfflineMap:
    """The coverage map of a :class:`geo.coverage.CoverageView`.

    Parameters
    ----------
    view : geo.coverage.CoverageView
        What to draw.
    area : geo.network.Area
        The OSM area under it (base map).
    lang : {"zh", "en"}
        Language of names, tooltips and legend.
    tiles, attribution, features, static_url, height
        Passed to :func:`layers.basemap.base_map`.
    selected : int, optional
        Beat outlined and zoomed to.
    heat : {"unvisited", "incidents"}, optional
        Heat map shown when the map opens (both are in the layer control either way).
    incident_label : str, optional
        Added to the incident heat map's name (e.g. the hours shown).

    Returns
    -------
    layers.assets.OfflineMap
    """
    allowed = (None, "unvisited", "incidents")
    if heat not in allowed:
        raise ValueError(f"heat must be one of {allowed}, got {heat!r}")
    names = layer_names(lang)
    bounds = _bounds(view, selected)
    # one fitBounds only: a second one is animated and may not finish
    location = None
    if bounds is not None:
        location = ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
    m = base_map(
        area,
        tiles=tiles,
        attribution=attribution,
        lang=lang,
        features=features,
        static_url=static_url,
        height=height,
        location=location,
        legend_collapsed=True,
    )
    # Leaflet.markercluster needs the map's own maxZoom (folium gives it to tile layers only)
    m.options.setdefault("maxZoom", 20)
    beats_layer(view.beats_map, name=names["beats"], lang=lang, selected=selected).add_to(m)
    if view.hexes is not None and len(view.hexes):
        hexes_layer(view.hexes, name=names["hexes"], lang=lang).add_to(m)
    if len(view.map_points):
        households_layer(view.map_points, name=names["households"], lang=lang).add_to(m)
    cams = view.cameras
    if view.mode == "hexes":
        cams = cams[cams["beat_id"] == selected] if selected is not None else cams[:0]
    if len(cams):
        cameras_layer(cams, name=names["cameras"], lang=lang, show=False).add_to(m)
    heat_layer(
        view.heat_unvisited,
        name=names["heat_unvisited"],
        gradient="unvisited",
        show=heat == "unvisited",
    ).add_to(m)
    inc_name = names["heat_incidents"] + (f"（{incident_label}）" if incident_label else "")
    heat_layer(
        view.heat_incidents, name=inc_name, gradient="incidents", show=heat == "incidents"
    ).add_to(m)
    stations_layer(view.stations_map, name=names["stations"], lang=lang).add_to(m)
    offices_layer(view.offices, name=names["offices"], lang=lang).add_to(m)
    items: list[LegendItem] = coverage_legend_items(lang=lang)
    if len(view.map_points):
        items += households_legend_items(lang=lang)[:3]
        if len(view.map_points) > CLUSTER_ABOVE:
            note = T("cluster_note", lang)
            items.append(LegendItem(note, "#333333", "point", fill="#ffffbf"))
    items += offices_legend_items(lang=lang)
    m.add_child(Legend(items, title=names["legend"], position="bottomright"))
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    if bounds is not None:
        west, south, east, north = bounds
        m.fit_bounds([[south, west], [north, east]], padding=FIT_PADDING)
    return m


def _bounds(view: Any, selected: int | None) -> tuple[float, float, float, float] | None:
    beats = view.beats_map
    if selected is not None and (beats["beat_id"] == selected).any():
        b = beats[beats["beat_id"] == selected].total_bounds
        return tuple(float(v) for v in b)
    west, south, east, north = view.bounds
    if not np.isfinite([west, south, east, north]).all() or (west == east and south == north):
        return None
    return view.bounds
