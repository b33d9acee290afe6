"""What-if: variants of a scenario stored with their base version, small sweeps side by side, and the
marginal value of one more supervision place for a stored plan.

Sweeps and marginal rankings are jobs in the bounded, fair solve queue (:mod:`api.jobs`):
``POST /scenarios/{id}/sweep`` and ``POST /plans/{id}/marginal`` queue one (429 when the caller's
share of the queue or the whole queue is full) and return it at once; ``GET /jobs/{id}`` shows its
progress and ``GET /jobs/{id}/sweep`` or ``GET /jobs/{id}/marginal`` the result once it is done.
At most :data:`MAX_SWEEP_VARIANTS` variants; every solve has a deterministic work budget and a time
limit within the cap of the token's role; a marginal ranking verifies at most :data:`MAX_VERIFY`
spots, at most :data:`MAX_SECONDS` seconds each. Larger sweeps run with ``stageplanner sweep`` on a
process pool or a Dask cluster (``docs/whatif.md``). The work is done in :mod:`api.services.whatif`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response, status

from api import schemas, views
from api.deps import MAX_ID, JobId, JobsDep, PlanId, PrincipalDep, ScenarioId, SessionDep, SettingsDep
from api.schemas import BODY_ERRORS, ERRORS
from api.schemas.whatif import (
    MAX_SECONDS,
    MAX_SWEEP_VARIANTS,
    MAX_VERIFY,
    MAX_WORK_LIMIT,
    MarginalRequest,
    SweepRequest,
    VariantCreate,
    VariantOut,
)
from api.services import whatif as service

__all__ = ["MAX_SECONDS", "MAX_SWEEP_VARIANTS", "MAX_VERIFY", "MAX_WORK_LIMIT", "MarginalRequest", "SweepRequest",
           "VariantCreate", "VariantOut", "router"]

router = APIRouter(tags=["what-if"])

VariantId = Annotated[int, Path(ge=1, le=MAX_ID, description="Variant id.", examples=[1])]
QUEUE_FULL = {429: {"model": schemas.Message, "description": "The caller's share of the solve queue (its region's, "
                    "or analysts' and admins' cross-region share) or the whole queue is full; try again after "
                    "`Retry-After` seconds"}}
NOT_DONE = {409: {"model": schemas.Message, "description": "The job is of another kind, or not done yet"}}


VariantBody = Annotated[VariantCreate, Body(openapi_examples={
    "care-spring": {"summary": "Hospitals add ten places in spring", "value": {
        "name": "hospitals +10 in spring", "changes": [
            {"kind": "add_capacity", "companies": {"sector": "zorg", "area": "Enschede"}, "places": 10,
             "weeks": {"first": "2027-W10", "last": "2027-W22"}}]}},
    "line": {"summary": "Care level 2 may also do line internships", "value": {
        "name": "care 2 also line", "changes": [
            {"kind": "allow_forms", "cohorts": {"sector": "zorg", "level": "2"}, "forms": ["line:2x20"]}]}},
})]


@router.post("/scenarios/{scenario_id}/variants", status_code=status.HTTP_201_CREATED, response_model=VariantOut,
             responses=BODY_ERRORS, summary="Store a what-if variant of a scenario")
def create_variant(scenario_id: ScenarioId, variant: VariantBody, principal: PrincipalDep, session: SessionDep,
                   response: Response) -> VariantOut:
    """Check a variant (its changes applied to the base version, the result checked like a scenario file;
    422 naming the variant and the change) and store it with its base version."""
    out = service.create_variant(session, principal, scenario_id, variant)  # ScenarioError -> 422
    response.headers["Location"] = f"/variants/{out.id}"
    return out


@router.get("/scenarios/{scenario_id}/variants", response_model=list[VariantOut], responses=ERRORS,
            summary="List a scenario's variants")
def list_variants(scenario_id: ScenarioId, principal: PrincipalDep, session: SessionDep) -> list[VariantOut]:
    """The scenario's stored variants, oldest first."""
    return service.list_variants(session, principal, scenario_id)


@router.get("/variants/{variant_id}", response_model=VariantOut, responses=ERRORS, summary="Read a variant")
def get_variant(variant_id: VariantId, principal: PrincipalDep, session: SessionDep) -> VariantOut:
    """One variant: its base scenario version, its changes and the rows they change."""
    return service.get_variant(session, principal, variant_id)


@router.post("/scenarios/{scenario_id}/sweep", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.JobOut,
             responses={**BODY_ERRORS, **QUEUE_FULL}, summary="Start a sweep job: variants side by side")
def sweep(scenario_id: ScenarioId, request: SweepRequest, principal: PrincipalDep, session: SessionDep,
          settings: SettingsDep, jobs: JobsDep, response: Response) -> schemas.JobOut:
    """Queue a sweep: the base version of the variants and each variant (at most 8), solved one after another
    with the same mode, seed and work budget (variants start from the base plan), and return the job at once.
    Follow it with `GET /jobs/{id}` (progress: solves done, running, failed); the comparison (KPIs with the
    difference from the base, stagebarometer cells, institutions, per variant the cells and cohorts that
    changed) is at `GET /jobs/{id}/sweep` when it is done. The time limit per solve may not exceed the cap
    of the token's role (422 naming it). Editors of the region, admins and analysts may start one."""
    job = service.start_sweep(session, jobs, settings, principal, scenario_id, request)
    response.headers["Location"] = f"/jobs/{job.id}"
    return views.job_out(session, job)


@router.get("/jobs/{job_id}/sweep", responses={**ERRORS, **NOT_DONE}, summary="The comparison of a done sweep job")
def sweep_result(job_id: JobId, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """The sweep's comparison: KPIs with the difference from the base, stagebarometer cells, institutions,
    and per variant the cells and cohorts that changed. A variant that failed is reported in its row."""
    return service.job_result(session, principal, job_id, "sweep")


@router.post("/plans/{plan_id}/marginal", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.JobOut,
             responses={**BODY_ERRORS, **QUEUE_FULL}, summary="Start a job: where one more place helps most")
def marginal(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, jobs: JobsDep, response: Response,
             request: MarginalRequest | None = None) -> schemas.JobOut:
    """Queue the ranking of where one more supervision place would remove the most weighted shortage of the
    plan's scenario (estimated from the unplaced students that fit one more place there, else the relaxation's
    capacity duals), with the top `verify` spots (at most 3, 10 s each) verified: the plan re-solved exactly
    with the extra place in the neighbourhood it can affect, the realised reduction (never negative) beside the
    estimate. A greedy plan is ranked in status-quo mode (its periods are the current ones). Returns the job at
    once; the ranking is at `GET /jobs/{id}/marginal` when it is done. Editors of the region, admins and
    analysts may start one."""
    job = service.start_marginal(session, jobs, principal, plan_id, request or MarginalRequest())
    response.headers["Location"] = f"/jobs/{job.id}"
    return views.job_out(session, job)


@router.get("/jobs/{job_id}/marginal", responses={**ERRORS, **NOT_DONE}, summary="The ranking of a done marginal job")
def marginal_result(job_id: JobId, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """Where one more place helps most: the plan, its objective and the ranked spots (estimate, and the
    realised reduction for the verified ones)."""
    return service.job_result(session, principal, job_id, "marginal")
