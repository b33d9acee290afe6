"""Programmes and the shape of demand: programme table, sector and level shares, forms, travel, BBL.

Names follow real MBO qualifications; each crebo is that of the qualification of the
catalogue (:mod:`planner.catalogue`, Bron: DUO) with the same or the closest name, so the
catalogue gives each programme its family and the kinds of company that train it.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        ("25491", "Verzorgende-IG", "zorg", "3", 0.55, (25, 60), "care"),
        ("25486", "Pedagogisch medewerker kinderopvang", "zorg", "3", 0.25, (20, 45), "standard"),
        ("23181", "Medewerker maatschappelijke zorg", "zorg", "3", 0.20, (15, 40), "care"),
        ("25480", "Mbo-verpleegkundige", "zorg", "4", 0.35, (25, 60), "care"),
        ("25484", "Gespecialiseerd pedagogisch medewerker", "zorg", "4", 0.15, (20, 45), "standard"),
        ("25477", "Persoonlijk begeleider gehandicaptenzorg", "zorg", "4", 0.15, (15, 40), "care"),
        ("23185", "Sociaal werker", "zorg", "4", 0.20, (20, 50), "standard"),
        ("25413", "Coördinator sport, bewegen en gezondheid", "zorg", "4", 0.08, (15, 35), "standard"),
        ("25473", "Doktersassistent", "zorg", "4", 0.07, (15, 35), "standard"),
        # Techniek en gebouwde omgeving
        ("25128", "Timmerman", "techniek", "2", 0.35, (10, 25), "short"),
        ("25333", "Monteur elektrotechnische installaties", "techniek", "2", 0.35, (10, 25), "short"),
        ("25350", "Monteur werktuigkundige installaties", "techniek", "2", 0.30, (10, 25), "short"),
        ("25332", "Eerste monteur elektrotechnische installaties", "techniek", "3", 0.35, (12, 30), "standard"),
        ("25340", "Allround mechatronicus", "techniek", "3", 0.25, (12, 30), "standard"),
        ("25118", "Allround timmerman", "techniek", "3", 0.20, (10, 25), "standard"),
        ("94282", "Eerste monteur werktuigkundige installaties", "techniek", "3", 0.20, (10, 25), "standard"),
        ("25297", "Technicus engineering", "techniek", "4", 0.35, (15, 35), "standard"),
        ("25104", "Middenkaderfunctionaris bouw", "techniek", "4", 0.30, (15, 35), "standard"),
        ("94333", "Technicus installatietechniek", "techniek", "4", 0.20, (12, 30), "standard"),
        ("25105", "Middenkaderfunctionaris infra", "techniek", "4", 0.15, (12, 30), "standard"),
        # Handel
        ("25167", "Verkoper", "handel", "2", 1.0, (15, 35), "short"),
        ("25155", "Verkoopspecialist", "handel", "3", 1.0, (15, 40), "standard"),
        ("25162", "Manager retail", "handel", "4", 0.50, (20, 45), "standard"),
        ("25166", "Ondernemer retail", "handel", "4", 0.20, (15, 35), "standard"),
        ("22164", "Commercieel medewerker", "handel", "4", 0.30, (15, 40), "standard"),
        # Zakelijke dienstverlening en veiligheid
        ("25407", "Beveiliger", "zakelijk", "2", 0.60, (15, 35), "short"),
        ("25499", "Medewerker facilitaire dienstverlening", "zakelijk", "2", 0.40, (12, 30), "short"),
        ("25150", "Medewerker secretariaat en receptie", "zakelijk", "3", 0.50, (15, 35), "standard"),
        ("25139", "Financieel administratief medewerker", "zakelijk", "3", 0.50, (15, 35), "standard"),
        ("25574", "Management assistant", "zakelijk", "4", 0.30, (20, 45), "standard"),
        ("25138", "Bedrijfsadministrateur", "zakelijk", "4", 0.25, (15, 40), "standard"),
        ("25145", "Juridisch medewerker zakelijke dienstverlening", "zakelijk", "4", 0.25, (20, 45), "standard"),
        ("25146", "Medewerker human resource management", "zakelijk", "4", 0.20, (15, 40), "standard"),
        # Voedsel, groen en gastvrijheid
        ("25180", "Kok", "voedsel", "2", 0.40, (12, 30), "short"),
        ("25452", "Medewerker hovenier", "voedsel", "2", 0.30, (10, 25), "short", True),
        ("25448", "Medewerker dierverzorging", "voedsel", "2", 0.30, (10, 25), "short", True),
        ("25182", "Zelfstandig werkend kok", "voedsel", "3", 0.40, (12, 30), "standard"),
        ("25455", "Vakbekwaam hovenier", "voedsel", "3", 0.30, (10, 25), "standard", True),
        ("25446", "Dierverzorger", "voedsel", "3", 0.30, (12, 30), "standard", True),
        ("25181", "Leidinggevende keuken", "voedsel", "4", 0.35, (12, 30), "standard"),
        ("25184", "Manager/ondernemer horeca", "voedsel", "4", 0.35, (15, 35), "standard"),
        ("25445", "Vakexpert bloem, groen en styling", "voedsel", "4", 0.30, (10, 25), "standard", True),
        # Creatieve industrie en ICT
        ("25192", "Medewerker ICT", "ict", "2", 1.0, (12, 30), "short"),
        ("25191", "Allround medewerker IT systems and devices", "ict", "3", 1.0, (15, 35), "standard"),
        ("25187", "Software developer", "ict", "4", 0.40, (20, 45), "standard"),
        ("25189", "Expert IT systems and devices", "ict", "4", 0.25, (15, 35), "standard"),
        ("25201", "Mediavormgever", "ict", "4", 0.20, (15, 40), "standard"),
        ("25194", "AV-specialist", "ict", "4", 0.15, (12, 30), "standard"),
        # Mobiliteit, transport, logistiek en maritiem
        ("25242", "Autotechnicus", "mobiliteit", "2", 0.50, (12, 30), "short"),
        ("25371", "Logistiek medewerker", "mobiliteit", "2", 0.50, (12, 30), "short"),
        ("25244", "Eerste autotechnicus", "mobiliteit", "3", 0.50, (12, 30), "standard"),
        ("25372", "Logistiek teamleider", "mobiliteit", "3", 0.50, (12, 30), "standard"),
        ("25249", "Technisch specialist personenauto's", "mobiliteit", "4", 0.50, (10, 25), "standard"),
        ("25379", "Manager transport en logistiek", "mobiliteit", "4", 0.50, (12, 30), "standard"),
        # Specialistisch vakmanschap
        ("25400", "Kapper", "specialistisch", "2", 1.0, (12, 25), "short"),
        ("25399", "Allround kapper", "specialistisch", "3", 0.50, (10, 25), "standard"),
        ("25404", "Schoonheidsspecialist", "specialistisch", "3", 0.50, (12, 30), "standard"),
        ("25401", "Salonmanager", "specialistisch", "4", 0.50, (10, 20), "standard"),
        ("25300", "Instrumentmaker", "specialistisch", "4", 0.50, (10, 20), "standard"),
        # Entree
        ("25251", "Assistent dienstverlening en zorg (entree)", "entree", "entree", 0.25, (10, 25), "entree"),
        ("25257", "Assistent verkoop/retail (entree)", "entree", "entree", 0.25, (10, 25), "entree"),
        ("25254", "Assistent logistiek (entree)", "entree", "entree", 0.15, (10, 25), "entree"),
        ("25252", "Assistent horeca, voeding of voedingsindustrie (entree)", "entree", "entree", 0.20, (10, 25), "entree"),
        ("25250", "Assistent bouwen, wonen en onderhoud (entree)", "entree", "entree", 0.15, (10, 25), "entree"),
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
