"""Roles and scopes: the role x page x action matrix, and every table narrowed per account.

The fixture city is the demo over the stand-in grid (tests/_coverage_city.py) in a SQLite store.
"""

from __future__ import annotations

import pytest

from geo.auth import ROLES, AccessDenied, Scope, may
from geo.auth.scope import ACTIONS, PAGE_ACCESS
from geo.demo import write_demo
from geo.filters import with_beat
from geo.model import TABLE_ORDER
from geo.store import Store
from tests._coverage_city import fixture_city
from tests.conftest import make_account

PAGES = ("area", "coverage", "routes", "field", "cameras", "data", "accounts", "audit")

#: the expected matrix: role -> pages it opens
EXPECTED_PAGES = {
    "officer": {"area", "coverage", "routes", "field", "cameras"},
    "team": {"routes", "field"},
    "chief": {"area", "coverage", "routes", "field", "cameras"},
    "planner": {"area", "cameras"},
    "auditor": {"audit"},
    "admin": {"area", "coverage", "routes", "cameras", "data", "accounts"},
}
#: role -> actions it may take
EXPECTED_ACTIONS = {
    "officer": {"read", "record_visit", "print"},
    "team": {"read", "record_visit", "print"},
    "chief": {"read", "print", "export"},
    "planner": {"read", "export"},
    "auditor": {"read_audit"},
    "admin": {"read", "print", "export", "import", "manage_accounts", "reveal", "settings"},
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("page", PAGES)
def test_page_matrix(role, page):
    assert may(role, page) == (page in EXPECTED_PAGES[role]), (role, page)
    if page not in EXPECTED_PAGES[role]:
        assert not any(may(role, page, a) for a in ACTIONS)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_matrix(role, action):
    assert may(role, action=action) == (action in EXPECTED_ACTIONS[role])


def test_unknown_role_may_nothing_and_unknown_action_is_an_error():
    assert not may("guest", "coverage")
    with pytest.raises(ValueError, match="action must be one of"):
        may("admin", "coverage", "delete_everything")
    assert set(PAGE_ACCESS) == set(ROLES)


def test_only_a_revealing_admin_sees_personal_data():
    assert not Scope.city("x", role="admin").show_personal
    assert Scope.city("x", role="admin", reveal=True).show_personal
    for role in ROLES:
        if role != "admin":
            assert not Scope.city("x", role=role, reveal=True).show_personal


def test_require_names_the_roles_that_may():
    with pytest.raises(AccessDenied, match="may not export.*chief, planner, admin"):
        Scope.city("t", role="team").require("export")


@pytest.fixture(scope="module")
def city_store(tmp_path_factory):
    _, city = fixture_city()
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('scope')}/city.sqlite")
    write_demo(store, city, source="grid")
    return store


def _beat_of_households(store):
    return store.read("households", columns=["beat_id"]).set_index("id")["beat_id"]


def _assert_inside(store, scope, beats: set[int]):
    hh_beat = _beat_of_households(store)
    all_beats = store.read("beats")
    for name in TABLE_ORDER:
        df = scope.read(store, name)
        full = store.read(name)
        if name == "households":
            assert set(df["beat_id"]) <= beats and set(df["beat_id"]) == beats
            assert len(df) == int(full["beat_id"].isin(beats).sum())
        elif name == "beats":
            assert set(df["id"]) == beats
        elif name in ("visits", "surveys", "mediations") and "household_id" in full:
            assert set(hh_beat.loc[df["household_id"]]) <= beats
            expected = full["household_id"].map(hh_beat).isin(beats).sum()
            assert len(df) == int(expected), name
        elif name in ("cameras", "incidents"):
            placed = with_beat(full, all_beats)
            expected = placed[placed["beat_id"].isin(beats).fillna(False).to_numpy(bool)]
            assert sorted(df["id"]) == sorted(expected["id"]), name
        elif name == "officers":
            assert len(df) and set(df["beat_id"].dropna()) <= beats


def test_officer_reads_only_the_own_beat(city_store):
    offs = city_store.read("officers")
    cop = offs[(offs["role"] == "community_officer") & offs["beat_id"].notna()].iloc[0]
    user = make_account(city_store, "cop1", "officer", officer_id=int(cop["id"]))
    scope = Scope.for_user(user, city_store)
    beat = int(cop["beat_id"])
    assert scope.beat_ids == (beat,)
    _assert_inside(city_store, scope, {beat})
    assert scope.read(city_store, "stations")["id"].tolist() == [int(cop["station_id"])]


def test_team_member_gets_the_beat_of_the_linked_record(city_store):
    offs = city_store.read("officers")
    aux = offs[(offs["role"] != "community_officer") & offs["beat_id"].notna()].iloc[0]
    user = make_account(city_store, "aux1", "team", officer_id=int(aux["id"]))
    scope = Scope.for_user(user, city_store)
    assert scope.beat_ids == (int(aux["beat_id"]),)
    _assert_inside(city_store, scope, {int(aux["beat_id"])})


def test_chief_of_a_station_reads_the_station(city_store):
    beats = city_store.read("beats")
    station = int(beats["station_id"].iloc[0])
    mine = set(beats.loc[beats["station_id"] == station, "id"].astype(int))
    user = make_account(city_store, "chief1", "chief", station_id=station)
    scope = Scope.for_user(user, city_store)
    _assert_inside(city_store, scope, mine)
    offs = scope.read(city_store, "officers")
    assert set(offs["station_id"]) == {station}


def test_city_roles_read_everything(city_store):
    for role in ("chief", "planner", "admin", "auditor"):
        user = make_account(city_store, f"city-{role}", role)
        scope = Scope.for_user(user, city_store)
        assert scope.is_city
        for name in ("households", "visits", "cameras"):
            assert len(scope.read(city_store, name)) == city_store.count(name)


def test_an_officer_without_a_beat_gets_nothing_not_the_city(city_store):
    scope = Scope(username="ghost", role="officer", beat_ids=(), station_ids=())
    for name in ("households", "visits", "cameras", "incidents", "officers", "beats"):
        assert scope.read(city_store, name).empty, name


def test_scope_key_differs_per_scope_and_frame_filter_matches_sql(city_store):
    beats = city_store.read("beats")
    a = Scope(username="a", role="officer", beat_ids=(int(beats["id"].iloc[0]),))
    b = Scope(username="b", role="officer", beat_ids=(int(beats["id"].iloc[1]),))
    assert a.key != b.key and a.key != Scope.city("c").key
    hh = city_store.read("households")
    assert (
        a.filter("households", hh)["id"].tolist() == a.read(city_store, "households")["id"].tolist()
    )


def test_writes_outside_the_scope_are_refused(city_store):
    hh = city_store.read("households", columns=["beat_id"])
    beat = int(hh["beat_id"].iloc[0])
    scope = Scope(username="a", role="officer", beat_ids=(beat,))
    inside = int(hh.loc[hh["beat_id"] == beat, "id"].iloc[0])
    outside = int(hh.loc[hh["beat_id"] != beat, "id"].iloc[0])
    scope.check_write(city_store, "record_visit", household_ids=[inside])
    with pytest.raises(AccessDenied, match=f"household {outside} is outside"):
        scope.check_write(city_store, "record_visit", household_ids=[outside])
    with pytest.raises(AccessDenied):
        Scope.city("p", role="planner").check_write(city_store, "record_visit")
