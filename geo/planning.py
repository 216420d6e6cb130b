"""The planner's workflow: where the next K camera/recorder units (摄录一体机) do the most good.

Community officers promote household units, above all among rental houses (出租房). This module
turns the workspace's tables and OSM area into everything the Cameras page shows; the siting
core (coverage along the walking network, the choice of sites) is :mod:`geo.cameras`.

Steps of :func:`plan_cameras`, all in the area's metric CRS (UTM):

1. **Demand** (:func:`build_demand`): households (base weight, rentals multiplied, plus a weight
   per lodger), incidents (a weight per category, halved every ``half_life_days`` before the
   reference day) and, optionally, building entrances.
2. **Existing coverage**: the active installed units, each with the radius of its kind
   (:data:`DEFAULT_RADII`) and optionally its field of view; the street pieces they cover
   (:func:`geo.cameras.covered_streets`) and the demand they cover.
3. **Candidates** (:func:`build_candidates`): rental houses without a unit, shops, building
   entrances, street intersections (selectable).
4. **Siting**: ``k`` new sites maximising the newly covered weighted demand, optionally at most
   ``per_beat`` new sites per beat (:func:`geo.cameras.max_coverage`).
5. **Results**: the ranked sites with address, beat, the community officer to make the
   promotion, gain and cumulative share; coverage before and after per beat; street gaps.

Exports (:func:`promotion_list`, :func:`plan_xlsx_bytes`, :func:`plan_csv_bytes`,
:func:`promotion_sheets_html`) mask personal data (names, phone numbers) unless allowed.

Coverage radii (metres along the walking network, see :data:`DEFAULT_RADII`): a camera/recorder
unit on a door sees the lane outside it, about 40 m each way; a video doorbell only the doorstep
(15 m); a shop's or estate's CCTV camera about 60 m; public video surveillance on a pole about
80 m. They are defaults for planning, not measurements: set them to what the units installed
here really see.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError
from geo.cameras import (
    Method,
    SitingResult,
    coverage_matrix,
    covered_mask,
    covered_streets,
    max_coverage,
)
from geo.model import CAMERA_KINDS, INCIDENT_CATEGORIES, WGS84, mask_personal, relabel_columns
from geo.netdist import NetworkIndex, Snapped

__all__ = [
    "CANDIDATE_KINDS",
    "COLUMN_LABELS",
    "DEFAULT_CATEGORY_WEIGHTS",
    "DEFAULT_RADII",
    "DEMAND_SOURCES",
    "CameraPlan",
    "DemandWeights",
    "beat_shares_frame",
    "beat_table",
    "build_candidates",
    "build_demand",
    "building_entrances",
    "existing_units",
    "gap_table",
    "labelled",
    "plan_cameras",
    "plan_csv_bytes",
    "plan_effect",
    "plan_xlsx_bytes",
    "planning_frames",
    "promotion_list",
    "promotion_sheets_html",
    "street_intersections",
]

#: coverage radius (m along the walking network) per camera kind of :data:`geo.model.CAMERA_KINDS`
DEFAULT_RADII: Mapping[str, float] = {
    "recorder_unit": 40.0,
    "doorbell": 15.0,
    "cctv": 60.0,
    "public": 80.0,
}
#: candidate kinds: code -> (Chinese, English)
CANDIDATE_KINDS: Mapping[str, tuple[str, str]] = {
    "rental": ("出租房（未装）", "rental house without a unit"),
    "shop": ("商铺", "shop"),
    "entrance": ("楼门", "building entrance"),
    "intersection": ("路口", "street intersection"),
}
#: demand sources: code -> (Chinese, English)
DEMAND_SOURCES: Mapping[str, tuple[str, str]] = {
    "household": ("住户", "households"),
    "incident": ("警情", "incidents"),
    "entrance": ("楼门", "building entrances"),
}
#: weight of one incident per category (times :attr:`DemandWeights.incident`)
DEFAULT_CATEGORY_WEIGHTS: Mapping[str, float] = {
    "burglary": 3.0,
    "theft": 2.0,
    "fraud": 1.0,
    "dispute": 1.0,
    "noise": 0.5,
    "traffic": 0.5,
    "other": 1.0,
}
#: camera statuses that cover the street (offline, removed and planned units do not)
COVERING_STATUSES = ("active",)
#: amenity values counted as shops (their owner can be asked to install a unit)
SHOP_AMENITIES = frozenset(
    {
        "restaurant", "fast_food", "cafe", "bar", "pub", "pharmacy", "bank", "internet_cafe",
        "marketplace", "fuel", "car_wash", "ice_cream", "food_court", "bureau_de_change",
    }
)  # fmt: skip
#: export and table column labels: column -> (Chinese, English)
COLUMN_LABELS: Mapping[str, tuple[str, str]] = {
    "rank": ("序号", "rank"),
    "officer": ("推广民警", "officer to promote"),
    "officer_phone": ("民警电话", "officer phone"),
    "beat": ("警务区", "beat"),
    "beat_id": ("警务区编号", "beat id"),
    "label": ("地址/位置", "address / place"),
    "kind_label": ("类型", "kind"),
    "households_here": ("此处出租户", "rental households here"),
    "gain": ("新增覆盖（加权）", "gain (weighted)"),
    "gain_households": ("新增覆盖住户", "households newly covered"),
    "gain_incidents": ("新增覆盖警情", "incidents newly covered"),
    "covered_share": ("累计覆盖率", "cumulative covered share"),
    "contact_name": ("联系人", "contact"),
    "contact_phone": ("联系电话", "contact phone"),
    "lon": ("经度", "longitude"),
    "lat": ("纬度", "latitude"),
    "name": ("名称", "name"),
    "units": ("现有设备", "installed units"),
    "new_sites": ("新增点位", "new sites"),
    "households": ("户数", "households"),
    "hh_before": ("已覆盖住户（前）", "households covered (before)"),
    "hh_after": ("已覆盖住户（后）", "households covered (after)"),
    "hh_share_before": ("住户覆盖率（前）", "household share (before)"),
    "hh_share_after": ("住户覆盖率（后）", "household share (after)"),
    "incidents": ("警情数", "incidents"),
    "inc_before": ("已覆盖警情（前）", "incidents covered (before)"),
    "inc_after": ("已覆盖警情（后）", "incidents covered (after)"),
    "inc_share_before": ("警情覆盖率（前）", "incident share (before)"),
    "inc_share_after": ("警情覆盖率（后）", "incident share (after)"),
    "weight": ("需求（加权）", "demand (weighted)"),
    "share_before": ("加权覆盖率（前）", "weighted share (before)"),
    "share_after": ("加权覆盖率（后）", "weighted share (after)"),
    "low_share": ("覆盖偏低", "low coverage"),
    "street": ("街巷", "street"),
    "length": ("长度(米)", "length (m)"),
    "uncovered_weight": ("未覆盖需求（加权）", "uncovered demand (weighted)"),
    "uncovered_households": ("未覆盖住户", "households not covered"),
    "uncovered_incidents": ("未覆盖警情", "incidents not covered"),
    "uncovered_after": ("方案后仍未覆盖（加权）", "still uncovered after the plan (weighted)"),
}


def _label(table: Mapping[str, tuple[str, str]], code: object, lang: str) -> str:
    zh, en = table.get(str(code), (str(code), str(code)))
    return en if lang == "en" else zh


def labelled(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A copy of ``df`` with columns renamed by :data:`COLUMN_LABELS` in ``lang``."""
    return relabel_columns(df, COLUMN_LABELS, lang)


