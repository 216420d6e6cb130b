"""覆盖率 Coverage: where household visiting lags, and why (the chief's view).

Widgets only: the figures come from :func:`geo.coverage_store.coverage_view`, counted in the
database (cached in ``ui/cache.py``), the map from :func:`layers.coverage_map.coverage_map`.
Filters come from the shared sidebar (``ui/sidebar.py``). Panning the map does not rerun the page; clicking a beat (on
the map or in the table) selects it and shows its households, officers and trend.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo._errors import BeatMapError
from geo.coverage import MAX_POINTS, STATUS_LABELS
from geo.exports import to_csv_bytes, to_xlsx_bytes
from geo.filters import apply_filters
from geo.labels import labelled
from geo.model import INCIDENT_CATEGORIES
from layers import MissingAssetError, static_url, to_standalone_html
from layers.coverage_map import coverage_map
from ui.cache import (
    base_features_cached,
    coverage_view,
    current_language,
    get_area,
    get_settings,
    read_table,
    t,
    wechat_reach,
)
from ui.sidebar import current_filters

MAP_HEIGHT = 600
BEAT_KEY = "cov_beat"
PENDING_KEY = "_cov_pending_beat"
CLICK_KEY = "_cov_last_click"
MAP_KEY = "coverage_map"
TAB_KEY = "cov_tab"

settings = get_settings()
lang = current_language(settings.language)
filters = current_filters()

try:
    area = get_area()
    beats_all = read_table("beats", ["name", "station_id"])
    officers_all = read_table("officers", ["name", "station_id", "beat_id", "role"])
except BeatMapError as exc:
    st.error(t(f"无法载入数据：{exc}", f"Cannot load the data: {exc}"))
    st.stop()

st.header(t("覆盖率", "Coverage"))

# ---- campaign target and map options ----------------------------------------------------
default_due = (filters.end or pd.Timestamp("2026-06-30")).date()
with st.expander(t("走访目标与地图选项", "Campaign target and map options")):
    c1, c2, c3 = st.columns(3)
    target_pct = c1.number_input(
        t("目标覆盖率（%）", "Target coverage (%)"),
        min_value=1,
        max_value=100,
        value=100,
        step=5,
        key="cov_target",
    )
    target_date = c2.date_input(
        t("目标完成日期", "Target date"), value=default_due, key="cov_target_date"
    )
    window_days = c3.number_input(
        t("进度按最近几天计算", "Pace over the last ... days"),
        min_value=3,
        max_value=60,
        value=14,
        key="cov_window",
    )
    c4, c5, c6, c7 = st.columns([2, 1, 1, 2])
    categories = c4.multiselect(
        t("热力图警情类别", "Incident categories (heat map)"),
        options=list(INCIDENT_CATEGORIES),
        format_func=lambda c: t(*INCIDENT_CATEGORIES[c]),
        key="cov_categories",
        placeholder=t("全部", "All"),
    )
    hour_from = c5.selectbox(t("从（时）", "From hour"), range(24), index=0, key="cov_hour_from")
    hour_to = c6.selectbox(t("到（时）", "To hour"), range(24), index=23, key="cov_hour_to")
    heat_open = c7.radio(
        t("打开时显示热力图", "Heat map shown at first"),
        options=["none", "unvisited", "incidents"],
        format_func=lambda k: {
            "none": t("不显示", "none"),
            "unvisited": t("未走访住户", "households not yet visited"),
            "incidents": t("警情", "incidents"),
        }[k],
        key="cov_heat",
        horizontal=True,
    )
hours = None if (hour_from, hour_to) == (0, 23) else (int(hour_from), int(hour_to))
hours_label = f"{hour_from:02d}:00–{hour_to:02d}:59" if hours else None

# ---- the selected beat (from the map, the table or the select box) ------------------------
in_view = apply_filters({"beats": beats_all, "officers": officers_all}, filters)["beats"]
beat_names = dict(zip(in_view["id"].astype(int), in_view["name"], strict=True))
if PENDING_KEY in st.session_state:
    st.session_state[BEAT_KEY] = st.session_state.pop(PENDING_KEY)
if st.session_state.get(BEAT_KEY) not in (None, *beat_names):
    st.session_state[BEAT_KEY] = None


def _select(beat_id: int | None) -> None:
    """Select a beat from a click and rerun (the select box shows it)."""
    if beat_id is not None and beat_id in beat_names and beat_id != st.session_state.get(BEAT_KEY):
        st.session_state[PENDING_KEY] = beat_id
        st.rerun()


selected = st.session_state.get(BEAT_KEY)

try:
    view = coverage_view(
        filters,
        target_date=pd.Timestamp(target_date),
        target=target_pct / 100.0,
        window_days=int(window_days),
        selected_beat=selected,
        incident_categories=tuple(categories) or None,
        incident_hours=hours,
    )
except BeatMapError as exc:
    st.error(str(exc))
    st.stop()

# ---- headline figures ---------------------------------------------------------------------
tot = view.totals
due = view.target_date
finish = tot["projected_finish"]
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric(t("住户", "Households"), f"{tot['households']:,}")
m2.metric(
    t("已走访", "Visited"), f"{tot['visited']:,}", f"{tot['coverage']:.1%}", delta_color="off"
)
m3.metric(t("不在家", "Not home"), f"{tot['not_home']:,}")
m4.metric(t("未走访", "Not yet visited"), f"{tot['unvisited']:,}")
m5.metric(
    t("预计完成", "Projected finish"),
    finish.strftime("%Y-%m-%d") if pd.notna(finish) else t("无法完成", "never"),
    t("按期", "on track") if tot["on_track"] else t(f"目标 {due:%m-%d}", f"due {due:%d %b}"),
    delta_color="normal" if tot["on_track"] else "inverse",
)
st.caption(
    t(
        f"截至 {view.as_of:%Y-%m-%d}；目标：{due:%Y-%m-%d} 前走访 {target_pct}% 住户；"
        f"近 {window_days} 天日均 {tot['pace']:.1f} 户，需日均 {tot['required_pace']:.1f} 户。",
        f"As of {view.as_of:%Y-%m-%d}; target: {target_pct}% of households by {due:%Y-%m-%d}; "
        f"pace over the last {window_days} days {tot['pace']:.1f} per day, "
        f"{tot['required_pace']:.1f} per day needed.",
    )
)

# ---- map and beat panel --------------------------------------------------------------------
map_col, side_col = st.columns([3, 1], gap="medium")
with side_col:
    st.selectbox(
        t("警务区详情", "Beat in detail"),
        options=[None, *beat_names],
        format_func=lambda b: t("（未选择）", "(none)") if b is None else beat_names[b],
        key=BEAT_KEY,
    )
    if view.mode == "hexes":
        st.caption(
            t(
                f"视图内住户超过 {MAX_POINTS:,} 户：以六边形汇总显示；选择一个警务区可看到逐户点位。",
                f"More than {MAX_POINTS:,} households in view: shown as hexagons; select a beat "
                "to see its households.",
            )
        )
    if view.detail is not None:
        d = view.detail
        st.metric(
            d.name,
            f"{d.summary['coverage']:.1%}",
            f"{d.summary['visited']:,} / {d.summary['households']:,}",
            delta_color="off",
        )
        for _, row in d.officers.iterrows():
            st.write(
                t(
                    f"**{row['name']}**：本人走访 {row['visited_by_officer']:,} 户，"
                    f"近期日均 {row['own_pace']:.1f} 户",
                    f"**{row['name']}**: visited {row['visited_by_officer']:,} households "
                    f"himself, {row['own_pace']:.1f} per day lately",
                )
            )
        if len(d.trend):
            st.line_chart(d.trend["coverage"], height=160)
    else:
        st.caption(
            t(
                "点击地图上或表格中的警务区查看详情。",
                "Click a beat on the map or in the table for its details.",
            )
        )

features = None
with map_col:
    try:
        features = base_features_cached() if settings.tile_url is None else None
        m = coverage_map(
            view,
            area,
            lang=lang,
            tiles=settings.tile_url,
            attribution=settings.tiles_attribution,
            features=features,
            selected=selected,
            heat=None if heat_open == "none" else heat_open,
            incident_label=hours_label,
            static_url=static_url(st.get_option("server.baseUrlPath") or ""),
        )
        out = st_folium(
            m,
            key=MAP_KEY,
            returned_objects=["last_active_drawing"],
            height=MAP_HEIGHT,
            use_container_width=True,
        )
    except MissingAssetError as exc:
        st.error(t(f"地图资源缺失：{exc}", f"Map assets missing: {exc}"))
        out = None
    clicked = (out or {}).get("last_active_drawing")
    if clicked and clicked != st.session_state.get(CLICK_KEY):
        st.session_state[CLICK_KEY] = clicked
        props = clicked.get("properties") or {}
        if props.get("kind") in ("beat", "household") and props.get("beat_id") is not None:
            _select(int(props["beat_id"]))


# ---- tables and charts ---------------------------------------------------------------------
def _show(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns to show, labelled in the session's language."""
    return labelled(df[[c for c in columns if c in df.columns]], lang)


