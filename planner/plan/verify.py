"""Checking a plan against its scenario: every rule a plan must keep."""

from __future__ import annotations

import numpy as np

from planner.model.capacity import company_capacity, student_weeks
from planner.plan.kpis import company_load
from planner.plan.model import Plan
from planner.scenario import InternshipForm, Scenario


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
            expected = [scenario.calendar.weeks[w] for w in student_weeks(scenario, i, form, start)]
            if wave.weeks != expected:
                problems.append(f"cohort {cohort.id} wave {wave.wave}: weeks do not match form and start")
            if cohort.pathway == "BOL" and (start < first or week_index[wave.weeks[-1]] > last):
                problems.append(f"cohort {cohort.id} wave {wave.wave}: outside window "
                                f"{cohort.earliest_start}..{cohort.latest_end}")
            if wave.placed != sum(p.students for p in wave.placements) or wave.placed > wave.students:
                problems.append(f"cohort {cohort.id} wave {wave.wave}: placed count inconsistent")
            for placement in wave.placements:
                if placement.company not in scenario.company_index:
                    problems.append(f"cohort {cohort.id}: unknown company {placement.company}")
                    continue
                company = scenario.companies[scenario.company_index[placement.company]]
                if cohort.sector not in company.sectors or cohort.level not in company.levels:
                    problems.append(f"cohort {cohort.id}: company {company.id} does not accept "
                                    f"{cohort.sector} level {cohort.level}")
                if travel_minutes is not None and cohort.pathway == "BOL":
                    mode = scenario.travel_mode(cohort)
                    origin = area_index[scenario.locations[cohort.location].area]
                    minutes = travel_minutes[mode][origin, area_index[company.area]]
                    if minutes > scenario.max_travel(cohort) + 1e-6:
                        problems.append(
                            f"cohort {cohort.id}: company {company.id} is {minutes:.0f} min away, "
                            f"limit {scenario.max_travel(cohort):g}"
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
            f"company {scenario.companies[k].id} week {scenario.calendar.weeks[w]}: "
            f"capacity exceeded by {over[index]} student-days"
        )
        if len(problems) > 20:
            break
    return problems
