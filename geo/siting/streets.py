"""Coverage along the walking network: which demand a unit covers, and the street it sees.

A unit covers the street within ``R`` metres of it measured along the walking network (default
40 m, per kind; optionally only inside a field of view from its facing), not a circle through
walls: a camera in one hutong does not cover the next one.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely

from geo._errors import InputError
from geo.netdist import NetworkIndex, Snapped, _pairs_to_csr
from geo.siting._matrix import _ranges


def coverage_matrix(
    index: NetworkIndex,
    sites: Snapped,
    demand: Snapped,
    radius: float | np.ndarray,
    *,
    facing: np.ndarray | None = None,
    fov: float | np.ndarray | None = None,
) -> sp.csr_matrix:
    """Which demand each site covers along the network.

    Parameters
    ----------
    index : NetworkIndex
    sites, demand : Snapped
        Sites (cameras or candidates) and demand points snapped to ``index``.
    radius : float or numpy.ndarray of shape (n_sites,)
        Coverage radius along the network (m), e.g. per unit kind.
    facing : numpy.ndarray of float, shape (n_sites,), optional
        Compass bearing the unit faces (degrees clockwise from north); NaN means all round.
    fov : float or numpy.ndarray, optional
        Field of view (degrees). A demand point counts only if the bearing from the unit's
        location to the demand's snapped point is within ``facing ± fov / 2``. Needs
        ``facing``.

    Returns
    -------
    scipy.sparse.csr_matrix of bool, shape (n_sites, n_demand)
    """
    n = len(sites)
    r = np.asarray(radius, dtype=np.float64)
    if r.ndim and r.shape != (n,):
        raise InputError(f"radius must be one number or one per site ({n}), got shape {r.shape}")
    r = np.broadcast_to(r, (n,)).copy()
    if np.isnan(r).any() or (r < 0).any():
        raise InputError("radius must be >= 0 and not NaN")
    rows, cols = index._within_pairs(sites, demand, r)
    if facing is not None:
        f = np.broadcast_to(np.asarray(facing, dtype=np.float64), (n,))
        if fov is None:
            raise InputError("fov is needed with facing")
        a = np.broadcast_to(np.asarray(fov, dtype=np.float64), (n,))
        directional = np.isfinite(f[rows]) & np.isfinite(a[rows]) & (a[rows] < 360)
        d = demand.xy[cols] - sites.point[rows]
        bearing = np.degrees(np.arctan2(d[:, 0], d[:, 1]))
        diff = np.abs((bearing - f[rows] + 180.0) % 360.0 - 180.0)
        at_unit = np.hypot(d[:, 0], d[:, 1]) < 1e-6
        keep = ~directional | at_unit | (diff <= a[rows] / 2.0 + 1e-9)
        rows, cols = rows[keep], cols[keep]
    return _pairs_to_csr(rows, cols, (n, len(demand)))


def covered_mask(
    index: NetworkIndex,
    units: Snapped,
    demand: Snapped,
    radius: float | np.ndarray,
    *,
    facing: np.ndarray | None = None,
    fov: float | np.ndarray | None = None,
) -> np.ndarray:
    """Boolean mask of demand covered by at least one unit (see :func:`coverage_matrix`)."""
    if len(units) == 0:
        return np.zeros(len(demand), dtype=bool)
    cov = coverage_matrix(index, units, demand, radius, facing=facing, fov=fov)
    return np.diff(cov.tocsc().indptr) > 0


# ---------------------------------------------------------------------- covered street pieces


def covered_streets(
    index: NetworkIndex,
    units: Snapped,
    radius: float | np.ndarray,
    *,
    facing: np.ndarray | None = None,
    fov: float | np.ndarray | None = None,
) -> Any:
    """The pieces of street that units cover, as LineStrings along the network.

    A unit covers every point of street within ``radius`` of it along the network (the same
    rule as :func:`coverage_matrix`, so a demand point is covered exactly when its snapped
    position lies on a returned piece). For each unit the street is searched outwards from its
    own edge: an edge reached at its end ``u`` at distance ``d`` is covered from ``u`` for
    ``radius - d`` metres, likewise from ``v``; the unit's own edge is covered
    ``radius`` either side of it. Pieces of all units are merged per edge.

    Parameters
    ----------
    index : NetworkIndex
    units : Snapped
        Units (installed cameras or planned sites) snapped to ``index``; unsnapped ones are
        ignored.
    radius : float or numpy.ndarray of shape (n_units,)
        Coverage radius along the network (m).
    facing : numpy.ndarray of float, shape (n_units,), optional
        Compass bearing each unit faces (NaN: all round).
    fov : float or numpy.ndarray, optional
        Field of view (degrees); with ``facing`` a piece is kept only where the bearing from the
        unit's location lies within ``facing ± fov / 2`` (the piece is clipped to that sector).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per covered piece, in the index CRS: ``edge`` (undirected edge index of
        ``index``), ``start`` and ``end`` (metres along the edge from its ``u`` end),
        ``length`` (m) and the LineString. Pieces do not overlap.

    Raises
    ------
    InputError
        When ``radius`` has the wrong shape or is negative, or ``facing`` is given without
        ``fov``.

    Examples
    --------
    >>> streets = covered_streets(index, index.snap(xy), 40.0)  # doctest: +SKIP
    >>> streets["length"].sum()  # metres of street under a camera  # doctest: +SKIP
    """

    n = len(units)
    r = np.asarray(radius, dtype=np.float64)
    if r.ndim and r.shape != (n,):
        raise InputError(f"radius must be one number or one per unit ({n}), got shape {r.shape}")
    r = np.broadcast_to(r, (n,)).copy()
    if np.isnan(r).any() or (r < 0).any():
        raise InputError("radius must be >= 0 and not NaN")
    unit, edge, lo, hi = _unit_intervals(index, units, r)
    if facing is not None:
        if fov is None:
            raise InputError("fov is needed with facing")
        f = np.broadcast_to(np.asarray(facing, dtype=np.float64), (n,))
        a = np.broadcast_to(np.asarray(fov, dtype=np.float64), (n,))
        directional = np.isfinite(f) & np.isfinite(a) & (a < 360)
        sel = directional[unit]
        if sel.any():
            du, de, dlo, dhi = _clip_to_sectors(
                index, units, r, f, a, unit[sel], edge[sel], lo[sel], hi[sel]
            )
            keep = ~sel
            unit = np.r_[unit[keep], du]
            edge = np.r_[edge[keep], de]
            lo = np.r_[lo[keep], dlo]
            hi = np.r_[hi[keep], dhi]
    edge, lo, hi = _merge_intervals(edge, lo, hi)
    geoms = _substrings(index, edge, lo, hi)
    return gpd.GeoDataFrame(
        {"edge": edge, "start": lo, "end": hi, "length": hi - lo},
        geometry=geoms,
        crs=index.crs,
    )


def _incidence(index: NetworkIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR-like node -> incident edges: (pointer, edge, side 0 = edge's u end, 1 = v end)."""
    nodes = np.r_[index.edge_u, index.edge_v]
    edges = np.r_[np.arange(index.n_edges), np.arange(index.n_edges)]
    side = np.r_[np.zeros(index.n_edges, np.int8), np.ones(index.n_edges, np.int8)]
    order = np.argsort(nodes, kind="stable")
    ptr = np.r_[0, np.cumsum(np.bincount(nodes, minlength=index.n_nodes))].astype(np.int64)
    return ptr, edges[order].astype(np.int64), side[order]


