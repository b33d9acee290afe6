"""A fair queue: each job counts against a share of the queue (its region, or the cross-region work);
plans indexed by their job (every map, chart and summary looks up the status quo solved with a plan).

Revision ID: 0007_fair_queue
Revises: 0005_sweep_jobs
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_fair_queue"
down_revision: str | None = "0006_web_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("share", sa.String(200), nullable=False, server_default=""))
        batch.create_index("ix_jobs_share", ["share"])
    # Jobs stored before: each in its region's share.
    op.execute(sa.text("UPDATE jobs SET share = region"))
    op.create_index("ix_plans_job_id", "plans", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_plans_job_id", table_name="plans")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_share")
        batch.drop_column("share")
