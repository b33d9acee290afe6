"""Reading DUO's open data on MBO students per institution (Bron: DUO).

DUO publishes the students of every MBO institution per qualification (crebo), level and
pathway (BOL full-time, BOL part-time, BBL) on 1 October. Two layouts are read, their
columns found by name (:data:`HEADERS`): the 2015-2019 file ("03 deelnemers per instelling
... 2015-2019", a ``TOTAAL<year>`` column per year) and DUO's newer single-year files
("mbo-studenten per instelling", one count column ``AANTAL``, ``INSTELLINGSCODE`` for the
institution, ``LEERWEG`` for the pathway). Headers are compared without case, spaces,
underscores or hyphens. Empty rows are skipped, an empty count is 0 and a suppressed count
(``<5`` in newer files) is read as :data:`SUPPRESSED_COUNT`.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from planner.codes import LEVEL_ALIASES, code_for
from planner.i18n import _
from planner.scenario import InputProblem, ScenarioError

__all__ = [
    "HEADERS", "SHIPPED_FILE", "SUPPRESSED_COUNT", "DuoFile", "Enrolment", "read_duo", "read_duo_text", "shipped_duo",
]

#: The columns the importer needs and the headers DUO has used for each (first match wins).
HEADERS: dict[str, tuple[str, ...]] = {
    "institution": ("BRIN NUMMER", "INSTELLINGSCODE", "BRIN", "BRINNUMMER"),
    "institution_name": ("INSTELLINGSNAAM", "NAAM INSTELLING"),
    "seat": ("PLAATSNAAM", "PLAATSNAAM INSTELLING", "GEMEENTENAAM INSTELLING"),
    "pathway": ("TYPE MBO", "LEERWEG"),
    "level": ("KWALIFICATIENIVEAU", "NIVEAU", "OPLEIDINGSNIVEAU"),
    "crebo": ("KWALIFICATIE CODE", "KWALIFICATIECODE", "CREBO", "CREBOCODE", "OPLEIDINGSCODE"),
    "qualification": ("KWALIFICATIE NAAM", "KWALIFICATIENAAM", "OPLEIDINGSNAAM"),
    "sector_unit": ("SECTORUNIT SBB", "SECTORUNIT"),
}
#: The count column: ``TOTAAL<year>`` in the 2015-2019 layout, else one of these (single-year files).
COUNT_HEADERS = ("AANTAL", "AANTAL STUDENTEN", "AANTAL DEELNEMERS", "TOTAAL")

#: What a suppressed count (``<5``: one to four students, hidden for privacy) is read as: the
#: middle of 1-4, rounded down, so that suppressed cells are not counted high.
SUPPRESSED_COUNT = 2
_SUPPRESSED = re.compile(r"^<\s*(\d+)$")

#: DUO's pathway codes, compared without case, spaces and hyphens: full-time BOL, part-time BOL, BBL.
#: A newer file that writes plain ``BOL`` means full-time BOL (part-time BOL is its own code there too).
PATHWAYS = {"BOLVT": "BOLVT", "BOLVOLTIJD": "BOLVT", "BOL": "BOLVT", "BOLDT": "BOLDT", "BOLDEELTIJD": "BOLDT",
            "BBL": "BBL"}

#: The file shipped with the package (Bron: DUO), so that ``generate --from-duo`` works offline.
SHIPPED_FILE = "03-deelnemers-per-instelling-2015-2019.csv.gz"


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header).upper()


@dataclass(frozen=True)
class Enrolment:
    """One row of the file: an institution's students of one crebo, level and pathway in the year read."""

    row: int  # line in the file (the header is line 1)
    institution: str  # BRIN code
    institution_name: str
    seat: str  # PLAATSNAAM as DUO writes it, e.g. HENGELO OV
    pathway: str  # BOLVT, BOLDT or BBL
    level: str  # entree, 2, 3, 4
    crebo: str
    qualification: str
    sector_unit: str
    students: int
    suppressed: bool = False


@dataclass
class DuoFile:
    """The rows of one year read from a DUO file.

    Attributes
    ----------
    name : str
        The file's name, for messages.
    year : int
        The year read.
    enrolments : list of Enrolment
        Rows with students in the year (empty counts are left out).
    suppressed : int
        Rows whose count was suppressed (each read as :data:`SUPPRESSED_COUNT`).
    totals : Counter
        Students per pathway over all rows read.
    """

    name: str
    year: int
    enrolments: list[Enrolment] = field(default_factory=list)
    suppressed: int = 0
    totals: Counter = field(default_factory=Counter)


