"""Households as points coloured by visit status, clustered when many.

Visited homes are green, homes not yet visited red, and homes where nobody was home at the
last attempt amber (refused brown, moved away grey). The tooltip shows the address, the status
and the last attempt: never a name or a phone number (only whitelisted columns are read).
"""

from __future__ import annotations

import html

import folium
import numpy as np
import pandas as pd

from geo.coverage import STATUS_LABELS, STATUSES
from geo.i18n import Catalogue, tr
from layers._features import ClassedPoints
from layers.legend import LegendItem

__all__ = ["STATUS_COLORS", "households_layer", "households_legend_items"]

#: status -> fill colour
STATUS_COLORS = {
    "visited": "#1a9641",
    "not_home": "#f5a623",
    "refused": "#8c510a",
    "moved_away": "#969696",
    "unvisited": "#d7191c",
}
#: cluster automatically above this many points
CLUSTER_ABOVE = 300
#: the only columns a household tooltip may show
TOOLTIP_COLUMNS = ("address", "status", "last_attempt_at", "attempts", "rental")


#: texts of this module: key -> (Chinese, English)
T = Catalogue({"last": ("上次", "last"), "rental": ("出租房", "rental")})


def _label(code: str, lang: str) -> str:
    return tr(*STATUS_LABELS.get(code, (code, code)), lang)


def households_layer(
    points: pd.DataFrame,
    *,
    name: str,
    lang: str = "zh",
    cluster: bool | None = None,
    radius: float = 5.0,
    show: bool = True,
) -> folium.FeatureGroup:
    """A layer of household points coloured by status.

    Parameters
    ----------
    points : DataFrame
        :func:`geo.coverage.household_points`: ``lon``, ``lat``, ``status``, ``address`` and
        optionally ``id``, ``beat_id``, ``last_attempt_at``, ``attempts``, ``rental``. Any
        other column (names, phones) is ignored.
    name : str
        Layer name in the layer control.
    lang : {"zh", "en"}
        Language of the tooltips.
    cluster : bool, optional
        Cluster the markers; by default when there are more than :data:`CLUSTER_ABOVE`.
    radius : float
        Marker radius in pixels.
    show : bool
        Shown when the map opens.

    Returns
    -------
    folium.FeatureGroup

    Notes
    -----
    Clustering needs a map with a ``maxZoom`` option (``m.options["maxZoom"] = 20``):
    Leaflet.markercluster throws "Map has no maxZoom specified" otherwise.

    Raises
    ------
    ValueError
        When a status is not one of :data:`geo.coverage.STATUSES`.
    """
    bad = sorted(set(points["status"].astype(object)) - set(STATUSES))
    if bad:
        raise ValueError(f"unknown status {bad}; allowed: {STATUSES}")
    cluster = len(points) > CLUSTER_ABOVE if cluster is None else cluster
    classes = {code: i for i, code in enumerate(STATUSES)}
    styles = [
        {
            "color": "#ffffff" if cluster else "#333333",
            "fillColor": STATUS_COLORS[c],
            "radius": radius,
        }
        for c in STATUSES
    ]
    group = folium.FeatureGroup(name=name, show=show)
    rows = _rows(points, classes, lang)
    ClassedPoints(
        rows,
        styles=styles,
        cluster=cluster,
        cluster_share_class=classes["visited"],
        kind="household",
    ).add_to(group)
    return group


def _rows(points: pd.DataFrame, classes: dict[str, int], lang: str) -> list[list]:
    lat = np.round(points["lat"].to_numpy(float), 6).tolist()
    lon = np.round(points["lon"].to_numpy(float), 6).tolist()
    status = points["status"].astype(object).tolist()
    address = points["address"].astype(object).fillna("").map(str).tolist()
    labels = {c: html.escape(_label(c, lang)) for c in classes}
    if "last_attempt_at" in points.columns:
        last = pd.to_datetime(points["last_attempt_at"]).dt.strftime("%Y-%m-%d %H:%M")
        last = last.fillna("").tolist()
    else:
        last = [""] * len(points)
    rental = (
        points["rental"].fillna(False).astype(bool).tolist()
        if "rental" in points.columns
        else [False] * len(points)
    )
    ids = points["id"].tolist() if "id" in points.columns else [None] * len(points)
    beat = (
        points["beat_id"].astype("Int64").astype(object).where(points["beat_id"].notna(), None)
        if "beat_id" in points.columns
        else pd.Series([None] * len(points))
    ).tolist()
    word_last = T("last", lang)
    word_rental = T("rental", lang)
    rows = []
    for i in range(len(points)):
        tip = f"{html.escape(address[i])}<br>{labels[status[i]]}"
        if last[i]:
            tip += f" · {word_last} {last[i]}"
        if rental[i]:
            tip += f" · {word_rental}"
        props = {"id": int(ids[i])} if ids[i] is not None else {}
        if beat[i] is not None:
            props["beat_id"] = int(beat[i])
        rows.append([lat[i], lon[i], classes[status[i]], tip, props])
    return rows


def households_legend_items(*, lang: str = "zh") -> list[LegendItem]:
    """Legend rows for :func:`households_layer` (the three main statuses first)."""
    order = ("visited", "not_home", "unvisited", "refused", "moved_away")
    return [LegendItem(_label(c, lang), "#333333", "point", fill=STATUS_COLORS[c]) for c in order]
