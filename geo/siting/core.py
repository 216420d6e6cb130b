"""The siting core: choose ``k`` sites that maximise newly covered weighted demand.

Works on a sparse candidate x demand 0/1 matrix (:func:`geo.siting.streets.coverage_matrix`)
so it can be tested and measured alone.

Group quotas (e.g. per beat) mean *at most* ``per_group[g]`` new sites in group ``g``;
candidates with group ``-1`` are not limited.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from geo._errors import InputError
from geo.siting._matrix import _reduce
from geo.siting.exact import _exact
from geo.siting.search import _greedy, _perturb, _reorder, _swap, _value

Method = Literal["auto", "greedy+swap", "greedy", "exact"]
_METHODS = ("auto", "greedy+swap", "greedy", "exact")


@dataclass(frozen=True)
class SitingResult:
    """The outcome of :func:`max_coverage`.

    Attributes
    ----------
    chosen : numpy.ndarray of int64
        Candidate indices in order of choice (each the best next one given those before).
        May be shorter than ``k`` when no remaining candidate adds weight or quotas run out.
    gains : numpy.ndarray of float64
        Weight newly covered by each chosen candidate, in that order.
    covered_weight : float
        Weight covered by existing units and the chosen sites together.
    total_weight : float
        Weight of all demand.
    base_weight : float
        Weight already covered by existing units.
    method : str
        ``"auto"``, ``"greedy"``, ``"greedy+swap"`` or ``"exact"``.
    optimal : bool or None
        For ``"exact"`` and ``"auto"``: whether HiGHS proved optimality (within
        ``mip_rel_gap``); None for the heuristics alone.
    gap : float or None
        For ``"exact"`` and ``"auto"``: HiGHS's relative MIP gap at the end, relative to the
        newly covered weight (``inf`` when stopped before a bound); None otherwise.
    seconds : float
        Wall time of the call.
    swaps : int
        Improving exchanges made by the swap phase.
    """

    chosen: np.ndarray
    gains: np.ndarray
    covered_weight: float
    total_weight: float
    base_weight: float
    method: str
    optimal: bool | None = None
    gap: float | None = None
    seconds: float = 0.0
    swaps: int = 0
    time_capped: bool = False

    @property
    def new_weight(self) -> float:
        """Weight newly covered by the chosen sites."""
        return self.covered_weight - self.base_weight

    @property
    def covered_share(self) -> float:
        """Covered weight as a share of the total (0 when there is no weight)."""
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0


# ---------------------------------------------------------------------- validation


def _check_inputs(
    cover: Any,
    weights: Any,
    k: Any,
    existing: Any,
    groups: Any,
    per_group: Any,
) -> tuple[sp.csr_matrix, np.ndarray, int, np.ndarray, np.ndarray | None, np.ndarray | None]:
    if not sp.issparse(cover):
        arr = np.asarray(cover)
        if arr.ndim != 2:
            raise InputError(
                f"cover must be a 2-d candidate x demand matrix, got shape {arr.shape}"
            )
        cover = sp.csr_matrix(arr)
    cover = sp.csr_matrix(cover)
    n_cand, n_dem = cover.shape
    if n_cand == 0:
        raise InputError("there are no candidate sites to choose from")
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise InputError(f"k must be an integer, got {k!r}")
    k = int(k)
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    if k > n_cand:
        raise InputError(f"k = {k} is larger than the number of candidates ({n_cand})")
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != n_dem:
        raise InputError(
            f"weights has shape {w.shape} but cover has {n_dem} demand columns "
            f"(cover shape {cover.shape})"
        )
    bad = ~np.isfinite(w)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} weight(s) are NaN or infinite (first at demand {int(np.argmax(bad))})"
        )
    neg = w < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise InputError(f"{int(neg.sum())} weight(s) are negative (first at demand {i}: {w[i]:g})")
    if existing is None:
        ex = np.zeros(n_dem, dtype=bool)
    else:
        ex = np.asarray(existing)
        if ex.shape != (n_dem,):
            raise InputError(f"existing has shape {ex.shape} but cover has {n_dem} demand columns")
        ex = ex.astype(bool)
    g = q = None
    if groups is not None or per_group is not None:
        if groups is None or per_group is None:
            raise InputError("groups and per_group must be given together")
        g = np.asarray(groups)
        if g.shape != (n_cand,) or not np.issubdtype(g.dtype, np.integer):
            raise InputError(
                f"groups must be one integer code per candidate ({n_cand}), got "
                f"shape {g.shape} dtype {g.dtype}"
            )
        n_groups = int(g.max()) + 1 if g.size else 0
        q = np.asarray(per_group)
        if q.ndim == 0:
            q = np.full(n_groups, int(q))
        if q.ndim != 1 or q.shape[0] < n_groups:
            raise InputError(
                f"per_group needs a quota for each of the {n_groups} groups, got shape {q.shape}"
            )
        if (q < 0).any() or (g < -1).any():
            raise InputError("quotas must be >= 0 and group codes >= -1")
        g = g.astype(np.int64)
        q = q.astype(np.int64)
    return cover, w, k, ex, g, q


# ---------------------------------------------------------------------- public core


def max_coverage(
    cover: sp.spmatrix | np.ndarray,
    weights: np.ndarray,
    k: int,
    *,
    existing: np.ndarray | None = None,
    method: Method = "auto",
    groups: np.ndarray | None = None,
    per_group: int | np.ndarray | None = None,
    aggregate: bool = True,
    max_swaps: int | None = None,
    polish_s: float = 2.0,
    ils_rounds: int = 500,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    highs_options: dict[str, Any] | None = None,
) -> SitingResult:
    """Choose ``k`` candidates that maximise the newly covered weighted demand.

    Parameters
    ----------
    cover : scipy.sparse matrix or numpy.ndarray, shape (n_candidates, n_demand)
        ``cover[j, i]`` is nonzero when candidate ``j`` would cover demand ``i``.
    weights : numpy.ndarray, shape (n_demand,)
        Non-negative demand weights.
    k : int
        Number of new sites, ``1 <= k <= n_candidates``.
    existing : numpy.ndarray of bool, shape (n_demand,), optional
        Demand already covered by existing units (its weight counts as ``base_weight``).
    method : {"auto", "greedy+swap", "greedy", "exact"}, optional
        ``"greedy+swap"``: greedy, then best-improvement exchanges of one chosen site for one
        other while the covered weight grows. ``"greedy"``: greedy only (guaranteed
        >= 1 - 1/e of the optimum). ``"exact"``: a MILP solved with HiGHS, started from the
        greedy+swap solution, within ``time_limit_s``; see ``optimal`` and ``gap``.
        ``"auto"`` (default): greedy+swap, then up to ``ils_rounds`` rounds of iterated local
        search (drop ``max(3, k // 12)`` random sites, refill greedily, swap; keep if better)
        for at most ``polish_s / 2`` seconds, then the exact MILP started from the best so
        far, all within about ``polish_s`` seconds (seeded). ``optimal`` and
        ``gap`` certify the answer. A time-boxed run can depend on machine speed when it
        stops at the limit.
    groups : numpy.ndarray of int, shape (n_candidates,), optional
        Group code per candidate (e.g. beat), ``-1`` for none. Needs ``per_group``.
    per_group : int or numpy.ndarray, optional
        *At most* this many new sites per group (one number for all groups or one per code).
    aggregate : bool, optional
        Merge identical demand columns first (same covering candidates); results are
        unchanged, work shrinks.
    max_swaps : int, optional
        Upper bound on exchanges (default ``10 * k``).
    polish_s : float, optional
        Time budget of the search and HiGHS after greedy+swap for ``"auto"``.
    ils_rounds : int, optional
        Iterated local search rounds for ``"auto"``.
    time_limit_s : float, optional
        Time limit of the swap phase and of HiGHS for ``"exact"``.
    mip_rel_gap : float, optional
        Relative gap at which HiGHS stops and declares optimality (``"exact"``).
    highs_options : dict, optional
        Extra HiGHS options (``"exact"``), e.g. ``{"threads": 1}``.

    Returns
    -------
    SitingResult

    Raises
    ------
    InputError
        No candidates, ``k`` out of range, negative or NaN weights, mismatched shapes.

    Examples
    --------
    >>> import numpy as np
    >>> cover = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]])
    >>> r = max_coverage(cover, np.array([1.0, 1.0, 1.0, 1.0]), 2)
    >>> sorted(r.chosen.tolist()), r.covered_weight
    ([0, 2], 4.0)
    """
    t0 = time.perf_counter()
    if method not in _METHODS:
        raise InputError(f"method must be one of {', '.join(_METHODS)}; got {method!r}")
    csr, w, k, ex, g, q = _check_inputs(cover, weights, k, existing, groups, per_group)
    red = _reduce(csr, w, ex, aggregate)
    chosen, gains = _greedy(red, k, g, q)
    swaps = 0
    optimal = gap = None
    if method != "greedy":
        deadline = t0 + time_limit_s
        before = gains.sum()
        swapped, swaps = _swap(
            red,
            chosen,
            g,
            q,
            max_swaps=10 * k if max_swaps is None else max_swaps,
            deadline=deadline,
        )
        if swaps:
            order, new_gains = _reorder(red, swapped)
            if new_gains.sum() >= before:
                chosen, gains = order, new_gains
    if method in ("exact", "auto") and red.w.size == 0:
        optimal, gap = True, 0.0
    elif method in ("exact", "auto"):
        if method == "auto":
            before = _value(red, chosen)
            better, n_better = _perturb(
                red, chosen, g, q, deadline=time.perf_counter() + polish_s / 2, rounds=ils_rounds
            )
            if n_better and _value(red, better) > before:
                chosen, gains = _reorder(red, better)
        t_left = max(polish_s - (time.perf_counter() - t0), polish_s / 2)
        x, optimal, gap = _exact(
            red,
            k,
            g,
            q,
            start=chosen,
            time_limit_s=time_limit_s if method == "exact" else t_left,
            mip_rel_gap=mip_rel_gap,
            options=highs_options,
        )
        order, new_gains = _reorder(red, x)
        if new_gains.sum() >= gains.sum() - 1e-9 * max(red.total, 1.0):
            chosen, gains = order, new_gains
    # sites that add nothing (a solver filling k, quotas) are not worth a unit
    keep = gains > 0
    chosen, gains = chosen[keep], gains[keep]
    return SitingResult(
        chosen=chosen,
        gains=gains,
        covered_weight=red.base + float(gains.sum()),
        total_weight=red.total,
        base_weight=red.base,
        method=method,
        optimal=optimal,
        gap=gap,
        seconds=time.perf_counter() - t0,
        swaps=swaps,
    )
