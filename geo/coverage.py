"""Visit coverage and the chief's figures: status, progress, evenings, surveys, map data.

Everything the Coverage page shows is computed here, from plain frames (no streamlit, no
folium): each household's status, coverage per station / beat / officer against the campaign
target with the recent pace and a projected finish, visits per evening, officer hours per week,
follow-up survey results, and what the map draws (H3 hexagons at city scale, points for one
beat, heat-map weights, simplified beat polygons). The sidebar's filters are
:class:`geo.filters.Filters`; exports go through :mod:`geo.exports`, column labels through
:mod:`geo.labels`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from h3.api import numpy_int as h3_np

from geo._errors import InputError, NotFoundError
from geo.coords import utm_crs
from geo.effect import install_effect
from geo.filters import Filters, apply_filters, end_of_day
from geo.hexes import h3_cells
from geo.i18n import Catalogue
from geo.labels import labelled
from geo.model import (
    FAMILIARITY,
    INCIDENT_CATEGORIES,
    OUTCOMES,
    SURVEY_METHODS,
    WGS84,
)
from geo.stats import share

#: household status codes, in the order they are drawn and counted
STATUSES = ("visited", "not_home", "refused", "moved_away", "unvisited")
#: status code -> (Chinese, English)
STATUS_LABELS = {**OUTCOMES, "unvisited": ("未走访", "not yet visited")}
LEVELS = ("station", "beat", "officer")


def household_status(
    households: pd.DataFrame,
    visits: pd.DataFrame,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Status of every household from its visits in ``[start, end]``.

    A household is ``visited`` once any visit found the family at home; otherwise its status is
    the outcome of its last attempt (``not_home``, ``refused``, ``moved_away``), or
    ``unvisited`` when nobody called.

    Parameters
    ----------
    households : DataFrame
        Columns ``id`` and ``beat_id`` (other columns are carried through).
    visits : DataFrame
        Columns ``household_id``, ``officer_id``, ``visited_at``, ``outcome``.
    start, end : timestamp, optional
        Campaign window; ``end`` is inclusive of the whole day when given as a date.

    Returns
    -------
    DataFrame
        Index as ``households``; columns ``id``, ``beat_id``, ``status``, ``last_outcome``,
        ``last_attempt_at``, ``visited_at`` (first successful visit), ``visited_by``,
        ``attempts``.
    """
    v = visits[["household_id", "officer_id", "visited_at", "outcome"]]
    when = pd.to_datetime(v["visited_at"])
    keep = np.ones(len(v), dtype=bool)
    if start is not None:
        keep &= (when >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        keep &= (when <= end_of_day(end)).to_numpy()
    v = v[keep].sort_values(["household_id", "visited_at"], kind="stable")
    last = v.drop_duplicates("household_id", keep="last").set_index("household_id")
    ok = v[v["outcome"] == "visited"].drop_duplicates("household_id", keep="first")
    ok = ok.set_index("household_id")
    attempts = v.groupby("household_id").size()
    out = households[["id", "beat_id"]].copy()
    hid = out["id"]
    # reindex, not map: an empty datetime column maps to floats (an officer with no visits)
    out["last_outcome"] = last["outcome"].reindex(hid).astype(object).to_numpy()
    out["last_attempt_at"] = pd.to_datetime(last["visited_at"].reindex(hid)).to_numpy()
    out["visited_at"] = pd.to_datetime(ok["visited_at"].reindex(hid)).to_numpy()
    out["visited_by"] = pd.array(ok["officer_id"].reindex(hid).to_numpy(), dtype="Int64")
    out["attempts"] = attempts.reindex(hid).fillna(0).astype(int).to_numpy()
    status = out["last_outcome"].where(out["last_outcome"].notna(), "unvisited")
    status = status.where(out["visited_at"].isna(), "visited")
    out["status"] = status.astype(object)
    return out


def beat_tallies(
    status: pd.DataFrame,
    *,
    recent: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households per beat and status, and each officer's own first visits.

    The counts every coverage and progress table is made of; :mod:`geo.coverage_store`
    computes the same two frames in SQL.

    Parameters
    ----------
    status : DataFrame
        From :func:`household_status`.
    recent : (timestamp, timestamp), optional
        Window of the recent pace: households first reached in it are counted as ``recent``.

    Returns
    -------
    per_beat : DataFrame
        ``beat_id`` (households outside every beat: ``<NA>``), one column per status of
        :data:`STATUSES` and ``recent``.
    per_officer : DataFrame
        ``officer_id``, ``visited_by_officer`` (households whose first successful visit was
        theirs) and ``own_recent`` (of those, first reached in ``recent``).
    """
    beat_id = status["beat_id"].astype("Int64")
    counts = pd.crosstab(beat_id, status["status"], dropna=False)
    counts = counts.reindex(columns=STATUSES, fill_value=0)
    counts.columns = list(STATUSES)
    counts.index.name = "beat_id"
    visited_at = pd.to_datetime(status["visited_at"])
    in_window = np.zeros(len(status), dtype=bool)
    if recent is not None:
        in_window = ((visited_at >= recent[0]) & (visited_at <= recent[1])).fillna(False)
        in_window = in_window.to_numpy(bool)
    counts["recent"] = beat_id[in_window].value_counts().reindex(counts.index, fill_value=0)
    per_beat = counts.reset_index()
    per_beat["beat_id"] = pd.array(per_beat["beat_id"], dtype="Int64")
    by = status["visited_by"]
    has = by.notna().to_numpy(bool)
    own = by[has].astype("int64")
    per_officer = pd.DataFrame({"visited_by_officer": own.value_counts()})
    per_officer["own_recent"] = (
        by[has & in_window].astype("int64").value_counts().reindex(per_officer.index, fill_value=0)
    )
    per_officer.index.name = "officer_id"
    per_officer = per_officer.reset_index()
    return per_beat, per_officer.astype("int64")


def coverage_table(
    status: pd.DataFrame,
    *,
    by: str,
    beats: pd.DataFrame,
    stations: pd.DataFrame | None = None,
    officers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Households, visits and coverage per station, beat or officer.

    Parameters
    ----------
    status : DataFrame
        From :func:`household_status`.
    by : {"station", "beat", "officer"}
        Level of aggregation. Officers are credited with the households of the beats they are
        assigned to (every community officer of a beat shares its figures) and, separately,
        with the households they visited themselves (``visited_by_officer``).
    beats : DataFrame
        ``id``, ``name``, ``station_id``.
    stations, officers : DataFrame, optional
        Needed for ``by="station"`` (names) and ``by="officer"``.

    Returns
    -------
    DataFrame
        One row per unit with ``households``, one column per status, ``coverage`` (visited /
        households, 0–1), sorted with the lowest coverage first.
    """
    per_beat, per_officer = beat_tallies(status)
    return coverage_from_tallies(
        per_beat, per_officer, by=by, beats=beats, stations=stations, officers=officers
    )


def coverage_from_tallies(
    per_beat: pd.DataFrame,
    per_officer: pd.DataFrame,
    *,
    by: str,
    beats: pd.DataFrame,
    stations: pd.DataFrame | None = None,
    officers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`coverage_table` from :func:`beat_tallies` (or their SQL twins).

    Extra columns of ``per_beat`` (such as ``recent``) are carried to beats and summed to
    stations; ``own_recent`` of ``per_officer`` is carried to officers.
    """
    if by not in LEVELS:
        raise InputError(f"by must be one of {LEVELS}, got {by!r}")
    extra = [c for c in per_beat.columns if c not in ("beat_id", *STATUSES)]
    counts = per_beat[per_beat["beat_id"].notna()].astype({"beat_id": "int64"})
    per = beats[["id", "name", "station_id"]].rename(columns={"id": "beat_id"})
    per = per.astype({"beat_id": "int64"}).merge(counts, on="beat_id", how="left")
    numbers = [*STATUSES, *extra]
    per[numbers] = per[numbers].fillna(0).astype(int)
    if by == "beat":
        table = per
    elif by == "station":
        table = per.groupby("station_id", as_index=False)[numbers].sum()
        if stations is not None:
            names = stations.set_index("id")["name"]
            table.insert(1, "name", table["station_id"].map(names))
    else:
        if officers is None:
            raise InputError("by='officer' needs the officers table")
        cops = officers[officers["role"] == "community_officer"][["id", "name", "beat_id"]]
        cops = cops.rename(columns={"id": "officer_id"})
        table = cops.merge(per.drop(columns=["name"]), on="beat_id", how="left")
        table[numbers] = table[numbers].fillna(0).astype(int)
        own = per_officer.set_index("officer_id")
        for col in ("visited_by_officer", "own_recent"):
            if col in own.columns:
                table[col] = table["officer_id"].map(own[col]).fillna(0).astype(int)
    table["households"] = table[list(STATUSES)].sum(axis=1)
    hh = table["households"].to_numpy(dtype=float)
    table["coverage"] = np.divide(
        table["visited"].to_numpy(dtype=float), hh, out=np.zeros_like(hh), where=hh > 0
    )
    return table.sort_values("coverage", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# progress against the campaign target


def recent_window(as_of: pd.Timestamp | str, window_days: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last instant of the ``window_days`` days ending on ``as_of`` (the pace)."""
    if window_days < 1:
        raise InputError(f"window_days must be at least 1, got {window_days!r}")
    as_of = pd.Timestamp(as_of).normalize()
    return as_of - pd.Timedelta(days=window_days - 1), end_of_day(as_of)


def progress_table(
    status: pd.DataFrame,
    *,
    by: str,
    beats: pd.DataFrame,
    target_date: pd.Timestamp | str,
    target: float = 1.0,
    as_of: pd.Timestamp | str | None = None,
    window_days: int = 14,
    stations: pd.DataFrame | None = None,
    officers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Coverage per unit against the campaign target, with the recent pace and a projection.

    Parameters
    ----------
    status : DataFrame
        From :func:`household_status`, computed up to ``as_of``.
    by : {"station", "beat", "officer"}
        Level, as in :func:`coverage_table`.
    beats : DataFrame
        ``id``, ``name``, ``station_id``.
    target_date : timestamp
        Day the target is due (e.g. 30 June).
    target : float
        Share of households to visit by ``target_date`` (0–1, default 100 %).
    as_of : timestamp, optional
        Day the figures are taken at; default the day of the last successful visit.
    window_days : int
        Days over which the pace is measured (ending on ``as_of``).
    stations, officers : DataFrame, optional
        As for :func:`coverage_table`.

    Returns
    -------
    DataFrame
        :func:`coverage_table`'s columns plus ``target_households``, ``remaining``, ``recent``
        (households first reached in the window), ``pace`` (households per day),
        ``required_pace`` (per day to reach the target in time), ``projected_finish`` (the day
        the target is reached at the recent pace; NaT when the pace is zero), ``late_days``
        (projected finish minus target date; +inf when never) and ``on_track``; for officers
        also ``own_pace`` (households the officer reached himself per day). Laggards first:
        not on track, latest projected finish, lowest coverage.
    """
    if as_of is None:
        last = pd.to_datetime(status["visited_at"]).max()
        as_of = pd.Timestamp.now().normalize() if pd.isna(last) else last.normalize()
    per_beat, per_officer = beat_tallies(status, recent=recent_window(as_of, window_days))
    return progress_from_tallies(
        per_beat,
        per_officer,
        by=by,
        beats=beats,
        target_date=target_date,
        target=target,
        as_of=as_of,
        window_days=window_days,
        stations=stations,
        officers=officers,
    )


def progress_from_tallies(
    per_beat: pd.DataFrame,
    per_officer: pd.DataFrame,
    *,
    by: str,
    beats: pd.DataFrame,
    target_date: pd.Timestamp | str,
    as_of: pd.Timestamp | str,
    target: float = 1.0,
    window_days: int = 14,
    stations: pd.DataFrame | None = None,
    officers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`progress_table` from :func:`beat_tallies` taken over :func:`recent_window`."""
    if not 0 < target <= 1:
        raise InputError(f"target must be a share in (0, 1], got {target!r}")
    recent_window(as_of, window_days)  # checks window_days
    table = coverage_from_tallies(
        per_beat, per_officer, by=by, beats=beats, stations=stations, officers=officers
    )
    as_of = pd.Timestamp(as_of).normalize()
    due = pd.Timestamp(target_date).normalize()
    table["pace"] = table["recent"] / window_days
    hh = table["households"].to_numpy(float)
    table["target_households"] = np.ceil(hh * target - 1e-9).astype(int)
    remaining = np.maximum(table["target_households"].to_numpy() - table["visited"].to_numpy(), 0)
    table["remaining"] = remaining
    pace = table["pace"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        days_needed = np.where(remaining == 0, 0.0, np.where(pace > 0, remaining / pace, np.inf))
    finite = np.isfinite(days_needed)
    finish = np.full(len(table), np.datetime64("NaT"), dtype="datetime64[ns]")
    finish[finite] = (as_of + pd.to_timedelta(np.ceil(days_needed[finite]), unit="D")).to_numpy()
    table["projected_finish"] = pd.to_datetime(finish)
    days_left = max((due - as_of).days, 0)
    table["required_pace"] = remaining / max(days_left, 1)
    late = np.full(len(table), np.inf)
    late[finite] = (finish[finite] - due.to_datetime64()) / np.timedelta64(1, "D")
    table["late_days"] = late
    table["on_track"] = late <= 0
    if by == "officer":
        table["own_pace"] = table.pop("own_recent") / window_days
    table = table.sort_values(
        ["on_track", "late_days", "coverage"], ascending=[True, False, True], kind="stable"
    )
    table.attrs.update(
        as_of=f"{as_of:%Y-%m-%d}",
        target_date=f"{due:%Y-%m-%d}",
        target=target,
        window_days=window_days,
        level=by,
    )
    return table.reset_index(drop=True)


def coverage_trend(
    status: pd.DataFrame,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Cumulative coverage day by day.

    Parameters
    ----------
    status : DataFrame
        From :func:`household_status` (one row per household in scope).
    start, end : timestamp, optional
        Days of the series; default the first and last successful visit.

    Returns
    -------
    DataFrame
        Indexed by day (``date``); columns ``visited`` (first reached that day),
        ``cumulative`` and ``coverage`` (0–1).
    """
    when = pd.to_datetime(status["visited_at"]).dropna().dt.normalize()
    n = len(status)
    if when.empty and (start is None or end is None):
        return pd.DataFrame(
            {"visited": [], "cumulative": [], "coverage": []},
            index=pd.DatetimeIndex([], name="date"),
        )
    lo = pd.Timestamp(start).normalize() if start is not None else when.min()
    hi = pd.Timestamp(end).normalize() if end is not None else when.max()
    days = pd.date_range(lo, hi, freq="D", name="date")
    daily = when.value_counts().reindex(days, fill_value=0).astype(int)
    before = int((when < lo).sum())
    out = pd.DataFrame({"visited": daily.to_numpy()}, index=days)
    out["cumulative"] = before + out["visited"].cumsum()
    out["coverage"] = out["cumulative"] / n if n else 0.0
    return out


# --------------------------------------------------------------------------------------------
# evenings and officer hours


def visits_per_evening(
    visits: pd.DataFrame,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Visits made each evening, by outcome.

    Parameters
    ----------
    visits : DataFrame
        ``visited_at`` and ``outcome``.
    start, end : timestamp, optional
        Days of the series (every day in between appears, with zeros); default the first and
        last visit.

    Returns
    -------
    DataFrame
        Indexed by day (``date``); one column per outcome code of :data:`geo.model.OUTCOMES`
        and ``total``.
    """
    day = pd.to_datetime(visits["visited_at"]).dt.normalize()
    table = pd.crosstab(day, visits["outcome"].astype(object))
    table.index.name = "day"
    return evenings_from_daily(table.reset_index(), start=start, end=end)


def evenings_from_daily(
    daily: pd.DataFrame,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """:func:`visits_per_evening` from visits counted per ``day`` and outcome column
    (:func:`geo.tallies.daily_visits` counts them in SQL)."""
    cols = list(OUTCOMES)
    day = pd.to_datetime(daily["day"]).dt.normalize().astype("datetime64[ns]")
    if day.empty and (start is None or end is None):
        empty = pd.DataFrame({c: pd.Series([], dtype=int) for c in [*cols, "total"]})
        empty.index = pd.DatetimeIndex([], name="date")
        return empty
    lo = pd.Timestamp(start).normalize() if start is not None else day.min()
    hi = pd.Timestamp(end).normalize() if end is not None else day.max()
    days = pd.date_range(lo.as_unit("ns"), hi.as_unit("ns"), freq="D", name="date")
    table = daily.drop(columns=["day"]).set_index(pd.DatetimeIndex(day, name="date"))
    table = table.groupby(level=0).sum()
    table = table.reindex(index=days, columns=cols, fill_value=0).fillna(0).astype(int)
    table.columns.name = None
    table["total"] = table.sum(axis=1)
    return table


def officer_hours(
    visits: pd.DataFrame,
    *,
    officers: pd.DataFrame | None = None,
    service_minutes: float = 10.0,
) -> pd.DataFrame:
    """Hours each officer spent in the community per ISO week, estimated from visit times.

    An evening's time in the community is the span from its first to its last visit plus
    ``service_minutes`` for the last call (a single visit counts ``service_minutes``). Walking
    to the first door and back to the office is not counted, so the figure is a lower bound.

    Parameters
    ----------
    visits : DataFrame
        ``officer_id`` and ``visited_at``.
    officers : DataFrame, optional
        ``id`` and ``name`` to label the rows.
    service_minutes : float
        Minutes credited for the last visit of an evening.

    Returns
    -------
    DataFrame
        One row per officer and week: ``officer_id``, ``name`` (when ``officers`` is given),
        ``week`` (``"2026-W14"``), ``week_start`` (Monday), ``evenings``, ``visits`` and
        ``hours``; ordered by week, then officer.
    """
    when = pd.to_datetime(visits["visited_at"])
    v = pd.DataFrame(
        {
            "officer_id": visits["officer_id"].astype("int64").to_numpy(),
            "day": when.dt.normalize().to_numpy(),
            "t": when.to_numpy(),
        }
    )
    ev = v.groupby(["officer_id", "day"]).agg(
        first=("t", "min"), last=("t", "max"), n=("t", "size")
    )
    return hours_from_evenings(ev.reset_index(), officers=officers, service_minutes=service_minutes)


def hours_from_evenings(
    evenings: pd.DataFrame,
    *,
    officers: pd.DataFrame | None = None,
    service_minutes: float = 10.0,
) -> pd.DataFrame:
    """:func:`officer_hours` from each officer's evenings: ``officer_id``, ``day``, ``first``
    and ``last`` visit time and ``n`` visits."""
    if evenings.empty:
        return hours_from_weeks(
            pd.DataFrame(columns=["officer_id", "week_start", "evenings", "visits", "seconds"]),
            officers=officers,
            service_minutes=service_minutes,
        )
    ev = evenings.assign(
        officer_id=evenings["officer_id"].astype("int64"),
        day=pd.to_datetime(evenings["day"]).dt.normalize(),
        first=pd.to_datetime(evenings["first"]),
        last=pd.to_datetime(evenings["last"]),
    )
    ev["seconds"] = (ev["last"] - ev["first"]).dt.total_seconds()
    ev["week_start"] = ev["day"] - pd.to_timedelta(ev["day"].dt.day_of_week, unit="D")
    weekly = ev.groupby(["officer_id", "week_start"], as_index=False).agg(
        evenings=("day", "size"), visits=("n", "sum"), seconds=("seconds", "sum")
    )
    return hours_from_weeks(weekly, officers=officers, service_minutes=service_minutes)


def hours_from_weeks(
    weekly: pd.DataFrame,
    *,
    officers: pd.DataFrame | None = None,
    service_minutes: float = 10.0,
) -> pd.DataFrame:
    """:func:`officer_hours` from each officer's weeks: ``officer_id``, ``week_start``
    (Monday), ``evenings``, ``visits`` and ``seconds`` (first to last visit, summed over the
    week's evenings); :mod:`geo.coverage_store` sums them in SQL."""
    if service_minutes < 0:
        raise InputError(f"service_minutes must be >= 0, got {service_minutes!r}")
    cols = ["officer_id", "week", "week_start", "evenings", "visits", "hours"]
    if weekly.empty:
        out = pd.DataFrame({c: [] for c in cols})
        return out if officers is None else out.assign(name=[])
    weekly = weekly.assign(
        officer_id=weekly["officer_id"].astype("int64"),
        week_start=pd.to_datetime(weekly["week_start"]).astype("datetime64[ns]"),
        evenings=weekly["evenings"].astype("int64"),
        visits=weekly["visits"].astype("int64"),
    )
    weekly["hours"] = (
        weekly["seconds"].astype(float) / 3600.0 + weekly["evenings"] * service_minutes / 60.0
    )
    iso = weekly["week_start"].dt.isocalendar()
    weekly["week"] = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    weekly = weekly[cols].sort_values(["week_start", "officer_id"], kind="stable")
    if officers is not None:
        names = officers.set_index("id")["name"]
        weekly.insert(1, "name", weekly["officer_id"].map(names))
    return weekly.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# follow-up surveys (回访)


def survey_summary(
    surveys: pd.DataFrame,
    households: pd.DataFrame,
    *,
    beats: pd.DataFrame,
    by: str = "beat",
    stations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Follow-up survey results per beat, station or overall.

    Parameters
    ----------
    surveys : DataFrame
        ``household_id``, ``method``, ``familiarity``, ``satisfied``.
    households : DataFrame
        ``id`` and ``beat_id``.
    beats : DataFrame
        ``id``, ``name``, ``station_id``.
    by : {"beat", "station", "all"}
        Level.
    stations : DataFrame, optional
        Station names for ``by="station"``.

    Returns
    -------
    DataFrame
        Per unit: ``surveyed``, ``on_site``, ``phone``, counts and shares (0–1) of
        ``knows_officer``, ``has_card``, ``never_met`` (``*_share``), ``satisfied_share``
        (of answers given). Units without surveys are kept with zeros; lowest familiarity
        first.
    """
    allowed = ("beat", "station", "all")
    if by not in allowed:
        raise InputError(f"by must be one of {allowed}, got {by!r}")
    beat_of = households.set_index("id")["beat_id"]
    s = pd.DataFrame(
        {
            "beat_id": surveys["household_id"].map(beat_of).astype("Int64").to_numpy(),
            "method": surveys["method"].astype(object).to_numpy(),
            "familiarity": surveys["familiarity"].astype(object).to_numpy(),
            "satisfied": surveys["satisfied"].astype("boolean").to_numpy(),
        }
    )
    bt = beats[["id", "name", "station_id"]]
    if by == "station":
        s["key"] = s["beat_id"].map(bt.set_index("id")["station_id"]).astype("Int64")
        units = pd.DataFrame({"station_id": sorted(bt["station_id"].dropna().unique())})
        if stations is not None:
            units["name"] = units["station_id"].map(stations.set_index("id")["name"])
        ukey = "station_id"
    elif by == "beat":
        s["key"] = s["beat_id"]
        units = bt.rename(columns={"id": "beat_id"}).reset_index(drop=True)
        ukey = "beat_id"
    else:
        s["key"] = 0
        units = pd.DataFrame({"all": [0]})
        ukey = "all"
    counts = pd.DataFrame(index=pd.Index(units[ukey].to_numpy()))
    grp = s.groupby("key")
    counts["surveyed"] = grp.size()
    for col, codes in (("method", SURVEY_METHODS), ("familiarity", FAMILIARITY)):
        tab = pd.crosstab(s["key"], s[col]).reindex(columns=list(codes), fill_value=0)
        for code in codes:
            counts[code] = tab[code]
    sat = s.dropna(subset=["satisfied"])
    counts["answered"] = sat.groupby("key").size()
    counts["satisfied"] = sat.groupby("key")["satisfied"].sum()
    counts = counts.fillna(0).astype(int)
    out = units.merge(counts, left_on=ukey, right_index=True, how="left")
    num = out["surveyed"].to_numpy(float)
    for code in FAMILIARITY:
        out[f"{code}_share"] = share(out[code].to_numpy(float), num)
    out["satisfied_share"] = share(
        out["satisfied"].to_numpy(float), out["answered"].to_numpy(float)
    )
    if by == "all":
        out = out.drop(columns="all")
    out = out.sort_values(["knows_officer_share", "surveyed"], ascending=[True, False])
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# what the map draws: points or hexagons, heat weights, beat polygons

#: above this many households in view the map draws H3 hexagons instead of points
MAX_POINTS = 5000
#: H3 resolutions the map may use (7: ~5 km², 10: ~0.015 km²)
HEX_RESOLUTIONS = (7, 8, 9, 10)
VIEW_MODES = ("points", "hexes")


def choose_view(n_households: int, *, max_points: int = MAX_POINTS) -> str:
    """``"points"`` when the view holds at most ``max_points`` households, else ``"hexes"``.

    Examples
    --------
    >>> choose_view(900), choose_view(330_000)
    ('points', 'hexes')
    """
    return "points" if n_households <= max_points else "hexes"


def hex_resolution(bounds: tuple[float, float, float, float], *, max_cells: int = 2500) -> int:
    """The finest H3 resolution that covers ``bounds`` with at most ``max_cells`` hexagons.

    Parameters
    ----------
    bounds : tuple of float
        ``(west, south, east, north)`` in degrees.
    max_cells : int
        Upper bound on the hexagons a full view would need.

    Returns
    -------
    int
        One of :data:`HEX_RESOLUTIONS`.

    Examples
    --------
    >>> hex_resolution((120.6, 31.5, 120.9, 31.8))  # a county town, ~900 km²
    8
    """
    west, south, east, north = bounds
    lat = np.radians((south + north) / 2)
    km2 = abs(east - west) * 111.32 * np.cos(lat) * abs(north - south) * 110.57
    for res in sorted(HEX_RESOLUTIONS, reverse=True):
        if km2 / h3.average_hexagon_area(res, unit="km^2") <= max_cells:
            return res
    return min(HEX_RESOLUTIONS)


def hex_summary(
    points: pd.DataFrame,
    *,
    resolution: int,
    cameras: pd.DataFrame | None = None,
    cells: np.ndarray | None = None,
) -> pd.DataFrame:
    """Households per H3 hexagon with their status counts and coverage.

    Parameters
    ----------
    points : DataFrame
        From :func:`household_points` (``lon``, ``lat``, ``status``).
    resolution : int
        H3 resolution (see :func:`hex_resolution`).
    cameras : DataFrame, optional
        ``lon``/``lat`` or a point ``geometry``; counted per hexagon as ``cameras``.
    cells : array of uint64, optional
        The points' cells at ``resolution`` when already known (:func:`h3_cells`).

    Returns
    -------
    DataFrame
        One row per hexagon that holds a household: ``cell`` (H3 string), ``lat``, ``lon``
        (centre), ``households``, one column per status, ``coverage`` (0–1) and ``cameras``.
    """
    if cells is None:
        cells = h3_cells(points["lon"].to_numpy(), points["lat"].to_numpy(), resolution)
    status = pd.Categorical(points["status"].astype(object), categories=list(STATUSES))
    codes = status.codes
    uniq, inv = np.unique(cells, return_inverse=True)
    counts = np.zeros((len(uniq), len(STATUSES)), dtype=np.int64)
    ok = codes >= 0
    np.add.at(counts, (inv[ok], codes[ok]), 1)
    camera_cells = None
    if cameras is not None and len(cameras):
        clon, clat = _lonlat(cameras)
        camera_cells = h3_cells(clon, clat, resolution)
    return hex_frame(uniq, counts, camera_cells)


def hex_frame(
    cells: np.ndarray, counts: np.ndarray, camera_cells: np.ndarray | None = None
) -> pd.DataFrame:
    """:func:`hex_summary`'s frame from sorted H3 cells and their households per status.

    Parameters
    ----------
    cells : array of int
        Sorted, distinct H3 cells.
    counts : array of int, shape (len(cells), len(STATUSES))
        Households per cell and status, in :data:`STATUSES` order.
    camera_cells : array of int, optional
        The cell of each camera, at the same resolution.
    """
    uniq = np.asarray(cells).astype(np.uint64)
    out = pd.DataFrame(np.asarray(counts, dtype=np.int64), columns=list(STATUSES))
    out.insert(0, "households", out[list(STATUSES)].sum(axis=1))
    out.insert(0, "cell", [h3.int_to_str(int(c)) for c in uniq])
    centres = np.array([h3.cell_to_latlng(c) for c in out["cell"]]).reshape(-1, 2)
    out.insert(1, "lat", centres[:, 0])
    out.insert(2, "lon", centres[:, 1])
    out["coverage"] = out["visited"] / out["households"]
    cams = np.zeros(len(uniq), dtype=np.int64)
    if camera_cells is not None and len(camera_cells) and len(uniq):
        cu, cn = np.unique(np.asarray(camera_cells).astype(np.uint64), return_counts=True)
        pos = np.searchsorted(uniq, cu)
        hit = (pos < len(uniq)) & (uniq[np.minimum(pos, len(uniq) - 1)] == cu)
        cams[pos[hit]] = cn[hit]
    out["cameras"] = cams
    return out


def hex_boundaries(cells: Sequence[str], *, decimals: int = 5) -> list[list[list[float]]]:
    """Closed ``[lon, lat]`` rings of H3 cells, rounded, for GeoJSON."""
    rings = []
    for c in cells:
        ring = [[round(lng, decimals), round(lat, decimals)] for lat, lng in h3.cell_to_boundary(c)]
        rings.append([*ring, ring[0]])
    return rings


def _lonlat(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "lon" in df.columns and "lat" in df.columns:
        return df["lon"].to_numpy(float), df["lat"].to_numpy(float)
    xy = shapely.get_coordinates(np.asarray(df.geometry.values))
    return xy[:, 0], xy[:, 1]


def household_points(
    households: gpd.GeoDataFrame, status: pd.DataFrame, *, decimals: int = 6
) -> pd.DataFrame:
    """Households as plain rows for the map: place, status and nothing personal.

    Parameters
    ----------
    households : GeoDataFrame
        ``id``, ``address``, ``beat_id``, ``rental`` and point geometry (WGS-84).
    status : DataFrame
        From :func:`household_status` on the same households (same row order).
    decimals : int
        Coordinates are rounded to this many decimals (6 ≈ 0.1 m).

    Returns
    -------
    DataFrame
        ``id``, ``beat_id``, ``address``, ``rental``, ``status``, ``last_attempt_at``,
        ``visited_at``, ``attempts``, ``lon``, ``lat``. Names and phone numbers never appear.
    """
    lon, lat = _lonlat(households)
    st_ = status.set_index("id")
    ids = households["id"].to_numpy()
    out = pd.DataFrame(
        {
            "id": ids,
            "beat_id": households["beat_id"].astype("Int64").to_numpy(),
            "address": households["address"].astype(object).fillna("").to_numpy(),
            "rental": households["rental"].fillna(False).astype(bool).to_numpy()
            if "rental" in households.columns
            else False,
            "status": st_["status"].reindex(ids).fillna("unvisited").to_numpy(),
            "last_attempt_at": st_["last_attempt_at"].reindex(ids).to_numpy(),
            "visited_at": st_["visited_at"].reindex(ids).to_numpy(),
            "attempts": st_["attempts"].reindex(ids).fillna(0).astype(int).to_numpy(),
            "lon": np.round(lon, decimals),
            "lat": np.round(lat, decimals),
        }
    )
    return out


def heat_points(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    resolution: int | None = None,
    cells: np.ndarray | None = None,
    decimals: int = 5,
) -> pd.DataFrame:
    """Points for a heat map, aggregated to H3 cell centres when ``resolution`` is given.

    Parameters
    ----------
    lon, lat : array of float
        Degrees.
    weights : array of float, optional
        Weight per point (default 1).
    resolution : int, optional
        Sum the weights per H3 cell of this resolution (keeps the page small at city scale).
    cells : array of uint64, optional
        The points' H3 cells at ``resolution`` when already known (:func:`h3_cells`).
    decimals : int
        Rounding of the coordinates.

    Returns
    -------
    DataFrame
        ``lat``, ``lon``, ``weight``; the weights are scaled so the largest is 1.
    """
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    w = np.ones(len(lon)) if weights is None else np.asarray(weights, float)
    if resolution is not None and len(lon):
        if cells is None:
            cells = h3_cells(lon, lat, resolution)
        uniq, inv = np.unique(cells, return_inverse=True)
        w = np.bincount(inv.ravel(), weights=w, minlength=len(uniq))
        centres = np.array([h3_np.cell_to_latlng(int(c)) for c in uniq]).reshape(-1, 2)
        lat, lon = centres[:, 0], centres[:, 1]
    top = w.max() if len(w) else 0.0
    out = pd.DataFrame(
        {"lat": np.round(lat, decimals), "lon": np.round(lon, decimals), "weight": w}
    )
    if top > 0:
        out["weight"] = np.round(out["weight"] / top, 4)
    return out[out["weight"] > 0].reset_index(drop=True)


def hour_mask(times: pd.Series, hours: tuple[int, int]) -> np.ndarray:
    """Rows whose hour of day lies in ``hours`` (inclusive; ``(20, 2)`` wraps past midnight).

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2026-04-01 12:00", "2026-04-01 23:10"]))
    >>> hour_mask(t, (20, 2)).tolist()
    [False, True]
    """
    lo, hi = (int(h) for h in hours)
    if not (0 <= lo <= 23 and 0 <= hi <= 23):
        raise InputError(f"hours must be within 0..23, got {hours!r}")
    hour = pd.to_datetime(times).dt.hour.to_numpy()
    if lo <= hi:
        return (hour >= lo) & (hour <= hi)
    return (hour >= lo) | (hour <= hi)


def incidents_by_hour(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents per hour of day (0–23) and category.

    Returns
    -------
    DataFrame
        Index ``hour`` 0..23; one column per category of :data:`geo.model.INCIDENT_CATEGORIES`.
    """
    hour = pd.to_datetime(incidents["occurred_at"]).dt.hour
    tab = pd.crosstab(hour, incidents["category"].astype(object))
    tab = tab.reindex(index=range(24), columns=list(INCIDENT_CATEGORIES), fill_value=0)
    tab = tab.fillna(0).astype(int)
    tab.index.name = "hour"
    tab.columns.name = None
    return tab


def beat_map_frame(
    beats: gpd.GeoDataFrame,
    by_beat: pd.DataFrame,
    *,
    tolerance: float = 2.0,
    decimals: int = 6,
) -> gpd.GeoDataFrame:
    """Beat polygons with their coverage, simplified for the map.

    Parameters
    ----------
    beats : GeoDataFrame
        ``id``, ``name``, ``station_id``, polygons in WGS-84.
    by_beat : DataFrame
        :func:`coverage_table` or :func:`progress_table` with ``by="beat"``.
    tolerance : float
        Simplification in metres (done in the local UTM zone).
    decimals : int
        Rounding of the coordinates (6 ≈ 0.1 m).

    Returns
    -------
    GeoDataFrame
        WGS-84, one row per beat: ``beat_id``, ``name``, ``station_id``, ``households``,
        ``visited``, ``unvisited``, ``not_home``, ``coverage`` (NaN without households) and
        ``projected_finish`` when given.
    """
    cols = ["beat_id", "households", "visited", "unvisited", "not_home", "coverage"]
    cols += [c for c in ("projected_finish", "on_track") if c in by_beat.columns]
    out = beats[["id", "name", "station_id", "geometry"]].rename(columns={"id": "beat_id"})
    out = out.merge(by_beat[cols], on="beat_id", how="left")
    out[["households", "visited", "unvisited", "not_home"]] = (
        out[["households", "visited", "unvisited", "not_home"]].fillna(0).astype(int)
    )
    out.loc[out["households"] == 0, "coverage"] = np.nan
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=beats.crs)
    return simplify_wgs84(out, tolerance=tolerance, decimals=decimals)


def station_map_frame(
    beats: gpd.GeoDataFrame,
    stations: pd.DataFrame | None = None,
    *,
    tolerance: float = 5.0,
    decimals: int = 6,
) -> gpd.GeoDataFrame:
    """Station areas (the union of their beats), simplified, in WGS-84.

    Returns
    -------
    GeoDataFrame
        ``station_id``, ``name`` (when ``stations`` is given), ``beats`` (count).
    """
    if beats.empty:
        return gpd.GeoDataFrame({"station_id": [], "beats": []}, geometry=[], crs=beats.crs)
    utm = utm_crs(tuple(beats.to_crs(WGS84).total_bounds))
    b = beats[["station_id", "geometry"]].to_crs(utm)
    # close hairline gaps between neighbouring beats before dissolving
    b["geometry"] = b.geometry.buffer(0.5, join_style="mitre")
    out = b.dissolve(by="station_id", as_index=False)
    out["geometry"] = out.geometry.buffer(-0.5, join_style="mitre")
    out["beats"] = beats.groupby("station_id").size().reindex(out["station_id"]).to_numpy()
    if stations is not None:
        out.insert(1, "name", out["station_id"].map(stations.set_index("id")["name"]))
    out = out.to_crs(beats.crs)
    return simplify_wgs84(out, tolerance=tolerance, decimals=decimals)


def simplify_wgs84(
    gdf: gpd.GeoDataFrame, *, tolerance: float = 2.0, decimals: int = 6
) -> gpd.GeoDataFrame:
    """Simplify geometries by ``tolerance`` metres (in UTM), return WGS-84 rounded coordinates."""
    if gdf.empty:
        return gdf.to_crs(WGS84) if gdf.crs is not None else gdf
    if tolerance <= 0 and gdf.crs is not None and gdf.crs.equals(WGS84):
        rounded = shapely.transform(gdf.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
        out = gdf.copy()
        out["geometry"] = gpd.GeoSeries(rounded, index=gdf.index, crs=WGS84)
        return out
    utm = utm_crs(tuple(gdf.to_crs(WGS84).total_bounds))
    geoms = gdf.geometry.to_crs(utm)
    if tolerance > 0:
        geoms = geoms.simplify(tolerance, preserve_topology=True)
    geoms = geoms.to_crs(WGS84)
    rounded = shapely.transform(geoms.to_numpy(), lambda xy: np.round(xy, decimals))
    out = gdf.to_crs(WGS84)
    out["geometry"] = gpd.GeoSeries(rounded, index=gdf.index, crs=WGS84)
    return out


def offices_frame(beats: pd.DataFrame, stations: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Police offices (警务室) of the beats and the stations, as points.

    Returns
    -------
    DataFrame
        ``kind`` ("station" or "office"), ``name``, ``lon``, ``lat``.
    """
    rows = []
    b = beats.dropna(subset=["office_lon", "office_lat"]) if "office_lon" in beats else beats[:0]
    rows.append(
        pd.DataFrame(
            {
                "kind": "office",
                "name": b["name"].astype(object).to_numpy(),
                "lon": b["office_lon"].to_numpy(float) if len(b) else [],
                "lat": b["office_lat"].to_numpy(float) if len(b) else [],
            }
        )
    )
    if stations is not None and len(stations):
        s = stations[~stations.geometry.is_empty & stations.geometry.notna()]
        lon, lat = _lonlat(s)
        rows.append(
            pd.DataFrame(
                {
                    "kind": "station",
                    "name": s["name"].astype(object).to_numpy(),
                    "lon": lon,
                    "lat": lat,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out[["lon", "lat"]] = out[["lon", "lat"]].astype(float).round(6)
    return out


# --------------------------------------------------------------------------------------------
# one beat in detail


@dataclass
class BeatDetail:
    """What the page shows for one beat.

    Attributes
    ----------
    beat_id : int
    name : str
    households : DataFrame
        The beat's households (no personal fields), the not-yet-visited first.
    officers : DataFrame
        :func:`progress_table` rows (by officer) of the beat's community officers.
    trend : DataFrame
        :func:`coverage_trend` of the beat.
    summary : dict
        ``households``, ``visited``, ``coverage``.
    """

    beat_id: int
    name: str
    households: pd.DataFrame
    officers: pd.DataFrame
    trend: pd.DataFrame
    summary: dict


def beat_detail(
    beat_id: int,
    *,
    beats: pd.DataFrame,
    points: pd.DataFrame,
    status: pd.DataFrame,
    by_officer: pd.DataFrame | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> BeatDetail:
    """Households, officer figures and coverage trend of one beat.

    Parameters
    ----------
    beat_id : int
        The beat.
    beats : DataFrame
        ``id``, ``name``.
    points : DataFrame
        :func:`household_points` of the households in scope.
    status : DataFrame
        :func:`household_status` of the same households.
    by_officer : DataFrame, optional
        :func:`progress_table` by officer.
    start, end : timestamp, optional
        Days of the trend.

    Raises
    ------
    NotFoundError
        When no beat has this id.
    """
    match = beats.loc[beats["id"] == beat_id, "name"]
    if match.empty:
        raise NotFoundError(f"no beat with id {beat_id}; known ids: {sorted(beats['id'])[:20]}")
    order = {s: i for i, s in enumerate(("unvisited", "not_home", "refused", "moved_away"))}
    hh = points[points["beat_id"] == beat_id]
    hh = hh.assign(_o=hh["status"].map(order).fillna(9)).sort_values(["_o", "address"])
    hh = hh.drop(columns=["_o", "lon", "lat", "beat_id"]).reset_index(drop=True)
    st_ = status[status["beat_id"] == beat_id]
    offs = (
        by_officer[by_officer["beat_id"] == beat_id].reset_index(drop=True)
        if by_officer is not None
        else pd.DataFrame()
    )
    n = len(st_)
    visited = int((st_["status"] == "visited").sum())
    return BeatDetail(
        beat_id=int(beat_id),
        name=str(match.iloc[0]),
        households=hh,
        officers=offs,
        trend=coverage_trend(st_, start=start, end=end),
        summary={"households": n, "visited": visited, "coverage": visited / n if n else 0.0},
    )


# --------------------------------------------------------------------------------------------
# everything the Coverage page shows, in one call

#: sheet names of the Coverage page's workbook: key -> (Chinese, English)
SHEETS = Catalogue(
    {
        "station": ("派出所进度", "stations"),
        "beat": ("警务区进度", "beats"),
        "officer": ("民警进度", "officers"),
        "evenings": ("每晚走访", "visits per evening"),
        "hours": ("民警在社区时长", "officer hours"),
        "surveys": ("回访结果", "surveys"),
        "effect": ("安装前后警情", "installs and incidents"),
    }
)
#: incident heat maps are aggregated to H3 cells above this many incidents
MAX_HEAT_POINTS = 3000


@dataclass
class CoverageView:
    """Every table and map input of the Coverage page for one set of filters.

    Attributes
    ----------
    filters : Filters
    as_of, target_date : Timestamp
        Day the figures are taken at, and the target's due day.
    totals : dict
        The whole view: ``households``, ``visited``, ``not_home``, ``unvisited``,
        ``coverage``, ``pace``, ``required_pace``, ``projected_finish``, ``on_track``.
    progress : dict of str to DataFrame
        :func:`progress_table` by ``"station"``, ``"beat"`` and ``"officer"``.
    mode : {"points", "hexes"}
        What the map draws for households (:func:`choose_view`).
    map_points : DataFrame
        Households drawn as points: all in view in points mode, else those of the selected
        beat (possibly empty).
    hexes : DataFrame or None
        :func:`hex_summary` in hexes mode.
    resolution : int or None
        H3 resolution of the hexagons and of the aggregated heat maps.
    beats_map, stations_map : GeoDataFrame
        :func:`beat_map_frame` and :func:`station_map_frame`.
    offices : DataFrame
        :func:`offices_frame`.
    cameras : DataFrame
        Filtered cameras with ``lon``/``lat`` (drawn in points mode).
    heat_unvisited, heat_incidents : DataFrame
        :func:`heat_points` of households not yet visited (weight 1, "not home" 0.5) and of
        the incidents of the chosen categories and hours.
    incidents_by_hour : DataFrame
        :func:`incidents_by_hour` of the filtered incidents (all hours).
    evenings : DataFrame
        :func:`visits_per_evening`.
    hours : DataFrame
        :func:`officer_hours`.
    surveys : DataFrame
        :func:`survey_summary` by beat; ``surveys_total`` overall.
    effect : geo.effect.EffectResult
        Camera installs and incidents before/after.
    detail : BeatDetail or None
        The selected beat.
    bounds : tuple of float
        ``(west, south, east, north)`` of the beats in view.
    """

    filters: Filters
    as_of: pd.Timestamp
    target_date: pd.Timestamp
    totals: dict
    progress: dict[str, pd.DataFrame]
    mode: str
    map_points: pd.DataFrame
    hexes: pd.DataFrame | None
    resolution: int | None
    beats_map: gpd.GeoDataFrame
    stations_map: gpd.GeoDataFrame
    offices: pd.DataFrame
    cameras: pd.DataFrame
    heat_unvisited: pd.DataFrame
    heat_incidents: pd.DataFrame
    incidents_by_hour: pd.DataFrame
    evenings: pd.DataFrame
    hours: pd.DataFrame
    surveys: pd.DataFrame
    surveys_total: pd.DataFrame
    effect: object
    detail: BeatDetail | None
    bounds: tuple[float, float, float, float]

    def export_tables(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """The view's tables with labelled columns, for XLSX/CSV export (nothing personal)."""
        out = {SHEETS(k, lang): labelled(v, lang) for k, v in self.progress.items()}
        extra = {
            "evenings": self.evenings.reset_index(),
            "hours": self.hours,
            "surveys": self.surveys,
            "effect": self.effect.by_beat,
        }
        for key, df in extra.items():
            out[SHEETS(key, lang)] = labelled(df, lang)
        return out


def overall_progress(
    status: pd.DataFrame,
    *,
    target_date: pd.Timestamp | str,
    target: float = 1.0,
    as_of: pd.Timestamp | str | None = None,
    window_days: int = 14,
) -> dict:
    """:func:`progress_table` of all households in ``status`` taken together, as a dict.

    Returns
    -------
    dict
        ``households``, ``visited``, ``not_home``, ``refused``, ``moved_away``,
        ``unvisited``, ``coverage``, ``recent``, ``pace``, ``remaining``, ``required_pace``,
        ``projected_finish``, ``late_days``, ``on_track``.
    """
    if as_of is None:
        last = pd.to_datetime(status["visited_at"]).max()
        as_of = pd.Timestamp.now().normalize() if pd.isna(last) else last.normalize()
    per_beat, _ = beat_tallies(status, recent=recent_window(as_of, window_days))
    return overall_from_tallies(
        per_beat, target=target, target_date=target_date, as_of=as_of, window_days=window_days
    )


def overall_from_tallies(
    per_beat: pd.DataFrame,
    *,
    target_date: pd.Timestamp | str,
    as_of: pd.Timestamp | str,
    target: float = 1.0,
    window_days: int = 14,
) -> dict:
    """:func:`overall_progress` from :func:`beat_tallies` (every row, beat or none, counts)."""
    numbers = [c for c in per_beat.columns if c != "beat_id"]
    total = per_beat[numbers].sum().to_frame().T.astype(int).assign(beat_id=0)
    one = pd.DataFrame({"id": [0], "name": [""], "station_id": [0]})
    row = progress_from_tallies(
        total,
        pd.DataFrame({"officer_id": [], "visited_by_officer": [], "own_recent": []}),
        by="station",
        beats=one,
        target_date=target_date,
        target=target,
        as_of=as_of,
        window_days=window_days,
    ).iloc[0]
    keys = (*STATUSES, "households", "coverage", "recent", "pace", "remaining")
    out = {k: row[k].item() if hasattr(row[k], "item") else row[k] for k in keys}
    out.update(
        required_pace=float(row["required_pace"]),
        projected_finish=row["projected_finish"],
        late_days=float(row["late_days"]),
        on_track=bool(row["on_track"]),
    )
    return out


def coverage_view(
    frames: Mapping[str, pd.DataFrame],
    filters: Filters,
    *,
    target_date: pd.Timestamp | str,
    target: float = 1.0,
    as_of: pd.Timestamp | str | None = None,
    window_days: int = 14,
    selected_beat: int | None = None,
    max_points: int = MAX_POINTS,
    incident_categories: tuple[str, ...] | None = None,
    incident_hours: tuple[int, int] | None = None,
    effect_window_days: int = 60,
    effect_min_installs: int = 3,
) -> CoverageView:
    """Compute everything the Coverage page shows.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        All eight tables (see :data:`geo.model.TABLE_ORDER`); ``cameras`` and ``incidents``
        with ``beat_id`` (:func:`with_beat`), households with point geometry.
    filters : Filters
        The sidebar's filters. The campaign window applies to visits, surveys and incidents
        (the before/after comparison reads the whole incident history).
    target_date : timestamp
        Day the campaign target is due.
    target : float
        Share of households to visit by then.
    as_of : timestamp, optional
        Day the figures are taken at; default the window's end or the last visit, whichever
        is earlier.
    window_days : int
        Days of the recent pace.
    selected_beat : int, optional
        Beat whose households, officers and trend are detailed (and drawn as points).
    max_points : int
        Above this many households in view, households are drawn as H3 hexagons.
    incident_categories : tuple of str, optional
        Categories of the incident heat map (default all).
    incident_hours : tuple of int, optional
        ``(first, last)`` hour of day of the incident heat map, e.g. ``(20, 2)``.
    effect_window_days, effect_min_installs : int
        See :func:`geo.effect.install_effect`.

    Returns
    -------
    CoverageView
    """
    f = apply_filters(frames, filters)
    undated = apply_filters(frames, filters, dated=())
    hh, visits, beats = f["households"], f["visits"], f["beats"]
    as_of = _as_of(visits, filters, as_of)
    status = household_status(hh, visits, end=as_of)
    progress = {
        by: progress_table(
            status,
            by=by,
            beats=beats,
            stations=f["stations"],
            officers=f["officers"],
            target=target,
            target_date=target_date,
            as_of=as_of,
            window_days=window_days,
        )
        for by in LEVELS
    }
    points = household_points(hh, status)
    mode = choose_view(len(points), max_points=max_points)
    bounds = _view_bounds(beats, points)
    cams = camera_points(f["cameras"])
    resolution = hexes = cells = None
    map_points = points
    if mode == "hexes":
        resolution = hex_resolution(bounds)
        cells = h3_cells(points["lon"].to_numpy(), points["lat"].to_numpy(), resolution)
        hexes = hex_summary(points, resolution=resolution, cameras=cams, cells=cells)
        map_points = (
            points[points["beat_id"] == selected_beat] if selected_beat is not None else points[:0]
        )
    inc = f["incidents"]
    effect = install_effect(
        beats=beats,
        households=hh,
        cameras=undated["cameras"],
        incidents=undated["incidents"],
        since=filters.start if filters.start is not None else as_of - pd.Timedelta(days=120),
        until=as_of,
        window_days=effect_window_days,
        min_installs=effect_min_installs,
    )
    detail = None
    if selected_beat is not None and (beats["id"] == selected_beat).any():
        detail = beat_detail(
            selected_beat,
            beats=beats,
            points=points,
            status=status,
            by_officer=progress["officer"],
            start=filters.start,
            end=as_of,
        )
    return CoverageView(
        filters=filters,
        as_of=as_of,
        target_date=pd.Timestamp(target_date).normalize(),
        totals=overall_progress(
            status, target=target, target_date=target_date, as_of=as_of, window_days=window_days
        ),
        progress=progress,
        mode=mode,
        map_points=map_points,
        hexes=hexes,
        resolution=resolution,
        beats_map=beat_map_frame(beats, progress["beat"]),
        stations_map=station_map_frame(beats, f["stations"]),
        offices=offices_frame(beats, f["stations"]),
        cameras=cams,
        heat_unvisited=unvisited_heat(points, resolution, cells),
        heat_incidents=incident_heat(
            inc, incident_categories, incident_hours, resolution=resolution, bounds=bounds
        ),
        incidents_by_hour=incidents_by_hour(inc),
        evenings=visits_per_evening(visits, start=filters.start, end=as_of),
        hours=officer_hours(visits, officers=f["officers"]),
        surveys=survey_summary(f["surveys"], hh, beats=beats),
        surveys_total=survey_summary(f["surveys"], hh, beats=beats, by="all"),
        effect=effect,
        detail=detail,
        bounds=bounds,
    )


def _as_of(
    visits: pd.DataFrame, filters: Filters, as_of: pd.Timestamp | str | None
) -> pd.Timestamp:
    """The day figures are taken at: given, else the last visit within the window, else its end."""
    return as_of_day(pd.to_datetime(visits["visited_at"]).max(), filters, as_of)


def as_of_day(
    last: pd.Timestamp | None, filters: Filters, as_of: pd.Timestamp | str | None = None
) -> pd.Timestamp:
    """The day figures are taken at, from ``last``, the time of the last visit in view."""
    if as_of is None:
        as_of = last if filters.end is None or pd.isna(last) else min(last, filters.end)
        if pd.isna(as_of):
            as_of = filters.end if filters.end is not None else pd.Timestamp.now()
    return pd.Timestamp(as_of).normalize()


def _view_bounds(
    beats: gpd.GeoDataFrame, points: pd.DataFrame
) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of the beats in view, else of the households."""
    if len(beats):
        return tuple(float(v) for v in beats.total_bounds)
    if len(points):
        lon, lat = points["lon"], points["lat"]
        return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    return (0.0, 0.0, 0.0, 0.0)


def camera_points(cams: pd.DataFrame) -> pd.DataFrame:
    """The cameras as the map draws them: kind, status, install day, beat and rounded lon/lat."""
    lon, lat = _lonlat(cams)
    return pd.DataFrame(
        {
            "kind": cams["kind"].astype(object).to_numpy(),
            "status": cams["status"].astype(object).to_numpy(),
            "installed_on": pd.to_datetime(cams["installed_on"]).to_numpy(),
            "beat_id": cams["beat_id"].to_numpy() if "beat_id" in cams else pd.NA,
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
        }
    )


def unvisited_heat(
    points: pd.DataFrame, resolution: int | None, cells: np.ndarray | None
) -> pd.DataFrame:
    """Heat of the households still to visit: weight 1, "not home" 0.5."""
    todo = points["status"].isin(["unvisited", "not_home"]).to_numpy(bool)
    return heat_points(
        points["lon"].to_numpy()[todo],
        points["lat"].to_numpy()[todo],
        weights=np.where(points["status"].to_numpy()[todo] == "not_home", 0.5, 1.0),
        resolution=resolution,
        cells=None if cells is None else cells[todo],
    )


def incident_heat(
    incidents: pd.DataFrame,
    categories: tuple[str, ...] | None,
    hours: tuple[int, int] | None,
    *,
    resolution: int | None,
    bounds: tuple[float, float, float, float],
) -> pd.DataFrame:
    """Heat of the incidents of ``categories`` and ``hours``, on H3 cells when there are many."""
    inc = incidents
    if categories:
        inc = inc[inc["category"].astype(object).isin(categories).to_numpy(bool)]
    if hours is not None:
        inc = inc[hour_mask(inc["occurred_at"], hours)]
    lon, lat = _lonlat(inc)
    heat_res = None
    if len(inc) > MAX_HEAT_POINTS:
        heat_res = resolution or hex_resolution(bounds, max_cells=MAX_HEAT_POINTS)
    return heat_points(lon, lat, resolution=heat_res)
