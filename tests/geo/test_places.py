"""The embedded Dutch place list: lookups, spellings, suggestions, and the data file itself."""

from __future__ import annotations

import importlib.resources

import pytest

from planner.geo.places import Place, dutch_places, find_place, suggest_places


def test_dutch_places_columns_and_size():
    df = dutch_places()
    assert list(df.columns) == ["name", "province", "municipality", "lat", "lon"]
    assert len(df) == 678
    assert df["lat"].between(50.7, 53.6).all() and df["lon"].between(3.3, 7.3).all()
    assert not df["municipality"].str.startswith("Gemeente").any()
    # Callers get a copy: the cached list stays intact.
    df.loc[0, "name"] = "changed"
    assert dutch_places().loc[0, "name"] != "changed"


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
    place = find_place(query)
    assert place is not None
    assert place.lat == pytest.approx(lat, abs=0.02)
    assert place.lon == pytest.approx(lon, abs=0.02)
    assert place.province == province


@pytest.mark.parametrize("query", ["Den Haag", "den haag", "'s-Gravenhage", "The Hague", "the  hague"])
def test_the_hague_under_its_common_names(query):
    place = find_place(query)
    assert place is not None and place.name == "The Hague" and place.municipality == "Den Haag"


@pytest.mark.parametrize("query", ["'s-Hertogenbosch", "s Hertogenbosch", "’s-Hertogenbosch", "Den Bosch"])
def test_den_bosch_spellings(query):
    assert find_place(query).name == "'s-Hertogenbosch"


def test_duplicate_names_prefer_own_municipality_then_province_filter():
    assert find_place("Hengelo").province == "Overijssel"
    gelderland = find_place("Hengelo", province="Gelderland")
    assert gelderland.municipality == "Bronckhorst"
    assert find_place("Laren", province="Noord-Holland").municipality == "Laren"
    assert find_place("Hengelo", province="Zeeland") is None


def test_unknown_place_and_place_is_frozen():
    assert find_place("Atlantis") is None
    assert find_place("   ") is None
    with pytest.raises(AttributeError):
        find_place("Utrecht").lat = 0.0


@pytest.mark.parametrize(("typo", "expected"), [("Enschde", "Enschede"), ("Utrect", "Utrecht"), ("Zwole", "Zwolle")])
def test_suggestions_for_misspelled_names(typo, expected):
    suggestions = suggest_places(typo)
    assert expected in suggestions
    assert len(suggestions) <= 3
    assert all(find_place(s) is not None for s in suggestions)


def test_suggestions_are_best_first_and_include_aliases():
    assert suggest_places("Enschedee")[0] == "Enschede"
    assert suggest_places("Den Haga", n=2) == ["Den Haag", "Den Ham"]


def test_no_suggestions_for_gibberish():
    assert suggest_places("qqxxzz") == []


@pytest.mark.parametrize(
    ("query", "name", "province", "municipality", "lat", "lon"),
    [
        ("Utrecht", "Utrecht", "Utrecht", "Utrecht", 52.09083, 5.12222),
        ("Enschede", "Enschede", "Overijssel", "Enschede", 52.21833, 6.89583),
        ("Hengelo", "Hengelo", "Overijssel", "Hengelo", 52.26583, 6.79306),
        ("Den Haag", "The Hague", "South Holland", "Den Haag", 52.07667, 4.29861),
        ("Den Bosch", "'s-Hertogenbosch", "North Brabant", "'s-Hertogenbosch", 51.69917, 5.30417),
        ("Almere", "Almere Stad", "Flevoland", "Almere", 52.37025, 5.21413),
        ("Maastricht", "Maastricht", "Limburg", "Maastricht", 50.84833, 5.68889),
        ("Nuenen", "Nuenen", "North Brabant", "Nuenen, Gerwen en Nederwetten", 51.47, 5.55278),
    ],
)
def test_place_data_is_pinned(query, name, province, municipality, lat, lon):
    # Exact values: travel times and the shipped scenarios depend on these coordinates.
    assert find_place(query) == Place(name, province, municipality, lat, lon)


def test_place_list_is_the_projects_own_small_data_file():
    data = importlib.resources.files("planner.geo").joinpath("data")
    assert data.joinpath("ATTRIBUTION.md").is_file()
    places_csv = data.joinpath("places.csv")
    assert len(places_csv.read_bytes()) < 64_000
    header, *rows = places_csv.read_text(encoding="utf-8").splitlines()
    assert header == "name,province,municipality,lat,lon"
    assert len(rows) == len(dutch_places()) == 678
