"""Writing scenario files: YAML or JSON, tables inline or as CSV, read back without loss."""

from __future__ import annotations

import json

import pytest

from planner.scenario import load_scenario, save_scenario
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario


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
