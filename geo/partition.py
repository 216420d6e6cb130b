"""Balanced beats (警务区划分): households grouped into contiguous, compact beats of equal workload.

The one partitioning BeatMap uses, for the demo city and for a station's proposed beats:

1. **Blocks** — the walking network polygonised with the frame's edge: street blocks, whose
   borders run along streets, alleys and estate paths.
2. **Units** — what is never split. A housing estate (小区) is one unit when it holds at most
   ``whole_share`` of a beat; a bigger one is split by building. Outside estates, a block's
   buildings form one unit, or pieces of at most ``piece_share`` of a beat (cut between
   buildings) when the block is big. A building or courtyard (households sharing a
   ``building_id``, else a door) is always whole. Blocks with no household are units of
   weight zero, so beats tile the whole frame.
3. **Regions** — units that share a street (their blocks touch) are neighbours. ``count``
   regions grow from seeds spread by weighted k-means, the lightest region taking the nearest
   free neighbouring unit; then a local search moves border units between neighbouring
   regions while it lowers the spread of households and of workload, never disconnecting a
   region. Several seeded starts; the most balanced wins.
4. **Polygons** — a block whose units all lie in one beat goes whole to it; a shared block is
   cut by the Voronoi cells of its doors, so every household lies inside its own beat's
   polygon and in no other.

Workload weighs each household up for being a rental, for each lodger and for each incident
near it (:class:`Weights`; shown and adjustable on the page).
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polygonize

from geo._errors import InputError
from geo.i18n import Catalogue

T = Catalogue(
    {
        "beat": ("警务区", "beat"),
        "households": ("住户数", "households"),
        "workload": ("工作量", "workload"),
        "rentals": ("出租房", "rentals"),
        "lodgers": ("寄住人口", "lodgers"),
        "incidents": ("警情", "incidents"),
        "area_km2": ("面积（平方公里）", "area (km²)"),
        "walk_across_min": ("穿越步行（分钟）", "walk across (min)"),
        "parts": ("图形块数", "polygon parts"),
        "today": ("现状", "today"),
        "proposed": ("方案", "proposed"),
        "ratio": ("最大/最小住户比", "largest/smallest households"),
        "workload_ratio": ("最大/最小工作量比", "largest/smallest workload"),
        "spread": ("住户数离散系数", "household spread (CV)"),
        "max_walk": ("最长穿越步行（分钟）", "longest walk across (min)"),
        "outside": ("不在任何警务区内的住户", "households outside every beat"),
        "w_household": ("每户基础", "per household"),
        "w_rental": ("出租房加权", "extra per rental"),
        "w_lodger": ("每名寄住人口加权", "extra per lodger"),
        "w_incident": ("每起警情加权", "extra per incident"),
    }
)


@dataclass(frozen=True)
class Weights:
    """Workload of a household: ``household + rental·is_rental + lodger·lodgers +
    incident·incidents`` (incidents within ``incident_radius`` metres, nearest household).

    Parameters
    ----------
    household, rental, lodger, incident : float
        Weights, all >= 0.
    incident_radius : float
        Metres within which an incident counts for its nearest household.
    """

    household: float = 1.0
    rental: float = 0.5
    lodger: float = 0.2
    incident: float = 0.3
    incident_radius: float = 50.0

    def __post_init__(self) -> None:
        bad = [k for k, v in asdict(self).items() if not (np.isfinite(v) and v >= 0)]
        if bad:
            raise InputError(f"workload weights must be numbers >= 0; check {', '.join(bad)}")
        if self.household <= 0:
            raise InputError("the per-household weight must be above 0")

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """The weights as a two-column table for the page."""
        keys = ["household", "rental", "lodger", "incident"]
        return pd.DataFrame(
            {
                T("workload", lang): [T(f"w_{k}", lang) for k in keys],
                "": [getattr(self, k) for k in keys],
            }
        )


def workload(
    households: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame | None = None,
    *,
    weights: Weights = Weights(),
) -> np.ndarray:
    """Workload per household (see :class:`Weights`); frames in a metric CRS."""
    n = len(households)
    rental = households["rental"].fillna(False).to_numpy(bool) if "rental" in households else 0
    lodgers = (
        pd.to_numeric(households["lodgers"], errors="coerce").fillna(0).to_numpy(float)
        if "lodgers" in households
        else 0
    )
    w = weights.household + weights.rental * rental + weights.lodger * lodgers
    w = np.broadcast_to(np.asarray(w, dtype=float), (n,)).copy()
    if incidents is not None and len(incidents) and n and weights.incident > 0:
        tree = shapely.STRtree(households.geometry.values)
        inc_idx, hh_idx = tree.query_nearest(
            incidents.geometry.values, max_distance=weights.incident_radius, all_matches=False
        )
        del inc_idx
        w += weights.incident * np.bincount(hh_idx, minlength=n)
    return w


# --------------------------------------------------------------------------------------------
# blocks and units


def street_blocks(edges: gpd.GeoDataFrame, frame) -> list:
    """Polygons bounded by the walking network and the frame's edge, tiling ``frame``."""
    lines = list(shapely.intersection(edges.geometry.values, frame)) if len(edges) else []
    lines = [g for g in lines if not g.is_empty]
    merged = shapely.unary_union([*lines, frame.boundary])
    inner = frame.buffer(-0.01)
    blocks = [p for p in polygonize(merged) if p.area > 0.5]
    return [p for p in blocks if inner.contains(p.representative_point())] or [frame]


