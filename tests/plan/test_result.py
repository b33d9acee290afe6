"""The result of a solve: the baseline plans, and the rule that an optimised plan is never worse than the status quo."""

from __future__ import annotations

import pytest

from planner.model import load_scenario
from planner.plan.result import Result, make_result, never_worse_than_status_quo
from planner.solve import SolveParams, solve


@pytest.fixture(scope="module")
def solved(tiny_scenario_path) -> Result:
    loaded = load_scenario(tiny_scenario_path)
    return solve(loaded.scenario, SolveParams("optimise", time_limit=120, work_limit=4, work_nodes=200),
                   base_dir=loaded.base_dir)  # a work budget: the same plans however loaded the machine is


def test_the_result_holds_the_baseline_plans_the_plan_is_measured_against(solved):
    plan, status_quo, greedy = solved.plan, solved.baselines["status-quo"], solved.baselines["greedy"]
    assert (status_quo.mode, greedy.mode) == ("status-quo", "greedy")
    assert plan.baselines["status-quo"] == status_quo.kpis and plan.baselines["greedy"] == greedy.kpis
    assert list(plan.baselines) == ["greedy", "status-quo"]
    # The status-quo plan compares itself with greedy, as a status-quo solve does.
    assert status_quo.baselines == {"greedy": greedy.kpis} and greedy.baselines == {}
    assert solved.status_quo is status_quo
    assert Result.model_validate_json(solved.model_dump_json()) == solved
    summary = solved.summary()
    assert summary.startswith(f"Plan for {plan.scenario} (optimise)") and "status-quo plan:" in summary


def test_an_optimised_plan_worse_than_the_status_quo_keeps_the_status_quo_periods(solved):
    plan, status_quo = solved.plan, solved.baselines["status-quo"]
    assert never_worse_than_status_quo(plan, status_quo) is plan
    worse = status_quo.model_copy(update={
        "mode": "optimise", "baselines": {},
        "kpis": status_quo.kpis.model_copy(update={"mode": "optimise", "objective": status_quo.kpis.objective + 10,
                                                   "bound": 1.0})})
    kept = never_worse_than_status_quo(worse, status_quo)
    assert kept.mode == "optimise" and kept.kpis.mode == "optimise"
    assert kept.kpis.objective == status_quo.kpis.objective and kept.kpis.bound == 1.0
    assert kept.cohorts == status_quo.cohorts
    assert "keeps the status-quo periods" in kept.solver.explanation[-1]
    assert never_worse_than_status_quo(status_quo, plan) is status_quo
    result = make_result(worse, {"greedy": solved.baselines["greedy"], "status-quo": status_quo}, 10.0, 1.0)
    assert result.plan.cohorts == status_quo.cohorts
    assert result.plan.baselines["greedy"] == solved.baselines["greedy"].kpis
    assert result.plan.baselines["status-quo"] == status_quo.kpis
