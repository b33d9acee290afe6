"""Tests for planner.geo.core: places, travel times and area polygons."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.geo import core as geo
from planner.geo.core import Barrier, GeoInputError, TravelMode, TravelNetwork

# Real places used throughout (lat, lon from the embedded list).
UTRECHT = ("Utrecht", 52.09083, 5.12222)
AMERSFOORT = ("Amersfoort", 52.155, 5.3875)
ZWOLLE = ("Zwolle", 52.5125, 6.09444)
ENSCHEDE = ("Enschede", 52.21833, 6.89583)
DEVENTER = ("Deventer", 52.255, 6.16389)
ARNHEM = ("Arnhem", 51.98, 5.91111)

NL_LAT = (50.8, 53.4)
NL_LON = (3.5, 7.1)


def _area(name: str) -> tuple[str, float, float]:
    place = geo.find_place(name)
    assert place is not None, name
    return (name, place.lat, place.lon)


# ---------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------


def test_dutch_places_columns_and_size():
    df = geo.dutch_places()
    assert list(df.columns) == ["name", "province", "municipality", "lat", "lon"]
    assert len(df) == 678
    assert df["lat"].between(50.7, 53.6).all() and df["lon"].between(3.3, 7.3).all()
    assert not df["municipality"].str.startswith("Gemeente").any()
    # Callers get a copy: the cached list stays intact.
    df.loc[0, "name"] = "changed"
    assert geo.dutch_places().loc[0, "name"] != "changed"


@pytest.mark.parametrize(
    ("query", "lat", "lon", "province"),
    [
        ("Enschede", 52.22, 6.90, "Overijssel"),
        ("Utrecht", 52.09, 5.12, "Utrecht"),
        ("Zwolle", 52.51, 6.09, "Overijssel"),
        ("  zwolle ", 52.51, 6.09, "Overijssel"),
        ("ENSCHEDE", 52.22, 6.90, "Overijssel"),
    ],
)
def test_find_place_resolves_with_sane_coordinates(query, lat, lon, province):
    place = geo.find_place(query)
    assert place is not None
    assert place.lat == pytest.approx(lat, abs=0.02)
    assert place.lon == pytest.approx(lon, abs=0.02)
    assert place.province == province


@pytest.mark.parametrize("query", ["Den Haag", "den haag", "'s-Gravenhage", "The Hague", "the  hague"])
def test_the_hague_under_its_common_names(query):
    place = geo.find_place(query)
    assert place is not None and place.name == "The Hague" and place.municipality == "Den Haag"


@pytest.mark.parametrize("query", ["'s-Hertogenbosch", "s Hertogenbosch", "’s-Hertogenbosch", "Den Bosch"])
def test_den_bosch_spellings(query):
    assert geo.find_place(query).name == "'s-Hertogenbosch"


def test_duplicate_names_prefer_own_municipality_then_province_filter():
    assert geo.find_place("Hengelo").province == "Overijssel"
    gelderland = geo.find_place("Hengelo", province="Gelderland")
    assert gelderland.municipality == "Bronckhorst"
    assert geo.find_place("Laren", province="Noord-Holland").municipality == "Laren"
    assert geo.find_place("Hengelo", province="Zeeland") is None


def test_unknown_place_and_place_is_frozen():
    assert geo.find_place("Atlantis") is None
    assert geo.find_place("   ") is None
    with pytest.raises(AttributeError):
        geo.find_place("Utrecht").lat = 0.0


@pytest.mark.parametrize(("typo", "expected"), [("Enschde", "Enschede"), ("Utrect", "Utrecht"), ("Zwole", "Zwolle")])
def test_suggestions_for_misspelled_names(typo, expected):
    suggestions = geo.suggest_places(typo)
    assert expected in suggestions
    assert len(suggestions) <= 3
    assert all(geo.find_place(s) is not None for s in suggestions)


def test_suggestions_are_best_first_and_include_aliases():
    assert geo.suggest_places("Enschedee")[0] == "Enschede"
    assert geo.suggest_places("Den Haga", n=2) == ["Den Haag", "Den Ham"]


def test_no_suggestions_for_gibberish():
    assert geo.suggest_places("qqxxzz") == []


# ---------------------------------------------------------------------------
# Travel times
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def east_network() -> TravelNetwork:
    return TravelNetwork([UTRECHT, AMERSFOORT, ZWOLLE, ENSCHEDE, DEVENTER, ARNHEM])


@pytest.mark.parametrize("mode", sorted(geo.DEFAULT_MODES))
def test_minutes_symmetric_finite_and_self_positive(east_network, mode):
    m = east_network.minutes(mode)
    assert list(m.index) == list(m.columns) == east_network.names
    np.testing.assert_allclose(m.to_numpy(), m.to_numpy().T)
    assert np.isfinite(m.to_numpy()).all()
    spec = geo.DEFAULT_MODES[mode]
    expected_self = spec.fixed_minutes + 2.0 * spec.detour_factor / spec.speed_kmh * 60
    np.testing.assert_allclose(np.diag(m.to_numpy()), expected_self)
    assert (np.diag(m.to_numpy()) > 0).all()


def test_two_areas_match_the_formula():
    net = TravelNetwork([UTRECHT, AMERSFOORT])
    km = shapely_free_km(UTRECHT, AMERSFOORT)
    for mode, spec in geo.DEFAULT_MODES.items():
        expected = spec.fixed_minutes + km * spec.detour_factor / spec.speed_kmh * 60
        assert net.minutes(mode).loc["Utrecht", "Amersfoort"] == pytest.approx(expected)


def shapely_free_km(a, b) -> float:
    _, _, metres = geo._GEOD.inv(a[2], a[1], b[2], b[1])
    return metres / 1000


def test_bike_slower_than_car_over_20_km():
    assert 18 < shapely_free_km(UTRECHT, AMERSFOORT) < 25
    net = TravelNetwork([UTRECHT, AMERSFOORT])
    bike = net.minutes("bike").loc["Utrecht", "Amersfoort"]
    pt = net.minutes("pt").loc["Utrecht", "Amersfoort"]
    car = net.minutes("car").loc["Utrecht", "Amersfoort"]
    assert bike > pt > car


def test_removing_an_edge_increases_travel_time(east_network):
    assert east_network.graph.has_edge("Zwolle", "Deventer")
    blocked = TravelNetwork(
        [UTRECHT, AMERSFOORT, ZWOLLE, ENSCHEDE, DEVENTER, ARNHEM], barriers=[Barrier("Zwolle", "Deventer", None)]
    )
    assert not blocked.graph.has_edge("Zwolle", "Deventer")
    for mode in geo.DEFAULT_MODES:
        before = east_network.minutes(mode).loc["Zwolle", "Deventer"]
        after = blocked.minutes(mode).loc["Zwolle", "Deventer"]
        assert math.isfinite(after) and after > before


def test_penalty_adds_exactly_when_edge_stays_on_shortest_path(east_network):
    penalised = TravelNetwork(
        [UTRECHT, AMERSFOORT, ZWOLLE, ENSCHEDE, DEVENTER, ARNHEM], barriers=[Barrier("Zwolle", "Deventer", 2.5)]
    )
    for mode in geo.DEFAULT_MODES:
        before = east_network.minutes(mode)
        after = penalised.minutes(mode)
        assert after.loc["Zwolle", "Deventer"] == pytest.approx(before.loc["Zwolle", "Deventer"] + 2.5)
        assert after.loc["Deventer", "Zwolle"] == pytest.approx(before.loc["Deventer", "Zwolle"] + 2.5)
        # Self trips do not use edges.
        np.testing.assert_allclose(np.diag(after.to_numpy()), np.diag(before.to_numpy()))


def test_penalty_on_the_only_link_is_added_exactly():
    net = TravelNetwork([UTRECHT, AMERSFOORT], barriers=[Barrier("Amersfoort", "Utrecht", 7)])
    plain = TravelNetwork([UTRECHT, AMERSFOORT])
    for mode in geo.DEFAULT_MODES:
        diff = net.minutes(mode) - plain.minutes(mode)
        assert diff.loc["Utrecht", "Amersfoort"] == pytest.approx(7)


def test_removing_the_only_connection_makes_pair_unreachable():
    net = TravelNetwork([UTRECHT, AMERSFOORT], barriers=[Barrier("Utrecht", "Amersfoort", None)])
    for mode in geo.DEFAULT_MODES:
        m = net.minutes(mode)
        assert m.loc["Utrecht", "Amersfoort"] == np.inf and m.loc["Amersfoort", "Utrecht"] == np.inf
        assert np.isfinite(np.diag(m.to_numpy())).all()


def test_barrier_between_non_adjacent_areas_has_no_effect_and_unknown_areas_fail():
    # 3 x 3 grid: opposite corners A and E are never linked directly.
    grid = [(52.0 + 0.1 * r, 5.0 + 0.15 * c) for r in range(3) for c in range(3)]
    areas = [(name, lat, lon) for name, (lat, lon) in zip("AXYZBWVUE", grid)]
    plain = TravelNetwork(areas)
    assert not plain.graph.has_edge("A", "E")
    barred = TravelNetwork(areas, barriers=[Barrier("A", "E", None)])
    pd.testing.assert_frame_equal(plain.minutes("car"), barred.minutes("car"))

    with pytest.raises(GeoInputError) as err:
        TravelNetwork(areas, barriers=[Barrier("A", "Q", None), Barrier("B", "B", -1)])
    assert err.value.messages == [
        "barrier 1, area_b: 'Q' is not a known area",
        "barrier 2: area_a and area_b must differ, both are 'B'",
        "barrier 2, penalty_minutes: -1 is not a non-negative number or None (removes the link)",
    ]


def test_degenerate_area_sets():
    one = TravelNetwork([UTRECHT])
    assert one.minutes("bike").shape == (1, 1) and one.minutes("bike").iloc[0, 0] > 0
    collinear = TravelNetwork([(f"P{i}", 52.0, 5.0 + 0.05 * i) for i in range(6)])
    assert np.isfinite(collinear.minutes("pt").to_numpy()).all()
    same_spot = TravelNetwork([("X", 52.0, 5.0), ("Y", 52.0, 5.0), ("Z", 52.1, 5.1), ("W", 52.2, 5.0)])
    assert np.isfinite(same_spot.minutes("car").to_numpy()).all()
    with pytest.raises(GeoInputError, match="used more than once"):
        TravelNetwork([UTRECHT, UTRECHT])
    with pytest.raises(ValueError, match="unknown travel mode 'boat'"):
        one.minutes("boat")


def test_custom_modes():
    walk = {"walk": TravelMode(speed_kmh=5, detour_factor=1.2)}
    net = TravelNetwork([UTRECHT, AMERSFOORT], modes=walk)
    assert list(net.modes) == ["walk"]
    km = shapely_free_km(UTRECHT, AMERSFOORT)
    assert net.minutes("walk").iloc[0, 1] == pytest.approx(km * 1.2 / 5 * 60)
    with pytest.raises(ValueError):
        TravelMode(speed_kmh=0, detour_factor=1.2)


def test_all_dutch_places_fast_and_connected():
    places = geo.dutch_places().drop_duplicates("name")
    areas = list(places[["name", "lat", "lon"]].itertuples(index=False, name=None))
    start = time.perf_counter()
    net = TravelNetwork(areas)
    matrices = {mode: net.minutes(mode) for mode in geo.DEFAULT_MODES}
    assert time.perf_counter() - start < 5
    for m in matrices.values():
        assert m.shape == (len(areas), len(areas))
        assert np.isfinite(m.to_numpy()).all()


# --- measured travel-time matrix ----------------------------------------------


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_matrix_csv_overrides_given_pairs_and_keeps_others(tmp_path, east_network):
    path = _write(
        tmp_path,
        "travel.csv",
        "from,to,mode,minutes\r\nUtrecht,Zwolle,car,55\r\nArnhem,Enschede,pt,80\r\nEnschede,Arnhem,pt,85.5\r\n",
    )
    net = east_network.with_matrix_csv(path)
    car, pt = net.minutes("car"), net.minutes("pt")
    # One direction given: used both ways.
    assert car.loc["Utrecht", "Zwolle"] == 55 and car.loc["Zwolle", "Utrecht"] == 55
    # Both directions given: each kept.
    assert pt.loc["Arnhem", "Enschede"] == 80 and pt.loc["Enschede", "Arnhem"] == 85.5
    base_car = east_network.minutes("car")
    mask = np.ones(base_car.shape, bool)
    i, j = base_car.index.get_loc("Utrecht"), base_car.columns.get_loc("Zwolle")
    mask[i, j] = mask[j, i] = False
    np.testing.assert_allclose(car.to_numpy()[mask], base_car.to_numpy()[mask])
    pd.testing.assert_frame_equal(net.minutes("bike"), east_network.minutes("bike"))
    # The original network is unchanged.
    assert east_network.minutes("car").loc["Utrecht", "Zwolle"] != 55


def test_matrix_from_long_frame_and_semicolon_csv(tmp_path, east_network):
    frame = pd.DataFrame({"from": ["Utrecht"], "to": ["Arnhem"], "mode": ["bike"], "minutes": [150.0]})
    assert east_network.with_matrix(frame).minutes("bike").loc["Arnhem", "Utrecht"] == 150
    path = _write(tmp_path, "nl.csv", "from;to;mode;minutes\nUtrecht;Arnhem;bike;120,5\n")
    assert east_network.with_matrix_csv(path).minutes("bike").loc["Utrecht", "Arnhem"] == 120.5


def test_bad_matrix_csv_lists_every_problem(tmp_path, east_network):
    path = _write(
        tmp_path,
        "travel.csv",
        "from,to,mode,minutes\n"
        "Utrecht,Zwolle,car,40\n"
        "Utrect,Zwolle,car,40\n"
        "Utrecht,Zwolle,train,40\n"
        "\n"
        "Utrecht,Deventer,car,abc\n"
        "Utrecht,Deventer,pt,-3\n"
        "Utrecht,Zwolle,car,41\n"
        "Atlantis,Zwolle,bike,\n",
    )
    with pytest.raises(GeoInputError) as err:
        east_network.with_matrix_csv(path)
    assert err.value.messages == [
        "travel.csv row 3, from: 'Utrect' is not a known area (did you mean 'Utrecht'?)",
        "travel.csv row 4, mode: 'train' is not one of bike, car, pt",
        "travel.csv row 6, minutes: 'abc' is not a non-negative number",
        "travel.csv row 7, minutes: '-3' is not a non-negative number",
        "travel.csv row 8: Utrecht -> Zwolle (car) is already given in row 2",
        "travel.csv row 9, from: 'Atlantis' is not a known area",
        "travel.csv row 9, minutes: '' is not a non-negative number",
    ]
    assert str(err.value).splitlines() == err.value.messages


def test_matrix_read_without_areas_is_checked_by_the_network(tmp_path, east_network):
    good = _write(tmp_path, "good.csv", "from,to,mode,minutes\nZwolle,Deventer,pt,30\n")
    matrices = geo.travel_matrix_from_csv(good)
    assert list(matrices) == ["pt"] and list(matrices["pt"].index) == ["Zwolle", "Deventer"]
    assert east_network.with_matrix(matrices).minutes("pt").loc["Deventer", "Zwolle"] == 30

    bad = _write(tmp_path, "bad.csv", "from,to,mode,minutes\nZwolle,Deventer,pt,30\nZwole,Arnhem,car,50\nA,B,boat,5\n")
    with pytest.raises(GeoInputError) as err:
        east_network.with_matrix(geo.travel_matrix_from_csv(bad))
    assert err.value.messages == [
        "bad.csv row 3, from: 'Zwole' is not a known area (did you mean 'Zwolle'?)",
        "bad.csv row 4, mode: 'boat' is not one of bike, car, pt",
        "bad.csv row 4, from: 'A' is not a known area",
        "bad.csv row 4, to: 'B' is not a known area",
    ]


def test_matrix_csv_missing_column(tmp_path):
    path = _write(tmp_path, "t.csv", "from,to,minutes\nA,B,3\n")
    with pytest.raises(GeoInputError) as err:
        geo.travel_matrix_from_csv(path, ["A", "B"])
    assert err.value.messages == ["t.csv: missing column(s) mode; expected columns: from,to,mode,minutes"]


# --- properties ------------------------------------------------------------------


@st.composite
def nl_points(draw, min_size=1, max_size=14):
    """Distinct random points in the Netherlands' bounding box, >= ~0.5 km apart."""
    n = draw(st.integers(min_size, max_size))
    coords = draw(
        st.lists(
            st.tuples(st.floats(*NL_LAT), st.floats(*NL_LON)),
            min_size=n,
            max_size=n,
            unique_by=lambda p: (round(p[0], 2), round(p[1], 2)),
        )
    )
    return [(f"A{i}", lat, lon) for i, (lat, lon) in enumerate(coords)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nl_points(min_size=2))
