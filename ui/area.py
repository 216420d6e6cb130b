"""区域 Area: the loaded OSM area on the base map, with its load report beside it.

The map is drawn from the area's own streets, buildings and water when no tile server is
configured (``BEATMAP_TILES=none``, the default), so it works on an air-gapped network.
"""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo._errors import BeatMapError
from layers import MissingAssetError, base_map, static_url
from ui.cache import current_language, get_area, get_settings, t

MAP_HEIGHT = 640

settings = get_settings()
lang = current_language(settings.language)

try:
    area = get_area()
except BeatMapError as exc:
    st.error(t(f"无法载入区域：{exc}", f"Cannot load the area: {exc}"))
    st.stop()

st.header(f"{t('区域', 'Area')}：{area.name}")
map_col, info_col = st.columns([3, 1], gap="medium")

with map_col:
    try:
        m = base_map(
            area,
            tiles=settings.tile_url,
            attribution=settings.tiles_attribution,
            lang=lang,
            static_url=static_url(st.get_option("server.baseUrlPath") or ""),
        )
        folium.LayerControl(collapsed=True, position="topright").add_to(m)
        st_folium(
            m, key="area_map", returned_objects=[], height=MAP_HEIGHT, use_container_width=True
        )
    except MissingAssetError as exc:
        st.error(t(f"地图资源缺失：{exc}", f"Map assets missing: {exc}"))

with info_col:
    st.subheader(t("载入报告", "Load report"))
    st.markdown("\n".join(f"- {line}" for line in area.report().lines(lang)))
    st.caption(
        t(
            "地图数据 © OpenStreetMap 贡献者，依开放数据库许可（ODbL 1.0）使用。",
            "Map data © OpenStreetMap contributors, under the Open Database License (ODbL 1.0).",
        )
    )
    if settings.tile_url is None:
        st.caption(
            t(
                "未配置瓦片服务：底图由本区域的街巷、建筑和水系绘制，无需联网。",
                "No tile server configured: the base map is drawn from this area's streets, "
                "buildings and water, with no internet.",
            )
        )
