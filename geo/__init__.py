"""BeatMap domain package: pure spatial logic over GeoDataFrames, graphs and arrays.

Nothing in this package imports streamlit or folium. Geometry is WGS-84 (EPSG:4326) at the
edges (store, import, export) and a local UTM CRS inside (network, distances, coverage).
"""

__version__ = "0.1.0"
