"""The plan: what a solve proposes, in plain data that serialises to JSON.

A :class:`Plan` holds, per cohort, its waves (form, start week, students) and where their
students are placed; the students left without a place (the shortage) by week, sector
chamber, pathway, level and area; utilisation per company and week; and the KPIs that a
region negotiates over. KPIs are computed in :mod:`planner.plan.kpis`, checks in
:mod:`planner.plan.verify`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["optimise", "status-quo", "greedy"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Placement(_Out):
    """Students of one wave at one learning company."""

    company: str
    students: int = Field(ge=1)
    travel_minutes: float


class Wave(_Out):
    """Students of a cohort who start together in one form."""

    wave: int = Field(ge=1)
    form: str
    start_week: str
    end_week: str
    weeks: list[str] = Field(description="Weeks in which the students are at the company (holidays skipped).")
    weekdays: list[str] | None = Field(default=None, description="Weekday pattern of a line wave (weekday mode).")
    students: int = Field(ge=0, description="Students of this wave, placed and unplaced.")
    placed: int = Field(ge=0)
    placements: list[Placement] = Field(default_factory=list)


class CohortPlan(_Out):
    """One cohort's proposed (or current) internship periods and its shortage."""

    cohort: str
    institution: str
    location: str
    area: str
    crebo: str
    programme: str
    sector: str
    level: str
    pathway: str
    students: int
    placed: int
    unplaced: int
    weight: float
    period_changed: bool = Field(description="Whether the plan differs from the current period.")
    waves: list[Wave]


class ShortageCell(_Out):
    """Students without a place in one week, by sector chamber, pathway, level and area."""

    week: str
    sector: str
    pathway: str
    level: str
    area: str
    unplaced: int


class CompanyUse(_Out):
    """Supervision use of one company per week, in student-days."""

    company: str
    area: str
    capacity: list[int]
    used: list[int]


class CellRate(_Out):
    """Shortage in one stagebarometer cell: sector chamber x pathway x level."""

    sector: str
    sector_name: str
    pathway: str
    level: str
    students: int
    unplaced: int
    rate: float


class KPIs(_Out):
    """The numbers a region negotiates over."""

    mode: str
    students: int
    placed: int
    unplaced: int
    unplaced_priority: int = Field(description="Unplaced students in entree, level 2 or care.")
    students_priority: int
    shortage_rate: float
    shortage_rate_priority: float
    objective: float = Field(description="Weighted shortage (the primary objective).")
    bound: float = Field(description="Proven lower bound on the weighted shortage.")
    gap: float = Field(description="(objective - bound) / max(objective, 1).")
    solve_seconds: float
    peak_week: str | None
    peak_week_utilisation: float = Field(description="Share of supervision capacity used in the busiest week.")
    mean_travel_minutes: float
    cohorts_changed: int
    students_moved: int = Field(description="Students not in their current period.")
    institution_max_shortage_rate: float
    by_cell: list[CellRate]


class Progress(_Out):
    """One moment of a solve: best plan and bound so far."""

    seconds: float
    phase: str
    incumbent: float | None
    bound: float | None


class SolveStats(_Out):
    """How the solve went."""

    status: str
    engine: str
    build_seconds: float
    solve_seconds: float
    wall_seconds: float
    variables: int
    constraints: int
    clusters: int
    time_limit: float
    seed: int
    progress: list[Progress] = Field(default_factory=list)
    explanation: list[str] = Field(default_factory=list)


class Plan(_Out):
    """A complete plan for one scenario in one mode."""

    scenario: str
    mode: str
    weeks: list[str]
    kpis: KPIs
    baselines: dict[str, KPIs] = Field(default_factory=dict, description="KPIs of the status quo and greedy plans.")
    cohorts: list[CohortPlan]
    shortages: list[ShortageCell]
    utilisation: list[CompanyUse]
    solver: SolveStats

    def summary(self) -> str:
        """A short readable account of the plan."""
        k = self.kpis
        lines = [
            f"Plan for {self.scenario} ({self.mode})",
            f"  students {k.students:,}  placed {k.placed:,}  unplaced {k.unplaced:,} ({k.shortage_rate:.2%})",
            f"  priority groups: unplaced {k.unplaced_priority:,} of {k.students_priority:,} "
            f"({k.shortage_rate_priority:.2%})",
            f"  weighted shortage {k.objective:,.1f}  bound {k.bound:,.1f}  gap {k.gap:.2%}",
            f"  peak week {k.peak_week} at {k.peak_week_utilisation:.0%} of capacity; "
            f"mean travel {k.mean_travel_minutes:.0f} min",
            f"  cohorts changed {k.cohorts_changed}; solved in {k.solve_seconds:.1f} s ({self.solver.status})",
        ]
        for name, base in self.baselines.items():
            lines.append(f"  {name}: unplaced {base.unplaced:,} ({base.shortage_rate:.2%}), priority {base.unplaced_priority:,}")
        return "\n".join(lines)


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Read a plan from a plan.json file or from an output folder that holds one.

    Raises FileNotFoundError when there is no plan there and ValueError when the file is not a plan.
    """
    path = Path(path)
    if path.is_dir():
        if not (path / "plan.json").is_file():
            raise FileNotFoundError(f"{path}: the folder holds no plan.json")
        path = path / "plan.json"
    elif not path.exists():
        raise FileNotFoundError(f"{path}: file does not exist")
    try:
        return Plan.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        first = str(err).splitlines()
        raise ValueError(f"{path}: is not a plan.json written by stageplanner ({first[0] if first else err})") from None
