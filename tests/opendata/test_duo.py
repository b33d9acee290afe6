"""The DUO importer: real rows of the 2015-2019 file, a file in DUO's newer single-year layout, findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner import cli
from planner.i18n import use_language
from planner.model import load_scenario
from planner.opendata import SUPPRESSED_COUNT, import_duo, read_duo, shipped_duo
from planner.opendata.build import EXCLUDED_DOMAIN, region_demand
from planner.opendata.demand import study_years
from planner.scenario import ScenarioError

DATA = Path(__file__).parent / "data"
SLICE = DATA / "duo-2015-2019-slice.csv"
runner = CliRunner()

# The newer single-year layout: other headers (INSTELLINGSCODE, LEERWEG, AANTAL), a row per gender, <5 suppressed.
NEWER_HEADER = ("INSTELLINGSCODE;INSTELLINGSNAAM;PLAATSNAAM;LEERWEG;NIVEAU;OPLEIDINGSCODE;OPLEIDINGSNAAM;SECTORUNIT;GESLACHT;"
                "AANTAL")
NEWER_ROWS = [
    "27YU;ROC van Twente;HENGELO OV;BOL-VT;4;25480;Mbo-verpleegkundige;Sectorunit zorg, welzijn en sport;man;12",
    "27YU;ROC van Twente;HENGELO OV;BOL-VT;4;25480;Mbo-verpleegkundige;Sectorunit zorg, welzijn en sport;vrouw;118",
    "27YU;ROC van Twente;HENGELO OV;BOL-VT;Entree;25251;Assistent dienstverlening en zorg;Bovensectoraal;vrouw;<5",
    "27YU;ROC van Twente;HENGELO OV;BBL;3;25491;Verzorgende-IG;Sectorunit zorg, welzijn en sport;vrouw;31",
    ";;;;;;;;;",
    "27YU;ROC van Twente;HENGELO OV;BOL-VT;2;25167;Verkoper;Sectorunit handel;man;",
]


def invoke(*args: str):
    with use_language("nl"):
        return runner.invoke(cli.app, ["--lang", "en", *map(str, args)], catch_exceptions=False)


def newer_file(folder: Path, *extra: str) -> Path:
    path = folder / "mbo-studenten-2024.csv"
    path.write_text("\n".join([NEWER_HEADER, *NEWER_ROWS, *extra]) + "\n", encoding="utf-8")
    return path


def test_real_rows_are_read_by_name_and_empty_rows_skipped():
    duo = read_duo(SLICE, 2019)
    by_institution = {}
    for row in duo.enrolments:
        by_institution.setdefault((row.institution_name, row.pathway), 0)
        by_institution[(row.institution_name, row.pathway)] += row.students
    # The slice's own TOTAAL2019 sums (an empty line and a row without 2019 students are skipped).
    assert by_institution == {("ROC van Twente", "BOLVT"): 920, ("Deltion College", "BOLVT"): 894,
                              ("ROC van Twente", "BBL"): 246, ("Deltion College", "BBL"): 191,
                              ("Landstede", "BOLVT"): 221, ("Landstede", "BBL"): 10}
    assert {row.level for row in duo.enrolments} == {"entree", "2", "3", "4"}
    assert duo.totals["BOLVT"] == 2035 and duo.suppressed == 0
    # Another year of the same file is another column.
    assert read_duo(SLICE, 2015).totals != duo.totals


def test_a_slice_of_the_real_file_imports_into_a_scenario_that_validates(tmp_path):
    out = tmp_path / "twente"
    result = invoke("import", "duo", SLICE, "--year", "2019", "--region", "Twente", "--out", out)
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out / "scenario.yaml").scenario
    assert [i.name for i in scenario.institutions] == ["ROC van Twente"]
    bol = [c for c in scenario.cohorts if c.pathway == "BOL"]
    bbl = [c for c in scenario.cohorts if c.pathway == "BBL"]
    assert sum(c.students for c in bol) == 920 and sum(c.students for c in bbl) == 246
    assert {c.level for c in bol} == {"entree", "2", "3", "4"}
    # Every BBL group works at a company recognised for its crebo.
    companies = {c.id: c for c in scenario.companies}
    assert all(c.crebo in companies[c.company].recognitions for c in bbl)
    sources = (out / "bronnen.md").read_text(encoding="utf-8")
    assert "Bron: DUO" in sources and "Bron: CBS" in sources and "Generated" in sources


def test_the_newer_layout_with_suppressed_counts(tmp_path):
    duo = read_duo(newer_file(tmp_path), 2024)
    rows = {(r.crebo, r.level, r.pathway): r for r in duo.enrolments}
    suppressed = rows[("25251", "entree", "BOLVT")]
    assert suppressed.students == SUPPRESSED_COUNT and suppressed.suppressed
    assert duo.suppressed == 1
    assert duo.totals == {"BOLVT": 12 + 118 + SUPPRESSED_COUNT, "BBL": 31}
    demand = region_demand(duo)["Twente"]
    assert demand.bol[("27YU", "25480", "4")] == 130  # the two gender rows together


def test_an_unknown_seat_and_a_crebo_missing_from_the_catalogue_are_findings_and_nothing_is_written(tmp_path):
    path = newer_file(tmp_path,
                      "99XX;ROC Nergens;NERGENSDORP;BOL-VT;3;25491;Verzorgende-IG;Sectorunit zorg, welzijn en sport;man;8",
                      "27YU;ROC van Twente;HENGELO OV;BOL-VT;3;99999;Onbekende opleiding;Sectorunit handel;man;7",
                      "28XX;ROC Typo;HENGELO;BOL-VT;2;25167;Verkoper;Sectorunit handel;man;9")
    out = tmp_path / "out"
    result = invoke("import", "duo", path, "--year", "2024", "--region", "Twente", "--out", out)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [
        "mbo-studenten-2024.csv row 8, PLAATSNAAM: 'NERGENSDORP' is not a known institution seat "
        "(planner/opendata/data/seats.csv lists 37)",
        "mbo-studenten-2024.csv row 9, KWALIFICATIE CODE: crebo '99999' (Onbekende opleiding) is not in the "
        "qualification catalogue (planner/catalogue/qualifications.csv)",
        "mbo-studenten-2024.csv row 10, PLAATSNAAM: 'HENGELO' is not a known institution seat "
        "(planner/opendata/data/seats.csv lists 37) (did you mean 'HENGELO OV'?)",
    ]
    assert list(tmp_path.iterdir()) == [path]  # nothing half-written, no staging folder left


def test_bad_counts_pathways_and_levels_are_findings_with_their_row(tmp_path):
    path = newer_file(tmp_path, "27YU;ROC van Twente;HENGELO OV;BOL-VT;5;25491;Verzorgende-IG;Sectorunit zorg;man;3",
                      "27YU;ROC van Twente;HENGELO OV;avond;3;25491;Verzorgende-IG;Sectorunit zorg;man;3",
                      "27YU;ROC van Twente;HENGELO OV;BBL;3;25491;Verzorgende-IG;Sectorunit zorg;man;veel")
    with pytest.raises(ScenarioError) as caught:
        read_duo(path, 2024)
    assert [(p.where, p.field) for p in caught.value.problems] == [
        ("row 8", "NIVEAU"), ("row 9", "LEERWEG"), ("row 10", "AANTAL")]


def test_a_missing_column_names_the_headers_it_may_have(tmp_path):
    path = tmp_path / "duo.csv"
    path.write_text("BRIN NUMMER;PLAATSNAAM;TOTAAL2019\n27YU;HENGELO OV;5\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_duo(path, 2018)
    fields = [p.field for p in caught.value.problems]
    assert "TYPE MBO" in fields and "KWALIFICATIE CODE" in fields and "TOTAAL2018" in fields
    assert "2019" in str(caught.value)  # the years the file has


def test_a_region_without_a_seated_institution_says_where_its_students_are_counted(tmp_path):
    for region in ("Flevoland", "Gooi en Vechtstreek", "Gorinchem", "Midden-Holland", "Noord-Limburg",
                   "Zuid-Holland Centraal"):
        result = invoke("generate", "--from-duo", "--region", region, "--out", tmp_path / "x")
        assert result.exit_code == 2
        assert result.output.startswith(f"{region}: no MBO institution with students in 2019 is seated in this "
                                        "labour-market region")
        assert "counted in the regions where their institutions are seated: Achterhoek" in result.output
    assert not (tmp_path / "x").exists()


def test_the_regions_bol_students_add_up_to_the_national_total_less_what_the_rules_leave_out():
    duo = shipped_duo(2019)
    assert duo.totals["BOLVT"] == 372_384 and duo.totals["BBL"] == 129_519
    regions = region_demand(duo)
    in_regions = sum(r.bol_students for r in regions.values())
    excluded = sum(r.excluded[EXCLUDED_DOMAIN] for r in regions.values())
    assert excluded == 278  # 239 + 39 students registered for an education domain, not a qualification
    assert in_regions + excluded == 372_384
    assert len([r for r in regions.values() if r.institutions]) == 29  # 35 less five without a seat and Zuid-Holland Centraal


def test_the_study_year_rule():
    assert study_years(16, "4") == [6, 5, 5]
    assert study_years(13, "4") == [0, 7, 6]  # two cohorts of at least 5: the last two years
    assert study_years(9, "3") == [0, 0, 9]  # too few for two years of 5: one cohort, the last year
    assert study_years(40, "2") == [20, 20]
    assert study_years(7, "entree") == [7]


def test_an_import_replaces_an_earlier_import_but_not_another_folder(tmp_path):
    out = tmp_path / "twente"
    duo = read_duo(SLICE, 2019)
    from planner.opendata import write_import

    result = import_duo(duo, "twente")
    write_import(result, out, one_region=True)
    write_import(result, out, one_region=True)
    assert sorted(p.name for p in out.iterdir()) == ["bronnen.md", "cohorts.csv", "companies.csv", "scenario.yaml"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ScenarioError):
        write_import(result, other, one_region=True)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "twente"]


def test_all_regions_of_a_slice_each_get_a_folder_and_the_totals_are_reported(tmp_path):
    out = tmp_path / "nl"
    result = invoke("import", "duo", SLICE, "--all", "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["regio-zwolle", "twente"]
    zwolle = load_scenario(out / "regio-zwolle" / "scenario.yaml").scenario
    assert sorted(i.name for i in zwolle.institutions) == ["Deltion College", "Landstede"]
    assert sum(c.students for c in zwolle.cohorts if c.pathway == "BOL") == 894 + 221
    assert ("Full-time BOL students in duo-2015-2019-slice.csv (2019): 2,035; in the scenarios: 2,035; "
            "left out by the rules: 0") in " ".join(result.output.split())
    assert "Labour-market regions without a seated institution" in result.output


def test_region_and_all_together_or_neither_is_a_usage_message(tmp_path):
    for args in (["--region", "Twente", "--all"], []):
        result = invoke("import", "duo", SLICE, *args, "--out", tmp_path / "x")
        assert result.exit_code == 2 and "give either --region REGION or --all" in result.output
