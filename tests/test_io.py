"""Import and export: every table, every format, every kind of error, one transaction."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import coords
from geo._errors import InputError, NotFoundError, ValidationError
from geo.io import export_bytes, export_table, import_file, read_table_file
from geo.model import TABLE_ORDER, TABLES, WGS84
from geo.store import Store

FIXTURES = Path(__file__).parent / "data" / "import"
LON0, LAT0 = 116.405, 39.933  # Beixinqiao, Dongcheng, Beijing


# --------------------------------------------------------------------------------------------
# a small city, as files


def beat_boxes() -> list[shapely.Polygon]:
    """Three adjacent beats of ~850 x 780 m, west to east."""
    return [
        shapely.box(LON0 + i * 0.01, LAT0, LON0 + (i + 1) * 0.01, LAT0 + 0.007) for i in range(3)
    ]


def city(seed: int = 11) -> dict[str, pd.DataFrame]:
    """Frames of every table with English field names, ``lon``/``lat`` or WKT, ids given."""
    rng = np.random.default_rng(seed)
    stations = pd.DataFrame(
        {
            "id": [1, 2],
            "name": ["北新桥派出所", "东四派出所"],
            "address": ["东城区北新桥三条1号", None],
            "lon": [LON0 + 0.004, LON0 + 0.021],
            "lat": [LAT0 + 0.003, LAT0 + 0.002],
        }
    )
    beats = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "name": ["民安社区", "北新桥社区", "东四社区"],
            "station_id": [1, 1, 2],
            "office_lon": [LON0 + 0.005, None, LON0 + 0.025],
            "office_lat": [LAT0 + 0.0035, None, LAT0 + 0.0035],
            "geometry": [b.wkt for b in beat_boxes()],
        }
    )
    officers = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "name": ["王建国", "李明", "张伟", "赵丽"],
            "station_id": [1, 1, 2, 2],
            "beat_id": [1, 2, 3, None],
            "role": ["community_officer", "community_officer", "community_officer", "grid_worker"],
            "phone": ["13800000001", "13800000002", None, "010-64001234"],
        }
    )
    n = 30
    hlon = LON0 + rng.uniform(0.0005, 0.0295, n)
    hlat = LAT0 + rng.uniform(0.0005, 0.0065, n)
    households = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "address": [f"北新桥三条{i}号" for i in range(1, n + 1)],
            "building": [f"{i % 4 + 1}号院" for i in range(n)],
            "unit": [None if i % 3 else "2单元" for i in range(n)],
            "room": [f"0{i % 9 + 1}01" for i in range(n)],  # leading zero must survive
            "building_id": [None] * n,
            "estate": ["民安小区" if i % 2 else None for i in range(n)],
            "beat_id": [None] * n,
            "residents": rng.integers(1, 6, n),
            "lodgers": [int(v) if v else None for v in rng.integers(0, 3, n)],
            "rental": rng.random(n) < 0.3,
            "contact_name": [f"{'王李张赵刘陈'[i % 6]}某{i}" for i in range(n)],
            "contact_phone": [f"0139{i:07d}" for i in range(n)],
            "wechat_member": [bool(i % 2) if i % 5 else None for i in range(n)],
            "lon": hlon,
            "lat": hlat,
        }
    )
    visited_at = (
        pd.Timestamp("2026-03-02 16:00")
        + pd.to_timedelta(rng.integers(0, 240, 20), unit="min")
        + pd.to_timedelta(np.arange(20), unit="D")
    )
    visits = pd.DataFrame(
        {
            "id": np.arange(1, 21),
            "household_id": np.arange(1, 21),
            "officer_id": rng.integers(1, 4, 20),
            "visited_at": visited_at,
            "outcome": rng.choice(["visited", "not_home", "refused", "moved_away"], 20),
            "card_given": rng.random(20) < 0.5,
            "register_updated": rng.random(20) < 0.5,
            "rental_letter_signed": [None] * 20,
            "camera_leaflet_given": rng.random(20) < 0.5,
            "camera_install_accepted": rng.random(20) < 0.2,
            "notes": ["晚上再来" if i % 7 == 0 else None for i in range(20)],
        }
    )
    cameras = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "kind": ["recorder_unit", "doorbell", "cctv", "public", "recorder_unit"],
            "installed_on": pd.to_datetime(["2025-05-01", "2025-06-15", None, "2024-01-01", None]),
            "household_id": [3, 5, None, None, 9],
            "status": ["active", "active", "offline", "active", "planned"],
            "facing": [90.0, None, 180.0, 45.5, None],
            "fov": [90.0, None, 60.0, 120.0, None],
            "lon": LON0 + rng.uniform(0.001, 0.029, 5),
            "lat": LAT0 + rng.uniform(0.001, 0.006, 5),
        }
    )
    incidents = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "occurred_at": pd.to_datetime(
                ["2026-01-03 22:15", "2026-01-09 23:40", "2026-02-01 02:05", "2026-02-11 19:00"]
            ),
            "category": ["noise", "theft", "dispute", "burglary"],
            "description": ["酒吧噪音", None, "邻里纠纷", "入室盗窃未遂"],
            "lon": LON0 + rng.uniform(0.001, 0.029, 4),
            "lat": LAT0 + rng.uniform(0.001, 0.006, 4),
        }
    )
    surveys = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "household_id": [1, 2, 4],
            "surveyed_on": pd.to_datetime(["2026-07-01", "2026-07-02", "2026-07-02"]),
            "method": ["on_site", "phone", "phone"],
            "familiarity": ["knows_officer", "has_card", "never_met"],
            "satisfied": [True, True, None],
        }
    )
    mediations = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "held_on": pd.to_datetime(["2026-04-06", "2026-04-13", "2026-04-13"]),
            "beat_id": [1, 1, 2],
            "household_id": [1, 1, 4],
            "other_household_id": [5, 5, None],
            "parties": ["王某1、陈某5", "王某1、陈某5", "赵某4"],
            "kind": ["water_leak", "noise", "parking"],
            "meeting": ["on_site", "office", "on_site"],
            "outcome": ["settled", "pending", "referred"],
            "follow_up_on": pd.to_datetime(["2026-04-13", "2026-04-20", None]),
        }
    )
    return {
        "stations": stations,
        "beats": beats,
        "officers": officers,
        "households": households,
        "visits": visits,
        "cameras": cameras,
        "incidents": incidents,
        "surveys": surveys,
        "mediations": mediations,
    }


def zh_headers(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The same frame with Chinese headers (field labels, 编号, 经度/纬度, 几何)."""
    names = {"id": "编号", "lon": "经度", "lat": "纬度", "geometry": "几何"}
    names.update({f.name: f.label[0] for f in TABLES[kind].fields})
    return df.rename(columns=names)


