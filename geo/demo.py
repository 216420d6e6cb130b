"""The demo city: a believable workspace built over a real OSM area.

Every number comes from one seeded generator, so the same area and seed give the same city.
The rules (documented for administrators in the README):

* **Stations** — about one per 2 km² of the area (at least one).
* **Beats** — :func:`geo.partition.partition`, the same partitioning as a station's proposed
  beats: street blocks (the walking network polygonised with the area's edge) and the
  doors inside them grouped into beats of about ``households_per_beat`` households,
  contiguous along streets, estates and courtyards whole, the largest beat within 1.15 × the
  smallest; whole beats are then grouped into station areas. Every household lies inside its
  beat's polygon.
* **Households** — from residential buildings. A plain ``building=yes`` counts as residential
  unless its tags (shop, amenity, office, ...) or the land use under it say otherwise.
  Courtyard houses (``house``/``detached``/``terrace``/small low ``yes``) hold 3–8 households;
  apartment blocks hold floors × units × 2, floors from ``building:levels`` where tagged (else
  6 for apartments, 4 otherwise), units from the footprint. An area with no buildings gets lane
  houses of 2–6 households every ~18 m along its residential streets, and the report says so.
* **Rentals** — 20–30 % of households per beat, most with lodgers.
* **WeChat groups** — three buildings or courtyards in four have a group, joined by about
  55 % of their households.
* **Officers** — per beat one community officer (two for beats over 1,500 households), one or
  two auxiliary police, one or two grid workers, a security guard per estate, 0–3 volunteers.
* **Visits** — a campaign from 1 March to 30 June, 16:00–20:00, reaching about 74 % of
  households with a spread between officers; about one in six first attempts finds nobody home
  and is repeated later at another hour.
* **Cameras** — about 5 % of households own a unit, three times as often among rentals; OSM
  ``man_made=surveillance`` points are added as public cameras.
* **Incidents** — a year of incidents: a few hot spots, background spread over homes, night
  noise (20:00–02:00) near shops and restaurants.
* **Surveys** — 1.5 % of visited households, 1/3 on site and 2/3 by phone; 63 % know the
  officer, 31 % have the contact card, 6 % never met; 99.5 % satisfied.
* **Mediations** — each beat holds a weekly neighbour meeting on its own weekday; about
  one dispute per 400 households a week between two households of one building (water leaks,
  noise, pets, parking, boundaries), one pair in eight coming back; 4 in 5 settled, the rest
  referred or pending, settled ones followed up 1–2 weeks later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import model
from geo._errors import InputError
from geo.network import estate_of_points, residential_estates
from geo.partition import partition

RESIDENTIAL_BUILDINGS = {
    "residential", "apartments", "house", "detached", "dormitory", "terrace",
    "semidetached_house", "bungalow", "hut", "yes",
}  # fmt: skip
COURTYARD_BUILDINGS = {"house", "detached", "terrace", "semidetached_house", "bungalow", "hut"}
NON_RESIDENTIAL_LANDUSE = {
    "commercial", "retail", "industrial", "education", "military", "railway", "construction",
    "religious", "institutional",
}  # fmt: skip
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰德福文斌海峰瑞鹏辉飞宇浩"
)
CAMPAIGN_START = pd.Timestamp("2026-03-01")
CAMPAIGN_END = pd.Timestamp("2026-06-30")


@dataclass
class DemoReport:
    """What the demo generator built."""

    area: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    visited_share: float = 0.0
    rental_share: float = 0.0
    notes: list[str] = field(default_factory=list)

    def lines(self, lang: str = "zh") -> list[str]:
        """Human-readable summary lines (Simplified Chinese by default)."""
        labels = {n: model.TABLES[n].label for n in model.TABLE_ORDER}
        if lang == "en":
            head = [f"Demo city over {self.area} (seed {self.seed})"]
            body = [f"{labels[n][1]}: {c:,}" for n, c in self.counts.items()]
            tail = [f"visited: {self.visited_share:.0%}; rentals: {self.rental_share:.0%}"]
        else:
            head = [f"演示城市：{self.area}（随机种子 {self.seed}）"]
            body = [f"{labels[n][0]}：{c:,}" for n, c in self.counts.items()]
            tail = [f"已走访：{self.visited_share:.0%}；出租房：{self.rental_share:.0%}"]
        return head + body + tail + list(self.notes)


@dataclass
class DemoCity:
    """Frames per table (validated, WGS-84) and the report."""

    frames: dict[str, pd.DataFrame]
    report: DemoReport


def _name(rng: np.random.Generator, n: int) -> list[str]:
    s = rng.choice(SURNAMES, n)
    g1 = rng.choice(GIVEN, n)
    g2 = rng.choice(GIVEN, n)
    two = rng.random(n) < 0.6
    return [a + b + (c if t else "") for a, b, c, t in zip(s, g1, g2, two, strict=True)]


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    prefix = rng.choice(["138", "139", "135", "186", "187", "150", "151", "177"], n)
    rest = rng.integers(0, 10**8, n)
    return [f"{p}{r:08d}" for p, r in zip(prefix, rest, strict=True)]


# --------------------------------------------------------------------------------------------
# households


def _residential_buildings(area) -> gpd.GeoDataFrame:
    b = area.buildings
    if b.empty:
        return b
    kind = b["building"].fillna("yes").astype(str).str.lower()
    res = kind.isin(RESIDENTIAL_BUILDINGS)
    for col in ("shop", "amenity", "office", "tourism", "leisure"):
        if col in b.columns:
            has = b[col].notna() & (b[col].astype(str) != "")
            res &= ~(has & (kind == "yes"))
    lu = area.landuse
    if not lu.empty and "landuse" in lu.columns:
        bad = lu[lu["landuse"].isin(NON_RESIDENTIAL_LANDUSE)]
        if len(bad):
            cent = b.geometry.representative_point()
            tree = shapely.STRtree(bad.geometry.values)
            idx, _ = tree.query(cent.values, predicate="within")
            in_bad = np.zeros(len(b), dtype=bool)
            in_bad[idx] = True
            res &= ~(in_bad & (kind == "yes"))
    # tiny sheds and kiosks are not homes
    res &= b.geometry.area.to_numpy() >= 30
    return b[res.to_numpy()]


def _nearest_street_names(area, points: np.ndarray) -> np.ndarray:
    edges = area.edges()
    named = edges[edges["name"].astype(str) != ""]
    if named.empty:
        return np.array([""] * len(points), dtype=object)
    tree = shapely.STRtree(named.geometry.values)
    idx = tree.nearest(points)
    return named["name"].to_numpy()[idx]


def _estates(area, points: np.ndarray) -> np.ndarray:
    """The name of the housing estate each point lies in, ``""`` outside every estate."""
    estates = residential_estates(area)
    row = estate_of_points(estates, points)
    names = np.r_[estates["name"].to_numpy(dtype=object), np.array([""], dtype=object)]
    return names[row]  # row -1 picks the trailing ""


def _households_from_buildings(area, rng) -> pd.DataFrame:
    b = _residential_buildings(area)
    if b.empty:
        return pd.DataFrame()
    kind = b["building"].fillna("yes").astype(str).str.lower().to_numpy()
    levels = pd.to_numeric(b["levels"], errors="coerce").to_numpy(dtype=float)
    footprint = b.geometry.area.to_numpy()
    rect = b.geometry.minimum_rotated_rectangle()
    coords = [np.asarray(g.exterior.coords) for g in rect.values]
    long_side = np.array([max(np.hypot(*(c[1] - c[0])), np.hypot(*(c[2] - c[1]))) for c in coords])
    courtyard = np.isin(kind, list(COURTYARD_BUILDINGS)) | (
        (kind == "yes") & (footprint < 300) & ~(levels > 2)
    )
    default_levels = np.where(kind == "apartments", 6, 4)
    lv = np.where(np.isnan(levels), default_levels, np.clip(levels, 1, 40)).astype(int)
    units = np.clip(np.round(long_side / 15.0), 1, 12).astype(int)
    per_floor = np.where(kind == "dormitory", 4, 2)
    n_house = np.where(courtyard, rng.integers(3, 9, len(b)), lv * units * per_floor)
    cent = b.geometry.representative_point().values
    street = _nearest_street_names(area, cent)
    estate = _estates(area, cent)
    rows = []
    number = {}
    for i in range(len(b)):
        place = estate[i] or street[i] or "无名街巷"
        number[place] = number.get(place, 0) + 1
        bno = number[place]
        bid = str(b["osm_id"].iloc[i])
        c = np.asarray(coords[i])
        if courtyard[i]:
            gate = cent[i]
            for k in range(int(n_house[i])):
                rows.append(
                    (
                        f"{place}{bno}号院 {k + 1}户",
                        f"{bno}号院",
                        "",
                        f"{k + 1}",
                        bid,
                        estate[i],
                        gate.x,
                        gate.y,
                    )
                )
            continue
        # unit doors spread along the long side of the block
        e0, e1 = (
            (c[0], c[1]) if np.hypot(*(c[1] - c[0])) >= np.hypot(*(c[2] - c[1])) else (c[1], c[2])
        )
        for u in range(units[i]):
            t = (u + 0.5) / units[i]
            x, y = e0 + (e1 - e0) * t
            for floor in range(1, lv[i] + 1):
                for k in range(per_floor[i]):
                    room = f"{floor}{k + 1:02d}"
                    rows.append(
                        (
                            f"{place}{bno}号楼{u + 1}单元{room}",
                            f"{bno}号楼",
                            f"{u + 1}",
                            room,
                            bid,
                            estate[i],
                            x,
                            y,
                        )
                    )
    return pd.DataFrame(
        rows, columns=["address", "building", "unit", "room", "building_id", "estate", "x", "y"]
    )


def _households_along_streets(area, rng) -> pd.DataFrame:
    edges = area.edges()
    lanes = edges[
        edges["highway"].isin(
            [
                "residential",
                "living_street",
                "service",
                "footway",
                "path",
                "pedestrian",
                "unclassified",
            ]
        )
    ]
    if lanes.empty:
        lanes = edges
    rows = []
    for name, geom in zip(lanes["name"].astype(str), lanes.geometry.values, strict=True):
        length = geom.length
        for j, d in enumerate(np.arange(9.0, length - 5.0, 18.0)):
            side = 1 if j % 2 == 0 else -1
            p = geom.interpolate(d)
            q = geom.interpolate(min(d + 1.0, length))
            dx, dy = q.x - p.x, q.y - p.y
            norm = math.hypot(dx, dy) or 1.0
            x, y = p.x - side * dy / norm * 8.0, p.y + side * dx / norm * 8.0
            place = name or "无名弄堂"
            no = len(rows) + 1
            for k in range(int(rng.integers(2, 7))):
                rows.append((f"{place}{no}号 {k + 1}户", f"{no}号", "", f"{k + 1}", "", "", x, y))
    return pd.DataFrame(
        rows, columns=["address", "building", "unit", "room", "building_id", "estate", "x", "y"]
    )


# --------------------------------------------------------------------------------------------
# offices


def _place_office(polygon, street_tree, streets) -> shapely.Point:
    """The office sits on the street nearest the polygon's inner point."""
    inner = polygon.representative_point()
    j = street_tree.nearest(inner)
    line = streets[j]
    return line.interpolate(line.project(inner))


