"""The Coverage page in headless Chromium: beats and households are drawn, with no network.

``streamlit run`` starts on a free port (tests/apprunner.py); Chromium (Debian's ``chromium``,
driven by Playwright through ``executable_path``) aborts and records every request to any other
host. The test waits for the Leaflet map inside the ``st_folium`` iframe, counts the beat
polygons (one SVG path per beat, drawn with the choropleth's fill opacity) and the households
(cluster icons plus single markers add up to every household in view), then clicks a beat and
checks that the page selects it. Screenshots, and the app's log on failure, go to
tests/artifacts/.

Two apps: ``fixture`` — the demo city over the stand-in grid area (tests/_coverage_city.py),
served by a small entry script with the login gate, the shared sidebar and the Coverage page;
``alleys_estate`` — the real app on tests/data/alleys_estate.osm. Both open on the first-start
form; the test then gives a city-wide chief an account and logs in through the login form.

Without /usr/bin/chromium the tests are skipped, except under CI (``CI=true``) where they fail.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.apprunner import run_app
from tests.browser import ARTIFACTS, launch_offline
from tests.conftest import DATA, TEST_PASSWORD, browser_login, make_account

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("map_assets")]

ROOT = Path(__file__).resolve().parent.parent
MAP_TIMEOUT_MS = 180_000
BEAT_FILL_OPACITY = "0.55"  # layers.beats.beats_layer default

FIXTURE_ENTRY = """
import sys
sys.path.insert(0, {root!r})
import streamlit as st
import ui.cache


@st.cache_resource
def _fixture_workspace():
    from geo.demo import write_demo
    from geo.store import Store
    from geo.workspace import Workspace
    from tests._coverage_city import fixture_city

    area, city = fixture_city()
    settings = ui.cache.load_settings()
    store = Store(settings.database_url)
    if store.is_empty():
        write_demo(store, city, source="grid")
    return Workspace(settings, store, area, [])


ui.cache.get_workspace = _fixture_workspace
ui.cache.get_store = lambda: _fixture_workspace().store
ui.cache.get_area = lambda: _fixture_workspace().area

from ui.auth import gate
from ui.i18n import LANG_KEY, t
from ui.sidebar import render_filters

st.set_page_config(page_title="BeatMap", layout="wide")
if LANG_KEY not in st.session_state:
    st.session_state[LANG_KEY] = "zh"
