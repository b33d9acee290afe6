"""Generated scenarios: realistic, seeded internship demand and supply for the Netherlands.

:func:`generate_scenario` builds a scenario for one labour-market region (size S), a province
(M) or the whole country (L); the same size, seed and region give the same scenario.

Modules, one job each: :mod:`~planner.generate.sizes` (S/M/L and the demo),
:mod:`~planner.generate.regions` (labour-market regions, provinces and places),
:mod:`~planner.generate.school_year` (weeks, holidays, popular start weeks),
:mod:`~planner.generate.programmes` (programmes and the shape of demand),
:mod:`~planner.generate.supply` (companies sized against the status quo),
:mod:`~planner.generate.builder` (putting a scenario together),
:mod:`~planner.generate.calibrate` (the status-quo shortage from the solver, which the supply
constants are tuned against).
"""

from planner.generate.builder import generate_scenario, write_generated
from planner.generate.calibrate import StatusQuoShortage, status_quo_shortage
from planner.generate.regions import UnknownRegion, labour_market_regions
from planner.generate.sizes import DEMO, DEMO_SEED, SIZES, SizeSpec

__all__ = [
    "DEMO",
    "DEMO_SEED",
    "SIZES",
    "SizeSpec",
    "StatusQuoShortage",
    "UnknownRegion",
    "generate_scenario",
    "labour_market_regions",
    "status_quo_shortage",
    "write_generated",
]
