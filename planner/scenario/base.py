"""The base of every scenario model: unknown fields are errors and text is stripped."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InputModel(BaseModel):
    """A part of a scenario file; a misspelt field name is reported, never silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)
