"""Identical companies ordered by load in the company model, and plans given to it as a start."""

from __future__ import annotations

import numpy as np

from planner.geo import Region
from planner.model.problem import compile_problem
from planner.solve.exact.company_model import build_company_model
from tests.builders import cohort, company, make_scenario


def rows_hold(built, values: np.ndarray) -> bool:
    """Whether ``values`` (one per column) keeps every row of the model's MIP form."""
    form = built.linear
    activity = form.matrix() @ values
    lower, upper = np.array(form.rows.lower), np.array(form.rows.upper)
    within_bounds = (values >= form.lower).all() and (values <= form.upper).all()
    return bool(within_bounds and (activity >= lower - 1e-9).all() and (activity <= upper + 1e-9).all())


def test_a_start_that_breaks_the_load_order_of_identical_companies_is_reordered_into_a_solution():
    # k1, k2 and k3 are identical (one place each, the same cohorts), so the model orders them by load:
    # k1 at least k2 at least k3. A plan with its students at k2 and k3 only is the same plan with the
    # companies swapped; as a start it must be given in the model's order, else SCIP drops it.
    scenario = make_scenario([cohort("a", 2), cohort("b", 1, current_start="2026-W45")],
                             [company("k1", 1), company("k2", 1), company("k3", 1)])
    data = compile_problem(scenario, Region(scenario), "status-quo")
    built = build_company_model(data)
    assert built.stats["symmetric_groups"] == 1
    a, b = (int(np.nonzero(data.option_cohort == c)[0][0]) for c in (0, 1))
    k1, k2, k3 = (scenario.company_index[k] for k in ("k1", "k2", "k3"))
    start = [(a, k2, 1), (a, k3, 1), (b, k3, 1)]
    hinted = built.hint_values(start)
    assert rows_hold(built, hinted.astype(float))
    # The same students placed: k3's two placements moved to k1, k2's one stays.
    n = built.n_placements
    at = {(int(built.pair_option[j]), int(built.pair_company[j])): int(hinted[j]) for j in range(n)}
    assert at[(a, k1)] == 1 and at[(b, k1)] == 1 and at[(a, k2)] == 1
    assert at.get((a, k3), 0) == 0 and at.get((b, k3), 0) == 0
    assert hinted[n: n + 2].tolist() == [0, 0]  # nobody unplaced
