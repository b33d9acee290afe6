"""Problems found in a user's input: where each is and what is wrong, in plain sentences.

Pydantic's validation errors are turned into :class:`InputProblem` here, so every file,
row and field is reported the same way whichever model rejected it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
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
