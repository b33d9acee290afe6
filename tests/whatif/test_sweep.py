"""Sweeps give the same plans on a process pool and a Dask LocalCluster; a failed variant does not stop one;
the marginal-value ranking's top spots really remove shortage when re-solved."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
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
    {"name": "broken", "changes": [{"kind": "move_window", "cohorts": {"ids": "zorg-3"}, "weeks": 20}]},
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
    assert broken.plan is None and "change 1 (move_window)" in broken.error
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
