"""Proposed agreements and the sign-off per school: each institution approves or rejects its part."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_ID, NAME_PATTERN, StorableText, with_examples
from api.schemas.examples import EXAMPLE_TIME
from api.schemas.plans import PlanSummary


class ProposalCreate(BaseModel):
    """Propose a plan as the region's agreement; each institution in the plan then approves or rejects its part."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"plan_id": 3, "note": "Proposal of the consortium meeting of 2 March: care block internships in two waves."},
    ]})

    plan_id: int = Field(ge=1, le=MAX_ID, description="The plan to propose; it must belong to the region. An open "
                         "proposal of the region is superseded by this one.")
    note: StorableText = Field(default="", max_length=10000, description="What is proposed, conditions, references.")


class ProposalVersionCreate(BaseModel):
    """A new plan version for an open proposal (e.g. a point picked on the trade-off curve): every
    institution decides again."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"plan_id": 5, "note": "Fewer moved cohorts, as asked by ROC Oost."}]})

    plan_id: int = Field(ge=1, le=MAX_ID, description="The new plan; it must belong to the proposal's region.")
    note: StorableText | None = Field(default=None, max_length=10000, description="A new note (absent: keep it).")


class DecisionCreate(BaseModel):
    """An institution's approval or rejection of its part of the proposal's current version."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"decision": "approve", "note": "Agreed by the care team of ROC Oost."},
        {"decision": "reject", "note": "Week 8 clashes with our exams; we ask for week 10."}]})

    decision: Literal["approve", "reject"]
    note: StorableText = Field(default="", max_length=10000, description="Why, conditions (shown to the region).")
    institution: StorableText | None = Field(default=None, min_length=1, max_length=200, pattern=NAME_PATTERN,
                                             description="The institution decided for (default: a school token's "
                                                         "own institution; admins must name it).")


class DecisionOut(BaseModel):
    """One decision, as kept in the history."""

    id: int
    institution: str
    decision: Literal["approved", "rejected"]
    note: str
    decided_by: str
    decided_at: dt.datetime
    version: int = Field(description="The proposal's version decided on; a newer version needs a new decision.")
    plan_id: int


class InstitutionStanding(BaseModel):
    """Where an institution stands on the proposal's current version."""

    institution: str
    name: str
    state: Literal["open", "approved", "rejected"]
    decision: DecisionOut | None


class ProposalOut(BaseModel):
    """A proposed agreement, where each institution stands, and its history."""

    id: int
    region: str
    plan_id: int
    scenario_id: int
    scenario_version: int
    version: int = Field(description="1 for the first plan; one more for every new plan put on the proposal.")
    status: Literal["open", "adopted", "superseded"]
    proposed_by: str
    proposed_at: dt.datetime
    updated_at: dt.datetime
    note: str
    agreement_id: int | None = Field(description="The agreement it became once every institution approved.")
    stale_plan_id: int | None = Field(default=None, description="A plan of the proposal's scenario solved after it: "
                                      "the proposal is outdated, nobody decides on it until a plan is put on it "
                                      "again (POST /proposals/{id}/versions), then every institution decides again.")
    institutions: list[InstitutionStanding]
    approved: int
    rejected: int
    history: list[DecisionOut] = Field(description="Every decision on every version, oldest first.")
    plan: PlanSummary

    model_config = with_examples({
        "id": 2, "region": "Twente", "plan_id": 3, "scenario_id": 1, "scenario_version": 2, "version": 1,
        "status": "open", "proposed_by": "Consortium Twente", "proposed_at": EXAMPLE_TIME, "updated_at": EXAMPLE_TIME,
        "note": "Proposal of 2 March.", "agreement_id": None,
        "institutions": [
            {"institution": "roc-oost", "name": "ROC van Twente", "state": "approved", "decision": {
                "id": 4, "institution": "roc-oost", "decision": "approved", "note": "ok", "decided_by": "ROC Oost",
                "decided_at": EXAMPLE_TIME, "version": 1, "plan_id": 3}},
            {"institution": "saxion-mbo", "name": "Saxion mbo", "state": "open", "decision": None}],
        "approved": 1, "rejected": 0,
        "history": [{"id": 4, "institution": "roc-oost", "decision": "approved", "note": "ok",
                     "decided_by": "ROC Oost", "decided_at": EXAMPLE_TIME, "version": 1, "plan_id": 3}],
        "plan": PlanSummary.model_config["json_schema_extra"]["examples"][0],
    })
