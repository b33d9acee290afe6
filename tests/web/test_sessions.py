"""Server-side sessions of the web workbench: what a cookie is worth after sign-out, expiry and
revocation, that it never is a token, and the limit on failed sign-ins.

The app runs in this process on SQLite. Expiry is tested by moving a session's (or token's)
timestamps in the database, and :mod:`api.services.web_sessions` with its own clock; nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from api.core.config import Settings
from api.core.security import FailureWindow, hash_token
from api.main import create_app
from api.models import TokenRow, WebSessionRow, utcnow
from api.services import web_sessions
from tests.api.support import bearer, make_token, multipart_files, tiny_files, wait_for_job
from tests.web.support import csrf_of, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SESSION_COOKIE = "stageplanner_session"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app with an editor and an admin of Twente, a scenario and one plan of it."""
    tmp = tmp_path_factory.mktemp("sessions")
    settings = Settings(database_url=f"sqlite:///{tmp / 'web.sqlite3'}", data_dir=tmp / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000, default_time_limit=5)
    with TestClient(create_app(settings)) as client:
        url = settings.database_url
        tokens = {"editor": make_token(url, "Consortium Twente", "editor", ("Twente",)),
                  "admin": make_token(url, "operator", "admin")}
        api = TestClient(client.app, headers=bearer(tokens["admin"]))
        scenario = api.post("/scenarios", params={"region": "Twente"}, files=multipart_files(tiny_files(tmp / "tiny")))
        assert scenario.status_code == 201, scenario.text
        job = api.post(f"/scenarios/{scenario.json()['id']}/solve", json={"mode": "greedy", "time_limit": 5})
        plan_id = wait_for_job(api, job.json()["id"])["plan_id"]
        yield {"app": client.app, "api": api, "tokens": tokens, "plan": plan_id}


def _session_rows(app: Any) -> list[WebSessionRow]:
    with app.state.db.session() as session:
        return list(session.scalars(sa.select(WebSessionRow)))


def _set_session(app: Any, session_id: str, **values: Any) -> None:
    with app.state.db.session() as session:
        session.execute(sa.update(WebSessionRow).where(WebSessionRow.session_hash == hash_token(session_id))
                        .values(**values))


def _signed_in(site: dict[str, Any], role: str = "editor") -> tuple[TestClient, str]:
    """A new browser signed in as ``role``, and its session cookie's value."""
    browser = TestClient(site["app"])
    answer = sign_in(browser, site["tokens"][role])
    assert answer.status_code == 303, answer.text
    return browser, browser.cookies[SESSION_COOKIE]


def _refused(app: Any, session_id: str) -> bool:
    """Whether a browser presenting ``session_id`` is sent to the sign-in form."""
    replay = TestClient(app, cookies={SESSION_COOKIE: session_id})
    answer = replay.get("/web/", follow_redirects=False)
    return answer.status_code == 303 and answer.headers["location"].startswith("/web/signin")


