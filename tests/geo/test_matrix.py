"""Measured travel times from a from,to,mode,minutes file, applied over the estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.geo.errors import GeoInputError
from planner.geo.matrix import travel_matrix_from_csv
from tests.geo.helpers import write_file


def test_matrix_csv_overrides_given_pairs_and_keeps_others(tmp_path, east_network):
    path = write_file(
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
    path = write_file(tmp_path, "nl.csv", "from;to;mode;minutes\nUtrecht;Arnhem;bike;120,5\n")
    assert east_network.with_matrix_csv(path).minutes("bike").loc["Utrecht", "Arnhem"] == 120.5


def test_bad_matrix_csv_lists_every_problem(tmp_path, east_network):
    path = write_file(
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
    good = write_file(tmp_path, "good.csv", "from,to,mode,minutes\nZwolle,Deventer,pt,30\n")
    matrices = travel_matrix_from_csv(good)
    assert list(matrices) == ["pt"] and list(matrices["pt"].index) == ["Zwolle", "Deventer"]
    assert east_network.with_matrix(matrices).minutes("pt").loc["Deventer", "Zwolle"] == 30

    bad = write_file(tmp_path, "bad.csv", "from,to,mode,minutes\nZwolle,Deventer,pt,30\nZwole,Arnhem,car,50\nA,B,boat,5\n")
    with pytest.raises(GeoInputError) as err:
        east_network.with_matrix(travel_matrix_from_csv(bad))
    assert err.value.messages == [
        "bad.csv row 3, from: 'Zwole' is not a known area (did you mean 'Zwolle'?)",
        "bad.csv row 4, mode: 'boat' is not one of bike, car, pt",
        "bad.csv row 4, from: 'A' is not a known area",
        "bad.csv row 4, to: 'B' is not a known area",
    ]


def test_matrix_csv_missing_column(tmp_path):
    path = write_file(tmp_path, "t.csv", "from,to,minutes\nA,B,3\n")
    with pytest.raises(GeoInputError) as err:
        travel_matrix_from_csv(path, ["A", "B"])
    assert err.value.messages == ["t.csv: missing column(s) mode; expected columns: from,to,mode,minutes"]
