"""The trade-off routes: a plan's curve as a queued job, a point made the proposal; roles."""

from __future__ import annotations

from pathlib import Path

from api.core.config import Settings
from tests.api.support import app_client, bearer, make_token, multipart_files, tiny_files, wait_for_job


def test_tradeoff_curve_and_a_point_made_the_proposal(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    with app_client(settings) as client:
        parts = multipart_files(tiny_files(tmp_path / "tiny")) + [("region", (None, b"Twente"))]
        sid = client.post("/scenarios", files=parts).json()["id"]
        job = client.post(f"/scenarios/{sid}/solve", json={"mode": "optimise", "time_limit": 10}).json()
        plan_id = wait_for_job(client, job["id"])["plan_id"]
        plan = client.get(f"/plans/{plan_id}").json()
        assert client.get(f"/plans/{plan_id}/tradeoff").status_code == 404  # none yet

        queued = client.post(f"/plans/{plan_id}/tradeoff", json={"points": 10, "nodes": 500})
        assert queued.status_code == 202, queued.text
        assert queued.json()["kind"] == "tradeoff"
        done = wait_for_job(client, queued.json()["id"])
        assert done["status"] == "done" and done["result_url"] == f"/plans/{plan_id}/tradeoff?job={done['id']}"
        assert client.get(done["result_url"]).json()["job_id"] == done["id"]
        curve = client.get(f"/plans/{plan_id}/tradeoff")
        assert curve.status_code == 200, curve.text
        points = curve.json()["points"]
        assert points[0]["max_changed"] == 0 and points[0]["changed"] == 0 and points[0]["moved"] == 0
        shortages = [p["shortage"] for p in points]
        assert shortages == sorted(shortages, reverse=True)  # non-increasing
        assert shortages[-1] <= plan["kpis"]["objective"]
        assert all(p["bound"] <= p["shortage"] and p["changed"] <= p["max_changed"] for p in points)
        assert all(p["gap"] == max(0.0, p["shortage"] - p["bound"]) / max(p["shortage"], 1.0) for p in points)

        reader = bearer(make_token(settings.database_url, "reader", "reader", ("Twente",)))
        assert client.get(f"/plans/{plan_id}/tradeoff", headers=reader).status_code == 200
        last = points[-1]["max_changed"]
        assert client.post(f"/plans/{plan_id}/tradeoff/{last}/proposal", headers=reader).status_code == 403
        assert client.post(f"/plans/{plan_id}/tradeoff/{last + 50}/proposal").status_code == 404

        middle = points[len(points) // 2]
        proposed = client.post(f"/plans/{plan_id}/tradeoff/{middle['max_changed']}/proposal")
        assert proposed.status_code == 201, proposed.text
        new_id = proposed.json()["id"]
        assert new_id != plan_id and proposed.headers["Location"] == f"/plans/{new_id}"
        made = client.get(f"/plans/{new_id}").json()
        assert made["kpis"]["objective"] == middle["shortage"]
        assert made["kpis"]["cohorts_changed"] == middle["changed"]
        assert made["baselines"]["status-quo"]["objective"] == plan["baselines"]["status-quo"]["objective"]
        assert client.get(f"/plans/{plan_id}/tradeoff").json()["proposals"] == {str(middle["max_changed"]): new_id}
