"""Geography: Dutch places, travel times between areas, area polygons, and the scenario's region.

Modules: :mod:`~planner.geo.places` (the embedded place list), :mod:`~planner.geo.travel`
(travel network and modes), :mod:`~planner.geo.matrix` (measured travel-time files),
:mod:`~planner.geo.polygons` (Voronoi cells, GeoJSON, simplification),
:mod:`~planner.geo.region` (one scenario's geography), :mod:`~planner.geo.check` and
:mod:`~planner.geo.load` (the geographic checks and the full scenario load).
"""

from planner.geo.check import geography_problems, unknown_places
from planner.geo.errors import GeoInputError
from planner.geo.load import load_scenario
from planner.geo.matrix import travel_matrix_from_csv
from planner.geo.places import Place, dutch_places, find_place, suggest_places
from planner.geo.polygons import load_area_geojson, simplify_areas, voronoi_areas
from planner.geo.region import Region
from planner.geo.travel import DEFAULT_MODES, Barrier, TravelMode, TravelNetwork

__all__ = [
    "DEFAULT_MODES",
    "Barrier",
    "GeoInputError",
    "Place",
    "Region",
    "TravelMode",
    "TravelNetwork",
    "dutch_places",
    "find_place",
    "geography_problems",
    "load_area_geojson",
    "load_scenario",
    "simplify_areas",
    "suggest_places",
    "travel_matrix_from_csv",
    "unknown_places",
    "voronoi_areas",
]
