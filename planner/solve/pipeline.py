"""Solving: from a scenario to a :class:`~planner.plan.result.Result`.

The pipeline (chosen by measurement, see ``docs/benchmarks.md``):

1. compile the scenario (:func:`planner.model.problem.compile_problem`);
2. relax it by column generation (:mod:`planner.solve.relaxation`): a proven lower bound on
   the weighted shortage, and the options worth looking at;
3. run the search phases in sequence on the one time budget, each offering a plan that
   replaces the incumbent when it leaves less weighted shortage: rounding the relaxation,
   the staggered greedy (:mod:`planner.solve.heuristics`) and the integer model
   (:mod:`planner.solve.integer`). A new phase is a function added to :data:`SEARCH_PHASES`;
4. assemble the checked plan (:mod:`planner.solve.assemble`);
5. solve the baselines (greedy, status quo) and apply the status-quo rule once
   (:func:`planner.plan.result.make_result`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from planner.geo.region import Region
from planner.model.problem import ProblemData, compile_problem
from planner.plan.model import Plan
from planner.plan.result import Result, make_result
from planner.scenario import Scenario
from planner.solve.assemble import assemble_plan
from planner.solve.clock import Clock, ProgressCallback
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
    best: list[Assignment] = field(default_factory=list)
    value: float = float("inf")
    source: str = ""

    def offer(self, assignments: list[Assignment], source: str) -> bool:
        """Keep ``assignments`` when they leave less weighted shortage than the best so far."""
        value = weighted_shortage(self.data, assignments)
        if self.source and value >= self.value - 1e-9:
            return False
        self.best, self.value, self.source = assignments, value, source
        return True

    def report(self, phase: str) -> None:
        """A progress event after ``phase``."""
        self.clock.report(phase, self.value, self.relaxation.reported_bound())


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
    """With time left and a gap to close, the integer model (optimise mode only)."""
    if search.data.mode != "optimise" or search.clock.remaining() <= 1.0:
        return
    if search.value <= search.relaxation.bound + 1e-6:
        return
    candidate = integer_plan(search.data, search.relaxation, search.clock, search.seed)
    if candidate is not None:
        search.offer(candidate, "integer model")
        search.report("integer model")


SearchPhase = Callable[[Search], None]
#: The phases of an optimised or status-quo solve after the relaxation, in order.
SEARCH_PHASES: tuple[SearchPhase, ...] = (rounding_phase, staggered_greedy_phase, integer_phase)


def _solve_mode(scenario: Scenario, region: Region, mode: str, time_limit: float, params: SolveParams,
                callback: ProgressCallback | None) -> Plan:
    """One plan: greedy by first come first served, the other modes by relaxation and search."""
    clock = Clock(time_limit, callback)
    data = compile_problem(scenario, region, "status-quo" if mode == "greedy" else mode)
    build_seconds = clock.elapsed()
    if mode == "greedy":
        stats = {"status": "heuristic", "engine": "first come, first served", "build_seconds": build_seconds,
                 "seed": params.seed}
        return assemble_plan(data, region, mode, greedy_assignments(data), 0.0, clock, stats)
    relaxation = relax(data, clock, params.seed, params.relaxation_share)
    search = Search(data, relaxation, clock, params.seed)
    for phase in SEARCH_PHASES:
        phase(search)
    relaxation.statuses.add(f"plan by {search.source}")
    stats = {"status": ", ".join(sorted(relaxation.statuses)),
             "engine": f"{LP_ENGINE.upper()} (bound) + {MIP_ENGINE.upper()} (plan)", "build_seconds": build_seconds,
             "variables": relaxation.variables, "constraints": relaxation.constraints, "seed": params.seed}
    bound = relaxation.bound if relaxation.bound_proven else 0.0
    return assemble_plan(data, region, mode, search.best, bound, clock, stats)


def solve(
    scenario: Scenario,
    params: SolveParams | None = None,
    progress: ProgressCallback | None = None,
    base_dir: Path | None = None,
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

    Returns
    -------
    Result
        The checked plan, the baseline plans and the solve's statistics.
    """
    params = params or SolveParams()
    started = time.perf_counter()
    region = Region(scenario, base_dir)
    baselines = {name: _solve_mode(scenario, region, name, params.time_limit_for(name), params, None)
                 for name in params.baseline_modes()}
    plan = baselines.get(params.mode)
    if plan is None:
        plan = _solve_mode(scenario, region, params.mode, params.time_limit_for(params.mode), params, progress)
    return make_result(plan, baselines, params.time_limit, time.perf_counter() - started)
