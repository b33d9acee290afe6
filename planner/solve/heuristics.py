"""Heuristics at company level: first come first served, the staggered greedy, rounding and disaggregation.

An assignment ``(option, company, students)`` places students of one option at one
company; every heuristic here respects each company's capacity in every week(-day), so
its assignments are a feasible plan as they stand.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from planner.model.formulation import Columns, concat_columns
from planner.model.problem import ProblemData
from planner.plan import state
from planner.solve.relaxation import Relaxation, chosen_waves

Assignment = tuple[int, int, int]  # option, company, students


def placed_per_cohort(data: ProblemData, assignments: list[Assignment] | np.ndarray) -> np.ndarray:
    """Students placed per scheduled cohort (``assignments`` a list or an ``(n, 3)`` table)."""
    if not len(assignments):
        return np.zeros(len(data.cohorts), dtype=np.int64)
    table = np.asarray(assignments, dtype=np.int64).reshape(-1, 3)
    return np.bincount(data.option_cohort[table[:, 0]], weights=table[:, 2],
                       minlength=len(data.cohorts)).astype(np.int64)


def weighted_shortage(data: ProblemData, assignments: list[Assignment]) -> float:
    """Weighted shortage of a set of assignments (:func:`planner.plan.state.weighted_shortage` of what they leave unplaced)."""
    return state.weighted_shortage(data.weight, data.students - placed_per_cohort(data, assignments))


def fill(data: ProblemData, remaining: np.ndarray, option: int, companies: np.ndarray, students: int,
          assignments: list[Assignment], in_order: bool = False) -> int:
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


def disaggregate(data: ProblemData, columns: Columns, values: np.ndarray) -> list[Assignment]:
    """Split pool placements over member companies; returns (option, company, students).

    A pool sums its companies' capacity, but a student needs room in one company for all of
    its weeks. Students that do not fit in their pool, and students the plan left without a
    place, are tried (priority groups first) at any company the cohort may use in a period
    the cohort already has, then in a new period while its wave limit allows. What still
    does not fit is unplaced.
    """
    remaining = data.company_capacity.copy()
    assignments: list[Assignment] = []
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
        rest = fill(data, remaining, option, data.cluster_members[pool], wanted, assignments)
        placed[cohort] += wanted - rest
        if option not in used[cohort]:
            used[cohort].append(option)
    place_short(data, remaining, assignments, used)
    return assignments


def place_short(data: ProblemData, remaining: np.ndarray, assignments: list[Assignment],
                used: dict[int, list[int]] | None = None) -> None:
    """Place students still without a place where capacity is left (appends to ``assignments``).

    Priority groups first; each cohort at any company it may use, in a period it already has
    (in the order of ``used``, by default by students placed), then in a new period while its
    wave limit allows. ``remaining`` is the capacity the assignments leave; it is updated.
    """
    placed = placed_per_cohort(data, assignments)
    if used is None:
        students_in: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for option, _, students in assignments:
            students_in[int(data.option_cohort[option])][int(option)] += students
        used = defaultdict(list, {cohort: sorted(options, key=lambda o: -options[o])
                                  for cohort, options in students_in.items()})
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
        # Periods the cohort already has first, then new ones.
        for option in used[cohort] + [o for o in options_of[cohort] if o not in used[cohort]]:
            if students == 0:
                break
            if option not in used[cohort] and len(used[cohort]) >= data.max_waves[cohort]:
                break
            before = students
            students = fill(data, remaining, option, companies, students, assignments)
            if students < before and option not in used[cohort]:
                used[cohort].append(option)


def staggered_greedy(data: ProblemData, lp_mass: np.ndarray | None = None) -> list[Assignment]:
    """Place cohorts one by one at company level, each in the period where most of it fits.

    Priority groups first (by weight), larger cohorts first within a weight. For every wave
    the cohort may still open, the option (form, start week) that fits the most students in
    the companies it may use is taken; ties go to the current period, then to the option
    the relaxation used most. Exact at company level, so nothing is lost afterwards.
    """
    remaining = data.company_capacity.copy()
    assignments: list[Assignment] = []
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
            students = fill(data, remaining, best, companies, students, assignments)
            candidates.remove(best)
    return assignments


def greedy_assignments(data: ProblemData) -> list[Assignment]:
    """First come, first served: cohorts in order of their current start book the nearest companies."""
    scenario = data.scenario
    remaining = data.company_capacity.copy()
    assignments: list[Assignment] = []
    current = {int(data.option_cohort[o]): o for o in np.nonzero(data.option_current)[0]}
    order = sorted(range(len(data.cohorts)),
                   key=lambda c: (scenario.calendar.week_index[scenario.cohorts[data.cohorts[c]].current_start],
                                  scenario.cohorts[data.cohorts[c]].id))
    for c in order:
        companies, minutes = data.companies_of(c)
        if c in current and len(companies):
            nearest = companies[np.argsort(minutes, kind="stable")]
            fill(data, remaining, current[c], nearest, int(data.students[c]), assignments, in_order=True)
    return assignments


def round_relaxation(data: ProblemData, relaxation: Relaxation) -> list[Assignment]:
    """Round the relaxation: keep each cohort's heaviest options, whole students, then repair at company level."""
    kept = [(cols, vals, chosen_waves(data, cols, vals)) for _, cols, vals in relaxation.parts]
    rounded_columns = concat_columns([Columns(c.option[k], c.cluster[k], c.minutes[k]) for c, _, k in kept])
    rounded_values = (np.concatenate([np.floor(v[k] + 1e-6).astype(np.int64) if v is not None
                                      else np.zeros(int(k.sum()), dtype=np.int64) for _, v, k in kept])
                      if kept else np.zeros(0, dtype=np.int64))
    return disaggregate(data, rounded_columns, rounded_values)
