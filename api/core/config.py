"""All settings of the API in one place, read from the environment (pydantic-settings).

=======================================  ==========================================  ============================
variable                                 meaning                                     default
=======================================  ==========================================  ============================
``STAGEPLANNER_DATABASE_URL``            SQLAlchemy URL of the database              ``DATABASE_URL``, else
(or ``DATABASE_URL``)                    (``postgresql+psycopg://user@host/db``)     ``sqlite:///./stageplanner.sqlite3``
``STAGEPLANNER_DATA_DIR``                folder for regenerated files (maps,         ``./stageplanner-data``
                                         charts, CSVs) and scenario side files
``STAGEPLANNER_MAX_CONCURRENT_SOLVES``   solves running at the same time; more       ``1``
                                         jobs wait in the queue
``STAGEPLANNER_MAX_TIME_LIMIT``          largest time limit (s) a job may ask for    ``3600``
``STAGEPLANNER_DEFAULT_TIME_LIMIT``      time limit (s) when a job gives none        ``60``
``STAGEPLANNER_MAX_UPLOAD_MB``           largest accepted scenario upload            ``50``
``STAGEPLANNER_MAX_COHORTS``             cohort rows in one scenario                 ``20000``
``STAGEPLANNER_MAX_COMPANIES``           learning company rows in one scenario       ``100000``
``STAGEPLANNER_MAX_AREAS``               areas in one scenario                       ``2000``
``STAGEPLANNER_MAX_XLSX_UNPACKED_MB``    what an uploaded xlsx workbook may unpack   ``200``
                                         to, per its zip directory
``STAGEPLANNER_MAX_UNPACK_RATIO``        how many times its packed size any part of  ``100``
                                         an uploaded workbook may unpack to
``STAGEPLANNER_MAX_WEEKS``               weeks in a scenario's school year           ``60``
``STAGEPLANNER_MAX_NAME_LENGTH``         characters of a name, id or other short     ``200``
                                         text in a scenario
``STAGEPLANNER_MAX_DESCRIPTION_LENGTH``  characters of a scenario's description      ``10000``
``STAGEPLANNER_MAX_YAML_ALIASES``        YAML aliases (``*name``) in one upload      ``100``
``STAGEPLANNER_MAX_NESTING_DEPTH``       nesting of lists and mappings in an upload  ``20``
``STAGEPLANNER_MAX_QUEUED_JOBS``         jobs queued before a solve request gets     ``20``
                                         429 (``Retry-After``)
``STAGEPLANNER_MAX_QUEUED_JOBS_PER_       jobs one region (or the cross-region work   ``5``
REGION``                                 of analysts and admins) may have queued;
                                         more get 429 naming the region's share
``STAGEPLANNER_REQUEST_THREADS``         threads serving requests; the database      ``16``
                                         pool is sized to them (and the runners)
``STAGEPLANNER_JOB_LEASE_SECONDS``       how long a server's claim on a running job  ``30``
                                         lasts without a heartbeat
``STAGEPLANNER_MAX_LEASE_REQUEUES``      times a job whose server vanished (lease    ``1``
                                         expired) is queued again; then it fails
``STAGEPLANNER_MAX_SOLVE_SECONDS_        largest time limit (s) an editor (admin)    ``MAX_TIME_LIMIT``
EDITOR`` (``..._ADMIN``)                 may ask for; never above MAX_TIME_LIMIT
``STAGEPLANNER_RATE_LIMIT_PER_SECOND``   requests per second per token (average)     ``10``
``STAGEPLANNER_RATE_LIMIT_BURST``        requests per token at once                  ``40``
``STAGEPLANNER_SESSION_IDLE_MINUTES``    a web session ends after this long without  ``30``
                                         a request
``STAGEPLANNER_SESSION_MAX_HOURS``       a web session ends this long after sign-in  ``12``
``STAGEPLANNER_SIGNIN_FAILURES_PER_      failed sign-ins per client address in a     ``5``
MINUTE``                                 minute; then 429 until the oldest is a
                                         minute old
``STAGEPLANNER_SIGNIN_FAILURES_PER_      failed sign-ins from all addresses          ``50``
MINUTE_TOTAL``                           together in a minute
=======================================  ==========================================  ============================

Empty variables count as unset. Everything in the database is the record (scenarios, jobs,
plans, agreements); the data folder only holds files that can be regenerated from it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "STAGEPLANNER_"
DEFAULT_DATABASE_URL = "sqlite:///./stageplanner.sqlite3"
BYTES_PER_MB = 1024 * 1024


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgres://``/``postgresql://`` URLs."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class SettingsError(ValueError):
    """A setting in the environment has a value the API cannot use; the message names each one."""


class Settings(BaseSettings):
    """Settings of one API process.

    ``Settings()`` reads the environment; keyword arguments override it (tests, embedding).
    Use :func:`load_settings` where a bad value must end in a clear message.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", frozen=True,
                                      populate_by_name=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias=AliasChoices(
        f"{ENV_PREFIX}DATABASE_URL", "DATABASE_URL", "database_url"))
    data_dir: Path = Path("stageplanner-data")
    max_concurrent_solves: int = Field(1, ge=1)
    max_time_limit: float = Field(3600.0, ge=1.0)
    default_time_limit: float = Field(60.0, ge=1.0)
    max_upload_mb: float = Field(50.0, ge=0.001)
    max_solve_seconds_editor: float | None = Field(None, ge=1.0)
    max_solve_seconds_admin: float | None = Field(None, ge=1.0)
    rate_limit_per_second: float = Field(10.0, ge=0.01)
    rate_limit_burst: int = Field(40, ge=1)
    session_idle_minutes: float = Field(30.0, ge=1.0)
    session_max_hours: float = Field(12.0, ge=0.1)
    signin_failures_per_minute: int = Field(5, ge=1)
    signin_failures_per_minute_total: int = Field(50, ge=1)
    max_cohorts: int = Field(20000, ge=1)
    max_companies: int = Field(100000, ge=1)
    max_areas: int = Field(2000, ge=1)
    max_xlsx_unpacked_mb: float = Field(200.0, ge=0.001)
    max_unpack_ratio: float = Field(100.0, ge=1.0)
    max_weeks: int = Field(60, ge=1)
    max_name_length: int = Field(200, ge=10)
    max_description_length: int = Field(10000, ge=0)
    max_yaml_aliases: int = Field(100, ge=0)
    max_nesting_depth: int = Field(20, ge=5)
    max_queued_jobs: int = Field(20, ge=1)
    max_queued_jobs_per_region: int = Field(5, ge=1)
    request_threads: int = Field(16, ge=4)
    job_lease_seconds: float = Field(30.0, ge=2.0)
    max_lease_requeues: int = Field(1, ge=0)

    @field_validator("database_url")
    @classmethod
    def _driver(cls, url: str) -> str:
        return normalise_database_url(url)

    @property
    def max_upload_bytes(self) -> int:
        """Largest accepted scenario upload in bytes."""
        return int(self.max_upload_mb * BYTES_PER_MB)

    def max_solve_seconds(self, role: str) -> float:
        """Largest time limit (s) a token of ``role`` may ask for: its role's cap, never above ``max_time_limit``."""
        cap = {"editor": self.max_solve_seconds_editor, "admin": self.max_solve_seconds_admin}.get(role)
        return min(cap, self.max_time_limit) if cap is not None else self.max_time_limit

    @property
    def session_idle(self) -> dt.timedelta:
        """How long a web session lasts without a request."""
        return dt.timedelta(minutes=self.session_idle_minutes)

    @property
    def session_max(self) -> dt.timedelta:
        """How long a web session lasts at most after sign-in."""
        return dt.timedelta(hours=self.session_max_hours)

    @property
    def db_pool_size(self) -> int:
        """Database connections a server keeps: one per request thread, two per runner (the runner and its
        progress callback), two for the heartbeat and startup; so no thread ever waits for a connection."""
        return self.request_threads + 2 * self.max_concurrent_solves + 2

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file."""
        return self.database_url.startswith("sqlite")


def _variable(location: tuple[Any, ...]) -> str:
    name = str(location[0]) if location else "setting"
    return name if name.isupper() else f"{ENV_PREFIX}{name.upper()}"


def _message(error: dict[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {float(ctx.get('ge', ctx.get('gt', 0))):g}"
    if kind.startswith("int_"):
        return "is not a whole number"
    if kind.startswith("float_"):
        return "is not a number"
    return str(error.get("msg", "is not valid"))


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment, or :class:`SettingsError` naming every bad variable.

    Example message: ``STAGEPLANNER_MAX_CONCURRENT_SOLVES='0' must be at least 1``.
    """
    try:
        return Settings(**overrides)
    except ValidationError as err:
        problems = [f"{_variable(e.get('loc', ()))}={e.get('input')!r} {_message(e)}" for e in err.errors()]
        raise SettingsError("; ".join(problems)) from None
