"""Writing scenario files: YAML or JSON, the two large tables optionally as CSV beside it.

Every file is written atomically, so a crash never leaves half a scenario behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from planner.scenario.model import Cohort, Company, Scenario

# Column order of the CSV tables (also the documented spreadsheet layout).
COHORT_COLUMNS = list(Cohort.model_fields)
COMPANY_COLUMNS = list(Company.model_fields)
# Key order of a written scenario file: settings first, the large tables last.
_DOCUMENT_ORDER = ("name", "description", "calendar", "areas", "area_polygons", "travel", "institutions", "policy",
                   "cohorts", "companies")


def table_cell(value: Any) -> Any:
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
    return {key: document[key] for key in _DOCUMENT_ORDER if key in document}


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
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data = row.model_dump(mode="json")
        writer.writerow({c: table_cell(data.get(c)) for c in columns})
    return buffer.getvalue()


def save_scenario(scenario: Scenario, path: str | os.PathLike[str], tables_as_csv: bool = False) -> Path:
    """Write a scenario as YAML (or JSON by suffix); tables optionally as CSV files beside it.

    All files are written atomically.
    """
    path = Path(path)
    document = scenario_document(scenario, tables_as_csv)
    if tables_as_csv:
        for name, rows, columns in (("cohorts", scenario.cohorts, COHORT_COLUMNS),
                                    ("companies", scenario.companies, COMPANY_COLUMNS)):
            write_atomic(path.parent / f"{name}.csv", table_csv(rows, _used_columns(rows, columns)))
    if path.suffix.lower() == ".json":
        write_atomic(path, json.dumps(document, indent=1, ensure_ascii=False))
    else:
        write_atomic(path, yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120))
    return path


def _used_columns(rows: list[BaseModel], columns: list[str]) -> list[str]:
    """Columns that hold a value in some row (keeps CSVs free of empty optional columns)."""
    used = Counter()
    for row in rows:
        used.update(row.model_dump(exclude_defaults=True).keys())
    return [c for c in columns if used[c]]
