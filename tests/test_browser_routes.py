"""The Routes page in headless Chromium: the map opens framed to tonight's route.

The demo city over tests/data/alleys_estate.osm and an administrator's account are made before
the app starts. On a desktop (1400x1000) and on a phone profile the Routes page plans the first
community officer's evening; inside the map's iframe the test reads the Leaflet map's bounds,
the stop and office markers and the route's lines: every stop lies inside the bounds, and the
bounds span at most three times the route's extent (the route at the edge of the whole area
would span many times more).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from layers.route import ROUTE_COLOR
from tests.apprunner import run_app
from tests.browser import ARTIFACTS, DESKTOP, PHONE, admin_city, app_env, launch_offline
from tests.conftest import DATA, TEST_PASSWORD, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OSM = DATA / "alleys_estate.osm"
TIMEOUT_MS = 240_000
#: the map's span may be at most this many times the route's
MAX_SPAN = 3.0

ROUTE_JS = """
(color) => {
    // st_folium keeps the Leaflet map as window.map; a plain folium page as map_<id>
    const key = Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k));
    const map = (window.map && window.map.getBounds) ? window.map : (key ? window[key] : null);
    if (!map || !window.L) return null;
    const stops = [], line = [];
    map.eachLayer(l => {
        const icon = l.options && l.options.icon;
        const cls = icon && icon.options ? String(icon.options.className || '') : '';
        if (l.getLatLng && /beatmap-(stop|office)/.test(cls)) {
            const p = l.getLatLng();
            stops.push([p.lat, p.lng, cls]);
        } else if (l instanceof L.Polyline && !(l instanceof L.Polygon)
                   && l.options.color === color && !l.feature) {
            l.getLatLngs().flat(3).forEach(p => line.push([p.lat, p.lng]));
        }
    });
    const b = map.getBounds();
    return {bounds: [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()],
            stops: stops, line: line};
}
"""


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory) -> Path:
    return admin_city(tmp_path_factory.mktemp("routesmap") / "data", OSM)


def _spans_m(south: float, west: float, north: float, east: float) -> tuple[float, float]:
    """(east-west, north-south) extent in metres."""
    lat = math.radians((south + north) / 2)
    return (east - west) * 111_320 * math.cos(lat), (north - south) * 110_540


def _route_on_map(page) -> dict:
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    frame.locator(".beatmap-stop").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)  # fitBounds runs once the map has its size
    for inner in page.frames:
        found = inner.evaluate(ROUTE_JS, ROUTE_COLOR)
        if found:
            return found
    raise AssertionError("no Leaflet map in any frame")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_routes_map_is_framed_to_the_route(device, city_dir, playwright_api, tmp_path):
    env = app_env(city_dir, OSM)
    options = {"desktop": DESKTOP, "phone": PHONE}[device]
    ARTIFACTS.mkdir(exist_ok=True)
    with run_app(env, log_dir=tmp_path) as app:
        context, outside = launch_offline(playwright_api, tmp_path / "chromium", **options)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)  # the machine may be busy: wait, never race
        try:
            if device == "desktop":
                browser_login(page, app.url + "/routes", "admin")
            else:  # the login form, without waiting for the sidebar (folded away on a phone)
                page.goto(app.url + "/routes", wait_until="domcontentloaded")
                page.get_by_label("用户名").fill("admin")
                page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
                page.get_by_role("button", name="登录").click()
            found = _route_on_map(page)
            page.screenshot(path=str(ARTIFACTS / f"routes_map_{device}.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"routes_map_{device}_FAILED.png"))
            (ARTIFACTS / f"routes_map_{device}_FAILED.log").write_text(
                app.log(300), encoding="utf-8"
            )
            raise
        finally:
            context.close()
    assert outside == [], outside
    south, west, north, east = found["bounds"]
    stops = [(lat, lon) for lat, lon, cls in found["stops"] if "beatmap-stop" in cls]
    assert stops, found
    for lat, lon in stops:
        assert south <= lat <= north and west <= lon <= east, ((lat, lon), found["bounds"])
    assert found["line"], "no route line on the map"
    pts = [(lat, lon) for lat, lon, _ in found["stops"]] + [tuple(p) for p in found["line"]]
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    rw, rh = _spans_m(min(lats), min(lons), max(lats), max(lons))
    mw, mh = _spans_m(south, west, north, east)
    route = max(rw, rh, 50.0)
    print(f"\n{device}: map {mw:.0f} x {mh:.0f} m, route {rw:.0f} x {rh:.0f} m")
    assert mw <= MAX_SPAN * route and mh <= MAX_SPAN * route, (mw, mh, rw, rh)
