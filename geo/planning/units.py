"""Installed units that cover the street now, with the radius of their kind."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import InputError
from geo.model import CAMERA_KINDS
from geo.planning._frames import beat_of, metric_beats, to_metric

if TYPE_CHECKING:
    from pyproj import CRS

__all__ = ["COVERING_STATUSES", "DEFAULT_RADII", "check_radii", "existing_units"]

#: coverage radius (m along the walking network) per camera kind of :data:`geo.model.CAMERA_KINDS`
DEFAULT_RADII: Mapping[str, float] = {
    "recorder_unit": 40.0,
    "doorbell": 15.0,
    "cctv": 60.0,
    "public": 80.0,
}
#: camera statuses that cover the street (offline, removed and planned units do not)
COVERING_STATUSES = ("active",)


def check_radii(
    radii: Mapping[str, float] | Iterable[tuple[str, float]] | None,
) -> dict[str, float]:
    out = dict(DEFAULT_RADII)
    if radii:
        radii = dict(radii)
        bad = sorted(set(radii) - set(CAMERA_KINDS))
        if bad:
            raise InputError(
                f"unknown camera kinds {bad} in radii; allowed: {', '.join(CAMERA_KINDS)}"
            )
        for kind, r in radii.items():
            if not np.isfinite(r) or r < 0:
                raise InputError(f"radius of {kind!r} must be a number >= 0, got {r!r}")
            out[kind] = float(r)
    return out


def existing_units(
    cameras: pd.DataFrame | None,
    *,
    crs: CRS | str,
    radii: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
    beats: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Installed units that cover the street now, with the radius of their kind.

    Parameters
    ----------
    cameras : DataFrame
        :data:`geo.model` cameras: ``kind``, ``status``, ``facing``, ``fov`` and points. Only
        :data:`COVERING_STATUSES` (active) units count; a missing status counts as active.
    crs : CRS
        Metric CRS of the result.
    radii : mapping, optional
        Radius per kind, overriding :data:`DEFAULT_RADII`.
    beats : DataFrame, optional
        Beat polygons: each unit gets its ``beat_id``.

    Returns
    -------
    geopandas.GeoDataFrame
        The kept rows in ``crs`` with ``radius``, ``facing``, ``fov`` (NaN/360 when unknown)
        and ``beat_id``.
    """
    r = check_radii(radii)
    cams = to_metric(cameras, crs, "cameras")
    if len(cams) and "status" in cams:
        status = cams["status"].astype(object)
        cams = cams[(status.isna() | status.isin(COVERING_STATUSES)).to_numpy(bool)]
    cams = cams.copy()
    kind = (
        cams["kind"].astype(object)
        if "kind" in cams
        else pd.Series("recorder_unit", index=cams.index)
    )
    cams["radius"] = kind.map(r).fillna(r["recorder_unit"]).to_numpy(float)
    cams["facing"] = (
        pd.to_numeric(cams["facing"], errors="coerce").to_numpy(float)
        if "facing" in cams
        else np.nan
    )
    cams["fov"] = (
        pd.to_numeric(cams["fov"], errors="coerce").fillna(360.0).to_numpy(float)
        if "fov" in cams
        else 360.0
    )
    cams["beat_id"] = beat_of(cams, metric_beats(beats, crs)).to_numpy()
    return gpd.GeoDataFrame(cams, geometry="geometry", crs=crs)
