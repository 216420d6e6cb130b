"""Household status and coverage tables on a small hand-made campaign."""

from __future__ import annotations

import pandas as pd
import pytest

from geo._errors import InputError
from geo.coverage import coverage_table, household_status
from tests._frames import small_campaign


@pytest.fixture()
def city():
    return small_campaign()


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


# --------------------------------------------------------------------------------------------
# filters, progress, evenings, hours, surveys, map data, export


import numpy as np  # noqa: E402

from geo.coverage import (  # noqa: E402
    choose_view,
    coverage_trend,
    hex_resolution,
    hour_mask,
    incidents_by_hour,
    officer_hours,
    overall_progress,
    progress_table,
    survey_summary,
    visits_per_evening,
)


def test_progress_pace_and_projection():
    # 100 households in one beat; 40 visited, 14 of them in the last 14 days -> 1 per day
    households = pd.DataFrame({"id": range(1, 101), "beat_id": 1})
    days = list(pd.date_range("2026-03-01", periods=26, freq="D")) + list(
        pd.date_range("2026-04-01", periods=14, freq="D")
    )
    visits = pd.DataFrame(
        {
            "household_id": range(1, 41),
            "officer_id": 7,
            "visited_at": [d + pd.Timedelta(hours=17) for d in days],
            "outcome": "visited",
        }
    )
    beats = pd.DataFrame({"id": [1], "name": ["甲"], "station_id": [1]})
    officers = pd.DataFrame(
        {"id": [7], "name": ["王"], "beat_id": [1], "role": ["community_officer"]}
    )
    st_ = household_status(households, visits)
    tb = progress_table(
        st_, by="beat", beats=beats, target_date="2026-06-30", as_of="2026-04-14", window_days=14
    ).iloc[0]
    assert tb["recent"] == 14 and tb["pace"] == pytest.approx(1.0)
    assert tb["remaining"] == 60
    assert tb["projected_finish"] == pd.Timestamp("2026-06-13")
    assert tb["on_track"] and tb["late_days"] == -17
    assert tb["required_pace"] == pytest.approx(60 / 77)
    tb = progress_table(
        st_, by="beat", beats=beats, target_date="2026-05-31", target=0.5, as_of="2026-04-14"
    ).iloc[0]
    assert tb["target_households"] == 50 and tb["remaining"] == 10
    assert tb["projected_finish"] == pd.Timestamp("2026-04-24")
    slow = progress_table(
        st_, by="beat", beats=beats, target_date="2026-06-30", as_of="2026-05-30"
    ).iloc[0]
    assert slow["pace"] == 0 and pd.isna(slow["projected_finish"]) and not slow["on_track"]
    assert np.isinf(slow["late_days"])
    off = progress_table(
        st_,
        by="officer",
        beats=beats,
        officers=officers,
        target_date="2026-06-30",
        as_of="2026-04-14",
    ).iloc[0]
    assert off["own_pace"] == pytest.approx(1.0) and off["visited_by_officer"] == 40
    tot = overall_progress(st_, target_date="2026-06-30", as_of="2026-04-14")
    assert tot["households"] == 100 and tot["visited"] == 40 and tot["on_track"]
    with pytest.raises(InputError, match="target"):
        progress_table(st_, by="beat", beats=beats, target_date="2026-06-30", target=1.5)


def test_laggards_first(city):
    households, visits, beats, stations, officers = city
    st_ = household_status(households, visits)
    tb = progress_table(st_, by="beat", beats=beats, target_date="2026-06-30", as_of="2026-04-01")
    # beat 2: 1 of 3 visited and no pace -> never finishes -> first
    assert tb["beat_id"].tolist()[0] == 2


def test_evenings_hours_and_trend(city):
    households, visits, beats, stations, officers = city
    ev = visits_per_evening(visits, start="2026-03-01", end="2026-03-10")
    assert len(ev) == 10 and ev["total"].sum() == 5  # the 1 April visit is outside
    assert ev.loc["2026-03-03", "not_home"] == 1
    two = pd.DataFrame(
        {
            "officer_id": [1, 1, 1, 2],
            "visited_at": pd.to_datetime(
                ["2026-03-02 16:00", "2026-03-02 19:30", "2026-03-04 17:00", "2026-03-09 18:00"]
            ),
        }
    )
    hrs = officer_hours(two, service_minutes=10).set_index(["officer_id", "week"])
    assert hrs.loc[(1, "2026-W10"), "hours"] == pytest.approx(3.5 + 1 / 6 + 1 / 6)
    assert hrs.loc[(1, "2026-W10"), "evenings"] == 2
    assert hrs.loc[(2, "2026-W11"), "visits"] == 1
    trend = coverage_trend(
        household_status(households, visits), start="2026-03-01", end="2026-04-01"
    )
    assert trend["cumulative"].iloc[-1] == 3 and trend["coverage"].iloc[-1] == pytest.approx(0.5)


def test_survey_summary(city):
    households, visits, beats, stations, officers = city
    surveys = pd.DataFrame(
        {
            "household_id": [1, 2, 3, 4],
            "method": ["on_site", "phone", "phone", "phone"],
            "familiarity": ["knows_officer", "has_card", "knows_officer", "never_met"],
            "satisfied": pd.array([True, True, None, False], dtype="boolean"),
        }
    )
    by_beat = survey_summary(surveys, households, beats=beats).set_index("beat_id")
    assert by_beat.loc[1, "surveyed"] == 3 and by_beat.loc[1, "on_site"] == 1
    assert by_beat.loc[1, "knows_officer_share"] == pytest.approx(2 / 3)
    assert by_beat.loc[1, "satisfied_share"] == pytest.approx(1.0)  # of answers given
    assert by_beat.loc[2, "never_met_share"] == 1.0 and by_beat.loc[2, "satisfied_share"] == 0
    total = survey_summary(surveys, households, beats=beats, by="all").iloc[0]
    assert total["surveyed"] == 4 and total["phone"] == 3
    st_ = survey_summary(surveys, households, beats=beats, by="station", stations=stations)
    assert st_.loc[0, "name"] == "东四派出所"
    with pytest.raises(InputError, match="beat"):
        survey_summary(surveys, households, beats=beats, by="city")


def test_view_choice_and_hours():
    assert choose_view(5000) == "points" and choose_view(5001) == "hexes"
    assert hex_resolution((116.30, 39.95, 116.32, 39.97)) == 10  # ~4 km²
    assert hex_resolution((120.5, 31.4, 121.1, 31.9)) == 7  # county scale
    t = pd.Series(pd.to_datetime(["2026-04-01 21:00", "2026-04-01 12:00", "2026-04-02 01:30"]))
    assert hour_mask(t, (20, 2)).tolist() == [True, False, True]
    assert hour_mask(t, (12, 12)).tolist() == [False, True, False]
    with pytest.raises(InputError, match="hours"):
        hour_mask(t, (20, 25))
    inc = pd.DataFrame({"occurred_at": t, "category": ["noise", "theft", "noise"]})
    by_hour = incidents_by_hour(inc)
    assert by_hour.loc[21, "noise"] == 1 and by_hour.loc[1, "noise"] == 1
    assert by_hour.loc[12, "noise"] == 0 and by_hour.shape == (24, 7)
