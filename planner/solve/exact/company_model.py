"""The company-level integer model, for the whole problem or for a neighbourhood of it.

Variables (all integer):

* ``x[o, m]``: students of option ``o`` placed at learning company ``m``, bounded by how many
  students of that option fit in ``m`` over all its weeks (the minimum over the option's cells
  of ``capacity // load``) and by the cohort's students still to place;
* ``use[o]``: 1 when option ``o`` is opened as a wave (only where the wave limit or a wave
  minimum can bind);
* ``unplaced[c]``: students of cohort ``c`` without a place;
* ``split[c]``: 1 when cohort ``c`` has two or more waves (only for cohorts with a
  ``min_wave_students`` that can bind): then every wave places at least that many students;
* ``changed[c]``: 1 when cohort ``c`` places students outside its current period (only with a
  limit on the changed cohorts, ``max_changed``: the trade-off of :mod:`planner.solve.tradeoff`).

Two waves of a cohort start at least ``wave_gap`` weeks apart: at most one opened wave per
window of start weeks (:meth:`ProblemData.start_windows`).

With ``policy.no_cell_worse_than_status_quo`` (``data.cell_limit``), the unplaced students of
every stagebarometer cell stay at most the status quo's.

The model is built for a *neighbourhood*: a set of free cohorts with candidate options and a
set of free companies. Everything else is fixed: the capacity the fixed placements take is
subtracted, students of a free cohort already placed outside the free companies are counted
as placed, and options a free cohort already uses outside the neighbourhood count as open
waves. With every cohort, option and company free it is the full model.

Capacity rows that cannot bind (the largest possible load stays within the capacity) are
dropped, and of the rows of one company with exactly the same terms only the tightest is kept.
Companies identical for the model (same remaining capacity row, same candidate options) are
ordered by their load (symmetry breaking: swapping two such companies maps plans to plans).

Every rule is written once, as a linear row of :class:`LinearForm` (what SCIP solves). The
CP-SAT model (polish, the full-model alternative) is made from those rows when it is first
asked for, without the integer-rounding rows, which CP-SAT does not need.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from ortools.sat.python import cp_model

from planner.model.problem import ProblemData
from planner.plan import state as plan_state
from planner.solve.exact.cuts import rounding_rows
from planner.solve.exact.rows import LinearForm, RowStore
from planner.solve.exact.tables import (
    company_sets,
    dense_occupancy,
    objective_scale,
    option_rows,
    options_by_cohort,
    remaining_capacity_at,
)
from planner.solve.heuristics import Assignment, placed_per_cohort, weighted_shortage


@dataclass
class CompanyModel:
    """A company-level model (its linear rows) and how its variables map back to the problem.

    Columns: the placement variables (parallel to ``pair_option``), then one unplaced variable
    per free cohort, then the wave indicators (``use_column``), then the split indicators.

    Attributes
    ----------
    scale
        Objective scale: model objective = ``scale`` * weighted shortage of the free cohorts.
    pair_option, pair_company
        Option and company of every placement variable.
    cohorts
        The free cohorts.
    fixed_placed
        Students of each free cohort placed outside the neighbourhood.
    fixed_assignments
        The assignments kept fixed.
    constant
        Weighted shortage the model cannot change (cohorts outside the neighbourhood).
    stats
        Sizes: variables, capacity rows kept, rows dropped, symmetric company groups.
    linear
        The model's rows, bounds and costs (scaled integer weights).
    ordered
        With symmetry breaking, per group of identical companies the placement columns of each
        member (a row per company in index order, its columns aligned option by option): their
        loads are non-increasing down the rows.
    pair_days
        Student-days of one student of each placement column's option (the load the order counts).
    use_column
        Column of the wave indicator of each option that has one.
    split
        Per cohort with a split indicator: its column, its new options and its waves already
        open outside the neighbourhood.
    changed
        Per cohort with a changed indicator: its column and its options outside the current period.
    """

    scale: int
    pair_option: np.ndarray
    pair_company: np.ndarray
    cohorts: np.ndarray
    fixed_placed: np.ndarray
    fixed_assignments: list[Assignment] | np.ndarray  # list or (n, 3) table
    constant: float
    stats: dict
    linear: LinearForm
    use_column: dict[int, int] = field(default_factory=dict)
    split: dict[int, tuple[int, set[int], int]] = field(default_factory=dict)
    changed: dict[int, tuple[int, set[int]]] = field(default_factory=dict)
    ordered: list[np.ndarray] = field(default_factory=list)
    pair_days: np.ndarray | None = None

    @property
    def n_placements(self) -> int:
        """Number of placement variables (the first columns)."""
        return len(self.pair_option)

    @cached_property
    def _cp_sat(self) -> tuple[cp_model.CpModel, list]:
        """The CP-SAT model of the same rows (without the rounding rows) and its variables."""
        form = self.linear
        model = cp_model.CpModel()
        integer_columns = self.n_placements + len(self.cohorts)
        variables = [model.NewIntVar(int(form.lower[j]), int(form.upper[j]), "") if j < integer_columns
                     else model.NewBoolVar("") for j in range(len(form.lower))]
        matrix = form.matrix()
        for row in range(matrix.shape[0]):
            if form.rows.cut[row]:
                continue
            start, stop = matrix.indptr[row], matrix.indptr[row + 1]
            expr = cp_model.LinearExpr.WeightedSum([variables[j] for j in matrix.indices[start:stop]],
                                                   [int(v) for v in matrix.data[start:stop]])
            lower, upper = form.rows.lower[row], form.rows.upper[row]
            if lower == upper:
                model.Add(expr == int(lower))
            elif np.isinf(lower):
                model.Add(expr <= int(upper))
            elif np.isinf(upper):
                model.Add(expr >= int(np.ceil(lower)))
            else:
                model.AddLinearConstraint(expr, int(np.ceil(lower)), int(upper))
        model.Minimize(self._shortage(variables))
        return model, variables

    def _shortage(self, variables: list) -> cp_model.LinearExpr:
        """The objective over the CP-SAT ``variables``: unplaced students times their scaled weights."""
        n, costs = self.n_placements, self.linear.cost
        return cp_model.LinearExpr.WeightedSum(variables[n: n + len(self.cohorts)],
                                               [int(c) for c in costs[n: n + len(self.cohorts)]])

    def shortage_objective(self) -> cp_model.LinearExpr:
        """The CP-SAT model's objective (``scale`` * weighted shortage of the free cohorts), to bound it."""
        return self._shortage(self._cp_sat[1])

    @property
    def model(self) -> cp_model.CpModel:
        """The CP-SAT model (objective: scaled weighted shortage of the free cohorts); made on first use."""
        return self._cp_sat[0]

    @property
    def x(self) -> list:
        """The CP-SAT placement variables, parallel to ``pair_option``."""
        return self._cp_sat[1][: self.n_placements]

    @property
    def unplaced(self) -> list:
        """The CP-SAT unplaced variable per free cohort (parallel to ``cohorts``)."""
        return self._cp_sat[1][self.n_placements: self.n_placements + len(self.cohorts)]

    def hint_values(self, assignments: list[Assignment]) -> np.ndarray:
        """Every column's value in a complete plan (its placements inside the neighbourhood)."""
        values: dict[tuple[int, int], int] = defaultdict(int)
        for option, company, students in assignments:
            values[(option, company)] += students
        n = self.n_placements
        hinted = np.zeros(len(self.linear.lower), dtype=np.int64)
        hinted[:n] = [min(values.get((int(o), int(m)), 0), int(cap))
                      for o, m, cap in zip(self.pair_option, self.pair_company, self.stats["caps"])]
        for columns in self.ordered:
            # Identical companies swap their placements so that the plan keeps the load order (a
            # plan that breaks it is not a solution of the model, and SCIP would drop the hint).
            loads = (hinted[columns] * self.pair_days[columns]).sum(axis=1)
            hinted[columns] = hinted[columns[np.argsort(-loads, kind="stable")]]
        option_cohort = self.stats["option_cohort"]
        local = {int(cohort): position for position, cohort in enumerate(self.cohorts)}
        placed_inside = np.zeros(len(self.cohorts), dtype=np.int64)
        np.add.at(placed_inside, [local[int(option_cohort[o])] for o in self.pair_option], hinted[:n])
        left = self.stats["students"] - self.fixed_placed - placed_inside
        hinted[n: n + len(self.cohorts)] = np.maximum(left, 0)
        opened = {int(self.pair_option[j]) for j in np.nonzero(hinted[:n])[0]}
        for option, column in self.use_column.items():
            hinted[column] = option in opened
        for column, options, fixed_open in self.split.values():
            hinted[column] = len(opened & options) + fixed_open >= 2
        for column, options in self.changed.values():
            hinted[column] = bool(opened & options)
        return hinted

    def hint(self, assignments: list[Assignment]) -> None:
        """Hint the CP-SAT solver with a complete plan (its placements inside the neighbourhood)."""
        self.model.ClearHints()
        for var, value in zip(self._cp_sat[1], self.hint_values(assignments).tolist()):
            self.model.AddHint(var, value)

    def complete(self, placements: list[Assignment]) -> list[Assignment]:
        """The complete plan: the fixed assignments (a list or a table) followed by ``placements``."""
        fixed = self.fixed_assignments
        return ([tuple(a) for a in fixed.tolist()] if isinstance(fixed, np.ndarray) else list(fixed)) + placements

    def table(self, placements: list[Assignment]) -> np.ndarray:
        """The complete plan as an ``(n, 3)`` table: the fixed assignments, then ``placements``."""
        fixed = np.asarray(self.fixed_assignments, dtype=np.int64).reshape(-1, 3)
        return np.concatenate([fixed, np.asarray(placements, dtype=np.int64).reshape(-1, 3)])

    def shortage(self, data: ProblemData, placements: list[Assignment]) -> float:
        """Weighted shortage of the complete plan with ``placements`` (without listing it: a
        national plan has a hundred thousand rows and the search completes one per neighbourhood)."""
        return weighted_shortage(data, self.table(placements))

    def placements(self, solver: cp_model.CpSolver) -> list[Assignment]:
        """Only the model's own placements in ``solver``'s solution."""
        if not self.n_placements:
            return []
        values = np.array([solver.Value(v) for v in self.x], dtype=np.int64)
        return [(int(self.pair_option[j]), int(self.pair_company[j]), int(values[j])) for j in np.nonzero(values > 0)[0]]


