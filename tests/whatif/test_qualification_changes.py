"""Changes per qualification: recognitions added or removed, places for one qualification only."""

from __future__ import annotations

import pytest

from planner.i18n import use_language
from planner.scenario import Scenario, ScenarioError
from planner.solve import SolveParams, solve
from planner.whatif.describe import variant_summary
from planner.whatif.variants import Variant, apply_variant
from tests.builders import CARE, HELPER, recognised_scenario


def changed(*changes: dict) -> Scenario:
    return apply_variant(recognised_scenario(), Variant.model_validate({"name": "v", "changes": list(changes)}))


def problem_of(*changes: dict) -> str:
    with pytest.raises(ScenarioError) as err:
        changed(*changes)
    return str(err.value.problems[0])


def test_recognitions_are_added_to_the_companies_of_a_kind_in_an_area() -> None:
    after = changed({"kind": "add_recognitions", "companies": {"kind": "verpleeghuis", "area": "Enschede"},
                     "recognitions": HELPER})
    assert [c.recognitions for c in after.companies] == [[CARE, HELPER], ["verpleging"], [HELPER]]
    base = recognised_scenario()
    variant = Variant.model_validate({"name": "v", "changes": [
        {"kind": "add_recognitions", "companies": {"kind": "Verpleeghuis"}, "recognitions": HELPER}]})
    assert variant_summary(base, variant, apply_variant(base, variant)) == [
        "erkent 1 leerbedrijf ook voor 25498 (Helpende Zorg en Welzijn)"]


def test_removing_a_crebo_of_a_family_keeps_the_family_s_other_crebos() -> None:
    after = changed({"kind": "remove_recognitions", "companies": {"ids": "k2"}, "recognitions": CARE})
    hospital = after.companies[after.company_index["k2"]]
    assert CARE not in hospital.recognitions and HELPER in hospital.recognitions
    # Without a selection every company recognised for it loses it; none may be left without any.
    assert "k1" in problem_of({"kind": "remove_recognitions", "recognitions": CARE})
    assert "k3" in problem_of({"kind": "remove_recognitions", "companies": {"recognised_for": HELPER},
                               "recognitions": HELPER})


def test_an_unknown_crebo_is_an_error_with_the_scenario_s_closest_crebo() -> None:
    with use_language("en"):
        message = problem_of({"kind": "add_qualification_places", "qualification": "25941", "area": "Enschede",
                              "places": 1})
    assert "'25941' is not a crebo of the qualification catalogue" in message
    assert "did you mean 25491 (Verzorgende IG)?" in message
    with use_language("en"):
        message = problem_of({"kind": "add_recognitions", "companies": {"ids": "k1"}, "recognitions": "helpende"})
    assert "did you mean 25498" in message
    assert "Hengelo" in problem_of({"kind": "add_qualification_places", "qualification": CARE, "area": "Hengel",
                                    "places": 1})
    with use_language("en"):
        message = problem_of({"kind": "add_recognitions", "companies": {"kind": "Verplegehuis"}, "recognitions": CARE})
    assert "no learning company's name starts with 'Verplegehuis' (did you mean 'Verpleeghuis'?)" in message


def test_places_for_one_qualification_take_only_its_students() -> None:
    base = recognised_scenario()
    # The care home is full with 6 care students; the helpers have 2 places for 4 students.
    params = SolveParams(mode="status-quo", time_limit=30, seed=0, baselines=False)
    before = {cp.cohort: cp.unplaced for cp in solve(base, params).plan.cohorts}
    assert before == {"care": 0, "helper": 2}
    # Two places for the care crebo at the care home (a group of its own) help no helper...
    variant = Variant.model_validate({"name": "v", "changes": [
        {"kind": "add_qualification_places", "qualification": CARE, "area": "Enschede", "places": 2}]})
    after = apply_variant(base, variant)
    group = after.companies[after.company_index["k1/+" + CARE]]
    assert (group.recognitions, group.places, group.area) == ([CARE], 2, "Enschede")
    assert {cp.cohort: cp.unplaced for cp in solve(after, params).plan.cohorts} == before
    assert variant_summary(base, variant, after) == ["voegt 2 plaatsen toe alleen voor 25491 (Verzorgende IG), in "
                                                     "Enschede"]
    # ...two for the helpers' crebo, where no company of the area is recognised for it but k3, place both.
    helper = changed({"kind": "add_qualification_places", "qualification": HELPER, "area": "Enschede",
                      "places": 2})
    assert helper.companies[helper.company_index["k3/+" + HELPER]].places == 2
    assert {cp.cohort: cp.unplaced for cp in solve(helper, params).plan.cohorts} == {"care": 0, "helper": 0}


def test_places_for_a_qualification_no_company_of_the_area_trains_come_with_a_new_company() -> None:
    after = changed({"kind": "add_qualification_places", "qualification": "dierverzorging", "area": "Hengelo",
                     "places": 3, "weeks": {"first": "2026-W40", "last": "2026-W41"}})
    new = after.companies[after.company_index["+dierverzorging@Hengelo"]]
    assert (new.recognitions, new.area, new.places) == (["dierverzorging"], "Hengelo", 0)
    assert [new.places_in(w) for w in ("2026-W39", "2026-W40", "2026-W41")] == [0, 3, 3]
    assert recognised_scenario().company_index.keys() < after.company_index.keys()
