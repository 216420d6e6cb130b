"""Frames in the area's metric CRS: conversion, points and beats shared by the planning steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError
from geo.beats import assign_beats
from geo.model import WGS84

if TYPE_CHECKING:
    from pyproj import CRS


def to_metric(gdf: pd.DataFrame | None, crs: CRS | str, what: str) -> gpd.GeoDataFrame:
    """``gdf`` as a GeoDataFrame in ``crs`` (a frame without a CRS is taken as WGS-84; None
    gives an empty frame)."""
    if gdf is None:
        return gpd.GeoDataFrame({}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    if not isinstance(gdf, gpd.GeoDataFrame):
        if "geometry" not in gdf.columns:
            raise InputError(f"{what} needs a geometry column")
        gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=WGS84)
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    if gdf.crs.equals(crs):
        return gdf
    return gdf.to_crs(crs)


def metric_beats(beats: pd.DataFrame | None, crs: CRS | str) -> gpd.GeoDataFrame | None:
    """Beat polygons in ``crs``, or None when there are none."""
    return to_metric(beats, crs, "beats") if beats is not None and len(beats) else None


def point_xy(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """(n, 2) coordinates of points (a polygon's point on its surface)."""
    geom = gdf.geometry.to_numpy()
    pts = np.where(shapely.get_type_id(geom) == 0, geom, shapely.point_on_surface(geom))
    return shapely.get_coordinates(pts).reshape(-1, 2) if len(pts) else np.empty((0, 2))


def beat_of(points: gpd.GeoDataFrame, beats: gpd.GeoDataFrame | None) -> pd.Series:
    """Beat id (Int64, <NA> in no beat) of each point by :func:`geo.beats.assign_beats`."""
    if beats is None or len(beats) == 0 or len(points) == 0:
        return pd.Series(pd.array([pd.NA] * len(points), dtype="Int64"), index=points.index)
    return assign_beats(points, beats).beat_id


def known_beat(points: gpd.GeoDataFrame, beats: gpd.GeoDataFrame | None) -> pd.Series:
    """The ``beat_id`` a table carries, else the beat each point lies in."""
    if "beat_id" in points:
        return points["beat_id"].astype("Int64")
    return beat_of(points, beats)
