"""Tables in, households to visit out: the officer's beat, the values, the doors and the matrix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo._errors import InputError, NotFoundError
from geo.coverage import household_status
from geo.evening.beat_network import BeatNetwork, beat_network
from geo.evening.settings import EveningSettings
from geo.model import ROLES, WGS84
from geo.netdist import Snapped

if TYPE_CHECKING:
    from geo.network import Area

__all__ = ["evening_start", "household_prizes", "officer_beat"]

#: the start must lie at least this close to a walkable way (m), whatever ``max_snap_m`` says
_START_SNAP_M = 500.0


def officer_beat(tables: Mapping[str, pd.DataFrame], officer: int) -> tuple[pd.Series, pd.Series]:
    """The officer's row and the row of the beat they serve.

    Raises
    ------
    NotFoundError
        If no officer has that id (the message lists some that exist) or the beat is missing.
    InputError
        If the officer has no beat.
    """
    officers = tables["officers"]
    rows = officers[officers["id"] == int(officer)]
    if rows.empty:
        known = _some_ids(officers, role="community_officer")
        raise NotFoundError(
            f"unknown officer {officer!r}; community officers in the database: {known}"
        )
    off = rows.iloc[0]
    beat_id = off.get("beat_id")
    if beat_id is None or pd.isna(beat_id):
        role = ROLES.get(str(off.get("role")), (str(off.get("role")),) * 2)[1]
        raise InputError(
            f"officer {int(officer)} ({role}) has no beat; evening routes are planned for "
            "officers with a beat (beat_id)"
        )
    beats = tables["beats"]
    brow = beats[beats["id"] == int(beat_id)]
    if brow.empty:
        raise NotFoundError(f"beat {int(beat_id)} of officer {int(officer)} does not exist")
    return off, brow.iloc[0]


def _some_ids(df: pd.DataFrame, *, role: str | None = None, n: int = 12) -> str:
    if role is not None and "role" in df.columns:
        df = df[df["role"] == role]
    ids = [str(int(i)) for i in df["id"].head(n)]
    if not ids:
        return "none"
    more = len(df) - len(ids)
    return ", ".join(ids) + (f" ... ({more} more)" if more > 0 else "")


def household_prizes(
    households: pd.DataFrame,
    status: pd.DataFrame,
    settings: EveningSettings,
) -> np.ndarray:
    """Value of visiting each household tonight (0 = do not plan).

    Parameters
    ----------
    households : DataFrame
        Columns ``rental`` and ``lodgers``.
    status : DataFrame
        :func:`geo.coverage.household_status` of the same rows (``status`` column).
    settings : EveningSettings

    Returns
    -------
    numpy.ndarray of float
    """
    st = status["status"].astype(str).to_numpy()
    base = np.select(
        [st == "unvisited", st == "not_home", st == "refused"],
        [settings.weight_never, settings.weight_not_home, settings.weight_refused],
        default=0.0,
    ).astype(np.float64)
    rental = households["rental"].fillna(False).to_numpy(dtype=bool)
    lodgers = pd.to_numeric(households["lodgers"], errors="coerce").fillna(0).to_numpy() > 0
    bonus = settings.weight_rental * rental + settings.weight_lodgers * lodgers
    return np.where(base > 0, base + bonus, 0.0)


def evening_start(date: Any, settings: EveningSettings) -> pd.Timestamp:
    """The moment the evening of ``date`` starts (``settings.start`` that day)."""
    try:
        day = pd.Timestamp(date).normalize()
    except (TypeError, ValueError):
        raise InputError(f"date must be a date such as 2026-04-12, got {date!r}") from None
    s = settings.start
    return day + pd.Timedelta(hours=s.hour, minutes=s.minute)  # type: ignore[union-attr]


@dataclass
class Problem:
    """Households of one beat prepared for routing: doors, stops and the travel matrix.

    Attributes
    ----------
    net : BeatNetwork
    households : pandas.DataFrame
        Candidate rows (prize > 0, reachable) with ``prize``, ``status``, ``last_outcome``,
        ``last_attempt_at``, ``attempts``, ``x``, ``y`` (UTM) and ``door`` (0-based).
    door_xy : numpy.ndarray
        ``(n_doors, 2)`` door positions, UTM.
    snapped : Snapped
        Row 0 = the start, rows 1.. = the doors.
    dist : numpy.ndarray
        Metres including the access legs, ``(1 + n_doors)`` square.
    start_xy : numpy.ndarray
    unreachable : pandas.DataFrame
        Households to visit that no walk reaches.
    settings : EveningSettings
    """

    net: BeatNetwork
    households: pd.DataFrame
    door_xy: np.ndarray
    snapped: Snapped
    dist: np.ndarray
    start_xy: np.ndarray
    unreachable: pd.DataFrame
    settings: EveningSettings


def prepare(
    area: Area,
    tables: Mapping[str, pd.DataFrame],
    beat: pd.Series,
    *,
    cutoff: pd.Timestamp,
    settings: EveningSettings,
    start_point: tuple[float, float] | None,
    network: BeatNetwork | None,
) -> Problem:
    """The routing problem of one beat's evening.

    Steps: the households still to visit and their values; the beat's network; doors (the
    households at one point); snapping the start and the doors; the door x door matrix; the
    doors no walk reaches, set aside.
    """
    crs = area.crs
    beat_id = int(beat["id"])
    poly = gpd.GeoSeries([beat["geometry"]], crs=WGS84).to_crs(crs).iloc[0]
    start_xy = start_point_xy(beat, start_point, crs)
    cand, status_end = _households_to_visit(tables, beat, cutoff, settings)
    net = network or beat_network(area, poly, margin_m=settings.margin_m, include=[start_xy])
    points = gpd.GeoSeries(cand["geometry"])
    points = points.set_crs(WGS84) if points.crs is None else points
    xy = shapely.get_coordinates(points.to_crs(crs).values)
    cand["x"], cand["y"] = xy[:, 0], xy[:, 1]
    door_xy, door_of = np.unique(np.round(xy, 1), axis=0, return_inverse=True)
    door_of = door_of.ravel()
    sn = Snapped.concat([_snap_start(net, start_xy, settings), snap_doors(net, door_xy, settings)])
    d = _door_matrix(net, sn)
    reach = np.isfinite(d[0, 1:]) & np.isfinite(d[1:, 0])
    unreachable = cand.iloc[np.flatnonzero(np.isin(door_of, np.flatnonzero(~reach)))]
    if not reach.any():
        raise InputError(
            f"none of the {len(cand)} households to visit in beat {beat_id} can be reached on "
            f"the walking network from the start point (farther than {settings.max_snap_m:g} m "
            "from every walkable way, or on a part not connected to it)"
        )
    # keep reachable doors only, renumbered
    keep_doors = np.flatnonzero(reach)
    remap = np.full(len(door_xy), -1)
    remap[keep_doors] = np.arange(keep_doors.size)
    cand["door"] = remap[door_of]
    cand = cand[cand["door"] >= 0]
    rows = np.r_[0, keep_doors + 1]
    d = np.ascontiguousarray(d[np.ix_(rows, rows)])
    return Problem(
        net, cand, door_xy[keep_doors], sn.take(rows), d, start_xy, unreachable, settings
    )


def _households_to_visit(
    tables: Mapping[str, pd.DataFrame],
    beat: pd.Series,
    cutoff: pd.Timestamp,
    settings: EveningSettings,
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The beat's households with a prize, with their status; and the end of the evening."""
    beat_id = int(beat["id"])
    hh_all = tables["households"]
    hh = hh_all[hh_all["beat_id"] == beat_id]
    if hh.empty:
        raise InputError(f"beat {beat_id} ({beat.get('name', '')}) has no households")
    # visits recorded up to the end of this evening count (re-planning mid-evening)
    e = settings.end
    status_end = cutoff.normalize() + pd.Timedelta(hours=e.hour, minutes=e.minute)  # type: ignore[union-attr]
    status = household_status(hh, tables["visits"], end=status_end)
    prize = household_prizes(hh, status, settings)
    if not (prize > 0).any():
        raise InputError(
            f"beat {beat_id} ({beat.get('name', '')}) has no unvisited households left to plan "
            f"by {status_end:%Y-%m-%d %H:%M} (all visited, moved away or weighted 0)"
        )
    cand = hh[prize > 0].copy()
    cand["prize"] = prize[prize > 0]
    for col in ("status", "last_outcome", "last_attempt_at", "attempts"):
        cand[col] = status.loc[cand.index, col].to_numpy()
    return cand, status_end


