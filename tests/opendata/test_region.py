"""`generate --from-duo`: real-demand Twente from the file shipped with the package validates and solves."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from planner import cli
from planner.catalogue import qualifications
from planner.i18n import use_language
from planner.model import load_scenario
from planner.opendata import import_duo, shipped_duo, write_import
from planner.plan.verify import verify_plan
from planner.solve import SolveParams, solve

runner = CliRunner()
# A small deterministic work budget (the time a safety net): the same plan on any machine and load.
WORK = {"time_limit": 600.0, "work_limit": 2, "work_nodes": 50, "baselines": False}


def test_generate_from_duo_twente_validates_and_solves(tmp_path):
    out = tmp_path / "twente"
    with use_language("nl"):
        result = runner.invoke(cli.app, ["generate", "--from-duo", "--region", "Twente", "--out", str(out)],
                               catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "13.752" in result.output and "Bron: DUO" in result.output  # Dutch numbers, the source named
    loaded = load_scenario(out / "scenario.yaml")  # the full load: structure, geography, capacity
    scenario = loaded.scenario
    assert [(i.id, i.name) for i in scenario.institutions] == [("27YU", "ROC van Twente")]
    bol = [c for c in scenario.cohorts if c.pathway == "BOL"]
    assert sum(c.students for c in bol) == 13_752  # ROC van Twente's full-time BOL students in 2019
    assert len({(c.crebo, c.level) for c in bol}) == 180  # its crebo rows
    catalogue = qualifications()
    assert all(c.sector == catalogue[c.crebo].sector for c in scenario.cohorts)
    assert "Bron: DUO" in scenario.description and "Generated supply" not in scenario.description  # in Dutch
    # Every BOL crebo and level has a company recognised for it (25198 at level 2 had none; with places sized per
    # qualification family the one specialistisch student, 93686, has one too).
    covered = {(crebo, level) for c in scenario.companies for crebo in c.recognitions for level in c.levels}
    assert {(c.crebo, c.level) for c in bol} <= covered
    assert not [w for w in loaded.warnings if "25198" in str(w)]
    plan = solve(scenario, SolveParams("status-quo", **WORK)).plan
    assert plan.kpis.students == 13_752 and plan.kpis.placed + plan.kpis.unplaced == 13_752
    assert verify_plan(scenario, plan) == []


@pytest.mark.slow
def test_every_region_with_a_seated_institution_builds_and_validates(tmp_path):
    result = import_duo(shipped_duo(2019))
    assert len(result.regions) == 29
    written = write_import(result, tmp_path / "nl", one_region=False)
    bol = 0
    for path in written:
        scenario = load_scenario(path).scenario  # the full load: structure, geography, capacity
        bol += sum(c.students for c in scenario.cohorts if c.pathway == "BOL")
    assert bol == result.bol_students == 372_384 - 278
