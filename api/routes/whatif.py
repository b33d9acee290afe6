"""What-if: variants of a scenario stored with their base version, small sweeps side by side, and the
marginal value of one more supervision place for a stored plan.

A sweep is a job in the bounded solve queue (:mod:`api.jobs`): ``POST /scenarios/{id}/sweep``
queues it (429 when the queue is full) and returns the job; ``GET /jobs/{id}`` shows its
progress (solves done, running, failed) and ``GET /jobs/{id}/sweep`` the comparison once it is
done. At most :data:`MAX_SWEEP_VARIANTS` variants; every solve has a deterministic work budget
and a time limit within the cap of the token's role. The marginal ranking runs in the request
(its verifications are small exact solves): at most :data:`MAX_VERIFY` verified spots, at most
:data:`MAX_SECONDS` seconds each. Larger sweeps run with ``stageplanner sweep`` on a process
pool or a Dask cluster (``docs/whatif.md``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Body, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from api import artifacts, crud, schemas, views
from api.deps import MAX_ID, JobId, JobsDep, PlanId, PrincipalDep, ScenarioId, SessionDep, SettingsDep
from api.errors import Conflict, InvalidInput, NotFound
from api.models import VariantRow
from api.schemas import BODY_ERRORS, ERRORS, Mode
from planner.i18n import _
from planner.scenario import Scenario
from planner.solve.params import SolveParams
from planner.whatif.marginal import capacity_spots, spot_rows, verify_spots
from planner.whatif.sweep import InlineExecutor
from planner.whatif.variants import Variant, apply_variant, changed_ids

router = APIRouter(tags=["what-if"])

#: Limits of a sweep job and of the marginal ranking.
MAX_SWEEP_VARIANTS = 8
MAX_WORK_LIMIT = 200
MAX_SECONDS = 10.0
MAX_VERIFY = 3

VariantId = Annotated[int, Path(ge=1, le=MAX_ID, description="Variant id.", examples=[1])]


class VariantCreate(Variant):
    """A variant of the scenario's latest version (or of ``version``)."""

    version: int | None = Field(default=None, ge=1, le=MAX_ID, description="Base version (default: the latest).")


class VariantOut(BaseModel):
    """A stored variant with its base and what it changes."""

    id: int
    scenario_id: int
    scenario_version: int
    region: str
    name: str
    variant: dict[str, Any]
    cohorts: int
    companies: int
    students: int
    changed: dict[str, list[str]]


