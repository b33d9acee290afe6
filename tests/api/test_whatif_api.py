"""The what-if routes: variants stored with their base, a small sweep, the marginal value of a place; roles."""

from __future__ import annotations

from pathlib import Path

from api.core.config import Settings
from tests.api.support import app_client, bearer, make_token, multipart_files, tiny_files, wait_for_job

MORE_K1 = {"name": "k1 +3", "changes": [{"kind": "add_capacity", "companies": {"ids": "k1"}, "places": 3}]}


def test_variants_sweep_and_marginal(tmp_path: Path) -> None:
    # Three jobs are followed by polling (20 requests a second): above the default per-token rate.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    with app_client(settings) as client:
        parts = multipart_files(tiny_files(tmp_path / "tiny")) + [("region", (None, b"Twente"))]
        sid = client.post("/scenarios", files=parts).json()["id"]

        created = client.post(f"/scenarios/{sid}/variants", json=MORE_K1)
        assert created.status_code == 201, created.text
        variant = created.json()
        assert variant["scenario_version"] == 1 and variant["changed"]["companies_changed"] == ["k1"]
        assert client.get(f"/variants/{variant['id']}").json()["name"] == "k1 +3"
        assert [v["id"] for v in client.get(f"/scenarios/{sid}/variants").json()] == [variant["id"]]

        # (A window moved past the school year is clamped to it since, so it no longer makes a bad variant.)
        bad = client.post(f"/scenarios/{sid}/variants", json={"name": "nowhere", "changes": [
            {"kind": "scale_inflow", "cohorts": {"area": "Zwolle"}, "factor": 2}]})
        assert bad.status_code == 422
        assert "variant 'nowhere'" in bad.json()["detail"][0]["text"]
        assert "change 1 (scale_inflow)" in bad.json()["detail"][0]["text"]

        too_long = client.post(f"/scenarios/{sid}/sweep", json={"variant_ids": [variant["id"]], "time_limit": 1e6})
        assert too_long.status_code == 422 and "time_limit" in too_long.text
        too_many = client.post(f"/scenarios/{sid}/sweep", json={"variant_ids": [variant["id"]] * 9})
        assert too_many.status_code == 422
        started = client.post(f"/scenarios/{sid}/sweep", json={"variant_ids": [variant["id"]], "mode": "status-quo",
                                                               "time_limit": 30, "work_limit": 5})
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["kind"] == "sweep" and job["sweep"] == {"total": 2, "done": 0, "running": 0, "failed": 0,
                                                         "running_names": []}
        assert started.headers["Location"] == f"/jobs/{job['id']}"
        done = wait_for_job(client, job["id"])
        assert done["status"] == "done", done
        assert done["sweep"]["done"] == 2 and done["sweep"]["failed"] == 0
        assert done["result_url"] == f"/jobs/{job['id']}/sweep"
        swept = client.get(done["result_url"])
        assert swept.status_code == 200, swept.text
        rows = {r["name"]: r for r in swept.json()["rows"]}
        assert rows["k1 +3"]["unplaced_diff"] < 0 and rows["base"]["ok"]
        assert rows["k1 +3"]["objective"] <= rows["base"]["objective"]
        assert swept.json()["explanations"]["k1 +3"]["cells"]

        job = client.post(f"/scenarios/{sid}/solve", json={"mode": "status-quo", "time_limit": 5}).json()
        plan_job = job["id"]
        plan_id = wait_for_job(client, job["id"])["plan_id"]
        queued = client.post(f"/plans/{plan_id}/marginal", json={"top": 3, "verify": 1, "time_limit": 5})
        assert queued.status_code == 202, queued.text
        assert queued.json()["kind"] == "marginal"
        ranked_job = wait_for_job(client, queued.json()["id"])
        assert ranked_job["status"] == "done" and ranked_job["result_url"] == f"/jobs/{ranked_job['id']}/marginal"
        ranked = client.get(ranked_job["result_url"])
        assert ranked.status_code == 200 and ranked.json()["plan_id"] == plan_id
        top = ranked.json()["spots"][0]
        assert top["realised"] is not None and top["realised"] > 0
        assert client.get(f"/jobs/{plan_job}/sweep").status_code == 409  # a solve job has no comparison

        reader = bearer(make_token(settings.database_url, "reader", "reader", ("Twente",)))
        assert client.get(f"/variants/{variant['id']}", headers=reader).status_code == 200
        assert client.post(f"/scenarios/{sid}/variants", json=MORE_K1, headers=reader).status_code == 403
        assert client.post(f"/plans/{plan_id}/marginal", headers=reader).status_code == 403
        assert client.post(f"/scenarios/{sid}/sweep", json={"variant_ids": [variant["id"]]},
                           headers=reader).status_code == 403
        assert client.get(f"/jobs/{done['id']}/sweep", headers=reader).status_code == 200
        outsider = bearer(make_token(settings.database_url, "outsider", "reader", ("Elders",)))
        assert client.get(f"/variants/{variant['id']}", headers=outsider).status_code == 403
        assert client.get(f"/jobs/{done['id']}/sweep", headers=outsider).status_code == 403


def test_a_sweep_starts_from_the_best_stored_plan(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    with app_client(settings) as client:
        parts = multipart_files(tiny_files(tmp_path / "tiny")) + [("region", (None, b"Twente"))]
        sid = client.post("/scenarios", files=parts).json()["id"]
        solved = wait_for_job(client, client.post(f"/scenarios/{sid}/solve", json={
            "mode": "status-quo", "time_limit": 5}).json()["id"])
        plan = client.get(f"/plans/{solved['plan_id']}").json()
        variant = client.post(f"/scenarios/{sid}/variants", json=MORE_K1).json()
        assert variant["summary"] == ["adds 3 supervision places at 1 learning company (Care, welfare and sport; "
                                      "Enschede)"]
        job = client.post(f"/scenarios/{sid}/sweep", json={"variant_ids": [variant["id"]], "mode": "status-quo",
                                                           "time_limit": 30, "work_limit": 5}).json()
        done = wait_for_job(client, job["id"])
        assert done["status"] == "done", done
        table = client.get(done["result_url"]).json()
        rows = {r["name"]: r for r in table["rows"]}
        # The base row is the stored plan itself, not a new solve.
        assert table["base_plan_id"] == solved["plan_id"] and rows["base"]["source"] == "stored plan"
        assert rows["base"]["objective"] == plan["kpis"]["objective"] and rows["base"]["wall_seconds"] == 0.0
        assert rows["k1 +3"]["effect_high"] <= 0 and "effect_touched" in rows["k1 +3"]
        assert rows["k1 +3"]["bound"] <= rows["k1 +3"]["objective"]
