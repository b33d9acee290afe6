"""The shipped scenarios load to exactly the Scenario they loaded to before the input was made more lenient."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.geo import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SAVED = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["small", "twente"])
def test_shipped_scenarios_load_exactly_as_before(name):
    scenario = load_scenario(ROOT / "scenarios" / name / "scenario.yaml").scenario
    assert scenario.model_dump_json(indent=1) + "\n" == (SAVED / f"{name}_loaded.json").read_text()
