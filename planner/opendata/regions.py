"""Where DUO's institutions are: their seats, the seats' municipalities and labour-market regions.

DUO names each institution's registered seat (``PLAATSNAAM``: ``HENGELO OV``, ``'S-GRAVENHAGE``),
not its teaching locations. ``data/seats.csv`` gives every seat of the 2015-2019 file its
municipality, CBS municipality code and labour-market region (Bron: CBS, table 86247NED, in
``data/arbeidsmarktregio-per-gemeente-2026.json``), and the place of the embedded place list
(GeoNames) the seat's school location is put at. A region's scenario holds the institutions
seated in it; DUO counts the students of a region without a seat at their institutions' seats
elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from planner import geo
from planner.generate.regions import fold

__all__ = ["Seat", "find_region", "labour_market_regions", "seats"]


@dataclass(frozen=True)
class Seat:
    """An institution's registered seat as DUO writes it, with its municipality and region."""

    seat: str
    municipality: str
    cbs_code: str
    region: str
    place: str  # a place of planner/geo/data/places.csv, or one with the coordinates below
    province: str = ""
    lat: float | None = None
    lon: float | None = None

    def location(self) -> geo.Place:
        """The place the seat's school location is put at."""
        if self.lat is not None and self.lon is not None:
            return geo.Place(self.place, self.province, self.municipality, self.lat, self.lon)
        found = geo.find_place(self.place)
        if found is None:
            raise ValueError(f"seats.csv: the place {self.place!r} of {self.seat} is not in the place list")
        return found


def _text(name: str) -> str:
    return resources.files("planner.opendata").joinpath("data", name).read_text(encoding="utf-8")


@cache
def seats() -> dict[str, Seat]:
    """The known seats by their DUO spelling (upper case)."""
    lines = [line for line in _text("seats.csv").splitlines() if line and not line.startswith("#")]
    return {row["seat"]: Seat(row["seat"], row["municipality"], row["cbs_municipality_code"],
                              row["labour_market_region"], row["place"], row["province"],
                              float(row["lat"]) if row["lat"] else None, float(row["lon"]) if row["lon"] else None)
            for row in csv.DictReader(io.StringIO("\n".join(lines)))}


@cache
def labour_market_regions() -> tuple[str, ...]:
    """The 35 labour-market regions of CBS's table (Bron: CBS), in alphabetical order."""
    table = json.loads(_text("arbeidsmarktregio-per-gemeente-2026.json"))
    return tuple(sorted(set(table["gemeenten"].values()), key=fold))


def find_region(name: str) -> str | None:
    """The labour-market region called ``name`` (case and accents ignored), or None."""
    return {fold(region): region for region in labour_market_regions()}.get(fold(name))
