"""The plan page's marginal ranking goes through the solve queue: the form queues a job, the page follows it
(htmx) and shows the ranking and its map when it is done; analysts may rank too, readers may not. The what-if
page shows a sweep's progress at its top, with what is being solved, and its comparison with bounds."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.models import JobRow
from tests.api.support import make_token, wait_for_job
from tests.web.support import csrf_of, sign_in, tiny_workbench

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_the_ranking_form_queues_a_job_that_the_plan_page_follows(tmp_path: Path) -> None:
    with tiny_workbench(tmp_path, "status-quo", 5) as bench:
        client, api, url, plan = bench.client, bench.api, bench.url, bench.plan

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


def test_the_sweep_shows_its_progress_at_the_top_and_its_effects_with_bounds(tmp_path: Path) -> None:
    with tiny_workbench(tmp_path, "optimise", 10) as bench:
        client, api, url, scenario, solved = bench.client, bench.api, bench.url, bench.scenario, bench.job
        variant = api.post(f"/scenarios/{scenario}/variants", json={"name": "k1 +3", "changes": [
            {"kind": "add_capacity", "companies": {"ids": "k1"}, "places": 3}]}).json()

        assert sign_in(client, make_token(url, "editor", "editor", ("Twente",))).status_code == 303
        page = client.get(f"/web/scenarios/{scenario}/whatif")
        # What the variant does, in plain words, before it is solved.
        assert "voegt 3 begeleidingsplaatsen toe bij 1 leerbedrijf" in page.text
        queued = client.post(f"/web/scenarios/{scenario}/sweep", follow_redirects=False,
                             data={"csrf": csrf_of(page.text), "variant_ids": str(variant["id"])})
        assert queued.status_code == 303, queued.text
        location = queued.headers["location"]
        job = int(location.split("sweep_job=")[1])

        # While a sweep runs (one held by another server here, so nothing here runs it): the progress block at
        # the top of the page, naming what is being solved.
        with _session(url) as session:
            held = JobRow(scenario_id=scenario, scenario_version=1, region="Twente", mode="optimise", time_limit=10,
                          seed=0, kind="sweep", status="running", lease_owner="elsewhere",
                          lease_expires_at=dt.datetime(2999, 1, 1),
                          sweep_progress=json.dumps({"total": 2, "done": 1, "running": 1, "failed": 0,
                                                     "running_names": ["k1 +3"]}))
            session.add(held)
            session.commit()
            held_id = held.id
        running = client.get(f"/web/scenarios/{scenario}/whatif", params={"sweep_job": held_id}).text
        assert 'id="sweep-progress"' in running
        assert running.index('id="sweep-progress"') < running.index('id="variant-form"')
        assert "Nu in berekening: <strong>k1 +3</strong>" in running
        assert "Nu in berekening: <strong>k1 +3</strong>" in client.get(f"/web/jobs/{held_id}/sweep-progress").text

        done = wait_for_job(api, job)
        assert done["status"] == "done", done
        shown = client.get(location).text
        table = shown[shown.index('id="sweep-table"'):]
        for header in ("Ondergrens", "Afstand tot ondergrens", "Effect", "Waar het effect zit"):
            assert f">{header}</th>" in table
        assert f'opgeslagen plan <a href="/web/plans/{solved["plan_id"]}">' in table  # the base is the stored plan


def _session(url: str) -> Session:
    """A plain SQLAlchemy session on the test database."""
    return Session(sa.create_engine(url))
