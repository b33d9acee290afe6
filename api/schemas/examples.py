"""Example values shown in the OpenAPI documentation (one fictional Twente care region)."""

from __future__ import annotations

from typing import Any

EXAMPLE_TIME = "2026-03-02T09:30:00Z"

EXAMPLE_SCENARIO: dict[str, Any] = {
    "name": "twente-zorg",
    "description": "Care internships in Twente, school year 2026-2027",
    "calendar": {"first_week": "2026-W36", "last_week": "2026-W51", "holidays": {"noord": ["2026-W43"]}},
    "areas": [{"name": "Enschede", "lat": 52.2183, "lon": 6.8958}, {"name": "Hengelo", "lat": 52.2658, "lon": 6.7931}],
    "institutions": [{"id": "roc-oost", "name": "ROC Oost (fictional)",
                      "locations": [{"id": "roc-oost-enschede", "area": "Enschede", "holiday_region": "noord"}]}],
    "cohorts": [
        {"id": "vig-3-ens", "location": "roc-oost-enschede", "crebo": "25655", "programme": "Verzorgende IG",
         "sector": "zorg", "level": "3", "pathway": "BOL", "students": 30, "forms": ["block:4", "line:2x10"],
         "earliest_start": "2026-W36", "latest_end": "2026-W51", "current_start": "2026-W40",
         "current_form": "block:4"},
        {"id": "hh-2-ens", "location": "roc-oost-enschede", "crebo": "25652", "programme": "Helpende Zorg en Welzijn",
         "sector": "zorg", "level": "2", "pathway": "BOL", "students": 20, "forms": ["block:4"],
         "earliest_start": "2026-W36", "latest_end": "2026-W51", "current_start": "2026-W40",
         "current_form": "block:4"},
    ],
    "companies": [
        {"id": "vvt-enschede", "name": "Zorggroep Enschede (fictional)", "area": "Enschede", "sectors": ["zorg"],
         "levels": ["2", "3", "4"], "places": 5},
        {"id": "ziekenhuis-hengelo", "name": "Ziekenhuis Hengelo (fictional)", "area": "Hengelo",
         "sectors": ["zorg"], "levels": ["3", "4"], "places": 3, "reduced_weeks": {"2026-W51": 0}},
    ],
}

EXAMPLE_SCENARIO_YAML = """\
name: twente-zorg
calendar: {first_week: 2026-W36, last_week: 2026-W51, holidays: {noord: [2026-W43]}}
areas:
  - {name: Enschede, lat: 52.2183, lon: 6.8958}
  - {name: Hengelo, lat: 52.2658, lon: 6.7931}
institutions:
  - id: roc-oost
    name: ROC Oost (fictional)
    locations: [{id: roc-oost-enschede, area: Enschede, holiday_region: noord}]
cohorts: cohorts.csv
companies: companies.csv
"""

EXAMPLE_KPIS: dict[str, Any] = {
    "mode": "optimise", "students": 50, "placed": 32, "unplaced": 18, "unplaced_priority": 18,
    "students_priority": 50, "shortage_rate": 0.36, "shortage_rate_priority": 0.36, "objective": 33.0,
    "bound": 27.0, "gap": 0.1818, "solve_seconds": 0.01, "peak_week": "2026-W36", "peak_week_utilisation": 1.0,
    "mean_travel_minutes": 20.91, "cohorts_changed": 2, "students_moved": 38, "institution_max_shortage_rate": 0.36,
    "by_cell": [{"sector": "zorg", "sector_name": "Zorg, welzijn en sport", "pathway": "BOL", "level": "2",
                 "students": 20, "unplaced": 4, "rate": 0.2}],
}
EXAMPLE_WAVE: dict[str, Any] = {
    "wave": 1, "form": "block:4", "start_week": "2026-W36", "end_week": "2026-W39",
    "weeks": ["2026-W36", "2026-W37", "2026-W38", "2026-W39"], "weekdays": None, "students": 22, "placed": 8,
    "placements": [{"company": "vvt-enschede", "students": 5, "travel_minutes": 14.8},
                   {"company": "ziekenhuis-hengelo", "students": 3, "travel_minutes": 31.1}],
}
EXAMPLE_COHORT_PLAN: dict[str, Any] = {
    "cohort": "vig-3-ens", "institution": "roc-oost", "location": "roc-oost-enschede", "area": "Enschede",
    "crebo": "25655", "programme": "Verzorgende IG", "sector": "zorg", "level": "3", "pathway": "BOL",
    "students": 30, "placed": 16, "unplaced": 14, "weight": 1.5, "period_changed": True, "waves": [EXAMPLE_WAVE],
}
EXAMPLE_SHORTAGE = {"week": "2026-W36", "sector": "zorg", "pathway": "BOL", "level": "3", "area": "Enschede",
                    "unplaced": 14}
EXAMPLE_SOLVER: dict[str, Any] = {
    "status": "optimal", "engine": "GLOP (bound) + SCIP (plan)", "build_seconds": 0.001, "solve_seconds": 0.009,
    "wall_seconds": 0.01, "variables": 68, "constraints": 34, "clusters": 2, "time_limit": 30.0, "seed": 0,
    "progress": [{"seconds": 0.01, "phase": "plan", "incumbent": 33.0, "bound": 27.0}], "explanation": [],
}
EXAMPLE_PROBLEM = {"file": "cohorts.csv", "where": "row 3", "field": "students", "message": "0 must be at least 1",
                   "text": "cohorts.csv row 3, students: 0 must be at least 1"}
EXAMPLE_HOTSPOT: dict[str, Any] = {"rank": 1, "region": "Twente", "plan_id": 3, "area": "Enschede", "sector": "zorg",
                   "sector_name": "Zorg, welzijn en sport", "level": "2", "unplaced": 14, "student_weeks": 140,
                   "first_week": "2026-W40", "last_week": "2026-W49",
                   "weeks": ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W45", "2026-W46",
                             "2026-W47", "2026-W48", "2026-W49"],
                   "priority_group": True}
