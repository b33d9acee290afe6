"""Loading, validation messages and round trips of scenario files."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
import yaml

from tests.builders import cohort, company, scenario_dict
from planner.scenario.io import ScenarioError, load_scenario, save_scenario


def write_scenario(folder: Path, document: dict, tables_as_csv: bool = False) -> Path:
    if tables_as_csv:
        for name, columns_from in (("cohorts", document["cohorts"]), ("companies", document["companies"])):
            columns = list(dict.fromkeys(key for row in columns_from for key in row))
            with (folder / f"{name}.csv").open("w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for row in columns_from:
                    writer.writerow({k: "|".join(v) if isinstance(v, list) else v for k, v in row.items()})
            document = {**document, name: f"{name}.csv"}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


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
            "zakelijk, voedsel, ict, entree") in found
    assert "companies.csv row 2, places: -1 must be at least 0" in found
    assert "scenario.yaml, calendar.holiday_rule: 'sometimes' is not one of paused, blocked" in found


def test_inline_rows_are_named_by_path(tmp_path):
    document = base()
    document["cohorts"][1]["pathway"] = "BBX"
    assert messages(write_scenario(tmp_path, document)) == [
        "scenario.yaml cohorts[1], pathway: 'BBX' is not one of BOL, BBL"]


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
    (lambda d: d["areas"].append({"name": "Enschedee"}),
     "scenario.yaml areas[2], name: 'Enschedee' is not a known Dutch place; give lat and lon; did you mean Enschede, Schoonebeek?"),
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


def test_unreachable_cohort_is_a_warning_not_an_error(tmp_path):
    document = scenario_dict([cohort("far", level="2")], [company("z", area="Zwolle")], areas=("Enschede", "Zwolle"))
    loaded = load_scenario(write_scenario(tmp_path, document))
    assert [str(w) for w in loaded.warnings] == [
        "scenario.yaml cohorts[0]: no learning company accepts sector zorg level 2 within 45 minutes by pt; "
        "all 10 students will be short"]


def test_failed_load_changes_no_file(tmp_path):
    document = base()
    document["cohorts"][0]["level"] = "5"
    path = write_scenario(tmp_path, document, tables_as_csv=True)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    messages(path)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert before == after


@pytest.mark.parametrize("suffix, tables_as_csv", [(".yaml", False), (".yaml", True), (".json", False), (".json", True)])
def test_round_trip_without_loss(tmp_path, suffix, tables_as_csv):
    document = scenario_dict(
        [cohort("a", forms="block:4|line:2x8", max_waves=3, priority=2.5, travel_mode="bike", max_travel_minutes=30),
         cohort("bbl", pathway="BBL", company="k", forms="line:4x15", current_start="2026-W36")],
        [company("k", reduced_weeks={"2026-W40": 2}, places_per_weekday=[1, 2, 2, 2, 0])],
        holidays={"noord": ["2026-W43"], "zuid": ["2026-W44"]},
        travel={"barriers": [{"between": ["Enschede", "Hengelo"], "penalty_minutes": 10}]},
        policy={"level_weights": {"entree": 4, "2": 2, "3": 1, "4": 1}, "then_minimise": ["travel", "changes"]},
    )
    original = load_scenario(write_scenario(tmp_path, document)).scenario
    out = tmp_path / "out" / f"copy{suffix}"
    save_scenario(original, out, tables_as_csv=tables_as_csv)
    again = load_scenario(out).scenario
    assert again.model_dump() == original.model_dump()
    if suffix == ".json":
        json.loads(out.read_text())
    # And a second save gives the same text (stable output).
    second = tmp_path / "out2" / f"copy{suffix}"
    save_scenario(again, second, tables_as_csv=tables_as_csv)
    assert second.read_text() == out.read_text()
