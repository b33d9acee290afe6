"""The benchmark runs each method in its own process and reports checked plans side by side."""

from __future__ import annotations

import json

from planner import bench


def test_a_benchmark_run_reports_plan_bound_and_gap_for_each_method(tmp_path):
    rows = bench.run_bench(["twente"], tmp_path, time_limit=3, modes=["status-quo"],
                           methods=["stageplanner", "first come, first served"])
    assert [(r.instance, r.mode, r.method) for r in rows] == [
        ("twente", "status-quo", "stageplanner"), ("twente", "status-quo", "first come, first served")]
    planner_row, greedy_row = rows
    # Twente's status quo: 2,500 BOL students; the planner's plan is proven within its gap of the bound.
    assert planner_row.students == 2500 and planner_row.cohorts > 50
    assert 0 <= planner_row.bound <= planner_row.plan < greedy_row.plan
    assert abs(planner_row.gap - (planner_row.plan - planner_row.bound) / planner_row.plan) < 1e-9
    assert 0 <= planner_row.within_1pct_seconds <= planner_row.seconds
    assert planner_row.peak_memory_mb > 50
    written = json.loads((tmp_path / "benchmark-results.json").read_text())
    assert [w["method"] for w in written] == ["stageplanner", "first come, first served"]
    table = (tmp_path / "benchmark-results.md").read_text()
    assert "### twente: " in table and "| status-quo | stageplanner | 3 |" in table


def test_a_run_without_a_plan_shows_its_reason_in_the_table():
    rows = bench.markdown([bench.BenchRow("L", "optimise", "CP-SAT, full model", 600, "not built: 9,999,999 pairs")])
    assert "| optimise | CP-SAT, full model | 600 | - | - | - | - | - | - | - | not built: 9,999,999 pairs |" in rows
