"""Field map extras: the officer's own position and the stop they are heading to.

Leaflet vectors and ``DivIcon`` markers only (no icon fonts, no images), so they draw offline.
"""

from __future__ import annotations

import html

import folium

__all__ = ["POSITION_COLOR", "next_stop_layer", "position_layer"]

POSITION_COLOR = "#0b4f9c"
NEXT_COLOR = "#b00020"

_T = {
    "me": ("我的位置（约{a:.0f}米）", "my position (about {a:.0f} m)"),
    "next": ("下一站：{addr}", "next stop: {addr}"),
}


def _t(key: str, lang: str, **fmt: object) -> str:
    zh, en = _T[key]
    return (en if lang == "en" else zh).format(**fmt)


def position_layer(
    lat: float, lon: float, *, name: str, accuracy_m: float = 0.0, lang: str = "zh"
) -> folium.FeatureGroup:
    """A dot at the phone's position with a circle of its accuracy.

    Parameters
    ----------
    lat, lon : float
        WGS-84 position from the browser.
    name : str
        Layer name.
    accuracy_m : float
        Radius of the accuracy circle (m); none drawn when 0.
    lang : {"zh", "en"}
    """
    group = folium.FeatureGroup(name=name)
    loc = (round(float(lat), 6), round(float(lon), 6))
    tip = _t("me", lang, a=float(accuracy_m))
    if accuracy_m > 0:
        folium.Circle(
            loc, radius=float(accuracy_m), color=POSITION_COLOR, weight=1, fill=True,
            fill_opacity=0.12,
        ).add_to(group)  # fmt: skip
    folium.CircleMarker(
        loc, radius=8, color="#ffffff", weight=3, fill=True, fill_color=POSITION_COLOR,
        fill_opacity=1.0, tooltip=tip,
    ).add_to(group)  # fmt: skip
    return group


def next_stop_layer(
    lat: float, lon: float, *, name: str, address: str, lang: str = "zh"
) -> folium.FeatureGroup:
    """A ring around the stop the officer is heading to."""
    group = folium.FeatureGroup(name=name)
    folium.CircleMarker(
        (round(float(lat), 6), round(float(lon), 6)), radius=20, color=NEXT_COLOR, weight=4,
        fill=False, tooltip=_t("next", lang, addr=html.escape(address)),
    ).add_to(group)  # fmt: skip
    return group
