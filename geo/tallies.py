"""Coverage figures computed in the database.

The Coverage page needs counts, not rows: households per status per beat, station or officer,
visits per day and outcome, each officer's own visits. These functions ask the database for
exactly those aggregates (indexed by ``0004_store``: visits by household/outcome/time, by
officer/time, households by beat), so a page's work follows what it shows (one beat reads one
beat's rows) and not the size of the city, and the server never holds whole tables per session.

The status rule is :func:`geo.coverage.household_status`'s: a household is ``visited`` once any
visit in the window found the family at home; otherwise it has the outcome of its last attempt
(``not_home``, ``refused``, ``moved_away``), or ``unvisited`` when nobody called. Filters
(stations, beats, a date window, a user's scope) are the store's (:func:`geo.store.filters`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo._errors import InputError
from geo.model import OUTCOMES
from geo.store import BEAT_HOUSEHOLDS, SQL_TABLES, VISIT_DAYS, VISIT_STATUS, filters, status_rows

__all__ = [
    "STATUSES",
    "visit_span",
    "daily_visits",
    "household_states",
    "officer_visits",
    "status_counts",
    "status_rows",
]

#: household statuses, in the order the Coverage page shows them
STATUSES = ("visited", *[o for o in OUTCOMES if o != "visited"], "unvisited")
LEVELS = ("city", "station", "beat", "officer")


def _conditions(name: str, scope: Any, **narrow: object) -> list[sa.ColumnElement]:
    """The store's SQL filters of table ``name`` plus the scope's clause for it."""
    out = filters(name, **narrow)
    if scope is not None and (clause := scope.where(name)) is not None:
        out.append(clause)
    return out


def _household_conditions(scope: Any, station_ids, beat_ids) -> list[sa.ColumnElement]:
    return _conditions("households", scope, station_ids=station_ids, beat_ids=beat_ids)


def _frame(store: Any, stmt: sa.Select, columns: Sequence[str]) -> pd.DataFrame:
    """Run ``stmt`` (database faults become one clear :class:`geo.store.StoreError`)."""
    with store.faults(), store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).all(), columns=list(columns))


def status_counts(
    store: Any,
    *,
    by: str = "beat",
    station_ids: Sequence[int] | None = None,
    beat_ids: Sequence[int] | None = None,
    start: object = None,
    end: object = None,
    scope: Any = None,
) -> pd.DataFrame:
    """Households per status per station, beat or officer (or the whole city), in SQL.

    Without a date window the figures come from the status table kept up to date as visits
    are written (:data:`geo.store.VISIT_STATUS`): a few grouped index scans, whatever the
    number of visits. With ``start``/``end`` the rule runs over that window's visits.

    Parameters
    ----------
    store : geo.store.Store
    by : {"city", "station", "beat", "officer"}
        ``officer``: each community officer gets the figures of the beat they are assigned to
        and, in ``visited_by_officer``, the households whose first successful visit was theirs.
    station_ids, beat_ids : sequence of int, optional
        Only households of these stations / beats.
    start, end : datetime-like, optional
        Only visits on or after ``start`` and before ``end``.
    scope : geo.auth.Scope, optional
        Only what this user may see.

    Returns
    -------
    DataFrame
        One row per unit (``station_id``, ``beat_id`` or ``officer_id``; none for ``city``) with
        ``households``, one column per status in :data:`STATUSES` and ``coverage`` (visited /
        households, 0-1), lowest coverage first. Units without households are left out.
    """
    if by not in LEVELS:
        raise InputError(f"by must be one of {', '.join(LEVELS)}; got {by!r}")
    hh = SQL_TABLES["households"]
    hh_where = _household_conditions(scope, station_ids, beat_ids)
    if start is None and end is None:
        st = VISIT_STATUS
        st_where = []
        if beat_ids is not None:
            st_where.append(st.c.beat_id.in_([int(b) for b in beat_ids]))
        if station_ids is not None:
            beats = SQL_TABLES["beats"]
            st_where.append(
                st.c.beat_id.in_(
                    sa.select(beats.c.id).where(
                        beats.c.station_id.in_([int(i) for i in station_ids])
                    )
                )
            )
        if scope is not None and scope.where("households") is not None:
            st_where.append(st.c.household_id.in_(sa.select(hh.c.id).where(*hh_where)))
        status = sa.select(st).where(*st_where).subquery("status")
    else:
        status = status_rows(household_where=hh_where, start=start, end=end).subquery("status")
    if scope is not None and scope.where("households") is not None:
        per_beat_hh = (
            sa.select(hh.c.beat_id, sa.func.count().label("households"))
            .where(*hh_where)
            .group_by(hh.c.beat_id)
        )
    else:  # the counts kept up to date by the store
        bh = BEAT_HOUSEHOLDS
        per_beat_hh = sa.select(bh.c.beat_id, bh.c.households)
        if beat_ids is not None:
            per_beat_hh = per_beat_hh.where(bh.c.beat_id.in_([int(b) for b in beat_ids]))
        if station_ids is not None:
            beats_t = SQL_TABLES["beats"]
            per_beat_hh = per_beat_hh.where(
                bh.c.beat_id.in_(
                    sa.select(beats_t.c.id).where(
                        beats_t.c.station_id.in_([int(i) for i in station_ids])
                    )
                )
            )
    per_beat_status = sa.select(status.c.beat_id, status.c.status, sa.func.count()).group_by(
        status.c.beat_id, status.c.status
    )
    with store.faults(), store.engine.connect() as conn:
        households = pd.DataFrame(
            conn.execute(per_beat_hh).all(), columns=["beat_id", "households"]
        )
        counts = pd.DataFrame(
            conn.execute(per_beat_status).all(), columns=["beat_id", "status", "n"]
        )
        beats = pd.DataFrame(
            conn.execute(
                sa.select(SQL_TABLES["beats"].c.id, SQL_TABLES["beats"].c.station_id)
            ).all(),
            columns=["beat_id", "station_id"],
        )
        if by == "officer":
            off = SQL_TABLES["officers"]
            cops = pd.DataFrame(
                conn.execute(
                    sa.select(off.c.id, off.c.beat_id).where(off.c.role == "community_officer")
                ).all(),
                columns=["officer_id", "beat_id"],
            )
            own = pd.DataFrame(
                conn.execute(
                    sa.select(status.c.visited_by, sa.func.count())
                    .where(status.c.status == "visited")
                    .group_by(status.c.visited_by)
                ).all(),
                columns=["officer_id", "visited_by_officer"],
            )
    households["beat_id"] = pd.array(households["beat_id"], dtype="Int64")
    counts["beat_id"] = pd.array(counts["beat_id"], dtype="Int64")
    wide = counts.pivot_table(index="beat_id", columns="status", values="n", aggfunc="sum")
    table = households.merge(wide, left_on="beat_id", right_index=True, how="left")
    for c in STATUSES[:-1]:
        table[c] = (
            pd.to_numeric(table[c], errors="coerce").fillna(0).astype(int) if c in table else 0
        )
    table["households"] = table["households"].astype(int)
    table["unvisited"] = table["households"] - table[list(STATUSES[:-1])].sum(axis=1)
    cols = ["households", *STATUSES]
    if by == "city":
        table = table[cols].sum().to_frame().T
    elif by == "beat":
        table = table[table["beat_id"].notna()]
    elif by == "station":
        table = table.merge(beats, on="beat_id", how="inner")
        table = table.groupby("station_id", as_index=False)[cols].sum()
    elif by == "officer":
        table = cops.merge(
            table[table["beat_id"].notna()].astype({"beat_id": "int64"}), on="beat_id"
        )
        table = table.merge(own, on="officer_id", how="left")
        table["visited_by_officer"] = table["visited_by_officer"].fillna(0).astype(int)
    table = table[table["households"] > 0] if len(table) else table
    for c in cols:
        table[c] = pd.to_numeric(table[c]).astype(int)
    hh_n = table["households"].to_numpy(dtype=float)
    table["coverage"] = np.divide(
        table["visited"].to_numpy(dtype=float), hh_n, out=np.zeros_like(hh_n), where=hh_n > 0
    )
    return table.sort_values("coverage", kind="stable").reset_index(drop=True)


def household_states(
    store: Any,
    *,
    station_ids: Sequence[int] | None = None,
    beat_ids: Sequence[int] | None = None,
    scope: Any = None,
) -> pd.DataFrame:
    """Every household's campaign status from the status table, without reading the visits.

    The same rows as :func:`geo.coverage.household_status` over all visits (``id``,
    ``beat_id``, ``status``, ``visited_at`` of the first successful visit, ``visited_by``,
    ``last_attempt_at``, ``attempts``), for the households in the filters; one indexed join.
    """
    hh, st = SQL_TABLES["households"], VISIT_STATUS
    stmt = (
        sa.select(
            hh.c.id,
            hh.c.beat_id,
            sa.func.coalesce(st.c.status, "unvisited").label("status"),
            st.c.first_visited_at,
            st.c.visited_by,
            st.c.last_attempt_at,
            sa.func.coalesce(st.c.attempts, 0).label("attempts"),
        )
        .select_from(hh.outerjoin(st, st.c.household_id == hh.c.id))
        .where(*_household_conditions(scope, station_ids, beat_ids))
        .order_by(hh.c.id)
    )
    cols = ["id", "beat_id", "status", "visited_at", "visited_by", "last_attempt_at", "attempts"]
    out = _frame(store, stmt, cols)
    out["id"] = out["id"].astype("int64")
    out["beat_id"] = pd.array(out["beat_id"], dtype="Int64")
    out["visited_by"] = pd.array(out["visited_by"], dtype="Int64")
    out["attempts"] = out["attempts"].astype(int)
    for c in ("visited_at", "last_attempt_at"):
        out[c] = pd.to_datetime(out[c])
    return out


def daily_visits(
    store: Any,
    *,
    station_ids: Sequence[int] | None = None,
    beat_ids: Sequence[int] | None = None,
    start: object = None,
    end: object = None,
    scope: Any = None,
) -> pd.DataFrame:
    """Visit attempts per day and outcome, in SQL.

    Returns
    -------
    DataFrame
        ``day`` (datetime64, midnight) and one column per outcome in :data:`geo.model.OUTCOMES`
        plus ``attempts``, one row per day with visits, in date order.
    """
    v = SQL_TABLES["visits"]
    where = _conditions(
        "visits", scope, station_ids=station_ids, beat_ids=beat_ids, start=start, end=end
    )
    day = sa.func.date(v.c.visited_at).label("day")
    stmt = (
        sa.select(
            day,
            *[sa.func.sum(sa.case((v.c.outcome == o, 1), else_=0)).label(o) for o in OUTCOMES],
            sa.func.count().label("attempts"),
        )
        .where(*where)
        .group_by(day)
        .order_by(day)
    )
    out = _frame(store, stmt, ["day", *OUTCOMES, "attempts"])
    out["day"] = pd.to_datetime(out["day"])
    for c in (*OUTCOMES, "attempts"):
        out[c] = pd.to_numeric(out[c]).astype(int)
    return out


def officer_visits(
    store: Any,
    *,
    station_ids: Sequence[int] | None = None,
    beat_ids: Sequence[int] | None = None,
    start: object = None,
    end: object = None,
    scope: Any = None,
) -> pd.DataFrame:
    """Each officer's visit attempts by outcome, households called on, evenings out, in SQL.

    Returns
    -------
    DataFrame
        ``officer_id``, one column per outcome, ``attempts``, ``households`` (distinct),
        ``days`` (distinct evenings with a visit), ``first_at``, ``last_at``; most attempts first.
    """
    v = SQL_TABLES["visits"]
    where = _conditions(
        "visits", scope, station_ids=station_ids, beat_ids=beat_ids, start=start, end=end
    )
    stmt = (
        sa.select(
            v.c.officer_id,
            *[sa.func.sum(sa.case((v.c.outcome == o, 1), else_=0)).label(o) for o in OUTCOMES],
            sa.func.count().label("attempts"),
            sa.func.count(sa.distinct(v.c.household_id)).label("households"),
            sa.func.count(sa.distinct(sa.func.date(v.c.visited_at))).label("days"),
            sa.func.min(v.c.visited_at).label("first_at"),
            sa.func.max(v.c.visited_at).label("last_at"),
        )
        .where(*where)
        .group_by(v.c.officer_id)
    )
    cols = ["officer_id", *OUTCOMES, "attempts", "households", "days", "first_at", "last_at"]
    out = _frame(store, stmt, cols)
    for c in cols[:-2]:
        out[c] = pd.to_numeric(out[c]).astype(int)
    for c in ("first_at", "last_at"):
        out[c] = pd.to_datetime(out[c])
    return out.sort_values(["attempts", "officer_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def visit_span(store: Any, *, scope: Any = None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Time of the first and of the last visit (in the scope's beats), or None without visits.

    Read from the per-day table the store keeps (:data:`geo.store.VISIT_DAYS`), not the visits.
    """
    vd = VISIT_DAYS
    where = []
    if scope is not None and not scope.is_city:
        where.append(vd.c.beat_id.in_([int(b) for b in scope.beat_ids or ()]))
    stmt = sa.select(sa.func.min(vd.c.first_s), sa.func.max(vd.c.last_s)).where(*where)
    with store.faults(), store.engine.connect() as conn:
        first, last = conn.execute(stmt).one()
    if first is None:
        return None
    return (pd.Timestamp(float(first), unit="s"), pd.Timestamp(float(last), unit="s"))