def as_geodataframe(df: pd.DataFrame) -> gpd.GeoDataFrame:
    if "geometry" in df.columns:
        geom = shapely.from_wkt(df["geometry"].to_numpy(dtype=object))
        rest = df.drop(columns=["geometry"])
    else:
        lon, lat = ("lon", "lat") if "lon" in df.columns else ("经度", "纬度")
        geom = shapely.points(df[lon].to_numpy(float), df[lat].to_numpy(float))
        rest = df.drop(columns=[lon, lat])
    return gpd.GeoDataFrame(rest, geometry=gpd.GeoSeries(geom), crs=WGS84)


def write(df: pd.DataFrame, path: Path, *, encoding: str = "utf-8") -> Path:
    ext = path.suffix.lower()
    if ext == ".csv":
        df.to_csv(path, index=False, encoding=encoding)
    elif ext == ".xlsx":
        df.to_excel(path, index=False)
    else:
        gdf = as_geodataframe(df)
        if ext == ".shp":
            gdf.to_file(path, engine="pyogrio", encoding=encoding)
        else:
            gdf.to_file(path, engine="pyogrio")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path}/t.sqlite")
    yield s
    s.close()


def import_city(store: Store, tmp_path: Path, upto: str = "mediations") -> dict[str, object]:
    reports = {}
    for kind, df in city().items():
        path = write(df, tmp_path / f"{kind}.csv")
        reports[kind] = import_file(store, kind, path, datum="wgs84")
        if kind == upto:
            break
    return reports


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    import_city(store, tmp_path)
    return store


