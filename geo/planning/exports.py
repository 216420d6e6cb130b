"""The plan as tables, workbooks, CSV and printable promotion sheets per officer."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo._errors import InputError
from geo.exports import to_csv_bytes, to_xlsx_bytes
from geo.i18n import LANGUAGES, Catalogue
from geo.model import WGS84, enum_label, mask_personal, relabel_columns
from geo.planning.candidates import CANDIDATE_KINDS
from geo.planning.plan import CameraPlan
from geo.planning.units import DEFAULT_RADII

__all__ = [
    "BEAT_COLUMNS",
    "COLUMN_LABELS",
    "PROMOTION_COLUMNS",
    "beat_table",
    "gap_table",
    "labelled",
    "plan_csv_bytes",
    "plan_xlsx_bytes",
    "promotion_list",
    "promotion_sheets_html",
]

#: texts of the workbook and the printed sheets: key -> (Chinese, English)
T = Catalogue(
    {
        "unnamed_lane": ("无名街巷", "unnamed lane"),
        "sheet_sites": ("推广名单", "promotion list"),
        "sheet_beats": ("各警务区前后对比", "by beat"),
        "sheet_gaps": ("覆盖缺口", "street gaps"),
        "title": ("摄录一体机推广名单", "Camera/recorder unit promotion list"),
        "unassigned": ("（该警务区无社区民警）", "(no community officer for this beat)"),
        "no_sites": ("没有推广点位。", "No sites."),
        "html_lang": ("zh-CN", "en"),
        "meta": (
            "推广民警：{who} · 警务区：{beats} · 共 {n} 处 · {day}",
            "Officer: {who} · Beat: {beats} · {n} sites · {day}",
        ),
        "note": (
            "按每台设备沿街新增的覆盖排序（沿步行路网 {radius:.0f} 米）。含个人信息，"
            "请妥善保管，用后销毁。",
            "Ranked by the coverage each unit adds along the street ({radius:.0f} m walking "
            "distance). Personal data: keep this sheet safe and destroy it after use.",
        ),
        "col_rank": ("序号", "#"),
        "col_label": ("地址/位置", "Address / place"),
        "col_kind": ("类型", "Kind"),
        "col_here": ("出租户", "Rentals here"),
        "col_contact": ("联系人", "Contact"),
        "col_adds": ("新增覆盖（住户/警情）", "Adds (households / incidents)"),
        "col_promoted": ("已宣传", "Promoted"),
        "col_agreed": ("同意安装", "Agreed"),
        "col_installed": ("已安装", "Installed"),
        "col_notes": ("备注", "Notes"),
    }
)
#: columns of a printed promotion sheet (keys of :data:`T`)
SHEET_HEAD = (
    "col_rank", "col_label", "col_kind", "col_here", "col_contact", "col_adds", "col_promoted",
    "col_agreed", "col_installed", "col_notes",
)  # fmt: skip

#: export and table column labels: column -> (Chinese, English)
COLUMN_LABELS: Mapping[str, tuple[str, str]] = {
    "rank": ("序号", "rank"),
    "officer": ("推广民警", "officer to promote"),
    "officer_phone": ("民警电话", "officer phone"),
    "beat": ("警务区", "beat"),
    "beat_id": ("警务区编号", "beat id"),
    "label": ("地址/位置", "address / place"),
    "kind_label": ("类型", "kind"),
    "households_here": ("此处出租户", "rental households here"),
    "gain": ("新增覆盖（加权）", "gain (weighted)"),
    "gain_households": ("新增覆盖住户", "households newly covered"),
    "gain_incidents": ("新增覆盖警情", "incidents newly covered"),
    "covered_share": ("累计覆盖率", "cumulative covered share"),
    "contact_name": ("联系人", "contact"),
    "contact_phone": ("联系电话", "contact phone"),
    "lon": ("经度", "longitude"),
    "lat": ("纬度", "latitude"),
    "name": ("名称", "name"),
    "units": ("现有设备", "installed units"),
    "new_sites": ("新增点位", "new sites"),
    "households": ("户数", "households"),
    "hh_before": ("已覆盖住户（前）", "households covered (before)"),
    "hh_after": ("已覆盖住户（后）", "households covered (after)"),
    "hh_share_before": ("住户覆盖率（前）", "household share (before)"),
    "hh_share_after": ("住户覆盖率（后）", "household share (after)"),
    "incidents": ("警情数", "incidents"),
    "inc_before": ("已覆盖警情（前）", "incidents covered (before)"),
    "inc_after": ("已覆盖警情（后）", "incidents covered (after)"),
    "inc_share_before": ("警情覆盖率（前）", "incident share (before)"),
    "inc_share_after": ("警情覆盖率（后）", "incident share (after)"),
    "weight": ("需求（加权）", "demand (weighted)"),
    "share_before": ("加权覆盖率（前）", "weighted share (before)"),
    "share_after": ("加权覆盖率（后）", "weighted share (after)"),
    "low_share": ("覆盖偏低", "low coverage"),
    "street": ("街巷", "street"),
    "length": ("长度(米)", "length (m)"),
    "uncovered_weight": ("未覆盖需求（加权）", "uncovered demand (weighted)"),
    "uncovered_households": ("未覆盖住户", "households not covered"),
    "uncovered_incidents": ("未覆盖警情", "incidents not covered"),
    "uncovered_after": ("方案后仍未覆盖（加权）", "still uncovered after the plan (weighted)"),
}


def labelled(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A copy of ``df`` with columns renamed by :data:`COLUMN_LABELS` in ``lang``."""
    return relabel_columns(df, COLUMN_LABELS, lang)


