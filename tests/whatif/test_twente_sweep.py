"""The what-if answer a roundtable can act on, on the Twente of before recognitions (twente-sector): the sweep's
base row is the stored optimised plan and every example variant's row is proven optimal under the sweep's
default work budget, so each effect is exact."""

from __future__ import annotations

import pytest

from planner.scenario import load_scenario
from planner.scenario.embedded import embedded_scenario
from planner.solve import solve
from planner.whatif.examples import standard_variants
from planner.whatif.sweep import STORED, LocalPool, run_sweep, sweep_params

# The rules Twente's optimum of 4.0 is proven under (tests/solve/test_exact.py): no wave minimum, no weeks
# between waves. The stored plan records them, and the sweep solves its variants under the same rules.
WITHOUT_DEFAULTS = {"min_wave_students": 0, "min_weeks_between_waves": 0}
# A safety net no solve reaches: the rows are the work budget's.
SAFETY_SECONDS = 3600.0


@pytest.mark.slow  # 203 s on a quiet 2-core machine: the base solve (4.0, proven) and the sweep of eight variants
def test_every_example_variant_of_twente_is_proven_from_the_stored_plan() -> None:
    loaded = load_scenario(embedded_scenario("twente-sector"))
    scenario = loaded.scenario
    scenario = scenario.model_copy(update={"policy": scenario.policy.model_copy(update=WITHOUT_DEFAULTS)})
    params = sweep_params("optimise", time_limit=SAFETY_SECONDS)  # the sweep's default work budget
    stored = solve(scenario, params, base_dir=loaded.base_dir).plan
    assert (stored.kpis.objective, stored.kpis.unplaced, stored.kpis.bound) == (4.0, 2, 4.0)
    pool = LocalPool(2)
    try:
        sweep = run_sweep(scenario, standard_variants(scenario), params, pool, loaded.base_dir, base_plan=stored)
    finally:
        pool.close()
    assert sweep.base.source == STORED and sweep.base.plan == stored
    for case in sweep.cases[1:]:
        assert case.error is None, (case.name, case.error)
        plan = case.plan
        assert "stopped by the time limit" not in plan.solver.status, case.name
        assert plan.kpis.bound == pytest.approx(plan.kpis.objective), (case.name, plan.kpis)
        assert plan.solver.status.startswith("optimal"), (case.name, plan.solver.status)
