"""Scenarios: ``generate`` a synthetic region, ``validate`` a scenario file, and the spreadsheet round trip:
``template`` writes an empty scenario workbook, ``export`` writes any scenario as one."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape

from planner.commands.common import EXIT_INPUT, InputFailure, Lang, handled, lang_option, use_language
from planner.i18n import _, fmt_int, ngettext
from planner.model import load_scenario
from planner.report.console import out_console
from planner.scenario import ScenarioError
from planner.scenario.eligibility import matching_rule_warning

app = typer.Typer()


class Size(StrEnum):
    """Generated scenario sizes."""

    S = "S"
    M = "M"
    L = "L"


@app.command()
def generate(
    size: Size = typer.Option(Size.S, "--size", case_sensitive=False, help="S, M or L."),
    region: str | None = typer.Option(None, "--region", help="Labour-market region (size S) or province (size M) "
                                      "to generate; default Twente (S) or Gelderland (M)."),
    seed: int = typer.Option(2026, "--seed", help="Generator seed (same seed, same scenario)."),
    out: Path = typer.Option(..., "--out", "-o", help="Scenario file to write (or a folder: scenario.yaml in it); "
                             "cohorts.csv and companies.csv go next to it."),
    from_duo: bool = typer.Option(False, "--from-duo", help="Real demand of --region from DUO's open data shipped "
                                  "with the package (Bron: DUO), generated supply; --out is a folder. --size is not used."),
    year: int = typer.Option(2019, "--year", help="With --from-duo: the year of DUO's counts (2015-2019)."),
    lang: Lang | None = lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Generate a synthetic region of size S, M or L (scenario file plus CSV tables), or with --from-duo a
    region's real demand (Bron: DUO) with generated supply."""
    use_language(lang)
    import planner.generate as generator

    with handled(debug):
        if from_duo:
            from planner.commands.opendata import run_import
            from planner.opendata import shipped_duo

            run_import(shipped_duo(year), region or "Twente", out, seed)
            return
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


def _scenario_path(scenario: str) -> Path:
    """A scenario file, a folder with scenario.yaml in it, or the name of an embedded scenario."""
    from planner.scenario.embedded import embedded_scenario, embedded_scenario_names

    path = Path(scenario)
    if path.is_dir():
        path = path / "scenario.yaml"
    if path.is_file():
        return path
    if scenario in embedded_scenario_names():
        return embedded_scenario(scenario)
    raise InputFailure([_("{scenario}: no scenario file, folder with scenario.yaml or embedded scenario of that "
                          "name; embedded: {names}").format(scenario=scenario,
                                                            names=", ".join(embedded_scenario_names()))])


def _write_workbook(out: Path, data: bytes) -> None:
    from planner.scenario import write_atomic

    if out.suffix.lower() != ".xlsx":
        raise InputFailure([_("{path}: a scenario workbook is an .xlsx file").format(path=out)])
    write_atomic(out, data)
    typer.echo(_("wrote {path}").format(path=out))


@app.command()
def template(
    out: Path = typer.Option(..., "--out", "-o", help="Workbook to write (.xlsx)."),
    lang: Lang | None = lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Write an empty scenario workbook: a sheet per table, instructions and drop-down lists for the codes."""
    use_language(lang)
    from planner.scenario.workbook import scenario_workbook

    with handled(debug):
        _write_workbook(out, scenario_workbook())


@app.command()
def export(
    scenario: str = typer.Argument(..., help="Scenario file, folder with scenario.yaml, or embedded scenario "
                                   "(twente, small)."),
    out: Path = typer.Option(..., "--out", "-o", help="Workbook to write (.xlsx)."),
    lang: Lang | None = lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Write a scenario as a workbook (the form of `template`); `validate` and `solve` read it back."""
    use_language(lang)
    from planner.scenario.workbook import scenario_workbook

    with handled(debug):
        loaded = load_scenario(_scenario_path(scenario))
        _write_workbook(out, scenario_workbook(loaded.scenario))


@app.command()
def validate(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or an xlsx scenario workbook)."),
    lang: Lang | None = lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Check a scenario without solving: list every problem and warning (exit 0 if fine, 2 if not)."""
    use_language(lang)
    with handled(debug):
        try:
            loaded = load_scenario(scenario)
        except ScenarioError as err:
            for problem in err.problems:
                typer.echo(str(problem))
            typer.echo(ngettext("{n} problem found", "{n} problems found", len(err.problems)).format(
                n=len(err.problems)), err=True)
            raise typer.Exit(EXIT_INPUT) from None
        rule = matching_rule_warning(loaded.scenario, scenario.name)
        warnings = ([rule] if rule else []) + loaded.warnings
        for warning in warnings:
            typer.echo(f"{_('warning')}: {warning}")
        s = loaded.scenario
        counts = _("{cohorts} cohorts, {students} students, {companies} learning companies, {weeks} weeks").format(
            cohorts=fmt_int(len(s.cohorts)), students=fmt_int(sum(c.students for c in s.cohorts)),
            companies=fmt_int(len(s.companies)), weeks=len(s.calendar.weeks))
        if warnings:
            counts += ", " + ngettext("{n} warning", "{n} warnings", len(warnings)).format(n=len(warnings))
        typer.echo(f"{scenario}: OK ({counts})")
