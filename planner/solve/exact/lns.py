"""Anytime large-neighbourhood search at company level.

Starting from a complete plan, each step frees a *neighbourhood* (some cohorts and some
companies), keeps every other placement fixed, and re-optimises the neighbourhood exactly with
the company-level model (:mod:`planner.solve.exact.company_model`). A step never makes the plan worse:
the incumbent's own placements are a solution of every neighbourhood model.

Neighbourhoods (chosen at random, with a seeded generator):

* ``hotspot``: a cohort with unplaced students (drawn by weighted shortage, mostly by what
  exceeds the bound's own solution when that is known), the companies it may use, and cohorts
  that hold places at those companies;
* ``group``: the cohorts of one sector chamber x level x area of a short cohort, with the
  companies they may use;
* ``random``: a random cohort, its companies and some of their users;
* ``companies``: some of a short cohort's companies with *every* cohort that may use them, so
  all placements there can be repacked (students of different cohorts swap companies).

The size of a neighbourhood (placement variables) adapts: it grows after a quick exact solve
and shrinks after a solve cut short by its time limit. On regional searches each kind has its
own size, grown only by neighbourhoods that used at least half of it.

On two cores two neighbourhoods are solved at once, in threads (SCIP runs without Python's
lock). Whenever one finishes, its plan is merged and the next is drawn outside the one still
being solved (no shared cohort or company), so a core never waits for the other's longer
solve: the two parts of the plan they change are disjoint, and the weighted shortage changes
by the sum of their changes.

With a work budget (``max_steps`` and ``nodes``) the search is deterministic: it stops after
``max_steps`` neighbourhoods, every neighbourhood solve is bounded by a node limit (the time is
only a safety net), and the size adapts to whether the solve was proven, not to its seconds;
it then solves one neighbourhood at a time.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from planner.model.problem import ProblemData
from planner.solve.exact.company_model import (
    Assignment,
    CompanyModel,
    build_company_model,
    company_sets,
    option_rows,
    options_by_cohort,
)
from planner.solve.exact.engines import CompanySolution, solve_company_mip, solve_company_model
from planner.solve.heuristics import placed_per_cohort, weighted_shortage

ProgressFn = Callable[[str, float, float], None]
# Two disjoint neighbourhoods in flight at once (in threads: SCIP runs without Python's lock).
PAIRED_STEPS = True
# Share of the steps drawn as "companies" neighbourhoods (when some cohort is short).
COMPANIES_SHARE = 0.25
# Each kind of neighbourhood adapts its own size, and grows only after a neighbourhood that used
# at least this share of it.
BUDGET_PER_KIND = True
GROW_WHEN_FILLED = 0.5
# Companies neighbourhoods and the sizes per kind only on searches over at most this many
# cohorts (regional plans: S has 405, M 1,615). On the national L region (8,157), far from its
# optimum, each made the search slower: the status quo at 600 s 4,332.5 with companies
# neighbourhoods against 3,878.5 without; 4,634.0 with sizes per kind against 3,960.5 (at 128 s
# 5,890.5 against 5,083.0 with one size that grows after any quick solve).
REGIONAL_COHORTS = 4000
KINDS = ("hotspot", "group", "random", "companies")
# With the bound's shortage known, a short cohort is drawn by the shortage it has beyond it plus
# this share of all its shortage.
UNAVOIDABLE_SHARE = 0.25


@dataclass
class LnsStats:
    """What the search did.

    Attributes
    ----------
    steps
        Neighbourhoods solved.
    improvements
        Steps that lowered the weighted shortage.
    history
        ``(seconds, weighted shortage)`` at every improvement.
    by_kind
        Per neighbourhood kind: ``[tried, improved]``.
    final_budget
        Neighbourhood size (placement variables) per kind at the end.
    concurrent
        Neighbourhoods started while another was still being solved.
    """

    steps: int = 0
    improvements: int = 0
    history: list[tuple[float, float]] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    final_budget: dict[str, int] = field(default_factory=dict)
    concurrent: int = 0


def _merge(assignments: list[Assignment]) -> list[Assignment]:
    """One entry per (option, company), zero entries dropped."""
    total: dict[tuple[int, int], int] = defaultdict(int)
    for option, company, students in assignments:
        total[(int(option), int(company))] += int(students)
    return [(o, m, n) for (o, m), n in sorted(total.items()) if n > 0]


def _plan(table: np.ndarray) -> list[Assignment]:
    """A plan table as a list of assignments."""
    return [tuple(row) for row in table.tolist()]


class _PlanView:
    """What the draws read from a plan table (``(n, 3)``): weighted shortage per cohort, the
    cohorts holding places at some companies and the options each cohort uses.

    Read from index arrays over the table, not from per-row Python sets: a regional plan has
    tens of thousands of rows and the search draws several neighbourhoods a second.
    """

    def __init__(self, data: ProblemData, table: np.ndarray):
        self.table = table
        self.row_cohort = data.option_cohort[table[:, 0]]
        self.short = (data.students - placed_per_cohort(data, table)) * data.weight
        by_cohort = np.argsort(self.row_cohort, kind="stable")
        self._options = table[by_cohort, 0]
        self._start = np.searchsorted(self.row_cohort[by_cohort], np.arange(len(data.cohorts) + 1))

    def options_of(self, cohort: int) -> set[int]:
        """The options ``cohort`` places students in."""
        return set(self._options[self._start[cohort]: self._start[cohort + 1]].tolist())

    def cohorts_at(self, company_mask: np.ndarray) -> np.ndarray:
        """The cohorts holding places at the companies in ``company_mask`` (sorted)."""
        return np.unique(self.row_cohort[company_mask[self.table[:, 1]]])


class _Neighbourhoods:
    """Draws neighbourhoods around the incumbent."""

    def __init__(self, data: ProblemData, rng: np.random.Generator, option_mass: np.ndarray | None,
                 allowed: np.ndarray | None = None, unavoidable: np.ndarray | None = None):
        self.data = data
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
        self.group: dict[tuple, list[int]] = defaultdict(list)
        self.group_of = []
        for position, index in enumerate(data.cohorts):
            cohort = scenario.cohorts[index]
            key = (cohort.sector, cohort.level, scenario.locations[cohort.location].area)
            self.group[key].append(position)
            self.group_of.append(key)
        self.option_mass = option_mass
        self.rows = option_rows(data)
        self.regional = int(self.allowed.sum()) <= REGIONAL_COHORTS
        self.companies_share = COMPANIES_SHARE if self.regional else 0.0
        # Cohorts some company may take (fixed for the problem).
        self.placeable = np.array([len(c) > 0 for c in self.companies], dtype=bool)
        self._plan: _PlanView | None = None

    def plan_view(self, table: np.ndarray) -> _PlanView:
        """What the draws read from the plan ``table``, made once per table: both neighbourhoods
        of a paired step are drawn around the same plan."""
        if self._plan is None or self._plan.table is not table:
            self._plan = _PlanView(self.data, table)
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

    def draw(self, table: np.ndarray, budget: int | dict[str, int], outside: _Step | None = None
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
        candidates = np.nonzero((short > 0) & reachable)[0]
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
            return kind, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), {}
        if kind == "random" or not len(candidates):
            pool = np.nonzero(reachable)[0]
            seed_cohort = int(rng.choice(pool))
        else:
            # Drawn by weighted shortage, mostly by what exceeds the bound's own solution: a
            # cohort that is short there as well has little to gain.
            excess = np.maximum(short[candidates] - self.unavoidable[candidates], 0.0)
            p = excess + UNAVOIDABLE_SHARE * short[candidates]
            p = p / p.sum()
            seed_cohort = int(rng.choice(candidates, p=p))
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
                          view: _PlanView, full_options: bool
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
class _Step:
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

    def disjoint(self, other: _Step) -> bool:
        """Whether the two neighbourhoods share no cohort and no company."""
        return not (self.free_cohort & other.free_cohort).any() and not (self.free_company & other.free_company).any()

    def free_rows(self, table: np.ndarray) -> np.ndarray:
        """Rows of a plan table that this neighbourhood re-optimises (its cohorts at its companies)."""
        return self.free_cohort[self.data.option_cohort[table[:, 0]]] & self.free_company[table[:, 1]]

    def build(self, table: np.ndarray, rounding_cuts: bool, symmetry_breaking: bool) -> None:
        """The neighbourhood's model, everything outside it fixed as in ``table``."""
        data = self.data
        free = self.free_rows(table)
        self.inside = [tuple(a) for a in table[free].tolist()]
        # The incumbent's options of free cohorts stay candidates (so the incumbent is a solution).
        for option in np.unique(table[free, 0]).tolist():
            cohort = int(data.option_cohort[option])
            if option not in set(self.options[cohort].tolist()):
                self.options[cohort] = np.append(self.options[cohort], option)
        self.built = build_company_model(data, self.cohorts, self.companies, self.options, table[~free],
                                         symmetry_breaking=symmetry_breaking, rounding_cuts=rounding_cuts)

    def solve(self, engine: str, limit: float, seed: int, nodes: int | None) -> None:
        """Solve the built model from the plan's own placements (``result``)."""
        if engine == "scip":
            self.result = solve_company_mip(self.data, self.built, limit, seed, hint=self.inside, nodes=nodes)
        else:
            self.result = solve_company_model(self.data, self.built, limit, seed, workers=2, hint=self.inside)


