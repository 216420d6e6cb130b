"""A small city written straight into a store: one station, two beats, officers, households."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo import model


def small_city(store, *, households: int = 400, officers: int = 8, seed: int = 3) -> None:
    """Write a station, two beats, ``officers`` officers and ``households`` households."""
    rng = np.random.default_rng(seed)
    frames = {
        "stations": model.validate(
            "stations",
            pd.DataFrame(
                {"id": [1], "name": ["东四派出所"], "geometry": [shapely.Point(116.41, 39.93)]}
            ),
        ),
        "beats": model.validate(
            "beats",
            pd.DataFrame(
                {
                    "id": [1, 2],
                    "name": ["府学社区", "东四社区"],
                    "station_id": [1, 1],
                    "geometry": [
                        shapely.box(116.40, 39.92, 116.41, 39.93),
                        shapely.box(116.41, 39.92, 116.42, 39.93),
                    ],
                }
            ),
        ),
        "officers": model.validate(
            "officers",
            pd.DataFrame(
                {
                    "id": np.arange(1, officers + 1),
                    "name": [f"民警{i}" for i in range(1, officers + 1)],
                    "station_id": 1,
                    "beat_id": [1 + i % 2 for i in range(officers)],
                    "role": "community_officer",
                }
            ),
        ),
    }
    lon = rng.uniform(116.40, 116.42, households)
    frames["households"] = model.validate(
        "households",
        pd.DataFrame(
            {
                "id": np.arange(1, households + 1),
                "address": [f"东四 {i} 号" for i in range(1, households + 1)],
                "beat_id": np.where(lon < 116.41, 1, 2),
                "residents": rng.integers(1, 5, households),
                "geometry": shapely.points(lon, rng.uniform(39.92, 39.93, households)),
            }
        ),
    )
    store.write_many(frames)


def visit_writer(url: str, worker: int, count: int, households: int, go, results) -> None:
    """One officer's phone: ``count`` visits through ``record_visit``, every 5th tap sent twice.

    Runs in its own process. Puts ``(worker, ids, resent_ok, errors, latencies)`` on
    ``results`` once done: ``ids`` the id returned per visit, ``resent_ok`` how many repeated
    taps returned the first write's id, ``errors`` the text of every failure.
    """
    import time

    from geo.store import Store
    from geo.visits import record_visit

    store = Store(url, migrate=False, create=False)
    rng = np.random.default_rng(1000 + worker)
    ids, errors, latencies, resent_ok = [], [], [], 0
    go.wait()
    for i in range(count):
        kw = {
            "household_id": int(rng.integers(1, households + 1)),
            "officer_id": 1 + worker % 8,
            "outcome": str(rng.choice(["visited", "not_home", "refused"])),
            "visited_at": pd.Timestamp("2026-04-01 16:00") + pd.Timedelta(minutes=i),
            "request_id": f"w{worker}-{i}",
        }
        t0 = time.perf_counter()
        try:
            vid = record_visit(store, **kw)
            latencies.append(time.perf_counter() - t0)
            ids.append(vid)
            if i % 5 == 0:
                resent_ok += int(record_visit(store, **kw) == vid)
        except Exception as exc:  # counted and reported by the caller
            errors.append(f"{type(exc).__name__}: {exc}")
    store.close()
    results.put((worker, ids, resent_ok, errors, latencies))


def run_writers(url: str, *, processes: int, count: int, households: int):
    """Start ``processes`` writers at the same moment; return their results and wall time."""
    import multiprocessing as mp
    import time

    ctx = mp.get_context("fork")
    go, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=visit_writer, args=(url, w, count, households, go, results))
        for w in range(processes)
    ]
    for p in procs:
        p.start()
    time.sleep(0.5)
    t0 = time.perf_counter()
    go.set()
    out = [results.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join(timeout=60)
    return sorted(out), wall


def kept_tables(store) -> tuple[dict, dict]:
    """The store's kept-up tables as sorted rows, now and after a full recount.

    The recount (``refresh_status`` over every household, which also recounts the cell and day
    tables) runs in a transaction that is rolled back, so the store is left as it was. Equal
    dicts mean every incremental update kept the tables right.
    """
    import sqlalchemy as sa

    from geo.store import BEAT_HOUSEHOLDS, CELL_STATUS, VISIT_DAYS, VISIT_STATUS, refresh_status

    tables = (VISIT_STATUS, CELL_STATUS, VISIT_DAYS, BEAT_HOUSEHOLDS)

    def rows(conn) -> dict:
        out = {}
        for t in tables:
            got = [tuple(r) for r in conn.execute(sa.select(t))]
            if t is CELL_STATUS:  # several rows of one key may hold its count between them
                summed: dict = {}
                for *key, n in got:
                    summed[tuple(key)] = summed.get(tuple(key), 0) + n
                got = [(*k, n) for k, n in summed.items()]
            out[t.name] = sorted(got, key=repr)
        return out

    with store.engine.connect() as conn:
        now = rows(conn)
        conn.rollback()
        with conn.begin() as trans:
            refresh_status(conn, None)
            again = rows(conn)
            trans.rollback()
    return now, again
