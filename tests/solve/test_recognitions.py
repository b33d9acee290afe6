"""Learning companies recognised per qualification: hand-made optima, place groups, the oracle."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.geo import Region
from planner.i18n import use_language
from planner.model.problem import compile_problem
from planner.plan.analysis import qualification_hotspots
from planner.plan.reasons import explain, reason_text
from planner.plan.verify import verify_plan
from planner.report.summary import summary_markdown
from planner.scenario.eligibility import accepts, recognition_findings
from planner.solve import SolveParams, solve
from planner.solve.exact.oracle import exact_optimum
from tests.builders import cohort, company, make_scenario, small_scenarios

WORK = {"work_limit": 20, "work_nodes": 1000}
CARE_3, HELPER_2, COOK_2 = "25655", "25498", "25180"


def solved(scenario, mode="status-quo"):
    return solve(scenario, SolveParams(mode, time_limit=600.0, baselines=False, **WORK)).plan


def placements(plan):
    """(cohort, company, students) of every placement."""
    return [(cp.cohort, p.company, p.students) for cp in plan.cohorts for w in cp.waves for p in w.placements]


def minutes(scenario):
    region = Region(scenario)
    return {m: region.minutes_array(m) for m in ("bike", "pt", "car")}


def crossed():
    # Both companies take care levels 2-4: by sector chamber both cohorts fit both. By recognition
    # the level-2 helpers (weight 3) fit only k2 (5 places) and the nurses only k1 and k2.
    return make_scenario(
        [cohort("nurses", 10, crebo=CARE_3), cohort("helpers", 10, crebo=HELPER_2, level="2")],
        [company("k1", 10, recognitions=[CARE_3]), company("k2", 5, recognitions=[CARE_3, HELPER_2])])


def test_crossed_recognitions_leave_the_optimum_only_one_assignment():
    # Sector rule: 5 of 20 short, the cheap nurses (5 x 1.5 = 7.5). Recognitions: the helpers
    # only fit k2, so 5 helpers are short (5 x 3 = 15) and the nurses all go to k1.
    scenario = crossed()
    plan = solved(scenario)
    assert plan.kpis.objective == pytest.approx(15.0) and plan.kpis.bound == pytest.approx(15.0)
    assert sorted(placements(plan)) == [("helpers", "k2", 5), ("nurses", "k1", 10)]
    assert verify_plan(scenario, plan, minutes(scenario)) == []


def test_verify_plan_rejects_a_placement_at_a_company_not_recognised_for_the_crebo():
    by_sector = make_scenario(
        [cohort("nurses", 10, crebo=CARE_3), cohort("helpers", 10, crebo=HELPER_2, level="2")],
        [company("k1", 10), company("k2", 5)])
    plan = solved(by_sector)
    assert any(c == "helpers" and k == "k1" for c, k, _ in placements(plan))  # the sector rule allows it
    problems = verify_plan(crossed(), plan, minutes(crossed()))
    assert "cohort helpers: company k1 does not accept crebo 25498 level 2" in problems


def test_a_place_group_keeps_its_places_for_its_recognitions():
    # A care home with 4 places: 1 of them for the kitchen. 4 nurses and 2 cooks in the same weeks:
    # 3 nurses and 1 cook are placed (1 x 1.5 + 1 x 2 = 3.5), never 4 nurses.
    scenario = make_scenario(
        [cohort("nurses", 4, crebo=CARE_3), cohort("cooks", 2, crebo=COOK_2, sector="voedsel", level="2")],
        [company("home", 4, sectors="zorg|voedsel", recognitions=[CARE_3])],
        place_groups=[{"company": "home", "group": "keuken", "recognitions": COOK_2, "places": 1}])
    assert [(c.id, c.places) for c in scenario.companies] == [("home", 3), ("home/keuken", 1)]
    plan = solved(scenario)
    assert plan.kpis.objective == pytest.approx(3.5) and plan.kpis.bound == pytest.approx(3.5)
    assert sorted(placements(plan)) == [("cooks", "home/keuken", 1), ("nurses", "home", 3)]
    assert verify_plan(scenario, plan, minutes(scenario)) == []


def test_verify_plan_checks_capacity_per_place_group():
    # Without the group all 4 places take nurses; against the split company that plan is over capacity.
    nurses = [cohort("nurses", 4, crebo=CARE_3)]
    whole = make_scenario(nurses, [company("home", 4, recognitions=[CARE_3])])
    split = make_scenario(nurses, [company("home", 4, recognitions=[CARE_3])],
                          place_groups=[{"company": "home", "group": "keuken", "recognitions": COOK_2, "places": 1}])
    plan = solved(whole)
    assert placements(plan) == [("nurses", "home", 4)]
    problems = verify_plan(split, plan, minutes(split))
    assert problems and all("home" in problem for problem in problems)
    assert any("capacity" in problem for problem in problems)


def test_place_groups_that_take_more_places_than_the_company_has_are_refused():
    with use_language("en"), pytest.raises(ValueError, match="its place groups take 5 places, it has 4"):
        make_scenario([cohort("a")], [company("home", 4, recognitions=[CARE_3])],
                      place_groups=[{"company": "home", "group": "keuken", "recognitions": COOK_2, "places": 5}])


def test_a_crebo_nobody_is_recognised_for_is_a_finding_and_all_its_students_are_short():
    scenario = make_scenario(
        [cohort("nurses", 4, crebo=CARE_3), cohort("carers-a", 3, crebo="25480", level="4"),
         cohort("carers-b", 2, crebo="25480", level="4")],
        [company("k1", 10, recognitions=[CARE_3])])
    with use_language("en"):
        findings = recognition_findings(scenario, lambda i: ("scenario.yaml", f"cohorts[{i}]"))
    assert [str(f) for f in findings] == [
        "scenario.yaml cohorts[1], crebo: no learning company is recognised for crebo 25480 "
        "(Mbo-Verpleegkundige): 2 cohorts without any company (carers-a, carers-b, 5 students)"]
    plan = solved(scenario)
    short = {cp.cohort: cp.unplaced for cp in plan.cohorts}
    assert short == {"nurses": 0, "carers-a": 3, "carers-b": 2}


def test_a_family_recognises_all_its_crebos():
    scenario = make_scenario([cohort("helpers", 3, crebo=HELPER_2, level="2")],
                             [company("k1", 3, recognitions=["verpleging"])])
    assert accepts(scenario.companies[0], scenario.cohorts[0])
    assert solved(scenario).kpis.objective == 0.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios(max_companies=4, max_places=4, max_cohorts=5, window_slack=4, recognitions=True),
       st.sampled_from(["status-quo", "optimise"]))
def test_the_planner_finds_the_optimum_with_recognitions_and_places_only_where_recognised(scenario, mode):
    plan = solved(scenario, mode)
    oracle = exact_optimum(compile_problem(scenario, Region(scenario), mode), time_limit=20.0)
    assert oracle.status == "optimal"
    assert plan.kpis.objective == pytest.approx(oracle.value)
    assert verify_plan(scenario, plan, minutes(scenario)) == []
    companies = {c.id: c for c in scenario.companies}
    cohorts = {c.id: c for c in scenario.cohorts}
    assert all(accepts(companies[k], cohorts[c]) for c, k, _ in placements(plan))


def test_the_reason_names_the_nearest_company_recognised_for_the_crebo():
    # Nurses travel at most 20 minutes; the only company recognised for their crebo is in Zwolle.
    scenario = make_scenario(
        [cohort("nurses", 4, crebo=CARE_3, max_travel_minutes=20)],
        [company("near", 10, recognitions=[HELPER_2]), company("far", 10, area="Zwolle", recognitions=[CARE_3])],
        areas=("Enschede", "Hengelo", "Zwolle"))
    plan = solved(scenario)
    reason = explain(plan, scenario, Region(scenario)).reasons["nurses"]
    assert (reason.kind, reason.crebo, reason.nearest_company) == ("not_recognised_in_reach", CARE_3, "Leerbedrijf far")
    assert reason.nearest_minutes > 20
    with use_language("en"):
        text = reason_text(reason)
    assert text == (
        f"4 without a place: no learning company within 20 minutes is recognised for crebo {CARE_3}; the nearest "
        f"that is, Leerbedrijf far, is {reason.nearest_minutes:.0f} minutes away.")


def test_hotspots_per_qualification_name_the_crebo_its_shortage_and_areas():
    plan = solved(crossed())
    assert qualification_hotspots(plan) == [{
        "crebo": HELPER_2, "programme": "Verzorgende IG", "sector": "zorg", "sector_name": "Zorg, welzijn en sport",
        "students": 10, "unplaced": 5, "rate": 0.5, "areas": ["Enschede"]}]
    with use_language("en"):
        text = summary_markdown(plan)
    assert "## Top qualifications without a place (crebo)" in text
    assert f"| {HELPER_2} | Verzorgende IG | Care, welfare and sport | Enschede | 5 (50.0%) |" in text
