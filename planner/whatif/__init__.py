"""What-if analysis: variants of a scenario side by side, the marginal value of capacity, sweeps.

* :mod:`~planner.whatif.changes`: declarative changes to a base scenario (capacity, companies,
  forms, windows, inflow, weights, travel limits, cohort fields), each a pydantic model with
  ``apply(scenario) -> scenario``; :mod:`~planner.whatif.variants`: variants files, a variant's
  changes applied and checked like a scenario file;
* :mod:`~planner.whatif.sweep`: solve a base and its variants in parallel (a local process pool
  or a Dask cluster) and compare them in one table and one chart;
* :mod:`~planner.whatif.marginal`: where one more supervision place would remove the most
  weighted shortage, estimated from the relaxation's capacity duals and verified by re-solving.
"""
