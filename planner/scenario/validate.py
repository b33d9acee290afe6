"""Structural cross-checks of a scenario that no single row can make on its own.

Identifiers are unique, references point at something that exists, weeks lie in the school
year and every allowed form fits its cohort's window. Whether the places exist on the map and
who can reach whom is geography: see :mod:`planner.geo.check`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from planner.i18n import N_, _
from planner.scenario.calendar import InternshipForm, fitting_starts
from planner.scenario.model import Scenario
from planner.scenario.problems import InputProblem, Origin, close_names, referring_rows_problem
from planner.scenario.sources import FolderFiles, ScenarioFiles

#: Per table (cohorts, companies), where each row came from: (file, row or path).
Origins = dict[str, list[Origin]]


@dataclass
class Unread:
    """Names of the parts of a scenario that could not be read (already reported): the cross-checks of the
    rest run without reporting references to them again.

    Attributes
    ----------
    areas, locations, companies
        Area names, location ids and company ids of rows that are not valid.
    calendar
        Whether the calendar is not valid (then nothing that needs weeks is checked).
    """

    areas: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)
    calendar: bool = False


def row_origin(origins: Origins, table: str, index: int, file: str) -> Origin:
    """Where row ``index`` of ``table`` came from: its CSV file and row, or its path in the scenario file."""
    rows = origins.get(table, [])
    return rows[index] if index < len(rows) else (file, f"{table}[{index}]")


def _duplicates(ids: list[str]) -> set[str]:
    return {key for key, count in Counter(ids).items() if count > 1}


#: Cohorts with fewer students than this get a warning: so few students can be told apart.
SMALL_COHORT_STUDENTS = 5
#: A date in a cohort's id or programme whose year lies this many years or more before the
#: school year is taken for a birth date (MBO students are at least about 15).
BIRTH_YEARS_BEFORE = 12
_DATES = (
    re.compile(r"(?<!\d)(?P<day>[0-3]?\d)[-/.](?P<month>[01]?\d)[-/.](?P<year>(?:19|20)\d\d)(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)[-/.](?P<month>[01]?\d)[-/.](?P<day>[0-3]?\d)(?!\d)"),
    re.compile(r"(?<!\d)(?P<day>[0-3]\d)(?P<month>[01]\d)(?P<year>(?:19|20)\d\d)(?!\d)"),
)


def _birth_date(text: str, school_year: int) -> str | None:
    """The first date in ``text`` that could be a student's birth date, as written."""
    for pattern in _DATES:
        for match in pattern.finditer(text):
            try:
                date = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                continue
            if date.year <= school_year - BIRTH_YEARS_BEFORE:
                return match.group(0)
    return None


def privacy_problems(scenario: Scenario, path: Path, origins: Origins, unread: Unread | None = None
                     ) -> tuple[list[InputProblem], list[InputProblem]]:
    """Cohorts that could identify a student: errors and warnings.

    A scenario holds aggregated cohorts, never people. A cohort whose id or programme holds
    what looks like a birth date (``jan-jansen-12-03-2008``) is an error; a cohort of fewer
    than :data:`SMALL_COHORT_STUDENTS` students is a warning, since so few students can be
    told apart.

    Returns
    -------
    tuple of list of InputProblem
        The errors and the warnings, each with the reason in its message.
    """
    errors: list[InputProblem] = []
    warnings: list[InputProblem] = []
    if unread is not None and unread.calendar:
        return errors, warnings  # the school year is not known; checked once the calendar is right
    school_year = int(scenario.calendar.first_week[:4])
    for i, cohort in enumerate(scenario.cohorts):
        where = row_origin(origins, "cohorts", i, path.name)
        for field_name in ("id", "programme"):
            date = _birth_date(getattr(cohort, field_name), school_year)
            if date:
                errors.append(InputProblem(*where, field_name, _(
                    "contains {date}, which looks like a birth date; a cohort is a group of students and must "
                    "not name or date a person (personal data is not allowed in a scenario)").format(date=repr(date))))
        if cohort.students < SMALL_COHORT_STUDENTS:
            warnings.append(InputProblem(*where, "students", _(
                "{students} student(s): a cohort this small can identify a person; merge it with a similar "
                "cohort where you can (at least {minimum})").format(students=cohort.students,
                                                                     minimum=SMALL_COHORT_STUDENTS)))
    return errors, warnings


def check_scenario(scenario: Scenario, path: Path, origins: Origins,
                   files: ScenarioFiles | None = None, unread: Unread | None = None) -> list[InputProblem]:
    """Check identifiers, references, weeks and windows.

    Parameters
    ----------
    scenario
        The scenario, each row already valid on its own.
    path
        The scenario file; relative file names (travel matrix, polygons) are resolved next to it.
    origins
        Where each cohort and company row came from, for the messages.
    files
        Where those file names are looked up instead (an upload's file table).
    unread
        The parts that could not be read (the scenario holds the rest): references to them are not reported.

    Returns
    -------
    list of InputProblem
        Every problem found; empty when the scenario hangs together.
    """
    return (identifier_problems(scenario, path, origins)
            + reference_problems(scenario, path, origins, files=files, unread=unread)
            + privacy_problems(scenario, path, origins, unread)[0])


