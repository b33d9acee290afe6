"""Cohort and company tables from CSV files and xlsx workbooks: one problem per bad column, rows as in CSV."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from planner.scenario import ScenarioError, load_scenario
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario


def messages(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def base() -> dict:
    return scenario_dict([cohort(f"c{i}") for i in range(6)], [company("k"), company("m")])


def rename_column(path: Path, old: str, new: str | None) -> None:
    """Rename (or with ``None`` drop) a column of a CSV file."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    index = rows[0].index(old)
    for row in rows:
        if new is None:
            del row[index]
    if new is not None:
        rows[0][index] = new
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_a_missing_column_is_one_problem_not_one_per_row(tmp_path):
    path = write_scenario(tmp_path, base(), tables_as_csv=True)
    rename_column(tmp_path / "cohorts.csv", "students", None)
    assert messages(path) == ["cohorts.csv row 1, students: required column is missing from the header"]


def test_a_misspelt_column_is_one_problem_with_a_suggestion(tmp_path):
    path = write_scenario(tmp_path, base(), tables_as_csv=True)
    rename_column(tmp_path / "cohorts.csv", "students", "studnets")
    found = messages(path)
    assert len(found) == 1
    assert found[0].startswith("cohorts.csv row 1, studnets: is not a known column (did you mean 'students'?); "
                               "allowed: id, location, crebo")


def test_other_row_problems_are_still_reported_with_a_bad_column(tmp_path):
    document = base()
    document["companies"][1]["places"] = -1
    path = write_scenario(tmp_path, document, tables_as_csv=True)
    rename_column(tmp_path / "companies.csv", "sectors", None)
    assert messages(path) == ["companies.csv row 1, sectors: required column is missing from the header",
                              "companies.csv row 3, places: -1 must be at least 0"]


def test_column_names_are_matched_regardless_of_case(tmp_path):
    path = write_scenario(tmp_path, base(), tables_as_csv=True)
    rename_column(tmp_path / "cohorts.csv", "earliest_start", "Earliest start")
    rename_column(tmp_path / "cohorts.csv", "level", "Level")
    assert load_scenario(path).scenario.cohorts[0].earliest_start == "2026-W36"


def test_a_blank_required_cell_is_still_reported_per_row(tmp_path):
    document = base()
    document["cohorts"][2]["programme"] = ""
    path = write_scenario(tmp_path, document, tables_as_csv=True)
    assert messages(path) == ["cohorts.csv row 4, programme: is required"]


# ------------------------------------------------------------------ xlsx


