"""Regions and their agreements: adopting a plan as the agreed internship calendar, and deviations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from api import schemas, views
from api.deps import MAX_ID, AgreementId, PrincipalDep, RegionPath, SessionDep
from api.services import agreements as service
from api.services import regions

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
    return regions.list_regions(session, principal)


@router.post("/regions/{region}/agreements", status_code=status.HTTP_201_CREATED, response_model=schemas.AgreementOut,
             responses=schemas.BODY_ERRORS, summary="Adopt a plan as the region's agreement")
def adopt(region: RegionPath, agreement: AgreementBody, principal: PrincipalDep, session: SessionDep,
          response: Response) -> schemas.AgreementOut:
    """Record that the region adopts a plan as its agreed internship calendar: who (the token's name),
    when (now), which plan and scenario version, and a note. The newest agreement is the region's
    current one; earlier ones stay in the history."""
    row = service.adopt(session, principal, region, agreement)
    response.headers["Location"] = f"/agreements/{row.id}"
    return views.agreement_out(session, row)


@router.get("/regions/{region}/agreements", response_model=list[schemas.AgreementOut],
            responses={422: schemas.ERRORS[422]}, summary="The region's agreement history")
def history(region: RegionPath, principal: PrincipalDep, session: SessionDep) -> list[schemas.AgreementOut]:
    """The region's agreements, newest (current) first; empty when it has none."""
    return service.history(session, principal, region)


@router.get("/regions/{region}/agreements/current", response_model=schemas.AgreementOut, responses=schemas.ERRORS,
            summary="The region's current agreement")
def current(region: RegionPath, principal: PrincipalDep, session: SessionDep) -> schemas.AgreementOut:
    """The region's newest agreement (404 when it has none)."""
    return service.current(session, principal, region)


@router.get("/regions/{region}/agreements/current/deviations", response_model=schemas.DeviationsOut,
            responses=schemas.ERRORS, summary="Where a plan deviates from the agreement")
def deviations(region: RegionPath, principal: PrincipalDep, session: SessionDep,
               plan_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="The plan to check "
                                                    "(default: the region's newest plan).")] = None,
               ) -> schemas.DeviationsOut:
    """Cohorts whose waves (start week, form, students per wave) in the plan differ from the region's
    current agreement, with both calendars side by side."""
    return service.deviations(session, principal, region, plan_id)


@router.get("/agreements/{agreement_id}", response_model=schemas.AgreementOut, responses=schemas.ERRORS,
            summary="Read an agreement")
def get_agreement(agreement_id: AgreementId, principal: PrincipalDep, session: SessionDep) -> schemas.AgreementOut:
    """One agreement: region, plan, scenario version, who adopted it, when, and the note."""
    return service.get_agreement(session, principal, agreement_id)
