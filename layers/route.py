"""An evening route on the map: the walking path and its numbered stops.

Both layers use only Leaflet's own vector and ``DivIcon`` markers (no icon fonts, no images), so
they draw with no internet. Tooltips show the stop number, time, address and household count:
never a name or a phone number (only whitelisted columns are read).
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd
import shapely

from geo.i18n import Catalogue
from layers.legend import LegendItem

__all__ = ["ROUTE_COLOR", "route_layer", "route_legend_items", "stops_layer"]

ROUTE_COLOR = "#d62728"
OFFICE_COLOR = "#1f4e9a"
DONE_COLOR = "#1a9641"

#: texts of this module: key -> (Chinese, English)
T = Catalogue(
    {
        "office": ("警务室", "police office"),
        "stop": ("第{k}站", "stop {k}"),
        "households": ("{n}户", "{n} households"),
        "route": ("步行路线", "walking route"),
        "stops": ("走访站（数字为顺序）", "stops (numbered in order)"),
        "done": ("已记录", "recorded"),
        "leg": ("第{k}段 {m:.0f}米", "leg {k}: {m:.0f} m"),
    }
)


def route_layer(
    paths: gpd.GeoDataFrame,
    *,
    name: str,
    lang: str = "zh",
    color: str = ROUTE_COLOR,
    weight: float = 5.0,
    show: bool = True,
) -> folium.FeatureGroup:
    """The walking path of a route, one line per leg.

    Parameters
    ----------
    paths : GeoDataFrame
        :meth:`geo.evening.EveningPlan.path_gdf`: LineStrings in WGS-84 with ``leg`` and
        ``length_m``.
    name : str
        Layer name in the layer control.
    lang : {"zh", "en"}
        Language of the tooltips.
    color : str
        Line colour.
    weight : float
        Line width in pixels.
    show : bool
        Shown when the map opens.

    Raises
    ------
    ValueError
        If ``paths`` is not in WGS-84 or holds other than LineStrings.
    """
    if paths.crs is not None and not paths.crs.equals("EPSG:4326"):
        raise ValueError(f"paths must be in WGS-84 (EPSG:4326), got {paths.crs}")
    group = folium.FeatureGroup(name=name, show=show)
    for leg, length, geom in zip(
        paths["leg"], paths["length_m"], paths.geometry.values, strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type != "LineString":
            raise ValueError(f"route legs must be LineStrings, got {geom.geom_type}")
        coords = [(round(y, 6), round(x, 6)) for x, y in shapely.get_coordinates(geom)]
        folium.PolyLine(
            coords,
            color=color,
            weight=weight,
            opacity=0.85,
            tooltip=T("leg", lang, k=int(leg), m=float(length)),
        ).add_to(group)
    return group


def _icon(label: str, fill: str, *, size: int = 24) -> folium.DivIcon:
    style = (
        f"width:{size}px;height:{size}px;line-height:{size - 4}px;border-radius:50%;"
        f"background:#fff;border:2px solid {fill};color:#000;font:bold 12px system-ui,"
        "sans-serif;text-align:center;box-shadow:0 1px 3px rgba(0,0,0,.4)"
    )
    return folium.DivIcon(
        html=f'<div style="{style}">{html.escape(label)}</div>',
        icon_size=(size, size),
        icon_anchor=(size // 2, size // 2),
        class_name="beatmap-stop",
    )


def stops_layer(
    stops: gpd.GeoDataFrame,
    *,
    name: str,
    lang: str = "zh",
    done: set[int] | frozenset[int] = frozenset(),
    show: bool = True,
) -> folium.FeatureGroup:
    """Numbered stops of a route, with the office as a star.

    Parameters
    ----------
    stops : GeoDataFrame
        :meth:`geo.evening.EveningPlan.stops_gdf`: points in WGS-84 with ``stop`` (0 = office),
        ``n_households``, ``address`` and ``arrive``. Other columns are ignored.
    name : str
        Layer name.
    lang : {"zh", "en"}
        Language of the tooltips.
    done : set of int
        Stops whose households all have a visit recorded (drawn green).
    show : bool
        Shown when the map opens.
    """
    group = folium.FeatureGroup(name=name, show=show)
    for k, n, addr, arrive, geom in zip(
        stops["stop"],
        stops["n_households"],
        stops["address"],
        stops["arrive"],
        stops.geometry.values,
        strict=True,
    ):
        loc = (round(geom.y, 6), round(geom.x, 6))
        if int(k) == 0:
            icon = folium.DivIcon(
                html=f'<div style="font-size:26px;color:{OFFICE_COLOR};'
                'text-shadow:0 0 3px #fff">★</div>',
                icon_size=(26, 26),
                icon_anchor=(13, 15),
                class_name="beatmap-office",
            )
            folium.Marker(loc, icon=icon, tooltip=T("office", lang)).add_to(group)
            continue
        when = f"{pd.Timestamp(arrive):%H:%M} " if pd.notna(arrive) else ""
        tip = (
            f"{T('stop', lang, k=int(k))} {when}{html.escape(str(addr))} · "
            f"{T('households', lang, n=int(n))}"
        )
        fill = DONE_COLOR if int(k) in done else ROUTE_COLOR
        folium.Marker(loc, icon=_icon(str(int(k)), fill), tooltip=tip).add_to(group)
    return group


def route_legend_items(*, lang: str = "zh") -> list[LegendItem]:
    """Legend rows for the route and its stops."""
    return [
        LegendItem(T("route", lang), color=ROUTE_COLOR, kind="line", weight=4),
        LegendItem(T("stops", lang), color=ROUTE_COLOR, fill="#ffffff", kind="point"),
        LegendItem(T("done", lang), color=DONE_COLOR, fill="#ffffff", kind="point"),
        LegendItem(T("office", lang), color=OFFICE_COLOR, fill=OFFICE_COLOR, kind="point"),
    ]
