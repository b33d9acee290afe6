"""Bounded work and fair queues: every solve is a queued job, each region has its own share of the
queue and the runners take the shares in turn; analysts' and admins' cross-region work has a share
of its own; slow requests do not exhaust the database pool."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import maps
import planner.solve as solve_package
import planner.whatif.marginal as marginal_module
from api.core.config import Settings
from tests.api.support import (
    AuthorisedTestClient,
    app_client,
    bearer,
    make_token,
    multipart_files,
    solve_until_cancelled,
    tiny_files,
    wait_for_job,
)


def _scenario(client: AuthorisedTestClient, folder: Path, region: str) -> int:
    parts = multipart_files(tiny_files(folder / region)) + [("region", (None, region.encode()))]
    created = client.post("/scenarios", files=parts)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _plan(client: AuthorisedTestClient, scenario_id: int) -> int:
    job = client.post(f"/scenarios/{scenario_id}/solve", json={"mode": "greedy", "time_limit": 5}).json()
    done = wait_for_job(client, job["id"])
    assert done["status"] == "done", done
    return done["plan_id"]


def _cancel_all(client: AuthorisedTestClient) -> None:
    for status in ("queued", "running"):
        for job in client.get("/jobs", params={"status": status}).json():
            client.post(f"/jobs/{job['id']}/cancel")


@pytest.fixture
def blocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """An app with one runner, a share of two queued jobs per region, a plan of Twente, and the runner held
    by a Twente solve that runs until cancelled (so every later job waits in the queue)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        max_concurrent_solves=1, max_queued_jobs=20, max_queued_jobs_per_region=2,
                        default_time_limit=20, rate_limit_per_second=1000, rate_limit_burst=1000)
    with app_client(settings) as client:
        twente, zwolle = _scenario(client, tmp_path, "Twente"), _scenario(client, tmp_path, "Zwolle")
        plan = _plan(client, twente)
        monkeypatch.setattr(solve_package, "solve_watched", solve_until_cancelled)
        url = settings.database_url
        tokens = {"twente": bearer(make_token(url, "Consortium Twente", "editor", ("Twente",))),
                  "zwolle": bearer(make_token(url, "Consortium Zwolle", "editor", ("Zwolle",))),
                  "analyst": bearer(make_token(url, "SBB", "analyst"))}
        running = client.post(f"/scenarios/{twente}/solve", json={}, headers=tokens["twente"])
        assert running.status_code == 202, running.text
        wait_for_job(client, running.json()["id"], statuses=("running",))
        try:
            yield {"client": client, "twente_id": twente, "zwolle_id": zwolle, "plan": plan,
                   "running": running.json()["id"], **tokens}
        finally:
            _cancel_all(client)


