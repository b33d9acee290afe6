"""Stored scenarios keep the wave rules they were stored with: a version stored before the practical defaults
(a split cohort's waves of at least 5 students, starting at least 2 weeks apart) has no
``policy.min_wave_students`` or ``policy.min_weeks_between_waves`` in its document, and was solved without
them. The upgrade writes the old behaviour into such documents explicitly (0 and 0: no rule), so re-reading
them does not pick up the defaults; documents stored since carry both values already (the whole policy is
stored). The downgrade leaves the documents as they are (explicit values read the same in older code).

Revision ID: 0010_scenario_wave_rules
Revises: 0009_proposal_stale
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_scenario_wave_rules"
down_revision: str | None = "0009_proposal_stale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The wave rules before the practical defaults existed: no minimum wave, no weeks between waves.
RULES_BEFORE_DEFAULTS = {"min_wave_students": 0, "min_weeks_between_waves": 0}


def upgrade() -> None:
    connection = op.get_bind()
    versions = sa.table("scenario_versions", sa.column("id", sa.Integer), sa.column("document", sa.Text))
    for version_id, text in connection.execute(sa.select(versions.c.id, versions.c.document)).all():
        document = json.loads(text)
        policy = document.get("policy")
        if not isinstance(policy, dict):
            policy = document["policy"] = {}
        missing = {key: value for key, value in RULES_BEFORE_DEFAULTS.items() if key not in policy}
        if missing:
            policy.update(missing)
            connection.execute(sa.update(versions).where(versions.c.id == version_id).values(
                document=json.dumps(document)))


def downgrade() -> None:
    pass
