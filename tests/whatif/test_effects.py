"""A sweep's base is the stored plan, and each variant's effect carries how sure it is and where it lies:
a variant that changes nothing has effect 0 with gap 0; a hand-made case whose effect is known exactly
gives exactly that, in the cells it did not touch; a range when a plan is not proven."""

from __future__ import annotations

import pytest

from planner.plan.model import Plan
from planner.scenario import Scenario
from planner.solve import solve
from planner.whatif.compare import sweep_markdown, sweep_table
from planner.whatif.effects import EffectRange, effect_range, effect_sign, effect_text
from planner.whatif.sweep import STORED, run_sweep, sweep_params
from planner.whatif.variants import Variant
from tests.builders import cohort, company, make_scenario

# Status quo on a hand-made region is proven within this budget.
PARAMS = sweep_params("status-quo", time_limit=120, seed=0, work_limit=5)


def _region() -> Scenario:
    """k1 (care and technology, level 3) has two places in the weeks both cohorts want (status quo): the two
    care students (heavier) get them, the two technology students have none."""
    return make_scenario([cohort("care", 2), cohort("tech", 2, sector="techniek")],
                         [company("k1", 2, sectors="zorg|techniek", levels="3")])


def _variants(*documents: dict) -> list[Variant]:
    return [Variant.model_validate(d) for d in documents]


@pytest.fixture(scope="module")
def base() -> tuple[Scenario, Plan]:
    scenario = _region()
    plan = solve(scenario, PARAMS).plan
    assert plan.kpis.unplaced == 2 and plan.kpis.bound == pytest.approx(plan.kpis.objective)
    return scenario, plan


def test_the_base_row_is_the_stored_plan_and_a_variant_that_changes_nothing_has_effect_zero(base) -> None:  # noqa: ANN001
    scenario, plan = base
    sweep = run_sweep(scenario, _variants({"name": "same", "changes": [
        {"kind": "scale_capacity", "companies": {"ids": "k1"}, "factor": 1.0}]}), PARAMS, base_plan=plan)
    assert sweep.base.source == STORED and sweep.base.plan == plan  # not solved again
    table = sweep_table(sweep)
    row = table["rows"][1]
    assert row["ok"], row["error"]
    assert row["effect_low"] == row["effect_high"] == 0.0 and row["effect_exact"] and row["proven"]
    assert row["gap"] == 0.0
    assert table["rows"][0]["objective"] == plan.kpis.objective


def test_a_hand_made_case_gives_its_exact_effect_where_it_lies(base) -> None:  # noqa: ANN001
    scenario, plan = base
    tech_weight = scenario.policy.weight(scenario.cohorts[1])
    sweep = run_sweep(scenario, _variants(
        # One more place at k1: one technology student more is placed, in a cell k1 offers places to.
        {"name": "k1 +1", "changes": [{"kind": "add_capacity", "companies": {"ids": "k1"}, "places": 1}]},
        # A care company: the care students move there and free k1 for technology, a cell the new
        # company does not offer places to.
        {"name": "care company", "changes": [{"kind": "add_companies", "companies": [
            {"id": "k2", "name": "Zorg Twee", "area": "Enschede", "sectors": ["zorg"], "levels": ["3"],
             "places": 2}]}]}), PARAMS, base_plan=plan)
    rows = {r["name"]: r for r in sweep_table(sweep)["rows"]}
    one = rows["k1 +1"]
    assert one["effect_exact"] and one["effect_high"] == pytest.approx(-tech_weight)
    assert one["effect_touched"] == pytest.approx(-tech_weight) and one["effect_elsewhere"] == 0.0
    assert not one["only_elsewhere"]
    moved = rows["care company"]
    assert moved["effect_exact"] and moved["effect_high"] == pytest.approx(-2 * tech_weight)
    assert moved["effect_touched"] == 0.0 and moved["effect_elsewhere"] == pytest.approx(-2 * tech_weight)
    assert moved["unplaced_elsewhere"] == -2 and moved["only_elsewhere"]
    text = sweep_markdown(sweep_table(sweep))
    assert "De hele verandering zit in cellen die de variant niet raakte." in text
    assert "Elders (heroptimalisatie):" in text


def test_an_effect_is_a_range_unless_both_plans_are_proven(base) -> None:  # noqa: ANN001
    _scenario, plan = base
    unproven = plan.model_copy(update={"kpis": plan.kpis.model_copy(update={"bound": plan.kpis.objective - 1.0})})
    better = plan.model_copy(update={"kpis": plan.kpis.model_copy(update={"objective": plan.kpis.objective - 2.0,
                                                                          "bound": plan.kpis.objective - 3.5})})
    # The variant's best lies in [bound, plan], the base's too: the difference in [-3.5, -1].
    effect = effect_range(unproven, better)
    assert (effect.low, effect.high) == (-3.5, -1.0) and not effect.exact
    assert effect_range(plan, plan).exact
    row = {"ok": True, "effect_low": -3.5, "effect_high": -1.0, "effect_exact": False, "comparable": True}
    assert effect_text(row) == "-3,5 tot -1,0"


