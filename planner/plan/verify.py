"""Checking a plan against its scenario: every rule a plan must keep."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from planner.model.capacity import student_weeks
from planner.model.problem import starts_too_close
from planner.plan.model import Plan
from planner.plan.state import capacity_excess
from planner.scenario import Cohort, InternshipForm, Scenario
from planner.scenario.eligibility import accepts

#: A stagebarometer cell: (sector chamber, pathway, level).
Cell = tuple[str, str, str]


def unplaced_per_cell(plan: Plan) -> dict[Cell, int]:
    """Unplaced students per stagebarometer cell (sector chamber, pathway, level) of a plan."""
    cells: dict[Cell, int] = {}
    for cp in plan.cohorts:
        key = (cp.sector, cp.pathway, cp.level)
        cells[key] = cells.get(key, 0) + cp.unplaced
    return cells


def verify_plan(scenario: Scenario, plan: Plan, travel_minutes: dict[str, np.ndarray] | None = None,
                cell_limits: dict[Cell, int] | None = None) -> list[str]:
    """Check a plan against its scenario; returns the violations (empty when the plan is sound).

    Checks: every student counted exactly once (placed + unplaced = cohort size), capacity
    never exceeded in any company-week(-day) (by the BOL placements, against what the company's
    own BBL students leave: :func:`~planner.plan.state.capacity_excess`), waves within the cohort's window and limit,
    forms allowed, sector and level fit, and (given travel minutes per mode, ordered like
    ``scenario.areas``) travel limits. The consortium controls: a ``locked`` cohort's waves
    are its current period, a ``keep_form`` cohort's waves its current form, every wave
    starts within ``max_shift_weeks`` of the current start, and a cohort split over two or
    more waves places at least its wave minimum (``policy.wave_minimum``) in each, with starts
    at least ``policy.min_weeks_between_waves`` apart. Given ``cell_limits`` (the
    status quo's unplaced students per stagebarometer cell, see :func:`unplaced_per_cell`),
    no cell has more unplaced students.
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
            expected = [scenario.calendar.weeks[w] for w in student_weeks(scenario, i, form, start)]
            if wave.weeks != expected:
                problems.append(f"cohort {cohort.id} wave {wave.wave}: weeks do not match form and start")
            if cohort.pathway == "BOL" and (start < first or week_index[wave.weeks[-1]] > last):
                problems.append(f"cohort {cohort.id} wave {wave.wave}: outside window "
                                f"{cohort.earliest_start}..{cohort.latest_end}")
            if wave.placed != sum(p.students for p in wave.placements) or wave.placed > wave.students:
                problems.append(f"cohort {cohort.id} wave {wave.wave}: placed count inconsistent")
            problems += _control_problems(scenario, cohort, wave.wave, wave.form, start)
            for placement in wave.placements:
                if placement.company not in scenario.company_index:
                    problems.append(f"cohort {cohort.id}: unknown company {placement.company}")
                    continue
                company = scenario.companies[scenario.company_index[placement.company]]
                if not accepts(company, cohort):
                    what = (f"crebo {cohort.crebo}" if company.recognitions else cohort.sector)
                    problems.append(f"cohort {cohort.id}: company {company.id} does not accept "
                                    f"{what} level {cohort.level}")
                if travel_minutes is not None and cohort.pathway == "BOL":
                    mode = scenario.travel_mode(cohort)
                    origin = area_index[scenario.locations[cohort.location].area]
                    minutes = travel_minutes[mode][origin, area_index[company.area]]
                    if minutes > scenario.max_travel(cohort) + 1e-6:
                        problems.append(
                            f"cohort {cohort.id}: company {company.id} is {minutes:.0f} min away, "
                            f"limit {scenario.max_travel(cohort):g}"
                        )
        placed_waves = [w for w in cp.waves if w.placed > 0]
        least = scenario.policy.wave_minimum(cohort)
        if cohort.pathway == "BOL" and len(placed_waves) >= 2:
            for wave in placed_waves:
                if wave.placed < least:
                    problems.append(f"cohort {cohort.id} wave {wave.wave}: {wave.placed} students, but a split "
                                    f"cohort places at least min_wave_students={least} per wave")
            gap = scenario.policy.min_weeks_between_waves
            for first, second in combinations(placed_waves, 2):
                if starts_too_close(week_index[first.start_week], week_index[second.start_week], gap):
                    problems.append(f"cohort {cohort.id} waves {first.wave} and {second.wave} start "
                                    f"{first.start_week} and {second.start_week}, less than "
                                    f"min_weeks_between_waves={gap} weeks apart")
    missing = set(by_id) - seen
    if missing:
        problems.append(f"plan misses cohorts {sorted(missing)[:5]}")
    if cell_limits is not None:
        for cell, unplaced in sorted(unplaced_per_cell(plan).items()):
            if unplaced > cell_limits.get(cell, 0):
                problems.append(f"stagebarometer cell {' '.join(cell)}: {unplaced} students unplaced, more than "
                                f"{cell_limits.get(cell, 0)} in the status quo (no_cell_worse_than_status_quo)")
    if problems:
        return problems
    over = capacity_excess(scenario, plan.cohorts)
    for index in zip(*np.nonzero(over > 0)):
        k, w = index[0], index[1]
        problems.append(
            f"company {scenario.companies[k].id} week {scenario.calendar.weeks[w]}: "
            f"capacity exceeded by {over[index]} student-days"
        )
        if len(problems) > 20:
            break
    return problems


def _control_problems(scenario: Scenario, cohort: Cohort, wave: int, form: str, start: int) -> list[str]:
    """Where a wave's period breaks its cohort's controls: locked, keep_form, max_shift_weeks."""
    problems = []
    current = scenario.calendar.week_index[cohort.current_start]
    where = f"cohort {cohort.id} wave {wave}"
    if cohort.locked and (form != cohort.current_form or start != current):
        problems.append(f"{where}: {form} from {scenario.calendar.weeks[start]}, but the cohort is locked to its "
                        f"current period {cohort.current_form} from {cohort.current_start}")
    elif cohort.keep_form and form != cohort.current_form:
        problems.append(f"{where}: form {form}, but keep_form keeps {cohort.current_form}")
    if cohort.max_shift_weeks is not None and abs(start - current) > cohort.max_shift_weeks:
        problems.append(f"{where}: starts {abs(start - current)} weeks from {cohort.current_start}, "
                        f"more than max_shift_weeks={cohort.max_shift_weeks}")
    return problems
