"""Recognitions and place groups as a region writes them: CSV columns, Dutch header, problems with row and field."""

from __future__ import annotations

import pytest
import yaml

from planner.geo import load_scenario as geo_load_scenario
from planner.i18n import use_language
from planner.scenario import ScenarioError, load_scenario
from tests.builders import cohort, scenario_dict

COMPANIES = """id;name;area;sectors;levels;places;erkenningen
home;Zorgcentrum De Es;Enschede;zorg|voedsel;2|3|4;4;25655|verpleging
shop;Winkel;Enschede;handel;2|3;2;
"""


def write(tmp_path, companies: str, groups: str | None = None):
    document = scenario_dict([cohort("a")], [])
    document["companies"] = "companies.csv"
    (tmp_path / "companies.csv").write_text(companies, encoding="utf-8")
    if groups is not None:
        document["place_groups"] = "place_groups.csv"
        (tmp_path / "place_groups.csv").write_text(groups, encoding="utf-8")
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_the_dutch_column_and_a_place_group_table_are_read(tmp_path):
    path = write(tmp_path, COMPANIES, "company;group;recognitions;places\nhome;keuken;25180;1\n")
    companies = {c.id: c for c in load_scenario(path).scenario.companies}
    assert companies["home"].recognitions == ["25655", "verpleging"] and companies["home"].places == 3
    assert (companies["home/keuken"].recognitions, companies["home/keuken"].places) == (["25180"], 1)
    assert companies["home/keuken"].name == "Zorgcentrum De Es (keuken)"
    assert companies["shop"].recognitions == []


def test_an_unknown_family_is_reported_with_row_and_field(tmp_path):
    path = write(tmp_path, COMPANIES.replace("verpleging", "verpleegkunde"))
    with use_language("en"), pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.where, problem.field) == ("companies.csv", "row 2", "recognitions")
    assert "'verpleegkunde' is not a crebo (five digits) nor a qualification family" in problem.message


def test_a_place_group_of_an_unknown_company_is_a_problem_not_a_traceback(tmp_path):
    path = write(tmp_path, COMPANIES, "company;group;recognitions;places\nhospital;keuken;25180;1\n")
    with use_language("en"), pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert any("place group 'keuken' names company 'hospital', which is not in companies" in p.message
               for p in caught.value.problems)


def test_a_cohort_nobody_within_reach_is_recognised_for_is_a_warning_naming_its_crebo(tmp_path):
    document = scenario_dict([cohort("nurses", crebo="25480", level="4", max_travel_minutes=20)], [
        {"id": "far", "name": "Ziekenhuis Zwolle", "area": "Zwolle", "sectors": ["zorg"], "levels": ["4"],
         "places": 5, "recognitions": ["25480"]}], areas=("Enschede", "Zwolle"))
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with use_language("en"):
        warnings = [str(w) for w in geo_load_scenario(path).warnings]
    assert warnings == ["scenario.yaml cohorts[0]: no learning company within 20 minutes by pt is recognised for "
                        "crebo 25480 at level 4; all 10 students will be short"]
