"""Night noise on a street: noise and dispute incidents by street segment × hour, week over week.

Dongcheng's officers counted a commercial street's night noise complaints by hour and worked
them down with the shop owners. Here each noise or dispute incident goes to the nearest street
segment of the walking network (an edge between two junctions, within ``max_distance``
metres); segments are named by their street (unnamed alleys as 无名街巷) and the street they
meet. Night is 20:00–02:00 (:data:`NIGHT_HOURS`).

For the meeting with shop owners :func:`meeting_summary` compares the weeks since the last
meeting with as many weeks before it (per week, so unequal spans compare fairly), and
:func:`summary_html` prints it on one page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InputError
from geo.i18n import Catalogue

NIGHT_HOURS = (20, 21, 22, 23, 0, 1)
#: hours in table order: the night band sits together
HOUR_ORDER = tuple(range(6, 24)) + tuple(range(0, 6))
CATEGORIES = ("noise", "dispute")

T = Catalogue(
    {
        "segment": ("路段", "street segment"),
        "street": ("街道", "street"),
        "unnamed": ("无名街巷", "unnamed alley"),
        "near": ("{street}（近{cross}）", "{street} (near {cross})"),
        "total": ("合计", "total"),
        "night": ("夜间（20:00–02:00）", "night (20:00–02:00)"),
        "week": ("周", "week"),
        "count": ("起数", "incidents"),
        "before": ("会前每周", "per week before"),
        "after": ("会后每周", "per week since"),
        "change": ("变化", "change"),
        "title": ("夜间噪音情况（商户沟通会）", "Night noise (meeting with shop owners)"),
        "period": (
            "统计：{start} 至 {end}；上次沟通会：{meeting}",
            "Period: {start} to {end}; last meeting: {meeting}",
        ),
        "top_segments": ("噪音最多的路段", "Segments with the most noise"),
        "top_hours": ("噪音最多的时段", "Hours with the most noise"),
        "hour": ("时段", "hour"),
        "overall": (
            "夜间噪音与纠纷：会前每周 {before:.1f} 起，会后每周 {after:.1f} 起（{change}）。",
            "Night noise and disputes: {before:.1f} a week before the meeting, "
            "{after:.1f} a week since ({change}).",
        ),
        "none": ("所选范围内没有噪音或纠纷警情。", "No noise or dispute incidents in this area."),
        "source": (
            "数据：BeatMap 警情记录；地图 © OpenStreetMap 贡献者",
            "Data: BeatMap incident records; map © OpenStreetMap contributors",
        ),
    }
)


def segments(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Street segments with readable labels: ``segment`` (int), ``street``, ``cross``,
    ``geometry`` (the edges' CRS). ``cross`` is a named street meeting the segment's end."""
    e = edges.reset_index(drop=True)
    names = e["name"].fillna("").astype(str).to_numpy()
    ends: dict[object, set[str]] = {}
    for u, v, name in zip(e["u"], e["v"], names, strict=True):
        if name:
            ends.setdefault(u, set()).add(name)
            ends.setdefault(v, set()).add(name)
    cross = []
    for u, v, name in zip(e["u"], e["v"], names, strict=True):
        others = sorted((ends.get(u, set()) | ends.get(v, set())) - {name})
        cross.append(others[0] if others else "")
    return gpd.GeoDataFrame(
        {"segment": np.arange(len(e)), "street": names, "cross": cross},
        geometry=e.geometry.values,
        crs=edges.crs,
    )


def segment_label(street: str, cross: str, lang: str = "zh") -> str:
    """``路名（近交叉路名）``; unnamed alleys read 无名街巷."""
    name = street or T("unnamed", lang)
    return T("near", lang, street=name, cross=cross) if cross else name


def segment_labels(segs: gpd.GeoDataFrame, lang: str = "zh") -> np.ndarray:
    """A unique label per segment: :func:`segment_label`, numbered where two would read alike."""
    labels = pd.Series(
        [segment_label(s, c, lang) for s, c in zip(segs["street"], segs["cross"], strict=True)]
    )
    dup = labels.duplicated(keep=False).to_numpy()
    out = labels.to_numpy(dtype=object)
    out[dup] = [
        f"{t} #{int(k)}" for t, k in zip(out[dup], segs["segment"].to_numpy()[dup], strict=True)
    ]
    return out


