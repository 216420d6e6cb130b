"""摄像头 Cameras: where the next K camera/recorder units (摄录一体机) do the most good.

Widgets only: the plan comes from :func:`geo.planning.plan_cameras` (cached in ``ui/cache.py``
with the walking-network index), the map from :func:`layers.siting.siting_map`, the
before/after effect from :func:`geo.effect.install_effect`. Filters (station, beat, officer,
household type, campaign window) come from the shared sidebar (``ui/sidebar.py``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo._errors import BeatMapError
from geo.i18n import tr
from geo.labels import labelled as coverage_labelled
from geo.model import CAMERA_KINDS, INCIDENT_CATEGORIES
from geo.planning import (
    CANDIDATE_KINDS,
    DEFAULT_RADII,
    DemandWeights,
    beat_shares_frame,
    beat_table,
    gap_table,
    plan_csv_bytes,
    plan_xlsx_bytes,
    promotion_list,
    promotion_sheets_html,
)
from layers import MissingAssetError, static_url, to_standalone_html
from layers.siting import siting_map
from ui.auth import current_scope
from ui.cache import (
    base_features_cached,
    camera_effect,
    camera_plan,
    current_language,
    get_area,
    get_settings,
    read_table,
    t,
)
from ui.sidebar import current_filters

MAP_HEIGHT = 600
MAP_KEY = "cameras_map"
KINDS_KEY = "cam_kinds"
#: the planner's default weights, shown as the controls' starting values
DEFAULTS = DemandWeights()

settings = get_settings()
lang = current_language(settings.language)
filters = current_filters()
allowed = current_scope().show_personal  # masking decided by role and audited reveal

try:
    area = get_area()
    beats_all = read_table("beats")
except BeatMapError as exc:
    st.error(t(f"无法载入数据：{exc}", f"Cannot load the data: {exc}"))
    st.stop()

st.header(t("摄像头", "Cameras"))
st.caption(
    t(
        "摄录一体机沿步行路网覆盖门前街巷（默认 40 米，不穿墙）。选择新增 K 台的点位，使新覆盖的"
        "加权需求（住户，出租房和寄住人口加权；警情按类别和时间加权）最多。",
        "A camera/recorder unit covers the street in front of it along the walking network "
        "(40 m by default, not through walls). Choose K new sites that newly cover the most "
        "weighted demand (households, rentals and lodgers weighted up; incidents by category "
        "and recency).",
    )
)

# ---- controls -----------------------------------------------------------------------------
c1, c2, c3, c4 = st.columns([1, 1, 2, 1])
k = int(
    c1.number_input(
        t("新增台数 K", "New units K"), min_value=1, max_value=500, value=20, step=5, key="cam_k"
    )
)
radius = float(
    c2.slider(
        t("覆盖半径（米，沿路网）", "Radius (m, along streets)"),
        min_value=10,
        max_value=150,
        value=int(DEFAULT_RADII["recorder_unit"]),
        step=5,
        key="cam_radius",
    )
)
# a multiselect keeps its choice as the shown labels, which change with the language: one
# widget per language, the chosen codes mirrored under a key of their own
kinds = c3.multiselect(
    t("候选点位", "Candidate sites"),
    options=list(CANDIDATE_KINDS),
    default=st.session_state.get(KINDS_KEY, ["rental"]),
    format_func=lambda c: t(*CANDIDATE_KINDS[c]),
    key=f"{KINDS_KEY}_{lang}",
)
st.session_state[KINDS_KEY] = list(kinds)
per_beat = int(
    c4.number_input(
        t("每个警务区最多（0 = 不限）", "Per beat at most (0 = no limit)"),
        min_value=0,
        max_value=100,
        value=0,
        key="cam_per_beat",
    )
)

with st.expander(t("需求权重与设备半径", "Demand weights and unit radii")):
    w1, w2, w3, w4, w5, w6 = st.columns(6)
    w_household = w1.number_input(
        t("每户", "Per household"), 0.0, 100.0, DEFAULTS.household, 0.5, key="cam_w_household"
    )
    w_rental = w2.number_input(
        t("出租房倍数", "Rental ×"), 0.0, 100.0, DEFAULTS.rental, 0.5, key="cam_w_rental"
    )
    w_lodger = w3.number_input(
        t("每名寄住人口", "Per lodger"), 0.0, 100.0, DEFAULTS.lodger, 0.5, key="cam_w_lodger"
    )
    w_incident = w4.number_input(
        t("警情倍数", "Incidents ×"), 0.0, 100.0, DEFAULTS.incident, 0.5, key="cam_w_incident"
    )
    half_life = w5.number_input(
        t("警情半衰期（天）", "Incident half-life (days)"),
        7,
        3650,
        int(DEFAULTS.half_life_days),
        30,
        key="cam_half_life",
    )
    w_entrance = w6.number_input(
        t("每个楼门", "Per building entrance"),
        0.0,
        100.0,
        DEFAULTS.entrance,
        0.5,
        key="cam_w_entrance",
    )
    st.caption(t("各类警情的权重", "Weight per incident category"))
    cat_cols = st.columns(len(INCIDENT_CATEGORIES))
    categories = {
        cat: float(
            col.number_input(
                t(*INCIDENT_CATEGORIES[cat]),
                0.0,
                100.0,
                DEFAULTS.category_weight(cat),
                0.5,
                key=f"cam_cat_{cat}",
            )
        )
        for cat, col in zip(INCIDENT_CATEGORIES, cat_cols, strict=True)
    }
    st.caption(
        t(
            "现有设备的覆盖半径（米，沿路网）：摄录一体机看门前街巷，可视门铃只看门口，"
            "商铺和小区监控、公共视频监控看得更远。",
            "Radius of installed units (m along streets): a recorder unit sees the lane in "
            "front, a doorbell only the doorstep, shop/estate CCTV and public cameras farther.",
        )
    )
    r_cols = st.columns(len(CAMERA_KINDS))
    radii = tuple(
        (
            kind,
            float(
                col.number_input(
                    t(*CAMERA_KINDS[kind]),
                    0,
                    300,
                    int(DEFAULT_RADII[kind]),
                    5,
                    key=f"cam_r_{kind}",
                )
            ),
        )
        for kind, col in zip(CAMERA_KINDS, r_cols, strict=True)
    )
    use_fov = st.checkbox(
        t(
            "现有设备只覆盖其朝向和视角内的街巷",
            "Installed units cover only the street inside their facing and field of view",
        ),
        value=False,
        key="cam_fov",
    )

if not kinds:
    st.info(t("请至少选择一种候选点位。", "Choose at least one kind of candidate site."))
    st.stop()

try:
    weights = DemandWeights(
        household=float(w_household),
        rental=float(w_rental),
        lodger=float(w_lodger),
        incident=float(w_incident),
        categories=categories,
        half_life_days=float(half_life),
        entrance=float(w_entrance),
    )
    plan = camera_plan(
        filters,
        k=k,
        radius=radius,
        radii=radii,
        weights=weights,
        candidate_kinds=tuple(kinds),
        per_beat=per_beat or None,
        use_fov=bool(use_fov),
    )
except BeatMapError as exc:
    st.error(t(f"无法计算：{exc}", f"Cannot plan: {exc}"))
    st.stop()

tot = plan.totals
if tot["k_used"] < tot["k"]:
    st.info(
        t(
            f"只有 {tot['candidates']:,} 个候选点位，已全部参与排序。",
            f"Only {tot['candidates']:,} candidate sites: all of them were ranked.",
        )
    )
if tot["chosen"] < tot["k_used"]:
    st.info(
        t(
            f"只有 {tot['chosen']} 个点位还能新增覆盖，其余候选点位已被覆盖或无需求。",
            f"Only {tot['chosen']} sites still add coverage; the other candidates add nothing.",
        )
    )


# ---- headline figures ---------------------------------------------------------------------
def _pct(v: float) -> str:
    return "–" if v is None or pd.isna(v) else f"{v:.1%}"


def _delta(before: float, after: float) -> str:
    if pd.isna(before) or pd.isna(after):
        return ""
    return f"{(after - before) * 100:+.1f} pt"


def _proof(tot: dict) -> str:
    """What is proven about the choice: optimal, within a bound of the optimum, or nothing;
    and whether the time limit cut the search short (then the sites may vary with load)."""
    if tot.get("optimal"):
        out = t("（已证明最优）", "(proven optimal)")
    elif tot.get("gap") is not None:
        out = t(
            f"（已证明不低于最优方案的 {1 / (1 + tot['gap']):.2%}）",
            f"(proven within {1 / (1 + tot['gap']):.2%} of the best possible)",
        )
    else:
        out = t("（未证明最优）", "(not proven optimal)")
    if tot.get("time_capped"):
        out += t(
            "计算达到时间上限而提前停止，服务器繁忙时结果可能略有不同。",
            " The search hit its time limit; on a busy server the sites may differ slightly.",
        )
    return out


m1, m2, m3, m4 = st.columns(4)
m1.metric(t("现有设备（在用）", "Installed units (active)"), f"{tot['units']:,}")
m2.metric(
    t("住户覆盖率", "Households covered"),
    _pct(tot["hh_share_after"]),
    _delta(tot["hh_share_before"], tot["hh_share_after"]),
)
m3.metric(
    t("警情覆盖率", "Incidents covered"),
    _pct(tot["inc_share_after"]),
    _delta(tot["inc_share_before"], tot["inc_share_after"]),
)
m4.metric(
    t("加权覆盖率", "Weighted share covered"),
    _pct(tot["share_after"]),
    _delta(tot["share_before"], tot["share_after"]),
)
st.caption(
    t(
        f"现有：住户 {_pct(tot['hh_share_before'])}、警情 {_pct(tot['inc_share_before'])}、"
        f"加权 {_pct(tot['share_before'])}；新增 {tot['chosen']} 台后见上。"
        f"现有设备覆盖街巷 {tot['street_m_before'] / 1000:.2f} 公里，新增 "
        f"{tot['street_m_new'] / 1000:.2f} 公里；候选点位 {tot['candidates']:,} 个。" + _proof(tot),
        f"Now: households {_pct(tot['hh_share_before'])}, incidents "
        f"{_pct(tot['inc_share_before'])}, weighted {_pct(tot['share_before'])}; above: after "
        f"{tot['chosen']} new units. Installed units cover {tot['street_m_before'] / 1000:.2f} "
        f"km of street, the new ones add {tot['street_m_new'] / 1000:.2f} km; "
        f"{tot['candidates']:,} candidate sites. " + _proof(tot),
    )
)

# ---- map ----------------------------------------------------------------------------------
features = base_features_cached() if settings.tile_url is None else None
beat_shapes = beat_shares_frame(plan, beats_all[beats_all["id"].isin(plan.by_beat["beat_id"])])


def _map(**kw):
    return siting_map(
        plan,
        area,
        beats=beat_shapes,
        lang=lang,
        tiles=settings.tile_url,
        attribution=settings.tiles_attribution,
        features=features,
        **kw,
    )


try:
    st_folium(
        _map(static_url=static_url(st.get_option("server.baseUrlPath") or "")),
        key=MAP_KEY,
        returned_objects=[],
        height=MAP_HEIGHT,
        use_container_width=True,
    )
except MissingAssetError as exc:
    st.error(t(f"地图资源缺失：{exc}", f"Map assets missing: {exc}"))

# ---- tables -------------------------------------------------------------------------------
tab_sites, tab_beats, tab_gaps, tab_effect = st.tabs(
    [
        t("推广点位排序", "Ranked sites"),
        t("各警务区前后对比", "Before and after by beat"),
        t("覆盖缺口", "Gaps"),
        t("安装效果", "Effect"),
    ]
)


def _percent(df: pd.DataFrame, *cols: str) -> dict:
    names = [c for c in cols if c in df.columns]
    return {n: st.column_config.NumberColumn(n, format="percent") for n in names}


with tab_sites:
    ranked = promotion_list(plan, lang=lang, show_personal=allowed)
    share_col = t("累计覆盖率", "cumulative covered share")
    st.dataframe(
        ranked.drop(columns=[t("经度", "longitude"), t("纬度", "latitude")]),
        hide_index=True,
        width="stretch",
        column_config=_percent(ranked, share_col),
        key="cam_sites_table",
    )
    if not allowed:
        st.caption(
            t(
                "姓名和电话已脱敏；有权限的角色可在设置中查看完整信息。",
                "Names and phone numbers are masked; roles allowed to see them can change "
                "this in the settings.",
            )
        )
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    d1, d2, d3, d4 = st.columns(4)
    d1.download_button(
        t("导出推广名单（XLSX）", "Promotion list (XLSX)"),
        data=plan_xlsx_bytes(plan, lang=lang, show_personal=allowed),
        file_name=f"camera_sites_{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="cam_xlsx",
    )
    d2.download_button(
        t("导出推广名单（CSV）", "Promotion list (CSV)"),
        data=plan_csv_bytes(plan, lang=lang, show_personal=allowed),
        file_name=f"camera_sites_{stamp}.csv",
        mime="text/csv",
        key="cam_csv",
    )
    d3.download_button(
        t("按民警打印推广单（HTML）", "Printable list per officer (HTML)"),
        data=promotion_sheets_html(plan, lang=lang, show_personal=allowed).encode("utf-8"),
        file_name=f"camera_promotion_sheets_{stamp}.html",
        mime="text/html",
        key="cam_sheets",
    )

    def _map_html() -> bytes:
        return to_standalone_html(_map()).encode("utf-8")

    d4.download_button(
        t("导出地图（HTML，可离线打开）", "Map (HTML, opens offline)"),
        data=_map_html,
        file_name=f"camera_map_{stamp}.html",
        mime="text/html",
        key="cam_map_html",
    )

with tab_beats:
    table = beat_table(plan, lang=lang)
    low = t("覆盖偏低", "low coverage")
    shares = [c for c in table.columns if ("覆盖率" in c or "share" in c)]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config=_percent(table, *shares),
        key="cam_beats_table",
    )
    n_low = int(plan.by_beat["low_share"].sum())
    if n_low:
        st.warning(
            t(
                f"{n_low} 个警务区现有加权覆盖率低于 30%（“{low}”一栏）。",
                f"{n_low} beats have under 30% of their weighted demand covered now "
                f"(column “{low}”).",
            )
        )

with tab_gaps:
    st.caption(
        t(
            "现有设备未覆盖、需求最多的街巷（地图上红色虚线）。",
            "Streets with the most demand the installed units leave uncovered (dashed red on "
            "the map).",
        )
    )
    st.dataframe(gap_table(plan, lang=lang), hide_index=True, width="stretch", key="cam_gaps")

with tab_effect:
    e1, e2, e3, e4 = st.columns(4)
    last = pd.to_datetime(read_table("incidents", ["occurred_at"])["occurred_at"]).max()
    if pd.isna(last):
        last = pd.Timestamp.now()
    default_until = (filters.end or last).date()
    default_since = (filters.start or (pd.Timestamp(default_until) - pd.Timedelta(days=180))).date()
    since = e1.date_input(
        t("安装期间自", "Installs from"), value=default_since, key="cam_eff_since"
    )
    until = e2.date_input(t("至", "to"), value=default_until, key="cam_eff_until")
    window = e3.number_input(
        t("前后各（天）", "Days before and after"), 14, 365, 60, 7, key="cam_eff_window"
    )
    min_installs = e4.number_input(
        t("至少安装（台）", "At least installs"), 1, 100, 3, key="cam_eff_min"
    )
    try:
        eff = camera_effect(
            filters,
            since=pd.Timestamp(since),
            until=pd.Timestamp(until),
            window_days=int(window),
            min_installs=int(min_installs),
        )
    except BeatMapError as exc:
        st.error(str(exc))
    else:
        st.info(tr(*eff.note, lang))
        shown = eff.table(lang)
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config={
                coverage_labelled(pd.DataFrame(columns=["event"]), lang).columns[
                    0
                ]: st.column_config.DateColumn(format="YYYY-MM-DD")
            },
            key="cam_effect_table",
        )
        st.caption(
            t(
                "差中差 = 有安装警务区的变化 − 可比警务区的同期变化（每千户每月警情）。负数表示"
                "相对下降，但不能据此认定是摄像设备的作用。",
                "Difference in differences = change in beats with installs − change in "
                "comparable beats over the same days (incidents per 1,000 households per "
                "month). A negative value is a relative fall, not proof that the cameras "
                "caused it.",
            )
        )
