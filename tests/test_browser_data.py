"""The Data page in headless Chromium: bad files get a clear answer, never a traceback.

The demo city over tests/data/alleys_estate.osm and an administrator's account are made
before the app starts. The administrator uploads, one after the other, an empty CSV, a
header-only CSV, a CSV in UTF-16 without a byte-order mark, and visits with a NUL byte and an
ambiguous date. Each time the page says how many problems it found and that nothing was
written; no Python traceback shows and no table changes. (The problem table is drawn on a
canvas; that its rows name the file, row and field is checked on :func:`geo.io.import_file`
in tests/test_badinput.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apprunner import run_app
from tests.browser import ARTIFACTS, admin_city, app_env, launch_offline, settle
from tests.conftest import DATA, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OSM = DATA / "alleys_estate.osm"
TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory) -> Path:
    return admin_city(tmp_path_factory.mktemp("datapage") / "data", OSM)


def _bad_files(folder: Path) -> list[tuple[Path, str, int]]:
    """(file, table, number of problems the page must report)."""
    empty = folder / "empty.csv"
    empty.write_bytes(b"")
    header = folder / "header.csv"
    header.write_text("name,address,lon,lat\n", encoding="utf-8")
    utf16 = folder / "utf16.csv"
    utf16.write_bytes("name,address,lon,lat\n派出所,东城,116.41,39.94\n".encode("utf-16-le"))
    visits = folder / "visits.csv"
    visits.write_text(
        "household_id,officer_id,visited_at,outcome,notes\n"
        "1,1,2026-04-01 17:00,visited,ok\n"
        "1,1,03/04/2026 18:00,visited,fine\n"
        "2,1,2026-04-02 17:00,visited,bad\x00byte\n",
        encoding="utf-8",
    )
    return [
        (empty, "stations", 1),
        (header, "stations", 1),
        (utf16, "stations", 1),
        (visits, "visits", 2),  # an ambiguous date in row 2, a NUL byte in row 3
    ]


def test_data_page_refuses_bad_files_without_traceback(city_dir, playwright_api, tmp_path):
    from geo.store import Store

    env = app_env(city_dir, OSM)
    store = Store(env["BEATMAP_DATABASE_URL"])
    before = store.counts()
    files = tmp_path / "files"
    files.mkdir()
    ARTIFACTS.mkdir(exist_ok=True)
    with run_app(env, log_dir=tmp_path) as app:
        context, _outside = launch_offline(
            playwright_api, tmp_path / "chromium", viewport={"width": 1400, "height": 1000}
        )
        page = context.new_page()
        try:
            page.goto(app.url + "/data", wait_until="domcontentloaded")
            page.get_by_label("用户名").wait_for(timeout=TIMEOUT_MS)
            browser_login(page, app.url + "/data", "admin")
            page.get_by_text("导入到哪个表").wait_for(timeout=TIMEOUT_MS)
            settle(page, TIMEOUT_MS)
            for path, kind, count in _bad_files(files):
                page.get_by_role("combobox", name="导入到哪个表").click()
                page.get_by_role("option", name=f"（{kind}）").click()
                settle(page, TIMEOUT_MS)
                page.locator('input[type="file"]').set_input_files(str(path))
                page.get_by_text(path.name).first.wait_for(timeout=60_000)
                settle(page, TIMEOUT_MS)
                page.get_by_role("button", name="导入", exact=True).click()
                page.get_by_text(f"发现 {count} 个问题，未写入任何数据").wait_for(
                    timeout=TIMEOUT_MS
                )
                settle(page, TIMEOUT_MS)
                body = page.inner_text("body")
                page.screenshot(path=str(ARTIFACTS / f"data_{path.stem}.png"), full_page=True)
                assert "Traceback" not in body and "Error" not in body, body[-2000:]
                assert page.locator('[data-testid="stException"]').count() == 0
                assert page.locator('[data-testid="stDataFrame"]').count() >= 2  # the problems
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "data_FAILED.png"), full_page=True)
            (ARTIFACTS / "data_FAILED.log").write_text(app.log(300), encoding="utf-8")
            raise
        finally:
            context.close()
    assert store.counts() == before
