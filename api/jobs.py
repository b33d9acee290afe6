"""The solve queue: a bounded, fair queue in the database, served by a few runner threads per server.

How a job runs
--------------
Every solve goes through the queue: a plan (``POST /scenarios/{id}/solve``), a sweep of variants,
the marginal value of one more place and the trade-off curve of a plan (``kind`` solve, sweep, marginal,
tradeoff). The route (through
:mod:`api.services.jobs`) first asks :meth:`JobManager.admit` whether the job's **share** of the
queue has room: each region has its own share, and the cross-region work of analysts and admins
one of its own (:data:`CROSS_REGION_SHARE`); at most ``max_queued_jobs_per_region`` queued jobs
per share and ``max_queued_jobs`` in all (otherwise 429 with ``Retry-After``, naming the share).
It stores a ``queued`` job row and wakes the runners (:meth:`JobManager.submit`).
Each server runs ``max_concurrent_solves`` runner threads. A free runner takes the shares in
turn (:func:`api.crud.next_in_turn`: the oldest job of the share whose last job started longest
ago), so one region's many jobs never hold up another region's, and claims the job atomically
(a conditional ``UPDATE ... WHERE status = 'queued'`` whose row count says who won), so a job is
never run twice, by this server or another one on the same database. A solve job
then calls :func:`planner.solve.solve_watched`: the solver, and its first-come-first-served
fallback when the solver overruns, work in separate processes with a watchdog; the API
process only waits. Progress events are written to the job row as they arrive. The plan,
the baseline plans of the same solve and the ``done`` status are committed together.

Several servers on one database
-------------------------------
A running job carries a **lease**: the id of the server process running it
(:attr:`JobManager.owner`) and when the lease ends (``job_lease_seconds``). A heartbeat thread
renews the leases of the jobs this server runs. Every server regularly looks for running
jobs whose lease ran out (their server died) and queues them again, once: a lease that runs
out a second time (``max_lease_requeues``) fails the job. A job another live server holds is
never touched, and a job that is ``done`` never changes again: a finished plan is stored if
the job is still queued or running, whoever holds it, so no finished result is thrown away.

Cancelling
----------
A queued job is cancelled at once (conditional UPDATE). A running job gets
``cancel_requested``; the ``cancel`` callable given to ``solve_watched`` sees it (in memory
at once, from the database within a second, so a cancel through another server works too),
whatever phase the solve is in (solver or fallback); the worker process is killed and the
job ends ``cancelled``.

Restarts
--------
When a server stops gracefully its running jobs go back to ``queued`` (not counted as an
expired lease). When it dies (crash, kill -9) its leases run out and the jobs are queued
again by whichever server looks first, this one after a restart included.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import socket
import threading
import time
import uuid

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.orm import Session

from api import artifacts, crud
from api.core.config import Settings
from api.core.db import Database
from api.errors import Conflict, QueueFull
from api.models import JobRow, PlanRow, utcnow
from planner.i18n import N_, _
from planner.plan.model import Progress
from planner.plan.result import Result
from planner.scenario import Scenario

log = logging.getLogger("stageplanner.api.jobs")

#: The share of the queue of analysts' and admins' work, which is not one region's (a region's name is never empty).
CROSS_REGION_SHARE = ""

# Notes and errors a runner thread stores with a job are in the default language (Dutch): a
# runner has no request, and jobs write no reports (those are made per request, in its language).
RESUMED_NOTE = N_("the server stopped while this job was {was}; it was queued again and solved from scratch")
LEASE_LOST_ERROR = N_("the server running this job stopped {times} times (its lease ran out); it is not run again "
                      "automatically: start a new solve")
#: Seconds between a runner's looks at the queue when nobody wakes it.
IDLE_POLL_SECONDS = 1.0
#: Seconds between two checks of a running job's row (cancel through another server, lost lease).
ROW_CHECK_SECONDS = 1.0


def server_id() -> str:
    """A name for this server process that no other process on any host shares."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobManager:
    """Runs the solve jobs stored in the database: runner threads, a heartbeat, lease recovery."""

    def __init__(self, db: Database, settings: Settings, owner: str | None = None):
        self.db = db
        self.settings = settings
        self.owner = owner or server_id()
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        self._cancel: dict[int, threading.Event] = {}  # jobs running here -> their cancel event
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._last_reap = 0.0

    @property
    def lease(self) -> dt.timedelta:
        """How long a claim on a job lasts without a heartbeat."""
        return dt.timedelta(seconds=self.settings.job_lease_seconds)

    # -------------------------------------------------------------- lifecycle

    def start(self) -> list[int]:
        """Queue again the jobs of servers that died, start the runners; returns the queued job ids."""
        self.reap_expired()
        with self.db.session() as session:
            queued = list(session.scalars(sa.select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.id)))
        for index in range(self.settings.max_concurrent_solves):
            self._spawn(self._runner, f"solve-runner-{index}")
        self._spawn(self._heartbeat, "job-heartbeat")
        if queued:
            log.info("%d job(s) waiting in the queue: %s", len(queued), queued)
        return queued

    def _spawn(self, target: object, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def shutdown(self, timeout: float = 15.0) -> None:
        """Stop running solves (their jobs go back to queued) and wait for the threads."""
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.1, deadline - time.monotonic()))

    # -------------------------------------------------------------- requests

    def admit(self, session: Session, share: str) -> None:
        """Raise :class:`QueueFull` when ``share`` (a region, or :data:`CROSS_REGION_SHARE`) already has
        ``max_queued_jobs_per_region`` jobs waiting, or the whole queue ``max_queued_jobs`` (all servers)."""
        waiting = crud.queued_in_share(session, share)
        limit = self.settings.max_queued_jobs_per_region
        if waiting >= limit:
            # Jobs of one share start at least every (number of shares) turns: wait for one turn of the runners.
            retry = max(1, math.ceil(self.settings.default_time_limit / self.settings.max_concurrent_solves))
            message = (_("the cross-region work of analysts and admins already has {queued} jobs waiting, its share "
                         "of the solve queue (max_queued_jobs_per_region={limit}); try again when one has started")
                       if share == CROSS_REGION_SHARE else
                       _("region {region} already has {queued} jobs waiting, its share of the solve queue "
                         "(max_queued_jobs_per_region={limit}); other regions are not held up by them: try again "
                         "when one has started"))
            raise QueueFull(message.format(region=share, queued=waiting, limit=limit), retry_after=retry)
        queued = crud.queued_total(session)
        if queued >= self.settings.max_queued_jobs:
            wait = self.settings.default_time_limit * queued / self.settings.max_concurrent_solves
            raise QueueFull(_("the solve queue is full ({queued} jobs waiting, limit max_queued_jobs={limit}); try "
                              "again later").format(queued=queued, limit=self.settings.max_queued_jobs),
                            retry_after=max(1, math.ceil(wait)))

    def submit(self, job_id: int) -> None:
        """A job was queued: wake a runner (any server's runners also find it within a second)."""
        with self._wake:
            self._wake.notify()

    def cancel(self, job_id: int) -> JobRow:
        """Cancel a job: queued ones at once, running ones as soon as the worker process is stopped."""
        now = utcnow()
        with self.db.session() as session:
            job = crud.get_job(session, job_id)
            if job.status in ("done", "failed"):
                raise Conflict(_("job {id} is already {status}; only queued or running jobs can be cancelled").format(
                    id=job_id, status=job.status))
            if job.status == "queued":
                session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "queued")
                                .values(status="cancelled", cancel_requested=True, finished_at=now, updated_at=now))
            elif job.status == "running":
                session.execute(sa.update(JobRow).where(JobRow.id == job_id)
                                .values(cancel_requested=True, updated_at=now))
        with self._lock:
            event = self._cancel.get(job_id)
        if event is not None:
            event.set()
        with self.db.session() as session:
            return crud.get_job(session, job_id)

    # -------------------------------------------------------------- leases

    def reap_expired(self) -> list[int]:
        """Running jobs whose lease ran out (their server died): queued again once, then failed.

        Returns the ids queued again. Safe to run on every server at once: each change is a
        conditional UPDATE on the expired lease it saw.
        """
        now = utcnow()
        expired = sa.and_(JobRow.status == "running",
                          sa.or_(JobRow.lease_expires_at.is_(None), JobRow.lease_expires_at < now))
        cleared = {"lease_owner": None, "lease_expires_at": None, "updated_at": now}
        with self.db.session() as session:
            session.execute(sa.update(JobRow).where(expired, JobRow.cancel_requested.is_(True)).values(
                status="cancelled", finished_at=now, note=_("cancelled while its server was stopped"), **cleared))
            session.execute(sa.update(JobRow).where(
                expired, JobRow.lease_expiries >= self.settings.max_lease_requeues).values(
                status="failed", finished_at=now, lease_expiries=JobRow.lease_expiries + 1,
                error=_(LEASE_LOST_ERROR).format(times=self.settings.max_lease_requeues + 1), **cleared))
            requeued = list(session.scalars(sa.select(JobRow.id).where(expired)))
            if requeued:
                session.execute(sa.update(JobRow).where(expired, JobRow.id.in_(requeued)).values(
                    status="queued", phase=None, incumbent=None, bound=None, solver_seconds=None, started_at=None,
                    lease_expiries=JobRow.lease_expiries + 1, note=_(RESUMED_NOTE).format(was="running"), **cleared))
        if requeued:
            log.warning("queued again %d job(s) whose server stopped: %s", len(requeued), requeued)
        self._last_reap = time.monotonic()
        return requeued

    def _heartbeat(self) -> None:
        interval = self.settings.job_lease_seconds / 3
        while not self._stopping.wait(interval):
            with self._lock:
                running = list(self._cancel)
            try:
                if running:
                    with self.db.session() as session:
                        session.execute(sa.update(JobRow).where(
                            JobRow.id.in_(running), JobRow.lease_owner == self.owner, JobRow.status == "running")
                            .values(lease_expires_at=utcnow() + self.lease))
                if time.monotonic() - self._last_reap > self.settings.job_lease_seconds / 2:
                    if self.reap_expired():
                        self.submit(0)
            except sa.exc.SQLAlchemyError:  # the database is briefly unavailable: try again next beat
                log.warning("job heartbeat failed", exc_info=True)

    # -------------------------------------------------------------- the runner threads

    def _runner(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed = self._claim_next()
            except sa.exc.SQLAlchemyError:
                log.warning("could not look at the job queue", exc_info=True)
                claimed = None
            if claimed is None:
                with self._wake:
                    self._wake.wait(IDLE_POLL_SECONDS)
                continue
            job_id = claimed[2].id
            try:
                self._solve(*claimed)
            except Exception:  # never let a runner die: the job must end in a state
                log.exception("job %s failed unexpectedly", job_id)
                self._finish(job_id, "failed", error=_("internal error while running the job; see the server log"))
            finally:
                with self._lock:
                    self._cancel.pop(job_id, None)

    def _claim_next(self) -> tuple[Scenario, object, JobRow, threading.Event] | None:
        """Claim the next queued job in turn for this server, or None when the queue is empty."""
        with self.db.session() as session:
            # Each share in turn (crud.next_in_turn); the conditional UPDATE below decides between servers.
            candidates = crud.next_in_turn(session)
            for job_id in candidates:
                now = utcnow()
                claimed = session.execute(
                    sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "queued")
                    .values(status="running", started_at=now, updated_at=now, attempts=JobRow.attempts + 1,
                            phase="starting", incumbent=None, bound=None, solver_seconds=None,
                            lease_owner=self.owner, lease_expires_at=now + self.lease)
                ).rowcount
                if claimed:
                    break
            else:
                return None
            job = crud.get_job(session, job_id)
            version = crud.version_for(session, job.scenario_id, job.scenario_version)
            if version is None:
                job.status, job.error, job.finished_at = "failed", _("the scenario version no longer exists"), now
                job.lease_owner = job.lease_expires_at = None
                return None
            event = threading.Event()
            with self._lock:
                self._cancel[job_id] = event
            scenario = Scenario.model_validate(crud.version_document(version))
            base_dir = artifacts.scenario_dir(self.settings, version)
            session.expunge(job)
        return scenario, base_dir, job, event

    def _solve(self, scenario: Scenario, base_dir: object, job: JobRow, cancel_event: threading.Event) -> None:
        if job.kind == "sweep":
            self._sweep(scenario, base_dir, job, cancel_event)
            return
        if job.kind == "marginal":
            self._marginal(scenario, base_dir, job)
            return
        if job.kind == "tradeoff":
            self._tradeoff(scenario, base_dir, job, cancel_event)
            return
        from planner.solve import SolveError, SolveParams, solve_watched  # the solver stack loads lazily

        job_id = job.id
        checked = [0.0]
        lost = threading.Event()

        def should_stop() -> bool:
            if self._stopping.is_set() or cancel_event.is_set() or lost.is_set():
                return True
            if time.monotonic() - checked[0] > ROW_CHECK_SECONDS:  # a cancel through another server; lost lease
                checked[0] = time.monotonic()
                try:
                    with self.db.session() as session:
                        row = session.execute(sa.select(JobRow.cancel_requested, JobRow.status, JobRow.lease_owner)
                                              .where(JobRow.id == job_id)).one_or_none()
                except sa.exc.SQLAlchemyError:  # the database is briefly unavailable: keep solving
                    log.warning("job %s: could not check for a cancel request", job_id, exc_info=True)
                    return False
                if row is None or row.status != "running" or row.lease_owner != self.owner:
                    lost.set()
                    return True
                if row.cancel_requested:
                    cancel_event.set()
                    return True
            return False

        def progress(event: Progress) -> None:
            try:  # progress is best effort: a database hiccup must not cost the solve
                with self.db.session() as session:
                    session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "running",
                                                            JobRow.lease_owner == self.owner).values(
                        phase=event.phase[:50], incumbent=event.incumbent, bound=event.bound,
                        solver_seconds=event.seconds, updated_at=utcnow()))
            except sa.exc.SQLAlchemyError:
                log.warning("job %s: progress not recorded", job_id, exc_info=True)

        log.info("job %s: solving scenario %s v%s (%s, %gs)", job_id, job.scenario_id, job.scenario_version,
                 job.mode, job.time_limit)
        try:
            result = solve_watched(scenario, SolveParams(mode=job.mode, time_limit=job.time_limit, seed=job.seed),
                                   progress=progress, base_dir=base_dir, cancel=should_stop)  # type: ignore[arg-type]
        except SolveError as err:
            if lost.is_set():
                log.warning("job %s: no longer held by this server; stopped", job_id)
            elif cancel_event.is_set():
                self._finish(job_id, "cancelled", note=_("cancelled while running"))
            elif self._stopping.is_set():
                self._requeue(job_id)
            else:
                self._finish(job_id, "failed", error=str(err))
            return
        except Exception as err:  # a bug or resource problem in the solver stack
            log.exception("job %s: solve failed", job_id)
            self._finish(job_id, "failed", error=f"{type(err).__name__}: {err}")
            return
        self._store_result(job_id, result)

    def _sweep(self, scenario: Scenario, base_dir: object, job: JobRow, cancel_event: threading.Event) -> None:
        """A sweep job: the base and its variants solved one after another in this runner (each with the
        job's work budget and time limit), progress (done, running, failed) on the row, the comparison stored."""
        from planner.whatif.compare import sweep_table  # the solver stack loads lazily
        from planner.whatif.sweep import InlineExecutor, SweepProgress, run_sweep, sweep_params
        from planner.whatif.variants import Variant

        job_id = job.id
        request = json.loads(job.request or "{}")
        variants = [Variant.model_validate(v) for v in request.get("variants", [])]
        params = sweep_params(job.mode, job.time_limit, job.seed, request.get("work_limit") or None)
        base_plan = None
        if request.get("base_plan_id"):  # the best plan known when the sweep was queued
            with self.db.session() as session:
                row = session.get(PlanRow, request["base_plan_id"])
                base_plan = crud.plan_of(row) if row is not None else None

        class Stopped(Exception):
            pass

        def progress(state: SweepProgress) -> None:
            if self._stopping.is_set() or cancel_event.is_set():
                raise Stopped
            with self.db.session() as session:
                row = session.execute(sa.select(JobRow.cancel_requested).where(JobRow.id == job_id)).one_or_none()
                if row is None or row.cancel_requested:
                    cancel_event.set()
                    raise Stopped
                session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "running",
                                                        JobRow.lease_owner == self.owner).values(
                    sweep_progress=json.dumps({"total": state.total, "done": state.done, "running": state.running,
                                               "failed": state.failed, "running_names": state.running_names}),
                    phase=f"{state.done}/{state.total}", updated_at=utcnow()))

        try:
            sweep = run_sweep(scenario, variants, params, InlineExecutor(), base_dir=base_dir,  # type: ignore[arg-type]
                              progress=progress, base_plan=base_plan)
        except Stopped:
            if cancel_event.is_set():
                self._finish(job_id, "cancelled", note=_("cancelled while running"))
            else:
                self._requeue(job_id)
            return
        table = {**sweep_table(sweep), "base_plan_id": request.get("base_plan_id") if base_plan is not None else None}
        now = utcnow()
        with self.db.session() as session:
            session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "running").values(
                status="done", phase="done", result=json.dumps(table), finished_at=now, updated_at=now,
                incumbent=sweep.base.plan.kpis.objective if sweep.base.plan is not None else None,
                solver_seconds=sweep.wall_seconds, lease_owner=None, lease_expires_at=None))
        log.info("sweep job %s done: %d scenarios", job_id, len(sweep.cases))

    def _marginal(self, scenario: Scenario, base_dir: object, job: JobRow) -> None:
        """A marginal-value job: where one more place helps most for a stored plan, its top spots verified
        by small exact solves in this runner; the ranking stored as the job's result."""
        from api.schemas.whatif import MarginalRequest
        from api.services.whatif import marginal_ranking  # the solver stack loads lazily

        request = json.loads(job.request or "{}")
        with self.db.session() as session:
            plan = crud.plan_of(crud.get_plan_row(session, int(request["plan_id"])))
        asked = MarginalRequest.model_validate({k: v for k, v in request.items() if k != "plan_id"})
        ranking = marginal_ranking(scenario, plan, asked, base_dir)  # type: ignore[arg-type]
        if self._store_analysis(job.id, {"plan_id": request["plan_id"], **ranking}, plan.kpis.objective):
            log.info("marginal job %s done: %d spots", job.id, len(ranking["spots"]))

    def _tradeoff(self, scenario: Scenario, base_dir: object, job: JobRow, cancel_event: threading.Event) -> None:
        """A trade-off job: the curve of a stored optimised plan from its status quo, point by point in this runner
        (each under its work budget), progress on the row; the curve and each point's placements stored."""
        from api.services.tradeoff import compute  # the solver stack loads lazily

        request = json.loads(job.request or "{}")
        with self.db.session() as session:
            plan = crud.plan_of(crud.get_plan_row(session, int(request["plan_id"])))
            base = crud.plan_of(crud.get_plan_row(session, int(request["status_quo_id"])))
        job_id = job.id

        def progress(point: object) -> None:
            with self.db.session() as session:
                session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "running",
                                                        JobRow.lease_owner == self.owner).values(
                    phase=f"k={point.max_changed}"[:50], incumbent=point.shortage, bound=point.bound,  # type: ignore[attr-defined]
                    updated_at=utcnow()))

        result = compute(scenario, base_dir, plan, base, request, job.seed, job.time_limit,  # type: ignore[arg-type]
                         progress)
        if self._store_analysis(job_id, result, result["points"][-1]["shortage"]):
            log.info("trade-off job %s done: %d points", job_id, len(result["points"]))

    def _store_analysis(self, job_id: int, result: dict, incumbent: float | None) -> bool:
        """Store an analysis job's result (marginal ranking, trade-off curve) unless it was cancelled while it
        ran (its solves are not interrupted): then it is marked cancelled. Whether the result was stored."""
        now = utcnow()
        with self.db.session() as session:
            stored = session.execute(sa.update(JobRow).where(
                JobRow.id == job_id, JobRow.status == "running", JobRow.lease_owner == self.owner,
                JobRow.cancel_requested.is_(False)).values(
                status="done", phase="done", result=json.dumps(result), finished_at=now, updated_at=now,
                incumbent=incumbent, lease_owner=None, lease_expires_at=None)).rowcount
        if not stored:
            self._finish(job_id, "cancelled", note=_("cancelled while running"))
        return bool(stored)

    def _store_result(self, job_id: int, result: Result) -> None:
        """Store a finished plan unless the job already ended (done, failed or cancelled)."""
        plan = result.plan
        now = utcnow()
        with self.db.session() as session:
            job = session.scalar(sa.select(JobRow).where(JobRow.id == job_id).with_for_update())
            if job is None or job.status not in ("queued", "running") or job.cancel_requested:
                log.warning("job %s finished but is %s; plan not stored", job_id, job.status if job else "gone")
                return
            row = crud.save_plan(session, job, plan)
            for baseline in result.baselines.values():
                crud.save_plan(session, job, baseline)
            if (stale := crud.mark_stale(session, row)) is not None:
                log.info("job %s: proposal %s is outdated by plan %s", job_id, stale.id, row.id)
            job.status, job.phase, job.plan_id, job.finished_at, job.updated_at = "done", "done", row.id, now, now
            job.incumbent, job.bound = plan.kpis.objective, plan.kpis.bound
            job.solver_seconds = plan.solver.wall_seconds
            job.lease_owner = job.lease_expires_at = None
        log.info("job %s done: plan %s, %d unplaced", job_id, row.id, plan.kpis.unplaced)

    def _finish(self, job_id: int, status: str, error: str | None = None, note: str | None = None) -> None:
        """End a job this server holds (or a queued one) with ``status``."""
        now = utcnow()
        values: dict[str, object] = {"status": status, "finished_at": now, "updated_at": now, "lease_owner": None,
                                     "lease_expires_at": None}
        if error is not None:  # storable in any database: no NUL, no lone surrogates
            values["error"] = error[:10000].encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\0")
        if note is not None:
            values["note"] = note
        held = sa.or_(JobRow.status == "queued", sa.and_(JobRow.status == "running", JobRow.lease_owner == self.owner))
        with self.db.session() as session:
            session.execute(sa.update(JobRow).where(JobRow.id == job_id, held).values(**values))

    def _requeue(self, job_id: int) -> None:
        with self.db.session() as session:
            session.execute(sa.update(JobRow).where(JobRow.id == job_id, JobRow.status == "running",
                                                    JobRow.lease_owner == self.owner).values(
                status="queued", started_at=None, phase=None, incumbent=None, bound=None, solver_seconds=None,
                lease_owner=None, lease_expires_at=None, updated_at=utcnow(), note=_(RESUMED_NOTE).format(was="running")))
