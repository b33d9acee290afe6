"""A variant's search works first around what it changed: the cohorts and companies it touches and their
neighbours seed the first neighbourhoods of its exact stage, then the search goes on everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from planner.geo import Region
from planner.model.problem import compile_problem
from planner.solve import pipeline
from planner.solve.budget import FOCUS_SHARE, CountedBudget
from planner.solve.exact.lns import large_neighbourhood_search
from planner.solve.focus import Focus, focus_cohorts
from planner.solve.heuristics import greedy_assignments
from planner.solve.params import SolveParams
from planner.whatif.sweep import run_sweep, sweep_params, variant_focus
from planner.whatif.variants import Variant
from tests.builders import cohort, company, make_scenario

STEPS = 8


def _two_regions():
    """Care in Enschede and technology in Zwolle, out of each other's reach, each short of places; z0 also
    takes level 2 (the care level 2 cohort's only company)."""
    cohorts = [cohort("zorg-a", 8, forms="block:4|block:6"), cohort("zorg-b", 8, forms="block:4|block:6"),
               cohort("zorg-2", 3, level="2"),
               cohort("tech-a", 8, sector="techniek", location="loc-z", forms="block:4|block:6"),
               cohort("tech-b", 8, sector="techniek", location="loc-z", forms="block:4|block:6")]
    companies = [company("z0", places=2, levels="2|3"), company("z1", places=2, levels="3"),
                 company("t0", places=2, area="Zwolle", sectors="techniek"),
                 company("t1", places=2, area="Zwolle", sectors="techniek")]
    scenario = make_scenario(cohorts, companies, areas=("Enschede", "Zwolle"))
    document = scenario.model_dump(mode="json")
    document["institutions"][0]["locations"].append({"id": "loc-z", "area": "Zwolle", "holiday_region": "noord"})
    return type(scenario).model_validate(document)


def _positions(data, ids: set[str]) -> set[int]:  # noqa: ANN001
    return {p for p, i in enumerate(data.cohorts) if data.scenario.cohorts[i].id in ids}


def _search(data, focus):  # noqa: ANN001, ANN202
    params = SolveParams(work_limit=STEPS, work_nodes=200)
    start = greedy_assignments(data)
    return large_neighbourhood_search(data, start, CountedBudget(600.0, params, params.work()), seed=0,
                                      max_steps=STEPS, focus=focus)[1]


def test_the_focus_is_the_touched_cohorts_the_users_of_touched_companies_and_their_neighbours() -> None:
    scenario = _two_regions()
    data = compile_problem(scenario, Region(scenario), "optimise")
    tech = _positions(data, {"tech-a", "tech-b"})
    assert set(np.nonzero(focus_cohorts(data, Focus(companies=("t0",))))[0].tolist()) == tech
    # zorg-2 may use z0 only; zorg-a and zorg-b share z0 with it, so they are its neighbours.
    care = _positions(data, {"zorg-a", "zorg-b", "zorg-2"})
    assert set(np.nonzero(focus_cohorts(data, Focus(cohorts=("zorg-2",))))[0].tolist()) == care
    # Nothing touched, or everything: no focus.
    assert focus_cohorts(data, Focus(cohorts=("nobody",))) is None
    assert focus_cohorts(data, Focus(companies=("z0", "t0"))) is None


def test_a_focused_search_seeds_its_first_neighbourhoods_in_the_focus_then_everywhere() -> None:
    scenario = _two_regions()
    data = compile_problem(scenario, Region(scenario), "optimise")
    tech = _positions(data, {"tech-a", "tech-b"})
    mask = np.zeros(len(data.cohorts), dtype=bool)
    mask[sorted(tech)] = True
    first = round(FOCUS_SHARE * STEPS)
    unfocused = _search(data, None)
    assert len(unfocused.seeds) == STEPS and unfocused.focused == 0
    assert not set(unfocused.seeds[:first]) <= tech  # without a focus care is drawn among the first too
    focused = _search(data, mask)
    assert focused.focused == first
    assert set(focused.seeds[:first]) <= tech
    assert not set(focused.seeds[first:]) <= tech  # then everywhere


def test_a_variant_of_a_sweep_searches_first_around_what_it_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = _two_regions()
    params = sweep_params("optimise", time_limit=300, seed=0, work_limit=4, work_nodes=200)
    base = pipeline.solve(scenario, params).plan
    seen: list[set[str] | None] = []
    improve = pipeline.improve

    def recording(data, *args, focus=None, **kwargs):  # noqa: ANN001, ANN202
        ids = None if focus is None else {data.scenario.cohorts[data.cohorts[p]].id for p in np.nonzero(focus)[0]}
        seen.append(ids)
        return improve(data, *args, focus=focus, **kwargs)

    monkeypatch.setattr(pipeline, "improve", recording)
    variant = Variant.model_validate({"name": "t0 +1", "changes": [{"kind": "add_capacity",
                                                                    "companies": {"ids": "t0"}, "places": 1}]})
    sweep = run_sweep(scenario, [variant], params, base_plan=base)
    assert sweep.case("t0 +1").plan is not None
    assert seen == [{"tech-a", "tech-b"}]  # the variant's one solve, around t0's users


def test_the_cohorts_that_held_places_at_a_removed_company_are_in_the_focus() -> None:
    scenario = _two_regions()
    base = pipeline.solve(scenario, sweep_params("optimise", time_limit=300, seed=0, work_limit=2,
                                                 work_nodes=200)).plan
    at_z1 = {cp.cohort for cp in base.cohorts if any(p.company == "z1" for w in cp.waves for p in w.placements)}
    assert at_z1
    focus = variant_focus({"companies_removed": ["z1"], "cohorts_changed": ["tech-a"]}, base)
    assert set(focus.cohorts) == at_z1 | {"tech-a"} and focus.companies == ()
