"""Request and response models of the HTTP API, with examples for the OpenAPI documentation.

Plan parts (KPIs, cohort plans, shortage cells, company use, solver statistics) are the
library's own models from :mod:`planner.plan.model`, so the API returns exactly what the CLI
writes to ``plan.json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from planner.plan.model import CohortPlan, CompanyUse, KPIs, ShortageCell, SolveStats

Mode = Literal["optimise", "status-quo", "greedy"]
JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
SectorCode = Literal["zorg", "techniek", "handel", "mobiliteit", "specialistisch", "zakelijk", "voedsel", "ict", "entree"]
LevelCode = Literal["entree", "2", "3", "4"]
PathwayCode = Literal["BOL", "BBL"]
WEEK_PATTERN = r"^\d{4}-W\d{2}$"


def _storable(text: str) -> str:
    """Refuse text a database cannot store (NUL characters, lone surrogates)."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise ValueError("contains invalid Unicode (a lone surrogate)")
    return text


StorableText = Annotated[str, AfterValidator(_storable)]

# ------------------------------------------------------------------ examples

EXAMPLE_TIME = "2026-03-02T09:30:00Z"

EXAMPLE_SCENARIO: dict[str, Any] = {
    "name": "twente-zorg",
    "description": "Care internships in Twente, school year 2026-2027",
    "calendar": {"first_week": "2026-W36", "last_week": "2026-W51", "holidays": {"noord": ["2026-W43"]}},
    "areas": [{"name": "Enschede", "lat": 52.2183, "lon": 6.8958}, {"name": "Hengelo", "lat": 52.2658, "lon": 6.7931}],
    "institutions": [{"id": "roc-oost", "name": "ROC Oost (fictional)",
                      "locations": [{"id": "roc-oost-enschede", "area": "Enschede", "holiday_region": "noord"}]}],
    "cohorts": [
        {"id": "vig-3-ens", "location": "roc-oost-enschede", "crebo": "25655", "programme": "Verzorgende IG",
         "sector": "zorg", "level": "3", "pathway": "BOL", "students": 30, "forms": ["block:4", "line:2x10"],
         "earliest_start": "2026-W36", "latest_end": "2026-W51", "current_start": "2026-W40",
         "current_form": "block:4"},
        {"id": "hh-2-ens", "location": "roc-oost-enschede", "crebo": "25652", "programme": "Helpende Zorg en Welzijn",
         "sector": "zorg", "level": "2", "pathway": "BOL", "students": 20, "forms": ["block:4"],
         "earliest_start": "2026-W36", "latest_end": "2026-W51", "current_start": "2026-W40",
         "current_form": "block:4"},
    ],
    "companies": [
        {"id": "vvt-enschede", "name": "Zorggroep Enschede (fictional)", "area": "Enschede", "sectors": ["zorg"],
         "levels": ["2", "3", "4"], "places": 5},
        {"id": "ziekenhuis-hengelo", "name": "Ziekenhuis Hengelo (fictional)", "area": "Hengelo",
         "sectors": ["zorg"], "levels": ["3", "4"], "places": 3, "reduced_weeks": {"2026-W51": 0}},
    ],
}

EXAMPLE_SCENARIO_YAML = """\
name: twente-zorg
calendar: {first_week: 2026-W36, last_week: 2026-W51, holidays: {noord: [2026-W43]}}
areas:
  - {name: Enschede, lat: 52.2183, lon: 6.8958}
  - {name: Hengelo, lat: 52.2658, lon: 6.7931}
institutions:
  - id: roc-oost
    name: ROC Oost (fictional)
    locations: [{id: roc-oost-enschede, area: Enschede, holiday_region: noord}]
cohorts: cohorts.csv
companies: companies.csv
"""

