"""Scenario documents written to disk for the loading tests."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml


def write_scenario(folder: Path, document: dict, tables_as_csv: bool = False) -> Path:
    """Write ``document`` as scenario.yaml in ``folder``, its tables optionally as CSV files beside it."""
    if tables_as_csv:
        for name, columns_from in (("cohorts", document["cohorts"]), ("companies", document["companies"])):
            columns = list(dict.fromkeys(key for row in columns_from for key in row))
            with (folder / f"{name}.csv").open("w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for row in columns_from:
                    writer.writerow({k: "|".join(v) if isinstance(v, list) else v for k, v in row.items()})
            document = {**document, name: f"{name}.csv"}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
