"""Benchmark of team routes (geo.team) against the greedy baseline and PyVRP.

Run from the project root::

    .venv/bin/python bench/bench_team.py            # real extract + synthetic (~2 min)
    .venv/bin/python bench/bench_team.py --quick    # synthetic only

Part 1, the matrix search. Instances: the demo city on the real Beijing Xueyuan Rd extract (one
beat's households worth visiting, walking distances on the network from the office, prizes from
the evening's value rules), and seeded random ones (uniform points in 2 x 2 km, prizes 6/10/13/15).
A team of three for 16:00-20:00 and a volunteer for 17:00-19:00, 4.5 km/h, 10 min per visit.
Methods: the members routed one after another with ``solve_orienteering`` (greedy), the team
search (OR-Tools guided local search from the greedy routes, 5 s), the same search without a
start (5 s), and PyVRP (optional clients with prizes, one vehicle type per window, 5 s).
Columns: value collected, households, total walk, longest and shortest member walk, seconds.

Part 2, ``plan_team`` end to end on the real extract: value and walk of the team plan against
the greedy plans (``plan_evening`` for each member on what the others left), and its time.

Figures only: nothing here asserts timing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.evening import EveningSettings  # noqa: E402
from geo.routing import solve_orienteering  # noqa: E402
from geo.team import solve_team  # noqa: E402

OSM = ROOT.parent / "shared" / "osm" / "beijing-haidian-xueyuanlu.osm"
SPEED = 4.5 / 3.6
SERVICE = 600.0
BUDGETS = [14400.0, 14400.0, 14400.0, 7200.0]
LIMIT = 5.0
DATE = "2026-04-15"


def random_instance(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 2000, size=(n, 2))
    xy[0] = (1000, 1000)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    return d, np.r_[0.0, rng.choice([6.0, 10.0, 13.0, 15.0], size=n - 1)]


def real_instance():
    from geo.demo import build_demo
    from geo.evening import beat_network
    from geo.evening.problem import start_point_xy
    from geo.network import load_area
    from geo.team import _candidates, _member_rows

    area = load_area(OSM)
    city = build_demo(area, seed=7, households_per_beat=900)
    tables = {n: city.frames[n].copy() for n in ("beats", "officers", "households", "visits")}
    off = tables["officers"]
    lead = off[(off["role"] == "community_officer") & off["beat_id"].notna()].iloc[0]
    crew = off[(off["beat_id"] == lead["beat_id"]) & (off["id"] != lead["id"])]
    members = [int(lead["id"]), *crew["id"].astype(int).head(3).tolist()]
    _, beat = _member_rows(tables, members)
    import geopandas as gpd

    poly = gpd.GeoSeries([beat["geometry"]], crs=4326).to_crs(area.crs).iloc[0]
    start = start_point_xy(beat, None, area.crs)
    s = EveningSettings()
    net = beat_network(area, poly, margin_m=s.margin_m, include=[start])
    hh = tables["households"]
    hh = hh[hh["beat_id"] == int(beat["id"])]
    cutoff = pd.Timestamp(DATE) + pd.Timedelta(hours=16)
    _, prize, dist = _candidates(
        net, hh, tables["visits"], start_xy=start, cutoff=cutoff, settings=s, crs=area.crs
    )
    return (area, tables, members, net), dist, np.r_[0.0, prize]


def greedy(travel, prize, budgets):
    left = prize.copy()
    routes = []
    for b in budgets:
        res = solve_orienteering(travel, left, SERVICE, budget=b, seed=0, max_iters=2000)
        routes.append(res.order)
        left[res.order] = 0.0
    return routes


def pyvrp_team(walk, travel, prize, budgets, limit):
    import pyvrp
    from pyvrp.stop import MaxRuntime

    n = walk.shape[0]
    dur = np.ceil(travel * 10).astype(np.int64)
    dist = np.rint(walk).astype(np.int64)
    np.fill_diagonal(dur, 0)
    np.fill_diagonal(dist, 0)
    big = int(dist.sum(axis=1).max() * len(budgets) + 1)
    clients = [
        pyvrp.Client(
            location=i,
            service_duration=int(SERVICE * 10),
            prize=int(round(prize[i] * 100)) * big // 100,
            required=False,
        )
        for i in range(1, n)
    ]
    types = [pyvrp.VehicleType(num_available=1, shift_duration=int(b * 10)) for b in budgets]
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=0, y=0) for _ in range(n)],
        clients=clients,
        depots=[pyvrp.Depot(location=0)],
        vehicle_types=types,
        distance_matrices=[dist],
        duration_matrices=[dur],
    )
    res = pyvrp.solve(data, stop=MaxRuntime(limit), seed=0)
    routes = [[] for _ in budgets]
    if not res.is_feasible():
        return None
    for r in res.best.routes():
        routes[r.vehicle_type()] = [a.idx + 1 for a in r if a.is_client()]
    return routes


def figures(routes, walk, travel, prize, budgets):
    if routes is None:
        return None
    seen = [i for r in routes for i in r]
    assert len(seen) == len(set(seen))
    walks, ok = [], True
    for r, b in zip(routes, budgets, strict=True):
        seq = [0, *r, 0]
        walks.append(sum(walk[a, c] for a, c in zip(seq[:-1], seq[1:], strict=True)))
        t = sum(travel[a, c] for a, c in zip(seq[:-1], seq[1:], strict=True)) + SERVICE * len(r)
        ok &= t <= b + 1e-6
    return prize[seen].sum(), len(seen), sum(walks), max(walks), min(walks), ok


def part1(instances) -> None:
    print(f"PART 1 - team of 4 (3 x 4 h + 1 x 2 h), {LIMIT:g} s for the searches")
    head = f"{'instance':<24}{'method':<26}{'value':>8}{'hh':>5}{'walk km':>9}"
    print(head + f"{'max km':>8}{'min km':>8}{'fits':>6}{'s':>7}")
    for name, walk, prize in instances:
        travel = walk / SPEED
        t0 = time.perf_counter()
        g = greedy(travel, prize, BUDGETS)
        rows = [("greedy (one after another)", g, time.perf_counter() - t0)]
        for label, init in (("team search from greedy", g), ("team search, no start", None)):
            t0 = time.perf_counter()
            res = solve_team(
                travel, prize, SERVICE, budgets=BUDGETS, walk=walk, initial=init, time_limit_s=LIMIT
            )
            rows.append((label, res.routes, time.perf_counter() - t0))
        try:
            t0 = time.perf_counter()
            rows.append(("PyVRP", pyvrp_team(walk, travel, prize, BUDGETS, LIMIT), 0.0))
            rows[-1] = (rows[-1][0], rows[-1][1], time.perf_counter() - t0)
        except ImportError:
            print("  (PyVRP not installed: pip install -e '.[bench]')")
        for label, routes, secs in rows:
            f = figures(routes, walk, travel, prize, BUDGETS)
            if f is None:
                print(f"{name:<24}{label:<26}  no feasible solution")
                continue
            value, n, total, hi, lo, ok = f
            print(
                f"{name:<24}{label:<26}{value:>8.0f}{n:>5}{total / 1000:>9.2f}"
                f"{hi / 1000:>8.2f}{lo / 1000:>8.2f}{'yes' if ok else 'NO':>6}{secs:>7.1f}"
            )


def part2(ctx) -> None:
    from geo.evening import plan_evening
    from geo.team import plan_team

    area, tables, members, net = ctx
    print("\nPART 2 - plan_team end to end (Xueyuan Rd demo beat, 4 members)")
    s = EveningSettings()
    windows = {members[-1]: ("17:00", "19:00")}
    t0 = time.perf_counter()
    team = plan_team(
        area, tables, members=members, date=DATE, settings=s, windows=windows, network=net,
        time_limit_s=LIMIT,
    )  # fmt: skip
    secs = time.perf_counter() - t0
    taken: set[int] = set()
    greedy_walk = 0.0
    t0 = time.perf_counter()
    for m in members:
        hh = tables["households"]
        rest = {**tables, "households": hh[~hh["id"].isin(list(taken))]}
        ms = s.with_(start=windows[m][0], end=windows[m][1]) if m in windows else s
        p = plan_evening(area, rest, officer=m, date=DATE, settings=ms, network=net)
        taken.update(p.households["household_id"].astype(int))
        greedy_walk += p.total_walk_m
    gsecs = time.perf_counter() - t0
    print(
        f"greedy plans : value {team.greedy_prize:.0f}, walk {greedy_walk / 1000:.2f} km, {gsecs:.1f} s"
    )
    print(
        f"team plan    : value {team.prize:.0f} ({team.method}), households "
        f"{len(team.assignment())}, walk {team.total_walk_m / 1000:.2f} km, {secs:.1f} s"
    )
    print(team.table("en").to_string(index=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="synthetic instances only")
    args = ap.parse_args()
    instances = []
    ctx = None
    if not args.quick and OSM.exists():
        ctx, dist, prize = real_instance()
        instances.append((f"Xueyuan Rd ({len(prize) - 1} hh)", dist, prize))
    elif not args.quick:
        print(f"!! {OSM} not found: synthetic instances only")
    for seed in (0, 1):
        d, p = random_instance(300, seed)
        instances.append((f"random 300 (seed {seed})", d, p))
    part1(instances)
    if ctx is not None:
        part2(ctx)


if __name__ == "__main__":
    main()
