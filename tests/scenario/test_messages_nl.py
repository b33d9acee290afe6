"""Input messages in Dutch, the default language, and in English on request, built when the input is checked."""

from __future__ import annotations

import pytest

from planner.i18n import use_language
from planner.scenario import ScenarioError, load_scenario
from planner.scenario.problems import InputProblem, rows_text
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario


def _messages(path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def _bad_scenario(tmp_path):
    document = scenario_dict([cohort(f"c{i}") for i in range(3)], [company("k")])
    document["cohorts"][1]["students"] = "veel"
    document["cohorts"][2]["sector"] = "zorgg"
    return write_scenario(tmp_path, document, tables_as_csv=True)


def test_row_and_field_problems_are_dutch_by_default(tmp_path):
    path = _bad_scenario(tmp_path)
    with use_language("nl"):
        found = _messages(path)
    assert "cohorts.csv rij 3, students: 'veel' is geen geheel getal" in found
    assert any(m.startswith("cohorts.csv rij 4, sector: 'zorgg' is niet toegestaan; toegestaan: zorg, ") for m in found)


def test_the_same_problems_in_english_on_request(tmp_path):
    path = _bad_scenario(tmp_path)
    with use_language("en"):
        found = _messages(path)
    assert "cohorts.csv row 3, students: 'veel' is not a whole number" in found


def test_model_validator_messages_follow_the_language_at_validation_time(tmp_path):
    document = scenario_dict([cohort("c0")], [company("k")])
    document["cohorts"][0]["current_form"] = "block:99"
    path = write_scenario(tmp_path, document)
    with use_language("nl"):
        dutch = _messages(path)
    with use_language("en"):
        english = _messages(path)
    assert dutch == ["scenario.yaml cohorts[0], current_form: 'block:99': een blokstage duurt 1 tot 52 weken"]
    assert english == ["scenario.yaml cohorts[0], current_form: 'block:99': a block lasts 1 to 52 weeks"]


def test_places_and_row_lists_are_named_in_the_language():
    problem = InputProblem("tables.xlsx", "sheet cohorts row 7", "students", "x")
    rows = [("companies.csv", "row 2"), ("companies.csv", "row 3"), ("scenario.yaml", "companies[0]")]
    with use_language("nl"):
        assert str(problem) == "tables.xlsx tabblad cohorts rij 7, students: x"
        assert rows_text(rows) == "companies.csv rijen 2, 3; scenario.yaml companies[0]"
        assert rows_text(rows[:1]) == "companies.csv rij 2"
    with use_language("en"):
        assert str(problem) == "tables.xlsx sheet cohorts row 7, students: x"
        assert rows_text(rows) == "companies.csv rows 2, 3; scenario.yaml companies[0]"


def test_an_unknown_area_names_the_other_rows_in_dutch(tmp_path):
    document = scenario_dict([cohort("c0")], [company("k"), company("m"), company("n")])
    for row in document["companies"]:
        row["area"] = "Enschedee"
    path = write_scenario(tmp_path, document, tables_as_csv=True)
    with use_language("nl"):
        found = _messages(path)
    assert found == ["companies.csv rij 2, area: 'Enschedee' is niet een van de gebieden van het scenario "
                     "(bedoelde u 'Enschede'?); nog 2 rijen verwijzen ernaar: companies.csv rijen 3, 4"]
