"""社区工作 Community: balanced beats, officer time, night noise, mediation, WeChat reach.

Widgets only: the figures come from :mod:`geo.partition`, :mod:`geo.workload`,
:mod:`geo.noise`, :mod:`geo.mediation` and :mod:`geo.wechat` (cached in ``ui/cache.py``), the
maps from :mod:`layers.community`. Every section has an export.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import mediation, noise, wechat, workload
from geo._errors import BeatMapError
from geo.exports import to_csv_bytes, to_xlsx_bytes
from geo.partition import Weights, write_proposal
from layers import MissingAssetError, base_map, static_url
from layers.community import beats_outline_layer, noise_layer, wechat_layer
from ui.auth import current_scope
from ui.cache import (
    base_features_cached,
    beat_proposal,
    current_language,
    get_area,
    get_settings,
    noise_incidents,
    officer_weekly,
    read_table,
    t,
)

MAP_HEIGHT = 480

settings = get_settings()
lang = current_language(settings.language)
allowed = current_scope().show_personal

try:
    area = get_area()
    beats = read_table("beats")
    stations = read_table("stations", ["name"])
    households = read_table("households")
    officers = read_table("officers")
    mediations = read_table("mediations")
except BeatMapError as exc:
    st.error(t(f"无法载入数据：{exc}", f"Cannot load the data: {exc}"))
    st.stop()

st.header(t("社区工作", "Community practice"))


def _map(layers: list, key: str) -> None:
    """A base map of the area with ``layers``, drawn offline."""
    try:
        m = base_map(
            area,
            tiles=settings.tile_url,
            attribution=settings.tiles_attribution,
            lang=lang,
            features=base_features_cached(),
            static_url=static_url(st.get_option("server.baseUrlPath") or ""),
        )
        for layer in layers:
            layer.add_to(m)
        folium.LayerControl(collapsed=True, position="topright").add_to(m)
        st_folium(m, key=key, returned_objects=[], height=MAP_HEIGHT, use_container_width=True)
    except MissingAssetError as exc:
        st.error(t(f"地图资源缺失：{exc}", f"Map assets missing: {exc}"))


def _beat_name(beat_id) -> str:
    names = beats.set_index("id")["name"]
    return str(names.get(beat_id, beat_id))


tab_beats, tab_time, tab_noise, tab_med, tab_wechat = st.tabs(
    [
        t("警务区划分", "Balanced beats"),
        t("社区时长", "Officer time"),
        t("夜间噪音", "Night noise"),
        t("调解", "Mediation"),
        t("微信群", "WeChat reach"),
    ]
)

# ---- balanced beats -----------------------------------------------------------------------
with tab_beats:
    st.caption(
        t(
            "按工作量均衡地重新划分派出所的警务区：沿街巷连片、形状紧凑、小区和院落不拆分。"
            "方案供审阅，采用时由管理员导入。",
            "Redraw a station's beats balanced by workload: contiguous along streets, compact, "
            "estates and courtyards whole. A proposal is for review; adopting it is an "
            "administrator's import.",
        )
    )
    station_ids = sorted(int(s) for s in beats["station_id"].dropna().unique())
    if not station_ids:
        st.info(t("没有警务区数据。", "No beats loaded."))
    else:
        names = stations.set_index("id")["name"] if len(stations) else pd.Series(dtype=object)
        c1, c2 = st.columns(2)
        station = c1.selectbox(
            t("派出所", "Station"),
            station_ids,
            format_func=lambda s: str(names.get(s, s)),
            key="com_station",
        )
        today_n = int((beats["station_id"] == station).sum())
        count = c2.number_input(
            t("警务区数", "Number of beats"), min_value=1, max_value=60, value=today_n
        )
        st.markdown(t("**工作量权重**（每户基础为 1）", "**Workload weights** (1 per household)"))
        w1, w2, w3 = st.columns(3)
        weights = Weights(
            rental=w1.number_input(t("出租房加权", "Extra per rental"), 0.0, 5.0, 0.5, 0.1),
            lodger=w2.number_input(t("每名寄住人口加权", "Extra per lodger"), 0.0, 5.0, 0.2, 0.1),
            incident=w3.number_input(t("每起警情加权", "Extra per incident"), 0.0, 5.0, 0.3, 0.1),
        )
        try:
            prop = beat_proposal(int(station), int(count), weights)
        except BeatMapError as exc:
            st.error(str(exc))
            st.stop()
        st.dataframe(prop.summary_table(lang).round(3), use_container_width=True)
        if prop.estates_split:
            st.caption(
                t(
                    f"以下小区超过一个警务区的四成，按楼栋拆分：{'、'.join(prop.estates_split)}",
                    "Estates larger than 40 % of a beat, split by building: "
                    + ", ".join(prop.estates_split),
                )
            )
        m1, m2 = st.columns(2)
        with m1:
            st.subheader(t("现状", "Today"))
            _map([beats_outline_layer(prop.today, name=t("现状", "Today"), lang=lang)], "com_today")
            st.dataframe(prop.figures_table("today", lang), hide_index=True)
        with m2:
            st.subheader(t("方案", "Proposed"))
            _map(
                [beats_outline_layer(prop.beats, name=t("方案", "Proposed"), lang=lang)],
                "com_prop",
            )
            st.dataframe(prop.figures_table("proposed", lang), hide_index=True)

        def _gpkg() -> bytes:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "proposal.gpkg"
                write_proposal(prop, path)
                return path.read_bytes()

        e1, e2 = st.columns(2)
        e1.download_button(
            t("下载方案（GPKG，可在 QGIS 中审阅）", "Proposal (GPKG, for QGIS)"),
            data=_gpkg,
            file_name=f"beats_proposal_station{station}.gpkg",
            mime="application/geopackage+sqlite3",
            key="com_gpkg",
        )
        e2.download_button(
            t("下载对比表（XLSX）", "Comparison (XLSX)"),
            data=to_xlsx_bytes(
                {
                    t("对比", "summary"): prop.summary_table(lang).reset_index(),
                    t("现状", "today"): prop.figures_table("today", lang),
                    t("方案", "proposed"): prop.figures_table("proposed", lang),
                }
            ),
            file_name=f"beats_comparison_station{station}.xlsx",
            key="com_xlsx",
        )

# ---- officer time -------------------------------------------------------------------------
with tab_time:
    target = float(settings.weekly_hours_target)
    st.caption(
        t(
            f"每名民警每周在社区的时长：每次走访计 10 分钟，同一晚相邻两次走访之间及往返警务室的"
            f"步行计入，现场邻里沟通会每次计 1 小时。目标每周 {target:g} 小时（设置项 "
            "weekly_hours_target）。",
            "Hours a week in the community per officer: 10 minutes per visit, the walk between "
            "visits of one evening and to and from the office, an hour per on-site neighbour "
            f"meeting. Target {target:g} h a week (setting weekly_hours_target).",
        )
    )
    weekly = officer_weekly()
    if weekly.empty:
        st.info(t("还没有走访记录。", "No visits recorded yet."))
    else:
        last_day = pd.to_datetime(read_table("visits")["visited_at"]).max()
        table = workload.against_target(
            weekly, officers, target=target, partial_last=last_day.day_of_week != 6
        )
        shown = workload.target_table(table, lang)
        shown[workload.T("beat", lang)] = [_beat_name(b) for b in table["beat_id"]]
        st.dataframe(shown, hide_index=True, use_container_width=True)
        names = officers.set_index("id")["name"]
        wide = weekly.pivot_table(index="week", columns="officer_id", values="hours").fillna(0)
        label_of = {o: f"{names.get(o, o)} ({o})" for o in wide.columns}
        pick = st.multiselect(
            t("趋势：选择民警", "Trend: officers"),
            list(label_of.values()),
            default=[label_of[o] for o in table["officer_id"].head(5) if o in label_of],
            key="com_officers",
        )
        chosen_ids = [o for o, label in label_of.items() if label in pick]
        if chosen_ids:
            chart = wide[chosen_ids].rename(columns=label_of)
            chart[t("目标", "target")] = target
            st.line_chart(chart)
        st.download_button(
            t("导出（XLSX）", "Export (XLSX)"),
            data=to_xlsx_bytes(
                {
                    t("对比目标", "against target"): shown,
                    t("每周", "weekly"): weekly.assign(
                        officer=[str(names.get(o, o)) for o in weekly["officer_id"]]
                    ),
                }
            ),
            file_name="officer_hours.xlsx",
            key="com_hours_xlsx",
        )

# ---- night noise --------------------------------------------------------------------------
with tab_noise:
    segs, assigned = noise_incidents(lang)
    if assigned.empty:
        st.info(t("没有噪音或纠纷警情。", "No noise or dispute incidents."))
    else:
        streets = sorted(
            s for s in segs.loc[segs["segment"].isin(assigned["segment"]), "street"].unique() if s
        )
        c1, c2, c3 = st.columns(3)
        street = c1.selectbox(
            t("街道", "Street"),
            ["", *streets],
            format_func=lambda s: s or t("全部", "all streets"),
            key="com_street",
        )
        area_beat = c2.selectbox(
            t("范围（警务区）", "Area (beat)"),
            [0, *[int(b) for b in beats["id"]]],
            format_func=lambda b: _beat_name(b) if b else t("全部", "all beats"),
            key="com_noise_beat",
        )
        last_night = pd.Timestamp(assigned["night_of"].max())
        meeting = c3.date_input(
            t("上次商户沟通会", "Last meeting with shop owners"),
            value=(last_night - pd.Timedelta(days=28)).date(),
            key="com_meeting",
        )
        polygon = None
        if area_beat:
            polygon = beats[beats["id"] == area_beat].to_crs(segs.crs).geometry.iloc[0]
        chosen = noise.select(assigned, segs, street=street or None, area=polygon)
        st.subheader(t("路段 × 时段", "Segment × hour"))
        heat = noise.heat_table(chosen, lang=lang)
        hours = [c for c in heat.columns if len(c) == 2 and c.isdigit()]
        st.dataframe(
            heat.style.background_gradient(cmap="Reds", subset=hours, axis=None),
            hide_index=True,
            use_container_width=True,
        )
        st.subheader(t("每周夜间起数", "Night incidents per week"))
        st.bar_chart(noise.weekly(chosen))
        counts = chosen[chosen["night"]].groupby("segment").size()
        _map(
            [noise_layer(segs.to_crs(4326), counts, name=t("夜间噪音", "Night noise"), lang=lang)],
            "com_noise_map",
        )
        try:
            summary = noise.meeting_summary(chosen, last_meeting=meeting, lang=lang)
            place = street or (_beat_name(area_beat) if area_beat else area.name)
            page = noise.summary_html(summary, place=place)
        except BeatMapError as exc:
            st.warning(str(exc))
            page = None
        e1, e2 = st.columns(2)
        if page is not None:
            e1.download_button(
                t("商户沟通会一页纸（HTML，可打印）", "One-page summary (HTML, printable)"),
                data=page.encode("utf-8"),
                file_name="night_noise_summary.html",
                mime="text/html",
                key="com_noise_html",
            )
        e2.download_button(
            t("导出路段×时段表（CSV）", "Segment × hour table (CSV)"),
            data=to_csv_bytes(heat),
            file_name="night_noise_segments.csv",
            mime="text/csv",
            key="com_noise_csv",
        )

# ---- mediation ----------------------------------------------------------------------------
with tab_med:
    if mediations.empty:
        st.info(t("还没有调解记录。", "No mediation records yet."))
    else:
        summary = mediation.beat_summary(mediations, beats)
        st.subheader(t("各警务区调解情况", "Mediation per beat"))
        labelled = mediation.summary_labels(summary, lang)
        st.dataframe(labelled, use_container_width=True)
        c1, c2 = st.columns(2)
        beat_ids = [int(b) for b in summary.index if summary.loc[b, "total"] > 0]
        beat = c1.selectbox(
            t("警务区", "Beat"), beat_ids, format_func=_beat_name, key="com_med_beat"
        )
        week = c2.date_input(
            t("周（任选一天）", "Week (any day)"),
            value=pd.Timestamp(mediations["held_on"].max()).date(),
            key="com_med_week",
        )
        st.subheader(t("本周邻里沟通会清单", "This week's meeting list"))
        weekly_list = mediation.weekly_list(
            mediations, beat_id=beat, week_of=week, show_personal=allowed, lang=lang
        )
        if weekly_list.empty:
            st.info(t("本周没有调解或需跟进的事项。", "Nothing heard or due this week."))
        else:
            st.dataframe(weekly_list, hide_index=True, use_container_width=True)
        st.download_button(
            t("导出（XLSX）", "Export (XLSX)"),
            data=to_xlsx_bytes(
                {t("本周清单", "week"): weekly_list, t("各警务区", "per beat"): labelled}
            ),
            file_name=f"mediation_beat{beat}_{pd.Timestamp(week):%Y%m%d}.xlsx",
            key="com_med_xlsx",
        )

# ---- WeChat reach -------------------------------------------------------------------------
with tab_wechat:
    per_beat = wechat.reach_by_beat(households, beats)
    st.subheader(t("各警务区入群率", "Share in a WeChat group per beat"))
    st.dataframe(wechat.reach_table(per_beat, lang), use_container_width=True)
    beat_ids = [int(b) for b in per_beat.index if per_beat.loc[b, "households"] > 0]
    if beat_ids:
        beat = st.selectbox(
            t("警务区", "Beat"), beat_ids, format_func=_beat_name, key="com_wx_beat"
        )
        places = wechat.reach_by_building(households, beat_id=beat)
        st.subheader(
            t("楼栋与院落（无人入群的排在前面）", "Buildings and courtyards (nobody first)")
        )
        st.dataframe(wechat.reach_table(places, lang), hide_index=True, use_container_width=True)
        _map([wechat_layer(places, name=t("微信群", "WeChat"), lang=lang)], "com_wx_map")
        st.download_button(
            t("导出（XLSX）", "Export (XLSX)"),
            data=to_xlsx_bytes(
                {
                    t("楼栋院落", "places"): wechat.reach_table(places, lang),
                    t("各警务区", "per beat"): wechat.reach_table(per_beat, lang),
                }
            ),
            file_name=f"wechat_beat{beat}.xlsx",
            key="com_wx_xlsx",
        )
