"""The full company-level model over every option: exact oracle and benchmark alternative.

:func:`exact_optimum` solves it to optimality (for small scenarios, e.g. in tests);
:func:`cpsat_full` gives CP-SAT the whole model with a time limit (the "just hand the full
model to CP-SAT" alternative the pipeline is measured against).
"""

from __future__ import annotations

from planner.model.problem import ProblemData
from planner.solve.exact.company_model import Assignment, build_company_model
from planner.solve.exact.engines import CompanySolution, solve_company_mip, solve_company_model


def exact_optimum(data: ProblemData, time_limit: float = 60.0, seed: int = 0, engine: str = "scip") -> CompanySolution:
    """Solve the full company-level model (all cohorts, options and companies).

    Parameters
    ----------
    data
        The compiled problem.
    time_limit
        Seconds; the result's ``status`` says whether optimality was proven.
    seed
        Solver seed.
    engine
        ``scip`` (MIP) or ``cp-sat``.

    Returns
    -------
    CompanySolution
        ``value`` is the optimum when ``status == "optimal"``; ``bound`` is always valid.
    """
    built = build_company_model(data, symmetry_breaking=engine != "scip")
    if engine == "scip":
        return solve_company_mip(data, built, time_limit, seed)
    return solve_company_model(data, built, time_limit, seed, workers=2)


def cpsat_full(data: ProblemData, time_limit: float, seed: int = 0,
               hint: list[Assignment] | None = None, workers: int = 2) -> CompanySolution:
    """CP-SAT on the full company-level model with a time limit (optionally hinted with a plan)."""
    built = build_company_model(data, symmetry_breaking=True)
    return solve_company_model(data, built, time_limit, seed, workers=workers, hint=hint)
