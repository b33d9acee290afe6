"""The full load of a scenario file: read, structural checks, then geography."""

from __future__ import annotations

import os
from pathlib import Path

from planner.geo.check import geography_problems, unknown_places
from planner.scenario.problems import ScenarioError
from planner.scenario.read import LoadedScenario, read_scenario
from planner.scenario.validate import identifier_problems, reference_problems


def load_scenario(path: str | os.PathLike[str], check_geography: bool = True) -> LoadedScenario:
    """Load and check a scenario file (YAML or JSON, tables inline or as CSV).

    Parameters
    ----------
    path
        The scenario file.
    check_geography
        Also check place names, travel files and whether every cohort can reach some
        company (needs the embedded place list; on by default). Without it this is
        :func:`planner.scenario.load_scenario`.

    Returns
    -------
    LoadedScenario
        The scenario with its warnings.

    Raises
    ------
    ScenarioError
        With every problem found, when anything is wrong.
    """
    path = Path(path)
    scenario, origins = read_scenario(path)
    # Unknown place names are reported together with the structural problems, all at once,
    # in the order of the file: identifiers, areas, then what refers to them.
    places = unknown_places(scenario, path.name) if check_geography else []
    errors = identifier_problems(scenario, path, origins) + places + reference_problems(scenario, path, origins)
    if errors:
        raise ScenarioError(errors)
    warnings = []
    if check_geography:
        errors, warnings = geography_problems(scenario, path, origins)
        if errors:
            raise ScenarioError(errors)
    return LoadedScenario(scenario, path, warnings)
