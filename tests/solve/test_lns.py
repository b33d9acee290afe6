"""The large-neighbourhood search: two disjoint neighbourhoods per step, merged into one valid plan; the budget's shares."""

from __future__ import annotations

import numpy as np
import pytest

from planner.geo import Region
from planner.model.problem import compile_problem
from planner.plan.verify import verify_plan
from planner.solve.assemble import assemble_plan
from planner.solve.budget import CountedBudget
from planner.solve.clock import Clock
from planner.solve.exact import lns, neighbourhoods
from planner.solve.exact.engines import CompanySolution
from planner.solve.exact.neighbourhoods import Neighbourhood, Neighbourhoods
from planner.solve.exact.oracle import exact_optimum
from planner.solve.heuristics import greedy_assignments, weighted_shortage
from planner.solve.params import SolveParams, WorkBudget
from tests.builders import cohort, company, make_scenario


def two_regions():
    """Care in Enschede and technology in Zwolle, out of each other's reach (45 minutes by public
    transport), each with fewer places than students."""
    cohorts = [cohort("zorg-a", 8, forms="line:2x8", current_form="line:2x8"),
               cohort("zorg-b", 8, forms="block:4", current_start="2026-W40"),
               cohort("tech-a", 8, sector="techniek", location="loc-z", forms="line:2x8"),
               cohort("tech-b", 8, sector="techniek", location="loc-z", forms="block:4")]
    companies = [company(f"z{k}", places=2) for k in range(4)] + \
        [company(f"t{k}", places=2, area="Zwolle", sectors="techniek") for k in range(4)]
    scenario = make_scenario(cohorts, companies, areas=("Enschede", "Zwolle"))
    document = scenario.model_dump(mode="json")
    document["institutions"][0]["locations"].append({"id": "loc-z", "area": "Zwolle", "holiday_region": "noord"})
    return type(scenario).model_validate(document)


def test_a_second_neighbourhood_shares_no_cohort_and_no_company_with_the_first():
    scenario = two_regions()
    data = compile_problem(scenario, Region(scenario), "status-quo")
    start = np.asarray(greedy_assignments(data), dtype=np.int64).reshape(-1, 3)
    draws = Neighbourhoods(data, np.random.default_rng(0), None)
    for _ in range(20):
        first = Neighbourhood(data, *draws.draw(start, 3000))
        second = Neighbourhood(data, *draws.draw(start, 3000, outside=first))
        assert len(second.cohorts) and len(second.companies)  # the other region is always free
        assert first.disjoint(second)
        assert not set(first.cohorts.tolist()) & set(second.cohorts.tolist())
        assert not set(first.companies.tolist()) & set(second.companies.tolist())


# The searches here run under a work budget (the time a safety net): the same plan on any machine.
SAFETY_SECONDS = 600.0


def work_budget(nodes: int = 1000) -> CountedBudget:
    """A work budget for one search: ``nodes`` per neighbourhood (the steps are the search's own)."""
    params = SolveParams(work_limit=1, work_nodes=nodes)
    return CountedBudget(SAFETY_SECONDS, params, params.work())


class PairedWorkBudget(CountedBudget):
    """A work budget that lets two neighbourhoods run at once, as a time limit does."""

    @property
    def paired(self) -> bool:
        return True


@pytest.mark.parametrize("paired", [True, False])
def test_the_search_reaches_the_optimum_with_or_without_pairs(monkeypatch, paired):
    monkeypatch.setattr(lns.os, "cpu_count", lambda: 2)
    scenario = two_regions()
    region = Region(scenario)
    data = compile_problem(scenario, region, "status-quo")
    start = []  # nobody placed: the search has work in both regions
    optimum = exact_optimum(data, time_limit=20.0)
    assert optimum.status == "optimal" and 0 < optimum.value < weighted_shortage(data, start)
    params = SolveParams(work_limit=1)
    budget = (PairedWorkBudget if paired else CountedBudget)(SAFETY_SECONDS, params, params.work())
    # It stops once the plan meets the bound (the optimum); 200 steps are far more than it needs.
    best, stats = lns.large_neighbourhood_search(data, start, budget, seed=1, bound=optimum.value, max_steps=200)
    assert weighted_shortage(data, best) == pytest.approx(optimum.value)
    assert (stats.concurrent > 0) == paired
    plan = assemble_plan(data, region, "status-quo", best, optimum.value, Clock(1.0, None), {})
    minutes = {m: region.minutes_array(m) for m in ("bike", "pt", "car")}
    assert verify_plan(scenario, plan, minutes) == []