def assert_tables_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    if isinstance(a, gpd.GeoDataFrame):
        assert shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=1e-7).all()
        a, b = pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    pd.testing.assert_frame_equal(a, b, check_dtype=True)


# --------------------------------------------------------------------------------------------
# every table imports and reads back


def test_every_table_imports_and_reads_back(store: Store, tmp_path: Path) -> None:
    reports = import_city(store, tmp_path)
    frames = city()
    for kind in TABLE_ORDER:
        got = store.read(kind)
        want = frames[kind]
        assert reports[kind].rows_written == len(want), kind
        assert list(got["id"]) == list(want["id"])
        for f in TABLES[kind].fields:
            if f.name in want.columns and f.name != "beat_id":
                exp = want[f.name]
                if f.kind in ("str", "enum"):
                    assert got[f.name].tolist() == [None if pd.isna(v) else v for v in exp], f
                elif f.kind in ("int", "float"):
                    np.testing.assert_allclose(
                        got[f.name].to_numpy(float, na_value=np.nan),
                        pd.to_numeric(exp).to_numpy(float, na_value=np.nan),
                    )
        if TABLES[kind].geometry == "point":
            np.testing.assert_allclose(got.geometry.x, want["lon"], atol=1e-12)
            np.testing.assert_allclose(got.geometry.y, want["lat"], atol=1e-12)
    hh = store.read("households")
    assert hh["room"].str.startswith("0").all()
    assert hh["contact_phone"].str.startswith("0139").all()
    assert hh["beat_id"].notna().all()  # assigned by point in polygon
    expected_beat = np.floor((hh.geometry.x - LON0) / 0.01).astype(int) + 1
    assert (hh["beat_id"].to_numpy(int) == expected_beat.to_numpy()).all()


@pytest.mark.parametrize(
    ("fmt", "lang"), [("csv", "zh"), ("xlsx", "zh"), ("gpkg", "zh"), ("csv", "en")]
)
def test_export_round_trip_every_table(loaded: Store, tmp_path: Path, fmt: str, lang: str) -> None:
    other = Store(f"sqlite:///{tmp_path}/copy.sqlite")
    for kind in TABLE_ORDER:
        path = export_table(
            loaded, kind, tmp_path / f"out_{kind}.{fmt}", show_personal=True, lang=lang
        )
        report = import_file(other, kind, path)
        assert report.rows_written == loaded.count(kind)
        assert not report.unknown_columns, report.unknown_columns
        if TABLES[kind].geometry:
            assert report.datum == "wgs84"
    for kind in TABLE_ORDER:
        assert_tables_equal(loaded.read(kind), other.read(kind))
    other.close()


# --------------------------------------------------------------------------------------------
# every format


@pytest.mark.parametrize(
    ("ext", "encoding"),
    [
        (".csv", "utf-8"),
        (".csv", "utf-8-sig"),
        (".csv", "gbk"),
        (".xlsx", None),
        (".geojson", None),
        (".gpkg", None),
        (".shp", "gbk"),
    ],
)
def test_households_in_every_format(
    store: Store, tmp_path: Path, ext: str, encoding: str | None
) -> None:
    import_city(store, tmp_path, upto="beats")
    df = zh_headers(city()["households"], "households")
    if ext == ".shp":  # DBF field names are at most 10 bytes: keep the short ones
        df = df[
            ["编号", "地址", "房号", "联系人", "联系电话", "常住人数", "出租房", "经度", "纬度"]
        ]
    path = write(df, tmp_path / f"hh{ext}", encoding=encoding or "utf-8")
    if ext == ".shp":
        path.with_suffix(".cpg").unlink(missing_ok=True)  # GBK without .cpg, as often seen
    report = import_file(store, "households", path)
    assert report.rows_written == 30
    assert not report.unknown_columns
    got = store.read("households")
    want = city()["households"]
    assert got["address"].tolist() == want["address"].tolist()
    assert got["contact_name"].tolist() == want["contact_name"].tolist()
    assert got["contact_phone"].tolist() == want["contact_phone"].tolist()
    assert got["room"].tolist() == want["room"].tolist()
    np.testing.assert_allclose(got.geometry.x, want["lon"], atol=1e-9)
    np.testing.assert_allclose(got.geometry.y, want["lat"], atol=1e-9)
    assert got["beat_id"].notna().all()


