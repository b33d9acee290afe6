"""The full load of a scenario file: read, structural checks, then geography."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from planner.geo.check import geography_problems, unknown_places
from planner.scenario.problems import InputProblem, ScenarioError
from planner.scenario.read import LoadedScenario, read_parts
from planner.scenario.sources import ReadLimits, ScenarioFiles
from planner.scenario.validate import (
    identifier_problems,
    ignored_control_warnings,
    privacy_problems,
    reference_problems,
    unknown_area_references,
)


def load_scenario(path: str | os.PathLike[str], check_geography: bool = True, files: ScenarioFiles | None = None,
                  document: Any = None, limits: ReadLimits | None = None) -> LoadedScenario:
    """Load and check a scenario file (YAML or JSON, tables inline, as CSV or as xlsx).

    Parameters
    ----------
    path
        The scenario file.
    check_geography
        Also check place names, travel files and whether every cohort can reach some
        company (needs the embedded place list; on by default). Without it this is
        :func:`planner.scenario.load_scenario`.
    files, document, limits
        An upload's own file table, its already parsed document and the limits checked while
        its tables are read (see :func:`planner.scenario.read_scenario`); the command line
        leaves them out and reads the scenario's folder.

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
    parts = read_parts(path, files, document, limits)
    scenario, origins, unread = parts.scenario, parts.origins, parts.unread
    # Rows and settings that cannot be read, unknown place names and the structural problems of
    # everything that could be read are reported together, all at once: rows, identifiers, areas,
    # then what refers to them. Rows that name an area the area list misspells are reported under
    # the misspelt area, once.
    places: list[InputProblem] = []
    explained: set[str] = set()
    if check_geography:
        places, explained = unknown_places(scenario, path.name,
                                           unknown_area_references(scenario, path.name, origins, unread))
    privacy_errors, privacy_warnings = privacy_problems(scenario, path, origins, unread)
    errors = (parts.problems + identifier_problems(scenario, path, origins) + places
              + reference_problems(scenario, path, origins, explained_areas=explained, files=files, unread=unread)
              + privacy_errors)
    if errors:
        raise ScenarioError(errors)
    privacy_warnings += ignored_control_warnings(scenario, path, origins)
    warnings = []
    if check_geography:
        errors, warnings = geography_problems(scenario, path, origins, files)
        if errors:
            raise ScenarioError(errors)
    return LoadedScenario(scenario, path, warnings + privacy_warnings, origins, files)
