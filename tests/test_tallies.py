"""Coverage figures from SQL agree with the pandas rule of geo.coverage, on both backends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import model
from geo.coverage import coverage_table, household_status
from geo.store import Store
from geo.tallies import STATUSES, daily_visits, officer_visits, status_counts
from tests._city import small_city


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    small_city(s, households=300, officers=4)
    rng = np.random.default_rng(11)
    n = 500
    visits = model.validate(
        "visits",
        pd.DataFrame(
            {
                "household_id": rng.integers(1, 260, n),  # households 260-300 never called on
                "officer_id": rng.integers(1, 5, n),
                "visited_at": pd.Timestamp("2026-04-01 16:00")
                + pd.to_timedelta(rng.integers(0, 10, n), unit="D")
                + pd.to_timedelta(rng.integers(0, 4 * 3600, n), unit="s"),
                "outcome": rng.choice(["visited", "not_home", "refused", "moved_away"], n),
            }
        ),
    )
    s.write("visits", visits)
    yield s
    s.close()


def _expected(store, *, start=None, end=None):
    hh = store.read("households", columns=["beat_id"])
    visits = store.read("visits")
    if end is not None:
        visits = visits[visits["visited_at"] < pd.Timestamp(end)]
    return household_status(hh, visits, start=start)


@pytest.mark.parametrize("window", [(None, None), ("2026-04-03", "2026-04-07")])
def test_beat_and_station_counts_match_the_rule(store, window):
    start, end = window
    status = _expected(store, start=start, end=end)
    beats = store.read("beats", columns=["name", "station_id"])
    want = coverage_table(status, by="beat", beats=beats).set_index("beat_id")
    got = status_counts(store, by="beat", start=start, end=end).set_index("beat_id")
    for c in ("households", *STATUSES):
        assert got[c].to_dict() == want.loc[got.index, c].to_dict(), c
    assert np.allclose(got["coverage"], want.loc[got.index, "coverage"])
    city = status_counts(store, by="city", start=start, end=end).iloc[0]
    assert city["households"] == 300 and city["visited"] == (status["status"] == "visited").sum()
    station = status_counts(store, by="station", start=start, end=end)
    assert station["station_id"].tolist() == [1] and station["households"].item() == 300


def test_one_beat_and_officers(store):
    status = _expected(store)
    one = status_counts(store, beat_ids=[2])
    assert one["beat_id"].tolist() == [2]
    assert one["households"].item() == (status["beat_id"] == 2).sum()
    officers = status_counts(store, by="officer")
    beats = store.read("beats", columns=["name", "station_id"])
    cops = store.read("officers")
    want = coverage_table(status, by="officer", beats=beats, officers=cops).set_index("officer_id")
    got = officers.set_index("officer_id")
    assert (
        got["visited_by_officer"].to_dict() == want.loc[got.index, "visited_by_officer"].to_dict()
    )
    assert got["visited"].to_dict() == want.loc[got.index, "visited"].to_dict()


def test_daily_and_officer_visits(store):
    visits = store.read("visits")
    days = daily_visits(store)
    assert days["attempts"].sum() == len(visits)
    want = visits.groupby(visits["visited_at"].dt.normalize()).size()
    assert days.set_index("day")["attempts"].to_dict() == want.to_dict()
    per = officer_visits(store, beat_ids=[1])
    hh1 = store.read("households", beat_ids=[1])["id"]
    sub = visits[visits["household_id"].isin(hh1)]
    assert (
        per.set_index("officer_id")["attempts"].to_dict()
        == sub.groupby("officer_id").size().to_dict()
    )
    assert (per["households"] <= per["attempts"]).all()


def test_scope_limits_the_counts(store):
    from geo.auth.scope import Scope

    officer = Scope(username="w", role="officer", beat_ids=(1,))
    got = status_counts(store, scope=officer)
    assert got["beat_id"].tolist() == [1]


def test_status_table_follows_every_write(store):
    from geo.visits import record_visit, undo_visit

    def both():
        kept = status_counts(store, by="beat").set_index("beat_id")
        fresh = status_counts(store, by="beat", start="2000-01-01", end="2100-01-01")
        return kept, fresh.set_index("beat_id")

    vid = record_visit(
        store, household_id=290, officer_id=1, outcome="visited", visited_at="2026-04-20 17:00"
    )
    kept, fresh = both()
    pd.testing.assert_frame_equal(kept, fresh.loc[kept.index])
    undo_visit(store, vid, officer_id=1, now="2026-04-20 17:01")
    store.update("households", np.array([1, 2, 3]), {"beat_id": 2})
    kept, fresh = both()
    pd.testing.assert_frame_equal(kept, fresh.loc[kept.index])
    assert kept.loc[2, "households"] == (store.read("households")["beat_id"] == 2).sum()


def test_household_states_match_the_rule(store):
    from geo.tallies import household_states

    want = _expected(store).set_index("id")
    got = household_states(store).set_index("id")
    assert got.index.tolist() == want.index.tolist()
    assert got["status"].tolist() == want["status"].tolist()
    assert got["attempts"].tolist() == want["attempts"].tolist()
    assert got["visited_by"].astype("Int64").equals(want["visited_by"].astype("Int64"))
    same_time = (got["visited_at"] == want["visited_at"]) | (
        got["visited_at"].isna() & want["visited_at"].isna()
    )
    assert same_time.all()
    assert household_states(store, beat_ids=[1])["beat_id"].eq(1).all()
