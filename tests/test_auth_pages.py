"""Every role on every page, under Streamlit's AppTest: what opens, what is refused.

The app is ``streamlit_app.py`` over the first-start demo city of the hand-written OSM file
(``app_env``). Each role logs in (``login_app_test``) and is sent to every page; a page the role
may not open is not registered in its navigation (so nothing can run it), and no run ends in an
exception. Before any login nothing but the login form runs; an
idle session and an account that must change its password are stopped at the gate.
"""

from __future__ import annotations

import datetime as dt

import pytest

import ui.cache
from geo.auth import sessions
from geo.auth.tables import SESSIONS
from tests.conftest import app_test, login_app_test, make_account

pytestmark = pytest.mark.slow

#: page file -> text of its heading (Chinese)
PAGES = {
    "area": ("ui/area.py", "区域："),
    "coverage": ("ui/coverage.py", "覆盖率"),
    "routes": ("ui/routes.py", "路线"),
    "cameras": ("ui/cameras.py", "摄像头"),
    "data": ("ui/data.py", "数据"),
    "accounts": ("ui/accounts.py", "账户"),
    "audit": ("ui/audit.py", "审计日志"),
}
EXPECTED = {
    "officer": {"area", "coverage", "routes", "cameras"},
    "team": {"routes"},
    "chief": {"area", "coverage", "routes", "cameras"},
    "planner": {"area", "cameras"},
    "auditor": {"audit"},
    "admin": {"area", "coverage", "routes", "cameras", "data", "accounts"},
}


def _headings(at) -> list[str]:
    return [h.value for h in at.header] + [h.value for h in at.title]


def _shows(at, heading: str) -> bool:
    return any(h == heading or h.startswith(heading) for h in _headings(at))


def test_before_login_only_the_login_form_runs(app_env):
    at = app_test()
    at.run()
    # first start: the setup form, no page
    assert not at.exception
    assert _headings(at) == ["首次启动：创建管理员"]
    make_account(ui.cache.get_workspace().store, "admin", "admin")
    at = app_test()
    at.run()
    assert _headings(at) == ["BeatMap 登录"]
    for _path, (file, _h) in PAGES.items():
        at.switch_page(file)
        at.run()
        assert _headings(at) == ["BeatMap 登录"], file
        assert not at.dataframe and not at.metric


def test_role_page_matrix(app_env):
    at = app_test()
    at.run()  # the first start builds the demo city
    store = ui.cache.get_workspace().store
    offs = store.read("officers")
    cop = offs[offs["role"] == "community_officer"].iloc[0]
    aux = offs[offs["role"] != "community_officer"].iloc[0]
    links = {"officer": {"officer_id": int(cop["id"])}, "team": {"officer_id": int(aux["id"])}}
    for role, allowed in EXPECTED.items():
        for page, (file, heading) in PAGES.items():
            at = login_app_test(app_test(), username=f"u-{role}", role=role, **links.get(role, {}))
            at.run()
            assert not at.exception, (role, at.exception)
            if page not in allowed:
                # the navigation does not offer it: there is no way to run it
                with pytest.raises(ValueError, match="Could not find a navigation page"):
                    at.switch_page(file)
                continue
            at.switch_page(file)
            at.run()
            assert not at.exception, (role, page, at.exception)
            assert _shows(at, heading), (role, page, _headings(at))
        # the sidebar's filters are there only for roles that read the city's data
        assert bool(at.sidebar.multiselect) == (role != "auditor"), role


def test_admin_reveal_is_audited_and_unmasks(app_env):
    at = app_test()
    at.run()
    store = ui.cache.get_workspace().store
    at = login_app_test(app_test(), username="boss", role="admin")
    at.run()
    assert not at.session_state["beatmap_auth_scope"][1].show_personal
    at.text_input(key="auth_reveal_reason").input("核查投诉 2026-117")
    at.button(key="auth_reveal_go").click()
    at.run()
    assert at.session_state["beatmap_auth_scope"][1].show_personal
    from geo.auth import audit

    log = audit.read(store, action="reveal")
    assert log["username"].tolist() == ["boss"] and log["detail"].iloc[0] == "核查投诉 2026-117"


def test_idle_session_and_forced_password_change_stop_at_the_gate(app_env, monkeypatch):
    monkeypatch.setenv("BEATMAP_IDLE_MINUTES", "1")
    ui.cache.st.cache_resource.clear()
    at = app_test()
    at.run()
    store = ui.cache.get_workspace().store
    at = login_app_test(app_test(), username="zhou", role="chief")
    at.run()
    assert _shows(at, "区域：")
    token = at.session_state["beatmap_auth_token"]
    with store.transaction() as conn:
        conn.execute(
            SESSIONS.update()
            .where(SESSIONS.c.token_hash == sessions._digest(token))
            .values(last_seen_at=dt.datetime(2000, 1, 1))
        )
    at.run()
    assert _headings(at) == ["BeatMap 登录"]
    assert any("长时间未操作" in w.value for w in at.warning)

    make_account(store, "new", "officer", officer_id=1, must_change=True)
    at = login_app_test(app_test(), username="new", role="officer")
    at.run()
    assert _headings(at) == ["请设置新密码"]
    at.text_input(key="chg_pw1").input("weakpass")
    at.text_input(key="chg_pw2").input("weakpass")
    at.button[0].click()
    at.run()
    assert at.error and _headings(at) == ["请设置新密码"]
    at.text_input(key="chg_pw1").input("Fresh-Pass-2026")
    at.text_input(key="chg_pw2").input("Fresh-Pass-2026")
    at.button[0].click()
    at.run()
    assert _shows(at, "区域：") and not at.exception
