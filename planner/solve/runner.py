"""Solving in a watched worker process, so a stuck, cancelled or interrupted solve never hangs its caller.

:func:`solve_watched` runs :func:`planner.solve.pipeline.solve` in a new process with a
wall-clock watchdog; :func:`solve_interruptibly` adds clean stopping on Ctrl-C and SIGTERM
for a program's main thread (the command line).
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import os
import queue as queue_module
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any

from planner.i18n import _, current_language, set_language
from planner.plan.model import Progress
from planner.plan.result import Result
from planner.scenario import Scenario
from planner.solve.assemble import SolveError
from planner.solve.clock import ProgressCallback
from planner.solve.interrupt import STOP_SIGNALS, in_main_thread, stopped_by
from planner.solve.params import SolveParams
from planner.solve.pipeline import solve

# The greedy fallback needs no solver; this is its margin for compiling a large scenario.
FALLBACK_SECONDS = 60.0


def _exit_with_parent(parent: int) -> None:
    """Stop this solver process when the process that started it is gone."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(3)


def _worker(payload: dict, events: mp.Queue) -> None:
    threading.Thread(target=_exit_with_parent, args=(payload["parent"],), daemon=True).start()
    set_language(payload["language"])  # the solver's notes in the caller's language
    try:
        scenario = Scenario.model_validate(payload["scenario"])
        result = solve(scenario, SolveParams(**payload["params"]),
                       progress=lambda p: events.put(("progress", p.model_dump())),
                       base_dir=Path(payload["base_dir"]) if payload["base_dir"] else None)
        events.put(("result", result.model_dump_json()))
    except Exception as err:  # reported to the parent, which raises SolveError
        events.put(("error", f"{type(err).__name__}: {err}"))


def _run_in_process(scenario: Scenario, params: SolveParams, base_dir: Path | None, seconds: float,
                    progress: ProgressCallback | None, cancel: Callable[[], bool] | None) -> Result | None:
    """Solve in a new process; None when it has not finished after ``seconds`` (the process is then killed)."""
    context = mp.get_context("spawn")
    events: mp.Queue = context.Queue()
    payload = {"scenario": scenario.model_dump(mode="json"), "params": dataclasses.asdict(params),
               "parent": os.getpid(), "base_dir": str(base_dir) if base_dir else None,
               "language": current_language()}
    process = context.Process(target=_worker, args=(payload, events), daemon=True)
    deadline = time.monotonic() + seconds
    try:
        process.start()
        while True:
            if cancel is not None and cancel():
                raise SolveError("the solve was cancelled")
            try:
                kind, body = events.get(timeout=0.2)
            except queue_module.Empty:
                if time.monotonic() > deadline:
                    return None
                if not process.is_alive() and events.empty():
                    raise SolveError(f"the solver process stopped unexpectedly (exit code {process.exitcode})") from None
                continue
            if kind == "progress" and progress is not None:
                progress(Progress.model_validate(body))
            elif kind == "result":
                return Result.model_validate_json(body)
            elif kind == "error":
                raise SolveError(body)
    finally:
        if process.pid is not None:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)


def solve_watched(
    scenario: Scenario,
    params: SolveParams | None = None,
    progress: ProgressCallback | None = None,
    base_dir: Path | None = None,
    grace: float = 30.0,
    cancel: Callable[[], bool] | None = None,
) -> Result:
    """Solve in a separate process with a wall-clock watchdog.

    A solver that overruns its whole budget (:meth:`SolveParams.total_seconds`) plus
    ``grace`` seconds is killed and the greedy plan is returned instead (solved in a new
    process, with an explanation), so a stuck solve never hangs the caller. ``cancel`` is
    polled; when it returns True the worker is stopped and SolveError raised.
    """
    params = params or SolveParams()
    result = _run_in_process(scenario, params, base_dir, params.total_seconds() + grace, progress, cancel)
    if result is not None:
        return result
    return _watchdog_fallback(scenario, params, base_dir, grace, cancel)


def _watchdog_fallback(scenario: Scenario, params: SolveParams, base_dir: Path | None, grace: float,
                       cancel: Callable[[], bool] | None) -> Result:
    greedy = SolveParams(mode="greedy", time_limit=params.time_limit, seed=params.seed, baselines=False)
    result = _run_in_process(scenario, greedy, base_dir, params.time_limit + max(grace, 0.0) + FALLBACK_SECONDS,
                             None, cancel)
    if result is None:
        raise SolveError(f"the solver did not finish within its time limit ({params.time_limit:g} s), "
                         "nor did the first-come-first-served fallback")
    plan = result.plan
    plan.solver.explanation.append(
        _("the solver did not finish within its time limit ({seconds} s) and was stopped; this is the "
          "first-come-first-served plan").format(seconds=f"{params.time_limit:g}")
    )
    plan.solver.status = "watchdog"
    return result


def solve_interruptibly(scenario: Scenario, params: SolveParams, progress: ProgressCallback,
                        base_dir: Path | None = None, debug: bool = False) -> Result:
    """Run :func:`~planner.solve.runner.solve_watched` so that Ctrl-C and SIGTERM stop it cleanly.

    * While the solve runs, SIGINT and SIGTERM only set a flag that ``cancel`` reports, so
      ``solve_watched`` stops and kills its solver process itself; no exception can fly
      out of the middle of starting that process (which would leave it orphaned).
    * The solver process is started with both signals blocked in this thread, a mask it
      inherits: a terminal's Ctrl-C goes to the whole process group, and the solver must not
      die with a traceback of its own. This thread unblocks them as soon as the child exists
      (``solve_watched`` polls ``cancel`` right after starting it).
    * The solver process's standard output (solver engines print banners there) goes to
      /dev/null, or to stderr with ``debug``: this program's stdout stays clean, e.g.
      for ``--json``. It is set the same way, through what the child inherits at start.

    Raises KeyboardInterrupt (SIGINT) or :class:`Terminated` (SIGTERM) when stopped.
    """
    stop: list[int] = []
    previous: dict[int, Any] = {}
    masked = False
    saved_stdout: int | None = None

    def on_signal(signum: int, frame: object) -> None:
        stop.append(signum)

    def unmask() -> None:
        """The solver process exists: undo what only it was meant to inherit."""
        nonlocal masked, saved_stdout
        if saved_stdout is not None:
            os.dup2(saved_stdout, 1)
            os.close(saved_stdout)
            saved_stdout = None
        if masked:
            masked = False
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def cancel() -> bool:
        unmask()
        return bool(stop)

    def on_event(event: Any) -> None:
        unmask()  # in case a future solve_watched reports progress before it polls cancel
        progress(event)

    if in_main_thread():
        # Starting multiprocessing's resource tracker unblocks SIGINT and SIGTERM in this
        # thread; start it now, before the mask is set.
        resource_tracker.ensure_running()
        previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
            masked = True
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            target = os.dup(2) if debug else os.open(os.devnull, os.O_WRONLY)
            saved_stdout = os.dup(1)
            os.dup2(target, 1)
            os.close(target)
    try:
        result = solve_watched(scenario, params, progress=on_event, base_dir=base_dir, cancel=cancel)
    except SolveError:
        if stop:
            raise stopped_by(stop[0]) from None
        raise
    finally:
        unmask()  # a signal held back by the mask arrives now, at on_signal
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
    if stop:
        raise stopped_by(stop[0])
    return result
