"""Mediation (调解): the beat's weekly neighbour meeting, share settled, repeat disputes.

Records come from the ``mediations`` table (:mod:`geo.model`): the date, the beat, the two
households involved (``household_id`` and ``other_household_id``; either may be empty), the
parties' names (personal, masked unless the role allows them), the kind of dispute, where it
was heard (neighbour meeting on site or at the beat office), the outcome and a follow-up date.

A dispute is a *repeat* when the same pair of households (in either order; a single household
when only one is recorded) has been heard before: those records are flagged so the officer
brings the history to the meeting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo._errors import InputError
from geo.i18n import Catalogue
from geo.model import MEDIATION_KINDS, MEDIATION_OUTCOMES, MEETINGS, enum_label, mask_personal

T = Catalogue(
    {
        "held_on": ("调解日期", "date"),
        "beat": ("警务区", "beat"),
        "parties": ("当事人", "parties"),
        "kind": ("纠纷类型", "kind"),
        "meeting": ("调解方式", "meeting"),
        "outcome": ("调解结果", "outcome"),
        "follow_up_on": ("跟进日期", "follow-up"),
        "repeat": ("重复纠纷", "repeat"),
        "times": ("第几次", "time heard"),
        "total": ("调解件数", "mediations"),
        "settled": ("调解成功", "settled"),
        "referred": ("移交", "referred"),
        "pending": ("待调解", "pending"),
        "settled_share": ("成功率", "share settled"),
        "repeats": ("重复纠纷件数", "repeat disputes"),
        "due": ("本周需跟进", "follow-ups due this week"),
        "yes": ("是", "yes"),
    }
)

#: columns the functions here need
REQUIRED = (
    "id", "held_on", "beat_id", "household_id", "other_household_id", "parties", "kind",
    "meeting", "outcome", "follow_up_on",
)  # fmt: skip


def _check(mediations: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in mediations.columns]
    if missing:
        raise InputError(f"mediations frame lacks columns {missing}; needed: {', '.join(REQUIRED)}")


def pair_key(mediations: pd.DataFrame) -> pd.Series:
    """The unordered pair of households of each record, as text ``"a-b"`` (a <= b).

    A record with one household gives ``"a"``; one with none gives ``"#<id>"`` (never a
    repeat).
    """
    keys = []
    for a, b, rid in zip(
        mediations["household_id"], mediations["other_household_id"], mediations["id"], strict=True
    ):
        pair = sorted(int(v) for v in (a, b) if not pd.isna(v))
        keys.append("-".join(map(str, pair)) if pair else f"#{rid}")
    return pd.Series(keys, index=mediations.index, dtype=object)


def flag_repeats(mediations: pd.DataFrame) -> pd.DataFrame:
    """Add ``pair``, ``times`` (1 for the first hearing of a pair, 2 for the second, ...),
    ``pair_total`` and ``repeat`` (the pair has been heard more than once) to a copy.

    Parameters
    ----------
    mediations : DataFrame
        The ``mediations`` table.

    Returns
    -------
    DataFrame
        Same rows and order.
    """
    _check(mediations)
    out = mediations.copy()
    out["pair"] = pair_key(out)
    order = out.sort_values(["held_on", "id"]).index
    times = out.loc[order].groupby("pair").cumcount() + 1
    out["times"] = times.reindex(out.index).astype(int)
    out["pair_total"] = out.groupby("pair")["pair"].transform("size").astype(int)
    out["repeat"] = out["pair_total"] > 1
    return out


def beat_summary(mediations: pd.DataFrame, beats: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per beat: mediations, settled, referred, pending, share settled, repeat disputes.

    Parameters
    ----------
    mediations : DataFrame
        The ``mediations`` table.
    beats : DataFrame, optional
        The ``beats`` table; every beat gets a row (zeros where none were held) and its name.

    Returns
    -------
    DataFrame
        Indexed by ``beat_id``; ``settled_share`` is NaN where a beat held none.
    """
    _check(mediations)
    flagged = flag_repeats(mediations)
    counts = pd.crosstab(flagged["beat_id"].astype("int64"), flagged["outcome"])
    for code in MEDIATION_OUTCOMES:
        if code not in counts.columns:
            counts[code] = 0
    out = counts[list(MEDIATION_OUTCOMES)].copy()
    out["total"] = out.sum(axis=1)
    out["repeats"] = flagged[flagged["times"] > 1].groupby("beat_id").size()
    if beats is not None:
        out = out.reindex(pd.Index(beats["id"].astype("int64"), name="beat_id"))
        out.insert(0, "name", beats.set_index("id")["name"].reindex(out.index).to_numpy())
    out = out.fillna({c: 0 for c in [*MEDIATION_OUTCOMES, "total", "repeats"]})
    for c in [*MEDIATION_OUTCOMES, "total", "repeats"]:
        out[c] = out[c].astype(int)
    out["settled_share"] = np.where(out["total"] > 0, out["settled"] / out["total"].clip(1), np.nan)
    out.index.name = "beat_id"
    out.columns.name = None
    return out