def build_company_model(
    data: ProblemData,
    cohorts: np.ndarray | None = None,
    companies: np.ndarray | None = None,
    candidate_options: dict[int, np.ndarray] | None = None,
    fixed: list[Assignment] | np.ndarray | None = None,
    symmetry_breaking: bool = True,
    rounding_cuts: bool = True,
    max_changed: int | None = None,
) -> CompanyModel:
    """Build the company-level model of a neighbourhood.

    Parameters
    ----------
    data
        The compiled problem.
    cohorts
        Free cohorts (positions in ``data.cohorts``); all by default.
    companies
        Free companies; all by default.
    candidate_options
        Options each free cohort may place students in (within the free companies); all of
        its options by default.
    fixed
        Assignments kept as they are. Placements of free cohorts at free companies must not
        be among them (the caller removes them; they are what the model re-optimises).
    symmetry_breaking
        Order identical companies by their load (student-days).
    rounding_cuts
        Add the integer-rounding rows of every capacity row to the MIP form
        (:mod:`planner.solve.exact.cuts`).
    max_changed
        At most this many cohorts place students outside their current period (form or start),
        counting the fixed ones; no limit by default.

    Returns
    -------
    CompanyModel
        The model, ready for :func:`planner.solve.exact.engines.solve_company_model`.
    """
    n_cohorts = len(data.cohorts)
    cohorts = np.arange(n_cohorts) if cohorts is None else np.unique(np.asarray(cohorts, dtype=np.int64))
    companies = (np.arange(data.company_capacity.shape[0]) if companies is None
                 else np.unique(np.asarray(companies, dtype=np.int64)))
    fixed = [] if fixed is None else fixed
    # The fixed plan as one table, read once: a national plan has a hundred thousand placements
    # and the search builds a model per neighbourhood.
    fixed_table = np.asarray(fixed, dtype=np.int64).reshape(-1, 3)
    all_options = options_by_cohort(data)
    cohort_companies = company_sets(data)
    # Capacity left by the fixed plan, for the model's companies (row ``row_of[company]``).
    remaining = remaining_capacity_at(data, fixed_table, companies)
    row_of = np.full(data.company_capacity.shape[0], -1, dtype=np.int64)
    row_of[companies] = np.arange(len(companies))
    if (remaining < 0).any():
        raise ValueError("the fixed assignments exceed some company's capacity")
    placed_fixed = placed_per_cohort(data, fixed_table)
    # Fixed placements of the model's own cohorts (their waves count towards the wave rules).
    in_model = np.zeros(n_cohorts, dtype=bool)
    in_model[cohorts] = True
    own_fixed = fixed_table[(fixed_table[:, 2] > 0) & in_model[data.option_cohort[fixed_table[:, 0]]]]
    fixed_open: dict[int, set[int]] = defaultdict(set)
    fixed_in_option: dict[int, int] = defaultdict(int)
    for option, _, students in own_fixed.tolist():
        fixed_open[int(data.option_cohort[option])].add(option)
        fixed_in_option[option] += students
    scale = objective_scale(data.weight)
    rows_of = option_rows(data)
    free_company = np.zeros(data.company_capacity.shape[0], dtype=bool)
    free_company[companies] = True

    pair_option: list[np.ndarray] = []
    pair_company: list[np.ndarray] = []
    pair_cap: list[np.ndarray] = []
    to_place = data.students[cohorts] - placed_fixed[cohorts]
    for position, cohort in enumerate(cohorts):
        options = all_options[cohort] if candidate_options is None else np.asarray(
            candidate_options.get(int(cohort), all_options[cohort]), dtype=np.int64)
        usable = cohort_companies[cohort]
        usable = usable[free_company[usable]]
        if to_place[position] <= 0 or not len(usable):
            continue
        for option in options:
            cells, load = rows_of[int(option)]
            if not len(cells):
                continue
            # How many students of this option fit in each company over all its cells.
            fit = (remaining[np.ix_(row_of[usable], cells)] // load).min(axis=1)
            fit = np.minimum(fit, to_place[position])
            keep = fit > 0
            pair_option.append(np.full(int(keep.sum()), int(option), dtype=np.int64))
            pair_company.append(usable[keep])
            pair_cap.append(fit[keep])
    cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)  # noqa: E731
    p_option, p_company, p_cap = cat(pair_option), cat(pair_company), cat(pair_cap)
    rows = RowStore()
    n_x = len(p_cap)

    # Every student counted once: placed in the neighbourhood, placed outside it, or unplaced.
    local = np.full(n_cohorts, -1, dtype=np.int64)
    local[cohorts] = np.arange(len(cohorts))
    pair_cohort = local[data.option_cohort[p_option]] if len(p_option) else np.zeros(0, dtype=np.int64)
    by_cohort: list[list[int]] = [[] for _ in cohorts]
    for j, position in enumerate(pair_cohort):
        by_cohort[position].append(j)
    for position in range(len(cohorts)):
        rows.add(by_cohort[position] + [n_x + position], [1] * len(by_cohort[position]) + [1],
                 max(to_place[position], 0), max(to_place[position], 0))

    # Waves: a cohort opens at most max_waves options, counting those its fixed placements use.
    use_column: dict[int, int] = {}  # option -> its column
    by_option: dict[int, list[int]] = defaultdict(list)
    for j, option in enumerate(p_option):
        by_option[int(option)].append(j)

    def open_indicator(option: int, position: int) -> None:
        """``use[option]``, with students of the option only in an opened wave."""
        use_column[option] = n_x + len(cohorts) + len(use_column)
        members = by_option[option]
        big = int(min(to_place[position], p_cap[members].sum()))
        # Students of the option only when it is opened: x[o, .] <= big * use[o].
        rows.add(members + [use_column[option]], [1] * len(members) + [-big], -np.inf, 0)

    minimum = data.wave_minimum
    windows_of: dict[int, list[np.ndarray]] = defaultdict(list)
    for cohort, members in data.start_windows():
        if in_model[cohort]:
            windows_of[cohort].append(members)
    for position, cohort in enumerate(cohorts):
        opened = fixed_open.get(int(cohort), set())
        new_options = sorted({int(p_option[j]) for j in by_cohort[position]} - opened)
        allowed = int(data.max_waves[cohort]) - len(opened)
        limit_binds = len(new_options) > allowed
        if limit_binds or ((minimum[cohort] or int(cohort) in windows_of) and new_options):
            for option in new_options:
                open_indicator(option, position)
        if limit_binds:
            rows.add([use_column[o] for o in new_options], [1] * len(new_options), -np.inf, max(allowed, 0))
        # Waves start at least wave_gap weeks apart: one opened wave per window of start weeks.
        for members in windows_of.get(int(cohort), []):
            new = [use_column[o] for o in members.tolist() if o in use_column]
            if new:
                rows.add(new, [1] * len(new), -np.inf, max(1 - len(opened.intersection(members.tolist())), 0))

    # Wave sizes (min_wave_students): split[c] = 1 when the cohort has two or more waves, and then
    # every wave places at least the minimum (students placed outside the neighbourhood count).
    split: dict[int, tuple[int, set[int], int]] = {}
    split_rows: list[tuple[list[int], list[int], float, float]] = []
    for position, cohort in enumerate(cohorts):
        least = int(minimum[cohort])
        opened = fixed_open.get(int(cohort), set())
        new_options = sorted({int(p_option[j]) for j in by_cohort[position]} - opened)
        if not least or not new_options:
            continue  # without new options the waves are fixed: they already keep the minimum
        column = n_x + len(cohorts) + len(use_column) + len(split)
        split[int(cohort)] = (column, set(new_options), len(opened))
        waves = len(new_options) + len(opened)
        # Two or more opened waves make the cohort split.
        split_rows.append(([use_column[o] for o in new_options] + [column], [1] * len(new_options) + [-(waves - 1)],
                           -np.inf, 1 - len(opened)))
        for option in new_options:
            members = by_option[option]
            # A split cohort's new wave places at least the minimum: x[o, .] >= least * (use[o] + split - 1).
            split_rows.append((members + [use_column[option], column], [1] * len(members) + [-least, -least],
                               -least, np.inf))
        for option in sorted(opened):
            members = by_option.get(option, [])
            # A split cohort's wave placed outside the neighbourhood keeps the minimum too.
            split_rows.append((members + [column], [1] * len(members) + [-least], -fixed_in_option[option], np.inf))
    for cols, vals, lower, upper in split_rows:
        rows.add(cols, vals, lower, upper)

    # Changed cohorts (the trade-off): changed[c] = 1 when c places students outside its current
    # period; fixed placements outside it count as changed cohorts the model cannot undo.
    changed: dict[int, tuple[int, set[int]]] = {}
    if max_changed is not None:
        fixed_moved = fixed_table[(fixed_table[:, 2] > 0) & ~data.option_current[fixed_table[:, 0]]]
        already = set(data.option_cohort[fixed_moved[:, 0]].tolist())
        first_column = n_x + len(cohorts) + len(use_column) + len(split)
        for position, cohort in enumerate(cohorts):
            moving = [j for j in by_cohort[position] if not data.option_current[p_option[j]]]
            if int(cohort) in already or not moving:
                continue
            column = first_column + len(changed)
            changed[int(cohort)] = (column, {int(p_option[j]) for j in moving})
            # Students outside the current period only in a changed cohort: x[moving] <= to_place * changed.
            rows.add(moving + [column], [1] * len(moving) + [-int(to_place[position])], -np.inf, 0)
        rows.add([column for column, _ in changed.values()], [1] * len(changed), -np.inf,
                 max(max_changed - len(already), 0))

    # Stagebarometer cells (no_cell_worse_than_status_quo): the unplaced students of a cell, free
    # cohorts' and fixed ones', stay at most the status quo's.
    if data.cell_limit is not None:
        placed_before = placed_fixed
        free = np.zeros(n_cohorts, dtype=bool)
        free[cohorts] = True
        fixed_short = np.where(free, 0, data.students - placed_before)
        fixed_short_per_cell = np.bincount(data.cohort_cell, weights=fixed_short, minlength=len(data.cells))
        cell_of_free = data.cohort_cell[cohorts]
        for cell in np.unique(cell_of_free):
            members = np.nonzero(cell_of_free == cell)[0]
            room = int(data.cell_limit[cell] - round(fixed_short_per_cell[cell]))
            rows.add([n_x + int(p) for p in members], [1] * len(members), -np.inf, room)

    # Capacity per company and cell (week or weekday): student-days within the places left.
    rows_kept = rows_dropped = rounded = 0
    occupancy = dense_occupancy(data)
    pairs_of_company: dict[int, list[int]] = defaultdict(list)
    for j, company in enumerate(p_company):
        pairs_of_company[int(company)].append(j)
    signature_of_company: dict[int, tuple] = {}
    for company, members in pairs_of_company.items():
        members = np.array(members, dtype=np.int64)
        dense = occupancy[p_option[members]]  # pairs x cells
        worst = p_cap[members] @ dense
        capacity = remaining[row_of[company]]
        binding = np.nonzero(worst > capacity)[0]
        rows_dropped += int((dense.sum(axis=0) > 0).sum()) - len(binding)
        tightest: dict[bytes, int] = {}
        for cell in binding:
            key = dense[:, cell].tobytes()
            if key not in tightest or capacity[cell] < capacity[tightest[key]]:
                tightest[key] = cell
        rows_dropped += len(binding) - len(tightest)
        for cell in tightest.values():
            nz = np.nonzero(dense[:, cell])[0]
            rows.add(members[nz].tolist(), dense[nz, cell].tolist(), -np.inf, int(capacity[cell]))
            rows_kept += 1
            if rounding_cuts:
                # The same row rounded for whole students (MIP form only; CP-SAT reasons on integers).
                for positions, coefficients, rhs in rounding_rows(dense[nz, cell], int(capacity[cell])):
                    rows.add(members[nz][positions].tolist(), coefficients.tolist(), -np.inf, rhs, cut=True)
                    rounded += 1
        signature_of_company[company] = (remaining[row_of[company]].tobytes(), tuple(p_option[members].tolist()),
                                         tuple(p_cap[members].tolist()))

    # Symmetry: identical companies (same capacity left, same options and caps) take
    # non-increasing loads in index order.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for company, signature in signature_of_company.items():
        groups[signature].append(company)
    ordered: list[np.ndarray] = []  # one per group of identical companies
    pair_days = None
    if symmetry_breaking:
        days = np.asarray(occupancy.sum(axis=1)).ravel()
        pair_days = days[p_option].astype(np.int64)
        for members in groups.values():
            if len(members) < 2:
                continue
            members = sorted(members)
            ordered.append(np.array([pairs_of_company[m] for m in members], dtype=np.int64))
            for a, b in zip(members, members[1:]):
                ja, jb = pairs_of_company[a], pairs_of_company[b]
                rows.add(ja + jb, [int(days[p_option[j]]) for j in ja] + [-int(days[p_option[j]]) for j in jb], 0, np.inf)

    weights = np.rint(data.weight[cohorts] * scale).astype(np.int64)
    outside = ~np.isin(np.arange(n_cohorts), cohorts)
    constant = plan_state.weighted_shortage(data.weight[outside], data.students[outside] - placed_fixed[outside])
    indicators = len(use_column) + len(split) + len(changed)
    n_vars = n_x + len(cohorts) + indicators
    linear = LinearForm(
        lower=np.zeros(n_vars),
        upper=np.concatenate([p_cap, np.maximum(to_place, 0), np.ones(indicators)]).astype(float),
        cost=np.concatenate([np.zeros(n_x), weights, np.zeros(indicators)]).astype(float), rows=rows)
    stats = {"variables": n_vars, "placement_variables": n_x, "capacity_rows": rows_kept, "rows_dropped": rows_dropped,
             "rounding_rows": rounded, "symmetric_groups": len(ordered), "students": data.students[cohorts],
             "option_cohort": data.option_cohort, "caps": p_cap}
    return CompanyModel(scale, p_option, p_company, cohorts, placed_fixed[cohorts], fixed, constant, stats, linear,
                        use_column, split, changed, ordered, pair_days)
