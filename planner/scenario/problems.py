"""Problems found in a user's input: where each is and what is wrong, in plain sentences.

Pydantic's validation errors are turned into :class:`InputProblem` here, so every file,
row and field is reported the same way whichever model rejected it.
"""

from __future__ import annotations

import difflib
import re
import reprlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from planner.i18n import _, ngettext

#: A value quoted in a message is cut to this many characters (and "…"): a message never carries input back
#: at length, so no error can hand back a file or an expanded document.
MAX_QUOTED_CHARS = 40
#: Any other unbroken run of characters (a path, an exception's text) is cut to this many.
MAX_WORD_CHARS = 80
#: A problem's field (a column name or a key path from the input) is cut to this many characters,
#: its place (row, sheet, path) to MAX_WORD_CHARS and its file name to MAX_PLACE_CHARS.
MAX_FIELD_CHARS = 60
MAX_PLACE_CHARS = 200
#: The whole message, whatever it quotes.
MAX_MESSAGE_CHARS = 1000
ELLIPSIS = "…"
# A quoted value as repr() writes it: after a space or bracket, not an apostrophe inside a word (scenario's).
_QUOTED = re.compile(r"""(?<!\w)(['"])((?:\\.|(?!\1)[^\\])*)\1(?!\w)""")
_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")


