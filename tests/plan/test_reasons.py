"""Why students stay without a place: each reason forced on a hand-made region, and Twente and an S region."""

from __future__ import annotations

import pytest

from planner.geo.region import Region
from planner.i18n import use_language
from planner.plan.reasons import KINDS, explain, problem_for, reason_text, unplaced_reasons
from planner.solve import SolveParams, solve
from tests.builders import cohort, company, make_scenario

# A work budget, so that the plans (and their reasons) do not depend on the machine's load; the
# time limit is only a safety net.
WORK = dict(time_limit=120, work_limit=4, work_nodes=200)


def _solved(scenario, mode="optimise"):
    return solve(scenario, SolveParams(mode, baselines=False, **WORK)).plan


def test_no_company_in_reach_when_the_only_fitting_company_is_too_far():
    scenario = make_scenario([cohort("far", 4, max_travel_minutes=20)],
                             [company("zw", 5, area="Zwolle"), company("tech", 5, sectors="techniek")],
                             areas=("Enschede", "Zwolle"))
    plan = _solved(scenario)
    reason = plan.reasons["far"]
    assert reason.kind == "no_company_in_reach"
    assert (reason.unplaced, reason.fitting_companies, reason.eligible_companies) == (4, 1, 0)
    assert "travel limit of 20 minutes" in reason.text


def test_companies_full_names_the_company_and_the_cohort_holding_its_places():
    scenario = make_scenario([cohort("a", 3, earliest="2026-W36", latest="2026-W39", current_start="2026-W36"),
                              cohort("b", 3, earliest="2026-W36", latest="2026-W39", current_start="2026-W36")],
                             [company("k1", 2)], first="2026-W36", last="2026-W39")
    plan = _solved(scenario)
    reasons = plan.reasons
    assert sum(cp.unplaced for cp in plan.cohorts) == 4
    assert set(reasons) == {cp.cohort for cp in plan.cohorts if cp.unplaced}
    for cohort_id, reason in reasons.items():
        assert reason.kind == "companies_full"
        assert reason.capacity == 2 * 5 * 4 and reason.eligible_companies == 1
        assert reason.companies == ["Leerbedrijf k1"] or reason.taken == 0
        other = {"a": "b", "b": "a"}[cohort_id]
        if reason.taken:
            assert reason.holders[0].cohort == other and reason.holders[0].institution_name == "ROC Test"
            assert "Leerbedrijf k1" in reason.text and "ROC Test" in reason.text


def test_priority_trade_when_a_heavier_cohort_holds_the_places():
    scenario = make_scenario([cohort("care-3", 2, earliest="2026-W36", latest="2026-W39", current_start="2026-W36"),
                              cohort("care-2", 2, level="2", earliest="2026-W36", latest="2026-W39",
                                     current_start="2026-W36")],
                             [company("k1", 2)], first="2026-W36", last="2026-W39")
    plan = _solved(scenario)
    assert [cp.unplaced for cp in plan.cohorts] == [2, 0]
    reason = plan.reasons["care-3"]
    assert reason.kind == "priority_trade"
    assert reason.taken_by_priority == reason.taken == 40
    assert reason.holders[0].cohort == "care-2" and reason.holders[0].weight > reason.weight


def test_window_when_places_are_free_only_outside_it():
    scenario = make_scenario([cohort("early", 4, earliest="2026-W36", latest="2026-W39", current_start="2026-W36")],
                             [company("k1", 2)], first="2026-W36", last="2026-W45")
    plan = _solved(scenario)
    reason = plan.reasons["early"]
    assert (reason.kind, reason.unplaced) == ("window_or_waves", 2)
    assert (reason.free_form, reason.free_start) == ("block:4", "2026-W40")
    assert "2026-W40" in reason.text