#: columns of the promotion list, in order
PROMOTION_COLUMNS = (
    "rank",
    "officer",
    "officer_phone",
    "beat",
    "label",
    "kind_label",
    "households_here",
    "contact_name",
    "contact_phone",
    "gain",
    "gain_households",
    "gain_incidents",
    "covered_share",
    "lon",
    "lat",
)
#: columns of the per-beat before/after table, in order
BEAT_COLUMNS = (
    "name",
    "units",
    "new_sites",
    "households",
    "hh_before",
    "hh_after",
    "hh_share_before",
    "hh_share_after",
    "incidents",
    "inc_before",
    "inc_after",
    "inc_share_before",
    "inc_share_after",
    "share_before",
    "share_after",
    "low_share",
)


def promotion_list(
    plan: CameraPlan, *, lang: str = "zh", show_personal: bool = False, labels: bool = True
) -> pd.DataFrame:
    """The ranked sites as a table for the officers: address, beat, officer, gain.

    Parameters
    ----------
    plan : CameraPlan
    lang : {"zh", "en"}
        Language of the column labels and kind names.
    show_personal : bool
        Show names and phone numbers in full (the user's role allows it); masked otherwise
        (:func:`geo.model.mask_personal`: 张**, 138******21).
    labels : bool
        Rename the columns to :data:`COLUMN_LABELS` in ``lang``.

    Returns
    -------
    DataFrame
        :data:`PROMOTION_COLUMNS`, one row per site in rank order; ``lon``/``lat`` WGS-84.
    """
    if lang not in LANGUAGES:
        raise InputError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    s = plan.sites
    wgs = s.geometry.to_crs(WGS84) if len(s) else s.geometry
    out = pd.DataFrame(
        {
            "rank": s["rank"].to_numpy(),
            "officer": s["officer"].to_numpy(object),
            "officer_phone": s["officer_phone"].to_numpy(object),
            "beat": s["beat"].to_numpy(object),
            "label": s["label"].to_numpy(object),
            "kind_label": [enum_label(CANDIDATE_KINDS, k, lang) for k in s["kind"]],
            "households_here": s["households_here"].to_numpy(),
            "contact_name": s["contact_name"].to_numpy(object),
            "contact_phone": s["contact_phone"].to_numpy(object),
            "gain": s["gain"].to_numpy(float).round(2),
            "gain_households": s["gain_households"].to_numpy(),
            "gain_incidents": s["gain_incidents"].to_numpy(),
            "covered_share": s["covered_share"].to_numpy(float).round(4),
            "lon": np.round(wgs.x.to_numpy(), 6) if len(s) else [],
            "lat": np.round(wgs.y.to_numpy(), 6) if len(s) else [],
        }
    )
    if not show_personal:
        out = mask_personal(out, "households")  # contact_name, contact_phone
        masked = mask_personal(
            out[["officer_phone"]].rename(columns={"officer_phone": "phone"}), "officers"
        )
        out["officer_phone"] = masked["phone"].to_numpy()
    for col in ("officer", "officer_phone", "contact_name", "contact_phone"):
        out[col] = out[col].fillna("")
    return labelled(out, lang) if labels else out


def beat_table(plan: CameraPlan, *, lang: str = "zh", labels: bool = True) -> pd.DataFrame:
    """Coverage before and after the plan, per beat (:data:`BEAT_COLUMNS`)."""
    out = plan.by_beat[list(BEAT_COLUMNS)].copy()
    for c in [c for c in out.columns if "share" in c and c != "low_share"]:
        out[c] = out[c].astype(float).round(4)
    return labelled(out, lang) if labels else out


def gap_table(plan: CameraPlan, *, lang: str = "zh", labels: bool = True) -> pd.DataFrame:
    """The street gaps as a plain table (no geometry)."""
    g = plan.gaps
    out = pd.DataFrame(
        {
            "street": [s or T("unnamed_lane", lang) for s in g["street"]],
            "length": g["length"].to_numpy(),
            "uncovered_weight": g["uncovered_weight"].to_numpy(float).round(2),
            "uncovered_households": g["uncovered_households"].to_numpy(),
            "uncovered_incidents": g["uncovered_incidents"].to_numpy(),
            "uncovered_after": g["uncovered_after"].to_numpy(float).round(2),
        }
    )
    return labelled(out, lang) if labels else out


