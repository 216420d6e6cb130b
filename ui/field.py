"""外勤 Field: the evening walk on a phone held in one hand.

Tonight's route of the person logged in (planned on the first open of the evening and kept in
the store, re-planned on request), the next stop as a card with big buttons, the map framed to
the route and the next stop, the whole route as a list, and the team split for the chief or
officer. Widgets only: routes from :mod:`geo.evening` and :mod:`geo.team`, directions from
:mod:`geo.directions`, writes through :func:`geo.visits.record_visit` (with a request id made on
the page, so a double tap writes once) and :func:`geo.visits.undo_visit`, audit rows through
:mod:`geo.auth.audit`, map layers from :mod:`layers`.

The phone's position is asked of the browser only when the officer turns it on; it is used for
the distance to the next stop and the "recorded far from the door" note, and never stored.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import uuid
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo._errors import BeatMapError
from geo.auth import AccessDenied, audit
from geo.directions import directions
from geo.evening import EveningSettings, plan_evening
from geo.i18n import Catalogue
from geo.model import OUTCOMES, ROLES
from geo.sheet import field_url, sheet_pdf
from geo.team import load_route, plan_team, route_for, save_route, save_team
from geo.visits import UNDO_MINUTES, record_visit, undo_visit
from layers import MissingAssetError, base_map, static_url
from layers.field import next_stop_layer, position_layer
from layers.route import route_layer, stops_layer
from ui.auth import client_address, current_scope, current_user
from ui.cache import (
    base_features_cached,
    clear_data,
    current_language,
    get_area,
    get_settings,
    get_workspace,
    read_table,
)
from ui.i18n import texts

T = Catalogue(
    {
        "title": ("外勤", "Field"),
        "no_officer": (
            "此账户未关联警员，无法显示今晚路线。请管理员在“账户”页关联警员。",
            "This account is not linked to an officer; ask the administrator to link one.",
        ),
        "other_route": (
            "二维码上的路线属于其他人员，已显示您自己的路线。",
            "The scanned route belongs to someone else; showing your own route.",
        ),
        "no_route": ("今晚没有可走访的住户：{why}", "Nothing to visit tonight: {why}"),
        "cannot_load": ("无法载入数据：{e}", "Cannot load the data: {e}"),
        "planning": ("正在规划今晚路线…", "Planning tonight's route ..."),
        "header": (
            "已完成 {done}/{total} 户 · 剩余时间 {left} · 剩余步行 {walk:.1f} 公里",
            "Done {done}/{total} · time left {left} · walk left {walk:.1f} km",
        ),
        "all_done": ("今晚路线已全部完成。", "Tonight's route is done."),
        "next": ("下一站 · 第{k}站 · {t}", "Next · stop {k} · {t}"),
        "stop_n": ("第{k}站 · {t}", "Stop {k} · {t}"),
        "rental": ("出租房", "rental"),
        "own": ("自住", "owner-occupied"),
        "lodgers": ("寄住{n}人", "{n} lodgers"),
        "never": ("从未走访", "never visited"),
        "last": ("上次：{o}（{at}）", "Last: {o} ({at})"),
        "bring": ("带：{items}", "Bring: {items}"),
        "card": ("联系卡", "contact card"),
        "register": ("登记表", "register form"),
        "letter": ("出租房责任书", "rental-house letter"),
        "leaflet": ("摄录一体机宣传单", "camera leaflet"),
        "t_card": ("已发联系卡", "Card given"),
        "t_register": ("已登记", "Register updated"),
        "t_letter": ("已签责任书", "Letter signed"),
        "t_leaflet": ("已发宣传单", "Leaflet given"),
        "note": ("备注（选填）", "Note (optional)"),
        "visited": ("已走访", "Visited"),
        "not_home": ("不在家", "Not home"),
        "refused": ("拒绝", "Refused"),
        "moved_away": ("已搬走", "Moved away"),
        "recorded": ("已记录：{addr} · {o}", "Recorded: {addr} · {o}"),
        "far": (
            "记录时距门口约{m:.0f}米（超过150米，已照常登记）。",
            "Recorded about {m:.0f} m from the door (over 150 m; recorded anyway).",
        ),
        "repeat": (
            "已记录过，重复点击未再次登记。",
            "Already recorded; the repeated tap wrote nothing.",
        ),
        "done_as": ("已记录：{o}", "Recorded: {o}"),
        "next_door": ("下一户 ›", "Next door ›"),
        "undo": ("撤销上一条：{addr} · {o}", "Undo last: {addr} · {o}"),
        "undone": ("已撤销：{addr}", "Undone: {addr}"),
        "denied": ("无权登记：{e}", "Not allowed: {e}"),
        "failed": ("未能保存：{e}", "Not saved: {e}"),
        "use_position": ("使用我的位置", "Use my position"),
        "position_off": (
            "未能获取位置（未授权或无信号），不影响登记。",
            "No position (not allowed or no signal); recording works without it.",
        ),
        "waiting": ("正在获取位置…", "Getting the position ..."),
        "distance": ("距下一站约{m:.0f}米", "About {m:.0f} m to the next stop"),
        "map": ("地图", "Map"),
        "route": ("步行路线", "Walking route"),
        "stops": ("走访站", "Stops"),
        "me": ("我的位置", "My position"),
        "next_layer": ("下一站", "Next stop"),
        "list": ("全部路线", "The whole route"),
        "done_mark": ("✓", "✓"),
        "replan": ("重新规划今晚路线", "Plan tonight again"),
        "sheet": ("打印路线单（PDF，含二维码）", "Print the sheet (PDF with QR code)"),
        "sheet_make": ("生成路线单", "Make the sheet"),
        "sheet_download": ("下载路线单", "Download the sheet"),
        "team": ("团队路线", "Team routes"),
        "team_members": ("今晚出勤人员", "On duty tonight"),
        "team_start": ("开始", "Start"),
        "team_end": ("结束", "End"),
        "team_go": ("分配团队路线", "Split among the team"),
        "team_done": ("已为 {n} 人分配路线：{s}", "Routes for {n}: {s}"),
        "team_member_sheet": ("打印谁的路线单", "Whose sheet to print"),
        "chief_pick": ("查看谁的路线", "Whose route"),
        "direction": ("路线：{text}", "Way: {text}"),
        "date": ("日期", "Date"),
    }
)

ROUTE_KEY = "_field_route"
FOCUS_KEY = "_field_focus"
KEEP_KEY = "_field_keep"
TOKENS_KEY = "_field_tokens"
LAST_KEY = "_field_last"
FLASH_KEY = "_field_flash"
SHEET_KEY = "_field_sheet"
FAR_M = 150.0
OUTCOME_BUTTONS = ("visited", "not_home", "refused", "moved_away")

CSS = """
<style>
/* phone first: thumb-sized buttons, no sideways scrolling, dark text for sunlight */
.stButton > button, .stDownloadButton > button, .stFormSubmitButton > button {
  min-height: 52px; width: 100%; font-size: 1.05rem; font-weight: 600; color: #111111;
  white-space: normal; }
