"""The benchmark: the planner against its alternatives on the same scenarios, side by side.

For every instance (the embedded Twente scenario and generated S/M/L regions with a fixed
seed) and mode (status quo, optimise), each method gets the same time limit:

* ``stageplanner``: :func:`planner.solve.solve` as users run it;
* ``heuristic stage only``: the same without the exact company-level stage (the pipeline of the
  first release: pooled relaxation, rounding, staggered greedy, pooled integer model);
* ``CP-SAT, full model``: CP-SAT given the full company-level model, warm-started from the
  same heuristic stage, for the rest of the time (the obvious alternative);
* ``first come, first served``: current periods booked in order of start week (status quo only).

Each run is a fresh process (its peak memory is its own), and every plan is checked by
``verify_plan`` before its numbers are used. Results go to ``benchmark-results.json`` and
``benchmark-results.md``; the committed copy lives in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import ortools

from planner.generate import generate_scenario
from planner.geo import Region
from planner.model import load_scenario
from planner.model.problem import compile_problem
from planner.plan.model import Plan
from planner.plan.state import gap
from planner.scenario import Scenario, write_atomic
from planner.scenario.embedded import embedded_scenario
from planner.solve import SolveParams, solve
from planner.solve.assemble import assemble_plan
from planner.solve.clock import Clock
from planner.solve.exact.oracle import cpsat_full
from planner.solve.params import WorkBudget
from planner.solve.pipeline import heuristic_search

SEED = 2026
INSTANCES = ("twente", "S", "M", "L", "twente-sector", "S-sector")
# Instances matched by sector chamber and level (no recognitions): today's rule on the same region.
SECTOR_RULE_SUFFIX = "-sector"
MODES = ("status-quo", "optimise")
METHODS = ("stageplanner", "heuristic stage only", "CP-SAT, full model", "first come, first served")
# Seconds per instance and mode: the product's targets (Twente: status quo proven in 10 s, optimise in 30 s).
TIME_LIMITS = {"twente": {"status-quo": 10.0, "optimise": 30.0}, "S": {"status-quo": 60.0, "optimise": 60.0},
               "M": {"status-quo": 60.0, "optimise": 60.0}, "L": {"status-quo": 600.0, "optimise": 600.0}}
TIME_LIMITS.update({f"{name}{SECTOR_RULE_SUFFIX}": TIME_LIMITS[name] for name in ("twente", "S")})
# CP-SAT's full model is not built above this many (option, company) pairs: building it alone
# takes longer than the time limit and more memory than the machine has.
CPSAT_MAX_PAIRS = 400_000


@dataclass
class BenchRow:
    """One method on one instance and mode."""

    instance: str
    mode: str
    method: str
    time_limit: float
    status: str
    plan: float = math.nan  # weighted shortage
    unplaced: int = -1
    unplaced_priority: int = -1
    bound: float = math.nan
    gap: float = math.nan
    seconds: float = math.nan
    within_1pct_seconds: float = math.nan
    peak_memory_mb: float = math.nan
    students: int = 0
    cohorts: int = 0
    companies: int = 0


def load_instance(instance: str, seed: int = SEED) -> tuple[Scenario, Path | None]:
    """The scenario of an instance: an embedded Twente scenario or a generated size.

    ``twente`` lists recognitions, ``twente-sector`` is the earlier Twente matched by sector
    chamber and level; ``S-sector`` is the same generated region as ``S`` without recognitions.
    """
    size = instance.removesuffix(SECTOR_RULE_SUFFIX)
    if size in ("S", "M", "L"):
        return generate_scenario(size, seed, recognitions=size == instance), None
    loaded = load_scenario(embedded_scenario(instance))
    return loaded.scenario, loaded.base_dir


def within_one_percent(plan: Plan) -> float:
    """Seconds until the incumbent first came within 1 % of the final plan."""
    final = plan.kpis.objective
    for event in plan.solver.progress:
        if event.incumbent is not None and event.incumbent <= final * 1.01 + 1e-9:
            return event.seconds
    return plan.kpis.solve_seconds


def _row(instance: str, mode: str, method: str, limit: float, plan: Plan, scenario: Scenario) -> BenchRow:
    k = plan.kpis
    return BenchRow(instance, mode, method, limit, plan.solver.status, k.objective, k.unplaced, k.unplaced_priority,
                    k.bound, gap(k.objective, k.bound), k.solve_seconds,
                    within_one_percent(plan), students=k.students, cohorts=len(scenario.cohorts),
                    companies=len(scenario.companies))


def _cpsat_full(scenario: Scenario, base_dir: Path | None, mode: str, limit: float, seed: int) -> Plan | str:
    """CP-SAT on the full company-level model, warm-started from the heuristic stage."""
    clock = Clock(limit, None)
    region = Region(scenario, base_dir)
    data = compile_problem(scenario, region, mode)
    pairs = data.placement_pairs()
    if pairs > CPSAT_MAX_PAIRS:
        return f"not built: {pairs:,} (option, company) pairs"
    params = SolveParams(mode, limit, seed, baselines=False)
    search = heuristic_search(data, clock, params)
    result = cpsat_full(data, max(0.5, clock.remaining()), seed, hint=search.best)
    better = result.assignments is not None and result.value <= search.value + 1e-9
    assignments, value = (result.assignments, result.value) if better else (search.best, search.value)
    bound = max(0.0, float(result.bound), search.bound)
    clock.report("CP-SAT", value, bound)
    stats = {"status": f"CP-SAT {result.status}", "engine": "CP-SAT (full company-level model)", "seed": seed}
    return assemble_plan(data, region, mode, assignments, min(bound, value), clock, stats)


def _run_case(instance: str, mode: str, method: str, limit: float, seed: int, out: mp.Queue) -> None:
    scenario, base_dir = load_instance(instance, seed)
    if method == "CP-SAT, full model":
        plan = _cpsat_full(scenario, base_dir, mode, limit, seed)
    else:
        params = {"stageplanner": SolveParams(mode, limit, seed, baselines=False),
                  "heuristic stage only": SolveParams(mode, limit, seed, baselines=False, exact=False),
                  "first come, first served": SolveParams("greedy", limit, seed, baselines=False)}[method]
        plan = solve(scenario, params, base_dir=base_dir).plan
    if isinstance(plan, str):
        row = BenchRow(instance, mode, method, limit, plan)
    else:
        row = _row(instance, mode, method, limit, plan, scenario)
    row.peak_memory_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out.put(asdict(row))


def run_case(instance: str, mode: str, method: str, seed: int = SEED, time_limit: float | None = None) -> BenchRow:
    """One method on one instance and mode, in a fresh process."""
    context = mp.get_context("spawn")
    queue: mp.Queue = context.Queue()
    limit = time_limit if time_limit is not None else TIME_LIMITS[instance][mode]
    process = context.Process(target=_run_case, args=(instance, mode, method, limit, seed, queue))
    started = time.perf_counter()
    process.start()
    try:
        return BenchRow(**queue.get(timeout=limit * 3 + 900))
    except Exception as err:  # a crashed or stuck run is a row of the benchmark, not its end
        return BenchRow(instance, mode, method, limit, f"failed after {time.perf_counter() - started:.0f} s: "
                        f"{type(err).__name__} (exit code {process.exitcode})")
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def machine() -> str:
    """A one-line description of the machine the benchmark ran on."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0.0
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
            f"Python {platform.python_version()}, OR-Tools {ortools.__version__}")


