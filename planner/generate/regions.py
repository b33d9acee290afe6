"""Where a generated scenario lies: the labour-market regions and provinces the generator knows,
the Dutch places in them (with weights and holiday regions), and their clustering into regions."""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import geo
from planner.generate.sizes import SizeSpec
from planner.i18n import N_, _

__all__ = [
    "HOLIDAY_REGION_OF_PROVINCE", "LABOUR_MARKET_REGIONS", "LabourMarketRegion", "UnknownRegion",
    "cluster_places", "find_labour_market_region", "fold", "labour_market_regions", "scenario_places",
    "select_places", "slug",
]


@dataclass(frozen=True)
class LabourMarketRegion:
    """A labour-market region (arbeidsmarktregio) approximated by the places near a centre.

    Attributes
    ----------
    name : str
        Region name.
    centre : str
        Place whose coordinates are the centre.
    provinces : tuple of str
        Provinces (English geonames spelling) whose places may belong to the region.
    radius_km : float
        Places within this straight-line distance of the centre belong to the region.
    """

    name: str
    centre: str
    provinces: tuple[str, ...]
    radius_km: float


LABOUR_MARKET_REGIONS: dict[str, LabourMarketRegion] = {
    r.name: r
    for r in (
        LabourMarketRegion("Twente", "Hengelo", ("Overijssel",), 27.0),
        LabourMarketRegion("Regio Zwolle", "Zwolle", ("Overijssel", "Gelderland", "Flevoland", "Drenthe"), 28.0),
        LabourMarketRegion("Groningen", "Groningen", ("Groningen", "Drenthe"), 30.0),
        LabourMarketRegion("Friesland", "Leeuwarden", ("Friesland",), 40.0),
        LabourMarketRegion("Midden-Utrecht", "Utrecht", ("Utrecht",), 22.0),
        LabourMarketRegion("Rijk van Nijmegen", "Nijmegen", ("Gelderland",), 20.0),
        LabourMarketRegion("Groot Amsterdam", "Amsterdam", ("North Holland",), 18.0),
        LabourMarketRegion("Rijnmond", "Rotterdam", ("South Holland",), 20.0),
        LabourMarketRegion("Zuid-Limburg", "Heerlen", ("Limburg",), 22.0),
        LabourMarketRegion("Zuidoost-Brabant", "Eindhoven", ("North Brabant",), 22.0),
    )
}

_PROVINCE_DUTCH_NAMES = {  # Dutch spelling -> geonames (English) spelling, where they differ
    "Noord-Holland": "North Holland",
    "Zuid-Holland": "South Holland",
    "Noord-Brabant": "North Brabant",
    "Fryslân": "Friesland",
}

# School holiday region per province. The official split follows municipalities (parts of
# Gelderland, Utrecht, Flevoland and Noord-Brabant differ); one region per province is a
# simplification: Gelderland, mostly 'zuid', is 'zuid' here.
HOLIDAY_REGION_OF_PROVINCE: dict[str, str] = {
    "Groningen": "noord", "Friesland": "noord", "Drenthe": "noord", "Overijssel": "noord",
    "Flevoland": "noord", "North Holland": "noord",
    "Utrecht": "midden", "South Holland": "midden",
    "Gelderland": "zuid", "North Brabant": "zuid", "Limburg": "zuid", "Zeeland": "zuid",
}

