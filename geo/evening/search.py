"""The search for one evening round: stops at doors, the prize-collecting round, the door tour,
the fill pass.

Every search here runs on a work budget (``EveningSettings.max_iters`` iterations / kicks), so
the round depends only on the data, the budget and the seed; ``time_limit_s`` is a safety net
whose biting is reported on the round (``timed_out``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from geo._errors import InputError
from geo.evening.problem import Problem
from geo.evening.settings import DOOR_CAP
from geo.routing import solve_orienteering, solve_tour

__all__ = ["Round", "solve_round"]

#: kicks of the tour that orders the chosen doors (a few dozen doors: converges long before)
TOUR_KICKS = 2000


@dataclass
class Stops:
    """Households cut into stops: the door of each stop and its households."""

    door: np.ndarray  # door per stop (0-based door index)
    members: list[np.ndarray]  # positional rows of problem.households per stop


@dataclass
class Round:
    """One evening's round: the places in walking order and what they take.

    Attributes
    ----------
    doors : list of int
        Door per visited place, in order (each door once).
    members : list of numpy.ndarray
        Households (positional rows of the problem's households) per place.
    travel_m, total_s : float
        Walk of the closed round (m); walk plus service (s).
    timed_out : bool
        A search of this round was stopped by the safety time cap, not by its work budget.
    """

    doors: list[int]
    members: list[np.ndarray]
    travel_m: float = 0.0
    total_s: float = 0.0
    timed_out: bool = False

    @property
    def n_households(self) -> int:
        """Households in the round."""
        return sum(int(m.size) for m in self.members)


class _TooBig(InputError):
    """Raised inside _search_round when only partial stops fit; handled by splitting."""


def solve_round(
    prob: Problem,
    pool: np.ndarray,
    budget_s: float,
    *,
    seed: int,
    max_iters: int | None = None,
    time_limit_s: float | None = None,
) -> Round:
    """The most valuable round over the households ``pool`` within ``budget_s`` seconds.

    Stops are whole doors (up to ``max_per_stop`` households) when one fits the budget, else
    single households.

    Parameters
    ----------
    prob : Problem
    pool : numpy.ndarray of int
        Positional rows of ``prob.households`` that may be visited.
    budget_s : float
        Walk plus service time available (s).
    seed : int
    max_iters, time_limit_s : optional
        Work budget and safety cap of the search; default from ``prob.settings``.
    """
    s = prob.settings
    iters = s.max_iters if max_iters is None else max_iters
    cap = s.time_limit_s if time_limit_s is None else time_limit_s
    try:
        return _search_round(prob, pool, budget_s, seed=seed, max_iters=iters, time_limit_s=cap)
    except _TooBig:
        single = replace(prob, settings=s.with_(max_per_stop=1))
        return _search_round(single, pool, budget_s, seed=seed, max_iters=iters, time_limit_s=cap)


def _search_round(
    prob: Problem,
    pool: np.ndarray,
    budget_s: float,
    *,
    seed: int,
    max_iters: int | None,
    time_limit_s: float,
) -> Round:
    """Steps: cap each door, cut stops, check one fits, search, order the doors, fill."""
    s = prob.settings
    stops = _make_stops(prob, _door_cap(prob, pool, DOOR_CAP))
    if not stops.members:
        return Round([], [])
    rows = np.r_[0, stops.door + 1]
    travel_t = prob.dist[np.ix_(rows, rows)] / s.speed_ms
    prize_h = prob.households["prize"].to_numpy()
    prize = np.r_[0.0, [prize_h[m].sum() for m in stops.members]]
    service = np.r_[0.0, [m.size * s.service_s for m in stops.members]]
    _check_one_fits(prob, travel_t, service, budget_s)
    res = solve_orienteering(
        travel_t,
        prize,
        service,
        budget=budget_s,
        start=0,
        time_limit_s=time_limit_s,
        seed=seed,
        max_iters=max_iters,
    )
    order = [int(i) - 1 for i in res.order]
    picked = _merge_places([int(stops.door[i]) for i in order], [stops.members[i] for i in order])
    used = np.zeros(len(prob.households), dtype=bool)
    for m in picked.members:
        used[m] = True
    rnd = _door_tour(prob, picked, seed, time_limit_s)
    rnd.timed_out = rnd.timed_out or res.timed_out
    _fill(prob, rnd, pool[~used[pool]], budget_s)
    return rnd


def _check_one_fits(
    prob: Problem, travel_t: np.ndarray, service: np.ndarray, budget_s: float
) -> None:
    """Raise unless a whole stop fits the budget (``_TooBig`` when a single household does)."""
    s = prob.settings
    fits = travel_t[0, 1:] + service[1:] + travel_t[1:, 0] <= budget_s
    if fits.any():
        return
    one = travel_t[0, 1:] + s.service_s + travel_t[1:, 0]
    quick = int(np.argmin(one))
    if one[quick] > budget_s:
        raise InputError(
            f"the evening window ({budget_s / 60:.0f} min) is too short for a single visit: "
            f"the nearest household needs {one[quick] / 60:.0f} min (walk there and back "
            f"plus {s.service_min:g} min at the door)"
        )
    raise _TooBig("no whole stop fits; split the stops")


def _make_stops(prob: Problem, pool: np.ndarray) -> Stops:
    """Cut the households of ``pool`` (positional rows) into stops at their doors."""
    hh = prob.households
    doors = hh["door"].to_numpy()[pool]
    prize = hh["prize"].to_numpy()[pool]
    order = np.lexsort((-prize, doors))
    size = int(prob.settings.max_per_stop)
    door_l: list[int] = []
    members: list[np.ndarray] = []
    sorted_doors = doors[order]
    bounds = np.flatnonzero(np.r_[True, sorted_doors[1:] != sorted_doors[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        rows = pool[order[a:b]]
        for k in range(0, rows.size, size):
            door_l.append(int(sorted_doors[a]))
            members.append(rows[k : k + size])
    return Stops(np.asarray(door_l, dtype=np.int64), members)


def _door_cap(prob: Problem, pool: np.ndarray, cap: int) -> np.ndarray:
    """The ``cap`` most valuable households of each door (the rest wait for the fill pass).

    Households of one door are zero distance apart; dozens of them would fill the search's
    nearest-candidate lists and hide the neighbouring doors from its exchange moves.
    """
    hh = prob.households
    doors = hh["door"].to_numpy()[pool]
    prize = hh["prize"].to_numpy()[pool]
    order = np.lexsort((-prize, doors))
    sd = doors[order]
    first = np.r_[True, sd[1:] != sd[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(sd.size), 0))
    rank = np.arange(sd.size) - start
    return np.sort(pool[order[rank < cap]])


def _merge_places(doors: list[int], members: list[np.ndarray]) -> Round:
    """One place per door: the stops of a door visited together."""
    by_door: dict[int, list[np.ndarray]] = {}
    for d, m in zip(doors, members, strict=True):
        by_door.setdefault(d, []).append(m)
    return Round(list(by_door), [np.concatenate(ms) for ms in by_door.values()])


def _door_tour(prob: Problem, rnd: Round, seed: int, time_limit_s: float) -> Round:
    """Visit the chosen doors in the shortest order (a tour over them), keeping the search's
    order when that is shorter (asymmetric cases)."""
    doors, members = rnd.doors, rnd.members
    if len(doors) < 3:
        return _timed(prob, Round(doors, members))
    rows = np.r_[0, np.asarray(doors, dtype=np.int64) + 1]
    sub = prob.dist[np.ix_(rows, rows)]
    tour = solve_tour(sub, start=0, time_limit_s=time_limit_s, seed=seed, max_kicks=TOUR_KICKS)
    order = [i - 1 for i in tour[1:]]
    toured = _timed(prob, Round([doors[i] for i in order], [members[i] for i in order]))
    toured.timed_out = tour.timed_out
    searched = _timed(prob, Round(doors, members))
    if toured.travel_m > searched.travel_m + 1e-6:
        searched.timed_out = toured.timed_out
        return searched
    return toured


def round_times(prob: Problem, doors: list[int], members: list[np.ndarray]) -> tuple[float, float]:
    """Walk (m) of the closed round through ``doors`` and its walk plus service (s)."""
    s = prob.settings
    seq = np.r_[0, np.asarray(doors, dtype=np.int64) + 1, 0]
    travel = float(prob.dist[seq[:-1], seq[1:]].sum()) if doors else 0.0
    n_h = sum(int(m.size) for m in members)
    return travel, travel / s.speed_ms + n_h * s.service_s


def _timed(prob: Problem, rnd: Round) -> Round:
    rnd.travel_m, rnd.total_s = round_times(prob, rnd.doors, rnd.members)
    return rnd


def _fill(prob: Problem, rnd: Round, left: np.ndarray, budget_s: float) -> None:
    """Add households left out while the window allows: best prize per extra second first.

    A household at a door on the route costs only its service time; one elsewhere costs the
    cheapest insertion of its door into the round as well.
    """
    s = prob.settings
    hh = prob.households
    prize = hh["prize"].to_numpy()
    door_of = hh["door"].to_numpy()
    left = left[np.argsort(-prize[left], kind="stable")]
    _timed(prob, rnd)
    while left.size and budget_s - rnd.total_s >= s.service_s - 1e-6:
        slack = budget_s - rnd.total_s
        seq = np.r_[0, np.asarray(rnd.doors, dtype=np.int64) + 1, 0]
        doors = np.unique(door_of[left])
        rows = doors + 1
        add = (
            prob.dist[np.ix_(seq[:-1], rows)].T
            + prob.dist[np.ix_(rows, seq[1:])]
            - prob.dist[seq[:-1], seq[1:]][None, :]
        )
        on_route = np.isin(doors, rnd.doors)
        where = np.argmin(add, axis=1)
        extra_t = np.where(on_route, 0.0, add[np.arange(doors.size), where] / s.speed_ms)
        k = np.searchsorted(doors, door_of[left])
        cost = extra_t[k] + s.service_s
        ok = cost <= slack + 1e-6
        if not ok.any():
            break
        score = np.where(ok, prize[left] / cost, -np.inf)
        j_pos = int(np.flatnonzero(score >= score.max() - 1e-12)[0])
        j = int(left[j_pos])
        dj = int(door_of[j])
        if on_route[k[j_pos]]:
            pos = rnd.doors.index(dj)
            rnd.members[pos] = np.r_[rnd.members[pos], j]
        else:
            ins = int(where[k[j_pos]])
            rnd.doors.insert(ins, dj)
            rnd.members.insert(ins, np.array([j]))
        left = np.delete(left, j_pos)
        _timed(prob, rnd)
