"""The budget: one place shares out a time limit or a work budget, each phase asks it what it may use."""

from __future__ import annotations

import pytest

from planner.solve.budget import (
    BOUND_AFTER_SEARCH_SHARE,
    BOUND_SHARE,
    NEIGHBOURHOOD_SECONDS,
    CountedBudget,
    TimeBudget,
)
from planner.solve.params import SolveParams


def test_a_time_limit_is_shared_out_in_seconds():
    budget = SolveParams("status-quo").budget(60.0)
    assert isinstance(budget, TimeBudget) and budget.work is None
    # The first search: 15 % of the stage, at most 3 s, and none without a part too big for exact solves.
    assert budget.search("first", True).seconds == 3.0
    assert budget.within(10.0).search("first", True).seconds == pytest.approx(1.5)
    assert budget.search("first", False).seconds == 0.0
    # Before the bound the search leaves the bound its share; after it, the search takes the rest.
    assert budget.search("before bound", True).seconds == pytest.approx(budget.remaining() * (1 - BOUND_SHARE), rel=1e-3)
    assert budget.search("after bound", True).steps is None
    # The bound: its share, less the 0.2 s its warm start and setup take before its own limit.
    assert budget.bound(first=False).seconds == pytest.approx(budget.remaining() * BOUND_AFTER_SEARCH_SHARE - 0.2, rel=1e-3)
    assert budget.bound(first=True).warm_start_seconds is not None
    # An exact part: its size's share of the time left, at least a tenth, at most 85 %; restarted at 45 %.
    assert budget.exact_part(0.01).seconds == pytest.approx(0.1 * budget.remaining(), rel=1e-3)
    assert budget.exact_part(1.0).seconds == pytest.approx(0.85 * budget.remaining(), rel=1e-3)
    assert budget.restart_split(10.0) == pytest.approx((4.5, 5.5)) and budget.restart_split(0.6) is None
    # A neighbourhood solve: at most 3 s; two at once.
    assert budget.neighbourhood().seconds == NEIGHBOURHOOD_SECONDS and budget.neighbourhood().nodes is None
    assert budget.paired and budget.integer_model_fits() and budget.polish_ticks() is None


def test_a_work_budget_is_shared_out_in_counts_with_the_time_as_safety_net():
    params = SolveParams("status-quo", work_limit=40, work_nodes=500, work_bound_rounds=7)
    budget = params.budget(600.0)
    assert isinstance(budget, CountedBudget) and budget.work == params.work()
    # The neighbourhoods: 15 % before the exact parts, of the rest 60 % before the bound, 40 % after.
    first, before, after = (budget.search(stage, True) for stage in ("first", "before bound", "after bound"))
    assert (first.steps, before.steps, after.steps) == (6, 20, 14)
    # Without a first search (the bound first, in the status quo) the one search has them all.
    assert budget.search("only", False).steps == 40
    # Every phase has the whole safety net and counts its own work.
    assert [first.seconds, before.seconds, budget.exact_part(0.01).seconds] == [pytest.approx(600.0, abs=1.0)] * 3
    assert budget.exact_part(0.01).nodes == 500 and budget.restart_split(600.0) is None
    bound = budget.bound(first=True)
    assert (bound.rounds, bound.nodes, bound.threads) == (7, 500, 1)
    # It starts from the pooled LP's duals, solved to optimality (the safety net its only limit).
    assert bound.warm_start_seconds == pytest.approx(600.0, abs=1.0)
    assert budget.neighbourhood().nodes == 500 and not budget.paired
    assert not budget.integer_model_fits() and budget.polish_ticks() == params.work_polish_ticks
    assert budget.quick(100.0, 1.0)  # a proven neighbourhood grows its kind, however long it took


def test_the_whole_solve_shares_one_time_limit_with_its_status_quo_baseline():
    # An optimised solve's status-quo baseline gets its share of the limit and the plan the rest:
    # the whole solve ends within the limit (the baseline no longer comes on top of it).
    params = SolveParams("optimise", time_limit=60.0)
    whole = params.budget(params.time_limit)
    assert whole.mode_seconds("status-quo") == pytest.approx(60.0 * params.status_quo_share)
    assert whole.mode_seconds("optimise") == pytest.approx(60.0, abs=0.5)  # nothing spent yet
    assert params.total_seconds() == pytest.approx(66.0)  # the limit and the margin for finishing the plans
    assert SolveParams("status-quo", time_limit=60.0).budget(60.0).mode_seconds("status-quo") == pytest.approx(60.0, abs=0.5)
    # Under a work budget each plan has the whole limit as its safety net, the baseline its share on top.
    counted = SolveParams("optimise", time_limit=60.0, work_limit=5)
    assert counted.budget(60.0).mode_seconds("optimise") == 60.0
    assert counted.total_seconds() == pytest.approx(60.0 * (1 + counted.status_quo_share))
