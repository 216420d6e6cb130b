"""The Community page under Streamlit's AppTest, over the first-start demo of the small OSM file."""

from __future__ import annotations

from pathlib import Path

import pytest

import ui.cache
from geo import mediation, wechat
from tests.conftest import app_test, login_app_test

pytestmark = pytest.mark.slow

PAGE = str(Path(__file__).resolve().parent.parent / "ui" / "community.py")


def _open(role: str = "chief", lang: str = "zh", page: str = PAGE, state: dict | None = None):
    at = app_test()
    at.run()  # the first start builds the demo city
    link = {}
    if role == "officer":
        offs = ui.cache.get_workspace().store.read("officers")
        link["officer_id"] = int(offs.loc[offs["role"] == "community_officer", "id"].iloc[0])
    at = login_app_test(app_test(), username=f"u-{role}", role=role, **link)
    at.session_state["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    return at


def test_community_page_runs_and_shows_geo_figures(app_env):
    at = _open()
    assert not at.exception, at.exception
    assert at.header[0].value == "社区工作"
    store = ui.cache.get_workspace().store
    beats, hh = store.read("beats"), store.read("households")
    tables = [d.value for d in at.dataframe]
    # WeChat: the per-beat table is geo.wechat's
    expected = wechat.reach_table(wechat.reach_by_beat(hh, beats))
    share = [t for t in tables if "入群率（%）" in t.columns and "无人入群" in t.columns]
    assert share and share[0]["入群率（%）"].tolist() == expected["入群率（%）"].tolist()
    # mediation per beat is geo.mediation's, parties masked in the weekly list
    med = mediation.summary_labels(mediation.beat_summary(store.read("mediations"), beats))
    per_beat = [t for t in tables if "成功率 (%)" in t.columns]
    assert per_beat and per_beat[0]["调解件数"].tolist() == med["调解件数"].tolist()
    listed = [t for t in tables if "当事人" in t.columns]
    if listed:
        assert all("*" in p for p in listed[0]["当事人"] if p)
    # the beat proposal's comparison is shown
    assert any("方案" in t.columns and "现状" in t.columns for t in tables)
    labels = [b.label for b in at.get("download_button")]
    assert any("GPKG" in label for label in labels)
    assert any("一页纸" in label for label in labels)


def test_night_noise_narrowed_to_one_beat(app_env):
    at = _open(state={"com_noise_beat": 1})
    assert not at.exception, at.exception
    assert at.selectbox(key="com_noise_beat").value == 1
    from geo import noise

    area = ui.cache.get_workspace().area
    store = ui.cache.get_workspace().store
    segs = noise.segments(area.edges())
    assigned = noise.assign(store.read("incidents"), segs)
    beat = store.read("beats").to_crs(segs.crs)
    polygon = beat.loc[beat["id"] == 1].geometry.iloc[0]
    expected = noise.heat_table(noise.select(assigned, segs, area=polygon))
    shown = next(d.value for d in at.dataframe if "路段" in d.value.columns)
    assert list(shown["路段"]) == list(expected["路段"])
    assert len(shown) < len(noise.heat_table(assigned)) or len(expected) == len(shown)


def test_community_page_for_an_officer(app_env):
    at = _open("officer")
    assert not at.exception, at.exception
    assert at.header[0].value == "社区工作"
    # an officer sees only their own beat's WeChat reach
    tables = [d.value for d in at.dataframe]
    share = [t for t in tables if "入群率（%）" in t.columns and "无人入群" in t.columns]
    assert share and len(share[0]) == 1


def test_coverage_page_shows_wechat_share_per_beat(app_env):
    at = _open(page=str(Path(PAGE).with_name("coverage.py")))
    assert not at.exception, at.exception
    store = ui.cache.get_workspace().store
    reach = wechat.reach_by_beat(store.read("households"))
    table = next(d.value for d in at.dataframe if "微信群入群率（%）" in d.value.columns)
    beats = store.read("beats").set_index("name")["id"]
    got = dict(zip(table["名称"], table["微信群入群率（%）"], strict=True))
    for name, value in got.items():
        assert value == round(reach.loc[beats[name], "share"] * 100, 1)
