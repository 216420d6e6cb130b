"""The plan: demand, existing coverage, candidates and the choice of sites, step by step.

Steps of :func:`plan_cameras`, all in the area's metric CRS (UTM):

1. **Demand** (:func:`geo.planning.demand.build_demand`): households (base weight, rentals
   multiplied, plus a weight per lodger), incidents (a weight per category, halved every
   ``half_life_days`` before the reference day) and, optionally, building entrances.
2. **Existing coverage**: the active installed units, each with the radius of its kind
   (:data:`geo.planning.units.DEFAULT_RADII`) and optionally its field of view, and the demand
   they cover.
3. **Candidates** (:func:`geo.planning.candidates.build_candidates`): rental houses without a
   unit, shops, building entrances, street intersections (selectable).
4. **Siting**: ``k`` new sites maximising the newly covered weighted demand, optionally at most
   ``per_beat`` new sites per beat (:func:`geo.siting.max_coverage`).
5. **Results**: the ranked sites with address, beat, the community officer to make the
   promotion, gain and cumulative share; coverage before and after per beat; street gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from geo._errors import InputError
from geo.model import CAMERA_KINDS
from geo.netdist import NetworkIndex, Snapped
from geo.network import walkable_edge
from geo.planning._frames import metric_beats, point_xy, to_metric
from geo.planning.candidates import CANDIDATE_KINDS, build_candidates, check_kinds
from geo.planning.demand import DemandWeights, build_demand, building_entrances
from geo.planning.units import check_radii, existing_units
from geo.progress import ProgressCallback, Tracker
from geo.siting import (
    Method,
    SitingResult,
    coverage_matrix,
    covered_mask,
    covered_streets,
    max_coverage,
)
from geo.stats import share

if TYPE_CHECKING:
    import networkx as nx
    from pyproj import CRS

__all__ = ["CameraPlan", "PlanningArea", "plan_cameras"]


class PlanningArea(Protocol):
    """What the planner reads of an OSM area (:class:`geo.network.Area` has it all)."""

    @property
    def crs(self) -> CRS | str: ...

    @property
    def graph(self) -> nx.MultiDiGraph: ...

    @property
    def buildings(self) -> gpd.GeoDataFrame: ...

    @property
    def pois(self) -> gpd.GeoDataFrame: ...

    def edges(self) -> gpd.GeoDataFrame: ...


@dataclass
class CameraPlan:
    """Everything the Cameras page shows for one set of choices (metric CRS throughout).

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        Chosen sites ranked 1..n: ``rank``, ``kind``, ``label`` (address or place),
        ``beat_id``, ``beat``, ``officer_id``, ``officer`` (the beat's community officer who
        makes the promotion), ``gain`` (weight newly covered), ``gain_households``,
        ``gain_incidents``, ``cumulative_weight``, ``covered_share``, ``households_here``,
        ``household_id`` and the personal ``contact_name``, ``contact_phone`` and
        ``officer_phone`` (masked by the exports; never drawn on maps).
    by_beat : DataFrame
        Per beat: ``beat_id``, ``name``, ``units`` (installed, active), ``new_sites``,
        ``households``, ``hh_before``, ``hh_after``, ``hh_share_before``, ``hh_share_after``,
        ``incidents``, ``inc_before``, ``inc_after``, ``inc_share_before``,
        ``inc_share_after``, ``weight``, ``share_before``, ``share_after``, ``low_share``.
    totals : dict
        The same figures over all demand, plus ``candidates``, ``k`` and ``chosen``.
    demand : geopandas.GeoDataFrame
        :func:`build_demand` plus ``covered_before``, ``covered_after`` and ``first_rank``
        (rank of the site that first covers it; 0 if covered before or never).
    candidates : geopandas.GeoDataFrame
        :func:`build_candidates` plus ``snapped`` (within reach of a street).
    existing : geopandas.GeoDataFrame
        :func:`existing_units`.
    streets_before, streets_new : geopandas.GeoDataFrame
        :func:`geo.siting.covered_streets` of the installed units and of the new sites.
    gaps : geopandas.GeoDataFrame
        Street edges with the most demand the installed units leave uncovered: ``edge``,
        ``street``, ``length``, ``uncovered_weight``, ``uncovered_households``,
        ``uncovered_incidents``, ``uncovered_after``.
    siting : geo.siting.SitingResult
    options : dict
        The choices the plan was made with.
    """

    sites: gpd.GeoDataFrame
    by_beat: pd.DataFrame
    totals: dict
    demand: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    existing: gpd.GeoDataFrame
    streets_before: gpd.GeoDataFrame
    streets_new: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    siting: SitingResult
    options: dict = field(default_factory=dict)


def _first_rank(cover: sp.csr_matrix, chosen: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Rank (1-based) of the first chosen site covering each demand point (0: none/before)."""
    n = cover.shape[1]
    first = np.zeros(n, np.int64)
    if chosen.size == 0:
        return first
    sub = cover[chosen].tocoo()
    rank = sub.row.astype(np.int64) + 1
    best = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(best, sub.col, rank)
    hit = (best < np.iinfo(np.int64).max) & ~before
    first[hit] = best[hit]
    return first


