"""The embedded list of Dutch places: look a place up by name, or suggest names for a typo.

The list is the project's own data file ``planner/geo/data/places.csv``: the 678 Dutch
places of 1,000+ inhabitants from GeoNames (CC BY 4.0, see ``data/ATTRIBUTION.md``),
each with its province and municipality. Small, offline, and enough coverage for
municipalities and towns.
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import unicodedata
from dataclasses import dataclass

import pandas as pd

_PLACES_FILE = "data/places.csv"


@functools.cache
def _places() -> pd.DataFrame:
    with importlib.resources.files("planner.geo").joinpath(_PLACES_FILE).open("rb") as handle:
        places = pd.read_csv(
            handle,
            dtype={"name": str, "province": str, "municipality": str},
            keep_default_na=False,
        )
    return places.astype({"lat": float, "lon": float})
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


def match_key(text: str) -> str:
    """Matching key: ASCII-folded, case-folded, punctuation-insensitive."""
    text = unicodedata.normalize("NFKD", str(text).translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    # "'s-Hertogenbosch", "s Hertogenbosch" and "'s Hertogenbosch" all match.
    for ch in "'-\u2010\u2011\u2013\u2014.":
        text = text.replace(ch, " ")
    return " ".join(text.split())


# Well-known names that differ from the geonames spelling in the CSV.
_PLACE_ALIASES: dict[str, str] = {
    "Den Haag": "The Hague",
    "'s-Gravenhage": "The Hague",
    "Den Bosch": "'s-Hertogenbosch",
    "Almere": "Almere Stad",
}
_ALIAS_BY_KEY = {match_key(alias): target for alias, target in _PLACE_ALIASES.items()}

# The CSV uses English province names; accept the Dutch ones too.
_PROVINCE_ALIASES: dict[str, str] = {
    "Noord-Holland": "North Holland",
    "Zuid-Holland": "South Holland",
    "Noord-Brabant": "North Brabant",
    "Fryslân": "Friesland",
}


@functools.cache
def _place_index() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for pos, name in enumerate(_places()["name"]):
        index.setdefault(match_key(name), []).append(pos)
    return index


@dataclass(frozen=True)
class Place:
    """A Dutch place from the embedded list.

    Attributes
    ----------
    name, province, municipality : str
        Place name as in geonames, province (English geonames spelling, e.g.
        'North Brabant') and municipality without the 'Gemeente ' prefix.
    lat, lon : float
        WGS84 coordinates in degrees.
    """

    name: str
    province: str
    municipality: str
    lat: float
    lon: float


def dutch_places() -> pd.DataFrame:
    """Return all Dutch places of the embedded list.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, province, municipality, lat, lon``; one row per place
        (678 rows). Names are not unique (e.g. two Hengelos).
    """
    return _places().copy()


def find_place(name: str, province: str | None = None) -> Place | None:
    """Look up a Dutch place by name.

    Parameters
    ----------
    name : str
        Place name; matching ignores case, surrounding/repeated whitespace,
        accents, apostrophes and hyphens. Common alternative names are
        accepted (e.g. 'Den Haag', 'Den Bosch').
    province : str, optional
        Restrict to one province (English or Dutch name) to pick between
        places sharing a name.

    Returns
    -------
    Place or None
        The match, or None if unknown. When several places share the name,
        the one whose municipality has the same name wins, else the first.
    """
    key = match_key(name)
    if not key:
        return None
    places = _places()
    hits = _place_index().get(key)
    if not hits:
        alias = _ALIAS_BY_KEY.get(key)
        hits = _place_index().get(match_key(alias)) if alias else None
    if not hits:
        return None
    if province is not None:
        wanted = {match_key(province)}
        wanted |= {match_key(v) for k, v in _PROVINCE_ALIASES.items() if match_key(k) in wanted}
        hits = [i for i in hits if match_key(places.at[i, "province"]) in wanted]
        if not hits:
            return None
    chosen = next(
        (i for i in hits if match_key(places.at[i, "municipality"]) == match_key(places.at[i, "name"])),
        hits[0],
    )
    row = places.iloc[chosen]
    return Place(
        name=row["name"],
        province=row["province"],
        municipality=row["municipality"],
        lat=float(row["lat"]),
        lon=float(row["lon"]),
    )


def suggest_places(name: str, n: int = 3) -> list[str]:
    """Suggest known place names close to a misspelt one.

    Parameters
    ----------
    name : str
        The name that did not resolve.
    n : int, default 3
        Maximum number of suggestions.

    Returns
    -------
    list of str
        Up to ``n`` names that :func:`find_place` accepts, best first
        (difflib similarity of at least 0.6).
    """
    key = match_key(name)
    if not key or n <= 0:
        return []
    display: dict[str, str] = {k: _places().at[v[0], "name"] for k, v in _place_index().items()}
    for alias in _PLACE_ALIASES:
        display.setdefault(match_key(alias), alias)
    return [display[k] for k in difflib.get_close_matches(key, list(display), n=n, cutoff=0.6)]
