"""The capacity model: capacity and load (:mod:`.capacity`, the one place that computes them),
problem data compiled from a scenario (:mod:`.problem`) and the linear model on it (:mod:`.formulation`)."""
