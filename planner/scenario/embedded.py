"""The scenarios that ship with the package: ``scenarios/`` in the repository, package data once installed.

The repository's top-level ``scenarios/`` folder is reached as ``planner/scenarios`` (a link
in the checkout, real files in the wheel), so the same ``importlib.resources`` lookup works
in a checkout, an editable install and an installed wheel.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from planner.i18n import _

__all__ = ["DEFAULT_SCENARIO", "embedded_scenario", "embedded_scenario_names"]

#: The scenario ``stageplanner demo`` solves.
DEFAULT_SCENARIO = "twente"

_SCENARIO_FILE = "scenario.yaml"
# Folders extracted from a zipped install live until the process ends.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def _folder() -> Traversable:
    return resources.files("planner").joinpath("scenarios")


def embedded_scenario_names() -> list[str]:
    """Names of the embedded scenarios (``twente``, ``small``), sorted."""
    return sorted(entry.name for entry in _folder().iterdir() if entry.joinpath(_SCENARIO_FILE).is_file())


def embedded_scenario(name: str = DEFAULT_SCENARIO) -> Path:
    """The ``scenario.yaml`` of an embedded scenario, on the file system with its CSV files beside it.

    Parameters
    ----------
    name : str, default "twente"
        One of :func:`embedded_scenario_names`.

    Returns
    -------
    Path
        The scenario file, ready for :func:`planner.geo.load_scenario`.

    Raises
    ------
    ValueError
        When no embedded scenario has that name (the message lists the names).
    """
    folder = _folder().joinpath(name)
    if not folder.joinpath(_SCENARIO_FILE).is_file():
        raise ValueError(_("no embedded scenario {name}; embedded: {names}").format(
            name=repr(name), names=", ".join(embedded_scenario_names())))
    return _on_file_system(folder) / _SCENARIO_FILE


def _on_file_system(folder: Traversable) -> Path:
    """``folder`` itself when installed as files; else a temporary copy (zipped installs)."""
    if isinstance(folder, Path):
        return folder
    target = Path(_extracted.enter_context(tempfile.TemporaryDirectory(prefix="stageplanner-"))) / folder.name
    target.mkdir()
    for entry in folder.iterdir():
        if entry.is_file():
            with resources.as_file(entry) as path:
                shutil.copyfile(path, target / entry.name)
    return target
