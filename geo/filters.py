"""The one set of sidebar filters every page applies, and the beat of scattered points.

:class:`Filters` holds the campaign window, stations, beats, officers and household type the
user chose; :func:`apply_filters` keeps the rows of each table they select. :func:`with_beat`
gives incidents and cameras the ``beat_id`` the filters narrow them by.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import InputError
from geo.beats import assign_beats

__all__ = [
    "DATED_COLUMNS",
    "HOUSEHOLD_TYPES",
    "Filters",
    "apply_filters",
    "end_of_day",
    "with_beat",
]

#: household type filter: code -> (Chinese, English)
HOUSEHOLD_TYPES = {
    "all": ("全部", "all"),
    "rental": ("出租房", "rental"),
    "owner": ("自住房", "owner-occupied"),
}
#: tables whose rows carry a date that the campaign window applies to, and that column
DATED_COLUMNS = {"visits": "visited_at", "surveys": "surveyed_on", "incidents": "occurred_at"}


def end_of_day(end: pd.Timestamp | str) -> pd.Timestamp:
    """``end`` itself, or the last instant of its day when it is a bare date (midnight)."""
    ts = pd.Timestamp(end)
    if ts == ts.normalize():
        ts = ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return ts


@dataclass(frozen=True)
class Filters:
    """The sidebar's filters: campaign window, station, beat, officer and household type.

    Empty tuples mean "all". Build one in the UI, hand it to :func:`apply_filters`.

    Parameters
    ----------
    start, end : timestamp, optional
        Campaign window (``end`` inclusive of its whole day).
    stations, beats, officers : tuple of int
        Ids to keep; empty keeps all.
    household_type : {"all", "rental", "owner"}
        Rental houses, owner-occupied homes (not marked rental) or all.
    """

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    stations: tuple[int, ...] = ()
    beats: tuple[int, ...] = ()
    officers: tuple[int, ...] = ()
    household_type: str = "all"

    def __post_init__(self) -> None:
        if self.household_type not in HOUSEHOLD_TYPES:
            raise InputError(
                f"household_type must be one of {tuple(HOUSEHOLD_TYPES)}, "
                f"got {self.household_type!r}"
            )
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, pd.Timestamp(value))
        if self.start is not None and self.end is not None and self.start > self.end:
            raise InputError(f"start {self.start:%Y-%m-%d} is after end {self.end:%Y-%m-%d}")
        for name in ("stations", "beats", "officers"):
            object.__setattr__(self, name, tuple(int(v) for v in getattr(self, name)))

    @property
    def spatial(self) -> bool:
        """Whether the filters narrow the set of beats."""
        return bool(self.stations or self.beats or self.officers)

    def apply(self, frames: Mapping[str, pd.DataFrame], **kwargs) -> dict[str, pd.DataFrame]:
        """Shortcut for :func:`apply_filters` with these filters."""
        return apply_filters(frames, self, **kwargs)


def apply_filters(
    frames: Mapping[str, pd.DataFrame],
    filters: Filters,
    *,
    dated: tuple[str, ...] = tuple(DATED_COLUMNS),
) -> dict[str, pd.DataFrame]:
    """The rows of each table that the filters keep.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Tables by name (any of ``stations``, ``beats``, ``officers``, ``households``,
        ``visits``, ``cameras``, ``incidents``, ``surveys``). ``cameras`` and ``incidents`` are
        narrowed to the kept beats only when they carry a ``beat_id`` column (see
        :func:`with_beat`).
    filters : Filters
    dated : tuple of str
        Tables the campaign window applies to (default visits, surveys and incidents; leave
        incidents out for before/after comparisons that need their whole history).

    Returns
    -------
    dict of str to DataFrame
        The same keys; frames are filtered views (copy before changing them).

    Notes
    -----
    * station and beat narrow the beats; officers narrow the beats to theirs, and visits to
      the ones they made themselves, so coverage shows what those officers did.
    * household type keeps rental (``rental`` true) or owner-occupied (false or unknown) homes,
      their visits and surveys, and the cameras of those homes (public cameras stay).
    """
    out = dict(frames)
    beats = frames.get("beats")
    officers = frames.get("officers")
    keep_beats: set[int] | None = None
    if beats is not None and filters.spatial:
        mask = np.ones(len(beats), dtype=bool)
        if filters.stations:
            mask &= beats["station_id"].isin(filters.stations).to_numpy(bool)
        if filters.beats:
            mask &= beats["id"].isin(filters.beats).to_numpy(bool)
        if filters.officers and officers is not None:
            own = officers.loc[officers["id"].isin(filters.officers), "beat_id"].dropna()
            mask &= beats["id"].isin(own.astype("int64")).to_numpy(bool)
        out["beats"] = beats[mask]
        keep_beats = set(beats.loc[mask, "id"].astype("int64"))
    if "stations" in frames and filters.stations:
        st_ = frames["stations"]
        out["stations"] = st_[st_["id"].isin(filters.stations)]
    if officers is not None:
        mask = np.ones(len(officers), dtype=bool)
        if filters.stations:
            mask &= officers["station_id"].isin(filters.stations).to_numpy(bool)
        if keep_beats is not None and (filters.beats or filters.officers):
            mask &= officers["beat_id"].isin(keep_beats).fillna(False).to_numpy(bool)
        if filters.officers:
            mask &= officers["id"].isin(filters.officers).to_numpy(bool)
        out["officers"] = officers[mask]
    hh = frames.get("households")
    keep_hh: pd.Series | None = None
    if hh is not None:
        mask = np.ones(len(hh), dtype=bool)
        if keep_beats is not None:
            mask &= hh["beat_id"].isin(keep_beats).fillna(False).to_numpy(bool)
        if filters.household_type != "all":
            rental = hh["rental"].fillna(False).to_numpy(bool)
            mask &= rental if filters.household_type == "rental" else ~rental
        out["households"] = hh[mask]
        keep_hh = hh.loc[mask, "id"]
    narrowed = keep_hh is not None and (keep_beats is not None or filters.household_type != "all")
    for name in ("visits", "surveys"):
        df = frames.get(name)
        if df is None:
            continue
        mask = np.ones(len(df), dtype=bool)
        if narrowed:
            mask &= df["household_id"].isin(keep_hh).to_numpy(bool)
        if name == "visits" and filters.officers:
            mask &= df["officer_id"].isin(filters.officers).to_numpy(bool)
        out[name] = df[mask]
    cams = frames.get("cameras")
    if cams is not None:
        mask = np.ones(len(cams), dtype=bool)
        if keep_beats is not None and "beat_id" in cams.columns:
            mask &= cams["beat_id"].isin(keep_beats).fillna(False).to_numpy(bool)
        if filters.household_type != "all" and keep_hh is not None:
            home = cams["household_id"].notna().to_numpy(bool)
            mask &= ~home | cams["household_id"].isin(keep_hh).fillna(False).to_numpy(bool)
        out["cameras"] = cams[mask]
    inc = frames.get("incidents")
    if inc is not None and keep_beats is not None and "beat_id" in inc.columns:
        out["incidents"] = inc[inc["beat_id"].isin(keep_beats).fillna(False).to_numpy(bool)]
    for name in dated:
        df = out.get(name)
        if df is None or (filters.start is None and filters.end is None):
            continue
        when = pd.to_datetime(df[DATED_COLUMNS[name]])
        mask = np.ones(len(df), dtype=bool)
        if filters.start is not None:
            mask &= (when >= filters.start).fillna(False).to_numpy(bool)
        if filters.end is not None:
            mask &= (when <= end_of_day(filters.end)).fillna(False).to_numpy(bool)
        out[name] = df[mask]
    return out


def with_beat(points: gpd.GeoDataFrame, beats: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add the ``beat_id`` each point lies in (``<NA>`` outside every beat).

    Parameters
    ----------
    points : GeoDataFrame
        Incidents, cameras or any points, same CRS as ``beats``.
    beats : GeoDataFrame
        Polygons with ``id``.

    Returns
    -------
    GeoDataFrame
        A copy of ``points`` with ``beat_id`` (Int64).
    """
    out = points.copy()
    if len(points) == 0 or len(beats) == 0:
        out["beat_id"] = pd.array([pd.NA] * len(points), dtype="Int64")
        return out
    out["beat_id"] = assign_beats(points, beats.to_crs(points.crs)).beat_id
    return out
