"""API tokens and the audit log as the API shows them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.core.security import Role
from api.schemas.common import NAME_PATTERN, StorableText, with_examples
from api.schemas.examples import EXAMPLE_TIME


class AuditEntry(BaseModel):
    """One change: who (token), when, what, on which target, in which region."""

    id: int
    at: dt.datetime
    token_id: int | None = Field(description="The token that made the change; null for the command line.")
    actor: str = Field(description="The token's name (or 'command line').")
    action: str = Field(description="scenario.create, scenario.update, scenario.delete, job.start, job.cancel, "
                                    "agreement.adopt, proposal.create, proposal.version, proposal.approve, "
                                    "proposal.reject, token.create, token.revoke.")
    target_type: str = Field(description="scenario, job, agreement, proposal or token.")
    target_id: int | None
    region: str | None
    detail: str

    model_config = with_examples({"id": 12, "at": EXAMPLE_TIME, "token_id": 3, "actor": "Consortium Twente",
                                  "action": "agreement.adopt", "target_type": "agreement", "target_id": 2,
                                  "region": "Twente", "detail": "plan 7"})


class TokenCreate(BaseModel):
    """A new API token: who uses it, its role and its regions."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"name": "Consortium Twente", "role": "editor", "regions": ["Twente"], "expires_in_days": 90}]})

    name: StorableText = Field(min_length=1, max_length=200, pattern=NAME_PATTERN,
                               description="Who uses the token; recorded in the audit log and as adopted_by.")
    role: Role = Field(description="reader, editor (their regions), analyst (all regions, read only), admin, or "
                                   "school (an institution's editor in one region: approves or rejects its part "
                                   "of a proposed agreement).")
    regions: list[Annotated[StorableText, Field(min_length=1, max_length=200, pattern=NAME_PATTERN)]] = Field(
        default_factory=list, max_length=100, description="Regions of a reader or editor (at least one); exactly "
                                                          "one for a school token.")
    institution: StorableText | None = Field(None, min_length=1, max_length=200, pattern=NAME_PATTERN,
                                             description="The institution id (as in the scenario) a school token "
                                                         "decides for; only for role school.")
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="The token expires this many days from "
                                        "now (then it gets 401, like a revoked one); null or absent: never.")


class TokenOut(BaseModel):
    """An API token as listed: never the token itself."""

    id: int
    name: str
    role: Role
    regions: list[str]
    institution: str | None = Field(None, description="The institution of a school token.")
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(description="When the token stops working; null: never.")

    model_config = with_examples({"id": 3, "name": "Consortium Twente", "role": "editor", "regions": ["Twente"],
                                  "created_at": EXAMPLE_TIME, "revoked_at": None, "expires_at": None})


class TokenCreated(TokenOut):
    """A token just made: ``token`` is shown this once and cannot be read again."""

    token: str = Field(description="Send it as `Authorization: Bearer <token>`. Shown only in this response.")