def _officers_for(sites: pd.DataFrame, officers: pd.DataFrame | None) -> pd.DataFrame:
    """The community officer of each site's beat; sites are shared round-robin in rank order
    between the officers of a beat that has several."""
    out = pd.DataFrame(
        {
            "officer_id": pd.array([pd.NA] * len(sites), dtype="Int64"),
            "officer": [""] * len(sites),
            "officer_phone": [""] * len(sites),
        },
        index=sites.index,
    )
    if officers is None or len(officers) == 0 or len(sites) == 0:
        return out
    cops = officers
    if "role" in cops:
        cops = cops[(cops["role"].astype(object) == "community_officer").to_numpy(bool)]
    cops = cops.dropna(subset=["beat_id"]).sort_values("id")
    by_beat = {int(b): g for b, g in cops.groupby(cops["beat_id"].astype("int64"))}
    seen: dict[int, int] = {}
    ids, names, phones = [], [], []
    for beat in sites["beat_id"].tolist():
        g = by_beat.get(int(beat)) if pd.notna(beat) else None
        if g is None or len(g) == 0:
            ids.append(pd.NA)
            names.append("")
            phones.append("")
            continue
        i = seen.get(int(beat), 0)
        seen[int(beat)] = i + 1
        row = g.iloc[i % len(g)]
        ids.append(int(row["id"]))
        names.append(str(row["name"]))
        phones.append("" if "phone" not in g or pd.isna(row["phone"]) else str(row["phone"]))
    out["officer_id"] = pd.array(ids, dtype="Int64")
    out["officer"] = names
    out["officer_phone"] = phones
    return out