EXAMPLE_KPIS: dict[str, Any] = {
    "mode": "optimise", "students": 50, "placed": 32, "unplaced": 18, "unplaced_priority": 18,
    "students_priority": 50, "shortage_rate": 0.36, "shortage_rate_priority": 0.36, "objective": 33.0,
    "bound": 27.0, "gap": 0.1818, "solve_seconds": 0.01, "peak_week": "2026-W36", "peak_week_utilisation": 1.0,
    "mean_travel_minutes": 20.91, "cohorts_changed": 2, "students_moved": 38, "institution_max_shortage_rate": 0.36,
    "by_cell": [{"sector": "zorg", "sector_name": "Zorg, welzijn en sport", "pathway": "BOL", "level": "2",
                 "students": 20, "unplaced": 4, "rate": 0.2}],
}
EXAMPLE_WAVE: dict[str, Any] = {
    "wave": 1, "form": "block:4", "start_week": "2026-W36", "end_week": "2026-W39",
    "weeks": ["2026-W36", "2026-W37", "2026-W38", "2026-W39"], "weekdays": None, "students": 22, "placed": 8,
    "placements": [{"company": "vvt-enschede", "students": 5, "travel_minutes": 14.8},
                   {"company": "ziekenhuis-hengelo", "students": 3, "travel_minutes": 31.1}],
}
EXAMPLE_COHORT_PLAN: dict[str, Any] = {
    "cohort": "vig-3-ens", "institution": "roc-oost", "location": "roc-oost-enschede", "area": "Enschede",
    "crebo": "25655", "programme": "Verzorgende IG", "sector": "zorg", "level": "3", "pathway": "BOL",
    "students": 30, "placed": 16, "unplaced": 14, "weight": 1.5, "period_changed": True, "waves": [EXAMPLE_WAVE],
}
EXAMPLE_SHORTAGE = {"week": "2026-W36", "sector": "zorg", "pathway": "BOL", "level": "3", "area": "Enschede",
                    "unplaced": 14}
EXAMPLE_SOLVER: dict[str, Any] = {
    "status": "optimal", "engine": "GLOP (bound) + SCIP (plan)", "build_seconds": 0.001, "solve_seconds": 0.009,
    "wall_seconds": 0.01, "variables": 68, "constraints": 34, "clusters": 2, "time_limit": 30.0, "seed": 0,
    "progress": [{"seconds": 0.01, "phase": "plan", "incumbent": 33.0, "bound": 27.0}], "explanation": [],
}
EXAMPLE_PROBLEM = {"file": "cohorts.csv", "where": "row 3", "field": "students", "message": "0 must be at least 1",
                   "text": "cohorts.csv row 3, students: 0 must be at least 1"}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


# ------------------------------------------------------------------ errors


class Problem(BaseModel):
    """One problem with the input: file (or ``request``), row or place, field and message."""

    file: str = Field(description="Input file (scenario.yaml, cohorts.csv, ...) or 'request' for parameters.")
    where: str | None = Field(description="Row (CSV), path (YAML/JSON) or request part (query, path, body).")
    field: str | None = Field(description="Field or column.")
    message: str = Field(description="What is wrong and what is allowed.")
    text: str = Field(description="The whole problem as one line, as the CLI prints it.")

    model_config = _examples(EXAMPLE_PROBLEM)


class ProblemList(BaseModel):
    """Every problem found in the input (HTTP 422)."""

    detail: list[Problem]

    model_config = _examples({"detail": [EXAMPLE_PROBLEM]})


class Message(BaseModel):
    """An error message (404 unknown id, 409 wrong state, 413 too large, 415 wrong body type)."""

    detail: str

    model_config = _examples({"detail": "scenario 42 does not exist"})


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Message, "description": "Unknown id"},
    422: {"model": ProblemList, "description": "Invalid input; every problem listed"},
}
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"model": Message, "description": "The body cannot be read (e.g. not UTF-8 text)"},
}


# ------------------------------------------------------------------ scenarios


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

    model_config = _examples({
        "id": 1, "name": "twente-zorg", "region": "Twente", "description": "Care internships in Twente",
        "version": 2, "cohorts": 2, "companies": 2, "students": 50, "created_at": EXAMPLE_TIME,
        "updated_at": EXAMPLE_TIME,
    })


