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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from planner.i18n import _
from planner.scenario.model import Cohort, Company, PlaceGroup, Scenario, ScenarioSettings
from planner.scenario.problems import InputProblem, ScenarioError, problems_from
from planner.scenario.sources import FolderFiles, ReadLimits, ScenarioFiles, TextDecodeError, decode_text
from planner.scenario.tables import TableError, fit_columns, read_table
from planner.scenario.validate import Origins, check_scenario

TABLES: dict[str, type[BaseModel]] = {"cohorts": Cohort, "companies": Company}
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


def _read_document(data: bytes, name: str) -> Any:
    text = decode_text(data)
    if name.lower().endswith(".json"):
        return json.loads(text)
    return yaml.safe_load(text)


def _load_table(
    value: Any, name: str, model: type[BaseModel], scenario_file: Path, files: ScenarioFiles,
    limits: ReadLimits | None,
) -> tuple[list[Any], list[tuple[str, str | None]], list[InputProblem]]:
    """Validate a table row by row; returns items, their origins (file, where) and problems."""
    items: list[Any] = []
    origins: list[tuple[str, str | None]] = []
    problems: list[InputProblem] = []
    missing_columns: set[str] = set()
    if isinstance(value, str):
        try:
            table = read_table(value, files, name, scenario_file.name, limits)
        except TableError as err:
            return [], [], [err.problem]
        table, problems, missing_columns = fit_columns(table, model)
        file, rows = table.file, table.rows
    elif isinstance(value, list):
        file = scenario_file.name
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
    if not rows:
        problems.append(InputProblem(file, None, None, _("has no {table}").format(table=name)))
    return items, origins, problems


def read_scenario(path: str | os.PathLike[str], files: ScenarioFiles | None = None, document: Any = None,
                  limits: ReadLimits | None = None) -> tuple[Scenario, Origins]:
    """Read a scenario file and validate each part on its own (fields, rows, settings).

    Parameters
    ----------
    path
        The scenario file (YAML or JSON, tables inline, as CSV or as xlsx).
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
    path = Path(path)
    files = files if files is not None else FolderFiles(path.parent)
    if document is None:
        data = files.read(path.name)
        if data is None:
            raise ScenarioError([InputProblem(str(path), None, None, _("file does not exist"))])
        try:
            document = _read_document(data, path.name)
        except TextDecodeError as err:
            raise ScenarioError([InputProblem(path.name, None, None, str(err))]) from None
        except (yaml.YAMLError, json.JSONDecodeError, ValueError) as err:
            # ValueError: YAML values that look like impossible dates (2026-13-45).
            raise ScenarioError([InputProblem(path.name, None, None,
                                                _("is not valid YAML/JSON: {error}").format(error=err))]) from None
    if not isinstance(document, dict):
        raise ScenarioError([InputProblem(path.name, None, None, _("must be a mapping with calendar, areas, ..."))])

    problems: list[InputProblem] = []
    tables: dict[str, list[Any]] = {}
    origins: Origins = {}
    for name, model in TABLES.items():
        if name not in document:
            problems.append(InputProblem(path.name, None, name, _("is required")))
            tables[name], origins[name] = [], []
            continue
        tables[name], origins[name], table_problems = _load_table(document[name], name, model, path, files, limits)
        problems.extend(table_problems)

    for name, model in OPTIONAL_TABLES.items():
        if name in document:
            tables[name], origins[name], table_problems = _load_table(document[name], name, model, path, files, limits)
            problems.extend(table_problems)

    rest = {k: v for k, v in document.items() if k not in TABLES and k not in OPTIONAL_TABLES}
    try:
        settings = ScenarioSettings.model_validate(rest)
    except ValidationError as err:
        problems.extend(problems_from(err, path.name, None))
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate({**settings.__dict__, **tables}), origins
    except ValidationError as err:  # place groups that do not fit their companies
        raise ScenarioError(problems_from(err, path.name, "place_groups")) from None


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
    scenario, origins = read_scenario(path)
    errors = check_scenario(scenario, path, origins)
    if errors:
        raise ScenarioError(errors)
    return LoadedScenario(scenario, path, origins=origins)
