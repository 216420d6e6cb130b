"""The campaign plan: all of a beat's remaining households split into evening rounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo._errors import InputError
from geo.evening.beat_network import BeatNetwork
from geo.evening.problem import Problem, evening_start, officer_beat, prepare
from geo.evening.search import Round, solve_round
from geo.evening.settings import EveningSettings
from geo.i18n import Catalogue
from geo.progress import ProgressCallback, Tracker

if TYPE_CHECKING:
    from geo.network import Area

__all__ = ["CAMPAIGN_ITERS", "CampaignPlan", "Evening", "plan_campaign"]

#: work budget (search iterations) of each evening round of a campaign plan
CAMPAIGN_ITERS = 200
#: budgets tried when rebalancing: the average work per evening times these factors
_REBALANCE = (1.0, 1.03, 1.06)
#: every remaining household is worth about the same in a campaign: this plus its weight
_FLAT = 1000.0

T = Catalogue(
    {
        "evening": ("晚次", "evening"),
        "date": ("日期", "date"),
        "households": ("户数", "households"),
        "stops": ("站数", "stops"),
        "walk_km": ("步行公里", "walk km"),
        "minutes": ("用时分钟", "minutes"),
        "holds": ("可按期完成", "the target date holds"),
        "fails": ("不能按期完成", "the target date does NOT hold"),
        "summary": (
            "剩余{n}户需{needed}个晚上（最后一晚 {fin}）；至{target:%Y-%m-%d}共有{available}个晚上："
            "{verdict}",
            "{n} households in {needed} evenings (last {fin}); {available} evenings until "
            "{target:%Y-%m-%d}: {verdict}",
        ),
        "timed_out": (
            "（计算机繁忙，部分晚次的搜索在时间上限处停止）",
            " (the machine was busy: some evenings' search stopped at its time cap)",
        ),
    }
)


@dataclass
class Evening:
    """One evening of a campaign plan: its date and households, in visiting order."""

    number: int
    date: dt.date
    household_ids: list[int]
    n_stops: int
    walk_m: float
    total_min: float


@dataclass
class CampaignPlan:
    """All remaining households of a beat split into evening rounds.

    Attributes
    ----------
    evenings : list of Evening
    available : int
        Evenings from the first date to the target date (inclusive) on the working weekdays.
    holds : bool
        Whether the last evening falls on or before the target date.
    finish_date : datetime.date or None
        Date of the last evening.
    unreachable : pandas.DataFrame
        Households no route can reach.
    timed_out : bool
        Some evening's search stopped at the safety time cap instead of its work budget.
    """

    beat_id: int
    start_date: dt.date
    target_date: dt.date
    evenings: list[Evening]
    available: int
    holds: bool
    finish_date: dt.date | None
    unreachable: pd.DataFrame
    settings: EveningSettings
    timed_out: bool = False

    @property
    def needed(self) -> int:
        """Number of evenings the remaining households need."""
        return len(self.evenings)

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """One row per evening for display."""
        ev = self.evenings
        return pd.DataFrame(
            {
                T("evening", lang): [e.number for e in ev],
                T("date", lang): [e.date for e in ev],
                T("households", lang): [len(e.household_ids) for e in ev],
                T("stops", lang): [e.n_stops for e in ev],
                T("walk_km", lang): [round(e.walk_m / 1000, 2) for e in ev],
                T("minutes", lang): [round(e.total_min) for e in ev],
            }
        )

    def summary(self, lang: str = "zh") -> str:
        """Evenings needed, available and whether the target date holds (and whether the time
        cap bit)."""
        text = T(
            "summary",
            lang,
            n=sum(len(e.household_ids) for e in self.evenings),
            needed=self.needed,
            fin=f"{self.finish_date:%Y-%m-%d}" if self.finish_date else "-",
            target=self.target_date,
            available=self.available,
            verdict=T("holds" if self.holds else "fails", lang),
        )
        return text + (T("timed_out", lang) if self.timed_out else "")


CAMPAIGN_STEPS = (
    ("准备步行网络", "preparing the walking network"),
    ("逐晚安排住户", "placing households evening by evening"),
    ("均衡各晚工作量", "balancing the evenings"),
)


def plan_campaign(
    area: Area,
    tables: Mapping[str, pd.DataFrame],
    *,
    officer: int,
    start_date: Any,
    target_date: Any,
    settings: EveningSettings | None = None,
    weekdays: Sequence[int] = (0, 1, 2, 3, 4, 5, 6),
    time_per_evening_s: float | None = None,
    network: BeatNetwork | None = None,
    iters_per_evening: int = CAMPAIGN_ITERS,
    progress: ProgressCallback | None = None,
) -> CampaignPlan:
    """Split all of the officer's beat's remaining households into evening rounds.

    Each evening is a prize-collecting round within the window where every household counts
    the same (the weights only break ties), so every evening takes as many households as fit
    with compact walking; the rounds are then rebalanced: the plan is solved again with a
    shorter budget, the average work per evening, while that needs no extra evening.

    Parameters
    ----------
    area, tables, officer, settings, network
        As for :func:`geo.evening.plan_evening`.
    start_date, target_date : date-like
        First evening and the date the beat must be finished by.
    weekdays : sequence of int, optional
        Working weekdays (Monday = 0); every day by default, as the campaign's officers work
        16:00-20:00 daily.
    time_per_evening_s : float, optional
        Safety cap of each evening's search (seconds); ``settings.time_limit_s`` by default.
        The plan reports when it bites (``timed_out``).
    iters_per_evening : int, optional
        Work budget of each evening's search (iterations): it, the data and the seed decide
        the plan.
    progress : callable, optional
        Receives the steps (network, evenings with the households placed, balancing) as
        :class:`geo.progress.Update`.

    Returns
    -------
    CampaignPlan
    """
    track = Tracker(progress, CAMPAIGN_STEPS, weights=(1, 3, 3))
    track.start(0)
    settings = settings or EveningSettings()
    off, beat = officer_beat(tables, officer)
    first, target, wd = _check_dates(start_date, target_date, weekdays)
    cutoff = evening_start(first, settings)
    prob = prepare(
        area,
        tables,
        beat,
        cutoff=cutoff,
        settings=_flat_weights(settings),
        start_point=None,
        network=network,
    )
    search = {
        "max_iters": int(iters_per_evening),
        "time_limit_s": settings.time_limit_s if time_per_evening_s is None else time_per_evening_s,
    }
    track.start(1, total=len(prob.households))
    rounds = _sequential(prob, settings.window_s, settings.seed, search, placed=track.update)
    track.start(2)
    rounds = _rebalanced(prob, rounds, search)
    evenings = _evenings(prob, rounds, first, wd)
    track.finish()
    available = sum(1 for _ in _working_days(first, wd, until=target))
    finish = evenings[-1].date if evenings else None
    return CampaignPlan(
        beat_id=int(beat["id"]),
        start_date=first,
        target_date=target,
        evenings=evenings,
        available=available,
        holds=finish is not None and finish <= target,
        finish_date=finish,
        unreachable=prob.unreachable,
        settings=settings,
        timed_out=any(r.timed_out for r in rounds),
    )


def _check_dates(
    start_date: Any, target_date: Any, weekdays: Sequence[int]
) -> tuple[dt.date, dt.date, list[int]]:
    try:
        first = pd.Timestamp(start_date).date()
        target = pd.Timestamp(target_date).date()
    except (TypeError, ValueError):
        raise InputError(
            f"start_date and target_date must be dates such as 2026-04-12, got {start_date!r}, "
            f"{target_date!r}"
        ) from None
    problems = []
    if target < first:
        problems.append(f"the target date {target} is before the first evening {first}")
    wd = sorted({int(w) for w in weekdays})
    if not wd or any(w < 0 or w > 6 for w in wd):
        problems.append(f"weekdays must be numbers 0 (Monday) to 6 (Sunday), got {weekdays!r}")
    if problems:
        raise InputError("; ".join(problems))
    return first, target, wd


def _flat_weights(settings: EveningSettings) -> EveningSettings:
    """Every remaining household worth about the same (its weight only breaks ties)."""
    return settings.with_(
        weight_never=settings.weight_never and _FLAT + settings.weight_never,
        weight_not_home=settings.weight_not_home and _FLAT + settings.weight_not_home,
        weight_refused=settings.weight_refused and _FLAT + settings.weight_refused,
    )


def _rebalanced(prob: Problem, rounds: list[Round], search: dict[str, Any]) -> list[Round]:
    """The rounds solved again with the average work per evening as budget, when that needs
    no extra evening (first of the budgets in :data:`_REBALANCE` that works)."""
    budget = prob.settings.window_s
    if len(rounds) <= 1:
        return rounds
    used = sum(r.total_s for r in rounds)
    for factor in _REBALANCE:
        shorter = min(budget, used / len(rounds) * factor)
        if shorter >= budget - 1:
            break
        try:
            again = _sequential(prob, shorter, prob.settings.seed, search, max_rounds=len(rounds))
        except InputError:
            continue
        if again is not None:
            return again
    return rounds


def _sequential(
    prob: Problem,
    budget: float,
    seed: int,
    search: dict[str, Any],
    *,
    max_rounds: int | None = None,
    placed: Callable[[int], None] | None = None,
) -> list[Round] | None:
    """Rounds taken one after another until every household is in one (None: over max).

    ``placed`` is told how many households are in a round so far, after each round.
    """
    left = np.arange(len(prob.households))
    rounds: list[Round] = []
    while left.size:
        if max_rounds is not None and len(rounds) >= max_rounds:
            return None
        rnd = solve_round(prob, left, budget, seed=seed + len(rounds), **search)
        done = np.concatenate(rnd.members) if rnd.members else np.empty(0, np.int64)
        if done.size == 0:  # nothing fits any more (cannot happen after the checks above)
            raise InputError("some households cannot be fitted into any evening")
        rounds.append(rnd)
        left = np.setdiff1d(left, done)
        if placed is not None:
            placed(len(prob.households) - left.size)
    return rounds


def _evenings(prob: Problem, rounds: list[Round], first: dt.date, wd: list[int]) -> list[Evening]:
    ids = prob.households["id"].to_numpy()
    return [
        Evening(
            i + 1,
            day,
            [int(ids[int(j)]) for m in r.members for j in m],
            len(r.doors),
            r.travel_m,
            r.total_s / 60,
        )
        for i, (r, day) in enumerate(zip(rounds, _working_days(first, wd), strict=False))
    ]


def _working_days(
    start: dt.date, weekdays: Sequence[int], *, until: dt.date | None = None
) -> Iterator[dt.date]:
    """The working days from ``start`` on (up to ``until`` inclusive, else for ever)."""
    day = start
    while until is None or day <= until:
        if day.weekday() in weekdays:
            yield day
        day += dt.timedelta(days=1)
