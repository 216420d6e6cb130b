"""Demand: households, incidents and building entrances, each with a weight."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError
from geo.model import INCIDENT_CATEGORIES
from geo.planning._frames import beat_of, known_beat, metric_beats, to_metric

if TYPE_CHECKING:
    from pyproj import CRS

__all__ = [
    "DEFAULT_CATEGORY_WEIGHTS",
    "DEMAND_SOURCES",
    "DemandWeights",
    "build_demand",
    "building_entrances",
]

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
    categories: Mapping[str, float] | tuple[tuple[str, float], ...] = field(
        default_factory=lambda: dict(DEFAULT_CATEGORY_WEIGHTS)
    )
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


def _household_weight(households: pd.DataFrame, weights: DemandWeights) -> np.ndarray:
    rental = _flag(households, "rental")
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
    crs: CRS | str,
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
    beats_m = metric_beats(beats, crs)
    parts: list[gpd.GeoDataFrame] = []
    if households is not None and len(households):
        hh = to_metric(households, crs, "households")
        parts.append(
            _demand_part(
                "household",
                hh,
                _ids(hh, "id"),
                known_beat(hh, beats_m),
                _household_weight(hh, weights),
                rental=_flag(hh, "rental"),
            )
        )
    if incidents is not None and len(incidents) and weights.incident > 0:
        inc = to_metric(incidents, crs, "incidents")
        parts.append(
            _demand_part(
                "incident",
                inc,
                _ids(inc, "id"),
                known_beat(inc, beats_m),
                _incident_weight(inc, weights, as_of),
            )
        )
    if entrances is not None and len(entrances) and weights.entrance > 0:
        ent = to_metric(entrances, crs, "entrances")
        parts.append(
            _demand_part(
                "entrance",
                ent,
                _ids(ent, "osm_id"),
                beat_of(ent, beats_m),
                np.full(len(ent), weights.entrance),
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


def _ids(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The ``column`` ids as text, else the row numbers."""
    if column in frame:
        return frame[column].astype(str).to_numpy()
    return np.arange(len(frame)).astype(str)


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean column (missing values and a missing column: False)."""
    if column in frame:
        return frame[column].fillna(False).to_numpy(bool)
    return np.zeros(len(frame), bool)


def _demand_part(
    source: str,
    points: gpd.GeoDataFrame,
    ids: np.ndarray,
    beat: pd.Series,
    weight: np.ndarray,
    *,
    rental: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Demand rows of one source, in the columns of :func:`build_demand`."""
    return gpd.GeoDataFrame(
        {
            "source": source,
            "source_id": ids,
            "beat_id": beat.to_numpy(),
            "rental": np.zeros(len(points), bool) if rental is None else rental,
            "weight": np.asarray(weight, float),
        },
        geometry=points.geometry.to_numpy(),
        crs=points.crs,
    )
