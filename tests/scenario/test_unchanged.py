"""The shipped scenarios load to exactly the Scenario they loaded to before the input was made more lenient,
and so does Twente written the way a Dutch consortium keeps it (Dutch names, decimal commas, xlsx)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest

from planner.codes import LEVEL_LABELS, SECTOR_LABELS
from planner.geo import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SAVED = Path(__file__).parent / "data"


def saved_dump(name: str) -> str:
    return (SAVED / f"{name}_loaded.json").read_text()


# Fields added after the dumps were saved, compared apart: the shipped scenarios leave them at their defaults.
CONTROLS = {"cohorts": {"__all__": {"locked", "keep_form", "min_wave_students", "max_shift_weeks"}},
            "companies": {"__all__": {"recognitions"}}, "place_groups": True,
            "policy": {"no_cell_worse_than_status_quo", "min_wave_students", "min_weeks_between_waves"}}


# Twente as it was before recognitions is kept as twente-sector.
@pytest.mark.parametrize("name, folder", [("small", "small"), ("twente", "twente-sector")])
def test_shipped_scenarios_load_exactly_as_before(name, folder):
    scenario = load_scenario(ROOT / "scenarios" / folder / "scenario.yaml").scenario
    assert scenario.model_dump_json(indent=1, exclude=CONTROLS) + "\n" == saved_dump(name)
    assert not any(cohort.has_controls for cohort in scenario.cohorts)
    assert not any(company.recognitions for company in scenario.companies) and not scenario.place_groups
    assert not scenario.policy.no_cell_worse_than_status_quo
    assert (scenario.policy.min_wave_students, scenario.policy.min_weeks_between_waves) == (5, 2)


def dutch_rows(path: Path) -> list[list[str]]:
    """A table of Twente as a Dutch spreadsheet has it: names instead of codes, decimal commas."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    written = {
        "level": lambda v: LEVEL_LABELS[v]["nl"],
        "levels": lambda v: "|".join(LEVEL_LABELS[level]["nl"] for level in v.split("|")),
        "sector": lambda v: SECTOR_LABELS[v]["nl"],
        "sectors": lambda v: "|".join(SECTOR_LABELS[sector]["nl"].upper() for sector in v.split("|")),
        "pathway": str.lower,
        "max_travel_minutes": lambda v: v.replace(".", ","),
        "places": lambda v: v + ",0",
    }
    return [header] + [[written.get(column, str)(cell) if cell else cell for column, cell in zip(header, row, strict=True)]
                       for row in rows[1:]]


def test_twente_in_dutch_spellings_loads_to_the_same_scenario(tmp_path):
    folder = tmp_path / "twente"
    shutil.copytree(ROOT / "scenarios" / "twente-sector", folder)
    for table in ("cohorts", "companies"):
        rows = dutch_rows(folder / f"{table}.csv")
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, delimiter=";").writerows(rows)
    written = (folder / "cohorts.csv").read_text()
    assert all(part in written for part in (";Zorg, welzijn en sport;Niveau 2;bol;", ";30,0;"))
    scenario = load_scenario(folder / "scenario.yaml").scenario
    assert scenario.model_dump_json(indent=1, exclude=CONTROLS) + "\n" == saved_dump("twente")


def test_twente_from_an_xlsx_workbook_loads_to_the_same_scenario(tmp_path):
    folder = tmp_path / "twente"
    shutil.copytree(ROOT / "scenarios" / "twente-sector", folder)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table in ("cohorts", "companies"):
        sheet = workbook.create_sheet(table)
        for i, row in enumerate(dutch_rows(folder / f"{table}.csv")):
            # Spreadsheets hold numbers as numbers: crebo codes and student counts.
            sheet.append([int(cell) if i and cell.isdigit() else (cell or None) for cell in row])
        (folder / f"{table}.csv").unlink()
    workbook.save(folder / "tabellen.xlsx")
    scenario_file = folder / "scenario.yaml"
    text = scenario_file.read_text()
    scenario_file.write_text(text.replace("cohorts.csv", "tabellen.xlsx").replace("companies.csv", "tabellen.xlsx"))
    scenario = load_scenario(scenario_file).scenario
    assert scenario.model_dump_json(indent=1, exclude=CONTROLS) + "\n" == saved_dump("twente")
