"""The numbers behind the capacity charts: weekly demand against capacity, per sector chamber and per
group within reach (:func:`demand_against_reachable`, a pure function, and :func:`reachable_balances`,
which reads a plan and its scenario). Loads and demand come from :mod:`planner.plan.state`.

A group is a sector chamber and level; in a scenario with recognitions it is a recognition group, a
qualification (crebo) and level, and a company counts for it when it may take the group's students
(:mod:`planner.scenario.eligibility`: recognised for the crebo, or a company without recognitions of
the sector chamber). Without recognitions the sector rule stays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from planner.catalogue import qualifications, recognised_crebos
from planner.codes import LEVELS, SECTOR_CHAMBERS
from planner.plan.model import Plan
from planner.plan.state import cohort_demand, placement_loads
from planner.scenario import Company, LoadedScenario, Scenario
from planner.scenario.eligibility import uses_recognitions

#: A balance group: (sector chamber, level), or (sector chamber, level, crebo) for a recognition group.
GroupKey = tuple[str, ...]


def group_key(sector: str, level: str, crebo: str | None) -> GroupKey:
    """The key of a group: with the crebo for a recognition group, without it for a sector chamber and level."""
    return (sector, level) if crebo is None else (sector, level, crebo)


def weekly_demand(plan: Plan) -> dict[str, np.ndarray]:
    """Student-days of supervision the plan's students need per week, by sector chamber.

    Every student of a wave counts, placed or not (an unplaced student still needs a place
    in those weeks); BBL students count at their own employer.
    """
    sector_of = {cp.cohort: cp.sector for cp in plan.cohorts}
    demand: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(plan.weeks)))
    for cohort, weekly in cohort_demand(plan).items():
        demand[sector_of[cohort]] += weekly
    return dict(demand)


def company_sectors(company: Company) -> list[str]:
    """The sector chambers a company trains for: those of the crebos it is recognised for (the catalogue's), or
    its own sector chambers when it lists no recognitions."""
    if not company.recognitions:
        return list(company.sectors)
    known = qualifications()
    crebos = recognised_crebos(tuple(sorted(company.recognitions)))
    return sorted({known[c].sector for c in crebos if c in known}) or list(company.sectors)


def weekly_capacity(plan: Plan, scenario: Scenario) -> dict[str, np.ndarray]:
    """Supervision capacity (student-days) per week of the companies recognised for each sector chamber.

    A company recognised for several sector chambers counts in each of them: its places are
    shared, so the sector totals add up to more than the region's capacity. A company with
    recognitions counts in the sector chambers of its recognised crebos.
    """
    sectors_of = {c.id: company_sectors(c) for c in scenario.companies}
    capacity: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(plan.weeks)))
    for use in plan.utilisation:
        for sector in sectors_of.get(use.company, []):
            capacity[sector] += np.asarray(use.capacity, dtype=float)
    return dict(capacity)


@dataclass(frozen=True)
class CohortNeed:
    """What one cohort asks of the region in a plan.

    ``demand``: student-days per week its students need (placed or not); ``reachable``: the
    companies it may use (recognised for it, within its travel limit); ``crebo``: its
    qualification when the groups are recognition groups (None: groups by sector chamber and level).
    """

    sector: str
    level: str
    demand: Sequence[float]
    reachable: frozenset[str]
    unplaced: int = 0
    crebo: str | None = None

    @property
    def group(self) -> GroupKey:
        """The group the cohort counts in."""
        return group_key(self.sector, self.level, self.crebo)


@dataclass(frozen=True)
class CompanySupply:
    """A learning company's recognitions and its capacity per week (student-days, after BBL load).

    ``load``: student-days per week the plan's students of each group use there; ``crebos``: the
    crebos it is recognised for (None: it lists no recognitions and takes its sector chambers).
    """

    id: str
    sectors: frozenset[str]
    levels: frozenset[str]
    capacity: Sequence[float]
    load: Mapping[GroupKey, Sequence[float]] = field(default_factory=dict)
    crebos: frozenset[str] | None = None

    def takes(self, group: GroupKey) -> bool:
        """Whether the company may take the group's students (travel aside): the rule of
        :func:`planner.scenario.eligibility.key_fits`, recognition or sector chamber, and level."""
        sector, level, *crebo = group
        if level not in self.levels:
            return False
        return bool(crebo) and crebo[0] in self.crebos if self.crebos is not None else sector in self.sectors

    def left_for(self, group: GroupKey, n_weeks: int) -> np.ndarray:
        """Capacity per week not used by the plan's students of other groups."""
        free = np.zeros(n_weeks)
        free[: len(self.capacity)] = np.asarray(self.capacity, dtype=float)
        for other, load in self.load.items():
            if other != group:
                free[: len(load)] -= np.asarray(load, dtype=float)
        return np.maximum(free, 0.0)


@dataclass(frozen=True)
class GroupBalance:
    """Demand against capacity per week for one group: a sector chamber and level, or a recognition group
    (``crebo`` and level).

    ``recognised``: capacity of every company recognised for the group, anywhere in the region;
    ``reachable``: of those, the companies within the travel limit of
    at least one of the group's cohorts; ``available``: the reachable capacity that the plan's
    students of other groups leave free (a company's places are shared by every group it is
    recognised for). The demand is what the group's students need, placed or not.
    """

    sector: str
    level: str
    demand: np.ndarray
    recognised: np.ndarray
    reachable: np.ndarray
    available: np.ndarray
    unplaced: int
    crebo: str | None = None

    @property
    def key(self) -> GroupKey:
        """The group: sector chamber and level, and the crebo of a recognition group."""
        return group_key(self.sector, self.level, self.crebo)

    @property
    def weeks_short(self) -> int:
        """Weeks in which demand exceeds the reachable capacity left free by other groups."""
        return int((self.demand > self.available + 1e-9).sum())

    @property
    def weeks_short_recognised(self) -> int:
        """Weeks in which demand exceeds the capacity recognised for the sector chamber and level."""
        return int((self.demand > self.recognised + 1e-9).sum())


def demand_against_reachable(cohorts: Iterable[CohortNeed], companies: Iterable[CompanySupply]) -> list[GroupBalance]:
    """Per group (sector chamber and level, or crebo and level): the cohorts' weekly demand against the
    recognised and the reachable capacity.

    A pure function of its arguments. Groups come in the usual order (sector chamber, level,
    crebo); only groups with a cohort are returned.
    """
    companies = list(companies)
    by_id = {c.id: c for c in companies}
    groups: dict[GroupKey, list[CohortNeed]] = defaultdict(list)
    for need in cohorts:
        groups[need.group].append(need)
    sector_order = {s: i for i, s in enumerate(SECTOR_CHAMBERS)}
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    result = []
    for key in sorted(groups, key=lambda k: (sector_order.get(k[0], 99), level_order.get(k[1], 9), k)):
        sector, level, *rest = key
        crebo = rest[0] if rest else None
        needs = groups[key]
        n_weeks = max([len(n.demand) for n in needs] + [len(c.capacity) for c in companies] + [0])
        demand = np.zeros(n_weeks)
        for need in needs:
            demand[: len(need.demand)] += np.asarray(need.demand, dtype=float)
        recognised = np.zeros(n_weeks)
        for company in companies:
            if company.takes(key):
                recognised[: len(company.capacity)] += np.asarray(company.capacity, dtype=float)
        reachable, available = np.zeros(n_weeks), np.zeros(n_weeks)
        for company_id in sorted(set().union(*(n.reachable for n in needs))):
            company = by_id.get(company_id)
            if company is not None:
                reachable[: len(company.capacity)] += np.asarray(company.capacity, dtype=float)
                available += company.left_for(key, n_weeks)
        result.append(GroupBalance(sector, level, demand, recognised, reachable, available,
                                   sum(n.unplaced for n in needs), crebo))
    return result


def group_loads(plan: Plan, scenario: Scenario) -> dict[str, dict[GroupKey, np.ndarray]]:
    """Student-days per week the plan's placed BOL students use, per company and group (sector chamber and
    level, and crebo in a scenario with recognitions)."""
    by_crebo = uses_recognitions(scenario)
    loads: dict[str, dict[GroupKey, np.ndarray]] = defaultdict(dict)
    for placement in placement_loads(scenario, plan.cohorts):
        cp = placement.cohort
        weekly = placement.days.reshape(len(scenario.calendar.weeks), -1).sum(axis=1)
        group = loads[scenario.companies[placement.company].id]
        key = group_key(cp.sector, cp.level, cp.crebo if by_crebo else None)
        group[key] = group.get(key, 0) + weekly
    return loads


def reachable_balances(plans: Sequence[Plan], loaded: LoadedScenario) -> dict[str, list[GroupBalance]]:
    """:func:`demand_against_reachable` for each plan (by mode), from the scenario's eligibility rules; per
    recognition group (crebo and level) when the scenario has recognitions.

    Which companies a cohort may use and their capacity after the BBL load come from
    :func:`planner.model.problem.compile_problem` (the rules the solver keeps); BBL cohorts are
    left out (their load is already taken off their employer's capacity).
    """
    from planner.geo.region import Region
    from planner.model.problem import compile_problem

    scenario = loaded.scenario
    problem = compile_problem(scenario, Region(scenario, loaded.base_dir), mode="status-quo", aggregate=False)
    n_weeks, n_days = problem.n_weeks, problem.n_days
    weekly = problem.company_capacity.reshape(len(scenario.companies), n_weeks, n_days).sum(axis=2)
    reachable = {}
    for position, i in enumerate(problem.cohorts):
        members = [problem.cluster_members[k] for k in problem.eligible[position]]
        ids = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
        reachable[scenario.cohorts[i].id] = frozenset(scenario.companies[int(k)].id for k in ids)
    by_crebo = uses_recognitions(scenario)
    result = {}
    for plan in plans:
        loads = group_loads(plan, scenario)
        companies = [CompanySupply(c.id, frozenset(c.sectors), frozenset(c.levels), weekly[k].tolist(),
                                   loads.get(c.id, {}),
                                   recognised_crebos(tuple(sorted(c.recognitions))) if c.recognitions else None)
                     for k, c in enumerate(scenario.companies)]
        demand = cohort_demand(plan)
        needs = [CohortNeed(cp.sector, cp.level, demand[cp.cohort].tolist(), reachable[cp.cohort], cp.unplaced,
                            cp.crebo if by_crebo else None)
                 for cp in plan.cohorts if cp.cohort in reachable]
        result[plan.mode] = demand_against_reachable(needs, companies)
    return result
