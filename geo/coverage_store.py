"""The Coverage page's view read from the store: counts from SQL, never whole tables.

:func:`coverage_view` returns the :class:`geo.coverage.CoverageView` that
:func:`geo.coverage.coverage_view` computes from whole frames, but asks the database for
counts only: households per beat and status, and per H3 cell and status
(:data:`geo.store.CELL_STATUS`, kept up to date as visits are written); households first reached
in the recent window and each officer's own first visits (:data:`geo.store.VISIT_STATUS`);
visits per day and outcome and each officer's evenings (:data:`geo.store.VISIT_DAYS`). Rows are read one by one only for what is drawn as points (a view of at
most :data:`geo.coverage.MAX_POINTS` households, or the selected beat). The small tables
(stations, beats, officers, cameras, incidents, surveys) come from :func:`coverage_inputs`, which
a server reads once per change of those tables, not per visit.

So a page's work follows what it shows, not the size of the city. The rules are
:mod:`geo.coverage`'s and are not repeated here: a household's status
(:func:`geo.store.status_rows`), the sidebar's filters (:func:`geo.filters.apply_filters` on the
small tables, :func:`geo.store.filters` in SQL), progress and projections
(:func:`geo.coverage.progress_from_tallies`), evenings (:func:`geo.coverage.evenings_from_daily`)
and hours (:func:`geo.coverage.hours_from_weeks`).

With the whole campaign in view (the sidebar's default dates) the counts come from the status
tables the store keeps; a narrower window or an officer filter runs the status rule over that
window's visits instead, which costs more on a large city.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import h3
import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.coverage import LEVELS as PAGE_LEVELS
from geo.coverage import (
    MAX_POINTS,
    STATUSES,
    CoverageView,
    as_of_day,
    beat_detail,
    beat_map_frame,
    camera_points,
    choose_view,
    evenings_from_daily,
    heat_points,
    hex_frame,
    hex_resolution,
    hours_from_weeks,
    incident_heat,
    incidents_by_hour,
    offices_frame,
    overall_from_tallies,
    progress_from_tallies,
    recent_window,
    station_map_frame,
    survey_summary,
    unvisited_heat,
)
from geo.effect import install_effect
from geo.filters import Filters, apply_filters, end_of_day, with_beat
from geo.hexes import CELL_RESOLUTION, h3_cells, parent_bits
from geo.model import OUTCOMES
from geo.store import CELL_STATUS, SQL_TABLES, VISIT_DAYS, VISIT_STATUS, filters, status_rows

__all__ = ["INPUT_TABLES", "FixedParts", "coverage_inputs", "coverage_view", "fixed_parts"]

#: the tables :func:`coverage_inputs` reads (households: only those with a camera or a survey);
#: it also gives ``beats_map`` and ``stations_map``, the simplified polygons
INPUT_TABLES = ("stations", "beats", "officers", "cameras", "incidents", "surveys", "households")


def coverage_inputs(store: Any, *, scope: Any = None) -> dict[str, pd.DataFrame]:
    """The small tables the Coverage view draws from, narrowed to ``scope``.

    Stations, beats, officers, surveys; cameras and incidents with the ``beat_id`` they lie in
    (:func:`geo.filters.with_beat`) and their H3 cell (``h3``); and the households that have a
    camera or a survey (``id``, ``beat_id``, ``rental``), so the sidebar's household type
    narrows cameras and surveys by the one rule of :func:`geo.filters.apply_filters`.

    Parameters
    ----------
    store : geo.store.Store
    scope : geo.auth.Scope, optional
        Only what this user may see.

    Returns
    -------
    dict of str to DataFrame
        Keyed by :data:`INPUT_TABLES`.
    """

    def read(name: str, **kwargs) -> pd.DataFrame:
        if scope is not None:
            return scope.read(store, name, **kwargs)
        return store.read(name, **kwargs)

    out = {name: read(name) for name in ("stations", "beats", "officers", "surveys")}
    for name in ("cameras", "incidents"):
        df = with_beat(read(name), out["beats"])
        df["h3"] = _cells_of(df)
        out[name] = df
    hh, cams, surveys = (SQL_TABLES[n] for n in ("households", "cameras", "surveys"))
    linked = sa.union(
        sa.select(cams.c.household_id).where(cams.c.household_id.is_not(None)),
        sa.select(surveys.c.household_id),
    )
    out["households"] = store.read(
        "households", columns=["beat_id", "rental"], where=hh.c.id.in_(linked), scope=scope
    )
    # the map's polygons, simplified once per change of the beats rather than per view
    simple = beat_map_frame(out["beats"], pd.DataFrame({c: [] for c in _BEAT_COLUMNS}))
    out["beats_map"] = simple[["beat_id", "geometry"]]
    out["stations_map"] = station_map_frame(out["beats"], out["stations"])
    return out


_BEAT_COLUMNS = ["beat_id", "households", "visited", "unvisited", "not_home", "coverage"]


def _cells_of(points: pd.DataFrame) -> np.ndarray:
    """H3 cells (:data:`geo.hexes.CELL_RESOLUTION`, int64) of a point GeoDataFrame."""
    if len(points) == 0:
        return np.zeros(0, dtype=np.int64)
    xy = points.geometry.get_coordinates()
    return h3_cells(xy["x"].to_numpy(), xy["y"].to_numpy(), CELL_RESOLUTION).astype(np.int64)


def _beats_map(beats: pd.DataFrame, inputs: Mapping, progress: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.coverage.beat_map_frame` of the beats in view, from the polygons
    :func:`coverage_inputs` simplified."""
    simple = inputs["beats_map"].set_index("beat_id")["geometry"]
    shapes = beats.assign(geometry=simple.reindex(beats["id"].astype("int64")).to_numpy())
    shapes = shapes.set_crs(beats.crs, allow_override=True)
    return beat_map_frame(shapes, progress, tolerance=0)


