"""Plan-state basics (load, weighted shortage, gap) against a table worked out by hand, BBL included.

The scenario: three weeks (2026-W36..W38), two companies with 2 places each (10 student-days
a week), one BBL cohort and two BOL cohorts::

    bbl  BBL  1 student  line:3x3  at its employer k1, W36-W38            3 student-days a week at k1
    a    BOL  4 students block:2   W36-W37: 1 at k1, 2 at k2, 1 unplaced  weight 1.0
    b    BOL  3 students line:2x3  W36-W38: 1 at k1,       2 unplaced    weight 2.0

Load per company and week (student-days)::

              W36          W37          W38
    k1   3 + 5 + 2 = 10   3 + 5 + 2 = 10   3 + 0 + 2 = 5     (BBL + a + b)
    k2   0 + 10 + 0 = 10  0 + 10 + 0 = 10  0                 (2 block students of a)

Capacity left for BOL placements: k1 10 - 3 = 7 a week, k2 10. BOL load at k1: 7, 7, 2 (fits).
Weighted shortage: a 1.0 x 1 + b 2.0 x 2 = 5.0 (the BBL cohort never counts). Gap against a
bound of 3.0: (5.0 - 3.0) / 5.0 = 0.4.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.plan.kpis import compute_kpis, utilisation
from planner.plan.model import CohortPlan, Placement, Plan, SolveStats, Wave
from planner.plan.reasons import _company_load
from planner.plan.state import (
    capacity_excess,
    company_load,
    gap,
    placement_capacity,
    plan_weighted_shortage,
    weighted_shortage,
)
from planner.plan.verify import verify_plan
from planner.report.balance import group_loads
from planner.scenario import Scenario
from planner.whatif.variants import Variant, apply_variant
from tests.builders import cohort, company, make_scenario

WEEKS = ["2026-W36", "2026-W37", "2026-W38"]


def _scenario() -> Scenario:
    return make_scenario(
        [cohort("bbl", 1, pathway="BBL", company="k1", forms="line:3x3", current_start="2026-W36",
                earliest="2026-W36", latest="2026-W38"),
         cohort("a", 4, forms="block:2", current_start="2026-W36", earliest="2026-W36", latest="2026-W38"),
         cohort("b", 3, forms="line:2x3", level="2", current_start="2026-W36", earliest="2026-W36",
                latest="2026-W38")],
        [company("k1", 2), company("k2", 2, area="Hengelo")], first="2026-W36", last="2026-W38")


def _cohort(scenario: Scenario, cohort_id: str, form: str, weeks: list[str], placed: dict[str, int],
            weight: float) -> CohortPlan:
    row = scenario.cohorts[scenario.cohort_index[cohort_id]]
    n = sum(placed.values())
    wave = Wave(wave=1, form=form, start_week=weeks[0], end_week=weeks[-1], weeks=weeks, students=row.students,
                placed=n, placements=[Placement(company=k, students=s, travel_minutes=0.0) for k, s in placed.items()])
    return CohortPlan(cohort=row.id, institution="roc", location=row.location, area="Enschede", crebo=row.crebo,
                      programme=row.programme, sector=row.sector, level=row.level, pathway=row.pathway,
                      students=row.students, placed=n, unplaced=row.students - n, weight=weight,
                      period_changed=False, waves=[wave])


def _cohorts(scenario: Scenario, b_at_k1: int = 1) -> list[CohortPlan]:
    return [_cohort(scenario, "bbl", "line:3x3", WEEKS, {"k1": 1}, 3.0),
            _cohort(scenario, "a", "block:2", WEEKS[:2], {"k1": 1, "k2": 2}, 1.0),
            _cohort(scenario, "b", "line:2x3", WEEKS, {"k1": b_at_k1} if b_at_k1 else {}, 2.0)]


def _plan(scenario: Scenario, cohorts: list[CohortPlan], bound: float = 3.0) -> Plan:
    load = company_load(scenario, cohorts)
    return Plan(scenario=scenario.name, mode="status-quo", weeks=WEEKS,
                kpis=compute_kpis(scenario, "status-quo", cohorts, load, bound, 0.0), cohorts=cohorts, shortages=[],
                utilisation=utilisation(scenario, load),
                solver=SolveStats(status="optimal", engine="-", build_seconds=0, solve_seconds=0, wall_seconds=0,
                                  variables=0, constraints=0, clusters=0, time_limit=1, seed=0))


def test_load_and_weighted_shortage_match_the_hand_worked_table():
    scenario = _scenario()
    cohorts = _cohorts(scenario)
    assert company_load(scenario, cohorts).tolist() == [[10, 10, 5], [10, 10, 0]]
    assert company_load(scenario, cohorts, bbl=False).tolist() == [[7, 7, 2], [10, 10, 0]]
    assert placement_capacity(scenario).tolist() == [[7, 7, 7], [10, 10, 10]]
    assert not capacity_excess(scenario, cohorts).any()
    assert plan_weighted_shortage(cohorts) == 5.0
    assert weighted_shortage([1.0, 2.0], [1, 2]) == 5.0
    assert gap(5.0, 3.0) == pytest.approx(0.4) and gap(5.0, 6.0) == 0.0 and gap(0.0, 0.0) == 0.0


def test_every_user_of_the_load_reads_the_same_table():
    scenario = _scenario()
    plan = _plan(scenario, _cohorts(scenario))
    # KPIs and utilisation: the whole load (BBL included) against the whole capacity.
    assert plan.kpis.objective == 5.0 and plan.kpis.gap == pytest.approx(0.4)
    assert [u.used for u in plan.utilisation] == [[10, 10, 5], [10, 10, 0]]
    assert plan.kpis.peak_week == "2026-W36" and plan.kpis.peak_week_utilisation == 1.0
    # The reasons and the reachable-capacity chart: the BOL placements (BBL is off the capacity).
    from planner.model.problem import compile_problem

    class _Region:  # compile_problem reads travel minutes only; everyone is within reach
        def minutes_array(self, mode: str) -> np.ndarray:
            return np.zeros((len(scenario.areas), len(scenario.areas)))

    data = compile_problem(scenario, _Region(), "status-quo", aggregate=False)
    used, held = _company_load(plan, data)
    assert used.tolist() == [[7, 7, 2], [10, 10, 0]]
    assert {c: v.tolist() for c, v in held[0]} == {"a": [5, 5, 0], "b": [2, 2, 2]}
    assert data.company_capacity.tolist() == placement_capacity(scenario).tolist()
    groups = group_loads(plan, scenario)
    assert {g: v.tolist() for g, v in groups["k1"].items()} == {("zorg", "3"): [5, 5, 0], ("zorg", "2"): [2, 2, 2]}
    assert verify_plan(scenario, plan) == []


def test_bbl_students_beyond_their_employers_capacity_are_not_the_plans_fault():
    # A what-if variant may cut k1 to no places (variants are not checked for BBL overload): its
    # BBL student still works there, and the solver leaves k1 to them.
    cut = Variant.model_validate({"name": "cut", "changes": [
        {"kind": "scale_capacity", "companies": {"ids": ["k1"]}, "factor": 0.0}]})
    scenario = apply_variant(_scenario(), cut)
    without_bol_at_k1 = _cohorts(scenario, b_at_k1=0)
    without_bol_at_k1[1] = _cohort(scenario, "a", "block:2", WEEKS[:2], {"k2": 2}, 1.0)
    assert company_load(scenario, without_bol_at_k1)[0].tolist() == [3, 3, 3]
    assert placement_capacity(scenario)[0].tolist() == [0, 0, 0]
    assert verify_plan(scenario, _plan(scenario, without_bol_at_k1)) == []
    # A BOL student placed there does break the capacity (2 student-days a week of b).
    with_b = _cohorts(scenario)
    with_b[1] = without_bol_at_k1[1]
    assert capacity_excess(scenario, with_b)[0].tolist() == [2, 2, 2]
    assert len(verify_plan(scenario, _plan(scenario, with_b))) == 3


def test_a_variant_that_cuts_an_employer_below_its_bbl_students_solves():
    from planner.solve import SolveParams, solve

    cut = Variant.model_validate({"name": "cut", "changes": [
        {"kind": "scale_capacity", "companies": {"ids": ["k1"]}, "factor": 0.0}]})
    scenario = apply_variant(_scenario(), cut)
    plan = solve(scenario, SolveParams("status-quo", time_limit=60, work_limit=2, baselines=False)).plan
    assert not any(p.company == "k1" for cp in plan.cohorts if cp.pathway == "BOL" for w in cp.waves
                   for p in w.placements)
    assert [u.used for u in plan.utilisation if u.company == "k1"] == [[3, 3, 3]]
