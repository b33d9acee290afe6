"""The scenario workbook: template, export and import give the same scenario back; a consortium's own
spreadsheets (Dutch headers, number cells, Excel's CSV, Dutch thousands, typos) are checked in one run."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import yaml

from planner.generate import generate_scenario, write_generated
from planner.i18n import _, use_language
from planner.model import load_scenario
from planner.scenario import Scenario, ScenarioError
from planner.scenario.embedded import embedded_scenario
from planner.scenario.workbook import COHORTS, COMPANIES, INSTRUCTIONS, LISTS, scenario_workbook
from tests.builders import AREAS


def assert_same_scenario(read: Scenario, written: Scenario) -> None:
    """Field by field (and row by row), so a difference names its place."""
    for field in Scenario.model_fields:
        got, wanted = getattr(read, field), getattr(written, field)
        if isinstance(wanted, list):
            assert len(got) == len(wanted), field
            for i, (row_got, row_wanted) in enumerate(zip(got, wanted, strict=True)):
                assert row_got == row_wanted, f"{field}[{i}]"
        else:
            assert got == wanted, field
    assert read == written


def round_trip(scenario: Scenario, folder: Path) -> Scenario:
    path = folder / "regio.xlsx"
    path.write_bytes(scenario_workbook(scenario))
    return load_scenario(path).scenario


def test_twente_round_trips_through_its_workbook(tmp_path):
    twente = load_scenario(embedded_scenario("twente")).scenario
    assert_same_scenario(round_trip(twente, tmp_path), twente)


def test_a_generated_s_round_trips_through_its_workbook(tmp_path):
    written = write_generated(generate_scenario("S", 7), tmp_path / "s")
    generated = load_scenario(written).scenario
    assert_same_scenario(round_trip(generated, tmp_path), generated)


def test_every_optional_part_round_trips(tmp_path):
    document = yaml.safe_load(embedded_scenario("small").read_text())
    document["description"] = "=1+1 is text, not a formula"
    document["travel"] = {"barriers": [{"between": ["Enschede", "Hengelo"], "penalty_minutes": 12.5},
                                       {"between": ["Hengelo", "Enschede"]}]}
    document["policy"] = {"level_weights": {"entree": 4, "2": 2.5}, "sector_weights": {"zorg": 1.25},
                          "then_minimise": ["travel", "changes"], "no_cell_worse_than_status_quo": True}
    scenario = Scenario.model_validate({**document, "cohorts": _rows(embedded_scenario("small"), "cohorts"),
                                        "companies": _rows(embedded_scenario("small"), "companies")})
    scenario.cohorts[0].locked, scenario.cohorts[1].min_wave_students = True, 3
    scenario.companies[0].places_per_weekday = [1, 2, 3, 0, 1]
    scenario.companies[0].reduced_weeks = {"2026-W52": 0}
    assert_same_scenario(round_trip(scenario, tmp_path), scenario)


def _rows(path: Path, table: str) -> list:
    return [row.model_dump() for row in getattr(load_scenario(path).scenario, table)]


def test_the_template_has_dutch_headers_instructions_and_drop_downs(tmp_path):
    with use_language("nl"):
        book = openpyxl.load_workbook(io.BytesIO(scenario_workbook()))
    assert book.sheetnames[0] == INSTRUCTIONS and book[LISTS].sheet_state == "hidden"
    headers = [cell.value for cell in book[COHORTS][1]]
    assert headers[:8] == ["id", "vestiging", "crebo", "opleiding", "sectorkamer", "niveau", "leerweg", "studenten"]
    assert [cell.value for cell in book[COMPANIES][1]][:6] == ["id", "naam", "plaats", "sectorkamers", "niveaus",
                                                              "plaatsen"]
    drop_downs = {str(check.sqref).split(":")[0]: check.formula1 for check in book[COHORTS].data_validations.dataValidation}
    assert drop_downs["E2"].startswith("Lijsten!$A$2") and drop_downs["F2"].startswith("Lijsten!$B$2")
    sectors = [row[0] for row in book[LISTS].iter_rows(min_row=2, max_col=1, values_only=True) if row[0]]
    assert sectors[:2] == ["zorg", "techniek"]
    assert any("stageplanner validate" in str(cell.value) for cell in book[INSTRUCTIONS]["B"])


def test_an_empty_template_names_what_is_missing_per_sheet(tmp_path):
    path = tmp_path / "regio.xlsx"
    path.write_bytes(scenario_workbook())
    with use_language("en"), pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    found = [str(p) for p in caught.value.problems]
    assert "regio.xlsx sheet Cohorten: has no cohorts" in found
    assert "regio.xlsx sheet Leerbedrijven: has no learning companies" in found
    assert "regio.xlsx, calendar.first_week: is required" in found


# ------------------------------------------------------------------ a consortium's own spreadsheets

def _hand_made(folder: Path, typos: bool = True) -> Path:
    """Cohorts in a workbook with Dutch headers and number cells; companies in a CSV file that Dutch Excel
    saved (Windows-1252, semicolons, thousands points); with ``typos``, a mistake of every kind."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    sheet.append(["ID", "Vestiging", "Crebo", "Opleiding", "Sectorkamer", "Niveau", "Leerweg", "Studenten",
                  "Stagevormen", "Vroegste start", "Uiterste eindweek", "Huidige start", "Huidige stagevorm",
                  "Leerbedrijf", "Vastgezet"])
    common = ["block:4", "2026-W36", "2026-W51", "2026-W40", "block:4"]
    sheet.append(["c1", "loc-e", 25655, "Verzorgende IG", "Zorg", 4, "BOL", "1.200", *common, None, "nee"])
    sheet.append(["c2", "loc-e", 25655, "Verzorgende IG", "Zrog" if typos else "Zorg", 3, "bol", 40, *common, None,
                  "nee"])
    sheet.append(["c3", "loc-ee" if typos else "loc-e", 25655, "Verzorgende IG", "zorg", 2, "BOL", 20, *common,
                  None, "nee"])
    sheet.append(["c4", "loc-e", 25655, "Verzorgende IG", "zorg", 2, "BOL", "veel" if typos else 12, *common,
                  None, "nee"])
    # Controls filled down the column onto a BBL row: a warning, not an error.
    sheet.append(["c5", "loc-e", 25655, "Verzorgende IG", "zorg", 3, "BBL", 2, *common, "k1", "ja"])
    book.save(folder / "cohorten.xlsx")
    companies = ("ID;Naam;Plaats;Sectorkamers;Niveaus;Plaatsen\r\n"
                 f"k1;Café De Zwaan;Enschede;zorg;3|4;1.200\r\n"
                 f"k2;Zorggroep Noord;{'Hengeloo' if typos else 'Hengelo'};zorg;2|3|4;15\r\n"
                 f"k3;Bouwbedrijf Oost;Enschede;{'techniekk' if typos else 'techniek'};2;4\r\n")
    (folder / "leerbedrijven.csv").write_bytes(companies.encode("cp1252"))
    areas = [{"name": n, "lat": AREAS[n][0], "lon": AREAS[n][1]} for n in ("Enschede", "Hengelo")]
    areas.append({"name": "Almeloo" if typos else "Almelo"})
    document = {"name": "eigen spreadsheets", "calendar": {"first_week": "2026-W36", "last_week": "2026-W51"},
                "areas": areas, "institutions": [{"id": "roc", "name": "ROC Test", "locations": [
                    {"id": "loc-e", "area": "Enschede", "holiday_region": "noord"}]}],
                "cohorts": "cohorten.xlsx#Blad1", "companies": "leerbedrijven.csv"}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    return path


