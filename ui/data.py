"""The Data page (数据 Data): row counts, import of a file into a table, export of a table.

Everything that touches data goes through :mod:`geo.io`; this page only lays out widgets.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo._errors import BeatMapError, ValidationError
from geo.auth import audit
from geo.io import DATUM_CHOICES, area_reference, export_bytes, import_file
from geo.model import TABLE_ORDER, TABLES
from geo.preview import preview_import, problems_csv, problems_frame
from ui.auth import client_address, current_scope, current_user
from ui.cache import clear_data, current_language, get_settings, get_workspace, t
from ui.progress import progress_box

UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "geojson", "json", "gpkg", "zip"]
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}
PREVIEW_KEY = "import_preview"
PROBLEMS_SHOWN = 200
DATUM_LABELS = {
    "auto": ("自动判断", "detect automatically"),
    "wgs84": ("WGS-84（GPS、OSM）", "WGS-84 (GPS, OSM)"),
    "gcj02": ("GCJ-02（高德、腾讯地图）", "GCJ-02 (Amap, Tencent)"),
    "bd09": ("BD-09（百度地图）", "BD-09 (Baidu)"),
}


def _table_label(name: str) -> str:
    zh, en = TABLES[name].label
    return t(f"{zh}（{name}）", f"{en} ({name})")


@st.cache_data(show_spinner=False)
def _reference(_area, key: str):
    """WGS-84 reference points of the loaded area for datum detection (cached per area)."""
    return area_reference(_area)


def _counts(store) -> None:
    counts = store.counts()
    frame = pd.DataFrame(
        {
            t("表", "table"): [t(*TABLES[n].label) for n in counts],
            t("名称", "name"): list(counts),
            t("行数", "rows"): list(counts.values()),
        }
    )
    st.dataframe(frame, hide_index=True, width="content")


def _problems_table(exc: ValidationError, name: str) -> None:
    """The first problems on the page, all of them as a CSV download."""
    lang = current_language()
    shown = exc.problems[:PROBLEMS_SHOWN]
    if len(exc.problems) > PROBLEMS_SHOWN:
        st.caption(
            t(
                f"下面列出前 {PROBLEMS_SHOWN} 个问题；全部问题请下载 CSV。",
                f"The first {PROBLEMS_SHOWN} problems are listed; download the CSV for all.",
            )
        )
    frame = problems_frame(shown, lang=lang)
    frame.iloc[:, 3] = frame.iloc[:, 3].str.slice(0, 60)
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        t("下载问题清单（CSV）", "Download the problems (CSV)"),
        data=problems_csv(exc.problems, lang=lang),
        file_name=f"{Path(name).stem}-problems.csv",
        mime=MIME["csv"],
        key="import_problems_download",
        on_click="ignore",
    )


def _import_section(store, area) -> None:
    st.subheader(t("导入", "Import"))
    st.caption(
        t(
            "支持 CSV（UTF-8 或 GBK）、Excel（.xlsx）、GeoJSON、GeoPackage、Shapefile（打包为 .zip）。"
            "列名可用中文或英文；行号从表头下第一行算起为第 1 行。整个文件在一个事务中写入，"
            "有任何错误则不写入任何数据。",
            "CSV (UTF-8 or GBK), Excel (.xlsx), GeoJSON, GeoPackage, Shapefile (zipped). "
            "Headers in Chinese or English; row 1 is the first row under the header. The whole "
            "file is written in one transaction: if anything is wrong, nothing is written.",
        )
    )
    kind = st.selectbox(
        t("导入到哪个表", "Table to import into"),
        TABLE_ORDER,
        format_func=_table_label,
        key="import_kind",
    )
    upload = st.file_uploader(t("文件", "File"), type=UPLOAD_TYPES, key="import_file")
    cols = st.columns(2)
    datum = cols[0].selectbox(
        t("坐标系", "Coordinate datum"),
        DATUM_CHOICES,
        format_func=lambda d: t(*DATUM_LABELS[d]),
        help=t(
            "高德、腾讯地图导出的坐标为 GCJ-02，百度为 BD-09，与 OSM（WGS-84）相差数百米。"
            "自动判断依据列名，或与当前区域的 OSM 建筑比对。",
            "Amap/Tencent give GCJ-02, Baidu BD-09, hundreds of metres off OSM (WGS-84). "
            "Automatic detection uses the headers or a comparison with the area's OSM buildings.",
        ),
        key="import_datum",
    )
    on_dup = cols[1].selectbox(
        t("重复记录", "Duplicate records"),
        ["skip", "error"],
        format_func=lambda m: (
            t("跳过并列出", "skip and list") if m == "skip" else t("视为错误", "treat as an error")
        ),
        key="import_on_duplicate",
    )
    if upload is None:
        st.session_state.pop(PREVIEW_KEY, None)
        st.button(t("导入", "Import"), type="primary", disabled=True)
        return
    # the same upload (a new one has a new file id), table and choices as the preview
    wanted = (kind, getattr(upload, "file_id", upload.name), upload.size, datum, on_dup)
    if st.button(t("导入", "Import"), type="primary"):
        st.session_state.pop(PREVIEW_KEY, None)
        preview = _run(store, kind, upload, datum, on_dup, _area_points(datum, area), dry_run=True)
        if preview is None:
            return
        st.session_state[PREVIEW_KEY] = (wanted, preview)
    held = st.session_state.get(PREVIEW_KEY)
    if held is None or held[0] != wanted:
        return
    preview = held[1]
    _show_preview(preview)
    cols = st.columns([1, 1, 4])
    confirm = cols[0].button(
        t("确认写入", "Confirm and write"), type="primary", key="import_confirm"
    )
    if cols[1].button(t("取消", "Cancel"), key="import_cancel"):
        st.session_state.pop(PREVIEW_KEY, None)
        st.rerun()
    if not confirm:
        return
    st.session_state.pop(PREVIEW_KEY, None)
    report = _run(store, kind, upload, datum, on_dup, _area_points(datum, area), dry_run=False)
    if report is None:
        return
    clear_data(kind)
    audit.record(
        store, user=current_user(), action="import", object=f"{kind} <- {upload.name}",
        client=client_address(),
    )  # fmt: skip
    lines = report.lines(current_language())
    st.success(lines[0])
    for line in lines[1:]:
        st.write("- " + line)


def _area_points(datum: str, area):
    """The area's reference points when the datum is to be detected (cached per area)."""
    if datum != "auto" or area is None:
        return None
    return _reference(area, str(getattr(area, "name", "")))


