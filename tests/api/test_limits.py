"""Bounded work and safe output: a full queue answers 429, jobs do not cost a thread each,
CSV downloads neutralise formulas, files come with their content types, caches are keyed by content."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest
import yaml

import planner.solve as solve_package
from api.core.config import Settings
from planner.scenario import Scenario, save_scenario, scenario_document
from tests.api.support import app_client, multipart_files, solve_until_cancelled, tiny_files, wait_for_job
from tests.builders import tiny_scenario


def test_a_full_queue_answers_429_with_retry_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_package, "solve_watched", solve_until_cancelled)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        max_concurrent_solves=1, max_queued_jobs=3, default_time_limit=20)
    with app_client(settings) as client:
        sid = client.post("/scenarios", files=multipart_files(tiny_files(tmp_path / "tiny"))).json()["id"]
        threads_before = threading.active_count()
        running = client.post(f"/scenarios/{sid}/solve", json={}).json()
        wait_for_job(client, running["id"], statuses=("running",))
        queued = [client.post(f"/scenarios/{sid}/solve", json={}) for _ in range(3)]
        assert [r.status_code for r in queued] == [202] * 3
        refused = client.post(f"/scenarios/{sid}/solve", json={})
        assert refused.status_code == 429, refused.text
        assert "max_queued_jobs=3" in refused.json()["detail"]
        assert int(refused.headers["Retry-After"]) >= 20 * 3
        assert threading.active_count() <= threads_before + 2, "waiting jobs must not hold threads"
        # room again once a queued job is cancelled; the running one stops when cancelled too
        assert client.post(f"/jobs/{queued[0].json()['id']}/cancel").json()["status"] == "cancelled"
        assert client.post(f"/scenarios/{sid}/solve", json={}).status_code == 202
        client.post(f"/jobs/{running['id']}/cancel")
        assert wait_for_job(client, running["id"], timeout=30)["status"] == "cancelled"
        for job in client.get("/jobs", params={"status": "queued"}).json():
            client.post(f"/jobs/{job['id']}/cancel")
        assert client.get("/jobs", params={"status": "queued"}).json() == []


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A server with a solved plan whose cohort id and company id are spreadsheet formulas."""
    folder = tmp_path_factory.mktemp("limits")
    document = scenario_document(tiny_scenario())
    document["cohorts"][0]["id"] = "=cmd|' /C calc'!A0"
    document["companies"][0]["id"] = "@SUM(1+1)"
    for row in document["cohorts"]:
        if row.get("company") == tiny_scenario().companies[0].id:
            row["company"] = "@SUM(1+1)"
    path = save_scenario(Scenario.model_validate(document), folder / "tiny" / "scenario.yaml", tables_as_csv=True)
    settings = Settings(database_url=f"sqlite:///{folder / 'api.sqlite3'}", data_dir=folder / "files")
    with app_client(settings) as client:
        created = client.post("/scenarios", files=multipart_files(path))
        assert created.status_code == 201, created.text
        job = client.post(f"/scenarios/{created.json()['id']}/solve", json={"mode": "greedy", "time_limit": 5})
        done = wait_for_job(client, job.json()["id"])
        assert done["status"] == "done", done
        yield client, done["plan_id"], settings


def test_csv_downloads_neutralise_formulas(solved) -> None:  # noqa: ANN001
    client, plan_id, _ = solved
    response = client.get(f"/plans/{plan_id}/schedule.csv")
    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.text, newline="")) for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for table in ("shortages", "utilisation"):
        text = client.get(f"/plans/{plan_id}/{table}.csv").text
        assert not [c for row in csv.reader(io.StringIO(text, newline="")) for c in row if c[:1] in "=+-@"]


def test_files_come_with_their_content_types(solved) -> None:  # noqa: ANN001
    client, plan_id, _ = solved
    expected = {
        f"/plans/{plan_id}/schedule.csv": "text/csv; charset=utf-8",
        f"/plans/{plan_id}/plan.json": "application/json",
        f"/plans/{plan_id}/outputs.zip": "application/zip",
        f"/plans/{plan_id}/charts/shortage_cells.png": "image/png",
        f"/plans/{plan_id}/map": "text/html; charset=utf-8",
        f"/plans/{plan_id}/summary.md": "text/plain; charset=utf-8",
    }
    for path, media_type in expected.items():
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert response.headers["content-type"] == media_type, path
    assert client.get(f"/plans/{plan_id}/outputs.zip").content[:2] == b"PK"
    assert client.get(f"/plans/{plan_id}/charts/shortage_cells.png").content[:4] == b"\x89PNG"


def test_two_databases_sharing_a_data_folder_serve_their_own_files(tmp_path: Path) -> None:
    """Plan 1 of one database is never served for plan 1 of another (the cache is keyed by content)."""
    shared = tmp_path / "files"
    texts = []
    for name, students in (("one", 10), ("two", 17)):
        document = scenario_document(tiny_scenario())
        document["cohorts"][0]["students"] = students
        path = tmp_path / name / "scenario.yaml"
        path.parent.mkdir()
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        settings = Settings(database_url=f"sqlite:///{tmp_path / name / 'api.sqlite3'}", data_dir=shared)
        with app_client(settings) as client:
            sid = client.post("/scenarios", content=path.read_bytes(),
                              headers={"content-type": "application/yaml"}).json()["id"]
            job = client.post(f"/scenarios/{sid}/solve", json={"mode": "greedy", "time_limit": 5}).json()
            plan_id = wait_for_job(client, job["id"])["plan_id"]
            assert plan_id == 1
            summary = client.get(f"/plans/{plan_id}/outputs.zip")
            assert summary.status_code == 200
            texts.append((client.get(f"/plans/{plan_id}/map").content, summary.content))
    assert texts[0][0] != texts[1][0] and texts[0][1] != texts[1][1]


def test_cancel_reaches_the_watchdog_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A solve that overran is replaced by the fallback in another worker process; cancel stops that too."""
    from planner.solve import SolveError, SolveParams, runner, solve_watched

    phases: list[str] = []
    real = runner._run_in_process

    def recording(scenario, params, *args):  # noqa: ANN001, ANN002, ANN202
        phases.append(params.mode)
        return real(scenario, params, *args)

    monkeypatch.setattr(runner, "_run_in_process", recording)
    with pytest.raises(SolveError, match="cancelled"):
        solve_watched(tiny_scenario(), SolveParams("optimise", time_limit=0.01), grace=-0.01,
                      cancel=lambda: phases[-1:] == ["greedy"])
    assert phases == ["optimise", "greedy"]
