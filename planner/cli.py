"""The ``stageplanner`` command line: solve, compare, reports and pictures.

A thin layer: it parses arguments, calls the library and prints with
:mod:`planner.report.console`. The solver, the report writers, the generator, the
benchmark and the web API are imported when their command runs, so that ``--help`` and
``validate`` start fast (they pull in OR-Tools, matplotlib, folium, FastAPI). Exit codes:
0 success, 2 invalid input (every problem printed, one per line), 1 internal error (a short
message; the traceback with ``--debug``), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
An interrupted run never leaves half a file or a partial set of result files.
"""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from api.core.security import Role  # the roles only: the API stack itself loads when a command needs it
from planner.cli_help import LANG_ENVVAR, click_exceptions, language_from_argv, localised_command, show_usage_error
from planner.i18n import N_, _, fmt_int, ngettext, set_language
from planner.model import load_scenario
from planner.plan.analysis import compare_plans
from planner.plan.model import load_plan
from planner.plan.result import Result
from planner.report.console import SolveDisplay, out_console, print_comparison, print_result
from planner.report.summary import comparison_markdown
from planner.report.tables import plan_mode_label
from planner.scenario import LoadedScenario, ScenarioError
from planner.scenario.embedded import DEFAULT_SCENARIO, embedded_scenario
from planner.solve.interrupt import Terminated, sigterm_raises
from planner.solve.params import SolveParams, WorkBudget

