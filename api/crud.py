"""Reading and writing the API's records: scenarios and versions, jobs, plans, agreements.

Functions take a SQLAlchemy session and plain data (no HTTP requests), and raise
:class:`~api.errors.NotFound` or :class:`~api.errors.InvalidInput` for mistakes of the
caller (the app maps them to 404 and 422).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Session

from api.core.security import Principal, Role, hash_token, new_token, token_lookup, token_matches
from api.errors import InvalidInput, NotFound
from api.models import (
    ACTIVE_STATUSES,
    AgreementRow,
    AuditRow,
    JobRow,
    PlanRow,
    ScenarioRow,
    ScenarioVersionRow,
    TokenRow,
    WebSessionRow,
    utcnow,
)
from api.schemas.common import NAME_PATTERN
from planner.i18n import N_, _
from planner.plan.model import Plan
from planner.scenario import Scenario
from planner.scenario.problems import InputProblem

# ------------------------------------------------------------------ scenarios


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


# ------------------------------------------------------------------ jobs


def create_job(session: Session, version: ScenarioVersionRow, mode: str, time_limit: float, seed: int,
               share: str | None = None, kind: str = "solve") -> JobRow:
    """A queued job (a solve unless ``kind`` says otherwise) for a scenario version, counted against
    ``share`` of the queue (default: the version's region)."""
    job = JobRow(scenario_id=version.scenario_id, scenario_version=version.version, region=version.region,
                 mode=mode, time_limit=time_limit, seed=seed, status="queued", kind=kind,
                 share=version.region if share is None else share)
    session.add(job)
    session.flush()
    return job


def _by_id(session: Session, model: type, key: int, missing: str):
    """The row with id ``key``, else :class:`NotFound` with ``missing`` (a text marked with ``N_``, ``{id}`` in it)."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(_(missing).format(id=key))
    return row


def get_job(session: Session, job_id: int) -> JobRow:
    """A job by id."""
    return _by_id(session, JobRow, job_id, N_("job {id} does not exist"))


def list_jobs(session: Session, status: str | None, scenario_id: int | None, limit: int, offset: int,
              visible: Collection[str] | None = None) -> list[JobRow]:
    """Jobs, newest first; only of ``visible`` regions unless None."""
    query = sa.select(JobRow)
    if visible is not None:
        query = query.where(JobRow.region.in_(list(visible)))
    if status is not None:
        query = query.where(JobRow.status == status)
    if scenario_id is not None:
        query = query.where(JobRow.scenario_id == scenario_id)
    return list(session.scalars(query.order_by(JobRow.id.desc()).limit(limit).offset(offset)))


def queued_in_share(session: Session, share: str) -> int:
    """Jobs waiting in one share of the queue."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(JobRow).where(
        JobRow.status == "queued", JobRow.share == share)) or 0)


