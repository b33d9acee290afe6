"""The capacity model: capacity and load (:mod:`.capacity`, the one place that computes them),
problem data compiled from a scenario (:mod:`.problem`) and the linear model on it (:mod:`.formulation`),
and the full load of a scenario file (:func:`load_scenario`: read, structure, geography, capacity)."""

from planner.model.load import load_scenario

__all__ = ["load_scenario"]
