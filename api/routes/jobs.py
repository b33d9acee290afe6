"""Solve jobs: start a solve of a scenario, follow its progress, cancel it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from api import crud, schemas, views
from api.deps import MAX_ID, JobId, JobsDep, Limit, Offset, PrincipalDep, ScenarioId, SessionDep, SettingsDep
from api.errors import InvalidInput
from planner.i18n import _

router = APIRouter(tags=["jobs"])

SolveBody = Annotated[schemas.SolveRequest | None, Body(openapi_examples={
    "optimise": {"summary": "Optimise the periods (30 s)", "value": {"mode": "optimise", "time_limit": 30, "seed": 0}},
    "status-quo": {"summary": "Current periods, allocation optimised",
                   "value": {"mode": "status-quo", "time_limit": 10}},
    "old-version": {"summary": "Solve an earlier version of the scenario",
                    "value": {"mode": "optimise", "time_limit": 30, "version": 1}},
})]


@router.post("/scenarios/{scenario_id}/solve", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.JobOut,
             responses={**schemas.BODY_ERRORS, 429: {"model": schemas.Message, "description":
                        "The solve queue is full; try again after `Retry-After` seconds"}},
             summary="Start a solve job")
def start_solve(scenario_id: ScenarioId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
                jobs: JobsDep, response: Response, request: SolveBody = None) -> schemas.JobOut:
    """Queue a solve of the scenario (latest version unless `version` is given) and return the job at
    once. The solve runs in a separate worker process; at most the server's `max_concurrent_solves`
    run at the same time, later jobs wait in the queue (first in, first out). Follow it with
    `GET /jobs/{id}`; the plan is at `GET /plans/{plan_id}` when the job is done.
    The time limit may not exceed the cap of the token's role (422 naming it)."""
    request = request or schemas.SolveRequest()
    principal.check_write(crud.get_scenario(session, scenario_id).region)
    cap = settings.max_solve_seconds(principal.role)
    if request.time_limit is not None and request.time_limit > cap:
        raise InvalidInput.one("time_limit", _("{value} must be at most {cap} seconds (the server's maximum for "
                                               "{role} tokens)").format(value=f"{request.time_limit:g}",
                                                                        cap=f"{cap:g}", role=principal.role))
    version = crud.get_version(session, scenario_id, request.version)
    jobs.admit(session)  # 429 with Retry-After when the queue is full
    job = crud.create_job(session, version, request.mode, request.time_limit or min(settings.default_time_limit, cap),
                          request.seed)
    crud.record(session, principal, "job.start", "job", job.id, job.region,
                f"scenario {scenario_id} version {version.version}, {request.mode}, {job.time_limit:g} s")
    session.commit()
    jobs.submit(job.id)
    response.headers["Location"] = f"/jobs/{job.id}"
    return views.job_out(session, job)


@router.get("/jobs", response_model=list[schemas.JobOut], responses={422: schemas.ERRORS[422]},
            summary="List jobs")
def list_jobs(principal: PrincipalDep, session: SessionDep, status: Annotated[schemas.JobStatus | None, Query(
        description="Only jobs with this status.", examples=["running"])] = None,
        scenario_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only jobs of this scenario.",
                                                 examples=[1])] = None,
        limit: Limit = 100, offset: Offset = 0) -> list[schemas.JobOut]:
    """Solve jobs, newest first (of the regions the token may read)."""
    return [views.job_out(session, job) for job in crud.list_jobs(session, status, scenario_id, limit, offset,
                                                                  principal.visible_regions)]


@router.get("/jobs/{job_id}", response_model=schemas.JobOut, responses=schemas.ERRORS, summary="Follow a job")
def get_job(job_id: JobId, principal: PrincipalDep, session: SessionDep) -> schemas.JobOut:
    """Status (queued, running, done, failed, cancelled), progress (phase, incumbent, bound, elapsed),
    queue position, and the plan id once done."""
    job = crud.get_job(session, job_id)
    principal.check_read(job.region)
    return views.job_out(session, job)


@router.post("/jobs/{job_id}/cancel", response_model=schemas.JobOut,
             responses={**schemas.ERRORS, 409: {"model": schemas.Message, "description": "Job already finished"}},
             summary="Cancel a job")
def cancel_job(job_id: JobId, principal: PrincipalDep, session: SessionDep, jobs: JobsDep) -> schemas.JobOut:
    """Cancel a queued job at once, or stop a running solve (its worker process is killed; the job
    shows `cancel_requested` until it is `cancelled`). Cancelling a cancelled job changes nothing;
    a done or failed job cannot be cancelled (409)."""
    region = crud.get_job(session, job_id).region
    principal.check_write(region)
    session.rollback()  # end this session's read before the job manager writes
    job = jobs.cancel(job_id)
    crud.record(session, principal, "job.cancel", "job", job_id, region)
    session.commit()
    return views.job_out(session, job)
