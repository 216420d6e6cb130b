"""The printed route sheet an officer carries: a PDF (A4) and a print-friendly HTML page.

Page 1 holds the heading (officer, beat, date, window, totals) and a map drawn offline with
matplotlib from the OSM walking network, the buildings and the estates of the area (no tiles,
no internet), with the route and numbered stops. The following pages hold the stop table (one
row per household: stop, time, address, household type, last outcome, contact, tick boxes for
the outcome and for card / register / rental letter / camera leaflet) and the turn-by-turn
directions.

Personal data (contact names and phone numbers) are masked (张**, 138******21) unless the
caller's role allows them.

Fonts
-----
Chinese needs a CJK font that matplotlib can embed (TrueType outlines, written as Type 42 and
subset, so a sheet stays small and its text can be searched and copied). :func:`cjk_font_path`
takes the file named by ``BEATMAP_CJK_FONT``, else the first of the Debian fonts
``fonts-wqy-microhei``, ``fonts-wqy-zenhei``, ``fonts-arphic-uming`` and
``fonts-droid-fallback`` that is installed, else any installed font matplotlib knows whose name
says it is Chinese. Without one it raises an error saying what to install, rather than print
empty boxes.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo._errors import BeatMapError, InputError
from geo.model import OUTCOMES, mask_personal

__all__ = [
    "CJK_FONT_FILES",
    "cjk_font_path",
    "field_url",
    "qr_matrix",
    "qr_png",
    "sheet_html",
    "sheet_pdf",
    "write_sheet",
]

#: CJK fonts looked for, in order (Debian packages fonts-wqy-microhei, fonts-wqy-zenhei, ...)
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_CJK_NAME_HINTS = ("wenquanyi", "wqy", "droid sans fallback", "ar pl", "source han sans", "simhei")
A4 = (8.27, 11.69)
_ROWS_PER_PAGE = 34
_DIR_LINES_PER_PAGE = 52

_T = {
    "title": ("入户走访路线单", "Household visit route sheet"),
    "officer": ("民警", "Officer"),
    "beat": ("警务区", "Beat"),
    "date": ("日期", "Date"),
    "window": ("时段", "Window"),
    "stop": ("站", "Stop"),
    "time": ("到达", "Time"),
    "address": ("地址", "Address"),
    "type": ("类型", "Type"),
    "last": ("上次结果", "Last outcome"),
    "contact": ("联系人", "Contact"),
    "outcome": ("结果：访/不在/拒", "Outcome: done/out/ref."),
    "card": ("联系卡", "Card"),
    "register": ("登记表", "Register"),
    "letter": ("责任书", "Letter"),
    "leaflet": ("宣传单", "Leaflet"),
    "stops_title": ("走访清单", "Stops"),
    "directions": ("路线说明", "Directions"),
    "rental": ("出租", "rental"),
    "lodgers": ("寄住{n}人", "{n} lodgers"),
    "own": ("自住", "owner"),
    "never": ("未走访", "never"),
    "office": ("警务室", "Office"),
    "page": ("第{i}/{n}页", "page {i}/{n}"),
    "notes": ("备注", "Notes"),
    "unplanned": (
        "本晚未排入：{n}户（时间不够，留待以后）",
        "Not planned tonight: {n} households (no time left; later evenings)",
    ),
    "unreachable": (
        "无法到达：{n}户（不在步行网络上，请核实位置）",
        "Unreachable: {n} households (off the walking network; check their positions)",
    ),
    "legend": (
        "红线：步行路线；数字：走访站；★：警务室；灰色：建筑；虚线框：小区",
        "Red: walking route; numbers: stops; ★: police office; grey: buildings; dashed: estates",
    ),
    "credit": ("地图数据 © OpenStreetMap 贡献者", "Map data © OpenStreetMap contributors"),
    "qr": ("扫码打开本路线外勤页", "Scan: this route's field page"),
}


def _t(key: str, lang: str) -> str:
    zh, en = _T[key]
    return en if lang == "en" else zh


def cjk_font_path() -> Path:
    """A font file with Chinese glyphs that matplotlib can embed in a PDF.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    BeatMapError
        When no CJK font is installed; the message names the Debian package to install and the
        ``BEATMAP_CJK_FONT`` setting.
    """
    env = os.environ.get("BEATMAP_CJK_FONT", "").strip()
    if env:
        p = Path(env)
        if not p.is_file():
            raise InputError(f"BEATMAP_CJK_FONT={env!r} is not a font file")
        return p
    for name in CJK_FONT_FILES:
        if Path(name).is_file():
            return Path(name)
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if any(h in entry.name.lower() for h in _CJK_NAME_HINTS) and not str(
            entry.fname
        ).lower().endswith((".otf", ".otc")):
            return Path(entry.fname)
    raise BeatMapError(
        "no Chinese (CJK) font found for the printed sheet; install one, e.g. "
        "`apt-get install fonts-wqy-microhei` (Debian/Ubuntu), or set BEATMAP_CJK_FONT to a "
        ".ttf/.ttc file with Chinese glyphs"
    )


def _font_family() -> str:
    import logging

    from matplotlib import font_manager

    # a .ttc face of weight 500 makes findfont log a warning per text: not worth showing
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _rc(family: str) -> dict[str, Any]:
    return {
        "font.family": [family, "DejaVu Sans"],
        "pdf.fonttype": 42,
        "svg.fonttype": "none",
        "svg.hashsalt": "beatmap",
        "axes.unicode_minus": False,
    }


# --------------------------------------------------------------------------------------------
# content shared by PDF and HTML


def field_url(base_url: str, plan: Any) -> str:
    """Address of the field page of ``plan``'s person and evening.

    >>> field_url("http://10.1.2.3:8501/", plan)  # doctest: +SKIP
    'http://10.1.2.3:8501/field?officer=12&date=2026-04-15'
    """
    base = str(base_url).strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise InputError(f"base_url must start with http:// or https://, got {base_url!r}")
    return f"{base}/field?officer={int(plan.officer_id)}&date={plan.date:%Y-%m-%d}"


def qr_matrix(text: str) -> np.ndarray:
    """The QR code of ``text`` as a boolean matrix (True = dark), quiet zone included.

    Made offline with the ``qrcode`` package, error correction level M (15 % of a worn or
    folded print may be lost).
    """
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return np.array(qr.get_matrix(), dtype=bool)


def qr_png(text: str, *, scale: int = 6) -> bytes:
    """The QR code of ``text`` as a PNG, ``scale`` pixels per module."""
    from PIL import Image

    m = qr_matrix(text)
    img = Image.fromarray(np.where(m, 0, 255).astype(np.uint8), mode="L")
    img = img.resize((m.shape[1] * scale, m.shape[0] * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _household_type(row: pd.Series, lang: str) -> str:
    parts = []
    if bool(row.get("rental")):
        parts.append(_t("rental", lang))
    n = int(row.get("lodgers") or 0)
    if n > 0:
        parts.append(_t("lodgers", lang).format(n=n))
    return "/".join(parts) or _t("own", lang)


def _last_outcome(row: pd.Series, lang: str) -> str:
    code = row.get("last_outcome")
    if code is None or (isinstance(code, float) and np.isnan(code)) or code == "":
        return _t("never", lang)
    label = OUTCOMES.get(str(code), (str(code), str(code)))[1 if lang == "en" else 0]
    when = (
        pd.Timestamp(row.get("last_attempt_at")) if row.get("last_attempt_at") is not None else None
    )
    if when is not None and not pd.isna(when):
        label += f" {when:%m-%d %H:%M}"
    return label


def _rows(plan: Any, lang: str, show_personal: bool) -> pd.DataFrame:
    hh = plan.households
    if hh.empty:
        return pd.DataFrame(columns=["stop", "time", "address", "type", "last", "contact"])
    masked = mask_personal(hh, "households", show_personal=show_personal)
    out = pd.DataFrame(
        {
            "stop": hh["stop"].astype(int),
            "time": pd.to_datetime(hh["arrive"]).dt.strftime("%H:%M"),
            "address": hh["address"].astype(str),
            "type": [_household_type(r, lang) for _, r in hh.iterrows()],
            "last": [_last_outcome(r, lang) for _, r in hh.iterrows()],
            "contact": [
                " ".join(str(v) for v in (n, p) if v is not None and not pd.isna(v))
                for n, p in zip(masked["contact_name"], masked["contact_phone"], strict=True)
            ],
        }
    )
    same = hh["same_hour"].to_numpy(dtype=bool)
    out.loc[same, "last"] = out.loc[same, "last"] + (" !" if lang == "en" else " ！")
    return out


def _heading(plan: Any, lang: str) -> tuple[str, str]:
    s = plan.settings
    title = f"{_t('title', lang)}  {plan.date:%Y-%m-%d}"
    sub = (
        f"{_t('officer', lang)}: {plan.officer_name} (#{plan.officer_id})    "
        f"{_t('beat', lang)}: {plan.beat_name}    "
        f"{_t('window', lang)}: {s.start:%H:%M}-{s.end:%H:%M}"
    )
    if lang != "en":
        sub = sub.replace(": ", "：")
    return title, sub


def _footnotes(plan: Any, lang: str) -> list[str]:
    lines = [plan.summary(lang)]
    if plan.left_unplanned:
        lines.append(_t("unplanned", lang).format(n=plan.left_unplanned))
    if len(plan.unreachable):
        lines.append(_t("unreachable", lang).format(n=len(plan.unreachable)))
    notes = plan.stops["note_en" if lang == "en" else "note_zh"]
    for k, note in zip(plan.stops["stop"], notes, strict=True):
        if note:
            lines.append((f"Stop {k}: " if lang == "en" else f"第{k}站：") + note)
    return lines


def _fit(text: str, width: int) -> str:
    """Cut text to about ``width`` CJK-wide characters."""
    w = 0.0
    for i, ch in enumerate(text):
        w += 1.0 if ord(ch) > 0x2E80 else 0.55
        if w > width:
            return text[: max(i - 1, 0)] + "…"
    return text


def _wrap(text: str, width: int) -> list[str]:
    out: list[str] = []
    line, w = "", 0.0
    for ch in text:
        cw = 1.0 if ord(ch) > 0x2E80 else 0.55
        if w + cw > width:
            out.append(line)
            line, w = "", 0.0
        line += ch
        w += cw
    if line:
        out.append(line)
    return out or [""]


# --------------------------------------------------------------------------------------------
# the map


def _view(
    plan: Any, margin: float = 80.0, aspect: float = 1.0
) -> tuple[float, float, float, float]:
    pts = [plan.start_xy[None, :], plan.stops[["x", "y"]].to_numpy(dtype=float)]
    path = plan.path
    if path is not None:
        pts.append(shapely.get_coordinates(path))
    xy = np.vstack([p for p in pts if p.size])
    x0, y0 = xy.min(axis=0) - margin
    x1, y1 = xy.max(axis=0) + margin
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:  # widen
        cx = (x0 + x1) / 2
        w = h * aspect
        x0, x1 = cx - w / 2, cx + w / 2
    else:
        cy = (y0 + y1) / 2
        h = w / aspect
        y0, y1 = cy - h / 2, cy + h / 2
    return x0, y0, x1, y1


def _draw_map(ax: Any, plan: Any, area: Any, *, aspect: float, lang: str) -> None:
    from matplotlib.collections import LineCollection, PolyCollection

    x0, y0, x1, y1 = _view(plan, aspect=aspect)
    box = shapely.box(x0, y0, x1, y1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_linewidth(0.6)
    buildings = getattr(area, "buildings", None)
    if buildings is not None and len(buildings):
        b = buildings.geometry.values
        hit = shapely.intersects(b, box)
        polys = []
        for g in b[hit]:
            for part in getattr(g, "geoms", [g]):
                if part.geom_type == "Polygon":
                    polys.append(np.asarray(part.exterior.coords))
        if polys:
            ax.add_collection(
                PolyCollection(polys, facecolor="#d9d9d9", edgecolor="#bdbdbd", linewidth=0.3)
            )
    net = plan.network
    estates = net.estates
    if not estates.empty:
        for name, g in zip(estates["name"], estates.geometry.values, strict=True):
            if not g.intersects(box):
                continue
            for part in getattr(g, "geoms", [g]):
                c = np.asarray(part.exterior.coords)
                ax.plot(c[:, 0], c[:, 1], ls="--", lw=0.8, color="#7a9a5a")
            p = g.intersection(box).representative_point()
            ax.text(p.x, p.y, name, fontsize=7, color="#5a7a3a", ha="center", va="center")
    geoms = net.index.edge_geometry
    hit = shapely.intersects(geoms, box)
    lines = [shapely.get_coordinates(g) for g in geoms[hit]]
    private = net.edge_private[hit]
    widths = np.where(private, 0.6, 1.2)
    ax.add_collection(LineCollection(lines, colors="#8c8c8c", linewidths=widths))
    # street names along the longest named edges in view
    names = net.edge_name[hit]
    seen: set[str] = set()
    order = np.argsort([-g.length for g in geoms[hit]])
    for i in order[:80]:
        nm = names[i]
        if not nm or nm in seen:
            continue
        # the part of the street inside the view (a long street whose middle lies outside is
        # labelled where it crosses the view)
        g = geoms[hit][i].intersection(box)
        if g.geom_type == "MultiLineString":
            g = max(g.geoms, key=lambda part: part.length)
        if g.geom_type != "LineString" or g.length < 30:
            continue
        seen.add(nm)
        mid = g.interpolate(0.5, normalized=True)
        a = g.interpolate(0.45, normalized=True)
        c = g.interpolate(0.55, normalized=True)
        ang = np.degrees(np.arctan2(c.y - a.y, c.x - a.x))
        if ang > 90:
            ang -= 180
        elif ang < -90:
            ang += 180
        ax.text(
            mid.x, mid.y, nm, fontsize=6.5, color="#333333", rotation=ang,
            rotation_mode="anchor", ha="center", va="center",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5},
        )  # fmt: skip
    for leg in plan.legs:
        if leg.geometry is not None:
            c = shapely.get_coordinates(leg.geometry)
            ax.plot(c[:, 0], c[:, 1], color="#d62728", lw=2.2, alpha=0.85, solid_capstyle="round")
    ax.plot(*plan.start_xy, marker="*", ms=16, color="#1f4e9a", mec="white", mew=0.8, zorder=5)
    for k, x, y in zip(plan.stops["stop"], plan.stops["x"], plan.stops["y"], strict=True):
        ax.plot(x, y, "o", ms=13, color="white", mec="#d62728", mew=1.5, zorder=6)
        ax.text(x, y, str(k), fontsize=7.5, ha="center", va="center", zorder=7, weight="bold")
    # scale bar
    span = x1 - x0
    bar = float(10 ** np.floor(np.log10(span / 4)))
    if bar * 5 < span / 4:
        bar *= 5
    elif bar * 2 < span / 4:
        bar *= 2
    bx, by = x0 + span * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + bar], [by, by], color="black", lw=2)
    ax.text(bx + bar / 2, by + (y1 - y0) * 0.012, f"{bar:g} m", fontsize=7, ha="center")
    ax.annotate(
        "N", xy=(x1 - span * 0.04, y1 - (y1 - y0) * 0.03),
        xytext=(x1 - span * 0.04, y1 - (y1 - y0) * 0.09),
        arrowprops={"arrowstyle": "->", "lw": 1.2}, ha="center", fontsize=9,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# PDF


def _box(fig: Any, x: float, y: float, size: float = 0.011) -> None:
    from matplotlib.patches import Rectangle

    h = size * A4[0] / A4[1]
    fig.add_artist(
        Rectangle((x, y - h / 2), size, h, transform=fig.transFigure, fill=False, lw=0.6)
    )


def sheet_pdf(
    plan: Any,
    area: Any,
    *,
    lang: str = "zh",
    show_personal: bool = False,
    steps: Sequence[Any] | None = None,
    field_link: str | None = None,
) -> bytes:
    """The route sheet as a PDF (A4 portrait), returned as bytes.

    Parameters
    ----------
    plan : geo.evening.EveningPlan
    area : geo.network.Area
        For the buildings drawn on the map.
    lang : {"zh", "en"}, optional
    show_personal : bool, optional
        Print contact names and phone numbers unmasked (only for roles that may see them).
    steps : list of geo.directions.Step, optional
        The directions (computed from the plan when omitted).
    field_link : str, optional
        Address of this route's field page (:func:`field_url`); printed as a QR code on the
        first page so the phone opens the route by scanning the sheet.

    Returns
    -------
    bytes
    """
    if lang not in ("zh", "en"):
        raise InputError(f"lang must be 'zh' or 'en', got {lang!r}")
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from geo.directions import directions

    steps = list(steps) if steps is not None else directions(plan, lang=lang)
    family = _font_family()
    rows = _rows(plan, lang, show_personal)
    title, sub = _heading(plan, lang)
    dir_lines: list[str] = []
    width = 60 if lang == "zh" else 96
    for i, s in enumerate(steps, start=1):
        wrapped = _wrap(s.text, width)
        dir_lines.append(f"{i:>2}. {wrapped[0]}")
        dir_lines.extend(f"     {w}" for w in wrapped[1:])
    n_table_pages = max(1, -(-len(rows) // _ROWS_PER_PAGE))
    n_dir_pages = max(1, -(-len(dir_lines) // _DIR_LINES_PER_PAGE))
    n_pages = 1 + n_table_pages + n_dir_pages
    buf = io.BytesIO()
    meta = {"Title": f"{title} {plan.officer_name}", "Creator": "BeatMap"}
    with matplotlib.rc_context(_rc(family)), PdfPages(buf, metadata=meta) as pdf:
        page = 1
        # page 1: heading, map, totals
        fig = plt.figure(figsize=A4)
        fig.text(0.06, 0.965, title, fontsize=16, weight="bold", va="top")
        fig.text(0.06, 0.935, sub, fontsize=9.5, va="top")
        ax = fig.add_axes((0.06, 0.25, 0.88, 0.67))
        aspect = (0.88 * A4[0]) / (0.67 * A4[1])
        _draw_map(ax, plan, area, aspect=aspect, lang=lang)
        fig.text(0.06, 0.235, _t("legend", lang), fontsize=7.5, va="top", color="#444444")
        y = 0.205
        wrap_at = (64, 110) if field_link is None else (46, 80)
        for line in _footnotes(plan, lang)[:12]:
            for w in _wrap(line, wrap_at[0] if lang == "zh" else wrap_at[1]):
                fig.text(0.06, y, w, fontsize=9, va="top")
                y -= 0.016
        if field_link is not None:
            qr_ax = fig.add_axes((0.805, 0.07, 0.135, 0.135 * A4[0] / A4[1]))
            qr_ax.imshow(~qr_matrix(field_link), cmap="gray", interpolation="none")
            qr_ax.set_axis_off()
            fig.text(0.8725, 0.065, _t("qr", lang), fontsize=6.5, ha="center", va="top")
        _footer(fig, page, n_pages, lang)
        pdf.savefig(fig)
        plt.close(fig)
        # stop table
        cols = [
            ("stop", 0.035), ("time", 0.055), ("address", 0.25), ("type", 0.085),
            ("last", 0.085), ("contact", 0.11),
        ]  # fmt: skip
        ticks = ["outcome", "card", "register", "letter", "leaflet"]
        for p in range(n_table_pages):
            page += 1
            fig = plt.figure(figsize=A4)
            fig.text(0.04, 0.965, f"{_t('stops_title', lang)} · {title}", fontsize=12, va="top")
            x = 0.04
            y = 0.93
            for key, w in cols:
                fig.text(x, y, _t(key, lang), fontsize=7.5, weight="bold", va="center")
                x += w
            tick_x = x
            tw = [0.11, 0.05, 0.05, 0.05, 0.05]
            for key, w in zip(ticks, tw, strict=True):
                fig.text(x, y, _t(key, lang), fontsize=6.5, weight="bold", va="center")
                x += w
            fig.add_artist(
                matplotlib.lines.Line2D([0.04, 0.965], [y - 0.011] * 2, lw=0.8, color="black")
            )
            chunk = rows.iloc[p * _ROWS_PER_PAGE : (p + 1) * _ROWS_PER_PAGE]
            y -= 0.025
            prev_stop = None
            for _, r in chunk.iterrows():
                x = 0.04
                for key, w in cols:
                    value = str(r[key])
                    if key == "stop":
                        value = value if r["stop"] != prev_stop else ""
                    limit = int(w * 100 / (1.25 if lang == "zh" else 1.1))
                    fig.text(x, y, _fit(value, limit), fontsize=7.5, va="center")
                    x += w
                prev_stop = r["stop"]
                x = tick_x
                for j in range(3):
                    _box(fig, x + j * 0.03, y)
                x += tw[0]
                for w in tw[1:]:
                    _box(fig, x + 0.012, y)
                    x += w
                fig.add_artist(
                    matplotlib.lines.Line2D(
                        [0.04, 0.965], [y - 0.0125] * 2, lw=0.3, color="#999999"
                    )
                )
                y -= 0.025
            _footer(fig, page, n_pages, lang)
            pdf.savefig(fig)
            plt.close(fig)
        # directions
        for p in range(n_dir_pages):
            page += 1
            fig = plt.figure(figsize=A4)
            fig.text(0.06, 0.965, f"{_t('directions', lang)} · {title}", fontsize=12, va="top")
            y = 0.93
            for line in dir_lines[p * _DIR_LINES_PER_PAGE : (p + 1) * _DIR_LINES_PER_PAGE]:
                fig.text(0.06, y, line, fontsize=8.5, va="top")
                y -= 0.0172
            _footer(fig, page, n_pages, lang)
            pdf.savefig(fig)
            plt.close(fig)
    return buf.getvalue()


def _footer(fig: Any, page: int, n: int, lang: str) -> None:
    fig.text(0.06, 0.02, _t("credit", lang), fontsize=6.5, color="#666666")
    fig.text(0.94, 0.02, _t("page", lang).format(i=page, n=n), fontsize=7, ha="right")


# --------------------------------------------------------------------------------------------
# HTML


def _map_svg(plan: Any, area: Any, lang: str) -> str:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    try:
        family = _font_family()
    except BeatMapError:
        family = "DejaVu Sans"
    with matplotlib.rc_context(_rc(family)):
        fig = plt.figure(figsize=(7.2, 6.2))
        ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
        _draw_map(ax, plan, area, aspect=7.2 / 6.2, lang=lang)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.find("<svg") :]


_CSS = """
@page { size: A4 portrait; margin: 12mm; }
body { font-family: "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC",
       "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 4mm 0 2mm; }
.sub { margin-bottom: 3mm; } .map svg { width: 100%; height: auto; border: 1px solid #888; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border-bottom: 1px solid #aaa; padding: 1mm 1.2mm; text-align: left; vertical-align: top; }
th { border-bottom: 1.5px solid #000; }
.box { display: inline-block; width: 3mm; height: 3mm; border: 1px solid #000; margin-right: 1mm; }
.warn { color: #a00; } ol { padding-left: 6mm; } li { margin: 0.6mm 0; }
.stops { page-break-before: always; } .dirs { page-break-before: always; }
tr { page-break-inside: avoid; }
@media screen { body { max-width: 190mm; margin: 8mm auto; } }
.qr { float: right; width: 30mm; text-align: center; font-size: 7pt; margin-left: 3mm; }
.qr img { width: 30mm; height: 30mm; image-rendering: pixelated; }
"""


def sheet_html(
    plan: Any,
    area: Any,
    *,
    lang: str = "zh",
    show_personal: bool = False,
    steps: Sequence[Any] | None = None,
    field_link: str | None = None,
) -> str:
    """The route sheet as one self-contained, print-friendly HTML page (map as inline SVG).

    Parameters are those of :func:`sheet_pdf`.

    Returns
    -------
    str
    """
    if lang not in ("zh", "en"):
        raise InputError(f"lang must be 'zh' or 'en', got {lang!r}")
    from geo.directions import directions

    steps = list(steps) if steps is not None else directions(plan, lang=lang)
    esc = html.escape
    title, sub = _heading(plan, lang)
    rows = _rows(plan, lang, show_personal)
    head = "".join(
        f"<th>{esc(_t(k, lang))}</th>"
        for k in ("stop", "time", "address", "type", "last", "contact", "outcome", "card",
                  "register", "letter", "leaflet")
    )  # fmt: skip
    box = '<span class="box"></span>'
    body = []
    prev = None
    for _, r in rows.iterrows():
        stop = "" if r["stop"] == prev else str(r["stop"])
        prev = r["stop"]
        cells = [stop, r["time"], r["address"], r["type"], r["last"], r["contact"]]
        tds = "".join(f"<td>{esc(str(c))}</td>" for c in cells)
        body.append(f"<tr>{tds}<td>{box * 3}</td>" + f"<td>{box}</td>" * 4 + "</tr>")
    notes = "".join(f"<p>{esc(line)}</p>" for line in _footnotes(plan, lang))
    dirs = "".join(f"<li>{esc(s.text)}</li>" for s in steps)
    qr = ""
    if field_link is not None:
        png = base64.b64encode(qr_png(field_link, scale=4)).decode("ascii")
        qr = (
            f'<div class="qr"><img alt="{esc(field_link)}" src="data:image/png;base64,{png}">'
            f"<div>{esc(_t('qr', lang))}</div></div>"
        )
    return f"""<!DOCTYPE html>
<html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">
<title>{esc(title)} {esc(plan.officer_name)}</title><style>{_CSS}</style></head>
<body>
{qr}<h1>{esc(title)}</h1><div class="sub">{esc(sub)}</div>
<div class="map">{_map_svg(plan, area, lang)}</div>
<p><small>{esc(_t("legend", lang))} · {esc(_t("credit", lang))}</small></p>
{notes}
<section class="stops"><h2>{esc(_t("stops_title", lang))}</h2>
<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></section>
<section class="dirs"><h2>{esc(_t("directions", lang))}</h2><ol>{dirs}</ol></section>
</body></html>
"""


def write_sheet(
    plan: Any,
    area: Any,
    path: str | Path,
    *,
    lang: str = "zh",
    show_personal: bool = False,
    field_link: str | None = None,
) -> Path:
    """Write the sheet to ``path``: PDF for ``.pdf``, HTML for ``.html``/``.htm``.

    Raises
    ------
    InputError
        For any other file suffix (the message lists the allowed ones).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        data: bytes = sheet_pdf(
            plan, area, lang=lang, show_personal=show_personal, field_link=field_link
        )
    elif suffix in (".html", ".htm"):
        data = sheet_html(
            plan, area, lang=lang, show_personal=show_personal, field_link=field_link
        ).encode("utf-8")
    else:
        raise InputError(f"sheet file must end in .pdf, .html or .htm, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
