"""Sign-off: a proposal is outdated (stale) once a newer plan of its scenario is solved; it cannot be decided on
or adopted until an editor puts a plan on it again. The plan that made it stale is kept.

Revision ID: 0009_proposal_stale
Revises: 0008_signoff
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_proposal_stale"
down_revision: str | None = "0008_signoff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("stale_plan_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_proposals_stale_plan_id_plans", "plans", ["stale_plan_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("proposals") as batch:
        batch.drop_constraint("fk_proposals_stale_plan_id_plans", type_="foreignkey")
        batch.drop_column("stale_plan_id")