def test_the_plans_time_limit_keeps_seconds_for_assembling_it():
    params = SolveParams("status-quo", 600.0)
    # 3.5 ms per cohort: 28.5 s of a national region's 600 s, never more than a tenth.
    assert params.budget(600.0).plan_seconds(8157) == pytest.approx(600.0 - 28.5495)
    assert params.budget(10.0).plan_seconds(8157) == pytest.approx(9.0)
    assert params.budget(60.0).plan_seconds(84) == pytest.approx(60.0 - 0.294)
    # Under a work budget the time limit is a safety net: nothing is kept back.
    assert SolveParams("status-quo", 600.0, work_limit=5).budget(600.0).plan_seconds(8157) == 600.0


def test_the_relaxation_gets_less_time_when_the_company_level_stage_follows():
    # With the exact stage the relaxation only steers the search: 30 % at most (L optimise at
    # 600 s: 2,444.0 with 70 %, 1,464.5 with 30 %); without it its rounded plan is the plan.
    assert SolveParams("optimise", 600.0).budget(600.0).relaxation() == (0.3, None)
    assert SolveParams("optimise", 600.0, exact=False).budget(600.0).relaxation() == (0.7, None)
    assert SolveParams("optimise", 600.0, relaxation_share=0.5).budget(600.0).relaxation() == (0.5, None)
    assert SolveParams("optimise", 600.0, work_limit=5).budget(600.0).relaxation() == (1.0, WorkBudget.relaxation_rounds)
    with pytest.raises(ValueError, match="relaxation_share"):
        SolveParams("optimise", 600.0, relaxation_share=0.0)


def test_the_heuristic_stage_passes_the_relaxation_its_share(monkeypatch):
    from planner.solve import pipeline

    shares = []

    def fake_relax(data, clock, seed, share, rounds=None):
        shares.append(share)
        return real_relax(data, clock, seed, share, rounds)

    real_relax = pipeline.relax
    monkeypatch.setattr(pipeline, "relax", fake_relax)
    scenario = two_regions()
    data = compile_problem(scenario, Region(scenario), "optimise")
    for params in (SolveParams("optimise", 5.0), SolveParams("optimise", 5.0, exact=False)):
        search = pipeline.heuristic_search(data, Clock(5.0, None), params)
        assert search.best is not None
    assert shares == [0.3, 0.7]


def test_a_companies_neighbourhood_frees_every_placement_at_its_companies(monkeypatch):
    monkeypatch.setattr(neighbourhoods, "COMPANIES_SHARE", 1.0)
    scenario = two_regions()
    data = compile_problem(scenario, Region(scenario), "status-quo")
    start = np.asarray(greedy_assignments(data), dtype=np.int64).reshape(-1, 3)
    short = data.students - np.bincount(data.option_cohort[start[:, 0]], weights=start[:, 2], minlength=len(data.cohorts))
    assert (short > 0).any()
    draws = Neighbourhoods(data, np.random.default_rng(0), None)
    for budget in (2, 6, 3000):
        step = Neighbourhood(data, *draws.draw(start, budget))
        assert step.kind == "companies"
        # Every cohort that may use a free company is free: all placements there can be repacked.
        users = {int(c) for m in step.companies for c in draws.users[int(m)]}
        assert users == set(step.cohorts.tolist())
        assert (short[step.cohorts] > 0).any()
        step.build(start, rounding_cuts=True)
        assert step.built.n_placements <= budget or len(step.companies) == 1
    # A large budget takes all of the short cohort's companies.
    assert len(step.companies) == 4


def test_the_search_reaches_the_optimum_with_companies_neighbourhoods_alone(monkeypatch):
    monkeypatch.setattr(neighbourhoods, "COMPANIES_SHARE", 1.0)
    scenario = two_regions()
    data = compile_problem(scenario, Region(scenario), "status-quo")
    optimum = exact_optimum(data, time_limit=20.0)
    best, stats = lns.large_neighbourhood_search(data, [], work_budget(), seed=1, bound=optimum.value, max_steps=200)
    assert weighted_shortage(data, best) == pytest.approx(optimum.value)
    assert set(stats.by_kind) == {"companies"}


