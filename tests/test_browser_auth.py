"""Logins in headless Chromium: nothing before a login, scope per officer, masked chief exports.

The city is the demo over the real Jiangsu estate extract (two beats of one station), built
with the command line before the app starts. An officer of beat 1 and a chief of the station get
accounts through ``geo.auth``; the first administrator is made on the web page with the setup
code the server printed. Then:

- before any login the page (and every frame in it) holds no household address;
- the setup code creates the administrator; a wrong password is refused;
- a deep link (``/coverage``) asks for the login once and lands where it pointed;
- the officer opens every page offered and no address of the other beat appears anywhere in
  the page or its iframes;
- the chief's promotion-list export holds no contact name or phone unmasked.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo.store import Store
from tests.apprunner import run_app
from tests.browser import ARTIFACTS, launch_offline
from tests.conftest import TEST_PASSWORD, browser_login, make_account

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
SETTLE_MS = 180_000


def _settle(page) -> None:
    """Wait until Streamlit has finished running the page's script (and stays finished)."""
    done = (
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
    )
    for _ in range(2):  # a rerun may follow the first run (the login's cookie, a map's event)
        page.wait_for_function(done, timeout=SETTLE_MS)
        page.wait_for_timeout(1500)
    page.wait_for_function(done, timeout=SETTLE_MS)


def _maps_drawn(page) -> None:
    """Wait until every Folium map iframe of the page has drawn its Leaflet map."""
    frames = page.locator('iframe[title="streamlit_folium.st_folium"]')
    for i in range(frames.count()):
        inner = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').nth(i)
        # attached, not visible: a map inside a closed tab is in the page all the same
        inner.locator(".leaflet-container").wait_for(state="attached", timeout=SETTLE_MS)
        inner.locator(".leaflet-container path, .leaflet-marker-icon").first.wait_for(
            state="attached", timeout=SETTLE_MS
        )
    page.wait_for_timeout(500)


def _all_html(page) -> str:
    """The page's HTML and that of every frame inside it (the Folium maps are iframes)."""
    parts = []
    for frame in page.frames:
        try:
            parts.append(frame.content())
        except Exception:  # a frame that went away while reading
            continue
    return "\n".join(parts)


@pytest.fixture()
def estate_city(shared_osm, tmp_path):
    osm = shared_osm / "jiangsu-estate-small.osm"
    data = tmp_path / "data"
    data.mkdir()
    db = data / "beatmap.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "geo.cli", "demo", "--osm", str(osm), "--db", str(db),
         "--households-per-beat", "150"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    store = Store(f"sqlite:///{db}")
    hh = store.read("households", columns=["address", "beat_id", "contact_name", "contact_phone"])
    assert hh["beat_id"].nunique() >= 2, "the fixture city needs two beats"
    return osm, data, store, hh


