"""Regions, their agreements (an adopted plan) and deviations from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.common import MAX_ID, StorableText, with_examples
from api.schemas.examples import EXAMPLE_TIME
from api.schemas.plans import PlanSummary


class AgreementCreate(BaseModel):
    """Adopt a plan as the region's agreed internship calendar."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"plan_id": 3,
         "note": "Agreed in the consortium meeting of 2 March; care block internships staggered over two waves."},
    ]})

    plan_id: int = Field(ge=1, le=MAX_ID, description="The plan to adopt; it must belong to the region. Who "
                         "adopts it is the API token's name (`adopted_by` is not accepted in the body).")
    note: StorableText = Field(default="", max_length=10000, description="What was agreed, conditions, references.")
    override_reason: StorableText | None = Field(
        default=None, min_length=1, max_length=2000,
        description="Admins only: why the plan is adopted although it is proposed to the institutions and not "
                    "every institution has approved it (kept in the agreement's note and the audit log). Without "
                    "it a proposed plan is adopted only through its proposal.")

    @model_validator(mode="before")
    @classmethod
    def _no_adopted_by(cls, data: Any) -> Any:
        if isinstance(data, dict) and "adopted_by" in data:
            raise ValueError("adopted_by is not accepted: it is the name of the API token that adopts the plan")
        return data


class AgreementOut(BaseModel):
    """A region's adoption of a plan."""

    id: int
    region: str
    plan_id: int
    scenario_id: int
    scenario_version: int
    adopted_by: str
    adopted_at: dt.datetime
    note: str
    current: bool = Field(description="Whether this is the region's newest agreement.")
    plan: PlanSummary

    model_config = with_examples({
        "id": 1, "region": "Twente", "plan_id": 3, "scenario_id": 1, "scenario_version": 2,
        "adopted_by": "Regionaal overleg Twente (J. de Vries)", "adopted_at": EXAMPLE_TIME,
        "note": "Agreed in the consortium meeting of 2 March.", "current": True,
        "plan": PlanSummary.model_config["json_schema_extra"]["examples"][0],
    })


class WaveBrief(BaseModel):
    """A wave: form, start and end week, students and placed."""

    wave: int
    form: str
    start_week: str
    end_week: str
    students: int
    placed: int


class CohortDeviation(BaseModel):
    """A cohort whose waves in the plan differ from the agreement."""

    cohort: str
    institution: str
    location: str
    area: str
    programme: str
    crebo: str
    sector: str
    level: str
    pathway: str
    students: int
    changes: list[str] = Field(description="start week, form, students per wave, number of waves, or a cohort "
                               "missing on one side.")
    agreed: list[WaveBrief]
    planned: list[WaveBrief]
    description: str


class DeviationsOut(BaseModel):
    """Where a plan deviates from the region's current agreement."""

    region: str
    agreement: AgreementOut
    plan: PlanSummary
    cohorts_compared: int
    cohorts_deviating: int
    students_affected: int
    deviations: list[CohortDeviation]

    model_config = with_examples({
        "region": "Twente", "agreement": AgreementOut.model_config["json_schema_extra"]["examples"][0],
        "plan": PlanSummary.model_config["json_schema_extra"]["examples"][0] | {"id": 5, "scenario_version": 3},
        "cohorts_compared": 2, "cohorts_deviating": 1, "students_affected": 30,
        "deviations": [{
            "cohort": "vig-3-ens", "institution": "roc-oost", "location": "roc-oost-enschede", "area": "Enschede",
            "programme": "Verzorgende IG", "crebo": "25655", "sector": "zorg", "level": "3", "pathway": "BOL",
            "students": 30, "changes": ["start week"],
            "agreed": [{"wave": 1, "form": "block:4", "start_week": "2026-W36", "end_week": "2026-W39",
                        "students": 30, "placed": 16}],
            "planned": [{"wave": 1, "form": "block:4", "start_week": "2026-W44", "end_week": "2026-W47",
                         "students": 30, "placed": 30}],
            "description": "agreed: block:4 from 2026-W36 (30 students); plan: block:4 from 2026-W44 (30 students)",
        }],
    })


class RegionOut(BaseModel):
    """A region: its scenarios, plans and agreements, newest plan and current agreement."""

    region: str
    scenarios: int
    plans: int
    agreements: int = Field(description="Agreements adopted in the region, the current one and earlier ones.")
    latest_plan: PlanSummary | None
    current_agreement: AgreementOut | None

    model_config = with_examples({
        "region": "Twente", "scenarios": 2, "plans": 5, "agreements": 1,
        "latest_plan": PlanSummary.model_config["json_schema_extra"]["examples"][0],
        "current_agreement": AgreementOut.model_config["json_schema_extra"]["examples"][0],
    })
