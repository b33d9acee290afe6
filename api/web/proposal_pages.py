"""Pages for the sign-off per school: proposing a plan to the region's institutions, a proposal with
where each institution stands and its history, each institution's decision on its part, a new plan
version for a proposal, and an institution's printable calendar."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api import crud, schemas
from api.core.headers import document_response
from api.deps import PlanId, ProposalId, RegionPath, SessionDep, SettingsDep
from api.services import plans as plan_service
from api.services import proposals as service
from api.web.render import WebPrincipal, checked_form, form_error, page, redirect
from planner.i18n import _, current_language

router = APIRouter(prefix="/web", include_in_schema=False)


def state_text(state: str) -> str:
    """A proposal's status or an institution's state in the page's language."""
    return _(service.STATES.get(state, state))


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(request: Request, proposal_id: ProposalId, principal: WebPrincipal,
                  session: SessionDep) -> HTMLResponse:
    row = service.get(session, principal, proposal_id)
    plans = crud.list_plans(session, row.region, None, None, 20, 0, principal.visible_regions)
    return page(request, "proposal.html", proposal=service.proposal_out(session, row), state_text=state_text,
                may_decide=service.may_decide_for(principal, row) if row.status == "open" else [],
                may_write=principal.may_write(row.region) and row.status == "open", plans=plans)


@router.post("/regions/{region}/proposals")
async def propose(request: Request, region: RegionPath, principal: WebPrincipal, session: SessionDep) -> Response:
    form = await checked_form(request)
    try:
        body = schemas.ProposalCreate(plan_id=form.get("plan_id"), note=str(form.get("note") or ""))
    except ValidationError as err:
        raise form_error(err) from None
    row = service.propose(session, principal, region, body)
    return redirect(f"/web/proposals/{row.id}", request)


@router.post("/proposals/{proposal_id}/versions")
async def new_version(request: Request, proposal_id: ProposalId, principal: WebPrincipal,
                      session: SessionDep) -> Response:
    form = await checked_form(request)
    try:
        body = schemas.ProposalVersionCreate(plan_id=form.get("plan_id"), note=str(form.get("note") or "") or None)
    except ValidationError as err:
        raise form_error(err) from None
    service.new_version(session, principal, proposal_id, body)
    return redirect(f"/web/proposals/{proposal_id}", request)


@router.post("/proposals/{proposal_id}/decisions")
async def decide(request: Request, proposal_id: ProposalId, principal: WebPrincipal, session: SessionDep) -> Response:
    form = await checked_form(request)
    fields: dict[str, Any] = {"decision": form.get("decision"), "note": str(form.get("note") or "")}
    if form.get("institution"):
        fields["institution"] = str(form.get("institution"))
    try:
        body = schemas.DecisionCreate(**fields)
    except ValidationError as err:
        raise form_error(err) from None
    service.decide(session, principal, proposal_id, body)
    return redirect(f"/web/proposals/{proposal_id}", request)


@router.get("/plans/{plan_id}/calendar/{institution}", response_class=HTMLResponse)
def calendar(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep,
             institution: Annotated[str, Path(min_length=1, max_length=200)]) -> Response:
    """An institution's printable calendar, in the page's language."""
    return document_response(plan_service.calendar_html(session, settings, principal, plan_id, institution,
                                                        current_language()))
