"""No script from user text anywhere, and the browser's own defences (security headers, a sandboxed map frame).

One scenario carries markup in every name a user supplies (scenario, region, description, institution,
programme, company, areas, a variant, an agreement's note); it is solved on a real server, and every
page of the workbench, every map (plan, comparison, where one more place helps most) and every
download is read back: the markup must arrive as text, never as a tag. In headless Chromium the plan
page with its map frames and every map file run without a console error (a blocked script of the app's
own is one) and without the payloads' flag ``window.__pwned`` being set or a dialog opening.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.api.support import ApiServer, bearer, make_token, wait_for_job
from tests.builders import cohort, company, scenario_dict
from tests.conftest import require_system_tool
from tests.web.support import csrf_of, sign_in

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def payload(field: str) -> str:
    """A name that closes the title, starts a script, breaks out of an attribute and adds an image that runs
    script; each part sets ``window.__pwned`` to the field's name if it ever runs."""
    return (f"{field} </title><script>window.__pwned='{field}'</script>"
            f"\"><img src=x onerror=\"window.__pwned='{field}'\">'&")


#: A region is part of page addresses, so its markup has no slash.
REGION = "Regio <img src=x onerror=\"window.__pwned='region'\"> \"'&"
#: Markup as it would appear if a name reached a page unescaped.
RAW = ("<script>window.__pwned", "<img src=x onerror", "</title><script>")
AREAS = [payload("area-1"), payload("area-2")]


def _payload_scenario() -> dict:
    document = scenario_dict(
        [cohort("zorg-3", 30, programme=payload("programme")), cohort("zorg-2", 20, level="2"),
         cohort("tech-3", 15, sector="techniek", forms="block:4|line:2x8")],
        [company("k1", 10, name=payload("company-1")),
         company("k2", 8, area="Hengelo", levels="3|4", name=payload("company-2")),
         company("k3", 5, sectors="techniek", levels="2|3|4", name=payload("company-3"))])
    renamed = {"Enschede": AREAS[0], "Hengelo": AREAS[1]}
    for area in document["areas"]:
        area["name"] = renamed[area["name"]]
    for row in document["companies"]:
        row["area"] = renamed[row["area"]]
    for location in document["institutions"][0]["locations"]:
        location["area"] = renamed[location["area"]]
    document["institutions"][0]["name"] = payload("institution")
    document["name"] = payload("scenario")
    document["description"] = payload("description")
    return document