def large_neighbourhood_search(
    data: ProblemData,
    incumbent: list[Assignment],
    time_limit: float,
    seed: int = 0,
    bound: float = 0.0,
    progress: ProgressFn | None = None,
    option_mass: np.ndarray | None = None,
    unavoidable: np.ndarray | None = None,
    engine: str = "scip",
    step_limit: float = 3.0,
    initial_budget: int = 3000,
    max_budget: int = 40000,
    verbose: bool = False,
    cohorts: np.ndarray | None = None,
    max_steps: int | None = None,
    nodes: int | None = None,
) -> tuple[list[Assignment], LnsStats]:
    """Improve a plan by re-optimising neighbourhoods exactly until the time limit.

    Parameters
    ----------
    data
        The compiled problem.
    incumbent
        A complete feasible plan (``(option, company, students)``).
    time_limit
        Seconds for the whole search.
    seed
        Seed of the neighbourhood choice.
    bound
        A proven lower bound: the search stops when the incumbent reaches it.
    progress
        Called with ``("lns", weighted shortage, bound)`` at every improvement.
    option_mass
        Students per option in a relaxation (options it prices in are preferred).
    unavoidable
        Students short per cohort in the bound's solution (the Dantzig-Wolfe master's): short
        cohorts are drawn mostly by the shortage they have beyond it.
    engine
        ``scip`` (MIP) or ``cp-sat`` for the neighbourhood models.
    step_limit
        Seconds per neighbourhood solve.
    initial_budget
        Placement variables of the first neighbourhoods.
    max_budget
        Largest neighbourhood (placement variables).
    verbose
        Print one line per neighbourhood.
    cohorts
        Only neighbourhoods around these cohorts (a union of independent parts); all by default.
    max_steps
        Stop after this many neighbourhoods (a work budget; ``time_limit`` is then a safety net).
    nodes
        Branch-and-bound nodes per neighbourhood solve (SCIP): with ``max_steps``, the search
        does the same work and gives the same plan on any machine.

    Returns
    -------
    tuple
        The best plan and the search statistics.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    # The plan as a table of (option, company, students), one row per pair, sorted.
    table = np.asarray(_merge(incumbent), dtype=np.int64).reshape(-1, 3)
    best_value = weighted_shortage(data, table)
    stats = LnsStats()
    stats.history.append((0.0, best_value))
    allowed = None
    if cohorts is not None:
        allowed = np.zeros(len(data.cohorts), dtype=bool)
        allowed[cohorts] = True
    neighbourhoods = _Neighbourhoods(data, rng, option_mass, allowed, unavoidable)
    # Each kind has its own size: a companies neighbourhood of 10,000 placement variables is
    # mostly solved in a fraction of a second, a group or random one of that size mostly not.
    budget = dict.fromkeys(KINDS, initial_budget)
    shared = not (BUDGET_PER_KIND and neighbourhoods.regional)
    grow_when_filled = GROW_WHEN_FILLED if not shared else 0.0
    if not (neighbourhoods.allowed & neighbourhoods.placeable).any():
        return _plan(table), stats
    # Two disjoint neighbourhoods in flight on two cores. Not under a work budget (the plan must
    # not depend on which solve ends first) nor with stagebarometer cell limits (they tie cohorts
    # of different neighbourhoods together).
    concurrent = PAIRED_STEPS and max_steps is None and nodes is None and data.cell_limit is None \
        and (os.cpu_count() or 1) >= 2
    pool = ThreadPoolExecutor(2) if concurrent else None
    running: dict[Future, _Step] = {}

    def finish(step: _Step) -> None:
        """Adapt the size to the solve and merge its plan when it is no worse."""
        nonlocal best_value, budget, table
        result = step.result
        stats.steps += 1
        stats.by_kind[step.kind][0] += 1
        if verbose:
            print(f"    {time.perf_counter() - started:6.2f}s step {stats.steps} {step.kind} "
                  f"cohorts={len(step.cohorts)} companies={len(step.companies)} "
                  f"pairs={step.built.n_placements} budget={budget[step.kind]} {result.status} {result.seconds:.2f}s "
                  f"value={result.value} at_build={step.value} best={best_value} build={step.build_seconds:.2f}s",
                  flush=True)
        # Adapt the size: grow after a quick exact solve, shrink after a cut-short one (with a node
        # limit: after any proven one, so the sizes do not depend on the machine's speed).
        # (Only a neighbourhood that used at least half its size says the size may grow: the
        # draws outside a running neighbourhood are sometimes a few cohorts with their own few
        # companies, solved at once whatever the size.)
        kinds = KINDS if shared else (step.kind,)
        filled = step.built.n_placements >= grow_when_filled * step.budget
        for kind in kinds:
            if result.status == "optimal" and filled and (nodes is not None or result.seconds < 0.3 * step.limit):
                budget[kind] = min(max_budget, int(budget[kind] * 1.25))
            elif result.status != "optimal":
                budget[kind] = max(300, int(budget[kind] * 0.8))
        if result.placements is None or result.value > step.value + 1e-9:
            return
        # Every neighbourhood solved meanwhile shared no cohort and no company with this one, so its
        # rows of the plan are still those it was built on, and its new placements (its cohorts at
        # its companies, none of them zero) replace them.
        new = np.asarray(result.placements, dtype=np.int64).reshape(-1, 3)
        candidate = np.concatenate([table[~step.free_rows(table)], new])
        candidate = candidate[np.lexsort((candidate[:, 1], candidate[:, 0]))]
        value = weighted_shortage(data, candidate)
        if value < best_value - 1e-9:
            table, best_value = candidate, value
            stats.improvements += 1
            stats.by_kind[step.kind][1] += 1
            stats.history.append((round(time.perf_counter() - started, 3), best_value))
            if progress is not None:
                progress("lns", best_value, bound)
        elif value <= best_value + 1e-9:
            table = candidate  # same shortage, another plan: move on the plateau

    try:
        while True:
            remaining = time_limit - (time.perf_counter() - started)
            stop = remaining < 0.2 or best_value <= bound + 1e-9 or \
                (max_steps is not None and stats.steps + len(running) >= max_steps)
            if not stop and len(running) < (2 if concurrent else 1):
                # A new neighbourhood, outside the one still being solved (if any).
                tick = time.perf_counter()
                outside = next(iter(running.values()), None)
                step = _Step(data, *neighbourhoods.draw(table, budget, outside=outside))
                step.budget = budget[step.kind]
                if outside is None or (len(step.cohorts) and len(step.companies) and step.disjoint(outside)):
                    step.build(table, rounding_cuts=data.mode == "status-quo", symmetry_breaking=engine != "scip")
                    step.value = best_value
                    step.build_seconds = time.perf_counter() - tick
                    limit = time_limit - (time.perf_counter() - started) - 0.1
                    step.limit = limit if nodes is not None else min(step_limit, limit)
                    step_seed = seed + stats.steps + len(running)
                    if pool is None:
                        step.solve(engine, step.limit, step_seed, nodes)
                        finish(step)
                        continue
                    running[pool.submit(step.solve, engine, step.limit, step_seed, nodes)] = step
                    if outside is not None:
                        stats.concurrent += 1
                    continue
            if not running:
                if stop:
                    break
                continue
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                future.result()
                finish(running.pop(future))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    stats.final_budget = dict(budget)
    return _plan(table), stats
