"""The solve queue: one background thread per job, at most N solving at once.

How a job runs
--------------
``POST /scenarios/{id}/solve`` stores a ``queued`` job row and calls :meth:`JobManager.submit`,
which starts a daemon thread for it. The thread waits for one of the
``max_concurrent_solves`` slots (a fair semaphore: lower job ids first, so the queue is
first-in first-out), then claims the job (``queued`` -> ``running`` with a conditional
UPDATE, so a job is never run twice and a cancel in between wins), and runs
:func:`planner.solve.solve_watched`: the solver works in a separate process with a
watchdog, the API process stays responsive. Progress events (phase, incumbent, bound,
seconds) are written to the job row as they arrive. The finished plan, the baseline plans
of the same solve (status quo, greedy: stored as further plans of the job, so the plan's
charts, map and summary compare with exactly the status quo its KPIs name) and the job's
``done`` status are committed in one transaction.

Cancelling
----------
A queued job is cancelled at once (conditional UPDATE). A running job gets
``cancel_requested``; the ``cancel`` callable given to ``solve_watched`` sees it (in memory
at once, from the database within a second, so a cancel through another API process
works too), the solver process is killed and the job ends ``cancelled``.

Restarts
--------
Everything lives in the database. When the server stops gracefully, running solves are
stopped and their jobs put back to ``queued``. When it dies (crash, kill -9), jobs stay
``running``. At startup :meth:`JobManager.start` puts every ``running`` job back to
``queued`` (or ``cancelled`` when a cancel had been asked) and starts all queued jobs
again, oldest first; they are solved from scratch (``attempts`` counts the runs). Plans
of finished jobs were committed with the job's status, so no result is lost. One API
process per database is assumed (a second process would resume the first one's jobs).
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
import sqlalchemy.exc

from api import artifacts, crud
from api.core.config import Settings
from api.core.db import Database
from api.errors import Conflict
from api.models import JobRow, utcnow
from planner.plan.model import Progress
from planner.plan.result import Result
from planner.scenario import Scenario

log = logging.getLogger("stageplanner.api.jobs")

RESUMED_NOTE = "the server stopped while this job was {was}; it was queued again and solved from scratch"


class FairSlots:
    """A counting semaphore that hands free slots to the waiting key that sorts first."""

    def __init__(self, slots: int):
        self._free = slots
        self._waiting: list[int] = []
        self._cond = threading.Condition()

    def acquire(self, key: int, abort: Callable[[], bool]) -> bool:
        """Wait for a slot; False (without a slot) when ``abort()`` becomes true first."""
        with self._cond:
            heapq.heappush(self._waiting, key)
            try:
                while True:
                    if abort():
                        return False
                    if self._free > 0 and self._waiting[0] == key:
                        heapq.heappop(self._waiting)
                        self._free -= 1
                        return True
                    self._cond.wait(0.5)
            finally:
                if key in self._waiting:
                    self._waiting.remove(key)
                    heapq.heapify(self._waiting)
                self._cond.notify_all()

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            self._free += 1
            self._cond.notify_all()

    def wake(self) -> None:
        """Let waiters re-check their abort condition now."""
        with self._cond:
            self._cond.notify_all()


class JobManager:
    """Runs solve jobs stored in the database in background threads."""

    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.settings = settings
        self._slots = FairSlots(settings.max_concurrent_solves)
        self._stopping = threading.Event()
        self._cancel: dict[int, threading.Event] = {}
        self._threads: dict[int, threading.Thread] = {}
        self._lock = threading.Lock()

    # -------------------------------------------------------------- lifecycle

    def start(self) -> list[int]:
        """Resume jobs a previous server left queued or running; returns their ids."""
        now = utcnow()
        with self.db.session() as session:
            session.execute(sa.update(JobRow).where(JobRow.status.in_(("queued", "running")),
                                                    JobRow.cancel_requested.is_(True))
                            .values(status="cancelled", finished_at=now, updated_at=now,
                                    note="cancelled while the server was stopped"))
            session.execute(sa.update(JobRow).where(JobRow.status == "running")
                            .values(status="queued", phase=None, incumbent=None, bound=None, solver_seconds=None,
                                    started_at=None, updated_at=now, note=RESUMED_NOTE.format(was="running")))
            queued = list(session.scalars(sa.select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.id)))
        for job_id in queued:
            self.submit(job_id)
        if queued:
            log.info("resuming %d job(s) left by a previous server: %s", len(queued), queued)
        return queued

    def shutdown(self, timeout: float = 15.0) -> None:
        """Stop running solves (their jobs go back to queued) and wait for the threads."""
        self._stopping.set()
        self._slots.wake()
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(max(0.1, deadline - time.monotonic()))

    # -------------------------------------------------------------- requests

    def submit(self, job_id: int) -> None:
        """Start the thread of a queued job."""
        if self._stopping.is_set():
            return
        with self._lock:
            if job_id in self._threads and self._threads[job_id].is_alive():
                return
            self._cancel[job_id] = threading.Event()
            thread = threading.Thread(target=self._run, args=(job_id,), name=f"solve-job-{job_id}", daemon=True)
            self._threads[job_id] = thread
        thread.start()

    def cancel(self, job_id: int) -> JobRow:
        """Cancel a job: queued ones at once, running ones as soon as the solver is stopped."""
        now = utcnow()
        with self.db.session() as session:
            job = crud.get_job(session, job_id)
            if job.status in ("done", "failed"):
                raise Conflict(f"job {job_id} is already {job.status}; only queued or running jobs can be cancelled")
            if job.status == "queued":
                session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "queued")
                                .values(status="cancelled", cancel_requested=True, finished_at=now, updated_at=now))
            elif job.status == "running":
                session.execute(sa.update(JobRow).where(JobRow.id == job_id)
                                .values(cancel_requested=True, updated_at=now))
        event = self._cancel.get(job_id)
        if event is not None:
            event.set()
        self._slots.wake()
        with self.db.session() as session:
            return crud.get_job(session, job_id)

    def active(self) -> int:
        """Number of job threads alive (queued or running here)."""
        with self._lock:
            return sum(1 for t in self._threads.values() if t.is_alive())

    # -------------------------------------------------------------- the job thread

    def _run(self, job_id: int) -> None:
        cancel_event = self._cancel[job_id]
        try:
            if not self._slots.acquire(job_id, lambda: self._stopping.is_set() or cancel_event.is_set()):
                return
            try:
                self._solve(job_id, cancel_event)
            finally:
                self._slots.release()
        except Exception:  # never let a thread die silently: the job must end in a state
            log.exception("job %s failed unexpectedly", job_id)
            self._finish(job_id, "failed", error="internal error while running the job; see the server log")
        finally:
            with self._lock:
                self._threads.pop(job_id, None)
                self._cancel.pop(job_id, None)

    def _claim(self, job_id: int) -> tuple[Scenario, object, JobRow] | None:
        now = utcnow()
        with self.db.session() as session:
            claimed = session.execute(
                sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "queued")
                .values(status="running", started_at=now, updated_at=now, attempts=JobRow.attempts + 1,
                        phase="starting", incumbent=None, bound=None, solver_seconds=None)
            ).rowcount
            if not claimed:
                return None
            job = crud.get_job(session, job_id)
            version = crud.version_for(session, job.scenario_id, job.scenario_version)
            if version is None:
                job.status, job.error, job.finished_at = "failed", "the scenario version no longer exists", now
                return None
            scenario = Scenario.model_validate(crud.version_document(version))
            base_dir = artifacts.scenario_dir(self.settings, version)
            session.expunge(job)
        return scenario, base_dir, job

    def _solve(self, job_id: int, cancel_event: threading.Event) -> None:
        from planner.solve import SolveError, SolveParams, solve_watched  # the solver stack loads lazily

        claimed = self._claim(job_id)
        if claimed is None:
            return
        scenario, base_dir, job = claimed
        checked = [0.0]

        def should_stop() -> bool:
            if self._stopping.is_set() or cancel_event.is_set():
                return True
            if time.monotonic() - checked[0] > 1.0:  # a cancel through another API process
                checked[0] = time.monotonic()
                try:
                    with self.db.session() as session:
                        if session.scalar(sa.select(JobRow.cancel_requested).where(JobRow.id == job_id)):
                            cancel_event.set()
                            return True
                except sa.exc.SQLAlchemyError:  # the database is briefly unavailable: keep solving
                    log.warning("job %s: could not check for a cancel request", job_id, exc_info=True)
            return False

        def progress(event: Progress) -> None:
            try:  # progress is best effort: a database hiccup must not cost the solve
                with self.db.session() as session:
                    session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "running").values(
                        phase=event.phase[:50], incumbent=event.incumbent, bound=event.bound,
                        solver_seconds=event.seconds, updated_at=utcnow()))
            except sa.exc.SQLAlchemyError:
                log.warning("job %s: progress not recorded", job_id, exc_info=True)

        log.info("job %s: solving scenario %s v%s (%s, %gs)", job_id, job.scenario_id, job.scenario_version,
                 job.mode, job.time_limit)
        try:
            result = solve_watched(scenario, SolveParams(mode=job.mode, time_limit=job.time_limit, seed=job.seed),
                                   progress=progress, base_dir=base_dir, cancel=should_stop)
        except SolveError as err:
            if self._stopping.is_set() and not cancel_event.is_set():
                self._requeue(job_id)
            elif cancel_event.is_set():
                self._finish(job_id, "cancelled", note="cancelled while running")
            else:
                self._finish(job_id, "failed", error=str(err))
            return
        except Exception as err:  # a bug or resource problem in the solver stack
            log.exception("job %s: solve failed", job_id)
            self._finish(job_id, "failed", error=f"{type(err).__name__}: {err}")
            return
        self._store_result(job_id, result)

    def _store_result(self, job_id: int, result: Result) -> None:
        plan = result.plan
        now = utcnow()
        with self.db.session() as session:
            job = session.scalar(sa.select(JobRow).where(JobRow.id == job_id).with_for_update())
            if job is None or job.status != "running":
                log.warning("job %s finished but is %s; plan not stored", job_id, job.status if job else "gone")
                return
            row = crud.save_plan(session, job, plan)
            for baseline in result.baselines.values():
                crud.save_plan(session, job, baseline)
            job.status, job.plan_id, job.finished_at, job.updated_at = "done", row.id, now, now
            job.phase = "done"
            job.incumbent = plan.kpis.objective
            job.bound = plan.kpis.bound
            job.solver_seconds = plan.solver.wall_seconds
        log.info("job %s done: plan %s, %d unplaced", job_id, row.id, plan.kpis.unplaced)

    def _finish(self, job_id: int, status: str, error: str | None = None, note: str | None = None) -> None:
        now = utcnow()
        values: dict[str, object] = {"status": status, "finished_at": now, "updated_at": now}
        if error is not None:  # storable in any database: no NUL, no lone surrogates
            values["error"] = error[:10000].encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\0")
        if note is not None:
            values["note"] = note
        with self.db.session() as session:
            session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(("queued", "running")))
                            .values(**values))

    def _requeue(self, job_id: int) -> None:
        with self.db.session() as session:
            session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "running").values(
                status="queued", started_at=None, phase=None, incumbent=None, bound=None, solver_seconds=None,
                updated_at=utcnow(), note=RESUMED_NOTE.format(was="running")))