# Approximate inhabitants (thousands) of the larger places, used only as weights for where
# schools and companies are. Places not listed count 15 (a municipality's main place) or 4.
_INHABITANTS_K: dict[str, float] = {
    "Amsterdam": 800, "Rotterdam": 600, "The Hague": 500, "Utrecht": 360, "Eindhoven": 235,
    "Groningen": 235, "Tilburg": 220, "Almere Stad": 200, "Breda": 185, "Nijmegen": 180,
    "Apeldoorn": 140, "Arnhem": 165, "Haarlem": 165, "Enschede": 160, "Amersfoort": 160,
    "'s-Hertogenbosch": 125, "Zaandam": 80, "Zaanstad": 80, "Zwolle": 130, "Zoetermeer": 125,
    "Leeuwarden": 100, "Leiden": 125, "Maastricht": 120, "Dordrecht": 120, "Ede": 75,
    "Alphen aan den Rijn": 80, "Alkmaar": 100, "Emmen": 60, "Delft": 105, "Venlo": 70,
    "Deventer": 90, "Sittard": 40, "Helmond": 93, "Oss": 65, "Amstelveen": 92,
    "Hilversum": 90, "Heerlen": 85, "Hoofddorp": 78, "Purmerend": 90, "Spijkenisse": 72,
    "Schiedam": 80, "Lelystad": 80, "Roosendaal": 65, "Vlaardingen": 75, "Almelo": 74,
    "Gouda": 74, "Hengelo": 81, "Hoorn": 75, "Assen": 69, "Capelle aan den IJssel": 67,
    "Veenendaal": 68, "Katwijk aan Zee": 45, "Nieuwegein": 64, "Zeist": 60, "Roermond": 50,
    "Den Helder": 55, "Doetinchem": 50, "Hoogeveen": 45, "Terneuzen": 25, "Oosterhout": 50,
    "Kampen": 45, "Drachten": 45, "Heerhugowaard": 58, "Barneveld": 35, "Veldhoven": 46,
    "Woerden": 45, "Houten": 50, "Middelburg": 49, "Weert": 45, "Vlissingen": 45,
    "Harderwijk": 45, "Bergen op Zoom": 60, "Ridderkerk": 47, "Soest": 40, "Zwijndrecht": 45,
    "Tiel": 42, "Uden": 40, "Venray": 30, "Zutphen": 40, "Waalwijk": 40, "Heerenveen": 35,
    "Kerkrade": 45, "Wageningen": 40, "Meppel": 34, "Sneek": 34, "Goes": 38, "Gorinchem": 38,
    "Oldenzaal": 32, "Culemborg": 29, "Nijkerk": 35, "Rijswijk": 55, "Huizen": 41,
    "Maassluis": 34, "Papendrecht": 32, "Barendrecht": 49, "Hellevoetsluis": 40,
    "Pijnacker": 30, "Dronten": 30, "Emmeloord": 27, "Stadskanaal": 30, "Veendam": 28,
    "Hoogezand": 35, "Delfzijl": 25, "Coevorden": 15, "Hardenberg": 20, "Heiloo": 24,
    "Castricum": 36, "Beverwijk": 42, "Uithoorn": 30, "Aalsmeer": 33, "Diemen": 32,
    "Bussum": 33, "Baarn": 25, "De Bilt": 43, "IJsselstein": 34, "Leusden": 30, "Lisse": 23,
    "Leiderdorp": 28, "Oegstgeest": 25, "Wassenaar": 26, "Waddinxveen": 32, "Sliedrecht": 26,
    "Hendrik-Ido-Ambacht": 31, "Oud-Beijerland": 25, "Heemstede": 27, "Heemskerk": 39,
    "Urk": 22, "Zeewolde": 23, "Harlingen": 16, "Schijndel": 24, "Veghel": 32, "Boxtel": 31,
    "Best": 30, "Geldrop": 29, "Valkenswaard": 31, "Nuenen": 23, "Cuijk": 25, "Dongen": 26,
    "Oisterwijk": 27, "Goirle": 24, "Vught": 27, "Zaltbommel": 30, "Wijchen": 41,
    "Zevenaar": 35, "Duiven": 25, "Velp": 18, "Winterswijk": 29, "Epe": 20, "Ermelo": 27,
    "Putten": 24, "Nunspeet": 28, "Elburg": 23, "Lochem": 20, "Wierden": 24,
    "Vriezenveen": 20, "Haaksbergen": 24, "Losser": 22, "Borne": 24, "Raalte": 25,
    "Dalfsen": 20, "Brunssum": 27, "Hoensbroek": 20, "Stein": 24, "Tegelen": 19, "Geleen": 30,
    "Scheveningen": 55, "Delfshaven": 75, "Amsterdam-Zuidoost": 90, "Voorburg": 40,
    "Voorschoten": 25, "Naaldwijk": 20, "Monster": 10, "Noordwijk-Binnen": 25, "Hillegom": 22,
    "Sassenheim": 16, "Volendam": 22, "Enkhuizen": 18, "Schagen": 20, "Zandvoort": 17,
}

_DUTCH_DISPLAY_NAMES = {"The Hague": "Den Haag", "Almere Stad": "Almere"}


