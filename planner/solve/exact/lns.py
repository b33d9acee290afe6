"""Anytime large-neighbourhood search at company level.

Starting from a complete plan, each step frees a *neighbourhood* (some cohorts and some
companies), keeps every other placement fixed, and re-optimises the neighbourhood exactly with
the company-level model (:mod:`planner.solve.exact.company_model`). A step never makes the plan worse:
the incumbent's own placements are a solution of every neighbourhood model.

Neighbourhoods (chosen at random, with a seeded generator):

* ``hotspot``: a cohort with unplaced students (drawn by weighted shortage), the companies it
  may use, and cohorts that hold places at those companies;
* ``group``: the cohorts of one sector chamber x level x area of a short cohort, with the
  companies they may use;
* ``random``: a random cohort, its companies and some of their users.

The size of a neighbourhood (placement variables) adapts: it grows after a quick exact solve
and shrinks after a solve cut short by its time limit.

With a work budget (``max_steps`` and ``nodes``) the search is deterministic: it stops after
``max_steps`` neighbourhoods, every neighbourhood solve is bounded by a node limit (the time is
only a safety net), and the size adapts to whether the solve was proven, not to its seconds.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from planner.model.problem import ProblemData
from planner.solve.exact.company_model import Assignment, build_company_model, company_sets, option_rows, options_by_cohort
from planner.solve.exact.engines import solve_company_mip, solve_company_model
from planner.solve.heuristics import placed_per_cohort, weighted_shortage

ProgressFn = Callable[[str, float, float], None]


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
        Neighbourhood size (placement variables) at the end.
    """

    steps: int = 0
    improvements: int = 0
    history: list[tuple[float, float]] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    final_budget: int = 0


def _merge(assignments: list[Assignment]) -> list[Assignment]:
    """One entry per (option, company), zero entries dropped."""
    total: dict[tuple[int, int], int] = defaultdict(int)
    for option, company, students in assignments:
        total[(int(option), int(company))] += int(students)
    return [(o, m, n) for (o, m), n in sorted(total.items()) if n > 0]


class _Neighbourhoods:
    """Draws neighbourhoods around the incumbent."""

    def __init__(self, data: ProblemData, rng: np.random.Generator, option_mass: np.ndarray | None,
                 allowed: np.ndarray | None = None):
        self.data = data
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

    def draw(self, incumbent: list[Assignment], budget: int) -> tuple[str, np.ndarray, np.ndarray, dict[int, np.ndarray]]:
        """A neighbourhood: (kind, free cohorts, free companies, candidate options per free cohort)."""
        data, rng = self.data, self.rng
        placed = placed_per_cohort(data, incumbent)
        short = (data.students - placed) * data.weight
        at_company: dict[int, set[int]] = defaultdict(set)
        options_of: dict[int, set[int]] = defaultdict(set)
        for option, company, _ in incumbent:
            cohort = int(data.option_cohort[option])
            at_company[company].add(cohort)
            options_of[cohort].add(int(option))
        reachable = np.array([len(c) > 0 for c in self.companies]) & self.allowed
        candidates = np.nonzero((short > 0) & reachable)[0]
        roll = rng.random()
        if len(candidates) and roll < 0.55:
            kind = "hotspot"
        elif len(candidates) and roll < 0.8:
            kind = "group"
        else:
            kind = "random"
        if kind == "random" or not len(candidates):
            pool = np.nonzero(reachable)[0]
            seed_cohort = int(rng.choice(pool))
        else:
            p = short[candidates] / short[candidates].sum()
            seed_cohort = int(rng.choice(candidates, p=p))
        full_options = data.mode == "optimise" and rng.random() < 0.4
        seeds = [seed_cohort]
        if kind == "group":
            members = list(self.group[self.group_of[seed_cohort]])
            rng.shuffle(members)
            seeds = [seed_cohort] + [c for c in members if c != seed_cohort][:5]
        chosen_options = {c: self.candidate_options(c, options_of[c], full_options) for c in seeds}
        n_companies = data.company_capacity.shape[0]
        company_mask = np.zeros(n_companies, dtype=bool)
        free_cohorts: list[int] = []
        size = 0

        def cost(cohort: int, companies: np.ndarray) -> int:
            new = companies[~company_mask[companies]]
            # Pairs of the cohort itself plus pairs the new companies add for free cohorts.
            own = int(company_mask[self.companies[cohort]].sum() + len(new)) * len(chosen_options[cohort])
            extra = 0
            if len(new):
                for other in free_cohorts:
                    extra += int(np.isin(self.companies[other], new, assume_unique=True).sum()) * len(chosen_options[other])
            return own + extra

        def admit(cohort: int, companies: np.ndarray) -> bool:
            nonlocal size
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
            holders = sorted({c for m in frontier for c in at_company.get(int(m), ())} - set(free_cohorts))
            rng.shuffle(holders)
            overlaps = [any(seed_cells[self.rows[o][0]].any() for o in options_of[c]) for c in holders]
            holders = [c for c, hit in zip(holders, overlaps) if hit] + [c for c, hit in zip(holders, overlaps) if not hit]
            if rng.random() < 0.3:
                eligible = sorted({int(c) for m in frontier for c in self.users[m]} - set(free_cohorts) - set(holders))
                rng.shuffle(eligible)
                holders += eligible[:5]
            grew = False
            for c in holders:
                chosen_options[c] = self.candidate_options(c, options_of[c], full_options and rng.random() < 0.5)
                own = self.companies[c]
                if admit(c, own):
                    grew = True
                else:
                    del chosen_options[c]
            if not grew or size >= budget:
                break
        free_companies = np.nonzero(company_mask)[0]
        return kind, np.array(sorted(free_cohorts), dtype=np.int64), free_companies, chosen_options


