"""The officer's evening: which households to visit tonight, in what order, on which paths.

The evening planner takes a beat, a date and a few settings, and returns the ordered stops, the
arrival time at each, the walking path on the network and the total walk. The campaign planner
splits all of a beat's remaining households into such evenings up to a target date. Both work on
the walking network of the beat plus a margin (:func:`beat_network`) and solve prize-collecting
rounds with :func:`geo.routing.solve_orienteering`.

Model
-----
* **Households to visit.** Every household of the beat not yet reached at home before the
  evening starts (status from :func:`geo.coverage.household_status`): never visited, not home
  last time, refused last time (weight 0 by default: not planned). Visited and moved-away
  households are never planned.
* **Value.** ``weight_never`` for a household nobody has called on, ``weight_not_home`` for one
  found not at home last time, ``weight_refused`` for one that refused; plus ``weight_rental``
  for a rental house and ``weight_lodgers`` when lodgers live there. The defaults put never
  visited first, then not home, then rentals and lodgers as the issue asks; all are settings.
* **Doors.** Households sharing a door point (the units of one stairwell, the families of one
  courtyard) are one place: no walk between them, service times add up, and the printed stop
  lists them together. The search sees each household (``max_per_stop=1``: a 48-flat
  stairwell can be half done tonight), but only the :data:`DOOR_CAP` most valuable of each door:
  dozens of zero-distance twins would crowd the search's nearest-candidate lists and hide the
  neighbouring doors. After the search the chosen doors are walked in the shortest order (a
  tour over them with :func:`geo.routing.solve_tour`), and households left out (at doors on the
  route first, as they cost no walk) are added while the window allows.
* **Snapping.** Each door is snapped to its nearest walkable edge; a door inside a gated estate
  (a named ``landuse=residential`` polygon) snaps to the estate's own paths when one lies within
  ``max_snap_m``, so estate households are reached through the gate and not "from the street
  behind the wall".
* **Network.** The beat plus ``margin_m``, reduced to its largest connected piece (a lone
  footway cut off by the margin would otherwise strand the office or a door on it).
* **Distances** are shortest paths on the network (:class:`geo.netdist.NetworkIndex`) plus the
  short access legs from the path to the door; walking time is distance / speed.
* **"Not home last time, at a different hour".** A household found not at home at hour *h* is
  still planned with its full value; after the search the planner walks the round in whichever
  direction (a reversed round has the same length) puts fewer such households in the same
  clock hour as last time, and the stop list says "上次17点不在家" for those still at that hour
  so the officer can shift them. Documented choice: it never costs a visit or a metre.

Everything is in the area's UTM CRS inside; WGS-84 only for the frames handed to the map.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely import LineString
from shapely.ops import substring

from geo._errors import InputError, NotFoundError
from geo.coverage import household_status
from geo.model import ROLES, WGS84
from geo.netdist import NetworkIndex, Snapped
from geo.routing import solve_orienteering, solve_tour

__all__ = [
    "BeatNetwork",
    "CampaignPlan",
    "Evening",
    "EveningPlan",
    "EveningSettings",
    "Leg",
    "beat_network",
    "household_prizes",
    "officer_beat",
    "plan_campaign",
    "plan_evening",
    "record_visit",
]

#: highway values never walked (motorways and their links; the network loader drops them too)
NOT_WALKABLE = {"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed"}
#: access values that mark an estate's own roads
PRIVATE_ACCESS = {"private", "residents", "customers", "destination", "permissive"}
#: outcomes that end a household's visiting: never planned again
DONE_STATUS = {"visited", "moved_away"}
_TIME_FMT = "%H:%M"
#: households of one door offered to the search (the rest may join in the fill pass)
DOOR_CAP = 8


# --------------------------------------------------------------------------------------------
# settings


def _parse_clock(value: str | dt.time, name: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.datetime.strptime(str(value).strip(), _TIME_FMT).time()
    except ValueError:
        raise InputError(f"{name} must be a time of day such as 16:00, got {value!r}") from None


@dataclass(frozen=True)
class EveningSettings:
    """How an evening is planned.

    Parameters
    ----------
    start, end : str or datetime.time
        The evening window, ``"HH:MM"`` (default 16:00-20:00). The round starts at ``start``
        and is back at the office by ``end``.
    service_min : float
        Minutes spent at each household (default 10).
    speed_kmh : float
        Walking speed (default 4.5 km/h).
    weight_never, weight_not_home, weight_refused : float
        Value of a household never visited / not at home last time / that refused last time.
        A weight of 0 leaves those households out.
    weight_rental, weight_lodgers : float
        Added for a rental house / for a household with lodgers (only to households that are
        planned at all).
    max_per_stop : int
        Most households in one stop at a shared door (larger doors are split).
    margin_m : float
        Network kept around the beat (m), so paths may leave the beat for a shortcut.
    max_snap_m : float
        Doors farther than this from every walkable edge are reported as unreachable.
    time_limit_s : float
        Longest search per evening round (seconds).
    seed : int
        Seed of the search.
    max_iters : int or None
        Perturbation rounds of the search. With a bound the route depends only on the data and
        the seed (the same seed gives the same route) as long as ``time_limit_s`` is not
        reached first; None searches until the clock or the stall limit.
    """

    start: str | dt.time = "16:00"
    end: str | dt.time = "20:00"
    service_min: float = 10.0
    speed_kmh: float = 4.5
    weight_never: float = 10.0
    weight_not_home: float = 6.0
    weight_refused: float = 0.0
    weight_rental: float = 3.0
    weight_lodgers: float = 2.0
    max_per_stop: int = 1
    margin_m: float = 300.0
    max_snap_m: float = 150.0
    time_limit_s: float = 1.5
    seed: int = 0
    max_iters: int | None = 5000

    def __post_init__(self) -> None:
        start = _parse_clock(self.start, "start")
        end = _parse_clock(self.end, "end")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if end <= start:
            raise InputError(f"the evening must end after it starts, got {start:%H:%M}-{end:%H:%M}")
        for name in ("service_min", "speed_kmh", "time_limit_s"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InputError(f"{name} must be a positive number, got {value!r}")
        for name in (
            "weight_never",
            "weight_not_home",
            "weight_refused",
            "weight_rental",
            "weight_lodgers",
            "margin_m",
            "max_snap_m",
        ):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise InputError(f"{name} must be a number >= 0, got {value!r}")
        if int(self.max_per_stop) < 1:
            raise InputError(f"max_per_stop must be at least 1, got {self.max_per_stop!r}")

    @property
    def window_s(self) -> float:
        """Length of the evening window in seconds."""
        s, e = self.start, self.end
        return float((e.hour * 60 + e.minute - s.hour * 60 - s.minute) * 60)  # type: ignore[union-attr]

    @property
    def service_s(self) -> float:
        """Service time per household in seconds."""
        return float(self.service_min) * 60.0

    @property
    def speed_ms(self) -> float:
        """Walking speed in metres per second."""
        return float(self.speed_kmh) / 3.6

    def with_(self, **changes: Any) -> EveningSettings:
        """A copy with some settings changed."""
        return replace(self, **changes)


# --------------------------------------------------------------------------------------------
# the beat's network


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


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
    crs : object
        The area's CRS.
    """

    index: NetworkIndex
    edge_name: np.ndarray
    edge_highway: np.ndarray
    edge_access: np.ndarray
    edge_estate: np.ndarray
    node_barrier: np.ndarray
    estates: gpd.GeoDataFrame
    crs: Any
    _pair: dict[tuple[int, int], int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        order = np.lexsort((self.index.edge_length, self.index.edge_v, self.index.edge_u))
        pairs: dict[tuple[int, int], int] = {}
        for e in order.tolist():
            pairs.setdefault((int(self.index.edge_u[e]), int(self.index.edge_v[e])), e)
        self._pair = pairs

    @property
    def edge_private(self) -> np.ndarray:
        """Edges of an estate's own road system (private access or inside an estate)."""
        return np.isin(self.edge_access, list(PRIVATE_ACCESS)) | (self.edge_estate >= 0)

    def edge_between(self, p: int, q: int) -> int:
        """The shortest undirected edge between node positions ``p`` and ``q``."""
        return self._pair[(p, q) if p <= q else (q, p)]

    def estate_of_points(self, xy: np.ndarray) -> np.ndarray:
        """Row of ``estates`` each point lies in, -1 outside every estate."""
        out = np.full(len(xy), -1, dtype=np.int64)
        if self.estates.empty or len(xy) == 0:
            return out
        tree = shapely.STRtree(self.estates.geometry.values)
        p_idx, e_idx = tree.query(shapely.points(xy), predicate="within")
        out[p_idx[::-1]] = e_idx[::-1]
        return out

    def named_edges(self) -> tuple[np.ndarray, shapely.STRtree | None]:
        """Indices of named edges and a spatial index over their geometries."""
        if not hasattr(self, "_named"):
            idx = np.flatnonzero(self.edge_name != "")
            tree = shapely.STRtree(self.index.edge_geometry[idx]) if idx.size else None
            self._named = (idx, tree)
        return self._named


def _walkable(_u: Any, _v: Any, data: Mapping[str, Any]) -> bool:
    hw = _text(data.get("highway"))
    return hw not in NOT_WALKABLE


def beat_network(
    area: Any,
    polygon: shapely.Geometry | None = None,
    *,
    margin_m: float = 300.0,
    include: Sequence[tuple[float, float]] = (),
) -> BeatNetwork:
    """The walking network of a beat plus a margin.

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
    graph = getattr(area, "graph", None)
    if graph is None or graph.number_of_nodes() == 0:
        raise InputError(f"area {getattr(area, 'name', '?')!r} has no walking network (graph)")
    if polygon is not None:
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
        graph = graph.subgraph([n for n, k in zip(ids, inside, strict=True) if k])
    graph = _largest_component(graph)
    index = NetworkIndex.from_graph(graph, edge_filter=_walkable)
    # tags per undirected edge of the index: the graph edge between the same nodes whose length
    # is nearest (parallel ways of different length stay separate in the index)
    by_pair: dict[tuple[int, int], list[tuple[float, Mapping[str, Any]]]] = {}
    pos = {nid: i for i, nid in enumerate(index.node_ids.tolist())}
    for u, v, d in graph.edges(data=True):
        if not _walkable(u, v, d):
            continue
        a, b = pos[u], pos[v]
        key = (a, b) if a <= b else (b, a)
        by_pair.setdefault(key, []).append((float(d.get("length", 0.0) or 0.0), d))
    n = index.n_edges
    name = np.empty(n, dtype=object)
    highway = np.empty(n, dtype=object)
    access = np.empty(n, dtype=object)
    for e in range(n):
        cands = by_pair.get((int(index.edge_u[e]), int(index.edge_v[e])), [])
        if cands:
            length = float(index.edge_length[e])
            d = min(cands, key=lambda c: abs(c[0] - length))[1]
            name[e] = _text(d.get("name")).strip()
            highway[e] = _text(d.get("highway"))
            access[e] = _text(d.get("access"))
        else:  # pragma: no cover - every index edge comes from the graph
            name[e] = highway[e] = access[e] = ""
    barrier = np.array(
        [_text(graph.nodes[nid].get("barrier")) for nid in index.node_ids.tolist()], dtype=object
    )
    estates = _estates(area)
    mid = shapely.line_interpolate_point(index.edge_geometry, 0.5, normalized=True)
    edge_estate = np.full(n, -1, dtype=np.int64)
    if not estates.empty:
        tree = shapely.STRtree(estates.geometry.values)
        e_idx, s_idx = tree.query(mid, predicate="within")
        edge_estate[e_idx[::-1]] = s_idx[::-1]
    return BeatNetwork(
        index,
        name.astype(str),
        highway.astype(str),
        access.astype(str),
        edge_estate,
        barrier.astype(str),
        estates,
        index.crs if index.crs is not None else getattr(area, "crs", None),
    )


def _largest_component(graph: Any) -> Any:
    """The largest connected piece of walkable ways.

    Walkers cross every way in both directions, so connectivity ignores edge direction. Points
    near a small cut-off piece (a lone footway, a way cut by the beat's margin) snap to the
    main network instead of being stranded on it.
    """
    import networkx as nx

    walk = nx.Graph()
    walk.add_nodes_from(graph.nodes)
    walk.add_edges_from((u, v) for u, v, d in graph.edges(data=True) if _walkable(u, v, d))
    if walk.number_of_edges() == 0:
        raise InputError("the walking network near the beat has no walkable ways")
    biggest = max(nx.connected_components(walk), key=len)
    if len(biggest) == graph.number_of_nodes():
        return graph
    return graph.subgraph(biggest)


def _estates(area: Any) -> gpd.GeoDataFrame:
    """Named residential estates of the area (name, polygon) in the area's CRS."""
    lu = getattr(area, "landuse", None)
    crs = getattr(area, "crs", None)
    empty = gpd.GeoDataFrame({"name": pd.Series([], dtype=object)}, geometry=[], crs=crs)
    if lu is None or len(lu) == 0 or "landuse" not in lu.columns:
        return empty
    res = lu[
        (lu["landuse"] == "residential") & lu.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    ]
    if res.empty:
        return empty
    names = (
        res["name"].fillna("").astype(str).to_numpy()
        if "name" in res.columns
        else np.full(len(res), "")
    )
    names = np.where(names == "", [f"小区{i + 1}" for i in range(len(res))], names)
    return gpd.GeoDataFrame({"name": names}, geometry=res.geometry.values, crs=res.crs)


# --------------------------------------------------------------------------------------------
# tables in, households to visit out


def officer_beat(tables: Mapping[str, pd.DataFrame], officer: int) -> tuple[pd.Series, pd.Series]:
    """The officer's row and the row of the beat they serve.

    Raises
    ------
    NotFoundError
        If no officer has that id (the message lists some that exist) or the beat is missing.
    InputError
        If the officer has no beat.
    """
    officers = tables["officers"]
    rows = officers[officers["id"] == int(officer)]
    if rows.empty:
        known = _some_ids(officers, role="community_officer")
        raise NotFoundError(
            f"unknown officer {officer!r}; community officers in the database: {known}"
        )
    off = rows.iloc[0]
    beat_id = off.get("beat_id")
    if beat_id is None or pd.isna(beat_id):
        role = ROLES.get(str(off.get("role")), (str(off.get("role")),) * 2)[1]
        raise InputError(
            f"officer {int(officer)} ({role}) has no beat; evening routes are planned for "
            "officers with a beat (beat_id)"
        )
    beats = tables["beats"]
    brow = beats[beats["id"] == int(beat_id)]
    if brow.empty:
        raise NotFoundError(f"beat {int(beat_id)} of officer {int(officer)} does not exist")
    return off, brow.iloc[0]


def _some_ids(df: pd.DataFrame, *, role: str | None = None, n: int = 12) -> str:
    if role is not None and "role" in df.columns:
        df = df[df["role"] == role]
    ids = [str(int(i)) for i in df["id"].head(n)]
    if not ids:
        return "none"
    more = len(df) - len(ids)
    return ", ".join(ids) + (f" ... ({more} more)" if more > 0 else "")


def household_prizes(
    households: pd.DataFrame,
    status: pd.DataFrame,
    settings: EveningSettings,
) -> np.ndarray:
    """Value of visiting each household tonight (0 = do not plan).

    Parameters
    ----------
    households : DataFrame
        Columns ``rental`` and ``lodgers``.
    status : DataFrame
        :func:`geo.coverage.household_status` of the same rows (``status`` column).
    settings : EveningSettings

    Returns
    -------
    numpy.ndarray of float
    """
    st = status["status"].astype(str).to_numpy()
    base = np.select(
        [st == "unvisited", st == "not_home", st == "refused"],
        [settings.weight_never, settings.weight_not_home, settings.weight_refused],
        default=0.0,
    ).astype(np.float64)
    rental = households["rental"].fillna(False).to_numpy(dtype=bool)
    lodgers = pd.to_numeric(households["lodgers"], errors="coerce").fillna(0).to_numpy() > 0
    bonus = settings.weight_rental * rental + settings.weight_lodgers * lodgers
    return np.where(base > 0, base + bonus, 0.0)


def _to_utm(gdf: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    return gdf.to_crs(crs)


def _evening_start(date: Any, settings: EveningSettings) -> pd.Timestamp:
    try:
        day = pd.Timestamp(date).normalize()
    except (TypeError, ValueError):
        raise InputError(f"date must be a date such as 2026-04-12, got {date!r}") from None
    s = settings.start
    return day + pd.Timedelta(hours=s.hour, minutes=s.minute)  # type: ignore[union-attr]


@dataclass
class _Problem:
    """Households of one beat prepared for routing: doors, stops and the travel matrix."""

    net: BeatNetwork
    households: pd.DataFrame  # candidate rows (prize > 0, reachable), with door, status, ...
    door_xy: np.ndarray  # (n_doors, 2), UTM
    snapped: Snapped  # row 0 = start, rows 1.. = doors
    dist: np.ndarray  # metres incl. access legs, (1 + n_doors) square
    start_xy: np.ndarray
    unreachable: pd.DataFrame
    settings: EveningSettings


def _prepare(
    area: Any,
    tables: Mapping[str, pd.DataFrame],
    beat: pd.Series,
    *,
    cutoff: pd.Timestamp,
    settings: EveningSettings,
    start_point: tuple[float, float] | None,
    network: BeatNetwork | None,
) -> _Problem:
    crs = area.crs
    beat_id = int(beat["id"])
    beats_gdf = gpd.GeoDataFrame([beat], geometry="geometry", crs=WGS84)
    poly = beats_gdf.to_crs(crs).geometry.iloc[0]
    start_xy = _start_point(beat, start_point, crs)
    hh_all = tables["households"]
    hh = hh_all[hh_all["beat_id"] == beat_id]
    if hh.empty:
        raise InputError(f"beat {beat_id} ({beat.get('name', '')}) has no households")
    visits = tables["visits"]
    # visits recorded up to the end of this evening count (re-planning mid-evening)
    e = settings.end
    status_end = cutoff.normalize() + pd.Timedelta(hours=e.hour, minutes=e.minute)  # type: ignore[union-attr]
    status = household_status(hh, visits, end=status_end)
    prize = household_prizes(hh, status, settings)
    if not (prize > 0).any():
        raise InputError(
            f"beat {beat_id} ({beat.get('name', '')}) has no unvisited households left to plan "
            f"by {status_end:%Y-%m-%d %H:%M} (all visited, moved away or weighted 0)"
        )
    net = network or beat_network(area, poly, margin_m=settings.margin_m, include=[start_xy])
    cand = hh[prize > 0].copy()
    cand["prize"] = prize[prize > 0]
    for col in ("status", "last_outcome", "last_attempt_at", "attempts"):
        cand[col] = status.loc[cand.index, col].to_numpy()
    utm = _to_utm(gpd.GeoDataFrame(cand, geometry="geometry", crs=hh.crs or WGS84), crs)
    xy = shapely.get_coordinates(utm.geometry.values)
    cand["x"], cand["y"] = xy[:, 0], xy[:, 1]
    # doors: households at one point
    key = np.round(xy, 1)
    door_xy, door_of = np.unique(key, axis=0, return_inverse=True)
    door_of = door_of.ravel()
    snapped_doors = _snap_doors(net, door_xy, settings.max_snap_m)
    start_sn = net.index.snap(start_xy[None, :], max_distance=max(settings.max_snap_m, 500.0))
    if not start_sn.valid[0]:
        raise InputError(
            f"the start point ({start_xy[0]:.0f}, {start_xy[1]:.0f}) is farther than "
            f"{max(settings.max_snap_m, 500.0):g} m from every walkable street"
        )
    sn = Snapped.concat([start_sn, snapped_doors])
    d = net.index.distance_matrix(sn)
    acc = np.nan_to_num(sn.distance, nan=np.inf)
    d = d + acc[:, None] + acc[None, :]
    np.fill_diagonal(d, 0.0)
    reach = np.isfinite(d[0, 1:]) & np.isfinite(d[1:, 0])
    bad_doors = np.flatnonzero(~reach)
    unreachable = cand.iloc[np.flatnonzero(np.isin(door_of, bad_doors))]
    if not reach.any():
        raise InputError(
            f"none of the {len(cand)} households to visit in beat {beat_id} can be reached on "
            f"the walking network from the start point (farther than {settings.max_snap_m:g} m "
            "from every walkable way, or on a part not connected to it)"
        )
    # keep reachable doors only, renumbered
    keep_doors = np.flatnonzero(reach)
    remap = np.full(len(door_xy), -1)
    remap[keep_doors] = np.arange(keep_doors.size)
    cand["door"] = remap[door_of]
    cand = cand[cand["door"] >= 0]
    rows = np.r_[0, keep_doors + 1]
    d = np.ascontiguousarray(d[np.ix_(rows, rows)])
    sn = sn.take(rows)
    return _Problem(net, cand, door_xy[keep_doors], sn, d, start_xy, unreachable, settings)


def _start_point(beat: pd.Series, start_point: tuple[float, float] | None, crs: Any) -> np.ndarray:
    if start_point is not None:
        lon, lat = start_point
    else:
        lon, lat = beat.get("office_lon"), beat.get("office_lat")
        if lon is None or lat is None or pd.isna(lon) or pd.isna(lat):
            raise InputError(
                f"beat {int(beat['id'])} ({beat.get('name', '')}) has no community police office "
                "point (office_lon/office_lat); set it or give a start point (lon, lat)"
            )
    pt = gpd.GeoSeries([shapely.Point(float(lon), float(lat))], crs=WGS84).to_crs(crs)
    return shapely.get_coordinates(pt.values)[0]


def _snap_doors(net: BeatNetwork, xy: np.ndarray, max_snap: float) -> Snapped:
    """Snap doors; doors inside an estate prefer the estate's own paths."""
    estate = net.estate_of_points(xy)
    parts: list[Snapped] = []
    order: list[np.ndarray] = []
    outside = np.flatnonzero(estate < 0)
    if outside.size:
        parts.append(net.index.snap(xy[outside], max_distance=max_snap))
        order.append(outside)
    for k in np.unique(estate[estate >= 0]):
        members = np.flatnonzero(estate == k)
        prefer = net.edge_estate == k
        if net.edge_estate.size and prefer.any():
            sn = net.index.snap(xy[members], max_distance=max_snap, prefer=prefer)
        else:
            sn = net.index.snap(xy[members], max_distance=max_snap)
        parts.append(sn)
        order.append(members)
    sn = Snapped.concat(parts)
    inv = np.empty(len(xy), dtype=np.int64)
    inv[np.concatenate(order)] = np.arange(len(xy))
    return sn.take(inv)


# --------------------------------------------------------------------------------------------
# stops at doors and the search


@dataclass
class _Stops:
    door: np.ndarray  # door per stop (0-based door index)
    members: list[np.ndarray]  # positional rows of problem.households per stop


def _make_stops(prob: _Problem, pool: np.ndarray) -> _Stops:
    """Cut the households of ``pool`` (positional rows) into stops at their doors."""
    hh = prob.households
    doors = hh["door"].to_numpy()[pool]
    prize = hh["prize"].to_numpy()[pool]
    order = np.lexsort((-prize, doors))
    size = int(prob.settings.max_per_stop)
    door_l: list[int] = []
    members: list[np.ndarray] = []
    sorted_doors = doors[order]
    bounds = np.flatnonzero(np.r_[True, sorted_doors[1:] != sorted_doors[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        rows = pool[order[a:b]]
        for s in range(0, rows.size, size):
            door_l.append(int(sorted_doors[a]))
            members.append(rows[s : s + size])
    return _Stops(np.asarray(door_l, dtype=np.int64), members)


@dataclass
class _Round:
    doors: list[int]  # door per visited place, in order (consecutive same doors merged)
    members: list[np.ndarray]  # households (positional rows) per place
    travel_m: float
    total_s: float


def _solve_round(
    prob: _Problem, pool: np.ndarray, *, budget_s: float, seed: int, time_limit_s: float
) -> _Round:
    """The most valuable round over the households ``pool`` within ``budget_s``."""
    s = prob.settings
    hh = prob.households
    pool_all = pool
    pool = _door_cap(prob, pool, DOOR_CAP)
    stops = _make_stops(prob, pool)
    n = len(stops.members)
    rows = np.r_[0, stops.door + 1]
    travel_t = prob.dist[np.ix_(rows, rows)] / s.speed_ms
    prize_h = hh["prize"].to_numpy()
    prize = np.r_[0.0, [prize_h[m].sum() for m in stops.members]]
    service = np.r_[0.0, [m.size * s.service_s for m in stops.members]]
    if n == 0:
        return _Round([], [], 0.0, 0.0)
    fits = travel_t[0, 1:] + service[1:] + travel_t[1:, 0] <= budget_s
    if not fits.any():
        # a single household of the nearest door may fit where a whole stop does not
        one = travel_t[0, 1:] + s.service_s + travel_t[1:, 0]
        quick = int(np.argmin(one))
        if one[quick] > budget_s:
            raise InputError(
                f"the evening window ({budget_s / 60:.0f} min) is too short for a single visit: "
                f"the nearest household needs {one[quick] / 60:.0f} min (walk there and back "
                f"plus {s.service_min:g} min at the door)"
            )
        raise _TooBig("no whole stop fits; split the stops")
    res = solve_orienteering(
        travel_t,
        prize,
        service,
        budget=budget_s,
        start=0,
        time_limit_s=time_limit_s,
        seed=seed,
        max_iters=s.max_iters,
    )
    order = [int(i) - 1 for i in res.order]
    picked_doors = [int(stops.door[i]) for i in order]
    picked_members = [stops.members[i] for i in order]
    used = np.zeros(len(hh), dtype=bool)
    for m in picked_members:
        used[m] = True
    rnd = _door_tour(prob, _merge_round(picked_doors, picked_members), seed)
    _fill(prob, rnd, pool_all[~used[pool_all]], budget_s)
    return rnd


def _door_cap(prob: _Problem, pool: np.ndarray, cap: int) -> np.ndarray:
    """The ``cap`` most valuable households of each door (the rest wait for the fill pass).

    Households of one door are zero distance apart; dozens of them would fill the search's
    nearest-candidate lists and hide the neighbouring doors from its exchange moves.
    """
    hh = prob.households
    doors = hh["door"].to_numpy()[pool]
    prize = hh["prize"].to_numpy()[pool]
    order = np.lexsort((-prize, doors))
    sd = doors[order]
    first = np.r_[True, sd[1:] != sd[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(sd.size), 0))
    rank = np.arange(sd.size) - start
    return np.sort(pool[order[rank < cap]])


def _door_tour(prob: _Problem, rnd: _Round, seed: int) -> _Round:
    """Visit each chosen door once, in the shortest order (a tour over the doors)."""
    by_door: dict[int, list[np.ndarray]] = {}
    for d, m in zip(rnd.doors, rnd.members, strict=True):
        by_door.setdefault(d, []).append(m)
    doors = list(by_door)
    members = [np.concatenate(by_door[d]) for d in doors]
    if len(doors) < 3:
        return _Round(doors, members, *_round_times(prob, doors, members))
    rows = np.r_[0, np.asarray(doors, dtype=np.int64) + 1]
    sub = prob.dist[np.ix_(rows, rows)]
    tour = solve_tour(sub, start=0, time_limit_s=0.3, seed=seed, max_kicks=2000)
    pos = tour.index(0)
    tour = tour[pos:] + tour[:pos]
    order = [i - 1 for i in tour[1:]]
    new_doors = [doors[i] for i in order]
    new_members = [members[i] for i in order]
    before = _round_times(prob, rnd.doors, rnd.members)[0]
    after = _round_times(prob, new_doors, new_members)[0]
    if after > before + 1e-6:  # keep the search's order when it is better (asymmetric cases)
        return _Round(
            list(rnd.doors), list(rnd.members), *_round_times(prob, rnd.doors, rnd.members)
        )
    return _Round(new_doors, new_members, *_round_times(prob, new_doors, new_members))


class _TooBig(InputError):
    """Raised inside _solve_round when only partial stops fit; handled by splitting."""


def _merge_round(doors: list[int], members: list[np.ndarray]) -> _Round:
    out_d: list[int] = []
    out_m: list[np.ndarray] = []
    for d, m in zip(doors, members, strict=True):
        if out_d and out_d[-1] == d:
            out_m[-1] = np.r_[out_m[-1], m]
        else:
            out_d.append(d)
            out_m.append(m)
    return _Round(out_d, out_m, 0.0, 0.0)


def _round_times(
    prob: _Problem, doors: list[int], members: list[np.ndarray]
) -> tuple[float, float]:
    s = prob.settings
    seq = np.r_[0, np.asarray(doors, dtype=np.int64) + 1, 0]
    travel = float(prob.dist[seq[:-1], seq[1:]].sum()) if doors else 0.0
    n_h = sum(int(m.size) for m in members)
    return travel, travel / s.speed_ms + n_h * s.service_s


def _fill(prob: _Problem, rnd: _Round, left: np.ndarray, budget_s: float) -> None:
    """Add households left out while the window allows: cheapest extra time first."""
    s = prob.settings
    hh = prob.households
    prize = hh["prize"].to_numpy()
    door_of = hh["door"].to_numpy()
    travel, total = _round_times(prob, rnd.doors, rnd.members)
    left = left[np.argsort(-prize[left], kind="stable")]
    taken = np.zeros(len(hh), dtype=bool)
    while True:
        slack = budget_s - total
        if slack < s.service_s - 1e-6 or left.size == 0:
            break
        best = None
        seq = np.r_[0, np.asarray(rnd.doors, dtype=np.int64) + 1, 0]
        for j in left[~taken[left]].tolist():
            dj = int(door_of[j])
            if dj in rnd.doors:
                extra_t = 0.0
                pos = rnd.doors.index(dj)
                ins = None
            else:
                r = dj + 1
                add = prob.dist[seq[:-1], r] + prob.dist[r, seq[1:]] - prob.dist[seq[:-1], seq[1:]]
                ins = int(np.argmin(add))
                extra_t = float(add[ins]) / s.speed_ms
                pos = None
            cost = extra_t + s.service_s
            if cost > slack + 1e-6:
                continue
            score = prize[j] / cost
            if best is None or score > best[0] + 1e-12:
                best = (score, j, pos, ins, extra_t)
        if best is None:
            break
        _, j, pos, ins, extra_t = best
        if pos is not None:
            rnd.members[pos] = np.r_[rnd.members[pos], j]
        else:
            rnd.doors.insert(ins, int(door_of[j]))
            rnd.members.insert(ins, np.array([j]))
        taken[j] = True
        travel, total = _round_times(prob, rnd.doors, rnd.members)
    rnd.travel_m, rnd.total_s = _round_times(prob, rnd.doors, rnd.members)


def _split_first(prob: _Problem, pool: np.ndarray, budget_s: float, **kw: Any) -> _Round:
    """Solve, splitting stops down to single households when no whole stop fits."""
    try:
        return _solve_round(prob, pool, budget_s=budget_s, **kw)
    except _TooBig:
        single = replace(prob, settings=prob.settings.with_(max_per_stop=1))
        return _solve_round(single, pool, budget_s=budget_s, **kw)


# --------------------------------------------------------------------------------------------
# legs on the network


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


def _legs(net: BeatNetwork, sn: Snapped, seq: Sequence[int]) -> list[Leg]:
    """Shortest network legs between consecutive rows ``seq`` of ``sn``."""
    idx = net.index
    ends = np.unique(np.r_[sn.u[list(seq)], sn.v[list(seq)]])
    dist, pred = dijkstra(idx.csr, directed=True, indices=ends, return_predecessors=True)
    where = {int(n): i for i, n in enumerate(ends.tolist())}
    legs: list[Leg] = []
    for a, b in zip(seq[:-1], seq[1:], strict=True):
        ea, eb = int(sn.edge[a]), int(sn.edge[b])
        oa, ob = float(sn.offset[a]), float(sn.offset[b])
        la, lb = float(sn.length[a]), float(sn.length[b])
        best = (math.inf, None, None)
        for na, leg_a, end_a in ((int(sn.u[a]), oa, 0.0), (int(sn.v[a]), la - oa, la)):
            row = where[na]
            for nb, leg_b, end_b in ((int(sn.u[b]), ob, 0.0), (int(sn.v[b]), lb - ob, lb)):
                total = leg_a + dist[row, nb] + leg_b
                if total < best[0]:
                    best = (total, (na, end_a), (nb, end_b))
        direct = abs(oa - ob) if ea == eb else math.inf
        if direct <= best[0] + 1e-9:
            pieces = [(ea, oa, ob)] if direct > 1e-9 else []
            legs.append(_leg(net, pieces, [], direct))
            continue
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
        legs.append(_leg(net, pieces, nodes, float(total)))
    return legs


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


# --------------------------------------------------------------------------------------------
# the evening plan


@dataclass
class EveningPlan:
    """Tonight's route of one officer.

    Attributes
    ----------
    officer_id, beat_id : int
    officer_name, beat_name : str
    date : datetime.date
    settings : EveningSettings
    stops : pandas.DataFrame
        One row per place, in walking order: ``stop`` (1..), ``door``, ``n_households``,
        ``address`` (of the first household), ``estate``, ``arrive``, ``depart`` (Timestamps),
        ``walk_m`` (from the previous place), ``x``, ``y`` (UTM), ``lon``, ``lat``, ``note_zh``,
        ``note_en``.
    households : pandas.DataFrame
        One row per household planned, in visiting order: ``stop``, ``household_id``,
        ``address``, ``building``, ``unit``, ``room``, ``estate``, ``rental``, ``lodgers``,
        ``status``, ``last_outcome``, ``last_attempt_at``, ``arrive``, ``prize``,
        ``same_hour`` (planned in the clock hour of last time's "not home"), ``contact_name``,
        ``contact_phone``.
    legs : list of Leg
        Office -> stop 1 -> ... -> office.
    start_xy : numpy.ndarray
        Office (or chosen start) in UTM.
    total_walk_m, walk_min, service_min : float
    back_at : pandas.Timestamp
        Time back at the office.
    left_unplanned : int
        Households still to visit in the beat that did not fit tonight.
    unreachable : pandas.DataFrame
        Households that cannot be reached on the network (reported, never planned).
    network : BeatNetwork
    """

    officer_id: int
    beat_id: int
    officer_name: str
    beat_name: str
    date: dt.date
    settings: EveningSettings
    stops: pd.DataFrame
    households: pd.DataFrame
    legs: list[Leg]
    start_xy: np.ndarray
    total_walk_m: float
    walk_min: float
    service_min: float
    back_at: pd.Timestamp
    left_unplanned: int
    unreachable: pd.DataFrame
    network: BeatNetwork
    crs: Any = None

    @property
    def path(self) -> LineString | None:
        """The whole round as one line (UTM), None when nothing is planned."""
        coords = [shapely.get_coordinates(g.geometry) for g in self.legs if g.geometry is not None]
        if not coords:
            return None
        pts = np.concatenate(coords)
        keep = np.r_[True, np.any(np.abs(np.diff(pts, axis=0)) > 1e-9, axis=1)]
        return LineString(pts[keep]) if keep.sum() >= 2 else None

    def path_gdf(self) -> gpd.GeoDataFrame:
        """The legs as lines in WGS-84 (``leg``: 1 = office -> stop 1, ..., ``length_m``)."""
        rows = [
            (i + 1, g.length, g.geometry) for i, g in enumerate(self.legs) if g.geometry is not None
        ]
        gdf = gpd.GeoDataFrame(
            {"leg": [r[0] for r in rows], "length_m": [r[1] for r in rows]},
            geometry=[r[2] for r in rows],
            crs=self.crs,
        )
        return gdf.to_crs(WGS84)

    def stops_gdf(self) -> gpd.GeoDataFrame:
        """The stops as points in WGS-84 (door positions), with the office as ``stop`` 0."""
        office = pd.DataFrame(
            {
                "stop": [0],
                "n_households": [0],
                "address": ["警务室"],
                "arrive": [pd.NaT],
                "x": [self.start_xy[0]],
                "y": [self.start_xy[1]],
            }
        )
        df = pd.concat([office, self.stops[office.columns]], ignore_index=True)
        return gpd.GeoDataFrame(
            df.drop(columns=["x", "y"]),
            geometry=shapely.points(df[["x", "y"]].to_numpy(dtype=float)),
            crs=self.crs,
        ).to_crs(WGS84)

    def summary(self, lang: str = "zh") -> str:
        """One line: households, stops, walk, back at."""
        n_h, n_s = len(self.households), len(self.stops)
        km = self.total_walk_m / 1000
        if lang == "en":
            return (
                f"{n_h} households at {n_s} stops; walk {km:.1f} km ({self.walk_min:.0f} min), "
                f"visits {self.service_min:.0f} min; back at {self.back_at:%H:%M}"
            )
        return (
            f"{n_s}站{n_h}户；步行{km:.1f}公里（{self.walk_min:.0f}分钟），走访{self.service_min:.0f}"
            f"分钟；{self.back_at:%H:%M}回到警务室"
        )


def plan_evening(
    area: Any,
    tables: Mapping[str, pd.DataFrame],
    *,
    officer: int,
    date: Any,
    settings: EveningSettings | None = None,
    start_point: tuple[float, float] | None = None,
    network: BeatNetwork | None = None,
) -> EveningPlan:
    """Plan tonight's walking route of one community officer.

    Parameters
    ----------
    area : geo.network.Area
        The OSM area (walking graph, estates) in UTM.
    tables : mapping of str to DataFrame
        The store's ``beats``, ``officers``, ``households`` and ``visits`` tables (WGS-84).
    officer : int
        Officer id; the route covers the officer's beat.
    date : date-like
        The evening. Visits recorded up to the end of its window count.
    settings : EveningSettings, optional
        Window, service time, speed, weights, search time, seed.
    start_point : (lon, lat), optional
        Start and end somewhere other than the beat's community police office.
    network : BeatNetwork, optional
        The beat's network when already built (saves about a second).

    Returns
    -------
    EveningPlan

    Raises
    ------
    NotFoundError
        Unknown officer or beat.
    InputError
        No households left to visit, none reachable, a window too short for a single visit, an
        officer without a beat or a beat without an office point, a bad date.
    """
    settings = settings or EveningSettings()
    off, beat = officer_beat(tables, officer)
    cutoff = _evening_start(date, settings)
    prob = _prepare(
        area,
        tables,
        beat,
        cutoff=cutoff,
        settings=settings,
        start_point=start_point,
        network=network,
    )
    pool = np.arange(len(prob.households))
    rnd = _split_first(
        prob,
        pool,
        settings.window_s,
        seed=settings.seed,
        time_limit_s=settings.time_limit_s,
    )
    rnd = _best_direction(prob, rnd, cutoff)
    n_planned = sum(int(m.size) for m in rnd.members)
    return _build_plan(
        prob,
        rnd,
        off,
        beat,
        cutoff,
        left=len(prob.households) - n_planned,
        crs=area.crs,
    )


def _arrivals(
    prob: _Problem, rnd: _Round, cutoff: pd.Timestamp
) -> tuple[list[np.ndarray], np.ndarray]:
    """Arrival time (s after the start) of each household and of each place."""
    s = prob.settings
    t = 0.0
    prev = 0
    per_h: list[np.ndarray] = []
    per_place = []
    for d, m in zip(rnd.doors, rnd.members, strict=True):
        t += prob.dist[prev, d + 1] / s.speed_ms
        per_place.append(t)
        per_h.append(t + np.arange(m.size) * s.service_s)
        t += m.size * s.service_s
        prev = d + 1
    return per_h, np.asarray(per_place)


def _same_hour(prob: _Problem, rnd: _Round, cutoff: pd.Timestamp) -> list[np.ndarray]:
    hh = prob.households
    last = pd.to_datetime(hh["last_attempt_at"]).to_numpy()
    not_home = (hh["last_outcome"].astype(str) == "not_home").to_numpy()
    last_hour = np.where(not_home, pd.DatetimeIndex(last).hour.to_numpy(dtype=float), np.nan)
    per_h, _ = _arrivals(prob, rnd, cutoff)
    out = []
    for m, arr in zip(rnd.members, per_h, strict=True):
        hours = (cutoff + pd.to_timedelta(arr, unit="s")).hour.to_numpy(dtype=float)
        out.append(hours == last_hour[m])
    return out


def _best_direction(prob: _Problem, rnd: _Round, cutoff: pd.Timestamp) -> _Round:
    """Walk the round the way that puts fewer "not home last time" households in that hour."""
    if len(rnd.doors) < 2:
        return rnd
    fwd = sum(int(x.sum()) for x in _same_hour(prob, rnd, cutoff))
    if fwd == 0:
        return rnd
    rev = _Round(rnd.doors[::-1], rnd.members[::-1], 0.0, 0.0)
    rev.travel_m, rev.total_s = _round_times(prob, rev.doors, rev.members)
    if rev.total_s > prob.settings.window_s + 1e-6:
        return rnd
    back = sum(int(x.sum()) for x in _same_hour(prob, rev, cutoff))
    return rev if back < fwd else rnd


def _build_plan(
    prob: _Problem,
    rnd: _Round,
    off: pd.Series,
    beat: pd.Series,
    cutoff: pd.Timestamp,
    *,
    left: int,
    crs: Any,
) -> EveningPlan:
    s = prob.settings
    hh = prob.households
    per_h, per_place = _arrivals(prob, rnd, cutoff)
    same = _same_hour(prob, rnd, cutoff)
    seq = [0, *[d + 1 for d in rnd.doors], 0]
    legs = _legs(prob.net, prob.snapped, seq)
    to_wgs = gpd.GeoSeries(shapely.points(prob.door_xy), crs=crs).to_crs(WGS84)
    lon, lat = to_wgs.x.to_numpy(), to_wgs.y.to_numpy()
    stop_rows = []
    hh_rows = []
    for k, (d, m) in enumerate(zip(rnd.doors, rnd.members, strict=True)):
        arrive = (cutoff + pd.to_timedelta(per_place[k], unit="s")).round("s")
        first = hh.iloc[int(m[0])]
        place = _place_label(hh["address"].iloc[m].astype(str).tolist())
        notes_zh, notes_en = [], []
        for j, (row, t_h, sh) in enumerate(zip(m, per_h[k], same[k], strict=True)):
            h = hh.iloc[int(row)]
            if sh:
                last = pd.Timestamp(h["last_attempt_at"])
                notes_zh.append(f"{_short(h)}上次{last.hour}点不在家")
                notes_en.append(f"{_short(h)} not home at {last.hour}:00 last time")
            hh_rows.append(
                {
                    "stop": k + 1,
                    "order": j + 1,
                    "household_id": int(h["id"]),
                    "address": h["address"],
                    "building": h.get("building"),
                    "unit": h.get("unit"),
                    "room": h.get("room"),
                    "estate": h.get("estate"),
                    "rental": bool(h.get("rental")) if pd.notna(h.get("rental")) else False,
                    "lodgers": int(h["lodgers"]) if pd.notna(h.get("lodgers")) else 0,
                    "status": h["status"],
                    "last_outcome": h["last_outcome"],
                    "last_attempt_at": h["last_attempt_at"],
                    "arrive": (cutoff + pd.to_timedelta(float(t_h), unit="s")).round("s"),
                    "prize": float(h["prize"]),
                    "same_hour": bool(sh),
                    "contact_name": h.get("contact_name"),
                    "contact_phone": h.get("contact_phone"),
                }
            )
        stop_rows.append(
            {
                "stop": k + 1,
                "door": d,
                "n_households": int(m.size),
                "address": place,
                "estate": first.get("estate") or "",
                "arrive": arrive,
                "depart": arrive + pd.to_timedelta(m.size * s.service_s, unit="s"),
                "walk_m": float(prob.dist[seq[k], seq[k + 1]]),
                "x": prob.door_xy[d, 0],
                "y": prob.door_xy[d, 1],
                "lon": lon[d],
                "lat": lat[d],
                "note_zh": "；".join(notes_zh),
                "note_en": "; ".join(notes_en),
            }
        )
    stops = pd.DataFrame(
        stop_rows,
        columns=[
            "stop", "door", "n_households", "address", "estate", "arrive", "depart", "walk_m",
            "x", "y", "lon", "lat", "note_zh", "note_en",
        ],
    )  # fmt: skip
    households = pd.DataFrame(hh_rows)
    travel_m = rnd.travel_m
    walk_min = travel_m / s.speed_ms / 60
    service_min = sum(int(m.size) for m in rnd.members) * s.service_min
    back = (cutoff + pd.to_timedelta(rnd.total_s, unit="s")).round("s")
    return EveningPlan(
        officer_id=int(off["id"]),
        beat_id=int(beat["id"]),
        officer_name=str(off.get("name") or ""),
        beat_name=str(beat.get("name") or ""),
        date=cutoff.date(),
        settings=s,
        stops=stops,
        households=households,
        legs=legs,
        start_xy=prob.start_xy,
        total_walk_m=travel_m,
        walk_min=walk_min,
        service_min=service_min,
        back_at=back,
        left_unplanned=left,
        unreachable=prob.unreachable,
        network=prob.net,
        crs=crs,
    )


def _place_label(addresses: list[str]) -> str:
    """The common part of a stop's addresses: "府学小区3号楼1单元" for its flats."""
    if len(set(addresses)) == 1:
        return addresses[0]
    prefix = os.path.commonprefix(addresses).rstrip(" 0123456789-")
    return prefix or addresses[0]


def _short(h: pd.Series) -> str:
    """A short label of a household within its stop: room, else unit, else address."""
    for col in ("room", "unit"):
        v = h.get(col)
        if v is not None and pd.notna(v) and str(v):
            return f"{v}室" if col == "room" else f"{v}单元"
    return str(h["address"])


# --------------------------------------------------------------------------------------------
# the campaign


@dataclass
class Evening:
    """One evening of a campaign plan: its date and households, in visiting order."""

    number: int
    date: dt.date
    household_ids: list[int]
    n_stops: int
    walk_m: float
    total_min: float


@dataclass
class CampaignPlan:
    """All remaining households of a beat split into evening rounds.

    Attributes
    ----------
    evenings : list of Evening
    available : int
        Evenings from the first date to the target date (inclusive) on the working weekdays.
    holds : bool
        Whether the last evening falls on or before the target date.
    finish_date : datetime.date or None
        Date of the last evening.
    unreachable : pandas.DataFrame
        Households no route can reach.
    """

    beat_id: int
    start_date: dt.date
    target_date: dt.date
    evenings: list[Evening]
    available: int
    holds: bool
    finish_date: dt.date | None
    unreachable: pd.DataFrame
    settings: EveningSettings

    @property
    def needed(self) -> int:
        """Number of evenings the remaining households need."""
        return len(self.evenings)

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """One row per evening for display."""
        en = lang == "en"
        return pd.DataFrame(
            {
                ("evening" if en else "晚次"): [e.number for e in self.evenings],
                ("date" if en else "日期"): [e.date for e in self.evenings],
                ("households" if en else "户数"): [len(e.household_ids) for e in self.evenings],
                ("stops" if en else "站数"): [e.n_stops for e in self.evenings],
                ("walk km" if en else "步行公里"): [
                    round(e.walk_m / 1000, 2) for e in self.evenings
                ],
                ("minutes" if en else "用时分钟"): [round(e.total_min) for e in self.evenings],
            }
        )

    def summary(self, lang: str = "zh") -> str:
        """Evenings needed, available and whether the target date holds."""
        n = sum(len(e.household_ids) for e in self.evenings)
        fin = f"{self.finish_date:%Y-%m-%d}" if self.finish_date else "-"
        if lang == "en":
            verdict = "the target date holds" if self.holds else "the target date does NOT hold"
            return (
                f"{n} households in {self.needed} evenings (last {fin}); "
                f"{self.available} evenings until {self.target_date:%Y-%m-%d}: {verdict}"
            )
        verdict = "可按期完成" if self.holds else "不能按期完成"
        return (
            f"剩余{n}户需{self.needed}个晚上（最后一晚 {fin}）；至{self.target_date:%Y-%m-%d}"
            f"共有{self.available}个晚上：{verdict}"
        )


def _working_days(start: dt.date, weekdays: Sequence[int]) -> Any:
    day = start
    while True:
        if day.weekday() in weekdays:
            yield day
        day += dt.timedelta(days=1)


def plan_campaign(
    area: Any,
    tables: Mapping[str, pd.DataFrame],
    *,
    officer: int,
    start_date: Any,
    target_date: Any,
    settings: EveningSettings | None = None,
    weekdays: Sequence[int] = (0, 1, 2, 3, 4, 5, 6),
    time_per_evening_s: float = 0.3,
    network: BeatNetwork | None = None,
) -> CampaignPlan:
    """Split all of the officer's beat's remaining households into evening rounds.

    Each evening is a prize-collecting round within the window where every household counts
    the same (the weights only break ties), so every evening takes as many households as fit
    with compact walking; the rounds are then rebalanced: the plan is solved again with a
    shorter budget, the average work per evening, while that needs no extra evening.

    Parameters
    ----------
    area, tables, officer, settings, network
        As for :func:`plan_evening`.
    start_date, target_date : date-like
        First evening and the date the beat must be finished by.
    weekdays : sequence of int, optional
        Working weekdays (Monday = 0); every day by default, as the campaign's officers work
        16:00-20:00 daily.
    time_per_evening_s : float, optional
        Search time per evening round.

    Returns
    -------
    CampaignPlan
    """
    settings = settings or EveningSettings()
    off, beat = officer_beat(tables, officer)
    try:
        first = pd.Timestamp(start_date).date()
        target = pd.Timestamp(target_date).date()
    except (TypeError, ValueError):
        raise InputError(
            f"start_date and target_date must be dates such as 2026-04-12, got {start_date!r}, "
            f"{target_date!r}"
        ) from None
    if target < first:
        raise InputError(f"the target date {target} is before the first evening {first}")
    wd = sorted({int(w) for w in weekdays})
    if not wd or any(w < 0 or w > 6 for w in wd):
        raise InputError(f"weekdays must be numbers 0 (Monday) to 6 (Sunday), got {weekdays!r}")
    cutoff = _evening_start(first, settings)
    # every remaining household is worth the same (plus a small tie-break by priority)
    flat = settings.with_(
        weight_never=settings.weight_never and 1000.0 + settings.weight_never,
        weight_not_home=settings.weight_not_home and 1000.0 + settings.weight_not_home,
        weight_refused=settings.weight_refused and 1000.0 + settings.weight_refused,
    )
    prob = _prepare(
        area, tables, beat, cutoff=cutoff, settings=flat, start_point=None, network=network
    )
    budget = settings.window_s
    rounds = _sequential(prob, budget, settings.seed, time_per_evening_s)
    if len(rounds) > 1:
        used = sum(r.total_s for r in rounds)
        for factor in (1.0, 1.03, 1.06):
            b2 = min(budget, used / len(rounds) * factor)
            if b2 >= budget - 1:
                break
            try:
                again = _sequential(
                    prob, b2, settings.seed, time_per_evening_s, max_rounds=len(rounds)
                )
            except InputError:
                continue
            if again is not None:
                rounds = again
                break
    days = _working_days(first, wd)
    evenings = []
    for i, r in enumerate(rounds):
        day = next(days)
        ids = [int(prob.households["id"].iloc[int(j)]) for m in r.members for j in m]
        evenings.append(Evening(i + 1, day, ids, len(r.doors), r.travel_m, r.total_s / 60))
    available = 0
    day = first
    while day <= target:
        available += day.weekday() in wd
        day += dt.timedelta(days=1)
    finish = evenings[-1].date if evenings else None
    return CampaignPlan(
        beat_id=int(beat["id"]),
        start_date=first,
        target_date=target,
        evenings=evenings,
        available=available,
        holds=finish is not None and finish <= target,
        finish_date=finish,
        unreachable=prob.unreachable,
        settings=settings,
    )


def _sequential(
    prob: _Problem,
    budget: float,
    seed: int,
    time_limit_s: float,
    *,
    max_rounds: int | None = None,
) -> list[_Round] | None:
    """Rounds taken one after another until every household is in one (None: over max)."""
    left = np.arange(len(prob.households))
    rounds: list[_Round] = []
    while left.size:
        if max_rounds is not None and len(rounds) >= max_rounds:
            return None
        rnd = _split_first(prob, left, budget, seed=seed + len(rounds), time_limit_s=time_limit_s)
        done = np.concatenate(rnd.members) if rnd.members else np.empty(0, np.int64)
        if done.size == 0:  # nothing fits any more (cannot happen after the checks above)
            raise InputError("some households cannot be fitted into any evening")
        rounds.append(rnd)
        left = np.setdiff1d(left, done)
    return rounds


# --------------------------------------------------------------------------------------------
# recording what happened at the door

#: visit fields an officer ticks at the door
TICK_FIELDS = (
    "card_given",
    "register_updated",
    "rental_letter_signed",
    "camera_leaflet_given",
    "camera_install_accepted",
)


# one write path for a visit lives with the store: geo.visits
from geo.visits import record_visit  # noqa: E402