def test_login_scope_and_masking(estate_city, playwright_api, tmp_path):
    osm, data, store, hh = estate_city
    offs = store.read("officers")
    cop = offs[(offs["role"] == "community_officer") & (offs["beat_id"] == 1)].iloc[0]
    station = int(offs["station_id"].iloc[0])
    env = {
        "BEATMAP_DATA_DIR": str(data),
        "BEATMAP_OSM_FILE": str(osm),
        "BEATMAP_TILES": "none",
        "BEATMAP_ONLINE": "no",
        "BEATMAP_LANGUAGE": "zh",
    }
    mine = hh[hh["beat_id"] == 1]["address"].tolist()
    others = [a for a in hh[hh["beat_id"] != 1]["address"] if not any(a in m for m in mine)]
    assert others
    ARTIFACTS.mkdir(exist_ok=True)
    # server.py: the app as `beatmap serve` runs it, with the HttpOnly cookie routes
    with run_app(env, script="server.py", log_dir=tmp_path) as app:
        context, outside = launch_offline(
            playwright_api, tmp_path / "chromium", viewport={"width": 1400, "height": 900}
        )
        page = context.new_page()
        try:
            # first start: the setup form, and no household data anywhere
            page.goto(app.url + "/coverage", wait_until="domcontentloaded")
            page.get_by_text("首次启动：创建管理员").wait_for(timeout=SETTLE_MS)
            _settle(page)
            html = _all_html(page)
            assert not [a for a in hh["address"] if a in html]
            code = re.search(r"首次设置码: ([A-Z0-9-]+)", app.log(400))
            assert code, app.log()
            page.get_by_label("设置码").fill("WRONG-CODE-0000")
            page.get_by_label("用户名").fill("chief-admin")
            page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
            page.get_by_label("再次输入密码").fill(TEST_PASSWORD)
            page.get_by_role("button", name="创建管理员").click()
            page.get_by_text("设置码有误").or_(page.get_by_text("setup code is wrong")).wait_for(
                timeout=60_000
            )
            page.get_by_label("设置码").fill(code.group(1))
            page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
            page.get_by_label("再次输入密码").fill(TEST_PASSWORD)
            page.get_by_role("button", name="创建管理员").click()
            page.get_by_text("退出登录").wait_for(timeout=SETTLE_MS)
            page.get_by_role("button", name="退出登录").click()
            page.get_by_text("BeatMap 登录").wait_for(timeout=60_000)

            make_account(store, "officer1", "officer", officer_id=int(cop["id"]))
            make_account(store, "chief1", "chief", station_id=station)

            # a wrong password is refused, and nothing of the city shows
            page.goto(app.url + "/coverage", wait_until="domcontentloaded")
            page.get_by_label("用户名").fill("officer1")
            page.get_by_label("密码", exact=True).fill("Not-The-Password-1")
            page.get_by_role("button", name="登录").click()
            page.get_by_text("用户名或密码错误").wait_for(timeout=60_000)
            assert not [a for a in hh["address"] if a in _all_html(page)]

            # the deep link lands on the Coverage page after the login
            browser_login(page, app.url + "/coverage", "officer1")
            page.wait_for_url(re.compile(r"/coverage$"), timeout=60_000)
            # the browser trades a one-time ticket for the cookie, then reloads the page
            for _ in range(120):
                cookie = [c for c in context.cookies() if c["name"] == "beatmap_session"]
                if cookie:
                    break
                page.wait_for_timeout(500)
            _settle(page)
            assert cookie and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Strict"
            assert "beatmap_session" not in page.evaluate("document.cookie")

            # every page the officer is offered: no other beat's address anywhere
            links = page.locator('[data-testid="stSidebarNav"] a')
            links.first.wait_for(timeout=SETTLE_MS)
            _settle(page)
            paths = sorted({urlsplit(link.get_attribute("href")).path.strip("/")
                            for link in links.all()})  # fmt: skip
            assert "data" not in paths and "accounts" not in paths and "audit" not in paths
            assert {"coverage", "routes"} <= set(paths)
            seen_own = 0
            for path in paths:
                page.goto(f"{app.url}/{path}", wait_until="domcontentloaded")
                _settle(page)
                _maps_drawn(page)
                assert page.get_by_text("BeatMap 登录").count() == 0, path
                html = _all_html(page)
                leaked = [a for a in others if a in html]
                seen_own += sum(a in html for a in mine)
                page.screenshot(path=str(ARTIFACTS / f"auth_officer_{path or 'home'}.png"))
                assert not leaked, f"{path}: {leaked[:5]}"
            # the check can fail: the officer's own addresses do reach the page
            assert seen_own > 0
            page.get_by_role("button", name="退出登录").click()
            page.get_by_text("BeatMap 登录").wait_for(timeout=60_000)
            # the server's logout route removes the HttpOnly cookie, then reloads the page
            for _ in range(120):
                if not [c for c in context.cookies() if c["name"] == "beatmap_session"]:
                    break
                page.wait_for_timeout(500)
            _settle(page)

            # the chief's export is masked
            browser_login(page, app.url + "/cameras", "chief1")
            page.wait_for_url(re.compile(r"/cameras$"), timeout=60_000)
            _settle(page)
            page.get_by_role("tab", name="推广点位排序").click()
            with page.expect_download(timeout=SETTLE_MS) as dl:
                page.get_by_role("button", name="导出推广名单（CSV）").click()
            text = Path(dl.value.path()).read_bytes().decode("utf-8-sig")
            names = [n for n in hh["contact_name"].dropna() if len(str(n)) >= 2]
            phones = [p for p in hh["contact_phone"].dropna() if len(str(p)) >= 7]
            assert names and phones
            assert not [n for n in names if n in text]
            assert not [p for p in phones if p in text]
            assert "*" in text
            html = _all_html(page)
            assert not [p for p in phones if p in html]

            # a login at the app's root: the cookie is set before the home page opens under its
            # own address, so the login survives a reload
            page.get_by_role("button", name="退出登录").click()
            page.get_by_text("BeatMap 登录").wait_for(timeout=60_000)
            for _ in range(120):
                if not [c for c in context.cookies() if c["name"] == "beatmap_session"]:
                    break
                page.wait_for_timeout(500)
            browser_login(page, app.url + "/", "chief1")
            page.wait_for_url(re.compile(r"/area$"), timeout=60_000)
            for _ in range(120):
                if [c for c in context.cookies() if c["name"] == "beatmap_session"]:
                    break
                page.wait_for_timeout(500)
            assert [c for c in context.cookies() if c["name"] == "beatmap_session"]
            page.reload(wait_until="domcontentloaded")
            page.get_by_text("退出登录").first.wait_for(timeout=60_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "auth_FAILED.png"))
            (ARTIFACTS / "auth_FAILED.log").write_text(app.log(300), encoding="utf-8")
            raise
        finally:
            context.close()