def large_neighbourhood_search(
    data: ProblemData,
    incumbent: list[Assignment],
    time_limit: float,
    seed: int = 0,
    bound: float = 0.0,
    progress: ProgressFn | None = None,
    option_mass: np.ndarray | None = None,
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
    best = _merge(incumbent)
    best_value = weighted_shortage(data, best)
    stats = LnsStats()
    stats.history.append((0.0, best_value))
    allowed = None
    if cohorts is not None:
        allowed = np.zeros(len(data.cohorts), dtype=bool)
        allowed[cohorts] = True
    neighbourhoods = _Neighbourhoods(data, rng, option_mass, allowed)
    budget = initial_budget
    if not (neighbourhoods.allowed & np.array([len(c) > 0 for c in neighbourhoods.companies])).any():
        return best, stats
    while True:
        elapsed = time.perf_counter() - started
        remaining = time_limit - elapsed
        if remaining < 0.2 or best_value <= bound + 1e-9 or (max_steps is not None and stats.steps >= max_steps):
            break
        tick = time.perf_counter()
        kind, cohorts, companies, options = neighbourhoods.draw(best, budget)
        drawn = time.perf_counter() - tick
        free_company = np.zeros(data.company_capacity.shape[0], dtype=bool)
        free_company[companies] = True
        free_cohort = np.zeros(len(data.cohorts), dtype=bool)
        free_cohort[cohorts] = True
        # The plan split with array masks: what the neighbourhood re-optimises and what stays fixed.
        table = np.asarray(best, dtype=np.int64).reshape(-1, 3)
        free = free_cohort[data.option_cohort[table[:, 0]]] & free_company[table[:, 1]]
        inside = [tuple(a) for a in table[free].tolist()]
        # The incumbent's options of free cohorts stay candidates (so the incumbent is a solution).
        for option in np.unique(table[free, 0]).tolist():
            cohort = int(data.option_cohort[option])
            if option not in set(options[cohort].tolist()):
                options[cohort] = np.append(options[cohort], option)
        built = build_company_model(data, cohorts, companies, options, table[~free],
                                    symmetry_breaking=(engine != "scip"), rounding_cuts=data.mode == "status-quo")
        built_seconds = time.perf_counter() - tick - drawn
        limit = remaining - 0.1 - drawn - built_seconds
        if nodes is None:
            limit = min(step_limit, limit)
        if engine == "scip":
            result = solve_company_mip(data, built, limit, seed + stats.steps, hint=inside, nodes=nodes)
        else:
            result = solve_company_model(data, built, limit, seed + stats.steps, workers=2, hint=inside)
        stats.steps += 1
        stats.by_kind[kind][0] += 1
        if verbose:
            print(f"    step {stats.steps} {kind} cohorts={len(cohorts)} companies={len(companies)} "
                  f"pairs={len(built.x)} budget={budget} {result.status} {result.seconds:.2f}s "
                  f"value={result.value} best={best_value} draw={drawn:.2f}s build={built_seconds:.2f}s", flush=True)
        if result.assignments is not None and result.value < best_value - 1e-9:
            best, best_value = _merge(result.assignments), result.value
            stats.improvements += 1
            stats.by_kind[kind][1] += 1
            stats.history.append((round(time.perf_counter() - started, 3), best_value))
            if progress is not None:
                progress("lns", best_value, bound)
        elif result.assignments is not None and result.value <= best_value + 1e-9:
            best = _merge(result.assignments)  # same shortage, another plan: move on the plateau
        # Adapt the size: grow after a quick exact solve, shrink after a cut-short one (with a node
        # limit: after any proven one, so the sizes do not depend on the machine's speed).
        if result.status == "optimal" and (nodes is not None or result.seconds < 0.3 * limit):
            budget = min(max_budget, int(budget * 1.25))
        elif result.status != "optimal":
            budget = max(300, int(budget * 0.8))
    stats.final_budget = budget
    return best, stats
