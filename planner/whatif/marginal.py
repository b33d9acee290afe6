"""The marginal value of capacity: where one more supervision place removes the most weighted shortage.

The estimate comes from the LP relaxation the solver starts with (:mod:`planner.solve.relaxation`):
the dual of a capacity row says how much weighted shortage one more student-day at that pool
of companies in that week would remove. One more place at a company of the pool, in the weeks
where the duals are positive, is worth five student-days a week there (one per weekday with
weekday detail), so its estimate is the sum of those duals. Spots are ranked by the estimate
until they are verified; then :func:`rank_by_realised` ranks the verified spots by what they
realised, ahead of the ones not verified.

Per qualification (``per="crebo"`` or ``"family"``) a spot is one more place for the qualification of
most of the unplaced students it could take, in the spot's area: a group of places of the pool's
company that only that qualification's students may use
(:class:`planner.whatif.qualification_changes.AddQualificationPlaces`); each qualification and area
is ranked once, by its best pool.

With a plan, the estimate of a spot is more direct: the weighted students of the plan's
unplaced cohorts that one more place at the spot's company, in the spot's weeks, can take
(packed into the company's capacity left by the plan plus the extra place, heaviest first);
``source`` says which estimate a spot has.

:func:`verify_spots` isolates the extra place: the scenario with the place is solved exactly at
company level (SCIP, :mod:`planner.solve.exact`) in the neighbourhood the place can affect (the
cohorts that can reach the company in those weeks and those holding places there, with their
companies), starting from the base plan, which stays feasible; everything else is held. So
the realised reduction, the base plan's weighted shortage minus the re-solved one, is never
negative and is exact for that neighbourhood.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from planner.codes import DAYS_PER_WEEK, sector_label
from planner.geo.region import Region
from planner.i18n import _, current_language
from planner.model.problem import ProblemData, compile_problem
from planner.plan.model import Plan
from planner.plan.qualification_cells import cohort_in_code, family_of, qualification_label
from planner.scenario import Scenario
from planner.solve.assemble import start_assignments
from planner.solve.clock import Clock
from planner.solve.exact.company_model import build_company_model
from planner.solve.exact.engines import solve_company_mip
from planner.solve.exact.tables import company_sets, option_rows, options_by_cohort, remaining_capacity
from planner.solve.heuristics import Assignment, placed_per_cohort, weighted_shortage
from planner.solve.params import SolveParams
from planner.solve.relaxation import relax
from planner.whatif.changes import AddCapacity, CompanySelection, WeekRange
from planner.whatif.qualification_changes import AddQualificationPlaces
from planner.whatif.sweep import Executor, InlineExecutor
from planner.whatif.variants import Variant, apply_variant

#: Duals below this are taken as zero (the LP's tie-break cost per moved student is 1e-5).
MIN_DUAL = 1e-4
#: Sources of a spot's estimate.
SOURCE_DUAL, SOURCE_WEIGHT, SOURCE_FIT = "LP dual", "unplaced cohort weight", "unplaced students that fit"
#: What one more place is for: any student of a pool's company, or one crebo or family in an area.
SpotGrouping = Literal["place", "crebo", "family"]
#: Placement variables of a verification neighbourhood before its companies are cut to the spot's
#: company and those where its cohorts hold places.
VERIFY_PAIRS = 60_000


@dataclass
class Spot:
    """One place where an extra supervision place is estimated to help."""

    rank: int
    company: str  # the company of the pool that gets the extra place (most places first)
    companies_in_pool: int
    area: str
    sector: str  # the sector chamber and level of the unplaced students who could use it (most first)
    level: str
    first_week: str
    last_week: str
    estimate: float  # estimated reduction of the weighted shortage
    source: str = SOURCE_DUAL  # or SOURCE_WEIGHT / SOURCE_FIT (see the module docstring)
    realised: float | None = None  # measured by re-solving with the extra place (never negative)
    verified_objective: float | None = None
    verified_status: str | None = None  # the neighbourhood solve: optimal (exact) or feasible (cut short)
    neighbourhood: str | None = None  # cohorts and companies re-solved
    cohorts: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    company_name: str = ""  # the names a region reads (the ids stay for files and variants)
    sector_name: str = ""
    estimated_rank: int | None = None  # the rank by the estimate, before verification
    qualification: str | None = None  # per qualification: the crebo or family the place is for
    crebo: str | None = None  # the crebo of most of the unplaced students it could take, and its name
    crebo_name: str = ""
    qualification_name: str = ""

    def change(self, places: int = 1) -> AddCapacity | AddQualificationPlaces:
        """The change that adds ``places`` at this spot: for its qualification only, when it has one."""
        weeks = WeekRange(first=self.first_week, last=self.last_week)
        if self.qualification is not None:
            return AddQualificationPlaces(qualification=self.qualification, area=self.area, places=places,
                                          company=self.company, weeks=weeks)
        return AddCapacity(companies=CompanySelection(ids=[self.company]), places=places, weeks=weeks)

    def variant(self, places: int = 1) -> Variant:
        """The variant that adds ``places`` at this spot."""
        target = f"{self.qualification} {self.area}" if self.qualification is not None else self.company
        return Variant(name=f"+{places} {target} {self.first_week}..{self.last_week}", changes=[self.change(places)])

    def target(self, scenario: Scenario) -> str:
        """The id of the company that holds the extra place in the spot's variant."""
        change = self.change()
        return change.target_id(scenario) if isinstance(change, AddQualificationPlaces) else self.company


