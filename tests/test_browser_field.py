"""The field page on a phone: headless Chromium with Playwright's phone profiles, offline.

The test builds the demo city over tests/data/alleys_estate.osm in a fresh SQLite store, makes
an officer's account linked to the beat's community officer, starts the real app
(``streamlit_app.py``) on a free 127.0.0.1 port and drives it as that officer on a phone: log
in, open ``/field``, nothing scrolls sideways, the buttons are thumb-sized with readable
contrast, one tap on 已走访 writes one visit, a quick double tap still one, 撤销 removes the
visit and leaves an audit row; the phone's position works when the browser grants it and the
page still works when it is denied. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.apprunner import run_app
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS
from tests.conftest import DATA

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OSM = DATA / "alleys_estate.osm"
USER, PASSWORD = "officer1", "Beat-Map-2026!"
TIMEOUT_MS = 180_000
PHONES = {"360": ("Galaxy S9+", 360), "412": ("Pixel 5", 412)}


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory):
    """A data folder holding the demo city and one officer's account."""
    from geo.auth.users import create_user
    from geo.demo import build_demo, write_demo
    from geo.network import load_area
    from geo.store import Store

    folder = tmp_path_factory.mktemp("field")
    data = folder / "data"
    data.mkdir()
    store = Store(f"sqlite:///{data / 'beatmap.sqlite'}")
    area = load_area(OSM)
    city = build_demo(area, seed=7)
    write_demo(store, city, source=str(OSM))
    off = city.frames["officers"]
    officer = off[(off["role"] == "community_officer") & off["beat_id"].notna()].iloc[0]
    create_user(
        store,
        username=USER,
        role="officer",
        password=PASSWORD,
        actor="os:test",
        officer_id=int(officer["id"]),
        must_change=False,
    )
    store.close()
    return folder, int(officer["id"])


def _env(folder: Path) -> dict[str, str]:
    return {
        "BEATMAP_DATA_DIR": str(folder / "data"),
        "BEATMAP_DATABASE_URL": f"sqlite:///{folder / 'data' / 'beatmap.sqlite'}",
        "BEATMAP_OSM_FILE": str(OSM),
        "BEATMAP_TILES": "none",
        "BEATMAP_ONLINE": "no",
        "BEATMAP_LANGUAGE": "zh",
    }


def _phone(playwright_api, phone: str, *, geolocation: dict | None):
    """A phone-profile Chromium context whose requests to other hosts are aborted."""
    name, width = PHONES[phone]
    device = dict(playwright_api.devices[name])
    device.pop("default_browser_type", None)
    device["viewport"] = {"width": width, "height": device["viewport"]["height"]}
    browser = playwright_api.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    kwargs = {"permissions": ["geolocation"], "geolocation": geolocation} if geolocation else {}
    context = browser.new_context(**device, locale="zh-CN", **kwargs)
    outside: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    return browser, context, outside


def _visits(folder: Path, officer_id: int) -> list[int]:
    engine = sa.create_engine(f"sqlite:///{folder / 'data' / 'beatmap.sqlite'}")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id FROM visits WHERE officer_id = :o ORDER BY id"), {"o": officer_id}
        ).all()
    engine.dispose()
    return [int(r[0]) for r in rows]


def _audit(folder: Path, action: str) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{folder / 'data' / 'beatmap.sqlite'}")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT object FROM audit_log WHERE action = :a"), {"a": action}
        ).all()
    engine.dispose()
    return [str(r[0]) for r in rows]


def _login(page, url: str) -> None:
    page.goto(url + "/field", wait_until="domcontentloaded")
    page.get_by_label("用户名").fill(USER, timeout=TIMEOUT_MS)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _ready(page) -> None:
    """The field page has drawn its card and its map, and the run is over."""
    _button(page, "已走访").wait_for(timeout=TIMEOUT_MS)
    page.locator("iframe").first.wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)


def _route_items(page) -> list[str]:
    """The whole-route list: one button per household, "stop. time address"."""
    texts = page.locator("button").all_inner_texts()
    return [t.split(" ✓")[0] for t in texts if t[:1].isdigit() and ". " in t]


def _button(page, name: str):
    return page.locator("button", has_text=name).first


def _wait_idle(page) -> None:
    """Until Streamlit has finished its run (no stale elements, no running indicator)."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"] button') &&
                 !document.querySelector('[data-stale="true"]')""",
        timeout=TIMEOUT_MS,
    )


def _wait_count(folder: Path, officer_id: int, n: int, page) -> list[int]:
    for _ in range(240):
        ids = _visits(folder, officer_id)
        if len(ids) == n:
            return ids
        page.wait_for_timeout(250)
    return _visits(folder, officer_id)


def _no_sideways_scroll(page) -> list[str]:
    return page.evaluate(
        """() => {
        const w = window.innerWidth, out = [];
        if (document.documentElement.scrollWidth > w + 1) out.push('document ' +
            document.documentElement.scrollWidth);
        for (const el of document.querySelectorAll('body *')) {
            const s = getComputedStyle(el), r = el.getBoundingClientRect();
            if (r.right <= 0 || r.left >= w || s.visibility === 'hidden') continue;
            if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 &&
                ['auto', 'scroll'].includes(s.overflowX))
                out.push((el.getAttribute('data-testid') || el.tagName) + ' ' + el.scrollWidth
                         + '>' + el.clientWidth);
        }
        return out; }"""
    )


