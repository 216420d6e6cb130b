"""Camera installs and incidents before and after, beside comparable beats without installs.

A beat is *treated* when at least ``min_installs`` household cameras (camera/recorder units,
doorbells) were installed in it during the period under study; its *event* is the day of its
first install in that period. Its incidents per 1,000 households per 30 days are counted in a
window of ``window_days`` before the event and one after. The *comparison* beats are those with
at most ``control_max`` installs in the period, matched to each treated beat on household count
and on the incident rate before the period (nearest neighbours on standardised values); they
are measured over the same two windows as the beat they are matched to.

The difference in differences is the treated beat's change minus the mean change of its
matches. It is a description, not a proof of cause: beats differ in other ways (officers,
shops, reporting), the comparison is small, and incidents vary by chance. The note returned by
:func:`install_effect` says so in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo._errors import InputError
from geo.i18n import Catalogue
from geo.labels import labelled

#: camera kinds a household installs (public surveillance does not count as an install)
HOUSEHOLD_CAMERA_KINDS = ("recorder_unit", "doorbell")
PER_HOUSEHOLDS = 1000.0
PER_DAYS = 30.0
#: a beat whose first install leaves fewer observed days after it is not counted as treated
MIN_DAYS_AFTER = pd.Timedelta(days=14)


#: beat groups of the comparison: code -> (Chinese, English)
GROUP_LABELS = Catalogue(
    {
        "treated": ("有安装", "with installs"),
        "comparison": ("对照", "comparison"),
        "other": ("其他", "other"),
    }
)
#: columns of :meth:`EffectResult.table`, in order
TABLE_COLUMNS = (
    "name",
    "group",
    "households",
    "installs",
    "event",
    "before",
    "after",
    "rate_before",
    "rate_after",
    "match_before",
    "match_after",
    "did",
)
RATE_COLUMNS = ("rate_before", "rate_after", "match_before", "match_after", "did")


@dataclass
class EffectResult:
    """Result of :func:`install_effect`.

    Attributes
    ----------
    by_beat : DataFrame
        Every beat: ``beat_id``, ``name``, ``households``, ``installs`` (in the period),
        ``group`` ("treated", "comparison" or "other"), ``event`` (treated: first install),
        ``before``/``after`` (incidents in the two windows), ``rate_before``/``rate_after``
        (per 1,000 households per 30 days) and, for treated beats, ``matches`` (ids of the
        comparison beats), ``match_before``/``match_after`` (their mean rates) and ``did``
        (difference in differences).
    summary : dict
        ``treated``, ``comparison`` (beat counts), ``treated_before``, ``treated_after``,
        ``comparison_before``, ``comparison_after`` (mean rates), ``did`` (mean difference in
        differences, rate units) and ``comparison_rule`` ("none" or "fewest").
    note : tuple of str
        Plain-language summary (Chinese, English), including that this is not proof of cause.
    """

    by_beat: pd.DataFrame
    summary: dict = field(default_factory=dict)
    note: tuple[str, str] = ("", "")

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """The per-beat table as shown and exported: groups named, rates to 2 decimals,
        columns labelled in ``lang`` (see :func:`geo.labels.labelled`)."""
        names = {k: GROUP_LABELS(k, lang) for k in GROUP_LABELS}
        df = self.by_beat.assign(group=self.by_beat["group"].map(names))
        df = df[[c for c in TABLE_COLUMNS if c in df.columns]]
        return labelled(df.round(dict.fromkeys(RATE_COLUMNS, 2)), lang)


def install_effect(
    *,
    beats: pd.DataFrame,
    households: pd.DataFrame,
    cameras: pd.DataFrame,
    incidents: pd.DataFrame,
    since: pd.Timestamp | str,
    until: pd.Timestamp | str | None = None,
    window_days: int = 90,
    min_installs: int = 3,
    control_max: int = 0,
    n_matches: int = 3,
    categories: tuple[str, ...] | None = None,
    data_end: pd.Timestamp | str | None = None,
) -> EffectResult:
    """Incidents per beat before and after camera installs, against comparable beats.

    Parameters
    ----------
    beats : DataFrame
        ``id``, ``name``.
    households : DataFrame
        ``id`` and ``beat_id``, one row per household; or ``beat_id`` and ``households``, the
        count per beat (what :mod:`geo.coverage_store` reads from the store).
    cameras : DataFrame
        ``kind``, ``installed_on`` and ``beat_id`` (see :func:`geo.filters.with_beat`).
    incidents : DataFrame
        ``occurred_at``, ``category`` and ``beat_id``; their whole history, not only the
        campaign window.
    since, until : timestamp
        Period whose installs are studied (``until`` default: the last install).
    window_days : int
        Length of the before and after windows.
    min_installs : int
        Installs in the period that make a beat *treated*.
    control_max : int
        Comparison beats have at most this many installs in the period. When no beat
        qualifies, the third of beats with the fewest installs per household is used and
        the note says so.
    n_matches : int
        Comparison beats matched to each treated beat.
    categories : tuple of str, optional
        Incident categories counted (default all).
    data_end : timestamp, optional
        End of the incident record (default the last incident). After-windows are cut there
        and rates use the days actually observed; a beat whose first install leaves fewer
        than 14 observed days after it is not counted as treated.

    Returns
    -------
    EffectResult
    """
    _check_options(window_days, min_installs, control_max, n_matches, cameras, incidents)
    since = pd.Timestamp(since).normalize()
    period, until = _installs_in_period(cameras, since, until)
    table = _beat_table(beats, households, period)
    inc = _incident_times(incidents, categories)
    data_end = pd.Timestamp(
        data_end if data_end is not None else (inc["t"].max() if len(inc) else until)
    )
    count = _Counter(inc)
    treated, control, rule = _groups(table, min_installs, control_max, data_end)
    table["group"] = np.where(treated, "treated", np.where(control, "comparison", "other"))
    after_days = _before_after(table, treated, count, window_days, data_end)
    base = _count_baseline(table, count, since, window_days)
    _match(table, treated, control, base, count, window_days, after_days, data_end, n_matches)
    summary = _summary(table, treated, control, rule)
    summary.update(window_days=window_days, data_end=data_end, since=since, until=until)
    order = {"treated": 0, "comparison": 1, "other": 2}
    table = table.sort_values(
        ["group", "did", "installs"],
        key=lambda s: s.map(order) if s.name == "group" else s,
        ascending=[True, True, False],
        kind="stable",
    ).reset_index(drop=True)
    return EffectResult(table, summary, effect_note(summary, control_max=control_max))


def _check_options(
    window_days: int,
    min_installs: int,
    control_max: int,
    n_matches: int,
    cameras: pd.DataFrame,
    incidents: pd.DataFrame,
) -> None:
    problems = []
    if window_days < 7:
        problems.append(f"window_days must be at least 7, got {window_days!r}")
    if min_installs < 1 or control_max < 0 or control_max >= min_installs:
        problems.append(
            "need min_installs >= 1 and 0 <= control_max < min_installs, got "
            f"min_installs={min_installs!r}, control_max={control_max!r}"
        )
    if n_matches < 1:
        problems.append(f"n_matches must be at least 1, got {n_matches!r}")
    for name, df in (("cameras", cameras), ("incidents", incidents)):
        if "beat_id" not in df.columns:
            problems.append(f"{name} need a 'beat_id' column (geo.filters.with_beat)")
    if problems:
        raise InputError("; ".join(problems))


def _installs_in_period(
    cameras: pd.DataFrame, since: pd.Timestamp, until: pd.Timestamp | str | None
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Household installs in ``[since, until]`` (``beat_id``, ``day``) and the period's end."""
    cams = cameras[cameras["kind"].astype(object).isin(HOUSEHOLD_CAMERA_KINDS).to_numpy(bool)]
    installed = pd.to_datetime(cams["installed_on"])
    if until is None:
        until = installed.max() if installed.notna().any() else since
    until = pd.Timestamp(until).normalize()
    if until < since:
        raise InputError(f"until {until:%Y-%m-%d} is before since {since:%Y-%m-%d}")
    in_period = ((installed >= since) & (installed <= until)).fillna(False).to_numpy(bool)
    period = pd.DataFrame(
        {"beat_id": cams["beat_id"].to_numpy()[in_period], "day": installed.to_numpy()[in_period]}
    ).dropna()
    period["beat_id"] = period["beat_id"].astype("int64")
    return period, until


