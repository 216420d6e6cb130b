"""What an import would do, before it writes: rows as stored, columns, datum, counts, problems.

:func:`preview_import` runs every step of :func:`geo.io.import_file` (read, validate, check
against the store, find each household's beat) but the write, so the administrator sees the
first rows as they will be stored, which column of the file went to which field, the datum
chosen and why, and how many rows are new, duplicates or outside every beat, and confirms
before anything is written. A file with problems raises :class:`geo._errors.ValidationError`
as the import would; :func:`problems_frame` / :func:`problems_csv` turn its problems into the
table an administrator downloads (file, row, field, value, what was expected).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo._errors import Problem
from geo.exports import to_csv_bytes
from geo.i18n import Catalogue, check_language
from geo.io import _DATUM_HOW, _DATUM_NAMES, ImportReport, export_frame, import_file
from geo.model import mask_personal, table
from geo.progress import ProgressCallback
from geo.textguard import DEFAULT_MAX_FIELD_LENGTH

__all__ = ["ImportPreview", "preview_import", "problems_csv", "problems_frame"]

T = Catalogue(
    {
        "field": ("字段", "field"),
        "column": ("文件中的列", "column in the file"),
        "unused": ("（未使用）", "(not used)"),
        "new": ("新记录", "new"),
        "duplicate": ("重复（将跳过）", "duplicates (skipped)"),
        "outside": ("不在任何警务区内", "outside every beat"),
        "read": ("读取行数", "rows read"),
        "what": ("项目", "item"),
        "count": ("数量", "count"),
        "no_datum": ("此表没有坐标", "this table has no coordinates"),
        "datum": ("坐标系：{name}（{how}）", "datum: {name} ({how})"),
        "converted": ("，将转换为 WGS-84", "; converted to WGS-84"),
        "p_file": ("文件", "file"),
        "p_row": ("行", "row"),
        "p_field": ("字段", "field"),
        "p_value": ("内容", "value"),
        "p_expected": ("问题及要求", "what was expected"),
    }
)


@dataclass
class ImportPreview:
    """An import that has not been written.

    Attributes
    ----------
    report : geo.io.ImportReport
        The dry run's report (``rows_written`` 0; its ``frame`` is dropped, so that a page can
        keep the preview of a large file in its session).
    rows : DataFrame
        The first rows as they would be stored, with exported headers (personal fields masked
        unless allowed).
    mapping : list of (str, str)
        (model field, header in the file) for every field the file fills.
    unused : list of str
        Headers of the file that match no field.
    new : int
        Rows that would be written.
    """

    report: ImportReport
    rows: pd.DataFrame
    mapping: list[tuple[str, str]] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    new: int = 0

    @property
    def duplicates(self) -> int:
        """Rows that would be skipped as duplicates."""
        return len(self.report.duplicates)

    @property
    def outside(self) -> int:
        """Households that lie in no beat (written with an empty beat)."""
        return len(self.report.outside_beats)

    def counts_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Rows read, new, duplicate and outside every beat, as a two-column table."""
        check_language(lang)
        items = [("read", self.report.rows_read), ("new", self.new)]
        items.append(("duplicate", self.duplicates))
        if self.report.kind == "households":
            items.append(("outside", self.outside))
        return pd.DataFrame(
            {
                T("what", lang): [T(k, lang) for k, _ in items],
                T("count", lang): [int(n) for _, n in items],
            }
        )

    def mapping_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Which column of the file went to which field (labels in ``lang``)."""
        check_language(lang)
        tbl = table(self.report.kind)
        labels = {f.name: f.label for f in tbl.fields}
        labels["id"] = ("编号", "id")
        labels["geometry"] = ("位置", "location")
        i = 1 if lang == "en" else 0
        fields = [labels.get(f, (f, f))[i] or f for f, _ in self.mapping]
        heads = [h for _, h in self.mapping]
        fields += [T("unused", lang)] * len(self.unused)
        heads += list(self.unused)
        return pd.DataFrame({T("column", lang): heads, T("field", lang): fields})

    def datum_text(self, lang: str = "zh") -> str:
        """The datum chosen and why, e.g. ``坐标系：GCJ-02（与本区域 OSM 数据比对判断）``."""
        check_language(lang)
        r = self.report
        if not r.datum:
            return T("no_datum", lang)
        i = 1 if lang == "en" else 0
        text = T("datum", lang, name=_DATUM_NAMES[r.datum][i], how=_DATUM_HOW[r.datum_how][i])
        return text + (T("converted", lang) if r.datum != "wgs84" else "")

    def notes(self, lang: str = "zh") -> list[str]:
        """The report's other lines (duplicates and outside rows by number, warnings)."""
        return self.report.lines(lang)[2 if self.report.datum else 1 :]


