"""Reading and writing scenario files, with every input problem reported at once.

A scenario is a YAML or JSON file. Its ``cohorts`` and ``companies`` may be given inline
or as the name of a CSV file next to it (consortia keep those tables in spreadsheets).
Loading never half-succeeds and never writes to the input files: it returns a complete,
checked :class:`~planner.scenario.Scenario` or raises :class:`ScenarioError` listing every
problem with its file, row or path, field and what is allowed.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from planner.scenario.problems import InputProblem, ScenarioError
from planner.scenario.validate import check_scenario
from planner.scenario.model import (
    LEVELS,
    SECTOR_CHAMBERS,
    Cohort,
    Company,
    InternshipForm,
    Scenario,
    ScenarioSettings,
)

TABLES: dict[str, type[BaseModel]] = {"cohorts": Cohort, "companies": Company}

# Column order of the CSV tables (also the documented spreadsheet layout).
COHORT_COLUMNS = list(Cohort.model_fields)
COMPANY_COLUMNS = list(Company.model_fields)


@dataclass
class LoadedScenario:
    """A checked scenario plus where it came from and the non-fatal warnings."""

    scenario: Scenario
    path: Path
    warnings: list[InputProblem] = field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        """Folder that relative file names in the scenario are resolved against."""
        return self.path.parent


def _describe(value: Any) -> str:
    return "nothing" if value is None else repr(value)


def _expected_list(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def _message(error: dict[str, Any]) -> str:
    """Turn one pydantic error into a plain sentence about the value."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "literal_error":
        return f"{_describe(value)} is not one of {_expected_list(ctx['expected'])}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_describe(value)} is not a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"{_describe(value)} is not a number"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{value} must be {'at least' if kind == 'greater_than_equal' else 'above'} {bound}"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return f"{value} must be {'at most' if kind == 'less_than_equal' else 'below'} {bound}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == r"^\d{5}$":
        return f"{_describe(value)} is not a five-digit crebo code"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind == "list_type":
        return f"{_describe(value)} is not a list"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{_describe(value)} is not a mapping of fields"
    if kind == "string_type":
        return f"{_describe(value)} is not text"
    return error["msg"]


