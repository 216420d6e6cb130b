"""Bad input: every malformed file gets a clear refusal (file, row, field) or a clear warning,
and a refused file changes nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from geo import coords
from geo._errors import InputError, ValidationError
from geo.io import atomic_output, export_table, import_file
from geo.model import validate
from geo.store import Store
from tests.test_io import LAT0, LON0, beat_boxes, city, import_city

TODAY = pd.Timestamp.now().normalize()


@pytest.fixture(scope="module")
def city_db(tmp_path_factory) -> Path:
    """The small city of ``tests.test_io``, imported once; each test works on a copy."""
    tmp = tmp_path_factory.mktemp("city")
    s = Store(f"sqlite:///{tmp}/city.sqlite")
    import_city(s, tmp)
    s.close()
    return tmp / "city.sqlite"


@pytest.fixture
def loaded(city_db: Path, tmp_path: Path) -> Store:
    shutil.copyfile(city_db, tmp_path / "city.sqlite")
    s = Store(f"sqlite:///{tmp_path}/city.sqlite")
    yield s
    s.close()


def snapshot(store: Store) -> dict[str, pd.DataFrame]:
    return {k: store.read(k) for k in store.counts()}


def assert_unchanged(store: Store, before: dict[str, pd.DataFrame]) -> None:
    after = snapshot(store)
    assert after.keys() == before.keys()
    for k in before:
        assert len(after[k]) == len(before[k]), k
        assert after[k]["id"].tolist() == before[k]["id"].tolist(), k


def refused(store: Store, kind: str, path: Path, **kw) -> ValidationError:
    before = snapshot(store)
    with pytest.raises(ValidationError) as info:
        import_file(store, kind, path, **kw)
    assert_unchanged(store, before)
    return info.value


def has(exc: ValidationError, file: str, row: int | None, field: str | None, text: str) -> bool:
    return any(
        p.file == file
        and p.row == row
        and (field is None or p.field == field)
        and text in p.message
        for p in exc.problems
    )


def csv(path: Path, df: pd.DataFrame) -> Path:
    df.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------------------------
# files with nothing to import


def _empty(p: Path) -> Path:
    p.write_bytes(b"")
    return p


def _header_only(p: Path) -> Path:
    p.write_text("name,address,lon,lat\n", encoding="utf-8")
    return p


def _zip_without_shp(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "households of 民安社区")
        zf.writestr("households.dbf", b"\x03")
    return p


def _blank_workbook(p: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 6):
        ws.cell(r, 1, "   ")  # blank-looking cells
    wb.save(p)
    return p


def _utf16_no_bom(p: Path) -> Path:
    p.write_bytes("name,address,lon,lat\n北新桥派出所,东城区,116.41,39.94\n".encode("utf-16-le"))
    return p


FILE_CASES = {
    "empty.csv": (_empty, "the file is empty"),
    "header.csv": (_header_only, "no data rows"),
    "noshp.zip": (_zip_without_shp, "no shapefile"),
    "blank.xlsx": (_blank_workbook, "only blank rows"),
    "utf16.csv": (_utf16_no_bom, "encoding not supported"),
}


@pytest.mark.parametrize("name", list(FILE_CASES))
def test_files_without_data_are_refused(loaded: Store, tmp_path: Path, name: str) -> None:
    make, text = FILE_CASES[name]
    exc = refused(loaded, "stations", make(tmp_path / name), datum="wgs84")
    assert has(exc, name, None, None, text), exc


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_unicode_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    from geo.io import read_table_file

    path = tmp_path / "s.csv"
    path.write_bytes("名称,经度,纬度\n北新桥派出所,116.41,39.94\n".encode(encoding))
    assert read_table_file(path, "stations", datum="wgs84").frame["name"].tolist() == [
        "北新桥派出所"
    ]


def test_utf32_without_bom_is_not_supported(loaded: Store, tmp_path: Path) -> None:
    path = tmp_path / "u32.csv"
    path.write_bytes("name,lon,lat\n甲,116.41,39.94\n".encode("utf-32-le"))
    assert has(refused(loaded, "stations", path), "u32.csv", None, None, "not supported")


def test_folder_and_unreadable_file(loaded: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        import_file(loaded, "stations", tmp_path)


# --------------------------------------------------------------------------------------------
# text: control characters, length


def test_nul_and_control_characters_refused(loaded: Store, tmp_path: Path) -> None:
    df = city()["incidents"].drop(columns="id")
    df["description"] = ["ok", "bad\x00byte", "bell\x07", "tab\tand\nline are fine"]
    df["occurred_at"] = df["occurred_at"] + pd.Timedelta(days=1)
    exc = refused(loaded, "incidents", csv(tmp_path / "inc.csv", df), datum="wgs84")
    assert has(exc, "inc.csv", 2, "description", "U+0000")
    assert has(exc, "inc.csv", 3, "description", "U+0007")
    assert not any(p.row in (1, 4) for p in exc.problems), exc


def test_over_long_field_refused_by_setting(loaded: Store, tmp_path: Path) -> None:
    df = city()["visits"].drop(columns="id").head(3)
    df["visited_at"] = df["visited_at"] + pd.Timedelta(days=200)
    df["notes"] = ["short", "x" * 1_000_000, "y" * 300]
    path = csv(tmp_path / "v.csv", df)
    exc = refused(loaded, "visits", path, datum="wgs84")
    assert has(exc, "v.csv", 2, "notes", "1,000,000 characters long")
    exc = refused(loaded, "visits", path, datum="wgs84", max_field_length=100)
    assert has(exc, "v.csv", 3, "notes", "at most 100")


# --------------------------------------------------------------------------------------------
# implausible values: refused


def _visits(**changes) -> pd.DataFrame:
    df = city()["visits"].drop(columns="id").head(3).copy()
    df["visited_at"] = ["2026-05-01 17:00", "2026-05-02 17:30", "2026-05-03 18:00"]
    for col, vals in changes.items():
        df[col] = vals
    return df


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1900-03-02 17:00", "before 2000-01-01"),
        ((TODAY + pd.DateOffset(years=3)).strftime("%Y-%m-%d 17:00"), "in the future"),
    ],
)
def test_visit_dates_that_cannot_be_true(loaded, tmp_path, value, text) -> None:
    df = _visits(visited_at=["2026-05-01 17:00", value, "2026-05-02 18:00"])
    exc = refused(loaded, "visits", csv(tmp_path / "v.csv", df))
    assert has(exc, "v.csv", 2, "visited_at", text)
    assert len(exc.problems) == 1


def test_incident_in_the_future(loaded: Store, tmp_path: Path) -> None:
    df = city()["incidents"].drop(columns="id")
    df["occurred_at"] = ["2026-03-01 10:00", (TODAY + pd.Timedelta(days=5)).isoformat(), None, None]
    df = df.head(2)
    exc = refused(loaded, "incidents", csv(tmp_path / "i.csv", df), datum="wgs84")
    assert has(exc, "i.csv", 2, "occurred_at", "in the future")


def test_active_camera_installed_in_the_future(loaded: Store, tmp_path: Path) -> None:
    df = city()["cameras"].drop(columns="id").head(2).copy()
    df["lon"] = df["lon"] + 0.0001
    future = (TODAY + pd.Timedelta(days=30)).date()
    df["installed_on"] = [future, future]
    df["status"] = ["active", "planned"]  # a planned unit may have a future date
    exc = refused(loaded, "cameras", csv(tmp_path / "c.csv", df), datum="wgs84")
    assert has(exc, "c.csv", 1, "installed_on", "status is active")
    assert [p.row for p in exc.problems] == [1]


def test_implausible_residents_and_phones(loaded: Store, tmp_path: Path) -> None:
    df = city()["households"].drop(columns=["id", "beat_id"]).head(4).copy()
    df["address"] = [f"新地址{i}号" for i in range(4)]
    df["residents"] = [100_000, 3, 2, 4]
    df["contact_phone"] = ["13812345678", "1 or 1=1", "12345", "+86 138-1234-5678"]
    exc = refused(loaded, "households", csv(tmp_path / "h.csv", df), datum="wgs84")
    assert has(exc, "h.csv", 1, "residents", "from 0 to 500")
    assert has(exc, "h.csv", 2, "contact_phone", "phone number")
    assert has(exc, "h.csv", 3, "contact_phone", "phone number")
    assert {p.row for p in exc.problems} == {1, 2, 3}


def test_officer_phone_that_is_no_phone(loaded: Store, tmp_path: Path) -> None:
    df = pd.DataFrame(
        {"name": ["钱七"], "station_id": [1], "role": ["grid_worker"], "phone": ["call me"]}
    )
    exc = refused(loaded, "officers", csv(tmp_path / "o.csv", df))
    assert has(exc, "o.csv", 1, "phone", "mobile number")


def _beats(geoms, office=(None, None), names=("新社区",)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": list(names),
            "station_id": [1] * len(names),
            "office_lon": [office[0]] * len(names),
            "office_lat": [office[1]] * len(names),
            "geometry": [g.wkt for g in geoms],
        }
    )


def test_office_far_outside_its_beat(loaded: Store, tmp_path: Path) -> None:
    box = shapely.box(LON0, LAT0 - 0.02, LON0 + 0.01, LAT0 - 0.013)  # south of the city
    df = _beats([box], office=(LON0 + 0.005, LAT0 + 0.02))  # ~3.7 km north of it
    exc = refused(loaded, "beats", csv(tmp_path / "b.csv", df))
    assert has(exc, "b.csv", 1, "office_lon/office_lat", "outside its beat")


def test_new_beat_overlapping_existing_beats(loaded: Store, tmp_path: Path) -> None:
    first = beat_boxes()[0]
    shifted = shapely.affinity.translate(first, xoff=0.005)  # half over beats 1 and 2
    df = _beats([shifted])
    exc = refused(loaded, "beats", csv(tmp_path / "b.csv", df))
    assert has(exc, "b.csv", 1, "geometry", "overlaps other beats")
    msg = next(p.message for p in exc.problems)
    assert "民安社区" in msg and "北新桥社区" in msg


def test_beats_in_one_file_overlapping_each_other(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/s.sqlite")
    import_city(store, tmp_path, upto="stations")
    a = shapely.box(LON0, LAT0, LON0 + 0.01, LAT0 + 0.01)
    b = shapely.box(LON0 + 0.005, LAT0, LON0 + 0.015, LAT0 + 0.01)
    exc = refused(store, "beats", csv(tmp_path / "b.csv", _beats([a, b], names=("甲", "乙"))))
    assert has(exc, "b.csv", 1, "geometry", "row 2 (乙)")
    assert has(exc, "b.csv", 2, "geometry", "row 1 (甲)")


def test_ambiguous_date_never_guessed(loaded: Store, tmp_path: Path) -> None:
    df = _visits(visited_at=["2026-05-01 17:00", "03/04/2026 18:00", "05/05/2026 17:30"])
    exc = refused(loaded, "visits", csv(tmp_path / "v.csv", df))
    assert has(exc, "v.csv", 2, "visited_at", "ambiguous date")
    assert "2026-04-03" in exc.problems[0].message
    assert len(exc.problems) == 1  # 05/05 is the same either way


def test_two_digit_year_refused(loaded: Store, tmp_path: Path) -> None:
    df = _visits(visited_at=["2026-05-01 17:00", "13/04/26", "2026-05-02 17:00"])
    exc = refused(loaded, "visits", csv(tmp_path / "v.csv", df))
    assert has(exc, "v.csv", 2, "visited_at", "two digits")


# --------------------------------------------------------------------------------------------
# merely unusual: imported, and said so in the report


def test_date_order_settled_by_other_rows_is_reported(loaded: Store, tmp_path: Path) -> None:
    df = _visits(visited_at=["13/04/2026 17:00", "03/04/2026 18:00", "2026-05-02 17:00"])
    report = import_file(loaded, "visits", csv(tmp_path / "v.csv", df))
    got = loaded.read("visits").set_index("id").loc[report.ids, "visited_at"]
    assert list(got.dt.strftime("%m-%d")) == ["04-13", "04-03", "05-02"]
    lines = report.lines("en")
    assert any("'visited_at' rows 2" in ln and "day/month/year" in ln for ln in lines), lines
    assert any("日/月/年" in ln for ln in report.lines("zh"))


def test_unusual_values_are_warned(loaded: Store, tmp_path: Path) -> None:
    df = city()["households"].drop(columns=["id", "beat_id"]).head(2).copy()
    df["address"] = ["宿舍1号", "宿舍2号"]
    df["residents"] = [45, 2]
    report = import_file(loaded, "households", csv(tmp_path / "h.csv", df), datum="wgs84")
    assert report.rows_written == 2
    assert any("'residents' rows 1:" in ln and "unusual" in ln for ln in report.lines("en"))


def test_office_just_outside_and_sliver_overlap_warn(loaded: Store, tmp_path: Path) -> None:
    east = beat_boxes()[2].bounds[2]
    box = shapely.box(east - 0.00001, LAT0, east + 0.01, LAT0 + 0.007)  # ~1 m sliver
    df = _beats([box], office=(east + 0.011, LAT0 + 0.003))  # ~85 m east of the beat
    report = import_file(loaded, "beats", csv(tmp_path / "b.csv", df))
    lines = report.lines("en")
    assert report.rows_written == 1
    assert any("outside its beat" in ln for ln in lines), lines
    assert any("overlap other beats slightly" in ln for ln in lines), lines


# --------------------------------------------------------------------------------------------
# datums: a file mixing WGS-84 and GCJ-02 points


def _reference_grid(n: int = 40, step_m: float = 60.0) -> np.ndarray:
    """Reference 'buildings' on a regular grid with a seeded jitter, around Beixinqiao."""
    rng = np.random.default_rng(3)
    k = 111_320.0
    i, j = np.meshgrid(np.arange(n), np.arange(n))
    lon = LON0 + (i.ravel() * step_m + rng.normal(0, 8, i.size)) / (k * np.cos(np.radians(LAT0)))
    lat = LAT0 + (j.ravel() * step_m + rng.normal(0, 8, i.size)) / k
    return np.column_stack([lon, lat])


def _households_at(ref: np.ndarray, pick: np.ndarray, gcj: np.ndarray) -> pd.DataFrame:
    lon, lat = ref[pick, 0], ref[pick, 1]
    glon, glat = coords.wgs84_to_gcj02(lon, lat)
    return pd.DataFrame(
        {
            "address": [f"测试路{i}号" for i in range(len(pick))],
            "lon": np.where(gcj, glon, lon),
            "lat": np.where(gcj, glat, lat),
        }
    )


def test_mixed_datum_file_is_refused_per_row(loaded: Store, tmp_path: Path) -> None:
    ref = _reference_grid()
    rng = np.random.default_rng(8)
    pick = rng.choice(len(ref), 40, replace=False)
    gcj = np.arange(40) % 3 == 0  # 14 of 40 rows are GCJ-02
    path = csv(tmp_path / "h.csv", _households_at(ref, pick, gcj))
    exc = refused(loaded, "households", path, reference=ref)
    flagged = {p.row for p in exc.problems}
    assert flagged and flagged <= set(np.flatnonzero(gcj) + 1)
    assert len(flagged) >= 7
    assert all("fits GCJ-02" in p.message and p.field == "lon/lat" for p in exc.problems)
    # an explicit datum is the user's word: imported as given
    assert import_file(loaded, "households", path, datum="wgs84").rows_written == 40


def test_one_stray_row_is_warned(loaded: Store, tmp_path: Path) -> None:
    ref = _reference_grid()
    pick = np.random.default_rng(9).choice(len(ref), 40, replace=False)
    gcj = np.zeros(40, dtype=bool)
    gcj[5] = True
    path = csv(tmp_path / "h.csv", _households_at(ref, pick, gcj))
    report = import_file(loaded, "households", path, reference=ref)
    assert report.datum == "wgs84" and report.rows_written == 40
    assert any("rows 6 fit another datum" in ln for ln in report.lines("en")), report.lines("en")


@pytest.mark.slow
def test_mixed_datums_on_a_real_extract(loaded: Store, tmp_path: Path, shared_osm: Path) -> None:
    from geo.io import area_reference
    from geo.network import load_area

    ref = area_reference(load_area(shared_osm / "jiangsu-estate-small.osm"))
    pick = np.random.default_rng(4).choice(len(ref), min(60, len(ref)), replace=False)
    gcj = np.arange(len(pick)) % 2 == 0
    exc = refused(
        loaded, "households", csv(tmp_path / "h.csv", _households_at(ref, pick, gcj)), reference=ref
    )
    flagged = {p.row for p in exc.problems}
    wrong = flagged - set(np.flatnonzero(gcj) + 1) - set(np.flatnonzero(~gcj) + 1)
    assert len(flagged) >= len(pick) // 4 and not wrong


# --------------------------------------------------------------------------------------------
# exports: formulas neutralised, free text masked, never a partial file


FORMULAS = ['=HYPERLINK("http://x","点我")', "+1+2", "-3+4", "@SUM(A1)", "普通描述"]


def test_formula_cells_neutralised_on_export(loaded: Store, tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "occurred_at": [f"2026-02-{d:02d} 21:00" for d in range(10, 15)],
            "category": "noise",
            "description": FORMULAS,
            "lon": LON0 + np.arange(5) * 0.001,
            "lat": LAT0 + 0.002,
        }
    )
    report = import_file(loaded, "incidents", csv(tmp_path / "f.csv", df), datum="wgs84")
    stored = loaded.read("incidents").set_index("id").loc[report.ids, "description"].tolist()
    assert stored == FORMULAS  # stored text unchanged
    xlsx = export_table(loaded, "incidents", tmp_path / "out.xlsx", show_personal=True)
    ws = openpyxl.load_workbook(xlsx).active
    head = [c.value for c in ws[1]]
    col = head.index("简要情况") + 1
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
    assert all(c.data_type != "f" for c in cells)
    values = [c.value for c in cells]
    for text in FORMULAS[:4]:
        assert "'" + text in values
    assert "普通描述" in values
    out_csv = export_table(loaded, "incidents", tmp_path / "out.csv", show_personal=True)
    raw = pd.read_csv(out_csv, dtype=str, encoding="utf-8-sig")["简要情况"].tolist()
    assert '\'=HYPERLINK("http://x","点我")' in raw and "'-3+4" in raw
    # and the export imports back with the text as stored
    fresh = Store(f"sqlite:///{tmp_path}/fresh.sqlite")
    import_file(fresh, "incidents", out_csv, datum="wgs84")
    assert sorted(fresh.read("incidents")["description"].dropna()) == sorted(
        loaded.read("incidents")["description"].dropna()
    )


def test_free_text_phone_and_id_numbers_masked(loaded: Store, tmp_path: Path) -> None:
    df = _visits(notes=["户主电话13812345678", "身份证110105199001011234，座机010-64001234", None])
    import_file(loaded, "visits", csv(tmp_path / "v.csv", df))
    masked = pd.read_csv(export_table(loaded, "visits", tmp_path / "m.csv"), dtype=str)
    text = " ".join(masked["备注"].dropna())
    assert "13812345678" not in text and "110105199001011234" not in text
    assert "64001234" not in text
    assert "138******78" in text and "110*************34" in text
    full = pd.read_csv(
        export_table(loaded, "visits", tmp_path / "f.csv", show_personal=True), dtype=str
    )
    assert "13812345678" in " ".join(full["备注"].dropna())


def _store_raw_incident(store: Store, description: str) -> None:
    """A row that an older release let in (validation bypassed on purpose)."""
    df = pd.DataFrame(
        {
            "occurred_at": ["2026-01-05 20:00"],
            "category": ["noise"],
            "description": ["placeholder"],
            "geometry": [shapely.Point(LON0 + 0.01, LAT0 + 0.003)],
        }
    )
    frame = validate("incidents", df)
    frame["description"] = [description]
    store.write("incidents", frame)


def test_export_never_leaves_a_partial_file(loaded: Store, tmp_path: Path) -> None:
    _store_raw_incident(loaded, "x" * 40_000)  # longer than an Excel cell
    out = tmp_path / "exports" / "incidents.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"the previous export")
    with pytest.raises(InputError, match="too long for an Excel cell"):
        export_table(loaded, "incidents", out)
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in out.parent.iterdir()) == ["incidents.xlsx"]


def test_stored_nul_byte_exports_cleanly(loaded: Store, tmp_path: Path) -> None:
    _store_raw_incident(loaded, "bad\x00byte")
    out = export_table(loaded, "incidents", tmp_path / "i.xlsx")
    values = [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    assert "bad\ufffdbyte" in values


def test_atomic_output_removes_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    with atomic_output(target) as tmp:
        tmp.write_text("whole")
    assert target.read_text() == "whole" and list(tmp_path.iterdir()) == [target]


# --------------------------------------------------------------------------------------------
# the command line: exit status 2, a message naming file/row/field, never a traceback


def beatmap(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    import os

    environ = {**os.environ, "BEATMAP_ONLINE": "no", "BEATMAP_DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-m", "geo.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )


def _cli_cases(tmp: Path) -> list[tuple[str, Path, str]]:
    """(table, file, text the message must hold) for every kind of bad file."""
    out = [(("stations" if n != "noshp.zip" else "households"), f(tmp / n), t)
           for n, (f, t) in FILE_CASES.items()]  # fmt: skip
    inc = city()["incidents"].drop(columns="id").head(2)
    inc["description"] = ["ok", "nul\x00"]
    out.append(("incidents", csv(tmp / "nul.csv", inc), "row 2, field 'description'"))
    out.append(
        (
            "visits",
            csv(tmp / "old.csv", _visits(visited_at=["1900-01-01 17:00", "2026-05-01", None])),
            "row 1, field 'visited_at'",
        )
    )
    out.append(
        (
            "visits",
            csv(tmp / "amb.csv", _visits(visited_at=["2026-05-01", "2026-05-01", "03/04/2026"])),
            "row 3, field 'visited_at': ambiguous date",
        )
    )
    inc = city()["incidents"].drop(columns="id").head(1)
    inc["occurred_at"] = [(TODAY + pd.Timedelta(days=9)).isoformat()]
    out.append(("incidents", csv(tmp / "future.csv", inc), "row 1, field 'occurred_at'"))
    cam = city()["cameras"].drop(columns="id").head(1)
    cam["installed_on"], cam["status"] = [(TODAY + pd.Timedelta(days=40)).date()], ["active"]
    out.append(("cameras", csv(tmp / "cam.csv", cam), "row 1, field 'installed_on'"))
    hh = city()["households"].drop(columns=["id", "beat_id"]).head(2)
    hh["address"], hh["residents"] = ["新1号", "新2号"], [100_000, 2]
    hh["contact_phone"] = ["13812345678", "not a phone"]
    out.append(("households", csv(tmp / "hh.csv", hh), "row 2, field 'contact_phone'"))
    far = shapely.box(LON0, LAT0 - 0.02, LON0 + 0.01, LAT0 - 0.013)
    beats = _beats([far], office=(LON0 + 0.005, LAT0 + 0.02))
    out.append(("beats", csv(tmp / "far.csv", beats), "row 1, field 'office_lon/office_lat'"))
    over = _beats([shapely.affinity.translate(beat_boxes()[0], xoff=0.005)])
    out.append(("beats", csv(tmp / "over.csv", over), "row 1, field 'geometry'"))
    return out


@pytest.mark.slow
def test_cli_refuses_bad_files_without_traceback(loaded: Store, tmp_path: Path) -> None:
    db = str(tmp_path / "city.sqlite")
    before = snapshot(loaded)
    cases = tmp_path / "cases"
    cases.mkdir()
    for kind, path, text in _cli_cases(cases):
        out = beatmap("import", kind, str(path), "--db", db, "--datum", "wgs84", tmp_path=tmp_path)
        assert out.returncode == 2, (path.name, out.stdout, out.stderr)
        assert "Traceback" not in out.stderr, out.stderr
        assert path.name in out.stderr and text in out.stderr, (path.name, out.stderr)
    assert_unchanged(loaded, before)


def test_cli_bad_option_values_get_a_usage_message(tmp_path: Path) -> None:
    out = beatmap(
        "route", "--officer", "1 or 1=1", "--date", "2026-04-01", "--out", "x.pdf",
        tmp_path=tmp_path,
    )  # fmt: skip
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "Invalid value for '--officer'" in out.stderr and "Usage:" in out.stderr


def test_report_downloads_neutralise_formulas() -> None:
    import io

    from geo.exports import to_csv_bytes, to_xlsx_bytes

    df = pd.DataFrame({"社区": ["=1+1", "民安社区", "@cmd"], "户数": [-3, 5, 7]})
    back = pd.read_csv(io.BytesIO(to_csv_bytes(df)), dtype=str, encoding="utf-8-sig")
    assert back["社区"].tolist() == ["'=1+1", "民安社区", "'@cmd"]
    assert back["户数"].tolist() == ["-3", "5", "7"]  # numbers stay numbers
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"覆盖率": df}))).active
    cells = [ws.cell(r, 1) for r in range(2, 5)]
    assert [c.value for c in cells] == ["'=1+1", "民安社区", "'@cmd"]
    assert all(c.data_type == "s" for c in cells) and ws.cell(2, 2).value == -3


@pytest.mark.slow
def test_cli_datum_auto_compares_rows_with_the_osm_area(
    loaded: Store, tmp_path: Path, alleys_osm: Path
) -> None:
    from geo.io import area_reference
    from geo.network import load_area

    ref = area_reference(load_area(alleys_osm))
    gcj = np.arange(len(ref)) % 2 == 1
    path = csv(tmp_path / "mixed.csv", _households_at(ref, np.arange(len(ref)), gcj))
    db = str(tmp_path / "city.sqlite")
    before = snapshot(loaded)
    out = beatmap(
        "import", "households", str(path), "--db", db, "--lang", "en",
        tmp_path=tmp_path, BEATMAP_OSM_FILE=str(alleys_osm),
    )  # fmt: skip
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert "mixed.csv, row 2, field 'lon/lat': this point fits GCJ-02" in out.stderr, out.stderr
    assert_unchanged(loaded, before)
    # without an area the report says the datum was judged from the headers only
    wgs = csv(tmp_path / "plain.csv", _households_at(ref, np.arange(len(ref)), gcj & False))
    out = beatmap("import", "households", str(wgs), "--db", db, "--lang", "en", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "no OSM area to compare the points with" in out.stdout


def test_export_to_an_unwritable_path(loaded: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(InputError, match="cannot write .*not-a-folder"):
        export_table(loaded, "stations", blocker / "stations.csv")
    (tmp_path / "taken.xlsx").mkdir()  # a folder where the file should go
    with pytest.raises(InputError, match="cannot write .*taken.xlsx"):
        export_table(loaded, "stations", tmp_path / "taken.xlsx")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "ext", [".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".geojson", ".json", ".gpkg", ".shp", ".zip"]
)
def test_random_bytes_in_every_format_are_refused_cleanly(
    loaded: Store, tmp_path: Path, ext: str
) -> None:
    from geo._errors import BeatMapError

    rng = np.random.default_rng(17)
    path = tmp_path / f"junk{ext}"
    path.write_bytes(rng.integers(0, 256, 3000, dtype=np.uint8).tobytes())
    before = snapshot(loaded)
    with pytest.raises(BeatMapError) as info:
        import_file(loaded, "households", path, datum="wgs84")
    assert "junk" in str(info.value)
    assert_unchanged(loaded, before)


def test_shapefile_zip_without_its_dbf(loaded: Store, tmp_path: Path) -> None:
    import geopandas as gpd

    folder = tmp_path / "shp"
    folder.mkdir()
    gdf = gpd.GeoDataFrame(
        {"address": ["甲1号"]}, geometry=[shapely.Point(LON0 + 0.001, LAT0 + 0.001)], crs=4326
    )
    gdf.to_file(folder / "hh.shp", engine="pyogrio")
    with zipfile.ZipFile(tmp_path / "hh.zip", "w") as zf:
        zf.write(folder / "hh.shp", "hh.shp")
    exc = refused(loaded, "households", tmp_path / "hh.zip", datum="wgs84")
    assert exc.problems[0].file.startswith("hh.zip")


def test_audit_export_neutralises_recorded_file_names() -> None:
    import io

    from geo.auth.audit import export_csv

    rows = pd.DataFrame({"action": ["import"], "object": ['=HYPERLINK("http://x").csv']})
    back = pd.read_csv(io.BytesIO(export_csv(rows)), dtype=str, encoding="utf-8-sig")
    assert back["object"].iloc[0] == '\'=HYPERLINK("http://x").csv'
    assert rows["object"].iloc[0].startswith("=")  # the record itself is unchanged
