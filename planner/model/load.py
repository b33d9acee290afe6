"""The full load of a scenario file: read, structural checks, geography, then the capacity model.

This is what ``stageplanner validate``, ``solve`` and the API use: a scenario it accepts can be
solved, because every check that the capacity model needs has run.
"""

from __future__ import annotations

import os
from typing import Any

from planner.geo.load import load_scenario as load_with_geography
from planner.model.check import capacity_problems
from planner.scenario import LoadedScenario, ScenarioError
from planner.scenario.sources import ReadLimits, ScenarioFiles


def load_scenario(path: str | os.PathLike[str], check_geography: bool = True, files: ScenarioFiles | None = None,
                  document: Any = None, limits: ReadLimits | None = None) -> LoadedScenario:
    """Load and check a scenario file through to the capacity model.

    Parameters
    ----------
    path
        The scenario file (YAML or JSON, tables inline, as CSV or as xlsx).
    check_geography
        Also check place names, travel files and reachability (see :func:`planner.geo.load_scenario`).
    files, document, limits
        An upload's own file table, its already parsed document and the limits checked while its
        tables are read (see :func:`planner.geo.load_scenario`); the command line leaves them out.

    Returns
    -------
    LoadedScenario
        The scenario with its warnings.

    Raises
    ------
    ScenarioError
        With every problem found, when anything is wrong.
    """
    loaded = load_with_geography(path, check_geography, files, document, limits)
    problems = capacity_problems(loaded)
    if problems:
        raise ScenarioError(problems)
    return loaded