def ignored_control_warnings(scenario: Scenario, path: Path, origins: Origins) -> list[InputProblem]:
    """A warning per BBL cohort row that gives consortium controls (filled down a column): they are ignored."""
    return [InputProblem(*row_origin(origins, "cohorts", i, path.name), ", ".join(cohort.ignored_controls), _(
                "is ignored: BBL cohorts always keep their current period (controls are for BOL cohorts)"))
            for i, cohort in enumerate(scenario.cohorts) if cohort.ignored_controls]


def identifier_problems(scenario: Scenario, path: Path, origins: Origins) -> list[InputProblem]:
    """Identifiers used twice: files refer to each other by id, so every id must be unique."""
    errors: list[InputProblem] = []
    file = path.name
    for name in sorted(_duplicates([a.name for a in scenario.areas])):
        errors.append(InputProblem(file, "areas", "name", _("{name} is listed twice").format(name=repr(name))))
    for name in sorted(_duplicates([i.id for i in scenario.institutions])):
        errors.append(InputProblem(file, "institutions", "id", _("{name} is used twice").format(name=repr(name))))
    location_ids = [loc.id for inst in scenario.institutions for loc in inst.locations]
    for name in sorted(_duplicates(location_ids)):
        errors.append(InputProblem(file, "institutions", "locations.id",
                                   _("{name} is used twice").format(name=repr(name))))
    for table, items in (("cohorts", scenario.cohorts), ("companies", scenario.companies)):
        dupes = _duplicates([item.id for item in items])
        for i, item in enumerate(items):
            if item.id in dupes:
                errors.append(InputProblem(*row_origin(origins, table, i, file), "id",
                                           _("{id} is used by more than one row").format(id=repr(item.id))))
    return errors


class _Findings:
    """Problems in the order found, where all rows that refer to the same missing name make one problem."""

    def __init__(self) -> None:
        self._found: list[InputProblem | tuple[str, str]] = []
        self._referring: dict[tuple[str, str], tuple[str, list[Origin]]] = {}

    def add(self, problem: InputProblem) -> None:
        self._found.append(problem)

    def refers_to_missing(self, origin: Origin, field: str, name: str, message: str) -> None:
        key = (field, name)
        if key not in self._referring:
            self._referring[key] = (message, [])
            self._found.append(key)
        self._referring[key][1].append(origin)

    def problems(self) -> list[InputProblem]:
        return [found if isinstance(found, InputProblem)
                else referring_rows_problem(self._referring[found][1], found[0], self._referring[found][0])
                for found in self._found]


def _not_listed(name: str, listed: Iterable[str], what: str) -> str:
    """``'X' is not <what>`` with a did-you-mean; ``what`` is a text marked with :func:`N_`."""
    close = close_names(name, listed)
    text = _("{name} is not {what}").format(name=repr(name), what=_(what))
    return text + (_(" (did you mean {name}?)").format(name=repr(close[0])) if close else "")


_AN_AREA = N_("one of the scenario's areas")
_A_LOCATION = N_("a location of any institution")
_A_COMPANY = N_("a company in the scenario")


def unknown_area_references(scenario: Scenario, file: str, origins: Origins, unread: Unread | None = None
                            ) -> dict[str, list[Origin]]:
    """Rows (institution locations, companies) that name an area the scenario does not list, per name, in file order.

    Areas that are listed but could not be read (``unread``) count as listed: they are reported themselves.
    """
    known_areas = {a.name for a in scenario.areas} | (unread.areas if unread else set())
    referring: dict[str, list[Origin]] = {}
    for inst_i, inst in enumerate(scenario.institutions):
        for loc_i, loc in enumerate(inst.locations):
            if loc.area not in known_areas:
                referring.setdefault(loc.area, []).append((file, f"institutions[{inst_i}].locations[{loc_i}]"))
    for i, company in enumerate(scenario.companies):
        if company.area not in known_areas:
            referring.setdefault(company.area, []).append(row_origin(origins, "companies", i, file))
    return referring


