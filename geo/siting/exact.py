"""The maximal covering MILP solved with HiGHS (``highspy``)."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import numpy as np

from geo._errors import InputError
from geo.siting._matrix import _ranges, _Reduced

#: HiGHS options used unless overridden: our own reduction already does what presolve would
#: (drop covered, uncoverable and zero demand, merge identical columns, fold singly covered
#: demand into the candidate's cost); on the 330,000 x 10,000 bench instance HiGHS proves
#: optimality in 0.6 s with presolve off against 8.2 s with it on.
HIGHS_DEFAULTS: dict[str, Any] = {"presolve": "off", "threads": 1}

# ---------------------------------------------------------------------- exact

_BANNER_LOCK = threading.Lock()
_BANNER_DONE = False


def _new_highs() -> Any:
    """A ``highspy.Highs``; the first one of the process prints a licence banner on fd 1
    (before any option can be set), which would corrupt CSV written to stdout: swallow it."""
    global _BANNER_DONE
    import highspy

    with _BANNER_LOCK:
        if _BANNER_DONE:
            return highspy.Highs()
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError):  # no real fd 1 (embedded interpreters)
            _BANNER_DONE = True
            return highspy.Highs()
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_DONE = True
        return h


def _exact(
    red: _Reduced,
    k: int,
    groups: np.ndarray | None,
    quota: np.ndarray | None,
    *,
    start: np.ndarray | None,
    time_limit_s: float,
    mip_rel_gap: float,
    options: dict[str, Any] | None = None,
) -> tuple[np.ndarray, bool, float]:
    """Solve the maximal covering MILP with HiGHS.

    max sum_j c_j x_j + sum_i w_i y_i  s.t.  y_i <= sum_j a_ij x_j,  sum_j x_j <= k,
    per-group sums <= quota, x binary, 0 <= y <= 1, where demand covered by a single candidate
    is folded into that candidate's cost c_j instead of getting a y_i.
    """
    import highspy

    csc, w = red.csc, red.w
    n_cand, n_dem = csc.shape
    nnz = np.diff(csc.indptr)
    single = nnz == 1
    c = np.bincount(csc.indices[csc.indptr[:-1][single]], weights=w[single], minlength=n_cand)
    multi = np.flatnonzero(~single)
    sub = csc[:, multi].tocsr()  # n_cand x m: row j -> the y rows where x_j appears
    m = multi.size
    wm = w[multi]
    n_grp = 0 if quota is None else quota.shape[0]
    # constraint rows: 0..m-1 cover rows, m the cardinality row, m+1.. group rows
    # columns 0..n_cand-1 are x, n_cand..n_cand+m-1 are y
    x_cnt = np.diff(sub.indptr) + 1
    grp_has = np.zeros(n_cand, dtype=bool)
    if groups is not None and n_grp:
        grp_has = groups >= 0
        x_cnt = x_cnt + grp_has
    # assemble column-wise arrays for x
    starts_x = np.r_[0, np.cumsum(x_cnt)]
    idx_x = np.empty(int(starts_x[-1]), dtype=np.int32)
    val_x = np.empty(int(starts_x[-1]), dtype=np.float64)
    rep, pos = _ranges(sub.indptr[:-1], sub.indptr[1:])
    off = starts_x[:-1][rep] + (pos - sub.indptr[:-1][rep])
    idx_x[off] = sub.indices
    val_x[off] = -1.0
    card_at = starts_x[:-1] + np.diff(sub.indptr)
    idx_x[card_at] = m
    val_x[card_at] = 1.0
    if grp_has.any():
        at = card_at[grp_has] + 1
        idx_x[at] = m + 1 + groups[grp_has]  # type: ignore[index]
        val_x[at] = 1.0
    starts = np.r_[starts_x, starts_x[-1] + np.arange(1, m + 1)]
    index = np.r_[idx_x, np.arange(m, dtype=np.int32)]
    value = np.r_[val_x, np.ones(m)]

    lp = highspy.HighsLp()
    lp.num_col_ = n_cand + m
    lp.num_row_ = m + 1 + n_grp
    lp.col_cost_ = np.r_[c, wm]
    lp.col_lower_ = np.zeros(n_cand + m)
    lp.col_upper_ = np.ones(n_cand + m)
    lp.row_lower_ = np.full(m + 1 + n_grp, -highspy.kHighsInf)
    lp.row_upper_ = np.r_[np.zeros(m), float(k), quota.astype(np.float64) if n_grp else []]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_cand + m
    lp.a_matrix_.num_row_ = m + 1 + n_grp
    lp.a_matrix_.start_ = starts.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cand + [
        highspy.HighsVarType.kContinuous
    ] * m

    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    for name, value in {**HIGHS_DEFAULTS, **(options or {})}.items():
        h.setOptionValue(name, value)
    h.passModel(lp)
    if start is not None and start.size:
        x0 = np.zeros(n_cand + m)
        x0[start] = 1.0
        covered = sub[start].sum(axis=0).A1 > 0 if m else np.zeros(0, dtype=bool)
        x0[n_cand:] = covered.astype(np.float64)
        sol = highspy.HighsSolution()
        sol.col_value = x0.tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    values = np.asarray(h.getSolution().col_value)
    if values.size < n_cand:
        raise InputError(f"HiGHS found no solution ({h.modelStatusToString(status)})")
    chosen = np.flatnonzero(values[:n_cand] > 0.5)
    optimal = status == highspy.HighsModelStatus.kOptimal
    return chosen.astype(np.int64), bool(optimal), float(info.mip_gap)