# --------------------------------------------------------------------------------------------
# demand


@dataclass(frozen=True)
class DemandWeights:
    """How much each demand point counts.

    Parameters
    ----------
    household : float
        Weight of one household.
    rental : float
        Multiplier of a rental house's weight (出租房).
    lodger : float
        Added per lodger / temporary resident (寄住人口) of a household.
    incident : float
        Multiplier of the category weights of incidents; 0 leaves incidents out.
    categories : mapping of str to float
        Weight per incident category (:data:`geo.model.INCIDENT_CATEGORIES`); categories left
        out weigh 0. Stored as a sorted tuple of pairs (hashable, for caches).
    half_life_days : float
        An incident's weight halves every this many days before the reference day
        (``inf``: no decay).
    entrance : float
        Weight of one building entrance (0: entrances are not demand).

    Examples
    --------
    >>> w = DemandWeights(rental=3.0, categories={"burglary": 4.0})
    >>> w.category_weight("burglary"), w.category_weight("noise")
    (4.0, 0.0)
    """

    household: float = 1.0
    rental: float = 2.0
    lodger: float = 0.5
    incident: float = 5.0
    categories: Any = field(default_factory=lambda: dict(DEFAULT_CATEGORY_WEIGHTS))
    half_life_days: float = 180.0
    entrance: float = 0.0

    def __post_init__(self) -> None:
        for name in ("household", "rental", "lodger", "incident", "entrance"):
            value = getattr(self, name)
            if not isinstance(value, int | float | np.number) or not np.isfinite(value):
                raise InputError(f"{name} weight must be a finite number, got {value!r}")
            if value < 0:
                raise InputError(f"{name} weight must be >= 0, got {value!r}")
            object.__setattr__(self, name, float(value))
        if not self.half_life_days > 0:
            raise InputError(
                f"half_life_days must be > 0 (inf for no decay), got {self.half_life_days!r}"
            )
        cats = dict(self.categories)
        bad = sorted(set(cats) - set(INCIDENT_CATEGORIES))
        if bad:
            raise InputError(
                f"unknown incident categories {bad}; allowed: {', '.join(INCIDENT_CATEGORIES)}"
            )
        for cat, value in cats.items():
            if not np.isfinite(value) or value < 0:
                raise InputError(f"weight of category {cat!r} must be >= 0, got {value!r}")
        object.__setattr__(
            self, "categories", tuple(sorted((str(c), float(v)) for c, v in cats.items()))
        )

    def category_weight(self, category: str) -> float:
        """Weight of one incident of ``category`` (before :attr:`incident` and decay)."""
        return dict(self.categories).get(category, 0.0)


def _metric(gdf: Any, crs: Any, what: str) -> gpd.GeoDataFrame:
    """``gdf`` as a GeoDataFrame in ``crs`` (a frame without a CRS is taken as WGS-84)."""
    if gdf is None:
        return gpd.GeoDataFrame({}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    if not isinstance(gdf, gpd.GeoDataFrame):
        if "geometry" not in gdf.columns:
            raise InputError(f"{what} needs a geometry column")
        gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=WGS84)
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    if gdf.crs.equals(crs):
        return gdf
    return gdf.to_crs(crs)


def _xy(gdf: gpd.GeoDataFrame) -> np.ndarray:
    geom = gdf.geometry.to_numpy()
    pts = np.where(shapely.get_type_id(geom) == 0, geom, shapely.point_on_surface(geom))
    return shapely.get_coordinates(pts).reshape(-1, 2) if len(pts) else np.empty((0, 2))


#: points outside every beat polygon (e.g. on the street between two beats) join the nearest
#: beat within this many metres
BEAT_SNAP_M = 30.0


def _beat_of(points: gpd.GeoDataFrame, beats: gpd.GeoDataFrame | None) -> pd.Series:
    """Beat id (Int64, <NA> outside every beat) of each point; beats in the same metric CRS.

    Beat borders run along streets, so a point on the street (an intersection, an incident)
    may lie in no polygon: it joins the nearest beat within :data:`BEAT_SNAP_M`.
    """
    out = pd.Series(pd.array([pd.NA] * len(points), dtype="Int64"), index=points.index)
    if beats is None or len(beats) == 0 or len(points) == 0:
        return out
    tree = shapely.STRtree(beats.geometry.to_numpy())
    p, b = tree.query(points.geometry.to_numpy(), predicate="intersects")
    ids = beats["id"].to_numpy()[b]
    order = np.lexsort((ids, p))  # the smallest id wins on shared borders
    p, ids = p[order], ids[order]
    first = np.r_[True, p[1:] != p[:-1]] if p.size else np.zeros(0, bool)
    values = out.to_numpy(dtype=object)
    values[p[first]] = ids[first]
    lost = np.flatnonzero(pd.isna(values))
    if lost.size:
        pi, bi = tree.query_nearest(
            points.geometry.to_numpy()[lost], max_distance=BEAT_SNAP_M, all_matches=False
        )
        values[lost[pi]] = beats["id"].to_numpy()[bi]
    return pd.Series(pd.array(values, dtype="Int64"), index=points.index)


def _household_weight(households: pd.DataFrame, weights: DemandWeights) -> np.ndarray:
    rental = (
        households["rental"].fillna(False).to_numpy(bool)
        if "rental" in households
        else np.zeros(len(households), bool)
    )
    lodgers = (
        pd.to_numeric(households["lodgers"], errors="coerce").fillna(0).to_numpy(float)
        if "lodgers" in households
        else np.zeros(len(households))
    )
    return weights.household * np.where(rental, weights.rental, 1.0) + weights.lodger * lodgers


def _incident_weight(
    incidents: pd.DataFrame, weights: DemandWeights, as_of: pd.Timestamp | None
) -> np.ndarray:
    if len(incidents) == 0:
        return np.zeros(0)
    cat = incidents["category"].astype(object).map(dict(weights.categories))
    w = weights.incident * cat.fillna(0.0).to_numpy(float)
    when = pd.to_datetime(incidents["occurred_at"])
    ref = when.max() if as_of is None else pd.Timestamp(as_of)
    if np.isfinite(weights.half_life_days) and pd.notna(ref):
        age = ((ref - when) / pd.Timedelta(days=1)).fillna(0.0).to_numpy(float)
        w = w * 0.5 ** (np.maximum(age, 0.0) / weights.half_life_days)
    return w


