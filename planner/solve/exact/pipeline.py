"""The exact improvement phase: from a heuristic plan to a plan near the optimum with a proven bound.

:func:`improve` runs, within one time limit:

1. **exact parts**: every independent part (cohorts linked through the companies they may
   share) whose company-level model is small is solved to optimality with SCIP;
2. **large-neighbourhood search** on the remaining parts (:mod:`planner.solve.exact.lns`);
3. **the Dantzig-Wolfe bound** over company classes (:mod:`planner.solve.exact.bound`), which
   can stop the search early once the incumbent meets it. In the status quo it comes before
   the search, and a plan dived from its master (:func:`~planner.solve.exact.bound.master_plan`)
   is the search's start when it is better. Regions of more than ``BOUND_MAX_COHORTS`` open
   cohorts search to the end instead (the bound does not move there in the time).

The returned bound is the larger of the caller's bound, the exact parts' bounds plus the other
parts' Dantzig-Wolfe bound, and is always a valid lower bound on the weighted shortage.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from planner.model.problem import ProblemData
from planner.solve.exact.bound import BoundResult, dantzig_wolfe_bound, master_plan, pooled_duals
from planner.solve.exact.company_model import Assignment, build_company_model, company_sets, remaining_capacity
from planner.solve.exact.engines import CompanySolution, best_of, solve_company_mip
from planner.solve.exact.lns import _merge, large_neighbourhood_search
from planner.solve.heuristics import place_short, weighted_shortage
from planner.solve.params import WorkBudget

ProgressFn = Callable[[str, float, float], None]
# Parts with at most this many placement variables are solved exactly first.
EXACT_PART_PAIRS = 8000
# Symmetry breaking in the exact part models (see company_model.build_company_model).
EXACT_SYMMETRY: bool | str = False
# The Dantzig-Wolfe bound only on searches over at most this many open cohorts (without a work
# budget; beyond, the pooled relaxation's bound stays), and in the status quo before the search,
# with the search starting from its master's plan. On M (1,615 cohorts) the bound first took
# the status quo from 718.0 to 420.5 at 60 s. On L (8,157) a round takes about a minute: first,
# it took 200 of the 600 s and its master's plan did not beat the heuristic one (3,878.5 ->
# 4,786.5); after the search, 100 s of it raised neither the status quo's bound (2,379.1) nor
# the optimised one (17.6) while the search it stopped was still improving.
BOUND_MAX_COHORTS = 4000
# After the first search, the bound gets at most this share of the time left (it stops earlier
# when converged) and the search the rest: on the L status quo the bound that does not converge
# took all of the last 210 s for 2,379 -> 2,465 while the search was still improving fast.
BOUND_AFTER_SEARCH_SHARE = 0.5
# Share of an exact part's time for the first SCIP run; a run that has not proven optimality by
# then is restarted once with another seed for the rest.
RESTART_SHARE = 0.45


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


def _pairs(data: ProblemData, cohorts: np.ndarray, sets: list[np.ndarray]) -> int:
    counts = np.bincount(data.option_cohort, minlength=len(data.cohorts))
    return int(sum(len(sets[c]) * counts[c] for c in cohorts))


def _solve_part(data: ProblemData, built, budget: float, seed: int, incumbent: list[Assignment], value: float,
                nodes: int | None, restart: bool = True) -> CompanySolution:
    """Solve an independent part's model exactly (SCIP).

    SCIP's time to prove optimality is heavy-tailed in its seed (Twente's status quo: 1-3 s for
    most seeds, over 20 s for some), so without a node limit a run that has not proven
    optimality after ``RESTART_SHARE`` of the time is restarted once, with another seed, from
    the better plan. The better plan and the better bound of the two runs are kept. Under a work
    budget (``restart`` False) the part gets one run, so the result does not depend on time.
    """
    if not restart:
        return solve_company_mip(data, built, budget, seed, hint=incumbent, nodes=nodes)
    first = solve_company_mip(data, built, RESTART_SHARE * budget, seed, hint=incumbent)
    if first.status == "optimal" or budget * (1 - RESTART_SHARE) < 0.5:
        return first
    hint = first.assignments if first.assignments is not None and first.value <= value else incumbent
    second = solve_company_mip(data, built, budget * (1 - RESTART_SHARE), seed + 1, hint=hint)
    return best_of([first, second], first.seconds + second.seconds)


def improve(
    data: ProblemData,
    incumbent_assignments: list[Assignment],
    time_limit: float,
    seed: int = 0,
    progress: ProgressFn | None = None,
    bound: float = 0.0,
    option_mass: np.ndarray | None = None,
    bound_share: float = 0.4,
    exact_part_pairs: int = EXACT_PART_PAIRS,
    work: WorkBudget | None = None,
) -> tuple[list[Assignment], float, dict]:
    """Improve a feasible plan at company level and prove a lower bound.

    Parameters
    ----------
    data
        The compiled problem (either mode).
    incumbent_assignments
        A feasible plan ``(option, company, students)`` (e.g. the heuristic pipeline's).
    time_limit
        Seconds for the whole phase.
    seed
        Seed (neighbourhood choice and solver seeds).
    progress
        Called with ``(phase, weighted shortage, bound)``.
    bound
        A lower bound already known (e.g. the pooled relaxation's); the result is never below it.
    option_mass
        Students per option in a relaxation (steers the neighbourhoods' options).
    bound_share
        Share of the time for the Dantzig-Wolfe bound when the problem is not solved exactly.
    exact_part_pairs
        Parts with at most this many placement variables are solved exactly first (0: none,
        every part goes through the search and the Dantzig-Wolfe bound).
    work
        A deterministic work budget (:class:`~planner.solve.params.WorkBudget`): neighbourhoods
        of search instead of seconds, node limits on the exact solves, rounds of the bound;
        ``time_limit`` is then a safety net.

    Returns
    -------
    tuple
        ``(assignments, bound, stats)``: the best plan, a proven lower bound on the weighted
        shortage and statistics (``value``, ``parts``, ``exact_parts``, ``lns``, ``dw``,
        ``history`` of ``(seconds, value, bound)``).
    """
    started = time.perf_counter()
    elapsed = lambda: time.perf_counter() - started  # noqa: E731
    best = _merge(incumbent_assignments)
    if (remaining_capacity(data, best) < 0).any():
        raise ValueError("the incumbent exceeds some company's capacity")
    value = weighted_shortage(data, best)
    stats: dict = {"history": [(0.0, value, bound)], "exact_parts": 0}

    def report(phase: str) -> None:
        stats["history"].append((round(elapsed(), 3), value, bound))
        if progress is not None:
            progress(phase, value, bound)

    report("start")
    sets = company_sets(data)
    parts = independent_parts(data)
    stats["parts"] = len(parts)
    open_cohorts = np.ones(len(data.cohorts), dtype=bool)
    closed_bound = 0.0  # proven optimum (or certain shortage) of the parts closed so far
    part_bounds: dict[int, float] = {}
    unreachable = np.array([len(s) == 0 for s in sets])
    small = []
    for index, (cohorts, _companies) in enumerate(parts):
        if unreachable[cohorts].all():
            # Nobody can take these cohorts: their whole weight is short in every plan.
            open_cohorts[cohorts] = False
            closed_bound += float((data.weight[cohorts] * data.students[cohorts]).sum())
        elif _pairs(data, cohorts, sets) <= exact_part_pairs:
            small.append(index)

    def lns_progress(phase: str, incumbent: float, _: float) -> None:
        nonlocal value
        value = incumbent
        report(phase)

    big_part = any(_pairs(data, cohorts, sets) > exact_part_pairs for cohorts, _ in parts)
    steps = work.search_steps(big_part) if work is not None else (None, None, None)
    nodes = work.nodes if work is not None else None

    def search(seconds: float, search_seed: int, max_steps: int | None, dw: BoundResult | None = None) -> None:
        nonlocal best, value
        if seconds < 0.3 or not open_cohorts.any() or max_steps == 0:
            return
        best, more = large_neighbourhood_search(data, best, seconds, search_seed, bound=bound, progress=lns_progress,
                                                option_mass=option_mass, cohorts=np.nonzero(open_cohorts)[0],
                                                max_steps=max_steps, nodes=nodes,
                                                unavoidable=dw.master_shortage if dw is not None else None)
        value = weighted_shortage(data, best)
        lns = stats.setdefault("lns", {"steps": 0, "improvements": 0})
        lns["steps"] += more.steps
        lns["improvements"] += more.improvements

    # In the status quo every cohort keeps its period, so the Dantzig-Wolfe master over company
    # patterns is close to the optimum (S regions: the best plans found are 0.2-2 % above its
    # bound) and diving on it gives a far better start for the search than the heuristic plan
    # (S region 2: 137.0 against 379.5): there the bound comes first. Not on national regions
    # (BOUND_MAX_COHORTS).
    bound_first = (big_part and work is None and data.mode == "status-quo"
                   and int(open_cohorts.sum()) <= BOUND_MAX_COHORTS)
    # 1. A short search first when some part is big: a good incumbent makes the exact solves
    # and the bound faster.
    if big_part and not bound_first:
        search(time_limit - elapsed() if work is not None else min(time_limit * 0.15, 3.0), seed, steps[0])
    # 2. Small independent parts exactly (smallest first); each part's optimum closes it.
    for index in small:
        cohorts, companies = parts[index]
        if time_limit - elapsed() < 0.5:
            break
        in_part = np.zeros(len(data.cohorts), dtype=bool)
        in_part[cohorts] = True
        fixed = [a for a in best if not in_part[data.option_cohort[a[0]]]]
        built = build_company_model(data, cohorts, companies, None, fixed, symmetry_breaking=EXACT_SYMMETRY)
        # Time by size among the parts still open (at least a tenth, at most 85 % of what is left).
        left_pairs = sum(_pairs(data, parts[j][0], sets) for j in range(len(parts))
                         if j >= index and open_cohorts[parts[j][0]].any())
        share = min(0.85, max(0.1, _pairs(data, cohorts, sets) / max(1, left_pairs)))
        budget = max(0.5, (time_limit - elapsed()) * (share if work is None else 1.0))
        result = _solve_part(data, built, budget, seed, best, value, nodes, restart=work is None)
        if result.assignments is not None and result.value <= value + 1e-9:
            best, value = _merge(result.assignments), result.value
        part_bounds[index] = result.bound - built.constant
        if result.status == "optimal":
            open_cohorts[cohorts] = False
            closed_bound += part_bounds[index]
            stats["exact_parts"] += 1
        report("exact part")
    if not open_cohorts.any():
        bound = max(bound, closed_bound)
        report("optimal")
        stats.update(value=float(value), bound=float(bound), seconds=round(elapsed(), 3), optimal=True)
        return best, float(min(bound, value)), stats

    open_list = np.nonzero(open_cohorts)[0]

    def prove(seconds: float) -> BoundResult:
        """The Dantzig-Wolfe bound on the open parts (it stops when converged)."""
        nonlocal bound
        # The pooled duals only warm-start the bound; under a work budget the bound starts from scratch.
        start = pooled_duals(data, time_limit=max(0.2, 0.1 * seconds)) if work is None else None
        if work is None:
            dw = dantzig_wolfe_bound(data, max(0.5, seconds - 0.2), incumbent=best, cohorts=open_list, start=start)
        else:
            dw = dantzig_wolfe_bound(data, max(0.5, seconds - 0.2), incumbent=best, cohorts=open_list,
                                     start=start, max_rounds=work.bound_rounds, pricing_nodes=work.nodes,
                                     pricing_limit=max(0.5, seconds), threads=1)
        stats["dw"] = {"bound": dw.bound, "converged": dw.converged, "rounds": dw.rounds, "classes": dw.classes,
                       "columns": dw.columns}
        open_exact = sum(part_bounds.get(i, 0.0) for i, (cohorts, _) in enumerate(parts) if open_cohorts[cohorts].any())
        bound = max(bound, closed_bound + max(dw.bound, open_exact))
        report("bound")
        return dw

    if bound_first:
        # 3. The bound, 4. a plan rounded from its master, 5. search on the rest of the time.
        dw = prove(bound_share * (time_limit - elapsed()))
        rounded = _master_start(data, dw, best, open_list, max(0.5, 0.2 * (time_limit - elapsed())))
        if rounded is not None:
            rounded_value = weighted_shortage(data, rounded)
            stats["master_plan"] = rounded_value
            if rounded_value < value - 1e-9:
                best, value = rounded, rounded_value
                report("master plan")
        search(time_limit - elapsed(), seed + 1, steps[1], dw)
    elif work is None and len(open_list) > BOUND_MAX_COHORTS:
        # 3. Beyond the bound's reach in the time: search on the open parts to the end.
        search(time_limit - elapsed(), seed + 1, None)
    else:
        # 3. Search on the open parts, 4. the Dantzig-Wolfe bound for them, 5. search again.
        search((time_limit - elapsed()) * (1.0 - bound_share if work is None else 1.0), seed + 1, steps[1])
        dw = prove((time_limit - elapsed()) * (BOUND_AFTER_SEARCH_SHARE if work is None else 1.0))
        search(time_limit - elapsed(), seed + 2, steps[2], dw)
    stats.update(value=float(value), bound=float(bound), seconds=round(elapsed(), 3), optimal=bool(value <= bound + 1e-9))
    return best, float(min(bound, value)), stats


def _master_start(data: ProblemData, dw: BoundResult, best: list[Assignment], cohorts: np.ndarray,
                  seconds: float) -> list[Assignment] | None:
    """A complete plan: the master's rounded patterns for ``cohorts``, the other cohorts as in
    ``best``, then students still without a place wherever capacity is left."""
    rounded = master_plan(data, dw, seconds, cohorts=cohorts)
    if rounded is None:
        return None
    in_open = np.zeros(len(data.cohorts), dtype=bool)
    in_open[cohorts] = True
    # Independent parts share no company: the other parts' placements keep their capacity.
    plan = [a for a in best if not in_open[data.option_cohort[a[0]]]] + rounded
    remaining = remaining_capacity(data, plan)
    if (remaining < 0).any():
        return None
    place_short(data, remaining, plan)
    return _merge(plan)

