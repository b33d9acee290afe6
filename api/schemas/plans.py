"""Plans and their parts, comparisons and hotspots."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import with_examples
from api.schemas.examples import (
    EXAMPLE_COHORT_PLAN,
    EXAMPLE_HOTSPOT,
    EXAMPLE_KPIS,
    EXAMPLE_SHORTAGE,
    EXAMPLE_SOLVER,
    EXAMPLE_TIME,
)
from planner.plan.model import CellTrade, CohortPlan, CompanyUse, KPIs, ShortageCell, SolveStats, UnplacedReason


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

    model_config = with_examples({
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

    model_config = with_examples({
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

    model_config = with_examples({"plan_id": 3, "count": 1, "cohorts": [EXAMPLE_COHORT_PLAN]})


class ShortagesOut(BaseModel):
    """Students without a place by week, sector chamber, pathway, level and area (filtered)."""

    plan_id: int
    filters: dict[str, str]
    count: int
    student_weeks: int = Field(description="Sum of unplaced over the cells shown (student-weeks).")
    cells: list[ShortageCell]

    model_config = with_examples({"plan_id": 3, "filters": {"sector": "zorg", "level": "3"}, "count": 1,
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

    model_config = with_examples({
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

    model_config = with_examples({
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
    """A cell (area, sector chamber, level) with students without a place, ranked; each cell once."""

    rank: int
    region: str
    plan_id: int
    area: str
    sector: str
    sector_name: str
    level: str
    unplaced: int = Field(description="Students without a place in the cell (all pathways), each counted once.")
    student_weeks: int = Field(description="Weeks without a place summed over those students.")
    first_week: str | None = Field(description="First week with shortage in the cell.")
    last_week: str | None = Field(description="Last week with shortage in the cell.")
    weeks: list[str] = Field(description="The weeks with shortage in the cell, in calendar order.")
    priority_group: bool = Field(description="Entree, level 2 or care: the Stagepact's priority groups.")
    qualification: str | None = Field(default=None, description="The crebo or family of the cell (by=crebo or "
                                                                "by=family; null for cells per sector chamber).")
    qualification_name: str | None = Field(default=None, description="Its name in the qualification catalogue.")


class HotspotsOut(BaseModel):
    """Hotspot cells with the most unplaced students, over the plans listed."""

    plans: list[PlanSummary] = Field(description="The plans the ranking covers (one per region for /hotspots).")
    cells: list[HotspotCell] = Field(description="Cells ranked by students without a place.")

    model_config = with_examples({"plans": [PlanSummary.model_config["json_schema_extra"]["examples"][0]],
                              "cells": [EXAMPLE_HOTSPOT]})


class WaveChange(BaseModel):
    """One proposed wave of a cohort: form, weeks, students and the learning companies that take them."""

    form: str
    start_week: str
    end_week: str
    students: int
    placed: int
    companies: list[str] = Field(description="Names of the learning companies.")
    company_students: list[int] = Field(description="Students at each of those companies.")


class CohortChangeOut(BaseModel):
    """A cohort's current period against the proposed waves, with the reason for unplaced students."""

    cohort: str
    institution: str
    institution_name: str
    location: str
    area: str
    programme: str
    crebo: str
    sector: str
    level: str
    pathway: str
    students: int
    current_form: str
    current_start: str
    current_end: str
    waves: list[WaveChange]
    placed: int
    unplaced: int
    changed: bool
    moved: int = Field(description="Students not in the current period.")
    weight: float
    reason: str | None = Field(default=None, description="Reason code when students stay unplaced.")
    reason_text: str | None = None


class InstitutionChanges(BaseModel):
    """One institution's totals: cohorts, changed, students moved, placed and unplaced."""

    institution: str
    institution_name: str
    cohorts: int
    changed: int
    students: int
    moved: int
    placed: int
    unplaced: int


class ChangesOut(BaseModel):
    """What the plan changes, per institution and per cohort."""

    plan_id: int
    institution: str | None
    count: int
    institutions: list[InstitutionChanges]
    cohorts: list[CohortChangeOut]

    model_config = with_examples({
        "plan_id": 3, "institution": "roc-oost", "count": 1,
        "institutions": [{"institution": "roc-oost", "institution_name": "ROC Oost", "cohorts": 1, "changed": 1,
                          "students": 22, "moved": 22, "placed": 20, "unplaced": 2}],
        "cohorts": [{"cohort": "vig-3-ens", "institution": "roc-oost", "institution_name": "ROC Oost",
                     "location": "roc-oost-enschede", "area": "Enschede", "programme": "Verzorgende IG",
                     "crebo": "25655", "sector": "zorg", "level": "3", "pathway": "BOL", "students": 22,
                     "current_form": "block:4", "current_start": "2026-W40", "current_end": "2026-W43",
                     "waves": [{"form": "block:4", "start_week": "2026-W36", "end_week": "2026-W39", "students": 22,
                                "placed": 20, "companies": ["VVT Enschede"], "company_students": [20]}],
                     "placed": 20, "unplaced": 2, "changed": True, "moved": 22, "weight": 1.5,
                     "reason": "companies_full", "reason_text": "2 zonder stageplaats: ..."}],
    })


class CohortReason(BaseModel):
    """Why students of one cohort stay without a place."""

    cohort: str
    institution: str
    institution_name: str
    programme: str
    sector: str
    level: str
    reason: UnplacedReason


class ReasonsOut(BaseModel):
    """Per cohort with unplaced students the reason; and the cells worse than in the status quo."""

    plan_id: int
    count: int
    reasons: list[CohortReason]
    trades: list[CellTrade]
