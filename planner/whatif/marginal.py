"""The marginal value of capacity: where one more supervision place removes the most weighted shortage.

The estimate comes from the LP relaxation the solver starts with (:mod:`planner.solve.relaxation`):
the dual of a capacity row says how much weighted shortage one more student-day at that pool
of companies in that week would remove. One more place at a company of the pool, in the weeks
where the duals are positive, is worth five student-days a week there (one per weekday with
weekday detail), so its estimate is the sum of those duals. Spots are ranked by the estimate.

The estimate is a linear one (whole students, wave limits and one company per student are
relaxed), so :func:`verify_spots` re-solves the scenario with the extra place at the spot's
company for the top entries and reports the realised reduction beside the estimate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planner.codes import DAYS_PER_WEEK
from planner.geo.region import Region
from planner.model.problem import compile_problem
from planner.plan.model import Plan
from planner.scenario import Scenario
from planner.solve.clock import Clock
from planner.solve.params import SolveParams
from planner.solve.relaxation import relax
from planner.whatif.sweep import Executor, InlineExecutor, run_sweep
from planner.whatif.variants import AddCapacity, CompanySelection, Variant, WeekRange

#: Duals below this are taken as zero (the LP's tie-break cost per moved student is 1e-5).
MIN_DUAL = 1e-4


@dataclass
class Spot:
    """One place where an extra supervision place is estimated to help."""

    rank: int
    company: str  # the company of the pool that gets the extra place (most places first)
    companies_in_pool: int
    area: str
    sector: str  # the sector chamber and level of the unplaced students who could use it (most first)
    level: str
    first_week: str
    last_week: str
    estimate: float  # estimated reduction of the weighted shortage
    source: str = "LP dual"  # or "unplaced cohort weight" where the relaxation has no shortage there
    realised: float | None = None  # measured by re-solving with the extra place
    verified_objective: float | None = None
    cohorts: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None

    def variant(self, places: int = 1) -> Variant:
        """The variant that adds ``places`` at this spot."""
        return Variant(name=f"+{places} {self.company} {self.first_week}..{self.last_week}", changes=[AddCapacity(
            companies=CompanySelection(ids=[self.company]), places=places,
            weeks=WeekRange(first=self.first_week, last=self.last_week))])


def capacity_spots(scenario: Scenario, plan: Plan | None = None, mode: str = "optimise", top: int = 10,
                   seconds: float = 60.0, seed: int = 0, base_dir: Path | None = None) -> list[Spot]:
    """The ``top`` spots where one more place is estimated to remove the most weighted shortage.

    Parameters
    ----------
    scenario
        The checked scenario.
    plan
        Its plan, when solved: the unplaced cohorts of the plan name the sector and level a
        spot helps (otherwise all cohorts that may use the pool count).
    mode
        ``optimise`` or ``status-quo`` (the relaxation of that mode).
    top
        How many spots.
    seconds, seed
        Time for the relaxation and its seed.
    base_dir
        Folder the scenario's relative file names refer to.
    """
    region = Region(scenario, base_dir)
    data = compile_problem(scenario, region, mode)
    relaxation = relax(data, Clock(seconds, None), seed, 1.0)
    width = data.n_weeks * data.n_days
    per_place = DAYS_PER_WEEK if data.n_days == 1 else 1
    values = np.zeros((data.n_clusters, data.n_weeks))
    for cell, dual in relaxation.capacity_duals.items():
        worth = -dual
        if worth > MIN_DUAL:
            cluster, column = divmod(cell, width)
            values[cluster, column // data.n_days] += worth * per_place
    unplaced = {cp.cohort: cp.unplaced for cp in plan.cohorts} if plan is not None else None
    users: dict[int, list[int]] = {}
    for c, pools in enumerate(data.eligible):
        for k in pools:
            users.setdefault(int(k), []).append(c)
    option_weeks: dict[int, set[int]] = {}
    for option in data.options:
        option_weeks.setdefault(option.cohort, set()).update(option.weeks)
    points = region.points
    spots = []
    # Where the relaxation places everyone (often in optimise mode) its duals are zero; then the pools
    # the plan's unplaced students could use are candidates, valued at the weight of one such student.
    fallback = np.zeros(data.n_clusters)
    if unplaced is not None:
        for c, pools in enumerate(data.eligible):
            if unplaced.get(scenario.cohorts[data.cohorts[c]].id, 0) > 0:
                fallback[pools] = np.maximum(fallback[pools], data.weight[c])
    use_fallback = values.sum() <= MIN_DUAL
    order = np.argsort(-(fallback if use_fallback else values.sum(axis=1)), kind="stable")
    for k in order:
        if len(spots) == top or (fallback[k] if use_fallback else values[k].sum()) <= MIN_DUAL:
            break
        members = data.cluster_members[k]
        company = scenario.companies[int(max(members, key=lambda m: (scenario.companies[m].places, -m)))]
        helped: Counter = Counter()
        cohorts, weeks = [], set()
        for c in users.get(int(k), []):
            cohort = scenario.cohorts[data.cohorts[c]]
            short = unplaced.get(cohort.id, 0) if unplaced is not None else cohort.students
            if short > 0:
                helped[(cohort.sector, cohort.level)] += short * float(data.weight[c])
                cohorts.append(cohort.id)
                weeks |= option_weeks.get(c, set())
        if not weeks:
            weeks = set(range(data.n_weeks))
        # The place is added in the weeks the students it could take are at a company.
        first, last = min(weeks), max(weeks)
        estimate = float(fallback[k]) if use_fallback else float(values[k, first:last + 1].sum())
        if estimate <= MIN_DUAL:
            continue
        (sector, level), _count = helped.most_common(1)[0] if helped else ((company.sectors[0], company.levels[0]), 0)
        spots.append(Spot(rank=len(spots) + 1, company=company.id, companies_in_pool=len(members), area=company.area,
                          sector=sector, level=level, first_week=scenario.calendar.weeks[first],
                          last_week=scenario.calendar.weeks[last], estimate=round(estimate, 4),
                          cohorts=sorted(cohorts),
                          source="unplaced cohort weight" if use_fallback else "LP dual",
                          lat=float(points.at[company.area, "lat"]),
                          lon=float(points.at[company.area, "lon"])))
    spots.sort(key=lambda s: (-s.estimate, s.rank))
    for rank, spot in enumerate(spots, start=1):
        spot.rank = rank
    return spots


def verify_spots(scenario: Scenario, base_plan: Plan, spots: list[Spot], params: SolveParams, verify: int,
                 executor: Executor | None = None, base_dir: Path | None = None) -> list[Spot]:
    """Re-solve the scenario with one more place at each of the first ``verify`` spots; fill in ``realised``.

    ``realised`` is the base plan's weighted shortage minus the re-solved plan's (same mode,
    time limit and seed as ``params``); it is exact when both solves are proven optimal.
    """
    chosen = spots[:verify]
    if not chosen:
        return spots
    sweep = run_sweep(scenario, [s.variant() for s in chosen], params, executor or InlineExecutor(),
                      base_dir=base_dir, include_base=False)
    for spot, case in zip(chosen, sweep.cases):
        if case.plan is not None:
            spot.verified_objective = case.plan.kpis.objective
            spot.realised = round(base_plan.kpis.objective - case.plan.kpis.objective, 4)
    return spots


def spot_rows(spots: list[Spot]) -> list[dict[str, Any]]:
    """The spots as plain rows (JSON, CSV)."""
    return [asdict(s) for s in spots]
