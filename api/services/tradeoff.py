"""The trade-off a consortium negotiates: the curve of a stored plan as a queued job, and a point made the proposal.

``start`` queues a job (kind ``tradeoff``) that computes the curve in a runner (:func:`compute`, on the plan's
scenario version, from its stored status quo); ``curve`` reads the newest done curve of a plan; ``propose`` turns
one point into a new plan of the same scenario version (the proposal the region adopts), with the plan's
baselines, checked like every plan.
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
from api.errors import Conflict, NotFound
from api.jobs import JobManager
from api.models import JobRow, PlanRow
from api.schemas.tradeoff import TradeoffOut, TradeoffRequest
from api.services import jobs
from api.services.plans import readable, status_quo
from planner.i18n import _
from planner.plan.model import Plan, TradeoffPoint
from planner.scenario import Scenario


def start(session: Session, manager: JobManager, settings: Settings, principal: Principal, plan_id: int,
          request: TradeoffRequest) -> JobRow:
    """Queue the trade-off curve of an optimised plan (409 without its stored status quo or for another mode).

    The job's time limit (the points' safety nets together) is capped like every job's, at the role's cap; each
    point gets its share."""
    row = crud.get_plan_row(session, plan_id)
    jobs.check_may_analyse(principal, row.region)
    plan = crud.plan_of(row)
    if plan.mode != "optimise":
        raise Conflict(_("plan {id} is not an optimised plan; the trade-off runs from the status quo to an "
                         "optimised plan").format(id=plan_id))
    base = status_quo(session, row)
    if base is None:
        raise Conflict(_("plan {id} has no stored status quo to start the trade-off from").format(id=plan_id))
    version = crud.get_version(session, row.scenario_id, row.scenario_version)
    return jobs.queue_job(
        session, manager, principal, version, kind="tradeoff", mode="optimise",
        time_limit=min(request.time_limit * request.points, settings.max_solve_seconds(principal.role)),
        seed=plan.solver.seed,
        audit=("plan.tradeoff", f"plan {plan_id}, {request.points} points, {request.nodes} nodes"),
        request=json.dumps({"plan_id": plan_id, "status_quo_id": base[0], **request.model_dump()}))


def compute(scenario: Scenario, base_dir: Path | None, plan: Plan, base: Plan, request: dict[str, Any],
            seed: int, seconds: float, progress: Any = None) -> dict[str, Any]:
    """The curve and each point's placements (to make it a plan later), as the job's result. Runs in a runner."""
    from planner.geo.region import Region  # the solver stack loads lazily
    from planner.solve.tradeoff import plan_tradeoff, point_rows

    data, curve = plan_tradeoff(scenario, Region(scenario, base_dir), plan, base, points=int(request["points"]),
                                nodes=int(request["nodes"]), seconds=seconds / int(request["points"]), seed=seed,
                                progress=progress)
    return {"plan_id": request["plan_id"], "status_quo_id": request["status_quo_id"],
            "points": [point.as_out().model_dump() for point in curve],
            "placements": {str(point.max_changed): point_rows(data, point.assignments) for point in curve},
            "proposals": {}}


def _job(session: Session, plan_id: int, job_id: int | None) -> JobRow:
    """The done trade-off job ``job_id`` of the plan, or the plan's newest done one (404 when there is none)."""
    if job_id is not None:
        job = crud.get_job(session, job_id)
        if job.kind != "tradeoff" or json.loads(job.request or "{}").get("plan_id") != plan_id:
            raise NotFound(_("job {id} is not a trade-off of plan {plan}").format(id=job_id, plan=plan_id))
        if job.status != "done" or job.result is None:
            raise Conflict(_("trade-off job {id} is {status}; its curve is there when it is done").format(
                id=job_id, status=job.status))
        return job
    row = crud.get_plan_row(session, plan_id)
    recent = session.scalars(sa.select(JobRow).where(
        JobRow.kind == "tradeoff", JobRow.status == "done", JobRow.scenario_id == row.scenario_id,
        JobRow.scenario_version == row.scenario_version).order_by(JobRow.id.desc()).limit(50))
    found = next((job for job in recent if json.loads(job.request or "{}").get("plan_id") == plan_id), None)
    if found is None:
        raise NotFound(_("plan {id} has no trade-off yet; start one with POST /plans/{id}/tradeoff").format(id=plan_id))
    return found


def curve(session: Session, principal: Principal, plan_id: int, job_id: int | None = None) -> TradeoffOut:
    """The plan's trade-off curve (its newest, or that of job ``job_id``)."""
    readable(session, principal, plan_id)
    job = _job(session, plan_id, job_id)
    result = json.loads(job.result or "{}")
    return TradeoffOut(plan_id=plan_id, job_id=job.id, status_quo_id=result["status_quo_id"],
                       points=[TradeoffPoint.model_validate(p) for p in result["points"]],
                       proposals={int(k): v for k, v in result.get("proposals", {}).items()})


def propose(session: Session, settings: Settings, principal: Principal, plan_id: int, max_changed: int,
            job_id: int | None = None) -> PlanRow:
    """Make the curve's point with limit ``max_changed`` a plan of the same scenario version: the proposal the
    region adopts (404 when the curve has no such point). Editors of the region and admins."""
    from planner.geo.region import Region  # the solver stack loads lazily
    from planner.model.problem import compile_problem
    from planner.plan.reasons import explain
    from planner.solve.tradeoff import proposal_plan

    row = crud.get_plan_row(session, plan_id)
    principal.check_write(row.region)
    job = _job(session, plan_id, job_id)
    result = json.loads(job.result or "{}")
    points = {int(p["max_changed"]): TradeoffPoint.model_validate(p) for p in result["points"]}
    if max_changed not in points:
        raise NotFound(_("the trade-off of plan {id} has no point with at most {k} changed cohorts; its points: "
                         "{points}").format(id=plan_id, k=max_changed, points=", ".join(str(k) for k in sorted(points))))
    from api.services.plans import loaded_scenario

    loaded = loaded_scenario(session, settings, row)
    region = Region(loaded.scenario, loaded.base_dir)
    data = compile_problem(loaded.scenario, region, "optimise")
    point = points[max_changed]
    plan = proposal_plan(data, region, result["placements"][str(max_changed)], point)
    original = crud.plan_of(row)
    plan = plan.model_copy(update={"baselines": original.baselines, "tradeoff": [points[k] for k in sorted(points)]})
    plan = explain(plan, loaded.scenario, region, data)
    proposal = crud.save_plan(session, job, plan)
    job.plan_id = proposal.id  # the job's plan: the point chosen last
    result.setdefault("proposals", {})[str(max_changed)] = proposal.id
    job.result = json.dumps(result)
    crud.record(session, principal, "plan.propose", "plan", proposal.id, row.region,
                f"plan {plan_id}, trade-off point at most {max_changed} changed cohorts")
    session.commit()
    return proposal
