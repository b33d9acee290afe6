"""Small hand-made scenarios for tests (coordinates given, so no place lookup is needed)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from planner.scenario import Scenario

AREAS = {
    "Enschede": (52.2183, 6.8958),
    "Hengelo": (52.2658, 6.7931),
    "Almelo": (52.3567, 6.6625),
    "Zwolle": (52.5125, 6.0944),
}


def cohort(id: str, students: int = 10, forms: str = "block:4", current_form: str | None = None,
           current_start: str = "2026-W40", earliest: str = "2026-W36", latest: str = "2026-W51",
           location: str = "loc-e", sector: str = "zorg", level: str = "3", **extra: Any) -> dict[str, Any]:
    """A BOL cohort row."""
    return {
        "id": id, "location": location, "crebo": "25655", "programme": "Verzorgende IG", "sector": sector,
        "level": level, "pathway": "BOL", "students": students, "forms": forms.split("|"),
        "earliest_start": earliest, "latest_end": latest, "current_start": current_start,
        "current_form": current_form or forms.split("|")[0], **extra,
    }


def company(id: str, places: int = 10, area: str = "Enschede", sectors: str = "zorg", levels: str = "2|3|4",
            **extra: Any) -> dict[str, Any]:
    """A learning company row."""
    return {"id": id, "name": f"Leerbedrijf {id}", "area": area, "sectors": sectors.split("|"),
            "levels": levels.split("|"), "places": places, **extra}


#: The practical defaults (a wave minimum of 5, two weeks between a split cohort's starts)
#: switched off: the hand-made scenarios pin their numbers for the rules without them; a test of
#: the defaults gives them in its own ``policy``.
WITHOUT_PRACTICAL_DEFAULTS = {"min_wave_students": 0, "min_weeks_between_waves": 0}


def scenario_dict(cohorts: list[dict], companies: list[dict], first: str = "2026-W36", last: str = "2026-W51",
                  holidays: dict | None = None, areas: tuple[str, ...] = ("Enschede", "Hengelo"),
                  **extra: Any) -> dict[str, Any]:
    """A whole scenario document with one institution at Enschede (without the practical defaults
    unless ``policy`` sets them)."""
    extra["policy"] = {**WITHOUT_PRACTICAL_DEFAULTS, **extra.get("policy", {})}
    return {
        "name": "test",
        "calendar": {"first_week": first, "last_week": last, "holidays": holidays or {}},
        "areas": [{"name": n, "lat": AREAS[n][0], "lon": AREAS[n][1]} for n in areas],
        "institutions": [{"id": "roc", "name": "ROC Test", "locations": [
            {"id": "loc-e", "area": areas[0], "holiday_region": "noord"}]}],
        "cohorts": cohorts,
        "companies": companies,
        **extra,
    }


def make_scenario(cohorts: list[dict], companies: list[dict], **kwargs: Any) -> Scenario:
    """A validated Scenario model from rows."""
    return Scenario.model_validate(scenario_dict(cohorts, companies, **kwargs))


def tiny_scenario() -> Scenario:
    """Care, technology and a BBL cohort on three small companies (coordinates given).

    The status quo (everyone in weeks 40-43) leaves many students unplaced; spreading the
    periods over the autumn places them all.
    """
    return make_scenario(
        [
            cohort("zorg-3", 30),
            cohort("zorg-2", 20, level="2"),
            cohort("tech-3", 15, sector="techniek", forms="block:4|line:2x8"),
            cohort("zorg-bbl", 2, pathway="BBL", company="k1", forms="line:2x12", current_start="2026-W37"),
        ],
        [company("k1", 10), company("k2", 8, area="Hengelo", levels="3|4"),
         company("k3", 5, sectors="techniek", levels="2|3|4")],
    )


#: Verzorgende IG (25491), Helpende Zorg en Welzijn (25498) and the older Verzorgende IG crebo (23187), all of
#: the family verpleging.
CARE, HELPER, OLD_CARE = "25491", "25498", "23187"


def recognised_scenario(unrecognised: bool = False) -> Scenario:
    """Care (6 students, level 3) and helper (4, level 2) cohorts at Enschede; a care home there recognised for
    the care crebo (6 places), a hospital in Hengelo for the family verpleging (no places this year) and a
    home-care firm in Enschede for the helpers' crebo (2 places). The status quo leaves 2 helpers without a place.

    With ``unrecognised`` a third cohort (3 students, level 3) has a crebo no company is recognised for.
    """
    cohorts = [cohort("care", 6, crebo=CARE),
               cohort("helper", 4, crebo=HELPER, programme="Helpende Zorg en Welzijn", level="2")]
    if unrecognised:
        cohorts.append(cohort("old", 3, crebo=OLD_CARE, programme="Verzorgende IG (oud)"))
    return make_scenario(
        cohorts,
        [{**company("k1", 6), "name": "Verpleeghuis Enschede 1", "recognitions": [CARE]},
         {**company("k2", 0, area="Hengelo"), "name": "Ziekenhuis Hengelo 1", "recognitions": ["verpleging"]},
         {**company("k3", 2), "name": "Thuiszorg Enschede 1", "recognitions": [HELPER]}])


# Random small scenarios for property tests: a few companies and cohorts in three places,
# sixteen autumn weeks, block and line forms.
RANDOM_WEEKS = [f"2026-W{w}" for w in range(36, 52)]
RANDOM_CREBOS = ["25655", "25498", "25180"]
RANDOM_FORMS = ["block:2", "block:4", "block:6", "line:2x4", "line:3x6", "line:1x8"]


@st.composite
def small_scenarios(draw, max_companies: int = 3, max_places: int = 6, max_cohorts: int = 4,
                    window_slack: int | None = None, recognitions: bool = False):
    """A hypothesis strategy for small scenarios; ``window_slack`` caps how much longer a window is than its longest form.

    With ``recognitions`` the companies list some of three crebos (or none: matched by sector) and
    every cohort has one of them.
    """
    companies = []
    for k in range(draw(st.integers(1, max_companies))):
        recognised = draw(st.lists(st.sampled_from(RANDOM_CREBOS), max_size=2, unique=True)) if recognitions else []
        companies.append(company(
            f"k{k}", places=draw(st.integers(0, max_places)),
            area=draw(st.sampled_from(["Enschede", "Hengelo", "Zwolle"])),
            sectors=draw(st.sampled_from(["zorg", "zorg|techniek", "techniek"])),
            levels=draw(st.sampled_from(["2|3|4", "3|4", "entree|2"])),
            reduced_weeks={draw(st.sampled_from(RANDOM_WEEKS)): draw(st.integers(0, 2))},
            **({"recognitions": recognised} if recognised else {}),
        ))
    last_week = len(RANDOM_WEEKS) - 1
    cohorts = []
    for c in range(draw(st.integers(1, max_cohorts))):
        forms = draw(st.lists(st.sampled_from(RANDOM_FORMS), min_size=1, max_size=2, unique=True))
        longest = max(int(f.split(":")[1].split("x")[-1]) for f in forms)
        first = draw(st.integers(0, last_week - longest))
        latest = last_week if window_slack is None else min(last_week, first + longest + window_slack - 1)
        last = draw(st.integers(first + longest - 1, latest))
        current = draw(st.sampled_from(forms))
        length = int(current.split(":")[1].split("x")[-1])
        start = draw(st.integers(first, last - length + 1))
        cohorts.append(cohort(
            f"c{c}", students=draw(st.integers(1, 12)), forms="|".join(forms), current_form=current,
            current_start=RANDOM_WEEKS[start], earliest=RANDOM_WEEKS[first], latest=RANDOM_WEEKS[last],
            sector=draw(st.sampled_from(["zorg", "techniek"])), level=draw(st.sampled_from(["entree", "2", "3", "4"])),
            max_waves=draw(st.integers(1, 3)), max_travel_minutes=draw(st.sampled_from([20, 45, 90])),
            **({"crebo": draw(st.sampled_from(RANDOM_CREBOS))} if recognitions else {}),
        ))
    return make_scenario(cohorts, companies, areas=("Enschede", "Hengelo", "Zwolle"))
