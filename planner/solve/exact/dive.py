"""A plan from the Dantzig-Wolfe master: company patterns rounded to whole companies by diving.

In the status quo every cohort keeps its period, so the master over company patterns is close to
the optimum (S regions: the best plans found are 0.2-2 % above its bound), and a plan dived from
it is a far better start for the search than the heuristic plan (S region 2: 137.0 against
379.5). See :func:`master_plan`.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from planner.model.problem import ProblemData
from planner.solve.exact.bound import BoundResult, Master, master_matrix
from planner.solve.exact.merge import merge
from planner.solve.exact.tables import Assignment, remaining_capacity
from planner.solve.heuristics import place_short

# Share of the fractional columns the dive rounds up per round (rounded down, at least one: one
# at a time while fewer than 200 are fractional, as on S regions). One per round was too slow on
# the M region (24,000 columns): cut short after 166 rounds in 5.6 s at 674.5; 2 % a round
# finished in 2.4 s at 605.5 from the same master, 1 % in 3.5 s at 636.0 from another.
DIVE_ROUND_UP_SHARE = 0.01


def master_plan(data: ProblemData, result: BoundResult, time_limit: float = 5.0,
                cohorts: np.ndarray | None = None, max_rounds: int = 1000) -> list[tuple[int, int, int]] | None:
    """A plan from the master's columns by diving on its LP (company patterns rounded to whole companies).

    Every column is a pattern one company of its class can take as it stands (whole students
    within every week's capacity), so rounding the master never breaks a company's capacity;
    it only has to choose how many companies of each class take which pattern. The dive
    solves the master LP over the companies and students still open, fixes every column's
    whole part, rounds the largest fractional columns up (``DIVE_ROUND_UP_SHARE`` of them, at
    least one), and repeats until the LP is whole or no class has a company left. Each chosen
    pattern then goes to its own company of the class; students a cohort gets beyond its size
    are taken out again, and a cohort with more options than waves keeps its largest ones. Only
    placements of ``cohorts`` (default: all) are returned.

    Measured on the S region of generator seed 2 (bound 124.0), after the same repair: the dive
    153.5, nearest whole pattern counts 172.5, the LP's whole part 234.5; SCIP on the integer
    master did not improve its start (379.5) in 10 s (``docs/model.md``).
    """
    master = result.master
    if master is None:
        return None
    if not master.columns:
        return []  # no company can take anyone
    started = time.perf_counter()
    n_c, n_col = len(data.cohorts), len(master.columns)
    students = data.students.astype(float)
    if cohorts is not None:
        included = np.zeros(n_c, dtype=bool)
        included[cohorts] = True
        students = np.where(included, students, 0.0)
    n_k = len(master.classes)
    matrix = master_matrix(master.columns, n_c, n_k)
    coverage = matrix[:n_c, n_c:]
    column_class = np.fromiter((k for k, _, _ in master.columns), dtype=np.int64, count=n_col)
    companies_per_class = np.array([float(len(members)) for members, _ in master.classes])
    cost = np.concatenate([data.weight.astype(float), np.zeros(n_col)])
    counts = np.zeros(n_col, dtype=np.int64)
    for _ in range(max_rounds):
        if time.perf_counter() - started > time_limit:
            break
        # The master LP over what the fixed patterns leave: students still to cover, companies still free.
        left = np.maximum(students - coverage @ counts, 0.0)
        free = companies_per_class - np.bincount(column_class, weights=counts, minlength=n_k)
        helper = mbh.ModelBuilderHelper()
        helper.fill_model_from_sparse_data(np.zeros(n_c + n_col), np.full(n_c + n_col, np.inf), cost,
                                           np.concatenate([left, np.full(n_k, -np.inf)]),
                                           np.concatenate([np.full(n_c, np.inf), free]), matrix)
        lp = mbh.ModelSolverHelper("glop")
        lp.set_time_limit_in_seconds(max(0.1, time_limit - (time.perf_counter() - started)))
        lp.solve(helper)
        if lp.status() != mbh.SolveStatus.OPTIMAL:
            break
        chosen = np.maximum(np.asarray(lp.variable_values())[n_c:], 0.0)
        whole = np.floor(chosen + 1e-6).astype(np.int64)
        counts += whole
        fraction = np.where(whole > chosen + 1e-6, 0.0, chosen - whole)
        fractional = np.nonzero(fraction > 1e-6)[0]
        if not len(fractional):
            break
        # Round the largest fractional columns up (a share of them, at least one), each where its
        # class still has a company.
        free -= np.bincount(column_class, weights=whole, minlength=n_k)
        fractional = fractional[np.argsort(-fraction[fractional], kind="stable")]
        room = fractional[free[column_class[fractional]] >= 1 - 1e-9]
        if not len(room):
            break
        up = max(1, int(DIVE_ROUND_UP_SHARE * len(room)))
        for j in room:
            if up == 0:
                break
            if free[column_class[j]] >= 1 - 1e-9:
                counts[j] += 1
                free[column_class[j]] -= 1
                up -= 1
    return _realise(data, master, counts, students)


def _realise(data: ProblemData, master: Master, counts: np.ndarray, students: np.ndarray) -> list[tuple[int, int, int]]:
    """Pattern counts as placements: each chosen pattern at its own company of the class."""
    used: dict[int, int] = defaultdict(int)
    placed = np.zeros(len(data.cohorts), dtype=np.int64)
    assignments = []
    for j in np.nonzero(counts > 0)[0]:
        k = master.columns[j][0]
        members = master.classes[k][0]
        for _ in range(int(counts[j])):
            if used[k] >= len(members):
                break
            company = int(members[used[k]])
            used[k] += 1
            for option, n in master.patterns[j]:
                cohort = int(data.option_cohort[option])
                take = int(min(n, students[cohort] - placed[cohort]))
                if take > 0:
                    assignments.append((option, company, take))
                    placed[cohort] += take
    # Wave limits: a cohort keeps its largest options.
    by_cohort: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for option, _, n in assignments:
        by_cohort[int(data.option_cohort[option])][option] += n
    dropped = set()
    for cohort, options in by_cohort.items():
        if len(options) > data.max_waves[cohort]:
            keep = sorted(options, key=lambda o: -options[o])[: int(data.max_waves[cohort])]
            dropped |= set(options) - set(keep)
    return [a for a in assignments if a[0] not in dropped]


def master_start(data: ProblemData, dw: BoundResult, best: list[Assignment], cohorts: np.ndarray,
                 seconds: float) -> list[Assignment] | None:
    """A complete plan: the master's rounded patterns for ``cohorts``, the other cohorts as in
    ``best``, then students still without a place wherever capacity is left."""
    rounded = master_plan(data, dw, seconds, cohorts=cohorts)
    if rounded is None:
        return None
    in_open = np.zeros(len(data.cohorts), dtype=bool)
    in_open[cohorts] = True
    # Independent parts share no company: the other parts' placements keep their capacity.
    plan = [a for a in best if not in_open[data.option_cohort[a[0]]]] + rounded
    remaining = remaining_capacity(data, plan)
    if (remaining < 0).any():
        return None
    place_short(data, remaining, plan)
    return merge(plan)
