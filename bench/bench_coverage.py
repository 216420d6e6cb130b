"""Coverage page benchmark: the page's server-side work and its map's size.

Two cities:

* the 330,000-household synthetic city of ``bench_foundation.synthetic_city`` (33 stations,
  284 beats over 20 x 20 km) with a synthetic campaign: 74 % visited, one in six first found
  nobody home, 5 % of homes with a camera, a year of incidents (3 per 100 households), 1.5 %
  of visited homes surveyed. It has no OSM area, so its base map is empty: the figures are
  those of the coverage layers themselves.
* the demo city over the real Wudaokou extract (``../shared/osm/beijing-haidian-wudaokou.osm``),
  with its vector base map, when ``geo.network`` is available.

"Server-side work" is what the page does per set of filters: :func:`geo.coverage.coverage_view`
(status, progress at three levels, evenings, officer hours, surveys, H3 hexagons or points,
heat maps, before/after comparison, beat detail), building the Folium map
(:func:`layers.coverage_map.coverage_map`) and rendering its HTML. Reading the tables from the
store and locating incidents and cameras in beats are done once per data change (cached) and
timed apart.

Targets: 330k city <= 2 s and map HTML <= 5 MB; demo city <= 1 s.

Run: ``python bench/bench_coverage.py [--households N] [--skip-demo]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_foundation import UTM, synthetic_city, synthetic_visits  # noqa: E402

from geo import model  # noqa: E402
from geo.beats import assign_beats  # noqa: E402
from geo.coverage import coverage_view  # noqa: E402
from geo.filters import Filters, with_beat  # noqa: E402
from layers.coverage_map import coverage_map  # noqa: E402

WUDAOKOU = ROOT.parent / "shared" / "osm" / "beijing-haidian-wudaokou.osm"
FILTERS = Filters(start="2026-03-01", end="2026-06-30")
TARGET_DATE = "2026-06-30"


@dataclass
class EmptyArea:
    """An area with no OSM layers (the synthetic city has none): the base map is empty."""

    name: str
    bounds: tuple[float, float, float, float]
    crs: str = UTM
    buildings: gpd.GeoDataFrame = field(default_factory=lambda: _empty())
    water: gpd.GeoDataFrame = field(default_factory=lambda: _empty())
    landuse: gpd.GeoDataFrame = field(default_factory=lambda: _empty())

    def edges(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"u": [], "v": [], "highway": [], "name": []}, geometry=[], crs=self.crs
        )

    def to_wgs84(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return gdf.to_crs(model.WGS84)


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[], crs=UTM)


def synthetic_frames(n: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The synthetic city's eight tables (validated), with a campaign."""
    stations, beats, officers, hh_raw, rng = synthetic_city(n, seed=seed)
    stations = model.validate("stations", stations)
    beats = model.validate("beats", beats)
    officers = model.validate("officers", officers)
    pts = shapely.points(hh_raw[["经度", "纬度"]].to_numpy())
    hh = gpd.GeoDataFrame(
        {
            "id": np.arange(1, n + 1),
            "address": hh_raw["地址"].to_numpy(),
            "rental": (hh_raw["出租房"] == "是").to_numpy(),
            "residents": hh_raw["常住人数"].to_numpy(),
        },
        geometry=pts,
        crs=model.WGS84,
    )
    hh["beat_id"] = assign_beats(hh, beats).beat_id
    ids = hh["id"].to_numpy()
    beat_of = hh["beat_id"].fillna(1).to_numpy(dtype=np.int64)
    visits = synthetic_visits(ids, beat_of, rng)
    visits.insert(0, "id", np.arange(1, len(visits) + 1))
    own = rng.random(n) < np.where(hh["rental"], 0.11, 0.035)
    k = int(own.sum())
    cameras = gpd.GeoDataFrame(
        {
            "id": np.arange(1, k + 1),
            "kind": np.where(rng.random(k) < 0.8, "recorder_unit", "doorbell"),
            "installed_on": pd.Timestamp("2026-06-30")
            - pd.to_timedelta(rng.integers(0, 730, k), unit="D"),
            "household_id": ids[own],
            "status": "active",
        },
        geometry=hh.geometry.to_numpy()[own],
        crs=model.WGS84,
    )
    m = n * 3 // 100
    src = rng.integers(0, n, m)
    xy = shapely.get_coordinates(hh.geometry.to_numpy()[src]) + rng.normal(0, 2e-4, (m, 2))
    incidents = gpd.GeoDataFrame(
        {
            "id": np.arange(1, m + 1),
            "occurred_at": pd.Timestamp("2025-07-01")
            + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, m), unit="min"),
            "category": rng.choice(list(model.INCIDENT_CATEGORIES)[:5], m),
        },
        geometry=shapely.points(xy),
        crs=model.WGS84,
    )
    done = visits[visits["outcome"] == "visited"]
    s = done.sample(frac=0.015, random_state=seed)
    surveys = pd.DataFrame(
        {
            "id": np.arange(1, len(s) + 1),
            "household_id": s["household_id"].to_numpy(),
            "surveyed_on": (s["visited_at"].dt.normalize() + pd.Timedelta(days=7)).to_numpy(),
            "method": rng.choice(["on_site", "phone"], len(s), p=[1 / 3, 2 / 3]),
            "familiarity": rng.choice(
                ["knows_officer", "has_card", "never_met"], len(s), p=[0.63, 0.31, 0.06]
            ),
            "satisfied": rng.random(len(s)) < 0.995,
        }
    )
    return {
        "stations": stations,
        "beats": beats,
        "officers": officers,
        "households": hh,
        "visits": visits,
        "cameras": cameras,
        "incidents": incidents,
        "surveys": surveys,
    }


