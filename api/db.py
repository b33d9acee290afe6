"""Persistence: typed SQLAlchemy 2 models, the engine and sessions, and migrations.

The schema is created and upgraded only by the Alembic migrations in ``api/migrations``
(:func:`migrate` runs ``alembic upgrade head``); the models here describe it for queries.
SQLite (a file, no set-up) and PostgreSQL (``postgresql+psycopg://...``) are both supported.

Tables
------
``scenarios``
    One row per scenario (name, region, latest version; ``deleted_at`` when deleted).
``scenario_versions``
    Every version of every scenario: the checked scenario document (tables inline, JSON),
    side files it refers to (travel matrix, GeoJSON) and the load warnings. Never changed.
``jobs``
    Solve jobs: request (mode, time limit, seed, scenario version), status, progress and
    the resulting plan. Jobs left ``queued``/``running`` by a stopped server are resumed.
``plans``
    Finished plans: the whole :class:`planner.plan.Plan` as JSON text plus indexed columns
    (region, mode, created, objective) for listing and the cross-region views.
``agreements``
    A region adopting a plan as its agreed internship calendar: who, when, which plan
    and scenario version, a note.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"

JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE_STATUSES = ("queued", "running")


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
    job_id: Mapped[int | None] = mapped_column(default=None)
    region: Mapped[str] = mapped_column(sa.String(200))
    mode: Mapped[str] = mapped_column(sa.String(20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    objective: Mapped[float] = mapped_column(sa.Float, index=True)
    students: Mapped[int]
    unplaced: Mapped[int]
    shortage_rate: Mapped[float] = mapped_column(sa.Float)
    solver_status: Mapped[str] = mapped_column(sa.String(100))
    plan_json: Mapped[str] = mapped_column(sa.Text)


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


# ------------------------------------------------------------------ engine, sessions, migrations


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout for the job threads."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


_migrate_lock = threading.Lock()


def alembic_config(url: str):  # noqa: ANN201 - alembic.config.Config
    """The Alembic configuration for ``url`` (script location inside the package)."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.is_file() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is Alembic's interpolation character; escape it in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def migrate(url: str, engine: Engine | None = None) -> None:
    """Bring the database schema up to date (``alembic upgrade head``)."""
    from alembic import command

    with _migrate_lock:
        config = alembic_config(url)
        if engine is not None:
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        else:
            command.upgrade(config, "head")


class Database:
    """The engine and a session factory for one database."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Run the migrations up to head."""
        if self.url.startswith("sqlite"):
            path = sa.engine.make_url(self.url).database
            if path and path != ":memory:":
                Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        migrate(self.url, self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()