.stButton > button[kind="primary"], .stDownloadButton > button[kind="primary"] {
  background: #0b4f9c; border-color: #0b4f9c; color: #ffffff; }
[data-testid="stCheckbox"] label { min-height: 48px; align-items: center; }
[data-testid="stMainBlockContainer"] { padding-left: 0.75rem; padding-right: 0.75rem;
  max-width: 100%; }
.stMarkdown p, .stCaption, label { color: #111111; overflow-wrap: anywhere; }
.bm-head { font-size: 1.05rem; font-weight: 700; color: #111111; margin: 0; }
.bm-card { font-size: 1.1rem; line-height: 1.45; color: #111111; overflow-wrap: anywhere; }
.bm-card b { font-size: 1.2rem; }
.bm-way { font-size: 0.95rem; color: #333333; overflow-wrap: anywhere; }
iframe { max-width: 100%; }
</style>
"""


def tx(key: str, **fmt: object) -> str:
    return texts(T, key, **fmt)


def _outcome(code: object, lang: str) -> str:
    pair = OUTCOMES.get(str(code))
    if pair is None:
        return ""
    return pair[1] if lang == "en" else pair[0]


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (m) between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, a)))


def _base_url() -> str:
    try:
        parts = urlsplit(str(st.context.url))
        base = f"{parts.scheme}://{parts.netloc}"
    except Exception:  # no browser connection
        base = "http://127.0.0.1:8501"
    path = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{base}/{path}" if path else base


def _token(household_id: int) -> str:
    """The request id of the next write for a household: the same until it is written."""
    tokens = st.session_state.setdefault(TOKENS_KEY, {})
    if household_id not in tokens:
        tokens[household_id] = uuid.uuid4().hex
    return tokens[household_id]


def _household_card(h: pd.Series, lang: str) -> str:
    parts = [str(h["address"])]
    kind = [tx("rental") if bool(h.get("rental")) else tx("own")]
    lodgers = int(h.get("lodgers") or 0)
    if lodgers:
        kind.append(tx("lodgers", n=lodgers))
    last = h.get("last_outcome")
    if isinstance(last, str) and last:
        at = pd.Timestamp(h.get("last_attempt_at"))
        when = f"{at:%m-%d %H:%M}" if pd.notna(at) else ""
        last_line = tx("last", o=_outcome(last, lang), at=when)
    else:
        last_line = tx("never")
    bring = [tx("card"), tx("register")]
    if bool(h.get("rental")):
        bring.append(tx("letter"))
    bring.append(tx("leaflet"))
    sep = ", " if lang == "en" else "、"
    lines = [
        f"<b>{html.escape(parts[0])}</b>",
        html.escape(" · ".join(kind)),
        html.escape(last_line),
        html.escape(tx("bring", items=sep.join(bring))),
    ]
    return '<div class="bm-card">' + "<br>".join(lines) + "</div>"


# ---- who, which evening ----------------------------------------------------------------------

settings = get_settings()
lang = current_language(settings.language)
st.html(CSS)
user = current_user()
scope = current_scope()
store = get_workspace().store

try:
    area = get_area()
    officers = read_table("officers", ["name", "station_id", "beat_id", "role"])
except BeatMapError as exc:
    st.error(tx("cannot_load", e=exc))
    st.stop()

params = st.query_params
try:
    date = pd.Timestamp(params.get("date") or dt.date.today()).date()
except (TypeError, ValueError):
    date = dt.date.today()
asked = params.get("officer")
asked_id = int(asked) if asked and str(asked).isdigit() else None
own_id = getattr(user, "officer_id", None) if user is not None else None
can_record = scope.may(action="record_visit")
if own_id is not None and can_record:
    officer_id = int(own_id)
    if asked_id is not None and asked_id != officer_id:
        st.info(tx("other_route"))
else:
    # a chief (or an account without an officer) looks at someone's route in its scope
    choices = officers[officers["beat_id"].notna()]
    if choices.empty:
        st.warning(tx("no_officer"))
        st.stop()
    labels = {
        int(r.id): f"{r.name}（#{int(r.id)}）· {ROLES.get(r.role, (r.role, r.role))[lang == 'en']}"
        for r in choices.itertuples()
    }
    ids = list(labels)
    default = ids.index(asked_id) if asked_id in labels else 0
    officer_id = st.selectbox(
        tx("chief_pick"), ids, index=default, format_func=labels.get, key="field_officer"
    )
me = officers[officers["id"] == officer_id]
if me.empty:
    st.warning(tx("no_officer"))
    st.stop()

# ---- tonight's route: kept in the store, rebuilt after a lost session -----------------------

record = load_route(store, officer_id, date)


def _plan_now() -> None:
    tables = {n: read_table(n) for n in ("beats", "officers", "households", "visits")}
    with st.spinner(tx("planning")):
        plan = plan_evening(area, tables, officer=int(officer_id), date=date)
    save_route(store, plan, planned_by=getattr(user, "username", ""))


if record is None:
    try:
        _plan_now()
    except BeatMapError as exc:
        st.info(tx("no_route", why=exc))
        st.stop()
    record = load_route(store, officer_id, date)
key = (int(officer_id), f"{date}", record.get("planned_at"), tuple(record["household_ids"]))
held = st.session_state.get(ROUTE_KEY)
if held is None or held[0] != key:
    tables = {n: read_table(n) for n in ("beats", "officers", "households", "visits")}
    try:
        with st.spinner(tx("planning")):
            plan = route_for(area, tables, record)
    except BeatMapError as exc:
        plan = None
        st.info(tx("no_route", why=exc))
    st.session_state[ROUTE_KEY] = (key, plan)
    st.session_state.pop(SHEET_KEY, None)
plan = st.session_state[ROUTE_KEY][1]
if plan is None:
    st.info(tx("no_route", why="—"))
    st.stop()

hh = plan.households
ids = hh["household_id"].astype(int).tolist()
evening_start = pd.Timestamp(date) + pd.Timedelta(
    hours=plan.settings.start.hour, minutes=plan.settings.start.minute
)
visits = read_table("visits")
tonight = visits[
    # recorded on the evening's day (an officer may start before the window)
    visits["household_id"].isin(ids) & (pd.to_datetime(visits["visited_at"]) >= pd.Timestamp(date))
].sort_values("visited_at")
done = {int(h): o for h, o in zip(tonight["household_id"], tonight["outcome"], strict=True)}

# ---- the phone's position (only when turned on; never stored) --------------------------------

top = st.container()
position = None
use_pos = st.toggle(tx("use_position"), key="field_use_position")
if use_pos:
    from streamlit_js_eval import get_geolocation

    loc = get_geolocation(component_key="field_geolocation")
    if loc is None:
        st.caption(tx("waiting"))
    elif isinstance(loc, dict) and isinstance(loc.get("coords"), dict):
        c = loc["coords"]
        position = (float(c["latitude"]), float(c["longitude"]), float(c.get("accuracy") or 0))
    else:
        st.caption(tx("position_off"))

# ---- header ------------------------------------------------------------------------------------

now = pd.Timestamp.now()
end_at = pd.Timestamp(date) + pd.Timedelta(
    hours=plan.settings.end.hour, minutes=plan.settings.end.minute
)
left_s = (end_at - max(now, evening_start)).total_seconds()
left = "0:00" if left_s <= 0 else f"{int(left_s // 3600)}:{int(left_s % 3600 // 60):02d}"
stop_done = {int(k): all(int(h) in done for h in g["household_id"]) for k, g in hh.groupby("stop")}
remaining_stops = [k for k, ok in stop_done.items() if not ok]
walk_left = 0.0
if remaining_stops:
    first = min(remaining_stops)
    walk_left = float(plan.stops.loc[plan.stops["stop"] >= first, "walk_m"].sum())
    walk_left += float(plan.legs[-1].length) if plan.legs else 0.0
top.markdown(
    f'<p class="bm-head">{tx("header", done=len(done), total=len(ids), left=left, walk=walk_left / 1000)}</p>',
    unsafe_allow_html=True,
)
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    for line in flash:
        top.success(line)

# ---- the next stop -------------------------------------------------------------------------

focus = st.session_state.get(FOCUS_KEY)
if focus not in ids or (focus in done and focus != st.session_state.get(KEEP_KEY)):
    focus = next((h for h in ids if h not in done), None)
    st.session_state[FOCUS_KEY] = focus


def _record(h: pd.Series, outcome: str) -> None:
    """Write one visit for household ``h`` (button callback)."""
    hid = int(h["household_id"])
    try:
        scope.check_write(store, "record_visit", household_ids=[hid])
        vid = record_visit(
            store,
            household_id=hid,
            officer_id=int(officer_id),
            outcome=outcome,
            visited_at=pd.Timestamp.now().floor("s"),
            card_given=bool(st.session_state.get(f"field_card_{hid}")),
            register_updated=bool(st.session_state.get(f"field_register_{hid}")),
            rental_letter_signed=bool(st.session_state.get(f"field_letter_{hid}")),
            camera_leaflet_given=bool(st.session_state.get(f"field_leaflet_{hid}")),
            notes=(st.session_state.get(f"field_note_{hid}") or "").strip() or None,
            request_id=_token(hid),
        )
    except AccessDenied as exc:
        st.session_state[FLASH_KEY] = [tx("denied", e=exc)]
        return
    except BeatMapError as exc:
        st.session_state[FLASH_KEY] = [tx("failed", e=exc)]
        return
    last = st.session_state.get(LAST_KEY)
    if last and last["visit_id"] == vid:
        # the same tap again (a double tap, a retry): nothing new was written
        st.session_state[FLASH_KEY] = [tx("repeat")]
        return
    audit.record(
        store,
        user=user,
        action="visit_recorded",
        object=f"visits:{vid}",
        client=client_address(),
    )
    st.session_state[LAST_KEY] = {
        "visit_id": vid,
        "household_id": hid,
        "address": str(h["address"]),
        "outcome": outcome,
        "at": pd.Timestamp.now(),
    }
    lines = [tx("recorded", addr=str(h["address"]), o=_outcome(outcome, lang))]
    pos = st.session_state.get("_field_position")
    stop = plan.stops[plan.stops["stop"] == int(h["stop"])].iloc[0]
    if pos is not None:
        metres = _metres(pos[0], pos[1], float(stop["lat"]), float(stop["lon"]))
        if metres > FAR_M:
            lines.append(tx("far", m=metres))
    st.session_state[FLASH_KEY] = lines
    # the card stays on this door (a second tap of a double tap lands on the same button);
    # "next door" moves on
    st.session_state[FOCUS_KEY] = hid
    st.session_state[KEEP_KEY] = hid
    clear_data("visits")


def _next() -> None:
    st.session_state[FOCUS_KEY] = None
    st.session_state[KEEP_KEY] = None


def _undo() -> None:
    last = st.session_state.get(LAST_KEY)
    if not last:
        return
    try:
        undo_visit(store, last["visit_id"], officer_id=int(officer_id))
    except BeatMapError as exc:
        st.session_state[FLASH_KEY] = [tx("failed", e=exc)]
        st.session_state.pop(LAST_KEY, None)
        return
    audit.record(
        store,
        user=user,
        action="visit_undone",
        object=f"visits:{last['visit_id']}",
        client=client_address(),
    )
    # a new tap on that door after an undo is a new write
    st.session_state.setdefault(TOKENS_KEY, {}).pop(int(last["household_id"]), None)
    st.session_state.pop(LAST_KEY, None)
    st.session_state[FOCUS_KEY] = int(last["household_id"])
    st.session_state[FLASH_KEY] = [tx("undone", addr=last["address"])]
    clear_data("visits")


st.session_state["_field_position"] = position
if focus is None:
    st.success(tx("all_done"))
else:
    h = hh[hh["household_id"] == focus].iloc[0]
    k = int(h["stop"])
    with st.container(border=True):
        arrive = f"{pd.Timestamp(h['arrive']):%H:%M}"
        st.markdown(f'<p class="bm-head">{tx("next", k=k, t=arrive)}</p>', unsafe_allow_html=True)
        if focus in done:
            st.markdown(f"**✓ {html.escape(tx('done_as', o=_outcome(done[focus], lang)))}**")
            st.button(
                tx("next_door"),
                key="field_next_door",
                type="primary",
                on_click=_next,
                use_container_width=True,
            )
        st.markdown(_household_card(h, lang), unsafe_allow_html=True)
        held_steps = st.session_state.get("_field_steps")
        if held_steps is None or held_steps[0] != (key, lang):
            held_steps = ((key, lang), directions(plan, lang=lang))
            st.session_state["_field_steps"] = held_steps
        steps = [s.text for s in held_steps[1] if s.leg == k - 1]
        if steps:
            way = html.escape(tx("direction", text=" ".join(steps[:2])))
            st.markdown(f'<p class="bm-way">{way}</p>', unsafe_allow_html=True)
        if position is not None:
            stop = plan.stops[plan.stops["stop"] == k].iloc[0]
            metres = _metres(position[0], position[1], float(stop["lat"]), float(stop["lon"]))
            st.markdown(f"**{tx('distance', m=metres)}**")
        hid = int(h["household_id"])
        t1, t2 = st.columns(2)
        t1.checkbox(tx("t_card"), key=f"field_card_{hid}")
        t2.checkbox(tx("t_register"), key=f"field_register_{hid}")
        t3, t4 = st.columns(2)
        t3.checkbox(tx("t_letter"), key=f"field_letter_{hid}", disabled=not bool(h.get("rental")))
        t4.checkbox(tx("t_leaflet"), key=f"field_leaflet_{hid}")
        st.text_input(tx("note"), key=f"field_note_{hid}", max_chars=500)
        cols = [*st.columns(2), *st.columns(2)]
        for col, outcome in zip(cols, OUTCOME_BUTTONS, strict=True):
            col.button(
                tx(outcome),
                key=f"field_{outcome}_{hid}",
                type="primary" if outcome == "visited" else "secondary",
                on_click=_record,
                args=(h, outcome),
                disabled=not can_record,
                use_container_width=True,
            )

last = st.session_state.get(LAST_KEY)
if last is None and can_record:
    # after a lost session: the officer's own latest record of the last minutes
    mine = visits[visits["officer_id"] == int(officer_id)]
    if len(mine):
        row = mine.sort_values("visited_at").iloc[-1]
        if (now - pd.Timestamp(row["visited_at"])).total_seconds() <= UNDO_MINUTES * 60:
            match = hh[hh["household_id"] == int(row["household_id"])]
            last = {
                "visit_id": int(row["id"]),
                "household_id": int(row["household_id"]),
                "address": str(match["address"].iloc[0]) if len(match) else "",
                "outcome": str(row["outcome"]),
                "at": pd.Timestamp(row["visited_at"]),
            }
            st.session_state[LAST_KEY] = last
if last and (now - pd.Timestamp(last["at"])).total_seconds() <= UNDO_MINUTES * 60:
    st.button(
        tx("undo", addr=last["address"], o=_outcome(last["outcome"], lang)),
        key="field_undo",
        on_click=_undo,
        use_container_width=True,
    )

# ---- the map: framed to the route and the next stop -----------------------------------------

try:
    features = base_features_cached() if settings.tile_url is None else None
    m = base_map(
        area,
        tiles=settings.tile_url,
        attribution=settings.tiles_attribution,
        features=features,
        lang=lang,
        legend=False,
        static_url=static_url(st.get_option("server.baseUrlPath") or ""),
    )
    route_layer(plan.path_gdf(), name=tx("route"), lang=lang).add_to(m)
    stops = plan.stops_gdf()
    done_stops = {k for k, ok in stop_done.items() if ok}
    stops_layer(stops, name=tx("stops"), lang=lang, done=done_stops).add_to(m)
    bounds = list(stops.total_bounds)
    if focus is not None:
        s = plan.stops[
            plan.stops["stop"] == int(hh.loc[hh["household_id"] == focus, "stop"].iloc[0])
        ].iloc[0]
        next_stop_layer(
            float(s["lat"]),
            float(s["lon"]),
            name=tx("next_layer"),
            address=str(s["address"]),
            lang=lang,
        ).add_to(m)
    if position is not None:
        position_layer(
            position[0], position[1], name=tx("me"), accuracy_m=position[2], lang=lang
        ).add_to(m)
        bounds = [
            min(bounds[0], position[1]), min(bounds[1], position[0]),
            max(bounds[2], position[1]), max(bounds[3], position[0]),
        ]  # fmt: skip
    west, south, east, north = bounds
    m.fit_bounds([[south, west], [north, east]], padding=(16, 16))
    st_folium(m, key="field_map", returned_objects=[], height=320, use_container_width=True)
except MissingAssetError as exc:
    st.error(f"{tx('map')}: {exc}")

# ---- the whole route ------------------------------------------------------------------------

st.subheader(tx("list"))
for _, r in hh.iterrows():
    hid = int(r["household_id"])
    mark = f" {tx('done_mark')} {_outcome(done[hid], lang)}" if hid in done else ""
    label = f"{int(r['stop'])}. {pd.Timestamp(r['arrive']):%H:%M} {r['address']}{mark}"
    if st.button(label, key=f"field_goto_{hid}", use_container_width=True):
        st.session_state[FOCUS_KEY] = hid
        st.session_state[KEEP_KEY] = hid
        st.rerun()

# ---- re-plan, print, team ------------------------------------------------------------------

if can_record and st.button(tx("replan"), key="field_replan", use_container_width=True):
    try:
        _plan_now()
    except BeatMapError as exc:
        st.warning(tx("no_route", why=exc))
    else:
        st.session_state.pop(ROUTE_KEY, None)
        st.rerun()

if scope.may(action="print"):
    with st.expander(tx("sheet")):
        if st.button(tx("sheet_make"), key="field_sheet_make", use_container_width=True):
            try:
                pdf = sheet_pdf(
                    plan,
                    area,
                    lang=lang,
                    show_personal=scope.show_personal,
                    field_link=field_url(_base_url(), plan),
                )
            except BeatMapError as exc:
                st.error(tx("failed", e=exc))
            else:
                st.session_state[SHEET_KEY] = pdf
                audit.record(
                    store, user=user, action="print", object=f"route:{date}:{officer_id}",
                    client=client_address(),
                )  # fmt: skip
        if st.session_state.get(SHEET_KEY):
            st.download_button(
                tx("sheet_download"),
                st.session_state[SHEET_KEY],
                file_name=f"route-{date}-{officer_id}.pdf",
                mime="application/pdf",
                use_container_width=True,
            )

if scope.may(action="print"):
    with st.expander(tx("team")):
        beat_id = me["beat_id"].iloc[0]
        crew = officers[officers["beat_id"] == beat_id]
        crew_labels = {
            int(r.id): f"{r.name}（{ROLES.get(r.role, (r.role, r.role))[lang == 'en']}）"
            for r in crew.itertuples()
        }
        members = st.multiselect(
            tx("team_members"),
            list(crew_labels),
            default=[int(officer_id)],
            format_func=crew_labels.get,
            key="field_team_members",
        )
        w1, w2 = st.columns(2)
        start = w1.time_input(tx("team_start"), dt.time(16, 0), key="field_team_start")
        end = w2.time_input(tx("team_end"), dt.time(20, 0), key="field_team_end")
        if st.button(tx("team_go"), key="field_team_go", use_container_width=True, type="primary"):
            try:
                ev = EveningSettings(start=f"{start:%H:%M}", end=f"{end:%H:%M}")
                tables = {n: read_table(n) for n in ("beats", "officers", "households", "visits")}
                with st.spinner(tx("planning")):
                    team = plan_team(area, tables, members=members, date=date, settings=ev)
                save_team(store, team, planned_by=getattr(user, "username", ""))
            except BeatMapError as exc:
                st.warning(tx("no_route", why=exc))
            else:
                st.session_state["_field_team"] = team
                st.session_state.pop(ROUTE_KEY, None)
                st.success(tx("team_done", n=len(members), s=team.summary(lang)))
        team = st.session_state.get("_field_team")
        if team is not None and team.date == date:
            for _, row in team.table(lang).iterrows():
                st.markdown(" · ".join(str(v) for v in row.to_numpy()))
            who = st.selectbox(
                tx("team_member_sheet"),
                [m for m in team.members if team.plans.get(m) is not None],
                format_func=crew_labels.get,
                key="field_team_sheet_who",
            )
            pdf = None
            if who is not None and st.button(
                tx("sheet_make"), key="field_team_sheet_make", use_container_width=True
            ):
                # the member's kept route, as their field page shows it
                tables = {n: read_table(n) for n in ("beats", "officers", "households", "visits")}
                try:
                    member_plan = route_for(area, tables, load_route(store, who, date) or {})
                    pdf = (
                        None
                        if member_plan is None
                        else sheet_pdf(
                            member_plan,
                            area,
                            lang=lang,
                            show_personal=scope.show_personal,
                            field_link=field_url(_base_url(), member_plan),
                        )
                    )
                except BeatMapError as exc:
                    pdf = None
                    st.error(tx("failed", e=exc))
            if who is not None and pdf is not None:
                audit.record(
                    store, user=user, action="print", object=f"route:{date}:{who}",
                    client=client_address(),
                )  # fmt: skip
                st.download_button(
                    tx("sheet_download"),
                    pdf,
                    file_name=f"route-{date}-{who}.pdf",
                    mime="application/pdf",
                    key="field_team_sheet_download",
                    use_container_width=True,
                )
