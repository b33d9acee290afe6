"""The what-if form makes variants per qualification: places for one crebo in an area, recognitions of a kind of
company; a misspelt crebo is refused with the scenario's closest crebo."""

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


def test_variants_per_qualification_from_the_form(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", data_dir=tmp_path / "files",
                        rate_limit_per_second=1000, rate_limit_burst=1000)
    with TestClient(create_app(settings)) as client:
        assert sign_in(client, make_token(settings.database_url, "editor", "editor", ("Twente",))).status_code == 303
        page = client.get("/web/upload")
        files = [("scenario", ("scenario.yaml", (TWENTE / "scenario.yaml").read_bytes(), "application/yaml"))] + [
            ("tables", (name, (TWENTE / name).read_bytes(), "text/csv")) for name in ("cohorts.csv", "companies.csv")]
        stored = client.post("/web/upload", data={"csrf": csrf_of(page.text), "region": "Twente"}, files=files,
                             follow_redirects=False)
        scenario = int(stored.headers["location"].rsplit("/", 1)[1])
        page = client.get(f"/web/scenarios/{scenario}/whatif")
        assert 'value="add_qualification_places"' in page.text
        made = client.post(f"/web/scenarios/{scenario}/variants", follow_redirects=False, data={
            "csrf": csrf_of(page.text), "name": "VIG +2 Hengelo", "kind": "add_qualification_places",
            "crebo": "25491", "area": "Hengelo", "places": "2"})
        assert made.status_code == 303, made.text
        recognised = client.post(f"/web/scenarios/{scenario}/variants", follow_redirects=False, data={
            "csrf": csrf_of(page.text), "name": "eetcafés", "kind": "add_recognitions", "company_kind": "Eetcafé",
            "area": "Enschede", "crebo": "25180"})
        assert recognised.status_code == 303, recognised.text
        shown = client.get(f"/web/scenarios/{scenario}/whatif").text
        assert "voegt 2 plaatsen toe alleen voor 25491 (Verzorgende IG), in Hengelo" in shown
        assert "ook voor 25180 (Kok)" in shown
        bad = client.post(f"/web/scenarios/{scenario}/variants", data={
            "csrf": csrf_of(page.text), "name": "typo", "kind": "add_qualification_places", "crebo": "25941",
            "area": "Hengelo", "places": "2"})
        assert bad.status_code == 422 and "bedoelde u 25491 (Verzorgende IG)?" in bad.text
