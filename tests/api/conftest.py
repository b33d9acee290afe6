"""Fixtures of the API tests: databases (SQLite and PostgreSQL) and a running API server."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.core.config import normalise_database_url
from tests.api.support import ApiServer, ThrowawayPostgres, fresh_postgres_database
from tests.conftest import require_system_tool

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """URL of a PostgreSQL server whose user may create databases.

    ``STAGEPLANNER_TEST_PG_URL`` when set, else a throwaway server started for the session.
    Without PostgreSQL the tests that need it skip, or fail under CI (``CI=true``).
    """
    given = os.environ.get("STAGEPLANNER_TEST_PG_URL")
    if given:
        yield normalise_database_url(given)
        return
    initdb = require_system_tool(
        "initdb", "PostgreSQL is needed for the API tests on PostgreSQL; install it (scripts/system-deps.sh) "
                  "or set STAGEPLANNER_TEST_PG_URL", "/usr/lib/postgresql/*/bin/initdb")
    server = ThrowawayPostgres(initdb.parent)
    try:
        url = server.start()
    except Exception:
        server.stop()
        raise
    try:
        yield url
    finally:
        server.stop()


@contextlib.contextmanager
def _fresh_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'api.sqlite3'}"
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_admin_url")) as url:
        yield url


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a new database on PostgreSQL."""
    with _fresh_database(request, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh empty database shared by the tests of one module."""
    with _fresh_database(request, tmp_path_factory.mktemp(f"db-{request.param}")) as url:
        yield url


@pytest.fixture(scope="module")
def api_server(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """A running API server (one solve at a time) on a fresh database, shared by a module's tests.

    Tests sharing it keep to their own region names so they do not see each other's records.
    """
    server = ApiServer(module_database_url, tmp_path_factory.mktemp("server")).start()
    try:
        yield server
    finally:
        server.stop()
