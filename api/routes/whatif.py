"""What-if: variants of a scenario stored with their base version, small sweeps side by side, and the
marginal value of one more supervision place for a stored plan.

Sweeps and the marginal ranking run synchronously in the request (in this server's threads, one
solve after another), so they are limited in size: at most :data:`MAX_SWEEP_VARIANTS` variants,
:data:`MAX_SECONDS` seconds per solve and :data:`MAX_VERIFY` verified spots. Larger sweeps run
with ``stageplanner sweep`` on a process pool or a Dask cluster (``docs/whatif.md``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Body, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from api import artifacts, crud
from api.deps import MAX_ID, PlanId, PrincipalDep, ScenarioId, SessionDep, SettingsDep
from api.errors import InvalidInput, NotFound
from api.models import VariantRow
from api.schemas import BODY_ERRORS, ERRORS, Mode
from planner.scenario import Scenario
from planner.solve.params import SolveParams
from planner.whatif.compare import sweep_table
from planner.whatif.marginal import capacity_spots, spot_rows, verify_spots
from planner.whatif.sweep import InlineExecutor, run_sweep
from planner.whatif.variants import Variant, apply_variant, changed_ids

router = APIRouter(tags=["what-if"])

#: Limits of the synchronous sweep and marginal ranking.
MAX_SWEEP_VARIANTS = 4
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
    time_limit: float = Field(default=5.0, gt=0, le=MAX_SECONDS)
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


@router.post("/scenarios/{scenario_id}/sweep", responses=BODY_ERRORS, summary="Solve variants side by side")
def sweep(scenario_id: ScenarioId, request: SweepRequest, principal: PrincipalDep, session: SessionDep,
          settings: SettingsDep) -> dict[str, Any]:
    """Solve the base version of the variants and each variant (synchronously: at most
    4 variants, 10 s per solve) and return one comparison: KPIs with the difference from the base,
    stagebarometer cells, institutions, and per variant the cells and cohorts that changed.
    A variant that fails is reported in its row and does not stop the others."""
    region = crud.get_scenario(session, scenario_id).region
    principal.check_write(region)
    rows = [_variant_row(session, i) for i in request.variant_ids]
    versions = {row.scenario_version for row in rows}
    if any(row.scenario_id != scenario_id for row in rows) or len(versions) != 1:
        raise InvalidInput.one("variant_ids", "the variants must all be of this scenario and of the same version")
    version, base = _base(session, scenario_id, versions.pop())
    params = SolveParams(mode=request.mode, time_limit=request.time_limit, seed=request.seed, baselines=False)
    result = run_sweep(base, [Variant.model_validate_json(r.document) for r in rows], params, InlineExecutor(),
                       base_dir=artifacts.scenario_dir(settings, version))
    crud.record(session, principal, "variant.sweep", "scenario", scenario_id, region,
                f"variants {', '.join(str(i) for i in request.variant_ids)}")
    session.commit()
    return sweep_table(result)


@router.post("/plans/{plan_id}/marginal", responses=BODY_ERRORS, summary="Where one more place helps most")
def marginal(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
             request: MarginalRequest | None = None) -> dict[str, Any]:
    """Rank where one more supervision place would remove the most weighted shortage of the plan's scenario
    (estimated from the relaxation's capacity duals), and re-solve the top `verify` spots (at most 3,
    10 s each) with the extra place to show the realised reduction beside the estimate. A greedy plan is
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
        # The realised reduction compares solves of the same time limit: the base is solved again with it.
        from planner.solve import solve

        base_plan = solve(scenario, params, base_dir=base_dir).plan
        verify_spots(scenario, base_plan, spots, params, request.verify, InlineExecutor(), base_dir)
    return {"plan_id": plan_id, "objective": plan.kpis.objective, "spots": spot_rows(spots)}
