"""The qualification catalogue: every MBO qualification (crebo) with its levels, sector chamber and family.

Built from DUO's open data by ``scripts/build_catalogue.py`` (Bron: DUO) into
``qualifications.csv`` beside this module; the families and the kinds of learning company
that train each family are written down by hand in ``families.csv`` (see docs/model.md,
"Recognitions"). A scenario's learning companies name the qualifications they are recognised
for by crebo or by family; :func:`recognised_crebos` turns such a list into crebos.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Family", "Qualification", "families", "family_crebos", "qualifications", "recognised_crebos"]


@dataclass(frozen=True)
class Qualification:
    """One qualification of the catalogue."""

    crebo: str
    name: str
    levels: tuple[str, ...]
    sector: str  # sector chamber code (planner.codes)
    sector_unit: str  # the SBB sector unit as DUO names it
    family: str
    students_2019: int


@dataclass(frozen=True)
class Family:
    """A family of related qualifications and the kinds of learning company that train them."""

    id: str
    name: str
    sector: str
    kinds: tuple[str, ...]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"))


@cache
def families() -> dict[str, Family]:
    """The families by id, in the order of ``families.csv``."""
    return {row["family"]: Family(row["family"], row["name"], row["sector"], tuple(row["kinds"].split("|")))
            for row in _rows("families.csv")}


@cache
def qualifications() -> dict[str, Qualification]:
    """The qualifications by crebo (Bron: DUO)."""
    return {row["crebo"]: Qualification(row["crebo"], row["name"], tuple(row["levels"].split("|")), row["sector"],
                                         row["sector_unit"], row["family"], int(row["students_2019"]))
            for row in _rows("qualifications.csv")}


@cache
def family_crebos(family: str) -> frozenset[str]:
    """The crebos of a family (empty for an unknown family)."""
    return frozenset(q.crebo for q in qualifications().values() if q.family == family)


@cache
def recognised_crebos(recognitions: tuple[str, ...]) -> frozenset[str]:
    """The crebos a list of recognitions stands for: a crebo for itself, a family for all its crebos."""
    crebos: set[str] = set()
    for item in recognitions:
        crebos |= family_crebos(item) if item in families() else {item}
    return frozenset(crebos)
