"""Turn-by-turn directions (geo.directions) on the hand-written hutong fixture."""

from __future__ import annotations

import numpy as np
import pytest

from geo.directions import directions, leg_directions, round_length
from geo.evening import EveningSettings, beat_network, network_legs, plan_evening
from tests.conftest import DATA
from tests.test_evening import DATE, city, community_officer, tables


@pytest.fixture(scope="module")
def net():
    area, _ = city(str(DATA / "alleys_estate.osm"))  # loaded once for the module (cached)
    return beat_network(area)


def walk(net, a, b, lang="zh", **kw):
    sn = net.index.snap(np.array([a, b], dtype=float))
    (leg,) = network_legs(net, sn, [0, 1])
    return leg, [s.text for s in leg_directions(net, leg, lang=lang, **kw)]


def test_unnamed_alley_by_direction_length_and_nearest_named_street(net):
    # from 府学胡同 to 分司厅胡同: the shortest way is the unnamed footway alley north
    leg, lines = walk(net, (449500.0, 4421487.0), (449520.0, 4421598.0), destination="到达")
    assert len(lines) == 3, lines
    assert lines[0] == "沿府学胡同向东走50米，至无名胡同左转"
    assert lines[1].startswith("沿无名胡同（") and "向北走120米，至分司厅胡同左转" in lines[1]
    assert "府学胡同以北" in lines[1] or "分司厅胡同以南" in lines[1]
    assert lines[2] == "沿分司厅胡同向西走80米，到达"
    assert all(net.edge_highway[e] != "motorway" for e, _, _ in leg.pieces)


def test_english_mirror(net):
    _, lines = walk(net, (449500.0, 4421487.0), (449520.0, 4421598.0), lang="en")
    assert lines[0] == "Walk east 50 m along 府学胡同, then turn left onto the unnamed alley"
    assert lines[1].startswith("Walk north 120 m along the unnamed alley (")
    assert lines[1].endswith("then turn left onto 分司厅胡同")


def test_entering_the_gated_estate(net):
    _, lines = walk(net, (449700.0, 4421487.0), (449760.0, 4421396.5), origin="警务室")
    assert lines[0].startswith("从警务室出发，沿府学胡同向西走20米，至小区内部道路左转")
    assert "从府学小区大门进入小区" in lines
    assert lines[-1].startswith("沿小区内部道路")
    _, back = walk(net, (449760.0, 4421396.5), (449700.0, 4421487.0))
    assert "从府学小区大门出小区" in back
    _, en = walk(net, (449700.0, 4421487.0), (449760.0, 4421396.5), lang="en")
    assert "Enter 府学小区 through its gate" in en


def test_round_length():
    assert [round_length(x) for x in (0, 4, 14, 15, 126, 1234)] == [10, 10, 10, 20, 130, 1230]


def test_plan_directions_start_at_office_reach_each_stop_and_return():
    area, c = city(str(DATA / "alleys_estate.osm"))
    frames = tables(c)
    s = EveningSettings(max_iters=300, seed=3)
    plan = plan_evening(area, frames, officer=community_officer(frames), date=DATE, settings=s)
    steps = directions(plan)
    text = "\n".join(x.text for x in steps)
    assert steps[0].text.startswith("从警务室出发")
    for k in plan.stops["stop"]:
        assert f"到达第{k}站：" in text
    assert steps[-1].text.endswith("回到警务室")
    assert {x.leg for x in steps} == set(range(len(plan.legs)))
    en = directions(plan, lang="en")
    assert en[0].text.startswith("From the police office") and "arrive at stop 1" in "\n".join(
        x.text for x in en
    )
    with pytest.raises(ValueError, match="lang must be"):
        leg_directions(plan.network, plan.legs[0], lang="fr")
