"""Anytime large-neighbourhood search at company level: the scheduling of its steps.

Starting from a complete plan, each step frees a *neighbourhood* (some cohorts and some
companies, :mod:`planner.solve.exact.neighbourhoods`), keeps every other placement fixed, and
re-optimises the neighbourhood exactly with the company-level model. A step never makes the
plan worse: the incumbent's own placements are a solution of every neighbourhood model.

The size of a neighbourhood (placement variables) adapts: it grows after a quick exact solve
and shrinks after a solve cut short. On regional searches each kind has its own size, grown
only by neighbourhoods that used at least half of it.

Under a time limit, on two cores, two neighbourhoods are solved at once, in threads (SCIP runs
without Python's lock). Whenever one finishes, its plan is merged and the next is drawn outside
the one still being solved (no shared cohort or company), so a core never waits for the
other's longer solve: the two parts of the plan they change are disjoint, and the weighted
shortage changes by the sum of their changes.

Under a work budget (:class:`~planner.solve.budget.CountedBudget`) the search is
deterministic: it stops after its steps, every neighbourhood solve is bounded by a node limit
(the time is only a safety net), the size adapts to whether the solve was proven, not to its
seconds, and one neighbourhood is solved at a time.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from planner.model.problem import ProblemData
from planner.solve.budget import Budget
from planner.solve.exact.merge import as_assignments, as_table
from planner.solve.exact.neighbourhoods import KINDS, Neighbourhood, Neighbourhoods
from planner.solve.heuristics import Assignment, weighted_shortage

ProgressFn = Callable[[str, float, float], None]
# A kind's size grows only after a neighbourhood that used at least this share of it: draws
# outside a running neighbourhood are sometimes two cohorts with their own 26 companies, solved
# at once whatever the size, and they had pushed the size to its maximum (docs/model.md, "Sizes").
GROW_WHEN_FILLED = 0.5
# Sizes (placement variables): the first neighbourhoods', the largest and the smallest, and the
# factors after a quick proven solve and after a cut-short one. Set with the search itself
# (8f1a2c5) and not re-measured since; what a size does is adapt, so the start matters little.
INITIAL_SIZE = 3000
MAX_SIZE = 40000
MIN_SIZE = 300
GROW = 1.25
SHRINK = 0.8


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
    seeds
        The seed cohort of every neighbourhood drawn, in order (-1: none could be drawn).
    focused
        Neighbourhoods drawn around the search's focus (``focus``).
    """

    steps: int = 0
    improvements: int = 0
    history: list[tuple[float, float]] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    final_budget: dict[str, int] = field(default_factory=dict)
    concurrent: int = 0
    seeds: list[int] = field(default_factory=list)
    focused: int = 0


