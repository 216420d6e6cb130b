"""Coverage page from the store: server work on the 330,000-household city, both backends.

The synthetic city of ``bench_coverage.synthetic_frames`` (33 stations, 284 beats, 330,000
households, ~283,000 visits, 17,500 cameras, 9,900 incidents, 3,700 surveys) is written to a
SQLite file and to a PostgreSQL+PostGIS database (a server started here). For each backend:

* the small tables the view draws from (:func:`geo.coverage_store.coverage_inputs`), read once
  per change of those tables (a visit changes none of them);
* the page's server work per view: :func:`geo.coverage_store.coverage_view` (counts in SQL),
  building the Folium map (:func:`layers.coverage_map.coverage_map`) and rendering its HTML,
  for the whole city, the whole city with one beat selected, one station, and one beat
  (the sidebar's beat filter); best of 3, wall and CPU seconds (the CPU of a PostgreSQL
  server process is not in this process's CPU time). Two figures per view: the first view of
  a set of filters on a day (everything computed), and a view after new visits, which is what
  a chief's page costs all evening: the server keeps the parts no visit changes
  (:class:`geo.coverage_store.FixedParts`: surveys, cameras, incidents, before/after) and
  counts the rest again;
* memory: the peak Python allocation while computing one whole-city view, and the size of the
  view the cache keeps per set of filters (what a session adds).

Targets: whole city <= 0.3 s, one beat <= 0.15 s, on both backends; <= 30 MB per session.

Run: ``python bench/bench_coverage_store.py [--households N] [--backends sqlite,postgresql]``
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_coverage import EmptyArea, synthetic_frames  # noqa: E402

from geo import coverage_store  # noqa: E402
from geo.filters import Filters  # noqa: E402
from geo.store import Store  # noqa: E402
from layers.coverage_map import coverage_map  # noqa: E402

TARGET_DATE = "2026-06-30"


def best(fn, repeat: int = 3) -> tuple[float, float, object]:
    """Best wall and CPU seconds of ``repeat`` calls, and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus), out


def run(label: str, url: str, frames) -> None:
    print(f"\n== {label}")
    store = Store(url, create=True)
    t0 = time.perf_counter()
    store.write_many(frames, mode="replace")
    print(f"city written in {time.perf_counter() - t0:.1f} s")
    wall, cpu, inputs = best(lambda: coverage_store.coverage_inputs(store), repeat=1)
    print(f"small tables (once per change of them): {wall:.2f} s")
    area = EmptyArea("synthetic", (0.0, 0.0, 0.0, 0.0))
    beats = inputs["beats"]
    one_beat = int(beats["id"].iloc[len(beats) // 2])
    one_station = int(beats["station_id"].iloc[0])
    cases = [
        ("whole city", Filters(), {}, 0.3),
        ("whole city, one beat selected", Filters(), {"selected_beat": one_beat}, 0.3),
        ("one station", Filters(stations=(one_station,)), {}, None),
        ("one beat", Filters(beats=(one_beat,)), {}, 0.15),
    ]
    for name, filters, options, target in cases:

        def view(filters=filters, options=options):
            return coverage_store.coverage_view(
                store, filters, inputs=inputs, target_date=TARGET_DATE, **options
            )

        first_wall, first_cpu, v = best(view)
        parts = coverage_store.fixed_parts(
            store,
            filters,
            inputs=inputs,
            as_of=v.as_of,
            resolution=v.resolution,
            bounds=v.bounds,
        )

        def again(filters=filters, options=options, parts=parts):
            return coverage_store.coverage_view(
                store,
                filters,
                inputs=inputs,
                target_date=TARGET_DATE,
                fixed=lambda **_: parts,
                **options,
            )

        v_wall, v_cpu, v = best(again)

        def page(v=v):
            m = coverage_map(v, area, features=None)
            return m.get_root().render()

        m_wall, m_cpu, html = best(page)
        goal = f" [target <= {target}]" if target else ""
        print(
            f"{name} ({v.totals['households']:,} households, {v.mode}): after new visits: view "
            f"{v_wall:.3f} s ({v_cpu:.3f} CPU) + map and HTML {m_wall:.3f} s ({m_cpu:.3f} CPU, "
            f"{len(html) / 1e6:.2f} MB) = {v_wall + m_wall:.3f} s{goal}; first view of the "
            f"day: {first_wall + m_wall:.3f} s ({first_cpu + m_cpu:.3f} CPU)"
        )
    tracemalloc.start()
    v = coverage_store.coverage_view(store, Filters(), inputs=inputs, target_date=TARGET_DATE)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size = len(pickle.dumps(v))
    print(
        f"memory: peak {peak / 1e6:.1f} MB while computing the whole-city view; the cached view "
        f"{size / 1e6:.2f} MB per set of filters [target <= 30 MB per session]"
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=330_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    t0 = time.perf_counter()
    frames = synthetic_frames(args.households)
    print(
        f"built the synthetic city in {time.perf_counter() - t0:.1f} s "
        f"({len(frames['households']):,} households, {len(frames['visits']):,} visits)"
    )
    backends = args.backends.split(",")
    with tempfile.TemporaryDirectory(prefix="beatmap-coverage-") as tmp:
        if "sqlite" in backends:
            run("SQLite", f"sqlite:///{tmp}/city.sqlite", frames)
        if "postgresql" in backends:
            from tests.pgserver import PgCluster, postgis_available

            if not postgis_available():
                print("\n== PostgreSQL: PostgreSQL/PostGIS not installed, skipped")
                return
            cluster = PgCluster()
            try:
                run("PostgreSQL + PostGIS", cluster.create_database(), frames)
            finally:
                cluster.close()


if __name__ == "__main__":
    main()
