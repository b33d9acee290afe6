"""A work budget makes a solve reproducible however it is scheduled; variants start from their base plan;
the marginal verification isolates the extra place."""

from __future__ import annotations

import dataclasses

import pytest

from planner.generate.builder import generate_scenario
from planner.generate.sizes import SizeSpec
from planner.solve import SolveParams, solve
from planner.solve.params import WorkBudget
from planner.whatif.marginal import Spot, capacity_spots, verify_spot, verify_spots
from planner.whatif.sweep import DaskExecutor, InlineExecutor, LocalPool, run_sweep, sweep_params
from planner.whatif.variants import Variant
from tests.builders import cohort, company, make_scenario

# A small generated region that one neighbourhood of search does not solve to proven optimality.
SMALL = SizeSpec("T", "labour_market_region", 1200, 40, 120, default_region="Twente")
BUDGET = sweep_params("optimise", time_limit=300, seed=0, work_limit=1, work_nodes=20)
MORE_CARE = [
    {"name": "care +1 place", "changes": [{"kind": "add_capacity", "companies": {"sector": "zorg"}, "places": 1}]},
    {"name": "care +10%", "changes": [{"kind": "scale_capacity", "companies": {"sector": "zorg"}, "factor": 1.1}]},
]


def _plans(sweep) -> list[tuple]:  # noqa: ANN001
    return [(c.name, c.plan.kpis.objective, [(cp.cohort, [(w.form, w.start_week, [(p.company, p.students)
                                                                                  for p in w.placements])
                                                          for w in cp.waves]) for cp in c.plan.cohorts])
            for c in sweep.cases]


@pytest.fixture(scope="module")
def region():  # noqa: ANN201
    return generate_scenario(SMALL, 3)


def test_work_budget_split() -> None:
    work = SolveParams(work_limit=20, work_nodes=50).work()
    assert work == WorkBudget(neighbourhoods=20, nodes=50)
    assert sum(work.search_steps(True)) == 20 and work.search_steps(False)[0] == 0
    assert SolveParams().work() is None
    with pytest.raises(ValueError):
        SolveParams(work_limit=-1)
    # A national sweep asks for fewer rounds of the relaxation and the bound.
    light = sweep_params("optimise", 600, 0, work_limit=1, relaxation_rounds=2, bound_rounds=0, polish_ticks=0)
    assert light.work() == WorkBudget(neighbourhoods=1, nodes=1000, relaxation_rounds=2, bound_rounds=0, polish_ticks=0)
    # run_sweep ships the parameters to its workers as a dict: every field survives the trip.
    assert SolveParams(**dataclasses.asdict(light)) == light
    with pytest.raises(ValueError):
        SolveParams(work_limit=1, work_relaxation_rounds=0)
    with pytest.raises(ValueError):
        SolveParams(work_limit=1, work_bound_rounds=-1)
    with pytest.raises(ValueError):
        SolveParams(work_limit=1, work_polish_ticks=-0.1)


@pytest.fixture(scope="module")
def inline_sweep(region):  # noqa: ANN001, ANN201
    """The budgeted sweep without an executor: what every executor must give."""
    inline = run_sweep(region, [Variant.model_validate(MORE_CARE[0])], BUDGET, InlineExecutor())
    assert not any("optimal" in c.plan.solver.status for c in inline.cases)  # stopped by the budget, not by proof
    assert all("work budget 1 neighbourhoods" in c.plan.solver.status for c in inline.cases)
    assert not any("stopped by the time limit" in c.plan.solver.status for c in inline.cases)
    return inline


def test_a_budgeted_sweep_gives_the_same_plans_on_dask(region, inline_sweep) -> None:  # noqa: ANN001
    dask = DaskExecutor(None, workers=2, processes=False)
    try:
        on_dask = run_sweep(region, [Variant.model_validate(MORE_CARE[0])], BUDGET, dask)
    finally:
        dask.close()
    assert _plans(inline_sweep) == _plans(on_dask)


@pytest.mark.slow  # 20 s more (worker processes): make test-all
def test_a_budgeted_sweep_gives_the_same_plans_on_a_process_pool(region, inline_sweep) -> None:  # noqa: ANN001
    pool = LocalPool(2)
    try:
        on_pool = run_sweep(region, [Variant.model_validate(MORE_CARE[0])], BUDGET, pool)
    finally:
        pool.close()
    assert _plans(inline_sweep) == _plans(on_pool)


