"""Household status and coverage tables on a small hand-made campaign."""

from __future__ import annotations

import pandas as pd
import pytest

from geo._errors import InputError
from geo.coverage import coverage_table, household_status


@pytest.fixture()
def city():
    households = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6], "beat_id": [1, 1, 1, 2, 2, 2]})
    visits = pd.DataFrame(
        {
            "household_id": [1, 2, 2, 3, 4, 4],
            "officer_id": [10, 10, 10, 10, 20, 21],
            "visited_at": pd.to_datetime(
                [
                    "2026-03-02 16:10",
                    "2026-03-03 17:00",
                    "2026-03-09 19:00",
                    "2026-03-05 18:00",
                    "2026-04-01 16:30",
                    "2026-03-01 18:00",
                ]
            ),
            "outcome": ["visited", "not_home", "visited", "refused", "not_home", "visited"],
        }
    )
    beats = pd.DataFrame({"id": [1, 2], "name": ["甲", "乙"], "station_id": [1, 1]})
    stations = pd.DataFrame({"id": [1], "name": ["东四派出所"]})
    officers = pd.DataFrame(
        {
            "id": [10, 20, 21],
            "name": ["王", "李", "赵"],
            "beat_id": [1, 2, 2],
            "role": ["community_officer", "community_officer", "volunteer"],
        }
    )
    return households, visits, beats, stations, officers


def test_status_rules(city):
    households, visits, *_ = city
    st = household_status(households, visits).set_index("id")
    # visited once is visited, even if a later attempt found nobody
    assert st["status"].to_dict() == {
        1: "visited",
        2: "visited",
        3: "refused",
        4: "visited",
        5: "unvisited",
        6: "unvisited",
    }
    assert st.loc[2, "attempts"] == 2
    assert st.loc[4, "last_outcome"] == "not_home"
    assert st.loc[2, "visited_at"] == pd.Timestamp("2026-03-09 19:00")


def test_date_window(city):
    households, visits, *_ = city
    st = household_status(households, visits, start="2026-03-02", end="2026-03-03")
    st = st.set_index("id")
    assert st.loc[1, "status"] == "visited"
    assert st.loc[2, "status"] == "not_home"  # the successful visit was after the window
    assert st.loc[4, "status"] == "unvisited"


def test_coverage_levels(city):
    households, visits, beats, stations, officers = city
    st = household_status(households, visits)
    by_beat = coverage_table(st, by="beat", beats=beats).set_index("beat_id")
    assert by_beat.loc[1, "coverage"] == pytest.approx(2 / 3)
    assert by_beat.loc[2, "coverage"] == pytest.approx(1 / 3)
    assert by_beat.index[0] == 2  # laggard first
    by_station = coverage_table(st, by="station", beats=beats, stations=stations)
    assert by_station.loc[0, "households"] == 6 and by_station.loc[0, "visited"] == 3
    assert by_station.loc[0, "name"] == "东四派出所"
    by_officer = coverage_table(st, by="officer", beats=beats, officers=officers)
    by_officer = by_officer.set_index("officer_id")
    assert set(by_officer.index) == {10, 20}  # community officers only
    assert by_officer.loc[10, "visited_by_officer"] == 2
    assert by_officer.loc[20, "visited_by_officer"] == 0  # household 4 was visited by 21


def test_bad_level(city):
    households, visits, beats, *_ = city
    with pytest.raises(InputError, match="station"):
        coverage_table(household_status(households, visits), by="city", beats=beats)
