"""The plan page's trade-off: the form queues the curve as a job, the page shows its chart and table, and a
point's button makes it the proposal (a new plan shown at once); readers see the curve without the buttons."""

from __future__ import annotations

import warnings
from pathlib import Path

from tests.api.support import make_token, wait_for_job
from tests.web.support import csrf_of, sign_in, tiny_workbench

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_the_tradeoff_form_queues_a_curve_and_a_point_becomes_the_proposal(tmp_path: Path) -> None:
    with tiny_workbench(tmp_path, "optimise", 10) as bench:
        client, api, url, plan = bench.client, bench.api, bench.url, bench.plan

        assert sign_in(client, make_token(url, "editor", "editor", ("Twente",))).status_code == 303
        page = client.get(f"/web/plans/{plan}")
        assert page.status_code == 200 and "Nog geen afweging berekend" in page.text
        queued = client.post(f"/web/plans/{plan}/tradeoff", follow_redirects=False,
                             data={"csrf": csrf_of(page.text), "points": "4"})
        assert queued.status_code == 303, queued.text
        location = queued.headers["location"]
        job = int(location.split("tradeoff_job=")[1].split("#")[0])
        assert wait_for_job(api, job)["status"] == "done"
        shown = client.get(location)
        assert 'id="tradeoff-table"' in shown.text and 'id="tradeoff-chart"' in shown.text
        assert "Bewezen ondergrens" in shown.text and "Afstand tot ondergrens" in shown.text  # each point's bound and gap
        assert "Maak dit het voorstel" in shown.text
        made = client.post(f"/web/plans/{plan}/tradeoff/0/proposal", follow_redirects=False,
                           data={"csrf": csrf_of(shown.text)})
        assert made.status_code == 303, made.text
        proposal = int(made.headers["location"].rsplit("/", 1)[1])
        assert proposal != plan and client.get(f"/web/plans/{proposal}").status_code == 200
        assert api.get(f"/plans/{proposal}").json()["kpis"]["cohorts_changed"] == 0  # the status-quo end
        assert f'href="/web/plans/{proposal}"' in client.get(f"/web/plans/{plan}").text

        reader = TestClient(client.app)
        assert sign_in(reader, make_token(url, "reader", "reader", ("Twente",))).status_code == 303
        seen = reader.get(f"/web/plans/{plan}").text.split('id="tradeoff"')[1]
        assert 'id="tradeoff-table"' in seen and "Maak dit het voorstel" not in seen
