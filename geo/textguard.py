"""Guards on text: control characters and length on the way in, formulas and personal data on
the way out.

On import (:func:`text_problems`)
    A stored text may hold line breaks and tabs but no other control character (a NUL byte
    breaks the XLSX writer, others are invisible in every viewer), and no more characters than
    the ``max_field_length`` setting (:data:`DEFAULT_MAX_FIELD_LENGTH`).

On export (:func:`neutralise`, :func:`neutralise_frame`)
    OWASP's CSV-injection rule: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or
    a carriage return is written with a leading apostrophe, so Excel and LibreOffice show it
    as text instead of running it as a formula. The stored text is not changed, and the
    importer removes that apostrophe again (:func:`unneutralise`), so an export imports back
    unchanged.

In free text (:func:`mask_free_text`)
    Visit notes and incident descriptions often carry a phone number or an 18-digit resident
    ID number (身份证号). Wherever names and phones are masked, these patterns are masked in
    free text too, in the style of the masked fields (first three and last two digits kept).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: default longest text accepted in one field (characters)
DEFAULT_MAX_FIELD_LENGTH = 2000

#: first characters that make a spreadsheet cell a formula (OWASP CSV injection)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: control characters refused in stored text: C0 except tab, line feed, carriage return; DEL
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
CONTROL_RE = re.compile(CONTROL_PATTERN)

_ID_RE = (
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])"
)
_MOBILE_RE = r"(?<!\d)(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"
_LANDLINE_RE = r"(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3})[\s-]?[2-9]\d{3}[\s-]?\d{3,4}(?!\d)"
#: personal numbers in free text: 身份证 numbers, mobile and landline phone numbers
PERSONAL_NUMBER_RE = re.compile(f"{_ID_RE}|{_MOBILE_RE}|{_LANDLINE_RE}")


def vectorised_text(values: pd.Series) -> pd.Series:
    """``values`` as an Arrow-backed string column, so regular expressions run vectorised
    (RE2 in Arrow) instead of once per value in Python."""
    try:
        return values.astype("string[pyarrow]")
    except (ImportError, TypeError, ValueError):  # no pyarrow: pandas' own strings
        return values.astype("string")


def control_characters(text: str) -> list[str]:
    """The control characters of ``text`` that may not be stored, as ``U+0000`` codes."""
    return sorted({f"U+{ord(c):04X}" for c in CONTROL_RE.findall(text)})


def text_problems(values: pd.Series, *, max_length: int) -> list[tuple[int, str, object]]:
    """Positions of ``values`` that may not be stored, with the reason.

    Parameters
    ----------
    values : Series
        Text values (missing values are fine).
    max_length : int
        Longest accepted text, in characters.

    Returns
    -------
    list of (position, message, value shown)
        ``position`` is the 0-based position in ``values``.
    """
    present = values.notna().to_numpy(bool)
    if not present.any():
        return []
    text = values[present].astype(str)
    arrow = vectorised_text(text)
    pos = np.flatnonzero(present)
    out: list[tuple[int, str, object]] = []
    has_control = arrow.str.contains(CONTROL_PATTERN, regex=True).to_numpy(bool)
    for p, value in zip(pos[has_control], text[has_control], strict=True):
        codes = ", ".join(control_characters(value))
        out.append(
            (
                int(p),
                f"contains control characters ({codes}); only text, tabs and line breaks "
                "are accepted — remove them (often a sign of a damaged or binary file)",
                CONTROL_RE.sub("\N{REPLACEMENT CHARACTER}", value),
            )
        )
    length = arrow.str.len().to_numpy(dtype=np.int64)
    for p, n, value in zip(pos[length > max_length], length[length > max_length],
                           text[length > max_length], strict=True):  # fmt: skip
        out.append(
            (
                int(p),
                f"is {n:,} characters long; at most {max_length:,} are accepted "
                "(setting max_field_length)",
                value[:40] + "...",
            )
        )
    out.sort(key=lambda t: t[0])
    return out


def neutralise(value: object) -> object:
    """``value`` safe for a spreadsheet cell: text starting with a formula character gets ``'``.

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("民安社区"), neutralise(-3.5)
    ('民安社区', -3.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(value: object) -> object:
    """The inverse of :func:`neutralise` (the importer's side): drop that one apostrophe."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_TRIGGERS:
        return value[1:] if value[1:2] else value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and text headers) are neutralised for export."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            vals = s.astype(object)
            is_text = vals.map(lambda v: isinstance(v, str)).to_numpy(bool)
            if is_text.any():
                text = vals[is_text].astype(str)
                risky = text.str.startswith(FORMULA_TRIGGERS).to_numpy(bool)
                if risky.any():
                    vals = vals.copy()
                    idx = vals.index[is_text][risky]
                    vals.loc[idx] = "'" + text[risky]
                    out[col] = vals
    out.columns = [neutralise(c) for c in out.columns]
    return out


def _mask_match(match: re.Match) -> str:
    text = match.group(0)
    keep_head, keep_tail = 3, 2
    digits = [i for i, ch in enumerate(text) if ch.isdigit() or ch in "Xx"]
    if text.startswith(("+86", "0086")):
        head = text.index("86") + 2
        digits = [i for i in digits if i >= head]
    hide = set(digits[keep_head : len(digits) - keep_tail])
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def mask_free_text(text: object) -> object:
    """``text`` with phone and 身份证 numbers masked (138******78, 110*************34).

    >>> mask_free_text("户主电话13812345678，身份证110105199001011234")
    '户主电话138******78，身份证110*************34'
    """
    if not isinstance(text, str) or not text:
        return text
    return PERSONAL_NUMBER_RE.sub(_mask_match, text)


def mask_free_text_series(values: pd.Series) -> pd.Series:
    """:func:`mask_free_text` over a column (each distinct value masked once)."""
    uniq = pd.unique(values.dropna())
    if not len(uniq):
        return values
    masked = {v: mask_free_text(v) for v in uniq}
    return values.map(masked, na_action="ignore")


def spreadsheet_safe(df: pd.DataFrame, *, xlsx: bool = False) -> pd.DataFrame:
    """``df`` ready for a CSV or XLSX file: formula cells neutralised (:func:`neutralise_frame`),
    and for XLSX the control characters that format cannot hold shown as U+FFFD.

    Every writer of a CSV or XLSX file (table exports, report downloads) passes its frame
    through here.
    """
    out = neutralise_frame(df)
    if xlsx:
        for col in out.columns:
            s = out[col]
            if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
                out[col] = s.map(lambda v: CONTROL_RE.sub("\ufffd", v) if isinstance(v, str) else v)
    return out
