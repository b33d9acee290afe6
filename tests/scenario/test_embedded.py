"""The embedded scenarios load through importlib.resources, from a checkout or an installed package."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.model import load_scenario
from planner.scenario.embedded import DEFAULT_SCENARIO, embedded_scenario, embedded_scenario_names
from planner.scenario.validate import SMALL_COHORT_STUDENTS

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_the_embedded_scenarios_are_the_repository_folders():
    assert embedded_scenario_names() == ["small", "twente", "twente-sector"]
    for name in embedded_scenario_names():
        path = embedded_scenario(name)
        assert path.name == "scenario.yaml"
        assert path.read_bytes() == (SCENARIOS / name / "scenario.yaml").read_bytes()


def test_the_default_scenario_loads_with_its_tables():
    path = embedded_scenario()
    assert path == embedded_scenario(DEFAULT_SCENARIO)
    assert (path.parent / "cohorts.csv").is_file() and (path.parent / "companies.csv").is_file()
    loaded = load_scenario(path)
    # its only warnings are the privacy ones: the cohorts of fewer than five students
    small = {f"row {i + 2}" for i, c in enumerate(loaded.scenario.cohorts) if c.students < SMALL_COHORT_STUDENTS}
    assert small and {(w.file, w.where, w.field) for w in loaded.warnings} == {("cohorts.csv", r, "students")
                                                                              for r in small}
    assert loaded.scenario.cohorts and loaded.scenario.companies


def test_an_unknown_name_lists_the_embedded_ones():
    with pytest.raises(ValueError, match="no embedded scenario 'atlantis'; embedded: small, twente"):
        embedded_scenario("atlantis")
