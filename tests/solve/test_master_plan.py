"""A first plan from the Dantzig-Wolfe master: the dive over its company patterns (status quo)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.geo import Region
from planner.model import load_scenario
from planner.model.problem import compile_problem
from planner.scenario.embedded import embedded_scenario
from planner.solve.budget import CountedBudget
from planner.solve.clock import Clock
from planner.solve.exact.bound import dantzig_wolfe_bound, pooled_duals
from planner.solve.exact.dive import master_plan, master_start
from planner.solve.exact.oracle import exact_optimum
from planner.solve.exact.tables import remaining_capacity
from planner.solve.heuristics import placed_per_cohort, weighted_shortage
from planner.solve.params import SolveParams
from planner.solve.pipeline import heuristic_search
from tests.builders import cohort, company, make_scenario
from tests.solve.test_exact import ORACLE_SCENARIOS, SAFETY_SECONDS, WORK, checked_plan, run

# The bound's rounds and pricing nodes in these tests (the time a safety net).
BOUND_WORK = {"max_rounds": 50, "pricing_nodes": 1000}


class BoundFirstWorkBudget(CountedBudget):
    """A work budget that puts the status quo's bound first, as a time limit does."""

    def bound_fits(self, open_cohorts: int, first: bool = False) -> bool:
        return True


def bound_first_budget() -> BoundFirstWorkBudget:
    params = SolveParams(**WORK)
    return BoundFirstWorkBudget(SAFETY_SECONDS, params, params.work())


def test_the_dive_rounds_a_fractional_master_up_to_whole_companies():
    # Three students, two identical companies with two places: the master LP takes the pattern
    # "two students" 1.5 times. Its whole part places two; the dive rounds up and places all three.
    scenario = make_scenario([cohort("a", 3)], [company("k1", places=2), company("k2", places=2)])
    data = compile_problem(scenario, Region(scenario), "status-quo")
    dw = dantzig_wolfe_bound(data, SAFETY_SECONDS, start=pooled_duals(data), **BOUND_WORK)
    assert dw.converged and dw.bound == 0.0
    plan = master_plan(data, dw)
    assert (remaining_capacity(data, plan) >= 0).all()
    assert placed_per_cohort(data, plan).tolist() == [3]
    checked_plan(scenario, "status-quo", plan, dw.bound)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ORACLE_SCENARIOS, st.sampled_from(["status-quo", "optimise"]))
def test_the_master_start_is_a_checked_plan_no_better_than_the_optimum(scenario, mode):
    data = compile_problem(scenario, Region(scenario), mode)
    dw = dantzig_wolfe_bound(data, SAFETY_SECONDS, start=pooled_duals(data), **BOUND_WORK)
    start = master_start(data, dw, [], np.arange(len(data.cohorts)), SAFETY_SECONDS)
    assert start is not None
    # Capacity, one company per student, wave limits and travel all hold (verify_plan).
    checked_plan(scenario, mode, start, 0.0)
    assert (placed_per_cohort(data, start) <= data.students).all()
    assert weighted_shortage(data, start) >= exact_optimum(data, time_limit=20.0).value - 1e-6


def test_twente_status_quo_from_the_master_is_near_its_optimum():
    # The status quo's optimum is 64.5 (proven). The heuristic stage's plan leaves 100.5; the
    # plan rounded from the master leaves 67.5 (74.0 when the dive stops after its first round).
    loaded = load_scenario(embedded_scenario("twente-sector"))
    data = compile_problem(loaded.scenario, Region(loaded.scenario, loaded.base_dir), "status-quo")
    heuristic = heuristic_search(data, Clock(SAFETY_SECONDS, None), SolveParams("status-quo", baselines=False, **WORK))
    dw = dantzig_wolfe_bound(data, SAFETY_SECONDS, incumbent=heuristic.best, start=pooled_duals(data), **BOUND_WORK)
    assert dw.converged
    start = master_start(data, dw, [], np.arange(len(data.cohorts)), SAFETY_SECONDS)
    value = weighted_shortage(data, start)
    assert 64.5 <= value <= 70.0 < heuristic.value
    checked_plan(loaded.scenario, "status-quo", start, 0.0)


def test_a_status_quo_too_big_for_exact_parts_starts_its_search_from_the_master():
    scenario = make_scenario(
        [cohort("a", 12), cohort("b", 9, level="2"), cohort("c", 7, current_start="2026-W42")],
        [company("k1", 6), company("k2", 4, area="Hengelo"), company("k3", 3, levels="2|3")])
    data, value, bound, stats = run(scenario, "status-quo", exact_part_pairs=0, budget=bound_first_budget())
    # The bound came first and its master gave a plan (kept only when it beats the incumbent).
    assert stats.dw is not None and stats.master_plan is not None
    assert stats.master_plan >= value - 1e-9
    assert exact_optimum(data).value == pytest.approx(value)
    assert bound == pytest.approx(value)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ORACLE_SCENARIOS)
def test_the_masters_shortage_is_what_the_bound_counts_and_never_above_the_optimum(scenario):
    data = compile_problem(scenario, Region(scenario), "status-quo")
    dw = dantzig_wolfe_bound(data, SAFETY_SECONDS, start=pooled_duals(data), **BOUND_WORK)
    assert dw.converged and dw.master_shortage is not None
    short = dw.master_shortage
    assert (short >= -1e-9).all() and (short <= data.students + 1e-9).all()
    # Its weighted shortage is the master's value: the bound before rounding up to a shortage
    # some plan can have, so at most the oracle's optimum.
    assert float(data.weight @ short) == pytest.approx(dw.master_value, abs=1e-6)
    assert float(data.weight @ short) <= exact_optimum(data, time_limit=20.0).value + 1e-6
