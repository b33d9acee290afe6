"""The exact improvement phase: from a heuristic plan to a plan near the optimum with a proven bound.

:func:`improve` runs, within one :class:`~planner.solve.budget.Budget`:

1. **exact parts**: every independent part (:mod:`planner.solve.exact.parts`) whose
   company-level model is small is solved to optimality with SCIP;
2. **large-neighbourhood search** on the remaining parts (:mod:`planner.solve.exact.lns`);
3. **the Dantzig-Wolfe bound** over company classes (:mod:`planner.solve.exact.bound`), which
   can stop the search early once the incumbent meets it. In the status quo it comes before
   the search, and a plan dived from its master (:mod:`planner.solve.exact.dive`) is the
   search's start when it is better. Regions of more than
   :data:`~planner.solve.budget.REGIONAL_COHORTS` open cohorts search to the end instead under a
   time limit (the bound does not move there in the time).

Each phase asks the budget what it may use (seconds, or counts under a work budget) and is
written once. The returned bound is the larger of the caller's bound, the exact parts' bounds
plus the other parts' Dantzig-Wolfe bound, and is always a valid lower bound on the weighted
shortage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from planner.model.problem import ProblemData
from planner.plan import state as plan_state
from planner.solve.budget import MIN_PART_SECONDS, MIN_SEARCH_SECONDS, Budget
from planner.solve.exact.bound import BoundResult, dantzig_wolfe_bound, pooled_duals
from planner.solve.exact.company_model import Assignment, build_company_model
from planner.solve.exact.dive import master_start
from planner.solve.exact.lns import large_neighbourhood_search
from planner.solve.exact.merge import merge
from planner.solve.exact.parts import independent_parts, placement_pairs, solve_part
from planner.solve.exact.tables import company_sets, remaining_capacity
from planner.solve.heuristics import weighted_shortage

ProgressFn = Callable[[str, float, float], None]
# Parts with at most this many placement variables are solved exactly first. Set when the exact
# stage was introduced (8f1a2c5) and not measured since (Twente's small parts are proven 0.1-0.3 s
# apart under a work budget); larger parts go through the search and the bound.
EXACT_PART_PAIRS = 8000


@dataclass
class BoundStats:
    """What the Dantzig-Wolfe bound did (see :class:`~planner.solve.exact.bound.BoundResult`)."""

    bound: float
    converged: bool
    rounds: int
    classes: int
    columns: int


@dataclass
class ImproveStats:
    """What :func:`improve` did.

    Attributes
    ----------
    value, bound
        The final plan's weighted shortage and the proven bound.
    parts, exact_parts
        Independent parts, and those closed by an exact solve.
    lns_steps, lns_improvements
        Neighbourhoods solved by the searches, and those that lowered the weighted shortage.
    dw
        The Dantzig-Wolfe bound's statistics (None when it did not run).
    master_plan
        Weighted shortage of the plan dived from the bound's master (None when not dived).
    history
        ``(seconds, weighted shortage, bound)`` after every phase.
    seconds
        Seconds the phase took.
    optimal
        Whether the plan meets the bound.
    focused_steps, seeds
        Neighbourhoods drawn around the focus, and the seed cohort of every neighbourhood in order.
    """

    value: float = float("inf")
    bound: float = 0.0
    parts: int = 0
    exact_parts: int = 0
    lns_steps: int = 0
    lns_improvements: int = 0
    dw: BoundStats | None = None
    master_plan: float | None = None
    history: list[tuple[float, float, float]] = field(default_factory=list)
    seconds: float = 0.0
    optimal: bool = False
    focused_steps: int = 0
    seeds: list[int] = field(default_factory=list)


class Improvement:
    """The state the phases of :func:`improve` share: the best plan, the bound and the open parts."""

    def __init__(self, data: ProblemData, incumbent: list[Assignment], budget: Budget, seed: int,
                 progress: ProgressFn | None, bound: float, option_mass: np.ndarray | None, exact_part_pairs: int,
                 focus: np.ndarray | None = None):
        self.data, self.budget, self.seed = data, budget, seed
        self.focus = focus  # the first search that runs starts around it
        self.progress, self.option_mass = progress, option_mass
        self.best = merge(incumbent)
        if (remaining_capacity(data, self.best) < 0).any():
            raise ValueError("the incumbent exceeds some company's capacity")
        self.value = weighted_shortage(data, self.best)
        self.bound = bound
        self.stats = ImproveStats(history=[(0.0, self.value, bound)])
        self.parts = independent_parts(data)
        self.stats.parts = len(self.parts)
        self.open = np.ones(len(data.cohorts), dtype=bool)
        self.closed_bound = 0.0  # proven optimum (or certain shortage) of the parts closed so far
        self.part_bounds: dict[int, float] = {}
        self.small: list[int] = []
        unreachable = np.array([len(s) == 0 for s in company_sets(data)])
        for index, (cohorts, _companies) in enumerate(self.parts):
            if unreachable[cohorts].all():
                # Nobody can take these cohorts: their whole weight is short in every plan.
                self.open[cohorts] = False
                self.closed_bound += plan_state.weighted_shortage(data.weight[cohorts], data.students[cohorts])
            elif placement_pairs(data, cohorts) <= exact_part_pairs:
                self.small.append(index)
        self.big_part = any(placement_pairs(data, cohorts) > exact_part_pairs for cohorts, _ in self.parts)

    def report(self, phase: str) -> None:
        """Record the plan and bound after ``phase`` and pass them on."""
        self.stats.history.append((round(self.budget.elapsed(), 3), self.value, self.bound))
        if self.progress is not None:
            self.progress(phase, self.value, self.bound)

    def _lns_progress(self, phase: str, incumbent: float, _: float) -> None:
        self.value = incumbent
        self.report(phase)

    def search(self, seconds: float, seed: int, steps: int | None, dw: BoundResult | None = None) -> None:
        """Large-neighbourhood search on the open parts for ``seconds`` and at most ``steps`` neighbourhoods."""
        if seconds < MIN_SEARCH_SECONDS or not self.open.any() or steps == 0:
            return
        self.best, more = large_neighbourhood_search(
            self.data, self.best, self.budget.within(seconds), seed, bound=self.bound, progress=self._lns_progress,
            option_mass=self.option_mass, cohorts=np.nonzero(self.open)[0], max_steps=steps,
            unavoidable=dw.master_shortage if dw is not None else None, focus=self.focus)
        self.focus = None  # only the first search starts around the focus; the others search everywhere
        self.value = weighted_shortage(self.data, self.best)
        self.stats.lns_steps += more.steps
        self.stats.lns_improvements += more.improvements
        self.stats.focused_steps += more.focused
        self.stats.seeds += more.seeds

    def exact_parts(self) -> None:
        """Small independent parts exactly (smallest first); each part's optimum closes it."""
        data = self.data
        for index in self.small:
            cohorts, companies = self.parts[index]
            if self.budget.remaining() < MIN_PART_SECONDS:
                break
            in_part = np.zeros(len(data.cohorts), dtype=bool)
            in_part[cohorts] = True
            fixed = [a for a in self.best if not in_part[data.option_cohort[a[0]]]]
            built = build_company_model(data, cohorts, companies, None, fixed, symmetry_breaking=False)
            left_pairs = sum(placement_pairs(data, self.parts[j][0]) for j in range(len(self.parts))
                             if j >= index and self.open[self.parts[j][0]].any())
            allowance = self.budget.exact_part(placement_pairs(data, cohorts) / max(1, left_pairs))
            result = solve_part(data, built, allowance, self.budget.restart_split(allowance.seconds), self.seed,
                                self.best, self.value)
            if result.assignments is not None and result.value <= self.value + 1e-9:
                self.best, self.value = merge(result.assignments), result.value
            self.part_bounds[index] = result.bound - built.constant
            if result.status == "optimal":
                self.open[cohorts] = False
                self.closed_bound += self.part_bounds[index]
                self.stats.exact_parts += 1
            self.report("exact part")

    def prove(self, first: bool) -> BoundResult:
        """The Dantzig-Wolfe bound on the open parts (it stops when converged)."""
        allowance = self.budget.bound(first)
        start = (pooled_duals(self.data, time_limit=allowance.warm_start_seconds)
                 if allowance.warm_start_seconds is not None else None)
        dw = dantzig_wolfe_bound(self.data, allowance.seconds, incumbent=self.best,
                                 cohorts=np.nonzero(self.open)[0], start=start, max_rounds=allowance.rounds,
                                 pricing_nodes=allowance.nodes, pricing_limit=allowance.pricing_seconds,
                                 threads=allowance.threads)
        self.stats.dw = BoundStats(dw.bound, dw.converged, dw.rounds, dw.classes, dw.columns)
        open_exact = sum(self.part_bounds.get(i, 0.0) for i, (cohorts, _) in enumerate(self.parts)
                         if self.open[cohorts].any())
        self.bound = max(self.bound, self.closed_bound + max(dw.bound, open_exact))
        self.report("bound")
        return dw

    def dive(self, dw: BoundResult) -> None:
        """The plan rounded from the bound's master, when it is better."""
        rounded = master_start(self.data, dw, self.best, np.nonzero(self.open)[0], self.budget.dive_seconds())
        if rounded is None:
            return
        rounded_value = weighted_shortage(self.data, rounded)
        self.stats.master_plan = rounded_value
        if rounded_value < self.value - 1e-9:
            self.best, self.value = rounded, rounded_value
            self.report("master plan")

    def run(self) -> tuple[list[Assignment], float, ImproveStats]:
        """All phases, in the order the problem and the budget call for."""
        budget, seed = self.budget, self.seed
        self.report("start")
        open_cohorts = int(self.open.sum())
        # In the status quo every cohort keeps its period, so the Dantzig-Wolfe master over company
        # patterns is close to the optimum and diving on it gives a far better start for the search
        # than the heuristic plan (dive.py): there the bound comes first.
        bound_first = (self.big_part and self.data.mode == "status-quo"
                       and budget.bound_fits(open_cohorts, first=True))
        first_search = self.big_part and not bound_first
        # 1. A short search first when some part is big: a good incumbent makes the exact solves
        # and the bound faster.
        allowance = budget.search("first", first_search)
        self.search(allowance.seconds, seed, allowance.steps)
        # 2. Small independent parts exactly.
        self.exact_parts()
        if not self.open.any():
            self.bound = max(self.bound, self.closed_bound)
            self.report("optimal")
            return self._result(optimal=True)
        if bound_first:
            # 3. The bound, 4. a plan rounded from its master, 5. search on the rest.
            dw = self.prove(first=True)
            self.dive(dw)
            allowance = budget.search("only", first_search)
            self.search(allowance.seconds, seed + 1, allowance.steps, dw)
        elif not budget.bound_fits(int(self.open.sum())):
            # 3. Beyond the bound's reach: search on the open parts to the end.
            allowance = budget.search("only", first_search)
            self.search(allowance.seconds, seed + 1, allowance.steps)
        else:
            # 3. Search on the open parts, 4. the Dantzig-Wolfe bound for them, 5. search again.
            allowance = budget.search("before bound", first_search)
            self.search(allowance.seconds, seed + 1, allowance.steps)
            dw = self.prove(first=False)
            allowance = budget.search("after bound", first_search)
            self.search(allowance.seconds, seed + 2, allowance.steps, dw)
        return self._result(optimal=bool(self.value <= self.bound + 1e-9))

    def _result(self, optimal: bool) -> tuple[list[Assignment], float, ImproveStats]:
        stats = self.stats
        stats.value, stats.bound, stats.optimal = float(self.value), float(self.bound), optimal
        stats.seconds = round(self.budget.elapsed(), 3)
        return self.best, float(min(self.bound, self.value)), stats


