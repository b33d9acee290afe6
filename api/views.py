"""Turning database rows into response models (kept out of the routes)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session
from starlette.responses import FileResponse, Response

from api import crud, schemas
from api.artifacts import CHARTS
from api.models import AgreementRow, AuditRow, JobRow, PlanRow, ScenarioRow, ScenarioVersionRow, TokenRow, utcnow

if TYPE_CHECKING:
    from api.services.plans import PlanFile

#: Characters of a description shown in lists; reading the scenario gives all of it.
LIST_DESCRIPTION_CHARS = 300


def scenario_summary(row: ScenarioRow, version: ScenarioVersionRow, whole: bool = False) -> schemas.ScenarioSummary:
    description = version.description
    if not whole and len(description) > LIST_DESCRIPTION_CHARS:
        description = description[:LIST_DESCRIPTION_CHARS - 1] + "\u2026"
    return schemas.ScenarioSummary(
        id=row.id, name=version.name, region=version.region, description=description,
        version=version.version, cohorts=version.cohorts, companies=version.companies, students=version.students,
        created_at=row.created_at, updated_at=version.created_at,
    )


def scenario_out(row: ScenarioRow, version: ScenarioVersionRow) -> schemas.ScenarioOut:
    summary = scenario_summary(row, version, whole=True)
    return schemas.ScenarioOut(
        **summary.model_dump(), source_format=version.source_format, document=crud.version_document(version),
        files=sorted(crud.version_files(version)),
        warnings=[schemas.Problem(**p) for p in crud.version_warnings(version)],
    )


def version_summary(version: ScenarioVersionRow) -> schemas.ScenarioVersionSummary:
    return schemas.ScenarioVersionSummary(
        scenario_id=version.scenario_id, version=version.version, name=version.name, region=version.region,
        source_format=version.source_format, cohorts=version.cohorts, companies=version.companies,
        students=version.students, created_at=version.created_at,
    )


def jobs_out(session: Session, jobs: list[JobRow]) -> list[schemas.JobOut]:
    """Several jobs, their queue positions read at once."""
    positions = crud.queue_positions(session, jobs)
    return [job_out(session, job, positions) for job in jobs]


def job_out(session: Session, job: JobRow, positions: dict[int, int] | None = None) -> schemas.JobOut:
    """A job as the API shows it; ``positions`` are the queue positions when already read."""
    elapsed = None
    if job.started_at is not None:
        end = job.finished_at or utcnow()
        elapsed = round(max(0.0, (end - job.started_at).total_seconds()), 3)
    return schemas.JobOut(
        id=job.id, scenario_id=job.scenario_id, scenario_version=job.scenario_version, region=job.region,
        mode=job.mode, time_limit=job.time_limit, seed=job.seed, status=job.status,
        progress=schemas.JobProgress(phase=job.phase, incumbent=job.incumbent, bound=job.bound, elapsed=elapsed,
                                     solver_seconds=job.solver_seconds),
        queue_position=(crud.queue_positions(session, [job]) if positions is None else positions).get(job.id),
        attempts=job.attempts,
        cancel_requested=job.cancel_requested, error=job.error, note=job.note, plan_id=job.plan_id,
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at, kind=job.kind or "solve",
        sweep=schemas.SweepProgressOut(**json.loads(job.sweep_progress)) if job.sweep_progress else None,
        result_url=_result_url(job),
    )


def _result_url(job: JobRow) -> str | None:
    """Where a done job's result is: a sweep's comparison, a marginal ranking, a plan's trade-off curve."""
    if job.status != "done":
        return None
    if job.kind in ("sweep", "marginal"):
        return f"/jobs/{job.id}/{job.kind}"
    if job.kind == "tradeoff" and job.request:
        return f"/plans/{json.loads(job.request)['plan_id']}/tradeoff?job={job.id}"
    return None


def plan_summary(row: PlanRow) -> schemas.PlanSummary:
    return schemas.PlanSummary(
        id=row.id, scenario_id=row.scenario_id, scenario_version=row.scenario_version,
        scenario_name=row.scenario_name, region=row.region, mode=row.mode, job_id=row.job_id,
        created_at=row.created_at, objective=row.objective, students=row.students, unplaced=row.unplaced,
        shortage_rate=row.shortage_rate, solver_status=row.solver_status,
    )


def plan_links(plan_id: int) -> schemas.PlanLinks:
    base = f"/plans/{plan_id}"
    return schemas.PlanLinks(
        schedule=f"{base}/schedule", shortages=f"{base}/shortages", utilisation=f"{base}/utilisation",
        hotspots=f"{base}/hotspots", map=f"{base}/map",
        charts={name: f"{base}/charts/{name}.png" for name in CHARTS},
        downloads={name: f"{base}/{name}" for name in ("schedule.csv", "shortages.csv", "shortage_weeks.csv", "utilisation.csv",
                                                       "summary.md", "plan.json", "outputs.zip")},
    )


def plan_out(row: PlanRow) -> schemas.PlanOut:
    plan = crud.plan_of(row)
    return schemas.PlanOut(
        **plan_summary(row).model_dump(), weeks=plan.weeks, kpis=plan.kpis, baselines=plan.baselines,
        solver=plan.solver, links=plan_links(row.id),
    )


def agreement_out(session: Session, row: AgreementRow, current_ids: set[int] | None = None) -> schemas.AgreementOut:
    if current_ids is None:
        current = crud.current_agreement(session, row.region)
        is_current = current is not None and current.id == row.id
    else:
        is_current = row.id in current_ids
    plan = crud.get_plan_row(session, row.plan_id)
    return schemas.AgreementOut(
        id=row.id, region=row.region, plan_id=row.plan_id, scenario_id=row.scenario_id,
        scenario_version=row.scenario_version, adopted_by=row.adopted_by, adopted_at=row.adopted_at, note=row.note,
        current=is_current, plan=plan_summary(plan),
    )


def audit_entry(row: AuditRow) -> schemas.AuditEntry:
    return schemas.AuditEntry(id=row.id, at=row.at, token_id=row.token_id, actor=row.actor, action=row.action,
                              target_type=row.target_type, target_id=row.target_id, region=row.region,
                              detail=row.detail)


def token_out(row: TokenRow) -> schemas.TokenOut:
    return schemas.TokenOut(id=row.id, name=row.name, role=row.role, regions=crud.token_regions(row),
                            institution=row.institution, created_at=row.created_at, revoked_at=row.revoked_at,
                            expires_at=row.expires_at)


def file_response(file: PlanFile, save_as: str | None = None) -> Response:
    """A file made from a plan as the answer: offered for saving under its name (or ``save_as``), shown when it
    has none."""
    filename = save_as or file.filename
    if file.path is not None:
        return FileResponse(file.path, media_type=file.media_type, filename=filename)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else None
    return Response(file.text, media_type=file.media_type, headers=headers)
