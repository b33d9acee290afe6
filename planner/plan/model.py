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

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class Holder(_Out):
    """A cohort that holds places at the companies another cohort could use, in that cohort's weeks."""

    cohort: str
    institution: str
    institution_name: str = ""
    programme: str
    sector: str
    level: str
    weight: float
    student_days: int = Field(ge=0, description="Student-days it takes at those companies in those weeks.")


class UnplacedReason(_Out):
    """Why students of one cohort stay without a place (computed by :mod:`planner.plan.reasons`).

    ``kind`` is one of ``no_company_in_reach`` (no learning company within the travel limit
    accepts the cohort's sector chamber and level), ``not_recognised_in_reach`` (no learning
    company within the travel limit is recognised for the cohort's crebo; with the nearest one
    that is), ``companies_full`` (the companies it may
    use are full in the weeks of its possible periods), ``priority_trade`` (as full, and the
    places are held mostly by cohorts whose unplaced students weigh more), ``window_or_waves``
    (places are free in an allowed period, but the cohort already uses its maximum number of
    waves) or ``not_used`` (places are free in an allowed period and the solve did not use them
    within its time limit).
    """

    kind: str
    unplaced: int = Field(ge=0)
    weight: float
    travel_limit_minutes: float
    fitting_companies: int = Field(ge=0, description="Companies anywhere that accept the sector chamber and level.")
    eligible_companies: int = Field(ge=0, description="Of those, the companies within the travel limit.")
    options: int = Field(ge=0, description="Allowed periods (form x start week) in the cohort's window.")
    first_week: str | None = None
    last_week: str | None = None
    capacity: int = Field(default=0, ge=0, description="Student-days the eligible companies offer in those weeks.")
    taken: int = Field(default=0, ge=0, description="Of that capacity, student-days taken by other cohorts.")
    taken_by_priority: int = Field(default=0, ge=0, description="Taken by cohorts with a higher weight.")
    waves_used: int = 0
    max_waves: int = 1
    free_form: str | None = Field(default=None, description="A form with a free period outside the window (window_or_waves).")
    free_start: str | None = Field(default=None, description="The start week of that free period.")
    free_end: str | None = Field(default=None, description="The end week of that free period.")
    locked: bool = Field(default=False, description="The cohort is locked to its current period (the consortium's "
                                                    "control), so an optimised plan could not move it.")
    companies: list[str] = Field(default_factory=list, description="Names of the fullest eligible companies.")
    holders: list[Holder] = Field(default_factory=list, description="The cohorts holding most of those places.")
    crebo: str | None = Field(default=None, description="The cohort's crebo (not_recognised_in_reach).")
    nearest_company: str | None = Field(
        default=None, description="The nearest company recognised for the crebo, beyond the travel limit.")
    nearest_minutes: float | None = Field(default=None, description="Travel minutes to that company.")
    text: str = Field(default="", description="The reason in words (English).")


class CellTrade(_Out):
    """A stagebarometer cell with more unplaced students than in the status quo, and the cells that gained."""

    sector: str
    pathway: str
    level: str
    change: int = Field(description="Unplaced students in this plan minus the status quo (positive: worse).")
    gained: list[dict[str, str | int | bool]] = Field(
        default_factory=list, description="Cells with fewer unplaced students that use the same companies and weeks "
        "(sector, pathway, level, change, priority).")
    text: str = ""


class WaveRules(_Out):
    """The practical rules a plan was solved with (from the scenario's policy)."""

    min_wave_students: int = Field(description="Least students per wave of a split cohort (0 or 1: no minimum); "
                                               "a cohort's own min_wave_students overrides it.")
    min_weeks_between_waves: int = Field(description="Least weeks between the starts of a split cohort's waves "
                                                     "(0: no rule).")


class TradeoffPoint(_Out):
    """One point of the trade-off curve: the best plan with at most ``max_changed`` changed cohorts."""

    max_changed: int = Field(ge=0, description="The limit k on cohorts that change period or form.")
    changed: int = Field(ge=0, description="Cohorts the point's plan changes.")
    moved: int = Field(ge=0, description="Students not in their cohort's current period.")
    shortage: float = Field(description="Weighted shortage of the point's plan.")
    unplaced: int = Field(ge=0, description="Students without a place.")
    bound: float = Field(description="Proven lower bound on the weighted shortage with at most k changed cohorts.")
    gap: float | None = Field(default=None, description="(shortage - bound) / max(shortage, 1): how far the point's "
                                                        "plan may be from the best for its limit (computed when absent, "
                                                        "as in curves stored before it existed).")
    optimal: bool = Field(description="Whether the point's plan is proven best for its limit.")
    stopped: bool = Field(default=False, description="Whether the time limit stopped the point's solve.")

    @model_validator(mode="after")
    def _with_gap(self) -> TradeoffPoint:
        if self.gap is None:
            from planner.plan.state import gap

            self.gap = gap(self.shortage, self.bound)
        return self


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
    reasons: dict[str, UnplacedReason] | None = Field(
        default=None, description="Per cohort with unplaced students, why (None: not computed, as in older plans).")
    wave_rules: WaveRules | None = Field(
        default=None, description="The practical rules the plan was solved with (None: older plans, solved without).")
    tradeoff: list[TradeoffPoint] | None = Field(
        default=None, description="At most k changed cohorts -> shortage, from the status quo to this plan "
                                  "(None: not computed).")
    trades: list[CellTrade] | None = Field(
        default=None, description="Cells worse than in the status quo and what gained in exchange (None: not computed).")

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
