"""End-to-end tests of the HTTP API: a real uvicorn server in a subprocess, a real HTTP client,
on SQLite and on PostgreSQL (see conftest.py and support.py)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import yaml

import planner.solve as solve_package
from api.core.config import Settings
from planner.i18n import use_language
from planner.model import load_scenario
from planner.scenario import ScenarioError
from tests.api.support import (
    SQLITE_FAST,
    TWENTE,
    ApiServer,
    app_client,
    multipart_files,
    solve_until_cancelled,
    tiny_files,
    wait_for_job,
)


def _upload(client: httpx.Client, scenario_path: Path, region: str) -> dict:
    response = client.post("/scenarios", params={"region": region}, files=multipart_files(scenario_path))
    assert response.status_code == 201, response.text
    return response.json()


def _solve(client: httpx.Client, scenario_id: int, **request) -> dict:
    response = client.post(f"/scenarios/{scenario_id}/solve", json=request)
    assert response.status_code == 202, response.text
    return response.json()


def test_end_to_end(api_server: ApiServer, tmp_path: Path) -> None:
    """Upload, version, solve, read the plan and its parts, hotspots, map, agreement, deviations."""
    default = TWENTE.is_file()
    scenario_path = TWENTE if default else tiny_files(tmp_path / "tiny")
    with api_server.client() as client:
        created = _upload(client, scenario_path, "Twente")
        sid = created["id"]
        assert created["version"] == 1 and created["region"] == "Twente"
        assert created["source_format"] == "multipart"
        expected = load_scenario(scenario_path).scenario
        assert created["cohorts"] == len(expected.cohorts) and created["students"] == sum(c.students for c in expected.cohorts)
        assert isinstance(created["document"]["cohorts"], list)  # tables stored inline
        assert [s["id"] for s in client.get("/scenarios", params={"region": "Twente"}).json()] == [sid]

        # A new version (what-if: one more supervision place at every company) keeps the old one.
        document = created["document"]
        for company in document["companies"]:
            company["places"] += 1
        replaced = client.put(f"/scenarios/{sid}", json=document)
        assert replaced.status_code == 200, replaced.text
        assert replaced.json()["version"] == 2 and replaced.json()["region"] == "Twente"
        versions = client.get(f"/scenarios/{sid}/versions").json()
        assert [v["version"] for v in versions] == [1, 2]
        old = client.get(f"/scenarios/{sid}/versions/1").json()
        assert old["document"]["companies"][0]["places"] == document["companies"][0]["places"] - 1
        assert client.get(f"/scenarios/{sid}").json()["version"] == 2
        assert client.get(f"/scenarios/{sid}/versions/3").status_code == 404

        # Solve version 1 (optimise) and its status quo; the API answers while the solves run.
        job = _solve(client, sid, mode="optimise", time_limit=8, version=1)
        assert job["status"] in ("queued", "running") and job["scenario_version"] == 1
        status_quo_job = _solve(client, sid, mode="status-quo", time_limit=5, version=1)
        assert client.get("/health").status_code == 200
        # ... and answered while both solves were still to end (the status quo's runs for its 5 s at least).
        assert client.get(f"/jobs/{status_quo_job['id']}").json()["status"] in ("queued", "running")
        job = wait_for_job(client, job["id"])
        assert job["status"] == "done", job
        assert job["progress"]["phase"] == "done" and job["progress"]["incumbent"] is not None
        assert job["attempts"] == 1 and job["progress"]["elapsed"] > 0
        status_quo_job = wait_for_job(client, status_quo_job["id"])
        assert status_quo_job["status"] == "done", status_quo_job

        plan_id = job["plan_id"]
        plan = client.get(f"/plans/{plan_id}").json()
        assert plan["mode"] == "optimise" and plan["region"] == "Twente" and plan["scenario_version"] == 1
        assert plan["kpis"]["students"] == plan["students"] and "status-quo" in plan["baselines"]
        assert plan["kpis"]["unplaced"] <= plan["baselines"]["status-quo"]["unplaced"] + 1e-9 or \
            plan["kpis"]["objective"] <= plan["baselines"]["status-quo"]["objective"] + 1e-6

        schedule = client.get(f"/plans/{plan_id}/schedule").json()
        assert schedule["count"] == len(expected.cohorts)
        assert sum(c["students"] for c in schedule["cohorts"]) == created["students"]
        shortages = client.get(f"/plans/{plan_id}/shortages").json()
        if shortages["cells"]:
            cell = shortages["cells"][0]
            filtered = client.get(f"/plans/{plan_id}/shortages", params={
                "sector": cell["sector"], "level": cell["level"], "week": cell["week"], "area": cell["area"]}).json()
            assert filtered["cells"] and all(c["sector"] == cell["sector"] and c["week"] == cell["week"]
                                             for c in filtered["cells"])
        bad_filter = client.get(f"/plans/{plan_id}/shortages", params={"sector": "zorgen"})
        assert bad_filter.status_code == 422 and bad_filter.json()["detail"][0]["field"] == "sector"
        utilisation = client.get(f"/plans/{plan_id}/utilisation").json()
        assert len(utilisation["totals"]) == len(plan["weeks"])

        hotspots = client.get(f"/plans/{plan_id}/hotspots", params={"limit": 5}).json()
        assert len(hotspots["cells"]) <= 5
        assert [c["unplaced"] for c in hotspots["cells"]] == sorted((c["unplaced"] for c in hotspots["cells"]),
                                                                     reverse=True)
        spots = [(c["area"], c["sector"], c["level"]) for c in hotspots["cells"]]
        assert len(spots) == len(set(spots)) and all(c["weeks"] for c in hotspots["cells"])
        everywhere = client.get("/hotspots", params={"limit": 5}).json()
        assert "Twente" in [p["region"] for p in everywhere["plans"]]

        # Files: the CLI's CSV tables and summary, charts, the map and the whole set.
        csv = client.get(f"/plans/{plan_id}/schedule.csv")
        assert csv.status_code == 200 and csv.text.startswith("cohort,institution")
        assert client.get(f"/plans/{plan_id}/shortages.csv").text.startswith("sector,sector_name")
        assert client.get(f"/plans/{plan_id}/shortage_weeks.csv").text.startswith("week,sector")
        assert client.get(f"/plans/{plan_id}/utilisation.csv").text.startswith("company,area")
        assert "#" in client.get(f"/plans/{plan_id}/summary.md").text
        assert client.get(f"/plans/{plan_id}/plan.json").json()["kpis"]["mode"] == "optimise"
        png = client.get(f"/plans/{plan_id}/charts/shortage_cells.png")
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert client.get(f"/plans/{plan_id}/charts/nonsense.png").status_code == 422
        page = client.get(f"/plans/{plan_id}/map")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<html" in page.text.lower()

        # Comparison of the status quo (a) with the optimised plan (b).
        sq_id = status_quo_job["plan_id"]
        compared = client.get("/plans/compare", params={"a": sq_id, "b": plan_id}).json()
        unplaced = next(k for k in compared["kpis"] if k["name"] == "unplaced")
        assert unplaced["difference"] == plan["kpis"]["unplaced"] - compared["a"]["unplaced"]
        assert compared["cells_better"] >= len(compared["better"])

        # The region adopts the status quo plan, then checks the optimised plan against it.
        adopted = client.post("/regions/Twente/agreements", json={"plan_id": sq_id, "note": "current periods"})
        assert adopted.status_code == 201, adopted.text
        agreement = adopted.json()
        assert agreement["current"] and agreement["scenario_version"] == 1 and agreement["plan"]["mode"] == "status-quo"
        assert client.get(f"/agreements/{agreement['id']}").json()["adopted_by"] == "test admin"  # the token's name
        wrong_region = client.post("/regions/Elders/agreements", json={"plan_id": plan_id})
        assert wrong_region.status_code == 422 and "Twente" in wrong_region.json()["detail"][0]["message"]
        deviations = client.get("/regions/Twente/agreements/current/deviations", params={"plan_id": plan_id}).json()
        changed = [c for c in schedule["cohorts"] if c["period_changed"]]
        assert deviations["cohorts_deviating"] >= len(changed) > 0
        for row in deviations["deviations"]:
            assert row["agreed"] != row["planned"] and row["changes"]
        # Without plan_id: the region's newest plan, the adopted status quo itself, deviates nowhere.
        newest = client.get("/regions/Twente/agreements/current/deviations").json()
        assert newest["plan"]["id"] == sq_id > plan_id and newest["cohorts_deviating"] == 0

        second = client.post("/regions/Twente/agreements", json={"plan_id": plan_id})
        history = client.get("/regions/Twente/agreements").json()
        assert [a["id"] for a in history] == [second.json()["id"], agreement["id"]]
        assert [a["current"] for a in history] == [True, False]
        twente = next(r for r in client.get("/regions").json() if r["region"] == "Twente")
        assert twente["current_agreement"]["plan_id"] == plan_id and twente["latest_plan"]["id"] == sq_id

        # Deleting the scenario keeps its plans and the agreements that adopted them.
        assert client.delete(f"/scenarios/{sid}").status_code == 204
        assert client.get(f"/scenarios/{sid}").status_code == 404
        assert client.delete(f"/scenarios/{sid}").status_code == 404
        assert client.get(f"/plans/{plan_id}").status_code == 200
        assert client.get(f"/agreements/{agreement['id']}").status_code == 200
        assert client.post(f"/scenarios/{sid}/solve", json={}).status_code == 404


def test_validation_errors_match_the_cli(api_server: ApiServer, tmp_path: Path) -> None:
    """422 with the CLI's file/row/field messages; 404, 409, 415 and parameter errors."""
    folder = tmp_path / "bad"
    scenario_path = tiny_files(folder)
    cohorts = (folder / "cohorts.csv").read_text().splitlines()
    header = cohorts[0].split(",")
    row = cohorts[2].split(",")
    row[header.index("students")] = "0"
    row[header.index("sector")] = "zorgg"
    cohorts[2] = ",".join(row)
    (folder / "cohorts.csv").write_text("\n".join(cohorts) + "\n")
    with use_language("en"), pytest.raises(ScenarioError) as cli:  # the client asks for English
        load_scenario(scenario_path)
    with use_language("en"):
        expected = [{"file": p.file, "where": p.place, "field": p.field, "message": p.message, "text": str(p)}
                    for p in cli.value.problems]
    assert any(p["file"] == "cohorts.csv" and p["where"] == "row 3" for p in expected)

    with api_server.client() as client:
        response = client.post("/scenarios", files=multipart_files(scenario_path))
        assert response.status_code == 422
        assert response.json()["detail"] == expected

        # JSON body: the problems name scenario.json and the row's place in the document.
        document = yaml.safe_load(scenario_path.read_text())
        document["cohorts"] = [{"id": "c1", "students": "many"}]
        document["companies"] = []
        problems = client.post("/scenarios", json=document).json()["detail"]
        texts = [p["text"] for p in problems]
        assert "scenario.json cohorts[0], students: 'many' is not a whole number" in texts
        assert "scenario.json cohorts[0], location: is required" in texts
        assert any(p["field"] is None and "has no learning companies" in p["message"] for p in problems)

        # YAML body, broken YAML, a multipart upload without the scenario part, a wrong body type.
        assert client.post("/scenarios", content=b"name: [", headers={"content-type": "application/yaml"}
                           ).json()["detail"][0]["file"] == "scenario.yaml"
        bad_date = client.post("/scenarios", content=b"name: x\ncalendar: {first_week: 2026-13-45}\n",
                               headers={"content-type": "application/yaml"})
        assert bad_date.status_code == 422 and "month must be in 1..12" in bad_date.json()["detail"][0]["message"]
        missing = client.post("/scenarios", files=[("cohorts", ("cohorts.csv", b"id\n", "text/csv"))])
        assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "scenario"
        assert client.post("/scenarios", content=b"<xml/>", headers={"content-type": "application/xml"}
                           ).status_code == 415
        assert client.post("/scenarios", content=b"{", headers={"content-type": "application/json"}
                           ).status_code == 422

        # Unknown ids are 404, malformed ones 422 with the parameter named.
        for path in ("/scenarios/999", "/jobs/999", "/plans/999", "/agreements/999", "/scenarios/999/versions",
                     "/plans/999/map", "/plans/999/schedule.csv", "/regions/Nowhere/agreements/current"):
            assert client.get(path).status_code == 404, path
        assert client.post("/jobs/999/cancel").status_code == 404
        bad = client.get("/plans/abc")
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "plan_id"
        assert client.get("/plans/compare", params={"a": 1}).json()["detail"][0]["text"] == "request query, b: is required"
        assert client.get("/scenarios/99999999999999999999").status_code == 422
        assert client.get("/regions/Nowhere/agreements").json() == []
        forged = client.post("/regions/Nowhere/agreements", json={"plan_id": 1, "adopted_by": "someone else"})
        assert forged.status_code == 422 and "token" in forged.json()["detail"][0]["message"]

        # A good scenario, then solve requests with bad options.
        good = _upload(client, tiny_files(tmp_path / "good"), "Checks")
        too_long = client.post(f"/scenarios/{good['id']}/solve", json={"time_limit": 10_000})
        assert too_long.status_code == 422 and "at most" in too_long.json()["detail"][0]["message"]
        assert client.post(f"/scenarios/{good['id']}/solve", json={"mode": "fastest"}).status_code == 422
        assert client.post(f"/scenarios/{good['id']}/solve", json={"version": 5}).status_code == 404
        done = wait_for_job(client, _solve(client, good["id"], mode="greedy", time_limit=5)["id"])
        assert done["status"] == "done"
        conflict = client.post(f"/jobs/{done['id']}/cancel")
        assert conflict.status_code == 409 and "already done" in conflict.json()["detail"]


