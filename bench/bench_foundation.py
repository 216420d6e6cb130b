"""Foundation benchmark: a 330,000-household city (33 stations, 284 beats).

Times the import of households from CSV into a SQLite store (with point-in-polygon beat
assignment), beat assignment alone, and coverage aggregation by station, beat and officer; and
prints the peak memory of the process.

Targets on the 2-core machine: import plus assignment <= 10 s; aggregation <= 1 s; peak memory
<= 2 GiB.

Run: ``python bench/bench_foundation.py [--households N]``
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import model
from geo.beats import assign_beats
from geo.coverage import coverage_table, household_status
from geo.io import import_file
from geo.store import Store

UTM = "EPSG:32650"


def synthetic_city(n_households: int, *, n_stations: int = 33, n_beats: int = 284, seed: int = 1):
    """Stations, beats (Voronoi cells), officers, households and visits over 20 x 20 km."""
    rng = np.random.default_rng(seed)
    x0, y0, size = 440_000.0, 4_410_000.0, 20_000.0
    frame = shapely.box(x0, y0, x0 + size, y0 + size)
    seeds = shapely.points(rng.uniform([x0, y0], [x0 + size, y0 + size], (n_beats, 2)))
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame)
    cells = [c.intersection(frame) for c in shapely.get_parts(cells)]
    # order cells like the seeds
    tree = shapely.STRtree(cells)
    order = tree.query(seeds, predicate="within")[1]
    cells = [cells[i] for i in order]
    st_xy = rng.uniform([x0, y0], [x0 + size, y0 + size], (n_stations, 2))
    beat_xy = shapely.get_coordinates(seeds)
    beat_station = np.argmin(((beat_xy[:, None, :] - st_xy[None, :, :]) ** 2).sum(-1), axis=1)
    to_wgs = lambda geoms: gpd.GeoSeries(geoms, crs=UTM).to_crs(model.WGS84).values  # noqa: E731
    stations = pd.DataFrame(
        {
            "id": np.arange(1, n_stations + 1),
            "name": [f"第{i}派出所" for i in range(1, n_stations + 1)],
        }
    )
    stations["geometry"] = to_wgs(shapely.points(st_xy))
    beats = pd.DataFrame(
        {
            "id": np.arange(1, n_beats + 1),
            "name": [f"第{i}警务区" for i in range(1, n_beats + 1)],
            "station_id": beat_station + 1,
        }
    )
    beats["geometry"] = to_wgs(cells)
    officers = pd.DataFrame(
        {
            "id": np.arange(1, n_beats + 1),
            "name": [f"民警{i}" for i in range(1, n_beats + 1)],
            "station_id": beat_station + 1,
            "beat_id": np.arange(1, n_beats + 1),
            "role": "community_officer",
        }
    )
    n_build = n_households // 12
    bxy = rng.uniform([x0, y0], [x0 + size, y0 + size], (n_build, 2))
    which = rng.integers(0, n_build, n_households)
    hxy = bxy[which] + rng.normal(0, 8, (n_households, 2))
    hxy = np.clip(hxy, [x0 + 1, y0 + 1], [x0 + size - 1, y0 + size - 1])
    lonlat = shapely.get_coordinates(to_wgs(shapely.points(hxy)))
    households = pd.DataFrame(
        {
            "地址": [f"{b}号楼{i}室" for i, b in enumerate(which)],
            "经度": lonlat[:, 0].round(7),
            "纬度": lonlat[:, 1].round(7),
            "常住人数": rng.integers(1, 6, n_households),
            "出租房": np.where(rng.random(n_households) < 0.25, "是", "否"),
            "寄住人数": rng.poisson(0.4, n_households),
        }
    )
    return stations, beats, officers, households, rng


def synthetic_visits(ids: np.ndarray, officer_of: np.ndarray, rng) -> pd.DataFrame:
    """A campaign March-June, 16:00-20:00: 74 % visited, 16 % of them after a "not home"."""
    n = len(ids)
    visited = rng.random(n) < 0.74
    miss = visited & (rng.random(n) < 0.16)
    days = pd.Timestamp("2026-03-01") + pd.to_timedelta(rng.integers(0, 122, n), unit="D")
    when = days + pd.to_timedelta(rng.integers(16 * 60, 20 * 60, n), unit="min")
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "household_id": ids[visited],
                    "officer_id": officer_of[visited],
                    "visited_at": when[visited],
                    "outcome": "visited",
                }
            ),
            pd.DataFrame(
                {
                    "household_id": ids[miss],
                    "officer_id": officer_of[miss],
                    "visited_at": when[miss] - pd.Timedelta(days=5),
                    "outcome": "not_home",
                }
            ),
        ],
        ignore_index=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=330_000)
    args = parser.parse_args()
    n = args.households
    stations, beats, officers, households, rng = synthetic_city(n)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "households.csv"
        households.to_csv(csv, index=False, encoding="utf-8")
        store = Store(f"sqlite:///{tmp}/bench.sqlite")
        store.write_many(
            {
                "stations": model.validate("stations", stations),
                "beats": model.validate("beats", beats),
                "officers": model.validate("officers", officers),
            }
        )
        t0 = time.perf_counter()
        report = import_file(store, "households", csv, datum="wgs84")
        t_import = time.perf_counter() - t0

        hh = store.read("households", columns=["beat_id", "rental"])
        bt = store.read("beats")
        t0 = time.perf_counter()
        assign = assign_beats(hh, bt)
        t_assign = time.perf_counter() - t0

        visits = synthetic_visits(hh["id"].to_numpy(), hh["beat_id"].to_numpy(dtype=np.int64), rng)
        t0 = time.perf_counter()
        store.write("visits", model.validate("visits", visits))
        t_visits = time.perf_counter() - t0

        t0 = time.perf_counter()
        hh_read = store.read("households", columns=["beat_id", "rental"])
        v_read = store.read(
            "visits", columns=["household_id", "officer_id", "visited_at", "outcome"]
        )
        t_read = time.perf_counter() - t0

        off = store.read("officers")
        st = store.read("stations")
        t0 = time.perf_counter()
        status = household_status(hh_read, v_read)
        tables = {
            by: coverage_table(status, by=by, beats=bt, stations=st, officers=off)
            for by in ("station", "beat", "officer")
        }
        t_agg = time.perf_counter() - t0

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cov = tables["station"]["visited"].sum() / tables["station"]["households"].sum()
    print(f"households                      {n:>10,}")
    print(f"beats / stations                {len(beats):>6} / {len(stations)}")
    print(f"outside every beat              {len(report.outside_beats):>10,}")
    print(f"import CSV + assign + write     {report_seconds(t_import)}  (target <= 10 s)")
    print(f"beat assignment alone           {report_seconds(t_assign)}")
    print(f"write {len(visits):,} visits          {report_seconds(t_visits)}")
    print(f"read households + visits        {report_seconds(t_read)}")
    print(f"aggregation station/beat/officer {report_seconds(t_agg)} (target <= 1 s)")
    print(f"overall coverage                {cov:>10.1%}")
    print(f"assignment agrees with import   {bool((assign.beat_id == hh['beat_id']).all())}")
    print(f"peak memory                     {peak_mib:>8.0f} MiB (target <= 2048 MiB)")


def report_seconds(s: float) -> str:
    return f"{s:>8.2f} s"


if __name__ == "__main__":
    main()
