"""Lookups on a compiled problem that the company-level models share, cached per problem.

The options of each cohort and the companies it may use, each option's cells and student-days,
the capacity a plan leaves, and the scale that makes the weights integers.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from planner.model.problem import ProblemData
from planner.solve.heuristics import Assignment


def objective_scale(weights: np.ndarray) -> int:
    """Smallest integer that turns every cohort weight into an integer (CP-SAT needs integers).

    Parameters
    ----------
    weights
        Weight of one unplaced student per cohort.

    Returns
    -------
    int
        The scale ``s`` with ``s * weight`` integral for every weight (weights are rounded to
        fractions with denominators up to 1000).
    """
    scale = 1
    for w in np.unique(np.asarray(weights, dtype=float)):
        denominator = Fraction(float(w)).limit_denominator(1000).denominator
        scale = scale * denominator // np.gcd(scale, denominator)
    return int(scale)


def option_rows(data: ProblemData) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per option its cells and the student-days one student needs there (cached per problem)."""
    if "option_rows" not in data.derived:
        occupancy = data.occupancy.tocsr()
        data.derived["option_rows"] = [(occupancy.indices[occupancy.indptr[o]:occupancy.indptr[o + 1]],
                                        occupancy.data[occupancy.indptr[o]:occupancy.indptr[o + 1]].astype(np.int64))
                                       for o in range(occupancy.shape[0])]
    return data.derived["option_rows"]


def dense_occupancy(data: ProblemData) -> np.ndarray:
    """The occupancy matrix as a dense array (options x cells, cached per problem).

    Every neighbourhood model reads the rows of its options per company; slicing the sparse
    matrix for that cost more than the rest of building the model.
    """
    if "dense_occupancy" not in data.derived:
        data.derived["dense_occupancy"] = data.occupancy.toarray().astype(np.int16)
    return data.derived["dense_occupancy"]


def remaining_capacity(data: ProblemData, assignments: list[Assignment] | np.ndarray) -> np.ndarray:
    """Company capacity (companies x cells) left after ``assignments`` (a list or an ``(n, 3)`` table)."""
    table = np.asarray(assignments, dtype=np.int64).reshape(-1, 3)
    return remaining_capacity_at(data, table, np.arange(data.company_capacity.shape[0]))


def remaining_capacity_at(data: ProblemData, table: np.ndarray, companies: np.ndarray) -> np.ndarray:
    """Capacity left after the placements ``table`` at the sorted ``companies`` only (one row each).

    A neighbourhood uses a few hundred of a national region's 80,000 companies: copying every
    company's capacity per model would cost more than the model.
    """
    remaining = data.company_capacity[companies].astype(np.int64)
    if not len(table) or not len(companies):
        return remaining
    at = np.minimum(np.searchsorted(companies, table[:, 1]), len(companies) - 1)
    hit = companies[at] == table[:, 1]
    inside = table[hit]
    load = data.occupancy[inside[:, 0]].tocoo()
    width = remaining.shape[1]
    flat = remaining.ravel()
    np.subtract.at(flat, at[hit][load.row] * width + load.col, load.data * inside[load.row, 2])
    return flat.reshape(remaining.shape)


def options_by_cohort(data: ProblemData) -> list[np.ndarray]:
    """Option indices of every scheduled cohort."""
    if "options_by_cohort" not in data.derived:
        order = np.argsort(data.option_cohort, kind="stable")
        bounds = np.searchsorted(data.option_cohort[order], np.arange(len(data.cohorts) + 1))
        data.derived["options_by_cohort"] = [order[bounds[c]:bounds[c + 1]] for c in range(len(data.cohorts))]
    return data.derived["options_by_cohort"]


def company_sets(data: ProblemData) -> list[np.ndarray]:
    """Companies each scheduled cohort may use (sector, level and travel fit), sorted."""
    if "company_sets" not in data.derived:
        data.derived["company_sets"] = [np.sort(data.companies_of(c)[0]) for c in range(len(data.cohorts))]
    return data.derived["company_sets"]
