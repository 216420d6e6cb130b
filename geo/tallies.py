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
from geo.store import SQL_TABLES, filters

__all__ = ["STATUSES", "daily_visits", "officer_visits", "status_counts"]

#: household statuses, in the order the Coverage page shows them
STATUSES = ("visited", *[o for o in OUTCOMES if o != "visited"], "unvisited")
LEVELS = ("city", "station", "beat", "officer")


def _household_conditions(scope: Any, station_ids, beat_ids) -> list[sa.ColumnElement]:
    out = filters("households", station_ids=station_ids, beat_ids=beat_ids)
    if scope is not None:
        clause = scope.where("households")
        if clause is not None:
            out.append(clause)
    return out


def _status_query(
    *,
    station_ids: Sequence[int] | None,
    beat_ids: Sequence[int] | None,
    start: object,
    end: object,
    scope: Any,
) -> sa.Select:
    """One row per household in the filters: ``id``, ``beat_id``, ``status``, ``visited_by``."""
    hh = SQL_TABLES["households"]
    v = SQL_TABLES["visits"]
    hh_where = _household_conditions(scope, station_ids, beat_ids)
    v_where = filters("visits", start=start, end=end)
    if hh_where:
        v_where.append(v.c.household_id.in_(sa.select(hh.c.id).where(*hh_where)))
    ranked = (
        sa.select(
            v.c.household_id,
            v.c.outcome,
            v.c.officer_id,
            sa.func.row_number()
            .over(partition_by=v.c.household_id, order_by=(v.c.visited_at.desc(), v.c.id.desc()))
            .label("last_rank"),
            sa.func.row_number()
            .over(
                partition_by=(v.c.household_id, v.c.outcome == "visited"),
                order_by=(v.c.visited_at, v.c.id),
            )
            .label("first_rank"),
        )
        .where(*v_where)
        .subquery("ranked")
    )
    per_household = (
        sa.select(
            ranked.c.household_id,
            sa.func.max(sa.case((ranked.c.last_rank == 1, ranked.c.outcome))).label("last"),
            sa.func.max(
                sa.case(((ranked.c.outcome == "visited") & (ranked.c.first_rank == 1), 1), else_=0)
            ).label("ok"),
            sa.func.max(
                sa.case(
                    (
                        (ranked.c.outcome == "visited") & (ranked.c.first_rank == 1),
                        ranked.c.officer_id,
                    )
                )
            ).label("visited_by"),
        )
        .group_by(ranked.c.household_id)
        .subquery("per_household")
    )
    status = sa.case(
        (per_household.c.ok == 1, "visited"),
        (per_household.c.last.is_not(None), per_household.c.last),
        else_="unvisited",
    ).label("status")
    return (
        sa.select(hh.c.id, hh.c.beat_id, status, per_household.c.visited_by)
        .select_from(hh.outerjoin(per_household, per_household.c.household_id == hh.c.id))
        .where(*hh_where)
    )


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
    per_hh = _status_query(
        station_ids=station_ids, beat_ids=beat_ids, start=start, end=end, scope=scope
    ).subquery("status")
    cols = [
        sa.func.count().label("households"),
        *[sa.func.sum(sa.case((per_hh.c.status == s, 1), else_=0)).label(s) for s in STATUSES],
    ]
    beats = SQL_TABLES["beats"]
    if by == "city":
        stmt = sa.select(*cols).select_from(per_hh)
        keys: list[str] = []
    elif by == "beat":
        stmt = sa.select(per_hh.c.beat_id, *cols).group_by(per_hh.c.beat_id)
        keys = ["beat_id"]
    elif by == "station":
        stmt = (
            sa.select(beats.c.station_id, *cols)
            .select_from(per_hh.join(beats, beats.c.id == per_hh.c.beat_id))
            .group_by(beats.c.station_id)
        )
        keys = ["station_id"]
    else:
        stmt = sa.select(per_hh.c.beat_id, *cols).group_by(per_hh.c.beat_id)
        keys = ["beat_id"]
    with store.engine.connect() as conn:
        table = pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[*keys, "households", *STATUSES]
        )
        if by == "officer":
            off = SQL_TABLES["officers"]
            cops = pd.DataFrame(
                conn.execute(
                    sa.select(off.c.id.label("officer_id"), off.c.beat_id).where(
                        off.c.role == "community_officer"
                    )
                ).all(),
                columns=["officer_id", "beat_id"],
            )
            own = pd.DataFrame(
                conn.execute(
                    sa.select(per_hh.c.visited_by, sa.func.count())
                    .where(per_hh.c.visited_by.is_not(None))
                    .group_by(per_hh.c.visited_by)
                ).all(),
                columns=["officer_id", "visited_by_officer"],
            )
    table = table[table["households"] > 0] if len(table) else table
    if by == "officer":
        table = cops.merge(table, on="beat_id", how="inner").merge(own, on="officer_id", how="left")
        table["visited_by_officer"] = table["visited_by_officer"].fillna(0).astype(int)
    for c in ("households", *STATUSES):
        table[c] = pd.to_numeric(table[c]).fillna(0).astype(int)
    hh = table["households"].to_numpy(dtype=float)
    table["coverage"] = np.divide(
        table["visited"].to_numpy(dtype=float), hh, out=np.zeros_like(hh), where=hh > 0
    )
    return table.sort_values("coverage", kind="stable").reset_index(drop=True)


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
    where = filters("visits", station_ids=station_ids, beat_ids=beat_ids, start=start, end=end)
    if scope is not None and (clause := scope.where("visits")) is not None:
        where.append(clause)
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
    with store.engine.connect() as conn:
        out = pd.DataFrame(conn.execute(stmt).all(), columns=["day", *OUTCOMES, "attempts"])
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
    where = filters("visits", station_ids=station_ids, beat_ids=beat_ids, start=start, end=end)
    if scope is not None and (clause := scope.where("visits")) is not None:
        where.append(clause)
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
    with store.engine.connect() as conn:
        out = pd.DataFrame(conn.execute(stmt).all(), columns=cols)
    for c in cols[:-2]:
        out[c] = pd.to_numeric(out[c]).astype(int)
    for c in ("first_at", "last_at"):
        out[c] = pd.to_datetime(out[c])
    return out.sort_values(["attempts", "officer_id"], ascending=[False, True]).reset_index(
        drop=True
    )