def reference_problems(
    scenario: Scenario, path: Path, origins: Origins, explained_areas: Collection[str] = (),
    files: ScenarioFiles | None = None, unread: Unread | None = None,
) -> list[InputProblem]:
    """References to areas, locations, weeks, companies and files that do not exist, and windows too short.

    All rows that refer to the same missing area, location or company are one problem, at the
    first of them, naming the others: one misspelt name is one problem, not one per row.

    Parameters
    ----------
    scenario
        The scenario, each row already valid on its own.
    path
        The scenario file; relative file names are resolved next to it.
    origins
        Where each cohort and company row came from, for the messages.
    explained_areas
        Missing area names whose referring rows are already reported under their cause
        (a misspelt place, see :func:`planner.geo.check.unknown_places`).
    files
        Where file names are looked up instead of next to ``path`` (an upload's file table).
    unread
        The parts that could not be read: references to them are not reported again, and without a
        valid calendar no week is checked.

    Returns
    -------
    list of InputProblem
        Every problem found, in the order of the file; empty when all references hold.
    """
    findings = _Findings()
    file = path.name
    unread = unread or Unread()

    def cohort_at(i: int) -> Origin:
        return row_origin(origins, "cohorts", i, file)

    # Locations and companies lie in the scenario's areas.
    known_areas = [a.name for a in scenario.areas]
    for name, rows in unknown_area_references(scenario, file, origins, unread).items():
        if name not in explained_areas:
            for row in rows:
                findings.refers_to_missing(row, "area", name, _not_listed(name, known_areas, _AN_AREA))
    for i, company in enumerate(scenario.companies):
        for week in company.reduced_weeks if not unread.calendar else ():
            if week not in scenario.calendar.week_index:
                findings.add(InputProblem(*row_origin(origins, "companies", i, file), "reduced_weeks",
                                          _("week {week} is outside the school year {span}").format(
                                              week=week, span=f"{scenario.calendar.first_week}.."
                                                              f"{scenario.calendar.last_week}")))

    # Cohorts: known location, weeks inside the year, a window every form fits in.
    calendar = scenario.calendar
    span = "" if unread.calendar else f"{calendar.first_week}..{calendar.last_week}"
    for i, cohort in enumerate(scenario.cohorts):
        where = cohort_at(i)
        if cohort.location not in scenario.locations:
            if cohort.location not in unread.locations:
                findings.refers_to_missing(where, "location", cohort.location, _not_listed(
                    cohort.location, scenario.locations, _A_LOCATION))
            continue
        if not unread.calendar:
            for problem in _window_problems(scenario, i, where, span):
                findings.add(problem)
        if (cohort.pathway == "BBL" and cohort.company not in scenario.company_index
                and cohort.company not in unread.companies):
            findings.refers_to_missing(where, "company", str(cohort.company), _not_listed(
                str(cohort.company), scenario.company_index, _A_COMPANY))

    # Travel and polygon files exist (their contents are geography).
    files = files if files is not None else FolderFiles(path.parent)
    for i, barrier in enumerate(scenario.travel.barriers):
        for name in barrier.between:
            if name not in known_areas and name not in unread.areas:
                findings.refers_to_missing((file, f"travel.barriers[{i}]"), "between", name,
                                           _not_listed(name, known_areas, _AN_AREA))
    matrix_csv = scenario.travel.matrix_csv
    if matrix_csv and not files.exists(matrix_csv):
        findings.add(InputProblem(file, "travel", "matrix_csv",
                                  _("file {file} does not exist").format(file=repr(matrix_csv))))
    if scenario.area_polygons and not files.exists(scenario.area_polygons):
        findings.add(InputProblem(file, None, "area_polygons",
                                  _("file {file} does not exist").format(file=repr(scenario.area_polygons))))
    return findings.problems()


def _window_problems(scenario: Scenario, i: int, where: Origin, span: str) -> list[InputProblem]:
    """A cohort's weeks lie in the school year and its window fits every allowed form and its current period."""
    calendar, cohort = scenario.calendar, scenario.cohorts[i]
    errors = [InputProblem(*where, field_name, _("week {week} is outside the school year {span}").format(
                  week=getattr(cohort, field_name), span=span))
              for field_name in ("earliest_start", "latest_end", "current_start")
              if getattr(cohort, field_name) not in calendar.week_index]
    if errors:
        return errors
    if calendar.week_index[cohort.latest_end] < calendar.week_index[cohort.earliest_start]:
        return [InputProblem(*where, "latest_end", _("{week} is before earliest_start {start}").format(
            week=cohort.latest_end, start=cohort.earliest_start))]
    for form in cohort.parsed_forms:
        if not fitting_starts(scenario, i, form):
            errors.append(InputProblem(
                *where, "forms",
                _("window {window} is too short for {form} ({weeks} weeks outside holidays)").format(
                    window=f"{cohort.earliest_start}..{cohort.latest_end}", form=form, weeks=form.weeks)))
    current = InternshipForm.parse(cohort.current_form)
    starts = {s for s, _ in fitting_starts(scenario, i, current)}
    if calendar.week_index[cohort.current_start] not in starts:
        errors.append(InputProblem(
            *where, "current_start",
            _("the current period ({form} from {start}) does not fit the window {window}").format(
                form=cohort.current_form, start=cohort.current_start,
                window=f"{cohort.earliest_start}..{cohort.latest_end}")))
    return errors
