"""The solver on hand-made instances whose optimum is known, and properties of every plan."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from planner.geo.region import Region
from planner.plan.verify import verify_plan
from planner.solve import SolveError, SolveParams, solve, solve_watched
from tests.builders import cohort, company, make_scenario, small_scenarios


def travel(scenario):
    region = Region(scenario)
    return {mode: region.minutes_array(mode) for mode in ("bike", "pt", "car")}


def checked(scenario, mode, **kwargs):
    plan = solve(scenario, SolveParams(mode, time_limit=20, **kwargs)).plan
    assert verify_plan(scenario, plan, travel(scenario)) == []
    return plan


def test_staggering_two_cohorts_halves_the_peak_week():
    # One company with 10 places; two cohorts of 10 both currently in weeks 40-43.
    scenario = make_scenario([cohort("a"), cohort("b")], [company("k", places=10)])
    status_quo = checked(scenario, "status-quo")
    optimised = checked(scenario, "optimise")
    assert status_quo.kpis.unplaced == 10
    assert status_quo.kpis.objective == pytest.approx(10 * 1.5)  # care level 3: weight 1.5
    assert status_quo.kpis.bound == pytest.approx(15.0)
    assert optimised.kpis.unplaced == 0
    assert optimised.kpis.objective == 0 and optimised.kpis.gap == 0
    assert optimised.kpis.cohorts_changed == 1
    assert optimised.baselines["status-quo"].unplaced == 10
    # The peak is halved: in the optimised plan no week holds more than 10 students.
    demand = np.zeros(len(scenario.calendar.weeks))
    for cp in optimised.cohorts:
        for wave in cp.waves:
            for week in wave.weeks:
                demand[scenario.calendar.week_index[week]] += wave.placed
    assert demand.max() == 10


def test_line_and_block_share_a_place_on_complementary_weekdays():
    # Mondays and Tuesdays have a second place. A block student takes one place all week,
    # a 2-day line student fits next to it only on ma+di.
    rows = [
        cohort("block", students=1, forms="block:4", earliest="2026-W40", latest="2026-W43"),
        cohort("line", students=1, forms="line:2x4", earliest="2026-W40", latest="2026-W43"),
    ]
    scenario = make_scenario(rows, [company("k", places=1, places_per_weekday=[2, 2, 1, 1, 1])])
    plan = checked(scenario, "optimise")
    assert plan.kpis.unplaced == 0
    line = next(cp for cp in plan.cohorts if cp.cohort == "line")
    assert line.waves[0].weekdays == ["ma", "di"]


def test_line_that_needs_three_days_cannot_share():
    rows = [
        cohort("block", students=1, forms="block:4", earliest="2026-W40", latest="2026-W43"),
        cohort("line", students=1, forms="line:3x4", earliest="2026-W40", latest="2026-W43"),
    ]
    scenario = make_scenario(rows, [company("k", places=1, places_per_weekday=[2, 2, 1, 1, 1])])
    assert checked(scenario, "optimise").kpis.unplaced == 1


def test_cohort_whose_only_company_is_beyond_the_travel_limit():
    # Zwolle is over an hour from Enschede by public transport; the limit is 45 minutes.
    scenario = make_scenario([cohort("far", students=7, level="2")],
                             [company("zwolle", area="Zwolle", places=50)], areas=("Enschede", "Zwolle"))
    plan = checked(scenario, "optimise")
    assert plan.kpis.unplaced == 7
    assert plan.kpis.objective == pytest.approx(7 * 2 * 1.5)  # level 2 in care
    assert plan.kpis.bound == pytest.approx(plan.kpis.objective)
    assert any("geen leerbedrijf" in line for line in plan.solver.explanation)  # Dutch: the default


def test_wave_limit_keeps_a_cohort_together():
    # 20 students, 10 places, room for two consecutive 4-week periods in the window.
    rows = [cohort("big", students=20, earliest="2026-W40", latest="2026-W47", max_waves=1)]
    assert checked(make_scenario(rows, [company("k", places=10)]), "optimise").kpis.unplaced == 10
    rows = [cohort("big", students=20, earliest="2026-W40", latest="2026-W47", max_waves=2)]
    plan = checked(make_scenario(rows, [company("k", places=10)]), "optimise")
    assert plan.kpis.unplaced == 0
    assert len(plan.cohorts[0].waves) == 2


def test_holiday_weeks_pause_the_internship_and_free_the_place():
    # Week 43 is a holiday in region noord: a 4-week block from week 41 runs 41, 42, 44, 45.
    scenario = make_scenario([cohort("a", current_start="2026-W41", earliest="2026-W41", latest="2026-W45")],
                             [company("k", places=10)], holidays={"noord": ["2026-W43"]})
    plan = checked(scenario, "status-quo")
    assert plan.cohorts[0].waves[0].weeks == ["2026-W41", "2026-W42", "2026-W44", "2026-W45"]
    used = plan.utilisation[0].used
    assert used[scenario.calendar.week_index["2026-W43"]] == 0
    assert used[scenario.calendar.week_index["2026-W44"]] == 50


def test_bbl_students_are_fixed_load_on_their_employer():
    bbl = cohort("bbl", students=6, forms="line:4x16", earliest="2026-W36", latest="2026-W51",
                 current_start="2026-W36", pathway="BBL", company="k")
    # 10 places = 50 student-days; 6 BBL students at 4 days take 24, leaving room for 5 block students.
    scenario = make_scenario([bbl, cohort("bol", students=8)], [company("k", places=10)])
    plan = checked(scenario, "status-quo")
    assert plan.kpis.students == 8  # KPIs count BOL students
    assert plan.kpis.unplaced == 3


def test_greedy_books_first_come_first_served():
    # The early cohort books the only company; the later one finds it full.
    rows = [cohort("early", current_start="2026-W38", students=10),
            cohort("late", current_start="2026-W40", students=10)]
    plan = checked(make_scenario(rows, [company("k", places=10)]), "greedy")
    by_id = {cp.cohort: cp for cp in plan.cohorts}
    assert by_id["early"].unplaced == 0 and by_id["late"].unplaced == 10


def test_no_company_at_all_gives_an_all_shortage_plan_with_explanation():
    scenario = make_scenario([cohort("a", sector="ict", level="4")], [company("k", sectors="zorg")])
    plan = checked(scenario, "optimise")
    assert plan.kpis.placed == 0 and plan.kpis.unplaced == 10
    assert any("no student could be placed" in line for line in plan.solver.explanation)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_every_plan_is_sound_and_optimise_never_worse(scenario):
    minutes = travel(scenario)
    plans = {mode: solve(scenario, SolveParams(mode, time_limit=10, baselines=False)).plan
             for mode in ("status-quo", "optimise", "greedy")}
    for plan in plans.values():
        # Capacity, students counted once, windows, wave limits, forms, sector/level fit, travel.
        assert verify_plan(scenario, plan, minutes) == []
        for cp in plan.cohorts:
            assert cp.placed + cp.unplaced == cp.students
        # The bound is proven: no plan can beat it.
        assert plan.kpis.bound <= plan.kpis.objective + 1e-6
    assert plans["optimise"].kpis.bound <= plans["status-quo"].kpis.bound + 1e-6
    with_baselines = solve(scenario, SolveParams("optimise", time_limit=10)).plan
    assert with_baselines.kpis.objective <= with_baselines.baselines["status-quo"].objective + 1e-9


def test_watched_solve_matches_the_in_process_solve_and_streams_progress():
    scenario = make_scenario([cohort("a"), cohort("b")], [company("k", places=10)])
    events = []
    watched_result = solve_watched(scenario, SolveParams("optimise", time_limit=20), progress=events.append)
    watched = watched_result.plan
    direct = solve(scenario, SolveParams("optimise", time_limit=20)).plan
    assert watched.kpis.objective == direct.kpis.objective == 0
    assert [e.phase for e in events][0] == "relaxation" and events[-1].phase == "plan"
    assert verify_plan(scenario, watched, travel(scenario)) == []
    # The baseline plans come back from the solver process with the plan.
    assert set(watched_result.baselines) == {"greedy", "status-quo"}
    assert watched_result.baselines["status-quo"].kpis.objective == direct.baselines["status-quo"].objective


def test_watchdog_replaces_a_solve_that_overruns_with_the_greedy_plan():
    scenario = make_scenario([cohort("a"), cohort("b")], [company("k", places=10)])
    # A deadline that has passed before the solver process has even started.
    plan = solve_watched(scenario, SolveParams("optimise", time_limit=0.01), grace=-0.01).plan
    assert plan.solver.status == "watchdog"
    assert any("niet klaar binnen de tijdslimiet" in line for line in plan.solver.explanation)  # Dutch: the default
    assert verify_plan(scenario, plan, travel(scenario)) == []
    assert plan.kpis.unplaced == 10  # first come, first served: the second cohort finds no place


def test_cancelled_watched_solve_raises():
    scenario = make_scenario([cohort("a")], [company("k")])
    with pytest.raises(SolveError, match="cancelled"):
        solve_watched(scenario, SolveParams("optimise", time_limit=20), cancel=lambda: True)
