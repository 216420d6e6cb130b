"""Import preview: every step of an import but the write, and the problems as a CSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo import coords
from geo._errors import Problem, ValidationError
from geo.preview import preview_import, problems_csv, problems_frame
from geo.store import Store
from tests._city import small_city


@pytest.fixture()
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'preview.sqlite'}")
    small_city(s, households=40)
    yield s
    s.close()


def _write_households(path) -> None:
    rows = [
        ("新街 1 号", 116.405, 39.925, "张三"),
        ("新街 2 号", 116.415, 39.925, "李四"),
        ("东四 1 号", None, None, ""),
        ("郊外 9 号", 116.300, 39.800, "王五"),
    ]
    lines = ["地址,经度,纬度,户主"]
    for addr, lon, lat, head in rows:
        if lon is None:
            lon, lat = 116.401, 39.921
        lines.append(f"{addr},{lon},{lat},{head}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_preview_counts_mapping_and_rows_without_writing(store, tmp_path):
    path = tmp_path / "households.csv"
    _write_households(path)
    existing = store.read("households", columns=["address", "building", "unit", "room"])
    existing_first = existing.sort_values("id").iloc[0]
    assert existing_first.address == "东四 1 号"
    before = store.counts()

    pv = preview_import(store, "households", path, datum="wgs84", lang="en")

    assert store.counts() == before
    assert pv.report.rows_read == 4
    assert pv.report.rows_written == 0
    # 东四 1 号 at another spot is still the same address key -> duplicate
    assert (pv.new, pv.duplicates, pv.outside) == (3, 1, 1)
    assert pv.report.duplicates[0][0] == 3
    assert pv.report.outside_beats == [4]
    mapping = dict(pv.mapping)
    assert mapping["address"] == "地址"
    assert mapping["geometry"] == "经度/纬度"
    shown = pv.mapping_frame("en")
    assert list(shown.columns) == ["column in the file", "field"]
    assert "address" in shown["field"].tolist()
    counts = pv.counts_frame("en").set_index("item")["count"].to_dict()
    assert counts == {"rows read": 4, "new": 3, "duplicates (skipped)": 1, "outside every beat": 1}
    assert pv.datum_text("en").startswith("datum: WGS-84")
    # rows as stored: English headers, the beat each household was given, coordinates
    rows = pv.rows
    assert len(rows) == 3
    assert "新街 1 号" in rows.iloc[:, 1:].astype(str).to_numpy().ravel().tolist()
    beat_col = [c for c in rows.columns if "beat" in c.lower()][0]
    assert rows[beat_col].tolist()[:2] == [1, 2]
    assert rows[beat_col].isna().tolist()[2]


def test_preview_datum_from_headers_is_converted(store, tmp_path):
    lon, lat = 116.405, 39.925
    glon, glat = coords.from_wgs84([lon], [lat], "gcj02")
    path = tmp_path / "gcj.csv"
    path.write_text(f"地址,GCJ经度,GCJ纬度\n新街 5 号,{glon[0]},{glat[0]}\n", encoding="utf-8")
    pv = preview_import(store, "households", path, lang="zh")
    assert pv.report.datum == "gcj02"
    assert pv.report.datum_how == "headers"
    assert "GCJ-02" in pv.datum_text("zh") and "根据列名判断" in pv.datum_text("zh")
    assert "转换为 WGS-84" in pv.datum_text("zh")
    x = float(pv.rows["经度(WGS-84)"].iloc[0])
    assert abs(x - lon) < 1e-5
    assert pv.report.frame is None  # the preview keeps only its first rows


def test_preview_masks_personal_fields_unless_allowed(store, tmp_path):
    path = tmp_path / "households.csv"
    _write_households(path)
    masked = preview_import(store, "households", path, datum="wgs84", lang="zh")
    plain = preview_import(store, "households", path, datum="wgs84", show_personal=True)
    masked_text = masked.rows.astype(str).to_numpy().ravel().tolist()
    plain_text = plain.rows.astype(str).to_numpy().ravel().tolist()
    assert "张三" in plain_text and "张三" not in masked_text
    assert "新街 1 号" in masked_text


def test_preview_refuses_like_the_import_and_writes_nothing(store, tmp_path):
    path = tmp_path / "visits.csv"
    path.write_text(
        "household_id,officer_id,visited_at,outcome\n"
        "1,1,2026-04-01 17:00,visited\n"
        "99999,1,2026-04-01 18:00,visited\n"
        "99998,1,2026-04-01 19:00,visited\n",
        encoding="utf-8",
    )
    before = store.counts()
    with pytest.raises(ValidationError) as err:
        preview_import(store, "visits", path)
    assert store.counts() == before
    rows = sorted(p.row for p in err.value.problems)
    assert rows == [2, 3]
    frame = problems_frame(err.value.problems, lang="en")
    assert list(frame.columns) == ["file", "row", "field", "value", "what was expected"]
    assert frame["row"].tolist() == [2, 3]
    assert frame["file"].tolist() == ["visits.csv", "visits.csv"]
    assert "99999" in frame["value"].tolist()


def test_problems_csv_has_one_line_per_problem_and_neutralised_cells():
    problems = [
        Problem("expected a number", "a.csv", 7, "户数", "=1+1"),
        Problem("the file is empty", "b.csv"),
    ]
    data = problems_csv(problems, lang="zh")
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["文件", "行", "字段", "内容", "问题及要求"]
    assert back["行"].tolist() == ["7", ""]
    assert back["内容"].tolist()[0] != "=1+1" and back["内容"].tolist()[0].endswith("=1+1")
    assert back["问题及要求"].tolist() == ["expected a number", "the file is empty"]


def test_preview_then_import_writes_what_was_shown(store, tmp_path):
    from geo.io import import_file

    path = tmp_path / "households.csv"
    _write_households(path)
    pv = preview_import(store, "households", path, datum="wgs84")
    before = store.count("households")
    report = import_file(store, "households", path, datum="wgs84")
    assert report.rows_written == pv.new
    assert store.count("households") == before + pv.new