def _unit_intervals(
    index: NetworkIndex, units: Snapped, r: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(unit, edge, lo, hi) of every piece of edge within each unit's radius (length units)."""
    ia = np.flatnonzero(units.valid)
    empty = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0)
    if ia.size == 0:
        return empty
    off, length = units.offset[ia], units.length[ia]
    s, node, d = index._bounded_search(
        np.r_[ia, ia], np.r_[units.u[ia], units.v[ia]], np.r_[off, length - off], r
    )
    ptr, inc_edge, inc_side = _incidence(index)
    rep, pos = _ranges(ptr[node], ptr[node + 1])
    e = inc_edge[pos]
    side = inc_side[pos]
    rem = r[s[rep]] - d[rep]
    el = index.edge_length[e]
    lo = np.where(side == 0, 0.0, np.maximum(el - rem, 0.0))
    hi = np.where(side == 0, np.minimum(el, rem), el)
    # the unit's own edge, both ways from its position
    own_e = units.edge[ia]
    own_lo = np.maximum(off - r[ia], 0.0)
    own_hi = np.minimum(off + r[ia], length)
    unit = np.r_[s[rep], ia].astype(np.int64)
    edge = np.r_[e, own_e].astype(np.int64)
    lo = np.r_[lo, own_lo]
    hi = np.r_[hi, own_hi]
    keep = hi > lo
    return unit[keep], edge[keep], lo[keep], hi[keep]


