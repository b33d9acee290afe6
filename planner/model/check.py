"""Checks of a scenario that need the capacity model: a company's own BBL students must fit its capacity.

BBL students (work-based pathway) are a fixed load on their employer. When they alone need
more supervision than the company offers in some week, no plan can keep that company within
its capacity; that is a mistake in the input, reported like every other one (company row,
weeks, by how much), never a failed solve.
"""

from __future__ import annotations

import numpy as np

from planner.i18n import _
from planner.model.capacity import bbl_load, company_capacity, days_per_week_column
from planner.scenario import LoadedScenario, Scenario
from planner.scenario.problems import InputProblem
from planner.scenario.validate import Origins, row_origin


def _week_ranges(weeks: list[str]) -> str:
    """A few weeks by name; more as ``first..last (n weeks)``."""
    if len(weeks) <= 3:
        return ", ".join(weeks)
    return _("{first}..{last} ({count} weeks)").format(first=weeks[0], last=weeks[-1], count=len(weeks))


def bbl_overload_problems(scenario: Scenario, origins: Origins, file: str) -> list[InputProblem]:
    """One problem per company whose own BBL students exceed its capacity in some week(-day).

    Parameters
    ----------
    scenario
        A scenario that passed the structural checks.
    origins
        Where the rows came from (for the company's file and row in the message).
    file
        The scenario file's name, for rows given inline.

    Returns
    -------
    list of InputProblem
        Empty when every company can carry its BBL students.
    """
    n_days = days_per_week_column(scenario)
    capacity = company_capacity(scenario).reshape(len(scenario.companies), -1)
    excess = bbl_load(scenario) - capacity
    problems = []
    for k in np.nonzero((excess > 0).any(axis=1))[0]:
        company = scenario.companies[k]
        per_week = np.clip(excess[k], 0, None).reshape(-1, n_days).sum(axis=1)
        weeks = [scenario.calendar.weeks[w] for w in np.nonzero(per_week > 0)[0]]
        cohorts = [f"{c.id} ({c.students})" for c in scenario.cohorts if c.pathway == "BBL" and c.company == company.id]
        problems.append(InputProblem(
            *row_origin(origins, "companies", int(k), file), "places",
            _("its own BBL students ({cohorts}) need more supervision than it offers in {weeks}: {days} "
              "student-days too many in the worst week; allowed: at most its capacity in every week (raise its "
              "places for those weeks or move BBL students)").format(
                cohorts=", ".join(cohorts), weeks=_week_ranges(weeks), days=int(per_week.max()))))
    return problems


def capacity_problems(loaded: LoadedScenario) -> list[InputProblem]:
    """Every capacity finding of a loaded scenario (today: BBL students beyond their employer's capacity)."""
    return bbl_overload_problems(loaded.scenario, loaded.origins, loaded.path.name)
