"""Installed cameras as points coloured by kind (摄录一体机, 可视门铃, ...).

Tooltips show the kind, the status and the install date; the household a camera belongs to is
never named.
"""

from __future__ import annotations

import html

import folium
import numpy as np
import pandas as pd

from geo.i18n import tr
from geo.model import CAMERA_KINDS, CAMERA_STATUS, enum_label
from layers._features import ClassedPoints
from layers.legend import LegendItem

__all__ = ["CAMERA_COLORS", "cameras_layer", "cameras_legend_items"]

#: camera kind -> fill colour
CAMERA_COLORS = {
    "recorder_unit": "#7b3294",
    "doorbell": "#0571b0",
    "cctv": "#525252",
    "public": "#000000",
}
CLUSTER_ABOVE = 500


def cameras_layer(
    cameras: pd.DataFrame,
    *,
    name: str,
    lang: str = "zh",
    kinds: tuple[str, ...] | None = None,
    cluster: bool | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """A layer of cameras coloured by kind.

    Parameters
    ----------
    cameras : DataFrame
        ``kind``, ``status``, ``installed_on`` and ``lon``/``lat`` or a point ``geometry``
        (WGS-84).
    name : str
        Layer name.
    lang : {"zh", "en"}
        Language of the tooltips.
    kinds : tuple of str, optional
        Kinds to draw (default all of :data:`geo.model.CAMERA_KINDS`).
    cluster : bool, optional
        Cluster the markers; by default above :data:`CLUSTER_ABOVE`.
    show : bool
        Shown when the map opens.

    Returns
    -------
    folium.FeatureGroup

    Raises
    ------
    ValueError
        When ``kinds`` names an unknown kind.
    """
    kinds = tuple(CAMERA_KINDS) if kinds is None else tuple(kinds)
    bad = sorted(set(kinds) - set(CAMERA_KINDS))
    if bad:
        raise ValueError(f"unknown camera kinds {bad}; allowed: {tuple(CAMERA_KINDS)}")
    cams = cameras[cameras["kind"].astype(object).isin(kinds).to_numpy(bool)]
    if "lon" in cams.columns:
        lon, lat = cams["lon"].to_numpy(float), cams["lat"].to_numpy(float)
    else:
        lon, lat = cams.geometry.x.to_numpy(), cams.geometry.y.to_numpy()
    classes = {k: i for i, k in enumerate(CAMERA_KINDS)}
    styles = [
        {"color": "#ffffff", "fillColor": CAMERA_COLORS[k], "radius": 4, "weight": 1.5}
        for k in CAMERA_KINDS
    ]
    kind = cams["kind"].astype(object).tolist()
    status = cams["status"].astype(object).tolist() if "status" in cams else [None] * len(cams)
    installed = (
        pd.to_datetime(cams["installed_on"]).dt.strftime("%Y-%m-%d").fillna("").tolist()
        if "installed_on" in cams
        else [""] * len(cams)
    )
    word = tr("安装于", "installed", lang)
    rows = []
    for i, (y, x) in enumerate(
        zip(np.round(lat, 6).tolist(), np.round(lon, 6).tolist(), strict=True)
    ):
        tip = html.escape(enum_label(CAMERA_KINDS, kind[i], lang))
        if status[i] is not None and not pd.isna(status[i]):
            tip += " · " + html.escape(enum_label(CAMERA_STATUS, status[i], lang))
        if installed[i]:
            tip += f" · {word} {installed[i]}"
        rows.append([y, x, classes[kind[i]], tip, None])
    group = folium.FeatureGroup(name=name, show=show)
    cluster = len(rows) > CLUSTER_ABOVE if cluster is None else cluster
    ClassedPoints(rows, styles=styles, cluster=cluster, kind="camera").add_to(group)
    return group


def cameras_legend_items(
    *, lang: str = "zh", kinds: tuple[str, ...] | None = None
) -> list[LegendItem]:
    """Legend rows for :func:`cameras_layer`."""
    return [
        LegendItem(enum_label(CAMERA_KINDS, k, lang), "#ffffff", "point", fill=CAMERA_COLORS[k])
        for k in (kinds or CAMERA_KINDS)
    ]
