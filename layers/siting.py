"""The planner's map: street pieces covered by cameras, ranked new sites, coverage gaps.

* :func:`covered_streets_layer` — the street a camera sees, along the walking network (blue for
  installed units, green for the planned sites);
* :func:`sites_layer` — the chosen sites as numbered circles (Leaflet ``DivIcon``: no icon font,
  no image, works offline);
* :func:`gaps_layer` — street edges with the most demand left uncovered (red, thicker for more);
* :func:`beat_shares_layer` — beats shaded by the share of demand their cameras cover;
* :func:`siting_map` — all of them over the offline base map, with a legend and a layer
  control, from a :class:`geo.planning.CameraPlan`.

Tooltips are built from whitelisted columns only (rank, address or place, kind, beat, gains,
street names and lengths): no household contact, no officer, no phone number.
"""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.i18n import Catalogue
from geo.model import enum_label
from layers._features import ClassedPolygons
from layers.assets import DEFAULT_STATIC_URL, OfflineMap
from layers.basemap import OSM_ATTRIBUTION, BaseFeatures, base_map
from layers.cameras import cameras_layer, cameras_legend_items
from layers.legend import Legend, LegendItem

__all__ = [
    "EXISTING_COLOR",
    "GAP_COLOR",
    "NEW_COLOR",
    "SHARE_BINS",
    "SHARE_COLORS",
    "SITE_COLOR",
    "TOOLTIP_COLUMNS",
    "beat_shares_layer",
    "covered_streets_layer",
    "gaps_layer",
    "layer_names",
    "siting_legend_items",
    "siting_map",
    "sites_layer",
]

EXISTING_COLOR = "#2c7bb6"
NEW_COLOR = "#1a9641"
GAP_COLOR = "#d7191c"
SITE_COLOR = "#e66101"
#: class edges of the covered share of a beat (0–1)
SHARE_BINS = (0.0, 0.3, 0.5, 0.7, 0.9, 1.0000001)
SHARE_COLORS = ("#fee5d9", "#fcbba1", "#c6dbef", "#6baed6", "#2171b5")
NO_DATA_COLOR = "#cccccc"
#: the only columns a site tooltip reads
TOOLTIP_COLUMNS = ("rank", "label", "kind", "beat", "gain", "gain_households", "gain_incidents")

#: texts of the planner's map: key -> (Chinese, English)
T = Catalogue(
    {
        "existing": ("现有设备覆盖的街巷", "Street covered by installed units"),
        "new": ("新增点位覆盖的街巷", "Street covered by the new sites"),
        "sites": ("建议推广点位（按序号）", "Sites to promote (ranked)"),
        "gaps": ("覆盖缺口（未覆盖需求多的街巷）", "Gaps (streets with most uncovered demand)"),
        "beats": ("警务区加权覆盖率（现有）", "Beat covered share (installed)"),
        "units": ("现有摄录设备", "Installed cameras"),
        "legend": ("摄像头覆盖", "Camera coverage"),
        "unnamed": ("无名街巷", "unnamed lane"),
        "rank": ("第 {k} 位", "No. {k}"),
        "gain": (
            "新增覆盖 {g:.1f}（住户 {h}，警情 {i}）",
            "adds {g:.1f} ({h} households, {i} incidents)",
        ),
        "uncovered": (
            "未覆盖需求 {w:.1f}（住户 {h}，警情 {i}）",
            "uncovered demand {w:.1f} ({h} households, {i} incidents)",
        ),
        "after": ("方案后仍未覆盖 {w:.1f}", "after the plan {w:.1f}"),
        "share": ("加权覆盖率：现有 {b}，方案后 {a}", "covered share: now {b}, after the plan {a}"),
        "hh_share": ("住户覆盖率：现有 {b}，方案后 {a}", "households covered: now {b}, after {a}"),
        "no_demand": ("无需求", "no demand"),
        "metres": ("{m:.0f} 米", "{m:.0f} m"),
    }
)
_KINDS = {
    "rental": ("出租房", "rental house"),
    "shop": ("商铺", "shop"),
    "entrance": ("楼门", "building entrance"),
    "intersection": ("路口", "intersection"),
}


def layer_names(lang: str = "zh") -> dict[str, str]:
    """Names of the siting map's layers in ``lang`` (as shown in the layer control)."""
    return {k: T(k, lang) for k in ("existing", "new", "sites", "gaps", "beats", "units")}


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be one of ('zh', 'en'), got {lang!r}")


