"""The plan: what a solve proposes, in plain data that serialises to JSON.

A :class:`Plan` holds, per cohort, its waves (form, start week, students) and where their
students are placed; the students left without a place (the shortage) by week, sector
chamber, pathway, level and area; utilisation per company and week; and the KPIs that a
region negotiates over. :func:`verify_plan` checks a plan against its scenario.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from planner.codes import DAYS_PER_WEEK, SECTOR_CHAMBERS, is_priority_group
from planner.scenario import InternshipForm, Scenario

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
            f"  peak week {k.peak_week} at {k.peak_week_utilisation:.0%} of capacity; mean travel {k.mean_travel_minutes:.0f} min",
            f"  cohorts changed {k.cohorts_changed}; solved in {k.solve_seconds:.1f} s ({self.solver.status})",
        ]
        for name, base in self.baselines.items():
            lines.append(f"  {name}: unplaced {base.unplaced:,} ({base.shortage_rate:.2%}), priority {base.unplaced_priority:,}")
        return "\n".join(lines)


# ------------------------------------------------------------------ building a plan


def student_weeks_for(scenario: Scenario, cohort_index: int, form: InternshipForm, start: int) -> list[int]:
    """Weeks (indices) a student of the cohort is at the company; raises if it does not fit."""
    cohort = scenario.cohorts[cohort_index]
    region = scenario.locations[cohort.location].holiday_region
    weeks = scenario.calendar.occupied_weeks(start, form, region)
    if weeks is None:
        raise ValueError(f"cohort {cohort.id}: {form} does not fit from week {scenario.calendar.weeks[start]}")
    return weeks


def company_capacity(scenario: Scenario) -> np.ndarray:
    """Capacity in student-days, shape (companies, weeks) or (companies, weeks, 5) in weekday mode."""
    weeks = scenario.calendar.weeks
    if scenario.weekday_detail:
        return np.array([[c.weekday_places_in(w) for w in weeks] for c in scenario.companies], dtype=np.int64).reshape(
            len(scenario.companies), len(weeks), DAYS_PER_WEEK
        )
    return np.array([[DAYS_PER_WEEK * c.places_in(w) for w in weeks] for c in scenario.companies], dtype=np.int64).reshape(
        len(scenario.companies), len(weeks)
    )


def day_pattern(form: InternshipForm, weekdays: list[str] | None) -> np.ndarray:
    """Per weekday, whether a student of this form is at the company (weekday mode)."""
    from planner.codes import WEEKDAYS

    if form.kind == "block":
        return np.ones(DAYS_PER_WEEK, dtype=np.int64)
    if not weekdays or len(weekdays) != form.days_per_week:
        raise ValueError(f"a line wave of {form} needs {form.days_per_week} weekdays, got {weekdays}")
    pattern = np.zeros(DAYS_PER_WEEK, dtype=np.int64)
    for day in weekdays:
        pattern[WEEKDAYS.index(day)] = 1
    return pattern


def company_load(scenario: Scenario, cohorts: list[CohortPlan]) -> np.ndarray:
    """Supervision load of the plan (and of BBL cohorts), same shape as :func:`company_capacity`."""
    capacity = company_capacity(scenario)
    load = np.zeros_like(capacity)
    week_index = scenario.calendar.week_index
    for plan in cohorts:
        for wave in plan.waves:
            form = InternshipForm.parse(wave.form)
            weeks = [week_index[w] for w in wave.weeks]
            for placement in wave.placements:
                k = scenario.company_index[placement.company]
                if scenario.weekday_detail:
                    load[k, weeks, :] += placement.students * day_pattern(form, wave.weekdays)
                else:
                    load[k, weeks] += placement.students * form.days_per_week
    return load


def verify_plan(scenario: Scenario, plan: Plan, travel_minutes: dict[str, np.ndarray] | None = None) -> list[str]:
    """Check a plan against its scenario; returns the violations (empty when the plan is sound).

    Checks: every student counted exactly once (placed + unplaced = cohort size), capacity
    never exceeded in any company-week(-day), waves within the cohort's window and limit,
    forms allowed, sector and level fit, and (given travel minutes per mode, ordered like
    ``scenario.areas``) travel limits.
    """
    problems: list[str] = []
    by_id = {c.id: (i, c) for i, c in enumerate(scenario.cohorts)}
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    week_index = scenario.calendar.week_index
    seen = set()
    for cp in plan.cohorts:
        if cp.cohort not in by_id:
            problems.append(f"plan has unknown cohort {cp.cohort}")
            continue
        if cp.cohort in seen:
            problems.append(f"cohort {cp.cohort} appears twice")
        seen.add(cp.cohort)
        i, cohort = by_id[cp.cohort]
        placed = sum(p.students for w in cp.waves for p in w.placements)
        if placed != cp.placed or cp.placed + cp.unplaced != cohort.students:
            problems.append(
                f"cohort {cohort.id}: placed {cp.placed} (placements {placed}) + unplaced {cp.unplaced} "
                f"!= {cohort.students} students"
            )
        if sum(w.students for w in cp.waves) != cohort.students and cp.waves:
            problems.append(f"cohort {cohort.id}: waves hold {sum(w.students for w in cp.waves)} of {cohort.students}")
        if cohort.pathway == "BOL" and len(cp.waves) > cohort.max_waves:
            problems.append(f"cohort {cohort.id}: {len(cp.waves)} waves, at most {cohort.max_waves} allowed")
        first, last = week_index[cohort.earliest_start], week_index[cohort.latest_end]
        for wave in cp.waves:
            if wave.form not in cohort.forms:
                problems.append(f"cohort {cohort.id}: form {wave.form} not allowed")
                continue
            form = InternshipForm.parse(wave.form)
            start = week_index[wave.start_week]
            expected = [scenario.calendar.weeks[w] for w in student_weeks_for(scenario, i, form, start)]
            if wave.weeks != expected:
                problems.append(f"cohort {cohort.id} wave {wave.wave}: weeks do not match form and start")
            if cohort.pathway == "BOL" and (start < first or week_index[wave.weeks[-1]] > last):
                problems.append(f"cohort {cohort.id} wave {wave.wave}: outside window {cohort.earliest_start}..{cohort.latest_end}")
            if wave.placed != sum(p.students for p in wave.placements) or wave.placed > wave.students:
                problems.append(f"cohort {cohort.id} wave {wave.wave}: placed count inconsistent")
            for placement in wave.placements:
                if placement.company not in scenario.company_index:
                    problems.append(f"cohort {cohort.id}: unknown company {placement.company}")
                    continue
                company = scenario.companies[scenario.company_index[placement.company]]
                if cohort.sector not in company.sectors or cohort.level not in company.levels:
                    problems.append(f"cohort {cohort.id}: company {company.id} does not accept {cohort.sector} level {cohort.level}")
                if travel_minutes is not None and cohort.pathway == "BOL":
                    mode = scenario.travel_mode(cohort)
                    origin = area_index[scenario.locations[cohort.location].area]
                    minutes = travel_minutes[mode][origin, area_index[company.area]]
                    if minutes > scenario.max_travel(cohort) + 1e-6:
                        problems.append(
                            f"cohort {cohort.id}: company {company.id} is {minutes:.0f} min away, limit {scenario.max_travel(cohort):g}"
                        )
    missing = set(by_id) - seen
    if missing:
        problems.append(f"plan misses cohorts {sorted(missing)[:5]}")
    if problems:
        return problems
    over = company_load(scenario, plan.cohorts) - company_capacity(scenario)
    for index in zip(*np.nonzero(over > 0)):
        k, w = index[0], index[1]
        problems.append(
            f"company {scenario.companies[k].id} week {scenario.calendar.weeks[w]}: capacity exceeded by {over[index]} student-days"
        )
        if len(problems) > 20:
            break
    return problems


def shortage_cells(scenario: Scenario, cohorts: list[CohortPlan]) -> list[ShortageCell]:
    """Unplaced students per week and (sector, pathway, level, area) cell."""
    cells: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for cp in cohorts:
        for wave in cp.waves:
            short = wave.students - wave.placed
            if short <= 0:
                continue
            for week in wave.weeks:
                cells[(week, cp.sector, cp.pathway, cp.level, cp.area)] += short
    order = scenario.calendar.week_index
    return [
        ShortageCell(week=w, sector=s, pathway=p, level=lv, area=a, unplaced=n)
        for (w, s, p, lv, a), n in sorted(cells.items(), key=lambda item: (order[item[0][0]], item[0][1:]))
    ]


def compute_kpis(
    scenario: Scenario,
    mode: str,
    cohorts: list[CohortPlan],
    load: np.ndarray,
    bound: float,
    solve_seconds: float,
) -> KPIs:
    """KPIs of a plan's cohorts; ``load`` as from :func:`company_load`."""
    bol = [cp for cp in cohorts if cp.pathway == "BOL"]
    students = sum(cp.students for cp in bol)
    unplaced = sum(cp.unplaced for cp in bol)
    priority = [cp for cp in bol if is_priority_group(cp.sector, cp.level)]
    students_priority = sum(cp.students for cp in priority)
    unplaced_priority = sum(cp.unplaced for cp in priority)
    objective = float(sum(cp.weight * cp.unplaced for cp in bol))
    capacity = company_capacity(scenario)
    weekly_capacity = capacity.reshape(capacity.shape[0], capacity.shape[1], -1).sum(axis=(0, 2))
    weekly_load = load.reshape(load.shape[0], load.shape[1], -1).sum(axis=(0, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(weekly_capacity > 0, weekly_load / np.maximum(weekly_capacity, 1), 0.0)
    peak = int(np.argmax(share)) if len(share) else None
    travel = [(p.travel_minutes, p.students) for cp in bol for w in cp.waves for p in w.placements]
    placed_students = sum(n for _, n in travel)
    mean_travel = sum(m * n for m, n in travel) / placed_students if placed_students else 0.0
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    by_institution: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cp in bol:
        cell = cells[(cp.sector, cp.pathway, cp.level)]
        cell[0] += cp.students
        cell[1] += cp.unplaced
        by_institution[cp.institution][0] += cp.students
        by_institution[cp.institution][1] += cp.unplaced
    level_order = {lv: i for i, lv in enumerate(("entree", "2", "3", "4"))}
    by_cell = [
        CellRate(sector=s, sector_name=SECTOR_CHAMBERS[s], pathway=p, level=lv, students=n, unplaced=u, rate=u / n if n else 0.0)
        for (s, p, lv), (n, u) in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1], level_order[kv[0][2]]))
    ]
    gap = max(0.0, objective - bound) / max(objective, 1.0)
    return KPIs(
        mode=mode,
        students=students,
        placed=students - unplaced,
        unplaced=unplaced,
        unplaced_priority=unplaced_priority,
        students_priority=students_priority,
        shortage_rate=unplaced / students if students else 0.0,
        shortage_rate_priority=unplaced_priority / students_priority if students_priority else 0.0,
        objective=round(objective, 6),
        bound=round(bound, 6),
        gap=gap,
        solve_seconds=round(solve_seconds, 3),
        peak_week=scenario.calendar.weeks[peak] if peak is not None else None,
        peak_week_utilisation=float(share[peak]) if peak is not None else 0.0,
        mean_travel_minutes=round(mean_travel, 2),
        cohorts_changed=sum(1 for cp in bol if cp.period_changed),
        students_moved=sum(
            w.students for cp in bol for w in cp.waves if w.form != _current_of(scenario, cp.cohort)[0]
            or w.start_week != _current_of(scenario, cp.cohort)[1]
        ),
        institution_max_shortage_rate=max((u / n for n, u in by_institution.values() if n), default=0.0),
        by_cell=by_cell,
    )


def _current_of(scenario: Scenario, cohort_id: str) -> tuple[str, str]:
    cohort = scenario.cohorts[scenario.cohort_index[cohort_id]]
    return cohort.current_form, cohort.current_start


def utilisation(scenario: Scenario, load: np.ndarray) -> list[CompanyUse]:
    """Per company: capacity and use per week, in student-days (weekday mode: summed over days)."""
    capacity = company_capacity(scenario)
    cap = capacity.reshape(capacity.shape[0], capacity.shape[1], -1).sum(axis=2)
    used = load.reshape(load.shape[0], load.shape[1], -1).sum(axis=2)
    return [
        CompanyUse(company=c.id, area=c.area, capacity=cap[k].tolist(), used=used[k].tolist())
        for k, c in enumerate(scenario.companies)
    ]
