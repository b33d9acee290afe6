"""Authentication and roles: every endpoint x every role, tokens, the audit log, limits per token.

The matrix walks ``app.routes``: a route that is not in :data:`ACCESS` fails the test, and a
route that forgets its check answers 2xx where 401 or 403 is expected. The records it reads
belong to region Twente; the actors are anonymous, a reader, an editor and a school (the editor
of institution ``roc``) of Twente (own), the same three of Zwolle (other), an analyst (SBB) and an admin. Outside its role or
regions a token gets 403 (the choice documented in docs/security.md), also for records that
exist in another region.

The app runs in this process on SQLite (TestClient). After seeding two real plans, solves are
replaced by a stand-in that runs until cancelled, so solve and cancel requests are cheap.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import planner.solve as solve_package
from api.core.config import Settings
from api.main import app as documented_app
from api.main import create_app
from planner.plan.model import Progress
from tests.api.support import TestClient, bearer, make_token, multipart_files, tiny_files, wait_for_job

ACTORS = ("anonymous", "reader_own", "reader_other", "editor_own", "editor_other", "school_own", "school_other",
          "analyst", "admin")
OWN, OTHER = "Twente", "Zwolle"

# What each route needs: open (no token), list (any token; filtered), read (read Twente),
# write (change Twente), decide (approve or reject institution roc's part in Twente), admin.
ACCESS: dict[tuple[str, str], str] = {
    ("GET", "/health"): "open", ("GET", "/openapi.json"): "open", ("GET", "/docs"): "open",
    ("GET", "/docs/oauth2-redirect"): "open",
    ("POST", "/scenarios"): "write", ("GET", "/scenarios"): "list",
    ("GET", "/scenarios/{scenario_id}"): "read", ("PUT", "/scenarios/{scenario_id}"): "write",
    ("DELETE", "/scenarios/{scenario_id}"): "write", ("GET", "/scenarios/{scenario_id}/versions"): "read",
    ("GET", "/scenarios/{scenario_id}/versions/{version}"): "read",
    ("POST", "/scenarios/{scenario_id}/solve"): "write", ("GET", "/jobs"): "list", ("GET", "/jobs/{job_id}"): "read",
    ("POST", "/jobs/{job_id}/cancel"): "write", ("GET", "/jobs/{job_id}/sweep"): "read",
    ("GET", "/jobs/{job_id}/marginal"): "read",
    ("GET", "/plans"): "list", ("GET", "/plans/compare"): "read", ("GET", "/plans/compare/map"): "read",
    ("GET", "/plans/{plan_id}"): "read", ("GET", "/plans/{plan_id}/schedule"): "read",
    ("GET", "/plans/{plan_id}/shortages"): "read", ("GET", "/plans/{plan_id}/utilisation"): "read",
    ("GET", "/plans/{plan_id}/hotspots"): "read", ("GET", "/plans/{plan_id}/map"): "read",
    ("GET", "/plans/{plan_id}/charts/{name}.png"): "read", ("GET", "/plans/{plan_id}/schedule.csv"): "read",
    ("GET", "/plans/{plan_id}/shortages.csv"): "read", ("GET", "/plans/{plan_id}/shortage_weeks.csv"): "read",
    ("GET", "/plans/{plan_id}/utilisation.csv"): "read",
    ("GET", "/plans/{plan_id}/summary.md"): "read", ("GET", "/plans/{plan_id}/plan.json"): "read",
    ("GET", "/plans/{plan_id}/outputs.zip"): "read",
    ("GET", "/plans/{plan_id}/changes"): "read", ("GET", "/plans/{plan_id}/changes.csv"): "read",
    ("GET", "/plans/{plan_id}/changes.xlsx"): "read", ("GET", "/plans/{plan_id}/reasons"): "read",
    ("GET", "/hotspots"): "list", ("GET", "/regions"): "list",
    ("POST", "/regions/{region}/agreements"): "write", ("GET", "/regions/{region}/agreements"): "read",
    ("GET", "/regions/{region}/agreements/current"): "read",
    ("GET", "/regions/{region}/agreements/current/deviations"): "read",
    ("GET", "/agreements/{agreement_id}"): "read", ("GET", "/audit"): "admin",
    ("POST", "/regions/{region}/proposals"): "write", ("GET", "/regions/{region}/proposals"): "read",
    ("GET", "/proposals/{proposal_id}"): "read", ("POST", "/proposals/{proposal_id}/versions"): "write",
    ("POST", "/proposals/{proposal_id}/decisions"): "decide",
    ("GET", "/plans/{plan_id}/institutions/{institution}/calendar.html"): "read",
    ("GET", "/tokens"): "admin", ("POST", "/tokens"): "admin", ("DELETE", "/tokens/{token_id}"): "admin",
    ("POST", "/scenarios/{scenario_id}/variants"): "write", ("GET", "/scenarios/{scenario_id}/variants"): "read",
    ("GET", "/variants/{variant_id}"): "read", ("POST", "/scenarios/{scenario_id}/sweep"): "analyse",
    ("POST", "/plans/{plan_id}/marginal"): "analyse",
    ("POST", "/plans/{plan_id}/tradeoff"): "analyse", ("GET", "/plans/{plan_id}/tradeoff"): "read",
    ("POST", "/plans/{plan_id}/tradeoff/{max_changed}/proposal"): "write",
    ("GET", "/"): "open",  # leads to the web workbench
}
VARIANT = {"name": "k1 +1", "changes": [{"kind": "add_capacity", "companies": {"ids": "k1"}, "places": 1}]}

ALLOWED: dict[str, set[str]] = {
    "open": set(ACTORS),
    "list": set(ACTORS) - {"anonymous"},
    "read": {"reader_own", "editor_own", "school_own", "analyst", "admin"},
    "write": {"editor_own", "admin"},
    "decide": {"school_own", "admin"},
    "analyse": {"editor_own", "analyst", "admin"},  # queue a sweep or a marginal ranking: changes no record
    "admin": {"admin"},
}


def _walk(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route of the app, also inside included routers (FastAPI keeps those nested)."""
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from _walk(nested())
        else:
            yield route


