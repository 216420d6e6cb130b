"""Progress of long work: the tracker's shares and estimate, the terminal renderer, the CLI."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from geo._errors import InputError
from geo.progress import Tracker, Update, eta_text, terminal_renderer
from geo.store import Store
from tests._city import small_city

STEPS = [("读取", "read"), ("校验", "check"), ("写入", "write")]


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tracker_shares_follow_the_weights_and_the_estimate_the_pace():
    seen: list[Update] = []
    clock = _Clock()
    track = Tracker(seen.append, STEPS, weights=(1, 1, 2), clock=clock)
    track.start(0)
    assert seen[-1].fraction == 0 and seen[-1].eta is None
    clock.now += 10
    track.start(1, total=200)
    assert seen[-1].fraction == pytest.approx(0.25)
    # a quarter done in 10 s: three quarters left take about 30 s
    assert seen[-1].eta == pytest.approx(30.0)
    clock.now += 5
    track.update(100)
    assert seen[-1].fraction == pytest.approx(0.375)
    assert (seen[-1].done, seen[-1].total) == (100, 200)
    track.start(2)
    assert (seen[-1].index, seen[-1].steps, seen[-1].label) == (3, 3, ("写入", "write"))
    track.finish()
    assert seen[-1].fraction == 1.0 and seen[-1].eta == 0.0
    assert [u.fraction for u in seen] == sorted(u.fraction for u in seen)


def test_tracker_without_a_callback_does_nothing_and_refuses_bad_steps():
    track = Tracker(None, STEPS)
    track.start(1, total=3)
    track.update(2)
    track.finish()
    with pytest.raises(InputError):
        track.start(3)
    with pytest.raises(InputError):
        Tracker(None, [])
    with pytest.raises(InputError):
        Tracker(None, STEPS, weights=(1, 0, 1))


def test_update_text_and_estimate_words():
    u = Update(2, 4, ("写入", "writing"), 120, 300, 0.4, 8.0, 12.4)
    assert u.text("zh") == "步骤 2/4：写入（120/300） · 约剩 12 秒"
    assert u.text("en") == "step 2/4: writing (120/300) · about 12 s left"
    assert eta_text(None) == ""
    assert eta_text(150, "en") == "about 2 min left"
    assert eta_text(float("nan"), "zh") == ""


def _feed(render, clock_steps: int = 100) -> None:
    clock = _Clock()
    track = Tracker(render, STEPS, clock=clock)
    for step in range(3):
        track.start(step, total=clock_steps)
        for done in range(1, clock_steps + 1):
            clock.now += 0.01
            track.update(done)
    track.finish()


def test_terminal_renderer_writes_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    _feed(terminal_renderer(out, lang="en"))
    text = out.getvalue()
    lines = text.splitlines()
    assert "\r" not in text and "[" not in text
    # a line when each step begins, at each further tenth, and one at the end: not 300
    assert 3 <= len(lines) <= 15, lines
    assert lines[0].startswith("  0% step 1/3: read")
    assert any(line.startswith(" 33% step 2/3: check") for line in lines), lines
    assert lines[-1].startswith("100% step 3/3: write")
    assert len(set(lines)) == len(lines)


def test_terminal_renderer_draws_one_bar_on_a_terminal():
    out = _Tty()
    _feed(terminal_renderer(out, lang="zh", width=10))
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    last = text.rstrip("\n").split("\r")[-1]
    assert last.startswith("[##########] 100% 步骤 3/3：写入")
    assert "[#####-----]  50% 步骤 2/3：校验" in text


def test_cli_import_prints_plain_progress_lines_when_not_a_terminal(tmp_path):
    db = tmp_path / "city.sqlite"
    store = Store(f"sqlite:///{db}")
    small_city(store, households=10)
    store.close()
    path = tmp_path / "stations.csv"
    path.write_text("name,lon,lat\n新派出所,116.415,39.925\n", encoding="utf-8")
    env = {**os.environ, "BEATMAP_ONLINE": "no", "BEATMAP_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "geo.cli", "import", "stations", str(path), "--db", str(db)]
        + ["--datum", "wgs84", "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert "1 written" in out.stdout
    lines = out.stderr.splitlines()
    assert "\r" not in out.stderr
    steps = [line for line in lines if "% step " in line]
    assert steps[0].startswith("  0% step 1/4: reading the file"), lines
    assert any("step 3/4: checking against the store" in line for line in steps), lines
    assert steps[-1].startswith("100% step 4/4: writing"), lines
    assert "% step" not in out.stdout  # progress stays off the data stream


@pytest.mark.slow
def test_first_start_shows_its_steps_in_a_status_box(app_env):
    from geo.store import Store as _Store
    from tests.conftest import app_test

    at = app_test(timeout=600)
    at.run()
    assert not at.exception, at.exception
    labels = [s.label for s in at.status]
    assert any(label.startswith("首次启动：正在生成演示城市") for label in labels), labels
    box = next(s for s in at.status if s.label.startswith("首次启动"))
    assert box.state == "complete"
    steps = [m.value for m in box.markdown]
    assert steps == ["1/3 · 读取 OSM 区域", "2/3 · 生成演示城市", "3/3 · 写入数据库"], steps
    db = next(app_env.glob("*.sqlite"))
    assert _Store(f"sqlite:///{db}").count("households") > 0
    # the next run opens the same workspace: no first start again
    at.run()
    assert not [s for s in at.status if s.label.startswith("首次启动")]


@pytest.mark.slow
def test_campaign_plan_reports_households_placed_evening_by_evening():
    from geo.evening import plan_campaign
    from tests.test_evening import DATA, FAST, city, community_officer, tables

    area, c = city(str(DATA / "alleys_estate.osm"))
    frames = tables(c)
    seen: list[Update] = []
    plan = plan_campaign(
        area,
        frames,
        officer=community_officer(frames),
        start_date="2026-04-15",
        target_date="2026-06-30",
        settings=FAST,
        progress=seen.append,
    )
    assert [u.index for u in seen][0] == 1 and seen[-1].fraction == 1.0
    placing = [u for u in seen if u.index == 2 and u.done]
    # one update per evening of the first pass, ending with every household placed
    assert len(placing) >= len(plan.evenings) >= 1
    assert placing[-1].done == placing[-1].total
    assert [u.done for u in placing] == sorted(u.done for u in placing)
    assert [u.fraction for u in seen] == sorted(u.fraction for u in seen)


@pytest.mark.slow
def test_cameras_page_shows_the_plan_steps_once_then_reads_the_cache(app_env):
    from pathlib import Path

    import ui.cache
    from tests.conftest import app_test, login_app_test

    page = str(Path(__file__).resolve().parent.parent / "ui" / "cameras.py")
    ui.cache._planned.clear()
    at = login_app_test(app_test(300), username="chief", role="chief")
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    boxes = [s for s in at.status if s.label.startswith("正在计算摄像头点位")]
    assert len(boxes) == 1 and boxes[0].state == "complete", [s.label for s in at.status]
    steps = [m.value for m in boxes[0].markdown]
    assert steps == [
        "1/5 · 计算需求",
        "2/5 · 已装设备的覆盖",
        "3/5 · 候选点位",
        "4/5 · 选址求解",
        "5/5 · 汇总结果",
    ], steps
    metrics = {m.label: m.value for m in at.metric}
    at.run()  # the same plan again: read from the cache, no steps shown
    assert not at.exception, at.exception
    assert not [s for s in at.status if s.label.startswith("正在计算摄像头点位")]
    assert {m.label: m.value for m in at.metric} == metrics


@pytest.mark.slow
def test_cli_demo_and_a_station_s_sheets_print_plain_progress_lines(tmp_path):
    from tests.conftest import DATA

    env = {**os.environ, "BEATMAP_ONLINE": "no", "BEATMAP_DATA_DIR": str(tmp_path)}
    db = str(tmp_path / "demo.sqlite")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "geo.cli", *args, "--db", db, "--lang", "en"],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    demo = cli("demo", "--osm", str(DATA / "alleys_estate.osm"), "--seed", "5")
    assert demo.returncode == 0, demo.stderr
    steps = [line for line in demo.stderr.splitlines() if "% step " in line]
    order = [line.split("% step ")[1][:3] for line in steps]
    assert order == sorted(order) and set(order) == {"1/3", "2/3", "3/3"}, steps
    assert steps[-1].startswith("100% step 3/3: writing to the database"), steps
    assert "\r" not in demo.stderr and "% step" not in demo.stdout

    out = tmp_path / "sheets"
    route = cli("route", "--station", "1", "--date", "2026-04-15", "--out", str(out))
    assert route.returncode == 0, route.stderr
    sheets = len(list(out.glob("route_*.pdf")))
    lines = [line for line in route.stderr.splitlines() if "routes and sheets" in line]
    assert lines[0].startswith("  0% step 1/1: routes and sheets"), lines
    assert lines[-1].startswith("100% step 1/1: routes and sheets"), lines
    assert f"({sheets}/{sheets})" in lines[-1] or sheets == 0, lines
