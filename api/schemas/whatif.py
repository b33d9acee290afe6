"""What-if requests and answers: variants, sweeps and the marginal value of one more place."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_ID, Mode
from planner.whatif.variants import Variant

#: Limits of a sweep job and of the marginal ranking.
MAX_SWEEP_VARIANTS = 8
MAX_WORK_LIMIT = 200
MAX_SECONDS = 10.0
MAX_VERIFY = 3


class VariantCreate(Variant):
    """A variant of the scenario's latest version (or of ``version``)."""

    version: int | None = Field(default=None, ge=1, le=MAX_ID, description="Base version (default: the latest).")


class VariantOut(BaseModel):
    """A stored variant with its base and what it changes."""

    id: int
    scenario_id: int
    scenario_version: int
    region: str
    name: str
    variant: dict[str, Any]
    cohorts: int
    companies: int
    students: int
    changed: dict[str, list[str]]
    summary: list[str] = Field(default_factory=list, description="What the variant does in plain words (places "
                               "added and where, students, cohorts changed) and what was adjusted to fit the school "
                               "year.")


class SweepRequest(BaseModel):
    """The variants to solve beside their base, and how."""

    model_config = ConfigDict(extra="forbid")
    variant_ids: list[int] = Field(min_length=1, max_length=MAX_SWEEP_VARIANTS)
    mode: Mode = "optimise"
    time_limit: float | None = Field(default=None, gt=0, description="Seconds per solve, a safety net under the "
                                     "work budget (default and maximum: the cap of the token's role).")
    work_limit: int = Field(default=20, ge=0, le=MAX_WORK_LIMIT, description="Work budget per solve: "
                            "neighbourhoods of company-level search (the same plans however scheduled); 0: none.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class MarginalRequest(BaseModel):
    """How many spots to rank and verify, and the time per solve."""

    model_config = ConfigDict(extra="forbid")
    top: int = Field(default=10, ge=1, le=50)
    verify: int = Field(default=1, ge=0, le=MAX_VERIFY)
    per: Literal["place", "crebo", "family"] = Field(
        default="place", description="place: one more place at a company, for any student it may take; crebo or "
                                     "family: one more place for one qualification in an area, ranked per "
                                     "qualification and area.")
    time_limit: float = Field(default=5.0, gt=0, le=MAX_SECONDS)
