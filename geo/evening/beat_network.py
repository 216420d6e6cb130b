"""The walking network of one beat plus a margin, with the tags directions need per edge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pyproj
import shapely

from geo._errors import InputError
from geo.netdist import NetworkIndex
from geo.network import (
    estate_of_points,
    is_private_access,
    residential_estates,
    tag_text,
    walkable_edge,
)

if TYPE_CHECKING:
    from geo.network import Area

__all__ = ["BeatNetwork", "beat_network"]


@dataclass
class BeatNetwork:
    """The walking network of a beat plus a margin, with what directions need per edge.

    Attributes
    ----------
    index : NetworkIndex
        Snapping and shortest paths (UTM).
    edge_name, edge_highway, edge_access : numpy.ndarray of str
        OSM tags of each undirected edge of ``index`` (``""`` when untagged).
    edge_estate : numpy.ndarray of int
        Row of ``estates`` the edge lies in (its middle inside the polygon), -1 outside.
    node_barrier : numpy.ndarray of str
        ``barrier`` tag of each node position (``"gate"`` for estate gates), ``""`` if none.
    estates : geopandas.GeoDataFrame
        Named residential estates (``name``, polygon geometry) in UTM.
    crs : pyproj.CRS or None
        The area's CRS.
    """

    index: NetworkIndex
    edge_name: np.ndarray
    edge_highway: np.ndarray
    edge_access: np.ndarray
    edge_estate: np.ndarray
    node_barrier: np.ndarray
    estates: gpd.GeoDataFrame
    crs: pyproj.CRS | None
    _named: tuple[np.ndarray, shapely.STRtree | None] | None = field(
        default=None, init=False, repr=False
    )

    @property
    def edge_private(self) -> np.ndarray:
        """Edges of an estate's own road system (private access or inside an estate)."""
        private = np.fromiter(
            (is_private_access(a) for a in self.edge_access),
            dtype=bool,
            count=len(self.edge_access),
        )
        return private | (self.edge_estate >= 0)

    def edge_between(self, p: int, q: int) -> int:
        """The shortest undirected edge between node positions ``p`` and ``q``."""
        return self.index.edge_between(p, q)

    def estate_of_points(self, xy: np.ndarray) -> np.ndarray:
        """Row of ``estates`` each point lies in, -1 outside every estate."""
        return estate_of_points(self.estates, xy)

    def named_edges(self) -> tuple[np.ndarray, shapely.STRtree | None]:
        """Indices of named edges and a spatial index over their geometries."""
        if self._named is None:
            idx = np.flatnonzero(self.edge_name != "")
            tree = shapely.STRtree(self.index.edge_geometry[idx]) if idx.size else None
            self._named = (idx, tree)
        return self._named


def beat_network(
    area: Area,
    polygon: shapely.Geometry | None = None,
    *,
    margin_m: float = 300.0,
    include: Sequence[tuple[float, float]] = (),
) -> BeatNetwork:
    """The walking network of a beat plus a margin.

    Steps: keep the graph near the beat, keep its largest walkable piece, index it, then attach
    each index edge's tags, each node's barrier and each edge's estate.

    Parameters
    ----------
    area : geo.network.Area
        The loaded OSM area (its ``graph`` is the walking network in UTM).
    polygon : shapely geometry, optional
        The beat in the area's CRS; the whole area when omitted.
    margin_m : float, optional
        Keep the network this far around the beat (m).
    include : sequence of (x, y), optional
        Points whose surroundings must be kept too (the office, a chosen start).

    Returns
    -------
    BeatNetwork

    Raises
    ------
    InputError
        If the area has no walking graph or nothing of it lies near the beat.
    """
    graph = area.graph
    if graph is None or graph.number_of_nodes() == 0:
        raise InputError(f"area {area.name!r} has no walking network (graph)")
    graph = _near_the_beat(graph, polygon, margin_m, include)
    graph = _largest_component(graph)
    index = NetworkIndex.from_graph(graph, edge_filter=walkable_edge)
    name, highway, access = _edge_tags(graph, index)
    barrier = np.array(
        [tag_text(graph.nodes[nid].get("barrier")) for nid in index.node_ids.tolist()],
        dtype=object,
    )
    estates = residential_estates(area)
    mid = shapely.line_interpolate_point(index.edge_geometry, 0.5, normalized=True)
    edge_estate = estate_of_points(estates, mid)
    return BeatNetwork(
        index,
        name.astype(str),
        highway.astype(str),
        access.astype(str),
        edge_estate,
        barrier.astype(str),
        estates,
        index.crs if index.crs is not None else area.crs,
    )


def _near_the_beat(
    graph: nx.MultiDiGraph,
    polygon: shapely.Geometry | None,
    margin_m: float,
    include: Sequence[tuple[float, float]],
) -> nx.MultiDiGraph:
    """The part of ``graph`` within ``margin_m`` of the beat or of the ``include`` points."""
    if polygon is None:
        return graph
    keep_geom = polygon.buffer(margin_m)
    if include:
        keep_geom = shapely.union_all(
            [keep_geom, *[shapely.Point(p).buffer(margin_m) for p in include]]
        )
    ids = list(graph.nodes)
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in ids])
    shapely.prepare(keep_geom)
    inside = shapely.contains_xy(keep_geom, xy[:, 0], xy[:, 1])
    if not inside.any():
        raise InputError("no part of the walking network lies within the beat and its margin")
    return graph.subgraph([n for n, k in zip(ids, inside, strict=True) if k])


def _largest_component(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The largest connected piece of walkable ways.

    Walkers cross every way in both directions, so connectivity ignores edge direction. Points
    near a small cut-off piece (a lone footway, a way cut by the beat's margin) snap to the
    main network instead of being stranded on it.
    """
    walk = nx.Graph()
    walk.add_nodes_from(graph.nodes)
    walk.add_edges_from((u, v) for u, v, d in graph.edges(data=True) if walkable_edge(u, v, d))
    if walk.number_of_edges() == 0:
        raise InputError("the walking network near the beat has no walkable ways")
    biggest = max(nx.connected_components(walk), key=len)
    if len(biggest) == graph.number_of_nodes():
        return graph
    return graph.subgraph(biggest)


def _edge_tags(
    graph: nx.MultiDiGraph, index: NetworkIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``name``, ``highway`` and ``access`` of each undirected edge of ``index``.

    The tags are those of the graph edge between the same nodes whose length is nearest
    (parallel ways of different length stay separate in the index).
    """
    by_pair: dict[tuple[int, int], list[tuple[float, Mapping[str, Any]]]] = {}
    pos = {nid: i for i, nid in enumerate(index.node_ids.tolist())}
    for u, v, d in graph.edges(data=True):
        if not walkable_edge(u, v, d):
            continue
        a, b = pos[u], pos[v]
        key = (a, b) if a <= b else (b, a)
        by_pair.setdefault(key, []).append((float(d.get("length", 0.0) or 0.0), d))
    n = index.n_edges
    name = np.full(n, "", dtype=object)
    highway = np.full(n, "", dtype=object)
    access = np.full(n, "", dtype=object)
    for e in range(n):
        cands = by_pair.get((int(index.edge_u[e]), int(index.edge_v[e])), [])
        if cands:
            length = float(index.edge_length[e])
            d = min(cands, key=lambda c: abs(c[0] - length))[1]
            name[e] = tag_text(d.get("name"), sep="/")
            highway[e] = tag_text(d.get("highway"))
            access[e] = tag_text(d.get("access"))
    return name, highway, access
