"""Shortage maps: where and when the region runs short of internship places.

Public API::

    plan_map(plan, loaded, compare_with=None) -> folium.Map
    write_plan_map(plan, loaded, path, compare_with=None) -> Path
    comparison_map(plan_a, plan_b, loaded) -> folium.Map
    write_comparison_map(plan_a, plan_b, loaded, path) -> Path

The written HTML is self-contained: Leaflet and its plugins are inlined from
``maps/assets/`` (see :mod:`maps.bundle`), so it works on a closed network.
"""

from maps.shortage import (
    comparison_map,
    embedded_payload,
    plan_map,
    render_html,
    write_comparison_map,
    write_plan_map,
)

__all__ = [
    "comparison_map",
    "embedded_payload",
    "plan_map",
    "render_html",
    "write_comparison_map",
    "write_plan_map",
]
