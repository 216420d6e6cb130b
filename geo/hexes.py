"""H3 cells of points, and the cell every household is stored with.

Households carry their H3 cell at :data:`CELL_RESOLUTION` in the store (``households.h3``),
so the Coverage map's hexagons are counted in SQL: a coarser cell is the stored one with its
resolution field set and its finer digits cleared (:func:`parent_bits`), which both SQLite
and PostgreSQL compute with two integer operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from h3.api import numpy_int as h3_np

from geo._errors import InputError

__all__ = ["CELL_RESOLUTION", "h3_cells", "parent_bits"]

#: resolution of the cell stored with every household (~0.015 km², a courtyard or two)
CELL_RESOLUTION = 10


def h3_cells(lon: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cell (as a 64-bit integer) of each point.

    Points are de-duplicated on their coordinates first (households of one building share
    one), so a city of 330,000 households costs one H3 call per building.

    Parameters
    ----------
    lon, lat : array of float
        Degrees, WGS-84.
    resolution : int
        H3 resolution, 0–15.

    Returns
    -------
    numpy.ndarray of uint64
    """
    if not 0 <= resolution <= 15:
        raise InputError(f"resolution must be within 0..15, got {resolution!r}")
    lat = np.asarray(lat, float)
    lon = np.asarray(lon, float)
    if len(lat) == 0:
        return np.array([], dtype=np.uint64)
    # one key per coordinate pair at 1e-7 degree (~1 cm), hashed rather than sorted
    key = np.round((lat + 90.0) * 1e7).astype(np.int64) * 3_600_000_001 + np.round(
        (lon + 180.0) * 1e7
    ).astype(np.int64)
    inverse, uniq = pd.factorize(key)
    first = np.full(len(uniq), -1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(key) - 1, -1, -1)
    to_cell = h3_np.latlng_to_cell
    cells = np.fromiter(
        (
            to_cell(a, b, resolution)
            for a, b in zip(lat[first].tolist(), lon[first].tolist(), strict=True)
        ),
        dtype=np.uint64,
        count=len(uniq),
    )
    return cells[inverse]


def parent_bits(resolution: int) -> tuple[int, int]:
    """``(keep, put)``: the parent of an H3 cell ``c`` at ``resolution`` is ``c & keep | put``.

    An H3 index holds its resolution in bits 52-55 and one 3-bit digit per resolution below
    it, unused digits all ones; the parent keeps the digits down to ``resolution``.

    Examples
    --------
    >>> import h3
    >>> c = h3.str_to_int(h3.latlng_to_cell(39.99, 116.33, 10))
    >>> keep, put = parent_bits(8)
    >>> h3.int_to_str(c & keep | put) == h3.cell_to_parent(h3.int_to_str(c), 8)
    True
    """
    if not 0 <= resolution <= 15:
        raise InputError(f"resolution must be within 0..15, got {resolution!r}")
    fill = (1 << (3 * (15 - resolution))) - 1
    keep = ((1 << 63) - 1) & ~(0xF << 52) & ~fill
    return keep, (resolution << 52) | fill