def preview_import(
    store,
    kind: str,
    path: str | Path,
    *,
    datum: str = "auto",
    reference: object = None,
    on_duplicate: str = "skip",
    sheet: str | None = None,
    name: str | None = None,
    max_field_length: int = DEFAULT_MAX_FIELD_LENGTH,
    show_personal: bool = False,
    lang: str = "zh",
    limit: int = 10,
    progress: ProgressCallback | None = None,
) -> ImportPreview:
    """Everything :func:`geo.io.import_file` would do with a file, without writing.

    Parameters
    ----------
    store : geo.store.Store
        The database (read only).
    kind, path, datum, reference, on_duplicate, sheet, name, max_field_length
        As for :func:`geo.io.import_file`.
    show_personal : bool
        Show names and phone numbers of the preview rows unmasked.
    lang : {"zh", "en"}
        Language of the preview rows' headers and labels.
    limit : int
        How many rows to show.
    progress : callable, optional
        Receives the steps as :class:`geo.progress.Update`.

    Returns
    -------
    ImportPreview

    Raises
    ------
    ValidationError
        The problems the import would refuse the file for (file, row, field, value); the
        store is unchanged either way.
    InputError, NotFoundError
        As :func:`geo.io.import_file`.
    """
    check_language(lang)
    report = import_file(
        store,
        kind,
        path,
        datum=datum,
        reference=reference,
        on_duplicate=on_duplicate,
        sheet=sheet,
        name=name,
        max_field_length=max_field_length,
        dry_run=True,
        progress=progress,
    )
    frame = report.frame if report.frame is not None else pd.DataFrame()
    head = frame.head(max(0, int(limit))).copy()
    tbl = table(kind)
    for f in ["id", *(f.name for f in tbl.fields)]:
        if f not in head.columns:
            head[f] = None
    head = mask_personal(head, kind, show_personal=show_personal)
    rows = export_frame(head, kind, lang=lang)
    order = ["id", *(f.name for f in tbl.fields), "geometry"]
    src = report.source_names
    mapping = [(f, src[f]) for f in order if f in src]
    report.frame = None
    return ImportPreview(report, rows, mapping, list(report.unknown_columns), new=len(frame))


def problems_frame(problems: list[Problem], *, lang: str = "zh") -> pd.DataFrame:
    """Problems as a table: file, row, field, value, what was expected (headers in ``lang``)."""
    check_language(lang)
    return pd.DataFrame(
        {
            T("p_file", lang): [p.file or "" for p in problems],
            T("p_row", lang): pd.array([p.row for p in problems], dtype="Int64"),
            T("p_field", lang): [p.field or "" for p in problems],
            T("p_value", lang): ["" if p.value is None else str(p.value) for p in problems],
            T("p_expected", lang): [p.message for p in problems],
        }
    )


def problems_csv(problems: list[Problem], *, lang: str = "zh") -> bytes:
    """:func:`problems_frame` as a CSV file (UTF-8 with BOM, formula cells neutralised)."""
    return to_csv_bytes(problems_frame(problems, lang=lang))
