"""The web workbench with the real app in this process: every page for an allowed user (in Dutch),
refused for users without rights, CSRF, the language switch, and /docs without other hosts."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from api.core.config import Settings
from api.main import create_app
from tests.api.support import bearer, make_token, tiny_files, wait_for_job
from tests.web.support import csrf_of, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app with an editor of Twente signed in, a scenario uploaded through the form and one plan."""
    tmp = tmp_path_factory.mktemp("web")
    settings = Settings(database_url=f"sqlite:///{tmp / 'web.sqlite3'}", data_dir=tmp / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000, default_time_limit=5)
    with TestClient(create_app(settings)) as client:
        tokens = {role: make_token(settings.database_url, f"{role} of Twente", role, ("Twente",))
                  for role in ("editor", "reader")}
        tokens["outsider"] = make_token(settings.database_url, "outsider", "editor", ("Elders",))
        tokens["analyst"] = make_token(settings.database_url, "SBB", "analyst")
        tokens["admin"] = make_token(settings.database_url, "admin", "admin")
        assert sign_in(client, tokens["editor"]).status_code == 303
        scenario_path = tiny_files(tmp / "tiny")
        page = client.get("/web/upload")
        files = [("scenario", ("scenario.yaml", scenario_path.read_bytes(), "application/yaml")),
                 ("tables", ("cohorts.csv", (scenario_path.parent / "cohorts.csv").read_bytes(), "text/csv")),
                 ("tables", ("companies.csv", (scenario_path.parent / "companies.csv").read_bytes(), "text/csv"))]
        stored = client.post("/web/upload", data={"csrf": csrf_of(page.text), "region": "Twente"}, files=files,
                             follow_redirects=False)
        assert stored.status_code == 303, stored.text
        scenario_id = int(stored.headers["location"].rsplit("/", 1)[1])
        scenario_page = client.get(f"/web/scenarios/{scenario_id}")
        started = client.post(f"/web/scenarios/{scenario_id}/solve", follow_redirects=False,
                              data={"csrf": csrf_of(scenario_page.text), "mode": "status-quo", "time_limit": "5"})
        assert started.status_code == 303, started.text
        job_id = int(started.headers["location"].rsplit("/", 1)[1])
        api = TestClient(client.app, headers=bearer(tokens["admin"]))
        plan_id = wait_for_job(api, job_id)["plan_id"]
        yield {"client": client, "tokens": tokens, "scenario": scenario_id, "job": job_id, "plan": plan_id,
               "settings": settings, "scenario_path": scenario_path}


def _pages(site) -> list[str]:
    s, j, p = site["scenario"], site["job"], site["plan"]
    return ["/web/", "/web/regions/Twente", f"/web/scenarios/{s}", f"/web/scenarios/{s}?show=companies&sector=zorg",
            f"/web/jobs/{j}", f"/web/jobs/{j}/progress", f"/web/plans/{p}", f"/web/scenarios/{s}/whatif",
            "/web/regions/Twente/agreements", "/web/sbb", "/web/upload"]


def test_every_page_renders_in_dutch_for_the_editor(site):
    client = site["client"]
    for path in _pages(site):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
        assert answer.headers["content-language"] == "nl"
        if "/progress" not in path:
            assert 'lang="nl"' in answer.text and "Afmelden" in answer.text, path
    assert "Studenten zonder stageplaats" in client.get(f"/web/plans/{site['plan']}").text


def test_plan_files_map_and_charts(site):
    client, plan = site["client"], site["plan"]
    assert "<html" in client.get(f"/web/plans/{plan}/map").text
    assert client.get(f"/web/plans/{plan}/charts/weekly_capacity.png").headers["content-type"] == "image/png"
    for name in ("schedule.csv", "changes.csv", "changes.xlsx", "summary.md", "plan.json", "outputs.zip"):
        answer = client.get(f"/web/plans/{plan}/files/{name}")
        assert answer.status_code == 200 and answer.content, name
    assert client.get(f"/web/plans/{plan}/files/secret.txt").status_code == 404


def test_anonymous_users_are_sent_to_the_sign_in_form(site):
    with TestClient(site["client"].app) as anonymous:
        for path in _pages(site):
            answer = anonymous.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/web/signin?next="), path
        assert anonymous.get("/", follow_redirects=False).headers["location"] == "/web/"
        assert anonymous.get("/web/signin").status_code == 200


