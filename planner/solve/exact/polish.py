"""Secondary objectives strictly after the shortage.

With the weighted shortage held at most at the incumbent's value, :func:`polish` minimises the
secondary objectives of ``policy.then_minimise`` one tier at a time, each tier's value held
while the later ones are minimised:

* ``changes``: students not in their cohort's current period (option);
* ``travel``: student-minutes of travel;
* ``balance``: the worst shortage rate of an institution (its unplaced students over its
  students), so no school carries the region's shortage alone.

The tiers are minimised neighbourhood by neighbourhood (the cohorts of one sector chamber x level
x area with the companies they may use; everything else fixed) with CP-SAT on the company model,
so the phase scales to large regions and never makes an earlier objective worse: the
incumbent itself is a solution of every neighbourhood model.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from planner.model.problem import ProblemData
from planner.solve.exact.company_model import Assignment, CompanyModel, build_company_model
from planner.solve.exact.tables import options_by_cohort
from planner.solve.heuristics import placed_per_cohort, weighted_shortage

TIERS = ("changes", "travel", "balance")
# Travel minutes are rounded to tenths for CP-SAT's integer objective.
MINUTE_SCALE = 10
# Shortage rates are compared in steps of 1 / RATE_SCALE in CP-SAT's integer model.
RATE_SCALE = 100_000
# Balance neighbourhoods: the cohorts holding the most places at an unplaced cohort's companies.
BALANCE_RIVALS = 30
# Under a work budget, the balance tier visits at most this many neighbourhoods.
BALANCE_HOODS_WORK = 100


def _groups(data: ProblemData) -> list[np.ndarray]:
    """Cohorts by sector chamber x level x area of their location (the polishing neighbourhoods)."""
    scenario = data.scenario
    groups: dict[tuple, list[int]] = defaultdict(list)
    for position, index in enumerate(data.cohorts):
        cohort = scenario.cohorts[index]
        groups[(cohort.sector, cohort.level, scenario.locations[cohort.location].area)].append(position)
    return [np.array(g, dtype=np.int64) for g in groups.values()]


def institution_positions(data: ProblemData) -> tuple[np.ndarray, np.ndarray]:
    """Institution number of every scheduled cohort and the students of every institution."""
    institution = data.institution_index()
    return institution, np.bincount(institution, weights=data.students.astype(float))


def institution_rates(data: ProblemData, unplaced: np.ndarray) -> np.ndarray:
    """Shortage rate of every institution: its unplaced students (``unplaced`` per cohort) over its students."""
    institution, totals = institution_positions(data)
    return np.bincount(institution, weights=unplaced, minlength=len(totals)) / np.maximum(totals, 1.0)


def tier_value(data: ProblemData, assignments: list[Assignment] | np.ndarray, tier: str) -> float:
    """Value of a secondary objective: students moved, student-minutes of travel, or the worst
    institution's shortage rate."""
    table = np.asarray(assignments, dtype=np.int64).reshape(-1, 3)
    if tier == "balance":
        rates = institution_rates(data, data.students - placed_per_cohort(data, table))
        return float(rates.max()) if len(rates) else 0.0
    if tier == "changes":
        return float(table[~data.option_current[table[:, 0]], 2].sum())
    minutes: dict[int, dict[int, float]] = {}
    total = 0.0
    for option, company, n in table.tolist():
        cohort = int(data.option_cohort[option])
        if cohort not in minutes:
            companies, times = data.companies_of(cohort)
            minutes[cohort] = dict(zip(companies.tolist(), times.tolist()))
        total += n * minutes[cohort].get(company, 0.0)
    return total


