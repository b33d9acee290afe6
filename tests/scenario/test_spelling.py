"""Dutch spellings of codes and decimal commas, the same in CSV, YAML and JSON."""

from __future__ import annotations

import csv
import json

import pytest

from planner.scenario import ScenarioError, load_scenario
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario


def dutch_document() -> dict:
    written = cohort("a", level="niveau 2", sector="Zorg, welzijn en sport", pathway="bol",
                     students="12", max_travel_minutes="30,5")
    return scenario_dict(
        [written, cohort("b", level="Entree", sector="ZORG"), cohort("c", level="N2", sector="Zorg")],
        [company("k", sectors="Zorg|techniek en gebouwde omgeving", levels="Niveau 3|2|entree", places="7,0",
                 reduced_weeks={"2026-W40": "1,0"})],
        policy={"level_weights": {"niveau 2": "2,5"}, "sector_weights": {"Zorg": "1,5"},
                "default_max_travel_minutes": "40,0"},
    )


def check_codes(scenario) -> None:
    a, b, c = scenario.cohorts
    assert (a.level, a.sector, a.pathway, a.students, a.max_travel_minutes) == ("2", "zorg", "BOL", 12, 30.5)
    assert (b.level, b.sector, c.level, c.sector) == ("entree", "zorg", "2", "zorg")
    k = scenario.companies[0]
    assert (k.sectors, k.levels, k.places, k.reduced_weeks) == (["zorg", "techniek"], ["3", "2", "entree"], 7,
                                                                {"2026-W40": 1})
    assert scenario.policy.level_weights == {"2": 2.5}
    assert scenario.policy.sector_weights == {"zorg": 1.5}
    assert scenario.policy.default_max_travel_minutes == 40.0


def test_dutch_spellings_and_decimal_commas_in_yaml(tmp_path):
    check_codes(load_scenario(write_scenario(tmp_path, dutch_document())).scenario)


def test_dutch_spellings_and_decimal_commas_in_csv(tmp_path):
    document = dutch_document()
    document["companies"][0]["reduced_weeks"] = "2026-W40:1,0"
    check_codes(load_scenario(write_scenario(tmp_path, document, tables_as_csv=True)).scenario)


def test_dutch_spellings_and_decimal_commas_in_json(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(dutch_document()))
    check_codes(load_scenario(path).scenario)


def test_semicolon_csv_with_decimal_commas(tmp_path):
    # Dutch Excel writes CSV with semicolons and decimal commas.
    document = scenario_dict([cohort("a", level="Niveau 3", max_travel_minutes="30,5")], [company("k")])
    write_scenario(tmp_path, document, tables_as_csv=True)
    with (tmp_path / "cohorts.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    with (tmp_path / "cohorts.csv").open("w", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    assert "30,5" in (tmp_path / "cohorts.csv").read_text()
    loaded = load_scenario(tmp_path / "scenario.yaml").scenario
    assert (loaded.cohorts[0].level, loaded.cohorts[0].max_travel_minutes) == ("3", 30.5)


def test_numbers_where_text_is_expected(tmp_path):
    # A spreadsheet or YAML turns crebo codes, ids and levels into numbers.
    document = scenario_dict([cohort(1001, level=2, crebo=25655)], [company("k", levels="3")])
    document["companies"][0]["levels"] = [2, 3]
    loaded = load_scenario(write_scenario(tmp_path, document)).scenario
    assert (loaded.cohorts[0].id, loaded.cohorts[0].crebo, loaded.cohorts[0].level) == ("1001", "25655", "2")
    assert loaded.companies[0].levels == ["2", "3"]


@pytest.mark.parametrize("field, value, expected", [
    ("level", "niveau 5", "'niveau 5' is not one of entree, 2, 3, 4"),
    ("sector", "Zorgen", "'Zorgen' is not one of zorg, techniek, handel, mobiliteit, specialistisch, zakelijk, "
                         "voedsel, ict, entree (did you mean 'zorg'?)"),
    ("pathway", "bbx", "'bbx' is not one of BOL, BBL (did you mean 'BBL'?)"),
    ("students", "1,5", "1.5 is not a whole number"),
    ("max_travel_minutes", "30,0,0", "'30,0,0' is not a number"),
])
def test_unknown_spellings_still_say_what_is_allowed(tmp_path, field, value, expected):
    document = scenario_dict([cohort("a", **{field: value})], [company("k")])
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write_scenario(tmp_path, document))
    assert [str(p) for p in caught.value.problems] == [f"scenario.yaml cohorts[0], {field}: {expected}"]