def test_the_marginal_ranking_is_a_queued_job_solved_by_a_runner(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    threads: list[str] = []

    def only_in_a_runner(real: Any) -> Any:
        def solve(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.current_thread().name)
            if not threading.current_thread().name.startswith("solve-runner"):
                raise AssertionError("a marginal ranking solved in the request's thread")
            return real(*args, **kwargs)
        return solve

    for name in ("capacity_spots", "verify_spots"):
        monkeypatch.setattr(marginal_module, name, only_in_a_runner(getattr(marginal_module, name)))
    with app_client(settings) as client:
        plan = _plan(client, _scenario(client, tmp_path, "Twente"))
        queued = client.post(f"/plans/{plan}/marginal", json={"top": 2, "verify": 1, "time_limit": 5})
        assert queued.status_code == 202, queued.text
        job = queued.json()
        assert job["kind"] == "marginal" and queued.headers["Location"] == f"/jobs/{job['id']}"
        assert job["status"] in ("queued", "running")
        done = wait_for_job(client, job["id"])
        assert done["status"] == "done", done
        ranking = client.get(done["result_url"]).json()
        assert ranking["plan_id"] == plan and ranking["spots"]
        assert threads and all(name.startswith("solve-runner") for name in threads)
        assert client.get(f"/jobs/{job['id']}/sweep").status_code == 409  # a marginal job has no comparison


def test_a_region_filling_its_share_does_not_stop_another_regions_solve(blocked: dict[str, Any]) -> None:
    client, twente, zwolle = blocked["client"], blocked["twente_id"], blocked["zwolle_id"]
    waiting = [client.post(f"/scenarios/{twente}/solve", json={}, headers=blocked["twente"]) for _ in range(2)]
    assert [r.status_code for r in waiting] == [202, 202]
    refused = client.post(f"/scenarios/{twente}/solve", json={}, headers=blocked["twente"])
    assert refused.status_code == 429, refused.text
    assert "region Twente" in refused.json()["detail"] and "max_queued_jobs_per_region=2" in refused.json()["detail"]
    assert "share" in refused.json()["detail"] and int(refused.headers["Retry-After"]) >= 1
    dutch = client.post(f"/scenarios/{twente}/solve", json={}, headers={**blocked["twente"], "Accept-Language": "nl"})
    assert dutch.status_code == 429 and "regio Twente" in dutch.json()["detail"]
    assert "aandeel" in dutch.json()["detail"]

    other = client.post(f"/scenarios/{zwolle}/solve", json={}, headers=blocked["zwolle"])
    assert other.status_code == 202, other.text
    # The runner takes the shares in turn: Zwolle's job starts before Twente's older ones.
    client.post(f"/jobs/{blocked['running']}/cancel")
    wait_for_job(client, other.json()["id"], statuses=("running",), timeout=30)
    assert [client.get(f"/jobs/{r.json()['id']}").json()["status"] for r in waiting] == ["queued", "queued"]


def test_cross_region_work_has_a_share_of_its_own(blocked: dict[str, Any]) -> None:
    client, plan = blocked["client"], blocked["plan"]
    for _ in range(2):
        assert client.post(f"/scenarios/{blocked['twente_id']}/solve", json={}, headers=blocked["twente"]).status_code == 202
    assert client.post(f"/scenarios/{blocked['twente_id']}/solve", json={}, headers=blocked["twente"]).status_code == 429

    # Twente's share is full; the analysts' cross-region share is not.
    ranked = [client.post(f"/plans/{plan}/marginal", json={"verify": 0}, headers=blocked["analyst"]) for _ in range(2)]
    assert [r.status_code for r in ranked] == [202, 202], ranked[0].text
    full = client.post(f"/plans/{plan}/marginal", json={"verify": 0}, headers=blocked["analyst"])
    assert full.status_code == 429 and "cross-region" in full.json()["detail"]
    # Admins share it with the analysts; the regions' shares are not touched by it.
    assert client.post(f"/scenarios/{blocked['zwolle_id']}/solve", json={}).status_code == 429
    assert client.post(f"/scenarios/{blocked['zwolle_id']}/solve", json={}, headers=blocked["zwolle"]).status_code == 202


def test_slow_file_requests_do_not_exhaust_a_small_database_pool(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        request_threads=8, rate_limit_per_second=1000, rate_limit_burst=1000)
    drawn = threading.Event()

    def slow_map(plan: Any, loaded: Any, path: Path, **_options: Any) -> None:
        time.sleep(3)  # a large map; every other request for it waits for this one
        Path(path).write_text("<html>map</html>", encoding="utf-8")
        drawn.set()

    with app_client(settings) as client:
        plan = _plan(client, _scenario(client, tmp_path, "Twente"))
        monkeypatch.setattr(maps, "write_plan_map", slow_map)
        client.app.state.db.engine.pool._timeout = 1.0  # a thread waiting a second for a connection fails its request
        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(lambda _i: client.get(f"/plans/{plan}/map"), range(50)))
        assert drawn.is_set()
        assert [r.status_code for r in answers] == [200] * 50, {r.status_code for r in answers}
        assert client.app.state.db.engine.pool.size() == settings.db_pool_size
