"""Reading scenario files, with every input problem reported at once.

A scenario is a YAML or JSON file. Its ``cohorts`` and ``companies`` may be given inline
or as the name of a CSV file or xlsx workbook next to it (see :mod:`planner.scenario.tables`).
Loading never half-succeeds and never writes to the input files: it returns a complete,
checked :class:`~planner.scenario.model.Scenario` or raises :class:`ScenarioError` listing
every problem with its file, row or path, field and what is allowed.

The files a scenario names are looked up through a :class:`~planner.scenario.sources.ScenarioFiles`:
the scenario's folder on the command line, the upload's own file table in the API, which also
hands over the document it has already parsed with its guards (one parse per upload).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from planner.i18n import N_, _
from planner.scenario.calendar import Calendar
from planner.scenario.headers import TABLE_COLUMNS
from planner.scenario.model import (
    Area,
    Cohort,
    Company,
    Institution,
    PlaceGroup,
    Policy,
    Scenario,
    ScenarioSettings,
    Travel,
)
from planner.scenario.problems import InputProblem, ScenarioError, problems_from
from planner.scenario.sources import FolderFiles, ReadLimits, ScenarioFiles, TextDecodeError, decode_text
from planner.scenario.tables import WORKBOOK_SUFFIXES, TableError, fit_columns, read_table
from planner.scenario.validate import Origins, Unread, check_scenario, ignored_control_warnings
from planner.scenario.workbook import Places, workbook_document

TABLES: dict[str, type[BaseModel]] = {"cohorts": Cohort, "companies": Company}
#: What a table holds, in words (for "has no ...").
TABLE_ITEMS = {"cohorts": N_("cohorts"), "companies": N_("learning companies")}
#: Tables a scenario may leave out.
OPTIONAL_TABLES: dict[str, type[BaseModel]] = {"place_groups": PlaceGroup}


@dataclass
class LoadedScenario:
    """A checked scenario plus where it came from and the non-fatal warnings."""

    scenario: Scenario
    path: Path
    warnings: list[InputProblem] = field(default_factory=list)
    origins: Origins = field(default_factory=dict)  # where each table row came from, for messages
    files: ScenarioFiles | None = None  # where the files it names are read; None: next to ``path``

    @property
    def base_dir(self) -> Path:
        """Folder that relative file names in the scenario are resolved against."""
        return self.path.parent


def raw_name(value: Any) -> str | None:
    """The name or id a row that could not be read gives, as the rows that refer to it write it."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value).strip() if isinstance(value, str) else None


def _load_table(
    value: Any, name: str, model: type[BaseModel], scenario_file: Path, files: ScenarioFiles,
    limits: ReadLimits | None, unread: set[str],
) -> tuple[list[Any], list[tuple[str, str | None]], list[InputProblem]]:
    """Validate a table row by row; returns items, their origins (file, where) and problems.

    The ids of rows that cannot be read are added to ``unread``: references to them are not reported again.
    """
    items: list[Any] = []
    origins: list[tuple[str, str | None]] = []
    problems: list[InputProblem] = []
    missing_columns: set[str] = set()
    if isinstance(value, str):
        try:
            table = read_table(value, files, name, scenario_file.name, limits)
        except TableError as err:
            return [], [], [err.problem]
        table, problems, missing_columns = fit_columns(table, model, TABLE_COLUMNS.get(name, ()))
        file, rows, place = table.file, table.rows, table.place
    elif isinstance(value, list):
        file, place = scenario_file.name, None
        rows = [(f"{name}[{i}]", row) for i, row in enumerate(value)]
    else:
        return [], [], [
            InputProblem(scenario_file.name, None, name, _("must be a list of rows or the name of a CSV or xlsx file"))
        ]
    for where, row in rows:
        if not isinstance(row, dict):
            problems.append(InputProblem(file, where, None, _("is not a mapping of fields")))
            continue
        try:
            items.append(model.model_validate(row))
            origins.append((file, where))
        except ValidationError as err:
            problems.extend(problems_from(err, file, where, reported_missing=missing_columns))
            unread.add(raw_name(row.get("id")) or "")
    if not rows and name in TABLE_ITEMS:  # an optional table may be empty
        problems.append(InputProblem(file, place, None, _("has no {table}").format(table=_(TABLE_ITEMS[name]))))
    return items, origins, problems


