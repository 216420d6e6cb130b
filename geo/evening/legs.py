"""The walk between consecutive places of a round, as pieces of network edges and a line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely import LineString
from shapely.ops import substring

from geo.evening.beat_network import BeatNetwork
from geo.netdist import Snapped

__all__ = ["Leg", "network_legs"]


@dataclass
class Leg:
    """The walk from one place to the next, on the network.

    Attributes
    ----------
    pieces : list of (int, float, float)
        ``(edge, from_offset, to_offset)`` along undirected edges of the index, in walking
        order (offsets in metres from the edge's ``u`` end).
    nodes : list of int
        Node positions passed between the pieces.
    length : float
        Network length (m), access legs excluded.
    geometry : shapely.LineString or None
        The path (UTM); None for a zero-length leg (two stops at one door).
    """

    pieces: list[tuple[int, float, float]]
    nodes: list[int]
    length: float
    geometry: LineString | None


def network_legs(net: BeatNetwork, sn: Snapped, seq: Sequence[int]) -> list[Leg]:
    """Shortest network legs between consecutive rows ``seq`` of ``sn``.

    One multi-source Dijkstra from the end nodes of every snapped edge; each leg then leaves
    its edge by the better end, follows the predecessors and enters the next edge (or stays on
    one edge when both points lie on it and that is shorter).
    """
    idx = net.index
    ends = np.unique(np.r_[sn.u[list(seq)], sn.v[list(seq)]])
    dist, pred = dijkstra(idx.csr, directed=True, indices=ends, return_predecessors=True)
    where = {int(n): i for i, n in enumerate(ends.tolist())}
    return [_one_leg(net, sn, a, b, dist, pred, where) for a, b in pairwise(seq)]


def _one_leg(
    net: BeatNetwork,
    sn: Snapped,
    a: int,
    b: int,
    dist: np.ndarray,
    pred: np.ndarray,
    where: dict[int, int],
) -> Leg:
    idx = net.index
    ea, eb = int(sn.edge[a]), int(sn.edge[b])
    oa, ob = float(sn.offset[a]), float(sn.offset[b])
    la, lb = float(sn.length[a]), float(sn.length[b])
    best = (math.inf, (0, 0.0), (0, 0.0))
    for na, leg_a, end_a in ((int(sn.u[a]), oa, 0.0), (int(sn.v[a]), la - oa, la)):
        row = where[na]
        for nb, leg_b, end_b in ((int(sn.u[b]), ob, 0.0), (int(sn.v[b]), lb - ob, lb)):
            total = leg_a + dist[row, nb] + leg_b
            if total < best[0]:
                best = (total, (na, end_a), (nb, end_b))
    direct = abs(oa - ob) if ea == eb else math.inf
    if direct <= best[0] + 1e-9:
        pieces = [(ea, oa, ob)] if direct > 1e-9 else []
        return _leg(net, pieces, [], direct)
    total, (na, end_a), (nb, end_b) = best
    row = where[na]
    nodes = [nb]
    while nodes[-1] != na:
        nodes.append(int(pred[row, nodes[-1]]))
    nodes.reverse()
    pieces = []
    if abs(oa - end_a) > 1e-9:
        pieces.append((ea, oa, end_a))
    for p, q in zip(nodes[:-1], nodes[1:], strict=True):
        e = net.edge_between(p, q)
        length = float(idx.edge_length[e])
        pieces.append((e, 0.0, length) if int(idx.edge_u[e]) == p else (e, length, 0.0))
    if abs(ob - end_b) > 1e-9:
        pieces.append((eb, end_b, ob))
    return _leg(net, pieces, nodes, float(total))


def _leg(
    net: BeatNetwork, pieces: list[tuple[int, float, float]], nodes: list[int], length: float
) -> Leg:
    idx = net.index
    coords: list[np.ndarray] = []
    for e, f, t in pieces:
        g = idx.edge_geometry[e]
        el = float(idx.edge_length[e]) or 1.0
        gl = g.length
        part = substring(g, f / el * gl, t / el * gl)
        c = shapely.get_coordinates(part)
        if c.size:
            coords.append(c)
    if not coords:
        return Leg(pieces, nodes, length, None)
    pts = np.concatenate(coords)
    keep = np.r_[True, np.any(np.abs(np.diff(pts, axis=0)) > 1e-9, axis=1)]
    pts = pts[keep]
    if pts.shape[0] < 2:
        return Leg(pieces, nodes, length, None)
    return Leg(pieces, nodes, length, LineString(pts))
