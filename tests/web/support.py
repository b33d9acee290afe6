"""Helpers of the web tests: a workbench app with the tiny scenario solved, signing a client in through the form,
and reading CSRF tokens from pages."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.core.config import Settings
from api.main import create_app
from tests.api.support import bearer, make_token, multipart_files, tiny_files, wait_for_job

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = CSRF.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: httpx.Client, token: str) -> httpx.Response:
    """Sign ``client`` in with ``token`` through the sign-in form; the answer of the post."""
    form = client.get("/web/signin")
    assert form.status_code == 200, form.text
    return client.post("/web/signin", data={"token": token, "csrf": csrf_of(form.text), "next": "/web/"},
                       follow_redirects=False)


@dataclass
class Workbench:
    """The app's web client (not signed in), an admin API client, the database URL and the solved tiny scenario."""

    client: TestClient
    api: TestClient
    url: str
    scenario: int
    job: dict

    @property
    def plan(self) -> int:
        return self.job["plan_id"]


@contextmanager
def tiny_workbench(tmp_path: Path, mode: str, time_limit: float) -> Iterator[Workbench]:
    """A workbench app on a fresh SQLite database with the tiny scenario stored for Twente and solved in ``mode``."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    with TestClient(create_app(settings)) as client:
        url = settings.database_url
        api = TestClient(client.app, headers=bearer(make_token(url, "admin", "admin")))
        parts = multipart_files(tiny_files(tmp_path / "tiny")) + [("region", (None, b"Twente"))]
        scenario = api.post("/scenarios", files=parts).json()["id"]
        job = wait_for_job(api, api.post(f"/scenarios/{scenario}/solve",
                                         json={"mode": mode, "time_limit": time_limit}).json()["id"])
        yield Workbench(client, api, url, scenario, job)