def improve(
    data: ProblemData,
    incumbent_assignments: list[Assignment],
    budget: Budget,
    seed: int = 0,
    progress: ProgressFn | None = None,
    bound: float = 0.0,
    option_mass: np.ndarray | None = None,
    exact_part_pairs: int = EXACT_PART_PAIRS,
    focus: np.ndarray | None = None,
) -> tuple[list[Assignment], float, ImproveStats]:
    """Improve a feasible plan at company level and prove a lower bound.

    Parameters
    ----------
    data
        The compiled problem (either mode).
    incumbent_assignments
        A feasible plan ``(option, company, students)`` (e.g. the heuristic pipeline's).
    budget
        The phase's budget (a time limit, or a work budget with the time as safety net).
    seed
        Seed (neighbourhood choice and solver seeds).
    progress
        Called with ``(phase, weighted shortage, bound)``.
    bound
        A lower bound already known (e.g. the pooled relaxation's); the result is never below it.
    option_mass
        Students per option in a relaxation (steers the neighbourhoods' options).
    exact_part_pairs
        Parts with at most this many placement variables are solved exactly first (0: none,
        every part goes through the search and the Dantzig-Wolfe bound).
    focus
        Cohorts (a mask) the first search starts around (:mod:`planner.solve.focus`): what a
        variant changed, when it starts from its base plan. None: no focus.

    Returns
    -------
    tuple
        ``(assignments, bound, stats)``: the best plan, a proven lower bound on the weighted
        shortage and :class:`ImproveStats`.
    """
    return Improvement(data, incumbent_assignments, budget, seed, progress, bound, option_mass, exact_part_pairs,
                       focus).run()