def _contrast(page, locator) -> float:
    return locator.evaluate(
        """(el) => {
        const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => { const f = (v) => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
        let bg = el, c = 'rgba(0, 0, 0, 0)';
        while (bg && (c = getComputedStyle(bg).backgroundColor) === 'rgba(0, 0, 0, 0)')
            bg = bg.parentElement;
        const a = lum(rgb(getComputedStyle(el).color)), b = lum(rgb(bg ? c : 'rgb(255,255,255)'));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }"""
    )


@pytest.mark.parametrize("phone", list(PHONES))
def test_field_page_on_a_phone(phone, city_dir, playwright_api, tmp_path):
    folder, officer_id = city_dir
    ARTIFACTS.mkdir(exist_ok=True)
    with run_app(_env(folder), log_dir=tmp_path) as app:
        browser, context, outside = _phone(playwright_api, phone, geolocation=None)
        page = context.new_page()
        try:
            _login(page, app.url)
            _ready(page)
            visited = _button(page, "已走访")
            page.screenshot(path=str(ARTIFACTS / f"field_{phone}.png"), full_page=True)
            assert _no_sideways_scroll(page) == []
            for name in ("已走访", "不在家", "拒绝", "已搬走"):
                box = _button(page, name).bounding_box()
                assert box is not None and box["height"] >= 48, (name, box)
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONES[phone][1] + 0.5
            assert _contrast(page, visited) >= 4.5
            assert _contrast(page, _button(page, "不在家")) >= 4.5
            # one tap, one visit
            before = _visits(folder, officer_id)
            visited.tap()
            page.get_by_text("已记录").first.wait_for(timeout=TIMEOUT_MS)
            _wait_idle(page)
            after = _wait_count(folder, officer_id, len(before) + 1, page)
            assert len(after) == len(before) + 1
            # a quick double tap on the next door: still one
            _button(page, "下一户").tap()
            page.get_by_text("已记录").first.wait_for(state="detached", timeout=TIMEOUT_MS)
            _wait_idle(page)
            _button(page, "已走访").scroll_into_view_if_needed()
            box = _button(page, "已走访").bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.touchscreen.tap(x, y)
            page.wait_for_timeout(80)
            page.touchscreen.tap(x, y)
            twice = _wait_count(folder, officer_id, len(after) + 1, page)
            page.get_by_text("已记录").first.wait_for(timeout=TIMEOUT_MS)
            _wait_idle(page)
            assert len(_visits(folder, officer_id)) == len(after) + 1 == len(twice)
            # undo removes the last one and leaves an audit row
            last = twice[-1]
            _button(page, "撤销上一条").tap()
            undone = _wait_count(folder, officer_id, len(after), page)
            page.get_by_text("已撤销").first.wait_for(timeout=TIMEOUT_MS)
            _wait_idle(page)  # the run that undid it has drawn the page again
            assert last not in undone and len(undone) == len(after)
            assert f"visits:{last}" in _audit(folder, "visit_undone")
            # the phone was locked, the page reloaded: the login and the route are still there
            route = _route_items(page)
            done = re.search(r"已完成 (\d+)/", page.inner_text("[data-testid='stMain']"))
            assert done is not None and int(done.group(1)) >= 1
            again = context.new_page()
            again.goto(app.url + "/field", wait_until="domcontentloaded")
            _ready(again)
            assert _route_items(again) == route
            assert f"已完成 {done.group(1)}/" in again.inner_text("[data-testid='stMain']")
            again.close()
            # the page itself asks nothing of the internet (the tab's favicon, set by the
            # app's page_icon, is reported separately)
            assert [u for u in outside if "/s/i/short-term/" not in u] == []
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"field_{phone}_failed.png"), full_page=True)
            print(app.log())
            raise
        finally:
            context.close()
            browser.close()


@pytest.mark.parametrize("granted", [True, False], ids=["granted", "denied"])
def test_field_page_with_and_without_the_position(granted, city_dir, playwright_api, tmp_path):
    folder, officer_id = city_dir
    from geo.store import Store

    store = Store(f"sqlite:///{folder / 'data' / 'beatmap.sqlite'}")
    beats = store.read("beats")
    store.close()
    office = beats.iloc[0]
    where = {"latitude": float(office["office_lat"]), "longitude": float(office["office_lon"])}
    with run_app(_env(folder), log_dir=tmp_path) as app:
        browser, context, _ = _phone(playwright_api, "412", geolocation=where if granted else None)
        page = context.new_page()
        try:
            _login(page, app.url)
            _ready(page)
            page.get_by_text("使用我的位置").click()
            if granted:
                page.get_by_text("距下一站约").first.wait_for(timeout=TIMEOUT_MS)
            else:
                page.get_by_text("未能获取位置").first.wait_for(timeout=TIMEOUT_MS)
            _wait_idle(page)
            page.screenshot(
                path=str(ARTIFACTS / f"field_position_{'on' if granted else 'off'}.png"),
                full_page=True,
            )
            before = _visits(folder, officer_id)
            _button(page, "不在家").tap()
            page.get_by_text("已记录").first.wait_for(timeout=TIMEOUT_MS)
            assert len(_wait_count(folder, officer_id, len(before) + 1, page)) == len(before) + 1
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "field_position_failed.png"), full_page=True)
            print(app.log())
            raise
        finally:
            context.close()
            browser.close()