def capacity_spots(scenario: Scenario, plan: Plan | None = None, mode: str = "optimise", top: int = 10,
                   seconds: float = 60.0, seed: int = 0, base_dir: Path | None = None,
                   per: SpotGrouping = "place") -> list[Spot]:
    """The ``top`` spots where one more place is estimated to remove the most weighted shortage.

    Parameters
    ----------
    scenario
        The checked scenario.
    plan
        Its plan, when solved: the unplaced cohorts of the plan name the sector and level a
        spot helps (otherwise all cohorts that may use the pool count).
    mode
        ``optimise`` or ``status-quo`` (the relaxation of that mode).
    top
        How many spots.
    seconds, seed
        Time for the relaxation and its seed.
    base_dir
        Folder the scenario's relative file names refer to.
    per
        ``place``: one more place at a pool's company, for any student it may take; ``crebo`` or
        ``family``: one more place for one qualification in an area (see the module docstring).
    """
    region = Region(scenario, base_dir)
    data = compile_problem(scenario, region, mode)
    relaxation = relax(data, Clock(seconds, None), seed, 1.0)
    width = data.n_weeks * data.n_days
    per_place = DAYS_PER_WEEK if data.n_days == 1 else 1
    values = np.zeros((data.n_clusters, data.n_weeks))
    for cell, dual in relaxation.capacity_duals.items():
        worth = -dual
        if worth > MIN_DUAL:
            cluster, column = divmod(cell, width)
            values[cluster, column // data.n_days] += worth * per_place
    unplaced = {cp.cohort: cp.unplaced for cp in plan.cohorts} if plan is not None else None
    users: dict[int, list[int]] = {}
    for c, pools in enumerate(data.eligible):
        for k in pools:
            users.setdefault(int(k), []).append(c)
    option_weeks: dict[int, set[int]] = {}
    for option in data.options:
        option_weeks.setdefault(option.cohort, set()).update(option.weeks)
    points = region.points
    spots = []
    # Where the relaxation places everyone (often in optimise mode) its duals are zero; then the pools
    # the plan's unplaced students could use are candidates, valued at the weight of one such student.
    fallback = np.zeros(data.n_clusters)
    if unplaced is not None:
        for c, pools in enumerate(data.eligible):
            if unplaced.get(scenario.cohorts[data.cohorts[c]].id, 0) > 0:
                fallback[pools] = np.maximum(fallback[pools], data.weight[c])
    use_fallback = values.sum() <= MIN_DUAL
    order = np.argsort(-(fallback if use_fallback else values.sum(axis=1)), kind="stable")
    seen: set[tuple[str, str]] = set()
    for k in order:
        if len(spots) == top or (fallback[k] if use_fallback else values[k].sum()) <= MIN_DUAL:
            break
        members = data.cluster_members[k]
        company = scenario.companies[int(max(members, key=lambda m: (scenario.companies[m].places, -m)))]
        by_code: Counter = Counter()
        short_of: dict[int, float] = {}
        for c in users.get(int(k), []):
            cohort = scenario.cohorts[data.cohorts[c]]
            short = unplaced.get(cohort.id, 0) if unplaced is not None else cohort.students
            if short > 0:
                short_of[c] = short * float(data.weight[c])
                by_code[cohort.crebo if per != "family" else family_of(cohort.crebo)] += short_of[c]
        crebos: Counter = Counter()
        for c, value in short_of.items():
            crebos[scenario.cohorts[data.cohorts[c]].crebo] += value
        # Per place one spot for the pool; per qualification one for each it helps, most first, once per area.
        targets = [None] if per == "place" else [code for code, _v in by_code.most_common()
                                                 if (code, company.area) not in seen]
        for qualification in targets:
            if len(spots) == top:
                break
            spot = _pool_spot(scenario, data, k, company, qualification, short_of, option_weeks,
                              values, fallback, use_fallback, crebos)
            if spot is None:
                continue
            if qualification is not None:
                seen.add((qualification, company.area))
            spot.rank = len(spots) + 1
            spot.lat, spot.lon = float(points.at[company.area, "lat"]), float(points.at[company.area, "lon"])
            spots.append(spot)
    if plan is not None:
        _fit_estimates(data, plan, spots)
    spots.sort(key=lambda s: (-s.estimate, s.rank))
    for rank, spot in enumerate(spots, start=1):
        spot.rank = spot.estimated_rank = rank
    return spots


def _pool_spot(scenario: Scenario, data: ProblemData, k: int, company: Any, qualification: str | None,
               short_of: dict[int, float], option_weeks: dict[int, set[int]], values: np.ndarray,
               fallback: np.ndarray, use_fallback: bool, crebos: Counter) -> Spot | None:
    """The spot of pool ``k`` (for ``qualification`` only, when given), or None when it is worth nothing."""
    helped: Counter = Counter()
    cohorts, weeks = [], set()
    for c, value in short_of.items():
        cohort = scenario.cohorts[data.cohorts[c]]
        if qualification is None or cohort_in_code(cohort.crebo, qualification):
            helped[(cohort.sector, cohort.level)] += value
            cohorts.append(cohort.id)
            weeks |= option_weeks.get(c, set())
    if not weeks:
        weeks = set(range(data.n_weeks))
    # The place is added in the weeks the students it could take are at a company.
    first, last = min(weeks), max(weeks)
    estimate = float(fallback[k]) if use_fallback else float(values[k, first:last + 1].sum())
    if estimate <= MIN_DUAL:
        return None
    (sector, level), _count = helped.most_common(1)[0] if helped else ((company.sectors[0], company.levels[0]), 0)
    ours = Counter({c: v for c, v in crebos.items() if cohort_in_code(c, qualification)})
    crebo = ours.most_common(1)[0][0] if ours else None
    return Spot(rank=0, company=company.id, company_name=company.name,
                sector_name=sector_label(sector, current_language()), qualification=qualification,
                qualification_name=qualification_label(qualification) if qualification else "",
                crebo=crebo, crebo_name=qualification_label(crebo) if crebo else "",
                companies_in_pool=len(data.cluster_members[k]), area=company.area,
                sector=sector, level=level, first_week=scenario.calendar.weeks[first],
                last_week=scenario.calendar.weeks[last], estimate=round(estimate, 4), cohorts=sorted(cohorts),
                source=SOURCE_WEIGHT if use_fallback else SOURCE_DUAL)


def rank_by_realised(spots: list[Spot]) -> list[Spot]:
    """The spots ranked by what holds: the verified ones by their realised reduction (then the estimate),
    then those not verified (by their estimate), last those verified to remove nothing; ``rank``
    renumbered, ``estimated_rank`` kept."""
    def group(spot: Spot) -> int:
        if spot.realised is None:
            return 1
        return 0 if spot.realised > MIN_DUAL else 2

    spots.sort(key=lambda s: (group(s), -(s.realised or 0.0), -s.estimate, s.estimated_rank or s.rank))
    for rank, spot in enumerate(spots, start=1):
        spot.rank = rank
    return spots


def _spot_cells(data: ProblemData, first: int, last: int) -> tuple[np.ndarray, int]:
    """Capacity cells of weeks ``first..last`` and what one more place adds in each."""
    weeks = np.arange(first, last + 1)
    cells = (weeks[:, None] * data.n_days + np.arange(data.n_days)[None, :]).ravel()
    return cells, (DAYS_PER_WEEK if data.n_days == 1 else 1)


def _candidate_options(data: ProblemData, cohort: int, used: set[int], all_options: list[np.ndarray]) -> list[int]:
    """Options a cohort may place more students in: its waves, or any option while it may add a wave."""
    if len(used) >= int(data.max_waves[cohort]):
        return sorted(used)
    return [int(o) for o in all_options[cohort]]


def _pack(data: ProblemData, company: int, free: np.ndarray, short: np.ndarray, cohorts: list[int],
          options: dict[int, list[int]], rows: list) -> float:
    """Weighted students of ``cohorts`` (heaviest first) that fit into ``free`` capacity of ``company``."""
    free = free.copy()
    value = 0.0
    for c in sorted(cohorts, key=lambda c: (-data.weight[c], c)):
        for _unit in range(int(short[c])):
            for o in options[c]:
                cells, need = rows[o]
                if (free[cells] >= need).all():
                    free[cells] -= need
                    value += float(data.weight[c])
                    break
            else:
                break
    return value


def _fit_estimates(data: ProblemData, plan: Plan, spots: list[Spot]) -> None:
    """Each spot's estimate: the weighted unplaced students one more place there can take (where any)."""
    scenario = data.scenario
    base = start_assignments(data, plan)
    remaining = remaining_capacity(data, base)
    short = data.students - placed_per_cohort(data, base)
    sets = company_sets(data)
    rows = option_rows(data)
    all_options = options_by_cohort(data)
    used: dict[int, set[int]] = defaultdict(set)
    for option, _company, _n in base:
        used[int(data.option_cohort[option])].add(int(option))
    options = {c: _candidate_options(data, c, used[c], all_options) for c in range(len(data.cohorts)) if short[c] > 0}
    for spot in spots:
        m = scenario.company_index[spot.company]
        cells, per_place = _spot_cells(data, scenario.calendar.week_index[spot.first_week],
                                       scenario.calendar.week_index[spot.last_week])
        users = [c for c in options if np.isin(m, sets[c]) and (
            spot.qualification is None or cohort_in_code(scenario.cohorts[data.cohorts[c]].crebo, spot.qualification))]
        free = np.maximum(remaining[m], 0)
        more = free.copy()
        more[cells] += per_place
        value = _pack(data, m, more, short, users, options, rows) - _pack(data, m, free, short, users, options, rows)
        if value > MIN_DUAL:
            spot.estimate, spot.source = round(value, 4), SOURCE_FIT


def verify_spot(scenario: Scenario, base_plan: Plan, spot: Spot, mode: str, seconds: float = 60.0, seed: int = 0,
                base_dir: Path | None = None) -> dict[str, Any]:
    """Re-solve the scenario with one more place at ``spot``, exactly, in the neighbourhood the place can affect.

    The neighbourhood: the cohorts that may use the spot's company and have an option in the
    spot's weeks, and the cohorts holding places there, with the companies they may use (cut to
    the spot's company and those where they hold places when that is too big). Every other
    placement of the base plan is held; the base plan is the solve's start and stays feasible.

    Returns
    -------
    dict
        ``base`` (the base plan's weighted shortage), ``objective`` (after the re-solve, never
        above ``base``), ``status`` (``optimal``: exact for the neighbourhood), ``cohorts``,
        ``companies``.
    """
    variant = apply_variant(scenario, spot.variant(), None)
    data = compile_problem(variant, Region(variant, base_dir), mode)
    start = start_assignments(data, base_plan)
    base_value = weighted_shortage(data, start)
    m = variant.company_index[spot.target(scenario)]
    sets = company_sets(data)
    rows = option_rows(data)
    all_options = options_by_cohort(data)
    cells, _ = _spot_cells(data, variant.calendar.week_index[spot.first_week],
                           variant.calendar.week_index[spot.last_week])
    in_spot = np.zeros(data.occupancy.shape[1], dtype=bool)
    in_spot[cells] = True
    holders: dict[int, set[int]] = defaultdict(set)  # cohort -> companies where it holds places
    used: dict[int, set[int]] = defaultdict(set)
    for option, company, _n in start:
        cohort = int(data.option_cohort[option])
        holders[cohort].add(int(company))
        used[cohort].add(int(option))
    cohorts = sorted({c for c in range(len(data.cohorts)) if np.isin(m, sets[c])
                      and any(in_spot[rows[int(o)][0]].any() for o in all_options[c])}
                     | {c for c, held in holders.items() if m in held})
    options = {c: np.array(sorted(set(_candidate_options(data, c, used[c], all_options)) | used[c]), dtype=np.int64)
               for c in cohorts}
    companies = set().union(*(set(sets[c].tolist()) for c in cohorts)) if cohorts else {m}
    if sum(len(sets[c]) * len(options[c]) for c in cohorts) > VERIFY_PAIRS:
        companies = {m}.union(*(holders[c] for c in cohorts))
    free_company = np.zeros(data.company_capacity.shape[0], dtype=bool)
    free_company[sorted(companies)] = True
    free_cohort = np.zeros(len(data.cohorts), dtype=bool)
    free_cohort[cohorts] = True
    fixed = [a for a in start if not (free_cohort[data.option_cohort[a[0]]] and free_company[a[1]])]
    built = build_company_model(data, np.array(cohorts, dtype=np.int64), np.array(sorted(companies), dtype=np.int64),
                                options, fixed, symmetry_breaking=False)
    result = solve_company_mip(data, built, seconds, seed, hint=start)
    better: list[Assignment] | None = result.assignments if result.value <= base_value + 1e-9 else None
    objective = weighted_shortage(data, better) if better is not None else base_value
    return {"base": float(base_value), "objective": float(objective), "status": result.status,
            "cohorts": len(cohorts), "companies": len(companies)}


def verify_case(scenario_json: str, plan_json: str, spot_json: str, mode: str, seconds: float, seed: int,
                base_dir: str | None) -> str:
    """:func:`verify_spot` in a worker: plain arguments in, its result as JSON out."""
    result = verify_spot(Scenario.model_validate_json(scenario_json), Plan.model_validate_json(plan_json),
                         Spot(**json.loads(spot_json)), mode, seconds, seed, Path(base_dir) if base_dir else None)
    return json.dumps(result)


def verify_spots(scenario: Scenario, base_plan: Plan, spots: list[Spot], params: SolveParams, verify: int,
                 executor: Executor | None = None, base_dir: Path | None = None) -> list[Spot]:
    """Verify the first ``verify`` spots (:func:`verify_spot`, on ``executor``); fill in ``realised``.

    ``realised`` is the base plan's weighted shortage minus that of the plan re-solved with the
    extra place: never negative, and exact for the spot's neighbourhood when ``verified_status``
    is ``optimal``. ``params`` gives the mode (a greedy plan: status quo), the seed and the
    seconds of each neighbourhood solve (a safety net: they are usually proven in far less).
    """
    chosen = spots[:verify]
    if not chosen:
        return spots
    executor = executor or InlineExecutor()
    mode = "status-quo" if base_plan.mode == "greedy" else base_plan.mode
    scenario_json, plan_json = scenario.model_dump_json(), base_plan.model_dump_json()
    futures = {executor.submit(verify_case, scenario_json, plan_json, json.dumps(asdict(spot)), mode,
                               params.time_limit, params.seed, str(base_dir) if base_dir else None): spot
               for spot in chosen}
    for future in executor.as_completed(list(futures)):
        spot = futures[future]
        result = json.loads(future.result())
        spot.verified_objective = round(result["objective"], 4)
        spot.realised = round(max(0.0, result["base"] - result["objective"]), 4)
        spot.verified_status = result["status"]
        spot.neighbourhood = _("{cohorts} cohorts, {companies} companies").format(
            cohorts=result["cohorts"], companies=result["companies"])
    return rank_by_realised(spots)


def spot_rows(spots: list[Spot]) -> list[dict[str, Any]]:
    """The spots as plain rows (JSON, CSV)."""
    return [asdict(s) for s in spots]
