"""Geographic checks of a scenario: its places are on the map, its travel and polygon files
can be read, and every cohort can reach some company that takes it.

The structural checks (:mod:`planner.scenario.validate`) come first; these need the
embedded place list and the travel network, so they sit in the geography layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from planner.geo.errors import GeoInputError
from planner.geo.places import find_place, suggest_places
from planner.geo.region import Region
from planner.i18n import _, ngettext
from planner.scenario import Scenario
from planner.scenario.eligibility import FitKey, fit_key, key_fits, recognition_findings, uses_recognitions
from planner.scenario.problems import InputProblem, Origin, close_names, rows_text
from planner.scenario.sources import ScenarioFiles
from planner.scenario.validate import Origins, row_origin


def unknown_places(
    scenario: Scenario, file: str, referring: Mapping[str, Sequence[Origin]] | None = None
) -> tuple[list[InputProblem], set[str]]:
    """Areas without coordinates whose name is not in the embedded Dutch place list.

    A misspelt area also leaves every row that spells it right without an area: those rows
    are named under the misspelt area, the one cause, instead of each being a problem.

    Parameters
    ----------
    scenario
        The scenario.
    file
        The scenario file's name, for the messages.
    referring
        Rows that name an area the scenario does not list, per name
        (:func:`planner.scenario.validate.unknown_area_references`).

    Returns
    -------
    tuple of list of InputProblem and set of str
        A problem per unknown place, and the missing area names whose rows it names.
    """
    referring = referring or {}
    unknown = [(i, area.name) for i, area in enumerate(scenario.areas)
               if area.lat is None and find_place(area.name) is None]
    # Each missing name goes under the unknown place it most resembles.
    explained: dict[str, list[str]] = {}
    for name in referring:
        close = close_names(name, [place for _, place in unknown])
        if close:
            explained.setdefault(close[0], []).append(name)
    problems = []
    for i, place in unknown:
        hint = suggest_places(place)
        message = _("{place} is not a known Dutch place; give lat and lon").format(place=repr(place))
        message += _("; did you mean {names}?").format(names=", ".join(hint)) if hint else ""
        for name in explained.get(place, []):
            rows = referring[name]
            message += " " + ngettext("{count} row refers to {name}: {rows}", "{count} rows refer to {name}: {rows}",
                                      len(rows)).format(count=len(rows), name=repr(name), rows=rows_text(rows))
        problems.append(InputProblem(file, f"areas[{i}]", "name", message))
    return problems, {name for names in explained.values() for name in names}


def geography_problems(
    scenario: Scenario, path: Path, origins: Origins, files: ScenarioFiles | None = None
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
    files
        Where the travel matrix and GeoJSON are read instead (an upload's own file table).

    Returns
    -------
    tuple of list of InputProblem
        ``(errors, warnings)``: errors from the travel and polygon files; a warning per
        cohort that no company could ever accept (real shortage the region should see), and the
        recognition findings (:func:`planner.scenario.eligibility.recognition_findings`).
    """
    file = path.name
    region = Region(scenario, path.parent, files)
    try:
        minutes = {mode: region.minutes_array(mode) for mode in {scenario.travel_mode(c) for c in scenario.cohorts}}
        if scenario.area_polygons:
            region.polygons  # noqa: B018 (read to check the file)
    except GeoInputError as err:
        return [InputProblem(file, None, None, m) for m in err.messages], []
    cohort_at = lambda i: row_origin(origins, "cohorts", i, file)  # noqa: E731
    return [], recognition_findings(scenario, cohort_at) + _unreachable_cohorts(scenario, minutes, cohort_at)


def _unreachable_cohorts(
    scenario: Scenario, minutes: dict[str, np.ndarray], cohort_at: Callable[[int], tuple[str, str | None]]
) -> list[InputProblem]:
    """Cohorts no company could ever accept: real shortage the region should see, so a warning."""
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    keys: dict[FitKey, list[int]] = {}
    for company in scenario.companies:
        if company.places <= 0 and not company.places_per_weekday:
            continue
        keys.setdefault(fit_key(company), []).append(area_index[company.area])
    warnings = []
    recognitions = uses_recognitions(scenario)
    for i, cohort in enumerate(scenario.cohorts):
        if cohort.pathway == "BBL":
            continue
        origin = area_index[scenario.locations[cohort.location].area]
        mode = scenario.travel_mode(cohort)
        limit = scenario.max_travel(cohort)
        areas = [area for key, at in keys.items() if key_fits(key, cohort) for area in at]
        if (not areas or np.min(minutes[mode][origin, areas]) > limit) and recognitions:
            warnings.append(InputProblem(
                *cohort_at(i), None,
                _("no learning company within {minutes} minutes by {mode} is recognised for crebo {crebo} at level "
                  "{level}; all {students} students will be short").format(
                    minutes=f"{limit:g}", mode=mode, crebo=cohort.crebo, level=cohort.level,
                    students=cohort.students)))
        elif not areas or np.min(minutes[mode][origin, areas]) > limit:
            warnings.append(InputProblem(
                *cohort_at(i), None,
                _("no learning company accepts sector {sector} level {level} within {minutes} minutes by "
                  "{mode}; all {students} students will be short").format(
                    sector=cohort.sector, level=cohort.level, minutes=f"{limit:g}", mode=mode,
                    students=cohort.students)))
    return warnings
