"""All settings of the API in one place, read from the environment.

=====================================  ==========================================  ============================
variable                               meaning                                     default
=====================================  ==========================================  ============================
``STAGEPLANNER_DATABASE_URL``          SQLAlchemy URL of the database              ``DATABASE_URL``, else
(or ``DATABASE_URL``)                  (``postgresql+psycopg://user@host/db``)     ``sqlite:///./stageplanner.sqlite3``
``STAGEPLANNER_DATA_DIR``              folder for regenerated files (maps,         ``./stageplanner-data``
                                       charts, CSVs) and scenario side files
``STAGEPLANNER_MAX_CONCURRENT_SOLVES`` solves running at the same time; more       ``1``
                                       jobs wait in the queue
``STAGEPLANNER_MAX_TIME_LIMIT``        largest time limit (s) a job may ask for    ``3600``
``STAGEPLANNER_DEFAULT_TIME_LIMIT``    time limit (s) when a job gives none        ``60``
``STAGEPLANNER_MAX_UPLOAD_MB``         largest accepted scenario upload            ``50``
=====================================  ==========================================  ============================

Everything in the database is the record (scenarios, jobs, plans, agreements); the data
folder only holds files that can be regenerated from it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///./stageplanner.sqlite3"


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgres://``/``postgresql://`` URLs."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _number(name: str, default: float, minimum: float) -> float:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number") from None
    if value < minimum:
        raise ValueError(f"{name}={text!r} must be at least {minimum:g}")
    return value


@dataclass(frozen=True)
class Settings:
    """Settings of one API process."""

    database_url: str = DEFAULT_DATABASE_URL
    data_dir: Path = Path("stageplanner-data")
    max_concurrent_solves: int = 1
    max_time_limit: float = 3600.0
    default_time_limit: float = 60.0
    max_upload_bytes: int = 50 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the environment (see the module docstring)."""
        url = os.environ.get("STAGEPLANNER_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        return cls(
            database_url=normalise_database_url(url),
            data_dir=Path(os.environ.get("STAGEPLANNER_DATA_DIR") or "stageplanner-data"),
            max_concurrent_solves=int(_number("STAGEPLANNER_MAX_CONCURRENT_SOLVES", 1, 1)),
            max_time_limit=_number("STAGEPLANNER_MAX_TIME_LIMIT", 3600.0, 1.0),
            default_time_limit=_number("STAGEPLANNER_DEFAULT_TIME_LIMIT", 60.0, 1.0),
            max_upload_bytes=int(_number("STAGEPLANNER_MAX_UPLOAD_MB", 50, 0.001) * 1024 * 1024),
        )

    def with_(self, **changes: object) -> Settings:
        """A copy with some settings changed (for tests and embedding)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file."""
        return self.database_url.startswith("sqlite")