app = typer.Typer(
    name="stageplanner",
    help="Plan staggered block and line internship periods (stageperiodes) for an MBO region against "
    "learning companies' weekly supervision capacity (begeleidingscapaciteit).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class Lang(StrEnum):
    """Languages of what the command prints and writes."""

    nl = "nl"
    en = "en"


LANG_HELP = N_("Language of messages, summaries, reports, charts and the map: nl (default) or en.")


@app.callback()
def _main(lang: Lang | None = typer.Option(None, "--lang", envvar=LANG_ENVVAR, help=LANG_HELP)) -> None:
    """Plan staggered internship periods; ``--lang`` before or after the command sets the language."""
    _use(lang)  # without --lang or STAGEPLANNER_LANG: Dutch, the default


def _lang_option() -> Any:
    return typer.Option(None, "--lang", help=LANG_HELP)


def _use(lang: Lang | None) -> None:
    """A command's own ``--lang`` wins over the one before the command and STAGEPLANNER_LANG."""
    if lang is not None:
        set_language(lang.value)


class Mode(StrEnum):
    """Solve modes."""

    optimise = "optimise"
    status_quo = "status-quo"
    greedy = "greedy"


class Size(StrEnum):
    """Generated scenario sizes."""

    S = "S"
    M = "M"
    L = "L"


class InputFailure(Exception):
    """Bad input: every message is printed on its own line and the exit code is 2."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def default_scenario_path() -> Path:
    """The embedded default scenario (Twente), shipped as package data."""
    return embedded_scenario(DEFAULT_SCENARIO)


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


@contextlib.contextmanager
def _handled(debug: bool) -> Iterator[None]:
    """Map outcomes to exit codes and short messages."""
    try:
        with sigterm_raises():
            yield
    except (typer.Exit, typer.Abort):
        raise
    except ScenarioError as err:
        for problem in err.problems:
            _echo_err(str(problem))
        raise typer.Exit(EXIT_INPUT) from None
    except InputFailure as err:
        for message in err.messages:
            _echo_err(message)
        raise typer.Exit(EXIT_INPUT) from None
    except KeyboardInterrupt:
        _echo_err(_("interrupted: the run was stopped; no partial results were written"))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Terminated:
        _echo_err(_("terminated: the run was stopped; no partial results were written"))
        raise typer.Exit(EXIT_TERMINATED) from None
    except Exception as err:
        if debug:
            traceback.print_exc()
        message = str(err).strip().splitlines()
        _echo_err(f"{_('error')}: {type(err).__name__}: {message[0] if message else ''}".rstrip(": "))
        if not debug:
            _echo_err(_("(run again with --debug for the full traceback)"))
        raise typer.Exit(EXIT_INTERNAL) from None


def _load(path: Path, quiet: bool = False) -> LoadedScenario:
    loaded = load_scenario(path)  # raises ScenarioError with every problem
    if not quiet:
        for warning in loaded.warnings:
            _echo_err(f"{_('warning')}: {warning}")
    return loaded


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputFailure([_("{path}: exists and is not a folder").format(path=out)])


# ---------------------------------------------------------------- solving


def _solve(loaded: LoadedScenario, mode: str, time_limit: float, seed: int, show: bool, debug: bool = False) -> Result:
    """Solve in a watched process with a progress display; Ctrl-C and SIGTERM stop it cleanly.

    The result holds the plan and the baseline plans it is compared with (in optimise mode the
    status quo, which gets its share of the time limit).
    """
    from planner.solve.runner import solve_interruptibly

    params = SolveParams(mode=mode, time_limit=time_limit, seed=seed)
    with SolveDisplay(show) as display, display.stage(plan_mode_label(mode)) as callback:
        return solve_interruptibly(loaded.scenario, params, callback, base_dir=loaded.base_dir, debug=debug)


# ---------------------------------------------------------------- commands


@app.command()
def solve(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON; tables inline or as CSV)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (created; earlier results are replaced)."),
    mode: Mode = typer.Option(Mode.optimise, "--mode", help="optimise: choose periods and forms; status-quo: "
                              "current periods; greedy: current periods, first come first served."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.5, help="Seconds for the whole solve (optimise "
                                     "mode also solves the status quo for the comparison, within this)."),
    seed: int = typer.Option(0, "--seed", help="Solver seed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
    as_json: bool = typer.Option(False, "--json", help="Print only the KPIs as JSON."),
    lang: Lang | None = _lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Solve a scenario and write plan.json, CSV tables, summary.md, charts and a map to --out."""
    _use(lang)
    from planner.report.output import write_outputs

    with _handled(debug):
        loaded = _load(scenario, quiet)
        _check_out_dir(out)
        result = _solve(loaded, mode.value, time_limit, seed, show=not (quiet or as_json), debug=debug)
        status_quo = result.baselines.get("status-quo")
        files = write_outputs(result.plan, loaded, out, status_quo=status_quo,
                              warn=(lambda m: None) if quiet else (lambda m: _echo_err(f"{_('warning')}: {m}")))
        if as_json:
            typer.echo(result.plan.kpis.model_dump_json(indent=2))
        elif not quiet:
            print_result(result.plan, status_quo, out, files)


@app.command()
def demo(
    out: Path = typer.Option(Path("stageplanner-demo"), "--out", "-o", help="Output folder."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.5, help="Seconds for the optimised solve."),
    lang: Lang | None = _lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Solve the embedded default scenario (Twente): optimised plan and status quo side by side."""
    _use(lang)
    from planner.report.output import StagedFolder, write_outputs

    with _handled(debug):
        path = default_scenario_path()
        console = out_console()
        console.print(_("Default scenario: {path}").format(path=escape(str(path))))
        loaded = _load(path)
        _check_out_dir(out)
        result = _solve(loaded, "optimise", time_limit, 0, show=True, debug=debug)
        plan, status_quo = result.plan, result.baselines["status-quo"]
        with StagedFolder(out) as staged:
            warn = lambda m: _echo_err(f"{_('warning')}: {m}")  # noqa: E731
            write_outputs(plan, loaded, staged.path / "optimise", status_quo=status_quo, warn=warn)
            write_outputs(status_quo, loaded, staged.path / "status-quo", warn=warn)
            text = ("# " + _("Demo: {scenario}").format(scenario=plan.scenario) + "\n\n"
                    + _("The optimised plan (periods agreed across the region) against the status quo (every cohort "
                        "in its current period).") + "\n"
                    + _("Details: {a} and {b}.").format(a="`optimise/summary.md`", b="`status-quo/summary.md`")
                    + "\n\n## " + _("Key figures") + "\n\n"
                    + comparison_markdown(status_quo, plan, plan_mode_label("status-quo"), plan_mode_label("optimise")))
            (staged.path / "summary.md").write_text(text, encoding="utf-8")
            staged.commit()
        print_result(plan, status_quo, out / "optimise", sorted((out / "optimise").iterdir()))
        console.print(_("Status quo in {folder}; comparison in {file}").format(
            folder=f"[bold]{escape(str(out / 'status-quo'))}[/]", file=f"[bold]{escape(str(out / 'summary.md'))}[/]"))


@app.command()
def compare(
    a: Path = typer.Argument(..., help="Plan A: a plan.json or an output folder holding one."),
    b: Path = typer.Argument(..., help="Plan B: a plan.json or an output folder holding one."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    lang: Lang | None = _lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Compare two plans: KPIs side by side and the cells and areas that got better or worse (B against A)."""
    _use(lang)
    with _handled(debug):
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


@app.command()
def generate(
    size: Size = typer.Option(Size.S, "--size", case_sensitive=False, help="S, M or L."),
    region: str | None = typer.Option(None, "--region", help="Labour-market region (size S) or province (size M) "
                                      "to generate; default Twente (S) or Gelderland (M)."),
    seed: int = typer.Option(2026, "--seed", help="Generator seed (same seed, same scenario)."),
    out: Path = typer.Option(..., "--out", "-o", help="Scenario file to write (or a folder: scenario.yaml in it); "
                             "cohorts.csv and companies.csv go next to it."),
    lang: Lang | None = _lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Generate a synthetic region of size S, M or L (scenario file plus CSV tables)."""
    _use(lang)
    import planner.generate as generator

    with _handled(debug):
        try:
            scenario = generator.generate_scenario(size.value, seed, region=region)
        except generator.UnknownRegion as err:
            raise InputFailure([str(err)]) from None
        written = generator.write_generated(scenario, out)
        console = out_console()
        console.print(_("Generated scenario {name}: {cohorts} cohorts, {students} students, {companies} learning "
                        "companies").format(name=f"[bold]{escape(scenario.name)}[/]", cohorts=fmt_int(len(scenario.cohorts)),
                                            students=fmt_int(sum(c.students for c in scenario.cohorts)),
                                            companies=fmt_int(len(scenario.companies))))
        path = Path(written) if written is not None else out
        for name in (path, path.parent / "cohorts.csv", path.parent / "companies.csv"):
            if name.exists():
                console.print("  " + _("wrote {path}").format(path=escape(str(name))))


@app.command()
def validate(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    lang: Lang | None = _lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Check a scenario without solving: list every problem and warning (exit 0 if fine, 2 if not)."""
    _use(lang)
    with _handled(debug):
        try:
            loaded = load_scenario(scenario)
        except ScenarioError as err:
            for problem in err.problems:
                typer.echo(str(problem))
            typer.echo(ngettext("{n} problem found", "{n} problems found", len(err.problems)).format(
                n=len(err.problems)), err=True)
            raise typer.Exit(EXIT_INPUT) from None
        for warning in loaded.warnings:
            typer.echo(f"{_('warning')}: {warning}")
        s = loaded.scenario
        counts = _("{cohorts} cohorts, {students} students, {companies} learning companies, {weeks} weeks").format(
            cohorts=fmt_int(len(s.cohorts)), students=fmt_int(sum(c.students for c in s.cohorts)),
            companies=fmt_int(len(s.companies)), weeks=len(s.calendar.weeks))
        if loaded.warnings:
            counts += ", " + ngettext("{n} warning", "{n} warnings", len(loaded.warnings)).format(n=len(loaded.warnings))
        typer.echo(f"{scenario}: OK ({counts})")


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

    with _handled(debug):
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


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Run the web API with uvicorn (settings from the environment, see README)."""
    import api.main  # the API stack loads only for this command
    from api.core.config import SettingsError

    with _handled(debug):
        try:
            api.main.serve(host=host, port=port)
        except SettingsError as err:
            raise InputFailure([f"error: {err}"]) from None


tokens_app = typer.Typer(name="tokens", no_args_is_help=True, rich_markup_mode=None,
                         help="API tokens: create (shown once), list, revoke. Works on the database of "
                              "STAGEPLANNER_DATABASE_URL / DATABASE_URL directly; no server needed.")
app.add_typer(tokens_app)


@contextlib.contextmanager
def _token_store(debug: bool) -> Iterator[Any]:
    """A session on the settings' database (migrated first), committed on success; bad input exits with 2."""
    from api.core.config import SettingsError, load_settings
    from api.core.db import Database
    from api.errors import InvalidInput, NotFound

    with _handled(debug):
        try:
            db = Database(load_settings().database_url)
        except SettingsError as err:
            raise InputFailure([f"error: {err}"]) from None
        try:
            db.migrate()
            with db.session() as session:
                yield session
        except InvalidInput as err:
            raise InputFailure([f"error: {p.field}: {p.message}" for p in err.problems]) from None
        except NotFound as err:
            raise InputFailure([f"error: {err}"]) from None
        finally:
            db.dispose()


@tokens_app.command("create")
def tokens_create(
    name: str = typer.Option(..., "--name", help="Who uses the token (recorded as adopted_by and in the audit log)."),
    role: Role = typer.Option(..., "--role", help="reader, editor (their regions), analyst (all regions, read), admin."),
    region: list[str] = typer.Option([], "--region", help="A region the token may use; repeat for more. "
                                     "Needed for reader and editor."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    from api import crud

    with _token_store(debug) as session:
        row, token = crud.create_token(session, name, role.value, region)
        crud.record(session, None, "token.create", "token", row.id, None,
                    f"{row.name}: {row.role} {', '.join(crud.token_regions(row)) or 'all regions'}")
    typer.echo(f"token {row.id} ({row.role}, {', '.join(crud.token_regions(row)) or 'all regions'}) for {row.name}:",
               err=True)
    typer.echo(token)
    typer.echo("Store it now: it is shown only this once. Send it as 'Authorization: Bearer <token>'.", err=True)


@tokens_app.command("list")
def tokens_list(debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors.")) -> None:
    """List tokens: id, name, role, regions, created, revoked (never the tokens themselves)."""
    from api import crud

    with _token_store(debug) as session:
        rows = crud.list_tokens(session)
        lines = [f"{r.id}\t{r.name}\t{r.role}\t{','.join(crud.token_regions(r)) or '*'}\t"
                 f"{r.created_at:%Y-%m-%d %H:%M}\t{f'revoked {r.revoked_at:%Y-%m-%d %H:%M}' if r.revoked_at else 'active'}"
                 for r in rows]
    typer.echo("id\tname\trole\tregions\tcreated\tstate")
    for line in lines:
        typer.echo(line)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int = typer.Argument(..., min=1, help="The token's id (see `tokens list`)."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Revoke a token; requests with it get 401 from now on."""
    from api import crud

    with _token_store(debug) as session:
        row = crud.revoke_token(session, token_id)
        crud.record(session, None, "token.revoke", "token", row.id, None, row.name)
    typer.echo(f"token {token_id} ({row.name}) is revoked")


# ---------------------------------------------------------------- what-if: variants, sweeps, marginal value


def _executor(workers: int, scheduler: str | None, local_cluster: bool) -> Any:
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
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Solve a base scenario and its variants side by side: one table, one chart, what changed per variant."""
    from planner.i18n import _
    from planner.whatif.compare import sweep_table, write_sweep
    from planner.whatif.console import print_sweep, sweep_progress
    from planner.whatif.sweep import run_sweep, sweep_params
    from planner.whatif.variants import read_variant_set

    with _handled(debug):
        variant_set, base_path = read_variant_set(variants)
        loaded = _load(base_path)
        _check_out_dir(out)
        params = sweep_params(mode.value, time_limit, seed, work_limit or None, work_nodes, relaxation_rounds,
                              bound_rounds, polish_ticks)
        console = out_console()
        executor = _executor(workers, scheduler, local_cluster)
        try:
            with sweep_progress(console, len(variant_set.variants) + 1) as progress:
                result = run_sweep(loaded.scenario, variant_set.variants, params, executor, loaded.base_dir, progress)
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
    time_limit: float = typer.Option(30.0, "--time-limit", min=0.5, help="Seconds per solve."),
    seed: int = typer.Option(0, "--seed", help="Solver seed."),
    workers: int = typer.Option(1, "--workers", min=0, help="Re-solves at the same time (0: in this process)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address for the re-solves."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Rank where one more supervision place removes the most weighted shortage, and verify the top spots."""
    from maps.spots import write_spots_map
    from planner.i18n import _
    from planner.solve import solve as solve_scenario
    from planner.whatif.console import print_spots
    from planner.whatif.marginal import capacity_spots, spot_rows, verify_spots

    with _handled(debug):
        loaded = _load(scenario)
        _check_out_dir(out)
        params = SolveParams(mode=mode.value, time_limit=time_limit, seed=seed, baselines=False)
        plan = solve_scenario(loaded.scenario, params, base_dir=loaded.base_dir).plan
        spots = capacity_spots(loaded.scenario, plan, mode.value, top, time_limit, seed, loaded.base_dir)
        executor = _executor(workers, scheduler, False)
        try:
            verify_spots(loaded.scenario, plan, spots, params, verify, executor, loaded.base_dir)
        finally:
            executor.close()
        out.mkdir(parents=True, exist_ok=True)
        rows = spot_rows(spots)
        (out / "marginal.json").write_text(json.dumps({"objective": plan.kpis.objective, "status": plan.solver.status,
                                                       "spots": rows}, indent=1), encoding="utf-8")
        write_spots_map(plan, loaded, rows, out / "marginal-map.html")
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

    with _handled(debug):
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


def main(argv: list[str] | None = None) -> None:
    """Entry point (``stageplanner``, ``python -m planner.cli``): the commands and their help in the
    language asked for (``--lang``, ``STAGEPLANNER_LANG``, Dutch by default), then run."""
    args = sys.argv[1:] if argv is None else list(argv)
    set_language(language_from_argv(args))
    command = localised_command(typer.main.get_command(app))
    try:
        # Not standalone: click would write its usage errors itself, in English.
        code = command.main(args=args, prog_name="stageplanner", standalone_mode=False)
    except click_exceptions.UsageError as error:
        show_usage_error(error)
        sys.exit(error.exit_code)
    except click_exceptions.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except typer.Abort:
        _echo_err(_("Aborted."))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)  # an exit code (typer.Exit) or a command's result


if __name__ == "__main__":
    main()
