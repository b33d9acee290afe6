"""The embedded Twente with recognitions: every placement of its plans at a company recognised for the crebo."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from planner.model import load_scenario
from planner.scenario.embedded import embedded_scenario
from planner.solve import SolveParams, solve

FOLDER = Path(__file__).resolve().parents[2] / "scenarios" / "twente"
# A small work budget: the check is on where students go, not on how few are short.
WORK = {"work_limit": 4, "work_nodes": 500}


def own_tables() -> tuple[dict[str, str], dict[str, tuple[set[str], set[str]]]]:
    """From Twente's own CSV files: crebo and level per cohort; recognitions and levels per company."""
    with (FOLDER / "cohorts.csv").open(encoding="utf-8") as handle:
        cohorts = {row["id"]: (row["crebo"], row["level"]) for row in csv.DictReader(handle)}
    with (FOLDER / "companies.csv").open(encoding="utf-8") as handle:
        companies = {row["id"]: (set(row["recognitions"].split("|")), set(row["levels"].split("|")))
                     for row in csv.DictReader(handle)}
    return cohorts, companies


def test_twente_lists_recognitions_for_every_company():
    _cohorts, companies = own_tables()
    assert len(companies) == 750 and all(recognised for recognised, _levels in companies.values())


# The status quo in make test; the optimised plan (40 s more, the same rule checked) in make test-all.
@pytest.mark.parametrize("mode", ["status-quo", pytest.param("optimise", marks=pytest.mark.slow)])
def test_every_placement_of_twente_is_at_a_company_recognised_for_the_crebo(mode):
    loaded = load_scenario(embedded_scenario("twente"))
    plan = solve(loaded.scenario, SolveParams(mode, time_limit=600.0, baselines=False, **WORK),
                 base_dir=loaded.base_dir).plan
    cohorts, companies = own_tables()
    rows = [(cp.cohort, p.company) for cp in plan.cohorts for wave in cp.waves for p in wave.placements]
    assert len(rows) > 500
    for cohort, company in rows:
        crebo, level = cohorts[cohort]
        recognised, levels = companies[company]
        assert crebo in recognised and level in levels, (cohort, company)


def test_twente_status_quo_is_proven_optimal_under_a_small_work_budget():
    # Places sized per qualification family (planner/generate/supply.py): every independent part of
    # Twente's status quo is small enough to be solved exactly, and its optimum, 24.0 weighted shortage,
    # is proven within the budget (the Twente sized per sector chamber and level ended at 90.0 / 89.0
    # under 40 neighbourhoods of 1,000 nodes).
    loaded = load_scenario(embedded_scenario("twente"))
    plan = solve(loaded.scenario, SolveParams("status-quo", time_limit=600.0, baselines=False, **WORK),
                 base_dir=loaded.base_dir).plan
    assert plan.kpis.objective == pytest.approx(24.0)
    assert plan.kpis.bound == pytest.approx(24.0)
    assert plan.solver.status.startswith("optimal")
