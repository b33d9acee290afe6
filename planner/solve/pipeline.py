"""Solving: from a scenario to a :class:`~planner.plan.result.Result`.

The pipeline (chosen by measurement, see ``docs/benchmarks.md``):

1. compile the scenario (:func:`planner.model.problem.compile_problem`);
2. relax it by column generation (:mod:`planner.solve.relaxation`): a proven lower bound on
   the weighted shortage, and the options worth looking at;
3. run the heuristic phases in sequence on a short share of the time, each offering a plan
   that replaces the incumbent when it leaves less weighted shortage: rounding the relaxation,
   the staggered greedy (:mod:`planner.solve.heuristics`) and the pooled integer model
   (:mod:`planner.solve.integer`);
4. the exact stage at company level (:mod:`planner.solve.exact`) on the rest of the time:
   small independent parts solved to optimality, large-neighbourhood search on the others,
   the Dantzig-Wolfe bound, then the secondary objectives with the shortage held. A new phase
   is a function added to :data:`HEURISTIC_PHASES` or :data:`EXACT_PHASES`;
5. assemble the checked plan (:mod:`planner.solve.assemble`);
6. solve the baselines (greedy, status quo) and apply the status-quo rule once
   (:func:`planner.plan.result.make_result`).

Every phase asks the solve's :class:`~planner.solve.budget.Budget` what it may use: a time limit
is shared out in seconds (the status-quo baseline its share, the plan the rest), a work budget
in counts with the time as a safety net.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from planner.geo.region import Region
from planner.model.problem import ProblemData, compile_problem
from planner.plan.model import Plan
from planner.plan.reasons import explain
from planner.plan.result import Result, make_result
from planner.plan.verify import unplaced_per_cell
from planner.scenario import Scenario
from planner.solve.assemble import assemble_plan, assignments_of, start_assignments
from planner.solve.budget import Budget
from planner.solve.clock import Clock, ProgressCallback
from planner.solve.controls import cells_worse, repair_waves
from planner.solve.exact.improve import ImproveStats, improve
from planner.solve.exact.polish import polish
from planner.solve.focus import Focus, focus_cohorts
from planner.solve.heuristics import (
    Assignment,
    greedy_assignments,
    round_relaxation,
    staggered_greedy,
    weighted_shortage,
)
from planner.solve.integer import MIP_ENGINE, integer_plan
from planner.solve.params import SolveParams
from planner.solve.relaxation import LP_ENGINE, Relaxation, relax


@dataclass
class Search:
    """The state the search phases share: the relaxation and the best assignments so far."""

    data: ProblemData
    relaxation: Relaxation
    clock: Clock
    seed: int
    params: SolveParams
    best: list[Assignment] = field(default_factory=list)
    value: float = float("inf")
    source: str = ""
    bound: float = 0.0  # the best proven lower bound on the weighted shortage
    optimal: bool = False
    exact_stats: ImproveStats | None = None
    focus: np.ndarray | None = None  # cohorts the exact stage's first search starts around

    def offer(self, assignments: list[Assignment], source: str) -> bool:
        """Keep ``assignments`` when they leave less weighted shortage than the best so far.

        Split cohorts' waves below their minimum are repaired first; a plan that leaves a
        stagebarometer cell worse than the status quo allows is not kept.
        """
        assignments = repair_waves(self.data, assignments)
        if cells_worse(self.data, assignments):
            return False
        value = weighted_shortage(self.data, assignments)
        if self.source and value >= self.value - 1e-9:
            return False
        self.best, self.value, self.source = assignments, value, source
        return True

    def budget(self) -> Budget:
        """The budget of the time left on the clock, which the phases share out."""
        return self.params.budget(self.clock.remaining())

    def report(self, phase: str) -> None:
        """A progress event after ``phase``."""
        bound = self.relaxation.reported_bound()
        self.clock.report(phase, self.value, max(bound, self.bound) if bound is not None else (self.bound or None))


def rounding_phase(search: Search) -> None:
    """The first plan: the relaxation rounded and repaired at company level."""
    search.offer(round_relaxation(search.data, search.relaxation), "rounding")
    search.report("rounding")


def staggered_greedy_phase(search: Search) -> None:
    """The staggered greedy, steered by the relaxation."""
    search.offer(staggered_greedy(search.data, search.relaxation.option_mass(len(search.data.options))),
                 "staggered greedy")
    search.report("staggered greedy")


def integer_phase(search: Search) -> None:
    """With time left and a gap to close, the integer model (optimise mode only; not under a work
    budget: its solve is bounded by seconds, and the company-level search does its work there)."""
    if search.data.mode != "optimise" or not search.budget().integer_model_fits():
        return
    if search.value <= search.relaxation.bound + 1e-6:
        return
    candidate = integer_plan(search.data, search.relaxation, search.clock, search.seed)
    if candidate is not None:
        search.offer(candidate, "integer model")
        search.report("integer model")


def exact_phase(search: Search) -> None:
    """Company-level improvement of the incumbent and a bound that sees whole students at single companies."""
    budget = search.budget()
    seconds = budget.exact_seconds()
    if seconds < 0.3:
        return

    def progress(phase: str, incumbent: float, bound: float) -> None:
        search.clock.report(phase, incumbent, bound)

    improved, bound, stats = improve(search.data, search.best, budget.within(seconds), search.seed, progress=progress,
                                     bound=search.bound, option_mass=search.relaxation.option_mass(len(search.data.options)),
                                     focus=search.focus)
    search.offer(improved, "company-level search")
    search.bound = max(search.bound, bound)
    search.optimal = stats.optimal or search.value <= search.bound + 1e-9
    search.exact_stats = stats


def polish_phase(search: Search) -> None:
    """Secondary objectives (changes of period, travel, balance) with the weighted shortage held."""
    seconds = search.clock.remaining() - 0.1
    ticks = search.budget().polish_ticks()
    if seconds < 0.2 or not search.best or ticks == 0:
        return
    polished, _ = polish(search.data, search.best, seconds, search.seed, ticks=ticks)
    value = weighted_shortage(search.data, polished)
    if value <= search.value + 1e-9:
        search.best, search.value = polished, value  # same shortage or less: the polish never gives any back
    search.report("secondary objectives")


SearchPhase = Callable[[Search], None]
#: The heuristic phases after the relaxation, in order, on a short share of the time.
HEURISTIC_PHASES: tuple[SearchPhase, ...] = (rounding_phase, staggered_greedy_phase, integer_phase)
#: The exact stage at company level, on the rest of the time.
EXACT_PHASES: tuple[SearchPhase, ...] = (exact_phase, polish_phase)


def heuristic_search(data: ProblemData, clock: Clock, params: SolveParams) -> Search:
    """The relaxation and the heuristic phases on their share of ``clock``: a first plan and bound.

    The relaxation may take up to ``relaxation_share`` of the whole time but stops as soon as it
    has converged (a large region needs it finished before its plans are any good); the
    rounding, the staggered greedy and the pooled integer model then share the heuristic stage.
    """
    share, rounds = params.budget(clock.remaining()).relaxation()
    relaxation = relax(data, clock, params.seed, share, rounds)
    heuristic_clock = clock.limited(params.budget(clock.remaining()).heuristic_seconds(data.placement_pairs()))
    search = Search(data, relaxation, heuristic_clock, params.seed, params,
                    bound=relaxation.bound if relaxation.bound_proven else 0.0)
    for phase in HEURISTIC_PHASES:
        phase(search)
    return search


def _solve_mode(scenario: Scenario, region: Region, mode: str, time_limit: float, params: SolveParams,
                callback: ProgressCallback | None, start_from: Plan | None = None,
                warm_start: Plan | None = None, focus: Focus | None = None,
                known_bound: float = 0.0) -> tuple[Plan, ProblemData]:
    """One plan: greedy by first come first served, the other modes by relaxation and search.

    ``start_from`` is a plan the search starts from when it is better than the heuristic
    stage's (an optimised solve starts from the status-quo plan: its periods are options too).
    ``warm_start`` is a plan of another scenario (a variant's base), repaired to this one
    (:func:`~planner.solve.assemble.start_assignments`) and offered the same way. ``focus`` is
    what the exact stage's first search starts around (:mod:`planner.solve.focus`); ``known_bound``
    a lower bound on this scenario's weighted shortage known beforehand.
    """
    # The plan's time limit covers the search and the assembly and explanation after it.
    clock = Clock(params.budget(time_limit).plan_seconds(len(scenario.cohorts)), callback, params.work())
    # The status quo's unplaced students per stagebarometer cell: the cells' limits when the
    # scenario asks that no cell ends worse than the status quo.
    status_quo_cells = unplaced_per_cell(start_from) if start_from is not None and start_from.mode == "status-quo" else None
    data = compile_problem(scenario, region, "status-quo" if mode == "greedy" else mode,
                           status_quo_unplaced=status_quo_cells)
    build_seconds = clock.elapsed()
    if mode == "greedy":
        stats = {"status": "heuristic", "engine": "first come, first served", "build_seconds": build_seconds,
                 "seed": params.seed}
        return assemble_plan(data, region, mode, greedy_assignments(data), 0.0, clock, stats), data
    search = heuristic_search(data, clock, params)
    if start_from is not None:
        search.offer(assignments_of(data, start_from), f"{start_from.mode} plan")
    if warm_start is not None:
        search.offer(start_assignments(data, warm_start), "warm start")
    if focus is not None and not focus.empty:
        search.focus = focus_cohorts(data, focus)
    search.bound = max(search.bound, known_bound)
    relaxation = search.relaxation
    engine = f"{LP_ENGINE.upper()} (bound) + {MIP_ENGINE.upper()} (plan)"
    if params.exact:
        search.clock = clock
        for phase in EXACT_PHASES:
            phase(search)
        engine += " + company level: SCIP (exact parts), CP-SAT (neighbourhood search, polish), Dantzig-Wolfe bound"
    relaxation.statuses.add(f"plan by {search.source}")
    if clock.work is not None:
        relaxation.statuses.add(f"work budget {clock.work.neighbourhoods} neighbourhoods")
        if clock.safety_hit():
            relaxation.statuses.add("stopped by the time limit before the work budget was spent")
    status = ", ".join(sorted(relaxation.statuses))
    if search.optimal:
        status = "optimal; " + status
    stats = {"status": status, "engine": engine, "build_seconds": build_seconds,
             "variables": relaxation.variables, "constraints": relaxation.constraints, "seed": params.seed}
    return assemble_plan(data, region, mode, search.best, min(search.bound, search.value), clock, stats), data


def solve(
    scenario: Scenario,
    params: SolveParams | None = None,
    progress: ProgressCallback | None = None,
    base_dir: Path | None = None,
    start_from: Plan | None = None,
    focus: Focus | None = None,
    known_bound: float = 0.0,
) -> Result:
    """Solve a scenario: the plan in ``params.mode`` and, when asked, its baseline plans.

    Parameters
    ----------
    scenario
        A checked scenario (see :func:`planner.scenario.io.load_scenario`).
    params
        Mode, time limit, seed and baselines (default: :class:`SolveParams` defaults).
    progress
        Called with every :class:`~planner.plan.model.Progress` event of the plan's own solve.
    base_dir
        Folder the scenario's relative file names refer to.
    start_from
        A plan to start the search from, e.g. the base plan of a variant: repaired to this
        scenario (placements at removed companies, beyond a reduced capacity or a smaller
        cohort dropped) and kept when it beats the heuristic stage, so a variant that only
        adds capacity is never worse than its base. Not used by the baselines.
    focus
        Cohorts and companies the exact stage's first search starts around, e.g. what a variant
        changed (:mod:`planner.solve.focus`). Not used by the baselines.
    known_bound
        A proven lower bound on the plan's weighted shortage known beforehand, e.g. the base's bound
        for a variant that can only do worse than its base: the search stops when it reaches it,
        and the plan's bound is at least this. Not used by the baselines.

    Returns
    -------
    Result
        The checked plan, the baseline plans and the solve's statistics.
    """
    params = params or SolveParams()
    started = time.perf_counter()
    # The whole solve's budget: the status-quo baseline gets its share, the plan what is left.
    whole = params.budget(params.time_limit)
    region = Region(scenario, base_dir)
    solved = {name: _solve_mode(scenario, region, name, whole.mode_seconds(name), params, None)
              for name in params.baseline_modes()}
    status_quo = solved["status-quo"][0] if "status-quo" in solved else None
    if status_quo is None and params.mode == "optimise" and scenario.policy.no_cell_worse_than_status_quo:
        # The rule needs the status quo's cells even when no baselines are asked for.
        status_quo = _solve_mode(scenario, region, "status-quo", whole.mode_seconds("status-quo"), params, None)[0]
    if params.mode not in solved:
        solved[params.mode] = _solve_mode(scenario, region, params.mode, whole.mode_seconds(params.mode), params,
                                          progress, start_from=status_quo,
                                          warm_start=start_from if params.mode != "greedy" else None, focus=focus,
                                          known_bound=known_bound)
    baselines = {name: plan for name, (plan, _) in solved.items() if name in params.baseline_modes()}
    plan, data = solved[params.mode]
    result = make_result(plan, baselines, params.time_limit, time.perf_counter() - started)
    # Explained on the problems they were solved on (trades need the baselines make_result attached).
    result.plan = explain(result.plan, scenario, region, data)
    result.baselines = {name: explain(base, scenario, region, solved[name][1]) for name, base in result.baselines.items()}
    return result
