"""Sweep jobs: a job's kind, its request, the sweep's progress and its result.

Revision ID: 0005_sweep_jobs
Revises: 0004_variants
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_sweep_jobs"
down_revision: str | None = "0004_variants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="solve"))
        batch.add_column(sa.Column("request", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sweep_progress", sa.Text(), nullable=True))
        batch.add_column(sa.Column("result", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("result")
        batch.drop_column("sweep_progress")
        batch.drop_column("request")
        batch.drop_column("kind")
