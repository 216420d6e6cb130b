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
from geo.siting._matrix import _reduce, _Reduced, _restrict
from geo.siting.exact import Relaxation, _exact, _relaxation
from geo.siting.search import (
    Clock,
    _greedy,
    _perturb,
    _reorder,
    _round_lp,
    _swap,
    _value,
)

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
        For ``"exact"`` and ``"auto"``: whether the answer is proven optimal (within
        ``mip_rel_gap``); None for the heuristics alone.
    gap : float or None
        For ``"exact"`` and ``"auto"``: how far the newly covered weight may at most be below
        the optimum, relative to it (proven by HiGHS's bound, or by the LP relaxation for
        ``"auto"``); None when no bound was proven ("not proven") or for the heuristics.
    seconds : float
        Wall time of the call.
    swaps : int
        Improving exchanges made by the swap phases.
    time_capped : bool
        The time limit, not the work budget, stopped a search: the result may then depend on
        the machine's speed and load.
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
    lp_iterations: int = 200_000,
    node_limit: int | None = None,
    ils_rounds: int = 200,
    kernel_max: int = 300,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    highs_options: dict[str, Any] | None = None,
) -> SitingResult:
    """Choose ``k`` candidates that maximise the newly covered weighted demand.

    Every method stops on a work budget (swaps, simplex iterations, branch-and-bound nodes,
    search rounds), so the same inputs give the same sites on a quiet or a busy machine;
    ``time_limit_s`` is only a safety net, and ``time_capped`` says when it stopped a search.

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
        ``"greedy"``: greedy only (guaranteed >= 1 - 1/e of the optimum). ``"greedy+swap"``:
        greedy, then best-improvement exchanges of one chosen site for one other while the
        covered weight grows. ``"auto"`` (default): greedy+swap; then the LP relaxation of the
        covering MILP (HiGHS simplex), whose optimum bounds what any choice can cover and whose
        fractional solution is rounded (the sites it values above one half, greedy for the
        rest) and improved by swaps; iterated local search only when the LP cannot be solved
        within its budget. When the LP's reduced costs leave at most ``kernel_max``
        candidates that an optimum could use, the MILP over them proves the optimum.
        ``optimal`` and ``gap`` are proven (against the LP bound, or by that MILP).
        ``"exact"``: the MILP solved by HiGHS, started from the greedy+swap solution.
    groups : numpy.ndarray of int, shape (n_candidates,), optional
        Group code per candidate (e.g. beat), ``-1`` for none. Needs ``per_group``.
    per_group : int or numpy.ndarray, optional
        *At most* this many new sites per group (one number for all groups or one per code).
    aggregate : bool, optional
        Merge identical demand columns first (same covering candidates); results are
        unchanged, work shrinks.
    max_swaps : int, optional
        Work budget of each swap phase (default ``10 * k`` exchanges).
    lp_iterations : int, optional
        Work budget of the LP relaxation (simplex iterations, ``"auto"``).
    node_limit : int, optional
        Work budget of a MILP (branch-and-bound nodes; default: none for ``"exact"``, 5,000
        for the kernel MILP of ``"auto"``).
    ils_rounds : int, optional
        Work budget of the iterated local search (rounds), used by ``"auto"`` when the LP
        gives no bound.
    kernel_max : int, optional
        ``"auto"`` proves optimality with a MILP over the candidates the LP's reduced costs
        cannot rule out, when there are at most this many of them.
    time_limit_s : float, optional
        Safety net of the whole call (seconds).
    mip_rel_gap : float, optional
        Relative gap at which an answer counts as optimal.
    highs_options : dict, optional
        Extra HiGHS options, e.g. ``{"presolve": "on"}``.

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
    >>> sorted(r.chosen.tolist()), r.covered_weight, r.optimal
    ([0, 2], 4.0, True)
    """
    t0 = time.perf_counter()
    if method not in _METHODS:
        raise InputError(f"method must be one of {', '.join(_METHODS)}; got {method!r}")
    csr, w, k, ex, g, q = _check_inputs(cover, weights, k, existing, groups, per_group)
    clock = Clock(time_limit_s)
    red = _reduce(csr, w, ex, aggregate)
    swaps_budget = 10 * k if max_swaps is None else int(max_swaps)
    chosen, gains = _greedy(red, k, g, q)
    swaps = 0
    if method != "greedy":
        chosen, gains, swaps = _improve(red, chosen, gains, g, q, swaps_budget, clock)
    optimal = gap = None
    if method in ("exact", "auto") and red.w.size == 0:
        optimal, gap = True, 0.0
    elif method == "exact":
        out = _exact(
            red,
            k,
            g,
            q,
            start=chosen,
            time_limit_s=clock.left(),
            mip_rel_gap=mip_rel_gap,
            node_limit=node_limit,
            options=highs_options,
        )
        clock.capped |= out.time_capped
        order, new_gains = _reorder(red, out.chosen)
        if new_gains.sum() >= gains.sum() - 1e-9 * max(red.total, 1.0):
            chosen, gains = order, new_gains
        optimal, gap = out.optimal, out.gap
    elif method == "auto":
        chosen, gains, optimal, gap, more = _lp_guided(
            red, chosen, gains, k, g, q, swaps_budget, lp_iterations, ils_rounds, kernel_max,
            5_000 if node_limit is None else node_limit, mip_rel_gap, clock, highs_options,
        )  # fmt: skip
        swaps += more
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
        time_capped=clock.capped,
    )


