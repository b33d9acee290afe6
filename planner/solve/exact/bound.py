"""A proven lower bound on the weighted shortage: Dantzig-Wolfe / Lagrangian over company classes.

Companies with the same remaining capacity row and the same set of cohorts that may use them
form a *class* with multiplicity ``n_k``. A *pattern* of a class is what one of its companies
can take: integer students per option whose student-days fit the company in every week(-day).

The master problem chooses at most ``n_k`` patterns per class::

    min  sum_c w_c u_c
    s.t. sum_{k,p} a_{c,p} lambda_{k,p} + u_c >= S_c     (every student placed or short; dual pi_c)
         sum_p lambda_{k,p} <= n_k                        (a class has n_k companies)
         lambda, u >= 0

For any ``pi`` with ``0 <= pi_c <= w_c`` the Lagrangian relaxation of the first rows gives the
valid bound (wave limits and integrality of ``lambda`` are relaxed, nothing else)::

    L(pi) = sum_c pi_c S_c - sum_k n_k * max(0, V_k(pi)),  V_k(pi) = max_p sum_c pi_c a_{c,p}

where ``V_k`` is an exact small packing problem per class (solved by SCIP; when a pricing solve
is cut short its proven upper bound is used, so ``L`` stays valid). Column generation on the
master moves ``pi`` towards the best bound; the reported bound is the best ``L`` seen, never
the master's LP value from an unfinished column generation.
"""

from __future__ import annotations

import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from planner.model.formulation import Objective, build_model, placement_columns
from planner.model.problem import ProblemData
from planner.solve.exact.tables import Assignment, company_sets, objective_scale, option_rows, options_by_cohort
from planner.solve.scip import scip_parameters


@dataclass
class BoundResult:
    """A proven lower bound and how it was obtained.

    Attributes
    ----------
    bound
        Valid lower bound on the weighted shortage.
    master_value
        LP value of the last restricted master (a bound only when ``converged``).
    converged
        Column generation finished (no pattern prices out).
    rounds, classes, columns
        Sizes of the computation.
    history
        ``(seconds, bound)`` whenever the bound improved.
    master_shortage
        Students short per cohort in the last restricted master's LP solution (the shortage
        the bound itself cannot avoid, when ``converged``).
    """

    bound: float
    master_value: float
    converged: bool
    rounds: int = 0
    classes: int = 0
    columns: int = 0
    history: list[tuple[float, float]] = field(default_factory=list)
    master: Master | None = None
    master_shortage: np.ndarray | None = None


@dataclass
class Master:
    """The master's columns: classes (members, users), per column its class, cohort vector and pattern.

    A column's cohort vector is sparse: ``(class, cohorts, students)`` with the cohorts sorted
    (a national region has thousands of cohorts and a company takes a few of them).
    """

    classes: list[tuple[np.ndarray, np.ndarray]]
    columns: list[tuple[int, np.ndarray, np.ndarray]]
    patterns: list[list[tuple[int, int]]]
    incumbent_counts: dict[int, int] = field(default_factory=dict)


def _sparse_column(data: ProblemData, pattern: dict[int, int] | list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """A pattern ``(option, students)`` as its students per cohort: (sorted cohorts, students)."""
    items = pattern.items() if isinstance(pattern, dict) else pattern
    per_cohort: dict[int, float] = defaultdict(float)
    for option, n in items:
        per_cohort[int(data.option_cohort[option])] += n
    cohorts = np.array(sorted(per_cohort), dtype=np.int32)
    return cohorts, np.array([per_cohort[int(c)] for c in cohorts], dtype=float)


def master_matrix(columns: list[tuple[int, np.ndarray, np.ndarray]], n_c: int, n_k: int) -> sp.csr_matrix:
    """Rows: cohorts then classes; columns: the ``n_c`` shortage variables then the patterns."""
    n_col = len(columns)
    sizes = np.fromiter((len(idx) for _, idx, _ in columns), dtype=np.int64, count=n_col)
    rows = np.concatenate([np.arange(n_c)] + [idx for _, idx, _ in columns]
                          + [np.fromiter((n_c + k for k, _, _ in columns), dtype=np.int64, count=n_col)])
    cols = np.concatenate([np.arange(n_c), n_c + np.repeat(np.arange(n_col), sizes), n_c + np.arange(n_col)])
    vals = np.concatenate([np.ones(n_c)] + [v for _, _, v in columns] + [np.ones(n_col)])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n_c + n_k, n_c + n_col))


