"""The geographic checks and the full load: place names, travel files, polygons, unreachable cohorts."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner import scenario as scenario_package
from planner.geo import load_scenario
from planner.i18n import use_language
from planner.scenario import ScenarioError
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario


def messages(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def base(**kwargs):
    return scenario_dict([cohort("a"), cohort("b")], [company("k")], **kwargs)


def test_unknown_place_gives_its_exact_message_with_suggestions(tmp_path):
    document = base()
    document["areas"].append({"name": "Enschedee"})
    assert messages(write_scenario(tmp_path, document)) == [
        "scenario.yaml areas[2], name: 'Enschedee' is not a known Dutch place; give lat and lon; "
        "did you mean Enschede, Schoonebeek?"]


def test_place_names_are_reported_together_with_structural_problems_in_file_order(tmp_path):
    document = base()
    document["cohorts"][1]["id"] = "a"
    document["areas"].append({"name": "Atlantis"})
    document["companies"][0]["area"] = "Hoorn"
    assert messages(write_scenario(tmp_path, document)) == [
        "scenario.yaml cohorts[0], id: 'a' is used by more than one row",
        "scenario.yaml cohorts[1], id: 'a' is used by more than one row",
        "scenario.yaml areas[2], name: 'Atlantis' is not a known Dutch place; give lat and lon",
        "scenario.yaml companies[0], area: 'Hoorn' is not one of the scenario's areas",
    ]


def test_a_place_with_coordinates_needs_no_lookup(tmp_path):
    document = base()
    document["areas"].append({"name": "Atlantis", "lat": 52.0, "lon": 5.0})
    loaded = load_scenario(write_scenario(tmp_path, document))
    assert loaded.scenario.areas[-1].name == "Atlantis" and loaded.warnings == []


def test_unreachable_cohort_is_a_warning_not_an_error(tmp_path):
    document = scenario_dict([cohort("far", level="2")], [company("z", area="Zwolle")], areas=("Enschede", "Zwolle"))
    loaded = load_scenario(write_scenario(tmp_path, document))
    assert [str(w) for w in loaded.warnings] == [
        "scenario.yaml cohorts[0]: no learning company accepts sector zorg level 2 within 45 minutes by pt; "
        "all 10 students will be short"]


def test_travel_matrix_problems_name_file_and_row(tmp_path):
    (tmp_path / "times.csv").write_text("from,to,mode,minutes\nEnschede,Hengelo,pt,12\nEnschede,Hengel,pt,x\n")
    found = messages(write_scenario(tmp_path, base(travel={"matrix_csv": "times.csv"})))
    assert found == [
        "scenario.yaml: times.csv row 3, to: 'Hengel' is not a known area (did you mean 'Hengelo'?)",
        "scenario.yaml: times.csv row 3, minutes: 'x' is not a non-negative number",
    ]


def test_polygon_file_problems_are_errors(tmp_path):
    (tmp_path / "areas.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    found = messages(write_scenario(tmp_path, base(area_polygons="areas.geojson")))
    assert found == ["scenario.yaml: areas.geojson: no feature for area 'Enschede'",
                     "scenario.yaml: areas.geojson: no feature for area 'Hengelo'"]


def test_without_geography_it_is_the_structural_load(tmp_path):
    document = scenario_dict([cohort("far", level="2")], [company("z", area="Zwolle")], areas=("Enschede", "Zwolle"))
    document["areas"].append({"name": "Atlantis"})
    path = write_scenario(tmp_path, document)
    loaded = load_scenario(path, check_geography=False)
    assert loaded.warnings == []
    assert loaded.scenario == scenario_package.load_scenario(path).scenario


def test_rows_that_name_a_misspelt_area_are_named_under_it(tmp_path):
    # The area list misspells Hengelo; the rows that spell it right are knock-on, not problems of their own.
    companies = [company(f"k{i}", area="Hengelo") for i in range(12)] + [company("e")]
    document = scenario_dict([cohort("a")], companies)
    document["areas"].append({"name": "Hengleo"})
    document["areas"] = [a for a in document["areas"] if a["name"] != "Hengelo"]
    document["institutions"][0]["locations"].append({"id": "loc-h", "area": "Hengelo", "holiday_region": "noord"})
    assert messages(write_scenario(tmp_path, document, tables_as_csv=True)) == [
        "scenario.yaml areas[1], name: 'Hengleo' is not a known Dutch place; give lat and lon; did you mean "
        "Hengelo, Venlo, Heino? 13 rows refer to 'Hengelo': scenario.yaml institutions[0].locations[1]; "
        "companies.csv rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ..."]


def test_place_and_reach_messages_are_dutch_by_default(tmp_path):
    document = base()
    document["areas"].append({"name": "Enschedee"})
    with use_language("nl"):
        assert messages(write_scenario(tmp_path, document)) == [
            "scenario.yaml areas[2], name: 'Enschedee' is geen bekende Nederlandse plaats; geef lat en lon; "
            "bedoelde u Enschede, Schoonebeek?"]
    document = scenario_dict([cohort("far", level="2")], [company("z", area="Zwolle")], areas=("Enschede", "Zwolle"))
    with use_language("nl"):
        loaded = load_scenario(write_scenario(tmp_path, document))
        assert [str(w) for w in loaded.warnings] == [
            "scenario.yaml cohorts[0]: geen leerbedrijf neemt sectorkamer zorg niveau 2 aan binnen 45 minuten "
            "reistijd met pt; alle 10 studenten blijven zonder stageplaats"]
