"""What the Cameras page asks of the planner: its filtered tables, the install effect, the
beat shading of the map."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.coverage import simplify_wgs84
from geo.effect import EffectResult, install_effect
from geo.filters import Filters, apply_filters, with_beat
from geo.model import WGS84
from geo.planning._frames import to_metric
from geo.planning.plan import CameraPlan

__all__ = ["PlanningFrames", "beat_shares_frame", "plan_effect", "planning_frames"]


@dataclass(frozen=True)
class PlanningFrames:
    """The tables :func:`geo.planning.plan_cameras` plans over, and the day it plans at.

    Attributes
    ----------
    tables : dict of str to DataFrame
        ``beats``, ``officers``, ``households``, ``cameras``, ``incidents`` (those given).
    as_of : pandas.Timestamp or None
        Reference day of the incident decay: the day after the campaign window's end, or None
        (the latest incident).
    """

    tables: dict[str, pd.DataFrame]
    as_of: pd.Timestamp | None


def planning_frames(
    frames: Mapping[str, pd.DataFrame], filters: Filters | None = None
) -> PlanningFrames:
    """The tables :func:`geo.planning.plan_cameras` needs, narrowed by the sidebar's filters.

    Beats, officers, households and incidents follow :func:`geo.filters.apply_filters`
    (station, beat, officer, household type); incidents are kept up to the end of the campaign
    window (their whole history before it: the weights decay with age) and ``as_of`` is that
    end. Cameras are *not* narrowed: every installed unit covers the street, also across a beat
    border or in front of a home of another type.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        The store's tables (at least ``beats``, ``officers``, ``households``, ``cameras``,
        ``incidents``).
    filters : geo.filters.Filters, optional

    Returns
    -------
    PlanningFrames
    """
    filters = Filters() if filters is None else filters
    names = ("beats", "officers", "households", "cameras", "incidents")
    picked = {n: frames[n] for n in names if n in frames}
    inc = picked.get("incidents")
    if inc is not None and "beat_id" not in inc.columns and picked.get("beats") is not None:
        picked["incidents"] = with_beat(inc, picked["beats"])
    tables = apply_filters(picked, filters, dated=())
    tables["cameras"] = frames.get("cameras")
    if filters.end is None:
        return PlanningFrames(tables, None)
    as_of = pd.Timestamp(filters.end).normalize() + pd.Timedelta(days=1)
    inc = tables.get("incidents")
    if inc is not None and len(inc):
        when = pd.to_datetime(inc["occurred_at"])
        tables["incidents"] = inc[(when < as_of).fillna(False).to_numpy(bool)]
    return PlanningFrames(tables, as_of)


def plan_effect(
    frames: Mapping[str, pd.DataFrame],
    filters: Filters | None = None,
    *,
    since: pd.Timestamp | str | None = None,
    until: pd.Timestamp | str | None = None,
    window_days: int = 60,
    min_installs: int = 3,
) -> EffectResult:
    """Incidents before and after unit installs, beside comparable beats (difference in
    differences): :func:`geo.effect.install_effect` over the filtered beats.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        The store's tables (``beats``, ``households``, ``cameras``, ``incidents``).
    filters : geo.filters.Filters, optional
        Station, beat, officer and household type narrow the beats; incidents keep their whole
        history.
    since, until : timestamp, optional
        Installs studied: default the campaign window of ``filters``, else the 180 days up to
        the last incident.
    window_days, min_installs : int
        See :func:`geo.effect.install_effect`.

    Returns
    -------
    geo.effect.EffectResult
        ``note`` holds the plain-language summary, with what it does not prove.
    """
    filters = Filters() if filters is None else filters
    picked = {n: frames[n] for n in ("beats", "officers", "households", "cameras", "incidents")}
    for name in ("cameras", "incidents"):
        if "beat_id" not in picked[name].columns:
            picked[name] = with_beat(picked[name], picked["beats"])
    f = apply_filters(picked, filters, dated=())
    last = pd.to_datetime(f["incidents"]["occurred_at"]).max() if len(f["incidents"]) else None
    if until is None:
        until = filters.end if filters.end is not None else last
    if until is None or pd.isna(until):
        until = pd.Timestamp.now().normalize()
    if since is None:
        since = (
            filters.start
            if filters.start is not None
            else pd.Timestamp(until) - pd.Timedelta(days=180)
        )
    return install_effect(
        beats=f["beats"],
        households=f["households"],
        cameras=f["cameras"],
        incidents=f["incidents"],
        since=since,
        until=until,
        window_days=window_days,
        min_installs=min_installs,
    )


def beat_shares_frame(
    plan: CameraPlan, beats: pd.DataFrame, *, tolerance: float = 2.0
) -> gpd.GeoDataFrame:
    """Beat polygons with their covered shares before and after the plan, for the map.

    Parameters
    ----------
    plan : CameraPlan
    beats : DataFrame
        ``id``, ``name`` and polygons (WGS-84 when the frame has no CRS).
    tolerance : float
        Simplification in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        WGS-84: ``beat_id``, ``name``, ``share_before``, ``share_after``, ``hh_share_before``,
        ``hh_share_after``, ``low_share`` and the polygons.
    """
    cols = ["beat_id", "share_before", "share_after", "hh_share_before", "hh_share_after",
            "low_share"]  # fmt: skip
    frame = to_metric(beats, WGS84, "beats")[["id", "name", "geometry"]]
    frame = frame.rename(columns={"id": "beat_id"}).merge(
        plan.by_beat[cols], on="beat_id", how="left"
    )
    frame["low_share"] = frame["low_share"].fillna(False).astype(bool)
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
    return simplify_wgs84(out, tolerance=tolerance)
