"""Structural cross-checks of a scenario that no single row can make on its own.

Identifiers are unique, references point at something that exists, weeks lie in the school
year and every allowed form fits its cohort's window. Whether the places exist on the map and
who can reach whom is geography: see :mod:`planner.geo.check`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from planner.scenario.calendar import InternshipForm, fitting_starts
from planner.scenario.model import Scenario
from planner.scenario.problems import InputProblem

#: Per table (cohorts, companies), where each row came from: (file, row or path).
Origins = dict[str, list[tuple[str, str | None]]]


def row_origin(origins: Origins, table: str, index: int, file: str) -> tuple[str, str | None]:
    """Where row ``index`` of ``table`` came from: its CSV file and row, or its path in the scenario file."""
    rows = origins.get(table, [])
    return rows[index] if index < len(rows) else (file, f"{table}[{index}]")


def _duplicates(ids: list[str]) -> set[str]:
    return {key for key, count in Counter(ids).items() if count > 1}


def check_scenario(scenario: Scenario, path: Path, origins: Origins) -> list[InputProblem]:
    """Check identifiers, references, weeks and windows.

    Parameters
    ----------
    scenario
        The scenario, each row already valid on its own.
    path
        The scenario file; relative file names (travel matrix, polygons) are resolved next to it.
    origins
        Where each cohort and company row came from, for the messages.

    Returns
    -------
    list of InputProblem
        Every problem found; empty when the scenario hangs together.
    """
    return identifier_problems(scenario, path, origins) + reference_problems(scenario, path, origins)


def identifier_problems(scenario: Scenario, path: Path, origins: Origins) -> list[InputProblem]:
    """Identifiers used twice: files refer to each other by id, so every id must be unique."""
    errors: list[InputProblem] = []
    file = path.name
    for name in sorted(_duplicates([a.name for a in scenario.areas])):
        errors.append(InputProblem(file, "areas", "name", f"{name!r} is listed twice"))
    for name in sorted(_duplicates([i.id for i in scenario.institutions])):
        errors.append(InputProblem(file, "institutions", "id", f"{name!r} is used twice"))
    location_ids = [loc.id for inst in scenario.institutions for loc in inst.locations]
    for name in sorted(_duplicates(location_ids)):
        errors.append(InputProblem(file, "institutions", "locations.id", f"{name!r} is used twice"))
    for table, items in (("cohorts", scenario.cohorts), ("companies", scenario.companies)):
        dupes = _duplicates([item.id for item in items])
        for i, item in enumerate(items):
            if item.id in dupes:
                errors.append(InputProblem(*row_origin(origins, table, i, file), "id",
                                           f"{item.id!r} is used by more than one row"))
    return errors


def reference_problems(scenario: Scenario, path: Path, origins: Origins) -> list[InputProblem]:
    """References to areas, locations, weeks, companies and files that do not exist, and windows too short."""
    errors: list[InputProblem] = []
    file = path.name

    def cohort_at(i: int) -> tuple[str, str | None]:
        return row_origin(origins, "cohorts", i, file)

    def company_at(i: int) -> tuple[str, str | None]:
        return row_origin(origins, "companies", i, file)

    # Locations and companies lie in the scenario's areas.
    known_areas = {a.name for a in scenario.areas}
    for inst_i, inst in enumerate(scenario.institutions):
        for loc_i, loc in enumerate(inst.locations):
            if loc.area not in known_areas:
                errors.append(InputProblem(file, f"institutions[{inst_i}].locations[{loc_i}]", "area",
                                           f"{loc.area!r} is not one of the scenario's areas"))
    for i, company in enumerate(scenario.companies):
        if company.area not in known_areas:
            errors.append(InputProblem(*company_at(i), "area", f"{company.area!r} is not one of the scenario's areas"))
        for week in company.reduced_weeks:
            if week not in scenario.calendar.week_index:
                errors.append(InputProblem(*company_at(i), "reduced_weeks",
                                           f"week {week} is outside the school year "
                                           f"{scenario.calendar.first_week}..{scenario.calendar.last_week}"))

    # Cohorts: known location, weeks inside the year, a window every form fits in.
    calendar = scenario.calendar
    span = f"{calendar.first_week}..{calendar.last_week}"
    for i, cohort in enumerate(scenario.cohorts):
        where = cohort_at(i)
        if cohort.location not in scenario.locations:
            errors.append(InputProblem(*where, "location", f"{cohort.location!r} is not a location of any institution"))
            continue
        bad_week = False
        for field_name in ("earliest_start", "latest_end", "current_start"):
            week = getattr(cohort, field_name)
            if week not in calendar.week_index:
                errors.append(InputProblem(*where, field_name, f"week {week} is outside the school year {span}"))
                bad_week = True
        if bad_week:
            continue
        if calendar.week_index[cohort.latest_end] < calendar.week_index[cohort.earliest_start]:
            errors.append(InputProblem(*where, "latest_end",
                                       f"{cohort.latest_end} is before earliest_start {cohort.earliest_start}"))
            continue
        for form in cohort.parsed_forms:
            if not fitting_starts(scenario, i, form):
                errors.append(InputProblem(
                    *where, "forms",
                    f"window {cohort.earliest_start}..{cohort.latest_end} is too short for {form} "
                    f"({form.weeks} weeks outside holidays)"))
        current = InternshipForm.parse(cohort.current_form)
        starts = {s for s, _ in fitting_starts(scenario, i, current)}
        if calendar.week_index[cohort.current_start] not in starts:
            errors.append(InputProblem(
                *where, "current_start",
                f"the current period ({cohort.current_form} from {cohort.current_start}) does not fit the window "
                f"{cohort.earliest_start}..{cohort.latest_end}"))
        if cohort.pathway == "BBL" and cohort.company not in scenario.company_index:
            errors.append(InputProblem(*where, "company", f"{cohort.company!r} is not a company in the scenario"))

    # Travel and polygon files exist (their contents are geography).
    base = path.parent
    for i, barrier in enumerate(scenario.travel.barriers):
        for name in barrier.between:
            if name not in known_areas:
                errors.append(InputProblem(file, f"travel.barriers[{i}]", "between",
                                           f"{name!r} is not one of the scenario's areas"))
    matrix_csv = scenario.travel.matrix_csv
    if matrix_csv and not (base / matrix_csv).is_file():
        errors.append(InputProblem(file, "travel", "matrix_csv", f"file {matrix_csv!r} does not exist"))
    if scenario.area_polygons and not (base / scenario.area_polygons).is_file():
        errors.append(InputProblem(file, None, "area_polygons", f"file {scenario.area_polygons!r} does not exist"))
    return errors
