"""The integer phase: the MIP over the options the relaxation uses, with wave limits and secondary objectives."""

from __future__ import annotations

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from planner.model.formulation import BuiltModel, Columns, Objective, build_model, concat_columns
from planner.model.problem import ProblemData
from planner.scenario import Scenario
from planner.solve.budget import integer_part_seconds
from planner.solve.clock import Clock
from planner.solve.heuristics import Assignment, disaggregate
from planner.solve.relaxation import Relaxation
from planner.solve.scip import scip_parameters

# Secondary objectives in the integer model, by rank in policy.then_minimise. Units: a
# moved student, a student-hour of travel, a percentage point of the worst institution's
# shortage rate. Even the first is 10,000 times lighter than one unplaced student.
TIER_COSTS = (1e-4, 1e-6, 1e-8)
# SCIP by measurement (docs/benchmarks.md): HiGHS as MIP engine crashes in OR-Tools 9.15.
MIP_ENGINE = "scip"


def run_engine(built: BuiltModel, solver: str, time_limit: float, seed: int, hint: dict[int, float] | None = None):
    """Solve a built model; returns (status, objective, bound, values) with values None when no solution."""
    engine = mbh.ModelSolverHelper(solver)
    engine.set_time_limit_in_seconds(max(0.2, float(time_limit)))
    if solver == "scip":
        engine.set_solver_specific_parameters(scip_parameters(seed, one_lp_thread=False))
    if hint:
        built.helper.clear_hints()
        for var, value in hint.items():
            built.helper.add_hint(var, value)
    engine.solve(built.helper)
    status = engine.status()
    if status in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE) and engine.has_solution():
        name = "optimal" if status == mbh.SolveStatus.OPTIMAL else "feasible"
        return name, engine.objective_value(), engine.best_objective_bound(), np.asarray(engine.variable_values())
    return str(status).rsplit(".", 1)[-1].lower(), None, None, None


def secondary_objective(scenario: Scenario) -> Objective:
    """Costs of the secondary objectives, in the order the scenario's policy ranks them."""
    objective = Objective()
    for rank, name in enumerate(scenario.policy.then_minimise):
        cost = TIER_COSTS[rank]
        if name == "changes":
            objective.change_per_student = cost
        elif name == "travel":
            objective.travel_per_student_minute = cost / 60.0
        else:
            objective.balance = cost * 100.0
    return objective


def integer_plan(data: ProblemData, relaxation: Relaxation, clock: Clock, seed: int) -> list[Assignment] | None:
    """Solve the integer model per part over the options its LP uses (plus the current ones); None without a solution.

    Each part gets time in proportion to its columns (a little more, as parts finish early);
    the statuses go to ``relaxation.statuses``.
    """
    mip_columns, mip_values = [], []
    for cohorts, cols, vals in relaxation.parts:
        if vals is None:
            continue
        mass = np.bincount(cols.option, weights=vals, minlength=len(data.options))
        keep = (mass[cols.option] > 1e-6) | data.option_current[cols.option]
        restricted = Columns(cols.option[keep], cols.cluster[keep], cols.minutes[keep])
        integer = build_model(data, restricted, secondary_objective(data.scenario), cohorts, integer=True, wave_limits=True)
        hint = {int(j): float(v) for j, v in enumerate(np.floor(vals[keep] + 1e-6)) if v > 0}
        share = len(restricted.option) / max(sum(len(c.option) for _, c, _ in relaxation.parts), 1)
        status, _, _, values = run_engine(integer, MIP_ENGINE, integer_part_seconds(clock.remaining(), share), seed, hint)
        relaxation.statuses.add(f"mip {status}")
        if values is not None:
            mip_columns.append(restricted)
            mip_values.append(np.rint(values[: len(restricted.option)]).astype(np.int64))
    if not mip_columns:
        return None
    return disaggregate(data, concat_columns(mip_columns), np.concatenate(mip_values))
