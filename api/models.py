"""The database tables: typed SQLAlchemy 2 models.

The schema is created and upgraded only by the Alembic migrations in ``api/migrations``
(:func:`api.core.db.migrate` runs ``alembic upgrade head``); the models here describe it for
queries. SQLite (a file, no set-up) and PostgreSQL (``postgresql+psycopg://...``) are both supported.

Tables
------
``scenarios``
    One row per scenario (name, region, latest version; ``deleted_at`` when deleted).
``scenario_versions``
    Every version of every scenario: the checked scenario document (tables inline, JSON),
    side files it refers to (travel matrix, GeoJSON) and the load warnings. Never changed.
``jobs``
    Solve jobs: request (mode, time limit, seed, scenario version), status, progress and
    the resulting plan; the lease of the server process running it. Jobs left ``queued`` or
    ``running`` by a stopped server are resumed.
``plans``
    Finished plans: the whole :class:`planner.plan.Plan` as JSON text plus indexed columns
    (region, mode, created, objective) for listing and the cross-region views.
``agreements``
    A region adopting a plan as its agreed internship calendar: who, when, which plan
    and scenario version, a note.
``proposals``
    A proposed agreement (migration 0008): the plan a region proposes, its version (a new plan
    for the proposal is a new version), the institutions that must approve, open, adopted or
    superseded, and the agreement it became.
``proposal_decisions``
    Each institution's approval or rejection of its part of a proposal, with a note, who and
    when, and the version it was about (never changed: the history of the sign-off).
``api_tokens``
    API tokens: name, role, regions (JSON list), the institution of an institution editor, the
    SHA-256 of the token (never the token), created and revoked times, and when it expires (null: never).
``web_sessions``
    Signed-in browsers of the web workbench: the SHA-256 of the session id (never the id),
    the token it acts for, when it was made and last seen, and its idle and absolute expiry.
``variants``
    What-if variants: declarative changes (JSON) to one scenario version, by name.
``audit_log``
    Who (token id and name) changed what, when: scenarios created, updated, deleted; solves
    started and cancelled; agreements adopted; tokens created and revoked.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
JOB_STATUSES: tuple[str, ...] = get_args(JobStatus)
ACTIVE_STATUSES: tuple[str, ...] = ("queued", "running")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the API's tables."""

    type_annotation_map = {dt.datetime: UTCDateTime()}


