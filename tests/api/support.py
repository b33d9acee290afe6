"""Helpers of the API tests (the fixtures that use them are in ``conftest.py``).

* :class:`ThrowawayPostgres`: a PostgreSQL server (``initdb`` + ``pg_ctl``, run as the
  ``postgres`` user when the tests run as root) on a free port on 127.0.0.1, and
  :func:`fresh_postgres_database`: a new empty database on it for one test.
* :class:`ApiServer`: ``stageplanner serve`` in its own process group, so a test can kill
  it (and its solver processes) like a crash, or stop it gracefully, and start another one
  on the same database. Its :meth:`~ApiServer.client` sends an admin token made for it.
* :func:`make_token`: an API token stored straight in a database (as ``stageplanner tokens
  create`` does); :func:`app_client`: the app in this process with an admin token.

Servers in tests allow many requests per token (job polling is faster than the default rate
limit); the rate limit itself is tested with its defaults in ``test_auth.py``.

Also holds the scenario the tests upload: the default Twente scenario when it exists, else
the tiny scenario of ``tests/builders.py`` (with CSV tables, uploaded as multipart).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import planner.solve as solve_package
from api import crud
from api.core.config import Settings
from api.core.db import Database
from api.main import create_app
from planner.plan.model import Progress
from planner.scenario import save_scenario
from tests.builders import tiny_scenario

with warnings.catch_warnings():  # Starlette warns about its httpx-based test client on import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
# The scenario the end-to-end test uploads: STAGEPLANNER_TEST_SCENARIO, else the default Twente
# scenario (when it exists), else the tiny scenario of tests/builders.py.
TWENTE = Path(os.environ.get("STAGEPLANNER_TEST_SCENARIO") or REPO / "scenarios" / "twente-sector" / "scenario.yaml")
TERMINAL = ("done", "failed", "cancelled")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ PostgreSQL


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary folder, for one test session."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="stageplanner-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(a) for a in args]
        if self.as_postgres:
            runuser = shutil.which("runuser")
            command = [runuser, "-u", "postgres", "--", *command] if runuser else \
                ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def start(self) -> str:
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
            os.chmod(self.folder, 0o700)
        self._run(self.bin_dir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "server.log",
                  "-w", "-t", "60", "start", timeout=90)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(self.bin_dir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def _reset_schema(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in ("agreements", "jobs", "plans", "scenario_versions", "scenarios", "alembic_version"):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


@contextlib.contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """A new empty database on the server (dropped afterwards); the given one, emptied, if we may not create."""
    import sqlalchemy as sa

    name = f"stageplanner_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.DBAPIError:
        admin.dispose()
        _reset_schema(admin_url)
        yield admin_url
        _reset_schema(admin_url)
        return
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ------------------------------------------------------------------ the API server


class ApiServer:
    """``stageplanner serve`` on a free port, in its own process group; settings in its environment."""

    def __init__(self, database_url: str, data_dir: Path, **settings: Any):
        self.database_url = database_url
        self.data_dir = data_dir
        self.settings = {"MAX_CONCURRENT_SOLVES": 1, "DEFAULT_TIME_LIMIT": 10, "MAX_TIME_LIMIT": 120,
                         "RATE_LIMIT_PER_SECOND": 1000, "RATE_LIMIT_BURST": 1000, "JOB_LEASE_SECONDS": 5, **settings}
        self.process: subprocess.Popen | None = None
        self.token: str | None = None
        self.port = 0
        self.log = data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ApiServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("STAGEPLANNER_") and k != "DATABASE_URL"}
        env |= {"STAGEPLANNER_DATABASE_URL": self.database_url, "STAGEPLANNER_DATA_DIR": str(self.data_dir / "files"),
                **{f"STAGEPLANNER_{k}": str(v) for k, v in self.settings.items()}}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self.port = free_port()
        log = self.log.open("a")
        log.write(f"\n===== start on port {self.port} =====\n")
        log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "planner.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the API server exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    if self.token is None:
                        self.token = make_token(self.database_url, "test admin", "admin")
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the API server did not start within {timeout:g} s:\n{self.log.read_text()}")

    def client(self, token: str | None = None) -> httpx.Client:
        """A client sending ``token`` (default: the server's admin token)."""
        return httpx.Client(base_url=self.url, timeout=60, headers=bearer(token or self.token or ""))

    def kill(self) -> None:
        """Kill the server and its solver processes at once, like a crash (SIGKILL to the group)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server gracefully (SIGTERM), then clean up anything left in its group."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.process = None


def make_token(database_url: str, name: str, role: str, regions: tuple[str, ...] = (),
               institution: str | None = None) -> str:
    """A new API token stored in the database (migrated first), as ``stageplanner tokens create`` makes one."""
    db = Database(database_url)
    try:
        db.migrate()
        with db.session() as session:
            return crud.create_token(session, name, role, regions, institution=institution)[1]
    finally:
        db.dispose()


def bearer(token: str) -> dict[str, str]:
    """The headers that send ``token`` and ask for English messages (the texts as written, which tests quote).

    Messages in Dutch, the default, are checked in ``test_language.py``.
    """
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


class AuthorisedTestClient(TestClient):
    """A test client that, once the app has started (``with``), sends a new admin token."""

    def __enter__(self) -> AuthorisedTestClient:
        super().__enter__()
        self.headers.update(bearer(make_token(self.app.state.settings.database_url, "test admin", "admin")))
        return self


def app_client(settings: Settings) -> AuthorisedTestClient:
    """The app in this process (startup and shutdown run inside ``with``) with an admin token, for tests that
    patch its parts."""
    return AuthorisedTestClient(create_app(settings))


#: For tests of several server processes on one database that take half a minute each: SQLite in
#: ``make test``, PostgreSQL in ``make test-all`` (the same code path; PostgreSQL's own locking has
#: its fast tests, e.g. two schools approving at once and the fair queue).
SQLITE_FAST = ["sqlite", pytest.param("postgres", marks=(pytest.mark.postgres, pytest.mark.slow))]
#: The other way round, where PostgreSQL is the case that matters (the load and fault script).
POSTGRES_FAST = [pytest.param("sqlite", marks=pytest.mark.slow), pytest.param("postgres", marks=pytest.mark.postgres)]


# ------------------------------------------------------------------ scenarios and helpers


def tiny_files(folder: Path) -> Path:
    """The tiny scenario of tests/builders.py as scenario.yaml + cohorts.csv + companies.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    return save_scenario(tiny_scenario(), folder / "scenario.yaml", tables_as_csv=True)


def multipart_files(scenario_path: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    """A scenario file and the CSV tables next to it, as multipart parts."""
    document = yaml.safe_load(scenario_path.read_text(encoding="utf-8"))
    parts = [("scenario", (scenario_path.name, scenario_path.read_bytes(), "application/yaml"))]
    for table in ("cohorts", "companies"):
        if isinstance(document.get(table), str):
            path = scenario_path.parent / document[table]
            parts.append((table, (path.name, path.read_bytes(), "text/csv")))
    for key in ("area_polygons",):
        if isinstance(document.get(key), str):
            path = scenario_path.parent / document[key]
            parts.append((key, (path.name, path.read_bytes(), "application/geo+json")))
    matrix = (document.get("travel") or {}).get("matrix_csv")
    if matrix:
        path = scenario_path.parent / matrix
        parts.append(("travel_matrix", (path.name, path.read_bytes(), "text/csv")))
    return parts


def wait_for_job(client: httpx.Client, job_id: int, timeout: float = 90.0,
                 statuses: tuple[str, ...] = TERMINAL) -> dict[str, Any]:
    """Poll a job until its status is one of ``statuses``."""
    deadline = time.monotonic() + timeout
    pause = 0.05
    while True:
        answer = client.get(f"/jobs/{job_id}")
        if answer.status_code == 429 and time.monotonic() <= deadline:  # the token's rate limit: wait as it says
            time.sleep(min(float(answer.headers.get("Retry-After", "1")), 2.0))
            continue
        job = answer.raise_for_status().json()
        if job["status"] in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout:g} s: {job}")
        time.sleep(pause)
        pause = min(pause * 1.5, 0.5)  # a long solve is polled a few times a second, not twenty


def solve_until_cancelled(scenario, params, progress=None, base_dir=None, cancel=None,  # noqa: ANN001
                           **_options) -> None:
    """Stands in for the watched solve: reports progress, then runs until the job is cancelled."""
    progress(Progress(seconds=0.0, phase="solving", incumbent=None, bound=None))
    deadline = time.monotonic() + 60
    while not cancel():
        if time.monotonic() > deadline:
            raise AssertionError("the job was never cancelled")
        time.sleep(0.01)
    raise solve_package.SolveError("the solve was cancelled")