def _beat_table(
    beats: pd.DataFrame, households: pd.DataFrame, period: pd.DataFrame
) -> pd.DataFrame:
    """One row per beat: ``households``, ``installs`` in the period and ``event`` (first one)."""
    table = beats[["id", "name"]].rename(columns={"id": "beat_id"}).reset_index(drop=True)
    if "households" in households.columns:  # already counted per beat
        size = households.set_index(households["beat_id"].astype("Int64"))["households"]
    else:
        size = households.groupby(households["beat_id"].astype("Int64")).size()
    table["households"] = table["beat_id"].map(size).fillna(0).astype(int)
    grp = period.groupby("beat_id")["day"]
    table["installs"] = table["beat_id"].map(grp.size()).fillna(0).astype(int)
    # reindex, not map: no installs at all would map an empty datetime column to floats
    table["event"] = pd.to_datetime(grp.min().reindex(table["beat_id"]).to_numpy())
    return table


def _incident_times(incidents: pd.DataFrame, categories: tuple[str, ...] | None) -> pd.DataFrame:
    """``beat_id`` and time ``t`` of the incidents counted (of ``categories`` when given)."""
    inc = incidents
    if categories:
        inc = inc[inc["category"].astype(object).isin(categories).to_numpy(bool)]
    inc = pd.DataFrame(
        {
            "beat_id": inc["beat_id"].astype("Int64").to_numpy(),
            "t": pd.to_datetime(inc["occurred_at"]).to_numpy(),
        }
    ).dropna()
    inc["beat_id"] = inc["beat_id"].astype("int64")
    return inc


