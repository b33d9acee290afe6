"""The two large tables of a scenario (cohorts, companies) read from a CSV file or an xlsx sheet.

Consortia keep these tables in spreadsheets: a scenario names ``cohorts.csv``, a workbook
``tables.xlsx`` (the sheet named after the table) or a sheet ``tables.xlsx#Blad1``. The header
is checked once for the whole table, so a missing or misspelt column is one problem, not one
per row. Cell values are passed on as written; the models read them (:mod:`planner.scenario.spelling`).
"""

from __future__ import annotations

import csv
import io
import itertools
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel

from planner.i18n import _, fmt_int, fmt_num
from planner.scenario.problems import InputProblem, close_names
from planner.scenario.sources import ReadLimits, ScenarioFiles, TextDecodeError, decode_text

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
BYTES_PER_MB = 1024 * 1024
#: Members smaller than this are not judged by their packing ratio (a few kB of repeated XML packs well).
RATIO_FLOOR_BYTES = 1024 * 1024


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


def read_table(reference: str, files: ScenarioFiles, table: str, scenario_file: str,
               limits: ReadLimits | None = None) -> Table:
    """Read the table a scenario names, as ``file.csv``, ``file.xlsx`` or ``file.xlsx#sheet``.

    Parameters
    ----------
    reference
        The file name as written in the scenario.
    files
        The scenario's files (a folder, or an upload's own file table) that ``reference`` is looked up in.
    table
        ``cohorts`` or ``companies``: the default sheet name of a workbook.
    scenario_file
        The scenario file's name, for the message when the table file does not exist.
    limits
        Row and workbook limits, checked while reading (uploads); None reads any size.

    Raises
    ------
    TableError
        When the file does not exist, cannot be read as a table or breaks a limit.
    """
    limits = limits or ReadLimits()
    name, _hash, sheet = reference.partition("#")
    data = files.read(name)
    if data is None:
        raise TableError(InputProblem(scenario_file, None, table,
                                      _("table file {file} does not exist").format(file=repr(name))))
    suffix = PurePath(name).suffix.lower()
    max_rows = limits.max_rows.get(table)
    if suffix in WORKBOOK_SUFFIXES:
        read = _read_sheet(data, name, sheet or table, table, max_rows, limits)
    elif sheet:
        raise TableError(InputProblem(scenario_file, None, table,
                                      _("{reference} names a sheet, but only .xlsx workbooks have sheets").format(
                                          reference=repr(reference))))
    elif suffix == ".xls":
        raise TableError(InputProblem(name, None, None, _("is an old .xls workbook; save it as .xlsx or CSV")))
    else:
        read = _read_csv(data, name, table, max_rows)
    if not any(read.columns):
        raise TableError(InputProblem(read.file, read.place, None, _(
            "is empty; it needs a header row with the {table} columns and a row per item").format(table=table)))
    return read


def _cells(row: dict[str, Any]) -> dict[str, Any]:
    """The filled cells of a row; empty cells count as not given."""
    return {key: (value.strip() if isinstance(value, str) else value) for key, value in row.items()
            if value is not None and not (isinstance(value, str) and not value.strip())}


def _too_many_rows(file: str, place: str | None, table: str, limit: int) -> TableError:
    return TableError(InputProblem(file, place, None, _(
        "has more than {limit} rows; at most {limit} are accepted (limit max_{table})").format(
        limit=fmt_int(limit), table=table)))


def _limited(lines: Iterable[Any], max_rows: int | None, file: str, place: str | None, table: str) -> list[Any]:
    """The header and rows of a table, stopping at the first row beyond ``max_rows`` (which is refused)."""
    if max_rows is None:
        return list(lines)
    kept = list(itertools.islice(lines, max_rows + 2))  # the header, the rows allowed and one more
    if len(kept) > max_rows + 1:
        raise _too_many_rows(file, place, table, max_rows)
    return kept


