"""The database connection: engine, sessions and the migrations runner.

:class:`Database` holds the engine and a session factory; :func:`migrate` brings the schema
up to date with the Alembic migrations in ``api/migrations`` (the API runs it at startup).

Connections and threads are sized together: a server serves requests on
``request_threads`` threads (:func:`limit_request_threads`) and its pool holds a connection
for each of them and for the job runners (:attr:`api.core.config.Settings.db_pool_size`), so a
request never waits for a connection. A request that builds something slow (a map, a chart,
a zip) ends its reads first (:func:`end_reads`): its connection goes back to the pool while it
builds or waits for another request building the same file.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio.to_thread
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

API_DIR = Path(__file__).resolve().parents[1]
MIGRATIONS_DIR = API_DIR / "migrations"
ALEMBIC_INI = API_DIR / "alembic.ini"


#: Connections opened beyond the pool in a burst (threads outside the request pool: uploads' helpers).
POOL_OVERFLOW = 8
#: Seconds a thread waits for a pooled connection before its request fails.
POOL_TIMEOUT = 30
#: A pooled PostgreSQL connection unused this long is tested (``SELECT 1``) before it is handed out.
IDLE_PING_SECONDS = 5.0


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """An engine for ``url`` keeping ``pool_size`` connections; SQLite gets WAL, foreign keys and a busy
    timeout for the job threads."""
    sizing = {"pool_size": pool_size, "max_overflow": POOL_OVERFLOW, "pool_timeout": POOL_TIMEOUT}
    if url.startswith("sqlite"):
        memory = ":memory:" in url or sa.engine.make_url(url).database in (None, "")
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                                  **({} if memory else sizing))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    engine = sa.create_engine(url, **sizing)
    _ping_when_idle(engine, IDLE_PING_SECONDS)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled connection before use only when it has been idle ``idle_seconds`` or longer.

    A connection the database closed while it sat in the pool (a restart, an idle timeout) is
    found and replaced before a request uses it, as ``pool_pre_ping`` would; but a connection in
    constant use is not pinged on every checkout: under 200 clients that round trip cost a tenth
    of the server's time. A connection that breaks in use invalidates the pool (SQLAlchemy's
    disconnect handling), so the next checkouts get fresh ones.
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:  # noqa: ANN001
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        if time.monotonic() - record.info.get("returned_at", -math.inf) < idle_seconds:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as err:  # the pool discards the connection and hands out a fresh one
            raise sa.exc.DisconnectionError(str(err)) from err


def limit_request_threads(threads: int) -> None:
    """Serve synchronous routes and dependencies on at most ``threads`` threads (anyio's default limiter,
    which Starlette's ``run_in_threadpool`` uses); call it inside the server's event loop."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads


def end_reads(session: Session) -> None:
    """End the session's transaction so its connection goes back to the pool before slow work.

    Loaded rows stay usable (the sessions do not expire them on commit); a later query takes a
    connection again. Only for sessions with nothing to write.
    """
    session.commit()


_migrate_lock = threading.Lock()
#: Key of the PostgreSQL advisory lock that lets one server at a time run the migrations.
MIGRATION_LOCK_KEY = 0x5354_4147  # "STAG"


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created when missing), held by this process until the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_file(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    database = sa.engine.make_url(url).database
    return Path(database).expanduser().resolve() if database and database != ":memory:" else None


def alembic_config(url: str) -> Config:
    """The Alembic configuration for ``url`` (script location inside the package)."""
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.is_file() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is Alembic's interpolation character; escape it in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def migrate(url: str, engine: Engine | None = None) -> None:
    """Bring the database schema up to date (``alembic upgrade head``).

    Several servers may start together on one database: the migrations run under a lock
    (a PostgreSQL advisory lock; on SQLite a file lock next to the database file), so one
    migrates and the others then find the schema up to date.
    """
    sqlite_file = _sqlite_file(url)
    with _migrate_lock, (_file_lock(sqlite_file.with_name(sqlite_file.name + ".migrate-lock"))
                         if sqlite_file else contextlib.nullcontext()):
        config = alembic_config(url)
        owned = engine is None
        engine = engine or make_engine(url)
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            if owned:
                engine.dispose()


class Database:
    """The engine and a session factory for one database."""

    def __init__(self, url: str, pool_size: int = 5):
        self.url = url
        self.engine = make_engine(url, pool_size)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        #: Sessions for one read that needs no transaction (the token lookup of every request): each
        #: statement commits itself, so there is no BEGIN before it and no ROLLBACK when the connection
        #: goes back to the pool; two round trips fewer per request on PostgreSQL.
        self.single_reads = sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                                         expire_on_commit=False)

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
