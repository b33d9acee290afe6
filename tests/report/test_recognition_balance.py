"""With recognitions, capacity is counted per recognition group (crebo and level): a company counts for the
qualifications it is recognised for, not for its whole sector chamber; without them the sector rule stays."""

from __future__ import annotations

import numpy as np

from planner.report import balance, charts
from planner.report.balance import CohortNeed, CompanySupply, demand_against_reachable
from planner.scenario import LoadedScenario
from planner.solve import SolveParams, solve
from tests.builders import CARE, HELPER, company, make_scenario, recognised_scenario


def weekly(value: float, weeks: int = 4) -> list[float]:
    return [value] * weeks


def test_a_recognition_group_counts_only_the_companies_that_may_take_it() -> None:
    care_home = CompanySupply("care home", frozenset({"zorg"}), frozenset({"2", "3"}), weekly(40),
                              load={("zorg", "3", CARE): weekly(30)}, crebos=frozenset({CARE}))
    by_sector = CompanySupply("by sector", frozenset({"zorg"}), frozenset({"3"}), weekly(20))
    care = CohortNeed("zorg", "3", weekly(30), frozenset({"care home"}), crebo=CARE)
    other = CohortNeed("zorg", "3", weekly(10), frozenset({"by sector"}), unplaced=2, crebo="25498")
    groups = {g.crebo: g for g in demand_against_reachable([other, care], [care_home, by_sector])}
    assert list(groups) == [CARE, "25498"]  # two groups in one sector chamber and level, by crebo
    assert groups[CARE].recognised.tolist() == weekly(60)  # the care home and the company matched by sector
    # The other crebo: only the company matched by sector may take it, though the care home has room.
    assert groups["25498"].recognised.tolist() == weekly(20) and groups["25498"].reachable.tolist() == weekly(20)
    assert groups["25498"].available.tolist() == weekly(20) and groups["25498"].key == ("zorg", "3", "25498")


def test_the_balances_of_a_scenario_with_recognitions_are_per_crebo_and_level(tmp_path) -> None:
    scenario = recognised_scenario()
    plan = solve(scenario, SolveParams("status-quo", time_limit=10, seed=0, baselines=False)).plan
    [groups] = balance.reachable_balances([plan], LoadedScenario(scenario, tmp_path)).values()
    by_crebo = {(g.crebo, g.level): g for g in groups}
    assert set(by_crebo) == {(CARE, "3"), (HELPER, "2")}
    # The helpers may use the home-care firm's 2 places only (10 student-days a week), not the care home's 6.
    helpers = by_crebo[(HELPER, "2")]
    assert helpers.recognised.max() == 10 and helpers.unplaced == 2
    assert by_crebo[(CARE, "3")].recognised.max() == 30
    path = charts.reachable_capacity_chart(plan, LoadedScenario(scenario, tmp_path), tmp_path / "reach.png")
    assert path.is_file()


def test_a_company_with_recognitions_counts_in_the_sector_chambers_of_its_crebos(tmp_path) -> None:
    kitchen = {**company("k9", 2, sectors="zorg"), "recognitions": ["25180"]}  # Kok: voedsel, groen en gastvrijheid
    scenario = recognised_scenario()
    scenario = make_scenario([c.model_dump() for c in scenario.cohorts],
                             [*(c.model_dump() for c in scenario.companies), kitchen])
    plan = solve(scenario, SolveParams("status-quo", time_limit=10, seed=0, baselines=False)).plan
    capacity = balance.weekly_capacity(plan, scenario)
    assert np.max(capacity["voedsel"]) == 10 and np.max(capacity["zorg"]) == 40
