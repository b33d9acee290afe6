"""Capacity and load: the one place that says how much supervision a company offers and a student takes.

Units are student-days. A company offers ``5 x places`` student-days a week (or its places
per weekday when the scenario has weekday detail); a student of form ``block`` takes five
days a week, a ``line:N`` student N days (on the weekdays of its pattern in weekday mode).
The capacity model (:func:`planner.model.problem.compile_problem`), the plan's load, KPIs
and checks (:mod:`planner.plan`) and the charts all compute with these functions, so a
change to a rule reaches each of them at once.

Arrays come in two layouts: per company and week (``(companies, weeks)``, or
``(companies, weeks, 5)`` in weekday mode) and the model's flat layout
``(companies, weeks * days)`` with ``days`` 5 in weekday mode and 1 otherwise; a reshape
turns one into the other.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from planner.codes import DAYS_PER_WEEK, WEEKDAYS
from planner.scenario import InternshipForm, Scenario


def days_per_week_column(scenario: Scenario) -> int:
    """Columns per week in the flat layout: 5 with weekday detail, else 1."""
    return DAYS_PER_WEEK if scenario.weekday_detail else 1


def company_capacity(scenario: Scenario) -> np.ndarray:
    """Capacity in student-days, shape (companies, weeks) or (companies, weeks, 5) in weekday mode."""
    weeks = scenario.calendar.weeks
    if scenario.weekday_detail:
        return np.array([[c.weekday_places_in(w) for w in weeks] for c in scenario.companies], dtype=np.int64).reshape(
            len(scenario.companies), len(weeks), DAYS_PER_WEEK
        )
    return np.array([[DAYS_PER_WEEK * c.places_in(w) for w in weeks] for c in scenario.companies], dtype=np.int64).reshape(
        len(scenario.companies), len(weeks)
    )


def line_patterns(days: int) -> list[tuple[str, ...]]:
    """Weekday patterns a line student with ``days`` days a week may follow (weekday mode)."""
    return [tuple(p) for p in combinations(WEEKDAYS, days)]


def default_weekdays(form: InternshipForm) -> tuple[str, ...]:
    """Weekdays of a student whose pattern is not chosen by the planner (BBL, current periods)."""
    return WEEKDAYS[: form.days_per_week] if form.kind == "line" else WEEKDAYS


def day_pattern(form: InternshipForm, weekdays: list[str] | tuple[str, ...] | None) -> np.ndarray:
    """Per weekday, whether a student of this form is at the company (weekday mode).

    Raises ValueError when a line form's weekdays do not number its days per week.
    """
    if form.kind == "block":
        return np.ones(DAYS_PER_WEEK, dtype=np.int64)
    if not weekdays or len(weekdays) != form.days_per_week:
        raise ValueError(f"a line wave of {form} needs {form.days_per_week} weekdays, got {weekdays}")
    pattern = np.zeros(DAYS_PER_WEEK, dtype=np.int64)
    for day in weekdays:
        pattern[WEEKDAYS.index(day)] = 1
    return pattern


def student_days_per_week(form: InternshipForm) -> int:
    """Student-days one student of ``form`` takes in a week at the company."""
    return form.days_per_week


def load_vector(form: InternshipForm, weekdays: tuple[str, ...] | None, n_days: int) -> np.ndarray:
    """Student-days one student takes in one week, per column of the flat layout (length ``n_days``)."""
    if n_days == 1:
        return np.array([student_days_per_week(form)], dtype=np.int64)
    if weekdays is None:
        return np.ones(DAYS_PER_WEEK, dtype=np.int64)
    return day_pattern(form, weekdays)


def student_weeks(scenario: Scenario, cohort_index: int, form: InternshipForm, start: int) -> list[int]:
    """Weeks (indices) a student of the cohort is at the company; raises ValueError if it does not fit."""
    cohort = scenario.cohorts[cohort_index]
    region = scenario.locations[cohort.location].holiday_region
    weeks = scenario.calendar.occupied_weeks(start, form, region)
    if weeks is None:
        raise ValueError(f"cohort {cohort.id}: {form} does not fit from week {scenario.calendar.weeks[start]}")
    return weeks


def bbl_load(scenario: Scenario) -> np.ndarray:
    """Fixed load of BBL students at their own employer, flat layout ``(companies, weeks * days)``."""
    calendar = scenario.calendar
    n_days = days_per_week_column(scenario)
    load = np.zeros((len(scenario.companies), len(calendar.weeks) * n_days), dtype=np.int64)
    for cohort in scenario.cohorts:
        if cohort.pathway != "BBL":
            continue
        form = InternshipForm.parse(cohort.current_form)
        region_name = scenario.locations[cohort.location].holiday_region
        weeks = calendar.occupied_weeks(calendar.week_index[cohort.current_start], form, region_name) or []
        pattern = load_vector(form, default_weekdays(form), n_days)
        k = scenario.company_index[cohort.company]
        for week in weeks:
            load[k, week * n_days:(week + 1) * n_days] += cohort.students * pattern
    return load


def weekly_totals(per_company: np.ndarray) -> np.ndarray:
    """Student-days per week summed over companies (and weekdays), from either layout's per-week form."""
    return per_company.reshape(per_company.shape[0], per_company.shape[1], -1).sum(axis=(0, 2))


def per_company_week(per_company: np.ndarray) -> np.ndarray:
    """Student-days per company and week (weekdays summed), shape (companies, weeks)."""
    return per_company.reshape(per_company.shape[0], per_company.shape[1], -1).sum(axis=2)
