"""Scenarios and their versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import Problem, with_examples
from api.schemas.examples import EXAMPLE_SCENARIO, EXAMPLE_TIME


class ScenarioSummary(BaseModel):
    """A stored scenario (its latest version)."""

    id: int
    name: str
    region: str = Field(description="Region the scenario belongs to (default: the scenario name).")
    description: str
    version: int = Field(description="Latest version number (PUT adds a version).")
    cohorts: int
    companies: int
    students: int
    created_at: dt.datetime
    updated_at: dt.datetime

    model_config = with_examples({
        "id": 1, "name": "twente-zorg", "region": "Twente", "description": "Care internships in Twente",
        "version": 2, "cohorts": 2, "companies": 2, "students": 50, "created_at": EXAMPLE_TIME,
        "updated_at": EXAMPLE_TIME,
    })


class ScenarioOut(ScenarioSummary):
    """A scenario version with its document and load warnings."""

    source_format: str = Field(description="How it was uploaded: json, yaml or multipart.")
    document: dict[str, Any] = Field(description="The checked scenario, tables inline (as planner.scenario.write writes it).")
    files: list[str] = Field(description="Side files stored with the version (travel matrix, GeoJSON).")
    warnings: list[Problem] = Field(description="Non-fatal problems found when loading (e.g. unreachable cohorts).")

    model_config = with_examples({
        "id": 1, "name": "twente-zorg", "region": "Twente", "description": "Care internships in Twente",
        "version": 1, "cohorts": 2, "companies": 2, "students": 50, "created_at": EXAMPLE_TIME,
        "updated_at": EXAMPLE_TIME, "source_format": "json", "document": EXAMPLE_SCENARIO, "files": [],
        "warnings": [],
    })


class ScenarioVersionSummary(BaseModel):
    """One version of a scenario."""

    scenario_id: int
    version: int
    name: str
    region: str
    source_format: str
    cohorts: int
    companies: int
    students: int
    created_at: dt.datetime

    model_config = with_examples({
        "scenario_id": 1, "version": 1, "name": "twente-zorg", "region": "Twente", "source_format": "multipart",
        "cohorts": 2, "companies": 2, "students": 50, "created_at": EXAMPLE_TIME,
    })
