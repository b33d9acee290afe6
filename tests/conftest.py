"""Shared fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from planner.scenario import save_scenario
from tests.builders import cohort, company, make_scenario


def tiny_scenario():
    """Care, technology and a BBL cohort on three small companies (coordinates given).

    The status quo (everyone in weeks 40-43) leaves many students unplaced; spreading the
    periods over the autumn places them all.
    """
    return make_scenario(
        [
            cohort("zorg-3", 30),
            cohort("zorg-2", 20, level="2"),
            cohort("tech-3", 15, sector="techniek", forms="block:4|line:2x8"),
            cohort("zorg-bbl", 2, pathway="BBL", company="k1", forms="line:2x12", current_start="2026-W37"),
        ],
        [company("k1", 10), company("k2", 8, area="Hengelo", levels="3|4"),
         company("k3", 5, sectors="techniek", levels="2|3|4")],
    )


@pytest.fixture(scope="session")
def tiny_scenario_path(tmp_path_factory) -> Path:
    """The tiny scenario saved as scenario.yaml in a folder of its own."""
    folder = tmp_path_factory.mktemp("tiny-scenario")
    return save_scenario(tiny_scenario(), folder / "scenario.yaml")


@pytest.fixture
def no_maps(monkeypatch):
    """Make the optional maps package unavailable (so the set of written files is fixed)."""
    monkeypatch.setitem(sys.modules, "maps", None)
