"""A solve's focus: the cohorts and companies a variant changed, searched first.

A variant of a sweep starts from its base plan (``solve(..., start_from=plan)``), which the
base's own search already improved everywhere. Where the variant changed something (a cohort's
forms or window, a company's places) is where its plan can first get better, so the first search
of its exact stage draws its neighbourhoods around those cohorts, the cohorts that may use those
companies, and their neighbours: the cohorts sharing a company with them (the place pools they
compete in). Then it goes on everywhere until the plan is proven or the budget is spent; the
share is :data:`planner.solve.budget.FOCUS_SHARE`, the draws
:class:`planner.solve.exact.neighbourhoods.Neighbourhoods`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from planner.model.problem import ProblemData


@dataclass(frozen=True)
class Focus:
    """What a search works on first, by id: cohorts, and companies whose users are searched first."""

    cohorts: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether there is nothing to focus on."""
        return not self.cohorts and not self.companies


def focus_cohorts(data: ProblemData, focus: Focus) -> np.ndarray | None:
    """The cohorts (positions in ``data``) a focused search draws its first neighbourhoods around.

    The focus's cohorts and those that may use one of its companies, with their neighbours (the
    cohorts that may use a company one of them may use). None when that is no cohort, or every
    cohort (nothing to search first).
    """
    from planner.solve.exact.tables import company_sets  # the exact stage loads with the solve

    scenario = data.scenario
    position_of = {scenario.cohorts[index].id: position for position, index in enumerate(data.cohorts)}
    reach = company_sets(data)
    n_companies = data.company_capacity.shape[0]
    chosen = np.zeros(len(data.cohorts), dtype=bool)
    chosen[[position_of[c] for c in focus.cohorts if c in position_of]] = True
    focus_company = np.zeros(n_companies, dtype=bool)
    focus_company[[scenario.company_index[m] for m in focus.companies if m in scenario.company_index]] = True
    chosen |= np.array([focus_company[companies].any() for companies in reach], dtype=bool)
    # Their neighbours: cohorts competing with them for a place at some company.
    shared = np.zeros(n_companies, dtype=bool)
    for position in np.nonzero(chosen)[0]:
        shared[reach[position]] = True
    chosen |= np.array([shared[companies].any() for companies in reach], dtype=bool)
    if not chosen.any() or chosen.all():
        return None
    return chosen
