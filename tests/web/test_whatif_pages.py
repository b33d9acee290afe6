"""The plan page's marginal ranking goes through the solve queue: the form queues a job, the page follows it
(htmx) and shows the ranking and its map when it is done; analysts may rank too, readers may not."""

from __future__ import annotations

import warnings
from pathlib import Path

from api.core.config import Settings
from api.main import create_app
from tests.api.support import bearer, make_token, multipart_files, tiny_files, wait_for_job
from tests.web.support import csrf_of, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_the_ranking_form_queues_a_job_that_the_plan_page_follows(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    with TestClient(create_app(settings)) as client:
        url = settings.database_url
        api = TestClient(client.app, headers=bearer(make_token(url, "admin", "admin")))
        parts = multipart_files(tiny_files(tmp_path / "tiny")) + [("region", (None, b"Twente"))]
        scenario = api.post("/scenarios", files=parts).json()["id"]
        solved = api.post(f"/scenarios/{scenario}/solve", json={"mode": "status-quo", "time_limit": 5}).json()
        plan = wait_for_job(api, solved["id"])["plan_id"]

        assert sign_in(client, make_token(url, "SBB", "analyst")).status_code == 303
        page = client.get(f"/web/plans/{plan}")
        assert page.status_code == 200 and "Nog niet gerangschikt" in page.text
        queued = client.post(f"/web/plans/{plan}/marginal", follow_redirects=False,
                             data={"csrf": csrf_of(page.text), "top": "3", "verify": "1"})
        assert queued.status_code == 303, queued.text
        location = queued.headers["location"]
        assert location.startswith(f"/web/plans/{plan}?marginal_job=")
        job = int(location.split("marginal_job=")[1].split("#")[0])
        assert api.get(f"/jobs/{job}").json()["kind"] == "marginal"

        done = wait_for_job(api, job)
        assert done["status"] == "done", done
        shown = client.get(location)
        assert shown.status_code == 200 and 'id="marginal-table"' in shown.text
        assert f"/web/plans/{plan}/marginal/map?job={job}" in shown.text
        assert client.get(f"/web/plans/{plan}/marginal/progress", params={"job": job}).headers["hx-refresh"] == "true"
        assert "<html" in client.get(f"/web/plans/{plan}/marginal/map", params={"job": job}).text
        assert 'id="marginal-table"' in client.get(f"/web/plans/{plan}").text  # the newest ranking, later too

        reader = TestClient(client.app)
        assert sign_in(reader, make_token(url, "reader", "reader", ("Twente",))).status_code == 303
        assert 'action="/web/plans/' not in reader.get(f"/web/plans/{plan}").text.split('id="marginal"')[1]
