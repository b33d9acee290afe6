"""What-if: variants stored with their base version, sweeps and marginal rankings queued as jobs.

Every solve of a what-if goes through the solve queue (:mod:`api.services.jobs`): a sweep solves
the base and its variants in a runner, a marginal ranking ranks the spots of a stored plan and
verifies the top ones with small exact solves in a runner. The requests answer at once with the
job; the job's result is what the route used to answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api import crud
from api.core.config import Settings
from api.core.security import Principal
from api.errors import Conflict, InvalidInput, NotFound
from api.jobs import JobManager
from api.models import JobRow, ScenarioVersionRow, VariantRow
from api.schemas.whatif import MarginalRequest, SweepRequest, VariantCreate, VariantOut
from api.services import jobs
from planner.i18n import _
from planner.plan.model import Plan
from planner.scenario import Scenario
from planner.whatif.describe import variant_summary
from planner.whatif.variants import Variant, apply_variant, changed_ids

__all__ = ["MarginalRequest", "create_variant", "get_variant", "job_result", "list_variants", "marginal_jobs", "marginal_ranking",
           "start_marginal", "start_sweep"]


def _base(session: Session, scenario_id: int, version: int | None) -> tuple[ScenarioVersionRow, Scenario]:
    row = crud.get_version(session, scenario_id, version)
    return row, Scenario.model_validate(crud.version_document(row))


def _out(row: VariantRow, base: Scenario, scenario: Scenario) -> VariantOut:
    spec = Variant.model_validate_json(row.document)
    return VariantOut(summary=variant_summary(base, spec, scenario),
                      id=row.id, scenario_id=row.scenario_id, scenario_version=row.scenario_version, region=row.region,
                      name=row.name, variant=json.loads(row.document), cohorts=len(scenario.cohorts),
                      companies=len(scenario.companies), students=sum(c.students for c in scenario.cohorts),
                      changed=changed_ids(base, scenario))


def _variant_row(session: Session, variant_id: int) -> VariantRow:
    row = session.get(VariantRow, variant_id)
    if row is None:
        raise NotFound(f"variant {variant_id} does not exist")
    return row


def create_variant(session: Session, principal: Principal, scenario_id: int, variant: VariantCreate) -> VariantOut:
    """Check a variant against its base version (ScenarioError naming the change when it does not apply) and
    store it."""
    region = crud.get_scenario(session, scenario_id).region
    principal.check_write(region)
    version, base = _base(session, scenario_id, variant.version)
    spec = Variant.model_validate(variant.model_dump(exclude={"version"}))
    scenario = apply_variant(base, spec)
    row = VariantRow(scenario_id=scenario_id, scenario_version=version.version, region=region, name=spec.name,
                     document=spec.model_dump_json())
    session.add(row)
    session.flush()
    crud.record(session, principal, "variant.create", "variant", row.id, region, spec.name)
    session.commit()
    return _out(row, base, scenario)


def list_variants(session: Session, principal: Principal, scenario_id: int) -> list[VariantOut]:
    """The scenario's stored variants, oldest first."""
    principal.check_read(crud.get_scenario(session, scenario_id).region)
    rows = session.scalars(sa.select(VariantRow).where(VariantRow.scenario_id == scenario_id).order_by(VariantRow.id))
    out = []
    for row in rows:
        _version, base = _base(session, scenario_id, row.scenario_version)
        out.append(_out(row, base, apply_variant(base, Variant.model_validate_json(row.document))))
    return out


def get_variant(session: Session, principal: Principal, variant_id: int) -> VariantOut:
    """One variant with its base and what it changes."""
    row = _variant_row(session, variant_id)
    principal.check_read(row.region)
    _version, base = _base(session, row.scenario_id, row.scenario_version)
    return _out(row, base, apply_variant(base, Variant.model_validate_json(row.document)))


def start_sweep(session: Session, manager: JobManager, settings: Settings, principal: Principal, scenario_id: int,
                request: SweepRequest) -> JobRow:
    """Queue a sweep of stored variants of one scenario version; its base is the version's best stored plan in
    the sweep's mode when there is one (the base row is that plan, and the variants start from it)."""
    region = crud.get_scenario(session, scenario_id).region
    jobs.check_may_analyse(principal, region)
    cap = settings.max_solve_seconds(principal.role)
    limit = jobs.time_limit(settings, principal, request.time_limit, cap)
    rows = [_variant_row(session, i) for i in request.variant_ids]
    versions = {row.scenario_version for row in rows}
    if any(row.scenario_id != scenario_id for row in rows) or len(versions) != 1:
        raise InvalidInput.one("variant_ids", _("the variants must all be of this scenario and of the same version"))
    version = crud.get_version(session, scenario_id, versions.pop())
    # The base of the comparison is the best plan known of that version (not solved again), if any.
    best = crud.best_plan(session, scenario_id, version.version, request.mode)
    return jobs.queue_job(
        session, manager, principal, version, kind="sweep", mode=request.mode, time_limit=limit, seed=request.seed,
        audit=("variant.sweep", f"variants {', '.join(str(i) for i in request.variant_ids)}"),
        request=json.dumps({"variant_ids": request.variant_ids, "work_limit": request.work_limit,
                            "variants": [json.loads(r.document) for r in rows],
                            "base_plan_id": best.id if best is not None else None}),
        sweep_progress=json.dumps({"total": len(rows) + 1, "done": 0, "running": 0, "failed": 0}))