def test_a_consortiums_own_spreadsheets_are_read_as_written(tmp_path):
    loaded = load_scenario(_hand_made(tmp_path, typos=False))
    cohorts, companies = loaded.scenario.cohorts, loaded.scenario.companies
    assert (cohorts[0].level, cohorts[0].students, cohorts[0].crebo, cohorts[1].pathway) == ("4", 1200, "25655",
                                                                                           "BOL")
    assert (companies[0].name, companies[0].places, companies[0].levels) == ("Café De Zwaan", 1200, ["3", "4"])
    assert [str(w) for w in loaded.warnings if "BBL" in w.message] == [
        "cohorten.xlsx sheet Blad1 row 6, locked: is ignored: BBL cohorts always keep their current period "
        "(controls are for BOL cohorts)"]


def test_every_problem_of_a_consortiums_spreadsheets_in_one_run_with_suggestions(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_hand_made(tmp_path))
    found = [str(p) for p in caught.value.problems]
    expected = [
        "cohorten.xlsx sheet Blad1 row 3, sector: 'Zrog' is not one of zorg, techniek, handel, mobiliteit, "
        "specialistisch, zakelijk, voedsel, ict, entree (did you mean 'zorg'?)",
        "cohorten.xlsx sheet Blad1 row 5, students: 'veel' is not a whole number",
        "leerbedrijven.csv row 4, sectors[0]: 'techniekk' is not one of zorg, techniek, handel, mobiliteit, "
        "specialistisch, zakelijk, voedsel, ict, entree (did you mean 'techniek'?)",
        "scenario.yaml areas[2], name: 'Almeloo' is not a known Dutch place; give lat and lon; did you mean Almelo, Anloo, "
        "Almen?",
        "leerbedrijven.csv row 3, area: 'Hengeloo' is not one of the scenario's areas (did you mean 'Hengelo'?)",
        "cohorten.xlsx sheet Blad1 row 4, location: 'loc-ee' is not a location of any institution (did you mean "
        "'loc-e'?)",
    ]
    assert found == expected


