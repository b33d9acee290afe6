"""Build the qualification catalogue (planner/catalogue/qualifications.csv) from DUO's open data.

Reads DUO's "03 deelnemers per instelling ... 2015-2019" (Bron: DUO; see shared/data/README.md)
and writes one row per qualification (crebo): its name, the levels it is taught at, its SBB
sector chamber (code as in planner.codes), the SBB sector unit as DUO names it, DUO's
education domain, its family (planner/catalogue/families.csv: the first family whose name
pattern matches the qualification's name; else the last family of its sector chamber) and its
students on 1 October 2019. Domain registrations (``Inschr op domein ...``) are no
qualifications and are left out.

Usage::

    python scripts/build_catalogue.py [DUO_CSV] [OUT_CSV]
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUO_FILE = Path("shared", "data", "duo-mbo", "03-deelnemers-per-instelling-2015-2019.csv")
# shared/ lies beside the checkout (or beside the folder of worktrees).
DEFAULT_SOURCE = next((base / DUO_FILE for base in (ROOT.parent, ROOT.parent.parent) if (base / DUO_FILE).is_file()),
                      ROOT.parent / DUO_FILE)
FAMILIES = ROOT / "planner" / "catalogue" / "families.csv"
DEFAULT_OUT = ROOT / "planner" / "catalogue" / "qualifications.csv"

#: SBB sector unit (as DUO spells it) -> the sector chamber code of planner.codes.
SECTOR_UNITS = {
    "Sectorunit zorg, welzijn en sport": "zorg",
    "Sectorunit techniek en gebouwde omgeving": "techniek",
    "Sectorunit voedsel, groen en gastvrijheid": "voedsel",
    "Sectorunit zakelijke dienstverlening en veiligheid": "zakelijk",
    "Sectorunit mobiliteit, transport, logistiek, maritiem": "mobiliteit",
    "Sectorunit creatieve industrie en ICT": "ict",
    "Sectorunit handel": "handel",
    "Sectorunit specialistisch vakmanschap": "specialistisch",
}
LEVELS = {"1": "entree", "2": "2", "3": "3", "4": "4"}


def read_families(path: Path) -> list[dict[str, str]]:
    """The hand-written families, in matching order."""
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def family_of(name: str, sector: str | None, families: list[dict[str, str]]) -> dict[str, str]:
    """The first family whose pattern matches ``name``; else the last family of ``sector``."""
    lowered = name.lower()
    for family in families:
        if re.search(rf"\b(?:{family['pattern']})", lowered):
            return family
    own = [family for family in families if family["sector"] == sector]
    return own[-1] if own else families[-1]


def build(source: Path, out: Path) -> int:
    """Write the catalogue; returns the number of qualifications."""
    families = read_families(FAMILIES)
    found: dict[str, dict] = defaultdict(lambda: {"levels": set(), "students": 0})
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            crebo = (row.get("KWALIFICATIE CODE") or "").strip()
            unit = (row.get("SECTORUNIT SBB") or "").strip()
            if not crebo or unit.startswith("Inschr op domein"):
                continue
            entry = found[crebo]
            entry["name"] = row["KWALIFICATIE NAAM"].strip()
            entry["unit"] = unit
            entry["domain"] = row["DOMEIN"].strip()
            entry["levels"].add(LEVELS[row["KWALIFICATIENIVEAU"].strip()])
            entry["students"] += int(row.get("TOTAAL2019") or 0)
    rows = []
    for crebo in sorted(found):
        entry = found[crebo]
        levels = sorted(entry["levels"], key=list(LEVELS.values()).index)
        sector = "entree" if levels == ["entree"] else SECTOR_UNITS.get(entry["unit"])
        family = family_of(entry["name"], sector, families)
        rows.append({
            "crebo": crebo, "name": entry["name"], "levels": "|".join(levels),
            "sector": sector or family["sector"], "sector_unit": entry["unit"], "domain": entry["domain"],
            "family": family["family"], "students_2019": entry["students"],
        })
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write("# Bron: DUO, Open Onderwijsdata, 03 deelnemers per instelling 2015-2019 (CC-BY 4.0); "
                     "families: planner/catalogue/families.csv. Built by scripts/build_catalogue.py.\n")
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    count = build(Path(arguments[0]) if arguments else DEFAULT_SOURCE,
                  Path(arguments[1]) if len(arguments) > 1 else DEFAULT_OUT)
    print(f"{count} qualifications written")