def test_travel_times_symmetric_and_triangle_inequality(areas):
    net = TravelNetwork(areas)
    for mode in geo.DEFAULT_MODES:
        t = net.minutes(mode).to_numpy()
        assert np.isfinite(t).all()
        np.testing.assert_allclose(t, t.T, rtol=1e-12)
        # t[i, k] <= t[i, j] + t[j, k] for every j and i != k. The diagonal is
        # a fixed within-place trip, not a path, so it is exempt as t[i, i].
        via = t[:, :, None] + t[None, :, :]
        ok = t[:, None, :] <= via + 1e-9
        off_diagonal = ~np.eye(len(t), dtype=bool)[:, None, :]
        assert ok[np.broadcast_to(off_diagonal, ok.shape)].all()


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
    gdf = geo.voronoi_areas(areas)
    pts = shapely.MultiPoint([(lon, lat) for _, lat, lon in areas])
    outline = geo._reproject(
        geo._reproject(pts, geo.WGS84, geo.RD_NEW).convex_hull.buffer(8000), geo.RD_NEW, geo.WGS84
    )
    _assert_voronoi_properties(gdf, areas, outline)


def test_voronoi_with_given_outline_and_small_cases():
    outline = shapely.box(4.9, 51.9, 5.6, 52.3)
    areas = [UTRECHT, AMERSFOORT]
    _assert_voronoi_properties(geo.voronoi_areas(areas, outline), areas, outline)
    single = geo.voronoi_areas([UTRECHT], outline)
    assert single.geometry.iloc[0].symmetric_difference(outline).area < 1e-12
    collinear = [(f"P{i}", 52.1, 5.0 + 0.1 * i) for i in range(5)]
    _assert_voronoi_properties(geo.voronoi_areas(collinear, outline), collinear, outline)
    with pytest.raises(GeoInputError, match="less than 1 m apart"):
        geo.voronoi_areas([("X", 52.0, 5.0), ("Y", 52.0, 5.0)])
    with pytest.warns(UserWarning, match="outside the outline"):
        geo.voronoi_areas([UTRECHT, ZWOLLE], outline)