# --------------------------------------------------------------------------------------------


def build_demo(area, *, seed: int = 7, households_per_beat: int = 900) -> DemoCity:
    """Build the demo city over ``area`` (a :class:`geo.network.Area`).

    Parameters
    ----------
    area : geo.network.Area
        The loaded OSM area.
    seed : int
        Seed of the one random generator; same area and seed give the same city.
    households_per_beat : int
        Target household count per beat.

    Returns
    -------
    DemoCity
    """
    if households_per_beat < 50:
        raise InputError(f"households_per_beat must be at least 50, got {households_per_beat}")
    rng = np.random.default_rng(seed)
    report = DemoReport(area=area.name, seed=seed)
    hh = _households_from_buildings(area, rng)
    if hh.empty:
        hh = _households_along_streets(area, rng)
        report.notes.append(
            "该区域没有建筑数据，住户沿居住街巷生成 / no buildings in this area: households "
            "were placed along its residential streets"
        )
    if hh.empty:
        raise InputError(f"area {area.name!r} has neither buildings nor streets for households")
    n = len(hh)
    hxy = hh[["x", "y"]].to_numpy()

    # stations and beats: the one balanced partitioning (geo.partition), on households
    west, south, east, north = area.bounds
    frame = gpd.GeoSeries([shapely.box(west, south, east, north)], crs="EPSG:4326")
    frame = frame.to_crs(area.crs).iloc[0]
    hpts = shapely.points(hxy)
    area_km2 = frame.area / 1e6
    n_stations = max(1, round(area_km2 / 2.0))
    n_beats_total = max(n_stations, round(n / households_per_beat))
    parts = partition(
        hxy,
        np.ones(n),
        count=n_beats_total,
        edges=area.edges(),
        frame=frame,
        building=hh["building_id"].to_numpy(),
        estate=hh["estate"].to_numpy(),
        groups=n_stations,
        seed=seed,
    )
    beat_polys = parts.polygons
    beat_station = parts.station.tolist()
    n_stations = int(parts.station.max()) + 1
    hh_beat = parts.label

    edges = area.edges()
    # offices stand on public streets, never on an estate's private roads
    public = edges[edges["access"].astype(str) == ""] if "access" in edges.columns else edges
    streets = (public if len(public) else edges).geometry.values
    street_tree = shapely.STRtree(streets)
    to_wgs = _to_wgs84(area.crs)

    # stations
    station_polys = [
        shapely.unary_union([beat_polys[b] for b in range(len(beat_polys)) if beat_station[b] == s])
        for s in range(n_stations)
    ]
    station_pts = [_place_office(p, street_tree, streets) for p in station_polys]
    st_names = [f"{area_station_prefix(area, i)}派出所" for i in range(n_stations)]
    stations = pd.DataFrame(
        {
            "id": np.arange(1, n_stations + 1),
            "name": st_names,
            "address": [f"{_nearest_name(edges, p)}" for p in station_pts],
        }
    )
    stations["geometry"] = to_wgs(station_pts)

    # beats
    beat_ids = np.arange(1, len(beat_polys) + 1)
    offices = [_place_office(p, street_tree, streets) for p in beat_polys]
    office_wgs = to_wgs(offices)
    beats = pd.DataFrame(
        {
            "id": beat_ids,
            "name": [f"第{i}警务区" for i in beat_ids],
            "station_id": np.asarray(beat_station) + 1,
            "office_lon": [p.x for p in office_wgs],
            "office_lat": [p.y for p in office_wgs],
        }
    )
    beats["geometry"] = [_polygonal(g) for g in to_wgs(beat_polys)]

    # households
    rental_rate = rng.uniform(0.20, 0.30, len(beat_polys))
    rental = rng.random(n) < rental_rate[hh_beat]
    lodgers = np.where(rental & (rng.random(n) < 0.7), rng.poisson(1.5, n) + 1, 0)
    residents = np.where(rental, rng.integers(1, 4, n), rng.integers(1, 6, n))
    households = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "address": hh["address"].to_numpy(),
            "building": hh["building"].to_numpy(),
            "unit": hh["unit"].to_numpy(),
            "room": hh["room"].to_numpy(),
            "building_id": hh["building_id"].to_numpy(),
            "estate": hh["estate"].to_numpy(),
            "beat_id": beat_ids[hh_beat],
            "residents": residents,
            "lodgers": lodgers,
            "rental": rental,
            "contact_name": _name(rng, n),
            "contact_phone": _phones(rng, n),
            "wechat_member": _wechat(rng.random(n), hh, seed),
        }
    )
    households["geometry"] = to_wgs(list(hpts))

    officers = _officers(rng, beats, households)
    visits = _visits(rng, households, officers)
    cameras = _cameras(rng, area, households, to_wgs)
    incidents = _incidents(rng, area, households, hxy, to_wgs)
    surveys = _surveys(rng, visits)
    mediations = _mediations(rng, beats, households)

    frames = {
        "stations": stations,
        "beats": beats,
        "officers": officers,
        "households": households,
        "visits": visits,
        "cameras": cameras,
        "incidents": incidents,
        "surveys": surveys,
        "mediations": mediations,
    }
    for name in model.TABLE_ORDER:
        frames[name] = model.validate(name, frames[name], file=f"demo:{name}")
    report.counts = {name: len(df) for name, df in frames.items()}
    visited = visits.loc[visits["outcome"] == "visited", "household_id"].nunique()
    report.visited_share = visited / n
    report.rental_share = float(rental.mean())
    return DemoCity(frames, report)


