"""Sign-off per school: tokens of an institution's editor, proposed agreements and each institution's
decision on its part (approve or reject, with a note), kept as history.

Revision ID: 0008_signoff
Revises: 0007_fair_queue
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_signoff"
down_revision: str | None = "0007_fair_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("institution", sa.String(200), nullable=True))
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region", sa.String(200), nullable=False),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("scenario_version", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("institutions", sa.Text, nullable=False, server_default="[]"),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreements.id"), nullable=True),
    )
    op.create_index("ix_proposals_region_status", "proposals", ["region", "status"])
    op.create_table(
        "proposal_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("proposal_id", sa.Integer, sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("institution", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("token_id", sa.Integer, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_proposal_decisions_proposal", "proposal_decisions", ["proposal_id", "institution"])


def downgrade() -> None:
    op.drop_index("ix_proposal_decisions_proposal", table_name="proposal_decisions")
    op.drop_table("proposal_decisions")
    op.drop_index("ix_proposals_region_status", table_name="proposals")
    op.drop_table("proposals")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("institution")
