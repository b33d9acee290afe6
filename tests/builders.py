"""Small hand-made scenarios for tests (coordinates given, so no place lookup is needed)."""

from __future__ import annotations

from typing import Any

from planner.scenario import Scenario

AREAS = {
    "Enschede": (52.2183, 6.8958),
    "Hengelo": (52.2658, 6.7931),
    "Almelo": (52.3567, 6.6625),
    "Zwolle": (52.5125, 6.0944),
}


def cohort(id: str, students: int = 10, forms: str = "block:4", current_form: str | None = None,
           current_start: str = "2026-W40", earliest: str = "2026-W36", latest: str = "2026-W51",
           location: str = "loc-e", sector: str = "zorg", level: str = "3", **extra: Any) -> dict[str, Any]:
    """A BOL cohort row."""
    return {
        "id": id, "location": location, "crebo": "25655", "programme": "Verzorgende IG", "sector": sector,
        "level": level, "pathway": "BOL", "students": students, "forms": forms.split("|"),
        "earliest_start": earliest, "latest_end": latest, "current_start": current_start,
        "current_form": current_form or forms.split("|")[0], **extra,
    }


def company(id: str, places: int = 10, area: str = "Enschede", sectors: str = "zorg", levels: str = "2|3|4",
            **extra: Any) -> dict[str, Any]:
    """A learning company row."""
    return {"id": id, "name": f"Leerbedrijf {id}", "area": area, "sectors": sectors.split("|"),
            "levels": levels.split("|"), "places": places, **extra}


def scenario_dict(cohorts: list[dict], companies: list[dict], first: str = "2026-W36", last: str = "2026-W51",
                  holidays: dict | None = None, areas: tuple[str, ...] = ("Enschede", "Hengelo"),
                  **extra: Any) -> dict[str, Any]:
    """A whole scenario document with one institution at Enschede."""
    return {
        "name": "test",
        "calendar": {"first_week": first, "last_week": last, "holidays": holidays or {}},
        "areas": [{"name": n, "lat": AREAS[n][0], "lon": AREAS[n][1]} for n in areas],
        "institutions": [{"id": "roc", "name": "ROC Test", "locations": [
            {"id": "loc-e", "area": areas[0], "holiday_region": "noord"}]}],
        "cohorts": cohorts,
        "companies": companies,
        **extra,
    }


def make_scenario(cohorts: list[dict], companies: list[dict], **kwargs: Any) -> Scenario:
    """A validated Scenario model from rows."""
    return Scenario.model_validate(scenario_dict(cohorts, companies, **kwargs))


def tiny_scenario() -> Scenario:
    """Care, technology and a BBL cohort on three small companies (coordinates given).

    The status quo (everyone in weeks 40-43) leaves many students unplaced; spreading the
    periods over the autumn places them all.
    """
    return make_scenario(
        [
            cohort("zorg-3", 30),
            cohort("zorg-2", 20, level="2"),
            cohort("tech-3", 15, sector="techniek", forms="block:4|line:2x8"),
            cohort("zorg-bbl", 2, pathway="BBL", company="k1", forms="line:2x12", current_start="2026-W37"),
        ],
        [company("k1", 10), company("k2", 8, area="Hengelo", levels="3|4"),
         company("k3", 5, sectors="techniek", levels="2|3|4")],
    )
