"""The marginal value per qualification: one more place for crebo X in area Y, ranked per crebo (or family)
and area, named from the catalogue, verified with a place that only that qualification's students may use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.scenario import save_scenario
from planner.solve import SolveParams, solve
from planner.whatif.marginal import capacity_spots, verify_spots
from planner.whatif.qualification_changes import AddQualificationPlaces
from tests.builders import CARE, HELPER, cohort, company, make_scenario


def shared_home():
    """A care home at Enschede recognised for the care and the helpers' crebo, 2 places, for 4 care students
    (weight 1.5 each) and 4 helpers (weight 3 each): the status quo places 2 helpers."""
    return make_scenario(
        [cohort("care", 4, crebo=CARE), cohort("helper", 4, crebo=HELPER, level="2")],
        [{**company("k1", 2), "name": "Verpleeghuis Enschede 1", "recognitions": [CARE, HELPER]}])


def test_one_more_place_per_crebo_and_area_is_ranked_and_verified() -> None:
    scenario = shared_home()
    params = SolveParams(mode="status-quo", time_limit=10, seed=0, baselines=False)
    plan = solve(scenario, params).plan
    assert {cp.cohort: cp.unplaced for cp in plan.cohorts} == {"care": 4, "helper": 2}
    per_place = capacity_spots(scenario, plan, "status-quo", top=5)
    assert [(s.company, s.qualification, s.estimate) for s in per_place] == [("k1", None, 3.0)]
    spots = capacity_spots(scenario, plan, "status-quo", top=5, per="crebo")
    assert [(s.qualification, s.qualification_name, s.area, s.estimate) for s in spots] == [
        (HELPER, "Helpende Zorg en Welzijn", "Enschede", 3.0), (CARE, "Verzorgende IG", "Enschede", 1.5)]
    assert isinstance(spots[1].change(), AddQualificationPlaces) and spots[1].target(scenario) == f"k1/+{CARE}"
    # Re-solved with the place for the care crebo only: one care student more, not a helper.
    verify_spots(scenario, plan, spots, params, verify=2)
    assert {s.qualification: s.realised for s in spots} == {HELPER: pytest.approx(3.0), CARE: pytest.approx(1.5)}
    assert all(s.verified_status == "optimal" for s in spots)
    family = capacity_spots(scenario, plan, "status-quo", top=5, per="family")
    assert [(s.qualification, s.qualification_name) for s in family] == [("verpleging", "Verpleging en verzorging")]


def test_the_marginal_command_ranks_per_crebo_with_names(tmp_path: Path) -> None:
    path = save_scenario(shared_home(), tmp_path / "scenario.yaml", tables_as_csv=True)
    result = CliRunner().invoke(app, ["marginal", str(path), "-o", str(tmp_path / "m"), "--time-limit", "10",
                                      "--top", "3", "--verify", "1", "--workers", "0", "--per", "crebo"])
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "m" / "marginal.json").read_text(encoding="utf-8"))["spots"]
    assert [(r["qualification"], r["realised"]) for r in rows] == [(HELPER, 3.0), (CARE, None)]
    text = (tmp_path / "m" / "marginal.md").read_text(encoding="utf-8")
    assert "| 1 | Verpleeghuis Enschede 1 | Enschede |" in text and "alleen Helpende Zorg en Welzijn (25498)" in text
    assert "alleen Verzorgende IG (25491)" in text
    bad = CliRunner().invoke(app, ["marginal", str(path), "-o", str(tmp_path / "x"), "--per", "kwalificatie"])
    assert bad.exit_code == 2


def test_the_marginal_route_ranks_per_crebo(tmp_path: Path) -> None:
    import warnings

    from api.core.config import Settings
    from api.main import create_app
    from tests.api.support import bearer, make_token, multipart_files, wait_for_job

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    path = save_scenario(shared_home(), tmp_path / "scenario.yaml", tables_as_csv=True)
    with TestClient(create_app(settings)) as client:
        api = TestClient(client.app, headers=bearer(make_token(settings.database_url, "admin", "admin")))
        scenario = api.post("/scenarios", files=multipart_files(path) + [("region", (None, b"Twente"))]).json()["id"]
        plan = wait_for_job(api, api.post(f"/scenarios/{scenario}/solve", json={"mode": "status-quo",
                                                                                "time_limit": 10}).json()["id"])
        queued = api.post(f"/plans/{plan['plan_id']}/marginal", json={"top": 3, "verify": 2, "per": "crebo"})
        assert queued.status_code == 202, queued.text
        done = wait_for_job(api, queued.json()["id"])
        spots = api.get(done["result_url"]).json()["spots"]
        assert [(s["qualification"], s["qualification_name"], s["realised"]) for s in spots] == [
            (HELPER, "Helpende Zorg en Welzijn", 3.0), (CARE, "Verzorgende IG", 1.5)]
        assert api.post(f"/plans/{plan['plan_id']}/marginal", json={"per": "sector"}).status_code == 422
