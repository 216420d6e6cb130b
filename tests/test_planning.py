"""The planner's workflow (geo.planning) and covered street pieces (geo.siting.covered_streets).

Three kinds of city: the hand-built two-hutong graph of ``tests/test_netdist.py`` (distances
worked out by hand), the hand-written OSM fixture ``tests/data/alleys_estate.osm`` with the demo
city over it, and the demo city over a real Beijing extract (slow; skipped without
``../shared/osm``).
"""

from __future__ import annotations

import io
import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from shapely import Point

from geo._errors import InputError
from geo.filters import Filters
from geo.netdist import NetworkIndex
from geo.planning import (
    CANDIDATE_KINDS,
    DEFAULT_RADII,
    DemandWeights,
    beat_shares_frame,
    build_candidates,
    build_demand,
    building_entrances,
    existing_units,
    plan_cameras,
    plan_csv_bytes,
    plan_effect,
    plan_xlsx_bytes,
    planning_frames,
    promotion_list,
    promotion_sheets_html,
    street_intersections,
)
from geo.siting import covered_mask, covered_streets
from tests.conftest import BEIJING_EXTRACTS, DATA
from tests.test_netdist import EDGES, NODES, osmnx_style

CRS = "EPSG:32650"
X0, Y0 = 447_000.0, 4_426_000.0  # the hand-built graph is moved here (Haidian, UTM 50N)
PHONE = re.compile(r"(?<![0-9A-Za-z_.])1[3-9]\d{9}(?![0-9A-Za-z_])")


# ------------------------------------------------------------------------------- fixtures


@dataclass
class TinyArea:
    """Stand-in for ``geo.network.Area`` over the two-hutong graph of test_netdist."""

    graph: Any
    crs: str = CRS
    name: str = "tiny"
    buildings: gpd.GeoDataFrame = field(
        default_factory=lambda: gpd.GeoDataFrame(
            {"osm_id": [], "name": []}, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS
        )
    )
    pois: gpd.GeoDataFrame = field(
        default_factory=lambda: gpd.GeoDataFrame(
            {"osm_id": [], "kind": [], "value": [], "name": []},
            geometry=gpd.GeoSeries([], crs=CRS),
            crs=CRS,
        )
    )

    def edges(self) -> gpd.GeoDataFrame:
        rows = []
        for u, v, d in self.graph.edges(data=True):
            if u < v:
                geom = d.get("geometry") or shapely.LineString(
                    [
                        (self.graph.nodes[u]["x"], self.graph.nodes[u]["y"]),
                        (self.graph.nodes[v]["x"], self.graph.nodes[v]["y"]),
                    ]
                )
                rows.append({"u": u, "v": v, "name": d.get("name", ""), "geometry": geom})
        return gpd.GeoDataFrame(rows, geometry="geometry", crs=self.crs)


def shifted_graph():
    nodes = {n: (x + X0, y + Y0) for n, (x, y) in NODES.items()}
    edges = [
        (u, v, [(x + X0, y + Y0) for x, y in coords] if coords else None) for u, v, coords in EDGES
    ]
    g = osmnx_style(nodes, edges)
    names = {(1, 2): "一号胡同", (3, 4): "二号胡同"}
    for u, v, k in g.edges(keys=True):
        g.edges[u, v, k]["name"] = names.get((min(u, v), max(u, v)), "")
        g.edges[u, v, k]["highway"] = "footway"  # hutongs, walkable by the one rule
    return g


def wgs(points: list[tuple[float, float]], **cols) -> gpd.GeoDataFrame:
    """Points given in the graph's local metres, as a WGS-84 frame (as the store holds them)."""
    geom = [Point(x + X0, y + Y0) for x, y in points]
    return gpd.GeoDataFrame(cols, geometry=geom, crs=CRS).to_crs(4326)


