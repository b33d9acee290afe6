"""The moves-versus-shortage trade-off of a plan, and a point of it made the proposal.

``POST /plans/{id}/tradeoff`` queues the curve (a job in the fair solve queue, like a marginal ranking: 429
when the caller's share is full); ``GET /plans/{id}/tradeoff`` reads the newest done curve: per limit k on
cohorts that change period or form, the shortage, its proven bound and the students moved;
``POST /plans/{id}/tradeoff/{k}/proposal`` makes the point with at most k changed cohorts a new plan of the
same scenario version, the proposal the region adopts. The work is done in :mod:`api.services.tradeoff`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api import schemas, views
from api.deps import MAX_ID, JobsDep, PlanId, PrincipalDep, SessionDep, SettingsDep
from api.schemas import BODY_ERRORS, ERRORS
from api.schemas.tradeoff import TradeoffOut, TradeoffRequest
from api.services import tradeoff as service

router = APIRouter(tags=["plans"])

QUEUE_FULL = {429: {"model": schemas.Message, "description": "The caller's share of the solve queue or the whole "
                    "queue is full; try again after `Retry-After` seconds"}}
CONFLICT = {409: {"model": schemas.Message, "description": "Not an optimised plan with a stored status quo, or the "
                  "job is not done yet"}}
Limit = Annotated[int, Path(ge=0, le=100_000, description="The point: at most this many changed cohorts.")]
JobQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="A trade-off job of the plan (default: newest)")]


@router.post("/plans/{plan_id}/tradeoff", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.JobOut,
             responses={**BODY_ERRORS, **QUEUE_FULL, **CONFLICT}, summary="Start a job: the moves-versus-shortage "
             "trade-off")
def start_tradeoff(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, jobs: JobsDep,
                   settings: SettingsDep, response: Response, request: TradeoffRequest | None = None) -> schemas.JobOut:
    """Queue the trade-off curve of an optimised plan: for about ten limits k from 0 (the status quo) to the
    cohorts the plan changes, the least weighted shortage when at most k cohorts change period or form, each from
    the exact company-level model under a work budget (`nodes` per point) with its proven bound. Returns the job
    at once; the curve is at `GET /plans/{id}/tradeoff` when it is done. Editors of the region, admins and
    analysts may start one."""
    job = service.start(session, jobs, settings, principal, plan_id, request or TradeoffRequest())
    response.headers["Location"] = f"/jobs/{job.id}"
    return views.job_out(session, job)


@router.get("/plans/{plan_id}/tradeoff", response_model=TradeoffOut, responses={**ERRORS, **CONFLICT},
            summary="The trade-off curve of a plan")
def get_tradeoff(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, job: JobQuery = None) -> TradeoffOut:
    """The newest done trade-off curve of the plan (or that of `job`): per point the limit, the cohorts changed,
    the students moved, the unplaced students, the weighted shortage and its proven bound; and the plans made
    from points so far."""
    return service.curve(session, principal, plan_id, job)


@router.post("/plans/{plan_id}/tradeoff/{max_changed}/proposal", status_code=status.HTTP_201_CREATED,
             response_model=schemas.PlanSummary, responses={**ERRORS, **CONFLICT},
             summary="Make a point of the trade-off the proposal")
def propose(plan_id: PlanId, max_changed: Limit, principal: PrincipalDep, session: SessionDep,
            settings: SettingsDep, response: Response, job: JobQuery = None) -> schemas.PlanSummary:
    """Make the curve's point with at most `max_changed` changed cohorts a new plan of the same scenario version
    (checked like every plan, with the plan's baselines): the proposal the region can adopt. Editors of the
    region and admins."""
    row = service.propose(session, settings, principal, plan_id, max_changed, job)
    response.headers["Location"] = f"/plans/{row.id}"
    return views.plan_summary(row)