def test_a_locked_cohort_is_named_as_locked():
    # Four students, two places in weeks 36-39; free places from week 40, where a locked cohort may not go.
    scenario = make_scenario([cohort("vast", 4, earliest="2026-W36", latest="2026-W47", current_start="2026-W36",
                                     locked=True)],
                             [company("k1", 2)], first="2026-W36", last="2026-W47")
    reason = _solved(scenario).reasons["vast"]
    assert reason.locked and reason.unplaced == 2
    assert "locked to its current period" in reason.text
    with use_language("nl"):
        assert "vastgezet" in reason_text(reason)
    unlocked = make_scenario([cohort("vrij", 4, earliest="2026-W36", latest="2026-W47", current_start="2026-W36")],
                             [company("k1", 2)], first="2026-W36", last="2026-W47")
    assert not _solved(unlocked).reasons or not _solved(unlocked).reasons["vrij"].locked


def test_wave_limit_when_another_allowed_period_is_free():
    scenario = make_scenario([cohort("one-wave", 4, earliest="2026-W36", latest="2026-W43", current_start="2026-W36",
                                     max_waves=1)],
                             [company("k1", 2)], first="2026-W36", last="2026-W43")
    plan = _solved(scenario)
    reason = plan.reasons["one-wave"]
    assert (reason.kind, reason.waves_used, reason.max_waves) == ("window_or_waves", 1, 1)
    assert reason.free_start is None and "maximum of 1 wave." in reason.text


def test_not_used_when_an_allowed_period_in_use_has_free_places():
    scenario = make_scenario([cohort("c", 2, earliest="2026-W36", latest="2026-W39", current_start="2026-W36")],
                             [company("k1", 2)], first="2026-W36", last="2026-W39")
    plan = _solved(scenario)
    cp = plan.cohorts[0]
    wave = cp.waves[0]
    # Take one student out of the plan: the period in use still has a free place.
    placement = wave.placements[0].model_copy(update={"students": 1})
    thinner = cp.model_copy(update={"placed": 1, "unplaced": 1, "waves": [
        wave.model_copy(update={"placed": 1, "placements": [placement]})]})
    edited = plan.model_copy(update={"cohorts": [thinner]})
    reasons = unplaced_reasons(edited, problem_for(edited, scenario, Region(scenario)))
    assert reasons["c"].kind == "not_used"


def test_reason_text_in_dutch_keeps_the_numbers():
    scenario = make_scenario([cohort("far", 1234, max_travel_minutes=20)], [company("zw", 5, area="Zwolle")],
                             areas=("Enschede", "Zwolle"))
    plan = _solved(scenario, "status-quo")
    with use_language("nl"):
        text = reason_text(plan.reasons["far"])
    assert "1.234" in text and "reistijd" in text


def test_old_plans_without_reasons_still_load_and_get_them_computed():
    scenario = make_scenario([cohort("far", 3, max_travel_minutes=20)], [company("zw", 5, area="Zwolle")],
                             areas=("Enschede", "Zwolle"))
    plan = _solved(scenario)
    old = plan.model_dump(exclude={"reasons", "trades"})
    from planner.plan.model import Plan

    loaded = Plan.model_validate(old)
    assert loaded.reasons is None and loaded.trades is None
    assert explain(loaded, scenario, Region(scenario)).reasons["far"].kind == "no_company_in_reach"


def _every_unplaced_cohort_has_a_reason(plan):
    unplaced = {cp.cohort for cp in plan.cohorts if cp.unplaced > 0}
    assert plan.reasons is not None and set(plan.reasons) == unplaced
    for cohort_id, reason in plan.reasons.items():
        assert reason.kind in KINDS and reason.text, cohort_id
        assert reason.unplaced == next(cp.unplaced for cp in plan.cohorts if cp.cohort == cohort_id)


def test_every_unplaced_cohort_in_twente_has_a_reason(twente_result):
    result = twente_result
    for plan in [result.plan, *result.baselines.values()]:
        _every_unplaced_cohort_has_a_reason(plan)
    assert result.plan.trades is not None
    for trade in result.plan.trades:
        assert trade.change > 0 and trade.text


@pytest.mark.slow
def test_every_unplaced_cohort_in_a_generated_s_region_has_a_reason():
    from planner.generate import generate_scenario

    scenario = generate_scenario("S", seed=7)
    result = solve(scenario, SolveParams("optimise", **WORK))
    for plan in [result.plan, *result.baselines.values()]:
        _every_unplaced_cohort_has_a_reason(plan)
    assert sum(cp.unplaced for cp in result.baselines["greedy"].cohorts) > 0