def _wgs84(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"{what} must be a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is not None and not gdf.crs.is_geographic:
        return gdf.to_crs(4326)
    return gdf


def _lines(geoms: np.ndarray, decimals: int = 6) -> list[Any]:
    """GeoJSON geometries of lines, coordinates rounded."""
    rounded = shapely.set_precision(geoms, 10.0**-decimals)
    return [shapely.geometry.mapping(g) for g in rounded]


def covered_streets_layer(
    streets: gpd.GeoDataFrame,
    *,
    name: str,
    lang: str = "zh",
    color: str = EXISTING_COLOR,
    weight: float = 6.0,
    opacity: float = 0.75,
    show: bool = True,
) -> folium.FeatureGroup:
    """Covered street pieces as thick lines.

    Parameters
    ----------
    streets : geopandas.GeoDataFrame
        :func:`geo.siting.covered_streets` (any CRS; drawn in WGS-84), optionally with
        ``street`` (name) for the tooltip.
    name : str
        Layer name.
    lang : {"zh", "en"}
        Language of the tooltips.
    color : str
        Line colour (:data:`EXISTING_COLOR` for installed units, :data:`NEW_COLOR` for the plan).
    weight, opacity : float
        Line width (px) and opacity.
    show : bool
        Shown when the map opens.

    Returns
    -------
    folium.FeatureGroup
        One line feature per piece.
    """
    _check_lang(lang)
    streets = _wgs84(streets, "streets")
    geoms = streets.geometry.to_numpy()
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    sub = streets[keep]
    names = sub["street"].fillna("").astype(str).tolist() if "street" in sub else [""] * len(sub)
    lengths = sub["length"].to_numpy(float) if "length" in sub else np.full(len(sub), np.nan)
    features = []
    for geom, street, m in zip(_lines(sub.geometry.to_numpy()), names, lengths, strict=True):
        tip = html.escape(street or T("unnamed", lang))
        if np.isfinite(m):
            tip += " · " + T("metres", lang, m=m)
        features.append({"type": "Feature", "properties": {"c": 0, "t": tip}, "geometry": geom})
    group = folium.FeatureGroup(name=name, show=show)
    ClassedPolygons(
        {"type": "FeatureCollection", "features": features},
        styles=[{"color": color, "weight": weight, "opacity": opacity, "lineCap": "round"}],
    ).add_to(group)
    return group


def gaps_layer(
    gaps: gpd.GeoDataFrame,
    *,
    name: str,
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Street edges with uncovered demand, thicker for more.

    Parameters
    ----------
    gaps : geopandas.GeoDataFrame
        :attr:`geo.planning.CameraPlan.gaps`: ``street``, ``length``, ``uncovered_weight``,
        ``uncovered_households``, ``uncovered_incidents`` and optionally ``uncovered_after``.
    name : str
        Layer name.
    lang : {"zh", "en"}
    show : bool

    Returns
    -------
    folium.FeatureGroup
        One dashed red line per edge, in three widths by uncovered weight (terciles).
    """
    _check_lang(lang)
    gaps = _wgs84(gaps, "gaps")
    w = gaps["uncovered_weight"].to_numpy(float) if len(gaps) else np.zeros(0)
    cuts = np.quantile(w, [1 / 3, 2 / 3]) if w.size else np.zeros(2)
    cls = np.searchsorted(cuts, w, side="right") if w.size else np.zeros(0, int)
    styles = [
        {"color": GAP_COLOR, "weight": wt, "opacity": 0.8, "dashArray": "6 5", "lineCap": "butt"}
        for wt in (4, 7, 10)
    ]
    features = []
    after = gaps["uncovered_after"].to_numpy(float) if "uncovered_after" in gaps else None
    for i, geom in enumerate(_lines(gaps.geometry.to_numpy())):
        row = gaps.iloc[i]
        street = str(row.get("street") or "") or T("unnamed", lang)
        tip = (
            f"<b>{html.escape(street)}</b> · {T('metres', lang, m=float(row['length']))}"
            + "<br>"
            + T(
                "uncovered",
                lang,
                w=float(row["uncovered_weight"]),
                h=int(row["uncovered_households"]),
                i=int(row["uncovered_incidents"]),
            )
        )
        if after is not None:
            tip += "<br>" + T("after", lang, w=float(after[i]))
        features.append(
            {"type": "Feature", "properties": {"c": int(cls[i]), "t": tip}, "geometry": geom}
        )
    group = folium.FeatureGroup(name=name, show=show)
    ClassedPolygons(
        {"type": "FeatureCollection", "features": features},
        styles=styles,
        highlight={"opacity": 1.0},
    ).add_to(group)
    return group


def _site_icon(rank: int, *, size: int = 26) -> folium.DivIcon:
    style = (
        f"width:{size}px;height:{size}px;line-height:{size - 4}px;border-radius:50%;"
        f"background:{SITE_COLOR};border:2px solid #fff;color:#fff;font:bold 12px system-ui,"
        "sans-serif;text-align:center;box-shadow:0 1px 3px rgba(0,0,0,.5)"
    )
    return folium.DivIcon(
        html=f'<div style="{style}">{int(rank)}</div>',
        icon_size=(size, size),
        icon_anchor=(size // 2, size // 2),
        class_name="beatmap-site",
    )


def sites_layer(
    sites: gpd.GeoDataFrame,
    *,
    name: str,
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """The ranked new sites as numbered circles.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        :attr:`geo.planning.CameraPlan.sites` (any CRS; drawn in WGS-84). Only
        :data:`TOOLTIP_COLUMNS` are read; contact and officer columns are ignored.
    name : str
        Layer name.
    lang : {"zh", "en"}
    show : bool

    Returns
    -------
    folium.FeatureGroup
        One marker per site, its rank written in the circle, best (rank 1) on top.
    """
    _check_lang(lang)
    sites = _wgs84(sites, "sites")
    group = folium.FeatureGroup(name=name, show=show)
    order = np.argsort(-sites["rank"].to_numpy()) if len(sites) else []
    for i in order:
        row = sites.iloc[int(i)]
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type != "Point":
            geom = geom.representative_point()
        rank = int(row["rank"])
        parts = [
            f"<b>{T('rank', lang, k=rank)}</b> · {html.escape(str(row.get('label', '')))}",
            html.escape(enum_label(_KINDS, row.get("kind", ""), lang))
            + (f" · {html.escape(str(row['beat']))}" if str(row.get("beat", "") or "") else ""),
            T(
                "gain",
                lang,
                g=float(row.get("gain", 0.0)),
                h=int(row.get("gain_households", 0)),
                i=int(row.get("gain_incidents", 0)),
            ),
        ]
        folium.Marker(
            (round(geom.y, 6), round(geom.x, 6)),
            icon=_site_icon(rank),
            tooltip="<br>".join(parts),
            z_index_offset=1000 - rank,
        ).add_to(group)
    return group


def _share_text(value: float) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.0%}"


def beat_shares_layer(
    beats: gpd.GeoDataFrame,
    *,
    name: str,
    lang: str = "zh",
    fill_opacity: float = 0.3,
    show: bool = True,
) -> folium.FeatureGroup:
    """Beats shaded by the weighted share of demand that installed units cover.

    Parameters
    ----------
    beats : geopandas.GeoDataFrame
        :func:`geo.planning.beat_shares_frame`: ``beat_id``, ``name``, ``share_before``,
        ``share_after``, ``hh_share_before``, ``hh_share_after``, ``low_share`` and polygons.
    name : str
    lang : {"zh", "en"}
    fill_opacity : float
    show : bool

    Returns
    -------
    folium.FeatureGroup
        Beats with low coverage (``low_share``) get a thick red outline.
    """
    _check_lang(lang)
    beats = _wgs84(beats, "beats")
    share = beats["share_before"].to_numpy(float) if len(beats) else np.zeros(0)
    cls = np.clip(np.searchsorted(SHARE_BINS, share, side="right") - 1, 0, 4)
    cls = np.where(np.isnan(share), 5, cls)
    styles = [
        {"color": "#555555", "weight": 1, "fillColor": c, "fillOpacity": fill_opacity}
        for c in (*SHARE_COLORS, NO_DATA_COLOR)
    ]
    styles += [{**s, "color": GAP_COLOR, "weight": 3} for s in styles]
    features = []
    low = beats["low_share"].fillna(False).to_numpy(bool) if "low_share" in beats else None
    for i, geom in enumerate(beats.geometry.to_numpy()):
        if geom is None or geom.is_empty:
            continue
        row = beats.iloc[i]
        tip = [f"<b>{html.escape(str(row['name']))}</b>"]
        if np.isnan(share[i]):
            tip.append(T("no_demand", lang))
        else:
            tip.append(
                T(
                    "share",
                    lang,
                    b=_share_text(row["share_before"]),
                    a=_share_text(row["share_after"]),
                )
            )
            if "hh_share_before" in beats:
                tip.append(
                    T(
                        "hh_share",
                        lang,
                        b=_share_text(row["hh_share_before"]),
                        a=_share_text(row["hh_share_after"]),
                    )
                )
        c = int(cls[i]) + (6 if low is not None and low[i] else 0)
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "beat", "beat_id": int(row["beat_id"]), "c": c,
                               "t": "<br>".join(tip)},
                "geometry": shapely.geometry.mapping(shapely.set_precision(geom, 1e-6)),
            }
        )  # fmt: skip
    group = folium.FeatureGroup(name=name, show=show)
    ClassedPolygons(
        {"type": "FeatureCollection", "features": features},
        styles=styles,
        highlight={"weight": 3, "color": "#000000"},
    ).add_to(group)
    return group


def siting_legend_items(*, lang: str = "zh", beats: bool = True) -> list[LegendItem]:
    """Legend rows of the siting map."""
    _check_lang(lang)
    items = [
        LegendItem(T("existing", lang), EXISTING_COLOR, "line", weight=5),
        LegendItem(T("new", lang), NEW_COLOR, "line", weight=5),
        LegendItem(T("gaps", lang), GAP_COLOR, "line", weight=4, dash="6 5"),
        LegendItem(T("sites", lang), "#ffffff", "point", fill=SITE_COLOR),
    ]
    if beats:
        labels = ["< 30%", "30% – 50%", "50% – 70%", "70% – 90%", "≥ 90%"]
        items += [
            LegendItem(f"{T('beats', lang)} {lbl}", "#666666", fill=c, weight=0.8)
            for lbl, c in zip(labels, SHARE_COLORS, strict=True)
        ]
    return items


def siting_map(
    plan: Any,
    area: Any,
    *,
    beats: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
    tiles: str | None = None,
    attribution: str = OSM_ATTRIBUTION,
    features: BaseFeatures | None = None,
    height: str | int = "100%",
    static_url: str = DEFAULT_STATIC_URL,
    show_units: bool = True,
) -> OfflineMap:
    """The planner's map of a :class:`geo.planning.CameraPlan`.

    Parameters
    ----------
    plan : geo.planning.CameraPlan
    area : geo.network.Area
        The OSM area under it (offline base map).
    beats : geopandas.GeoDataFrame, optional
        :func:`geo.planning.beat_shares_frame` to shade beats by covered share.
    lang : {"zh", "en"}
    tiles, attribution, features, height, static_url
        Passed to :func:`layers.basemap.base_map`.
    show_units : bool
        Draw the installed units (:func:`layers.cameras.cameras_layer`).

    Returns
    -------
    layers.assets.OfflineMap
        With a legend (bottom right) and a layer control.
    """
    _check_lang(lang)
    names = layer_names(lang)
    location = None
    bounds = None
    if beats is not None and len(beats):
        bounds = tuple(float(v) for v in _wgs84(beats, "beats").total_bounds)
    elif len(plan.sites):
        bounds = tuple(float(v) for v in _wgs84(plan.sites, "sites").total_bounds)
    if bounds is not None and np.isfinite(bounds).all():
        location = ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
    else:
        bounds = None
    m = base_map(
        area,
        tiles=tiles,
        attribution=attribution,
        lang=lang,
        features=features,
        static_url=static_url,
        height=height,
        location=location,
    )
    if beats is not None and len(beats):
        beat_shares_layer(beats, name=names["beats"], lang=lang).add_to(m)
    covered_streets_layer(
        plan.streets_before, name=names["existing"], lang=lang, color=EXISTING_COLOR
    ).add_to(m)
    gaps_layer(plan.gaps, name=names["gaps"], lang=lang).add_to(m)
    covered_streets_layer(plan.streets_new, name=names["new"], lang=lang, color=NEW_COLOR).add_to(m)
    if show_units and len(plan.existing):
        units = _wgs84(plan.existing, "units")
        cols = [c for c in ("kind", "status", "installed_on") if c in units.columns]
        cameras_layer(
            gpd.GeoDataFrame(units[cols], geometry=units.geometry.to_numpy(), crs=units.crs),
            name=names["units"],
            lang=lang,
        ).add_to(m)
    sites_layer(plan.sites, name=names["sites"], lang=lang).add_to(m)
    items = siting_legend_items(lang=lang, beats=beats is not None and len(beats) > 0)
    if show_units and len(plan.existing):
        present = tuple(pd.unique(plan.existing["kind"].astype(object)))
        items += cameras_legend_items(lang=lang, kinds=present)
    m.add_child(Legend(items, title=T("legend", lang), position="bottomright"))
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    if bounds is not None:
        west, south, east, north = bounds
        m.fit_bounds([[south, west], [north, east]])
    return m
