"""Demand reduction and sparse helpers shared by the siting search, the MILP and the streets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class _Reduced:
    """Demand reduced to uncovered, coverable, positive-weight, distinct columns."""

    csr: sp.csr_matrix  # candidate x reduced demand, float64 ones
    csc: sp.csc_matrix
    w: np.ndarray
    base: float
    total: float


def _reduce(cover: sp.csr_matrix, w: np.ndarray, existing: np.ndarray, aggregate: bool) -> _Reduced:
    total = float(w.sum())
    base = float(w[existing].sum())
    csc = cover.tocsc()
    nnz_col = np.diff(csc.indptr)
    keep = (~existing) & (w > 0) & (nnz_col > 0)
    cols = np.flatnonzero(keep)
    sub = csc[:, cols]
    sub.sum_duplicates()
    wk = w[cols]
    if aggregate and cols.size:
        sub, wk = _aggregate_columns(sub, wk)
    sub.data = np.ones(sub.data.shape[0], dtype=np.float64)
    return _Reduced(sub.tocsr(), sub, wk, base, total)


def _aggregate_columns(csc: sp.csc_matrix, w: np.ndarray) -> tuple[sp.csc_matrix, np.ndarray]:
    """Merge identical demand columns (same covering candidates), summing their weights.

    Columns are grouped by their length and two sums of random reals over their row sets;
    identical (sorted) row sets give bitwise identical sums, and distinct ones collide with
    negligible probability.
    """
    rng = np.random.default_rng(0x5EED)
    n_rows, n_cols = csc.shape
    r1 = rng.random(n_rows) + 1.0
    r2 = rng.random(n_rows) + 1.0
    nnz = np.diff(csc.indptr)
    col_of = np.repeat(np.arange(n_cols), nnz)
    h1 = np.bincount(col_of, weights=r1[csc.indices], minlength=n_cols)
    h2 = np.bincount(col_of, weights=r2[csc.indices], minlength=n_cols)
    order = np.lexsort((h2, h1, nnz))
    h1, h2, nz = h1[order], h2[order], nnz[order]
    start = np.r_[True, (h1[1:] != h1[:-1]) | (h2[1:] != h2[:-1]) | (nz[1:] != nz[:-1])]
    if start.all():
        return csc, w
    group = np.cumsum(start) - 1
    wk = np.bincount(group, weights=w[order])
    first = order[start]
    return csc[:, first], wk


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cnt = np.maximum(hi - lo, 0).astype(np.int64)
    rep = np.repeat(np.arange(lo.size, dtype=np.int64), cnt)
    starts = np.cumsum(cnt) - cnt
    pos = np.arange(int(cnt.sum()), dtype=np.int64) - np.repeat(starts - lo, cnt)
    return rep, pos


def _counts(csr: sp.csr_matrix, chosen: np.ndarray) -> np.ndarray:
    """How many chosen candidates cover each demand column."""
    rep, pos = _ranges(csr.indptr[chosen], csr.indptr[chosen + 1])
    return np.bincount(csr.indices[pos], minlength=csr.shape[1])


def _restrict(red: _Reduced, rows: np.ndarray) -> _Reduced:
    """The reduced problem over the candidates ``rows`` only (demand they cannot cover goes)."""
    csr = red.csr[rows]
    csc = csr.tocsc()
    keep = np.diff(csc.indptr) > 0
    csc = csc[:, np.flatnonzero(keep)]
    return _Reduced(csc.tocsr(), csc, red.w[keep], red.base, red.total)