def _groups(
    table: pd.DataFrame, min_installs: int, control_max: int, data_end: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray, str]:
    """Treated and comparison masks, and the comparison rule ("none" or "fewest")."""
    has_homes = table["households"].to_numpy() > 0
    recent = (table["event"] > data_end - MIN_DAYS_AFTER).fillna(False).to_numpy(bool)
    treated = has_homes & (table["installs"].to_numpy() >= min_installs) & ~recent
    control = has_homes & (table["installs"].to_numpy() <= control_max)
    if control.any():
        return treated, control, "none"
    per_hh = table["installs"] / table["households"].where(has_homes)
    cut = per_hh[has_homes & ~treated].quantile(1 / 3) if (has_homes & ~treated).any() else 0
    control = has_homes & ~treated & (per_hh <= cut).fillna(False).to_numpy(bool)
    if not control.any():
        cut = per_hh[has_homes].quantile(1 / 3)
        control = has_homes & (per_hh <= cut).fillna(False).to_numpy(bool)
        treated &= ~control
    return treated, control, "fewest"


def _after_end(event: object, window_days: int, data_end: pd.Timestamp) -> pd.Timestamp:
    return min(pd.Timestamp(event) + pd.Timedelta(days=window_days), data_end)


def _before_after(
    table: pd.DataFrame,
    treated: np.ndarray,
    count: _Counter,
    window_days: int,
    data_end: pd.Timestamp,
) -> np.ndarray:
    """Fill the treated beats' incidents and rates around their event; return days observed after."""
    window = pd.Timedelta(days=window_days)
    hh = table["households"].to_numpy(float)
    ids = table["beat_id"].to_numpy()
    before = np.zeros(len(table))
    after = np.zeros(len(table))
    after_days = np.full(len(table), float(window_days))
    ev = table["event"].to_numpy()
    for i in np.flatnonzero(treated):
        t0 = pd.Timestamp(ev[i])
        t1 = _after_end(t0, window_days, data_end)
        after_days[i] = (t1 - t0) / pd.Timedelta(days=1)
        before[i] = count(ids[[i]], t0 - window, t0)[0]
        after[i] = count(ids[[i]], t0, t1)[0]
    table["before"] = before.astype(int)
    table["after"] = after.astype(int)
    table["rate_before"] = np.where(treated, _rate(before, hh, window_days), np.nan)
    table["rate_after"] = np.where(treated, _rate(after, hh, after_days), np.nan)
    return after_days


