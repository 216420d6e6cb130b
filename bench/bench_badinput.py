"""Bad-input guards benchmark: what the import checks cost on a city of 330,000 households.

Times :func:`geo.model.validate` of 330,000 households (text, phone and count checks) and of
330,000 visits (dates, ambiguity, free text), the masking of phone and ID numbers in 330,000
visit notes, and the per-row datum comparison of 330,000 points against 50,000 reference points.
Every random draw is seeded.

Run: ``python bench/bench_badinput.py [--rows N]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import shapely

from geo import coords, model


def _timed(label: str, fn) -> None:
    t = time.perf_counter()
    fn()
    print(f"{label:<52} {time.perf_counter() - t:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=330_000)
    n = parser.parse_args().rows
    rng = np.random.default_rng(0)
    lon = 116.40 + rng.random(n) * 0.1
    lat = 39.90 + rng.random(n) * 0.1
    households = pd.DataFrame(
        {
            "address": [f"北新桥三条{i}号" for i in range(n)],
            "residents": rng.integers(1, 6, n).astype(str),
            "contact_name": ["张某"] * n,
            "contact_phone": [f"139{i:08d}" for i in range(n)],
            "geometry": shapely.points(lon, lat),
        }
    )
    notes = np.where(rng.random(n) < 0.1, "户主电话13812345678，晚上再来", "晚上再来")
    visits = pd.DataFrame(
        {
            "household_id": np.arange(1, n + 1),
            "officer_id": 1,
            "visited_at": ["2026-04-01 18:30"] * n,
            "outcome": "visited",
            "notes": notes,
        }
    )
    print(f"{n:,} rows")
    _timed(
        "validate households (text, phones, counts)",
        lambda: model.validate("households", households),
    )
    _timed("validate visits (dates, free text)", lambda: model.validate("visits", visits))
    _timed("mask phone/ID numbers in visit notes", lambda: model.mask_personal(visits, "visits"))
    ref = np.column_stack([116.40 + rng.random(50_000) * 0.1, 39.90 + rng.random(50_000) * 0.1])
    _timed(
        "per-row datum comparison (50,000 reference points)",
        lambda: coords.disagreeing_rows(lon, lat, ref, "wgs84"),
    )


if __name__ == "__main__":
    main()