def _stations_map(beats: pd.DataFrame, inputs: Mapping, stations: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.coverage.station_map_frame` of the beats in view (the simplified areas of
    :func:`coverage_inputs` when whole stations are in view)."""
    whole = inputs["beats"]
    in_view = set(beats["station_id"].dropna().astype("int64"))
    if len(whole[whole["station_id"].isin(in_view)]) == len(beats):
        out = inputs["stations_map"]
        return out[out["station_id"].isin(in_view)]
    return station_map_frame(beats, stations)


@dataclass(frozen=True)
class FixedParts:
    """The parts of the Coverage view that no visit changes, for one set of filters.

    Cameras, incident heat and hours, follow-up surveys, the before/after comparison of camera
    installs, station areas and offices: they depend on the small tables of
    :func:`coverage_inputs`, the households per beat and the day of the view, so a server
    keeps them while visits come in (:func:`coverage_view`'s ``fixed``).
    """

    cameras: pd.DataFrame
    heat_incidents: pd.DataFrame
    incidents_by_hour: pd.DataFrame
    surveys: pd.DataFrame
    surveys_total: pd.DataFrame
    effect: object
    offices: pd.DataFrame
    stations_map: pd.DataFrame


def fixed_parts(
    store: Any,
    filters: Filters,
    *,
    inputs: Mapping[str, pd.DataFrame],
    scope: Any = None,
    as_of: pd.Timestamp,
    resolution: int | None,
    bounds: tuple[float, float, float, float],
    incident_categories: tuple[str, ...] | None = None,
    incident_hours: tuple[int, int] | None = None,
    effect_window_days: int = 60,
    effect_min_installs: int = 3,
) -> FixedParts:
    """The :class:`FixedParts` of the view of ``filters`` taken at ``as_of``.

    ``resolution`` and ``bounds`` are the map's (H3 resolution of the hexagons, or None when
    households are drawn as points; the extent of the beats in view).
    """
    f = apply_filters(inputs, filters)
    undated = apply_filters(inputs, filters, dated=())
    beats = f["beats"]
    narrow = _Narrow.of(filters, beats, scope)
    cs = CELL_STATUS
    with store.faults(), store.engine.connect() as conn:
        homes = _rows(
            conn,
            sa.select(cs.c.beat_id, sa.func.sum(cs.c.households))
            .where(*narrow.cells())
            .group_by(cs.c.beat_id),
            ["beat_id", "households"],
        )
    homes["households"] = pd.to_numeric(homes["households"]).astype("int64")
    effect = install_effect(
        beats=beats,
        households=homes,
        cameras=undated["cameras"],
        incidents=undated["incidents"],
        since=filters.start if filters.start is not None else as_of - pd.Timedelta(days=120),
        until=as_of,
        window_days=effect_window_days,
        min_installs=effect_min_installs,
    )
    inc = f["incidents"]
    return FixedParts(
        cameras=camera_points(f["cameras"]),
        heat_incidents=incident_heat(
            inc, incident_categories, incident_hours, resolution=resolution, bounds=bounds
        ),
        incidents_by_hour=incidents_by_hour(inc),
        surveys=survey_summary(f["surveys"], f["households"], beats=beats),
        surveys_total=survey_summary(f["surveys"], f["households"], beats=beats, by="all"),
        effect=effect,
        offices=offices_frame(beats, f["stations"]),
        stations_map=_stations_map(beats, inputs, f["stations"]),
    )


# --------------------------------------------------------------------------------------------
# the filters as SQL conditions


@dataclass(frozen=True)
class _Narrow:
    """What the sidebar's filters and the user's scope keep, for SQL conditions."""

    beat_ids: tuple[int, ...] | None
    rental: bool | None
    officer_ids: tuple[int, ...] | None
    scope: Any

    @classmethod
    def of(cls, filters: Filters, beats: pd.DataFrame, scope: Any) -> _Narrow:
        beat_ids = None
        if filters.spatial or (scope is not None and not scope.is_city):
            beat_ids = tuple(int(b) for b in beats["id"])
        rental = {"all": None, "rental": True, "owner": False}[filters.household_type]
        return cls(beat_ids, rental, filters.officers or None, scope)

    def _rental(self, column: sa.ColumnElement) -> list[sa.ColumnElement]:
        if self.rental is None:
            return []
        return [sa.func.coalesce(column, sa.false()) == sa.literal(self.rental)]

    def households(self) -> list[sa.ColumnElement]:
        """Conditions on the households table."""
        hh = SQL_TABLES["households"]
        out = filters("households", beat_ids=self.beat_ids)
        if self.scope is not None and (clause := self.scope.where("households")) is not None:
            out.append(clause)
        return out + self._rental(hh.c.rental)

    def cells(self) -> list[sa.ColumnElement]:
        """Conditions on :data:`geo.store.CELL_STATUS` (the scope is a set of beats)."""
        cs = CELL_STATUS
        out = [] if self.beat_ids is None else [cs.c.beat_id.in_(self.beat_ids)]
        if self.rental is not None:
            out.append(cs.c.rental == sa.literal(self.rental))
        return out

    def status(self) -> list[sa.ColumnElement]:
        """Conditions on :data:`geo.store.VISIT_STATUS`."""
        vs, hh = VISIT_STATUS, SQL_TABLES["households"]
        out = [] if self.beat_ids is None else [vs.c.beat_id.in_(self.beat_ids)]
        if self.rental is not None:
            out.append(vs.c.household_id.in_(sa.select(hh.c.id).where(*self._rental(hh.c.rental))))
        return out

    def days(self, start: object = None, end: object = None) -> list[sa.ColumnElement]:
        """Conditions on :data:`geo.store.VISIT_DAYS` (``start``, ``end``: days, inclusive)."""
        vd = VISIT_DAYS
        out = [] if self.beat_ids is None else [vd.c.beat_id.in_(self.beat_ids)]
        if self.rental is not None:
            out.append(vd.c.rental == sa.literal(self.rental))
        if self.officer_ids is not None:
            out.append(vd.c.officer_id.in_(self.officer_ids))
        if start is not None:
            out.append(vd.c.day >= pd.Timestamp(start).date())
        if end is not None:
            out.append(vd.c.day <= pd.Timestamp(end).date())
        return out


def _rows(conn: Any, stmt: sa.Select, columns: list[str]) -> pd.DataFrame:
    # plain tuples: pandas probing SQLAlchemy rows for fields costs more than the query
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt).all()], columns=columns)


def _ns(values: pd.Series) -> np.ndarray:
    """Timestamps as the frames' ``datetime64[ns]`` (SQLite returns text)."""
    return pd.to_datetime(values).astype("datetime64[ns]").to_numpy()


def _timestamp(value: object) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


# --------------------------------------------------------------------------------------------
# counts


def _parent(column: sa.ColumnElement, resolution: int) -> sa.ColumnElement:
    """The H3 cell at ``resolution`` holding the stored cell ``column``, in SQL (``hex``)."""
    keep, put = parent_bits(resolution)
    return column.op("&")(sa.literal_column(str(keep))).op("|")(sa.literal_column(str(put)))


def _cell_counts(conn: Any, narrow: _Narrow, resolution: int) -> pd.DataFrame:
    """Households per beat, H3 cell at ``resolution`` (``hex``) and status, from the kept-up
    cell table: one pass gives the beats' counts and the map's hexagons."""
    cs = CELL_STATUS
    hexcol = _parent(cs.c.cell, resolution).label("hex")
    rows = _rows(
        conn,
        sa.select(cs.c.beat_id, hexcol, cs.c.status, sa.func.sum(cs.c.households))
        .where(*narrow.cells())
        .group_by(cs.c.beat_id, hexcol, cs.c.status),
        ["beat_id", "hex", "status", "n"],
    )
    rows["n"] = pd.to_numeric(rows["n"]).astype("int64")
    return rows


def _tallies(
    conn: Any, narrow: _Narrow, status: sa.Subquery | None, recent: tuple, cells: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`geo.coverage.beat_tallies` in SQL.

    ``status``: the status rule over a window's visits (:func:`geo.store.status_rows`), or None
    for the kept-up tables (the whole campaign), whose counts are ``cells``
    (:func:`_cell_counts`).
    """
    lo, hi = (r.to_pydatetime() for r in recent)
    if status is None:
        counts = cells.groupby([cells["beat_id"].fillna(-1), "status"], as_index=False)["n"].sum()
        vs = VISIT_STATUS
        first, where = vs.c.first_visited_at, narrow.status()
        beat, by = vs.c.beat_id, vs.c.visited_by
    else:
        hh = SQL_TABLES["households"]
        st = status
        homes = (
            sa.select(hh.c.beat_id, sa.func.count().label("n"))
            .where(*narrow.households())
            .group_by(hh.c.beat_id)
        )
        called = _rows(
            conn,
            sa.select(st.c.beat_id, st.c.status, sa.func.count()).group_by(
                st.c.beat_id, st.c.status
            ),
            ["beat_id", "status", "n"],
        )
        homes_df = _rows(conn, homes, ["beat_id", "n"])
        key = pd.to_numeric(called["beat_id"]).fillna(-1).astype("int64")
        n_called = pd.to_numeric(called["n"]).groupby(key.to_numpy()).sum()
        home_key = pd.to_numeric(homes_df["beat_id"]).fillna(-1).astype("int64")
        rest = pd.to_numeric(homes_df["n"]).to_numpy() - n_called.reindex(home_key).fillna(0)
        counts = pd.concat(
            [
                called,
                pd.DataFrame(
                    {"beat_id": homes_df["beat_id"], "status": "unvisited", "n": rest.to_numpy()}
                ),
            ]
        )
        first, where = st.c.first_visited_at, []
        beat, by = st.c.beat_id, st.c.visited_by
    in_window = first.between(lo, hi)
    recent_beat = _rows(
        conn,
        sa.select(beat, sa.func.count()).where(*where, in_window).group_by(beat),
        ["beat_id", "recent"],
    )
    own = _rows(
        conn,
        sa.select(by, sa.func.count(), sa.func.sum(sa.case((in_window, 1), else_=0)))
        .where(*where, by.is_not(None))
        .group_by(by),
        ["officer_id", "visited_by_officer", "own_recent"],
    )
    # households outside every beat (beat NULL) count too: -1 stands for them while grouping
    counts["beat_id"] = pd.to_numeric(counts["beat_id"]).fillna(-1).astype("int64")
    counts["n"] = pd.to_numeric(counts["n"]).astype("int64")
    wide = counts.pivot_table(index="beat_id", columns="status", values="n", aggfunc="sum")
    wide = wide.reindex(columns=list(STATUSES)).fillna(0).astype("int64")
    wide.columns = list(STATUSES)
    recent_n = pd.Series(
        pd.to_numeric(recent_beat["recent"]).to_numpy(),
        index=pd.to_numeric(recent_beat["beat_id"]).fillna(-1).astype("int64"),
    )
    wide["recent"] = recent_n.reindex(wide.index).fillna(0).astype("int64")
    per_beat = wide.reset_index()
    per_beat["beat_id"] = pd.array(
        per_beat["beat_id"].where(per_beat["beat_id"] >= 0), dtype="Int64"
    )
    own = own.apply(pd.to_numeric).fillna(0).astype("int64")
    return per_beat, own


def _hexes(
    cells: pd.DataFrame, resolution: int, cameras: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`geo.coverage.hex_summary` and the unvisited heat from :func:`_cell_counts`."""
    keep, put = parent_bits(resolution)
    wide = cells.pivot_table(index="hex", columns="status", values="n", aggfunc="sum")
    wide = wide.reindex(columns=list(STATUSES)).fillna(0).astype("int64")
    cameras_at = cameras["h3"].to_numpy(np.int64) & keep | put if len(cameras) else None
    out = hex_frame(wide.index.to_numpy(dtype=np.int64), wide.to_numpy(), cameras_at)
    weights = out["unvisited"].to_numpy(float) + 0.5 * out["not_home"].to_numpy(float)
    heat = heat_points(out["lon"].to_numpy(float), out["lat"].to_numpy(float), weights=weights)
    return out, heat


def _points(conn: Any, store: Any, narrow: _Narrow, status: sa.Subquery | None, where) -> tuple:
    """Households drawn as points, with their status rows (:func:`household_points` and
    :func:`household_status` for the households matching ``where``)."""
    hh = SQL_TABLES["households"]
    conditions = [*narrow.households(), *where]
    homes = store.read(
        "households",
        columns=["address", "beat_id", "rental"],
        where=sa.and_(*conditions) if conditions else None,
        conn=conn,
    )
    st = VISIT_STATUS if status is None else status
    ids = sa.select(hh.c.id).where(*narrow.households(), *where)
    rows = _rows(
        conn,
        sa.select(
            st.c.household_id,
            st.c.status,
            st.c.first_visited_at,
            st.c.visited_by,
            st.c.last_attempt_at,
            st.c.attempts,
        ).where(st.c.household_id.in_(ids)),
        ["id", "status", "visited_at", "visited_by", "last_attempt_at", "attempts"],
    )
    ids_arr = homes["id"].to_numpy()
    st_ = rows.set_index("id")
    xy = homes.geometry.get_coordinates()
    status_df = pd.DataFrame(
        {
            "id": ids_arr,
            "beat_id": pd.array(homes["beat_id"], dtype="Int64"),
            "status": st_["status"].reindex(ids_arr).fillna("unvisited").to_numpy(object),
            "visited_at": _ns(st_["visited_at"].reindex(ids_arr)),
            "visited_by": pd.array(st_["visited_by"].reindex(ids_arr), dtype="Int64"),
            "last_attempt_at": _ns(st_["last_attempt_at"].reindex(ids_arr)),
            "attempts": st_["attempts"].reindex(ids_arr).fillna(0).astype(int).to_numpy(),
        }
    )
    points = pd.DataFrame(
        {
            "id": ids_arr,
            "beat_id": status_df["beat_id"].to_numpy(),
            "address": homes["address"].astype(object).fillna("").to_numpy(),
            "rental": homes["rental"].fillna(False).astype(bool).to_numpy(),
            "status": status_df["status"].to_numpy(),
            "last_attempt_at": status_df["last_attempt_at"].to_numpy(),
            "visited_at": status_df["visited_at"].to_numpy(),
            "attempts": status_df["attempts"].to_numpy(),
            "lon": np.round(xy["x"].to_numpy(float), 6),
            "lat": np.round(xy["y"].to_numpy(float), 6),
        }
    )
    return points, status_df


# --------------------------------------------------------------------------------------------
# the view


def coverage_view(
    store: Any,
    filters: Filters,
    *,
    inputs: Mapping[str, pd.DataFrame],
    scope: Any = None,
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
    fixed: Callable[..., FixedParts] | None = None,
) -> CoverageView:
    """Everything the Coverage page shows, from counts the database gives.

    Parameters
    ----------
    store : geo.store.Store
    filters : geo.filters.Filters
        The sidebar's filters.
    inputs : mapping of str to DataFrame
        :func:`coverage_inputs` of the same store and scope.
    scope : geo.auth.Scope, optional
        Only what this user may see.
    target_date, target, as_of, window_days, selected_beat, max_points, incident_categories,
    incident_hours, effect_window_days, effect_min_installs
        As for :func:`geo.coverage.coverage_view`.
    fixed : callable, optional
        ``fixed(as_of=, resolution=, bounds=)`` giving the :class:`FixedParts` of these filters
        and options (a server passes one that caches them: no visit changes them); default
        :func:`fixed_parts`.

    Returns
    -------
    geo.coverage.CoverageView
    """
    f = apply_filters(inputs, filters)
    beats = f["beats"]
    narrow = _Narrow.of(filters, beats, scope)
    vd = VISIT_DAYS
    window_end = None if filters.end is None else end_of_day(filters.end)
    with store.faults(), store.engine.connect() as conn:
        span = sa.select(sa.func.min(vd.c.first_s), sa.func.max(vd.c.last_s))
        first, last = (_from_epoch(x) for x in conn.execute(span.where(*narrow.days())).one())
        in_window = last
        if last is not None and (
            (filters.start is not None and first < filters.start)
            or (window_end is not None and last > window_end)
        ):
            newest = sa.select(sa.func.max(vd.c.last_s))
            newest = newest.where(*narrow.days(filters.start, filters.end))
            in_window = _from_epoch(conn.execute(newest).scalar())
        as_of = as_of_day(in_window, filters, as_of)
        whole = narrow.officer_ids is None and (
            last is None
            or ((filters.start is None or first >= filters.start) and last <= end_of_day(as_of))
        )
        status = None
        if not whole:
            status = status_rows(
                household_where=narrow.households(),
                start=filters.start,
                end=_after(end_of_day(as_of)),
                officer_ids=narrow.officer_ids,
            ).subquery("status")
        recent = recent_window(as_of, window_days)
        bounds = _bounds(conn, beats, narrow)
        cells = _cell_counts(conn, narrow, hex_resolution(bounds))
        per_beat, per_officer = _tallies(conn, narrow, status, recent, cells)
        progress = {
            by: progress_from_tallies(
                per_beat,
                per_officer,
                by=by,
                beats=beats,
                stations=f["stations"],
                officers=f["officers"],
                target=target,
                target_date=target_date,
                as_of=as_of,
                window_days=window_days,
            )
            for by in PAGE_LEVELS
        }
        n_view = int(per_beat[list(STATUSES)].to_numpy().sum())
        mode = choose_view(n_view, max_points=max_points)
        resolution = hexes = None
        hh = SQL_TABLES["households"]
        if mode == "hexes":
            resolution = hex_resolution(bounds)
            hexes, heat_unvisited = _hexes(cells, resolution, f["cameras"])
            if status is not None:  # a narrower window: the kept-up cells do not apply
                hexes, heat_unvisited = _window_hexes(conn, narrow, status, resolution, hexes)
            points = status_df = None
            if selected_beat is not None and selected_beat in set(beats["id"].astype(int)):
                points, status_df = _points(
                    conn, store, narrow, status, [hh.c.beat_id == int(selected_beat)]
                )
            map_points = points if points is not None else _no_points()
        else:
            points, status_df = _points(conn, store, narrow, status, [])
            map_points = points
            heat_unvisited = unvisited_heat(points, None, None)
        daily = _rows(conn, _daily(narrow.days(filters.start, as_of)), ["day", "outcome", "n"])
        weeks = _rows(
            conn,
            _weeks(narrow.days(filters.start, filters.end)),
            ["officer_id", "week_start", "evenings", "visits", "seconds"],
        )
    daily["n"] = pd.to_numeric(daily["n"]).astype(int)
    daily = daily.pivot_table(index="day", columns="outcome", values="n", aggfunc="sum")
    daily = daily.reindex(columns=list(OUTCOMES)).fillna(0).astype(int)
    daily.columns = list(OUTCOMES)
    daily = daily.rename_axis(index="day").reset_index()
    weeks["seconds"] = pd.to_numeric(weeks["seconds"]).astype(float)
    if fixed is None:
        fixed = partial(
            fixed_parts,
            store,
            filters,
            inputs=inputs,
            scope=scope,
            incident_categories=incident_categories,
            incident_hours=incident_hours,
            effect_window_days=effect_window_days,
            effect_min_installs=effect_min_installs,
        )
    parts = fixed(as_of=as_of, resolution=resolution, bounds=bounds)
    beats_map = _beats_map(beats, inputs, progress["beat"])
    detail = None
    if points is not None and selected_beat is not None and (beats["id"] == selected_beat).any():
        detail = beat_detail(
            selected_beat,
            beats=beats,
            points=points,
            status=status_df,
            by_officer=progress["officer"],
            start=filters.start,
            end=as_of,
        )
    return CoverageView(
        filters=filters,
        as_of=as_of,
        target_date=pd.Timestamp(target_date).normalize(),
        totals=overall_from_tallies(
            per_beat, target=target, target_date=target_date, as_of=as_of, window_days=window_days
        ),
        progress=progress,
        mode=mode,
        map_points=map_points,
        hexes=hexes,
        resolution=resolution,
        beats_map=beats_map,
        stations_map=parts.stations_map,
        offices=parts.offices,
        cameras=parts.cameras,
        heat_unvisited=heat_unvisited,
        heat_incidents=parts.heat_incidents,
        incidents_by_hour=parts.incidents_by_hour,
        evenings=evenings_from_daily(daily, start=filters.start, end=as_of),
        hours=hours_from_weeks(weeks, officers=f["officers"]),
        surveys=parts.surveys,
        surveys_total=parts.surveys_total,
        effect=parts.effect,
        detail=detail,
        bounds=bounds,
    )


def _after(end: pd.Timestamp | None) -> pd.Timestamp | None:
    """The exclusive bound just after an inclusive ``end`` (the store's filters exclude it)."""
    return None if end is None else end + pd.Timedelta(microseconds=1)


def _no_points() -> pd.DataFrame:
    cols = ["id", "beat_id", "address", "rental", "status", "last_attempt_at", "visited_at"]
    return pd.DataFrame({c: [] for c in [*cols, "attempts", "lon", "lat"]})


def _from_epoch(seconds: object) -> pd.Timestamp | None:
    return None if seconds is None else pd.Timestamp(float(seconds), unit="s").as_unit("ns")


def _daily(where: list) -> sa.Select:
    """Visits per day and outcome (:data:`geo.store.VISIT_DAYS`)."""
    vd = VISIT_DAYS
    return (
        sa.select(vd.c.day, vd.c.outcome, sa.func.sum(vd.c.visits))
        .where(*where)
        .group_by(vd.c.day, vd.c.outcome)
    )


def _weeks(where: list) -> sa.Select:
    """Each officer's weeks: evenings, visits and seconds from first to last visit."""
    vd = VISIT_DAYS
    evenings = (
        sa.select(
            vd.c.officer_id,
            vd.c.week,
            sa.func.sum(vd.c.visits).label("n"),
            (sa.func.max(vd.c.last_s) - sa.func.min(vd.c.first_s)).label("span"),
        )
        .where(*where)
        .group_by(vd.c.officer_id, vd.c.week, vd.c.day)
        .subquery("evenings")
    )
    e = evenings.c
    return sa.select(
        e.officer_id, e.week, sa.func.count(), sa.func.sum(e.n), sa.func.sum(e.span)
    ).group_by(e.officer_id, e.week)


def _bounds(conn: Any, beats: pd.DataFrame, narrow: _Narrow) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of the beats in view, else of the households' cells."""
    if len(beats):
        return tuple(float(x) for x in beats.total_bounds)
    cs = CELL_STATUS
    cells = conn.execute(sa.select(cs.c.cell).where(*narrow.cells()).distinct()).scalars().all()
    if not cells:
        return (0.0, 0.0, 0.0, 0.0)
    ll = np.array([h3.cell_to_latlng(h3.int_to_str(int(c))) for c in cells])
    return (
        float(ll[:, 1].min()),
        float(ll[:, 0].min()),
        float(ll[:, 1].max()),
        float(ll[:, 0].max()),
    )


def _window_hexes(
    conn: Any, narrow: _Narrow, status: sa.Subquery, resolution: int, hexes: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hexagon counts when the status comes from a window's visits, not the kept-up tables.

    The households per hexagon are the kept-up ones; the statuses are counted from ``status``
    joined to each household's cell.
    """
    hh = SQL_TABLES["households"]
    hexcol = _parent(hh.c.h3, resolution).label("hex")
    rows = _rows(
        conn,
        sa.select(hexcol, status.c.status, sa.func.count())
        .select_from(status.join(hh, hh.c.id == status.c.household_id))
        .group_by(hexcol, status.c.status),
        ["hex", "status", "n"],
    )
    out = hexes.copy()
    cells = np.array([h3.str_to_int(c) for c in out["cell"]], dtype=np.int64)
    called = np.zeros(len(out), dtype=np.int64)
    for name in STATUSES[:-1]:
        sub = rows[rows["status"] == name]
        n = pd.Series(pd.to_numeric(sub["n"]).to_numpy(), index=sub["hex"].astype("int64"))
        out[name] = n.reindex(cells).fillna(0).astype("int64").to_numpy()
        called += out[name].to_numpy()
    out["unvisited"] = out["households"].to_numpy() - called
    out["coverage"] = out["visited"] / out["households"]
    weights = out["unvisited"].to_numpy(float) + 0.5 * out["not_home"].to_numpy(float)
    heat = heat_points(out["lon"].to_numpy(float), out["lat"].to_numpy(float), weights=weights)
    return out, heat