class ScenarioRow(Base):
    """A scenario; its content lives in :class:`ScenarioVersionRow`."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    region: Mapped[str] = mapped_column(sa.String(200), index=True)
    latest_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    versions: Mapped[list[ScenarioVersionRow]] = relationship(
        back_populates="scenario", order_by="ScenarioVersionRow.version"
    )


class ScenarioVersionRow(Base):
    """One immutable version of a scenario."""

    __tablename__ = "scenario_versions"
    __table_args__ = (sa.UniqueConstraint("scenario_id", "version", name="uq_scenario_versions_scenario_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    region: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    source_format: Mapped[str] = mapped_column(sa.String(20))
    document: Mapped[str] = mapped_column(sa.Text)
    files: Mapped[str] = mapped_column(sa.Text, default="{}")
    warnings: Mapped[str] = mapped_column(sa.Text, default="[]")
    cohorts: Mapped[int]
    companies: Mapped[int]
    students: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    scenario: Mapped[ScenarioRow] = relationship(back_populates="versions")


class PlanRow(Base):
    """A finished plan: the plan JSON plus the columns the views filter and sort on."""

    __tablename__ = "plans"
    __table_args__ = (sa.Index("ix_plans_region_created", "region", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    scenario_version: Mapped[int]
    scenario_name: Mapped[str] = mapped_column(sa.String(200))
    job_id: Mapped[int | None] = mapped_column(default=None, index=True)  # index: migration 0007
    region: Mapped[str] = mapped_column(sa.String(200))
    mode: Mapped[str] = mapped_column(sa.String(20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    objective: Mapped[float] = mapped_column(sa.Float, index=True)
    students: Mapped[int]
    unplaced: Mapped[int]
    shortage_rate: Mapped[float] = mapped_column(sa.Float)
    solver_status: Mapped[str] = mapped_column(sa.String(100))
    # Loaded only when read: lists and permission checks need the columns above, and a parsed plan is cached.
    plan_json: Mapped[str] = mapped_column(sa.Text, deferred=True)


class JobRow(Base):
    """A solve job and its progress."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    scenario_version: Mapped[int]
    region: Mapped[str] = mapped_column(sa.String(200))
    mode: Mapped[str] = mapped_column(sa.String(20))
    time_limit: Mapped[float] = mapped_column(sa.Float)
    seed: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), index=True, default="queued")
    phase: Mapped[str | None] = mapped_column(sa.String(50), default=None)
    incumbent: Mapped[float | None] = mapped_column(sa.Float, default=None)
    bound: Mapped[float | None] = mapped_column(sa.Float, default=None)
    solver_seconds: Mapped[float | None] = mapped_column(sa.Float, default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(sa.Text, default=None)
    note: Mapped[str | None] = mapped_column(sa.Text, default=None)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The server process running the job holds a lease on it, renewed by its heartbeat; a job
    # whose lease ran out lost its server (crash) and is queued again once (migration 0003).
    lease_owner: Mapped[str | None] = mapped_column(sa.String(100), default=None)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    lease_expiries: Mapped[int] = mapped_column(default=0)
    # A sweep job (migration 0005): its request (variants, work budget), progress and comparison, as JSON.
    kind: Mapped[str] = mapped_column(sa.String(20), default="solve", server_default="solve")
    request: Mapped[str | None] = mapped_column(sa.Text, default=None)
    sweep_progress: Mapped[str | None] = mapped_column(sa.Text, default=None)
    result: Mapped[str | None] = mapped_column(sa.Text, default=None)
    # The share of the queue the job counts against (migration 0007): its region, or ""
    # (api.jobs.CROSS_REGION_SHARE) for the work of analysts and admins; runners take the shares in turn.
    share: Mapped[str] = mapped_column(sa.String(200), default="", server_default="", index=True)


class AgreementRow(Base):
    """A region adopting a plan as its agreed internship calendar."""

    __tablename__ = "agreements"
    __table_args__ = (sa.Index("ix_agreements_region_adopted", "region", "adopted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(200))
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    scenario_id: Mapped[int] = mapped_column(sa.ForeignKey("scenarios.id"))
    scenario_version: Mapped[int]
    adopted_by: Mapped[str] = mapped_column(sa.String(200))
    adopted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")


ProposalStatus = Literal["open", "adopted", "superseded"]
Decision = Literal["approved", "rejected"]


class ProposalRow(Base):
    """A proposed agreement: a region's plan that each institution in it approves or rejects (migration 0008)."""

    __tablename__ = "proposals"
    __table_args__ = (sa.Index("ix_proposals_region_status", "region", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(200))
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    scenario_id: Mapped[int] = mapped_column(sa.ForeignKey("scenarios.id"))
    scenario_version: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    institutions: Mapped[str] = mapped_column(sa.Text, default="[]")
    proposed_by: Mapped[str] = mapped_column(sa.String(200))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"), default=None)
    # A plan of the proposal's scenario solved after it (migration 0009): until a plan is put on it again, no
    # institution decides and nothing is adopted.
    stale_plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id", name="fk_proposals_stale_plan_id_plans"),
                                                      default=None)


class DecisionRow(Base):
    """One institution's approval or rejection of its part of a proposal's version (never changed)."""

    __tablename__ = "proposal_decisions"
    __table_args__ = (sa.Index("ix_proposal_decisions_proposal", "proposal_id", "institution"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    version: Mapped[int]
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    institution: Mapped[str] = mapped_column(sa.String(200))
    decision: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by: Mapped[str] = mapped_column(sa.String(200))
    token_id: Mapped[int | None] = mapped_column(default=None)
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TokenRow(Base):
    """An API token; the token itself is shown once at creation and only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    lookup: Mapped[str] = mapped_column(sa.String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    regions: Mapped[str] = mapped_column(sa.Text, default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The institution an institution editor decides for (migration 0008); null for other roles.
    institution: Mapped[str | None] = mapped_column(sa.String(200), default=None)


class WebSessionRow(Base):
    """A signed-in browser (migration 0006): the cookie holds a random id, this row its hash."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    idle_expires_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class AuditRow(Base):
    """One change: who (token), when, what action on which target, in which region."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_region_at", "region", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    token_id: Mapped[int | None] = mapped_column(default=None)
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(50))
    target_type: Mapped[str] = mapped_column(sa.String(50))
    target_id: Mapped[int | None] = mapped_column(default=None)
    region: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    detail: Mapped[str] = mapped_column(sa.Text, default="")


class VariantRow(Base):
    """A what-if variant: declarative changes (JSON) to one version of a scenario (migration 0004)."""

    __tablename__ = "variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    scenario_version: Mapped[int]
    region: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(200))
    document: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