def fold(text: str) -> str:
    """``text`` without accents, case-folded and stripped: how names are compared."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()


def slug(text: str) -> str:
    """``text`` as a lower-case id part (``'s-Hertogenbosch`` -> ``s-hertogenbosch``)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def scenario_places() -> pd.DataFrame:
    """All Dutch places with an area name that resolves to them, a weight and a holiday region.

    Places whose name is shared with another place get the municipality in brackets and
    their coordinates in the scenario; near-identical duplicates are dropped.
    """
    places = geo.dutch_places()
    places = places.loc[~places.duplicated(["name", "municipality"])].reset_index(drop=True)
    names, explicit = [], []
    for row in places.itertuples():
        found = geo.find_place(row.name)
        resolves = found is not None and abs(found.lat - row.lat) < 1e-6 and abs(found.lon - row.lon) < 1e-6
        names.append(_DUTCH_DISPLAY_NAMES.get(row.name, row.name) if resolves else f"{row.name} ({row.municipality})")
        explicit.append(not resolves)
    places["area"] = names
    places["explicit"] = explicit  # the scenario gives these places' coordinates
    default = np.where(places["name"] == places["municipality"], 15.0, 4.0)
    places["inhabitants_k"] = [
        _INHABITANTS_K.get(name, d) for name, d in zip(places["name"], default)
    ]
    places["holiday_region"] = places["province"].map(HOLIDAY_REGION_OF_PROVINCE).fillna("midden")
    return places


#: What a region name names, in the message about an unknown one.
LABOUR_MARKET_REGION, PROVINCE = N_("labour-market region"), N_("province")


class UnknownRegion(ValueError):
    """A region name the generator does not know; the message lists the known names.

    Parameters
    ----------
    kind : str
        What was asked for: :data:`LABOUR_MARKET_REGION` or :data:`PROVINCE` (translated when shown).
    name : str
        The name given.
    known : list of str
        The names the generator knows, in the order to show them.
    """

    def __init__(self, kind: str, name: str, known: list[str]):
        self.kind, self.name, self.known = kind, name, list(known)
        by_fold = {fold(k): k for k in known}
        close = difflib.get_close_matches(fold(name), list(by_fold), n=1, cutoff=0.6)
        hint = _(" Did you mean {name}?").format(name=repr(by_fold[close[0]])) if close else ""
        super().__init__(_("unknown {kind} {name}; known: {known}.").format(
            kind=_(kind), name=repr(name), known=", ".join(known)) + hint)


def labour_market_regions() -> list[str]:
    """Names of the labour-market regions a size-S scenario can cover (``region=`` of
    :func:`~planner.generate.generate_scenario`)."""
    return list(LABOUR_MARKET_REGIONS)


def find_labour_market_region(name: str) -> LabourMarketRegion:
    """The labour-market region called ``name`` (case and accents ignored).

    Raises
    ------
    UnknownRegion
        When the generator does not know the name.
    """
    found = {fold(region): lmr for region, lmr in LABOUR_MARKET_REGIONS.items()}.get(fold(name))
    if found is None:
        raise UnknownRegion(LABOUR_MARKET_REGION, name, labour_market_regions())
    return found


def select_places(spec: SizeSpec, region: str | None) -> tuple[pd.DataFrame, str]:
    """The places a scenario of ``spec`` covers, and the name of its region.

    Raises
    ------
    UnknownRegion
        When ``region`` is not a labour-market region (size S) or province (size M) the
        generator knows.
    """
    places = scenario_places()
    if spec.scope == "national":
        if region not in (None, "Nederland", "Netherlands"):
            raise ValueError("a national scenario covers the whole country; leave region out")
        return places, "Nederland"
    wanted = region or spec.default_region
    if spec.scope == "province":
        if wanted is None:
            raise ValueError("give a province as region")
        province = {fold(d): e for d, e in _PROVINCE_DUTCH_NAMES.items()}.get(fold(wanted), wanted)
        known = {fold(p): p for p in places["province"].unique()}
        if fold(province) not in known:
            raise UnknownRegion(PROVINCE, wanted, sorted(known.values()))
        province = known[fold(province)]
        dutch = {english: dutch for dutch, english in _PROVINCE_DUTCH_NAMES.items()}.get(province, province)
        return places.loc[places["province"] == province].reset_index(drop=True), dutch
    if wanted is None:
        raise ValueError("give a labour-market region as region")
    lmr = find_labour_market_region(wanted)
    centre = geo.find_place(lmr.centre)
    assert centre is not None, lmr.centre
    distance = _haversine_km(places["lat"].to_numpy(), places["lon"].to_numpy(), centre.lat, centre.lon)
    mask = (distance <= lmr.radius_km) & places["province"].isin(lmr.provinces)
    return places.loc[mask].reset_index(drop=True), lmr.name


def cluster_places(places: pd.DataFrame, k: int, rng: np.random.Generator) -> np.ndarray:
    """Group places into ``k`` compact regions (k-means on km coordinates, k-means++ start)."""
    n = len(places)
    if k <= 1 or n <= k:
        return np.zeros(n, dtype=int) if k <= 1 else np.arange(n)
    xy = np.column_stack([
        places["lon"].to_numpy() * 111.32 * math.cos(math.radians(52.2)),
        places["lat"].to_numpy() * 110.57,
    ])
    centres = [xy[rng.integers(n)]]
    for _centre in range(1, k):
        d2 = np.min(((xy[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        centres.append(xy[rng.choice(n, p=d2 / d2.sum())])
    centres = np.array(centres)
    labels = np.full(n, -1)
    for _round in range(100):
        d2 = ((xy[:, None, :] - centres[None]) ** 2).sum(-1)
        new = d2.argmin(axis=1)
        for j in range(k):
            if not np.any(new == j):  # re-seed an empty group with the worst-served place
                new[int(d2[np.arange(n), new].argmax())] = j
        if np.array_equal(new, labels):
            break
        labels = new
        centres = np.array([xy[labels == j].mean(axis=0) for j in range(k)])
    return labels