def _by_beat(
    demand: gpd.GeoDataFrame,
    before: np.ndarray,
    after: np.ndarray,
    beats: pd.DataFrame | None,
    units: gpd.GeoDataFrame,
    sites: pd.DataFrame,
    low_share: float,
) -> tuple[pd.DataFrame, dict]:
    src = demand["source"].to_numpy(object)
    w = demand["weight"].to_numpy(float)
    hh = src == "household"
    inc = src == "incident"
    frame = pd.DataFrame(
        {
            "beat_id": demand["beat_id"].astype("Int64"),
            "households": hh.astype(int),
            "hh_before": (hh & before).astype(int),
            "hh_after": (hh & after).astype(int),
            "incidents": inc.astype(int),
            "inc_before": (inc & before).astype(int),
            "inc_after": (inc & after).astype(int),
            "weight": w,
            "w_before": np.where(before, w, 0.0),
            "w_after": np.where(after, w, 0.0),
        }
    )
    cols = [c for c in frame.columns if c != "beat_id"]
    totals = {c: frame[c].sum() for c in cols}
    agg = frame.dropna(subset=["beat_id"]).groupby("beat_id")[cols].sum()
    if beats is not None and len(beats):
        table = pd.DataFrame(
            {
                "beat_id": beats["id"].astype("int64").to_numpy(),
                "name": beats["name"].astype(str).to_numpy(),
            }
        )
    else:
        table = pd.DataFrame({"beat_id": agg.index.astype("int64"), "name": agg.index.astype(str)})
    table = table.merge(agg, left_on="beat_id", right_index=True, how="left")
    table[cols] = table[cols].fillna(0)
    unit_count = (
        units["beat_id"].dropna().astype("int64").value_counts()
        if len(units)
        else pd.Series(dtype=int)
    )
    site_count = (
        sites["beat_id"].dropna().astype("int64").value_counts()
        if len(sites)
        else pd.Series(dtype=int)
    )
    table.insert(2, "units", table["beat_id"].map(unit_count).fillna(0).astype(int))
    table.insert(3, "new_sites", table["beat_id"].map(site_count).fillna(0).astype(int))
    for c in ("households", "hh_before", "hh_after", "incidents", "inc_before", "inc_after"):
        table[c] = table[c].astype(int)
    for pre, num, den in (
        ("hh_share", "hh", "households"),
        ("inc_share", "inc", "incidents"),
        ("share", "w", "weight"),
    ):
        for when in ("before", "after"):
            table[f"{pre}_{when}"] = share(table[f"{num}_{when}"], table[den])
            totals[f"{pre}_{when}"] = float(
                share(np.array([totals[f"{num}_{when}"]]), np.array([totals[den]]))[0]
            )
    table["low_share"] = (table["share_before"].fillna(1.0) < low_share) & (table["weight"] > 0)
    table = table.drop(columns=["w_before", "w_after"])
    totals = {k: (int(v) if isinstance(v, np.integer) else float(v)) for k, v in totals.items()}
    return table, totals


def _edge_names(
    index: NetworkIndex, edges: np.ndarray, streets: gpd.GeoDataFrame | None
) -> np.ndarray:
    """Street name of index edges, from the nearest line of ``streets`` to their midpoints."""
    if streets is None or len(streets) == 0 or edges.size == 0 or "name" not in streets:
        return np.full(edges.size, "", dtype=object)
    mid = shapely.line_interpolate_point(index.edge_geometry[edges], 0.5, normalized=True)
    tree = shapely.STRtree(streets.geometry.to_numpy())
    mi, si = tree.query_nearest(mid, all_matches=False)
    out = np.full(edges.size, "", dtype=object)
    out[mi] = streets["name"].fillna("").astype(str).to_numpy()[si]
    return out