def _number(value: float, digits: int = 1) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def markdown(rows: list[BenchRow], seed: int = SEED) -> str:
    """The results as markdown: one table per instance, methods side by side per mode."""
    lines = [f"Machine: {machine()}. Generator and solver seed {seed}. Plan = weighted shortage (lower is better); "
             "gap = (plan - bound) / plan; '1 % at' = seconds until the plan was within 1 % of its final value.", ""]
    for instance in dict.fromkeys(r.instance for r in rows):
        group = [r for r in rows if r.instance == instance]
        sizes = next((r for r in group if r.students), None)
        title = f"### {instance}" + (f": {sizes.cohorts:,} cohorts ({sizes.students:,} BOL students), "
                                     f"{sizes.companies:,} learning companies" if sizes else "")
        lines += [title, "", "| mode | method | limit s | plan | unplaced (priority) | bound | gap | seconds "
                  "| 1 % at s | peak MB | status |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in group:
            unplaced = f"{r.unplaced:,} ({r.unplaced_priority:,})" if r.unplaced >= 0 else "-"
            gap_text = "-" if math.isnan(r.gap) else f"{r.gap:.1%}"
            lines.append(f"| {r.mode} | {r.method} | {r.time_limit:g} | {_number(r.plan)} | {unplaced} | "
                         f"{_number(r.bound)} | {gap_text} | {_number(r.seconds)} | {_number(r.within_1pct_seconds)} | "
                         f"{_number(r.peak_memory_mb, 0)} | {r.status} |")
        lines.append("")
    return "\n".join(lines)


def run_bench(
    instances: list[str],
    out_dir: Path,
    time_limit: float | None = None,
    seed: int = SEED,
    methods: list[str] | None = None,
    modes: list[str] | None = None,
    progress: Callable[[BenchRow], None] | None = None,
) -> list[BenchRow]:
    """Run the benchmark and write ``benchmark-results.json`` and ``benchmark-results.md`` to ``out_dir``.

    Parameters
    ----------
    instances
        Any of ``twente``, ``S``, ``M``, ``L``.
    out_dir
        Where the files go.
    time_limit
        Overrides the per-instance limits (:data:`TIME_LIMITS`).
    seed
        Generator and solver seed.
    methods, modes
        Subsets of :data:`METHODS` and :data:`MODES` (default: all).
    progress
        Called with each finished row.

    Returns
    -------
    list of BenchRow
        One row per instance, mode and method (first come, first served in status-quo mode only).
    """
    rows = []
    for instance in instances:
        for mode in modes or MODES:
            for method in methods or METHODS:
                if method == "first come, first served" and mode != "status-quo":
                    continue
                row = run_case(instance, mode, method, seed, time_limit)
                rows.append(row)
                if progress is not None:
                    progress(row)
    out_dir = Path(out_dir)
    write_atomic(out_dir / "benchmark-results.json", json.dumps([asdict(r) for r in rows], indent=1))
    write_atomic(out_dir / "benchmark-results.md", markdown(rows, seed))
    return rows


# ------------------------------------------------------------------ the what-if sweep benchmark


@dataclass
class SweepBenchRow:
    """One run of the standard sweep (base and its variants) on one executor."""

    instance: str
    executor: str
    workers: int
    variants: int
    time_limit: float
    wall_seconds: float
    solved: int
    failed: int
    objectives: str  # the weighted shortage per scenario, in order (the same on every executor under a work budget)
    work_limit: int | None = None
    time_stops: int = 0  # solves stopped by the time limit (the safety net) before their work budget was spent
    relaxation_rounds: int = WorkBudget.relaxation_rounds
    bound_rounds: int = WorkBudget.bound_rounds
    polish_ticks: float = WorkBudget.polish_ticks


def run_sweep_bench(instance: str, executors: list[tuple[str, int]], time_limit: float, seed: int = SEED,
                    variants: int = 8, progress: Callable[[SweepBenchRow], None] | None = None,
                    work_limit: int | None = 40, relaxation_rounds: int = WorkBudget.relaxation_rounds,
                    bound_rounds: int = WorkBudget.bound_rounds,
                    polish_ticks: float = WorkBudget.polish_ticks) -> list[SweepBenchRow]:
    """The standard variants of an instance swept on each ``(kind, workers)`` executor (``pool`` or ``dask``),
    each solve with the work budget ``work_limit`` (``time_limit`` a safety net)."""
    from planner.whatif.examples import standard_variants
    from planner.whatif.sweep import make_executor, run_sweep, sweep_params

    scenario, base_dir = load_instance(instance, seed)
    chosen = standard_variants(scenario)[:variants]
    params = sweep_params("optimise", time_limit, seed, work_limit, relaxation_rounds=relaxation_rounds,
                          bound_rounds=bound_rounds, polish_ticks=polish_ticks)
    rows = []
    for kind, workers in executors:
        executor = make_executor(workers, local_cluster=kind == "dask")
        try:
            sweep = run_sweep(scenario, chosen, params, executor, base_dir=base_dir)
        finally:
            executor.close()
        row = SweepBenchRow(instance, "Dask LocalCluster" if kind == "dask" else "process pool", workers, len(chosen),
                            time_limit, sweep.wall_seconds, sum(1 for c in sweep.cases if c.plan is not None),
                            sum(1 for c in sweep.cases if c.error),
                            ", ".join("-" if c.plan is None else f"{c.plan.kpis.objective:g}" for c in sweep.cases),
                            work_limit, sum(1 for c in sweep.cases if c.plan is not None
                                            and "stopped by the time limit" in c.plan.solver.status),
                            relaxation_rounds, bound_rounds, polish_ticks)
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows


def run_marginal_bench(instance: str, time_limit: float, top: int = 10, seed: int = SEED, mode: str = "status-quo",
                       workers: int = 1) -> list[dict]:
    """The marginal-value ranking of an instance: estimated against realised reductions for the top entries."""
    from planner.whatif.marginal import capacity_spots, spot_rows, verify_spots
    from planner.whatif.sweep import make_executor

    scenario, base_dir = load_instance(instance, seed)
    params = SolveParams(mode, time_limit, seed, baselines=False)
    plan = solve(scenario, params, base_dir=base_dir).plan
    spots = capacity_spots(scenario, plan, mode, top=top, seconds=time_limit, seed=seed, base_dir=base_dir)
    executor = make_executor(workers)
    try:
        verify_spots(scenario, plan, spots, params, top, executor, base_dir)
    finally:
        executor.close()
    return [{**row, "base_objective": plan.kpis.objective, "base_status": plan.solver.status}
            for row in spot_rows(spots)]


def sweep_markdown(rows: list[SweepBenchRow], spots: list[dict], marginal_instance: str) -> str:
    """The sweep benchmark as markdown tables."""
    lines = [f"Machine: {machine()}.", ""]
    if rows:
        lines += ["| instance | executor | workers | variants | work budget | relaxation / bound rounds, polish ticks | "
                  "safety s | wall s | solved | failed | stopped by time | weighted shortage (base, variants) |",
                  "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|"]
        lines += [f"| {r.instance} | {r.executor} | {r.workers} | {r.variants} | {r.work_limit or '-'} | "
                  f"{r.relaxation_rounds} / {r.bound_rounds}, {r.polish_ticks:g} | {r.time_limit:g} | "
                  f"{r.wall_seconds:,.1f} | {r.solved} | {r.failed} | {r.time_stops} | {r.objectives} |" for r in rows]
        lines.append("")
    if spots:
        base = spots[0]
        lines += [f"Marginal value of one supervision place, {marginal_instance} ({base['base_status']}, weighted "
                  f"shortage {base['base_objective']:g}):", "",
                  "| rank | company | area | sector | level | weeks | source | estimated | realised | neighbourhood "
                  "| status |", "|---:|---|---|---|---|---|---|---:|---:|---|---|"]
        lines += [f"| {s['rank']} | {s['company']} | {s['area']} | {s['sector']} | {s['level']} | "
                  f"{s['first_week']}..{s['last_week']} | {s['source']} | {s['estimate']:g} | "
                  f"{'-' if s['realised'] is None else format(s['realised'], 'g')} | {s.get('neighbourhood') or '-'} | "
                  f"{s.get('verified_status') or '-'} |" for s in spots]
    return "\n".join(lines) + "\n"
