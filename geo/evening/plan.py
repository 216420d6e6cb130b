"""Tonight's route of one officer: the search's round turned into stops, times, legs and notes."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely import LineString

from geo.evening.beat_network import BeatNetwork
from geo.evening.legs import Leg, network_legs
from geo.evening.problem import Problem, evening_start, officer_beat, prepare
from geo.evening.search import Round, round_times, solve_round
from geo.evening.settings import EveningSettings
from geo.i18n import Catalogue
from geo.model import WGS84

if TYPE_CHECKING:
    from geo.network import Area

__all__ = ["EveningPlan", "plan_evening"]

T = Catalogue(
    {
        "office": ("警务室", "police office"),
        "summary": (
            "{stops}站{households}户；步行{km:.1f}公里（{walk:.0f}分钟），走访{service:.0f}分钟；"
            "{back:%H:%M}回到警务室",
            "{households} households at {stops} stops; walk {km:.1f} km ({walk:.0f} min), "
            "visits {service:.0f} min; back at {back:%H:%M}",
        ),
        "timed_out": (
            "（计算机繁忙，搜索在时间上限处停止）",
            " (the machine was busy: the search stopped at its time cap)",
        ),
        "same_hour": ("{who}上次{hour}点不在家", "{who} not home at {hour}:00 last time"),
        "note_sep": ("；", "; "),
        "room": ("{v}室", "room {v}"),
        "unit": ("{v}单元", "unit {v}"),
    }
)
_STOP_COLUMNS = [
    "stop", "door", "n_households", "address", "estate", "arrive", "depart", "walk_m",
    "x", "y", "lon", "lat", "note_zh", "note_en",
]  # fmt: skip


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
    crs : pyproj.CRS or None
        The area's CRS (of ``start_xy``, ``x``/``y`` and the legs).
    timed_out : bool
        The search stopped at the safety time cap (``settings.time_limit_s``) instead of its
        work budget: the route is valid but may differ from the one a quiet machine gives.
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
    crs: pyproj.CRS | None = None
    timed_out: bool = False

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

    def stops_gdf(self, lang: str = "zh") -> gpd.GeoDataFrame:
        """The stops as points in WGS-84 (door positions), with the office as ``stop`` 0."""
        office = pd.DataFrame(
            {
                "stop": [0],
                "n_households": [0],
                "address": [T("office", lang)],
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
        """One line: households, stops, walk, back at (and whether the time cap bit)."""
        text = T(
            "summary",
            lang,
            households=len(self.households),
            stops=len(self.stops),
            km=self.total_walk_m / 1000,
            walk=self.walk_min,
            service=self.service_min,
            back=self.back_at,
        )
        return text + (T("timed_out", lang) if self.timed_out else "")


def plan_evening(
    area: Area,
    tables: Mapping[str, pd.DataFrame],
    *,
    officer: int,
    date: Any,
    settings: EveningSettings | None = None,
    start_point: tuple[float, float] | None = None,
    network: BeatNetwork | None = None,
) -> EveningPlan:
    """Plan tonight's walking route of one community officer.

    Steps: the officer's beat; the routing problem (households, doors, matrix); the most
    valuable round in the window; the direction of walking it; the plan's tables and legs.

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
        Window, service time, speed, weights, work budget, seed.
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
    cutoff = evening_start(date, settings)
    prob = prepare(
        area,
        tables,
        beat,
        cutoff=cutoff,
        settings=settings,
        start_point=start_point,
        network=network,
    )
    pool = np.arange(len(prob.households))
    rnd = solve_round(prob, pool, settings.window_s, seed=settings.seed)
    rnd = best_direction(prob, rnd, cutoff)
    return build_plan(prob, rnd, off, beat, cutoff, crs=area.crs)


def _arrivals(prob: Problem, rnd: Round) -> tuple[list[np.ndarray], np.ndarray]:
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


def _same_hour(prob: Problem, rnd: Round, cutoff: pd.Timestamp) -> list[np.ndarray]:
    """Per place, whether each household is planned in the clock hour it was not home last."""
    hh = prob.households
    last = pd.to_datetime(hh["last_attempt_at"]).to_numpy()
    not_home = (hh["last_outcome"].astype(str) == "not_home").to_numpy()
    last_hour = np.where(not_home, pd.DatetimeIndex(last).hour.to_numpy(dtype=float), np.nan)
    per_h, _ = _arrivals(prob, rnd)
    out = []
    for m, arr in zip(rnd.members, per_h, strict=True):
        hours = (cutoff + pd.to_timedelta(arr, unit="s")).hour.to_numpy(dtype=float)
        out.append(hours == last_hour[m])
    return out


