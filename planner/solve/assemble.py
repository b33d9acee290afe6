"""From assignments to a checked :class:`~planner.plan.model.Plan`."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from planner.geo.region import Region
from planner.i18n import N_, _
from planner.model.capacity import default_weekdays
from planner.model.problem import ProblemData
from planner.plan.kpis import company_load, compute_kpis, shortage_cells, utilisation
from planner.plan.model import CohortPlan, Placement, Plan, SolveStats, Wave, WaveRules
from planner.plan.verify import verify_plan
from planner.scenario import InternshipForm
from planner.solve.clock import Clock
from planner.solve.heuristics import Assignment


class SolveError(Exception):
    """A solve could not be completed (internal problem, not bad input)."""


def cohort_plans(
    data: ProblemData,
    region: Region,
    assignments: list[Assignment],
) -> list[CohortPlan]:
    """Turn company assignments into per-cohort waves; everything not placed is unplaced."""
    scenario = data.scenario
    calendar = scenario.calendar
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    minutes_cache: dict[str, np.ndarray] = {}
    by_cohort: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for option, company, students in assignments:
        by_cohort[int(data.option_cohort[option])][option][company] += students
    plans: list[CohortPlan] = []
    position_of = {i: c for c, i in enumerate(data.cohorts)}
    for i, cohort in enumerate(scenario.cohorts):
        location = scenario.locations[cohort.location]
        base = dict(
            cohort=cohort.id, institution=scenario.institution_of[cohort.location], location=cohort.location,
            area=location.area, crebo=cohort.crebo, programme=cohort.programme, sector=cohort.sector,
            level=cohort.level, pathway=cohort.pathway, students=cohort.students,
            weight=scenario.policy.weight(cohort),
        )
        current_form = InternshipForm.parse(cohort.current_form)
        current_start = calendar.week_index[cohort.current_start]
        if cohort.pathway == "BBL":
            weeks = calendar.occupied_weeks(current_start, current_form, location.holiday_region) or []
            wave = Wave(wave=1, form=cohort.current_form, start_week=cohort.current_start,
                        end_week=calendar.weeks[weeks[-1]], weeks=[calendar.weeks[w] for w in weeks],
                        weekdays=list(default_weekdays(current_form)) if data.n_days > 1 else None,
                        students=cohort.students, placed=cohort.students,
                        placements=[Placement(company=cohort.company, students=cohort.students, travel_minutes=0.0)])
            plans.append(CohortPlan(**base, placed=cohort.students, unplaced=0, period_changed=False, waves=[wave]))
            continue
        mode = scenario.travel_mode(cohort)
        if mode not in minutes_cache:
            minutes_cache[mode] = region.minutes_array(mode)
        origin = area_index[location.area]
        options = by_cohort.get(position_of[i], {})
        waves: list[Wave] = []
        for option in sorted(options, key=lambda o: (data.options[o].start, str(data.options[o].form))):
            spec = data.options[option]
            placements = [
                Placement(company=scenario.companies[k].id, students=n,
                          travel_minutes=round(float(minutes_cache[mode][origin, area_index[scenario.companies[k].area]]), 1))
                for k, n in sorted(options[option].items(), key=lambda kv: scenario.companies[kv[0]].id)
            ]
            placed = sum(p.students for p in placements)
            waves.append(Wave(wave=len(waves) + 1, form=str(spec.form), start_week=calendar.weeks[spec.start],
                              end_week=calendar.weeks[spec.weeks[-1]], weeks=[calendar.weeks[w] for w in spec.weeks],
                              weekdays=list(spec.weekdays) if spec.weekdays else None,
                              students=placed, placed=placed, placements=placements))
        placed = sum(w.placed for w in waves)
        unplaced = cohort.students - placed
        if unplaced:
            if waves:
                # Students without a place belong to the cohort's largest wave.
                largest = max(waves, key=lambda w: w.students)
                largest.students += unplaced
            else:
                weeks = calendar.occupied_weeks(current_start, current_form, location.holiday_region) or []
                weekdays = None
                if data.n_days > 1 and current_form.kind == "line":
                    weekdays = list(default_weekdays(current_form))
                waves.append(Wave(wave=1, form=cohort.current_form, start_week=cohort.current_start,
                                  end_week=calendar.weeks[weeks[-1]], weeks=[calendar.weeks[w] for w in weeks],
                                  weekdays=weekdays, students=cohort.students, placed=0, placements=[]))
        changed = any(w.form != cohort.current_form or w.start_week != cohort.current_start for w in waves)
        plans.append(CohortPlan(**base, placed=placed, unplaced=unplaced, period_changed=changed, waves=waves))
    return plans


def assignments_of(data: ProblemData, plan: Plan) -> list[Assignment]:
    """A plan's placements as assignments on ``data``: the inverse of :func:`cohort_plans`.

    Used to start one solve from another's plan (an optimised solve from the status-quo plan,
    whose current periods are options of the optimise mode too). Waves whose period is not an
    option of ``data`` are left out.
    """
    scenario = data.scenario
    position_of = {scenario.cohorts[i].id: c for c, i in enumerate(data.cohorts)}
    option_of = {(spec.cohort, str(spec.form), spec.start, spec.weekdays): o for o, spec in enumerate(data.options)}
    assignments: list[Assignment] = []
    for cohort_plan in plan.cohorts:
        position = position_of.get(cohort_plan.cohort)
        if position is None:
            continue  # BBL: not scheduled
        for wave in cohort_plan.waves:
            weekdays = tuple(wave.weekdays) if wave.weekdays and data.n_days > 1 and wave.form.startswith("line") else None
            option = option_of.get((position, wave.form, scenario.calendar.week_index[wave.start_week], weekdays))
            if option is None:
                continue
            assignments += [(option, scenario.company_index[p.company], p.students) for p in wave.placements]
    return assignments


def start_assignments(data: ProblemData, plan: Plan) -> list[Assignment]:
    """Another scenario's plan (e.g. a variant's base) as a feasible start on ``data``.

    The placements of :func:`assignments_of` are repaired to this scenario: placements at
    companies that are gone or out of the cohort's reach are dropped, a cohort keeps at most
    its students and its ``max_waves`` largest waves, and a company keeps what fits its
    capacity in every cell (placements in the plan's order). What is left is a plan of this
    scenario; where the scenario only adds capacity it is the whole plan, with the same
    weighted shortage.
    """
    from planner.solve.exact.tables import company_sets, option_rows  # the exact stage loads lazily

    scenario = data.scenario
    position_of = {scenario.cohorts[i].id: c for c, i in enumerate(data.cohorts)}
    option_of = {(spec.cohort, str(spec.form), spec.start, spec.weekdays): o for o, spec in enumerate(data.options)}
    reach = [set(s.tolist()) for s in company_sets(data)]
    by_cohort: dict[int, list[Assignment]] = defaultdict(list)
    for cohort_plan in plan.cohorts:
        position = position_of.get(cohort_plan.cohort)
        if position is None:
            continue
        for wave in cohort_plan.waves:
            week = scenario.calendar.week_index.get(wave.start_week)
            weekdays = tuple(wave.weekdays) if wave.weekdays and data.n_days > 1 and wave.form.startswith("line") else None
            option = option_of.get((position, wave.form, week, weekdays))
            if option is None:
                continue
            for p in wave.placements:
                company = scenario.company_index.get(p.company)
                if company is not None and company in reach[position] and p.students > 0:
                    by_cohort[position].append((option, company, int(p.students)))
    kept: list[Assignment] = []
    for position, assignments in sorted(by_cohort.items()):
        per_option: dict[int, int] = defaultdict(int)
        for option, _company, n in assignments:
            per_option[option] += n
        waves = sorted(per_option, key=lambda o: (-per_option[o], o))[: int(data.max_waves[position])]
        left = int(data.students[position])
        for option, company, n in assignments:
            if option in waves and left > 0:
                kept.append((option, company, min(n, left)))
                left -= min(n, left)
    remaining = data.company_capacity.astype(np.int64).copy()
    rows = option_rows(data)
    out: list[Assignment] = []
    for option, company, n in kept:
        cells, need = rows[option]
        fit = int((remaining[company, cells] // np.maximum(need, 1)).min()) if len(cells) else n
        take = max(0, min(n, fit))
        if take:
            remaining[company, cells] -= need * take
            out.append((option, company, take))
    return out


def assemble_plan(
    data: ProblemData,
    region: Region,
    mode: str,
    assignments: list[Assignment],
    bound: float,
    clock: Clock,
    stats: dict,
) -> Plan:
    """The verified plan of ``assignments``: waves per cohort, KPIs, shortage, utilisation and solver statistics.

    Every number is recomputed from the placements, never taken from a solver's objective;
    a plan that breaks a rule raises :class:`SolveError`.
    """
    scenario = data.scenario
    cohorts = cohort_plans(data, region, assignments)
    load = company_load(scenario, cohorts)
    kpis = compute_kpis(scenario, mode, cohorts, load, bound, clock.elapsed())
    clock.report("plan", kpis.objective, bound)
    explanation = list(data.notes)
    unreachable = [scenario.cohorts[data.cohorts[c]].id for c in range(len(data.cohorts)) if len(data.eligible[c]) == 0]
    if unreachable:
        explanation.append(
            _("{n} cohorts have no learning company that fits their sector, level and travel limit: {cohorts}").format(
                n=len(unreachable), cohorts=", ".join(unreachable[:10]) + ("..." if len(unreachable) > 10 else ""))
        )
    if kpis.placed == 0 and kpis.students:
        explanation.append(N_("no student could be placed: every student of every cohort is shortage"))
    solver = SolveStats(
        status=stats.get("status", "optimal"), engine=stats.get("engine", "GLOP + HiGHS"),
        build_seconds=round(stats.get("build_seconds", 0.0), 3),
        solve_seconds=round(clock.elapsed() - stats.get("build_seconds", 0.0), 3),
        wall_seconds=round(clock.elapsed(), 3), variables=stats.get("variables", 0), constraints=stats.get("constraints", 0),
        clusters=data.n_clusters, time_limit=clock.time_limit, seed=stats.get("seed", 0), progress=clock.progress,
        explanation=explanation,
    )
    plan = Plan(
        scenario=scenario.name, mode=mode, weeks=scenario.calendar.weeks, kpis=kpis, cohorts=cohorts,
        shortages=shortage_cells(scenario, cohorts), utilisation=utilisation(scenario, load), solver=solver,
        wave_rules=WaveRules(min_wave_students=scenario.policy.min_wave_students,
                             min_weeks_between_waves=scenario.policy.min_weeks_between_waves),
    )
    # Never hand out a plan that breaks a rule: capacity, counts, windows, waves, fit, travel.
    minutes = {m: region.minutes_array(m) for m in {scenario.travel_mode(c) for c in scenario.cohorts}}
    cell_limits = None if data.cell_limit is None else dict(zip(data.cells, data.cell_limit.tolist()))
    violations = verify_plan(scenario, plan, minutes, cell_limits)
    if violations:
        raise SolveError("the plan breaks its own rules: " + "; ".join(violations[:5]))
    return plan