def test_a_variant_that_only_adds_or_only_takes_room_cuts_its_range_at_zero(base) -> None:  # noqa: ANN001
    scenario, plan = base

    def kpis(objective: float, bound: float) -> Plan:
        return plan.model_copy(update={"kpis": plan.kpis.model_copy(update={"objective": objective, "bound": bound})})

    less = Variant.model_validate({"name": "k1 -1", "changes": [
        {"kind": "add_capacity", "companies": {"ids": "k1"}, "places": -1},
        {"kind": "scale_inflow", "factor": 1.5}]})
    more = Variant.model_validate({"name": "k1 +1", "changes": [
        {"kind": "scale_capacity", "companies": {"ids": "k1"}, "factor": 2},
        {"kind": "allow_forms", "cohorts": {"ids": "care"}, "forms": ["line:2x8"]}]})
    either = Variant.model_validate({"name": "both", "changes": [*less.changes, *more.changes]})
    assert [effect_sign(scenario, v.changes) for v in (less, more, either)] == [1, -1, 0]
    # A base plan of 8 with bound 4, a variant plan of 4 with bound 0: without a sign anything from -8 to 0;
    # a variant with less room cannot do better than the base, so its best is at least 4 and the effect 0.
    assert effect_range(kpis(8.0, 4.0), kpis(4.0, 0.0)) == EffectRange(-8.0, 0.0)
    assert effect_range(kpis(8.0, 4.0), kpis(4.0, 0.0), sign=1) == EffectRange(0.0, 0.0)
    # A variant with more room cannot do worse: the range ends at 0, not at its plan minus the base's bound.
    assert effect_range(kpis(8.0, 4.0), kpis(8.0, 0.0), sign=-1) == EffectRange(-8.0, 0.0)
    assert effect_range(kpis(8.0, 4.0), kpis(8.0, 0.0)) == EffectRange(-8.0, 4.0)


def test_a_plan_difference_that_is_no_effect_is_called_so() -> None:
    from planner.whatif.effects import where_text

    row = {"ok": True, "effect_low": 0.0, "effect_high": 0.0, "effect_exact": True, "comparable": True,
           "whole_region": False, "effect_touched": 0.0, "effect_elsewhere": -4.0, "only_elsewhere": True}
    assert where_text(row) == ("geen effect: de plannen verschillen (-4,0) alleen doordat het basisplan niet bewezen "
                               "optimaal is")
    assert where_text({**row, "effect_low": -4.0, "effect_high": -4.0}) == (
        "geraakte cellen 0,0, elders -4,0; de hele verandering zit in cellen die de variant niet raakte")


def test_a_variant_that_can_only_do_worse_starts_from_the_base_bound(base, monkeypatch) -> None:  # noqa: ANN001
    from planner.solve import pipeline

    scenario, plan = base
    known: dict[str, float] = {}
    solve_one = pipeline.solve

    def recording(variant, *args, known_bound=0.0, **kwargs):  # noqa: ANN001, ANN202
        known[variant.cohorts[1].students] = known_bound
        return solve_one(variant, *args, known_bound=known_bound, **kwargs)

    monkeypatch.setattr(pipeline, "solve", recording)
    sweep = run_sweep(scenario, _variants(
        # More technology students: the base's best cannot get better, so its bound holds for the variant.
        {"name": "tech +50%", "changes": [{"kind": "scale_inflow", "cohorts": {"ids": "tech"}, "factor": 1.5}]},
        # One more place: it may get better, so the base's bound says nothing of it.
        {"name": "k1 +1", "changes": [{"kind": "add_capacity", "companies": {"ids": "k1"}, "places": 1}]}),
        PARAMS, base_plan=plan)
    assert known == {3: plan.kpis.bound, 2: 0.0}
    assert plan.kpis.bound > 0
    more = sweep.case("tech +50%").plan
    assert more.kpis.bound >= plan.kpis.bound and more.solver.status.startswith("optimal")


def test_a_stored_plan_solved_under_other_wave_rules_is_no_base() -> None:
    from planner.plan.model import WaveRules
    from planner.whatif.sweep import base_plan_problems

    scenario = _region()
    plan = solve(scenario, PARAMS).plan
    assert base_plan_problems(scenario, plan, "status-quo") == []
    other = plan.model_copy(update={"wave_rules": WaveRules(min_wave_students=5, min_weeks_between_waves=2)})
    policy = scenario.policy
    assert (policy.min_wave_students, policy.min_weeks_between_waves) != (5, 2)
    [problem] = base_plan_problems(scenario, other, "status-quo")
    assert "--min-wave" in problem and "5" in problem
    stricter = scenario.model_copy(update={"policy": policy.model_copy(update={"min_wave_students": 5,
                                                                                "min_weeks_between_waves": 2})})
    assert base_plan_problems(stricter, other, "status-quo") == []
