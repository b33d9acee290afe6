"""The upload form keeps the API's limits: the whole body counts against max_upload_mb (declared or streamed),
and a scenario_id that is no id is a clear 4xx, not a server error."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.core.config import Settings
from api.main import create_app
from tests.api.support import make_token, tiny_files
from tests.web.support import csrf_of, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LIMIT_MB = 0.05  # 52,428 bytes: the tiny scenario fits, two 30 kB parts together do not


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("web-limits")
    settings = Settings(database_url=f"sqlite:///{tmp / 'web.sqlite3'}", data_dir=tmp / "files",
                        max_upload_mb=LIMIT_MB, rate_limit_per_second=1000, rate_limit_burst=1000)
    with TestClient(create_app(settings)) as client:
        token = make_token(settings.database_url, "editor of Twente", "editor", ("Twente",))
        assert sign_in(client, token).status_code == 303
        yield {"client": client, "scenario": tiny_files(tmp / "tiny")}


def _form(site: Any, **fields: str) -> tuple[dict[str, str], list[Any]]:
    path: Path = site["scenario"]
    data = {"csrf": csrf_of(site["client"].get("/web/upload").text), "region": "Twente", **fields}
    files = [("scenario", ("scenario.yaml", path.read_bytes(), "application/yaml")),
             ("tables", ("cohorts.csv", (path.parent / "cohorts.csv").read_bytes(), "text/csv")),
             ("tables", ("companies.csv", (path.parent / "companies.csv").read_bytes(), "text/csv"))]
    return data, files


def _stored(site: Any) -> int:
    return site["client"].get("/web/regions/Twente").text.count('href="/web/scenarios/')


def test_the_form_uploads_within_the_limit(site: Any) -> None:
    data, files = _form(site)
    before = _stored(site)
    answer = site["client"].post("/web/upload", data=data, files=files, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert _stored(site) == before + 1


@pytest.mark.parametrize("declared", [True, False])
def test_the_whole_body_counts_against_the_upload_limit(site: Any, declared: bool) -> None:
    """Two parts of 30 kB, each under the part limit, together over it: 413 naming the limit, nothing stored;
    also when the body is streamed without a Content-Length."""
    client = site["client"]
    data, files = _form(site)
    files += [("tables", (f"extra{i}.csv", b"x" * 30_000, "text/csv")) for i in range(2)]
    before = _stored(site)
    if declared:
        answer = client.post("/web/upload", data=data, files=files)
    else:
        request = httpx.Request("POST", "http://testserver/web/upload", data=data, files=files)
        body = request.read()
        chunks = iter([body[i:i + 8192] for i in range(0, len(body), 8192)])
        answer = client.post("/web/upload", content=chunks,
                             headers={"content-type": request.headers["content-type"]})
        assert "content-length" not in answer.request.headers
    assert answer.status_code == 413, answer.text[:300]
    assert "max_upload_mb" in answer.text
    assert _stored(site) == before


@pytest.mark.parametrize("scenario_id", ["abc", "99999999999999999999", "-1", "0x10", "1e3", "٣"])
def test_a_scenario_id_that_is_no_id_is_a_clear_problem(site: Any, scenario_id: str) -> None:
    client = site["client"]
    data, files = _form(site, scenario_id=scenario_id)
    before = _stored(site)
    answer = client.post("/web/upload", data=data, files=files)
    assert answer.status_code == 422, answer.text[:300]
    assert "scenario_id" in answer.text and 'action="/web/upload"' in answer.text  # the form, to try again
    assert _stored(site) == before
    assert client.get("/web/upload", params={"scenario_id": scenario_id}).status_code == 422
