"""A small fixture city for the coverage tests: the demo generator over a stand-in grid area.

The stand-in has the attributes of ``geo.network.Area`` that :func:`geo.demo.build_demo` and
the base map read: a 2.4 x 1.6 km grid of named streets every 200 m, four courtyard houses per
block, a row of restaurants on one street (for night noise) and no water. It needs no OSM file,
so the coverage tests run before and without ``geo.network``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.demo import DemoCity, build_demo

UTM50 = "EPSG:32650"
X0, Y0 = 447_000.0, 4_426_000.0  # Haidian, Beijing
WIDTH, HEIGHT, STEP = 2400.0, 1600.0, 200.0


@dataclass
class _Report:
    edges: int
    buildings: int

    def lines(self, lang: str = "zh") -> list[str]:
        if lang == "en":
            return [f"streets: {self.edges}", f"buildings: {self.buildings}"]
        return [f"街巷：{self.edges}", f"建筑：{self.buildings}"]


@dataclass
class GridArea:
    """Stand-in for ``geo.network.Area`` over a street grid."""

    name: str
    crs: str
    street_edges: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame
    water: gpd.GeoDataFrame = field(
        default_factory=lambda: gpd.GeoDataFrame({"kind": []}, geometry=[], crs=UTM50)
    )
    cameras: gpd.GeoDataFrame = field(
        default_factory=lambda: gpd.GeoDataFrame({"direction": []}, geometry=[], crs=UTM50)
    )
    graph: Any = None
    source: str = "grid"

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        box = gpd.GeoSeries([shapely.box(X0, Y0, X0 + WIDTH, Y0 + HEIGHT)], crs=self.crs)
        return tuple(float(v) for v in box.to_crs("EPSG:4326").total_bounds)

    def edges(self) -> gpd.GeoDataFrame:
        return self.street_edges

    def to_wgs84(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return gdf.to_crs("EPSG:4326")

    def report(self) -> _Report:
        return _Report(len(self.street_edges), len(self.buildings))


def grid_area() -> GridArea:
    """The stand-in area (deterministic)."""
    lines, names, highway, uv = [], [], [], []
    xs = np.arange(X0, X0 + WIDTH + 1, STEP)
    ys = np.arange(Y0, Y0 + HEIGHT + 1, STEP)
    node = {}

    def nid(x: float, y: float) -> int:
        return node.setdefault((round(x), round(y)), len(node) + 1)

    for j, y in enumerate(ys):
        for x0, x1 in zip(xs[:-1], xs[1:], strict=True):
            lines.append(shapely.LineString([(x0, y), (x1, y)]))
            names.append(f"东{j + 1}条")
            highway.append("residential" if j % 4 else "secondary")
            uv.append((nid(x0, y), nid(x1, y)))
    for i, x in enumerate(xs):
        for y0, y1 in zip(ys[:-1], ys[1:], strict=True):
            lines.append(shapely.LineString([(x, y0), (x, y1)]))
            names.append(f"北{i + 1}胡同")
            highway.append("living_street")
            uv.append((nid(x, y0), nid(x, y1)))
    edges = gpd.GeoDataFrame(
        {
            "u": [a for a, _ in uv],
            "v": [b for _, b in uv],
            "highway": highway,
            "name": names,
            "access": None,
            "length": [g.length for g in lines],
        },
        geometry=lines,
        crs=UTM50,
    )
    houses = []
    for x in xs[:-1]:
        for y in ys[:-1]:
            for dx, dy in ((40, 40), (120, 40), (40, 120), (120, 120)):
                houses.append(shapely.box(x + dx, y + dy, x + dx + 30, y + dy + 25))
    buildings = gpd.GeoDataFrame(
        {
            "building": "house",
            "levels": np.nan,
            "osm_id": np.arange(1, len(houses) + 1),
        },
        geometry=houses,
        crs=UTM50,
    )
    shop_x = X0 + np.arange(5, 12) * 30.0
    pois = gpd.GeoDataFrame(
        {"key": "amenity", "value": "restaurant", "name": [f"饭馆{i}" for i in range(7)]},
        geometry=shapely.points(np.column_stack([shop_x, np.full(7, Y0 + 808.0)])),
        crs=UTM50,
    )
    landuse = gpd.GeoDataFrame({"landuse": [], "name": []}, geometry=[], crs=UTM50)
    return GridArea("测试网格 Grid", UTM50, edges, buildings, pois, landuse)


@functools.lru_cache(maxsize=2)
def fixture_city(seed: int = 11) -> tuple[GridArea, DemoCity]:
    """The area and its demo city (cached: build once per test session)."""
    area = grid_area()
    return area, build_demo(area, seed=seed, households_per_beat=300)


def frames(seed: int = 11) -> dict[str, pd.DataFrame]:
    """Copies of the fixture city's frames."""
    _, city = fixture_city(seed)
    return {k: v.copy() for k, v in city.frames.items()}