def write_workbook(path: Path, sheets: dict[str, list[dict]]) -> None:
    """A workbook with one sheet per table, lists as 'a|b' text, other values as the cells' own types."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        columns = list(dict.fromkeys(key for row in rows for key in row))
        sheet.append(columns)
        for row in rows:
            sheet.append(["|".join(map(str, row[c])) if isinstance(row.get(c), list) else row.get(c)
                          for c in columns])
    workbook.save(path)


def xlsx_scenario(folder: Path, document: dict, cohorts_ref: str = "tables.xlsx",
                  companies_ref: str = "tables.xlsx", sheets: dict[str, list[dict]] | None = None) -> Path:
    write_workbook(folder / "tables.xlsx", sheets or {"cohorts": document["cohorts"],
                                                      "companies": document["companies"]})
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump({**document, "cohorts": cohorts_ref, "companies": companies_ref}))
    return path


def test_tables_from_an_xlsx_workbook_load_like_inline_tables(tmp_path):
    document = base()
    document["cohorts"][0].update(students=12, crebo=25655, max_travel_minutes=30.5, level=2)
    document["companies"][0].update(places=3, reduced_weeks="2026-W40:1;2026-W41:0")
    from_xlsx = load_scenario(xlsx_scenario(tmp_path, document)).scenario
    document["companies"][0]["reduced_weeks"] = {"2026-W40": 1, "2026-W41": 0}
    (tmp_path / "inline").mkdir()
    inline = load_scenario(write_scenario(tmp_path / "inline", document)).scenario
    assert from_xlsx.model_dump() == inline.model_dump()
    assert (from_xlsx.cohorts[0].crebo, from_xlsx.cohorts[0].level) == ("25655", "2")


def test_a_sheet_is_named_after_the_hash(tmp_path):
    document = base()
    path = xlsx_scenario(tmp_path, document, "tables.xlsx#Blad1", "tables.xlsx#Blad2",
                         sheets={"Blad1": document["cohorts"], "Blad2": document["companies"]})
    assert len(load_scenario(path).scenario.cohorts) == 6


def test_xlsx_row_messages_name_file_sheet_row_and_field(tmp_path):
    document = base()
    document["cohorts"][3].update(level="niveau 5", students="veel")
    document["cohorts"][4].update(earliest_start=dt.datetime(2026, 9, 1))
    found = messages(xlsx_scenario(tmp_path, document))
    assert found == [
        "tables.xlsx sheet cohorts row 5, level: 'niveau 5' is not one of entree, 2, 3, 4",
        "tables.xlsx sheet cohorts row 5, students: 'veel' is not a whole number",
        "tables.xlsx sheet cohorts row 6, earliest_start: 2026-09-01 is a date; write weeks as ISO week text, "
        "e.g. 2026-W36 for this date",
    ]


def test_xlsx_header_problems_are_one_per_column(tmp_path):
    document = base()
    for row in document["companies"]:
        row["plekken"] = row.pop("places")
    assert messages(xlsx_scenario(tmp_path, document)) == [
        "tables.xlsx sheet companies row 1, plekken: is not a known column; allowed: id, name, area, sectors, levels, "
        "places, places_per_weekday, reduced_weeks, recognitions",
        "tables.xlsx sheet companies row 1, places: required column is missing from the header",
    ]


def test_empty_rows_below_an_xlsx_table_are_ignored(tmp_path):
    document = base()
    path = xlsx_scenario(tmp_path, document)
    workbook = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    workbook["cohorts"].cell(row=40, column=1, value="  ")
    workbook.save(tmp_path / "tables.xlsx")
    assert len(load_scenario(path).scenario.cohorts) == 6


@pytest.mark.parametrize("reference, make, expected", [
    ("tables.xlsx#Blad9", None,
     "tables.xlsx: has no sheet 'Blad9'; its sheets: cohorts, companies"),
    ("broken.xlsx", lambda folder: (folder / "broken.xlsx").write_text("not a workbook"),
     "broken.xlsx: is not a readable xlsx workbook"),
    ("absent.xlsx", None, "scenario.yaml, cohorts: table file 'absent.xlsx' does not exist"),
    ("old.xls", lambda folder: (folder / "old.xls").write_bytes(b"\xd0\xcf"),
     "old.xls: is an old .xls workbook; save it as .xlsx or CSV"),
    ("cohorts.csv#Blad1", lambda folder: (folder / "cohorts.csv").write_text("id\n"),
     "scenario.yaml, cohorts: 'cohorts.csv#Blad1' names a sheet, but only .xlsx workbooks have sheets"),
])
def test_unreadable_workbooks_are_clear_problems(tmp_path, reference, make, expected):
    if make:
        make(tmp_path)
    path = xlsx_scenario(tmp_path, base(), cohorts_ref=reference)
    found = messages(path)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_cells_beyond_the_header_are_a_problem(tmp_path):
    document = base()
    path = xlsx_scenario(tmp_path, document)
    workbook = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    workbook["companies"].cell(row=3, column=20, value="extra")
    workbook.save(tmp_path / "tables.xlsx")
    assert messages(path) == ["tables.xlsx sheet companies row 3: has more cells than the header"]


def test_an_empty_table_file_is_one_problem(tmp_path):
    path = write_scenario(tmp_path, base(), tables_as_csv=True)
    (tmp_path / "cohorts.csv").write_text("")
    assert messages(path) == ["cohorts.csv: is empty; it needs a header row with the cohorts columns and a row per item"]
    workbook = openpyxl.Workbook()
    workbook.active.title = "cohorts"
    workbook.save(tmp_path / "tables.xlsx")
    path.write_text(path.read_text().replace("cohorts.csv", "tables.xlsx"))
    assert messages(path) == ["tables.xlsx sheet cohorts: is empty; it needs a header row with the cohorts columns "
                              "and a row per item"]
