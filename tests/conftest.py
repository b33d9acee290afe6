"""Shared fixtures, and :func:`require_system_tool` for tests that need a program of the system."""

from __future__ import annotations

import glob
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from planner.scenario import save_scenario
from tests.builders import tiny_scenario


def in_ci() -> bool:
    """Whether the tests run in continuous integration (``CI=true``, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _version_order(path: str) -> list[int | str]:
    # Compare version numbers in paths as numbers: /usr/lib/postgresql/16 after .../9.6.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def require_system_tool(name: str, reason: str, *places: str) -> Path:
    """The path of a program a test needs; without it the test skips, or fails under CI.

    Locally a missing tool is a skip with ``reason``; in CI (``CI=true``) it fails the test,
    so a CI image without the tool cannot pass by skipping.

    Parameters
    ----------
    name
        The program's name, looked up on ``PATH`` when none of ``places`` exists.
    reason
        What the tool is needed for and how to get it (shown in the skip or failure).
    *places
        Paths or glob patterns tried first; of several matches the highest version wins.

    Returns
    -------
    Path
        The program found.
    """
    for place in places:
        found = sorted(glob.glob(place), key=_version_order)
        if found:
            return Path(found[-1])
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    message = f"{name} is not installed: {reason}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing system tool fails the run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def tiny_scenario_path(tmp_path_factory) -> Path:
    """The tiny scenario saved as scenario.yaml in a folder of its own."""
    folder = tmp_path_factory.mktemp("tiny-scenario")
    return save_scenario(tiny_scenario(), folder / "scenario.yaml")


@pytest.fixture
def no_maps(monkeypatch):
    """Make the optional maps package unavailable (so the set of written files is fixed)."""
    monkeypatch.setitem(sys.modules, "maps", None)


@pytest.fixture
def python_ctrl_c():
    """Python's own Ctrl-C handler for the test (a process started in the background may inherit SIGINT ignored)."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Dutch), whatever an earlier in-process command set."""
    from planner.i18n import use_language

    with use_language("nl"):
        yield
@pytest.fixture(scope="session")
def twente_loaded():
    """The embedded Twente scenario, fully loaded."""
    from planner.model import load_scenario
    from planner.scenario.embedded import embedded_scenario

    return load_scenario(embedded_scenario("twente-sector"))


@pytest.fixture(scope="session")
def twente_result(twente_loaded):
    """Twente solved once (optimise, with its status-quo and greedy baselines) for the tests that read it."""
    from planner.solve import SolveParams, solve

    return solve(twente_loaded.scenario, SolveParams("optimise", time_limit=10), base_dir=twente_loaded.base_dir)