@dataclass
class ReadParts:
    """What could be read of a scenario: its valid parts, where its rows came from and every problem.

    Attributes
    ----------
    scenario
        The scenario when ``problems`` is empty; else one built (unchecked) from the parts that could be
        read, for the cross-checks to find the rest of the problems in the same run.
    origins
        Where each cohort and company row of ``scenario`` came from.
    problems
        The problems of fields, rows and settings.
    unread
        The names of the parts that could not be read (references to them are not reported again).
    """

    scenario: Scenario
    origins: Origins
    problems: list[InputProblem]
    unread: Unread


def read_parts(path: str | os.PathLike[str], files: ScenarioFiles | None = None, document: Any = None,
               limits: ReadLimits | None = None) -> ReadParts:
    """Read a scenario file and validate each part on its own (fields, rows, settings), keeping what is valid.

    Parameters are those of :func:`read_scenario`.

    Raises
    ------
    ScenarioError
        When the file itself cannot be read (missing, not YAML/JSON, not a mapping): nothing to check further.
    """
    path = Path(path)
    files = files if files is not None else FolderFiles(path.parent)
    problems: list[InputProblem] = []
    places: Places | None = None
    if document is None:
        data = files.read(path.name)
        if data is None:
            raise ScenarioError([InputProblem(str(path), None, None, _("file does not exist"))])
        document, problems, places = _read_document(data, path.name)
    if not isinstance(document, dict):
        raise ScenarioError([InputProblem(path.name, None, None, _("must be a mapping with calendar, areas, ..."))])

    tables: dict[str, list[Any]] = {}
    origins: Origins = {}
    unread = Unread()
    for name, model in TABLES.items():
        if name not in document:
            problems.append(InputProblem(path.name, None, name, _("is required")))
            tables[name], origins[name] = [], []
            continue
        tables[name], origins[name], table_problems = _load_table(
            document[name], name, model, path, files, limits, unread.companies if name == "companies" else set())
        problems.extend(table_problems)

    for name, model in OPTIONAL_TABLES.items():
        if name in document:
            tables[name], origins[name], table_problems = _load_table(document[name], name, model, path, files,
                                                                      limits, set())
            problems.extend(table_problems)

    rest = {k: v for k, v in document.items() if k not in TABLES and k not in OPTIONAL_TABLES}
    try:
        settings = ScenarioSettings.model_validate(rest)
    except ValidationError as err:
        problems.extend(places.relocate(p) if places else p for p in problems_from(err, path.name, None))
        settings = partial_settings(rest, unread)
    if not problems:
        try:
            return ReadParts(Scenario.model_validate({**settings.__dict__, **tables}), origins, problems, unread)
        except ValidationError as err:  # place groups that do not fit their companies
            problems.extend(problems_from(err, path.name, "place_groups"))
    return ReadParts(Scenario.model_construct(**dict(settings), **tables), origins, problems, unread)


def _read_document(data: bytes, name: str) -> tuple[Any, list[InputProblem], Places | None]:
    """The scenario document of a YAML, JSON or workbook file; a workbook's settings sheets' problems and the
    places its settings were read from.

    Raises
    ------
    ScenarioError
        When the file cannot be read as a scenario at all.
    """
    if PurePath(name).suffix.lower() in WORKBOOK_SUFFIXES:
        try:
            return workbook_document(data, name)
        except TableError as err:
            raise ScenarioError([err.problem]) from None
    try:
        text = decode_text(data)
        if name.lower().endswith(".json"):
            return json.loads(text), [], None
        return yaml.safe_load(text), [], None
    except TextDecodeError as err:
        raise ScenarioError([InputProblem(name, None, None, str(err))]) from None
    except (yaml.YAMLError, json.JSONDecodeError, ValueError) as err:
        # ValueError: YAML values that look like impossible dates (2026-13-45).
        raise ScenarioError([InputProblem(name, None, None,
                                          _("is not valid YAML/JSON: {error}").format(error=err))]) from None


