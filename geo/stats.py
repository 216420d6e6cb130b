"""Small numeric helpers shared by the analysis modules."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["share"]


def share(num: ArrayLike, den: ArrayLike) -> np.ndarray:
    """Element-wise share ``num / den``, NaN where the denominator is not positive.

    Parameters
    ----------
    num, den : array_like
        Numerators and denominators of the same shape (lists, arrays or Series).

    Returns
    -------
    numpy.ndarray
        Float shares of that shape; NaN where ``den <= 0`` (no base, no share).
    """
    num = np.asarray(num, float)
    den = np.asarray(den, float)
    return np.divide(num, den, out=np.full(np.broadcast(num, den).shape, np.nan), where=den > 0)
