"""Problem data: a scenario compiled to arrays for the placement model.

The scenario is compiled once into arrays (:class:`ProblemData`):

* **options**: for every BOL cohort, each allowed (form, start week[, weekday pattern]) that
  fits its window; a student in option ``o`` loads ``load[o, t, d]`` student-days in week
  ``t`` (and weekday ``d`` when capacity is given per weekday);
* **clusters**: learning companies that are interchangeable for the model (same area, same fit
  (recognitions or sector chambers, and levels) and capacity pattern over the year) are summed into one cluster; BBL
  students are subtracted beforehand as a fixed load on their own company;
* **eligibility**: the clusters each cohort may use (the fit of
  :mod:`planner.scenario.eligibility`: recognised for its crebo, or its sector chamber for
  companies without recognitions, and its level; travel time within the cohort's limit);
* **controls**: the consortium's per-cohort controls that restrict periods (``locked``,
  ``keep_form``, ``max_shift_weeks``) are applied here, to the options, in
  :func:`allowed_by_controls`; those that are constraints (``min_wave_students``, the weeks
  between a split cohort's starts, :func:`starts_too_close`, and, with
  ``policy.no_cell_worse_than_status_quo``, the unplaced students per stagebarometer cell)
  travel as arrays for every model and heuristic that builds or changes assignments.

Capacity and load come from :mod:`planner.model.capacity`; :mod:`planner.model.formulation`
builds the linear model on these arrays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from planner.geo.region import Region
from planner.model.capacity import bbl_load, company_capacity, days_per_week_column, line_patterns, load_vector
from planner.scenario import Cohort, InternshipForm, Scenario, fitting_starts
from planner.scenario.eligibility import fit_key, key_fits

#: A stagebarometer cell: (sector chamber, pathway, level).
Cell = tuple[str, str, str]


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
    # Per scheduled cohort: the smallest wave when it is split over two or more waves (0: no minimum).
    min_wave_students: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Per scheduled cohort: the fewest weeks between the starts of two of its waves (0: no rule).
    wave_gap: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Per scheduled cohort its stagebarometer cell (index into cells), and the cells.
    cohort_cell: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cells: list[Cell] = field(default_factory=list)
    # Per cell the most unplaced students allowed (the status quo's); None when the rule is off.
    cell_limit: np.ndarray | None = None
    # Tables derived from the arrays above, computed once per problem (they never change after
    # compiling): a national region's search builds thousands of neighbourhood models from them.
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def wave_minimum(self) -> np.ndarray:
        """Per scheduled cohort the smallest wave of a split cohort, where that can matter (else 0).

        A minimum of 1 says nothing (a wave has students), and a cohort that can only have one
        wave (status quo, ``max_waves`` 1) is never split.
        """
        if len(self.min_wave_students) != len(self.cohorts):
            return np.zeros(len(self.cohorts), dtype=np.int64)
        return np.where((self.min_wave_students >= 2) & (self.max_waves >= 2), self.min_wave_students, 0)

    def start_windows(self) -> list[tuple[int, np.ndarray]]:
        """Groups of a cohort's options of which at most one may be a wave: ``(cohort, options)``.

        Two waves of a cohort may not start closer than its ``wave_gap`` (:func:`starts_too_close`);
        every such pair lies in one window of ``wave_gap`` start weeks from the earlier start, so
        "at most one wave per window" is the same rule as rows a model can use (a clique per
        window). Only cohorts that can have two waves; windows with a single option are left out.
        """
        if "start_windows" not in self.derived:
            windows: list[tuple[int, np.ndarray]] = []
            gap = self.wave_gap if len(self.wave_gap) == len(self.cohorts) else np.zeros(len(self.cohorts), int)
            starts = np.array([o.start for o in self.options], dtype=np.int64)
            # Options are listed cohort by cohort (compile_problem), so a cohort's are one range.
            bounds = np.searchsorted(self.option_cohort, np.arange(len(self.cohorts) + 1))
            for cohort in np.nonzero((gap > 0) & (self.max_waves >= 2))[0]:
                own = np.arange(bounds[cohort], bounds[cohort + 1])
                own = own[np.argsort(starts[own], kind="stable")]
                own_starts = starts[own]
                firsts = np.unique(own_starts)
                ends = np.searchsorted(own_starts, firsts + gap[cohort])
                for begin, end in zip(np.searchsorted(own_starts, firsts).tolist(), ends.tolist()):
                    if end - begin >= 2:
                        windows.append((int(cohort), own[begin:end]))
            self.derived["start_windows"] = windows
        return self.derived["start_windows"]

    @property
    def n_clusters(self) -> int:
        """Number of company clusters."""
        return len(self.cluster_members)

    def placement_pairs(self) -> int:
        """(option, company) pairs of the company-level model: the problem's size at company level."""
        options_per_cohort = np.bincount(self.option_cohort, minlength=len(self.cohorts))
        return int(sum(len(self.companies_of(c)[0]) * int(options_per_cohort[c]) for c in range(len(self.cohorts))))

    def institution_index(self) -> np.ndarray:
        """Per scheduled cohort the number of its institution (institutions in order of their id)."""
        if "institution_index" not in self.derived:
            scenario = self.scenario
            names = [scenario.institution_of[scenario.cohorts[index].location] for index in self.cohorts]
            self.derived["institution_index"] = (np.unique(names, return_inverse=True)[1].astype(np.int64).ravel()
                                                 if names else np.zeros(0, dtype=np.int64))
        return self.derived["institution_index"]

    def companies_of(self, cohort: int) -> tuple[np.ndarray, np.ndarray]:
        """Companies a scheduled cohort may use, with their travel minutes (of their pool)."""
        pools = self.eligible[cohort]
        if not len(pools):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        companies = np.concatenate([self.cluster_members[k] for k in pools])
        minutes = np.repeat(self.eligible_minutes[cohort], [len(self.cluster_members[k]) for k in pools])
        return companies, minutes