def test_users_without_rights_are_refused(site):
    s, j, p = site["scenario"], site["job"], site["plan"]
    with TestClient(site["client"].app) as outsider:
        sign_in(outsider, site["tokens"]["outsider"])
        for path in ["/web/regions/Twente", f"/web/scenarios/{s}", f"/web/jobs/{j}", f"/web/plans/{p}",
                     f"/web/plans/{p}/map", f"/web/plans/{p}/files/plan.json", f"/web/scenarios/{s}/whatif",
                     "/web/regions/Twente/agreements"]:
            answer = outsider.get(path)
            assert answer.status_code == 403, path
            assert "Niet toegestaan" in answer.text
        assert "Twente" not in outsider.get("/web/").text
        assert "Twente" not in outsider.get("/web/sbb").text
    with TestClient(site["client"].app) as reader:
        sign_in(reader, site["tokens"]["reader"])
        page = reader.get(f"/web/scenarios/{s}")
        assert page.status_code == 200 and "Oplossing starten" not in page.text
        refused = reader.post(f"/web/scenarios/{s}/solve", data={"csrf": csrf_of(page.text), "mode": "greedy"})
        assert refused.status_code == 403
        assert reader.get("/web/upload").status_code == 403


def test_form_posts_need_the_session_csrf_token(site):
    client, s = site["client"], site["scenario"]
    for data in ({"mode": "greedy"}, {"mode": "greedy", "csrf": "forged"}):
        answer = client.post(f"/web/scenarios/{s}/solve", data=data, follow_redirects=False)
        assert answer.status_code == 403 and "formulier" in answer.text
    assert client.post("/web/signout", data={}).status_code == 403
    with TestClient(site["client"].app) as other:  # another session's token does not fit
        sign_in(other, site["tokens"]["editor"])
        same_token = csrf_of(other.get("/web/").text)
        assert same_token != csrf_of(client.get("/web/").text)  # a key per session, not per API token
        sign_in(other, site["tokens"]["admin"])
        foreign = csrf_of(other.get("/web/").text)
    for csrf in (same_token, foreign):
        assert client.post(f"/web/scenarios/{s}/solve", data={"mode": "greedy", "csrf": csrf}).status_code == 403
    with TestClient(site["client"].app) as fresh:  # the sign-in form has its own token
        fresh.get("/web/signin")
        answer = fresh.post("/web/signin", data={"token": site["tokens"]["editor"], "csrf": "x"})
        assert answer.status_code == 403


def test_the_session_cookie_is_httponly_strict_and_not_for_the_api(site):
    with TestClient(site["client"].app) as browser:
        answer = sign_in(browser, site["tokens"]["editor"])
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/web" in cookie
        session = f"stageplanner_session={site['tokens']['editor']}"
        assert browser.get("/scenarios", headers={"Cookie": session}).status_code == 401  # the API ignores it
        wrong = TestClient(site["client"].app)
        page = wrong.get("/web/signin")
        bad = wrong.post("/web/signin", data={"token": "spt_00000000_nope", "csrf": csrf_of(page.text)})
        assert bad.status_code == 401 and "niet geldig" in bad.text
        home = browser.get("/web/")
        out = browser.post("/web/signout", data={"csrf": csrf_of(home.text)}, follow_redirects=False)
        assert out.status_code == 303
        assert browser.get("/web/", follow_redirects=False).status_code == 303


def test_language_switch_sets_a_cookie(site):
    with TestClient(site["client"].app) as browser:
        sign_in(browser, site["tokens"]["editor"])
        assert "Sign out" in browser.get("/web/?lang=en").text
        switched = browser.get("/web/lang?lang=en&next=/web/sbb", follow_redirects=False)
        assert switched.headers["location"] == "/web/sbb" and "lang=en" in switched.headers["set-cookie"]
        page = browser.get("/web/sbb")
        assert 'lang="en"' in page.text and "Sign out" in page.text
        assert browser.get("/web/lang?lang=nl&next=https://elsewhere.example/",
                           follow_redirects=False).headers["location"] == "/web/"


def test_upload_problems_are_shown_with_their_rows(site, tmp_path):
    client = site["client"]
    source = site["scenario_path"]
    cohorts = (source.parent / "cohorts.csv").read_text().splitlines()
    header, first = cohorts[0], cohorts[1].split(",")
    first[header.split(",").index("students")] = "many"
    broken = "\n".join([header, ",".join(first), *cohorts[2:]]) + "\n"
    page = client.get("/web/upload")
    files = [("scenario", ("scenario.yaml", source.read_bytes(), "application/yaml")),
             ("tables", ("cohorts.csv", broken.encode(), "text/csv")),
             ("tables", ("companies.csv", (source.parent / "companies.csv").read_bytes(), "text/csv"))]
    answer = client.post("/web/upload", data={"csrf": csrf_of(page.text), "region": "Twente"}, files=files)
    assert answer.status_code == 422
    assert re.search(r"<h3>cohorts.csv</h3>", answer.text)
    assert re.search(r"<td>rij 2</td><td>students</td>", answer.text), answer.text[answer.text.find("problems"):][:800]