def large_neighbourhood_search(
    data: ProblemData,
    incumbent: list[Assignment],
    budget: Budget,
    seed: int = 0,
    bound: float = 0.0,
    progress: ProgressFn | None = None,
    option_mass: np.ndarray | None = None,
    unavoidable: np.ndarray | None = None,
    initial_size: int = INITIAL_SIZE,
    max_size: int = MAX_SIZE,
    cohorts: np.ndarray | None = None,
    max_steps: int | None = None,
    focus: np.ndarray | None = None,
) -> tuple[list[Assignment], LnsStats]:
    """Improve a plan by re-optimising neighbourhoods exactly until the budget is spent.

    Parameters
    ----------
    data
        The compiled problem.
    incumbent
        A complete feasible plan (``(option, company, students)``).
    budget
        The search's budget: its seconds (a safety net under a work budget), and what each
        neighbourhood solve gets (seconds, or branch-and-bound nodes).
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
    initial_size, max_size
        Placement variables of the first neighbourhoods, and of the largest.
    cohorts
        Only neighbourhoods around these cohorts (a union of independent parts); all by default.
    max_steps
        Stop after this many neighbourhoods (None: when the budget's time is spent).
    focus
        Cohorts (a mask) the first neighbourhoods are seeded in, while the budget says so
        (:meth:`~planner.solve.budget.Budget.focusing`): what a variant changed (:mod:`planner.solve.focus`).

    Returns
    -------
    tuple
        The best plan and the search statistics.
    """
    rng = np.random.default_rng(seed)
    table = as_table(incumbent)
    best_value = weighted_shortage(data, table)
    stats = LnsStats()
    stats.history.append((0.0, best_value))
    allowed = None
    if cohorts is not None:
        allowed = np.zeros(len(data.cohorts), dtype=bool)
        allowed[cohorts] = True
    neighbourhoods = Neighbourhoods(data, rng, option_mass, allowed, unavoidable, focus)
    # Each kind has its own size on regional searches: a companies neighbourhood of 10,000
    # placement variables is mostly solved in a fraction of a second, a group or random one of
    # that size mostly not.
    size = dict.fromkeys(KINDS, initial_size)
    per_kind = neighbourhoods.regional
    grow_when_filled = GROW_WHEN_FILLED if per_kind else 0.0
    if not (neighbourhoods.allowed & neighbourhoods.placeable).any():
        return as_assignments(table), stats
    # Two disjoint neighbourhoods in flight on two cores, when the budget allows it; not with
    # stagebarometer cell limits (they tie cohorts of different neighbourhoods together).
    concurrent = budget.paired and data.cell_limit is None and (os.cpu_count() or 1) >= 2
    pool = ThreadPoolExecutor(2) if concurrent else None
    running: dict[Future, Neighbourhood] = {}

    def finish(step: Neighbourhood) -> None:
        """Adapt the size to the solve and merge its plan when it is no worse."""
        nonlocal best_value, table
        result = step.result
        stats.steps += 1
        stats.by_kind[step.kind][0] += 1
        # Grow after a quick proven solve (as the budget counts quick), shrink after a cut-short
        # one. (Only a neighbourhood that used at least half its size says the size may grow.)
        filled = step.built.n_placements >= grow_when_filled * step.budget
        for kind in ((step.kind,) if per_kind else KINDS):
            if result.status == "optimal" and filled and budget.quick(result.seconds, step.limit):
                size[kind] = min(max_size, int(size[kind] * GROW))
            elif result.status != "optimal":
                size[kind] = max(MIN_SIZE, int(size[kind] * SHRINK))
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
            stats.history.append((round(budget.elapsed(), 3), best_value))
            if progress is not None:
                progress("lns", best_value, bound)
        elif value <= best_value + 1e-9:
            table = candidate  # same shortage, another plan: move on the plateau

    try:
        while True:
            stop = budget.remaining() < 0.2 or best_value <= bound + 1e-9 or \
                (max_steps is not None and stats.steps + len(running) >= max_steps)
            if not stop and len(running) < (2 if concurrent else 1):
                # A new neighbourhood, outside the one still being solved (if any).
                outside = next(iter(running.values()), None)
                neighbourhoods.focusing = focus is not None and budget.focusing(stats.steps + len(running), max_steps)
                step = Neighbourhood(data, *neighbourhoods.draw(table, size, outside=outside))
                stats.seeds.append(neighbourhoods.last_seed)
                stats.focused += neighbourhoods.focusing
                step.budget = size[step.kind]
                if outside is None or (len(step.cohorts) and len(step.companies) and step.disjoint(outside)):
                    step.build(table, rounding_cuts=data.mode == "status-quo")
                    step.value = best_value
                    allowance = budget.neighbourhood()
                    step.limit = allowance.seconds
                    step_seed = seed + stats.steps + len(running)
                    if pool is None:
                        step.solve(step.limit, step_seed, allowance.nodes)
                        finish(step)
                        continue
                    running[pool.submit(step.solve, step.limit, step_seed, allowance.nodes)] = step
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
    stats.final_budget = dict(size)
    return as_assignments(table), stats
