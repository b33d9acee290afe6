"""The time budget of one solve, shared by its phases in sequence, and its progress events."""

from __future__ import annotations

import time
from collections.abc import Callable

from planner.plan.model import Progress

ProgressCallback = Callable[[Progress], None]


class Clock:
    """Seconds used and left of a time limit; records a :class:`~planner.plan.model.Progress` event per phase."""

    def __init__(self, time_limit: float, callback: ProgressCallback | None):
        self.start = time.perf_counter()
        self.time_limit = time_limit
        self.callback = callback
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
        part = Clock(self.elapsed() + max(0.0, seconds), self.callback)
        part.start, part.progress = self.start, self.progress
        return part