def _percent(*cols: str) -> dict:
    names = labelled(pd.DataFrame(columns=list(cols)), lang).columns
    return {n: st.column_config.NumberColumn(n, format="percent") for n in names}


def _dates(*cols: str) -> dict:
    names = labelled(pd.DataFrame(columns=list(cols)), lang).columns
    return {n: st.column_config.DateColumn(n, format="YYYY-MM-DD") for n in names}


tab_progress, tab_evenings, tab_surveys, tab_effect, tab_beat = st.tabs(
    [
        t("进度", "Progress"),
        t("每晚走访与时长", "Evenings and hours"),
        t("回访结果", "Survey results"),
        t("摄录设备与警情", "Cameras and incidents"),
        t("警务区详情", "Beat in detail"),
    ],
    key=TAB_KEY,
    on_change="rerun",  # only the open tab runs and is sent: charts and tables of the others wait
)

with tab_progress:
    if tab_progress.open:
        level = st.radio(
            t("按", "By"),
            options=["station", "beat", "officer"],
            format_func=lambda k: {
                "station": t("派出所", "station"),
                "beat": t("警务区", "beat"),
                "officer": t("社区民警", "officer"),
            }[k],
            horizontal=True,
            key="cov_level",
            index=1,
        )
        table = view.progress[level]
        cols = ["name", "households", "visited", "not_home", "unvisited", "coverage"]
        if level == "officer":
            table = table.assign(beat=table["beat_id"].map(beat_names))
            cols = [
                "name",
                "beat",
                "households",
                "visited",
                "visited_by_officer",
                "coverage",
                "own_pace",
            ]
        cols += ["pace", "required_pace", "projected_finish", "on_track"]
        shown = _show(table, cols).rename(columns={"beat": t("警务区", "beat")})
        if level == "beat":  # share of households in a WeChat group (geo.wechat)
            reach = wechat_reach()
            share = table["beat_id"].map(reach["share"]).to_numpy(dtype=float)
            shown[t("微信群入群率（%）", "In WeChat groups (%)")] = (share * 100).round(1)
        st.caption(
            t(
                "落后的排在最前：未按期者在前，预计完成越晚越靠前。可点击列标题排序；"
                "点击一行查看该警务区。",
                "Laggards first: not on track, latest projected finish first. Click a header to "
                "sort; click a row to open its beat.",
            )
        )
        event = st.dataframe(
            shown,
            hide_index=True,
            use_container_width=True,
            column_config={**_percent("coverage"), **_dates("projected_finish")},
            on_select="rerun" if level != "station" else "ignore",
            selection_mode="single-row",
            key=f"cov_table_{level}",
        )
        rows = getattr(getattr(event, "selection", None), "rows", None) or []
        if rows and level != "station":
            pick = int(table.iloc[rows[0]]["beat_id"])
            last_pick = st.session_state.get(f"_cov_table_pick_{level}")
            if pick != last_pick:
                st.session_state[f"_cov_table_pick_{level}"] = pick
                _select(pick)

        e1, e2, e3 = st.columns(3)
        stamp = f"{view.as_of:%Y%m%d}"
        e1.download_button(
            t("导出全部表格（XLSX）", "All tables (XLSX)"),
            icon=":material/download:",
            data=lambda: to_xlsx_bytes(view.export_tables(lang)),  # built when pressed
            file_name=f"coverage_{stamp}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="cov_xlsx",
        )
        e2.download_button(
            t("导出本表（CSV）", "This table (CSV)"),
            icon=":material/download:",
            data=lambda: to_csv_bytes(shown),
            file_name=f"coverage_{level}_{stamp}.csv",
            mime="text/csv",
            key="cov_csv",
        )

        def _map_html() -> bytes:
            standalone = coverage_map(
                view,
                area,
                lang=lang,
                tiles=settings.tile_url,
                attribution=settings.tiles_attribution,
                features=features,
                selected=selected,
                incident_label=hours_label,
            )
            return to_standalone_html(standalone).encode("utf-8")

        e3.download_button(
            t("导出地图（HTML，可离线打开）", "Map (HTML, opens offline)"),
            icon=":material/map:",
            data=_map_html,
            file_name=f"coverage_map_{stamp}.html",
            mime="text/html",
            key="cov_map_html",
        )

