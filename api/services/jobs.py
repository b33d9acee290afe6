"""Queueing work for the runners: plans, sweeps and marginal rankings, each in its share of the queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api import crud
from api.core.config import Settings
from api.core.security import ALL_REGION_ROLES, Principal, Role
from api.errors import InvalidInput
from api.jobs import CROSS_REGION_SHARE, JobManager
from api.models import JobRow, ScenarioVersionRow
from api.schemas import SolveRequest
from planner.i18n import _


def queue_share(principal: Principal, region: str) -> str:
    """The share of the queue a job of ``principal`` for ``region`` counts against: the region's own, or
    the cross-region share for analysts and admins (their work is not one region's)."""
    return CROSS_REGION_SHARE if principal.role in ALL_REGION_ROLES else region


def may_analyse(principal: Principal, region: str) -> bool:
    """Whether the caller may queue an analysis of ``region`` (see :func:`check_may_analyse`)."""
    return principal.may_write(region) or (principal.role == Role.analyst and principal.may_read(region))


def check_may_analyse(principal: Principal, region: str) -> None:
    """Raise :class:`api.core.security.AccessDenied` unless the caller may queue an analysis of ``region``
    (a sweep or a marginal ranking, which change no record): those who may change it, and analysts."""
    if principal.role == Role.analyst:
        principal.check_read(region)
    else:
        principal.check_write(region)


def time_limit(settings: Settings, principal: Principal, asked: float | None, default: float) -> float:
    """The time limit of a job: ``asked`` (422 when above the cap of the token's role), else ``default`` capped."""
    cap = settings.max_solve_seconds(principal.role)
    if asked is not None and asked > cap:
        raise InvalidInput.one("time_limit", _("{value} must be at most {cap} seconds (the server's maximum for "
                                               "{role} tokens)").format(value=f"{asked:g}", cap=f"{cap:g}",
                                                                        role=principal.role))
    return asked if asked is not None else min(default, cap)


def queue_job(session: Session, manager: JobManager, principal: Principal, version: ScenarioVersionRow, *,
              kind: str, mode: str, time_limit: float, seed: int, audit: tuple[str, str],
              **columns: Any) -> JobRow:
    """Admit (429 when the caller's share or the whole queue is full), store and commit a queued job, and wake
    the runners. ``audit`` is the action and detail of its audit record; ``columns`` further job columns."""
    share = queue_share(principal, version.region)
    manager.admit(session, share)
    job = crud.create_job(session, version, mode, time_limit, seed, share=share, kind=kind)
    for name, value in columns.items():
        setattr(job, name, value)
    action, detail = audit
    crud.record(session, principal, action, "job", job.id, job.region, detail)
    session.commit()
    manager.submit(job.id)
    return job


def start_solve(session: Session, manager: JobManager, settings: Settings, principal: Principal, scenario_id: int,
                request: SolveRequest) -> JobRow:
    """Queue a solve of a scenario version (the latest unless the request names one)."""
    principal.check_write(crud.get_scenario(session, scenario_id).region)
    limit = time_limit(settings, principal, request.time_limit, settings.default_time_limit)
    version = crud.get_version(session, scenario_id, request.version)
    return queue_job(session, manager, principal, version, kind="solve", mode=request.mode, time_limit=limit,
                     seed=request.seed, audit=("job.start", f"scenario {scenario_id} version {version.version}, "
                                                            f"{request.mode}, {limit:g} s"))


def readable(session: Session, principal: Principal, job_id: int) -> JobRow:
    """A job of a region the caller may read (403 otherwise, 404 when unknown)."""
    job = crud.get_job(session, job_id)
    principal.check_read(job.region)
    return job


def cancel(session: Session, manager: JobManager, principal: Principal, job_id: int) -> JobRow:
    """Cancel a job of a region the caller may change (see :meth:`api.jobs.JobManager.cancel`)."""
    region = crud.get_job(session, job_id).region
    principal.check_write(region)
    session.rollback()  # end this session's read before the job manager writes
    job = manager.cancel(job_id)
    crud.record(session, principal, "job.cancel", "job", job_id, region)
    session.commit()
    return job
