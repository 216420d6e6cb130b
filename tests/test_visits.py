"""The one visit write path: ids from the database, idempotent request ids, clear refusals."""

from __future__ import annotations

import pytest

from geo._errors import InputError, NotFoundError
from geo.evening import record_visit as from_evening
from geo.store import Store
from geo.visits import record_visit
from tests._city import small_city

WHEN = "2026-04-01 18:30"


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    small_city(s, households=20, officers=2)
    yield s
    s.close()


def test_same_request_id_writes_one_row(store):
    first = record_visit(
        store, household_id=1, officer_id=1, outcome="visited", visited_at=WHEN, request_id="a-1"
    )
    again = record_visit(
        store, household_id=1, officer_id=1, outcome="visited", visited_at=WHEN, request_id="a-1"
    )
    other = record_visit(
        store, household_id=2, officer_id=1, outcome="not_home", visited_at=WHEN, request_id="a-2"
    )
    assert again == first and other != first
    assert store.count("visits") == 2


def test_without_request_id_every_call_writes(store):
    a = record_visit(store, household_id=3, officer_id=2, outcome="visited", visited_at=WHEN)
    b = record_visit(store, household_id=3, officer_id=2, outcome="visited", visited_at=WHEN)
    assert b == a + 1 and store.count("visits") == 2
    back = store.read("visits")
    assert back["outcome"].tolist() == ["visited", "visited"]


def test_refusals_write_nothing(store):
    with pytest.raises(InputError, match="not_home"):
        record_visit(store, household_id=1, officer_id=1, outcome="gone", visited_at=WHEN)
    with pytest.raises(NotFoundError, match="household 999"):
        record_visit(store, household_id=999, officer_id=1, outcome="visited", visited_at=WHEN)
    with pytest.raises(NotFoundError, match="officer 9"):
        record_visit(store, household_id=1, officer_id=9, outcome="visited", visited_at=WHEN)
    with pytest.raises(InputError, match="request_id"):
        record_visit(
            store, household_id=1, officer_id=1, outcome="visited", visited_at=WHEN, request_id=""
        )
    assert store.count("visits") == 0


def test_one_write_path():
    assert from_evening is record_visit
