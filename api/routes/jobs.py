"""Solve jobs: start a solve of a scenario, follow its progress, cancel it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from api import crud, schemas, views
from api.deps import MAX_ID, JobId, JobsDep, Limit, Offset, PrincipalDep, ScenarioId, SessionDep, SettingsDep
from api.services import jobs as service

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
                        "The region's share of the solve queue (or analysts' and admins' cross-region share), or "
                        "the whole queue, is full; try again after `Retry-After` seconds"}},
             summary="Start a solve job")
def start_solve(scenario_id: ScenarioId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
                jobs: JobsDep, response: Response, request: SolveBody = None) -> schemas.JobOut:
    """Queue a solve of the scenario (latest version unless `version` is given) and return the job at
    once. The solve runs in a separate worker process; at most the server's `max_concurrent_solves`
    run at the same time, later jobs wait in the queue (each region's share in turn, oldest first). Follow it with
    `GET /jobs/{id}`; the plan is at `GET /plans/{plan_id}` when the job is done.
    The time limit may not exceed the cap of the token's role (422 naming it)."""
    job = service.start_solve(session, jobs, settings, principal, scenario_id, request or schemas.SolveRequest())
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
    return views.jobs_out(session, crud.list_jobs(session, status, scenario_id, limit, offset,
                                                  principal.visible_regions))


@router.get("/jobs/{job_id}", response_model=schemas.JobOut, responses=schemas.ERRORS, summary="Follow a job")
def get_job(job_id: JobId, principal: PrincipalDep, session: SessionDep) -> schemas.JobOut:
    """Status (queued, running, done, failed, cancelled), progress (phase, incumbent, bound, elapsed),
    queue position, and the plan id once done."""
    return views.job_out(session, service.readable(session, principal, job_id))


@router.post("/jobs/{job_id}/cancel", response_model=schemas.JobOut,
             responses={**schemas.ERRORS, 409: {"model": schemas.Message, "description": "Job already finished"}},
             summary="Cancel a job")
def cancel_job(job_id: JobId, principal: PrincipalDep, session: SessionDep, jobs: JobsDep) -> schemas.JobOut:
    """Cancel a queued job at once, or stop a running solve (its worker process is killed; the job
    shows `cancel_requested` until it is `cancelled`). Cancelling a cancelled job changes nothing;
    a done or failed job cannot be cancelled (409)."""
    job = service.cancel(session, jobs, principal, job_id)
    return views.job_out(session, job)
