"""The ``stageplanner`` command line: solve, compare, reports and pictures.

A thin layer: it parses arguments, calls the library and prints with rich. Exit codes:
0 success, 2 invalid input (every problem printed, one per line), 1 internal error (a short
message; the traceback with ``--debug``), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
An interrupted run never leaves half a file or a partial set of result files.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

import planner
from planner.geo import load_scenario
from planner.plan.model import Plan, Progress
from planner.scenario import LoadedScenario, ScenarioError

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


class Mode(str, Enum):
    """Solve modes."""

    optimise = "optimise"
    status_quo = "status-quo"
    greedy = "greedy"


class Size(str, Enum):
    """Generated scenario sizes."""

    S = "S"
    M = "M"
    L = "L"


class InputFailure(Exception):
    """Bad input: every message is printed on its own line and the exit code is 2."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


class Terminated(BaseException):
    """SIGTERM arrived (raised from the signal handler so that clean-up code runs)."""


def default_scenario_path() -> Path:
    """The embedded default scenario (Twente), next to the installed package."""
    return Path(planner.__file__).resolve().parent.parent / "scenarios" / "twente" / "scenario.yaml"


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


# ---------------------------------------------------------------- errors, signals


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` so the solver process is stopped and temp files removed."""
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> NoReturn:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _handled(debug: bool) -> Iterator[None]:
    """Map outcomes to exit codes and short messages."""
    try:
        with _sigterm_raises():
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
        _echo_err("interrupted: the run was stopped; no partial results were written")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Terminated:
        _echo_err("terminated: the run was stopped; no partial results were written")
        raise typer.Exit(EXIT_TERMINATED) from None
    except Exception as err:
        if debug:
            traceback.print_exc()
        message = str(err).strip().splitlines()
        _echo_err(f"error: {type(err).__name__}: {message[0] if message else ''}".rstrip(": "))
        if not debug:
            _echo_err("(run again with --debug for the full traceback)")
        raise typer.Exit(EXIT_INTERNAL) from None


def _optional_module(name: str, what: str) -> Any:
    """Import an optional part of the project, or stop with a clear message (exit 1)."""
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name and (name == err.name or name.startswith(err.name + ".")):
            _echo_err(f"error: {what} is not available in this installation (module {name} is missing)")
            raise typer.Exit(EXIT_INTERNAL) from None
        raise


def _load(path: Path, quiet: bool = False) -> LoadedScenario:
    loaded = load_scenario(path)  # raises ScenarioError with every problem
    if not quiet:
        for warning in loaded.warnings:
            _echo_err(f"warning: {warning}")
    return loaded


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputFailure([f"{out}: exists and is not a folder"])


# ---------------------------------------------------------------- solving with a progress display


class SolveDisplay:
    """A rich progress display for one or more solves (elapsed time, best plan, bound)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.progress: RichProgress | None = None

    def __enter__(self) -> SolveDisplay:
        if self.enabled:
            _err().print("Solving: best = weighted shortage of the best plan so far, bound = proven lower bound "
                         "(no plan can do better)")
            self.progress = RichProgress(
                SpinnerColumn(finished_text="[green]✓[/]"),
                TextColumn("[bold]{task.description}", table_column=Column(width=14, no_wrap=True)),
                TimeElapsedColumn(table_column=Column(min_width=7, no_wrap=True)),
                TextColumn("{task.fields[detail]}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
                console=Console(stderr=True, highlight=False),  # wraps to the terminal, as Live needs
            )
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    @contextlib.contextmanager
    def stage(self, label: str) -> Iterator[Callable[[Progress], None]]:
        """A progress row for one solve; yields the callback for its Progress events."""
        if self.progress is None:
            yield lambda event: None
            return
        progress = self.progress
        task = progress.add_task(escape(label), total=None, detail="solving (no plan yet)")
        best: dict[str, float | None] = {"incumbent": None, "bound": None}

        def on_event(event: Progress) -> None:
            if event.incumbent is not None and (best["incumbent"] is None or event.incumbent < best["incumbent"]):
                best["incumbent"] = event.incumbent
            if event.bound is not None and (best["bound"] is None or event.bound > best["bound"]):
                best["bound"] = event.bound
            parts = []
            if best["incumbent"] is not None:
                parts.append(f"best {best['incumbent']:,.1f}")
            if best["bound"] is not None:
                parts.append(f"bound {best['bound']:,.1f}")
            if best["incumbent"] is not None and best["bound"] is not None:
                gap = max(0.0, best["incumbent"] - best["bound"]) / max(best["incumbent"], 1.0)
                parts.append(f"gap {gap:.1%}")
            parts.append(f"({event.phase})")
            progress.update(task, detail=escape(" | ".join(parts[:-1]) + " " + parts[-1]).strip())

        try:
            yield on_event
        except BaseException:
            progress.update(task, detail="stopped")
            progress.stop_task(task)
            raise
        progress.update(task, total=1, completed=1)
        progress.stop_task(task)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stopped(signum: int) -> BaseException:
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated()


def _solve_in_child(loaded: LoadedScenario, mode: str, time_limit: float, seed: int,
                    callback: Callable[[Progress], None], debug: bool = False) -> Plan:
    """Run :func:`planner.solve.solve_watched` so that Ctrl-C and SIGTERM stop it cleanly.

    * While the solve runs, SIGINT and SIGTERM only set a flag that ``cancel`` reports, so
      ``solve_watched`` stops and kills its solver process itself; no exception can fly
      out of the middle of starting that process (which would leave it orphaned).
    * The solver process is started with both signals blocked in this thread, a mask it
      inherits: a terminal's Ctrl-C goes to the whole process group, and the solver must not
      die with a traceback of its own. This thread unblocks them as soon as the child exists
      (``solve_watched`` polls ``cancel`` right after starting it).
    * The solver process's standard output (solver engines print banners there) goes to
      /dev/null, or to stderr with ``--debug``: this program's stdout stays clean, e.g.
      for ``--json``. It is set the same way, through what the child inherits at start.

    Raises KeyboardInterrupt (SIGINT) or :class:`Terminated` (SIGTERM) when stopped.
    """
    from planner.solve.pipeline import SolveError, solve_watched

    stop: list[int] = []
    previous: dict[int, Any] = {}
    masked = False
    saved_stdout: int | None = None

    def on_signal(signum: int, frame: object) -> None:
        stop.append(signum)

    def unmask() -> None:
        """The solver process exists: undo what only it was meant to inherit."""
        nonlocal masked, saved_stdout
        if saved_stdout is not None:
            os.dup2(saved_stdout, 1)
            os.close(saved_stdout)
            saved_stdout = None
        if masked:
            masked = False
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def cancel() -> bool:
        unmask()
        return bool(stop)

    def on_event(event: Progress) -> None:
        unmask()  # in case a future solve_watched reports progress before it polls cancel
        callback(event)

    if _in_main_thread():
        # Starting multiprocessing's resource tracker unblocks SIGINT and SIGTERM in this
        # thread; start it now, before the mask is set.
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
        previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
            masked = True
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            target = os.dup(2) if debug else os.open(os.devnull, os.O_WRONLY)
            saved_stdout = os.dup(1)
            os.dup2(target, 1)
            os.close(target)
    try:
        plan = solve_watched(loaded.scenario, mode=mode, time_limit=time_limit, seed=seed, progress=on_event,
                             base_dir=loaded.base_dir, cancel=cancel)
    except SolveError:
        if stop:
            raise _stopped(stop[0]) from None
        raise
    finally:
        unmask()  # a signal held back by the mask arrives now, at on_signal
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
    if stop:
        raise _stopped(stop[0])
    return plan


def _solve_with_status_quo(loaded: LoadedScenario, mode: str, time_limit: float, seed: int,
                           show: bool, debug: bool = False) -> tuple[Plan, Plan | None]:
    """The plan in ``mode`` and, in optimise mode, the status-quo plan it is compared with.

    The status-quo plan gets 30 % of the time limit, as the status-quo baseline inside
    :func:`planner.solve.solve` does; :func:`planner.report.align_with_status_quo` then makes
    the plan's status-quo baseline that very plan.
    """
    from planner.report.output import align_with_status_quo

    with SolveDisplay(show) as display:
        status_quo = None
        if mode == "optimise":
            with display.stage("status quo") as callback:
                status_quo = _solve_in_child(loaded, "status-quo", max(1.0, time_limit * 0.3), seed, callback,
                                             debug)
        label = {"optimise": "optimised plan", "status-quo": "status quo", "greedy": "greedy"}[mode]
        with display.stage(label) as callback:
            plan = _solve_in_child(loaded, mode, time_limit, seed, callback, debug)
    return align_with_status_quo(plan, status_quo), status_quo


# ---------------------------------------------------------------- printing


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _kpi_table(plan: Plan, status_quo: Plan | None) -> Table:
    from planner.report.output import mode_label, status_quo_kpis

    columns = [(mode_label(plan.mode), plan.kpis)]
    base = status_quo_kpis(plan, status_quo)
    if base is not None:
        columns.append(("status quo", base))
    if "greedy" in plan.baselines and plan.mode != "greedy":
        columns.append(("first come, first served", plan.baselines["greedy"]))
    table = Table(title=f"{plan.scenario}: key figures", title_justify="left")
    table.add_column("measure")
    for name, _ in columns:
        table.add_column(name, justify="right")
    rows = [
        ("BOL students", lambda k: f"{k.students:,}"),
        ("unplaced", lambda k: f"{k.unplaced:,} ({_pct(k.shortage_rate)})"),
        ("unplaced, priority groups", lambda k: f"{k.unplaced_priority:,} ({_pct(k.shortage_rate_priority)})"),
        ("weighted shortage", lambda k: f"{k.objective:,.1f}"),
        ("busiest week", lambda k: f"{k.peak_week} ({k.peak_week_utilisation:.0%})"),
        ("cohorts changed", lambda k: f"{k.cohorts_changed:,}"),
    ]
    for label, fmt in rows:
        table.add_row(label, *(fmt(k) for _, k in columns))
    return table


def _cells_table(plan: Plan, status_quo: Plan | None) -> Table:
    from planner.report.output import level_label, sector_level_rows, status_quo_kpis

    base = status_quo_kpis(plan, status_quo)
    rows = sector_level_rows(plan, base)
    table = Table(title="Shortage by sector chamber and level", title_justify="left")
    table.add_column("sector chamber")
    table.add_column("level")
    table.add_column("students", justify="right")
    if base is not None:
        table.add_column("status quo", justify="right")
    table.add_column("this plan" if base is not None else "unplaced", justify="right")
    if base is not None:
        table.add_column("change", justify="right")
    for r in rows:
        cells = [escape(r["sector_name"]), level_label(r["level"]), f"{r['students']:,}"]
        if base is not None:
            cells.append(f"{r['baseline_unplaced']:,} ({_pct(r['baseline_rate'])})")
        cells.append(f"{r['unplaced']:,} ({_pct(r['rate'])})")
        if base is not None:
            change = r["change"]
            colour = "green" if change < 0 else "red" if change > 0 else "dim"
            cells.append(f"[{colour}]{change:+,}[/]")
        table.add_row(*cells)
    return table


def _hotspot_table(plan: Plan) -> Table | None:
    from planner.report.output import hotspots, level_label

    spots = hotspots(plan, 10)
    if not spots:
        return None
    table = Table(title="Top 10 hotspots (area, sector chamber, level, week)", title_justify="left")
    for name, justify in (("area", "left"), ("sector chamber", "left"), ("level", "left"), ("week", "left"),
                          ("unplaced", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for h in spots:
        table.add_row(escape(h["area"]), escape(h["sector_name"]), level_label(h["level"]), h["week"], f"{h['unplaced']:,}")
    return table


def _print_result(plan: Plan, status_quo: Plan | None, out: Path, files: list[Path]) -> None:
    console = _out()
    console.print()
    console.print(_kpi_table(plan, status_quo))
    k = plan.kpis
    console.print(f"solver: {escape(plan.solver.status)}; weighted shortage {k.objective:,.1f}, bound {k.bound:,.1f}, "
                  f"gap {k.gap:.2%}; {plan.solver.wall_seconds:,.1f} s of {plan.solver.time_limit:,.0f} s")
    console.print()
    console.print(_cells_table(plan, status_quo))
    spots = _hotspot_table(plan)
    console.print()
    if spots is not None:
        console.print(spots)
    else:
        console.print("No student is left without a place.")
    console.print()
    console.print(f"Results in [bold]{escape(str(out))}[/]: " + ", ".join(escape(p.name) for p in files))


# ---------------------------------------------------------------- commands


@app.command()
def solve(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON; tables inline or as CSV)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (created; earlier results are replaced)."),
    mode: Mode = typer.Option(Mode.optimise, "--mode", help="optimise: choose periods and forms; status-quo: "
                              "current periods; greedy: current periods, first come first served."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.5, help="Seconds for the solve (optimise mode "
                                     "also solves the status quo for the comparison, with 30 % of this on top)."),
    seed: int = typer.Option(0, "--seed", help="Solver seed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
    as_json: bool = typer.Option(False, "--json", help="Print only the KPIs as JSON."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Solve a scenario and write plan.json, CSV tables, summary.md, charts and a map to --out."""
    from planner.report.output import write_outputs

    with _handled(debug):
        loaded = _load(scenario, quiet)
        _check_out_dir(out)
        plan, status_quo = _solve_with_status_quo(loaded, mode.value, time_limit, seed,
                                                  show=not (quiet or as_json), debug=debug)
        files = write_outputs(plan, loaded, out, status_quo=status_quo,
                              warn=(lambda m: None) if quiet else (lambda m: _echo_err(f"warning: {m}")))
        if as_json:
            typer.echo(plan.kpis.model_dump_json(indent=2))
        elif not quiet:
            _print_result(plan, status_quo, out, files)


@app.command()
def demo(
    out: Path = typer.Option(Path("stageplanner-demo"), "--out", "-o", help="Output folder."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.5, help="Seconds for the optimised solve."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Solve the embedded default scenario (Twente): optimised plan and status quo side by side."""
    from planner.report.output import StagedFolder, comparison_markdown, write_outputs

    with _handled(debug):
        path = default_scenario_path()
        console = _out()
        console.print(f"Default scenario: {escape(str(path))}")
        loaded = _load(path)
        _check_out_dir(out)
        plan, status_quo = _solve_with_status_quo(loaded, "optimise", time_limit, 0, show=True, debug=debug)
        assert status_quo is not None
        with StagedFolder(out) as staged:
            warn = lambda m: _echo_err(f"warning: {m}")  # noqa: E731
            write_outputs(plan, loaded, staged.path / "optimise", status_quo=status_quo, warn=warn)
            write_outputs(status_quo, loaded, staged.path / "status-quo", warn=warn)
            text = (f"# Demo: {plan.scenario}\n\nThe optimised plan (periods agreed across the region) against the "
                    "status quo (every cohort in its current period).\nDetails: `optimise/summary.md` and "
                    "`status-quo/summary.md`.\n\n## Key figures\n\n"
                    + comparison_markdown(status_quo, plan, "status quo", "optimised plan"))
            (staged.path / "summary.md").write_text(text, encoding="utf-8")
            staged.commit()
        _print_result(plan, status_quo, out / "optimise", sorted((out / "optimise").iterdir()))
        console.print(f"Status quo in [bold]{escape(str(out / 'status-quo'))}[/]; comparison in "
                      f"[bold]{escape(str(out / 'summary.md'))}[/]")


@app.command()
def compare(
    a: Path = typer.Argument(..., help="Plan A: a plan.json or an output folder holding one."),
    b: Path = typer.Argument(..., help="Plan B: a plan.json or an output folder holding one."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Compare two plans: KPIs side by side and the cells and areas that got better or worse (B against A)."""
    from planner.report.output import compare_plans, format_value, level_label, load_plan

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
        console = _out()
        table = Table(title="Key figures (A against B)", title_justify="left")
        table.add_column("measure")
        table.add_column(f"A: {escape(str(a))}", justify="right")
        table.add_column(f"B: {escape(str(b))}", justify="right")
        table.add_column("B - A", justify="right")
        for row in result["kpis"]:
            diff = "" if row["diff"] is None else format_value(row["diff"], row["kind"])
            if row["diff"] is not None and row["diff"] > 0:
                diff = "+" + diff
            table.add_row(row["label"], format_value(row["a"], row["kind"]), format_value(row["b"], row["kind"]), diff)
        console.print(table)
        for title, rows, key_columns in (
            ("Stagebarometer cells (sector chamber x pathway x level) that changed", result["cells"],
             lambda r: [escape(r["sector_name"]), r["pathway"], level_label(r["level"])]),
            ("Areas (students' school location) that changed", result["areas"], lambda r: [escape(r["area"])]),
        ):
            changed = sorted((r for r in rows if r["change"] != "same"), key=lambda r: r["diff"])
            console.print()
            if not changed:
                console.print(f"{title}: none.")
                continue
            table = Table(title=title, title_justify="left")
            for name in (["sector chamber", "pathway", "level"] if "sector" in changed[0] else ["area"]):
                table.add_column(name)
            for name in ("unplaced A", "unplaced B", "difference", ""):
                table.add_column(name, justify="right")
            for r in changed:
                colour = "green" if r["change"] == "better" else "red"
                table.add_row(*key_columns(r), f"{r['unplaced_a']:,}", f"{r['unplaced_b']:,}", f"{r['diff']:+,}",
                              f"[{colour}]{r['change']}[/]")
            console.print(table)
        for note in result["notes"]:
            console.print(f"[yellow]note:[/] {escape(note)}")


@app.command()
def generate(
    size: Size = typer.Option(Size.S, "--size", case_sensitive=False, help="S, M or L."),
    seed: int = typer.Option(2026, "--seed", help="Generator seed (same seed, same scenario)."),
    out: Path = typer.Option(..., "--out", "-o", help="Scenario file to write (or a folder: scenario.yaml in it); cohorts.csv and companies.csv go next to it."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Generate a synthetic region of size S, M or L (scenario file plus CSV tables)."""
    with _handled(debug):
        module = _optional_module("planner.generate", "the scenario generator")
        scenario = module.generate_scenario(size.value, seed)
        written = module.write_generated(scenario, out)
        console = _out()
        console.print(f"Generated scenario [bold]{escape(scenario.name)}[/]: "
                      f"{len(scenario.cohorts):,} cohorts, {sum(c.students for c in scenario.cohorts):,} students, "
                      f"{len(scenario.companies):,} learning companies")
        path = Path(written) if written is not None else out
        for name in (path, path.parent / "cohorts.csv", path.parent / "companies.csv"):
            if name.exists():
                console.print(f"  wrote {escape(str(name))}")


@app.command()
def validate(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML or JSON)."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Check a scenario without solving: list every problem and warning (exit 0 if fine, 2 if not)."""
    with _handled(debug):
        try:
            loaded = load_scenario(scenario)
        except ScenarioError as err:
            for problem in err.problems:
                typer.echo(str(problem))
            typer.echo(f"{len(err.problems)} problem{'s' if len(err.problems) != 1 else ''} found", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        for warning in loaded.warnings:
            typer.echo(f"warning: {warning}")
        s = loaded.scenario
        typer.echo(f"{scenario}: OK ({len(s.cohorts):,} cohorts, {sum(c.students for c in s.cohorts):,} students, "
                   f"{len(s.companies):,} learning companies, {len(s.calendar.weeks)} weeks"
                   + (f", {len(loaded.warnings)} warnings)" if loaded.warnings else ")"))


@app.command()
def bench(
    size: list[Size] = typer.Option([Size.S], "--size", case_sensitive=False, help="Sizes to run (repeatable)."),
    time_limit: float | None = typer.Option(None, "--time-limit", min=0.5,
                                            help="Seconds per solve (default per size: S 10, M 60, L 600)."),
    seed: int | None = typer.Option(None, "--seed", help="Generator and solver seed (default: the benchmark's)."),
    out: Path = typer.Option(Path("bench-out"), "--out", "-o", help="Folder for benchmark-results.json/.md."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Benchmark generated S/M/L regions and write the results table."""
    with _handled(debug):
        module = _optional_module("planner.bench", "the benchmark")
        console = _out()

        def progress(result: Any) -> None:
            row = getattr(result, "__dict__", {}) or {}
            if row:
                console.print(f"size {row.get('size')}: {row.get('cohorts', 0):,} cohorts, gap {row.get('gap', 0):.2%}, "
                              f"{row.get('total_seconds', 0):,.1f} s, unplaced {row.get('optimised_unplaced', '?')} "
                              f"(status quo {row.get('status_quo_unplaced', '?')})")
            else:
                console.print(escape(str(result)))

        kwargs: dict[str, Any] = {"sizes": [s.value for s in size], "out_dir": out, "time_limit": time_limit,
                                  "progress": progress}
        if seed is not None:
            kwargs["seed"] = seed
        console.print(f"Benchmark sizes {', '.join(kwargs['sizes'])} ...")
        module.run_bench(**kwargs)
        console.print(f"Results in [bold]{escape(str(out))}[/]")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Run the web API (api.main:app) with uvicorn."""
    with _handled(debug):
        module = _optional_module("api.main", "the web API")
        if not hasattr(module, "app"):
            _echo_err("error: the web API module api.main has no 'app' yet")
            raise typer.Exit(EXIT_INTERNAL)
        import uvicorn

        uvicorn.run("api.main:app", host=host, port=port)


def main() -> None:
    """Entry point for ``python -m planner.cli``."""
    app()


if __name__ == "__main__":
    main()
