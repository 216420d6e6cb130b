"""Tables as CSV and XLSX (geo.exports): Excel reads the Chinese, sheet names are legal."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd

from geo.exports import to_csv_bytes, to_xlsx_bytes


def test_export_round_trip():
    df = pd.DataFrame(
        {
            "名称": ["甲", "乙"],
            "覆盖率": [0.5, np.inf],
            "预计完成日期": pd.to_datetime(["2026-06-01", None]),
        }
    )
    data = to_xlsx_bytes({"警务区进度": df, "a/b:c": df})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["警务区进度", "a_b_c"]
    assert wb["警务区进度"]["A2"].value == "甲"
    csv = to_csv_bytes(df)
    assert csv.startswith("\ufeff".encode()) and "甲".encode() in csv
    assert pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")["名称"].tolist() == ["甲", "乙"]
