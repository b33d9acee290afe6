"""Solving: from a scenario to a checked :class:`~planner.plan.Plan`.

The pipeline (chosen by measurement, see ``docs/benchmarks.md``):

1. compile the scenario (:func:`planner.model.compile_problem`) and build the LP relaxation
   over every (cohort, option, cluster) column;
2. solve it with GLOP: its optimum is a proven lower bound on the weighted shortage of the
   full problem (integer students, wave limits, one company per student all relaxed);
3. restrict each cohort to the options its LP solution uses (plus its current period) and
   solve that integer model, with wave limits and the secondary objectives, with HiGHS;
4. split each cluster's students over its member companies and count what does not fit as
   unplaced, so the reported plan is exactly what the companies can take;
5. compare with the status quo and the greedy first-come-first-served allocation.

Every number in the result is recomputed from the final placements, never taken from a
solver's objective.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_module
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.sparse.csgraph import connected_components

from planner.geo import Region
from planner.model.problem import (
    BuiltModel,
    Columns,
    Objective,
    ProblemData,
    build_model,
    compile_problem,
    default_weekdays,
    fill_helper,
    placement_columns,
)
from planner.plan.model import (
    CohortPlan,
    Placement,
    Plan,
    Progress,
    SolveStats,
    Wave,
    company_load,
    compute_kpis,
    shortage_cells,
    utilisation,
    verify_plan,
)
from planner.scenario import InternshipForm, Scenario

ProgressCallback = Callable[[Progress], None]

# The LP breaks ties towards the current periods with this cost per moved student; the bound
# subtracts it again for every student (so the bound stays valid for the weighted shortage).
LP_CHANGE_COST = 1e-5
# Secondary objectives in the integer model, by rank in policy.then_minimise. Units: a
# moved student, a student-hour of travel, a percentage point of the worst institution's
# shortage rate. Even the first is 10,000 times lighter than one unplaced student.
TIER_COSTS = (1e-4, 1e-6, 1e-8)
MODES = ("optimise", "status-quo", "greedy")
# Engines, chosen by measurement (docs/benchmarks.md): GLOP gives column generation usable duals
# (HiGHS converges in many more rounds); HiGHS as MIP engine crashes in OR-Tools 9.15.
LP_ENGINE = "glop"
MIP_ENGINE = "scip"
# Column generation: new columns per cohort and round.
COLUMNS_PER_ROUND = 8


class SolveError(Exception):
    """A solve could not be completed (internal problem, not bad input)."""


def _run(built: BuiltModel, solver: str, time_limit: float, seed: int, hint: dict[int, float] | None = None):
    """Solve a built model; returns (status, objective, bound, values) with values None when no solution."""
    engine = mbh.ModelSolverHelper(solver)
    engine.set_time_limit_in_seconds(max(0.2, float(time_limit)))
    if solver == "scip":
        engine.set_solver_specific_parameters(f"randomization/randomseedshift = {int(seed)}")
    if hint:
        built.helper.clear_hints()
        for var, value in hint.items():
            built.helper.add_hint(var, value)
    engine.solve(built.helper)
    status = engine.status()
    if status in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE) and engine.has_solution():
        name = "optimal" if status == mbh.SolveStatus.OPTIMAL else "feasible"
        return name, engine.objective_value(), engine.best_objective_bound(), np.asarray(engine.variable_values())
    return str(status).rsplit(".", 1)[-1].lower(), None, None, None


class _Clock:
    def __init__(self, time_limit: float, callback: ProgressCallback | None):
        self.start = time.perf_counter()
        self.time_limit = time_limit
        self.callback = callback
        self.progress: list[Progress] = []

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def remaining(self) -> float:
        return max(0.0, self.time_limit - self.elapsed())

    def report(self, phase: str, incumbent: float | None, bound: float | None) -> None:
        event = Progress(seconds=round(self.elapsed(), 3), phase=phase, incumbent=incumbent, bound=bound)
        self.progress.append(event)
        if self.callback is not None:
            self.callback(event)


def _secondary(scenario: Scenario) -> Objective:
    objective = Objective()
    for rank, name in enumerate(scenario.policy.then_minimise):
        cost = TIER_COSTS[rank]
        if name == "changes":
            objective.change_per_student = cost
        elif name == "travel":
            objective.travel_per_student_minute = cost / 60.0
        else:
            objective.balance = cost * 100.0
    return objective


def _components(data: ProblemData, columns: Columns) -> list[np.ndarray]:
    """Independent parts: cohorts linked through the clusters they may share."""
    n_c, n_k = len(data.cohorts), data.n_clusters
    cohort_of_column = data.option_cohort[columns.option]
    graph = sp.coo_matrix((np.ones(len(cohort_of_column)), (cohort_of_column, n_c + columns.cluster)),
                          shape=(n_c + n_k, n_c + n_k))
    _, labels = connected_components(graph, directed=False)
    cohort_labels = labels[:n_c]
    has_columns = np.bincount(cohort_of_column, minlength=n_c) > 0
    order = np.argsort(cohort_labels, kind="stable")
    groups = np.split(order, np.nonzero(np.diff(cohort_labels[order]))[0] + 1)
    return [g for g in groups if len(g) and has_columns[g[0]]]


@dataclass
class _Solution:
    bound: float = 0.0
    bound_proven: bool = True
    variables: int = 0
    constraints: int = 0
    statuses: set = field(default_factory=set)
    parts: list = field(default_factory=list)  # (cohorts, columns, LP values or None) per part
    rounds: int = 0  # column generation rounds


def _relax_component(data: ProblemData, cohorts: np.ndarray, columns: Columns, time_limit: float, seed: int,
                     solution: _Solution) -> None:
    """Solve the LP relaxation of one independent part by column generation.

    The restricted master starts from the current periods; each round adds, per cohort, the
    columns with the most negative reduced cost. Every round also gives a proven Lagrangian
    bound on the full relaxation, ``z + sum_c students_c * min(0, min reduced cost of c)``,
    so a part cut short by the time limit still has a valid bound. When no column prices
    out, the restricted optimum is the optimum of the full relaxation.
    """
    started = time.perf_counter()
    full = build_model(data, columns, Objective(change_per_student=LP_CHANGE_COST), cohorts)
    n_x, n_c = len(columns.option), len(cohorts)
    matrix = full.matrix.tocsc()
    x_matrix_t = matrix[:, :n_x].T.tocsr()
    local = np.full(len(data.cohorts), -1, dtype=np.int64)
    local[cohorts] = np.arange(n_c)
    column_cohort = local[data.option_cohort[columns.option]]
    students = data.students[cohorts].astype(float)
    active = data.option_current[columns.option].copy()
    best_bound, values, exact, rounds = -np.inf, None, False, 0
    while True:
        rounds += 1
        selected = np.concatenate([np.nonzero(active)[0], n_x + np.arange(n_c)])
        sub = matrix[:, selected].tocsr()
        rows = np.nonzero(np.diff(sub.indptr))[0]
        helper = fill_helper(full.lower[selected], full.upper[selected], full.cost[selected],
                             full.row_lower[rows], full.row_upper[rows], sub[rows])
        engine = mbh.ModelSolverHelper(LP_ENGINE)
        engine.set_time_limit_in_seconds(max(0.2, time_limit - (time.perf_counter() - started)))
        engine.solve(helper)
        if engine.status() != mbh.SolveStatus.OPTIMAL:
            break
        duals = np.zeros(full.n_constraints)
        duals[rows] = np.asarray(engine.dual_values())
        objective = engine.objective_value()
        reduced = full.cost[:n_x] - x_matrix_t @ duals
        lowest = np.zeros(n_c)
        np.minimum.at(lowest, column_cohort, reduced)
        best_bound = max(best_bound, objective + float((students * lowest).sum()))
        values = np.zeros(n_x)
        values[active] = np.asarray(engine.variable_values())[: int(active.sum())]
        candidates = np.nonzero(~active & (reduced < -1e-7))[0]
        if len(candidates) == 0:
            best_bound, exact = objective, True
            break
        if time.perf_counter() - started > time_limit:
            break
        # Per cohort the most promising new columns, most negative first.
        order = candidates[np.lexsort((reduced[candidates], column_cohort[candidates]))]
        first = np.r_[0, np.nonzero(np.diff(column_cohort[order]))[0] + 1]
        rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
        active[order[rank < COLUMNS_PER_ROUND]] = True
    solution.variables += n_x + n_c
    solution.constraints += full.n_constraints
    solution.rounds += rounds
    if values is None:
        solution.bound_proven = False
        solution.statuses.add("relaxation not solved")
        solution.parts.append((cohorts, columns, None))
        return
    if not exact:
        solution.statuses.add("relaxation cut short (Lagrangian bound)")
    # Proven: weighted shortage >= LP bound - tie-break cost of every student who could move.
    movable = np.isin(cohorts, data.option_cohort[columns.option[~data.option_current[columns.option]]])
    solution.bound += max(0.0, best_bound - LP_CHANGE_COST * float(data.students[cohorts][movable].sum()))
    solution.parts.append((cohorts, columns, values))


def _chosen_waves(data: ProblemData, columns: Columns, values: np.ndarray | None) -> np.ndarray:
    """Columns of the options each cohort keeps: its heaviest LP options, at most max_waves of them."""
    if values is None:
        return data.option_current[columns.option]
    mass = np.bincount(columns.option, weights=values, minlength=len(data.options))
    keep_option = np.zeros(len(data.options), dtype=bool)
    used = np.nonzero(mass > 1e-6)[0]
    by_cohort = defaultdict(list)
    for option in used[np.argsort(-mass[used], kind="stable")]:
        cohort = int(data.option_cohort[option])
        if len(by_cohort[cohort]) < data.max_waves[cohort]:
            by_cohort[cohort].append(option)
            keep_option[option] = True
    return keep_option[columns.option]


def _weighted_shortage(data: ProblemData, assignments: list[tuple[int, int, int]]) -> float:
    placed = np.zeros(len(data.cohorts))
    for option, _, students in assignments:
        placed[data.option_cohort[option]] += students
    return float((data.weight * (data.students - placed)).sum())


def _optimised_assignments(data: ProblemData, clock: _Clock, seed: int) -> tuple[list[tuple[int, int, int]], _Solution]:
    """Bound from the relaxation, a plan from rounding it, then a better one from the MIP if time allows."""
    columns = placement_columns(data)
    components = _components(data, columns)
    solution = _Solution()
    component_of = np.full(len(data.cohorts), -1)
    for index, members in enumerate(components):
        component_of[members] = index
    column_component = component_of[data.option_cohort[columns.option]]
    # Cohorts no pool can take are short for certain: that is part of the bound too.
    stranded = component_of < 0
    solution.bound += float((data.weight[stranded] * data.students[stranded]).sum())
    sizes = np.bincount(column_component, minlength=len(components)).astype(float)
    # 1. Relaxation per part, largest first; each part gets its share of the time for this phase.
    for index in np.argsort(-sizes, kind="stable"):
        share = sizes[index] / max(sizes.sum(), 1.0)
        budget = max(0.5, clock.remaining() * 0.7 * share)
        part = column_component == index
        part_columns = Columns(columns.option[part], columns.cluster[part], columns.minutes[part])
        _relax_component(data, components[index], part_columns, budget, seed, solution)
        sizes[index] = 0.0
    clock.report("relaxation", None, solution.bound if solution.bound_proven else None)

    # 2. Round the relaxation: keep each cohort's heaviest options, whole students, then repair.
    kept = [(cols, vals, _chosen_waves(data, cols, vals)) for _, cols, vals in solution.parts]
    rounded_columns = _concat([Columns(c.option[k], c.cluster[k], c.minutes[k]) for c, _, k in kept])
    rounded_values = np.concatenate([np.floor(v[k] + 1e-6).astype(np.int64) if v is not None
                                     else np.zeros(int(k.sum()), dtype=np.int64) for _, v, k in kept]) if kept else np.zeros(0, dtype=np.int64)
    best = _disaggregate(data, rounded_columns, rounded_values)
    best_value = _weighted_shortage(data, best)
    source = "rounding"
    clock.report("rounding", best_value, solution.bound if solution.bound_proven else None)
    lp_mass = np.zeros(len(data.options))
    for _, cols, vals in solution.parts:
        if vals is not None:
            lp_mass += np.bincount(cols.option, weights=vals, minlength=len(data.options))
    staggered = _staggered_greedy(data, lp_mass)
    value = _weighted_shortage(data, staggered)
    if value < best_value - 1e-9:
        best, best_value, source = staggered, value, "staggered greedy"
    clock.report("staggered greedy", best_value, solution.bound if solution.bound_proven else None)

    # 3. With time left, the integer model over the options the relaxation uses (plus the current ones).
    if clock.remaining() > 1.0 and best_value > solution.bound + 1e-6 and data.mode == "optimise":
        mip_columns, mip_values = [], []
        for cohorts, cols, vals in solution.parts:
            if vals is None:
                continue
            mass = np.bincount(cols.option, weights=vals, minlength=len(data.options))
            keep = (mass[cols.option] > 1e-6) | data.option_current[cols.option]
            restricted = Columns(cols.option[keep], cols.cluster[keep], cols.minutes[keep])
            integer = build_model(data, restricted, _secondary(data.scenario), cohorts, integer=True, wave_limits=True)
            hint = {int(j): float(v) for j, v in enumerate(np.floor(vals[keep] + 1e-6)) if v > 0}
            share = len(restricted.option) / max(sum(len(c.option) for _, c, _ in solution.parts), 1)
            status, _, _, values = _run(integer, MIP_ENGINE, max(0.5, clock.remaining() * min(1.0, share * 1.2)), seed, hint)
            solution.statuses.add(f"mip {status}")
            if values is not None:
                mip_columns.append(restricted)
                mip_values.append(np.rint(values[: len(restricted.option)]).astype(np.int64))
        if mip_columns:
            candidate = _disaggregate(data, _concat(mip_columns), np.concatenate(mip_values))
            value = _weighted_shortage(data, candidate)
            if value < best_value - 1e-9:
                best, best_value, source = candidate, value, "integer model"
            clock.report("integer model", best_value, solution.bound if solution.bound_proven else None)
    solution.statuses.add(f"plan by {source}")
    return best, solution


def _concat(parts: list[Columns]) -> Columns:
    if not parts:
        return Columns(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    return Columns(*(np.concatenate([getattr(c, name) for c in parts]) for name in ("option", "cluster", "minutes")))


def _fill(data: ProblemData, remaining: np.ndarray, option: int, companies: np.ndarray, students: int,
          assignments: list[tuple[int, int, int]], in_order: bool = False) -> int:
    """Place up to ``students`` of ``option`` in ``companies``; returns how many are left.

    Tightest fit first, or the companies in the order given when ``in_order``.
    """
    row = data.occupancy[option]
    cells, load = row.indices, row.data
    room = (remaining[np.ix_(companies, cells)] // load).min(axis=1)
    # Best fit: fill the companies with the least room first, keeping big gaps for big needs.
    order = np.arange(len(companies)) if in_order else np.argsort(room, kind="stable")
    for m in order:
        if students == 0:
            break
        if room[m] <= 0:
            continue
        take = int(min(room[m], students))
        company = int(companies[m])
        remaining[company, cells] -= take * load
        assignments.append((option, company, take))
        students -= take
    return students


def _disaggregate(data: ProblemData, columns: Columns, values: np.ndarray) -> list[tuple[int, int, int]]:
    """Split pool placements over member companies; returns (option, company, students).

    A pool sums its companies' capacity, but a student needs room in one company for all of
    its weeks. Students that do not fit in their pool, and students the plan left without a
    place, are tried (priority groups first) at any company the cohort may use in a period
    the cohort already has, then in a new period while its wave limit allows. What still
    does not fit is unplaced.
    """
    remaining = data.company_capacity.copy()
    assignments: list[tuple[int, int, int]] = []
    chosen = np.nonzero(values > 0)[0]
    # Earliest start first (interval partitioning: optimal for identical companies), the
    # heaviest internship first among those starting in the same week.
    heaviness = np.asarray(data.occupancy.sum(axis=1)).ravel()
    starts = np.array([o.start for o in data.options], dtype=np.int64)
    option = columns.option[chosen]
    chosen = chosen[np.lexsort((columns.cluster[chosen], -heaviness[option], starts[option]))]
    placed = np.zeros(len(data.cohorts), dtype=np.int64)
    used: dict[int, list[int]] = defaultdict(list)
    for j in chosen:
        option, pool = int(columns.option[j]), int(columns.cluster[j])
        cohort = int(data.option_cohort[option])
        wanted = int(min(values[j], data.students[cohort] - placed[cohort]))
        rest = _fill(data, remaining, option, data.cluster_members[pool], wanted, assignments)
        placed[cohort] += wanted - rest
        if option not in used[cohort]:
            used[cohort].append(option)
    options_of = defaultdict(list)
    for o, option in enumerate(data.options):
        options_of[option.cohort].append(o)
    short = np.nonzero(placed < data.students)[0]
    for cohort in short[np.argsort(-data.weight[short], kind="stable")]:
        cohort = int(cohort)
        companies, _ = data.companies_of(cohort)
        if not len(companies):
            continue
        students = int(data.students[cohort] - placed[cohort])
        # Periods the cohort already has first (by size of the wave), then new ones.
        for option in used[cohort] + [o for o in options_of[cohort] if o not in used[cohort]]:
            if students == 0:
                break
            if option not in used[cohort] and len(used[cohort]) >= data.max_waves[cohort]:
                break
            before = students
            students = _fill(data, remaining, option, companies, students, assignments)
            if students < before and option not in used[cohort]:
                used[cohort].append(option)
        placed[cohort] = data.students[cohort] - students
    return assignments


def _staggered_greedy(data: ProblemData, lp_mass: np.ndarray | None = None) -> list[tuple[int, int, int]]:
    """Place cohorts one by one at company level, each in the period where most of it fits.

    Priority groups first (by weight), larger cohorts first within a weight. For every wave
    the cohort may still open, the option (form, start week) that fits the most students in
    the companies it may use is taken; ties go to the current period, then to the option
    the relaxation used most. Exact at company level, so nothing is lost afterwards.
    """
    remaining = data.company_capacity.copy()
    assignments: list[tuple[int, int, int]] = []
    options_of = defaultdict(list)
    for o, option in enumerate(data.options):
        options_of[option.cohort].append(o)
    mass = lp_mass if lp_mass is not None else np.zeros(len(data.options))
    order = np.lexsort((-data.students, -data.weight))
    for cohort in order:
        cohort = int(cohort)
        companies, _ = data.companies_of(cohort)
        if not len(companies) or not options_of[cohort]:
            continue
        students = int(data.students[cohort])
        candidates = list(options_of[cohort])
        for _ in range(int(data.max_waves[cohort])):
            if students == 0 or not candidates:
                break
            best, best_key = None, None
            for option in candidates:
                row = data.occupancy[option]
                room = (remaining[np.ix_(companies, row.indices)] // row.data).min(axis=1)
                fits = int(min(np.clip(room, 0, None).sum(), students))
                key = (fits, bool(data.option_current[option]), float(mass[option]))
                if best_key is None or key > best_key:
                    best, best_key = option, key
            if best_key[0] == 0:
                break
            students = _fill(data, remaining, best, companies, students, assignments)
            candidates.remove(best)
    return assignments


def _greedy_assignments(data: ProblemData) -> list[tuple[int, int, int]]:
    """First come, first served: cohorts in order of their current start book the nearest companies."""
    scenario = data.scenario
    remaining = data.company_capacity.copy()
    assignments: list[tuple[int, int, int]] = []
    current = {int(data.option_cohort[o]): o for o in np.nonzero(data.option_current)[0]}
    order = sorted(range(len(data.cohorts)),
                   key=lambda c: (scenario.calendar.week_index[scenario.cohorts[data.cohorts[c]].current_start],
                                  scenario.cohorts[data.cohorts[c]].id))
    for c in order:
        companies, minutes = data.companies_of(c)
        if c in current and len(companies):
            nearest = companies[np.argsort(minutes, kind="stable")]
            _fill(data, remaining, current[c], nearest, int(data.students[c]), assignments, in_order=True)
    return assignments


def _cohort_plans(
    data: ProblemData,
    region: Region,
    assignments: list[tuple[int, int, int]],
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


def _finish(
    data: ProblemData,
    region: Region,
    mode: str,
    assignments: list[tuple[int, int, int]],
    bound: float,
    clock: _Clock,
    stats: dict,
) -> Plan:
    scenario = data.scenario
    cohorts = _cohort_plans(data, region, assignments)
    load = company_load(scenario, cohorts)
    kpis = compute_kpis(scenario, mode, cohorts, load, bound, clock.elapsed())
    clock.report("plan", kpis.objective, bound)
    explanation = list(data.notes)
    unreachable = [scenario.cohorts[data.cohorts[c]].id for c in range(len(data.cohorts)) if len(data.eligible[c]) == 0]
    if unreachable:
        explanation.append(
            f"{len(unreachable)} cohorts have no learning company that fits their sector, level and travel limit: "
            + ", ".join(unreachable[:10]) + ("..." if len(unreachable) > 10 else "")
        )
    if kpis.placed == 0 and kpis.students:
        explanation.append("no student could be placed: every student of every cohort is shortage")
    solver = SolveStats(
        status=stats.get("status", "optimal"), engine=stats.get("engine", "GLOP + HiGHS"),
        build_seconds=round(stats.get("build_seconds", 0.0), 3), solve_seconds=round(clock.elapsed() - stats.get("build_seconds", 0.0), 3),
        wall_seconds=round(clock.elapsed(), 3), variables=stats.get("variables", 0), constraints=stats.get("constraints", 0),
        clusters=data.n_clusters, time_limit=clock.time_limit, seed=stats.get("seed", 0), progress=clock.progress,
        explanation=explanation,
    )
    plan = Plan(
        scenario=scenario.name, mode=mode, weeks=scenario.calendar.weeks, kpis=kpis, cohorts=cohorts,
        shortages=shortage_cells(scenario, cohorts), utilisation=utilisation(scenario, load), solver=solver,
    )
    # Never hand out a plan that breaks a rule: capacity, counts, windows, waves, fit, travel.
    minutes = {m: region.minutes_array(m) for m in {scenario.travel_mode(c) for c in scenario.cohorts}}
    violations = verify_plan(scenario, plan, minutes)
    if violations:
        raise SolveError("the plan breaks its own rules: " + "; ".join(violations[:5]))
    return plan


def _solve_mode(scenario: Scenario, region: Region, mode: str, time_limit: float, seed: int,
                callback: ProgressCallback | None) -> Plan:
    clock = _Clock(time_limit, callback)
    data = compile_problem(scenario, region, "status-quo" if mode == "greedy" else mode)
    build_seconds = clock.elapsed()
    if mode == "greedy":
        assignments = _greedy_assignments(data)
        stats = {"status": "heuristic", "engine": "first come, first served", "build_seconds": build_seconds, "seed": seed}
        return _finish(data, region, mode, assignments, 0.0, clock, stats)
    assignments, solution = _optimised_assignments(data, clock, seed)
    status = ", ".join(sorted(solution.statuses))
    stats = {"status": status, "engine": f"{LP_ENGINE.upper()} (bound) + {MIP_ENGINE.upper()} (plan)", "build_seconds": build_seconds,
             "variables": solution.variables, "constraints": solution.constraints, "seed": seed}
    return _finish(data, region, mode, assignments, solution.bound if solution.bound_proven else 0.0, clock, stats)


def solve(
    scenario: Scenario,
    mode: str = "optimise",
    time_limit: float = 60.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    base_dir: Path | None = None,
    baselines: bool = True,
) -> Plan:
    """Solve a scenario and return a checked plan.

    Parameters
    ----------
    scenario
        A checked scenario (see :func:`planner.io.load_scenario`).
    mode
        ``optimise`` (periods and forms chosen), ``status-quo`` (current periods, allocation
        optimised) or ``greedy`` (current periods, first come first served).
    time_limit
        Seconds for the plan (model build included); each baseline has the same limit.
    seed
        Seed for the solver (the pipeline is deterministic).
    progress
        Called with every :class:`~planner.plan.Progress` event.
    base_dir
        Folder the scenario's relative file names refer to.
    baselines
        Also compute the status-quo and greedy plans and attach their KPIs.

    Returns
    -------
    Plan
        The plan, with ``baselines`` filled when asked.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    region = Region(scenario, base_dir)
    baseline_plans: dict[str, Plan] = {}
    if baselines:
        # Each baseline has its own time limit: the limit is what one plan may take.
        baseline_plans["greedy"] = _solve_mode(scenario, region, "greedy", time_limit, seed, None)
        if mode == "optimise":
            # The status quo is a smaller problem: half the limit is plenty.
            baseline_plans["status-quo"] = _solve_mode(scenario, region, "status-quo", time_limit / 2, seed, None)
    plan = baseline_plans.get(mode) if mode == "greedy" else None
    if plan is None:
        plan = _solve_mode(scenario, region, mode, time_limit, seed, progress)
    status_quo = baseline_plans.get("status-quo")
    if mode == "optimise" and status_quo is not None and status_quo.kpis.objective < plan.kpis.objective - 1e-9:
        # Coordination can never make the region worse off: the status quo is itself a feasible plan.
        plan = _relabel(status_quo, "optimise", plan)
    for name, base in baseline_plans.items():
        if name != mode:
            plan.baselines[name] = base.kpis
    return plan


