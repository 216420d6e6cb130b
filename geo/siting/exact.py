"""The maximal covering MILP and its LP relaxation, solved with HiGHS (``highspy``).

HiGHS runs on one thread with a fixed seed, so a solve that ends within its work budget
(simplex iterations, branch-and-bound nodes) gives the same answer on a quiet or a busy machine;
the time limit is only a safety net, reported when it bites.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from geo._errors import InputError
from geo.siting._matrix import _ranges, _Reduced

#: HiGHS options used unless overridden: our own reduction already does what presolve would
#: (drop covered, uncoverable and zero demand, merge identical columns, fold singly covered
#: demand into the candidate's cost); on the 330,000 x 10,000 bench instance HiGHS proves
#: optimality in 0.6 s with presolve off against 8.2 s with it on.
HIGHS_DEFAULTS: dict[str, Any] = {"presolve": "off", "threads": 1}

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


@dataclass
class _Model:
    """The aggregated covering MILP and how its columns map back to candidates."""

    lp: Any  # highspy.HighsLp
    n_cand: int
    sub: Any  # scipy.sparse.csr_matrix: candidate x multiply covered demand


def _model(red: _Reduced, k: int, groups: np.ndarray | None, quota: np.ndarray | None) -> _Model:
    """max sum_j c_j x_j + sum_i w_i y_i  s.t.  y_i <= sum_j a_ij x_j,  sum_j x_j <= k,
    per-group sums <= quota, x binary, 0 <= y <= 1, where demand covered by a single
    candidate is folded into that candidate's cost c_j instead of getting a y_i."""
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
    return _Model(lp, n_cand, sub)


def _solver(model: _Model, time_limit_s: float, options: dict[str, Any] | None) -> Any:
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("random_seed", 0)
    for name, value in {**HIGHS_DEFAULTS, **(options or {})}.items():
        h.setOptionValue(name, value)
    h.passModel(model.lp)
    return h


@dataclass(frozen=True)
class MilpOutcome:
    """What HiGHS made of the MILP.

    Attributes
    ----------
    chosen : numpy.ndarray of int64
        Candidates of the best solution found.
    optimal : bool
        HiGHS proved it optimal (within ``mip_rel_gap``).
    gap : float or None
        Relative gap to the best bound HiGHS proved; None when it stopped before it had any
        bound better than the trivial one (every demand covered): "not proven".
    time_capped : bool
        The time limit stopped it (the work budget did not).
    """

    chosen: np.ndarray
    optimal: bool
    gap: float | None
    time_capped: bool


def _exact(
    red: _Reduced,
    k: int,
    groups: np.ndarray | None,
    quota: np.ndarray | None,
    *,
    start: np.ndarray | None,
    time_limit_s: float,
    mip_rel_gap: float,
    node_limit: int | None = None,
    options: dict[str, Any] | None = None,
) -> MilpOutcome:
    """Solve the maximal covering MILP (:func:`_model`) with HiGHS, started from ``start``.

    ``node_limit`` is the work budget (branch-and-bound nodes); ``time_limit_s`` a safety net.
    """
    import highspy

    model = _model(red, k, groups, quota)
    h = _solver(model, time_limit_s, options)
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if node_limit is not None:
        h.setOptionValue("mip_max_nodes", int(node_limit))
    n_cand, m = model.n_cand, model.sub.shape[1]
    if start is not None and start.size:
        x0 = np.zeros(n_cand + m)
        x0[start] = 1.0
        covered = model.sub[start].sum(axis=0).A1 > 0 if m else np.zeros(0, dtype=bool)
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
    chosen = np.flatnonzero(values[:n_cand] > 0.5).astype(np.int64)
    optimal = status == highspy.HighsModelStatus.kOptimal
    # before the root node is done HiGHS has only the trivial bound (every demand covered): a
    # gap against it says nothing, so it is "not proven" rather than a gap of a few hundred %
    proven = optimal or (np.isfinite(info.mip_dual_bound) and info.mip_node_count > 0)
    return MilpOutcome(
        chosen=chosen,
        optimal=bool(optimal),
        gap=(0.0 if optimal else float(info.mip_gap)) if proven else None,
        time_capped=status == highspy.HighsModelStatus.kTimeLimit,
    )


@dataclass(frozen=True)
class Relaxation:
    """The LP relaxation of the MILP.

    Attributes
    ----------
    x : numpy.ndarray of float
        Fractional value of each candidate (empty when not solved).
    reduced_cost : numpy.ndarray of float
        Reduced cost of each candidate (empty when not solved): a choice that includes
        candidate ``j`` covers at most ``bound + min(reduced_cost[j], 0)``.
    bound : float
        The LP optimum: no choice of sites covers more new weight (``inf`` when not solved).
    solved : bool
        The simplex reached the optimum within its iteration budget and the time cap.
    time_capped : bool
        The time cap stopped it.
    iterations : int
        Simplex iterations used.
    """

    x: np.ndarray
    reduced_cost: np.ndarray
    bound: float
    solved: bool
    time_capped: bool
    iterations: int


def _relaxation(
    red: _Reduced,
    k: int,
    groups: np.ndarray | None,
    quota: np.ndarray | None,
    *,
    iteration_limit: int,
    time_limit_s: float,
    options: dict[str, Any] | None = None,
) -> Relaxation:
    """Solve the LP relaxation with the simplex method (deterministic: one thread, a fixed
    seed; ``iteration_limit`` is the work budget, ``time_limit_s`` a safety net)."""
    import highspy

    model = _model(red, k, groups, quota)
    h = _solver(model, time_limit_s, {"solver": "simplex", **(options or {})})
    h.setOptionValue("solve_relaxation", True)
    h.setOptionValue("simplex_iteration_limit", int(iteration_limit))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    solved = status == highspy.HighsModelStatus.kOptimal
    sol = h.getSolution()
    n = model.n_cand if solved else 0
    return Relaxation(
        x=np.asarray(sol.col_value)[:n],
        reduced_cost=np.asarray(sol.col_dual)[:n],
        bound=float(info.objective_function_value) if solved else float("inf"),
        solved=bool(solved),
        time_capped=status == highspy.HighsModelStatus.kTimeLimit,
        iterations=int(info.simplex_iteration_count),
    )