def queued_total(session: Session) -> int:
    """Jobs waiting in the whole queue."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(JobRow).where(JobRow.status == "queued")) or 0)


def queue_positions(session: Session, jobs: Collection[JobRow]) -> dict[int, int]:
    """Job id -> at most this many jobs start before it, itself included (1: next), for the queued ones.

    The runners take the shares in turn, oldest first within a share: a job that is the n-th of its
    share starts after its share's n - 1 older jobs and at most n jobs of every other share. One
    query for all of them.
    """
    if not any(job.status == "queued" for job in jobs):
        return {}
    queued: dict[str, list[int]] = {}
    for job_id, share in session.execute(sa.select(JobRow.id, JobRow.share).where(JobRow.status == "queued")
                                         .order_by(JobRow.id)):
        queued.setdefault(share, []).append(job_id)
    positions = {}
    for job in jobs:
        ids = queued.get(job.share, [])
        if job.status != "queued" or job.id not in ids:
            continue
        nth = ids.index(job.id) + 1
        positions[job.id] = nth + sum(min(len(others), nth) for share, others in queued.items() if share != job.share)
    return positions


def next_in_turn(session: Session, limit: int = 5) -> list[int]:
    """Queued job ids in the order the runners take them: the oldest of each share, the share whose
    job started longest ago (or never) first, so one region's many jobs do not hold up another's."""
    heads = session.execute(sa.select(JobRow.share, sa.func.min(JobRow.id)).where(JobRow.status == "queued")
                            .group_by(JobRow.share)).all()
    if not heads:
        return []
    last_start = dict(session.execute(sa.select(JobRow.share, sa.func.max(JobRow.started_at)).where(
        JobRow.share.in_([share for share, _first in heads]), JobRow.started_at.is_not(None))
        .group_by(JobRow.share)).all())

    def turn(head: tuple[str, int]) -> tuple[bool, float, int]:
        started = last_start.get(head[0])
        return started is not None, started.timestamp() if started is not None else 0.0, head[1]

    return [first for _share, first in sorted(heads, key=turn)[:limit]]


def job_counts(session: Session) -> dict[str, int]:
    """Number of jobs per status."""
    rows = session.execute(sa.select(JobRow.status, sa.func.count()).group_by(JobRow.status))
    return {status: int(count) for status, count in rows}


# ------------------------------------------------------------------ plans


class _PlanCache:
    """Parsed plans by the hash of their JSON (plans never change once stored)."""

    def __init__(self, size: int = 32):
        self.size = size
        self._items: OrderedDict[str, Plan] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, row: PlanRow) -> Plan:
        # Keyed by content, not by id: servers and tests may open several databases, each with its plan 1.
        key = hashlib.sha256(row.plan_json.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            plan = self._items.get(key)
            if plan is not None:
                self._items.move_to_end(key)
                return plan
        plan = Plan.model_validate_json(row.plan_json)
        with self._lock:
            self._items[key] = plan
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return plan


_plans = _PlanCache()


def save_plan(session: Session, job: JobRow, plan: Plan) -> PlanRow:
    """Store the plan a job produced."""
    version = version_for(session, job.scenario_id, job.scenario_version)
    row = PlanRow(scenario_id=job.scenario_id, scenario_version=job.scenario_version,
                  scenario_name=(version.name if version else plan.scenario)[:200], job_id=job.id,
                  region=job.region, mode=plan.mode, objective=plan.kpis.objective, students=plan.kpis.students,
                  unplaced=plan.kpis.unplaced, shortage_rate=plan.kpis.shortage_rate,
                  solver_status=plan.solver.status[:100], plan_json=plan.model_dump_json())
    session.add(row)
    session.flush()
    return row


def get_plan_row(session: Session, plan_id: int) -> PlanRow:
    """A plan row by id."""
    return _by_id(session, PlanRow, plan_id, N_("plan {id} does not exist"))


def plan_of(row: PlanRow) -> Plan:
    """The parsed plan of a row (cached)."""
    return _plans.get(row)


def _job_result():  # noqa: ANN202 - a where clause
    """Rows that are what their job asked for, not a baseline plan stored with it."""
    asked = sa.select(JobRow.plan_id).where(JobRow.id == PlanRow.job_id).scalar_subquery()
    return sa.or_(PlanRow.job_id.is_(None), PlanRow.id == asked)


def list_plans(session: Session, region: str | None, scenario_id: int | None, mode: str | None,
               limit: int, offset: int, visible: Collection[str] | None = None) -> list[PlanRow]:
    """Plans, newest first, optionally filtered; only of ``visible`` regions unless None."""
    query = sa.select(PlanRow).where(_job_result())
    if visible is not None:
        query = query.where(PlanRow.region.in_(list(visible)))
    if region is not None:
        query = query.where(PlanRow.region == region)
    if scenario_id is not None:
        query = query.where(PlanRow.scenario_id == scenario_id)
    if mode is not None:
        query = query.where(PlanRow.mode == mode)
    return list(session.scalars(query.order_by(PlanRow.created_at.desc(), PlanRow.id.desc()).limit(limit).offset(offset)))


def _live_plans():  # noqa: ANN202 - a select
    return (sa.select(PlanRow).join(ScenarioRow, ScenarioRow.id == PlanRow.scenario_id)
            .where(ScenarioRow.deleted_at.is_(None), _job_result()))


def latest_plan(session: Session, region: str, mode: str | None = None) -> PlanRow | None:
    """The newest plan of a region (scenarios not deleted), optionally of one mode."""
    query = _live_plans().where(PlanRow.region == region)
    if mode is not None:
        query = query.where(PlanRow.mode == mode)
    return session.scalar(query.order_by(PlanRow.id.desc()).limit(1))


def latest_plans_per_region(session: Session, mode: str | None = None,
                            visible: Collection[str] | None = None) -> list[PlanRow]:
    """The newest plan of every region (scenarios not deleted; only ``visible`` regions unless None), by region."""
    newest = sa.select(PlanRow.region, sa.func.max(PlanRow.id).label("plan_id")).join(
        ScenarioRow, ScenarioRow.id == PlanRow.scenario_id).where(ScenarioRow.deleted_at.is_(None), _job_result())
    if visible is not None:
        newest = newest.where(PlanRow.region.in_(list(visible)))
    if mode is not None:
        newest = newest.where(PlanRow.mode == mode)
    newest = newest.group_by(PlanRow.region).subquery()
    query = sa.select(PlanRow).join(newest, PlanRow.id == newest.c.plan_id).order_by(PlanRow.region)
    return list(session.scalars(query))


# ------------------------------------------------------------------ agreements and regions


def create_agreement(session: Session, region: str, plan_id: int, adopted_by: str, note: str) -> AgreementRow:
    """Record that ``region`` adopts plan ``plan_id`` as its agreed internship calendar."""
    plan = session.get(PlanRow, plan_id)
    if plan is None:
        raise InvalidInput.one("plan_id", _("plan {id} does not exist").format(id=plan_id))
    if plan.region != region:
        raise InvalidInput.one("plan_id", _("plan {id} belongs to region {region}, not {wanted}").format(
            id=plan_id, region=repr(plan.region), wanted=repr(region)))
    agreement = AgreementRow(region=region, plan_id=plan.id, scenario_id=plan.scenario_id,
                             scenario_version=plan.scenario_version, adopted_by=adopted_by, note=note)
    session.add(agreement)
    session.flush()
    return agreement


def list_agreements(session: Session, region: str) -> list[AgreementRow]:
    """A region's agreements, newest first."""
    return list(session.scalars(sa.select(AgreementRow).where(AgreementRow.region == region)
                                .order_by(AgreementRow.id.desc())))