def _gaps(
    index: NetworkIndex,
    demand: gpd.GeoDataFrame,
    dem_sn: Snapped,
    before: np.ndarray,
    after: np.ndarray,
    *,
    top: int,
    streets: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    w = demand["weight"].to_numpy(float)
    src = demand["source"].to_numpy(object)
    ok = dem_sn.valid
    e = dem_sn.edge
    n = index.n_edges
    un = ok & ~before
    weight = np.bincount(e[un], weights=w[un], minlength=n)
    hh = np.bincount(e[un & (src == "household")], minlength=n)
    inc = np.bincount(e[un & (src == "incident")], minlength=n)
    still = ok & ~after
    weight_after = np.bincount(e[still], weights=w[still], minlength=n)
    order = np.argsort(-weight, kind="stable")
    pick = order[weight[order] > 0][:top]
    return gpd.GeoDataFrame(
        {
            "edge": pick,
            "street": _edge_names(index, pick, streets),
            "length": index.edge_length[pick].round(1),
            "uncovered_weight": weight[pick],
            "uncovered_households": hh[pick],
            "uncovered_incidents": inc[pick],
            "uncovered_after": weight_after[pick],
        },
        geometry=index.edge_geometry[pick],
        crs=index.crs,
    )


#: the steps of :func:`plan_cameras`, as (Chinese, English)
PLAN_STEPS = (
    ("计算需求", "weighing the demand"),
    ("已装设备的覆盖", "what the installed units cover"),
    ("候选点位", "candidate sites"),
    ("选址求解", "choosing the sites"),
    ("汇总结果", "adding up the results"),
)


def plan_cameras(
    area: PlanningArea,
    frames: Mapping[str, pd.DataFrame],
    *,
    k: int,
    radius: float | None = None,
    radii: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
    new_kind: str = "recorder_unit",
    weights: DemandWeights = DemandWeights(),
    candidate_kinds: Iterable[str] = ("rental",),
    per_beat: int | None = None,
    use_fov: bool = False,
    as_of: pd.Timestamp | str | None = None,
    index: NetworkIndex | None = None,
    method: Method = "auto",
    time_limit_s: float = 10.0,
    max_snap_distance: float = 100.0,
    gap_count: int = 40,
    low_share: float = 0.3,
    progress: ProgressCallback | None = None,
) -> CameraPlan:
    """Plan the next ``k`` unit promotions over a workspace's tables.

    Parameters
    ----------
    area : PlanningArea
        The OSM area (:class:`geo.network.Area`): ``crs`` (metric), ``graph``, ``buildings``,
        ``pois``, ``edges()``.
    frames : mapping of str to DataFrame
        Store tables (WGS-84): ``beats``, ``officers``, ``households``, ``cameras``,
        ``incidents``. Demand and candidates come from the rows given (filter them first);
        every active camera given covers the street.
    k : int
        New sites to choose (>= 1). When there are fewer candidates, all of them are ranked
        (``totals["k_used"]``). Fewer than ``k`` sites come back when the rest add nothing.
    radius : float, optional
        Radius of the new units (m along the network); default ``radii[new_kind]``.
    radii : mapping or iterable of (kind, metres), optional
        Radius per camera kind of the installed units (defaults :data:`DEFAULT_RADII`).
    new_kind : str
        Kind of unit being promoted (default ``"recorder_unit"``, 摄录一体机).
    weights : DemandWeights
        Demand weights; ``weights.entrance > 0`` adds building entrances as demand.
    candidate_kinds : iterable of str
        Any of :data:`CANDIDATE_KINDS`.
    per_beat : int, optional
        At most this many new sites per beat.
    use_fov : bool
        Installed units cover only inside their field of view (``facing`` ± ``fov`` / 2) where
        the table records a facing. New sites are assumed to see all round.
    as_of : timestamp, optional
        Reference day of the incident decay (default the latest incident).
    index : NetworkIndex, optional
        Prebuilt index of ``area.graph`` (pages cache it).
    method : {"auto", "greedy+swap", "greedy", "exact"}
        See :func:`geo.siting.max_coverage`.
    time_limit_s : float
        Safety net of the siting search (see :func:`geo.siting.max_coverage`): the work budget
        decides the sites; ``totals["time_capped"]`` says when this cap stopped it instead.
    max_snap_distance : float
        Points farther than this from every street are neither demand nor sites.
    gap_count : int
        Street edges returned in ``gaps``.
    low_share : float
        Beats whose weighted covered share before the plan is below this are flagged.

    Returns
    -------
    CameraPlan

    Raises
    ------
    InputError
        Unknown candidate kinds or camera kinds, no candidates, ``k < 1``, negative weights or
        radii.

    Notes
    -----
    ``progress`` (keyword, optional) receives the five steps below as
    :class:`geo.progress.Update`: demand, installed units, candidates, siting, results.
    """
    track = Tracker(progress, PLAN_STEPS, weights=(2, 1, 1, 5, 1))
    track.start(0)
    choices = _check_choices(
        k=k,
        new_kind=new_kind,
        candidate_kinds=candidate_kinds,
        radius=radius,
        radii=radii,
        per_beat=per_beat,
    )
    crs = area.crs
    if index is None:
        index = NetworkIndex.from_graph(area.graph, edge_filter=walkable_edge)
    beats_m = metric_beats(frames.get("beats"), crs)
    streets = area.edges()
    entrances = _entrances(area, streets, need=weights.entrance > 0 or "entrance" in choices.kinds)
    households = frames.get("households")
    if households is not None and len(households):
        households = to_metric(households, crs, "households")

    # 1. demand
    demand = build_demand(
        households=households,
        incidents=frames.get("incidents"),
        entrances=entrances,
        beats=beats_m,
        weights=weights,
        crs=crs,
        as_of=as_of,
    )
    dem_sn = index.snap(point_xy(demand), max_distance=max_snap_distance)
    # 2. what the installed units cover now
    track.start(1)
    now = _existing_coverage(
        index, frames.get("cameras"), dem_sn, choices, beats_m, use_fov, max_snap_distance
    )
    # 3. candidates
    track.start(2)
    cands, cand_sn = _snapped_candidates(
        area, frames, index, choices, households, entrances, beats_m, max_snap_distance
    )
    k_used = min(choices.k, len(cands))
    # 4. siting
    track.start(3)
    cover = coverage_matrix(index, cand_sn, dem_sn, choices.radius)
    groups, quota = _beat_quotas(cands, choices.per_beat)
    res = max_coverage(
        cover,
        demand["weight"].to_numpy(float),
        k_used,
        existing=now.covered,
        method=method,
        groups=groups,
        per_group=quota,
        time_limit_s=time_limit_s,
    )
    # 5. results
    track.start(4)
    first = _first_rank(cover, res.chosen, now.covered)
    after = now.covered | (first > 0)
    demand = demand.assign(covered_before=now.covered, covered_after=after, first_rank=first)
    sites = _ranked_sites(cands, res, demand, frames)
    by_beat, totals = _by_beat(
        demand, now.covered, after, frames.get("beats"), now.units, sites, low_share
    )
    totals.update(_siting_totals(res, cands, cand_sn, dem_sn, now, choices.k, k_used))
    streets_before, streets_new = _street_pieces(
        index, now, cand_sn.take(res.chosen), choices, streets
    )
    totals["street_m_before"] = float(streets_before["length"].sum())
    totals["street_m_new"] = float(streets_new["length"].sum())
    track.finish()
    return CameraPlan(
        sites=sites,
        by_beat=by_beat,
        totals=totals,
        demand=demand,
        candidates=cands,
        existing=now.units,
        streets_before=streets_before,
        streets_new=streets_new,
        gaps=_gaps(index, demand, dem_sn, now.covered, after, top=gap_count, streets=streets),
        siting=res,
        options={
            "k": k_used,
            "radius": choices.radius,
            "radii": choices.radii,
            "new_kind": new_kind,
            "weights": weights,
            "candidate_kinds": choices.kinds,
            "per_beat": choices.per_beat,
            "use_fov": use_fov,
            "as_of": None if as_of is None else pd.Timestamp(as_of),
            "method": method,
        },
    )


@dataclass(frozen=True)
class _Choices:
    """The planner's choices, checked."""

    k: int
    kinds: tuple[str, ...]
    radius: float
    radii: dict[str, float]
    per_beat: int | None


def _check_choices(
    *,
    k: object,
    new_kind: str,
    candidate_kinds: Iterable[str],
    radius: float | None,
    radii: Mapping[str, float] | Iterable[tuple[str, float]] | None,
    per_beat: int | None,
) -> _Choices:
    """Check every choice before any work; all problems are raised at once."""
    problems: list[str] = []
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        problems.append(f"k must be a whole number >= 1, got {k!r}")
    if new_kind not in CAMERA_KINDS:
        problems.append(f"new_kind must be one of {', '.join(CAMERA_KINDS)}, got {new_kind!r}")
    if per_beat is not None and (
        isinstance(per_beat, bool) or not isinstance(per_beat, int | np.integer) or per_beat < 1
    ):
        problems.append(f"per_beat must be a whole number >= 1 or None, got {per_beat!r}")
    kinds: tuple[str, ...] = ()
    rad: dict[str, float] = {}
    for check in (lambda: check_kinds(candidate_kinds), lambda: check_radii(radii)):
        try:
            got = check()
        except InputError as exc:
            problems.append(str(exc))
        else:
            if isinstance(got, tuple):
                kinds = got
            else:
                rad = got
    r_new = float("nan")
    if rad and new_kind in CAMERA_KINDS:
        r_new = rad[new_kind] if radius is None else float(radius)
        if not np.isfinite(r_new) or r_new <= 0:
            problems.append(f"radius must be a number > 0, got {radius!r}")
    if problems:
        raise InputError("; ".join(problems))
    return _Choices(
        k=int(k),  # type: ignore[call-overload]
        kinds=kinds,
        radius=r_new,
        radii=rad,
        per_beat=None if per_beat is None else int(per_beat),
    )


def _entrances(
    area: PlanningArea, streets: gpd.GeoDataFrame, *, need: bool
) -> gpd.GeoDataFrame | None:
    """Building entrances, when demand or candidates use them."""
    if not need or len(streets) == 0 or len(area.buildings) == 0:
        return None
    return building_entrances(area.buildings.to_crs(area.crs), streets)


@dataclass(frozen=True)
class _Existing:
    """The installed units, snapped, and the demand they cover."""

    units: gpd.GeoDataFrame
    snapped: Snapped
    facing: np.ndarray | None
    fov: np.ndarray | None
    covered: np.ndarray


def _existing_coverage(
    index: NetworkIndex,
    cameras: pd.DataFrame | None,
    demand: Snapped,
    choices: _Choices,
    beats: gpd.GeoDataFrame | None,
    use_fov: bool,
    max_snap_distance: float,
) -> _Existing:
    units = existing_units(cameras, crs=index.crs, radii=choices.radii, beats=beats)
    snapped = index.snap(point_xy(units), max_distance=max_snap_distance)
    facing = units["facing"].to_numpy(float) if use_fov else None
    fov = units["fov"].to_numpy(float) if use_fov else None
    radius = units["radius"].to_numpy(float)
    covered = covered_mask(index, snapped, demand, radius, facing=facing, fov=fov)
    return _Existing(units, snapped, facing, fov, covered)


def _snapped_candidates(
    area: PlanningArea,
    frames: Mapping[str, pd.DataFrame],
    index: NetworkIndex,
    choices: _Choices,
    households: gpd.GeoDataFrame | None,
    entrances: gpd.GeoDataFrame | None,
    beats: gpd.GeoDataFrame | None,
    max_snap_distance: float,
) -> tuple[gpd.GeoDataFrame, Snapped]:
    """The candidate sites of the chosen kinds, snapped to the network (``snapped`` column)."""
    cands = build_candidates(
        choices.kinds,
        crs=area.crs,
        households=households,
        cameras=frames.get("cameras"),
        pois=area.pois,
        entrances=entrances,
        graph=area.graph,
        beats=beats,
    )
    if len(cands) == 0:
        labels = ", ".join(CANDIDATE_KINDS[c][1] for c in choices.kinds)
        raise InputError(f"there are no candidate sites of the chosen kinds ({labels})")
    cand_sn = index.snap(point_xy(cands), max_distance=max_snap_distance)
    cands["snapped"] = cand_sn.valid
    return cands, cand_sn


def _siting_totals(
    res: SitingResult,
    cands: gpd.GeoDataFrame,
    cand_sn: Snapped,
    dem_sn: Snapped,
    now: _Existing,
    k: int,
    k_used: int,
) -> dict:
    """The plan's counts and what the siting search proved."""
    return {
        "candidates": len(cands),
        "candidates_snapped": int(cand_sn.valid.sum()),
        "k": k,
        "k_used": k_used,
        "chosen": int(res.chosen.size),
        "units": len(now.units),
        "demand_unsnapped": int((~dem_sn.valid).sum()),
        "optimal": res.optimal,
        "gap": res.gap,
        "seconds": res.seconds,
        "time_capped": res.time_capped,
    }


def _street_pieces(
    index: NetworkIndex,
    now: _Existing,
    new_sites: Snapped,
    choices: _Choices,
    streets: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The street the installed units cover and the street the new sites add, named."""
    radius = now.units["radius"].to_numpy(float)
    before = covered_streets(index, now.snapped, radius, facing=now.facing, fov=now.fov)
    new = covered_streets(index, new_sites, choices.radius)
    for pieces in (before, new):
        pieces["street"] = _edge_names(index, pieces["edge"].to_numpy(), streets)
    return before, new


def _beat_quotas(
    cands: gpd.GeoDataFrame, per_beat: int | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Group code per candidate (its beat, -1 for none) and the quota of each group."""
    if per_beat is None:
        return None, None
    codes = cands["beat_id"].fillna(-1).astype("int64").to_numpy()
    uniq, inv = np.unique(codes[codes >= 0], return_inverse=True)
    groups = np.full(len(cands), -1, np.int64)
    groups[codes >= 0] = inv
    return groups, np.full(uniq.size, per_beat, np.int64)


def _ranked_sites(
    cands: gpd.GeoDataFrame,
    res: SitingResult,
    demand: gpd.GeoDataFrame,
    frames: Mapping[str, pd.DataFrame],
) -> gpd.GeoDataFrame:
    """The chosen candidates ranked, with their gains, beat, officer and contact."""
    first = demand["first_rank"].to_numpy()
    src = demand["source"].to_numpy(object)
    n = res.chosen.size
    sites = cands.iloc[res.chosen].copy().reset_index(drop=True)
    sites.insert(0, "rank", np.arange(1, n + 1))
    sites["gain"] = np.bincount(first, weights=demand["weight"].to_numpy(float), minlength=n + 1)[
        1:
    ]
    sites["gain_households"] = np.bincount(first[src == "household"], minlength=n + 1)[1:]
    sites["gain_incidents"] = np.bincount(first[src == "incident"], minlength=n + 1)[1:]
    sites["cumulative_weight"] = res.base_weight + np.cumsum(sites["gain"].to_numpy(float))
    sites["covered_share"] = (
        sites["cumulative_weight"] / res.total_weight if res.total_weight > 0 else 0.0
    )
    beats = frames.get("beats")
    names = (
        dict(zip(beats["id"].astype("int64"), beats["name"].astype(str), strict=True))
        if beats is not None and len(beats)
        else {}
    )
    sites["beat"] = [names.get(int(b), "") if pd.notna(b) else "" for b in sites["beat_id"]]
    sites = pd.concat([sites, _officers_for(sites, frames.get("officers"))], axis=1)
    for col, values in _contacts(sites["household_id"], frames.get("households")).items():
        sites[col] = values
    return gpd.GeoDataFrame(sites, geometry="geometry", crs=cands.crs)


def _contacts(household_id: pd.Series, households: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """``contact_name`` and ``contact_phone`` of each site's household ("" for none)."""
    out = {
        c: np.full(len(household_id), "", dtype=object) for c in ("contact_name", "contact_phone")
    }
    if households is None or len(households) == 0 or len(household_id) == 0:
        return out
    look = households.set_index("id")
    for col in out:
        if col in look:
            vals = household_id.map(look[col]).astype(object)
            out[col] = vals.where(vals.notna(), "").astype(str).to_numpy()
    return out