def _columns(name: str, header: list[str], year: int) -> dict[str, int]:
    """Position of each needed column, or a ScenarioError naming what is missing."""
    position = {_key(h): i for i, h in enumerate(header)}
    found: dict[str, int] = {}
    problems = []
    for field_name, spellings in HEADERS.items():
        hit = next((position[_key(s)] for s in spellings if _key(s) in position), None)
        if hit is None:
            problems.append(InputProblem(name, None, spellings[0], _(
                "no such column; the file needs one of the headers {headers}").format(headers=", ".join(spellings))))
        else:
            found[field_name] = hit
    counts = (f"TOTAAL{year}", *COUNT_HEADERS)
    hit = next((position[_key(s)] for s in counts if _key(s) in position), None)
    if hit is None:
        years = sorted(int(k[6:]) for k in position if re.fullmatch(r"TOTAAL\d{4}", k))
        known = _(" (the file has the years {years})").format(years=", ".join(map(str, years))) if years else ""
        problems.append(InputProblem(name, None, f"TOTAAL{year}", _(
            "no count column for {year}: the file needs TOTAAL{year} or one of {headers}{known}").format(
            year=year, headers=", ".join(COUNT_HEADERS), known=known)))
    else:
        found["students"] = hit
    if problems:
        raise ScenarioError(problems)
    return found


def _count(text: str) -> tuple[int | None, bool]:
    """The students a count cell stands for and whether it was suppressed (None: not a count)."""
    text = text.strip()
    if not text:
        return 0, False
    if _SUPPRESSED.match(text):
        return SUPPRESSED_COUNT, True
    digits = text.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", text) else text
    return (int(digits), False) if digits.isdigit() else (None, False)


def read_duo_text(text: str, year: int, name: str) -> DuoFile:
    """Read the rows of ``year`` from the text of a DUO file.

    Parameters
    ----------
    text : str
        The file's text (``;``- or ``,``-separated).
    year : int
        The year to read (``TOTAAL<year>``; a single-year file's count is taken as that year's).
    name : str
        The file's name in messages.

    Returns
    -------
    DuoFile
        The rows with students.

    Raises
    ------
    ScenarioError
        A missing column, or rows whose pathway, level or count cannot be read (every one, with its row).
    """
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ",")
    header = next(reader, None)
    if not header:
        raise ScenarioError([InputProblem(name, None, None, _("the file is empty"))])
    columns = _columns(name, header, year)
    result = DuoFile(name, year)
    problems = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # empty rows ("" lines) are an artefact of the download
        cells = cells + [""] * (len(header) - len(cells))

        def cell(field_name: str, cells: list[str] = cells) -> str:
            return cells[columns[field_name]].strip()

        where = f"row {number}"
        students, suppressed = _count(cell("students"))
        if students is None:
            problems.append(InputProblem(name, where, header[columns["students"]], _(
                "{value!r} is not a number of students (a whole number, empty for 0, or <5 for a suppressed count)"
            ).format(value=cell("students"))))
            continue
        if students == 0:
            continue
        pathway = PATHWAYS.get(_key(cell("pathway")))
        if pathway is None:
            problems.append(InputProblem(name, where, header[columns["pathway"]], _(
                "{value!r} is not one of BOLVT, BOLDT, BBL").format(value=cell("pathway"))))
            continue
        level = code_for(LEVEL_ALIASES, cell("level"))
        if level not in ("entree", "2", "3", "4"):
            problems.append(InputProblem(name, where, header[columns["level"]], _(
                "{value!r} is not a level (1 or entree, 2, 3, 4)").format(value=cell("level"))))
            continue
        crebo = cell("crebo")
        result.enrolments.append(Enrolment(
            number, cell("institution"), cell("institution_name"), " ".join(cell("seat").upper().split()), pathway,
            str(level), crebo.zfill(5) if crebo.isdigit() else crebo, cell("qualification"), cell("sector_unit"),
            students, suppressed))
        result.suppressed += suppressed
        result.totals[pathway] += students
    if problems:
        raise ScenarioError(problems)
    return result


def read_duo(path: str | Path, year: int) -> DuoFile:
    """Read the rows of ``year`` from a DUO file (UTF-8 or Windows-1252, ``.csv`` or ``.csv.gz``).

    Raises
    ------
    ScenarioError
        The file cannot be read, or has a missing column or bad rows (see :func:`read_duo_text`).
    """
    path = Path(path)
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except OSError as err:
        raise ScenarioError([InputProblem(path.name, None, None, _("cannot be read: {reason}").format(
            reason=err.strerror or err))]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return read_duo_text(text, year, path.name)


def shipped_duo(year: int = 2019) -> DuoFile:
    """The year ``year`` of the DUO file shipped with the package (2015-2019; Bron: DUO)."""
    data = resources.files("planner.opendata").joinpath("data", SHIPPED_FILE).read_bytes()
    return read_duo_text(gzip.decompress(data).decode("utf-8"), year, SHIPPED_FILE.removesuffix(".gz"))