@dataclass
class _Hood:
    """One polishing neighbourhood: its model, its part of the plan (``mine``) and, for the
    balance tier, its institutions' unplaced students outside it."""

    data: ProblemData
    built: CompanyModel
    mine: list[Assignment]
    institution: np.ndarray  # institution of every scheduled cohort
    totals: np.ndarray  # students per institution
    outside: np.ndarray  # unplaced students per institution outside the neighbourhood's cohorts

    def coefficients(self, tier: str) -> np.ndarray:
        """Integer coefficient of every placement variable in a linear tier (changes, travel)."""
        data, built = self.data, self.built
        if tier == "changes":
            return (~data.option_current[built.pair_option]).astype(np.int64)
        minutes: dict[tuple[int, int], float] = {}
        for cohort in built.cohorts:
            companies, times = data.companies_of(int(cohort))
            minutes.update({(int(cohort), int(m)): float(t) for m, t in zip(companies, times)})
        cohorts = data.option_cohort[built.pair_option]
        return np.array([int(round(minutes.get((int(c), int(m)), 0.0) * MINUTE_SCALE))
                         for c, m in zip(cohorts, built.pair_company)], dtype=np.int64)

    def institution_unplaced(self, placements: list[Assignment]) -> dict[int, float]:
        """Unplaced students of each of the neighbourhood's institutions with ``placements`` inside it."""
        built, data = self.built, self.data
        inside = placed_per_cohort(data, placements)[built.cohorts]
        left = built.stats["students"] - built.fixed_placed - inside
        unplaced = {int(i): float(self.outside[i]) for i in np.unique(self.institution[built.cohorts])}
        for position, cohort in enumerate(built.cohorts):
            unplaced[int(self.institution[cohort])] += float(left[position])
        return unplaced

    def local_value(self, tier: str, placements: list[Assignment]) -> float:
        """The tier's value over what the neighbourhood can change (the rest of the plan is fixed):
        the linear tiers' sum over its placements, or its institutions' worst shortage rate."""
        if tier == "balance":
            rates = [n / self.totals[i] for i, n in self.institution_unplaced(placements).items()]
            return max(rates, default=0.0)
        return tier_value(self.data, placements, tier)

    def _institution_rows(self) -> dict[int, tuple[float, list]]:
        rows: dict[int, tuple[float, list]] = {}
        for position, cohort in enumerate(self.built.cohorts):
            i = int(self.institution[cohort])
            rows.setdefault(i, (float(self.outside[i]), []))[1].append(self.built.unplaced[position])
        return rows

    def minimise(self, tier: str) -> bool:
        """Set the tier as the model's objective; False when it has nothing to minimise here."""
        model = self.built.model
        if tier == "balance":
            worst = model.NewIntVar(0, RATE_SCALE, "worst_institution_rate")
            for i, (outside, unplaced) in self._institution_rows().items():
                # Every institution's shortage rate is at most the worst rate.
                model.Add(RATE_SCALE * (int(outside) + sum(unplaced)) <= int(self.totals[i]) * worst)
            model.Minimize(worst)
            return True
        coefficients = self.coefficients(tier)
        terms = [(self.built.x[j], int(c)) for j, c in enumerate(coefficients) if c]
        if terms:
            model.Minimize(sum(c * v for v, c in terms))
        return bool(terms)

    def hold(self, tier: str) -> None:
        """Keep an earlier tier at most at its current value in this neighbourhood."""
        model = self.built.model
        if tier == "balance":
            worst = self.local_value(tier, self.mine)
            for i, (outside, unplaced) in self._institution_rows().items():
                # No institution's shortage rate rises above the current worst.
                model.Add(int(outside) + sum(unplaced) <= int(np.floor(worst * self.totals[i] + 1e-9)))
            return
        coefficients = self.coefficients(tier)
        column = {(int(o), int(m)): j for j, (o, m) in enumerate(zip(self.built.pair_option, self.built.pair_company))}
        current = sum(int(coefficients[column[(o, m)]]) * n for o, m, n in self.mine if (o, m) in column)
        model.Add(sum(int(c) * self.built.x[j] for j, c in enumerate(coefficients) if c) <= int(current))


def _linear_hoods(data: ProblemData, groups: list[np.ndarray]):
    """Neighbourhoods of the changes and travel tiers: each group with every company it may use."""
    for cohorts in groups:
        companies = np.unique(np.concatenate([data.companies_of(int(c))[0] for c in cohorts]))
        yield cohorts, companies


