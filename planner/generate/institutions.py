"""Fictional MBO institutions and their locations: what they are, what they offer, what they are called."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["VAK_SECTORS", "Institution", "Location", "compass_direction", "institution_name"]

#: Sector chambers a technical college (vakinstelling) offers.
VAK_SECTORS = {"techniek", "mobiliteit", "ict", "specialistisch"}


@dataclass
class Location:
    """A school location (vestiging) of an institution."""

    id: str
    institution: int
    area: str
    place: int  # row in the scenario places
    holiday_region: str
    region: int  # labour-market region (cluster) index
    weight: float


@dataclass
class Institution:
    """An MBO institution: an ROC (``roc``, a second one ``roc2``), a technical (``vak``) or green (``groen``) college."""

    id: str
    name: str
    kind: str
    region: int
    autumn_start: str
    winter_start: str
    locations: list[Location]


def compass_direction(lat: float, lon: float) -> str:
    """Rough direction of a point in the country (Noord, Zuid, Oost, West, Midden), for institution names."""
    if lat > 52.8:
        return "Noord"
    if lat < 51.7:
        return "Zuid"
    if lon > 6.0:
        return "Oost"
    if lon < 4.9:
        return "West"
    return "Midden"


def institution_name(kind: str, label: str, compass: str) -> str:
    """A clearly fictional name for an institution of ``kind`` from its region's name ``label``."""
    simple = re.fullmatch(r"[A-Z][a-z]+", label) is not None
    if kind == "roc":
        return f"ROC {label}stad" if simple else f"ROC Vakstad {label}"
    if kind == "roc2":
        return f"Beroepencampus {label}"
    if kind == "vak":
        return f"Vakcollege {label} {compass}"
    return f"Groencollege {label}"
