"""The Coverage page under Streamlit's AppTest: runs without exception, shows the right numbers.

The fixture city is the demo generator over a stand-in grid area (tests/_coverage_city.py),
written to a SQLite store in a temporary folder; the workspace that ``ui.cache`` hands to the
pages is replaced by one over that store, so the test needs no OSM file. A second test goes the
real way (``BEATMAP_OSM_FILE=tests/data/alleys_estate.osm``). Every run is logged in as a
city-wide chief.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui.cache
from geo.coverage import coverage_view, household_status
from geo.demo import write_demo
from geo.filters import Filters, apply_filters, with_beat
from geo.settings import load_settings
from geo.store import Store
from geo.workspace import Workspace
from tests._coverage_city import fixture_city
from tests.conftest import app_test, login_app_test

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def _entry() -> AppTest:
    """The entry script, logged in as a city-wide chief."""
    return login_app_test(app_test(TIMEOUT), username="chief", role="chief")


def _coverage_path() -> str:
    return str(ROOT / "ui" / "coverage.py")


@pytest.fixture()
def fixture_workspace(tmp_path, monkeypatch):
    """The fixture city in a SQLite store; ui.cache serves it as the workspace."""
    area, city = fixture_city()
    settings = load_settings(
        {"BEATMAP_DATA_DIR": str(tmp_path), "BEATMAP_ONLINE": "no", "BEATMAP_LANGUAGE": "zh"}
    )
    store = Store(settings.database_url)
    write_demo(store, city, source="grid")
    ws = Workspace(settings, store, area, [])
    monkeypatch.setattr(ui.cache, "get_workspace", lambda: ws)
    monkeypatch.setattr(ui.cache, "get_store", lambda: store)
    monkeypatch.setattr(ui.cache, "get_settings", lambda: settings)
    monkeypatch.setattr(ui.cache, "get_area", lambda: area)
    ui.cache.st.cache_data.clear()
    ui.cache.st.cache_resource.clear()
    yield ws
    ui.cache.st.cache_data.clear()
    ui.cache.st.cache_resource.clear()
    store.close()


def _expected(city_frames, filters: Filters):
    frames = dict(city_frames)
    for name in ("incidents", "cameras"):
        frames[name] = with_beat(frames[name], frames["beats"])
    return coverage_view(frames, filters, target_date=filters.end or "2026-06-30")


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def test_every_page_runs(fixture_workspace):
    at = _entry()
    at.run()
    assert not at.exception, at.exception
    at.switch_page(_coverage_path())
    at.run()
    assert not at.exception, at.exception


def test_coverage_numbers_match_geo(fixture_workspace):
    _, city = fixture_city()
    at = _entry()
    at.run()
    at.switch_page(_coverage_path())
    at.run()
    assert not at.exception, at.exception
    assert at.header[0].value == "覆盖率"
    filters = at.session_state["beatmap_filters"]
    assert filters.start == pd.Timestamp("2026-03-01") and filters.end.month == 6
    expected = _expected(city.frames, filters)
    tot = expected.totals
    assert _metric(at, "住户") == f"{tot['households']:,}"
    assert _metric(at, "已走访") == f"{tot['visited']:,}"
    assert _metric(at, "未走访") == f"{tot['unvisited']:,}"
    # the beat table: same households and visited per beat, laggards first
    table = at.dataframe[0].value
    assert list(table["名称"]) == list(expected.progress["beat"]["name"])
    assert list(table["已走访"]) == list(expected.progress["beat"]["visited"])
    # the status the page used is the one geo.coverage computes from the raw tables
    hh = city.frames["households"]
    st_ = household_status(hh, city.frames["visits"], end=expected.as_of)
    assert tot["visited"] == int((st_["status"] == "visited").sum())


def test_filters_persist_and_narrow(fixture_workspace):
    _, city = fixture_city()
    at = _entry()
    at.run()
    at.switch_page(_coverage_path())
    at.run()
    at.multiselect(key="flt_stations").set_value([2]).run()
    assert not at.exception, at.exception
    at.radio(key="flt_household_type").set_value("rental").run()
    assert not at.exception, at.exception
    filters = at.session_state["beatmap_filters"]
    assert filters.stations == (2,) and filters.household_type == "rental"
    kept = apply_filters(city.frames, filters)["households"]
    assert _metric(at, "住户") == f"{len(kept):,}"
    # another page and back: the choices are still there
    at.switch_page(str(ROOT / "ui" / "area.py")).run()
    at.switch_page(_coverage_path()).run()
    assert not at.exception, at.exception
    assert at.session_state["beatmap_filters"].stations == (2,)
    assert _metric(at, "住户") == f"{len(kept):,}"


def test_select_beat_shows_detail(fixture_workspace):
    at = _entry()
    at.run()
    at.switch_page(_coverage_path())
    at.run()
    at.selectbox(key="cov_beat").set_value(3).run()
    assert not at.exception, at.exception
    at.radio(key="cov_level").set_value("officer").run()
    assert not at.exception, at.exception
    # only the open tab runs: the beat's households are drawn once its tab is opened
    assert not any(s.value == "第3警务区" for s in at.subheader)
    at.session_state["cov_tab"] = "警务区详情"
    at.run()
    assert not at.exception, at.exception
    assert any(s.value == "第3警务区" for s in at.subheader)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Coverage"


@pytest.mark.slow
def test_real_osm_fixture(app_env):
    at = _entry()
    at.run()
    assert not at.exception, at.exception
    at.switch_page(_coverage_path())
    at.run()
    assert not at.exception, at.exception
    n = ui.cache.get_workspace().store.count("households")
    assert _metric(at, "住户") == f"{n:,}"


HAN = re.compile(r"[\u4e00-\u9fff]")
#: element kinds whose labels and values a user reads
READ_KINDS = (
    "title", "header", "subheader", "caption", "markdown", "text", "info", "success", "warning",
    "error", "metric", "tabs", "expander", "button", "selectbox", "multiselect", "radio",
    "checkbox", "toggle", "date_input", "slider", "select_slider", "number_input",
)  # fmt: skip


def test_english_page_has_no_chinese_outside_data_values(fixture_workspace):
    _, city = fixture_city()
    names = {
        str(v)
        for table, col in (("beats", "name"), ("stations", "name"), ("officers", "name"))
        for v in city.frames[table][col].dropna()
    }
    names.add("语言 / Language")  # the switch itself speaks both
    at = _entry()
    at.run()
    at.switch_page(_coverage_path()).run()
    at.selectbox(key="cov_beat").set_value(3).run()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    texts = []
    for kind in READ_KINDS:
        for el in at.get(kind):
            texts += [v for v in (getattr(el, "label", None), getattr(el, "value", None)) if v]
    texts += [str(c) for df in at.dataframe for c in df.value.columns]
    assert len(texts) > 30
    left = []
    for text in texts:
        if not isinstance(text, str):
            continue
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "")
        if HAN.search(text):
            left.append(text)
    assert not left, left
