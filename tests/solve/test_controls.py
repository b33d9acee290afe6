"""Consortium controls: hand-made scenarios whose optimum with and without each control is known.

Every scenario is solved in full (``solve``), checked against the exact oracle, and the plan
without the control is shown to break it (``verify_plan`` names the rule).
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.geo import Region
from planner.model.formulation import Objective, build_model, placement_columns
from planner.model.problem import compile_problem
from planner.plan.verify import unplaced_per_cell, verify_plan
from planner.solve import SolveParams, solve
from planner.solve.controls import keeps_controls, repair_waves
from planner.solve.exact.oracle import exact_optimum
from planner.solve.integer import run_engine
from tests.builders import cohort, company, make_scenario

CARE_2, CARE_3, CARE_4 = ("zorg", "BOL", "2"), ("zorg", "BOL", "3"), ("zorg", "BOL", "4")


# Solves here run under a work budget (the time a safety net): the same plans on any machine and load.
WORK = {"time_limit": 600.0, "work_limit": 20}


def solved(scenario):
    """The optimised plan and its status-quo baseline."""
    result = solve(scenario, SolveParams("optimise", seed=0, **WORK))
    return result.plan, result.status_quo


def oracle_value(scenario, status_quo=None):
    """The exact company-level optimum of the optimise mode (cells limited by ``status_quo``)."""
    data = compile_problem(scenario, Region(scenario), "optimise",
                           status_quo_unplaced=unplaced_per_cell(status_quo) if status_quo is not None else None)
    solution = exact_optimum(data, time_limit=30)
    assert solution.status == "optimal"
    return solution.value


def waves(plan, cohort_id):
    """The waves of a cohort that place students: (form, start week, placed)."""
    cp = next(c for c in plan.cohorts if c.cohort == cohort_id)
    return [(w.form, w.start_week, w.placed) for w in cp.waves if w.placed]


def sound(scenario, plan, cell_limits=None):
    region = Region(scenario)
    minutes = {m: region.minutes_array(m) for m in ("bike", "pt", "car")}
    return verify_plan(scenario, plan, minutes, cell_limits)


# --------------------------------------------------------------------------- locked


def two_cohorts_one_company(**controls):
    # One company with 10 places, two care level-3 cohorts (weight 1.5) of 10 in weeks 40-43.
    return make_scenario([cohort("a", **controls), cohort("b", **controls)], [company("k", places=10)])


def test_locked_cohorts_keep_their_current_period():
    free, _ = solved(two_cohorts_one_company())
    assert free.kpis.objective == 0.0  # staggered: both fully placed
    locked_scenario = two_cohorts_one_company(locked=True)
    locked, _ = solved(locked_scenario)
    # Both stay in weeks 40-43: 10 places for 20 students.
    assert locked.kpis.objective == pytest.approx(15.0)
    for cohort_id in ("a", "b"):
        assert all((form, start) == ("block:4", "2026-W40") for form, start, _ in waves(locked, cohort_id))
    assert oracle_value(locked_scenario) == pytest.approx(15.0)
    assert oracle_value(two_cohorts_one_company()) == 0.0
    problems = sound(locked_scenario, free)
    assert any("locked to its current period" in p for p in problems)


def test_one_locked_cohort_lets_the_other_move():
    scenario = make_scenario([cohort("a", locked=True), cohort("b")], [company("k", places=10)])
    plan, _ = solved(scenario)
    assert plan.kpis.objective == 0.0
    assert waves(plan, "a") == [("block:4", "2026-W40", 10)]
    assert sound(scenario, plan) == []


# --------------------------------------------------------------------------- keep_form


def block_or_line(**controls):
    # 20 students over the whole 16-week year; one company with 10 places (50 student-days a week):
    # as a block (5 days) only 10 fit, as a line of 2 days a week all 20 do.
    return make_scenario(
        [cohort("a", students=20, forms="block:16|line:2x16", current_start="2026-W36", **controls)],
        [company("k", places=10)])


def test_keep_form_never_uses_the_other_form():
    free, _ = solved(block_or_line())
    assert free.kpis.objective == 0.0
    # Most (at least 12) of the students go on line; a few may stay in the current block.
    assert sum(n for form, _, n in waves(free, "a") if form == "line:2x16") >= 12
    kept_scenario = block_or_line(keep_form=True)
    kept, _ = solved(kept_scenario)
    assert kept.kpis.objective == pytest.approx(15.0)  # 10 unplaced, weight 1.5
    assert waves(kept, "a") == [("block:16", "2026-W36", 10)]
    assert oracle_value(kept_scenario) == pytest.approx(15.0)
    assert any("keep_form keeps block:16" in p for p in sound(kept_scenario, free))


# --------------------------------------------------------------------------- min_wave_students


def small_second_period(**controls):
    # 12 students in block:4 between weeks 40 and 47; the company has 10 places in weeks 40-43
    # and 2 in weeks 44-47. Every period that starts after week 40 overlaps weeks 44-47, so a
    # second wave holds at most 2 students.
    weeks = {f"2026-W{w}": 2 for w in range(44, 48)}
    return make_scenario(
        [cohort("a", students=12, earliest="2026-W40", latest="2026-W47", **controls)],
        [company("k", places=10, reduced_weeks=weeks)])


@pytest.mark.parametrize("minimum", [3, 20])
def test_min_wave_students_forbids_a_small_separate_wave(minimum):
    free, _ = solved(small_second_period())
    assert free.kpis.objective == 0.0
    assert sorted(n for _, _, n in waves(free, "a")) == [2, 10]
    scenario = small_second_period(min_wave_students=minimum)
    plan, _ = solved(scenario)
    # One wave of 10: two students unplaced (weight 1.5). A minimum above the cohort's size
    # means one wave as well.
    assert plan.kpis.objective == pytest.approx(3.0)
    assert waves(plan, "a") == [("block:4", "2026-W40", 10)]
    assert oracle_value(scenario) == pytest.approx(3.0)
    assert any("min_wave_students" in p for p in sound(scenario, free))


def test_min_wave_students_allows_waves_of_the_minimum():
    scenario = small_second_period(min_wave_students=2)
    plan, _ = solved(scenario)
    assert plan.kpis.objective == 0.0
    assert sorted(n for _, _, n in waves(plan, "a")) == [2, 10]
    assert oracle_value(scenario) == 0.0


# --------------------------------------------------------------------------- max_shift_weeks


def two_cohorts_shift(shift_a=None, shift_b=None):
    return make_scenario([cohort("a", max_shift_weeks=shift_a), cohort("b", max_shift_weeks=shift_b)],
                         [company("k", places=10)])


def test_max_shift_weeks_limits_how_far_a_period_moves():
    # Starts within one week of week 40 all contain weeks 41 and 42: 10 places for 20 students.
    scenario = two_cohorts_shift(1, 1)
    plan, _ = solved(scenario)
    assert plan.kpis.objective == pytest.approx(15.0)
    for cohort_id in ("a", "b"):
        assert all(start in ("2026-W39", "2026-W40", "2026-W41") for _, start, _ in waves(plan, cohort_id))
    assert oracle_value(scenario) == pytest.approx(15.0)
    # Four weeks apart the periods no longer overlap.
    scenario = two_cohorts_shift(4, 0)
    plan, _ = solved(scenario)
    assert plan.kpis.objective == 0.0
    assert waves(plan, "b") == [("block:4", "2026-W40", 10)]
    assert [start for _, start, _ in waves(plan, "a")] in (["2026-W36"], ["2026-W44"])
    free, _ = solved(two_cohorts_shift())
    assert any("more than max_shift_weeks=1" in p for p in sound(two_cohorts_shift(1, 1), free))


# --------------------------------------------------------------------------- no cell worse


def care_levels(rule: bool):
    # One company with 10 places. y (level 2, weight 3) can only do weeks 40-43; z (level 2)
    # starts there too but may move up to week 44; x (level 4, weight 1.5) does weeks 44-47.
    # Every period between weeks 40 and 47 contains week 43 or 44: at most 20 of 28 students fit.
    # Status quo: y and z share weeks 40-43 (10 of 20 placed), x fully placed: 30.
    # Optimised: z takes x's weeks, level 4 loses all 8: 12. With the rule level 4 keeps its
    # places and level 2 gains 2: 24.
    return make_scenario(
        [cohort("y", level="2", earliest="2026-W40", latest="2026-W43"),
         cohort("z", level="2", earliest="2026-W40", latest="2026-W47"),
         cohort("x", students=8, level="4", current_start="2026-W44", earliest="2026-W40", latest="2026-W47")],
        [company("k", places=10)],
        policy={"no_cell_worse_than_status_quo": rule})


def test_no_cell_worse_than_status_quo():
    free, status_quo = solved(care_levels(False))
    assert status_quo.kpis.objective == pytest.approx(30.0)
    assert unplaced_per_cell(status_quo) == {CARE_2: 10, CARE_4: 0}
    assert free.kpis.objective == pytest.approx(12.0)
    assert unplaced_per_cell(free) == {CARE_2: 0, CARE_4: 8}
    scenario = care_levels(True)
    plan, status_quo = solved(scenario)
    assert plan.kpis.objective == pytest.approx(24.0)
    assert unplaced_per_cell(plan) == {CARE_2: 8, CARE_4: 0}
    assert oracle_value(scenario, status_quo) == pytest.approx(24.0)
    assert oracle_value(scenario) == pytest.approx(12.0)  # without the status quo's cells there is no limit
    problems = sound(scenario, free, unplaced_per_cell(status_quo))
    assert problems == ["stagebarometer cell zorg BOL 4: 8 students unplaced, more than 0 in the status quo "
                        "(no_cell_worse_than_status_quo)"]


def test_no_cell_worse_without_baselines_still_uses_the_status_quo():
    result = solve(care_levels(True), SolveParams("optimise", baselines=False, **WORK))
    assert result.baselines == {}
    assert result.plan.kpis.objective == pytest.approx(24.0)


def test_the_pooled_integer_model_and_the_heuristic_repair_keep_the_wave_minimum():
    scenario = small_second_period(min_wave_students=3)
    data = compile_problem(scenario, Region(scenario), "optimise", aggregate=False)
    columns = placement_columns(data)
    built = build_model(data, columns, Objective(), integer=True, wave_limits=True)
    status, value, _, values = run_engine(built, "scip", 5.0, 0)
    assert status == "optimal" and value == pytest.approx(3.0)
    placed = np.rint(values[:len(columns.option)])
    assert sorted(placed[placed > 0]) == [10]
    # A heuristic plan with a wave of 2 besides the wave of 10: the small wave is given up.
    first, second = (int(np.nonzero([o.start == s for o in data.options])[0][0]) for s in (4, 8))
    repaired = repair_waves(data, [(first, 0, 10), (second, 0, 2)])
    assert repaired == [(first, 0, 10)] and keeps_controls(data, repaired)


# --------------------------------------------------------------------------- the practical defaults

DEFAULTS = {"min_wave_students": 5, "min_weeks_between_waves": 2}


def staggered_companies(policy=None):
    # 20 students in block:4 between weeks 36 and 43; k1 has 10 places in weeks 36-39 only, k2 10
    # in weeks 37-40 only. Everyone is placed only in two waves that start one week apart.
    only = lambda first, last: {f"2026-W{w}": 0 for w in range(36, 52) if not first <= w <= last}  # noqa: E731
    return make_scenario(
        [cohort("a", students=20, earliest="2026-W36", latest="2026-W43", current_start="2026-W36")],
        [company("k1", places=10, reduced_weeks=only(36, 39)), company("k2", places=10, reduced_weeks=only(37, 40))],
        **({"policy": policy} if policy is not None else {}))


def test_waves_start_at_least_the_policy_weeks_apart_in_every_stage():
    free, _ = solved(staggered_companies())
    assert free.kpis.objective == 0.0
    assert sorted(start for _, start, _ in waves(free, "a")) == ["2026-W36", "2026-W37"]
    scenario = staggered_companies(DEFAULTS)
    plan, _ = solved(scenario)
    # One wave of 10: ten students unplaced (weight 1.5).
    assert plan.kpis.objective == pytest.approx(15.0)
    assert oracle_value(scenario) == pytest.approx(15.0)
    assert any("min_weeks_between_waves=2" in p for p in sound(scenario, free))
    assert plan.wave_rules.min_weeks_between_waves == 2
    # The pooled integer model and the heuristics' repair know the rule too.
    data = compile_problem(scenario, Region(scenario), "optimise", aggregate=False)
    columns = placement_columns(data)
    status, value, _, _ = run_engine(build_model(data, columns, Objective(), integer=True, wave_limits=True),
                                     "scip", 5.0, 0)
    assert status == "optimal" and value == pytest.approx(15.0)
    first, second = (int(np.nonzero([o.start == s for o in data.options])[0][0]) for s in (0, 1))
    repaired = repair_waves(data, [(first, 0, 10), (second, 1, 9)])
    assert repaired == [(first, 0, 10)] and keeps_controls(data, repaired)


def test_the_default_wave_minimum_is_five_and_a_cohort_value_overrides_it():
    # As small_second_period (a second wave holds at most 2 students), with the defaults on.
    defaults = make_scenario(
        [cohort("a", students=12, earliest="2026-W40", latest="2026-W47")],
        [company("k", places=10, reduced_weeks={f"2026-W{w}": 2 for w in range(44, 48)})], policy=DEFAULTS)
    plan, _ = solved(defaults)
    assert waves(plan, "a") == [("block:4", "2026-W40", 10)]
    own = make_scenario(
        [cohort("a", students=12, earliest="2026-W40", latest="2026-W47", min_wave_students=2)],
        [company("k", places=10, reduced_weeks={f"2026-W{w}": 2 for w in range(44, 48)})], policy=DEFAULTS)
    assert sorted(n for _, _, n in waves(solved(own)[0], "a")) == [2, 10]


def test_the_policy_defaults_are_five_students_and_two_weeks():
    from planner.scenario.model import Policy

    assert (Policy().min_wave_students, Policy().min_weeks_between_waves) == (5, 2)


def test_the_demo_plan_has_no_wave_below_five_and_no_waves_a_week_apart(twente_result):
    plan = twente_result.plan
    assert plan.wave_rules is not None and plan.wave_rules.min_wave_students == 5
    weeks = {week: i for i, week in enumerate(plan.weeks)}
    split = [cp for cp in plan.cohorts if sum(1 for w in cp.waves if w.placed) >= 2]
    for cp in split:
        placed = [w for w in cp.waves if w.placed]
        assert min(w.placed for w in placed) >= min(5, cp.students), cp.cohort
        starts = sorted(weeks[w.start_week] for w in placed)
        assert all(b - a >= 2 for a, b in zip(starts, starts[1:])), cp.cohort
