"""Agreements: a region adopting a plan as its agreed internship calendar, its history, and where a plan
deviates from it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import crud, schemas, views
from api.core.security import Principal
from api.errors import NotFound
from api.models import AgreementRow
from planner.i18n import _
from planner.plan import analysis


def adopt(session: Session, principal: Principal, region: str, agreement: schemas.AgreementCreate) -> AgreementRow:
    """Record (and commit) that the region adopts a plan, by the caller, now, with a note."""
    principal.check_write(region)
    row = crud.create_agreement(session, region, agreement.plan_id, principal.name, agreement.note)
    crud.record(session, principal, "agreement.adopt", "agreement", row.id, region, f"plan {row.plan_id}")
    session.commit()
    return row


def history(session: Session, principal: Principal, region: str) -> list[schemas.AgreementOut]:
    """The region's agreements, newest (current) first."""
    principal.check_read(region)
    current_ids = crud.current_agreement_ids(session)
    return [views.agreement_out(session, row, current_ids) for row in crud.list_agreements(session, region)]


def _current_row(session: Session, region: str) -> AgreementRow:
    row = crud.current_agreement(session, region)
    if row is None:
        raise NotFound(_("region {region} has no agreement").format(region=repr(region)))
    return row


def current(session: Session, principal: Principal, region: str) -> schemas.AgreementOut:
    """The region's newest agreement (404 when it has none)."""
    principal.check_read(region)
    return views.agreement_out(session, _current_row(session, region))


def deviations(session: Session, principal: Principal, region: str, plan_id: int | None) -> schemas.DeviationsOut:
    """Cohorts whose waves in the plan (default: the region's newest) differ from the current agreement."""
    principal.check_read(region)
    agreement = _current_row(session, region)
    if plan_id is not None:
        plan_row = crud.get_plan_row(session, plan_id)
        principal.check_read(plan_row.region)
    else:
        plan_row = crud.latest_plan(session, region) or crud.get_plan_row(session, agreement.plan_id)
    agreed_row = crud.get_plan_row(session, agreement.plan_id)
    result = analysis.deviations(crud.plan_of(agreed_row), crud.plan_of(plan_row))
    return schemas.DeviationsOut(region=region, agreement=views.agreement_out(session, agreement),
                                 plan=views.plan_summary(plan_row), **result)


def get_agreement(session: Session, principal: Principal, agreement_id: int) -> schemas.AgreementOut:
    """One agreement the caller may read."""
    row = crud.get_agreement(session, agreement_id)
    principal.check_read(row.region)
    return views.agreement_out(session, row)
