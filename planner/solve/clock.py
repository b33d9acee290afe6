"""The time budget of one solve, shared by its phases in sequence, and its progress events."""

from __future__ import annotations

import time
from collections.abc import Callable

from planner.plan.model import Progress
from planner.solve.params import WorkBudget

ProgressCallback = Callable[[Progress], None]


class Clock:
    """Seconds used and left of a time limit; records a :class:`~planner.plan.model.Progress` event per phase.

    With a :class:`~planner.solve.params.WorkBudget` (``work``) the phases are bounded by counts
    and the time limit is a safety net: :meth:`safety_hit` says whether it stopped the solve.
    """

    #: Seconds before the limit at which a budgeted solve counts as stopped by the safety net.
    SAFETY_MARGIN = 0.5

    def __init__(self, time_limit: float, callback: ProgressCallback | None, work: WorkBudget | None = None):
        self.start = time.perf_counter()
        self.time_limit = time_limit
        self.callback = callback
        self.work = work
        self.progress: list[Progress] = []

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return time.perf_counter() - self.start

    def remaining(self) -> float:
        """Seconds left of the time limit (never negative)."""
        return max(0.0, self.time_limit - self.elapsed())

    def report(self, phase: str, incumbent: float | None, bound: float | None) -> None:
        """Record the best plan and bound after ``phase`` and pass the event on."""
        event = Progress(seconds=round(self.elapsed(), 3), phase=phase, incumbent=incumbent, bound=bound)
        self.progress.append(event)
        if self.callback is not None:
            self.callback(event)

    def limited(self, seconds: float) -> Clock:
        """A clock for one stretch of this solve: ``seconds`` from now, same start and progress record."""
        part = Clock(self.elapsed() + max(0.0, seconds), self.callback, self.work)
        part.start, part.progress = self.start, self.progress
        return part

    def safety_hit(self) -> bool:
        """With a work budget: whether the time limit (the safety net) was reached before the budget was spent."""
        return self.work is not None and self.remaining() <= self.SAFETY_MARGIN
