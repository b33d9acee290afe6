"""A whole scenario as one xlsx workbook, as a consortium keeps it: a sheet per table, instructions, drop-downs.

``stageplanner template`` writes an empty workbook, ``stageplanner export`` writes any scenario in
that form, and a workbook is a scenario file of its own: ``validate``, ``solve`` and the web upload
read it (:func:`workbook_document`) and give the same scenario back. The sheets:

* ``Toelichting``: what goes where (instructions);
* ``Scenario``: the settings, a row per setting (name, school year, holiday rule, policy);
* ``Vakanties``, ``Gebieden``, ``Vestigingen``, ``Barrieres``: holiday weeks, areas, institution
  locations and travel barriers, a row each;
* ``Cohorten`` and ``Leerbedrijven``: the two large tables, read like a CSV file
  (:mod:`planner.scenario.tables`, headers from :mod:`planner.scenario.headers`);
* ``Lijsten``: the allowed codes that the drop-downs offer.

Headers are Dutch (the field names with ``--lang en``); both are read, in any case.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from planner.codes import DAYS_PER_WEEK, HOLIDAY_REGIONS, LEVELS, PATHWAYS, SECTOR_LABELS, TRAVEL_MODES
from planner.i18n import N_, _, current_language
from planner.scenario.calendar import InternshipForm
from planner.scenario.headers import TABLE_COLUMNS, Column, header_index, header_key
from planner.scenario.model import Policy, Scenario
from planner.scenario.problems import InputProblem
from planner.scenario.tables import TableError
from planner.scenario.write import table_cell

#: Sheet names (the same in every language; read regardless of case, also by their English names).
INSTRUCTIONS, SETTINGS, HOLIDAYS, AREAS, LOCATIONS, BARRIERS, COHORTS, COMPANIES, PLACE_GROUPS, LISTS = (
    "Toelichting", "Scenario", "Vakanties", "Gebieden", "Vestigingen", "Barrieres", "Cohorten", "Leerbedrijven",
    "Plaatsgroepen", "Lijsten")
SHEET_ALIASES = {COHORTS: "cohorts", COMPANIES: "companies", HOLIDAYS: "holidays", AREAS: "areas",
                 LOCATIONS: "locations", BARRIERS: "barriers", SETTINGS: "settings", PLACE_GROUPS: "place groups"}
#: Rows below the header that carry the drop-downs in a template (and beyond the last row of an export).
VALIDATED_ROWS = 2000
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

#: Settings of the Scenario sheet: (path in the scenario document, Dutch name, help).
SETTINGS_ROWS: tuple[tuple[str, str, str], ...] = (
    ("name", "naam", N_("Name of the scenario.")),
    ("description", "beschrijving", N_("What the scenario is about (optional).")),
    ("calendar.first_week", "eerste week", N_("First week of the school year (ISO week, e.g. 2026-W36).")),
    ("calendar.last_week", "laatste week", N_("Last week of the school year (ISO week, e.g. 2027-W28).")),
    ("calendar.holiday_rule", "vakantieregel", N_("paused: an internship pauses in holidays; blocked: no holiday "
                                                  "week inside an internship period.")),
    ("area_polygons", "gebiedspolygonen", N_("Optional GeoJSON file with a polygon per area.")),
    ("travel.matrix_csv", "reistijdmatrix", N_("Optional CSV file (from,to,mode,minutes) with travel times.")),
    ("policy.default_max_travel_minutes", "standaard max reistijd", N_("Travel-time limit in minutes of cohorts "
                                                                       "without their own.")),
    ("policy.default_travel_mode", "standaard vervoer", N_("bike, pt (public transport) or car.")),
    ("policy.level_weights", "niveaugewichten", N_("Weight of a student without a place per level, e.g. "
                                                   "entree:3|2:2|3:1|4:1.")),
    ("policy.sector_weights", "sectorgewichten", N_("Extra weight per sector chamber, e.g. zorg:1,5.")),
    ("policy.then_minimise", "daarna minimaliseren", N_("After the shortage, in order: changes, travel, balance.")),
    ("policy.min_wave_students", "min studenten per golf",
     N_("A split cohort's waves hold at least this many students (or the whole cohort when smaller); 0: no minimum.")),
    ("policy.min_weeks_between_waves", "min weken tussen golven",
     N_("A split cohort's waves start at least this many weeks apart; 0: no minimum.")),
    ("policy.no_cell_worse_than_status_quo", "geen cel slechter dan status quo",
     N_("ja: no cell (sector chamber x pathway x level) ends with more students without a place than in the "
        "status quo.")),
)


@dataclass(frozen=True)
class SmallTable:
    """A sheet of the settings with a row per item: its columns (field, Dutch header, help)."""

    sheet: str
    columns: tuple[Column, ...]
    help: str


SMALL_TABLES: tuple[SmallTable, ...] = (
    SmallTable(HOLIDAYS, (
        Column("region", "vakantieregio", N_("Holiday region: noord, midden or zuid."), ("regio",), "holiday_regions"),
        Column("week", "week", N_("A school holiday week (ISO week)."))), N_("School holiday weeks, a row per week.")),
    SmallTable(AREAS, (
        Column("name", "naam", N_("Dutch place name."), ("plaats", "gebied")),
        Column("lat", "lat", N_("Latitude (optional; needed for places the embedded list lacks)."), ("breedtegraad",)),
        Column("lon", "lon", N_("Longitude (optional)."), ("lengtegraad",))), N_("The areas: places of schools and "
                                                                               "companies.")),
    SmallTable(LOCATIONS, (
        Column("institution", "instelling", N_("Id of the institution."), ("instelling-id",)),
        Column("institution_name", "naam instelling", N_("Name of the institution."), ("instellingsnaam",)),
        Column("id", "vestiging", N_("Unique id of the location."), ("locatie",)),
        Column("area", "plaats", N_("Area of the location (sheet Gebieden)."), ("gebied",), "areas"),
        Column("holiday_region", "vakantieregio", N_("Holiday region: noord, midden or zuid."), ("regio",),
               "holiday_regions")), N_("The institutions' locations, a row per location.")),
    SmallTable(BARRIERS, (
        Column("from", "van", N_("Area on one side."), (), "areas"),
        Column("to", "naar", N_("Area on the other side."), (), "areas"),
        Column("penalty_minutes", "extra minuten", N_("Extra minutes to cross (empty: the link is cut)."))),
        N_("Links between two areas that are cut or cost extra minutes (optional).")),
)


def _choices() -> dict[str, list[str]]:
    """The lists the drop-downs offer, by name."""
    return {"sectors": list(SECTOR_LABELS), "levels": list(LEVELS), "pathways": list(PATHWAYS),
            "travel_modes": list(TRAVEL_MODES), "yes_no": ["ja", "nee"], "holiday_regions": list(HOLIDAY_REGIONS)}


# ------------------------------------------------------------------ writing

def _header(column: Column) -> str:
    return column.header if current_language() == "nl" else column.field


def _put_row(sheet: Any, values: list[Any]) -> None:
    sheet.append([("ja" if value else "nee") if isinstance(value, bool) else table_cell(value) for value in values])


def _as_text(sheet: Any) -> None:
    """Cells that start with ``=`` hold text as written, never a formula (a scenario holds no formulas)."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _table_sheet(book: Any, title: str, columns: tuple[Column, ...], rows: list[dict[str, Any]],
                 lists: dict[str, str]) -> None:
    sheet = book.create_sheet(title)
    sheet.append([_header(column) for column in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    for row in rows:
        _put_row(sheet, [row.get(column.field) for column in columns])
    _as_text(sheet)
    last = len(rows) + 1 + VALIDATED_ROWS
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(10, min(40, len(_header(column)) + 4))
        if column.choices in lists:
            check = DataValidation(type="list", formula1=lists[column.choices], allow_blank=True,
                                   errorStyle="warning", showErrorMessage=True)
            check.error = _("Not one of the listed values; the value is checked when the scenario is read.")
            sheet.add_data_validation(check)
            check.add(f"{letter}2:{letter}{last}")
    sheet.freeze_panes = "A2"


def _lists_sheet(book: Any, choices: dict[str, list[str]]) -> dict[str, str]:
    """The Lijsten sheet (hidden): a column per list; returns each list's range for the drop-downs."""
    sheet = book.create_sheet(LISTS)
    ranges = {}
    for i, (name, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(i)
        sheet.cell(1, i, name).font = Font(bold=True)
        for j, value in enumerate(values, start=2):
            sheet.cell(j, i, value).data_type = "s"
        ranges[name] = f"{LISTS}!${letter}$2:${letter}${max(len(values) + 1, 2)}"
    sheet.sheet_state = "hidden"
    return ranges


def _instructions_sheet(book: Any) -> None:
    sheet = book.active
    sheet.title = INSTRUCTIONS
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 28, 90
    lines: list[tuple[str, str]] = [
        (_("Scenario workbook"), ""),
        ("", _("Fill in a sheet per table; a row per item, headers in row 1. Read it with `stageplanner validate "
               "FILE.xlsx`: every problem is listed at once, with its sheet, row and column.")),
        ("", _("Codes come from drop-down lists; Dutch and English spellings are read too (Zorg, Niveau 2, bol). "
               "Whole numbers may carry thousands points (1.200), decimals a comma (1,5).")),
        ("", _("Internship forms: block:WEEKS (e.g. block:10) or line:DAYSxWEEKS (e.g. line:2x30), or in words "
               "({block}, {line}); weeks as ISO weeks (2026-W36).").format(
            block=InternshipForm("block", DAYS_PER_WEEK, 10).words, line=InternshipForm("line", 2, 30).words)),
    ]
    sheets = [(SETTINGS, _("A row per setting."), ())]
    sheets += [(t.sheet, _(t.help), t.columns) for t in SMALL_TABLES]
    sheets += [(COHORTS, _("Demand: a row per cohort (students of one programme, study year and location)."),
                TABLE_COLUMNS["cohorts"]),
               (COMPANIES, _("Supply: a row per learning company with its weekly supervision places."),
                TABLE_COLUMNS["companies"])]
    for title, what, columns in sheets:
        lines += [("", ""), (title, what)]
        if title == SETTINGS:
            lines += [(name, _(help)) for _path, name, help in SETTINGS_ROWS]
        lines += [(_header(column), _(column.help)) for column in columns]
    for row in lines:
        sheet.append(list(row))
    sheet["A1"].font = Font(bold=True, size=14)
    titles = {title for title, _what, _columns in sheets}
    for cell in sheet["A"]:
        if cell.row > 1 and cell.value in titles:
            cell.font = Font(bold=True)
    for cell in sheet["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _settings_values(scenario: Scenario | None) -> dict[str, Any]:
    if scenario is None:
        policy = Policy()
        return {"calendar.holiday_rule": "paused", **{f"policy.{k}": v for k, v in policy.model_dump().items()}}
    values: dict[str, Any] = {"name": scenario.name, "description": scenario.description,
                              "calendar.first_week": scenario.calendar.first_week,
                              "calendar.last_week": scenario.calendar.last_week,
                              "calendar.holiday_rule": scenario.calendar.holiday_rule,
                              "area_polygons": scenario.area_polygons, "travel.matrix_csv": scenario.travel.matrix_csv}
    values.update({f"policy.{k}": v for k, v in scenario.policy.model_dump().items()})
    return values


def _setting_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dict):
        return "|".join(f"{key}:{str(weight).replace('.', ',')}" for key, weight in value.items())
    return value


def scenario_workbook(scenario: Scenario | None = None) -> bytes:
    """The workbook of ``scenario`` (an empty template without one), as xlsx bytes.

    Parameters
    ----------
    scenario
        The scenario to write; None writes the template (settings at their defaults, tables empty).
    """
    book = openpyxl.Workbook()
    _instructions_sheet(book)
    settings = book.create_sheet(SETTINGS)
    settings.append([_("setting"), _("value")])
    values = _settings_values(scenario)
    for path, name, _help in SETTINGS_ROWS:
        _put_row(settings, [name if current_language() == "nl" else path, _setting_cell(values.get(path))])
    _as_text(settings)
    settings.column_dimensions["A"].width, settings.column_dimensions["B"].width = 34, 60
    lists = _lists_sheet(book, _choices() | _scenario_lists(scenario))
    rows = _small_table_rows(scenario)
    for table in SMALL_TABLES:
        _table_sheet(book, table.sheet, table.columns, rows[table.sheet], lists)
    for title, name in ((COHORTS, "cohorts"), (COMPANIES, "companies"), (PLACE_GROUPS, "place_groups")):
        items = getattr(scenario, name) if scenario is not None else []
        _table_sheet(book, title, TABLE_COLUMNS[name], [item.model_dump(mode="json") for item in items], lists)
    book.move_sheet(LISTS, offset=len(book.sheetnames))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _scenario_lists(scenario: Scenario | None) -> dict[str, list[str]]:
    if scenario is None:
        return {"areas": [], "locations": []}
    return {"areas": [area.name for area in scenario.areas], "locations": list(scenario.locations)}


def _small_table_rows(scenario: Scenario | None) -> dict[str, list[dict[str, Any]]]:
    if scenario is None:
        return {table.sheet: [] for table in SMALL_TABLES}
    return {
        HOLIDAYS: [{"region": region, "week": week} for region, weeks in scenario.calendar.holidays.items()
                   for week in weeks],
        AREAS: [area.model_dump() for area in scenario.areas],
        LOCATIONS: [{"institution": inst.id, "institution_name": inst.name, **loc.model_dump()}
                    for inst in scenario.institutions for loc in inst.locations],
        BARRIERS: [{"from": b.between[0], "to": b.between[1], "penalty_minutes": b.penalty_minutes}
                   for b in scenario.travel.barriers],
    }


# ------------------------------------------------------------------ reading

def _sheets(book: Any) -> dict[str, str]:
    """Sheet name (and its English name) by its lower-case form -> the sheet's name in the book."""
    found = {name.casefold(): name for name in book.sheetnames}
    for dutch, english in SHEET_ALIASES.items():
        if english.casefold() in found and dutch.casefold() not in found:
            found[dutch.casefold()] = found[english.casefold()]
    return found


def _small_rows(book: Any, name: str, sheet: str, table: SmallTable, problems: list[InputProblem]
                ) -> list[tuple[str, dict[str, Any]]]:
    """The filled rows of a small sheet as (place, field -> value); unknown headers are problems."""
    rows = list(book[sheet].iter_rows(values_only=True))
    if not rows:
        return []
    fields = header_index(table.columns)
    header = [fields.get(header_key(str(cell))) if cell is not None else None for cell in rows[0]]
    for cell, field in zip(rows[0], header, strict=False):
        if cell is not None and str(cell).strip() and field is None:
            problems.append(InputProblem(name, f"sheet {sheet} row 1", str(cell), _(
                "is not a known column; allowed: {allowed}").format(
                allowed=", ".join(_header(column) for column in table.columns))))
    read = []
    for number, line in enumerate(rows[1:], start=2):
        cells = {field: (value.strip() if isinstance(value, str) else value)
                 for field, value in zip(header, line, strict=False)
                 if field and value is not None and not (isinstance(value, str) and not value.strip())}
        if cells:
            read.append((f"sheet {sheet} row {number}", cells))
    return read


@dataclass
class Places:
    """Where each part of a workbook's settings document was read: a key path prefix -> (row, field names).

    Problems the settings' models find are named by key path (``areas[2].lat``); :meth:`relocate`
    names them by sheet, row and header instead, as the tables' problems are.
    """

    found: dict[str, tuple[str, dict[str, str]]]

    def relocate(self, problem: InputProblem) -> InputProblem:
        """``problem`` at its sheet and row when its key path was read from one; else unchanged."""
        if problem.field is None or problem.where is not None:
            return problem
        for prefix in sorted(self.found, key=len, reverse=True):
            rest = problem.field[len(prefix):]
            if problem.field.startswith(prefix) and (not rest or rest[0] in ".["):
                where, headers = self.found[prefix]
                field = rest.lstrip(".")
                return InputProblem(problem.file, where, headers.get(field, field) or headers.get("", None),
                                    problem.message)
        return problem


def _headers(columns: tuple[Column, ...]) -> dict[str, str]:
    return {column.field: _header(column) for column in columns}


def _settings_document(book: Any, name: str, sheet: str, problems: list[InputProblem],
                       places: dict[str, tuple[str, dict[str, str]]]) -> dict[str, Any]:
    by_name = {header_key(key): path for path, key, _help in SETTINGS_ROWS}
    by_name |= {header_key(path): path for path, _key, _help in SETTINGS_ROWS}
    document: dict[str, Any] = {}
    for number, line in enumerate(book[sheet].iter_rows(values_only=True), start=1):
        key, value = (list(line) + [None, None])[:2]
        if number == 1 or key is None or not str(key).strip():
            continue
        path = by_name.get(header_key(str(key)))
        if path is None:
            problems.append(InputProblem(name, f"sheet {sheet} row {number}", str(key), _(
                "is not a known setting; allowed: {allowed}").format(
                allowed=", ".join(key for _path, key, _help in SETTINGS_ROWS))))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        places[path] = (f"sheet {sheet} row {number}", {"": str(key).strip()})
        if path in ("policy.level_weights", "policy.sector_weights"):
            value = _weights(value)
        elif path == "policy.then_minimise" and isinstance(value, str):
            value = [part.strip() for part in value.replace(";", "|").split("|") if part.strip()]
        *parents, last = path.split(".")
        target = document
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return document


def _weights(value: Any) -> Any:
    """``entree:3|2:2`` as a mapping; anything else for the policy to judge."""
    if not isinstance(value, str):
        return value
    weights: dict[str, Any] = {}
    for part in value.replace(";", "|").split("|"):
        key, sep, weight = part.partition(":")
        if part.strip():
            weights[key.strip()] = weight.strip() if sep else part
    return weights


def workbook_document(data: bytes, name: str) -> tuple[dict[str, Any], list[InputProblem], Places]:
    """The scenario document of a workbook: its settings from the small sheets, its tables as references
    to the Cohorten and Leerbedrijven sheets (read like CSV files by :func:`planner.scenario.tables.read_table`).

    Returns
    -------
    tuple of dict, list of InputProblem and Places
        The document; the problems of the small sheets' headers and setting names (reported together
        with every other problem); where each part of the settings was read.

    Raises
    ------
    TableError
        When the file is not a readable workbook or lacks a sheet (the message names the sheets).
    """
    unreadable = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # data validation and styles: cells are what count
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as err:
        raise TableError(InputProblem(name, None, None, _("is not a readable xlsx workbook ({error})").format(
            error=err))) from None
    try:
        sheets = _sheets(book)
        missing = [s for s in (SETTINGS, AREAS, LOCATIONS, COHORTS, COMPANIES) if s.casefold() not in sheets]
        if missing:
            raise TableError(InputProblem(name, None, None, _(
                "has no sheet {sheets}; a scenario workbook has the sheets of `stageplanner template`").format(
                sheets=", ".join(missing))))
        problems: list[InputProblem] = []
        found: dict[str, tuple[str, dict[str, str]]] = {}
        document = _settings_document(book, name, sheets[SETTINGS.casefold()], problems, found)
        small = {table.sheet: _small_rows(book, name, sheets[table.sheet.casefold()], table, problems)
                 if table.sheet.casefold() in sheets else [] for table in SMALL_TABLES}
        place_groups = PLACE_GROUPS.casefold() in sheets and _has_rows(book[sheets[PLACE_GROUPS.casefold()]])
    finally:
        book.close()
    tables = {table.sheet: table for table in SMALL_TABLES}
    calendar = document.setdefault("calendar", {})
    holidays: dict[Any, list[Any]] = {}
    for where, row in small[HOLIDAYS]:
        weeks = holidays.setdefault(_text(row.get("region")), [])
        found[f"calendar.holidays.{_text(row.get('region'))}[{len(weeks)}]"] = (
            where, _headers(tables[HOLIDAYS].columns) | {"": _header(tables[HOLIDAYS].columns[1])})
        weeks.append(row.get("week"))
    if holidays:
        calendar["holidays"] = holidays
    document["areas"] = [row for _where, row in small[AREAS]]
    for i, (where, _row) in enumerate(small[AREAS]):
        found[f"areas[{i}]"] = (where, _headers(tables[AREAS].columns))
    document["institutions"] = _institutions(small[LOCATIONS], found, _headers(tables[LOCATIONS].columns))
    barriers = [{"between": [row.get("from"), row.get("to")],
                 **({"penalty_minutes": row["penalty_minutes"]} if "penalty_minutes" in row else {})}
                for _where, row in small[BARRIERS]]
    for i, (where, _row) in enumerate(small[BARRIERS]):
        found[f"travel.barriers[{i}]"] = (where, _headers(tables[BARRIERS].columns) | {"between": ""})
    if barriers:
        document.setdefault("travel", {})["barriers"] = barriers
    document["cohorts"] = f"{name}#{sheets[COHORTS.casefold()]}"
    document["companies"] = f"{name}#{sheets[COMPANIES.casefold()]}"
    if place_groups:  # optional: a sheet with rows splits companies' places between groups of recognitions
        document["place_groups"] = f"{name}#{sheets[PLACE_GROUPS.casefold()]}"
    return document, problems, Places(found)


def _has_rows(sheet: Any) -> bool:
    """Whether a sheet has a row with a value below its header."""
    return any(any(cell is not None and str(cell).strip() for cell in row)
               for row in sheet.iter_rows(min_row=2, values_only=True))


def _text(value: Any) -> Any:
    return value.strip().casefold() if isinstance(value, str) else value


def _institutions(rows: list[tuple[str, dict[str, Any]]], found: dict[str, tuple[str, dict[str, str]]],
                  headers: dict[str, str]) -> list[dict[str, Any]]:
    """Location rows grouped into institutions, in the order of their first row; where each was read in ``found``."""
    institutions: dict[Any, dict[str, Any]] = {}

    def pick(row: dict[str, Any]) -> dict[str, Any]:
        return {key: row[key] for key in ("id", "area", "holiday_region") if key in row}

    for where, row in rows:
        key = row.get("institution")
        if key not in institutions:
            found[f"institutions[{len(institutions)}]"] = (where, headers | {"id": headers["institution"],
                                                                              "name": headers["institution_name"]})
        institution = institutions.setdefault(key, {"id": key, "name": row.get("institution_name"), "locations": []})
        if institution["name"] is None:
            institution["name"] = row.get("institution_name")
        index = list(institutions).index(key)
        found[f"institutions[{index}].locations[{len(institution['locations'])}]"] = (where, headers)
        institution["locations"].append(pick(row))
    return [{k: v for k, v in inst.items() if v is not None} for inst in institutions.values()]
