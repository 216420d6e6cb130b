"""Visit coverage: each household's status and the share visited per station, beat, officer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo._errors import InputError

#: household status codes, in the order they are drawn and counted
STATUSES = ("visited", "not_home", "refused", "moved_away", "unvisited")
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
        end_ts = pd.Timestamp(end)
        if end_ts == end_ts.normalize():
            end_ts = end_ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        keep &= (when <= end_ts).to_numpy()
    v = v[keep].sort_values(["household_id", "visited_at"], kind="stable")
    last = v.drop_duplicates("household_id", keep="last").set_index("household_id")
    ok = v[v["outcome"] == "visited"].drop_duplicates("household_id", keep="first")
    ok = ok.set_index("household_id")
    attempts = v.groupby("household_id").size()
    out = households[["id", "beat_id"]].copy()
    hid = out["id"]
    out["last_outcome"] = hid.map(last["outcome"]).astype(object)
    out["last_attempt_at"] = pd.to_datetime(hid.map(last["visited_at"]))
    out["visited_at"] = pd.to_datetime(hid.map(ok["visited_at"]))
    out["visited_by"] = pd.array(hid.map(ok["officer_id"]), dtype="Int64")
    out["attempts"] = hid.map(attempts).fillna(0).astype(int)
    status = out["last_outcome"].where(out["last_outcome"].notna(), "unvisited")
    status = status.where(out["visited_at"].isna(), "visited")
    out["status"] = status.astype(object)
    return out


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
    if by not in LEVELS:
        raise InputError(f"by must be one of {LEVELS}, got {by!r}")
    beat_id = status["beat_id"].astype("Int64")
    counts = pd.crosstab(beat_id, status["status"]).reindex(columns=STATUSES, fill_value=0)
    counts.index.name = "beat_id"
    per_beat = beats[["id", "name", "station_id"]].rename(columns={"id": "beat_id"})
    per_beat = per_beat.merge(counts, left_on="beat_id", right_index=True, how="left")
    per_beat[list(STATUSES)] = per_beat[list(STATUSES)].fillna(0).astype(int)
    if by == "beat":
        table = per_beat
    elif by == "station":
        table = per_beat.groupby("station_id", as_index=False)[list(STATUSES)].sum()
        if stations is not None:
            names = stations.set_index("id")["name"]
            table.insert(1, "name", table["station_id"].map(names))
    else:
        if officers is None:
            raise InputError("by='officer' needs the officers table")
        cops = officers[officers["role"] == "community_officer"][["id", "name", "beat_id"]]
        cops = cops.rename(columns={"id": "officer_id"})
        table = cops.merge(per_beat.drop(columns=["name"]), on="beat_id", how="left")
        table[list(STATUSES)] = table[list(STATUSES)].fillna(0).astype(int)
        own = status.loc[status["visited_by"].notna(), "visited_by"].astype("int64")
        table["visited_by_officer"] = table["officer_id"].map(own.value_counts()).fillna(0)
        table["visited_by_officer"] = table["visited_by_officer"].astype(int)
    table["households"] = table[list(STATUSES)].sum(axis=1)
    hh = table["households"].to_numpy(dtype=float)
    table["coverage"] = np.divide(
        table["visited"].to_numpy(dtype=float), hh, out=np.zeros_like(hh), where=hh > 0
    )
    return table.sort_values("coverage", kind="stable").reset_index(drop=True)
