"""Chinese datums: published values, round trips, offsets, out-of-China, detection."""

from __future__ import annotations

import re

import numpy as np
import pytest

from geo import coords
from geo._errors import InputError
from tests.conftest import SHARED_OSM

# published example of the coordtransform libraries (input 116.404, 39.915)
PUB_IN = (116.404, 39.915)
PUB_WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
PUB_GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
PUB_BD_TO_GCJ = (116.39762729119315, 39.90865673957631)  # the one-step approximate inverse

TIANANMEN_WGS = (116.391275, 39.907225)


def test_published_forward_values() -> None:
    np.testing.assert_allclose(coords.wgs84_to_gcj02(*PUB_IN), PUB_WGS_TO_GCJ, rtol=0, atol=1e-12)
    np.testing.assert_allclose(coords.gcj02_to_bd09(*PUB_IN), PUB_GCJ_TO_BD, rtol=0, atol=1e-12)


def test_bd09_inverse_refines_the_published_approximation() -> None:
    gx, gy = coords.bd09_to_gcj02(*PUB_IN)
    # within 0.1 m of the published one-step inverse, and an exact inverse of the forward
    assert coords.distance_m(gx, gy, *PUB_BD_TO_GCJ) < 0.1
    bx, by = coords.gcj02_to_bd09(gx, gy)
    assert coords.distance_m(bx, by, *PUB_IN) < 1e-3


def test_tiananmen_offsets_and_round_trips() -> None:
    gx, gy = coords.wgs84_to_gcj02(*TIANANMEN_WGS)
    offset = coords.distance_m(*TIANANMEN_WGS, gx, gy)
    assert 100 < offset < 700
    bx, by = coords.wgs84_to_bd09(*TIANANMEN_WGS)
    assert 500 < coords.distance_m(*TIANANMEN_WGS, bx, by) < 2000
    assert coords.distance_m(*TIANANMEN_WGS, *coords.gcj02_to_wgs84(gx, gy)) < 0.01
    assert coords.distance_m(*TIANANMEN_WGS, *coords.bd09_to_wgs84(bx, by)) < 0.01


def test_vectorised_round_trips_over_china() -> None:
    rng = np.random.default_rng(1)
    lon = rng.uniform(75, 134, 20000)
    lat = rng.uniform(18, 53, 20000)
    for datum in ("gcj02", "bd09"):
        x, y = coords.from_wgs84(lon, lat, datum)
        back = coords.to_wgs84(x, y, datum)
        assert coords.distance_m(lon, lat, *back).max() < 0.05
    gx, gy = coords.wgs84_to_gcj02(lon, lat)
    off = coords.distance_m(lon, lat, gx, gy)
    assert off.min() > 10 and off.max() < 1500


def test_beijing_offsets_are_hundreds_of_metres() -> None:
    rng = np.random.default_rng(2)
    lon = rng.uniform(116.1, 116.7, 1000)
    lat = rng.uniform(39.7, 40.1, 1000)
    off = coords.distance_m(lon, lat, *coords.wgs84_to_gcj02(lon, lat))
    assert off.min() > 100 and off.max() < 700


def test_out_of_china_unchanged() -> None:
    lon = np.array([24.94, -0.1276, 139.76, 2.35])  # Helsinki, London, Tokyo, Paris
    lat = np.array([60.17, 51.507, 35.68, 48.86])
    assert coords.out_of_china(lon, lat).all()
    for datum in ("gcj02",):
        np.testing.assert_array_equal(coords.from_wgs84(lon, lat, datum), (lon, lat))
        np.testing.assert_array_equal(coords.to_wgs84(lon, lat, datum), (lon, lat))
    assert not coords.out_of_china(116.4, 39.9)


def test_nan_passes_through() -> None:
    x, y = coords.to_wgs84([116.4, np.nan], [39.9, np.nan], "gcj02")
    assert np.isfinite(x[0]) and np.isnan(x[1]) and np.isnan(y[1])


@pytest.mark.parametrize(
    ("alias", "datum"),
    [
        ("EPSG:4326", "wgs84"),
        ("WGS84", "wgs84"),
        ("amap", "gcj02"),
        ("Tencent", "gcj02"),
        ("火星坐标", "gcj02"),
        ("gcj-02", "gcj02"),
        ("baidu", "bd09"),
        ("百度", "bd09"),
        ("BD09", "bd09"),
    ],
)
def test_datum_aliases(alias: str, datum: str) -> None:
    assert coords.normalize_datum(alias) == datum


def test_unknown_datum_lists_allowed() -> None:
    with pytest.raises(InputError, match="allowed: wgs84"):
        coords.to_wgs84(1, 2, "mars")


def test_datum_from_headers() -> None:
    assert coords.datum_from_headers(["地址", "gcj_lng", "gcj_lat"]) == "gcj02"
    assert coords.datum_from_headers(["高德经度", "高德纬度"]) == "gcj02"
    assert coords.datum_from_headers(["腾讯坐标"]) == "gcj02"
    assert coords.datum_from_headers(["bd_lng", "bd_lat"]) == "bd09"
    assert coords.datum_from_headers(["百度经度"]) == "bd09"
    assert coords.datum_from_headers(["lon (WGS-84)"]) == "wgs84"
    assert coords.datum_from_headers(["lon", "lat", "building"]) is None
    assert coords.datum_from_headers(["gcj_lng", "bd_lat"]) is None  # conflicting