def test_variant_from_the_form_and_adopting_a_plan(site):
    client, s, p = site["client"], site["scenario"], site["plan"]
    page = client.get(f"/web/scenarios/{s}/whatif")
    made = client.post(f"/web/scenarios/{s}/variants", follow_redirects=False, data={
        "csrf": csrf_of(page.text), "name": "zorg +10", "kind": "add_capacity", "sector": "zorg", "places": "10"})
    assert made.status_code == 303, made.text
    assert "zorg +10" in client.get(f"/web/scenarios/{s}/whatif").text
    # (A window moved past the school year is clamped to it, so places in weeks outside the year make the bad one.)
    bad = client.post(f"/web/scenarios/{s}/variants", data={
        "csrf": csrf_of(page.text), "name": "too far", "kind": "add_capacity", "sector": "zorg", "places": "1",
        "first_week": "2030-W01", "last_week": "2030-W02"})
    assert bad.status_code == 422 and "niet opgeslagen" in bad.text and "buiten het schooljaar" in bad.text
    agreements = client.get("/web/regions/Twente/agreements")
    adopted = client.post("/web/regions/Twente/agreements", follow_redirects=False,
                          data={"csrf": csrf_of(agreements.text), "plan_id": str(p), "note": "afgesproken"})
    assert adopted.status_code == 303, adopted.text
    history = client.get("/web/regions/Twente/agreements").text
    assert "afgesproken" in history and "huidig" in history
    assert "afgesproken" in client.get("/web/regions/Twente").text


def test_docs_are_served_from_the_package(site):
    with TestClient(site["client"].app) as anonymous:
        docs = anonymous.get("/docs")
        assert docs.status_code == 200
        assert "/web/static/swagger/swagger-ui-bundle.js" in docs.text
        assert not re.findall(r"https?://(?!127\.0\.0\.1|localhost)[^\s\"'<>]+", docs.text)
        for asset in ("swagger/swagger-ui-bundle.js", "swagger/swagger-ui.css", "htmx.min.js", "web.css"):
            assert anonymous.get(f"/web/static/{asset}").status_code == 200, asset


def test_vendored_static_files_reference_no_other_hosts():
    static = Path(__file__).resolve().parents[2] / "api" / "web" / "static"
    css = (static / "swagger" / "swagger-ui.css").read_text(encoding="utf-8")
    assert "sourceMappingURL" not in css
    assert not re.findall(r"url\(\s*['\"]?https?://", css)


