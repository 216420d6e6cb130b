"""Officer time in the community: hours per officer per week, against the weekly target.

Dongcheng's full-time community officers went from 6 to 36 hours a week in the community. From
the visit records BeatMap estimates each officer's hours:

* **Service** — every visit (whatever its outcome) counts the evening planner's service time
  (``EveningSettings.service_min``, 10 minutes).
* **Meetings** — each neighbour meeting held on site (:mod:`geo.mediation`) counts an hour,
  shared among the beat's community officers.
* **Walking** — within one evening (an officer's visits of one calendar day), the walk between
  consecutive visits counts: the network distance between the two doors (straight line × 1.3
  without a network) at the planner's walking speed (4.5 km/h), but never more than the time
  that actually passed between the two visits, less the service time. The walk from the beat
  office to the first door and back from the last counts the same way.

Weeks start on Monday. The trend is the least-squares slope of the last ``trend_weeks`` weeks
(hours per week per week); the target is the ``weekly_hours_target`` setting (default 36).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError
from geo.i18n import Catalogue

DETOUR = 1.3  # straight line to walking distance when no network is given

T = Catalogue(
    {
        "officer": ("民警", "officer"),
        "beat": ("警务区", "beat"),
        "week": ("周", "week"),
        "visits": ("走访次数", "visits"),
        "evenings": ("走访晚数", "evenings"),
        "service_h": ("走访时长（小时）", "service (h)"),
        "walk_h": ("步行时长（小时）", "walking (h)"),
        "hours": ("社区时长（小时）", "hours in the community"),
        "recent": ("近4周平均（小时）", "last 4 weeks mean (h)"),
        "target": ("每周目标（小时）", "weekly target (h)"),
        "of_target": ("达标率（%）", "of target (%)"),
        "trend": ("趋势（小时/周）", "trend (h/week)"),
    }
)


def _defaults(service_min: float | None, speed_kmh: float | None) -> tuple[float, float]:
    from geo.evening.settings import EveningSettings

    base = EveningSettings()
    service = base.service_min if service_min is None else float(service_min)
    speed = base.speed_kmh if speed_kmh is None else float(speed_kmh)
    if service < 0 or speed <= 0:
        raise InputError(
            f"service minutes must be >= 0 and walking speed > 0, got {service}, {speed}"
        )
    return service, speed


def evenings(
    visits: pd.DataFrame,
    households: pd.DataFrame,
    *,
    beats: pd.DataFrame | None = None,
    officers: pd.DataFrame | None = None,
    crs=None,
    index=None,
    service_min: float | None = None,
    speed_kmh: float | None = None,
) -> pd.DataFrame:
    """One row per officer and evening: visits, service and walking minutes.

    Parameters
    ----------
    visits, households : DataFrame
        The store's tables (households with WGS-84 points).
    beats, officers : DataFrame, optional
        With both, the walk from the officer's beat office and back counts too.
    crs : CRS, optional
        Metric CRS for distances (the area's UTM zone); estimated from the data when omitted.
    index : geo.netdist.NetworkIndex, optional
        Walking network in ``crs``; distances are straight lines × :data:`DETOUR` without it.
    service_min, speed_kmh : float, optional
        Defaults: the evening planner's.

    Returns
    -------
    DataFrame
        Columns ``officer_id``, ``day``, ``visits``, ``service_min``, ``walk_min``.
    """
    service, speed = _defaults(service_min, speed_kmh)
    cols = ["officer_id", "day", "visits", "service_min", "walk_min"]
    if visits.empty:
        return pd.DataFrame(columns=cols)
    hh = households.set_index("id")
    missing = sorted(set(visits["household_id"].astype(int)) - set(hh.index.astype(int)))
    if missing:
        raise InputError(
            f"visits refer to households not in the table: {missing[:10]}"
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        )
    pts = gpd_points(hh.loc[visits["household_id"].astype(int)].geometry.values, crs)
    v = pd.DataFrame(
        {
            "officer_id": visits["officer_id"].astype(int).to_numpy(),
            "at": pd.to_datetime(visits["visited_at"]).to_numpy(),
            "x": pts[:, 0],
            "y": pts[:, 1],
        }
    )
    v["day"] = v["at"].dt.normalize()
    v = v.sort_values(["officer_id", "at"], kind="stable").reset_index(drop=True)
    same = (v["officer_id"].shift() == v["officer_id"]) & (v["day"].shift() == v["day"])
    xy = v[["x", "y"]].to_numpy()
    prev = np.roll(xy, 1, axis=0)
    dist = _distances(prev, xy, index)
    gap_min = (v["at"] - v["at"].shift()).dt.total_seconds().to_numpy() / 60.0 - service
    walk = np.minimum(dist / (speed * 1000 / 60.0), np.maximum(gap_min, 0.0))
    v["walk"] = np.where(same.to_numpy(), walk, 0.0)
    per = v.groupby(["officer_id", "day"], sort=True).agg(
        visits=("at", "size"), walk_min=("walk", "sum")
    )
    per["service_min"] = per["visits"] * service
    if beats is not None and officers is not None:
        office = _office_xy(beats, officers, crs)
        first = v.groupby(["officer_id", "day"]).head(1)
        last = v.groupby(["officer_id", "day"]).tail(1)
        for part in (first, last):
            oxy = np.array([office.get(int(o), (np.nan, np.nan)) for o in part["officer_id"]])
            ok = ~np.isnan(oxy[:, 0])
            legs = np.zeros(len(part))
            if ok.any():
                legs[ok] = _distances(oxy[ok], part[["x", "y"]].to_numpy()[ok], index)
            add = pd.Series(legs / (speed * 1000 / 60.0), index=part.index)
            keys = pd.MultiIndex.from_arrays([part["officer_id"], part["day"]])
            per.loc[keys, "walk_min"] += add.to_numpy()
    return per.reset_index()[cols]


def gpd_points(geoms, crs) -> np.ndarray:
    """WGS-84 points as metric x, y in ``crs`` (the points' own UTM zone when None)."""
    import geopandas as gpd

    s = gpd.GeoSeries(geoms, crs="EPSG:4326")
    if crs is None:
        crs = s.estimate_utm_crs() if len(s) else "EPSG:3857"
    return shapely.get_coordinates(s.to_crs(crs).values)


def _distances(a: np.ndarray, b: np.ndarray, index, chunk: int = 400) -> np.ndarray:
    """Walking distance of each pair ``a[i]`` -> ``b[i]``: on the network when ``index`` is
    given (door to door along the edges; straight line × :data:`DETOUR` where a door is off
    the network), else straight line × :data:`DETOUR`."""
    out = np.hypot(*(a - b).T) * DETOUR
    if index is None or not len(a):
        return out
    sa, sb = index.snap(a), index.snap(b)
    ok = np.flatnonzero(sa.valid & sb.valid)
    if not len(ok):
        return out
    src = np.unique(np.r_[sa.u[ok], sa.v[ok]])
    ru = np.searchsorted(src, sa.u[ok])
    rv = np.searchsorted(src, sa.v[ok])
    ao, al = sa.offset[ok], sa.length[ok]
    bu, bv, bo, bl = sb.u[ok], sb.v[ok], sb.offset[ok], sb.length[ok]
    best = np.full(len(ok), np.inf)
    for s0 in range(0, len(src), chunk):
        dist = index.node_distances(src[s0 : s0 + chunk])
        for rows, lead in ((ru, ao), (rv, al - ao)):
            mine = (rows >= s0) & (rows < s0 + chunk)
            r = rows[mine] - s0
            d = np.minimum(dist[r, bu[mine]] + bo[mine], dist[r, bv[mine]] + (bl[mine] - bo[mine]))
            best[mine] = np.minimum(best[mine], lead[mine] + d)
    same = sa.edge[ok] == sb.edge[ok]
    best[same] = np.minimum(best[same], np.abs(ao[same] - bo[same]))
    found = np.isfinite(best)
    out[ok[found]] = best[found]
    return out


def _office_xy(beats: pd.DataFrame, officers: pd.DataFrame, crs) -> dict[int, tuple]:
    b = beats.dropna(subset=["office_lon", "office_lat"])
    if b.empty:
        return {}
    xy = gpd_points(shapely.points(b[["office_lon", "office_lat"]].to_numpy(float)), crs)
    office = dict(zip(b["id"].astype(int), map(tuple, xy), strict=True))
    out = {}
    for oid, beat in zip(officers["id"], officers["beat_id"], strict=True):
        if not pd.isna(beat) and int(beat) in office:
            out[int(oid)] = office[int(beat)]
    return out


def meetings(
    mediations: pd.DataFrame, officers: pd.DataFrame, *, meeting_min: float = 60.0
) -> pd.DataFrame:
    """Neighbour meetings held on site, as community time of the beat's community officers.

    Each on-site mediation counts ``meeting_min`` minutes, shared among the beat's community
    officers. Returns columns ``officer_id``, ``day``, ``meeting_min``.
    """
    cols = ["officer_id", "day", "meeting_min"]
    if mediations is None or mediations.empty:
        return pd.DataFrame(columns=cols)
    cops = officers[(officers["role"] == "community_officer") & officers["beat_id"].notna()]
    site = mediations[mediations["meeting"] == "on_site"]
    merged = site.merge(
        cops[["id", "beat_id"]].astype({"beat_id": "int64"}).rename(columns={"id": "officer_id"}),
        left_on=site["beat_id"].astype("int64"),
        right_on="beat_id",
        suffixes=("", "_cop"),
    )
    if merged.empty:
        return pd.DataFrame(columns=cols)
    share = merged.groupby("id")["officer_id"].transform("size")
    out = pd.DataFrame(
        {
            "officer_id": merged["officer_id"].astype(int),
            "day": pd.to_datetime(merged["held_on"]).dt.normalize(),
            "meeting_min": meeting_min / share,
        }
    )
    return out.groupby(["officer_id", "day"], as_index=False)["meeting_min"].sum()


def weekly_hours(per_evening: pd.DataFrame, meeting: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hours per officer per week (Monday) from :func:`evenings` (and :func:`meetings`).

    Returns
    -------
    DataFrame
        Columns ``officer_id``, ``week``, ``visits``, ``evenings``, ``service_h``,
        ``walk_h``, ``meeting_h``, ``hours``.
    """
    cols = ["officer_id", "week", "visits", "evenings", "service_h", "walk_h", "meeting_h"]
    cols.append("hours")
    if per_evening.empty and (meeting is None or meeting.empty):
        return pd.DataFrame(columns=cols)
    e = per_evening.copy()
    if meeting is not None and not meeting.empty:
        e = pd.concat([e, meeting], ignore_index=True)
    for c in ("visits", "service_min", "walk_min", "meeting_min"):
        e[c] = pd.to_numeric(e.get(c), errors="coerce").fillna(0.0) if c in e else 0.0
    e["visit_day"] = e["day"].where(e["visits"] > 0)
    day = pd.to_datetime(e["day"])
    e["week"] = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    w = e.groupby(["officer_id", "week"], sort=True).agg(
        visits=("visits", "sum"),
        evenings=("visit_day", "nunique"),
        service_h=("service_min", "sum"),
        walk_h=("walk_min", "sum"),
        meeting_h=("meeting_min", "sum"),
    )
    w["visits"] = w["visits"].astype(int)
    for c in ("service_h", "walk_h", "meeting_h"):
        w[c] /= 60.0
    w["hours"] = w["service_h"] + w["walk_h"] + w["meeting_h"]
    return w.reset_index()[cols]


def _slope(values: np.ndarray) -> float:
    if len(values) < 2:
        return float("nan")
    x = np.arange(len(values), dtype=float)
    return float(np.polyfit(x, values, 1)[0])


def against_target(
    weekly: pd.DataFrame,
    officers: pd.DataFrame,
    *,
    target: float = 36.0,
    until: object | None = None,
    recent_weeks: int = 4,
    trend_weeks: int = 8,
    partial_last: bool = False,
) -> pd.DataFrame:
    """Each officer's recent weekly hours against the target, with the trend.

    Weeks without a visit count as zero hours, from the officer's first week with visits to
    ``until`` (default: the last week in the data, or the one before it when
    ``partial_last`` says the data stop mid-week).

    Returns
    -------
    DataFrame
        One row per officer: ``officer_id``, ``name``, ``beat_id``, ``recent`` (mean hours of
        the last ``recent_weeks`` weeks), ``target``, ``of_target`` (share), ``trend``
        (hours per week per week over the last ``trend_weeks`` weeks).
    """
    if target <= 0:
        raise InputError(f"the weekly target must be above 0 hours, got {target}")
    cols = ["officer_id", "name", "beat_id", "recent", "target", "of_target", "trend"]
    if weekly.empty:
        return pd.DataFrame(columns=cols)
    if until is None:
        # the last complete week of the data
        last = weekly["week"].max() - pd.Timedelta(days=7 if partial_last else 0)
    else:
        last = pd.Timestamp(until).normalize()
        last = last - pd.Timedelta(days=last.day_of_week)
    rows = []
    names = officers.set_index("id")
    for oid, grp in weekly.groupby("officer_id"):
        weeks = pd.date_range(min(grp["week"].min(), last), last, freq="7D")
        series = grp.set_index("week")["hours"].reindex(weeks, fill_value=0.0).to_numpy()
        recent = float(series[-recent_weeks:].mean()) if len(series) else 0.0
        rows.append(
            (
                int(oid),
                str(names["name"].get(oid, oid)),
                names["beat_id"].get(oid, pd.NA),
                round(recent, 1),
                float(target),
                recent / target,
                round(_slope(series[-trend_weeks:]), 2),
            )
        )
    return pd.DataFrame(rows, columns=cols).sort_values("of_target", ignore_index=True)


def target_table(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`against_target` with headers in ``lang`` and the share as a percentage."""
    out = table.drop(columns=["officer_id"]).copy()
    out["of_target"] = (out["of_target"] * 100).round(0)
    names = {c: T(c, lang) for c in out.columns if c in T}
    names["name"] = T("officer", lang)
    names["beat_id"] = T("beat", lang)
    return out.rename(columns=names)