def get_agreement(session: Session, agreement_id: int) -> AgreementRow:
    """An agreement by id."""
    return _by_id(session, AgreementRow, agreement_id, N_("agreement {id} does not exist"))


def current_agreement(session: Session, region: str) -> AgreementRow | None:
    """The region's newest agreement."""
    return session.scalar(sa.select(AgreementRow).where(AgreementRow.region == region)
                          .order_by(AgreementRow.id.desc()).limit(1))


def current_agreement_ids(session: Session) -> set[int]:
    """Ids of every region's current agreement."""
    newest = sa.select(sa.func.max(AgreementRow.id)).group_by(AgreementRow.region)
    return {int(i) for i in session.scalars(newest)}


def regions(session: Session, visible: Collection[str] | None = None) -> list[str]:
    """Every region named by a live scenario, a plan or an agreement (of ``visible`` unless None), sorted."""
    names: set[str] = set(session.scalars(sa.select(ScenarioRow.region).where(ScenarioRow.deleted_at.is_(None))))
    names |= set(session.scalars(sa.select(PlanRow.region).distinct()))
    names |= set(session.scalars(sa.select(AgreementRow.region).distinct()))
    return sorted(names if visible is None else names & set(visible))


def region_counts(session: Session, region: str) -> dict[str, int]:
    """Live scenarios and plans of a region."""
    scenarios = session.scalar(sa.select(sa.func.count()).select_from(ScenarioRow).where(
        ScenarioRow.region == region, ScenarioRow.deleted_at.is_(None)))
    plans = session.scalar(sa.select(sa.func.count()).select_from(PlanRow).where(PlanRow.region == region,
                                                                                 _job_result()))
    return {"scenarios": int(scenarios or 0), "plans": int(plans or 0)}


def status_quo_for(session: Session, row: PlanRow) -> PlanRow | None:
    """The status-quo plan to compare with (charts, maps, summary): the one solved with the plan, if any,
    else the newest status-quo plan of the same scenario version."""
    if row.mode == "status-quo":
        return None
    if row.job_id is not None:
        same_solve = session.scalar(sa.select(PlanRow).where(
            PlanRow.job_id == row.job_id, PlanRow.mode == "status-quo", PlanRow.id != row.id).limit(1))
        if same_solve is not None:
            return same_solve
    return session.scalar(sa.select(PlanRow).where(
        PlanRow.scenario_id == row.scenario_id, PlanRow.scenario_version == row.scenario_version,
        PlanRow.mode == "status-quo").order_by(PlanRow.id.desc()).limit(1))


