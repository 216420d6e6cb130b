"""Progress of long work: named steps, a share done and an estimate of the time left.

A long ``geo`` function (an import, the demo city, a campaign plan, a camera plan, a station's
sheets) takes a keyword-only ``progress=`` callback and reports through a :class:`Tracker`;
whoever calls it supplies the renderer: :func:`terminal_renderer` in the command line (a bar
on a terminal, plain lines otherwise), ``st.status`` / ``st.progress`` in the pages. ``geo``
never draws anything itself, and ``progress=None`` costs nothing.

Examples
--------
>>> seen = []
>>> track = Tracker(seen.append, [("读取", "read"), ("写入", "write")])
>>> track.start(0)
>>> track.start(1, total=4)
>>> track.update(2)
>>> track.finish()
>>> [(u.index, u.steps, u.label[1], round(u.fraction, 2)) for u in seen]
[(1, 2, 'read', 0.0), (2, 2, 'write', 0.5), (2, 2, 'write', 0.75), (2, 2, 'write', 1.0)]
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from geo._errors import InputError
from geo.i18n import tr

__all__ = [
    "ProgressCallback",
    "Tracker",
    "Update",
    "eta_text",
    "terminal_renderer",
]


@dataclass(frozen=True)
class Update:
    """One report of long work.

    Attributes
    ----------
    index : int
        The step under way, from 1.
    steps : int
        How many steps the work has.
    label : tuple of str
        The step's name as (Chinese, English).
    done : int
        Units done inside the step (rows, beats, sheets), 0 when the step counts none.
    total : int or None
        Units the step has, None when it counts none.
    fraction : float
        Share of the whole work done, 0 to 1 (steps weighted as the tracker was told).
    elapsed : float
        Seconds since the work started.
    eta : float or None
        Estimated seconds left, None until enough is done to tell.
    """

    index: int
    steps: int
    label: tuple[str, str]
    done: int
    total: int | None
    fraction: float
    elapsed: float
    eta: float | None

    def text(self, lang: str = "zh") -> str:
        """The update as one line, e.g. ``步骤 2/4：写入（120/300）· 约剩 12 秒``."""
        name = tr(*self.label, lang)
        count = f"{self.done:,}/{self.total:,}" if self.total else ""
        head = tr(
            f"步骤 {self.index}/{self.steps}：{name}" + (f"（{count}）" if count else ""),
            f"step {self.index}/{self.steps}: {name}" + (f" ({count})" if count else ""),
            lang,
        )
        left = eta_text(self.eta, lang) if self.fraction < 1.0 else ""
        return f"{head} · {left}" if left else head


#: what a long ``geo`` function calls with each :class:`Update`
ProgressCallback = Callable[[Update], None]


def eta_text(seconds: float | None, lang: str = "zh") -> str:
    """An estimate of time left as words (``约剩 12 秒`` / ``about 12 s left``), "" if unknown."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    s = max(0, round(seconds))
    if s < 60:
        return tr(f"约剩 {s} 秒", f"about {s} s left", lang)
    m = round(s / 60)
    return tr(f"约剩 {m} 分钟", f"about {m} min left", lang)


