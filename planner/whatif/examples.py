"""The roundtable's questions as variants of any region: the benchmark's sweep and the documentation's example."""

from __future__ import annotations

from planner.scenario import Scenario
from planner.scenario.calendar import InternshipForm, fitting_starts
from planner.whatif.variants import Variant

# The line form the roundtable asks about for care level 2.
CARE_LINE = "line:2x20"


def standard_variants(scenario: Scenario) -> list[Variant]:
    """Eight variants every generated region supports (care capacity, forms, inflow, windows, travel, weights)."""
    spring = [w for w in scenario.calendar.weeks if "-W1" in w or "-W0" in w][:12]
    institutions = [i.id for i in scenario.institutions][:2]
    # Care level 2 BOL cohorts whose window holds the line form (a shorter window cannot take it,
    # and the variant would be refused for those cohorts).
    line = InternshipForm.parse(CARE_LINE)
    care_line = [c.id for i, c in enumerate(scenario.cohorts)
                 if c.sector == "zorg" and c.level == "2" and c.pathway == "BOL" and fitting_starts(scenario, i, line)]
    documents = [
        {"name": "care +10% places", "changes": [{"kind": "scale_capacity", "companies": {"sector": "zorg"},
                                                  "factor": 1.1}]},
        {"name": "care +2 places in spring", "changes": [{"kind": "add_capacity", "companies": {"sector": "zorg"},
                                                          "places": 2, "weeks": {"first": spring[0],
                                                                                 "last": spring[-1]}}]}
        if spring else {"name": "care +2 places", "changes": [{"kind": "add_capacity",
                                                               "companies": {"sector": "zorg"}, "places": 2}]},
        {"name": "care level 2 also line", "changes": [{"kind": "allow_forms", "cohorts": {"ids": care_line},
                                                         "forms": [CARE_LINE]}]},
        {"name": "entree inflow +15%", "changes": [{"kind": "scale_inflow", "cohorts": {"level": "entree"},
                                                    "factor": 1.15}]},
        {"name": "two schools' windows 4 weeks wider", "changes": [{"kind": "widen_window", "cohorts": {
            "institution": institutions, "pathway": "BOL"}, "earlier": 4, "later": 4}]},
        {"name": "travel limit 60 min", "changes": [{"kind": "set_travel_limit", "minutes": 60}]},
        {"name": "level 2 weighs 3", "changes": [{"kind": "set_weights", "level_weights": {"2": 3.0}}]},
        {"name": "technology -10% places", "changes": [{"kind": "scale_capacity", "companies": {
            "sector": "techniek"}, "factor": 0.9}]},
    ]
    return [Variant.model_validate(d) for d in documents]
