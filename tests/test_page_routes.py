"""The Routes page under Streamlit's AppTest, the real way (``app_env`` in conftest): the fixture
OSM file, a demo city built on first start in a temporary data folder, no internet.

Logged in as the first community officer, runs the page, checks the route is shown, ticks a stop
(visited, with card and register) and checks a visit row was written and that the next route
leaves that household out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.cache
from tests.conftest import app_test, login_app_test

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "ui" / "routes.py")
TIMEOUT = 120


def _entry() -> AppTest:
    """The app logged in as the first community officer with a beat (the page's default)."""
    officers = ui.cache.get_workspace().store.read("officers")
    mine = officers[(officers["role"] == "community_officer") & officers["beat_id"].notna()]
    officer_id = int(mine["id"].min())
    at = app_test(TIMEOUT)
    return login_app_test(at, username="officer", role="officer", officer_id=officer_id)


@pytest.mark.slow
def test_route_page_shows_the_route_and_records_a_ticked_stop(app_env):
    at = _entry()
    at.run()
    assert not at.exception, at.exception
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    at.date_input(key="route_date").set_value("2026-04-15")
    at.run()
    assert not at.exception, at.exception
    assert at.header[0].value == "路线"
    plan = at.session_state["_route_plan"][1]
    assert len(plan.households) > 0
    assert "回到警务室" in plan.summary()
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == len(plan.households)
    hid = int(plan.households["household_id"].iloc[0])

    store = ui.cache.get_workspace().store
    n0 = store.count("visits")
    at.selectbox(key="route_household").set_value(hid)
    at.radio(key="route_outcome").set_value("visited")
    at.checkbox(key="route_tick_card_given").check()
    at.checkbox(key="route_tick_register_updated").check()
    submit = next(b for b in at.button if b.label == "保存记录")
    submit.click()
    at.run()
    assert not at.exception, at.exception
    assert store.count("visits") == n0 + 1
    v = store.read("visits")
    row = v[v["id"] == at.session_state["_route_last_visit"]].iloc[0]
    assert int(row["household_id"]) == hid and row["outcome"] == "visited"
    assert bool(row["card_given"]) and bool(row["register_updated"])
    assert not bool(row["camera_leaflet_given"])
    assert any("已记录" in s.value for s in at.success)

    # planning again: the recorded household leaves the route
    next(b for b in at.button if b.label == "重新规划").click()
    at.run()
    assert not at.exception, at.exception
    again = at.session_state["_route_plan"][1]
    assert hid not in set(again.households["household_id"])


@pytest.mark.slow
def test_route_page_campaign_and_english(app_env):
    at = _entry()
    at.run()
    at.switch_page(PAGE)
    at.run()
    at.date_input(key="route_date").set_value("2026-04-15")
    at.run()
    next(b for b in at.button if b.key == "route_campaign").click()
    at.run()
    assert not at.exception, at.exception
    shown = [e.value for e in (*at.success, *at.error)]
    assert any("个晚上" in v for v in shown), shown
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Routes"
