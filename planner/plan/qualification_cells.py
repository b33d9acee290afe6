"""Hotspot cells per qualification: students without a place per area, sector chamber, level and crebo (or
family of the catalogue), with the weeks they miss; and the cells of only one qualification's cohorts.

Where learning companies are recognised per qualification, a region's shortage sits in a crebo,
not in a whole sector chamber: these cells rank with :func:`planner.plan.analysis.rank_hotspots`
like the cells per (area, sector chamber, level), and each row then names its qualification.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from planner.catalogue import families, family_crebos, qualifications
from planner.plan.model import CohortPlan, Plan


@dataclass(frozen=True)
class CellShortage:
    """The shortage of one hotspot cell (area, sector chamber, level), all pathways together.

    ``unplaced`` counts students (each once); ``student_weeks`` counts every week each of them
    is without a place; ``weeks`` are the weeks with shortage, in calendar order.
    """

    unplaced: int
    student_weeks: int
    weeks: tuple[str, ...]


#: How hotspot cells are grouped: per (area, sector chamber, level) cell, or per crebo or family too.
HotspotGrouping = Literal["cell", "crebo", "family"]
#: A hotspot cell per qualification: area, sector chamber, level and the crebo or family.
QualificationKey = tuple[str, str, str, str]


def cohort_in_code(crebo: str, qualification: str | None) -> bool:
    """Whether ``crebo`` is ``qualification`` (a crebo) or one of its crebos (a family); None: every crebo is."""
    return qualification is None or crebo == qualification or crebo in family_crebos(qualification)


def cohort_in(cp: CohortPlan, qualification: str | None) -> bool:
    """Whether a cohort's crebo is ``qualification`` (a crebo) or one of its crebos (a family); None: every cohort."""
    return cohort_in_code(cp.crebo, qualification)


def family_of(crebo: str) -> str:
    """The catalogue's family of a crebo (the crebo itself when the catalogue does not have it)."""
    known = qualifications().get(crebo)
    return known.family if known is not None and known.family else crebo


def qualification_label(code: str, programmes: dict[str, str] | None = None) -> str:
    """The name of a crebo or family: the catalogue's, else the programme the plan gives it, else the code."""
    known = qualifications().get(code)
    if known is not None:
        return known.name
    family = families().get(code)
    if family is not None:
        return family.name
    return (programmes or {}).get(code, code)


def grouped_totals(plan: Plan, by: HotspotGrouping = "crebo", qualification: str | None = None,
                   ) -> dict[tuple[str, ...], CellShortage]:
    """Students without a place per cell (area, sector chamber, level, and the crebo or family unless ``by`` is
    ``cell``), of the cohorts of ``qualification`` only when given, with the weeks they miss.

    A wave's students without a place miss each of the wave's weeks; every unplaced student counts once.
    """
    students: dict[tuple, int] = defaultdict(int)
    weeks: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cp in plan.cohorts:
        if cp.unplaced <= 0 or not cohort_in(cp, qualification):
            continue
        key: tuple = (cp.area, cp.sector, cp.level)
        if by != "cell":
            key += (cp.crebo if by == "crebo" else family_of(cp.crebo),)
        students[key] += cp.unplaced
        for wave in cp.waves:
            for week in wave.weeks:
                weeks[key][week] += wave.students - wave.placed
    order = {week: i for i, week in enumerate(plan.weeks)}
    return {key: CellShortage(unplaced=n, student_weeks=sum(weeks[key].values()),
                              weeks=tuple(sorted((w for w, k in weeks[key].items() if k > 0),
                                                 key=lambda w: order.get(w, len(order)))))
            for key, n in students.items()}
