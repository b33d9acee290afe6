"""Sign-off per school: a proposal, each institution's decision on its own part, adoption once all
approved, a new plan version that resets the approvals, the history, and each school's calendar.

Twente's scenario here has two institutions (``roc-a`` and ``roc-b``); Zwolle's has the same ids, so a
school token of Zwolle's ``roc-a`` shows that the region, not only the institution id, must match.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.core.config import Settings
from api.main import create_app
from tests.api.support import TestClient, bearer, make_token, wait_for_job
from tests.builders import cohort, company, scenario_dict

TWENTE, ZWOLLE = "Twente", "Zwolle"


def _two_schools() -> dict[str, Any]:
    document = scenario_dict([cohort("zorg-a", 12, current_start="2027-W05", latest="2027-W20"),
                              cohort("zorg-b", 8, location="loc-b", current_start="2027-W05", latest="2027-W20")],
                             [company("k1", 8), company("k2", 6)], last="2027-W20")
    document["institutions"] = [
        {"id": "roc-a", "name": "ROC A", "locations": [{"id": "loc-e", "area": "Enschede", "holiday_region": "noord"}]},
        {"id": "roc-b", "name": "ROC B", "locations": [{"id": "loc-b", "area": "Hengelo", "holiday_region": "noord"}]}]
    return document


@dataclass
class Consortium:
    client: TestClient
    tokens: dict[str, str]
    plans: dict[str, int]

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**bearer(self.tokens[who]), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def ok(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.call(who, method, path, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json()

    def propose(self, plan: str = "first") -> dict[str, Any]:
        return self.ok("editor", "POST", f"/regions/{TWENTE}/proposals",
                       json={"plan_id": self.plans[plan], "note": "proposal"})

    def decide(self, who: str, proposal: int, decision: str, **body: Any) -> Any:
        return self.call(who, "POST", f"/proposals/{proposal}/decisions",
                         json={"decision": decision, "note": f"{who} says {decision}", **body})


@pytest.fixture(scope="module")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consortium]:
    folder = tmp_path_factory.mktemp("signoff")
    url = f"sqlite:///{folder / 'api.sqlite3'}"
    settings = Settings(database_url=url, data_dir=folder / "files", rate_limit_per_second=1000,
                        rate_limit_burst=1000)
    with TestClient(create_app(settings)) as client:
        tokens = {"admin": make_token(url, "operator", "admin"),
                  "editor": make_token(url, "Consortium Twente", "editor", (TWENTE,)),
                  "school_a": make_token(url, "ROC A Twente", "school", (TWENTE,), "roc-a"),
                  "school_b": make_token(url, "ROC B Twente", "school", (TWENTE,), "roc-b"),
                  "school_a_zwolle": make_token(url, "ROC A Zwolle", "school", (ZWOLLE,), "roc-a")}
        client.headers.update(bearer(tokens["admin"]))
        plans: dict[str, int] = {}
        for region, names in ((TWENTE, ("first", "second")), (ZWOLLE, ("zwolle",))):
            scenario = client.post("/scenarios", params={"region": region}, json=_two_schools())
            assert scenario.status_code == 201, scenario.text
            for name in names:
                job = client.post(f"/scenarios/{scenario.json()['id']}/solve", json={"mode": "greedy", "time_limit": 5})
                plans[name] = wait_for_job(client, job.json()["id"])["plan_id"]
        client.headers.pop("Authorization")
        yield Consortium(client, tokens, plans)


def test_a_school_decides_only_its_own_part_of_its_own_region(consortium: Consortium) -> None:
    proposal = consortium.propose()
    assert [i["institution"] for i in proposal["institutions"]] == ["roc-a", "roc-b"]
    assert [i["name"] for i in proposal["institutions"]] == ["ROC A", "ROC B"]
    pid = proposal["id"]
    other_school = consortium.decide("school_a", pid, "approve", institution="roc-b")
    assert other_school.status_code == 403 and "may not decide for institution 'roc-b'" in other_school.json()["detail"]
    other_region = consortium.decide("school_a_zwolle", pid, "approve")
    assert other_region.status_code == 403 and "may not read region 'Twente'" in other_region.json()["detail"]
    editor = consortium.decide("editor", pid, "approve", institution="roc-a")
    assert editor.status_code == 403 and "may not approve or reject" in editor.json()["detail"]
    zwolle = consortium.ok("admin", "POST", f"/regions/{ZWOLLE}/proposals", json={"plan_id": consortium.plans["zwolle"]})
    assert consortium.decide("school_a", zwolle["id"], "approve").status_code == 403
    assert consortium.decide("school_a_zwolle", zwolle["id"], "approve").status_code == 200
    stored = consortium.ok("admin", "GET", f"/proposals/{pid}")
    assert stored["history"] == [] and stored["approved"] == 0  # nothing of the refused attempts was stored

    own = consortium.decide("school_a", pid, "approve")
    assert own.status_code == 200, own.text
    standing = {i["institution"]: i for i in own.json()["institutions"]}
    assert standing["roc-a"]["state"] == "approved" and standing["roc-a"]["decision"]["decided_by"] == "ROC A Twente"
    assert standing["roc-b"]["state"] == "open"
    unknown = consortium.decide("admin", pid, "approve", institution="roc-x")
    assert unknown.status_code == 422 and "roc-a, roc-b" in unknown.json()["detail"][0]["message"]


def test_the_agreement_is_adopted_only_when_every_school_approved(consortium: Consortium) -> None:
    before = consortium.ok("admin", "GET", f"/regions/{TWENTE}/agreements")
    pid = consortium.propose()["id"]
    assert consortium.decide("school_a", pid, "approve").json()["status"] == "open"
    rejected = consortium.decide("school_b", pid, "reject").json()
    assert (rejected["status"], rejected["approved"], rejected["rejected"]) == ("open", 1, 1)
    assert rejected["agreement_id"] is None
    assert consortium.ok("admin", "GET", f"/regions/{TWENTE}/agreements") == before

    adopted = consortium.decide("school_b", pid, "approve").json()
    assert adopted["status"] == "adopted" and adopted["approved"] == 2 and adopted["agreement_id"] is not None
    current = consortium.ok("school_a", "GET", f"/regions/{TWENTE}/agreements/current")
    assert (current["id"], current["plan_id"]) == (adopted["agreement_id"], consortium.plans["first"])
    assert current["adopted_by"] == "Consortium Twente" and "roc-a, roc-b" in current["note"]
    assert [d["decision"] for d in adopted["history"]] == ["approved", "rejected", "approved"]
    late = consortium.decide("school_a", pid, "reject")
    assert late.status_code == 409 and "adopted" in late.json()["detail"]

    actions = [(e["action"], e["actor"]) for e in consortium.ok("admin", "GET", "/audit", params={"region": TWENTE})]
    assert actions[:5] == [("agreement.adopt", "ROC B Twente"), ("proposal.approve", "ROC B Twente"),
                           ("proposal.reject", "ROC B Twente"), ("proposal.approve", "ROC A Twente"),
                           ("proposal.create", "Consortium Twente")]


def test_a_new_plan_version_resets_the_approvals(consortium: Consortium) -> None:
    first = consortium.propose()
    pid = first["id"]
    consortium.decide("school_a", pid, "approve")
    again = consortium.propose()  # a new proposal supersedes the open one
    assert consortium.ok("admin", "GET", f"/proposals/{pid}")["status"] == "superseded"
    assert consortium.decide("school_b", pid, "approve").status_code == 409
    pid = again["id"]
    assert consortium.decide("school_a", pid, "approve").json()["approved"] == 1
    assert consortium.call("school_a", "POST", f"/proposals/{pid}/versions",
                           json={"plan_id": consortium.plans["second"]}).status_code == 403
    assert consortium.call("editor", "POST", f"/proposals/{pid}/versions",
                           json={"plan_id": consortium.plans["zwolle"]}).status_code == 422
    revised = consortium.ok("editor", "POST", f"/proposals/{pid}/versions", json={"plan_id": consortium.plans["second"]})
    assert (revised["version"], revised["plan_id"], revised["approved"]) == (2, consortium.plans["second"], 0)
    assert [i["state"] for i in revised["institutions"]] == ["open", "open"]
    assert [(d["version"], d["institution"]) for d in revised["history"]] == [(1, "roc-a")]  # history kept
    assert consortium.decide("school_b", pid, "approve").json()["status"] == "open"  # roc-a must approve again
    adopted = consortium.decide("school_a", pid, "approve").json()
    assert adopted["status"] == "adopted"
    agreement = consortium.ok("admin", "GET", f"/agreements/{adopted['agreement_id']}")
    assert agreement["plan_id"] == consortium.plans["second"]
    listed = consortium.ok("school_b", "GET", f"/regions/{TWENTE}/proposals")
    assert listed[0]["id"] == pid and pid - 1 in [p["id"] for p in listed]


def test_each_school_has_a_printable_calendar_with_dates(consortium: Consortium) -> None:
    path = f"/plans/{consortium.plans['first']}/institutions/roc-b/calendar.html"
    page = consortium.call("school_b", "GET", path, headers={"Accept-Language": "nl"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Stagekalender van ROC B" in page.text and "ma 1 feb 2027" in page.text
    assert "script-src" not in page.headers["Content-Security-Policy"]
    english = consortium.call("school_b", "GET", path, params={"lang": "en"})
    assert "Internship calendar of ROC B" in english.text and "Mon 1 Feb 2027" in english.text
    unknown = consortium.call("school_b", "GET", f"/plans/{consortium.plans['first']}/institutions/roc-x/calendar.html")
    assert unknown.status_code == 404
    assert consortium.call("school_a_zwolle", "GET", path).status_code == 403


def test_school_tokens_from_the_command_line(tmp_path: Path) -> None:
    from planner.cli import app as cli

    runner = CliRunner()
    env = {"STAGEPLANNER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    made = runner.invoke(cli, ["tokens", "create", "--name", "ROC A", "--role", "school", "--region", TWENTE,
                               "--institution", "roc-a"], env=env)
    assert made.exit_code == 0, made.output
    assert made.stdout.strip().startswith("spt_")
    listed = runner.invoke(cli, ["tokens", "list"], env=env)
    assert "ROC A\tschool (roc-a)\tTwente" in listed.stdout
    without = runner.invoke(cli, ["tokens", "create", "--name", "x", "--role", "school", "--region", TWENTE], env=env)
    assert without.exit_code == 2 and "institution" in without.stderr
    two_regions = runner.invoke(cli, ["tokens", "create", "--name", "x", "--role", "school", "--region", TWENTE,
                                      "--region", ZWOLLE, "--institution", "roc-a"], env=env)
    assert two_regions.exit_code == 2
    editor = runner.invoke(cli, ["tokens", "create", "--name", "x", "--role", "editor", "--region", TWENTE,
                                 "--institution", "roc-a"], env=env)
    assert editor.exit_code == 2


@pytest.mark.postgres
def test_two_schools_approving_at_once_adopt_the_plan(postgres_admin_url: str) -> None:
    """The last two approvals arrive together: the first holds its transaction open until the second has
    started, and the second is counted after it, so the second sees both approvals and adopts the plan
    (without the proposal's lock each saw only its own approval and the plan was never adopted)."""
    import threading

    from api import schemas
    from api.core.security import Principal, Role
    from api.services import proposals as service
    from tests.api.support import app_client, fresh_postgres_database

    with fresh_postgres_database(postgres_admin_url) as url, app_client(Settings(
            database_url=url, data_dir=Path(tempfile.mkdtemp()), rate_limit_per_second=1000,
            rate_limit_burst=1000)) as client:
        scenario = client.post("/scenarios", params={"region": TWENTE}, json=_two_schools()).json()["id"]
        job = client.post(f"/scenarios/{scenario}/solve", json={"mode": "greedy", "time_limit": 5}).json()
        plan = wait_for_job(client, job["id"])["plan_id"]
        proposal = client.post(f"/regions/{TWENTE}/proposals", json={"plan_id": plan}).json()["id"]
        db = client.app.state.db
        schools = {i: Principal(90 + n, f"ROC {i}", Role.school, frozenset({TWENTE}), i)
                   for n, i in enumerate(("roc-a", "roc-b"))}
        first_waiting, release = threading.Event(), threading.Event()
        second_done = threading.Event()

        def approve(institution: str, hold: bool) -> None:
            with db.sessions() as session:
                if hold:
                    commit = session.commit

                    def held_commit() -> None:
                        first_waiting.set()
                        release.wait(10)
                        commit()

                    session.commit = held_commit  # type: ignore[method-assign]
                service.decide(session, schools[institution], proposal, schemas.DecisionCreate(decision="approve"))
            if not hold:
                second_done.set()

        first = threading.Thread(target=approve, args=("roc-a", True))
        first.start()
        assert first_waiting.wait(10)
        second = threading.Thread(target=approve, args=("roc-b", False))
        second.start()
        second_finished_alone = second_done.wait(1.0)
        release.set()
        first.join(10)
        second.join(10)
        stored = client.get(f"/proposals/{proposal}").json()
        assert (stored["status"], stored["approved"]) == ("adopted", 2)
        assert not second_finished_alone, "the second approval waits for the first's transaction"


def test_admins_make_school_tokens_over_the_api(consortium: Consortium) -> None:
    made = consortium.call("admin", "POST", "/tokens", json={"name": "Stagebureau ROC B", "role": "school",
                                                             "regions": [TWENTE], "institution": "roc-b"})
    assert made.status_code == 201, made.text
    assert (made.json()["role"], made.json()["institution"], made.json()["regions"]) == ("school", "roc-b", [TWENTE])
    proposal = consortium.propose()["id"]
    decided = consortium.client.post(f"/proposals/{proposal}/decisions", json={"decision": "approve"},
                                     headers=bearer(made.json()["token"]))
    assert decided.status_code == 200 and decided.json()["approved"] == 1
    for body, field in (({"role": "school", "regions": [TWENTE]}, "institution"),
                        ({"role": "school", "regions": [TWENTE, ZWOLLE], "institution": "roc-b"}, "region"),
                        ({"role": "editor", "regions": [TWENTE], "institution": "roc-b"}, "institution")):
        refused = consortium.call("admin", "POST", "/tokens", json={"name": "x", **body})
        assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == field, refused.text


def _solve_again(consortium: Consortium, mode: str = "greedy") -> int:
    """A new plan of Twente's scenario, solved over the API (the editor's solve job)."""
    scenario = consortium.ok("editor", "GET", f"/plans/{consortium.plans['first']}")["scenario_id"]
    job = consortium.ok("editor", "POST", f"/scenarios/{scenario}/solve", json={"mode": mode, "time_limit": 5})
    consortium.client.headers.update(bearer(consortium.tokens["editor"]))
    try:
        return wait_for_job(consortium.client, job["id"])["plan_id"]
    finally:
        consortium.client.headers.pop("Authorization")


def test_a_newly_solved_plan_outdates_the_open_proposal(consortium: Consortium) -> None:
    # The schools approved plan 'first' (greedy); then a new greedy plan of the same scenario is solved. The proposal is
    # outdated: nobody decides on it and it is not adopted until the editor puts a plan on it again; then
    # every institution decides again (the earlier approval stays in the history).
    pid = consortium.propose()["id"]
    assert consortium.decide("school_a", pid, "approve").status_code == 200
    _solve_again(consortium, "status-quo")  # a comparison in another mode outdates nothing
    assert consortium.ok("school_b", "GET", f"/proposals/{pid}")["stale_plan_id"] is None
    newer = _solve_again(consortium)
    stale = consortium.ok("school_b", "GET", f"/proposals/{pid}")
    assert (stale["status"], stale["stale_plan_id"], stale["approved"]) == ("open", newer, 1)
    refused = consortium.decide("school_b", pid, "approve")
    assert refused.status_code == 409 and f"plan {newer} of its scenario was solved after it" in refused.json()["detail"]
    assert consortium.ok("admin", "GET", f"/proposals/{pid}")["status"] == "open"  # the refused approval adopted nothing
    revised = consortium.ok("editor", "POST", f"/proposals/{pid}/versions", json={"plan_id": newer})
    assert (revised["version"], revised["stale_plan_id"], revised["approved"]) == (2, None, 0)
    assert consortium.decide("school_b", pid, "approve").json()["status"] == "open"
    adopted = consortium.decide("school_a", pid, "approve").json()
    assert adopted["status"] == "adopted"
    assert [(d["version"], d["institution"]) for d in adopted["history"]] == [(1, "roc-a"), (2, "roc-b"), (2, "roc-a")]


def test_editors_cannot_adopt_a_proposed_plan_bypassing_the_schools(consortium: Consortium) -> None:
    # Plan 'second' is proposed and only roc-a approved: the editor's direct adoption is refused; an admin
    # adopts it only with a reason, which the agreement's note and the audit log keep, and the proposal
    # is closed as adopted.
    before = consortium.ok("admin", "GET", f"/regions/{TWENTE}/agreements")
    pid = consortium.propose("second")["id"]
    consortium.decide("school_a", pid, "approve")
    body = {"plan_id": consortium.plans["second"], "note": "agreed in the meeting"}
    editor = consortium.call("editor", "POST", f"/regions/{TWENTE}/agreements", json=body)
    assert editor.status_code == 409, editor.text
    assert f"proposal {pid}" in editor.json()["detail"] and "still to approve: roc-b" in editor.json()["detail"]
    editor_reason = consortium.call("editor", "POST", f"/regions/{TWENTE}/agreements",
                                    json={**body, "override_reason": "urgent"})
    assert editor_reason.status_code == 422
    admin = consortium.call("admin", "POST", f"/regions/{TWENTE}/agreements", json=body)
    assert admin.status_code == 422 and admin.json()["detail"][0]["field"] == "override_reason"
    assert consortium.ok("admin", "GET", f"/regions/{TWENTE}/agreements") == before  # nothing adopted
    assert consortium.ok("admin", "GET", f"/proposals/{pid}")["status"] == "open"

    reason = "ROC B's board meets after the deadline of the placement office"
    adopted = consortium.ok("admin", "POST", f"/regions/{TWENTE}/agreements", json={**body, "override_reason": reason})
    assert adopted["plan_id"] == consortium.plans["second"]
    assert reason in adopted["note"] and "approved: roc-a; not: roc-b" in adopted["note"]
    closed = consortium.ok("admin", "GET", f"/proposals/{pid}")
    assert (closed["status"], closed["agreement_id"]) == ("adopted", adopted["id"])
    entry = consortium.ok("admin", "GET", "/audit", params={"region": TWENTE})[0]
    assert entry["action"] == "agreement.override" and reason in entry["detail"] and entry["actor"] == "operator"
    # A plan nobody proposed is adopted directly by the editor, as before.
    direct = consortium.call("editor", "POST", f"/regions/{TWENTE}/agreements",
                             json={"plan_id": consortium.plans["first"]})
    assert direct.status_code in (200, 201), direct.text


def test_while_a_proposal_is_open_no_other_plan_is_adopted_around_the_schools(consortium: Consortium) -> None:
    # Plan 'second' is proposed; the editor cannot adopt plan 'first' directly instead (it is proposed first,
    # so the schools decide on it); an admin can, with a reason, and the open proposal is then superseded.
    before = consortium.ok("admin", "GET", f"/regions/{TWENTE}/agreements")
    pid = consortium.propose("second")["id"]
    other = {"plan_id": consortium.plans["first"]}
    editor = consortium.call("editor", "POST", f"/regions/{TWENTE}/agreements", json=other)
    assert editor.status_code == 409, editor.text
    assert f"proposal {pid}" in editor.json()["detail"] and f"plan {consortium.plans['second']}" in editor.json()["detail"]
    admin = consortium.call("admin", "POST", f"/regions/{TWENTE}/agreements", json=other)
    assert admin.status_code == 422 and admin.json()["detail"][0]["field"] == "override_reason"
    assert consortium.ok("admin", "GET", f"/regions/{TWENTE}/agreements") == before  # nothing adopted
    assert consortium.ok("admin", "GET", f"/proposals/{pid}")["status"] == "open"
    adopted = consortium.ok("admin", "POST", f"/regions/{TWENTE}/agreements",
                            json={**other, "override_reason": "the board chose the first plan"})
    assert adopted["plan_id"] == consortium.plans["first"] and "the board chose the first plan" in adopted["note"]
    closed = consortium.ok("admin", "GET", f"/proposals/{pid}")
    assert (closed["status"], closed["agreement_id"]) == ("superseded", None)
    entry = consortium.ok("admin", "GET", "/audit", params={"region": TWENTE})[0]
    assert entry["action"] == "agreement.override" and entry["target_id"] == adopted["id"]