def test_voronoi_with_concave_outline_and_hole():
    # Roughly the Netherlands, with a lake-like hole.
    outline = shapely.Polygon(
        [(3.4, 51.3), (4.5, 52.9), (5.0, 53.4), (7.2, 53.3), (7.0, 52.0), (6.1, 51.0), (5.6, 50.7), (5.4, 51.2)],
        holes=[[(5.2, 52.4), (5.6, 52.4), (5.6, 52.7), (5.2, 52.7)]],
    )
    inside = [_area(n) for n in ["Utrecht", "Zwolle", "Enschede", "Amsterdam", "Rotterdam", "Eindhoven", "Maastricht"]]
    in_hole = ("Meer", 52.55, 5.4)
    with pytest.warns(UserWarning, match="1 area point"):
        gdf = geo.voronoi_areas(inside + [in_hole], outline)
    _assert_voronoi_properties(gdf.iloc[:-1], inside, outline.difference(gdf.geometry.iloc[-1]))
    union = shapely.union_all(list(gdf.geometry))
    assert union.symmetric_difference(outline).area < 1e-9 * outline.area


def test_voronoi_rejects_points_closer_than_a_metre():
    with pytest.raises(GeoInputError) as err:
        geo.voronoi_areas([("X", 52.0, 5.0), ("Y", 52.0, 5.000001), ("Z", 52.1, 5.0)])
    assert err.value.messages == [
        "areas 'X' and 'Y' are less than 1 m apart; Voronoi cells need distinct locations"
    ]


