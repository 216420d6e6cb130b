"""Text guards: control characters and length, formula neutralising, masking in free text."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.model import mask_personal
from geo.textguard import (
    mask_free_text,
    neutralise,
    neutralise_frame,
    spreadsheet_safe,
    text_problems,
    unneutralise,
)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("户主电话13812345678", "户主电话138******78"),
        ("手机 138 1234 5678", "手机 138 **** **78"),
        ("+86 139-0000-1111", "+86 139-****-**11"),
        ("座机010-64001234", "座机010-******34"),
        ("（0512）52781234", "（051*）******34"),
        ("身份证110105199001011234", "身份证110*************34"),
        ("身份证 32058219850312123X 已核", "身份证 320*************3X 已核"),
        ("2026-04-01 18:30 第3次走访，20260401", "2026-04-01 18:30 第3次走访，20260401"),
        ("房号0301，楼栋12", "房号0301，楼栋12"),
    ],
)
def test_mask_free_text(text: str, masked: str) -> None:
    assert mask_free_text(text) == masked


def test_mask_free_text_keeps_non_text() -> None:
    assert mask_free_text(None) is None
    assert mask_free_text("") == ""


def test_mask_personal_masks_free_text_fields_only_when_asked() -> None:
    df = pd.DataFrame({"notes": ["电话13812345678", None], "outcome": ["visited", "visited"]})
    masked = mask_personal(df, "visits")
    assert masked["notes"].tolist()[0] == "电话138******78"
    assert pd.isna(masked["notes"].iloc[1])
    assert mask_personal(df, "visits", show_personal=True)["notes"].iloc[0] == "电话13812345678"
    inc = pd.DataFrame({"description": ["报警人13912345678"]})
    assert "13912345678" not in mask_personal(inc, "incidents")["description"].iloc[0]


@pytest.mark.parametrize("text", ["=1+1", "+86", "-x", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_neutralise_round_trip(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


def test_neutralise_leaves_the_rest() -> None:
    for value in ("民安社区", "'quoted", "", 3, -2.5, None):
        assert neutralise(value) == value
    assert unneutralise("'quoted") == "'quoted"  # only the export's own apostrophe goes
    assert unneutralise("'") == "'"


def test_neutralise_frame_text_cells_and_headers() -> None:
    df = pd.DataFrame({"=head": ["=a", "b", None], "n": [-1, 2, 3]})
    out = neutralise_frame(df)
    assert list(out.columns) == ["'=head", "n"]
    assert out["'=head"].tolist()[:2] == ["'=a", "b"] and pd.isna(out["'=head"].iloc[2])
    assert out["n"].tolist() == [-1, 2, 3]
    assert df["=head"].iloc[0] == "=a"  # the input is not changed


def test_spreadsheet_safe_replaces_control_characters_for_xlsx() -> None:
    df = pd.DataFrame({"t": ["a\x00b", "tab\tok"]})
    assert spreadsheet_safe(df, xlsx=True)["t"].tolist() == ["a\ufffdb", "tab\tok"]
    assert spreadsheet_safe(df)["t"].iloc[0] == "a\x00b"


def test_text_problems() -> None:
    s = pd.Series(["fine", "nul\x00", None, "x" * 21, "line\nbreak\tand tab", "esc\x1b"])
    found = text_problems(s, max_length=20)
    assert [p for p, _, _ in found] == [1, 3, 5]
    assert "U+0000" in found[0][1] and "21 characters long" in found[1][1]
    assert "U+001B" in found[2][1]
