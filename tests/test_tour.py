"""Tests of the matrix core of the route planner: geo.routing.solve_tour / solve_orienteering."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from geo import routing
from geo._errors import InputError
from geo.routing import OrienteeringResult, solve_orienteering, solve_tour, tour_length


def euclidean(n: int, seed: int, *, size: float = 1000.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2)) * size
    return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))


def brute_force_tour(d: np.ndarray, start: int) -> float:
    others = [i for i in range(len(d)) if i != start]
    return min(tour_length(d, [start, *p]) for p in itertools.permutations(others))


def brute_force_round(d, prize, service, budget, start=0):
    """Best (prize, -travel) over every subset and order of the other stops."""
    others = [i for i in range(len(d)) if i != start]
    best = (0.0, 0.0)
    for k in range(1, len(others) + 1):
        for subset in itertools.combinations(others, k):
            pz = float(prize[list(subset)].sum())
            if pz < best[0] - 1e-9:
                continue
            svc = float(service[list(subset)].sum())
            travel = min(tour_length(d, [start, *p]) for p in itertools.permutations(subset))
            if travel + svc <= budget + 1e-9 and (
                pz > best[0] + 1e-9 or (abs(pz - best[0]) <= 1e-9 and travel < -best[1])
            ):
                best = (pz, -travel)
    return best[0], -best[1]


def nearest_neighbour_length(d: np.ndarray, start: int = 0) -> float:
    n = len(d)
    seen = {start}
    tour = [start]
    while len(tour) < n:
        row = d[tour[-1]].copy()
        row[list(seen)] = np.inf
        nxt = int(np.argmin(row))
        tour.append(nxt)
        seen.add(nxt)
    return tour_length(d, tour)


def check_round(res: OrienteeringResult, d, prize, service, budget, start=0) -> None:
    assert start not in res.order
    assert len(set(res.order)) == len(res.order)
    path = [start, *res.order, start]
    travel = sum(d[a, b] for a, b in itertools.pairwise(path))
    assert res.total_travel == pytest.approx(travel)
    assert res.total_time == pytest.approx(travel + service[res.order].sum())
    assert res.prize == pytest.approx(prize[res.order].sum())
    assert res.total_time <= budget + 1e-6


# ---------------------------------------------------------------------------------------------
# solve_tour
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3])
def test_trivial_sizes(n: int) -> None:
    d = euclidean(n, seed=n)
    for start in range(n):
        tour = solve_tour(d, start=start)
        assert tour[0] == start
        assert sorted(tour) == list(range(n))


@pytest.mark.parametrize("seed", range(6))
def test_small_tours_are_optimal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 9))
    d = rng.random((n, n)) * 100  # asymmetric: solved exactly up to routing.EXACT_MAX stops
    start = int(rng.integers(n))
    tour = solve_tour(d, start=start)
    assert tour[0] == start and sorted(tour) == list(range(n))
    assert tour_length(d, tour) == pytest.approx(brute_force_tour(d, start))


@pytest.mark.parametrize("seed", range(8))
def test_local_search_finds_small_optima(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """With the exact solver switched off, the iterated local search still finds the optimum."""
    monkeypatch.setattr(routing, "EXACT_MAX", 3)
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(4, 9))
    d = euclidean(n, seed=100 + seed)
    start = int(rng.integers(n))
    tour = solve_tour(d, start=start, max_kicks=2000, seed=seed)
    assert tour[0] == start and sorted(tour) == list(range(n))
    assert tour_length(d, tour) == pytest.approx(brute_force_tour(d, start))


def test_tour_is_permutation_from_start() -> None:
    d = euclidean(150, seed=1)
    for start in (0, 77, 149):
        tour = solve_tour(d, start=start, time_limit_s=0.2, max_kicks=3000)
        assert tour[0] == start
        assert sorted(tour) == list(range(150))
        assert all(isinstance(v, int) for v in tour)


def test_same_seed_same_tour() -> None:
    d = euclidean(120, seed=2)
    a = solve_tour(d, seed=5, time_limit_s=30, max_kicks=3000)
    b = solve_tour(d, seed=5, time_limit_s=30, max_kicks=3000)
    assert a == b


def test_beats_nearest_neighbour() -> None:
    d = euclidean(300, seed=3)
    tour = solve_tour(d, time_limit_s=0.3)
    assert tour_length(d, tour) < 0.95 * nearest_neighbour_length(d)


def test_slightly_asymmetric_matrix() -> None:
    d = euclidean(60, seed=4)
    rng = np.random.default_rng(4)
    d = d * (1 + 0.02 * rng.random(d.shape))  # one-way differences of up to 2 %
    tour = solve_tour(d, start=3, time_limit_s=0.2, max_kicks=2000)
    assert tour[0] == 3 and sorted(tour) == list(range(60))
    backwards = [tour[0], *tour[1:][::-1]]
    assert tour_length(d, tour) <= tour_length(d, backwards)
    assert tour_length(d, tour) < nearest_neighbour_length(d, 3)


def test_duplicate_points() -> None:
    """Stops at the same place (zero distances) are fine."""
    d = euclidean(40, seed=5)
    d = np.block([[d, d], [d, d]])  # every point twice
    tour = solve_tour(d, time_limit_s=0.2, max_kicks=2000)
    assert sorted(tour) == list(range(80))
    assert tour_length(d, tour) <= nearest_neighbour_length(d)


@pytest.mark.slow
def test_thousand_stops_beat_nearest_neighbour() -> None:
    d = euclidean(1000, seed=6, size=10_000)
    tour = solve_tour(d, time_limit_s=3.0)
    assert sorted(tour) == list(range(1000))
    assert tour_length(d, tour) < 0.85 * nearest_neighbour_length(d)


# ---------------------------------------------------------------------------------------------
# solve_orienteering
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_small_rounds_are_optimal(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(3, 9))
    d = euclidean(n, seed=200 + seed)
    if seed % 2:
        d = d * (1 + 0.1 * rng.random(d.shape))  # asymmetric
    prize = rng.integers(1, 5, n).astype(float)
    service = rng.integers(0, 100, n).astype(float)
    start = int(rng.integers(n))
    budget = float(rng.uniform(0.3, 1.2) * (tour_length(d, range(n)) + service.sum()))
    out_back = min(d[start, j] + service[j] + d[j, start] for j in range(n) if j != start)
    budget = max(budget, out_back)
    res = solve_orienteering(d, prize, service, budget=budget, start=start, max_iters=300)
    check_round(res, d, prize, service, budget, start)
    want_prize, want_travel = brute_force_round(d, prize, service, budget, start)
    assert res.prize == pytest.approx(want_prize)
    assert res.total_travel == pytest.approx(want_travel)


def test_round_respects_budget_and_prefers_prize() -> None:
    n = 400
    d = euclidean(n, seed=7, size=3000) / 1.25  # seconds at 4.5 km/h
    rng = np.random.default_rng(7)
    prize = rng.choice([2.0, 3.0], n) + (rng.random(n) < 0.3)
    service = np.full(n, 600.0)
    res = solve_orienteering(d, prize, service, budget=14_400, time_limit_s=0.5, max_iters=300)
    check_round(res, d, prize, service, 14_400)
    assert 10 <= len(res.order) <= 24
    # the round is at least as good as the greedy nearest-first round
    left, here, used, greedy = set(range(1, n)), 0, 0.0, 0.0
    while True:
        nxt = min(left, key=lambda j: d[here, j])
        if used + d[here, nxt] + 600 + d[nxt, 0] > 14_400:
            break
        used += d[here, nxt] + 600
        greedy += prize[nxt]
        left.remove(nxt)
        here = nxt
    assert res.prize >= greedy


def test_round_is_deterministic() -> None:
    d = euclidean(200, seed=8) / 1.25
    prize = np.random.default_rng(8).integers(1, 4, 200).astype(float)
    kw = {"budget": 3000.0, "time_limit_s": 30.0, "max_iters": 200, "seed": 3}
    a = solve_orienteering(d, prize, 60.0, **kw)
    b = solve_orienteering(d, prize, 60.0, **kw)
    assert a == b


def test_work_budget_decides_not_the_clock() -> None:
    """Different time caps that do not bite give the same answer; one that bites says so."""
    d = euclidean(300, seed=11)
    quick = solve_tour(d, seed=2, time_limit_s=20.0, max_kicks=4000)
    slow = solve_tour(d, seed=2, time_limit_s=600.0, max_kicks=4000)
    assert isinstance(quick, routing.Tour) and not quick.timed_out and not slow.timed_out
    assert quick == slow and quick.kicks == slow.kicks == 4000
    cut = solve_tour(d, seed=2, time_limit_s=1e-6, max_kicks=4000)
    assert cut.timed_out and cut.kicks < 4000 and sorted(cut) == list(range(300))
    # default budget: grows with the instance, and ends the search well before the cap
    auto = solve_tour(d, seed=2)
    assert not auto.timed_out and auto.kicks <= max(routing.TOUR_MIN_KICKS, 20 * 300)

    prize = np.random.default_rng(11).integers(1, 4, 300).astype(float)
    kw = {"budget": 4000.0, "max_iters": 600, "seed": 4}
    a = solve_orienteering(d / 1.25, prize, 60.0, time_limit_s=20.0, **kw)
    b = solve_orienteering(d / 1.25, prize, 60.0, time_limit_s=600.0, **kw)
    assert a == b and not a.timed_out and a.iterations <= 600
    c = solve_orienteering(d / 1.25, prize, 60.0, time_limit_s=1e-6, **kw)
    assert c.timed_out and c.iterations < 600
    check_round(c, d / 1.25, prize, np.full(300, 60.0), 4000.0)


def test_zero_prize_and_out_of_reach_are_skipped() -> None:
    rng = np.random.default_rng(9)
    xy = rng.random((30, 2)) * 1000
    xy[7] = (9000.0, 9000.0)  # too far for the budget
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    prize = np.ones(30)
    prize[5] = 0.0
    res = solve_orienteering(d, prize, 0.0, budget=8000.0, max_iters=100)
    assert 5 not in res.order and 7 not in res.order
    assert len(res.order) == 27


def test_single_stop_and_everything_fits() -> None:
    assert solve_orienteering(np.zeros((1, 1)), [0.0], [0.0], budget=10).order == []
    d = euclidean(8, seed=10)
    res = solve_orienteering(d, np.ones(8), 0.0, budget=1e9, max_iters=50)
    assert sorted(res.order) == list(range(1, 8))
    assert res.total_travel == pytest.approx(brute_force_tour(d, 0))


# ---------------------------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dist", "words"),
    [
        (np.zeros((3, 4)), "square"),
        (np.zeros(5), "square"),
        (np.zeros((0, 0)), "empty"),
        (np.array([[0, np.nan], [1, 0]]), "NaN"),
        (np.array([[0, -1.0], [1, 0]]), "negative"),
        (np.array([[0, 1, 1], [1, 0, np.inf], [1, 1, 0]]), "row 1 cannot reach column 2"),
        ([["a", "b"], ["c", "d"]], "numeric"),
    ],
)
def test_bad_matrix(dist, words: str) -> None:
    with pytest.raises(InputError, match=words):
        solve_tour(dist)
    with pytest.raises(InputError, match=words):
        solve_orienteering(dist, [1, 1], [0, 0], budget=10)


@pytest.mark.parametrize("start", [-1, 3, 1.5, True])
def test_bad_start(start) -> None:
    d = euclidean(3, seed=0)
    with pytest.raises(InputError, match="start"):
        solve_tour(d, start=start)
    with pytest.raises(InputError, match="start"):
        solve_orienteering(d, np.ones(3), 0.0, budget=1e6, start=start)


def test_bad_time_limit() -> None:
    with pytest.raises(InputError, match="time_limit_s"):
        solve_tour(euclidean(5, seed=0), time_limit_s=0)


def test_bad_prize_service_budget() -> None:
    d = euclidean(4, seed=0)
    with pytest.raises(InputError, match=r"prize must have one value per row of dist \(4\)"):
        solve_orienteering(d, np.ones(3), 0.0, budget=1e6)
    with pytest.raises(InputError, match="service must not be negative"):
        solve_orienteering(d, np.ones(4), [0, 1, -2, 0], budget=1e6)
    with pytest.raises(InputError, match="prize must be finite"):
        solve_orienteering(d, [1, np.nan, 1, 1], 0.0, budget=1e6)
    with pytest.raises(InputError, match="budget must be a positive"):
        solve_orienteering(d, np.ones(4), 0.0, budget=-5)


def test_budget_too_short_names_time_needed() -> None:
    d = np.array([[0.0, 100.0, 300.0], [100.0, 0.0, 50.0], [300.0, 50.0, 0.0]])
    with pytest.raises(InputError, match=r"quickest round \(to row 1 and back.*needs 800 s"):
        solve_orienteering(d, [0, 1, 1], 600.0, budget=799.0)
    res = solve_orienteering(d, [0, 1, 1], 600.0, budget=800.0)
    assert res.order == [1] and res.total_time == pytest.approx(800.0)


# ---------------------------------------------------------------------------------------------
# households at one door (zero-distance twins)
# ---------------------------------------------------------------------------------------------


def doors_matrix(door_xy: np.ndarray, door_of: np.ndarray) -> np.ndarray:
    """Travel between rows placed at doors: zero between the rows of one door."""
    xy = door_xy[door_of]
    return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))


def test_one_door_does_not_crowd_the_candidate_lists() -> None:
    """A door of 60 households gives each list at most OP_TWINS of them; the other doors stay."""
    rng = np.random.default_rng(21)
    door_xy = np.r_[[[0.0, 0.0]], rng.random((30, 2)) * 500 + 50]
    door_of = np.r_[0, np.zeros(60, dtype=int), np.arange(1, 31)]  # 60 at the office's door
    d = doors_matrix(door_xy, door_of)
    prize = np.r_[0.0, rng.integers(1, 4, len(door_of) - 1)]
    cand = np.arange(1, len(door_of))
    nbr = routing._candidate_lists(
        d, cand, routing.OP_NEIGHBOURS, prize=prize, twins=routing.OP_TWINS
    )
    crowded = np.flatnonzero(door_of == 0)[1:]
    for row in range(len(door_of)):
        listed = nbr[row][nbr[row] >= 0]
        assert np.isin(crowded, listed).sum() <= routing.OP_TWINS
        assert len(listed) == routing.OP_TWINS + 30 - (row > 60)  # the other doors, all
    # the office is offered the door's most valuable households and every other door
    office = nbr[0][nbr[0] >= 0]
    top = crowded[np.lexsort((crowded, -prize[crowded]))][: routing.OP_TWINS]
    assert set(top) <= set(office) and set(range(61, 91)) <= set(office)
    # each household of the door is offered by another one, so a route can take them all
    offered = set(nbr[crowded].ravel())
    assert set(crowded) <= offered


def test_round_reaches_the_doors_behind_a_crowded_one() -> None:
    """Ten valuable doors 100-200 m out must not be hidden by 60 households at the office.

    With plain 40-nearest lists every list near the office holds only households of its
    door, so the round never sees the valuable doors and collects at most 60.
    """
    rng = np.random.default_rng(5)
    angle = np.sort(rng.random(10)) * 2 * np.pi
    radius = 100 + 100 * rng.random(10)
    door_xy = np.r_[[[0.0, 0.0]], np.c_[radius * np.cos(angle), radius * np.sin(angle)]]
    door_of = np.r_[0, np.zeros(60, dtype=int), np.arange(1, 11)]
    d = doors_matrix(door_xy, door_of)
    prize = np.r_[0.0, np.ones(60), np.full(10, 10.0)]
    service = np.r_[0.0, np.full(70, 60.0)]
    res = solve_orienteering(d, prize, service, budget=3000.0, seed=0, max_iters=200)
    check_round(res, d, prize, service, 3000.0)
    assert set(range(61, 71)) <= set(res.order)
    # the rest of the time goes to the households at the office's door
    assert res.prize >= 100 + (3000.0 - 600.0 - 2 * np.pi * 200 - 400) // 60


def test_round_takes_every_household_of_a_big_door() -> None:
    """A door of 80 households that all fit: the lists chain from each twin to the next."""
    door_of = np.r_[0, np.ones(80, dtype=int)]
    d = doors_matrix(np.array([[0.0, 0.0], [300.0, 0.0]]), door_of)
    prize = np.r_[0.0, np.ones(80)]
    res = solve_orienteering(d, prize, 10.0, budget=600.0 + 800.0, seed=0, max_iters=20)
    assert sorted(res.order) == list(range(1, 81))
    assert res.total_time == pytest.approx(1400.0)