def page_work(frames, area, *, selected: int | None = None, hours=None, features=None):
    """One page run: figures, map, HTML.

    Returns (wall seconds, geo seconds, map seconds, html bytes, view, CPU seconds); the CPU
    time is what the run costs on a quiet machine when the wall time is inflated by load.
    """
    c0 = time.process_time()
    t0 = time.perf_counter()
    view = coverage_view(
        frames, FILTERS, target_date=TARGET_DATE, selected_beat=selected, incident_hours=hours
    )
    t1 = time.perf_counter()
    m = coverage_map(view, area, selected=selected, features=features)
    html = m.get_root().render()
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    return t2 - t0, t1 - t0, t2 - t1, len(html.encode("utf-8")), view, cpu


def report(title: str, frames, area, *, features=None, target: float) -> None:
    t0 = time.perf_counter()
    for name in ("incidents", "cameras"):
        frames[name] = with_beat(frames[name], frames["beats"])
    t_locate = time.perf_counter() - t0
    page_work(frames, area, features=features)  # warm-up (imports, first h3 calls)
    print(f"\n== {title}")
    print(
        f"households {len(frames['households']):,}; beats {len(frames['beats'])}; "
        f"visits {len(frames['visits']):,}; incidents {len(frames['incidents']):,}; "
        f"cameras {len(frames['cameras']):,}"
    )
    print(f"locate incidents + cameras in beats (once per data change)  {t_locate:6.2f} s")
    beat = int(frames["beats"]["id"].iloc[len(frames["beats"]) // 2])
    for label, kw in (
        ("whole city", {}),
        ("beat selected", {"selected": beat}),
        ("night incidents 20-02", {"hours": (20, 2)}),
    ):
        runs = [page_work(frames, area, features=features, **kw) for _ in range(3)]
        total, geo_s, map_s, size, view, cpu = min(runs, key=lambda r: r[0])
        ok = "ok" if total <= target and size <= 5e6 else "OVER"
        print(
            f"{label:<24} mode={view.mode:<6} total {total:5.2f} s (geo {geo_s:4.2f} + map "
            f"{map_s:4.2f}; cpu {cpu:4.2f})  html {size / 1e6:5.2f} MB  "
            f"[{ok}: <= {target:g} s, <= 5 MB]"
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=330_000)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    frames = synthetic_frames(args.households)
    print(f"built the synthetic city in {time.perf_counter() - t0:.1f} s")
    w, s, e, n = frames["beats"].total_bounds
    report(
        f"synthetic city ({args.households:,} households)",
        frames,
        EmptyArea("synthetic", (w, s, e, n)),
        target=2.0,
    )
    if not args.skip_demo:
        try:
            from geo.network import load_area
        except ImportError:
            print("\n== demo city: geo.network not available, skipped")
        else:
            from geo.demo import build_demo
            from layers import base_features

            area = load_area(WUDAOKOU)
            city = build_demo(area, seed=7)
            feats = base_features(area)
            report(
                f"demo city over {WUDAOKOU.name}",
                dict(city.frames),
                area,
                features=feats,
                target=1.0,
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
