"""Night noise: incidents by street segment × hour, week over week, the one-page summary."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import noise as N
from geo._errors import InputError

UTM = "EPSG:32650"
X0, Y0 = 448000.0, 4420000.0


def street_grid() -> gpd.GeoDataFrame:
    """簋街 running east in two segments, 北新桥三条 crossing it, an unnamed alley."""
    lines = [
        ("a", "b", "簋街", [(X0, Y0), (X0 + 200, Y0)]),
        ("b", "c", "簋街", [(X0 + 200, Y0), (X0 + 400, Y0)]),
        ("b", "d", "北新桥三条", [(X0 + 200, Y0), (X0 + 200, Y0 + 200)]),
        ("d", "e", "", [(X0 + 200, Y0 + 200), (X0 + 400, Y0 + 200)]),
    ]
    return gpd.GeoDataFrame(
        {"u": [r[0] for r in lines], "v": [r[1] for r in lines], "name": [r[2] for r in lines]},
        geometry=[shapely.LineString(r[3]) for r in lines],
        crs=UTM,
    )


def incidents() -> gpd.GeoDataFrame:
    rows = [
        # east segment of 簋街, late evenings, before the meeting on Friday 2026-05-15
        (X0 + 300, Y0 + 10, "2026-05-04 22:10", "noise"),
        (X0 + 310, Y0 - 8, "2026-05-05 23:30", "noise"),
        (X0 + 320, Y0 + 5, "2026-05-07 00:40", "noise"),  # night of 6 May
        (X0 + 330, Y0 + 5, "2026-05-12 22:50", "dispute"),
        # since the meeting: one on 簋街 east, one in the alley
        (X0 + 300, Y0 + 10, "2026-05-20 21:15", "noise"),
        (X0 + 300, Y0 + 205, "2026-05-25 01:20", "noise"),
        # daytime, other categories and far away: not night noise
        (X0 + 100, Y0 + 5, "2026-05-06 14:00", "noise"),
        (X0 + 100, Y0 + 5, "2026-05-06 22:00", "theft"),
        (X0 + 100, Y0 + 500, "2026-05-06 22:00", "noise"),
    ]
    return gpd.GeoDataFrame(
        {
            "id": range(1, len(rows) + 1),
            "occurred_at": pd.to_datetime([r[2] for r in rows]),
            "category": [r[3] for r in rows],
        },
        geometry=shapely.points([(r[0], r[1]) for r in rows]),
        crs=UTM,
    ).to_crs(4326)


@pytest.fixture
def assigned():
    segs = N.segments(street_grid())
    return segs, N.assign(incidents(), segs)


def test_segments_are_named_by_street_and_crossing(assigned) -> None:
    segs, a = assigned
    labels = list(N.segment_labels(segs))
    assert labels[2] == "北新桥三条（近簋街）"
    assert labels[3] == "无名街巷（近北新桥三条）"
    # both 簋街 segments meet 北新桥三条: numbered so they stay apart
    assert labels[0] == "簋街（近北新桥三条） #0" and labels[1].endswith("#1")
    assert N.segment_labels(segs, "en")[3] == "unnamed alley (near 北新桥三条)"
    # theft and the incident 500 m away are left out
    assert len(a) == 7
    assert set(a["category"]) == {"noise", "dispute"}


def test_segment_by_hour_heat_table(assigned) -> None:
    _, a = assigned
    table = N.heat_table(a).set_index("路段")
    east = table.loc["簋街（近北新桥三条） #1"]
    assert east["22"] == 2 and east["23"] == 1 and east["00"] == 1 and east["21"] == 1
    assert east["夜间（20:00–02:00）"] == 5 and east["合计"] == 5
    west = table.loc["簋街（近北新桥三条） #0"]
    assert west["14"] == 1 and west["夜间（20:00–02:00）"] == 0
    assert table.index[0] == "簋街（近北新桥三条） #1"  # busiest night first
    # the night band sits together: 20, 21, 22, 23, 00, 01
    cols = list(table.columns)
    assert cols[cols.index("20") : cols.index("20") + 6] == ["20", "21", "22", "23", "00", "01"]


def test_week_over_week_and_after_midnight(assigned) -> None:
    _, a = assigned
    after_midnight = a[a["occurred_at"] == pd.Timestamp("2026-05-07 00:40")].iloc[0]
    assert after_midnight["night_of"] == pd.Timestamp("2026-05-06")
    weeks = N.weekly(a)
    assert weeks.loc["2026-05-04"] == 3 and weeks.loc["2026-05-11"] == 1
    # 01:20 on Monday 25 May belongs to Sunday night, in the week of 18 May
    assert weeks.loc["2026-05-18"] == 2 and len(weeks) == 3
    assert weeks.sum() == 6


def test_street_and_area_selection(assigned) -> None:
    segs, a = assigned
    assert len(N.select(a, segs, street="簋街")) == 6
    box = shapely.box(X0 + 250, Y0 - 50, X0 + 450, Y0 + 50)
    assert len(N.select(a, segs, area=box)) == 5
    with pytest.raises(InputError, match="no street named '鼓楼'.*簋街"):
        N.select(a, segs, street="鼓楼")


def test_meeting_summary_and_one_page(assigned) -> None:
    _, a = assigned
    s = N.meeting_summary(a, last_meeting="2026-05-15", end="2026-05-28")
    # 14 days since (2 weeks): 2 night incidents; 2 weeks before: 4
    assert s.weeks_after == 2 and s.weeks_before == 2
    assert s.after_per_week == 1.0 and s.before_per_week == 2.0
    assert s.change == pytest.approx(-0.5)
    top = s.segments.set_index("label").loc["簋街（近北新桥三条） #1"]
    assert top["before"] == 2.0 and top["after"] == 0.5
    assert s.hours.set_index("hour").loc[22, "before"] == 1.0
    page = N.summary_html(s, place="簋街")
    assert "簋街" in page and "-50%" in page and "@page" in page and "<script" not in page
    en = N.summary_html(N.meeting_summary(a, last_meeting="2026-05-15", lang="en"))
    assert "Night noise" in en
    with pytest.raises(InputError, match="before the meeting"):
        N.meeting_summary(a, last_meeting="2026-06-30", end="2026-06-01")