def partial_settings(rest: dict[str, Any], unread: Unread) -> ScenarioSettings:
    """The settings' valid parts, unchecked as a whole; the names of areas and locations that are not valid go
    to ``unread``, a calendar that is not valid leaves ``unread.calendar`` set."""
    def valid(model: type[BaseModel], value: Any, default: Any) -> Any:
        try:
            return model.model_validate(value)
        except ValidationError:
            return default

    def valid_items(model: type[BaseModel], key: str, name: Callable[[Any], list[str | None]],
                    names: set[str]) -> list[Any]:
        items = []
        for item in rest[key] if isinstance(rest.get(key), list) else []:
            parsed = valid(model, item, None)
            if parsed is not None:
                items.append(parsed)
            elif isinstance(item, dict):
                names.update(n for n in name(item) if n)
        return items

    calendar = valid(Calendar, rest.get("calendar"), None)
    unread.calendar = calendar is None
    return ScenarioSettings.model_construct(
        name=str(rest.get("name") or ""), description="", calendar=calendar,
        areas=valid_items(Area, "areas", lambda item: [raw_name(item.get("name"))], unread.areas),
        area_polygons=None, travel=valid(Travel, rest.get("travel") or {}, Travel()),
        institutions=valid_items(Institution, "institutions", lambda item: [
            raw_name(loc.get("id")) for loc in item.get("locations") or [] if isinstance(loc, dict)],
            unread.locations),
        policy=valid(Policy, rest.get("policy") or {}, Policy()))


def read_scenario(path: str | os.PathLike[str], files: ScenarioFiles | None = None, document: Any = None,
                  limits: ReadLimits | None = None) -> tuple[Scenario, Origins]:
    """Read a scenario file and validate each part on its own (fields, rows, settings).

    Parameters
    ----------
    path
        The scenario file (YAML or JSON, tables inline, as CSV or as xlsx; or a workbook, see
        :mod:`planner.scenario.workbook`).
    files
        Where the scenario file and the files it names are read; by default the scenario's
        folder (:class:`~planner.scenario.sources.FolderFiles`). Uploads pass their own file table.
    document
        The scenario document when the caller has already parsed it (uploads, with their guards);
        then it is not read again.
    limits
        Row and workbook limits checked while the tables are read (uploads).

    Returns
    -------
    tuple of Scenario and Origins
        The scenario, and where each cohort and company row came from (for messages of
        the cross-checks that follow).

    Raises
    ------
    ScenarioError
        With every problem found, when the file cannot be read or any part is invalid.
    """
    parts = read_parts(path, files, document, limits)
    if parts.problems:
        raise ScenarioError(parts.problems)
    return parts.scenario, parts.origins


def load_scenario(path: str | os.PathLike[str]) -> LoadedScenario:
    """Load a scenario file and run the structural checks (ids, references, weeks, windows).

    Place names, travel files and who can reach whom are geography: the full load that
    checks those too is :func:`planner.geo.load_scenario`.

    Parameters
    ----------
    path
        The scenario file (YAML or JSON, tables inline, as CSV or as xlsx).

    Returns
    -------
    LoadedScenario
        The scenario (the structural checks give no warnings).

    Raises
    ------
    ScenarioError
        With every problem found, when anything is wrong.
    """
    path = Path(path)
    parts = read_parts(path)
    errors = parts.problems + check_scenario(parts.scenario, path, parts.origins, unread=parts.unread)
    if errors:
        raise ScenarioError(errors)
    return LoadedScenario(parts.scenario, path, ignored_control_warnings(parts.scenario, path, parts.origins),
                          origins=parts.origins)