with tab_evenings:
    if tab_evenings.open:
        ev = view.evenings
        st.subheader(t("每晚走访户次", "Visits per evening"))
        if len(ev):
            chart = ev[["visited", "not_home", "total"]].rename(
                columns={
                    "visited": t("已走访", "visited"),
                    "not_home": t("不在家", "not home"),
                    "total": t("合计", "total"),
                }
            )
            st.line_chart(chart, height=260)
        hrs = view.hours
        st.subheader(t("民警每周在社区时长", "Officer hours in the community per week"))
        st.caption(
            t(
                "按走访时间估算：每晚从第一户到最后一户的时长，另加 10 分钟；不含往返路程，是下限。",
                "Estimated from visit times: each evening from the first to the last visit, plus "
                "10 minutes; walking to and from the office is not counted, so this is a lower "
                "bound.",
            )
        )
        if len(hrs):
            weekly = hrs.groupby("week_start")["hours"].mean().rename(t("人均小时", "mean hours"))
            st.bar_chart(weekly, height=220)
            pivot = hrs.pivot_table(index="name", columns="week", values="hours", aggfunc="sum")
            st.dataframe(pivot.round(1), use_container_width=True)

with tab_surveys:
    if tab_surveys.open:
        total = view.surveys_total.iloc[0] if len(view.surveys_total) else None
        if total is not None and total["surveyed"]:
            s1, s2, s3, s4, s5 = st.columns(5)
            s1.metric(
                t("回访户数", "Surveyed"),
                f"{int(total['surveyed']):,}",
                t(
                    f"现场 {int(total['on_site'])} · 电话 {int(total['phone'])}",
                    f"on site {int(total['on_site'])} · phone {int(total['phone'])}",
                ),
                delta_color="off",
            )
            s2.metric(t("认识民警", "Know the officer"), f"{total['knows_officer_share']:.0%}")
            s3.metric(t("有联系卡", "Have the card"), f"{total['has_card_share']:.0%}")
            s4.metric(t("从未见过", "Never met"), f"{total['never_met_share']:.0%}")
            s5.metric(t("满意", "Satisfied"), f"{total['satisfied_share']:.1%}")
        else:
            st.info(t("所选范围内没有回访记录。", "No follow-up surveys in this view."))
        st.dataframe(
            _show(
                view.surveys,
                [
                    "name",
                    "surveyed",
                    "on_site",
                    "phone",
                    "knows_officer_share",
                    "has_card_share",
                    "never_met_share",
                    "satisfied_share",
                ],
            ),
            hide_index=True,
            use_container_width=True,
            column_config=_percent(
                "knows_officer_share", "has_card_share", "never_met_share", "satisfied_share"
            ),
        )

