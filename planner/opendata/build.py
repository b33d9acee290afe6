"""A region's scenario from DUO's file: real demand of the institutions seated in it, generated supply.

:func:`region_demand` checks every row with students (its seat must be known, its crebo in the
qualification catalogue) and groups the rows by labour-market region; :func:`region_scenario`
builds one region's scenario: the institutions seated in it (one school location each, at its
seat), their full-time BOL students as study-year cohorts (:mod:`planner.opendata.demand`),
learning companies generated in the region's places (:mod:`planner.opendata.supply`) and the
BBL students at them. What the rules leave out is counted (:class:`RegionDemand`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner import geo
from planner.catalogue import qualifications
from planner.generate.institutions import Location
from planner.generate.regions import HOLIDAY_REGION_OF_PROVINCE, LABOUR_MARKET_REGIONS, fold, scenario_places
from planner.generate.school_year import FIRST_WEEK, HOLIDAYS_2026_27, LAST_WEEK
from planner.generate.supply import NEIGHBOURHOOD_MINUTES, CompanyDrawer
from planner.i18n import N_, _, fmt_int
from planner.opendata.demand import bol_cohorts
from planner.opendata.duo import DuoFile, Enrolment
from planner.opendata.regions import find_region, labour_market_regions, seats
from planner.opendata.supply import RealRecognitions, place_bbl, recognise_every_crebo
from planner.scenario import Calendar, InputProblem, Scenario, ScenarioError
from planner.scenario.problems import close_names

__all__ = [
    "EXCLUDED_BBL_NO_COMPANY", "EXCLUDED_DOMAIN", "EXCLUDED_PART_TIME", "NoSeatedInstitution", "RegionDemand",
    "RegionScenario", "STUDENTS_PER_COMPANY", "check_region", "region_demand", "region_scenario",
]

#: Generated learning companies per full-time BOL student: the generator's size S (4,000 for 12,000).
STUDENTS_PER_COMPANY = 3.0
#: A labour-market region the generator does not outline: the places within this distance of its seats.
REGION_KM = 25.0
#: The weight (thousands of inhabitants) of a seat's place missing from the place list: a municipality's main place.
SEAT_INHABITANTS_K = 15.0
#: The sector unit DUO gives students registered for a domain, not yet for a qualification.
DOMAIN_REGISTRATION = "inschr op domein"

#: What the rules leave out, counted per reason (full-time BOL and BBL students).
EXCLUDED_DOMAIN = N_("registered for an education domain, not a qualification (no crebo to plan)")
EXCLUDED_PART_TIME = N_("part-time BOL (BOLDT): the scenario model has no part-time students")
EXCLUDED_BBL_NO_COMPANY = N_("BBL students without a learning company of their sector chamber in the region")


@dataclass
class RegionDemand:
    """The rows of one labour-market region: its institutions' students per crebo and level.

    Attributes
    ----------
    region : str
        The labour-market region.
    institutions : dict
        Name and seat of every institution seated in the region, by BRIN code.
    bol, bbl : dict
        Students per (BRIN, crebo, level) in full-time BOL and in BBL.
    excluded : Counter
        Students left out, per reason (:data:`EXCLUDED_DOMAIN`, ...).
    """

    region: str
    institutions: dict[str, tuple[str, str]] = field(default_factory=dict)
    bol: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    bbl: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    excluded: Counter = field(default_factory=Counter)

    @property
    def bol_students(self) -> int:
        return sum(self.bol.values())

    @property
    def bbl_students(self) -> int:
        return sum(self.bbl.values())


class NoSeatedInstitution(ValueError):
    """A labour-market region with no institution seated in it (with students in the year read)."""

    def __init__(self, region: str, year: int, seated: list[str]):
        self.region = region
        super().__init__(_(
            "{region}: no MBO institution with students in {year} is seated in this labour-market region. DUO counts "
            "students at their institution's registered seat, so this region's students are counted in the regions "
            "where their institutions are seated: {regions}.").format(region=region, year=year, regions=", ".join(seated)))


def _row_problem(duo: DuoFile, row: Enrolment, field_name: str, message: str) -> InputProblem:
    return InputProblem(duo.name, f"row {row.row}", field_name, message)


def region_demand(duo: DuoFile) -> dict[str, RegionDemand]:
    """Every labour-market region with institutions seated in it, and their students.

    Raises
    ------
    ScenarioError
        Rows with an unknown seat or a crebo missing from the qualification catalogue (each named with its row).
    """
    known_seats = seats()
    catalogue = qualifications()
    regions: dict[str, RegionDemand] = {}
    problems: list[InputProblem] = []
    for row in duo.enrolments:
        seat = known_seats.get(row.seat)
        if seat is None:
            close = close_names(row.seat, known_seats)
            hint = _(" (did you mean {name!r}?)").format(name=close[0]) if close else ""
            problems.append(_row_problem(duo, row, "PLAATSNAAM", _(
                "{seat!r} is not a known institution seat (planner/opendata/data/seats.csv lists {count}){hint}").format(
                seat=row.seat, count=len(known_seats), hint=hint)))
            continue
        demand = regions.setdefault(seat.region, RegionDemand(seat.region))
        if fold(row.sector_unit).startswith(DOMAIN_REGISTRATION):
            demand.excluded[EXCLUDED_DOMAIN] += row.students
            continue
        if row.crebo not in catalogue:
            problems.append(_row_problem(duo, row, "KWALIFICATIE CODE", _(
                "crebo {crebo!r} ({name}) is not in the qualification catalogue (planner/catalogue/qualifications.csv)"
            ).format(crebo=row.crebo, name=row.qualification or "?")))
            continue
        if row.pathway == "BOLDT":
            demand.excluded[EXCLUDED_PART_TIME] += row.students
            continue
        demand.institutions.setdefault(row.institution, (row.institution_name, row.seat))
        table = demand.bol if row.pathway == "BOLVT" else demand.bbl
        table[(row.institution, row.crebo, row.level)] += row.students
    if problems:
        raise ScenarioError(problems)
    return regions


def check_region(name: str, duo: DuoFile, regions: dict[str, RegionDemand]) -> RegionDemand:
    """The demand of the region called ``name``.

    Raises
    ------
    ValueError
        An unknown region (with the known names and a suggestion).
    NoSeatedInstitution
        A region with no institution seated in it.
    """
    region = find_region(name)
    if region is None:
        known = labour_market_regions()
        close = close_names(name, known)
        hint = _(" Did you mean {name}?").format(name=repr(close[0])) if close else ""
        raise ValueError(_("unknown labour-market region {name}; known: {known}.").format(
            name=repr(name), known=", ".join(known)) + hint)
    demand = regions.get(region)
    if demand is None or not demand.institutions:
        raise NoSeatedInstitution(region, duo.year, sorted((r for r, d in regions.items() if d.institutions), key=fold))
    return demand


def _haversine_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    lat, lon, lat0, lon0 = map(np.radians, (lat, lon, lat0, lon0))
    a = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat) * np.cos(lat0) * np.sin((lon - lon0) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def _region_places(region: str, seat_places: list[geo.Place]) -> tuple[pd.DataFrame, dict[str, int]]:
    """The places of a region's scenario, and the row of each seat's place.

    A region the generator outlines (Twente, ...) has the generator's places; any other the
    places within REGION_KM of its seats, in their provinces.
    """
    places = scenario_places()
    for p in seat_places:  # a seat's place missing from the place list comes with its coordinates
        if not ((np.abs(places["lat"] - p.lat) < 1e-6) & (np.abs(places["lon"] - p.lon) < 1e-6)).any():
            extra = {"name": p.name, "province": p.province, "municipality": p.municipality, "lat": p.lat, "lon": p.lon,
                     "area": p.name, "explicit": True, "inhabitants_k": SEAT_INHABITANTS_K,
                     "holiday_region": HOLIDAY_REGION_OF_PROVINCE.get(p.province, "midden")}
            places = pd.concat([places, pd.DataFrame([extra])], ignore_index=True)
    lat, lon = places["lat"].to_numpy(), places["lon"].to_numpy()
    at_seat = {p.name: (np.abs(lat - p.lat) < 1e-6) & (np.abs(lon - p.lon) < 1e-6) for p in seat_places}
    outline = LABOUR_MARKET_REGIONS.get(region)
    if outline is not None:
        centre = geo.find_place(outline.centre, outline.provinces[0])
        mask = (_haversine_km(lat, lon, centre.lat, centre.lon) <= outline.radius_km) & places["province"].isin(
            outline.provinces)
    else:
        mask = np.zeros(len(places), dtype=bool)
        for p in seat_places:
            mask |= (_haversine_km(lat, lon, p.lat, p.lon) <= REGION_KM) & (places["province"] == p.province).to_numpy()
    for hit in at_seat.values():
        mask |= hit
    chosen = places.loc[mask].reset_index(drop=True)
    row = {name: int(np.flatnonzero((np.abs(chosen["lat"] - p.lat) < 1e-6) & (np.abs(chosen["lon"] - p.lon) < 1e-6))[0])
           for name, p in ((p.name, p) for p in seat_places)}
    return chosen, row


@dataclass
class RegionScenario:
    """One region's scenario and what it holds (real and generated)."""

    scenario: Scenario
    demand: RegionDemand
    year: int
    companies: int
    bbl_left_out: int


