"""The moves-versus-shortage trade-off: at most k changed cohorts -> the least weighted shortage."""

from __future__ import annotations

import pytest

from planner.geo import Region
from planner.model.problem import compile_problem
from planner.solve import tradeoff
from planner.solve.exact.oracle import exact_optimum
from planner.solve.tradeoff import PooledLimitBound, changed_cohorts, curve_limits, tradeoff_curve
from tests.builders import cohort, company, make_scenario

# One company with 10 places over 16 weeks: four 4-week slots of 10 students each. Five cohorts
# of 10 students all want the same slot (weeks 40-43); each cohort that moves can take a slot
# of its own. Weights: entree 3, level 2 twice, level 3 once. The optimum per k, by hand:
#   k=0: the entree cohort in the slot; level 2 (2 x 10) and three level 3 (3 x 10) unplaced: 50
#   k=1: level 2 moves to a free slot: 30;  k=2: a level 3 cohort too: 20;  k=3: 10
#   k=4: still 10 (four slots for five cohorts of 10): the optimum.
OPTIMUM_PER_K = {0: 50.0, 1: 30.0, 2: 20.0, 3: 10.0, 4: 10.0}


def crowded_slot():
    forms = "block:4"
    return make_scenario(
        [cohort("entree", 10, forms, level="entree", sector="techniek"),
         cohort("twee", 10, forms, level="2", sector="techniek"),
         *[cohort(f"drie-{i}", 10, forms, level="3", sector="techniek") for i in range(3)]],
        [company("k1", 10, sectors="techniek", levels="entree|2|3|4")])


def test_the_curve_of_a_crowded_slot_is_the_optimum_per_k():
    scenario = crowded_slot()
    data = compile_problem(scenario, Region(scenario), "optimise")
    optimum = exact_optimum(data)
    assert optimum.status == "optimal" and optimum.value == OPTIMUM_PER_K[4]
    # Every k up to the optimum's changed cohorts is a point (points > cohorts), from an empty start.
    curve = tradeoff_curve(data, [], optimum.assignments, points=20, nodes=10_000)
    limits = [point.max_changed for point in curve]
    assert limits == list(range(len(changed_cohorts(data, optimum.assignments)) + 1))
    assert limits[-1] >= 3
    for point in curve:
        assert point.shortage == OPTIMUM_PER_K[point.max_changed], point
        assert point.optimal and point.bound == point.shortage
        assert point.changed <= point.max_changed
        assert len(changed_cohorts(data, point.assignments)) == point.changed
        assert point.moved >= point.changed  # a changed cohort moves some of its students
    assert curve[0].changed == 0 and curve[0].moved == 0


def test_each_point_of_a_large_model_has_its_own_bound(monkeypatch: pytest.MonkeyPatch):
    # As if the crowded slot were above the size the exact stage solves whole: the points' models have
    # only the current and the optimised periods, so SCIP's bound is not one for the limit. The pooled
    # model with at most k changed cohorts bounds each point, and here (one company) it is the optimum
    # per k: 50, 30, 20, 10, 10, not the optimised solve's 10 for every k.
    scenario = crowded_slot()
    data = compile_problem(scenario, Region(scenario), "optimise")
    optimum = exact_optimum(data)
    assert [PooledLimitBound(data).bound(k) for k in range(5)] == [50.0, 30.0, 20.0, 10.0, 10.0]
    monkeypatch.setattr(tradeoff, "EXACT_PART_PAIRS", 0)
    assert tradeoff.candidate_options(data, optimum.assignments) is not None
    curve = tradeoff_curve(data, [], optimum.assignments, optimum_bound=optimum.value, points=20, nodes=10_000)
    assert [(p.max_changed, p.shortage, p.bound, p.gap) for p in curve] == [
        (0, 50.0, 50.0, 0.0), (1, 30.0, 30.0, 0.0), (2, 20.0, 20.0, 0.0), (3, 10.0, 10.0, 0.0)]
    assert all(p.as_out().optimal and p.as_out().gap == 0.0 for p in curve)


@pytest.mark.parametrize(("most", "points", "limits"), [
    (0, 10, [0]), (3, 10, [0, 1, 2, 3]), (18, 10, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]), (27, 10, None)])
def test_curve_limits_run_from_the_status_quo_to_the_optimum(most, points, limits):
    found = curve_limits(most, points)
    assert found[0] == 0 and found[-1] == most and len(found) <= points
    assert found == sorted(set(found))
    if limits is not None:
        assert found == limits


@pytest.mark.slow  # the two solves and ten points under their work budgets: about 25 min at a load of 12
def test_the_twente_curve_runs_from_the_status_quo_to_the_proven_optimum():
    # The Twente before recognitions (twente-sector) without the wave defaults: its optimise is proven at 4.0
    # under the work budget (tests/solve/test_exact.py), so the curve ends at the proven optimum; the status
    # quo's optimum is 64.5 (bound 64.0). Every point has its own bound, and the bounds are non-increasing.
    from planner.model import load_scenario
    from planner.scenario.embedded import embedded_scenario
    from planner.solve import SolveParams, solve
    from planner.solve.tradeoff import plan_tradeoff

    loaded = load_scenario(embedded_scenario("twente-sector"))
    scenario = loaded.scenario.model_copy(update={"policy": loaded.scenario.policy.model_copy(
        update={"min_wave_students": 0, "min_weeks_between_waves": 0})})
    plans = {mode: solve(scenario, SolveParams(mode, time_limit=3600.0, baselines=False, work_limit=40),
                         base_dir=loaded.base_dir).plan for mode in ("status-quo", "optimise")}
    plan, status_quo = plans["optimise"], plans["status-quo"]
    assert (plan.kpis.objective, plan.kpis.bound) == (4.0, 4.0)
    data, curve = plan_tradeoff(scenario, Region(scenario, loaded.base_dir), plan, status_quo)
    assert data.placement_pairs() > 8000  # the candidates of a large model: current and optimised periods
    shortages = [point.shortage for point in curve]
    assert shortages == sorted(shortages, reverse=True)
    assert curve[0].max_changed == 0 and curve[0].changed == 0 and curve[0].moved == 0
    assert curve[0].shortage == status_quo.kpis.objective == 64.5 and curve[0].bound >= 64.0
    assert curve[-1].max_changed == plan.kpis.cohorts_changed
    assert (curve[-1].shortage, curve[-1].bound) == (4.0, 4.0) and curve[-1].optimal
    bounds = [point.bound for point in curve]
    assert bounds == sorted(bounds, reverse=True) and all(p.bound <= p.shortage for p in curve)
    # The middle points' own bounds: above the optimum's 4.0 where the limit binds (the pooled model's).
    assert curve[1].bound > 4.0
    assert len(curve) <= 10
