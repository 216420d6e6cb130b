"""Mediations: import good and bad, weekly meeting list, share settled, repeat disputes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import mediation
from geo._errors import ValidationError
from geo.io import export_table, import_file
from geo.model import WGS84, validate
from geo.store import Store

LON0, LAT0 = 116.41, 39.94


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path}/m.sqlite")
    box = shapely.box(LON0, LAT0, LON0 + 0.01, LAT0 + 0.01)
    frames = {
        "stations": pd.DataFrame(
            {"id": [1], "name": ["北新桥派出所"], "geometry": [shapely.Point(LON0, LAT0)]}
        ),
        "beats": pd.DataFrame(
            {"id": [1, 2], "name": ["民安社区", "九道湾社区"], "station_id": [1, 1]}
            | {"geometry": [box, shapely.box(LON0 + 0.01, LAT0, LON0 + 0.02, LAT0 + 0.01)]}
        ),
        "households": pd.DataFrame(
            {
                "id": [1, 2, 3, 4],
                "address": [f"北新桥三条{i}号" for i in range(1, 5)],
                "beat_id": [1, 1, 1, 2],
                "contact_name": ["王建国", "李明", "张伟", "赵丽"],
                "geometry": [shapely.Point(LON0 + 0.001 * i, LAT0 + 0.001) for i in range(1, 5)],
            }
        ),
    }
    import geopandas as gpd

    s.write_many(
        {
            k: validate(k, gpd.GeoDataFrame(v, geometry="geometry", crs=WGS84))
            for k, v in frames.items()
        }
    )
    yield s
    s.close()


def records() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "调解日期": ["2026-04-06", "2026-04-08", "2026-04-13", "2026-04-14", "2026-04-20"],
            "警务区编号": [1, 1, 1, 2, 1],
            "住户编号": [1, 2, 2, 4, 3],
            "对方住户编号": [2, 3, 1, None, None],
            "当事人": ["王建国、李明", "李明、张伟", "李明、王建国", "赵丽", "张伟"],
            "纠纷类型": ["漏水", "噪音", "water leak", "停车", "宠物"],
            "调解方式": ["现场邻里沟通会", "office", "on_site", "警务室调解", "on_site"],
            "调解结果": ["调解成功", "pending", "settled", "移交", "调解成功"],
            "跟进日期": ["2026-04-15", "2026-04-16", "", "", "2026-04-27"],
        }
    )


def test_import_good_file_and_export_masks_parties(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "调解.csv"
    records().to_csv(path, index=False, encoding="utf-8-sig")
    report = import_file(store, "mediations", path)
    assert report.rows_written == 5
    med = store.read("mediations")
    assert med["kind"].tolist() == ["water_leak", "noise", "water_leak", "parking", "pets"]
    assert med["meeting"].tolist() == ["on_site", "office", "on_site", "office", "on_site"]
    assert med["held_on"].iloc[0] == pd.Timestamp("2026-04-06")
    assert med["follow_up_on"].isna().tolist() == [False, False, True, True, False]
    out = export_table(store, "mediations", tmp_path / "out.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert "王建国" not in text and "王**" in text


def test_import_bad_file_lists_every_problem(store: Store, tmp_path: Path) -> None:
    bad = records()
    bad.loc[0, "纠纷类型"] = "打架"
    bad.loc[1, "调解结果"] = "不知道"
    bad.loc[3, "调解日期"] = ""
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValidationError) as exc:
        import_file(store, "mediations", path)
    text = str(exc.value)
    for needle in ("打架", "water_leak", "不知道", "settled", "row 4", "调解日期"):
        assert needle in text, needle
    # a beat or household that does not exist
    bad = records()
    bad.loc[2, "警务区编号"] = 99
    bad.loc[1, "对方住户编号"] = 77
    bad.to_csv(path, index=False)
    with pytest.raises(ValidationError) as exc:
        import_file(store, "mediations", path)
    assert "99" in str(exc.value) and "77" in str(exc.value)
    assert store.count("mediations") == 0


def _loaded(store: Store, tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "m.csv"
    records().to_csv(path, index=False)
    import_file(store, "mediations", path)
    return store.read("mediations")


def test_repeat_disputes_between_the_same_households(store: Store, tmp_path: Path) -> None:
    med = _loaded(store, tmp_path)
    flagged = mediation.flag_repeats(med)
    # 1-2 on 6 April and 2-1 on 13 April are the same pair, in either order
    assert flagged["pair"].tolist() == ["1-2", "2-3", "1-2", "4", "3"]
    assert flagged["repeat"].tolist() == [True, False, True, False, False]
    assert flagged["times"].tolist() == [1, 1, 2, 1, 1]


def test_share_settled_per_beat(store: Store, tmp_path: Path) -> None:
    med = _loaded(store, tmp_path)
    summary = mediation.beat_summary(med, store.read("beats"))
    assert summary.loc[1, "total"] == 4 and summary.loc[1, "settled"] == 3
    assert summary.loc[1, "settled_share"] == pytest.approx(0.75)
    assert summary.loc[1, "repeats"] == 1
    assert summary.loc[2, "referred"] == 1 and summary.loc[2, "settled_share"] == 0
    assert summary.loc[2, "name"] == "九道湾社区"
    labelled = mediation.summary_labels(summary, "en")
    assert "share settled (%)" in labelled.columns
    assert labelled["share settled (%)"].tolist() == [75.0, 0.0]


def test_weekly_meeting_list(store: Store, tmp_path: Path) -> None:
    med = _loaded(store, tmp_path)
    week = mediation.weekly_list(med, beat_id=1, week_of="2026-04-15")
    # heard that week: 13 April; follow-ups due that week: 6 April's and 8 April's
    assert week["调解日期"].tolist() == ["2026-04-06", "2026-04-08", "2026-04-13"]
    assert week["本周需跟进"].tolist() == ["是", "是", ""]
    assert week["第几次"].tolist() == [1, 1, 2]
    assert week["当事人"].tolist() == ["王**、李*", "李*、张*", "李*、王**"]
    full = mediation.weekly_list(
        med, beat_id=1, week_of="2026-04-13", show_personal=True, lang="en"
    )
    assert full["parties"].iloc[2] == "李明、王建国"
    assert full["kind"].iloc[2] == "water leak"
    assert mediation.weekly_list(med, beat_id=2, week_of="2026-05-01").empty


def test_demo_records_are_believable(xueyuanlu_osm: Path) -> None:
    from geo.demo import build_demo
    from geo.network import load_area

    city = build_demo(load_area(xueyuanlu_osm), seed=7)
    med = city.frames["mediations"]
    beats = city.frames["beats"]
    assert set(med["beat_id"]) == set(beats["id"])
    summary = mediation.beat_summary(med, beats)
    assert 0.6 < summary["settled"].sum() / summary["total"].sum() < 0.95
    assert summary["repeats"].sum() > 0
    hh = city.frames["households"].set_index("id")
    # the two parties share a building and the mediation's beat
    both = med.dropna(subset=["other_household_id"])
    a = hh.loc[both["household_id"].astype(int)]
    b = hh.loc[both["other_household_id"].astype(int)]
    assert (a["building"].to_numpy() == b["building"].to_numpy()).mean() > 0.95
    assert (a["beat_id"].to_numpy() == both["beat_id"].to_numpy()).all()
    # weekly meetings: most on-site meetings of a beat fall on one weekday
    site = med[med["meeting"] == "on_site"]
    top = site.groupby("beat_id")["held_on"].agg(lambda d: d.dt.day_of_week.value_counts().max())
    assert (top / site.groupby("beat_id").size()).min() == 1.0
    assert np.isin(
        med["kind"], ["water_leak", "noise", "pets", "parking", "boundary", "other"]
    ).all()