def area_station_prefix(area, i: int) -> str:
    """Station names: the area's own street names where it has them, else numbered."""
    names = [s for s in area.edges()["name"].astype(str).unique() if s and len(s) <= 8]
    names.sort()
    if i < len(names):
        base = names[(i * 7919) % len(names)]
        return base.removesuffix("路").removesuffix("街").removesuffix("胡同")
    return f"第{i + 1}"


def _nearest_name(edges: gpd.GeoDataFrame, p) -> str:
    named = edges[edges["name"].astype(str) != ""]
    if named.empty:
        return ""
    return str(named["name"].iloc[int(shapely.STRtree(named.geometry.values).nearest(p))])


def _polygonal(geom):
    """A valid (Multi)Polygon from ``geom`` (reprojection can leave slivers invalid)."""
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        geom = shapely.unary_union([g for g in geom.geoms if g.geom_type.endswith("Polygon")])
    return geom


def _to_wgs84(crs):
    def convert(geoms):
        return list(gpd.GeoSeries(list(geoms), crs=crs).to_crs(model.WGS84).values)

    return convert


def _wechat(u: np.ndarray, hh: pd.DataFrame, seed: int) -> np.ndarray:
    """WeChat group members: three buildings or courtyards in four have a group, which about
    55 % of their households joined (about 40 % overall). ``u`` is the main generator's draw
    per household; the per-building draw comes from its own generator, so the rest of the
    city does not change with it."""
    door = hh["x"].round(1).astype(str) + "," + hh["y"].round(1).astype(str)
    bid = hh["building_id"].fillna("").astype(str)
    place = bid.where(bid != "", door).to_numpy()
    _, which = np.unique(place, return_inverse=True)
    has_group = np.random.default_rng([seed, 23]).random(which.max() + 1) < 0.75
    return has_group[which] & (u < 0.55)