def _routes() -> list[tuple[str, str]]:
    """The API's routes; the web workbench's pages (/web/, signed in by cookie) are tested in tests/web."""
    found = []
    for route in _walk(documented_app.routes):
        if getattr(route, "path", "").startswith("/web"):
            continue
        found += [(method, route.path) for method in sorted(getattr(route, "methods", None) or ()) if method != "HEAD"]
    return found


def _solve_until_cancelled(scenario, params, progress=None, base_dir=None, cancel=None,  # noqa: ANN001
                           **_options) -> None:
    """Stands in for the watched solve: reports progress, then runs until the job is cancelled."""
    progress(Progress(seconds=0.0, phase="solving", incumbent=None, bound=None))
    deadline = time.monotonic() + 120
    while not cancel() and time.monotonic() < deadline:
        time.sleep(0.01)
    raise solve_package.SolveError("the solve was cancelled")


@dataclass
class World:
    """The app, its tokens and Twente's (and Zwolle's) records."""

    client: TestClient
    tokens: dict[str, str]
    ids: dict[str, int]
    document: dict[str, Any]
    scenario_files: list[Any]
    made: list[int] = field(default_factory=list)

    def call(self, actor: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = bearer(self.tokens[actor]) if actor != "anonymous" else {}
        return self.client.request(method, path, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call("admin", method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def new_scenario(self) -> int:
        return self.admin("POST", "/scenarios", params={"region": OWN}, json=self.document)["id"]

    def new_token_id(self) -> int:
        return self.admin("POST", "/tokens", json={"name": "to revoke", "role": "analyst"})["id"]

    def new_proposal(self) -> int:
        return self.admin("POST", f"/regions/{OWN}/proposals", json={"plan_id": self.ids["plan"]})["id"]

    def without_open_proposal(self) -> None:
        """Close the region's open proposal (as a superseding decision would), so that the region's editor adopts
        a plan directly: while a proposal is open, plans are adopted only through it (test_signoff.py)."""
        import sqlalchemy as sa

        from api.models import ProposalRow

        with self.client.app.state.db.session() as session:
            session.execute(sa.update(ProposalRow).where(ProposalRow.region == OWN, ProposalRow.status == "open")
                            .values(status="superseded"))

    def new_job(self) -> int:
        return self.admin("POST", f"/scenarios/{self.ids['scenario']}/solve", json={"mode": "greedy", "time_limit": 1})["id"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("auth")
    url = f"sqlite:///{folder / 'api.sqlite3'}"
    # The matrix leaves jobs queued behind a solve that runs until cancelled; the queue's shares are tested
    # in test_fair_queue.py, so here each share holds them all.
    settings = Settings(database_url=url, data_dir=folder / "files", max_time_limit=30, default_time_limit=5,
                        rate_limit_per_second=1000, rate_limit_burst=1000, max_queued_jobs_per_region=20)
    with TestClient(create_app(settings)) as client, pytest.MonkeyPatch.context() as patch:
        tokens = {"reader_own": make_token(url, "reader twente", "reader", (OWN,)),
                  "reader_other": make_token(url, "reader zwolle", "reader", (OTHER,)),
                  "editor_own": make_token(url, "Consortium Twente", "editor", (OWN,)),
                  "editor_other": make_token(url, "Consortium Zwolle", "editor", (OTHER,)),
                  "school_own": make_token(url, "ROC Twente", "school", (OWN,), "roc"),
                  "school_other": make_token(url, "ROC Zwolle", "school", (OTHER,), "roc"),
                  "analyst": make_token(url, "SBB", "analyst"),
                  "admin": make_token(url, "operator", "admin")}
        files = multipart_files(tiny_files(folder / "tiny"))
        admin = {"headers": bearer(tokens["admin"])}
        ids: dict[str, int] = {}
        for region, key in ((OWN, "scenario"), (OTHER, "other_scenario")):
            created = client.post("/scenarios", params={"region": region}, files=files, **admin)
            assert created.status_code == 201, created.text
            ids[key] = created.json()["id"]
            job = client.post(f"/scenarios/{ids[key]}/solve", json={"mode": "greedy", "time_limit": 5}, **admin)
            client.headers.update(admin["headers"])
            done = wait_for_job(client, job.json()["id"])
            client.headers.pop("Authorization")
            assert done["status"] == "done", done
            ids[key.replace("scenario", "plan")], ids[key.replace("scenario", "job")] = done["plan_id"], done["id"]
        agreement = client.post(f"/regions/{OWN}/agreements", json={"plan_id": ids["plan"]}, **admin)
        ids["agreement"] = agreement.json()["id"]
        ids["proposal"] = client.post(f"/regions/{OWN}/proposals", json={"plan_id": ids["plan"]}, **admin).json()["id"]
        ids["variant"] = client.post(f"/scenarios/{ids['scenario']}/variants", json=VARIANT, **admin).json()["id"]
        sweep = client.post(f"/scenarios/{ids['scenario']}/sweep", **admin,
                            json={"variant_ids": [ids["variant"]], "mode": "greedy", "time_limit": 1})
        client.headers.update(admin["headers"])
        ids["sweep_job"] = wait_for_job(client, sweep.json()["id"])["id"]
        marginal = client.post(f"/plans/{ids['plan']}/marginal", json={"top": 2, "verify": 0, "time_limit": 1})
        ids["marginal_job"] = wait_for_job(client, marginal.json()["id"])["id"]
        optimised = client.post(f"/scenarios/{ids['scenario']}/solve", json={"mode": "optimise", "time_limit": 5})
        ids["optimised_plan"] = wait_for_job(client, optimised.json()["id"])["plan_id"]
        curve = client.post(f"/plans/{ids['optimised_plan']}/tradeoff", json={"points": 2, "nodes": 10})
        assert wait_for_job(client, curve.json()["id"])["status"] == "done"
        client.headers.pop("Authorization")
        document = client.get(f"/scenarios/{ids['scenario']}", **admin).json()["document"]
        patch.setattr(solve_package, "solve_watched", _solve_until_cancelled)
        world = World(client, tokens, ids, document, files)
        try:
            yield world
        finally:
            for job in client.get("/jobs", params={"status": "running"}, **admin).json() + \
                    client.get("/jobs", params={"status": "queued"}, **admin).json():
                client.post(f"/jobs/{job['id']}/cancel", **admin)


def _request(world: World, method: str, template: str) -> tuple[str, dict[str, Any]]:
    """A concrete request for a route: Twente's records, fresh ones where the request changes them."""
    ids = world.ids
    values = {"scenario_id": ids["scenario"], "job_id": ids["job"], "plan_id": ids["plan"], "region": OWN,
              "agreement_id": ids["agreement"], "version": 1, "name": "weekly_capacity", "variant_id": ids["variant"],
              "proposal_id": ids["proposal"], "institution": "roc"}
    kwargs: dict[str, Any] = {}
    if (method, template) in (("PUT", "/scenarios/{scenario_id}"), ("DELETE", "/scenarios/{scenario_id}")):
        values["scenario_id"] = world.new_scenario()
    if template == "/jobs/{job_id}/sweep":
        values["job_id"] = ids["sweep_job"]
    if template == "/jobs/{job_id}/marginal":
        values["job_id"] = ids["marginal_job"]
    if "/tradeoff" in template:
        values.update(plan_id=ids["optimised_plan"], max_changed=0)
    if method == "POST" and template == "/jobs/{job_id}/cancel":
        values["job_id"] = world.new_job()
    if method == "POST" and template.startswith("/proposals/"):
        values["proposal_id"] = world.new_proposal()  # an open one: decisions and versions need it
    if method == "DELETE" and template == "/tokens/{token_id}":
        values["token_id"] = world.new_token_id()
    if method == "POST" and template.endswith("/variants"):
        kwargs = {"json": VARIANT}
    elif template.endswith("/sweep"):
        kwargs = {"json": {"variant_ids": [ids["variant"]], "mode": "greedy", "time_limit": 1}}
    elif template.endswith("/marginal"):
        kwargs = {"json": {"top": 2, "verify": 0, "time_limit": 1}}
    elif method == "POST" and template.endswith("/tradeoff"):
        kwargs = {"json": {"points": 2, "nodes": 10, "time_limit": 1}}
    elif method in ("POST", "PUT") and "scenarios" in template and "solve" not in template:
        kwargs = {"json": world.document, "params": {"region": OWN}}
    elif template.endswith("/solve"):
        kwargs = {"json": {"mode": "greedy", "time_limit": 1}}
    elif template == "/tokens":
        kwargs = {"json": {"name": "made in the matrix", "role": "reader", "regions": [OWN]}}
    elif template.endswith("/decisions"):
        kwargs = {"json": {"decision": "reject", "note": "matrix", "institution": "roc"}}
    elif method == "POST" and (template.endswith("/versions") or template.endswith("/proposals")):
        kwargs = {"json": {"plan_id": ids["plan"], "note": "matrix"}}
    elif method == "POST" and template.endswith("/agreements"):
        world.without_open_proposal()
        kwargs = {"json": {"plan_id": ids["plan"], "note": "matrix"}}
    elif template.startswith("/plans/compare"):
        kwargs = {"params": {"a": ids["plan"], "b": ids["plan"]}}
    return template.format(**values), kwargs


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "template"), _routes(), ids=[f"{m} {p}" for m, p in _routes()])
def test_every_route_checks_every_role(world: World, method: str, template: str, actor: str) -> None:
    rule = ACCESS.get((method, template))
    assert rule is not None, f"{method} {template} has no access rule here: decide who may use it, then add it"
    path, kwargs = _request(world, method, template)
    response = world.call(actor, method, path, **kwargs)
    if actor in ALLOWED[rule]:
        assert 200 <= response.status_code < 300, (actor, response.status_code, response.text[:300])
    elif actor == "anonymous":
        assert response.status_code == 401, response.text[:300]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    else:
        assert response.status_code == 403, (actor, response.status_code, response.text[:300])
        assert "may not" in response.json()["detail"]


def test_the_matrix_sees_every_operation_and_every_operation_has_a_rule() -> None:
    documented = {(method.upper(), path) for path, item in documented_app.openapi()["paths"].items() for method in item}
    assert documented <= set(_routes())
    assert set(_routes()) == set(ACCESS), set(_routes()) ^ set(ACCESS)


def _count(world: World, path: str, **params: Any) -> int:
    return len(world.admin("GET", path, params={"limit": 1000, **params}))


def test_cross_site_posts_without_the_header_are_refused_and_store_nothing(world: World) -> None:
    """A web page elsewhere can send text/plain and multipart bodies without a pre-check, but no token."""
    scenarios, jobs = _count(world, "/scenarios"), _count(world, "/jobs")
    yaml_text = world.scenario_files[0][1][1]
    attempts = [
        world.client.post("/scenarios", content=yaml_text, headers={"content-type": "text/plain"}),
        world.client.post("/scenarios", files=world.scenario_files, params={"region": OWN}),
        world.client.post(f"/scenarios/{world.ids['scenario']}/solve", content=b'{"mode": "greedy"}',
                          headers={"content-type": "text/plain"}),
        world.client.post(f"/regions/{OWN}/agreements", content=b"{", headers={"content-type": "text/plain",
                                                                            "cookie": "session=stolen"}),
    ]
    assert [a.status_code for a in attempts] == [401] * 4
    assert all(a.headers["WWW-Authenticate"] == "Bearer" for a in attempts)
    assert (_count(world, "/scenarios"), _count(world, "/jobs")) == (scenarios, jobs)


def test_bad_and_revoked_tokens_get_401(world: World) -> None:
    from api import crud
    from api.services import tokens

    scenario = f"/scenarios/{world.ids['scenario']}"
    for header in ("Bearer nonsense", "Bearer spt_00000000_" + "a" * 43, "Basic dXNlcjpwYXNz", "Bearer ",
                   "Bearer " + world.tokens["admin"][:-1] + "x"):
        response = world.client.get(scenario, headers={"Authorization": header})
        assert response.status_code == 401, header
        assert "token" in response.json()["detail"]
    url = world.client.app.state.settings.database_url
    token = make_token(url, "short-lived", "admin")
    assert world.client.get(scenario, headers=bearer(token)).status_code == 200
    with world.client.app.state.db.session() as session:
        row = next(r for r in crud.list_tokens(session) if r.name == "short-lived")
        assert token not in (row.token_hash, row.lookup) and len(row.token_hash) == 64
        tokens.revoke(session, None, row.id)  # as `stageplanner tokens revoke` does
    assert world.client.get(scenario, headers=bearer(token)).status_code == 401


def test_lists_show_only_the_regions_a_token_may_read(world: World) -> None:
    ids = world.ids
    for actor, regions in (("reader_own", {OWN}), ("editor_other", {OTHER}), ("analyst", {OWN, OTHER}),
                           ("admin", {OWN, OTHER})):
        def seen(path: str, key: str = "region", actor: str = actor) -> set[str]:
            response = world.call(actor, "GET", path, params={"limit": 1000} if path != "/regions" else {})
            assert response.status_code == 200, response.text
            return {item[key] for item in response.json()}

        assert seen("/scenarios") == regions
        assert seen("/plans") == regions
        assert seen("/jobs") == regions
        assert seen("/regions") == regions
        hotspots = world.call(actor, "GET", "/hotspots").json()
        assert {p["region"] for p in hotspots["plans"]} == regions
        assert {c["region"] for c in hotspots["cells"]} <= regions
    other_plan = world.call("reader_own", "GET", f"/plans/{ids['other_plan']}")
    assert other_plan.status_code == 403 and OTHER in other_plan.json()["detail"]
    mixed = world.call("reader_own", "GET", "/plans/compare", params={"a": ids["plan"], "b": ids["other_plan"]})
    assert mixed.status_code == 403
    deviations = world.call("reader_own", "GET", f"/regions/{OWN}/agreements/current/deviations",
                            params={"plan_id": ids["other_plan"]})
    assert deviations.status_code == 403


def test_editors_change_only_their_own_regions(world: World) -> None:
    """An editor of Twente cannot store a scenario in Zwolle, move one there, nor adopt Zwolle's plan."""
    before = _count(world, "/scenarios")
    other = world.call("editor_own", "POST", "/scenarios", params={"region": OTHER}, json=world.document)
    assert other.status_code == 403
    document = {**world.document, "name": OTHER}  # no region given: the scenario name is the region
    assert world.call("editor_own", "POST", "/scenarios", json=document).status_code == 403
    parts = [*world.scenario_files, ("region", (None, OTHER.encode()))]
    assert world.call("editor_own", "POST", "/scenarios", files=parts).status_code == 403
    assert _count(world, "/scenarios") == before
    moved = world.call("editor_own", "PUT", f"/scenarios/{world.new_scenario()}", params={"region": OTHER},
                       json=world.document)
    assert moved.status_code == 403
    adopt = world.call("editor_own", "POST", f"/regions/{OTHER}/agreements", json={"plan_id": world.ids["other_plan"]})
    assert adopt.status_code == 403
    assert world.call("editor_own", "POST", f"/scenarios/{world.ids['other_scenario']}/solve", json={}).status_code == 403


def test_adopted_by_is_the_token_name_and_cannot_be_forged(world: World) -> None:
    history = f"/regions/{OWN}/agreements"
    before = _count(world, history)
    forged = world.call("editor_own", "POST", history, json={"plan_id": world.ids["plan"], "adopted_by": "SBB director"})
    assert forged.status_code == 422 and "adopted_by" in forged.json()["detail"][0]["message"]
    assert _count(world, history) == before
    world.without_open_proposal()
    adopted = world.call("editor_own", "POST", history, json={"plan_id": world.ids["plan"], "note": "ok"})
    assert adopted.status_code == 201, adopted.text
    stored = world.admin("GET", f"/agreements/{adopted.json()['id']}")
    assert stored["adopted_by"] == "Consortium Twente"
    assert all(a["adopted_by"] != "SBB director" for a in world.admin("GET", history))


def test_the_audit_log_records_who_changed_what(world: World) -> None:
    sid = world.call("editor_own", "POST", "/scenarios", params={"region": OWN}, json=world.document).json()["id"]
    assert world.call("editor_own", "PUT", f"/scenarios/{sid}", json=world.document).status_code == 200
    job = world.call("editor_own", "POST", f"/scenarios/{sid}/solve", json={"time_limit": 1}).json()
    assert world.call("editor_own", "POST", f"/jobs/{job['id']}/cancel").status_code == 200
    world.without_open_proposal()
    agreement = world.call("editor_own", "POST", f"/regions/{OWN}/agreements", json={"plan_id": world.ids["plan"]}).json()
    assert world.call("editor_own", "DELETE", f"/scenarios/{sid}").status_code == 204

    entries = world.admin("GET", "/audit", params={"region": OWN, "limit": 1000})
    mine = [(e["action"], e["target_id"]) for e in entries if e["actor"] == "Consortium Twente"]
    assert mine[:6] == [("scenario.delete", sid), ("agreement.adopt", agreement["id"]), ("job.cancel", job["id"]),
                        ("job.start", job["id"]), ("scenario.update", sid), ("scenario.create", sid)]
    assert all(e["region"] == OWN for e in entries)
    assert {e["token_id"] for e in entries if e["actor"] == "Consortium Twente"} == {entries[0]["token_id"]}
    adoptions = world.admin("GET", "/audit", params={"action": "agreement.adopt", "limit": 1000})
    assert adoptions and all(e["action"] == "agreement.adopt" for e in adoptions)
    assert world.call("analyst", "GET", "/audit").status_code == 403
    assert world.call("admin", "GET", "/audit", params={"action": "DROP TABLE"}).status_code == 422


def test_solve_time_is_capped_per_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_package, "solve_watched", _solve_until_cancelled)
    url = f"sqlite:///{tmp_path / 'api.sqlite3'}"
    settings = Settings(database_url=url, data_dir=tmp_path / "files", max_time_limit=600, default_time_limit=60,
                        max_solve_seconds_editor=20)
    editor, admin = make_token(url, "Consortium Twente", "editor", (OWN,)), make_token(url, "operator", "admin")
    with TestClient(create_app(settings)) as client:
        sid = client.post("/scenarios", params={"region": OWN}, files=multipart_files(tiny_files(tmp_path / "tiny")),
                          headers=bearer(admin)).json()["id"]
        too_long = client.post(f"/scenarios/{sid}/solve", json={"time_limit": 30}, headers=bearer(editor))
        assert too_long.status_code == 422
        assert too_long.json()["detail"][0]["message"] == "30 must be at most 20 seconds (the server's maximum for editor tokens)"
        default = client.post(f"/scenarios/{sid}/solve", json={}, headers=bearer(editor))
        assert default.status_code == 202 and default.json()["time_limit"] == 20  # the default, capped
        assert client.post(f"/scenarios/{sid}/solve", json={"time_limit": 30}, headers=bearer(admin)).status_code == 202
        for job in client.get("/jobs", headers=bearer(admin)).json():
            client.post(f"/jobs/{job['id']}/cancel", headers=bearer(admin))


def test_each_token_has_its_own_rate_limit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'api.sqlite3'}"
    settings = Settings(database_url=url, data_dir=tmp_path / "files", rate_limit_per_second=0.5, rate_limit_burst=3)
    busy, calm = make_token(url, "busy", "analyst"), make_token(url, "calm", "analyst")
    with TestClient(create_app(settings)) as client:
        answers = [client.get("/scenarios", headers=bearer(busy)) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[-1].headers["Retry-After"] == "2" and "busy" in answers[-1].json()["detail"]
        assert client.get("/scenarios", headers=bearer(calm)).status_code == 200
        assert client.get("/health").status_code == 200  # liveness is not limited for anonymous callers


def test_rate_limiter_refills_over_time() -> None:
    from api.core.security import RateLimiter

    limiter = RateLimiter(per_second=2, burst=2)
    assert [limiter.acquire(1, now=0.0) for _ in range(3)] == [0.0, 0.0, 0.5]
    assert limiter.acquire(1, now=0.5) == 0.0 and limiter.acquire(1, now=0.5) == 0.5
    assert limiter.acquire(2, now=0.5) == 0.0


def test_health_is_open_and_says_nothing_more_without_a_token(world: World) -> None:
    anonymous = world.client.get("/health")
    assert anonymous.status_code == 200 and anonymous.json() == {"status": "ok", "database": None,
                                                                 "max_concurrent_solves": None, "jobs": None}
    known = world.call("reader_own", "GET", "/health").json()
    assert known["database"] == "sqlite" and isinstance(known["jobs"], dict)


def test_openapi_documents_the_bearer_scheme_on_every_protected_operation() -> None:
    schema = documented_app.openapi()
    assert schema["components"]["securitySchemes"]["APIToken"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["APIToken"]["description"]}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if path == "/health":
                assert "security" not in operation
                continue
            assert operation.get("security") == [{"APIToken": []}], (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)


def test_admins_manage_tokens_over_the_api(world: World) -> None:
    made = world.call("admin", "POST", "/tokens", json={"name": "Consortium Achterhoek", "role": "editor",
                                                        "regions": ["Achterhoek"]})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    token, token_id = made.json()["token"], made.json()["id"]
    assert made.json()["regions"] == ["Achterhoek"] and made.json()["revoked_at"] is None
    assert world.client.get("/scenarios", headers=bearer(token)).status_code == 200
    listed = world.admin("GET", "/tokens")
    assert token not in str(listed) and all("token" not in entry for entry in listed)
    assert {"reader twente", "Consortium Achterhoek"} <= {entry["name"] for entry in listed}
    for body in ({"name": "x", "role": "reader"}, {"name": "x", "role": "boss", "regions": ["Twente"]},
                 {"name": "", "role": "admin"}, {"name": "x", "role": "admin", "token": "spt_chosen"}):
        assert world.call("admin", "POST", "/tokens", json=body).status_code == 422, body
    own_id = next(e["id"] for e in listed if e["name"] == "operator")
    assert world.call("admin", "DELETE", f"/tokens/{own_id}").status_code == 409
    revoked = world.admin("DELETE", f"/tokens/{token_id}")
    assert revoked["revoked_at"] is not None
    assert world.client.get("/scenarios", headers=bearer(token)).status_code == 401
    assert world.call("admin", "DELETE", "/tokens/999999").status_code == 404
    actions = [(e["action"], e["target_id"]) for e in world.admin("GET", "/audit", params={"limit": 1000})]
    assert ("token.create", token_id) in actions and ("token.revoke", token_id) in actions


def _cli(runner: Any, url: str, *args: str) -> Any:
    from planner.cli import app as cli

    return runner.invoke(cli, ["tokens", *args], env={"STAGEPLANNER_DATABASE_URL": url})


def test_tokens_from_the_command_line(tmp_path: Path) -> None:
    """Bootstrap: the first admin token comes from `stageplanner tokens create`, straight on the database."""
    from typer.testing import CliRunner

    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    created = _cli(runner, url, "create", "--name", "Consortium Twente", "--role", "editor", "--region", OWN,
                   "--region", "Achterhoek")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("spt_") and "alleen deze ene keer getoond" in created.stderr
    listed = _cli(runner, url, "list")
    assert listed.exit_code == 0 and "Consortium Twente\teditor\tAchterhoek,Twente" in listed.stdout
    assert token not in listed.output and token.split("_", 2)[2] not in listed.output  # the whole secret (it may hold "_")
    bad = _cli(runner, url, "create", "--name", "nobody", "--role", "reader")
    assert bad.exit_code == 2 and "heeft minstens één regio nodig" in bad.stderr

    settings = Settings(database_url=url, data_dir=tmp_path / "files")
    with TestClient(create_app(settings)) as client:
        assert client.get("/scenarios", headers=bearer(token)).status_code == 200
        assert client.get("/audit", headers=bearer(token)).status_code == 403
        revoked = _cli(runner, url, "revoke", "1")
        assert revoked.exit_code == 0 and "is ingetrokken" in revoked.stdout
        assert client.get("/scenarios", headers=bearer(token)).status_code == 401
    assert _cli(runner, url, "revoke", "7").exit_code == 2
    assert "\tingetrokken " in _cli(runner, url, "list").stdout



def _expire(client: TestClient, token_id: int) -> None:
    """Move a token's expiry into the past (the clock moved by hand). Like any change made straight on the
    database, the server sees it once its recently checked callers end (within 2 s); the test does not wait."""
    import datetime as dt

    from api import crud
    from api.models import TokenRow, utcnow

    with client.app.state.db.session() as session:
        session.get(TokenRow, token_id).expires_at = utcnow() - dt.timedelta(seconds=1)
        session.commit()
    crud.recent_callers.forget()


def _near(stamp: str, expected: Any) -> bool:
    import datetime as dt

    return abs(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) - expected) < dt.timedelta(minutes=2)