def allowed_by_controls(cohort: Cohort, form: InternshipForm, start: int, current_form: InternshipForm,
                        current_start: int) -> bool:
    """Whether a period (form, start week index) keeps the cohort's controls: the one place for this rule.

    ``locked``: only the current period; ``keep_form``: only the current form; ``max_shift_weeks``:
    a start at most that many weeks before or after the current start. The current period always
    keeps them (and always fits the window), so no control leaves a cohort without an option.
    """
    if cohort.locked and (form != current_form or start != current_start):
        return False
    if cohort.keep_form and form != current_form:
        return False
    return cohort.max_shift_weeks is None or abs(start - current_start) <= cohort.max_shift_weeks


def starts_too_close(first: int, second: int, gap: int) -> bool:
    """Whether two waves of one cohort, starting in week indices ``first`` and ``second``, start
    closer than ``gap`` weeks (``policy.min_weeks_between_waves``): the one place for this rule."""
    return gap > 0 and abs(first - second) < gap


def barometer_cell(cohort: Cohort) -> Cell:
    """The stagebarometer cell of a cohort: (sector chamber, pathway, level)."""
    return (cohort.sector, cohort.pathway, cohort.level)


def compile_problem(scenario: Scenario, region: Region, mode: str = "optimise", aggregate: bool = True,
                    status_quo_unplaced: dict[Cell, int] | None = None) -> ProblemData:
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
    status_quo_unplaced
        Unplaced students per stagebarometer cell in the status-quo plan. In optimise mode with
        ``policy.no_cell_worse_than_status_quo`` they are the cells' limits (a cell not listed
        has none unplaced); without them that rule cannot be applied and is left out.
    """
    calendar = scenario.calendar
    n_weeks = len(calendar.weeks)
    n_days = days_per_week_column(scenario)
    width = n_weeks * n_days
    notes: list[str] = []

    # Company capacity per week(-day) in student-days, minus the fixed BBL load.
    capacity = company_capacity(scenario).reshape(len(scenario.companies), width)
    bbl = bbl_load(scenario)
    residual = capacity - bbl
    if (residual < 0).any():
        over = sorted({scenario.companies[k].id for k in np.nonzero((residual < 0).any(axis=1))[0]})
        notes.append(f"BBL students exceed the capacity of {len(over)} companies ({', '.join(over[:5])}); "
                     "their remaining capacity is taken as zero")
        residual = np.maximum(residual, 0)

    # Clusters: same area, fit (recognitions or sectors, and levels) and capacity pattern (up to scale)
    # are interchangeable.
    groups: dict[tuple, list[int]] = defaultdict(list)
    for k, company in enumerate(scenario.companies):
        row = residual[k]
        peak = int(row.max())
        if peak == 0:
            continue
        pattern = tuple((row * 1000 // peak).tolist()) if aggregate else k
        groups[(company.area, fit_key(company), pattern)].append(k)
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
            else:
                starts = [(s, w) for s, w in starts if allowed_by_controls(cohort, form, s, current_form, current_start)]
            for start, weeks in starts:
                for weekdays in patterns:
                    options.append(Option(position, form, start, weeks, weekdays,
                                          form == current_form and start == current_start))
    option_cohort = np.array([o.cohort for o in options], dtype=np.int64)
    option_current = np.array([o.is_current for o in options], dtype=bool)
    # Occupancy rows as arrays (a national region has millions of non-zeros: no Python lists).
    cols_of, vals_of = [], []
    days = np.arange(n_days)
    load_of: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
    for option in options:
        key = (option.form, option.weekdays)
        if key not in load_of:
            load = load_vector(option.form, option.weekdays, n_days)
            load_of[key] = (days[load > 0], load[load > 0])
        load_days, load_values = load_of[key]
        weeks = np.asarray(option.weeks, dtype=np.int64)
        cols_of.append((weeks[:, None] * n_days + load_days[None, :]).ravel())
        vals_of.append(np.tile(load_values, len(weeks)))
    counts = np.array([len(c) for c in cols_of], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)  # noqa: E731
    occupancy = sp.csr_matrix((cat(vals_of).astype(np.int64), cat(cols_of), indptr), shape=(len(options), width))
    occupancy.sum_duplicates()
    del cols_of, vals_of

    # Eligible clusters per cohort: the company fit (planner.scenario.eligibility), travel within the limit.
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    cluster_area = np.array([area_index[key[0]] for key in keys], dtype=np.int64)
    minutes_by_mode = {mode_name: region.minutes_array(mode_name)
                       for mode_name in {scenario.travel_mode(scenario.cohorts[i]) for i in scheduled}}
    fit_cache: dict[tuple[str, str, str], np.ndarray] = {}
    eligible, eligible_minutes = [], []
    for i in scheduled:
        cohort = scenario.cohorts[i]
        cohort_key = (cohort.crebo, cohort.sector, cohort.level)
        if cohort_key not in fit_cache:
            fit_cache[cohort_key] = np.array([k for k, key in enumerate(keys) if key_fits(key[1], cohort)],
                                             dtype=np.int64)
        candidates = fit_cache[cohort_key]
        origin = area_index[scenario.locations[cohort.location].area]
        minutes = (minutes_by_mode[scenario.travel_mode(cohort)][origin, cluster_area[candidates]] if len(candidates)
                   else np.zeros(0))
        within = minutes <= scenario.max_travel(cohort) + 1e-9
        eligible.append(candidates[within])
        eligible_minutes.append(minutes[within])
    if aggregate:
        cluster_members, cluster_capacity, eligible, eligible_minutes = _merge_by_signature(
            cluster_members, cluster_capacity, eligible, eligible_minutes)

    # Stagebarometer cells of the scheduled cohorts, and their limits under the status-quo rule.
    cells = sorted({barometer_cell(scenario.cohorts[i]) for i in scheduled})
    cell_index = {cell: k for k, cell in enumerate(cells)}
    cohort_cell = np.array([cell_index[barometer_cell(scenario.cohorts[i])] for i in scheduled], dtype=np.int64)
    cell_limit = None
    if mode == "optimise" and scenario.policy.no_cell_worse_than_status_quo and status_quo_unplaced is not None:
        cell_limit = np.array([int(status_quo_unplaced.get(cell, 0)) for cell in cells], dtype=np.int64)

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
        bbl_load=bbl,
        eligible=eligible,
        eligible_minutes=eligible_minutes,
        notes=notes,
        min_wave_students=np.array([0 if mode == "status-quo" else scenario.policy.wave_minimum(scenario.cohorts[i])
                                    for i in scheduled], dtype=np.int64),
        wave_gap=np.full(len(scheduled), 0 if mode == "status-quo" else scenario.policy.min_weeks_between_waves,
                         dtype=np.int64),
        cohort_cell=cohort_cell,
        cells=cells,
        cell_limit=cell_limit,
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