def assign(
    incidents: gpd.GeoDataFrame,
    segs: gpd.GeoDataFrame,
    *,
    categories: tuple[str, ...] = CATEGORIES,
    max_distance: float = 60.0,
    lang: str = "zh",
) -> pd.DataFrame:
    """Noise and dispute incidents with their segment, hour and week.

    Parameters
    ----------
    incidents : GeoDataFrame
        The incidents table (any CRS; reprojected to the segments').
    segs : GeoDataFrame
        From :func:`segments`.
    categories : tuple of str
        Incident categories counted.
    max_distance : float
        Metres; incidents farther from every segment are left out.

    Returns
    -------
    DataFrame
        ``id``, ``occurred_at``, ``category``, ``segment``, ``label``, ``hour``, ``night``,
        ``week`` (Monday), ``night_of`` (the evening a night belongs to: 00:00–01:59 counts
        for the day before), ``x``, ``y``.
    """
    cols = ["id", "occurred_at", "category", "segment", "label", "hour", "night", "week"]
    cols += ["night_of", "x", "y"]
    inc = incidents[incidents["category"].isin(categories)]
    if inc.empty or segs.empty:
        return pd.DataFrame(columns=cols)
    inc = inc.to_crs(segs.crs)
    tree = shapely.STRtree(segs.geometry.values)
    i_idx, s_idx = tree.query_nearest(
        inc.geometry.values, max_distance=max_distance, all_matches=False
    )
    inc = inc.iloc[i_idx]
    at = pd.to_datetime(inc["occurred_at"]).reset_index(drop=True)
    hour = at.dt.hour
    night_of = (at - pd.to_timedelta(np.where(hour < 6, 1, 0), unit="D")).dt.normalize()
    labels = segment_labels(segs, lang)[s_idx]
    xy = shapely.get_coordinates(inc.geometry.values)
    return pd.DataFrame(
        {
            "id": inc["id"].to_numpy(),
            "occurred_at": at.to_numpy(),
            "category": inc["category"].to_numpy(),
            "segment": segs["segment"].to_numpy()[s_idx],
            "label": labels,
            "hour": hour.to_numpy(),
            "night": hour.isin(NIGHT_HOURS).to_numpy(),
            "week": (night_of - pd.to_timedelta(night_of.dt.day_of_week, unit="D")).to_numpy(),
            "night_of": night_of.to_numpy(),
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )


def select(
    assigned: pd.DataFrame,
    segs: gpd.GeoDataFrame,
    *,
    street: str | None = None,
    area=None,
) -> pd.DataFrame:
    """Incidents on one street (its name) and/or inside an area (a polygon in ``segs``' CRS)."""
    out = assigned
    if street:
        known = set(segs["street"])
        if street not in known:
            sample = ", ".join(sorted(s for s in known if s)[:20])
            raise InputError(f"no street named {street!r} in this area; streets: {sample}")
        ids = segs.loc[segs["street"] == street, "segment"]
        out = out[out["segment"].isin(ids)]
    if area is not None:
        inside = shapely.contains_xy(area, out["x"].to_numpy(float), out["y"].to_numpy(float))
        out = out[inside]
    return out


def heat_table(assigned: pd.DataFrame, *, top: int = 15, lang: str = "zh") -> pd.DataFrame:
    """Incidents by segment (rows, busiest first, ``top`` of them) × hour of day (columns in
    :data:`HOUR_ORDER`), with a night and a total column."""
    hours = [f"{h:02d}" for h in HOUR_ORDER]
    if assigned.empty:
        return pd.DataFrame(columns=[T("segment", lang), *hours])
    table = pd.crosstab(assigned["label"], assigned["hour"]).reindex(
        columns=list(HOUR_ORDER), fill_value=0
    )
    table.columns = hours
    table[T("night", lang)] = assigned[assigned["night"]].groupby("label").size()
    table[T("night", lang)] = table[T("night", lang)].fillna(0).astype(int)
    table[T("total", lang)] = table[hours].sum(axis=1)
    table = table.sort_values([T("night", lang), T("total", lang)], ascending=False).head(top)
    table.index.name = T("segment", lang)
    return table.reset_index()


def weekly(assigned: pd.DataFrame, *, night_only: bool = True) -> pd.Series:
    """Incidents per week (Monday), weeks without any included as zero."""
    a = assigned[assigned["night"]] if night_only else assigned
    if a.empty:
        return pd.Series(dtype=int, name="count")
    counts = a.groupby("week").size()
    weeks = pd.date_range(counts.index.min(), counts.index.max(), freq="7D")
    return counts.reindex(weeks, fill_value=0).rename("count")


@dataclass
class MeetingSummary:
    """What the shop-owner meeting needs, from :func:`meeting_summary`."""

    start: pd.Timestamp
    end: pd.Timestamp
    meeting: pd.Timestamp
    weeks_before: float
    weeks_after: float
    before_per_week: float
    after_per_week: float
    segments: pd.DataFrame  # label, before, after (per week), change
    hours: pd.DataFrame  # hour, before, after (per week), change
    lang: str = "zh"

    @property
    def change(self) -> float:
        """Relative change of night incidents per week (NaN with none before)."""
        if self.before_per_week == 0:
            return float("nan")
        return self.after_per_week / self.before_per_week - 1.0


def _rate_table(
    night: pd.DataFrame, key: str, meeting: pd.Timestamp, wb: float, wa: float
) -> pd.DataFrame:
    before = night[night["night_of"] < meeting].groupby(key).size() / wb
    after = night[night["night_of"] >= meeting].groupby(key).size() / wa
    out = pd.DataFrame({"before": before, "after": after}).fillna(0.0)
    out["change"] = np.where(out["before"] > 0, out["after"] / out["before"].clip(1e-9) - 1, np.nan)
    return out.sort_values(["after", "before"], ascending=False)


def meeting_summary(
    assigned: pd.DataFrame,
    *,
    last_meeting: object,
    end: object | None = None,
    weeks_before: int | None = None,
    top: int = 8,
    lang: str = "zh",
) -> MeetingSummary:
    """Night incidents per week before and since the last meeting, by segment and by hour.

    Parameters
    ----------
    assigned : DataFrame
        From :func:`assign` (and :func:`select`).
    last_meeting : date-like
        Day of the last meeting with the shop owners.
    end : date-like, optional
        Last day counted (default: the last incident's night).
    weeks_before : int, optional
        Weeks before the meeting to compare with (default: as many as since, at least one).
    top : int
        Segments listed.
    """
    meeting = pd.Timestamp(last_meeting).normalize()
    night = assigned[assigned["night"]]
    last = pd.Timestamp(end).normalize() if end is not None else None
    if last is None:
        last = night["night_of"].max() if not night.empty else meeting
    if last < meeting:
        raise InputError(
            f"the period ends ({last:%Y-%m-%d}) before the meeting ({meeting:%Y-%m-%d})"
        )
    days_after = (last - meeting).days + 1
    wa = days_after / 7.0
    wb = float(weeks_before) if weeks_before else max(1.0, round(wa))
    start = meeting - pd.Timedelta(days=round(wb * 7))
    night = night[(night["night_of"] >= start) & (night["night_of"] <= last)]
    n_before = int((night["night_of"] < meeting).sum())
    n_after = int((night["night_of"] >= meeting).sum())
    segs = _rate_table(night, "label", meeting, wb, wa).head(top)
    hours = _rate_table(night, "hour", meeting, wb, wa)
    hours = hours.reindex([h for h in HOUR_ORDER if h in NIGHT_HOURS], fill_value=0.0)
    return MeetingSummary(
        start=start,
        end=last,
        meeting=meeting,
        weeks_before=wb,
        weeks_after=wa,
        before_per_week=n_before / wb,
        after_per_week=n_after / wa,
        segments=segs.rename_axis("label").reset_index(),
        hours=hours.rename_axis("hour").reset_index(),
        lang=lang,
    )


def _pct(change: float) -> str:
    if not np.isfinite(change):
        return "—"
    return f"{change:+.0%}"


def summary_html(summary: MeetingSummary, *, place: str = "") -> str:
    """A printable one-page HTML summary (A4, no external resources)."""
    lang = summary.lang

    def rows(df: pd.DataFrame, first: str, fmt) -> str:
        out = []
        for _, r in df.iterrows():
            out.append(
                "<tr>"
                f"<td>{html.escape(fmt(r[first]))}</td>"
                f"<td class=n>{r['before']:.1f}</td><td class=n>{r['after']:.1f}</td>"
                f"<td class=n>{_pct(r['change'])}</td></tr>"
            )
        return "\n".join(out)

    head = (
        f"<tr><th>{{first}}</th><th>{T('before', lang)}</th><th>{T('after', lang)}</th>"
        f"<th>{T('change', lang)}</th></tr>"
    )
    title = T("title", lang) + (f" · {html.escape(place)}" if place else "")
    period = T(
        "period",
        lang,
        start=f"{summary.start:%Y-%m-%d}",
        end=f"{summary.end:%Y-%m-%d}",
        meeting=f"{summary.meeting:%Y-%m-%d}",
    )
    if summary.before_per_week == 0 and summary.after_per_week == 0:
        body = f"<p>{T('none', lang)}</p>"
    else:
        overall = T(
            "overall",
            lang,
            before=summary.before_per_week,
            after=summary.after_per_week,
            change=_pct(summary.change),
        )
        body = (
            f"<p class=lead>{overall}</p>"
            f"<h2>{T('top_segments', lang)}</h2><table>"
            + head.format(first=T("segment", lang))
            + rows(summary.segments, "label", str)
            + f"</table><h2>{T('top_hours', lang)}</h2><table>"
            + head.format(first=T("hour", lang))
            + rows(summary.hours, "hour", lambda h: f"{int(h):02d}:00–{(int(h) + 1) % 24:02d}:00")
            + "</table>"
        )
    return f"""<!DOCTYPE html>
<html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">
<title>{title}</title>
<style>
@page {{ size: A4; margin: 15mm; }}
body {{ font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif; font-size: 11pt;
       color: #111; max-width: 180mm; margin: auto; }}
h1 {{ font-size: 16pt; margin: 0 0 4pt; }} h2 {{ font-size: 12pt; margin: 12pt 0 4pt; }}
p.meta {{ color: #444; margin: 0 0 8pt; }} p.lead {{ font-size: 12pt; }}
table {{ border-collapse: collapse; width: 100%; page-break-inside: avoid; }}
th, td {{ border: 1px solid #999; padding: 3pt 6pt; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
footer {{ margin-top: 12pt; color: #666; font-size: 9pt; }}
</style></head><body>
<h1>{title}</h1>
<p class=meta>{period}</p>
{body}
<footer>{T("source", lang)}</footer>
</body></html>
"""
