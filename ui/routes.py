"""路线 Routes: tonight's walking route of a community officer, the printed sheet, and what
happened at each door.

Widgets only: the route comes from :func:`geo.evening.plan_evening`, the directions from
:mod:`geo.directions`, the sheet from :mod:`geo.sheet`, the map layers from
:mod:`layers.route`. The plan is kept in the session (it holds shapely geometries and the
beat's network) and planned again when the officer, date or settings change, or on request.
Ticking a stop writes a visit through :func:`geo.evening.record_visit` (one transaction) and
clears the cached tables, so coverage and the next route know.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo._errors import BeatMapError
from geo.auth import audit
from geo.directions import directions
from geo.evening import (
    TICK_FIELDS,
    EveningSettings,
    plan_campaign,
    plan_evening,
    record_visit,
)
from geo.i18n import tr
from geo.model import OUTCOMES
from geo.sheet import sheet_html, sheet_pdf
from layers import MissingAssetError, base_map, static_url
from layers.legend import Legend
from layers.route import route_layer, route_legend_items, stops_layer
from ui.auth import client_address, current_scope, current_user
from ui.cache import (
    base_features_cached,
    clear_data,
    current_language,
    get_area,
    get_settings,
    get_workspace,
    read_table,
    t,
)
from ui.progress import progress_box

MAP_KEY = "route_map"
PLAN_KEY = "_route_plan"
SHEET_KEY = "_route_sheet"
DONE_KEY = "_route_recorded"
FLASH_KEY = "_route_flash"
MAP_HEIGHT = 520

settings = get_settings()
lang = current_language(settings.language)

try:
    area = get_area()
    officers = read_table("officers", ["name", "station_id", "beat_id", "role"])
    beats = read_table("beats", ["name", "station_id"])
except BeatMapError as exc:
    st.error(t(f"无法载入数据：{exc}", f"Cannot load the data: {exc}"))
    st.stop()

st.header(t("路线", "Routes"))

community = officers[(officers["role"] == "community_officer") & officers["beat_id"].notna()]
if community.empty:
    st.info(t("没有负责警务区的社区民警。", "No community officer has a beat."))
    st.stop()
beat_name = dict(zip(beats["id"].astype(int), beats["name"].astype(str), strict=True))
labels = {
    int(r.id): f"{r.name}（#{int(r.id)}）· {beat_name.get(int(r.beat_id), '')}"
    for r in community.itertuples()
}

c1, c2 = st.columns([2, 1])
officer_id = c1.selectbox(
    t("社区民警", "Community officer"),
    options=list(labels),
    format_func=lambda i: labels[i],
    key="route_officer",
)
date = c2.date_input(t("日期", "Date"), value=dt.date.today(), key="route_date")
with st.expander(t("时段与步速", "Window and pace")):
    d1, d2, d3, d4 = st.columns(4)
    defaults = EveningSettings()
    start = d1.time_input(t("开始", "Start"), value=defaults.start, key="route_start")
    end = d2.time_input(t("结束", "End"), value=defaults.end, key="route_end")
    service = d3.number_input(
        t("每户分钟", "Minutes per household"), 1.0, 120.0, float(defaults.service_min), 1.0,
        key="route_service",
    )  # fmt: skip
    speed = d4.number_input(
        t("步速（公里/时）", "Walking speed (km/h)"), 1.0, 10.0, float(defaults.speed_kmh), 0.5,
        key="route_speed",
    )  # fmt: skip
replan = st.button(t("重新规划", "Plan again"), key="route_replan")

plan_key = (int(officer_id), str(date), str(start), str(end), float(service), float(speed))
held = st.session_state.get(PLAN_KEY)
if replan or held is None or held[0] != plan_key:
    try:
        ev = EveningSettings(
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
            service_min=float(service),
            speed_kmh=float(speed),
        )
        tables = {n: read_table(n) for n in ("beats", "officers", "households", "visits")}
        with st.spinner(t("正在规划路线…", "Planning the route ...")):
            plan = plan_evening(area, tables, officer=int(officer_id), date=date, settings=ev)
    except BeatMapError as exc:
        st.session_state.pop(PLAN_KEY, None)
        st.warning(t(f"无法规划：{exc}", f"No route: {exc}"))
        st.stop()
    st.session_state[PLAN_KEY] = (plan_key, plan)
    st.session_state.pop(SHEET_KEY, None)
    st.session_state[DONE_KEY] = {}
plan = st.session_state[PLAN_KEY][1]
recorded: dict[int, str] = st.session_state.setdefault(DONE_KEY, {})

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.toast(flash)
    st.success(flash)
st.info(plan.summary(lang))
if plan.left_unplanned:
    st.caption(
        t(
            f"本晚未排入 {plan.left_unplanned} 户（时间不够）。",
            f"{plan.left_unplanned} households did not fit tonight.",
        )
    )
if len(plan.unreachable):
    st.warning(
        t(
            f"{len(plan.unreachable)} 户不在步行网络上，无法到达，请核实位置。",
            f"{len(plan.unreachable)} households are off the walking network; check them.",
        )
    )

# ---- map ----------------------------------------------------------------------------------
done_stops = {
    int(k)
    for k, grp in plan.households.groupby("stop")
    if all(int(h) in recorded for h in grp["household_id"])
}
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
    route_layer(plan.path_gdf(), name=t("步行路线", "Walking route"), lang=lang).add_to(m)
    stops = plan.stops_gdf(lang)
    stops_layer(stops, name=t("走访站", "Stops"), lang=lang, done=done_stops).add_to(m)
    m.add_child(Legend(route_legend_items(lang=lang), title=t("路线", "Route")))
    # framed to the route and every stop, zoomed in quarter steps so the frame stays tight
    path = plan.path_gdf()
    boxes = [stops.total_bounds] + ([path.total_bounds] if len(path) else [])
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    m.options["zoom_snap"] = 0.25
    m.fit_bounds([[south, west], [north, east]], padding=(20, 20))
    st_folium(m, key=MAP_KEY, returned_objects=[], height=MAP_HEIGHT, use_container_width=True)
except MissingAssetError as exc:
    st.error(t(f"地图资源缺失：{exc}", f"Map assets missing: {exc}"))

# ---- stop list ----------------------------------------------------------------------------
hh = plan.households
outcome_label = {k: tr(*v, lang) for k, v in OUTCOMES.items()}
never = t("未走访", "never")
table = pd.DataFrame(
    {
        t("站", "Stop"): hh["stop"],
        t("到达", "Time"): pd.to_datetime(hh["arrive"]).dt.strftime("%H:%M"),
        t("地址", "Address"): hh["address"],
        t("出租", "Rental"): hh["rental"],
        t("寄住", "Lodgers"): hh["lodgers"],
        t("上次结果", "Last outcome"): [
            outcome_label.get(str(o), never) if isinstance(o, str) else never
            for o in hh["last_outcome"]
        ],
        t("今晚记录", "Recorded tonight"): [
            outcome_label.get(recorded.get(int(h), ""), "") for h in hh["household_id"]
        ],
    }
)
st.subheader(t("走访清单", "Stops"))
st.dataframe(table, hide_index=True, use_container_width=True)
note_col = tr("note_zh", "note_en", lang)
for k, n in zip(plan.stops["stop"], plan.stops[note_col], strict=True):
    if n:
        st.caption(t(f"第{k}站：{n}", f"Stop {k}: {n}"))

with st.expander(t("路线说明", "Directions")):
    st.markdown("\n".join(f"{i}. {s.text}" for i, s in enumerate(directions(plan, lang=lang), 1)))

# ---- the campaign: evenings left and the target date ------------------------------------
with st.expander(t("走访计划：剩余晚数与目标日期", "Campaign: evenings left and the target date")):
    k1, k2 = st.columns(2)
    target = k1.date_input(
        t("目标完成日期", "Target date"), value=dt.date(plan.date.year, 6, 30), key="route_target"
    )
    if k2.button(t("计算走访计划", "Plan the campaign"), key="route_campaign"):
        try:
            with progress_box(t("正在分配各晚路线", "Splitting into evenings")) as progress:
                camp = plan_campaign(
                    area,
                    {n: read_table(n) for n in ("beats", "officers", "households", "visits")},
                    officer=int(plan.officer_id),
                    start_date=plan.date,
                    target_date=target,
                    settings=plan.settings,
                    progress=progress,
                )
        except BeatMapError as exc:
            st.warning(str(exc))
        else:
            (st.success if camp.holds else st.error)(camp.summary(lang))
            st.dataframe(camp.table(lang), hide_index=True, use_container_width=True)

# ---- the sheet ----------------------------------------------------------------------------
sheet = st.session_state.get(SHEET_KEY)
if sheet is None or sheet[0] != (plan_key, lang):
    if st.button(t("生成打印单（PDF）", "Make the printed sheet (PDF)"), key="route_make_pdf"):
        try:
            with st.spinner(t("正在生成…", "Drawing ...")):
                allowed = current_scope().show_personal
                pdf = sheet_pdf(plan, area, lang=lang, show_personal=allowed)
                page = sheet_html(plan, area, lang=lang, show_personal=allowed)
            st.session_state[SHEET_KEY] = ((plan_key, lang), pdf, page)
            audit.record(
                get_workspace().store, user=current_user(), action="print",
                object=f"route officer {plan.officer_id} {plan.date}", client=client_address(),
            )  # fmt: skip
            st.rerun()
        except BeatMapError as exc:
            st.error(str(exc))
else:
    name = f"route_{plan.date}_officer{plan.officer_id}"
    s1, s2 = st.columns(2)
    s1.download_button(
        t("下载打印单 PDF", "Download the sheet (PDF)"),
        data=sheet[1],
        file_name=f"{name}.pdf",
        mime="application/pdf",
        key="route_pdf",
    )
    s2.download_button(
        t("下载打印网页 HTML", "Download the print page (HTML)"),
        data=sheet[2].encode("utf-8"),
        file_name=f"{name}.html",
        mime="text/html",
        key="route_html",
    )

# ---- record what happened at the door -------------------------------------------------------
st.subheader(t("记录走访结果", "Record a visit"))
choices = {
    int(r.household_id): f"{t('第', 'Stop ')}{int(r.stop)}{t('站', '')} · {r.address}"
    for r in hh.itertuples()
}
tick_labels = {
    "card_given": t("发放联系卡", "Card given"),
    "register_updated": t("登记更新", "Register updated"),
    "rental_letter_signed": t("签订责任书", "Rental letter signed"),
    "camera_leaflet_given": t("发放宣传单", "Camera leaflet given"),
    "camera_install_accepted": t("同意安装摄录一体机", "Camera install accepted"),
}
with st.form("route_record", clear_on_submit=True):
    household_id = st.selectbox(
        t("住户", "Household"), options=list(choices), format_func=lambda i: choices[i],
        key="route_household",
    )  # fmt: skip
    outcome = st.radio(
        t("结果", "Outcome"),
        options=["visited", "not_home", "refused", "moved_away"],
        format_func=lambda k: outcome_label[k],
        horizontal=True,
        key="route_outcome",
    )
    cols = st.columns(len(TICK_FIELDS))
    ticks = {
        f: cols[i].checkbox(tick_labels[f], key=f"route_tick_{f}")
        for i, f in enumerate(TICK_FIELDS)
    }
    note = st.text_input(t("备注", "Notes"), key="route_note")
    submitted = st.form_submit_button(t("保存记录", "Save"))
if submitted and household_id is not None:
    row = hh[hh["household_id"] == int(household_id)].iloc[0]
    now = pd.Timestamp.now()
    when = now.floor("s") if plan.date == now.date() else pd.Timestamp(row["arrive"]).floor("s")
    try:
        current_scope().check_write(
            get_workspace().store, "record_visit", household_ids=[int(household_id)]
        )
        vid = record_visit(
            get_workspace().store,
            household_id=int(household_id),
            officer_id=int(plan.officer_id),
            outcome=str(outcome),
            visited_at=when,
            notes=note or None,
            **ticks,
        )
    except BeatMapError as exc:
        st.error(str(exc))
    else:
        clear_data("visits")
        recorded[int(household_id)] = str(outcome)
        audit.record(
            get_workspace().store, user=current_user(), action="visit_recorded",
            object=f"visits:{vid}", client=client_address(),
        )  # fmt: skip
        st.session_state["_route_last_visit"] = vid
        st.session_state[FLASH_KEY] = t(
            f"已记录：{choices[int(household_id)]} —— {outcome_label[outcome]}",
            f"Recorded: {choices[int(household_id)]} — {outcome_label[outcome]}",
        )
        st.rerun()
