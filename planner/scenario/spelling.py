"""How values may be written in scenario input, as people write them in Dutch spreadsheets.

Codes are accepted by their Dutch or English names in any case (``Niveau 2``, ``Zorg``,
``bol``: the alias tables in :mod:`planner.codes`), numbers with a decimal comma
(``30,0``), whole numbers with thousands points (``1.200``), yes/no in Dutch
(``ja``/``nee``, ``waar``/``onwaar``) and numbers where text is expected (a spreadsheet
turns crebo ``25498`` or company id ``1001`` into a number). Every scenario model takes its input through here,
so CSV, xlsx, YAML and JSON accept the same spellings.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from functools import partial
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BeforeValidator

from planner.codes import LEVEL_ALIASES, PATHWAY_ALIASES, SECTOR_ALIASES, Level, Pathway, Sector, code_for
from planner.i18n import _

#: A level, sector or pathway written as its code or any of its names.
LevelCode = Annotated[Level, BeforeValidator(partial(code_for, LEVEL_ALIASES))]
SectorCode = Annotated[Sector, BeforeValidator(partial(code_for, SECTOR_ALIASES))]
PathwayCode = Annotated[Pathway, BeforeValidator(partial(code_for, PATHWAY_ALIASES))]

_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
#: A whole number with Dutch thousands separators (``1.200``, ``12.500.000``): read so in whole-number fields only,
#: where a point cannot be a decimal point.
_DUTCH_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}(?:\.\d{3})+\s*$")
#: Yes and no as people write them in Dutch or English spreadsheets (any case).
TRUE_WORDS = frozenset({"ja", "j", "waar", "yes", "y", "true", "1", "x"})
FALSE_WORDS = frozenset({"nee", "n", "onwaar", "no", "false", "0", ""})


def _inner(annotation: Any) -> list[Any]:
    """The types an annotation is made of (through unions, Annotated, lists and dicts)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _inner(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple, dict):
        return [leaf for arg in get_args(annotation) for leaf in _inner(arg)]
    return [annotation]


def _takes_numbers(annotation: Any) -> bool:
    return any(leaf in (int, float) for leaf in _inner(annotation))


def _takes_text(annotation: Any) -> bool:
    """Whether the field is a single text (or code) value, optionally None."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _takes_text(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        return len(options) == 1 and _takes_text(options[0])
    if origin is Literal:
        return all(isinstance(option, str) for option in get_args(annotation))
    return annotation is str


def _takes_bool(annotation: Any) -> bool:
    return any(leaf is bool for leaf in _inner(annotation))


def _as_bool(value: Any) -> Any:
    """Dutch and English yes/no words as a bool; anything else for the field to judge (and reject)."""
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("{value} is not yes or no; write ja/nee (or waar/onwaar, true/false)").format(value=repr(value)))
    return value


def _takes_whole_numbers_only(annotation: Any) -> bool:
    leaves = _inner(annotation)
    return int in leaves and float not in leaves


def _decimal_point(value: Any, whole: bool = False) -> Any:
    """Decimal commas as points; with ``whole``, Dutch thousands separators dropped (``1.200`` is 1200)."""
    if isinstance(value, str) and _DECIMAL_COMMA.match(value):
        return float(value.replace(",", "."))
    if whole and isinstance(value, str) and _DUTCH_THOUSANDS.match(value):
        return int(value.replace(".", ""))
    if isinstance(value, list):
        return [_decimal_point(item, whole) for item in value]
    if isinstance(value, dict):
        return {key: _decimal_point(item, whole) for key, item in value.items()}
    return value


def _as_text(value: Any) -> Any:
    if isinstance(value, dt.date):
        # A spreadsheet (or YAML) turns a typed date into a date value; weeks are written as text.
        year, week, _day = value.isocalendar()
        raise ValueError(_("{date} is a date; write weeks as ISO week text, e.g. {week} for this date").format(
            date=f"{value:%Y-%m-%d}", week=f"{year}-W{week:02d}"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def as_written(value: Any, annotation: Any) -> Any:
    """Turn a value as written in a file into what the field's type reads.

    Parameters
    ----------
    value
        The raw value (text from CSV, a number or text from xlsx, anything from YAML/JSON).
    annotation
        The field's type.

    Returns
    -------
    object
        Decimal commas as points for number fields (also inside lists and mappings), Dutch
        thousands separators dropped in whole-number fields (``1.200`` is 1200), whole
        numbers as text for text fields, yes/no words as bools for yes/no fields; anything
        else unchanged, for the field to judge.

    Raises
    ------
    ValueError
        For a date where text is expected (weeks are ISO week text such as ``2026-W36``), and
        for text that is not a yes/no word where yes or no is expected.
    """
    if _takes_text(annotation):
        return _as_text(value)
    if _takes_bool(annotation):
        return _as_bool(value)
    if _takes_numbers(annotation):
        return _decimal_point(value, whole=_takes_whole_numbers_only(annotation))
    return value