def test_tokens_made_over_the_api_may_expire(world: World) -> None:
    import datetime as dt

    made = world.call("admin", "POST", "/tokens", json={"name": "Zorgtafel Twente", "role": "reader", "regions": [OWN],
                                                        "expires_in_days": 90})
    assert made.status_code == 201, made.text
    created, token = made.json(), made.json()["token"]
    assert _near(created["expires_at"], dt.datetime.now(dt.UTC) + dt.timedelta(days=90))
    listed = next(e for e in world.admin("GET", "/tokens") if e["id"] == created["id"])
    assert listed["expires_at"] == created["expires_at"]
    audit = world.admin("GET", "/audit", params={"action": "token.create", "limit": 1})[0]
    assert audit["target_id"] == created["id"] and audit["detail"].startswith("Zorgtafel Twente: reader Twente, expires ")
    assert world.admin("GET", "/tokens")[0]["expires_at"] is None  # tokens without an expiry keep working
    for days in (0, -1, 3651, "90d"):
        body = {"name": "x", "role": "admin", "expires_in_days": days}
        assert world.call("admin", "POST", "/tokens", json=body).status_code == 422, days
    scenario = f"/scenarios/{world.ids['scenario']}"
    assert world.client.get(scenario, headers=bearer(token)).status_code == 200
    _expire(world.client, created["id"])
    expired = world.client.get(scenario, headers=bearer(token))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")