def _fake_solve(cut_short: str):
    """A neighbourhood solve that returns the plan's own placements at once: proven optimal,
    except for the kind ``cut_short`` (as if its time limit had cut it short)."""
    def solve(self, limit, seed, nodes):
        placements = list(self.inside)
        status = "feasible" if self.kind == cut_short else "optimal"
        self.result = CompanySolution(status, placements, self.built.shortage(self.data, placements), 0.0, 0.0,
                                          self.built)
    return solve


def test_each_kind_of_neighbourhood_adapts_its_own_size(monkeypatch):
    monkeypatch.setattr(Neighbourhood, "solve", _fake_solve(cut_short="group"))
    scenario = two_regions()
    data = compile_problem(scenario, Region(scenario), "status-quo")
    start = greedy_assignments(data)
    # Small sizes, which this scenario's neighbourhoods fill: quick proven solves make them grow.
    _, stats = lns.large_neighbourhood_search(data, start, work_budget(), seed=3, initial_size=8, max_size=500, max_steps=60)
    tried = {kind: counts[0] for kind, counts in stats.by_kind.items()}
    assert tried.get("group", 0) > 0 and tried.get("hotspot", 0) > 0
    # Cut-short group solves shrink the group size to its floor; they do not hold back the others.
    assert stats.final_budget["group"] == 300
    assert stats.final_budget["hotspot"] > 8
    # Sizes the neighbourhoods do not fill (this scenario has fewer placement variables) stay as
    # they are after quick solves: only a filled size says more would be solved in time.
    _, stats = lns.large_neighbourhood_search(data, start, work_budget(), seed=3, initial_size=5000, max_steps=60)
    assert stats.final_budget["hotspot"] == 5000
    assert stats.final_budget["group"] < 5000


def test_short_cohorts_are_drawn_by_their_shortage_beyond_the_bounds(monkeypatch):
    # Both regions are short. When the bound's own solution has all of care's shortage, only the
    # technology cohorts have shortage beyond it, and (without the share of all shortage) every
    # neighbourhood starts there; without that knowledge care is drawn too.
    monkeypatch.setattr(neighbourhoods, "COMPANIES_SHARE", 1.0)
    monkeypatch.setattr(neighbourhoods, "UNAVOIDABLE_SHARE", 0.0)
    scenario = two_regions()
    data = compile_problem(scenario, Region(scenario), "status-quo")
    start = np.asarray(greedy_assignments(data), dtype=np.int64).reshape(-1, 3)
    short = data.students - np.bincount(data.option_cohort[start[:, 0]], weights=start[:, 2], minlength=len(data.cohorts))
    care = np.array([scenario.cohorts[i].sector == "zorg" for i in data.cohorts])
    assert (short[care] > 0).any() and (short[~care] > 0).any()
    unavoidable = np.where(care, short, 0.0)

    def sectors_drawn(draws):
        drawn = set()
        for _ in range(40):
            step = Neighbourhood(data, *draws.draw(start, 3000))
            drawn |= {bool(care[c]) for c in step.cohorts}
        return drawn

    assert sectors_drawn(Neighbourhoods(data, np.random.default_rng(0), None, unavoidable=unavoidable)) == {False}
    assert sectors_drawn(Neighbourhoods(data, np.random.default_rng(0), None)) == {False, True}


@pytest.mark.parametrize("recognised", [True, False])
def test_a_group_neighbourhood_holds_the_cohorts_that_compete_for_the_same_companies(recognised):
    # Two families of care at level 3 in one area. By recognition the nurses compete with each
    # other and not with childcare (k1 trains nurses, k2 childcare); by sector chamber all three
    # compete for both companies.
    cohorts = [cohort("nurses-a", 5, crebo="25491"), cohort("nurses-b", 5, crebo="25491"),
               cohort("childcare", 5, crebo="25486")]
    recognitions = ({"recognitions": ["25491"]}, {"recognitions": ["25486"]}) if recognised else ({}, {})
    scenario = make_scenario(cohorts, [company("k1", 2, **recognitions[0]), company("k2", 2, **recognitions[1])])
    data = compile_problem(scenario, Region(scenario), "status-quo")
    groups = Neighbourhoods(data, np.random.default_rng(0), None).group_of
    assert groups[0] == groups[1]
    assert (groups[0] != groups[2]) == recognised
