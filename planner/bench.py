"""The benchmark: generated S/M/L regions with fixed seeds, solved in every mode.

Each size runs in its own process so that its peak memory is its own. Results are written
as ``benchmark-results.json`` and a markdown table ``benchmark-results.md`` (the committed copy lives in
``docs/benchmarks.md``).
"""

from __future__ import annotations

import json
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
from planner.scenario import write_atomic
from planner.solve import SolveParams, solve

# Time limits per size: the targets of the product (gap at most 0.5 % / 1 % / 2 %).
TIME_LIMITS = {"S": 10.0, "M": 60.0, "L": 600.0}
TARGET_GAPS = {"S": 0.005, "M": 0.01, "L": 0.02}
SEED = 2026


@dataclass
class BenchResult:
    """One benchmark row."""

    size: str
    seed: int
    cohorts: int
    students: int
    companies: int
    clusters: int
    variables: int
    constraints: int
    generate_seconds: float
    build_seconds: float
    solve_seconds: float
    total_seconds: float
    time_limit: float
    status: str
    objective: float
    bound: float
    gap: float
    target_gap: float
    status_quo_unplaced: int
    status_quo_priority: int
    status_quo_objective: float
    greedy_unplaced: int
    greedy_priority: int
    optimised_unplaced: int
    optimised_priority: int
    priority_reduction: float
    peak_memory_mb: float


def _run_size(size: str, seed: int, time_limit: float, out: mp.Queue) -> None:
    started = time.perf_counter()
    scenario = generate_scenario(size, seed)
    generated = time.perf_counter() - started
    plan = solve(scenario, SolveParams("optimise", time_limit=time_limit, seed=seed)).plan
    total = time.perf_counter() - started - generated
    k, sq, greedy = plan.kpis, plan.baselines["status-quo"], plan.baselines["greedy"]
    result = BenchResult(
        size=size, seed=seed, cohorts=len(scenario.cohorts), students=k.students,
        companies=len(scenario.companies), clusters=plan.solver.clusters, variables=plan.solver.variables,
        constraints=plan.solver.constraints, generate_seconds=round(generated, 2),
        build_seconds=plan.solver.build_seconds, solve_seconds=plan.solver.solve_seconds,
        total_seconds=round(total, 2), time_limit=time_limit, status=plan.solver.status,
        objective=k.objective, bound=k.bound, gap=k.gap, target_gap=TARGET_GAPS.get(size, 0.0),
        status_quo_unplaced=sq.unplaced, status_quo_priority=sq.unplaced_priority, status_quo_objective=sq.objective,
        greedy_unplaced=greedy.unplaced, greedy_priority=greedy.unplaced_priority,
        optimised_unplaced=k.unplaced, optimised_priority=k.unplaced_priority,
        priority_reduction=1 - k.unplaced_priority / sq.unplaced_priority if sq.unplaced_priority else 0.0,
        peak_memory_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    out.put(asdict(result))


def run_size(size: str, seed: int = SEED, time_limit: float | None = None) -> BenchResult:
    """Generate and solve one size in a fresh process; returns its row."""
    context = mp.get_context("spawn")
    queue: mp.Queue = context.Queue()
    limit = time_limit if time_limit is not None else TIME_LIMITS[size]
    process = context.Process(target=_run_size, args=(size, seed, limit, queue))
    process.start()
    try:
        row = queue.get(timeout=limit * 3 + 600)
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    return BenchResult(**row)


def machine() -> str:
    """A one-line description of the machine the benchmark ran on."""
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"{_memory_gb():.0f} GiB, Python {platform.python_version()}, OR-Tools {ortools.__version__}")


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0


def markdown(results: list[BenchResult]) -> str:
    """The results as a markdown table with a short legend."""
    lines = [
        f"Machine: {machine()}. Seed {results[0].seed if results else SEED}.",
        "",
        "| size | cohorts | BOL students | companies | clusters | vars | rows | build s | total s | limit s | objective | bound "
        "| gap | target | status quo unplaced (priority) | greedy unplaced (priority) | optimised unplaced (priority) "
        "| priority reduction | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.size} | {r.cohorts:,} | {r.students:,} | {r.companies:,} | {r.clusters:,} | {r.variables:,} | "
            f"{r.constraints:,} | {r.build_seconds:.1f} | {r.total_seconds:.1f} | {r.time_limit:g} | {r.objective:,.1f} | "
            f"{r.bound:,.1f} | {r.gap:.2%} | {r.target_gap:.1%} | {r.status_quo_unplaced:,} ({r.status_quo_priority:,}) | "
            f"{r.greedy_unplaced:,} ({r.greedy_priority:,}) | {r.optimised_unplaced:,} ({r.optimised_priority:,}) | "
            f"{r.priority_reduction:.0%} | {r.peak_memory_mb:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def run_bench(
    sizes: list[str],
    out_dir: Path,
    time_limit: float | None = None,
    seed: int = SEED,
    progress: Callable[[BenchResult], None] | None = None,
) -> list[BenchResult]:
    """Run the benchmark for ``sizes`` and write ``benchmark-results.json`` and ``benchmark-results.md`` to ``out_dir``.

    Parameters
    ----------
    sizes
        Any of S, M, L.
    out_dir
        Where the files go.
    time_limit
        Overrides the per-size limit (10 s, 60 s, 600 s).
    seed
        Generator and solver seed.
    progress
        Called with each finished row.
    """
    results = []
    for size in sizes:
        result = run_size(size, seed, time_limit)
        results.append(result)
        if progress is not None:
            progress(result)
    out_dir = Path(out_dir)
    write_atomic(out_dir / "benchmark-results.json", json.dumps([asdict(r) for r in results], indent=1))
    write_atomic(out_dir / "benchmark-results.md", markdown(results))
    return results