def _run(store, kind, upload, datum, on_dup, reference, *, dry_run: bool):
    """Preview (``dry_run``) or import the uploaded file; problems shown, None on failure."""
    suffix = Path(upload.name).suffix
    with tempfile.TemporaryDirectory(prefix="beatmap-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(upload.getvalue())
        title = t("正在检查文件", "Checking the file") if dry_run else t("正在导入", "Importing")
        try:
            with progress_box(title) as progress:
                kw = dict(
                    datum=datum,
                    reference=reference,
                    on_duplicate=on_dup,
                    name=upload.name,
                    max_field_length=get_settings().max_field_length,
                    progress=progress,
                )
                if dry_run:
                    return preview_import(
                        store,
                        kind,
                        path,
                        show_personal=current_scope().show_personal,
                        lang=current_language(),
                        **kw,
                    )
                return import_file(store, kind, path, **kw)
        except ValidationError as exc:
            st.error(
                t(
                    f"发现 {len(exc.problems):,} 个问题，未写入任何数据：",
                    f"{len(exc.problems):,} problem(s) found; nothing was written:",
                )
            )
            _problems_table(exc, upload.name)
            return None
        except BeatMapError as exc:
            st.error(str(exc))
            return None


def _show_preview(preview) -> None:
    """What the import would write, before it writes."""
    lang = current_language()
    st.info(
        t(
            "尚未写入任何数据。请核对下面的内容，确认后才写入。",
            "Nothing has been written yet. Check what follows; it is written only once you "
            "confirm.",
        )
    )
    counts = preview.counts_frame(lang)
    for col, (label, n) in zip(
        st.columns(len(counts)), counts.itertuples(index=False), strict=True
    ):
        col.metric(label, f"{n:,}")
    st.write(preview.datum_text(lang))
    st.markdown("**" + t("列与字段", "Columns and fields") + "**")
    st.dataframe(preview.mapping_frame(lang), hide_index=True, width="content")
    st.markdown(
        "**"
        + t(
            f"写入后的前 {len(preview.rows)} 行",
            f"The first {len(preview.rows)} rows as they will be stored",
        )
        + "**"
    )
    st.dataframe(preview.rows, hide_index=True, width="stretch")
    for line in preview.notes(lang):
        st.write("- " + line)


def _export_section(store) -> None:
    st.subheader(t("导出", "Export"))
    allowed = current_scope().show_personal
    st.caption(
        t(
            "姓名和电话已脱敏。" if not allowed else "当前角色可导出未脱敏的姓名和电话。",
            "Names and phone numbers are masked."
            if not allowed
            else "This role exports names and phone numbers unmasked.",
        )
        + t(
            " 导出文件的列名与取值为当前语言，可直接重新导入。",
            " Headers and values are in the current language; the file imports back as is.",
        )
    )
    cols = st.columns(2)
    kind = cols[0].selectbox(
        t("导出哪个表", "Table to export"), TABLE_ORDER, format_func=_table_label, key="export_kind"
    )
    fmt = cols[1].radio(
        t("格式", "Format"), ["csv", "xlsx", "gpkg"], horizontal=True, key="export_fmt"
    )
    if st.button(t("生成导出文件", "Prepare the export")):
        try:
            current_scope().require("export", "data")
            data = export_bytes(store, kind, fmt, show_personal=allowed, lang=current_language())
        except BeatMapError as exc:
            st.error(str(exc))
            return
        audit.record(
            store, user=current_user(), action="export", object=f"{kind}.{fmt}",
            client=client_address(), detail="unmasked" if allowed else "masked",
        )  # fmt: skip
        st.download_button(
            t("下载", "Download"),
            data=data,
            file_name=f"{kind}.{fmt}",
            mime=MIME[fmt],
            key="export_download",
            on_click="ignore",
        )


ws = get_workspace()
st.title(t("数据", "Data"))
_counts(ws.store)
_import_section(ws.store, getattr(ws, "area", None))
_export_section(ws.store)
