"""What-if commands: ``sweep`` (a scenario and its variants), ``marginal`` (where one more place helps most)
and ``bench-sweep`` (the sweep's and the ranking's benchmark)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from planner.commands.common import (
    InputFailure,
    Mode,
    check_out_dir,
    handled,
    load_checked,
    min_wave_option,
    wave_gap_option,
    with_wave_rules,
)
from planner.i18n import _
from planner.report.console import out_console
from planner.solve.params import SolveParams, WorkBudget


class SpotPer(StrEnum):
    """What one more place of the marginal ranking is for."""

    place = "place"
    crebo = "crebo"
    family = "family"


app = typer.Typer()


def executor_for(workers: int, scheduler: str | None, local_cluster: bool) -> Any:
    """Where the solves run: this process, a process pool or a Dask cluster (:func:`~planner.whatif.sweep.make_executor`)."""
    from planner.whatif.sweep import make_executor

    return make_executor(workers, scheduler=scheduler, local_cluster=local_cluster)


# The work budget's rounds, shared by `sweep` and `bench-sweep` (defaults: WorkBudget's).
RELAXATION_ROUNDS_OPTION = typer.Option(
    WorkBudget.relaxation_rounds, "--relaxation-rounds", min=1,
    help="Column-generation rounds of the relaxation per part under a work budget (a national region: about a "
         "minute each).")
BOUND_ROUNDS_OPTION = typer.Option(
    WorkBudget.bound_rounds, "--bound-rounds", min=0,
    help="Rounds of the Dantzig-Wolfe bound under a work budget (0: none, the relaxation's bound stands).")
POLISH_TICKS_OPTION = typer.Option(
    WorkBudget.polish_ticks, "--polish-ticks", min=0.0,
    help="CP-SAT deterministic time per polish neighbourhood under a work budget (0: no polish of period changes "
         "and travel).")


@app.command()
def sweep(
    variants: Path = typer.Argument(..., help="Variants file (YAML): base: <scenario file>, variants: [...]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: sweep.md, sweep.json, sweep.png, plans/."),
    mode: Mode = typer.Option(Mode.optimise, "--mode", help="Solve mode of every scenario."),
    time_limit: float = typer.Option(600.0, "--time-limit", min=0.5, help="Seconds per solve: a safety net under "
                                     "a work budget (a solve it stops says so), the limit without one."),
    work_limit: int = typer.Option(40, "--work-limit", min=0, help="Work budget per solve: neighbourhoods of "
                                   "company-level search (the same plans however the solves are scheduled); 0: "
                                   "bounded by --time-limit only."),
    work_nodes: int = typer.Option(1000, "--work-nodes", min=1, help="Branch-and-bound nodes per exact sub-solve "
                                   "under a work budget."),
    relaxation_rounds: int = RELAXATION_ROUNDS_OPTION,
    bound_rounds: int = BOUND_ROUNDS_OPTION,
    polish_ticks: float = POLISH_TICKS_OPTION,
    seed: int = typer.Option(0, "--seed", help="Solver seed (the same for every solve)."),
    workers: int = typer.Option(1, "--workers", min=0, help="Solves at the same time on this machine (0: in this "
                                "process); workers of a --local-cluster."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786): "
                                         "run the solves on that cluster."),
    local_cluster: bool = typer.Option(False, "--local-cluster", help="Run the solves on a Dask LocalCluster."),
    base_plan: Path | None = typer.Option(None, "--base-plan", help="Plan folder (or plan.json) of the base "
                                          "scenario, e.g. its optimised plan: the base row is that plan (not "
                                          "solved again) and every variant starts from it."),
    min_wave: int | None = min_wave_option(),
    wave_gap: int | None = wave_gap_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Solve a base scenario and its variants side by side: one table, one chart, what changed per variant.

    Each variant row has its bound and gap; its effect is a range unless both plans are proven optimal.
    """
    from planner.plan.model import load_plan
    from planner.whatif.compare import sweep_table, write_sweep
    from planner.whatif.console import print_summaries, print_sweep, sweep_progress
    from planner.whatif.sweep import base_plan_problems, run_sweep, sweep_params
    from planner.whatif.variants import read_variant_set

    with handled(debug):
        variant_set, base_path = read_variant_set(variants)
        loaded = with_wave_rules(load_checked(base_path), min_wave, wave_gap)
        check_out_dir(out)
        stored = None
        if base_plan is not None:
            try:
                stored = load_plan(base_plan)
            except (FileNotFoundError, ValueError) as err:
                raise InputFailure([f"--base-plan: {err}"]) from None
            problems = base_plan_problems(loaded.scenario, stored, mode.value)
            if problems:
                raise InputFailure([f"--base-plan {base_plan}: {p}" for p in problems])
        params = sweep_params(mode.value, time_limit, seed, work_limit or None, work_nodes, relaxation_rounds,
                              bound_rounds, polish_ticks)
        console = out_console()
        print_summaries(console, loaded.scenario, variant_set.variants, loaded.base_dir)
        executor = executor_for(workers, scheduler, local_cluster)
        try:
            with sweep_progress(console, len(variant_set.variants) + 1) as progress:
                result = run_sweep(loaded.scenario, variant_set.variants, params, executor, loaded.base_dir, progress,
                                   base_plan=stored)
        finally:
            executor.close()
        write_sweep(result, out)
        print_sweep(console, sweep_table(result))
        console.print(_("{n} variants solved, {failed} failed; results in {out}").format(
            n=sum(1 for c in result.cases[1:] if c.plan is not None),
            failed=sum(1 for c in result.cases if c.error), out=escape(str(out))))


