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
