"""The consortium controls in scenario files: YAML, CSV and xlsx, Dutch yes/no, clear problems, written back."""

from __future__ import annotations

import pytest

from planner.scenario import ScenarioError, load_scenario, save_scenario
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario
from tests.scenario.test_tables import xlsx_scenario


def controlled() -> dict:
    return scenario_dict(
        [cohort("a", locked="ja", keep_form="nee", min_wave_students=3, max_shift_weeks=2),
         cohort("b", locked="Onwaar", keep_form="WAAR"), cohort("c")],
        [company("k")], policy={"no_cell_worse_than_status_quo": "ja"})


def expected(scenario) -> None:
    a, b, c = scenario.cohorts
    assert (a.locked, a.keep_form, a.min_wave_students, a.max_shift_weeks) == (True, False, 3, 2)
    assert (b.locked, b.keep_form, b.min_wave_students, b.max_shift_weeks) == (False, True, None, None)
    assert (c.locked, c.keep_form, c.min_wave_students, c.max_shift_weeks) == (False, False, None, None)
    assert scenario.policy.no_cell_worse_than_status_quo is True


@pytest.mark.parametrize("tables_as_csv", [False, True])
def test_controls_read_from_yaml_and_csv_in_dutch(tmp_path, tables_as_csv):
    expected(load_scenario(write_scenario(tmp_path, controlled(), tables_as_csv=tables_as_csv)).scenario)


def test_controls_read_from_xlsx(tmp_path):
    document = controlled()
    document["cohorts"][1]["keep_form"] = True  # a spreadsheet's own TRUE
    expected(load_scenario(xlsx_scenario(tmp_path, document)).scenario)


def test_the_rule_is_off_by_default(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, scenario_dict([cohort("a")], [company("k")]))).scenario
    assert scenario.policy.no_cell_worse_than_status_quo is False
    assert not scenario.cohorts[0].has_controls


@pytest.mark.parametrize("tables_as_csv", [False, True])
def test_controls_written_and_read_back(tmp_path, tables_as_csv):
    original = load_scenario(write_scenario(tmp_path, controlled())).scenario
    out = save_scenario(original, tmp_path / "out" / "copy.yaml", tables_as_csv=tables_as_csv)
    again = load_scenario(out).scenario
    assert again.model_dump() == original.model_dump()
    if tables_as_csv:
        header = (tmp_path / "out" / "cohorts.csv").read_text().splitlines()[0].split(",")
        assert {"locked", "keep_form", "min_wave_students", "max_shift_weeks"} <= set(header)


@pytest.mark.parametrize("field, value, message", [
    ("locked", "misschien", "locked: 'misschien' is not yes or no; write ja/nee (or waar/onwaar, true/false)"),
    ("max_shift_weeks", -1, "max_shift_weeks: "),
    ("min_wave_students", 0, "min_wave_students: "),
])
def test_bad_control_values_name_file_row_and_field(tmp_path, field, value, message):
    document = scenario_dict([cohort("a"), cohort("b", **{field: value})], [company("k")])
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write_scenario(tmp_path, document, tables_as_csv=True))
    found = [str(p) for p in caught.value.problems]
    assert len(found) == 1 and found[0].startswith(f"cohorts.csv row 3, {message}"), found


def test_controls_filled_down_onto_bbl_rows_are_warnings_and_ignored(tmp_path):
    document = scenario_dict([cohort("bbl", pathway="BBL", company="k", locked=True, min_wave_students=5)],
                             [company("k")])
    loaded = load_scenario(write_scenario(tmp_path, document, tables_as_csv=True))
    assert [str(w) for w in loaded.warnings] == [
        "cohorts.csv row 2, locked, min_wave_students: is ignored: BBL cohorts always keep their current period "
        "(controls are for BOL cohorts)"]
    assert not loaded.scenario.cohorts[0].has_controls
