"""What every part of the API shares: codes, text checks, the example helper, errors and health."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.models import JobStatus
from api.schemas.examples import EXAMPLE_PROBLEM
from planner.codes import Level as LevelCode
from planner.codes import Mode
from planner.codes import Pathway as PathwayCode
from planner.codes import Sector as SectorCode

__all__ = ["JobStatus", "LevelCode", "Mode", "PathwayCode", "SectorCode"]

WEEK_PATTERN = r"^\d{4}-W\d{2}$"
#: Largest id (the databases' 32-bit integer keys).
MAX_ID = 2_147_483_647
#: Names (regions) are stored and compared as given; control characters (and NUL, which
#: PostgreSQL cannot store) are refused.
NAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"


def _storable(text: str) -> str:
    """Refuse text a database cannot store (NUL characters, lone surrogates)."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise ValueError("contains invalid Unicode (a lone surrogate)")
    return text


StorableText = Annotated[str, AfterValidator(_storable)]


def with_examples(*examples: dict[str, Any]) -> ConfigDict:
    """A model configuration that documents the given examples."""
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Problem(BaseModel):
    """One problem with the input: file (or ``request``), row or place, field and message."""

    file: str = Field(description="Input file (scenario.yaml, cohorts.csv, ...) or 'request' for parameters.")
    where: str | None = Field(description="Row (CSV), path (YAML/JSON) or request part (query, path, body).")
    field: str | None = Field(description="Field or column.")
    message: str = Field(description="What is wrong and what is allowed.")
    text: str = Field(description="The whole problem as one line, as the CLI prints it.")

    model_config = with_examples(EXAMPLE_PROBLEM)


class ProblemList(BaseModel):
    """Every problem found in the input (HTTP 422)."""

    detail: list[Problem]

    model_config = with_examples({"detail": [EXAMPLE_PROBLEM]})


class Message(BaseModel):
    """An error message (404 unknown id, 409 wrong state, 413 too large, 415 wrong body type)."""

    detail: str

    model_config = with_examples({"detail": "scenario 42 does not exist"})


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Message, "description": "Unknown id"},
    422: {"model": ProblemList, "description": "Invalid input; every problem listed"},
}
_JSON_MESSAGE = {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}
#: What every protected operation may answer besides its own responses (always JSON, also on routes
#: that serve files, hence the explicit content).
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API token (send `Authorization: Bearer <token>`)", "content": _JSON_MESSAGE},
    403: {"description": "The token's role or regions do not allow this", "content": _JSON_MESSAGE},
    429: {"description": "Too many requests with this token; retry after `Retry-After` seconds",
          "content": _JSON_MESSAGE},
}
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"model": Message, "description": "The body cannot be read (e.g. not UTF-8 text)"},
}


class Health(BaseModel):
    """The server is up; for callers with a valid token also the database kind and queue state."""

    status: Literal["ok"]
    database: str | None = Field(None, description="Only shown to callers with a valid token.")
    max_concurrent_solves: int | None = Field(None, description="Only shown to callers with a valid token.")
    jobs: dict[str, int] | None = Field(None, description="Jobs per status; only shown to callers with a valid token.")

    model_config = with_examples({"status": "ok", "database": "sqlite", "max_concurrent_solves": 1,
                              "jobs": {"done": 12, "queued": 1, "running": 1}})
