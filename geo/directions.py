"""Turn-by-turn walking directions in Chinese (or English) from routes on the walking network.

Each leg of an evening route (office -> stop 1 -> ... -> office) is a list of pieces of network
edges. The pieces are merged into *segments* of one street: consecutive edges with the same OSM
name, or, for unnamed ways, the same kind of way (hutong alley, footpath, estate road, street)
in the same estate. Every segment becomes one line::

    从警务室出发，沿府学胡同向东走120米，至无名胡同左转
    沿无名胡同（府学胡同以北）向北走120米，至北兵马司胡同右转
    从府学小区大门进入小区
    沿小区内部道路向南走60米，到达第3站：府学小区2号楼3单元

* Lengths are rounded to 10 m (at least 10 m); pieces shorter than :data:`MIN_SEGMENT_M` are
  folded into their neighbour so that a kink at a junction does not become a line of its own.
* The walking direction of a segment is the compass direction from its start to its end (8
  points: 北, 东北, ...), with grid north of the UTM projection taken as north.
* The turn onto the next segment comes from the bearing at the end of one segment and at the
  start of the next: within 30° 直行, up to 150° 左转/右转, beyond that 掉头.
* Unnamed ways are named by kind and placed by the nearest named street within 300 m
  ("无名胡同（府学胡同以北）").
* Entering an estate: where the path passes from public ways onto the estate's own roads
  (``access=private`` or inside the estate polygon), a line "从…大门进入小区" (through a
  ``barrier=gate`` node of the path within 80 m, else "入口"); leaving says so too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from geo.i18n import Catalogue

if TYPE_CHECKING:
    from geo.evening import BeatNetwork, EveningPlan, Leg

__all__ = ["MIN_SEGMENT_M", "Step", "directions", "leg_directions", "round_length"]

#: pieces shorter than this (m) are folded into a neighbouring segment
MIN_SEGMENT_M = 12.0
#: unnamed-way kinds: highway values -> kind
_ALLEY = {"living_street", "service", "alley", "pedestrian", "footway"}
_FOOT = {"path", "steps", "track", "cycleway", "bridleway", "corridor"}
#: the 8 compass directions, clockwise from north (index of :func:`_dir8`)
_DIR8 = ("n", "ne", "e", "se", "s", "sw", "w", "nw")
#: texts of directions: key -> (Chinese, English)
T = Catalogue(
    {
        # unnamed ways, by kind
        "alley": ("无名胡同", "the unnamed alley"),
        "foot": ("小路", "the footpath"),
        "estate": ("小区内部道路", "the estate road"),
        "street": ("无名道路", "the unnamed street"),
        "the_estate": ("小区", "the estate"),
        # compass directions, and the side of a street a way lies on
        "n": ("北", "north"),
        "ne": ("东北", "northeast"),
        "e": ("东", "east"),
        "se": ("东南", "southeast"),
        "s": ("南", "south"),
        "sw": ("西南", "southwest"),
        "w": ("西", "west"),
        "nw": ("西北", "northwest"),
        "side_of": ("{base}（{street}以{side}）", "{base} ({side} of {street})"),
        "by": ("{base}（{street}旁）", "{base} (by {street})"),
        # turns
        "straight": ("继续直行", "go straight on"),
        "left": ("左转", "turn left"),
        "right": ("右转", "turn right"),
        "uturn": ("掉头", "turn back"),
        # lines
        "walk": ("沿{label}向{dir}走{m}米", "walk {dir} {m} m along {label}"),
        "from": ("从{origin}出发，", "from {origin}, "),
        "from_arrive": ("从{origin}出发，", "From {origin}: "),
        "then": ("，至{onto}{turn}", ", then {turn} onto {onto}"),
        "comma": ("，", ", "),
        "enter_gate": ("从{estate}大门进入小区", "Enter {estate} through its gate"),
        "enter": ("从{estate}入口进入小区", "Enter {estate} through its entrance"),
        "leave_gate": ("从{estate}大门出小区", "Leave {estate} by its gate"),
        "leave": ("从{estate}出口出小区", "Leave {estate} by its entrance"),
        # places of a round
        "office": ("警务室", "the police office"),
        "stop": ("第{k}站", "stop {k}"),
        "households": ("（{n}户）", " ({n} households)"),
        "arrive": ("到达第{k}站：{address}{extra}", "arrive at stop {k}: {address}{extra}"),
        "back": ("回到警务室", "back at the police office"),
    }
)
#: compass key of the side of a street that _context names
_SIDE = {"北": "n", "南": "s", "东": "e", "西": "w"}
_GATES = {"gate", "lift_gate", "entrance", "swing_gate", "turnstile", "sliding_gate"}
_CONTEXT_M = 300.0
_GATE_M = 80.0


@dataclass(frozen=True)
class Step:
    """One line of directions.

    Attributes
    ----------
    leg : int
        Leg number (0 = from the office to stop 1).
    kind : str
        ``walk``, ``enter`` (estate), ``leave`` (estate) or ``arrive`` (same door, no walk).
    text : str
        The line, in the language asked for.
    length_m : float
        Rounded walking length of the line (0 for enter/leave).
    """

    leg: int
    kind: str
    text: str
    length_m: float = 0.0


def round_length(metres: float) -> int:
    """Round a walking length to 10 m, at least 10 m."""
    return int(max(10, round(metres / 10.0) * 10))


def _bearing(p: np.ndarray, q: np.ndarray) -> float:
    """Compass bearing from p to q in degrees (0 = north, clockwise)."""
    return math.degrees(math.atan2(q[0] - p[0], q[1] - p[1])) % 360.0


def _dir8(bearing: float) -> int:
    return int(((bearing + 22.5) % 360.0) // 45.0)


def _turn(prev_end: float, next_start: float) -> str:
    delta = (next_start - prev_end + 540.0) % 360.0 - 180.0
    if abs(delta) < 30.0:
        return "straight"
    if abs(delta) > 150.0:
        return "uturn"
    return "right" if delta > 0 else "left"


@dataclass
class _Segment:
    key: tuple
    name: str
    kind: str  # named | alley | foot | estate | street
    estate: int  # estate row, -1 outside
    private: bool
    coords: np.ndarray
    length: float


def _kind(highway: str, private: bool) -> str:
    if private:
        return "estate"
    if highway in _ALLEY:
        return "alley"
    if highway in _FOOT:
        return "foot"
    return "street"


def _segments(net: BeatNetwork, leg: Leg) -> list[_Segment]:
    """The leg as lines to read: one per street or kind of unnamed way, tiny ones folded in.

    Steps: a segment per edge piece; neighbours on the same street (or the same kind of
    unnamed way, on the same side of an estate's boundary) merged; then, while some segment
    is shorter than :data:`MIN_SEGMENT_M`, it is folded into its longer neighbour and equal
    neighbours are merged again.
    """
    segs = _merge_equal(_piece_segments(net, leg))
    changed = True
    while changed and len(segs) > 1:
        folded = _fold_one_short(segs)
        merged = _merge_equal(segs)
        changed = folded or len(merged) < len(segs)
        segs = merged
    return segs


def _piece_segments(net: BeatNetwork, leg: Leg) -> list[_Segment]:
    """One segment per piece of an edge the leg walks (points-only pieces left out)."""
    idx = net.index
    private = net.edge_private
    segs: list[_Segment] = []
    for e, f, t in leg.pieces:
        g = idx.edge_geometry[e]
        el = float(idx.edge_length[e]) or 1.0
        part = shapely.ops.substring(g, f / el * g.length, t / el * g.length)
        coords = shapely.get_coordinates(part)
        if coords.shape[0] < 2:
            continue
        name = str(net.edge_name[e])
        prv = bool(private[e])
        kind = "named" if name else _kind(str(net.edge_highway[e]), prv)
        key = (name,) if name else (kind,)
        segs.append(_Segment(key, name, kind, int(net.edge_estate[e]), prv, coords, abs(t - f)))
    return segs


def _merge_equal(segs: list[_Segment]) -> list[_Segment]:
    """Neighbours with the same key and privacy joined into one segment."""
    merged: list[_Segment] = []
    for seg in segs:
        last = merged[-1] if merged else None
        if last is not None and last.key == seg.key and last.private == seg.private:
            last.coords = np.vstack([last.coords, seg.coords[1:]])
            last.length += seg.length
            if last.estate < 0:
                last.estate = seg.estate
        else:
            merged.append(seg)
    return merged


def _fold_one_short(segs: list[_Segment]) -> bool:
    """Fold the first segment shorter than MIN_SEGMENT_M into its longer neighbour, in place."""
    for i, seg in enumerate(segs):
        if seg.length >= MIN_SEGMENT_M:
            continue
        if i == 0:
            j = 1
        elif i == len(segs) - 1:
            j = i - 1
        else:
            j = i - 1 if segs[i - 1].length >= segs[i + 1].length else i + 1
        other = segs[j]
        if j < i:
            other.coords = np.vstack([other.coords, seg.coords[1:]])
        else:
            other.coords = np.vstack([seg.coords, other.coords[1:]])
        other.length += seg.length
        del segs[i]
        return True
    return False


def _end_bearing(coords: np.ndarray, *, at_start: bool, span: float = 15.0) -> float:
    """Bearing of the first (or last) ``span`` metres of a line."""
    pts = coords if at_start else coords[::-1]
    d = np.r_[0.0, np.cumsum(np.hypot(*np.diff(pts, axis=0).T))]
    k = int(np.searchsorted(d, min(span, d[-1])))
    k = max(1, min(k, len(pts) - 1))
    b = _bearing(pts[0], pts[k])
    return b if at_start else (b + 180.0) % 360.0


def _context(net: BeatNetwork, seg: _Segment) -> tuple[str, str]:
    """Nearest named street and the side of it the segment lies on, e.g. ('府学胡同', '北')."""
    idx_named, tree = net.named_edges()
    if tree is None:
        return "", ""
    line = shapely.LineString(seg.coords)
    mid = line.interpolate(0.5, normalized=True)
    j = tree.nearest(mid)
    edge = idx_named[int(j)]
    g = net.index.edge_geometry[edge]
    if g.distance(mid) > _CONTEXT_M:
        return "", ""
    near = g.interpolate(g.project(mid))
    dx, dy = mid.x - near.x, mid.y - near.y
    if math.hypot(dx, dy) < 1.0:
        return str(net.edge_name[edge]), ""
    side = ("北", "南")[dy < 0] if abs(dy) >= abs(dx) else ("东", "西")[dx < 0]
    return str(net.edge_name[edge]), side


def _label(net: BeatNetwork, seg: _Segment, lang: str) -> str:
    if seg.kind == "named":
        return seg.name
    base = T(seg.kind, lang)
    if seg.kind == "estate":
        return base
    street, side = _context(net, seg)
    if not street:
        return base
    if side:
        return T("side_of", lang, base=base, street=street, side=T(_SIDE[side], lang))
    return T("by", lang, base=base, street=street)


def _short_label(seg: _Segment, lang: str) -> str:
    return seg.name if seg.kind == "named" else T(seg.kind, lang)


def _estate_name(net: BeatNetwork, seg: _Segment, lang: str) -> str:
    if not net.estates.empty:
        if seg.estate >= 0:
            return str(net.estates["name"].iloc[seg.estate])
        line = shapely.LineString(seg.coords)
        d = net.estates.geometry.distance(line).to_numpy()
        if d.size and d.min() <= 50.0:
            return str(net.estates["name"].iloc[int(np.argmin(d))])
    return T("the_estate", lang)


def _gate_near(net: BeatNetwork, leg: Leg, xy: np.ndarray) -> bool:
    if not leg.nodes:
        return False
    nodes = np.asarray(leg.nodes, dtype=np.int64)
    barrier = net.node_barrier[nodes]
    gates = np.isin(barrier, list(_GATES))
    if not gates.any():
        return False
    d = np.hypot(*(net.index.node_xy[nodes[gates]] - xy).T)
    return bool((d <= _GATE_M).any())


def leg_directions(
    net: BeatNetwork,
    leg: Leg,
    *,
    leg_number: int = 0,
    origin: str | None = None,
    destination: str | None = None,
    lang: str = "zh",
) -> list[Step]:
    """Directions for one leg.

    Steps: cut the leg into segments (one per street or kind of unnamed way); for each, a line
    "enter"/"leave" where the walk crosses an estate's boundary, then the walk along it with
    the turn onto the next one (or the destination after the last).

    Parameters
    ----------
    net : geo.evening.BeatNetwork
        The network the leg runs on.
    leg : geo.evening.Leg
        Pieces of edges in walking order.
    leg_number : int, optional
        Stored in each :class:`Step`.
    origin : str, optional
        Where the leg starts, e.g. "警务室" or "第2站": the first line begins "从…出发，".
    destination : str, optional
        The end of the last line, e.g. "到达第3站：府学胡同5号" or "回到警务室".
    lang : {"zh", "en"}, optional

    Returns
    -------
    list of Step
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    segs = _segments(net, leg)
    if not segs:
        text = destination or ""
        if origin and text:
            text = T("from_arrive", lang, origin=origin) + text
        return [Step(leg_number, "arrive", _sentence(text, lang))] if text else []
    steps: list[Step] = []
    for i, seg in enumerate(segs):
        prev = segs[i - 1] if i else None
        if prev is not None and seg.private != prev.private:
            steps.append(_crossing(net, leg, seg, prev, leg_number, lang))
        metres = round_length(seg.length)
        d8 = _DIR8[_dir8(_bearing(seg.coords[0], seg.coords[-1]))]
        text = T("walk", lang, label=_label(net, seg, lang), dir=T(d8, lang), m=metres)
        if i == 0 and origin:
            text = T("from", lang, origin=origin) + text
        nxt = segs[i + 1] if i + 1 < len(segs) else None
        if nxt is not None:
            turn = _turn(
                _end_bearing(seg.coords, at_start=False), _end_bearing(nxt.coords, at_start=True)
            )
            text += T("then", lang, turn=T(turn, lang), onto=_short_label(nxt, lang))
        elif destination:
            text += T("comma", lang) + destination
        steps.append(Step(leg_number, "walk", _sentence(text, lang), float(metres)))
    return steps


def _sentence(text: str, lang: str) -> str:
    """English lines begin with a capital letter."""
    return text[:1].upper() + text[1:] if lang == "en" else text


def _crossing(
    net: BeatNetwork, leg: Leg, seg: _Segment, prev: _Segment, leg_number: int, lang: str
) -> Step:
    """The line where the walk enters (``seg`` private) or leaves an estate."""
    gate = _gate_near(net, leg, seg.coords[0])
    if seg.private:
        key = "enter_gate" if gate else "enter"
        return Step(leg_number, "enter", T(key, lang, estate=_estate_name(net, seg, lang)))
    key = "leave_gate" if gate else "leave"
    return Step(leg_number, "leave", T(key, lang, estate=_estate_name(net, prev, lang)))


def directions(plan: EveningPlan, *, lang: str = "zh") -> list[Step]:
    """Directions for a whole evening route, from the office back to it.

    Parameters
    ----------
    plan : geo.evening.EveningPlan
    lang : {"zh", "en"}, optional

    Returns
    -------
    list of Step
        Lines in walking order; :attr:`Step.leg` tells which leg (0 = office -> stop 1).
    """
    stops = plan.stops
    n = len(stops)
    out: list[Step] = []
    for k, leg in enumerate(plan.legs):
        origin = T("office", lang) if k == 0 else T("stop", lang, k=k)
        if k < n:
            more = int(stops["n_households"].iloc[k])
            extra = T("households", lang, n=more) if more > 1 else ""
            address = str(stops["address"].iloc[k])
            dest = T("arrive", lang, k=k + 1, address=address, extra=extra)
        else:
            dest = T("back", lang)
        out.extend(
            leg_directions(
                plan.network, leg, leg_number=k, origin=origin, destination=dest, lang=lang
            )
        )
    return out


def lines(steps: Sequence[Step]) -> list[str]:
    """The text of each step."""
    return [s.text for s in steps]
