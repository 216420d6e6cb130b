"""Heat maps (Leaflet.heat through :class:`folium.plugins.HeatMap`) from weighted points.

The points come from :func:`geo.coverage.heat_points`: at city scale they are H3 cell centres
with summed weights, so the page stays small whatever the number of households or incidents.
Leaflet.heat is served locally by :mod:`layers.assets` (folium's patched copy).
"""

from __future__ import annotations

import folium
import folium.plugins
import numpy as np
import pandas as pd

__all__ = ["HEAT_GRADIENTS", "heat_layer"]

#: named colour ramps (stop -> colour)
HEAT_GRADIENTS = {
    "unvisited": {0.2: "#fee5d9", 0.45: "#fcae91", 0.7: "#fb6a4a", 1.0: "#cb181d"},
    "incidents": {0.2: "#ffffb2", 0.45: "#fecc5c", 0.7: "#fd8d3c", 1.0: "#bd0026"},
    "night": {0.2: "#edf8fb", 0.45: "#9ebcda", 0.7: "#8c6bb1", 1.0: "#6e016b"},
}


def heat_layer(
    points: pd.DataFrame,
    *,
    name: str,
    gradient: str | dict[float, str] = "incidents",
    radius: int = 18,
    blur: int = 14,
    min_opacity: float = 0.3,
    show: bool = False,
) -> folium.FeatureGroup:
    """A heat-map layer.

    Parameters
    ----------
    points : DataFrame
        ``lat``, ``lon`` and optionally ``weight`` (0–1).
    name : str
        Layer name.
    gradient : str or dict
        One of :data:`HEAT_GRADIENTS` or a ``{stop: colour}`` mapping.
    radius, blur : int
        Leaflet.heat radius and blur in pixels.
    min_opacity : float
        Opacity where the heat is lowest.
    show : bool
        Shown when the map opens (heat maps are off by default; the user switches them on).

    Returns
    -------
    folium.FeatureGroup
        Holding one HeatMap, or nothing when ``points`` is empty.

    Raises
    ------
    ValueError
        When ``gradient`` names an unknown ramp.
    """
    if isinstance(gradient, str):
        if gradient not in HEAT_GRADIENTS:
            raise ValueError(f"gradient must be one of {tuple(HEAT_GRADIENTS)}, got {gradient!r}")
        gradient = HEAT_GRADIENTS[gradient]
    group = folium.FeatureGroup(name=name, show=show)
    if len(points):
        cols = ["lat", "lon", "weight"] if "weight" in points.columns else ["lat", "lon"]
        data = np.round(points[cols].to_numpy(float), 5).tolist()
        folium.plugins.HeatMap(
            data,
            radius=radius,
            blur=blur,
            min_opacity=min_opacity,
            max_zoom=18,
            gradient={str(k): v for k, v in gradient.items()},
        ).add_to(group)
    return group
