"""Plan-state basics, each computed in one place: a plan's load, its weighted shortage and its gap to a bound.

**The BBL rule** (from :mod:`planner.model.capacity`, the one place that says how much
supervision a company offers and a student takes): a BBL student already works at their own
employer, in the weeks of the cohort's current period (:func:`~planner.model.capacity.bbl_load`),
whatever the plan proposes. So

* a plan's **load** at a company in a week is the student-days of its BOL placements plus that
  fixed BBL load (:func:`company_load`), against the company's whole capacity;
* BOL students can use what the BBL students leave (:func:`placement_capacity`): the capacity
  minus the BBL load, and nothing where the BBL students alone exceed it (the solver's
  :func:`~planner.model.problem.compile_problem` takes the same residual, with a note). A plan
  breaks capacity only where its BOL placements exceed that (:func:`capacity_excess`): BBL
  students beyond their employer's capacity are a fact of the input, not of the plan.

The BBL load is read from the scenario, never from the plan's BBL waves (which repeat it).

**Weighted shortage** (the primary objective): ``sum_c weight_c * unplaced_c`` over the BOL
cohorts (:func:`weighted_shortage`). **Gap**: ``(objective - bound) / max(objective, 1)``,
zero when the bound reaches the plan (:func:`gap`).

Arrays per company come in :func:`~planner.model.capacity.company_capacity`'s shape
(``(companies, weeks)``, or ``(companies, weeks, 5)`` in weekday mode); a placement's load
(:class:`PlacementLoad`) in the flat layout ``weeks * days``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from planner.model.capacity import (
    bbl_load,
    company_capacity,
    days_per_week_column,
    default_weekdays,
    load_vector,
    student_days_per_week,
)
from planner.plan.model import CohortPlan, Plan, Wave
from planner.scenario import InternshipForm, Scenario


@dataclass(frozen=True)
class PlacementLoad:
    """The student-days one BOL placement takes at its company.

    ``cohort``: the placement's cohort plan; ``company``: the company's index in the scenario;
    ``days``: student-days per column of the flat layout (``weeks * days``).
    """

    cohort: CohortPlan
    company: int
    days: np.ndarray


def wave_days(scenario: Scenario, wave: Wave) -> np.ndarray:
    """Student-days one student of ``wave`` takes, per column of the flat layout (``weeks * days``).

    In weekday mode a line wave without its own weekdays (a current period) takes its form's
    default weekdays, as the capacity model does.
    """
    n_days = days_per_week_column(scenario)
    form = InternshipForm.parse(wave.form)
    weekdays = None
    if n_days > 1:
        weekdays = tuple(wave.weekdays) if wave.weekdays else default_weekdays(form)
    per_week = load_vector(form, weekdays, n_days)
    row = np.zeros(len(scenario.calendar.weeks) * n_days, dtype=np.int64)
    week_index = scenario.calendar.week_index
    for week in wave.weeks:
        t = week_index[week]
        row[t * n_days:(t + 1) * n_days] += per_week
    return row


def placement_loads(scenario: Scenario, cohorts: Iterable[CohortPlan]) -> Iterator[PlacementLoad]:
    """The load of every BOL placement of the plan (placements at companies the scenario lacks are left out).

    BBL cohorts are left out: their load is :func:`~planner.model.capacity.bbl_load`'s.
    """
    for cp in cohorts:
        if cp.pathway == "BBL":
            continue
        for wave in cp.waves:
            if not wave.placements:
                continue
            row = wave_days(scenario, wave)
            for placement in wave.placements:
                k = scenario.company_index.get(placement.company)
                if k is not None:
                    yield PlacementLoad(cp, k, row * placement.students)


def company_load(scenario: Scenario, cohorts: Iterable[CohortPlan], bbl: bool = True) -> np.ndarray:
    """A plan's load per company and week(-day) in student-days: its BOL placements plus (``bbl``) the BBL load.

    Same shape as :func:`~planner.model.capacity.company_capacity`.
    """
    capacity = company_capacity(scenario)
    load = bbl_load(scenario) if bbl else np.zeros((capacity.shape[0], int(np.prod(capacity.shape[1:]))), np.int64)
    for placement in placement_loads(scenario, cohorts):
        load[placement.company] += placement.days
    return load.reshape(capacity.shape)


def placement_capacity(scenario: Scenario) -> np.ndarray:
    """Capacity left for BOL placements: the capacity minus the BBL load, zero where BBL students exceed it."""
    capacity = company_capacity(scenario)
    return np.maximum(capacity - bbl_load(scenario).reshape(capacity.shape), 0)


def capacity_excess(scenario: Scenario, cohorts: Iterable[CohortPlan]) -> np.ndarray:
    """Student-days by which the plan's BOL placements exceed :func:`placement_capacity` (zero where they fit)."""
    return np.maximum(company_load(scenario, cohorts, bbl=False) - placement_capacity(scenario), 0)


def cohort_demand(plan: Plan) -> dict[str, np.ndarray]:
    """Student-days per week each cohort's students need in ``plan``, placed or not (BBL: at their employer)."""
    index = {week: i for i, week in enumerate(plan.weeks)}
    demand = {}
    for cp in plan.cohorts:
        weekly = np.zeros(len(plan.weeks))
        for wave in cp.waves:
            days = student_days_per_week(InternshipForm.parse(wave.form))
            for week in wave.weeks:
                weekly[index[week]] += wave.students * days
        demand[cp.cohort] = weekly
    return demand


def cohort_shortage(weight: Sequence[float] | np.ndarray, unplaced: Sequence[int] | np.ndarray) -> np.ndarray:
    """Weighted shortage per cohort: ``weight_c * unplaced_c``."""
    return np.asarray(weight, dtype=float) * np.asarray(unplaced, dtype=float)


def weighted_shortage(weight: Sequence[float] | np.ndarray, unplaced: Sequence[int] | np.ndarray) -> float:
    """The weighted shortage, ``sum_c weight_c * unplaced_c``: the primary objective."""
    return float(cohort_shortage(weight, unplaced).sum())


def plan_weighted_shortage(cohorts: Iterable[CohortPlan]) -> float:
    """:func:`weighted_shortage` of a plan's BOL cohorts (BBL students always have their place)."""
    bol = [cp for cp in cohorts if cp.pathway == "BOL"]
    return weighted_shortage([cp.weight for cp in bol], [cp.unplaced for cp in bol])


def gap(objective: float, bound: float) -> float:
    """How far a plan may be from the best: ``(objective - bound) / max(objective, 1)``, at least 0."""
    return max(0.0, objective - bound) / max(objective, 1.0)
