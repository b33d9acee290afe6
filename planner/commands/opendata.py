"""Open data: ``import duo`` builds a region's scenario (or every region's) from DUO's file of MBO students,
and what ``generate --from-duo`` shares with it (the region built from the file shipped with the package)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from planner.commands.common import InputFailure, Lang, handled, lang_option, use_language
from planner.i18n import _, fmt_int
from planner.report.console import out_console

if TYPE_CHECKING:
    from planner.opendata import DuoFile

app = typer.Typer(name="import", no_args_is_help=True, rich_markup_mode=None,
                  help="Import real data: DUO's students per MBO institution as a region's demand.")


def run_import(duo: DuoFile, region: str | None, out: Path, seed: int) -> None:
    """Build and write the scenarios of ``region`` (None: every region), then print what they hold."""
    from planner.opendata import SUPPRESSED_COUNT, NoSeatedInstitution, import_duo, write_import

    try:
        result = import_duo(duo, region, seed)
    except NoSeatedInstitution as err:
        raise InputFailure([str(err)]) from None
    except ValueError as err:  # an unknown region
        raise InputFailure([str(err)]) from None
    written = write_import(result, out, one_region=region is not None)
    console = out_console()
    for built, path in zip(result.regions, written):
        demand = built.demand
        console.print(_("{region}: {bol} full-time BOL students and {bbl} BBL students (real, Bron: DUO) in {cohorts} "
                        "cohorts; {companies} learning companies (generated)").format(
            region=f"[bold]{escape(demand.region)}[/]", bol=fmt_int(demand.bol_students),
            bbl=fmt_int(demand.bbl_students - built.bbl_left_out), cohorts=fmt_int(len(built.scenario.cohorts)),
            companies=fmt_int(built.companies)))
        console.print("  " + _("wrote {path}").format(path=escape(str(path))))
    if region is None:
        total = duo.totals["BOLVT"]
        left_out = result.excluded
        console.print(_("Full-time BOL students in {file} ({year}): {total}; in the scenarios: {placed}; left out by "
                        "the rules: {left}").format(file=escape(duo.name), year=duo.year, total=fmt_int(total),
                                                    placed=fmt_int(result.bol_students),
                                                    left=fmt_int(total - result.bol_students)))
        for reason, students in sorted(left_out.items()):
            if students:
                console.print(f"  - {escape(_(reason))}: {fmt_int(students)}")
        if result.without_institution:
            console.print(_("Labour-market regions without a seated institution (their students are counted where "
                            "their institutions are seated): {regions}").format(
                regions=escape(", ".join(result.without_institution))))
    if duo.suppressed:
        console.print(_("{rows} suppressed counts (<5) read as {value} students each").format(
            rows=fmt_int(duo.suppressed), value=SUPPRESSED_COUNT))


@app.command("duo")
def duo_command(
    file: Path = typer.Argument(..., help="DUO's file of MBO students per institution (CSV, or .csv.gz)."),
    year: int = typer.Option(2019, "--year", help="The year to read (TOTAAL<year>; a single-year file's count)."),
    region: str | None = typer.Option(None, "--region", help="Labour-market region to build (e.g. Twente)."),
    all_regions: bool = typer.Option(False, "--all", help="Build every region with a seated institution, "
                                     "each in a folder of its own under --out."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the scenario to (scenario.yaml, cohorts.csv, "
                             "companies.csv, bronnen.md); replaced if an earlier import wrote it."),
    seed: int = typer.Option(0, "--seed", help="Seed of the generated supply (same seed, same companies)."),
    lang: Lang | None = lang_option(),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Build a region's scenario from DUO's open data: real demand (Bron: DUO), generated supply."""
    use_language(lang)
    from planner.opendata import read_duo

    with handled(debug):
        if (region is None) == (not all_regions):
            raise InputFailure([_("give either --region REGION or --all")])
        run_import(read_duo(file, year), region, out, seed)
