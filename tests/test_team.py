"""Team routes (geo.team): the matrix search, team plans on the fixture and a real extract, and
tonight's route kept in the store."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from geo._errors import InputError
from geo.evening import EveningSettings, plan_evening
from geo.routing import solve_orienteering
from geo.team import load_route, plan_team, route_for, save_team, solve_team
from tests.conftest import DATA, SHARED_OSM

DATE = "2026-04-15"
TABLES = ("beats", "officers", "households", "visits")
FAST = EveningSettings(start="16:00", end="17:30", time_limit_s=2.0, max_iters=1500, seed=3)


@functools.lru_cache(maxsize=2)
def city(path: str, seed: int = 3, per_beat: int = 900):
    from geo.demo import build_demo
    from geo.network import load_area

    area = load_area(path)
    return area, build_demo(area, seed=seed, households_per_beat=per_beat)


def tables(c) -> dict[str, pd.DataFrame]:
    return {n: c.frames[n].copy() for n in TABLES}


def team_of(frames, n: int) -> list[int]:
    off = frames["officers"]
    chief = off[(off["role"] == "community_officer") & off["beat_id"].notna()].iloc[0]
    same = off[(off["beat_id"] == chief["beat_id"]) & (off["id"] != chief["id"])]
    return [int(chief["id"]), *same["id"].astype(int).head(n - 1).tolist()]


# --------------------------------------------------------------------------------------------
# the matrix search


def _instance(n: int, seed: int):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 2000, size=(n, 2))
    xy[0] = (1000, 1000)
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    prize = np.r_[0.0, rng.choice([6.0, 10.0, 13.0, 15.0], size=n - 1)]
    return d / 1.25, prize  # seconds at 4.5 km/h


def _greedy(travel, prize, service, budgets):
    left = prize.copy()
    routes = []
    for b in budgets:
        res = solve_orienteering(travel, left, service, budget=b, seed=0, max_iters=2000)
        routes.append(res.order)
        left[res.order] = 0.0
    return routes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_solve_team_disjoint_within_budgets_and_not_below_greedy(seed):
    travel, prize = _instance(120, seed)
    budgets = [3600.0, 3600.0, 2400.0]
    service = 300.0
    greedy = _greedy(travel, prize, service, budgets)
    res = solve_team(travel, prize, service, budgets=budgets, initial=greedy, time_limit_s=1.0)
    visited = [i for r in res.routes for i in r]
    assert len(visited) == len(set(visited)), "a stop is on two routes"
    assert 0 not in visited
    for route, budget in zip(res.routes, budgets, strict=True):
        seq = [0, *route, 0]
        t = sum(travel[a, b] for a, b in zip(seq[:-1], seq[1:], strict=False))
        assert t + service * len(route) <= budget + 1e-6
    greedy_prize = sum(prize[i] for r in greedy for i in r)
    assert res.prize >= greedy_prize - 1e-9
    assert res.prize == pytest.approx(sum(prize[i] for i in visited))


def test_solve_team_without_a_start_solution_and_zero_prizes():
    travel, prize = _instance(40, 5)
    prize[1:10] = 0.0
    res = solve_team(travel, prize, 120.0, budgets=[1800.0, 1800.0], time_limit_s=0.5)
    visited = {i for r in res.routes for i in r}
    assert visited, "nothing planned"
    assert not visited & set(range(1, 10)), "a household of value 0 was planned"


def test_solve_team_bad_input_is_reported_at_once():
    travel, prize = _instance(10, 0)
    travel[2, 3] = -1.0
    with pytest.raises(InputError) as err:
        solve_team(travel, prize[:5], 60.0, budgets=[0.0])
    msg = str(err.value)
    assert "travel must be finite and >= 0" in msg
    assert "prize must be 10" in msg
    assert "budgets must be positive" in msg


# --------------------------------------------------------------------------------------------
# team plans on the fixture


@pytest.fixture(scope="module")
def alleys():
    return city(str(DATA / "alleys_estate.osm"))


def _greedy_plans(area, frames, members, settings, windows):
    taken: set[int] = set()
    total = 0.0
    for m in members:
        s = settings.with_(**dict(zip(("start", "end"), windows[m], strict=True)))
        hh = frames["households"]
        rest = {**frames, "households": hh[~hh["id"].isin(list(taken))]}
        plan = plan_evening(area, rest, officer=m, date=DATE, settings=s)
        taken.update(plan.households["household_id"].astype(int))
        total += float(plan.households["prize"].sum())
    return total


def check_team(team, frames, windows) -> None:
    assign = team.assignment()
    assert assign["household_id"].is_unique, "a household went to two members"
    beat_hh = frames["households"]
    beat_hh = beat_hh[beat_hh["beat_id"] == team.beat_id]
    assert set(assign["household_id"]) <= set(beat_hh["id"])
    for m, plan in team.plans.items():
        if plan is None:
            continue
        start, end = windows[m]
        day = pd.Timestamp(DATE)
        assert plan.officer_id == m
        assert plan.back_at <= day + pd.Timedelta(f"{end}:00") + pd.Timedelta(seconds=1)
        assert (pd.to_datetime(plan.stops["arrive"]) >= day + pd.Timedelta(f"{start}:00")).all()
        assert plan.walk_min + plan.service_min <= plan.settings.window_s / 60 + 1e-6


@pytest.mark.slow
def test_team_split_on_the_fixture(alleys):
    area, c = alleys
    frames = tables(c)
    members = team_of(frames, 3)
    windows = {members[0]: ("16:00", "17:30"), members[1]: ("16:00", "17:30")}
    windows[members[2]] = ("16:30", "17:30")  # a volunteer who comes later
    team = plan_team(
        area, frames, members=members, date=DATE, settings=FAST, windows=windows, time_limit_s=1
    )
    check_team(team, frames, windows)
    assert team.plans[members[2]].settings.window_s == 3600
    assert len(team.assignment()) > 0
    greedy = _greedy_plans(area, frames, members, FAST, windows)
    assert team.prize >= greedy - 1e-9
    assert team.greedy_prize == pytest.approx(greedy)
    table = team.table("en")
    assert list(table["Households"]) == [
        len(team.plans[m].households) if team.plans[m] is not None else 0 for m in members
    ]
    assert "on duty" in team.summary("en") and "人出勤" in team.summary("zh")


def test_team_members_checked_all_at_once(alleys):
    area, c = alleys
    frames = tables(c)
    off = frames["officers"]
    a, b = team_of(frames, 2)
    off.loc[off["id"] == b, "beat_id"] = int(off["beat_id"].max()) + 1  # another beat
    with pytest.raises(InputError) as err:
        plan_team(area, frames, members=[a, a, b, 99999], date=DATE, settings=FAST)
    msg = str(err.value)
    assert "listed twice" in msg and str(a) in msg
    assert "unknown officer ids: [99999]" in msg
    assert "one beat" in msg
    with pytest.raises(InputError, match="at least one person"):
        plan_team(area, frames, members=[], date=DATE, settings=FAST)


@pytest.mark.slow
def test_kept_route_is_rebuilt_the_same_after_visits(alleys, tmp_path):
    from geo.demo import write_demo
    from geo.store import Store
    from geo.visits import record_visit

    area, c = alleys
    store = Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    write_demo(store, c, source="fixture")
    frames = {n: store.read(n) for n in TABLES}
    members = team_of(frames, 2)
    team = plan_team(area, frames, members=members, date=DATE, settings=FAST, time_limit_s=1)
    save_team(
        store, team, planned_by="test", planned_at=pd.Timestamp(DATE) + pd.Timedelta("15:59:00")
    )
    m = members[1]
    record = load_route(store, m, DATE)
    assert record is not None and record["team"] == members
    original = team.plans[m]
    assert record["household_ids"] == original.households["household_id"].astype(int).tolist()
    shown = route_for(area, frames, record, settings=FAST)
    assert set(shown.households["household_id"]) <= set(record["household_ids"])
    # a visit recorded during the evening does not reshuffle the kept route
    first = int(shown.households["household_id"].iloc[0])
    record_visit(
        store,
        household_id=first,
        officer_id=m,
        outcome="visited",
        visited_at=pd.Timestamp(DATE) + pd.Timedelta("16:20:00"),
    )
    frames = {n: store.read(n) for n in TABLES}
    rebuilt = route_for(area, frames, record, settings=FAST)
    assert rebuilt.households["household_id"].tolist() == shown.households["household_id"].tolist()
    assert load_route(store, 424242, DATE) is None


@pytest.mark.slow
def test_team_on_a_real_extract_is_not_below_greedy():
    if not SHARED_OSM.is_dir():
        pytest.skip(f"real OSM extracts not found at {SHARED_OSM}")
    area, c = city(str(SHARED_OSM / "beijing-haidian-xueyuanlu.osm"), 7, 900)
    frames = tables(c)
    members = team_of(frames, 3)
    settings = EveningSettings(start="16:00", end="18:00", time_limit_s=2, max_iters=2000, seed=3)
    windows = {m: ("16:00", "18:00") for m in members}
    team = plan_team(area, frames, members=members, date=DATE, settings=settings, time_limit_s=2)
    check_team(team, frames, windows)
    assert team.prize >= _greedy_plans(area, frames, members, settings, windows) - 1e-9
