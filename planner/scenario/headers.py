"""The columns of the scenario's tables as people head them: the field, its Dutch header, other spellings.

One table per sheet of the workbook (:mod:`planner.scenario.workbook`), read by
:func:`planner.scenario.tables.fit_columns` for CSV files and sheets alike. A header is matched
regardless of case, spaces, underscores and hyphens; besides the field's own (English) name and
its Dutch header, a column may carry the headers the tool writes itself where they mean the same
(``changes.xlsx``: ``opleiding``, ``sectorkamer``, ``huidige stagevorm``). Adding a column is one
line here (and the field in :mod:`planner.scenario.model`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planner.i18n import N_

#: Lists of allowed values that the workbook offers as drop-downs (see :mod:`planner.scenario.workbook`).
Choices = str


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes
    ----------
    field
        The model's field (also the English header).
    header
        The Dutch header the workbook writes.
    aliases
        Other headers read as this column (Dutch and English spellings, the tool's own output headers).
    help
        What goes in the column, for the workbook's instructions (a text marked with :func:`N_`).
    choices
        The name of the list of allowed values offered as a drop-down, if any.
    """

    field: str
    header: str
    help: str
    aliases: tuple[str, ...] = ()
    choices: Choices | None = None

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every header this column is read under."""
        return (self.field, self.header, *self.aliases)


COHORT_COLUMNS: tuple[Column, ...] = (
    Column("id", "id", N_("Unique id of the cohort."), ("cohort", "cohort-id")),
    Column("location", "vestiging", N_("Id of the institution location (sheet Vestigingen)."), ("locatie",),
           "locations"),
    Column("crebo", "crebo", N_("Five-digit crebo code of the programme."), ("crebocode",)),
    Column("programme", "opleiding", N_("Name of the programme."), ("naam", "opleidingsnaam")),
    Column("sector", "sectorkamer", N_("Sector chamber (SBB)."), ("sector",), "sectors"),
    Column("level", "niveau", N_("MBO level: entree, 2, 3 or 4."), (), "levels"),
    Column("pathway", "leerweg", N_("BOL or BBL."), (), "pathways"),
    Column("students", "studenten", N_("Number of students (whole number)."), ("aantal studenten", "aantal")),
    Column("forms", "stagevormen", N_("Allowed internship forms, separated by |, e.g. block:10|line:2x30."),
           ("stagevorm",)),
    Column("earliest_start", "vroegste start", N_("First week the internship may start (ISO week, e.g. 2026-W36)."),
           ("vroegste startweek",)),
    Column("latest_end", "uiterste eindweek", N_("Last week the internship may run (ISO week)."),
           ("laatste eindweek", "uiterste eind")),
    Column("current_start", "huidige start", N_("Start week of the current or agreed period (ISO week)."),
           ("huidige startweek",)),
    Column("current_form", "huidige stagevorm", N_("Form of the current or agreed period; one of the forms."),
           ("huidige vorm",)),
    Column("max_travel_minutes", "max reistijd", N_("Travel-time limit in minutes (empty: the region's default)."),
           ("max reistijd minuten", "reistijd")),
    Column("travel_mode", "vervoer", N_("Travel mode: bike, pt (public transport) or car (empty: the default)."),
           ("vervoermiddel",), "travel_modes"),
    Column("max_waves", "max golven", N_("At most this many waves (start moments) per cohort; default 2."),
           ("max instroommomenten",)),
    Column("priority", "prioriteit", N_("Weight of one student without a place (empty: by level and sector)."),
           ("gewicht",)),
    Column("company", "leerbedrijf", N_("BBL only: id of the employing learning company."), ("werkgever",)),
    Column("locked", "vastgezet", N_("ja: keep the current period when optimising (BOL only)."), ("vast",), "yes_no"),
    Column("keep_form", "vorm behouden", N_("ja: keep the current form; the start may move (BOL only)."),
           ("vorm vast",), "yes_no"),
    Column("min_wave_students", "min studenten per golf",
           N_("When split, each wave places at least this many students (BOL only)."), ()),
    Column("max_shift_weeks", "max verschuiving weken",
           N_("A wave starts at most this many weeks from the current start (BOL only)."), ("max verschuiving",)),
)

COMPANY_COLUMNS: tuple[Column, ...] = (
    Column("id", "id", N_("Unique id of the learning company."), ("leerbedrijf-id", "code")),
    Column("name", "naam", N_("Name of the learning company."), ("leerbedrijf", "bedrijfsnaam")),
    Column("area", "plaats", N_("Area it lies in (sheet Gebieden)."), ("gebied", "woonplaats"), "areas"),
    Column("sectors", "sectorkamers", N_("Sector chambers it is recognised for, separated by |."),
           ("sectorkamer", "sector", "sectoren")),
    Column("levels", "niveaus", N_("Levels it takes, separated by |, e.g. 2|3|4."), ("niveau",)),
    Column("places", "plaatsen", N_("Supervision places per week (whole number)."), ("stageplaatsen", "capaciteit")),
    Column("places_per_weekday", "plaatsen per weekdag",
           N_("Optional: places per weekday ma|di|wo|do|vr; then capacity is counted per weekday."), ()),
    Column("reduced_weeks", "minder plaatsen",
           N_("Weeks with fewer places, as WEEK:PLACES separated by ;, e.g. 2026-W52:0."), ("gereduceerde weken",)),
    Column("recognitions", "erkenningen",
           N_("Crebo codes or qualification families it is recognised for, separated by |; empty: matched by "
              "sector chamber and level."), ("erkenning", "kwalificaties")),
)

PLACE_GROUP_COLUMNS: tuple[Column, ...] = (
    Column("company", "leerbedrijf", N_("Id of the learning company whose places are split (sheet Leerbedrijven)."),
           ("leerbedrijf-id",)),
    Column("group", "groep", N_("Name of the group (no /)."), ("groepsnaam",)),
    Column("recognitions", "erkenningen", N_("Crebo codes or qualification families the group's places are for, "
                                             "separated by |."), ("erkenning", "kwalificaties")),
    Column("places", "plaatsen", N_("Weekly places of the group, taken from the company's (whole number)."),
           ("stageplaatsen",)),
)

#: The columns of each table a scenario reads as rows, by table name.
TABLE_COLUMNS: dict[str, tuple[Column, ...]] = {"cohorts": COHORT_COLUMNS, "companies": COMPANY_COLUMNS,
                                                "place_groups": PLACE_GROUP_COLUMNS}


def header_key(header: str) -> str:
    """The form a header is compared in: lower case, without spaces, underscores, hyphens and dots."""
    return re.sub(r"[\s_\-.()]+", "", header).casefold()


def header_index(columns: tuple[Column, ...]) -> dict[str, str]:
    """Every spelling of every column (by :func:`header_key`) -> its field."""
    return {header_key(spelling): column.field for column in columns for spelling in column.spellings}
