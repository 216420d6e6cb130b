"""Beats (警务区): which beat each household lies in."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError


@dataclass(frozen=True)
class Assignment:
    """Result of :func:`assign_beats`.

    Attributes
    ----------
    beat_id : pandas.Series
        Beat id per household (Int64, <NA> where the point is in no beat), same index.
    outside : pandas.Index
        Index labels of households that lie in no beat.
    overlaps : int
        Households inside more than one beat (the beat with the smallest id is kept).
    """

    beat_id: pd.Series
    outside: pd.Index
    overlaps: int


def assign_beats(households: gpd.GeoDataFrame, beats: gpd.GeoDataFrame) -> Assignment:
    """Find each household's beat by point in polygon (vectorised, STRtree).

    Parameters
    ----------
    households : GeoDataFrame
        Points, any CRS.
    beats : GeoDataFrame
        Polygons with an ``id`` column, same CRS as ``households``.

    Returns
    -------
    Assignment
        Households outside every beat are reported in ``outside``, not dropped.
    """
    if "id" not in beats.columns:
        raise InputError("beats need an 'id' column")
    if households.crs != beats.crs:
        raise InputError(f"households CRS {households.crs} differs from beats CRS {beats.crs}")
    result = pd.Series(pd.NA, index=households.index, dtype="Int64")
    if len(households) == 0 or len(beats) == 0:
        return Assignment(result, households.index, 0)
    tree = shapely.STRtree(beats.geometry.values)
    pt_idx, beat_idx = tree.query(households.geometry.values, predicate="intersects")
    beat_ids = beats["id"].to_numpy()[beat_idx]
    # several beats for one point (shared borders): keep the smallest id, count the overlaps
    order = np.lexsort((beat_ids, pt_idx))
    pt_sorted, ids_sorted = pt_idx[order], beat_ids[order]
    first = np.ones(len(pt_sorted), dtype=bool)
    first[1:] = pt_sorted[1:] != pt_sorted[:-1]
    counts = np.bincount(pt_sorted, minlength=len(households))
    values = result.to_numpy(dtype=object)
    values[pt_sorted[first]] = ids_sorted[first]
    result = pd.Series(pd.array(values, dtype="Int64"), index=households.index)
    outside = households.index[result.isna().to_numpy()]
    return Assignment(result, outside, int((counts > 1).sum()))