def start_point_xy(
    beat: pd.Series, start_point: tuple[float, float] | None, crs: pyproj.CRS
) -> np.ndarray:
    """The start in UTM: ``start_point`` (lon, lat) when given, else the beat's office."""
    if start_point is not None:
        lon, lat = start_point
    else:
        lon, lat = beat.get("office_lon"), beat.get("office_lat")
        if lon is None or lat is None or pd.isna(lon) or pd.isna(lat):
            raise InputError(
                f"beat {int(beat['id'])} ({beat.get('name', '')}) has no community police office "
                "point (office_lon/office_lat); set it or give a start point (lon, lat)"
            )
    pt = gpd.GeoSeries([shapely.Point(float(lon), float(lat))], crs=WGS84).to_crs(crs)
    return shapely.get_coordinates(pt.values)[0]


def _snap_start(net: BeatNetwork, start_xy: np.ndarray, settings: EveningSettings) -> Snapped:
    reach = max(settings.max_snap_m, _START_SNAP_M)
    sn = net.index.snap(start_xy[None, :], max_distance=reach)
    if not sn.valid[0]:
        raise InputError(
            f"the start point ({start_xy[0]:.0f}, {start_xy[1]:.0f}) is farther than "
            f"{reach:g} m from every walkable street"
        )
    return sn


def snap_doors(net: BeatNetwork, xy: np.ndarray, settings: EveningSettings) -> Snapped:
    """Snap doors; doors inside an estate prefer the estate's own paths (evening and team)."""
    max_snap = settings.max_snap_m
    estate = net.estate_of_points(xy)
    parts: list[Snapped] = []
    order: list[np.ndarray] = []
    outside = np.flatnonzero(estate < 0)
    if outside.size:
        parts.append(net.index.snap(xy[outside], max_distance=max_snap))
        order.append(outside)
    for k in np.unique(estate[estate >= 0]):
        members = np.flatnonzero(estate == k)
        prefer = net.edge_estate == k
        if net.edge_estate.size and prefer.any():
            sn = net.index.snap(xy[members], max_distance=max_snap, prefer=prefer)
        else:
            sn = net.index.snap(xy[members], max_distance=max_snap)
        parts.append(sn)
        order.append(members)
    sn = Snapped.concat(parts)
    inv = np.empty(len(xy), dtype=np.int64)
    inv[np.concatenate(order)] = np.arange(len(xy))
    return sn.take(inv)


def _door_matrix(net: BeatNetwork, sn: Snapped) -> np.ndarray:
    """Network metres between snapped points plus both access legs (inf: no walk)."""
    d = net.index.distance_matrix(sn)
    acc = np.nan_to_num(sn.distance, nan=np.inf)
    d = d + acc[:, None] + acc[None, :]
    np.fill_diagonal(d, 0.0)
    return d