with tab_effect:
    if tab_effect.open:
        eff = view.effect
        st.info(t(*eff.note))
        st.dataframe(
            eff.table(lang),
            hide_index=True,
            use_container_width=True,
            column_config=_dates("event"),
        )
        st.subheader(t("各时段警情", "Incidents by hour of day"))
        by_hour = view.incidents_by_hour
        by_hour = by_hour.loc[:, by_hour.sum() > 0]
        st.bar_chart(
            by_hour.rename(columns={c: t(*INCIDENT_CATEGORIES[c]) for c in by_hour.columns}),
            height=240,
        )

with tab_beat:
    if tab_beat.open:
        if view.detail is None:
            st.caption(t("请先选择一个警务区。", "Select a beat first."))
        else:
            d = view.detail
            st.subheader(d.name)
            if len(d.officers):
                st.dataframe(
                    _show(
                        d.officers,
                        ["name", "visited_by_officer", "own_pace", "coverage", "projected_finish"],
                    ),
                    hide_index=True,
                    column_config={**_percent("coverage"), **_dates("projected_finish")},
                )
            if len(d.trend):
                st.line_chart(d.trend["coverage"].rename(t("覆盖率", "coverage")), height=200)
            hh = d.households.assign(
                status=d.households["status"].map(lambda s: t(*STATUS_LABELS[s]))
            )
            st.dataframe(
                _show(
                    hh, ["address", "status", "attempts", "last_attempt_at", "visited_at", "rental"]
                ),
                hide_index=True,
                use_container_width=True,
            )
            st.download_button(
                t("导出本警务区住户（CSV）", "This beat's households (CSV)"),
                icon=":material/download:",
                data=to_csv_bytes(
                    _show(
                        hh,
                        [
                            "address",
                            "status",
                            "attempts",
                            "last_attempt_at",
                            "visited_at",
                            "rental",
                        ],
                    )
                ),
                file_name=f"beat_{d.beat_id}_households.csv",
                mime="text/csv",
                key="cov_beat_csv",
            )