def test_proposing_to_the_schools_deciding_per_school_and_calendars(site):
    """The editor proposes a plan from the agreement page; the school of institution roc rejects, then approves
    its part from the proposal page, which adopts the plan (the tiny scenario has one institution); another
    school of the region sees no form and may not post; each institution's calendar is a page of its own."""
    client, p = site["client"], site["plan"]
    url = site["settings"].database_url
    agreements = client.get("/web/regions/Twente/agreements")
    assert 'id="propose-form"' in agreements.text and "Nog geen plan aan de scholen voorgelegd." in agreements.text
    bad = client.post("/web/regions/Twente/proposals", data={"csrf": csrf_of(agreements.text), "plan_id": "x"})
    assert bad.status_code == 422 and "plan_id" in bad.text
    assert "Nog geen plan aan de scholen voorgelegd." in client.get("/web/regions/Twente/agreements").text
    proposed = client.post("/web/regions/Twente/proposals", follow_redirects=False,
                           data={"csrf": csrf_of(agreements.text), "plan_id": str(p), "note": "voorstel maart"})
    assert proposed.status_code == 303, proposed.text
    proposal = proposed.headers["location"]
    assert 'id="decision-form"' not in client.get(proposal).text  # the region's editor does not decide for a school
    assert f'href="{proposal}"' in client.get("/web/regions/Twente").text  # the open proposal, on the region's page

    school = TestClient(client.app)
    assert sign_in(school, make_token(url, "ROC Twente", "school", ("Twente",), "roc")).status_code == 303
    page = school.get(proposal)
    assert page.status_code == 200 and 'id="decision-form"' in page.text and "voorstel maart" in page.text
    rejected = school.post(f"{proposal}/decisions", follow_redirects=False,
                           data={"csrf": csrf_of(page.text), "decision": "reject", "note": "week 40 past niet"})
    assert rejected.status_code == 303, rejected.text
    page = school.get(proposal)
    assert "afgewezen" in page.text and "week 40 past niet" in page.text
    approved = school.post(f"{proposal}/decisions", follow_redirects=False,
                           data={"csrf": csrf_of(page.text), "decision": "approve", "note": "akkoord"})
    assert approved.status_code == 303, approved.text
    page = school.get(proposal).text
    assert "vastgesteld" in page and 'id="decision-form"' not in page
    history = school.get("/web/regions/Twente/agreements").text
    assert "huidig" in history and "Goedgekeurd door elke instelling: roc." in history

    stranger = TestClient(client.app)
    assert sign_in(stranger, make_token(url, "ROC Elders", "school", ("Twente",), "roc-x")).status_code == 303
    again = client.post("/web/regions/Twente/proposals", follow_redirects=False,
                        data={"csrf": csrf_of(agreements.text), "plan_id": str(p)})
    other = stranger.get(again.headers["location"])
    assert 'id="decision-form"' not in other.text
    refused = stranger.post(f"{again.headers['location']}/decisions",
                            data={"csrf": csrf_of(other.text), "decision": "approve", "institution": "roc"})
    assert refused.status_code == 403

    plan_page = client.get(f"/web/plans/{p}").text
    assert f'href="/web/plans/{p}/calendar/roc"' in plan_page
    calendar = client.get(f"/web/plans/{p}/calendar/roc")
    assert calendar.status_code == 200 and "Stagekalender van" in calendar.text and "ma 28 sep 2026" in calendar.text
    assert client.get(f"/web/plans/{p}/calendar/nobody").status_code == 404


def test_an_editor_picks_one_of_their_regions_and_a_problem_keeps_the_form(site, tmp_path):
    client = site["client"]
    page = client.get("/web/upload").text
    assert re.search(r'<select id="region" name="region" required>\s*<option value="Twente">Twente</option>', page)
    assert '<input id="region"' not in page and "scenario's name" not in page and "naam van het scenario" not in page
    # The form goes through htmx: a problem replaces only the list of problems, the chosen files stay chosen.
    assert 'hx-post="/web/upload"' in page and 'hx-select="#upload-problems"' in page
    answer = client.post("/web/upload", headers={"HX-Request": "true"},
                         data={"csrf": csrf_of(page), "region": "Twente"},
                         files=[("scenario", ("scenario.yaml", b"name: [", "application/yaml"))])
    assert answer.status_code == 200 and 'id="upload-problems"' in answer.text and 'id="problems"' in answer.text


def test_a_scenario_workbook_is_uploaded_as_one_file(site, tmp_path):
    from planner.model import load_scenario
    from planner.scenario.workbook import scenario_workbook

    client = site["client"]
    loaded = load_scenario(site["scenario_path"]).scenario
    page = client.get("/web/upload")
    stored = client.post("/web/upload", data={"csrf": csrf_of(page.text), "region": "Twente"}, follow_redirects=False,
                         files=[("scenario", ("regio.xlsx", scenario_workbook(loaded), "application/octet-stream"))])
    assert stored.status_code == 303, stored.text
    scenario_id = int(stored.headers["location"].rsplit("/", 1)[1])
    api = TestClient(client.app, headers=bearer(site["tokens"]["admin"]))
    document = api.get(f"/scenarios/{scenario_id}").json()
    assert len(document["document"]["cohorts"]) == len(loaded.cohorts), document.keys()


def test_the_home_page_counts_each_regions_agreements(site):
    home = site["client"].get("/web/").text
    assert re.search(r"Afspraken: \d+</li>", home), home[home.find("Afspraken"):][:80]


def test_forms_read_in_words_on_the_pages_and_the_what_if_form_takes_them(site):
    client, s = site["client"], site["scenario"]
    scenario_page = client.get(f"/web/scenarios/{s}").text
    assert "blokstage 4 weken" in scenario_page and "(block:" not in scenario_page
    page = client.get(f"/web/scenarios/{s}/whatif")
    assert 'value="lintstage 2 dagen x 10 weken"' in page.text
    made = client.post(f"/web/scenarios/{s}/variants", follow_redirects=False, data={
        "csrf": csrf_of(page.text), "name": "lint erbij", "kind": "allow_forms", "form": "lintstage 2 dagen x 10 weken"})
    assert made.status_code == 303, made.text
