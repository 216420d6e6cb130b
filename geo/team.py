"""Team routes: one beat, one evening, several people on duty, one route each.

Dongcheng's community officers walk with auxiliary police, grid workers, security guards and
volunteers. For a beat and an evening the chief or the officer picks who is on duty; BeatMap
splits tonight's most valuable households among them: one round each, from the community police
office (or a chosen start) and back within that person's window, on the walking network,
maximising the total value with the walking balanced. This is a multi-route prize-collecting
problem (the "team orienteering problem").

Method
------
1. **Greedy baseline.** The members are routed one after another with
   :func:`geo.evening.plan_evening`, each on the households the previous ones left.
2. **Team search.** The households worth visiting become the nodes of one routing model in
   OR-Tools (one vehicle per member, its window as a time capacity, a household's value as the
   penalty for leaving it out, walking metres as the arc cost, and a span cost on each route's
   walk so the walking is balanced). The search starts from the greedy routes and runs guided
   local search for ``time_limit_s``.
3. **Routes.** Each member's households are planned with :func:`geo.evening.plan_evening`
   restricted to them (same network, same value rules, the member's window), which orders
   the doors, adds directions and any household that still fits, and guarantees the window.
   The better of the team split and the greedy baseline is returned, so a team plan never
   collects less than routing the members one after another.

Every household goes to at most one member. Visits recorded by a member carry their officer id
and count for the beat like any other.

Tonight's route of a person is kept in the store's metadata (``route:<date>:<officer>``: the
household ids, the window, the start, who planned it and when) so the field page finds it
again after the phone was locked or the server restarted, and rebuilds the same route.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError, NotFoundError
from geo.coverage import household_status
from geo.evening import (
    BeatNetwork,
    EveningPlan,
    EveningSettings,
    beat_network,
    household_prizes,
    plan_evening,
)
from geo.evening.problem import snap_doors, start_point_xy
from geo.i18n import Catalogue
from geo.model import ROLES, WGS84
from geo.netdist import Snapped

__all__ = [
    "TeamPlan",
    "TeamResult",
    "load_route",
    "plan_team",
    "route_for",
    "route_key",
    "save_route",
    "save_team",
    "solve_team",
]

#: most households handed to the team search (the most valuable for their walk first)
MAX_NODES = 400
#: metres of walking balanced per metre of the longest route over the shortest
BALANCE = 1

T = Catalogue(
    {
        "summary": (
            "{n}人出勤，共{h}户、步行{km:.1f}公里（{method}）",
            "{n} on duty, {h} households, {km:.1f} km walked ({method})",
        ),
        "team": ("团队分配", "team split"),
        "greedy": ("依次规划", "one after another"),
        "member": ("人员", "Member"),
        "role": ("身份", "Role"),
        "households": ("户数", "Households"),
        "stops": ("站数", "Stops"),
        "walk_km": ("步行（公里）", "Walk (km)"),
        "back_at": ("返回", "Back at"),
        "window": ("时段", "Window"),
        "value": ("价值", "Value"),
    }
)


# --------------------------------------------------------------------------------------------
# the team search on plain matrices


@dataclass
class TeamResult:
    """Routes of a team on a matrix.

    Attributes
    ----------
    routes : list of list of int
        Per member, the rows visited in order (without the start).
    prize : float
        Total prize collected.
    times : list of float
        Per member, travel plus service time of the round (matrix unit).
    """

    routes: list[list[int]]
    prize: float
    times: list[float]


def _round_time(travel: np.ndarray, service: np.ndarray, route: Sequence[int], start: int) -> float:
    seq = [start, *route, start]
    return float(sum(travel[a, b] for a, b in zip(seq[:-1], seq[1:], strict=True))) + float(
        sum(service[i] for i in route)
    )


def solve_team(
    travel: np.ndarray,
    prize: np.ndarray,
    service: np.ndarray | float,
    *,
    budgets: Sequence[float],
    walk: np.ndarray | None = None,
    start: int = 0,
    initial: Sequence[Sequence[int]] | None = None,
    time_limit_s: float = 3.0,
    balance: float = BALANCE,
) -> TeamResult:
    """Most valuable set of rounds, one per member, each within its member's budget.

    Parameters
    ----------
    travel : numpy.ndarray
        Square travel-time matrix (seconds), non-negative and finite.
    prize : numpy.ndarray
        Value of each row (the start's ignored); rows of prize 0 are never visited.
    service : numpy.ndarray or float
        Service time of each row (seconds), or one value for all.
    budgets : sequence of float
        Per member, the time available for the whole round (travel + service, seconds).
    walk : numpy.ndarray, optional
        Walking metres between rows (the arc cost and the balanced quantity); ``travel`` when
        omitted.
    start : int, optional
        Row of the office: every round starts and ends there.
    initial : sequence of sequence of int, optional
        Routes to start the search from (e.g. the greedy baseline); ignored when infeasible.
    time_limit_s : float, optional
        Wall-clock budget of the guided local search.
    balance : float, optional
        Weight of the difference between the longest and the shortest walk.

    Returns
    -------
    TeamResult
        Never worse than ``initial`` when that is feasible.

    Raises
    ------
    InputError
        Bad shapes, negative or infinite values, no budget.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    travel = np.asarray(travel, dtype=np.float64)
    n = travel.shape[0] if travel.ndim == 2 else 0
    problems = []
    if travel.ndim != 2 or travel.shape[0] != travel.shape[1] or n == 0:
        raise InputError(f"travel must be a non-empty square matrix, got shape {travel.shape}")
    if not np.isfinite(travel).all() or (travel < 0).any():
        problems.append("travel must be finite and >= 0")
    prize = np.asarray(prize, dtype=np.float64)
    if prize.shape != (n,) or not np.isfinite(prize).all() or (prize < 0).any():
        problems.append(f"prize must be {n} finite values >= 0")
    service_v = np.broadcast_to(np.asarray(service, dtype=np.float64), (n,)).copy()
    service_v[start] = 0.0
    walk = travel if walk is None else np.asarray(walk, dtype=np.float64)
    if walk.shape != travel.shape or not np.isfinite(walk).all():
        problems.append("walk must be finite and have the shape of travel")
    budgets = [float(b) for b in budgets]
    if not budgets or any(not np.isfinite(b) or b <= 0 for b in budgets):
        problems.append(f"budgets must be positive numbers, one per member, got {budgets}")
    if not 0 <= start < n:
        problems.append(f"start must be a row of the matrix (0..{n - 1}), got {start}")
    if problems:
        raise InputError("; ".join(problems))
    k = len(budgets)
    # rows worth offering: some prize and reachable out and back within the largest budget
    out_back = travel[start, :] + service_v + travel[:, start]
    nodes = [i for i in range(n) if i != start and prize[i] > 0 and out_back[i] <= max(budgets)]
    init = [[int(i) for i in r] for r in (initial or [])][:k]
    init += [[] for _ in range(k - len(init))]
    if len(nodes) > MAX_NODES:
        keep = set(i for r in init for i in r)
        ranked = sorted(nodes, key=lambda i: -prize[i] / (out_back[i] + 1.0))
        nodes = sorted(keep | set(ranked[: max(0, MAX_NODES - len(keep))]))
    if not nodes:
        return TeamResult([[] for _ in range(k)], 0.0, [0.0] * k)
    rows = [start, *nodes]
    pos = {r: p for p, r in enumerate(rows)}
    sub_t = travel[np.ix_(rows, rows)] + service_v[rows][:, None]
    # tenths of a second, rounded down: a round that fits in seconds fits here too (the
    # evening planner checks the window exactly when it orders the doors)
    t_int = np.floor(sub_t * 10).astype(np.int64)
    w_int = np.rint(walk[np.ix_(rows, rows)]).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(len(rows), k, 0)
    model = pywrapcp.RoutingModel(manager)
    walk_cb = model.RegisterTransitMatrix(w_int.tolist())
    time_cb = model.RegisterTransitMatrix(t_int.tolist())
    model.SetArcCostEvaluatorOfAllVehicles(walk_cb)
    model.AddDimensionWithVehicleCapacity(
        time_cb, 0, [int(np.floor(b * 10)) for b in budgets], True, "time"
    )
    model.AddDimension(walk_cb, 0, int(w_int.sum(axis=1).max() + 1), True, "walk")
    if balance > 0:
        model.GetDimensionOrDie("walk").SetGlobalSpanCostCoefficient(int(round(balance)))
    # a household's value outweighs any walking the team could save by leaving it out
    scale = int(k * (int(w_int.max()) * (len(rows) + 1)) * (1 + balance) + 1)
    for r in nodes:
        model.AddDisjunction([manager.NodeToIndex(pos[r])], int(round(prize[r] * 100)) * scale)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    start_routes = [[pos[i] for i in r if i in pos] for r in init]
    solution = None
    if any(start_routes):
        model.CloseModelWithParameters(params)
        first = model.ReadAssignmentFromRoutes(start_routes, True)
        if first is not None:
            solution = model.SolveFromAssignmentWithParameters(first, params)
    if solution is None:
        solution = model.SolveWithParameters(params)
    routes: list[list[int]] = [[] for _ in range(k)]
    if solution is not None:
        for v in range(k):
            idx = model.Start(v)
            idx = solution.Value(model.NextVar(idx))
            while not model.IsEnd(idx):
                routes[v].append(rows[manager.IndexToNode(idx)])
                idx = solution.Value(model.NextVar(idx))
    result = _result(travel, prize, service_v, routes, start)
    base = _result(travel, prize, service_v, init, start)
    feasible = all(t <= b + 1e-6 for t, b in zip(base.times, budgets, strict=True))
    if feasible and base.prize > result.prize + 1e-9:
        return base
    return result


def _result(
    travel: np.ndarray, prize: np.ndarray, service: np.ndarray, routes: list[list[int]], start: int
) -> TeamResult:
    seen: set[int] = set()
    total = 0.0
    for r in routes:
        for i in r:
            if i not in seen:
                seen.add(i)
                total += float(prize[i])
    return TeamResult(
        [list(r) for r in routes],
        total,
        [_round_time(travel, service, r, start) for r in routes],
    )


# --------------------------------------------------------------------------------------------
# team plans on the walking network


@dataclass
class TeamPlan:
    """Tonight's routes of a team on one beat.

    Attributes
    ----------
    beat_id : int
    date : datetime.date
    members : list of int
        Officer ids on duty, in the order given.
    plans : dict of int to EveningPlan or None
        Each member's route (None when nothing was left for them).
    method : str
        ``"team"`` (the team search won) or ``"greedy"`` (members one after another).
    prize, greedy_prize : float
        Value collected by the returned routes / by the greedy baseline.
    windows : dict of int to (str, str)
        Each member's window, ``("HH:MM", "HH:MM")``.
    """

    beat_id: int
    date: dt.date
    members: list[int]
    plans: dict[int, EveningPlan | None]
    method: str
    prize: float
    greedy_prize: float
    windows: dict[int, tuple[str, str]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)

    def assignment(self) -> pd.DataFrame:
        """One row per planned household: ``household_id``, ``officer_id``, ``stop``, ``arrive``."""
        frames = []
        for m, plan in self.plans.items():
            if plan is None or plan.households.empty:
                continue
            df = plan.households[["household_id", "stop", "arrive"]].copy()
            df.insert(1, "officer_id", m)
            frames.append(df)
        if not frames:
            return pd.DataFrame(columns=["household_id", "officer_id", "stop", "arrive"])
        return pd.concat(frames, ignore_index=True)

    @property
    def total_walk_m(self) -> float:
        return float(sum(p.total_walk_m for p in self.plans.values() if p is not None))

    def summary(self, lang: str = "zh") -> str:
        """One line: people, households, walk and which method won."""
        return T(
            "summary",
            lang,
            n=len(self.members),
            h=len(self.assignment()),
            km=self.total_walk_m / 1000,
            method=T(self.method, lang),
        )

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """One row per member: name, role, window, households, stops, walk, back at, value."""
        rows = []
        for m in self.members:
            plan = self.plans.get(m)
            role = ROLES.get(self.roles.get(m, ""), (self.roles.get(m, ""),) * 2)
            start, end = self.windows.get(m, ("", ""))
            rows.append(
                {
                    T("member", lang): f"{self.names.get(m, '')}（#{m}）",
                    T("role", lang): role[1] if lang == "en" else role[0],
                    T("window", lang): f"{start}-{end}",
                    T("households", lang): 0 if plan is None else len(plan.households),
                    T("stops", lang): 0 if plan is None else len(plan.stops),
                    T("walk_km", lang): 0.0 if plan is None else round(plan.total_walk_m / 1000, 2),
                    T("back_at", lang): "" if plan is None else f"{plan.back_at:%H:%M}",
                    T("value", lang): 0.0
                    if plan is None
                    else float(plan.households["prize"].sum()),
                }
            )
        return pd.DataFrame(rows)


def _prize_of(plans: Mapping[int, EveningPlan | None]) -> float:
    return float(
        sum(
            p.households["prize"].sum()
            for p in plans.values()
            if p is not None and len(p.households)
        )
    )


def _member_rows(
    tables: Mapping[str, pd.DataFrame], members: Sequence[int]
) -> tuple[pd.DataFrame, pd.Series]:
    """The members' officer rows and their common beat; every problem reported at once."""
    officers = tables["officers"]
    beats = tables["beats"]
    problems = []
    if not members:
        raise InputError("pick at least one person on duty (officer ids of the beat)")
    dup = sorted({int(m) for m in members if list(members).count(m) > 1})
    if dup:
        problems.append(f"members listed twice: {dup}")
    rows = officers[officers["id"].isin([int(m) for m in members])].set_index("id", drop=False)
    missing = [int(m) for m in members if int(m) not in rows.index]
    if missing:
        problems.append(f"unknown officer ids: {missing}")
    beat_ids = rows["beat_id"]
    no_beat = [int(i) for i, b in beat_ids.items() if pd.isna(b)]
    if no_beat:
        problems.append(f"officers without a beat (beat_id): {no_beat}")
    distinct = sorted({int(b) for b in beat_ids.dropna()})
    if len(distinct) > 1:
        per = ", ".join(f"{int(i)}→{int(b)}" for i, b in beat_ids.dropna().items())
        problems.append(f"a team works one beat; these members serve beats {distinct} ({per})")
    if problems:
        raise InputError("team: " + "; ".join(problems))
    brow = beats[beats["id"] == distinct[0]]
    if brow.empty:
        raise NotFoundError(f"beat {distinct[0]} of the team does not exist")
    return rows.loc[[int(m) for m in members]], brow.iloc[0]


def _candidates(
    net: BeatNetwork,
    households: pd.DataFrame,
    visits: pd.DataFrame,
    *,
    start_xy: np.ndarray,
    cutoff: pd.Timestamp,
    settings: EveningSettings,
    crs: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Household ids worth visiting, their prizes and the walking matrix (row 0 = start)."""
    end = settings.end
    status_end = cutoff.normalize() + pd.Timedelta(hours=end.hour, minutes=end.minute)  # type: ignore[union-attr]
    status = household_status(households, visits, end=status_end)
    prize = household_prizes(households, status, settings)
    cand = households[prize > 0]
    prize = prize[prize > 0]
    if cand.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros((1, 1))
    gdf = gpd.GeoDataFrame(cand, geometry="geometry", crs=households.crs or WGS84).to_crs(crs)
    xy = shapely.get_coordinates(gdf.geometry.values)
    start_sn = net.index.snap(start_xy[None, :], max_distance=max(settings.max_snap_m, 500.0))
    sn = Snapped.concat([start_sn, snap_doors(net, xy, settings)])
    d = net.index.distance_matrix(sn)
    acc = np.nan_to_num(sn.distance, nan=np.inf)
    d = d + acc[:, None] + acc[None, :]
    np.fill_diagonal(d, 0.0)
    ok = np.isfinite(d[0, 1:]) & np.isfinite(d[1:, 0])
    rows = np.r_[0, np.flatnonzero(ok) + 1]
    d = d[np.ix_(rows, rows)]
    d[~np.isfinite(d)] = d[np.isfinite(d)].max() * 10 if np.isfinite(d).any() else 0.0
    return cand["id"].to_numpy(dtype=np.int64)[ok], prize[ok], d


def _window(
    settings: EveningSettings, windows: Mapping[int, Any] | None, m: int
) -> EveningSettings:
    if not windows or m not in windows:
        return settings
    start, end = windows[m]
    return settings.with_(start=start, end=end)


def _plan_members(
    area: Any,
    tables: Mapping[str, pd.DataFrame],
    members: Sequence[int],
    ids: Mapping[int, Sequence[int]] | None,
    *,
    date: Any,
    settings: EveningSettings,
    windows: Mapping[int, Any] | None,
    start_point: tuple[float, float] | None,
    network: BeatNetwork,
) -> dict[int, EveningPlan | None]:
    """Plan each member: on the given household ids, or (``ids`` None) on what the others left."""
    hh = tables["households"]
    taken: set[int] = set()
    plans: dict[int, EveningPlan | None] = {}
    for m in members:
        if ids is None:
            mine = hh[~hh["id"].isin(list(taken))]
        else:
            mine = hh[hh["id"].isin(list(ids.get(m, ())))]
        plans[m] = None
        if mine.empty:
            continue
        try:
            plan = plan_evening(
                area,
                {**tables, "households": mine},
                officer=int(m),
                date=date,
                settings=_window(settings, windows, m),
                start_point=start_point,
                network=network,
            )
        except InputError as exc:
            if "no unvisited households" in str(exc) or "has no households" in str(exc):
                continue
            raise
        plans[m] = plan
        taken.update(plan.households["household_id"].astype(int).tolist())
    return plans


def plan_team(
    area: Any,
    tables: Mapping[str, pd.DataFrame],
    *,
    members: Sequence[int],
    date: Any,
    settings: EveningSettings | None = None,
    windows: Mapping[int, tuple[str, str]] | None = None,
    start_point: tuple[float, float] | None = None,
    network: BeatNetwork | None = None,
    time_limit_s: float = 3.0,
) -> TeamPlan:
    """Split tonight's most valuable households of a beat among the people on duty.

    Parameters
    ----------
    area : geo.network.Area
        The OSM area (walking graph, estates) in UTM.
    tables : mapping of str to DataFrame
        The store's ``beats``, ``officers``, ``households`` and ``visits`` tables (WGS-84).
    members : sequence of int
        Officer ids on duty (community officers and team members of one beat); the greedy
        baseline routes them in this order.
    date : date-like
        The evening.
    settings : EveningSettings, optional
        Window, service time, speed, weights, search settings (shared by the team).
    windows : mapping of int to (str, str), optional
        A member's own window, e.g. ``{31: ("17:00", "19:00")}`` for a volunteer.
    start_point : (lon, lat), optional
        Start and end somewhere other than the beat's community police office.
    network : BeatNetwork, optional
        The beat's network when already built.
    time_limit_s : float, optional
        Time of the team search (the greedy baseline and the final routes take a little more).

    Returns
    -------
    TeamPlan

    Raises
    ------
    InputError
        No member, members listed twice, unknown, without a beat or of different beats (all
        listed at once); a beat without an office point; nothing left to visit.
    NotFoundError
        The beat does not exist.
    """
    settings = settings or EveningSettings()
    rows, beat = _member_rows(tables, members)
    members = [int(m) for m in members]
    win = {m: _window(settings, windows, m) for m in members}
    crs = area.crs
    poly = gpd.GeoSeries([beat["geometry"]], crs=WGS84).to_crs(crs).iloc[0]
    start_xy = start_point_xy(beat, start_point, crs)
    net = network or beat_network(area, poly, margin_m=settings.margin_m, include=[start_xy])
    hh = tables["households"]
    hh = hh[hh["beat_id"] == int(beat["id"])]
    if hh.empty:
        raise InputError(f"beat {int(beat['id'])} ({beat.get('name', '')}) has no households")
    tables = {**tables, "households": hh}
    common = dict(date=date, settings=settings, windows=windows, start_point=start_point)
    greedy = _plan_members(area, tables, members, None, network=net, **common)
    greedy_prize = _prize_of(greedy)
    cutoff = pd.Timestamp(date).normalize()
    s0 = settings.start
    cutoff = cutoff + pd.Timedelta(hours=s0.hour, minutes=s0.minute)  # type: ignore[union-attr]
    ids, prize, dist = _candidates(
        net, hh, tables["visits"], start_xy=start_xy, cutoff=cutoff, settings=settings, crs=crs
    )
    best, method = greedy, "greedy"
    if ids.size:
        row_of = {int(h): i + 1 for i, h in enumerate(ids.tolist())}
        initial = [
            []
            if greedy[m] is None
            else [
                row_of[h] for h in greedy[m].households["household_id"].astype(int) if h in row_of
            ]
            for m in members
        ]
        res = solve_team(
            dist / settings.speed_ms,
            np.r_[0.0, prize],
            settings.service_s,
            budgets=[win[m].window_s for m in members],
            walk=dist,
            initial=initial,
            time_limit_s=time_limit_s,
        )
        if sorted(map(sorted, res.routes)) != sorted(map(sorted, initial)):
            split = {
                m: [int(ids[r - 1]) for r in route]
                for m, route in zip(members, res.routes, strict=True)
            }
            team = _plan_members(area, tables, members, split, network=net, **common)
            if _prize_of(team) > greedy_prize + 1e-9:
                best, method = team, "team"
    return TeamPlan(
        beat_id=int(beat["id"]),
        date=pd.Timestamp(date).date(),
        members=members,
        plans=best,
        method=method,
        prize=_prize_of(best),
        greedy_prize=greedy_prize,
        windows={m: (f"{win[m].start:%H:%M}", f"{win[m].end:%H:%M}") for m in members},
        names={int(i): str(r.get("name") or "") for i, r in rows.iterrows()},
        roles={int(i): str(r.get("role") or "") for i, r in rows.iterrows()},
    )


# --------------------------------------------------------------------------------------------
# tonight's route kept in the store


def route_key(officer_id: int, date: Any) -> str:
    """Metadata key of a person's route of one evening."""
    return f"route:{pd.Timestamp(date):%Y-%m-%d}:{int(officer_id)}"


def save_route(
    store: Any,
    plan: EveningPlan,
    *,
    planned_by: str = "",
    team: Sequence[int] = (),
    start_point: tuple[float, float] | None = None,
    planned_at: Any = None,
    conn: Any = None,
) -> dict[str, Any]:
    """Keep tonight's route of ``plan.officer_id`` so it can be rebuilt later.

    What is kept: the household ids in visiting order, the window, the start point, the team,
    who planned it and when (the visits known then decide the route when it is rebuilt).
    """
    record = {
        "officer_id": int(plan.officer_id),
        "beat_id": int(plan.beat_id),
        "date": f"{plan.date:%Y-%m-%d}",
        "household_ids": [int(h) for h in plan.households["household_id"]]
        if len(plan.households)
        else [],
        "start": f"{plan.settings.start:%H:%M}",
        "end": f"{plan.settings.end:%H:%M}",
        "service_min": float(plan.settings.service_min),
        "speed_kmh": float(plan.settings.speed_kmh),
        "start_point": list(start_point) if start_point else None,
        "team": [int(m) for m in team],
        "planned_by": planned_by,
        "planned_at": f"{pd.Timestamp(planned_at or pd.Timestamp.now()):%Y-%m-%dT%H:%M:%S}",
    }
    store.set_meta({route_key(plan.officer_id, plan.date): json.dumps(record)}, conn=conn)
    return record


def save_team(store: Any, team: TeamPlan, *, planned_by: str = "", planned_at: Any = None) -> None:
    """Keep every member's route of a team plan (one transaction)."""
    with store.transaction() as conn:
        for m, plan in team.plans.items():
            if plan is None:
                store.set_meta(
                    {
                        route_key(m, team.date): json.dumps(
                            {
                                "officer_id": m,
                                "beat_id": team.beat_id,
                                "date": f"{team.date:%Y-%m-%d}",
                                "household_ids": [],
                                "team": team.members,
                                "planned_by": planned_by,
                                "planned_at": f"{pd.Timestamp(planned_at or pd.Timestamp.now()):%Y-%m-%dT%H:%M:%S}",
                            }
                        )
                    },
                    conn=conn,
                )
            else:
                save_route(
                    store,
                    plan,
                    planned_by=planned_by,
                    team=team.members,
                    planned_at=planned_at,
                    conn=conn,
                )


def load_route(store: Any, officer_id: int, date: Any) -> dict[str, Any] | None:
    """The kept route record of a person and evening, or None."""
    raw = store.get_meta(route_key(officer_id, date))
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def route_for(
    area: Any,
    tables: Mapping[str, pd.DataFrame],
    record: Mapping[str, Any],
    *,
    settings: EveningSettings | None = None,
    network: BeatNetwork | None = None,
) -> EveningPlan | None:
    """Rebuild a kept route: the same households, as the visits known when it was planned saw them.

    Visits recorded after ``planned_at`` do not change the route (the field page marks them
    done); with the search bounded by ``max_iters`` the rebuilt route is the one planned.
    """
    ids = [int(h) for h in record.get("household_ids", [])]
    if not ids:
        return None
    settings = (settings or EveningSettings()).with_(
        start=record.get("start", "16:00"),
        end=record.get("end", "20:00"),
        service_min=float(record.get("service_min", 10.0)),
        speed_kmh=float(record.get("speed_kmh", 4.5)),
    )
    visits = tables["visits"]
    at = pd.Timestamp(record.get("planned_at")) if record.get("planned_at") else None
    if at is not None and len(visits):
        visits = visits[pd.to_datetime(visits["visited_at"]) <= at]
    hh = tables["households"]
    sp = record.get("start_point")
    return plan_evening(
        area,
        {**tables, "households": hh[hh["id"].isin(ids)], "visits": visits},
        officer=int(record["officer_id"]),
        date=record["date"],
        settings=settings,
        start_point=tuple(sp) if sp else None,
        network=network,
    )
