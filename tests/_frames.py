"""A small hand-made campaign: six households on two beats, their visits, beats, station, officers."""

from __future__ import annotations

import pandas as pd


def small_campaign() -> tuple[pd.DataFrame, ...]:
    """``(households, visits, beats, stations, officers)``, fresh frames on every call."""
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