def plan_xlsx_bytes(plan: CameraPlan, *, lang: str = "zh", show_personal: bool = False) -> bytes:
    """The plan as one Excel workbook: the ranked list, per beat before/after, street gaps.

    Personal fields are masked unless ``show_personal``.
    """
    return to_xlsx_bytes(
        {
            T("sheet_sites", lang): promotion_list(plan, lang=lang, show_personal=show_personal),
            T("sheet_beats", lang): beat_table(plan, lang=lang),
            T("sheet_gaps", lang): gap_table(plan, lang=lang),
        }
    )


def plan_csv_bytes(plan: CameraPlan, *, lang: str = "zh", show_personal: bool = False) -> bytes:
    """The ranked list as CSV (UTF-8 with BOM, opens in Excel); personal fields masked."""
    return to_csv_bytes(promotion_list(plan, lang=lang, show_personal=show_personal))


_PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
  "SimSun", sans-serif; font-size: 11pt; color: #000; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4mm 0; }
h2 { font-size: 14pt; margin: 0 0 2mm 0; }
.officer { page-break-after: always; break-after: page; }
.officer:last-child { page-break-after: auto; break-after: auto; }
.meta { font-size: 9.5pt; margin-bottom: 3mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
td.box { text-align: center; font-size: 13pt; white-space: nowrap; }
tr { page-break-inside: avoid; break-inside: avoid; }
.note { font-size: 9pt; margin-top: 3mm; }
@media screen { body { margin: 12mm; } .officer { border-bottom: 2px dashed #999;
  padding-bottom: 8mm; margin-bottom: 8mm; } }
"""


def promotion_sheets_html(
    plan: CameraPlan,
    *,
    lang: str = "zh",
    show_personal: bool = False,
    title: str | None = None,
    generated: dt.date | None = None,
) -> str:
    """A printable promotion list per officer, as one HTML page (one printed page each).

    Each officer gets his sites in rank order with the address, the kind, the rental
    households there, the contact (masked unless ``show_personal``), what the unit would add,
    and boxes to tick: promoted (已宣传), agreed (同意安装), installed (已安装). Plain HTML and
    CSS with system fonts: it prints from any browser with no internet.

    Parameters
    ----------
    plan : CameraPlan
    lang : {"zh", "en"}
    show_personal : bool
        Print names and phone numbers in full.
    title : str, optional
        Heading of every sheet.
    generated : datetime.date, optional
        Date printed on the sheets (default today).

    Returns
    -------
    str
        A complete HTML document.
    """
    rows = promotion_list(plan, lang=lang, show_personal=show_personal, labels=False)
    title = title or T("title", lang)
    day = (generated or dt.date.today()).isoformat()
    radius = float(plan.options.get("radius", DEFAULT_RADII["recorder_unit"]))
    head = "".join(f"<th>{html.escape(T(h, lang))}</th>" for h in SHEET_HEAD)
    rows["officer_key"] = rows["officer"].where(rows["officer"] != "", T("unassigned", lang))
    order = rows.groupby("officer_key", sort=False)["rank"].min().sort_values().index
    sections = [
        _officer_sheet(
            rows[rows["officer_key"] == officer], officer, head, title, day, radius, lang
        )
        for officer in order
    ]
    if not sections:
        sections.append(f"<p>{T('no_sites', lang)}</p>")
    return (
        f'<!DOCTYPE html><html lang="{T("html_lang", lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_PRINT_CSS}</style></head><body>"
        + "".join(sections)
        + "</body></html>"
    )


def _officer_sheet(
    g: pd.DataFrame, officer: str, head: str, title: str, day: str, radius: float, lang: str
) -> str:
    """One officer's printed page: heading, the sites with tick boxes, the note."""
    esc = html.escape
    beats = " / ".join(dict.fromkeys(b for b in g["beat"] if b))
    phone = next((p for p in g["officer_phone"] if p), "")
    body = []
    for _, r in g.iterrows():
        contact = " ".join(x for x in (r["contact_name"], r["contact_phone"]) if x)
        here = str(int(r["households_here"])) if r["households_here"] else ""
        body.append(
            "<tr>"
            f'<td class="num">{int(r["rank"])}</td>'
            f"<td>{esc(str(r['label']))}</td>"
            f"<td>{esc(str(r['kind_label']))}</td>"
            f'<td class="num">{here}</td>'
            f"<td>{esc(contact)}</td>"
            f'<td class="num">{int(r["gain_households"])} / {int(r["gain_incidents"])}</td>'
            '<td class="box">☐</td><td class="box">☐</td><td class="box">☐</td>'
            '<td style="min-width:25mm"></td>'
            "</tr>"
        )
    who = esc(str(officer)) + (f"（{esc(phone)}）" if phone else "")
    meta = T("meta", lang, who=who, beats=esc(beats), n=len(g), day=day)
    return (
        '<section class="officer">'
        f'<h1>{esc(title)}</h1><div class="meta">{meta}</div>'
        f"<table><thead><tr>{head}</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
        + f'<div class="note">{T("note", lang, radius=radius)}</div></section>'
    )
