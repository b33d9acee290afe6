"""Shortage maps: where and when the region runs short of internship places.

A map shows, per area, the students without an internship place (and the shortage rate)
for the whole school year or a chosen week, per plan (status quo, optimised, or their
difference), sector chamber and level; institution locations; learning companies sized by
supervision places and coloured by utilisation; and optionally the flows of students to
the areas where they do their internship. The HTML is self-contained (see
:mod:`maps.bundle`): only the optional OpenStreetMap background needs the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template

from maps import bundle
from maps.data import AGGREGATE_COMPANIES_ABOVE, PlanInput, as_loaded, map_payload, spot_markers
from maps.texts import PLAN_LABELS, TEXT
from planner.i18n import _, use_language
from planner.markup import html_text
from planner.plan.model import Plan
from planner.scenario import LoadedScenario, Scenario, write_atomic

DATA_ELEMENT_ID = "stageplanner-map-data"
#: The attribute of a built map that holds the language of its texts (for ``<html lang>``).
LANG_ATTRIBUTE = "stageplanner_lang"


class ShortageApp(JSCSSMixin, MacroElement):
    """The embedded data and the script that draws and restyles the map from it."""

    default_js = bundle.refs(bundle.GROUPED_JS + bundle.APP_JS)
    default_css = bundle.refs(bundle.GROUPED_CSS + bundle.APP_CSS)

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <script type="application/json" id="{{ this.element_id }}">{{ this.payload_json }}</script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            StageplannerMap.init(
                {{ this._parent.get_name() }},
                JSON.parse(document.getElementById({{ this.element_id|tojson }}).textContent),
                {
                {%- for key, element in this.refs.items() %}
                    {{ key }}: {{ element.get_name() }},
                {%- endfor %}
                }
            );
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict[str, Any], refs: dict[str, folium.MacroElement]):
        super().__init__()
        self._name = "ShortageApp"
        self.element_id = DATA_ELEMENT_ID
        # "<" escaped so that no "</script>" can end the data block early; still valid JSON.
        self.payload_json = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        self.refs = refs


def _mode_label(plan: Plan) -> str:
    return PLAN_LABELS.get(plan.mode, plan.mode)


def _bounds(payload: dict[str, Any]) -> list[list[float]]:
    lats, lons = [], []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in payload["areas"]["features"]:
        walk(feature["geometry"]["coordinates"])
    if not lats:
        lats = [c[0] for c in payload["areaCenters"]]
        lons = [c[1] for c in payload["areaCenters"]]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _build(plans: list[PlanInput], loaded: LoadedScenario, views: list[dict[str, Any]], default_view: int,
           title: str, aggregate_above: int, spots: list[dict[str, Any]] | None = None) -> folium.Map:
    payload = map_payload(plans, loaded, views, default_view, aggregate_above=aggregate_above)
    if spots is not None:
        payload["spots"] = spot_markers(spots)
    (south, west), (north, east) = _bounds(payload)
    # The script fits the view to the areas without animation before drawing markers (an
    # animated first zoom would leave the clusters half-way for a moment).
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=9, tiles=None,
                   zoom_snap=0.25)
    # No tile layer sets the zoom range (markercluster needs one): the map sets it itself.
    m.options.update(max_zoom=18, min_zoom=5)
    bundle.use_vendored(m, bundle.LEAFLET_JS, bundle.LEAFLET_CSS)
    # folium writes the title into <title> as it is: the scenario's name in it is user text.
    m.get_root().title = html_text(title)
    blank = folium.FeatureGroup(name=TEXT["base_blank"], overlay=False, control=False, show=True)
    tiles = folium.TileLayer("OpenStreetMap", name=TEXT["base_osm"], overlay=False, control=False, show=False)
    areas = folium.FeatureGroup(name=TEXT["layer_areas"], control=False, show=True)
    flows = folium.FeatureGroup(name=TEXT["layer_flows"], control=False, show=False)
    if payload["companies"]["aggregated"]:
        companies: folium.MacroElement = folium.FeatureGroup(name=TEXT["layer_companies_agg"], control=False, show=True)
    else:
        companies = MarkerCluster(name=TEXT["layer_companies"], control=False, show=True,
                                  options={"chunkedLoading": True, "spiderfyOnMaxZoom": True})
        bundle.use_vendored(companies, bundle.MARKERCLUSTER_JS, bundle.MARKERCLUSTER_CSS)
    institutions = folium.FeatureGroup(name=TEXT["layer_institutions"], control=False, show=True)
    for layer in (blank, tiles, areas, flows, companies, institutions):
        layer.add_to(m)
    refs = {"blank": blank, "tiles": tiles, "areas": areas, "flows": flows, "companies": companies,
            "institutions": institutions}
    if spots is not None:
        refs["spots"] = folium.FeatureGroup(name=TEXT["layer_spots"], control=False, show=True).add_to(m)
    ShortageApp(payload, refs).add_to(m)
    setattr(m, LANG_ATTRIBUTE, payload["lang"])
    return m


def plan_map(plan: Plan, loaded: LoadedScenario | Scenario, compare_with: Plan | None = None,
             *, aggregate_above: int = AGGREGATE_COMPANIES_ABOVE, lang: str | None = None,
             spots: Iterable[dict[str, Any]] | None = None) -> folium.Map:
    """Map of a plan's shortage per area, sector chamber, level and week.

    Parameters
    ----------
    plan : Plan
        The plan to show (the optimised plan when ``compare_with`` is given).
    loaded : LoadedScenario or Scenario
        The scenario the plan was made for (polygons and places come from it).
    compare_with : Plan, optional
        The status quo; then both plans and their difference are switchable views and the
        optimised plan is shown first.
    aggregate_above : int, default 3000
        Above this many learning companies, draw one circle per area instead of markers.
    lang : str, optional
        The language of the map's texts (``nl`` or ``en``; default: the current language, Dutch
        unless set). It travels to the map's script in the embedded data (``lang``).
    spots : iterable of dict, optional
        Ranked spots where one more supervision place helps most (rows as
        :mod:`planner.whatif.marginal` makes them); drawn as a layer of numbered circles.

    Returns
    -------
    folium.Map
        The map; render it with :func:`write_plan_map` (or ``maps.bundle.render_offline``)
        to get a page that works without network.
    """
    loaded = as_loaded(loaded)
    with use_language(lang):
        if compare_with is None:
            plans = [PlanInput(plan, _mode_label(plan), "plan")]
            views: list[dict[str, Any]] = [{"label": plans[0].label, "plan": 0}]
            default = 0
        else:
            status_quo_label, optimised_label = PLAN_LABELS["status-quo"], PLAN_LABELS["optimise"]
            plans = [PlanInput(compare_with, status_quo_label, "status-quo"),
                     PlanInput(plan, optimised_label, "optimise")]
            views = [{"label": status_quo_label, "plan": 0}, {"label": optimised_label, "plan": 1},
                     {"label": _("Difference: optimised − status quo"), "a": 0, "b": 1}]
            default = 1
        title = _("Internship shortage {scenario}").format(scenario=loaded.scenario.name)
        return _build(plans, loaded, views, default, title, aggregate_above,
                      None if spots is None else list(spots))


def comparison_map(plan_a: Plan, plan_b: Plan, loaded: LoadedScenario | Scenario,
                   *, aggregate_above: int = AGGREGATE_COMPANIES_ABOVE, lang: str | None = None) -> folium.Map:
    """Map of the difference in shortage per area between two plans (b minus a).

    Parameters
    ----------
    plan_a, plan_b : Plan
        The plans compared (e.g. status quo and optimised, or two what-if scenarios of
        the same region). Blue areas have fewer students without a place in ``plan_b``,
        red areas more; popups give both numbers.
    loaded : LoadedScenario or Scenario
        The scenario both plans were made for.
    aggregate_above : int, default 3000
        Above this many learning companies, draw one circle per area instead of markers.
    lang : str, optional
        The language of the map's texts (``nl`` or ``en``; default: the current language, Dutch
        unless set). It travels to the map's script in the embedded data (``lang``).

    Returns
    -------
    folium.Map
        The map, with the difference selected and each plan as a switchable view.
    """
    loaded = as_loaded(loaded)
    with use_language(lang):
        label_a, label_b = _mode_label(plan_a), _mode_label(plan_b)
        if label_a == label_b:
            label_a, label_b = f"A: {label_a}", f"B: {label_b}"
        plans = [PlanInput(plan_a, label_a, "a"), PlanInput(plan_b, label_b, "b")]
        short_a, short_b = label_a.split(" (")[0], label_b.split(" (")[0]
        views = [{"label": _("Difference: {b} − {a}").format(b=short_b, a=short_a), "a": 0, "b": 1},
                 {"label": label_a, "plan": 0}, {"label": label_b, "plan": 1}]
        title = _("Internship shortage {scenario}: {b} compared with {a}").format(
            scenario=loaded.scenario.name, b=short_b, a=short_a)
        return _build(plans, loaded, views, 0, title, aggregate_above)


def render_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page (libraries inlined, no CDN), ``<html lang>`` its texts' language."""
    return bundle.render_offline(m, lang=getattr(m, LANG_ATTRIBUTE, None))


