"""The base of every scenario model: unknown fields are errors, text is stripped and
values are read as people write them (see :mod:`planner.scenario.spelling`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from planner.scenario.spelling import as_written


class InputModel(BaseModel):
    """A part of a scenario file; a misspelt field name is reported, never silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _as_written(cls, value: Any, info: ValidationInfo) -> Any:
        # Runs after a model's own "before" validators (which split list cells first).
        return as_written(value, cls.model_fields[info.field_name].annotation)
