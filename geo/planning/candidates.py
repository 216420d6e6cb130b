"""Candidate sites for new units: rental houses, shops, building entrances, intersections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError
from geo.planning._frames import beat_of, metric_beats, point_xy, to_metric

if TYPE_CHECKING:
    import networkx as nx
    from pyproj import CRS

__all__ = [
    "CANDIDATE_KINDS",
    "SHOP_AMENITIES",
    "build_candidates",
    "check_kinds",
    "street_intersections",
]

#: candidate kinds: code -> (Chinese, English)
CANDIDATE_KINDS: Mapping[str, tuple[str, str]] = {
    "rental": ("出租房（未装）", "rental house without a unit"),
    "shop": ("商铺", "shop"),
    "entrance": ("楼门", "building entrance"),
    "intersection": ("路口", "street intersection"),
}
#: amenity values counted as shops (their owner can be asked to install a unit)
SHOP_AMENITIES = frozenset(
    {
        "restaurant", "fast_food", "cafe", "bar", "pub", "pharmacy", "bank", "internet_cafe",
        "marketplace", "fuel", "car_wash", "ice_cream", "food_court", "bureau_de_change",
    }
)  # fmt: skip


def street_intersections(graph: nx.MultiDiGraph, *, min_degree: int = 3) -> gpd.GeoDataFrame:
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


def _empty_candidates(crs: CRS | str) -> gpd.GeoDataFrame:
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


def check_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
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
    crs: CRS | str,
    households: pd.DataFrame | None = None,
    cameras: pd.DataFrame | None = None,
    pois: gpd.GeoDataFrame | None = None,
    entrances: gpd.GeoDataFrame | None = None,
    graph: nx.MultiDiGraph | None = None,
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
    kinds = check_kinds(kinds)
    parts: list[gpd.GeoDataFrame] = []
    if "rental" in kinds and households is not None and len(households):
        parts.append(_rental_candidates(to_metric(households, crs, "households"), cameras))
    if "shop" in kinds and pois is not None and len(pois):
        parts.append(_shop_candidates(to_metric(pois, crs, "pois")))
    if "entrance" in kinds and entrances is not None and len(entrances):
        ent = to_metric(entrances, crs, "entrances")
        parts.append(
            _candidate_part("entrance", ent, ent["label"], ent["osm_id"].astype(str).to_numpy())
        )
    if "intersection" in kinds and graph is not None:
        nodes = street_intersections(graph)
        if len(nodes):
            nodes = to_metric(nodes, crs, "intersections")
            parts.append(
                _candidate_part(
                    "intersection", nodes, nodes["label"], nodes["node"].astype(str).to_numpy()
                )
            )
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else _empty_candidates(crs)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=crs)
    out["households_here"] = out["households_here"].astype("int64")
    out["beat_id"] = _fill_beats(out, metric_beats(beats, crs)).to_numpy()
    return out


def _candidate_part(
    kind: str,
    points: gpd.GeoDataFrame,
    label: pd.Series | np.ndarray,
    source_id: np.ndarray,
) -> gpd.GeoDataFrame:
    """Candidate rows of a kind that is not a household (no household id, no rentals here)."""
    return gpd.GeoDataFrame(
        {
            "kind": kind,
            "label": np.asarray(label, dtype=object),
            "source_id": source_id,
            "household_id": pd.array([pd.NA] * len(points), dtype="Int64"),
            "households_here": 0,
        },
        geometry=points.geometry.to_numpy(),
        crs=points.crs,
    )


def _households_with_unit(households: gpd.GeoDataFrame, cameras: pd.DataFrame | None) -> np.ndarray:
    """Households that have a unit which is not removed."""
    if cameras is None or len(cameras) == 0 or "household_id" not in cameras:
        return np.zeros(len(households), bool)
    live = cameras
    if "status" in cameras:
        live = cameras[(cameras["status"].astype(object) != "removed").to_numpy(bool)]
    owners = pd.to_numeric(live["household_id"], errors="coerce").dropna().astype("int64")
    return households["id"].isin(set(owners)).to_numpy(bool)


def _rental_candidates(hh: gpd.GeoDataFrame, cameras: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """Rental houses without a unit; households at one point make one candidate, labelled with
    the one with the most lodgers."""
    rental = (
        hh["rental"].fillna(False).to_numpy(bool) if "rental" in hh else np.zeros(len(hh), bool)
    )
    pick = hh[rental & ~_households_with_unit(hh, cameras)]
    if len(pick) == 0:
        return _empty_candidates(hh.crs)
    xy = np.round(point_xy(pick), 1)
    frame = pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "lodgers": pd.to_numeric(pick["lodgers"], errors="coerce").fillna(0).to_numpy()
            if "lodgers" in pick
            else np.zeros(len(pick)),
            "id": pick["id"].to_numpy(),
            "address": pick["address"].astype(str).to_numpy()
            if "address" in pick
            else pick["id"].astype(str).to_numpy(),
            "pos": np.arange(len(pick)),
        }
    ).sort_values(["x", "y", "lodgers", "id"], ascending=[True, True, False, True])
    count = frame.groupby(["x", "y"], sort=False)["id"].transform("size")
    first = (~frame.duplicated(["x", "y"])).to_numpy()
    top = frame[first]
    pos = top["pos"].to_numpy()
    return gpd.GeoDataFrame(
        {
            "kind": "rental",
            "label": top["address"].to_numpy(),
            "source_id": top["id"].astype(str).to_numpy(),
            "household_id": pd.array(top["id"].to_numpy(), dtype="Int64"),
            "households_here": count[first].to_numpy().astype("int64"),
            "beat_id": pd.array(
                pick["beat_id"].to_numpy()[pos] if "beat_id" in pick else [pd.NA] * len(top),
                dtype="Int64",
            ),
        },
        geometry=pick.geometry.to_numpy()[pos],
        crs=hh.crs,
    )


def _shop_candidates(p: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Shops and commercial amenities (:data:`SHOP_AMENITIES`) of the area's points of interest."""
    kind = p["kind"].astype(str) if "kind" in p else pd.Series("shop", index=p.index)
    value = p["value"].fillna("").astype(str) if "value" in p else pd.Series("", index=p.index)
    shop = (kind == "shop") | ((kind == "amenity") & value.isin(SHOP_AMENITIES))
    p = p[shop.to_numpy(bool)]
    name = p["name"].fillna("").astype(str) if "name" in p else pd.Series("", index=p.index)
    label = np.where(name != "", name, "商铺（" + value[p.index] + "）")
    ids = p["osm_id"].astype(str).to_numpy() if "osm_id" in p else p.index.astype(str)
    return _candidate_part("shop", p, label, np.asarray(ids))


def _fill_beats(out: gpd.GeoDataFrame, beats: gpd.GeoDataFrame | None) -> pd.Series:
    """A rental house's own beat, else the beat the candidate lies in."""
    known = (
        out["beat_id"].astype("Int64")
        if "beat_id" in out
        else pd.Series(pd.array([pd.NA] * len(out), dtype="Int64"), index=out.index)
    )
    missing = known.isna().to_numpy(bool)
    if missing.any():
        known[missing] = beat_of(out[missing], beats).to_numpy()
    return known.astype("Int64")
