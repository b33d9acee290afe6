"""The neighbourhoods of the large-neighbourhood search: which cohorts and companies a step frees.

Kinds (chosen at random, with a seeded generator):

* ``hotspot``: a cohort with unplaced students (drawn by weighted shortage, mostly by what
  exceeds the bound's own solution when that is known), the companies it may use, and cohorts
  that hold places at those companies;
* ``group``: the cohorts of a short cohort's area that compete for the same companies (one
  sector chamber x level, or with recognitions one qualification family x level:
  :func:`~planner.scenario.eligibility.competition_key`), with the companies they may use;
* ``random``: a random cohort, its companies and some of their users;
* ``companies``: some of a short cohort's companies with *every* cohort that may use them, so
  all placements there can be repacked (students of different cohorts swap companies).

A :class:`Neighbourhood` is drawn, built against the plan (everything outside it fixed) and
solved exactly; the scheduling of the steps is :mod:`planner.solve.exact.lns`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from planner.model.problem import ProblemData
from planner.plan import state as plan_state
from planner.scenario.eligibility import competition_key, uses_recognitions
from planner.solve.budget import REGIONAL_COHORTS
from planner.solve.exact.company_model import CompanyModel, build_company_model
from planner.solve.exact.engines import CompanySolution, solve_company_mip
from planner.solve.exact.tables import company_sets, option_rows, options_by_cohort
from planner.solve.heuristics import placed_per_cohort

KINDS = ("hotspot", "group", "random", "companies")
# Share of the draws that are "companies" neighbourhoods when some cohort is short (regional
# searches only, see REGIONAL_COHORTS). Half of them was within the run-to-run spread of 2-3 %
# on S status quo at 60 s (docs/model.md, "what was tried"); a quarter is what was measured in.
COMPANIES_SHARE = 0.25
# With the bound's shortage known, a short cohort is drawn by the shortage it has beyond it plus
# this share of all its shortage: near the optimum most shortage is unavoidable and neighbourhoods
# around it improve nothing, but a cohort the master leaves short may still gain (docs/model.md,
# "Which short cohort").
UNAVOIDABLE_SHARE = 0.25


class PlanView:
    """What the draws read from a plan table (``(n, 3)``): weighted shortage per cohort, the
    cohorts holding places at some companies and the options each cohort uses.

    Read from index arrays over the table, not from per-row Python sets: a regional plan has
    tens of thousands of rows and the search draws several neighbourhoods a second.
    """

    def __init__(self, data: ProblemData, table: np.ndarray):
        self.table = table
        self.row_cohort = data.option_cohort[table[:, 0]]
        self.short = plan_state.cohort_shortage(data.weight, data.students - placed_per_cohort(data, table))
        by_cohort = np.argsort(self.row_cohort, kind="stable")
        self._options = table[by_cohort, 0]
        self._start = np.searchsorted(self.row_cohort[by_cohort], np.arange(len(data.cohorts) + 1))

    def options_of(self, cohort: int) -> set[int]:
        """The options ``cohort`` places students in."""
        return set(self._options[self._start[cohort]: self._start[cohort + 1]].tolist())

    def cohorts_at(self, company_mask: np.ndarray) -> np.ndarray:
        """The cohorts holding places at the companies in ``company_mask`` (sorted)."""
        return np.unique(self.row_cohort[company_mask[self.table[:, 1]]])


class Neighbourhoods:
    """Draws neighbourhoods around the incumbent."""

    def __init__(self, data: ProblemData, rng: np.random.Generator, option_mass: np.ndarray | None,
                 allowed: np.ndarray | None = None, unavoidable: np.ndarray | None = None,
                 focus: np.ndarray | None = None):
        self.data = data
        # Cohorts a focused search seeds its neighbourhoods in while ``focusing`` (planner.solve.focus);
        # the neighbourhoods still grow outside them. ``last_seed``: the seed cohort of the last draw.
        self.focus = focus
        self.focusing = False
        self.last_seed = -1
        # Weighted shortage per cohort that the bound's own solution has too (none when unknown).
        self.unavoidable = np.zeros(len(data.cohorts)) if unavoidable is None else unavoidable * data.weight
        self.allowed = np.ones(len(data.cohorts), dtype=bool) if allowed is None else allowed
        self.rng = rng
        self.options = options_by_cohort(data)
        self.companies = company_sets(data)
        n_companies = data.company_capacity.shape[0]
        users: list[list[int]] = [[] for _ in range(n_companies)]
        for cohort, companies in enumerate(self.companies):
            for m in companies:
                users[m].append(cohort)
        self.users = [np.array(u, dtype=np.int64) for u in users]
        scenario = data.scenario
        by_recognition = uses_recognitions(scenario)
        self.group: dict[tuple, list[int]] = defaultdict(list)
        self.group_of = []
        for position, index in enumerate(data.cohorts):
            cohort = scenario.cohorts[index]
            key = (*competition_key(cohort, by_recognition), scenario.locations[cohort.location].area)
            self.group[key].append(position)
            self.group_of.append(key)
        self.option_mass = option_mass
        self.rows = option_rows(data)
        self.regional = int(self.allowed.sum()) <= REGIONAL_COHORTS
        self.companies_share = COMPANIES_SHARE if self.regional else 0.0
        # Cohorts some company may take (fixed for the problem).
        self.placeable = np.array([len(c) > 0 for c in self.companies], dtype=bool)
        self._plan: PlanView | None = None

    def plan_view(self, table: np.ndarray) -> PlanView:
        """What the draws read from the plan ``table``, made once per table: both neighbourhoods
        of a paired step are drawn around the same plan."""
        if self._plan is None or self._plan.table is not table:
            self._plan = PlanView(self.data, table)
        return self._plan

    def candidate_options(self, cohort: int, incumbent_options: set[int], full: bool) -> np.ndarray:
        """Options a free cohort may use: all of them, or its own, the current and a few others."""
        options = self.options[cohort]
        if full or len(options) <= 6:
            return options
        keep = set(incumbent_options) | {int(o) for o in options if self.data.option_current[o]}
        if self.option_mass is not None:
            mass = self.option_mass[options]
            keep |= {int(o) for o in options[np.argsort(-mass)[:3]] if self.option_mass[o] > 1e-9}
        others = [int(o) for o in options if int(o) not in keep]
        if others:
            keep |= {int(o) for o in self.rng.choice(others, size=min(4, len(others)), replace=False)}
        return np.array(sorted(keep), dtype=np.int64)

    def draw(self, table: np.ndarray, budget: int | dict[str, int], outside: Neighbourhood | None = None
             ) -> tuple[str, np.ndarray, np.ndarray, dict[int, np.ndarray]]:
        """A neighbourhood around the plan ``table`` (``(n, 3)``): (kind, free cohorts, free
        companies, candidate options per free cohort).

        ``budget`` is its largest size (placement variables), for all kinds or per kind.

        With ``outside``, a neighbourhood sharing no cohort and no company with that one.
        """
        data, rng = self.data, self.rng
        blocked_cohort = outside.free_cohort if outside is not None else np.zeros(len(data.cohorts), dtype=bool)
        blocked_company = (outside.free_company if outside is not None
                           else np.zeros(data.company_capacity.shape[0], dtype=bool))
        view = self.plan_view(table)
        short = view.short
        reachable = self.placeable & self.allowed & ~blocked_cohort
        seedable = reachable
        if self.focusing and self.focus is not None and (reachable & self.focus).any():
            seedable = reachable & self.focus
        candidates = np.nonzero((short > 0) & seedable)[0]
        roll = rng.random()
        if len(candidates) and roll < self.companies_share:
            kind = "companies"
        elif len(candidates) and roll < 0.55:
            kind = "hotspot"
        elif len(candidates) and roll < 0.8:
            kind = "group"
        else:
            kind = "random"
        if isinstance(budget, dict):
            budget = budget[kind]
        if not reachable.any():
            self.last_seed = -1
            return kind, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), {}
        if kind == "random" or not len(candidates):
            pool = np.nonzero(seedable)[0]
            seed_cohort = int(rng.choice(pool))
        else:
            # Drawn by weighted shortage, mostly by what exceeds the bound's own solution: a
            # cohort that is short there as well has little to gain.
            excess = np.maximum(short[candidates] - self.unavoidable[candidates], 0.0)
            p = excess + UNAVOIDABLE_SHARE * short[candidates]
            p = p / p.sum()
            seed_cohort = int(rng.choice(candidates, p=p))
        self.last_seed = seed_cohort
        full_options = data.mode == "optimise" and rng.random() < 0.4
        if kind == "companies":
            return (kind, *self._around_companies(seed_cohort, budget, reachable, blocked_company, view,
                                                  full_options))
        seeds = [seed_cohort]
        if kind == "group":
            members = [c for c in self.group[self.group_of[seed_cohort]] if reachable[c]]
            rng.shuffle(members)
            seeds = [seed_cohort] + [c for c in members if c != seed_cohort][:5]
        chosen_options = {c: self.candidate_options(c, view.options_of(c), full_options) for c in seeds}
        n_companies = data.company_capacity.shape[0]
        company_mask = np.zeros(n_companies, dtype=bool)
        new_company = np.zeros(n_companies, dtype=bool)  # scratch: the companies a cohort would add
        free_cohorts: list[int] = []
        size = 0

        def cost(cohort: int, companies: np.ndarray) -> int:
            new = companies[~company_mask[companies]]
            # Pairs of the cohort itself plus pairs the new companies add for free cohorts.
            own = int(company_mask[self.companies[cohort]].sum() + len(new)) * len(chosen_options[cohort])
            extra = 0
            if len(new):
                new_company[new] = True
                for other in free_cohorts:
                    extra += int(new_company[self.companies[other]].sum()) * len(chosen_options[other])
                new_company[new] = False
            return own + extra

        def admit(cohort: int, companies: np.ndarray) -> bool:
            nonlocal size
            companies = companies[~blocked_company[companies]]
            if not len(companies):
                return False
            add = cost(cohort, companies)
            if free_cohorts and size + add > budget:
                # Try with fewer new companies: a random part of them.
                if len(companies) > 4:
                    companies = rng.choice(companies, size=max(2, len(companies) // 3), replace=False)
                    add = cost(cohort, companies)
                if size + add > budget:
                    return False
            free_cohorts.append(cohort)
            company_mask[companies] = True
            size += add
            return True

        for c in seeds:
            own = self.companies[c]
            if not admit(c, own) and not free_cohorts:
                admit(c, own[:1])
        # Cells (weeks or weekdays) the seeds' candidate options need.
        seed_cells = np.zeros(data.occupancy.shape[1], dtype=bool)
        for c in seeds:
            for o in chosen_options[c]:
                seed_cells[self.rows[int(o)][0]] = True
        # Grow in layers: cohorts holding places at (or able to use) the free companies, with
        # (some of) their own companies, until the budget is spent. Holders whose placements
        # overlap the seeds' weeks compete with them and come first.
        for _layer in range(3):
            frontier = np.nonzero(company_mask)[0]
            taken = blocked_cohort.copy()
            taken[free_cohorts] = True
            holders = [int(c) for c in view.cohorts_at(company_mask) if not taken[c]]
            rng.shuffle(holders)
            overlaps = [any(seed_cells[self.rows[o][0]].any() for o in view.options_of(c)) for c in holders]
            holders = [c for c, hit in zip(holders, overlaps) if hit] + [c for c, hit in zip(holders, overlaps) if not hit]
            if rng.random() < 0.3:
                taken[holders] = True
                users = np.unique(np.concatenate([self.users[m] for m in frontier])) if len(frontier) else frontier
                eligible = [int(c) for c in users if not taken[c]]
                rng.shuffle(eligible)
                holders += eligible[:5]
            grew = False
            for c in holders:
                chosen_options[c] = self.candidate_options(c, view.options_of(c), full_options and rng.random() < 0.5)
                own = self.companies[c]
                if admit(c, own):
                    grew = True
                else:
                    del chosen_options[c]
            if not grew or size >= budget:
                break
        free_companies = np.nonzero(company_mask)[0]
        return kind, np.array(sorted(free_cohorts), dtype=np.int64), free_companies, chosen_options

    def _around_companies(self, seed_cohort: int, budget: int, reachable: np.ndarray, blocked_company: np.ndarray,
                          view: PlanView, full_options: bool
                          ) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
        """Some of a short cohort's companies with *every* cohort that may use them.

        All placements at those companies are free, so students of different cohorts can swap
        companies and a short cohort can take the room that fits its weeks: the repacking the
        other kinds miss when each free cohort brings hundreds of companies and the budget
        allows only a few cohorts.
        """
        rng = self.rng
        own = self.companies[seed_cohort]
        own = own[~blocked_company[own]]
        chosen_options: dict[int, np.ndarray] = {}
        companies: list[int] = []
        cohorts: set[int] = set()
        size = 0
        # The seed's companies in random order, each with all its users, while the budget allows.
        # (Going on with the companies of the cohorts brought in was worse: S status quo at 60 s,
        # mean gap over three seeds of generator seed 3, 10.6 % against 5.1 %.)
        for m in rng.permutation(own):
            users = self.users[m][reachable[self.users[m]]].tolist()
            for c in users:
                if c not in chosen_options:
                    chosen_options[c] = self.candidate_options(c, view.options_of(c), full_options)
            add = sum(len(chosen_options[c]) for c in users)
            if companies and size + add > budget:
                break
            companies.append(int(m))
            cohorts.update(users)
            size += add
        return (np.array(sorted(cohorts), dtype=np.int64), np.array(sorted(companies), dtype=np.int64),
                {c: chosen_options[c] for c in sorted(cohorts)})


@dataclass
class Neighbourhood:
    """One neighbourhood of a search step: drawn, built against the plan, then solved."""

    data: ProblemData
    kind: str
    cohorts: np.ndarray
    companies: np.ndarray
    options: dict[int, np.ndarray]
    built: CompanyModel | None = None
    inside: list = field(default_factory=list)
    result: CompanySolution | None = None
    value: float = 0.0  # the plan's weighted shortage when the model was built
    budget: int = 0  # its kind's size when it was drawn
    limit: float = 0.0
    build_seconds: float = 0.0

    def __post_init__(self) -> None:
        self.free_cohort = np.zeros(len(self.data.cohorts), dtype=bool)
        self.free_cohort[self.cohorts] = True
        self.free_company = np.zeros(self.data.company_capacity.shape[0], dtype=bool)
        self.free_company[self.companies] = True

    def disjoint(self, other: Neighbourhood) -> bool:
        """Whether the two neighbourhoods share no cohort and no company."""
        return not (self.free_cohort & other.free_cohort).any() and not (self.free_company & other.free_company).any()

    def free_rows(self, table: np.ndarray) -> np.ndarray:
        """Rows of a plan table that this neighbourhood re-optimises (its cohorts at its companies)."""
        return self.free_cohort[self.data.option_cohort[table[:, 0]]] & self.free_company[table[:, 1]]

    def build(self, table: np.ndarray, rounding_cuts: bool) -> None:
        """The neighbourhood's model, everything outside it fixed as in ``table``.

        Without symmetry breaking: the plan's own placements break the load order of identical
        companies and SCIP then starts worse (docs/model.md).
        """
        data = self.data
        free = self.free_rows(table)
        self.inside = [tuple(a) for a in table[free].tolist()]
        # The incumbent's options of free cohorts stay candidates (so the incumbent is a solution).
        for option in np.unique(table[free, 0]).tolist():
            cohort = int(data.option_cohort[option])
            if option not in set(self.options[cohort].tolist()):
                self.options[cohort] = np.append(self.options[cohort], option)
        self.built = build_company_model(data, self.cohorts, self.companies, self.options, table[~free],
                                         symmetry_breaking=False, rounding_cuts=rounding_cuts)

    def solve(self, limit: float, seed: int, nodes: int | None) -> None:
        """Solve the built model with SCIP from the plan's own placements (``result``)."""
        self.result = solve_company_mip(self.data, self.built, limit, seed, hint=self.inside, nodes=nodes)