def _officers(rng, beats: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    size = households.groupby("beat_id").size()
    estates = households[households["estate"] != ""].groupby("beat_id")["estate"].nunique()
    rows = []
    for beat_id, station_id in zip(beats["id"], beats["station_id"], strict=True):
        n_hh = int(size.get(beat_id, 0))
        team = [
            ("community_officer", 2 if n_hh > 1500 else 1),
            ("auxiliary_police", int(rng.integers(1, 3))),
            ("grid_worker", int(rng.integers(1, 3))),
            ("security_guard", int(estates.get(beat_id, 0))),
            ("volunteer", int(rng.integers(0, 4))),
        ]
        for role, k in team:
            for _ in range(k):
                rows.append((station_id, beat_id, role))
    df = pd.DataFrame(rows, columns=["station_id", "beat_id", "role"])
    df.insert(0, "id", np.arange(1, len(df) + 1))
    df.insert(1, "name", _name(rng, len(df)))
    df["phone"] = _phones(rng, len(df))
    return df


def _evening_times(rng, days: np.ndarray) -> np.ndarray:
    minutes = rng.integers(16 * 60, 20 * 60, len(days))
    return days + pd.to_timedelta(minutes, unit="min").to_numpy()


def _visits(rng, households: pd.DataFrame, officers: pd.DataFrame) -> pd.DataFrame:
    cops = officers[officers["role"] == "community_officer"]
    n = len(households)
    beat = households["beat_id"].to_numpy()
    # each beat's households are split among its community officers
    officer_of = np.zeros(n, dtype=np.int64)
    skill = {}
    for b, grp in cops.groupby("beat_id"):
        idx = np.flatnonzero(beat == b)
        ids = grp["id"].to_numpy()
        officer_of[idx] = ids[rng.integers(0, len(ids), len(idx))]
        for oid in ids:
            skill[oid] = float(np.clip(rng.normal(0.74, 0.10), 0.45, 0.97))
    p_visit = np.array([skill[o] for o in officer_of])
    p_visit = np.clip(p_visit * 0.74 / max(p_visit.mean(), 1e-9), 0.0, 0.98)
    visited = rng.random(n) < p_visit
    days = pd.date_range(CAMPAIGN_START, CAMPAIGN_END, freq="D")
    # pace rises over the campaign: later days weigh more, weekends less
    w = np.linspace(0.6, 1.4, len(days)) * np.where(days.day_of_week >= 5, 0.5, 1.0)
    w /= w.sum()
    day_of = days.to_numpy()[rng.choice(len(days), n, p=w)]
    first_miss = visited & (rng.random(n) < 0.16)
    only_miss = ~visited & (rng.random(n) < 0.10)
    refused = ~visited & ~only_miss & (rng.random(n) < 0.01)
    moved = ~visited & ~only_miss & ~refused & (rng.random(n) < 0.005)
    rows = []

    def add(mask, outcome, when):
        idx = np.flatnonzero(mask)
        rows.append(
            pd.DataFrame(
                {
                    "household_id": households["id"].to_numpy()[idx],
                    "officer_id": officer_of[idx],
                    "visited_at": when[idx],
                    "outcome": outcome,
                }
            )
        )

    final_time = _evening_times(rng, day_of)
    add(visited, "visited", final_time)
    # an earlier attempt that found nobody home, 3-20 days before, at another hour of the
    # same 16:00-20:00 window (at least an hour apart)
    back = pd.to_timedelta(rng.integers(3, 21, n), unit="D").to_numpy()
    final_day = final_time.astype("datetime64[D]")
    tod = (final_time - final_day).astype("timedelta64[m]").astype(np.int64)
    other = (tod - 16 * 60 + rng.integers(60, 181, n)) % 240 + 16 * 60
    earlier = final_day - back + pd.to_timedelta(other, unit="min").to_numpy()
    earlier = np.maximum(earlier, (CAMPAIGN_START + pd.Timedelta(hours=16)).to_datetime64())
    add(first_miss, "not_home", earlier)
    add(only_miss, "not_home", final_time)
    add(refused, "refused", final_time)
    add(moved, "moved_away", final_time)
    v = pd.concat(rows, ignore_index=True)
    v = v.sort_values(["visited_at", "household_id"], kind="stable").reset_index(drop=True)
    done = (v["outcome"] == "visited").to_numpy()
    rental = households.set_index("id").loc[v["household_id"], "rental"].to_numpy(bool)
    k = len(v)
    v["card_given"] = done & (rng.random(k) < 0.92)
    v["register_updated"] = done & (rng.random(k) < 0.86)
    v["rental_letter_signed"] = done & rental & (rng.random(k) < 0.8)
    leaflet = done & (rng.random(k) < 0.7)
    v["camera_leaflet_given"] = leaflet
    v["camera_install_accepted"] = leaflet & (rng.random(k) < np.where(rental, 0.12, 0.04))
    v["notes"] = None
    v.insert(0, "id", np.arange(1, k + 1))
    return v


def _cameras(rng, area, households: pd.DataFrame, to_wgs) -> pd.DataFrame:
    rental = households["rental"].to_numpy(bool)
    p = np.where(rental, 0.11, 0.035)
    own = rng.random(len(households)) < p
    idx = np.flatnonzero(own)
    pts = households.geometry.to_numpy()[idx]
    kind = np.where(rng.random(len(idx)) < 0.8, "recorder_unit", "doorbell")
    days = rng.integers(0, 730, len(idx))
    installed = (CAMPAIGN_END - pd.to_timedelta(days, unit="D")).to_numpy()
    cams = pd.DataFrame(
        {
            "kind": kind,
            "installed_on": installed,
            "household_id": households["id"].to_numpy()[idx],
            "status": np.where(rng.random(len(idx)) < 0.93, "active", "offline"),
            "facing": rng.uniform(0, 360, len(idx)).round(0),
            "fov": np.where(kind == "recorder_unit", 90.0, 120.0),
        }
    )
    cams["geometry"] = list(pts)
    osm = area.cameras
    if len(osm):
        facing = (
            pd.to_numeric(osm["direction"], errors="coerce").to_numpy(dtype=float)
            if "direction" in osm.columns
            else np.full(len(osm), np.nan)
        )
        pub = pd.DataFrame(
            {
                "kind": "public",
                "installed_on": pd.NaT,
                "household_id": pd.NA,
                "status": "active",
                "facing": facing % 360,
                "fov": np.where(np.isnan(facing), 360.0, 90.0),
            }
        )
        pub["geometry"] = to_wgs(osm.geometry.values)
        cams = pd.concat([cams, pub], ignore_index=True)
    cams.insert(0, "id", np.arange(1, len(cams) + 1))
    return cams


def _incidents(rng, area, households: pd.DataFrame, hxy: np.ndarray, to_wgs) -> pd.DataFrame:
    n_total = max(30, int(len(households) * 0.03))
    start = CAMPAIGN_END - pd.Timedelta(days=365)
    cats = np.array(["theft", "burglary", "fraud", "dispute"])
    # background around homes
    n_bg = int(n_total * 0.55)
    src = rng.integers(0, len(hxy), n_bg)
    bg = hxy[src] + rng.normal(0, 15, (n_bg, 2))
    bg_cat = rng.choice(cats, n_bg, p=[0.4, 0.2, 0.25, 0.15])
    bg_t = start + pd.to_timedelta(rng.uniform(0, 365 * 24 * 60, n_bg), unit="min")
    # hot spots: 3-5 centres at households
    k = int(rng.integers(3, 6))
    centres = hxy[rng.choice(len(hxy), k, replace=False)]
    n_hot = int(n_total * 0.25)
    which = rng.integers(0, k, n_hot)
    hot = centres[which] + rng.normal(0, 60, (n_hot, 2))
    hot_cat = rng.choice(["theft", "burglary"], n_hot, p=[0.6, 0.4])
    hot_t = start + pd.to_timedelta(rng.uniform(0, 365 * 24 * 60, n_hot), unit="min")
    # night noise near shops and restaurants
    pois = area.pois
    food = (
        pois[
            pois["value"].isin(
                [
                    "restaurant",
                    "bar",
                    "pub",
                    "fast_food",
                    "cafe",
                    "nightclub",
                    "karaoke",
                    "convenience",
                    "supermarket",
                ]
            )
        ]
        if len(pois)
        else pois
    )
    anchors = shapely.get_coordinates(food.geometry.values) if len(food) else centres
    n_noise = n_total - n_bg - n_hot
    na = anchors[rng.integers(0, len(anchors), n_noise)] + rng.normal(0, 25, (n_noise, 2))
    day = rng.integers(0, 365, n_noise)
    hour = rng.choice([20, 21, 22, 23, 0, 1], n_noise, p=[0.12, 0.2, 0.25, 0.23, 0.13, 0.07])
    minute = rng.integers(0, 60, n_noise)
    noise_t = (
        start
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(hour, unit="h")
        + pd.to_timedelta(minute, unit="min")
    )
    xy = np.vstack([bg, hot, na])
    inc = pd.DataFrame(
        {
            "id": np.arange(1, len(xy) + 1),
            "occurred_at": np.concatenate(
                [np.asarray(bg_t), np.asarray(hot_t), np.asarray(noise_t)]
            ),
            "category": np.concatenate([bg_cat, hot_cat, np.full(n_noise, "noise")]),
            "description": None,
        }
    )
    inc["geometry"] = to_wgs(shapely.points(xy))
    inc["occurred_at"] = pd.to_datetime(inc["occurred_at"]).dt.floor("min")
    return inc


def _surveys(rng, visits: pd.DataFrame) -> pd.DataFrame:
    done = visits[visits["outcome"] == "visited"].drop_duplicates("household_id")
    n = max(1, round(len(done) * 0.015))
    pick = done.iloc[np.sort(rng.choice(len(done), min(n, len(done)), replace=False))]
    later = pd.to_timedelta(rng.integers(3, 30, len(pick)), unit="D")
    return pd.DataFrame(
        {
            "id": np.arange(1, len(pick) + 1),
            "household_id": pick["household_id"].to_numpy(),
            "surveyed_on": (pd.to_datetime(pick["visited_at"]).dt.normalize() + later).to_numpy(),
            "method": rng.choice(["on_site", "phone"], len(pick), p=[1222 / 3816, 2594 / 3816]),
            "familiarity": rng.choice(
                ["knows_officer", "has_card", "never_met"], len(pick), p=[0.63, 0.31, 0.06]
            ),
            "satisfied": rng.random(len(pick)) < 0.995,
        }
    )


def _mediations(rng, beats: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """Weekly neighbour-meeting records per beat over the campaign months."""
    weeks = pd.date_range(CAMPAIGN_START, CAMPAIGN_END, freq="W-MON")
    kinds = list(model.MEDIATION_KINDS)
    p_kind = [0.24, 0.30, 0.12, 0.16, 0.08, 0.10]
    rows = []
    hh = households[["id", "beat_id", "building_id", "building", "estate", "contact_name"]]
    for beat_id, grp in hh.groupby("beat_id"):
        if len(grp) < 2:
            continue
        weekday = int(rng.integers(0, 5))
        building = (grp["building_id"].fillna("") + "|" + grp["building"].fillna("")).to_numpy()
        ids = grp["id"].to_numpy()
        names = grp["contact_name"].to_numpy()
        rate = max(len(grp) / 400.0, 0.3)
        pairs: list[tuple[int, int]] = []
        for monday in weeks:
            for _ in range(int(rng.poisson(rate))):
                if pairs and rng.random() < 0.125:
                    a, b = pairs[int(rng.integers(0, len(pairs)))]
                else:
                    a = int(rng.integers(0, len(ids)))
                    same = np.flatnonzero((building == building[a]) & (np.arange(len(ids)) != a))
                    b = int(rng.choice(same)) if len(same) else int((a + 1) % len(ids))
                    pairs.append((a, b))
                on_site = rng.random() < 0.6
                day = monday + pd.Timedelta(days=weekday if on_site else int(rng.integers(0, 7)))
                outcome = rng.choice(["settled", "referred", "pending"], p=[0.8, 0.08, 0.12])
                follow = day + pd.Timedelta(days=int(rng.integers(7, 15)))
                rows.append(
                    (
                        day,
                        beat_id,
                        ids[a],
                        ids[b],
                        f"{names[a]}、{names[b]}",
                        rng.choice(kinds, p=p_kind),
                        "on_site" if on_site else "office",
                        outcome,
                        follow if outcome != "referred" else pd.NaT,
                    )
                )
    cols = [
        "held_on", "beat_id", "household_id", "other_household_id", "parties", "kind",
        "meeting", "outcome", "follow_up_on",
    ]  # fmt: skip
    med = pd.DataFrame(rows, columns=cols).sort_values(["held_on", "beat_id"], kind="stable")
    med.insert(0, "id", np.arange(1, len(med) + 1))
    return med.reset_index(drop=True)


def write_demo(store, city: DemoCity, *, source: str = "") -> None:
    """Replace the store's contents with the demo city, in one transaction."""
    meta = {
        "demo_area": city.report.area,
        "demo_seed": str(city.report.seed),
        "area_source": source,
        "demo_notes": "\n".join(city.report.notes),
    }
    store.write_many(city.frames, mode="replace", meta=meta)
