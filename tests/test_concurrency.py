"""Many officers at once: 8 processes x 200 visits through record_visit, on both backends.

Every visit is written exactly once (rows = visits sent), no writer fails, no id is handed out
twice, and a tap sent twice (every 5th) returns the first write's id without a second row.
The tables kept up to date by those writes (status, cells, days) equal a recount afterwards.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.store import SQL_TABLES, Store
from tests._city import kept_tables, run_writers, small_city

PROCESSES, VISITS = 8, 200


@pytest.mark.slow
def test_eight_writers_at_once(store_url):
    store = Store(store_url)
    small_city(store, households=400)
    store.close()  # the writers fork: no open connections to inherit
    results, _ = run_writers(store_url, processes=PROCESSES, count=VISITS, households=400)
    errors = [e for r in results for e in r[3]]
    assert errors == []
    ids = [i for r in results for i in r[1]]
    assert len(ids) == PROCESSES * VISITS
    assert len(set(ids)) == len(ids), "an id was handed out twice"
    assert sum(r[2] for r in results) == PROCESSES * len(range(0, VISITS, 5))
    store = Store(store_url, create=False)
    visits = SQL_TABLES["visits"]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(visits)).scalar_one()
        distinct = conn.execute(
            sa.select(sa.func.count(sa.distinct(visits.c.request_id)))
        ).scalar_one()
        written = set(conn.execute(sa.select(visits.c.id)).scalars())
    assert rows == PROCESSES * VISITS == distinct
    assert written == set(ids)
    # the status, cell and day tables the Coverage page reads equal a recount from the visits
    now, recount = kept_tables(store)
    assert sum(len(v) for v in now.values()) > 0
    assert now == recount
    store.close()


def _watch(url: str, stop, out) -> None:
    """A chief's Coverage page, recomputed from the store again and again (own process)."""
    from geo import coverage_store
    from geo.filters import Filters

    store = Store(url, migrate=False, create=False)
    inputs = coverage_store.coverage_inputs(store)
    seen, errors = [], []
    while not stop.is_set():
        try:
            view = coverage_store.coverage_view(
                store, Filters(), inputs=inputs, target_date="2026-06-30"
            )
            seen.append(int(view.totals["visited"]))
        except Exception as exc:  # reported to the test
            errors.append(f"{type(exc).__name__}: {exc}")
    store.close()
    out.put((seen, errors))


@pytest.mark.slow
def test_coverage_views_while_writers_write(store_url):
    """A Coverage page recomputed while 4 officers record visits: no error, the visited count
    never goes down, and the last view equals the one computed from the whole tables."""
    import multiprocessing as mp

    from geo import coverage, coverage_store
    from geo.filters import Filters, with_beat
    from geo.model import TABLE_ORDER

    store = Store(store_url)
    small_city(store, households=400)
    store.close()
    ctx = mp.get_context("fork")
    stop, out = ctx.Event(), ctx.Queue()
    watcher = ctx.Process(target=_watch, args=(store_url, stop, out))
    watcher.start()
    try:
        results, _ = run_writers(store_url, processes=4, count=60, households=400)
    finally:
        stop.set()
    seen, errors = out.get(timeout=120)
    watcher.join(timeout=60)
    assert errors == []
    assert [e for r in results for e in r[3]] == []
    assert len(seen) >= 2 and seen == sorted(seen), seen
    store = Store(store_url, create=False)
    frames = {name: store.read(name) for name in TABLE_ORDER}
    for name in ("incidents", "cameras"):
        frames[name] = with_beat(frames[name], frames["beats"])
    want = coverage.coverage_view(frames, Filters(), target_date="2026-06-30").totals
    got = coverage_store.coverage_view(
        store,
        Filters(),
        inputs=coverage_store.coverage_inputs(store),
        target_date="2026-06-30",
    ).totals
    assert got == want
    store.close()
