"""The audit log as the API shows it."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.schemas.common import with_examples
from api.schemas.examples import EXAMPLE_TIME


class AuditEntry(BaseModel):
    """One change: who (token), when, what, on which target, in which region."""

    id: int
    at: dt.datetime
    token_id: int | None = Field(description="The token that made the change; null for the command line.")
    actor: str = Field(description="The token's name (or 'command line').")
    action: str = Field(description="scenario.create, scenario.update, scenario.delete, job.start, job.cancel, "
                                    "agreement.adopt, token.create, token.revoke.")
    target_type: str = Field(description="scenario, job, agreement or token.")
    target_id: int | None
    region: str | None
    detail: str

    model_config = with_examples({"id": 12, "at": EXAMPLE_TIME, "token_id": 3, "actor": "Consortium Twente",
                                  "action": "agreement.adopt", "target_type": "agreement", "target_id": 2,
                                  "region": "Twente", "detail": "plan 7"})