def _balance_hoods(data: ProblemData, plan: list[np.ndarray], limit: int | None):
    """Neighbourhoods of the balance tier, worst institution first.

    Shortage moves between schools only where their cohorts compete for the same companies, and
    those cohorts may be of other areas: each neighbourhood is one cohort with unplaced
    students, the companies it may use and the cohorts holding the most places there
    (:data:`BALANCE_RIVALS`), read from the plan as it is when the neighbourhood comes up
    (``plan[0]``, kept current by the caller).
    """
    institution = data.institution_index()
    unplaced = data.students - placed_per_cohort(data, plan[0])
    rates = institution_rates(data, unplaced)
    order = sorted(np.nonzero(unplaced > 0)[0].tolist(), key=lambda c: (-rates[institution[c]], c))
    for cohort in order[:limit]:
        companies = data.companies_of(int(cohort))[0]
        if not len(companies):
            continue
        table = plan[0]
        at = np.isin(table[:, 1], companies)
        held = np.bincount(data.option_cohort[table[at, 0]], weights=table[at, 2], minlength=len(data.cohorts))
        held[cohort] = 0
        rivals = [c for c in np.argsort(-held, kind="stable")[:BALANCE_RIVALS] if held[c] > 0]
        yield np.array(sorted([int(cohort), *map(int, rivals)]), dtype=np.int64), companies


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
        Objectives in order; by default those of ``policy.then_minimise``.
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
    institution, totals = institution_positions(data)
    held: list[str] = []  # tiers already minimised: held in later ones
    groups = _groups(data)
    # The plan as a table, refreshed when a neighbourhood improves it: each neighbourhood then
    # splits it with array masks (a national plan has a hundred thousand placements).
    table = np.asarray(best, dtype=np.int64).reshape(-1, 3)
    shortage_best = weighted_shortage(data, table)
    unplaced_now = data.students - placed_per_cohort(data, table)
    unplaced_by_institution = np.bincount(institution, weights=unplaced_now, minlength=len(totals))
    for position, tier in enumerate(tiers):
        before = tier_value(data, table, tier)
        tier_deadline = started + (time_limit - (time.perf_counter() - started)) / (len(tiers) - position) \
            + (time.perf_counter() - started) if ticks is None else started + time_limit
        current = [table]  # the plan as the balance neighbourhoods read it
        hoods = (_balance_hoods(data, current, BALANCE_HOODS_WORK if ticks is not None else None)
                 if tier == "balance" else _linear_hoods(data, groups))
        for cohorts, companies in hoods:
            if time.perf_counter() > tier_deadline - 0.05:
                break
            in_group = np.zeros(len(data.cohorts), dtype=bool)
            in_group[cohorts] = True
            if not len(companies):
                continue
            free_company = np.zeros(data.company_capacity.shape[0], dtype=bool)
            free_company[companies] = True
            free = in_group[data.option_cohort[table[:, 0]]] & free_company[table[:, 1]]
            mine = [tuple(a) for a in table[free].tolist()]
            if not mine and tier == "travel":
                continue
            # Options: the current period and those the plan uses (so the plan stays a solution).
            options = {}
            for c in cohorts:
                own = {o for o, _, _ in mine if data.option_cohort[o] == c}
                options[int(c)] = np.array(sorted(own | {int(o) for o in all_options[c] if data.option_current[o]}),
                                           dtype=np.int64)
            built = build_company_model(data, cohorts, companies, options, table[~free], symmetry_breaking=False)
            outside = unplaced_by_institution - np.bincount(institution[built.cohorts], weights=unplaced_now[built.cohorts],
                                                            minlength=len(totals))
            hood = _Hood(data, built, mine, institution, totals, outside)
            shortage_now = int(round((shortage_best - built.constant) * built.scale))
            # The weighted shortage of the neighbourhood stays at most what it is.
            built.model.Add(built.shortage_objective() <= shortage_now)
            for earlier in held:
                hood.hold(earlier)
            if not hood.minimise(tier):
                continue
            built.hint(mine)  # the neighbourhood's part of the plan
            solver = cp_model.CpSolver()
            if ticks is None:
                solver.parameters.max_time_in_seconds = max(0.05, min(step_limit, tier_deadline - time.perf_counter()))
            else:
                solver.parameters.max_time_in_seconds = max(0.05, tier_deadline - time.perf_counter())
                solver.parameters.max_deterministic_time = float(ticks)
            solver.parameters.num_workers = 1
            solver.parameters.random_seed = int(seed)
            status = solver.Solve(built.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # The rest of the plan is the same: compare the neighbourhood's placements only.
                new = built.placements(solver)
                better = hood.local_value(tier, new) < hood.local_value(tier, mine) - 1e-9
                if better and weighted_shortage(data, new) <= weighted_shortage(data, mine) + 1e-9 and all(
                        hood.local_value(e, new) <= hood.local_value(e, mine) + 1e-6 for e in held):
                    table = np.concatenate([table[~free], np.asarray(new, dtype=np.int64).reshape(-1, 3)])
                    shortage_best = weighted_shortage(data, table)
                    unplaced_now = data.students - placed_per_cohort(data, table)
                    unplaced_by_institution = np.bincount(institution, weights=unplaced_now, minlength=len(totals))
                    current[0] = table
        best = [tuple(a) for a in table.tolist()]
        stats[tier] = (before, tier_value(data, table, tier))
        held.append(tier)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return best, stats
