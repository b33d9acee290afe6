"""The codes used in files and over the API, with their labels in Dutch and English.

Every module that needs a sector chamber, level, pathway, holiday region, travel mode,
weekday or plan mode takes it from here, so a code or its label is declared once.
Dutch is the users' language and the default; English is given on request.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["nl", "en"]
LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE: Language = "nl"

# SBB sector chambers (sectorkamers) plus Entree, keyed by the short code used in files.
Sector = Literal["zorg", "techniek", "handel", "mobiliteit", "specialistisch", "zakelijk", "voedsel", "ict", "entree"]
SECTOR_LABELS: dict[str, dict[str, str]] = {
    "zorg": {"nl": "Zorg, welzijn en sport", "en": "Care, welfare and sport"},
    "techniek": {"nl": "Techniek en gebouwde omgeving", "en": "Engineering and built environment"},
    "handel": {"nl": "Handel", "en": "Trade"},
    "mobiliteit": {"nl": "Mobiliteit, transport, logistiek en maritiem",
                   "en": "Mobility, transport, logistics and maritime"},
    "specialistisch": {"nl": "Specialistisch vakmanschap", "en": "Specialist craftsmanship"},
    "zakelijk": {"nl": "Zakelijke dienstverlening en veiligheid", "en": "Business services and security"},
    "voedsel": {"nl": "Voedsel, groen en gastvrijheid", "en": "Food, green and hospitality"},
    "ict": {"nl": "Creatieve industrie en ICT", "en": "Creative industry and ICT"},
    "entree": {"nl": "Entree", "en": "Entree"},
}
#: Sector chamber code -> Dutch name (the official names, as files and the stagebarometer use them).
SECTOR_CHAMBERS: dict[str, str] = {code: labels["nl"] for code, labels in SECTOR_LABELS.items()}

# MBO levels: entree is level 1.
Level = Literal["entree", "2", "3", "4"]
LEVELS: tuple[str, ...] = ("entree", "2", "3", "4")
LEVEL_LABELS: dict[str, dict[str, str]] = {
    "entree": {"nl": "Entree (niveau 1)", "en": "Entree (level 1)"},
    "2": {"nl": "Niveau 2", "en": "Level 2"},
    "3": {"nl": "Niveau 3", "en": "Level 3"},
    "4": {"nl": "Niveau 4", "en": "Level 4"},
}

# BOL: school-based with internships; BBL: work-based apprenticeship (the student has a job).
Pathway = Literal["BOL", "BBL"]
PATHWAYS: tuple[str, ...] = ("BOL", "BBL")

# School holiday regions.
HolidayRegion = Literal["noord", "midden", "zuid"]
HOLIDAY_REGIONS: tuple[str, ...] = ("noord", "midden", "zuid")

TravelMode = Literal["bike", "pt", "car"]
TRAVEL_MODES: tuple[str, ...] = ("bike", "pt", "car")
TRAVEL_MODE_LABELS: dict[str, dict[str, str]] = {
    "bike": {"nl": "fiets", "en": "bike"},
    "pt": {"nl": "openbaar vervoer", "en": "public transport"},
    "car": {"nl": "auto", "en": "car"},
}

WEEKDAYS: tuple[str, ...] = ("ma", "di", "wo", "do", "vr")
DAYS_PER_WEEK = 5

# How a plan was made: periods chosen, current periods optimised, current periods first come first served.
Mode = Literal["optimise", "status-quo", "greedy"]
MODES: tuple[str, ...] = ("optimise", "status-quo", "greedy")
MODE_LABELS: dict[str, dict[str, str]] = {
    "optimise": {"nl": "geoptimaliseerd plan", "en": "optimised plan"},
    "status-quo": {"nl": "status quo", "en": "status quo"},
    "greedy": {"nl": "wie het eerst komt", "en": "first come, first served"},
}

# Priority groups: where the shortage is highest nationally (about 2 %).
PRIORITY_LEVELS: tuple[str, ...] = ("entree", "2")
PRIORITY_SECTORS: tuple[str, ...] = ("zorg",)


def is_priority_group(sector: str, level: str) -> bool:
    """Entree, level 2 and care: the groups the Stagepact worries about most."""
    return level in PRIORITY_LEVELS or sector in PRIORITY_SECTORS


def _label(table: dict[str, dict[str, str]], code: str, lang: str) -> str:
    labels = table.get(code)
    if labels is None:
        return code
    return labels.get(lang, labels[DEFAULT_LANGUAGE])


def sector_label(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The name of a sector chamber (the code itself when unknown)."""
    return _label(SECTOR_LABELS, code, lang)


def level_label(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The name of an MBO level, e.g. ``Niveau 2`` or ``Entree (niveau 1)``."""
    return _label(LEVEL_LABELS, code, lang)


def mode_label(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """What a plan mode means, e.g. ``status quo`` or ``geoptimaliseerd plan``."""
    return _label(MODE_LABELS, code, lang)


def travel_mode_label(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The name of a travel mode."""
    return _label(TRAVEL_MODE_LABELS, code, lang)


# How people write these codes in their own spreadsheets: every spelling maps to its code.
# Keys are compared after :func:`alias_key` (case, accents on entree and spacing do not matter).
def alias_key(text: str) -> str:
    """The form a written code is looked up in: lower case, single spaces, ``entrée`` as ``entree``."""
    return " ".join(text.split()).casefold().replace("é", "e")


def _aliases(spellings: dict[str, list[str]]) -> dict[str, str]:
    return {alias_key(spelling): code for code, written in spellings.items() for spelling in [code, *written]}


def _level_spellings(code: str) -> list[str]:
    number = "1" if code == "entree" else code  # entree is level 1
    return [*LEVEL_LABELS[code].values(), number, *(prefix + number for prefix in ("niveau ", "level ", "n", "mbo "))]


LEVEL_ALIASES: dict[str, str] = _aliases({code: _level_spellings(code) for code in LEVELS})
SECTOR_ALIASES: dict[str, str] = _aliases({code: list(labels.values()) for code, labels in SECTOR_LABELS.items()})
PATHWAY_ALIASES: dict[str, str] = _aliases({
    "BOL": ["beroepsopleidende leerweg"],
    "BBL": ["beroepsbegeleidende leerweg"],
})


def code_for(aliases: dict[str, str], written: object) -> object:
    """The code a written value stands for (numbers count as their text); unknown values are returned as given.

    Parameters
    ----------
    aliases
        One of :data:`LEVEL_ALIASES`, :data:`SECTOR_ALIASES`, :data:`PATHWAY_ALIASES`.
    written
        The value as it was written, e.g. ``"Niveau 2"``, ``2``, ``"Zorg, welzijn en sport"`` or ``"bol"``.
    """
    if isinstance(written, int | float) and not isinstance(written, bool) and float(written).is_integer():
        written = str(int(written))
    if not isinstance(written, str):
        return written
    return aliases.get(alias_key(written), written)