class _PricingClass:
    """One class of identical companies and its packing problem."""

    def __init__(self, data: ProblemData, company: int, count: int, cohorts: np.ndarray,
                 all_options: list[np.ndarray], rows_of: list[tuple[np.ndarray, np.ndarray]]):
        self.company = company
        self.count = count
        capacity = data.company_capacity[company]
        options, caps = [], []
        for cohort in cohorts:
            for option in all_options[cohort]:
                cells, load = rows_of[int(option)]
                if not len(cells):
                    continue
                fit = int(min((capacity[cells] // load).min(), data.students[cohort]))
                if fit > 0:
                    options.append(int(option))
                    caps.append(fit)
        self.options = np.array(options, dtype=np.int64)
        self.option_cohort = data.option_cohort[self.options] if len(options) else np.zeros(0, dtype=np.int64)
        self.caps = np.array(caps, dtype=float)
        n = len(options)
        triplets_r, triplets_c, triplets_v, upper = [], [], [], []
        row = 0
        if n:
            # Capacity of the company in every cell some option needs (dropping rows that cannot bind).
            dense = data.occupancy[self.options].toarray()
            worst = self.caps @ dense
            seen: dict[bytes, int] = {}
            for cell in np.nonzero(worst > capacity)[0]:
                key = dense[:, cell].tobytes()
                if key in seen and capacity[seen[key]] <= capacity[cell]:
                    continue
                seen[key] = cell
            for cell in seen.values():
                nz = np.nonzero(dense[:, cell])[0]
                triplets_r += [row] * len(nz)
                triplets_c += nz.tolist()
                triplets_v += dense[nz, cell].tolist()
                upper.append(float(capacity[cell]))
                row += 1
            # A cohort's students in one company: at most its size over all its options.
            by_cohort = defaultdict(list)
            for j, cohort in enumerate(self.option_cohort):
                by_cohort[int(cohort)].append(j)
            for cohort, members in by_cohort.items():
                if len(members) > 1 and self.caps[members].sum() > data.students[cohort]:
                    triplets_r += [row] * len(members)
                    triplets_c += members
                    triplets_v += [1.0] * len(members)
                    upper.append(float(data.students[cohort]))
                    row += 1
        self.matrix = sp.csr_matrix((triplets_v, (triplets_r, triplets_c)), shape=(row, n))
        self.row_upper = np.array(upper, dtype=float)


# Pricing problems solved together in one SCIP model (block-diagonal: SCIP still finds each
# block's optimum). A separate solve per class costs SCIP's set-up each time: on M's status quo
# (8,865 classes, median 30 options and 19 rows) 1.9 ms per class alone, 0.7 ms in batches of 50.
PRICING_BATCH = 50


def price_classes(classes: list[_PricingClass], multiplicity: list[float], profit: np.ndarray, time_limit: float,
                  nodes: int | None = None) -> tuple[float, list[np.ndarray | None], bool]:
    """Best patterns of several classes for cohort profits ``profit``, in one solve.

    Returns ``(bound, patterns, exact)``: a proven upper bound on ``sum_k multiplicity_k * V_k``
    (the best pattern values, never negative), the best pattern found per class (students per
    option; None when no pattern has a positive value) and whether every class was solved to
    optimality. ``nodes`` is a node limit per class.
    """
    patterns: list[np.ndarray | None] = [None] * len(classes)
    total = 0.0
    blocks: list[tuple[int, np.ndarray, np.ndarray]] = []  # (class, values, upper bounds) for the MIP
    for k, pricing in enumerate(classes):
        if not len(pricing.options):
            continue
        value = profit[pricing.option_cohort]
        if value.max() <= 1e-12:
            continue
        upper = np.where(value > 1e-12, pricing.caps, 0.0)
        if pricing.matrix.shape[0] == 0:
            # No capacity row can bind: every useful option at its largest fit.
            patterns[k] = np.rint(upper).astype(np.int64)
            total += multiplicity[k] * float(value @ upper)
            continue
        blocks.append((k, value, upper))
    if not blocks:
        return total, patterns, True
    matrix = sp.block_diag([classes[k].matrix for k, _, _ in blocks], format="csr")
    values = np.concatenate([multiplicity[k] * value for k, value, _ in blocks])
    upper = np.concatenate([u for _, _, u in blocks])
    row_upper = np.concatenate([classes[k].row_upper for k, _, _ in blocks])
    helper = mbh.ModelBuilderHelper()
    helper.fill_model_from_sparse_data(np.zeros(len(upper)), upper, -values, np.full(len(row_upper), -np.inf),
                                       row_upper, matrix)
    for var in range(len(upper)):
        helper.set_var_integrality(var, True)
    solver = mbh.ModelSolverHelper("scip")
    solver.set_time_limit_in_seconds(max(0.05, time_limit))
    solver.set_solver_specific_parameters(scip_parameters(nodes=nodes * len(blocks) if nodes else None))
    solver.solve(helper)
    status = solver.status()
    solution = np.rint(np.asarray(solver.variable_values())).astype(np.int64) if solver.has_solution() else None
    if solution is not None:
        position = 0
        for k, value, _ in blocks:
            patterns[k] = solution[position: position + len(value)]
            position += len(value)
    if status == mbh.SolveStatus.OPTIMAL:
        return total + float(values @ solution), patterns, True
    # Cut short: the proven bound of the maximisation (a minimisation of -value here).
    best = -solver.best_objective_bound() if status == mbh.SolveStatus.FEASIBLE else float(values @ upper)
    return total + max(best, 0.0), patterns, False


def company_classes(data: ProblemData, cohorts: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Classes of identical companies: (member companies, cohorts that may use them).

    Only ``cohorts`` (all by default) count as users; companies none of them may use are left out.
    """
    users: dict[int, list[int]] = defaultdict(list)
    sets = company_sets(data)
    chosen = range(len(data.cohorts)) if cohorts is None else [int(c) for c in cohorts]
    for cohort in chosen:
        for m in sets[cohort]:
            users[int(m)].append(cohort)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for company, cohort_list in users.items():
        if data.company_capacity[company].max() <= 0:
            continue
        groups[(data.company_capacity[company].tobytes(), tuple(sorted(cohort_list)))].append(company)
    return [(np.array(members, dtype=np.int64), np.array(key[1], dtype=np.int64)) for key, members in groups.items()]


def pooled_duals(data: ProblemData, time_limit: float = 10.0, max_columns: int = 300_000) -> np.ndarray | None:
    """Cohort duals of the pooled LP relaxation (a good first point for the Lagrangian bound).

    At these multipliers the Lagrangian bound is at least the pooled LP's value: each company
    class's exact packing is worth at most its share of the pooled capacity duals.
    Returns None when the LP is too large or not solved in time.
    """
    per_option = np.array([len(data.eligible[c]) for c in data.option_cohort], dtype=np.int64)
    if per_option.sum() > max_columns:
        return None
    columns = placement_columns(data)
    built = build_model(data, columns, Objective())
    engine = mbh.ModelSolverHelper("glop")
    engine.set_time_limit_in_seconds(max(0.2, time_limit))
    engine.solve(built.helper)
    if engine.status() != mbh.SolveStatus.OPTIMAL:
        return None
    duals = np.asarray(engine.dual_values())[: len(data.cohorts)]
    return np.clip(duals, 0.0, data.weight)


def dantzig_wolfe_bound(
    data: ProblemData,
    time_limit: float,
    incumbent: list[Assignment] | None = None,
    cohorts: np.ndarray | None = None,
    pricing_limit: float = 0.25,
    smoothing: float = 0.5,
    start: np.ndarray | None = None,
    threads: int = 2,
    max_rounds: int | None = None,
    pricing_nodes: int | None = None,
) -> BoundResult:
    """Lower bound on the weighted shortage by column generation over company classes.

    Parameters
    ----------
    data
        The compiled problem.
    time_limit
        Seconds.
    incumbent
        A plan whose per-company loads seed the master with columns.
    cohorts
        Bound the weighted shortage of these cohorts only (a union of independent parts);
        all cohorts by default.
    pricing_limit
        Seconds per pricing problem (a cut-short one contributes its proven bound).
    smoothing
        Wentges dual smoothing: pricing at ``a * best_pi + (1 - a) * master_pi``.
    start
        First multipliers (e.g. :func:`pooled_duals`); they are priced first and are the
        first stability centre.
    threads
        Pricing problems solved in parallel (each SCIP solve is single-threaded).
    max_rounds, pricing_nodes
        A work budget: at most this many rounds, and a node limit per pricing problem (the
        same bound on any machine; ``time_limit`` and ``pricing_limit`` are then safety nets).

    Returns
    -------
    BoundResult
        The best Lagrangian bound found (always valid).
    """
    if max_rounds == 0:
        # No rounds asked for: not even the pricing problems are set up (on a national region that alone
        # takes minutes); the trivial bound.
        return BoundResult(bound=0.0, master_value=float("inf"), converged=False)
    started = time.perf_counter()
    n_c = len(data.cohorts)
    students = data.students.astype(float)
    if cohorts is not None:
        included = np.zeros(n_c, dtype=bool)
        included[cohorts] = True
        students = np.where(included, students, 0.0)
    weight = data.weight.astype(float)
    all_options = options_by_cohort(data)
    rows_of = option_rows(data)
    class_list = company_classes(data, cohorts)
    classes = []
    for members, users in class_list:
        if time.perf_counter() - started > time_limit:
            # Not even the pricing problems could be set up in time: only the trivial bound.
            return BoundResult(bound=0.0, master_value=float("inf"), converged=False, classes=len(class_list))
        classes.append(_PricingClass(data, int(members[0]), len(members), users, all_options, rows_of))
    class_of_company = {int(m): k for k, (members, _) in enumerate(class_list) for m in members}
    capacity_keys = [data.company_capacity[pricing.company].tobytes() for pricing in classes]
    columns: list[tuple[int, np.ndarray, np.ndarray]] = []  # (class, cohorts, students): sparse
    patterns: list[list[tuple[int, int]]] = []  # per column: (option, students) of one company
    seen: dict[tuple[int, bytes, bytes], int] = {}
    incumbent_counts: dict[int, int] = defaultdict(int)

    def add_column(k: int, column: tuple[np.ndarray, np.ndarray], pattern: list[tuple[int, int]]) -> int | None:
        """Add a pattern of class ``k`` unless it is known; its column index either way (None when empty)."""
        idx, vals = column
        if not len(idx) or vals.sum() == 0:
            return None
        key = (k, idx.tobytes(), vals.tobytes())
        if key not in seen:
            seen[key] = len(columns)
            columns.append((k, idx, vals))
            patterns.append(pattern)
        return seen[key]

    if incumbent:
        # Each company's load in the incumbent is a pattern of its class.
        loads: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for option, company, n in incumbent:
            if int(company) in class_of_company:
                loads[int(company)].append((int(option), int(n)))
        for company, load in loads.items():
            column = _sparse_column(data, load)
            if (column[1] <= students[column[0]]).all():
                j = add_column(class_of_company[company], column, load)
                if j is not None:
                    incumbent_counts[j] += 1

    best_bound, best_pi, history = -np.inf, None, []
    master_shortage = None
    master_value, converged, rounds = np.inf, False, 0
    pi_master = weight.copy()
    first = None if start is None else np.clip(np.where(students > 0, start, 0.0), 0.0, weight)
    grid = objective_scale(data.weight)
    pool = ThreadPoolExecutor(threads) if threads > 1 else None
    while time.perf_counter() - started < time_limit and (max_rounds is None or rounds < max_rounds):
        rounds += 1
        # Restricted master LP: variables u (n_c) then lambda (columns).
        n_col = len(columns)
        cost = np.concatenate([weight, np.zeros(n_col)])
        matrix = master_matrix(columns, n_c, len(classes))
        row_lower = np.concatenate([students, np.full(len(classes), -np.inf)])
        row_upper = np.concatenate([np.full(n_c, np.inf), [float(p.count) for p in classes]])
        helper = mbh.ModelBuilderHelper()
        helper.fill_model_from_sparse_data(np.zeros(n_c + n_col), np.full(n_c + n_col, np.inf), cost,
                                           row_lower, row_upper, matrix)
        lp = mbh.ModelSolverHelper("glop")
        lp.set_time_limit_in_seconds(max(0.2, time_limit - (time.perf_counter() - started)))
        lp.solve(helper)
        if lp.status() != mbh.SolveStatus.OPTIMAL:
            break
        master_value = lp.objective_value()
        master_shortage = np.maximum(np.asarray(lp.variable_values())[:n_c], 0.0)
        duals = np.asarray(lp.dual_values())
        pi_master = np.clip(duals[:n_c], 0.0, weight)
        mu = np.minimum(duals[n_c:], 0.0)
        # Price at a smoothed point (the Lagrangian bound is valid at any pi in [0, w]).
        if first is not None:
            pi, first = first, None
        elif best_pi is None:
            pi = pi_master
        else:
            pi = np.clip(smoothing * best_pi + (1 - smoothing) * pi_master, 0.0, weight)
        total_v, added, complete, exact = 0.0, 0, True, True
        deadline = started + time_limit

        # Classes whose packing problems are the same at these multipliers (same capacity, same
        # options with positive profit) are priced once.
        keys, representative = [], {}
        for k, pricing in enumerate(classes):
            useful = np.nonzero(pi[pricing.option_cohort] > 1e-12)[0] if len(pricing.options) else np.zeros(0, dtype=np.int64)
            key = (capacity_keys[k], pricing.options[useful].tobytes(), np.round(pi[pricing.option_cohort[useful]], 9).tobytes())
            keys.append(key)
            representative.setdefault(key, k)

        # Each distinct problem once, weighted by the companies of every class that shares it.
        unique = list(representative.values())
        multiplicity: dict[int, float] = defaultdict(float)
        for k, key in enumerate(keys):
            multiplicity[representative[key]] += classes[k].count
        batches = [unique[i: i + PRICING_BATCH] for i in range(0, len(unique), PRICING_BATCH)]

        def price(batch: list[int], pi: np.ndarray = pi, deadline: float = deadline,
                  multiplicity: dict[int, float] = multiplicity) -> tuple[float, list[np.ndarray | None], bool]:
            left = deadline - time.perf_counter()
            if left <= 0:
                return np.inf, [], False
            return price_classes([classes[k] for k in batch], [multiplicity[k] for k in batch], pi,
                                 min(pricing_limit * len(batch), left), pricing_nodes)

        results = list(pool.map(price, batches)) if pool is not None else [price(batch) for batch in batches]
        # The best pattern of each distinct problem as (option, students), sorted: classes that
        # share a problem may differ in options without profit.
        pattern_of: dict[tuple, list[tuple[int, int]]] = {}
        for batch, (batch_bound, batch_patterns, batch_exact) in zip(batches, results):
            if not np.isfinite(batch_bound):
                complete = False
                break
            total_v += batch_bound
            exact = exact and batch_exact
            for k, pattern in zip(batch, batch_patterns):
                options = classes[k].options
                pattern_of[keys[k]] = [] if pattern is None else [(int(options[j]), int(pattern[j]))
                                                                  for j in np.nonzero(pattern)[0]]
        for k in range(len(classes)):
            if not complete:
                break
            chosen = pattern_of[keys[k]]
            if chosen:
                idx, vals = _sparse_column(data, chosen)
                # A pattern enters the master when it has a negative reduced cost at the master duals.
                if (pi_master[idx] @ vals + mu[k] > 1e-7 or best_pi is None) and (vals <= students[idx]).all():
                    before = len(columns)
                    add_column(k, (idx, vals), chosen)
                    added += len(columns) > before
        if not complete:
            break
        lagrangian = float(pi @ students) - total_v
        if lagrangian > best_bound + 1e-9:
            best_bound, best_pi = lagrangian, pi.copy()
            history.append((round(time.perf_counter() - started, 3), best_bound))
        if master_value - best_bound <= 1e-6 * max(1.0, master_value):
            converged = True
            best_bound = max(best_bound, master_value)
            break
        if np.ceil(best_bound * grid - 1e-6) / grid >= master_value - 1e-9:
            # Weighted shortages are multiples of 1/grid and the Dantzig-Wolfe optimum is at most
            # the master's value: more rounds cannot raise the rounded-up bound.
            converged = True
            break
        if added == 0:
            if smoothing > 0 and not np.allclose(pi, pi_master):
                # Mispricing: the smoothed point found nothing new; price at the master duals next.
                best_pi = pi_master.copy() if best_pi is None else best_pi
                smoothing = smoothing / 2 if smoothing > 0.05 else 0.0
                continue
            if exact:
                # No pattern prices out at the master duals: the master optimum is the DW bound.
                converged = True
                best_bound = max(best_bound, master_value)
            break
    if pool is not None:
        pool.shutdown()
    if np.isfinite(best_bound):
        # Every weighted shortage is a multiple of 1/grid: round the bound up to the next one.
        best_bound = np.ceil(best_bound * grid - 1e-6) / grid
    return BoundResult(bound=max(best_bound, 0.0) if np.isfinite(best_bound) else 0.0,
                       master_value=float(master_value), converged=converged, rounds=rounds,
                       classes=len(classes), columns=len(columns), history=history,
                       master=Master(class_list, columns, patterns, dict(incumbent_counts)),
                       master_shortage=master_shortage if converged else None)
