"""Layers of the Community page: proposed beats, night-noise segments, WeChat reach.

Builders only: frames in (WGS-84), Folium feature groups out; no I/O and no streamlit.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.i18n import Catalogue

__all__ = ["beats_outline_layer", "noise_layer", "wechat_layer"]

#: distinct fills for proposed beats (ColorBrewer Set3)
PALETTE = (
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69",
    "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f",
)  # fmt: skip
NOISE_COLOR = "#b2182b"
WECHAT_COLORS = {"nobody": "#d7191c", "some": "#fdae61", "most": "#1a9641"}

T = Catalogue(
    {
        "households": ("住户", "households"),
        "workload": ("工作量", "workload"),
        "walk": ("穿越步行", "walk across"),
        "minutes": ("分钟", "min"),
        "incidents": ("起", "incidents"),
        "members": ("入群", "in the group"),
    }
)


def beats_outline_layer(
    beats: gpd.GeoDataFrame, *, name: str, lang: str = "zh", filled: bool = True
) -> folium.FeatureGroup:
    """Beat polygons, one colour each, with their figures in the tooltip.

    ``beats`` needs ``name`` and may carry ``households``, ``workload``, ``walk_across_min``.
    """
    group = folium.FeatureGroup(name=name)
    for i, row in enumerate(beats.itertuples(index=False)):
        lines = [f"<b>{html.escape(str(row.name))}</b>"]
        if hasattr(row, "households"):
            lines.append(f"{T('households', lang)}: {int(row.households):,}")
        if hasattr(row, "workload"):
            lines.append(f"{T('workload', lang)}: {float(row.workload):,.0f}")
        if hasattr(row, "walk_across_min") and np.isfinite(row.walk_across_min):
            lines.append(f"{T('walk', lang)}: {row.walk_across_min:.0f} {T('minutes', lang)}")
        color = PALETTE[i % len(PALETTE)]
        style = {
            "color": "#333333",
            "weight": 2,
            "fillColor": color,
            "fillOpacity": 0.45 if filled else 0.0,
        }
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f, s=style: s,
            tooltip=folium.Tooltip("<br>".join(lines)),
        ).add_to(group)
    return group


def noise_layer(
    segments: gpd.GeoDataFrame, counts: pd.Series, *, name: str, lang: str = "zh"
) -> folium.FeatureGroup:
    """Street segments drawn thicker and darker with more night incidents.

    ``segments`` (WGS-84) has ``segment`` and ``label``; ``counts`` maps segment -> incidents.
    """
    group = folium.FeatureGroup(name=name)
    if counts.empty:
        return group
    top = float(counts.max())
    segs = segments[segments["segment"].isin(counts.index)]
    for row in segs.itertuples(index=False):
        n = int(counts.get(row.segment, 0))
        weight = 3 + 9 * n / top
        folium.PolyLine(
            [(y, x) for x, y in row.geometry.coords],
            color=NOISE_COLOR,
            weight=weight,
            opacity=0.35 + 0.6 * n / top,
            tooltip=f"{html.escape(str(row.label))}: {n} {T('incidents', lang)}",
        ).add_to(group)
    return group


def wechat_layer(places: pd.DataFrame, *, name: str, lang: str = "zh") -> folium.FeatureGroup:
    """Buildings and courtyards as circles sized by households, red where nobody is in a group.

    ``places`` is :func:`geo.wechat.reach_by_building` with ``lon``/``lat``.
    """
    group = folium.FeatureGroup(name=name)
    for row in places.itertuples(index=False):
        if not (np.isfinite(row.lon) and np.isfinite(row.lat)):
            continue
        kind = "nobody" if row.nobody else ("most" if row.share >= 0.5 else "some")
        folium.CircleMarker(
            (row.lat, row.lon),
            radius=float(4 + 2 * np.sqrt(row.households)),
            color=WECHAT_COLORS[kind],
            fill=True,
            fill_opacity=0.7,
            weight=1,
            tooltip=(
                f"{html.escape(str(row.place))}: {T('members', lang)} "
                f"{int(row.members)}/{int(row.households)}"
            ),
        ).add_to(group)
    return group
