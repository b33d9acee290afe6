"""Scenarios: storing a checked upload as a new scenario or a new version, reading and deleting them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import crud, schemas, views
from api.core.security import Principal
from api.crud import ScenarioContent
from api.errors import Conflict
from api.jobs import JobManager
from api.models import ScenarioRow, ScenarioVersionRow


def store(session: Session, principal: Principal, content: ScenarioContent, region: str | None,
          scenario_id: int | None = None) -> tuple[ScenarioRow, ScenarioVersionRow]:
    """Store a checked scenario as a new scenario (``scenario_id`` None) or a new version of one, with its
    audit record, and commit. The caller has checked write access to the regions involved."""
    if scenario_id is None:
        row, version = crud.create_scenario(session, content, region)
        action = "scenario.create"
    else:
        row, version = crud.add_version(session, scenario_id, content, region)
        action = "scenario.update"
    crud.record(session, principal, action, "scenario", row.id, row.region, f"version {version.version}")
    session.commit()
    return row, version


def get_scenario(session: Session, principal: Principal, scenario_id: int,
                 version: int | None = None) -> schemas.ScenarioOut:
    """A version of a scenario the caller may read (default: the latest), with its document and warnings."""
    principal.check_read(crud.get_scenario(session, scenario_id).region)
    found = crud.get_version(session, scenario_id, version)
    return views.scenario_out(found.scenario, found)


def list_versions(session: Session, principal: Principal, scenario_id: int) -> list[schemas.ScenarioVersionSummary]:
    """Every version of a scenario the caller may read, oldest first."""
    principal.check_read(crud.get_scenario(session, scenario_id).region)
    return [views.version_summary(v) for v in crud.list_versions(session, scenario_id)]


def delete(session: Session, manager: JobManager, principal: Principal, scenario_id: int) -> None:
    """Mark a scenario deleted (its plans and agreements stay) and cancel its queued and running jobs."""
    region = crud.get_scenario(session, scenario_id).region
    principal.check_write(region)
    active = crud.delete_scenario(session, scenario_id)
    crud.record(session, principal, "scenario.delete", "scenario", scenario_id, region)
    session.commit()
    for job_id in active:
        try:
            manager.cancel(job_id)
        except Conflict:
            pass  # finished in the meantime
