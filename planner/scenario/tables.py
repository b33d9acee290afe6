"""The two large tables of a scenario (cohorts, companies) read from a CSV file or an xlsx sheet.

Consortia keep these tables in spreadsheets: a scenario names ``cohorts.csv``, a workbook
``tables.xlsx`` (the sheet named after the table) or a sheet ``tables.xlsx#Blad1``. The header
is checked once for the whole table, so a missing or misspelt column is one problem, not one
per row. Cell values are passed on as written; the models read them (:mod:`planner.scenario.spelling`).
"""

from __future__ import annotations

import csv
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel

from planner.i18n import _
from planner.scenario.problems import InputProblem, close_names

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Table:
    """The rows of one table file: each row's place (``row 7``, ``sheet cohorts row 7``) and its filled cells."""

    file: str
    sheet: str | None
    columns: list[str]
    rows: list[tuple[str, dict[str, Any]]]

    @property
    def place(self) -> str | None:
        """The sheet of a workbook (``sheet cohorts``); a CSV file is all one table."""
        return f"sheet {self.sheet}" if self.sheet else None

    @property
    def header_where(self) -> str:
        """Where the header is, for the messages about columns."""
        return f"{self.place} row 1" if self.place else "row 1"


class TableError(Exception):
    """A table file that cannot be read at all."""

    def __init__(self, problem: InputProblem):
        self.problem = problem
        super().__init__(str(problem))


def read_table(reference: str, folder: Path, table: str, scenario_file: str) -> Table:
    """Read the table a scenario names, as ``file.csv``, ``file.xlsx`` or ``file.xlsx#sheet``.

    Parameters
    ----------
    reference
        The file name as written in the scenario, relative to ``folder``.
    folder
        The scenario file's folder.
    table
        ``cohorts`` or ``companies``: the default sheet name of a workbook.
    scenario_file
        The scenario file's name, for the message when the table file does not exist.

    Raises
    ------
    TableError
        When the file does not exist or cannot be read as a table.
    """
    name, _hash, sheet = reference.partition("#")
    path = folder / name
    if not path.is_file():
        raise TableError(InputProblem(scenario_file, None, table,
                                      _("table file {file} does not exist").format(file=repr(name))))
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        read = _read_sheet(path, name, sheet or table)
    elif sheet:
        raise TableError(InputProblem(scenario_file, None, table,
                                      _("{reference} names a sheet, but only .xlsx workbooks have sheets").format(
                                          reference=repr(reference))))
    elif path.suffix.lower() == ".xls":
        raise TableError(InputProblem(name, None, None, _("is an old .xls workbook; save it as .xlsx or CSV")))
    else:
        read = _read_csv(path, name)
    if not any(read.columns):
        raise TableError(InputProblem(read.file, read.place, None, _(
            "is empty; it needs a header row with the {table} columns and a row per item").format(table=table)))
    return read


def _cells(row: dict[str, Any]) -> dict[str, Any]:
    """The filled cells of a row; empty cells count as not given."""
    return {key: (value.strip() if isinstance(value, str) else value) for key, value in row.items()
            if value is not None and not (isinstance(value, str) and not value.strip())}


def _read_csv(path: Path, file: str) -> Table:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            # Decide on the header alone: cells (reduced weeks) may hold semicolons themselves.
            header = sample.splitlines()[0] if sample else ""
            delimiter = ";" if header.count(";") > header.count(",") and "\t" not in header else ","
            reader = csv.reader(handle, delimiter=delimiter)
            lines = list(reader)
    except (UnicodeDecodeError, csv.Error) as err:
        message = _("is not a readable UTF-8 CSV file ({error})").format(error=err)
        raise TableError(InputProblem(file, None, None, message)) from None
    columns = [cell.strip() for cell in lines[0]] if lines else []
    return Table(file, None, columns, list(_rows(file, columns, enumerate(lines[1:], start=2), "row")))


def _read_sheet(path: Path, file: str, sheet: str) -> Table:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it skips (data validation, styles); cells are what count.
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        message = _("is not a readable xlsx workbook ({error})").format(error=err)
        raise TableError(InputProblem(file, None, None, message)) from None
    try:
        names = {name.casefold(): name for name in workbook.sheetnames}
        if sheet.casefold() not in names:
            raise TableError(InputProblem(file, None, None, _("has no sheet {sheet}; its sheets: {sheets}").format(
                sheet=repr(sheet), sheets=", ".join(workbook.sheetnames))))
        sheet = names[sheet.casefold()]
        lines = list(workbook[sheet].iter_rows(values_only=True))
    finally:
        workbook.close()
    columns = [str(cell).strip() if cell is not None else "" for cell in lines[0]] if lines else []
    # Spreadsheets keep formatted but empty rows below the table: they are not rows.
    filled = ((number, line) for number, line in enumerate(lines[1:], start=2) if any(
        cell is not None and str(cell).strip() for cell in line))
    return Table(file, sheet, columns, list(_rows(file, columns, filled, f"sheet {sheet} row")))


def _rows(file: str, columns: list[str], lines: Iterator[tuple[int, Any]], label: str
          ) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in lines:
        cells = list(line)
        extra = cells[len(columns):] + [cell for column, cell in zip(columns, cells, strict=False) if not column]
        if any(cell is not None and str(cell).strip() for cell in extra):
            raise TableError(InputProblem(file, f"{label} {number}", None, _("has more cells than the header")))
        yield f"{label} {number}", _cells({c: v for c, v in zip(columns, cells, strict=False) if c})


def fit_columns(table: Table, model: type[BaseModel]) -> tuple[Table, list[InputProblem], set[str]]:
    """Check a table's header against its model's fields, once for the whole table.

    Column names are matched regardless of case and of spaces for underscores. An unknown
    column is one problem (with a did-you-mean when it looks like a field), a missing required
    column is one problem; a misspelt required column is one problem, not two.

    Returns
    -------
    tuple of Table, list of InputProblem and set of str
        The table with its columns named as the model's fields and unknown columns left
        out; the header problems; the required fields that no column gives (their absence
        in each row is then not reported again).
    """
    fields = model.model_fields
    by_spelling = {name.casefold(): name for name in fields}
    renamed = {column: by_spelling.get(column.casefold().replace(" ", "_")) for column in table.columns if column}
    given = {field for field in renamed.values() if field}
    required = [name for name, info in fields.items() if info.is_required() and name not in given]
    problems: list[InputProblem] = []
    explained: set[str] = set()
    for column, field in renamed.items():
        if field is None:
            close = close_names(column, [name for name in fields if name not in given])
            hint = _(" (did you mean {name}?)").format(name=repr(close[0])) if close else ""
            explained.update(close)
            problems.append(InputProblem(table.file, table.header_where, column,
                                         _("is not a known column{hint}; allowed: {allowed}").format(
                                             hint=hint, allowed=", ".join(fields))))
    for name in required:
        if name not in explained:
            problems.append(InputProblem(table.file, table.header_where, name,
                                         _("required column is missing from the header")))
    rows = [(where, {renamed[c]: v for c, v in cells.items() if renamed.get(c)}) for where, cells in table.rows]
    return Table(table.file, table.sheet, sorted(given), rows), problems, set(required)
