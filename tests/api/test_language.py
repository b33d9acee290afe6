"""The language of the API's answers: Dutch by default, English with ?lang=en or Accept-Language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.main import create_app
from tests.api.support import make_token, multipart_files, tiny_files


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("language")
    url = f"sqlite:///{folder / 'api.sqlite3'}"
    settings = Settings(database_url=url, data_dir=folder / "files", rate_limit_per_second=1000,
                        rate_limit_burst=1000)
    with TestClient(create_app(settings)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {make_token(url, 'admin', 'admin')}"
        yield test_client


def test_messages_are_dutch_by_default(client: TestClient) -> None:
    response = client.get("/scenarios/999")
    assert response.status_code == 404
    assert response.json()["detail"] == "scenario 999 niet gevonden"
    assert response.headers["content-language"] == "nl"


def test_accept_language_asks_for_english(client: TestClient) -> None:
    response = client.get("/scenarios/999", headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"})
    assert response.json()["detail"] == "scenario 999 does not exist"
    assert response.headers["content-language"] == "en"


def test_the_lang_parameter_wins_over_the_header(client: TestClient) -> None:
    english = client.get("/scenarios/999?lang=en", headers={"Accept-Language": "nl"})
    assert (english.json()["detail"], english.headers["content-language"]) == ("scenario 999 does not exist", "en")
    dutch = client.get("/scenarios/999?lang=nl", headers={"Accept-Language": "en"})
    assert (dutch.json()["detail"], dutch.headers["content-language"]) == ("scenario 999 niet gevonden", "nl")


def test_an_unknown_lang_is_an_input_error(client: TestClient) -> None:
    response = client.get("/scenarios/999?lang=fr")
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["field"] == "lang" and problem["message"] == "'fr' is niet toegestaan; toegestaan: nl, en"


def test_a_missing_token_is_answered_in_the_language_too(client: TestClient) -> None:
    without = {"Authorization": ""}
    dutch = client.get("/scenarios", headers=without)
    assert dutch.status_code == 401 and dutch.json()["detail"].startswith("een API-token is nodig")
    english = client.get("/scenarios?lang=en", headers=without)
    assert english.json()["detail"].startswith("an API token is needed")
    assert english.headers["content-language"] == "en"


def test_upload_problems_name_row_and_field_in_dutch(client: TestClient, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    scenario_path = tiny_files(folder)
    cohorts = (folder / "cohorts.csv").read_text().splitlines()
    header = cohorts[0].split(",")
    row = cohorts[1].split(",")
    row[header.index("students")] = "veel"
    cohorts[1] = ",".join(row)
    (folder / "cohorts.csv").write_text("\n".join(cohorts) + "\n")
    response = client.post("/scenarios", files=multipart_files(scenario_path))
    assert response.status_code == 422
    assert {"file": "cohorts.csv", "where": "rij 2", "field": "students", "message": "'veel' is geen geheel getal",
            "text": "cohorts.csv rij 2, students: 'veel' is geen geheel getal"} in response.json()["detail"]
    english = client.post("/scenarios?lang=en", files=multipart_files(scenario_path))
    assert "cohorts.csv row 2, students: 'veel' is not a whole number" in [p["text"] for p in english.json()["detail"]]
