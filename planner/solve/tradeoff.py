"""The trade-off a consortium negotiates: at most k cohorts change period or form -> shortage.

From the status quo (k = 0) to the optimised plan (k = the cohorts it changes), each point is
the company-level model (:func:`~planner.solve.exact.company_model.build_company_model`) with a
limit on the changed cohorts, solved by SCIP under a node budget (deterministic). "Changed" is
the plan's own rule (:func:`planner.plan.changes.period_changed`): a cohort with students in a
wave whose form or start is not its current period.

Up to :data:`EXACT_PART_PAIRS` placement variables (the size the exact stage solves whole) the
model has every option, and a point's bound is SCIP's proven bound for its limit. Above it (Twente
optimise has 98,000: the root alone took 64 s at k = 0 and did not finish in 600 s at k = 3) a
cohort's candidates are its current period and the periods the optimised plan gives it: which of
the optimised plan's changes buy the most.

Every point also gets the bound of the pooled model with the same limit
(:func:`pooled_limit_bound`): companies pooled into their clusters and students continuous (the
pooled LP relaxation), with a binary "changed" per cohort and at most k of them, solved by SCIP
under a node budget. Every plan with at most k changed cohorts is a solution of it, so its proven
bound is a bound for k, with every option, whatever the size of the company model. (It is at least
the Lagrangian bound ``LB_penalised(lambda) - lambda * k`` of the same relaxation for every
penalty ``lambda`` per changed cohort, since the limit is kept as a row instead of priced.) The
optimised solve's bound holds for every k (a limit only removes plans), and at k = 0 the status
quo's, when the two modes allow the same plans (no weekday detail).

The curve is non-increasing by construction: a point's plan keeps the limit of every larger k,
so it is a start for the next point, which is kept whenever the solver does not find better.
Bounds are made monotone the same way: the optimum at k is at least the optimum at any larger
k, so the largest bound from k onwards holds for k. The last point has the optimised plan, so
when that plan is proven optimal the curve ends at the proven optimum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from planner.geo.region import Region
from planner.model.formulation import Objective, build_model, placement_columns
from planner.model.problem import ProblemData, compile_problem
from planner.plan.model import Plan, TradeoffPoint
from planner.plan.state import gap
from planner.scenario import Scenario
from planner.solve.assemble import assemble_plan, assignments_of
from planner.solve.clock import Clock
from planner.solve.exact.company_model import build_company_model
from planner.solve.exact.engines import solve_company_mip
from planner.solve.exact.improve import EXACT_PART_PAIRS
from planner.solve.exact.tables import objective_scale
from planner.solve.heuristics import Assignment, placed_per_cohort, weighted_shortage
from planner.solve.scip import scip_parameters

#: How many points a curve has at most (the status quo and the optimum included).
CURVE_POINTS = 10
#: SCIP's branch-and-bound nodes per point: the work budget of one point.
POINT_NODES = 500
#: The safety net per point (seconds); a point the net stops says so (``stopped``).
POINT_SECONDS = 300.0
#: SCIP's branch-and-bound nodes for the pooled bound of one point (:class:`PooledLimitBound`).
BOUND_NODES = 200


@dataclass
class CurvePoint:
    """One point of the curve: the best plan with at most ``max_changed`` changed cohorts.

    Attributes
    ----------
    max_changed
        The limit k on cohorts that change period or form.
    changed
        Cohorts the point's plan changes (at most ``max_changed``).
    moved
        Students not in their cohort's current period.
    shortage
        Weighted shortage of the point's plan.
    unplaced
        Students without a place.
    bound
        A proven lower bound on the weighted shortage of any plan with at most k changed cohorts.
    assignments
        The point's plan (on the problem it was solved on).
    """

    max_changed: int
    changed: int
    moved: int
    shortage: float
    unplaced: int
    bound: float
    stopped: bool = False
    assignments: list[Assignment] = field(default_factory=list, repr=False)

    @property
    def optimal(self) -> bool:
        """Whether the point's plan is proven best for its limit."""
        return self.bound >= self.shortage - 1e-9

    @property
    def gap(self) -> float:
        """How far the point's plan may be from the best for its limit (:func:`planner.plan.state.gap`)."""
        return gap(self.shortage, self.bound)

    def as_out(self) -> TradeoffPoint:
        """The point as the plan records it (without its placements)."""
        return TradeoffPoint(max_changed=self.max_changed, changed=self.changed, moved=self.moved,
                             shortage=self.shortage, unplaced=self.unplaced, bound=self.bound,
                             gap=self.gap, optimal=self.optimal, stopped=self.stopped)


