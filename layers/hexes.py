"""H3 hexagons of household counts and coverage: the city-scale view of households.

Above ~5,000 households in view (:func:`geo.coverage.choose_view`) the page draws one hexagon
per H3 cell instead of one point per household, coloured by coverage with the classes of the
beat choropleth; the tooltip gives the counts.
"""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from geo.coverage import hex_boundaries
from geo.i18n import Catalogue
from layers._features import ClassedPolygons
from layers.beats import COVERAGE_COLORS, NO_DATA_COLOR, coverage_class

__all__ = ["hexes_layer"]

#: texts of this module: key -> (Chinese, English)
T = Catalogue(
    {
        "households": ("户数", "households"),
        "visited": ("已走访", "visited"),
        "not_home": ("不在家", "not home"),
        "unvisited": ("未走访", "not yet visited"),
        "coverage": ("覆盖率", "coverage"),
        "cameras": ("摄录设备", "cameras"),
    }
)


def hexes_layer(
    hexes: pd.DataFrame,
    *,
    name: str,
    lang: str = "zh",
    fill_opacity: float = 0.6,
    show: bool = True,
) -> folium.FeatureGroup:
    """A layer of H3 hexagons coloured by coverage.

    Parameters
    ----------
    hexes : DataFrame
        :func:`geo.coverage.hex_summary`: ``cell``, ``households``, ``visited``,
        ``not_home``, ``unvisited``, ``coverage`` and optionally ``cameras``.
    name : str
        Layer name.
    lang : {"zh", "en"}
        Language of the tooltips.
    fill_opacity : float
        Opacity of the fill.
    show : bool
        Shown when the map opens.

    Returns
    -------
    folium.FeatureGroup
        One feature per hexagon (``kind="hex"``).
    """
    rings = hex_boundaries(hexes["cell"].tolist())
    cls = coverage_class(hexes["coverage"].to_numpy(float))
    cams = hexes["cameras"].to_numpy() if "cameras" in hexes.columns else np.zeros(len(hexes))
    hh, vis = hexes["households"].to_numpy(), hexes["visited"].to_numpy()
    nh, un = hexes["not_home"].to_numpy(), hexes["unvisited"].to_numpy()
    cov = hexes["coverage"].to_numpy(float)
    words = {k: T(k, lang) for k in T}
    features = []
    for i, ring in enumerate(rings):
        tip = (
            f"{words['households']} {hh[i]:,} · {words['coverage']} {cov[i]:.0%}<br>"
            f"{words['visited']} {vis[i]:,} · {words['not_home']} {nh[i]:,} · "
            f"{words['unvisited']} {un[i]:,}"
        )
        if cams[i]:
            tip += f"<br>{words['cameras']} {int(cams[i]):,}"
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "hex", "c": int(cls[i]), "t": tip},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    styles = [
        {"color": "#ffffff", "weight": 0.6, "fillColor": c, "fillOpacity": fill_opacity}
        for c in (*COVERAGE_COLORS, NO_DATA_COLOR)
    ]
    group = folium.FeatureGroup(name=name, show=show)
    ClassedPolygons(
        {"type": "FeatureCollection", "features": features},
        styles=styles,
        highlight={"weight": 2, "color": "#000000"},
    ).add_to(group)
    return group
