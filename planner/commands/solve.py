"""Solving and comparing plans: ``solve``, ``demo`` and ``compare``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from planner.commands.common import (
    InputFailure,
    Lang,
    Mode,
    check_out_dir,
    echo_err,
    handled,
    lang_option,
    load_checked,
    min_wave_option,
    use_language,
    wave_gap_option,
    with_wave_rules,
)
from planner.i18n import _
from planner.plan.analysis import compare_plans
from planner.plan.model import load_plan
from planner.plan.result import Result
from planner.report.console import SolveDisplay, out_console, print_comparison, print_result
from planner.report.tables import plan_mode_label
from planner.scenario import LoadedScenario
from planner.scenario.embedded import DEFAULT_SCENARIO, embedded_scenario
from planner.solve.params import SolveParams

app = typer.Typer()


def default_scenario_path() -> Path:
    """The embedded default scenario (Twente), shipped as package data."""
    return embedded_scenario(DEFAULT_SCENARIO)


def solve_shown(loaded: LoadedScenario, mode: str, time_limit: float, seed: int, show: bool,
                debug: bool = False, work_limit: int | None = None) -> Result:
    """Solve in a watched process with a progress display; Ctrl-C and SIGTERM stop it cleanly.

    The result holds the plan and the baseline plans it is compared with (in optimise mode the
    status quo, which gets its share of the time limit). With ``work_limit`` the solve has a work
    budget of that many neighbourhoods and the time limit is only a safety net.
    """
    from planner.solve.runner import solve_interruptibly

    params = SolveParams(mode=mode, time_limit=time_limit, seed=seed, work_limit=work_limit)
    with SolveDisplay(show) as display, display.stage(plan_mode_label(mode)) as callback:
        return solve_interruptibly(loaded.scenario, params, callback, base_dir=loaded.base_dir, debug=debug)


def with_tradeoff(result: Result, loaded: LoadedScenario, show: bool) -> Result:
    """The result with its plan's trade-off curve (optimise mode, with the status quo), each point under a work
    budget (see :mod:`planner.solve.tradeoff`)."""
    from planner.geo.region import Region
    from planner.solve.tradeoff import plan_tradeoff

    status_quo = result.baselines.get("status-quo")
    if result.plan.mode != "optimise" or status_quo is None:
        return result
    if show:
        out_console().print(_("Trade-off: at most k changed cohorts, from the status quo to the optimised plan ..."))
    _data, curve = plan_tradeoff(loaded.scenario, Region(loaded.scenario, loaded.base_dir), result.plan, status_quo,
                                 seed=result.plan.solver.seed)
    result.plan = result.plan.model_copy(update={"tradeoff": [point.as_out() for point in curve]})
    return result


def tradeoff_option() -> bool:
    """``--tradeoff``: also compute the trade-off curve."""
    return typer.Option(False, "--tradeoff", help="Also compute the trade-off: the least shortage when at most k "
                        "cohorts change period or form, from the status quo to the optimised plan (about ten "
                        "exact solves; in summary.md and tradeoff.png).")


@app.command()
def solve(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON; tables inline or as CSV)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (created; earlier results are replaced)."),
    mode: Mode = typer.Option(Mode.optimise, "--mode", help="optimise: choose periods and forms; status-quo: "
                              "current periods; greedy: current periods, first come first served."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.5, help="Seconds for the whole solve (optimise "
                                     "mode also solves the status quo for the comparison, within this)."),
    seed: int = typer.Option(0, "--seed", help="Solver seed."),
    work_limit: int | None = typer.Option(None, "--work-limit", min=1, help="A work budget instead of the time "
                                          "limit: this many neighbourhoods of company-level search (the same plan on "
                                          "any machine); --time-limit is then only a safety net."),
    min_wave: int | None = min_wave_option(),
    wave_gap: int | None = wave_gap_option(),
    tradeoff: bool = tradeoff_option(),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
    as_json: bool = typer.Option(False, "--json", help="Print only the KPIs as JSON."),
    lang: Lang | None = lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Solve a scenario and write plan.json, CSV tables, summary.md, charts and a map to --out."""
    use_language(lang)
    from planner.report.output import write_outputs

    with handled(debug):
        loaded = with_wave_rules(load_checked(scenario, quiet), min_wave, wave_gap)
        check_out_dir(out)
        result = solve_shown(loaded, mode.value, time_limit, seed, show=not (quiet or as_json), debug=debug,
                             work_limit=work_limit)
        if tradeoff:
            result = with_tradeoff(result, loaded, show=not (quiet or as_json))
        status_quo = result.baselines.get("status-quo")
        files = write_outputs(result.plan, loaded, out, status_quo=status_quo,
                              warn=(lambda m: None) if quiet else (lambda m: echo_err(f"{_('warning')}: {m}")))
        if as_json:
            typer.echo(result.plan.kpis.model_dump_json(indent=2))
        elif not quiet:
            print_result(result.plan, status_quo, out, files)


@app.command()
def demo(
    out: Path = typer.Option(Path("stageplanner-demo"), "--out", "-o", help="Output folder."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.5, help="Seconds for the optimised solve."),
    min_wave: int | None = min_wave_option(),
    wave_gap: int | None = wave_gap_option(),
    tradeoff: bool = tradeoff_option(),
    lang: Lang | None = lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Solve the embedded default scenario (Twente): optimised plan and status quo side by side."""
    use_language(lang)
    from planner.report.output import write_demo_outputs

    with handled(debug):
        path = default_scenario_path()
        console = out_console()
        console.print(_("Default scenario: {path}").format(path=escape(str(path))))
        loaded = with_wave_rules(load_checked(path), min_wave, wave_gap)
        check_out_dir(out)
        result = solve_shown(loaded, "optimise", time_limit, 0, show=True, debug=debug)
        if tradeoff:
            result = with_tradeoff(result, loaded, show=True)
        plan, status_quo = result.plan, result.baselines["status-quo"]
        write_demo_outputs(plan, status_quo, loaded, out, warn=lambda m: echo_err(f"{_('warning')}: {m}"))
        print_result(plan, status_quo, out / "optimise", sorted((out / "optimise").iterdir()))
        console.print(_("Status quo in {folder}; comparison in {file}").format(
            folder=f"[bold]{escape(str(out / 'status-quo'))}[/]", file=f"[bold]{escape(str(out / 'summary.md'))}[/]"))


@app.command()
def compare(
    a: Path = typer.Argument(..., help="Plan A: a plan.json or an output folder holding one."),
    b: Path = typer.Argument(..., help="Plan B: a plan.json or an output folder holding one."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    lang: Lang | None = lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Compare two plans: KPIs side by side and the cells and areas that got better or worse (B against A)."""
    use_language(lang)
    with handled(debug):
        plans, problems = [], []
        for path in (a, b):
            try:
                plans.append(load_plan(path))
            except (FileNotFoundError, ValueError) as err:
                problems.append(str(err))
        if problems:
            raise InputFailure(problems)
        result = compare_plans(*plans)
        result["a"]["path"], result["b"]["path"] = str(a), str(b)
        if as_json:
            typer.echo(json.dumps(result, indent=2))
            return
        print_comparison(result, a, b)
