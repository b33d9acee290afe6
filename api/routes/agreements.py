"""Regions and their agreements: adopting a plan as the agreed internship calendar, and deviations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from api import crud, schemas, views
from api.deps import MAX_ID, AgreementId, PrincipalDep, RegionPath, SessionDep
from api.errors import NotFound
from planner.i18n import _
from planner.plan import analysis

router = APIRouter(tags=["agreements"])

AgreementBody = Annotated[schemas.AgreementCreate, Body(openapi_examples={
    "adopt": {"summary": "Adopt plan 3 as Twente's calendar", "value": {
        "plan_id": 3,
        "note": "Agreed in the consortium meeting of 2 March; care block internships in two waves."}},
})]


@router.get("/regions", response_model=list[schemas.RegionOut], tags=["regions"], summary="List regions")
def list_regions(principal: PrincipalDep, session: SessionDep) -> list[schemas.RegionOut]:
    """Every region with scenarios, plans or agreements that the token may read: counts, newest plan and
    current agreement."""
    current_ids = crud.current_agreement_ids(session)
    out = []
    for region in crud.regions(session, principal.visible_regions):
        latest = crud.latest_plan(session, region)
        current = crud.current_agreement(session, region)
        out.append(schemas.RegionOut(
            region=region, **crud.region_counts(session, region),
            latest_plan=views.plan_summary(latest) if latest else None,
            current_agreement=views.agreement_out(session, current, current_ids) if current else None))
    return out


@router.post("/regions/{region}/agreements", status_code=status.HTTP_201_CREATED, response_model=schemas.AgreementOut,
             responses=schemas.BODY_ERRORS, summary="Adopt a plan as the region's agreement")
def adopt(region: RegionPath, agreement: AgreementBody, principal: PrincipalDep, session: SessionDep,
          response: Response) -> schemas.AgreementOut:
    """Record that the region adopts a plan as its agreed internship calendar: who (the token's name),
    when (now), which plan and scenario version, and a note. The newest agreement is the region's
    current one; earlier ones stay in the history."""
    principal.check_write(region)
    row = crud.create_agreement(session, region, agreement.plan_id, principal.name, agreement.note)
    crud.record(session, principal, "agreement.adopt", "agreement", row.id, region, f"plan {row.plan_id}")
    session.commit()
    response.headers["Location"] = f"/agreements/{row.id}"
    return views.agreement_out(session, row)


@router.get("/regions/{region}/agreements", response_model=list[schemas.AgreementOut],
            responses={422: schemas.ERRORS[422]}, summary="The region's agreement history")
def history(region: RegionPath, principal: PrincipalDep, session: SessionDep) -> list[schemas.AgreementOut]:
    """The region's agreements, newest (current) first; empty when it has none."""
    principal.check_read(region)
    current_ids = crud.current_agreement_ids(session)
    return [views.agreement_out(session, row, current_ids) for row in crud.list_agreements(session, region)]


@router.get("/regions/{region}/agreements/current", response_model=schemas.AgreementOut, responses=schemas.ERRORS,
            summary="The region's current agreement")
def current(region: RegionPath, principal: PrincipalDep, session: SessionDep) -> schemas.AgreementOut:
    """The region's newest agreement (404 when it has none)."""
    principal.check_read(region)
    row = crud.current_agreement(session, region)
    if row is None:
        raise NotFound(_("region {region} has no agreement").format(region=repr(region)))
    return views.agreement_out(session, row)


@router.get("/regions/{region}/agreements/current/deviations", response_model=schemas.DeviationsOut,
            responses=schemas.ERRORS, summary="Where a plan deviates from the agreement")
def deviations(region: RegionPath, principal: PrincipalDep, session: SessionDep,
               plan_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="The plan to check "
                                                    "(default: the region's newest plan).")] = None,
               ) -> schemas.DeviationsOut:
    """Cohorts whose waves (start week, form, students per wave) in the plan differ from the region's
    current agreement, with both calendars side by side."""
    principal.check_read(region)
    agreement = crud.current_agreement(session, region)
    if agreement is None:
        raise NotFound(_("region {region} has no agreement").format(region=repr(region)))
    if plan_id is not None:
        plan_row = crud.get_plan_row(session, plan_id)
        principal.check_read(plan_row.region)
    else:
        plan_row = crud.latest_plan(session, region) or crud.get_plan_row(session, agreement.plan_id)
    agreed_row = crud.get_plan_row(session, agreement.plan_id)
    result = analysis.deviations(crud.plan_of(agreed_row), crud.plan_of(plan_row))
    return schemas.DeviationsOut(region=region, agreement=views.agreement_out(session, agreement),
                                 plan=views.plan_summary(plan_row), **result)


@router.get("/agreements/{agreement_id}", response_model=schemas.AgreementOut, responses=schemas.ERRORS,
            summary="Read an agreement")
def get_agreement(agreement_id: AgreementId, principal: PrincipalDep, session: SessionDep) -> schemas.AgreementOut:
    """One agreement: region, plan, scenario version, who adopted it, when, and the note."""
    row = crud.get_agreement(session, agreement_id)
    principal.check_read(row.region)
    return views.agreement_out(session, row)
