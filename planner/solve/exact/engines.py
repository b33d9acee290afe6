"""Solving a company-level model: CP-SAT, or SCIP through OR-Tools' model builder.

Measured (docs/model.md): SCIP proves company-level optima that CP-SAT's bound does not reach
in the time, so SCIP solves exact parts and neighbourhoods and CP-SAT serves the polish and
the full-model alternative in the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh
from ortools.sat.python import cp_model

from planner.model.problem import ProblemData
from planner.solve.exact.company_model import Assignment, CompanyModel
from planner.solve.scip import scip_parameters


@dataclass
class CompanySolution:
    """Result of solving a company model.

    Attributes
    ----------
    status
        ``optimal``, ``feasible``, ``infeasible`` or ``unknown``.
    placements
        The model's own placements (inside the neighbourhood), or None without a solution.
    value
        Weighted shortage of the complete plan.
    bound
        Proven lower bound on the weighted shortage of any plan that keeps the fixed part.
    seconds
        Wall time of the solve.
    built
        The model solved (it completes the placements with its fixed part).
    """

    status: str
    placements: list[Assignment] | None
    value: float
    bound: float
    seconds: float
    built: CompanyModel | None = field(default=None, repr=False)

    @cached_property
    def assignments(self) -> list[Assignment] | None:
        """The complete plan (fixed plus re-optimised placements), or None without a solution."""
        if self.placements is None or self.built is None:
            return None
        return self.built.complete(self.placements)


def solve_company_model(
    data: ProblemData,
    built: CompanyModel,
    time_limit: float,
    seed: int = 0,
    workers: int = 2,
    hint: list[Assignment] | None = None,
    cutoff: float | None = None,
) -> CompanySolution:
    """Solve a company model with CP-SAT.

    Parameters
    ----------
    data
        The compiled problem.
    built
        The model from :func:`build_company_model`.
    time_limit
        Seconds.
    seed
        CP-SAT random seed (with the fixed parameters the solve is deterministic up to time).
    workers
        CP-SAT workers (at most 2 on the shared machine).
    hint
        A complete plan to start from (its placements in the neighbourhood are hinted).
    cutoff
        Only solutions with weighted shortage at most this are wanted (objective bound).
    """
    if hint is not None:
        built.hint(hint)
    if cutoff is not None:
        limit = int(np.floor((cutoff - built.constant) * built.scale + 1e-6))
        # Only plans with weighted shortage at most the cutoff.
        built.model.Add(built.shortage_objective() <= max(limit, 0))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, float(time_limit))
    solver.parameters.num_workers = max(1, min(2, int(workers)))
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = False
    status = solver.Solve(built.model)
    name = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
            cp_model.INFEASIBLE: "infeasible"}.get(status, "unknown")
    seconds = solver.WallTime()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placements = built.placements(solver)
        value = built.shortage(data, placements)
        bound = built.constant + solver.BestObjectiveBound() / built.scale
        return CompanySolution(name, placements, value, min(bound, value), seconds, built)
    bound = built.constant + (solver.BestObjectiveBound() / built.scale if status != cp_model.INFEASIBLE else 0.0)
    return CompanySolution(name, None, float("inf"), bound, seconds)


def solve_company_mip(
    data: ProblemData,
    built: CompanyModel,
    time_limit: float,
    seed: int = 0,
    hint: list[Assignment] | None = None,
    engine: str = "scip",
    nodes: int | None = None,
) -> CompanySolution:
    """Solve the same company model as a MIP (SCIP through OR-Tools model builder).

    Parameters
    ----------
    data, built, time_limit, seed, hint
        As for :func:`solve_company_model`.
    engine
        Model-builder solver name.
    nodes
        A branch-and-bound node limit (SCIP): a deterministic bound on the work, so the result
        does not depend on the machine's speed (``time_limit`` is then a safety net).
    """
    return _mip_attempt(data, built, time_limit, seed, hint, engine, nodes)


def best_of(results: list[CompanySolution], seconds: float) -> CompanySolution:
    """One result from several solves of the same model: the best plan and the best bound.

    Every solve's bound is valid for the model, so the largest is kept; the plan is optimal when
    some solve proved it or the kept bound meets it.
    """
    solved = [r for r in results if r.placements is not None]
    bound = max(r.bound for r in results)
    if not solved:
        return CompanySolution(results[0].status, None, float("inf"), bound, seconds)
    best = min(solved, key=lambda r: r.value)
    status = "optimal" if any(r.status == "optimal" for r in results) or bound >= best.value - 1e-9 else best.status
    return CompanySolution(status, best.placements, best.value, min(bound, best.value), seconds, best.built)


def _mip_attempt(data: ProblemData, built: CompanyModel, time_limit: float, seed: int,
                 hint: list[Assignment] | None, engine: str, nodes: int | None = None) -> CompanySolution:
    """One MIP solve of ``built``."""
    form = built.linear
    helper = mbh.ModelBuilderHelper()
    helper.fill_model_from_sparse_data(form.lower, form.upper, form.cost, np.array(form.rows.lower),
                                       np.array(form.rows.upper), form.matrix())
    for var in range(len(form.lower)):
        helper.set_var_integrality(var, True)
    if hint is not None:
        # The placements only: SCIP completes the rest.
        for j, value in enumerate(built.hint_values(hint)[: built.n_placements].tolist()):
            helper.add_hint(j, float(value))
    solver = mbh.ModelSolverHelper(engine)
    solver.set_time_limit_in_seconds(max(0.1, float(time_limit)))
    if engine == "scip":
        solver.set_solver_specific_parameters(scip_parameters(seed, nodes))
    solver.solve(helper)
    status = solver.status()
    seconds = solver.wall_time()
    if status in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE) and solver.has_solution():
        values = np.rint(np.asarray(solver.variable_values())[: built.n_placements]).astype(np.int64)
        placements = [(int(built.pair_option[j]), int(built.pair_company[j]), int(values[j]))
                      for j in np.nonzero(values > 0)[0]]
        value = built.shortage(data, placements)
        # Integer costs (scaled weights): the bound rounds up to the next attainable value.
        # (A solve stopped before its first LP reports minus infinity: the shortage is never negative.)
        bound = built.constant + max(0.0, np.ceil(solver.best_objective_bound() - 1e-6)) / built.scale
        name = "optimal" if status == mbh.SolveStatus.OPTIMAL else "feasible"
        return CompanySolution(name, placements, value, min(bound, value), seconds, built)
    return CompanySolution(str(status).rsplit(".", 1)[-1].lower(), None, float("inf"), built.constant, seconds)