def write_plan_map(plan: Plan, loaded: LoadedScenario | Scenario, path: str | Path,
                   compare_with: Plan | None = None, **options: Any) -> Path:
    """Write :func:`plan_map` as a self-contained ``map.html`` (atomically).

    Parameters
    ----------
    plan, loaded, compare_with
        As for :func:`plan_map`.
    path : str or Path
        The HTML file to write; folders are created.
    **options
        Passed to :func:`plan_map` (e.g. ``aggregate_above``).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    write_atomic(path, render_html(plan_map(plan, loaded, compare_with, **options)))
    return path


def write_comparison_map(plan_a: Plan, plan_b: Plan, loaded: LoadedScenario | Scenario, path: str | Path,
                         **options: Any) -> Path:
    """Write :func:`comparison_map` as a self-contained HTML file (atomically).

    Parameters
    ----------
    plan_a, plan_b, loaded
        As for :func:`comparison_map`.
    path : str or Path
        The HTML file to write; folders are created.
    **options
        Passed to :func:`comparison_map`.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    write_atomic(path, render_html(comparison_map(plan_a, plan_b, loaded, **options)))
    return path


def embedded_payload(html: str) -> dict[str, Any]:
    """Read the data block back from a rendered map page (for tests and tools)."""
    start_tag = f'<script type="application/json" id="{DATA_ELEMENT_ID}">'
    start = html.index(start_tag) + len(start_tag)
    end = html.index("</script>", start)
    return json.loads(html[start:end])
