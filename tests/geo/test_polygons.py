"""Area polygons: Voronoi cells, simplification for maps, and GeoJSON files."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings

from planner.geo.errors import GeoInputError
from planner.geo.polygons import load_area_geojson, simplify_areas, voronoi_areas
from planner.geo.projection import RD_NEW, WGS84, reproject
from tests.geo.helpers import AMERSFOORT, UTRECHT, ZWOLLE, area_of, nl_points, write_file


def _assert_voronoi_properties(gdf, areas, outline):
    assert list(gdf["name"]) == [a[0] for a in areas]
    assert gdf.crs.to_epsg() == 4326
    cells = list(gdf.geometry)
    for (name, lat, lon), cell in zip(areas, cells):
        assert cell.is_valid and cell.covers(shapely.Point(lon, lat)), name
    union = shapely.union_all(cells)
    assert union.symmetric_difference(outline).area <= 1e-9 * max(outline.area, 1e-12) + 1e-12
    assert sum(c.area for c in cells) == pytest.approx(union.area, rel=1e-9, abs=1e-14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nl_points())
def test_voronoi_cells_partition_default_outline(areas):
    gdf = voronoi_areas(areas)
    pts = shapely.MultiPoint([(lon, lat) for _, lat, lon in areas])
    outline = reproject(
        reproject(pts, WGS84, RD_NEW).convex_hull.buffer(8000), RD_NEW, WGS84
    )
    _assert_voronoi_properties(gdf, areas, outline)


def test_voronoi_with_given_outline_and_small_cases():
    outline = shapely.box(4.9, 51.9, 5.6, 52.3)
    areas = [UTRECHT, AMERSFOORT]
    _assert_voronoi_properties(voronoi_areas(areas, outline), areas, outline)
    single = voronoi_areas([UTRECHT], outline)
    assert single.geometry.iloc[0].symmetric_difference(outline).area < 1e-12
    collinear = [(f"P{i}", 52.1, 5.0 + 0.1 * i) for i in range(5)]
    _assert_voronoi_properties(voronoi_areas(collinear, outline), collinear, outline)
    with pytest.raises(GeoInputError, match="less than 1 m apart"):
        voronoi_areas([("X", 52.0, 5.0), ("Y", 52.0, 5.0)])
    with pytest.warns(UserWarning, match="outside the outline"):
        voronoi_areas([UTRECHT, ZWOLLE], outline)


def test_voronoi_with_concave_outline_and_hole():
    # Roughly the Netherlands, with a lake-like hole.
    outline = shapely.Polygon(
        [(3.4, 51.3), (4.5, 52.9), (5.0, 53.4), (7.2, 53.3), (7.0, 52.0), (6.1, 51.0), (5.6, 50.7), (5.4, 51.2)],
        holes=[[(5.2, 52.4), (5.6, 52.4), (5.6, 52.7), (5.2, 52.7)]],
    )
    inside = [area_of(n) for n in ["Utrecht", "Zwolle", "Enschede", "Amsterdam", "Rotterdam", "Eindhoven", "Maastricht"]]
    in_hole = ("Meer", 52.55, 5.4)
    with pytest.warns(UserWarning, match="1 area point"):
        gdf = voronoi_areas(inside + [in_hole], outline)
    _assert_voronoi_properties(gdf.iloc[:-1], inside, outline.difference(gdf.geometry.iloc[-1]))
    union = shapely.union_all(list(gdf.geometry))
    assert union.symmetric_difference(outline).area < 1e-9 * outline.area


def test_voronoi_rejects_points_closer_than_a_metre():
    with pytest.raises(GeoInputError) as err:
        voronoi_areas([("X", 52.0, 5.0), ("Y", 52.0, 5.000001), ("Z", 52.1, 5.0)])
    assert err.value.messages == [
        "areas 'X' and 'Y' are less than 1 m apart; Voronoi cells need distinct locations"
    ]


def test_simplify_areas_keeps_cells_valid_and_adjacent():
    areas = [area_of(n) for n in ["Utrecht", "Amersfoort", "Zeist", "Hilversum", "Nieuwegein", "Houten", "Veenendaal"]]
    cells = voronoi_areas(areas)
    simple = simplify_areas(cells, tolerance_m=300, precision=5)
    assert list(simple["name"]) == list(cells["name"]) and simple.crs.to_epsg() == 4326
    assert simple.geometry.is_valid.all() and not simple.geometry.is_empty.any()
    assert shapely.get_num_coordinates(simple.geometry.array).sum() < shapely.get_num_coordinates(
        cells.geometry.array
    ).sum()
    coords = shapely.get_coordinates(simple.geometry.array)
    np.testing.assert_allclose(coords, np.round(coords, 5), atol=1e-9)
    # Neighbours still share borders: no gaps or overlaps introduced.
    union = shapely.union_all(simple.geometry.array)
    assert sum(g.area for g in simple.geometry) == pytest.approx(union.area, rel=1e-6)
    assert cells.geometry.iloc[0] is not simple.geometry.iloc[0]


def test_simplify_areas_on_overlapping_polygons():
    circles = gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[shapely.Point(155_000, 463_000).buffer(5_000), shapely.Point(160_000, 463_000).buffer(5_000)],
        crs="EPSG:28992",
    )
    simple = simplify_areas(circles, tolerance_m=500, precision=4)
    assert simple.crs.to_epsg() == 4326 and simple.geometry.is_valid.all()
    before = shapely.get_num_coordinates(circles.geometry.array)
    assert (shapely.get_num_coordinates(simple.geometry.array) < before).all()


# --- GeoJSON ---------------------------------------------------------------------


def _feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _square(x, y, d=0.1):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def test_load_area_geojson_reads_name_and_naam(tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [
            _feature({"name": "Utrecht"}, _square(5.0, 52.0)),
            _feature({"naam": "Zwolle"}, _square(6.0, 52.4)),
            _feature({"name": "Elders"}, _square(4.0, 51.5)),
        ],
    }
    path = write_file(tmp_path, "areas.geojson", json.dumps(data))
    gdf = load_area_geojson(path, ["Zwolle", "utrecht"])
    assert list(gdf["name"]) == ["Zwolle", "utrecht"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.iloc[0].contains(shapely.Point(6.05, 52.45))


def test_load_area_geojson_reports_every_bad_feature(tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[5, 52], [5.1, 52.1], [5.1, 52], [5, 52.1], [5, 52]]]}
    data = {
        "type": "FeatureCollection",
        "features": [
            _feature({"name": "Utrecht"}, _square(5.0, 52.0)),
            _feature({"title": "nameless"}, _square(6.0, 52.0)),
            _feature({"name": "Zwolle"}, bowtie),
            _feature({"name": "Punt"}, {"type": "Point", "coordinates": [5, 52]}),
            _feature({"name": "RD"}, _square(155000, 463000, 1000)),
        ],
    }
    path = write_file(tmp_path, "areas.geojson", json.dumps(data))
    with pytest.raises(GeoInputError) as err:
        load_area_geojson(path, ["Utrecht", "Zwolle", "Zwole", "Amersfoort"])
    messages = err.value.messages
    assert messages[0] == "areas.geojson features[1]: no area name; set property 'name' (or 'naam') to a non-empty text"
    assert messages[1].startswith("areas.geojson features[2] (Zwolle), geometry: is invalid (Self-intersection")
    assert messages[2] == (
        "areas.geojson features[3] (Punt), geometry: is a Point; only Polygon or MultiPolygon is allowed"
    )
    assert messages[3] == (
        "areas.geojson features[4] (RD), geometry: has coordinates outside longitude/latitude range; "
        "GeoJSON must use WGS84 (EPSG:4326)"
    )
    assert messages[4:] == [
        "areas.geojson: no feature for area 'Zwole' (did you mean 'Zwolle'?)",
        "areas.geojson: no feature for area 'Amersfoort'",
    ]


def test_load_area_geojson_missing_geometry_and_duplicate_name(tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [
            _feature({"name": "Utrecht"}, _square(5.0, 52.0)),
            _feature({"name": "Zwolle"}, None),
            _feature({"naam": "utrecht"}, _square(5.2, 52.0)),
        ],
    }
    path = write_file(tmp_path, "areas.geojson", json.dumps(data))
    with pytest.raises(GeoInputError) as err:
        load_area_geojson(path, ["Utrecht"])
    assert err.value.messages == [
        "areas.geojson features[1] (Zwolle), geometry: missing; a Polygon or MultiPolygon is required",
        "areas.geojson features[2] (utrecht): name also used by features[0]; each area needs exactly one feature",
    ]


def test_load_area_geojson_rejects_non_feature_collections(tmp_path):
    path = write_file(tmp_path, "x.geojson", json.dumps(_square(5, 52)))
    with pytest.raises(GeoInputError, match="x.geojson: expected a GeoJSON FeatureCollection"):
        load_area_geojson(path, ["A"])
    broken = write_file(tmp_path, "broken.geojson", "{not json")
    with pytest.raises(GeoInputError, match="broken.geojson: not a readable GeoJSON file"):
        load_area_geojson(broken, ["A"])
