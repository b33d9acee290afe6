"""Unit tests of the API's parts that need no server: migrations, settings, the job slots, analysis."""

from __future__ import annotations

import os

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from api import artifacts, crud, main
from api.core.config import Settings, SettingsError, load_settings, normalise_database_url
from api.core.db import Database
from api.models import Base, ScenarioVersionRow
from planner.plan import analysis
from planner.scenario import Scenario
from planner.solve import SolveParams, solve
from tests.api.support import app_client, free_port, multipart_files, tiny_files
from tests.builders import tiny_scenario


def test_migrations_create_exactly_the_models(database_url: str) -> None:
    """`alembic upgrade head` (run twice: idempotent) gives the schema the models describe."""
    db = Database(database_url)
    try:
        db.migrate()
        db.migrate()
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        db.dispose()


def test_migration_0006_keeps_existing_tokens_working(database_url: str) -> None:
    """A database with tokens made before token expiry and web sessions: after the upgrade the tokens
    work as before (they never expire) and can sign in to the web workbench."""
    import datetime as dt

    import sqlalchemy as sa
    from alembic import command

    from api.core.db import alembic_config
    from api.core.security import new_token
    from api.services import web_sessions

    db = Database(database_url)
    try:
        config = alembic_config(database_url)
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0005_sweep_jobs")
            made = new_token()
            connection.execute(sa.text(
                "INSERT INTO api_tokens (lookup, token_hash, name, role, regions, created_at) "
                "VALUES (:lookup, :hash, 'Consortium Twente', 'editor', '[\"Twente\"]', :at)"),
                {"lookup": made.lookup, "hash": made.token_hash, "at": dt.datetime(2026, 11, 30, tzinfo=dt.UTC)})
        db.migrate()
        now = dt.datetime.now(dt.UTC)
        with db.session() as session:
            caller = crud.authenticate(session, made.token, now + dt.timedelta(days=3650))
            assert caller is not None and caller.name == "Consortium Twente" and caller.regions == {"Twente"}
            assert crud.list_tokens(session)[0].expires_at is None
            session_id = web_sessions.start(session, caller.token_id, Settings(), now)
        with db.session() as session:
            assert web_sessions.principal(session, session_id, Settings(), now) == caller
    finally:
        db.dispose()


def test_migration_0010_keeps_the_wave_rules_of_scenarios_stored_before_the_defaults(database_url: str,
                                                                                     tmp_path) -> None:  # noqa: ANN001
    """A scenario version stored before the practical wave defaults has neither wave rule in its document and
    was solved without them: after the upgrade it reads back with both rules off (0 and 0), not with the
    defaults 5 and 2; a version stored with its own values keeps them."""
    from alembic import command

    from api.core.db import alembic_config
    from api.crud.scenarios import ScenarioContent
    from planner.scenario.write import scenario_document

    db = Database(database_url)
    try:
        config = alembic_config(database_url)
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0009_proposal_stale")
        scenario = tiny_scenario()
        before = scenario_document(scenario)
        for key in ("min_wave_students", "min_weeks_between_waves"):
            del before["policy"][key]
        assert Scenario.model_validate(before).policy.min_wave_students == 5  # what re-reading it did
        own = scenario_document(scenario.model_copy(update={"policy": scenario.policy.model_copy(
            update={"min_wave_students": 3, "min_weeks_between_waves": 1})}))
        with db.session() as session:
            ids = [crud.create_scenario(session, ScenarioContent(scenario, document), "Twente")[1].id
                   for document in (before, own)]
            session.commit()
        db.migrate()
        settings = Settings(database_url=database_url, data_dir=tmp_path)
        with db.session() as session:
            rules = [(policy.min_wave_students, policy.min_weeks_between_waves) for policy in (
                artifacts.loaded_scenario(settings, session.get(ScenarioVersionRow, i)).scenario.policy for i in ids)]
        assert rules == [(0, 0), (3, 1)]
    finally:
        db.dispose()


