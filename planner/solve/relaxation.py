"""The LP relaxation by column generation: a proven lower bound and the options worth considering.

Each independent part of the problem (cohorts linked through the pools they may share) is
relaxed on its own: integer students, wave limits and one company per student are
relaxed, and its optimum (or, cut short, its Lagrangian bound) bounds the weighted shortage
of every plan. The LP solution also says which options the heuristics and the integer model
should look at.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.sparse.csgraph import connected_components

from planner.model.formulation import Columns, Objective, build_model, placement_columns
from planner.model.problem import ProblemData
from planner.solve.budget import relaxation_part_seconds
from planner.solve.clock import Clock

# The LP breaks ties towards the current periods with this cost per moved student; the bound
# subtracts it again for every student (so the bound stays valid for the weighted shortage).
LP_CHANGE_COST = 1e-5
# GLOP gives column generation usable duals (HiGHS converges in many more rounds), by measurement
# (docs/benchmarks.md).
LP_ENGINE = "glop"
# Column generation: new columns per cohort and round.
COLUMNS_PER_ROUND = 8


def components(data: ProblemData, columns: Columns) -> list[np.ndarray]:
    """Independent parts: cohorts linked through the clusters they may share."""
    n_c, n_k = len(data.cohorts), data.n_clusters
    cohort_of_column = data.option_cohort[columns.option]
    graph = sp.coo_matrix((np.ones(len(cohort_of_column)), (cohort_of_column, n_c + columns.cluster)),
                          shape=(n_c + n_k, n_c + n_k))
    _, labels = connected_components(graph, directed=False)
    cohort_labels = labels[:n_c]
    has_columns = np.bincount(cohort_of_column, minlength=n_c) > 0
    order = np.argsort(cohort_labels, kind="stable")
    groups = np.split(order, np.nonzero(np.diff(cohort_labels[order]))[0] + 1)
    return [g for g in groups if len(g) and has_columns[g[0]]]


@dataclass
class Relaxation:
    """Bound, LP values per independent part and model statistics of the relaxation."""

    bound: float = 0.0
    bound_proven: bool = True
    variables: int = 0
    constraints: int = 0
    statuses: set = field(default_factory=set)
    parts: list = field(default_factory=list)  # (cohorts, columns, LP values or None) per part
    rounds: int = 0  # column generation rounds
    # Duals of the capacity rows at the last solved restricted master, by cell (cluster * width + column):
    # exact LP duals where the part converged. Minus the dual is what one more student-day there is worth.
    capacity_duals: dict = field(default_factory=dict)

    def reported_bound(self) -> float | None:
        """The bound when it is proven, else None (for progress events)."""
        return self.bound if self.bound_proven else None

    def option_mass(self, n_options: int) -> np.ndarray:
        """Students per option in the LP solution, summed over parts and pools."""
        mass = np.zeros(n_options)
        for _, cols, vals in self.parts:
            if vals is not None:
                mass += np.bincount(cols.option, weights=vals, minlength=n_options)
        return mass


# Columns priced at once (bounds the memory of pricing: about 16 non-zeros per column).
PRICING_CHUNK = 250_000


def _used_cells(data: ProblemData, option: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Cells (cluster * width + week/weekday column) the columns load, sorted: the capacity rows of their model."""
    width = data.n_weeks * data.n_days
    cells = []
    for begin in range(0, len(option), PRICING_CHUNK):
        occupancy = data.occupancy[option[begin:begin + PRICING_CHUNK]].tocoo()
        cells.append(np.unique(cluster[begin:begin + PRICING_CHUNK][occupancy.row] * width + occupancy.col))
    return np.unique(np.concatenate(cells)) if cells else np.zeros(0, dtype=np.int64)


def _capacity_price(data: ProblemData, columns: Columns, capacity_dual: np.ndarray) -> np.ndarray:
    """Per column the capacity duals of its cells times its load: ``sum_cell occupancy * dual``."""
    width = data.n_weeks * data.n_days
    price = np.zeros(len(columns.option))
    for begin in range(0, len(columns.option), PRICING_CHUNK):
        end = begin + PRICING_CHUNK
        occupancy = data.occupancy[columns.option[begin:end]].tocoo()
        cells = columns.cluster[begin:end][occupancy.row] * width + occupancy.col
        price[begin:begin + len(columns.option[begin:end])] = np.bincount(
            occupancy.row, weights=occupancy.data * capacity_dual[cells], minlength=len(columns.option[begin:end]))
    return price


