"""A map layer of ranked spots: where one more supervision place would remove the most shortage.

The spots are plain rows (``rank``, ``company``, ``area``, ``sector``, ``level``, ``first_week``,
``last_week``, ``estimate``, ``realised``, ``lat``, ``lon``), as :mod:`planner.whatif.marginal`
makes them; the layer is drawn over the plan's shortage map.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

import folium

from maps.shortage import plan_map, render_html
from planner.i18n import _
from planner.plan.model import Plan
from planner.scenario import LoadedScenario, Scenario, write_atomic


def add_spots_layer(m: folium.Map, spots: Iterable[dict[str, Any]]) -> folium.FeatureGroup:
    """Add a layer with a numbered circle per spot (sized by the estimate) to ``m``; returns the layer."""
    layer = folium.FeatureGroup(name=_("Where one more supervision place helps most"), show=True)
    rows = [s for s in spots if s.get("lat") is not None and s.get("lon") is not None]
    top = max((float(s["estimate"]) for s in rows), default=1.0) or 1.0
    for spot in rows:
        realised = spot.get("realised")
        text = _("#{rank} {company} ({area}): {sector} level {level}, weeks {first}..{last}; estimated {estimate}, "
                 "realised {realised}").format(
            rank=spot["rank"], company=escape(str(spot["company"])), area=escape(str(spot["area"])),
            sector=spot["sector"], level=spot["level"], first=spot["first_week"], last=spot["last_week"],
            estimate=f"{float(spot['estimate']):.1f}",
            realised="-" if realised is None else f"{float(realised):.1f}")
        folium.CircleMarker(location=[spot["lat"], spot["lon"]], radius=6 + 14 * float(spot["estimate"]) / top,
                            color="#6c3483", fill=True, fill_opacity=0.6, weight=2,
                            tooltip=f"#{spot['rank']}", popup=folium.Popup(text, max_width=320)).add_to(layer)
    layer.add_to(m)
    return layer


def write_spots_map(plan: Plan, loaded: LoadedScenario | Scenario, spots: Iterable[dict[str, Any]],
                    path: str | Path) -> Path:
    """The plan's shortage map with the spots layer, as one self-contained HTML file (written atomically)."""
    m = plan_map(plan, loaded)
    add_spots_layer(m, spots)
    path = Path(path)
    write_atomic(path, render_html(m))
    return path
