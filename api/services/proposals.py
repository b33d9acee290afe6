"""Sign-off per school: a region proposes a plan as its agreement, each institution in the plan approves
or rejects its part with a note, and the proposal becomes the region's agreement once every institution
approved its current version. A new plan for the proposal is a new version: every institution decides
again (the earlier decisions stay in the history). A plan of the proposal's scenario solved after it
outdates it (stale): nobody decides on it until a plan is put on it again. While a proposal is open for a
plan, the plan is adopted only through it (editors cannot adopt it directly; an admin may, with a reason,
see :mod:`api.services.agreements`). Every step is in the audit log."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from api import crud, schemas, views
from api.core.security import Principal, Role
from api.errors import Conflict, InvalidInput
from api.models import DecisionRow, ProposalRow
from planner.i18n import N_, _

#: The decision stored for each answer of the form or the API.
DECISIONS = {"approve": "approved", "reject": "rejected"}
#: A proposal's status and an institution's state in words (translated where shown).
STATES = {"open": N_("open"), "adopted": N_("adopted"), "superseded": N_("superseded"), "approved": N_("approved"),
          "rejected": N_("rejected")}


def propose(session: Session, principal: Principal, region: str, body: schemas.ProposalCreate) -> ProposalRow:
    """Record (and commit) a proposal of the region by the caller; an open one is superseded."""
    principal.check_write(region)
    row, superseded = crud.create_proposal(session, region, body.plan_id, principal.name, body.note)
    detail = f"plan {row.plan_id}" + (f", supersedes proposal {superseded.id}" if superseded is not None else "")
    crud.record(session, principal, "proposal.create", "proposal", row.id, region, detail)
    session.commit()
    return row


def _open(row: ProposalRow) -> None:
    if row.status != "open":
        raise Conflict(_("proposal {id} is {status}: only an open proposal can change").format(
            id=row.id, status=_(STATES[row.status])))


def _current(row: ProposalRow) -> None:
    """An open proposal that no newer plan of its scenario outdated: only then do institutions decide."""
    _open(row)
    if row.stale_plan_id is not None:
        raise Conflict(_("proposal {id} is outdated: plan {plan} of its scenario was solved after it. An editor "
                         "puts a plan on the proposal again (the new one or this one), then every institution "
                         "decides again").format(id=row.id, plan=row.stale_plan_id))


def new_version(session: Session, principal: Principal, proposal_id: int,
                body: schemas.ProposalVersionCreate) -> ProposalRow:
    """Put a new plan on an open proposal (and commit): every institution decides again."""
    row = crud.get_proposal(session, proposal_id, lock=True)
    principal.check_write(row.region)
    _open(row)
    crud.new_version(session, row, body.plan_id, body.note)
    crud.record(session, principal, "proposal.version", "proposal", row.id, row.region,
                f"plan {row.plan_id}, version {row.version}")
    session.commit()
    return row


def decide(session: Session, principal: Principal, proposal_id: int, body: schemas.DecisionCreate) -> ProposalRow:
    """Record (and commit) an institution's approval or rejection of its part of the proposal's current
    version; adopt the proposal as the region's agreement when every institution has approved it."""
    row = crud.get_proposal(session, proposal_id, lock=True)
    principal.check_read(row.region)
    institution = body.institution or principal.institution
    if institution is None:
        raise InvalidInput.one("institution", _("name the institution decided for"))
    principal.check_decide(row.region, institution)
    _current(row)
    decision = DECISIONS[body.decision]
    crud.add_decision(session, row, institution, decision, body.note, principal.name, principal.token_id)
    crud.record(session, principal, f"proposal.{body.decision}", "proposal", row.id, row.region,
                f"{institution}, version {row.version}, plan {row.plan_id}")
    if decision == "approved" and crud.all_approved(row, crud.decisions(session, row.id)):
        _adopt(session, principal, row)
    session.commit()
    return row


def _adopt(session: Session, principal: Principal, row: ProposalRow) -> None:
    """The proposal becomes the region's agreement: adopted by its proposer, every institution's approval noted."""
    approved = ", ".join(crud.proposal_institutions(row))
    note = "\n".join(part for part in (row.note, _("Approved by every institution: {institutions}.").format(
        institutions=approved)) if part)
    agreement = crud.create_agreement(session, row.region, row.plan_id, row.proposed_by, note)
    row.status, row.agreement_id = "adopted", agreement.id
    crud.record(session, principal, "agreement.adopt", "agreement", agreement.id, row.region,
                f"plan {row.plan_id}, proposal {row.id} version {row.version}: every institution approved")


def _institution_names(session: Session, row: ProposalRow) -> dict[str, str]:
    version = crud.version_for(session, row.scenario_id, row.scenario_version)
    if version is None:
        return {}
    document = json.loads(version.document)
    return {str(i.get("id")): str(i.get("name") or i.get("id")) for i in document.get("institutions") or []}


def _decision_out(row: DecisionRow) -> schemas.DecisionOut:
    return schemas.DecisionOut(id=row.id, institution=row.institution, decision=row.decision, note=row.note,
                               decided_by=row.decided_by, decided_at=row.decided_at, version=row.version,
                               plan_id=row.plan_id)


def proposal_out(session: Session, row: ProposalRow) -> schemas.ProposalOut:
    """The proposal with where each institution stands on its current version, and its history."""
    history = crud.decisions(session, row.id)
    names = _institution_names(session, row)
    standing = [schemas.InstitutionStanding(
        institution=institution, name=names.get(institution, institution),
        state=decided.decision if decided is not None else "open",
        decision=_decision_out(decided) if decided is not None else None)
        for institution, decided in crud.standing(row, history).items()]
    return schemas.ProposalOut(
        id=row.id, region=row.region, plan_id=row.plan_id, scenario_id=row.scenario_id,
        scenario_version=row.scenario_version, version=row.version, status=row.status, proposed_by=row.proposed_by,
        proposed_at=row.proposed_at, updated_at=row.updated_at, note=row.note, agreement_id=row.agreement_id,
        stale_plan_id=row.stale_plan_id,
        institutions=standing, approved=sum(s.state == "approved" for s in standing),
        rejected=sum(s.state == "rejected" for s in standing), history=[_decision_out(d) for d in history],
        plan=views.plan_summary(crud.get_plan_row(session, row.plan_id)))


def get(session: Session, principal: Principal, proposal_id: int) -> ProposalRow:
    """A proposal the caller may read."""
    row = crud.get_proposal(session, proposal_id)
    principal.check_read(row.region)
    return row


def history(session: Session, principal: Principal, region: str) -> list[schemas.ProposalOut]:
    """The region's proposals, newest first."""
    principal.check_read(region)
    return [proposal_out(session, row) for row in crud.list_proposals(session, region)]


def open_proposal(session: Session, principal: Principal, region: str) -> schemas.ProposalOut | None:
    """The region's open proposal, if any."""
    principal.check_read(region)
    row = crud.open_proposal(session, region)
    return proposal_out(session, row) if row is not None else None


def may_decide_for(principal: Principal, row: ProposalRow) -> list[str]:
    """The institutions of the proposal the caller may decide for (all of them for an admin)."""
    if principal.role not in (Role.school, Role.admin):
        return []
    return [i for i in crud.proposal_institutions(row) if principal.may_decide(row.region, i)]