def changed_cohorts(data: ProblemData, assignments: list[Assignment]) -> set[int]:
    """Cohorts (positions in ``data.cohorts``) with students outside their current period."""
    table = np.asarray(assignments, dtype=np.int64).reshape(-1, 3)
    moving = table[(table[:, 2] > 0) & ~data.option_current[table[:, 0]]]
    return set(data.option_cohort[moving[:, 0]].tolist())


def moved_students(data: ProblemData, assignments: list[Assignment]) -> int:
    """Students placed outside their cohort's current period."""
    table = np.asarray(assignments, dtype=np.int64).reshape(-1, 3)
    return int(table[~data.option_current[table[:, 0]], 2].sum()) if len(table) else 0


class PooledLimitBound:
    """Lower bounds on the least weighted shortage with at most k changed cohorts, from the pooled model.

    The pooled LP relaxation (:func:`~planner.model.formulation.build_model`: companies summed into
    clusters, students continuous, no wave rules) with, per cohort, a binary ``changed[c]`` and the
    rows ``sum of x[c, o, .] over c's options outside its current period <= students_c * changed[c]``
    and ``sum_c changed[c] <= k``. Any plan with at most k changed cohorts is a solution, so SCIP's
    proven bound (under a node budget) is a bound for k. The model is built once; each limit only
    changes the last row's right-hand side.
    """

    def __init__(self, data: ProblemData):
        self.data = data
        built = build_model(data, placement_columns(data), Objective())
        n_vars, n_c = built.n_variables, len(built.cohorts)
        columns = built.columns
        moving = np.nonzero(~data.option_current[columns.option])[0]
        local = np.full(len(data.cohorts), -1, dtype=np.int64)
        local[built.cohorts] = np.arange(n_c)
        linking = sp.csr_matrix(
            (np.concatenate([np.ones(len(moving)), -data.students[built.cohorts].astype(float)]),
             (np.concatenate([local[data.option_cohort[columns.option[moving]]], np.arange(n_c)]),
              np.concatenate([moving, n_vars + np.arange(n_c)]))), shape=(n_c, n_vars + n_c))
        cardinality = sp.csr_matrix((np.ones(n_c), (np.zeros(n_c, dtype=np.int64), n_vars + np.arange(n_c))),
                                    shape=(1, n_vars + n_c))
        wide = sp.hstack([built.matrix, sp.csr_matrix((built.matrix.shape[0], n_c))])
        self.matrix = sp.vstack([wide, linking, cardinality]).tocsr()
        self.lower = np.concatenate([built.lower, np.zeros(n_c)])
        self.upper = np.concatenate([built.upper, np.ones(n_c)])
        self.cost = np.concatenate([built.cost, np.zeros(n_c)])
        self.row_lower = np.concatenate([built.row_lower, np.full(n_c + 1, -np.inf)])
        self.row_upper = np.concatenate([built.row_upper, np.zeros(n_c), [0.0]])
        self.changed = n_vars + np.arange(n_c)
        self.scale = objective_scale(data.weight)

    def bound(self, limit: int, nodes: int = BOUND_NODES, seconds: float = POINT_SECONDS, seed: int = 0) -> float:
        """A proven lower bound on the weighted shortage of every plan with at most ``limit`` changed cohorts.

        Rounded up to the next value a plan can have (students are whole, weights multiples of 1 / scale);
        0.0 when SCIP proves nothing within ``nodes`` and the safety net of ``seconds``.
        """
        row_upper = self.row_upper.copy()
        row_upper[-1] = float(limit)
        helper = mbh.ModelBuilderHelper()
        helper.fill_model_from_sparse_data(self.lower, self.upper, self.cost, self.row_lower, row_upper, self.matrix)
        for var in self.changed.tolist():
            helper.set_var_integrality(var, True)
        solver = mbh.ModelSolverHelper("scip")
        solver.set_time_limit_in_seconds(max(0.1, float(seconds)))
        solver.set_solver_specific_parameters(scip_parameters(seed, nodes))
        solver.solve(helper)
        if solver.status() not in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE):
            return 0.0
        proven = float(solver.best_objective_bound())
        if not np.isfinite(proven):
            return 0.0
        return max(0.0, float(np.ceil(proven * self.scale - 1e-6)) / self.scale)


