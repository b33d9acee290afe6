"""Secondary objectives strictly after the shortage.

With the weighted shortage held at most at the incumbent's value, :func:`polish` minimises the
secondary objectives of ``policy.then_minimise`` one tier at a time, each tier's value held
before the next is minimised:

* ``changes``: students not in their cohort's current period (option);
* ``travel``: student-minutes of travel.

The tiers are minimised neighbourhood by neighbourhood (the cohorts of one sector chamber x level
x area with the companies they may use; everything else fixed) with CP-SAT on the company model,
so the phase scales to large regions and never makes an earlier objective worse: the
incumbent itself is a solution of every neighbourhood model. (``balance``, the worst
institution's shortage rate, is not polished here.)
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from planner.model.problem import ProblemData
from planner.solve.exact.company_model import Assignment, build_company_model, options_by_cohort
from planner.solve.heuristics import weighted_shortage

TIERS = ("changes", "travel")
# Travel minutes are rounded to tenths for CP-SAT's integer objective.
MINUTE_SCALE = 10


def _groups(data: ProblemData) -> list[np.ndarray]:
    """Cohorts by sector chamber x level x area of their location (the polishing neighbourhoods)."""
    scenario = data.scenario
    groups: dict[tuple, list[int]] = defaultdict(list)
    for position, index in enumerate(data.cohorts):
        cohort = scenario.cohorts[index]
        groups[(cohort.sector, cohort.level, scenario.locations[cohort.location].area)].append(position)
    return [np.array(g, dtype=np.int64) for g in groups.values()]


def _tier_terms(data: ProblemData, built, tier: str) -> list[tuple]:
    """(variable, integer coefficient) of a tier's objective over the model's placements."""
    terms = []
    if tier == "changes":
        for j, var in enumerate(built.x):
            if not data.option_current[built.pair_option[j]]:
                terms.append((var, 1))
    else:
        minutes: dict[tuple[int, int], float] = {}
        for cohort in built.cohorts:
            companies, times = data.companies_of(int(cohort))
            for m, t in zip(companies, times):
                minutes[(int(cohort), int(m))] = float(t)
        for j, var in enumerate(built.x):
            cohort = int(data.option_cohort[built.pair_option[j]])
            coefficient = int(round(minutes.get((cohort, int(built.pair_company[j])), 0.0) * MINUTE_SCALE))
            if coefficient:
                terms.append((var, coefficient))
    return terms


def tier_value(data: ProblemData, assignments: list[Assignment], tier: str) -> float:
    """Value of a secondary objective: students moved, or student-minutes of travel."""
    if tier == "changes":
        return float(sum(n for o, _, n in assignments if not data.option_current[o]))
    minutes: dict[int, dict[int, float]] = {}
    total = 0.0
    for option, company, n in assignments:
        cohort = int(data.option_cohort[option])
        if cohort not in minutes:
            companies, times = data.companies_of(cohort)
            minutes[cohort] = dict(zip(companies.tolist(), times.tolist()))
        total += n * minutes[cohort].get(company, 0.0)
    return total


def polish(
    data: ProblemData,
    assignments: list[Assignment],
    time_limit: float,
    seed: int = 0,
    tiers: tuple[str, ...] | None = None,
    step_limit: float = 2.0,
    ticks: float | None = None,
) -> tuple[list[Assignment], dict]:
    """Minimise the secondary objectives with the weighted shortage held.

    Parameters
    ----------
    data
        The compiled problem.
    assignments
        A feasible plan; its weighted shortage is never exceeded.
    time_limit
        Seconds for all tiers (split evenly over the tiers, unused time passed on).
    seed
        CP-SAT seed.
    tiers
        Objectives in order; by default those of ``policy.then_minimise`` that are polished here.
    step_limit
        Seconds per neighbourhood.
    ticks
        A work budget: CP-SAT deterministic time per neighbourhood instead of seconds, every
        neighbourhood of every tier visited (the same plan on any machine); ``time_limit`` is
        then a safety net for the whole polish.

    Returns
    -------
    tuple
        The polished plan and ``{tier: (before, after)}`` statistics.
    """
    started = time.perf_counter()
    if tiers is None:
        tiers = tuple(t for t in data.scenario.policy.then_minimise if t in TIERS)
    best = [a for a in assignments if a[2] > 0]
    stats: dict = {}
    all_options = options_by_cohort(data)
    held: list[str] = []  # tiers already minimised: held in later ones
    groups = _groups(data)
    # The plan as a table, refreshed when a neighbourhood improves it: each neighbourhood then
    # splits it with array masks (a national plan has a hundred thousand placements).
    table = np.asarray(best, dtype=np.int64).reshape(-1, 3)
    shortage_best = weighted_shortage(data, table)
    for position, tier in enumerate(tiers):
        before = tier_value(data, best, tier)
        tier_deadline = started + (time_limit - (time.perf_counter() - started)) / (len(tiers) - position) \
            + (time.perf_counter() - started) if ticks is None else started + time_limit
        for cohorts in groups:
            if time.perf_counter() > tier_deadline - 0.05:
                break
            in_group = np.zeros(len(data.cohorts), dtype=bool)
            in_group[cohorts] = True
            companies = np.unique(np.concatenate([data.companies_of(int(c))[0] for c in cohorts]))
            if not len(companies):
                continue
            free_company = np.zeros(data.company_capacity.shape[0], dtype=bool)
            free_company[companies] = True
            free = in_group[data.option_cohort[table[:, 0]]] & free_company[table[:, 1]]
            mine = [tuple(a) for a in table[free].tolist()]
            if not mine and tier != "changes":
                continue
            # Options: the current period and those the plan uses (so the plan stays a solution).
            options = {}
            for c in cohorts:
                own = {o for o, _, _ in mine if data.option_cohort[o] == c}
                options[int(c)] = np.array(sorted(own | {int(o) for o in all_options[c] if data.option_current[o]}),
                                           dtype=np.int64)
            built = build_company_model(data, cohorts, companies, options, table[~free], symmetry_breaking=False)
            model = built.model
            weights = np.rint(data.weight[built.cohorts] * built.scale).astype(np.int64)
            shortage_now = int(round((shortage_best - built.constant) * built.scale))
            # The weighted shortage of the neighbourhood stays at most what it is.
            model.Add(sum(int(w) * u for w, u in zip(weights, built.unplaced)) <= shortage_now)
            for earlier in held:
                terms = _tier_terms(data, built, earlier)
                current = sum(coefficient * sum(n for o, m, n in mine if (o, m) == key)
                              for key, coefficient in _pair_coefficients(data, built, earlier).items())
                # Earlier tiers are held at their values.
                model.Add(sum(c * v for v, c in terms) <= int(current))
            terms = _tier_terms(data, built, tier)
            if not terms:
                continue
            model.Minimize(sum(c * v for v, c in terms))
            built.hint(mine)  # the neighbourhood's part of the plan
            solver = cp_model.CpSolver()
            if ticks is None:
                solver.parameters.max_time_in_seconds = max(0.05, min(step_limit, tier_deadline - time.perf_counter()))
            else:
                solver.parameters.max_time_in_seconds = max(0.05, tier_deadline - time.perf_counter())
                solver.parameters.max_deterministic_time = float(ticks)
            solver.parameters.num_workers = 1
            solver.parameters.random_seed = int(seed)
            status = solver.Solve(model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # The rest of the plan is the same: compare the neighbourhood's placements only.
                new = built.placements(solver)
                better = tier_value(data, new, tier) < tier_value(data, mine, tier) - 1e-9
                if better and weighted_shortage(data, new) <= weighted_shortage(data, mine) + 1e-9 and all(
                        tier_value(data, new, e) <= tier_value(data, mine, e) + 1e-6 for e in held):
                    table = np.concatenate([table[~free], np.asarray(new, dtype=np.int64).reshape(-1, 3)])
                    shortage_best = weighted_shortage(data, table)
        best = [tuple(a) for a in table.tolist()]
        stats[tier] = (before, tier_value(data, best, tier))
        held.append(tier)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return best, stats


def _pair_coefficients(data: ProblemData, built, tier: str) -> dict[tuple[int, int], int]:
    """Integer coefficient of every (option, company) pair of the model in a tier's objective."""
    coefficients = {}
    terms = dict((id(v), c) for v, c in _tier_terms(data, built, tier))
    for j, var in enumerate(built.x):
        coefficient = terms.get(id(var), 0)
        if coefficient:
            coefficients[(int(built.pair_option[j]), int(built.pair_company[j]))] = coefficient
    return coefficients
