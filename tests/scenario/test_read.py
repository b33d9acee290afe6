"""Reading scenario files: every problem reported at once, each with its file, row, field and message."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from planner.scenario import ScenarioError, load_scenario
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario


def messages(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def base(**kwargs):
    return scenario_dict([cohort("a"), cohort("b")], [company("k")], **kwargs)


def test_a_good_scenario_loads(tmp_path):
    loaded = load_scenario(write_scenario(tmp_path, base()))
    assert [c.id for c in loaded.scenario.cohorts] == ["a", "b"]
    assert loaded.warnings == []


def test_csv_row_messages_name_file_row_field_and_what_is_allowed(tmp_path):
    document = base()
    document["cohorts"][1].update(level="niveau 5", students="veel", crebo="123", forms=["blok:10"])
    found = messages(write_scenario(tmp_path, document, tables_as_csv=True))
    assert "cohorts.csv row 3, level: 'niveau 5' is not one of entree, 2, 3, 4" in found
    assert "cohorts.csv row 3, students: 'veel' is not a whole number" in found
    assert "cohorts.csv row 3, crebo: '123' is not a five-digit crebo code" in found
    assert any(m.startswith("cohorts.csv row 3, forms[0]: 'blok:10' is not an internship form; allowed: block:WEEKS")
               for m in found)


def test_every_problem_is_reported_at_once_across_files(tmp_path):
    document = base()
    document["cohorts"][0]["sector"] = "zorgen"
    document["companies"][0]["places"] = -1
    document["calendar"]["holiday_rule"] = "sometimes"
    found = messages(write_scenario(tmp_path, document, tables_as_csv=True))
    assert ("cohorts.csv row 2, sector: 'zorgen' is not one of zorg, techniek, handel, mobiliteit, specialistisch, "
            "zakelijk, voedsel, ict, entree (did you mean 'zorg'?)") in found
    assert "companies.csv row 2, places: -1 must be at least 0" in found
    assert "scenario.yaml, calendar.holiday_rule: 'sometimes' is not one of paused, blocked" in found


def test_inline_rows_are_named_by_path(tmp_path):
    document = base()
    document["cohorts"][1]["pathway"] = "BBX"
    assert messages(write_scenario(tmp_path, document)) == [
        "scenario.yaml cohorts[1], pathway: 'BBX' is not one of BOL, BBL (did you mean 'BBL'?)"]


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["cohorts"][0].update(earliest_start="2026-W60"),
     "scenario.yaml cohorts[0], earliest_start: '2026-W60' is not an ISO week: 2026 has no week 60"),
    (lambda d: d["cohorts"][0].update(current_form="line:2x4"),
     "scenario.yaml cohorts[0]: current_form line:2x4 is not one of forms (block:4)"),
    (lambda d: d["cohorts"][0].update(pathway="BBL"),
     "scenario.yaml cohorts[0]: a BBL cohort names its employing company (field company)"),
    (lambda d: d["cohorts"][0].update(location="nowhere"),
     "scenario.yaml cohorts[0], location: 'nowhere' is not a location of any institution"),
    (lambda d: d["cohorts"][0].update(earliest_start="2026-W45", latest_end="2026-W47", current_start="2026-W45"),
     "scenario.yaml cohorts[0], forms: window 2026-W45..2026-W47 is too short for block:4 (4 weeks outside holidays)"),
    (lambda d: d["cohorts"][0].update(latest_end="2027-W10"),
     "scenario.yaml cohorts[0], latest_end: week 2027-W10 is outside the school year 2026-W36..2026-W51"),
    (lambda d: d["cohorts"][0].update(current_start="2026-W50"),
     "scenario.yaml cohorts[0], current_start: the current period (block:4 from 2026-W50) does not fit the window "
     "2026-W36..2026-W51"),
    (lambda d: d["cohorts"][1].update(id="a"),
     "scenario.yaml cohorts[0], id: 'a' is used by more than one row"),
    (lambda d: d["companies"][0].update(area="Hoorn"),
     "scenario.yaml companies[0], area: 'Hoorn' is not one of the scenario's areas"),
    (lambda d: d["companies"][0].update(reduced_weeks={"2027-W02": 0}),
     "scenario.yaml companies[0], reduced_weeks: week 2027-W02 is outside the school year 2026-W36..2026-W51"),
    (lambda d: d["institutions"][0]["locations"][0].update(area="Hoorn"),
     "scenario.yaml institutions[0].locations[0], area: 'Hoorn' is not one of the scenario's areas"),
    (lambda d: d.update(travel={"barriers": [{"between": ["Enschede", "Deventer"]}]}),
     "scenario.yaml travel.barriers[0], between: 'Deventer' is not one of the scenario's areas"),
    (lambda d: d.update(travel={"matrix_csv": "times.csv"}),
     "scenario.yaml travel, matrix_csv: file 'times.csv' does not exist"),
    (lambda d: d["calendar"].update(holidays={"noord": ["2027-W08"]}),
     "scenario.yaml, calendar: holiday week 2027-W08 of region noord is outside 2026-W36..2026-W51"),
    (lambda d: d["companies"][0].update(places_per_weekday=[1, 1]),
     "scenario.yaml companies[0]: places_per_weekday needs 5 numbers, for ma di wo do vr"),
    (lambda d: d["cohorts"][0].update(colour="blue"),
     "scenario.yaml cohorts[0], colour: is not a known field"),
])
def test_each_rule_gives_its_exact_message(tmp_path, change, expected):
    document = base()
    change(document)
    found = messages(write_scenario(tmp_path, document))
    assert expected in found, found


def test_unknown_csv_column_and_missing_table(tmp_path):
    document = base()
    document["cohorts"][0]["kleur"] = "blauw"
    found = messages(write_scenario(tmp_path, document, tables_as_csv=True))
    assert found[0].startswith("cohorts.csv row 1, kleur: is not a known column; allowed: id, location, crebo")
    (tmp_path / "companies.csv").unlink()
    assert "scenario.yaml, companies: table file 'companies.csv' does not exist" in messages(tmp_path / "scenario.yaml")


def test_broken_yaml_and_missing_file(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text("name: [unclosed\n")
    assert messages(path)[0].startswith("scenario.yaml: is not valid YAML/JSON")
    assert messages(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: file does not exist"]


def test_failed_load_changes_no_file(tmp_path):
    document = base()
    document["cohorts"][0]["level"] = "5"
    path = write_scenario(tmp_path, document, tables_as_csv=True)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    messages(path)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert before == after


def test_the_structural_load_does_not_look_places_up(tmp_path):
    # Place names are geography (planner.geo.load_scenario); the structural load takes any name.
    document = base()
    document["areas"].append({"name": "Atlantis"})
    loaded = load_scenario(write_scenario(tmp_path, document))
    assert [a.name for a in loaded.scenario.areas] == ["Enschede", "Hengelo", "Atlantis"]
