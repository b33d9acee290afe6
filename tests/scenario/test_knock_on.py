"""One misspelt name is one problem: the rows that refer to it are named under it, not reported each."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.scenario import ScenarioError, load_scenario
from planner.scenario.problems import rows_text
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario


def messages(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def test_rows_that_name_a_missing_area_are_one_problem(tmp_path):
    companies = [company(f"k{i}", area="Hengelo" if i % 2 else "Enschede") for i in range(30)]
    document = scenario_dict([cohort("a")], companies, areas=("Enschede", "Almelo"))
    found = messages(write_scenario(tmp_path, document, tables_as_csv=True))
    assert found == [
        "companies.csv row 3, area: 'Hengelo' is not one of the scenario's areas; 14 more rows refer to it: "
        "companies.csv rows 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, ..."]


def test_a_missing_location_is_one_problem_across_cohorts(tmp_path):
    cohorts = [cohort(f"c{i}", location="loc-ee") for i in range(4)] + [cohort("ok")]
    found = messages(write_scenario(tmp_path, scenario_dict(cohorts, [company("k")])))
    assert found == [
        "scenario.yaml cohorts[0], location: 'loc-ee' is not a location of any institution (did you mean 'loc-e'?); "
        "3 more rows refer to it: scenario.yaml cohorts[1], cohorts[2], cohorts[3]"]


def test_a_missing_employer_is_one_problem_across_bbl_cohorts(tmp_path):
    cohorts = [cohort(f"c{i}", pathway="BBL", company="LB0067") for i in range(2)]
    found = messages(write_scenario(tmp_path, scenario_dict(cohorts, [company("LB00067")]), tables_as_csv=True))
    assert found == ["cohorts.csv row 2, company: 'LB0067' is not a company in the scenario (did you mean 'LB00067'?); "
                     "1 more row refers to it: cohorts.csv row 3"]


def test_different_missing_names_stay_separate_problems(tmp_path):
    companies = [company("k1", area="Almelo"), company("k2", area="Zwolle"), company("k3", area="Almelo")]
    found = messages(write_scenario(tmp_path, scenario_dict([cohort("a")], companies)))
    assert found == [
        "scenario.yaml companies[0], area: 'Almelo' is not one of the scenario's areas; 1 more row refers to it: "
        "scenario.yaml companies[2]",
        "scenario.yaml companies[1], area: 'Zwolle' is not one of the scenario's areas",
    ]


def test_rows_text_groups_rows_by_file_and_sheet():
    assert rows_text([("a.csv", "row 2"), ("t.xlsx", "sheet cohorts row 4"), ("a.csv", "row 5"),
                      ("s.yaml", "cohorts[1]"), ("t.xlsx", "sheet cohorts row 9")]) == (
        "a.csv rows 2, 5; t.xlsx sheet cohorts rows 4, 9; s.yaml cohorts[1]")
