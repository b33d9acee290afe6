"""Scenarios and their versions: store, read, list and delete them."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Session

from api.errors import InvalidInput, NotFound
from api.models import (
    ACTIVE_STATUSES,
    JobRow,
    ScenarioRow,
    ScenarioVersionRow,
    utcnow,
)
from planner.i18n import _
from planner.scenario import Scenario
from planner.scenario.problems import InputProblem


@dataclass(frozen=True)
class ScenarioContent:
    """What one scenario version stores.

    Attributes
    ----------
    scenario
        The checked scenario.
    document
        Its document with the tables inline (rebuilds the same scenario).
    files
        Side files it refers to (travel matrix CSV, area GeoJSON): name -> text.
    source_format
        How it arrived: ``json``, ``yaml`` or ``multipart``.
    warnings
        Problems found while loading that did not stop it.
    """

    scenario: Scenario
    document: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    source_format: str = "json"
    warnings: list[InputProblem] = field(default_factory=list)


def _summary_counts(scenario: Scenario) -> dict[str, int]:
    return {"cohorts": len(scenario.cohorts), "companies": len(scenario.companies),
            "students": sum(c.students for c in scenario.cohorts)}


def _check_region(region: str | None) -> str | None:
    if region is None:
        return None
    region = region.strip()
    if not region or len(region) > 200:
        raise InvalidInput.one("region", _("must be 1 to 200 characters"), where="query")
    return region


def _version_row(scenario_id: int, version: int, content: ScenarioContent, region: str) -> ScenarioVersionRow:
    scenario = content.scenario
    return ScenarioVersionRow(
        scenario_id=scenario_id, version=version, name=scenario.name, region=region,
        description=scenario.description, source_format=content.source_format,
        document=json.dumps(content.document),
        files=json.dumps(content.files),
        warnings=json.dumps([p.__dict__ for p in content.warnings]),
        **_summary_counts(scenario),
    )


def scenario_region(content: ScenarioContent, region: str | None) -> str:
    """The region a new scenario is stored under: the one given, else the scenario name."""
    return _check_region(region) or content.scenario.name[:200]


def create_scenario(session: Session, content: ScenarioContent,
                    region: str | None = None) -> tuple[ScenarioRow, ScenarioVersionRow]:
    """Store a new scenario with version 1; its region defaults to the scenario name."""
    scenario = content.scenario
    region = scenario_region(content, region)
    row = ScenarioRow(name=scenario.name[:200], region=region, latest_version=1)
    session.add(row)
    session.flush()
    version = _version_row(row.id, 1, content, region)
    session.add(version)
    session.flush()
    return row, version


def add_version(session: Session, scenario_id: int, content: ScenarioContent,
                region: str | None = None) -> tuple[ScenarioRow, ScenarioVersionRow]:
    """Store a new version of a scenario (the old ones stay); keeps the region unless given."""
    row = get_scenario(session, scenario_id, lock=True)
    region = _check_region(region) or row.region
    row.latest_version += 1
    row.name = content.scenario.name[:200]
    row.region = region
    row.updated_at = utcnow()
    version = _version_row(row.id, row.latest_version, content, region)
    session.add(version)
    session.flush()
    return row, version


def get_scenario(session: Session, scenario_id: int, lock: bool = False) -> ScenarioRow:
    """A scenario that exists and is not deleted."""
    query = sa.select(ScenarioRow).where(ScenarioRow.id == scenario_id, ScenarioRow.deleted_at.is_(None))
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound(_("scenario {id} does not exist").format(id=scenario_id))
    return row


def list_scenarios(session: Session, region: str | None, limit: int, offset: int,
                   visible: Collection[str] | None = None) -> list[ScenarioRow]:
    """Scenarios (not deleted), newest first, optionally of one region; only ``visible`` regions unless None."""
    query = sa.select(ScenarioRow).where(ScenarioRow.deleted_at.is_(None))
    if region is not None:
        query = query.where(ScenarioRow.region == region)
    if visible is not None:
        query = query.where(ScenarioRow.region.in_(list(visible)))
    return list(session.scalars(query.order_by(ScenarioRow.id.desc()).limit(limit).offset(offset)))


def summary_versions(session: Session, rows: list[ScenarioRow]) -> dict[int, ScenarioVersionRow]:
    """The latest version of each scenario, by scenario id, without the documents (for lists)."""
    if not rows:
        return {}
    query = sa.select(ScenarioVersionRow).join(ScenarioRow, sa.and_(
        ScenarioRow.id == ScenarioVersionRow.scenario_id, ScenarioRow.latest_version == ScenarioVersionRow.version)
    ).where(ScenarioRow.id.in_([row.id for row in rows])).options(
        sa.orm.defer(ScenarioVersionRow.document), sa.orm.defer(ScenarioVersionRow.files),
        sa.orm.defer(ScenarioVersionRow.warnings))
    return {version.scenario_id: version for version in session.scalars(query)}


def get_version(session: Session, scenario_id: int, version: int | None = None) -> ScenarioVersionRow:
    """A version of a live scenario (default: the latest)."""
    row = get_scenario(session, scenario_id)
    number = row.latest_version if version is None else version
    found = session.scalar(sa.select(ScenarioVersionRow).where(
        ScenarioVersionRow.scenario_id == scenario_id, ScenarioVersionRow.version == number))
    if found is None:
        raise NotFound(_("scenario {id} has no version {number} (latest is {latest})").format(
            id=scenario_id, number=number, latest=row.latest_version))
    return found


def list_versions(session: Session, scenario_id: int) -> list[ScenarioVersionRow]:
    """All versions of a live scenario, oldest first."""
    get_scenario(session, scenario_id)
    return list(session.scalars(sa.select(ScenarioVersionRow).where(ScenarioVersionRow.scenario_id == scenario_id)
                                .order_by(ScenarioVersionRow.version)))


def version_for(session: Session, scenario_id: int, version: int) -> ScenarioVersionRow | None:
    """A version of any scenario, deleted or not (for jobs and plans)."""
    return session.scalar(sa.select(ScenarioVersionRow).where(
        ScenarioVersionRow.scenario_id == scenario_id, ScenarioVersionRow.version == version))


def delete_scenario(session: Session, scenario_id: int) -> list[int]:
    """Mark a scenario deleted; returns its active job ids (to be cancelled).

    Versions, plans and agreements stay: agreements are a record and must keep pointing at
    the plan and scenario version they adopted.
    """
    row = get_scenario(session, scenario_id, lock=True)
    row.deleted_at = utcnow()
    return list(session.scalars(sa.select(JobRow.id).where(JobRow.scenario_id == scenario_id,
                                                           JobRow.status.in_(ACTIVE_STATUSES))))


def version_document(version: ScenarioVersionRow) -> dict[str, Any]:
    """The stored scenario document of a version."""
    return json.loads(version.document)


def version_files(version: ScenarioVersionRow) -> dict[str, str]:
    """Side files (travel matrix, GeoJSON) of a version by name."""
    return json.loads(version.files or "{}")


def version_warnings(version: ScenarioVersionRow) -> list[dict[str, Any]]:
    """Load warnings of a version, as problem dicts with their text."""
    problems = [InputProblem(**p) for p in json.loads(version.warnings or "[]")]
    return [{**p.__dict__, "text": str(p)} for p in problems]
