"""The what-if answer a roundtable can act on, on the Twente of before recognitions (twente-sector), as a region
runs it from the command line: its optimised plan solved under a work budget into a plan folder, then the sweep
of the example variants from that plan. The base row is the stored plan and every variant's row is proven
optimal under the sweep's default work budget, so each effect is exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from planner.cli import app
from planner.plan.model import load_plan
from planner.scenario import load_scenario
from planner.scenario.embedded import embedded_scenario
from planner.whatif.examples import standard_variants

# The rules Twente's optimum of 4.0 is proven under (tests/solve/test_exact.py): no wave minimum, no weeks
# between waves. The plan records them, and the sweep solves its variants under the same rules.
RULES = ["--min-wave", "0", "--wave-gap", "0"]


@pytest.mark.slow  # 8-10 minutes on a 2-core machine: the plan with its baselines, then the sweep of eight variants
def test_every_example_variant_of_twente_is_proven_from_the_stored_plan(tmp_path: Path) -> None:
    path = embedded_scenario("twente-sector")
    variants = [v.model_dump(mode="json", exclude_none=True) for v in standard_variants(load_scenario(path).scenario)]
    (tmp_path / "variants.yaml").write_text(yaml.safe_dump({"base": str(path), "variants": variants}),
                                            encoding="utf-8")
    runner = CliRunner()
    solved = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "plan"), "--work-limit", "40",
                                 "--time-limit", "3600", "--quiet", *RULES])
    assert solved.exit_code == 0, solved.output
    stored = load_plan(tmp_path / "plan")
    assert (stored.kpis.objective, stored.kpis.unplaced, stored.kpis.bound) == (4.0, 2, 4.0)
    # The default budget (40 neighbourhoods, 600 s only a safety net), 2 workers.
    swept = runner.invoke(app, ["sweep", str(tmp_path / "variants.yaml"), "-o", str(tmp_path / "out"),
                                "--workers", "2", "--base-plan", str(tmp_path / "plan"), *RULES])
    assert swept.exit_code == 0, swept.output
    table = json.loads((tmp_path / "out" / "sweep.json").read_text(encoding="utf-8"))
    base, *rows = table["rows"]
    assert table["base_source"] == "stored plan"
    assert (base["objective"], base["unplaced"], base["bound"]) == (4.0, 2, 4.0)
    assert len(rows) == len(variants)
    for row in rows:
        assert row["ok"], (row["name"], row["error"])
        assert "stopped by the time limit" not in row["status"], row["name"]
        assert row["proven"] and row["gap"] == 0.0, (row["name"], row["objective"], row["bound"])
        assert row["status"].startswith("optimal"), (row["name"], row["status"])