def shortened(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters plus "…" when it is longer."""
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def bounded_message(message: str) -> str:
    """A message with each quoted value, each long run of characters and the whole cut short."""
    message = _QUOTED.sub(lambda m: m[1] + shortened(m[2], MAX_QUOTED_CHARS) + m[1], message)
    message = _WORD.sub(lambda m: shortened(m[0], MAX_WORD_CHARS), message)
    return shortened(message, MAX_MESSAGE_CHARS)


@dataclass(frozen=True)
class InputProblem:
    """One problem in the input: where it is and what is wrong.

    Everything that may come from the input is cut short here, the one place every problem
    passes (:func:`bounded_message`): however it was built, a problem never quotes more than
    :data:`MAX_QUOTED_CHARS` characters of a value.
    """

    file: str
    where: str | None
    field: str | None
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", shortened(str(self.file), MAX_PLACE_CHARS))
        if self.where is not None:
            object.__setattr__(self, "where", shortened(str(self.where), MAX_WORD_CHARS))
        if self.field is not None:  # a field may be a column name or key as written in the input
            object.__setattr__(self, "field", shortened(str(self.field), MAX_FIELD_CHARS))
        object.__setattr__(self, "message", bounded_message(str(self.message)))

    @property
    def place(self) -> str | None:
        """Where the problem is, in the current language (``row 7`` is ``rij 7`` in Dutch)."""
        return where_text(self.where)

    def __str__(self) -> str:
        place = self.file if self.where is None else f"{self.file} {self.place}"
        return f"{place}, {self.field}: {self.message}" if self.field else f"{place}: {self.message}"


#: Where a row is: its file and its row or path (``("cohorts.csv", "row 7")``).
Origin = tuple[str, str | None]

_ROW_NUMBER = re.compile(r"^(?:sheet (?P<sheet>.+) )?row (?P<number>\d+)$")
_SHEET = re.compile(r"^sheet (?P<sheet>.+)$")


def where_text(where: str | None) -> str | None:
    """A problem's place as a person reads it, in the current language.

    Places are kept in one form (``row 7``, ``sheet cohorts row 7``, ``sheet cohorts``,
    ``cohorts[3]``); rows and sheets are named in the current language, paths in the
    scenario file (``institutions[0].locations[1]``) stay as written, since they are keys.
    """
    if where is None:
        return None
    match = _ROW_NUMBER.match(where)
    if match and match["sheet"]:
        return _("sheet {sheet} row {number}").format(sheet=match["sheet"], number=match["number"])
    if match:
        return _("row {number}").format(number=match["number"])
    match = _SHEET.match(where)
    if match:
        return _("sheet {sheet}").format(sheet=match["sheet"])
    return where


def rows_text(origins: Sequence[Origin], shown: int = 10) -> str:
    """Name many rows compactly, grouped by file: ``companies.csv rows 2, 3, 8, ...; scenario.yaml locations[1]``.

    Parameters
    ----------
    origins
        The rows, in file order.
    shown
        How many rows to name per file before ``...``.
    """
    # Per file: row numbers per sheet (None: a CSV file), or other places as written.
    groups: dict[tuple[str, str | None, bool], list[str]] = {}
    for file, where in origins:
        match = _ROW_NUMBER.match(where or "")
        key = (file, match["sheet"], True) if match else (file, None, False)
        groups.setdefault(key, []).append(match["number"] if match else where_text(where) or "")
    parts = []
    for (file, sheet, numbered), items in groups.items():
        listed = ", ".join(items[:shown]) + (", ..." if len(items) > shown else "")
        if numbered and sheet:
            label = ngettext("sheet {sheet} row {numbers}", "sheet {sheet} rows {numbers}", len(items))
        elif numbered:
            label = ngettext("row {numbers}", "rows {numbers}", len(items))
        else:
            label = "{numbers}"
        parts.append(" ".join(part for part in (file, label.format(sheet=sheet, numbers=listed)) if part))
    return "; ".join(parts)


def close_names(name: str, names: Iterable[str], count: int = 1) -> list[str]:
    """The known names closest to a misspelt one (ignoring case), best first; empty when none is close."""
    by_key = {known.casefold(): known for known in names}
    return [by_key[key] for key in difflib.get_close_matches(name.casefold(), list(by_key), n=count, cutoff=0.6)]


def referring_rows_problem(rows: Sequence[Origin], field: str, message: str) -> InputProblem:
    """One problem for every row that refers to the same missing name: at the first row, naming the others."""
    first, others = rows[0], rows[1:]
    if others:
        message += ngettext("; {count} more row refers to it: {rows}", "; {count} more rows refer to it: {rows}",
                            len(others)).format(count=len(others), rows=rows_text(others))
    return InputProblem(*first, field, message)


class ScenarioError(Exception):
    """The scenario could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


#: repr() that stops early: a rejected value may be a large expanded list, which is never written out in full.
_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring, _SHORT_REPR.maxother, _SHORT_REPR.maxlevel = MAX_QUOTED_CHARS + 2, MAX_QUOTED_CHARS, 2


def _describe(value: Any) -> str:
    if value is None:
        return _("nothing")
    return repr(shortened(value, MAX_QUOTED_CHARS)) if isinstance(value, str) else _SHORT_REPR.repr(value)


def _expected_list(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def pydantic_message(error: dict[str, Any]) -> str:
    """Turn one pydantic error into a plain sentence about the value, in the current language.

    The error types the input meets are given in our own words; any other keeps pydantic's
    (English) text.
    """
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    shown = _describe(value)
    if kind == "missing":
        return _("is required")
    if kind == "extra_forbidden":
        return _("is not a known field")
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx["expected"])
        close = close_names(str(value), allowed) if isinstance(value, str) else []
        hint = _(" (did you mean {name}?)").format(name=repr(close[0])) if close else ""
        return _("{value} is not one of {allowed}").format(
            value=shown, allowed=_expected_list(ctx["expected"])) + hint
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("{value} is not a whole number").format(value=shown)
    if kind in ("float_parsing", "float_type"):
        return _("{value} is not a number").format(value=shown)
    if kind in ("greater_than_equal", "greater_than"):
        text = _("{value} must be at least {bound}") if kind == "greater_than_equal" else _(
            "{value} must be above {bound}")
        return text.format(value=value, bound=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        text = _("{value} must be at most {bound}") if kind == "less_than_equal" else _(
            "{value} must be below {bound}")
        return text.format(value=value, bound=ctx.get("le", ctx.get("lt")))
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == r"^\d{5}$":
        return _("{value} is not a five-digit crebo code").format(value=shown)
    if kind in ("string_too_short", "too_short"):
        return _("must not be empty")
    if kind == "list_type":
        return _("{value} is not a list").format(value=shown)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _("{value} is not a mapping of fields").format(value=shown)
    if kind == "string_type":
        return _("{value} is not text").format(value=shown)
    return error["msg"]


def _loc_text(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def problems_from(
    error: ValidationError, file: str, where: str | None, prefix: str = "", reported_missing: Collection[str] = ()
) -> list[InputProblem]:
    """Convert a pydantic ValidationError into InputProblems.

    ``reported_missing`` names fields whose absence is already reported once for the whole
    table (a missing column), so it is not repeated for every row.
    """
    problems = []
    for err in error.errors():
        if err["type"] == "missing" and len(err["loc"]) == 1 and err["loc"][0] in reported_missing:
            continue
        loc = _loc_text(err["loc"])
        if prefix:
            loc = f"{prefix}.{loc}" if loc else prefix
        problems.append(InputProblem(file, where, loc or None, pydantic_message(err)))
    return problems
