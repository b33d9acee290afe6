"""Generated supply for real demand: learning companies with recognitions, and the BBL students' employers.

No public table says which learning company offers how many supervision places, so supply is
generated as the generator does it (:class:`planner.generate.supply.CompanyDrawer`: sized per
sector chamber and level against the status-quo demand of the BOL cohorts, calibrated on the
shortages SBB reports). Recognitions follow :mod:`planner.generate.recognitions`, over the
region's real crebos instead of the generator's programme table: in every place, a company of a
sector chamber trains the family furthest below its share of the places given out there so far to
companies of the same chamber and levels (the share being that of the family's students at those
levels at school locations within NEIGHBOURHOOD_MINUTES), two families from SECOND_FAMILY_PLACES
places on. Kept per set of levels, the quota follows each level's own mix of families (real demand
is lumpier than the generator's: Twente's level-3 childcare students had 61 weekly places when the
quota was kept per chamber alone, 430 per set of levels). A company is recognised for the region's
crebos of its families at its levels (a level-2 company trains a family with level-2 students), and
one that takes entree students for every entree crebo of the region.

Families handed out by quota can leave a small crebo without any company (its family never the
furthest below its share): :func:`recognise_every_crebo` then recognises the largest company of
its chamber at its level in the cohort's place (else anywhere in the region) for it, so no cohort
is short for want of any recognised company where its chamber has companies at its level.

BBL students work at a learning company already: each BBL row (institution x crebo x level)
is split into groups of at most :data:`BBL_GROUP` students (as even as possible), each at a company of the crebo's
sector chamber that takes the level (larger companies more likely), which is then recognised for
the crebo and gets the supervision its BBL students need on top of its places, as the generator
does for its own BBL students.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from planner.catalogue import families, qualifications
from planner.codes import DAYS_PER_WEEK
from planner.generate.programmes import BBL_DAYS
from planner.generate.recognitions import hand_out_families
from planner.generate.school_year import BBL_FORM
from planner.generate.supply import CHRISTMAS_WEEKS

__all__ = ["BBL_GROUP", "RealRecognitions", "place_bbl", "recognise_every_crebo"]

#: The most BBL students of one row at one learning company.
BBL_GROUP = 8


class RealRecognitions:
    """Hands out each generated company's families and recognitions over a region's real crebos.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random state for ties and kinds.
    cohorts : list of dict
        The BOL cohort rows (``location``, ``crebo``, ``sector``, ``level``, ``students``).
    place_of : dict
        Place (row of the scenario's places) of every location.
    neighbourhood : numpy.ndarray
        1 where two places are within NEIGHBOURHOOD_MINUTES, else 0.
    """

    def __init__(self, rng: np.random.Generator, cohorts: list[dict[str, Any]], place_of: dict[str, int],
                 neighbourhood: np.ndarray):
        self.rng = rng
        catalogue = qualifications()
        self.offered = sorted({(c["sector"], c["level"], c["crebo"]) for c in cohorts})
        self.family = {crebo: catalogue[crebo].family for _, _, crebo in self.offered}
        crebos = sorted(self.family)
        column = {crebo: j for j, crebo in enumerate(crebos)}
        at_school = np.zeros((len(neighbourhood), len(crebos)))
        for cohort in cohorts:
            at_school[place_of[cohort["location"]], column[cohort["crebo"]]] += cohort["students"]
        self.local_demand = neighbourhood @ at_school
        self.column = column
        self.entree = sorted({crebo for sector, _, crebo in self.offered if sector == "entree"})
        self.given: dict[tuple[int, str, tuple[str, ...]], dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def recognise(self, sector: str, levels: list[str], entree: bool, place: int, places: int) -> tuple[str, list[str]]:
        """The kind of company and the crebos it is recognised for (the generator's drawer's interface)."""
        offered = [(level, crebo) for s, level, crebo in self.offered if s == sector and level in levels]
        if "2" in levels:  # scarce level-2 places go to a family with level-2 students
            level2 = {self.family[crebo] for level, crebo in offered if level == "2"}
            offered = [(level, crebo) for level, crebo in offered if self.family[crebo] in level2] or offered
        weight: dict[str, float] = defaultdict(float)
        for _, crebo in offered:
            weight[self.family[crebo]] += self.local_demand[place, self.column[crebo]] + 0.01
        crebos: list[str] = []
        kind = None
        if weight:
            chosen = hand_out_families(self.given[(place, sector, tuple(levels))], weight, places, self.rng)
            crebos = [crebo for _, crebo in offered if self.family[crebo] in chosen]
            kinds = families()[chosen[0]].kinds
            kind = kinds[int(self.rng.integers(len(kinds)))]
        if entree:
            crebos += self.entree
        if kind is None:  # no student of the sector at its levels in the region: named after its sector's first family
            kind = next(f.kinds[0] for f in families().values() if f.sector == sector)
        return kind, sorted(set(crebos))


def recognise_every_crebo(cohorts: list[dict[str, Any]], companies: list[dict[str, Any]],
                          area_of: dict[str, str]) -> int:
    """Recognise a company for every BOL crebo and level no company is recognised for; returns how many.

    Parameters
    ----------
    cohorts : list of dict
        The BOL cohort rows.
    companies : list of dict
        The generated company rows (with recognitions); changed in place.
    area_of : dict
        The area of every location.
    """
    covered = {(crebo, level) for company in companies for crebo in company.get("recognitions", ())
               for level in company["levels"]}
    added = 0
    for cohort in cohorts:
        key = (cohort["crebo"], cohort["level"])
        if key in covered:
            continue
        fits = [c for c in companies if "recognitions" in c and cohort["sector"] in c["sectors"]
                and cohort["level"] in c["levels"]]
        nearby = [c for c in fits if c["area"] == area_of[cohort["location"]]] or fits
        if nearby:
            chosen = max(nearby, key=lambda c: (c["places"], c["id"]))
            chosen["recognitions"] = sorted({*chosen["recognitions"], cohort["crebo"]})
            covered |= {(cohort["crebo"], level) for level in chosen["levels"]}
            added += 1
    return added


def _employer(rng: np.random.Generator, companies: list[dict[str, Any]], sector: str, level: str) -> int | None:
    """A company of ``sector`` taking ``level`` (else of the sector at all), larger ones more likely."""
    for fits in (lambda c: sector in c["sectors"] and level in c["levels"], lambda c: sector in c["sectors"]):
        candidates = [i for i, company in enumerate(companies) if fits(company)]
        if candidates:
            places = np.array([companies[i]["places"] for i in candidates], dtype=float)
            return candidates[int(rng.choice(len(candidates), p=places / places.sum()))]
    return None


def place_bbl(rng: np.random.Generator, rows: list[dict[str, Any]], companies: list[dict[str, Any]],
              weeks: list[str], first_open: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    """BBL cohorts at learning companies of their crebo's sector, each company grown by their supervision.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random state.
    rows : list of dict
        One per location x crebo x level (``location``, ``crebo``, ``programme``, ``sector``, ``level``, ``students``).
    companies : list of dict
        The generated company rows; changed in place (recognitions, levels, places).
    weeks : list of str
        The school year's weeks.
    first_open : dict
        The first school week of each location's holiday region.

    Returns
    -------
    tuple
        The BBL cohort rows, and the BBL students left out because no company of their sector is in the region.
    """
    cohorts: list[dict[str, Any]] = []
    left_out = 0
    for row in rows:
        students, part = row["students"], 1
        groups = math.ceil(students / BBL_GROUP)
        sizes = [students // groups + (k < students % groups) for k in range(groups)]
        while students > 0:
            index = _employer(rng, companies, row["sector"], row["level"])
            if index is None:
                left_out += students
                break
            size = sizes[part - 1]
            company = companies[index]
            if row["level"] not in company["levels"]:
                company["levels"] = sorted({*company["levels"], row["level"]}, key=("entree", "2", "3", "4").index)
            if "recognitions" in company:
                company["recognitions"] = sorted({*company["recognitions"], row["crebo"]})
            company["places"] += math.ceil(size * BBL_DAYS / DAYS_PER_WEEK)
            company["reduced_weeks"] = {week: 0 if week in CHRISTMAS_WEEKS else company["places"] // 2
                                        for week in company["reduced_weeks"]}
            level = "1" if row["level"] == "entree" else row["level"]
            cohorts.append({
                "id": f"{row['location']}-{row['crebo']}-n{level}-bbl{part}",
                "location": row["location"],
                "crebo": row["crebo"],
                "programme": row["programme"],
                "sector": row["sector"],
                "level": row["level"],
                "pathway": "BBL",
                "students": size,
                "forms": [BBL_FORM],
                "earliest_start": weeks[0],
                "latest_end": weeks[-1],
                "current_start": first_open[row["location"]],
                "current_form": BBL_FORM,
                "max_waves": 1,
                "company": company["id"],
            })
            students -= size
            part += 1
    return cohorts, left_out
