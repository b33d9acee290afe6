"""The capacity model: problem data compiled from a scenario, and the linear model built on it.

The scenario is compiled once into arrays (:class:`ProblemData`):

* **options**: for every BOL cohort, each allowed (form, start week[, weekday pattern]) that
  fits its window; a student in option ``o`` loads ``load[o, t, d]`` student-days in week
  ``t`` (and weekday ``d`` when capacity is given per weekday);
* **clusters**: learning companies that are interchangeable for the model (same area, sector
  chambers, levels and capacity pattern over the year) are summed into one cluster; BBL
  students are subtracted beforehand as a fixed load on their own company;
* **eligibility**: the clusters each cohort may use (sector and level fit, travel time within
  the cohort's limit).

:func:`build_model` turns this into an OR-Tools model in one vectorised (sparse-matrix) pass:
``x[c, o, k]`` students of cohort ``c`` doing option ``o`` at cluster ``k`` and ``unplaced[c]``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from planner.codes import DAYS_PER_WEEK, WEEKDAYS
from planner.geo import Region
from planner.scenario import InternshipForm, Scenario, fitting_starts


@dataclass
class Option:
    """One way a cohort can do its internship: form, start week, weeks present, weekdays."""

    cohort: int
    form: InternshipForm
    start: int
    weeks: list[int]
    weekdays: tuple[str, ...] | None
    is_current: bool


@dataclass
class ProblemData:
    """A scenario compiled to arrays for the model. Build with :func:`compile_problem`."""

    scenario: Scenario
    mode: str
    n_weeks: int
    n_days: int  # 5 with weekday detail, else 1 (capacity in student-days per week)
    cohorts: list[int]  # scenario indices of the scheduled (BOL) cohorts
    students: np.ndarray
    weight: np.ndarray
    max_waves: np.ndarray
    options: list[Option]
    option_cohort: np.ndarray
    option_current: np.ndarray
    occupancy: sp.csr_matrix  # options x (weeks * days): student-days per student
    cluster_members: list[np.ndarray]  # company indices per cluster
    cluster_capacity: np.ndarray  # clusters x (weeks * days), after BBL load
    company_capacity: np.ndarray  # companies x (weeks * days), after BBL load
    bbl_load: np.ndarray  # companies x (weeks * days)
    eligible: list[np.ndarray]  # per scheduled cohort: eligible cluster indices
    eligible_minutes: list[np.ndarray]  # travel minutes to those clusters
    company_minutes: dict[int, dict[int, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def n_clusters(self) -> int:
        """Number of company clusters."""
        return len(self.cluster_members)

    def companies_of(self, cohort: int) -> tuple[np.ndarray, np.ndarray]:
        """Companies a scheduled cohort may use, with their travel minutes (of their pool)."""
        pools = self.eligible[cohort]
        if not len(pools):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        companies = np.concatenate([self.cluster_members[k] for k in pools])
        minutes = np.repeat(self.eligible_minutes[cohort], [len(self.cluster_members[k]) for k in pools])
        return companies, minutes


def line_patterns(days: int) -> list[tuple[str, ...]]:
    """Weekday patterns a line student with ``days`` days a week may follow (weekday mode)."""
    return [tuple(p) for p in combinations(WEEKDAYS, days)]


def default_weekdays(form: InternshipForm) -> tuple[str, ...]:
    """Weekdays of a student whose pattern is not chosen by the planner (BBL, current periods)."""
    return WEEKDAYS[: form.days_per_week] if form.kind == "line" else WEEKDAYS


def _load_vector(form: InternshipForm, weekdays: tuple[str, ...] | None, n_days: int) -> np.ndarray:
    if n_days == 1:
        return np.array([form.days_per_week], dtype=np.int64)
    if form.kind == "block" or weekdays is None:
        return np.ones(DAYS_PER_WEEK, dtype=np.int64)
    return np.array([1 if day in weekdays else 0 for day in WEEKDAYS], dtype=np.int64)


def compile_problem(scenario: Scenario, region: Region, mode: str = "optimise", aggregate: bool = True) -> ProblemData:
    """Compile a scenario into :class:`ProblemData`.

    Parameters
    ----------
    scenario
        The checked scenario.
    region
        Its geography (travel times).
    mode
        ``optimise`` (every fitting form and start week is an option) or ``status-quo``
        (only the current period).
    aggregate
        Pool interchangeable companies (the default); otherwise every company is its own pool.
    """
    calendar = scenario.calendar
    n_weeks = len(calendar.weeks)
    n_days = DAYS_PER_WEEK if scenario.weekday_detail else 1
    width = n_weeks * n_days
    notes: list[str] = []

    # Company capacity per week(-day) in student-days, minus the fixed BBL load.
    capacity = np.zeros((len(scenario.companies), width), dtype=np.int64)
    for k, company in enumerate(scenario.companies):
        if n_days == 1:
            capacity[k] = [DAYS_PER_WEEK * company.places_in(w) for w in calendar.weeks]
        else:
            capacity[k] = np.array([company.weekday_places_in(w) for w in calendar.weeks]).ravel()
    bbl_load = np.zeros_like(capacity)
    for i, cohort in enumerate(scenario.cohorts):
        if cohort.pathway != "BBL":
            continue
        form = InternshipForm.parse(cohort.current_form)
        region_name = scenario.locations[cohort.location].holiday_region
        weeks = calendar.occupied_weeks(calendar.week_index[cohort.current_start], form, region_name) or []
        pattern = _load_vector(form, default_weekdays(form), n_days)
        k = scenario.company_index[cohort.company]
        for week in weeks:
            bbl_load[k, week * n_days:(week + 1) * n_days] += cohort.students * pattern
    residual = capacity - bbl_load
    if (residual < 0).any():
        over = sorted({scenario.companies[k].id for k in np.nonzero((residual < 0).any(axis=1))[0]})
        notes.append(f"BBL students exceed the capacity of {len(over)} companies ({', '.join(over[:5])}); "
                     "their remaining capacity is taken as zero")
        residual = np.maximum(residual, 0)

    # Clusters: same area, sectors, levels and capacity pattern (up to scale) are interchangeable.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for k, company in enumerate(scenario.companies):
        row = residual[k]
        peak = int(row.max())
        if peak == 0:
            continue
        pattern = tuple((row * 1000 // peak).tolist()) if aggregate else k
        groups[(company.area, tuple(sorted(company.sectors)), tuple(sorted(company.levels)), pattern)].append(k)
    keys = list(groups)
    cluster_members = [np.array(groups[key], dtype=np.int64) for key in keys]
    cluster_capacity = np.array([residual[members].sum(axis=0) for members in cluster_members], dtype=np.int64).reshape(
        len(keys), width
    )

    # Options per scheduled cohort.
    scheduled = [i for i, c in enumerate(scenario.cohorts) if c.pathway == "BOL"]
    options: list[Option] = []
    for position, i in enumerate(scheduled):
        cohort = scenario.cohorts[i]
        current_form = InternshipForm.parse(cohort.current_form)
        current_start = calendar.week_index[cohort.current_start]
        forms = [current_form] if mode == "status-quo" else cohort.parsed_forms
        for form in forms:
            patterns: list[tuple[str, ...] | None] = [None]
            if n_days > 1 and form.kind == "line":
                patterns = line_patterns(form.days_per_week)
            starts = fitting_starts(scenario, i, form)
            if mode == "status-quo":
                starts = [(s, w) for s, w in starts if s == current_start]
            for start, weeks in starts:
                for weekdays in patterns:
                    options.append(Option(position, form, start, weeks, weekdays,
                                          form == current_form and start == current_start))
    option_cohort = np.array([o.cohort for o in options], dtype=np.int64)
    option_current = np.array([o.is_current for o in options], dtype=bool)
    rows, cols, vals = [], [], []
    for index, option in enumerate(options):
        load = _load_vector(option.form, option.weekdays, n_days)
        for week in option.weeks:
            for day in range(n_days):
                if load[day]:
                    rows.append(index)
                    cols.append(week * n_days + day)
                    vals.append(load[day])
    occupancy = sp.csr_matrix((vals, (rows, cols)), shape=(len(options), width), dtype=np.int64)

    # Eligible clusters per cohort: sector and level fit, travel within the limit.
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    cluster_area = np.array([area_index[key[0]] for key in keys], dtype=np.int64)
    minutes_by_mode = {mode_name: region.minutes_array(mode_name)
                       for mode_name in {scenario.travel_mode(scenario.cohorts[i]) for i in scheduled}}
    fit_cache: dict[tuple[str, str], np.ndarray] = {}
    eligible, eligible_minutes = [], []
    for i in scheduled:
        cohort = scenario.cohorts[i]
        fit_key = (cohort.sector, cohort.level)
        if fit_key not in fit_cache:
            fit_cache[fit_key] = np.array(
                [k for k, key in enumerate(keys) if cohort.sector in key[1] and cohort.level in key[2]], dtype=np.int64
            )
        candidates = fit_cache[fit_key]
        origin = area_index[scenario.locations[cohort.location].area]
        minutes = minutes_by_mode[scenario.travel_mode(cohort)][origin, cluster_area[candidates]] if len(candidates) else np.zeros(0)
        within = minutes <= scenario.max_travel(cohort) + 1e-9
        eligible.append(candidates[within])
        eligible_minutes.append(minutes[within])
    if aggregate:
        cluster_members, cluster_capacity, eligible, eligible_minutes = _merge_by_signature(
            cluster_members, cluster_capacity, eligible, eligible_minutes)

    return ProblemData(
        scenario=scenario,
        mode=mode,
        n_weeks=n_weeks,
        n_days=n_days,
        cohorts=scheduled,
        students=np.array([scenario.cohorts[i].students for i in scheduled], dtype=np.int64),
        weight=np.array([scenario.policy.weight(scenario.cohorts[i]) for i in scheduled], dtype=float),
        max_waves=np.array([1 if mode == "status-quo" else scenario.cohorts[i].max_waves for i in scheduled], dtype=np.int64),
        options=options,
        option_cohort=option_cohort,
        option_current=option_current,
        occupancy=occupancy,
        cluster_members=cluster_members,
        cluster_capacity=cluster_capacity,
        company_capacity=residual,
        bbl_load=bbl_load,
        eligible=eligible,
        eligible_minutes=eligible_minutes,
        notes=notes,
    )


def _merge_by_signature(
    members: list[np.ndarray], capacity: np.ndarray, eligible: list[np.ndarray], minutes: list[np.ndarray]
) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Merge clusters that exactly the same cohorts may use into one pool.

    For the model such clusters are one pool of capacity (summed per week); which company
    takes which student is settled after the solve. Travel minutes to a pool are the
    capacity-weighted mean over its clusters (they only steer the travel objective; the
    travel limit holds for every member). Pools no cohort may use are dropped.
    """
    users: list[list[int]] = [[] for _ in members]
    for cohort, clusters in enumerate(eligible):
        for k in clusters:
            users[k].append(cohort)
    pools: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for k, cohorts in enumerate(users):
        if cohorts:
            pools[tuple(cohorts)].append(k)
    pool_of = np.full(len(members), -1, dtype=np.int64)
    for pool, clusters in enumerate(pools.values()):
        pool_of[clusters] = pool
    weight = capacity.sum(axis=1).astype(float)
    new_members = [np.concatenate([members[k] for k in clusters]) for clusters in pools.values()]
    new_capacity = np.array([capacity[clusters].sum(axis=0) for clusters in pools.values()], dtype=np.int64).reshape(
        len(pools), capacity.shape[1])
    new_eligible, new_minutes = [], []
    for clusters, times in zip(eligible, minutes):
        pooled = pool_of[clusters]
        unique, inverse = np.unique(pooled, return_inverse=True)
        total = np.bincount(inverse, weights=weight[clusters], minlength=len(unique))
        mean = np.bincount(inverse, weights=weight[clusters] * times, minlength=len(unique)) / np.maximum(total, 1e-9)
        new_eligible.append(unique.astype(np.int64))
        new_minutes.append(mean)
    return new_members, new_capacity, new_eligible, new_minutes


# ------------------------------------------------------------------ the linear model


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

    lower = np.zeros(n_vars)
    # In the relaxation x needs no upper bound (the demand row implies it); leaving it out keeps
    # the reduced-cost argument of column generation simple.
    x_upper = data.students[cohorts][column_cohort] if integer else np.full(n_x, np.inf)
    upper = np.concatenate([x_upper, data.students[cohorts],
                            np.ones(len(wave_options)), np.ones(1 if balance_var >= 0 else 0)]).astype(float)
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

    if balance_var >= 0:
        # Imbalance: the worst shortage rate of any institution bounds every institution's rate.
        institution_of = data.scenario.institution_of
        names = [institution_of[data.scenario.cohorts[data.cohorts[c]].location] for c in cohorts]
        codes, institution = np.unique(names, return_inverse=True)
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
    return BuiltModel(helper, columns, cohorts, unplaced_offset, wave_offset, wave_options, n_vars, rows.count,
                      lower, upper, cost, row_lower, row_upper, matrix)
