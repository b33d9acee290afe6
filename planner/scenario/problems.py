"""Problems found in a user's input: where each is and what is wrong, in plain sentences.

Pydantic's validation errors are turned into :class:`InputProblem` here, so every file,
row and field is reported the same way whichever model rejected it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class InputProblem:
    """One problem in the input: where it is and what is wrong."""

    file: str
    where: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        place = self.file if self.where is None else f"{self.file} {self.where}"
        return f"{place}, {self.field}: {self.message}" if self.field else f"{place}: {self.message}"


#: Where a row is: its file and its row or path (``("cohorts.csv", "row 7")``).
Origin = tuple[str, str | None]

_ROW_NUMBER = re.compile(r"^(.*\brow) (\d+)$")


def rows_text(origins: Sequence[Origin], shown: int = 10) -> str:
    """Name many rows compactly, grouped by file: ``companies.csv rows 2, 3, 8, ...; scenario.yaml locations[1]``.

    Parameters
    ----------
    origins
        The rows, in file order.
    shown
        How many rows to name per file before ``...``.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for file, where in origins:
        match = _ROW_NUMBER.match(where or "")
        key = (file, match[1] + "s" if match else "")
        groups.setdefault(key, []).append(match[2] if match else (where or ""))
    parts = []
    for (file, label), items in groups.items():
        if label and len(items) == 1:
            label = label.removesuffix("s")
        listed = ", ".join(items[:shown]) + (", ..." if len(items) > shown else "")
        parts.append(" ".join(part for part in (file, label, listed) if part))
    return "; ".join(parts)


def count_rows(count: int, more: str = "") -> str:
    """``1 row refers`` or ``12 rows refer``: the start of a sentence about rows that refer to a name."""
    return f"{count} {more}row refers" if count == 1 else f"{count} {more}rows refer"


def close_names(name: str, names: Iterable[str], count: int = 1) -> list[str]:
    """The known names closest to a misspelt one (ignoring case), best first; empty when none is close."""
    by_key = {known.casefold(): known for known in names}
    return [by_key[key] for key in difflib.get_close_matches(name.casefold(), list(by_key), n=count, cutoff=0.6)]


def referring_rows_problem(rows: Sequence[Origin], field: str, message: str) -> InputProblem:
    """One problem for every row that refers to the same missing name: at the first row, naming the others."""
    first, others = rows[0], rows[1:]
    if others:
        message += f"; {count_rows(len(others), 'more ')} to it: {rows_text(others)}"
    return InputProblem(*first, field, message)


class ScenarioError(Exception):
    """The scenario could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _describe(value: Any) -> str:
    return "nothing" if value is None else repr(value)


def _expected_list(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def _message(error: dict[str, Any]) -> str:
    """Turn one pydantic error into a plain sentence about the value."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "literal_error":
        return f"{_describe(value)} is not one of {_expected_list(ctx['expected'])}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_describe(value)} is not a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"{_describe(value)} is not a number"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"{value} must be {'at least' if kind == 'greater_than_equal' else 'above'} {bound}"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return f"{value} must be {'at most' if kind == 'less_than_equal' else 'below'} {bound}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == r"^\d{5}$":
        return f"{_describe(value)} is not a five-digit crebo code"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind == "list_type":
        return f"{_describe(value)} is not a list"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{_describe(value)} is not a mapping of fields"
    if kind == "string_type":
        return f"{_describe(value)} is not text"
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
        problems.append(InputProblem(file, where, loc or None, _message(err)))
    return problems