class SweepRequest(BaseModel):
    """The variants to solve beside their base, and how."""

    model_config = ConfigDict(extra="forbid")
    variant_ids: list[int] = Field(min_length=1, max_length=MAX_SWEEP_VARIANTS)
    mode: Mode = "optimise"
    time_limit: float | None = Field(default=None, gt=0, description="Seconds per solve, a safety net under the "
                                     "work budget (default and maximum: the cap of the token's role).")
    work_limit: int = Field(default=20, ge=0, le=MAX_WORK_LIMIT, description="Work budget per solve: "
                            "neighbourhoods of company-level search (the same plans however scheduled); 0: none.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class MarginalRequest(BaseModel):
    """How many spots to rank and verify, and the time per solve."""

    model_config = ConfigDict(extra="forbid")
    top: int = Field(default=10, ge=1, le=50)
    verify: int = Field(default=1, ge=0, le=MAX_VERIFY)
    time_limit: float = Field(default=5.0, gt=0, le=MAX_SECONDS)


VariantBody = Annotated[VariantCreate, Body(openapi_examples={
    "care-spring": {"summary": "Hospitals add ten places in spring", "value": {
        "name": "hospitals +10 in spring", "changes": [
            {"kind": "add_capacity", "companies": {"sector": "zorg", "area": "Enschede"}, "places": 10,
             "weeks": {"first": "2027-W10", "last": "2027-W22"}}]}},
    "line": {"summary": "Care level 2 may also do line internships", "value": {
        "name": "care 2 also line", "changes": [
            {"kind": "allow_forms", "cohorts": {"sector": "zorg", "level": "2"}, "forms": ["line:2x20"]}]}},
})]


def _base(session: Any, scenario_id: int, version: int | None) -> tuple[Any, Scenario]:
    row = crud.get_version(session, scenario_id, version)
    return row, Scenario.model_validate(crud.version_document(row))


def _out(row: VariantRow, base: Scenario, scenario: Scenario) -> VariantOut:
    return VariantOut(id=row.id, scenario_id=row.scenario_id, scenario_version=row.scenario_version, region=row.region,
                      name=row.name, variant=json.loads(row.document), cohorts=len(scenario.cohorts),
                      companies=len(scenario.companies), students=sum(c.students for c in scenario.cohorts),
                      changed=changed_ids(base, scenario))


def _variant_row(session: Any, variant_id: int) -> VariantRow:
    row = session.get(VariantRow, variant_id)
    if row is None:
        raise NotFound(f"variant {variant_id} does not exist")
    return row


@router.post("/scenarios/{scenario_id}/variants", status_code=status.HTTP_201_CREATED, response_model=VariantOut,
             responses=BODY_ERRORS, summary="Store a what-if variant of a scenario")
def create_variant(scenario_id: ScenarioId, variant: VariantBody, principal: PrincipalDep, session: SessionDep,
                   response: Response) -> VariantOut:
    """Check a variant (its changes applied to the base version, the result checked like a scenario file;
    422 naming the variant and the change) and store it with its base version."""
    region = crud.get_scenario(session, scenario_id).region
    principal.check_write(region)
    version, base = _base(session, scenario_id, variant.version)
    spec = Variant.model_validate(variant.model_dump(exclude={"version"}))
    scenario = apply_variant(base, spec)  # ScenarioError -> 422
    row = VariantRow(scenario_id=scenario_id, scenario_version=version.version, region=region, name=spec.name,
                     document=spec.model_dump_json())
    session.add(row)
    session.flush()
    crud.record(session, principal, "variant.create", "variant", row.id, region, spec.name)
    session.commit()
    response.headers["Location"] = f"/variants/{row.id}"
    return _out(row, base, scenario)


@router.get("/scenarios/{scenario_id}/variants", response_model=list[VariantOut], responses=ERRORS,
            summary="List a scenario's variants")
def list_variants(scenario_id: ScenarioId, principal: PrincipalDep, session: SessionDep) -> list[VariantOut]:
    """The scenario's stored variants, oldest first."""
    principal.check_read(crud.get_scenario(session, scenario_id).region)
    rows = session.scalars(sa.select(VariantRow).where(VariantRow.scenario_id == scenario_id).order_by(VariantRow.id))
    out = []
    for row in rows:
        _version, base = _base(session, scenario_id, row.scenario_version)
        out.append(_out(row, base, apply_variant(base, Variant.model_validate_json(row.document))))
    return out


@router.get("/variants/{variant_id}", response_model=VariantOut, responses=ERRORS, summary="Read a variant")
def get_variant(variant_id: VariantId, principal: PrincipalDep, session: SessionDep) -> VariantOut:
    """One variant: its base scenario version, its changes and the rows they change."""
    row = _variant_row(session, variant_id)
    principal.check_read(row.region)
    _version, base = _base(session, row.scenario_id, row.scenario_version)
    return _out(row, base, apply_variant(base, Variant.model_validate_json(row.document)))


@router.post("/scenarios/{scenario_id}/sweep", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.JobOut,
             responses={**BODY_ERRORS, 429: {"model": schemas.Message, "description":
                        "The solve queue is full; try again after `Retry-After` seconds"}},
             summary="Start a sweep job: variants side by side")
def sweep(scenario_id: ScenarioId, request: SweepRequest, principal: PrincipalDep, session: SessionDep,
          settings: SettingsDep, jobs: JobsDep, response: Response) -> schemas.JobOut:
    """Queue a sweep: the base version of the variants and each variant (at most 8), solved one after another
    with the same mode, seed and work budget (variants start from the base plan), and return the job at once.
    Follow it with `GET /jobs/{id}` (progress: solves done, running, failed); the comparison (KPIs with the
    difference from the base, stagebarometer cells, institutions, per variant the cells and cohorts that
    changed) is at `GET /jobs/{id}/sweep` when it is done. The time limit per solve may not exceed the cap
    of the token's role (422 naming it)."""
    region = crud.get_scenario(session, scenario_id).region
    principal.check_write(region)
    cap = settings.max_solve_seconds(principal.role)
    if request.time_limit is not None and request.time_limit > cap:
        raise InvalidInput.one("time_limit", _("{value} must be at most {cap} seconds (the server's maximum for "
                                               "{role} tokens)").format(value=f"{request.time_limit:g}",
                                                                        cap=f"{cap:g}", role=principal.role))
    rows = [_variant_row(session, i) for i in request.variant_ids]
    versions = {row.scenario_version for row in rows}
    if any(row.scenario_id != scenario_id for row in rows) or len(versions) != 1:
        raise InvalidInput.one("variant_ids", _("the variants must all be of this scenario and of the same version"))
    version = crud.get_version(session, scenario_id, versions.pop())
    jobs.admit(session)  # 429 with Retry-After when the queue is full
    job = crud.create_job(session, version, request.mode, request.time_limit or cap, request.seed)
    job.kind = "sweep"
    job.request = json.dumps({"variant_ids": request.variant_ids, "work_limit": request.work_limit,
                              "variants": [json.loads(r.document) for r in rows]})
    job.sweep_progress = json.dumps({"total": len(rows) + 1, "done": 0, "running": 0, "failed": 0})
    crud.record(session, principal, "variant.sweep", "job", job.id, region,
                f"variants {', '.join(str(i) for i in request.variant_ids)}")
    session.commit()
    jobs.submit(job.id)
    response.headers["Location"] = f"/jobs/{job.id}"
    return views.job_out(session, job)


@router.get("/jobs/{job_id}/sweep", responses={**ERRORS, 409: {"model": schemas.Message, "description":
            "The job is not a sweep, or not done yet"}}, summary="The comparison of a done sweep job")
def sweep_result(job_id: JobId, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """The sweep's comparison: KPIs with the difference from the base, stagebarometer cells, institutions,
    and per variant the cells and cohorts that changed. A variant that failed is reported in its row."""
    job = crud.get_job(session, job_id)
    principal.check_read(job.region)
    if job.kind != "sweep":
        raise Conflict(_("job {id} is not a sweep").format(id=job_id))
    if job.status != "done" or job.result is None:
        raise Conflict(_("sweep job {id} is {status}; its comparison is there when it is done").format(
            id=job_id, status=job.status))
    return {"job_id": job_id, **json.loads(job.result)}


@router.post("/plans/{plan_id}/marginal", responses=BODY_ERRORS, summary="Where one more place helps most")
def marginal(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
             request: MarginalRequest | None = None) -> dict[str, Any]:
    """Rank where one more supervision place would remove the most weighted shortage of the plan's scenario
    (estimated from the unplaced students that fit one more place there, else the relaxation's capacity duals),
    and verify the top `verify` spots (at most 3, 10 s each): the plan re-solved exactly with the extra place in
    the neighbourhood it can affect, the realised reduction (never negative) beside the estimate. A greedy plan is
    ranked in status-quo mode (its periods are the current ones)."""
    request = request or MarginalRequest()
    row = crud.get_plan_row(session, plan_id)
    principal.check_write(row.region)
    plan = crud.plan_of(row)
    mode = "optimise" if plan.mode == "optimise" else "status-quo"  # a greedy plan keeps the current periods too
    version, scenario = _base(session, row.scenario_id, row.scenario_version)
    base_dir = artifacts.scenario_dir(settings, version)
    params = SolveParams(mode=mode, time_limit=request.time_limit, seed=plan.solver.seed, baselines=False)
    spots = capacity_spots(scenario, plan, mode, request.top, request.time_limit, plan.solver.seed, base_dir)
    if request.verify:
        # Each verification re-solves the spot's neighbourhood exactly, starting from this plan.
        verify_spots(scenario, plan, spots, params, request.verify, InlineExecutor(), base_dir)
    return {"plan_id": plan_id, "objective": plan.kpis.objective, "spots": spot_rows(spots)}