def test_the_same_run_in_dutch(tmp_path):
    with use_language("nl"):
        with pytest.raises(ScenarioError) as caught:
            load_scenario(_hand_made(tmp_path))
        found = [str(p) for p in caught.value.problems]
    assert len(found) == 6
    assert found[0].startswith("cohorten.xlsx tabblad Blad1 rij 3, sector: 'Zrog' is niet toegestaan")
    assert found[0].endswith("(bedoelde u 'zorg'?)")


def test_the_headers_of_changes_xlsx_read_as_the_cohort_columns_they_mean():
    from planner.report.institutions import CHANGE_COLUMNS, CHANGE_HEADERS
    from planner.scenario.headers import COHORT_COLUMNS
    from planner.scenario.model import Cohort
    from planner.scenario.tables import Table, fit_columns

    with use_language("nl"):
        headers = [_(header) for header in CHANGE_HEADERS]
    same = {"location": "location", "cohort": "id", "programme": "programme", "crebo": "crebo", "sector": "sector",
            "level": "level", "pathway": "pathway", "students": "students", "current_form": "current_form",
            "current_start": "current_start"}
    wanted = {headers[CHANGE_COLUMNS.index(column)]: field for column, field in same.items()}
    fitted, _problems, _missing = fit_columns(Table("changes.xlsx", "Regio", list(wanted), []), Cohort, COHORT_COLUMNS)
    assert fitted.columns == sorted(wanted.values()), wanted


def test_forms_in_words_are_read_as_their_codes(tmp_path):
    document = yaml.safe_load(embedded_scenario("small").read_text())
    rows = _rows(embedded_scenario("small"), "cohorts")
    rows[0]["forms"], rows[0]["current_form"] = ["blokstage 4 weken", "lintstage 2 dagen x 8 weken"], "Blokstage 4 weken"
    scenario = Scenario.model_validate({**document, "cohorts": rows, "companies": _rows(embedded_scenario("small"),
                                                                                        "companies")})
    assert (scenario.cohorts[0].forms, scenario.cohorts[0].current_form) == (["block:4", "line:2x8"], "block:4")


def test_every_field_of_the_scenario_has_its_place_in_the_workbook():
    """A new field (a future recognitions column) is a line in headers.py, or the round trip would drop it."""
    from planner.scenario.headers import TABLE_COLUMNS
    from planner.scenario.model import Cohort, Company, Policy
    from planner.scenario.workbook import SETTINGS_ROWS

    for name, model in (("cohorts", Cohort), ("companies", Company)):
        assert [column.field for column in TABLE_COLUMNS[name]] == list(model.model_fields), name
    settings = {path for path, _key, _help in SETTINGS_ROWS}
    assert {f"policy.{field}" for field in Policy.model_fields} <= settings