def _clear_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("STAGEPLANNER_")] + ["DATABASE_URL"]:
        monkeypatch.delenv(name, raising=False)


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    _clear_settings(monkeypatch)
    assert Settings().database_url == "sqlite:///./stageplanner.sqlite3"
    assert Settings().max_concurrent_solves == 1
    assert Settings().max_upload_bytes == 50 * 1024 * 1024
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/stage")
    assert Settings().database_url == "postgresql+psycopg://u:p@db/stage"
    monkeypatch.setenv("STAGEPLANNER_DATABASE_URL", "")  # empty counts as unset
    assert Settings().database_url == "postgresql+psycopg://u:p@db/stage"
    monkeypatch.setenv("STAGEPLANNER_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    assert Settings().database_url.endswith("x.sqlite3")  # the specific variable wins
    monkeypatch.setenv("STAGEPLANNER_MAX_UPLOAD_MB", "0.5")
    monkeypatch.setenv("STAGEPLANNER_DATA_DIR", str(tmp_path / "files"))
    assert Settings().max_upload_bytes == 512 * 1024 and Settings().data_dir == tmp_path / "files"
    assert Settings(max_concurrent_solves=3).max_concurrent_solves == 3  # arguments override the environment
    monkeypatch.setenv("STAGEPLANNER_MAX_CONCURRENT_SOLVES", "0")
    with pytest.raises(SettingsError, match="at least 1"):
        load_settings()
    assert normalise_database_url("postgresql+psycopg://x/y") == "postgresql+psycopg://x/y"


def test_a_bad_setting_stops_the_server_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` reads the settings before anything listens: one line naming each bad variable."""
    _clear_settings(monkeypatch)
    monkeypatch.setenv("STAGEPLANNER_MAX_CONCURRENT_SOLVES", "0")
    monkeypatch.setenv("STAGEPLANNER_MAX_TIME_LIMIT", "an hour")
    monkeypatch.setattr(main.uvicorn, "run", lambda *args, **kwargs: pytest.fail("the server started"))
    with pytest.raises(SettingsError) as raised:
        main.serve(port=free_port())
    assert str(raised.value) == ("STAGEPLANNER_MAX_CONCURRENT_SOLVES='0' must be at least 1; "
                                 "STAGEPLANNER_MAX_TIME_LIMIT='an hour' is not a number")


def test_serve_runs_the_app_with_the_settings_it_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    _clear_settings(monkeypatch)
    monkeypatch.setenv("STAGEPLANNER_DATABASE_URL", f"sqlite:///{tmp_path}/api.sqlite3")
    calls = []
    monkeypatch.setattr(main.uvicorn, "run", lambda app, **kwargs: calls.append((app, kwargs)))
    main.serve(host="0.0.0.0", port=8765, log_level="warning")
    (app, kwargs), = calls
    assert kwargs == {"host": "0.0.0.0", "port": 8765, "log_level": "warning"}
    assert app.title == "Stage planner API"


@pytest.fixture(scope="module")
def plans():  # noqa: ANN201
    scenario = tiny_scenario()
    return (solve(scenario, SolveParams("status-quo", 10, baselines=False)).plan,
            solve(scenario, SolveParams("optimise", 10, baselines=False)).plan)


def test_hotspots_compare_and_deviations(plans) -> None:  # noqa: ANN001
    status_quo, optimised = plans
    totals = analysis.hotspot_totals(status_quo)
    assert sum(c.unplaced for c in totals.values()) == status_quo.kpis.unplaced
    assert sum(c.student_weeks for c in totals.values()) == sum(c.unplaced for c in status_quo.shortages)
    ranked = analysis.rank_hotspots([analysis.PlanCells(1, "Twente", totals, {})], limit=3)
    assert [r["rank"] for r in ranked] == [1, 2, 3][: len(ranked)]
    assert ranked == sorted(ranked, key=lambda r: -r["unplaced"])
    cells = [(r["area"], r["sector"], r["level"]) for r in ranked]
    assert len(cells) == len(set(cells))
    assert all(r["weeks"] and r["first_week"] == r["weeks"][0] and r["last_week"] == r["weeks"][-1] for r in ranked)
    only_level_2 = analysis.rank_hotspots([analysis.PlanCells(1, "Twente", totals, {})], 100, level="2")
    assert only_level_2 and all(r["level"] == "2" and r["priority_group"] for r in only_level_2)

    compared = analysis.compare_hotspot_cells(status_quo, optimised, limit=5)
    unplaced = next(k for k in compared["kpis"] if k["name"] == "unplaced")
    assert unplaced["difference"] == optimised.kpis.unplaced - status_quo.kpis.unplaced
    assert unplaced["better"] == ("b" if unplaced["difference"] < 0 else "a" if unplaced["difference"] else "same")
    assert all(c["unplaced_b"] < c["unplaced_a"] for c in compared["better"])
    assert all(c["unplaced_b"] > c["unplaced_a"] for c in compared["worse"])

    assert analysis.deviations(status_quo, status_quo)["cohorts_deviating"] == 0
    moved = analysis.deviations(status_quo, optimised)
    changed = {c.cohort for c in optimised.cohorts if c.period_changed}
    assert changed and changed <= {d["cohort"] for d in moved["deviations"]}
    for row in moved["deviations"]:
        assert row["changes"] and row["agreed"] != row["planned"]


def test_side_files_are_stored_with_the_version(tmp_path) -> None:  # noqa: ANN001
    """A travel matrix uploaded next to the scenario is kept with the version and given to the solver."""
    folder = tmp_path / "tiny"
    scenario_path = tiny_files(folder)
    document = yaml.safe_load(scenario_path.read_text())
    document["travel"] = {"matrix_csv": "travel.csv"}
    scenario_path.write_text(yaml.safe_dump(document, sort_keys=False))
    (folder / "travel.csv").write_text("from,to,mode,minutes\nEnschede,Hengelo,pt,25\n")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files")
    with app_client(settings) as client:
        parts = multipart_files(scenario_path) + [("region", (None, b"Twente"))]
        created = client.post("/scenarios", files=parts)
        assert created.status_code == 201, created.text
        assert created.json()["files"] == ["travel.csv"] and created.json()["region"] == "Twente"
        missing = client.post("/scenarios", files=multipart_files(scenario_path)[:3])  # without travel.csv
        assert missing.status_code == 422
        assert missing.json()["detail"][0]["text"] == "scenario.yaml travel, matrix_csv: file 'travel.csv' does not exist"

        db = client.app.state.db
        with db.session() as session:
            version = crud.get_version(session, created.json()["id"])
            folder = artifacts.scenario_dir(settings, version)
            loaded = artifacts.loaded_scenario(settings, version)
        assert (folder / "travel.csv").read_text().endswith("Enschede,Hengelo,pt,25\n")
        assert loaded.base_dir == folder and loaded.scenario.travel.matrix_csv == "travel.csv"


@pytest.mark.postgres
def test_a_connection_the_database_closed_while_idle_is_replaced_before_use(postgres_admin_url: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL ends a pooled connection (a restart, an idle timeout): the next request gets a fresh one,
    not an error; a connection in constant use is not pinged on every checkout (no round trip per request)."""
    import sqlalchemy as sa

    from api.core import db as db_module
    from tests.api.support import fresh_postgres_database

    with fresh_postgres_database(postgres_admin_url) as url:
        monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.2)
        engine = db_module.make_engine(url, pool_size=1)
        statements: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        try:
            with engine.connect() as connection:
                first = connection.scalar(sa.text("SELECT pg_backend_pid()"))
            observer = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
            last_query = sa.text("SELECT query FROM pg_stat_activity WHERE pid = :pid")
            with engine.connect() as connection, observer.connect() as watching:
                # At once: the same connection, and its last statement is still the reset when it was
                # returned, not a test query.
                assert watching.scalar(last_query, {"pid": first}).strip().upper() == "ROLLBACK"
                assert connection.scalar(sa.text("SELECT pg_backend_pid()")) == first
            with observer.connect() as connection:
                assert connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            observer.dispose()
            import time

            time.sleep(0.3)  # idle longer than the limit: tested before use, found closed, replaced
            with engine.connect() as connection:
                assert connection.scalar(sa.text("SELECT pg_backend_pid()")) != first
        finally:
            engine.dispose()
        assert statements == ["SELECT pg_backend_pid()"] * 3


def test_a_recently_checked_caller_is_reused_for_two_seconds_and_never_past_its_expiry(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The token read is skipped for a caller checked in the last 2 s (on this clock), a revocation on the
    database is seen once that time is over, an expiry at once, and an unknown token is never kept."""
    import datetime as dt

    from api.crud import tokens as token_crud
    from api.models import TokenRow

    clock = [1000.0]
    monkeypatch.setattr(token_crud.time, "monotonic", lambda: clock[0])
    db = Database(database_url)
    reads = [0]

    def counted_sessions():  # noqa: ANN202 - a session factory
        reads[0] += 1
        return db.sessions()

    try:
        db.migrate()
        with db.session() as session:
            row, token = crud.create_token(session, "Consortium Twente", "editor", ["Twente"])
            token_id = row.id
        callers = token_crud._RecentCallers()
        assert callers.seconds == token_crud.RECENT_CALLER_SECONDS == 2.0
        first = callers.caller(counted_sessions, "db", token)
        assert first is not None and first.name == "Consortium Twente" and reads[0] == 1
        with db.session() as session:  # revoked on the database, as another server does
            crud.revoke_token(session, token_id)
        clock[0] += 1.9
        assert callers.caller(counted_sessions, "db", token) == first and reads[0] == 1
        clock[0] += 0.2
        assert callers.caller(counted_sessions, "db", token) is None and reads[0] == 2
        assert callers.caller(counted_sessions, "db", "spt_00000000_" + "a" * 43) is None
        assert callers.caller(counted_sessions, "db", "spt_00000000_" + "a" * 43) is None and reads[0] == 4

        with db.session() as session:  # a token that expires in one second is kept no longer than that
            row, soon = crud.create_token(session, "Zorgtafel", "reader", ["Twente"], dt.timedelta(seconds=1))
        assert callers.caller(counted_sessions, "db", soon) is not None and reads[0] == 5
        monkeypatch.setattr(token_crud, "utcnow", lambda: row.expires_at + dt.timedelta(microseconds=1))
        assert callers.caller(counted_sessions, "db", soon) is None and reads[0] == 6
        callers.forget()
        with db.session() as session:
            assert session.get(TokenRow, token_id).revoked_at is not None
    finally:
        db.dispose()