def test_tokens_may_expire_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import contextvars
    import datetime as dt

    from typer.testing import CliRunner

    from planner.cli import main as cli_main

    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    made = _cli(runner, url, "create", "--name", "Zorgtafel", "--role", "reader", "--region", OWN, "--expires-in", "12h")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert _cli(runner, url, "create", "--name", "Operator", "--role", "admin").exit_code == 0
    header, *lines = _cli(runner, url, "list").stdout.splitlines()
    assert header.split("\t") == ["id", "naam", "rol", "regio's", "aangemaakt", "verloopt", "status"]
    zorgtafel, operator = (line.split("\t") for line in lines)
    assert _near(zorgtafel[5].replace(" ", "T") + "+00:00", dt.datetime.now(dt.UTC) + dt.timedelta(hours=12))
    assert zorgtafel[6] == "actief" and operator[5:] == ["nooit", "actief"]
    monkeypatch.setenv("STAGEPLANNER_DATABASE_URL", url)
    monkeypatch.delenv("STAGEPLANNER_LANG", raising=False)
    for bad in ("90", "3w", "0d", "12 uur", "99999d", "-5m"):
        with pytest.raises(SystemExit) as exited:  # a copy of the context: the command line sets the language
            contextvars.copy_context().run(cli_main, ["tokens", "create", "--name", "x", "--role", "admin",
                                                      "--expires-in", bad])
        assert exited.value.code == 2
        assert (f"Fout: Ongeldige waarde voor '--expires-in': {bad!r} is geen geldige duur: geef een heel getal met d "
                "(dagen), h (uren) of m (minuten), bijvoorbeeld 90d, 12h of 30m, hoogstens 3650d"
                ) in capsys.readouterr().err.splitlines()
    assert len(_cli(runner, url, "list").stdout.splitlines()) == 3  # nothing made by a refused command

    with TestClient(create_app(Settings(database_url=url, data_dir=tmp_path / "files"))) as client:
        assert client.get("/scenarios", headers=bearer(token)).status_code == 200
        _expire(client, 1)
        assert client.get("/scenarios", headers=bearer(token)).status_code == 401
    assert _cli(runner, url, "list").stdout.splitlines()[1].split("\t")[6].startswith("verlopen ")
