"""Exact company-level optimisation: the company model, large-neighbourhood search, bounds and polishing.

The pooled model of :mod:`planner.model` sums the capacity of interchangeable companies; this
package works at the level of single learning companies, where a student occupies one company
for all the weeks of its internship, so every solution of its models is a plan the companies
can really take. Modules depend on :mod:`planner.model`, on :mod:`planner.solve`'s heuristics
(plans as assignments, the weighted shortage), budget and SCIP settings, and on numpy, scipy and
OR-Tools.
"""
