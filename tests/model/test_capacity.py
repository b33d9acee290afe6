"""Capacity and load: the model, the plan's load and its checks count the same student-days."""

from __future__ import annotations

import numpy as np
import pytest

from planner.geo.region import Region
from planner.model.capacity import (
    bbl_load,
    company_capacity,
    day_pattern,
    default_weekdays,
    load_vector,
    per_company_week,
    student_weeks,
    weekly_totals,
)
from planner.model.problem import compile_problem
from planner.plan.kpis import company_load
from planner.scenario import InternshipForm
from planner.solve import SolveParams, solve
from tests.builders import cohort, company, make_scenario


def scenario(weekdays: bool):
    extra = {"places_per_weekday": [2, 2, 1, 1, 1]} if weekdays else {}
    rows = [
        cohort("block", students=3, forms="block:4|line:2x8", earliest="2026-W38", latest="2026-W51"),
        cohort("line", students=2, forms="line:2x4", earliest="2026-W40", latest="2026-W45"),
        cohort("bbl", students=1, pathway="BBL", company="k1", forms="line:2x12", current_form="line:2x12",
               current_start="2026-W37"),
    ]
    companies = [company("k1", places=2, reduced_weeks={"2026-W41": 1}, **extra), company("k2", places=1)]
    return make_scenario(rows, companies)


@pytest.mark.parametrize("weekdays", [False, True])
def test_the_model_gets_the_capacity_and_bbl_load_the_plan_is_checked_against(weekdays):
    s = scenario(weekdays)
    data = compile_problem(s, Region(s), "optimise", aggregate=False)
    capacity = company_capacity(s)
    assert capacity.shape == ((2, len(s.calendar.weeks), 5) if weekdays else (2, len(s.calendar.weeks)))
    flat = capacity.reshape(2, -1)
    assert np.array_equal(data.bbl_load, bbl_load(s))
    assert np.array_equal(data.company_capacity, np.maximum(flat - bbl_load(s), 0))
    # The BBL cohort's load as the plan counts it equals the fixed load the model subtracts.
    plan = solve(s, SolveParams("greedy", time_limit=10, baselines=False)).plan
    bbl_plans = [cp for cp in plan.cohorts if cp.pathway == "BBL"]
    assert np.array_equal(company_load(s, bbl_plans).reshape(2, -1), bbl_load(s))
    # Every option loads what a placed student of its form and weekdays loads in the plan.
    for option in data.options:
        row = data.occupancy[data.options.index(option)].toarray().reshape(len(s.calendar.weeks), -1)
        expected = (day_pattern(option.form, option.weekdays) if weekdays and option.weekdays
                    else load_vector(option.form, option.weekdays, data.n_days))
        assert all(np.array_equal(row[w], expected) for w in option.weeks)
        assert sorted(option.weeks) == student_weeks(s, data.cohorts[option.cohort], option.form, option.start)
    load = company_load(s, plan.cohorts)
    assert (load <= capacity).all()
    assert weekly_totals(load).sum() == per_company_week(load).sum() == load.sum()


def test_default_weekdays_and_patterns():
    line = InternshipForm.parse("line:2x4")
    assert default_weekdays(line) == ("ma", "di")
    assert day_pattern(line, ["di", "do"]).tolist() == [0, 1, 0, 1, 0]
    assert day_pattern(InternshipForm.parse("block:4"), None).tolist() == [1] * 5
    assert load_vector(line, None, 1).tolist() == [2]
    with pytest.raises(ValueError, match="needs 2 weekdays"):
        day_pattern(line, ["ma"])
