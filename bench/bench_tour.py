"""Benchmark of the route-planner core (geo.routing) against LKH, OR-Tools and PyVRP.

Run from the project root::

    /work/venv/bin/python bench/bench_tour.py            # full run (~3 min)
    /work/venv/bin/python bench/bench_tour.py --quick    # 200-stop tours, 2 s references

Part 1, closed tours (``solve_tour``): random euclidean instances and walking-distance matrices
from the real Beijing Wudaokou extract, each solved by ``solve_tour`` and by three references run
here: LKH-3 through ``elkai`` (bench-only), OR-Tools routing with guided local search and PyVRP,
the last two with the time limit given. ``solve_tour`` runs on its work budget (the default,
``max(2000, 20 n)`` kicks, and five times that), which decides its result whatever the machine's
load; its time cap (10 x the limit) is only a safety net, and the row says when it bit. Gaps are
to LKH, all lengths measured on the float matrix (the references get it rounded to decimetres).

Part 2, the evening round (``solve_orienteering``): 1,000 households on the Wudaokou network,
walking at 4.5 km/h, 10 min per visit, 4 h budget; prizes 3 never visited / 2 not home last
time, +1 for rentals and lodgers (seeded). ``solve_orienteering`` runs on its default work
budget (2,000 iterations) and on 20,000 iterations (safety cap 30 s), OR-Tools (drop
penalties = prize x big, time dimension) and PyVRP (optional clients with prizes, shift
duration) get 5 s.

Part 2c, households at doors: the same network, 1,000 households on 150 doors with a heavy
tail of door sizes (up to a few hundred households at one point, zero travel between them), 5 min
per visit, 4 h budget, prizes 2-4; ``solve_orienteering`` on its default work budget against
PyVRP given 2 s. Plain 40-nearest candidate lists filled with one door's households hid the
other doors here; each list now holds at most 8 households of one point.

Part 3, the cost of compiling: fresh processes calling both solvers once on a tiny instance,
with an empty numba cache (cold compile) and with the cache this run left behind.

Figures only: nothing here asserts timing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.routing import solve_orienteering, solve_tour, tour_length, warm_up  # noqa: E402

OSM = ROOT.parent / "shared" / "osm" / "beijing-haidian-wudaokou.osm"
SCALE = 10  # references get integer decimetres / deciseconds
WALK_M_PER_S = 4.5 / 3.6


# -------------------------------------------------------------------------------------------
# instances
# -------------------------------------------------------------------------------------------


def random_euclidean(n: int, seed: int) -> np.ndarray:
    """Distances between ``n`` uniform random points in a 10 km square, metres."""
    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2)) * 10_000.0
    return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))


_GRAPHS: dict[bool, object] = {}


def _graph(simplify: bool):
    import networkx as nx
    import osmnx as ox

    if simplify not in _GRAPHS:
        g = ox.graph_from_xml(OSM, bidirectional=True, simplify=simplify, retain_all=False)
        g = ox.project_graph(g)
        big = max(nx.strongly_connected_components(g), key=len)
        _GRAPHS[simplify] = g.subgraph(big).copy()
    return _GRAPHS[simplify]


def beijing_matrix(n: int, seed: int) -> tuple[np.ndarray, str]:
    """Walking distances (m) between ``n`` random nodes of the Wudaokou network.

    Uses the simplified graph (junctions only) when it has enough nodes, else the unsimplified
    one, whose extra nodes are points along the ways.
    """
    import networkx as nx
    from scipy.sparse.csgraph import dijkstra

    g = _graph(True)
    label = "simplified"
    if len(g) < n:
        g = _graph(False)
        label = "unsimplified"
    nodes = list(g.nodes)
    csr = nx.to_scipy_sparse_array(g, nodelist=nodes, weight="length", format="csr")
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(nodes), size=n, replace=False)
    d = dijkstra(csr, directed=True, indices=pick)[:, pick]
    return d, f"Wudaokou {label} graph ({len(g)} nodes)"


# -------------------------------------------------------------------------------------------
# references
# -------------------------------------------------------------------------------------------


def _int(d: np.ndarray) -> np.ndarray:
    return np.rint(d * SCALE).astype(np.int64)


def lkh_tour(d: np.ndarray, runs: int) -> list[int]:
    import elkai

    tour = elkai.DistanceMatrix(_int(d).tolist()).solve_tsp(runs=runs)
    return [int(v) for v in tour[:-1]]


def ortools_tour(d: np.ndarray, time_limit_s: float) -> list[int]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = d.shape[0]
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    cb = routing.RegisterTransitMatrix(_int(d).tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    sol = routing.SolveWithParameters(params)
    tour = []
    idx = routing.Start(0)
    while not routing.IsEnd(idx):
        tour.append(manager.IndexToNode(idx))
        idx = sol.Value(routing.NextVar(idx))
    return tour


def _pyvrp_data(
    dist: np.ndarray,
    dur: np.ndarray,
    *,
    service: np.ndarray | None = None,
    prize: np.ndarray | None = None,
    shift: int | None = None,
):
    import pyvrp

    n = dist.shape[0]
    locs = [pyvrp.Location(x=0, y=0) for _ in range(n)]
    clients = []
    for i in range(1, n):
        kw = {}
        if service is not None:
            kw["service_duration"] = int(service[i])
        if prize is not None:
            kw["prize"] = int(prize[i])
            kw["required"] = False
        clients.append(pyvrp.Client(location=i, **kw))
    vt = pyvrp.VehicleType(num_available=1)
    if shift is not None:
        vt = pyvrp.VehicleType(num_available=1, shift_duration=int(shift))
    return pyvrp.ProblemData(
        locations=locs,
        clients=clients,
        depots=[pyvrp.Depot(location=0)],
        vehicle_types=[vt],
        distance_matrices=[dist],
        duration_matrices=[dur],
    )


def _pyvrp_route(result) -> list[int]:
    routes = result.best.routes()
    if not routes:
        return []
    # client k sits at location k + 1
    return [a.idx + 1 for a in routes[0] if a.is_client()]


def pyvrp_tour(d: np.ndarray, time_limit_s: float) -> list[int]:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    di = _int(d)
    data = _pyvrp_data(di, np.zeros_like(di))
    res = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=0)
    return [0, *_pyvrp_route(res)]


# -------------------------------------------------------------------------------------------
# part 1: tours
# -------------------------------------------------------------------------------------------


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def bench_tours(quick: bool) -> None:
    sizes = [(200, 1.0)] if quick else [(200, 1.0), (1000, 5.0)]
    instances = []
    for n, tl in sizes:
        instances.append((f"random euclidean n={n}", random_euclidean(n, seed=n), tl))
    if OSM.exists():
        for n, tl in sizes:
            d, label = beijing_matrix(n, seed=n)
            instances.append((f"Beijing n={n}: {label}", d, tl))
    else:
        print(f"!! {OSM} not found: skipping the real-extract instances\n")

    print("PART 1 - closed tours (gap to LKH; lengths in metres on the float matrix)")
    head = f"{'solver':<34}{'time s':>9}{'length':>13}{'gap %':>9}"
    for name, d, tl in instances:
        n = d.shape[0]
        print(f"\n{name}, time limit {tl:g} s")
        print(head)
        print("-" * len(head))
        runs = 1 if n > 500 else 5
        rows = []
        lk, t_lk = _timed(lkh_tour, d, runs)
        ref = tour_length(d, lk)
        rows.append((f"LKH-3 (elkai, runs={runs})", t_lk, lk))
        default_kicks = max(2000, 20 * n)
        for kicks in (default_kicks, 5 * default_kicks):
            for s in (0, 1):
                tour, t = _timed(solve_tour, d, time_limit_s=10 * tl, seed=s, max_kicks=kicks)
                assert sorted(tour) == list(range(n)) and tour[0] == 0
                capped = " CAP BIT" if tour.timed_out else ""
                rows.append((f"solve_tour {kicks} kicks seed={s}{capped}", t, tour))
        for label, fn in (("OR-Tools GLS", ortools_tour), ("PyVRP", pyvrp_tour)):
            try:
                tour, t = _timed(fn, d, tl)
            except ImportError as exc:
                print(f"{label:<34}   not installed ({exc.name})")
                continue
            rows.append((label, t, tour))
        for label, t, tour in rows:
            length = tour_length(d, tour)
            print(f"{label:<34}{t:>9.2f}{length:>13.0f}{100 * (length / ref - 1):>9.2f}")


# -------------------------------------------------------------------------------------------
# part 2: evening round
# -------------------------------------------------------------------------------------------


def evening_instance(n_households: int, seed: int):
    """Office + households on the Wudaokou network: travel seconds, prizes, services."""
    import networkx as nx
    from scipy.sparse.csgraph import dijkstra

    g = _graph(False)
    nodes = list(g.nodes)
    xy = np.array([[g.nodes[v]["x"], g.nodes[v]["y"]] for v in nodes])
    office = int(np.argmin(((xy - xy.mean(axis=0)) ** 2).sum(1)))  # node nearest the centre
    rng = np.random.default_rng(seed)
    rest = np.setdiff1d(np.arange(len(nodes)), [office])
    pick = np.concatenate(([office], rng.choice(rest, size=n_households, replace=False)))
    csr = nx.to_scipy_sparse_array(g, nodelist=nodes, weight="length", format="csr")
    metres = dijkstra(csr, directed=True, indices=pick)[:, pick]
    seconds = metres / WALK_M_PER_S
    never = rng.random(n_households + 1) < 0.6
    prize = np.where(never, 3.0, 2.0) + (rng.random(n_households + 1) < 0.3)
    prize[0] = 0.0
    service = np.full(n_households + 1, 600.0)
    service[0] = 0.0
    return metres, seconds, prize, service, len(g)


def ortools_round(t, prize, service, budget, time_limit_s, big):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = t.shape[0]
    ti = np.ceil(t * SCALE).astype(np.int64)
    si = np.ceil(service * SCALE).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitMatrix(ti.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    busy = routing.RegisterTransitMatrix((ti + si[:, None]).tolist())
    routing.AddDimension(busy, 0, int(budget * SCALE), True, "time")
    for i in range(1, n):
        routing.AddDisjunction([manager.NodeToIndex(i)], int(prize[i] * big))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    sol = routing.SolveWithParameters(params)
    order = []
    idx = sol.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(idx):
        order.append(manager.IndexToNode(idx))
        idx = sol.Value(routing.NextVar(idx))
    return order


def pyvrp_round(t, prize, service, budget, time_limit_s, big):
    import pyvrp
    from pyvrp.stop import MaxRuntime

    ti = np.ceil(t * SCALE).astype(np.int64)
    np.fill_diagonal(ti, 0)
    data = _pyvrp_data(
        ti,
        ti,
        service=np.ceil(service * SCALE),
        prize=np.rint(prize * big),
        shift=int(budget * SCALE),
    )
    res = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=0)
    if not res.is_feasible():
        return None
    return _pyvrp_route(res)


def _round_figures(order, t, metres, prize, service):
    path = [0, *order, 0]
    travel = float(sum(t[a, b] for a, b in zip(path, path[1:], strict=False)))
    walk = float(sum(metres[a, b] for a, b in zip(path, path[1:], strict=False)))
    return len(order), float(prize[order].sum()), travel, walk, travel + service[order].sum()


def bench_round(quick: bool) -> None:
    print("\nPART 2 - evening round, 1,000 households (Beijing Wudaokou)")
    if not OSM.exists():
        print(f"!! {OSM} not found: skipping the evening-round benchmark")
        return
    budget = 4 * 3600.0
    ref_limit = 2.0 if quick else 5.0
    metres, t, prize, service, size = evening_instance(1000, seed=2024)
    print(
        f"graph: unsimplified, {size} nodes; office = node nearest the centre; "
        f"walk {WALK_M_PER_S:.2f} m/s, service 600 s, budget {budget:.0f} s; "
        f"prizes: {np.bincount(prize[1:].astype(int)).tolist()} households at 0..4"
    )
    big = 10**6  # > any travel in deciseconds: prize first, then travel
    schemes = [
        ("weighted prizes (3/2, +1)", prize),
        ("every household worth 1", np.ones_like(prize)),
    ]
    for title, pz in schemes:
        pz = pz.copy()
        pz[0] = 0.0
        print(f"\n{title}")
        rows = []
        for iters in (2000, 20000):
            for s in (0, 1):
                res, el = _timed(
                    solve_orienteering, t, pz, service, budget=budget, time_limit_s=30.0,
                    seed=s, max_iters=iters,
                )  # fmt: skip
                capped = " CAP BIT" if res.timed_out else ""
                rows.append((f"solve_orienteering {iters} it s={s}{capped}", el, res.order))
        for label, fn in (("OR-Tools GLS", ortools_round), ("PyVRP", pyvrp_round)):
            try:
                order, el = _timed(fn, t, pz, service, budget, ref_limit, big)
            except ImportError as exc:
                print(f"{label:<34}   not installed ({exc.name})")
                continue
            rows.append((f"{label} {ref_limit:g} s", el, order))
        head = (
            f"{'solver':<34}{'time s':>8}{'visits':>8}{'prize':>8}{'walk s':>9}{'walk m':>9}"
            f"{'used s':>9}{'fits':>6}"
        )
        print(head)
        print("-" * len(head))
        for label, el, order in rows:
            if order is None:
                print(f"{label:<34}{el:>8.2f}   no feasible solution")
                continue
            k, got, tr, walk, used = _round_figures(order, t, metres, pz, service)
            fits = "yes" if used <= budget + 1e-6 else "NO"
            print(
                f"{label:<34}{el:>8.2f}{k:>8d}{got:>8.0f}{tr:>9.0f}{walk:>9.0f}{used:>9.0f}"
                f"{fits:>6}"
            )


def bench_sweep() -> None:
    print(
        "\nPART 2b - more evening instances (seeds 1-4): solve_orienteering (default budget) vs "
        "PyVRP 5 s"
    )
    head = f"{'instance':<22}{'ours: visits/prize/walk s':>28}{'PyVRP: visits/prize/walk s':>30}"
    print(head)
    print("-" * len(head))
    budget = 4 * 3600.0
    for seed in (1, 2, 3, 4):
        metres, t, prize, service, _ = evening_instance(1000, seed=seed)
        ones = np.ones_like(prize)
        ones[0] = 0.0
        for title, pz in (("weighted", prize), ("worth 1", ones)):
            res = solve_orienteering(t, pz, service, budget=budget, time_limit_s=2.0, seed=0)
            mine = _round_figures(res.order, t, metres, pz, service)
            order = pyvrp_round(t, pz, service, budget, 5.0, 10**6)
            ref = _round_figures(order, t, metres, pz, service) if order is not None else None
            a = f"{mine[0]}/{mine[1]:.0f}/{mine[2]:.0f}"
            b = f"{ref[0]}/{ref[1]:.0f}/{ref[2]:.0f}" if ref else "infeasible"
            print(f"{f'seed {seed} {title}':<22}{a:>28}{b:>30}")


def doors_instance(t: np.ndarray, metres: np.ndarray, seed: int, n_doors: int = 150):
    """1,000 households on ``n_doors`` rows of ``t`` (row 0 the office): twins at each door."""
    rng = np.random.default_rng(seed)
    n = t.shape[0] - 1
    doors = np.r_[0, 1 + rng.choice(n, n_doors, replace=False)]
    weight = rng.pareto(1.2, n_doors) + 1.0
    door_of = np.r_[0, 1 + rng.choice(n_doors, n, p=weight / weight.sum())]
    rows = doors[door_of]
    prize = np.r_[0.0, rng.choice([2.0, 3.0, 4.0], n)]
    service = np.r_[0.0, np.full(n, 300.0)]
    return t[np.ix_(rows, rows)], metres[np.ix_(rows, rows)], prize, service, door_of


def bench_doors() -> None:
    print(
        "\nPART 2c - households at doors (1,000 on 150 doors, 5 min per visit, 4 h): "
        "solve_orienteering (default budget) vs PyVRP 2 s"
    )
    if not OSM.exists():
        print(f"!! {OSM} not found: skipping")
        return
    metres, t, _, _, _ = evening_instance(1000, seed=2024)
    head = (
        f"{'instance':<10}{'largest doors':>18}{'ours: prize/walk s/doors':>27}{'cpu s':>7}"
        f"{'PyVRP: prize/walk s/doors':>28}"
    )
    print(head)
    print("-" * len(head))
    budget = 4 * 3600.0
    for seed in (0, 1, 2):
        tt, mm, prize, service, door_of = doors_instance(t, metres, seed)
        big = sorted(np.bincount(door_of[1:]).tolist())[-3:]
        c0 = time.process_time()
        res = solve_orienteering(tt, prize, service, budget=budget, seed=0)
        cpu = time.process_time() - c0
        mine = _round_figures(res.order, tt, mm, prize, service)
        a = f"{mine[1]:.0f}/{mine[2]:.0f}/{len(set(door_of[res.order]))}"
        try:
            order = pyvrp_round(tt, prize, service, budget, 2.0, 10**6)
        except ImportError:
            order = None
        b = "-"
        if order is not None:
            ref = _round_figures(order, tt, mm, prize, service)
            b = f"{ref[1]:.0f}/{ref[2]:.0f}/{len(set(door_of[order]))}"
        print(f"{f'seed {seed}':<10}{str(big):>18}{a:>27}{cpu:>7.2f}{b:>28}")


# -------------------------------------------------------------------------------------------
# part 3: compile cost
# -------------------------------------------------------------------------------------------

_PROBE = """
import time
t0 = time.perf_counter()
import numpy as np
from geo.routing import solve_orienteering, solve_tour, warm_up
t1 = time.perf_counter()
spent = warm_up()
rng = np.random.default_rng(0)
xy = rng.random((200, 2)) * 1000
d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
t2 = time.perf_counter()
solve_tour(d, max_kicks=1000)
t3 = time.perf_counter()
print(f"{t1 - t0:.2f} {spent:.2f} {t3 - t2:.3f}")
"""


def bench_compile() -> None:
    print("\nPART 3 - compile cost: a fresh process imports geo.routing and calls warm_up()")
    print(f"{'numba cache':<26}{'import s':>10}{'warm_up() s':>13}{'then 200-stop tour s':>22}")
    with tempfile.TemporaryDirectory() as cold:
        for label, env_extra in (("empty (cold compile)", {"NUMBA_CACHE_DIR": cold}), ("warm", {})):
            env = {**os.environ, **env_extra}
            out = subprocess.run(
                [sys.executable, "-c", _PROBE],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            a, b, c = (float(x) for x in out)
            print(f"{label:<26}{a:>10.2f}{b:>13.2f}{c:>22.3f}")
    print("(without warm_up() the first solve_tour / solve_orienteering call pays this cost)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200-stop tours, 2 s references")
    parser.add_argument(
        "--sweep", action="store_true", help="also 4 more evening instances against PyVRP 5 s"
    )
    args = parser.parse_args()
    print(f"warm_up() in this process: {warm_up():.2f} s (numba compile or cache load)\n")
    bench_tours(args.quick)
    bench_round(args.quick)
    if args.sweep:
        bench_sweep()
    bench_doors()
    bench_compile()


if __name__ == "__main__":
    main()
