"""The Cameras page under Streamlit's AppTest, over the hand-written OSM fixture.

The app starts the real way (``app_env`` in conftest): a temporary data folder, the fixture OSM
file, no internet; the first start builds the demo city over the fixture. Runs are logged in as a
city-wide chief, or as an administrator who chose to reveal personal data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui.cache
from geo.planning import DEFAULT_RADII, DemandWeights, plan_cameras, planning_frames
from tests.conftest import app_test, login_app_test
from ui.auth import REVEAL_KEY

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "ui" / "cameras.py")
TIMEOUT = 120


def _entry(role: str = "chief") -> AppTest:
    return login_app_test(app_test(TIMEOUT), username=role, role=role)


def _open(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def _expected(at: AppTest, **options):
    ws = ui.cache.get_workspace()
    tables = {
        n: ws.store.read(n) for n in ("beats", "officers", "households", "cameras", "incidents")
    }
    inputs = planning_frames(tables, at.session_state["beatmap_filters"])
    return plan_cameras(ws.area, inputs.tables, as_of=inputs.as_of, **options)


def test_page_shows_the_plan(app_env) -> None:
    at = _open(_entry())
    assert at.header[0].value == "摄像头"
    plan = _expected(
        at,
        k=20,
        radius=DEFAULT_RADII["recorder_unit"],
        weights=DemandWeights(),
        candidate_kinds=("rental",),
    )
    tot = plan.totals
    assert _metric(at, "现有设备（在用）") == f"{tot['units']:,}"
    assert _metric(at, "住户覆盖率") == f"{tot['hh_share_after']:.1%}"
    assert _metric(at, "加权覆盖率") == f"{tot['share_after']:.1%}"
    ranked = at.dataframe[0].value
    assert list(ranked["序号"]) == list(range(1, len(plan.sites) + 1))
    assert list(ranked["地址/位置"]) == list(plan.sites["label"])
    # names and phone numbers masked (the default role may not see them)
    raw = set(plan.sites["contact_name"]) | set(plan.sites["contact_phone"]) - {""}
    assert not raw & set(ranked["联系人"]) and not raw & set(ranked["联系电话"])
    assert ranked["民警电话"].str.contains(r"\*").all()
    # before/after per beat
    beats = at.dataframe[1].value
    assert list(beats["名称"]) == list(plan.by_beat["name"])
    assert list(beats["已覆盖住户（后）"]) == list(plan.by_beat["hh_after"])
    # the effect note says what it does not prove
    assert any("不能证明" in i.value for i in at.info)
    labels = [b.label for b in at.get("download_button")]
    assert "导出推广名单（XLSX）" in labels and "按民警打印推广单（HTML）" in labels
    # the controls start at the planner's own defaults
    d = DemandWeights()
    for key, value in (
        ("cam_w_household", d.household),
        ("cam_w_rental", d.rental),
        ("cam_w_lodger", d.lodger),
        ("cam_w_incident", d.incident),
        ("cam_half_life", d.half_life_days),
        ("cam_w_entrance", d.entrance),
        ("cam_cat_burglary", d.category_weight("burglary")),
    ):
        assert at.number_input(key=key).value == value, key
    # what is proven about the sites is said
    assert any("证明" in c.value for c in at.caption)


@pytest.mark.slow
def test_controls_change_the_plan(app_env) -> None:
    at = _open(_entry())
    at.number_input(key="cam_k").set_value(3).run()
    assert not at.exception, at.exception
    ranked = at.dataframe[0].value
    assert 1 <= len(ranked) <= 3
    at.multiselect(key="cam_kinds_zh").set_value(
        ["rental", "shop", "entrance", "intersection"]
    ).run()
    assert not at.exception, at.exception
    kinds = set(at.dataframe[0].value["类型"])
    assert kinds <= {"出租房（未装）", "商铺", "楼门", "路口"}
    at.slider(key="cam_radius").set_value(80).run()
    at.number_input(key="cam_per_beat").set_value(1).run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 1  # one beat in the fixture, one site per beat
    at.checkbox(key="cam_fov").check().run()
    at.number_input(key="cam_w_rental").set_value(5.0).run()
    assert not at.exception, at.exception
    # no candidate kind: a plain message, no error
    at.multiselect(key="cam_kinds_zh").set_value([]).run()
    assert not at.exception, at.exception
    assert any("请至少选择一种候选点位" in i.value for i in at.info)
    at.multiselect(key="cam_kinds_zh").set_value(
        ["rental", "shop", "entrance", "intersection"]
    ).run()
    # the language switch keeps the choices (last: AppTest cannot set widgets whose shown
    # labels changed with the language, e.g. the sidebar's household type)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Cameras"
    assert at.number_input(key="cam_k").value == 3
    assert at.multiselect(key="cam_kinds_en").value == [
        "rental",
        "shop",
        "entrance",
        "intersection",
    ]
    assert "officer to promote" in at.dataframe[0].value.columns


def test_personal_data_for_allowed_roles(app_env) -> None:
    at = _entry("admin")
    at.session_state[REVEAL_KEY] = True  # the administrator chose to show personal data
    at = _open(at)
    ranked = at.dataframe[0].value
    phones = ranked["民警电话"].astype(str)
    assert not phones.str.contains(r"\*").any()
    assert pd.Series(ranked["联系电话"]).astype(str).str.fullmatch(r"\d*").all()
