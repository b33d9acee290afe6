"""The importer: DUO's file -> one scenario folder per labour-market region, written all at once.

:func:`import_duo` reads the file, checks every row (nothing is written when a row has an
unknown seat or a crebo missing from the catalogue), builds the scenario of one region or of
every region with a seated institution, and :func:`write_import` writes them into a temporary
folder beside the output that is moved into place only when everything is written. Each
scenario folder holds ``scenario.yaml``, ``cohorts.csv``, ``companies.csv`` and ``bronnen.md``
(what is real, what is generated, what the rules left out, and the sources).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from planner.generate import write_generated
from planner.generate.regions import fold, slug
from planner.i18n import _, fmt_int
from planner.opendata.build import RegionScenario, check_region, region_demand, region_scenario
from planner.opendata.duo import DuoFile
from planner.opendata.regions import labour_market_regions
from planner.scenario import InputProblem, ScenarioError

__all__ = ["DuoImport", "import_duo", "sources_text", "write_import"]

#: The file beside a scenario that says where its figures come from.
SOURCES_FILE = "bronnen.md"


@dataclass
class DuoImport:
    """What an import built.

    Attributes
    ----------
    duo : DuoFile
        The rows read.
    regions : list of RegionScenario
        The scenarios built, in alphabetical order of region.
    excluded : Counter
        Students the rules left out (all regions of the file), per reason.
    without_institution : list of str
        Labour-market regions with no institution seated in them.
    """

    duo: DuoFile
    regions: list[RegionScenario] = field(default_factory=list)
    excluded: Counter = field(default_factory=Counter)
    without_institution: list[str] = field(default_factory=list)

    @property
    def bol_students(self) -> int:
        """Full-time BOL students in the scenarios built."""
        return sum(r.demand.bol_students for r in self.regions)


def import_duo(duo: DuoFile, region: str | None = None, seed: int = 0) -> DuoImport:
    """Build the scenario of ``region`` (None: of every region with a seated institution).

    Raises
    ------
    ScenarioError
        Rows with an unknown seat or a crebo missing from the catalogue.
    ValueError
        An unknown region; :class:`~planner.opendata.build.NoSeatedInstitution` for a region
        with no institution seated in it.
    """
    demand = region_demand(duo)
    result = DuoImport(duo)
    seated = {name for name, found in demand.items() if found.institutions}
    result.without_institution = [name for name in labour_market_regions() if name not in seated]
    wanted = [check_region(region, duo, demand)] if region else [demand[name] for name in sorted(seated, key=fold)]
    result.regions = [region_scenario(found, duo.year, seed) for found in wanted]
    for found in demand.values():  # after building: BBL students without a company are counted then
        result.excluded.update(found.excluded)
    return result


def sources_text(built: RegionScenario) -> str:
    """``bronnen.md`` of one region's scenario: real and generated figures, exclusions, sources."""
    demand = built.demand
    institutions = ", ".join(f"{name} ({brin}, {seat})" for brin, (name, seat) in sorted(demand.institutions.items()))
    lines = [
        f"# {built.scenario.name}",
        "",
        _("**Real (Bron: DUO, students on 1 October {year}):** {bol} full-time BOL students and {bbl} BBL students of "
          "{institutions}.").format(year=built.year, bol=fmt_int(demand.bol_students),
                                    bbl=fmt_int(demand.bbl_students - built.bbl_left_out), institutions=institutions),
        "",
        _("**Derived by a documented rule (docs/model.md, 'Real demand from DUO'):** the split into study-year "
          "cohorts and their internship forms, windows and current periods."),
        "",
        _("**Generated (fictional):** {companies} learning companies, their places, recognitions and names, "
          "calibrated like the generator's regions.").format(companies=fmt_int(built.companies)),
    ]
    left_out = {reason: students for reason, students in demand.excluded.items() if students}
    if left_out:
        lines += ["", _("**Left out by the rules:**"), ""]
        lines += [f"- {_(reason)}: {fmt_int(students)}" for reason, students in sorted(left_out.items())]
    lines += ["", _("Sources: Bron: DUO (Open Onderwijsdata, students per institution, CC-BY 4.0); labour-market "
                    "regions: Bron: CBS (86247NED, CC-BY 4.0); places: GeoNames (CC BY 4.0)."), ""]
    return "\n".join(lines)


def _write_region(built: RegionScenario, folder: Path) -> None:
    folder.mkdir(parents=True)
    write_generated(built.scenario, folder / "scenario.yaml")
    (folder / SOURCES_FILE).write_text(sources_text(built), encoding="utf-8")


def _replaceable(out: Path) -> bool:
    """An empty folder, or one an earlier import wrote (its ``bronnen.md`` in it or in its region folders)."""
    if not out.is_dir():
        return False
    return not any(out.iterdir()) or (out / SOURCES_FILE).exists() or any(out.glob(f"*/{SOURCES_FILE}"))


def write_import(result: DuoImport, out: str | Path, one_region: bool) -> list[Path]:
    """Write the scenarios: ``out`` itself for one region, ``out/<region>/`` for every region.

    Everything is written into a temporary folder beside ``out`` and moved into place at the
    end, replacing a previous import there; if anything fails, ``out`` is left as it was.

    Returns
    -------
    list of Path
        The scenario files written.

    Raises
    ------
    ScenarioError
        ``out`` exists and is neither empty nor an earlier import.
    """
    out = Path(out)
    if out.exists() and not _replaceable(out):
        raise ScenarioError([InputProblem(str(out), None, None, _(
            "exists and is not empty, nor an earlier import (no {file} in it); give a new or empty folder").format(
            file=SOURCES_FILE))])
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        target = staging / "new"
        if one_region:
            _write_region(result.regions[0], target)
            written = [out / "scenario.yaml"]
        else:
            target.mkdir()
            written = []
            for built in result.regions:
                _write_region(built, target / slug(built.demand.region))
                written.append(out / slug(built.demand.region) / "scenario.yaml")
        if out.exists():
            os.replace(out, staging / "old")
        os.replace(target, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