def test_zipped_shapefile(store: Store, tmp_path: Path) -> None:
    import zipfile

    df = city()["stations"]
    (tmp_path / "shp").mkdir()
    shp = write(df, tmp_path / "shp" / "stations.shp")
    archive = tmp_path / "stations.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.parent.iterdir():
            zf.write(part, part.name)
    report = import_file(store, "stations", archive)
    assert report.rows_written == 2
    assert store.read("stations")["name"].tolist() == df["name"].tolist()


def test_projected_gpkg_is_reprojected(store: Store, tmp_path: Path) -> None:
    gdf = as_geodataframe(city()["stations"]).to_crs("EPSG:32650")
    gdf.to_file(tmp_path / "st.gpkg", engine="pyogrio")
    report = import_file(store, "stations", tmp_path / "st.gpkg")
    assert report.datum_how == "file_crs"
    got = store.read("stations")
    np.testing.assert_allclose(got.geometry.x, city()["stations"]["lon"], atol=1e-7)


def test_chinese_and_english_headers_give_the_same_rows(tmp_path: Path) -> None:
    frames = []
    for i, rename in enumerate([lambda d: zh_headers(d, "households"), lambda d: d]):
        s = Store(f"sqlite:///{tmp_path}/h{i}.sqlite")
        df = rename(city()["households"])
        if i == 1:  # English variants: spaces, case, 'Contact Phone', 'lng'
            df = df.rename(
                columns={"contact_phone": "Contact Phone", "lon": "lng", "address": "ADDRESS"}
            )
        import_file(s, "households", write(df, tmp_path / f"h{i}.csv"), datum="wgs84")
        frames.append(s.read("households"))
        s.close()
    assert_tables_equal(frames[0], frames[1])


def test_read_table_file_unpacks(tmp_path: Path) -> None:
    path = write(zh_headers(city()["stations"], "stations"), tmp_path / "s.csv")
    frame, rows, names = read_table_file(path, "stations")
    assert list(rows) == [1, 2]
    assert names["name"] == "名称" and names["geometry"] == "经度/纬度"
    assert set(frame.columns) == {"id", "name", "address", "geometry"}


def test_committed_fixture_gbk_gcj02(store: Store) -> None:
    """tests/data/import/households_gbk_gcj02.csv: Excel-style GBK with Amap coordinates."""
    import_file(store, "stations", FIXTURES / "stations.csv")
    import_file(store, "beats", FIXTURES / "beats.csv")
    report = import_file(store, "households", FIXTURES / "households_gbk_gcj02.csv")
    assert report.datum == "gcj02" and report.datum_how == "headers"
    got = store.read("households")
    # the fixture's coordinates are the GCJ-02 of these WGS-84 points
    assert coords.distance_m(got.geometry.x, got.geometry.y, 116.4100, 39.9360).min() < 1.0
    assert got["contact_phone"].iloc[0] == "01064001234"


# --------------------------------------------------------------------------------------------
# datums


def _gcj_households(tmp_path: Path, headers: tuple[str, str], datum: str = "gcj02") -> Path:
    df = city()["households"]
    x, y = coords.from_wgs84(df["lon"], df["lat"], datum)
    df = df.drop(columns=["lon", "lat"]).assign(**{headers[0]: x, headers[1]: y})
    return write(df, tmp_path / "hh_gcj.csv")


def _within_1m(store: Store) -> None:
    got = store.read("households")
    want = city()["households"]
    dist = coords.distance_m(got.geometry.x, got.geometry.y, want["lon"], want["lat"])
    assert dist.max() < 1.0


def test_gcj02_explicit(store: Store, tmp_path: Path) -> None:
    report = import_file(
        store, "households", _gcj_households(tmp_path, ("lon", "lat")), datum="amap"
    )
    assert report.datum == "gcj02" and report.datum_how == "explicit"
    _within_1m(store)