def _improve(
    red: _Reduced,
    chosen: np.ndarray,
    gains: np.ndarray,
    g: np.ndarray | None,
    q: np.ndarray | None,
    max_swaps: int,
    clock: Clock,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Swap ``chosen`` to a local optimum; ranked again by marginal gain when it helped."""
    swapped, swaps = _swap(red, chosen, g, q, max_swaps=max_swaps, clock=clock)
    if swaps:
        order, new_gains = _reorder(red, swapped)
        if new_gains.sum() >= gains.sum():
            return order, new_gains, swaps
    return chosen, gains, swaps


def _lp_guided(
    red: _Reduced,
    chosen: np.ndarray,
    gains: np.ndarray,
    k: int,
    g: np.ndarray | None,
    q: np.ndarray | None,
    max_swaps: int,
    lp_iterations: int,
    ils_rounds: int,
    kernel_max: int,
    node_limit: int,
    mip_rel_gap: float,
    clock: Clock,
    highs_options: dict[str, Any] | None,
) -> tuple[np.ndarray, np.ndarray, bool | None, float | None, int]:
    """``"auto"`` after greedy+swap: the LP bound, LP rounding and swaps; iterated local
    search when there is no bound. Returns the sites, their gains, optimal, gap, swaps."""
    relax = _relaxation(
        red,
        k,
        g,
        q,
        iteration_limit=lp_iterations,
        time_limit_s=clock.left(),
        options=highs_options,
    )
    clock.capped |= relax.time_capped
    swaps = 0
    if relax.solved:
        for threshold in (0.5, 1e-6):
            start = _round_lp(red, relax.x, k, g, q, threshold=threshold)
            trial, more = _swap(red, start, g, q, max_swaps=max_swaps, clock=clock)
            swaps += more
            if _value(red, trial) > float(gains.sum()) + 1e-9 * max(red.total, 1.0):
                chosen, gains = _reorder(red, trial)
        value = float(gains.sum())
        if value >= relax.bound - mip_rel_gap * max(relax.bound, 1e-300):
            return chosen, gains, True, max(relax.bound - value, 0.0) / max(value, 1e-300), swaps
        kernel, complete = _kernel(relax, value, chosen, kernel_max)
        out = _exact(
            _restrict(red, kernel),
            k,
            None if g is None else g[kernel],
            q,
            start=np.searchsorted(kernel, chosen),
            time_limit_s=clock.left(),
            mip_rel_gap=mip_rel_gap,
            node_limit=node_limit,
            options=highs_options,
        )
        clock.capped |= out.time_capped
        if _value(red, kernel[out.chosen]) > value:
            chosen, gains = _reorder(red, kernel[out.chosen])
            value = float(gains.sum())
        if complete and out.optimal:
            return chosen, gains, True, out.gap, swaps
        gap = max(relax.bound - value, 0.0) / max(value, 1e-300)
        return chosen, gains, False, gap, swaps
    better, n_better = _perturb(red, chosen, g, q, clock=clock, rounds=ils_rounds)
    if n_better and _value(red, better) > float(gains.sum()):
        chosen, gains = _reorder(red, better)
    return chosen, gains, False, None, swaps


def _kernel(
    relax: Relaxation, value: float, chosen: np.ndarray, size: int
) -> tuple[np.ndarray, bool]:
    """The candidates most worth a MILP: those an LP-rounded choice needs (largest bound with
    them first, by reduced cost; then LP value), plus ``chosen``. ``complete`` is True when
    every candidate left out is ruled out by its reduced cost (a choice including it covers
    at most ``value``), so the MILP's optimum over the kernel is the optimum."""
    with_it = relax.bound + np.minimum(relax.reduced_cost, 0.0)
    order = np.lexsort((-relax.x, -with_it))
    top = order[:size]
    complete = bool((with_it[order[size:]] <= value).all())
    return np.union1d(top, chosen).astype(np.int64), complete
