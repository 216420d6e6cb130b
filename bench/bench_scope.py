"""Accounts benchmark: login round trip, and what scoping adds to the Coverage page.

Login: the server's work for one login with the form (argon2id check, session row, audit rows)
and for the session check every rerun makes; with ``--browser``, the round trip in headless
Chromium from pressing 登录 to the logged-in page of a running app.

Scoping: the 330,000-household synthetic city of ``bench_coverage`` (33 stations, 284 beats) in
a SQLite store. The Coverage page's server work (read the tables, locate incidents and cameras
in beats, :func:`geo.coverage.coverage_view`, the Folium map and its HTML) is timed

* for the whole city, unscoped (``Store.read``) and through a city-wide chief's
  :class:`geo.auth.Scope` (``Scope.for_user`` + ``Scope.read``): the overhead of scoping;
* for one station: the unscoped reads narrowed by the sidebar's station filter, against the
  station chief's scoped reads (the store filters in SQL, so the page handles less data).

Target: scoping adds under 10 % to the page.

Run: ``python bench/bench_scope.py [--households N] [--browser]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_coverage import TARGET_DATE, EmptyArea, synthetic_frames  # noqa: E402

from geo.auth import Scope, sessions, users  # noqa: E402
from geo.coverage import coverage_view  # noqa: E402
from geo.filters import Filters, with_beat  # noqa: E402
from geo.model import TABLE_ORDER  # noqa: E402
from geo.store import Store  # noqa: E402
from layers.coverage_map import coverage_map  # noqa: E402

PASSWORD = "Scope-Pass-2026"
FILTERS = dict(start="2026-03-01", end="2026-06-30")


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def login_figures(store: Store) -> None:
    users.create_user(store, username="bench", role="chief", password=PASSWORD, actor="os:bench",
                      must_change=False)  # fmt: skip
    users.authenticate(store, "bench", PASSWORD)  # warm-up

    def login():
        result = users.authenticate(store, "bench", PASSWORD, client="bench")
        return sessions.start_session(store, result.user, client="bench")

    t_login = best(login, 5)
    token = login()
    t_check = best(lambda: sessions.check_session(store, token, idle_minutes=30), 20)
    t_wrong = best(lambda: users.authenticate(store, "bench", "Wrong-Pass-1"), 3)
    print(f"login (argon2id check + session + audit)    {t_login * 1000:7.1f} ms")
    print(f"wrong password (check + count + audit)      {t_wrong * 1000:7.1f} ms")
    print(f"session check on every rerun                {t_check * 1000:7.2f} ms")


def page(frames, area, filters: Filters) -> None:
    view = coverage_view(frames, filters, target_date=TARGET_DATE)
    coverage_map(view, area).get_root().render()


def read_all(store: Store, scope: Scope | None) -> dict:
    if scope is None:
        frames = {n: store.read(n) for n in TABLE_ORDER}
    else:
        frames = {n: scope.read(store, n) for n in TABLE_ORDER}
    for name in ("incidents", "cameras"):
        frames[name] = with_beat(frames[name], frames["beats"])
    return frames


def scope_figures(store: Store, area) -> None:
    beats = store.read("beats", columns=["station_id"])
    station = int(beats["station_id"].value_counts().index[0])
    city_chief = users.create_user(store, username="chief-city", role="chief", password=PASSWORD,
                                   actor="os:bench", must_change=False)  # fmt: skip
    station_chief = users.create_user(store, username="chief-st", role="chief", password=PASSWORD,
                                      actor="os:bench", station_id=station,
                                      must_change=False)  # fmt: skip
    everything = Filters(**FILTERS)
    one_station = Filters(**FILTERS, stations=(station,))

    def unscoped(filters):
        return lambda: page(read_all(store, None), area, filters)

    def scoped(user, filters):
        return lambda: page(read_all(store, Scope.for_user(user, store)), area, filters)

    rows = [
        ("whole city, unscoped", unscoped(everything)),
        ("whole city, city chief's scope", scoped(city_chief, everything)),
        ("one station, unscoped + filter", unscoped(one_station)),
        ("one station, station chief's scope", scoped(station_chief, everything)),
    ]
    scoped(city_chief, everything)()  # warm-up
    # interleaved, so a busy machine slows every variant alike; best of 3 each
    runs: dict[str, list[float]] = {label: [] for label, _ in rows}
    for _ in range(3):
        for label, fn in rows:
            runs[label].append(best(fn, 1))
    times = {label: min(ts) for label, ts in runs.items()}
    t_scope = best(lambda: Scope.for_user(station_chief, store), 5)
    n_station = int((beats["station_id"] == station).sum())
    print(f"\nCoverage page server work (read + locate + figures + map), best of 3; "
          f"station {station} has {n_station} beats")  # fmt: skip
    for label, _ in rows:
        print(f"{label:<40} {times[label]:6.2f} s")
    city = times["whole city, city chief's scope"] / times["whole city, unscoped"] - 1
    station_pct = (
        times["one station, station chief's scope"] / times["one station, unscoped + filter"] - 1
    )
    print(f"Scope.for_user (once per login)          {t_scope * 1000:6.1f} ms")
    for label, extra in (("city", city), ("station", station_pct)):
        ok = "ok" if extra < 0.10 else "OVER"
        print(f"scoping adds ({label}): {extra * 100:+5.1f} %  [{ok}: < 10 %]")


def browser_round_trip() -> None:
    from playwright.sync_api import sync_playwright

    from tests.apprunner import run_app
    from tests.browser import launch_offline
    from tests.conftest import DATA, make_account

    with tempfile.TemporaryDirectory(prefix="bench-login-") as tmp:
        data = Path(tmp) / "data"
        make_account(data, "bench", "chief")
        env = {"BEATMAP_DATA_DIR": str(data), "BEATMAP_OSM_FILE": str(DATA / "alleys_estate.osm"),
               "BEATMAP_ONLINE": "no", "BEATMAP_TILES": "none", "BEATMAP_LANGUAGE": "zh"}  # fmt: skip
        with run_app(env, log_dir=tmp) as app, sync_playwright() as p:
            context, _ = launch_offline(
                p, Path(tmp) / "chr", viewport={"width": 1200, "height": 800}
            )
            page_ = context.new_page()
            times = []
            for _ in range(3):
                page_.goto(app.url + "/", wait_until="domcontentloaded")
                # the first start builds the demo city before the form shows
                page_.get_by_label("用户名").wait_for(timeout=600_000)
                page_.get_by_label("用户名").fill("bench")
                page_.get_by_label("密码", exact=True).fill("Test-Pass-2026")
                t0 = time.perf_counter()
                page_.get_by_role("button", name="登录").click()
                page_.get_by_text("退出登录").wait_for(timeout=120_000)
                times.append(time.perf_counter() - t0)
                page_.get_by_role("button", name="退出登录").click()
                page_.get_by_label("用户名").wait_for(timeout=60_000)
                page_.wait_for_timeout(2000)  # let the cookie-clearing script finish
            context.close()
    print(f"browser round trip, 登录 to logged-in page   {min(times) * 1000:7.0f} ms "
          f"(best of 3; median {sorted(times)[1] * 1000:.0f} ms)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=330_000)
    parser.add_argument("--browser", action="store_true", help="also time a Chromium login")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scope-") as tmp:
        store = Store(f"sqlite:///{tmp}/city.sqlite")
        print("== login")
        login_figures(store)
        if args.browser:
            browser_round_trip()
        t0 = time.perf_counter()
        frames = synthetic_frames(args.households)
        store.write_many(frames, mode="replace")
        print(f"\n== scoping: synthetic city of {args.households:,} households "
              f"(built and stored in {time.perf_counter() - t0:.0f} s)")  # fmt: skip
        w, s, e, n = frames["beats"].total_bounds
        scope_figures(store, EmptyArea("synthetic", (w, s, e, n)))


if __name__ == "__main__":
    main()
