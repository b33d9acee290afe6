"""What-if variants: declarative changes stored with their base scenario version.

Revision ID: 0004_variants
Revises: 0003_job_leases
Create Date: 2027-01-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_variants"
down_revision: str | None = "0003_job_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "variants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scenario_id", sa.Integer(), sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("scenario_version", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_variants_scenario_id", "variants", ["scenario_id"])


def downgrade() -> None:
    op.drop_index("ix_variants_scenario_id", table_name="variants")
    op.drop_table("variants")
