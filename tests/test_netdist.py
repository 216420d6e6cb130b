"""Network distances on a tiny hand-built graph whose distances are worked out by hand.

Layout (metres, UTM-like CRS)::

    3 (0,30) ------------ H2 ------------ 4 (300,30)
                                          |  30
    1 (0,0)  ------------ H1 ------------ 2 (300,0)
    |  100                                |  100
    5 (0,-100) ----- 6 (150,-100) ~~~~~~ 7 (300,-100)

Two parallel hutongs H1 and H2, 30 m apart, meet only at their far (east) ends. Node 3 is a dead
end. Edge 6-7 bends through (225,-120), so it is 2 * hypot(75, 20) long.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from shapely import LineString

from geo._errors import InputError
from geo.netdist import NetworkIndex

CURVE = 2 * math.hypot(75, 20)  # 155.2417...

NODES = {
    1: (0, 0),
    2: (300, 0),
    3: (0, 30),
    4: (300, 30),
    5: (0, -100),
    6: (150, -100),
    7: (300, -100),
}
EDGES = [(1, 2, None), (3, 4, None), (2, 4, None), (1, 5, None), (5, 6, None),
         (6, 7, [(150, -100), (225, -120), (300, -100)]), (7, 2, None)]  # fmt: skip


def osmnx_style(nodes: dict, edges: list, crs: str = "EPSG:32650") -> nx.MultiDiGraph:
    """Both directions, geometry only on bent edges, length from the geometry."""
    g = nx.MultiDiGraph(crs=crs)
    for n, (x, y) in nodes.items():
        g.add_node(n, x=float(x), y=float(y))
    for u, v, coords in edges:
        line = LineString(coords if coords else [nodes[u], nodes[v]])
        data = {"length": line.length}
        if coords:
            g.add_edge(u, v, **data, geometry=line)
            g.add_edge(v, u, **data, geometry=line.reverse())
        else:
            g.add_edge(u, v, **data)
            g.add_edge(v, u, **data)
    return g


@pytest.fixture(scope="module")
def index() -> NetworkIndex:
    return NetworkIndex.from_graph(osmnx_style(NODES, EDGES))


def test_build_collapses_directions(index: NetworkIndex) -> None:
    assert index.n_nodes == 7
    assert index.n_edges == 7
    assert (index.edge_u < index.edge_v).all()
    assert index.csr.nnz == 14
    assert np.isclose(index.edge_length.sum(), 300 + 300 + 30 + 100 + 150 + CURVE + 100)


def test_next_hutong_is_far(index: NetworkIndex) -> None:
    sn = index.snap(np.array([[10.0, 0.0], [10.0, 30.0]]))
    d = index.distance_matrix(sn)
    # straight line 30 m; walking: 290 east on H1, 30 north, 290 west on H2
    assert d[0, 1] == pytest.approx(610.0)
    assert d[1, 0] == pytest.approx(610.0)
    assert d[0, 0] == 0.0


def test_hand_computed_distances(index: NetworkIndex) -> None:
    pts = np.array([[10.0, 0.0], [150.0, -100.0], [225.0, -120.0], [300.0, 15.0]])
    sn = index.snap(pts)
    d = index.distance_matrix(sn)
    assert d[0, 1] == pytest.approx(10 + 100 + 150)
    assert d[0, 2] == pytest.approx(10 + 100 + 150 + CURVE / 2)
    assert d[0, 3] == pytest.approx(290 + 15)
    assert d[2, 3] == pytest.approx(CURVE / 2 + 100 + 15)
    assert np.allclose(d, d.T)


def test_same_edge_pair_and_access(index: NetworkIndex) -> None:
    sn = index.snap(np.array([[10.0, -4.0], [250.0, 3.0]]))
    assert sn.edge[0] == sn.edge[1]
    assert sn.offset.tolist() == pytest.approx([10.0, 250.0])
    assert index.distance_matrix(sn)[0, 1] == pytest.approx(240.0)
    assert index.distance_matrix(sn, include_access=True)[0, 1] == pytest.approx(247.0)


def test_snap_picks_nearest_edge(index: NetworkIndex) -> None:
    # 5 m from H1, 10 m from the 1-5 street
    sn = index.snap(np.array([[10.0, -5.0], [-3.0, 50.0], [-10.0, -40.0]]))
    h1 = int(np.flatnonzero((index.edge_u == 0) & (index.edge_v == 1))[0])
    assert sn.edge[0] == h1
    assert sn.distance[0] == pytest.approx(5.0)
    assert sn.xy[0].tolist() == pytest.approx([10.0, 0.0])
    assert sn.xy[1].tolist() == pytest.approx([0.0, 30.0])  # end of H2, 20.2 m away
    assert sn.distance[1] == pytest.approx(math.hypot(3, 20))
    assert sn.xy[2].tolist() == pytest.approx([0.0, -40.0])
    # offset is measured from u (the smaller node position)
    assert sn.u[2] == 0 and sn.offset[2] == pytest.approx(40.0)


def test_snap_max_distance_and_prefer(index: NetworkIndex) -> None:
    sn = index.snap(np.array([[10.0, -5.0], [150.0, -50.0]]), max_distance=20.0)
    assert sn.valid.tolist() == [True, False]
    d = index.distance_matrix(sn)
    assert np.isinf(d[0, 1]) and np.isinf(d[1, 1])
    assert index.within(sn, sn, 1e6).toarray().tolist() == [[True, False], [False, False]]
    # prefer H2 for the first point: it snaps there (15 m) instead of H1 (5 m)
    h2 = (index.edge_u == 2) & (index.edge_v == 3)
    sn = index.snap(
        np.array([[10.0, 5.0], [10.0, 5.0]]), prefer=h2, prefer_points=np.array([True, False])
    )
    assert sn.xy[0].tolist() == pytest.approx([10.0, 30.0])
    assert sn.xy[1].tolist() == pytest.approx([10.0, 0.0])
    # preferred edge too far: falls back to the nearest of all
    sn = index.snap(np.array([[10.0, -40.0]]), prefer=h2, max_distance=50.0)
    assert sn.xy[0].tolist() == pytest.approx([0.0, -40.0])


def test_within_radius_follows_network(index: NetworkIndex) -> None:
    cam = index.snap(np.array([[10.0, 0.0]]))
    homes = index.snap(
        np.array([[30.0, 0.0], [49.0, 0.0], [51.0, 0.0], [10.0, 30.0], [0.0, -29.0], [0.0, -31.0]])
    )
    got = index.within(cam, homes, 40.0).toarray()[0]
    assert got.tolist() == [True, True, False, False, True, False]


def test_within_matches_distance_matrix_random() -> None:
    rng = np.random.default_rng(42)
    # a 6 x 6 grid of 80 m blocks with some streets missing and a bent street
    nodes = {(i, j): (80.0 * i, 80.0 * j) for i in range(6) for j in range(6)}
    edges = []
    for i in range(6):
        for j in range(6):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < 6 and j + dj < 6 and rng.random() > 0.15:
                    edges.append(((i, j), (i + di, j + dj), None))
    edges.append(((0, 0), (5, 5), [(0, 0), (100, 300), (400, 400)]))
    index = NetworkIndex.from_graph(osmnx_style(nodes, edges))
    a = index.snap(rng.uniform(-20, 420, size=(60, 2)))
    b = index.snap(rng.uniform(-20, 420, size=(300, 2)))
    dm = index.distance_matrix(a, b)
    for radius in (0.0, 35.0, 120.0, 400.0):
        got = index.within(a, b, radius).toarray()
        assert (got == (dm <= radius)).all(), radius
    per_site = rng.uniform(10, 200, size=60)
    got = index.within(a, b, per_site).toarray()
    assert (got == (dm <= per_site[:, None])).all()
    # node-to-node distances agree with networkx
    g = nx.Graph()
    for u, v, w in zip(index.edge_u, index.edge_v, index.edge_length, strict=True):
        if not g.has_edge(u, v) or g[u][v]["w"] > w:
            g.add_edge(int(u), int(v), w=float(w))
    dn = index.node_distances(np.arange(10))
    for i in range(10):
        ref = nx.single_source_dijkstra_path_length(g, i, weight="w")
        for j in range(10):
            assert dn[i, j] == pytest.approx(ref.get(j, np.inf), abs=1e-6)


def test_path_goes_round_the_hutongs(index: NetworkIndex) -> None:
    res = index.path((10.0, 0.0), (10.0, 30.0))
    assert res.length == pytest.approx(610.0)
    assert res.nodes == [2, 4]
    assert res.geometry.length == pytest.approx(610.0)
    assert list(res.geometry.coords[0]) == pytest.approx([10.0, 0.0])
    assert list(res.geometry.coords[-1]) == pytest.approx([10.0, 30.0])
    same = index.path((10.0, 0.0), (250.0, 0.0))
    assert same.nodes == [] and same.length == pytest.approx(240.0)
    curved = index.path((10.0, 0.0), (225.0, -120.0))
    assert curved.length == pytest.approx(10 + 100 + 150 + CURVE / 2)
    assert curved.geometry.length == pytest.approx(curved.length)


def test_bad_inputs(index: NetworkIndex) -> None:
    with pytest.raises(InputError, match="shape"):
        index.snap(np.zeros((3, 3)))
    with pytest.raises(InputError, match="NaN"):
        index.snap(np.array([[np.nan, 0.0]]))
    with pytest.raises(InputError, match="geographic"):
        NetworkIndex.from_graph(osmnx_style(NODES, EDGES, crs="EPSG:4326"))
    with pytest.raises(InputError, match="no edges"):
        NetworkIndex.from_graph(osmnx_style(NODES, EDGES), edge_filter=lambda u, v, d: False)
    sn = index.snap(np.array([[0.0, 0.0]]))
    with pytest.raises(InputError, match="radius"):
        index.within(sn, sn, -1.0)


def test_snap_is_exact_nearest_edge() -> None:
    """The KD-tree snapping finds the same distance as a brute-force shapely search."""
    import shapely

    rng = np.random.default_rng(7)
    nodes = {(i, j): (70.0 * i + rng.uniform(-5, 5), 70.0 * j) for i in range(5) for j in range(5)}
    edges = [((i, j), (i + 1, j), None) for i in range(4) for j in range(5)]
    edges += [((i, j), (i, j + 1), None) for i in range(5) for j in range(4) if rng.random() > 0.3]
    edges.append(((0, 0), (4, 4), [(0, 0), (30, 200), (150, 90), (280, 280)]))
    index = NetworkIndex.from_graph(osmnx_style(nodes, edges))
    xy = rng.uniform(-300, 600, size=(3000, 2))  # many far outside the streets
    sn = index.snap(xy)
    ref = shapely.distance(shapely.points(xy)[:, None], index.edge_geometry[None, :]).min(axis=1)
    assert np.allclose(sn.distance, ref, atol=1e-9)
    assert np.allclose(np.hypot(*(sn.xy - xy).T), sn.distance)
    near = index.snap(xy, max_distance=25.0)
    assert (near.valid == (ref <= 25.0)).all()
    both = near.concat([near.take(slice(0, 5)), near.take(np.array([7]))])
    assert len(both) == 6 and both.edge[5] == near.edge[7]