def curve_limits(most: int, points: int = CURVE_POINTS) -> list[int]:
    """The limits k of a curve: 0 to ``most`` in about ``points`` even steps, both ends included."""
    return sorted({int(round(k)) for k in np.linspace(0, most, max(2, points))}) if most > 0 else [0]


def _point(data: ProblemData, limit: int, assignments: list[Assignment], bound: float,
           stopped: bool = False) -> CurvePoint:
    placed = placed_per_cohort(data, assignments)
    return CurvePoint(limit, len(changed_cohorts(data, assignments)), moved_students(data, assignments),
                         float(weighted_shortage(data, assignments)), int((data.students - placed).sum()),
                         bound, stopped, list(assignments))


def candidate_options(data: ProblemData, optimum: list[Assignment]) -> dict[int, np.ndarray] | None:
    """Options per cohort of the curve's models: all (None) up to ``EXACT_PART_PAIRS`` placement variables, else
    each cohort's current period and the periods ``optimum`` gives it."""
    if data.placement_pairs() <= EXACT_PART_PAIRS:
        return None
    table = np.asarray(optimum, dtype=np.int64).reshape(-1, 3)
    used = set(table[table[:, 2] > 0, 0].tolist())
    chosen = data.option_current | np.isin(np.arange(len(data.options)), list(used))
    return {c: np.nonzero(chosen & (data.option_cohort == c))[0] for c in range(len(data.cohorts))}


def tradeoff_curve(data: ProblemData, status_quo: list[Assignment], optimum: list[Assignment],
                   optimum_bound: float = 0.0, status_quo_bound: float = 0.0, points: int = CURVE_POINTS,
                   nodes: int = POINT_NODES, seconds: float = POINT_SECONDS, seed: int = 0,
                   progress: Callable[[CurvePoint], None] | None = None,
                   bound_nodes: int = BOUND_NODES) -> list[CurvePoint]:
    """The shortage per limit on changed cohorts, from the status quo to ``optimum``, each with its bound.

    Parameters
    ----------
    data
        The optimise-mode problem (the status quo's periods are options of it).
    status_quo
        The status-quo plan on ``data`` (no cohort changed): the start of the first point.
    optimum
        The optimised plan on ``data``; its changed cohorts are the last point's limit, and it is
        a candidate there.
    optimum_bound
        A proven bound of the optimised solve (a bound for every point).
    status_quo_bound
        A proven bound of the status-quo solve (a bound for k = 0 without weekday detail).
    points, nodes, seconds, seed
        Points of the curve; SCIP's node budget, safety net (of the point's solve and its bound together)
        and seed per point.
    progress
        Called with every point when it is solved (its bound not yet made monotone).
    bound_nodes
        SCIP's node budget of each point's pooled bound (:class:`PooledLimitBound`; 0: none).

    Returns
    -------
    list[CurvePoint]
        One point per limit, in increasing k, with non-increasing shortage and bound.
    """
    most = len(changed_cohorts(data, optimum))
    curve: list[CurvePoint] = []
    incumbent = list(status_quo)
    candidates = candidate_options(data, optimum)
    pooled = PooledLimitBound(data) if bound_nodes > 0 else None
    for limit in curve_limits(most, points):
        built = build_company_model(data, candidate_options=candidates, symmetry_breaking=False, max_changed=limit)
        solved = solve_company_mip(data, built, seconds, seed, hint=incumbent, nodes=nodes)
        plans = [incumbent] + ([solved.placements] if solved.placements is not None else [])
        if limit >= most:
            plans.append(list(optimum))
        best = min(plans, key=lambda plan: weighted_shortage(data, plan))
        incumbent = best
        stopped = solved.status not in ("optimal", "feasible") or (solved.seconds >= seconds * 0.99)
        bound = optimum_bound
        if candidates is None:
            bound = max(bound, solved.bound)
        elif limit == 0 and data.n_days == 1:
            bound = max(bound, status_quo_bound)
        if pooled is not None and bound < weighted_shortage(data, best) - 1e-9:
            # The point's safety net covers its bound too (the service caps a curve's nets at the role's limit).
            bound = max(bound, pooled.bound(limit, bound_nodes, max(0.1, seconds - solved.seconds), seed))
        curve.append(_point(data, limit, best, bound, stopped))
        if progress is not None:
            progress(curve[-1])
    # The optimum at k is at least that at any larger k: the largest bound from k onwards holds.
    for i in range(len(curve) - 2, -1, -1):
        curve[i].bound = max(curve[i].bound, curve[i + 1].bound)
    for point in curve:
        point.bound = min(point.bound, point.shortage)
    return curve