def _relabel(source: Plan, mode: str, solved: Plan) -> Plan:
    kpis = source.kpis.model_copy(update={"mode": mode, "bound": solved.kpis.bound,
                                          "gap": max(0.0, source.kpis.objective - solved.kpis.bound) / max(source.kpis.objective, 1.0),
                                          "solve_seconds": solved.kpis.solve_seconds})
    solver = solved.solver.model_copy(update={"explanation": solved.solver.explanation + [
        "the optimised plan kept the status-quo periods: no better integer plan was found in the time limit"]})
    return source.model_copy(update={"mode": mode, "kpis": kpis, "solver": solver})


# ------------------------------------------------------------------ solving in a watched process


def _exit_with_parent(parent: int) -> None:
    """Stop this solver process when the process that started it is gone."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(3)


def _worker(payload: dict, events: mp.Queue) -> None:
    threading.Thread(target=_exit_with_parent, args=(payload["parent"],), daemon=True).start()
    try:
        scenario = Scenario.model_validate(payload["scenario"])
        plan = solve(scenario, payload["mode"], payload["time_limit"], payload["seed"],
                     progress=lambda p: events.put(("progress", p.model_dump())),
                     base_dir=Path(payload["base_dir"]) if payload["base_dir"] else None)
        events.put(("plan", plan.model_dump_json()))
    except Exception as err:  # reported to the parent, which raises SolveError
        events.put(("error", f"{type(err).__name__}: {err}"))


def solve_watched(
    scenario: Scenario,
    mode: str = "optimise",
    time_limit: float = 60.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    base_dir: Path | None = None,
    grace: float = 30.0,
    cancel: Callable[[], bool] | None = None,
) -> Plan:
    """Solve in a separate process with a wall-clock watchdog.

    A solver that overruns ``time_limit + grace`` seconds is killed and the greedy plan is
    returned instead (with an explanation), so a stuck solve never hangs the caller.
    ``cancel`` is polled; when it returns True the worker is stopped and SolveError raised.
    """
    context = mp.get_context("spawn")
    events: mp.Queue = context.Queue()
    payload = {"scenario": scenario.model_dump(mode="json"), "mode": mode, "time_limit": time_limit, "parent": os.getpid(),
               "seed": seed, "base_dir": str(base_dir) if base_dir else None}
    process = context.Process(target=_worker, args=(payload, events), daemon=True)
    deadline = time.monotonic() + time_limit * 1.5 + grace
    try:
        process.start()
        while True:
            if cancel is not None and cancel():
                raise SolveError("the solve was cancelled")
            try:
                kind, body = events.get(timeout=0.2)
            except queue_module.Empty:
                if time.monotonic() > deadline:
                    return _watchdog_fallback(scenario, base_dir, time_limit)
                if not process.is_alive() and events.empty():
                    raise SolveError(f"the solver process stopped unexpectedly (exit code {process.exitcode})")
                continue
            if kind == "progress" and progress is not None:
                progress(Progress.model_validate(body))
            elif kind == "plan":
                return Plan.model_validate_json(body)
            elif kind == "error":
                raise SolveError(body)
    finally:
        if process.pid is not None:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)


def _watchdog_fallback(scenario: Scenario, base_dir: Path | None, time_limit: float) -> Plan:
    plan = solve(scenario, "greedy", time_limit, baselines=False, base_dir=base_dir)
    plan.solver.explanation.append(
        f"the solver did not finish within its time limit ({time_limit:g} s) and was stopped; "
        "this is the first-come-first-served plan"
    )
    plan.solver.status = "watchdog"
    return plan
