"""A company's own BBL students beyond its capacity: an input finding (exit 2), never a failed solve."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.i18n import use_language
from planner.model import load_scenario
from planner.model.check import bbl_overload_problems
from planner.scenario import ScenarioError
from planner.scenario.embedded import embedded_scenario
from tests.builders import cohort, company, make_scenario


def test_bbl_students_within_capacity_give_no_problem():
    scenario = make_scenario([cohort("bbl", 4, pathway="BBL", company="k", forms="line:4x12", current_start="2026-W37")],
                             [company("k", places=4)])
    assert bbl_overload_problems(scenario, {}, "scenario.yaml") == []


def test_bbl_students_beyond_capacity_name_the_company_weeks_and_amount():
    # 5 BBL students, 4 days a week: 20 student-days; the company offers 2 places (10) in week 40 only.
    rows = [cohort("bbl", 5, pathway="BBL", company="k", forms="line:4x12", current_start="2026-W37")]
    scenario = make_scenario(rows, [company("k", places=5, reduced_weeks={"2026-W40": 2})])
    [problem] = bbl_overload_problems(scenario, {}, "scenario.yaml")
    assert (problem.file, problem.where, problem.field) == ("scenario.yaml", "companies[0]", "places")
    assert "bbl (5)" in problem.message and "2026-W40" in problem.message
    assert "10 student-days too many" in problem.message


@pytest.fixture
def twente_with_bbl_overload(tmp_path) -> Path:
    """Twente with 5 places left at LB00067 in 2027-W10, where its own BBL students need 44 student-days."""
    folder = tmp_path / "twente"
    shutil.copytree(embedded_scenario("twente-sector").parent, folder)
    companies = folder / "companies.csv"
    text = companies.read_text(encoding="utf-8")
    row = "LB00067,Sportcentrum Hengelo 2,Hengelo,zorg,3,13,2026-W52:0;2026-W53:0"
    assert row in text
    companies.write_text(text.replace(row, row + ";2027-W10:5"), encoding="utf-8")
    return folder / "scenario.yaml"


def test_the_full_load_rejects_bbl_overload_with_the_company_row(twente_with_bbl_overload):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(twente_with_bbl_overload)
    [problem] = caught.value.problems
    assert str(problem).startswith("companies.csv row 68, places: its own BBL students")
    assert "2027-W10: 19 student-days too many" in str(problem)


@pytest.mark.parametrize("command", [["validate"], ["solve", "--out", "OUT", "--time-limit", "5"]])
def test_validate_and_solve_exit_2_on_bbl_overload(twente_with_bbl_overload, tmp_path, command):
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    result = CliRunner().invoke(app, [args[0], str(twente_with_bbl_overload), *args[1:]])
    assert result.exit_code == 2, result.output
    assert "companies.csv row 68, places" in result.output
    assert not (tmp_path / "out").exists()


def test_bbl_overload_is_reported_in_dutch_by_default():
    rows = [cohort("bbl", 5, pathway="BBL", company="k", forms="line:4x12", current_start="2026-W37")]
    scenario = make_scenario(rows, [company("k", places=5, reduced_weeks={"2026-W40": 2})])
    with use_language("nl"):
        [problem] = bbl_overload_problems(scenario, {}, "scenario.yaml")
    assert problem.message.startswith("de eigen BBL-studenten (bbl (5)) hebben meer begeleiding nodig dan het "
                                      "leerbedrijf biedt in 2026-W40: 10 studentdagen te veel in de drukste week")
