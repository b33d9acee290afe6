"""Integer-rounding rows of the company-level MIP: valid for every whole-student plan, and they cut."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.linear_solver.python import model_builder_helper as mbh

from planner.geo import Region
from planner.model.problem import compile_problem
from planner.solve.exact.company_model import build_company_model
from planner.solve.exact.cuts import rounding_rows
from tests.builders import cohort, company, make_scenario


def _integer_points(loads: list[int], places: int):
    """Every whole-student placement that fits the capacity row."""
    ranges = [range(places // load + 1) for load in loads]
    for point in itertools.product(*ranges):
        if np.dot(loads, point) <= places:
            yield np.array(point)


@settings(max_examples=150, deadline=None)
@given(loads=st.lists(st.integers(1, 6), min_size=2, max_size=4), places=st.integers(1, 16))
def test_rounding_rows_keep_every_whole_student_plan(loads, places):
    rows = rounding_rows(np.array(loads), places)
    for point in _integer_points(loads, places):
        for positions, coefficients, rhs in rows:
            assert coefficients @ point[positions] <= rhs + 1e-9, (loads, places, point, positions, coefficients, rhs)


def test_two_three_day_students_do_not_share_five_days():
    # 5 student-days a week, two options of 3 days: the LP places 5/3 students, one fits.
    rows = rounding_rows(np.array([3, 3]), 5)
    fractional = np.array([5 / 6, 5 / 6])
    assert any(coefficients @ fractional[positions] > rhs + 1e-9 for positions, coefficients, rhs in rows)
    assert any(np.array_equal(positions, [0, 1]) and np.allclose(coefficients, [1, 1]) and rhs == 1
               for positions, coefficients, rhs in rows)


def test_mixed_loads_cut_the_relaxation():
    # 7 student-days: at most one 5-day and one 2-day student, or three 2-day students. The LP
    # vertex (1.4 five-day students) violates a rounding row.
    rows = rounding_rows(np.array([5, 2]), 7)
    vertex = np.array([7 / 5, 0.0])
    assert any(coefficients @ vertex[positions] > rhs + 1e-9 for positions, coefficients, rhs in rows)


def test_rows_that_round_nothing_are_left_out():
    # 10 student-days and 5-day students: every divisor fits a whole number of times.
    assert rounding_rows(np.array([5, 5]), 10) == []
    # One variable: its bound (students that fit) already says it.
    assert rounding_rows(np.array([5]), 7) == []


def _lp_value(built) -> float:
    """The linear relaxation of a company model's MIP form (GLOP), in weighted shortage."""
    form = built.linear
    helper = mbh.ModelBuilderHelper()
    helper.fill_model_from_sparse_data(form.lower, form.upper, form.cost, np.array(form.rows.lower),
                                       np.array(form.rows.upper), form.matrix())
    solver = mbh.ModelSolverHelper("glop")
    solver.solve(helper)
    assert solver.status() == mbh.SolveStatus.OPTIMAL
    return built.constant + solver.objective_value() / built.scale


def test_rounding_rows_lift_the_company_models_relaxation():
    # One place (5 student-days a week) and two one-student cohorts that each need 3 days a
    # week in the same weeks: one of them is short. Without rounding the LP shares the place
    # (1/3 student short); with it the LP knows only one fits.
    scenario = make_scenario([cohort("a", students=1, forms="line:3x4"), cohort("b", students=1, forms="line:3x4")],
                             [company("k", places=1)])
    data = compile_problem(scenario, Region(scenario), "status-quo")
    weight = float(data.weight[0])
    plain = build_company_model(data, symmetry_breaking=False, rounding_cuts=False)
    rounded = build_company_model(data, symmetry_breaking=False, rounding_cuts=True)
    assert plain.stats["rounding_rows"] == 0 and rounded.stats["rounding_rows"] > 0
    assert _lp_value(plain) == pytest.approx(weight / 3)
    assert _lp_value(rounded) == pytest.approx(weight)
