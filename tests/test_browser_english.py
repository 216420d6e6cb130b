"""Every page in English, in headless Chromium: no Chinese label is left.

The demo city over tests/data/alleys_estate.osm and an administrator's account are made before
the app starts. The administrator logs in, switches to English and opens every page of the
navigation in the same session. The visible text of each page, the map iframes included
(legends, layer names), holds no Han character once the data values are taken out: every text
value of the store (names, addresses, estates, notes ...) and every name of the OSM file
(streets and estates the directions and the map name), and the area's own Chinese name.
Before the switch the same pages in Chinese hold none of the English phrases of the ``geo`` and
``layers`` catalogues.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.apprunner import run_app
from tests.browser import ARTIFACTS, DESKTOP, admin_city, app_env, launch_offline, settle
from tests.conftest import DATA, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OSM = DATA / "alleys_estate.osm"
TIMEOUT_MS = 240_000
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: the language switch itself names both languages on purpose
ALLOWED = ("语言 / Language", "中文")


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory) -> Path:
    return admin_city(tmp_path_factory.mktemp("english") / "data", OSM)


def _data_values(url: str) -> list[str]:
    """Every Chinese text value in the store and the OSM file, longest first."""
    from geo.model import TABLE_ORDER
    from geo.store import Store

    store = Store(url)
    values: set[str] = set()
    for name in TABLE_ORDER:
        frame = store.read(name)
        for col in frame.columns:
            if col == "geometry" or frame[col].dtype.kind not in "OU":
                continue
            values.update(str(v) for v in frame[col].dropna().unique() if HAN.search(str(v)))
    store.close()
    for tag in ET.parse(OSM).getroot().iter("tag"):
        if tag.get("k", "").startswith(("name", "addr:", "operator", "brand")):
            value = tag.get("v", "")
            if HAN.search(value):
                values.add(value)
    return sorted(values, key=len, reverse=True)


def _leftover(text: str, values: list[str]) -> list[str]:
    """Lines of ``text`` that still hold Han characters once data values are taken out."""
    out = []
    for line in text.splitlines():
        if not HAN.search(line):
            continue
        rest = line
        for allowed in ALLOWED:
            rest = rest.replace(allowed, "")
        for value in values:
            if value in rest:
                rest = rest.replace(value, "")
        if HAN.search(rest):
            out.append(line.strip())
    return out


def _settle(page) -> None:
    settle(page, TIMEOUT_MS, busy="Running|Stop|运行|停止", before_ms=1000, after_ms=1500)


def _maps_drawn(page) -> None:
    """Wait until every map iframe on the page has drawn its Leaflet map."""
    frames = page.locator('iframe[title="streamlit_folium.st_folium"]')
    for i in range(frames.count()):
        inner = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').nth(i)
        inner.locator(".leaflet-container").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)


def _page_text(page) -> str:
    _maps_drawn(page)
    texts = [page.inner_text("body")]
    for frame in page.frames[1:]:
        try:
            texts.append(frame.evaluate("() => document.body ? document.body.innerText : ''"))
            texts.append(
                frame.evaluate(
                    "() => [...document.querySelectorAll('[title], [aria-label]')]"
                    ".map(e => (e.getAttribute('title') || '') + ' ' +"
                    " (e.getAttribute('aria-label') || '')).join('\\n')"
                )
            )
        except Exception:  # a frame that went away while the page reran
            continue
    # placeholders of the page itself (its aria-labels also hold the browser's own words,
    # such as a time picker's hour and minute in the browser's locale)
    texts.append(
        page.evaluate(
            "() => [...document.querySelectorAll('[placeholder]')]"
            ".map(e => e.getAttribute('placeholder')).join('\\n')"
        )
    )
    return "\n".join(texts)


def test_every_page_in_english_holds_no_chinese_label(city_dir, playwright_api, tmp_path):
    env = app_env(city_dir, OSM)
    url = env["BEATMAP_DATABASE_URL"]
    values = _data_values(url)
    found: dict[str, list[str]] = {}
    ARTIFACTS.mkdir(exist_ok=True)
    with run_app(env, log_dir=tmp_path) as app:
        context, outside = launch_offline(playwright_api, tmp_path / "chromium", **DESKTOP)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)  # the machine may be busy: wait, never race
        try:
            browser_login(page, app.url + "/area", "admin")
            _settle(page)
            chinese = _every_page(page, "zh")
            page.get_by_text("English", exact=True).click()
            page.get_by_text("Log out").first.wait_for()
            _settle(page)
            for name, text in _every_page(page, "en").items():
                left = _leftover(text, values)
                if left:
                    found[name] = sorted(set(left))[:40]
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "english_FAILED.png"), full_page=True)
            (ARTIFACTS / "english_FAILED.log").write_text(app.log(300), encoding="utf-8")
            raise
        finally:
            context.close()
    assert outside == [], outside
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())
    # and the reverse: no English text of a catalogue is left on the Chinese pages
    english = _catalogue_english()
    assert len(english) > 50
    stray = {name: sorted(e for e in english if e in text)[:20] for name, text in chinese.items()}
    stray = {k: v for k, v in stray.items() if v}
    assert not stray, stray


def _every_page(page, lang: str) -> dict[str, str]:
    """The text of every page of the navigation, opened in turn in the same session."""
    nav = page.locator('[data-testid="stSidebarNav"] a')
    paths = [a.get_attribute("href") for a in nav.all()]
    assert len(paths) >= 6, paths
    texts = {}
    for i, href in enumerate(paths):
        name = urlsplit(href).path.strip("/") or "home"
        page.locator('[data-testid="stSidebarNav"] a').nth(i).click()
        _settle(page)
        text = _page_text(page)
        page.screenshot(path=str(ARTIFACTS / f"lang_{lang}_{name}.png"), full_page=True)
        assert "Traceback" not in text, (name, text[-2000:])
        texts[name] = text
    return texts


def _catalogue_english() -> set[str]:
    """English texts of every geo.i18n catalogue of geo/ and layers/ that read as a phrase."""
    import gc
    import importlib
    import pkgutil

    import geo
    import layers
    from geo.i18n import Catalogue

    for pkg in (geo, layers):
        for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if not mod.name.endswith(("cli", "__main__")) and "migrations" not in mod.name:
                importlib.import_module(mod.name)
    out = set()
    for obj in gc.get_objects():
        if isinstance(obj, Catalogue):
            for zh, en in obj.values():
                if len(en) >= 12 and " " in en and "{" not in en and HAN.search(zh):
                    out.add(en)
    return out
