"""The Data page in headless Chromium: an import is previewed and written only once confirmed.

The demo city over tests/data/alleys_estate.osm and an administrator's account are made before
the app starts. The administrator uploads a households CSV of three new households and one that
is already in the store. The page shows the preview (nothing written yet, the counts, which
column went to which field, the datum, the first rows as stored) and the store's row counts do
not change; only the confirm button writes, and then exactly the new rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apprunner import run_app
from tests.browser import ARTIFACTS, DESKTOP, admin_city, app_env, launch_offline, settle
from tests.conftest import DATA, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OSM = DATA / "alleys_estate.osm"
TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory) -> Path:
    return admin_city(tmp_path_factory.mktemp("importpreview") / "data", OSM)


def _households_csv(store, path: Path) -> None:
    """Three new households inside the first beat and a copy of one already stored."""
    beats = store.read("beats")
    inner = beats.geometry.iloc[0].representative_point()
    old = store.read("households").sort_values("id").iloc[0]
    lines = ["地址,楼号,单元,房号,经度,纬度"]
    for i in range(3):
        lines.append(f"预览测试路 {i + 1} 号,,,,{inner.x + i * 1e-5:.7f},{inner.y:.7f}")
    cells = ["" if v is None or v != v else str(v) for v in (old.building, old.unit, old.room)]
    lines.append(f"{old.address},{','.join(cells)},{old.geometry.x:.7f},{old.geometry.y:.7f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_import_is_previewed_and_written_only_when_confirmed(city_dir, playwright_api, tmp_path):
    from geo.store import Store

    env = app_env(city_dir, OSM)
    store = Store(env["BEATMAP_DATABASE_URL"])
    upload = tmp_path / "新住户.csv"
    _households_csv(store, upload)
    before = store.counts()
    ARTIFACTS.mkdir(exist_ok=True)
    with run_app(env, log_dir=tmp_path) as app:
        context, outside = launch_offline(playwright_api, tmp_path / "chromium", **DESKTOP)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)  # the machine may be busy: wait, never race
        try:
            browser_login(page, app.url + "/data", "admin")
            page.get_by_text("导入到哪个表").wait_for(timeout=TIMEOUT_MS)
            settle(page, TIMEOUT_MS)
            page.get_by_role("combobox", name="导入到哪个表").click()
            page.get_by_role("option", name="（households）").click()
            settle(page, TIMEOUT_MS)
            page.locator('input[type="file"]').set_input_files(str(upload))
            page.get_by_text(upload.name).first.wait_for(timeout=60_000)
            settle(page, TIMEOUT_MS)
            page.get_by_role("button", name="导入", exact=True).click()
            page.get_by_text("尚未写入任何数据").wait_for(timeout=TIMEOUT_MS)
            settle(page, TIMEOUT_MS)
            body = page.inner_text("body")
            grids = "\n".join(
                g.inner_text() for g in page.locator('[data-testid="stDataFrame"]').all()
            )
            page.screenshot(path=str(ARTIFACTS / "import_preview.png"), full_page=True)
            assert "Traceback" not in body, body[-2000:]
            assert "坐标系：" in body, body[-2000:]
            assert "写入后的前 3 行" in body, body[-2000:]
            assert "第 4 行" in body, body[-2000:]  # the duplicate named by its row
            assert store.counts() == before  # shown, not written
            metrics = {
                m.locator('[data-testid="stMetricLabel"]').inner_text().strip(): m.locator(
                    '[data-testid="stMetricValue"]'
                )
                .inner_text()
                .strip()
                for m in page.locator('[data-testid="stMetric"]').all()
            }
            assert metrics == {
                "读取行数": "4",
                "新记录": "3",
                "重复（将跳过）": "1",
                "不在任何警务区内": "0",
            }, metrics
            assert "列与字段" in body and "Traceback" not in grids

            page.get_by_role("button", name="确认写入").click()
            page.get_by_text("写入住户").first.wait_for(timeout=TIMEOUT_MS)
            settle(page, TIMEOUT_MS)
            page.screenshot(path=str(ARTIFACTS / "import_confirmed.png"), full_page=True)
            assert outside == []
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "import_preview_FAILED.png"), full_page=True)
            (ARTIFACTS / "import_preview_FAILED.log").write_text(app.log(300), encoding="utf-8")
            raise
        finally:
            context.close()
    after = store.counts()
    assert after["households"] == before["households"] + 3
    assert {k: v for k, v in after.items() if k != "households"} == {
        k: v for k, v in before.items() if k != "households"
    }
    written = store.read("households", columns=["address"])
    assert sum(a.startswith("预览测试路") for a in written.address) == 3