def start_marginal(session: Session, manager: JobManager, principal: Principal, plan_id: int,
                   request: MarginalRequest) -> JobRow:
    """Queue the marginal ranking of a stored plan (on the plan's scenario version)."""
    row = crud.get_plan_row(session, plan_id)
    jobs.check_may_analyse(principal, row.region)
    version = crud.get_version(session, row.scenario_id, row.scenario_version)
    plan = crud.plan_of(row)
    mode = "optimise" if plan.mode == "optimise" else "status-quo"  # a greedy plan keeps the current periods too
    return jobs.queue_job(
        session, manager, principal, version, kind="marginal", mode=mode, time_limit=request.time_limit,
        seed=plan.solver.seed, audit=("plan.marginal", f"plan {plan_id}, top {request.top}, verify {request.verify}"),
        request=json.dumps({"plan_id": plan_id, **request.model_dump()}))


def job_result(session: Session, principal: Principal, job_id: int, kind: str) -> dict[str, Any]:
    """A done job's stored result (a sweep's comparison, a marginal ranking); 409 when the job is of another
    kind or not done yet."""
    job = crud.get_job(session, job_id)
    principal.check_read(job.region)
    if job.kind != kind:
        raise Conflict(_("job {id} is not a sweep").format(id=job_id) if kind == "sweep" else
                       _("job {id} is not a marginal ranking").format(id=job_id))
    if job.status != "done" or job.result is None:
        raise Conflict((_("sweep job {id} is {status}; its comparison is there when it is done") if kind == "sweep"
                        else _("marginal job {id} is {status}; its ranking is there when it is done")).format(
            id=job_id, status=job.status))
    return {"job_id": job_id, **json.loads(job.result)}


def marginal_jobs(session: Session, principal: Principal, plan_id: int, job_id: int | None = None) -> JobRow | None:
    """The marginal job ``job_id`` of the plan, or without one the plan's newest done marginal job (or None)."""
    row = crud.get_plan_row(session, plan_id)
    principal.check_read(row.region)
    if job_id is not None:
        job = crud.get_job(session, job_id)
        if job.kind != "marginal" or json.loads(job.request or "{}").get("plan_id") != plan_id:
            raise NotFound(_("job {id} is not a marginal ranking of plan {plan}").format(id=job_id, plan=plan_id))
        return job
    recent = session.scalars(sa.select(JobRow).where(
        JobRow.kind == "marginal", JobRow.status == "done", JobRow.scenario_id == row.scenario_id,
        JobRow.scenario_version == row.scenario_version).order_by(JobRow.id.desc()).limit(50))
    return next((job for job in recent if json.loads(job.request or "{}").get("plan_id") == plan_id), None)


def marginal_ranking(scenario: Scenario, plan: Plan, request: MarginalRequest, base_dir: Path | None) -> dict[str, Any]:
    """Rank where one more supervision place removes the most weighted shortage of ``plan`` and verify the top
    ``request.verify`` spots (the plan re-solved exactly with the extra place in the neighbourhood it can
    affect). A greedy plan is ranked in status-quo mode (its periods are the current ones). Runs in a runner."""
    from planner.solve.params import SolveParams  # the solver stack loads lazily
    from planner.whatif.marginal import capacity_spots, spot_rows, verify_spots
    from planner.whatif.sweep import InlineExecutor

    mode = "optimise" if plan.mode == "optimise" else "status-quo"  # a greedy plan keeps the current periods too
    params = SolveParams(mode=mode, time_limit=request.time_limit, seed=plan.solver.seed, baselines=False)
    spots = capacity_spots(scenario, plan, mode, request.top, request.time_limit, plan.solver.seed, base_dir,
                           per=request.per)
    if request.verify:
        verify_spots(scenario, plan, spots, params, request.verify, InlineExecutor(), base_dir)
    return {"objective": plan.kpis.objective, "spots": spot_rows(spots)}
