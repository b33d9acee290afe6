"""Property-based tests of the whole HTTP API against its own OpenAPI schema (Schemathesis).

A live server on SQLite and on PostgreSQL, seeded with a scenario, a plan and an agreement so
the documented example ids hit real records. Every operation gets a few generated requests
(valid and invalid); none may cause a server error, and every response must match the
documented status codes, content types and schemas. Requests send the server's admin token
(anonymous requests and other roles are covered by ``test_auth.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import app
from tests.api.support import ApiServer, bearer, multipart_files, tiny_files, wait_for_job

EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def schema_server(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """A seeded server per database; solves are kept short so generated solve requests stay cheap."""
    folder = tmp_path_factory.mktemp("schema")
    server = ApiServer(module_database_url, folder / "server", MAX_TIME_LIMIT=2, DEFAULT_TIME_LIMIT=1).start()
    try:
        with server.client() as client:
            scenario = client.post("/scenarios", params={"region": "Twente"},
                                   files=multipart_files(tiny_files(folder / "tiny"))).json()
            job = client.post(f"/scenarios/{scenario['id']}/solve", json={"mode": "greedy"}).json()
            plan_id = wait_for_job(client, job["id"])["plan_id"]
            client.post("/regions/Twente/agreements", json={"plan_id": plan_id})
        yield server
    finally:
        server.stop()


def _cases() -> list:
    """(method, path, generation mode) of every documented operation, read from the app without starting it.

    Operations without any input get only valid requests (there is nothing to make invalid).
    """
    cases = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            modes = [GenerationMode.POSITIVE]
            if operation.get("parameters") or operation.get("requestBody"):
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                label = "valid" if mode == GenerationMode.POSITIVE else "invalid"
                cases.append(pytest.param(method.upper(), path, mode, id=f"{method.upper()} {path} {label}"))
    return cases


@pytest.fixture(scope="module")
def api_schema(schema_server: ApiServer):  # noqa: ANN201
    return schemathesis.openapi.from_url(f"{schema_server.url}/openapi.json")


# Schemathesis' own pytest plugin (schema.parametrize) does not run under pytest 9 (it reads
# Node._nodeid); so each operation is a pytest case and Hypothesis drives Schemathesis' strategies.
@pytest.mark.parametrize(("method", "path", "mode"), _cases())
def test_no_server_errors_and_documented_responses(api_schema, schema_server: ApiServer,  # noqa: ANN001
                                                   method: str, path: str, mode: GenerationMode) -> None:
    operation = api_schema[path][method]
    token = schema_server.token or ""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS, timeout=60, headers=bearer(token))

    check()