def test_simplify_areas_keeps_cells_valid_and_adjacent():
    areas = [_area(n) for n in ["Utrecht", "Amersfoort", "Zeist", "Hilversum", "Nieuwegein", "Houten", "Veenendaal"]]
    cells = geo.voronoi_areas(areas)
    simple = geo.simplify_areas(cells, tolerance_m=300, precision=5)
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
    circles = geo.gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[shapely.Point(155_000, 463_000).buffer(5_000), shapely.Point(160_000, 463_000).buffer(5_000)],
        crs="EPSG:28992",
    )
    simple = geo.simplify_areas(circles, tolerance_m=500, precision=4)
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
    path = _write(tmp_path, "areas.geojson", json.dumps(data))
    gdf = geo.load_area_geojson(path, ["Zwolle", "utrecht"])
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
    path = _write(tmp_path, "areas.geojson", json.dumps(data))
    with pytest.raises(GeoInputError) as err:
        geo.load_area_geojson(path, ["Utrecht", "Zwolle", "Zwole", "Amersfoort"])
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
    path = _write(tmp_path, "areas.geojson", json.dumps(data))
    with pytest.raises(GeoInputError) as err:
        geo.load_area_geojson(path, ["Utrecht"])
    assert err.value.messages == [
        "areas.geojson features[1] (Zwolle), geometry: missing; a Polygon or MultiPolygon is required",
        "areas.geojson features[2] (utrecht): name also used by features[0]; each area needs exactly one feature",
    ]


def test_load_area_geojson_rejects_non_feature_collections(tmp_path):
    path = _write(tmp_path, "x.geojson", json.dumps(_square(5, 52)))
    with pytest.raises(GeoInputError, match="x.geojson: expected a GeoJSON FeatureCollection"):
        geo.load_area_geojson(path, ["A"])
    broken = _write(tmp_path, "broken.geojson", "{not json")
    with pytest.raises(GeoInputError, match="broken.geojson: not a readable GeoJSON file"):
        geo.load_area_geojson(broken, ["A"])