def test_header_mode_trusts_only_the_proxy(playwright_api, tmp_path):
    """Header mode: the user name header counts only from a configured proxy address."""
    data = tmp_path / "data"
    make_account(data, "wang", "chief")
    env = {
        "BEATMAP_DATA_DIR": str(data),
        "BEATMAP_OSM_FILE": str(ROOT / "tests" / "data" / "alleys_estate.osm"),
        "BEATMAP_TILES": "none",
        "BEATMAP_ONLINE": "no",
        "BEATMAP_LANGUAGE": "zh",
        "BEATMAP_AUTH": "header",
        "BEATMAP_AUTH_HEADER": "X-Remote-User",
    }
    for proxies, trusted in (("10.9.9.9", False), ("10.9.9.9, 127.0.0.1", True)):
        with run_app({**env, "BEATMAP_TRUSTED_PROXIES": proxies}, log_dir=tmp_path) as app:
            context, _ = launch_offline(
                playwright_api,
                tmp_path / f"chromium{trusted}",
                viewport={"width": 1200, "height": 800},
            )
            context.set_extra_http_headers({"X-Remote-User": "wang"})
            page = context.new_page()
            try:
                page.goto(app.url + "/coverage", wait_until="domcontentloaded")
                if trusted:
                    page.get_by_text("当前用户：wang").wait_for(timeout=SETTLE_MS)
                    _settle(page)
                    assert page.get_by_text("不受信任").count() == 0
                else:
                    page.get_by_text("不受信任的地址").wait_for(timeout=SETTLE_MS)
                    _settle(page)
                    assert page.get_by_text("当前用户").count() == 0
                    assert page.locator('iframe[title="streamlit_folium.st_folium"]').count() == 0
            except Exception:
                page.screenshot(path=str(ARTIFACTS / f"auth_header_{trusted}_FAILED.png"))
                raise
            finally:
                context.close()
    from geo.auth import audit

    log = audit.read(Store(f"sqlite:///{data / 'beatmap.sqlite'}"), username="wang")
    assert "login_failed" in set(log["action"]) and "login" in set(log["action"])