def _relax_component(data: ProblemData, cohorts: np.ndarray, columns: Columns, time_limit: float, seed: int,
                     solution: Relaxation, max_rounds: int | None = None) -> None:
    """Solve the LP relaxation of one independent part by column generation.

    The restricted master starts from the current periods; each round adds, per cohort, the
    columns with the most negative reduced cost. Every round also gives a proven Lagrangian
    bound on the full relaxation, ``z + sum_c students_c * min(0, min reduced cost of c)``,
    so a part cut short by the time limit still has a valid bound. When no column prices
    out, the restricted optimum is the optimum of the full relaxation.
    """
    started = time.perf_counter()
    n_x, n_c = len(columns.option), len(cohorts)
    objective = Objective(change_per_student=LP_CHANGE_COST)
    # The full part is never built as one matrix (a national region has tens of millions of
    # non-zeros): each round builds the restricted master from its columns, and the reduced
    # costs of all columns are priced in chunks from the duals.
    cost = LP_CHANGE_COST * (~data.option_current[columns.option])
    local = np.full(len(data.cohorts), -1, dtype=np.int64)
    local[cohorts] = np.arange(n_c)
    column_cohort = local[data.option_cohort[columns.option]]
    students = data.students[cohorts].astype(float)
    active = data.option_current[columns.option].copy()
    best_bound, values, exact, rounds = -np.inf, None, False, 0
    capacity_dual = np.zeros(data.cluster_capacity.size)  # per cell (cluster * width + column)
    while True:
        rounds += 1
        chosen = np.nonzero(active)[0]
        master = build_model(data, Columns(columns.option[chosen], columns.cluster[chosen], columns.minutes[chosen]),
                             objective, cohorts)
        engine = mbh.ModelSolverHelper(LP_ENGINE)
        engine.set_time_limit_in_seconds(max(0.2, time_limit - (time.perf_counter() - started)))
        engine.solve(master.helper)
        if engine.status() != mbh.SolveStatus.OPTIMAL:
            break
        duals = np.asarray(engine.dual_values())
        capacity_dual[:] = 0.0
        capacity_dual[_used_cells(data, columns.option[chosen], columns.cluster[chosen])] = duals[n_c:]
        objective_value = engine.objective_value()
        reduced = cost - duals[column_cohort] - _capacity_price(data, columns, capacity_dual)
        lowest = np.zeros(n_c)
        np.minimum.at(lowest, column_cohort, reduced)
        best_bound = max(best_bound, objective_value + float((students * lowest).sum()))
        values = np.zeros(n_x)
        values[chosen] = np.asarray(engine.variable_values())[: len(chosen)]
        del master, engine
        candidates = np.nonzero(~active & (reduced < -1e-7))[0]
        if len(candidates) == 0:
            best_bound, exact = objective_value, True
            break
        if time.perf_counter() - started > time_limit or (max_rounds is not None and rounds >= max_rounds):
            break
        # Per cohort the most promising new columns, most negative first.
        order = candidates[np.lexsort((reduced[candidates], column_cohort[candidates]))]
        first = np.r_[0, np.nonzero(np.diff(column_cohort[order]))[0] + 1]
        rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
        active[order[rank < COLUMNS_PER_ROUND]] = True
    used_cells = _used_cells(data, columns.option, columns.cluster)
    solution.variables += n_x + n_c
    solution.constraints += n_c + len(used_cells)
    solution.rounds += rounds
    if values is None:
        solution.bound_proven = False
        solution.statuses.add("relaxation not solved")
        solution.parts.append((cohorts, columns, None))
        return
    if not exact:
        solution.statuses.add("relaxation cut short (Lagrangian bound)")
    # Capacity duals of the last solved restricted master, by cell (zero where its columns use none).
    for cell in used_cells[np.abs(capacity_dual[used_cells]) > 1e-9]:
        solution.capacity_duals[int(cell)] = float(capacity_dual[cell])
    # Proven: weighted shortage >= LP bound - tie-break cost of every student who could move.
    movable = np.isin(cohorts, data.option_cohort[columns.option[~data.option_current[columns.option]]])
    solution.bound += max(0.0, best_bound - LP_CHANGE_COST * float(data.students[cohorts][movable].sum()))
    solution.parts.append((cohorts, columns, values))


def relax(data: ProblemData, clock: Clock, seed: int, share: float, max_rounds: int | None = None) -> Relaxation:
    """Relax every independent part, largest first; together they get ``share`` of the remaining time.

    ``max_rounds`` bounds the column-generation rounds per part (a work budget: the same
    relaxation however fast the machine is); the time is then only a safety net.
    """
    columns = placement_columns(data)
    parts = components(data, columns)
    solution = Relaxation()
    component_of = np.full(len(data.cohorts), -1)
    for index, members in enumerate(parts):
        component_of[members] = index
    column_component = component_of[data.option_cohort[columns.option]]
    # Cohorts no pool can take are short for certain: that is part of the bound too.
    stranded = component_of < 0
    solution.bound += float((data.weight[stranded] * data.students[stranded]).sum())
    sizes = np.bincount(column_component, minlength=len(parts)).astype(float)
    # Each part gets its share of the time for this phase.
    for index in np.argsort(-sizes, kind="stable"):
        part_share = sizes[index] / max(sizes.sum(), 1.0)
        budget = relaxation_part_seconds(clock.remaining(), share, part_share)
        part = column_component == index
        part_columns = Columns(columns.option[part], columns.cluster[part], columns.minutes[part])
        _relax_component(data, parts[index], part_columns, budget, seed, solution, max_rounds)
        sizes[index] = 0.0
    clock.report("relaxation", None, solution.reported_bound())
    return solution


def chosen_waves(data: ProblemData, columns: Columns, values: np.ndarray | None) -> np.ndarray:
    """Columns of the options each cohort keeps: its heaviest LP options, at most max_waves of them."""
    if values is None:
        return data.option_current[columns.option]
    mass = np.bincount(columns.option, weights=values, minlength=len(data.options))
    keep_option = np.zeros(len(data.options), dtype=bool)
    used = np.nonzero(mass > 1e-6)[0]
    by_cohort = defaultdict(list)
    for option in used[np.argsort(-mass[used], kind="stable")]:
        cohort = int(data.option_cohort[option])
        if len(by_cohort[cohort]) < data.max_waves[cohort]:
            by_cohort[cohort].append(option)
            keep_option[option] = True
    return keep_option[columns.option]
