"""Ctrl-C and SIGTERM around solving and writing: the one place that handles these signals.

* :func:`sigterm_raises` turns SIGTERM into :class:`Terminated`, so clean-up code runs;
* :func:`signals_held` holds both signals back during a short critical step (moving a
  finished set of files into place).

:func:`planner.solve.runner.solve_interruptibly` uses these to stop a solver process cleanly.
This module imports no solver, so the command line loads it at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import NoReturn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(BaseException):
    """SIGTERM arrived (raised from the signal handler so that clean-up code runs)."""


def in_main_thread() -> bool:
    """Whether this is the main thread (the only one Python runs signal handlers in)."""
    return threading.current_thread() is threading.main_thread()


def stopped_by(signum: int) -> BaseException:
    """The exception that stands for a stop signal."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated()


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` so the solver process is stopped and temp files removed."""
    if not in_main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> NoReturn:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM while a short critical step runs; act on them afterwards.

    Python runs signal handlers in the main thread only, so the handlers are swapped for
    ones that just remember the signal (blocking the signal with ``pthread_sigmask`` is not
    enough: the kernel may deliver it to another thread, e.g. one of numpy's). Outside the
    main thread no Python handler can interrupt the step, and nothing needs doing.
    """
    if not in_main_thread():
        yield
        return
    received: list[int] = []

    def remember(signum: int, frame: object) -> None:
        received.append(signum)

    previous = {signum: signal.signal(signum, remember) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if received:
            signum = received[0]
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler in (signal.SIG_DFL, None):
                signal.raise_signal(signum)
