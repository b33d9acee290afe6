"""Generated scenarios: realistic, seeded internship demand and supply for the Netherlands.

:func:`generate_scenario` builds a :class:`~planner.scenario.Scenario` for one labour-market
region (size S), a province (M) or the whole country (L), on real Dutch places from
:func:`planner.geo.dutch_places`, with fictional institutions and companies. Everything is
drawn from ``numpy.random.default_rng(seed)``: the same size, seed and region give the same
scenario.

Calibration (see the domain brief): care is the largest sector chamber (about a third of BOL
students), BOL 4 the largest track, entree about 4-5 % of students. Schools start their
internships in the same popular weeks (status quo), so weekly demand peaks; supervision
capacity is sized against those peaks so that the status quo leaves about 1 % of BOL
students without a place (about 2 % for entree and level 2, most students in care), while
capacity over the whole year is ample. :func:`estimate_status_quo_shortage` gives a quick
estimate of that shortage; the solver gives the real figures.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.sparse.csgraph import connected_components

from planner import geo
from planner.codes import DAYS_PER_WEEK
from planner.scenario import Calendar, InternshipForm, Scenario, save_scenario

__all__ = [
    "DEMO",
    "DEMO_SEED",
    "LABOUR_MARKET_REGIONS",
    "SIZES",
    "LabourMarketRegion",
    "SizeSpec",
    "estimate_status_quo_shortage",
    "generate_scenario",
    "status_quo_short_students",
    "write_generated",
]


# ---------------------------------------------------------------------------
# Sizes and regions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeSpec:
    """How big a generated scenario is and which part of the country it covers.

    Attributes
    ----------
    label : str
        Short name used in the scenario name (``S``, ``M``, ``L``, ...).
    scope : {"labour_market_region", "province", "national"}
        One labour-market region (see :data:`LABOUR_MARKET_REGIONS`), one province, or
        all Dutch places clustered into ``labour_market_regions`` groups.
    bol_students : int
        BOL students who need an internship this school year.
    cohorts : int
        Cohorts in all (BOL and BBL).
    companies : int
        Learning companies.
    default_region : str or None
        Region or province used when :func:`generate_scenario` gets no ``region``.
    labour_market_regions : int or None
        National scope: number of labour-market regions (clusters of places).
        Province scope: None means one region per about 20 places.
    bbl_share : float
        BBL students as a share of BOL students (a fixed load on their own companies).
    """

    label: str
    scope: Literal["labour_market_region", "province", "national"]
    bol_students: int
    cohorts: int
    companies: int
    default_region: str | None = None
    labour_market_regions: int | None = None
    bbl_share: float = 0.04

    def __post_init__(self) -> None:
        if self.scope not in ("labour_market_region", "province", "national"):
            raise ValueError(f"unknown scope {self.scope!r}")
        if self.bol_students < 100 or self.cohorts < 5 or self.companies < 10:
            raise ValueError("a generated scenario needs at least 100 students, 5 cohorts and 10 companies")
        if not 10 <= self.bol_students / self.cohorts <= 60:
            raise ValueError("students per cohort must average 10 to 60")
        if not 0 <= self.bbl_share <= 0.5:
            raise ValueError("bbl_share must be between 0 and 0.5")


SIZES: dict[str, SizeSpec] = {
    "S": SizeSpec("S", "labour_market_region", 12_000, 400, 4_000, default_region="Twente"),
    "M": SizeSpec("M", "province", 50_000, 1_600, 15_000, default_region="Gelderland"),
    "L": SizeSpec("L", "national", 250_000, 8_000, 80_000, labour_market_regions=35),
}

#: The embedded default scenario (``scenarios/twente``): Twente, small enough to solve in
#: seconds, generated with seed ``DEMO_SEED``.
DEMO = SizeSpec("demo", "labour_market_region", 2_500, 80, 750, default_region="Twente")
DEMO_SEED = 37


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

# ---------------------------------------------------------------------------
# School year 2026/27
# ---------------------------------------------------------------------------

FIRST_WEEK, LAST_WEEK = "2026-W36", "2027-W28"

# School holidays 2026/27 per holiday region, in ISO weeks (approximately the recommended
# dates): autumn 10-18 Oct (noord) / 17-25 Oct (midden, zuid); Christmas 2026-W52 and W53
# everywhere; spring break with carnival (7-9 Feb 2027) in the south, a week later and two
# weeks later elsewhere; a two-week May break around King's Day; the northern summer break
# starting in 2027-W28.
HOLIDAYS_2026_27: dict[str, list[str]] = {
    "noord": ["2026-W42", "2026-W52", "2026-W53", "2027-W08", "2027-W17", "2027-W18", "2027-W28"],
    "midden": ["2026-W43", "2026-W52", "2026-W53", "2027-W07", "2027-W17", "2027-W18"],
    "zuid": ["2026-W43", "2026-W52", "2026-W53", "2027-W06", "2027-W17", "2027-W18"],
}

# Start weeks schools favour today (status quo): right after the summer (autumn); after the
# Christmas break, at the start of the third period and after the spring break (winter); a
# few cohorts start at other period starts (off-peak). Each institution has a favourite
# autumn and winter week.
AUTUMN_STARTS = ("2026-W37", "2026-W38", "2026-W39")
WINTER_STARTS = ("2027-W02", "2027-W06", "2027-W09")
OFF_PEAK_STARTS = ("2026-W46", "2027-W12", "2027-W15")
SEMESTER_SHARES = (0.60, 0.33, 0.07)  # autumn, winter, off-peak
PREFERRED_START_SHARE = 0.75  # cohorts that start in their institution's favourite week

BBL_FORM = "line:4x36"  # BBL students work four days a week (BBL_DAYS) the whole year

# ---------------------------------------------------------------------------
# Programmes: names follow real MBO qualifications; the five-digit crebo codes are in the
# range of the current qualification structure but illustrative (only some match the register)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    """A programme (opleiding) a cohort follows."""

    crebo: str
    name: str
    sector: str
    level: str
    weight: float  # share within its sector and level
    size: tuple[int, int]  # typical cohort size range
    profile: str  # key of BLOCK_WEEKS
    green: bool = False  # offered by agricultural (green) colleges


def _programmes() -> tuple[Programme, ...]:
    rows = [
        # Zorg, welzijn en sport
        ("25498", "Helpende zorg en welzijn", "zorg", "2", 1.0, (15, 40), "short"),
        ("25651", "Verzorgende-IG", "zorg", "3", 0.55, (25, 60), "care"),
        ("25486", "Pedagogisch medewerker kinderopvang", "zorg", "3", 0.25, (20, 45), "standard"),
        ("25476", "Medewerker maatschappelijke zorg", "zorg", "3", 0.20, (15, 40), "care"),
        ("25655", "Mbo-verpleegkundige", "zorg", "4", 0.35, (25, 60), "care"),
        ("25484", "Gespecialiseerd pedagogisch medewerker", "zorg", "4", 0.15, (20, 45), "standard"),
        ("25480", "Persoonlijk begeleider gehandicaptenzorg", "zorg", "4", 0.15, (15, 40), "care"),
        ("25482", "Sociaal werker", "zorg", "4", 0.20, (20, 50), "standard"),
        ("25409", "Coördinator sport, bewegen en gezondheid", "zorg", "4", 0.08, (15, 35), "standard"),
        ("25470", "Doktersassistent", "zorg", "4", 0.07, (15, 35), "standard"),
        # Techniek en gebouwde omgeving
        ("25330", "Timmerman", "techniek", "2", 0.35, (10, 25), "short"),
        ("25322", "Monteur elektrotechnische installaties", "techniek", "2", 0.35, (10, 25), "short"),
        ("25324", "Monteur werktuigkundige installaties", "techniek", "2", 0.30, (10, 25), "short"),
        ("25323", "Eerste monteur elektrotechnische installaties", "techniek", "3", 0.35, (12, 30), "standard"),
        ("25294", "Allround mechatronicus", "techniek", "3", 0.25, (12, 30), "standard"),
        ("25331", "Allround timmerman", "techniek", "3", 0.20, (10, 25), "standard"),
        ("25325", "Eerste monteur werktuigkundige installaties", "techniek", "3", 0.20, (10, 25), "standard"),
        ("25299", "Technicus engineering", "techniek", "4", 0.35, (15, 35), "standard"),
        ("25335", "Middenkaderfunctionaris bouw", "techniek", "4", 0.30, (15, 35), "standard"),
        ("25326", "Technicus installatietechniek", "techniek", "4", 0.20, (12, 30), "standard"),
        ("25336", "Middenkaderfunctionaris infra", "techniek", "4", 0.15, (12, 30), "standard"),
        # Handel
        ("25630", "Verkoper", "handel", "2", 1.0, (15, 35), "short"),
        ("25631", "Verkoopspecialist", "handel", "3", 1.0, (15, 40), "standard"),
        ("25632", "Manager retail", "handel", "4", 0.50, (20, 45), "standard"),
        ("25633", "Ondernemer retail", "handel", "4", 0.20, (15, 35), "standard"),
        ("25634", "Commercieel medewerker", "handel", "4", 0.30, (15, 40), "standard"),
        # Zakelijke dienstverlening en veiligheid
        ("25640", "Beveiliger", "zakelijk", "2", 0.60, (15, 35), "short"),
        ("25641", "Medewerker facilitaire dienstverlening", "zakelijk", "2", 0.40, (12, 30), "short"),
        ("25642", "Medewerker secretariaat en receptie", "zakelijk", "3", 0.50, (15, 35), "standard"),
        ("25643", "Financieel administratief medewerker", "zakelijk", "3", 0.50, (15, 35), "standard"),
        ("25644", "Management assistant", "zakelijk", "4", 0.30, (20, 45), "standard"),
        ("25645", "Bedrijfsadministrateur", "zakelijk", "4", 0.25, (15, 40), "standard"),
        ("25646", "Juridisch medewerker zakelijke dienstverlening", "zakelijk", "4", 0.25, (20, 45), "standard"),
        ("25647", "Medewerker human resource management", "zakelijk", "4", 0.20, (15, 40), "standard"),
        # Voedsel, groen en gastvrijheid
        ("25180", "Kok", "voedsel", "2", 0.40, (12, 30), "short"),
        ("25420", "Medewerker hovenier", "voedsel", "2", 0.30, (10, 25), "short", True),
        ("25424", "Medewerker dierverzorging", "voedsel", "2", 0.30, (10, 25), "short", True),
        ("25181", "Zelfstandig werkend kok", "voedsel", "3", 0.40, (12, 30), "standard"),
        ("25421", "Vakbekwaam hovenier", "voedsel", "3", 0.30, (10, 25), "standard", True),
        ("25425", "Dierverzorger", "voedsel", "3", 0.30, (12, 30), "standard", True),
        ("25182", "Leidinggevende keuken", "voedsel", "4", 0.35, (12, 30), "standard"),
        ("25185", "Manager/ondernemer horeca", "voedsel", "4", 0.35, (15, 35), "standard"),
        ("25428", "Vakexpert bloem, groen en styling", "voedsel", "4", 0.30, (10, 25), "standard", True),
        # Creatieve industrie en ICT
        ("25600", "Medewerker ICT", "ict", "2", 1.0, (12, 30), "short"),
        ("25601", "Allround medewerker IT systems and devices", "ict", "3", 1.0, (15, 35), "standard"),
        ("25604", "Software developer", "ict", "4", 0.40, (20, 45), "standard"),
        ("25605", "Expert IT systems and devices", "ict", "4", 0.25, (15, 35), "standard"),
        ("25610", "Mediavormgever", "ict", "4", 0.20, (15, 40), "standard"),
        ("25612", "AV-specialist", "ict", "4", 0.15, (12, 30), "standard"),
        # Mobiliteit, transport, logistiek en maritiem
        ("25200", "Autotechnicus", "mobiliteit", "2", 0.50, (12, 30), "short"),
        ("25360", "Logistiek medewerker", "mobiliteit", "2", 0.50, (12, 30), "short"),
        ("25201", "Eerste autotechnicus", "mobiliteit", "3", 0.50, (12, 30), "standard"),
        ("25361", "Logistiek teamleider", "mobiliteit", "3", 0.50, (12, 30), "standard"),
        ("25202", "Technisch specialist personenauto's", "mobiliteit", "4", 0.50, (10, 25), "standard"),
        ("25362", "Manager transport en logistiek", "mobiliteit", "4", 0.50, (12, 30), "standard"),
        # Specialistisch vakmanschap
        ("25400", "Kapper", "specialistisch", "2", 1.0, (12, 25), "short"),
        ("25401", "Allround kapper", "specialistisch", "3", 0.50, (10, 25), "standard"),
        ("25405", "Schoonheidsspecialist", "specialistisch", "3", 0.50, (12, 30), "standard"),
        ("25402", "Salonmanager", "specialistisch", "4", 0.50, (10, 20), "standard"),
        ("25390", "Instrumentmaker", "specialistisch", "4", 0.50, (10, 20), "standard"),
        # Entree
        ("25251", "Assistent dienstverlening en zorg (entree)", "entree", "entree", 0.25, (10, 25), "entree"),
        ("25252", "Assistent verkoop/retail (entree)", "entree", "entree", 0.25, (10, 25), "entree"),
        ("25253", "Assistent logistiek (entree)", "entree", "entree", 0.15, (10, 25), "entree"),
        ("25254", "Assistent horeca, voeding of voedingsindustrie (entree)", "entree", "entree", 0.20, (10, 25), "entree"),
        ("25255", "Assistent bouwen, wonen en onderhoud (entree)", "entree", "entree", 0.15, (10, 25), "entree"),
    ]
    return tuple(Programme(*row) for row in rows)


PROGRAMMES: tuple[Programme, ...] = _programmes()

# Share of BOL students per sector chamber, and per sector the mix over levels 2/3/4.
# Overall: entree 4.5 %, level 2 about 15 %, level 3 about 30 %, level 4 about 50 %.
SECTOR_SHARES: dict[str, float] = {
    "zorg": 0.32, "techniek": 0.16, "handel": 0.11, "zakelijk": 0.11, "voedsel": 0.09,
    "ict": 0.085, "mobiliteit": 0.05, "specialistisch": 0.03, "entree": 0.045,
}
LEVEL_MIX: dict[str, dict[str, float]] = {
    "zorg": {"2": 0.08, "3": 0.35, "4": 0.57},
    "techniek": {"2": 0.25, "3": 0.35, "4": 0.40},
    "handel": {"2": 0.25, "3": 0.25, "4": 0.50},
    "zakelijk": {"2": 0.10, "3": 0.25, "4": 0.65},
    "voedsel": {"2": 0.25, "3": 0.35, "4": 0.40},
    "ict": {"2": 0.05, "3": 0.20, "4": 0.75},
    "mobiliteit": {"2": 0.30, "3": 0.35, "4": 0.35},
    "specialistisch": {"2": 0.20, "3": 0.50, "4": 0.30},
    "entree": {"entree": 1.0},
}

# Block lengths (weeks, weight) per programme profile; care internships are often longer.
BLOCK_WEEKS: dict[str, tuple[tuple[int, float], ...]] = {
    "care": ((20, 0.40), (16, 0.35), (12, 0.25)),
    "standard": ((10, 0.30), (12, 0.25), (16, 0.30), (20, 0.15)),
    "short": ((10, 0.55), (12, 0.30), (16, 0.15)),
    "entree": ((10, 0.60), (12, 0.40)),
}
# Line forms of about the same number of student-days as a block of N weeks.
LINE_EQUIVALENTS: dict[int, tuple[str, ...]] = {
    10: ("line:2x25",),
    12: ("line:2x30", "line:3x20"),
    16: ("line:3x27", "line:4x20"),
    20: ("line:4x25",),
}
BOTH_FORMS_SHARE = {"entree": 0.7, "default": 0.5}  # cohorts allowing a block and a line form
LINE_CURRENT_SHARE = 0.30  # of those, cohorts doing the line form today
LINE_ONLY_SHARE = {"entree": 0.15, "default": 0.06}  # cohorts that only do a line internship
WINDOW_SLACK_WEEKS = (4, 14)  # weeks a window is longer than the longest form
MAX_WAVES = ((1, 0.3), (2, 0.5), (3, 0.2))

# Travel limits: most cohorts by public transport; entree and level-2 students often
# have no car and some not even public-transport money, so part of them bikes.
BIKE_SHARE = {"entree": 0.35, "2": 0.2}
BIKE_MINUTES = 30.0
PT_MINUTES = ((45.0, 0.6), (60.0, 0.4))

# BBL: share per sector chamber and per level (fixed load at the employing company).
BBL_SECTOR_SHARES = {
    "zorg": 0.40, "techniek": 0.30, "mobiliteit": 0.08, "handel": 0.07, "voedsel": 0.07,
    "zakelijk": 0.04, "ict": 0.02, "specialistisch": 0.02,
}
BBL_LEVEL_SHARES = {"2": 0.25, "3": 0.50, "4": 0.25}
BBL_COHORT_SIZE = (4, 16)
BBL_DAYS = 4

# ---------------------------------------------------------------------------
# Supply calibration
# ---------------------------------------------------------------------------

# Supply is sized against the status quo. Each cohort's weekly demand is spread over the
# places it can reach (by inhabitants, decaying with travel time over GRAVITY_MINUTES);
# the places of every neighbourhood (places within NEIGHBOURHOOD_MINUTES by public
# transport) add up to the neighbourhood's peak weekly demand plus an allowance for lumpy
# demand (REACH_ALLOWANCE), less a planned shortfall: the given share of the demand's
# volume (every student present). Level 2 and entree get their own scarce places
# (companies that take them); care is tighter than the other sectors. With these values
# the estimated status-quo shortage is about 1 % overall, 2-3 % for entree and level 2,
# most in care (see estimate_status_quo_shortage).
SHORTAGE_TARGET: dict[str, float] = {  # levels 3 and 4, per sector
    "zorg": 0.07, "techniek": 0.012, "handel": 0.012, "zakelijk": 0.012, "voedsel": 0.012,
    "ict": 0.012, "mobiliteit": 0.012, "specialistisch": 0.012,
}
LEVEL2_SHORTAGE_TARGET: dict[str, float] = {
    "zorg": 0.09, "techniek": 0.09, "handel": 0.09, "zakelijk": 0.09, "voedsel": 0.09,
    "ict": 0.09, "mobiliteit": 0.09, "specialistisch": 0.09,
}
ENTREE_SHORTAGE_TARGET = 0.12
# Places beyond a neighbourhood's peak because not every student reaches every place:
# the fewer cohorts share the places, the lumpier their demand, so the allowance is this
# constant over the square root of the number of cohorts in the neighbourhood.
REACH_ALLOWANCE = 0.3
LEVEL2_ALSO_UPPER = {"zorg": {"3": 0.8, "4": 0.3}, "default": {"3": 0.7, "4": 0.4}}
# Entree places: small and medium companies of these sectors (with these shares) also take
# entree students; those places come on top of the host sector's own.
ENTREE_HOSTS = {"handel": 0.25, "voedsel": 0.25, "zorg": 0.15, "techniek": 0.15, "mobiliteit": 0.10, "zakelijk": 0.10}
ENTREE_MAX_PLACES = 6  # small and medium companies are asked first

NEIGHBOURHOOD_MINUTES = 45.0  # places whose demand peaks together are sized together
OWN_PEAK_SHARE = 0.8  # ... but every place keeps at least this share of its own peak
GRAVITY_MINUTES = 15.0  # travel time over which the pull of a school location falls by e
POPULATION_ONLY_SHARE = 0.03  # of places spread by inhabitants alone, also far from schools
ONE_PLACE_SHARE = 0.6  # companies with a single supervision place
MAX_PLACES = {"zorg": 30, "default": 20}

# Companies with fewer places: closed at Christmas, half the places in May or early summer.
CHRISTMAS_WEEKS = ("2026-W52", "2026-W53")
MAY_WEEKS = ("2027-W17", "2027-W18")
SUMMER_WEEKS = ("2027-W27", "2027-W28")
CHRISTMAS_CLOSED_SHARE = 0.55
MAY_REDUCED_SHARE = 0.15
SUMMER_REDUCED_SHARE = 0.20

# ---------------------------------------------------------------------------
# Places and population
# ---------------------------------------------------------------------------

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


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _fold(text)).strip("-")


def _haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def _scenario_places() -> pd.DataFrame:
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


def _select_places(spec: SizeSpec, region: str | None) -> tuple[pd.DataFrame, str]:
    places = _scenario_places()
    if spec.scope == "national":
        if region not in (None, "Nederland", "Netherlands"):
            raise ValueError("a national scenario covers the whole country; leave region out")
        return places, "Nederland"
    wanted = region or spec.default_region
    if spec.scope == "province":
        if wanted is None:
            raise ValueError("give a province as region")
        province = {_fold(d): e for d, e in _PROVINCE_DUTCH_NAMES.items()}.get(_fold(wanted), wanted)
        known = {_fold(p): p for p in places["province"].unique()}
        if _fold(province) not in known:
            raise ValueError(f"unknown province {wanted!r}; known: {', '.join(sorted(known.values()))}")
        province = known[_fold(province)]
        dutch = {english: dutch for dutch, english in _PROVINCE_DUTCH_NAMES.items()}.get(province, province)
        return places.loc[places["province"] == province].reset_index(drop=True), dutch
    if wanted is None:
        raise ValueError("give a labour-market region as region")
    by_fold = {_fold(name): lmr for name, lmr in LABOUR_MARKET_REGIONS.items()}
    lmr = by_fold.get(_fold(wanted))
    if lmr is None:
        raise ValueError(
            f"unknown labour-market region {wanted!r}; known: {', '.join(LABOUR_MARKET_REGIONS)}"
        )
    centre = geo.find_place(lmr.centre)
    assert centre is not None, lmr.centre
    distance = _haversine_km(places["lat"].to_numpy(), places["lon"].to_numpy(), centre.lat, centre.lon)
    mask = (distance <= lmr.radius_km) & places["province"].isin(lmr.provinces)
    return places.loc[mask].reset_index(drop=True), lmr.name


def _cluster_places(places: pd.DataFrame, k: int, rng: np.random.Generator) -> np.ndarray:
    """Group places into ``k`` compact regions (k-means on km coordinates, k-means++ start)."""
    n = len(places)
    if k <= 1 or n <= k:
        return np.zeros(n, dtype=int) if k <= 1 else np.arange(n)
    xy = np.column_stack([
        places["lon"].to_numpy() * 111.32 * math.cos(math.radians(52.2)),
        places["lat"].to_numpy() * 110.57,
    ])
    centres = [xy[rng.integers(n)]]
    for _ in range(1, k):
        d2 = np.min(((xy[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        centres.append(xy[rng.choice(n, p=d2 / d2.sum())])
    centres = np.array(centres)
    labels = np.full(n, -1)
    for _ in range(100):
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


# ---------------------------------------------------------------------------
# Small sampling helpers
# ---------------------------------------------------------------------------


def _pick(rng: np.random.Generator, options: tuple[tuple[Any, float], ...] | dict[Any, float]) -> Any:
    items = list(options.items()) if isinstance(options, dict) else list(options)
    weights = np.array([w for _, w in items], dtype=float)
    return items[int(rng.choice(len(items), p=weights / weights.sum()))][0]


def _apportion(total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights``; remainders by systematic sampling."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(int)
    remainder = total - int(counts.sum())
    if remainder > 0:
        cumulative = np.cumsum(exact - counts)
        points = (rng.uniform() + np.arange(remainder)) * cumulative[-1] / remainder
        np.add.at(counts, np.minimum(np.searchsorted(cumulative, points, side="right"), len(counts) - 1), 1)
    return counts


def _sizes_summing_to(raw: np.ndarray, total: int, low: int, high: int, rng: np.random.Generator) -> np.ndarray:
    """Integers near ``raw`` (rescaled) within [low, high] that add up to ``total`` where possible."""
    sizes = np.clip(np.round(raw * total / max(raw.sum(), 1e-9)), low, high).astype(int)
    for _ in range(high - low + 1):
        gap = total - int(sizes.sum())
        candidates = np.flatnonzero(sizes < high if gap > 0 else sizes > low)
        if gap == 0 or len(candidates) == 0:
            break
        chosen = rng.choice(candidates, size=min(len(candidates), abs(gap)), replace=False)
        sizes[chosen] += 1 if gap > 0 else -1
    return sizes


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


@dataclass
class _Location:
    id: str
    institution: int
    area: str
    place: int  # row in the scenario places
    holiday_region: str
    region: int  # labour-market region (cluster) index
    weight: float


@dataclass
class _Institution:
    id: str
    name: str
    kind: str  # roc, vak, groen
    region: int
    autumn_start: str
    winter_start: str
    locations: list[_Location]


_VAK_SECTORS = {"techniek", "mobiliteit", "ict", "specialistisch"}

_COMPANY_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (small, large)
    "zorg": (("Zorggroep", "Thuiszorg", "Kinderopvang", "Woonzorgcentrum", "Welzijnsstichting",
              "Gezondheidscentrum", "Sportcentrum", "Huisartsenpraktijk"),
             ("Ziekenhuis", "Zorggroep", "Zorginstelling")),
    "techniek": (("Bouwbedrijf", "Installatiebedrijf", "Elektrotechniek", "Timmerbedrijf",
                  "Metaalbewerking", "Aannemersbedrijf"), ("Machinefabriek", "Bouwgroep", "Installatiegroep")),
    "handel": (("Supermarkt", "Bouwmarkt", "Modewinkel", "Woonwinkel", "Groothandel", "Drogisterij"),
               ("Distributiecentrum", "Warenhuis")),
    "zakelijk": (("Administratiekantoor", "Advocatenkantoor", "Beveiligingsbedrijf", "Schoonmaakbedrijf",
                  "Uitzendbureau", "Adviesbureau"), ("Verzekeraar", "Dienstencentrum")),
    "voedsel": (("Restaurant", "Hotel", "Bakkerij", "Hoveniersbedrijf", "Dierenkliniek", "Kwekerij",
                 "Eetcafé"), ("Hotel", "Voedingsbedrijf")),
    "ict": (("ICT-bedrijf", "Webbureau", "Drukkerij", "Mediabureau", "Evenementenbureau"),
            ("IT-dienstverlener", "Mediagroep")),
    "mobiliteit": (("Autobedrijf", "Garage", "Transportbedrijf", "Fietsenmaker", "Koeriersdienst"),
                   ("Transportbedrijf", "Logistiek centrum")),
    "specialistisch": (("Kapsalon", "Schoonheidssalon", "Meubelmakerij", "Edelsmidse", "Instrumentmakerij"),
                       ("Meubelfabriek", "Instrumentmakerij")),
}
_DISTRICTS = ("Noord", "Oost", "Zuid", "West", "Centrum")


class _Builder:
    """Builds one scenario; holds the random state and intermediate tables."""

    def __init__(self, spec: SizeSpec, seed: int, region: str | None):
        self.spec = spec
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.places, self.region_name = _select_places(spec, region)
        if len(self.places) < 2:
            raise ValueError(f"region {self.region_name!r} has fewer than two known places")
        self.calendar = Calendar(first_week=FIRST_WEEK, last_week=LAST_WEEK, holidays=HOLIDAYS_2026_27,
                                 holiday_rule="paused")
        self.weeks = self.calendar.weeks
        self.n_weeks = len(self.weeks)
        self.area_index = {area: i for i, area in enumerate(self.places["area"])}
        self.open_weeks = {
            r: [i for i, h in enumerate(self.calendar.holiday_mask(r)) if not h] for r in HOLIDAYS_2026_27
        }
        network = geo.TravelNetwork(
            list(zip(self.places["area"], self.places["lat"], self.places["lon"]))
        )
        self.pt_minutes = network.minutes("pt").to_numpy()
        self.bike_minutes = network.minutes("bike").to_numpy()
        # Places whose companies serve the same students: within NEIGHBOURHOOD_MINUTES by public transport.
        self.neighbourhood = (self.pt_minutes <= NEIGHBOURHOOD_MINUTES).astype(float)

    # -- regions -----------------------------------------------------------

    def cluster(self) -> None:
        """Group the places into labour-market regions and share the students out by inhabitants."""
        spec = self.spec
        if spec.scope == "national":
            k = spec.labour_market_regions or 35
        elif spec.scope == "province":
            k = spec.labour_market_regions or max(1, round(len(self.places) / 20))
        else:
            k = 1
        self.labels = _cluster_places(self.places, k, self.rng)
        self.n_regions = int(self.labels.max()) + 1
        weight = self.places["inhabitants_k"].to_numpy()
        self.region_weight = np.array([weight[self.labels == g].sum() for g in range(self.n_regions)])
        self.region_label = []
        for g in range(self.n_regions):
            members = np.flatnonzero(self.labels == g)
            biggest = members[np.argmax(weight[members])]
            self.region_label.append(self.places.at[biggest, "area"])
        if spec.scope == "labour_market_region":
            self.region_label = [self.region_name]
        self.region_students = _apportion(spec.bol_students, self.region_weight, self.rng)

    # -- institutions --------------------------------------------------------

    def institutions_and_locations(self) -> None:
        """Per region an ROC with 1-5 locations in its largest places; larger regions also get a
        technical college, a green college and a second ROC."""
        weight = self.places["inhabitants_k"].to_numpy()
        self.institutions: list[_Institution] = []
        for g in range(self.n_regions):
            members = np.flatnonzero(self.labels == g)
            ranked = members[np.argsort(-weight[members], kind="stable")]
            students = self.region_students[g]
            label = self.region_label[g]
            plans = [("roc", int(np.clip(round(students / 2500) + 1, 1, 5)))]
            if students >= 2000:
                plans.append(("vak", 1 + int(students >= 8000)))
                plans.append(("groen", 1 + int(students >= 10000 and self.rng.random() < 0.5)))
            if students >= 15000:
                plans.append(("roc2", int(np.clip(round(students / 5000), 2, 5))))
            for kind, n_locations in plans:
                self._add_institution(g, kind, label, ranked, n_locations)

    def _institution_name(self, kind: str, label: str, g: int) -> str:
        """A clearly fictional name from the region's name."""
        compass = self._compass(g)
        simple = re.fullmatch(r"[A-Z][a-z]+", label) is not None
        if kind == "roc":
            return f"ROC {label}stad" if simple else f"ROC Vakstad {label}"
        if kind == "roc2":
            return f"Beroepencampus {label}"
        if kind == "vak":
            return f"Vakcollege {label} {compass}"
        return f"Groencollege {label}"

    def _compass(self, g: int) -> str:
        """Rough direction of region ``g`` in the country, for institution names."""
        members = self.labels == g
        lat = float(self.places.loc[members, "lat"].mean())
        lon = float(self.places.loc[members, "lon"].mean())
        if lat > 52.8:
            return "Noord"
        if lat < 51.7:
            return "Zuid"
        if lon > 6.0:
            return "Oost"
        if lon < 4.9:
            return "West"
        return "Midden"

    def _add_institution(self, g: int, kind: str, label: str, ranked: np.ndarray, n_locations: int) -> None:
        index = len(self.institutions)
        inst_id = f"I{index + 1:03d}"
        if kind == "roc2":  # a second ROC starts at the second-largest place
            pool = np.concatenate([ranked[1:], ranked[:1]])
        elif kind == "groen":  # green colleges often sit in a smaller town
            pool = ranked[self.rng.permutation(min(len(ranked), 4))] if len(ranked) > 1 else ranked
            pool = np.concatenate([pool, ranked[min(len(ranked), 4):]])
        else:
            pool = ranked
        chosen = pool[: min(n_locations, len(pool))]
        weight = self.places["inhabitants_k"].to_numpy()
        locations = []
        for place in chosen:
            area = self.places.at[place, "area"]
            locations.append(_Location(
                id=f"{inst_id}-{_slug(area)}", institution=index, area=area, place=int(place),
                holiday_region=self.places.at[place, "holiday_region"], region=g,
                weight=float(weight[place]) ** 0.8,
            ))
        self.institutions.append(_Institution(
            id=inst_id, name=self._institution_name(kind, label, g), kind=kind, region=g,
            autumn_start=AUTUMN_STARTS[self.rng.integers(len(AUTUMN_STARTS))],
            winter_start=WINTER_STARTS[self.rng.integers(len(WINTER_STARTS))],
            locations=locations,
        ))

    def _locations_for(self, g: int, programme: Programme) -> tuple[list[_Location], np.ndarray]:
        """Locations in region ``g`` that offer ``programme``, with their weights."""
        options, weights = [], []
        for inst in self.institutions:
            if inst.region != g:
                continue
            if inst.kind == "vak" and programme.sector not in _VAK_SECTORS:
                continue
            if inst.kind == "groen" and not programme.green:
                continue
            share = {"roc": 1.0, "roc2": 0.8, "vak": 0.7, "groen": 4.0}[inst.kind]
            for loc in inst.locations:
                options.append(loc)
                weights.append(share * loc.weight)
        return options, np.array(weights)

    # -- BOL cohorts ---------------------------------------------------------

    def bol_cohorts(self) -> None:
        """BOL cohorts per region: programmes by sector and level shares, sizes adding up to
        the region's students, each at a location that offers it."""
        rng = self.rng
        spec = self.spec
        self.bbl_students = np.round(self.region_students * spec.bbl_share).astype(int)
        bbl_cohorts = np.round(self.bbl_students / np.mean(BBL_COHORT_SIZE)).astype(int)
        cohort_targets = _apportion(spec.cohorts, self.region_weight, rng) - bbl_cohorts
        cohort_targets = np.maximum(cohort_targets, np.ceil(self.region_students / 60).astype(int))
        groups = [(s, lvl) for s, mix in LEVEL_MIX.items() for lvl in mix]
        by_group = {key: [p for p in PROGRAMMES if (p.sector, p.level) == key] for key in groups}
        group_share = np.array([SECTOR_SHARES[s] * LEVEL_MIX[s][lvl] for s, lvl in groups])
        group_size = np.array([
            sum(p.weight * np.mean(p.size) for p in by_group[key]) / sum(p.weight for p in by_group[key])
            for key in groups
        ])
        self.cohorts: list[dict[str, Any]] = []
        used_ids: set[str] = set()
        for g in range(self.n_regions):
            noise = rng.lognormal(0.0, 0.15, len(groups))
            per_group = _apportion(int(cohort_targets[g]), group_share * noise / group_size, rng)
            chosen: list[Programme] = []
            for key, count in zip(groups, per_group):
                programmes = by_group[key]
                counts = _apportion(int(count), np.array([p.weight for p in programmes]), rng)
                for programme, k in zip(programmes, counts):
                    chosen.extend([programme] * int(k))
            if not chosen:
                continue
            raw = np.array([rng.uniform(*p.size) for p in chosen])
            sizes = _sizes_summing_to(raw, int(self.region_students[g]), 10, 60, rng)
            for programme, students in zip(chosen, sizes):
                locations, weights = self._locations_for(g, programme)
                location = locations[int(rng.choice(len(locations), p=weights / weights.sum()))]
                self.cohorts.append(self._bol_cohort(programme, int(students), location, used_ids))

    def _cohort_id(self, location: _Location, programme: Programme, used: set[str], bbl: bool = False) -> str:
        """``<location>-<crebo>-j<study year>`` (``bbl<n>`` for BBL), with a suffix when taken."""
        prefix = f"{location.id}-{programme.crebo}-{'bbl' if bbl else 'j'}"
        years = 4 if bbl else {"entree": 1, "2": 2, "3": 3, "4": 4}[programme.level]
        candidates = [f"{prefix}{year}" for year in range(1, years + 1)]
        candidate = next((c for c in candidates if c not in used), None)
        suffix = 2
        while candidate is None or candidate in used:
            candidate, suffix = f"{prefix}{years}-{suffix}", suffix + 1
        used.add(candidate)
        return candidate

    def _forms(self, programme: Programme) -> tuple[list[str], str]:
        """Allowed forms and the current one: a block, often also a line form of about the same
        student-days, sometimes only a line form."""
        rng = self.rng
        key = "entree" if programme.sector == "entree" else "default"
        block = _pick(rng, BLOCK_WEEKS[programme.profile])
        lines = LINE_EQUIVALENTS[block]
        line = lines[int(rng.integers(len(lines)))]
        roll = rng.random()
        if roll < LINE_ONLY_SHARE[key]:
            return [line], line
        if roll < LINE_ONLY_SHARE[key] + BOTH_FORMS_SHARE[key]:
            current = line if rng.random() < LINE_CURRENT_SHARE else f"block:{block}"
            return [f"block:{block}", line], current
        return [f"block:{block}"], f"block:{block}"

    def _current_start(self, inst: _Institution, region: str, weeks: int) -> int:
        """Index of the status-quo start week: popular weeks, the institution's favourite first."""
        rng = self.rng
        semester = _pick(rng, tuple(enumerate(SEMESTER_SHARES)))
        pool = (AUTUMN_STARTS, WINTER_STARTS, OFF_PEAK_STARTS)[semester]
        favourite = (inst.autumn_start, inst.winter_start, None)[semester]
        if favourite is not None and rng.random() < PREFERRED_START_SHARE:
            label = favourite
        else:
            label = pool[int(rng.integers(len(pool)))]
        open_weeks = self.open_weeks[region]
        wanted = self.calendar.week_index[label]
        # First open week at or after the wanted week (a holiday moves the start on).
        position = int(np.searchsorted(open_weeks, wanted))
        latest = len(open_weeks) - weeks  # the period must end inside the school year
        if position > latest:
            # Too late for this form: the latest popular start that still fits, else the latest start.
            popular = [self.calendar.week_index[w] for w in AUTUMN_STARTS + WINTER_STARTS]
            fitting = [int(np.searchsorted(open_weeks, w)) for w in popular]
            fitting = [p for p in fitting if p <= latest]
            position = max(fitting) if fitting else max(latest, 0)
        return position  # index into open_weeks

    def _bol_cohort(self, programme: Programme, students: int, location: _Location, used: set[str]) -> dict:
        """One BOL cohort row: forms, current period in a popular week, a window around it with
        4-14 spare weeks, travel limit and waves."""
        rng = self.rng
        inst = self.institutions[location.institution]
        region = location.holiday_region
        forms, current = self._forms(programme)
        parsed = [InternshipForm.parse(f) for f in forms]
        current_weeks = InternshipForm.parse(current).weeks
        longest = max(f.weeks for f in parsed)
        open_weeks = self.open_weeks[region]
        start = self._current_start(inst, region, current_weeks)
        # Window: the current period plus slack, in open (non-holiday) weeks.
        need = min(len(open_weeks), longest + int(rng.integers(WINDOW_SLACK_WEEKS[0], WINDOW_SLACK_WEEKS[1] + 1)))
        extra = need - current_weeks
        before = min(start, int(rng.integers(0, extra + 1)))
        first = start - before
        last = min(len(open_weeks) - 1, first + need - 1)
        first = max(0, min(first, last - need + 1))
        level = programme.level
        bike = level in BIKE_SHARE and rng.random() < BIKE_SHARE[level]
        mode, minutes = ("bike", BIKE_MINUTES) if bike else ("pt", _pick(rng, PT_MINUTES))
        waves = _pick(rng, MAX_WAVES) if students >= 15 else 1 + int(rng.random() < 0.4)
        return {
            "id": self._cohort_id(location, programme, used),
            "location": location.id,
            "crebo": programme.crebo,
            "programme": programme.name,
            "sector": programme.sector,
            "level": level,
            "pathway": "BOL",
            "students": students,
            "forms": forms,
            "earliest_start": self.weeks[open_weeks[first]],
            "latest_end": self.weeks[open_weeks[last]],
            "current_start": self.weeks[open_weeks[start]],
            "current_form": current,
            "max_travel_minutes": minutes,
            "travel_mode": mode,
            "max_waves": int(waves),
        }

    # -- supply --------------------------------------------------------------

    def _local_demand(self) -> tuple[dict[Any, np.ndarray], dict[Any, np.ndarray]]:
        """Status-quo demand around every place, in full-time equivalents (students x days / 5).

        Each cohort's weekly demand is spread over the places within its travel limit in
        proportion to their inhabitants, decaying with travel time. Returns, per key (a
        sector or ``(sector, level)``) and place: the places it needs (for cyclists the
        peak of their demand; for the others their demand in the peak week of the place's
        neighbourhood, but at least ``OWN_PEAK_SHARE`` of their own peak, so neighbours
        whose peaks fall in different weeks do not each keep spare places for the same
        students); the volume (demand with every student present); and the peak weekly
        demand of the place's neighbourhood.
        """
        inhabitants = self.places["inhabitants_k"].to_numpy().astype(float)

        def spread(minutes: np.ndarray, limit: float) -> np.ndarray:
            pull = np.where(minutes <= limit, np.exp(-minutes / GRAVITY_MINUTES), 0.0) * inhabitants[None, :]
            return pull / pull.sum(axis=1, keepdims=True)

        minutes = {"pt": self.pt_minutes, "bike": self.bike_minutes}
        locations = {loc.id: loc for inst in self.institutions for loc in inst.locations}
        load: dict[tuple[Any, Any], np.ndarray] = defaultdict(lambda: np.zeros((len(self.places), self.n_weeks)))
        volume: dict[tuple[Any, Any], np.ndarray] = defaultdict(lambda: np.zeros(len(self.places)))
        for cohort in self.cohorts:
            form = InternshipForm.parse(cohort["current_form"])
            location = locations[cohort["location"]]
            weeks = self.calendar.occupied_weeks(
                self.calendar.week_index[cohort["current_start"]], form, location.holiday_region)
            assert weeks is not None, cohort["id"]
            fte = cohort["students"] * form.days_per_week / DAYS_PER_WEEK
            reach = (cohort["travel_mode"], cohort["max_travel_minutes"])
            for key in (cohort["sector"], (cohort["sector"], cohort["level"])):
                load[(key, reach)][location.place, weeks] += fte
                volume[(key, reach)][location.place] += fte
        spreads = {reach: spread(minutes[reach[0]], reach[1]) for reach in {reach for _, reach in load}}
        cycling: dict[Any, np.ndarray] = {}
        travelling: dict[Any, np.ndarray] = {}
        volumes: dict[Any, np.ndarray] = defaultdict(lambda: np.zeros(len(self.places)))
        for (key, reach), weekly in load.items():
            target = cycling if reach[0] == "bike" else travelling
            target[key] = target.get(key, 0.0) + spreads[reach].T @ weekly
            volumes[key] += spreads[reach].T @ volume[(key, reach)]
        neighbourhood = self.neighbourhood
        needs = {}
        for key in volumes:
            need = cycling[key].max(axis=1) if key in cycling else np.zeros(len(self.places))
            if key in travelling:
                peak_week = (neighbourhood @ travelling[key]).argmax(axis=1)
                at_peak = travelling[key][np.arange(len(self.places)), peak_week]
                need = need + np.maximum(at_peak, OWN_PEAK_SHARE * travelling[key].max(axis=1))
            needs[key] = need
        # The peak week's demand of every place's neighbourhood: what its places share.
        neighbourhood_peaks = {
            key: (neighbourhood @ (cycling.get(key, 0.0) + travelling.get(key, 0.0))).max(axis=1) for key in volumes
        }
        return needs, dict(volumes), neighbourhood_peaks

    def companies(self) -> None:
        """Learning companies sized against the status quo (see the calibration constants)."""
        rng = self.rng
        needs, volumes, neighbourhood_peaks = self._local_demand()
        neighbourhood = self.neighbourhood
        locations = {loc.id: loc for inst in self.institutions for loc in inst.locations}
        cohorts_at: dict[Any, np.ndarray] = defaultdict(lambda: np.zeros(len(self.places)))
        for cohort in self.cohorts:
            place = locations[cohort["location"]].place
            cohorts_at[cohort["sector"]][place] += 1
            cohorts_at[(cohort["sector"], cohort["level"])][place] += 1
        no_demand = np.zeros(len(self.places))
        inhabitants = self.places["inhabitants_k"].to_numpy().astype(float)
        sectors = list(SHORTAGE_TARGET)

        def sized(key: Any, planned: np.ndarray) -> np.ndarray:
            """Places wanted per place for ``key``: its need, scaled so that its neighbourhood
            (places within NEIGHBOURHOOD_MINUTES) has that neighbourhood's peak plus an
            allowance, less the planned shortfall."""
            need = needs.get(key, no_demand)
            if not need.any():
                return no_demand.copy()
            cohorts_near = np.maximum(neighbourhood @ cohorts_at[key], 1.0)
            budget = neighbourhood_peaks[key] * (1 + REACH_ALLOWANCE / np.sqrt(cohorts_near)) - neighbourhood @ planned
            scale = np.maximum(budget, 0.0) / np.maximum(neighbourhood @ need, 1e-9)
            return need * scale

        entree_wanted = sized("entree", ENTREE_SHORTAGE_TARGET * volumes.get("entree", no_demand))
        wanted = np.zeros((len(sectors), len(self.places)))
        level_wanted: dict[tuple[str, str], np.ndarray] = {}
        for j, sector in enumerate(sectors):
            shortfall = {"2": LEVEL2_SHORTAGE_TARGET[sector], "3": SHORTAGE_TARGET[sector], "4": SHORTAGE_TARGET[sector]}
            planned = {level: rate * volumes.get((sector, level), no_demand) for level, rate in shortfall.items()}
            for level in shortfall:
                level_wanted[(sector, level)] = sized((sector, level), planned[level])
            # The sector's own places, the entree places it hosts, and a few places spread by
            # inhabitants alone.
            local = sized(sector, sum(planned.values())) + ENTREE_HOSTS.get(sector, 0.0) * entree_wanted
            for g in range(self.n_regions):
                members = self.labels == g
                share = inhabitants[members] / inhabitants[members].sum()
                local[members] = (1 - POPULATION_ONLY_SHARE) * local[members] + (
                    POPULATION_ONLY_SHARE * local[members].sum() * share)
            wanted[j] = local
        region_totals = np.array([[wanted[j, self.labels == g].sum() for j in range(len(sectors))]
                                  for g in range(self.n_regions)])
        counts = _apportion(self.spec.companies, region_totals.ravel(), rng).reshape(region_totals.shape)

        self.company_rows: list[dict[str, Any]] = []
        self.company_region: list[int] = []
        self.company_names: dict[tuple[str, str], int] = defaultdict(int)
        for g in range(self.n_regions):
            members = np.flatnonzero(self.labels == g)
            sector_of: list[str] = []
            places_of: list[np.ndarray] = []
            place_of: list[np.ndarray] = []
            levels_of: list[list[str]] = []
            for j, sector in enumerate(sectors):
                n = int(counts[g, j])
                if n == 0:
                    continue
                places, areas = self._draw_companies(n, sector, members, wanted[j, members])
                # Level 2 places are scarce: in each place, companies take level 2 until
                # their places reach the level-2 places wanted there.
                takes_level2 = self._mark_by_area(places, areas, np.ones(n, dtype=bool), level_wanted[(sector, "2")])
                upper = {level: level_wanted[(sector, level)] for level in ("3", "4")}
                levels_of.extend(self._draw_levels(sector, places, areas, takes_level2, upper))
                sector_of.extend([sector] * n)
                places_of.append(places)
                place_of.append(areas)
            if not sector_of:
                continue
            # Entree places: companies of the host sectors near entree demand, small ones first.
            places_all, areas_all = np.concatenate(places_of), np.concatenate(place_of)
            host = np.array([sector in ENTREE_HOSTS for sector in sector_of])
            takes_entree = self._mark_by_area(places_all, areas_all, host, entree_wanted,
                                              preferred=places_all <= ENTREE_MAX_PLACES)
            for k, sector in enumerate(sector_of):
                self.company_rows.append(self._company(
                    sector, int(places_all[k]), int(areas_all[k]), levels_of[k], bool(takes_entree[k])))
                self.company_region.append(g)

    def _draw_companies(self, n: int, sector: str, members: np.ndarray,
                        wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Places and area of ``n`` companies in the places ``members``, about ``wanted`` places each.

        Each place gets companies in proportion to the places wanted there, and their
        places add up to about that number, so local capacity follows local demand.
        """
        wanted = wanted + 1e-9
        per_area = _apportion(n, wanted, self.rng)
        places, areas = [], []
        for area, count, total in zip(members, per_area, wanted):
            if count:
                places.append(self._draw_places(int(count), float(total), sector))
                areas.append(np.full(count, area))
        order = self.rng.permutation(n)
        return np.concatenate(places)[order], np.concatenate(areas)[order]

    def _draw_places(self, n: int, total: float, sector: str) -> np.ndarray:
        """Supervision places of ``n`` companies: most have one, a long tail has many; sum near ``total``."""
        rng = self.rng
        cap = MAX_PLACES.get(sector, MAX_PLACES["default"])
        single = rng.random(n) < ONE_PLACE_SHARE
        places = np.ones(n, dtype=int)
        multi = np.flatnonzero(~single)
        if len(multi) == 0:
            return places
        spread = rng.lognormal(0.0, 1.0, len(multi))
        wanted = max(total - single.sum(), 2 * len(multi))
        low, high = 0.0, 50.0
        for _ in range(40):  # bisection on the tail's scale
            scale = (low + high) / 2
            trial = np.minimum(2 + np.floor(spread * scale), cap)
            if trial.sum() < wanted:
                low = scale
            else:
                high = scale
        places[multi] = np.minimum(2 + np.floor(spread * high), cap).astype(int)
        return places

    def _draw_levels(self, sector: str, places: np.ndarray, areas: np.ndarray, takes_level2: np.ndarray,
                     wanted: dict[str, np.ndarray]) -> list[list[str]]:
        """Accepted levels per company.

        Level-2 companies often also take level 3 (sometimes 4). Among the others, in every
        place, companies take level 3 until their places reach ``wanted["3"]`` there, and
        independently level 4 until ``wanted["4"]``, so many take both; a company left
        with neither takes one of them.
        """
        rng = self.rng
        also_upper = LEVEL2_ALSO_UPPER.get(sector, LEVEL2_ALSO_UPPER["default"])
        others = ~takes_level2
        takes = {lvl: self._mark_by_area(places, areas, others, wanted[lvl]) for lvl in ("3", "4")}
        rolls = rng.random((len(places), 2))
        result = []
        for k in range(len(places)):
            if takes_level2[k]:
                levels = {"2"}
                if rolls[k, 0] < also_upper["3"]:
                    levels.add("3")
                    if rolls[k, 1] < also_upper["4"]:
                        levels.add("4")
            else:
                levels = {lvl for lvl in ("3", "4") if takes[lvl][k]} or {"3" if rolls[k, 0] < 0.5 else "4"}
            result.append(sorted(levels))
        return result

    def _mark_by_area(self, places: np.ndarray, areas: np.ndarray, eligible: np.ndarray,
                      wanted: np.ndarray, preferred: np.ndarray | None = None) -> np.ndarray:
        """Mark companies so that, in every place, their places add up to about ``wanted[place]``.

        Eligible companies of each place are taken in random order (``preferred`` ones
        first), skipping those that would overshoot the remainder by more than half a
        place; a last remainder is rounded at random (one more company with a chance of
        remainder / its places), so that places add up to ``wanted`` on average.
        """
        marked = np.zeros(len(places), dtype=bool)
        first = np.ones(len(places), dtype=bool) if preferred is None else preferred
        for area in np.unique(areas[eligible]):
            remaining = wanted[area]
            candidates = np.flatnonzero(eligible & (areas == area))
            candidates = candidates[self.rng.permutation(len(candidates))]
            candidates = np.concatenate([candidates[first[candidates]], candidates[~first[candidates]]])
            for k in candidates:
                if remaining < 0.5:
                    break
                if places[k] <= remaining + 0.5:
                    marked[k] = True
                    remaining -= places[k]
            left = candidates[~marked[candidates]]
            if remaining > 0 and len(left):
                smallest = left[np.argmin(places[left])]
                if self.rng.random() < remaining / places[smallest]:
                    marked[smallest] = True
        return marked

    def _company(self, sector: str, places: int, place: int, levels: list[str], entree: bool) -> dict[str, Any]:
        """One company row: a fictional name, entree added when it takes entree students, and
        fewer places at Christmas, in May or in summer for some."""
        rng = self.rng
        area = self.places.at[place, "area"]
        small, large = _COMPANY_KINDS[sector]
        kinds = large if places >= 10 else small
        kind = kinds[int(rng.integers(len(kinds)))]
        town = area.split(" (")[0]
        if rng.random() < 0.25:
            town = f"{town}-{_DISTRICTS[int(rng.integers(len(_DISTRICTS)))]}"
        self.company_names[(kind, town)] += 1
        name = f"{kind} {town} {self.company_names[(kind, town)]}"
        sectors = [sector]
        if entree:
            sectors.append("entree")
            levels = ["entree", *levels]
        reduced: dict[str, int] = {}
        if rng.random() < CHRISTMAS_CLOSED_SHARE:
            reduced.update({week: 0 for week in CHRISTMAS_WEEKS})
        if rng.random() < MAY_REDUCED_SHARE:
            reduced.update({week: places // 2 for week in MAY_WEEKS})
        if rng.random() < SUMMER_REDUCED_SHARE:
            reduced.update({week: places // 2 for week in SUMMER_WEEKS})
        return {
            "id": f"LB{len(self.company_rows) + 1:05d}",
            "name": name,
            "area": area,
            "sectors": sectors,
            "levels": levels,
            "places": places,
            "reduced_weeks": dict(sorted(reduced.items())),
        }

    # -- BBL cohorts ---------------------------------------------------------

    def bbl_cohorts(self) -> None:
        """BBL cohorts: each works at one company of its sector (larger ones more likely),
        whose supervision places grow by the four days a week its students work there."""
        rng = self.rng
        used_ids = {c["id"] for c in self.cohorts}
        hosts: dict[tuple[int, str], list[int]] = defaultdict(list)
        for index, (row, g) in enumerate(zip(self.company_rows, self.company_region)):
            hosts[(g, row["sectors"][0])].append(index)
        shares = np.array(list(BBL_SECTOR_SHARES.values()))
        for g in range(self.n_regions):
            per_sector = _apportion(int(self.bbl_students[g]), shares, rng)
            for sector, students in zip(BBL_SECTOR_SHARES, per_sector):
                free = list(hosts.get((g, sector), []))
                while students > 0 and free:
                    places = np.array([self.company_rows[i]["places"] for i in free], dtype=float)
                    row = self.company_rows[free.pop(int(rng.choice(len(free), p=places / places.sum())))]
                    levels = [level for level in row["levels"] if level in BBL_LEVEL_SHARES]
                    if not levels:
                        continue
                    size = min(students, int(rng.integers(BBL_COHORT_SIZE[0], BBL_COHORT_SIZE[1] + 1)))
                    level = _pick(rng, {lvl: BBL_LEVEL_SHARES[lvl] for lvl in levels})
                    programme = _pick(rng, {p: p.weight for p in PROGRAMMES if (p.sector, p.level) == (sector, level)})
                    location = self._nearest_location(g, programme, row["area"])
                    self.cohorts.append(self._bbl_cohort(programme, size, location, row["id"], used_ids))
                    row["places"] += math.ceil(size * BBL_DAYS / DAYS_PER_WEEK)
                    row["reduced_weeks"] = {
                        week: 0 if week in CHRISTMAS_WEEKS else row["places"] // 2 for week in row["reduced_weeks"]
                    }
                    students -= size

    def _nearest_location(self, g: int, programme: Programme, area: str) -> _Location:
        """The location offering ``programme`` in region ``g`` closest to ``area``."""
        locations, _ = self._locations_for(g, programme)
        origin = self.area_index[area]
        return min(locations, key=lambda loc: (self.pt_minutes[origin, loc.place], loc.id))

    def _bbl_cohort(self, programme: Programme, students: int, location: _Location, company: str,
                    used: set[str]) -> dict[str, Any]:
        """One BBL cohort row: four days a week at ``company`` from the first school week on."""
        open_weeks = self.open_weeks[location.holiday_region]
        return {
            "id": self._cohort_id(location, programme, used, bbl=True),
            "location": location.id,
            "crebo": programme.crebo,
            "programme": programme.name,
            "sector": programme.sector,
            "level": programme.level,
            "pathway": "BBL",
            "students": students,
            "forms": [BBL_FORM],
            "earliest_start": self.weeks[0],
            "latest_end": self.weeks[-1],
            "current_start": self.weeks[open_weeks[0]],
            "current_form": BBL_FORM,
            "max_waves": 1,
            "company": company,
        }

    # -- assembly ------------------------------------------------------------

    def scenario(self) -> Scenario:
        """The validated scenario (areas in alphabetical order)."""
        areas = []
        for row in self.places.sort_values("area", key=lambda names: names.map(_fold)).itertuples():
            area: dict[str, Any] = {"name": row.area}
            if row.explicit:
                area.update(lat=round(float(row.lat), 5), lon=round(float(row.lon), 5))
            areas.append(area)
        spec = self.spec
        bol = sum(c["students"] for c in self.cohorts if c["pathway"] == "BOL")
        description = (
            f"Generated scenario (size {spec.label}, seed {self.seed}) for {self.region_name}: "
            f"{bol} BOL students in {len(self.cohorts)} cohorts, {len(self.company_rows)} learning companies, "
            f"{len(self.places)} places in {self.n_regions} labour-market region(s). Real place names; "
            "institutions, companies and all numbers are fictional."
        )
        document = {
            "name": f"{self.region_name} ({spec.label}, seed {self.seed})",
            "description": description,
            "calendar": self.calendar.model_dump(),
            "areas": areas,
            "institutions": [
                {
                    "id": inst.id,
                    "name": inst.name,
                    "locations": [
                        {"id": loc.id, "area": loc.area, "holiday_region": loc.holiday_region}
                        for loc in inst.locations
                    ],
                }
                for inst in self.institutions
            ],
            "cohorts": self.cohorts,
            "companies": self.company_rows,
        }
        return Scenario.model_validate(document)


def generate_scenario(size: Literal["S", "M", "L"] | SizeSpec, seed: int = 0, *, region: str | None = None) -> Scenario:
    """Generate a realistic scenario.

    Parameters
    ----------
    size : {"S", "M", "L"} or SizeSpec
        S: one labour-market region (about 12,000 BOL students, 4,000 companies);
        M: one province (50,000 students, 15,000 companies); L: the whole country in 35
        labour-market regions (250,000 students, 80,000 companies); or a custom size.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same arguments give the same scenario.
    region : str, optional
        S: a name from :data:`LABOUR_MARKET_REGIONS` (default Twente); M: a province,
        Dutch or English spelling (default Gelderland); L: leave out.

    Returns
    -------
    Scenario
        A validated scenario for the school year 2026/27 (2026-W36 to 2027-W28).
    """
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}; known: {', '.join(SIZES)} or a SizeSpec")
        spec = SIZES[size]
    else:
        spec = size
    builder = _Builder(spec, seed, region)
    builder.cluster()
    builder.institutions_and_locations()
    builder.bol_cohorts()
    builder.companies()
    builder.bbl_cohorts()
    return builder.scenario()


def write_generated(scenario: Scenario, path: str | Path) -> Path:
    """Save a generated scenario as YAML with ``cohorts.csv`` and ``companies.csv`` beside it.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    path : str or Path
        The YAML file to write, or a folder (then ``scenario.yaml`` in it).

    Returns
    -------
    Path
        The YAML file written.
    """
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        path = path / "scenario.yaml"
    return save_scenario(scenario, path, tables_as_csv=True)


# ---------------------------------------------------------------------------
# Status-quo shortage estimate
# ---------------------------------------------------------------------------


def status_quo_short_students(scenario: Scenario, base_dir: str | Path | None = None) -> np.ndarray:
    """Students per cohort (scenario order) left without a place in the status-quo estimate.

    See :func:`estimate_status_quo_shortage`. Values are fractional (a fluid estimate);
    BBL cohorts get 0.
    """
    from planner.geo.region import Region

    calendar = scenario.calendar
    n_weeks = len(calendar.weeks)
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    region = Region(scenario, Path(base_dir) if base_dir else None)

    # Pools: companies with the same area, sector chambers and levels are interchangeable.
    pool_index: dict[tuple[int, tuple[str, ...], tuple[str, ...]], int] = {}
    company_pool = np.empty(len(scenario.companies), dtype=int)
    capacity_rows: list[np.ndarray] = []
    for k, company in enumerate(scenario.companies):
        key = (area_index[company.area], tuple(sorted(company.sectors)), tuple(sorted(company.levels)))
        if key not in pool_index:
            pool_index[key] = len(pool_index)
            capacity_rows.append(np.zeros(n_weeks))
        company_pool[k] = pool_index[key]
        weekly = np.full(n_weeks, float(company.places))
        for week, places in company.reduced_weeks.items():
            if week in calendar.week_index:
                weekly[calendar.week_index[week]] = places
        capacity_rows[company_pool[k]] += DAYS_PER_WEEK * weekly
    capacity = np.array(capacity_rows).reshape(len(pool_index), n_weeks)
    pool_area = np.array([key[0] for key in pool_index], dtype=int)
    accepting_lists: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (_, sectors, levels), pool in pool_index.items():
        for sector in sectors:
            for level in levels:
                accepting_lists[(sector, level)].append(pool)
    accepting = {key: np.array(value, dtype=int) for key, value in accepting_lists.items()}

    def occupied(cohort) -> tuple[list[int], InternshipForm]:
        form = InternshipForm.parse(cohort.current_form)
        holiday_region = scenario.locations[cohort.location].holiday_region
        weeks = calendar.occupied_weeks(calendar.week_index[cohort.current_start], form, holiday_region)
        return weeks or [], form

    # BBL students are a fixed load on their own company.
    for cohort in scenario.cohorts:
        if cohort.pathway == "BBL" and cohort.company in scenario.company_index:
            weeks, form = occupied(cohort)
            pool = company_pool[scenario.company_index[cohort.company]]
            capacity[pool, weeks] = np.maximum(capacity[pool, weeks] - cohort.students * form.days_per_week, 0.0)

    # BOL cohorts in their current period, and the pools each may use.
    minutes = {mode: region.minutes_array(mode) for mode in {scenario.travel_mode(c) for c in scenario.cohorts}}
    bol = [i for i, c in enumerate(scenario.cohorts) if c.pathway == "BOL"]
    active = np.zeros((len(bol), n_weeks), dtype=bool)
    days = np.zeros(len(bol))
    students = np.zeros(len(bol))
    weight = np.zeros(len(bol))
    var_cohort: list[np.ndarray] = []
    var_pool: list[np.ndarray] = []
    for j, index in enumerate(bol):
        cohort = scenario.cohorts[index]
        weeks, form = occupied(cohort)
        active[j, weeks] = True
        days[j], students[j] = form.days_per_week, cohort.students
        weight[j] = scenario.policy.weight(cohort)
        pools = accepting.get((cohort.sector, cohort.level), np.zeros(0, dtype=int))
        origin = area_index[scenario.locations[cohort.location].area]
        pools = pools[minutes[scenario.travel_mode(cohort)][origin, pool_area[pools]] <= scenario.max_travel(cohort)]
        if weeks:
            var_cohort.append(np.full(len(pools), j))
            var_pool.append(pools)
    cohort_of = np.concatenate(var_cohort) if var_cohort else np.zeros(0, dtype=int)
    pool_of = np.concatenate(var_pool) if var_pool else np.zeros(0, dtype=int)

    placed = np.zeros(len(bol))
    n_bol, n_pools = len(bol), len(pool_index)
    graph = sp.coo_matrix((np.ones(len(cohort_of)), (cohort_of, n_bol + pool_of)), shape=(n_bol + n_pools,) * 2)
    _, component = connected_components(graph, directed=False)
    var_component = component[cohort_of]
    for comp in np.unique(var_component):
        variables = np.flatnonzero(var_component == comp)
        placed += _solve_placement(variables, cohort_of, pool_of, active, days, students, weight, capacity)
    short = np.zeros(len(scenario.cohorts))
    short[bol] = np.maximum(students - placed, 0.0)
    return short


def _solve_placement(variables: np.ndarray, cohort_of: np.ndarray, pool_of: np.ndarray, active: np.ndarray,
                     days: np.ndarray, students: np.ndarray, weight: np.ndarray,
                     capacity: np.ndarray) -> np.ndarray:
    """Weighted fluid placement LP of one connected group of cohorts and pools (solved with GLOP).

    Maximise the weighted students placed, each at one pool for the whole period, within
    every pool's weekly student-days. Per pool only the weeks that can bind are kept: a
    week whose active cohorts are a subset of another week's, with at least that week's
    capacity, never binds.
    """
    rows, cols, values, limits = [], [], [], []
    order = variables[np.argsort(pool_of[variables], kind="stable")]
    starts = np.flatnonzero(np.diff(np.r_[-1, pool_of[order]]))
    for begin, end in zip(starts, np.r_[starts[1:], len(order)]):
        members = order[begin:end]
        pool = pool_of[members[0]]
        pattern = active[cohort_of[members]]
        weeks = np.flatnonzero(pattern.any(axis=0))
        unique, inverse = np.unique(pattern[:, weeks], axis=1, return_inverse=True)
        week_capacity = np.full(unique.shape[1], np.inf)
        np.minimum.at(week_capacity, inverse.ravel(), capacity[pool, weeks])
        as_float = unique.astype(float)
        outside = as_float.T @ (1.0 - as_float)  # [a, b]: cohorts active in a but not in b
        for a in range(unique.shape[1]):
            covered = (outside[a] == 0) & (week_capacity[a] >= week_capacity)
            covered[a] = False
            if covered.any():
                continue
            members_active = members[unique[:, a]]
            rows.extend([len(limits)] * len(members_active))
            cols.extend(members_active.tolist())
            values.extend(days[cohort_of[members_active]].tolist())
            limits.append(week_capacity[a])
    local = np.full(len(cohort_of), -1)
    local[variables] = np.arange(len(variables))
    cohorts, cohort_row = np.unique(cohort_of[variables], return_inverse=True)
    capacity_rows = sp.csr_matrix((values, (rows, local[np.array(cols, dtype=int)])),
                                  shape=(len(limits), len(variables)))
    cohort_rows = sp.csr_matrix((np.ones(len(variables)), (cohort_row.ravel(), np.arange(len(variables)))),
                                shape=(len(cohorts), len(variables)))
    matrix = sp.vstack([capacity_rows, cohort_rows]).tocsr()
    upper = np.concatenate([limits, students[cohorts]])
    model = mbh.ModelBuilderHelper()
    model.fill_model_from_sparse_data(
        np.zeros(len(variables)), np.full(len(variables), np.inf), weight[cohort_of[variables]],
        np.full(len(upper), -np.inf), upper, matrix,
    )
    model.set_maximize(True)
    solver = mbh.ModelSolverHelper("glop")
    solver.solve(model)
    placed = np.zeros(len(students))
    if solver.status() == mbh.SolveStatus.OPTIMAL:
        np.add.at(placed, cohort_of[variables], np.asarray(solver.variable_values()))
    return placed


def estimate_status_quo_shortage(scenario: Scenario, base_dir: str | Path | None = None) -> dict[str, Any]:
    """Estimate how many BOL students find no place when every cohort keeps its current period.

    A quick estimate for calibrating generated scenarios, not the planner's figure (the
    solver computes the real status quo, in whole students and per company). Companies
    with the same area, sector chambers and levels are pooled; BBL students first take
    their own company's student-days; then a linear programme places fractional students
    of each cohort, in its current period, at fitting pools within its travel limit for
    the whole period, maximising the students placed weighted like the planner's
    objective (``policy.weight``). A place is five student-days a week; a line student
    uses its days per week; weekday detail (``places_per_weekday``) is not looked at.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    base_dir : str or Path, optional
        Folder the scenario's travel files are relative to.

    Returns
    -------
    dict
        ``bol_students``, ``short_students``, ``overall_rate``; ``students_by_level``,
        ``short_by_level``, ``rate_by_level``; ``students_by_sector``, ``short_by_sector``,
        ``rate_by_sector``.
    """
    short = status_quo_short_students(scenario, base_dir)
    short_by_level: dict[str, float] = defaultdict(float)
    short_by_sector: dict[str, float] = defaultdict(float)
    students_by_level: dict[str, int] = defaultdict(int)
    students_by_sector: dict[str, int] = defaultdict(int)
    for cohort, missing in zip(scenario.cohorts, short):
        if cohort.pathway != "BOL":
            continue
        students_by_level[cohort.level] += cohort.students
        students_by_sector[cohort.sector] += cohort.students
        short_by_level[cohort.level] += float(missing)
        short_by_sector[cohort.sector] += float(missing)
    total = sum(students_by_level.values())
    short = sum(short_by_level.values())
    levels = [lvl for lvl in ("entree", "2", "3", "4") if students_by_level.get(lvl)]
    sectors = sorted(students_by_sector, key=lambda s: -students_by_sector[s])
    return {
        "bol_students": total,
        "short_students": short,
        "overall_rate": short / total if total else 0.0,
        "students_by_level": {lvl: students_by_level[lvl] for lvl in levels},
        "short_by_level": {lvl: short_by_level[lvl] for lvl in levels},
        "rate_by_level": {lvl: short_by_level[lvl] / students_by_level[lvl] for lvl in levels},
        "students_by_sector": {s: students_by_sector[s] for s in sectors},
        "short_by_sector": {s: short_by_sector[s] for s in sectors},
        "rate_by_sector": {s: short_by_sector[s] / students_by_sector[s] for s in sectors},
    }


def main(argv: list[str] | None = None) -> None:
    """Write a generated scenario: ``python -m planner.generate.core S --seed 0 --out folder``."""
    import argparse

    parser = argparse.ArgumentParser(description="Generate a scenario (YAML with cohorts.csv and companies.csv).")
    parser.add_argument("size", choices=[*SIZES, "demo"], help="S, M, L, or demo (the embedded Twente scenario)")
    parser.add_argument("--seed", type=int, default=None, help=f"default 0 ({DEMO_SEED} for demo)")
    parser.add_argument("--region", default=None, help="labour-market region (S) or province (M)")
    parser.add_argument("--out", required=True, help="folder or .yaml file to write")
    parser.add_argument("--estimate", action="store_true", help="also print the estimated status-quo shortage")
    args = parser.parse_args(argv)
    spec = DEMO if args.size == "demo" else SIZES[args.size]
    seed = args.seed if args.seed is not None else (DEMO_SEED if args.size == "demo" else 0)
    scenario = generate_scenario(spec, seed, region=args.region)
    path = write_generated(scenario, args.out)
    print(f"wrote {path}: {scenario.description}")
    if args.estimate:
        estimate = estimate_status_quo_shortage(scenario)
        print(f"estimated status-quo shortage: {estimate['overall_rate']:.2%} overall; by level "
              + ", ".join(f"{level} {rate:.2%}" for level, rate in estimate["rate_by_level"].items()))


if __name__ == "__main__":
    main()
