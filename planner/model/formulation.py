"""The placement model on :class:`~planner.model.problem.ProblemData`, built in one vectorised pass.

``x[c, o, k]``: students of cohort ``c`` doing option ``o`` at cluster ``k``; ``unplaced[c]``;
optionally wave indicators (at most ``max_waves`` options per cohort, a split cohort's
waves of at least ``min_wave_students`` and starting at least ``wave_gap`` weeks apart) and
the imbalance variable. The model is kept as arrays too, so column generation can solve
sub-models.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from planner.model.problem import ProblemData


@dataclass
class Columns:
    """The placement variables ``x[c, o, k]`` as parallel arrays."""

    option: np.ndarray
    cluster: np.ndarray
    minutes: np.ndarray


def placement_columns(data: ProblemData, allowed_options: np.ndarray | None = None) -> Columns:
    """All (option, eligible cluster) pairs where one student fits, optionally only for ``allowed_options``."""
    option_ids = np.arange(len(data.options)) if allowed_options is None else np.asarray(allowed_options, dtype=np.int64)
    counts = np.array([len(data.eligible[data.option_cohort[o]]) for o in option_ids], dtype=np.int64)
    option = np.repeat(option_ids, counts)
    if len(option) == 0:
        return Columns(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    cluster = np.concatenate([data.eligible[data.option_cohort[o]] for o in option_ids])
    minutes = np.concatenate([data.eligible_minutes[data.option_cohort[o]] for o in option_ids]).astype(float)
    # A column is useless when the cluster cannot take even one student in some week of the option.
    occupancy = data.occupancy[option].tocoo()
    short = data.cluster_capacity[cluster[occupancy.row], occupancy.col] < occupancy.data
    keep = np.ones(len(option), dtype=bool)
    keep[occupancy.row[short]] = False
    return Columns(option=option[keep], cluster=cluster[keep], minutes=minutes[keep])


def concat_columns(parts: list[Columns]) -> Columns:
    """One set of columns from several."""
    if not parts:
        return Columns(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    return Columns(*(np.concatenate([getattr(c, name) for c in parts]) for name in ("option", "cluster", "minutes")))


@dataclass
class Objective:
    """Coefficients of the objective: weighted shortage first, then the secondary terms."""

    change_per_student: float = 0.0
    travel_per_student_minute: float = 0.0
    balance: float = 0.0


@dataclass
class BuiltModel:
    """An OR-Tools model and how its variables map back to the problem."""

    helper: mbh.ModelBuilderHelper
    columns: Columns
    cohorts: np.ndarray  # cohort positions with an unplaced variable, in order
    unplaced_offset: int
    wave_offset: int  # first wave indicator variable, -1 when none
    wave_options: np.ndarray  # option of each wave indicator
    n_variables: int
    n_constraints: int
    # The model as arrays (for column generation): bounds, costs and the constraint matrix.
    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csr_matrix


def fill_helper(lower: np.ndarray, upper: np.ndarray, cost: np.ndarray, row_lower: np.ndarray,
                row_upper: np.ndarray, matrix: sp.csr_matrix) -> mbh.ModelBuilderHelper:
    """An OR-Tools model from arrays (continuous variables)."""
    helper = mbh.ModelBuilderHelper()
    helper.fill_model_from_sparse_data(lower, upper, cost, row_lower, row_upper, sp.csr_matrix(matrix))
    return helper


class _Rows:
    """Collects constraint blocks as COO triplets with their bounds."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.count = 0

    def add(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        self.rows.append(np.asarray(rows, dtype=np.int64) + self.count)
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.vals.append(np.asarray(vals, dtype=float))
        self.lower.append(np.asarray(lower, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))
        self.count += len(lower)

    def matrix(self, n_vars: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        cat = lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)  # noqa: E731
        matrix = sp.csr_matrix((cat(self.vals, float), (cat(self.rows, np.int64), cat(self.cols, np.int64))),
                               shape=(self.count, n_vars))
        return matrix, cat(self.lower, float), cat(self.upper, float)


def build_model(
    data: ProblemData,
    columns: Columns,
    objective: Objective,
    cohorts: np.ndarray | None = None,
    integer: bool = False,
    wave_limits: bool = False,
) -> BuiltModel:
    """Build the placement model over ``columns`` in one vectorised pass.

    Parameters
    ----------
    data
        The compiled problem.
    columns
        The ``x[c, o, k]`` variables to include (only options of ``cohorts``).
    objective
        Secondary objective coefficients (the weighted shortage always has coefficient 1).
    cohorts
        Cohort positions to model (a component of the problem); all by default.
    integer
        Integer students (the MIP); otherwise the LP relaxation.
    wave_limits
        Add wave indicators so that a cohort uses at most ``max_waves`` options.
    """
    cohorts = np.arange(len(data.cohorts)) if cohorts is None else np.asarray(cohorts, dtype=np.int64)
    local = np.full(len(data.cohorts), -1, dtype=np.int64)
    local[cohorts] = np.arange(len(cohorts))
    n_x, n_c = len(columns.option), len(cohorts)
    column_cohort = local[data.option_cohort[columns.option]]
    unplaced_offset = n_x
    wave_options = np.unique(columns.option) if wave_limits else np.zeros(0, dtype=np.int64)
    wave_offset = n_x + n_c if wave_limits else -1
    n_vars = n_x + n_c + len(wave_options)
    balance_var = n_vars if objective.balance > 0 else -1
    n_vars += 1 if balance_var >= 0 else 0
    # min_wave_students: a split indicator per cohort whose wave minimum can bind.
    split_cohorts = (np.nonzero(data.wave_minimum[cohorts] > 0)[0] if wave_limits and len(wave_options)
                     else np.zeros(0, dtype=np.int64))
    split_offset = n_vars
    n_vars += len(split_cohorts)

    lower = np.zeros(n_vars)
    # In the relaxation x needs no upper bound (the demand row implies it); leaving it out keeps
    # the reduced-cost argument of column generation simple.
    x_upper = data.students[cohorts][column_cohort] if integer else np.full(n_x, np.inf)
    upper = np.concatenate([x_upper, data.students[cohorts], np.ones(len(wave_options)),
                            np.ones(1 if balance_var >= 0 else 0), np.ones(len(split_cohorts))]).astype(float)
    cost = np.zeros(n_vars)
    cost[:n_x] = objective.travel_per_student_minute * columns.minutes
    cost[:n_x] += objective.change_per_student * (~data.option_current[columns.option])
    cost[n_x:n_x + n_c] = data.weight[cohorts]
    if balance_var >= 0:
        cost[balance_var] = objective.balance

    rows = _Rows()
    # Every student is counted exactly once: placed in some option and cluster, or unplaced.
    rows.add(np.concatenate([column_cohort, np.arange(n_c)]), np.arange(n_x + n_c), np.ones(n_x + n_c),
             data.students[cohorts], data.students[cohorts])

    # Capacity: per cluster, week (and weekday) the student-days placed stay within the places.
    width = data.n_weeks * data.n_days
    occupancy = data.occupancy[columns.option].tocoo()
    cell = columns.cluster[occupancy.row] * width + occupancy.col
    used_cells, cap_row = np.unique(cell, return_inverse=True)
    rows.add(cap_row, occupancy.row, occupancy.data, np.full(len(used_cells), -np.inf),
             data.cluster_capacity.ravel()[used_cells])

    if wave_limits:
        # A cohort splits into at most max_waves start waves: x[c, o, .] > 0 only if wave[o] = 1.
        wave_of_column = np.searchsorted(wave_options, columns.option)
        wave_cohort = local[data.option_cohort[wave_options]]
        rows.add(np.concatenate([wave_of_column, np.arange(len(wave_options))]),
                 np.concatenate([np.arange(n_x), wave_offset + np.arange(len(wave_options))]),
                 np.concatenate([np.ones(n_x), -data.students[cohorts][wave_cohort].astype(float)]),
                 np.full(len(wave_options), -np.inf), np.zeros(len(wave_options)))
        waves_per_cohort = np.bincount(wave_cohort, minlength=n_c)
        limited = waves_per_cohort > data.max_waves[cohorts]
        limited_row = np.cumsum(limited) - 1
        members = np.nonzero(limited[wave_cohort])[0]
        rows.add(limited_row[wave_cohort[members]], wave_offset + members, np.ones(len(members)),
                 np.full(int(limited.sum()), -np.inf), data.max_waves[cohorts][limited])

        # Waves of a cohort start at least wave_gap weeks apart: one wave per window of start weeks.
        is_wave = np.zeros(len(data.options), dtype=bool)
        is_wave[wave_options] = True
        for cohort, members in data.start_windows():
            if local[cohort] < 0:
                continue
            present = members[is_wave[members]]
            if len(present) >= 2:
                rows.add(np.zeros(len(present)), wave_offset + np.searchsorted(wave_options, present),
                         np.ones(len(present)), [-np.inf], [1.0])

    for index, position in enumerate(split_cohorts):
        # A cohort split over two or more waves places at least min_wave_students in each:
        # sum_o wave[o] <= 1 + (n - 1) * split and x[c, o, .] >= least * (wave[o] + split - 1).
        least = float(data.wave_minimum[cohorts[position]])
        own = np.nonzero(wave_cohort == position)[0]
        split_var = split_offset + index
        rows.add(np.zeros(len(own) + 1), np.append(wave_offset + own, split_var),
                 np.append(np.ones(len(own)), -(len(own) - 1.0)), [-np.inf], [1.0])
        for wave in own:
            members = np.nonzero(wave_of_column == wave)[0]
            rows.add(np.zeros(len(members) + 2), np.concatenate([members, [wave_offset + wave, split_var]]),
                     np.concatenate([np.ones(len(members)), [-least, -least]]), [-least], [np.inf])

    if balance_var >= 0:
        # Imbalance: the worst shortage rate of any institution bounds every institution's rate.
        codes, institution = np.unique(data.institution_index()[cohorts], return_inverse=True)
        totals = np.bincount(institution, weights=data.students[cohorts].astype(float))
        rows.add(np.concatenate([institution, np.arange(len(codes))]),
                 np.concatenate([n_x + np.arange(n_c), np.full(len(codes), balance_var)]),
                 np.concatenate([1.0 / totals[institution], -np.ones(len(codes))]),
                 np.full(len(codes), -np.inf), np.zeros(len(codes)))

    matrix, row_lower, row_upper = rows.matrix(n_vars)
    helper = fill_helper(lower, upper, cost, row_lower, row_upper, matrix)
    if integer:
        for var in range(n_x + n_c):
            helper.set_var_integrality(var, True)
    for var in range(len(wave_options)):
        helper.set_var_integrality(wave_offset + var, True)
    for var in range(len(split_cohorts)):
        helper.set_var_integrality(split_offset + var, True)
    return BuiltModel(helper, columns, cohorts, unplaced_offset, wave_offset, wave_options, n_vars, rows.count,
                      lower, upper, cost, row_lower, row_upper, matrix)
