"""The secondary objectives after the shortage: each tier minimised with the earlier ones held."""

from __future__ import annotations

import pytest

from planner.geo.region import Region
from planner.model.problem import compile_problem
from planner.scenario import Scenario
from planner.solve import SolveParams, solve
from planner.solve.exact.polish import polish, tier_value
from planner.solve.heuristics import weighted_shortage
from tests.builders import cohort, company, scenario_dict

# The polish runs on CP-SAT's deterministic time per neighbourhood (the seconds a safety net): the
# same plans on any machine and under any load.
SAFETY_SECONDS = 600.0
POLISH_TICKS = 1.0


def two_schools(then_minimise: list[str], second_area: str = "Enschede") -> Scenario:
    """Two institutions' care cohorts of 10 and one company with 10 places in Enschede.

    Every plan that fills the company has the same weighted shortage (10 unplaced, weight 1.5);
    the balanced ones leave 5 of each school's 10 without a place (worst rate 0.5).
    """
    document = scenario_dict([cohort("a"), cohort("b", location="loc-b")], [company("k", places=10)])
    document["institutions"].append({"id": "roc-b", "name": "ROC B", "locations": [
        {"id": "loc-b", "area": second_area, "holiday_region": "noord"}]})
    document["policy"] = {"then_minimise": then_minimise}
    return Scenario.model_validate(document)


def all_of_school_a(data):
    """A plan that places school A's whole cohort and none of school B's."""
    option_a = next(o for o, option in enumerate(data.options) if option.cohort == 0 and option.is_current)
    return [(option_a, 0, 10)]


def school_rates(plan) -> dict[str, float]:
    students, unplaced = {}, {}
    for row in plan.cohorts:
        students[row.institution] = students.get(row.institution, 0) + row.students
        unplaced[row.institution] = unplaced.get(row.institution, 0) + row.unplaced
    return {name: unplaced[name] / students[name] for name in students}


def test_balance_spreads_the_shortage_over_the_schools_without_giving_any_back():
    scenario = two_schools(["balance"])
    data = compile_problem(scenario, Region(scenario), "status-quo")
    start = all_of_school_a(data)
    assert tier_value(data, start, "balance") == pytest.approx(1.0)  # school B: none placed
    polished, stats = polish(data, start, SAFETY_SECONDS, ticks=POLISH_TICKS)
    assert weighted_shortage(data, polished) == pytest.approx(weighted_shortage(data, start))
    assert tier_value(data, polished, "balance") == pytest.approx(0.5)
    assert stats["balance"] == (pytest.approx(1.0), pytest.approx(0.5))


def test_balance_comes_after_travel_in_the_default_order():
    # School B is in Hengelo, farther from the company: with travel held first, moving places
    # to B's students would add travel, so the balance tier cannot change the plan ...
    scenario = two_schools(["changes", "travel", "balance"], second_area="Hengelo")
    data = compile_problem(scenario, Region(scenario), "status-quo")
    start = all_of_school_a(data)
    polished, _ = polish(data, start, SAFETY_SECONDS, ticks=POLISH_TICKS)
    assert tier_value(data, polished, "balance") == pytest.approx(1.0)
    assert tier_value(data, polished, "travel") == pytest.approx(tier_value(data, start, "travel"))
    # ... and with balance ranked first it spreads them, and travel is minimised afterwards.
    scenario = two_schools(["balance", "travel"], second_area="Hengelo")
    data = compile_problem(scenario, Region(scenario), "status-quo")
    polished, _ = polish(data, start, SAFETY_SECONDS, ticks=POLISH_TICKS)
    assert tier_value(data, polished, "balance") == pytest.approx(0.5)
    assert tier_value(data, polished, "travel") > tier_value(data, start, "travel")


def test_a_solve_ranks_balance_as_the_policy_asks():
    scenario = two_schools(["balance"])
    plan = solve(scenario, SolveParams("status-quo", time_limit=SAFETY_SECONDS, baselines=False, work_limit=20,
                                       work_polish_ticks=POLISH_TICKS)).plan
    assert plan.kpis.unplaced == 10
    assert school_rates(plan) == {"roc": pytest.approx(0.5), "roc-b": pytest.approx(0.5)}