def _count_baseline(
    table: pd.DataFrame, count: _Counter, since: pd.Timestamp, window_days: int
) -> np.ndarray:
    """Incident rate of every beat in the window before the period (the same for all beats)."""
    window = pd.Timedelta(days=window_days)
    base = count(table["beat_id"].to_numpy(), since - window, since)
    return _rate(base, table["households"].to_numpy(float), window_days)


def _match(
    table: pd.DataFrame,
    treated: np.ndarray,
    control: np.ndarray,
    base_rate: np.ndarray,
    count: _Counter,
    window_days: int,
    after_days: np.ndarray,
    data_end: pd.Timestamp,
    n_matches: int,
) -> None:
    """Match each treated beat to its nearest comparison beats; fill their rates and ``did``.

    Nearness is on standardised log households and baseline rate. A comparison beat matched
    to several treated beats shows the mean of its rates over their windows.
    """
    window = pd.Timedelta(days=window_days)
    hh = table["households"].to_numpy(float)
    ids = table["beat_id"].to_numpy()
    ev = table["event"].to_numpy()
    has_homes = hh > 0
    feats = np.column_stack([np.log1p(hh), base_rate])
    scale = feats[has_homes].std(axis=0) if has_homes.any() else np.ones(2)
    feats = feats / np.where(scale > 0, scale, 1.0)
    ctrl_idx = np.flatnonzero(control)
    matches: list[list[int]] = [[] for _ in range(len(table))]
    m_before = np.full(len(table), np.nan)
    m_after = np.full(len(table), np.nan)
    ctrl_before: dict[int, list[float]] = {}
    ctrl_after: dict[int, list[float]] = {}
    for i in np.flatnonzero(treated) if len(ctrl_idx) else ():
        d = np.linalg.norm(feats[ctrl_idx] - feats[i], axis=1)
        pick = ctrl_idx[np.argsort(d, kind="stable")[:n_matches]]
        t0 = pd.Timestamp(ev[i])
        t1 = _after_end(t0, window_days, data_end)
        cb = _rate(count(ids[pick], t0 - window, t0), hh[pick], window_days)
        ca = _rate(count(ids[pick], t0, t1), hh[pick], after_days[i])
        matches[i] = [int(ids[j]) for j in pick]
        m_before[i], m_after[i] = cb.mean(), ca.mean()
        for j, b_, a_ in zip(pick, cb, ca, strict=True):
            ctrl_before.setdefault(int(j), []).append(float(b_))
            ctrl_after.setdefault(int(j), []).append(float(a_))
    for j, vals in ctrl_before.items():
        table.loc[j, "rate_before"] = float(np.mean(vals))
        table.loc[j, "rate_after"] = float(np.mean(ctrl_after[j]))
    table["matches"] = [",".join(map(str, m)) for m in matches]
    table["match_before"] = m_before
    table["match_after"] = m_after
    table["did"] = (table["rate_after"] - table["rate_before"]) - (m_after - m_before)
    table.loc[~treated, "did"] = np.nan


def _summary(table: pd.DataFrame, treated: np.ndarray, control: np.ndarray, rule: str) -> dict:
    """Beat counts and the mean rates of the treated beats that have matches."""
    t_rows = table[treated & ~np.isnan(table["match_before"].to_numpy(float))]

    def mean(col: str) -> float:
        return float(t_rows[col].mean()) if len(t_rows) else np.nan

    return {
        "treated": int(treated.sum()),
        "comparison": int(control.sum()),
        "treated_before": mean("rate_before"),
        "treated_after": mean("rate_after"),
        "comparison_before": mean("match_before"),
        "comparison_after": mean("match_after"),
        "did": mean("did"),
        "comparison_rule": rule,
    }


