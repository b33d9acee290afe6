"""The workbench shows what each learning company is recognised for, and a crebo finds its companies."""

from __future__ import annotations

import warnings
from pathlib import Path

from api.core.config import Settings
from api.main import create_app
from tests.api.support import make_token
from tests.web.support import csrf_of, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TWENTE = Path(__file__).resolve().parents[2] / "scenarios" / "twente"


def test_the_companies_table_lists_recognitions_and_a_crebo_filters_it(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    with TestClient(create_app(settings)) as client:
        assert sign_in(client, make_token(settings.database_url, "editor of Twente", "editor", ("Twente",))).status_code == 303
        page = client.get("/web/upload")
        files = [("scenario", ("scenario.yaml", (TWENTE / "scenario.yaml").read_bytes(), "application/yaml"))] + [
            ("tables", (name, (TWENTE / name).read_bytes(), "text/csv")) for name in ("cohorts.csv", "companies.csv")]
        stored = client.post("/web/upload", data={"csrf": csrf_of(page.text), "region": "Twente"}, files=files,
                             follow_redirects=False)
        assert stored.status_code == 303, stored.text
        scenario_id = int(stored.headers["location"].rsplit("/", 1)[1])
        table = client.get(f"/web/scenarios/{scenario_id}?show=companies&q=25446").text
        assert "<th>Erkenningen</th>" in table
        rows = [row for row in table.split("<tr>")[2:] if "</td>" in row]
        assert rows and all("25446" in row for row in rows)  # Dierverzorger
        assert any("Dierenpension" in row or "Dierenartspraktijk" in row or "Kinderboerderij" in row
                   or "Manege" in row or "Dierenspeciaalzaak" in row for row in rows)
