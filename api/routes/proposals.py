"""Sign-off per school: proposing a plan as the region's agreement, each institution's decision on its part,
and a new plan version for a proposal (which resets the decisions)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response, status

from api import schemas
from api.deps import PrincipalDep, ProposalId, RegionPath, SessionDep
from api.services import proposals as service

router = APIRouter(tags=["agreements"])

#: A proposal's state-changing answers: 409 when it is no longer open.
_STATE_ERRORS: dict[int | str, dict[str, Any]] = {
    **schemas.BODY_ERRORS, 409: {"model": schemas.Message, "description": "The proposal is adopted or superseded"}}

ProposalBody = Annotated[schemas.ProposalCreate, Body(openapi_examples={
    "propose": {"summary": "Propose plan 3 to Twente's institutions", "value": {
        "plan_id": 3, "note": "Proposal of the consortium meeting of 2 March."}},
})]
DecisionBody = Annotated[schemas.DecisionCreate, Body(openapi_examples={
    "approve": {"summary": "A school approves its part", "value": {"decision": "approve", "note": "Agreed."}},
    "reject": {"summary": "A school rejects its part", "value": {
        "decision": "reject", "note": "Week 8 clashes with our exams; we ask for week 10."}},
})]


@router.post("/regions/{region}/proposals", status_code=status.HTTP_201_CREATED, response_model=schemas.ProposalOut,
             responses=schemas.BODY_ERRORS, summary="Propose a plan as the region's agreement")
def propose(region: RegionPath, body: ProposalBody, principal: PrincipalDep, session: SessionDep,
            response: Response) -> schemas.ProposalOut:
    """Propose a plan of the region as its agreement. Each institution with a cohort in the plan then
    approves or rejects its part (school tokens); once all have approved, the plan is adopted as the
    region's agreement. An open proposal of the region is superseded (its decisions stay in its history)."""
    row = service.propose(session, principal, region, body)
    response.headers["Location"] = f"/proposals/{row.id}"
    return service.proposal_out(session, row)


@router.get("/regions/{region}/proposals", response_model=list[schemas.ProposalOut],
            responses={422: schemas.ERRORS[422]}, summary="The region's proposals")
def proposals(region: RegionPath, principal: PrincipalDep, session: SessionDep) -> list[schemas.ProposalOut]:
    """The region's proposals, newest first, each with where its institutions stand and its history."""
    return service.history(session, principal, region)


@router.get("/proposals/{proposal_id}", response_model=schemas.ProposalOut, responses=schemas.ERRORS,
            summary="Read a proposal")
def get_proposal(proposal_id: ProposalId, principal: PrincipalDep, session: SessionDep) -> schemas.ProposalOut:
    """A proposal: its plan and version, where each institution stands on that version, every decision so far."""
    return service.proposal_out(session, service.get(session, principal, proposal_id))


@router.post("/proposals/{proposal_id}/versions", response_model=schemas.ProposalOut, responses=_STATE_ERRORS,
             summary="Put a new plan version on a proposal")
def new_version(proposal_id: ProposalId, body: schemas.ProposalVersionCreate, principal: PrincipalDep,
                session: SessionDep) -> schemas.ProposalOut:
    """A new plan for an open proposal (e.g. another point of the trade-off): its version goes up and every
    institution decides again; the decisions on earlier versions stay in the history."""
    return service.proposal_out(session, service.new_version(session, principal, proposal_id, body))


@router.post("/proposals/{proposal_id}/decisions", response_model=schemas.ProposalOut, responses=_STATE_ERRORS,
             summary="Approve or reject an institution's part")
def decide(proposal_id: ProposalId, body: DecisionBody, principal: PrincipalDep,
           session: SessionDep) -> schemas.ProposalOut:
    """A school token approves or rejects its own institution's part of the proposal's current version, with
    a note (an admin names the institution). When every institution has approved, the proposal is adopted
    as the region's agreement (`agreement_id`)."""
    return service.proposal_out(session, service.decide(session, principal, proposal_id, body))