def _reference(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A jittered grid of ~2000 'building centroids' around Beixinqiao, Beijing."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(45), np.arange(45))
    lon = 116.405 + gx.ravel() * 0.00045 + rng.normal(0, 0.00012, gx.size)
    lat = 39.933 + gy.ravel() * 0.00035 + rng.normal(0, 0.0001, gy.size)
    return lon, lat


def _points_near(ref_lon, ref_lat, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(ref_lon), n, replace=False)
    return ref_lon[pick] + rng.normal(0, 0.00003, n), ref_lat[pick] + rng.normal(0, 0.00003, n)


@pytest.mark.parametrize("datum", ["wgs84", "gcj02", "bd09"])
def test_detect_datum_against_reference(datum: str) -> None:
    ref_lon, ref_lat = _reference()
    lon, lat = _points_near(ref_lon, ref_lat, 300, seed=4)
    x, y = coords.from_wgs84(lon, lat, datum)
    guess = coords.detect_datum(x, y, np.column_stack([ref_lon, ref_lat]))
    assert guess.datum == datum, guess.detail
    assert guess.method == "reference"
    assert guess.confidence > 0.4
    assert guess.medians[datum] < 10


def test_detect_datum_uncertain_when_reference_is_elsewhere() -> None:
    ref_lon, ref_lat = _reference()
    guess = coords.detect_datum(
        ref_lon[:100] + 0.2, ref_lat[:100], np.column_stack([ref_lon, ref_lat])
    )
    assert guess.datum == "unknown"


def test_detect_datum_uncertain_when_reference_is_too_sparse() -> None:
    rng = np.random.default_rng(5)
    ref = np.column_stack([rng.uniform(116.40, 116.43, 4), rng.uniform(39.93, 39.95, 4)])
    lon = rng.uniform(116.40, 116.43, 200)
    lat = rng.uniform(39.93, 39.95, 200)
    assert coords.detect_datum(lon, lat, ref).datum == "unknown"


def test_detect_datum_without_reference() -> None:
    assert coords.detect_datum([116.4], [39.9], columns=["高德经度"]).datum == "gcj02"
    assert coords.detect_datum([116.4], [39.9]).datum == "unknown"
    assert coords.detect_datum([24.9], [60.2]).datum == "wgs84"  # outside China


def test_detect_datum_on_real_osm_nodes() -> None:
    osm = SHARED_OSM / "beijing-haidian-xueyuanlu.osm"
    if not osm.is_file():
        pytest.skip("real OSM extracts not available")
    text = osm.read_text(encoding="utf-8")
    pairs = re.findall(r'<node[^>]*?lat="([-0-9.]+)" lon="([-0-9.]+)"', text)
    assert len(pairs) > 1000
    ref = np.array(pairs, dtype=float)[:, ::-1]
    rng = np.random.default_rng(6)
    pick = rng.choice(len(ref), 400, replace=False)
    lon = ref[pick, 0] + rng.normal(0, 0.00002, 400)
    lat = ref[pick, 1] + rng.normal(0, 0.00002, 400)
    for datum in ("wgs84", "gcj02", "bd09"):
        x, y = coords.from_wgs84(lon, lat, datum)
        assert coords.detect_datum(x, y, ref).datum == datum


def _grid(n: int = 30, step_m: float = 50.0, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    k = 111_320.0
    i, j = np.meshgrid(np.arange(n), np.arange(n))
    lon = 116.40 + (i.ravel() * step_m + rng.normal(0, 6, i.size)) / (k * np.cos(np.radians(39.9)))
    lat = 39.90 + (j.ravel() * step_m + rng.normal(0, 6, i.size)) / k
    return np.column_stack([lon, lat])


def test_disagreeing_rows_finds_the_other_datum() -> None:
    ref = _grid()
    pick = np.random.default_rng(5).choice(len(ref), 60, replace=False)
    lon, lat = ref[pick, 0].copy(), ref[pick, 1].copy()
    gcj = np.arange(60) % 4 == 0
    lon[gcj], lat[gcj] = coords.wgs84_to_gcj02(lon[gcj], lat[gcj])
    found = coords.disagreeing_rows(lon, lat, ref, "wgs84")
    assert not found.disagree[~gcj].any()
    assert found.disagree[gcj].mean() > 0.5
    assert set(found.better[found.disagree]) == {"gcj02"}
    assert (found.better_m[found.disagree] < found.chosen_m[found.disagree]).all()
    # read the other way round, the WGS-84 rows are the odd ones out
    back = coords.disagreeing_rows(lon, lat, ref, "gcj02")
    assert back.disagree[~gcj].mean() > 0.5 and not back.disagree[gcj].any()


def test_disagreeing_rows_ignores_missing_and_foreign_points() -> None:
    ref = _grid(5)
    found = coords.disagreeing_rows([np.nan, 24.9], [39.9, 60.2], ref, "wgs84")
    assert not found.disagree.any() and np.isnan(found.chosen_m[0])
    empty = coords.disagreeing_rows([116.4], [39.9], np.empty((0, 2)), "gcj02")
    assert not empty.disagree.any()
