"""Tables as files for download: CSV that Excel reads in Chinese, and XLSX workbooks.

Every page and command that hands a table to the user writes it through these functions, so a
rule about exported cells (time zones, infinities, geometry) lives in one place. Text cells
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` ...) are neutralised
(:func:`geo.textguard.spreadsheet_safe`); the bytes are built whole in memory, so a failed
export hands out nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.textguard import spreadsheet_safe

__all__ = ["to_csv_bytes", "to_xlsx_bytes"]


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV in UTF-8 with a byte-order mark (Excel reads the Chinese right)."""
    return spreadsheet_safe(_exportable(df)).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """Tables as one Excel workbook, one sheet per table.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Sheet name -> table. Names are cut to Excel's 31 characters and stripped of
        ``[]:*?/\\``; geometry columns are dropped.

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    buf = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, df in tables.items():
            sheet = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "Sheet"
            base, k = sheet, 1
            while sheet in used:
                k += 1
                sheet = f"{base[: 31 - len(str(k)) - 1]}_{k}"
            used.add(sheet)
            safe = spreadsheet_safe(_exportable(df), xlsx=True)
            safe.to_excel(writer, sheet_name=sheet, index=False)
    return buf.getvalue()


def _exportable(df: pd.DataFrame) -> pd.DataFrame:
    out = df.drop(columns=[c for c in df.columns if c == "geometry"], errors="ignore")
    out = pd.DataFrame(out).copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_localize(None)
        elif s.dtype == float:
            out[col] = s.replace([np.inf, -np.inf], np.nan)
    return out