gate()
render_filters()
pages = [
    st.Page({area!r}, title=t("区域", "Area"), url_path="area"),
    st.Page({coverage!r}, title=t("覆盖率", "Coverage"), url_path="coverage", default=True),
]
st.navigation(pages).run()
"""


def _fixture_app(tmp_path: Path) -> tuple[str, dict[str, str], int, int]:
    """Entry script (beside a link to static/), env, beats and households of the fixture."""
    from tests._coverage_city import fixture_city

    folder = tmp_path / "app"
    folder.mkdir()
    _copy_static(folder / "static")
    entry = folder / "coverage_entry.py"
    entry.write_text(
        textwrap.dedent(
            FIXTURE_ENTRY.format(
                root=str(ROOT),
                area=str(ROOT / "ui" / "area.py"),
                coverage=str(ROOT / "ui" / "coverage.py"),
            )
        ),
        encoding="utf-8",
    )
    _, city = fixture_city()
    env = {"BEATMAP_DATA_DIR": str(tmp_path / "data"), "BEATMAP_ONLINE": "no"}
    return str(entry), env, len(city.frames["beats"]), len(city.frames["households"])


def _copy_static(dest: Path) -> None:
    """Copy the map assets next to the entry script (Streamlit serves no symlinked folder)."""
    from layers.assets import STATIC_DIR, known_assets

    for asset in known_assets():
        if asset.file.is_file():
            target = dest / asset.path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(asset.file, target)
    images = STATIC_DIR / "node_modules" / "leaflet" / "dist" / "images"
    if images.is_dir():
        shutil.copytree(images, dest / "node_modules" / "leaflet" / "dist" / "images")


def _real_app(tmp_path: Path) -> tuple[str, dict[str, str], None, None]:
    osm = DATA / "alleys_estate.osm"
    env = {
        "BEATMAP_DATA_DIR": str(tmp_path / "data"),
        "BEATMAP_OSM_FILE": str(osm),
        "BEATMAP_ONLINE": "no",
        "BEATMAP_TILES": "none",
    }
    return "streamlit_app.py", env, None, None


@pytest.mark.parametrize("app_kind", ["fixture", "alleys_estate"])
def test_coverage_page_draws_beats_and_households(app_kind, playwright_api, tmp_path):
    script, env, n_beats, n_households = (
        _fixture_app(tmp_path) if app_kind == "fixture" else _real_app(tmp_path)
    )
    env = {**env, "BEATMAP_LANGUAGE": "zh", "BEATMAP_TILES": "none"}
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"coverage_{app_kind}.png"
    with run_app(env, script=script, log_dir=tmp_path) as app:
        console: list[str] = []
        context, outside = launch_offline(
            playwright_api, tmp_path / "chromium", viewport={"width": 1500, "height": 1000}
        )
        try:
            page = context.new_page()
            page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
            try:
                # the fixture entry opens on the Coverage page; the real app has it at /coverage
                path = "/" if app_kind == "fixture" else "/coverage"
                page.goto(app.url + path, wait_until="domcontentloaded")
                page.get_by_text("首次启动：创建管理员").wait_for(timeout=MAP_TIMEOUT_MS)
                make_account(env["BEATMAP_DATA_DIR"], "chief", "chief")
                browser_login(page, app.url + path, "chief")
                frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
                frame.locator(".leaflet-container").wait_for(timeout=MAP_TIMEOUT_MS)
                beats = frame.locator(
                    f'.leaflet-overlay-pane path[fill-opacity="{BEAT_FILL_OPACITY}"]'
                )
                beats.first.wait_for(timeout=60_000)
                clusters = frame.locator(".beatmap-cluster")
                clusters.first.wait_for(timeout=60_000)
                page.wait_for_timeout(800)
                n_beat_paths = beats.count()
                cluster_total = sum(
                    int(re.sub(r"\D", "", s) or 0) for s in clusters.all_inner_texts()
                )
                singles = frame.locator('.leaflet-overlay-pane path[fill-opacity="0.85"]').count()
                page.screenshot(path=str(shot))

                assert outside == [], f"requests to outside hosts: {outside}"
                if n_beats is not None:
                    assert n_beat_paths == n_beats, (n_beat_paths, n_beats)
                    assert cluster_total + singles == n_households, (
                        cluster_total,
                        singles,
                        n_households,
                    )
                else:
                    assert n_beat_paths > 0 and cluster_total + singles > 0

                # click a beat: the page selects it and shows it in the beat box
                beats.nth(0).click(position={"x": 3, "y": 3}, force=True)
                page.get_by_text(re.compile(r"本人走访")).first.wait_for(timeout=60_000)
                page.screenshot(path=str(ARTIFACTS / f"coverage_{app_kind}_selected.png"))
                assert outside == [], f"requests to outside hosts: {outside}"
            except Exception:
                page.screenshot(path=str(ARTIFACTS / f"coverage_{app_kind}_FAILED.png"))
                (ARTIFACTS / f"coverage_{app_kind}_FAILED.log").write_text(
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


#: share of the map container that all its legends may cover together
MAX_LEGEND_SHARE = 0.10
LEGEND_SHARE_JS = """
() => {
    const map = document.querySelector('.leaflet-container');
    if (!map) return null;
    const m = map.getBoundingClientRect();
    const boxes = [...document.querySelectorAll('.beatmap-legend')].map(el => {
        const r = el.getBoundingClientRect();
        const w = Math.max(0, Math.min(r.right, m.right) - Math.max(r.left, m.left));
        const h = Math.max(0, Math.min(r.bottom, m.bottom) - Math.max(r.top, m.top));
        let full = null;
        if (el.open === false) {  // measure it opened too, for the record
            el.open = true;
            const o = el.getBoundingClientRect();
            full = [o.width, o.height];
            el.open = false;
        }
        return {w: w, h: h, open: el.open === undefined ? true : el.open, opened: full};
    });
    const covered = boxes.reduce((s, b) => s + b.w * b.h, 0);
    return {share: covered / (m.width * m.height), width: m.width, height: m.height, boxes: boxes};
}
"""


def _legend_share(page) -> dict:
    """How much of the Coverage map its legends cover, measured inside the map's iframe."""
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    frame.locator(".beatmap-legend").first.wait_for(timeout=MAP_TIMEOUT_MS)
    page.wait_for_timeout(800)
    for inner in page.frames:
        found = inner.evaluate(LEGEND_SHARE_JS)
        if found is not None:
            return found
    raise AssertionError("no Leaflet map in any frame")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_legends_cover_at_most_a_tenth_of_the_map(device, playwright_api, tmp_path):
    from tests.browser import DESKTOP, PHONE

    options = {"desktop": DESKTOP, "phone": PHONE}[device]
    script, env, _, _ = _fixture_app(tmp_path)
    env = {**env, "BEATMAP_LANGUAGE": "zh", "BEATMAP_TILES": "none"}
    ARTIFACTS.mkdir(exist_ok=True)
    with run_app(env, script=script, log_dir=tmp_path) as app:
        context, outside = launch_offline(playwright_api, tmp_path / "chromium", **options)
        try:
            page = context.new_page()
            page.goto(app.url + "/", wait_until="domcontentloaded")
            page.get_by_text("首次启动：创建管理员").wait_for(timeout=MAP_TIMEOUT_MS)
            make_account(env["BEATMAP_DATA_DIR"], "chief", "chief")
            # the login form, without waiting for the sidebar (folded away on a phone)
            page.goto(app.url + "/", wait_until="domcontentloaded")
            page.get_by_label("用户名").fill("chief")
            page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
            page.get_by_role("button", name="登录").click()
            found = _legend_share(page)
            page.screenshot(path=str(ARTIFACTS / f"coverage_legends_{device}.png"))
            print(f"\n{device}: legends cover {found['share']:.1%} of the map {found}")
            assert outside == [], outside
            assert len(found["boxes"]) == 2, found  # the base map's and the coverage classes'
            assert found["share"] <= MAX_LEGEND_SHARE, found
            opened = [b for b in found["boxes"] if b["open"]]
            if device == "phone":
                assert not opened, found  # both folded to their titles
            else:
                assert len(opened) == 1, found  # the coverage classes; the base map's folded
        finally:
            context.close()