def building_entrances(buildings: gpd.GeoDataFrame, streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One entrance per building: the point of its outline nearest to the nearest street.

    OSM rarely maps entrances (``entrance=*``) in Chinese cities, so the door is taken to face
    the street closest to the building.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Polygons with ``osm_id`` and optionally ``name``, metric CRS.
    streets : geopandas.GeoDataFrame
        Street lines (e.g. :meth:`geo.network.Area.edges`) with ``name``, same CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        ``osm_id``, ``label`` (the building's name, else "<street> 旁楼门"), ``street``, points.
    """
    crs = buildings.crs
    if len(buildings) == 0 or len(streets) == 0:
        return gpd.GeoDataFrame(
            {"osm_id": [], "label": [], "street": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs
        )
    polys = buildings.geometry.to_numpy()
    lines = streets.geometry.to_numpy()
    tree = shapely.STRtree(lines)
    bi, si = tree.query_nearest(polys, all_matches=False)
    door = shapely.get_point(shapely.shortest_line(polys[bi], lines[si]), 0)
    street = (
        streets["name"].astype(str).to_numpy()[si] if "name" in streets else np.full(bi.size, "")
    )
    name = (
        buildings["name"].fillna("").astype(str).to_numpy()[bi]
        if "name" in buildings
        else np.full(bi.size, "")
    )
    label = np.where(
        name != "",
        name,
        np.char.add(np.where(street != "", street, "无名街巷").astype(str), "旁楼门"),
    )
    return gpd.GeoDataFrame(
        {
            "osm_id": buildings["osm_id"].astype(str).to_numpy()[bi]
            if "osm_id" in buildings
            else bi.astype(str),
            "label": label,
            "street": street,
        },
        geometry=door,
        crs=crs,
    )


def build_demand(
    *,
    households: pd.DataFrame | None,
    incidents: pd.DataFrame | None = None,
    entrances: gpd.GeoDataFrame | None = None,
    beats: pd.DataFrame | None = None,
    weights: DemandWeights = DemandWeights(),
    crs: Any,
    as_of: pd.Timestamp | str | None = None,
) -> gpd.GeoDataFrame:
    """Weighted demand points: households, incidents and (optionally) building entrances.

    Parameters
    ----------
    households : DataFrame
        ``id``, ``beat_id``, ``rental``, ``lodgers`` and a point geometry (WGS-84 when the
        frame has no CRS).
    incidents : DataFrame, optional
        ``id``, ``occurred_at``, ``category`` and a point geometry.
    entrances : geopandas.GeoDataFrame, optional
        :func:`building_entrances`; used only when ``weights.entrance > 0``.
    beats : DataFrame, optional
        Beat polygons with ``id``: incidents and entrances get the beat they lie in.
    weights : DemandWeights
    crs : CRS
        The metric CRS of the result (the network's).
    as_of : timestamp, optional
        Reference day of the incident decay (default the latest incident).

    Returns
    -------
    geopandas.GeoDataFrame
        ``source`` (:data:`DEMAND_SOURCES`), ``source_id``, ``beat_id`` (Int64), ``rental``,
        ``weight`` and points in ``crs``; rows of zero weight are kept (they never drive a
        choice).
    """
    parts: list[gpd.GeoDataFrame] = []
    beats_m = _metric(beats, crs, "beats") if beats is not None else None
    if households is not None and len(households):
        hh = _metric(households, crs, "households")
        beat = hh["beat_id"].astype("Int64") if "beat_id" in hh else _beat_of(hh, beats_m)
        parts.append(
            gpd.GeoDataFrame(
                {
                    "source": "household",
                    "source_id": hh["id"].astype(str).to_numpy()
                    if "id" in hh
                    else np.arange(len(hh)).astype(str),
                    "beat_id": beat.to_numpy(),
                    "rental": hh["rental"].fillna(False).to_numpy(bool)
                    if "rental" in hh
                    else False,
                    "weight": _household_weight(hh, weights),
                },
                geometry=hh.geometry.to_numpy(),
                crs=crs,
            )
        )
    if incidents is not None and len(incidents) and weights.incident > 0:
        inc = _metric(incidents, crs, "incidents")
        parts.append(
            gpd.GeoDataFrame(
                {
                    "source": "incident",
                    "source_id": inc["id"].astype(str).to_numpy()
                    if "id" in inc
                    else np.arange(len(inc)).astype(str),
                    "beat_id": _beat_of(inc, beats_m).to_numpy(),
                    "rental": False,
                    "weight": _incident_weight(inc, weights, as_of),
                },
                geometry=inc.geometry.to_numpy(),
                crs=crs,
            )
        )
    if entrances is not None and len(entrances) and weights.entrance > 0:
        ent = _metric(entrances, crs, "entrances")
        parts.append(
            gpd.GeoDataFrame(
                {
                    "source": "entrance",
                    "source_id": ent["osm_id"].astype(str).to_numpy(),
                    "beat_id": _beat_of(ent, beats_m).to_numpy(),
                    "rental": False,
                    "weight": weights.entrance,
                },
                geometry=ent.geometry.to_numpy(),
                crs=crs,
            )
        )
    if not parts:
        return gpd.GeoDataFrame(
            {
                "source": pd.Series([], dtype=object),
                "source_id": pd.Series([], dtype=object),
                "beat_id": pd.array([], dtype="Int64"),
                "rental": pd.Series([], dtype=bool),
                "weight": pd.Series([], dtype=float),
            },
            geometry=gpd.GeoSeries([], crs=crs),
            crs=crs,
        )
    out = pd.concat(parts, ignore_index=True)
    out["beat_id"] = out["beat_id"].astype("Int64")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs)


# --------------------------------------------------------------------------------------------
# candidates


def street_intersections(graph: Any, *, min_degree: int = 3) -> gpd.GeoDataFrame:
    """Street intersections: graph nodes where at least ``min_degree`` streets meet.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Walking network in a metric CRS (nodes ``x``, ``y``; edges ``name``).
    min_degree : int
        Distinct neighbouring nodes needed (both directions of a street count once).

    Returns
    -------
    geopandas.GeoDataFrame
        ``node``, ``degree``, ``label`` (the names of the streets that meet, e.g.
        "府学胡同 / 东公街 路口"; "无名街巷路口" when none is named), points.
    """
    crs = graph.graph.get("crs")
    rows = [(u, v, str(d.get("name") or "")) for u, v, d in graph.edges(data=True) if u != v]
    if not rows:
        return gpd.GeoDataFrame(
            {"node": [], "degree": [], "label": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs
        )
    e = pd.DataFrame(rows, columns=["u", "v", "name"])
    both = pd.concat(
        [
            e.rename(columns={"u": "node", "v": "other"}),
            e.rename(columns={"v": "node", "u": "other"}),
        ],
        ignore_index=True,
    )
    degree = both.drop_duplicates(["node", "other"]).groupby("node", sort=False).size()
    degree = degree[degree >= min_degree]
    names = (
        both[both["node"].isin(degree.index) & (both["name"] != "")]
        .drop_duplicates(["node", "name"])
        .groupby("node", sort=False)["name"]
        .agg(lambda s: " / ".join(sorted(s)[:3]))
    )
    nodes = list(degree.index)
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in nodes], dtype=float)
    street = pd.Series(nodes).map(names).fillna("").to_numpy(dtype=object)
    label = np.where(street != "", street + " 路口", "无名街巷路口")
    return gpd.GeoDataFrame(
        {"node": nodes, "degree": degree.to_numpy(), "label": label},
        geometry=shapely.points(xy.reshape(-1, 2)),
        crs=crs,
    )


def _empty_candidates(crs: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "kind": pd.Series([], dtype=object),
            "label": pd.Series([], dtype=object),
            "source_id": pd.Series([], dtype=object),
            "household_id": pd.array([], dtype="Int64"),
            "households_here": pd.Series([], dtype="int64"),
        },
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )


def _check_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(dict.fromkeys(kinds))
    bad = [k for k in kinds if k not in CANDIDATE_KINDS]
    if bad:
        raise InputError(f"unknown candidate kinds {bad}; allowed: {', '.join(CANDIDATE_KINDS)}")
    if not kinds:
        raise InputError(f"choose at least one candidate kind of {', '.join(CANDIDATE_KINDS)}")
    return kinds


def build_candidates(
    kinds: Iterable[str],
    *,
    crs: Any,
    households: pd.DataFrame | None = None,
    cameras: pd.DataFrame | None = None,
    pois: gpd.GeoDataFrame | None = None,
    entrances: gpd.GeoDataFrame | None = None,
    graph: Any = None,
    beats: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Candidate sites for new units, of the chosen kinds.

    Parameters
    ----------
    kinds : iterable of str
        Any of :data:`CANDIDATE_KINDS`: ``"rental"`` (rental houses without a unit; households
        at the same point, e.g. one apartment block, make one candidate labelled with the one
        with the most lodgers), ``"shop"`` (shops and commercial amenities of ``pois``),
        ``"entrance"`` (``entrances``), ``"intersection"`` (nodes of ``graph`` where three or
        more streets meet).
    crs : CRS
        Metric CRS of the result.
    households : DataFrame, optional
        ``id``, ``address``, ``rental``, ``lodgers``, point geometry (needed for ``"rental"``).
    cameras : DataFrame, optional
        ``household_id`` and ``status``: households with a unit that is not removed are not
        candidates.
    pois : geopandas.GeoDataFrame, optional
        ``kind``, ``value``, ``name`` (:attr:`geo.network.Area.pois`).
    entrances : geopandas.GeoDataFrame, optional
        :func:`building_entrances`.
    graph : networkx.MultiDiGraph, optional
        Walking network (for ``"intersection"``).
    beats : DataFrame, optional
        Beat polygons with ``id``: each candidate gets its ``beat_id``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kind``, ``label``, ``source_id``, ``household_id`` (Int64, rentals only),
        ``households_here`` (rentals at that point; 0 for other kinds), ``beat_id`` (Int64:
        a rental house's own, else the beat the point lies in), points in ``crs``.

    Raises
    ------
    InputError
        Unknown kinds (the message lists the allowed ones).
    """
    kinds = _check_kinds(kinds)
    parts: list[gpd.GeoDataFrame] = []
    if "rental" in kinds and households is not None and len(households):
        hh = _metric(households, crs, "households")
        rental = (
            hh["rental"].fillna(False).to_numpy(bool) if "rental" in hh else np.zeros(len(hh), bool)
        )
        has_unit = np.zeros(len(hh), bool)
        if cameras is not None and len(cameras) and "household_id" in cameras:
            live = cameras
            if "status" in cameras:
                live = cameras[(cameras["status"].astype(object) != "removed").to_numpy(bool)]
            owners = pd.to_numeric(live["household_id"], errors="coerce").dropna().astype("int64")
            has_unit = hh["id"].isin(set(owners)).to_numpy(bool)
        pick = hh[rental & ~has_unit]
        if len(pick):
            xy = np.round(_xy(pick), 1)
            lodgers = (
                pd.to_numeric(pick["lodgers"], errors="coerce").fillna(0).to_numpy()
                if "lodgers" in pick
                else np.zeros(len(pick))
            )
            frame = pd.DataFrame(
                {
                    "x": xy[:, 0],
                    "y": xy[:, 1],
                    "lodgers": lodgers,
                    "id": pick["id"].to_numpy(),
                    "address": pick["address"].astype(str).to_numpy()
                    if "address" in pick
                    else pick["id"].astype(str).to_numpy(),
                    "pos": np.arange(len(pick)),
                }
            )
            frame = frame.sort_values(
                ["x", "y", "lodgers", "id"], ascending=[True, True, False, True]
            )
            count = frame.groupby(["x", "y"], sort=False)["id"].transform("size")
            first = ~frame.duplicated(["x", "y"])
            top = frame[first.to_numpy()]
            top_count = count[first.to_numpy()].to_numpy()
            parts.append(
                gpd.GeoDataFrame(
                    {
                        "kind": "rental",
                        "label": top["address"].to_numpy(),
                        "source_id": top["id"].astype(str).to_numpy(),
                        "household_id": pd.array(top["id"].to_numpy(), dtype="Int64"),
                        "households_here": top_count.astype("int64"),
                        "beat_id": pd.array(
                            pick["beat_id"].to_numpy()[top["pos"].to_numpy()]
                            if "beat_id" in pick
                            else [pd.NA] * len(top),
                            dtype="Int64",
                        ),
                    },
                    geometry=pick.geometry.to_numpy()[top["pos"].to_numpy()],
                    crs=crs,
                )
            )
    if "shop" in kinds and pois is not None and len(pois):
        p = _metric(pois, crs, "pois")
        kind = p["kind"].astype(str) if "kind" in p else pd.Series("shop", index=p.index)
        value = p["value"].fillna("").astype(str) if "value" in p else pd.Series("", index=p.index)
        shop = (kind == "shop") | ((kind == "amenity") & value.isin(SHOP_AMENITIES))
        p = p[shop.to_numpy(bool)]
        if len(p):
            name = p["name"].fillna("").astype(str) if "name" in p else pd.Series("", index=p.index)
            val = value[p.index]
            parts.append(
                gpd.GeoDataFrame(
                    {
                        "kind": "shop",
                        "label": np.where(name != "", name, "商铺（" + val + "）"),
                        "source_id": p["osm_id"].astype(str).to_numpy()
                        if "osm_id" in p
                        else p.index.astype(str),
                        "household_id": pd.array([pd.NA] * len(p), dtype="Int64"),
                        "households_here": 0,
                    },
                    geometry=p.geometry.to_numpy(),
                    crs=crs,
                )
            )
    if "entrance" in kinds and entrances is not None and len(entrances):
        ent = _metric(entrances, crs, "entrances")
        parts.append(
            gpd.GeoDataFrame(
                {
                    "kind": "entrance",
                    "label": ent["label"].astype(str).to_numpy(),
                    "source_id": ent["osm_id"].astype(str).to_numpy(),
                    "household_id": pd.array([pd.NA] * len(ent), dtype="Int64"),
                    "households_here": 0,
                },
                geometry=ent.geometry.to_numpy(),
                crs=crs,
            )
        )
    if "intersection" in kinds and graph is not None:
        nodes = street_intersections(graph)
        if len(nodes):
            nodes = _metric(nodes, crs, "intersections")
            parts.append(
                gpd.GeoDataFrame(
                    {
                        "kind": "intersection",
                        "label": nodes["label"].to_numpy(),
                        "source_id": nodes["node"].astype(str).to_numpy(),
                        "household_id": pd.array([pd.NA] * len(nodes), dtype="Int64"),
                        "households_here": 0,
                    },
                    geometry=nodes.geometry.to_numpy(),
                    crs=crs,
                )
            )
    out = pd.concat(parts, ignore_index=True) if parts else _empty_candidates(crs)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=crs)
    out["households_here"] = out["households_here"].astype("int64")
    beats_m = _metric(beats, crs, "beats") if beats is not None else None
    known = (
        out["beat_id"].astype("Int64")
        if "beat_id" in out
        else pd.Series(pd.array([pd.NA] * len(out), dtype="Int64"), index=out.index)
    )
    missing = known.isna().to_numpy(bool)
    if missing.any():
        known[missing] = _beat_of(out[missing], beats_m).to_numpy()
    out["beat_id"] = known.astype("Int64").to_numpy()
    return out


# --------------------------------------------------------------------------------------------
# existing units


def _check_radii(
    radii: Mapping[str, float] | Iterable[tuple[str, float]] | None,
) -> dict[str, float]:
    out = dict(DEFAULT_RADII)
    if radii:
        radii = dict(radii)
        bad = sorted(set(radii) - set(CAMERA_KINDS))
        if bad:
            raise InputError(
                f"unknown camera kinds {bad} in radii; allowed: {', '.join(CAMERA_KINDS)}"
            )
        for kind, r in radii.items():
            if not np.isfinite(r) or r < 0:
                raise InputError(f"radius of {kind!r} must be a number >= 0, got {r!r}")
            out[kind] = float(r)
    return out


def existing_units(
    cameras: pd.DataFrame | None,
    *,
    crs: Any,
    radii: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
    beats: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Installed units that cover the street now, with the radius of their kind.

    Parameters
    ----------
    cameras : DataFrame
        :data:`geo.model` cameras: ``kind``, ``status``, ``facing``, ``fov`` and points. Only
        :data:`COVERING_STATUSES` (active) units count; a missing status counts as active.
    crs : CRS
        Metric CRS of the result.
    radii : mapping, optional
        Radius per kind, overriding :data:`DEFAULT_RADII`.
    beats : DataFrame, optional
        Beat polygons: each unit gets its ``beat_id``.

    Returns
    -------
    geopandas.GeoDataFrame
        The kept rows in ``crs`` with ``radius``, ``facing``, ``fov`` (NaN/360 when unknown)
        and ``beat_id``.
    """
    r = _check_radii(radii)
    cams = _metric(cameras, crs, "cameras")
    if len(cams) and "status" in cams:
        status = cams["status"].astype(object)
        cams = cams[(status.isna() | status.isin(COVERING_STATUSES)).to_numpy(bool)]
    cams = cams.copy()
    kind = (
        cams["kind"].astype(object)
        if "kind" in cams
        else pd.Series("recorder_unit", index=cams.index)
    )
    cams["radius"] = kind.map(r).fillna(r["recorder_unit"]).to_numpy(float)
    cams["facing"] = (
        pd.to_numeric(cams["facing"], errors="coerce").to_numpy(float)
        if "facing" in cams
        else np.nan
    )
    cams["fov"] = (
        pd.to_numeric(cams["fov"], errors="coerce").fillna(360.0).to_numpy(float)
        if "fov" in cams
        else 360.0
    )
    beats_m = _metric(beats, crs, "beats") if beats is not None else None
    cams["beat_id"] = _beat_of(cams, beats_m).to_numpy()
    return gpd.GeoDataFrame(cams, geometry="geometry", crs=crs)


# --------------------------------------------------------------------------------------------
# the plan


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
        :func:`geo.cameras.covered_streets` of the installed units and of the new sites.
    gaps : geopandas.GeoDataFrame
        Street edges with the most demand the installed units leave uncovered: ``edge``,
        ``street``, ``length``, ``uncovered_weight``, ``uncovered_households``,
        ``uncovered_incidents``, ``uncovered_after``.
    siting : geo.cameras.SitingResult
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


def _share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, float)
    den = np.asarray(den, float)
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def _first_rank(cover: Any, chosen: np.ndarray, before: np.ndarray) -> np.ndarray:
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
            table[f"{pre}_{when}"] = _share(table[f"{num}_{when}"], table[den])
            totals[f"{pre}_{when}"] = float(
                _share(np.array([totals[f"{num}_{when}"]]), np.array([totals[den]]))[0]
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


def plan_cameras(
    area: Any,
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
    polish_s: float = 1.0,
    max_snap_distance: float = 100.0,
    gap_count: int = 40,
    low_share: float = 0.3,
) -> CameraPlan:
    """Plan the next ``k`` unit promotions over a workspace's tables.

    Parameters
    ----------
    area : geo.network.Area
        The OSM area: ``crs`` (metric), ``graph``, ``buildings``, ``pois``, ``edges()``.
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
        See :func:`geo.cameras.max_coverage`.
    polish_s : float
        Time budget of ``"auto"`` after greedy+swap.
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
    """
    if new_kind not in CAMERA_KINDS:
        raise InputError(f"new_kind must be one of {', '.join(CAMERA_KINDS)}, got {new_kind!r}")
    kinds = _check_kinds(candidate_kinds)
    rad = _check_radii(radii)
    r_new = rad[new_kind] if radius is None else float(radius)
    if not np.isfinite(r_new) or r_new <= 0:
        raise InputError(f"radius must be a number > 0, got {radius!r}")
    if per_beat is not None and (isinstance(per_beat, bool) or int(per_beat) < 1):
        raise InputError(f"per_beat must be a whole number >= 1 or None, got {per_beat!r}")
    crs = area.crs
    index = NetworkIndex.from_graph(area.graph) if index is None else index
    beats = frames.get("beats")
    beats_m = _metric(beats, crs, "beats") if beats is not None and len(beats) else None
    streets = area.edges() if hasattr(area, "edges") else None
    need_entrances = weights.entrance > 0 or "entrance" in kinds
    entrances = (
        building_entrances(area.buildings.to_crs(crs), streets)
        if need_entrances and streets is not None and len(area.buildings)
        else None
    )

    households = frames.get("households")
    if households is not None and len(households):
        households = _metric(households, crs, "households")
    demand = build_demand(
        households=households,
        incidents=frames.get("incidents"),
        entrances=entrances,
        beats=beats_m,
        weights=weights,
        crs=crs,
        as_of=as_of,
    )
    dem_sn = index.snap(_xy(demand), max_distance=max_snap_distance)
    w = demand["weight"].to_numpy(float)

    units = existing_units(frames.get("cameras"), crs=crs, radii=rad, beats=beats_m)
    unit_sn = index.snap(_xy(units), max_distance=max_snap_distance)
    facing = units["facing"].to_numpy(float) if use_fov else None
    fov = units["fov"].to_numpy(float) if use_fov else None
    before = covered_mask(
        index, unit_sn, dem_sn, units["radius"].to_numpy(float), facing=facing, fov=fov
    )

    cands = build_candidates(
        kinds,
        crs=crs,
        households=households,
        cameras=frames.get("cameras"),
        pois=getattr(area, "pois", None),
        entrances=entrances,
        graph=area.graph,
        beats=beats_m,
    )
    if len(cands) == 0:
        labels = ", ".join(CANDIDATE_KINDS[c][1] for c in kinds)
        raise InputError(f"there are no candidate sites of the chosen kinds ({labels})")
    cand_sn = index.snap(_xy(cands), max_distance=max_snap_distance)
    cands["snapped"] = cand_sn.valid
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InputError(f"k must be a whole number >= 1, got {k!r}")
    k_asked = int(k)
    k = min(k_asked, len(cands))
    cover = coverage_matrix(index, cand_sn, dem_sn, r_new)
    groups = quota = None
    if per_beat is not None:
        codes = cands["beat_id"].fillna(-1).astype("int64").to_numpy()
        uniq, inv = np.unique(codes[codes >= 0], return_inverse=True)
        groups = np.full(len(cands), -1, np.int64)
        groups[codes >= 0] = inv
        quota = np.full(uniq.size, int(per_beat), np.int64)
    res = max_coverage(
        cover,
        w,
        k,
        existing=before,
        method=method,
        groups=groups,
        per_group=quota,
        polish_s=polish_s,
    )
    first = _first_rank(cover, res.chosen, before)
    after = before | (first > 0)
    demand = demand.assign(covered_before=before, covered_after=after, first_rank=first)

    src = demand["source"].to_numpy(object)
    n_chosen = res.chosen.size
    sites = cands.iloc[res.chosen].copy().reset_index(drop=True)
    sites.insert(0, "rank", np.arange(1, n_chosen + 1))
    sites["gain"] = np.bincount(first, weights=w, minlength=n_chosen + 1)[1:]
    sites["gain_households"] = np.bincount(first[src == "household"], minlength=n_chosen + 1)[1:]
    sites["gain_incidents"] = np.bincount(first[src == "incident"], minlength=n_chosen + 1)[1:]
    sites["cumulative_weight"] = res.base_weight + np.cumsum(sites["gain"].to_numpy(float))
    sites["covered_share"] = (
        sites["cumulative_weight"] / res.total_weight if res.total_weight > 0 else 0.0
    )
    beat_names = (
        dict(zip(beats["id"].astype("int64"), beats["name"].astype(str), strict=True))
        if beats is not None and len(beats)
        else {}
    )
    sites["beat"] = [beat_names.get(int(b), "") if pd.notna(b) else "" for b in sites["beat_id"]]
    sites = pd.concat([sites, _officers_for(sites, frames.get("officers"))], axis=1)
    hh_frame = frames.get("households")
    contact_name = pd.Series([""] * n_chosen, dtype=object)
    contact_phone = pd.Series([""] * n_chosen, dtype=object)
    if hh_frame is not None and len(hh_frame) and n_chosen:
        look = hh_frame.set_index("id")
        hid = sites["household_id"]
        for col, target in (("contact_name", contact_name), ("contact_phone", contact_phone)):
            if col in look:
                vals = hid.map(look[col]).astype(object)
                target[:] = vals.where(vals.notna(), "").astype(str).to_numpy()
    sites["contact_name"] = contact_name.to_numpy()
    sites["contact_phone"] = contact_phone.to_numpy()
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=crs)

    by_beat, totals = _by_beat(demand, before, after, beats, units, sites, low_share)
    totals.update(
        candidates=len(cands),
        candidates_snapped=int(cand_sn.valid.sum()),
        k=k_asked,
        k_used=int(k),
        chosen=int(n_chosen),
        units=len(units),
        demand_unsnapped=int((~dem_sn.valid).sum()),
        optimal=res.optimal,
        gap=res.gap,
        seconds=res.seconds,
    )
    streets_before = covered_streets(
        index, unit_sn, units["radius"].to_numpy(float), facing=facing, fov=fov
    )
    streets_new = covered_streets(index, cand_sn.take(res.chosen), r_new)
    streets_before["street"] = _edge_names(index, streets_before["edge"].to_numpy(), streets)
    streets_new["street"] = _edge_names(index, streets_new["edge"].to_numpy(), streets)
    totals["street_m_before"] = float(streets_before["length"].sum())
    totals["street_m_new"] = float(streets_new["length"].sum())
    gaps = _gaps(index, demand, dem_sn, before, after, top=gap_count, streets=streets)
    options = {
        "k": int(k),
        "radius": r_new,
        "radii": rad,
        "new_kind": new_kind,
        "weights": weights,
        "candidate_kinds": kinds,
        "per_beat": per_beat,
        "use_fov": use_fov,
        "as_of": None if as_of is None else pd.Timestamp(as_of),
        "method": method,
    }
    return CameraPlan(
        sites=sites,
        by_beat=by_beat,
        totals=totals,
        demand=demand,
        candidates=cands,
        existing=units,
        streets_before=streets_before,
        streets_new=streets_new,
        gaps=gaps,
        siting=res,
        options=options,
    )


def planning_frames(
    frames: Mapping[str, pd.DataFrame], filters: Any = None
) -> dict[str, pd.DataFrame]:
    """The tables :func:`plan_cameras` needs, narrowed by the sidebar's filters.

    Beats, officers, households and incidents follow :func:`geo.coverage.apply_filters`
    (station, beat, officer, household type); incidents are kept up to the end of the campaign
    window (their whole history before it: the weights decay with age) and ``as_of`` is that
    end. Cameras are *not* narrowed: every installed unit covers the street, also across a beat
    border or in front of a home of another type.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        The store's tables (at least ``beats``, ``officers``, ``households``, ``cameras``,
        ``incidents``).
    filters : geo.coverage.Filters, optional

    Returns
    -------
    dict
        The five tables, plus ``"as_of"`` (a Timestamp or None) under that key.
    """
    from geo.coverage import Filters, apply_filters, with_beat

    filters = Filters() if filters is None else filters
    names = ("beats", "officers", "households", "cameras", "incidents")
    picked = {n: frames[n] for n in names if n in frames}
    inc = picked.get("incidents")
    if inc is not None and "beat_id" not in inc.columns and picked.get("beats") is not None:
        picked["incidents"] = with_beat(inc, picked["beats"])
    out = apply_filters(picked, filters, dated=())
    out["cameras"] = frames.get("cameras")
    as_of = None
    inc = out.get("incidents")
    if filters.end is not None:
        as_of = pd.Timestamp(filters.end).normalize() + pd.Timedelta(days=1)
        if inc is not None and len(inc):
            when = pd.to_datetime(inc["occurred_at"])
            out["incidents"] = inc[(when < as_of).fillna(False).to_numpy(bool)]
    out["as_of"] = as_of
    return out


def plan_effect(
    frames: Mapping[str, pd.DataFrame],
    filters: Any = None,
    *,
    since: pd.Timestamp | str | None = None,
    until: pd.Timestamp | str | None = None,
    window_days: int = 60,
    min_installs: int = 3,
) -> Any:
    """Incidents before and after unit installs, beside comparable beats (difference in
    differences): :func:`geo.effect.install_effect` over the filtered beats.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        The store's tables (``beats``, ``households``, ``cameras``, ``incidents``).
    filters : geo.coverage.Filters, optional
        Station, beat, officer and household type narrow the beats; incidents keep their whole
        history.
    since, until : timestamp, optional
        Installs studied: default the campaign window of ``filters``, else the 180 days up to
        the last incident.
    window_days, min_installs : int
        See :func:`geo.effect.install_effect`.

    Returns
    -------
    geo.effect.EffectResult
        ``note`` holds the plain-language summary, with what it does not prove.
    """
    from geo.coverage import Filters, apply_filters, with_beat
    from geo.effect import install_effect

    filters = Filters() if filters is None else filters
    picked = {n: frames[n] for n in ("beats", "officers", "households", "cameras", "incidents")}
    for name in ("cameras", "incidents"):
        if "beat_id" not in picked[name].columns:
            picked[name] = with_beat(picked[name], picked["beats"])
    f = apply_filters(picked, filters, dated=())
    last = pd.to_datetime(f["incidents"]["occurred_at"]).max() if len(f["incidents"]) else None
    if until is None:
        until = filters.end if filters.end is not None else last
    if until is None or pd.isna(until):
        until = pd.Timestamp.now().normalize()
    if since is None:
        since = (
            filters.start
            if filters.start is not None
            else pd.Timestamp(until) - pd.Timedelta(days=180)
        )
    return install_effect(
        beats=f["beats"],
        households=f["households"],
        cameras=f["cameras"],
        incidents=f["incidents"],
        since=since,
        until=until,
        window_days=window_days,
        min_installs=min_installs,
    )


# --------------------------------------------------------------------------------------------
# exports

#: columns of the promotion list, in order
PROMOTION_COLUMNS = (
    "rank",
    "officer",
    "officer_phone",
    "beat",
    "label",
    "kind_label",
    "households_here",
    "contact_name",
    "contact_phone",
    "gain",
    "gain_households",
    "gain_incidents",
    "covered_share",
    "lon",
    "lat",
)
#: columns of the per-beat before/after table, in order
BEAT_COLUMNS = (
    "name",
    "units",
    "new_sites",
    "households",
    "hh_before",
    "hh_after",
    "hh_share_before",
    "hh_share_after",
    "incidents",
    "inc_before",
    "inc_after",
    "inc_share_before",
    "inc_share_after",
    "share_before",
    "share_after",
    "low_share",
)


def promotion_list(
    plan: CameraPlan, *, lang: str = "zh", allow_personal: bool = False, labels: bool = True
) -> pd.DataFrame:
    """The ranked sites as a table for the officers: address, beat, officer, gain.

    Parameters
    ----------
    plan : CameraPlan
    lang : {"zh", "en"}
        Language of the column labels and kind names.
    allow_personal : bool
        Show names and phone numbers in full (the user's role allows it); masked otherwise
        (:func:`geo.model.mask_personal`: 张**, 138******21).
    labels : bool
        Rename the columns to :data:`COLUMN_LABELS` in ``lang``.

    Returns
    -------
    DataFrame
        :data:`PROMOTION_COLUMNS`, one row per site in rank order; ``lon``/``lat`` WGS-84.
    """
    if lang not in ("zh", "en"):
        raise InputError(f"lang must be one of zh, en; got {lang!r}")
    s = plan.sites
    wgs = s.geometry.to_crs(WGS84) if len(s) else s.geometry
    out = pd.DataFrame(
        {
            "rank": s["rank"].to_numpy(),
            "officer": s["officer"].to_numpy(object),
            "officer_phone": s["officer_phone"].to_numpy(object),
            "beat": s["beat"].to_numpy(object),
            "label": s["label"].to_numpy(object),
            "kind_label": [_label(CANDIDATE_KINDS, k, lang) for k in s["kind"]],
            "households_here": s["households_here"].to_numpy(),
            "contact_name": s["contact_name"].to_numpy(object),
            "contact_phone": s["contact_phone"].to_numpy(object),
            "gain": s["gain"].to_numpy(float).round(2),
            "gain_households": s["gain_households"].to_numpy(),
            "gain_incidents": s["gain_incidents"].to_numpy(),
            "covered_share": s["covered_share"].to_numpy(float).round(4),
            "lon": np.round(wgs.x.to_numpy(), 6) if len(s) else [],
            "lat": np.round(wgs.y.to_numpy(), 6) if len(s) else [],
        }
    )
    if not allow_personal:
        out = mask_personal(out, "households")  # contact_name, contact_phone
        masked = mask_personal(
            out[["officer_phone"]].rename(columns={"officer_phone": "phone"}), "officers"
        )
        out["officer_phone"] = masked["phone"].to_numpy()
    for col in ("officer", "officer_phone", "contact_name", "contact_phone"):
        out[col] = out[col].fillna("")
    return labelled(out, lang) if labels else out


def beat_table(plan: CameraPlan, *, lang: str = "zh", labels: bool = True) -> pd.DataFrame:
    """Coverage before and after the plan, per beat (:data:`BEAT_COLUMNS`)."""
    out = plan.by_beat[list(BEAT_COLUMNS)].copy()
    for c in [c for c in out.columns if "share" in c and c != "low_share"]:
        out[c] = out[c].astype(float).round(4)
    return labelled(out, lang) if labels else out


def gap_table(plan: CameraPlan, *, lang: str = "zh", labels: bool = True) -> pd.DataFrame:
    """The street gaps as a plain table (no geometry)."""
    g = plan.gaps
    out = pd.DataFrame(
        {
            "street": [s or ("无名街巷" if lang != "en" else "unnamed lane") for s in g["street"]],
            "length": g["length"].to_numpy(),
            "uncovered_weight": g["uncovered_weight"].to_numpy(float).round(2),
            "uncovered_households": g["uncovered_households"].to_numpy(),
            "uncovered_incidents": g["uncovered_incidents"].to_numpy(),
            "uncovered_after": g["uncovered_after"].to_numpy(float).round(2),
        }
    )
    return labelled(out, lang) if labels else out


def beat_shares_frame(
    plan: CameraPlan, beats: pd.DataFrame, *, tolerance: float = 2.0
) -> gpd.GeoDataFrame:
    """Beat polygons with their covered shares before and after the plan, for the map.

    Parameters
    ----------
    plan : CameraPlan
    beats : DataFrame
        ``id``, ``name`` and polygons (WGS-84 when the frame has no CRS).
    tolerance : float
        Simplification in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        WGS-84: ``beat_id``, ``name``, ``share_before``, ``share_after``, ``hh_share_before``,
        ``hh_share_after``, ``low_share`` and the polygons.
    """
    from geo.coverage import simplify_wgs84

    cols = ["beat_id", "share_before", "share_after", "hh_share_before", "hh_share_after",
            "low_share"]  # fmt: skip
    frame = _metric(beats, WGS84, "beats")[["id", "name", "geometry"]]
    frame = frame.rename(columns={"id": "beat_id"}).merge(
        plan.by_beat[cols], on="beat_id", how="left"
    )
    frame["low_share"] = frame["low_share"].fillna(False).astype(bool)
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
    return simplify_wgs84(out, tolerance=tolerance)


def plan_xlsx_bytes(plan: CameraPlan, *, lang: str = "zh", allow_personal: bool = False) -> bytes:
    """The plan as one Excel workbook: the ranked list, per beat before/after, street gaps.

    Personal fields are masked unless ``allow_personal``.
    """
    from geo.coverage import to_xlsx_bytes

    en = lang == "en"
    return to_xlsx_bytes(
        {
            "promotion list" if en else "推广名单": promotion_list(
                plan, lang=lang, allow_personal=allow_personal
            ),
            "by beat" if en else "各警务区前后对比": beat_table(plan, lang=lang),
            "street gaps" if en else "覆盖缺口": gap_table(plan, lang=lang),
        }
    )


def plan_csv_bytes(plan: CameraPlan, *, lang: str = "zh", allow_personal: bool = False) -> bytes:
    """The ranked list as CSV (UTF-8 with BOM, opens in Excel); personal fields masked."""
    from geo.coverage import to_csv_bytes

    return to_csv_bytes(promotion_list(plan, lang=lang, allow_personal=allow_personal))


_PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
  "SimSun", sans-serif; font-size: 11pt; color: #000; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4mm 0; }
h2 { font-size: 14pt; margin: 0 0 2mm 0; }
.officer { page-break-after: always; break-after: page; }
.officer:last-child { page-break-after: auto; break-after: auto; }
.meta { font-size: 9.5pt; margin-bottom: 3mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
td.box { text-align: center; font-size: 13pt; white-space: nowrap; }
tr { page-break-inside: avoid; break-inside: avoid; }
.note { font-size: 9pt; margin-top: 3mm; }
@media screen { body { margin: 12mm; } .officer { border-bottom: 2px dashed #999;
  padding-bottom: 8mm; margin-bottom: 8mm; } }
"""


def promotion_sheets_html(
    plan: CameraPlan,
    *,
    lang: str = "zh",
    allow_personal: bool = False,
    title: str | None = None,
    generated: dt.date | None = None,
) -> str:
    """A printable promotion list per officer, as one HTML page (one printed page each).

    Each officer gets his sites in rank order with the address, the kind, the rental
    households there, the contact (masked unless ``allow_personal``), what the unit would add,
    and boxes to tick: promoted (已宣传), agreed (同意安装), installed (已安装). Plain HTML and
    CSS with system fonts: it prints from any browser with no internet.

    Parameters
    ----------
    plan : CameraPlan
    lang : {"zh", "en"}
    allow_personal : bool
        Print names and phone numbers in full.
    title : str, optional
        Heading of every sheet.
    generated : datetime.date, optional
        Date printed on the sheets (default today).

    Returns
    -------
    str
        A complete HTML document.
    """
    en = lang == "en"
    rows = promotion_list(plan, lang=lang, allow_personal=allow_personal, labels=False)
    title = title or ("Camera/recorder unit promotion list" if en else "摄录一体机推广名单")
    day = (generated or dt.date.today()).isoformat()
    esc = html.escape
    radius = float(plan.options.get("radius", DEFAULT_RADII["recorder_unit"]))
    head = (
        ["#", "Address / place", "Kind", "Rentals here", "Contact", "Adds (households / incidents)",
         "Promoted", "Agreed", "Installed", "Notes"]
        if en
        else ["序号", "地址/位置", "类型", "出租户", "联系人", "新增覆盖（住户/警情）",
              "已宣传", "同意安装", "已安装", "备注"]
    )  # fmt: skip
    unassigned = "(no community officer for this beat)" if en else "（该警务区无社区民警）"
    sections = []
    rows["officer_key"] = rows["officer"].where(rows["officer"] != "", unassigned)
    order = rows.groupby("officer_key", sort=False)["rank"].min().sort_values().index
    for officer in order:
        g = rows[rows["officer_key"] == officer]
        beats = " / ".join(dict.fromkeys(b for b in g["beat"] if b))
        phone = next((p for p in g["officer_phone"] if p), "")
        body = []
        for _, r in g.iterrows():
            contact = " ".join(x for x in (r["contact_name"], r["contact_phone"]) if x)
            here = str(int(r["households_here"])) if r["households_here"] else ""
            body.append(
                "<tr>"
                f'<td class="num">{int(r["rank"])}</td>'
                f"<td>{esc(str(r['label']))}</td>"
                f"<td>{esc(str(r['kind_label']))}</td>"
                f'<td class="num">{here}</td>'
                f"<td>{esc(contact)}</td>"
                f'<td class="num">{int(r["gain_households"])} / {int(r["gain_incidents"])}</td>'
                '<td class="box">☐</td><td class="box">☐</td><td class="box">☐</td>'
                '<td style="min-width:25mm"></td>'
                "</tr>"
            )
        who = esc(str(officer)) + (f"（{esc(phone)}）" if phone else "")
        meta = (
            f"Officer: {who} · Beat: {esc(beats)} · {len(g)} sites · {day}"
            if en
            else f"推广民警：{who} · 警务区：{esc(beats)} · 共 {len(g)} 处 · {day}"
        )
        sections.append(
            '<section class="officer">'
            f'<h1>{esc(title)}</h1><div class="meta">{meta}</div>'
            "<table><thead><tr>"
            + "".join(f"<th>{esc(h)}</th>" for h in head)
            + "</tr></thead><tbody>"
            + "".join(body)
            + "</tbody></table>"
            + '<div class="note">'
            + (
                f"Ranked by the coverage each unit adds along the street ({radius:.0f} m "
                "walking distance). Personal data: keep this sheet safe and destroy it after "
                "use."
                if en
                else f"按每台设备沿街新增的覆盖排序（沿步行路网 {radius:.0f} 米）。含个人信息，"
                "请妥善保管，用后销毁。"
            )
            + "</div></section>"
        )
    if not sections:
        sections.append(f"<p>{'No sites.' if en else '没有推广点位。'}</p>")
    return (
        f'<!DOCTYPE html><html lang="{"en" if en else "zh-CN"}"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{_PRINT_CSS}</style></head><body>"
        + "".join(sections)
        + "</body></html>"
    )
