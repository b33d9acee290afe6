"""The Dantzig-Wolfe pricing problems, solved in batches, and the search's view of a plan table."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planner.geo import Region
from planner.model import load_scenario
from planner.model.problem import compile_problem
from planner.scenario.embedded import embedded_scenario
from planner.solve.exact.bound import _PricingClass, company_classes, price_classes
from planner.solve.exact.neighbourhoods import PlanView
from planner.solve.exact.tables import option_rows, options_by_cohort
from planner.solve.heuristics import greedy_assignments


@pytest.fixture(scope="module")
def twente():
    loaded = load_scenario(embedded_scenario("twente-sector"))
    return compile_problem(loaded.scenario, Region(loaded.scenario, loaded.base_dir), "status-quo")


def _classes(data):
    options, rows = options_by_cohort(data), option_rows(data)
    return [_PricingClass(data, int(members[0]), len(members), users, options, rows)
            for members, users in company_classes(data)]


def _brute_force(pricing: _PricingClass, profit: np.ndarray) -> float:
    """The best pattern value by enumerating every pattern (small classes only)."""
    value = profit[pricing.option_cohort]
    best = 0.0
    for pattern in itertools.product(*[range(int(cap) + 1) for cap in pricing.caps]):
        pattern = np.array(pattern, dtype=float)
        if (pricing.matrix @ pattern <= pricing.row_upper + 1e-9).all():
            best = max(best, float(value @ pattern))
    return best


def _feasible(pricing: _PricingClass, pattern: np.ndarray) -> bool:
    return bool((pattern >= 0).all() and (pattern <= pricing.caps).all()
                and (pricing.matrix @ pattern <= pricing.row_upper + 1e-9).all())


def test_a_batch_finds_every_class_its_own_best_pattern(twente):
    data = twente
    rng = np.random.default_rng(7)
    profit = data.weight * rng.random(len(data.cohorts))
    # Classes whose capacity rows can bind (the others have a closed form) and that are small
    # enough to enumerate.
    small = [c for c in _classes(data) if c.matrix.shape[0] and np.prod(c.caps + 1) <= 20_000][:12]
    assert len(small) >= 6
    multiplicity = rng.integers(1, 4, size=len(small)).astype(float).tolist()
    bound, patterns, exact = price_classes(small, multiplicity, profit, time_limit=30.0)
    assert exact
    optimum = [_brute_force(c, profit) for c in small]
    # Each class's pattern fits its company and is that class's optimum, whatever shares the batch.
    for pricing, pattern, best in zip(small, patterns, optimum):
        assert pattern is not None and _feasible(pricing, pattern)
        assert float(profit[pricing.option_cohort] @ pattern) == pytest.approx(best)
    assert bound == pytest.approx(sum(m * v for m, v in zip(multiplicity, optimum)))
    # The same classes one at a time give the same values.
    for pricing, best in zip(small, optimum):
        alone, _, _ = price_classes([pricing], [1.0], profit, time_limit=30.0)
        assert alone == pytest.approx(best)


def test_a_batch_of_all_twente_classes_matches_them_one_by_one(twente):
    data = twente
    classes = _classes(data)
    profit = data.weight * np.random.default_rng(3).random(len(data.cohorts))
    counts = [float(c.count) for c in classes]
    batch, patterns, exact = price_classes(classes, counts, profit, time_limit=60.0)
    singles = [price_classes([c], [1.0], profit, time_limit=30.0)[0] for c in classes]
    assert exact
    assert batch == pytest.approx(sum(n * v for n, v in zip(counts, singles)))
    for pricing, pattern, single in zip(classes, patterns, singles):
        found = 0.0 if pattern is None else float(profit[pricing.option_cohort] @ pattern)
        assert found == pytest.approx(single)
        assert pattern is None or _feasible(pricing, pattern)


def test_the_plan_view_reads_the_table_as_the_plan_says(twente):
    data = twente
    table = np.asarray(greedy_assignments(data), dtype=np.int64).reshape(-1, 3)
    view = PlanView(data, table)
    rng = np.random.default_rng(1)
    companies = np.zeros(data.company_capacity.shape[0], dtype=bool)
    companies[rng.choice(len(companies), size=60, replace=False)] = True
    expected = sorted({int(data.option_cohort[o]) for o, m, _ in table.tolist() if companies[m]})
    assert expected and view.cohorts_at(companies).tolist() == expected
    for cohort in range(len(data.cohorts)):
        assert view.options_of(cohort) == {int(o) for o, _, _ in table.tolist() if data.option_cohort[o] == cohort}
    placed = np.bincount(data.option_cohort[table[:, 0]], weights=table[:, 2], minlength=len(data.cohorts))
    assert np.allclose(view.short, (data.students - placed) * data.weight)
