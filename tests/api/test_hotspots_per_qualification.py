"""Hotspots per qualification: a cell split per crebo or family, one qualification's cohorts only; an unknown
crebo in the filter is a 422 with the closest one."""

from __future__ import annotations

import warnings
from pathlib import Path

from api.core.config import Settings
from api.main import create_app
from planner.plan import analysis
from planner.scenario import save_scenario
from planner.solve import SolveParams, solve
from tests.api.support import bearer, make_token, multipart_files, wait_for_job
from tests.builders import CARE, HELPER, OLD_CARE, recognised_scenario

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_hotspot_cells_per_crebo_and_family() -> None:
    plan = solve(recognised_scenario(unrecognised=True),
                 SolveParams(mode="status-quo", time_limit=30, seed=0, baselines=False)).plan
    assert {cp.cohort: cp.unplaced for cp in plan.cohorts} == {"care": 0, "helper": 2, "old": 3}
    by_crebo = analysis.rank_hotspots([analysis.PlanCells(1, "Twente", analysis.hotspot_cells(plan, "crebo"), {})], 10)
    assert [(c["area"], c["level"], c["qualification"], c["qualification_name"], c["unplaced"]) for c in by_crebo] == [
        ("Enschede", "3", OLD_CARE, "Verzorgende IG", 3), ("Enschede", "2", HELPER, "Helpende Zorg en Welzijn", 2)]
    assert by_crebo[0]["weeks"] == ["2026-W40", "2026-W41", "2026-W42", "2026-W43"]
    by_family = analysis.hotspot_cells(plan, "family")
    assert {key: cell.unplaced for key, cell in by_family.items()} == {
        ("Enschede", "zorg", "3", "verpleging"): 3, ("Enschede", "zorg", "2", "verpleging"): 2}
    # One crebo's cohorts only, per (area, sector chamber, level): the care crebo has no hotspot.
    assert analysis.hotspot_cells(plan, "cell", CARE) == {}
    assert {k: c.unplaced for k, c in analysis.hotspot_cells(plan, "cell", HELPER).items()} == {
        ("Enschede", "zorg", "2"): 2}


def test_the_hotspot_routes_group_and_filter_per_qualification(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    folder = tmp_path / "recognised"
    folder.mkdir()
    path = save_scenario(recognised_scenario(unrecognised=True), folder / "scenario.yaml", tables_as_csv=True)
    with TestClient(create_app(settings)) as client:
        api = TestClient(client.app, headers=bearer(make_token(settings.database_url, "admin", "admin")))
        scenario = api.post("/scenarios", files=multipart_files(path) + [("region", (None, b"Twente"))]).json()["id"]
        job = api.post(f"/scenarios/{scenario}/solve", json={"mode": "status-quo", "time_limit": 10}).json()
        plan = wait_for_job(api, job["id"])["plan_id"]
        cells = api.get(f"/plans/{plan}/hotspots", params={"by": "crebo"}).json()["cells"]
        assert [(c["qualification"], c["qualification_name"], c["unplaced"]) for c in cells] == [
            (OLD_CARE, "Verzorgende IG", 3), (HELPER, "Helpende Zorg en Welzijn", 2)]
        only = api.get("/hotspots", params={"qualification": HELPER}).json()["cells"]
        assert [(c["region"], c["level"], c["unplaced"], c["qualification"]) for c in only] == [("Twente", "2", 2, None)]
        family = api.get("/hotspots", params={"by": "family", "qualification": "verpleging"}).json()["cells"]
        assert [(c["qualification"], c["unplaced"]) for c in family] == [("verpleging", 3), ("verpleging", 2)]
        bad = api.get(f"/plans/{plan}/hotspots", params={"qualification": "25941"})
        assert bad.status_code == 422 and "25491 (Verzorgende IG)" in bad.text


def test_the_sbb_page_shows_hotspots_per_qualification(tmp_path: Path) -> None:
    from tests.web.support import sign_in

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    folder = tmp_path / "recognised"
    folder.mkdir()
    path = save_scenario(recognised_scenario(unrecognised=True), folder / "scenario.yaml", tables_as_csv=True)
    with TestClient(create_app(settings)) as client:
        token = make_token(settings.database_url, "admin", "admin")
        api = TestClient(client.app, headers=bearer(token))
        scenario = api.post("/scenarios", files=multipart_files(path) + [("region", (None, b"Twente"))]).json()["id"]
        wait_for_job(api, api.post(f"/scenarios/{scenario}/solve", json={"mode": "status-quo", "time_limit": 10}
                                   ).json()["id"])
        assert sign_in(client, token).status_code == 303
        page = client.get("/web/sbb", params={"by": "crebo"}).text
        assert "<th>Kwalificatie</th>" in page and "<td>Helpende Zorg en Welzijn (25498)</td>" in page
        only = client.get("/web/sbb", params={"qualification": HELPER}).text
        assert "Helpende Zorg" not in only and only.count("<tr><td class=\"num\">") == 1
        bad = client.get("/web/sbb", params={"qualification": "<b>x</b>"})
        assert bad.status_code == 422 and "<b>x</b>" not in bad.text