def _read_csv(data: bytes, file: str, table: str, max_rows: int | None = None) -> Table:
    try:
        text = decode_text(data)
    except TextDecodeError as err:
        raise TableError(InputProblem(file, None, None, str(err))) from None
    # Decide on the header alone: cells (reduced weeks) may hold semicolons themselves.
    header = text[:4096].splitlines()[0] if text else ""
    delimiter = ";" if header.count(";") > header.count(",") and "\t" not in header else ","
    try:
        lines = _limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), max_rows, file, None, table)
    except csv.Error as err:
        message = _("is not a readable CSV file ({error})").format(error=err)
        raise TableError(InputProblem(file, None, None, message)) from None
    columns = [cell.strip() for cell in lines[0]] if lines else []
    return Table(file, None, columns, list(_rows(file, columns, enumerate(lines[1:], start=2), "row")))


def check_zip_directory(data: bytes, file: str, limits: ReadLimits) -> None:
    """Refuse a workbook whose zip directory promises an absurd amount of data, before anything is unpacked.

    Python's zip reader never yields more than a member's declared size, so the directory bounds the work.
    """
    if limits.max_unpacked_bytes is None and limits.max_unpack_ratio is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise TableError(InputProblem(file, None, None, _("is not a readable xlsx workbook ({error})").format(
            error=err))) from None
    unpacked = sum(member.file_size for member in members)
    if limits.max_unpacked_bytes is not None and unpacked > limits.max_unpacked_bytes:
        raise TableError(InputProblem(file, None, None, _(
            "would unpack to {size} MB; at most {limit} MB are accepted (limit max_xlsx_unpacked_mb)").format(
            size=fmt_num(unpacked / BYTES_PER_MB), limit=fmt_num(limits.max_unpacked_bytes / BYTES_PER_MB))))
    if limits.max_unpack_ratio is not None:
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_unpack_ratio:
                raise TableError(InputProblem(file, None, None, _(
                    "has a part that unpacks to {ratio} times its packed size; at most {limit} times is accepted "
                    "(a zip bomb?)").format(ratio=fmt_int(int(ratio)), limit=fmt_int(int(limits.max_unpack_ratio)))))


def _read_sheet(data: bytes, file: str, sheet: str, table: str, max_rows: int | None = None,
                limits: ReadLimits | None = None) -> Table:
    check_zip_directory(data, file, limits or ReadLimits())
    unreadable = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it skips (data validation, styles); cells are what count.
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as err:
        message = _("is not a readable xlsx workbook ({error})").format(error=err)
        raise TableError(InputProblem(file, None, None, message)) from None
    try:
        names = {name.casefold(): name for name in workbook.sheetnames}
        if sheet.casefold() not in names:
            raise TableError(InputProblem(file, None, None, _("has no sheet {sheet}; its sheets: {sheets}").format(
                sheet=repr(sheet), sheets=", ".join(workbook.sheetnames))))
        sheet = names[sheet.casefold()]
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()  # every row the sheet holds, not only those its (writer's) dimension claims
        # Streamed (read-only mode); formatted but empty rows below the table are not rows, so not counted.
        numbered = ((number, line) for number, line in enumerate(worksheet.iter_rows(values_only=True), 1)
                    if number == 1 or any(cell is not None and str(cell).strip() for cell in line))
        lines = _limited(numbered, max_rows, file, f"sheet {sheet}", table)
    except unreadable as err:
        message = _("is not a readable xlsx workbook ({error})").format(error=err)
        raise TableError(InputProblem(file, None, None, message)) from None
    finally:
        workbook.close()
    columns = [str(cell).strip() if cell is not None else "" for cell in lines[0][1]] if lines else []
    return Table(file, sheet, columns, list(_rows(file, columns, iter(lines[1:]), f"sheet {sheet} row")))


def _rows(file: str, columns: list[str], lines: Iterator[tuple[int, Any]], label: str
          ) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in lines:
        cells = list(line)
        extra = cells[len(columns):] + [cell for column, cell in zip(columns, cells, strict=False) if not column]
        if any(cell is not None and str(cell).strip() for cell in extra):
            raise TableError(InputProblem(file, f"{label} {number}", None, _("has more cells than the header")))
        yield f"{label} {number}", _cells({c: v for c, v in zip(columns, cells, strict=False) if c})


#: Dutch column names read as the field they stand for.
DUTCH_COLUMNS = {"erkenningen": "recognitions"}


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
    by_spelling.update({dutch: name for dutch, name in DUTCH_COLUMNS.items() if name in fields})
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
