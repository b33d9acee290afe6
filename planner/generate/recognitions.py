"""Recognitions: which qualifications each generated learning company is recognised for, and its kind.

SBB recognises a learning company per qualification. A generated company of a sector chamber
trains one family of the qualification catalogue (a garage: autotechniek; a care home:
verpleging), a company with SECOND_FAMILY_PLACES or more places a second family of its chamber
too. It is recognised for the generated programmes of those families at the levels it takes,
and named after a kind of company that trains them (``planner/catalogue/families.csv``).

Families are handed out by quota: in every place, a company of a sector gets the family
furthest below its share of the places given out there so far, the share being that of the
family's students (at the company's levels) at school locations within NEIGHBOURHOOD_MINUTES.
So places follow local demand per qualification as they already follow it per sector and
level. Level-2 companies get a family that has a level-2 programme, by a quota of their own on
the families' level-2 students. Entree is one broad
qualification level (assistant work): a company that takes entree students is recognised for
every entree programme. Ties are broken by a random state of the recognitions' own, so the
BOL cohorts of a generated scenario are the same with and without recognitions (the places are
sized per family with them, :mod:`planner.generate.supply`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from planner.catalogue import families, qualifications
from planner.generate.programmes import PROGRAMMES

SECOND_FAMILY_PLACES = 5
#: Second word of the recognitions' seed: they draw from a random state of their own, so the BOL cohorts
#: of a generated region are the same with and without them.
RECOGNITION_STREAM = 28
ENTREE_CREBOS = sorted(p.crebo for p in PROGRAMMES if p.sector == "entree")


def family_of(crebo: str) -> str:
    """The catalogue family of a generated programme's crebo."""
    return qualifications()[crebo].family


class RecognitionDrawer:
    """Hands out each company's families (by quota on local demand), its recognitions and kind.

    Parameters
    ----------
    rng : numpy.random.Generator
        The recognitions' own random state (ties, kinds).
    local_demand : numpy.ndarray
        BOL students per (place, crebo index) at school locations near each place.
    crebos : list of str
        The crebo of every column of ``local_demand``.
    """

    def __init__(self, rng: np.random.Generator, local_demand: np.ndarray, crebos: list[str]):
        self.rng = rng
        self.local_demand = local_demand
        self.column = {crebo: j for j, crebo in enumerate(crebos)}
        # Places handed out per family, per (place, sector, level-2 company or not).
        self.given: dict[tuple[int, str, bool], dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def recognise(self, sector: str, levels: list[str], entree: bool, place: int,
                  places: int) -> tuple[str, list[str]]:
        """The kind of company and the crebos it is recognised for."""
        programmes = [p for p in PROGRAMMES if p.sector == sector and p.level in levels]
        takes_level2 = "2" in levels
        counted = programmes
        if takes_level2:
            # Scarce level-2 places go to a family that trains level 2, by its level-2 students:
            # they were sized per family for them (supply.py), and a quota on all levels gave
            # them to the families with the most level-3 and -4 students.
            level2 = {family_of(p.crebo) for p in programmes if p.level == "2"}
            programmes = [p for p in programmes if family_of(p.crebo) in level2] or programmes
            counted = [p for p in programmes if p.level == "2"] or programmes
        weight: dict[str, float] = defaultdict(float)
        for programme in counted:
            weight[family_of(programme.crebo)] += self.local_demand[place, self.column[programme.crebo]] + 0.01
        chosen = hand_out_families(self.given[(place, sector, takes_level2)], weight, places, self.rng)
        crebos = [p.crebo for p in programmes if family_of(p.crebo) in chosen]
        if entree:
            crebos += ENTREE_CREBOS
        kinds = families()[chosen[0]].kinds
        return kinds[int(self.rng.integers(len(kinds)))], sorted(set(crebos))


def hand_out_families(given: dict[str, float], weight: dict[str, float], places: int,
                      rng: np.random.Generator) -> list[str]:
    """The qualification families a new company of ``places`` places is recognised for, booked in ``given``.

    A quota on local demand: each family should hold the share ``weight`` gives it of the places handed out
    among these companies so far (``given``, places per family, updated here); the family furthest below its
    share is chosen, and a second one for a company of SECOND_FAMILY_PLACES or more places. A tiny random
    amount breaks ties between equal families reproducibly.
    """
    total = sum(weight.values())
    handed = sum(given.values()) + places
    noise = rng.random(len(weight)) * 1e-6
    deficit = {f: weight[f] / total * handed - given[f] + noise[i] for i, f in enumerate(sorted(weight))}
    chosen = sorted(deficit, key=deficit.get, reverse=True)[:2 if places >= SECOND_FAMILY_PLACES else 1]
    for family in chosen:
        given[family] += places / len(chosen)
    return chosen


def local_demand(cohorts: list[dict[str, Any]], place_of: dict[str, int], neighbourhood: np.ndarray
                 ) -> tuple[np.ndarray, list[str]]:
    """BOL students per (place, crebo) at school locations within the place's neighbourhood, and the crebos."""
    crebos = sorted({p.crebo for p in PROGRAMMES})
    column = {crebo: j for j, crebo in enumerate(crebos)}
    at_school = np.zeros((len(neighbourhood), len(crebos)))
    for cohort in cohorts:
        at_school[place_of[cohort["location"]], column[cohort["crebo"]]] += cohort["students"]
    return neighbourhood @ at_school, crebos


def recognition_drawer(rng: np.random.Generator | None, cohorts: list[dict[str, Any]], locations: dict[str, Any],
                       neighbourhood: np.ndarray) -> RecognitionDrawer | None:
    """The drawer of the companies' recognitions (None: a region without recognitions)."""
    if rng is None:
        return None
    place_of = {location_id: location.place for location_id, location in locations.items()}
    return RecognitionDrawer(rng, *local_demand(cohorts, place_of, neighbourhood))