# ------------------------------------------------------------------ tokens and the audit log


def create_token(session: Session, name: str, role: str, regions: Collection[str],
                 lifetime: dt.timedelta | None = None) -> tuple[TokenRow, str]:
    """Store a new token, expiring after ``lifetime`` (None: never); returns the row and the token text
    (shown once, only its hash is stored)."""
    name = name.strip()
    if not name or len(name) > 200 or not re.match(NAME_PATTERN, name):
        raise InvalidInput.one("name", _("must be 1 to 200 characters without control characters"))
    if role not in Role.__members__:
        raise InvalidInput.one("role", _("{value} is not one of {allowed}").format(value=repr(role),
                                                                                  allowed=", ".join(Role)))
    cleaned = sorted({r.strip() for r in regions})
    if any(not r or len(r) > 200 or not re.match(NAME_PATTERN, r) for r in cleaned):
        raise InvalidInput.one("region", _("every region must be 1 to 200 characters without control characters"))
    if role in (Role.reader, Role.editor) and not cleaned:
        raise InvalidInput.one("region", _("a {role} token needs at least one region").format(role=role))
    made = new_token()
    row = TokenRow(lookup=made.lookup, token_hash=made.token_hash, name=name, role=role, regions=json.dumps(cleaned),
                   expires_at=utcnow() + lifetime if lifetime is not None else None)
    session.add(row)
    session.flush()
    return row, made.token


def token_regions(row: TokenRow) -> list[str]:
    """The regions a token is given."""
    return json.loads(row.regions or "[]")


#: Compared against when no token has the lookup id, so an unknown token costs what a wrong one does.
_NO_TOKEN_HASH = hash_token("")


def token_principal(row: TokenRow, now: dt.datetime) -> Principal | None:
    """The caller a token row stands for, or None when it is revoked or expired at ``now``."""
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return Principal(row.id, row.name, Role(row.role), frozenset(token_regions(row)))


def authenticate(session: Session, token: str, now: dt.datetime | None = None) -> Principal | None:
    """The caller behind ``token``, or None when it is malformed, unknown, revoked or expired."""
    lookup = token_lookup(token)
    if lookup is None:
        return None
    row = session.scalar(sa.select(TokenRow).where(TokenRow.lookup == lookup))
    if not token_matches(token, row.token_hash if row is not None else _NO_TOKEN_HASH) or row is None:
        return None
    return token_principal(row, now or utcnow())


def list_tokens(session: Session) -> list[TokenRow]:
    """Every token (revoked ones too), oldest first."""
    return list(session.scalars(sa.select(TokenRow).order_by(TokenRow.id)))


def revoke_token(session: Session, token_id: int) -> TokenRow:
    """Revoke a token at once (it stays listed, marked revoked) and end its web sessions."""
    row = _by_id(session, TokenRow, token_id, N_("token {id} does not exist"))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.execute(sa.delete(WebSessionRow).where(WebSessionRow.token_id == row.id))
    return row


def record(session: Session, actor: Principal | None, action: str, target_type: str, target_id: int | None,
           region: str | None, detail: str = "") -> AuditRow:
    """Add an audit entry (committed with the change it describes); ``actor`` None means the command line."""
    row = AuditRow(token_id=actor.token_id if actor else None, actor=actor.name if actor else "command line",
                   action=action, target_type=target_type, target_id=target_id, region=region, detail=detail)
    session.add(row)
    session.flush()
    return row


def list_audit(session: Session, region: str | None, action: str | None, limit: int, offset: int) -> list[AuditRow]:
    """Audit entries, newest first, optionally of one region or action."""
    query = sa.select(AuditRow)
    if region is not None:
        query = query.where(AuditRow.region == region)
    if action is not None:
        query = query.where(AuditRow.action == action)
    return list(session.scalars(query.order_by(AuditRow.id.desc()).limit(limit).offset(offset)))
