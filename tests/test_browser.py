"""The Area page draws its Leaflet map in headless Chromium with no network at all.

The app runs as ``streamlit run streamlit_app.py`` on 127.0.0.1 (tests/apprunner.py). Chromium
(Debian's ``chromium`` package, driven by Playwright) aborts and counts every request to any
other host, so a single CDN link left anywhere fails the test. The map must be drawn inside the
``st_folium`` iframe: one SVG path per street and per building of the area. The app opens on
the first-start form; the test gives a chief an account and logs in through the login form.

Screenshots (and the app's log, on failure) go to tests/artifacts/.

Without /usr/bin/chromium the test is skipped, except under CI (``CI=true``), where it fails:
CI installs it with ``apt-get install -y chromium``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.apprunner import run_app
from tests.browser import ARTIFACTS, LOCAL_HOSTS, launch_offline
from tests.conftest import DATA, SHARED_OSM, browser_login, make_account

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("map_assets")]

MAP_TIMEOUT_MS = 180_000  # first start builds the demo workspace
OSM_FILES = {
    "alleys_estate": DATA / "alleys_estate.osm",
    "xueyuanlu": SHARED_OSM / "beijing-haidian-xueyuanlu.osm",
}


@pytest.mark.parametrize("osm", list(OSM_FILES), ids=list(OSM_FILES))
def test_area_page_draws_map_offline(osm: str, playwright_api, tmp_path: Path) -> None:
    osm_file = OSM_FILES[osm]
    if not osm_file.is_file():
        pytest.skip(f"{osm_file} not found")
    expected = _expected_counts(osm_file)
    env = {
        "BEATMAP_DATA_DIR": str(tmp_path / "data"),
        "BEATMAP_OSM_FILE": str(osm_file),
        "BEATMAP_TILES": "none",
        "BEATMAP_ONLINE": "no",
        "BEATMAP_LANGUAGE": "zh",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"area_{osm}.png"
    with run_app(env, log_dir=tmp_path) as app:
        static: dict[str, tuple[int, str]] = {}
        console: list[str] = []
        context, outside = launch_offline(
            playwright_api, tmp_path / "chromium", viewport={"width": 1400, "height": 900}
        )
        try:

            def on_response(response) -> None:
                if "/app/static/" in response.url:
                    static[response.url] = (
                        response.status,
                        response.headers.get("content-type", ""),
                    )

            def on_websocket(ws) -> None:
                if urlsplit(ws.url).hostname not in LOCAL_HOSTS:
                    outside.append(ws.url)

            page = context.new_page()
            page.on("response", on_response)
            page.on("websocket", on_websocket)
            page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
            try:
                page.goto(app.url + "/", wait_until="domcontentloaded")
                page.get_by_text("首次启动：创建管理员").wait_for(timeout=MAP_TIMEOUT_MS)
                make_account(env["BEATMAP_DATA_DIR"], "chief", "chief")
                browser_login(page, app.url + "/area", "chief")
                frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
                frame.locator(".leaflet-container").wait_for(timeout=MAP_TIMEOUT_MS)
                streets = frame.locator(".leaflet-bm-streets-pane path")
                buildings = frame.locator(".leaflet-bm-buildings-pane path")
                streets.first.wait_for(timeout=60_000)
                n_streets = streets.count()
                n_buildings = buildings.count()
                page.get_by_text("载入报告").wait_for(timeout=30_000)
                page.wait_for_timeout(500)  # let the last paths paint for the screenshot
                page.screenshot(path=str(shot))

                assert outside == [], f"requests to outside hosts: {outside}"
                # the home page answers under its own address too (no "page not found" dialog)
                assert "/area" in page.url
                assert page.get_by_role("dialog").count() == 0
                assert page.get_by_text("Page not found").count() == 0
                assert n_streets == expected["streets"], (n_streets, expected)
                assert n_buildings == expected["buildings"], (n_buildings, expected)
                assert n_streets > 5
                _check_static(static)
            except Exception:
                page.screenshot(path=str(ARTIFACTS / f"area_{osm}_FAILED.png"))
                (ARTIFACTS / f"area_{osm}_FAILED.log").write_text(
                    "== app log ==\n"
                    + app.log(200)
                    + "\n== console ==\n"
                    + "\n".join(console)
                    + "\n== outside ==\n"
                    + "\n".join(outside),
                    encoding="utf-8",
                )
                raise
        finally:
            context.close()


def _expected_counts(osm_file: Path) -> dict[str, int]:
    from geo.network import load_area
    from layers import base_features

    return base_features(load_area(osm_file)).counts


def _check_static(static: dict[str, tuple[int, str]]) -> None:
    """Leaflet came from /app/static/, with real content types."""
    assert any(u.endswith("/leaflet/dist/leaflet.js") for u in static), sorted(static)
    assert any(u.endswith("/leaflet/dist/leaflet.css") for u in static), sorted(static)
    for url, (status, ctype) in static.items():
        assert status == 200, f"{url}: HTTP {status}"
        if url.endswith(".js"):
            assert "javascript" in ctype, f"{url}: {ctype}"
        elif url.endswith(".css"):
            assert ctype.startswith("text/css"), f"{url}: {ctype}"
