"""Plans (parsed once and cached), the regions they belong to and the agreements that adopt them."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Collection

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Session

from api.crud.lookup import by_id
from api.crud.scenarios import version_for
from api.errors import InvalidInput
from api.models import (
    AgreementRow,
    JobRow,
    PlanRow,
    ScenarioRow,
)
from planner.i18n import N_, _
from planner.plan.model import Plan


class _PlanCache:
    """Parsed plans by database, id and creation time (plans never change once stored).

    The key needs no plan JSON, so a cached plan is served without reading its (deferred) column;
    the database is part of it because servers and tests may open several, each with its plan 1.
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._items: OrderedDict[tuple[str, int, dt.datetime], Plan] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, row: PlanRow) -> Plan:
        session = sa.inspect(row).session
        database = str(session.get_bind().url) if session is not None else ""
        key = (database, row.id, row.created_at)
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
    return by_id(session, PlanRow, plan_id, N_("plan {id} does not exist"))


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


def best_plan(session: Session, scenario_id: int, version: int, mode: str) -> PlanRow | None:
    """The best plan known of a scenario version in ``mode``: the lowest weighted shortage, the newest of equals."""
    return session.scalar(sa.select(PlanRow).where(
        PlanRow.scenario_id == scenario_id, PlanRow.scenario_version == version, PlanRow.mode == mode)
        .order_by(PlanRow.objective, PlanRow.id.desc()).limit(1))


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


def region_plan(session: Session, region: str, plan_id: int) -> PlanRow:
    """Plan ``plan_id`` when it is one of ``region``'s, else a 422 on ``plan_id`` (an agreement or a proposal
    can only name a plan of its own region)."""
    plan = session.get(PlanRow, plan_id)
    if plan is None:
        raise InvalidInput.one("plan_id", _("plan {id} does not exist").format(id=plan_id))
    if plan.region != region:
        raise InvalidInput.one("plan_id", _("plan {id} belongs to region {region}, not {wanted}").format(
            id=plan_id, region=repr(plan.region), wanted=repr(region)))
    return plan


def create_agreement(session: Session, region: str, plan_id: int, adopted_by: str, note: str) -> AgreementRow:
    """Record that ``region`` adopts plan ``plan_id`` as its agreed internship calendar."""
    plan = region_plan(session, region, plan_id)
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
    return by_id(session, AgreementRow, agreement_id, N_("agreement {id} does not exist"))


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
    """Live scenarios, plans and agreements (adopted, the current one and earlier ones) of a region."""
    scenarios = session.scalar(sa.select(sa.func.count()).select_from(ScenarioRow).where(
        ScenarioRow.region == region, ScenarioRow.deleted_at.is_(None)))
    plans = session.scalar(sa.select(sa.func.count()).select_from(PlanRow).where(PlanRow.region == region,
                                                                                 _job_result()))
    agreements = session.scalar(sa.select(sa.func.count()).select_from(AgreementRow).where(
        AgreementRow.region == region))
    return {"scenarios": int(scenarios or 0), "plans": int(plans or 0), "agreements": int(agreements or 0)}


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