def test_cancel_queued_and_running_jobs(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One solve at a time: the second job waits; cancelling it is immediate, the running one is stopped.

    The solve never finishes by itself (the solver's own cancel is tested with the solver), so
    the running job is always there to cancel.
    """
    monkeypatch.setattr(solve_package, "solve_watched", solve_until_cancelled)
    settings = Settings(database_url=database_url, data_dir=tmp_path / "files", max_concurrent_solves=1)
    with app_client(settings) as client:
        sid = _upload(client, tiny_files(tmp_path / "tiny"), "Queue")["id"]
        first = _solve(client, sid, time_limit=30)
        second = _solve(client, sid, time_limit=30)
        assert client.get(f"/jobs/{second['id']}").json()["queue_position"] in (1, 2)
        cancelled = client.post(f"/jobs/{second['id']}/cancel").json()
        assert cancelled["status"] == "cancelled"
        assert client.post(f"/jobs/{second['id']}/cancel").json()["status"] == "cancelled"
        running = wait_for_job(client, first["id"], statuses=("running",))
        assert running["progress"]["phase"] in ("starting", "solving")
        stopping = client.post(f"/jobs/{first['id']}/cancel")
        assert stopping.status_code == 200, stopping.text
        assert stopping.json()["cancel_requested"]
        final = wait_for_job(client, first["id"], timeout=30)
        assert final["status"] == "cancelled" and final["plan_id"] is None
        listed = client.get("/jobs", params={"status": "cancelled", "scenario_id": sid}).json()
        assert sorted(j["id"] for j in listed) == sorted([first["id"], second["id"]])


@pytest.mark.parametrize("database_url", SQLITE_FAST, indirect=True)
def test_restart_resumes_unfinished_jobs(database_url: str, tmp_path: Path) -> None:
    """Crash the server mid-job, then stop the next one gracefully mid-job: every job still finishes.

    Server A (one solve at a time) gets three jobs and is killed with SIGKILL (with its solver
    processes, like a crash) while the second one runs; the first one's plan was committed. Server B
    on the same database resumes the second job from scratch and is stopped with SIGTERM while it
    runs: the job goes back to the queue. Server C finishes both remaining jobs.
    """
    data = tmp_path / "server"
    server = ApiServer(database_url, data, MAX_CONCURRENT_SOLVES=1).start()
    try:
        with server.client() as client:
            # Twente, not the tiny scenario: its optimised plan is not proven optimal within 10 s, so the
            # second job is still running when the servers are killed and stopped (tiny is proven in 0.1 s).
            sid = _upload(client, TWENTE, "Twente")["id"]
            ids = [_solve(client, sid, mode=mode, time_limit=10)["id"] for mode in ("greedy", "optimise", "status-quo")]
            running = wait_for_job(client, ids[1], statuses=("running", "done"))
            first = client.get(f"/jobs/{ids[0]}").json()
        server.kill()
        assert running["status"] == "running", "the job finished before the server could be killed"
        assert first["status"] == "done" and first["plan_id"] is not None

        server = ApiServer(database_url, data, MAX_CONCURRENT_SOLVES=1).start()
        with server.client() as client:
            # the killed server's lease on the job runs out (JOB_LEASE_SECONDS), then it is run again
            deadline = time.monotonic() + 60
            while (resumed := client.get(f"/jobs/{ids[1]}").json())["attempts"] < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert resumed["status"] in ("running", "done") and "server stopte" in resumed["note"]
            assert client.get(f"/plans/{first['plan_id']}").status_code == 200  # the finished result survived
        server.stop()  # graceful: a running job goes back to the queue
        assert resumed["status"] == "running", "the job finished before the server could be stopped"

        server = ApiServer(database_url, data, MAX_CONCURRENT_SOLVES=1).start()
        with server.client() as client:
            jobs = [wait_for_job(client, job_id, timeout=60) for job_id in ids]
            assert [j["status"] for j in jobs] == ["done"] * 3, jobs
            assert [j["attempts"] for j in jobs] == [1, 3, 1]
            assert "server stopte" in jobs[1]["note"]
            plans = client.get("/plans", params={"scenario_id": sid}).json()
            assert sorted(p["id"] for p in plans) == sorted(j["plan_id"] for j in jobs)
            assert {p["mode"] for p in plans} == {"greedy", "optimise", "status-quo"}
    finally:
        server.stop()


def test_map_and_artifacts_are_cached_per_language(tmp_path: Path) -> None:
    """A map (chart, result set) made for a Dutch request is not served to an English one, nor the other way."""
    import io
    import zipfile

    from maps import embedded_payload

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files")
    with app_client(settings) as client:
        sid = _upload(client, tiny_files(tmp_path / "tiny"), "Twente")["id"]
        done = wait_for_job(client, _solve(client, sid, mode="status-quo", time_limit=5)["id"])
        assert done["status"] == "done", done
        plan_id = done["plan_id"]
        del client.headers["Accept-Language"]  # the test client asks for English; a request without: Dutch

        def map_of(**request) -> tuple[str, dict]:
            response = client.get(f"/plans/{plan_id}/map", **request)
            assert response.status_code == 200, response.text
            return response.text, embedded_payload(response.text)

        dutch_html, dutch = map_of()
        english_html, english = map_of(headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert (dutch["lang"], english["lang"]) == ("nl", "en")
        assert '<html lang="nl">' in dutch_html and '<html lang="en">' in english_html
        assert dutch["text"]["title_count"] == "Studenten zonder stageplaats"
        assert english["text"]["title_count"] == "Students without an internship place"
        assert english["plans"][0]["label"] == "Status quo (current periods)"
        assert map_of(params={"lang": "en"})[1]["lang"] == "en"
        assert map_of(params={"lang": "nl"}, headers={"Accept-Language": "en"})[1]["lang"] == "nl"
        assert map_of()[0] == dutch_html  # the Dutch file is still the Dutch one, from the cache

        # Charts and the whole result set are cached per language too.
        dutch_png = client.get(f"/plans/{plan_id}/charts/shortage_cells.png").content
        english_png = client.get(f"/plans/{plan_id}/charts/shortage_cells.png", params={"lang": "en"}).content
        assert dutch_png.startswith(b"\x89PNG") and english_png.startswith(b"\x89PNG") and dutch_png != english_png
        assert client.get(f"/plans/{plan_id}/charts/shortage_cells.png").content == dutch_png

        def zipped_summary(**request) -> str:
            response = client.get(f"/plans/{plan_id}/outputs.zip", **request)
            assert response.status_code == 200, response.text
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                return archive.read(f"plan-{plan_id}/summary.md").decode("utf-8")

        dutch_summary = zipped_summary()
        english_summary = zipped_summary(headers={"Accept-Language": "en"})
        assert dutch_summary != english_summary
        assert english_summary.splitlines()[0] == client.get(f"/plans/{plan_id}/summary.md",
                                                             params={"lang": "en"}).text.splitlines()[0]
        assert dutch_summary.splitlines()[0] == client.get(f"/plans/{plan_id}/summary.md").text.splitlines()[0]
        assert zipped_summary() == dutch_summary
        cached = {p.name for p in (settings.data_dir / "plans").rglob("*") if p.is_file()}
        assert {"map-nl.html", "map-en.html", "shortage_cells-nl.png", "shortage_cells-en.png",
                f"plan-{plan_id}-nl.zip", f"plan-{plan_id}-en.zip"} <= cached
