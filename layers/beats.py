"""Beats as a choropleth of visit coverage, station boundaries and police offices on top.

Coverage (households visited / households) is drawn in five classes from red (under 50 %) to
green (95 % and over); beats without households are grey. The tooltip shows the beat's name
and counts; a click returns the feature's ``beat_id`` to the page (``st_folium``'s
``last_active_drawing``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.i18n import Catalogue
from layers._features import ClassedPoints, ClassedPolygons
from layers.legend import LegendItem

__all__ = [
    "COVERAGE_BINS",
    "COVERAGE_COLORS",
    "beats_layer",
    "coverage_class",
    "coverage_legend_items",
    "offices_layer",
    "stations_layer",
]

#: class edges of coverage (0–1); class i holds [bins[i], bins[i+1])
COVERAGE_BINS = (0.0, 0.5, 0.7, 0.85, 0.95, 1.0000001)
#: one colour per class (ColorBrewer RdYlGn), then "no households"
COVERAGE_COLORS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
NO_DATA_COLOR = "#cccccc"
SELECTED_COLOR = "#1f3fbf"
STATION_STYLE = {"color": "#222222", "weight": 3, "dashArray": "8 5", "fill": False}
OFFICE_COLORS = {"office": "#1f3fbf", "station": "#0b1f66"}

#: texts of this module: key -> (Chinese, English)
T = Catalogue(
    {
        "households": ("户数", "households"),
        "visited": ("已走访", "visited"),
        "unvisited": ("未走访", "not yet visited"),
        "not_home": ("不在家", "not home"),
        "coverage": ("覆盖率", "coverage"),
        "finish": ("预计完成", "projected finish"),
        "never": ("按当前进度无法完成", "not at the current pace"),
        "no_households": ("无住户", "no households"),
        "office": ("警务室", "police office"),
        "station": ("派出所", "police station"),
        "beats": ("警务区", "beats"),
    }
)


def coverage_class(coverage: Sequence[float] | np.ndarray) -> np.ndarray:
    """Class index (0–4) of each coverage value; 5 for NaN (no households).

    Examples
    --------
    >>> coverage_class([0.1, 0.74, 0.96, float("nan")]).tolist()
    [0, 2, 4, 5]
    """
    cov = np.asarray(coverage, dtype=float)
    cls = np.clip(np.searchsorted(COVERAGE_BINS, cov, side="right") - 1, 0, 4)
    return np.where(np.isnan(cov), 5, cls)


def coverage_legend_items(*, lang: str = "zh") -> list[LegendItem]:
    """Legend rows of the coverage classes."""
    edges = [f"{b:.0%}" for b in COVERAGE_BINS[:-1]]
    labels = [f"< {edges[1]}"]
    labels += [f"{lo} – {hi}" for lo, hi in zip(edges[1:-1], edges[2:], strict=True)]
    labels.append(f"≥ {edges[-1]}")
    items = [
        LegendItem(lbl, "#666666", fill=c, weight=0.8)
        for lbl, c in zip(labels, COVERAGE_COLORS, strict=True)
    ]
    items.append(LegendItem(T("no_households", lang), "#666666", fill=NO_DATA_COLOR, weight=0.8))
    return items


def _polygon_styles(fill_opacity: float) -> list[dict]:
    return [
        {"color": "#555555", "weight": 1, "fillColor": c, "fillOpacity": fill_opacity}
        for c in (*COVERAGE_COLORS, NO_DATA_COLOR)
    ]


def _fmt_date(value: object) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def beats_layer(
    beats: gpd.GeoDataFrame,
    *,
    name: str,
    lang: str = "zh",
    selected: int | None = None,
    fill_opacity: float = 0.55,
    show: bool = True,
) -> folium.FeatureGroup:
    """The beats as a coverage choropleth.

    Parameters
    ----------
    beats : GeoDataFrame
        :func:`geo.coverage.beat_map_frame`: ``beat_id``, ``name``, ``households``,
        ``visited``, ``unvisited``, ``not_home``, ``coverage`` (0–1, NaN without households)
        and optionally ``projected_finish``; polygons in WGS-84.
    name : str
        Layer name.
    lang : {"zh", "en"}
        Language of the tooltips.
    selected : int, optional
        Beat drawn with a thick blue outline.
    fill_opacity : float
        Opacity of the fill.
    show : bool
        Shown when the map opens.

    Returns
    -------
    folium.FeatureGroup
        With one feature per beat; each carries ``kind="beat"`` and ``beat_id``.
    """
    cls = coverage_class(beats["coverage"].to_numpy(float))
    styles = _polygon_styles(fill_opacity)
    sel_styles = [{**s, "color": SELECTED_COLOR, "weight": 4} for s in styles]
    has_finish = "projected_finish" in beats.columns
    features = []
    geoms = beats.geometry.to_numpy()
    records = beats.drop(columns="geometry").to_dict("records")
    for rec, geom, c in zip(records, geoms, cls, strict=True):
        if geom is None or geom.is_empty:
            continue
        is_sel = selected is not None and int(rec["beat_id"]) == int(selected)
        tip = [f"<b>{html.escape(str(rec['name']))}</b>"]
        tip.append(f"{T('households', lang)} {int(rec['households']):,}")
        if rec["households"]:
            tip.append(
                f"{T('visited', lang)} {int(rec['visited']):,} · "
                f"{T('not_home', lang)} {int(rec['not_home']):,} · "
                f"{T('unvisited', lang)} {int(rec['unvisited']):,}"
            )
            tip.append(f"{T('coverage', lang)} {rec['coverage']:.1%}")
            if has_finish:
                day = _fmt_date(rec.get("projected_finish"))
                tip.append(f"{T('finish', lang)} {day or T('never', lang)}")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "beat",
                    "beat_id": int(rec["beat_id"]),
                    "c": int(c) + (len(styles) if is_sel else 0),
                    "t": "<br>".join(tip),
                },
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    # the selected beat last, so its outline is on top
    features.sort(key=lambda f: f["properties"]["c"] >= len(styles))
    group = folium.FeatureGroup(name=name, show=show)
    ClassedPolygons(
        {"type": "FeatureCollection", "features": features},
        styles=styles + sel_styles,
        highlight={"weight": 3, "color": "#000000"},
    ).add_to(group)
    return group


def stations_layer(
    stations: gpd.GeoDataFrame, *, name: str, lang: str = "zh", show: bool = True
) -> folium.FeatureGroup:
    """Station areas as dashed outlines (no fill: the beats below stay clickable).

    Parameters
    ----------
    stations : GeoDataFrame
        :func:`geo.coverage.station_map_frame` (``station_id``, optional ``name``).
    name : str
        Layer name.
    lang : {"zh", "en"}
        Unused for now (outlines carry no text); kept for a uniform signature.
    show : bool
        Shown when the map opens.
    """
    features = [
        {
            "type": "Feature",
            "properties": {"kind": "station", "station_id": int(sid), "c": 0},
            "geometry": shapely.geometry.mapping(shapely.boundary(geom)),
        }
        for sid, geom in zip(stations["station_id"], stations.geometry.to_numpy(), strict=True)
        if geom is not None and not geom.is_empty
    ]
    group = folium.FeatureGroup(name=name, show=show)
    ClassedPolygons(
        {"type": "FeatureCollection", "features": features},
        styles=[STATION_STYLE],
        interactive=False,
    ).add_to(group)
    return group


def offices_layer(
    offices: pd.DataFrame, *, name: str, lang: str = "zh", show: bool = True
) -> folium.FeatureGroup:
    """Police stations and community police offices as points.

    Parameters
    ----------
    offices : DataFrame
        :func:`geo.coverage.offices_frame`: ``kind`` ("station" or "office"), ``name``,
        ``lon``, ``lat``.
    name : str
        Layer name.
    lang : {"zh", "en"}
        Language of the tooltips.
    show : bool
        Shown when the map opens.

    Raises
    ------
    ValueError
        When a kind is not "station" or "office".
    """
    kinds = ("office", "station")
    bad = sorted(set(offices["kind"].astype(object)) - set(kinds))
    if bad:
        raise ValueError(f"unknown office kinds {bad}; allowed: {kinds}")
    styles = [
        {
            "color": "#ffffff",
            "fillColor": OFFICE_COLORS["office"],
            "radius": 6,
            "weight": 2,
            "fillOpacity": 1,
        },
        {
            "color": "#ffd700",
            "fillColor": OFFICE_COLORS["station"],
            "radius": 9,
            "weight": 3,
            "fillOpacity": 1,
        },
    ]
    rows = [
        [
            round(float(lat), 6),
            round(float(lon), 6),
            kinds.index(kind),
            f"{T(kind, lang)}：{html.escape(str(nm))}",
            None,
        ]
        for kind, nm, lon, lat in zip(
            offices["kind"], offices["name"], offices["lon"], offices["lat"], strict=True
        )
    ]
    group = folium.FeatureGroup(name=name, show=show)
    ClassedPoints(rows, styles=styles, kind="office").add_to(group)
    return group


def offices_legend_items(*, lang: str = "zh") -> list[LegendItem]:
    """Legend rows of :func:`offices_layer`."""
    return [
        LegendItem(T("station", lang), "#ffd700", "point", fill=OFFICE_COLORS["station"]),
        LegendItem(T("office", lang), "#ffffff", "point", fill=OFFICE_COLORS["office"]),
    ]
