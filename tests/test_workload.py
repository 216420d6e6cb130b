"""Officer time: service, walking between visits of one evening, meetings, weekly target."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import workload as W
from geo._errors import InputError
from geo.netdist import NetworkIndex

UTM = "EPSG:32650"
X0, Y0 = 448000.0, 4420000.0  # Beijing, UTM 50N


def households() -> gpd.GeoDataFrame:
    pts = shapely.points([[X0, Y0], [X0 + 300, Y0], [X0 + 300, Y0 + 400]])
    return gpd.GeoDataFrame({"id": [1, 2, 3]}, geometry=pts, crs=UTM).to_crs(4326)


def visits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": [1, 2, 1, 2, 3],
            "officer_id": [7, 7, 7, 7, 8],
            "visited_at": pd.to_datetime(
                [
                    "2026-04-06 16:00",  # Monday
                    "2026-04-06 16:30",  # 300 m later, 20 min to spare
                    "2026-04-07 17:00",
                    "2026-04-07 17:12",  # only 2 min to spare after the visit
                    "2026-04-20 18:00",
                ]
            ),
            "outcome": ["visited", "not_home", "visited", "visited", "visited"],
        }
    )


OFFICERS = pd.DataFrame(
    {
        "id": [7, 8],
        "name": ["王建国", "李明"],
        "beat_id": [1, 2],
        "role": ["community_officer", "community_officer"],
    }
)


def test_service_and_capped_walking_per_evening() -> None:
    ev = W.evenings(visits(), households(), crs=UTM)
    ev = ev.set_index(["officer_id", "day"])
    first = ev.loc[(7, pd.Timestamp("2026-04-06"))]
    assert first["visits"] == 2 and first["service_min"] == 20
    # 300 m straight x 1.3 at 4.5 km/h (75 m/min)
    assert first["walk_min"] == pytest.approx(300 * 1.3 / 75, rel=1e-3)
    second = ev.loc[(7, pd.Timestamp("2026-04-07"))]
    assert second["walk_min"] == pytest.approx(2.0, abs=1e-6)  # capped by the time that passed
    assert ev.loc[(8, pd.Timestamp("2026-04-20")), "walk_min"] == 0


def test_network_distance_is_used_when_given() -> None:
    g = nx.MultiDiGraph(crs=UTM)
    corners = [(X0, Y0 - 5), (X0, Y0 - 100), (X0 + 300, Y0 - 100), (X0 + 300, Y0 - 5)]
    for i, (x, y) in enumerate(corners):
        g.add_node(i, x=x, y=y)
    for i in range(3):
        (x1, y1), (x2, y2) = corners[i], corners[i + 1]
        length = float(np.hypot(x2 - x1, y2 - y1))
        geom = shapely.LineString([corners[i], corners[i + 1]])
        g.add_edge(i, i + 1, length=length, geometry=geom)
        g.add_edge(i + 1, i, length=length, geometry=shapely.LineString(geom.coords[::-1]))
    index = NetworkIndex.from_graph(g)
    ev = W.evenings(visits(), households(), crs=UTM, index=index)
    first = ev[(ev["officer_id"] == 7) & (ev["day"] == "2026-04-06")].iloc[0]
    # down 95 m, along 300 m, up 95 m: 490 m at 75 m/min
    assert first["walk_min"] == pytest.approx(490 / 75, rel=0.02)


def test_weekly_hours_meetings_and_target() -> None:
    beats = pd.DataFrame({"id": [1, 2], "office_lon": [np.nan] * 2, "office_lat": [np.nan] * 2})
    ev = W.evenings(visits(), households(), crs=UTM, beats=beats, officers=OFFICERS)
    med = pd.DataFrame(
        {
            "beat_id": [1, 1],
            "held_on": pd.to_datetime(["2026-04-08", "2026-04-09"]),
            "meeting": ["on_site", "office"],
            "id": [1, 2],
        }
    )
    meet = W.meetings(med, OFFICERS)
    assert meet["meeting_min"].tolist() == [60.0]  # the office hearing is not community time
    weekly = W.weekly_hours(ev, meet)
    wk = weekly[weekly["officer_id"] == 7].set_index("week")
    row = wk.loc[pd.Timestamp("2026-04-06")]
    assert row["visits"] == 4 and row["evenings"] == 2
    expected = (40 + 300 * 1.3 / 75 + 2.0 + 60) / 60
    assert row["hours"] == pytest.approx(expected, rel=1e-3)
    table = W.against_target(weekly, OFFICERS, target=36.0, until="2026-04-26", recent_weeks=4)
    one = table.set_index("officer_id").loc[7]
    # weeks of 6, 13, 20 and 26 April: hours only in the first
    assert one["recent"] == pytest.approx(round(expected / 3, 1))  # from the first visit week
    assert one["of_target"] == pytest.approx(one["recent"] / 36.0, rel=0.05)
    assert one["trend"] < 0
    labelled = W.target_table(table, "en")
    assert {"officer", "weekly target (h)", "of target (%)", "trend (h/week)"} <= set(
        labelled.columns
    )


def test_office_legs_count() -> None:
    office = gpd.GeoSeries(shapely.points([[X0 - 150, Y0]]), crs=UTM).to_crs(4326)
    beats = pd.DataFrame({"id": [1], "office_lon": office.x, "office_lat": office.y})
    plain = W.evenings(visits(), households(), crs=UTM)
    legs = W.evenings(visits(), households(), crs=UTM, beats=beats, officers=OFFICERS)
    extra = legs["walk_min"].sum() - plain["walk_min"].sum()
    # officer 7, two evenings: office -> A (150 m) and B -> office (450 m), straight x 1.3
    assert extra == pytest.approx(2 * (150 + 450) * 1.3 / 75, rel=1e-3)


def test_errors_name_the_problem() -> None:
    bad = visits()
    bad.loc[0, "household_id"] = 99
    with pytest.raises(InputError, match="99"):
        W.evenings(bad, households(), crs=UTM)
    with pytest.raises(InputError, match="speed"):
        W.evenings(visits(), households(), crs=UTM, speed_kmh=0)
    with pytest.raises(InputError, match="target"):
        W.against_target(W.weekly_hours(W.evenings(visits(), households())), OFFICERS, target=0)
