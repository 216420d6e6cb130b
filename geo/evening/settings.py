"""How an evening is planned: the window, the pace, the values of households, the search budget."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, fields, replace
from typing import Any

from geo._errors import InputError

__all__ = ["DONE_STATUS", "DOOR_CAP", "TICK_FIELDS", "EveningSettings"]

#: outcomes that end a household's visiting: never planned again
DONE_STATUS = {"visited", "moved_away"}
#: visit fields an officer ticks at the door (:func:`geo.visits.record_visit` keywords)
TICK_FIELDS = (
    "card_given",
    "register_updated",
    "rental_letter_signed",
    "camera_leaflet_given",
    "camera_install_accepted",
)
#: households of one door offered to the search (the rest may join in the fill pass)
DOOR_CAP = 8
_TIME_FMT = "%H:%M"
_POSITIVE = ("service_min", "speed_kmh", "time_limit_s")
_NON_NEGATIVE = (
    "weight_never", "weight_not_home", "weight_refused", "weight_rental", "weight_lodgers",
    "margin_m", "max_snap_m",
)  # fmt: skip


def _parse_clock(value: str | dt.time, name: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.datetime.strptime(str(value).strip(), _TIME_FMT).time()
    except ValueError:
        raise InputError(f"{name} must be a time of day such as 16:00, got {value!r}") from None


@dataclass(frozen=True)
class EveningSettings:
    """How an evening is planned.

    Parameters
    ----------
    start, end : str or datetime.time
        The evening window, ``"HH:MM"`` (default 16:00-20:00). The round starts at ``start``
        and is back at the office by ``end``.
    service_min : float
        Minutes spent at each household (default 10).
    speed_kmh : float
        Walking speed (default 4.5 km/h).
    weight_never, weight_not_home, weight_refused : float
        Value of a household never visited / not at home last time / that refused last time.
        A weight of 0 leaves those households out.
    weight_rental, weight_lodgers : float
        Added for a rental house / for a household with lodgers (only to households that are
        planned at all).
    max_per_stop : int
        Most households in one stop at a shared door (larger doors are split).
    margin_m : float
        Network kept around the beat (m), so paths may leave the beat for a shortcut.
    max_snap_m : float
        Doors farther than this from every walkable edge are reported as unreachable.
    time_limit_s : float
        Safety net (seconds) on each search of the evening. The work budget (``max_iters``)
        decides the route; the clock only stops a search that runs far longer than it should
        (a machine overloaded many times over), and the plan then says so (``timed_out``).
    seed : int
        Seed of the search.
    max_iters : int or None
        Work budget: perturbation rounds of the evening search (default 5,000; None takes the
        solver's default, :data:`geo.routing.OP_ITERS`). The route depends only on the data,
        this budget and the seed: the same inputs give the same route on a quiet or a busy
        machine.
    """

    start: str | dt.time = "16:00"
    end: str | dt.time = "20:00"
    service_min: float = 10.0
    speed_kmh: float = 4.5
    weight_never: float = 10.0
    weight_not_home: float = 6.0
    weight_refused: float = 0.0
    weight_rental: float = 3.0
    weight_lodgers: float = 2.0
    max_per_stop: int = 1
    margin_m: float = 300.0
    max_snap_m: float = 150.0
    time_limit_s: float = 10.0
    seed: int = 0
    max_iters: int | None = 5000

    def __post_init__(self) -> None:
        start = _parse_clock(self.start, "start")
        end = _parse_clock(self.end, "end")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        problems = []
        if end <= start:
            problems.append(f"the evening must end after it starts, got {start:%H:%M}-{end:%H:%M}")
        for name in _POSITIVE:
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                problems.append(f"{name} must be a positive number, got {value!r}")
        for name in _NON_NEGATIVE:
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                problems.append(f"{name} must be a number >= 0, got {value!r}")
        if int(self.max_per_stop) < 1:
            problems.append(f"max_per_stop must be at least 1, got {self.max_per_stop!r}")
        if self.max_iters is not None and int(self.max_iters) < 0:
            problems.append(f"max_iters must be a number >= 0 or None, got {self.max_iters!r}")
        if problems:
            raise InputError("; ".join(problems))

    @classmethod
    def default(cls, name: str) -> Any:
        """The default value of setting ``name`` (for forms that show it)."""
        for f in fields(cls):
            if f.name == name:
                return f.default
        known = ", ".join(f.name for f in fields(cls))
        raise KeyError(f"no evening setting {name!r}; known: {known}")

    @property
    def window_s(self) -> float:
        """Length of the evening window in seconds."""
        s, e = self.start, self.end
        return float((e.hour * 60 + e.minute - s.hour * 60 - s.minute) * 60)  # type: ignore[union-attr]

    @property
    def service_s(self) -> float:
        """Service time per household in seconds."""
        return float(self.service_min) * 60.0

    @property
    def speed_ms(self) -> float:
        """Walking speed in metres per second."""
        return float(self.speed_kmh) / 3.6

    def with_(self, **changes: Any) -> EveningSettings:
        """A copy with some settings changed."""
        return replace(self, **changes)
