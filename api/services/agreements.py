"""Agreements: a region adopting a plan as its agreed internship calendar, its history, and where a plan
deviates from it. A plan proposed to the institutions is adopted through its proposal (every institution
approves, :mod:`api.services.proposals`), or by an admin with an audited reason."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import crud, schemas, views
from api.core.security import Principal, Role
from api.errors import Conflict, InvalidInput, NotFound
from api.models import AgreementRow, utcnow
from planner.i18n import _
from planner.plan import analysis


def adopt(session: Session, principal: Principal, region: str, agreement: schemas.AgreementCreate) -> AgreementRow:
    """Record (and commit) that the region adopts a plan, by the caller, now, with a note.

    While the region has an open proposal, a plan is adopted through it, once every institution approved: an
    editor adopting the proposed plan, or any other plan, directly gets 409 (another plan is proposed first,
    which supersedes the open proposal). An admin may adopt before, with an ``override_reason`` (422 without);
    the reason and where each institution stood go into the agreement's note and the audit log, and the proposal
    is closed: adopted when its plan is adopted, superseded when another plan is.
    """
    principal.check_write(region)
    proposal = crud.open_proposal(session, region, lock=True)
    proposed = proposal is not None and proposal.plan_id == agreement.plan_id
    if agreement.override_reason is not None and principal.role != Role.admin:
        raise InvalidInput.one("override_reason", _("only an admin may adopt a plan with an override reason"))
    note = agreement.note
    if proposal is not None:
        standing = crud.standing(proposal, crud.decisions(session, proposal.id))
        approved = [i for i, decided in standing.items() if decided is not None and decided.decision == "approved"]
        waiting = [i for i in standing if i not in approved]
        if principal.role != Role.admin and proposed:
            raise Conflict(_("plan {plan} is proposed to the institutions (proposal {id}): it becomes the agreement "
                             "once every institution has approved it; still to approve: {waiting}").format(
                plan=agreement.plan_id, id=proposal.id, waiting=", ".join(waiting) or "-"))
        if principal.role != Role.admin:
            raise Conflict(_("region {region} has an open proposal (proposal {id}, plan {proposed}) that the "
                             "institutions decide on; propose plan {plan} to the institutions instead, so that "
                             "they decide on it").format(region=region, id=proposal.id, proposed=proposal.plan_id,
                                                         plan=agreement.plan_id))
        if agreement.override_reason is None:
            raise InvalidInput.one("override_reason", _(
                "region {region} has an open proposal (proposal {id}, plan {proposed}); an admin adopts a plan before "
                "every institution has approved it only with a reason").format(
                region=region, id=proposal.id, proposed=proposal.plan_id))
        override = _("Adopted by an admin before every institution approved (approved: {approved}; not: {waiting}). "
                     "Reason: {reason}").format(approved=", ".join(approved) or "-", waiting=", ".join(waiting) or "-",
                                                reason=agreement.override_reason)
        note = "\n".join(part for part in (note, override) if part)
    row = crud.create_agreement(session, region, agreement.plan_id, principal.name, note)
    if proposal is not None:
        proposal.status, proposal.updated_at = ("adopted" if proposed else "superseded"), utcnow()
        proposal.agreement_id = row.id if proposed else None
        crud.record(session, principal, "agreement.override", "agreement", row.id, region,
                    f"plan {row.plan_id}, proposal {proposal.id} version {proposal.version}: approved "
                    f"{', '.join(approved) or '-'}, not {', '.join(waiting) or '-'}; reason: {agreement.override_reason}")
    else:
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