def _rows(table: dict[tuple[str, str, str], int]) -> list[dict[str, Any]]:
    catalogue = qualifications()
    return [{"location": brin, "crebo": crebo, "programme": catalogue[crebo].name, "sector": catalogue[crebo].sector,
             "level": level, "students": students}
            for (brin, crebo, level), students in sorted(table.items())]


def region_scenario(demand: RegionDemand, year: int, seed: int = 0) -> RegionScenario:
    """The scenario of one region: real demand (Bron: DUO), generated supply.

    Parameters
    ----------
    demand : RegionDemand
        The region's rows (:func:`region_demand`, :func:`check_region`).
    year : int
        The year of the counts (for the description).
    seed : int, default 0
        Seed of the generated supply.

    Returns
    -------
    RegionScenario
        The validated scenario and its counts.
    """
    rng = np.random.default_rng(seed)
    known_seats = seats()
    seat_place = {brin: known_seats[seat].location() for brin, (_name, seat) in demand.institutions.items()}
    places, seat_row = _region_places(demand.region, list({p.name: p for p in seat_place.values()}.values()))
    calendar = Calendar(first_week=FIRST_WEEK, last_week=LAST_WEEK, holidays=HOLIDAYS_2026_27, holiday_rule="paused")
    network = geo.TravelNetwork(list(zip(places["area"], places["lat"], places["lon"])))
    pt, bike = network.minutes("pt").to_numpy(), network.minutes("bike").to_numpy()
    neighbourhood = (pt <= NEIGHBOURHOOD_MINUTES).astype(float)
    locations = {}
    for index, brin in enumerate(sorted(demand.institutions)):
        place = seat_row[seat_place[brin].name]
        locations[brin] = Location(id=brin, institution=index, area=places.at[place, "area"], place=place,
                                   holiday_region=places.at[place, "holiday_region"], region=0, weight=1.0)
    holiday_region = {brin: loc.holiday_region for brin, loc in locations.items()}
    cohorts = bol_cohorts(_rows(demand.bol), calendar, holiday_region)
    recognitions = RealRecognitions(np.random.default_rng([seed, 28]), cohorts,
                                    {brin: loc.place for brin, loc in locations.items()}, neighbourhood)
    n_companies = max(10, round(demand.bol_students / STUDENTS_PER_COMPANY))
    drawer = CompanyDrawer(rng, places, np.zeros(len(places), dtype=int), calendar, pt, bike, neighbourhood, locations,
                           cohorts, n_companies, recognitions)
    companies, _regions = drawer.draw()
    recognise_every_crebo(cohorts, companies, {brin: loc.area for brin, loc in locations.items()})
    first_open = {}
    for brin, region in holiday_region.items():
        mask = calendar.holiday_mask(region)
        first_open[brin] = calendar.weeks[mask.index(False)]
    bbl, left_out = place_bbl(rng, _rows(demand.bbl), companies, calendar.weeks, first_open)
    demand.excluded[EXCLUDED_BBL_NO_COMPANY] += left_out
    used = set(places["area"])
    areas = []
    for row in places.sort_values("area", key=lambda names: names.map(fold)).itertuples():
        if row.area in used:
            area: dict[str, Any] = {"name": row.area}
            if row.explicit:
                area.update(lat=round(float(row.lat), 5), lon=round(float(row.lon), 5))
            areas.append(area)
    description = _(
        "{region} from open data. Real demand (Bron: DUO, students on 1 October {year}): {bol} full-time BOL students "
        "and {bbl} BBL students of the institutions seated in the region, as study-year cohorts by the rule in "
        "docs/model.md. Generated supply: {companies} learning companies with fictional names and places, calibrated "
        "like the generator's regions (seed {seed}). Regions: Bron: CBS; places: GeoNames.").format(
        region=demand.region, year=year, bol=fmt_int(demand.bol_students), bbl=fmt_int(demand.bbl_students - left_out),
        companies=fmt_int(len(companies)), seed=seed)
    document = {
        "name": f"{demand.region} (DUO {year})",
        "description": description,
        "calendar": calendar.model_dump(),
        "areas": areas,
        "institutions": [
            {"id": brin, "name": demand.institutions[brin][0],
             "locations": [{"id": loc.id, "area": loc.area, "holiday_region": loc.holiday_region}]}
            for brin, loc in locations.items()
        ],
        "cohorts": cohorts + bbl,
        "companies": companies,
    }
    return RegionScenario(Scenario.model_validate(document), demand, year, len(companies), left_out)