def assert_no_markup(where: str, text: str) -> None:
    found = [raw for raw in RAW if raw in text]
    assert not found, f"{where}: user text reaches the document as markup: {found}"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A server with the payload scenario, a variant, three plans, an agreement and a ranking of spots."""
    folder = tmp_path_factory.mktemp("user-text")
    server = ApiServer(f"sqlite:///{folder / 'web.sqlite3'}", folder).start()
    try:
        admin = make_token(server.database_url, "Beheer", "admin")
        api = httpx.Client(base_url=server.url, headers=bearer(admin), timeout=120)
        created = api.post("/scenarios", params={"region": REGION}, json=_payload_scenario())
        assert created.status_code == 201, created.text
        sid = created.json()["id"]
        variant = api.post(f"/scenarios/{sid}/variants", json={"name": payload("variant"), "changes": [
            {"kind": "add_capacity", "companies": {"sector": "zorg"}, "places": 1}]})
        assert variant.status_code == 201, variant.text
        jobs = {}
        for mode in ("greedy", "status-quo"):
            job = api.post(f"/scenarios/{sid}/solve", json={"mode": mode, "time_limit": 10})
            assert job.status_code == 202, job.text
            jobs[mode] = wait_for_job(api, job.json()["id"])
            assert jobs[mode]["status"] == "done", jobs[mode]
        plan, status_quo = jobs["greedy"]["plan_id"], jobs["status-quo"]["plan_id"]
        adopted = api.post(f"/regions/{quote(REGION, safe='')}/agreements",
                           json={"plan_id": plan, "note": payload("note")})
        assert adopted.status_code == 201, adopted.text
        # A plain scenario elsewhere: its plan does not fit the payload scenario's map.
        other = api.post("/scenarios", params={"region": "Elders"}, json=scenario_dict(
            [cohort("c", 10, location="loc-e")], [company("z1", 5, area="Zwolle")], areas=("Zwolle", "Almelo")))
        assert other.status_code == 201, other.text
        other_job = api.post(f"/scenarios/{other.json()['id']}/solve", json={"mode": "greedy"}).json()
        other_plan = wait_for_job(api, other_job["id"])["plan_id"]

        web = httpx.Client(base_url=server.url, timeout=120)
        assert sign_in(web, admin).status_code == 303
        ranked = web.post(f"/web/plans/{plan}/marginal", follow_redirects=False,
                          data={"csrf": csrf_of(web.get(f"/web/plans/{plan}").text), "top": "3", "verify": "0"})
        assert ranked.status_code == 303, ranked.text
        wait_for_job(api, int(ranked.headers["location"].split("marginal_job=")[1].split("#")[0]))
        yield {"server": server, "admin": admin, "api": api, "web": web, "scenario": sid, "plan": plan,
               "status_quo": status_quo, "other_plan": other_plan, "job": jobs["greedy"]["id"]}
        api.close()
        web.close()
    finally:
        server.stop()


def _pages(s: dict) -> list[str]:
    region = quote(REGION, safe="")
    plan, sid, job = s["plan"], s["scenario"], s["job"]
    return ["/web/", f"/web/regions/{region}", f"/web/regions/{region}/agreements",
            f"/web/regions/{region}/agreements?plan_id={plan}", "/web/sbb", f"/web/upload?region={region}",
            f"/web/scenarios/{sid}", f"/web/scenarios/{sid}/whatif", f"/web/jobs/{job}", f"/web/jobs/{job}/progress",
            f"/web/plans/{plan}", f"/web/plans/{plan}?institution=roc", f"/web/plans/{s['status_quo']}",
            f"/web/regions/{quote(payload('unknown').replace('/', ''), safe='')}"]


def _maps(s: dict) -> dict[str, tuple[httpx.Client, str]]:
    plan, status_quo = s["plan"], s["status_quo"]
    return {"plan map (API)": (s["api"], f"/plans/{plan}/map"),
            "plan map (workbench)": (s["web"], f"/web/plans/{plan}/map"),
            "status-quo map": (s["api"], f"/plans/{status_quo}/map?status_quo=false"),
            "comparison map": (s["api"], f"/plans/compare/map?a={status_quo}&b={plan}"),
            "marginal map": (s["web"], f"/web/plans/{plan}/marginal/map")}


def test_user_text_is_escaped_in_every_page_map_and_download(stored):
    s = stored
    shown = 0
    for path in _pages(s):
        response = s["web"].get(path)
        assert response.status_code < 500, (path, response.status_code)
        assert_no_markup(path, response.text)
        shown += "&lt;script&gt;window.__pwned" in response.text or "&lt;img src=x onerror" in response.text
    assert shown >= 10, "the names reach the pages (as text)"
    whatif = s["web"].get(f"/web/scenarios/{s['scenario']}/whatif").text
    assert "variant &lt;/title&gt;&lt;script&gt;" in whatif
    agreements = s["web"].get(f"/web/regions/{quote(REGION, safe='')}/agreements").text
    assert "note &lt;/title&gt;&lt;script&gt;" in agreements

    for name, (client, path) in _maps(s).items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.text)
        assert_no_markup(name, response.text)
        assert re.search(r"<title>[^<]*scenario &lt;/title&gt;&lt;script&gt;", response.text), name

    # A ranking's map carries the files' version in its name, so a map an older version wrote (with raw
    # names) is never served: a file under the unversioned name is left alone and the map drawn anew.
    marginal = s["server"].data_dir / "files" / "web" / "marginal"
    current = sorted(marginal.glob("job-*.v*.html"))
    assert len(current) == 1, current
    old_name = marginal / (current[0].name.split(".v")[0] + ".html")
    current[0].rename(old_name)
    old_name.write_text("<title></title><script>window.__pwned = 1</script>", encoding="utf-8")
    redrawn = s["web"].get(f"/web/plans/{s['plan']}/marginal/map")
    assert redrawn.status_code == 200 and current[0].is_file()
    assert_no_markup("marginal map drawn again", redrawn.text)

    summary = s["api"].get(f"/plans/{s['plan']}/summary.md")
    assert summary.headers["content-type"] == "text/plain; charset=utf-8"
    assert_no_markup("summary.md", summary.text)
    assert "scenario &lt;/title>&lt;script>" in summary.text
    web_summary = s["web"].get(f"/web/plans/{s['plan']}/files/summary.md")
    assert web_summary.headers["content-type"] == "text/plain; charset=utf-8"

    archive = zipfile.ZipFile(io.BytesIO(s["api"].get(f"/plans/{s['plan']}/outputs.zip").content))
    documents = [n for n in archive.namelist() if n.endswith((".html", ".md"))]
    assert {Path(n).name for n in documents} >= {"map.html", "summary.md", "roc.md"}, documents
    for member in documents:
        text = archive.read(member).decode("utf-8")
        assert_no_markup(member, text)
        # Markdown keeps names out of links, code spans and table cells as well.
        if member.endswith(".md"):
            assert "institution &lt;/title>" in text or "programme &lt;/title>" in text, member


def test_a_comparison_of_plans_of_other_scenarios_is_a_clear_422(stored):
    s = stored
    response = s["api"].get(f"/plans/compare/map?a={s['other_plan']}&b={s['plan']}",
                            headers={"Accept-Language": "nl"})
    assert response.status_code == 422, response.text
    text = response.json()["detail"][0]["text"]
    assert f"plan {s['other_plan']} past niet op de kaart van plan {s['plan']}" in text
    assert "gebieden" in text


# ------------------------------------------------------------------ headers


def test_every_answer_carries_the_security_headers(stored):
    from api.core.headers import inline_script_hashes, map_policy

    s = stored
    plan = s["plan"]
    answers = {
        "page": s["web"].get(f"/web/plans/{plan}"),
        "sign-in page": httpx.get(f"{s['server'].url}/web/signin"),
        "API": s["api"].get(f"/plans/{plan}"),
        "API without a token": httpx.get(f"{s['server'].url}/plans/{plan}"),
        "download": s["api"].get(f"/plans/{plan}/schedule.csv"),
        "static file": httpx.get(f"{s['server'].url}/web/static/web.css"),
        "docs": httpx.get(f"{s['server'].url}/docs"),
        "map": s["api"].get(f"/plans/{plan}/map"),
        "workbench map": s["web"].get(f"/web/plans/{plan}/map"),
        "marginal map": s["web"].get(f"/web/plans/{plan}/marginal/map"),
    }
    assert answers["API without a token"].status_code == 401
    for name, response in answers.items():
        headers = response.headers
        policy = headers.get("content-security-policy", "")
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";") if d.strip())
        assert "script-src" in directives and "'unsafe-inline'" not in directives["script-src"], (name, policy)
        assert "'unsafe-eval'" not in policy and "*" not in directives["script-src"], (name, policy)
        assert directives.get("frame-ancestors") == "'self'", (name, policy)
        assert directives.get("object-src") == "'none'" and directives.get("base-uri") == "'none'", (name, policy)
        assert headers.get("x-content-type-options") == "nosniff", name
        assert headers.get("referrer-policy") == "no-referrer", name
        assert headers.get("x-frame-options") == "SAMEORIGIN", name
    # Pages: scripts from the service and the response's nonce only, new for every response.
    nonce = re.compile(r"'nonce-([^']+)'")
    first = nonce.search(answers["page"].headers["content-security-policy"])
    second = nonce.search(s["web"].get(f"/web/plans/{plan}").headers["content-security-policy"])
    assert first and second and first.group(1) != second.group(1)
    # Swagger UI's start-up script carries the nonce of its response.
    docs = answers["docs"]
    assert f'<script nonce="{nonce.search(docs.headers["content-security-policy"]).group(1)}">' in docs.text
    # Maps: exactly their own inline scripts by hash.
    for name in ("map", "workbench map", "marginal map"):
        html = answers[name].text
        hashes = inline_script_hashes(html)
        assert len(hashes) >= 3 and answers[name].headers["content-security-policy"] == map_policy(html)
    # The map frames are sandboxed: scripts run, but in an origin of their own (no cookie, no CSRF token).
    frames = re.findall(r"<iframe\b[^>]*>", answers["page"].text)
    assert len(frames) == 2 and all('sandbox="allow-scripts"' in f for f in frames), frames
    assert "allow-same-origin" not in answers["page"].text
    # ReDoc (scripts from a CDN) is gone; /docs is the documentation.
    assert s["api"].get("/redoc").status_code == 404
    assert httpx.get(f"{s['server'].url}/redoc").status_code == 401  # no longer an open path either


def test_a_map_policy_allows_only_the_maps_own_scripts():
    from api.core.headers import inline_script_hashes, map_policy

    html = ("<html><head><title>t</title><script>var a = 1;</script></head><body>"
            "<script type=\"application/json\" id=\"d\">{\"x\": 1}</script><script src=\"/x.js\"></script>"
            "<script>var b = 2;</script><script>var a = 1;</script></body></html>")
    hashes = inline_script_hashes(html)
    # sha256 of "var a = 1;" and "var b = 2;", once each; no JSON data block, no external script.
    # (printf 'var a = 1;' | openssl dgst -sha256 -binary | base64)
    assert hashes == ["'sha256-+dZ6udsWxNVoGfScAq7t5IIF5UJb4F6RhjbN6oe1p4w='",
                      "'sha256-nzQ6OSco2isnwNd9Y5/OSQEyUERhvGjWcVn61xUEdpg='"]
    assert map_policy(html).startswith("default-src 'none'; script-src " + " ".join(hashes) + ";")


# ------------------------------------------------------------------ in the browser


@pytest.fixture(scope="module")
def browser():
    chromium = require_system_tool("chromium", "the maps run in headless Chromium (run `make system-deps`)",
                                   "/usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Watch:
    """Console errors (a script the policy blocks is one), page errors and dialogs of a browser context."""

    def __init__(self, context):
        self.problems: list[str] = []
        context.on("page", self.page)

    def page(self, page) -> None:
        page.on("console", lambda msg: self.problems.append(f"{page.url}: console: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.problems.append(f"{page.url}: pageerror: {exc}"))

        def dialog(d) -> None:
            self.problems.append(f"{page.url}: dialog: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)


#: Opens every popup and tooltip of a map (areas, institutions, companies, spots), so the texts its script
#: writes into the page are all written once.
OPEN_EVERY_POPUP = """() => {
  const api = window.stageplannerMap, shown = [];
  const show = (layer) => {
    for (const part of [layer.getPopup && layer.getPopup(), layer.getTooltip && layer.getTooltip()]) {
      if (!part) { continue; }
      let content = part.getContent();
      if (typeof content === "function") { content = content(layer); }
      const box = document.createElement("div");
      box.innerHTML = content;
      document.body.appendChild(box);
      shown.push(box.textContent);
    }
  };
  api.map.eachLayer(show);
  api.areaLayer.eachLayer(show);
  api.companyMarkers.forEach(show);
  return shown;
}"""


def _check_map(frame, name: str) -> list[str]:
    frame.wait_for_selector(".folium-map.sm-ready", state="attached", timeout=30_000)
    texts = frame.evaluate(OPEN_EVERY_POPUP)
    frame.wait_for_timeout(300)  # an injected image's onerror would run now
    assert frame.evaluate("() => window.__pwned === undefined"), f"{name}: script from user text ran"
    return texts


def test_no_script_from_user_text_runs_and_the_maps_run_without_errors(stored, browser):
    s = stored
    base = s["server"].url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch(context)
    page = context.new_page()
    page.goto(f"{base}/web/signin")
    page.fill("#token", s["admin"])
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/web/")

    page.goto(f"{base}/web/plans/{s['plan']}")
    for frame in page.locator("iframe.map").all():  # the frames load lazily: bring each into view
        frame.scroll_into_view_if_needed()
    maps = [f for f in page.frames if f != page.main_frame]
    assert len(maps) == 2
    texts = []
    for frame in maps:
        texts += _check_map(frame, frame.url)
        # The sandboxed frame has an origin of its own: no cookie, no page of the workbench to read.
        assert frame.evaluate("() => window.origin") == "null"
    assert any("company-1 </title><script>" in t for t in texts), "the spots' popups show the names as text"
    assert page.evaluate("() => window.__pwned === undefined")
    for path in ("/web/", f"/web/scenarios/{s['scenario']}/whatif", f"/web/regions/{quote(REGION, safe='')}/agreements",
                 f"/web/plans/{s['plan']}/map", f"/web/plans/{s['plan']}/marginal/map"):
        page.goto(base + path)
        if "/map" in path:
            _check_map(page.main_frame, path)
        assert page.evaluate("() => window.__pwned === undefined"), path
    context.close()

    # The maps of the API, opened directly (a token in the header, as a script or a download would).
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  extra_http_headers={"Authorization": f"Bearer {s['admin']}"})
    api_watch = Watch(context)
    page = context.new_page()
    for name, (_client, path) in _maps(s).items():
        if path.startswith("/plans/"):
            page.goto(base + path)
            _check_map(page.main_frame, name)
    page.goto(f"{base}/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    context.close()
    problems = watch.problems + api_watch.problems
    assert not problems, "\n".join(problems)