def test_gcj02_from_headers(store: Store, tmp_path: Path) -> None:
    report = import_file(store, "households", _gcj_households(tmp_path, ("高德经度", "高德纬度")))
    assert (report.datum, report.datum_how) == ("gcj02", "headers")
    assert not report.unknown_columns
    _within_1m(store)
    assert any("GCJ-02" in line for line in report.lines("zh"))


@pytest.mark.parametrize("datum", ["gcj02", "bd09", "wgs84"])
def test_datum_detected_against_reference(store: Store, tmp_path: Path, datum: str) -> None:
    # reference: 'building centroids' next to every household plus a dense random scatter
    rng = np.random.default_rng(8)
    want = city()["households"]
    scatter = np.column_stack(
        [LON0 + rng.uniform(0, 0.03, 3000), LAT0 + rng.uniform(-0.01, 0.017, 3000)]
    )
    ref = np.vstack([np.column_stack([want["lon"], want["lat"]]) + 2e-5, scatter])
    path = _gcj_households(tmp_path, ("lon", "lat"), datum)
    report = import_file(store, "households", path, reference=ref)
    assert report.datum == datum and report.datum_how == "reference"
    _within_1m(store)


def test_assumed_wgs84_is_reported(store: Store, tmp_path: Path) -> None:
    report = import_file(store, "stations", write(city()["stations"], tmp_path / "s.csv"))
    assert report.datum_how == "assumed"
    assert any("WGS-84" in w[0] for w in report.warnings)