def _loc_text(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def problems_from(error: ValidationError, file: str, where: str | None, prefix: str = "") -> list[InputProblem]:
    """Convert a pydantic ValidationError into InputProblems."""
    problems = []
    for err in error.errors():
        loc = _loc_text(err["loc"])
        if prefix:
            loc = f"{prefix}.{loc}" if loc else prefix
        problems.append(InputProblem(file, where, loc or None, _message(err)))
    return problems


def _read_document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    return yaml.safe_load(text)


def _blank_to_none(row: dict[str, Any]) -> dict[str, Any]:
    return {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k is not None and v not in ("", None)}


def _read_table_rows(path: Path, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        # Decide on the header alone: cells (reduced weeks) may hold semicolons themselves.
        header = sample.splitlines()[0] if sample else ""
        delimiter = ";" if header.count(";") > header.count(",") and "\t" not in header else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        for number, row in enumerate(reader, start=2):
            if None in row:
                raise _RowShapeError(f"row {number}", f"has more cells than the header of {name}")
            yield f"row {number}", _blank_to_none(row)


class _RowShapeError(Exception):
    def __init__(self, where: str, message: str):
        self.where, self.message = where, message


def _load_table(
    value: Any, name: str, model: type[BaseModel], scenario_file: Path
) -> tuple[list[Any], list[tuple[str, str | None]], list[InputProblem]]:
    """Validate a table row by row; returns items, their origins (file, where) and problems."""
    items: list[Any] = []
    origins: list[tuple[str, str | None]] = []
    problems: list[InputProblem] = []
    if isinstance(value, str):
        table_path = scenario_file.parent / value
        file = value
        if not table_path.is_file():
            return [], [], [InputProblem(scenario_file.name, None, name, f"table file {value!r} does not exist")]
        try:
            rows = list(_read_table_rows(table_path, value))
        except _RowShapeError as err:
            return [], [], [InputProblem(file, err.where, None, err.message)]
        except (UnicodeDecodeError, csv.Error) as err:
            return [], [], [InputProblem(file, None, None, f"is not a readable UTF-8 CSV file ({err})")]
        if rows:
            unknown = sorted(set().union(*(row.keys() for _, row in rows)) - set(model.model_fields))
            if unknown:
                allowed = ", ".join(model.model_fields)
                return [], [], [
                    InputProblem(file, "row 1", column, f"is not a known column; allowed: {allowed}")
                    for column in unknown
                ]
    elif isinstance(value, list):
        file = scenario_file.name
        rows = [(f"{name}[{i}]", row) for i, row in enumerate(value)]
    else:
        return [], [], [
            InputProblem(scenario_file.name, None, name, "must be a list of rows or the name of a CSV file")
        ]
    for where, row in rows:
        if not isinstance(row, dict):
            problems.append(InputProblem(file, where, None, "is not a mapping of fields"))
            continue
        try:
            items.append(model.model_validate(row))
            origins.append((file, where))
        except ValidationError as err:
            problems.extend(problems_from(err, file, where))
    if not rows:
        problems.append(InputProblem(file, None, None, f"has no {name}"))
    return items, origins, problems


def load_scenario(path: str | os.PathLike[str], check_geography: bool = True) -> LoadedScenario:
    """Load and check a scenario file (YAML or JSON, tables inline or as CSV).

    Parameters
    ----------
    path
        The scenario file.
    check_geography
        Also check place names, travel files and whether every cohort can reach some
        company (needs the embedded place list; on by default).

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
    if not path.is_file():
        raise ScenarioError([InputProblem(str(path), None, None, "file does not exist")])
    try:
        document = _read_document(path)
    except (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError, ValueError) as err:
        # ValueError: YAML values that look like impossible dates (2026-13-45).
        raise ScenarioError([InputProblem(path.name, None, None, f"is not valid YAML/JSON: {err}")]) from None
    if not isinstance(document, dict):
        raise ScenarioError([InputProblem(path.name, None, None, "must be a mapping with calendar, areas, ...")])

    problems: list[InputProblem] = []
    tables: dict[str, list[Any]] = {}
    origins: dict[str, list[tuple[str, str | None]]] = {}
    for name, model in TABLES.items():
        if name not in document:
            problems.append(InputProblem(path.name, None, name, "is required"))
            tables[name], origins[name] = [], []
            continue
        tables[name], origins[name], table_problems = _load_table(document[name], name, model, path)
        problems.extend(table_problems)

    rest = {k: v for k, v in document.items() if k not in TABLES}
    try:
        settings = ScenarioSettings.model_validate(rest)
    except ValidationError as err:
        problems.extend(problems_from(err, path.name, None))
    if problems:
        raise ScenarioError(problems)
    scenario = Scenario.model_validate({**settings.__dict__, **tables})

    errors, warnings = check_scenario(scenario, path, origins, check_geography=check_geography)
    if errors:
        raise ScenarioError(errors)
    return LoadedScenario(scenario, path, warnings)


def scenario_from_dict(document: dict[str, Any], name: str = "scenario.yaml") -> LoadedScenario:
    """Load a scenario given as a mapping (tables inline), e.g. from an HTTP request."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        text = (json.dumps(document, ensure_ascii=False) if path.suffix.lower() == ".json"
                else yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
        path.write_text(text, encoding="utf-8")
        loaded = load_scenario(path)
    return LoadedScenario(loaded.scenario, Path(name), loaded.warnings)


# ---------------------------------------------------------------- writing


def _table_cell(value: Any) -> Any:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    return "" if value is None else value


def scenario_document(scenario: Scenario, tables_as_csv: bool = False) -> dict[str, Any]:
    """The scenario as a plain mapping ready for YAML/JSON (defaults left out)."""
    document = scenario.model_dump(mode="json", exclude_defaults=True)
    document["calendar"] = scenario.calendar.model_dump(mode="json")
    document["policy"] = scenario.policy.model_dump(mode="json")
    if tables_as_csv:
        document["cohorts"] = "cohorts.csv"
        document["companies"] = "companies.csv"
    # Keep a readable key order.
    order = ["name", "description", "calendar", "areas", "area_polygons", "travel", "institutions", "policy", "cohorts", "companies"]
    return {key: document[key] for key in order if key in document}


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file via a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        # mkstemp makes the file private; give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def table_csv(rows: list[BaseModel], columns: list[str]) -> str:
    """Render model rows as CSV text (lists joined with '|')."""
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data = row.model_dump(mode="json")
        writer.writerow({c: _table_cell(data.get(c)) for c in columns})
    return buffer.getvalue()


def save_scenario(scenario: Scenario, path: str | os.PathLike[str], tables_as_csv: bool = False) -> Path:
    """Write a scenario as YAML (or JSON by suffix); tables optionally as CSV files beside it.

    All files are written atomically.
    """
    path = Path(path)
    document = scenario_document(scenario, tables_as_csv)
    if tables_as_csv:
        write_atomic(path.parent / "cohorts.csv", table_csv(scenario.cohorts, _used_columns(scenario.cohorts, COHORT_COLUMNS)))
        write_atomic(path.parent / "companies.csv", table_csv(scenario.companies, _used_columns(scenario.companies, COMPANY_COLUMNS)))
    if path.suffix.lower() == ".json":
        write_atomic(path, json.dumps(document, indent=1, ensure_ascii=False))
    else:
        write_atomic(path, yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120))
    return path


def _used_columns(rows: list[BaseModel], columns: list[str]) -> list[str]:
    """Columns that hold a value in some row (keeps CSVs free of empty optional columns)."""
    used = Counter()
    for row in rows:
        for key, value in row.model_dump(exclude_defaults=True).items():
            used[key] += 1
    return [c for c in columns if used[c]]


def allowed_values_help() -> str:
    """A short text listing the codes files may use (for --help and docs)."""
    return (
        "sectors: " + ", ".join(f"{code} ({name})" for code, name in SECTOR_CHAMBERS.items())
        + "; levels: " + ", ".join(LEVELS)
        + "; forms: " + ", ".join(str(InternshipForm.parse(f)) for f in ("block:10", "line:2x30"))
    )
