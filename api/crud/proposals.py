"""Proposed agreements and each institution's decision on its part (the sign-off per school)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.crud.lookup import by_id
from api.crud.plans import plan_of, region_plan
from api.errors import InvalidInput, NotFound
from api.models import DecisionRow, PlanRow, ProposalRow, utcnow
from planner.i18n import N_, _


def plan_institutions(row: PlanRow) -> list[str]:
    """The institutions with a cohort in the plan: the ones that sign off a proposal of it, sorted."""
    return sorted({cohort.institution for cohort in plan_of(row).cohorts})


def open_proposal(session: Session, region: str, lock: bool = False) -> ProposalRow | None:
    """The region's open proposal (at most one), if any; ``lock``: held until the transaction ends."""
    query = sa.select(ProposalRow).where(ProposalRow.region == region, ProposalRow.status == "open")
    query = query.order_by(ProposalRow.id.desc()).limit(1)
    return session.scalar(query.with_for_update() if lock else query)


def create_proposal(session: Session, region: str, plan_id: int, proposed_by: str, note: str
                    ) -> tuple[ProposalRow, ProposalRow | None]:
    """Propose plan ``plan_id`` as the region's agreement; an open proposal of the region is superseded.

    Returns the new proposal and the one it superseded (or None).
    """
    plan = region_plan(session, region, plan_id)
    superseded = open_proposal(session, region, lock=True)
    if superseded is not None:
        superseded.status, superseded.updated_at = "superseded", utcnow()
    row = ProposalRow(region=region, plan_id=plan.id, scenario_id=plan.scenario_id,
                      scenario_version=plan.scenario_version, version=1,
                      institutions=json.dumps(plan_institutions(plan)), proposed_by=proposed_by, note=note)
    session.add(row)
    session.flush()
    return row, superseded


def new_version(session: Session, row: ProposalRow, plan_id: int, note: str | None) -> ProposalRow:
    """Put a new plan on an open proposal: its version goes up, so every institution decides again."""
    plan = region_plan(session, row.region, plan_id)
    row.plan_id, row.scenario_id, row.scenario_version = plan.id, plan.scenario_id, plan.scenario_version
    row.version += 1
    row.institutions = json.dumps(plan_institutions(plan))
    row.stale_plan_id = None
    if note is not None:
        row.note = note
    row.updated_at = utcnow()
    session.flush()
    return row


def mark_stale(session: Session, plan: PlanRow) -> ProposalRow | None:
    """A newly solved ``plan`` outdates the open proposal of its region and scenario when it is solved in the
    proposed plan's mode (a re-solve of what was proposed; a status-quo or greedy comparison is not): it is
    marked stale, so nobody decides on it and it is not adopted until a plan is put on it again
    (:func:`new_version`). Returns the proposal it outdated, if any."""
    row = open_proposal(session, plan.region, lock=True)
    if row is None or row.scenario_id != plan.scenario_id or row.plan_id == plan.id:
        return None
    if session.get(PlanRow, row.plan_id).mode != plan.mode:
        return None
    row.stale_plan_id, row.updated_at = plan.id, utcnow()
    session.flush()
    return row


def get_proposal(session: Session, proposal_id: int, lock: bool = False) -> ProposalRow:
    """A proposal by id; ``lock``: the row is held until the transaction ends, so two schools deciding at
    once are counted one after the other (the second sees the first's decision and adopts when all approved)."""
    if not lock:
        return by_id(session, ProposalRow, proposal_id, N_("proposal {id} does not exist"))
    row = session.scalar(sa.select(ProposalRow).where(ProposalRow.id == proposal_id).with_for_update())
    if row is None:
        raise NotFound(_("proposal {id} does not exist").format(id=proposal_id))
    return row


def list_proposals(session: Session, region: str) -> list[ProposalRow]:
    """A region's proposals, newest first."""
    return list(session.scalars(sa.select(ProposalRow).where(ProposalRow.region == region)
                                .order_by(ProposalRow.id.desc())))


def proposal_institutions(row: ProposalRow) -> list[str]:
    """The institutions that sign off the proposal's current version."""
    return json.loads(row.institutions or "[]")


def add_decision(session: Session, row: ProposalRow, institution: str, decision: str, note: str,
                 decided_by: str, token_id: int | None) -> DecisionRow:
    """Record an institution's approval or rejection of its part of the proposal's current version."""
    if institution not in proposal_institutions(row):
        raise InvalidInput.one("institution", _("institution {institution} has no cohort in plan {plan}; the plan's "
                                                "institutions: {allowed}").format(
            institution=repr(institution), plan=row.plan_id, allowed=", ".join(proposal_institutions(row))))
    decided = DecisionRow(proposal_id=row.id, version=row.version, plan_id=row.plan_id, institution=institution,
                          decision=decision, note=note, decided_by=decided_by, token_id=token_id)
    session.add(decided)
    session.flush()
    return decided


def decisions(session: Session, proposal_id: int) -> list[DecisionRow]:
    """Every decision on a proposal, oldest first (the history, all versions)."""
    return list(session.scalars(sa.select(DecisionRow).where(DecisionRow.proposal_id == proposal_id)
                                .order_by(DecisionRow.id)))


def standing(row: ProposalRow, history: list[DecisionRow]) -> dict[str, DecisionRow | None]:
    """Per institution of the current version its newest decision on that version (None: not decided yet);
    decisions on earlier versions no longer count."""
    latest: dict[str, DecisionRow | None] = {institution: None for institution in proposal_institutions(row)}
    for decided in history:
        if decided.version == row.version and decided.institution in latest:
            latest[decided.institution] = decided
    return latest


def all_approved(row: ProposalRow, history: list[DecisionRow]) -> bool:
    """Whether every institution of the current version approved it."""
    latest = standing(row, history)
    return bool(latest) and all(d is not None and d.decision == "approved" for d in latest.values())


