"""Beats (警务区): which beat each point lies in.

:func:`assign_beats` is the one rule every page, import and plan uses to put a household, an
incident, a camera or a candidate site in a beat:

1. a point inside a beat polygon (its border included) belongs to that beat; inside several
   (overlapping or shared borders), to the one with the smallest id;
2. beat borders run along streets, so a point on the street between two beats (an incident, an
   intersection, a household geocoded to its door) may lie in no polygon: it joins the nearest
   beat within :data:`BEAT_SNAP_M` metres;
3. anything farther out is in no beat (``<NA>``) and is reported in :attr:`Assignment.outside`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError
from geo.coords import utm_crs

__all__ = ["BEAT_SNAP_M", "Assignment", "assign_beats"]

#: points outside every beat polygon join the nearest beat within this many metres
BEAT_SNAP_M = 30.0


@dataclass(frozen=True)
class Assignment:
    """Result of :func:`assign_beats`.

    Attributes
    ----------
    beat_id : pandas.Series
        Beat id per point (Int64, <NA> where the point is in no beat), same index.
    outside : pandas.Index
        Index labels of points in no beat (farther than the snap distance from every beat).
    overlaps : int
        Points inside more than one beat (the beat with the smallest id is kept).
    snapped : pandas.Index
        Index labels of points outside every polygon that joined the nearest beat.
    """

    beat_id: pd.Series
    outside: pd.Index
    overlaps: int
    snapped: pd.Index


def assign_beats(
    points: gpd.GeoDataFrame, beats: gpd.GeoDataFrame, *, snap_m: float = BEAT_SNAP_M
) -> Assignment:
    """Each point's beat: point in polygon, else the nearest beat within ``snap_m`` metres.

    Parameters
    ----------
    points : GeoDataFrame
        Points (households, incidents, cameras, sites), any CRS.
    beats : GeoDataFrame
        Polygons with an ``id`` column, same CRS as ``points``.
    snap_m : float, optional
        Metres within which a point outside every polygon joins the nearest beat (0: never).
        Measured in the local UTM zone when the CRS is geographic.

    Returns
    -------
    Assignment
        Points in no beat are reported in ``outside``, not dropped.

    Raises
    ------
    InputError
        ``beats`` without ``id``, different CRSs, or a negative ``snap_m``.
    """
    if "id" not in beats.columns:
        raise InputError("beats need an 'id' column")
    if points.crs != beats.crs:
        raise InputError(f"points CRS {points.crs} differs from beats CRS {beats.crs}")
    if not snap_m >= 0:
        raise InputError(f"snap_m must be a number of metres >= 0, got {snap_m!r}")
    empty = pd.Index([], dtype=points.index.dtype)
    result = pd.Series(pd.NA, index=points.index, dtype="Int64")
    if len(points) == 0 or len(beats) == 0:
        return Assignment(result, points.index, 0, empty)
    values, overlaps = _inside(points.geometry.to_numpy(), beats)
    lost = np.flatnonzero(pd.isna(values))
    snapped = np.zeros(0, np.int64)
    if lost.size and snap_m > 0:
        snapped = _nearest_within(points.iloc[lost], beats, snap_m, values, lost)
    result = pd.Series(pd.array(values, dtype="Int64"), index=points.index)
    outside = points.index[result.isna().to_numpy()]
    return Assignment(result, outside, overlaps, points.index[snapped])


def _inside(geoms: np.ndarray, beats: gpd.GeoDataFrame) -> tuple[np.ndarray, int]:
    """Beat id (object array, NA outside) of the polygon each point lies in; overlap count."""
    tree = shapely.STRtree(beats.geometry.to_numpy())
    pt_idx, beat_idx = tree.query(geoms, predicate="intersects")
    beat_ids = beats["id"].to_numpy()[beat_idx]
    order = np.lexsort((beat_ids, pt_idx))  # the smallest id wins on shared borders
    pt_sorted, ids_sorted = pt_idx[order], beat_ids[order]
    first = np.ones(len(pt_sorted), dtype=bool)
    first[1:] = pt_sorted[1:] != pt_sorted[:-1]
    counts = np.bincount(pt_sorted, minlength=len(geoms))
    values = np.full(len(geoms), pd.NA, dtype=object)
    values[pt_sorted[first]] = ids_sorted[first]
    return values, int((counts > 1).sum())


def _nearest_within(
    lost: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame,
    snap_m: float,
    values: np.ndarray,
    positions: np.ndarray,
) -> np.ndarray:
    """Give the ``lost`` points (at ``positions``) the nearest beat within ``snap_m`` metres;
    return the positions that got one."""
    if lost.crs is not None and lost.crs.is_geographic:
        utm = utm_crs(tuple(lost.total_bounds))
        lost, beats = lost.to_crs(utm), beats.to_crs(utm)
    tree = shapely.STRtree(beats.geometry.to_numpy())
    pi, bi = tree.query_nearest(lost.geometry.to_numpy(), max_distance=snap_m, all_matches=True)
    if pi.size == 0:
        return np.zeros(0, np.int64)
    ids = beats["id"].to_numpy()[bi]
    order = np.lexsort((ids, pi))  # equally near beats: the smallest id, as inside
    pi, ids = pi[order], ids[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    values[positions[pi[first]]] = ids[first]
    return positions[pi[first]]
