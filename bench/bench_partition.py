"""Balanced beats: BeatMap's own regions against spopt's region models, on every shared extract.

For each extract in ``../shared/osm`` the demo city is built, its households are turned into the
partition's units (whole estates and courtyards, street-block cells), and the same number of
beats as the demo's is formed by

* ``beatmap`` — :func:`geo.partition.partition`'s region growing + balancing local search;
* ``spopt-skater`` — spopt's SKATER (spanning-tree cuts on the unit centres; its floor counts
  units, not households: at least half an even share of units per region);
* ``spopt-kmeans`` — spopt's RegionKMeansHeuristic on the unit centres;
* ``spopt-maxp`` — spopt's max-p heuristic with a floor of 90 % of an even share (it chooses
  the number of regions itself).

It prints regions made, largest/smallest households, the coefficient of variation, contiguity
and seconds. Run: ``.venv/bin/python bench/bench_partition.py`` (spopt is in the ``bench``
extra).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import partition as P  # noqa: E402
from geo.demo import build_demo  # noqa: E402
from geo.network import load_area  # noqa: E402

SHARED = ROOT.parent / "shared" / "osm"


def units_of(area, city):
    hh = city.frames["households"].to_crs(area.crs)
    xy = shapely.get_coordinates(hh.geometry.values)
    n = len(xy)
    key, loc_of = np.unique(np.round(xy, 2), axis=0, return_inverse=True)
    loc_of = loc_of.ravel()
    first = np.zeros(len(key), dtype=int)
    first[loc_of[::-1]] = np.arange(n)[::-1]
    b = hh["building_id"].fillna("").astype(str).to_numpy()[first]
    atom = np.where(b != "", "b:" + b, "l:" + np.arange(len(first)).astype(str))
    estate = hh["estate"].fillna("").astype(str).to_numpy()[first]
    west, south, east, north = area.bounds
    frame = gpd.GeoSeries([shapely.box(west, south, east, north)], crs=4326).to_crs(area.crs)
    frame = shapely.unary_union([frame.iloc[0], shapely.MultiPoint(xy[first]).convex_hull])
    blocks = P.street_blocks(area.edges(), frame)
    count = len(city.frames["beats"])
    w = np.bincount(loc_of, minlength=len(key)).astype(float)
    units = P._units(xy[first], w, w, atom, estate, blocks, n / count, 0.4, 0.06)
    return units, count


def figures(units, label, seconds):
    k = int(label.max()) + 1
    h = np.bincount(label, weights=units.households, minlength=k)
    live = h[h > 0]
    contiguous = all(
        len(P._components(m, units.neighbours, set(m))) == 1
        for m in (np.flatnonzero(label == r).tolist() for r in range(k))
    )
    return k, live.max() / live.min(), h.std() / h.mean(), contiguous, seconds


def run_spopt(units, count):
    import libpysal
    import pandas as pd
    from spopt.region import MaxPHeuristic, RegionKMeansHeuristic, Skater

    gdf = gpd.GeoDataFrame(
        pd.DataFrame({"households": units.households, "x": units.xy[:, 0], "y": units.xy[:, 1]}),
        geometry=shapely.points(units.xy),
    )
    neighbours = {i: sorted(nb) for i, nb in enumerate(units.neighbours)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.W(neighbours, silence_warnings=True)
    out = {}
    share = units.households.sum() / count
    t = time.perf_counter()
    try:
        model = Skater(
            gdf,
            w,
            ["x", "y"],
            n_clusters=count,
            floor=max(1, len(gdf) // (2 * count)),
            trace=False,
            islands="increase",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.solve()
        out["spopt-skater"] = (np.asarray(model.labels_), time.perf_counter() - t)
    except Exception as exc:  # the bench reports a model that fails instead of stopping
        print(f"  spopt-skater failed: {exc}")
    t = time.perf_counter()
    model = RegionKMeansHeuristic(gdf[["x", "y"]].to_numpy(), count, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.solve()
    out["spopt-kmeans"] = (np.asarray(model.labels_), time.perf_counter() - t)
    t = time.perf_counter()
    try:
        model = MaxPHeuristic(
            gdf, w, ["x", "y"], "households", 0.9 * share, top_n=2, max_iterations_construction=20
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.solve()
        labels = np.asarray(model.labels_)
        _, labels = np.unique(labels, return_inverse=True)
        out["spopt-maxp"] = (labels, time.perf_counter() - t)
    except Exception as exc:
        print(f"  spopt-maxp failed: {exc}")
    return out


def main() -> None:
    if not SHARED.is_dir():
        print(f"no shared extracts at {SHARED}")
        return
    try:
        import spopt  # noqa: F401

        have_spopt = True
    except ImportError:
        have_spopt = False
        print("spopt is not installed (pip install -e .[bench]); BeatMap's own regions only")
    print(
        f"{'extract':34} {'model':13} {'beats':>5} {'max/min':>8} {'CV':>6} {'contig':>6} {'s':>7}"
    )
    for path in sorted(SHARED.glob("*.osm")):
        area = load_area(path)
        city = build_demo(area, seed=7)
        units, count = units_of(area, city)
        if count < 2:
            print(f"{path.stem:34} (one beat: nothing to compare)")
            continue
        t = time.perf_counter()
        own = P._regions(units, count, seed=0, starts=4)
        results = {"beatmap": (own, time.perf_counter() - t)}
        if have_spopt:
            results.update(run_spopt(units, count))
        for name, (label, secs) in results.items():
            k, ratio, cv, contig, s = figures(units, np.asarray(label, dtype=int), secs)
            print(f"{path.stem:34} {name:13} {k:5d} {ratio:8.3f} {cv:6.3f} {contig!s:>6} {s:7.2f}")


if __name__ == "__main__":
    main()