def test_a_replayed_cookie_after_sign_out_reads_and_adopts_nothing(site):
    app, api, plan = site["app"], site["api"], site["plan"]
    browser, session_id = _signed_in(site)
    form = browser.get("/web/regions/Twente/agreements")
    assert form.status_code == 200
    csrf = csrf_of(form.text)
    adopted = browser.post("/web/regions/Twente/agreements", data={"csrf": csrf, "plan_id": str(plan), "note": "live"},
                           follow_redirects=False)
    assert adopted.status_code == 303, adopted.text
    audit = api.get("/audit", params={"action": "agreement.adopt"}).json()
    assert audit[0]["actor"] == "Consortium Twente"  # acts in a session are the token's
    before = len(api.get("/regions/Twente/agreements").json())

    out = browser.post("/web/signout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
    assert _refused(app, session_id)
    replay = TestClient(app, cookies={SESSION_COOKIE: session_id})
    post = replay.post("/web/regions/Twente/agreements", data={"csrf": csrf, "plan_id": str(plan), "note": "replay"},
                       follow_redirects=False)
    assert post.status_code in (303, 403) and post.headers.get("location", "/web/signin").startswith("/web/signin")
    assert len(api.get("/regions/Twente/agreements").json()) == before
    assert hash_token(session_id) not in {row.session_hash for row in _session_rows(app)}


def test_the_cookie_holds_no_token_and_is_no_bearer_token(site):
    app, token = site["app"], site["tokens"]["editor"]
    browser = TestClient(app)
    answer = sign_in(browser, token)
    cookies = answer.headers.get_list("set-cookie")
    assert cookies and all(token not in cookie and token.split("_")[2] not in cookie for cookie in cookies)
    session_id = browser.cookies[SESSION_COOKIE]
    session_cookie = next(c for c in cookies if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session_cookie and "Path=/web" in session_cookie and "samesite=strict" in session_cookie.lower()
    assert browser.get("/web/").status_code == 200
    as_bearer = TestClient(app).get("/scenarios", headers={"Authorization": f"Bearer {session_id}"})
    assert as_bearer.status_code == 401 and as_bearer.headers["WWW-Authenticate"].startswith("Bearer")
    assert _refused(app, token)  # the raw token in the cookie is no session either
    stored = {row.session_hash for row in _session_rows(app)}
    assert hash_token(session_id) in stored and session_id not in stored


def test_sessions_end_when_idle_and_at_their_maximum_age(site):
    app = site["app"]
    _browser, idle = _signed_in(site)
    _browser, old = _signed_in(site)
    now = utcnow()
    _set_session(app, idle, last_seen_at=now - dt.timedelta(minutes=31), idle_expires_at=now - dt.timedelta(minutes=1))
    _set_session(app, old, created_at=now - dt.timedelta(hours=13), expires_at=now - dt.timedelta(hours=1))
    assert _refused(app, idle) and _refused(app, old)
    ended = {hash_token(idle), hash_token(old)}
    assert not ended & {row.session_hash for row in _session_rows(app)}  # ended sessions are removed


def test_a_session_is_kept_alive_by_use_until_its_maximum_age(site):
    """The clock moved by hand: the last-seen time is written at most once a minute and moves the idle expiry."""
    app, settings = site["app"], site["app"].state.settings
    start = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    with app.state.db.session() as session:
        token_id = session.scalar(sa.select(TokenRow.id).where(TokenRow.name == "Consortium Twente"))
        session_id = web_sessions.start(session, token_id, settings, start)

    def seen(minutes: float) -> tuple[str | None, dt.datetime]:
        with app.state.db.session() as session:
            caller = web_sessions.principal(session, session_id, settings, start + dt.timedelta(minutes=minutes))
            row = session.scalar(sa.select(WebSessionRow).where(WebSessionRow.session_hash == hash_token(session_id)))
            return (caller.name if caller else None), (row.last_seen_at if row else start)

    assert seen(0.5) == ("Consortium Twente", start)  # within a minute: nothing written
    for minutes in range(25, 12 * 60, 25):  # a request every 25 minutes keeps it alive
        assert seen(minutes) == ("Consortium Twente", start + dt.timedelta(minutes=minutes))
    assert seen(12 * 60)[0] is None  # twelve hours after sign-in it ends, however busy
    assert seen(12 * 60 - 1)[0] is None  # and stays ended


def test_revoking_or_expiring_the_token_ends_its_sessions(site):
    app, api = site["app"], site["api"]
    made = api.post("/tokens", json={"name": "Consortium Achterhoek", "role": "editor", "regions": ["Achterhoek"]})
    site["tokens"]["achterhoek"] = made.json()["token"]
    _browser, session_id = _signed_in(site, "achterhoek")
    assert not _refused(app, session_id)
    assert api.delete(f"/tokens/{made.json()['id']}").status_code == 200
    assert all(row.token_id != made.json()["id"] for row in _session_rows(app))
    assert _refused(app, session_id)

    made = api.post("/tokens", json={"name": "Zorgtafel", "role": "reader", "regions": ["Twente"],
                                     "expires_in_days": 1})
    site["tokens"]["zorgtafel"] = made.json()["token"]
    _browser, session_id = _signed_in(site, "zorgtafel")
    assert not _refused(app, session_id)
    with app.state.db.session() as session:
        session.get(TokenRow, made.json()["id"]).expires_at = utcnow() - dt.timedelta(seconds=1)
    assert _refused(app, session_id)


def test_failed_sign_ins_are_limited_per_address_and_overall(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", data_dir=tmp_path / "files",
                        signin_failures_per_minute=3, signin_failures_per_minute_total=5)
    good = make_token(settings.database_url, "Consortium Twente", "editor", ("Twente",))
    revoked = make_token(settings.database_url, "old", "editor", ("Twente",))
    with TestClient(create_app(settings)) as client:
        admin = make_token(settings.database_url, "operator", "admin")
        client.delete("/tokens/2", headers=bearer(admin)).raise_for_status()
        first = TestClient(client.app, client=("192.0.2.1", 50000))
        wrong = [sign_in(first, bad) for bad in ("spt_00000000_" + "a" * 43, revoked, good[:-2] + "xx")]
        assert [w.status_code for w in wrong] == [401] * 3
        errors = {w.text[w.text.find('role="alert"'):][:300] for w in wrong}
        assert len(errors) == 1 and "niet geldig" in errors.pop()  # unknown, revoked, mistyped: one answer
        limited = sign_in(first, good)  # now even the right token waits
        assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 60
        assert "Te veel mislukte aanmeldpogingen vanaf dit adres" in limited.text
        assert SESSION_COOKIE not in first.cookies
        second = TestClient(client.app, client=("192.0.2.2", 50000))
        assert sign_in(second, good).status_code == 303  # another address is not held up
        assert [sign_in(second, "spt_nope").status_code for _ in range(3)] == [401, 401, 429]  # 5 in all
        third = TestClient(client.app, client=("192.0.2.3", 50000))
        assert sign_in(third, good).status_code == 429  # the overall limit


def test_failure_window_counts_the_last_minute() -> None:
    window = FailureWindow(per_key=2, total=3, window=60)
    assert window.retry_after("a", now=0) == 0
    window.record("a", now=0)
    window.record("a", now=10)
    assert window.retry_after("a", now=20) == 40  # until the failure at 0 is a minute old
    assert window.retry_after("b", now=20) == 0
    window.record("b", now=30)
    assert window.retry_after("c", now=30) == 30  # three failures in all
    assert window.retry_after("a", now=60) == 0 and window.retry_after("c", now=60) == 0