@app.command()
def marginal(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: marginal.json, marginal.md, marginal-map.html."),
    mode: Mode = typer.Option(Mode.status_quo, "--mode", help="Solve mode of the plan and the re-solves."),
    top: int = typer.Option(10, "--top", min=1, max=200, help="Spots in the ranking."),
    verify: int = typer.Option(5, "--verify", min=0, max=200, help="Re-solve this many top spots with the extra place."),
    per: SpotPer = typer.Option(SpotPer.place, "--per", help="place: one more place at a company, for any student it "
                                "takes; crebo or family: one more place for one qualification in an area."),
    time_limit: float = typer.Option(30.0, "--time-limit", min=0.5, help="Seconds per solve."),
    seed: int = typer.Option(0, "--seed", help="Solver seed."),
    workers: int = typer.Option(1, "--workers", min=0, help="Re-solves at the same time (0: in this process)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address for the re-solves."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Rank where one more supervision place removes the most weighted shortage, and verify the top spots."""
    from planner.solve import solve as solve_scenario
    from planner.whatif.console import print_spots
    from planner.whatif.marginal import capacity_spots, spot_rows, verify_spots
    from planner.whatif.spots_report import write_marginal

    with handled(debug):
        loaded = load_checked(scenario)
        check_out_dir(out)
        params = SolveParams(mode=mode.value, time_limit=time_limit, seed=seed, baselines=False)
        plan = solve_scenario(loaded.scenario, params, base_dir=loaded.base_dir).plan
        spots = capacity_spots(loaded.scenario, plan, mode.value, top, time_limit, seed, loaded.base_dir,
                               per=per.value)
        executor = executor_for(workers, scheduler, False)
        try:
            verify_spots(loaded.scenario, plan, spots, params, verify, executor, loaded.base_dir)
        finally:
            executor.close()
        write_marginal(plan, loaded, spot_rows(spots), out)
        console = out_console()
        print_spots(console, spots)
        console.print(_("{n} spots ranked, {verified} verified; results in {out}").format(
            n=len(spots), verified=sum(1 for s in spots if s.realised is not None), out=escape(str(out))))


@app.command("bench-sweep")
def bench_sweep(
    instance: str = typer.Option("L", "--instance", help="Instance of the sweep: twente, S, M or L."),
    variants: int = typer.Option(8, "--variants", min=1, max=8, help="How many of the standard variants."),
    time_limit: float = typer.Option(600.0, "--time-limit", min=0.5, help="Seconds per solve (a safety net)."),
    work_limit: int = typer.Option(40, "--work-limit", min=1, help="Work budget per solve: neighbourhoods."),
    relaxation_rounds: int = RELAXATION_ROUNDS_OPTION,
    bound_rounds: int = BOUND_ROUNDS_OPTION,
    polish_ticks: float = POLISH_TICKS_OPTION,
    workers: list[int] = typer.Option([1, 2], "--workers", help="Process-pool sizes to time (repeatable)."),
    local_cluster: int = typer.Option(2, "--local-cluster", min=0, help="Workers of a Dask LocalCluster run (0: none)."),
    marginal_instance: str = typer.Option("S", "--marginal-instance", help="Instance of the marginal-value table "
                                          "('' for none)."),
    top: int = typer.Option(10, "--top", min=1, help="Spots verified in the marginal-value table."),
    out: Path = typer.Option(Path("bench-out"), "--out", "-o", help="Folder for sweep-benchmark.md/.json."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Benchmark a what-if sweep (standard variants) on process pools and a Dask LocalCluster, and the
    marginal-value ranking's estimated against realised reductions."""
    from dataclasses import asdict

    from planner import bench as bench_module
    from planner.scenario import write_atomic

    with handled(debug):
        names = [name for name in (instance, marginal_instance) if name]
        problems = [f"--instance {name!r}: allowed are {', '.join(bench_module.INSTANCES)}"
                    for name in names if name not in bench_module.INSTANCES]
        if problems:
            raise InputFailure(problems)
        console = out_console()
        executors = [("pool", w) for w in workers] + ([("dask", local_cluster)] if local_cluster else [])
        rows = bench_module.run_sweep_bench(instance, executors, time_limit, variants=variants, work_limit=work_limit,
                                            relaxation_rounds=relaxation_rounds, bound_rounds=bound_rounds,
                                            polish_ticks=polish_ticks,
                                            progress=lambda r: console.print(f"{r.executor} x{r.workers}: "
                                                                             f"{r.wall_seconds:,.1f} s"))
        spots = (bench_module.run_marginal_bench(marginal_instance, time_limit, top) if marginal_instance else [])
        write_atomic(out / "sweep-benchmark.json", json.dumps({"sweep": [asdict(r) for r in rows], "marginal": spots},
                                                               indent=1))
        write_atomic(out / "sweep-benchmark.md", bench_module.sweep_markdown(rows, spots, marginal_instance))
        console.print(f"Results in [bold]{escape(str(out))}[/]")