def plan_tradeoff(scenario: Scenario, region: Region, plan: Plan, status_quo: Plan, points: int = CURVE_POINTS,
                  nodes: int = POINT_NODES, seconds: float = POINT_SECONDS, seed: int = 0,
                  progress: Callable[[CurvePoint], None] | None = None) -> tuple[ProblemData, list[CurvePoint]]:
    """The trade-off curve of an optimised ``plan`` from its ``status_quo`` plan (see :func:`tradeoff_curve`),
    on the optimise-mode problem of ``scenario`` (returned with the points, to assemble a point's plan)."""
    data = compile_problem(scenario, region, "optimise")
    curve = tradeoff_curve(data, assignments_of(data, status_quo), assignments_of(data, plan), plan.kpis.bound,
                           status_quo.kpis.bound, points=points, nodes=nodes, seconds=seconds, seed=seed,
                           progress=progress)
    return data, curve


def point_rows(data: ProblemData, assignments: list[Assignment]) -> list[list]:
    """A point's placements as plain rows (cohort id, form, start week, weekdays, company id, students), to store."""
    scenario = data.scenario
    rows = []
    for option, company, students in assignments:
        spec = data.options[option]
        rows.append([scenario.cohorts[data.cohorts[spec.cohort]].id, str(spec.form),
                     scenario.calendar.weeks[spec.start], list(spec.weekdays) if spec.weekdays else None,
                     scenario.companies[company].id, int(students)])
    return rows


def proposal_plan(data: ProblemData, region: Region, rows: list[list], point: TradeoffPoint) -> Plan:
    """The plan of a stored curve point (its :func:`point_rows`), checked and assembled: the proposal a
    consortium adopts. Raises ``ValueError`` when the rows do not fit the scenario (another version)."""
    scenario = data.scenario
    position_of = {scenario.cohorts[i].id: c for c, i in enumerate(data.cohorts)}
    option_of = {(spec.cohort, str(spec.form), spec.start, spec.weekdays): o for o, spec in enumerate(data.options)}
    assignments: list[Assignment] = []
    for cohort, form, start, weekdays, company, students in rows:
        key = (position_of.get(cohort), form, scenario.calendar.week_index.get(start),
               tuple(weekdays) if weekdays else None)
        if key not in option_of or company not in scenario.company_index:
            raise ValueError(f"cohort {cohort}: {form} from {start} at {company} is not an option of this scenario")
        assignments.append((option_of[key], scenario.company_index[company], int(students)))
    stats = {"status": f"trade-off point: at most {point.max_changed} changed cohorts",
             "engine": "company level: SCIP with a limit on changed cohorts"}
    return assemble_plan(data, region, "optimise", assignments, point.bound, Clock(1.0, None), stats)
