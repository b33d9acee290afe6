"""Independent parts of a problem at company level, and solving a small one exactly.

Cohorts linked through the companies they may share (and, under
``no_cell_worse_than_status_quo``, through their stagebarometer cell) form a part; parts share
no company, so each can be solved on its own and their plans and bounds add up.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from planner.model.problem import ProblemData
from planner.solve.budget import Allowance
from planner.solve.exact.company_model import Assignment, CompanyModel
from planner.solve.exact.engines import CompanySolution, best_of, solve_company_mip
from planner.solve.exact.tables import company_sets


def independent_parts(data: ProblemData) -> list[tuple[np.ndarray, np.ndarray]]:
    """Independent parts: (cohorts, companies) connected through eligibility, largest last.

    Under ``no_cell_worse_than_status_quo`` the cohorts of one stagebarometer cell share a
    limit, so they are one part too.
    """
    n_c, n_m = len(data.cohorts), data.company_capacity.shape[0]
    sets = company_sets(data)
    rows = np.concatenate([np.full(len(s), c) for c, s in enumerate(sets)]) if n_c else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(sets) + n_c if n_c else np.zeros(0, dtype=np.int64)
    if data.cell_limit is not None and n_c:
        # Every cohort linked to the first cohort of its cell.
        first_of_cell = np.full(len(data.cells), -1, dtype=np.int64)
        for c in range(n_c - 1, -1, -1):
            first_of_cell[data.cohort_cell[c]] = c
        rows = np.concatenate([rows, np.arange(n_c)])
        cols = np.concatenate([cols, first_of_cell[data.cohort_cell]])
    graph = sp.coo_matrix((np.ones(len(rows)), (rows.astype(np.int64), cols.astype(np.int64))), shape=(n_c + n_m, n_c + n_m))
    _, labels = connected_components(graph, directed=False)
    parts = []
    for label in np.unique(labels[:n_c]):
        cohorts = np.nonzero(labels[:n_c] == label)[0]
        companies = np.nonzero(labels[n_c:] == label)[0]
        parts.append((cohorts, companies))
    parts.sort(key=lambda p: sum(len(sets[c]) for c in p[0]))
    return parts


def placement_pairs(data: ProblemData, cohorts: np.ndarray) -> int:
    """Placement variables of ``cohorts`` at company level: (option, company) pairs."""
    sets = company_sets(data)
    counts = np.bincount(data.option_cohort, minlength=len(data.cohorts))
    return int(sum(len(sets[c]) * counts[c] for c in cohorts))


def solve_part(data: ProblemData, built: CompanyModel, allowance: Allowance, runs: tuple[float, float] | None, seed: int,
               incumbent: list[Assignment], value: float) -> CompanySolution:
    """Solve an independent part's model exactly (SCIP) within ``allowance``.

    SCIP's time to prove optimality is heavy-tailed in its seed, so with ``runs`` (the seconds of a
    first run and of a restart) a run that has not proven optimality in its seconds is restarted
    once, with another seed, from the better plan; the better plan and the better bound of the two
    runs are kept. Without (a work budget) the part gets one run, so the result does not depend on time.
    """
    if runs is None:
        return solve_company_mip(data, built, allowance.seconds, seed, hint=incumbent, nodes=allowance.nodes)
    first = solve_company_mip(data, built, runs[0], seed, hint=incumbent)
    if first.status == "optimal":
        return first
    hint = first.assignments if first.assignments is not None and first.value <= value else incumbent
    second = solve_company_mip(data, built, runs[1], seed + 1, hint=hint)
    return best_of([first, second], first.seconds + second.seconds)
