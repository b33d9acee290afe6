"""Cross-checks of a scenario that no single row can make on its own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from planner.geo import core as geo
from planner.scenario.problems import InputProblem
from planner.scenario.model import InternshipForm, Scenario, fitting_starts

Origins = dict[str, list[tuple[str, str | None]]]


def _duplicates(ids: list[str]) -> set[str]:
    return {key for key, count in Counter(ids).items() if count > 1}


def check_scenario(
    scenario: Scenario, path: Path, origins: Origins, check_geography: bool = True
) -> tuple[list[InputProblem], list[InputProblem]]:
    """Check references, windows and geography; returns (errors, warnings)."""
    errors: list[InputProblem] = []
    warnings: list[InputProblem] = []
    file = path.name

    def cohort_at(i: int) -> tuple[str, str | None]:
        return origins["cohorts"][i] if i < len(origins.get("cohorts", [])) else (file, f"cohorts[{i}]")

    def company_at(i: int) -> tuple[str, str | None]:
        return origins["companies"][i] if i < len(origins.get("companies", [])) else (file, f"companies[{i}]")

    # Unique identifiers: files refer to each other by id.
    area_names = [a.name for a in scenario.areas]
    for name in sorted(_duplicates(area_names)):
        errors.append(InputProblem(file, "areas", "name", f"{name!r} is listed twice"))
    for name in sorted(_duplicates([i.id for i in scenario.institutions])):
        errors.append(InputProblem(file, "institutions", "id", f"{name!r} is used twice"))
    location_ids = [loc.id for inst in scenario.institutions for loc in inst.locations]
    for name in sorted(_duplicates(location_ids)):
        errors.append(InputProblem(file, "institutions", "locations.id", f"{name!r} is used twice"))
    for table, items, at in (("cohorts", scenario.cohorts, cohort_at), ("companies", scenario.companies, company_at)):
        dupes = _duplicates([item.id for item in items])
        for i, item in enumerate(items):
            if item.id in dupes:
                errors.append(InputProblem(*at(i), "id", f"{item.id!r} is used by more than one row"))

    # Areas must be places we can find on the map.
    known_areas = set(area_names)
    for i, area in enumerate(scenario.areas):
        if area.lat is None and check_geography and geo.find_place(area.name) is None:
            hint = geo.suggest_places(area.name)
            did_you_mean = f"; did you mean {', '.join(hint)}?" if hint else ""
            errors.append(
                InputProblem(file, f"areas[{i}]", "name",
                             f"{area.name!r} is not a known Dutch place; give lat and lon{did_you_mean}")
            )
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

    # Travel and polygon files.
    base = path.parent
    for i, barrier in enumerate(scenario.travel.barriers):
        for name in barrier.between:
            if name not in known_areas:
                errors.append(InputProblem(file, f"travel.barriers[{i}]", "between",
                                           f"{name!r} is not one of the scenario's areas"))
    for field_name in ("matrix_csv",):
        name = scenario.travel.matrix_csv
        if name and not (base / name).is_file():
            errors.append(InputProblem(file, "travel", field_name, f"file {name!r} does not exist"))
    if scenario.area_polygons and not (base / scenario.area_polygons).is_file():
        errors.append(InputProblem(file, None, "area_polygons", f"file {scenario.area_polygons!r} does not exist"))

    if errors or not check_geography:
        return errors, warnings

    from planner.geo.region import Region

    region = Region(scenario, base)
    try:
        minutes = {mode: region.minutes_array(mode) for mode in {scenario.travel_mode(c) for c in scenario.cohorts}}
        if scenario.area_polygons:
            _ = region.polygons
    except geo.GeoInputError as err:
        return [InputProblem(file, None, None, m) for m in err.messages], warnings
    warnings.extend(_unreachable_cohorts(scenario, minutes, cohort_at))
    return errors, warnings


def _unreachable_cohorts(scenario: Scenario, minutes: dict[str, np.ndarray], cohort_at) -> list[InputProblem]:
    """Cohorts no company could ever accept: real shortage the region should see, so a warning."""
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    fits: dict[tuple[str, str], list[int]] = {}
    for k, company in enumerate(scenario.companies):
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