def best_direction(prob: Problem, rnd: Round, cutoff: pd.Timestamp) -> Round:
    """Walk the round the way that puts fewer "not home last time" households in that hour."""
    if len(rnd.doors) < 2:
        return rnd
    fwd = sum(int(x.sum()) for x in _same_hour(prob, rnd, cutoff))
    if fwd == 0:
        return rnd
    rev = Round(rnd.doors[::-1], rnd.members[::-1], timed_out=rnd.timed_out)
    rev.travel_m, rev.total_s = round_times(prob, rev.doors, rev.members)
    if rev.total_s > prob.settings.window_s + 1e-6:
        return rnd
    back = sum(int(x.sum()) for x in _same_hour(prob, rev, cutoff))
    return rev if back < fwd else rnd


def build_plan(
    prob: Problem,
    rnd: Round,
    off: pd.Series,
    beat: pd.Series,
    cutoff: pd.Timestamp,
    *,
    crs: pyproj.CRS,
) -> EveningPlan:
    """The plan of a round: stop and household tables, legs on the network, totals."""
    s = prob.settings
    seq = [0, *[d + 1 for d in rnd.doors], 0]
    stops, households = _plan_tables(prob, rnd, cutoff, seq, crs)
    return EveningPlan(
        officer_id=int(off["id"]),
        beat_id=int(beat["id"]),
        officer_name=str(off.get("name") or ""),
        beat_name=str(beat.get("name") or ""),
        date=cutoff.date(),
        settings=s,
        stops=stops,
        households=households,
        legs=network_legs(prob.net, prob.snapped, seq),
        start_xy=prob.start_xy,
        total_walk_m=rnd.travel_m,
        walk_min=rnd.travel_m / s.speed_ms / 60,
        service_min=rnd.n_households * s.service_min,
        back_at=(cutoff + pd.to_timedelta(rnd.total_s, unit="s")).round("s"),
        left_unplanned=len(prob.households) - rnd.n_households,
        unreachable=prob.unreachable,
        network=prob.net,
        crs=crs,
        timed_out=rnd.timed_out,
    )


def _plan_tables(
    prob: Problem, rnd: Round, cutoff: pd.Timestamp, seq: list[int], crs: pyproj.CRS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per place and one per household, in walking order."""
    s = prob.settings
    hh = prob.households
    per_h, per_place = _arrivals(prob, rnd)
    same = _same_hour(prob, rnd, cutoff)
    to_wgs = gpd.GeoSeries(shapely.points(prob.door_xy), crs=crs).to_crs(WGS84)
    lon, lat = to_wgs.x.to_numpy(), to_wgs.y.to_numpy()
    stop_rows = []
    hh_rows = []
    for k, (d, m) in enumerate(zip(rnd.doors, rnd.members, strict=True)):
        arrive = (cutoff + pd.to_timedelta(per_place[k], unit="s")).round("s")
        notes: dict[str, list[str]] = {"zh": [], "en": []}
        for j, (row, t_h, sh) in enumerate(zip(m, per_h[k], same[k], strict=True)):
            h = hh.iloc[int(row)]
            if sh:
                hour = pd.Timestamp(h["last_attempt_at"]).hour
                for lang, out in notes.items():
                    out.append(T("same_hour", lang, who=_short(h, lang), hour=hour))
            hh_rows.append(_household_row(h, k + 1, j + 1, cutoff, float(t_h), bool(sh)))
        stop_rows.append(
            {
                "stop": k + 1,
                "door": d,
                "n_households": int(m.size),
                "address": _place_label(hh["address"].iloc[m].astype(str).tolist()),
                "estate": hh.iloc[int(m[0])].get("estate") or "",
                "arrive": arrive,
                "depart": arrive + pd.to_timedelta(m.size * s.service_s, unit="s"),
                "walk_m": float(prob.dist[seq[k], seq[k + 1]]),
                "x": prob.door_xy[d, 0],
                "y": prob.door_xy[d, 1],
                "lon": lon[d],
                "lat": lat[d],
                "note_zh": T("note_sep", "zh").join(notes["zh"]),
                "note_en": T("note_sep", "en").join(notes["en"]),
            }
        )
    return pd.DataFrame(stop_rows, columns=_STOP_COLUMNS), pd.DataFrame(hh_rows)


def _household_row(
    h: pd.Series, stop: int, order: int, cutoff: pd.Timestamp, arrive_s: float, same_hour: bool
) -> dict[str, Any]:
    return {
        "stop": stop,
        "order": order,
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
        "arrive": (cutoff + pd.to_timedelta(arrive_s, unit="s")).round("s"),
        "prize": float(h["prize"]),
        "same_hour": same_hour,
        "contact_name": h.get("contact_name"),
        "contact_phone": h.get("contact_phone"),
    }


def _place_label(addresses: list[str]) -> str:
    """The common part of a stop's addresses: "府学小区3号楼1单元" for its flats."""
    if len(set(addresses)) == 1:
        return addresses[0]
    prefix = os.path.commonprefix(addresses).rstrip(" 0123456789-")
    return prefix or addresses[0]


def _short(h: pd.Series, lang: str = "zh") -> str:
    """A short label of a household within its stop: room, else unit, else address."""
    for col in ("room", "unit"):
        v = h.get(col)
        if v is not None and pd.notna(v) and str(v):
            return T(col, lang, v=v)
    return str(h["address"])
