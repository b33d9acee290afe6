"""``bench``: the planner against its alternatives, same time each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from planner.commands.common import InputFailure, handled
from planner.report.console import out_console

app = typer.Typer()


@app.command()
def bench(
    instance: list[str] = typer.Option(["twente", "S"], "--instance", "--size",
                                       help="Instances to run (repeatable): twente, S, M, L."),
    method: list[str] = typer.Option([], "--method", help="Methods to run (repeatable; default all): stageplanner, "
                                     "'heuristic stage only', 'CP-SAT, full model', 'first come, first served'."),
    mode: list[str] = typer.Option([], "--mode", help="Modes (repeatable; default status-quo and optimise)."),
    time_limit: float | None = typer.Option(None, "--time-limit", min=0.5,
                                            help="Seconds per solve (default per instance: twente 10/30, S and M 60, L 600)."),
    seed: int | None = typer.Option(None, "--seed", help="Generator and solver seed (default: the benchmark's)."),
    out: Path = typer.Option(Path("bench-out"), "--out", "-o", help="Folder for benchmark-results.json/.md."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Benchmark the planner against its alternatives (same time each) and write the results table."""
    from planner import bench as bench_module

    with handled(debug):
        problems = ([f"--instance {name!r}: allowed are {', '.join(bench_module.INSTANCES)}"
                     for name in instance if name not in bench_module.INSTANCES]
                    + [f"--method {name!r}: allowed are {', '.join(bench_module.METHODS)}"
                       for name in method if name not in bench_module.METHODS]
                    + [f"--mode {name!r}: allowed are {', '.join(bench_module.MODES)}"
                       for name in mode if name not in bench_module.MODES])
        if problems:
            raise InputFailure(problems)
        console = out_console()

        def progress(row: Any) -> None:
            console.print(f"{row.instance} {row.mode}, {row.method}: plan {row.plan:,.1f}, bound {row.bound:,.1f}, "
                          f"{row.seconds:,.1f} s ({row.status})")

        console.print(f"Benchmark: {', '.join(instance)} ...")
        bench_module.run_bench(instance, out, time_limit=time_limit,
                               seed=seed if seed is not None else bench_module.SEED,
                               methods=method or None, modes=mode or None, progress=progress)
        console.print(f"Results in [bold]{escape(str(out))}[/]")
