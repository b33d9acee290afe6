"""Real regions from open data: DUO's students per institution as demand, generated supply.

``stageplanner import duo FILE --region R --out DIR`` and ``stageplanner generate --from-duo
--region R`` (the file shipped in ``data/``, Bron: DUO) build a labour-market region's
scenario from DUO's open data. Modules, one job each: :mod:`~planner.opendata.duo` (reading
DUO's file, its columns found by name), :mod:`~planner.opendata.regions` (seats, municipalities
and labour-market regions, Bron: CBS), :mod:`~planner.opendata.demand` (the study-year rule and
internship periods), :mod:`~planner.opendata.supply` (generated learning companies with
recognitions over the real crebos, and the BBL students' employers),
:mod:`~planner.opendata.build` (one region's scenario), :mod:`~planner.opendata.importer`
(every region, written all at once). The rules are in docs/model.md, "Real demand from DUO".
"""

from planner.opendata.build import NoSeatedInstitution, RegionDemand, RegionScenario
from planner.opendata.duo import SUPPRESSED_COUNT, DuoFile, read_duo, shipped_duo
from planner.opendata.importer import DuoImport, import_duo, write_import

__all__ = [
    "SUPPRESSED_COUNT",
    "DuoFile",
    "DuoImport",
    "NoSeatedInstitution",
    "RegionDemand",
    "RegionScenario",
    "import_duo",
    "read_duo",
    "shipped_duo",
    "write_import",
]