class Tracker:
    """Reports the steps of one piece of work to a :data:`ProgressCallback`.

    Parameters
    ----------
    progress : callable or None
        Receives each :class:`Update`; None makes every call a no-op.
    labels : sequence of (str, str)
        The steps' names as (Chinese, English), in order.
    weights : sequence of float, optional
        Relative length of each step for the share done and the estimate; equal by default.
    clock : callable, optional
        Seconds as a float (``time.monotonic`` by default; tests pass their own).

    Raises
    ------
    InputError
        No steps, or weights that do not match the steps or are not positive.
    """

    def __init__(
        self,
        progress: ProgressCallback | None,
        labels: Sequence[tuple[str, str]],
        *,
        weights: Sequence[float] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not labels:
            raise InputError("progress: give at least one step")
        weights = [1.0] * len(labels) if weights is None else [float(w) for w in weights]
        if len(weights) != len(labels) or min(weights) <= 0:
            raise InputError(
                f"progress: {len(labels)} steps need as many positive weights, got {weights}"
            )
        self.progress = progress
        self.labels = [tuple(x) for x in labels]
        total = sum(weights)
        self._share = [w / total for w in weights]
        self._before = [sum(self._share[:i]) for i in range(len(weights))]
        self._clock = clock
        self._t0 = clock()
        self._step = 0
        self._total: int | None = None

    def start(self, step: int, *, total: int | None = None) -> None:
        """Begin step ``step`` (from 0), optionally with ``total`` units to count through."""
        if not 0 <= step < len(self.labels):
            raise InputError(f"progress: step {step} outside 0..{len(self.labels) - 1}")
        self._step, self._total = step, total
        self._emit(0)

    def update(self, done: int, total: int | None = None) -> None:
        """``done`` units of the current step are done (``total`` overrides the step's count)."""
        if total is not None:
            self._total = total
        self._emit(done)

    def finish(self) -> None:
        """The work is done: one last update at 100 %."""
        self._step = len(self.labels) - 1
        self._emit(self._total or 0, fraction=1.0)

    def _emit(self, done: int, *, fraction: float | None = None) -> None:
        if self.progress is None:
            return
        total = self._total
        if fraction is None:
            inside = min(1.0, done / total) if total else 0.0
            fraction = self._before[self._step] + self._share[self._step] * inside
        elapsed = max(0.0, self._clock() - self._t0)
        eta = None
        if fraction >= 1.0:
            eta = 0.0
        elif fraction >= 0.05 and elapsed > 0:
            eta = elapsed / fraction * (1.0 - fraction)
        self.progress(
            Update(
                index=self._step + 1,
                steps=len(self.labels),
                label=self.labels[self._step],  # type: ignore[arg-type]
                done=int(done),
                total=total,
                fraction=float(fraction),
                elapsed=elapsed,
                eta=eta,
            )
        )


def tracker(
    progress: ProgressCallback | None,
    labels: Sequence[tuple[str, str]],
    *,
    weights: Sequence[float] | None = None,
) -> Tracker:
    """A :class:`Tracker` for ``progress`` (a no-op one when ``progress`` is None)."""
    return Tracker(progress, labels, weights=weights)


def terminal_renderer(
    stream: TextIO | None = None, *, lang: str = "zh", width: int = 24
) -> ProgressCallback:
    """A renderer for the command line.

    On a terminal it redraws one line with a bar (``[#####-----]  45% 步骤 2/4：...``); when
    the output is not a terminal (a pipe, a log file, cron) it writes plain lines instead: one
    when a step begins, one each time another tenth of the work is done, and one at the end.

    Parameters
    ----------
    stream : text stream, optional
        Where to write; standard error by default, so that standard output stays data.
    lang : {"zh", "en"}
        Language of the lines.
    width : int
        Characters of the bar.
    """
    out = stream if stream is not None else sys.stderr
    tty = bool(getattr(out, "isatty", lambda: False)())
    state = {"step": 0, "tenth": -1, "last": "", "ended": False}

    def render(u: Update) -> None:
        if state["ended"]:
            if u.fraction >= 1.0:
                return  # the end was drawn already
            state.update(step=0, tenth=-1, last="", ended=False)  # another piece of work
        state["ended"] = u.fraction >= 1.0
        pct = int(u.fraction * 100)
        if tty:
            filled = int(round(u.fraction * width))
            line = f"[{'#' * filled}{'-' * (width - filled)}] {pct:3d}% {u.text(lang)}"
            pad = " " * max(0, len(state["last"]) - len(line))
            out.write("\r" + line + pad)
            state["last"] = line
            if u.fraction >= 1.0:
                out.write("\n")
            out.flush()
            return
        tenth = int(u.fraction * 10)
        if u.index != state["step"] or tenth > state["tenth"] or u.fraction >= 1.0:
            line = f"{pct:3d}% {u.text(lang)}"
            if line != state["last"]:
                out.write(line + "\n")
                out.flush()
                state["last"] = line
            state["step"], state["tenth"] = u.index, tenth

    return render