def test_beat_office_point_converted(store: Store, tmp_path: Path) -> None:
    import_city(store, tmp_path, upto="stations")
    beats = city()["beats"]
    ox, oy = coords.from_wgs84(beats["office_lon"], beats["office_lat"], "bd09")
    poly = shapely.from_wkt(beats["geometry"].to_numpy(dtype=object))

    def to_bd(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(coords.from_wgs84(xy[:, 0], xy[:, 1], "bd09"))

    beats = beats.assign(
        office_lon=ox,
        office_lat=oy,
        geometry=shapely.to_wkt(shapely.transform(poly, to_bd), rounding_precision=12),
    )
    import_file(store, "beats", write(beats, tmp_path / "b.csv"), datum="baidu")
    got = store.read("beats")
    want = city()["beats"]
    ok = want["office_lon"].notna().to_numpy()
    dist = coords.distance_m(
        got["office_lon"][ok], got["office_lat"][ok], want["office_lon"][ok], want["office_lat"][ok]
    )
    assert dist.max() < 0.05
    assert shapely.equals_exact(got.geometry.values, poly, tolerance=1e-8).all()


# --------------------------------------------------------------------------------------------
# errors: one test per kind


def test_unknown_table_kind(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="allowed: stations, beats"):
        import_file(store, "people", tmp_path / "x.csv")


def test_unknown_file_type_and_missing_file(store: Store, tmp_path: Path) -> None:
    (tmp_path / "x.dbx").write_text("a")
    with pytest.raises(InputError, match=r"allowed: \.csv"):
        import_file(store, "stations", tmp_path / "x.dbx")
    with pytest.raises(NotFoundError):
        import_file(store, "stations", tmp_path / "missing.csv")


def test_bad_datum_and_duplicate_mode(store: Store, tmp_path: Path) -> None:
    path = write(city()["stations"], tmp_path / "s.csv")
    with pytest.raises(InputError, match="allowed: wgs84"):
        import_file(store, "stations", path, datum="mars")
    with pytest.raises(InputError, match="skip, error"):
        import_file(store, "stations", path, on_duplicate="ignore")


def test_unreadable_encoding(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes("名称,经度,纬度\n".encode() + b"\xff\xfe\x80,116.4,39.9\n")
    with pytest.raises(ValidationError) as exc:
        import_file(store, "stations", bad)
    p = exc.value.problems[0]
    assert p.file == "bad.csv" and p.row == 1
    assert "neither UTF-8 nor GBK" in p.message


def test_missing_required_column(store: Store, tmp_path: Path) -> None:
    df = city()["households"].drop(columns=["address"])
    with pytest.raises(ValidationError) as exc:
        import_file(store, "households", write(df, tmp_path / "h.csv"))
    p = exc.value.problems[0]
    assert p.field == "address" and "required column is missing" in p.message
    assert "地址" in p.message  # the accepted headers are listed
    assert store.count("households") == 0


def test_bad_value_names_row_and_field(store: Store, tmp_path: Path) -> None:
    df = zh_headers(city()["households"], "households")
    df = df.astype({"常住人数": object, "出租房": object})
    df.loc[1, "常住人数"] = "三口"
    df.loc[4, "出租房"] = "也许"
    with pytest.raises(ValidationError) as exc:
        import_file(store, "households", write(df, tmp_path / "hh.csv"))
    text = str(exc.value)
    assert "hh.csv, row 2, field '常住人数': expected a whole number from 0 to 500" in text
    assert "hh.csv, row 5, field '出租房': expected yes/no" in text


def test_bad_coordinates(store: Store, tmp_path: Path) -> None:
    df = city()["stations"].astype({"lon": object, "lat": object})
    df.loc[0, "lat"] = "北纬39度"
    df.loc[1, ["lon", "lat"]] = [39.9, 116.4]  # swapped
    extra = pd.DataFrame({"name": ["x", "y"], "lon": [None, 441234.5], "lat": [None, 4420000.0]})
    df = pd.concat([df, extra], ignore_index=True)
    with pytest.raises(ValidationError) as exc:
        import_file(store, "stations", write(df, tmp_path / "s.csv"))
    by_row = {p.row: p for p in exc.value.problems}
    assert by_row[1].field == "lat" and "expected a number" in by_row[1].message
    assert "swapped" in by_row[2].message
    assert "required" in by_row[3].message
    assert "projected" in by_row[4].message
    assert len(exc.value.problems) == 4  # no second message for the same rows


def test_bad_wkt(store: Store, tmp_path: Path) -> None:
    import_city(store, tmp_path, upto="stations")
    df = city()["beats"]
    df.loc[2, "geometry"] = "POLYGON ((1 2, 3"
    with pytest.raises(ValidationError) as exc:
        import_file(store, "beats", write(df, tmp_path / "b.csv"))
    (p,) = exc.value.problems
    assert (p.row, p.field) == (3, "geometry") and "WKT" in p.message


def test_missing_coordinates_columns(store: Store, tmp_path: Path) -> None:
    df = city()["stations"].drop(columns=["lon", "lat"])
    with pytest.raises(ValidationError) as exc:
        import_file(store, "stations", write(df, tmp_path / "s.csv"))
    (p,) = exc.value.problems
    assert "经度/纬度" in p.message


def test_ambiguous_headers(store: Store, tmp_path: Path) -> None:
    df = city()["stations"].assign(名称=["a", "b"])
    with pytest.raises(ValidationError, match="all mean 'name'"):
        import_file(store, "stations", write(df, tmp_path / "s.csv"))


def test_unknown_columns_are_reported_not_errors(store: Store, tmp_path: Path) -> None:
    df = city()["stations"].assign(备用=["x", "y"], remark=[1, 2])
    report = import_file(store, "stations", write(df, tmp_path / "s.csv"))
    assert report.unknown_columns == ["备用", "remark"]
    assert any("备用" in line for line in report.lines("zh"))
    assert any("not recognised" in line for line in report.lines("en"))


def test_missing_reference(store: Store, tmp_path: Path) -> None:
    import_city(store, tmp_path, upto="officers")
    df = zh_headers(city()["visits"], "visits")
    df.loc[3, "住户编号"] = 999
    with pytest.raises(ValidationError) as exc:
        import_file(store, "visits", write(df, tmp_path / "v.csv"))
    # households are not imported yet: every row refers to a missing household
    assert len(exc.value.problems) == 20
    p = exc.value.problems[3]
    assert (p.row, p.field, p.value) == (4, "住户编号", 999)
    assert "no households id 999" in p.message
    assert store.count("visits") == 0


def test_duplicate_id(loaded: Store, tmp_path: Path) -> None:
    df = city()["stations"].assign(name=["新派出所", "另一所"])
    df.loc[1, "id"] = 7
    with pytest.raises(ValidationError) as exc:
        import_file(loaded, "stations", write(df, tmp_path / "s.csv"))
    (p,) = exc.value.problems
    assert (p.row, p.field) == (1, "id") and "already exists" in p.message
    assert loaded.count("stations") == 2


def test_duplicate_natural_key_skipped_and_reported(loaded: Store, tmp_path: Path) -> None:
    new = pd.DataFrame(
        {
            "地址": ["北新桥三条5号", "新地址1号", "新地址1号", "新地址2号"],
            "楼栋": ["1号院", "", "", ""],
            "单元": ["", "", "", ""],
            "房号": ["0501", "", "", ""],
            "经度": [LON0 + 0.001] * 4,
            "纬度": [LAT0 + 0.001] * 4,
        }
    )
    report = import_file(loaded, "households", write(new, tmp_path / "h.csv"))
    assert report.duplicates == [
        (1, ("北新桥三条5号", "1号院", "", "0501")),
        (3, ("新地址1号", "", "", "")),
    ]
    assert report.rows_written == 2
    assert list(report.ids) == [31, 32]
    assert loaded.count("households") == 32
    assert any("第 1, 3 行" in line for line in report.lines("zh"))


def test_duplicate_natural_key_as_error(loaded: Store, tmp_path: Path) -> None:
    new = pd.DataFrame(
        {
            "地址": ["北新桥三条5号", "新地址", "新地址"],
            "楼栋": ["1号院", "", ""],
            "房号": ["0501", "", ""],
            "经度": [116.41] * 3,
            "纬度": [39.935] * 3,
        }
    )
    with pytest.raises(ValidationError) as exc:
        import_file(loaded, "households", write(new, tmp_path / "h.csv"), on_duplicate="error")
    p1, p2 = exc.value.problems
    assert p1.row == 1 and "a record in the store" in p1.message
    assert p2.row == 3 and "as row 2" in p2.message
    assert loaded.count("households") == 30


def test_duplicate_geometry_key(loaded: Store, tmp_path: Path) -> None:
    cams = city()["cameras"].drop(columns=["id"])
    report = import_file(loaded, "cameras", write(cams, tmp_path / "c.csv"))
    assert len(report.duplicates) == 5 and report.rows_written == 0


def test_bad_file_changes_nothing(loaded: Store, tmp_path: Path) -> None:
    before = loaded.counts()
    for kind in TABLE_ORDER:
        df = city()[kind].drop(columns=["id"])
        if kind == "visits":
            df["visited_at"] = df["visited_at"].astype(str)
            df.loc[len(df) - 1, "visited_at"] = "昨天晚上"
        else:
            field = next(f for f in TABLES[kind].fields if f.required)
            df[field.name] = df[field.name].astype(object)
            df.loc[len(df) - 1, field.name] = None
        with pytest.raises(ValidationError) as exc:
            import_file(loaded, kind, write(df, tmp_path / f"bad_{kind}.csv"))
        assert exc.value.problems[-1].row == len(df)
    assert loaded.counts() == before


def test_failed_write_rolls_back(loaded: Store, tmp_path: Path, monkeypatch) -> None:
    """Even an error while writing (after every check) leaves the store unchanged."""
    df = city()["households"].drop(columns=["id"]).assign(address=lambda d: d["address"] + "甲")
    before = loaded.counts()
    original = Store.write

    def failing(self, name, frame, **kw):
        original(self, name, frame, **kw)
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "write", failing)
    with pytest.raises(RuntimeError):
        import_file(loaded, "households", write(df, tmp_path / "h.csv"))
    assert loaded.counts() == before


def test_household_outside_every_beat_reported(loaded: Store, tmp_path: Path) -> None:
    new = pd.DataFrame(
        {
            "address": ["城外1号", "城内1号", "城外2号"],
            "lon": [LON0 - 0.02, LON0 + 0.015, LON0 + 0.05],
            "lat": [LAT0, LAT0 + 0.003, LAT0 + 0.003],
        }
    )
    report = import_file(loaded, "households", write(new, tmp_path / "h.csv"))
    assert report.outside_beats == [1, 3]
    assert report.rows_written == 3  # imported, not dropped
    got = loaded.read("households").set_index("address")
    assert pd.isna(got.loc["城外1号", "beat_id"]) and got.loc["城内1号", "beat_id"] == 2
    assert any("不在任何警务区" in line for line in report.lines("zh"))
    assert any("no beat" in line for line in report.lines("en"))


def test_households_before_beats_warns(store: Store, tmp_path: Path) -> None:
    report = import_file(store, "households", write(city()["households"], tmp_path / "h.csv"))
    assert len(report.outside_beats) == 30
    assert any("import beats first" in w[1] for w in report.warnings)


# --------------------------------------------------------------------------------------------
# export


def test_export_masks_personal_fields_unless_allowed(loaded: Store, tmp_path: Path) -> None:
    masked = pd.read_csv(
        export_table(loaded, "households", tmp_path / "m.csv"), encoding="utf-8-sig", dtype=str
    )
    assert masked["联系人"].str.contains(r"\*").all()
    assert masked["联系电话"].str.contains(r"\*").all()
    assert not masked["地址"].str.contains(r"\*").any()
    full = pd.read_csv(
        export_table(loaded, "households", tmp_path / "f.csv", show_personal=True),
        encoding="utf-8-sig",
        dtype=str,
    )
    assert full["联系电话"].tolist() == city()["households"]["contact_phone"].tolist()
    officers = pd.read_excel(export_table(loaded, "officers", tmp_path / "o.xlsx", lang="en"))
    assert officers["phone"].dropna().str.contains(r"\*").all()
    gpkg = gpd.read_file(export_table(loaded, "households", tmp_path / "m.gpkg"))
    assert gpkg["联系人"].str.contains(r"\*").all()


def test_export_formats_are_readable(loaded: Store, tmp_path: Path) -> None:
    csv = export_table(loaded, "visits", tmp_path / "v.csv")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    v = pd.read_csv(csv, encoding="utf-8-sig")
    assert set(v["结果"]) <= {"已走访", "不在家", "拒绝", "已搬离"}
    assert set(v["发放联系卡"]) <= {"是", "否"}
    import openpyxl

    book = openpyxl.load_workbook(export_table(loaded, "beats", tmp_path / "b.xlsx"))
    sheet = book.active
    assert sheet.title == "警务区"
    assert [c.value for c in sheet[1]][:3] == ["编号", "名称", "派出所编号"]
    assert str(sheet["F2"].value).startswith("POLYGON")
    layer = gpd.read_file(export_table(loaded, "incidents", tmp_path / "i.gpkg"))
    assert layer.crs.to_epsg() == 4326 and len(layer) == 4
    assert set(layer["类别"]) <= {"盗窃", "入室盗窃", "纠纷", "噪音扰民"}
    en = pd.read_csv(export_table(loaded, "stations", tmp_path / "s.csv", lang="en"))
    assert list(en.columns) == ["id", "name", "address", "lon (WGS-84)", "lat (WGS-84)"]
    assert export_bytes(loaded, "surveys", "xlsx")[:2] == b"PK"


def test_export_bad_extension(loaded: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"allowed: \.csv, \.xlsx, \.gpkg"):
        export_table(loaded, "households", tmp_path / "x.pdf")


def test_export_empty_table(store: Store, tmp_path: Path) -> None:
    for ext in ("csv", "xlsx", "gpkg"):
        path = export_table(store, "cameras", tmp_path / f"c.{ext}")
        assert path.stat().st_size > 0


def test_area_reference_from_a_loaded_area(store: Store, tmp_path: Path) -> None:
    """The Data page's reference: building centroids of the area (any CRS) in WGS-84."""
    from types import SimpleNamespace

    from geo.io import area_reference

    want = city()["households"]
    pts = gpd.GeoSeries(shapely.points(want["lon"], want["lat"]), crs=WGS84).to_crs("EPSG:32650")
    buildings = gpd.GeoDataFrame(geometry=pts.buffer(6, quad_segs=2), crs="EPSG:32650")
    area = SimpleNamespace(buildings=buildings, to_wgs84=lambda g: g.to_crs(WGS84))
    ref = area_reference(area)
    assert ref.shape == (30, 2)
    assert coords.distance_m(ref[:, 0], ref[:, 1], want["lon"], want["lat"]).max() < 0.5
    assert area_reference(None) is None