def _merge_intervals(
    edge: np.ndarray, lo: np.ndarray, hi: np.ndarray, tol: float = 1e-9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of intervals per edge (touching ones joined), sorted by edge and start."""
    if edge.size == 0:
        return edge.astype(np.int64), lo.astype(float), hi.astype(float)
    order = np.lexsort((lo, edge))
    edge, lo, hi = edge[order], lo[order], hi[order]
    big = float(np.max(hi)) + 1.0
    reach = np.maximum.accumulate(hi + edge * big) - edge * big
    start = np.r_[True, (edge[1:] != edge[:-1]) | (lo[1:] > reach[:-1] + tol)]
    first = np.flatnonzero(start)
    return edge[first], lo[first], np.maximum.reduceat(hi, first)


def _geom_scale(index: NetworkIndex, edge: np.ndarray) -> np.ndarray:
    """Geometry units per metre of ``length`` on each edge."""
    glen = shapely.length(index.edge_geometry[edge])
    el = index.edge_length[edge]
    return np.divide(glen, el, out=np.ones_like(glen), where=el > 0)


def _substrings(index: NetworkIndex, edge: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> Any:
    """Vectorised ``shapely.ops.substring`` of edge geometries (bounds in length units)."""
    if edge.size == 0:
        return np.empty(0, dtype=object)
    coords, gi = shapely.get_coordinates(index.edge_geometry, return_index=True)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    same = gi[1:] == gi[:-1]
    step = np.r_[0.0, np.where(same, seg, 0.0)]
    cum = np.cumsum(step)
    first = np.r_[True, ~same]
    cum -= np.maximum.accumulate(np.where(first, cum, 0.0))
    big = float(cum.max()) + 1.0
    key = gi * big + cum
    scale = _geom_scale(index, edge)
    glo, ghi = lo * scale, hi * scale
    geoms = index.edge_geometry[edge]
    p0 = shapely.get_coordinates(shapely.line_interpolate_point(geoms, glo))
    p1 = shapely.get_coordinates(shapely.line_interpolate_point(geoms, ghi))
    a = np.searchsorted(key, edge * big + glo, side="right")
    b = np.searchsorted(key, edge * big + ghi, side="left")
    n_inner = np.maximum(b - a, 0)
    rep, pos = _ranges(a, a + n_inner)
    count = n_inner + 2
    starts = np.cumsum(count) - count
    out = np.empty((int(count.sum()), 2))
    out[starts] = p0
    out[starts + count - 1] = p1
    out[starts[rep] + 1 + (pos - a[rep])] = coords[pos]
    return shapely.linestrings(out, indices=np.repeat(np.arange(edge.size), count))


def _sectors(xy: np.ndarray, r: np.ndarray, facing: np.ndarray, fov: np.ndarray) -> np.ndarray:
    """Circular sectors (apex at ``xy``) as polygons, compass bearings in degrees."""
    steps = 24
    t = np.linspace(-0.5, 0.5, steps + 1)
    ang = np.radians(facing[:, None] + fov[:, None] * t[None, :])
    rr = r[:, None] + 1.0
    arc = np.stack([xy[:, 0:1] + rr * np.sin(ang), xy[:, 1:2] + rr * np.cos(ang)], axis=-1)
    apex = xy[:, None, :]
    ring = np.concatenate([apex, arc, apex], axis=1)
    return shapely.polygons(ring)


def _clip_to_sectors(
    index: NetworkIndex,
    units: Snapped,
    r: np.ndarray,
    facing: np.ndarray,
    fov: np.ndarray,
    unit: np.ndarray,
    edge: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut the pieces of directional units to their field of view, back to intervals."""
    pieces = _substrings(index, edge, lo, hi)
    # the unit may stand off the street: reach = access leg + radius bounds the straight line
    reach = r[unit] + np.nan_to_num(units.distance[unit], nan=0.0)
    sectors = _sectors(units.point[unit], reach, facing[unit], fov[unit])
    clipped = shapely.intersection(pieces, sectors)
    parts, which = shapely.get_parts(clipped, return_index=True)
    lines = shapely.get_type_id(parts) == 1  # LineString
    parts, which = parts[lines], which[lines]
    ok = shapely.length(parts) > 1e-9
    parts, which = parts[ok], which[ok]
    e = edge[which]
    geoms = index.edge_geometry[e]
    scale = _geom_scale(index, e)
    s0 = shapely.line_locate_point(geoms, shapely.get_point(parts, 0)) / scale
    s1 = shapely.line_locate_point(geoms, shapely.get_point(parts, -1)) / scale
    return unit[which], e, np.minimum(s0, s1), np.maximum(s0, s1)
