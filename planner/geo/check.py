"""Geographic checks of a scenario: its places are on the map, its travel and polygon files
can be read, and every cohort can reach some company that takes it.

The structural checks (:mod:`planner.scenario.validate`) come first; these need the
embedded place list and the travel network, so they sit in the geography layer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from planner.geo.errors import GeoInputError
from planner.geo.places import find_place, suggest_places
from planner.geo.region import Region
from planner.scenario import Scenario
from planner.scenario.problems import InputProblem
from planner.scenario.validate import Origins, row_origin


def unknown_places(scenario: Scenario, file: str) -> list[InputProblem]:
    """Areas without coordinates whose name is not in the embedded Dutch place list."""
    problems = []
    for i, area in enumerate(scenario.areas):
        if area.lat is None and find_place(area.name) is None:
            hint = suggest_places(area.name)
            did_you_mean = f"; did you mean {', '.join(hint)}?" if hint else ""
            problems.append(
                InputProblem(file, f"areas[{i}]", "name",
                             f"{area.name!r} is not a known Dutch place; give lat and lon{did_you_mean}")
            )
    return problems


def geography_problems(
    scenario: Scenario, path: Path, origins: Origins
) -> tuple[list[InputProblem], list[InputProblem]]:
    """Read the travel times and polygons the scenario names, and find cohorts no company can take.

    Run on a scenario that passed the structural checks and :func:`unknown_places`.

    Parameters
    ----------
    scenario
        The scenario.
    path
        The scenario file; its travel matrix and GeoJSON are resolved next to it.
    origins
        Where each cohort row came from, for the messages.

    Returns
    -------
    tuple of list of InputProblem
        ``(errors, warnings)``: errors from the travel and polygon files; a warning per
        cohort that no company could ever accept (real shortage the region should see).
    """
    file = path.name
    region = Region(scenario, path.parent)
    try:
        minutes = {mode: region.minutes_array(mode) for mode in {scenario.travel_mode(c) for c in scenario.cohorts}}
        if scenario.area_polygons:
            _ = region.polygons
    except GeoInputError as err:
        return [InputProblem(file, None, None, m) for m in err.messages], []
    return [], _unreachable_cohorts(scenario, minutes, lambda i: row_origin(origins, "cohorts", i, file))


def _unreachable_cohorts(
    scenario: Scenario, minutes: dict[str, np.ndarray], cohort_at: Callable[[int], tuple[str, str | None]]
) -> list[InputProblem]:
    """Cohorts no company could ever accept: real shortage the region should see, so a warning."""
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    fits: dict[tuple[str, str], list[int]] = {}
    for company in scenario.companies:
        if company.places <= 0 and not company.places_per_weekday:
            continue
        for sector in company.sectors:
            for level in company.levels:
                fits.setdefault((sector, level), []).append(area_index[company.area])
    warnings = []
    for i, cohort in enumerate(scenario.cohorts):
        if cohort.pathway == "BBL":
            continue
        origin = area_index[scenario.locations[cohort.location].area]
        mode = scenario.travel_mode(cohort)
        limit = scenario.max_travel(cohort)
        areas = fits.get((cohort.sector, cohort.level), [])
        if not areas or np.min(minutes[mode][origin, areas]) > limit:
            warnings.append(InputProblem(
                *cohort_at(i), None,
                f"no learning company accepts sector {cohort.sector} level {cohort.level} within "
                f"{limit:g} minutes by {mode}; all {cohort.students} students will be short"))
    return warnings
