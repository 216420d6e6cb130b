"""Network distances between arbitrary points on a walking graph.

Shared by route planning and camera coverage. A :class:`NetworkIndex` is built once from an
osmnx-style graph projected to a metric CRS (UTM); points are then *snapped* to their nearest
street edge and distances are measured along the network, never as the crow flies: two hutongs
30 m apart that meet only at their far ends are hundreds of metres apart for a walker and for a
camera.

Conventions
-----------
* Ways are walkable in both directions. Directed edges ``u -> v`` and ``v -> u`` of the input
  graph collapse to one undirected edge; parallel edges of different length stay separate for
  snapping, and the shortest one is used for routing.
* An undirected edge is stored with ``u < v`` (node *positions*, not osm ids) and its geometry
  oriented from ``u`` to ``v``. A snapped point's ``offset`` is the distance along the edge from
  ``u`` in metres, scaled to the edge's ``length`` attribute so offsets and graph distances agree.
* Distances between snapped points exclude the *access* legs (point to its snapped position)
  unless asked for with ``include_access=True``.

Examples
--------
>>> index = NetworkIndex.from_graph(graph)  # doctest: +SKIP
>>> homes = index.snap(np.c_[gdf.geometry.x, gdf.geometry.y], max_distance=80)  # doctest: +SKIP
>>> near = index.within(cameras, homes, 40.0)  # csr, cameras x homes  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely import LineString
from shapely.ops import substring

from geo._errors import InputError

if TYPE_CHECKING:
    import networkx as nx
    import pyproj

__all__ = ["NetworkIndex", "PathResult", "Snapped"]

#: length given to zero-length edges in the routing matrix (scipy drops explicit zeros)
_TINY = 1e-6
#: cells of float64 per block when building dense distance blocks
_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class Snapped:
    """Points snapped to their nearest undirected edge of a :class:`NetworkIndex`.

    All arrays have one entry per input point. Points that found no edge (farther than
    ``max_distance``) have ``edge == -1``, ``u == v == -1`` and NaN offsets; every distance
    involving them is ``inf`` and they are never within any radius.

    Attributes
    ----------
    edge : numpy.ndarray of int64
        Undirected edge index, -1 if not snapped.
    u, v : numpy.ndarray of int64
        Node positions of the edge's ends (``u < v`` except self-loops).
    offset : numpy.ndarray of float64
        Distance along the edge from ``u`` (m), in ``[0, length]``.
    length : numpy.ndarray of float64
        Edge length (m).
    distance : numpy.ndarray of float64
        Straight-line distance from the point to the edge (the access leg, m).
    xy : numpy.ndarray of float64, shape (n, 2)
        Snapped position on the edge.
    point : numpy.ndarray of float64, shape (n, 2)
        The original point.
    """

    edge: np.ndarray
    u: np.ndarray
    v: np.ndarray
    offset: np.ndarray
    length: np.ndarray
    distance: np.ndarray
    xy: np.ndarray
    point: np.ndarray

    def __len__(self) -> int:
        return int(self.edge.shape[0])

    @property
    def valid(self) -> np.ndarray:
        """Boolean mask of points that were snapped to an edge."""
        return self.edge >= 0

    def take(self, indices: np.ndarray | Sequence[int] | slice) -> Snapped:
        """Subset of the points (integer indices, a boolean mask or a slice)."""
        return Snapped(
            *(getattr(self, f)[indices] for f in Snapped.__dataclass_fields__)  # type: ignore[arg-type]
        )

    @staticmethod
    def concat(parts: Sequence[Snapped]) -> Snapped:
        """Concatenate snapped point sets of the same index."""
        return Snapped(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in Snapped.__dataclass_fields__)
        )


@dataclass(frozen=True)
class PathResult:
    """A shortest walking path between two points.

    Attributes
    ----------
    nodes : list
        Graph node ids visited, in order (empty when both points lie on the same edge and the
        direct way along it is shortest).
    geometry : shapely.LineString
        The path from the first snapped point to the second, following edge geometries.
    length : float
        Network length (m), access legs excluded.
    """

    nodes: list[Hashable]
    geometry: LineString
    length: float


@dataclass
class NetworkIndex:
    """Routing matrix, node arrays and a spatial index over the undirected edges of a graph.

    Build with :meth:`from_graph`. Node *positions* (0..n-1) index every array; ``node_ids``
    maps them back to the graph's node ids.

    Attributes
    ----------
    node_ids : numpy.ndarray of object
        Graph node id per position.
    node_xy : numpy.ndarray of float64, shape (n_nodes, 2)
        Node coordinates (m).
    edge_u, edge_v : numpy.ndarray of int64
        End node positions of each undirected edge.
    edge_length : numpy.ndarray of float64
        Edge length (m), from the ``length`` attribute (geometry length when missing).
    edge_geometry : numpy.ndarray of shapely.LineString
        Edge geometry oriented from ``edge_u`` to ``edge_v``.
    csr : scipy.sparse.csr_matrix
        Symmetric n_nodes x n_nodes matrix of the shortest edge length between adjacent nodes.
    crs : object
        The graph's CRS (``graph.graph["crs"]``), or None.
    """

    node_ids: np.ndarray
    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_geometry: np.ndarray
    csr: sp.csr_matrix
    crs: pyproj.CRS | str | None = None
    _node_pos: dict[Hashable, int] = field(init=False, repr=False)
    _geom_length: np.ndarray = field(init=False, repr=False)
    _pair_edge: dict[tuple[int, int], int] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._node_pos = {nid: i for i, nid in enumerate(self.node_ids.tolist())}
        glen = shapely.length(self.edge_geometry)
        self._geom_length = np.where(glen > 0, glen, 1.0)
        coords, gi = shapely.get_coordinates(self.edge_geometry, return_index=True)
        inner = gi[1:] == gi[:-1]
        p0, p1 = coords[:-1][inner], coords[1:][inner]
        self._seg_edge = gi[:-1][inner].astype(np.int64)
        seg_len = np.hypot(*(p1 - p0).T)
        cum = np.cumsum(seg_len)
        first = np.r_[True, self._seg_edge[1:] != self._seg_edge[:-1]]
        base = np.maximum.accumulate(np.where(first, cum - seg_len, 0.0))
        self._seg_start = cum - seg_len - base
        self._segments = _SegmentIndex(_Segments(p0, p1, seg_len), None)
        self._prefer_cache: dict[bytes, _SegmentIndex] = {}

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_graph(
        cls,
        graph: nx.Graph,
        *,
        edge_filter: Callable[[Hashable, Hashable, dict], bool] | None = None,
    ) -> NetworkIndex:
        """Build the index from an osmnx-style MultiDiGraph projected to a metric CRS.

        Parameters
        ----------
        graph : networkx.MultiDiGraph or networkx.Graph
            Node attributes ``x``, ``y`` (m); edge attributes ``length`` (m) and optionally
            ``geometry`` (LineString in the same CRS, from ``u`` to ``v``; missing means a
            straight segment).
        edge_filter : callable, optional
            ``edge_filter(u, v, data) -> bool``; edges for which it returns False are left out
            (e.g. motorways for a walking index).

        Returns
        -------
        NetworkIndex

        Raises
        ------
        InputError
            If the graph has no nodes or edges, lacks coordinates, or is in a geographic CRS.
        """
        crs = graph.graph.get("crs")
        _check_metric(crs)
        node_ids, node_xy = _graph_nodes(graph)
        a, b, len_a, geom_a = _graph_edges(graph, node_ids, node_xy, edge_filter)
        csr = _routing_matrix(a, b, len_a, node_ids.size)
        return cls(node_ids, node_xy, a, b, len_a, geom_a, csr, crs)

    # ------------------------------------------------------------------ properties

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_ids.size)

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return int(self.edge_u.size)

    def node_position(self, node_id: Hashable) -> int:
        """Position of a graph node id in the index arrays."""
        try:
            return self._node_pos[node_id]
        except KeyError as exc:
            raise InputError(f"node {node_id!r} is not in the network") from exc

    # ------------------------------------------------------------------ snapping

    def snap(
        self,
        xy: np.ndarray,
        *,
        max_distance: float | None = None,
        prefer: np.ndarray | None = None,
        prefer_points: np.ndarray | None = None,
    ) -> Snapped:
        """Snap points to their nearest undirected edge.

        Parameters
        ----------
        xy : numpy.ndarray, shape (n, 2)
            Point coordinates in the index CRS (m).
        max_distance : float, optional
            Points farther than this from every edge are left unsnapped (``edge == -1``).
        prefer : numpy.ndarray of bool, shape (n_edges,), optional
            Edges to prefer (e.g. the paths inside a household's gated estate). Flagged points
            snap to the nearest preferred edge when one lies within ``max_distance``, otherwise
            to the nearest edge of all.
        prefer_points : numpy.ndarray of bool, shape (n,), optional
            Which points the preference applies to; all points when omitted.

        Returns
        -------
        Snapped

        Notes
        -----
        Exact nearest segment, found through a KD-tree of points sampled every 6 m along the
        edge pieces plus an exact point-segment distance on the few candidates (about 3x faster
        than shapely's ``STRtree.query_nearest`` with ``line_locate_point``: 0.7 s against
        2.6 s for 330,000 points on an 11,800-node city).
        """
        xy = np.asarray(xy, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise InputError(f"xy must have shape (n, 2), got {xy.shape}")
        if not np.isfinite(xy).all():
            bad = int((~np.isfinite(xy).all(axis=1)).sum())
            raise InputError(f"{bad} point(s) have NaN or infinite coordinates")
        if max_distance is not None and not max_distance >= 0:
            raise InputError(f"max_distance must be >= 0, got {max_distance}")
        n = xy.shape[0]
        seg = np.full(n, -1, dtype=np.int64)
        t = np.zeros(n)
        dist = np.full(n, np.nan)
        if prefer is not None:
            prefer = np.asarray(prefer, dtype=bool)
            if prefer.shape != (self.n_edges,):
                raise InputError(
                    f"prefer must have one flag per edge ({self.n_edges}), got {prefer.shape}"
                )
            flagged = (
                np.ones(n, dtype=bool)
                if prefer_points is None
                else np.asarray(prefer_points, dtype=bool)
            )
            if flagged.shape != (n,):
                raise InputError(
                    f"prefer_points must have one flag per point ({n}), got {flagged.shape}"
                )
            key = prefer.tobytes()
            if key not in self._prefer_cache:
                self._prefer_cache.clear()
                self._prefer_cache[key] = _SegmentIndex(self._segments.segs, prefer[self._seg_edge])
            which = np.flatnonzero(flagged)
            self._prefer_cache[key].nearest(xy, which, max_distance, seg, t, dist)
            self._segments.nearest(xy, np.flatnonzero(seg < 0), max_distance, seg, t, dist)
        else:
            self._segments.nearest(xy, np.arange(n), max_distance, seg, t, dist)

        ok = seg >= 0
        sg = seg[ok]
        edge = np.full(n, -1, dtype=np.int64)
        e = self._seg_edge[sg]
        edge[ok] = e
        u = np.full(n, -1, dtype=np.int64)
        v = np.full(n, -1, dtype=np.int64)
        offset = np.full(n, np.nan)
        length = np.full(n, np.nan)
        sxy = np.full((n, 2), np.nan)
        u[ok] = self.edge_u[e]
        v[ok] = self.edge_v[e]
        length[ok] = self.edge_length[e]
        s0, s1 = self._segments.segs.p0[sg], self._segments.segs.p1[sg]
        sxy[ok] = s0 + t[ok, None] * (s1 - s0)
        along = self._seg_start[sg] + t[ok] * self._segments.segs.length[sg]
        offset[ok] = np.clip(along / self._geom_length[e], 0.0, 1.0) * self.edge_length[e]
        return Snapped(edge, u, v, offset, length, dist, sxy, xy.copy())

    # ------------------------------------------------------------------ distances

    def node_distances(self, nodes: np.ndarray, *, limit: float = np.inf) -> np.ndarray:
        """Dense shortest distances from the given node positions to every node.

        Parameters
        ----------
        nodes : numpy.ndarray of int
            Source node positions.
        limit : float, optional
            Distances above this are reported as ``inf`` (and not explored).

        Returns
        -------
        numpy.ndarray, shape (len(nodes), n_nodes)
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        if nodes.size == 0:
            return np.empty((0, self.n_nodes))
        return np.atleast_2d(dijkstra(self.csr, directed=True, indices=nodes, limit=limit))

    def distance_matrix(
        self, a: Snapped, b: Snapped | None = None, *, include_access: bool = False
    ) -> np.ndarray:
        """Shortest network distances between snapped points.

        ``d(p, q) = min over the end nodes n_p, n_q of their edges of
        leg(p, n_p) + D[n_p, n_q] + leg(q, n_q)``, and ``|offset_p - offset_q|`` when both lie
        on the same edge.

        Parameters
        ----------
        a : Snapped
            Source points.
        b : Snapped, optional
            Target points; ``a`` when omitted.
        include_access : bool, optional
            Add each point's distance to its edge (the access legs at both ends).

        Returns
        -------
        numpy.ndarray, shape (len(a), len(b))
            Metres; ``inf`` when unreachable or unsnapped.
        """
        b = a if b is None else b
        out = np.full((len(a), len(b)), np.inf)
        ia = np.flatnonzero(a.valid)
        ib = np.flatnonzero(b.valid)
        if ia.size == 0 or ib.size == 0:
            return out
        src = np.unique(np.r_[a.u[ia], a.v[ia]])
        dist = self.node_distances(src)
        bu, bv = b.u[ib], b.v[ib]
        bo, bl = b.offset[ib], b.length[ib]
        b_edge = b.edge[ib]
        step = max(1, _BLOCK_CELLS // max(1, ib.size))
        for s in range(0, ia.size, step):
            rows = ia[s : s + step]
            ru = np.searchsorted(src, a.u[rows])
            rv = np.searchsorted(src, a.v[rows])
            ao = a.offset[rows][:, None]
            al = a.length[rows][:, None]
            du, dv = dist[ru], dist[rv]
            best = np.minimum(
                np.minimum(ao + du[:, bu] + bo, ao + du[:, bv] + (bl - bo)),
                np.minimum((al - ao) + dv[:, bu] + bo, (al - ao) + dv[:, bv] + (bl - bo)),
            )
            same = a.edge[rows][:, None] == b_edge[None, :]
            if same.any():
                direct = np.abs(ao - bo[None, :])
                best = np.where(same, np.minimum(best, direct), best)
            out[np.ix_(rows, ib)] = best
        if include_access:
            out += np.nan_to_num(a.distance, nan=np.inf)[:, None]
            out += np.nan_to_num(b.distance, nan=np.inf)[None, :]
        return out

    def _bounded_search(
        self, src: np.ndarray, node: np.ndarray, dist0: np.ndarray, limit: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All (source, node, distance) with shortest distance <= the source's limit.

        Vectorised label-correcting search over many sources at once: each source starts at
        one or more nodes with initial distances; every round relaxes the edges out of the
        nodes whose distance improved. Work and memory scale with the number of (source,
        node) pairs inside the limits, not with sources x nodes.

        Parameters
        ----------
        src : numpy.ndarray of int64
            Source id of each start entry (indexes ``limit``).
        node, dist0 : numpy.ndarray
            Start node position and initial distance of each entry.
        limit : numpy.ndarray of float64
            Distance limit per source id.
        """
        n = np.int64(self.n_nodes)
        indptr, indices, data = self.csr.indptr, self.csr.indices, self.csr.data
        ok = dist0 <= limit[src]
        keys, dist = _min_by_key(src[ok].astype(np.int64) * n + node[ok], dist0[ok])
        best_k, best_d = keys, dist.copy()
        fk, fd = keys, dist
        while fk.size:
            s = fk // n
            u = fk - s * n
            rep, pos = _expand_ranges(indptr[u], indptr[u + 1])
            nd = fd[rep] + data[pos]
            sr = s[rep]
            m = nd <= limit[sr]
            ck, cd = _min_by_key(sr[m] * n + indices[pos[m]], nd[m])
            i = np.searchsorted(best_k, ck)
            ic = np.minimum(i, best_k.size - 1)
            found = best_k[ic] == ck
            better = found & (cd < best_d[ic] - 1e-9)
            best_d[ic[better]] = cd[better]
            new = ~found
            if new.any():
                best_k = np.concatenate([best_k, ck[new]])
                best_d = np.concatenate([best_d, cd[new]])
                order = np.argsort(best_k, kind="stable")  # two sorted runs: a merge
                best_k, best_d = best_k[order], best_d[order]
            upd = better | new
            fk, fd = ck[upd], cd[upd]
        s = best_k // n
        return s, best_k - s * n, best_d

    def within(
        self,
        a: Snapped,
        b: Snapped,
        radius: float | np.ndarray,
    ) -> sp.csr_matrix:
        """Which points of ``b`` lie within ``radius`` of each point of ``a`` along the network.

        Scales to 10,000 x 330,000 points: a bounded search explores only the street within
        the radius of each source, and targets are matched by sorted offsets per edge end.

        Parameters
        ----------
        a, b : Snapped
            Sources (e.g. cameras) and targets (e.g. households).
        radius : float or numpy.ndarray of shape (len(a),)
            Network radius (m), one for all sources or one per source.

        Returns
        -------
        scipy.sparse.csr_matrix of bool, shape (len(a), len(b))
            True where the network distance (access legs excluded) is <= radius.
        """
        na, nb = len(a), len(b)
        r = np.broadcast_to(np.asarray(radius, dtype=np.float64), (na,)).copy()
        if np.isnan(r).any() or (r < 0).any():
            raise InputError("radius must be >= 0 and not NaN")
        rows, cols = self._within_pairs(a, b, r)
        return _pairs_to_csr(rows, cols, (na, nb))

    def _within_pairs(self, a: Snapped, b: Snapped, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ia = np.flatnonzero(a.valid)
        ib = np.flatnonzero(b.valid)
        if ia.size == 0 or ib.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        scale = float(np.nanmax(self.edge_length)) + 1.0
        bo, bl = b.offset[ib], b.length[ib]
        # sources start at both ends of their edge
        src = np.r_[ia, ia]
        start = np.r_[a.u[ia], a.v[ia]]
        d0 = np.r_[a.offset[ia], a.length[ia] - a.offset[ia]]
        s, node, d = self._bounded_search(src, start, d0, r)
        rem = r[s] - d
        out_r, out_c = [], []
        # targets reached through their edge's u end (distance offset) or v end (length - offset)
        for end, leg in ((b.u[ib], bo), (b.v[ib], bl - bo)):
            key = end * scale + leg
            order = np.argsort(key, kind="stable")
            key = key[order]
            lo = np.searchsorted(key, node * scale, side="left")
            hi = np.searchsorted(key, node * scale + rem, side="right")
            rep, pos = _expand_ranges(lo, hi)
            out_r.append(s[rep])
            out_c.append(ib[order[pos]])
        # same edge: |offset_a - offset_b| <= r
        key = b.edge[ib] * scale + bo
        order = np.argsort(key, kind="stable")
        key = key[order]
        ea, oa = a.edge[ia], a.offset[ia]
        lo = np.searchsorted(key, ea * scale + np.maximum(oa - r[ia], 0.0), side="left")
        hi = np.searchsorted(key, ea * scale + np.minimum(oa + r[ia], a.length[ia]), side="right")
        rep, pos = _expand_ranges(lo, hi)
        out_r.append(ia[rep])
        out_c.append(ib[order[pos]])
        return np.concatenate(out_r), np.concatenate(out_c)

    # ------------------------------------------------------------------ paths

    def path(self, a_point: Sequence[float], b_point: Sequence[float]) -> PathResult:
        """Shortest walking path between two points (snapped to their nearest edges).

        Parameters
        ----------
        a_point, b_point : sequence of float
            ``(x, y)`` in the index CRS.

        Returns
        -------
        PathResult

        Raises
        ------
        InputError
            If the points are not connected by the network.
        """
        sn = self.snap(np.array([a_point, b_point], dtype=np.float64))
        ea, eb = int(sn.edge[0]), int(sn.edge[1])
        oa, ob = float(sn.offset[0]), float(sn.offset[1])
        la, lb = float(sn.length[0]), float(sn.length[1])
        ga, gb = self.edge_geometry[ea], self.edge_geometry[eb]

        def geo_at(e: int, off: float) -> float:  # metres along the edge -> geometry units
            return (
                off / self.edge_length[e] * shapely.length(self.edge_geometry[e])
                if (self.edge_length[e] > 0)
                else 0.0
            )

        ends_a = ((int(sn.u[0]), oa, 0.0), (int(sn.v[0]), la - oa, la))
        ends_b = ((int(sn.u[1]), ob, 0.0), (int(sn.v[1]), lb - ob, lb))
        srcs = np.array([ends_a[0][0], ends_a[1][0]])
        dist, pred = dijkstra(self.csr, directed=True, indices=srcs, return_predecessors=True)
        best = (np.inf, -1, -1)
        for i, (_, leg_a, _) in enumerate(ends_a):
            for j, (nb, leg_b, _) in enumerate(ends_b):
                total = leg_a + dist[i, nb] + leg_b
                if total < best[0]:
                    best = (total, i, j)
        direct = abs(oa - ob) if ea == eb else np.inf
        if direct <= best[0]:
            if not np.isfinite(direct):
                raise InputError("the two points are not connected by the network")
            line = substring(ga, geo_at(ea, oa), geo_at(ea, ob))
            return PathResult([], _as_line(line, sn.xy), float(direct))
        total, i, j = best
        node_a, _, end_off_a = ends_a[i]
        node_b, _, end_off_b = ends_b[j]
        seq = [node_b]
        while seq[-1] != node_a:
            seq.append(int(pred[i, seq[-1]]))
        seq.reverse()
        coords: list[np.ndarray] = []
        first = substring(ga, geo_at(ea, oa), geo_at(ea, end_off_a))
        coords.append(shapely.get_coordinates(first))
        for p, q in zip(seq[:-1], seq[1:], strict=True):
            coords.append(shapely.get_coordinates(self._edge_line(p, q)))
        last = substring(gb, geo_at(eb, end_off_b), geo_at(eb, ob))
        coords.append(shapely.get_coordinates(last))
        pts = np.concatenate([c for c in coords if c.size])
        keep = np.r_[True, np.any(np.diff(pts, axis=0) != 0, axis=1)]
        pts = pts[keep]
        if pts.shape[0] < 2:
            pts = np.vstack([pts, pts])
        return PathResult([self.node_ids[k] for k in seq], LineString(pts), float(total))

    def edge_between(self, p: int, q: int) -> int:
        """The shortest undirected edge between node positions ``p`` and ``q``.

        Raises
        ------
        KeyError
            If no edge joins them.
        """
        if self._pair_edge is None:
            order = np.lexsort((self.edge_length, self.edge_v, self.edge_u))
            pairs: dict[tuple[int, int], int] = {}
            for e in order.tolist():
                pairs.setdefault((int(self.edge_u[e]), int(self.edge_v[e])), e)
            self._pair_edge = pairs
        return self._pair_edge[(p, q) if p <= q else (q, p)]

    def _edge_line(self, p: int, q: int) -> LineString:
        """Geometry of the shortest edge between node positions p and q, oriented p -> q."""
        line = self.edge_geometry[self.edge_between(p, q)]
        return line if p <= q else shapely.reverse(line)


# ---------------------------------------------------------------------- building the index


def _check_metric(crs: object) -> None:
    """Raise when the graph's CRS is geographic (degrees are no distances)."""
    if crs is None:
        return
    import pyproj

    try:
        geographic = pyproj.CRS.from_user_input(crs).is_geographic
    except pyproj.exceptions.CRSError:  # pragma: no cover - odd crs strings
        return
    if geographic:
        raise InputError(
            f"the graph is in a geographic CRS ({crs}); project it to a metric CRS "
            "first (osmnx.project_graph)"
        )


def _graph_nodes(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Node ids (object array) and their ``x``, ``y`` coordinates."""
    node_ids = np.empty(graph.number_of_nodes(), dtype=object)
    node_ids[:] = list(graph.nodes)
    if node_ids.size == 0:
        raise InputError("the graph has no nodes")
    try:
        node_xy = np.array([(d["x"], d["y"]) for _, d in graph.nodes(data=True)], dtype=np.float64)
    except KeyError as exc:
        raise InputError(f"every graph node needs 'x' and 'y' attributes (missing {exc})") from exc
    return node_ids, node_xy


def _graph_edges(
    graph: nx.Graph,
    node_ids: np.ndarray,
    node_xy: np.ndarray,
    edge_filter: Callable[[Hashable, Hashable, dict], bool] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The kept edges as undirected ``(a <= b, length, geometry a -> b)``, reverse twins dropped.

    A missing geometry is the straight segment; a missing or bad length is the geometry's.
    """
    pos = {nid: i for i, nid in enumerate(node_ids.tolist())}
    pu: list[int] = []
    pv: list[int] = []
    lengths: list[float] = []
    geoms: list[Any] = []
    for u, v, d in graph.edges(data=True):
        if edge_filter is not None and not edge_filter(u, v, d):
            continue
        pu.append(pos[u])
        pv.append(pos[v])
        length = d.get("length")
        lengths.append(np.nan if length is None else float(length))
        geoms.append(d.get("geometry"))
    if not pu:
        raise InputError("the graph has no edges (after edge_filter)")
    pu_a = np.asarray(pu, dtype=np.int64)
    pv_a = np.asarray(pv, dtype=np.int64)
    geom_a = np.empty(len(geoms), dtype=object)
    geom_a[:] = geoms
    missing = np.array([g is None for g in geoms])
    if missing.any():
        idx = np.flatnonzero(missing)
        coords = np.stack([node_xy[pu_a[idx]], node_xy[pv_a[idx]]], axis=1)
        geom_a[idx] = shapely.linestrings(coords)
    flip = pu_a > pv_a
    a = np.where(flip, pv_a, pu_a)
    b = np.where(flip, pu_a, pv_a)
    if flip.any():
        geom_a[flip] = shapely.reverse(geom_a[flip])
    len_a = np.asarray(lengths, dtype=np.float64)
    bad = ~np.isfinite(len_a) | (len_a < 0)
    len_a[bad] = shapely.length(geom_a[bad])
    # one undirected edge per (a, b, length to 1 cm): drops the reverse twin of each way
    key = np.rec.fromarrays([a, b, np.round(len_a * 100).astype(np.int64)])
    _, first = np.unique(key, return_index=True)
    first = np.sort(first)
    return a[first], b[first], len_a[first], geom_a[first]


def _routing_matrix(a: np.ndarray, b: np.ndarray, length: np.ndarray, n: int) -> sp.csr_matrix:
    """Symmetric matrix of the shortest of parallel edges, no self-loops."""
    loop = a == b
    order = np.lexsort((length[~loop], b[~loop], a[~loop]))
    ra, rb, rl = a[~loop][order], b[~loop][order], length[~loop][order]
    keep = np.r_[True, (ra[1:] != ra[:-1]) | (rb[1:] != rb[:-1])] if ra.size else ra.astype(bool)
    ra, rb, rl = ra[keep], rb[keep], np.maximum(rl[keep], _TINY)
    csr = sp.csr_matrix(
        (np.r_[rl, rl], (np.r_[ra, rb], np.r_[rb, ra])), shape=(n, n), dtype=np.float64
    )
    csr.sort_indices()
    return csr


# ---------------------------------------------------------------------- snapping core


@dataclass(frozen=True)
class _Segments:
    """Straight pieces of all edge geometries."""

    p0: np.ndarray
    p1: np.ndarray
    length: np.ndarray


class _SegmentIndex:
    """Exact nearest-segment queries through a KD-tree of points sampled along segments.

    Every segment is sampled at most ``step`` metres apart (ends included), so a point at
    distance ``d`` from a segment has a sample of it within ``d + step / 2``. A query takes the
    ``k`` nearest samples, measures the exact distance ``d0`` to their segments and keeps the
    best; if the k-th sample is nearer than ``d0 + step / 2`` some segment may have been missed
    and the point is asked again with more neighbours (then, rarely, by brute force).
    """

    def __init__(self, segs: _Segments, mask: np.ndarray | None, step: float = 6.0) -> None:
        self.segs = segs
        self.x0, self.y0 = segs.p0[:, 0].copy(), segs.p0[:, 1].copy()
        self.dx, self.dy = segs.p1[:, 0] - segs.p0[:, 0], segs.p1[:, 1] - segs.p0[:, 1]
        ll = self.dx**2 + self.dy**2
        self.inv_ll = np.where(ll > 0, 1.0 / np.where(ll > 0, ll, 1.0), 0.0)
        ids = np.arange(segs.p0.shape[0]) if mask is None else np.flatnonzero(mask)
        self.ids = ids
        self.step = step
        n_pts = np.maximum(np.ceil(segs.length[ids] / step).astype(np.int64), 1) + 1
        rep = np.repeat(np.arange(ids.size), n_pts)
        starts = np.cumsum(n_pts) - n_pts
        frac = (np.arange(rep.size) - starts[rep]) / (n_pts[rep] - 1)
        p0, p1 = segs.p0[ids][rep], segs.p1[ids][rep]
        self.sample_seg = ids[rep]
        self.tree = cKDTree(p0 + frac[:, None] * (p1 - p0)) if rep.size else None

    def _exact(self, xy: np.ndarray, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance and parameter t of each point to each candidate segment, (n, k)."""
        x0, y0 = self.x0[cand], self.y0[cand]
        dx, dy = self.dx[cand], self.dy[cand]
        wx = xy[:, 0:1] - x0
        wy = xy[:, 1:2] - y0
        t = (wx * dx + wy * dy) * self.inv_ll[cand]
        np.clip(t, 0.0, 1.0, out=t)
        wx -= t * dx
        wy -= t * dy
        return np.hypot(wx, wy), t

    def nearest(
        self,
        xy: np.ndarray,
        which: np.ndarray,
        max_distance: float | None,
        seg: np.ndarray,
        t: np.ndarray,
        dist: np.ndarray,
    ) -> None:
        """Fill seg, t, dist for the points ``which`` that find a segment in range."""
        if self.tree is None or which.size == 0:
            return
        half = self.step / 2
        todo = which
        for k in (8, 32, 128):
            k_eff = min(k, self.tree.n)
            ub = np.inf if max_distance is None else max_distance + half
            sd, si = self.tree.query(xy[todo], k=k_eff, distance_upper_bound=ub)
            sd = sd.reshape(todo.size, k_eff)
            si = si.reshape(todo.size, k_eff)
            found = si < self.tree.n
            cand = self.sample_seg[np.where(found, si, 0)]
            dd, tt = self._exact(xy[todo], cand)
            dd[~found] = np.inf
            j = np.argmin(dd, axis=1)
            rows = np.arange(todo.size)
            best = dd[rows, j]
            ok = np.isfinite(best)
            if max_distance is not None:
                ok &= best <= max_distance
            # complete when the samples seen reach past best + step/2 (or none left in range)
            sure = ~found[:, -1] | (sd[:, -1] > best + half) | (k_eff == self.tree.n)
            hit = ok & sure
            seg[todo[hit]] = cand[rows, j][hit]
            t[todo[hit]] = tt[rows, j][hit]
            dist[todo[hit]] = best[hit]
            todo = todo[~sure]
            if todo.size == 0:
                return
        # brute force for the few left (e.g. far from every street)
        for i in todo.tolist():
            dd, tt = self._exact(xy[i : i + 1], self.ids[None, :])
            j = int(np.argmin(dd[0]))
            if max_distance is None or dd[0, j] <= max_distance:
                seg[i], t[i], dist[i] = self.ids[j], tt[0, j], dd[0, j]


# ---------------------------------------------------------------------- helpers


def _as_line(geom: Any, xy: np.ndarray) -> LineString:
    """Substring may return a Point for zero-length pieces: make it a 2-point LineString."""
    if isinstance(geom, LineString) and not geom.is_empty:
        return geom
    return LineString([xy[0], xy[1]])


def _min_by_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys with the minimum value of each."""
    if keys.size == 0:
        return keys.astype(np.int64), values.astype(np.float64)
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    first = np.r_[True, k[1:] != k[:-1]]
    return k[first], v[first]


def _expand_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten ranges ``[lo[i], hi[i])``: returns (range number, position) per element."""
    cnt = np.maximum(hi - lo, 0).astype(np.int64)
    total = int(cnt.sum())
    rep = np.repeat(np.arange(lo.size, dtype=np.int64), cnt)
    starts = np.cumsum(cnt) - cnt
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts - lo.astype(np.int64), cnt)
    return rep, pos


def _pairs_to_csr(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """Boolean CSR matrix with True at the (deduplicated) pairs."""
    key = np.sort(rows.astype(np.int64) * shape[1] + cols.astype(np.int64))
    if key.size:
        key = key[np.r_[True, key[1:] != key[:-1]]]
    r = key // shape[1] if shape[1] else key
    c = key - r * shape[1]
    indptr = np.r_[0, np.cumsum(np.bincount(r, minlength=shape[0]))].astype(np.int64)
    return sp.csr_matrix((np.ones(key.size, dtype=bool), c, indptr), shape=shape)