class _Counter:
    """Incidents per beat in a time window, by binary search in per-beat sorted times."""

    def __init__(self, inc: pd.DataFrame) -> None:
        order = np.lexsort((inc["t"].to_numpy(), inc["beat_id"].to_numpy()))
        self.beat = inc["beat_id"].to_numpy()[order]
        self.t = inc["t"].to_numpy().astype("datetime64[ns]").astype(np.int64)[order]
        self.ids, self.start = np.unique(self.beat, return_index=True)
        self.end = np.append(self.start[1:], len(self.beat))

    def __call__(self, beat_ids: np.ndarray, lo: pd.Timestamp, hi: pd.Timestamp) -> np.ndarray:
        """Incidents per beat in ``[lo, hi)``, in the order of ``beat_ids``."""
        out = np.zeros(len(beat_ids))
        pos = np.searchsorted(self.ids, beat_ids)
        lo_i, hi_i = pd.Timestamp(lo).value, pd.Timestamp(hi).value
        for k, (p, b) in enumerate(zip(pos, beat_ids, strict=True)):
            if p < len(self.ids) and self.ids[p] == b:
                times = self.t[self.start[p] : self.end[p]]
                out[k] = np.searchsorted(times, hi_i) - np.searchsorted(times, lo_i)
        return out


def _rate(counts: np.ndarray, households: np.ndarray, days: float | np.ndarray) -> np.ndarray:
    den = households * np.asarray(days, float) / (PER_HOUSEHOLDS * PER_DAYS)
    return np.divide(counts, den, out=np.full(len(counts), np.nan), where=den > 0)


def _pct(before: float, after: float) -> str:
    if not np.isfinite(before) or before <= 0 or not np.isfinite(after):
        return ""
    return f"{(after - before) / before:+.0%}"


def effect_note(summary: dict, *, control_max: int = 0) -> tuple[str, str]:
    """The plain-language note of an :class:`EffectResult` (Chinese, English).

    Parameters
    ----------
    summary : dict
        :attr:`EffectResult.summary`.
    control_max : int
        The comparison rule's install limit.
    """
    caveat_zh = (
        "这只是前后对比，不能证明下降（或上升）是摄像设备造成的：各警务区的民警、商铺、报警习惯"
        "和季节都可能不同，参与比较的警务区也不多。"
    )
    caveat_en = (
        "This is a before/after comparison, not proof that the cameras caused any change: "
        "beats differ in officers, shops, reporting habits and season, and few beats take part."
    )
    n_t, n_c = summary.get("treated", 0), summary.get("comparison", 0)
    if not n_t or not n_c or not np.isfinite(summary.get("did", np.nan)):
        return (
            f"所选时段内有安装的警务区 {n_t} 个、可比较的警务区 {n_c} 个，数据不足以比较。{caveat_zh}",
            f"{n_t} beats with installs and {n_c} comparable beats in the period: not enough "
            f"to compare. {caveat_en}",
        )
    tb, ta = summary["treated_before"], summary["treated_after"]
    cb, ca = summary["comparison_before"], summary["comparison_after"]
    did = summary["did"]
    w = summary.get("window_days", 90)
    if summary.get("comparison_rule") == "fewest":
        rule_zh = "（没有零安装的警务区，改用安装最少的三分之一警务区比较）"
        rule_en = " (no beat was without installs; the third with the fewest installs is used)"
    else:
        rule_zh = "（无安装）" if control_max == 0 else f"（安装不超过 {control_max} 台）"
        rule_en = " (no installs)" if control_max == 0 else f" (at most {control_max} installs)"
    zh = (
        f"有安装的 {n_t} 个警务区：首次安装前后各 {w} 天，每千户每月警情由 {tb:.1f} 起变为 "
        f"{ta:.1f} 起{_pct(tb, ta) and f'（{_pct(tb, ta)}）'}；同期可比较的 {n_c} 个警务区"
        f"{rule_zh}由 {cb:.1f} 起变为 {ca:.1f} 起{_pct(cb, ca) and f'（{_pct(cb, ca)}）'}。"
        f"两者变化之差为每千户每月 {did:+.1f} 起。{caveat_zh}"
    )
    en = (
        f"{n_t} beats with installs: incidents per 1,000 households per month went from "
        f"{tb:.1f} to {ta:.1f}{_pct(tb, ta) and f' ({_pct(tb, ta)})'} in the {w} days before "
        f"and after the first install; {n_c} comparable beats{rule_en} went from {cb:.1f} to "
        f"{ca:.1f}{_pct(cb, ca) and f' ({_pct(cb, ca)})'} over the same days. The difference "
        f"between the two changes is {did:+.1f} per 1,000 households per month. {caveat_en}"
    )
    return zh, en