def test_variants_that_add_capacity_are_never_worse_than_the_base(region) -> None:  # noqa: ANN001
    sweep = run_sweep(region, [Variant.model_validate(v) for v in MORE_CARE], BUDGET)
    base = sweep.base.plan.kpis.objective
    for case in sweep.cases[1:]:
        assert case.plan is not None, case.error
        assert case.plan.kpis.objective <= base + 1e-9, case.name


def _two_cohorts():  # noqa: ANN202
    """k1 has one place in weeks 40-43 and two cohorts of two students want it then (status quo)."""
    return make_scenario([cohort("a", 2), cohort("b", 2, level="2")],
                         [company("k1", 1), company("k2", 1, sectors="techniek")])


def test_verification_is_exact_on_hand_made_cases() -> None:
    scenario = _two_cohorts()
    params = SolveParams(mode="status-quo", time_limit=10, seed=0, baselines=False)
    plan = solve(scenario, params).plan
    weights = {c.id: scenario.policy.weight(c) for c in scenario.cohorts}
    spots = capacity_spots(scenario, plan, "status-quo", top=3)
    assert spots[0].company == "k1"
    # One more place takes one more student of the heaviest unplaced cohort.
    heaviest = max(weights[c] for c in ("a", "b") if next(p for p in plan.cohorts if p.cohort == c).unplaced)
    assert spots[0].estimate == pytest.approx(heaviest) and spots[0].source == "unplaced students that fit"
    verify_spots(scenario, plan, spots, params, verify=1)
    assert spots[0].realised == pytest.approx(heaviest) and spots[0].verified_status == "optimal"
    # The same spot by hand; a place outside the cohorts' weeks, or where nobody may go, takes nobody.
    two = Spot(rank=1, company="k1", companies_in_pool=1, area="Enschede", sector="zorg", level="3",
               first_week="2026-W40", last_week="2026-W43", estimate=0.0)
    outside = Spot(**{**two.__dict__, "first_week": "2026-W45", "last_week": "2026-W48"})
    nobody = Spot(**{**two.__dict__, "company": "k2"})
    assert verify_spot(scenario, plan, outside, "status-quo")["objective"] == pytest.approx(plan.kpis.objective)
    assert verify_spot(scenario, plan, nobody, "status-quo")["objective"] == pytest.approx(plan.kpis.objective)
    result = verify_spot(scenario, plan, two, "status-quo")
    assert result["base"] - result["objective"] == pytest.approx(heaviest)


def test_realised_reductions_are_never_negative(region) -> None:  # noqa: ANN001
    plan = solve(region, BUDGET).plan
    spots = capacity_spots(region, plan, "optimise", top=4)
    verify_spots(region, plan, spots, SolveParams(mode="optimise", time_limit=60, baselines=False), verify=4)
    assert spots and all(s.realised is not None and s.realised >= 0 for s in spots)
    assert all(s.verified_objective <= plan.kpis.objective + 1e-9 for s in spots)


def test_from_a_stored_base_plan_adding_capacity_never_increases_shortage(region) -> None:  # noqa: ANN001
    from planner.whatif.compare import sweep_table
    from planner.whatif.sweep import STORED

    stored = solve(region, BUDGET).plan  # not proven: one neighbourhood of search
    assert stored.kpis.objective > stored.kpis.bound
    variants = [Variant.model_validate(v) for v in MORE_CARE] + [Variant.model_validate(
        {"name": "every company +1", "changes": [{"kind": "add_capacity", "companies": {}, "places": 1}]})]
    sweep = run_sweep(region, variants, BUDGET, base_plan=stored)
    assert sweep.base.source == STORED and sweep.base.plan is stored
    rows = sweep_table(sweep)["rows"]
    for row in rows[1:]:
        assert row["ok"], row["error"]
        assert row["objective"] <= stored.kpis.objective + 1e-9, row["name"]
        # The effect is a range (from the variant's bound minus the base plan to the variant's plan minus the
        # base's bound), cut at zero for a variant that only adds room; the plans' difference lies in it.
        assert row["effect_low"] <= row["objective_diff"] <= row["effect_high"] <= 0.0, row["name"]