def mask_parties(parties: pd.Series) -> pd.Series:
    """Mask each party's name separately (``张三、李四`` -> ``张*、李*``)."""
    parts = parties.fillna("").astype(str).str.split("、")
    flat = parts.explode()
    masked = mask_personal(flat.to_frame("parties"), "mediations")["parties"].fillna("")
    return masked.groupby(level=0).agg("、".join).reindex(parties.index)


def week_start(day: object) -> pd.Timestamp:
    """The Monday of the week holding ``day``."""
    ts = pd.Timestamp(day).normalize()
    return ts - pd.Timedelta(days=ts.day_of_week)


def weekly_list(
    mediations: pd.DataFrame,
    *,
    beat_id: int,
    week_of: object,
    show_personal: bool = False,
    lang: str = "zh",
) -> pd.DataFrame:
    """The beat's list for one week's meeting, with labelled columns ready to show or export.

    It holds the disputes heard that week and the earlier ones whose follow-up falls in that
    week, oldest first; repeat disputes say how many times the pair has been heard.

    Parameters
    ----------
    mediations : DataFrame
        The ``mediations`` table.
    beat_id : int
        The beat.
    week_of : date-like
        Any day of the week.
    show_personal : bool
        Show the parties' names unmasked (the user's role allows it).
    lang : {"zh", "en"}
        Language of headers and values.
    """
    _check(mediations)
    start = week_start(week_of)
    end = start + pd.Timedelta(days=7)
    flagged = flag_repeats(mediations)
    mine = flagged[flagged["beat_id"].astype("Int64") == int(beat_id)]
    held = mine["held_on"].between(start, end, inclusive="left")
    follow = pd.to_datetime(mine["follow_up_on"])
    due = follow.between(start, end, inclusive="left") & ~held
    rows = mine[held | due].sort_values(["held_on", "id"])
    due = due[rows.index]
    if not show_personal:
        rows = rows.assign(parties=mask_parties(rows["parties"]))
    out = pd.DataFrame(
        {
            T("held_on", lang): rows["held_on"].dt.strftime("%Y-%m-%d"),
            T("parties", lang): rows["parties"].fillna(""),
            T("kind", lang): [enum_label(MEDIATION_KINDS, k, lang) for k in rows["kind"]],
            T("meeting", lang): [enum_label(MEETINGS, k, lang) for k in rows["meeting"]],
            T("outcome", lang): [enum_label(MEDIATION_OUTCOMES, k, lang) for k in rows["outcome"]],
            T("follow_up_on", lang): pd.to_datetime(rows["follow_up_on"])
            .dt.strftime("%Y-%m-%d")
            .fillna(""),
            T("times", lang): rows["times"].to_numpy(),
            T("due", lang): [T("yes", lang) if d else "" for d in due],
        }
    )
    return out.reset_index(drop=True)


def summary_labels(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`beat_summary` with headers in ``lang`` and the share as a percentage."""
    out = df.copy()
    out["settled_share"] = (out["settled_share"] * 100).round(1)
    names = {c: T(c, lang) for c in T if c in out.columns}
    names["name"] = T("beat", lang)
    out = out.rename(columns=names)
    share = T("settled_share", lang)
    return out.rename(columns={share: f"{share} (%)"})