@dataclass
class _Units:
    unit_of_loc: np.ndarray  # unit index per location
    weight: np.ndarray  # workload per unit
    households: np.ndarray  # households per unit
    xy: np.ndarray  # weighted centre per unit
    neighbours: list[set[int]]
    estates_split: list[str] = field(default_factory=list)
    cells: np.ndarray | None = None  # polygons tiling the frame
    cell_unit: np.ndarray | None = None  # unit per cell


def _group_pieces(xy: np.ndarray, w: np.ndarray, idx: np.ndarray, cap: float) -> list[np.ndarray]:
    """Cut items ``idx`` into pieces of weight <= ``cap`` by recursive bisection on the long axis."""
    if w[idx].sum() <= cap or len(idx) <= 1:
        return [idx]
    span = xy[idx].max(axis=0) - xy[idx].min(axis=0)
    order = idx[np.argsort(xy[idx, int(np.argmax(span))], kind="stable")]
    cum = np.cumsum(w[order])
    cut = int(np.clip(np.searchsorted(cum, cum[-1] / 2), 1, len(order) - 1))
    return _group_pieces(xy, w, order[:cut], cap) + _group_pieces(xy, w, order[cut:], cap)


def _cells(blocks: list, loc_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cells tiling the blocks: a block's doors' Voronoi cells clipped to it (the block itself
    for one door or none). Returns the cells, the location per cell (-1 for none) and the
    block per cell."""
    tree = shapely.STRtree(blocks)
    pts = shapely.points(loc_xy)
    p_idx, b_idx = tree.query(pts, predicate="intersects")
    block_of = np.full(len(loc_xy), -1)
    block_of[p_idx[::-1]] = b_idx[::-1]
    lost = block_of < 0
    if lost.any():
        block_of[lost] = tree.nearest(pts[lost])
    cells: list = []
    cell_loc: list[int] = []
    cell_block: list[int] = []
    members = pd.Series(np.arange(len(loc_xy))).groupby(block_of).agg(list)
    for b, poly in enumerate(blocks):
        idx = np.asarray(members.get(b, []), dtype=int)
        if len(idx) <= 1:
            cells.append(poly)
            cell_loc.append(int(idx[0]) if len(idx) else -1)
            cell_block.append(b)
            continue
        vor = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(loc_xy[idx]), extend_to=poly)
        )
        vtree = shapely.STRtree(vor)
        pi, ci = vtree.query(pts[idx], predicate="intersects")
        owner = np.full(len(vor), -1)
        owner[ci[::-1]] = idx[pi[::-1]]
        clipped = shapely.intersection(vor, poly)
        for cell, loc in zip(clipped, owner, strict=True):
            if not cell.is_empty and cell.area > 0:
                cells.append(_polygonal(cell))
                cell_loc.append(int(loc))
                cell_block.append(b)
    return (
        np.asarray(cells, dtype=object),
        np.asarray(cell_loc, dtype=int),
        np.asarray(cell_block, dtype=int),
    )


def _units(
    loc_xy: np.ndarray,
    loc_w: np.ndarray,
    loc_h: np.ndarray,
    loc_atom: np.ndarray,
    loc_estate: np.ndarray,
    blocks: list,
    target: float,
    whole_share: float,
    piece_share: float,
) -> _Units:
    cells, cell_loc, cell_block = _cells(blocks, loc_xy)
    loc_block = np.zeros(len(loc_xy), dtype=int)
    has = cell_loc >= 0
    loc_block[cell_loc[has]] = cell_block[has]
    # atoms (buildings / doors): never split
    atoms, atom_of = np.unique(loc_atom, return_inverse=True)
    a_w = np.bincount(atom_of, weights=loc_w, minlength=len(atoms))
    a_h = np.bincount(atom_of, weights=loc_h, minlength=len(atoms))
    a_xy = (
        np.column_stack(
            [
                np.bincount(atom_of, weights=loc_xy[:, k] * loc_h, minlength=len(atoms))
                for k in (0, 1)
            ]
        )
        / np.maximum(a_h, 1e-9)[:, None]
    )
    a_block = np.zeros(len(atoms), dtype=int)
    a_block[atom_of] = loc_block
    a_estate = np.full(len(atoms), "", dtype=object)
    a_estate[atom_of] = loc_estate
    unit_of_atom = np.full(len(atoms), -1)
    n_units = 0
    split: list[str] = []
    estate_w = pd.Series(a_w).groupby(a_estate).sum()
    for name, ew in estate_w.items():
        if not name:
            continue
        members = np.flatnonzero(a_estate == name)
        if ew <= whole_share * target:
            unit_of_atom[members] = n_units
            n_units += 1
        else:
            split.append(str(name))
            for piece in _group_pieces(a_xy, a_w, members, piece_share * target):
                unit_of_atom[piece] = n_units
                n_units += 1
    rest = np.flatnonzero(unit_of_atom < 0)
    for _, grp in pd.Series(rest).groupby(a_block[rest]):
        for piece in _group_pieces(a_xy, a_w, grp.to_numpy(), piece_share * target):
            unit_of_atom[piece] = n_units
            n_units += 1
    unit_of_loc = unit_of_atom[atom_of]
    cell_unit = np.where(has, unit_of_loc[np.maximum(cell_loc, 0)], -1)
    # cells that share a stretch of boundary (a street, or a line between two doors' cells)
    ctree = shapely.STRtree(cells)
    left, right = ctree.query(cells, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(cells[left]), shapely.boundary(cells[right]))
    )
    along = shared > 0.5
    left, right, shared = left[along], right[along], shared[along]
    adj: list[list[tuple[float, int]]] = [[] for _ in cells]
    for a, b, length in zip(left, right, shared, strict=True):
        adj[a].append((float(length), int(b)))
        adj[b].append((float(length), int(a)))
    # a unit whose cells fall apart (an estate cut by a road of another) becomes several
    by_unit = pd.Series(np.arange(len(cells))[has]).groupby(cell_unit[has]).agg(list)
    cell_near = [{c for _, c in adj[x]} for x in range(len(cells))]
    for cs in by_unit:
        if len(cs) <= 1:
            continue
        comps = _components(cs, cell_near, set(cs))
        comps.sort(key=len, reverse=True)
        for comp in comps[1:]:
            cell_unit[comp] = n_units
            unit_of_loc[cell_loc[comp]] = n_units
            n_units += 1
    # a cell without households goes with the unit across its longest shared boundary
    pending = set(np.flatnonzero(cell_unit < 0).tolist())
    while pending:
        adopted = {}
        for c in pending:
            for _length, other in sorted(adj[c], reverse=True):
                if cell_unit[other] >= 0:
                    adopted[c] = int(cell_unit[other])
                    break
        if not adopted:  # islands with no household near: the nearest unit
            homes = np.flatnonzero(cell_unit >= 0)
            ref = shapely.get_coordinates(shapely.point_on_surface(cells[homes]))
            for c in pending:
                here = shapely.get_coordinates(shapely.point_on_surface(cells[c]))[0]
                adopted[c] = int(cell_unit[homes[np.argmin(((ref - here) ** 2).sum(axis=1))]])
        for c, unit in adopted.items():
            cell_unit[c] = unit
        pending -= set(adopted)
    weight = np.zeros(n_units)
    hh = np.zeros(n_units)
    np.add.at(weight, unit_of_loc, loc_w)
    np.add.at(hh, unit_of_loc, loc_h)
    xy = np.zeros((n_units, 2))
    np.add.at(xy, unit_of_loc, loc_xy * np.maximum(loc_h, 1e-9)[:, None])
    xy /= np.maximum(
        np.bincount(unit_of_loc, weights=np.maximum(loc_h, 1e-9), minlength=n_units), 1e-12
    )[:, None]
    neighbours: list[set[int]] = [set() for _ in range(n_units)]
    for a, b in zip(left, right, strict=True):
        u, v = int(cell_unit[a]), int(cell_unit[b])
        if u != v:
            neighbours[u].add(v)
            neighbours[v].add(u)
    _connect_components(xy, neighbours)
    return _Units(unit_of_loc, weight, hh, xy, neighbours, split, cells, cell_unit)


def _components(nodes: list[int], neighbours: list[set[int]], allowed: set[int]) -> list[list[int]]:
    seen: set[int] = set()
    comps = []
    for s in nodes:
        if s in seen:
            continue
        comp = [s]
        seen.add(s)
        queue = deque([s])
        while queue:
            u = queue.popleft()
            for v in neighbours[u]:
                if v in allowed and v not in seen:
                    seen.add(v)
                    comp.append(v)
                    queue.append(v)
        comps.append(comp)
    return comps


def _connect_components(xy: np.ndarray, neighbours: list[set[int]]) -> None:
    """Join separate islands of units (across a river or a wall) by their closest pair."""
    allv = list(range(len(xy)))
    comps = _components(allv, neighbours, set(allv))
    while len(comps) > 1:
        comps.sort(key=len, reverse=True)
        main, other = np.array(comps[0]), np.array(comps[1])
        d = ((xy[main][:, None, :] - xy[other][None, :, :]) ** 2).sum(axis=2)
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        neighbours[int(main[i])].add(int(other[j]))
        neighbours[int(other[j])].add(int(main[i]))
        comps = [comps[0] + comps[1], *comps[2:]]


# --------------------------------------------------------------------------------------------
# regions


def _seeds(xy: np.ndarray, w: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Weighted k-means (k-means++ start, a few Lloyd steps); the unit nearest each centre."""
    live = np.flatnonzero(w > 0)
    p = w[live] / w[live].sum()
    centres = [xy[live[rng.choice(len(live), p=p)]]]
    for _ in range(1, k):
        d = np.min([((xy[live] - c) ** 2).sum(axis=1) for c in centres], axis=0)
        q = d * w[live]
        q = q / q.sum() if q.sum() > 0 else p
        centres.append(xy[live[rng.choice(len(live), p=q)]])
    c = np.array(centres)
    for _ in range(10):
        lab = np.argmin(((xy[live][:, None, :] - c[None]) ** 2).sum(axis=2), axis=1)
        for j in range(k):
            m = lab == j
            if m.any():
                c[j] = np.average(xy[live][m], axis=0, weights=w[live][m])
    seeds = []
    for j in range(k):
        order = live[np.argsort(((xy[live] - c[j]) ** 2).sum(axis=1))]
        seeds.append(next(int(u) for u in order if u not in seeds))
    return np.array(seeds)


def _grow(units: _Units, k: int, rng: np.random.Generator) -> np.ndarray:
    n = len(units.weight)
    label = np.full(n, -1)
    seeds = _seeds(units.xy, units.weight, k, rng)
    label[seeds] = np.arange(k)
    load = units.weight[seeds].astype(float).copy()
    centre = units.xy[seeds].astype(float).copy()
    frontier = [set(units.neighbours[s]) - set(seeds.tolist()) for s in seeds]
    left = n - k
    while left > 0:
        open_regions = [r for r in range(k) if frontier[r]]
        if not open_regions:  # pragma: no cover - the unit graph is connected
            break
        r = min(open_regions, key=lambda j: load[j])
        cand = np.fromiter(frontier[r], dtype=int)
        u = int(cand[np.argmin(((units.xy[cand] - centre[r]) ** 2).sum(axis=1))])
        label[u] = r
        load[r] += units.weight[u]
        left -= 1
        for f in frontier:
            f.discard(u)
        frontier[r] |= {v for v in units.neighbours[u] if label[v] < 0}
    return label


def _still_connected(u: int, members: set[int], neighbours: list[set[int]]) -> bool:
    rest = members - {u}
    if not rest:
        return False
    near = [v for v in neighbours[u] if v in rest]
    if len(near) <= 1:
        return True
    start = near[0]
    seen = {start}
    queue = deque([start])
    targets = set(near[1:])
    while queue and targets:
        x = queue.popleft()
        for v in neighbours[x]:
            if v in rest and v not in seen:
                seen.add(v)
                targets.discard(v)
                queue.append(v)
    return not targets


def _improve(units: _Units, label: np.ndarray, k: int, *, max_passes: int = 60) -> np.ndarray:
    """Move border units to neighbouring regions while the spread of households and workload
    falls (sum of squared relative deviations, plus a little compactness)."""
    w, h, xy = units.weight, units.households, units.xy
    wbar, hbar = w.sum() / k, h.sum() / k
    W = np.bincount(label, weights=w, minlength=k)
    H = np.bincount(label, weights=h, minlength=k)
    members = [set(np.flatnonzero(label == r).tolist()) for r in range(k)]
    spread2 = float(((xy - np.average(xy, axis=0, weights=np.maximum(h, 1e-9))) ** 2).sum(1).mean())
    mu = 0.02 / max(spread2, 1e-9) / max(h.sum(), 1)

    def centres() -> np.ndarray:
        c = np.zeros((k, 2))
        for r in range(k):
            idx = np.fromiter(members[r], dtype=int)
            c[r] = np.average(xy[idx], axis=0, weights=np.maximum(h[idx], 1e-9))
        return c

    def cost(wv: float, hv: float) -> float:
        return (wv / wbar - 1.0) ** 2 + (hv / hbar - 1.0) ** 2

    for _ in range(max_passes):
        c = centres()
        moves = []
        for u in range(len(label)):
            a = label[u]
            for b in {label[v] for v in units.neighbours[u]} - {a}:
                before = cost(W[a], H[a]) + cost(W[b], H[b])
                after = cost(W[a] - w[u], H[a] - h[u]) + cost(W[b] + w[u], H[b] + h[u])
                comp = (
                    mu
                    * max(h[u], 1e-3)
                    * (((xy[u] - c[b]) ** 2).sum() - ((xy[u] - c[a]) ** 2).sum())
                )
                gain = before - after - comp
                if gain > 1e-12:
                    moves.append((gain, u, a, b))
        if not moves:
            break
        moves.sort(reverse=True)
        moved = 0
        touched: set[int] = set()
        for _gain, u, a, b in moves:
            if label[u] != a or a in touched or b in touched:
                continue
            before = cost(W[a], H[a]) + cost(W[b], H[b])
            after = cost(W[a] - w[u], H[a] - h[u]) + cost(W[b] + w[u], H[b] + h[u])
            if after >= before and h[u] > 0:
                continue
            if not _still_connected(u, members[a], units.neighbours):
                continue
            label[u] = b
            members[a].discard(u)
            members[b].add(u)
            W[a] -= w[u]
            W[b] += w[u]
            H[a] -= h[u]
            H[b] += h[u]
            touched |= {a, b}
            moved += 1
        if not moved:
            break
    return label


def _regions(units: _Units, k: int, *, seed: int, starts: int) -> np.ndarray:
    best, best_key = None, None
    for s in range(starts):
        rng = np.random.default_rng([seed, s])
        label = _improve(units, _grow(units, k, rng), k)
        H = np.bincount(label, weights=units.households, minlength=k)
        W = np.bincount(label, weights=units.weight, minlength=k)
        key = (
            max(H.max() / max(H.min(), 1e-9), W.max() / max(W.min(), 1e-9)),
            float(H.std()),
        )
        if best_key is None or key < best_key:
            best, best_key = label, key
    return best


# --------------------------------------------------------------------------------------------
# polygons


def _beat_polygons(units: _Units, label: np.ndarray, count: int, loc_xy: np.ndarray) -> list:
    """Union of each beat's cells; a detached part holding none of the beat's households (a
    sliver between two streets) goes to the beat it shares most border with."""
    cell_label = label[units.cell_unit]
    polys = [
        _polygonal(shapely.make_valid(shapely.unary_union(units.cells[cell_label == r])))
        for r in range(count)
    ]
    loc_label = label[units.unit_of_loc]
    for r in range(count):
        parts = shapely.get_parts(polys[r])
        if len(parts) <= 1:
            continue
        homes = shapely.points(loc_xy[loc_label == r])
        keep, give = [], []
        for part in parts:
            (keep if shapely.intersects(part, homes).any() else give).append(part)
        if not keep:
            continue
        for part in give:
            border = [
                shapely.length(shapely.intersection(part.boundary, polys[o].boundary))
                if o != r
                else 0.0
                for o in range(count)
            ]
            o = int(np.argmax(border))
            if border[o] > 0:
                polys[o] = _polygonal(shapely.make_valid(shapely.union(polys[o], part)))
            else:
                keep.append(part)
        polys[r] = shapely.unary_union(keep)
    return polys


def _polygonal(geom):
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.unary_union(parts)


# --------------------------------------------------------------------------------------------
# the one partitioning


@dataclass
class Partition:
    """Households grouped into beats.

    Attributes
    ----------
    label : numpy.ndarray of int
        Beat number (0..count-1) per household, in the order given.
    polygons : list of shapely geometries
        Beat polygons in the metric CRS, tiling the frame.
    station : numpy.ndarray of int
        Group (station) number per beat; all zeros unless ``groups`` was given.
    estates_split : list of str
        Estates bigger than ``whole_share`` of a beat, split by building.
    contiguous : bool
        Every beat's units form one connected piece of the street graph.
    """

    label: np.ndarray
    polygons: list
    station: np.ndarray
    estates_split: list[str]
    contiguous: bool


def partition(
    xy: np.ndarray,
    weight: np.ndarray,
    *,
    count: int,
    edges: gpd.GeoDataFrame,
    frame,
    building: np.ndarray | None = None,
    estate: np.ndarray | None = None,
    groups: int = 1,
    seed: int = 0,
    starts: int = 4,
    whole_share: float = 0.4,
    piece_share: float = 0.06,
) -> Partition:
    """Partition households into ``count`` balanced, contiguous, compact beats.

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
        Household coordinates in a metric CRS.
    weight : numpy.ndarray, shape (n,)
        Workload per household (:func:`workload`); balance is on workload and on households.
    count : int
        Number of beats (at least 1; fewer when there are fewer units than that).
    edges : GeoDataFrame
        Walking network lines in the same CRS (borders run along them).
    frame : shapely Polygon
        The area the beats tile (households outside it are added to it).
    building, estate : numpy.ndarray of str, optional
        Building (or courtyard) and estate of each household; empty text for none.
    groups : int
        First split into this many groups (stations), then each group into its share of
        ``count`` beats.
    seed : int
        Seed of the random starts.
    starts : int
        Random starts; the most balanced is kept.
    whole_share, piece_share : float
        Largest estate kept whole, and largest piece of a big block, as a share of a beat.

    Returns
    -------
    Partition
    """
    xy = np.asarray(xy, dtype=float)
    n = len(xy)
    if count < 1 or groups < 1:
        raise InputError(f"the number of beats must be at least 1, got {count}")
    if n == 0:
        raise InputError("there are no households to divide into beats")
    weight = np.asarray(weight, dtype=float)
    building = np.asarray(building if building is not None else [""] * n, dtype=object)
    estate = np.asarray(estate if estate is not None else [""] * n, dtype=object)
    # locations: households at the same door share one
    key = np.round(xy, 2)
    loc_key, loc_of = np.unique(key, axis=0, return_inverse=True)
    loc_of = loc_of.ravel()
    first = np.zeros(len(loc_key), dtype=int)
    first[loc_of[::-1]] = np.arange(n)[::-1]
    loc_xy = xy[first]
    loc_w = np.bincount(loc_of, weights=weight, minlength=len(loc_key))
    loc_h = np.bincount(loc_of, minlength=len(loc_key)).astype(float)
    b = pd.Series(building[first]).fillna("").astype(str).to_numpy()
    loc_atom = np.where(b != "", "b:" + b, "l:" + pd.Series(np.arange(len(first))).astype(str))
    loc_estate = pd.Series(estate[first]).fillna("").astype(str).to_numpy()
    hull = shapely.MultiPoint(loc_xy).convex_hull.buffer(30.0)
    frame = shapely.unary_union([frame, hull]) if frame is not None else hull
    frame = _polygonal(shapely.make_valid(frame))
    blocks = street_blocks(edges, frame)
    target = weight.sum() / count
    units = _units(
        loc_xy, loc_w, loc_h, loc_atom, loc_estate, blocks, target, whole_share, piece_share
    )
    # never more beats than units that hold households
    count = min(count, int((units.households > 0).sum()))
    label = (
        _regions(units, count, seed=seed, starts=starts)
        if count > 1
        else np.zeros(len(units.weight), dtype=int)
    )
    next_label = count
    station = _group_beats(units, label, count, min(groups, count), seed=seed, starts=starts)
    contiguous = all(
        len(_components(m, units.neighbours, set(m))) == 1
        for m in (np.flatnonzero(label == r).tolist() for r in range(next_label))
    )
    loc_label = label[units.unit_of_loc]
    polygons = _beat_polygons(units, label, next_label, loc_xy)
    return Partition(
        label=loc_label[loc_of],
        polygons=polygons,
        station=np.asarray(station, dtype=int),
        estates_split=units.estates_split,
        contiguous=contiguous,
    )


def _group_beats(
    units: _Units, label: np.ndarray, count: int, groups: int, *, seed: int, starts: int
) -> np.ndarray:
    """Group beats into ``groups`` contiguous stations of about equal workload."""
    if groups <= 1:
        return np.zeros(count, dtype=int)
    neighbours: list[set[int]] = [set() for _ in range(count)]
    for u, near in enumerate(units.neighbours):
        for v in near:
            if label[u] != label[v]:
                neighbours[label[u]].add(int(label[v]))
    weight = np.bincount(label, weights=units.weight, minlength=count)
    hh = np.bincount(label, weights=units.households, minlength=count)
    xy = (
        np.column_stack(
            [
                np.bincount(label, weights=units.xy[:, k] * units.households, minlength=count)
                for k in (0, 1)
            ]
        )
        / np.maximum(hh, 1e-9)[:, None]
    )
    beats = _Units(np.zeros(0, dtype=int), weight, hh, xy, neighbours)
    _connect_components(beats.xy, beats.neighbours)
    return _regions(beats, groups, seed=seed, starts=starts)


def _subset(units: _Units, idx: np.ndarray) -> _Units:
    pos = {int(u): i for i, u in enumerate(idx)}
    neighbours = [{pos[v] for v in units.neighbours[u] if v in pos} for u in idx]
    sub = _Units(
        unit_of_loc=np.zeros(0, dtype=int),
        weight=units.weight[idx],
        households=units.households[idx],
        xy=units.xy[idx],
        neighbours=neighbours,
    )
    _connect_components(sub.xy, sub.neighbours)
    return sub


# --------------------------------------------------------------------------------------------
# a station's proposed beats, compared with today's

WALK_SPEED_KMH = 4.5  # the evening planner's default walking speed


@dataclass
class Proposal:
    """Proposed beats of one station, their figures and today's beats for comparison.

    Attributes
    ----------
    beats : GeoDataFrame
        WGS-84 polygons: ``beat`` (1..n), ``name``, ``station_id``, ``households``,
        ``workload``, ``rentals``, ``lodgers``, ``incidents``, ``area_km2``,
        ``walk_across_min``, ``parts``.
    today : GeoDataFrame
        The same figures for the station's beats as they are (``beat`` is the beat id).
    household_beat : pandas.Series
        Proposed ``beat`` per household id.
    summary : DataFrame
        Rows ``ratio``, ``workload_ratio``, ``spread``, ``max_walk``, ``outside``; columns
        ``today`` and ``proposed``.
    weights : Weights
    estates_split : list of str
    contiguous : bool
    """

    beats: gpd.GeoDataFrame
    today: gpd.GeoDataFrame
    household_beat: pd.Series
    summary: pd.DataFrame
    weights: Weights
    estates_split: list[str]
    contiguous: bool

    def summary_table(self, lang: str = "zh") -> pd.DataFrame:
        """:attr:`summary` with labels in ``lang``."""
        out = self.summary.copy()
        out.index = [T(k, lang) for k in out.index]
        return out.rename(columns={c: T(c, lang) for c in out.columns})

    def figures_table(self, which: str = "proposed", lang: str = "zh") -> pd.DataFrame:
        """Per-beat figures (no geometry) with labels in ``lang``."""
        frame = self.beats if which == "proposed" else self.today
        cols = ["name", "households", "workload", "rentals", "lodgers", "incidents"]
        cols += ["area_km2", "walk_across_min", "parts"]
        out = pd.DataFrame(frame[cols]).copy()
        names = {c: T(c, lang) for c in cols if c in T}
        names["name"] = T("beat", lang)
        return out.rename(columns=names)


def _walk_across(index, xy: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Walking minutes between the two households of each beat farthest apart on the network
    (double sweep from the beat's centre), at :data:`WALK_SPEED_KMH`."""
    out = np.full(count, np.nan)
    if index is None:
        return out
    for r in range(count):
        pts = np.unique(np.round(xy[labels == r], 1), axis=0)
        if len(pts) < 2:
            out[r] = 0.0 if len(pts) else np.nan
            continue
        snapped = index.snap(pts)
        centre = int(np.argmin(((pts - pts.mean(axis=0)) ** 2).sum(axis=1)))
        d0 = index.distance_matrix(snapped.take([centre]), snapped)[0]
        far = int(np.argmax(np.where(np.isfinite(d0), d0, -1)))
        d1 = index.distance_matrix(snapped.take([far]), snapped)[0]
        d1 = d1[np.isfinite(d1)]
        out[r] = float(d1.max()) / (WALK_SPEED_KMH / 3.6) / 60.0 if len(d1) else np.nan
    return out


def beat_figures(
    hh: gpd.GeoDataFrame,
    labels: np.ndarray,
    polygons: list,
    weight: np.ndarray,
    incidents_per_household: np.ndarray,
    *,
    index=None,
) -> pd.DataFrame:
    """Households, workload, rentals, lodgers, incidents, area and walk across per beat.

    ``hh`` is in a metric CRS; ``labels`` gives each household's beat position (0..n-1,
    -1 for none) and ``polygons`` the beats' shapes in that CRS.
    """
    count = len(polygons)
    ok = labels >= 0
    lab = labels[ok]

    def total(values) -> np.ndarray:
        return np.bincount(lab, weights=np.asarray(values, dtype=float)[ok], minlength=count)

    rental = hh["rental"].fillna(False).to_numpy(bool) if "rental" in hh else np.zeros(len(hh))
    lodgers = pd.to_numeric(hh.get("lodgers"), errors="coerce")
    lodgers = lodgers.fillna(0).to_numpy(float) if lodgers is not None else np.zeros(len(hh))
    xy = shapely.get_coordinates(hh.geometry.values)
    return pd.DataFrame(
        {
            "households": np.bincount(lab, minlength=count),
            "workload": total(weight).round(1),
            "rentals": total(rental).astype(int),
            "lodgers": total(lodgers).astype(int),
            "incidents": total(incidents_per_household).astype(int),
            "area_km2": (shapely.area(np.asarray(polygons, dtype=object)) / 1e6).round(3),
            "walk_across_min": _walk_across(index, xy, labels, count).round(1),
            "parts": [len(shapely.get_parts(p)) for p in polygons],
        }
    )


def _ratio(values: np.ndarray) -> float:
    values = np.asarray(values, dtype=float)
    if not len(values) or values.min() <= 0:
        return float("inf") if len(values) else float("nan")
    return float(values.max() / values.min())


def propose_beats(
    area,
    households: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame,
    *,
    station_id: int,
    count: int,
    incidents: gpd.GeoDataFrame | None = None,
    weights: Weights = Weights(),
    seed: int = 0,
    index=None,
) -> Proposal:
    """Propose ``count`` balanced beats for station ``station_id`` and compare with today's.

    Parameters
    ----------
    area : geo.network.Area
        The OSM area (walking network and CRS).
    households, beats : GeoDataFrame
        The store's tables (WGS-84). The station's households are those of its beats, or
        inside them when they carry no beat.
    station_id : int
        The station.
    count : int
        Number of beats to propose.
    incidents : GeoDataFrame, optional
        Incidents (WGS-84) that weigh households up.
    weights : Weights
        Workload weights.
    seed : int
        Seed of the random starts.
    index : geo.netdist.NetworkIndex, optional
        Walking network index for walking times (built from ``area`` when omitted).

    Returns
    -------
    Proposal
    """
    from geo.beats import assign_beats

    mine = beats[beats["station_id"].astype("Int64") == int(station_id)]
    if mine.empty:
        known = ", ".join(str(int(s)) for s in sorted(beats["station_id"].dropna().unique()))
        raise InputError(f"station {station_id} has no beats; stations with beats: {known}")
    if count < 1:
        raise InputError(f"the number of beats must be at least 1, got {count}")
    crs = area.crs
    mine_m = mine.to_crs(crs)
    hh_all = households.to_crs(crs)
    inside = assign_beats(hh_all, mine_m[["id", "geometry"]]).beat_id
    beat_col = pd.array(hh_all["beat_id"], dtype="Int64")
    belongs = pd.Series(beat_col, index=hh_all.index).isin(mine["id"].tolist())
    belongs |= (pd.Series(beat_col, index=hh_all.index).isna()) & inside.notna()
    hh = hh_all[belongs.to_numpy(bool)]
    if hh.empty:
        raise InputError(f"station {station_id} has no households to divide into beats")
    inc = incidents.to_crs(crs) if incidents is not None and len(incidents) else None
    w = workload(hh, inc, weights=weights)
    per_inc = (
        workload(hh, inc, weights=Weights(household=1.0, rental=0, lodger=0, incident=1.0)) - 1.0
    )
    frame = shapely.unary_union(mine_m.geometry.values)
    part = partition(
        shapely.get_coordinates(hh.geometry.values),
        w,
        count=count,
        edges=area.edges(),
        frame=frame,
        building=hh["building_id"].to_numpy() if "building_id" in hh else None,
        estate=hh["estate"].to_numpy() if "estate" in hh else None,
        seed=seed,
    )
    if index is None:
        from geo.netdist import NetworkIndex
        from geo.network import walkable_edge

        index = NetworkIndex.from_graph(area.graph, edge_filter=walkable_edge)
    n_new = len(part.polygons)
    proposed = beat_figures(hh, part.label, part.polygons, w, per_inc, index=index)
    proposed.insert(0, "beat", np.arange(1, n_new + 1))
    proposed.insert(1, "name", [f"第{i}警务区" for i in range(1, n_new + 1)])
    proposed.insert(2, "station_id", int(station_id))
    new_gdf = gpd.GeoDataFrame(proposed, geometry=list(part.polygons), crs=crs).to_crs(4326)
    # today: households by their recorded beat
    ids = mine["id"].to_numpy()
    pos = {int(b): i for i, b in enumerate(ids)}
    cur = pd.array(hh["beat_id"], dtype="Int64")
    cur = np.where(cur.isna(), inside[hh.index].to_numpy(dtype=float, na_value=np.nan), cur)
    today_lab = np.array([pos.get(int(b), -1) if not pd.isna(b) else -1 for b in cur])
    today = beat_figures(hh, today_lab, list(mine_m.geometry.values), w, per_inc, index=index)
    today.insert(0, "beat", ids)
    today.insert(1, "name", mine["name"].to_numpy())
    today.insert(2, "station_id", int(station_id))
    today_gdf = gpd.GeoDataFrame(today, geometry=list(mine.geometry.values), crs=4326)
    # households outside every polygon of their beat set
    in_today = assign_beats(hh, mine_m[["id", "geometry"]])
    prop_frame = gpd.GeoDataFrame({"id": np.arange(n_new)}, geometry=list(part.polygons), crs=crs)
    in_new = assign_beats(hh, prop_frame)
    summary = pd.DataFrame(
        {
            "today": [
                _ratio(today["households"]),
                _ratio(today["workload"]),
                float(today["households"].std(ddof=0) / max(today["households"].mean(), 1e-9)),
                float(today["walk_across_min"].max()),
                len(in_today.outside),
            ],
            "proposed": [
                _ratio(proposed["households"]),
                _ratio(proposed["workload"]),
                float(
                    proposed["households"].std(ddof=0) / max(proposed["households"].mean(), 1e-9)
                ),
                float(proposed["walk_across_min"].max()),
                len(in_new.outside),
            ],
        },
        index=["ratio", "workload_ratio", "spread", "max_walk", "outside"],
    )
    return Proposal(
        beats=new_gdf,
        today=today_gdf,
        household_beat=pd.Series(part.label + 1, index=hh["id"].to_numpy(), name="beat"),
        summary=summary,
        weights=weights,
        estates_split=part.estates_split,
        contiguous=part.contiguous,
    )


def write_proposal(proposal: Proposal, path) -> None:
    """Write the proposal to a GeoPackage: layers ``proposed_beats`` and ``current_beats``.

    The proposed layer has the beats table's fields (name, station id, polygon), so an
    administrator can import it as the station's new beats after review in QGIS.
    """
    from pathlib import Path

    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InputError(f"{path.name}: the proposal is written as a GeoPackage (.gpkg)")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    proposal.beats.to_file(path, layer="proposed_beats", engine="pyogrio")
    proposal.today.to_file(path, layer="current_beats", engine="pyogrio", append=False)
