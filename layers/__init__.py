"""Folium layer builders: data in, Folium layers out.

No file or network I/O and no streamlit here (the one exception: :mod:`layers.assets` reads the
installed Leaflet files under ``static/`` to check them and to inline them in saved HTML).
Every map starts from :func:`base_map`, which works with no internet.
"""

from layers.assets import (
    DEFAULT_STATIC_URL,
    INSTALL_COMMAND,
    MissingAssetError,
    OfflineMap,
    collect_links,
    localize,
    static_url,
    to_standalone_html,
)
from layers.basemap import BaseFeatures, base_features, base_map, basemap_legend_items
from layers.legend import Legend, LegendItem, add_legend, legend_html

__all__ = [
    "DEFAULT_STATIC_URL",
    "INSTALL_COMMAND",
    "BaseFeatures",
    "Legend",
    "LegendItem",
    "MissingAssetError",
    "OfflineMap",
    "add_legend",
    "base_features",
    "base_map",
    "basemap_legend_items",
    "collect_links",
    "legend_html",
    "localize",
    "static_url",
    "to_standalone_html",
]
