"""Estimated travel times over the area graph: formula, barriers, modes, and path properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from planner.codes import TRAVEL_MODES
from planner.geo.errors import GeoInputError
from planner.geo.places import dutch_places
from planner.geo.projection import GEOD
from planner.geo.travel import DEFAULT_MODES, Barrier, TravelMode, TravelNetwork
from tests.geo.helpers import AMERSFOORT, ARNHEM, DEVENTER, ENSCHEDE, UTRECHT, ZWOLLE, nl_points


@pytest.mark.parametrize("mode", sorted(DEFAULT_MODES))
def test_minutes_symmetric_finite_and_self_positive(east_network, mode):
    m = east_network.minutes(mode)
    assert list(m.index) == list(m.columns) == east_network.names
    np.testing.assert_allclose(m.to_numpy(), m.to_numpy().T)
    assert np.isfinite(m.to_numpy()).all()
    spec = DEFAULT_MODES[mode]
    expected_self = spec.fixed_minutes + 2.0 * spec.detour_factor / spec.speed_kmh * 60
    np.testing.assert_allclose(np.diag(m.to_numpy()), expected_self)
    assert (np.diag(m.to_numpy()) > 0).all()


def test_two_areas_match_the_formula():
    net = TravelNetwork([UTRECHT, AMERSFOORT])
    km = shapely_free_km(UTRECHT, AMERSFOORT)
    for mode, spec in DEFAULT_MODES.items():
        expected = spec.fixed_minutes + km * spec.detour_factor / spec.speed_kmh * 60
        assert net.minutes(mode).loc["Utrecht", "Amersfoort"] == pytest.approx(expected)


def shapely_free_km(a, b) -> float:
    _, _, metres = GEOD.inv(a[2], a[1], b[2], b[1])
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
    for mode in DEFAULT_MODES:
        before = east_network.minutes(mode).loc["Zwolle", "Deventer"]
        after = blocked.minutes(mode).loc["Zwolle", "Deventer"]
        assert math.isfinite(after) and after > before


def test_penalty_adds_exactly_when_edge_stays_on_shortest_path(east_network):
    penalised = TravelNetwork(
        [UTRECHT, AMERSFOORT, ZWOLLE, ENSCHEDE, DEVENTER, ARNHEM], barriers=[Barrier("Zwolle", "Deventer", 2.5)]
    )
    for mode in DEFAULT_MODES:
        before = east_network.minutes(mode)
        after = penalised.minutes(mode)
        assert after.loc["Zwolle", "Deventer"] == pytest.approx(before.loc["Zwolle", "Deventer"] + 2.5)
        assert after.loc["Deventer", "Zwolle"] == pytest.approx(before.loc["Deventer", "Zwolle"] + 2.5)
        # Self trips do not use edges.
        np.testing.assert_allclose(np.diag(after.to_numpy()), np.diag(before.to_numpy()))


def test_penalty_on_the_only_link_is_added_exactly():
    net = TravelNetwork([UTRECHT, AMERSFOORT], barriers=[Barrier("Amersfoort", "Utrecht", 7)])
    plain = TravelNetwork([UTRECHT, AMERSFOORT])
    for mode in DEFAULT_MODES:
        diff = net.minutes(mode) - plain.minutes(mode)
        assert diff.loc["Utrecht", "Amersfoort"] == pytest.approx(7)


def test_removing_the_only_connection_makes_pair_unreachable():
    net = TravelNetwork([UTRECHT, AMERSFOORT], barriers=[Barrier("Utrecht", "Amersfoort", None)])
    for mode in DEFAULT_MODES:
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


def test_all_dutch_places_connected():
    # How long this takes is measured in docs/benchmarks.md, not asserted (it depends on the machine's load).
    places = dutch_places().drop_duplicates("name")
    areas = list(places[["name", "lat", "lon"]].itertuples(index=False, name=None))
    net = TravelNetwork(areas)
    matrices = {mode: net.minutes(mode) for mode in DEFAULT_MODES}
    for m in matrices.values():
        assert m.shape == (len(areas), len(areas))
        assert np.isfinite(m.to_numpy()).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nl_points(min_size=2))
def test_travel_times_symmetric_and_triangle_inequality(areas):
    net = TravelNetwork(areas)
    for mode in DEFAULT_MODES:
        t = net.minutes(mode).to_numpy()
        assert np.isfinite(t).all()
        np.testing.assert_allclose(t, t.T, rtol=1e-12)
        # t[i, k] <= t[i, j] + t[j, k] for every j and i != k. The diagonal is
        # a fixed within-place trip, not a path, so it is exempt as t[i, i].
        via = t[:, :, None] + t[None, :, :]
        ok = t[:, None, :] <= via + 1e-9
        off_diagonal = ~np.eye(len(t), dtype=bool)[:, None, :]
        assert ok[np.broadcast_to(off_diagonal, ok.shape)].all()


def test_every_travel_mode_code_has_a_speed_model():
    # Scenarios name travel modes by the codes in planner.codes; each needs a default speed model.
    assert sorted(DEFAULT_MODES) == sorted(TRAVEL_MODES)