@pytest.fixture(scope="module")
def tiny() -> tuple[TinyArea, dict]:
    """Households on both hutongs, one installed unit on H2, one beat, one officer."""
    area = TinyArea(shifted_graph())
    homes = [(20, 3), (40, -3), (60, 3), (250, 3), (270, -3), (20, 27), (40, 33), (0, -50)]
    households = wgs(
        homes,
        id=np.arange(1, 9),
        address=[f"一号胡同{i}号" for i in range(1, 6)] + ["二号胡同1号", "二号胡同2号", "南巷1号"],
        beat_id=1,
        rental=[True, False, True, True, False, True, False, True],
        lodgers=[2, 0, 0, 1, 0, 0, 0, 0],
        contact_name=["张三丰", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"],
        contact_phone=[f"1381234{i:04d}" for i in range(8)],
    )
    beat_poly = shapely.box(X0 - 50, Y0 - 150, X0 + 350, Y0 + 80)
    beats = gpd.GeoDataFrame(
        {"id": [1], "name": ["第1警务区"], "station_id": [1]}, geometry=[beat_poly], crs=CRS
    ).to_crs(4326)
    officers = pd.DataFrame(
        {
            "id": [1, 2],
            "name": ["周水雷", "辅警甲"],
            "station_id": [1, 1],
            "beat_id": [1, 1],
            "role": ["community_officer", "auxiliary_police"],
            "phone": ["13900001111", "13900002222"],
        }
    )
    cameras = wgs(
        [(30, 33)],
        id=[1],
        kind=["recorder_unit"],
        status=["active"],
        household_id=[7],
        installed_on=[pd.Timestamp("2026-01-10")],
        facing=[np.nan],
        fov=[360.0],
    )
    incidents = wgs(
        [(45, 0), (280, 0)],
        id=[1, 2],
        occurred_at=pd.to_datetime(["2026-06-01", "2025-06-01"]),
        category=["burglary", "noise"],
    )
    frames = {
        "beats": beats,
        "officers": officers,
        "households": households,
        "cameras": cameras,
        "incidents": incidents,
    }
    return area, frames


@pytest.fixture(scope="module")
def hutongs() -> NetworkIndex:
    return NetworkIndex.from_graph(osmnx_style(NODES, EDGES))


@pytest.fixture(scope="module")
def fixture_city():
    network = pytest.importorskip("geo.network")
    from geo.demo import build_demo

    area = network.load_area(DATA / "alleys_estate.osm")
    city = build_demo(area, seed=3)
    return area, city.frames


# ------------------------------------------------------------------------------- demand


def test_household_and_incident_weights(tiny) -> None:
    _, frames = tiny
    w = DemandWeights(household=1.0, rental=3.0, lodger=0.5, incident=2.0, half_life_days=365)
    d = build_demand(
        households=frames["households"],
        incidents=frames["incidents"],
        weights=w,
        crs=CRS,
        as_of="2026-06-01",
    )
    assert d.crs == CRS and len(d) == 10
    hh = d[d["source"] == "household"]
    # rental x3, +0.5 per lodger: first home rental with 2 lodgers -> 3 + 1 = 4
    assert hh["weight"].tolist() == [4.0, 1.0, 3.0, 3.5, 1.0, 3.0, 1.0, 3.0]
    inc = d[d["source"] == "incident"]
    # burglary (3) today; noise (0.5) exactly one half-life (365 days) ago
    assert inc["weight"].tolist() == pytest.approx([2.0 * 3.0, 2.0 * 0.5 * 0.5])
    assert inc["beat_id"].isna().all()  # no beats given
    with_beats = build_demand(
        households=None, incidents=frames["incidents"], beats=frames["beats"], crs=CRS
    )
    assert with_beats["beat_id"].tolist() == [1, 1]
    # no decay, and incidents left out with a zero multiplier
    flat = build_demand(
        households=None,
        incidents=frames["incidents"],
        weights=DemandWeights(half_life_days=math.inf, incident=1.0),
        crs=CRS,
    )
    assert flat["weight"].tolist() == [3.0, 0.5]
    none = build_demand(
        households=None, incidents=frames["incidents"], weights=DemandWeights(incident=0), crs=CRS
    )
    assert len(none) == 0


def _two_beats_and_street_incidents() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two beats with a 20 m street between them; incidents in, beside and far from them."""
    beats = gpd.GeoDataFrame(
        {"id": [2, 1], "name": ["东", "西"], "station_id": [1, 1]},
        geometry=[
            shapely.box(X0 + 120, Y0, X0 + 220, Y0 + 100),
            shapely.box(X0, Y0, X0 + 100, Y0 + 100),
        ],
        crs=CRS,
    ).to_crs(4326)
    incidents = wgs(
        [(50, 50), (105, 50), (112, 50), (170, 50), (300, 50), (99, 99)],
        id=np.arange(1, 7),
        occurred_at=pd.to_datetime(["2026-06-01"] * 6),
        category=["theft"] * 6,
    )
    return beats, incidents


def test_one_beat_rule_for_coverage_and_cameras() -> None:
    from geo.beats import BEAT_SNAP_M, assign_beats
    from geo.filters import with_beat

    beats, incidents = _two_beats_and_street_incidents()
    # inside; 5 m west of the street's middle; 8 m from the east beat; inside; 80 m out;
    # just inside the west beat's corner
    expected = [1, 1, 2, 2, None, 1]
    result = assign_beats(incidents, beats)
    assert [None if pd.isna(b) else int(b) for b in result.beat_id] == expected
    assert result.snapped.tolist() == [1, 2] and result.outside.tolist() == [4]
    assert BEAT_SNAP_M == 30.0
    # the same rule in a metric CRS, and none of the fallback when it is switched off
    metric = assign_beats(incidents.to_crs(CRS), beats.to_crs(CRS))
    assert metric.beat_id.equals(result.beat_id)
    strict = assign_beats(incidents, beats, snap_m=0)
    assert strict.beat_id.isna().tolist() == [False, True, True, False, True, False]
    # the Coverage page (filters) and the Cameras page (planning) put every incident alike
    coverage_side = with_beat(incidents, beats)["beat_id"]
    demand = build_demand(households=None, incidents=incidents, beats=beats, crs=CRS)
    frames = planning_frames(
        {
            "beats": beats,
            "officers": pd.DataFrame(columns=["id", "name", "station_id", "beat_id", "role"]),
            "households": wgs([], id=[], beat_id=[], rental=[]),
            "cameras": wgs([], id=[], kind=[], status=[]),
            "incidents": incidents,
        }
    )
    cameras_side = frames.tables["incidents"]["beat_id"]
    for other in (demand["beat_id"], cameras_side):
        assert other.astype("Int64").tolist() == coverage_side.astype("Int64").tolist()


def test_demand_weights_bad_input() -> None:
    with pytest.raises(InputError, match="rental weight must be >= 0"):
        DemandWeights(rental=-1)
    with pytest.raises(InputError, match=r"unknown incident categories \['arson'\].*burglary"):
        DemandWeights(categories={"arson": 2.0})
    with pytest.raises(InputError, match="half_life_days"):
        DemandWeights(half_life_days=0)
    w = DemandWeights(categories={"burglary": 4.0})
    assert w.category_weight("burglary") == 4.0 and w.category_weight("noise") == 0.0
    assert hash(w) == hash(DemandWeights(categories={"burglary": 4.0}))


def test_entrances_as_demand_and_candidates(fixture_city) -> None:
    area, frames = fixture_city
    ent = building_entrances(area.buildings, area.edges())
    assert len(ent) == len(area.buildings)
    # the door lies on the building's outline, on the side of the nearest street
    outline = shapely.boundary(area.buildings.geometry.to_numpy())
    assert (shapely.distance(ent.geometry.to_numpy(), outline) < 1e-6).all()
    assert ent["label"].str.len().gt(0).all()
    d = build_demand(
        households=None, entrances=ent, weights=DemandWeights(entrance=2.0), crs=area.crs
    )
    assert (d["source"] == "entrance").sum() == len(ent) and (d["weight"] == 2.0).all()
    off = build_demand(households=None, entrances=ent, crs=area.crs)
    assert len(off) == 0  # entrance weight 0 by default: not demand


# ------------------------------------------------------------------------------- candidates


def test_candidate_kinds(tiny, fixture_city) -> None:
    _, frames = tiny
    c = build_candidates(
        ["rental"], crs=CRS, households=frames["households"], cameras=frames["cameras"]
    )
    # rentals 1, 3, 4, 6, 8; household 7 (not rental) owns the unit
    assert sorted(c["household_id"].astype(int).tolist()) == [1, 3, 4, 6, 8]
    assert set(c["kind"]) == {"rental"} and (c["households_here"] == 1).all()
    # a unit on a rental house takes it out; a removed one does not
    cams = frames["cameras"].assign(household_id=[1])
    c2 = build_candidates(["rental"], crs=CRS, households=frames["households"], cameras=cams)
    assert 1 not in c2["household_id"].astype(int).tolist()
    c3 = build_candidates(
        ["rental"],
        crs=CRS,
        households=frames["households"],
        cameras=cams.assign(status=["removed"]),
    )
    assert 1 in c3["household_id"].astype(int).tolist()
    # rentals at one point (an apartment block) make one candidate: the one with most lodgers
    block = frames["households"].copy()
    block["geometry"] = [block.geometry.iloc[0]] * len(block)
    c4 = build_candidates(["rental"], crs=CRS, households=block)
    assert len(c4) == 1 and int(c4["households_here"].iloc[0]) == 5
    assert int(c4["household_id"].iloc[0]) == 1 and c4["label"].iloc[0] == "一号胡同1号"

    area, city = fixture_city
    ent = building_entrances(area.buildings, area.edges())
    allk = build_candidates(
        list(CANDIDATE_KINDS),
        crs=area.crs,
        households=city["households"],
        cameras=city["cameras"],
        pois=area.pois,
        entrances=ent,
        graph=area.graph,
        beats=city["beats"],
    )
    counts = allk["kind"].value_counts()
    assert set(counts.index) == set(CANDIDATE_KINDS)
    assert counts["shop"] == 3  # convenience store, mall, restaurant
    assert counts["entrance"] == len(area.buildings)
    nodes = street_intersections(area.graph)
    assert counts["intersection"] == len(nodes) and (nodes["degree"] >= 3).all()
    assert nodes["label"].str.endswith("路口").all()
    assert allk["beat_id"].notna().any()
    with pytest.raises(InputError, match=r"unknown candidate kinds \['garage'\].*rental, shop"):
        build_candidates(["garage"], crs=CRS)
    with pytest.raises(InputError, match="at least one"):
        build_candidates([], crs=CRS)


def test_intersections_of_hutongs() -> None:
    g = shifted_graph()
    nodes = street_intersections(g)
    # node 1 (H1, 1-5) has degree 2, node 2 (H1, 2-4, 2-7) has 3
    assert nodes["node"].tolist() == [2]
    assert nodes["label"].tolist() == ["一号胡同 路口"]


# ------------------------------------------------------------------------------- covered streets


def test_covered_streets_follow_the_network(hutongs: NetworkIndex) -> None:
    unit = hutongs.snap(np.array([[10.0, -3.0]]))  # a unit on a house by hutong H1
    s = covered_streets(hutongs, unit, 40.0)
    assert s.crs == CRS
    # 40 m either way: H1 from x = 0 to 50 (10 + 40), and 30 m down the lane 1-5 from node 1
    pieces = {round(float(g.length), 6): g for g in s.geometry}
    assert sorted(pieces) == [30.0, 50.0]
    assert pieces[50.0].equals(shapely.LineString([(0, 0), (50, 0)]))
    assert pieces[30.0].equals(shapely.LineString([(0, 0), (0, -30)]))
    # the next hutong (H2, 30 m away through the wall) stays uncovered
    h2 = shapely.LineString([(0, 30), (300, 30)])
    assert not s.geometry.intersects(h2.buffer(1.0)).any()
    assert s["length"].sum() == pytest.approx(80.0)
    # overlapping units merge into pieces that do not overlap
    two = hutongs.snap(np.array([[10.0, -3.0], [40.0, 3.0]]))
    s2 = covered_streets(hutongs, two, 40.0)
    assert s2["length"].sum() == pytest.approx(80.0 + 30.0)  # H1 0..80, lane 0..30
    assert shapely.union_all(s2.geometry.to_numpy()).length == pytest.approx(110.0)
    # around the bend of edge 6-7 and round the corner at node 2
    # H1 230..300, then from node 2 (10 m): 2-4 (30), 20 m of H2, 50 m down 2-7
    s3 = covered_streets(hutongs, hutongs.snap(np.array([[290.0, -3.0]])), 60.0)
    assert s3["length"].sum() == pytest.approx(70 + 30 + 20 + 50)
    with pytest.raises(InputError, match="radius"):
        covered_streets(hutongs, unit, -1.0)
    with pytest.raises(InputError, match="fov"):
        covered_streets(hutongs, unit, 40.0, facing=np.array([90.0]))
    assert len(covered_streets(hutongs, hutongs.snap(np.empty((0, 2))), 40.0)) == 0


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("directional", [False, True])
def test_covered_streets_agree_with_covered_mask(
    hutongs: NetworkIndex, seed: int, directional: bool
) -> None:
    rng = np.random.default_rng(seed)
    units = hutongs.snap(rng.uniform([-10, -110], [310, 40], size=(4, 2)))
    r = rng.uniform(20, 120, size=4)
    facing = rng.uniform(0, 360, size=4) if directional else None
    fov = np.where(rng.random(4) < 0.5, 360.0, 100.0) if directional else None
    # demand points spread along every street
    pts = shapely.line_interpolate_point(
        np.repeat(hutongs.edge_geometry, 200),
        np.tile(np.linspace(0, 1, 200), hutongs.n_edges),
        normalized=True,
    )
    demand = hutongs.snap(shapely.get_coordinates(pts))
    mask = covered_mask(hutongs, units, demand, r, facing=facing, fov=fov)
    s = covered_streets(hutongs, units, r, facing=facing, fov=fov)
    on = shapely.distance(shapely.points(demand.xy), shapely.union_all(s.geometry.to_numpy()))
    near_edge = np.abs(on) < 1e-6
    # points within a few cm of a piece's end may fall either way (rounding)
    ends = shapely.get_coordinates(shapely.boundary(s.geometry.to_numpy()))
    d_end = (
        np.min(np.hypot(*(demand.xy[:, None, :] - ends[None, :, :]).transpose(2, 0, 1)), axis=1)
        if len(ends)
        else np.full(len(demand), np.inf)
    )
    clear = d_end > 0.05
    assert mask.any()
    assert (mask[clear] == near_edge[clear]).all()


# ------------------------------------------------------------------------------- the plan


def test_plan_on_hutongs_known_optimum(tiny) -> None:
    area, frames = tiny
    w = DemandWeights(incident=0.0)
    plan = plan_cameras(area, frames, k=2, weights=w, method="exact", candidate_kinds=["rental"])
    res = plan.siting
    assert res.optimal
    # brute force over every pair of candidates
    from geo.siting import coverage_matrix

    index = NetworkIndex.from_graph(area.graph)
    dem = plan.demand
    dsn = index.snap(shapely.get_coordinates(dem.geometry.to_numpy()), max_distance=100)
    csn = index.snap(shapely.get_coordinates(plan.candidates.geometry.to_numpy()), max_distance=100)
    cover = coverage_matrix(index, csn, dsn, DEFAULT_RADII["recorder_unit"]).toarray()
    before = dem["covered_before"].to_numpy()
    wt = dem["weight"].to_numpy()
    best = max(
        wt[(cover[list(pair)].any(axis=0)) | before].sum()
        for pair in itertools.combinations(range(len(cover)), 2)
    )
    assert res.covered_weight == pytest.approx(best)
    # greedy is never below (1 - 1/e) of the optimum
    greedy = plan_cameras(area, frames, k=2, weights=w, method="greedy")
    new_opt = best - res.base_weight
    assert greedy.siting.new_weight >= (1 - 1 / math.e) * new_opt - 1e-9
    # the existing unit on H2 is respected: its two households count as covered before
    assert plan.demand.loc[plan.demand["source_id"].isin(["6", "7"]), "covered_before"].all()
    assert not plan.sites["household_id"].astype(int).isin([6]).any()
    # ranked with gains that add up, the beat's community officer promotes
    s = plan.sites
    assert s["rank"].tolist() == [1, 2]
    assert s["gain"].sum() == pytest.approx(res.new_weight)
    assert s["gain"].is_monotonic_decreasing
    assert s["cumulative_weight"].iloc[-1] == pytest.approx(res.covered_weight)
    assert (s["officer"] == "周水雷").all() and (s["beat"] == "第1警务区").all()


def test_plan_errors(tiny) -> None:
    area, frames = tiny
    with pytest.raises(InputError, match=r"unknown candidate kinds \['roof'\]"):
        plan_cameras(area, frames, k=1, candidate_kinds=["roof"])
    with pytest.raises(InputError, match="k must be a whole number >= 1"):
        plan_cameras(area, frames, k=0)
    with pytest.raises(InputError, match="radius must be a number > 0"):
        plan_cameras(area, frames, k=1, radius=-5)
    with pytest.raises(InputError, match=r"unknown camera kinds \['drone'\].*recorder_unit"):
        plan_cameras(area, frames, k=1, radii={"drone": 10})
    with pytest.raises(InputError, match="no candidate sites of the chosen kinds"):
        plan_cameras(area, frames, k=1, candidate_kinds=["shop"])
    with pytest.raises(InputError, match="per_beat"):
        plan_cameras(area, frames, k=1, per_beat=0)
    # more than there are candidates: all of them are ranked
    plan = plan_cameras(area, frames, k=50, method="greedy")
    assert plan.totals["k"] == 50 and plan.totals["k_used"] == len(plan.candidates)
    assert plan.totals["chosen"] <= len(plan.candidates)


def _independent_shares(plan, area, frames, radii=None):
    """Before/after per beat recomputed with covered_mask from the raw tables."""
    index = NetworkIndex.from_graph(area.graph)
    dem = plan.demand
    dsn = index.snap(shapely.get_coordinates(dem.geometry.to_numpy()), max_distance=100)
    units = existing_units(frames["cameras"], crs=area.crs, radii=radii)
    usn = index.snap(shapely.get_coordinates(units.geometry.to_numpy()), max_distance=100)
    before = covered_mask(index, usn, dsn, units["radius"].to_numpy())
    ssn = index.snap(shapely.get_coordinates(plan.sites.geometry.to_numpy()), max_distance=100)
    after = before | covered_mask(index, ssn, dsn, plan.options["radius"])
    return before, after


def test_plan_on_fixture_city(fixture_city) -> None:
    area, frames = fixture_city
    plan = plan_cameras(
        area,
        frames,
        k=6,
        candidate_kinds=["rental", "shop", "intersection"],
        method="greedy+swap",
    )
    assert plan.sites.crs == area.crs and plan.totals["chosen"] >= 1
    before, after = _independent_shares(plan, area, frames)
    assert (plan.demand["covered_before"].to_numpy() == before).all()
    assert (plan.demand["covered_after"].to_numpy() == after).all()
    hh = plan.demand["source"].to_numpy() == "household"
    row = plan.by_beat.iloc[0]
    assert row["households"] == hh.sum()
    assert row["hh_before"] == (hh & before).sum() and row["hh_after"] == (hh & after).sum()
    assert row["hh_share_after"] >= row["hh_share_before"]
    assert plan.by_beat["new_sites"].sum() == plan.totals["chosen"]
    assert plan.totals["share_after"] == pytest.approx(plan.siting.covered_share)
    assert plan.sites["gain"].to_numpy() == pytest.approx(plan.siting.gains)
    assert (plan.sites["gain_households"] >= 0).all()
    # covered streets lie on the walking network; the gaps are uncovered demand
    edges = shapely.union_all(area.edges().geometry.to_numpy()).buffer(0.01)
    assert shapely.within(plan.streets_before.geometry.to_numpy(), edges).all()
    assert shapely.within(plan.streets_new.geometry.to_numpy(), edges).all()
    assert (plan.gaps["uncovered_weight"] > 0).all()
    assert plan.gaps["uncovered_weight"].is_monotonic_decreasing
    # a quota per beat: at most one new site in the fixture's single beat
    one = plan_cameras(area, frames, k=6, per_beat=1, method="greedy+swap")
    assert one.totals["chosen"] == 1 and one.by_beat["new_sites"].tolist() == [1]
    # the map frame of beats
    shapes = beat_shares_frame(plan, frames["beats"])
    assert shapes.crs.to_epsg() == 4326 and shapes["share_before"].notna().all()


def test_field_of_view_lowers_existing_coverage(fixture_city) -> None:
    area, frames = fixture_city
    all_round = plan_cameras(area, frames, k=1, method="greedy")
    facing = plan_cameras(area, frames, k=1, method="greedy", use_fov=True)
    assert facing.totals["share_before"] <= all_round.totals["share_before"]
    assert facing.totals["street_m_before"] < all_round.totals["street_m_before"]
    # a longer radius for recorder units covers more
    far = plan_cameras(area, frames, k=1, method="greedy", radii={"recorder_unit": 80})
    assert far.totals["share_before"] >= all_round.totals["share_before"]


def test_filters_narrow_demand_not_cameras(fixture_city) -> None:
    _, frames = fixture_city
    got = planning_frames(frames, Filters(household_type="rental", end="2026-03-31"))
    f = got.tables
    assert set(f) == {"beats", "officers", "households", "cameras", "incidents"}
    assert f["households"]["rental"].all()
    assert len(f["cameras"]) == len(frames["cameras"])  # every unit still covers the street
    assert got.as_of == pd.Timestamp("2026-04-01")
    assert (pd.to_datetime(f["incidents"]["occurred_at"]) < got.as_of).all()
    assert planning_frames(frames).as_of is None
    eff = plan_effect(frames, Filters(), since="2025-07-01", until="2026-06-30", min_installs=1)
    assert "不能证明" in eff.note[0] and "not proof" in eff.note[1]


# ------------------------------------------------------------------------------- exports


def test_exports_are_masked(tiny) -> None:
    area, frames = tiny
    plan = plan_cameras(area, frames, k=3, method="greedy", weights=DemandWeights(incident=0))
    raw_names = set(frames["households"]["contact_name"])
    raw_phones = set(frames["households"]["contact_phone"]) | set(frames["officers"]["phone"])
    table = promotion_list(plan, labels=False)
    assert list(table["rank"]) == [1, 2, 3]
    assert (table["officer"] == "周水雷").all()  # names of officers are not personal data
    assert not set(table["contact_name"]) & raw_names
    assert not set(table["contact_phone"]) & raw_phones
    assert table["contact_name"].str.contains(r"\*").all()
    assert table["officer_phone"].iloc[0] == "139******11"
    full = promotion_list(plan, labels=False, show_personal=True)
    assert set(full["contact_name"]) <= raw_names and full["officer_phone"].iloc[0] == "13900001111"
    zh = promotion_list(plan)
    assert {"序号", "地址/位置", "警务区", "推广民警", "新增覆盖（加权）"} <= set(zh.columns)
    en = promotion_list(plan, lang="en")
    assert (
        "officer to promote" in en.columns and en["kind"].iloc[0] == "rental house without a unit"
    )

    csv = plan_csv_bytes(plan).decode("utf-8-sig")
    assert "序号" in csv and not PHONE.search(csv)
    assert not any(n in csv for n in raw_names)
    book = openpyxl.load_workbook(io.BytesIO(plan_xlsx_bytes(plan)))
    assert book.sheetnames == ["推广名单", "各警务区前后对比", "覆盖缺口"]
    cells = " ".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    assert not PHONE.search(cells) and not any(n in cells for n in raw_names)
    assert "第1警务区" in cells

    page = promotion_sheets_html(plan)
    assert page.startswith("<!DOCTYPE html>") and "@page" in page
    assert page.count('<section class="officer">') == 1 and "周水雷" in page
    assert page.count("☐") == 3 * len(plan.sites)
    assert not PHONE.search(page) and not any(n in page for n in raw_names)
    assert "13900001111" in promotion_sheets_html(plan, show_personal=True)
    assert 'lang="en"' in promotion_sheets_html(plan, lang="en")
    with pytest.raises(InputError, match="lang"):
        promotion_list(plan, lang="fr")


def test_sheets_group_by_officer(tiny) -> None:
    area, frames = tiny
    two = dict(frames)
    two["officers"] = pd.concat(
        [
            frames["officers"],
            pd.DataFrame(
                {
                    "id": [3],
                    "name": ["方志贤"],
                    "station_id": [1],
                    "beat_id": [1],
                    "role": ["community_officer"],
                    "phone": ["13700003333"],
                }
            ),
        ],
        ignore_index=True,
    )
    plan = plan_cameras(area, two, k=3, method="greedy", weights=DemandWeights(incident=0))
    # two community officers in the beat share its sites in rank order
    assert plan.sites["officer"].tolist() == ["周水雷", "方志贤", "周水雷"][: len(plan.sites)]
    page = promotion_sheets_html(plan)
    assert page.count('<section class="officer">') == 2
    assert page.index("周水雷") < page.index("方志贤")


# ------------------------------------------------------------------------------- real extract


@pytest.mark.slow
@pytest.mark.skipif(not BEIJING_EXTRACTS, reason="../shared/osm Beijing extracts not found")
def test_demo_city_over_beijing() -> None:
    from geo.demo import build_demo
    from geo.network import load_area

    path = next(p for p in BEIJING_EXTRACTS if "xueyuanlu" in p.name)
    area = load_area(path)
    frames = build_demo(area, seed=7).frames
    index = NetworkIndex.from_graph(area.graph)
    plan = plan_cameras(
        area,
        frames,
        k=30,
        index=index,
        candidate_kinds=["rental", "shop", "intersection"],
        per_beat=5,
        method="greedy+swap",
    )
    assert plan.totals["chosen"] == 30
    assert plan.by_beat["new_sites"].max() <= 5
    assert plan.sites["officer"].ne("").all()
    assert (plan.by_beat["hh_share_after"] >= plan.by_beat["hh_share_before"]).all()
    before, after = _independent_shares(plan, area, frames)
    assert (plan.demand["covered_before"].to_numpy() == before).all()
    assert (plan.demand["covered_after"].to_numpy() == after).all()
    greedy = plan_cameras(area, frames, k=30, index=index, method="greedy")
    exact = plan_cameras(area, frames, k=30, index=index, method="exact")
    assert greedy.siting.new_weight >= (1 - 1 / math.e) * exact.siting.new_weight
    assert exact.siting.new_weight >= greedy.siting.new_weight - 1e-6
