"""A map layer of ranked spots: where one more supervision place would remove the most shortage.

The spots are plain rows (``rank``, ``company``, ``area``, ``sector``, ``level``, ``first_week``,
``last_week``, ``estimate``, ``realised``, ``lat``, ``lon``), as :mod:`planner.whatif.marginal`
makes them; they travel in the map's embedded data and its script draws them over the plan's
shortage map (numbered circles sized by the estimate, a popup each), escaping every name.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from maps.shortage import plan_map, render_html
from planner.plan.model import Plan
from planner.scenario import LoadedScenario, Scenario, write_atomic


def write_spots_map(plan: Plan, loaded: LoadedScenario | Scenario, spots: Iterable[dict[str, Any]],
                    path: str | Path) -> Path:
    """The plan's shortage map with the spots layer, as one self-contained HTML file (written atomically)."""
    path = Path(path)
    write_atomic(path, render_html(plan_map(plan, loaded, spots=spots)))
    return path
