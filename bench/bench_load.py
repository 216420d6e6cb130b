"""Load benchmark: an evening's visit writes at once while a chief watches the Coverage figures.

For each backend (SQLite file, PostgreSQL+PostGIS server started here on a free loopback port):

1. the 330,000-household synthetic city of ``bench_coverage.synthetic_frames`` is written to a
   fresh database (timed);
2. the Coverage page's view from the database (:func:`geo.coverage_store.coverage_view`, the
   parts no visit changes kept as the app keeps them) is timed for the whole city and for one
   beat, idle;
3. 8 processes each record 250 visits through :func:`geo.visits.record_visit` at the same
   moment, every 5th tap sent twice with the same request id (a double tap); meanwhile the
   main process times the Coverage view again;
4. it prints rows written vs visits sent, errors, duplicate ids, repeated taps answered with
   the first write's id, the p50/p95 write latency, and the Coverage times while writing.

Targets: rows = visits sent, 0 errors, 0 duplicates; Coverage server work <= 0.3 s whole city,
<= 0.15 s one beat.

Run: ``python bench/bench_load.py [--households N] [--processes 8] [--visits 250]
[--backends sqlite,postgresql]``
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_coverage import synthetic_frames  # noqa: E402

from geo import coverage_store  # noqa: E402
from geo.filters import Filters  # noqa: E402
from geo.store import SQL_TABLES, Store  # noqa: E402
from tests._city import visit_writer  # noqa: E402


class CoveragePage:
    """The Coverage page's server work as the app does it: the view from the store
    (:func:`geo.coverage_store.coverage_view`) for the whole city and for one beat, the small
    tables read once and the parts no visit changes kept (as ``ui/cache.py`` keeps them)."""

    def __init__(self, store: Store, beat: int) -> None:
        self.store = store
        self.inputs = coverage_store.coverage_inputs(store)
        self.filters = {"city": Filters(), "beat": Filters(beats=(beat,))}
        self.fixed: dict = {}

    def view(self, which: str):
        filters = self.filters[which]

        def fixed(**key):
            k = (which, key["as_of"], key["resolution"])
            if k not in self.fixed:
                self.fixed[k] = coverage_store.fixed_parts(
                    self.store, filters, inputs=self.inputs, **key
                )
            return self.fixed[k]

        return coverage_store.coverage_view(
            self.store, filters, inputs=self.inputs, target_date="2026-06-30", fixed=fixed
        )

    def times(self, repeat: int = 3) -> tuple[float, float]:
        """Best-of-``repeat`` seconds for the whole city and for one beat."""
        city, one = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            self.view("city")
            city.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            self.view("beat")
            one.append(time.perf_counter() - t0)
        return min(city), min(one)


def run(label: str, url: str, frames, *, processes: int, visits: int) -> None:
    print(f"\n== {label}")
    store = Store(url)
    t0 = time.perf_counter()
    store.write_many(frames, mode="replace")
    print(f"wrote the city in {time.perf_counter() - t0:.1f} s: {store.counts()}")
    n_households = store.count("households")
    before = store.count("visits")
    beat = int(frames["beats"]["id"].iloc[0])
    page = CoveragePage(store, beat)
    city_s, one_s = page.times()
    tracemalloc.start()
    page.view("city")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"Coverage view idle: whole city {city_s:.3f} s [target <= 0.3], one beat {one_s:.3f} s "
        f"[target <= 0.15]; Python memory peak {peak:.1f} MiB per view [target <= 30]"
    )
    store.close()

    ctx = mp.get_context("fork")
    go, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=visit_writer, args=(url, w, visits, n_households, go, results))
        for w in range(processes)
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)
    watcher = Store(url, migrate=False, create=False)
    page = CoveragePage(watcher, beat)
    t0 = time.perf_counter()
    go.set()
    out, during_city, during_one = [], [], []
    while len(out) < processes:
        c, o = page.times(repeat=1)
        during_city.append(c)
        during_one.append(o)
        while not results.empty():
            out.append(results.get())
    wall = time.perf_counter() - t0
    for p in procs:
        p.join(timeout=60)
    ids = [i for r in out for i in r[1]]
    errors = [e for r in out for e in r[3]]
    resent = sum(r[2] for r in out)
    lat = np.concatenate([np.asarray(r[4]) for r in out]) if ids else np.zeros(1)
    visits_t = SQL_TABLES["visits"]
    with watcher.engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(visits_t)).scalar_one() - before
    sent = processes * visits
    print(
        f"{processes} writers x {visits} visits in {wall:.1f} s: sent {sent}, rows written {rows}, "
        f"errors {len(errors)}, duplicate ids {len(ids) - len(set(ids))}, repeated taps answered "
        f"with the first id {resent}/{processes * len(range(0, visits, 5))}"
    )
    print(
        f"write latency p50 {np.percentile(lat, 50) * 1000:.0f} ms, "
        f"p95 {np.percentile(lat, 95) * 1000:.0f} ms"
    )
    print(
        f"Coverage view while writing ({len(during_city)} rounds): whole city median "
        f"{statistics.median(during_city):.3f} s (max {max(during_city):.3f}), one beat median "
        f"{statistics.median(during_one):.3f} s (max {max(during_one):.3f})"
    )
    for e in errors[:5]:
        print("  error:", e)
    watcher.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=330_000)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--visits", type=int, default=250)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    t0 = time.perf_counter()
    frames = synthetic_frames(args.households)
    frames = {k: frames[k] for k in ("stations", "beats", "officers", "households", "visits")}
    print(
        f"built the synthetic city in {time.perf_counter() - t0:.1f} s "
        f"({len(frames['households']):,} households, {len(frames['visits']):,} visits)"
    )
    backends = args.backends.split(",")
    with tempfile.TemporaryDirectory(prefix="beatmap-load-") as tmp:
        if "sqlite" in backends:
            run(
                "SQLite",
                f"sqlite:///{tmp}/load.sqlite",
                frames,
                processes=args.processes,
                visits=args.visits,
            )
        if "postgresql" in backends:
            from tests.pgserver import PgCluster, postgis_available

            if not postgis_available():
                print("\n== PostgreSQL: PostgreSQL/PostGIS not installed, skipped")
                return
            cluster = PgCluster()
            try:
                run(
                    "PostgreSQL + PostGIS",
                    cluster.create_database(),
                    frames,
                    processes=args.processes,
                    visits=args.visits,
                )
            finally:
                cluster.close()


if __name__ == "__main__":
    main()