class ScenarioOut(ScenarioSummary):
    """A scenario version with its document and load warnings."""

    source_format: str = Field(description="How it was uploaded: json, yaml or multipart.")
    document: dict[str, Any] = Field(description="The checked scenario, tables inline (as planner.scenario.io writes it).")
    files: list[str] = Field(description="Side files stored with the version (travel matrix, GeoJSON).")
    warnings: list[Problem] = Field(description="Non-fatal problems found when loading (e.g. unreachable cohorts).")

    model_config = _examples({
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

    model_config = _examples({
        "scenario_id": 1, "version": 1, "name": "twente-zorg", "region": "Twente", "source_format": "multipart",
        "cohorts": 2, "companies": 2, "students": 50, "created_at": EXAMPLE_TIME,
    })


# ------------------------------------------------------------------ jobs


class SolveRequest(BaseModel):
    """How to solve: mode, time limit and seed (all optional)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"mode": "optimise", "time_limit": 30, "seed": 0},
        {"mode": "status-quo", "time_limit": 10, "version": 1},
    ]})

    mode: Mode = Field(default="optimise", description="optimise: choose periods and forms; status-quo: current "
                       "periods, allocation optimised; greedy: current periods, first come first served.")
    time_limit: float | None = Field(default=None, gt=0, description="Seconds for the solve (default from the "
                                     "server settings; at most the server's maximum).")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Solver seed.")
    version: int | None = Field(default=None, ge=1, le=2_147_483_647, description="Scenario version to solve (default: the latest).")


class JobProgress(BaseModel):
    """Where a solve is: phase, best plan (incumbent) and proven bound, elapsed time."""

    phase: str | None = Field(description="starting, relaxation, component, plan, done, ...")
    incumbent: float | None = Field(description="Weighted shortage of the best plan so far.")
    bound: float | None = Field(description="Proven lower bound on the weighted shortage.")
    elapsed: float | None = Field(description="Seconds since the job started running (this attempt).")
    solver_seconds: float | None = Field(description="Solver clock at the last progress event.")

    model_config = _examples({"phase": "component", "incumbent": 33.0, "bound": 27.0, "elapsed": 2.4,
                              "solver_seconds": 0.9})


class JobOut(BaseModel):
    """A solve job."""

    id: int
    scenario_id: int
    scenario_version: int
    region: str
    mode: Mode
    time_limit: float
    seed: int
    status: JobStatus
    progress: JobProgress
    queue_position: int | None = Field(description="1 when the job is next to start; None unless queued.")
    attempts: int = Field(description="Times the job started running (more than 1 after a server restart).")
    cancel_requested: bool
    error: str | None
    note: str | None
    plan_id: int | None = Field(description="The plan, once the job is done.")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    model_config = _examples({
        "id": 7, "scenario_id": 1, "scenario_version": 2, "region": "Twente", "mode": "optimise", "time_limit": 30.0,
        "seed": 0, "status": "running", "progress": {"phase": "component", "incumbent": 33.0, "bound": 27.0,
                                                      "elapsed": 2.4, "solver_seconds": 0.9},
        "queue_position": None, "attempts": 1, "cancel_requested": False, "error": None, "note": None,
        "plan_id": None, "created_at": EXAMPLE_TIME, "started_at": EXAMPLE_TIME, "finished_at": None,
    })


# ------------------------------------------------------------------ plans


class PlanSummary(BaseModel):
    """A stored plan: where it comes from and its headline numbers."""

    id: int
    scenario_id: int
    scenario_version: int
    scenario_name: str
    region: str
    mode: str
    job_id: int | None
    created_at: dt.datetime
    objective: float = Field(description="Weighted shortage.")
    students: int
    unplaced: int
    shortage_rate: float
    solver_status: str

    model_config = _examples({
        "id": 3, "scenario_id": 1, "scenario_version": 2, "scenario_name": "twente-zorg", "region": "Twente",
        "mode": "optimise", "job_id": 7, "created_at": EXAMPLE_TIME, "objective": 33.0, "students": 50,
        "unplaced": 18, "shortage_rate": 0.36, "solver_status": "optimal",
    })


class PlanLinks(BaseModel):
    """Where to find the plan's parts."""

    schedule: str
    shortages: str
    utilisation: str
    hotspots: str
    map: str
    charts: dict[str, str]
    downloads: dict[str, str]


class PlanOut(PlanSummary):
    """A plan's KPIs, baselines, solver statistics and links to its parts."""

    weeks: list[str]
    kpis: KPIs
    baselines: dict[str, KPIs] = Field(description="KPIs of the status-quo and greedy plans of the same solve.")
    solver: SolveStats
    links: PlanLinks

    model_config = _examples({
        "id": 3, "scenario_id": 1, "scenario_version": 2, "scenario_name": "twente-zorg", "region": "Twente",
        "mode": "optimise", "job_id": 7, "created_at": EXAMPLE_TIME, "objective": 33.0, "students": 50,
        "unplaced": 18, "shortage_rate": 0.36, "solver_status": "optimal", "weeks": ["2026-W36", "2026-W37"],
        "kpis": EXAMPLE_KPIS, "baselines": {"greedy": {**EXAMPLE_KPIS, "mode": "greedy", "unplaced": 34}},
        "solver": EXAMPLE_SOLVER,
        "links": {"schedule": "/plans/3/schedule", "shortages": "/plans/3/shortages",
                  "utilisation": "/plans/3/utilisation", "hotspots": "/plans/3/hotspots", "map": "/plans/3/map",
                  "charts": {"weekly_capacity": "/plans/3/charts/weekly_capacity.png",
                             "shortage_cells": "/plans/3/charts/shortage_cells.png"},
                  "downloads": {"schedule.csv": "/plans/3/schedule.csv", "shortages.csv": "/plans/3/shortages.csv",
                                "utilisation.csv": "/plans/3/utilisation.csv", "summary.md": "/plans/3/summary.md",
                                "plan.json": "/plans/3/plan.json", "outputs.zip": "/plans/3/outputs.zip"}},
    })


class ScheduleOut(BaseModel):
    """Per cohort: its waves (form, start week, students) and placements."""

    plan_id: int
    count: int
    cohorts: list[CohortPlan]

    model_config = _examples({"plan_id": 3, "count": 1, "cohorts": [EXAMPLE_COHORT_PLAN]})


class ShortagesOut(BaseModel):
    """Students without a place by week, sector chamber, pathway, level and area (filtered)."""

    plan_id: int
    filters: dict[str, str]
    count: int
    student_weeks: int = Field(description="Sum of unplaced over the cells shown (student-weeks).")
    cells: list[ShortageCell]

    model_config = _examples({"plan_id": 3, "filters": {"sector": "zorg", "level": "3"}, "count": 1,
                              "student_weeks": 14, "cells": [EXAMPLE_SHORTAGE]})


class WeekUse(BaseModel):
    """Capacity and use of all companies together in one week (student-days)."""

    week: str
    capacity: int
    used: int
    share: float


class UtilisationOut(BaseModel):
    """Supervision capacity and use per company and week, in student-days."""

    plan_id: int
    weeks: list[str]
    totals: list[WeekUse]
    companies: list[CompanyUse]

    model_config = _examples({
        "plan_id": 3, "weeks": ["2026-W36", "2026-W37"],
        "totals": [{"week": "2026-W36", "capacity": 40, "used": 40, "share": 1.0},
                   {"week": "2026-W37", "capacity": 40, "used": 25, "share": 0.625}],
        "companies": [{"company": "vvt-enschede", "area": "Enschede", "capacity": [25, 25], "used": [25, 15]}],
    })


class KpiDifference(BaseModel):
    """One KPI in plans a and b; difference is b minus a."""

    name: str
    a: float
    b: float
    difference: float
    better: Literal["a", "b", "same"] | None = Field(description="Which plan is better on this KPI (None: neutral).")
    lower_is_better: bool | None


class CellChange(BaseModel):
    """A hotspot cell (area, sector chamber, level, week) in plans a and b."""

    area: str
    sector: str
    sector_name: str
    level: str
    week: str
    unplaced_a: int
    unplaced_b: int
    difference: int


class BarometerChange(BaseModel):
    """A stagebarometer cell (sector chamber, pathway, level) in plans a and b."""

    sector: str
    pathway: str
    level: str
    unplaced_a: int
    unplaced_b: int
    rate_a: float
    rate_b: float
    difference: float


class CompareOut(BaseModel):
    """Plan b against plan a: KPI differences and the cells where b is better or worse."""

    a: PlanSummary
    b: PlanSummary
    same_scenario: bool
    kpis: list[KpiDifference]
    cells_better: int
    cells_worse: int
    cells_same: int
    better: list[CellChange] = Field(description="Cells with fewer unplaced students in b, largest change first.")
    worse: list[CellChange] = Field(description="Cells with more unplaced students in b, largest change first.")
    stagebarometer: list[BarometerChange]

    model_config = _examples({
        "a": PlanSummary.model_config["json_schema_extra"]["examples"][0] | {"id": 2, "mode": "status-quo",
                                                                              "unplaced": 30, "objective": 51.0},
        "b": PlanSummary.model_config["json_schema_extra"]["examples"][0],
        "same_scenario": True,
        "kpis": [{"name": "unplaced", "a": 30, "b": 18, "difference": -12, "better": "b", "lower_is_better": True}],
        "cells_better": 4, "cells_worse": 1, "cells_same": 10,
        "better": [{"area": "Enschede", "sector": "zorg", "sector_name": "Zorg, welzijn en sport", "level": "3",
                    "week": "2026-W40", "unplaced_a": 22, "unplaced_b": 0, "difference": -22}],
        "worse": [{"area": "Enschede", "sector": "zorg", "sector_name": "Zorg, welzijn en sport", "level": "3",
                   "week": "2026-W36", "unplaced_a": 0, "unplaced_b": 14, "difference": 14}],
        "stagebarometer": [{"sector": "zorg", "pathway": "BOL", "level": "3", "unplaced_a": 22, "unplaced_b": 14,
                            "rate_a": 0.733, "rate_b": 0.467, "difference": -0.267}],
    })


# ------------------------------------------------------------------ hotspots


class HotspotCell(BaseModel):
    """A cell (area, sector chamber, level, week) with unplaced students, ranked."""

    rank: int
    region: str
    plan_id: int
    area: str
    sector: str
    sector_name: str
    level: str
    week: str
    unplaced: int = Field(description="Students without a place in that week (all pathways).")
    priority_group: bool = Field(description="Entree, level 2 or care: the Stagepact's priority groups.")


EXAMPLE_HOTSPOT = {"rank": 1, "region": "Twente", "plan_id": 3, "area": "Enschede", "sector": "zorg",
                   "sector_name": "Zorg, welzijn en sport", "level": "2", "week": "2026-W40", "unplaced": 14,
                   "priority_group": True}


class HotspotsOut(BaseModel):
    """Hotspot cells with the most unplaced students, over the plans listed."""

    plans: list[PlanSummary] = Field(description="The plans the ranking covers (one per region for /hotspots).")
    cells: list[HotspotCell]

    model_config = _examples({"plans": [PlanSummary.model_config["json_schema_extra"]["examples"][0]],
                              "cells": [EXAMPLE_HOTSPOT]})


# ------------------------------------------------------------------ agreements and regions


class AgreementCreate(BaseModel):
    """Adopt a plan as the region's agreed internship calendar."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"plan_id": 3, "adopted_by": "Regionaal overleg Twente (J. de Vries)",
         "note": "Agreed in the consortium meeting of 2 March; care block internships staggered over two waves."},
    ]})

    plan_id: int = Field(ge=1, le=2_147_483_647, description="The plan to adopt; it must belong to the region.")
    adopted_by: StorableText = Field(min_length=1, max_length=200, description="Who adopts it (body or person).")
    note: StorableText = Field(default="", max_length=10000, description="What was agreed, conditions, references.")


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

    model_config = _examples({
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

    model_config = _examples({
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
    """A region: its scenarios and plans, newest plan and current agreement."""

    region: str
    scenarios: int
    plans: int
    latest_plan: PlanSummary | None
    current_agreement: AgreementOut | None

    model_config = _examples({
        "region": "Twente", "scenarios": 2, "plans": 5,
        "latest_plan": PlanSummary.model_config["json_schema_extra"]["examples"][0],
        "current_agreement": AgreementOut.model_config["json_schema_extra"]["examples"][0],
    })


class Health(BaseModel):
    """The server is up; database kind and queue state."""

    status: Literal["ok"]
    database: str
    max_concurrent_solves: int
    jobs: dict[str, int]

    model_config = _examples({"status": "ok", "database": "sqlite", "max_concurrent_solves": 1,
                              "jobs": {"done": 12, "queued": 1, "running": 1}})
