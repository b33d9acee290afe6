"""Sweeps give the same plans on a process pool and a Dask LocalCluster; a failed variant does not stop one;
the marginal-value ranking's top spots really remove shortage when re-solved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.model import load_scenario
from planner.solve import SolveParams, solve
from planner.whatif.compare import sweep_table, write_sweep
from planner.whatif.marginal import capacity_spots, verify_spots
from planner.whatif.sweep import DaskExecutor, LocalPool, run_sweep
from planner.whatif.variants import Variant
from tests.api.support import tiny_files
from tests.builders import tiny_scenario

VARIANTS = [
    {"name": "k1 +3", "changes": [{"kind": "add_capacity", "companies": {"ids": "k1"}, "places": 3}]},
    {"name": "level 2 +50%", "changes": [{"kind": "scale_inflow", "cohorts": {"level": "2"}, "factor": 1.5}]},
    # Cohorts of an area the region has no school in: the variant does not apply (a window moved past the
    # school year is clamped to it since, so it is no longer a broken variant).
    {"name": "broken", "changes": [{"kind": "scale_inflow", "cohorts": {"area": "Zwolle"}, "factor": 2}]},
]
# The tiny scenario is proven optimal in well under a second, so every schedule gives the same plans.
PARAMS = SolveParams(mode="status-quo", time_limit=10, seed=0, baselines=False)


def _outcome(sweep) -> list[tuple]:  # noqa: ANN001
    return [(c.name, c.error is None, c.plan and (c.plan.kpis.objective, c.plan.kpis.unplaced,
                                                 [(cp.cohort, cp.placed) for cp in c.plan.cohorts]))
            for c in sweep.cases]


def test_a_sweep_is_the_same_on_a_process_pool_and_on_dask(tmp_path: Path) -> None:
    variants = [Variant.model_validate(v) for v in VARIANTS]
    pool = LocalPool(2)
    try:
        on_pool = run_sweep(tiny_scenario(), variants, PARAMS, pool)
    finally:
        pool.close()
    dask = DaskExecutor(None, workers=2, processes=False)
    seen = []
    try:
        on_dask = run_sweep(tiny_scenario(), variants, PARAMS, dask, progress=lambda s: seen.append((s.done, s.failed)))
    finally:
        dask.close()
    assert _outcome(on_pool) == _outcome(on_dask)
    assert all("optimal" in c.plan.solver.status for c in on_pool.cases if c.plan is not None)
    broken = on_pool.case("broken")
    assert broken.plan is None and "wijziging 1 (scale_inflow)" in broken.error
    assert seen[-1] == (4, 1)

    table = sweep_table(on_pool)
    rows = {r["name"]: r for r in table["rows"]}
    assert rows["k1 +3"]["unplaced_diff"] < 0 < rows["level 2 +50%"]["unplaced_diff"]
    why = table["explanations"]["level 2 +50%"]
    assert why["scenario_changes"] == {"cohorts_changed": ["zorg-2"]}
    assert any(c["level"] == "2" and c["diff"] > 0 for c in why["cells"])
    assert why["cohorts"][0]["cohort"] == "zorg-2" and why["cohorts"][0]["changed_by_variant"]
    files = write_sweep(on_pool, tmp_path / "out")
    assert {f.name for f in files} >= {"sweep.json", "sweep.md", "sweep.png", "base.json", "k1__3.json"}


def test_the_top_marginal_spots_reduce_shortage_when_re_solved() -> None:
    scenario = tiny_scenario()
    plan = solve(scenario, PARAMS).plan
    spots = capacity_spots(scenario, plan, "status-quo", top=5)
    assert spots and [s.rank for s in spots] == list(range(1, len(spots) + 1))
    assert [s.estimate for s in spots] == sorted((s.estimate for s in spots), reverse=True)
    verify_spots(scenario, plan, spots, PARAMS, verify=3)
    for spot in spots[:3]:
        assert spot.realised is not None and spot.realised > 0
        assert spot.realised == pytest.approx(spot.estimate)
    assert spots[0].company == "k1" and spots[0].realised == max(s.realised for s in spots[:3])


def test_optimise_mode_ranks_where_the_relaxation_places_everyone() -> None:
    scenario = tiny_scenario()
    params = SolveParams(mode="optimise", time_limit=10, seed=0, baselines=False)
    plan = solve(scenario, params).plan
    spots = capacity_spots(scenario, plan, "optimise", top=3)
    assert plan.kpis.unplaced > 0 and spots
    verify_spots(scenario, plan, spots, params, verify=1)
    assert spots[0].realised > 0


def test_the_sweep_and_marginal_commands(tmp_path: Path) -> None:
    base = tiny_files(tmp_path)
    (tmp_path / "variants.yaml").write_text(
        f"base: {base.name}\nvariants:\n  - name: k1 +3\n    changes:\n"
        "      - {kind: add_capacity, companies: {ids: k1}, places: 3}\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["sweep", str(tmp_path / "variants.yaml"), "-o", str(tmp_path / "out"), "--mode",
                                 "status-quo", "--time-limit", "5", "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "sweep.md").is_file() and "k1 +3" in (tmp_path / "out" / "sweep.md").read_text()
    result = runner.invoke(app, ["marginal", str(base), "-o", str(tmp_path / "m"), "--time-limit", "5", "--top", "3",
                                 "--verify", "1", "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "marginal-map.html").is_file() and (tmp_path / "m" / "marginal.json").is_file()
    bad = runner.invoke(app, ["sweep", str(tmp_path / "nothing.yaml"), "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2


def test_verified_spots_rank_by_what_they_realised() -> None:
    from planner.whatif.marginal import Spot, rank_by_realised

    def spot(company: str, estimate: float, realised: float | None, rank: int) -> Spot:
        return Spot(rank=rank, company=company, companies_in_pool=1, area="Enschede", sector="zorg", level="3",
                    first_week="2026-W40", last_week="2026-W43", estimate=estimate, realised=realised,
                    estimated_rank=rank)

    spots = rank_by_realised([spot("empty", 5.0, 0.0, 1), spot("half", 4.5, 1.5, 2), spot("open", 4.0, None, 3),
                              spot("full", 3.0, 3.0, 4)])
    assert [(s.company, s.rank, s.estimated_rank) for s in spots] == [
        ("full", 1, 4), ("half", 2, 2), ("open", 3, 3), ("empty", 4, 1)]


def test_marginal_writes_its_ranking_with_names(tmp_path: Path) -> None:
    base = tiny_files(tmp_path)
    result = CliRunner().invoke(app, ["marginal", str(base), "-o", str(tmp_path / "m"), "--time-limit", "5", "--top",
                                      "3", "--verify", "1", "--workers", "0"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "m" / "marginal.md").read_text(encoding="utf-8")
    rows = json.loads((tmp_path / "m" / "marginal.json").read_text(encoding="utf-8"))["spots"]
    assert rows and rows[0]["realised"] is not None  # the verified spot ranks first
    names = {c.id: c.name for c in load_scenario(base).scenario.companies}
    assert f"| 1 | {names[rows[0]['company']]} |" in text and "Zorg, welzijn en sport" in text


def test_the_sweep_command_solves_under_the_stored_plans_wave_rules(tmp_path: Path) -> None:
    base = tiny_files(tmp_path)
    (tmp_path / "variants.yaml").write_text(
        f"base: {base.name}\nvariants:\n  - name: k1 +3\n    changes:\n"
        "      - {kind: add_capacity, companies: {ids: k1}, places: 3}\n", encoding="utf-8")
    runner = CliRunner()
    rules = ["--min-wave", "3", "--wave-gap", "1"]
    solved = runner.invoke(app, ["solve", str(base), "-o", str(tmp_path / "plan"), "--quiet", "--mode", "optimise",
                                 "--time-limit", "10", *rules])
    assert solved.exit_code == 0, solved.output
    sweep = ["sweep", str(tmp_path / "variants.yaml"), "-o", str(tmp_path / "out"), "--time-limit", "5",
             "--work-limit", "1", "--workers", "0", "--base-plan", str(tmp_path / "plan")]
    refused = runner.invoke(app, sweep)
    assert refused.exit_code != 0 and "--min-wave" in refused.output and not (tmp_path / "out" / "sweep.md").exists()
    under_its_rules = runner.invoke(app, [*sweep, *rules])
    assert under_its_rules.exit_code == 0, under_its_rules.output
    assert json.loads((tmp_path / "out" / "sweep.json").read_text())["base_source"] == "stored plan"
