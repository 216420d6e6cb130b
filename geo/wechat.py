"""WeChat reach: households in the beat's WeChat groups, per building or courtyard and per beat.

Dongcheng's officers keep a WeChat group per courtyard. The households table's
``wechat_member`` flag says whether a household is in its group; a household without the flag
recorded counts as not (yet) in a group. Buildings and courtyards where nobody is in a group
come first: they are the next ones to visit.

A building is its ``building_id`` when recorded, else its estate and building text within the
beat (``民安小区 3号楼``, ``5号院``), else the household's own address.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.i18n import Catalogue

T = Catalogue(
    {
        "beat": ("警务区", "beat"),
        "place": ("楼栋/院落", "building or courtyard"),
        "households": ("住户数", "households"),
        "members": ("入群户数", "in the group"),
        "share": ("入群率（%）", "share in the group (%)"),
        "nobody": ("无人入群", "nobody in a group"),
        "yes": ("是", "yes"),
    }
)


def _place(households: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Grouping key and display label of each household's building or courtyard."""
    text = households.get("building")
    text = (
        text.fillna("").astype(str) if text is not None else pd.Series("", index=households.index)
    )
    estate = households.get("estate")
    estate = (
        estate.fillna("").astype(str)
        if estate is not None
        else pd.Series("", index=households.index)
    )
    bid = households.get("building_id")
    bid = bid.fillna("").astype(str) if bid is not None else pd.Series("", index=households.index)
    beat = households["beat_id"].astype("Int64").astype(str)
    address = households["address"].fillna("").astype(str)
    label = (estate + " " + text).str.strip()
    label = label.where(label != "", address)
    key = np.where(bid != "", "b:" + bid, "t:" + beat + "|" + label)
    return pd.Series(key, index=households.index), label


def reach_by_building(households: pd.DataFrame, *, beat_id: int | None = None) -> pd.DataFrame:
    """Households and WeChat members per building or courtyard, nobody-in-a-group first.

    Parameters
    ----------
    households : DataFrame or GeoDataFrame
        The households table (WGS-84 points give each place a ``lon``/``lat``).
    beat_id : int, optional
        Only this beat.

    Returns
    -------
    DataFrame
        ``beat_id``, ``place``, ``households``, ``members``, ``share``, ``nobody``, and
        ``lon``/``lat`` when the frame has geometry; sorted by ``nobody`` first, then by
        households (largest first).
    """
    hh = households
    if beat_id is not None:
        hh = hh[hh["beat_id"].astype("Int64") == int(beat_id)]
    cols = ["beat_id", "place", "households", "members", "share", "nobody"]
    if hh.empty:
        return pd.DataFrame(columns=cols)
    key, label = _place(hh)
    member = hh["wechat_member"].astype("boolean").fillna(False).astype(int)
    frame = pd.DataFrame(
        {"key": key, "beat_id": hh["beat_id"].astype("Int64"), "place": label, "m": member}
    )
    if hasattr(hh, "geometry"):
        frame["lon"] = hh.geometry.x.to_numpy()
        frame["lat"] = hh.geometry.y.to_numpy()
    agg = {"beat_id": ("beat_id", "first"), "place": ("place", "first")}
    agg |= {"households": ("m", "size"), "members": ("m", "sum")}
    if "lon" in frame:
        agg |= {"lon": ("lon", "mean"), "lat": ("lat", "mean")}
    out = frame.groupby("key", sort=False).agg(**agg).reset_index(drop=True)
    out["share"] = out["members"] / out["households"]
    out["nobody"] = out["members"] == 0
    out = out.sort_values(
        ["nobody", "households", "place"], ascending=[False, False, True], kind="stable"
    )
    return out[[*cols, *(["lon", "lat"] if "lon" in out else [])]].reset_index(drop=True)


def reach_by_beat(households: pd.DataFrame, beats: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of households in a WeChat group per beat (a column for the Coverage page).

    Returns
    -------
    DataFrame
        Indexed by ``beat_id``: ``households``, ``members``, ``share`` (NaN for a beat
        without households), ``places_nobody`` (buildings/courtyards with nobody in a group),
        and ``name`` when ``beats`` is given (every beat gets a row).
    """
    hh = households.dropna(subset=["beat_id"])
    member = hh["wechat_member"].astype("boolean").fillna(False).astype(int)
    beat = hh["beat_id"].astype("int64")
    out = pd.DataFrame(
        {
            "households": member.groupby(beat).size(),
            "members": member.groupby(beat).sum(),
        }
    )
    places = reach_by_building(hh)
    if not places.empty:
        out["places_nobody"] = places[places["nobody"]].groupby("beat_id").size()
    else:
        out["places_nobody"] = 0
    if beats is not None:
        out = out.reindex(pd.Index(beats["id"].astype("int64")))
        out.insert(0, "name", beats.set_index("id")["name"].reindex(out.index).to_numpy())
    for c in ("households", "members", "places_nobody"):
        out[c] = out[c].fillna(0).astype(int)
    out["share"] = np.where(
        out["households"] > 0, out["members"] / out["households"].clip(1), np.nan
    )
    out.index.name = "beat_id"
    return out


def reach_table(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`reach_by_building` or :func:`reach_by_beat` with headers in ``lang``, shares in
    per cent, and the nobody flag as text."""
    out = df.drop(columns=[c for c in ("lon", "lat") if c in df.columns]).copy()
    out["share"] = (out["share"] * 100).round(1)
    if "nobody" in out:
        out["nobody"] = np.where(out["nobody"], T("yes", lang), "")
    names = {c: T(c, lang) for c in out.columns if c in T}
    names["places_nobody"] = T("nobody", lang)
    names["name"] = T("beat", lang)
    names["beat_id"] = T("beat", lang) + ("编号" if lang != "en" else " id")
    return out.rename(columns=names)
