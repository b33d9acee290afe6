"""What changes per institution and why students stay unplaced, over the API (the app in this process)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.core.config import Settings
from tests.api.support import app_client, multipart_files, tiny_files, wait_for_job


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    tmp_path: Path = tmp_path_factory.mktemp("changes-api")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", data_dir=tmp_path / "files")
    with app_client(settings) as client:
        parts = multipart_files(tiny_files(tmp_path / "tiny")) + [("region", (None, b"Twente"))]
        created = client.post("/scenarios", files=parts)
        assert created.status_code == 201, created.text
        job = client.post(f"/scenarios/{created.json()['id']}/solve", json={"mode": "status-quo", "time_limit": 5})
        assert job.status_code == 202, job.text
        done = wait_for_job(client, job.json()["id"])
        assert done["status"] == "done", done
        yield client, done["plan_id"]


def test_changes_json_per_institution(solved):
    client, plan_id = solved
    response = client.get(f"/plans/{plan_id}/changes", params={"lang": "en"})
    assert response.status_code == 200, response.text
    body = response.json()
    plan = client.get(f"/plans/{plan_id}/plan.json").json()
    bol = [c for c in plan["cohorts"] if c["pathway"] == "BOL"]
    assert body["count"] == len(bol) and body["institutions"][0]["institution_name"] == "ROC Test"
    assert sum(c["unplaced"] for c in body["cohorts"]) == plan["kpis"]["unplaced"] > 0
    for cohort in body["cohorts"]:
        assert cohort["changed"] is False  # the status quo keeps every period
        assert (cohort["reason"] is not None) == (cohort["unplaced"] > 0)
        assert all(name.startswith("Leerbedrijf") for w in cohort["waves"] for name in w["companies"])
    only = client.get(f"/plans/{plan_id}/changes", params={"institution": "nobody"}).json()
    assert only["count"] == 0 and only["institutions"] == []
    assert client.get("/plans/999999/changes").status_code == 404


def test_changes_csv_and_xlsx(solved):
    client, plan_id = solved
    response = client.get(f"/plans/{plan_id}/changes.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["institution"] for r in rows} == {"roc"}
    book = client.get(f"/plans/{plan_id}/changes.xlsx")
    assert book.status_code == 200 and book.content.startswith(b"PK")
    workbook = load_workbook(io.BytesIO(book.content), read_only=True)
    assert len(workbook.sheetnames) == 2


def test_reasons_and_summary(solved):
    client, plan_id = solved
    body = client.get(f"/plans/{plan_id}/reasons", params={"lang": "en"}).json()
    plan = client.get(f"/plans/{plan_id}/plan.json").json()
    unplaced = {c["cohort"] for c in plan["cohorts"] if c["unplaced"] > 0}
    assert {r["cohort"] for r in body["reasons"]} == unplaced and body["count"] == len(unplaced)
    assert all(r["reason"]["text"] and r["reason"]["kind"] for r in body["reasons"])
    assert set(plan["reasons"]) == unplaced  # stored with the plan
    dutch = client.get(f"/plans/{plan_id}/reasons", params={"lang": "nl"}).json()
    assert [r["reason"]["kind"] for r in dutch["reasons"]] == [r["reason"]["kind"] for r in body["reasons"]]
    summary = client.get(f"/plans/{plan_id}/summary.md").text
    assert "ROC Test" in summary
