"""End-to-end benchmark of the evening planner (geo.evening) on a 1,000-household beat.

Run from the project root::

    /work/venv/bin/python bench/bench_evening.py            # full run (~1 min)
    /work/venv/bin/python bench/bench_evening.py --quick    # references get 2 s

The city is the demo generator over the real Beijing Haidian Wudaokou extract (seed 7). The beat
is the demo beat with the most households, grown with its nearest neighbours' households until
it holds at least 1,000 (the demo's beats hold ~900), and its polygon their union. Visits before
the evening count as done (the demo's campaign reached ~74 %); tonight's candidates are the
households not yet reached at home.

Timed, each from a warm numba cache (``warm_up`` first) and the area already loaded:

* network: the beat's walking network plus 300 m (subgraph, :class:`NetworkIndex`, tags);
* prepare: household status and prizes, snapping every door (estate doors to estate paths),
  the door x door network distance matrix;
* solve: the prize-collecting round (``solve_orienteering`` on its work budget of 5,000
  iterations) and the fill pass;
* geometry: the legs on the network (one multi-source Dijkstra, edge pieces, LineStrings);
* directions and the PDF sheet (not in the planner's total);
* the campaign plan of the beat (every remaining household split into evenings), its time and
  whether a second run gives the same evenings.

Quality: the same household-level instance (travel between households of one door 0, the
planner's prizes, 10 min each, 4 h, walking 4.5 km/h) is given to OR-Tools (guided local search)
and PyVRP (prize-collecting) for 5 s each; households, prize and walk of each are printed next
to the planner's.

Figures only: nothing here asserts timing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_tour import ortools_round, pyvrp_round  # noqa: E402
from geo import evening as ev  # noqa: E402
from geo.evening.plan import best_direction, build_plan  # noqa: E402
from geo.evening.problem import evening_start, prepare, start_point_xy  # noqa: E402
from geo.evening.search import solve_round  # noqa: E402
from geo.model import WGS84  # noqa: E402
from geo.routing import warm_up  # noqa: E402

OSM = ROOT.parent / "shared" / "osm" / "beijing-haidian-wudaokou.osm"
DATE = "2026-05-20"


def thousand_beat(frames: dict, minimum: int = 1000) -> tuple[dict, int]:
    """Frames where one beat holds at least ``minimum`` households (neighbours merged in)."""
    import geopandas as gpd

    hh = frames["households"].copy()
    beats = frames["beats"].copy()
    counts = hh["beat_id"].value_counts()
    target = int(counts.idxmax())
    if counts.max() < minimum:
        cent = beats.set_index("id").geometry.to_crs(3857).centroid
        order = cent.distance(cent.loc[target]).sort_values().index.tolist()
        merged = [target]
        for b in order[1:]:
            if counts.reindex(merged).fillna(0).sum() >= minimum:
                break
            merged.append(int(b))
        hh.loc[hh["beat_id"].isin(merged), "beat_id"] = target
        poly = shapely.union_all(beats[beats["id"].isin(merged)].geometry.values)
        beats.loc[beats["id"] == target, "geometry"] = gpd.GeoSeries([poly], crs=beats.crs).values
    out = dict(frames)
    out["households"] = hh
    out["beats"] = beats
    return out, target


def household_instance(prob, speed_ms: float):
    """The planner's problem at household level: travel seconds, metres, prizes, service."""
    door = prob.households["door"].to_numpy() + 1
    rows = np.r_[0, door]
    metres = prob.dist[np.ix_(rows, rows)]
    same = rows[:, None] == rows[None, :]
    metres = np.where(same, 0.0, metres)
    prize = np.r_[0.0, prob.households["prize"].to_numpy()]
    service = np.r_[0.0, np.full(len(door), prob.settings.service_s)]
    return metres / speed_ms, metres, prize, service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="references get 2 s, not 5 s")
    args = parser.parse_args()
    if not OSM.exists():
        print(f"!! {OSM} not found: nothing to measure")
        return
    from geo.demo import build_demo
    from geo.directions import directions
    from geo.network import load_area
    from geo.sheet import sheet_pdf

    print(f"numba warm-up: {warm_up():.2f} s; load average {os.getloadavg()[0]:.1f}")
    t0 = time.perf_counter()
    area = load_area(OSM)
    print(f"load area: {time.perf_counter() - t0:.2f} s ({area.graph})")
    t0 = time.perf_counter()
    city = build_demo(area, seed=7)
    print(f"demo city: {time.perf_counter() - t0:.2f} s, {len(city.frames['households']):,} hh")
    frames, beat_id = thousand_beat(city.frames)
    offs = frames["officers"]
    officer = int(
        offs[(offs["beat_id"] == beat_id) & (offs["role"] == "community_officer")]["id"].iloc[0]
    )
    n_beat = int((frames["households"]["beat_id"] == beat_id).sum())
    settings = ev.EveningSettings(seed=0)
    beat = frames["beats"][frames["beats"]["id"] == beat_id].iloc[0]
    cutoff = evening_start(DATE, settings)

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    poly = gpd.GeoSeries([beat["geometry"]], crs=WGS84).to_crs(area.crs).iloc[0]
    start_xy = start_point_xy(beat, None, area.crs)
    net = ev.beat_network(area, poly, margin_m=settings.margin_m, include=[start_xy])
    timings["network"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    prob = prepare(
        area, frames, beat, cutoff=cutoff, settings=settings, start_point=None, network=net
    )
    timings["prepare (status, snap, matrix)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rnd = solve_round(prob, np.arange(len(prob.households)), settings.window_s, seed=0)
    rnd = best_direction(prob, rnd, cutoff)
    timings["solve"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    off, _ = ev.officer_beat(frames, officer)
    plan = build_plan(prob, rnd, off, beat, cutoff, crs=area.crs)
    timings["legs + plan tables"] = time.perf_counter() - t0
    total = sum(timings.values())
    t0 = time.perf_counter()
    steps = directions(plan)
    t_dir = time.perf_counter() - t0
    t0 = time.perf_counter()
    pdf = sheet_pdf(plan, area, steps=steps)
    t_pdf = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = ev.plan_evening(area, frames, officer=officer, date=DATE, settings=settings)
    t_call = time.perf_counter() - t0

    print(
        f"\nbeat {beat_id}: {n_beat:,} households, {len(prob.households):,} still to visit at "
        f"{prob.door_xy.shape[0]:,} doors; network {net.index.n_nodes:,} nodes / "
        f"{net.index.n_edges:,} edges; unreachable {len(prob.unreachable)}"
    )
    for k, v in timings.items():
        print(f"  {k:<34}{v:>7.2f} s")
    print(f"  {'planner total':<34}{total:>7.2f} s")
    print(f"  {'plan_evening() in one call':<34}{t_call:>7.2f} s")
    print(f"  {'directions':<34}{t_dir:>7.2f} s  ({len(steps)} lines)")
    print(f"  {'PDF sheet':<34}{t_pdf:>7.2f} s  ({len(pdf) / 1024:.0f} KiB)")
    print(f"plan: {plan.summary('en')}; time cap bit: {plan.timed_out}")
    print(
        f"same seed again: {again.households['household_id'].tolist() == plan.households['household_id'].tolist()}"
    )

    campaign(area, frames, officer)

    # quality against OR-Tools and PyVRP on the household-level instance
    limit = 2.0 if args.quick else 5.0
    t, metres, prize, service = household_instance(prob, settings.speed_ms)
    budget = settings.window_s
    big = 10**6
    print(f"\nhousehold-level instance: {len(prize) - 1} households, budget {budget:.0f} s")
    head = f"{'solver':<28}{'time s':>8}{'hh':>6}{'prize':>8}{'walk m':>9}{'used s':>9}"
    print(head)
    print("-" * len(head))
    used = plan.walk_min * 60 + plan.service_min * 60
    print(
        f"{'geo.evening (end to end)':<28}{total:>8.2f}{len(plan.households):>6d}"
        f"{plan.households['prize'].sum():>8.0f}{plan.total_walk_m:>9.0f}{used:>9.0f}"
    )
    for label, fn in (
        (f"OR-Tools GLS {limit:g} s", ortools_round),
        (f"PyVRP {limit:g} s", pyvrp_round),
    ):
        t0 = time.perf_counter()
        try:
            order = fn(t, prize, service, budget, limit, big)
        except ImportError as exc:
            print(f"{label:<28}   not installed ({exc.name})")
            continue
        el = time.perf_counter() - t0
        if order is None:
            print(f"{label:<28}{el:>8.2f}   no feasible solution")
            continue
        path = [0, *order, 0]
        walk = float(sum(metres[a, b] for a, b in zip(path, path[1:], strict=False)))
        u = float(sum(t[a, b] for a, b in zip(path, path[1:], strict=False))) + service[order].sum()
        print(
            f"{label:<28}{el:>8.2f}{len(order):>6d}{prize[order].sum():>8.0f}{walk:>9.0f}{u:>9.0f}"
        )


def campaign(area, frames, officer: int) -> None:
    """The campaign plan of the same beat: evenings needed against a target date, twice."""
    runs = []
    for _ in range(2):
        t0, c0 = time.perf_counter(), time.process_time()
        plan = ev.plan_campaign(
            area, frames, officer=officer, start_date=DATE, target_date="2026-06-30"
        )
        runs.append((time.perf_counter() - t0, time.process_time() - c0, plan))
    (el, cpu, plan), (el2, _, again) = runs
    same = [e.household_ids for e in plan.evenings] == [e.household_ids for e in again.evenings]
    mins = np.array([e.total_min for e in plan.evenings])
    sizes = np.array([len(e.household_ids) for e in plan.evenings])
    walk = sum(e.walk_m for e in plan.evenings) / 1000
    print(
        f"\ncampaign plan: {el:.1f} s wall, {cpu:.1f} s CPU (again {el2:.1f} s wall; same evenings: "
        f"{same}; time cap bit: "
        f"{plan.timed_out}); {plan.summary('en')}; walk {walk:.1f} km in all"
    )
    print(
        f"  minutes per evening: min {mins.min():.0f} / median {np.median(mins):.0f} / max "
        f"{mins.max():.0f}; households per evening {sizes.min()}-{sizes.max()}"
    )


if __name__ == "__main__":
    main()
